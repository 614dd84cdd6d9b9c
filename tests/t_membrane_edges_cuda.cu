/* t_membrane_edges_cuda.cu - the CUDA kernels of the ops on mesh edges (codelets/membrane/edges.cu:
 * edge_geometry, edge_sum, tether; codelets/mesh/ops.cu: mesh.edge_noise, mesh.edge_mul) against their CPU versions
 * on the same inputs: a perturbed icosphere (concave edges too) as one whole-mesh partition and as
 * each of 3 random partitions (tests/mesh_part.h: ghost rings, owned and non-owned local edges).
 * Bitwise (their cuda_tol is 0): edge fields on every local edge (the ops write them all), vertex
 * fields on the owned vertices, exact scalar sums. Prints "1..0 # SKIP" and exits 77 without a
 * usable CUDA device. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cuda_runtime.h>
#include "tap.h"
#include "cuda_test_util.h"
#include "kernel_util.h"
#include "mesh_view.h"
#include "mesh_part.h"
#include "stardag/codelet.h"
#include "membrane/edge_kernels.h"
#include "mesh/mesh_ops.h"
extern "C" {
#include "../io/mesh_file.h"
}

enum { V = 0, E = 1 }; /* a buffer's elements: vertices or edges */

typedef struct op_spec {
    const char *name;
    sd_cpu_fn cpu;
    sd_cuda_fn cuda;
    int nbuf;
    int ncomp[4], loc[4];
    int nin;       /* leading buffers that are inputs (x: positions; other vertex or edge fields: random) */
    int nacc;
    double param[3];
} op_spec;

static const op_spec OPS[] = {
    {"membrane.edge_geometry", sd_membrane_edge_geometry_cpu, sd_membrane_edge_geometry_cuda, 3, {3, 1, 1}, {V, E, E}, 1, 2, {0}},
    {"membrane.edge_sum", sd_membrane_edge_sum_cpu, sd_membrane_edge_sum_cuda, 2, {1, 1}, {E, V}, 1, 0, {1.3}},
    {"membrane.tether", sd_membrane_tether_cpu, sd_membrane_tether_cuda, 3, {3, 1, 3}, {V, E, V}, 2, 1, {0.9}},
    {"mesh.edge_noise", sd_mesh_edge_noise_cpu, sd_mesh_edge_noise_cuda, 1, {2}, {E}, 0, 0, {5, -0.3, 0.7}},
    {"mesh.edge_mul", sd_mesh_edge_mul_cpu, sd_mesh_edge_mul_cuda, 3, {1, 1, 1}, {E, E, E}, 2, 0, {0.7}},
};

/* The view's tables on the device (freed by dev_view_free). */
static sd_mpart dev_view(const sd_mpart *m)
{
    sd_mpart d = *m;
    const int64_t n1 = m->nv_ring1;
    d.tri = (const int32_t *)dev_copy(m->tri, sizeof(int32_t) * 3 * (size_t)m->nf);
    d.cstart = (const int64_t *)dev_copy(m->cstart, sizeof(int64_t) * (size_t)(n1 + 1));
    d.corner = (const int32_t *)dev_copy(m->corner, sizeof(int32_t) * (size_t)m->cstart[n1]);
    d.vid = (const int64_t *)dev_copy(m->vid, sizeof(int64_t) * (size_t)m->nv);
    d.fid = (const int64_t *)dev_copy(m->fid, sizeof(int64_t) * (size_t)m->nf);
    d.edge = (const int32_t *)dev_copy(m->edge, sizeof(int32_t) * 2 * (size_t)m->ne);
    d.eface = (const int32_t *)dev_copy(m->eface, sizeof(int32_t) * 2 * (size_t)m->ne);
    d.fedge = (const int32_t *)dev_copy(m->fedge, sizeof(int32_t) * 3 * (size_t)m->nf);
    d.estart = (const int64_t *)dev_copy(m->estart, sizeof(int64_t) * (size_t)(n1 + 1));
    d.vedge = (const int32_t *)dev_copy(m->vedge, sizeof(int32_t) * (size_t)m->estart[n1]);
    d.eid = (const int64_t *)dev_copy(m->eid, sizeof(int64_t) * (size_t)m->ne);
    d.scratch = NULL;
    return d;
}
static void dev_view_free(sd_mpart *d)
{
    const void *p[] = {d->tri, d->cstart, d->corner, d->vid, d->fid, d->edge, d->eface, d->fedge, d->estart, d->vedge, d->eid};
    for (size_t i = 0; i < sizeof p / sizeof *p; i++) cudaFree((void *)p[i]);
}

/* Runs op o on view mv on the host and on the device; in[b]: the view's copy of input buffer b. */
static int compare(const op_spec *o, const mesh_view *mv, double *const *in, const char *where)
{
    const sd_mpart *m = &mv->m;
    sd_tile_args h, g;
    memset(&h, 0, sizeof h);
    h.nbuf = o->nbuf, h.nacc = o->nacc;
    memcpy(h.param, o->param, sizeof o->param);
    h.mesh = *m;
    g = h;
    g.mesh = dev_view(m);
    double *hb[4];
    for (int b = 0; b < o->nbuf; b++) {
        const int64_t ne = o->loc[b] == E ? m->ne : m->nv;
        const size_t n = (size_t)(o->ncomp[b] * ne);
        hb[b] = (double *)malloc(sizeof(double) * (n + 1));
        for (size_t i = 0; i < n; i++) hb[b][i] = 0.0 / 0.0;
        if (b < o->nin) memcpy(hb[b], in[b], sizeof(double) * n);
        g.p[b] = dev_copy(hb[b], sizeof(double) * n);
        h.p[b] = hb[b];
        h.sc[b] = g.sc[b] = ne;
        h.ncomp[b] = g.ncomp[b] = o->ncomp[b];
        h.dtype[b] = g.dtype[b] = SD_F64;
    }
    sd_acc ha[2], ga[2];
    for (int k = 0; k < o->nacc; k++) sd_acc_init(&ha[k]);
    h.acc = ha;
    g.acc = (sd_acc *)dev_copy(ha, sizeof(sd_acc) * (size_t)(o->nacc ? o->nacc : 1));
    o->cpu(&h);
    o->cuda(&g, S);
    sync_check(o->name);
    to_host(ga, g.acc, sizeof(sd_acc) * (size_t)o->nacc);
    int same = 1;
    int64_t compared = 0;
    for (int b = o->nin; b < o->nbuf; b++) { /* edge outputs: every local edge; vertex outputs: the owned vertices */
        const int64_t ne = o->loc[b] == E ? m->ne : m->nv, n = o->loc[b] == E ? m->ne : m->nv_own;
        double *gv = (double *)host_copy(g.p[b], sizeof(double) * (size_t)(o->ncomp[b] * ne));
        for (int c = 0; c < o->ncomp[b]; c++)
            for (int64_t i = 0; i < n; i++) same &= same_bits(hb[b][i + c * ne], gv[i + c * ne]) && hb[b][i + c * ne] == hb[b][i + c * ne];
        compared += o->ncomp[b] * n;
        free(gv);
    }
    for (int k = 0; k < o->nacc; k++) same &= acc_same(&ha[k], &ga[k]) && same_bits(sd_acc_sum(&ha[k]), sd_acc_sum(&ga[k]));
    ok(same, "%s, %s: CUDA = CPU bitwise (%lld values, %d sums)", o->name, where, (long long)compared, o->nacc);
    for (int b = 0; b < o->nbuf; b++) cudaFree(g.p[b]), free(hb[b]);
    cudaFree(g.acc);
    dev_view_free(&g.mesh);
    return same;
}

int main(void)
{
    require_cuda_device();
    CK(cudaStreamCreate(&S));
    sd_mesh mesh;
    char err[256];
    if (sd_mesh_icosphere(4, 1.0, &mesh, err, sizeof err)) {
        printf("Bail out! %s\n", err);
        return 1;
    }
    const int64_t nv = mesh.nv, nf = mesh.nf;
    int64_t ne = 0, *edge = mesh_edges_sorted(nf, mesh.tri, &ne);
    double *x = mesh_view_soa(mesh.x, nv), *w = (double *)malloc(sizeof(double) * (size_t)ne);
    double *w2 = (double *)malloc(sizeof(double) * (size_t)ne);
    rng r = {21};
    for (int64_t i = 0; i < 3 * nv; i++) x[i] += 0.01 * rng_range(&r, -1, 1); /* 1/8 of an edge: some concave */
    for (int64_t e = 0; e < ne; e++) /* rest lengths near the edges' 0.075 */
        w[e] = rng_range(&r, 0.06, 0.09), w2[e] = rng_range(&r, 0.06, 0.09);
    mesh_view whole;
    if (!edge || mesh_view_init(&whole, nv, nf, mesh.tri, 0, 0) || mesh_view_edges(&whole, edge, ne)) return 1;
    int *owner = (int *)malloc(sizeof(int) * (size_t)nv);
    for (int64_t v = 0; v < nv; v++) owner[v] = (int)(rng_u64(&r) % 3);
    for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++) {
        const op_spec *o = &OPS[i];
        double *in[4] = {NULL, NULL, NULL, NULL};
        for (int b = 0; b < o->nin; b++) in[b] = o->loc[b] == E ? (b ? w2 : w) : x; /* edge inputs: w, then w2 */
        compare(o, &whole, in, "whole mesh");
        for (int p = 0; p < 3; p++) {
            mesh_view pv;
            if (mesh_part_init_edges(&pv, nv, nf, mesh.tri, owner, p, 0, 0, edge, ne)) return 1;
            double *pin[4] = {NULL, NULL, NULL, NULL};
            for (int b = 0; b < o->nin; b++)
                pin[b] = o->loc[b] == E ? mesh_view_gather_edges(&pv, b ? w2 : w, ne, 1) : mesh_part_gather(&pv, x, nv, 3);
            char where[64];
            snprintf(where, sizeof where, "random partition %d of 3", p);
            compare(o, &pv, pin, where);
            for (int b = 0; b < o->nin; b++) free(pin[b]);
            mesh_view_free(&pv);
        }
    }
    free(owner), free(x), free(w), free(w2), free(edge);
    mesh_view_free(&whole);
    sd_mesh_free(&mesh);
    CK(cudaStreamDestroy(S));
    return tap_done();
}
