/* glue_explicit.c - the declarations of ode.dopri5, ode.dop853 and ode.status: roles, parameters,
 * the field sizes a batch's system asks for, and the parameter checks. Glue only: the driver is
 * erk_lanes.c, the math erk_math.h and ode_events.h. */
#include "config.h"
#include <float.h>
#include <stdio.h>
#include "erk_lanes.h"

/* .cuda only in a library built with CUDA. cuda_tol 0: the CUDA kernel runs the CPU lanes' SD_HD
 * math in the same order, and every power of the step-size control and first step goes through
 * sd_ode_pow (ode_pow.h: + - * / and exact frexp/ldexp only), not libm's pow, which CUDA and glibc
 * may round 1 ulp apart; the other calls on the path (sqrt, fabs, copysign, fmod, fmin) are exact
 * or correctly rounded on both. So a system's result is bitwise the same on either device. */
#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

static int nevents_of(const sd_ode_system *S) { return S && S->events ? S->nevents : 0; }

static int erk_ncomp(const erk_tableau *T, int role, const sd_check_info *info)
{
    const sd_ode_system *S = info->system;
    if (!S) return 0;
    switch (role) {
    case ERK_R_Y: return S->n;
    case ERK_R_STATS: return SD_ODE_NSTATS;
    case ERK_R_WORK: return erk_work_ncomp(T, S->n, nevents_of(S));
    case ERK_R_P: return S->np;
    case ERK_R_ATOL: return S->n;
    case ERK_R_EVENTS: return S->nevents * (SD_ODE_EVENT_NCOMP + S->n);
    default: return 0;
    }
}
static int dopri5_ncomp(int role, const sd_check_info *info) { return erk_ncomp(sd_ode_dopri5_tableau(), role, info); }
static int dop853_ncomp(int role, const sd_check_info *info) { return erk_ncomp(sd_ode_dop853_tableau(), role, info); }

static int erk_validate(const sd_check_info *info, char *msg, size_t len)
{
    const double rtol = info->param[ERK_P_RTOL], atol = info->param[ERK_P_ATOL];
    const sd_ode_system *S = info->system;
    if (!S || !S->f) {
        snprintf(msg, len, "an explicit solver needs a batch domain whose system has a right-hand side");
        return -1;
    }
    if (!(atol >= 0.0) || atol - atol != 0.0 || !(rtol >= 0.0) || rtol - rtol != 0.0) {
        snprintf(msg, len, "rtol = %g, atol = %g: tolerances must be finite and >= 0", rtol, atol);
        return -1;
    }
    if (rtol != 0.0 && rtol < 10.0 * DBL_EPSILON) {
        snprintf(msg, len, "rtol = %g is below 10 machine epsilons (%g): steps could never meet it; expected 0 or >= %g",
                 rtol, 10.0 * DBL_EPSILON, 10.0 * DBL_EPSILON);
        return -1;
    }
    if (rtol == 0.0 && atol == 0.0) {
        snprintf(msg, len, "rtol = %g and atol = %g are both 0: no error scale; expected rtol > 0 or atol > 0", rtol, atol);
        return -1;
    }
    if (info->param[ERK_P_MAX_STEP] > 0.0 && info->param[ERK_P_FIRST_STEP] > info->param[ERK_P_MAX_STEP]) {
        snprintf(msg, len, "first_step = %g exceeds max_step = %g; expected first_step <= max_step",
                 info->param[ERK_P_FIRST_STEP], info->param[ERK_P_MAX_STEP]);
        return -1;
    }
    return 0;
}

#define ROLES_ERK                                                                                         \
    {{.name = "y", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64,                    \
      .doc = "state (n components): y at the end of the last interval"},                                  \
     {.name = "stats", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .ncomp = SD_ODE_NSTATS, .dtypes = 1 << SD_F64, \
      .doc = "per-system solver stats and status (stardag/ode.h; zero = a fresh start at t = 0)"},         \
     {.name = "work", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64,                  \
      .doc = "the integrator's state between intervals (docs/ode-explicit.md: 7 + (2+ncont) n + 2 nevents)"}, \
     {.name = "p", .mode = SD_READ, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .optional = 1,           \
      .doc = "per-system parameters (np components; unbound: the system's defaults)"},                    \
     {.name = "atol", .mode = SD_READ, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .optional = 1,        \
      .doc = "per-component absolute tolerances (n components; unbound: the atol parameter)"},            \
     {.name = "events", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .optional = 1, \
      .doc = "per event: crossings so far, time and state of the last (nevents*(2+n) components)"}}

#define PARAMS_ERK(nstiff_doc)                                                                            \
    {{.name = "rtol", .def = 1e-6, .min = 0, .max = 1, .doc = "relative tolerance"},                      \
     {.name = "atol", .def = 1e-6, .min = 0, .max = 1e300, .doc = "absolute tolerance (all components)"}, \
     {.name = "first_step", .def = 0, .min = 0, .max = 1e300, .doc = "first step size (0: Hairer's automatic choice)"}, \
     {.name = "max_step", .def = 0, .min = 0, .max = 1e300, .doc = "largest step size (0: no limit)"},     \
     {.name = "max_steps", .def = 100000, .min = 1, .max = 1e15,                                          \
      .doc = "step attempts allowed per system in one interval (more: status FAIL_MAXSTEPS)"},            \
     {.name = "nstiff", .def = 1000, .min = 0, .max = 1e15, .doc = nstiff_doc}}

static const sd_codelet ode_explicit_codelets[] = {
    {.name = "ode.dopri5",
     .doc = "advance every system of a batch to the interval end with the Dormand-Prince 5(4) pair (Hairer's "
            "DOPRI5: error control, Lund-stabilised step sizes, dense output of order 4 for the output time, "
            "stiffness detection, events)",
     .pattern = SD_POINTWISE,
     .domain = SD_ON_BATCH,
     .nroles = ERK_NROLES,
     .roles = ROLES_ERK,
     .nparams = ERK_NPARAMS,
     .params = PARAMS_ERK("test stiffness every nstiff accepted steps (|h| lambda > 3.25 15 times: FAIL_STIFF); 0: never"),
     .cpu = sd_ode_dopri5_cpu,
     CUDA(sd_ode_dopri5_cuda)
     .cuda_tol = 0,
     .validate = erk_validate,
     .ncomp = dopri5_ncomp,
     .model = "stardag.ode.dopri5"},
    {.name = "ode.dop853",
     .doc = "advance every system of a batch to the interval end with the Dormand-Prince 8(5,3) pair (Hairer's "
            "DOP853: combined 5th/3rd-order error estimate, dense output of order 7, stiffness detection, events)",
     .pattern = SD_POINTWISE,
     .domain = SD_ON_BATCH,
     .nroles = ERK_NROLES,
     .roles = ROLES_ERK,
     .nparams = ERK_NPARAMS,
     .params = PARAMS_ERK("test stiffness every nstiff accepted steps (|h| lambda > 6.1 15 times: FAIL_STIFF); 0: never"),
     .cpu = sd_ode_dop853_cpu,
     CUDA(sd_ode_dop853_cuda)
     .cuda_tol = 0,
     .validate = erk_validate,
     .ncomp = dop853_ncomp,
     .model = "stardag.ode.dop853"},
    {.name = "ode.status",
     .doc = "count the batch's failed and stopped systems, the lowest failing index, accepted steps and "
            "right-hand side evaluations from the solver stats",
     .pattern = SD_REDUCTION,
     .domain = SD_ON_BATCH,
     .nroles = 6,
     .roles = {{.name = "stats", .mode = SD_READ, .kind = SD_ROLE_FIELD, .ncomp = SD_ODE_NSTATS, .dtypes = 1 << SD_F64,
                .doc = "the solver's stats field"},
               {.name = "failed", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .optional = 1,
                .doc = "systems whose status is a failure (>= 2)"},
               {.name = "first_failed", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_MIN,
                .optional = 1, .doc = "the lowest failing system's index (inf when none fails)"},
               {.name = "stopped", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .optional = 1,
                .doc = "systems stopped by a terminal event"},
               {.name = "accepted", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .optional = 1,
                .doc = "accepted steps, all systems"},
               {.name = "nfev", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .optional = 1,
                .doc = "right-hand side evaluations, all systems"}},
     .cpu = sd_ode_status_cpu,
     .model = "stardag.ode.status"},
};

void sd_register_ode_explicit_codelets(void);
void sd_register_ode_explicit_codelets(void)
{
    sd_codelet_register_table("ode", ode_explicit_codelets, sizeof ode_explicit_codelets / sizeof ode_explicit_codelets[0]);
}
