/* t_membrane_minimise_cuda.cu - every CUDA kernel of the membrane minimiser (minimise.cu) against its
 * CPU version (minimise.c) on the same inputs: project, direction, step, cg_reset bitwise on whole
 * buffers (owned vertices written, ghosts untouched), cg_dots and slope by their exact partials
 * (limbs after normalisation, counts, extremes). Partitions of 0, 1, 37 and 300,007 owned vertices
 * (the grid-stride loops), and the no-op cases (converged, step 0, no accepted trial, fix 0). Prints
 * "1..0 # SKIP" and exits 77 without a usable CUDA device. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cuda_runtime.h>
#include "tap.h"
#include "cuda_test_util.h"
#include "kernel_util.h"
#include "membrane/minimise_kernels.h"

typedef void (*cpu_fn)(const sd_tile_args *);
typedef void (*cuda_fn)(const sd_tile_args *, void *);

/* One op's buffers: nbuf slots, each a 3-component vertex field (nv values per component) or a
 * scalar; the same random contents on host and device. */
typedef struct bufs {
    int n, is_field[SD_MAX_BUFS];
    double *h[SD_MAX_BUFS];
    void *d[SD_MAX_BUFS];
    size_t bytes[SD_MAX_BUFS];
} bufs;

static void bufs_make(bufs *b, int n, const int *is_field, const double *scalars, int64_t nv, rng *r)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    for (int i = 0; i < n; i++) {
        b->is_field[i] = is_field[i];
        const size_t cnt = is_field[i] ? 3 * (size_t)nv : 1;
        b->bytes[i] = cnt * sizeof(double);
        b->h[i] = (double *)malloc(b->bytes[i] ? b->bytes[i] : 8);
        for (size_t k = 0; k < cnt; k++) b->h[i][k] = is_field[i] ? rng_range(r, -1, 1) : scalars[i];
        b->d[i] = dev_copy(b->h[i], b->bytes[i]);
    }
}
static void bufs_free(bufs *b)
{
    for (int i = 0; i < b->n; i++) {
        free(b->h[i]);
        CK(cudaFree(b->d[i]));
    }
}

static sd_tile_args args_for(const bufs *b, int dev, int64_t nown, int64_t nv, const double *param, int np)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = b->n;
    for (int i = 0; i < b->n; i++) {
        a.p[i] = dev ? b->d[i] : (void *)b->h[i];
        a.sc[i] = b->is_field[i] ? nv : 1;
        a.ncomp[i] = b->is_field[i] ? 3 : 1;
        a.dtype[i] = SD_F64;
    }
    for (int i = 0; i < np; i++) a.param[i] = param[i];
    a.mesh.nv_own = nown, a.mesh.nv_ring1 = a.mesh.nv = nv;
    return a;
}

/* Run a vertex op on both sides and compare every buffer bitwise. */
static int same_pointwise(const char *what, cpu_fn cpu, cuda_fn gpu, int n, const int *is_field, const double *scalars,
                          const double *param, int np, int64_t nown, rng *r)
{
    const int64_t nv = nown + 3; /* three ghosts after the owned vertices */
    bufs b;
    bufs_make(&b, n, is_field, scalars, nv, r);
    sd_tile_args hc = args_for(&b, 0, nown, nv, param, np), dc = args_for(&b, 1, nown, nv, param, np);
    cpu(&hc);
    gpu(&dc, S);
    sync_check(what);
    int good = 1;
    for (int i = 0; i < n; i++) {
        double *g = (double *)host_copy(b.d[i], b.bytes[i]);
        good &= !memcmp(g, b.h[i], b.bytes[i]);
        free(g);
    }
    bufs_free(&b);
    return good;
}

static int same_reduction(const char *what, cpu_fn cpu, cuda_fn gpu, int nacc, int64_t nown, rng *r)
{
    const int64_t nv = nown + 3;
    const int is_field[2] = {1, 1};
    bufs b;
    bufs_make(&b, 2, is_field, NULL, nv, r);
    sd_acc hacc[3], dinit[3];
    for (int k = 0; k < nacc; k++) sd_acc_init(&hacc[k]), sd_acc_init(&dinit[k]);
    sd_acc *dacc = (sd_acc *)dev_copy(dinit, sizeof(sd_acc) * (size_t)nacc);
    sd_tile_args hc = args_for(&b, 0, nown, nv, NULL, 0), dc = args_for(&b, 1, nown, nv, NULL, 0);
    hc.nacc = dc.nacc = nacc;
    hc.acc = hacc, dc.acc = dacc;
    cpu(&hc);
    gpu(&dc, S);
    sync_check(what);
    sd_acc got[3];
    to_host(got, dacc, sizeof(sd_acc) * (size_t)nacc);
    int good = 1;
    for (int k = 0; k < nacc; k++)
        good &= acc_same(&hacc[k], &got[k]) && hacc[k].count == got[k].count && same_bits(sd_acc_sum(&hacc[k]), sd_acc_sum(&got[k]));
    CK(cudaFree(dacc));
    bufs_free(&b);
    return good;
}

int main(void)
{
    require_cuda_device();
    CK(cudaStreamCreate(&S));
    rng r = {0x5DEECE66DULL};
    const int64_t sizes[] = {0, 1, 37, 300007};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const int64_t n = sizes[si];
        /* project: g vgrad gv vv gp; fix */
        {
            const int f[5] = {1, 1, 0, 0, 1};
            const double s[5] = {0, 0, 0.7, 2.3, 0}, p1[1] = {1}, p0[1] = {0};
            ok(same_pointwise("project", sd_membrane_project_cpu, sd_membrane_project_cuda, 5, f, s, p1, 1, n, &r) &&
                   same_pointwise("project", sd_membrane_project_cpu, sd_membrane_project_cuda, 5, f, s, p0, 1, n, &r),
               "project (fix 1 and 0), %lld owned: CPU == CUDA bitwise", (long long)n);
        }
        /* direction: gp d gprev gg gq qq restart; method, tol */
        {
            const int f[7] = {1, 1, 1, 0, 0, 0, 0};
            const double pr[7] = {0, 0, 0, 9, 3, 4, 0}, rs[7] = {0, 0, 0, 9, 3, 4, 1}, cv[7] = {0, 0, 0, 1e-14, 3, 4, 0};
            const double p[2] = {1, 1e-6};
            ok(same_pointwise("direction", sd_membrane_direction_cpu, sd_membrane_direction_cuda, 7, f, pr, p, 2, n, &r) &&
                   same_pointwise("direction", sd_membrane_direction_cpu, sd_membrane_direction_cuda, 7, f, rs, p, 2, n, &r) &&
                   same_pointwise("direction", sd_membrane_direction_cpu, sd_membrane_direction_cuda, 7, f, cv, p, 2, n, &r),
               "direction (PR+ beta 1.5, restart, converged), %lld owned: CPU == CUDA bitwise", (long long)n);
        }
        /* step: x d vgrad step k lam0..lam3; cg_reset: d gprev */
        {
            const int f[9] = {1, 1, 1, 0, 0, 0, 0, 0, 0};
            const double s[9] = {0, 0, 0, 0.375, 2, 0.1, -0.2, 0.03, 0.4}, s0[9] = {0, 0, 0, 0, 2, 0.1, -0.2, 0.03, 0.4};
            const double sn[9] = {0, 0, 0, 0.375, -1, 0.1, -0.2, 0.03, 0.4};
            ok(same_pointwise("step", sd_membrane_step_cpu, sd_membrane_step_cuda, 9, f, s, NULL, 0, n, &r) &&
                   same_pointwise("step", sd_membrane_step_cpu, sd_membrane_step_cuda, 9, f, s0, NULL, 0, n, &r) &&
                   same_pointwise("step", sd_membrane_step_cpu, sd_membrane_step_cuda, 9, f, sn, NULL, 0, n, &r),
               "step (0.375 with k = 2, step 0, k = -1), %lld owned: CPU == CUDA bitwise", (long long)n);
            const int g[2] = {1, 1};
            ok(same_pointwise("cg_reset", sd_membrane_cg_reset_cpu, sd_membrane_cg_reset_cuda, 2, g, s, NULL, 0, n, &r),
               "cg_reset, %lld owned: CPU == CUDA bitwise", (long long)n);
        }
        ok(same_reduction("cg_dots", sd_membrane_cg_dots_cpu, sd_membrane_cg_dots_cuda, 3, n, &r),
           "cg_dots, %lld owned: the exact partials are equal", (long long)n);
        ok(same_reduction("slope", sd_membrane_slope_cpu, sd_membrane_slope_cuda, 1, n, &r),
           "slope, %lld owned: the exact partials are equal", (long long)n);
    }
    CK(cudaStreamDestroy(S));
    return tap_done();
}
