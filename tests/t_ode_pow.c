/* t_ode_pow.c - sd_ode_pow_lanes (codelets/ode/ode_pow_lanes.c, the CPU step-size control's powers
 * of a lane group at once) gives sd_ode_pow's bits for every input: the step sizes, hence every
 * result of the explicit solvers, must not depend on which of the two computed them (the CUDA
 * kernels use sd_ode_pow). Random doubles over the whole exponent range, the control's own range,
 * and the edges of the vectorised path (subnormal, zero, negative, infinite and NaN x; the mantissa
 * fold at sqrt(1/2); |y log x| near 700, 709 and 745), mixed within lane groups. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "tap.h"
#include "ode/ode_pow.h"
#include "ode/ode_pow_lanes.h"

#define L SD_ODE_LANES

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) /* xorshift64* */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}
static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* Lane groups of x from pick(), for exponent y: the number of results whose bits differ. */
static long compare(double y, long groups, double (*pick)(double y), double *worst_x)
{
    long bad = 0;
    for (long g = 0; g < groups; g++) {
        double x[L], out[L];
        for (int l = 0; l < L; l++) x[l] = pick(y);
        sd_ode_pow_lanes(x, y, out);
        for (int l = 0; l < L; l++) {
            const double want = sd_ode_pow(x[l], y);
            if (memcmp(&want, &out[l], sizeof want) != 0) {
                if (!bad) *worst_x = x[l];
                bad++;
            }
        }
    }
    return bad;
}

static double pick_any(double y) /* any bit pattern, NaNs and negatives included */
{
    (void)y;
    return from_bits(next());
}
static double pick_positive(double y) /* positive finite doubles, uniform over the exponents */
{
    (void)y;
    return from_bits(next() % 0x7ff0000000000000ULL);
}
static double pick_control(double y) /* the step-size control's range: 1e-5 .. 1e3, log-uniform */
{
    (void)y;
    return exp(-11.5 + 18.4 * (double)(next() >> 11) / 9007199254740992.0);
}
static double pick_edge(double y) /* the edges of the vectorised path, or their neighbours */
{
    const double fold = SD_ODE_POW_FOLD;
    const double z = (next() & 1) ? 700.0 : ((next() & 1) ? 709.0 : 745.0);
    double x;
    switch (next() % 8) {
    case 0: x = ldexp(fold, (int)(next() % 200) - 100); break;
    case 1: x = y != 0.0 && isfinite(y) ? exp(((next() & 1) ? z : -z) / y) : 1.0; break;
    case 2: x = DBL_MIN; break;
    case 3: x = DBL_TRUE_MIN * (double)(next() % 1000); break;
    case 4: x = DBL_MAX; break;
    case 5: x = (next() & 1) ? INFINITY : -0.0; break;
    case 6: x = (next() & 1) ? NAN : -1.0; break;
    default: x = 1.0; break;
    }
    for (int k = (int)(next() % 9) - 4; k != 0 && isfinite(x); k += k > 0 ? -1 : 1) /* up to 4 ulps away */
        x = nextafter(x, k > 0 ? INFINITY : 0.0);
    return x;
}

int main(void)
{
    /* the exponents the solvers use (DOPRI5's expo1 and beta, DOP853's 1/8, HINIT's 1/order,
     * RADAU5's and BDF's), and others of every kind */
    const double ys[] = {0.2 - 0.75 * 0.04, 0.04, 1.0 / 8, 1.0 / 5, 2.0 / 3, 0.8, -1.0 / 2, -1.0 / 4, -1.0 / 6, 3.0,
                         0.0, 1.0, -1.0, 150.0, -150.0, 1e-300, 1e300, INFINITY, -INFINITY, NAN};
    const int ny = (int)(sizeof ys / sizeof ys[0]);
    struct { const char *what; double (*pick)(double); long groups; } sets[] = {
        {"any bit pattern", pick_any, 20000},
        {"positive finite x over all exponents", pick_positive, 20000},
        {"x in the step-size control's range", pick_control, 20000},
        {"edges: subnormal, 0, negative, inf, NaN x, the fold, |y log x| near 700/709/745", pick_edge, 20000},
    };
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        long bad = 0, n = 0;
        double wx = 0, wy = 0;
        for (int k = 0; k < ny; k++) {
            double x = 0;
            const long b = compare(ys[k], sets[s].groups / 4, sets[s].pick, &x);
            if (b && !bad) wx = x, wy = ys[k];
            bad += b;
            n += sets[s].groups / 4 * L;
        }
        ok(bad == 0, "sd_ode_pow_lanes bitwise sd_ode_pow, %s: %ld of %ld differ", sets[s].what, bad, n);
        if (bad) {
            double xs[L], got[L];
            for (int l = 0; l < L; l++) xs[l] = wx;
            sd_ode_pow_lanes(xs, wy, got);
            diag("  first: x = %a, y = %a: lanes %a, scalar %a", wx, wy, got[0], sd_ode_pow(wx, wy));
        }
    }
    /* the vectorised path on its own: a group of ordinary inputs, against values known to ~1e-15 */
    double x[L], out[L];
    for (int l = 0; l < L; l++) x[l] = 0.25 * (l + 1);
    sd_ode_pow_lanes(x, 0.5, out);
    int near = 1;
    for (int l = 0; l < L; l++) near &= fabs(out[l] - sqrt(x[l])) <= 4e-16 * sqrt(x[l]);
    ok(near, "sd_ode_pow_lanes(x, 1/2) = sqrt(x) to 2 ulp for x = 0.25 .. 2");
    return tap_done();
}
