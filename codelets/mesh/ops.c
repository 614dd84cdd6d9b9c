/* ops.c - CPU loops of the mesh pack's vertex ops over a partition's owned vertices, and of the
 * edge ops (noise, products) over its local edges. */
#include "mesh_ops.h"

/* out = lo + (hi - lo) u, u uniform in [0, 1) from (seed, component, global vertex id). */
void sd_mesh_noise_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const uint64_t key = sd_noise_key(a->param[0]);
    double *out = a->p[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t v = 0; v < m->nv_own; v++)
            out[v + c * a->sc[0]] = sd_noise_f64(key, sd_mesh_noise_index(c, m->vid[v], m->nv_global), a->param[1], a->param[2]);
}

/* The same on an edge field: every LOCAL edge (edge fields have no ghost exchange: an op summing
 * over a vertex's edges reads the partition's non-owned edges too), u from (seed, component, global
 * edge id), so each partition holding an edge writes the same value. */
void sd_mesh_edge_noise_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const uint64_t key = sd_noise_key(a->param[0]);
    double *out = a->p[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t e = 0; e < m->ne; e++)
            out[e + c * a->sc[0]] = sd_noise_f64(key, sd_mesh_noise_index(c, m->eid[e], m->ne_global), a->param[1], a->param[2]);
}

/* out = a u w on every local edge (u, w, out edge fields with one component): written on every
 * local edge, as its inputs must be, so a later sum over a vertex's edges may read it. */
void sd_mesh_edge_mul_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *u = a->p[0], *w = a->p[1];
    double *out = a->p[2];
    for (int64_t e = 0; e < m->ne; e++) out[e] = sd_mesh_edge_mul(a->param[0], u[e], w[e]);
}

/* x += amp * (2u - 1): a random displacement of at most amp per component. */
void sd_mesh_perturb_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const uint64_t key = sd_noise_key(a->param[0]);
    double *x = a->p[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t v = 0; v < m->nv_own; v++)
            x[v + c * a->sc[0]] += sd_noise_f64(key, sd_mesh_noise_index(c, m->vid[v], m->nv_global), -a->param[1], a->param[1]);
}

/* y += a x on every owned vertex (sums of gradients: several energy terms into one). */
void sd_mesh_axpy_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *x = a->p[0];
    double *y = a->p[1];
    for (int c = 0; c < a->ncomp[1]; c++)
        for (int64_t v = 0; v < m->nv_own; v++) y[v + c * a->sc[1]] = sd_axpy_f64(a->param[0], x[v + c * a->sc[0]], y[v + c * a->sc[1]]);
}

/* out = the part of x along n, per owned vertex (a gradient's normal part: normal motion only). */
void sd_mesh_along_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *x = a->p[0], *n = a->p[1];
    double *out = a->p[2];
    for (int64_t v = 0; v < m->nv_own; v++) {
        const double xv[3] = {x[v], x[v + a->sc[0]], x[v + 2 * a->sc[0]]}, nv[3] = {n[v], n[v + a->sc[1]], n[v + 2 * a->sc[1]]};
        for (int c = 0; c < 3; c++) out[v + c * a->sc[2]] = sd_mesh_along(xv, nv, c);
    }
}

/* dot = sum over owned vertices and components of x y, exactly. */
void sd_mesh_dot_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *x = a->p[0], *y = a->p[1];
    sd_acc_batch b = {.acc = &a->acc[0]};
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t v = 0; v < m->nv_own; v++) sd_acc_batch_put(&b, sd_mesh_dot_term(x[v + c * a->sc[0]], y[v + c * a->sc[1]]));
    sd_acc_batch_flush(&b);
}

/* sum over owned vertices and components of scale * x, exactly. */
void sd_mesh_sum_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = &a->mesh;
    const double *x = a->p[0];
    sd_acc_batch b = {.acc = &a->acc[0]};
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t v = 0; v < m->nv_own; v++) sd_acc_batch_put(&b, sd_sum_term(a->param[0], x[v + c * a->sc[0]]));
    sd_acc_batch_flush(&b);
}
