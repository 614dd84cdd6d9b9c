/* edges.c - CPU kernels of the membrane ops on mesh edges: loops over edge_math.h's per-edge and
 * per-vertex functions, scalars folded exactly into a->acc. Buffer slots, scalars and parameters as
 * declared in glue_edges.c. */
#include "edge_kernels.h"
#include "edge_math.h"

#define F64(a, b) ((double *)(a)->p[b])

/* roles: x (0), length (1), dihedral (2): edge fields (stride ne); scalars total_length,
 * mean_curvature. Every local edge is written (a later per-vertex sum over edges reads the edges of
 * the partition's vertices, owned or not); the scalars sum the owned edges. */
void sd_membrane_edge_geometry_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *x = F64(a, 0);
    double *len = F64(a, 1), *dih = F64(a, 2);
    sd_acc_batch bl = {.acc = &a->acc[0]}, bh = {.acc = &a->acc[1]};
    for (int64_t e = 0; e < m->ne; e++) {
        mb_edge_geometry(m, x, a->sc[0], e, &len[e], &dih[e]);
        if (e < m->ne_own) {
            sd_acc_batch_put(&bl, len[e]);
            sd_acc_batch_put(&bh, membrane_edge_mean_curvature(len[e], dih[e]));
        }
    }
    sd_acc_batch_flush(&bl);
    sd_acc_batch_flush(&bh);
}

/* roles: w (0: edge field, 1 component), out (1: vertex field, 1 component); param a. Owned
 * vertices: out_v = a * (sum of w over v's edges in vedge order). */
void sd_membrane_edge_sum_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *w = F64(a, 0), s = a->param[0];
    double *out = F64(a, 1);
    for (int64_t v = 0; v < m->nv_own; v++) out[v] = s * mb_vertex_edge_sum(m, w, v);
}

/* roles: x (0), l0 (1: edge field), grad (2); scalar energy; param k. grad of the owned vertices,
 * the energy over the owned edges. */
void sd_membrane_tether_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *x = F64(a, 0), *l0 = F64(a, 1), k = a->param[0];
    double *grad = F64(a, 2);
    for (int64_t v = 0; v < m->nv_own; v++) mb_store(grad, a->sc[2], v, mb_tether_vertex_grad(m, x, a->sc[0], l0, k, v));
    sd_acc_batch b = {.acc = &a->acc[0]};
    for (int64_t e = 0; e < m->ne_own; e++) sd_acc_batch_put(&b, mb_tether_edge_energy(m, x, a->sc[0], l0, k, e));
    sd_acc_batch_flush(&b);
}
