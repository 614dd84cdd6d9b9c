/* t_ode_explicit_cuda.cu - ode.dopri5 / ode.dop853 on CUDA against the CPU kernels: batches of
 * built-in systems (Van der Pol with mu from 0.5 to 2, Lorenz with rho from 20 to 30) over several
 * intervals; y agrees within the codelets' cuda_tol of max |y| (0: bitwise), the stats (t, h,
 * step and f counts, stiffness counter) bitwise, every status OK. Skips (77) without a usable
 * CUDA device. */
#include <cuda_runtime.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "stardag/codelet.h"
#include "ode/systems.h"
#include "ode/erk_lanes.h"

SD_ODE_LANE_FN(vdp_lanes, sd_ode_vdp_f)
SD_ODE_LANE_FN(lorenz_lanes, sd_ode_lorenz_f)

static int check(cudaError_t e, const char *what)
{
    if (e == cudaSuccess) return 1;
    printf("Bail out! %s: %s\n", what, cudaGetErrorString(e));
    exit(1);
}

typedef void (*cpu_fn)(const sd_tile_args *);
typedef void (*gpu_fn)(const sd_tile_args *, void *);

static void compare(const char *name, cpu_fn cpu, gpu_fn gpu, const erk_tableau *T, const sd_codelet *cl,
                    const sd_ode_system *S, int64_t m, const double *y0, const double *p, int nint, double t_end)
{
    const int n = S->n, nw = erk_work_ncomp(T, n, 0);
    const size_t ny = (size_t)m * n, ns = (size_t)m * SD_ODE_NSTATS, nwk = (size_t)m * nw, np = (size_t)m * S->np;
    double *y = (double *)calloc(ny, 8), *st = (double *)calloc(ns, 8), *w = (double *)calloc(nwk, 8);
    double *gy = (double *)calloc(ny, 8), *gst = (double *)calloc(ns, 8);
    double *dy, *dst, *dw, *dp;
    check(cudaMalloc((void **)&dy, ny * 8), "cudaMalloc");
    check(cudaMalloc((void **)&dst, ns * 8), "cudaMalloc");
    check(cudaMalloc((void **)&dw, nwk * 8), "cudaMalloc");
    check(cudaMalloc((void **)&dp, np * 8), "cudaMalloc");
    for (int64_t i = 0; i < m; i++)
        for (int c = 0; c < n; c++) y[i + c * m] = y0[c];
    check(cudaMemcpy(dy, y, ny * 8, cudaMemcpyHostToDevice), "copy y");
    check(cudaMemset(dst, 0, ns * 8), "memset");
    check(cudaMemset(dw, 0, nwk * 8), "memset");
    check(cudaMemcpy(dp, p, np * 8, cudaMemcpyHostToDevice), "copy p");
    sd_tile_args a, d;
    memset(&a, 0, sizeof a);
    a.nbuf = ERK_NROLES;
    for (int r = 0; r < ERK_NROLES; r++) a.sc[r] = m;
    for (int k = 0; k < cl->nparams; k++) a.param[k] = cl->params[k].def;
    a.system = S;
    a.ndim = 1;
    a.n[0] = a.shape[0] = m;
    a.n[1] = a.n[2] = a.shape[1] = a.shape[2] = 1;
    d = a;
    a.p[ERK_R_Y] = y, a.p[ERK_R_STATS] = st, a.p[ERK_R_WORK] = w, a.p[ERK_R_P] = (void *)p;
    d.p[ERK_R_Y] = dy, d.p[ERK_R_STATS] = dst, d.p[ERK_R_WORK] = dw, d.p[ERK_R_P] = dp;
    cudaStream_t s;
    check(cudaStreamCreate(&s), "stream");
    double worst = 0.0, ymax = 0.0, dsteps = 0.0;
    int status_ok = 1;
    for (int k = 1; k <= nint; k++) {
        a.time = d.time = (k - 1) * (t_end / nint);
        a.dt = d.dt = t_end / nint;
        cpu(&a);
        gpu(&d, s);
        check(cudaStreamSynchronize(s), "kernel");
        check(cudaMemcpy(gy, dy, ny * 8, cudaMemcpyDeviceToHost), "copy back");
        for (size_t x = 0; x < ny; x++) {
            worst = fmax(worst, fabs(gy[x] - y[x]));
            ymax = fmax(ymax, fabs(y[x]));
        }
    }
    check(cudaMemcpy(gst, dst, ns * 8, cudaMemcpyDeviceToHost), "copy stats");
    for (int64_t i = 0; i < m; i++) {
        status_ok &= st[i + SD_ODE_STATUS * m] == SD_ODE_OK && gst[i + SD_ODE_STATUS * m] == SD_ODE_OK;
        dsteps = fmax(dsteps, fabs(st[i + SD_ODE_NACCEPT * m] - gst[i + SD_ODE_NACCEPT * m]) /
                                  fmax(1.0, st[i + SD_ODE_NACCEPT * m]));
    }
    ok(status_ok && worst <= cl->cuda_tol * ymax,
       "%s: %lld systems, %d intervals: max |y_cuda - y_cpu| = %.3g <= cuda_tol %g * max |y| %.3g", name,
       (long long)m, nint, worst, cl->cuda_tol, ymax);
    ok(dsteps == 0.0 && memcmp(st, gst, ns * 8) == 0, "%s: the stats bitwise the CPU's (accepted steps: worst %.3g)",
       name, dsteps);
    cudaStreamDestroy(s);
    cudaFree(dy), cudaFree(dst), cudaFree(dw), cudaFree(dp);
    free(y), free(st), free(w), free(gy), free(gst);
}

int main(void)
{
    int ndev = 0;
    if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0) tap_skip_all("no usable CUDA device");
    sd_register_builtin_codelets();
    static const double mu1[] = {1.0}, lp[] = {10.0, 28.0, 8.0 / 3.0};
    sd_ode_system vdp = {};
    strcpy(vdp.name, "vdp");
    vdp.n = 2, vdp.np = 1, vdp.param_default = mu1, vdp.f = vdp_lanes;
    vdp.device = SD_ODE_DEVICE_BUILTIN, vdp.device_id = SD_ODE_VDP;
    sd_ode_system lor = vdp;
    strcpy(lor.name, "lorenz");
    lor.n = 3, lor.np = 3, lor.param_default = lp, lor.f = lorenz_lanes, lor.device_id = SD_ODE_LORENZ;
    enum { MV = 1000, ML = 100 };
    static double pv[MV], pl[3 * ML];
    for (int i = 0; i < MV; i++) pv[i] = 0.5 + 1.5 * i / (MV - 1);
    for (int i = 0; i < ML; i++) pl[i] = 10.0, pl[i + ML] = 20.0 + 10.0 * i / (ML - 1), pl[i + 2 * ML] = 8.0 / 3.0;
    const double yv[] = {2.0, 0.0}, yl[] = {1.0, 1.0, 1.0};
    const sd_codelet *c5 = sd_codelet_find("ode.dopri5"), *c8 = sd_codelet_find("ode.dop853");
    compare("dopri5 vdp", sd_ode_dopri5_cpu, sd_ode_dopri5_cuda, sd_ode_dopri5_tableau(), c5, &vdp, MV, yv, pv, 10, 20.0);
    compare("dop853 vdp", sd_ode_dop853_cpu, sd_ode_dop853_cuda, sd_ode_dop853_tableau(), c8, &vdp, MV, yv, pv, 10, 20.0);
    compare("dopri5 lorenz", sd_ode_dopri5_cpu, sd_ode_dopri5_cuda, sd_ode_dopri5_tableau(), c5, &lor, ML, yl, pl, 4, 1.0);
    compare("dop853 lorenz", sd_ode_dop853_cpu, sd_ode_dop853_cuda, sd_ode_dop853_tableau(), c8, &lor, ML, yl, pl, 4, 1.0);
    return tap_done();
}
