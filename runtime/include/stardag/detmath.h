/* detmath.h - exp, log, pow, sin, cos, atan, atan2 and asin with the same bits on the CPU and on a
 * CUDA GPU, for kernels whose results must not depend on where StarPU ran them.
 *
 * Why: glibc's libm and CUDA's differ in the last bit for some arguments (both are accurate to
 * about an ulp, neither is correctly rounded). A kernel that calls them gives results that depend
 * on the tiling, the scheduler and the worker count as soon as some of its tasks run on a GPU:
 * on an H100 (2026-12-05) the initial fields of lattice.gaussian_packet (exp) and plane_wave
 * (cos) differed from the CPU's by an ulp, so a hybrid run was no longer bitwise reproducible.
 *
 * How: these use +, -, *, /, sqrt, floor, fabs and bit operations alone. Each of those is a
 * correctly rounded IEEE operation on both sides (the project pins -ffp-contract=off for C and
 * -fmad=false -prec-div=true -prec-sqrt=true for nvcc, cuda.mk), so the same arguments give the
 * same bits everywhere. The algorithms are the textbook ones: Cody-Waite reduction by ln 2 or pi/2
 * with constants split so the products of the reduction are exact, then Taylor series of enough
 * terms on the reduced range; log through atanh((m-1)/(m+1)) around the exact m - 1; atan through
 * one argument halving; pow through a log carried in two doubles. Coefficients are 1/n! and
 * 1/(2n+1) rounded to double.
 *
 * Accuracy (tests/t_detmath, against glibc's long double functions): below 1 ulp for exp, log, pow,
 * sin, cos and atan (at most 0.5 to 0.8 ulp measured), 1.5 ulp for atan2 and 2.1 for asin. sin and
 * cos reduce exactly for |x| < 1.6e6 (2^20 pi/2) and through an exact fmod by 2pi (a correctly
 * rounded operation too) beyond, still below 1 ulp up to 2^49; past 2^50 2pi the phase is lost (a
 * double's spacing exceeds 2pi there), the values stay in [-1, 1] with the same bits everywhere. Special values (NaN, infinities, signed zeros, subnormals,
 * overflow) follow C99 Annex F. Cost on a CPU: 1.2 to 6 times glibc's (bench/detmath), which uses
 * tables; use them where a kernel's results must not depend on the device. (codelets/ode/ode_pow.h is the ODE solvers' own pow, a faster one
 * for step-size factors with a SIMD twin giving the same bits.)
 *
 * They are SD_HD functions like the rest of the per-element math: include this header in a
 * kernel's _math.h and call sd_exp(x) where exp(x) was. Plain C; no StarPU. */
#ifndef STARDAG_DETMATH_H
#define STARDAG_DETMATH_H
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "stardag/kernel.h"

/* ln 2 = LN2_HI + LN2_LO, LN2_HI with 32 significant bits (k LN2_HI is exact for |k| < 2^21) */
#define SD_DM_LN2_HI 0.6931471803691238
#define SD_DM_LN2_LO 1.9082149292705877e-10
#define SD_DM_INV_LN2 1.4426950408889634
/* pi/2 = PIO2_1 + PIO2_2 + PIO2_3, the first two with 33 significant bits */
#define SD_DM_PIO2_1 1.5707963267341256
#define SD_DM_PIO2_2 6.077100506303966e-11
#define SD_DM_PIO2_3 2.0222662487959506e-21
#define SD_DM_TWO_OVER_PI 0.6366197723675814
/* pi/2, pi/4 and pi as the nearest double plus the rest */
#define SD_DM_PIO2 1.5707963267948966
#define SD_DM_PIO2_LO 6.123233995736766e-17
#define SD_DM_PIO4 0.7853981633974483
#define SD_DM_PIO4_LO 3.061616997868383e-17
#define SD_DM_PI 3.141592653589793
#define SD_DM_PI_LO 1.2246467991473532e-16
#define SD_DM_2PI 6.283185307179586
#define SD_DM_2PI_LO 2.4492935982947064e-16
#define SD_DM_2PI_LO2 -5.989539619436679e-33 /* 2pi = SD_DM_2PI + SD_DM_2PI_LO + SD_DM_2PI_LO2 */

SD_HD uint64_t sd_dm_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}
SD_HD double sd_dm_double(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}
/* 2^k, -1022 <= k <= 1023 */
SD_HD double sd_dm_pow2(int k) { return sd_dm_double((uint64_t)(k + 1023) << 52); }
SD_HD int sd_dm_signbit(double x) { return (int)(sd_dm_bits(x) >> 63); }

/* y 2^k for any int k (two steps where 2^k alone is not a normal double; a subnormal result is
 * rounded twice, identically on both sides) */
SD_HD double sd_dm_scale(double y, int k)
{
    if (k > 1023) return y * sd_dm_pow2(1023) * sd_dm_pow2(k - 1023 > 1023 ? 1023 : k - 1023);
    if (k < -1022) return y * sd_dm_pow2(k + 600 < -1022 ? -1022 : k + 600) * sd_dm_pow2(-600);
    return y * sd_dm_pow2(k);
}

/* a + b = s + t exactly (Knuth's two-sum) */
SD_HD double sd_dm_two_sum(double a, double b, double *t)
{
    const double s = a + b, bb = s - a;
    *t = (a - (s - bb)) + (b - bb);
    return s;
}

/* e^(r + rl) for |r| <= 0.35, |rl| <= ulp(r): (1 + r) in two doubles, plus r^2 (1/2! + r/3! + ... +
 * r^11/13!) (the next term is below 2^-57) and rl e^r */
SD_HD double sd_dm_exp_reduced(double r, double rl)
{
    const double q =
        0.5 +
        r * (0.16666666666666666 +
             r * (0.041666666666666664 +
                  r * (0.008333333333333333 +
                       r * (0.001388888888888889 +
                            r * (0.0001984126984126984 +
                                 r * (2.48015873015873e-05 +
                                      r * (2.7557319223985893e-06 +
                                           r * (2.755731922398589e-07 +
                                                r * (2.505210838544172e-08 +
                                                     r * (2.08767569878681e-09 + r * 1.6059043836821613e-10))))))))));
    double t;
    const double h = sd_dm_two_sum(1.0, r, &t);
    return h + (t + ((r * r) * q + rl * (1.0 + r)));
}

/* e^(x + xl), |xl| <= ulp(x): x = k ln 2 + r, then 2^k e^r (the reduction's first product and
 * difference are exact, the rest is carried in rl) */
SD_HD double sd_dm_exp2d(double x, double xl)
{
    if (x > 709.782712893384) return INFINITY; /* e^x > DBL_MAX */
    if (x < -745.1332191019412) return 0.0;    /* below half the smallest subnormal */
    const double k = floor(x * SD_DM_INV_LN2 + 0.5);
    double rl;
    const double r = sd_dm_two_sum(x - k * SD_DM_LN2_HI, xl - k * SD_DM_LN2_LO, &rl);
    return sd_dm_scale(sd_dm_exp_reduced(r, rl), (int)k);
}

SD_HD double sd_exp(double x)
{
    if (x != x) return x + x;
    return sd_dm_exp2d(x, 0.0);
}

/* x = m 2^e with m in [sqrt(1/2), sqrt(2)), x finite and > 0 */
SD_HD double sd_dm_split(double x, int *e)
{
    uint64_t u = sd_dm_bits(x);
    int ex = 0;
    if (u >> 52 == 0) { /* subnormal: make it normal first */
        u = sd_dm_bits(x * 18014398509481984.0); /* 2^54 */
        ex = -54;
    }
    ex += (int)(u >> 52) - 1023;
    double m = sd_dm_double((u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        ex++;
    }
    *e = ex;
    return m;
}

/* ---- log and pow: log(|x|) in two doubles (for pow then times y, and e^) -------------------- */
/* a b = p + t exactly (Dekker's product, no FMA), |a|, |b| < 2^995 */
SD_HD double sd_dm_two_prod(double a, double b, double *t)
{
    const double p = a * b;
    const double ca = 134217729.0 * a, ah = ca - (ca - a), al = a - ah; /* 2^27 + 1 */
    const double cb = 134217729.0 * b, bh = cb - (cb - b), bl = b - bh;
    *t = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    return p;
}
/* log(x) = hi + lo, |lo| <= ulp(hi)/2, for finite x > 0, to about 2^-63 relative (pow needs that:
 * e^(y log x) loses |y log x| times the relative error of the log, up to 745 times). With
 * s = f / (2 + f) carried in two doubles, log(1 + f) = 2s + 2s^3/3 + s R2, R2 = 2s^4/5 + ...: the
 * first two terms exactly enough in two doubles, s R2 (below 2e-4 of the whole) in one. */
SD_HD double sd_dm_log2d(double x, double *lo)
{
    int e;
    const double f = sd_dm_split(x, &e) - 1.0; /* exact */
    double ul, pe, t;
    const double uh = sd_dm_two_sum(2.0, f, &ul);  /* 2 + f = uh + ul */
    const double sh = f / uh;
    const double p = sd_dm_two_prod(sh, uh, &pe); /* sh uh = p + pe; f - p is exact */
    const double sl = (((f - p) - pe) - sh * ul) / uh; /* s = sh + sl */
    double z1e, ce, de;
    const double z1 = sd_dm_two_prod(sh, sh, &z1e);
    const double c = sd_dm_two_prod(z1, sh, &ce);
    const double cl = ce + z1e * sh + 3.0 * z1 * sl; /* s^3 = c + cl */
    const double d = sd_dm_two_prod(c, 0.6666666666666666, &de);
    const double dl = de + c * 3.700743415417188e-17 + cl * 0.6666666666666666; /* 2 s^3 / 3 = d + dl */
    const double z = z1; /* s^2 to double precision is enough for s R2 */
    const double R2 =
        z * z *
        (0.4 +
         z * (0.2857142857142857 +
              z * (0.2222222222222222 +
                   z * (0.18181818181818182 +
                        z * (0.15384615384615385 +
                             z * (0.13333333333333333 +
                                  z * (0.11764705882352941 +
                                       z * (0.10526315789473684 + z * (0.09523809523809523 + z * 0.08695652173913043)))))))));
    const double h1 = sd_dm_two_sum(2.0 * sh, d, &t); /* 2s + 2s^3/3 */
    double t2, t3;
    const double eh = e * SD_DM_LN2_HI; /* exact */
    const double h2 = sd_dm_two_sum(eh, h1, &t2);
    const double l = ((t + 2.0 * sl + dl + sh * R2) + e * SD_DM_LN2_LO) + t2;
    const double r = sd_dm_two_sum(h2, l, &t3);
    *lo = t3;
    return r;
}
SD_HD double sd_log(double x)
{
    if (x != x) return x + x;
    if (x == 0.0) return -INFINITY;
    if (x < 0.0) return NAN;
    if (x == INFINITY) return x;
    double lo;
    return sd_dm_log2d(x, &lo);
}

/* y is an integer: 0 no, 1 odd, 2 even */
SD_HD int sd_dm_int_kind(double y)
{
    if (floor(y) != y) return 0;
    if (fabs(y) >= 9007199254740992.0) return 2; /* 2^53: every such double is even */
    return floor(0.5 * y) == 0.5 * y ? 2 : 1;
}

SD_HD double sd_pow(double x, double y)
{
    if (y == 0.0 || x == 1.0) return 1.0;
    if (x != x || y != y) return x + y;
    const int yk = sd_dm_int_kind(y);
    const double ax = fabs(x);
    if (x == 0.0) { /* +-0 to a power */
        if (y < 0) return yk == 1 ? 1.0 / x : INFINITY;
        return yk == 1 ? x : 0.0;
    }
    if (y == INFINITY) return ax == 1.0 ? 1.0 : ax > 1.0 ? INFINITY : 0.0;
    if (y == -INFINITY) return ax == 1.0 ? 1.0 : ax > 1.0 ? 0.0 : INFINITY;
    if (ax == INFINITY) {
        const double m = y < 0 ? 0.0 : INFINITY;
        return x < 0 && yk == 1 ? -m : m;
    }
    if (x < 0 && !yk) return NAN;
    double lo, perr;
    const double hi = sd_dm_log2d(ax, &lo);
    double p;
    if (fabs(y) < 1e290) {
        p = sd_dm_two_prod(y, hi, &perr);
        perr += y * lo;
    } else {
        p = y * hi;
        perr = 0.0;
    }
    const double r = sd_dm_exp2d(p, perr);
    return x < 0 && yk == 1 ? -r : r;
}

/* ---- sin and cos ---------------------------------------------------------------------------- */
/* x + xl = k pi/2 + r with |r| <= pi/4 (a hair more from rounding), r = rh + rl in two doubles;
 * returns k mod 4. x - k PIO2_1 and k PIO2_2 are exact while |k| < 2^20. */
SD_HD int sd_dm_rem_pio2(double x, double xl, double *rh, double *rl)
{
    const double k = floor(x * SD_DM_TWO_OVER_PI + 0.5);
    double e1, e2;
    const double r1 = sd_dm_two_sum(x - k * SD_DM_PIO2_1, -(k * SD_DM_PIO2_2), &e1);
    *rh = sd_dm_two_sum(r1, (e1 + xl) - k * SD_DM_PIO2_3, &e2);
    *rl = e2;
    return (int)(k - 4.0 * floor(0.25 * k));
}
/* sin(r + rl) for |r| <= 0.79, |rl| <= ulp(r): r + (r^3 (-1/3! + r^2/5! - ... + r^14/17!) + rl cos r) */
SD_HD double sd_dm_sin_reduced(double r, double rl)
{
    const double z = r * r;
    const double q =
        -0.16666666666666666 +
        z * (0.008333333333333333 +
             z * (-0.0001984126984126984 +
                  z * (2.7557319223985893e-06 +
                       z * (-2.505210838544172e-08 +
                            z * (1.6059043836821613e-10 + z * (-7.647163731819816e-13 + z * 2.8114572543455206e-15))))));
    return r + (r * z * q + rl * (1.0 - 0.5 * z));
}
/* cos(r + rl): 1 - r^2/2 + r^4 (1/4! - r^2/6! + ... + r^14/18!) - rl sin r, the 1 - r^2/2 with its
 * rounding error carried */
SD_HD double sd_dm_cos_reduced(double r, double rl)
{
    const double z = r * r, hz = 0.5 * z, w = 1.0 - hz;
    const double q =
        0.041666666666666664 +
        z * (-0.001388888888888889 +
             z * (2.48015873015873e-05 +
                  z * (-2.755731922398589e-07 +
                       z * (2.08767569878681e-09 +
                            z * (-1.1470745597729725e-11 + z * (4.779477332387385e-14 + z * -1.5619206968586225e-16))))));
    return w + (((1.0 - w) - hz) + (z * z * q - r * rl));
}

SD_HD void sd_sincos(double x, double *s, double *c)
{
    if (x == 0.0) { /* keeps the sign of a zero */
        *s = x;
        *c = 1.0;
        return;
    }
    if (x - x != 0.0) { /* infinite or NaN */
        *s = *c = x - x;
        return;
    }
    double xl = 0.0;
    if (fabs(x) > 1647099.0) {
        /* past 2^20 pi/2 the products k PIO2_1 are no longer exact: first x = n 2pi + x', with
         * fmod exact (the same bits everywhere) against the double 2pi, then the rest of 2pi
         * taken back n times in two doubles; n is exact below 2^50, beyond that x' is still a
         * phase in (-2pi, 2pi) */
        const double r0 = fmod(x, SD_DM_2PI), n = floor((x - r0) / SD_DM_2PI + 0.5);
        if (fabs(n) < 1125899906842624.0) { /* 2^50 */
            double pe;
            const double p = sd_dm_two_prod(n, SD_DM_2PI_LO, &pe); /* n SD_DM_2PI_LO = p + pe */
            x = sd_dm_two_sum(r0, -p, &xl);
            xl -= pe + n * SD_DM_2PI_LO2;
        } else
            x = r0;
    }
    double r, rl;
    const int q = sd_dm_rem_pio2(x, xl, &r, &rl);
    const double sr = sd_dm_sin_reduced(r, rl), cr = sd_dm_cos_reduced(r, rl);
    *s = q == 0 ? sr : q == 1 ? cr : q == 2 ? -sr : -cr;
    *c = q == 0 ? cr : q == 1 ? -sr : q == 2 ? -cr : sr;
}
SD_HD double sd_sin(double x)
{
    double s, c;
    sd_sincos(x, &s, &c);
    return s;
}
SD_HD double sd_cos(double x)
{
    double s, c;
    sd_sincos(x, &s, &c);
    return c;
}

/* ---- atan, atan2, asin ---------------------------------------------------------------------- */
/* atan t for |t| <= 0.4375: t - t^3/3 + ... to t^43/43 (the next term is below 2^-55 t) */
SD_HD double sd_dm_atan_series(double t)
{
    const double z = t * t;
    const double q = -0.3333333333333333 + z * (0.2 + z * (-0.14285714285714285 + z * (0.1111111111111111 + z * (
        -0.09090909090909091 + z * (0.07692307692307693 + z * (-0.06666666666666667 + z * (
        0.058823529411764705 + z * (-0.05263157894736842 + z * (0.047619047619047616 + z * (
        -0.043478260869565216 + z * (0.04 + z * (-0.037037037037037035 + z * (0.034482758620689655 + z * (
        -0.03225806451612903 + z * (0.030303030303030304 + z * (-0.02857142857142857 + z * (
        0.02702702702702703 + z * (-0.02564102564102564 + z * (0.024390243902439025 + z * (
        -0.023255813953488372))))))))))))))))))));
    return t + t * z * q;
}
/* atan a for a >= 0: near 0.5, 1 and 1.5, atan c + atan((a - c) / (1 + a c)) with atan c in two
 * doubles; beyond 39/16, pi/2 - atan(1/a). The reduced argument stays below 0.2 in magnitude, so
 * its rounding errors reach the result divided by about 2 or more. */
SD_HD double sd_dm_atan_pos(double a)
{
    if (a < 0.4375) return sd_dm_atan_series(a);
    if (a < 0.6875) return 0.4636476090008061 + (sd_dm_atan_series((2.0 * a - 1.0) / (2.0 + a)) + 2.2698777452961687e-17);
    if (a < 1.1875) return SD_DM_PIO4 + (sd_dm_atan_series((a - 1.0) / (a + 1.0)) + SD_DM_PIO4_LO);
    if (a < 2.4375) return 0.982793723247329 + (sd_dm_atan_series((a - 1.5) / (1.0 + 1.5 * a)) + 1.3903311031230998e-17);
    return SD_DM_PIO2 + (sd_dm_atan_series(-1.0 / a) + SD_DM_PIO2_LO);
}

SD_HD double sd_atan(double x)
{
    if (x != x) return x + x;
    if (x == 0.0) return x;
    const double r = sd_dm_atan_pos(fabs(x));
    return x < 0 ? -r : r;
}

SD_HD double sd_atan2(double y, double x)
{
    if (x != x || y != y) return x + y;
    const double ay = fabs(y), ax = fabs(x);
    const int xneg = sd_dm_signbit(x);
    double r;
    if (ay == 0.0) r = xneg ? SD_DM_PI : 0.0;
    else if (ax == INFINITY && ay == INFINITY) r = xneg ? 3.0 * SD_DM_PIO4 : SD_DM_PIO4;
    else if (ax == INFINITY) r = xneg ? SD_DM_PI : 0.0;
    else if (ay == INFINITY || ax == 0.0) r = SD_DM_PIO2;
    else {
        const double t = sd_dm_atan_pos(ay / ax); /* |y/x| may round to 0 or overflow to infinity: both fine */
        r = xneg ? SD_DM_PI - (t - SD_DM_PI_LO) : t;
    }
    return sd_dm_signbit(y) ? -r : r;
}

SD_HD double sd_asin(double x)
{
    if (x != x) return x + x;
    if (fabs(x) > 1.0) return NAN;
    if (x == 0.0) return x;
    return sd_atan2(x, sqrt((1.0 - x) * (1.0 + x)));
}

#endif
