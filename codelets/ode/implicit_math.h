/* implicit_math.h - what ode.radau5 and ode.bdf share: one system's view of its fields, the
 * solver options, the evaluation requests of a resumable solver, the initial step.
 *
 * Each implicit solver is a resumable state machine (radau_math.h, bdf_math.h): a call runs one
 * system until it needs f or the Jacobian (returns SD_IMP_NEED_F / SD_IMP_NEED_JAC: the request's
 * time at work component ev_t, its state at ev_y; the caller writes f at ev_f, or the Jacobian at
 * jac, and calls again) or has reached the interval's end (SD_IMP_DONE). A CPU lock-step group
 * resumes every lane, then serves all requests with one lane-function call; a CUDA thread serves
 * its own with the built-in's single-system functions. Every state, temporaries included, lives in
 * the work field (strided view), so nothing is allocated per system and the math is the same
 * code on both. */
#ifndef SD_ODE_IMPLICIT_MATH_H
#define SD_ODE_IMPLICIT_MATH_H
#include <math.h>
#include <stdint.h>
#include "stardag/kernel.h"
#include "stardag/ode.h"
#include "ode_pow.h" /* sd_ode_pow: the step-size exponents, bitwise on CPU and CUDA */

/* One system: component c of each field at base[c*stride]. */
typedef struct sd_imp_view {
    double *w;
    int64_t ws; /* work */
    double *y;
    int64_t ys; /* y: the state at the end of the last interval */
    double *st;
    int64_t ss; /* stats (SD_ODE_NSTATS) */
    const double *p;
    int64_t ps; /* parameters (NULL: none) */
    const double *atol;
    int64_t as; /* per-component atol (NULL: the scalar option) */
    double *ev;
    int64_t es; /* event records (nevents (SD_ODE_EVENT_NCOMP + n); NULL: unbound) */
} sd_imp_view;

/* The op's parameters and the interval (the same for every system of a task). */
typedef struct sd_imp_opts {
    int n, np;
    double rtol, atol, first_step, max_step, max_steps;
    int max_order; /* bdf */
    int land;      /* radau5: the last step of an interval ends on tend (else tend is interpolated) */
    double tend;   /* the interval's end: a->time + a->dt */
    int nev;       /* event functions (0 on CUDA: systems with events run on CPUs) */
    signed char ev_dir[SD_ODE_MAX_EVENTS], ev_terminal[SD_ODE_MAX_EVENTS];
} sd_imp_opts;

/* Requests of a resume call (implicit_events.h adds NEED_G: the event functions at (ev_t, ev_y),
 * written where sd_imp_ev_g says); STEPPED: a step was accepted (only with events, for the event
 * layer, which resumes the method again). */
enum { SD_IMP_DONE = 0, SD_IMP_NEED_F = 1, SD_IMP_NEED_JAC = 2, SD_IMP_NEED_G = 3, SD_IMP_STEPPED = 4 };

/* Parameter positions (declaration order in glue_implicit.c; bdf adds max_order, radau5
 * interpolate, in the same place). */
enum { SD_IMP_P_RTOL = 0, SD_IMP_P_ATOL, SD_IMP_P_FIRST_STEP, SD_IMP_P_MAX_STEP, SD_IMP_P_MAX_STEPS,
       SD_IMP_P_MAX_ORDER, SD_IMP_P_INTERPOLATE = SD_IMP_P_MAX_ORDER };
/* Role slots (declaration order). */
enum { SD_IMP_R_Y = 0, SD_IMP_R_STATS, SD_IMP_R_WORK, SD_IMP_R_P, SD_IMP_R_ATOL, SD_IMP_R_EVENTS };

#define SD_IMP_W(v, k) ((v)->w[(int64_t)(k) * (v)->ws])

SD_HD int sd_imp_finite(double x) { return x - x == 0; }

SD_HD double sd_imp_atol(const sd_imp_view *v, const sd_imp_opts *o, int i)
{
    return v->atol ? v->atol[(int64_t)i * v->as] : o->atol;
}

/* sqrt(mean((x_i / s_i)^2)) over n work vectors' entries */
SD_HD double sd_imp_rms(const sd_imp_view *v, int n, int x, int s)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const double q = SD_IMP_W(v, x + i) / SD_IMP_W(v, s + i);
        sum += q * q;
    }
    return sqrt(sum / n);
}

/* The usual starting-step estimate (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4, as SciPy's
 * select_initial_step) in two halves around one f evaluation: first h0 and the trial state
 * y0 + h0 f0 (written to ev), then, from f1 = f(t0 + h0, that state), the step for a method of
 * error order `order`. sc: scale vector atol + rtol |y0|. */
SD_HD double sd_imp_h0(const sd_imp_view *v, int n, int y0, int f0, int sc, int ev)
{
    double d0 = 0.0, d1 = 0.0;
    for (int i = 0; i < n; i++) {
        const double a = SD_IMP_W(v, y0 + i) / SD_IMP_W(v, sc + i), b = SD_IMP_W(v, f0 + i) / SD_IMP_W(v, sc + i);
        d0 += a * a;
        d1 += b * b;
    }
    d0 = sqrt(d0 / n);
    d1 = sqrt(d1 / n);
    const double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    for (int i = 0; i < n; i++) SD_IMP_W(v, ev + i) = SD_IMP_W(v, y0 + i) + h0 * SD_IMP_W(v, f0 + i);
    return h0;
}
SD_HD double sd_imp_h1(const sd_imp_view *v, int n, int f0, int f1, int sc, double h0, int order)
{
    double d1 = 0.0, d2 = 0.0;
    for (int i = 0; i < n; i++) {
        const double b = SD_IMP_W(v, f0 + i) / SD_IMP_W(v, sc + i);
        const double c = (SD_IMP_W(v, f1 + i) - SD_IMP_W(v, f0 + i)) / SD_IMP_W(v, sc + i);
        d1 += b * b;
        d2 += c * c;
    }
    d1 = sqrt(d1 / n);
    d2 = sqrt(d2 / n) / h0;
    const double dm = d1 > d2 ? d1 : d2;
    const double h1 = (d1 <= 1e-15 && d2 <= 1e-15) ? (h0 * 1e-3 > 1e-6 ? h0 * 1e-3 : 1e-6)
                                                   : sd_ode_pow(0.01 / dm, 1.0 / (order + 1));
    return 100.0 * h0 < h1 ? 100.0 * h0 : h1;
}

#endif
