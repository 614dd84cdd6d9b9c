#!/bin/sh
# t_coupled_chi.sh - graphs/lattice/coupled-chi.yaml (E and a dynamic chi stepped together) through
# `stardag run` on a 16^3 grid: it runs and writes both fields (and their XDMF); chi responds to E
# and E to chi; with the two step ops swapped the output is bitwise the same (each reads only level
# n of the other: explicit, order-independent); bitwise the same for 1 or several tiles and 1 or 2
# workers, orders 2 and 4; kappa = 0 leaves chi = chi0 and E's energy constant; E0 = 0 makes the
# mean chi drift (its range check fails); chi_leapfrog with dt above the CFL limit of c_chi is
# refused at load (exit 2, file:line of the op).
g="$top_srcdir/graphs/lattice/coupled-chi.yaml"
. "$top_srcdir/tests/tap.sh"
small="--set n=16 --set width=2 --steps 40"
# values FILE DATASET: the dataset's values, one per line (%.17g)
values() { h5dump -A 0 -y -w 1 -m '%.17g' -d "$2" "$1" | sed -n '/DATA {/,/}/s/^ *\([-+0-9.eEinfa]*\),\{0,1\}$/\1/p'; }
run() { out=$1; shift; runrc "$sd" run "$g" $small --out "$tmp/$out.h5" --quiet "$@"; }

# 1. the showcase runs, with both fields in the file and the sidecar
run ref --tiles 16x16x16 --ncpu 1
t "coupled-chi 16^3, 40 steps, 1 tile, 1 worker: exit 0" test "$(rc)" = 0
t "the XDMF sidecar has E and chi at step 40" \
  sh -c "grep -q 'Name=\"E\"' '$tmp/ref.xmf' && grep -q 'ref.h5:/fields/chi/00000040' '$tmp/ref.xmf'"
lo=$(values "$tmp/ref.h5" /fields/chi/00000040 | sort -g | head -1)
hi=$(values "$tmp/ref.h5" /fields/chi/00000040 | sort -g | tail -1)
t "chi responds to E: at step 40 it spans [$lo, $hi] around chi0 = 0.3 (below it in the packet's well)" \
  awk -v a="$lo" -v b="$hi" 'BEGIN { exit !(a < 0.299 && b > 0.3 && b < 0.31) }'
run nokappa --set kappa=0
t "kappa = 0 runs" test "$(rc)" = 0
kinds=$(values "$tmp/nokappa.h5" /fields/chi/00000040 | sort -u)
t "kappa = 0: chi stays chi0 in every cell ($(values "$tmp/nokappa.h5" /fields/chi/00000040 | wc -l) cells: $kinds)" test "$kinds" = 0.29999999999999999
set -- $(values "$tmp/nokappa.h5" /scalars/energy | awk 'NR == 1 { e0 = $1 } { d = ($1 - e0) / e0; if (d < 0) d = -d; if (d > m) m = d }
  END { printf "%d %.3g", NR, m }')
t "kappa = 0: E's energy ($1 values) constant to $2 relative (<= 1e-12) over 40 steps" \
  awk -v n="$1" -v d="$2" 'BEGIN { exit !(n == 8 && d <= 1e-12) }'
runrc "$sd" compare "$tmp/ref.h5" "$tmp/nokappa.h5" --fields E --quiet
t "E responds to chi: E with kappa = 0.02 differs from E with kappa = 0 (compare exit 3)" test "$(rc)" = 3

# 2. op-order independence: kg_leapfrog and chi_leapfrog swapped
awk '/^  - op: lattice.kg_leapfrog/ { hold = 1 } /^  - op: lattice.chi_leapfrog/ { hold = 0; chi = 1 }
     chi && /^  - op: / && !/chi_leapfrog/ { printf "%s", kg; chi = 0 }
     hold { kg = kg $0 "\n"; next } { print }' "$g" >"$tmp/swapped.yaml"
t "the swapped graph steps chi before E" sh -c "test \$(grep -n 'op: lattice.chi_leapfrog' '$tmp/swapped.yaml' | cut -d: -f1) -lt \
  \$(grep -n 'op: lattice.kg_leapfrog' '$tmp/swapped.yaml' | cut -d: -f1) && test \$(grep -c 'op: lattice' '$tmp/swapped.yaml') = 4"
runrc "$sd" run "$tmp/swapped.yaml" $small --out "$tmp/swapped.h5" --quiet --tiles 16x16x16 --ncpu 1
t "the swapped graph runs" test "$(rc)" = 0
t "ops swapped: output bitwise identical (E, chi, every scalar)" "$sd" compare "$tmp/ref.h5" "$tmp/swapped.h5"

# 3. tiles and workers, orders 2 and 4 (halo 2)
run tiles --tiles 5x8x16 --ncpu 1
t "16 uneven tiles vs 1 tile, 1 worker each: bitwise identical" "$sd" compare "$tmp/ref.h5" "$tmp/tiles.h5"
run two --tiles 16x16x16 --ncpu 2
t "1 tile, 2 workers (the two leapfrogs at once) vs 1 worker: bitwise identical" "$sd" compare "$tmp/ref.h5" "$tmp/two.h5"
run both --tiles 8x8x5 --ncpu 2
t "24 tiles, 2 workers vs 1 tile, 1 worker: bitwise identical" "$sd" compare "$tmp/ref.h5" "$tmp/both.h5"
run ref4 --set order=4 --tiles 16x16x16 --ncpu 1
run both4 --set order=4 --tiles 8x8x5 --ncpu 2
t "order 4: 24 tiles, 2 workers vs 1 tile, 1 worker: bitwise identical" "$sd" compare "$tmp/ref4.h5" "$tmp/both4.h5"
runrc "$sd" compare "$tmp/ref.h5" "$tmp/ref4.h5" --fields chi --quiet
t "order 4 is another scheme (chi differs from order 2's)" test "$(rc)" = 3

# 4. E0 balances the source: without it the mean chi drifts and its range check fails
run E0 --steps 100
t "100 steps: the mean chi stays within 10% of chi0 (exit 0)" sh -c "test $(rc) = 0"
run noE0 --steps 100 --set E0=0
t "100 steps with E0 = 0: the mean chi drifts out of the range (exit 3)" \
  sh -c "test $(rc) = 3 && grep -q 'check range(chi_mean) in \[0.27, 0.33\] failed at step ' '$tmp/err'"

# 5. the CFL limit of chi (c_chi = 2 at dt = 0.4: 2*0.4*sqrt(3) = 1.39 > 1) is refused at the op
line=$(grep -n 'op: lattice.chi_leapfrog' "$g" | cut -d: -f1)
runrc "$sd" run "$g" --set n=16 --set c_chi=2 --set dt=0.4 --out ""
t "chi_leapfrog above its CFL limit: refused with exit 2" test "$(rc)" = 2
t "... at the op's line $line, with the CFL number and the largest dt" \
  grep -q "coupled-chi.yaml:$line:[0-9]*: lattice.chi_leapfrog: CFL violated: c\*dt\*sqrt(sum 1/dx^2) = 1.39 > 1 (expected dt <= 0.289)" "$tmp/err"
runrc "$sd" run "$g" --set n=16 --set c_chi=2 --set dt=0.28 --steps 2 --out ""
t "the same at dt = 0.28 (CFL 0.97): runs" test "$(rc)" = 0
tap_end
