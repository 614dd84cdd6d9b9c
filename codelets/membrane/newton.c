/* newton.c - membrane.newton's kernel: a Newton (Levenberg-Marquardt) direction for motion along
 * the vertex normals, on the whole mesh (a whole-mesh op: one call, every vertex owned; see
 * docs/membrane-minimise.md, "Newton steps").
 *
 * The unknowns are the normal displacements phi (x + phi n); H is the Hessian of the Lagrangian
 * E - mu V in phi (newton_hessian.c). The shifted matrix H + lm M (M the vertex areas) is factored
 * by CHOLMOD (supernodal LL' after a METIS nested-dissection ordering, which fills a surface mesh's
 * factor far less than AMD: 5.8 against 8.3 million entries at 40,962 vertices; both
 * deterministic); lm grows by 8 until the factorisation succeeds. The volume constraint (fix = 1)
 * is kept to first order by solving for the right-hand side and for the constraint's normal
 * c = vgrad . n. */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "minimise_kernels.h"
#include "minimise_math.h"
#include "newton_hessian.h"
#ifdef SD_HAVE_CHOLMOD
#include <suitesparse/cholmod.h>
#endif

#define FIELD(a, b) ((double *)(a)->p[b])
#define SCALAR(a, b) (*(double *)(a)->p[b])

#ifdef SD_HAVE_CHOLMOD
/* CHOLMOD runs OpenMP parallel regions with teams of its own size (Debian's: 4 threads per calling
 * thread); inside a StarPU worker, whose core is its own, they would oversubscribe the other
 * workers' cores. No parallel region may be active (max-active-levels 0: every team has one
 * thread; stardag itself has no OpenMP region). Weak: only where libgomp is loaded, as CHOLMOD's
 * OpenMP build loads it. */
extern void omp_set_max_active_levels(int levels) __attribute__((weak));

/* The symmetric part of H in CHOLMOD's lower-triangle columns (rows >= column, increasing). */
static cholmod_sparse *lower(const sd_mb_hessian *h, cholmod_common *cc)
{
    const int64_t nv = h->nv;
    int64_t nnz = 0;
    for (int32_t v = 0; v < nv; v++)
        for (int64_t s = h->start[v]; s < h->start[v + 1]; s++) nnz += h->col[s] >= v;
    cholmod_sparse *A = cholmod_l_allocate_sparse((size_t)nv, (size_t)nv, (size_t)nnz, 1, 1, -1, CHOLMOD_REAL, cc);
    if (!A) sd_mb_die("CHOLMOD could not allocate the Hessian");
    SuiteSparse_long *Ap = A->p, *Ai = A->i;
    double *Ax = A->x;
    int64_t n = 0;
    for (int32_t v = 0; v < nv; v++) {
        Ap[v] = n;
        for (int64_t s = h->start[v]; s < h->start[v + 1]; s++)
            if (h->col[s] >= v) {
                Ai[n] = h->col[s];
                Ax[n++] = 0.5 * (h->val[s] + h->val[h->mirror[s]]);
            }
    }
    Ap[nv] = n;
    return A;
}

/* The factorisation succeeded: for LL' (supernodal) CHOLMOD stops at the first pivot that is not
 * positive; for LDL' (simplicial) every pivot of D must be positive and finite. Any other failure
 * (no memory) ends the run: a larger shift would not cure it. */
static int positive_definite(const cholmod_factor *L, const cholmod_common *cc)
{
    if (cc->status < 0) { /* an error; warnings (> 0) are CHOLMOD_NOT_POSDEF and small pivots */
        char msg[160];
        snprintf(msg, sizeof msg, "CHOLMOD could not factor the %zu x %zu Hessian (its status %d: out of memory?)",
                 L->n, L->n, cc->status);
        sd_mb_die(msg);
    }
    if (cc->status == CHOLMOD_NOT_POSDEF || L->minor < L->n) return 0;
    if (L->is_super || L->is_ll) return 1;
    const SuiteSparse_long *Lp = L->p;
    const double *Lx = L->x;
    for (size_t j = 0; j < L->n; j++) {
        const double d = Lx[Lp[j]];
        if (!(d > 0) || !isfinite(d)) return 0;
    }
    return 1;
}
#endif

/* roles: x (0), g (1), vgrad (2), n (3), area (4), lm (5, rw), d (6, w), pred (7, w); params kappa,
 * c0, kappa_G, gamma, p (membrane.energy's), fix, lm0, fd, lm_max. */
void sd_membrane_newton_cpu(const sd_tile_args *a)
{
#ifdef SD_HAVE_CHOLMOD
    const sd_mpart *m = &a->mesh;
    const int64_t nv = m->nv;
    const double *x = FIELD(a, 0), *g = FIELD(a, 1), *vg = FIELD(a, 2), *n = FIELD(a, 3), *area = FIELD(a, 4);
    double *d = FIELD(a, 6);
    const int fix = a->param[5] != 0;
    const double lm_max = a->param[8];
    double lm = membrane_newton_lm(SCALAR(a, 5), a->param[6]);
    double *gphi = sd_mb_xmalloc(sizeof(double) * (size_t)nv), *cv = sd_mb_xmalloc(sizeof(double) * (size_t)nv);
    double gc = 0, cc2 = 0;
    for (int64_t v = 0; v < nv; v++) {
        double s = 0, t = 0;
        for (int k = 0; k < 3; k++) {
            s += g[v + k * nv] * n[v + k * nv];
            t += vg[v + k * nv] * n[v + k * nv];
        }
        gphi[v] = s;
        cv[v] = t;
        gc += s * t;
        cc2 += t * t;
    }
    const sd_mb_hessian_in hin = {m, a->param, x, n, membrane_mu(gc, cc2, fix), a->param[7] * sd_mb_mean_edge(m, x)};
    sd_mb_hessian H;
    sd_mb_hessian_build(&hin, &H);

    if (omp_set_max_active_levels) omp_set_max_active_levels(0);
    cholmod_common cc; /* the long-index interface: factors beyond 2^31 entries */
    if (!cholmod_l_start(&cc)) sd_mb_die("CHOLMOD could not start");
    cc.print = 0;
    cc.error_handler = NULL;
    cc.supernodal = CHOLMOD_SUPERNODAL;
    cc.nmethods = 1;
    cc.method[0].ordering = CHOLMOD_METIS;
    cholmod_sparse *A = lower(&H, &cc);
    double *diag = sd_mb_xmalloc(sizeof(double) * (size_t)nv);
    for (int32_t v = 0; v < nv; v++) diag[v] = ((double *)A->x)[((SuiteSparse_long *)A->p)[v]]; /* column v starts at row v */
    cholmod_factor *L = cholmod_l_analyze(A, &cc);
    if (!L && cc.status == CHOLMOD_NOT_INSTALLED) { /* a CHOLMOD built without METIS */
        cc.method[0].ordering = CHOLMOD_AMD;
        L = cholmod_l_analyze(A, &cc);
    }
    if (!L) sd_mb_die("CHOLMOD could not order the Hessian (out of memory?)");
    int ok = 0;
    for (; lm <= lm_max; lm *= 8) {
        for (int32_t v = 0; v < nv; v++) ((double *)A->x)[((SuiteSparse_long *)A->p)[v]] = diag[v] + lm * area[v];
        cholmod_l_factorize(A, L, &cc);
        if ((ok = positive_definite(L, &cc))) break;
    }
    double pred = 0;
    for (int64_t i = 0; i < 3 * nv; i++) d[i] = 0;
    if (ok) {
        cholmod_dense *B = cholmod_l_zeros((size_t)nv, 2, CHOLMOD_REAL, &cc);
        if (!B) sd_mb_die("out of memory");
        double *b = B->x;
        for (int64_t v = 0; v < nv; v++) {
            b[v] = gphi[v];
            b[v + nv] = cv[v];
        }
        cholmod_dense *X = cholmod_l_solve(CHOLMOD_A, L, B, &cc);
        if (!X) sd_mb_die("CHOLMOD could not solve");
        const double *s = X->x; /* s[v] = A^-1 gphi, s[nv + v] = A^-1 c */
        double ca = 0, cb = 0;
        for (int64_t v = 0; v < nv; v++) {
            ca += cv[v] * s[v];
            cb += cv[v] * s[v + nv];
        }
        const double lam = fix && cb > 0 ? ca / cb : 0.0;
        double *dphi = sd_mb_xmalloc(sizeof(double) * (size_t)nv), slope = 0, curv = 0;
        for (int64_t v = 0; v < nv; v++) dphi[v] = -(s[v] - lam * s[v + nv]);
        for (int32_t v = 0; v < nv; v++) {
            slope += gphi[v] * dphi[v];
            double hv = 0;
            for (int64_t t = H.start[v]; t < H.start[v + 1]; t++) hv += 0.5 * (H.val[t] + H.val[H.mirror[t]]) * dphi[H.col[t]];
            curv += dphi[v] * hv;
            for (int k = 0; k < 3; k++) d[v + k * nv] = dphi[v] * n[v + k * nv];
        }
        pred = slope + 0.5 * curv;
        free(dphi);
        cholmod_l_free_dense(&X, &cc);
        cholmod_l_free_dense(&B, &cc);
    }
    SCALAR(a, 5) = lm;
    SCALAR(a, 7) = ok ? pred : 0.0;
    cholmod_l_free_factor(&L, &cc);
    cholmod_l_free_sparse(&A, &cc);
    cholmod_l_finish(&cc);
    free(diag), free(gphi), free(cv);
    sd_mb_hessian_free(&H);
#else
    (void)a; /* the glue refuses the op at load when CHOLMOD is absent */
#endif
}

/* roles: merit, pred, gg, L0..L3, alpha, lm (rw), step (w), k (w); params c1, tol, lm0, lm_min. */
void sd_membrane_newton_accept_cpu(const sd_tile_args *a)
{
    membrane_newton_in in = {.merit = SCALAR(a, 0), .pred = SCALAR(a, 1), .gg = SCALAR(a, 2), .alpha = SCALAR(a, 7),
                             .lm = SCALAR(a, 8), .c1 = a->param[0], .tol = a->param[1], .lm0 = a->param[2],
                             .lm_min = a->param[3]};
    for (int k = 0; k < MEMBRANE_ARMIJO_TRIALS; k++) in.trial[k] = SCALAR(a, 3 + k);
    const membrane_newton_out o = membrane_newton_accept(&in);
    SCALAR(a, 8) = o.lm;
    SCALAR(a, 9) = o.step;
    SCALAR(a, 10) = o.k;
}

/* lm = lm0. */
void sd_membrane_newton_init_cpu(const sd_tile_args *a) { SCALAR(a, 0) = a->param[0]; }
