#!/bin/sh
# t_md_run.sh - molecular dynamics through the runtime (particle domain): LAMMPS' numbers at step 0,
# results bitwise independent of blocks, workers and scheduler, NVE energy conservation over
# 10,000 steps, the H5MD trajectory, thermostats reaching their temperature, and bad input
# (overlapping particles, a blown-up run, a full disk, a box too small for the cut-off).
# SD_TEST_SHORT=1 (set by make check-tsan, check-sanitize and make check-starpu-build) skips the long
# physics runs of sections 4 and 5 (SKIP lines).
. "$top_srcdir/tests/tap.sh"
g="$top_srcdir/tests/data/md-lj.yaml"
lj="$top_srcdir/graphs/md/lj-liquid.yaml"
argon="$top_srcdir/graphs/md/argon-nvt.yaml"
# the values of an HDF5 dataset, one per line, full precision
vals() { h5dump -m %.17g -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/ //g;/^$/d'; }
# relative difference of two numbers within a bound: within A B BOUND
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; s = b < 0 ? -b : b; exit !(d <= t * s) }'; }

# 1. Step 0 of the 32,000-atom LAMMPS benchmark system against LAMMPS' own thermo output
# (bench/peers/lj-liquid.lammps.ref: lmp -in bench/peers/in.lj, LAMMPS 29 Sep 2021).
runrc "$sd" run "$lj" --steps 1 --out "$tmp/lj.h5"
t "lj-liquid (32,000 atoms) runs one step" test "$(rc)" = 0
t "the thermo table is in the log (step 0 row)" grep -q "^ *0  *1.44 " "$tmp/out"
for q in "temp 1.44000000000001" "epair -6.77336805323422" "etotal -4.61343555323421" "press -5.01970725908556"; do
  set -- $q
  v=$(vals "$tmp/lj.h5" "/scalars/$1" | head -n 1)
  t "step 0 $1 = $v, LAMMPS $2: equal to 1e-6 relative" within "$v" "$2" 1e-6
  t "step 0 $1: in fact to 1e-10 (LAMMPS prints its sum to ~1e-12)" within "$v" "$2" 1e-10
done

# 2. Bitwise the same whatever the blocks (slabs of cells), workers and scheduler: 2048 atoms
# (a 4-layer cell grid), 60 steps with rebuilds, thermo and trajectory every 10 steps; in double
# precision (outputs b*) and in mixed precision (domain.particles.precision: mixed; outputs m*)
sed 's/^\(    neighbor: .*\)$/\1\n    precision: mixed/' "$g" >"$tmp/md-lj-mixed.yaml"
t "the mixed copy of md-lj.yaml says precision: mixed" grep -q "^    precision: mixed$" "$tmp/md-lj-mixed.yaml"
# run_blocks GRAPH PREFIX BLOCKS NCPU SCHED -> $tmp/PREFIX$BLOCKS.h5 and .h5md
run_blocks() { STARPU_SCHED=$5 "$sd" run "$1" --set cells=8 --set drift_tol=1 --steps 60 --tiles "$3" --ncpu "$4" --quiet \
               --out "$tmp/$2$3.h5" >/dev/null 2>&1 && mv md-lj.h5md "$tmp/$2$3.h5md"; }
cd "$tmp" || exit 1
for p in b m; do
  if [ $p = b ]; then graph=$g what=""; else graph="$tmp/md-lj-mixed.yaml" what="mixed precision: "; fi
  run_blocks "$graph" $p 1 1 eager
  run_blocks "$graph" $p 2 2 lws
  run_blocks "$graph" $p 4 2 random
  run_blocks "$graph" $p 8 2 dmda
  t "${what}runs with 1, 2, 4 and 8 blocks (8: 2x2x2 bricks) wrote their outputs" \
    test -s "$tmp/${p}1.h5" -a -s "$tmp/${p}2.h5" -a -s "$tmp/${p}4.h5md" -a -s "$tmp/${p}8.h5md"
  for b in 2 4 8; do
    t "${what}thermo with $b blocks == 1 block, bitwise" "$sd" compare "$tmp/${p}1.h5" "$tmp/$p$b.h5"
    t "${what}trajectory (positions, velocities) with $b blocks == 1 block, bitwise" \
      h5diff "$tmp/${p}1.h5md" "$tmp/$p$b.h5md" /particles/trajectory/position/value
    t "${what}velocities with $b blocks == 1 block, bitwise" \
      h5diff "$tmp/${p}1.h5md" "$tmp/$p$b.h5md" /particles/trajectory/velocity/value
  done
done
# the parallel rebuild (more than one block) against the serial one at the same blocking
export STARDAG_REBUILD=serial
run_blocks "$g" s 8 2 lws
unset STARDAG_REBUILD
t "8 blocks with STARDAG_REBUILD=serial (the whole-domain task) wrote its outputs" test -s "$tmp/s8.h5md"
t "8 blocks: the parallel rebuild's thermo == the serial rebuild's, bitwise" "$sd" compare "$tmp/s8.h5" "$tmp/b8.h5"
t "8 blocks: the parallel rebuild's trajectory == the serial rebuild's, bitwise" \
  h5diff "$tmp/s8.h5md" "$tmp/b8.h5md" /particles/trajectory/position/value
runrc env STARDAG_REBUILD=sometimes "$sd" run "$g" --set cells=8 --steps 1 --out ""
t "STARDAG_REBUILD=sometimes is refused, naming the values" \
  sh -c "test $(rc) -ne 0 && grep -q 'STARDAG_REBUILD=sometimes: expected serial or parallel' '$tmp/err'"
t "mixed precision differs from double (it is not the double path)" sh -c "! '$sd' compare '$tmp/b1.h5' '$tmp/m1.h5' >/dev/null 2>&1"
t "mixed precision: thermo within 1e-5 of double's (stardag compare --rtol)" "$sd" compare --rtol 1e-5 "$tmp/b1.h5" "$tmp/m1.h5"
runrc "$sd" run "$g" --set cells=8 --steps 60 --tiles 5
t "a block count that no brick grid of the cells fits is refused, naming the cells" \
  sh -c "test $(rc) -ne 0 && grep -q '5 blocks asked for, but no brick grid of 5 blocks fits the box.s 4x4x4 cells' '$tmp/err'"

# 2b. More blocks than 4, as bricks of a tall box: tests/graphs/md-slab.yaml, 1800 atoms whose cell
# grid is 2 x 2 x 10 (so 11 blocks fit no brick grid), 60 steps with rebuilds, thermo
# and trajectory every 10 steps; and md-slab-langevin.yaml (a Langevin thermostat, 100 steps). Each
# run's summary must name its blocks and the cell grid; scalars (stardag compare) and the trajectory's
# positions and velocities (their raw bytes, h5dump -b) must be bitwise those of the 1-block run.
slab="$top_srcdir/tests/graphs/md-slab.yaml"
slab_lgv="$top_srcdir/tests/graphs/md-slab-langevin.yaml"
# raw bytes of dataset $2 of file $1 into $3
raw() { h5dump -d "$2" -b NATIVE -o "$3" "$1" >/dev/null 2>&1 && test -s "$3"; }
# same_traj A.h5md B.h5md WHAT: WHAT (position or velocity) of two trajectories, byte for byte
same_traj() { raw "$1" "/particles/trajectory/$3/value" "$tmp/raw1" && raw "$2" "/particles/trajectory/$3/value" "$tmp/raw2" &&
              cmp -s "$tmp/raw1" "$tmp/raw2"; }
# slab_run GRAPH NAME BLOCKS NCPU SCHED: run, summary in $tmp/sum-NAME-BLOCKS, outputs NAME-BLOCKS.h5/.h5md
slab_run() {
  rm -f "$2.h5md"
  "$sd" run "$1" --tiles "$3" --ncpu "$4" --sched "$5" --out "$tmp/$2-$3.h5" >"$tmp/sum-$2-$3" 2>&1 &&
    mv "$2.h5md" "$tmp/$2-$3.h5md"
}
for r in "1 1 eager" "5 2 lws" "6 3 random" "8 4 dmda" "10 2 ws" "7 4 prio"; do
  set -- $r
  slab_run "$slab" md-slab "$1" "$2" "$3"
  t "md-slab, $1 blocks, $2 CPUs, sched $3: runs and writes its outputs" test -s "$tmp/md-slab-$1.h5" -a -s "$tmp/md-slab-$1.h5md"
  t "md-slab, $1 blocks: the summary says 1800 particles in $1 blocks (bricks of a 2x2x10 cell grid)" \
    grep -q "1800 particles in $1 blocks ([0-9]*x[0-9]*x[0-9]* bricks of a 2x2x10 cell grid;" "$tmp/sum-md-slab-$1"
  [ "$1" = 1 ] && continue
  t "md-slab: thermo with $1 blocks == 1 block, bitwise" "$sd" compare "$tmp/md-slab-1.h5" "$tmp/md-slab-$1.h5"
  t "md-slab: trajectory positions with $1 blocks == 1 block, bitwise" same_traj "$tmp/md-slab-1.h5md" "$tmp/md-slab-$1.h5md" position
  t "md-slab: trajectory velocities with $1 blocks == 1 block, bitwise" same_traj "$tmp/md-slab-1.h5md" "$tmp/md-slab-$1.h5md" velocity
done
rb=$(sed -n 's/.*, \([0-9][0-9]*\) neighbour-list rebuilds.*/\1/p' "$tmp/sum-md-slab-1")
t "md-slab: the 60 steps rebuild the lists several times (got ${rb:-none}), so particles change blocks" test "${rb:-0}" -ge 3
t "md-slab: 7 trajectory frames of 1800 x 3 positions" sh -c "h5dump -H -d /particles/trajectory/position/value '$tmp/md-slab-1.h5md' | grep -q '( 7, 1800, 3 )'"
raw "$tmp/md-slab-1.h5md" /particles/trajectory/position/value "$tmp/raw1"
raw "$tmp/md-slab-1.h5md" /particles/trajectory/velocity/value "$tmp/raw2"
t "md-slab: the comparison would notice (positions and velocities differ as bytes)" sh -c "! cmp -s '$tmp/raw1' '$tmp/raw2'"
runrc "$sd" run "$slab" --tiles 11 --out "$tmp/md-slab-11.h5"
t "md-slab: 11 blocks on a 2x2x10 cell grid is refused, naming the cells" \
  sh -c "test $(rc) -ne 0 && grep -q '11 blocks asked for, but no brick grid of 11 blocks fits the box.s 2x2x10 cells' '$tmp/err'"
for r in "1 1 lws" "6 2 eager" "10 4 dmda"; do
  set -- $r
  slab_run "$slab_lgv" md-slab-langevin "$1" "$2" "$3"
  t "md-slab-langevin, $1 blocks, $2 CPUs, sched $3: runs and writes its outputs" \
    test -s "$tmp/md-slab-langevin-$1.h5" -a -s "$tmp/md-slab-langevin-$1.h5md"
  t "md-slab-langevin, $1 blocks: the summary says 1800 particles in $1 blocks" \
    grep -q "1800 particles in $1 blocks ([0-9]*x[0-9]*x[0-9]* bricks of a 2x2x10 cell grid;" "$tmp/sum-md-slab-langevin-$1"
  [ "$1" = 1 ] && continue
  t "md-slab-langevin: thermo with $1 blocks == 1 block, bitwise" \
    "$sd" compare "$tmp/md-slab-langevin-1.h5" "$tmp/md-slab-langevin-$1.h5"
  for w in position velocity; do
    t "md-slab-langevin: trajectory $w values with $1 blocks == 1 block, bitwise" \
      same_traj "$tmp/md-slab-langevin-1.h5md" "$tmp/md-slab-langevin-$1.h5md" $w
  done
done
t "md-slab-langevin: 11 trajectory frames" \
  sh -c "h5dump -H -d /particles/trajectory/velocity/value '$tmp/md-slab-langevin-1.h5md' | grep -q '( 11, 1800, 3 )'"
t "md-slab-langevin: the thermostat acts (its trajectory differs from md-slab's at the same step 60)" \
  sh -c "h5dump -d /particles/trajectory/velocity/value -s 6,0,0 -c 1,1800,3 -b NATIVE -o '$tmp/raw1' '$tmp/md-slab-1.h5md' &&
         h5dump -d /particles/trajectory/velocity/value -s 6,0,0 -c 1,1800,3 -b NATIVE -o '$tmp/raw2' '$tmp/md-slab-langevin-1.h5md' &&
         test -s '$tmp/raw1' && ! cmp -s '$tmp/raw1' '$tmp/raw2'"
Tl=$(vals "$tmp/md-slab-langevin-1.h5" /scalars/temp | tail -n 1)
Tn=$(vals "$tmp/md-slab-1.h5" /scalars/temp | tail -n 1)
t "md-slab-langevin: T at step 100 = $Tl, within 10% of the bath's 1.0 (without the thermostat, at step 60: $Tn, not)" \
  sh -c "awk -v a='$Tl' 'BEGIN { exit !(a > 0.9 && a < 1.1) }' && awk -v a='$Tn' 'BEGIN { exit !(a < 0.9 || a > 1.1) }'"

# 3. The trajectory: H5MD frames every 10 steps and at the end, in id order.
runrc h5dump -H -d /particles/trajectory/position/value "$tmp/b1.h5md"
t "trajectory: 7 frames of 2048 x 3 positions" grep -q "( 7, 2048, 3 )" "$tmp/out"
a=$(vals "$tmp/b1.h5md" /particles/trajectory/box/edges/value | head -n 1)
p1=$(h5dump -m %.17g -y -w 0 -d /particles/trajectory/position/value -s "0,1,0" -c "1,1,3" "$tmp/b1.h5md" |
     sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr -d ' \n')
t "frame 0 is the fcc lattice in id order: id 1 at (a/2, a/2, 0) (got $p1, box $a)" \
  awk -v p="$p1" -v L="$a" 'BEGIN { split(p, x, ","); h = L / 16; exit !(L > 0 && x[1] == h && x[2] == h && x[3] == 0) }'
steps=$(vals "$tmp/b1.h5md" /particles/trajectory/position/step | tr '\n' ' ')
t "trajectory steps 0, 10, ..., 60 (got $steps)" test "$steps" = "0 10 20 30 40 50 60 "
t "thermo observables in the trajectory file (7 rows of etotal)" test "$(vals "$tmp/b1.h5md" /observables/etotal/value | wc -l)" = 7
if /usr/bin/python3 -c "import h5py" 2>/dev/null && [ -f "$top_srcdir/bench/md/check_h5md.py" ]; then
  t "h5py reads the trajectory (bench/md/check_h5md.py)" /usr/bin/python3 "$top_srcdir/bench/md/check_h5md.py" "$tmp/b1.h5md"
else skip "h5py not installed (python3-h5py): the trajectory's reading by h5py is not checked"; fi

# 4. and 5. are long physics runs (over 1000 steps each); with SD_TEST_SHORT=1 (make check-tsan sets
# it: under ThreadSanitizer they alone would take minutes, and they add no thread interleaving that
# sections 2 and 2b do not have) each of their results is reported as skipped, with this reason.
if [ "${SD_TEST_SHORT:-0}" = 1 ]; then
  for what in "NVE over 10,000 steps: drift(etotal) <= 1e-4" "NVE: largest relative drift reported" \
              "argon-nvt (Berendsen) runs" "argon-nvt: temperature within 5% of 94.4 K" \
              "Langevin (1372 atoms, 1000 steps): 1 block == 4 blocks" "Langevin: mean T within 3% of the bath's"; do
    skip "SD_TEST_SHORT=1: the long run of '$what' is not made"
  done
else
  # 4. NVE: velocity Verlet, shifted LJ, lists rebuilt when a particle moved more than skin/2:
  # total energy within 1e-4 of its start over 10,000 steps (500 atoms; sampled every 100 steps).
  runrc "$sd" run "$g" --set cells=5 --set thermo=100 --steps 10000 --out "$tmp/nve.h5"
  t "NVE 500 atoms, 10,000 steps, dt 0.005: the run passes drift(etotal) <= 1e-4" test "$(rc)" = 0
  d=$(sed -n 's/.*check drift(etotal) <= 0.0001: ok (largest drift \(.*\))/\1/p' "$tmp/out")
  t "NVE: largest relative drift of the total energy reported: $d" test -n "$d"

  # 5. A thermostat: argon (real units) held at 94.4 K by Berendsen, 864 atoms.
  runrc "$sd" run "$argon" --set cells=6 --steps 1000 --out "$tmp/ar.h5"
  t "argon-nvt (real units, Berendsen) runs" test "$(rc)" = 0
  T=$(vals "$tmp/ar.h5" /scalars/temp | tail -n 1)
  t "argon-nvt: temperature after 5 ps = $T K, within 5% of 94.4 K" within "$T" 94.4 0.05

  # Langevin: random forces by (seed, id, step): bitwise whatever the blocks; T reaches the bath's.
  lgv="$top_srcdir/tests/data/md-langevin.yaml"
  "$sd" run "$lgv" --tiles 1 --ncpu 1 --quiet --out "$tmp/lg1.h5" >/dev/null 2>&1
  "$sd" run "$lgv" --tiles 4 --ncpu 2 --quiet --out "$tmp/lg4.h5" >/dev/null 2>&1
  t "Langevin (1372 atoms, 1000 steps): 1 block == 4 blocks, bitwise" "$sd" compare "$tmp/lg1.h5" "$tmp/lg4.h5"
  Tm=$(vals "$tmp/lg1.h5" /scalars/temp | tail -n 50 | awk '{ s += $1 } END { print s / NR }')
  t "Langevin to T = 1 from 1.44: mean T over the last 500 steps = $Tm, within 3%" within "$Tm" 1.0 0.03
fi

# 6. Bad input stops the run with the step and the particles named.
runrc "$sd" run "$g" --set cells=12 --set rho=20 --steps 10 --out "$tmp/dense.h5" --trajectory "$tmp/dense.h5md"
t "overlapping particles (rho 20): exit 3" test "$(rc)" = 3
t "overlap: the message names the step and both particles" grep -q "step 0: particles [0-9]* and [0-9]* overlap: distance 0.41" "$tmp/err"
runrc "$sd" run "$g" --set cells=6 --steps 200 --set every=20 --set dt=0.05 --set drift_tol=1e300 --out "$tmp/hot.h5" \
  --trajectory "$tmp/hot.h5md"
t "a blown-up run (dt 0.05): exit 3" test "$(rc)" = 3
t "blow-up: the message names the step and the particle" grep -Eq "step [0-9]+: (particle [0-9]+ is lost|particles [0-9]+ and [0-9]+ overlap)" "$tmp/err"
t "blow-up: the thermo rows before it were written" test "$(vals "$tmp/hot.h5" /scalars/temp | wc -l)" -ge 1
# a full disk (a file-size limit) while writing the trajectory: exit 1, the file names the frame
# it could not append, and the frames before it stay readable
rm -f argon-nvt.h5md
sh -c "ulimit -f 2000; exec '$sd' run '$argon' --set cells=6 --steps 3000 --out '$tmp/arfull.h5' --quiet" >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
t "trajectory hits a file-size limit: exit 1" test "$(rc)" = 1
t "trajectory full: the message names the file, the step and the reason" \
  grep -q "argon-nvt.h5md: cannot append .* at step [0-9]*: File too large" "$tmp/err"
frames=$(vals argon-nvt.h5md /particles/trajectory/position/step | tr '\n' ' ')
t "trajectory full: the file opens with its complete frames (steps $frames)" test -n "$frames"
# in.lj's neighbour policy (every 20, check no), kept on purpose: the warning says so and names the safe one
runrc "$sd" run "$lj" --set cells=6 --out ""
t "lj-liquid (864 atoms): rebuilds after skin/2 moves are warned about" grep -q "warning: [0-9]* rebuilds came after some particle had moved more than skin/2" "$tmp/out"
t "the warning explains in.lj's setting and names the safe policy and the doc" \
  grep -q "(neighbor: {every: 20, check: false} is LAMMPS' \`neigh_modify every 20 check no\`, as in in.lj; the safe policy is neighbor: {every: 1, check: true}: docs/user-guide.md, Molecular dynamics)" "$tmp/out"
runrc "$sd" run "$argon" --set cells=4 --steps 100 --out ""
t "argon-nvt (every: 1, check: true): no such warning" sh -c "test $(rc) = 0 && ! grep -q 'skin/2' '$tmp/out'"
runrc "$sd" run "$g" --set cells=3
t "cutoff + skin > L/2: refused before running (exit 2)" test "$(rc)" = 2
t "cutoff + skin > L/2: the message names the file, line and the rule" \
  grep -q "md-lj.yaml:[0-9]*:[0-9]*: cutoff + skin = 2.8 is more than half the box" "$tmp/err"
tap_end
