/* implicit_bench.c - single-threaded speed of ode.radau5 and ode.bdf on CPUs: M stiff Van der Pol
 * oscillators (mu form, mu spread evenly over [100, 1000], y0 = (2, 0)) over [0, T] in K output
 * intervals, the kernels called directly on one tile (lock-step groups of SD_ODE_LANES). Prints
 * per method the wall time, accepted steps, LU factorisations and f evaluations summed over the
 * systems, and system-steps per CPU second (the wall time is printed too: on a loaded machine the
 * thread's CPU time is the steadier measure). It measures, it asserts nothing.
 * usage: implicit_bench [M=10000] [T=300] [K=10] [rtol=1e-6] */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "stardag/kernel.h"
#include "stardag/ode.h"
#include "ode/systems.h"
#include "ode/radau_math.h"
#include "ode/bdf_math.h"
#include "ode/ode_implicit_kernels.h"

SD_ODE_LANE_FN(vdp_f, sd_ode_vdp_f)
SD_ODE_LANE_FN(vdp_jac, sd_ode_vdp_jac)

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double *zeros(size_t n)
{
    double *p = calloc(n, sizeof *p);
    if (!p) { fprintf(stderr, "implicit_bench: out of memory\n"); exit(1); }
    return p;
}

static void run(const char *name, void (*cpu)(const sd_tile_args *), int K, int64_t M, double T, int nint, double rtol)
{
    static const double mu_def[1] = {1000.0};
    const sd_ode_system sys = {.name = "vdp", .n = 2, .np = 1, .param_default = mu_def, .f = vdp_f, .jac = vdp_jac};
    double *y = zeros(2 * M), *st = zeros(SD_ODE_NSTATS * M), *w = zeros((size_t)K * M), *p = zeros(M);
    for (int64_t i = 0; i < M; i++) {
        y[i] = 2.0;
        p[i] = M > 1 ? 100.0 + 900.0 * (double)i / (double)(M - 1) : 1000.0;
    }
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    double *base[6] = {y, st, w, p, NULL, NULL};
    a.nbuf = 6;
    for (int k = 0; k < 6; k++) a.p[k] = base[k], a.sc[k] = M, a.dtype[k] = SD_F64;
    const double prm[6] = {rtol, rtol, 0, 0, 100000, 5};
    memcpy(a.param, prm, sizeof prm);
    a.system = &sys;
    a.ndim = 1;
    a.n[0] = a.shape[0] = M;
    a.n[1] = a.n[2] = a.shape[1] = a.shape[2] = 1;
    a.dt = T / nint;
    const double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
    for (int k = 0; k < nint; k++) {
        a.time = k * a.dt;
        cpu(&a);
    }
    const double el = now(CLOCK_MONOTONIC) - t0, cpu_s = now(CLOCK_THREAD_CPUTIME_ID) - c0;
    double steps = 0, nlu = 0, nfev = 0, njev = 0, rej = 0;
    int64_t bad = 0;
    for (int64_t i = 0; i < M; i++) {
        steps += st[i + SD_ODE_NACCEPT * M];
        rej += st[i + SD_ODE_NREJECT * M];
        nlu += st[i + SD_ODE_NLU * M];
        nfev += st[i + SD_ODE_NFEV * M];
        njev += st[i + SD_ODE_NJEV * M];
        bad += st[i + SD_ODE_STATUS * M] != SD_ODE_OK;
    }
    printf("%-7s M %lld  T %g  rtol %.0e: %.3f s (CPU %.3f s)  steps %.0f (rejected %.0f)  LU %.0f  f %.0f  J %.0f  "
           "%.3g system-steps/s  failed %lld\n",
           name, (long long)M, T, rtol, el, cpu_s, steps, rej, nlu, nfev, njev, steps / cpu_s, (long long)bad);
    free(y);
    free(st);
    free(w);
    free(p);
}

int main(int argc, char **argv)
{
    const int64_t M = argc > 1 ? atoll(argv[1]) : 10000;
    const double T = argc > 2 ? atof(argv[2]) : 300.0;
    const int nint = argc > 3 ? atoi(argv[3]) : 10;
    const double rtol = argc > 4 ? atof(argv[4]) : 1e-6;
    if (M < 1 || !(T > 0) || nint < 1 || !(rtol > 0)) {
        fprintf(stderr, "usage: implicit_bench [M>=1] [T>0] [intervals>=1] [rtol>0]\n");
        return 2;
    }
    run("radau5", sd_ode_radau5_cpu, radau_work_ncomp(2), M, T, nint, rtol);
    run("bdf", sd_ode_bdf_cpu, bdf_work_ncomp(2), M, T, nint, rtol);
    return 0;
}
