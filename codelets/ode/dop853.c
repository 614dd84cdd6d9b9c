/* dop853.c - ode.dop853 on CPUs: the Dormand-Prince 8(5,3) pair with its 7th-order dense output
 * (erk_math.h) through the lock-step lane driver (erk_lanes.c). */
#include "erk_lanes.h"

static const erk_tableau dop853 = ERK_DOP853_TABLEAU;

const erk_tableau *sd_ode_dop853_tableau(void) { return &dop853; }

void sd_ode_dop853_cpu(const sd_tile_args *a) { sd_erk_tile_cpu(a, &dop853); }
