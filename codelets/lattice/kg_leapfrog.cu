/* kg_leapfrog.cu - CUDA version of lattice.kg_leapfrog. One thread per interior cell (x fastest),
 * calling kg_leapfrog_f64/f32 of kg_math.h with the coefficients kg_leapfrog_coef computes on the
 * host, exactly as kg_leapfrog.c does: bitwise the CPU's result (no FMA: nvcc -fmad=false).
 * Roles: E (R, halo 1), E_prev (R), chi (R), E_next (W); every buffer uses its own strides. */
#include "stardag/kernel_cuda.cuh"
#include "kg_math.h"
#include "lattice_kernels.h"

namespace {

__device__ __forceinline__ int64_t at(const sd_tile_args &a, int b, int64_t i, int64_t j, int64_t k)
{
    return i + j * a.stride[b][1] + k * a.stride[b][2];
}

__device__ __forceinline__ double leapfrog(const double *e, int64_t sy, int64_t sz, int nd, double ep, double ch,
                                           kg_coef_f64 k)
{
    return kg_leapfrog_f64(e, sy, sz, nd, ep, ch, k);
}
__device__ __forceinline__ float leapfrog(const float *e, int64_t sy, int64_t sz, int nd, float ep, float ch,
                                          kg_coef_f32 k)
{
    return kg_leapfrog_f32(e, sy, sz, nd, ep, ch, k);
}

/* ND is a literal per instantiation, so the branches on ndim in kg_leapfrog_* fold away. */
template <typename T, typename C, int ND> __global__ void leapfrog_kernel(const sd_tile_args a, const C k)
{
    const T *E = (const T *)a.p[0], *Ep = (const T *)a.p[1], *chi = (const T *)a.p[2];
    T *out = (T *)a.p[3];
    const int64_t sy = a.stride[0][1], sz = a.stride[0][2];
    SD_CUDA_FOR_3D(i, j, kk, a.n[0], a.n[1], a.n[2])
    {
        out[at(a, 3, i, j, kk)] = leapfrog(E + at(a, 0, i, j, kk), sy, sz, ND, Ep[at(a, 1, i, j, kk)],
                                           chi[at(a, 2, i, j, kk)], k);
    }
}

template <typename T, typename C> void launch(const sd_tile_args *a, const C k, cudaStream_t s)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2], 0, &g, &b)) return;
    switch (a->ndim) {
    case 1: leapfrog_kernel<T, C, 1><<<g, b, 0, s>>>(*a, k); break;
    case 2: leapfrog_kernel<T, C, 2><<<g, b, 0, s>>>(*a, k); break;
    default: leapfrog_kernel<T, C, 3><<<g, b, 0, s>>>(*a, k); break;
    }
}

} // namespace

extern "C" void sd_lattice_kg_leapfrog_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) launch<double>(a, kg_leapfrog_coef_f64(a->param[KG_LF_C], a->dt, a->dx), s);
    else launch<float>(a, kg_leapfrog_coef_f32(a->param[KG_LF_C], a->dt, a->dx), s);
    sd_cuda_check("lattice.kg_leapfrog");
}
