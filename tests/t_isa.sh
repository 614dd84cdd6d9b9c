#!/bin/sh
# t_isa.sh - SIMD variants (stardag/simd.h, runtime/simd): `stardag --version` names the variant in
# use, STARDAG_ISA chooses one and a bad value is refused (exit 2, naming the accepted ones); and
# each domain's bundled graphs give bitwise the same output under every variant this CPU runs (the
# lattice leapfrog and energy kernels have one copy per variant; every domain's reductions fold
# through sd_acc_add_n): the kg packet (order 2), the higher-order packet (orders 4 and 6), E with
# a dynamic chi, Lennard-Jones MD (double and mixed precision), a transport step, the vesicle's
# minimisation; and the lattice graphs give the same bits with the leapfrogs' cache blocks forced
# small.
. "$top_srcdir/tests/tap.sh"

best=$("$sd" --version | sed -n 's/^SIMD: \([a-z0-9]*\) .*/\1/p')
t "--version names the SIMD variant in use ($best)" test -n "$best"
runrc env STARDAG_ISA=sse2 "$sd" --version
t "STARDAG_ISA=sse2: --version says sse2" grep -q "^SIMD: sse2 (widest on this CPU: $best" "$tmp/out"
runrc env STARDAG_ISA=avx3 "$sd" --version
t "STARDAG_ISA=avx3: exit 2, the accepted values named" \
  sh -c "test $(rc) = 2 && grep -q 'STARDAG_ISA=avx3: expected sse2, avx2 or avx512' '$tmp/err'"
runrc env STARDAG_ISA=avx3 "$sd" run "$top_srcdir/graphs/lattice/kg-packet.yaml" --steps 1 --out ""
t "STARDAG_ISA=avx3: stardag run refuses it too (exit 2)" test "$(rc)" = 2
isas=
for isa in sse2 avx2 avx512; do
  env STARDAG_ISA=$isa "$sd" --version >/dev/null 2>&1 && isas="$isas $isa"
done
t "sse2 runs everywhere; this CPU runs:$isas" sh -c "echo '$isas' | grep -q sse2"
if [ "$best" != avx512 ]; then
  runrc env STARDAG_ISA=avx512 "$sd" --version
  t "STARDAG_ISA=avx512 on a CPU without it: exit 2, what it has named" \
    sh -c "test $(rc) = 2 && grep -q 'does not support avx512 (it supports up to $best)' '$tmp/err'"
fi

# every graph under every variant; outputs compared with sse2's (stardag compare: bitwise)
G=$top_srcdir/graphs
sed 's/order: 4}/order: 6}/; s|^  dt: 0.4\*dx/c .*|  dt: 0.3*dx/c|' "$G/lattice/higher-order.yaml" >"$tmp/order6.yaml"
t "the order-6 copy of higher-order.yaml has order 6 everywhere" sh -c "! grep -q 'order: 4}' '$tmp/order6.yaml'"
# the run arguments of each graph
kg="$G/lattice/kg-packet.yaml --set n=32 --set width=3 --steps 40 --tiles 32x16x8"
order4="$G/lattice/higher-order.yaml --set n=24 --steps 30 --tiles 24x12x12"
order6="$tmp/order6.yaml --set n=24 --steps 30"
chi="$G/lattice/coupled-chi.yaml --set n=16 --set width=2 --steps 30 --tiles 8x16x16"
md="$top_srcdir/tests/data/md-lj.yaml --set cells=8 --set drift_tol=1 --steps 30 --tiles 3"
sed 's/^\(    neighbor: .*\)$/\1\n    precision: mixed/' "$top_srcdir/tests/data/md-lj.yaml" >"$tmp/md-mixed.yaml"
t "the mixed-precision copy of md-lj.yaml says precision: mixed" grep -q "^    precision: mixed$" "$tmp/md-mixed.yaml"
md_mixed="$tmp/md-mixed.yaml --set cells=8 --set drift_tol=1 --steps 30 --tiles 3"
transport="$top_srcdir/tests/graphs/transport-step.yaml --tiles 2"
vesicle="$G/membrane/vesicle-bending.yaml --set level=2 --steps 40 --tiles 3"
cd "$tmp" || exit 1 # the vesicle exports its mesh into the working directory
for name in kg order4 order6 chi md md_mixed transport vesicle; do
  eval "args=\$$name"
  for isa in $isas; do
    # shellcheck disable=SC2086
    runrc env STARDAG_ISA=$isa "$sd" run $args --ncpu 2 --out "$tmp/$name-$isa.h5" --quiet --overwrite
    t "$name, $isa: runs" test "$(rc)" = 0
    [ $isa = sse2 ] && continue
    runrc "$sd" compare "$tmp/$name-sse2.h5" "$tmp/$name-$isa.h5"
    t "$name: $isa bitwise as sse2 (every field and scalar)" test "$(rc)" = 0
  done
done

# cache blocking (y-blocks of the leapfrogs sized from the L2): tiny blocks give the same bits
for name in kg order4 chi; do
  eval "args=\$$name"
  # shellcheck disable=SC2086
  runrc env STARDAG_ISA=sse2 STARDAG_CACHE_L2=4096 "$sd" run $args --ncpu 2 --out "$tmp/$name-blocked.h5" --quiet --overwrite
  t "$name, 4-row blocks (STARDAG_CACHE_L2=4096): runs" test "$(rc)" = 0
  runrc "$sd" compare "$tmp/$name-sse2.h5" "$tmp/$name-blocked.h5"
  t "$name: 4-row blocks bitwise as unblocked" test "$(rc)" = 0
done
tap_end
