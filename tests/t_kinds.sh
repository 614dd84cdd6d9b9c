#!/bin/sh
# t_kinds.sh - every task kind keeps its row of statistics when a graph uses many codelets (13 op
# kinds besides the grid's own four: rows used to move when the table grew, leaving the halo
# tasks' meters pointing at freed memory): the summary counts every kind's tasks.
g="$top_srcdir/tests/graphs/all-grid-codelets.yaml"
. "$top_srcdir/tests/tap.sh"

runrc "$sd" run "$g" --tiles 8x8x8 --ncpu 2
t "13 codelets on 8 tiles, 3 steps: exit 0" test "$(rc)" = 0
# a kind's tasks over every architecture (on a machine with a GPU some run on it)
row() { test "$(sed -n "s/^  $1  *\(cpu\|cuda\)  *\([0-9][0-9]*\) .*/\2/p" "$tmp/out" | awk '{s += $1} END {print s + 0}')" = "$2"; }
t "halo pack: 32 tasks (the exchanges of E and E_next, 8 tiles each)" row "halo pack" 32
t "halo unpack: 32 tasks" row "halo unpack" 32
t "reduction combine: 15 tasks (5 reductions x 3 steps)" row "reduction combine" 15
for c in common.fill lattice.gaussian_packet lattice.plane_wave common.noise common.copy; do
  t "$c: 8 tasks (init, one per tile)" row "$c" 8
done
for c in lattice.kg_leapfrog lattice.energy common.axpy common.scale common.sum common.max_abs \
         common.count_nonfinite lattice.mode_projection; do
  t "$c: 24 tasks (3 steps x 8 tiles)" row "$c" 24
done
runrc "$sd" run "$top_srcdir/graphs/lattice/dispersion.yaml" --steps 5 --out "$tmp/o.h5"
t "a grid writing scalars only: the output line still counts field steps" \
  grep -q "output: .*o.h5 (0 field steps, [0-9]* scalar rows)" "$tmp/out"
tap_end
