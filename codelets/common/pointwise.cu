/* pointwise.cu - CUDA versions of the common pointwise ops (fill, copy, axpy, scale, noise).
 * Indexing and launches only: the arithmetic is common_math.h's, as in pointwise.c. One thread per
 * cell and component (x fastest: coalesced rows), grid-stride loops over n[0] x n[1] x
 * (n[2] * components); every buffer is addressed with its own strides and only interior cells are
 * touched. Asynchronous on the caller's stream. */
#include "stardag/kernel_cuda.cuh"
#include "common_kernels.h"
#include "common_math.h"

namespace {

/* Offset of interior cell (i, j, k), component c, of buffer b (sd_at on the kernel's copy). */
__device__ __forceinline__ int64_t at(const sd_tile_args &a, int b, int64_t i, int64_t j, int64_t k, int64_t c)
{
    return i + j * a.stride[b][1] + k * a.stride[b][2] + c * a.sc[b];
}

template <typename T> __global__ void fill_kernel(const sd_tile_args a, const T v, const int64_t nc)
{
    const int64_t n2 = a.n[2];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], n2 * nc)
    {
        const int64_t k = kc % n2, c = kc / n2;
        ((T *)a.p[0])[at(a, 0, i, j, k, c)] = v;
    }
}

/* E is an unsigned integer type of the element's width: a bit copy, NaN payloads included. */
template <typename E> __global__ void copy_kernel(const sd_tile_args a, const int64_t nc)
{
    const int64_t n2 = a.n[2];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], n2 * nc)
    {
        const int64_t k = kc % n2, c = kc / n2;
        ((E *)a.p[1])[at(a, 1, i, j, k, c)] = ((const E *)a.p[0])[at(a, 0, i, j, k, c)];
    }
}

__device__ __forceinline__ double axpy(double s, double x, double y) { return sd_axpy_f64(s, x, y); }
__device__ __forceinline__ float axpy(float s, float x, float y) { return sd_axpy_f32(s, x, y); }
__device__ __forceinline__ double scale(double s, double x) { return sd_scale_f64(s, x); }
__device__ __forceinline__ float scale(float s, float x) { return sd_scale_f32(s, x); }

template <typename T> __global__ void axpy_kernel(const sd_tile_args a, const T s, const int64_t nc)
{
    const int64_t n2 = a.n[2];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], n2 * nc)
    {
        const int64_t k = kc % n2, c = kc / n2;
        T *y = (T *)a.p[1] + at(a, 1, i, j, k, c);
        *y = axpy(s, ((const T *)a.p[0])[at(a, 0, i, j, k, c)], *y);
    }
}

template <typename T> __global__ void scale_kernel(const sd_tile_args a, const T s, const int64_t nc)
{
    const int64_t n2 = a.n[2];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], n2 * nc)
    {
        const int64_t k = kc % n2, c = kc / n2;
        T *x = (T *)a.p[0] + at(a, 0, i, j, k, c);
        *x = scale(s, *x);
    }
}

__device__ __forceinline__ void noise_store(double *o, uint64_t key, uint64_t idx, double lo, double hi)
{
    *o = sd_noise_f64(key, idx, lo, hi);
}
__device__ __forceinline__ void noise_store(float *o, uint64_t key, uint64_t idx, double lo, double hi)
{
    *o = sd_noise_f32(key, idx, lo, hi);
}

template <typename T>
__global__ void noise_kernel(const sd_tile_args a, const uint64_t key, const double lo, const double hi, const int64_t nc)
{
    const int64_t n2 = a.n[2];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], n2 * nc)
    {
        const int64_t k = kc % n2, c = kc / n2;
        const uint64_t idx = sd_noise_index(c, a.origin[2] + k, a.origin[1] + j, a.origin[0] + i, a.shape);
        noise_store((T *)a.p[0] + at(a, 0, i, j, k, c), key, idx, lo, hi);
    }
}

/* Grid over the tile's interior times nc components; 0 when there is nothing to do. */
int dims(const sd_tile_args *a, int nc, dim3 *g, dim3 *b)
{
    return sd_cuda_dims(a->n[0], a->n[1], a->n[2] * nc, 0, g, b);
}

} // namespace

extern "C" void sd_common_fill_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!dims(a, a->ncomp[0], &g, &b)) return;
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) fill_kernel<double><<<g, b, 0, s>>>(*a, a->param[0], a->ncomp[0]);
    else fill_kernel<float><<<g, b, 0, s>>>(*a, (float)a->param[0], a->ncomp[0]);
    sd_cuda_check("common.fill");
}

extern "C" void sd_common_copy_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!dims(a, a->ncomp[0], &g, &b)) return;
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) copy_kernel<unsigned long long><<<g, b, 0, s>>>(*a, a->ncomp[0]);
    else copy_kernel<unsigned int><<<g, b, 0, s>>>(*a, a->ncomp[0]);
    sd_cuda_check("common.copy");
}

extern "C" void sd_common_axpy_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!dims(a, a->ncomp[1], &g, &b)) return;
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) axpy_kernel<double><<<g, b, 0, s>>>(*a, a->param[0], a->ncomp[1]);
    else axpy_kernel<float><<<g, b, 0, s>>>(*a, (float)a->param[0], a->ncomp[1]);
    sd_cuda_check("common.axpy");
}

extern "C" void sd_common_scale_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!dims(a, a->ncomp[0], &g, &b)) return;
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) scale_kernel<double><<<g, b, 0, s>>>(*a, a->param[0], a->ncomp[0]);
    else scale_kernel<float><<<g, b, 0, s>>>(*a, (float)a->param[0], a->ncomp[0]);
    sd_cuda_check("common.scale");
}

extern "C" void sd_common_noise_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!dims(a, a->ncomp[0], &g, &b)) return;
    cudaStream_t s = (cudaStream_t)stream;
    const uint64_t key = sd_noise_key(a->param[SD_NOISE_SEED]);
    const double lo = a->param[SD_NOISE_LO], hi = a->param[SD_NOISE_HI];
    if (a->dtype[0] == SD_F64) noise_kernel<double><<<g, b, 0, s>>>(*a, key, lo, hi, a->ncomp[0]);
    else noise_kernel<float><<<g, b, 0, s>>>(*a, key, lo, hi, a->ncomp[0]);
    sd_cuda_check("common.noise");
}
