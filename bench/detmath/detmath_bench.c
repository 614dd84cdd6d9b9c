/* detmath_bench.c - what detmath.h's functions cost on a CPU against glibc's: ns per call, one core,
 * the same 4096 arguments (in each function's usual range) over and over, REPS repetitions
 * (median and min-max). It measures and never asserts. Usage: detmath_bench [REPS] [CALLS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "stardag/detmath.h"

#define NARG 4096
static double xs[NARG];
static volatile double sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef double (*fn)(double);
static double g_sincos(double x) { return sin(x) + cos(x); }
static double d_sincos(double x)
{
    double s, c;
    sd_sincos(x, &s, &c);
    return s + c;
}
static double g_exp(double x) { return exp(0.1 * x); }
static double d_exp(double x) { return sd_exp(0.1 * x); }
static double g_log(double x) { return log(fabs(x) + 0.5); }
static double d_log(double x) { return sd_log(fabs(x) + 0.5); }
static double g_pow(double x) { return pow(fabs(x) + 0.5, 0.7); }
static double d_pow(double x) { return sd_pow(fabs(x) + 0.5, 0.7); }
static double g_atan2(double x) { return atan2(x, 1.3); }
static double d_atan2(double x) { return sd_atan2(x, 1.3); }
static double g_asin(double x) { return asin(x / 21.0); }
static double d_asin(double x) { return sd_asin(x / 21.0); }

static double ns_per_call(fn f, long calls)
{
    double s = 0;
    const double t0 = now();
    for (long i = 0; i < calls; i++) s += f(xs[i & (NARG - 1)]);
    sink += s;
    return (now() - t0) / (double)calls * 1e9;
}

int main(int argc, char **argv)
{
    const int reps = argc > 1 ? atoi(argv[1]) : 5;
    const long calls = argc > 2 ? atol(argv[2]) : 4000000;
    for (int i = 0; i < NARG; i++) xs[i] = -20.0 + 40.0 * ((double)((i * 2654435761u) % NARG) + 0.5) / NARG;
    const struct {
        const char *name;
        fn glibc, det;
    } F[] = {{"sin + cos (sd_sincos)", g_sincos, d_sincos}, {"exp", g_exp, d_exp}, {"log", g_log, d_log},
             {"pow", g_pow, d_pow},  {"atan2", g_atan2, d_atan2}, {"asin", g_asin, d_asin}};
    printf("%-22s %26s %26s %8s\n", "function", "glibc ns (min-max)", "detmath ns (min-max)", "ratio");
    for (size_t k = 0; k < sizeof F / sizeof F[0]; k++) {
        double g[64], d[64];
        const int r = reps < 1 ? 1 : reps > 64 ? 64 : reps;
        for (int i = 0; i < r; i++) { /* interleaved, so drifts in the machine's speed hit both */
            g[i] = ns_per_call(F[k].glibc, calls);
            d[i] = ns_per_call(F[k].det, calls);
        }
        qsort(g, (size_t)r, sizeof g[0], cmp);
        qsort(d, (size_t)r, sizeof d[0], cmp);
        const double gm = r % 2 ? g[r / 2] : 0.5 * (g[r / 2 - 1] + g[r / 2]);
        const double dm = r % 2 ? d[r / 2] : 0.5 * (d[r / 2 - 1] + d[r / 2]);
        printf("%-22s %8.2f (%6.2f-%6.2f)     %8.2f (%6.2f-%6.2f)     %6.2f\n", F[k].name, gm, g[0], g[r - 1], dm, d[0],
               d[r - 1], dm / gm);
    }
    return 0;
}
