/* t_common_kernels.c - the common pack's CPU functions, called through the registry, against
 * plain loops: fill, copy, axpy, scale (bitwise, f64 and f32, 3 components, buffers with
 * different ghost widths whose ghosts must stay untouched), sum (exact accumulation both sides:
 * bitwise; long double: 1e-15), max_abs and count_nonfinite with NaN/Inf inputs, noise (the
 * documented splitmix64 formula, range, reproducible, independent of the tiling). */
#include <float.h>
#include <math.h>
#include "tap.h"
#include "kernel_util.h"
#include "stardag/codelet.h"

static const char *tn(int dt) { return dt == SD_F64 ? "f64" : "f32"; }

/* Interior of b equals want(i,j,k,c) bitwise (in b's type) and ghosts equal the saved copy. */
static int check_buf(const tbuf *b, const void *saved, double (*want)(const tbuf *, const void *, int64_t, int64_t, int64_t, int),
                     const void *ctx)
{
    size_t es = b->dtype == SD_F64 ? 8 : 4;
    char *mask = calloc((size_t)b->total, 1);
    int good = 1;
    for (int c = 0; c < b->ncomp; c++)
        for (int64_t k = 0; k < (b->ndim > 2 ? b->n[2] : 1); k++)
            for (int64_t j = 0; j < (b->ndim > 1 ? b->n[1] : 1); j++)
                for (int64_t i = 0; i < b->n[0]; i++) {
                    int64_t x = b->off + tbuf_idx(b, i, j, k, c);
                    mask[x] = 1;
                    double w = want(b, ctx, i, j, k, c), g = tbuf_get(b, i, j, k, c);
                    if (b->dtype == SD_F32) w = (float)w;
                    good &= same_bits(g, w);
                }
    for (int64_t x = 0; x < b->total; x++)
        if (!mask[x]) good &= !memcmp((char *)b->mem + x * es, (const char *)saved + x * es, es);
    free(mask);
    return good;
}

typedef struct ctx { const tbuf *x, *y0; double a; } ctx;
static double want_fill(const tbuf *b, const void *c, int64_t i, int64_t j, int64_t k, int n)
{
    (void)b, (void)i, (void)j, (void)k, (void)n;
    return ((const ctx *)c)->a;
}
static double want_copy(const tbuf *b, const void *c, int64_t i, int64_t j, int64_t k, int n)
{
    (void)b;
    return tbuf_get(((const ctx *)c)->x, i, j, k, n);
}
static double want_axpy(const tbuf *b, const void *c, int64_t i, int64_t j, int64_t k, int n)
{
    const ctx *q = c;
    double x = tbuf_get(q->x, i, j, k, n), y = tbuf_get(q->y0, i, j, k, n);
    if (b->dtype == SD_F32) return (float)y + (float)q->a * (float)x;
    return y + q->a * x;
}
static double want_scale(const tbuf *b, const void *c, int64_t i, int64_t j, int64_t k, int n)
{
    const ctx *q = c;
    double x = tbuf_get(q->y0, i, j, k, n);
    if (b->dtype == SD_F32) return (float)q->a * (float)x;
    return q->a * x;
}

/* common.noise reference, written independently from the formula in common_math.h: the standard
 * splitmix64 generator, its state started at mix(seed), yields the values of cells in linear order
 * ((c*Nz + z)*Ny + y)*Nx + x. */
static uint64_t ref_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static uint64_t ref_splitmix_next(uint64_t *state) { return ref_mix(*state += 0x9E3779B97F4A7C15ULL); }

/* One noise tile of a grid: origin o, extent n (halo 2, ncomp components); ghosts checked untouched. */
static int noise_tile(const sd_codelet *cl, tbuf *b, int nd, const int64_t n[3], const int64_t o[3], const int64_t shape[3],
                      int nc, int dt, double seed, double lo, double hi, rng *r)
{
    const double dx[3] = {1, 1, 1};
    tbuf_alloc(b, nd, n, 2, nc, dt);
    tbuf_random(b, r, -10, 10);
    void *saved = malloc(tbuf_bytes(b));
    memcpy(saved, b->mem, tbuf_bytes(b));
    sd_tile_args a;
    args_init(&a, nd, n, o, shape, dx);
    args_buf(&a, 0, b);
    a.param[0] = seed, a.param[1] = lo, a.param[2] = hi;
    cl->cpu(&a);
    char *mask = calloc((size_t)b->total, 1);
    for (int c = 0; c < nc; c++)
        for (int64_t k = 0; k < a.n[2]; k++)
            for (int64_t j = 0; j < a.n[1]; j++)
                for (int64_t i = 0; i < a.n[0]; i++) mask[b->off + tbuf_idx(b, i, j, k, c)] = 1;
    size_t es = dt == SD_F64 ? 8 : 4;
    int good = 1;
    for (int64_t x = 0; x < b->total; x++)
        if (!mask[x]) good &= !memcmp((char *)b->mem + x * es, (char *)saved + x * es, es);
    free(mask);
    free(saved);
    return good;
}

static void test_noise(void)
{
    const sd_codelet *cl = sd_codelet_find("common.noise");
    if (!ok(cl && cl->pattern == SD_POINTWISE && cl->nroles == 1 && cl->roles[0].mode == SD_WRITE && cl->nparams == 3 &&
                !strcmp(cl->params[0].name, "seed") && cl->params[0].def == 1 && !strcmp(cl->params[1].name, "lo") &&
                cl->params[1].def == -1 && !strcmp(cl->params[2].name, "hi") && cl->params[2].def == 1 && cl->cuda_tol == 0,
            "common.noise: out (W), params seed = 1, lo = -1, hi = 1, cuda_tol 0"))
        return;
    rng r = {7};
    const int nd = 3, nc = 2;
    const int64_t shape[3] = {11, 7, 5}, org0[3] = {0, 0, 0};
    const double lo = -2.5, hi = 4, seed = 4242;
    for (int dt = 0; dt < 2; dt++) {
        tbuf w, w2, s43;
        int ghosts = noise_tile(cl, &w, nd, shape, org0, shape, nc, dt, seed, lo, hi, &r);
        ghosts &= noise_tile(cl, &w2, nd, shape, org0, shape, nc, dt, seed, lo, hi, &r);
        ghosts &= noise_tile(cl, &s43, nd, shape, org0, shape, nc, dt, seed + 1, lo, hi, &r);
        ok(ghosts, "noise %s: ghosts untouched", tn(dt));
        /* the documented formula, from an independent splitmix64 stream */
        uint64_t st = ref_mix((uint64_t)seed);
        int formula = 1, range = 1, same = 1;
        int64_t differ = 0, cells = 0, low = 0, high = 0;
        double sum = 0;
        for (int c = 0; c < nc; c++)
            for (int64_t k = 0; k < shape[2]; k++)
                for (int64_t j = 0; j < shape[1]; j++)
                    for (int64_t i = 0; i < shape[0]; i++, cells++) {
                        const double u = (double)(ref_splitmix_next(&st) >> 11) * 0x1p-53, want = lo + (hi - lo) * u;
                        const double v = tbuf_get(&w, i, j, k, c);
                        formula &= same_bits(v, dt == SD_F64 ? want : (double)(float)want);
                        range &= v >= lo && v <= hi;
                        same &= same_bits(v, tbuf_get(&w2, i, j, k, c));
                        differ += v != tbuf_get(&s43, i, j, k, c);
                        low += v < lo + 0.1 * (hi - lo);
                        high += v > hi - 0.1 * (hi - lo);
                        sum += v;
                    }
        ok(formula, "noise %s: value = lo + (hi-lo) * u, u from splitmix64 at the cell's global linear index", tn(dt));
        ok(range, "noise %s: all %ld values in [lo, hi] = [%g, %g]", tn(dt), (long)cells, lo, hi);
        ok(same, "noise %s: reproducible (a second run gives the same bits)", tn(dt));
        ok(differ > cells * 99 / 100, "noise %s: seed + 1 changes %ld of %ld values", tn(dt), (long)differ, (long)cells);
        const double mean = sum / (double)cells;
        ok(fabs(mean - (lo + hi) / 2) < 0.1 * (hi - lo) && low > cells / 20 && high > cells / 20,
           "noise %s: not constant, spread over the range (mean %.3f, %ld in the lowest tenth, %ld in the highest)", tn(dt),
           mean, (long)low, (long)high);
        /* tiled: 2 x 3 x 2 tiles of uneven extents give the same values at the same global cells */
        const int64_t cx[3] = {0, 4, 11}, cy[4] = {0, 2, 3, 7}, cz[3] = {0, 3, 5};
        int tiled = 1;
        for (int a = 0; a < 2; a++)
            for (int b2 = 0; b2 < 3; b2++)
                for (int e = 0; e < 2; e++) {
                    const int64_t o[3] = {cx[a], cy[b2], cz[e]}, n[3] = {cx[a + 1] - cx[a], cy[b2 + 1] - cy[b2], cz[e + 1] - cz[e]};
                    tbuf t;
                    tiled &= noise_tile(cl, &t, nd, n, o, shape, nc, dt, seed, lo, hi, &r);
                    for (int c = 0; c < nc; c++)
                        for (int64_t k = 0; k < n[2]; k++)
                            for (int64_t j = 0; j < n[1]; j++)
                                for (int64_t i = 0; i < n[0]; i++)
                                    tiled &= same_bits(tbuf_get(&t, i, j, k, c), tbuf_get(&w, o[0] + i, o[1] + j, o[2] + k, c));
                    tbuf_free(&t);
                }
        ok(tiled, "noise %s: 12 uneven tiles give the single tile's values bitwise (independent of tiling)", tn(dt));
        tbuf_free(&w), tbuf_free(&w2), tbuf_free(&s43);
    }
    /* validate hook */
    char msg[256] = "";
    double prm[3] = {1.5, -1, 1};
    sd_check_info info = {.ndim = 1, .shape = {8, 1, 1}, .dx = {1, 1, 1}, .dt = 0.1, .param = prm};
    ok(cl->validate && cl->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "seed = 1.5 is not an integer"),
       "noise: a non-integer seed is refused (%s)", msg);
    prm[0] = 3, prm[1] = 2, prm[2] = 1;
    ok(cl->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "lo = 2 > hi = 1"), "noise: lo > hi is refused (%s)", msg);
    prm[1] = -1;
    ok(cl->validate(&info, msg, sizeof msg) == 0, "noise: seed 3, [-1, 1] accepted");
}

int main(void)
{
    sd_register_builtin_codelets();
    const char *names[] = {"common.fill", "common.copy", "common.axpy", "common.scale",
                           "common.sum", "common.max_abs", "common.count_nonfinite"};
    int found = 1;
    for (int i = 0; i < 7; i++) found &= sd_codelet_find(names[i]) != NULL;
    ok(found, "all 7 common codelets are registered");
    const sd_codelet *fill = sd_codelet_find("common.fill"), *copy = sd_codelet_find("common.copy"),
                     *axpy = sd_codelet_find("common.axpy"), *scale = sd_codelet_find("common.scale"),
                     *sum = sd_codelet_find("common.sum"), *maxa = sd_codelet_find("common.max_abs"),
                     *cnf = sd_codelet_find("common.count_nonfinite");
    if (!found) return tap_done();
    ok(sum->roles[1].reduce == SD_REDUCE_SUM && maxa->roles[1].reduce == SD_REDUCE_MAX &&
           cnf->roles[1].reduce == SD_REDUCE_COUNT_NONFINITE && axpy->roles[1].mode == SD_READWRITE,
       "roles declare the right access and reduce kinds");
    ok(sd_codelet_param_index(sum, "scale") == 0 && sum->params[0].def == 1.0 && axpy->params[0].def == 1.0,
       "parameters and defaults as documented");

    rng r = {42};
    const double dx[3] = {0.1, 0.2, 0.3};
    struct { int ndim; int64_t n[3]; } shapes[] = {{1, {9, 1, 1}}, {2, {7, 5, 1}}, {3, {7, 5, 3}}};
    for (int s = 0; s < 3; s++)
        for (int dt = 0; dt < 2; dt++) {
            const int nd = shapes[s].ndim;
            const int64_t *n = shapes[s].n, org[3] = {0, 0, 0};
            tbuf x, y, y0;
            tbuf_alloc(&x, nd, n, 1, 3, dt);
            tbuf_alloc(&y, nd, n, 2, 3, dt);
            tbuf_alloc(&y0, nd, n, 2, 3, dt);
            tbuf_random(&x, &r, -10, 10);
            tbuf_random(&y, &r, -10, 10);
            memcpy(y0.mem, y.mem, tbuf_bytes(&y));
            sd_tile_args a;
            ctx q = {&x, &y0, 0};

            /* fill */
            args_init(&a, nd, n, org, n, dx);
            args_buf(&a, 0, &y);
            q.a = a.param[0] = 3.25;
            fill->cpu(&a);
            ok(check_buf(&y, y0.mem, want_fill, &q), "fill %dD %s: interior = 3.25, ghosts untouched", nd, tn(dt));
            memcpy(y.mem, y0.mem, tbuf_bytes(&y));

            /* copy x (halo 1) -> y (halo 2) */
            args_init(&a, nd, n, org, n, dx);
            args_buf(&a, 0, &x);
            args_buf(&a, 1, &y);
            copy->cpu(&a);
            ok(check_buf(&y, y0.mem, want_copy, &q), "copy %dD %s: 3 components across different halos", nd, tn(dt));
            memcpy(y.mem, y0.mem, tbuf_bytes(&y));

            /* axpy */
            q.a = a.param[0] = -0.7;
            axpy->cpu(&a);
            ok(check_buf(&y, y0.mem, want_axpy, &q), "axpy %dD %s: y + a*x bitwise", nd, tn(dt));
            memcpy(y.mem, y0.mem, tbuf_bytes(&y));

            /* scale */
            args_init(&a, nd, n, org, n, dx);
            args_buf(&a, 0, &y);
            q.a = a.param[0] = 1.3;
            scale->cpu(&a);
            ok(check_buf(&y, y0.mem, want_scale, &q), "scale %dD %s: a*x bitwise", nd, tn(dt));
            memcpy(y.mem, y0.mem, tbuf_bytes(&y));

            /* sum with scale, of y (halo 2: ghosts must not be summed) */
            sd_acc acc[1], ref;
            long double ld = 0;
            sd_acc_init(&acc[0]);
            sd_acc_init(&ref);
            a.acc = acc, a.nacc = 1;
            a.param[0] = 0.37;
            sum->cpu(&a);
            int64_t cells = 0;
            for (int c = 0; c < 3; c++)
                for (int64_t k = 0; k < a.n[2]; k++)
                    for (int64_t j = 0; j < a.n[1]; j++)
                        for (int64_t i = 0; i < a.n[0]; i++, cells++) {
                            double v = tbuf_get(&y, i, j, k, c);
                            sd_acc_add(&ref, 0.37 * v);
                            ld += 0.37L * v;
                        }
            ok(same_bits(sd_acc_sum(&acc[0]), sd_acc_sum(&ref)) && acc_same(&acc[0], &ref) && acc[0].count == cells,
               "sum %dD %s: exact sum of scale*x over %ld values, bitwise", nd, tn(dt), (long)cells);
            is_close(sd_acc_sum(&acc[0]), (double)ld, 1e-15, "sum %dD %s: vs long double", nd, tn(dt));

            /* max_abs and count_nonfinite with NaN/Inf planted in the interior and the ghosts */
            tbuf_set(&y, 1, 0, 0, 0, NAN);
            tbuf_set(&y, 2, 0, 0, 2, -INFINITY);
            tbuf_set(&y, n[0] - 1, nd > 1 ? n[1] - 1 : 0, nd > 2 ? n[2] - 1 : 0, 1, INFINITY);
            tbuf_set(&y, 3, 0, 0, 1, dt == SD_F64 ? -1e200 : -1e30);
            ((dt == SD_F64) ? (void)(((double *)y.mem)[0] = NAN) : (void)(((float *)y.mem)[0] = NAN)); /* ghost */
            double mref = 0;
            int64_t nfref = 0;
            for (int c = 0; c < 3; c++)
                for (int64_t k = 0; k < a.n[2]; k++)
                    for (int64_t j = 0; j < a.n[1]; j++)
                        for (int64_t i = 0; i < a.n[0]; i++) {
                            double v = tbuf_get(&y, i, j, k, c);
                            if (!isfinite(v)) nfref++;
                            else if (fabs(v) > mref) mref = fabs(v);
                        }
            sd_acc_init(&acc[0]);
            maxa->cpu(&a);
            ok(acc[0].maxv == mref && acc[0].nonfinite == nfref && nfref == 3 && acc[0].count == cells,
               "max_abs %dD %s: max |x| = %g over finite values, 3 non-finite counted", nd, tn(dt), acc[0].maxv);
            sd_acc_init(&acc[0]);
            cnf->cpu(&a);
            ok(acc[0].nonfinite == 3 && acc[0].count == cells, "count_nonfinite %dD %s: 3 (NaN, +Inf, -Inf; ghost NaN ignored)", nd, tn(dt));
            tbuf_free(&x);
            tbuf_free(&y);
            tbuf_free(&y0);
        }

    /* max_abs on all-finite data; all-non-finite data leaves maxv untouched */
    {
        const int64_t n[3] = {5, 1, 1}, org[3] = {0, 0, 0};
        const double dx[3] = {1, 1, 1};
        tbuf x;
        tbuf_alloc(&x, 1, n, 0, 1, SD_F64);
        double v[5] = {-3, 2, -0.0, 1e-310, -7.5};
        memcpy(x.mem, v, sizeof v);
        sd_tile_args a;
        sd_acc acc;
        args_init(&a, 1, n, org, n, dx);
        args_buf(&a, 0, &x);
        a.acc = &acc, a.nacc = 1;
        sd_acc_init(&acc);
        maxa->cpu(&a);
        ok(acc.maxv == 7.5 && acc.minv == 0.0 && acc.nonfinite == 0, "max_abs of {-3,2,-0,1e-310,-7.5} = 7.5");
        for (int i = 0; i < 5; i++) ((double *)x.mem)[i] = i % 2 ? NAN : -INFINITY;
        sd_acc_init(&acc);
        maxa->cpu(&a);
        ok(acc.nonfinite == 5 && acc.maxv == -INFINITY, "max_abs of only NaN/Inf: 5 non-finite, maxv left at -Inf");
        sd_acc_init(&acc);
        sum->cpu(&a);
        ok(acc.nonfinite == 5 && isnan(sd_acc_sum(&acc)), "sum over NaN/Inf: NaN, 5 non-finite");
        tbuf_free(&x);
    }
    test_noise();
    return tap_done();
}
