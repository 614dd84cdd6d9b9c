/* implicit_cpu.c - lock-step groups for the implicit solvers (see implicit_cpu.h). Gathering and
 * scattering, request serving; no arithmetic of the methods here. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "implicit_cpu.h"
#include "implicit_events.h"
#include "simd/workspace.h"

void sd_imp_options(const sd_tile_args *a, sd_imp_opts *o)
{
    o->n = a->system->n;
    o->np = a->system->np;
    o->rtol = a->param[SD_IMP_P_RTOL];
    o->atol = a->param[SD_IMP_P_ATOL];
    o->first_step = a->param[SD_IMP_P_FIRST_STEP];
    o->max_step = a->param[SD_IMP_P_MAX_STEP];
    o->max_steps = a->param[SD_IMP_P_MAX_STEPS];
    o->max_order = 5;
    o->land = 0;
    o->tend = a->time + a->dt;
    o->nev = a->system->events ? a->system->nevents : 0;
    for (int k = 0; k < SD_ODE_MAX_EVENTS; k++) {
        o->ev_dir[k] = (signed char)(k < o->nev ? a->system->event_direction[k] : 0);
        o->ev_terminal[k] = (signed char)(k < o->nev && a->system->event_terminal[k]);
    }
}

/* The calling thread's workspace (sd_workspace); out of memory stops the program, as a task
 * cannot fail its systems without the room to read them. */
static double *workspace(size_t n)
{
    double *buf = sd_workspace(n * sizeof(double));
    if (!buf) {
        fprintf(stderr, "stardag: ode implicit solver: out of memory for a %zu-double workspace\n", n);
        abort();
    }
    return buf;
}

typedef struct group {
    int g;       /* lanes in use */
    int64_t ls;  /* lane stride of W, Y, ST, A: SD_ODE_LANES, or 1 for a lone large system */
    double *W, *Y, *ST, *A, *P; /* P: parameters in lane-function layout (stride SD_ODE_LANES) */
    double *tin, *yin, *fout, *jout, *gout;
} group;

/* Copy system i0 + l of the tile's fields into lane l (to = 1) or back (to = 0). */
static void move_lane(const sd_tile_args *a, const group *G, int64_t i, int l, int K, int n, int to)
{
    struct { int slot, nc; double *lane; } f[4] = {
        {SD_IMP_R_WORK, K, G->W}, {SD_IMP_R_Y, n, G->Y}, {SD_IMP_R_STATS, SD_ODE_NSTATS, G->ST},
        {SD_IMP_R_ATOL, n, G->A}};
    for (int k = 0; k < 4; k++) {
        double *fld = a->p[f[k].slot];
        if (!fld || (!to && f[k].slot == SD_IMP_R_ATOL)) continue;
        const int64_t sc = a->sc[f[k].slot];
        for (int c = 0; c < f[k].nc; c++) {
            if (to) f[k].lane[c * G->ls + l] = fld[i + c * sc];
            else fld[i + c * sc] = f[k].lane[c * G->ls + l];
        }
    }
}

/* Serve the round's requests of one kind: one lane-function call for the group, the values
 * copied to the requesting lanes' work at `at` (cnt values, lane stride ls). */
static void serve(const group *G, const sd_imp_view *v, const int *req, int kind, sd_ode_lane_fn fn,
                  const sd_ode_system *sys, const sd_ode_lanes *in, double *out, int at, int64_t cnt)
{
    fn(sys->ctx, in, out);
    for (int l = 0; l < G->g; l++)
        if (req[l] == kind)
            for (int64_t k = 0; k < cnt; k++) v[l].w[(at + k) * G->ls] = out[k * SD_ODE_LANES + l];
}

void sd_imp_cpu_tile(const sd_tile_args *a, const sd_imp_method *m)
{
    const sd_ode_system *sys = a->system;
    sd_imp_opts o;
    sd_imp_options(a, &o);
    if (m->max_order_param) o.max_order = (int)a->param[SD_IMP_P_MAX_ORDER];
    if (m->interpolate_param) o.land = a->param[SD_IMP_P_INTERPOLATE] == 0.0;
    const int id = m->id, n = o.n, np = o.np, nev = o.nev, K = sd_imp_ev_work_ncomp(id, n, nev);
    const int64_t L = SD_ODE_LANES, ls = n > SD_IMP_LANE_MAXN ? 1 : L, gmax = ls;
    const size_t need = (size_t)K * ls + (size_t)(2 * n + SD_ODE_NSTATS) * ls + (size_t)np * L + L +
                        (size_t)2 * n * L + (size_t)n * n * L + (size_t)nev * L;
    group G = {.ls = ls};
    G.W = workspace(need);
    G.Y = G.W + (size_t)K * ls;
    G.ST = G.Y + (size_t)n * ls;
    G.A = G.ST + (size_t)SD_ODE_NSTATS * ls;
    G.P = G.A + (size_t)n * ls;
    G.tin = G.P + (size_t)np * L;
    G.yin = G.tin + L;
    G.fout = G.yin + (size_t)n * L;
    G.jout = G.fout + (size_t)n * L;
    G.gout = G.jout + (size_t)n * n * L;
    const double *pf = a->p[SD_IMP_R_P];
    double *evf = a->p[SD_IMP_R_EVENTS];
    const int ev_t = sd_imp_m_ev_t(id), ev_y = sd_imp_m_ev_y(id, n);
    const int ev_f = sd_imp_m_ev_f(id, n), jac = sd_imp_m_jac(id, n);
    const int ev_g = nev ? sd_imp_ev_g(id, n, nev) : 0;
    for (int64_t i0 = 0; i0 < a->n[0]; i0 += gmax) {
        G.g = (int)(a->n[0] - i0 < gmax ? a->n[0] - i0 : gmax);
        sd_imp_view v[SD_ODE_LANES];
        int active[SD_ODE_LANES], ran[SD_ODE_LANES], req[SD_ODE_LANES];
        for (int l = 0; l < G.g; l++) {
            const int64_t i = i0 + l;
            move_lane(a, &G, i, l, K, n, 1);
            /* no p field and no defaults (the loader should have refused): NaN -> FAIL_NONFINITE */
            for (int k = 0; k < np; k++)
                G.P[k * L + l] = pf ? pf[i + k * a->sc[SD_IMP_R_P]] : sys->param_default ? sys->param_default[k] : NAN;
            v[l] = (sd_imp_view){.w = G.W + l, .ws = ls, .y = G.Y + l, .ys = ls, .st = G.ST + l, .ss = ls,
                                 .p = np ? G.P + l : NULL, .ps = L, .atol = a->p[SD_IMP_R_ATOL] ? G.A + l : NULL,
                                 .as = ls, .ev = evf && nev ? evf + i : NULL, .es = a->sc[SD_IMP_R_EVENTS]};
            ran[l] = active[l] = G.ST[SD_ODE_STATUS * ls + l] == 0.0;
            if (active[l]) sd_imp_ev_begin(id, &v[l], &o);
            G.tin[l] = 0.0;
            for (int c = 0; c < n; c++) G.yin[c * L + l] = G.Y[c * ls + l];
        }
        for (;;) {
            int nf = 0, nj = 0, ng = 0;
            for (int l = 0; l < G.g; l++) {
                req[l] = active[l] ? sd_imp_ev_resume(id, &v[l], &o) : SD_IMP_DONE;
                if (req[l] == SD_IMP_DONE) { active[l] = 0; continue; }
                nf += req[l] == SD_IMP_NEED_F;
                nj += req[l] == SD_IMP_NEED_JAC;
                ng += req[l] == SD_IMP_NEED_G;
                G.tin[l] = v[l].w[ev_t * ls];
                for (int c = 0; c < n; c++) G.yin[c * L + l] = v[l].w[(int64_t)(ev_y + c) * ls];
            }
            if (!nf && !nj && !ng) break;
            const sd_ode_lanes in = {.nl = G.g, .t = G.tin, .y = G.yin, .p = np ? G.P : NULL};
            if (nf) serve(&G, v, req, SD_IMP_NEED_F, sys->f, sys, &in, G.fout, ev_f, n);
            if (nj) serve(&G, v, req, SD_IMP_NEED_JAC, sys->jac, sys, &in, G.jout, jac, (int64_t)n * n);
            if (ng) serve(&G, v, req, SD_IMP_NEED_G, sys->events, sys, &in, G.gout, ev_g, nev);
        }
        for (int l = 0; l < G.g; l++)
            if (ran[l]) move_lane(a, &G, i0 + l, l, K, n, 0);
    }
}
