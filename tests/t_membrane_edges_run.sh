#!/bin/sh
# t_membrane_edges_run.sh - the ops on mesh edges through the runtime (tests/graphs/membrane-edges.yaml:
# membrane.edge_geometry, membrane.edge_sum, membrane.tether, mesh.edge_mul on edge fields of a
# level-4 icosphere): the init's integrated mean curvature is 4 pi to the level-4 discretisation
# error; gradient descent on the tether energy lowers it at every step; the sum over vertices of half
# their dihedral sums equals the sum of the dihedrals over the edges, and that of Juelicher's
# per-vertex curvature M_v the mean_curvature scalar; and the whole run (edge fields, vertex fields,
# scalars) is bitwise the same on 1 partition / 1 CPU, 3 partitions / 2 CPUs and 7 partitions /
# 2 CPUs (edge fields have no ghost exchange: an op summing over a vertex's edges reads the values
# edge_geometry wrote on every local edge of its partition).
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1
g="$top_srcdir/tests/graphs/membrane-edges.yaml"
# vals FILE DATASET: its values, one a line (the dataset's DATA block only, not its attributes')
vals() { h5dump -m %.17g -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/{p;/}/q;}' | sed '1d;$d' | tr ',' '\n' | sed 's/ //g;/^$/d'; }
# M0 (level 4, unit sphere) = 4 pi - 5.0e-3 (docs/membrane.md, Edges)
four_pi() { vals "$1" /scalars/M0 | head -1 | awk '{ d = $1 - 4 * atan2(0, -1); printf "# M0 - 4 pi = %.3e\n", d; exit !(d < 0 && d > -6e-3) }'; }
# E (no value at step 0) falls at every step of 20 and by more than 90%
falls() {
  vals "$1" /scalars/E | awk 'NR > 1 { e[NR - 1] = $1 }
    END { if (NR != 21) exit 1; for (i = 2; i <= 20; i++) if (!(e[i] < e[i - 1])) exit 1;
          printf "# tether energy %.6g -> %.6g\n", e[1], e[20]; exit !(e[20] < 0.1 * e[1]) }'
}
# vsum = sum_v 1/2 sum_{e at v} theta_e = sum_e theta_e at step 20 (each edge at two vertices)
halves() {
  sum_e=$(vals "$1" /fields/dih/00000020 | awk '{ s += $1; k++ } END { if (k == 7680) printf "%.17g", s }')
  vals "$1" /scalars/vsum | tail -1 | awk -v s="$sum_e" '{ d = $1 - s; if (d < 0) d = -d; a = s < 0 ? -s : s; exit !(a > 0 && d <= 1e-12 * a) }'
}
# Msum = sum_v M_v = M at every step (each edge's l theta / 2 split between its ends)
juelicher() {
  vals "$1" /scalars/M >m1 && vals "$1" /scalars/Msum >m2 &&
    paste m1 m2 | awk 'NR > 1 { d = $1 - $2; if (d < 0) d = -d; if (!(d <= 1e-13 * $1)) exit 1; k++ } END { exit !(k == 20) }'
}

runrc "$sd" run "$g" --tiles 1 --ncpu 1 --out p1.h5 --quiet
t "membrane-edges, 1 partition, 1 CPU: runs" test "$(rc)" = 0
t "init: integrated mean curvature sum l theta / 2 = 4 pi within 6e-3 (level 4)" four_pi p1.h5
four_pi p1.h5 | grep '^#'
t "tether descent: the energy falls at every step (20 steps) and by > 90%" falls p1.h5
falls p1.h5 | grep '^#'
t "edge_sum: sum over the vertices of half their dihedral sums = sum over the edges of the dihedral (step 20)" halves p1.h5
t "edge_mul + edge_sum: Juelicher's per-vertex M_v sum to edge_geometry's mean_curvature (20 steps, 1e-13)" juelicher p1.h5
for np in 3 7; do # (n is tap.sh's counter)
  runrc "$sd" run "$g" --tiles $np --ncpu 2 --out p$np.h5 --quiet
  t "membrane-edges, $np partitions, 2 CPUs: runs" test "$(rc)" = 0
  runrc "$sd" compare p1.h5 p$np.h5
  t "membrane-edges: $np partitions / 2 CPUs bitwise 1 partition / 1 CPU (edge and vertex fields, scalars)" \
    sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"
done
tap_end
