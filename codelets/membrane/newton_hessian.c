/* newton_hessian.c - membrane.newton's Hessian (newton_hessian.h): two-ring lists, a distance-4
 * colouring, and the columns of one colour at a time from central differences of membrane.energy's
 * gradient, recomputing only what the displaced vertices change. Column v is exactly zero beyond
 * v's two rings (the gradient at u reads the positions within two rings of u), so the vertices of
 * one colour (no two within four edges) are displaced together and each gradient change is the
 * column of the one displaced vertex within two rings of it: the same bits as displacing that
 * vertex alone (tests/t_membrane_newton). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/stardag.h" /* SD_EXIT_RUNTIME */
#include "energy_math.h"
#include "newton_hessian.h"

typedef struct rings {
    int64_t *start;
    int32_t *v;
    int64_t *mirror; /* mirror[s]: where v appears in the list of u = v[s] */
} rings;

void sd_mb_die(const char *what)
{
    fprintf(stderr, "stardag: membrane.newton: %s\n", what);
    exit(SD_EXIT_RUNTIME);
}

void *sd_mb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) sd_mb_die("out of memory");
    return p;
}

static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* A growing list of vertex ids. */
typedef struct vlist {
    int32_t *v;
    int64_t n, cap;
} vlist;

static void vlist_push(vlist *l, int32_t u)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, sizeof(int32_t) * (size_t)l->cap);
        if (!l->v) sd_mb_die("out of memory");
    }
    l->v[l->n++] = u;
}

/* Appends v's neighbours (its faces' corners, v included) where mark[u] != stamp, marking them. */
static void ring1(const sd_mpart *m, int32_t v, int64_t *mark, int64_t stamp, vlist *out)
{
    for (int64_t c = m->cstart[v]; c < m->cstart[v + 1]; c++) {
        const int64_t f = m->corner[c] / 3;
        for (int k = 0; k < 3; k++) {
            const int32_t u = m->tri[3 * f + k];
            if (mark[u] != stamp) {
                mark[u] = stamp;
                vlist_push(out, u);
            }
        }
    }
}

static rings make_rings(const sd_mpart *m)
{
    const int64_t nv = m->nv;
    int64_t *mark = sd_mb_xmalloc(sizeof *mark * (size_t)nv);
    for (int64_t i = 0; i < nv; i++) mark[i] = -1;
    rings r = {sd_mb_xmalloc(sizeof(int64_t) * (size_t)(nv + 1)), NULL, NULL};
    vlist all = {0}, one = {0};
    for (int32_t v = 0; v < nv; v++) {
        r.start[v] = all.n;
        one.n = 0;
        ring1(m, v, mark, v, &one);
        for (int64_t i = 0; i < one.n; i++) ring1(m, one.v[i], mark, v, &all); /* ring 2 less ring 1 */
        for (int64_t i = 0; i < one.n; i++) vlist_push(&all, one.v[i]);
        qsort(all.v + r.start[v], (size_t)(all.n - r.start[v]), sizeof(int32_t), cmp_i32);
    }
    free(one.v);
    r.v = all.v;
    const int64_t n = all.n;
    r.start[nv] = n;
    r.mirror = sd_mb_xmalloc(sizeof(int64_t) * (size_t)n);
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
        if (c == 4096) sd_mb_die("more than 4096 colours (a vertex of very high degree)");
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
    st->fs1 = sd_mb_xmalloc(f18), st->fs1b = sd_mb_xmalloc(f18), st->fs3 = sd_mb_xmalloc(f18), st->fs3b = sd_mb_xmalloc(f18);
    st->vs = sd_mb_xmalloc(v4), st->vsb = sd_mb_xmalloc(v4);
    st->f1 = sd_mb_xmalloc(sizeof(int32_t) * (size_t)nf), st->f2 = sd_mb_xmalloc(sizeof(int32_t) * (size_t)nf);
    st->v1 = sd_mb_xmalloc(sizeof(int32_t) * (size_t)nv);
    st->mark = sd_mb_xmalloc(sizeof(int64_t) * (size_t)(nv + nf));
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
    double *y = sd_mb_xmalloc(sizeof(double) * (size_t)(3 * nv)), *plus = sd_mb_xmalloc(sizeof(double) * (size_t)nv);
    int64_t *count = calloc((size_t)ncol + 1, sizeof *count);
    int32_t *order = sd_mb_xmalloc(sizeof(int32_t) * (size_t)nv);
    if (!count) sd_mb_die("out of memory");
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

/* An exact sum: the same whatever order the partition keeps its faces in. */
double sd_mb_mean_edge(const sd_mpart *m, const double *x)
{
    const int64_t nv = m->nv;
    sd_acc s;
    sd_acc_init(&s);
    sd_acc_batch b = {.acc = &s};
    for (int64_t f = 0; f < m->nf; f++)
        for (int k = 0; k < 3; k++) {
            const int32_t a = m->tri[3 * f + k], e = m->tri[3 * f + (k + 1) % 3];
            double d2 = 0;
            for (int c = 0; c < 3; c++) d2 += (x[a + c * nv] - x[e + c * nv]) * (x[a + c * nv] - x[e + c * nv]);
            sd_acc_batch_put(&b, sqrt(d2));
        }
    sd_acc_batch_flush(&b);
    return m->nf ? sd_acc_sum(&s) / (3.0 * (double)m->nf) : 0.0;
}

void sd_mb_hessian_build(const sd_mb_hessian_in *in, sd_mb_hessian *h)
{
    const int64_t nv = in->m->nv;
    const newton_ctx ctx = {in->m, in->param, in->x, in->n, in->mu};
    rings r = make_rings(in->m);
    int32_t *colour = sd_mb_xmalloc(sizeof(int32_t) * (size_t)nv);
    const int ncol = colour4(in->m, &r, colour);
    double *val = sd_mb_xmalloc(sizeof(double) * (size_t)r.start[nv]);
    assemble(&ctx, &r, colour, ncol, in->eps, val);
    free(colour);
    *h = (sd_mb_hessian){nv, r.start, r.v, r.mirror, val, ncol};
}

void sd_mb_hessian_free(sd_mb_hessian *h)
{
    free(h->start), free(h->col), free(h->mirror), free(h->val);
    memset(h, 0, sizeof *h);
}
