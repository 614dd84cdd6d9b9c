#!/bin/sh
# bench/transport/crosscheck.sh - stardag's transport step against the independent C + OpenMP
# baseline (bench/baselines/transport_omp, written from the same physics, not from the kernels):
# stardag runs a graph and writes psi, dose and tally; the baseline starts from stardag's state at
# step S0, steps to S1 itself and compares all three fields (largest difference relative to the
# field's largest value; it also reports how many values differ bitwise).
#
#   sh bench/transport/crosscheck.sh          (BUILDDIR, NPROC (2), TOL (1e-12), TOL32 (1e-5))
# Cases (each 20 steps, steps 0 -> 20 and 10 -> 20):
#   pencil  graphs/transport/pencil-70MeV.yaml at 21 x 30 cells (15 mm deep: the beam leaves
#           through z+; +-30.5 deg: weight scattered past the angle range), f64, ds = dz = 0.5 mm
#   wide    graphs/transport/seed-30x30x48x140.yaml (theta [-90, 90]), f64, ds = 1 mm < dz = 1.5 mm
#           (fractional streaming in z), and its f32 variant (tolerance TOL32)
# Exit 0 when every comparison is within its tolerance.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
OMPB=$B/bench/baselines/transport_omp
NP=${NPROC:-2}
TOL=${TOL:-1e-12}
TOL32=${TOL32:-1e-5}
for x in "$STARDAG" "$OMPB"; do
  [ -x "$x" ] || { echo "crosscheck.sh: $x not built (make -C $B bench/baselines/transport_omp stardag)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdtxcheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
OMP_NUM_THREADS=$NP; export OMP_NUM_THREADS

# graph with psi, dose and tally written every 10 steps (the demo graph writes dose only)
every10() {
  sed -e 's/^  fields: {names: \[dose\], every: .*}/  fields: {names: [psi, dose, tally], every: 10}/' \
      -e '/^checks:/,/^run:/{/^checks:/d;/^  - /d}' "$1" >"$2"
  grep -q 'names: \[psi, dose, tally\]' "$2" || { echo "crosscheck.sh: cannot rewrite the output section of $1" >&2; exit 2; }
}
fail=0
check() { # name graph ds tol [--set ...]
  n=$1; g=$2; ds=$3; tol=$4; shift 4
  "$STARDAG" run "$g" --steps 20 --ncpu "$NP" --out "$tmp/$n.h5" --log "" "$@" >"$tmp/$n.out" 2>&1 ||
    { cat "$tmp/$n.out" >&2; exit 1; }
  for s0 in 0 10; do
    "$OMPB" --compare "$tmp/$n.h5" "$s0" 20 --ds "$ds" --tol "$tol" || fail=1
  done
  rm -f "$tmp/$n.h5" "$tmp/$n.xmf"
}
every10 "$top/graphs/transport/pencil-70MeV.yaml" "$tmp/pencil.yaml"
check pencil "$tmp/pencil.yaml" 0.5 "$TOL" --set nx=21 --set depth=15 --set steps=20
every10 "$top/graphs/transport/seed-30x30x48x140.yaml" "$tmp/wide.yaml"
check wide "$tmp/wide.yaml" 1.0 "$TOL"
sed '/^ *psi: /s/dtype: f64/dtype: f32/' "$tmp/wide.yaml" >"$tmp/wide32.yaml"
if "$STARDAG" check "$tmp/wide32.yaml" >"$tmp/check32.out" 2>&1; then
  check wide32 "$tmp/wide32.yaml" 1.0 "$TOL32"
else
  echo "crosscheck.sh: f32 case not run: stardag refuses the f32 graph: $(tail -n 1 "$tmp/check32.out")"
fi
[ "$fail" = 0 ] && echo "crosscheck.sh: all comparisons within tolerance" || echo "crosscheck.sh: some comparisons FAILED"
exit "$fail"
