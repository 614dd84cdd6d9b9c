/* lattice_init.cu - CUDA versions of the initial-state kernels (lattice_init.c): fcc positions,
 * Maxwell-Boltzmann velocities (counter-based: md_gaussian of (seed, id), so any device and any
 * blocking gives the same numbers) and the velocity adjustment. The same SD_HD math as the CPU;
 * the per-type widths sqrt(kB T / m) are computed on the host as the CPU computes them. Bitwise
 * equal to the CPU versions. */
#include "stardag/kernel_cuda.cuh"
#include "md_kernels.h"

namespace {

struct coef {
    double c[MD_MAX_TYPES];
};

#define FOR_N(i, n)                                                                                 \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

__global__ void fcc_kernel(int64_t k0, int64_t n, int64_t nx, int64_t ny, double a, double *__restrict__ x, int64_t sc,
                           int64_t *__restrict__ id)
{
    FOR_N(i, n)
    {
        md_fcc_site(k0 + i, nx, ny, a, x + i, x + i + sc, x + i + 2 * sc);
        if (id) id[i] = k0 + i;
    }
}

__global__ void vcreate_kernel(int64_t n, const int64_t *__restrict__ id, const int32_t *__restrict__ type, const coef sig,
                               uint64_t seed, double *__restrict__ v, int64_t vsc)
{
    FOR_N(i, n)
    {
        const double s = sig.c[type[i]];
        for (int d = 0; d < 3; d++) v[i + d * vsc] = s * md_gaussian(seed, id[i], 0, MD_RNG_VELOCITY, d);
    }
}

__global__ void vadjust_kernel(int64_t n, double s0, double s1, double s2, double lambda, double *__restrict__ v,
                               int64_t vsc)
{
    FOR_N(i, n)
    {
        v[i] = md_adjust(v[i], s0, lambda);
        v[i + vsc] = md_adjust(v[i + vsc], s1, lambda);
        v[i + 2 * vsc] = md_adjust(v[i + 2 * vsc], s2, lambda);
    }
}

} // namespace

extern "C" void sd_md_fcc_cuda(int64_t k0, int64_t n, const int64_t nc[3], double a, double *x, int64_t sc, int64_t *id,
                               void *stream)
{
    dim3 g, b;
    if (!sd_cuda_dims(n, 1, 1, 0, &g, &b)) return;
    fcc_kernel<<<g, b, 0, (cudaStream_t)stream>>>(k0, n, nc[0], nc[1], a, x, sc, id);
    sd_cuda_check("md.fcc");
}

extern "C" void sd_md_velocity_create_cuda(const md_velocity_create_args *a, void *stream)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->count, 1, 1, 0, &g, &b)) return;
    coef sig = {{0}};
    for (int t = 0; t < a->type_count; t++) /* as sd_md_velocity_create */
        sig.c[t] = md_thermal_sigma(a->kB, a->temperature, a->mass[t]);
    vcreate_kernel<<<g, b, 0, (cudaStream_t)stream>>>(a->count, a->id, a->type, sig, a->seed, a->velocity,
                                                      a->velocity_stride);
    sd_cuda_check("md.velocity_create");
}

extern "C" void sd_md_velocity_adjust_cuda(int64_t n, const double *vs, double lambda, double *v, int64_t vsc,
                                           void *stream)
{
    dim3 g, b;
    if (!sd_cuda_dims(n, 1, 1, 0, &g, &b)) return;
    vadjust_kernel<<<g, b, 0, (cudaStream_t)stream>>>(n, vs ? vs[0] : 0.0, vs ? vs[1] : 0.0, vs ? vs[2] : 0.0, lambda, v,
                                                      vsc);
    sd_cuda_check("md.velocity_adjust");
}
