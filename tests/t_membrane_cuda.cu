/* t_membrane_cuda.cu - the CUDA kernels of the membrane energy ops (codelets/membrane/energy.cu)
 * against their CPU versions (energy.c) on the same inputs: a perturbed ellipsoid (obtuse
 * triangles) as one whole-mesh partition and as 3 slab partitions (ghost rings; face_geometry's
 * outputs are face fields: stride nf, the owned faces compared). Fields and exact scalar sums
 * bitwise, kappa_G != 0 too (its corner angles: detmath.h's atan2).
 * Prints "1..0 # SKIP" and exits 77 without a usable CUDA device. */
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
#include "membrane/energy_kernels.h"
extern "C" {
#include "../io/mesh_file.h"
}

enum { SV = 4, SF = 18 };

typedef struct op_spec {
    const char *name;
    sd_cpu_fn cpu;
    sd_cuda_fn cuda;
    int nbuf;      /* buffers: x, then fields / scalar reads */
    int ncomp[8];  /* per buffer: components of a vertex field, 0 for a scalar read */
    int nacc, nparam;
    double param[5];
    double tol;    /* 0: bitwise */
    int nin;       /* leading field buffers that are inputs: x (1), d (2), vgrad (3); the others are outputs */
    double scal[8]; /* per scalar read buffer: its value */
    int faces;      /* bit b: buffer b is a face field (stride nf, the owned faces compared) */
} op_spec;

static const op_spec OPS[] = {
    {"membrane.curvature", sd_membrane_curvature_cpu, sd_membrane_curvature_cuda, 4, {3, 1, 1, 3}, 0, 0, {0}, 0, 1, {0}, 0},
    {"membrane.measure", sd_membrane_measure_cpu, sd_membrane_measure_cuda, 1, {3}, 2, 0, {0}, 0, 1, {0}, 0},
    {"membrane.face_geometry", sd_membrane_face_geometry_cpu, sd_membrane_face_geometry_cuda, 3, {3, 1, 3}, 1, 0, {0}, 0,
     1, {0}, 1 << 1 | 1 << 2},
    {"membrane.bending", sd_membrane_bending_cpu, sd_membrane_bending_cuda, 2, {3, 3}, 2, 3, {1.2, 0.3, 0}, 0, 1, {0}, 0},
    {"membrane.bending (kappa_G)", sd_membrane_bending_cpu, sd_membrane_bending_cuda, 2, {3, 3}, 2, 3, {1, 0, -0.8}, 0, 1, {0}, 0},
    {"membrane.tension", sd_membrane_tension_cpu, sd_membrane_tension_cuda, 2, {3, 3}, 1, 1, {0.7}, 0, 1, {0}, 0},
    {"membrane.volume", sd_membrane_volume_cpu, sd_membrane_volume_cuda, 2, {3, 3}, 2, 0, {0}, 0, 1, {0}, 0},
    {"membrane.energy", sd_membrane_energy_cpu, sd_membrane_energy_cuda, 3, {3, 3, 3}, 5, 5, {1.1, -0.5, 0, 0.4, 0.9}, 0, 1, {0}, 0},
    {"membrane.energy (kappa_G)", sd_membrane_energy_cpu, sd_membrane_energy_cuda, 3, {3, 3, 3}, 5, 5, {1, 0, 0.5, 0, 0}, 0, 1, {0}, 0},
    {"membrane.trial_volume", sd_membrane_trial_volume_cpu, sd_membrane_trial_volume_cuda, 3, {3, 3, 0}, 4, 0, {0}, 0,
     2, {0, 0, 0.21}, 0},
    {"membrane.trial_energy", sd_membrane_trial_energy_cpu, sd_membrane_trial_energy_cuda, 8, {3, 3, 3, 0, 0, 0, 0, 0}, 4,
     5, {1.1, -0.5, 0, 0.4, 0.9}, 0, 3, {0, 0, 0, 0.21, 0.013, -0.02, 0, 0.004}, 0},
};

/* Runs op o on view mv (host) and on a device copy; compares. in[0..2] = x, d, vgrad: SoA over the
 * view's vertices (the op's first o->nin field buffers). */
static int compare(const op_spec *o, const mesh_view *mv, const double *const in[3], const char *where)
{
    const sd_mpart *m = &mv->m;
    const int64_t nv = m->nv, nf = m->nf;
    sd_tile_args h, g;
    memset(&h, 0, sizeof h);
    h.nbuf = o->nbuf;
    h.nacc = o->nacc;
    memcpy(h.param, o->param, sizeof o->param);
    h.mesh = *m;
    g = h;
    double *hb[8];
    const int nin = o->nin;
    for (int b = 0; b < o->nbuf; b++) {
        const int64_t ne = o->faces >> b & 1 ? nf : nv; /* elements of a field buffer */
        const size_t n = o->ncomp[b] ? (size_t)(o->ncomp[b] * ne) : 1;
        hb[b] = (double *)malloc(sizeof(double) * n);
        for (size_t i = 0; i < n; i++) hb[b][i] = o->ncomp[b] ? 0.0 / 0.0 : o->scal[b];
        if (b < nin) memcpy(hb[b], in[b], sizeof(double) * 3 * (size_t)nv);
        g.p[b] = dev_copy(hb[b], sizeof(double) * n);
        h.p[b] = hb[b];
        h.sc[b] = g.sc[b] = ne;
        h.dtype[b] = g.dtype[b] = SD_F64;
        h.ncomp[b] = g.ncomp[b] = o->ncomp[b] ? o->ncomp[b] : 1;
    }
    sd_acc ha[SD_MAX_ACC], ga[SD_MAX_ACC];
    for (int k = 0; k < o->nacc; k++) sd_acc_init(&ha[k]);
    h.acc = ha;
    g.acc = (sd_acc *)dev_copy(ha, sizeof(sd_acc) * (size_t)(o->nacc ? o->nacc : 1));
    /* the mesh view on the device */
    const size_t ns = (size_t)(SV * nv + SF * nf);
    g.mesh.tri = (const int32_t *)dev_copy(m->tri, sizeof(int32_t) * 3 * (size_t)nf);
    g.mesh.cstart = (const int64_t *)dev_copy(m->cstart, sizeof(int64_t) * (size_t)(m->nv_ring1 + 1));
    g.mesh.corner = (const int32_t *)dev_copy(m->corner, sizeof(int32_t) * (size_t)m->cstart[m->nv_ring1]);
    g.mesh.vid = (const int64_t *)dev_copy(m->vid, sizeof(int64_t) * (size_t)nv);
    g.mesh.fid = (const int64_t *)dev_copy(m->fid, sizeof(int64_t) * (size_t)nf);
    g.mesh.scratch = (double *)dev_copy(m->scratch, sizeof(double) * ns);
    o->cpu(&h);
    o->cuda(&g, S);
    sync_check(o->name);
    to_host(ga, g.acc, sizeof(sd_acc) * (size_t)o->nacc);
    int same = 1;
    double worst = 0;
    for (int b = nin; b < o->nbuf; b++) { /* the owned vertices' (faces') values of the outputs */
        if (!o->ncomp[b]) continue;
        const int64_t ne = o->faces >> b & 1 ? nf : nv, own = o->faces >> b & 1 ? m->nf_own : m->nv_own;
        double *gv = (double *)host_copy(g.p[b], sizeof(double) * (size_t)(o->ncomp[b] * ne));
        double mx = 0;
        for (int c = 0; c < o->ncomp[b]; c++)
            for (int64_t v = 0; v < own; v++) mx = fmax(mx, fabs(hb[b][v + c * ne]));
        for (int c = 0; c < o->ncomp[b]; c++)
            for (int64_t v = 0; v < own; v++) {
                const double a = hb[b][v + c * ne], e = gv[v + c * ne];
                if (o->tol == 0) same &= same_bits(a, e);
                else worst = fmax(worst, fabs(a - e) / fmax(mx, 1e-300));
            }
        free(gv);
    }
    for (int k = 0; k < o->nacc; k++) {
        const double a = sd_acc_sum(&ha[k]), e = sd_acc_sum(&ga[k]);
        if (o->tol == 0) same &= same_bits(a, e);
        else worst = fmax(worst, fabs(a - e) / fmax(fabs(a), 1e-300));
    }
    const int good = o->tol == 0 ? same : worst <= o->tol;
    ok(good, "%s, %s: CUDA = CPU %s", o->name, where, o->tol == 0 ? "bitwise" : "within cuda_tol");
    if (o->tol) diag("  largest relative difference %.3g (tol %.3g)", worst, o->tol);
    for (int b = 0; b < o->nbuf; b++) cudaFree(g.p[b]), free(hb[b]);
    cudaFree(g.acc);
    cudaFree((void *)g.mesh.tri), cudaFree((void *)g.mesh.cstart), cudaFree((void *)g.mesh.corner);
    cudaFree((void *)g.mesh.vid), cudaFree((void *)g.mesh.fid), cudaFree(g.mesh.scratch);
    return good;
}

int main(void)
{
    require_cuda_device();
    CK(cudaStreamCreate(&S));
    sd_mesh mesh;
    char err[256];
    const double axes[3] = {1.0, 0.75, 0.55};
    if (sd_mesh_ellipsoid(4, axes, &mesh, err, sizeof err)) {
        printf("Bail out! %s\n", err);
        return 1;
    }
    const int64_t nv = mesh.nv, nf = mesh.nf;
    double *x = mesh_view_soa(mesh.x, nv), *d = (double *)malloc(sizeof(double) * 3 * (size_t)nv);
    double *vg = (double *)malloc(sizeof(double) * 3 * (size_t)nv);
    rng r = {9};
    for (int64_t i = 0; i < 3 * nv; i++)
        x[i] += 0.01 * rng_range(&r, -1, 1), d[i] = rng_range(&r, -0.02, 0.02), vg[i] = rng_range(&r, -0.1, 0.1);
    mesh_view whole;
    if (mesh_view_init(&whole, nv, nf, mesh.tri, SV, SF)) return 1;
    int *owner = (int *)malloc(sizeof(int) * (size_t)nv);
    for (int64_t v = 0; v < nv; v++) owner[v] = (int)fmin(2, fmax(0, (x[v + 2 * nv] + 0.55) / 1.1 * 3));
    for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++) {
        const double *const in[3] = {x, d, vg};
        compare(&OPS[i], &whole, in, "whole mesh");
        mesh_view pv;
        if (mesh_part_init(&pv, nv, nf, mesh.tri, owner, 1, SV, SF)) return 1;
        double *px = mesh_part_gather(&pv, x, nv, 3), *pd = mesh_part_gather(&pv, d, nv, 3);
        double *pg = mesh_part_gather(&pv, vg, nv, 3);
        const double *const pin[3] = {px, pd, pg};
        compare(&OPS[i], &pv, pin, "middle slab partition");
        free(px), free(pd), free(pg);
        mesh_view_free(&pv);
    }
    free(owner), free(x), free(d), free(vg);
    mesh_view_free(&whole);
    sd_mesh_free(&mesh);
    CK(cudaStreamDestroy(S));
    return tap_done();
}
