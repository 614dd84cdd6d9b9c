/* implicit_events.h - event location for ode.radau5 and ode.bdf: a resumable layer around either
 * method's state machine (implicit_math.h), with the same rules as the explicit solvers
 * (docs/ode-explicit.md, Events) and the same root finder (ode_events.h).
 *
 * The layer starts a fresh system with g at its initial state; then runs the method, which returns
 * SD_IMP_STEPPED after each accepted step (only when o->nev > 0); evaluates g at the step's end;
 * locates each crossing in the event's direction on the step's dense output (requests
 * SD_IMP_NEED_G at times inside the step, the state from the dense output in the method's ev_y);
 * reports the crossings up to the interval's end or the first terminal one (count, time, state in
 * the events field) and, at a terminal one, stops the system there (SD_ODE_STOPPED, y and t at the
 * event). A crossing past the interval's end stays pending in work and is reported by the
 * interval it falls in (the layer reports before the method steps again, so the dense output is
 * still that step's). Every request is served like f: per system, from its own data, so the bits
 * do not depend on lanes, tiles or intervals.
 *
 * The layer's state follows the method's work components (sd_imp_ev_ncomp(nev) more; none
 * without events, so a system without events keeps the method's layout and bits). CPU only:
 * systems with events have no CUDA evaluation (the engine runs their ops on CPUs). */
#ifndef SD_ODE_IMPLICIT_EVENTS_H
#define SD_ODE_IMPLICIT_EVENTS_H
#include "implicit_math.h"
#include "radau_math.h"
#include "bdf_math.h"
#include "ode_events.h"

enum { SD_IMP_RADAU = 0, SD_IMP_BDF = 1 };

/* ---- what the layer needs of a method ---- */
SD_HD int sd_imp_m_base(int m, int n) { return m == SD_IMP_RADAU ? radau_work_ncomp(n) : bdf_work_ncomp(n); }
SD_HD int sd_imp_m_ev_t(int m) { return m == SD_IMP_RADAU ? (int)RW_EV_T : (int)BW_EV_T; }
SD_HD int sd_imp_m_ev_y(int m, int n) { return m == SD_IMP_RADAU ? radau_vec(n, RV_EVY) : bdf_vec(n, BV_EVY); }
SD_HD int sd_imp_m_ev_f(int m, int n) { return m == SD_IMP_RADAU ? radau_vec(n, RV_EVF) : bdf_vec(n, BV_EVF); }
SD_HD int sd_imp_m_jac(int m, int n) { return m == SD_IMP_RADAU ? radau_mat(n, RM_JAC) : bdf_mat(n, BM_JAC); }
/* the time of the last accepted step's end, and the step the method will try next */
SD_HD double sd_imp_m_x(int m, const sd_imp_view *v) { return SD_IMP_W(v, m == SD_IMP_RADAU ? (int)RW_X : (int)BW_T); }
SD_HD double sd_imp_m_h(int m, const sd_imp_view *v) { return SD_IMP_W(v, m == SD_IMP_RADAU ? (int)RW_H : (int)BW_HABS); }
/* component i of the last accepted step's dense output at t (as the method's own interval end) */
SD_HD double sd_imp_m_dense(int m, const sd_imp_view *v, int n, int i, double t)
{
    if (m == SD_IMP_BDF) return bdf_dense(v, n, i, t);
    const double hold = SD_IMP_W(v, RW_HOLD);
    return radau_dense(v, n, i, hold > 0.0 ? (t - SD_IMP_W(v, RW_X)) / hold : 0.0);
}

/* ---- the layer's state: scalars, then four nev-vectors, after the method's work ---- */
enum { IE_PHASE = 0, IE_K, IE_TG, IE_TA, IE_GA, IE_TB, IE_GB, IE_TOL, IE_KEPT, IE_ITER, IE_NSCALAR };
enum { IE_GOLD = 0, /* g at IE_TG: the last step's end (the start of the next) */
       IE_GNEW,     /* g at the step's end */
       IE_GEV,      /* where a NEED_G request's values go */
       IE_PEND,     /* the located crossing of each event not yet reported (NaN: none) */
       IE_NVEC };
enum { IE_RUN = 0, IE_G0, IE_GOT_G0, IE_REPORT, IE_LOCATE, IE_GOT_G, IE_SCAN, IE_ROOT, IE_GOT_ROOT, IE_HALTED };

SD_HD int sd_imp_ev_ncomp(int nev) { return nev > 0 ? IE_NSCALAR + IE_NVEC * nev : 0; }
/* work components of a method with events: the method's, then the layer's */
SD_HD int sd_imp_ev_work_ncomp(int m, int n, int nev) { return sd_imp_m_base(m, n) + sd_imp_ev_ncomp(nev); }
SD_HD int sd_imp_ev_vec(int m, int n, int nev, int k) { return sd_imp_m_base(m, n) + IE_NSCALAR + k * nev; }
/* where the values g_k of a NEED_G request go (k = 0 .. nev-1) */
SD_HD int sd_imp_ev_g(int m, int n, int nev) { return sd_imp_ev_vec(m, n, nev, IE_GEV); }

#define IE_W(m, v, o, k) SD_IMP_W(v, sd_imp_m_base(m, (o)->n) + (k))
#define IE_V(m, v, o, vec, k) SD_IMP_W(v, sd_imp_ev_vec(m, (o)->n, (o)->nev, vec) + (k))

/* A request for g at t with the state y(t) from the dense output (y itself at the step's end). */
SD_HD int sd_imp_ev_request(int m, const sd_imp_view *v, const sd_imp_opts *o, double t, int next)
{
    const int ey = sd_imp_m_ev_y(m, o->n);
    for (int i = 0; i < o->n; i++) SD_IMP_W(v, ey + i) = sd_imp_m_dense(m, v, o->n, i, t);
    SD_IMP_W(v, sd_imp_m_ev_t(m)) = t;
    IE_W(m, v, o, IE_PHASE) = next;
    return SD_IMP_NEED_G;
}

SD_HD void sd_imp_ev_root_load(int m, const sd_imp_view *v, const sd_imp_opts *o, sd_ode_root *r)
{
    r->ta = IE_W(m, v, o, IE_TA);
    r->ga = IE_W(m, v, o, IE_GA);
    r->tb = IE_W(m, v, o, IE_TB);
    r->gb = IE_W(m, v, o, IE_GB);
    r->tol = IE_W(m, v, o, IE_TOL);
    r->kept = (int)IE_W(m, v, o, IE_KEPT);
    r->iter = (int)IE_W(m, v, o, IE_ITER);
}
SD_HD void sd_imp_ev_root_store(int m, const sd_imp_view *v, const sd_imp_opts *o, const sd_ode_root *r)
{
    IE_W(m, v, o, IE_TA) = r->ta;
    IE_W(m, v, o, IE_GA) = r->ga;
    IE_W(m, v, o, IE_TB) = r->tb;
    IE_W(m, v, o, IE_GB) = r->gb;
    IE_W(m, v, o, IE_TOL) = r->tol;
    IE_W(m, v, o, IE_KEPT) = r->kept;
    IE_W(m, v, o, IE_ITER) = r->iter;
}

/* Report the pending crossings the interval's end has reached, in event order: all up to it or to
 * the first terminal crossing, which stops the system there (crossings after it are dropped).
 * Returns 1 when the system stopped. */
SD_HD int sd_imp_ev_report(int m, const sd_imp_view *v, const sd_imp_opts *o)
{
    const int n = o->n;
    double tstop = 1.0 / 0.0;
    for (int k = 0; k < o->nev; k++) {
        const double te = IE_V(m, v, o, IE_PEND, k);
        if (o->ev_terminal[k] && te < tstop) tstop = te; /* NaN compares false */
    }
    const int stops = tstop <= o->tend;
    const double tlim = stops ? tstop : o->tend;
    for (int k = 0; k < o->nev; k++) {
        const double te = IE_V(m, v, o, IE_PEND, k);
        if (te != te || (te > tlim && !stops)) continue; /* none, or still ahead of the output */
        IE_V(m, v, o, IE_PEND, k) = 0.0 / 0.0;
        if (te > tlim || !v->ev) continue;
        double *rec = v->ev + (int64_t)k * (SD_ODE_EVENT_NCOMP + n) * v->es;
        rec[SD_ODE_EVENT_COUNT * v->es] += 1.0;
        rec[SD_ODE_EVENT_T * v->es] = te;
        for (int i = 0; i < n; i++) rec[(SD_ODE_EVENT_NCOMP + i) * v->es] = sd_imp_m_dense(m, v, n, i, te);
    }
    if (!stops) return 0;
    for (int i = 0; i < n; i++) v->y[(int64_t)i * v->ys] = sd_imp_m_dense(m, v, n, i, tstop);
    v->st[SD_ODE_T * v->ss] = tstop;
    v->st[SD_ODE_H * v->ss] = sd_imp_m_h(m, v);
    v->st[SD_ODE_STATUS * v->ss] = SD_ODE_STOPPED;
    SD_IMP_W(v, m == SD_IMP_RADAU ? (int)RW_PHASE : (int)BW_PHASE) = m == SD_IMP_RADAU ? (int)RP_FAILED : (int)BP_FAILED;
    IE_W(m, v, o, IE_PHASE) = IE_HALTED;
    return 1;
}

/* At the start of a task (the method's begin included): a fresh system first takes g at its
 * initial state; a continuing one first reports what the last interval left pending. */
SD_HD void sd_imp_ev_begin(int m, const sd_imp_view *v, const sd_imp_opts *o)
{
    if (m == SD_IMP_RADAU) radau_begin(v);
    else bdf_begin(v);
    if (o->nev) IE_W(m, v, o, IE_PHASE) = v->st[SD_ODE_NFEV * v->ss] == 0.0 ? IE_G0 : IE_REPORT;
}

/* Run the system (method and events) until it needs an evaluation (f, J or g) or is done. */
SD_HD int sd_imp_ev_resume(int m, const sd_imp_view *v, const sd_imp_opts *o)
{
    if (!o->nev) return m == SD_IMP_RADAU ? radau_resume(v, o) : bdf_resume(v, o); /* no layer state */
    const int n = o->n;
    for (;;) {
        switch ((int)IE_W(m, v, o, IE_PHASE)) {
        case IE_RUN: {
            const int r = m == SD_IMP_RADAU ? radau_resume(v, o) : bdf_resume(v, o);
            if (r != SD_IMP_STEPPED) return r;
            IE_W(m, v, o, IE_PHASE) = IE_LOCATE;
            break;
        }
        case IE_G0: { /* y and t of a fresh start are the fields' (the method reads them the same way) */
            const int ey = sd_imp_m_ev_y(m, n);
            for (int i = 0; i < n; i++) SD_IMP_W(v, ey + i) = v->y[(int64_t)i * v->ys];
            SD_IMP_W(v, sd_imp_m_ev_t(m)) = v->st[SD_ODE_T * v->ss];
            IE_W(m, v, o, IE_PHASE) = IE_GOT_G0;
            return SD_IMP_NEED_G;
        }
        case IE_GOT_G0:
            for (int k = 0; k < o->nev; k++) {
                IE_V(m, v, o, IE_GOLD, k) = IE_V(m, v, o, IE_GEV, k);
                IE_V(m, v, o, IE_PEND, k) = 0.0 / 0.0;
            }
            IE_W(m, v, o, IE_TG) = v->st[SD_ODE_T * v->ss];
            IE_W(m, v, o, IE_PHASE) = IE_RUN;
            break;
        case IE_REPORT:
            if (sd_imp_ev_report(m, v, o)) return SD_IMP_DONE;
            IE_W(m, v, o, IE_PHASE) = IE_RUN;
            break;
        case IE_LOCATE:
            return sd_imp_ev_request(m, v, o, sd_imp_m_x(m, v), IE_GOT_G);
        case IE_GOT_G:
            for (int k = 0; k < o->nev; k++) IE_V(m, v, o, IE_GNEW, k) = IE_V(m, v, o, IE_GEV, k);
            IE_W(m, v, o, IE_K) = 0.0;
            IE_W(m, v, o, IE_PHASE) = IE_SCAN;
            break;
        case IE_SCAN: { /* the next event with a crossing in [TG, x] */
            int k = (int)IE_W(m, v, o, IE_K);
            while (k < o->nev && !sd_ode_event_crossed(o->ev_dir[k], IE_V(m, v, o, IE_GOLD, k), IE_V(m, v, o, IE_GNEW, k)))
                k++;
            const double x = sd_imp_m_x(m, v);
            if (k == o->nev) {
                for (int e = 0; e < o->nev; e++) IE_V(m, v, o, IE_GOLD, e) = IE_V(m, v, o, IE_GNEW, e);
                IE_W(m, v, o, IE_TG) = x;
                IE_W(m, v, o, IE_PHASE) = IE_REPORT;
                break;
            }
            sd_ode_root r;
            sd_ode_root_init(&r, IE_W(m, v, o, IE_TG), IE_V(m, v, o, IE_GOLD, k), x, IE_V(m, v, o, IE_GNEW, k));
            sd_imp_ev_root_store(m, v, o, &r);
            IE_W(m, v, o, IE_K) = k;
            IE_W(m, v, o, IE_PHASE) = IE_ROOT;
            break;
        }
        case IE_ROOT: {
            sd_ode_root r;
            sd_imp_ev_root_load(m, v, o, &r);
            const int k = (int)IE_W(m, v, o, IE_K);
            if (!sd_ode_root_done(&r)) return sd_imp_ev_request(m, v, o, sd_ode_root_next(&r), IE_GOT_ROOT);
            IE_V(m, v, o, IE_PEND, k) = sd_ode_root_time(&r);
            IE_W(m, v, o, IE_K) = k + 1;
            IE_W(m, v, o, IE_PHASE) = IE_SCAN;
            break;
        }
        case IE_GOT_ROOT: {
            sd_ode_root r;
            sd_imp_ev_root_load(m, v, o, &r);
            const int k = (int)IE_W(m, v, o, IE_K);
            sd_ode_root_update(&r, SD_IMP_W(v, sd_imp_m_ev_t(m)), IE_V(m, v, o, IE_GEV, k));
            sd_imp_ev_root_store(m, v, o, &r);
            IE_W(m, v, o, IE_PHASE) = IE_ROOT;
            break;
        }
        default: /* IE_HALTED */
            return SD_IMP_DONE;
        }
    }
}

#undef IE_W
#undef IE_V
#endif
