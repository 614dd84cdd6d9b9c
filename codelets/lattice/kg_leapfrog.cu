/* kg_leapfrog.cu - CUDA versions of lattice.kg_leapfrog and lattice.chi_leapfrog. One thread per
 * interior cell (x fastest), calling kg_leapfrog_* / kg_chi_leapfrog_* of kg_math.h with the
 * coefficients kg_leapfrog_coef computes on the host, exactly as kg_leapfrog.c does: bitwise the
 * CPU's result (no FMA: nvcc -fmad=false). Roles: E or chi (R, halo order/2), the previous level
 * (R), chi or E (R), the next level (W); every buffer uses its own strides. */
#include "stardag/kernel_cuda.cuh"
#include "kg_math.h"
#include "lattice_kernels.h"

namespace {

__device__ __forceinline__ int64_t at(const sd_tile_args &a, int b, int64_t i, int64_t j, int64_t k)
{
    return i + j * a.stride[b][1] + k * a.stride[b][2];
}

template <typename T> struct coef;
template <> struct coef<double> { typedef kg_coef_f64 type; };
template <> struct coef<float> { typedef kg_coef_f32 type; };

__device__ __forceinline__ double leapfrog(const double *e, int64_t sy, int64_t sz, int nd, int P, double ep, double ch,
                                           kg_coef_f64 k)
{
    return kg_leapfrog_f64(e, sy, sz, nd, P, ep, ch, k);
}
__device__ __forceinline__ float leapfrog(const float *e, int64_t sy, int64_t sz, int nd, int P, float ep, float ch,
                                          kg_coef_f32 k)
{
    return kg_leapfrog_f32(e, sy, sz, nd, P, ep, ch, k);
}
__device__ __forceinline__ double chi_leapfrog(const double *x, int64_t sy, int64_t sz, int nd, int P, double xp,
                                               double e, kg_coef_f64 k, double kappa, double e02)
{
    return kg_chi_leapfrog_f64(x, sy, sz, nd, P, xp, e, k, kappa, e02);
}
__device__ __forceinline__ float chi_leapfrog(const float *x, int64_t sy, int64_t sz, int nd, int P, float xp, float e,
                                              kg_coef_f32 k, float kappa, float e02)
{
    return kg_chi_leapfrog_f32(x, sy, sz, nd, P, xp, e, k, kappa, e02);
}

/* ND and P (the reach) are literals per instantiation, so the branches and loops on them fold away.
 * CHI selects chi_leapfrog (buffer 2 is E, the source) over kg_leapfrog (buffer 2 is chi). */
template <typename T, int ND, int P, bool CHI>
__global__ void leapfrog_kernel(const sd_tile_args a, const typename coef<T>::type k, const T kappa, const T e02)
{
    const T *E = (const T *)a.p[0], *Ep = (const T *)a.p[1], *third = (const T *)a.p[2];
    T *out = (T *)a.p[3];
    const int64_t sy = a.stride[0][1], sz = a.stride[0][2];
    SD_CUDA_FOR_3D(i, j, kk, a.n[0], a.n[1], a.n[2])
    {
        const T *e = E + at(a, 0, i, j, kk);
        const T prev = Ep[at(a, 1, i, j, kk)], t = third[at(a, 2, i, j, kk)];
        out[at(a, 3, i, j, kk)] = CHI ? chi_leapfrog(e, sy, sz, ND, P, prev, t, k, kappa, e02)
                                      : leapfrog(e, sy, sz, ND, P, prev, t, k);
    }
}

template <typename T, bool CHI, int ND>
void launch_p(const sd_tile_args *a, int P, const typename coef<T>::type &k, T kappa, T e02, dim3 g, dim3 b, cudaStream_t s)
{
    switch (P) {
    case 1: leapfrog_kernel<T, ND, 1, CHI><<<g, b, 0, s>>>(*a, k, kappa, e02); break;
    case 2: leapfrog_kernel<T, ND, 2, CHI><<<g, b, 0, s>>>(*a, k, kappa, e02); break;
    default: leapfrog_kernel<T, ND, 3, CHI><<<g, b, 0, s>>>(*a, k, kappa, e02); break;
    }
}

template <typename T, bool CHI>
void launch(const sd_tile_args *a, int P, const typename coef<T>::type &k, T kappa, T e02, cudaStream_t s)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2], 0, &g, &b)) return;
    switch (a->ndim) {
    case 1: launch_p<T, CHI, 1>(a, P, k, kappa, e02, g, b, s); break;
    case 2: launch_p<T, CHI, 2>(a, P, k, kappa, e02, g, b, s); break;
    default: launch_p<T, CHI, 3>(a, P, k, kappa, e02, g, b, s); break;
    }
}

} // namespace

extern "C" void sd_lattice_kg_leapfrog_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    const int order = (int)a->param[KG_LF_ORDER], P = kg_reach(order);
    const double c = a->param[KG_LF_C], gamma = a->param[KG_LF_GAMMA];
    if (a->dtype[0] == SD_F64) launch<double, false>(a, P, kg_leapfrog_coef_f64(c, a->dt, a->dx, order, gamma), 0.0, 0.0, s);
    else launch<float, false>(a, P, kg_leapfrog_coef_f32(c, a->dt, a->dx, order, gamma), 0.0f, 0.0f, s);
    sd_cuda_check("lattice.kg_leapfrog");
}

extern "C" void sd_lattice_chi_leapfrog_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    const int order = (int)a->param[KG_CX_ORDER], P = kg_reach(order);
    const double c = a->param[KG_CX_C], kappa = a->param[KG_CX_KAPPA], e02 = a->param[KG_CX_E0] * a->param[KG_CX_E0];
    if (a->dtype[0] == SD_F64)
        launch<double, true>(a, P, kg_leapfrog_coef_f64(c, a->dt, a->dx, order, 0.0), kappa, e02, s);
    else launch<float, true>(a, P, kg_leapfrog_coef_f32(c, a->dt, a->dx, order, 0.0), (float)kappa, (float)e02, s);
    sd_cuda_check("lattice.chi_leapfrog");
}
