/* ode_pow.h - x^y for the ODE solvers' step-size control with + - * / and the exact frexp, ldexp
 * and floor only, so that a CPU and a CUDA thread compute it to the same bit (glibc's pow and
 * CUDA's pow may round differently, and a step size 1 ulp apart moves every later step). Shared
 * by the explicit (erk_math.h) and implicit (implicit_math.h) solvers. Internal, SD_HD. */
#ifndef SD_ODE_POW_H
#define SD_ODE_POW_H
#include <math.h>
#include "stardag/kernel.h"

/* x^y for x >= 0 (x < 0 is taken as 0). Relative error ~1e-15: plenty for step-size factors.
 * log through atanh of the mantissa, exp by a Taylor series on |r| <= ln2/2. NaN in, NaN out. */
SD_HD double sd_ode_pow(double x, double y)
{
    if (x != x || y != y) return x + y;
    if (x <= 0.0) return y < 0 ? 1.0 / 0.0 : (y == 0 ? 1.0 : 0.0);
    if (x - x != 0) return y < 0 ? 0.0 : (y == 0 ? 1.0 : x);
    const double ln2 = 0.69314718055994530942;
    int e;
    double m = frexp(x, &e); /* x = m 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) { m *= 2.0; e -= 1; }
    const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    /* log m = 2 atanh s, |s| <= 0.1716: the terms past s^23/23 are below 1e-18 relative (Horner) */
    const double sum = s * (1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 +
                       s2 * (1.0 / 13 + s2 * (1.0 / 15 + s2 * (1.0 / 17 + s2 * (1.0 / 19 + s2 * (1.0 / 21 +
                       s2 * (1.0 / 23))))))))))));
    const double z = y * (e * ln2 + 2.0 * sum); /* y log x */
    if (z > 709.0) return 1.0 / 0.0;
    if (z < -745.0) return 0.0;
    const double kf = floor(z / ln2 + 0.5);
    const double r = z - kf * ln2;
    /* e^r, |r| <= ln2/2: the terms past r^15/15! are below 1e-18 (Horner, 1/k! as literals) */
    const double ex = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 +
                      r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 +
                      r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0 +
                      r * (1.0 / 87178291200.0 + r * (1.0 / 1307674368000.0)))))))))))))));
    return ldexp(ex, (int)kf);
}

#endif
