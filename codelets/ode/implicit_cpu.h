/* implicit_cpu.h - the CPU side of ode.radau5 and ode.bdf: a tile's systems in lock-step groups of
 * SD_ODE_LANES (gathered SoA with the lane fastest), each lane's state machine resumed in turn and
 * every round's evaluation requests served by one call of the system's lane function f (or jac, or
 * the event functions).
 * A lane computes from its own data only, so a system's bits do not depend on its group, tile or
 * worker. Systems larger than SD_IMP_LANE_MAXN run alone (stride 1: their matrices' rows are
 * contiguous for the LU). The buffers are one per-thread workspace, grown once, never freed. */
#ifndef SD_ODE_IMPLICIT_CPU_H
#define SD_ODE_IMPLICIT_CPU_H
#include "stardag/kernel.h"
#include "stardag/ode.h"
#include "implicit_math.h"

#define SD_IMP_LANE_MAXN 32

/* A method (SD_IMP_RADAU or SD_IMP_BDF): its state machine runs inside the event layer of
 * implicit_events.h (a plain pass-through for systems without events). */
typedef struct sd_imp_method {
    int id;
    int max_order_param; /* the op has max_order (bdf) */
    int interpolate_param; /* the op has interpolate (radau5) */
} sd_imp_method;

/* Advance every running system of tile a to the end of its interval. */
void sd_imp_cpu_tile(const sd_tile_args *a, const sd_imp_method *m);

/* The op's options from its parameters and the task's interval. */
void sd_imp_options(const sd_tile_args *a, sd_imp_opts *o);

#endif
