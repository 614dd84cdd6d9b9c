/* cuda_run.h - the harness of the CUDA-vs-CPU kernel tests (t_cuda_kernels.cu, t_cuda_lattice.cu):
 * one codelet run on host buffers by its CPU function and on device copies by its CUDA function
 * (run_both), the comparison of the results (compare_fields: bitwise when cuda_tol = 0, ghosts and
 * read-only buffers untouched; acc_equal: reduction partials), random inputs (uniform, a huge
 * dynamic range with subnormals and signed zeros, NaN/Inf). Include after tap.h,
 * cuda_test_util.h and kernel_util.h, in one .cu file per test program, which defines
 * fn_of(name): the CUDA function under test for a codelet. */
#ifndef SD_CUDA_RUN_H
#define SD_CUDA_RUN_H
#include <math.h>
#include <string.h>
#include "stardag/codelet.h"
#include "stardag/kernel_cuda.cuh"

/* The CUDA functions under test: the test's table, and fn_of(name) looking it up. */
typedef struct entry {
    const char *name;
    sd_cuda_fn fn;
} entry;
static sd_cuda_fn fn_of(const char *name);

static const char *tn(int dt) { return dt == SD_F64 ? "f64" : "f32"; }
static size_t esz(int dt) { return dt == SD_F64 ? 8 : 4; }

/* 1 where an element of b is interior. */
static char *interior_mask(const tbuf *b)
{
    char *m = (char *)calloc((size_t)b->total, 1);
    for (int c = 0; c < b->ncomp; c++)
        for (int64_t k = 0; k < (b->ndim > 2 ? b->n[2] : 1); k++)
            for (int64_t j = 0; j < (b->ndim > 1 ? b->n[1] : 1); j++)
                for (int64_t i = 0; i < b->n[0]; i++) m[b->off + tbuf_idx(b, i, j, k, c)] = 1;
    return m;
}
static double elem(const void *mem, int dt, int64_t x)
{
    return dt == SD_F64 ? ((const double *)mem)[x] : (double)((const float *)mem)[x];
}
/* First element where two buffers differ bitwise, or -1. */
static int64_t first_diff(const void *a, const void *b, int64_t n, int dt)
{
    const size_t es = esz(dt);
    for (int64_t x = 0; x < n; x++)
        if (memcmp((const char *)a + x * es, (const char *)b + x * es, es)) return x;
    return -1;
}

/* ---- accumulators -------------------------------------------------------------------------- */
/* Equal extremes: bitwise, except that -0.0 and +0.0 count as equal (kernel_cuda.cuh: which zero
 * an extreme keeps depends on the order on the CPU too). */
static int same_extreme(double a, double b) { return same_bits(a, b) || (a == 0 && b == 0); }
static int acc_equal(const sd_acc *cpu, const sd_acc *gpu)
{
    return acc_same(cpu, gpu) && cpu->count == gpu->count && cpu->nonfinite == gpu->nonfinite &&
           same_extreme(cpu->maxv, gpu->maxv) && same_extreme(cpu->minv, gpu->minv) &&
           same_bits(sd_acc_sum(cpu), sd_acc_sum(gpu));
}
static void acc_diag(const sd_acc *cpu, const sd_acc *gpu)
{
    diag("  cpu: sum %.17g count %lld nonfinite %lld max %.17g min %.17g", sd_acc_sum(cpu), (long long)cpu->count,
         (long long)cpu->nonfinite, cpu->maxv, cpu->minv);
    diag("  gpu: sum %.17g count %lld nonfinite %lld max %.17g min %.17g", sd_acc_sum(gpu), (long long)gpu->count,
         (long long)gpu->nonfinite, gpu->maxv, gpu->minv);
}

/* ---- one codelet run on both sides ---------------------------------------------------------- */
typedef struct shape {
    int nd;
    int64_t n[3], org[3], shape[3];
} shape;

typedef struct run {
    const sd_codelet *cl;
    sd_cuda_fn fn;
    sd_tile_args tmpl; /* ndim, n, origin, shape, dx, bc, params, dt (buffers added by run_both) */
    int nb;            /* field roles */
    tbuf b[SD_MAX_BUFS];       /* inputs; after run_both: the CPU's results */
    void *orig[SD_MAX_BUFS];   /* inputs as they were */
    void *gpu[SD_MAX_BUFS];    /* the CUDA function's results (host copies) */
    int nacc;
    sd_acc acpu[SD_MAX_ACC], agpu[SD_MAX_ACC];
} run;

static void run_both(run *r)
{
    sd_tile_args ah = r->tmpl, ad = r->tmpl;
    void *dmem[SD_MAX_BUFS];
    for (int i = 0; i < r->nb; i++) {
        const size_t bytes = tbuf_bytes(&r->b[i]);
        r->orig[i] = malloc(bytes);
        memcpy(r->orig[i], r->b[i].mem, bytes);
        dmem[i] = dev_copy(r->b[i].mem, bytes);
        args_buf(&ah, i, &r->b[i]);
        args_buf(&ad, i, &r->b[i]);
        ad.p[i] = (char *)dmem[i] + r->b[i].off * (int64_t)esz(r->b[i].dtype);
    }
    sd_acc *dacc = NULL;
    for (int k = 0; k < r->nacc; k++) sd_acc_init(&r->acpu[k]);
    if (r->nacc) {
        dacc = (sd_acc *)dev_copy(r->acpu, sizeof(sd_acc) * r->nacc);
        ah.acc = r->acpu, ad.acc = dacc;
        ah.nacc = ad.nacc = r->nacc;
    }
    r->cl->cpu(&ah);
    r->fn(&ad, S);
    sync_check(r->cl->name);
    for (int i = 0; i < r->nb; i++) {
        r->gpu[i] = host_copy(dmem[i], tbuf_bytes(&r->b[i]));
        CK(cudaFree(dmem[i]));
    }
    if (r->nacc) {
        CK(cudaMemcpy(r->agpu, dacc, sizeof(sd_acc) * r->nacc, cudaMemcpyDeviceToHost));
        CK(cudaFree(dacc));
    }
}
static void run_free(run *r)
{
    for (int i = 0; i < r->nb; i++) {
        tbuf_free(&r->b[i]);
        free(r->orig[i]);
        free(r->gpu[i]);
    }
}

/* Buffers of the run compared as cuda_tol says; read-only buffers must be untouched. `written` is
 * a mask of the roles the op writes. f64 fields of a tolerant op are held to tol64 (tighter). */
static int compare_fields(const run *r, unsigned written, double tol64, const char *what)
{
    const double tol = r->cl->cuda_tol;
    int good = 1;
    for (int i = 0; i < r->nb; i++) {
        const tbuf *b = &r->b[i];
        const size_t es = esz(b->dtype);
        const char *role = r->cl->roles[i].name;
        if (!(written >> i & 1)) { /* read-only: the device copy is unchanged */
            const int64_t x = first_diff(r->gpu[i], r->orig[i], b->total, b->dtype);
            if (x >= 0) good = 0, diag("  %s: read-only role %s changed at element %lld", what, role, (long long)x);
            continue;
        }
        char *m = interior_mask(b);
        double mx = 0, worst = 0;
        for (int64_t x = 0; x < b->total; x++)
            if (m[x]) mx = fmax(mx, fabs(elem(b->mem, b->dtype, x)));
        const double t = tol == 0 ? 0 : b->dtype == SD_F64 && tol64 < tol ? tol64 : tol;
        for (int64_t x = 0; x < b->total; x++) {
            const char *gx = (const char *)r->gpu[i] + x * es;
            if (!m[x]) { /* ghost: untouched */
                if (memcmp(gx, (const char *)r->orig[i] + x * es, es)) {
                    good = 0;
                    diag("  %s role %s: ghost element %lld written", what, role, (long long)x);
                    break;
                }
                continue;
            }
            const double g = elem(r->gpu[i], b->dtype, x), c = elem(b->mem, b->dtype, x);
            if (t == 0 ? memcmp(gx, (const char *)b->mem + x * es, es) != 0 : !(fabs(g - c) <= t * mx)) {
                good = 0;
                diag("  %s role %s: element %lld gpu %.17g cpu %.17g (|diff| %.3g, allowed %.3g * max |cpu| %.3g)", what, role,
                     (long long)x, g, c, fabs(g - c), t, mx);
                break;
            }
            if (mx > 0) worst = fmax(worst, fabs(g - c) / mx);
        }
        if (t > 0) diag("  %s role %s: max |gpu - cpu| / max |cpu| = %.3g (allowed %.3g)", what, role, worst, t);
        free(m);
    }
    return good;
}

/* ---- input generators ------------------------------------------------------------------------ */
enum { DATA_UNIFORM, DATA_WIDE, DATA_SPECIAL };
/* random sign, 53-bit mantissa, exponent in [-300, 300]; some subnormals and signed zeros */
static double wide(rng *r, int dt)
{
    const uint64_t u = rng_u64(r);
    double v;
    if (u % 23 == 0) v = dt == SD_F64 ? 1e-310 * rng_unit(r) : 1e-40 * rng_unit(r); /* subnormal */
    else if (u % 29 == 0) v = 0.0;
    else v = ldexp(1.0 + rng_unit(r), dt == SD_F64 ? (int)(rng_u64(r) % 601) - 300 : (int)(rng_u64(r) % 201) - 100);
    return (rng_u64(r) & 1) ? -v : v;
}
static void fill_data(tbuf *b, rng *r, int kind)
{
    tbuf_random(b, r, -10, 10);
    if (kind == DATA_UNIFORM) return;
    for (int64_t x = 0; x < b->total; x++) {
        double v = wide(r, b->dtype);
        if (kind == DATA_SPECIAL) {
            const uint64_t u = rng_u64(r) % 97;
            if (u == 0) v = NAN;
            else if (u == 1) v = INFINITY;
            else if (u == 2) v = -INFINITY;
        }
        if (b->dtype == SD_F64) ((double *)b->mem)[x] = v;
        else ((float *)b->mem)[x] = (float)v;
    }
}

static const double DX[3] = {0.1, 0.2, 0.3};

static void tmpl_init(sd_tile_args *a, const shape *s)
{
    args_init(a, s->nd, s->n, s->org, s->shape, DX);
    a->dt = 0.01;
    a->step = 3;
}

static void setup(run *r, const char *name, const shape *s)
{
    memset(r, 0, sizeof *r);
    r->cl = sd_codelet_find(name);
    r->fn = fn_of(name);
    tmpl_init(&r->tmpl, s);
    for (int p = 0; p < r->cl->nparams; p++) r->tmpl.param[p] = r->cl->params[p].def;
}
static void add_field(run *r, const shape *s, int h, int nc, int dt, rng *g, int kind)
{
    tbuf *b = &r->b[r->nb++];
    tbuf_alloc(b, s->nd, s->n, h, nc, dt);
    fill_data(b, g, kind);
}
/* The registry against a test's table for pack `pack`: every entry registered with a cuda_tol in
 * range and (SD_HAVE_CUDA) this .cuda; every codelet of the pack with a .cuda in the table. */
static void test_registry(const entry *E, int n, const char *pack)
{
    int good = 1, with = 0;
    const size_t pl = strlen(pack);
    for (int i = 0; i < n; i++) {
        const sd_codelet *c = sd_codelet_find(E[i].name);
        if (!c) {
            diag("  %s is not registered", E[i].name);
            good = 0;
            continue;
        }
        if (!(c->cuda_tol >= 0 && c->cuda_tol < 1e-6)) good = 0, diag("  %s: cuda_tol %g out of range", c->name, c->cuda_tol);
#ifdef SD_HAVE_CUDA
        if (c->cuda != E[i].fn) good = 0, diag("  %s: registered .cuda is not %s's CUDA function", c->name, c->name);
#endif
    }
    for (int i = 0; i < sd_codelet_count(); i++) { /* the pack tested here (others test their own) */
        const sd_codelet *c = sd_codelet_at(i);
        if (!c->cuda || strncmp(c->name, pack, pl) || c->name[pl] != '.') continue;
        with++;
        if (!fn_of(c->name)) good = 0, diag("  %s has a .cuda that this test does not cover", c->name);
    }
#ifdef SD_HAVE_CUDA
    ok(good && with == n, "registry: %d %s codelets with .cuda, all tested here, cuda_tol declared", with, pack);
#else
    ok(good && with == 0, "registry (library without CUDA): no .cuda registered; the %d tested %s ops declare cuda_tol", n,
       pack);
#endif
}

/* A test program's start: skip (77) without a device, the stream S, the device's name, the bundled
 * codelets, and the registry check of `pack` against the test's table. */
static void cuda_run_begin(const entry *E, int n, const char *pack)
{
    require_cuda_device();
    CK(cudaStreamCreateWithFlags(&S, cudaStreamNonBlocking));
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    diag("device 0: %s (sm_%d%d)", prop.name, prop.major, prop.minor);
    sd_register_builtin_codelets();
    test_registry(E, n, pack);
}
#endif
