/* t_ode_implicit_cuda.cu - ode.radau5 and ode.bdf on CUDA against the CPU kernels, bitwise (y, stats
 * and the whole work field), on built-in systems: 1000 Van der Pol (mu 100..1000, a p field), 300
 * of the eps form (defaults, no p field) and 300 Robertson with per-component atol, over 20 output
 * intervals, tiles of 1 and of several systems. Prints "1..0 # SKIP" and exits 77 without a usable
 * CUDA device. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cuda_runtime.h>
#include "tap.h"
#include "cuda_test_util.h"
#include "t_ode_implicit_fixture.h"
#include "ode/systems.h"

SD_ODE_LANE_FN(vdp_f, sd_ode_vdp_f)
SD_ODE_LANE_FN(vdp_jac, sd_ode_vdp_jac)
SD_ODE_LANE_FN(vdpe_f, sd_ode_vdp_eps_f)
SD_ODE_LANE_FN(vdpe_jac, sd_ode_vdp_eps_jac)
SD_ODE_LANE_FN(rob_f, sd_ode_robertson_f)
SD_ODE_LANE_FN(rob_jac, sd_ode_robertson_jac)

static const double mu_def[1] = {1000.0}, eps_def[1] = {1e-3}, rob_def[3] = {0.04, 3e7, 1e4};

static sd_ode_system builtin(const char *name, int n, int np, const double *def, sd_ode_lane_fn f, sd_ode_lane_fn jac,
                             int id)
{
    sd_ode_system s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "%s", name);
    s.n = n;
    s.np = np;
    s.param_default = def;
    s.f = f;
    s.jac = jac;
    s.device = SD_ODE_DEVICE_BUILTIN;
    s.device_id = id;
    return s;
}

/* The same batch on the device, interval by interval, tile by tile. */
static void run_cuda(const batch *h, const double *times, int nt, int tiles, double *y, double *st, double *w)
{
    const int64_t M = h->M;
    const int n = h->sys->n, np = h->sys->np;
    double *dy = (double *)dev_copy(h->y, sizeof(double) * M * n);
    double *ds = (double *)dev_copy(h->st, sizeof(double) * M * SD_ODE_NSTATS);
    double *dw = (double *)dev_copy(h->w, sizeof(double) * M * h->K);
    double *dp = h->p ? (double *)dev_copy(h->p, sizeof(double) * M * np) : NULL;
    double *da = h->atol ? (double *)dev_copy(h->atol, sizeof(double) * M * n) : NULL;
    double t0 = 0.0;
    for (int k = 0; k < nt; k++) {
        for (int t = 0; t < tiles; t++) {
            const int64_t lo = M * t / tiles, hi = M * (t + 1) / tiles;
            sd_tile_args a;
            memset(&a, 0, sizeof a);
            double *base[6] = {dy, ds, dw, dp, da, NULL};
            a.nbuf = 6;
            for (int b = 0; b < 6; b++) {
                a.p[b] = base[b] ? base[b] + lo : NULL;
                a.sc[b] = M;
                a.dtype[b] = SD_F64;
            }
            memcpy(a.param, h->param, sizeof h->param);
            a.time = t0;
            a.dt = times[k] - t0;
            a.system = h->sys;
            a.ndim = 1;
            a.n[0] = hi - lo;
            a.n[1] = a.n[2] = 1;
            a.origin[0] = lo;
            a.shape[0] = M;
            a.shape[1] = a.shape[2] = 1;
            if (h->cpu == sd_ode_radau5_cpu) sd_ode_radau5_cuda(&a, S);
            else sd_ode_bdf_cuda(&a, S);
            sync_check(h->cpu == sd_ode_radau5_cpu ? "ode.radau5" : "ode.bdf");
        }
        t0 = times[k];
    }
    to_host(y, dy, sizeof(double) * M * n);
    to_host(st, ds, sizeof(double) * M * SD_ODE_NSTATS);
    to_host(w, dw, sizeof(double) * M * h->K);
    CK(cudaFree(dy));
    CK(cudaFree(ds));
    CK(cudaFree(dw));
    if (dp) CK(cudaFree(dp));
    if (da) CK(cudaFree(da));
}

static void compare(const sd_ode_system *sys, char method, int M, const double *y0, const double *p, const double *atol,
                    const double *times, int nt, int tiles)
{
    batch b;
    batch_init(&b, sys, method, M, y0, p, atol, 1e-7, 1e-7);
    double *y = (double *)xcalloc((size_t)M * sys->n, sizeof(double));
    double *st = (double *)xcalloc((size_t)M * SD_ODE_NSTATS, sizeof(double));
    double *w = (double *)xcalloc((size_t)M * b.K, sizeof(double));
    run_cuda(&b, times, nt, tiles, y, st, w); /* from the initial state */
    batch_run(&b, times, nt, 1);
    int ok_all = 1;
    for (int i = 0; i < M; i++) ok_all &= b.st[i + (int64_t)SD_ODE_STATUS * M] == SD_ODE_OK;
    const char *mn = method == 'r' ? "radau5" : "bdf";
    ok(ok_all, "%s %s: all %d systems reach t = %g on CPUs", mn, sys->name, M, times[nt - 1]);
    ok(!memcmp(y, b.y, sizeof(double) * M * sys->n) && !memcmp(st, b.st, sizeof(double) * M * SD_ODE_NSTATS) &&
           !memcmp(w, b.w, sizeof(double) * M * b.K),
       "%s %s: CUDA (%d tile%s) equals the CPU bitwise: y, stats and work", mn, sys->name, tiles, tiles > 1 ? "s" : "");
    free(y);
    free(st);
    free(w);
    batch_free(&b);
}

int main(void)
{
    require_cuda_device();
    CK(cudaStreamCreate(&S));
    const sd_ode_system vdp = builtin("vdp", 2, 1, mu_def, vdp_f, vdp_jac, SD_ODE_VDP);
    const sd_ode_system vdpe = builtin("vdp_eps", 2, 1, eps_def, vdpe_f, vdpe_jac, SD_ODE_VDP_EPS);
    const sd_ode_system rob = builtin("robertson", 3, 3, rob_def, rob_f, rob_jac, SD_ODE_ROBERTSON);
    enum { MV = 1000, ME = 300, MR = 300, NT = 20 };
    static double mu[MV];
    for (int i = 0; i < MV; i++) mu[i] = 100.0 + 900.0 * i / (MV - 1);
    double tv[NT], te[NT], tr[NT];
    for (int k = 0; k < NT; k++) {
        tv[k] = 15.0 * (k + 1);
        te[k] = 0.1 * (k + 1);
        tr[k] = pow(10.0, -4.0 + 0.75 * k);
    }
    const double y2[2] = {2.0, 0.0}, y3[3] = {1.0, 0.0, 0.0}, atr[3] = {1e-13, 1e-17, 1e-13};
    for (int m = 0; m < 2; m++) {
        const char method = m ? 'b' : 'r';
        compare(&vdp, method, MV, y2, mu, NULL, tv, NT, 1);
        compare(&vdp, method, MV, y2, mu, NULL, tv, NT, 7);
        compare(&vdpe, method, ME, y2, NULL, NULL, te, NT, 1);
        compare(&rob, method, MR, y3, NULL, atr, tr, NT, 3);
    }
    CK(cudaStreamDestroy(S));
    return tap_done();
}
