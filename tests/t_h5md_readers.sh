#!/bin/sh
# t_h5md_readers.sh - the H5MD trajectory as other tools read it: the particles group MDAnalysis
# looks for (/particles/trajectory), the box as a 3x3 matrix of edge vectors, H5MD unit attributes
# (metal: Angstrom, ps; real: nm, ps; lj: none), the run status in the file's root like the run
# file's (completed, check failed, interrupted), and, when Debian's python3-mdanalysis is
# installed, MDAnalysis.Universe("run.h5md") with positions, velocities and box in its units.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1
metal="$top_srcdir/tests/graphs/argon-metal.yaml"
real="$top_srcdir/graphs/md/argon-nvt.yaml"
lj="$top_srcdir/tests/data/md-lj.yaml"
# attr FILE PATH NAME: the value of an attribute (strings unquoted)
attr() { h5dump -a "$2/$3" "$1" 2>/dev/null | sed -n 's/^ *(0): //p' | tr -d '"'; }
vals() { h5dump -A 0 -m %.17g -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/ //g;/^$/d'; }

# 1. A metal-units argon run (864 atoms, 200 steps, a frame every 50).
runrc "$sd" run --overwrite "$metal" --quiet --out m.h5
t "argon in metal units: runs (exit 0)" test "$(rc)" = 0
t "trajectory status completed, like the run file's" \
  test "$(attr argon-metal.h5md / status)" = completed -a "$(attr m.h5 / status)" = completed
t "trajectory steps_done 200" test "$(attr argon-metal.h5md / steps_done)" = 200
t "particles group /particles/trajectory (what MDAnalysis' Universe(file) reads)" \
  sh -c "h5dump -H -d /particles/trajectory/position/value argon-metal.h5md | grep -q '( 5, 864, 3 )'"
t "box edges: one 3x3 matrix per frame" sh -c "h5dump -H -d /particles/trajectory/box/edges/value argon-metal.h5md | grep -q '( 5, 3, 3 )'"
e=$(vals argon-metal.h5md /particles/trajectory/box/edges/value | head -n 9 | tr '\n' ' ')
t "box edges of frame 0: diag(L, L, L) with L = 6 a = 34.46... A (got $e)" \
  awk -v e="$e" 'BEGIN { n = split(e, x, " "); L = x[1];
    exit !(n == 9 && L > 34.46 && L < 34.47 && x[5] == L && x[9] == L && x[2] == 0 && x[3] == 0 && x[4] == 0 && x[6] == 0 && x[7] == 0 && x[8] == 0) }'
for u in "position/value|Angstrom" "position/time|ps" "velocity/value|Angstrom ps-1" "box/edges/value|Angstrom"; do
  IFS='|' read -r where unit <<EOU
$u
EOU
  t "metal: /particles/trajectory/$where unit \"$unit\"" test "$(attr argon-metal.h5md /particles/trajectory/$where unit)" = "$unit"
done
t "metal: the H5MD units module says SI" test "$(attr argon-metal.h5md /h5md/modules/units system)" = SI
t "metal: /parameters unit_system metal (the observables' energies are in eV)" test "$(attr argon-metal.h5md /parameters unit_system)" = metal
t "h5md author and creator" test "$(attr argon-metal.h5md /h5md/creator name)" = stardag -a -n "$(attr argon-metal.h5md /h5md/author name)"
cp argon-metal.h5md metal.h5md # section 3 writes argon-metal.h5md again

# 2. The same system in real units (nm): unit attributes nm, nm ps-1.
runrc "$sd" run --overwrite "$real" --set cells=6 --steps 200 --quiet --out r.h5
t "argon in real units: runs" test "$(rc)" = 0
t "real: position unit nm, velocity nm ps-1" \
  test "$(attr argon-nvt.h5md /particles/trajectory/position/value unit)" = nm -a \
       "$(attr argon-nvt.h5md /particles/trajectory/velocity/value unit)" = "nm ps-1"
t "real: /parameters unit_system real" test "$(attr argon-nvt.h5md /parameters unit_system)" = real

# 3. How a run ended, in the trajectory: a failed check, an interrupt.
# signal_run SIGNAL OUT: a long run writing OUT gets SIGNAL once it writes; its exit status in rc
signal_run() {
  "$sd" run --overwrite "$lj" --set cells=8 --set drift_tol=1 --steps 100000000 --quiet --out "$2" >/dev/null 2>&1 &
  pid=$!
  i=0
  while [ $i -lt 200 ] && ! [ -s "$2" ]; do sleep 0.1; i=$((i + 1)); done
  sleep 1
  kill -"$1" $pid
  wait $pid
  echo $? >"$tmp/rc"
}
sed 's/^run:$/checks:\n  - range: {scalar: temp, min: 1000, max: 2000}\nrun:/' "$metal" >bad.yaml
runrc "$sd" run --overwrite bad.yaml --quiet --out bad.h5
t "a failed check: exit 3" test "$(rc)" = 3
t "a failed check: status 'check failed' in the trajectory and the run file" \
  test "$(attr argon-metal.h5md / status)" = "check failed" -a "$(attr bad.h5 / status)" = "check failed"
signal_run INT int.h5
t "SIGINT: exit 130" test "$(rc)" = 130
t "SIGINT: status interrupted in the trajectory and the run file" \
  test "$(attr md-lj.h5md / status)" = interrupted -a "$(attr int.h5 / status)" = interrupted
t "SIGINT: steps_done recorded (> 0)" test "$(attr md-lj.h5md / steps_done)" -gt 0
# SIGTERM (a batch system's stop) is handled as SIGINT
signal_run TERM term.h5
t "SIGTERM: exit 130" test "$(rc)" = 130
t "SIGTERM: status interrupted in the trajectory and the run file" \
  test "$(attr md-lj.h5md / status)" = interrupted -a "$(attr term.h5 / status)" = interrupted
t "SIGTERM: the log ends with exit status 130" test "$(tail -n 1 term.log)" = "exit status 130"
signal_run KILL kill.h5
t "SIGKILL: the trajectory still says running (it was never closed), as the run file does" \
  test "$(attr md-lj.h5md / status)" = running -a "$(attr kill.h5 / status)" = running
t "lj units: no unit attributes, /parameters unit_system lj" \
  sh -c "! h5dump -a /particles/trajectory/position/value/unit md-lj.h5md >/dev/null 2>&1 && test \"\$(h5dump -a /parameters/unit_system md-lj.h5md | sed -n 's/^ *(0): //p')\" = '\"lj\"'"

# 4. MDAnalysis (Debian: python3-mdanalysis).
if ! /usr/bin/python3 -c "import MDAnalysis" 2>/dev/null; then
  skip "MDAnalysis is not installed (Debian: apt-get install python3-mdanalysis)"
  tap_end; exit
fi
cat >mda.py <<'PY'
# mda.py: one line "ok ..." or "FAIL ..." per check
import warnings
warnings.filterwarnings("ignore")
import h5py
import numpy as np
import MDAnalysis as mda


def check(cond, what):
    print("%s %s" % ("ok" if cond else "FAIL", what))


for path, nframes, scale, unit in (("metal.h5md", 5, 1.0, "Angstrom"), ("argon-nvt.h5md", 3, 10.0, "nm")):
    try:
        u = mda.Universe(path)
    except Exception as e:
        check(False, "mda.Universe(%r): %s: %s" % (path, type(e).__name__, e))
        continue
    check(len(u.atoms) == 864 and u.trajectory.n_frames == nframes,
          "%s: Universe(file) sees 864 atoms and %d frames (%d, %d)" % (path, nframes, len(u.atoms), u.trajectory.n_frames))
    check(u.trajectory.units["length"] == unit, "%s: length unit %s" % (path, u.trajectory.units["length"]))
    with h5py.File(path, "r") as f:
        g = f["particles/trajectory"]
        last = nframes - 1
        x = g["position/value"][last] * scale
        v = g["velocity/value"][last] * scale
        L = np.diagonal(g["box/edges/value"][last]) * scale
        steps = g["position/step"][:]
    ts = u.trajectory[last]
    check(ts.dimensions is not None and np.allclose(ts.dimensions, list(L) + [90, 90, 90], rtol=1e-6),
          "%s: box in Angstrom, cuboid (%s)" % (path, None if ts.dimensions is None else list(ts.dimensions)))
    # MDAnalysis keeps float32 in Angstrom (and Angstrom/ps)
    check(np.allclose(ts.positions, x, rtol=1e-6, atol=1e-4), "%s: last frame's positions in Angstrom" % path)
    check(np.allclose(ts.velocities, v, rtol=1e-6, atol=1e-5), "%s: last frame's velocities in Angstrom/ps" % path)
    check(ts.data["step"] == steps[last], "%s: step %d" % (path, steps[last]))
try:
    mda.Universe("md-lj.h5md")
    check(False, "lj units: Universe(file) should refuse (no units), as documented")
except ValueError as e:
    check("convert_units" in str(e), "lj units: Universe(file) refuses, saying to set convert_units=False")
# the documented way for reduced units (MDAnalysis 2.4 passes convert_units on to its minimal
# topology parser, which refuses it, so Universe(file, convert_units=False) does not work there)
with h5py.File("md-lj.h5md", "r") as f:
    n = f["particles/trajectory/position/value"].shape[1]
u = mda.Universe.empty(n, trajectory=True)
u.load_new("md-lj.h5md", format="H5MD", convert_units=False)
check(len(u.atoms) == 2048 and u.trajectory.n_frames >= 1 and u.dimensions is not None,
      "lj units: Universe.empty(N).load_new(file, format='H5MD', convert_units=False) reads it (%d atoms, %d frames)"
      % (len(u.atoms), u.trajectory.n_frames))
print("end")
PY
/usr/bin/python3 mda.py >mda.out 2>mda.err
if ! grep -q '^end$' mda.out; then
  n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - mda.py did not finish"; sed 's/^/# /' mda.err | tail -n 5
fi
grep -v '^end$' mda.out >mda.res
while read -r verdict rest; do
  n=$((n + 1))
  if [ "$verdict" = ok ]; then echo "ok $n - MDAnalysis: $rest"; else echo "not ok $n - MDAnalysis: $rest"; fails=$((fails + 1)); fi
done <mda.res
tap_end
