/* t_membrane_newton.c - the Newton minimiser's ops (codelets/membrane/newton.c, glue_newton.c):
 *  1. declarations (whole-mesh op, scalar ops);
 *  2. every decision of membrane.newton_accept and its shift updates;
 *  3. membrane.newton on perturbed ellipsoids (levels 1 and 2, volume fixed and free, with and without
 *     the Gaussian term) against a slow dense reference written here: the Hessian column by column,
 *     one vertex displaced at a time, from the whole gradient (sd_membrane_gradient_at, which
 *     t_membrane_energy checks against finite differences of the energy): exactly zero beyond two
 *     rings, and bit for bit the coloured, locally re-evaluated assembly (sd_mb_hessian_build); the
 *     shifted KKT system solved by Gaussian elimination in long double; the step, its predicted
 *     change, the constraint, and the shift: the first of lm_in * 8^k whose matrix is positive
 *     definite. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "tap.h"
#include "kernel_util.h"
#include "mesh_view.h"
#include "mesh_file.h"
#include "stardag/codelet.h"
#include "membrane/energy_kernels.h"
#include "membrane/energy_math.h"
#include "membrane/minimise_math.h"
#include "membrane/newton_hessian.h"

static void die(const char *what)
{
    printf("Bail out! %s\n", what);
    exit(1);
}

static const sd_codelet *get(const char *name)
{
    const sd_codelet *c = sd_codelet_find(name);
    if (!c) die(name);
    return c;
}

static void test_registry(void)
{
    const sd_codelet *n = get("membrane.newton"), *a = get("membrane.newton_accept"), *i = get("membrane.newton_init");
    ok(n->domain == SD_ON_MESH && n->pattern == SD_WHOLE && n->nroles == 8 && !n->cuda && n->nparams == 9 &&
           !strcmp(n->params[5].name, "fix") && !strcmp(n->params[7].name, "fd"),
       "membrane.newton: a whole-mesh op (fields and scalars), CPU only, energy params then fix lm0 fd lm_max");
    ok(a->pattern == SD_WHOLE && sd_codelet_scalars_only(a) && i->pattern == SD_WHOLE && sd_codelet_scalars_only(i),
       "membrane.newton_accept and newton_init: ops of scalars only");
}

/* ---- 2. decisions ------------------------------------------------------------------------------ */
static membrane_newton_out decide(double merit, double pred, double gg, const double L[4], double lm)
{
    membrane_newton_in in = {.merit = merit, .pred = pred, .gg = gg, .alpha = 1, .lm = lm, .c1 = 1e-4, .tol = 1e-6,
                             .lm0 = 1, .lm_min = 1e-3};
    memcpy(in.trial, L, sizeof in.trial);
    return membrane_newton_accept(&in);
}

static void test_accept(void)
{
    const double E = 10, good[4] = {9.2, 9.5, 9.8, 9.9}, fair[4] = {9.9, 9.5, 9.8, 9.9},
                 poor[4] = {9.99, 9.5, 9.8, 9.9}, half[4] = {10.5, 9.9, 9.99, 9.999}, none[4] = {11, 10.5, 10.2, 10.1};
    membrane_newton_out o = decide(E, -1, 1e-14, good, 2);
    ok(o.k == -1 && o.step == 0 && o.lm == 2, "converged (|gp| <= tol): no move, lm kept");
    o = decide(E, 0, 1, good, 2);
    ok(o.k == -1 && o.step == 0 && o.lm == 16, "pred = 0 (no step): no move, lm * 8");
    o = decide(E, NAN, 1, good, 2);
    ok(o.k == -1 && o.lm == 16, "pred NaN: no move, lm * 8");
    o = decide(E, -1, 1, good, 2);
    ok(o.k == 0 && o.step == 1 && o.lm == 0.5, "full step, rho = 0.8 > 3/4: accepted, lm / 4");
    o = decide(E, -1, 1, good, 0.002);
    ok(o.k == 0 && o.lm == 1e-3, "lm / 4 stops at lm_min");
    o = decide(E, -1, 1, fair, 2);
    ok(o.k == 0 && o.lm == 4, "full step, rho = 0.1 < 1/4: accepted, lm * 2");
    o = decide(E, -0.2, 1, fair, 2);
    ok(o.k == 0 && o.lm == 2, "full step, rho = 0.5: accepted, lm kept");
    o = decide(E, -1, 1, poor, 2);
    ok(o.k == 0 && o.step == 1, "a full step with a decrease of only 1%% of pred (> c1 pred) is still accepted");
    o = decide(E, -1, 1, half, 2);
    ok(o.k == 1 && o.step == 0.5 && o.lm == 16, "full step rises, half step decreases: k = 1, step 1/2, lm * 8");
    o = decide(E, -1, 1, none, 2);
    ok(o.k == -1 && o.step == 0 && o.lm == 128, "no trial decreases: no move, lm * 64");
    const double nan_trials[4] = {NAN, NAN, NAN, 9.0};
    o = decide(E, -1, 1, nan_trials, 2);
    ok(o.k == 3 && o.step == 0.125, "NaN trials fail; the first good halving (k = 3) is taken");
    o = decide(E, -1, 1, good, 0);
    ok(o.k == 0 && o.lm == 0.25, "lm not > 0: lm0 (1) is the shift in use");
}

/* ---- 3. the step against a dense reference ------------------------------------------------------ */
enum { SV = MB_VS_SLOTS, SF = MB_FS_SLOTS };

typedef struct problem {
    int64_t nv, nf;
    int64_t *tri;
    double *x, *g, *vg, *n, *area; /* SoA, stride nv */
    mesh_view mv;
    double param[9];               /* kappa c0 kappa_G gamma p fix lm0 fd lm_max */
} problem;

static void problem_make(problem *P, int level, double amp, uint64_t seed, double kappa_G)
{
    sd_mesh m;
    char err[256];
    const double axes[3] = {1.3, 1.0, 0.8};
    if (sd_mesh_ellipsoid(level, axes, &m, err, sizeof err)) die(err);
    P->nv = m.nv, P->nf = m.nf, P->tri = m.tri;
    P->x = mesh_view_soa(m.x, m.nv);
    free(m.x);
    const int64_t nv = P->nv;
    P->g = malloc(sizeof(double) * 3 * (size_t)nv), P->vg = malloc(sizeof(double) * 3 * (size_t)nv);
    P->n = calloc(3 * (size_t)nv, sizeof(double)), P->area = calloc((size_t)nv, sizeof(double));
    if (!P->x || !P->g || !P->vg || !P->n || !P->area) die("out of memory");
    rng r = {seed};
    for (int64_t i = 0; i < 3 * nv; i++) P->x[i] += amp * rng_range(&r, -1, 1);
    if (mesh_view_init(&P->mv, nv, P->nf, P->tri, SV, SF)) die("mesh_view_init");
    /* normals: area-weighted face normals, normalised; areas: a third of the faces' */
    for (int64_t f = 0; f < P->nf; f++) {
        const int64_t a = P->tri[3 * f], b = P->tri[3 * f + 1], c = P->tri[3 * f + 2];
        double u[3], v[3], w[3];
        for (int k = 0; k < 3; k++) u[k] = P->x[b + k * nv] - P->x[a + k * nv], v[k] = P->x[c + k * nv] - P->x[a + k * nv];
        w[0] = u[1] * v[2] - u[2] * v[1], w[1] = u[2] * v[0] - u[0] * v[2], w[2] = u[0] * v[1] - u[1] * v[0];
        const double A = 0.5 * sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
        for (int j = 0; j < 3; j++) {
            const int64_t q = P->tri[3 * f + j];
            P->area[q] += A / 3;
            for (int k = 0; k < 3; k++) P->n[q + k * nv] += w[k];
        }
    }
    for (int64_t v = 0; v < nv; v++) {
        const double s = sqrt(P->n[v] * P->n[v] + P->n[v + nv] * P->n[v + nv] + P->n[v + 2 * nv] * P->n[v + 2 * nv]);
        for (int k = 0; k < 3; k++) P->n[v + k * nv] /= s;
    }
    const double prm[9] = {1.1, 0.3, kappa_G, 0.2, 0.4, 1, 1e-3, 1e-4, 1e12};
    memcpy(P->param, prm, sizeof prm);
    sd_membrane_gradient_at(&P->mv.m, P->param, P->x, nv, P->g, nv, P->vg, nv, P->mv.scratch);
}

static void problem_free(problem *P)
{
    free(P->tri), free(P->x), free(P->g), free(P->vg), free(P->n), free(P->area);
    mesh_view_free(&P->mv);
}

/* membrane.newton through the registry: lm (rw), d and pred (w). */
static void newton(problem *P, double *lm, double *d, double *pred, double lm_max)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.mesh = P->mv.m;
    double *f[5] = {P->x, P->g, P->vg, P->n, P->area};
    for (int i = 0; i < 5; i++) a.p[i] = f[i], a.sc[i] = P->nv;
    a.p[5] = lm, a.p[6] = d, a.sc[6] = P->nv, a.p[7] = pred;
    memcpy(a.param, P->param, sizeof P->param);
    a.param[8] = lm_max;
    get("membrane.newton")->cpu(&a);
}

/* (g - mu vg) . n at every vertex, at positions y */
static void lnormal(problem *P, const double *y, double mu, double *out)
{
    const int64_t nv = P->nv;
    double *g = malloc(sizeof(double) * 3 * (size_t)nv), *vg = malloc(sizeof(double) * 3 * (size_t)nv);
    if (!g || !vg) die("out of memory");
    sd_membrane_gradient_at(&P->mv.m, P->param, y, nv, g, nv, vg, nv, P->mv.scratch);
    for (int64_t v = 0; v < nv; v++) {
        double s = 0;
        for (int k = 0; k < 3; k++) s += (g[v + k * nv] - mu * vg[v + k * nv]) * P->n[v + k * nv];
        out[v] = s;
    }
    free(g), free(vg);
}

/* Solves M z = b (n x n, row-major, overwritten) by Gaussian elimination with partial pivoting. */
static void solve(long double *M, long double *b, int64_t n)
{
    for (int64_t k = 0; k < n; k++) {
        int64_t p = k;
        for (int64_t i = k + 1; i < n; i++)
            if (fabsl(M[i * n + k]) > fabsl(M[p * n + k])) p = i;
        for (int64_t j = 0; j < n; j++) {
            const long double t = M[k * n + j];
            M[k * n + j] = M[p * n + j], M[p * n + j] = t;
        }
        const long double t = b[k];
        b[k] = b[p], b[p] = t;
        for (int64_t i = k + 1; i < n; i++) {
            const long double f = M[i * n + k] / M[k * n + k];
            for (int64_t j = k; j < n; j++) M[i * n + j] -= f * M[k * n + j];
            b[i] -= f * b[k];
        }
    }
    for (int64_t k = n - 1; k >= 0; k--) {
        long double s = b[k];
        for (int64_t j = k + 1; j < n; j++) s -= M[k * n + j] * b[j];
        b[k] = s / M[k * n + k];
    }
}

/* whether u and v are within two edges */
static int near2(const problem *P, int64_t u, int64_t v, const unsigned char *adj)
{
    if (adj[u * P->nv + v]) return 1;
    for (int64_t w = 0; w < P->nv; w++)
        if (adj[u * P->nv + w] && adj[w * P->nv + v]) return 1;
    return 0;
}

/* Whether sym(H) + lm diag(area) is positive definite (dense Cholesky in long double). */
static int dense_pd(const double *H, const double *area, double lm, int64_t nv)
{
    long double *L = calloc((size_t)(nv * nv), sizeof(long double));
    if (!L) die("out of memory");
    int pd = 1;
    for (int64_t j = 0; j < nv && pd; j++)
        for (int64_t i = j; i < nv; i++) {
            long double s = 0.5L * ((long double)H[i * nv + j] + H[j * nv + i]) + (i == j ? (long double)lm * area[i] : 0);
            for (int64_t k = 0; k < j; k++) s -= L[i * nv + k] * L[j * nv + k];
            if (i == j) {
                if (!(s > 0)) {
                    pd = 0;
                    break;
                }
                L[j * nv + j] = sqrtl(s);
            } else
                L[i * nv + j] = s / L[j * nv + j];
        }
    free(L);
    return pd;
}

static void test_step(int level, int fix, double lm_in, double kappa_G)
{
    problem P;
    problem_make(&P, level, 0.02, 7 + (uint64_t)level, kappa_G);
    P.param[5] = fix;
    const int64_t nv = P.nv;
    double lm = lm_in, pred = NAN, *d = malloc(sizeof(double) * 3 * (size_t)nv);
    if (!d) die("out of memory");
    newton(&P, &lm, d, &pred, P.param[8]);

    /* the reference: multiplier, dense Hessian one vertex at a time */
    long double gc = 0, cc = 0;
    double *gphi = malloc(sizeof(double) * (size_t)nv), *c = malloc(sizeof(double) * (size_t)nv);
    for (int64_t v = 0; v < nv; v++) {
        double s = 0, t = 0;
        for (int k = 0; k < 3; k++) s += P.g[v + k * nv] * P.n[v + k * nv], t += P.vg[v + k * nv] * P.n[v + k * nv];
        gphi[v] = s, c[v] = t, gc += (long double)s * t, cc += (long double)t * t;
    }
    const double mu = fix ? (double)(gc / cc) : 0.0;
    const double eps = 1e-4 * sd_mb_mean_edge(&P.mv.m, P.x); /* the kernel's step (fd = 1e-4) */
    double *H = calloc((size_t)(nv * nv), sizeof(double)), *y = malloc(sizeof(double) * 3 * (size_t)nv),
           *gp = malloc(sizeof(double) * (size_t)nv), *gm = malloc(sizeof(double) * (size_t)nv);
    unsigned char *adj = calloc((size_t)(nv * nv), 1);
    if (!H || !y || !gp || !gm || !adj || !gphi || !c) die("out of memory");
    for (int64_t q = 0; q < P.nf; q++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) adj[P.tri[3 * q + j] * nv + P.tri[3 * q + k]] = 1;
    memcpy(y, P.x, sizeof(double) * 3 * (size_t)nv);
    int beyond_zero = 1;
    for (int64_t v = 0; v < nv; v++) {
        for (int k = 0; k < 3; k++) y[v + k * nv] = P.x[v + k * nv] + eps * P.n[v + k * nv];
        lnormal(&P, y, mu, gp);
        for (int k = 0; k < 3; k++) y[v + k * nv] = P.x[v + k * nv] - eps * P.n[v + k * nv];
        lnormal(&P, y, mu, gm);
        for (int k = 0; k < 3; k++) y[v + k * nv] = P.x[v + k * nv];
        for (int64_t u = 0; u < nv; u++) {
            H[u * nv + v] = (gp[u] - gm[u]) / (2 * eps);
            if (!near2(&P, u, v, adj) && H[u * nv + v] != 0) beyond_zero = 0;
        }
    }
    ok(beyond_zero, "level %d: the Hessian's columns are exactly 0 beyond two rings (the colouring's premise)", level);
    sd_mb_hessian h;
    const sd_mb_hessian_in hin = {&P.mv.m, P.param, P.x, P.n, mu, eps};
    sd_mb_hessian_build(&hin, &h);
    int64_t same = 0, listed = 0;
    for (int64_t u = 0; u < nv; u++)
        for (int64_t t = h.start[u]; t < h.start[u + 1]; t++) {
            listed++;
            same += h.val[t] == H[u * nv + h.col[t]] && h.col[h.mirror[t]] == u;
        }
    int64_t nonzero = 0;
    for (int64_t i = 0; i < nv * nv; i++) nonzero += H[i] != 0;
    ok(same == listed && listed >= nonzero && h.ncolours > 1,
       "level %d, kappa_G %g: the coloured assembly (%d colours) equals the one-vertex columns bit for bit (%lld of %lld "
       "entries; %lld nonzero)", level, kappa_G, h.ncolours, (long long)same, (long long)listed, (long long)nonzero);
    sd_mb_hessian_free(&h);
    if (lm > lm_in)
        ok(!dense_pd(H, P.area, lm / 8, nv) && dense_pd(H, P.area, lm, nv),
           "level %d: lm %g is the first of lm_in * 8^k with H + lm M positive definite", level, lm);
    /* KKT: [A c; c' 0] with A = sym(H) + lm diag(area); fix = 0: A alone */
    const int64_t n = nv + (fix ? 1 : 0);
    long double *M = calloc((size_t)(n * n), sizeof(long double)), *b = calloc((size_t)n, sizeof(long double));
    if (!M || !b) die("out of memory");
    for (int64_t u = 0; u < nv; u++) {
        for (int64_t v = 0; v < nv; v++) M[u * n + v] = 0.5L * ((long double)H[u * nv + v] + H[v * nv + u]);
        M[u * n + u] += (long double)lm * P.area[u];
        b[u] = -gphi[u];
        if (fix) M[u * n + nv] = c[u], M[nv * n + u] = c[u];
    }
    solve(M, b, n);
    double dmax = 0, err = 0, cdot = 0, cabs = 0;
    long double slope = 0, curv = 0;
    for (int64_t v = 0; v < nv; v++) {
        long double hv = 0;
        for (int64_t u = 0; u < nv; u++) hv += 0.5L * ((long double)H[v * nv + u] + H[u * nv + v]) * b[u];
        slope += gphi[v] * b[v], curv += b[v] * hv;
        double dphi = 0;
        for (int k = 0; k < 3; k++) {
            const double want = (double)b[v] * P.n[v + k * nv];
            dmax = fmax(dmax, fabs(want));
            err = fmax(err, fabs(d[v + k * nv] - want));
            dphi += d[v + k * nv] * P.n[v + k * nv];
        }
        cdot += c[v] * dphi, cabs += fabs(c[v] * dphi);
    }
    const double pref = (double)(slope + 0.5L * curv);
    printf("# level %d fix %d: %lld vertices, lm %g -> %g, |d - ref| / |ref| = %.2e, pred %.12g (ref %.12g)\n", level,
           fix, (long long)nv, lm_in, lm, err / dmax, pred, pref);
    ok(err <= 1e-9 * dmax && dmax > 0,
       "level %d, fix %d: d = dphi n equals the dense reference (%.1e relative; the shift it settled on, %g)", level, fix,
       err / dmax, lm);
    ok(fabs(pred - pref) <= 1e-9 * fabs(pref) && pred < 0, "level %d, fix %d: pred = the model's change (%.1e relative)",
       level, fix, fabs(pred - pref) / fabs(pref));
    if (fix) ok(fabs(cdot) <= 1e-12 * cabs, "level %d: the step is tangent to the volume constraint (c . dphi = %.1e)", level, cdot);
    free(d), free(gphi), free(c), free(H), free(y), free(gp), free(gm), free(adj), free(M), free(b);
    problem_free(&P);
}

/* A shift that must exceed lm_max: no step (d = 0, pred = 0), lm past lm_max (the graph's stall stop). */
static void test_lm_max(void)
{
    problem P;
    problem_make(&P, 1, 0.02, 8, 0);
    const int64_t nv = P.nv;
    double lm = 1e-3, pred = NAN, *d = malloc(sizeof(double) * 3 * (size_t)nv);
    if (!d) die("out of memory");
    for (int64_t i = 0; i < 3 * nv; i++) d[i] = 7;
    newton(&P, &lm, d, &pred, 1e-2); /* lm_max: 1e-3 and 8e-3 are tried (this mesh needs ~4) */
    int zero = 1;
    for (int64_t i = 0; i < 3 * nv; i++) zero &= d[i] == 0;
    ok(zero && pred == 0 && lm > 1e-2, "no positive definite shift up to lm_max: d = 0, pred = 0, lm = %g > lm_max", lm);
    free(d);
    problem_free(&P);
}

int main(void)
{
    sd_register_builtin_codelets();
#ifndef SD_HAVE_CHOLMOD
    tap_skip_all("built without CHOLMOD (membrane.newton refuses to load)");
#endif
    test_registry();
    test_accept();
    test_step(1, 1, 1e-3, 0);
    test_step(1, 0, 1e-3, 0);
    test_step(2, 1, 1e-6, 0);
    test_step(2, 0, 0.5, 0);
    test_step(2, 1, 1e-3, 0.7); /* the Gaussian term: its angles are recomputed in the local stages too */
    test_lm_max();
    return tap_done();
}
