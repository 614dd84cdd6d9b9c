/* t_membrane_tilt_cuda.cu - the CUDA kernels of membrane.tilt, membrane.bending_tilt, their t-only
 * versions (tilt_t, bending_tilt_t) and membrane.tilt_relax (codelets/membrane/tilt.cu) against their
 * CPU versions on the same inputs: a perturbed level-5 icosphere (10,242 vertices) with random tilts,
 * as one whole-mesh view and as a partition with ghost rings (ring-2 values NaN for the halo-1 op,
 * ring-1 tilts too for tilt_t's halo-0 t); grad (full ops), tgrad and t bitwise on
 * the owned vertices, energies as exact partials (limbs after normalisation) bitwise (cuda_tol 0).
 * Prints "1..0 # SKIP" and exits 77 without a usable CUDA device. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cuda_runtime.h>
#include "tap.h"
#include "cuda_test_util.h"
#include "kernel_util.h"
#include "mesh_view.h"
extern "C" { /* mesh_file.h has no C++ guards; io/ is not on nvcc's include path */
#include "../io/mesh_file.h"
}
#include "stardag/codelet.h"
#include "membrane/tilt_kernels.h"
#include "membrane/tilt_math.h"

/* tests/mesh_part.h's mesh_part_init, compiled as C (t_membrane_tilt_cuda_part.c) */
extern "C" int tilt_cuda_part_init(mesh_view *mv, int64_t nvg, int64_t nfg, const int64_t *tri, const int *owner,
                                   int part, int scratch_v, int scratch_f);

/* A view's arrays on the device (the mesh's index arrays, scratch). */
typedef struct dev_view {
    sd_mpart m;
} dev_view;

static dev_view to_device(const sd_mpart *h)
{
    dev_view d;
    d.m = *h;
    const int64_t nc = h->cstart[h->nv_ring1];
    d.m.tri = (const int32_t *)dev_copy(h->tri, sizeof(int32_t) * 3 * (size_t)h->nf);
    d.m.cstart = (const int64_t *)dev_copy(h->cstart, sizeof(int64_t) * (size_t)(h->nv_ring1 + 1));
    d.m.corner = (const int32_t *)dev_copy(h->corner, sizeof(int32_t) * (size_t)nc);
    d.m.vid = (const int64_t *)dev_copy(h->vid, sizeof(int64_t) * (size_t)h->nv);
    d.m.fid = (const int64_t *)dev_copy(h->fid, sizeof(int64_t) * (size_t)h->nf);
    const size_t ns = (size_t)(TILT_BT_VERT * h->nv + TILT_BT_FACE2 * h->nf);
    void *s = NULL;
    CK(cudaMalloc(&s, sizeof(double) * ns));
    d.m.scratch = (double *)s;
    return d;
}
static void free_device(dev_view *d)
{
    cudaFree((void *)d->m.tri), cudaFree((void *)d->m.cstart), cudaFree((void *)d->m.corner);
    cudaFree((void *)d->m.vid), cudaFree((void *)d->m.fid), cudaFree(d->m.scratch);
}

typedef struct fields {
    double *x, *t, *tg, *g, *n; /* SoA [3 nv] */
} fields;

/* Runs the op on host fields F (CPU) and on device copies (CUDA); compares the owned values. */
static int compare(const char *op, const sd_mpart *hm, const fields *F, const double *prm, int relax)
{
    const int64_t nv = hm->nv;
    const size_t bytes = sizeof(double) * 3 * (size_t)nv;
    const sd_codelet *c = sd_codelet_find(op);
    const int tonly = !relax && c->nroles == 4; /* x, t, tgrad, energy: no grad */
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    for (int p = 0; p < c->nparams; p++) a.param[p] = prm[p];
    for (int b = 0; b < 4; b++) a.sc[b] = nv, a.ncomp[b] = 3, a.dtype[b] = SD_F64;
    double *out[3]; /* what the op writes: t (relax), tgrad, grad (energies) */
    for (int k = 0; k < 3; k++) out[k] = (double *)malloc(bytes);
    memcpy(out[0], F->t, bytes);
    double dummy = 0;
    sd_acc hacc;
    sd_acc_init(&hacc);
    if (relax) {
        a.nbuf = 3, a.p[0] = out[0], a.p[1] = F->tg, a.p[2] = F->n;
    } else {
        a.nbuf = tonly ? 4 : 5, a.p[0] = F->x, a.p[1] = F->t, a.p[2] = out[1];
        a.p[3] = tonly ? (void *)&dummy : (void *)out[2], a.p[4] = tonly ? NULL : &dummy;
        a.nacc = 1, a.acc = &hacc;
    }
    a.mesh = *hm;
    c->cpu(&a);

    /* device */
    dev_view dv = to_device(hm);
    sd_tile_args d = a;
    d.mesh = dv.m;
    void *dp[5] = {0};
    for (int b = 0; b < (relax || tonly ? 3 : 4); b++) {
        const double *src = relax ? (b == 0 ? F->t : b == 1 ? F->tg : F->n) : (b == 0 ? F->x : b == 1 ? F->t : NULL);
        if (src) dp[b] = dev_copy(src, bytes);
        else {
            CK(cudaMalloc(&dp[b], bytes));
            CK(cudaMemset(dp[b], 0xff, bytes)); /* NaN: every owned value must be written */
        }
        d.p[b] = dp[b];
    }
    sd_acc *dacc = NULL;
    if (!relax) {
        dacc = (sd_acc *)dev_copy(&hacc, sizeof hacc);
        sd_acc z;
        sd_acc_init(&z);
        CK(cudaMemcpy(dacc, &z, sizeof z, cudaMemcpyHostToDevice));
        d.acc = dacc;
    }
    CK(cudaDeviceSynchronize()); /* the memsets and copies above ran on the legacy stream, which S does not wait for */
    if (!strcmp(op, "membrane.tilt")) sd_membrane_tilt_cuda(&d, S);
    else if (!strcmp(op, "membrane.tilt_t")) sd_membrane_tilt_t_cuda(&d, S);
    else if (!strcmp(op, "membrane.bending_tilt")) sd_membrane_bending_tilt_cuda(&d, S);
    else if (!strcmp(op, "membrane.bending_tilt_t")) sd_membrane_bending_tilt_t_cuda(&d, S);
    else sd_membrane_tilt_relax_cuda(&d, S);
    sync_check(op);
    int same = 1;
    for (int k = relax ? 0 : 1; k < (relax ? 1 : tonly ? 2 : 3); k++) {
        double *h = (double *)host_copy(dp[relax ? 0 : k + 1], bytes);
        for (int64_t v = 0; v < hm->nv_own; v++)
            for (int cc = 0; cc < 3; cc++) same &= same_bits(h[v + cc * nv], out[k][v + cc * nv]);
        free(h);
    }
    if (!relax) {
        sd_acc g;
        to_host(&g, dacc, sizeof g);
        same &= acc_same(&hacc, &g) && g.count == hacc.count && same_bits(sd_acc_sum(&g), sd_acc_sum(&hacc));
        cudaFree(dacc);
    }
    for (int b = 0; b < 5; b++)
        if (dp[b]) cudaFree(dp[b]);
    free_device(&dv);
    for (int k = 0; k < 3; k++) free(out[k]);
    return same;
}

int main(void)
{
    require_cuda_device();
    CK(cudaStreamCreateWithFlags(&S, cudaStreamNonBlocking));
    sd_register_builtin_codelets();
    char err[256];
    sd_mesh m;
    if (sd_mesh_icosphere(5, 1.0, &m, err, sizeof err)) {
        printf("Bail out! %s\n", err);
        return 1;
    }
    const int64_t nv = m.nv;
    rng g = {77};
    fields W; /* whole-mesh fields */
    double **all[5] = {&W.x, &W.t, &W.tg, &W.g, &W.n};
    for (int k = 0; k < 5; k++) *all[k] = (double *)malloc(sizeof(double) * 3 * (size_t)nv);
    for (int64_t v = 0; v < nv; v++)
        for (int c = 0; c < 3; c++) {
            W.x[v + c * nv] = m.x[3 * v + c] * (1 + 0.02 * rng_range(&g, -1, 1));
            W.t[v + c * nv] = 0.3 * rng_range(&g, -1, 1);
            W.tg[v + c * nv] = rng_range(&g, -1, 1);
            W.n[v + c * nv] = m.x[3 * v + c];
        }
    int *owner = (int *)malloc(sizeof(int) * (size_t)nv);
    for (int64_t v = 0; v < nv; v++) owner[v] = m.x[3 * v + 2] > 0.2;
    const double pt[1] = {2.5}, pb[2] = {0.9, 0.6}, pr[1] = {0.05};
    for (int view = 0; view < 2; view++) {
        mesh_view P;
        if (view == 0 ? mesh_view_init(&P, nv, m.nf, m.tri, TILT_BT_VERT, TILT_BT_FACE2)
                      : tilt_cuda_part_init(&P, nv, m.nf, m.tri, owner, 1, TILT_BT_VERT, TILT_BT_FACE2))
            return 1;
        const sd_mpart *hm = &P.m;
        fields L; /* local fields (ring-2 NaN for membrane.tilt) */
        double **loc[5] = {&L.x, &L.t, &L.tg, &L.g, &L.n};
        for (int k = 0; k < 5; k++) {
            *loc[k] = (double *)malloc(sizeof(double) * 3 * (size_t)hm->nv);
            for (int64_t v = 0; v < hm->nv; v++)
                for (int c = 0; c < 3; c++) (*loc[k])[v + c * hm->nv] = (*all[k])[P.vid[v] + c * nv];
        }
        const char *vn = view ? "partition with ghost rings" : "whole mesh";
        ok(compare("membrane.bending_tilt", hm, &L, pb, 0), "membrane.bending_tilt, %s: CUDA = CPU bitwise", vn);
        ok(compare("membrane.bending_tilt_t", hm, &L, pb, 0), "membrane.bending_tilt_t, %s: CUDA = CPU bitwise", vn);
        ok(compare("membrane.tilt_relax", hm, &L, pr, 1), "membrane.tilt_relax, %s: CUDA = CPU bitwise", vn);
        for (int64_t v = hm->nv_ring1; v < hm->nv; v++)
            for (int c = 0; c < 3; c++) L.x[v + c * hm->nv] = L.t[v + c * hm->nv] = NAN;
        ok(compare("membrane.tilt", hm, &L, pt, 0), "membrane.tilt, %s: CUDA = CPU bitwise", vn);
        for (int64_t v = hm->nv_own; v < hm->nv_ring1; v++)
            for (int c = 0; c < 3; c++) L.t[v + c * hm->nv] = NAN; /* tilt_t: t of owned vertices only */
        ok(compare("membrane.tilt_t", hm, &L, pt, 0), "membrane.tilt_t, %s: CUDA = CPU bitwise", vn);
        for (int k = 0; k < 5; k++) free(*loc[k]);
        mesh_view_free(&P);
    }
    const char *ops[5] = {"membrane.tilt", "membrane.bending_tilt", "membrane.tilt_relax", "membrane.tilt_t",
                          "membrane.bending_tilt_t"};
    int reg = 1;
    for (int i = 0; i < 5; i++) {
        const sd_codelet *c = sd_codelet_find(ops[i]);
        reg &= c && c->cuda_tol == 0;
#ifdef SD_HAVE_CUDA
        reg &= c && c->cuda != NULL;
#endif
    }
    ok(reg, "registry: the five tilt ops declare cuda_tol 0 (and a .cuda in a CUDA build)");
    for (int k = 0; k < 5; k++) free(*all[k]);
    free(owner), sd_mesh_free(&m);
    return tap_done();
}
