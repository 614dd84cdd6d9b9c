/* implicit_cuda.cuh - the CUDA side of ode.radau5 and ode.bdf: one thread per system runs the whole
 * interval through the method's SD_HD state machine (the same code as the CPU lanes), its state
 * addressed in place in the device fields (component stride sc: neighbouring threads touch
 * neighbouring doubles), its requests served by the built-in's single-system f and Jacobian
 * (systems.h). Built-in systems only: the engine runs other systems' ops on CPUs. */
#ifndef SD_ODE_IMPLICIT_CUDA_CUH
#define SD_ODE_IMPLICIT_CUDA_CUH
#include <stdio.h>
#include "stardag/kernel_cuda.cuh"
#include "implicit_math.h"
#include "systems.h"

/* What a thread needs of the system, by value (sd_tile_args.system is host memory). */
struct sd_imp_cuda_sys {
    int id, np;
    double pdef[SD_ODE_MAX_PARAMS > 0 ? SD_ODE_MAX_PARAMS : 1];
};

/* M: a struct of static __device__ functions begin, resume, ev_y, ev_f, jac and constant ev_t. */
template <class M> __global__ void sd_imp_cuda_kernel(const sd_tile_args a, const sd_imp_opts o, const sd_imp_cuda_sys s)
{
    const int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (i >= a.n[0]) return;
    sd_imp_view v;
    v.w = (double *)a.p[SD_IMP_R_WORK] + i;
    v.ws = a.sc[SD_IMP_R_WORK];
    v.y = (double *)a.p[SD_IMP_R_Y] + i;
    v.ys = a.sc[SD_IMP_R_Y];
    v.st = (double *)a.p[SD_IMP_R_STATS] + i;
    v.ss = a.sc[SD_IMP_R_STATS];
    v.p = a.p[SD_IMP_R_P] ? (const double *)a.p[SD_IMP_R_P] + i : s.pdef;
    v.ps = a.p[SD_IMP_R_P] ? a.sc[SD_IMP_R_P] : 1;
    v.atol = a.p[SD_IMP_R_ATOL] ? (const double *)a.p[SD_IMP_R_ATOL] + i : NULL;
    v.as = a.sc[SD_IMP_R_ATOL];
    if (v.st[SD_ODE_STATUS * v.ss] != 0.0) return;
    M::begin(&v);
    for (;;) {
        const int r = M::resume(&v, &o);
        if (r == SD_IMP_DONE) break;
        const double t = SD_IMP_W(&v, M::ev_t);
        const double *y = &SD_IMP_W(&v, M::ev_y(o.n));
        if (r == SD_IMP_NEED_F) sd_ode_builtin_f(s.id, t, y, v.ws, v.p, v.ps, &SD_IMP_W(&v, M::ev_f(o.n)), v.ws);
        else if (r == SD_IMP_NEED_JAC) sd_ode_builtin_jac(s.id, t, y, v.ws, v.p, v.ps, &SD_IMP_W(&v, M::jac(o.n)), v.ws);
        else break; /* no other request without events (o.nev is 0: the launch refuses systems with events) */
    }
}

extern "C" void sd_imp_options(const sd_tile_args *a, sd_imp_opts *o);

/* max_order: the op has max_order (bdf); interpolate: the op has interpolate (radau5) */
template <class M> void sd_imp_cuda_launch(const sd_tile_args *a, void *stream, const char *name, int max_order,
                                           int interpolate)
{
    const sd_ode_system *sys = a->system;
    /* the engine keeps such ops on CPUs; events (implicit_events.h) are served on CPUs only: the
       kernel below knows f and J requests alone */
    if (sys->device != SD_ODE_DEVICE_BUILTIN || (sys->events && sys->nevents > 0)) {
        fprintf(stderr, "stardag: %s: system %s has no CUDA evaluation%s; this task should have run on a CPU\n", name,
                sys->name, sys->device == SD_ODE_DEVICE_BUILTIN ? " of its events" : "");
        abort();
    }
    sd_imp_opts o;
    sd_imp_options(a, &o);
    if (max_order) o.max_order = (int)a->param[SD_IMP_P_MAX_ORDER];
    if (interpolate) o.land = a->param[SD_IMP_P_INTERPOLATE] == 0.0;
    sd_imp_cuda_sys s;
    s.id = sys->device_id;
    s.np = sys->np;
    for (int k = 0; k < SD_ODE_MAX_PARAMS; k++) s.pdef[k] = k >= sys->np ? 0.0 : sys->param_default ? sys->param_default[k] : NAN;
    if (a->n[0] <= 0) return;
    const int threads = 64;
    const unsigned blocks = (unsigned)((a->n[0] + threads - 1) / threads);
    sd_imp_cuda_kernel<M><<<blocks, threads, 0, (cudaStream_t)stream>>>(*a, o, s);
    sd_cuda_check(name);
}

#endif
