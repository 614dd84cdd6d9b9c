/* t_detmath.c - stardag/detmath.h, the transcendental functions with the same bits on CPU and GPU:
 * their accuracy against glibc's long double functions (64-bit significands: their own error is a
 * thousandth of a double's ulp) over random arguments across each function's range, the special
 * values of C99 Annex F bit for bit, symmetries and exact cases. (The same bits under CUDA:
 * tests/t_cuda_kernels.) */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "stardag/detmath.h"
#include "tap.h"

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static double u01(void) /* [0, 1) */
{
    rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
    return (double)(rs >> 11) * 0x1.0p-53;
}
static double span(double lo, double hi) { return lo + (hi - lo) * u01(); }

/* |got - ref| in ulps of the double nearest ref (the ulp of a subnormal: 2^-1074) */
static double ulps(double got, long double ref)
{
    const double r = (double)ref;
    if (isnan(r) || isinf(r)) return got == r || (isnan(got) && isnan(r)) ? 0 : INFINITY;
    if (isnan(got)) return INFINITY;
    const double u = fabs(r) < DBL_MIN ? 0x1p-1074 : ldexp(1.0, ilogb(r) - 52);
    return (double)(fabsl((long double)got - ref) / u);
}

typedef struct {
    double worst, at, at2;
} sweep;
static void see(sweep *s, double e, double x, double y)
{
    if (e > s->worst) s->worst = e, s->at = x, s->at2 = y;
}
static void report(const sweep *s, double bound, const char *what)
{
    if (!ok(s->worst <= bound, "%s: within %.2g ulp (worst %.3f)", what, bound, s->worst))
        diag("  worst at x = %.17g (y = %.17g)", s->at, s->at2);
}

static int same(double a, double b) { return isnan(a) ? isnan(b) : memcmp(&a, &b, sizeof a) == 0; }

int main(void)
{
    const int N = 200000;
    sweep s;

    /* 1. accuracy */
    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = span(-745.2, 709.8);
        see(&s, ulps(sd_exp(x), expl(x)), x, 0);
    }
    report(&s, 1.0, "sd_exp on [-745.2, 709.8] (subnormal results included)");
    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = span(-1, 1) * pow(2, -span(0, 60));
        see(&s, ulps(sd_exp(x), expl(x)), x, 0);
    }
    report(&s, 1.0, "sd_exp near 0");

    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = ldexp(span(1, 2), (int)span(-1074, 1024));
        if (x > 0 && isfinite(x)) see(&s, ulps(sd_log(x), logl(x)), x, 0);
    }
    report(&s, 1.0, "sd_log over every binade (subnormals included)");
    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = 1 + span(-1, 1) * pow(2, -span(1, 50));
        see(&s, ulps(sd_log(x), logl(x)), x, 0);
    }
    report(&s, 1.0, "sd_log near 1");

    const double big = 1647099.0; /* below 2^20 pi/2: the exact reduction */
    sweep ss = {0}, sc = {0};
    for (int i = 0; i < N; i++) {
        const double x = i % 2 ? span(-big, big) : span(-8, 8);
        double sn, cs;
        sd_sincos(x, &sn, &cs);
        see(&ss, ulps(sn, sinl(x)), x, 0);
        see(&sc, ulps(cs, cosl(x)), x, 0);
        if (sn != sd_sin(x) || cs != sd_cos(x)) ss.worst = INFINITY;
    }
    report(&ss, 1.0, "sd_sin on [-1.6e6, 1.6e6] (sd_sincos and sd_sin agree)");
    report(&sc, 1.0, "sd_cos on [-1.6e6, 1.6e6] (sd_sincos and sd_cos agree)");
    ss = (sweep){0}, sc = (sweep){0};
    for (int i = 0; i < N; i++) { /* next to multiples of pi/2, where the reduction cancels */
        const double x = (double)(int)span(-1000, 1000) * 1.5707963267948966 * (1 + span(-1, 1) * 1e-12);
        see(&ss, ulps(sd_sin(x), sinl(x)), x, 0);
        see(&sc, ulps(sd_cos(x), cosl(x)), x, 0);
    }
    report(&ss, 1.0, "sd_sin next to multiples of pi/2");
    report(&sc, 1.0, "sd_cos next to multiples of pi/2");

    ss = (sweep){0}, sc = (sweep){0};
    int out = 0;
    for (int i = 0; i < N; i++) { /* past the exact reduction: fmod by 2 pi */
        const double x = (i % 2 ? -1 : 1) * ldexp(span(1, 2), (int)span(21, 48));
        double sn, cs;
        sd_sincos(x, &sn, &cs);
        see(&ss, ulps(sn, sinl(x)), x, 0);
        see(&sc, ulps(cs, cosl(x)), x, 0);
        const double h = ldexp(span(1, 2), (int)span(60, 1023));
        sd_sincos(i % 2 ? -h : h, &sn, &cs);
        out += !(fabs(sn) <= 1 && fabs(cs) <= 1 && fabs(sn * sn + cs * cs - 1) < 1e-15);
    }
    report(&ss, 1.0, "sd_sin on +-[2^21, 2^49] (reduced through fmod by 2 pi)");
    report(&sc, 1.0, "sd_cos on +-[2^21, 2^49]");
    ok(!out, "sd_sincos of huge arguments (2^60 to 2^1024): in [-1, 1], sin^2 + cos^2 = 1 (%d not)", out);

    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = (i % 2 ? -1 : 1) * ldexp(span(1, 2), (int)span(-60, 60));
        see(&s, ulps(sd_atan(x), atanl(x)), x, 0);
    }
    report(&s, 1.0, "sd_atan on +-[2^-60, 2^61]");
    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double y = (i % 2 ? -1 : 1) * ldexp(span(1, 2), (int)span(-30, 30));
        const double x = (i % 3 ? -1 : 1) * ldexp(span(1, 2), (int)span(-30, 30));
        see(&s, ulps(sd_atan2(y, x), atan2l(y, x)), y, x);
    }
    report(&s, 1.5, "sd_atan2 in all four quadrants");
    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = i % 2 ? span(-1, 1) : (i % 4 ? 1 : -1) * (1 - pow(2, -span(1, 52)));
        see(&s, ulps(sd_asin(x), asinl(x)), x, 0);
    }
    report(&s, 2.1, "sd_asin on [-1, 1] (and next to +-1)");

    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = exp(span(-300, 300)), y = span(-700, 700) / fabs(log(x));
        see(&s, ulps(sd_pow(x, y), powl(x, y)), x, y);
    }
    report(&s, 1.0, "sd_pow with |y log x| up to 700 (results up to 1e304 and down to 1e-304)");
    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = span(0.5, 2), y = span(-3, 3);
        see(&s, ulps(sd_pow(x, y), powl(x, y)), x, y);
    }
    report(&s, 1.0, "sd_pow with x in [0.5, 2], y in [-3, 3]");
    s = (sweep){0};
    for (int i = 0; i < N; i++) {
        const double x = -span(0.1, 10), y = (double)(int)span(-60, 60);
        see(&s, ulps(sd_pow(x, y), powl(x, y)), x, y);
    }
    report(&s, 1.0, "sd_pow of negative x to integer powers (signs)");

    /* 2. exact cases and special values (C99 Annex F), bit for bit */
    const double inf = INFINITY, nan = NAN;
    struct {
        const char *what;
        double got, want;
    } sp[] = {
        {"exp(0) = 1", sd_exp(0.0), 1.0},
        {"exp(-0) = 1", sd_exp(-0.0), 1.0},
        {"exp(1) = e (correctly rounded)", sd_exp(1.0), 2.718281828459045},
        {"exp(inf) = inf", sd_exp(inf), inf},
        {"exp(-inf) = +0", sd_exp(-inf), 0.0},
        {"exp(nan) is nan", sd_exp(nan), nan},
        {"exp(710) overflows to inf", sd_exp(710.0), inf},
        {"exp(-746) underflows to +0", sd_exp(-746.0), 0.0},
        {"exp(-745) = the smallest subnormal", sd_exp(-745.0), 0x1p-1074},
        {"log(1) = +0", sd_log(1.0), 0.0},
        {"log(+0) = -inf", sd_log(0.0), -inf},
        {"log(-0) = -inf", sd_log(-0.0), -inf},
        {"log(-1) is nan", sd_log(-1.0), nan},
        {"log(inf) = inf", sd_log(inf), inf},
        {"log(2) = ln 2", sd_log(2.0), 0.6931471805599453},
        {"log(smallest subnormal) = -1074 ln 2", sd_log(0x1p-1074), -744.4400719213812},
        {"sin(+0) = +0", sd_sin(0.0), 0.0},
        {"sin(-0) = -0", sd_sin(-0.0), -0.0},
        {"sin(inf) is nan", sd_sin(inf), nan},
        {"cos(-inf) is nan", sd_cos(-inf), nan},
        {"cos(0) = 1", sd_cos(0.0), 1.0},
        {"sin(1e-300) = 1e-300", sd_sin(1e-300), 1e-300},
        {"atan(-0) = -0", sd_atan(-0.0), -0.0},
        {"atan(inf) = pi/2", sd_atan(inf), 1.5707963267948966},
        {"atan(1) = pi/4", sd_atan(1.0), 0.7853981633974483},
        {"atan2(+0, -0) = +pi", sd_atan2(0.0, -0.0), 3.141592653589793},
        {"atan2(-0, +0) = -0", sd_atan2(-0.0, 0.0), -0.0},
        {"atan2(-0, -1) = -pi", sd_atan2(-0.0, -1.0), -3.141592653589793},
        {"atan2(1, 0) = pi/2", sd_atan2(1.0, 0.0), 1.5707963267948966},
        {"atan2(-inf, -inf) = -3pi/4", sd_atan2(-inf, -inf), -2.356194490192345},
        {"atan2(1, -inf) = pi", sd_atan2(1.0, -inf), 3.141592653589793},
        {"atan2(nan, 1) is nan", sd_atan2(nan, 1.0), nan},
        {"asin(1) = pi/2", sd_asin(1.0), 1.5707963267948966},
        {"asin(-0) = -0", sd_asin(-0.0), -0.0},
        {"asin(1.5) is nan", sd_asin(1.5), nan},
        {"pow(nan, 0) = 1", sd_pow(nan, 0.0), 1.0},
        {"pow(1, nan) = 1", sd_pow(1.0, nan), 1.0},
        {"pow(-1, inf) = 1", sd_pow(-1.0, inf), 1.0},
        {"pow(-0, -3) = -inf", sd_pow(-0.0, -3.0), -inf},
        {"pow(-0, 3) = -0", sd_pow(-0.0, 3.0), -0.0},
        {"pow(+0, -2) = inf", sd_pow(0.0, -2.0), inf},
        {"pow(-2, 0.5) is nan", sd_pow(-2.0, 0.5), nan},
        {"pow(-inf, 3) = -inf", sd_pow(-inf, 3.0), -inf},
        {"pow(-inf, -3) = -0", sd_pow(-inf, -3.0), -0.0},
        {"pow(0.5, inf) = +0", sd_pow(0.5, inf), 0.0},
        {"pow(2, -inf) = +0", sd_pow(2.0, -inf), 0.0},
        {"pow(2, 10) = 1024", sd_pow(2.0, 10.0), 1024.0},
        {"pow(10, 22) = 1e22", sd_pow(10.0, 22.0), 1e22},
        {"pow(9, 0.5) = 3", sd_pow(9.0, 0.5), 3.0},
        {"pow(-2, 3) = -8", sd_pow(-2.0, 3.0), -8.0},
        {"pow(2, -1074) = the smallest subnormal", sd_pow(2.0, -1074.0), 0x1p-1074},
        {"pow(2, 1024) = inf", sd_pow(2.0, 1024.0), inf},
        {"pow(10, -400) = +0", sd_pow(10.0, -400.0), 0.0},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++)
        if (!same(sp[i].got, sp[i].want)) {
            bad++;
            diag("  %s: got %.17g", sp[i].what, sp[i].got);
        }
    ok(!bad, "%zu special values and exact cases, bit for bit (signed zeros, infinities, NaN, overflow, subnormals)",
       sizeof sp / sizeof sp[0]);

    /* 3. symmetries, bit for bit */
    bad = 0;
    for (int i = 0; i < N; i++) {
        const double x = ldexp(span(1, 2), (int)span(-40, 20));
        bad += !same(sd_sin(-x), -sd_sin(x)) + !same(sd_cos(-x), sd_cos(x)) + !same(sd_atan(-x), -sd_atan(x)) +
               !same(sd_atan2(-x, 1.5), -sd_atan2(x, 1.5)) + !same(sd_pow(-x, 3.0), -sd_pow(x, 3.0));
    }
    ok(!bad, "odd and even symmetries hold bit for bit (sin, cos, atan, atan2, odd powers)");
    return tap_done();
}
