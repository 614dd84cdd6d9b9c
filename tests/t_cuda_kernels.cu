/* t_cuda_kernels.cu - every CUDA kernel against its CPU version, on the same inputs.
 *
 * For each codelet with a CUDA implementation (common: fill, copy, axpy, scale, noise, sum,
 * max_abs, count_nonfinite; lattice: kg_leapfrog, energy, gaussian_packet, plane_wave,
 * mode_projection) and each halo kernel (pack, unpack, wrap, reflect, fixed, absorb), on 1D/2D/3D
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
 *    launches into one accumulator.
 * With SD_HAVE_CUDA the registry's .cuda pointers must be these functions, and every registered
 * common/lattice codelet with a .cuda must be covered here (other packs have their own tests). Prints "1..0 # SKIP" and exits 77 without a usable
 * CUDA device. */
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
#include "lattice/lattice_kernels.h"
#include "halo.h"

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

/* ---- the table of CUDA functions under test --------------------------------------------------- */
typedef struct entry {
    const char *name;
    sd_cuda_fn fn;
} entry;
static const entry ENTRIES[] = {
    {"common.fill", sd_common_fill_cuda},
    {"common.copy", sd_common_copy_cuda},
    {"common.axpy", sd_common_axpy_cuda},
    {"common.scale", sd_common_scale_cuda},
    {"common.noise", sd_common_noise_cuda},
    {"common.sum", sd_common_sum_cuda},
    {"common.max_abs", sd_common_max_abs_cuda},
    {"common.count_nonfinite", sd_common_count_nonfinite_cuda},
    {"lattice.kg_leapfrog", sd_lattice_kg_leapfrog_cuda},
    {"lattice.energy", sd_lattice_energy_cuda},
    {"lattice.gaussian_packet", sd_lattice_gaussian_packet_cuda},
    {"lattice.plane_wave", sd_lattice_plane_wave_cuda},
    {"lattice.mode_projection", sd_lattice_mode_projection_cuda},
};
#define NENTRIES (int)(sizeof ENTRIES / sizeof ENTRIES[0])
static sd_cuda_fn fn_of(const char *name)
{
    for (int i = 0; i < NENTRIES; i++)
        if (!strcmp(ENTRIES[i].name, name)) return ENTRIES[i].fn;
    return NULL;
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

/* ---- lattice pack ----------------------------------------------------------------------------- */
static void test_lattice(const shape *s, int dt, rng *g)
{
    const char *sh = s->nd == 1 ? "1D" : s->nd == 2 ? "2D" : "3D";
    run r;

    /* leapfrog: E with halo 1 and 2, the other buffers with their own widths */
    for (int h = 1; h <= 2; h++) {
        setup(&r, "lattice.kg_leapfrog", s);
        add_field(&r, s, h, 1, dt, g, DATA_UNIFORM);     /* E */
        add_field(&r, s, 0, 1, dt, g, DATA_UNIFORM);     /* E_prev */
        add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);     /* chi */
        add_field(&r, s, 3 - h, 1, dt, g, DATA_UNIFORM); /* E_next */
        r.tmpl.param[KG_LF_C] = 0.9, r.tmpl.param[KG_LF_ORDER] = 2;
        run_both(&r);
        ok(compare_fields(&r, 8, 0, "kg_leapfrog"), "kg_leapfrog %s %s, E halo %d: bitwise, ghosts untouched", sh, tn(dt), h);
        run_free(&r);
    }

    /* energy: periodic; fixed x + absorbing z (face terms where the tile holds index 0) */
    for (int v = 0; v < 2; v++) {
        setup(&r, "lattice.energy", s);
        add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM); /* E_next */
        add_field(&r, s, 2, 1, dt, g, DATA_UNIFORM); /* E */
        add_field(&r, s, 0, 1, dt, g, DATA_UNIFORM); /* chi */
        r.nacc = 1;
        r.tmpl.param[KG_EN_C] = 1.1, r.tmpl.param[KG_EN_ORDER] = 2;
        if (v) {
            r.tmpl.bc[0] = SD_BC_FIXED, r.tmpl.bc[1] = SD_BC_REFLECTIVE, r.tmpl.bc[2] = SD_BC_ABSORBING;
            r.tmpl.bc[s->nd - 1] = SD_BC_ABSORBING;
        }
        run_both(&r);
        const int good = compare_fields(&r, 0, 0, "energy") && acc_equal(&r.acpu[0], &r.agpu[0]);
        if (!ok(good, "energy %s %s, %s: partial bitwise", sh, tn(dt), v ? "fixed/absorbing low faces" : "periodic"))
            acc_diag(&r.acpu[0], &r.agpu[0]);
        run_free(&r);
    }

    /* initialisers (libm: within cuda_tol; f64 held to 1e-14) */
    setup(&r, "lattice.gaussian_packet", s);
    add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);
    add_field(&r, s, 2, 1, dt, g, DATA_UNIFORM);
    r.tmpl.param[KG_GP_A] = 1.5, r.tmpl.param[KG_GP_W] = 0.07 * (double)s->shape[0] * DX[0];
    r.tmpl.param[KG_GP_KX] = 30, r.tmpl.param[KG_GP_KY] = -20, r.tmpl.param[KG_GP_KZ] = 10, r.tmpl.param[KG_GP_CHI] = 0.5;
    r.tmpl.param[KG_GP_ORDER] = 2;
    run_both(&r);
    ok(r.cl->cuda_tol > 0 && compare_fields(&r, 3, 1e-14, "gaussian_packet"),
       "gaussian_packet %s %s: within %s, ghosts untouched", sh, tn(dt), dt == SD_F64 ? "1e-14" : "cuda_tol");
    run_free(&r);

    setup(&r, "lattice.plane_wave", s);
    add_field(&r, s, 2, 1, dt, g, DATA_UNIFORM);
    add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);
    r.tmpl.param[KG_PW_A] = 1.25, r.tmpl.param[KG_PW_MX] = 2, r.tmpl.param[KG_PW_MY] = -1, r.tmpl.param[KG_PW_MZ] = 3;
    r.tmpl.param[KG_PW_PHASE] = 0.4, r.tmpl.param[KG_PW_CHI] = 0.3, r.tmpl.param[KG_PW_ORDER] = 2;
    run_both(&r);
    ok(r.cl->cuda_tol > 0 && compare_fields(&r, 3, 1e-14, "plane_wave"),
       "plane_wave %s %s: within %s, ghosts untouched", sh, tn(dt), dt == SD_F64 ? "1e-14" : "cuda_tol");
    run_free(&r);

    /* mode projection of random data: |diff| <= 8 ulp * sum |E| (+ the two roundings) */
    setup(&r, "lattice.mode_projection", s);
    add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);
    r.nacc = 2;
    r.tmpl.param[KG_MP_MX] = 2, r.tmpl.param[KG_MP_MY] = 1, r.tmpl.param[KG_MP_MZ] = -1;
    run_both(&r);
    {
        double sabs = 0;
        char *m = interior_mask(&r.b[0]);
        for (int64_t x = 0; x < r.b[0].total; x++)
            if (m[x]) sabs += fabs(elem(r.b[0].mem, dt, x));
        free(m);
        int good = compare_fields(&r, 0, 0, "mode_projection");
        for (int k = 0; k < 2; k++) {
            const double c = sd_acc_sum(&r.acpu[k]), q = sd_acc_sum(&r.agpu[k]);
            const double bound = 8 * DBL_EPSILON / 2 * sabs + 4 * DBL_EPSILON * fabs(c);
            good &= fabs(c - q) <= bound && r.acpu[k].count == r.agpu[k].count && r.agpu[k].nonfinite == 0;
            diag("  mode_projection %s: cpu %.17g gpu %.17g |diff| %.3g (bound %.3g)", k ? "im" : "re", c, q, fabs(c - q), bound);
        }
        ok(good, "mode_projection %s %s, random E: re, im within 8 ulp of sum |E|, counts equal", sh, tn(dt));
    }
    run_free(&r);
}

/* mode_projection of the wave it projects on: the use it is for, held to cuda_tol itself. */
static void test_projection_of_wave(const shape *s, int dt, rng *g)
{
    run w;
    setup(&w, "lattice.plane_wave", s);
    add_field(&w, s, 1, 1, dt, g, DATA_UNIFORM);
    add_field(&w, s, 1, 1, dt, g, DATA_UNIFORM);
    w.tmpl.param[KG_PW_A] = 0.8, w.tmpl.param[KG_PW_MX] = 3, w.tmpl.param[KG_PW_MY] = 1, w.tmpl.param[KG_PW_MZ] = 2;
    w.tmpl.param[KG_PW_PHASE] = 1.1, w.tmpl.param[KG_PW_ORDER] = 2;
    w.tmpl.origin[0] = w.tmpl.origin[1] = w.tmpl.origin[2] = 0;
    for (int d = 0; d < 3; d++) w.tmpl.shape[d] = d < s->nd ? s->n[d] : 1;
    run_both(&w); /* CPU wave in w.b[0] */
    run r;
    setup(&r, "lattice.mode_projection", s);
    r.tmpl = w.tmpl;
    for (int p = 0; p < r.cl->nparams; p++) r.tmpl.param[p] = 0;
    r.tmpl.param[KG_MP_MX] = 3, r.tmpl.param[KG_MP_MY] = 1, r.tmpl.param[KG_MP_MZ] = 2;
    r.nb = 1;
    tbuf_alloc(&r.b[0], s->nd, s->n, 1, 1, dt);
    memcpy(r.b[0].mem, w.b[0].mem, tbuf_bytes(&w.b[0]));
    r.nacc = 2;
    run_both(&r);
    int good = 1;
    for (int k = 0; k < 2; k++) {
        const double c = sd_acc_sum(&r.acpu[k]), q = sd_acc_sum(&r.agpu[k]);
        good &= fabs(c - q) <= r.cl->cuda_tol * fabs(c);
        diag("  projection of the wave, %s: cpu %.17g gpu %.17g rel %.3g", k ? "im" : "re", c, q, fabs(c - q) / fabs(c));
    }
    ok(good, "mode_projection of its plane wave %s %s: re, im within cuda_tol = %g", s->nd == 3 ? "3D" : s->nd == 2 ? "2D" : "1D",
       tn(dt), r.cl->cuda_tol);
    run_free(&r);
    run_free(&w);
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

/* ---- registry ----------------------------------------------------------------------------- */
static void test_registry(void)
{
    int good = 1, with = 0;
    for (int i = 0; i < NENTRIES; i++) {
        const sd_codelet *c = sd_codelet_find(ENTRIES[i].name);
        if (!c) {
            diag("  %s is not registered", ENTRIES[i].name);
            good = 0;
            continue;
        }
        if (!(c->cuda_tol >= 0 && c->cuda_tol < 1e-6)) good = 0, diag("  %s: cuda_tol %g out of range", c->name, c->cuda_tol);
#ifdef SD_HAVE_CUDA
        if (c->cuda != ENTRIES[i].fn) good = 0, diag("  %s: registered .cuda is not %s's CUDA function", c->name, c->name);
#endif
    }
    for (int i = 0; i < sd_codelet_count(); i++) { /* the packs tested here (others test their own) */
        const sd_codelet *c = sd_codelet_at(i);
        if (!c->cuda || (strncmp(c->name, "common.", 7) && strncmp(c->name, "lattice.", 8))) continue;
        with++;
        if (!fn_of(c->name)) good = 0, diag("  %s has a .cuda that this test does not cover", c->name);
    }
#ifdef SD_HAVE_CUDA
    ok(good && with == NENTRIES, "registry: %d common/lattice codelets with .cuda, all tested here, cuda_tol declared", with);
#else
    ok(good && with == 0, "registry (library without CUDA): no .cuda registered; the %d tested ops declare cuda_tol", NENTRIES);
#endif
}

int main(void)
{
    require_cuda_device();
    CK(cudaStreamCreateWithFlags(&S, cudaStreamNonBlocking));
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    diag("device 0: %s (sm_%d%d)", prop.name, prop.major, prop.minor);
    sd_register_builtin_codelets();
    test_registry();

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
            test_lattice(&shapes[si], dt, &g);
        }
    /* 21M cells: more blocks than one reduction launch takes (grid-stride over a capped grid) */
    {
        const shape big = {3, {512, 256, 160}, {0, 0, 0}, {512, 256, 160}};
        test_common_reductions(&big, SD_F32, &g, 2);
    }
    {
        const shape w1 = {1, {64, 1, 1}, {0, 0, 0}, {64, 1, 1}}, w3 = {3, {32, 24, 20}, {0, 0, 0}, {32, 24, 20}};
        for (int dt = 0; dt < 2; dt++) {
            test_projection_of_wave(&w1, dt, &g);
            test_projection_of_wave(&w3, dt, &g);
        }
    }
    test_halo(&g);
    test_reduction_direct(&g);
    CK(cudaStreamDestroy(S));
    return tap_done();
}
