#!/bin/sh
# bench/membrane/minimise.sh - whole minimisations of the vesicle (ellipsoid axes 1.3, 1, 0.8,
# bending energy kappa = 1 at fixed volume, normal motion): Newton steps
# (graphs/membrane/vesicle-newton.yaml) to |gp| < 1e-6, beside conjugate gradients
# (graphs/membrane/vesicle-bending.yaml: CG_STEPS iterations, or fewer where it converges), level by
# level, in one invocation. Per run: steps, the step loop's time and the process's wall time, the final |gp|,
# energy and |V - v0| / v0 (from the run file).
#
#   sh bench/membrane/minimise.sh          (or: make -C _build bench-membrane-minimise)
# Environment: BUILDDIR (default: _build next to this folder), REPS (3), LEVELS ("3 4 5 6"),
#   CG_STEPS (conjugate-gradient iterations per level, default 2000), METHODS ("newton cg"),
#   PYTHON (/usr/bin/python3, with python3-h5py).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
PY=${PYTHON:-/usr/bin/python3}
REPS=${REPS:-3}
LEVELS=${LEVELS:-"3 4 5 6"}
CG_STEPS=${CG_STEPS:-2000}
METHODS=${METHODS:-"newton cg"}
[ -x "$STARDAG" ] || { echo "minimise.sh: $STARDAG not built" >&2; exit 2; }
"$STARDAG" codelets | grep -q '^membrane.newton ' || { echo "minimise.sh: membrane.newton missing (no CHOLMOD)" >&2; exit 2; }
"$PY" -c 'import h5py' 2>/dev/null || { echo "minimise.sh: $PY has no h5py (apt-get install python3-h5py)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdmin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
cd "$tmp"

echo "== stardag membrane minimisation: Newton steps vs conjugate gradients (vesicle, fixed volume)"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online; $(uname -sr); load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "caches: L1d $(lscpu | sed -n 's/^L1d cache: *//p' | head -n1), L2 $(lscpu | sed -n 's/^L2 cache: *//p' | head -n1)," \
     "L3 $(lscpu | sed -n 's/^L3 cache: *//p' | head -n1); flags: $(grep -o -w 'avx512f\|avx2\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
echo "BLAS (CHOLMOD's): $blas; repetitions: $REPS; levels: $LEVELS"
echo

# final FILE: |gp| energy |V-v0|/v0 of the last row
final() {
  "$PY" - "$1" <<'PYEOF'
import sys, h5py, numpy as np
s = h5py.File(sys.argv[1], "r")["scalars"]
gg, e, v = s["gg"][:], s["energy"][:], s["volume"][:]
print("%.3g %.12g %.2g" % (np.sqrt(gg[-1]), e[-1], abs(v[-1] / v[1] - 1)))
PYEOF
}
med() { sort -g | awk '{ a[NR] = $1 } END { printf "%.3g (%.3g-%.3g)", a[int((NR + 1) / 2)], a[1], a[NR] }'; }

printf "%-6s %-8s %-9s %-6s %-26s %-26s %-10s %-16s %s\n" level vertices method steps "loop s, median (min-max)" \
  "wall s, median (min-max)" "|gp|" energy "|V-v0|/v0"
for L in $LEVELS; do
  nv=$((10 * (1 << (2 * L)) + 2))
  for method in $METHODS; do
    : >loop.txt; : >wall.txt
    for r in $(seq "$REPS"); do
      if [ $method = newton ]; then
        set -- "$top/graphs/membrane/vesicle-newton.yaml" --set level=$L
      else
        set -- "$top/graphs/membrane/vesicle-bending.yaml" --set level=$L --steps "$CG_STEPS"
      fi
      t0=$(date +%s.%N)
      "$STARDAG" run "$@" --out run.h5 --overwrite >out.txt 2>&1 || { cat out.txt >&2; exit 1; }
      t1=$(date +%s.%N)
      awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>wall.txt
      sed -n 's/.*: \([0-9]*\) steps in \([0-9.]*\) s .*/\2/p' out.txt | head -n 1 >>loop.txt
      steps=$(sed -n 's/.*: \([0-9]*\) steps in .*/\1/p' out.txt | head -n 1)
    done
    printf "%-6s %-8s %-9s %-6s %-26s %-26s %s\n" "$L" "$nv" "$method" "$steps" "$(med <loop.txt)" "$(med <wall.txt)" \
      "$(final run.h5 | awk '{ printf "%-10s %-16s %s", $1, $2, $3 }')"
  done
done
