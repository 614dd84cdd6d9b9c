/* newton.c - membrane.newton's kernel: a Newton (Levenberg-Marquardt) direction for motion along
 * the vertex normals, on the whole mesh (a whole-mesh op: one call, every vertex owned; see
 * docs/membrane-minimise.md, "Newton steps").
 *
 * The unknowns are the normal displacements phi (x + phi n). The Hessian of the Lagrangian
 * E - mu V in phi is assembled column by column from central differences of membrane.energy's own
 * gradient (sd_membrane_gradient_at): vertex v's column is nonzero on its two rings only, so the
 * vertices of one colour of a distance-4 colouring (no two within 4 edges of each other) are
 * displaced together, and each gradient change is the column of the one displaced vertex within
 * two rings of it, the same bits as displacing that vertex alone. The shifted matrix H + lm M
 * (M the vertex areas) is factored by CHOLMOD (supernodal LL' after a METIS nested-dissection
 * ordering, which fills a surface mesh's factor far less than AMD: 5.8 against 8.3 million entries
 * at 40,962 vertices; both deterministic); lm grows by 8 until the factorisation succeeds. The volume constraint (fix = 1) is kept to first order by
 * solving for the right-hand side and for the constraint's normal c = vgrad . n. */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "energy_kernels.h"
#include "energy_math.h"
#include "minimise_kernels.h"
#include "minimise_math.h"
#ifdef SD_HAVE_CHOLMOD
#include <suitesparse/cholmod.h>
#endif

#define FIELD(a, b) ((double *)(a)->p[b])
#define SCALAR(a, b) (*(double *)(a)->p[b])

#ifdef SD_HAVE_CHOLMOD
/* Each vertex's vertices within two edges (itself included), increasing: r2[r2s[v] .. r2s[v+1]). */
typedef struct rings {
    int64_t *start;
    int32_t *v;
    int64_t *mirror; /* mirror[s]: where v appears in the list of u = v[s] */
} rings;

static void die(const char *what)
{
    fprintf(stderr, "stardag: membrane.newton: %s\n", what);
    exit(3);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Neighbours of v (its faces' corners, v included) appended to out where mark[u] != stamp. */
static int64_t ring1(const sd_mpart *m, int32_t v, int64_t *mark, int64_t stamp, int32_t *out, int64_t n)
{
    for (int64_t c = m->cstart[v]; c < m->cstart[v + 1]; c++) {
        const int64_t f = m->corner[c] / 3;
        for (int k = 0; k < 3; k++) {
            const int32_t u = m->tri[3 * f + k];
            if (mark[u] != stamp) {
                mark[u] = stamp;
                out[n++] = u;
            }
        }
    }
    return n;
}

static rings make_rings(const sd_mpart *m)
{
    const int64_t nv = m->nv;
    int64_t *mark = xmalloc(sizeof *mark * (size_t)nv), cap = 64 * nv, n = 0;
    for (int64_t i = 0; i < nv; i++) mark[i] = -1;
    rings r = {xmalloc(sizeof(int64_t) * (size_t)(nv + 1)), xmalloc(sizeof(int32_t) * (size_t)cap), NULL};
    int32_t one[4096];
    for (int32_t v = 0; v < nv; v++) {
        r.start[v] = n;
        const int64_t n1 = ring1(m, v, mark, v, one, 0);
        if (n1 > 4096) die("a vertex has more than 4096 neighbours");
        for (int64_t i = 0; i < n1; i++) {
            if (n + 4096 > cap) {
                cap *= 2;
                r.v = realloc(r.v, sizeof(int32_t) * (size_t)cap);
                if (!r.v) die("out of memory");
            }
            n = ring1(m, one[i], mark, v, r.v, n);
        }
        /* one[] holds v's ring 1; ring1 marked it, so ring 2 added only the rest: add ring 1 back */
        for (int64_t i = 0; i < n1; i++) r.v[n++] = one[i];
        qsort(r.v + r.start[v], (size_t)(n - r.start[v]), sizeof(int32_t), cmp_i32);
    }
    r.start[nv] = n;
    r.mirror = xmalloc(sizeof(int64_t) * (size_t)n);
    for (int32_t v = 0; v < nv; v++)
        for (int64_t s = r.start[v]; s < r.start[v + 1]; s++) {
            const int32_t u = r.v[s];
            int64_t t = r.start[u];
            while (r.v[t] != v) t++; /* the relation is symmetric: v is in u's list */
            r.mirror[s] = t;
        }
    free(mark);
    return r;
}

/* Greedy colouring in vertex order such that no two vertices within four edges share a colour
 * (their two-ring neighbourhoods are disjoint). Returns the number of colours. */
static int colour4(const sd_mpart *m, const rings *r, int32_t *colour)
{
    const int64_t nv = m->nv;
    int ncol = 0;
    int64_t used[4096];
    for (int i = 0; i < 4096; i++) used[i] = -1;
    for (int32_t v = 0; v < nv; v++) colour[v] = -1;
    for (int32_t v = 0; v < nv; v++) {
        for (int64_t s = r->start[v]; s < r->start[v + 1]; s++) {
            const int32_t w = r->v[s];
            for (int64_t t = r->start[w]; t < r->start[w + 1]; t++) {
                const int32_t c = colour[r->v[t]];
                if (c >= 0) used[c] = v;
            }
        }
        int c = 0;
        while (c < 4096 && used[c] == v) c++;
        if (c == 4096) die("more than 4096 colours (a vertex of very high degree)");
        colour[v] = c;
        if (c + 1 > ncol) ncol = c + 1;
    }
    return ncol;
}

typedef struct newton_ctx {
    const sd_mpart *m;
    const double *param; /* membrane.energy's five */
    const double *x, *n; /* positions, unit normals (stride nv) */
    double mu;           /* the Lagrangian's multiplier */
} newton_ctx;

/* membrane.energy's four stages (energy_math.h) kept for the state at x, so that after a few
 * vertices move only what they change is recomputed: stage 1 of the faces touching them (F1),
 * stage 2 of their first ring (V1), stage 3 of the faces touching V1 (F2), and the gradient of the
 * vertices of F2 (their two rings, V2). Each value is the same function of the same inputs as in a
 * whole evaluation (sd_membrane_gradient_at), so the same bits. fs1 and fs3 are stage 1's and
 * stage 3's face scratch (the whole evaluation shares one array); the *b arrays hold the state at
 * x that each evaluation restores. */
typedef struct stages {
    mb_params p;
    mb_grad_terms t;
    int angles;
    double *fs1, *fs1b, *vs, *vsb, *fs3, *fs3b;
    int32_t *f1, *v1, *f2;      /* the moved set's F1, V1, F2 (lists) */
    int64_t *mark;              /* per vertex and per face (nv + nf): the last list it joined */
    int64_t nf1, nv1, nf2, stamp;
} stages;

static void stages_init(stages *st, const newton_ctx *c)
{
    const sd_mpart *m = c->m;
    const int64_t nv = m->nv, nf = m->nf;
    const size_t f18 = sizeof(double) * (size_t)(MB_FS_SLOTS * nf), v4 = sizeof(double) * (size_t)(MB_VS_SLOTS * nv);
    st->p = mb_params_from(c->param, 5);
    st->t = (mb_grad_terms){.bending = 1, .area = st->p.gamma, .vol = -st->p.p, .vgrad = 1};
    st->angles = st->p.kappa_G != 0.0;
    st->fs1 = xmalloc(f18), st->fs1b = xmalloc(f18), st->fs3 = xmalloc(f18), st->fs3b = xmalloc(f18);
    st->vs = xmalloc(v4), st->vsb = xmalloc(v4);
    st->f1 = xmalloc(sizeof(int32_t) * (size_t)nf), st->f2 = xmalloc(sizeof(int32_t) * (size_t)nf);
    st->v1 = xmalloc(sizeof(int32_t) * (size_t)nv);
    st->mark = xmalloc(sizeof(int64_t) * (size_t)(nv + nf));
    for (int64_t i = 0; i < nv + nf; i++) st->mark[i] = -1;
    st->stamp = 0;
    for (int64_t f = 0; f < nf; f++) mb_stage_face(m, c->x, nv, st->fs1, f, st->angles);
    for (int64_t v = 0; v < nv; v++) mb_stage_vertex(m, st->fs1, st->vs, v, &st->p);
    for (int64_t f = 0; f < nf; f++) mb_stage_face_grad(m, c->x, nv, st->vs, st->fs3, f, &st->t);
    memcpy(st->fs1b, st->fs1, f18), memcpy(st->vsb, st->vs, v4), memcpy(st->fs3b, st->fs3, f18);
}

static void stages_free(stages *st)
{
    free(st->fs1), free(st->fs1b), free(st->fs3), free(st->fs3b), free(st->vs), free(st->vsb);
    free(st->f1), free(st->f2), free(st->v1), free(st->mark);
}

/* Appends the faces around vertex v not yet in this list (mark stamp) to list. */
static int64_t faces_around(const sd_mpart *m, int64_t v, int64_t *mark, int64_t stamp, int32_t *list, int64_t n)
{
    for (int64_t c = m->cstart[v]; c < m->cstart[v + 1]; c++) {
        const int32_t f = m->corner[c] / 3;
        if (mark[m->nv + f] != stamp) {
            mark[m->nv + f] = stamp;
            list[n++] = f;
        }
    }
    return n;
}

/* F1, V1 and F2 of the vertices set[0..count). */
static void stages_sets(stages *st, const sd_mpart *m, const int32_t *set, int64_t count)
{
    const int64_t s1 = ++st->stamp, s2 = ++st->stamp;
    st->nf1 = st->nv1 = st->nf2 = 0;
    for (int64_t i = 0; i < count; i++) st->nf1 = faces_around(m, set[i], st->mark, s1, st->f1, st->nf1);
    for (int64_t i = 0; i < st->nf1; i++)
        for (int k = 0; k < 3; k++) {
            const int32_t v = m->tri[3 * st->f1[i] + k];
            if (st->mark[v] != s1) {
                st->mark[v] = s1;
                st->v1[st->nv1++] = v;
            }
        }
    for (int64_t i = 0; i < st->nv1; i++) st->nf2 = faces_around(m, st->v1[i], st->mark, s2, st->f2, st->nf2);
}

/* Stages 1-3 of the moved set at positions y (which differ from x on the set only). */
static void stages_eval(stages *st, const sd_mpart *m, const double *y)
{
    for (int64_t i = 0; i < st->nf1; i++) mb_stage_face(m, y, m->nv, st->fs1, st->f1[i], st->angles);
    for (int64_t i = 0; i < st->nv1; i++) mb_stage_vertex(m, st->fs1, st->vs, st->v1[i], &st->p);
    for (int64_t i = 0; i < st->nf2; i++) mb_stage_face_grad(m, y, m->nv, st->vs, st->fs3, st->f2[i], &st->t);
}

/* Back to the state at x. */
static void stages_restore(stages *st, const sd_mpart *m)
{
    const size_t face = sizeof(double) * MB_FS_SLOTS;
    for (int64_t i = 0; i < st->nf1; i++)
        memcpy(st->fs1 + MB_FS_AT(st->f1[i], 0), st->fs1b + MB_FS_AT(st->f1[i], 0), face);
    for (int64_t i = 0; i < st->nv1; i++)
        for (int s = 0; s < MB_VS_SLOTS; s++) st->vs[s * m->nv + st->v1[i]] = st->vsb[s * m->nv + st->v1[i]];
    for (int64_t i = 0; i < st->nf2; i++)
        memcpy(st->fs3 + MB_FS_AT(st->f2[i], 0), st->fs3b + MB_FS_AT(st->f2[i], 0), face);
}

/* The normal component of dL/dx = g - mu vg at vertex u, from stage 3's face scratch (as
 * membrane.energy's gather). */
static double lagrangian_normal(const newton_ctx *c, const stages *st, int64_t u)
{
    const int64_t nv = c->m->nv;
    const mb_vec g = mb_gather_corner_vec(c->m, st->fs3, MB_FS_G, u), vg = mb_gather_corner_vec(c->m, st->fs3, MB_FS_VG, u);
    const double gk[3] = {g.x, g.y, g.z}, vk[3] = {vg.x, vg.y, vg.z};
    double s = 0;
    for (int k = 0; k < 3; k++) s += (gk[k] - c->mu * vk[k]) * c->n[u + k * nv];
    return s;
}

/* hval[s] = d(dL/dphi_u)/dphi_v for s the place of v in u's list (central differences, step eps),
 * one colour's vertices displaced together. */
static void assemble(const newton_ctx *c, const rings *r, const int32_t *colour, int ncol, double eps, double *hval)
{
    const sd_mpart *m = c->m;
    const int64_t nv = m->nv;
    double *y = xmalloc(sizeof(double) * (size_t)(3 * nv)), *plus = xmalloc(sizeof(double) * (size_t)nv);
    int64_t *count = calloc((size_t)ncol + 1, sizeof *count);
    int32_t *order = xmalloc(sizeof(int32_t) * (size_t)nv);
    if (!count) die("out of memory");
    for (int64_t v = 0; v < nv; v++) count[colour[v] + 1]++;
    for (int k = 0; k < ncol; k++) count[k + 1] += count[k];
    for (int32_t v = 0; v < nv; v++) order[count[colour[v]]++] = v; /* count[k] now ends colour k */
    memcpy(y, c->x, sizeof(double) * (size_t)(3 * nv));
    stages st;
    stages_init(&st, c);
    int64_t first = 0;
    for (int col = 0; col < ncol; col++) {
        const int64_t last = count[col];
        stages_sets(&st, m, order + first, last - first);
        for (int side = 0; side < 2; side++) {
            const double h = side ? -eps : eps;
            for (int64_t i = first; i < last; i++)
                for (int k = 0; k < 3; k++) {
                    const int64_t j = order[i] + k * nv;
                    y[j] = c->x[j] + h * c->n[j];
                }
            stages_eval(&st, m, y);
            for (int64_t i = first; i < last; i++) /* the moved vertex's two rings: its column */
                for (int64_t s = r->start[order[i]]; s < r->start[order[i] + 1]; s++) {
                    const int32_t u = r->v[s];
                    if (!side) plus[u] = lagrangian_normal(c, &st, u);
                    else hval[r->mirror[s]] = (plus[u] - lagrangian_normal(c, &st, u)) / (2 * eps);
                }
        }
        stages_restore(&st, m);
        for (int64_t i = first; i < last; i++)
            for (int k = 0; k < 3; k++) y[order[i] + k * nv] = c->x[order[i] + k * nv];
        first = last;
    }
    stages_free(&st);
    free(y), free(plus), free(count), free(order);
}

/* Mean edge length (each face's three edges; interior edges twice). */
static double mean_edge(const sd_mpart *m, const double *x)
{
    const int64_t nv = m->nv;
    double s = 0;
    for (int64_t f = 0; f < m->nf; f++)
        for (int k = 0; k < 3; k++) {
            const int32_t a = m->tri[3 * f + k], b = m->tri[3 * f + (k + 1) % 3];
            double d2 = 0;
            for (int c = 0; c < 3; c++) d2 += (x[a + c * nv] - x[b + c * nv]) * (x[a + c * nv] - x[b + c * nv]);
            s += sqrt(d2);
        }
    return m->nf ? s / (3.0 * (double)m->nf) : 0.0;
}

/* The symmetric part of H in CHOLMOD's lower-triangle columns (rows >= column, increasing). */
static cholmod_sparse *lower(const rings *r, const double *hval, int64_t nv, cholmod_common *cc)
{
    int64_t nnz = 0;
    for (int32_t v = 0; v < nv; v++)
        for (int64_t s = r->start[v]; s < r->start[v + 1]; s++) nnz += r->v[s] >= v;
    cholmod_sparse *A = cholmod_allocate_sparse((size_t)nv, (size_t)nv, (size_t)nnz, 1, 1, -1, CHOLMOD_REAL, cc);
    if (!A) die("CHOLMOD could not allocate the Hessian");
    int *Ap = A->p, *Ai = A->i;
    double *Ax = A->x;
    int64_t n = 0;
    for (int32_t v = 0; v < nv; v++) {
        Ap[v] = (int)n;
        for (int64_t s = r->start[v]; s < r->start[v + 1]; s++)
            if (r->v[s] >= v) {
                Ai[n] = r->v[s];
                Ax[n++] = 0.5 * (hval[s] + hval[r->mirror[s]]);
            }
    }
    Ap[nv] = (int)n;
    return A;
}

/* The factorisation succeeded: for LL' (supernodal) CHOLMOD stops at the first pivot that is not
 * positive; for LDL' (simplicial) every pivot of D must be positive and finite. */
static int positive_definite(const cholmod_factor *L, const cholmod_common *cc)
{
    if (cc->status != CHOLMOD_OK || L->minor < L->n) return 0;
    if (L->is_super || L->is_ll) return 1;
    const int *Lp = L->p;
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
    double *gphi = xmalloc(sizeof(double) * (size_t)nv), *cv = xmalloc(sizeof(double) * (size_t)nv);
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
    const newton_ctx ctx = {m, a->param, x, n, membrane_mu(gc, cc2, fix)};
    rings r = make_rings(m);
    int32_t *colour = xmalloc(sizeof(int32_t) * (size_t)nv);
    const int ncol = colour4(m, &r, colour);
    double *hval = xmalloc(sizeof(double) * (size_t)r.start[nv]);
    assemble(&ctx, &r, colour, ncol, a->param[7] * mean_edge(m, x), hval);

    cholmod_common cc;
    cholmod_start(&cc);
    cc.print = 0;
    cc.error_handler = NULL;
    cc.supernodal = CHOLMOD_SUPERNODAL;
    cc.nmethods = 1;
    cc.method[0].ordering = CHOLMOD_METIS;
    cholmod_sparse *A = lower(&r, hval, nv, &cc);
    double *diag = xmalloc(sizeof(double) * (size_t)nv);
    for (int32_t v = 0; v < nv; v++) diag[v] = ((double *)A->x)[((int *)A->p)[v]]; /* column v starts at row v */
    cholmod_factor *L = cholmod_analyze(A, &cc);
    if (!L) die("CHOLMOD could not order the Hessian");
    int ok = 0;
    for (; lm <= lm_max; lm *= 8) {
        for (int32_t v = 0; v < nv; v++) ((double *)A->x)[((int *)A->p)[v]] = diag[v] + lm * area[v];
        cholmod_factorize(A, L, &cc);
        if ((ok = positive_definite(L, &cc))) break;
    }
    double pred = 0;
    for (int64_t i = 0; i < 3 * nv; i++) d[i] = 0;
    if (ok) {
        cholmod_dense *B = cholmod_zeros((size_t)nv, 2, CHOLMOD_REAL, &cc);
        if (!B) die("out of memory");
        double *b = B->x;
        for (int64_t v = 0; v < nv; v++) {
            b[v] = gphi[v];
            b[v + nv] = cv[v];
        }
        cholmod_dense *X = cholmod_solve(CHOLMOD_A, L, B, &cc);
        if (!X) die("CHOLMOD could not solve");
        const double *s = X->x; /* s[v] = A^-1 gphi, s[nv + v] = A^-1 c */
        double ca = 0, cb = 0;
        for (int64_t v = 0; v < nv; v++) {
            ca += cv[v] * s[v];
            cb += cv[v] * s[v + nv];
        }
        const double lam = fix && cb > 0 ? ca / cb : 0.0;
        double *dphi = xmalloc(sizeof(double) * (size_t)nv), slope = 0, curv = 0;
        for (int64_t v = 0; v < nv; v++) dphi[v] = -(s[v] - lam * s[v + nv]);
        for (int32_t v = 0; v < nv; v++) {
            slope += gphi[v] * dphi[v];
            double hv = 0;
            for (int64_t t = r.start[v]; t < r.start[v + 1]; t++) hv += 0.5 * (hval[t] + hval[r.mirror[t]]) * dphi[r.v[t]];
            curv += dphi[v] * hv;
            for (int k = 0; k < 3; k++) d[v + k * nv] = dphi[v] * n[v + k * nv];
        }
        pred = slope + 0.5 * curv;
        free(dphi);
        cholmod_free_dense(&X, &cc);
        cholmod_free_dense(&B, &cc);
    }
    SCALAR(a, 5) = lm;
    SCALAR(a, 7) = ok ? pred : 0.0;
    cholmod_free_factor(&L, &cc);
    cholmod_free_sparse(&A, &cc);
    cholmod_finish(&cc);
    free(diag); free(hval); free(colour); free(gphi); free(cv);
    free(r.start); free(r.v); free(r.mirror);
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
