#!/bin/sh
# t_order_runs.sh - the bundled order-4 and damped order-6 graphs through the runtime: their
# checks pass; the order-4 run's output is bitwise the same for one tile and many tilings, on
# periodic and on reflective/fixed axes, for the lws/eager/dmda schedulers and 1 or 2 workers, and
# so is the damped order-6 run's; a dt above the order-4 CFL limit and an order 3 are refused at
# load with file:line. Tiles asked thinner than the stencil's reach are widened to it (the halo
# exchange reads a neighbour's layers only: grid_tiling.c), so 1-cell slabs run as slabs of 2
# cells (order 4) and 3 (order 6): the run summary shows the halo widths 2 and 3 that way. Tiles
# thinner than the reach (1 cell, reach 3) are exercised on the kernels in t_lattice_orders.c,
# which also checks the loader's ghost widths directly.
. "$top_srcdir/tests/tap.sh"
ho="$top_srcdir/graphs/lattice/higher-order.yaml"
dp="$top_srcdir/graphs/lattice/damped.yaml"
small="--set n=16 --steps 50"

runrc "$sd" run "$ho" $small --ncpu 2 --out "$tmp/ho.h5"
t "higher-order (order 4, 16^3, 50 steps): exit 0" test "$(rc)" = 0
t "... energy drift check passes (rtol 1e-12)" grep -q "check drift(energy) <= 1e-12: ok" "$tmp/out"
runrc "$sd" run "$dp" --set n=16 --steps 60 --ncpu 2 --out "$tmp/dp.h5"
t "damped (order 6, gamma 0.02, reflective 16^3, 60 steps): exit 0" test "$(rc)" = 0
t "... energy strictly decreasing and >= 0" \
  sh -c "grep -q 'check monotone(energy) strictly decreasing: ok (60 values)' '$tmp/out' &&
         grep -q 'check range(energy) in \[0, inf\]: ok' '$tmp/out'"

# same() NAME FILE ARGS...: the run with ARGS writes bitwise what the reference FILE holds (the
# tiling it ran with, from its summary, is appended to NAME)
same() {
  d=$1 ref=$2; shift 2
  rm -f "$tmp/t.h5" "$tmp/t.xmf" "$tmp/t.log" "$tmp/cmp.out"
  "$sd" run "$@" --out "$tmp/t.h5" >"$tmp/run.out" 2>&1 && "$sd" compare "$ref" "$tmp/t.h5" >"$tmp/cmp.out" 2>&1
  t "$d ($(sed -n 's/.* \([0-9]* tiles ([0-9x]*) of [0-9x]* cells\)$/\1/p' "$tmp/run.out"))" grep -q "agree (bitwise)" "$tmp/cmp.out"
}
runrc "$sd" run "$ho" $small --tiles 16x16x1 --ncpu 2 --out "$tmp/slab4.h5"
t "order 4, --tiles 16x16x1: slabs widened to the reach, 8 tiles (1x1x8) of 16x16x2 cells" \
  grep -q ", 8 tiles (1x1x8) of 16x16x2 cells$" "$tmp/out"
sed 's/order: 4/order: 6/' "$ho" >"$tmp/h6.yaml"
runrc "$sd" run "$tmp/h6.yaml" $small --tiles 16x16x1 --ncpu 2 --out "$tmp/slab6.h5"
t "order 6, --tiles 16x16x1: halo 3, 5 tiles (1x1x5) of 16x16x3 cells" grep -q ", 5 tiles (1x1x5) of 16x16x3 cells$" "$tmp/out"
"$sd" run "$ho" $small --tiles 16x16x16 --ncpu 1 --out "$tmp/one.h5" >/dev/null 2>&1
t "order 4, one tile: the reference run" test -s "$tmp/one.h5"
for tl in 16x16x1 1x16x16 8x3x2 5x7x3; do
  same "order 4 periodic, --tiles $tl = one tile, bitwise" "$tmp/one.h5" "$ho" $small --tiles $tl --ncpu 2
done
for s in lws eager dmda; do
  same "order 4, tiles 16x16x1, --sched $s, 2 workers = one tile" "$tmp/one.h5" "$ho" $small --tiles 16x16x1 --sched $s --ncpu 2
done
same "order 4, tiles 4x4x4 on 1 worker = one tile" "$tmp/one.h5" "$ho" $small --tiles 4x4x4 --ncpu 1

# x reflective, z fixed (ghost 0): the pairs crossing those boundaries, on thin slabs
sed 's/boundary: periodic/boundary: [reflective, periodic, fixed]/' "$ho" >"$tmp/rf.yaml"
"$sd" run "$tmp/rf.yaml" $small --tiles 16x16x16 --ncpu 1 --out "$tmp/rf1.h5" >"$tmp/rf.out" 2>&1
t "order 4, x reflective, z fixed, one tile: energy conserved to 1e-12" grep -q "check drift(energy) <= 1e-12: ok" "$tmp/rf.out"
for tl in 16x16x1 1x16x16 2x5x1; do
  same "order 4 reflective x, fixed z, --tiles $tl = one tile, bitwise" "$tmp/rf1.h5" "$tmp/rf.yaml" $small --tiles $tl --ncpu 2
done

# x absorbing (Mur's update on both ghost layers of order 4): the packet's energy leaves through
# x, so the drift check is dropped; still bitwise the same for every tiling (1-cell x slabs widened
# to 2, slabs along z, bricks)
sed -e 's/boundary: periodic/boundary: [absorbing, periodic, periodic]/' -e '/^checks:/,/drift:/d' "$ho" >"$tmp/ab.yaml"
runrc "$sd" run "$tmp/ab.yaml" $small --tiles 16x16x16 --ncpu 1 --out "$tmp/ab1.h5"
t "order 4, x absorbing, one tile: exit 0" test "$(rc)" = 0
for tl in 1x16x16 16x16x2 5x7x3; do
  same "order 4 absorbing x, --tiles $tl = one tile, bitwise" "$tmp/ab1.h5" "$tmp/ab.yaml" $small --tiles $tl --ncpu 2
done

# fixed sides with a nonzero boundary value (and chi0 = 0.2): the pair form is the energy of the
# field extended by the constant value, conserved up to the constant -chi^2 V^2 (docs/lattice.md)
sed 's/boundary: periodic/boundary: [fixed, reflective, fixed]\n    boundary_value: 0.3/' "$ho" >"$tmp/fv.yaml"
runrc "$sd" run "$tmp/fv.yaml" $small --tiles 16x16x2 --ncpu 2 --out "$tmp/fv.h5"
t "order 4, fixed x and z at 0.3, reflective y: energy conserved to 1e-12" \
  sh -c "test $(rc) = 0 && grep -q 'check drift(energy) <= 1e-12: ok' '$tmp/out'"

# order 6 undamped on a reflective box: three mirrored ghost layers keep the energy exactly
sed 's/order: 4/order: 6/; s/boundary: periodic/boundary: reflective/' "$ho" >"$tmp/r6.yaml"
runrc "$sd" run "$tmp/r6.yaml" $small --tiles 16x16x2 --ncpu 2 --out "$tmp/r6.h5"
t "order 6, reflective box, --tiles 16x16x2 (3-cell slabs): energy conserved to 1e-12" \
  sh -c "test $(rc) = 0 && grep -q 'check drift(energy) <= 1e-12: ok' '$tmp/out'"

# order 6 (reach 3) with damping on a reflective box: thin slabs
"$sd" run "$dp" --set n=16 --steps 30 --tiles 16x16x16 --ncpu 1 --out "$tmp/dp1.h5" >/dev/null 2>&1
t "order 6, damped, one tile: the reference run" test -s "$tmp/dp1.h5"
for tl in 16x16x1 2x16x16 16x3x2; do
  same "order 6 damped reflective, --tiles $tl = one tile, bitwise" "$tmp/dp1.h5" "$dp" --set n=16 --steps 30 --tiles $tl --ncpu 2
done

runrc "$sd" run "$ho" --set n=16 --set dt=0.55 --out "$tmp/bad.h5"
t "dt 0.55 > order 4's CFL limit 0.5: exit 2" test "$(rc)" = 2
t "... names file:line, the order and the expected dt" \
  grep -q "higher-order.yaml:[0-9]*:[0-9]*: lattice.kg_leapfrog: CFL violated for order 4: .*(expected dt <= 0.5)" "$tmp/err"
t "... nothing written" test ! -e "$tmp/bad.h5"
runrc "$sd" run "$ho" --set n=16 --set dt=0.49 --steps 2 --out "$tmp/ok.h5"
t "dt 0.49 (just below the limit): runs" test "$(rc)" = 0
sed 's/params: {c: c, order: 4}$/params: {c: c, order: 3}/' "$ho" >"$tmp/o3.yaml"
runrc "$sd" run "$tmp/o3.yaml" --set n=16 --out "$tmp/o3.h5"
t "order: 3 refused: exit 2, file:line and the orders allowed" \
  sh -c "test $(rc) = 2 && grep -q 'o3.yaml:[0-9]*:[0-9]*: lattice.kg_leapfrog: order = 3: the Laplacian.s order must be 2, 4 or 6' '$tmp/err'"
tap_end
