/* transport_tables.c - see transport_tables.h. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pstar_water.h"
#include "transport_tables.h"

static int64_t scatter_reach(double theta0, double D, double k_sigma)
{
    if (!(theta0 > 0.0) || !(k_sigma > 0.0)) return 0;
    double k = ceil(k_sigma * theta0 / D);
    return k > 1e9 ? 1000000000 : (int64_t)k;
}

/* The reach of bin m, capped at nt - 1 (farther weights always leave the range). */
static int64_t stored_reach(const tr_setup *s, double E)
{
    const double D = (s->th_hi - s->th_lo) / (double)s->nt * TR_DEG;
    int64_t K = scatter_reach(tr_highland_theta0(E, s->ds), D, s->k_sigma);
    return K > s->nt - 1 ? s->nt - 1 : K;
}

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

size_t tr_tables_bytes(const tr_setup *s)
{
    size_t nw = 0;
    for (int64_t m = 0; m < s->ne; m++) nw += (size_t)(2 * stored_reach(s, tr_centre(s->e_lo, s->e_hi, s->ne, m)) + 1);
    const size_t ne = (size_t)s->ne, nt = (size_t)s->nt;
    const size_t rows = s->table ? (size_t)s->rows : SD_PSTAR_WATER_ROWS;
    return ALIGN16(ne * 8) * 10 + ALIGN16(nw * 8) + ALIGN16(ne * nt * 8) + ALIGN16(nt * sizeof(tr_stream_w)) +
           ALIGN16(rows * 8);
}

void tr_tables_build(const tr_setup *s, void *mem, tr_tables *t)
{
    const int64_t ne = s->ne, nt = s->nt;
    char *p = mem;
#define TAKE(ptr, n) (ptr = (void *)p, p += ALIGN16((size_t)(n) * sizeof *(ptr)))
    memset(t, 0, sizeof *t);
    t->key = *s;
    t->nt = nt;
    t->ne = ne;
    TAKE(t->E, ne);
    TAKE(t->K, 2 * ne); /* int32: rounded up to 8 bytes per bin like the others */
    TAKE(t->woff, ne);
    TAKE(t->stop, 2 * ne);
    TAKE(t->lo, ne);
    TAKE(t->flo, ne);
    TAKE(t->s0, ne);
    TAKE(t->s1, ne);
    TAKE(t->Ep, ne);
    TAKE(t->far, ne);
    double *rnode;
    const tr_table tab = s->table ? (tr_table){s->table, s->rows, 2}
                                  : (tr_table){&sd_pstar_water[0][0], SD_PSTAR_WATER_ROWS, 3};
    int64_t nw = 0;
    for (int64_t m = 0; m < ne; m++) {
        t->E[m] = tr_centre(s->e_lo, s->e_hi, ne, m);
        t->K[m] = (int32_t)stored_reach(s, t->E[m]);
        t->woff[m] = nw;
        nw += 2 * (int64_t)t->K[m] + 1;
    }
    TAKE(t->w, nw);
    TAKE(t->lost, ne * nt);
    TAKE(t->sw, nt);
    TAKE(rnode, tab.rows);
#undef TAKE
    t->e_cut = isnan(s->e_cut) ? t->E[0] : s->e_cut;
    const double D = (s->th_hi - s->th_lo) / (double)nt * TR_DEG;

    /* Scatter: w_d = Phi((d+1/2) D/theta0) - Phi((d-1/2) D/theta0), |d| <= K, over their sum
     * Z = Phi((K+1/2) a) - Phi(-(K+1/2) a) (telescoped); the weights past the stored reach (nt - 1)
     * always leave the range: far = (Phi((K+1/2) a) - Phi((Ks+1/2) a)) / Z on each side. */
    t->Kmax = 0;
    for (int64_t m = 0; m < ne; m++) {
        const double th0 = tr_highland_theta0(t->E[m], s->ds);
        const int64_t Kf = scatter_reach(th0, D, s->k_sigma), Ks = t->K[m];
        double *w = t->w + t->woff[m] + Ks;
        double far = 0.0;
        if (Kf == 0) {
            w[0] = 1.0;
        } else {
            const double a = D / th0, Z = tr_phi(((double)Kf + 0.5) * a) - tr_phi(-((double)Kf + 0.5) * a);
            for (int64_t d = -Ks; d <= Ks; d++) w[d] = (tr_phi(((double)d + 0.5) * a) - tr_phi(((double)d - 0.5) * a)) / Z;
            if (Kf > Ks) far = (tr_phi(((double)Kf + 0.5) * a) - tr_phi(((double)Ks + 0.5) * a)) / Z;
        }
        t->far[m] = far;
        if (Ks > t->Kmax) t->Kmax = (int32_t)Ks;
        /* source k' loses the weights with k' + d outside [0, nt): d < -k' and d > nt-1-k', in d order */
        for (int64_t k = 0; k < nt; k++) {
            double l = 0.0;
            for (int64_t d = -Ks; d < -k && d <= Ks; d++) l += w[d];
            for (int64_t d = nt - k > -Ks ? nt - k : -Ks; d <= Ks; d++) l += w[d];
            l += far;
            l += far;
            t->lost[m * nt + k] = l;
        }
    }

    /* CSDA map and split */
    tr_range_nodes(&tab, rnode);
    for (int64_t m = 0; m < ne; m++) {
        t->Ep[m] = tr_csda_step(&tab, rnode, t->E[m], s->ds);
        t->stop[m] = !(t->Ep[m] >= t->e_cut);
        t->lo[m] = 0;
        t->flo[m] = 0.0;
        if (!t->stop[m]) tr_split(t->Ep[m], t->E, ne, &t->lo[m], &t->flo[m]);
    }
    t->window = 1;
    for (int64_t m = 0; m < ne; m++) {
        t->s0[m] = ne;
        t->s1[m] = -1;
    }
    for (int64_t q = 0; q < ne; q++) {
        if (t->stop[q]) continue;
        const int64_t d0 = t->lo[q], d1 = t->lo[q] + 1;
        if (q < t->s0[d0]) t->s0[d0] = q;
        if (q > t->s1[d0]) t->s1[d0] = q;
        if (q < t->s0[d1]) t->s0[d1] = q;
        if (q > t->s1[d1]) t->s1[d1] = q;
    }
    for (int64_t m = 0; m < ne; m++)
        if (t->s1[m] - t->s0[m] + 1 > t->window) t->window = t->s1[m] - t->s0[m] + 1;

    for (int64_t k = 0; k < nt; k++)
        t->sw[k] = tr_stream_weights(tr_centre(s->th_lo, s->th_hi, nt, k) * TR_DEG, s->ds, s->dx, s->dz);
}

/* ---- Per-thread storage: the tables of the last setup, and scratch ---------------------------- */
typedef struct tr_thread {
    void *tab_mem;
    size_t tab_cap;
    int have;
    tr_tables tab;
    void *scratch;
    size_t scratch_cap;
} tr_thread;

static _Thread_local tr_thread *tls;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_key_ok;

static void tls_free(void *v)
{
    tr_thread *th = v;
    free(th->tab_mem);
    free(th->scratch);
    free(th);
}
static void tls_key_make(void) { tls_key_ok = pthread_key_create(&tls_key, tls_free) == 0; }

static tr_thread *thread_state(void)
{
    if (tls) return tls;
    if (pthread_once(&tls_once, tls_key_make) != 0 || !tls_key_ok) return NULL;
    tr_thread *th = calloc(1, sizeof *th);
    if (!th) return NULL;
    if (pthread_setspecific(tls_key, th) != 0) {
        free(th);
        return NULL;
    }
    return tls = th;
}

static int same_setup(const tr_setup *a, const tr_setup *b)
{
    return a->nt == b->nt && a->ne == b->ne && a->th_lo == b->th_lo && a->th_hi == b->th_hi && a->e_lo == b->e_lo &&
           a->e_hi == b->e_hi && a->ds == b->ds && a->dx == b->dx && a->dz == b->dz && a->k_sigma == b->k_sigma &&
           (a->e_cut == b->e_cut || (isnan(a->e_cut) && isnan(b->e_cut))) && a->table == b->table && a->rows == b->rows &&
           a->table_hash == b->table_hash;
}

const tr_tables *tr_tables_get(const tr_setup *s)
{
    tr_thread *th = thread_state();
    if (!th) return NULL;
    if (th->have && same_setup(&th->tab.key, s)) return &th->tab;
    const size_t need = tr_tables_bytes(s);
    if (need > th->tab_cap) {
        void *m = NULL;
        if (posix_memalign(&m, 64, need) != 0) return NULL;
        free(th->tab_mem);
        th->tab_mem = m;
        th->tab_cap = need;
    }
    tr_tables_build(s, th->tab_mem, &th->tab);
    th->have = 1;
    return &th->tab;
}

void *tr_scratch(size_t bytes)
{
    tr_thread *th = thread_state();
    if (!th) return NULL;
    if (bytes <= th->scratch_cap) return th->scratch;
    void *m = NULL;
    if (posix_memalign(&m, 64, bytes) != 0) return NULL;
    free(th->scratch);
    th->scratch = m;
    th->scratch_cap = bytes;
    return m;
}

void tr_oom(const char *op, size_t bytes)
{
    fprintf(stderr, "stardag: %s: out of memory for a %zu-byte workspace\n", op, bytes);
    abort();
}
