/* chi_fixture.h - what the tests of lattice.chi_leapfrog share: the codelets by name, their params
 * set by name, periodic ghosts of any width, and a three-buffer rotation of chi (prev, cur, next)
 * stepped by the codelet on one tile. Pure C on kernel_util.h's tile buffers: no StarPU. */
#ifndef SD_CHI_FIXTURE_H
#define SD_CHI_FIXTURE_H
#include <math.h>
#include <stdio.h>
#include "kernel_util.h"
#include "stardag/codelet.h"

/* a->param[name] = v, the position looked up in the codelet's declaration (so a reordering of the
 * params cannot silently swap two of them here) */
static inline void set_param(sd_tile_args *a, const sd_codelet *c, const char *name, double v)
{
    const int i = sd_codelet_param_index(c, name);
    if (i < 0) {
        fprintf(stderr, "%s has no param '%s'\n", c->name, name);
        abort();
    }
    a->param[i] = v;
}

/* Periodic ghosts of width b->h on every present axis, edges and corners included (the wrapped
 * interior value), so any stencil sees the periodic field. */
static inline void fill_periodic(tbuf *b)
{
    const int64_t h = b->h;
    int64_t lo[3], hi[3];
    for (int d = 0; d < 3; d++) lo[d] = d < b->ndim ? -h : 0, hi[d] = d < b->ndim ? b->n[d] + h : 1;
    for (int64_t k = lo[2]; k < hi[2]; k++)
        for (int64_t j = lo[1]; j < hi[1]; j++)
            for (int64_t i = lo[0]; i < hi[0]; i++) {
                const int64_t g[3] = {i, j, k};
                int64_t s[3];
                int ghost = 0;
                for (int d = 0; d < 3; d++) {
                    const int64_t N = d < b->ndim ? b->n[d] : 1;
                    s[d] = ((g[d] % N) + N) % N;
                    ghost |= s[d] != g[d];
                }
                if (ghost) tbuf_set(b, i, j, k, 0, tbuf_get(b, s[0], s[1], s[2], 0));
            }
}

/* chi at three levels on one tile covering the whole grid (f64), E the source (halo 0). */
typedef struct chi_run {
    int nd, order, periodic; /* periodic: ghosts refilled each step; else they stay 0 (fixed) */
    int64_t n[3];
    double dx[3], dt, c, kappa, E0;
    tbuf lev[3], E; /* lev[prev], lev[cur], lev[next] rotate */
    int prev, cur, next;
    const sd_codelet *cx;
} chi_run;

static inline void chi_run_init(chi_run *R, const sd_codelet *cx, int nd, const int64_t n[3], const double dx[3],
                                int order, int periodic)
{
    memset(R, 0, sizeof *R);
    R->cx = cx, R->nd = nd, R->order = order, R->periodic = periodic;
    memcpy(R->n, n, sizeof R->n), memcpy(R->dx, dx, sizeof R->dx);
    for (int l = 0; l < 3; l++) tbuf_alloc(&R->lev[l], nd, n, order / 2, 1, SD_F64); /* zeroed: ghosts 0 */
    tbuf_alloc(&R->E, nd, n, 0, 1, SD_F64);
    R->prev = 0, R->cur = 1, R->next = 2;
}
/* tile arguments for the whole grid at origin 0 */
static inline void chi_run_args(const chi_run *R, sd_tile_args *a)
{
    static const int64_t org[3] = {0, 0, 0};
    args_init(a, R->nd, R->n, org, R->n, R->dx);
    if (!R->periodic)
        for (int d = 0; d < R->nd; d++) a->bc[d] = SD_BC_FIXED;
    a->dt = R->dt;
}
/* one step: chi_next from chi, chi_prev and E, then rotate */
static inline void chi_run_step(chi_run *R)
{
    sd_tile_args a;
    chi_run_args(R, &a);
    set_param(&a, R->cx, "c", R->c), set_param(&a, R->cx, "order", R->order);
    set_param(&a, R->cx, "kappa", R->kappa), set_param(&a, R->cx, "E0", R->E0);
    if (R->periodic) fill_periodic(&R->lev[R->cur]);
    args_buf(&a, 0, &R->lev[R->cur]), args_buf(&a, 1, &R->lev[R->prev]);
    args_buf(&a, 2, &R->E), args_buf(&a, 3, &R->lev[R->next]);
    R->cx->cpu(&a);
    const int t = R->prev;
    R->prev = R->cur, R->cur = R->next, R->next = t;
}
static inline void chi_run_free(chi_run *R)
{
    for (int l = 0; l < 3; l++) tbuf_free(&R->lev[l]);
    tbuf_free(&R->E);
}
#endif
