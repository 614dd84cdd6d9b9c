/* erk_lanes.h - what the explicit solvers (ode.dopri5, ode.dop853) share: their roles and
 * parameters, the layout of their `work` field, and the CPU driver (erk_lanes.c). Internal. */
#ifndef SD_ODE_ERK_LANES_H
#define SD_ODE_ERK_LANES_H
#include <stddef.h>
#include "stardag/codelet.h"
#include "stardag/ode.h"
#include "erk_math.h"

/* Roles and parameters, in declaration order (glue_explicit.c). */
enum { ERK_R_Y = 0, ERK_R_STATS, ERK_R_WORK, ERK_R_P, ERK_R_ATOL, ERK_R_EVENTS, ERK_NROLES };
enum { ERK_P_RTOL = 0, ERK_P_ATOL, ERK_P_FIRST_STEP, ERK_P_MAX_STEP, ERK_P_MAX_STEPS, ERK_P_NSTIFF, ERK_NPARAMS };

/* The work field of one system (components): the integrator's own state at the end of its last
 * accepted step, which an interval end interpolates into and the next interval continues from.
 *   W_X       the time of the step's end (the internal time, >= the stats' output time)
 *   W_XOLD    the step's start; W_HOLD its size (the dense output's theta = (t - W_XOLD) / W_HOLD)
 *   W_FACOLD  the error of the last accepted step (Lund's stabilisation)
 *   W_REJECT  1 when the last attempt was rejected (the next accepted step may not grow h)
 *   W_NONSTI  Hairer's count of non-stiff-looking steps
 *   W_DENSE   1 when the dense coefficients below belong to the step [W_XOLD, W_X]
 * then y at W_X (n), f(W_X, y) (n: the FSAL derivative, the next step's first stage), the dense
 * coefficients (ncont x n, coefficient-major), g_k at W_X (nevents) and, per event, the time of a
 * crossing located in the stored step but not yet reported (after the last output time; NaN
 * when none). */
enum { ERK_W_X = 0, ERK_W_XOLD, ERK_W_HOLD, ERK_W_FACOLD, ERK_W_REJECT, ERK_W_NONSTI, ERK_W_DENSE, ERK_W_NSCAL };

SD_HD int erk_ncont(const erk_tableau *T) { return 4 + T->nd; }
SD_HD int erk_work_y(int n) { (void)n; return ERK_W_NSCAL; }
SD_HD int erk_work_f(int n) { return ERK_W_NSCAL + n; }
SD_HD int erk_work_cont(int n) { return ERK_W_NSCAL + 2 * n; }
SD_HD int erk_work_gold(const erk_tableau *T, int n) { return ERK_W_NSCAL + (2 + erk_ncont(T)) * n; }
SD_HD int erk_work_pend(const erk_tableau *T, int n, int nev) { return erk_work_gold(T, n) + nev; }
SD_HD int erk_work_ncomp(const erk_tableau *T, int n, int nev) { return erk_work_pend(T, n, nev) + nev; }

/* The run-time options of a task, from its parameters. */
typedef struct erk_options {
    double rtol, atol, first_step, hmax;
    double max_steps; /* per interval */
    double nstiff;    /* test stiffness every nstiff accepted steps (0: never) */
} erk_options;

SD_HD erk_options erk_options_from(const double *param)
{
    erk_options o;
    o.rtol = param[ERK_P_RTOL];
    o.atol = param[ERK_P_ATOL];
    o.first_step = param[ERK_P_FIRST_STEP];
    o.hmax = param[ERK_P_MAX_STEP] > 0.0 ? param[ERK_P_MAX_STEP] : 1.0 / 0.0;
    o.max_steps = param[ERK_P_MAX_STEPS];
    o.nstiff = param[ERK_P_NSTIFF];
    return o;
}

#ifdef __cplusplus
extern "C" {
#endif
/* Advance the tile's systems over the task's interval [a->time, a->time + a->dt] with tableau T,
 * SD_ODE_LANES systems at a time. */
void sd_erk_tile_cpu(const sd_tile_args *a, const erk_tableau *T);

/* The codelets' entry points (dopri5.c, dop853.c, status.c; CUDA: dopri5.cu, dop853.cu, a->p[]
 * device pointers, stream a cudaStream_t, linked only in a CUDA build) and the tableaux. */
void sd_ode_dopri5_cpu(const sd_tile_args *a);
void sd_ode_dop853_cpu(const sd_tile_args *a);
void sd_ode_dopri5_cuda(const sd_tile_args *a, void *stream);
void sd_ode_dop853_cuda(const sd_tile_args *a, void *stream);
void sd_ode_status_cpu(const sd_tile_args *a);
const erk_tableau *sd_ode_dopri5_tableau(void);
const erk_tableau *sd_ode_dop853_tableau(void);
#ifdef __cplusplus
}
#endif
#endif
