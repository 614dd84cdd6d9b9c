#!/bin/sh
# bench/tune/simgrid.sh - StarPU's own simulation (SimGrid) as a second predictor beside `stardag
# predict` (docs/tuning.md, "StarPU's own simulation"). Per bundled graph, as bench/tune/run.sh
# does: `stardag tune --exhaustive` calibrates the models, predicts every candidate and measures it;
# then the same stardag built on a StarPU with SimGrid runs every candidate in StarPU's simulation
# (the graph's ops are not run: each takes its model's time, from the same models; the tasks that
# deliver what the run loop waits for, and halo copies, run and their measured times go in;
# particles' ops and lists run too, as their results decide what follows, and take their models'
# times). Printed per graph: over the fastest quarter
# measured and over all candidates, the median and largest |predicted/measured - 1| of both
# predictors, and which candidate each would choose.
#
#   sh bench/tune/simgrid.sh [NAME...]     NAME: lattice md membrane ode transport (default: all five)
#   SUMMARY_ONLY=1 sh bench/tune/simgrid.sh [NAME...]   the table again from the files in OUT
#
# Needs a StarPU with SimGrid (`bash scripts/build-starpu.sh --with-simgrid PREFIX`) and stardag
# built on it: SIMSD (default _build-simgrid/stardag; `mkdir _build-simgrid && cd _build-simgrid &&
# ../configure --with-starpu=PREFIX && make stardag`).
# Environment: SD (the real build's stardag, default _build/stardag), REPEAT (3), MSTEPS (20),
#   NPROC (CPU workers, nproc), OUT (default bench/tune/out/simgrid).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
SD=${SD:-$top/_build/stardag}
SIMSD=${SIMSD:-$top/_build-simgrid/stardag}
REPEAT=${REPEAT:-3}
MSTEPS=${MSTEPS:-20}
NP=${NPROC:-$(nproc)}
OUT=${OUT:-$top/bench/tune/out/simgrid}
WARM=3 # the warm-up steps of a measured run (predict.h: SD_WARMUP_STEPS)
[ -x "$SIMSD" ] || { echo "simgrid.sh: $SIMSD not built (see the comment at the top)" >&2; exit 2; }
"$SIMSD" --version 2>&1 | grep -q 'SimGrid' || { echo "simgrid.sh: $SIMSD is not built on a StarPU with SimGrid" >&2; exit 2; }
mkdir -p "$OUT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdsimg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
export STARPU_WORKERS_NOBIND STARPU_SILENT
. "$top/bench/tune/lib.sh"

# the simulated seconds of a run of N steps (the loop's time from the run summary)
simsec() { # simsec GRAPH N OPTS...
  g=$1 n=$2
  shift 2
  # shellcheck disable=SC2068
  timeout -s KILL 300 "$SIMSD" run "$g" --steps "$n" --out '' --ncpu "$NP" $@ 2>/dev/null |
    sed -n 's/^stardag: .*: \([0-9]*\) steps in \([0-9.e+-]*\) s (.*/\1 \2/p' | head -n1
}

echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "stardag: $("$SD" --version | head -n1); simulated by $SIMSD; $NP CPU workers; measured: median of $REPEAT runs of $MSTEPS steps"
# simulate NAME: every candidate of $OUT/NAME.csv simulated, one line per candidate in
# $OUT/NAME-sim.txt: tiles sched max_inflight arch fuse predicted measured simulated
simulate() {
  name=$1 g=$(case_args "$1") csv=$OUT/$1.csv
  : >"$OUT/$name-sim.txt"
  fields "$csv" | while IFS=, read -r tiles sched infl arch pred meas _def _by fuse; do
    o=$(opts "$tiles" "$sched" "$infl" "$arch" "${fuse:-1}")
    # shellcheck disable=SC2086
    a=$(simsec "$g" "$WARM" $o) b=$(simsec "$g" "$((WARM + MSTEPS))" $o)
    sim=$(echo "$a $b" | awk -v m="$MSTEPS" -v w="$WARM" 'NF == 4 && $1 == w && $3 == w + m { printf "%.5f", 1e3 * ($4 - $2) / m; next } { print "nan" }')
    echo "$tiles $sched $infl $arch ${fuse:-1} $pred $meas $sim" >>"$OUT/$name-sim.txt"
  done
}

# summary NAME: the row of the table from $OUT/NAME-sim.txt
summary() {
  awk -v nm="$1" '
    function med(a, n,   i, j, x) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function mx(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
    function err(p, m) { return p / m - 1 < 0 ? 1 - p / m : p / m - 1 }
    function chosen(t, m, n,   i, b, k, sum) {
      b = t[1]; for (i = 2; i <= n; i++) if (t[i] < b) b = t[i]
      for (i = 1; i <= n; i++) if (t[i] <= b * (1 + 1e-9)) { k++; sum += m[i] }
      return sum / k }
    $7 == $7 + 0 && $8 != "nan" { n++; m[n] = $7; p[n] = $6; s[n] = $8 }
    END {
      if (n == 0) { printf "%-10s no candidate simulated\n", nm; exit }
      # sort by measured
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (m[j] < m[i]) {
        x = m[i]; m[i] = m[j]; m[j] = x; x = p[i]; p[i] = p[j]; p[j] = x; x = s[i]; s[i] = s[j]; s[j] = x }
      q = int((n + 3) / 4)
      for (i = 1; i <= n; i++) { ep[i] = err(p[i], m[i]); es[i] = err(s[i], m[i]) }
      for (i = 1; i <= q; i++) { qp[i] = ep[i]; qs[i] = es[i] }
      for (i = 1; i <= n; i++) { ap[i] = ep[i]; as[i] = es[i] }
      # the choice of a predictor: the mean measured time of the candidates it ranks first (ties:
      # predict gives candidates that differ only in max_inflight one time)
      printf "%-10s %5d | %8.1f %8.1f %8.1f | %8.1f %8.1f %8.1f | %.3f / %.3f / %.3f\n", nm, n, 100 * med(qp, q), 100 * mx(qp, q),
        100 * med(ap, n), 100 * med(qs, q), 100 * mx(qs, q), 100 * med(as, n), m[1], chosen(p, m, n), chosen(s, m, n)
    }' "$OUT/$1-sim.txt"
}

[ $# -gt 0 ] || set -- lattice md membrane ode transport
printf '\n%-10s %5s | %-27s | %-27s | %s\n' "" "" "stardag predict" "StarPU-SimGrid" "choice (measured ms/step)"
printf '%-10s %5s | %8s %8s %8s | %8s %8s %8s | %s\n' case cands "q-med%" "q-max%" "all-med%" "q-med%" "q-max%" "all-med%" \
  "fastest / predict's / SimGrid's"
for name in "$@"; do
  if [ "${SUMMARY_ONLY:-0}" != 1 ]; then
    exhaustive "$name" || continue
    simulate "$name"
  fi
  summary "$name"
done
echo
echo "q-med%, q-max%: median and largest |predicted/measured - 1| over the fastest quarter measured;"
echo "all-med%: the median over every candidate; choice: the measured ms/step of the fastest candidate,"
echo "and the mean measured ms/step of the candidates stardag predict ranks first (ties: candidates that"
echo "differ only in max_inflight get one prediction) and of those the simulation ranks first."
echo "Per candidate (tiles sched max_inflight arch fuse predicted measured simulated): $OUT/NAME-sim.txt"
