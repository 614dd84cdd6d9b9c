/* erk_cuda.cuh - the CUDA driver of ode.dopri5 and ode.dop853 (included by dopri5.cu, dop853.cu):
 * one thread per system, the whole interval in one kernel, for built-in systems
 * (SD_ODE_DEVICE_BUILTIN: sd_ode_builtin_f by id). The thread runs erk_lanes.c's algorithm for
 * its one system with the same SD_HD math (erk_math.h) in the same order: the stage sums, error
 * norm, control and dense output; it reads and writes the fields directly (component stride sc,
 * coalesced across threads) and keeps its stages in local arrays of NM components (NM a tier
 * >= n, ERK_CUDA_MAX_N at most). Every per-component formula is an erk_math.h function the CPU
 * lanes call too, and the powers go through sd_ode_pow (+ - * / only; sqrt and division are
 * correctly rounded on both): a system's result is bitwise the CPU's (cuda_tol 0). Systems with
 * events run on CPUs only (the built-ins have none). */
#ifndef SD_ODE_ERK_CUDA_CUH
#define SD_ODE_ERK_CUDA_CUH
#include <float.h>
#include "stardag/kernel_cuda.cuh"
#include "ode/systems.h"
#include "erk_lanes.h"

#define ERK_CUDA_MAX_N 64

/* What the kernel needs of the system, by value (sd_ode_system lives in host memory). */
typedef struct erk_cuda_sys {
    int id, n, np;
    double pdef[SD_ODE_MAX_PARAMS]; /* param_default, when no p field is bound */
} erk_cuda_sys;

__device__ static void erk_cuda_f(const erk_cuda_sys &S, double t, const double *y, const double *p, double *f)
{
    sd_ode_builtin_f(S.id, t, y, 1, p, 1, f, 1);
}

template <class TAB, int NM>
__global__ void erk_cuda_kernel(const sd_tile_args a, const erk_cuda_sys S, const erk_options o)
{
    const erk_tableau *T = &TAB::get();
    const int n = S.n, S1 = T->s - 1, nc = erk_ncont(T);
    const double tout = a.time + a.dt;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < a.n[0]; i += (int64_t)gridDim.x * blockDim.x) {
        double *st = (double *)a.p[ERK_R_STATS] + i;
        double *w = (double *)a.p[ERK_R_WORK] + i;
        double *yf = (double *)a.p[ERK_R_Y] + i;
        const int64_t ss = a.sc[ERK_R_STATS], ws = a.sc[ERK_R_WORK], ys = a.sc[ERK_R_Y];
        if (st[SD_ODE_STATUS * ss] != SD_ODE_OK) continue;
        double p[SD_ODE_MAX_PARAMS > 0 ? SD_ODE_MAX_PARAMS : 1], atl[NM];
        double y[NM], y1[NM], yt[NM], k[ERK_MAXS][NM], cont[ERK_MAXC][NM];
        int finite = 1;
        for (int c = 0; c < S.np; c++) {
            p[c] = a.p[ERK_R_P] ? ((const double *)a.p[ERK_R_P])[i + c * a.sc[ERK_R_P]] : S.pdef[c];
            finite &= isfinite(p[c]);
        }
        for (int c = 0; c < n; c++)
            atl[c] = a.p[ERK_R_ATOL] ? ((const double *)a.p[ERK_R_ATOL])[i + c * a.sc[ERK_R_ATOL]] : o.atol;
        double nacc = st[SD_ODE_NACCEPT * ss], nrej = st[SD_ODE_NREJECT * ss], nfev = st[SD_ODE_NFEV * ss];
        double iasti = st[SD_ODE_NSTIFF * ss], h = st[SD_ODE_H * ss], nsteps = 0.0;
        double t, xold, hold, facold, reject, nonsti, dense;
        int status = SD_ODE_OK;
        const int fresh = nfev == 0.0;
        if (fresh) {
            t = xold = st[SD_ODE_T * ss];
            hold = 0.0, facold = 1.0e-4, reject = nonsti = dense = 0.0;
            for (int c = 0; c < n; c++) y[c] = yf[c * ys];
        } else {
            t = w[ERK_W_X * ws], xold = w[ERK_W_XOLD * ws], hold = w[ERK_W_HOLD * ws];
            facold = w[ERK_W_FACOLD * ws], reject = w[ERK_W_REJECT * ws], nonsti = w[ERK_W_NONSTI * ws];
            dense = w[ERK_W_DENSE * ws];
            for (int c = 0; c < n; c++) {
                y[c] = w[(erk_work_y(n) + c) * ws];
                k[0][c] = w[(erk_work_f(n) + c) * ws];
            }
            for (int q = 0; q < nc; q++)
                for (int c = 0; c < n; c++) cont[q][c] = w[(erk_work_cont(n) + q * n + c) * ws];
        }
        for (int c = 0; c < n; c++) finite &= isfinite(y[c]);
        if (!finite) status = SD_ODE_FAIL_NONFINITE;
        for (int c = 0; c < n && status == SD_ODE_OK; c++)
            if (erk_atol_bad(atl[c])) status = SD_ODE_FAIL_TOLERANCE; /* as erk_lanes.c's gather */
        if (fresh && status == SD_ODE_OK) {
            erk_cuda_f(S, t, y, p, k[0]);
            nfev += 1.0;
            for (int c = 0; c < n; c++) finite &= isfinite(k[0][c]);
            if (!finite) status = SD_ODE_FAIL_NONFINITE;
            if (h == 0.0) h = o.first_step;
            if (status == SD_ODE_OK && h == 0.0) { /* HINIT: as erk_lanes.c's start_fresh */
                double dnf = 0.0, dny = 0.0, d2 = 0.0, h0 = 0.0;
                if (erk_tol_scan(atl, y, y, 1, n, o.rtol)) status = SD_ODE_FAIL_TOLERANCE;
                if (status == SD_ODE_OK) {
                    for (int c = 0; c < n; c++) erk_hinit_add(atl[c], o.rtol, y[c], k[0][c], &dnf, &dny);
                    h0 = erk_hinit_probe(dnf, dny, o.hmax);
                    if (!(h0 > 0.0)) status = SD_ODE_FAIL_NONFINITE;
                }
                if (status == SD_ODE_OK) {
                    for (int c = 0; c < n; c++) yt[c] = erk_hinit_arg(y[c], h0, k[0][c]);
                    erk_cuda_f(S, t + h0, yt, p, k[1]);
                    nfev += 1.0;
                    for (int c = 0; c < n; c++) erk_hinit_add2(atl[c], o.rtol, y[c], k[0][c], k[1][c], &d2);
                    h = erk_hinit_step(T, h0, d2, dnf, o.hmax);
                    if (h != h) status = SD_ODE_FAIL_NONFINITE;
                }
            } else {
                h = fmin(h, o.hmax);
            }
        }
        while (status == SD_ODE_OK && t < tout) {
            if (nsteps >= o.max_steps) { status = SD_ODE_FAIL_MAXSTEPS; break; }
            if (!(h > 0.0) || h < 10.0 * DBL_EPSILON * fabs(t)) { status = SD_ODE_FAIL_STEP; break; }
            nsteps += 1.0;
            for (int s = 1; s < S1; s++) {
                for (int c = 0; c < n; c++) yt[c] = erk_stage_arg(T, s, y[c], h, &k[0][c], NM);
                erk_cuda_f(S, t + T->c[s] * h, yt, p, k[s]);
            }
            for (int c = 0; c < n; c++) y1[c] = erk_stage_arg(T, S1, y[c], h, &k[0][c], NM);
            erk_cuda_f(S, t + h, y1, p, k[S1]);
            nfev += S1;
            double s5 = 0.0, s3 = 0.0;
            for (int c = 0; c < n; c++) erk_err_terms(T, h, erk_scale(atl[c], o.rtol, y[c], y1[c]), &k[0][c], NM, &s5, &s3);
            const double err = erk_err_norm(T, h, n, s5, s3);
            int ok = isfinite(err);
            for (int c = 0; c < n; c++) ok &= isfinite(y1[c]);
            if (!ok) { /* as erk_lanes.c: a zero error scale, or non-finite values */
                int fin = 1;
                for (int c = 0; c < n; c++) fin &= isfinite(y1[c]);
                status = fin && erk_tol_scan(atl, y, y1, 1, n, o.rtol) ? SD_ODE_FAIL_TOLERANCE : SD_ODE_FAIL_NONFINITE;
                break;
            }
            erk_control ctl = {h, o.hmax, facold, reject != 0.0};
            if (err > 1.0) {
                h = erk_next_h_reject(T, &ctl, err);
                reject = 1.0;
                nrej += 1.0;
                continue;
            }
            const double hnew = erk_next_h_accept(T, &ctl, err);
            facold = ctl.facold;
            reject = 0.0;
            nacc += 1.0;
            if (o.nstiff > 0.0 && (fmod(nacc, o.nstiff) == 0.0 || iasti > 0.0)) {
                double stnum = 0.0, stden = 0.0;
                for (int c = 0; c < n; c++) erk_stiff_add(k[S1][c], k[S1 - 1][c], y1[c], yt[c], &stnum, &stden);
                if (erk_stiff_update(T, h, stnum, stden, &iasti, &nonsti)) { status = SD_ODE_FAIL_STIFF; break; }
            }
            dense = t + h >= tout;
            if (dense) {
                for (int s = T->s; s < T->sx; s++) {
                    for (int c = 0; c < n; c++) yt[c] = erk_stage_arg(T, s, y[c], h, &k[0][c], NM);
                    erk_cuda_f(S, t + T->c[s] * h, yt, p, k[s]);
                }
                nfev += T->sx - T->s;
                for (int c = 0; c < n; c++) erk_dense_coef(T, y[c], y1[c], h, &k[0][c], NM, &cont[0][c], NM);
            }
            xold = t;
            hold = h;
            t = t + h;
            h = hnew;
            for (int c = 0; c < n; c++) {
                y[c] = y1[c];
                k[0][c] = k[S1][c];
            }
        }
        st[SD_ODE_NACCEPT * ss] = nacc;
        st[SD_ODE_NREJECT * ss] = nrej;
        st[SD_ODE_NFEV * ss] = nfev;
        st[SD_ODE_NSTIFF * ss] = iasti;
        st[SD_ODE_ORDER * ss] = T->order;
        st[SD_ODE_STATUS * ss] = status;
        if (status != SD_ODE_OK) continue; /* y, t and work keep the last good state */
        if (tout == t || dense == 0.0) {
            for (int c = 0; c < n; c++) yf[c * ys] = y[c];
        } else {
            const double theta = erk_dense_theta(tout, xold, hold);
            for (int c = 0; c < n; c++) yf[c * ys] = erk_dense_eval(&cont[0][c], NM, nc, theta);
        }
        st[SD_ODE_T * ss] = tout;
        st[SD_ODE_H * ss] = h;
        w[ERK_W_X * ws] = t, w[ERK_W_XOLD * ws] = xold, w[ERK_W_HOLD * ws] = hold;
        w[ERK_W_FACOLD * ws] = facold, w[ERK_W_REJECT * ws] = reject, w[ERK_W_NONSTI * ws] = nonsti;
        w[ERK_W_DENSE * ws] = dense;
        for (int c = 0; c < n; c++) {
            w[(erk_work_y(n) + c) * ws] = y[c];
            w[(erk_work_f(n) + c) * ws] = k[0][c];
        }
        for (int q = 0; q < nc; q++)
            for (int c = 0; c < n; c++) w[(erk_work_cont(n) + q * n + c) * ws] = cont[q][c];
    }
}

/* Systems too large for the local-memory tiers: marked failed (FAIL_STEP), so a run reports them
 * instead of leaving them behind silently; run such systems on CPUs. */
__global__ static void erk_cuda_refuse(const sd_tile_args a)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < a.n[0]; i += (int64_t)gridDim.x * blockDim.x) {
        double *st = (double *)a.p[ERK_R_STATS] + i + SD_ODE_STATUS * a.sc[ERK_R_STATS];
        if (*st == SD_ODE_OK) *st = SD_ODE_FAIL_STEP;
    }
}

template <class TAB>
static void erk_cuda_launch(const sd_tile_args *a, void *stream, const char *name)
{
    const sd_ode_system *sys = a->system;
    erk_cuda_sys S;
    S.id = sys->device_id;
    S.n = sys->n;
    S.np = sys->np;
    for (int c = 0; c < SD_ODE_MAX_PARAMS; c++) S.pdef[c] = sys->param_default && c < sys->np ? sys->param_default[c] : 0.0;
    const erk_options o = erk_options_from(a->param);
    const cudaStream_t s = (cudaStream_t)stream;
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], 1, 1, 0, &g, &b)) return;
    b = dim3(128, 1, 1); /* local arrays are large: smaller blocks keep occupancy sane */
    g = dim3((unsigned)((a->n[0] + 127) / 128), 1, 1);
    if (sys->device != SD_ODE_DEVICE_BUILTIN || sys->n > ERK_CUDA_MAX_N || (sys->events && sys->nevents > 0)) {
        fprintf(stderr, "stardag: %s on CUDA: system %s (n = %d) is not a built-in of at most %d variables "
                "without events; its systems are marked FAIL_STEP (run it on CPUs)\n", name, sys->name, sys->n,
                ERK_CUDA_MAX_N);
        erk_cuda_refuse<<<g, b, 0, s>>>(*a);
    } else if (S.n <= 4) {
        erk_cuda_kernel<TAB, 4><<<g, b, 0, s>>>(*a, S, o);
    } else if (S.n <= 16) {
        erk_cuda_kernel<TAB, 16><<<g, b, 0, s>>>(*a, S, o);
    } else {
        erk_cuda_kernel<TAB, ERK_CUDA_MAX_N><<<g, b, 0, s>>>(*a, S, o);
    }
    sd_cuda_check(name);
}

#endif
