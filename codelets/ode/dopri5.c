/* dopri5.c - ode.dopri5 on CPUs: the Dormand-Prince 5(4) pair (erk_math.h) through the lock-step
 * lane driver (erk_lanes.c). */
#include "erk_lanes.h"

static const erk_tableau dopri5 = ERK_DOPRI5_TABLEAU;

const erk_tableau *sd_ode_dopri5_tableau(void) { return &dopri5; }

void sd_ode_dopri5_cpu(const sd_tile_args *a) { sd_erk_tile_cpu(a, &dopri5); }
