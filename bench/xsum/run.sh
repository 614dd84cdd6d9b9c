#!/bin/sh
# bench/xsum/run.sh - what exact sums cost (docs/benchmarks.md, "Exact sums"):
#  1. xsum_bench: ns per value of a plain double sum, of sd_acc_add term by term and of
#     sd_acc_add_n / sd_max_abs_n under every SIMD variant the CPU runs; then the demo's leapfrog
#     and diagnostics kernels on one of its tiles, under each variant (STARDAG_ISA);
#  2. the demo (graphs/lattice/kg-packet.yaml, 300 steps) with its diagnostics every 10 steps
#     against the same graph without them (kg-packet-nodiag.yaml), REPS runs each, interleaved;
#     with OLD=path/to/an/older/stardag, that binary too (the same graphs, the same invocation).
#
#   sh bench/xsum/run.sh        Environment: BUILDDIR (default _build), REPS (5), OLD (unset),
#                               DEMO_ONLY (set: part 2 only)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
REPS=${REPS:-5}
BENCH=$B/bench/xsum/xsum_bench
[ -x "$BENCH" ] || { echo "run.sh: $BENCH not built (make -C $B bench/xsum/xsum_bench)" >&2; exit 2; }
[ -x "$B/stardag" ] || { echo "run.sh: $B/stardag not built" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdxsum.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export STARPU_HOME="$tmp/starpu" STARPU_WORKERS_NOBIND=1
mkdir -p "$STARPU_HOME"

[ -n "${DEMO_ONLY:-}" ] || "$BENCH" "$REPS"
[ -n "${DEMO_ONLY:-}" ] || for isa in sse2 avx2 avx512; do
  STARDAG_ISA=$isa "$B/stardag" --version >/dev/null 2>&1 || continue # this CPU lacks it
  STARDAG_ISA=$isa XSUM_TILE_ONLY=1 "$BENCH" "$REPS" | sed -n '/^# the demo/,$p'
done

# 2. the demo with and without diagnostics: ms/step from the run summary
bins="$B/stardag"
[ -n "${OLD:-}" ] && bins="$bins $OLD"
echo
echo "# the demo, 300 steps: ms/step from the run summary, median [min-max] of $REPS runs each, interleaved"
for r in $(seq "$REPS"); do
  for bin in $bins; do
    for g in "$top/graphs/lattice/kg-packet.yaml" "$here/kg-packet-nodiag.yaml"; do
      "$bin" run "$g" --out "$tmp/out.h5" --overwrite 2>&1 |
        sed -n 's/.* steps in .* (\([0-9.]*\) ms\/step.*/\1/p' | sed "s|^|$bin $(basename "$g" .yaml) |" >> "$tmp/demo.txt"
    done
  done
done
# median [min-max] of binary $1's ms/step for graph $2
stats() { awk -v b="$1" -v g="$2" '$1 == b && $2 == g {print $3}' "$tmp/demo.txt" | sort -n |
  awk '{v[NR]=$1} END {printf "%.3f [%.3f-%.3f]", v[int((NR+1)/2)], v[1], v[NR]}'; }
for bin in $bins; do
  echo "$bin: with diagnostics $(stats "$bin" kg-packet) ms/step; without $(stats "$bin" kg-packet-nodiag) ms/step"
  awk -v b="$bin" '$1 == b {s[$2] = s[$2] " " $3} END {print "  runs:", "with", s["kg-packet"], "/ without", s["kg-packet-nodiag"]}' "$tmp/demo.txt"
done
