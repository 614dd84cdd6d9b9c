/* ode_pow_lanes.h - sd_ode_pow (ode_pow.h) for a group of SD_ODE_LANES values at once, for the CPU
 * solvers' step-size control: bitwise sd_ode_pow's result for every input. Internal. */
#ifndef SD_ODE_POW_LANES_H
#define SD_ODE_POW_LANES_H
#include "stardag/ode.h"

/* out[l] = sd_ode_pow(x[l], y) for l < SD_ODE_LANES (x and out may not overlap). */
void sd_ode_pow_lanes(const double *x, double y, double *out);

#endif
