/* rhs_bench.c - throughput of ODE right-hand sides through their lane functions: the built-in vdp
 * against the same system written as expressions, compiled to native code and interpreted (f and
 * the Jacobian), over a 10,000-system ensemble in lock-step groups of SD_ODE_LANES. Measures, never
 * asserts. Usage: rhs_bench [SYSTEMS [REPS]] (default 10000 200); prints ns per system evaluation
 * (the median of 5 timings) and the ratio to the built-in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ode/systems.h"
#include "ode_expr.h"

enum { L = SD_ODE_LANES, TIMINGS = 5 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double sink;

/* ns per system and evaluation of fn (the median of TIMINGS timings of reps sweeps) */
static double measure(const sd_ode_system *s, sd_ode_lane_fn fn, int groups, int reps, const double *y,
                      const double *p, double *out)
{
    double t[L] = {0}, best[TIMINGS];
    int nout = fn == s->jac ? s->n * s->n : s->n;
    for (int k = 0; k < TIMINGS; k++) {
        double t0 = now();
        for (int r = 0; r < reps; r++)
            for (int g = 0; g < groups; g++) {
                sd_ode_lanes in = {L, t, y + (size_t)g * s->n * L, p + (size_t)g * s->np * L};
                fn(s->ctx, &in, out + (size_t)g * nout * L);
            }
        best[k] = (now() - t0) * 1e9 / ((double)reps * groups * L);
        sink += out[0];
    }
    qsort(best, TIMINGS, sizeof best[0], cmp);
    return best[TIMINGS / 2];
}

int main(int argc, char **argv)
{
    int M = argc > 1 ? atoi(argv[1]) : 10000, reps = argc > 2 ? atoi(argv[2]) : 200;
    if (M < L || reps < 1) {
        fprintf(stderr, "usage: rhs_bench [SYSTEMS >= %d [REPS >= 1]]\n", L);
        return 2;
    }
    int groups = M / L;
    sd_register_ode_systems();
    const sd_ode_system *vdp = sd_ode_system_find("vdp");
    sd_ode_expr_spec sp = {.file = "rhs_bench", .name = "vdp_expr", .n = 2, .np = 1};
    sp.var[0] = "x", sp.var[1] = "v", sp.param[0] = "mu";
    sp.dydt[0] = (sd_ode_text){"v", {1, 1}};
    sp.dydt[1] = (sd_ode_text){"mu*((1 - x^2)*v) - x", {1, 1}};
    const sd_ode_system *sys[3] = {vdp, NULL, NULL};
    void *own[3] = {NULL, NULL, NULL};
    char how[3][256] = {"hand-written C"}, err[512];
    for (int k = 1; k < 3; k++) {
        sp.compile = k == 1 ? SD_ODE_COMPILE_NATIVE : SD_ODE_COMPILE_INTERPRET;
        if (sd_ode_expr_build(&sp, &sys[k], &own[k], how[k], sizeof how[k], err, sizeof err) < 0) {
            fprintf(stderr, "rhs_bench: %s\n", err);
            return 1;
        }
    }
    double *y = malloc((size_t)groups * 2 * L * sizeof *y), *p = malloc((size_t)groups * L * sizeof *p),
           *out = malloc((size_t)groups * 4 * L * sizeof *out);
    if (!y || !p || !out) return 1;
    for (int g = 0; g < groups; g++)
        for (int l = 0; l < L; l++) {
            int i = g * L + l;
            y[(g * 2) * L + l] = 2.0 - 1e-4 * i;
            y[(g * 2 + 1) * L + l] = 0.1 * (i % 7);
            p[g * L + l] = 0.5 + 1.5 * i / (M - 1);
        }
    static const char *const label[3] = {"vdp built-in", "vdp expressions, native", "vdp expressions, interpreter"};
    double base[2] = {0, 0};
    printf("%d systems, %d sweeps, ns per system evaluation (median of %d)\n", groups * L, reps, TIMINGS);
    printf("%-32s %10s %8s %10s %8s  %s\n", "system", "f ns", "f ratio", "jac ns", "jac ratio", "how");
    for (int k = 0; k < 3; k++) {
        double f = measure(sys[k], sys[k]->f, groups, reps, y, p, out);
        double j = measure(sys[k], sys[k]->jac, groups, reps, y, p, out);
        if (!k) base[0] = f, base[1] = j;
        printf("%-32s %10.2f %8.2f %10.2f %8.2f  %s\n", label[k], f, f / base[0], j, j / base[1], how[k]);
    }
    for (int k = 1; k < 3; k++) sd_ode_expr_free(own[k]);
    free(y);
    free(p);
    free(out);
    return sink == 12345.6789 ? 3 : 0; /* keeps the evaluations */
}
