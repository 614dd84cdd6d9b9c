/* ode_pow.h - x^y for the ODE solvers' step-size control with + - * / and the exact frexp, ldexp
 * and floor only, so that a CPU and a CUDA thread compute it to the same bit (glibc's pow and
 * CUDA's pow may round differently, and a step size 1 ulp apart moves every later step). Shared
 * by the explicit (erk_math.h) and implicit (implicit_math.h) solvers. Internal, SD_HD. */
#ifndef SD_ODE_POW_H
#define SD_ODE_POW_H
#include <math.h>
#include "stardag/kernel.h"

#define SD_ODE_LN2 0.69314718055994530942

/* The pieces of sd_ode_pow, shared with its lane version (ode_pow_lanes.c), which must give the
 * same bits. frexp's x = m 2^e (m in [0.5, 1)) folded to m in [sqrt(1/2), sqrt(2)) ... */
#define SD_ODE_POW_FOLD 0.70710678118654752440
/* ... then y log x = y (e log 2 + log m), log m = 2 atanh s, |s| <= 0.1716: the terms past s^23/23
 * are below 1e-18 relative (Horner, no divisions but the one for s; e is an integer). */
SD_HD double sd_ode_pow_ylog(double m, double e, double y)
{
    const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    const double sum = s * (1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 +
                       s2 * (1.0 / 13 + s2 * (1.0 / 15 + s2 * (1.0 / 17 + s2 * (1.0 / 19 + s2 * (1.0 / 21 +
                       s2 * (1.0 / 23))))))))))));
    return y * (e * SD_ODE_LN2 + 2.0 * sum);
}
/* e^r for |r| <= ln2/2: the terms past r^15/15! are below 1e-18 (Horner, 1/k! as literals). */
SD_HD double sd_ode_pow_expr(double r)
{
    return 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 +
           r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 +
           r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0 +
           r * (1.0 / 87178291200.0 + r * (1.0 / 1307674368000.0)))))))))))))));
}

/* x^y for x >= 0 (x < 0 is taken as 0). Relative error ~1e-15: plenty for step-size factors.
 * e^(y log x) with the exponent split as kf ln2 + r. NaN in, NaN out. */
SD_HD double sd_ode_pow(double x, double y)
{
    if (x != x || y != y) return x + y;
    if (x <= 0.0) return y < 0 ? 1.0 / 0.0 : (y == 0 ? 1.0 : 0.0);
    if (x - x != 0) return y < 0 ? 0.0 : (y == 0 ? 1.0 : x);
    int e;
    double m = frexp(x, &e); /* x = m 2^e, m in [0.5, 1) */
    if (m < SD_ODE_POW_FOLD) { m *= 2.0; e -= 1; }
    const double z = sd_ode_pow_ylog(m, e, y);
    if (z > 709.0) return 1.0 / 0.0;
    if (z < -745.0) return 0.0;
    const double kf = floor(z / SD_ODE_LN2 + 0.5);
    return ldexp(sd_ode_pow_expr(z - kf * SD_ODE_LN2), (int)kf);
}

#endif
