/* damp.cu - the CUDA kernel of mypack.damp: indexing and launches only, the math is
 * mypack_math.h's (the same SD_HD functions as damp.c). One thread per cell and component,
 * grid-stride loops over n[0] x n[1] x (n[2] * components); asynchronous on the caller's stream. */
#include <stardag/kernel_cuda.cuh>
#include "mypack_kernels.h"
#include "mypack_math.h"

namespace {

__device__ __forceinline__ double damp(double u, double f) { return mypack_damp_f64(u, f); }
__device__ __forceinline__ float damp(float u, float f) { return mypack_damp_f32(u, f); }

template <typename T> __global__ void damp_kernel(const sd_tile_args a, const int b, const T factor, const int64_t nc)
{
    const int64_t n2 = a.n[2];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], n2 * nc)
    {
        const int64_t k = kc % n2, c = kc / n2;
        T *u = (T *)a.p[b] + (i + j * a.stride[b][1] + k * a.stride[b][2] + c * a.sc[b]);
        *u = damp(*u, factor);
    }
}

} // namespace

extern "C" void mypack_damp_cuda(const sd_tile_args *a, void *stream)
{
    const double factor = mypack_damp_factor(a->param[0], a->dt); /* host libm, as the CPU loop */
    cudaStream_t s = (cudaStream_t)stream;
    for (int b = 0; b < 2; b++) {
        dim3 g, blk;
        if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2] * a->ncomp[b], 0, &g, &blk)) continue;
        if (a->dtype[b] == SD_F64) damp_kernel<double><<<g, blk, 0, s>>>(*a, b, factor, a->ncomp[b]);
        else damp_kernel<float><<<g, blk, 0, s>>>(*a, b, (float)factor, a->ncomp[b]);
    }
    sd_cuda_check("mypack.damp");
}
