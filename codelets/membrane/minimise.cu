/* minimise.cu - CUDA versions of the membrane minimiser's vertex ops (minimise.c): indexing,
 * launches and reductions only; the per-vertex math is minimise_math.h's, the same as the CPU's.
 * Scalar read roles are device pointers: each thread reads them and computes the op's coefficient
 * (mu, beta, the accepted trial) with the CPU's function, so the bits agree. The reductions fold
 * the same products as the CPU loops exactly (kernel_cuda.cuh): their partials equal the CPU's
 * after normalisation. Only the owned vertices [0, nv_own) are touched. */
#include "stardag/kernel_cuda.cuh"
#include "minimise_kernels.h"
#include "minimise_math.h"

namespace {

#define FOR_N(v, n)                                                                                 \
    for (int64_t v = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; v < (n); v += (int64_t)gridDim.x * blockDim.x)

__device__ __forceinline__ double *vec(const sd_tile_args &a, int b, int k) { return (double *)a.p[b] + k * a.sc[b]; }
__device__ __forceinline__ double scalar(const sd_tile_args &a, int b) { return *(const double *)a.p[b]; }

__global__ void project_kernel(const sd_tile_args a)
{
    const double mu = membrane_mu(scalar(a, 2), scalar(a, 3), a.param[0] != 0);
    FOR_N(v, a.mesh.nv_own)
    for (int k = 0; k < 3; k++) vec(a, 4, k)[v] = membrane_project(vec(a, 0, k)[v], vec(a, 1, k)[v], mu);
}

__global__ void direction_kernel(const sd_tile_args a)
{
    const double gg = scalar(a, 3);
    if (membrane_converged(gg, a.param[1])) return;
    const double beta = membrane_cg_beta(gg, scalar(a, 4), scalar(a, 5), scalar(a, 6), a.param[0] != 0);
    FOR_N(v, a.mesh.nv_own)
    for (int k = 0; k < 3; k++) {
        const double gp = vec(a, 0, k)[v];
        vec(a, 1, k)[v] = membrane_cg_direction(gp, vec(a, 1, k)[v], beta);
        vec(a, 2, k)[v] = gp;
    }
}

__global__ void step_kernel(const sd_tile_args a)
{
    const double step = scalar(a, 3);
    const int k = membrane_accepted_trial(scalar(a, 4));
    if (k < 0 || step == 0) return;
    const double lam = scalar(a, 5 + k);
    FOR_N(v, a.mesh.nv_own)
    for (int c = 0; c < 3; c++)
        vec(a, 0, c)[v] = membrane_restored_position(vec(a, 0, c)[v], vec(a, 1, c)[v], step, vec(a, 2, c)[v], lam);
}

__global__ void cg_reset_kernel(const sd_tile_args a)
{
    FOR_N(v, a.mesh.nv_own)
    for (int k = 0; k < 3; k++) vec(a, 0, k)[v] = vec(a, 1, k)[v] = 0.0;
}

/* R = 3: gg, gq, qq of (gp, gprev); R = 1: s of (gp, d). Index space: vertex x component. */
template <int R> __global__ void dots_kernel(const sd_tile_args a)
{
    __shared__ sd_cuda_bacc sb[R];
    sd_cuda_tacc t[R];
    sd_cuda_red_begin(sb, t, R);
    SD_CUDA_FOR_3D(v, j, k, a.mesh.nv_own, 1, 3)
    {
        (void)j;
        const double p = vec(a, 0, (int)k)[v], q = vec(a, 1, (int)k)[v];
        if (R == 3) {
            sd_cuda_acc_add(&t[0], &sb[0], p * p);
            sd_cuda_acc_add(&t[1], &sb[1], p * q);
            sd_cuda_acc_add(&t[2], &sb[2], q * q);
        } else {
            sd_cuda_acc_add(&t[0], &sb[0], p * q);
        }
    }
    sd_cuda_red_end(sb, t, R, a.acc);
}

void launch_pointwise(void (*kernel)(const sd_tile_args), const sd_tile_args *a, void *stream, const char *name)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->mesh.nv_own, 1, 1, 0, &g, &b)) return;
    kernel<<<g, b, 0, (cudaStream_t)stream>>>(*a);
    sd_cuda_check(name);
}

template <int R> void launch_dots(const sd_tile_args *a, void *stream, const char *name)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->mesh.nv_own, 1, 3, SD_CUDA_RED_MAX_BLOCKS, &g, &b)) return;
    dots_kernel<R><<<g, b, 0, (cudaStream_t)stream>>>(*a);
    sd_cuda_check(name);
}

} // namespace

extern "C" void sd_membrane_project_cuda(const sd_tile_args *a, void *stream)
{
    launch_pointwise(project_kernel, a, stream, "membrane.project");
}
extern "C" void sd_membrane_direction_cuda(const sd_tile_args *a, void *stream)
{
    launch_pointwise(direction_kernel, a, stream, "membrane.direction");
}
extern "C" void sd_membrane_step_cuda(const sd_tile_args *a, void *stream)
{
    launch_pointwise(step_kernel, a, stream, "membrane.step");
}
extern "C" void sd_membrane_cg_dots_cuda(const sd_tile_args *a, void *stream)
{
    launch_dots<3>(a, stream, "membrane.cg_dots");
}
extern "C" void sd_membrane_slope_cuda(const sd_tile_args *a, void *stream)
{
    launch_dots<1>(a, stream, "membrane.slope");
}
extern "C" void sd_membrane_cg_reset_cuda(const sd_tile_args *a, void *stream)
{
    launch_pointwise(cg_reset_kernel, a, stream, "membrane.cg_reset");
}
