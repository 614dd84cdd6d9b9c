/* ode_events.h - locating the zero crossings of an ODE system's event functions g_k(t, y) inside a
 * step, method-agnostic: the caller owns the dense output and evaluates g where asked, so the same
 * SD_HD code serves CPU lanes, CUDA threads, explicit and implicit solvers.
 *
 * A step [t0, t1] (t1 > t0) has a crossing of event k when g goes, with the event's direction,
 * from g(t0) < 0 to g(t1) >= 0 (rising, +1), from > 0 to <= 0 (falling, -1), or either (0). Two
 * crossings inside one step cancel and are not seen (keep steps below the events' spacing with
 * max_step). The crossing is located by the Illinois variant of regula falsi (Dowell & Jarratt
 * 1971): superlinear, and the bracket always keeps the sign change. It ends when the bracket is
 * below 1e-12 of max(|t0|, |t1|, t1 - t0) (a relative accuracy in t) or after
 * SD_ODE_ROOT_MAXIT evaluations; the event time is the bracket's end after the crossing, so g
 * there already has its new sign. Usage:
 *     sd_ode_root r; sd_ode_root_init(&r, t0, g0, t1, g1);
 *     while (!sd_ode_root_done(&r)) { double t = sd_ode_root_next(&r); sd_ode_root_update(&r, t, g(t)); }
 *     te = sd_ode_root_time(&r); */
#ifndef SD_ODE_EVENTS_H
#define SD_ODE_EVENTS_H
#include <math.h>
#include "stardag/kernel.h"

#define SD_ODE_ROOT_MAXIT 100
#define SD_ODE_ROOT_RTOL 1.0e-12

/* 1 when g0 -> g1 is a crossing in the given direction (+1, -1, 0 = both). */
SD_HD int sd_ode_event_crossed(int direction, double g0, double g1)
{
    const int rising = g0 < 0.0 && g1 >= 0.0, falling = g0 > 0.0 && g1 <= 0.0;
    return direction > 0 ? rising : direction < 0 ? falling : (rising || falling);
}

typedef struct sd_ode_root {
    double ta, ga; /* before the crossing */
    double tb, gb; /* after it (gb == 0: exactly on the root) */
    double tol;
    int kept;      /* Illinois: +1 when tb was replaced by the last update, -1 when ta */
    int iter;
} sd_ode_root;

SD_HD void sd_ode_root_init(sd_ode_root *r, double t0, double g0, double t1, double g1)
{
    r->ta = t0;
    r->ga = g0;
    r->tb = t1;
    r->gb = g1;
    r->tol = SD_ODE_ROOT_RTOL * fmax(fmax(fabs(t0), fabs(t1)), t1 - t0);
    r->kept = 0;
    r->iter = 0;
}

SD_HD int sd_ode_root_done(const sd_ode_root *r)
{
    return r->gb == 0.0 || r->tb - r->ta <= r->tol || r->iter >= SD_ODE_ROOT_MAXIT;
}

/* The next time to evaluate g at: the secant through the bracket's ends, bisection when the
 * secant falls outside the open bracket (rounding) or is not a number. */
SD_HD double sd_ode_root_next(const sd_ode_root *r)
{
    const double t = r->tb - r->gb * ((r->tb - r->ta) / (r->gb - r->ga));
    if (t > r->ta && t < r->tb) return t;
    return r->ta + 0.5 * (r->tb - r->ta);
}

/* g(t) narrows the bracket; an end kept twice in a row has its g halved (Illinois). */
SD_HD void sd_ode_root_update(sd_ode_root *r, double t, double g)
{
    r->iter++;
    const int same_as_after = g == 0.0 || (g > 0.0) == (r->gb > 0.0);
    if (same_as_after) {
        r->tb = t;
        r->gb = g;
        if (r->kept == 1) r->ga *= 0.5;
        r->kept = 1;
    } else {
        r->ta = t;
        r->ga = g;
        if (r->kept == -1) r->gb *= 0.5;
        r->kept = -1;
    }
}

SD_HD double sd_ode_root_time(const sd_ode_root *r) { return r->tb; }

#endif
