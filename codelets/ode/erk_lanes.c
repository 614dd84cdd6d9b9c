/* erk_lanes.c - the CPU driver of ode.dopri5 and ode.dop853: a tile's systems advance in lock-step
 * groups of SD_ODE_LANES (L) lanes. A group gathers its systems into lane arrays (SoA, lane
 * fastest: component c of lane l at [c*L + l]), then repeats one step for every lane that still
 * has to reach the interval end: the stages (one call of the system's lane function per stage for
 * the whole group), then per lane the error norm, accept or reject, step-size control, stiffness
 * test, events and dense output. Each lane has its own t, h and counters; a lane that has
 * reached the end, failed or stopped keeps its state and only rides along (h = 0). Every value a
 * lane computes comes from that lane's data through the SD_HD functions of erk_math.h in a fixed
 * order, so a system's result is bitwise the same in any lane, group, tile or worker.
 * No allocation in the hot path: one workspace per thread, grown when a larger system comes. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "erk_lanes.h"
#include "ode_events.h"
#include "ode_pow_lanes.h"
#include "simd/workspace.h"

#define L SD_ODE_LANES

/* Per-lane scalars of a group. */
typedef struct lane_state {
    double t[L], xold[L], hold[L], h[L], facold[L], reject[L], nonsti[L], iasti[L], dense[L];
    double nacc[L], nrej[L], nfev[L], status[L], nsteps[L];
    int sys[L];     /* 1: the lane holds a system of the tile; 0: padding of a short last group */
    int running[L]; /* status OK at the start of the task */
    int stepping[L];
    int stopped[L]; /* a terminal event was reported: the system rests at tstop */
    double tstop[L];
    int64_t i0;     /* the tile index of lane 0's system */
} lane_state;

/* Lane arrays of a group (doubles, all from one per-thread buffer). */
typedef struct lane_bufs {
    double *y, *y1, *yt, *acc, *acc3, *k, *cont, *p, *atol, *g0, *g1, *pend, *ye, *ge, *pe;
    double tt[L], one_t[L];
} lane_bufs;

static int carve(lane_bufs *B, const erk_tableau *T, int n, int np, int nev)
{
    const size_t nl = (size_t)n * L, nc = (size_t)erk_ncont(T);
    const size_t np1 = np > 0 ? (size_t)np : 1, ne1 = nev > 0 ? (size_t)nev : 1;
    const size_t need = nl * (6 + (size_t)T->sx + nc) + np1 * L * 2 + ne1 * L * 4;
    double *w = sd_workspace(need * sizeof(double));
    if (!w) return -1;
    memset(w, 0, need * sizeof *w); /* padding lanes compute on zeros, never on stale data */
    B->y = w, w += nl;
    B->y1 = w, w += nl;
    B->yt = w, w += nl;
    B->atol = w, w += nl;
    B->acc = w, w += nl;
    B->acc3 = w, w += nl;
    B->k = w, w += nl * T->sx;
    B->cont = w, w += nl * nc;
    B->p = w, w += np1 * L;
    B->pe = w, w += np1 * L;
    B->g0 = w, w += ne1 * L;
    B->g1 = w, w += ne1 * L;
    B->pend = w, w += ne1 * L;
    B->ge = w, w += ne1 * L;
    B->ye = B->y1; /* event location works on a lane-0 copy after y1 is consumed */
    return 0;
}

/* Weighted stage sums of all components and lanes at once (acc[c*L + l]), term by term in
 * erk_wsum's order: lane l's sums are bitwise erk_wsum's, and the loop over c*L + l vectorises. */
static void lanes_wsum(const double *w, int m, const double *k, int64_t ks, double *restrict acc)
{
    for (int64_t q = 0; q < ks; q++) acc[q] = 0.0;
    for (int j = 0; j < m; j++) {
        if (w[j] == 0.0) continue;
        const double wj = w[j];
        const double *restrict kj = k + j * ks;
        for (int64_t q = 0; q < ks; q++) acc[q] = erk_madd(acc[q], wj, kj[q]);
    }
}

/* Stage i's argument for every lane: out = y + h sum_j a_ij K_j (erk_stage_arg's arithmetic). */
static void lanes_stage_arg(const erk_tableau *T, int i, int n, const double *y, const double *h, const double *k,
                            double *acc, double *restrict out)
{
    const int64_t ks = (int64_t)n * L;
    lanes_wsum(T->a[i], i, k, ks, acc);
    for (int c = 0; c < n; c++)
        for (int l = 0; l < L; l++) out[c * L + l] = erk_stage_from_sum(y[c * L + l], h[l], acc[c * L + l]);
}

/* One call of a lane function over the group's nl lanes. */
static void lanes_call(const sd_ode_system *S, sd_ode_lane_fn fn, int nl, const double *t, const double *y,
                       const double *p, double *out)
{
    const sd_ode_lanes in = {.nl = nl, .t = t, .y = y, .p = S->np > 0 ? p : NULL};
    fn(S->ctx, &in, out);
}

static int all_finite(const double *v, int m, int l)
{
    for (int c = 0; c < m; c++)
        if (!isfinite(v[c * L + l])) return 0;
    return 1;
}

typedef struct group_ctx {
    const sd_tile_args *a;
    const erk_tableau *T;
    const sd_ode_system *S;
    erk_options o;
    int n, np, nev, nc;
    double tout;
} group_ctx;

static double *stats_at(const group_ctx *g, int64_t i, int c)
{
    return (double *)g->a->p[ERK_R_STATS] + i + c * g->a->sc[ERK_R_STATS];
}
static double *work_at(const group_ctx *g, int64_t i, int c)
{
    return (double *)g->a->p[ERK_R_WORK] + i + c * g->a->sc[ERK_R_WORK];
}

/* Read lane l's system i into the group's arrays: a fresh one (no evaluation yet) from y and the
 * stats' t and h, a continuing one from its work field. */
static void gather(const group_ctx *g, lane_state *s, lane_bufs *B, int l, int64_t i)
{
    const sd_tile_args *a = g->a;
    const int n = g->n;
    s->sys[l] = 1;
    s->status[l] = *stats_at(g, i, SD_ODE_STATUS);
    s->running[l] = s->status[l] == SD_ODE_OK;
    s->nacc[l] = *stats_at(g, i, SD_ODE_NACCEPT);
    s->nrej[l] = *stats_at(g, i, SD_ODE_NREJECT);
    s->nfev[l] = *stats_at(g, i, SD_ODE_NFEV);
    s->iasti[l] = *stats_at(g, i, SD_ODE_NSTIFF);
    s->h[l] = *stats_at(g, i, SD_ODE_H);
    s->nsteps[l] = 0;
    if (!s->running[l]) return;
    const double *pdef = g->S->param_default; /* neither p nor defaults: NaN, a visible failure */
    for (int c = 0; c < g->np; c++)
        B->p[c * L + l] = a->p[ERK_R_P] ? ((const double *)a->p[ERK_R_P])[i + c * a->sc[ERK_R_P]] : pdef ? pdef[c] : NAN;
    for (int c = 0; c < n; c++)
        B->atol[c * L + l] = a->p[ERK_R_ATOL] ? ((const double *)a->p[ERK_R_ATOL])[i + c * a->sc[ERK_R_ATOL]] : g->o.atol;
    if (s->nfev[l] == 0) {
        s->t[l] = *stats_at(g, i, SD_ODE_T);
        s->xold[l] = s->t[l];
        s->hold[l] = 0.0;
        s->facold[l] = 1.0e-4;
        s->reject[l] = s->nonsti[l] = s->dense[l] = 0.0;
        for (int c = 0; c < n; c++) B->y[c * L + l] = ((const double *)a->p[ERK_R_Y])[i + c * a->sc[ERK_R_Y]];
        for (int e = 0; e < g->nev; e++) B->pend[e * L + l] = NAN;
    } else {
        s->t[l] = *work_at(g, i, ERK_W_X);
        s->xold[l] = *work_at(g, i, ERK_W_XOLD);
        s->hold[l] = *work_at(g, i, ERK_W_HOLD);
        s->facold[l] = *work_at(g, i, ERK_W_FACOLD);
        s->reject[l] = *work_at(g, i, ERK_W_REJECT);
        s->nonsti[l] = *work_at(g, i, ERK_W_NONSTI);
        s->dense[l] = *work_at(g, i, ERK_W_DENSE);
        for (int c = 0; c < n; c++) {
            B->y[c * L + l] = *work_at(g, i, erk_work_y(n) + c);
            B->k[c * L + l] = *work_at(g, i, erk_work_f(n) + c);
        }
        for (int q = 0; q < g->nc * n; q++) B->cont[q * L + l] = *work_at(g, i, erk_work_cont(n) + q);
        for (int e = 0; e < g->nev; e++) {
            B->g0[e * L + l] = *work_at(g, i, erk_work_gold(g->T, n) + e);
            B->pend[e * L + l] = *work_at(g, i, erk_work_pend(g->T, n, g->nev) + e);
        }
    }
    if (!all_finite(B->y, n, l) || !all_finite(B->p, g->np, l)) {
        s->status[l] = SD_ODE_FAIL_NONFINITE;
        s->running[l] = 0;
        return;
    }
    for (int c = 0; c < n; c++)
        if (erk_atol_bad(B->atol[c * L + l])) { /* a negative or non-finite atol field value */
            s->status[l] = SD_ODE_FAIL_TOLERANCE;
            s->running[l] = 0;
            return;
        }
}

static void fail(lane_state *s, int l, int status)
{
    s->status[l] = status;
    s->running[l] = 0;
}

/* Fresh lanes: f at the start (the first stage), g there, and the first step when none is given. */
static void start_fresh(const group_ctx *g, lane_state *s, lane_bufs *B, int nl, const int *fresh)
{
    const int n = g->n;
    /* evaluated for the whole group into scratch, kept for the fresh lanes only (the others hold
       their FSAL derivative and g from the work field) */
    double *f0 = B->k, *y1 = B->yt, *f1 = B->k + (size_t)n * L, *fs = B->y1;
    lanes_call(g->S, g->S->f, nl, s->t, B->y, B->p, fs);
    if (g->nev) lanes_call(g->S, g->S->events, nl, s->t, B->y, B->p, B->g1);
    for (int l = 0; l < nl; l++) {
        if (!fresh[l]) continue;
        for (int c = 0; c < n; c++) f0[c * L + l] = fs[c * L + l];
        for (int e = 0; e < g->nev; e++) B->g0[e * L + l] = B->g1[e * L + l];
    }
    int probe = 0;
    double h0[L] = {0};
    for (int l = 0; l < nl; l++) {
        if (!fresh[l]) continue;
        s->nfev[l] += 1;
        if (!all_finite(f0, n, l)) {
            s->status[l] = SD_ODE_FAIL_NONFINITE;
            s->running[l] = 0;
            continue;
        }
        if (s->h[l] == 0.0) s->h[l] = g->o.first_step;
        if (s->h[l] != 0.0) {
            s->h[l] = fmin(s->h[l], g->o.hmax);
            continue;
        }
        if (erk_tol_scan(B->atol + l, B->y + l, B->y + l, L, n, g->o.rtol)) { /* a zero error scale */
            fail(s, l, SD_ODE_FAIL_TOLERANCE);
            continue;
        }
        double dnf = 0.0, dny = 0.0;
        for (int c = 0; c < n; c++) erk_hinit_add(B->atol[c * L + l], g->o.rtol, B->y[c * L + l], f0[c * L + l], &dnf, &dny);
        h0[l] = erk_hinit_probe(dnf, dny, g->o.hmax);
        if (!(h0[l] > 0.0)) { /* NaN or 0: the scaled sums overflowed */
            fail(s, l, SD_ODE_FAIL_NONFINITE);
            continue;
        }
        B->tt[l] = s->t[l] + h0[l];
        s->h[l] = -1.0; /* marks a lane waiting for its probe */
        probe = 1;
    }
    if (!probe) return;
    for (int c = 0; c < n; c++)
        for (int l = 0; l < nl; l++) y1[c * L + l] = erk_hinit_arg(B->y[c * L + l], h0[l], f0[c * L + l]);
    for (int l = 0; l < nl; l++)
        if (s->h[l] != -1.0) B->tt[l] = s->t[l];
    lanes_call(g->S, g->S->f, nl, B->tt, y1, B->p, f1);
    for (int l = 0; l < nl; l++) {
        if (s->h[l] != -1.0) continue;
        s->nfev[l] += 1;
        double dnf = 0.0, dny = 0.0, d2 = 0.0;
        for (int c = 0; c < n; c++) {
            erk_hinit_add(B->atol[c * L + l], g->o.rtol, B->y[c * L + l], f0[c * L + l], &dnf, &dny);
            erk_hinit_add2(B->atol[c * L + l], g->o.rtol, B->y[c * L + l], f0[c * L + l], f1[c * L + l], &d2);
        }
        s->h[l] = erk_hinit_step(g->T, h0[l], d2, dnf, g->o.hmax);
        if (s->h[l] != s->h[l]) fail(s, l, SD_ODE_FAIL_NONFINITE); /* a non-finite probe */
    }
}

/* The dense output of lane l at time t into lane 0 of ye. */
static void dense_at(const group_ctx *g, const lane_state *s, const lane_bufs *B, int l, double t, double *ye)
{
    const double theta = erk_dense_theta(t, s->xold[l], s->hold[l]);
    for (int c = 0; c < g->n; c++)
        ye[c * L] = erk_dense_eval(B->cont + (size_t)c * L + l, (int64_t)g->n * L, g->nc, theta);
}

/* g_k at time t of lane l's dense output, evaluated through a one-lane call (lane 0 of ye/ge). */
static double event_g(const group_ctx *g, const lane_state *s, lane_bufs *B, int l, int k, double t)
{
    dense_at(g, s, B, l, t, B->ye);
    for (int c = 0; c < g->np; c++) B->pe[c * L] = B->p[c * L + l];
    B->one_t[0] = t;
    lanes_call(g->S, g->S->events, 1, B->one_t, B->ye, B->pe, B->ge);
    return B->ge[k * L];
}

/* Report lane l's pending crossings that the output time has passed, in the events field (count,
 * time, state from the stored step's dense output): all up to the output time or the first
 * terminal one, which stops the system there; crossings after a reported terminal one are
 * dropped. Called after each step that found crossings and before a continuing system steps, so
 * the dense coefficients are those of the step the crossings lie in. */
static void report_events(const group_ctx *g, lane_state *s, lane_bufs *B, int l)
{
    const sd_tile_args *a = g->a;
    const int n = g->n;
    const int64_t i = s->i0 + l;
    double tstop = INFINITY;
    for (int k = 0; k < g->nev; k++)
        if (g->S->event_terminal[k] && B->pend[k * L + l] < tstop) tstop = B->pend[k * L + l];
    const int stops = tstop <= g->tout;
    const double tlim = stops ? tstop : g->tout;
    double *ev = a->p[ERK_R_EVENTS];
    const int64_t esc = a->sc[ERK_R_EVENTS];
    for (int k = 0; k < g->nev; k++) {
        const double te = B->pend[k * L + l];
        if (isnan(te) || (te > tlim && !stops)) continue; /* none, or still ahead of the output */
        B->pend[k * L + l] = NAN;
        if (te > tlim || !ev) continue;
        const int64_t base = (int64_t)k * (SD_ODE_EVENT_NCOMP + n);
        ev[i + (base + SD_ODE_EVENT_COUNT) * esc] += 1.0;
        ev[i + (base + SD_ODE_EVENT_T) * esc] = te;
        dense_at(g, s, B, l, te, B->ye);
        for (int c = 0; c < n; c++) ev[i + (base + SD_ODE_EVENT_NCOMP + c) * esc] = B->ye[c * L];
    }
    if (stops) {
        s->stopped[l] = 1;
        s->tstop[l] = tstop;
    }
}

/* Crossings in lane l's accepted step [xold, t]: each located and left pending, then reported as
 * far as the output time allows. */
static void locate_events(const group_ctx *g, lane_state *s, lane_bufs *B, int l)
{
    for (int k = 0; k < g->nev; k++) {
        const double ga = B->g0[k * L + l], gb = B->g1[k * L + l];
        if (!sd_ode_event_crossed(g->S->event_direction[k], ga, gb)) continue;
        sd_ode_root r;
        sd_ode_root_init(&r, s->xold[l], ga, s->t[l], gb);
        while (!sd_ode_root_done(&r)) {
            const double t = sd_ode_root_next(&r);
            sd_ode_root_update(&r, t, event_g(g, s, B, l, k, t));
        }
        B->pend[k * L + l] = sd_ode_root_time(&r);
    }
    report_events(g, s, B, l);
}

static int any_crossing(const group_ctx *g, const lane_bufs *B, int l)
{
    for (int k = 0; k < g->nev; k++)
        if (sd_ode_event_crossed(g->S->event_direction[k], B->g0[k * L + l], B->g1[k * L + l])) return 1;
    return 0;
}

/* A terminal crossing is pending: the lane takes no further step. */
static int terminal_pending(const group_ctx *g, const lane_bufs *B, int l)
{
    for (int k = 0; k < g->nev; k++)
        if (g->S->event_terminal[k] && !isnan(B->pend[k * L + l])) return 1;
    return 0;
}

/* One step attempt of every stepping lane. */
static void step(const group_ctx *g, lane_state *s, lane_bufs *B, int nl)
{
    const erk_tableau *T = g->T;
    const int n = g->n, S1 = T->s - 1;
    const int64_t ks = (int64_t)n * L;
    double h[L];
    for (int l = 0; l < L; l++) h[l] = s->stepping[l] ? s->h[l] : 0.0;
    for (int i = 1; i < S1; i++) {
        lanes_stage_arg(T, i, n, B->y, h, B->k, B->acc, B->yt);
        for (int l = 0; l < L; l++) B->tt[l] = s->t[l] + T->c[i] * h[l];
        lanes_call(g->S, g->S->f, nl, B->tt, B->yt, B->p, B->k + (size_t)i * ks);
    }
    lanes_stage_arg(T, S1, n, B->y, h, B->k, B->acc, B->y1);
    for (int l = 0; l < L; l++) B->tt[l] = s->t[l] + h[l];
    lanes_call(g->S, g->S->f, nl, B->tt, B->y1, B->p, B->k + (size_t)S1 * ks);

    double s5[L] = {0}, s3[L] = {0};
    lanes_wsum(T->e, T->s, B->k, ks, B->acc);
    if (T->err3) lanes_wsum(T->e3, T->s, B->k, ks, B->acc3);
    for (int c = 0; c < n; c++)
        for (int l = 0; l < L; l++) {
            const double sk = erk_scale(B->atol[c * L + l], g->o.rtol, B->y[c * L + l], B->y1[c * L + l]);
            erk_err_add(T, h[l], sk, B->acc[c * L + l], T->err3 ? B->acc3[c * L + l] : 0.0, &s5[l], &s3[l]);
        }
    /* the step-size control's powers of every lane at once (one long chain each: batched, the
     * lanes overlap); lanes that do not step compute on a harmless 1 */
    double errs[L], pw_err[L], pw_facold[L];
    for (int l = 0; l < L; l++) errs[l] = s->stepping[l] ? erk_err_norm(T, h[l], n, s5[l], s3[l]) : 1.0;
    sd_ode_pow_lanes(errs, T->expo1, pw_err);
    if (T->beta != 0.0) sd_ode_pow_lanes(s->facold, T->beta, pw_facold);
    int need_dense = 0, need_events = 0;
    int accepted[L] = {0};
    for (int l = 0; l < nl; l++) {
        if (!s->stepping[l]) continue;
        s->nsteps[l] += 1;
        s->nfev[l] += S1;
        const double err = errs[l];
        if (!isfinite(err) || !all_finite(B->y1, n, l)) { /* a zero error scale, or non-finite values */
            const int tol = all_finite(B->y1, n, l) && erk_tol_scan(B->atol + l, B->y + l, B->y1 + l, L, n, g->o.rtol);
            fail(s, l, tol ? SD_ODE_FAIL_TOLERANCE : SD_ODE_FAIL_NONFINITE);
            continue;
        }
        erk_control ctl = {.h = h[l], .hmax = g->o.hmax, .facold = s->facold[l], .reject = s->reject[l] != 0.0};
        if (err > 1.0) {
            s->h[l] = erk_next_h_reject_pw(T, &ctl, pw_err[l]);
            s->reject[l] = 1.0;
            s->nrej[l] += 1;
            continue;
        }
        s->h[l] = erk_next_h_accept_pw(T, &ctl, err, pw_err[l], pw_facold[l]);
        s->facold[l] = ctl.facold;
        s->reject[l] = 0.0;
        s->nacc[l] += 1;
        accepted[l] = 1;
        if (g->o.nstiff > 0 && (fmod(s->nacc[l], g->o.nstiff) == 0.0 || s->iasti[l] > 0.0)) {
            double stnum = 0.0, stden = 0.0;
            for (int c = 0; c < n; c++)
                erk_stiff_add(B->k[S1 * ks + c * L + l], B->k[(S1 - 1) * ks + c * L + l], B->y1[c * L + l],
                              B->yt[c * L + l], &stnum, &stden);
            if (erk_stiff_update(T, h[l], stnum, stden, &s->iasti[l], &s->nonsti[l])) {
                fail(s, l, SD_ODE_FAIL_STIFF);
                accepted[l] = 0;
                continue;
            }
        }
        need_events |= g->nev > 0;
    }
    if (need_events) lanes_call(g->S, g->S->events, nl, B->tt, B->y1, B->p, B->g1);
    int dense[L] = {0};
    for (int l = 0; l < nl; l++) {
        if (!accepted[l]) continue;
        dense[l] = s->t[l] + h[l] >= g->tout || (g->nev && any_crossing(g, B, l));
        need_dense |= dense[l];
    }
    if (need_dense && T->sx > T->s) { /* DOP853's extra stages for its 7th-order interpolant */
        for (int i = T->s; i < T->sx; i++) {
            double hd[L];
            for (int l = 0; l < L; l++) hd[l] = dense[l] ? h[l] : 0.0;
            lanes_stage_arg(T, i, n, B->y, hd, B->k, B->acc, B->yt);
            for (int l = 0; l < L; l++) B->tt[l] = s->t[l] + T->c[i] * hd[l];
            lanes_call(g->S, g->S->f, nl, B->tt, B->yt, B->p, B->k + (size_t)i * ks);
        }
        for (int l = 0; l < nl; l++) s->nfev[l] += dense[l] ? T->sx - T->s : 0;
    }
    for (int l = 0; l < nl; l++) {
        if (!accepted[l]) continue;
        if (dense[l])
            for (int c = 0; c < n; c++)
                erk_dense_coef(T, B->y[c * L + l], B->y1[c * L + l], h[l], B->k + c * L + l, ks, B->cont + c * L + l, ks);
        s->dense[l] = dense[l];
        s->xold[l] = s->t[l];
        s->hold[l] = h[l];
        s->t[l] = s->t[l] + h[l];
        for (int c = 0; c < n; c++) {
            B->y[c * L + l] = B->y1[c * L + l];
            B->k[c * L + l] = B->k[S1 * ks + c * L + l];
        }
    }
    /* events after the commit: the root finder reads the step's dense output and overwrites y1 */
    for (int l = 0; l < nl; l++) {
        if (!accepted[l] || !g->nev) continue;
        if (dense[l]) locate_events(g, s, B, l);
    }
    for (int l = 0; l < nl && g->nev; l++)
        if (accepted[l])
            for (int k = 0; k < g->nev; k++) B->g0[k * L + l] = B->g1[k * L + l];
}

/* Lane l may (still) step in this interval. */
static int wants_step(const group_ctx *g, const lane_state *s, const lane_bufs *B, int l)
{
    return s->running[l] && !s->stopped[l] && s->t[l] < g->tout && !(g->nev && terminal_pending(g, B, l));
}

/* Write lane l back: y at the interval end (or at a terminal event), the events reached, the
 * stats, the work. */
static void scatter(const group_ctx *g, lane_state *s, lane_bufs *B, int l, int64_t i)
{
    const sd_tile_args *a = g->a;
    const int n = g->n;
    *stats_at(g, i, SD_ODE_NACCEPT) = s->nacc[l];
    *stats_at(g, i, SD_ODE_NREJECT) = s->nrej[l];
    *stats_at(g, i, SD_ODE_NFEV) = s->nfev[l];
    *stats_at(g, i, SD_ODE_NSTIFF) = s->iasti[l];
    *stats_at(g, i, SD_ODE_ORDER) = g->T->order;
    *stats_at(g, i, SD_ODE_STATUS) = s->status[l];
    if (!s->running[l]) return; /* failed now or before: y, t and work keep the last good state */
    const int stops = s->stopped[l];
    const double tlim = stops ? s->tstop[l] : g->tout;
    double *y = a->p[ERK_R_Y];
    if (tlim == s->t[l] || !s->dense[l]) {
        for (int c = 0; c < n; c++) y[i + c * a->sc[ERK_R_Y]] = B->y[c * L + l];
    } else {
        dense_at(g, s, B, l, tlim, B->ye);
        for (int c = 0; c < n; c++) y[i + c * a->sc[ERK_R_Y]] = B->ye[c * L];
    }
    *stats_at(g, i, SD_ODE_T) = tlim;
    *stats_at(g, i, SD_ODE_H) = s->h[l];
    if (stops) *stats_at(g, i, SD_ODE_STATUS) = SD_ODE_STOPPED;
    *work_at(g, i, ERK_W_X) = s->t[l];
    *work_at(g, i, ERK_W_XOLD) = s->xold[l];
    *work_at(g, i, ERK_W_HOLD) = s->hold[l];
    *work_at(g, i, ERK_W_FACOLD) = s->facold[l];
    *work_at(g, i, ERK_W_REJECT) = s->reject[l];
    *work_at(g, i, ERK_W_NONSTI) = s->nonsti[l];
    *work_at(g, i, ERK_W_DENSE) = s->dense[l];
    for (int c = 0; c < n; c++) {
        *work_at(g, i, erk_work_y(n) + c) = B->y[c * L + l];
        *work_at(g, i, erk_work_f(n) + c) = B->k[c * L + l];
    }
    for (int q = 0; q < g->nc * n; q++) *work_at(g, i, erk_work_cont(n) + q) = B->cont[q * L + l];
    for (int e = 0; e < g->nev; e++) {
        *work_at(g, i, erk_work_gold(g->T, n) + e) = B->g0[e * L + l];
        *work_at(g, i, erk_work_pend(g->T, n, g->nev) + e) = B->pend[e * L + l];
    }
}

/* Lanes [0, nl) hold systems i0 .. i0 + nl - 1 of the tile. */
static void run_group(const group_ctx *g, lane_bufs *B, int64_t i0, int nl)
{
    lane_state s;
    memset(&s, 0, sizeof s);
    s.i0 = i0;
    int fresh[L] = {0}, any_fresh = 0;
    for (int l = 0; l < nl; l++) {
        gather(g, &s, B, l, i0 + l);
        fresh[l] = s.running[l] && s.nfev[l] == 0;
        any_fresh |= fresh[l];
        if (s.running[l] && !fresh[l] && g->nev) report_events(g, &s, B, l); /* left from the last interval */
    }
    if (any_fresh) start_fresh(g, &s, B, nl, fresh);
    const double tiny = 10.0 * DBL_EPSILON;
    for (;;) {
        int any = 0;
        for (int l = 0; l < nl; l++) {
            s.stepping[l] = wants_step(g, &s, B, l);
            if (!s.stepping[l]) continue;
            if (s.nsteps[l] >= g->o.max_steps) {
                fail(&s, l, SD_ODE_FAIL_MAXSTEPS);
            } else if (!(s.h[l] > 0.0) || s.h[l] < tiny * fabs(s.t[l])) {
                fail(&s, l, SD_ODE_FAIL_STEP);
            }
            s.stepping[l] = s.running[l];
            any |= s.stepping[l];
        }
        if (!any) break;
        step(g, &s, B, nl);
    }
    for (int l = 0; l < nl; l++) scatter(g, &s, B, l, i0 + l);
}

void sd_erk_tile_cpu(const sd_tile_args *a, const erk_tableau *T)
{
    const sd_ode_system *S = a->system;
    group_ctx g = {.a = a, .T = T, .S = S, .o = erk_options_from(a->param), .n = S->n, .np = S->np,
                   .nev = S->events ? S->nevents : 0, .nc = erk_ncont(T), .tout = a->time + a->dt};
    lane_bufs B;
    if (carve(&B, T, g.n, g.np, g.nev) != 0) {
        /* no memory for the workspace: every running system of the tile fails visibly (there is
           no status of its own for it) */
        for (int64_t i = 0; i < a->n[0]; i++) {
            double *st = stats_at(&g, i, SD_ODE_STATUS);
            if (*st == SD_ODE_OK) *st = SD_ODE_FAIL_NONFINITE;
        }
        return;
    }
    for (int64_t i0 = 0; i0 < a->n[0]; i0 += L) {
        const int nl = a->n[0] - i0 < L ? (int)(a->n[0] - i0) : L;
        run_group(&g, &B, i0, nl);
    }
}
