/* t_ode_implicit_fixture.h - a batch of M systems for the implicit solver tests: fields laid out as
 * the batch class lays them out (component c of system i at base[i + c*M]), tasks built by hand
 * (one sd_tile_args per tile and interval), the kernels called directly. */
#ifndef T_ODE_IMPLICIT_FIXTURE_H
#define T_ODE_IMPLICIT_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/kernel.h"
#include "stardag/ode.h"
#include "ode/implicit_math.h"
#include "ode/radau_math.h"
#include "ode/bdf_math.h"
#include "ode/implicit_events.h"
#include "ode/ode_implicit_kernels.h"

typedef struct batch {
    const sd_ode_system *sys;
    int M, K, nev;                       /* systems, work components, event functions */
    double *y, *st, *w, *p, *atol, *ev; /* p, atol: NULL when unbound; ev: when nev > 0 */
    void (*cpu)(const sd_tile_args *);
    double param[6]; /* rtol, atol, first_step, max_step, max_steps, and max_order (bdf) or interpolate (radau5) */
} batch;

static inline void *xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s);
    if (!p) { printf("Bail out! out of memory\n"); exit(1); }
    return p;
}

/* method: 'r' radau5, 'b' bdf. y0 (n values) for every system; p: np values per system or NULL. */
static inline void batch_init(batch *b, const sd_ode_system *sys, char method, int M, const double *y0,
                              const double *p_per_system, const double *atol_vec, double rtol, double atol)
{
    memset(b, 0, sizeof *b);
    b->sys = sys;
    b->M = M;
    const int n = sys->n;
    b->nev = sys->events ? sys->nevents : 0;
    b->K = sd_imp_ev_work_ncomp(method == 'r' ? SD_IMP_RADAU : SD_IMP_BDF, n, b->nev);
    b->cpu = method == 'r' ? sd_ode_radau5_cpu : sd_ode_bdf_cpu;
    b->y = (double *)xcalloc((size_t)M * n, sizeof(double));
    b->st = (double *)xcalloc((size_t)M * SD_ODE_NSTATS, sizeof(double));
    b->w = (double *)xcalloc((size_t)M * b->K, sizeof(double));
    if (b->nev) b->ev = (double *)xcalloc((size_t)M * b->nev * (SD_ODE_EVENT_NCOMP + n), sizeof(double));
    for (int i = 0; i < M; i++)
        for (int c = 0; c < n; c++) b->y[i + (int64_t)c * M] = y0[c];
    if (p_per_system) {
        b->p = (double *)xcalloc((size_t)M * sys->np, sizeof(double));
        for (int i = 0; i < M; i++)
            for (int k = 0; k < sys->np; k++) b->p[i + k * M] = p_per_system[(int64_t)i * sys->np + k];
    }
    if (atol_vec) {
        b->atol = (double *)xcalloc((size_t)M * n, sizeof(double));
        for (int i = 0; i < M; i++)
            for (int c = 0; c < n; c++) b->atol[i + (int64_t)c * M] = atol_vec[c];
    }
    const double prm[6] = {rtol, atol, 0, 0, 100000, method == 'r' ? 0 : 5}; /* radau5: interpolate 0; bdf: max_order 5 */
    memcpy(b->param, prm, sizeof prm);
}

static inline void batch_free(batch *b)
{
    free(b->y);
    free(b->st);
    free(b->w);
    free(b->p);
    free(b->atol);
    free(b->ev);
}

/* One task: systems [i0, i0 + cnt) over the interval [t0, t1]. */
static inline void batch_task(batch *b, int64_t i0, int64_t cnt, double t0, double t1)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    const int64_t M = b->M;
    double *base[6] = {b->y, b->st, b->w, b->p, b->atol, b->ev};
    a.nbuf = 6;
    for (int k = 0; k < 6; k++) {
        a.p[k] = base[k] ? base[k] + i0 : NULL;
        a.sc[k] = M;
        a.dtype[k] = SD_F64;
    }
    a.ncomp[0] = b->sys->n;
    a.ncomp[1] = SD_ODE_NSTATS;
    a.ncomp[2] = b->K;
    a.ncomp[3] = b->sys->np;
    a.ncomp[4] = b->sys->n;
    a.ncomp[5] = b->nev * (SD_ODE_EVENT_NCOMP + b->sys->n);
    memcpy(a.param, b->param, sizeof b->param);
    a.time = t0;
    a.dt = t1 - t0;
    a.system = b->sys;
    a.ndim = 1;
    a.n[0] = cnt;
    a.n[1] = a.n[2] = 1;
    a.origin[0] = i0;
    a.shape[0] = M;
    a.shape[1] = a.shape[2] = 1;
    b->cpu(&a);
}

/* Advance the whole batch through the output times (times[0..nt)), in `tiles` equal tiles. */
static inline void batch_run(batch *b, const double *times, int nt, int tiles)
{
    double t0 = 0.0;
    for (int k = 0; k < nt; k++) {
        for (int t = 0; t < tiles; t++) {
            const int64_t lo = (int64_t)b->M * t / tiles, hi = (int64_t)b->M * (t + 1) / tiles;
            if (hi > lo) batch_task(b, lo, hi - lo, t0, times[k]);
        }
        t0 = times[k];
    }
}

static inline double batch_stat(const batch *b, int i, int k) { return b->st[i + (int64_t)k * b->M]; }
static inline double batch_y(const batch *b, int i, int c) { return b->y[i + (int64_t)c * b->M]; }

#endif
