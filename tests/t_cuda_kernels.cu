/* t_cuda_kernels.cu - every CUDA kernel against its CPU version, on the same inputs.
 *
 * For each codelet of the common pack with a CUDA implementation (fill, copy, axpy, scale, noise,
 * sum, max_abs, count_nonfinite; the lattice pack's are in t_cuda_lattice.cu) and each halo kernel (pack, unpack, wrap, reflect, fixed, absorb), on 1D/2D/3D
 * tiles of odd sizes (one wider than a block row, one spanning hundreds of blocks, one of a single
 * cell), f64 and f32, ghost widths 1 and 2 (different per buffer), random interiors *and* ghosts:
 * the CPU function runs on host buffers, the CUDA function on device copies of the same buffers,
 * and the results are compared:
 *  - cuda_tol = 0: whole buffers bitwise (interior = CPU result, ghosts of written buffers and
 *    every read-only buffer untouched);
 *  - cuda_tol > 0 (libm functions): interior within the stated bound, ghosts bitwise untouched;
 *  - reductions: the partial accumulators after normalisation (limbs), count, nonfinite, maxv,
 *    minv and sd_acc_sum bitwise, over data with a huge dynamic range, subnormals, signed zeros,
 *    NaN and Inf, and a tile of 21M cells (more blocks than one launch may have);
 *  - kernel_cuda.cuh's reduction directly: adversarial magnitudes (every add changes the window,
 *    values next to DBL_MAX, subnormals), an accumulator that already holds a partial, several
 *    launches into one accumulator;
 *  - detmath.h's functions (exp, log, pow, sin, cos, atan, atan2, asin) on the device: bitwise
 *    the host's, over a million arguments across their ranges and the special values.
 * With SD_HAVE_CUDA the registry's .cuda pointers must be these functions, and every registered
 * common codelet with a .cuda must be covered here (other packs have their own tests). The harness
 * (run_both, compare_fields, the input generators) is cuda_run.h. Prints "1..0 # SKIP" and exits 77
 * without a usable CUDA device. */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cuda_runtime.h>
#include "tap.h"
#include "cuda_test_util.h"
#include "kernel_util.h"
#include "stardag/codelet.h"
#include "stardag/kernel_cuda.cuh"
#include "common/common_kernels.h"
#include "halo.h"
#include "cuda_run.h"
#include "stardag/detmath.h"

/* ---- the table of CUDA functions under test --------------------------------------------------- */
static const entry ENTRIES[] = {
    {"common.fill", sd_common_fill_cuda},
    {"common.copy", sd_common_copy_cuda},
    {"common.axpy", sd_common_axpy_cuda},
    {"common.scale", sd_common_scale_cuda},
    {"common.noise", sd_common_noise_cuda},
    {"common.sum", sd_common_sum_cuda},
    {"common.max_abs", sd_common_max_abs_cuda},
    {"common.count_nonfinite", sd_common_count_nonfinite_cuda},
};
#define NENTRIES (int)(sizeof ENTRIES / sizeof ENTRIES[0])
static sd_cuda_fn fn_of(const char *name)
{
    for (int i = 0; i < NENTRIES; i++)
        if (!strcmp(ENTRIES[i].name, name)) return ENTRIES[i].fn;
    return NULL;
}

/* ---- common pack ------------------------------------------------------------------------------ */
static void test_common_pointwise(const shape *s, int dt, rng *g)
{
    const char *sh = s->nd == 1 ? "1D" : s->nd == 2 ? "2D" : "3D";
    long long cells = (long long)s->n[0] * (s->nd > 1 ? s->n[1] : 1) * (s->nd > 2 ? s->n[2] : 1);
    run r;

    setup(&r, "common.fill", s);
    add_field(&r, s, 2, 3, dt, g, DATA_UNIFORM);
    r.tmpl.param[0] = -3.25;
    run_both(&r);
    ok(compare_fields(&r, 1, 0, "fill"), "fill %s %s (%lld cells, 3 components, halo 2): bitwise, ghosts untouched", sh, tn(dt), cells);
    run_free(&r);

    setup(&r, "common.copy", s);
    add_field(&r, s, 1, 3, dt, g, DATA_SPECIAL);
    add_field(&r, s, 2, 3, dt, g, DATA_UNIFORM);
    run_both(&r);
    ok(compare_fields(&r, 2, 0, "copy"), "copy %s %s: halo 1 -> halo 2, NaN/Inf bits kept, bitwise", sh, tn(dt));
    run_free(&r);

    setup(&r, "common.axpy", s);
    add_field(&r, s, 2, 2, dt, g, DATA_UNIFORM);
    add_field(&r, s, 1, 2, dt, g, DATA_UNIFORM);
    r.tmpl.param[0] = -0.7;
    run_both(&r);
    ok(compare_fields(&r, 2, 0, "axpy"), "axpy %s %s: y + a*x bitwise (no FMA)", sh, tn(dt));
    run_free(&r);

    setup(&r, "common.scale", s);
    add_field(&r, s, 1, 3, dt, g, DATA_WIDE);
    r.tmpl.param[0] = 1.3;
    run_both(&r);
    ok(compare_fields(&r, 1, 0, "scale"), "scale %s %s: a*x bitwise (wide range, subnormals)", sh, tn(dt));
    run_free(&r);

    setup(&r, "common.noise", s);
    add_field(&r, s, 1, 2, dt, g, DATA_UNIFORM);
    r.tmpl.param[SD_NOISE_SEED] = 987654321, r.tmpl.param[SD_NOISE_LO] = -2.5, r.tmpl.param[SD_NOISE_HI] = 4;
    run_both(&r);
    ok(compare_fields(&r, 1, 0, "noise"), "noise %s %s (origin %lld,%lld,%lld): bitwise", sh, tn(dt), (long long)s->org[0],
       (long long)s->org[1], (long long)s->org[2]);
    run_free(&r);
}

static void test_common_reductions(const shape *s, int dt, rng *g, int kinds)
{
    const char *sh = s->nd == 1 ? "1D" : s->nd == 2 ? "2D" : "3D";
    const char *kn[] = {"uniform", "wide range", "NaN/Inf"};
    const char *ops[] = {"common.sum", "common.max_abs", "common.count_nonfinite"};
    for (int kind = 0; kind < 3; kind++) {
        if (!(kinds >> kind & 1)) continue;
        for (int o = 0; o < 3; o++) {
            run r;
            setup(&r, ops[o], s);
            add_field(&r, s, 2, 2, dt, g, kind);
            r.nacc = 1;
            if (o == 0) r.tmpl.param[0] = 0.37;
            run_both(&r);
            const int fields = compare_fields(&r, 0, 0, ops[o]);
            const int accs = acc_equal(&r.acpu[0], &r.agpu[0]);
            if (!ok(fields && accs, "%s %s %s, %s data (%lld values): partial bitwise (limbs, count, nonfinite, extremes, sum)",
                    ops[o], sh, tn(dt), kn[kind], (long long)r.acpu[0].count))
                acc_diag(&r.acpu[0], &r.agpu[0]);
            run_free(&r);
        }
    }
}

/* ---- halo kernels ----------------------------------------------------------------------------- */
enum { H_PACK, H_UNPACK, H_WRAP, H_REFLECT, H_FIXED, H_ABSORB, H_ABSORB_NOOLD, H_N };
static const char *HN[] = {"pack", "unpack", "wrap", "reflect", "fixed", "absorb", "absorb (no old level)"};

static int halo_case(int kind, int nd, const int64_t n[3], int h, int nc, int dt, int d, int side, rng *g)
{
    sd_halo_geom geom;
    sd_halo_geom_make(&geom, nd, n, h, nc, dt);
    tbuf t, old;
    tbuf_alloc(&t, nd, n, h, nc, dt);
    tbuf_alloc(&old, nd, n, h, nc, dt);
    tbuf_random(&t, g, -10, 10);
    tbuf_random(&old, g, -10, 10);
    const size_t es = esz(dt), tb = tbuf_bytes(&t), fb = (size_t)sd_face_count(&geom, d) * es;
    void *face = malloc(fb ? fb : 1);
    for (size_t x = 0; x < fb / es; x++) {
        const double v = rng_range(g, -10, 10);
        if (dt == SD_F64) ((double *)face)[x] = v;
        else ((float *)face)[x] = (float)v;
    }
    void *dt_ = dev_copy(t.mem, tb), *dold = dev_copy(old.mem, tb), *dface = dev_copy(face, fb);
    const double k = 0.3;
    switch (kind) {
    case H_PACK:
        sd_halo_pack(&geom, t.mem, d, side, face);
        sd_halo_pack_cuda(&geom, dt_, d, side, dface, S);
        break;
    case H_UNPACK:
        sd_halo_unpack(&geom, t.mem, d, side, face);
        sd_halo_unpack_cuda(&geom, dt_, d, side, dface, S);
        break;
    case H_WRAP:
        sd_halo_wrap(&geom, t.mem, d, side);
        sd_halo_wrap_cuda(&geom, dt_, d, side, S);
        break;
    case H_REFLECT:
        sd_halo_reflect(&geom, t.mem, d, side);
        sd_halo_reflect_cuda(&geom, dt_, d, side, S);
        break;
    case H_FIXED:
        sd_halo_fixed(&geom, t.mem, d, side, 7.1);
        sd_halo_fixed_cuda(&geom, dt_, d, side, 7.1, S);
        break;
    case H_ABSORB:
        sd_halo_absorb(&geom, t.mem, old.mem, d, side, k);
        sd_halo_absorb_cuda(&geom, dt_, dold, d, side, k, S);
        break;
    default:
        sd_halo_absorb(&geom, t.mem, NULL, d, side, k);
        sd_halo_absorb_cuda(&geom, dt_, NULL, d, side, k, S);
        break;
    }
    sync_check(HN[kind]);
    void *gt = host_copy(dt_, tb), *gf = host_copy(dface, fb), *go = host_copy(dold, tb);
    int good = first_diff(gt, t.mem, t.total, dt) < 0 && first_diff(go, old.mem, old.total, dt) < 0 &&
               (kind != H_PACK || !memcmp(gf, face, fb));
    if (!good) {
        int64_t x = first_diff(gt, t.mem, t.total, dt);
        diag("  %s: tile element %lld gpu %.17g cpu %.17g", HN[kind], (long long)x, x >= 0 ? elem(gt, dt, x) : 0.0,
             x >= 0 ? elem(t.mem, dt, x) : 0.0);
    }
    CK(cudaFree(dt_));
    CK(cudaFree(dold));
    CK(cudaFree(dface));
    free(gt), free(gf), free(go), free(face);
    tbuf_free(&t), tbuf_free(&old);
    return good;
}

static void test_halo(rng *g)
{
    struct {
        int nd;
        int64_t n[3];
    } hs[] = {{1, {37, 1, 1}}, {2, {19, 7, 1}}, {3, {9, 5, 3}}, {3, {67, 33, 17}}, {3, {1, 2, 1}}};
    for (int kind = 0; kind < H_N; kind++) {
        int cases = 0, good = 1;
        for (size_t si = 0; si < sizeof hs / sizeof hs[0]; si++)
            for (int h = 1; h <= 2; h++)
                for (int nc = 1; nc <= 2; nc++)
                    for (int dt = 0; dt < 2; dt++)
                        for (int d = 0; d < hs[si].nd; d++)
                            for (int side = 0; side < 2; side++) {
                                /* pack, unpack and wrap need h interior layers (the tiling's rule); reflect,
                                 * fixed and absorb also run on tiles thinner than the halo */
                                if (hs[si].n[d] < h && (kind == H_PACK || kind == H_UNPACK || kind == H_WRAP)) continue;
                                cases++;
                                if (!halo_case(kind, hs[si].nd, hs[si].n, h, nc, dt, d, side, g)) {
                                    if (good)
                                        diag("  first failure: %dD %lldx%lldx%lld h %d ncomp %d %s axis %d side %d", hs[si].nd,
                                             (long long)hs[si].n[0], (long long)hs[si].n[1], (long long)hs[si].n[2], h, nc, tn(dt),
                                             d, side);
                                    good = 0;
                                }
                            }
        ok(good, "halo %s: %d cases (1D/2D/3D, thin tiles, halo 1-2, 1-2 components, f64/f32, every axis and side) bitwise",
           HN[kind], cases);
    }
}

/* ---- kernel_cuda.cuh's reduction, directly -------------------------------------------------- */
__global__ void fold_kernel(const double *x, int64_t n, sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    SD_CUDA_FOR_3D(i, j, k, n, 1, 1) sd_cuda_acc_add(&t[0], &sb[0], x[i]);
    sd_cuda_red_end(sb, t, 1, acc);
}

/* acc (host, possibly holding a partial already) += x[0..n) on the device in `launches` launches
 * of at most max_blocks blocks each (few blocks: many adds per thread window). */
static void fold_gpu(sd_acc *acc, const double *x, int64_t n, int launches, int64_t max_blocks)
{
    double *dx = (double *)dev_copy(x, sizeof(double) * n);
    sd_acc *da = (sd_acc *)dev_copy(acc, sizeof *acc);
    for (int l = 0; l < launches; l++) {
        const int64_t lo = n * l / launches, hi = n * (l + 1) / launches;
        dim3 gr, bl;
        if (sd_cuda_dims(hi - lo, 1, 1, max_blocks, &gr, &bl)) fold_kernel<<<gr, bl, 0, S>>>(dx + lo, hi - lo, da);
    }
    sync_check("fold_kernel");
    CK(cudaMemcpy(acc, da, sizeof *acc, cudaMemcpyDeviceToHost));
    CK(cudaFree(dx));
    CK(cudaFree(da));
}

static void test_reduction_direct(rng *g)
{
    const int64_t n = 1 << 20;
    double *x = (double *)malloc(sizeof(double) * n);
    const char *names[] = {"every add in another window (exponents far apart, both signs)",
                           "values next to DBL_MAX (top limbs, carries into limb 66)",
                           "subnormals and zeros (limbs 0-1)",
                           "one exponent group, alternating signs (heavy cancellation)"};
    for (int v = 0; v < 4; v++) {
        for (int64_t i = 0; i < n; i++) {
            double y;
            if (v == 0) y = ldexp(1.0 + rng_unit(g), (i % 2 ? 600 : -700) + (int)(rng_u64(g) % 200));
            else if (v == 1) y = DBL_MAX * (0.5 + 0.5 * rng_unit(g));
            else if (v == 2) y = i % 7 == 0 ? 0.0 : ldexp(rng_unit(g), -1060);
            else y = (1.0 + rng_unit(g)) * 1e10;
            x[i] = (rng_u64(g) & 1) ? -y : y;
        }
        if (v == 1)
            for (int64_t i = 0; i < n; i++) x[i] = fabs(x[i]); /* a total far beyond DBL_MAX: exact in the limbs */
        /* start from a partial that already holds values, as merged partials do */
        sd_acc cpu, start;
        sd_acc_init(&start);
        for (int i = 0; i < 1000; i++) sd_acc_add(&start, wide(g, SD_F64));
        cpu = start;
        for (int64_t i = 0; i < n; i++) sd_acc_add(&cpu, x[i]);
        const int64_t grids[2] = {SD_CUDA_RED_MAX_BLOCKS, 3};
        for (int q = 0; q < 2; q++) {
            sd_acc gpu = start;
            fold_gpu(&gpu, x, n, v == 3 ? 7 : 1, grids[q]);
            if (!ok(acc_equal(&cpu, &gpu) && gpu.nadd > 0 && gpu.nadd < SD_XSUM_NADD_MAX,
                    "exact device reduction, %s%s, %s: limbs, counts, extremes bitwise", names[v],
                    v == 3 ? ", 7 launches" : "", q ? "3 blocks (~1365 adds per thread)" : "full grid"))
                acc_diag(&cpu, &gpu);
        }
    }
    free(x);
}

/* ---- detmath.h: the same bits on the device ------------------------------------------------- */
enum { DM_EXP, DM_LOG, DM_POW, DM_SIN, DM_COS, DM_ATAN, DM_ATAN2, DM_ASIN, DM_N };
static const char *DMN[] = {"exp", "log", "pow", "sin", "cos", "atan", "atan2", "asin"};
__host__ __device__ static double dm_eval(int f, double x, double y)
{
    switch (f) {
    case DM_EXP: return sd_exp(x);
    case DM_LOG: return sd_log(x);
    case DM_POW: return sd_pow(x, y);
    case DM_SIN: return sd_sin(x);
    case DM_COS: return sd_cos(x);
    case DM_ATAN: return sd_atan(x);
    case DM_ATAN2: return sd_atan2(x, y);
    default: return sd_asin(x);
    }
}
__global__ void dm_kernel(int f, const double *x, const double *y, double *out, int64_t n)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        out[i] = dm_eval(f, x[i], y[i]);
}
static void test_detmath(rng *g)
{
    const int64_t n = 1 << 20;
    double *x = (double *)malloc(sizeof(double) * n), *y = (double *)malloc(sizeof(double) * n);
    double *cpu = (double *)malloc(sizeof(double) * n), *gpu = (double *)malloc(sizeof(double) * n);
    const double sp[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-310, -1e-310, 709.78, -745.1, 1e300, -1e300,
                         INFINITY, -INFINITY, NAN, 1.5707963267948966, 3.141592653589793, 1647099.0};
    const int nsp = (int)(sizeof sp / sizeof sp[0]);
    for (int f = 0; f < DM_N; f++) {
        for (int64_t i = 0; i < n; i++) {
            if (i < nsp * nsp) { /* every pair of special values */
                x[i] = sp[i % nsp], y[i] = sp[i / nsp];
                continue;
            }
            const double u = rng_range(g, -1, 1), v = rng_range(g, -1, 1);
            switch (f) {
            case DM_EXP: x[i] = 750 * u; break;
            case DM_LOG: x[i] = ldexp(fabs(u) + 0.5, (int)(1070 * v)); break;
            case DM_POW: x[i] = ldexp(fabs(u) + 0.5, (int)(40 * v)), y[i] = 30 * rng_range(g, -1, 1); break;
            case DM_ATAN2: x[i] = ldexp(u, (int)(30 * v)), y[i] = ldexp(rng_range(g, -1, 1), (int)(30 * u)); break;
            case DM_ASIN: x[i] = u; break;
            default: x[i] = ldexp(u, (int)(60 * fabs(v))); break; /* past 2^20 pi/2 too: the fmod path */
            }
            if (f != DM_POW && f != DM_ATAN2) y[i] = 0;
        }
        for (int64_t i = 0; i < n; i++) cpu[i] = dm_eval(f, x[i], y[i]);
        double *dx = (double *)dev_copy(x, sizeof(double) * n), *dy = (double *)dev_copy(y, sizeof(double) * n);
        double *dout = NULL;
        CK(cudaMalloc(&dout, sizeof(double) * n));
        CK(cudaMemsetAsync(dout, 0xff, sizeof(double) * n, S)); /* NaN: every result must be written */
        dm_kernel<<<256, 256, 0, S>>>(f, dx, dy, dout, n);
        sync_check("dm_kernel");
        to_host(gpu, dout, sizeof(double) * n);
        int64_t bad = -1;
        for (int64_t i = 0; i < n && bad < 0; i++)
            if (memcmp(&cpu[i], &gpu[i], sizeof(double)) != 0 && !(isnan(cpu[i]) && isnan(gpu[i]))) bad = i;
        if (!ok(bad < 0, "detmath sd_%s: %lld arguments (special values and random over its range), device bitwise the host",
                DMN[f], (long long)n))
            diag("  first difference at x = %.17g, y = %.17g: host %.17g, device %.17g", x[bad], y[bad], cpu[bad], gpu[bad]);
        CK(cudaFree(dx));
        CK(cudaFree(dy));
        CK(cudaFree(dout));
    }
    free(x), free(y), free(cpu), free(gpu);
}

int main(void)
{
    cuda_run_begin(ENTRIES, NENTRIES, "common");

    rng g = {20240611};
    const shape shapes[] = {
        {1, {37, 1, 1}, {5, 0, 0}, {100, 1, 1}},
        {1, {1000, 1, 1}, {0, 0, 0}, {1000, 1, 1}},
        {2, {19, 7, 1}, {3, 0, 0}, {40, 7, 1}},
        {2, {300, 3, 1}, {0, 2, 0}, {300, 9, 1}},
        {3, {9, 5, 3}, {0, 4, 2}, {20, 9, 5}},
        {3, {67, 33, 17}, {10, 0, 0}, {100, 33, 40}},
        {3, {1, 1, 1}, {0, 0, 0}, {1, 1, 1}},
    };
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    for (int si = 0; si < nshapes; si++)
        for (int dt = 0; dt < 2; dt++) {
            test_common_pointwise(&shapes[si], dt, &g);
            test_common_reductions(&shapes[si], dt, &g, 7);
        }
    /* 21M cells: more blocks than one reduction launch takes (grid-stride over a capped grid) */
    {
        const shape big = {3, {512, 256, 160}, {0, 0, 0}, {512, 256, 160}};
        test_common_reductions(&big, SD_F32, &g, 2);
    }
    test_halo(&g);
    test_reduction_direct(&g);
    test_detmath(&g);
    CK(cudaStreamDestroy(S));
    return tap_done();
}
