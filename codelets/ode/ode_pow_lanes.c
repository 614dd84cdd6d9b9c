/* ode_pow_lanes.c - sd_ode_pow over a lane group. sd_ode_pow is one long chain of dependent
 * operations (two divisions, 27 Horner steps, libm's frexp, floor and ldexp): called lane by lane
 * inside the step loop it cost more than the rest of a DOPRI5 step (the 10k Van der Pol ensemble
 * took twice as long as with libm's pow). Here each phase is a branch-free loop over the lanes,
 * which the compiler vectorises, and frexp, floor and ldexp are done exactly on the bits for the
 * inputs where that is exact (x normal and positive, |y log x| < 700: 2^kf and the result
 * normal). The arithmetic of each lane is sd_ode_pow's own (the shared sd_ode_pow_ylog and
 * sd_ode_pow_expr, in the same order; -ffp-contract=off), so every result has sd_ode_pow's bits;
 * any other input (0, subnormal, negative, infinite, NaN, a huge exponent) goes to sd_ode_pow
 * itself. tests/t_ode_pow.c compares the two bit for bit. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "stardag/detmath.h" /* sd_dm_bits, sd_dm_double */
#include "ode_pow.h"
#include "ode_pow_lanes.h"

#define L SD_ODE_LANES
#define ZMAX 700.0 /* |y log x| below this: 2^kf and x^y are normal doubles (|kf| <= 1010) */
#define TWO52 4503599627370496.0 /* 2^52: a double in [2^52, 2^53) holds an integer in its low bits */

/* Each loop is branch-free: exact double arithmetic on small integers and 64-bit masks, no
 * floating-point comparison (which the compiler, under -ftrapping-math, would not if-convert), so
 * SSE2 vectorises it. (a - b) >> 63 on uint64 is 1 when a < b (both below 2^63). */
#define MANT 0x000fffffffffffffULL
#define LESS(a, b) (((a) - (b)) >> 63)

void sd_ode_pow_lanes(const double *x, double y, double *out)
{
    const uint64_t fold_mant = sd_dm_bits(SD_ODE_POW_FOLD) & MANT; /* SD_ODE_POW_FOLD has 2^-1's exponent */
    double m[L], ef[L], z[L];
    for (int l = 0; l < L; l++) { /* frexp of a normal x: m (with 2^-1's exponent) and e, folded */
        const uint64_t b = sd_dm_bits(x[l]), f = b & MANT, fold = LESS(f, fold_mant); /* m < SD_ODE_POW_FOLD */
        m[l] = sd_dm_double(f | (0x3feULL + fold) << 52);                              /* m, or 2 m */
        ef[l] = sd_dm_double(0x4330000000000000ULL | ((b >> 52 & 0x7ff) - fold)) - (TWO52 + 1022.0); /* e or e - 1 */
    }
    for (int l = 0; l < L; l++) z[l] = sd_ode_pow_ylog(m[l], ef[l], y);
    const uint64_t zmax = sd_dm_bits(ZMAX), one = sd_dm_bits(1.0);
    for (int l = 0; l < L; l++) {
        const uint64_t zb = sd_dm_bits(z[l]), small = LESS(zb & ~(1ULL << 63), zmax); /* |z| < ZMAX (not NaN) */
        const double zl = sd_dm_double(zb & (0 - small)); /* z, or 0 for the lanes redone below */
        const double v = zl / SD_ODE_LN2 + 0.5;
        const double r = (v + 1.5 * TWO52) - 1.5 * TWO52;                       /* v to the nearest integer */
        const double kf = r - sd_dm_double((0 - (sd_dm_bits(v - r) >> 63)) & one);   /* floor(v): r - 1 when r > v */
        const double p2 = sd_dm_double(sd_dm_bits(kf + (TWO52 + 1023.0)) << 52);     /* 2^kf: ldexp(ex, kf) = ex 2^kf */
        out[l] = sd_ode_pow_expr(zl - kf * SD_ODE_LN2) * p2;
    }
    for (int l = 0; l < L; l++)
        if (!(x[l] >= DBL_MIN && x[l] <= DBL_MAX && fabs(z[l]) < ZMAX)) out[l] = sd_ode_pow(x[l], y);
}
