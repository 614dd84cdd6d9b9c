/* reduce.cu - CUDA versions of the common reductions (sum, max_abs, count_nonfinite). Each folds
 * the tile's interior into a->acc[0] (a device sd_acc) through kernel_cuda.cuh's exact reduction,
 * so the partial equals the CPU's (reduce.c) bitwise: same terms (common_math.h), exact sums,
 * same counts and extremes. Ghost cells are never read. */
#include "stardag/kernel_cuda.cuh"
#include "common_kernels.h"
#include "common_math.h"

namespace {

__device__ __forceinline__ int64_t at(const sd_tile_args &a, int b, int64_t i, int64_t j, int64_t k, int64_t c)
{
    return i + j * a.stride[b][1] + k * a.stride[b][2] + c * a.sc[b];
}

__device__ __forceinline__ int nonfinite(double x) { return sd_nonfinite_f64(x); }
__device__ __forceinline__ int nonfinite(float x) { return sd_nonfinite_f32(x); }

enum { OP_SUM, OP_MAX_ABS, OP_COUNT_NONFINITE };

template <typename T, int OP> __global__ void reduce_kernel(const sd_tile_args a, const double scale, const int64_t nc)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    const int64_t n2 = a.n[2];
    const T *x = (const T *)a.p[0];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], n2 * nc)
    {
        const int64_t k = kc % n2, c = kc / n2;
        const T v = x[at(a, 0, i, j, k, c)];
        if (OP == OP_SUM) sd_cuda_acc_add(&t[0], &sb[0], sd_sum_term(scale, (double)v));
        else if (OP == OP_MAX_ABS) sd_cuda_acc_extreme(&t[0], (double)fabs(v)); /* |x| in T, as reduce.c */
        else sd_cuda_acc_count(&t[0], 1, nonfinite(v));
    }
    sd_cuda_red_end(sb, t, 1, a.acc);
}

template <int OP> void launch(const sd_tile_args *a, void *stream, const char *name)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2] * a->ncomp[0], SD_CUDA_RED_MAX_BLOCKS, &g, &b)) return;
    cudaStream_t s = (cudaStream_t)stream;
    const double scale = OP == OP_SUM ? a->param[0] : 0.0;
    if (a->dtype[0] == SD_F64) reduce_kernel<double, OP><<<g, b, 0, s>>>(*a, scale, a->ncomp[0]);
    else reduce_kernel<float, OP><<<g, b, 0, s>>>(*a, scale, a->ncomp[0]);
    sd_cuda_check(name);
}

} // namespace

extern "C" void sd_common_sum_cuda(const sd_tile_args *a, void *stream) { launch<OP_SUM>(a, stream, "common.sum"); }
extern "C" void sd_common_max_abs_cuda(const sd_tile_args *a, void *stream)
{
    launch<OP_MAX_ABS>(a, stream, "common.max_abs");
}
extern "C" void sd_common_count_nonfinite_cuda(const sd_tile_args *a, void *stream)
{
    launch<OP_COUNT_NONFINITE>(a, stream, "common.count_nonfinite");
}
