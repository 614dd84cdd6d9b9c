/* stardag/ode.h - ODE systems of batch domains, and what the ode.* solver codelets keep per system.
 *
 * A batch domain holds M independent copies of one system y' = f(t, y; p): n state variables and
 * np parameters per copy, given by name (a built-in such as "vdp", or one registered through this
 * API) or by expressions in the graph file. A batch is a one-dimensional grid of systems without
 * halos: a tile is a range of systems, a field holds per-system values SoA with the component
 * outermost (component c of the tile's system i at p[i + c*sc]), and the kernel's tile view is a
 * grid tile's (n[0] systems from global index origin[0] of shape[0]); sd_tile_args.system points
 * at the domain's sd_ode_system.
 *
 * CPU solvers advance SD_ODE_LANES systems in lock step (one vector instruction serves several
 * systems; a lane whose system has finished is masked), so a system is evaluated through lane
 * functions: each call evaluates nl <= SD_ODE_LANES lanes, every array SoA with the lane fastest
 * and a fixed stride of SD_ODE_LANES (component c of lane l at y[c*SD_ODE_LANES + l]). A lane's
 * result depends on that lane's inputs only, with the same operations whatever nl is, so a system
 * gives bitwise the same result in any lane, any tile and alone. CUDA solvers run one thread per
 * system and evaluate built-in systems through their single-system SD_HD functions (the same
 * math the lane functions loop over). No StarPU here. */
#ifndef STARDAG_ODE_H
#define STARDAG_ODE_H

#include <stddef.h>
#include <stdint.h>
#include "stardag/kernel.h"

#define SD_ODE_LANES 8        /* systems per lock-step group on CPUs (the lane stride) */
#define SD_ODE_MAX_N 1024     /* state variables of one system */
#define SD_ODE_MAX_PARAMS 64  /* parameters per system */
#define SD_ODE_MAX_EVENTS 8   /* event functions of one system */

/* One lane function call: nl lanes; t[l] the lane's time; y, p and out SoA with stride
 * SD_ODE_LANES. p is NULL when the system has no parameters. */
typedef struct sd_ode_lanes {
    int nl;
    const double *t;
    const double *y; /* n components */
    const double *p; /* np components */
} sd_ode_lanes;

/* f:      out[r*L + l]       = f_r(t, y; p)                     (n values per lane)
 * jac:    out[(r*n + c)*L + l] = d f_r / d y_c                  (n*n values per lane, row-major)
 * events: out[k*L + l]       = g_k(t, y; p)                     (nevents values per lane)
 * ctx is the system's (sd_ode_system.ctx): a compiled expression module, a matrix read from a file. */
typedef void (*sd_ode_lane_fn)(const void *ctx, const sd_ode_lanes *in, double *out);

/* A CPU lane function looping a single-system SD_HD function over the lanes (the lanes' times in
 * t[]), for built-ins and systems a program writes in C (examples/ode-user-system):
 *   SD_HD void my_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
 * (component r of the system at y[r*ys], parameter k at p[k*ps], f_r to f[r*fs]; a Jacobian the
 * same way, entry (r, c) to J[(r*n + c)*js]); SD_ODE_LANE_FN(my_lanes_f, my_f) defines
 * static void my_lanes_f(const void *ctx, const sd_ode_lanes *in, double *out). */
#define SD_ODE_LANE_FN(name, fn)                                                                        \
    static void name(const void *ctx, const sd_ode_lanes *in, double *out)                             \
    {                                                                                                   \
        (void)ctx;                                                                                      \
        for (int l = 0; l < in->nl; l++)                                                               \
            fn(in->t[l], in->y + l, SD_ODE_LANES, in->p ? in->p + l : (const double *)0, SD_ODE_LANES, \
               out + l, SD_ODE_LANES);                                                                  \
    }

/* How a CUDA thread evaluates the system (see sd_ode_system.device). */
typedef enum {
    SD_ODE_DEVICE_NONE = 0, /* no CUDA evaluation: the batch's solver ops run on CPUs */
    SD_ODE_DEVICE_BUILTIN   /* a built-in, by id (codelets/ode/systems.h: sd_ode_builtin_id) */
} sd_ode_device;

typedef struct sd_ode_system {
    char name[64];          /* "vdp", "lorenz", or the graph's name for an expression system */
    int n, np, nevents;
    const char *const *var_names;   /* [n] (may be NULL: "y0", "y1", ...) */
    const char *const *param_names; /* [np] */
    const double *param_default;    /* [np]: the parameters of every system when the solver op binds
                                       no p field; NULL: an op on this system must bind p */
    sd_ode_lane_fn f;       /* required */
    sd_ode_lane_fn jac;     /* required by the implicit solvers (radau5, bdf) and by stiffness
                               reports; NULL: the implicit solvers refuse the system at load */
    sd_ode_lane_fn events;  /* NULL when nevents == 0 */
    /* per event: +1 only rising zero crossings (g goes from < 0 to >= 0), -1 only falling, 0 both;
       terminal: the system stops at its first such crossing */
    int event_direction[SD_ODE_MAX_EVENTS];
    int event_terminal[SD_ODE_MAX_EVENTS];
    const void *ctx;
    sd_ode_device device;
    int device_id;          /* SD_ODE_DEVICE_BUILTIN: the built-in's id */
    const char *doc;
} sd_ode_system;

/* ---- What the solvers keep per system --------------------------------------------------------
 * Every ode.* solver op binds: y (the state, n components: its value at the end of the last
 * interval), stats (SD_ODE_NSTATS components below, zero-initialised = a fresh start at t = 0),
 * work (the method's internal state between intervals: the step's own y, dense-output
 * coefficients, history: as many components as the codelet's ncomp hook asks for the system), optionally p (np parameters), atol (n
 * per-component absolute tolerances, instead of the scalar atol param) and events (per event
 * k: SD_ODE_EVENT_NCOMP + n values from k*(SD_ODE_EVENT_NCOMP + n)). One graph step advances every
 * running system from its t to the end of the interval, step*dt (the run's dt), hitting it by
 * dense output, never by shortening a step. */
enum {
    SD_ODE_T = 0,      /* the time y holds (the end of the last interval) */
    SD_ODE_H,          /* the step size the next step will try (0: choose a first step) */
    SD_ODE_STATUS,     /* sd_ode_status */
    SD_ODE_NACCEPT,    /* accepted steps, cumulative */
    SD_ODE_NREJECT,    /* rejected steps */
    SD_ODE_NFEV,       /* right-hand side evaluations (per system) */
    SD_ODE_NJEV,       /* Jacobian evaluations */
    SD_ODE_NLU,        /* LU factorisations */
    SD_ODE_ORDER,      /* the method's order now (BDF: 1..5; fixed for the others) */
    SD_ODE_NSTIFF,     /* explicit methods: Hairer's stiffness counter; implicit: Newton failures */
    SD_ODE_NSTATS
};

/* Status of a system (stats component SD_ODE_STATUS). Non-zero: the system no longer advances;
 * y and stats keep its last good state. Codes >= SD_ODE_FAIL_FIRST are failures. */
typedef enum {
    SD_ODE_OK = 0,
    SD_ODE_STOPPED = 1,        /* a terminal event happened (y, t: at the event) */
    SD_ODE_FAIL_FIRST = 2,
    SD_ODE_FAIL_STEP = 2,      /* step size underflow (h < 10 eps |t|) */
    SD_ODE_FAIL_MAXSTEPS = 3,  /* more than max_steps steps in one interval */
    SD_ODE_FAIL_NONFINITE = 4, /* a non-finite state, parameter or right-hand side value */
    SD_ODE_FAIL_STIFF = 5,     /* an explicit method found the problem stiff (Hairer's test) */
    SD_ODE_FAIL_SINGULAR = 6,  /* implicit: the iteration matrix could not be factored, repeatedly */
    SD_ODE_FAIL_NEWTON = 7,    /* implicit: the Newton iteration failed to converge, repeatedly */
    SD_ODE_FAIL_TOLERANCE = 8  /* explicit: unusable tolerances: an atol field value < 0 or not finite,
                                  or a component's error scale atol + rtol |y| is 0 (e.g. atol 0 and
                                  y_i = 0), where the error norm would divide by zero */
} sd_ode_status;

/* Per event k of a system: how many crossings (cumulative), then the time and state of the last. */
enum { SD_ODE_EVENT_COUNT = 0, SD_ODE_EVENT_T, SD_ODE_EVENT_NCOMP };

#ifdef __cplusplus
extern "C" {
#endif

/* Register a system by name (the struct and its name arrays are referenced, not copied: static
 * storage). Graphs name it as `system: NAME`. 0, or -1 with a message on stderr when the name is
 * taken or the declaration is inconsistent. Its device must be SD_ODE_DEVICE_NONE (it runs on
 * CPUs): only the bundled built-ins have a CUDA evaluation. */
int sd_ode_system_register(const sd_ode_system *s);
const sd_ode_system *sd_ode_system_find(const char *name);
int sd_ode_system_count(void);
const sd_ode_system *sd_ode_system_at(int i);

#ifdef __cplusplus
}
#endif
#endif
