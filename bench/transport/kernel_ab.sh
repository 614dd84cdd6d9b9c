#!/bin/sh
# bench/transport/kernel_ab.sh - the fused step's CPU kernel of git revision REV (A) against the
# working tree's (B) on one tile, calls alternated in one process (kernel_ab.c says what it runs),
# RUNS runs of REPS calls each: per run, each kernel's median and min ms and B/A; B must give A's
# bits. Both kernels are compiled as stardag's (gcc -O3 -ffp-contract=off, SIMD variants chosen at
# run time) and use the current build's tables, so REV must have the same tr_io and tr_tables.
#
#   sh bench/transport/kernel_ab.sh REV [NZ [BINS [CUTOFF [FUSED]]]]   (BUILDDIR: default _build; RUNS 5, REPS 10)
# NZ: the tile's rows (20), BINS: occupied E bins (200: dense), CUTOFF: the step's (0), FUSED: 0 for
# the stream op's kernel.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
rev=${1:?usage: kernel_ab.sh REV [NZ [BINS [CUTOFF [FUSED]]]]}
nz=${2:-20}
bins=${3:-200}
cutoff=${4:-0}
fused=${5:-1}
RUNS=${RUNS:-5}
REPS=${REPS:-10}
[ -f "$B/.libs/libstardag.so" ] || { echo "kernel_ab.sh: $B/.libs/libstardag.so not built" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdkab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/a"
git -C "$top" archive "$rev" codelets/transport | tar -x -C "$tmp/a"
ren() { # the exported names of one copy of advance.c, prefixed
  for f in tr_advance_f64 tr_advance_f32 tr_scatter_f64 tr_scatter_f32 tr_loss_f64 tr_loss_f32 tr_dense_env tr_box_full tr_box_from_occ; do
    printf ' -D%s=%s_%s' "$f" "$1" "$f"
  done
}
CF="-std=gnu11 -O3 -ffp-contract=off -fopenmp -I$top/runtime/include -I$B/runtime/include -I$B"
${CC:-cc} $CF -I"$tmp/a/codelets/transport" $(ren A) -c "$tmp/a/codelets/transport/advance.c" -o "$tmp/a.o"
${CC:-cc} $CF -I"$top/codelets/transport" $(ren B) -c "$top/codelets/transport/advance.c" -o "$tmp/b.o"
${CC:-cc} $CF -I"$top/codelets/transport" "$here/kernel_ab.c" "$tmp/a.o" "$tmp/b.o" -o "$tmp/kernel_ab" \
  -L"$B/.libs" -lstardag -Wl,-rpath,"$B/.libs" -lm
echo "== fused transport step kernel: A = $rev ($(git -C "$top" log -1 --format=%h "$rev")), B = working tree ($(git -C "$top" describe --always --dirty))"
echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tile 40x$nz cells, 72 theta x 200 E bins, $( [ "$bins" -lt 200 ] && echo "E bins 100..$((100 + bins - 1)) occupied" || echo dense), cutoff $cutoff, $( [ "$fused" = 0 ] && echo "transport.stream" || echo "transport.step"); $RUNS runs of $REPS calls"
for r in $(seq "$RUNS"); do
  echo "-- run $r"
  "$tmp/kernel_ab" "$REPS" "$nz" "$bins" "$cutoff" "$fused"
done
