/* glue_implicit.c - declarations of the implicit (stiff) ODE solver codelets ode.radau5 and ode.bdf
 * on batch domains. Glue only: state machines in radau_math.h / bdf_math.h, events in
 * implicit_events.h, lane groups in implicit_cpu.c, CUDA threads in radau5.cu / bdf.cu;
 * definitions in docs/ode-implicit.md. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include "stardag/codelet.h"
#include "stardag/ode.h"
#include "ode_implicit_kernels.h"
#include "implicit_events.h"

/* .cuda only in a library built with CUDA, and used for built-in systems only (the engine runs the
 * op on CPUs for other systems). .cuda_tol 0: the CUDA threads run the same SD_HD state machines
 * with only + - * / and sqrt (no FMA; the step-size exponents through sd_ode_pow, itself + - * /),
 * and the built-ins' single-system functions the lane functions loop over. */
#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define F64 (1 << SD_F64)
#define FIELD(nm, md, opt, d) {.name = nm, .mode = md, .kind = SD_ROLE_FIELD, .dtypes = F64, .optional = opt, .doc = d}
#define ROLES                                                                                                  \
    {FIELD("y", SD_READWRITE, 0, "the state (n components): read at a fresh start, then the value at the "  \
                                 "interval's end"),                                                        \
     FIELD("stats", SD_READWRITE, 0, "per-system solver statistics and status (SD_ODE_NSTATS components; "  \
                                     "zero = a fresh start at t = 0)"),                                     \
     FIELD("work", SD_READWRITE, 0, "the method's state between intervals (see docs/ode-implicit.md)"),      \
     FIELD("p", SD_READ, 1, "per-system parameters (np components; unbound: the system's defaults)"),       \
     FIELD("atol", SD_READ, 1, "per-component absolute tolerances (n components), instead of param atol"),  \
     FIELD("events", SD_READWRITE, 1, "event records: per event, the count, then the time and state of the last " \
                                       "crossing (SD_ODE_EVENT_NCOMP + n)")}
#define PARAMS                                                                                                 \
    {.name = "rtol", .def = 1e-6, .min = 1e-14, .max = 0.1, .doc = "relative tolerance"},                  \
        {.name = "atol", .def = 1e-6, .min = 1e-300, .max = 1e300, .doc = "absolute tolerance (every component)"}, \
        {.name = "first_step", .def = 0, .min = 0, .max = 1e300, .doc = "the first step (0: estimated)"},   \
        {.name = "max_step", .def = 0, .min = 0, .max = 1e300, .doc = "largest step (0: no limit)"},        \
        {.name = "max_steps", .def = 100000, .min = 1, .max = 1e15, .doc = "steps per interval before FAIL_MAXSTEPS"}

static int check(const sd_check_info *info, char *msg, size_t len, const char *op)
{
    const sd_ode_system *s = info->system;
    if (!s) {
        snprintf(msg, len, "%s runs on batch domains (an ODE system), found a domain without one", op);
        return -1;
    }
    if (!s->jac) {
        snprintf(msg, len, "%s needs the system's Jacobian, and system %s has none (use an explicit method, or "
                           "give the system a jac)", op, s->name);
        return -1;
    }
    return 0;
}
/* interpolate is a switch: 0 or 1 (the range is the loader's) */
static int radau5_validate(const sd_check_info *info, char *msg, size_t len)
{
    if (info->param && info->param[SD_IMP_P_INTERPOLATE] != 0.0 && info->param[SD_IMP_P_INTERPOLATE] != 1.0) {
        snprintf(msg, len, "ode.radau5: interpolate = %g (expected 0 or 1)", info->param[SD_IMP_P_INTERPOLATE]);
        return -1;
    }
    return check(info, msg, len, "ode.radau5");
}
/* max_order is an order: 2.5 is refused, not truncated (the range 1..5 is the loader's). */
static int bdf_validate(const sd_check_info *info, char *msg, size_t len)
{
    if (info->param) {
        const double mo = info->param[SD_IMP_P_MAX_ORDER];
        if (mo != floor(mo)) {
            snprintf(msg, len, "ode.bdf: max_order = %g is not an integer (expected one of 1, 2, 3, 4, 5)", mo);
            return -1;
        }
    }
    return check(info, msg, len, "ode.bdf");
}

/* the event functions the kernels see (sd_imp_options: none without an events function) */
static int nev(const sd_ode_system *s) { return s->events ? s->nevents : 0; }
static int ncomp(int role, const sd_check_info *info, int work)
{
    const sd_ode_system *s = info->system;
    if (!s) return 0;
    switch (role) {
    case SD_IMP_R_Y: return s->n;
    case SD_IMP_R_STATS: return SD_ODE_NSTATS;
    case SD_IMP_R_WORK: return work;
    case SD_IMP_R_P: return s->np;
    case SD_IMP_R_ATOL: return s->n;
    case SD_IMP_R_EVENTS: return nev(s) * (SD_ODE_EVENT_NCOMP + s->n);
    default: return 0;
    }
}
static int radau5_ncomp(int role, const sd_check_info *info)
{
    return ncomp(role, info, info->system ? sd_imp_ev_work_ncomp(SD_IMP_RADAU, info->system->n, nev(info->system)) : 0);
}
static int bdf_ncomp(int role, const sd_check_info *info)
{
    return ncomp(role, info, info->system ? sd_imp_ev_work_ncomp(SD_IMP_BDF, info->system->n, nev(info->system)) : 0);
}

static const sd_codelet implicit_codelets[] = {
    {.name = "ode.radau5",
     .doc = "implicit Runge-Kutta Radau IIA order 5 (Hairer's RADAU5: simplified Newton, Jacobian and LU reuse, "
            "Gustafsson step control, collocation dense output) for stiff systems; needs the system's Jacobian",
     .domain = SD_ON_BATCH,
     .pattern = SD_POINTWISE,
     .nroles = 6,
     .roles = ROLES,
     .nparams = 6,
     .params = {PARAMS,
                {.name = "interpolate", .def = 0, .min = 0, .max = 1,
                 .doc = "0: each interval's last step ends on its end (as RADAU5 called with XEND = each output "
                        "time); 1: the end is interpolated on the step across it (the order-3 collocation "
                        "polynomial: cheaper when intervals are much shorter than the steps, less accurate)"}},
     .cpu = sd_ode_radau5_cpu,
     CUDA(sd_ode_radau5_cuda)
     .validate = radau5_validate,
     .ncomp = radau5_ncomp,
     .cuda_tol = 0,
     .model = "sd_ode_radau5"},
    {.name = "ode.bdf",
     .doc = "variable-order (1..5) BDF/NDF as SciPy's BDF (quasi-constant step, Newton with Jacobian reuse, "
            "order by error estimates of k-1, k, k+1) for stiff systems; needs the system's Jacobian",
     .domain = SD_ON_BATCH,
     .pattern = SD_POINTWISE,
     .nroles = 6,
     .roles = ROLES,
     .nparams = 6,
     .params = {PARAMS, {.name = "max_order", .def = 5, .min = 1, .max = 5, .doc = "highest order used"}},
     .cpu = sd_ode_bdf_cpu,
     CUDA(sd_ode_bdf_cuda)
     .validate = bdf_validate,
     .ncomp = bdf_ncomp,
     .cuda_tol = 0,
     .model = "sd_ode_bdf"},
};

void sd_register_ode_implicit_codelets(void)
{
    sd_codelet_register_table("ode implicit", implicit_codelets, sizeof implicit_codelets / sizeof implicit_codelets[0]);
}
