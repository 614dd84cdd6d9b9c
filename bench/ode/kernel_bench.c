/* kernel_bench.c - speed of the explicit ODE kernels alone (no runtime): M Van der Pol systems
 * (mu_i = 0.5 + 1.5 i/(M-1), y0 = (2, 0)) over t in [0, T] at rtol = atol = TOL, one tile, one
 * thread, as one output interval or several. Prints seconds, steps and f evaluations per system.
 * Usage: kernel_bench [METHOD=ode.dopri5 [M=10000 [T=20 [TOL=1e-6 [INTERVALS=1 [REPEATS=3]]]]]]
 * (make bench-ode-kernel runs the defaults). Best of REPEATS runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "stardag/codelet.h"
#include "stardag/ode.h"
#include "ode/systems.h"

SD_ODE_LANE_FN(vdp_lanes, sd_ode_vdp_f)
static const double mu1[] = {1.0};
static const sd_ode_system VDP = {.name = "vdp", .n = 2, .np = 1, .param_default = mu1, .f = vdp_lanes};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *method = argc > 1 ? argv[1] : "ode.dopri5";
    const long M = argc > 2 ? atol(argv[2]) : 10000;
    const double T = argc > 3 ? atof(argv[3]) : 20.0, tol = argc > 4 ? atof(argv[4]) : 1e-6;
    const int nint = argc > 5 ? atoi(argv[5]) : 1, reps = argc > 6 ? atoi(argv[6]) : 3;
    sd_register_builtin_codelets();
    const sd_codelet *c = sd_codelet_find(method);
    if (!c || c->domain != SD_ON_BATCH || M < 2 || nint < 1 || reps < 1) {
        fprintf(stderr, "kernel_bench: usage: kernel_bench [ode.dopri5|ode.dop853 [M >= 2 [T [TOL [INTERVALS [REPEATS]]]]]]\n");
        return 2;
    }
    const sd_check_info info = {.system = &VDP};
    const int iy = sd_codelet_role_index(c, "y"), ist = sd_codelet_role_index(c, "stats"),
              iw = sd_codelet_role_index(c, "work"), ip = sd_codelet_role_index(c, "p");
    const int nw = c->ncomp(iw, &info);
    double *y = malloc(sizeof(double) * 2 * M), *st = malloc(sizeof(double) * SD_ODE_NSTATS * M),
           *w = malloc(sizeof(double) * nw * M), *p = malloc(sizeof(double) * M);
    if (!y || !st || !w || !p) {
        fprintf(stderr, "kernel_bench: out of memory\n");
        return 1;
    }
    for (long i = 0; i < M; i++) p[i] = 0.5 + 1.5 * i / (M - 1);
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = c->nroles;
    a.p[iy] = y, a.p[ist] = st, a.p[iw] = w, a.p[ip] = p;
    for (int r = 0; r < c->nroles; r++) a.sc[r] = M;
    for (int k = 0; k < c->nparams; k++) a.param[k] = c->params[k].def;
    a.param[sd_codelet_param_index(c, "rtol")] = tol;
    a.param[sd_codelet_param_index(c, "atol")] = tol;
    a.system = &VDP;
    a.ndim = 1;
    a.n[0] = a.shape[0] = M;
    a.n[1] = a.n[2] = a.shape[1] = a.shape[2] = 1;
    double best = 1e300;
    for (int r = 0; r < reps; r++) {
        for (long i = 0; i < M; i++) y[i] = 2.0, y[i + M] = 0.0;
        memset(st, 0, sizeof(double) * SD_ODE_NSTATS * M);
        memset(w, 0, sizeof(double) * nw * M);
        const double t0 = now();
        for (int k = 1; k <= nint; k++) {
            a.time = (k - 1) * (T / nint);
            a.dt = T / nint;
            c->cpu(&a);
        }
        const double dt = now() - t0;
        if (dt < best) best = dt;
    }
    double acc = 0, rej = 0, nfev = 0;
    long failed = 0;
    for (long i = 0; i < M; i++) {
        acc += st[i + SD_ODE_NACCEPT * M];
        rej += st[i + SD_ODE_NREJECT * M];
        nfev += st[i + SD_ODE_NFEV * M];
        failed += st[i + SD_ODE_STATUS * M] != SD_ODE_OK;
    }
    printf("%s: %ld VdP systems, t in [0, %g], rtol = atol = %g, %d interval(s), 1 thread: %.3f s (best of %d); "
           "per system %.1f accepted + %.1f rejected steps, %.1f f evaluations; %.1f ns per system-step; %ld failed\n",
           method, M, T, tol, nint, best, reps, acc / M, rej / M, nfev / M, 1e9 * best / (acc + rej), failed);
    free(y), free(st), free(w), free(p);
    return failed ? 1 : 0;
}
