#!/bin/sh
# bench/ode/linear.sh - the seed's "Linear System (N=1000, RK45)" benchmark: one system y' = A y + b of
# N variables (A dense, bench/peers/ode/linear_scipy.py make: -I plus a random skew part, b = 1,
# y0 = 1) over t in [0, T_END] at rtol = atol = 1e-6, stardag's ode.dopri5 on the `linear` system
# (the same HDF5 file) beside SciPy's solve_ivp RK45 (f = A @ y + b through NumPy's BLAS), in one
# invocation, REPS repetitions interleaved, median and min-max. Both are checked against the exact
# solution e^{At}(y0 + A^-1 b) - A^-1 b (scipy.linalg.expm) before their times are shown.
#
#   sh bench/ode/linear.sh
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), N (1000), T_END (10),
#   SCIPY_REPS (SciPy solves per repetition, the median kept: 5), PYTHON (/usr/bin/python3 with
#   python3-scipy and python3-h5py), OMP/OPENBLAS threads as the environment sets them (say so).
# stardag's time: the step loop it prints ("1 steps in X s": the one task that integrates the
# whole interval, submission included; StarPU's start-up and the file read are not in it, the
# process wall time is shown beside it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
PY=${PYTHON:-/usr/bin/python3}
REPS=${REPS:-5}
N=${N:-1000}
T_END=${T_END:-10}
SCIPY_REPS=${SCIPY_REPS:-5}
[ -x "$STARDAG" ] || { echo "linear.sh: $STARDAG not built" >&2; exit 2; }
"$PY" -c 'import scipy, h5py' 2>/dev/null || { echo "linear.sh: $PY lacks scipy or h5py (apt-get install python3-scipy python3-h5py)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdlin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
"$PY" "$top/bench/peers/ode/linear_scipy.py" make "$tmp" --n "$N" --t-end "$T_END"
work=$((7 + 7 * N))
cat >"$tmp/linear.yaml" <<EOF
name: linear-$N
domain:
  batch:
    count: 1
    system: {name: linear, file: $tmp/linear.h5}
    values: {y: 1, stats: 0, work: 0}
    tiles: 1
fields: {y: {components: $N}, stats: {components: 10}, work: {components: $work}}
step:
  - op: ode.dopri5
    readwrite: {y: y, stats: stats, work: work}
    params: {rtol: 1e-6, atol: 1e-6}
output: {file: lin.h5, fields: {names: [y, stats], every: 1}}
run: {dt: $T_END, steps: 1}
EOF

model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "== the seed's linear benchmark: one system of N = $N (dense A), t in [0, $T_END], rtol = atol = 1e-6"
cache() { getconf "LEVEL$1_SIZE" 2>/dev/null | awk '{ printf "%s KiB", $1 / 1024 }'; }
echo "machine: $model, $(nproc) cores; caches (getconf): L1d $(cache 1_DCACHE), L2 $(cache 2_CACHE), L3 $(cache 3_CACHE)"
echo "flags: $(grep -o -w 'avx512f\|avx2\|fma\|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' '); stardag: $("$STARDAG" --version 2>&1 | head -n 1)"
echo "SciPy $("$PY" -c 'import scipy; print(scipy.__version__)'), NumPy $("$PY" -c 'import numpy; print(numpy.__version__)') (BLAS threads: OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}, OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset})"

exact=$tmp/exact.txt
for r in $(seq 1 "$REPS"); do
  "$PY" "$top/bench/peers/ode/linear_scipy.py" solve "$tmp" --t-end "$T_END" --reps "$SCIPY_REPS" >>"$tmp/scipy.lines"
  t0=$(date +%s.%N)
  (cd "$tmp" && "$STARDAG" run linear.yaml --ncpu 1 --log "" --overwrite >"$tmp/sd.out" 2>&1) ||
    { echo "linear.sh: stardag run failed:" >&2; cat "$tmp/sd.out" >&2; exit 1; }
  t1=$(date +%s.%N)
  loop=$(sed -n 's/^stardag: .* steps* in \([0-9.]*\) s .*/\1/p' "$tmp/sd.out" | head -n 1)
  [ -n "$loop" ] || { echo "linear.sh: no 'steps in X s' line:" >&2; cat "$tmp/sd.out" >&2; exit 1; }
  echo "stardag time_s=$loop wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')" >>"$tmp/sd.lines"
done
h5dump -A 0 -y -m %.17g -d /fields/y/00000001 "$tmp/lin.h5" | tr -d ' ,' | grep -E '^-?[0-9]' >"$tmp/sd_y.txt"
sd_err=$(paste "$tmp/sd_y.txt" "$exact" | awk '{ d = $1 - $2; d = d < 0 ? -d : d; if (d > m) m = d; n++ } END { if (n != '"$N"') print "missing"; else printf "%.3g", m }')
steps=$(h5dump -A 0 -y -m %.17g -d /fields/stats/00000001 "$tmp/lin.h5" | tr -d ' ,' | grep -E '^-?[0-9]' | sed -n '4p;6p' | tr '\n' ' ')
stats() { sort -g | awk '{v[NR]=$1} END {m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.4g (%.4g-%.4g)", m, v[1], v[NR]}'; }
last=$(tail -n 1 "$tmp/scipy.lines")
sci_err=$(echo "$last" | sed -n 's/.* err=\([^ ]*\).*/\1/p')
ok() { awk -v e="$1" 'BEGIN { exit !(e != "missing" && e + 0 <= 1e-4) }' && echo ok || echo FAILED; }
echo "check against the exact y($T_END) (limit 1e-4): SciPy RK45 max |error| $sci_err $(ok "$sci_err"); stardag ode.dopri5 $sd_err $(ok "$sd_err")"
echo "  configuration                     time s, median (min-max)      steps, RHS evals"
printf "  %-33s %-29s %s\n" "SciPy RK45 (A @ y)" "$(sed -n 's/.* time_s=\([^ ]*\).*/\1/p' "$tmp/scipy.lines" | stats)" \
  "$(echo "$last" | sed -n 's/.* steps=\([^ ]*\) rhs=\([^ ]*\).*/\1, \2/p')"
printf "  %-33s %-29s %s\n" "stardag ode.dopri5, 1 worker" "$(sed -n 's/.* time_s=\([^ ]*\).*/\1/p' "$tmp/sd.lines" | stats)" \
  "$(echo "$steps" | awk '{print $1 ", " $2}')  [process wall $(sed -n 's/.* wall_s=\([^ ]*\).*/\1/p' "$tmp/sd.lines" | stats)]"
[ "$(ok "$sci_err")" = ok ] && [ "$(ok "$sd_err")" = ok ]
