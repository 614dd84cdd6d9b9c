/* init.cu - CUDA versions of the lattice initialisers lattice.gaussian_packet and
 * lattice.plane_wave (roles E (W), E_prev (W)). The per-tile set-up (centre, wavevector, omega,
 * modes) runs on the host through the same C functions as init.c (sd_lattice_packet_setup,
 * sd_lattice_wave_setup), so it is identical; per cell the kernels call kg_gaussian_pair /
 * kg_mode_phase of kg_math.h, whose exp and cos are CUDA's: within a few ulp of the CPU's, hence
 * the codelets' non-zero cuda_tol (register.c). Values are computed in double and stored in the
 * field type; x_d = (origin_d + i_d) * dx_d. */
#include "stardag/kernel_cuda.cuh"
#include "kg_math.h"
#include "lattice_kernels.h"

namespace {

__device__ __forceinline__ int64_t at(const sd_tile_args &a, int b, int64_t i, int64_t j, int64_t k)
{
    return i + j * a.stride[b][1] + k * a.stride[b][2];
}

template <typename T> __device__ __forceinline__ void store(const sd_tile_args &a, int64_t i, int64_t j, int64_t k,
                                                            double e, double ep)
{
    ((T *)a.p[0])[at(a, 0, i, j, k)] = (T)e;
    ((T *)a.p[1])[at(a, 1, i, j, k)] = (T)ep;
}

typedef struct packet {
    double x0[3], k[3], vg[3], A, w, omega;
} packet;

template <typename T> __global__ void packet_kernel(const sd_tile_args a, const packet P)
{
    SD_CUDA_FOR_3D(i, j, kk, a.n[0], a.n[1], a.n[2])
    {
        const int64_t g[3] = {a.origin[0] + i, a.origin[1] + j, a.origin[2] + kk};
        double x[3] = {0, 0, 0};
        for (int d = 0; d < a.ndim; d++) x[d] = (double)g[d] * a.dx[d];
        double e, ep;
        kg_gaussian_pair(a.ndim, x, P.x0, P.k, P.vg, P.A, P.w, P.omega, a.dt, &e, &ep);
        store<T>(a, i, j, kk, e, ep);
    }
}

typedef struct wave {
    int64_t m[3];
    double A, phi, wdt;
} wave;

template <typename T> __global__ void wave_kernel(const sd_tile_args a, const wave W)
{
    SD_CUDA_FOR_3D(i, j, kk, a.n[0], a.n[1], a.n[2])
    {
        const int64_t g[3] = {a.origin[0] + i, a.origin[1] + j, a.origin[2] + kk};
        const double th = kg_mode_phase(a.ndim, W.m, g, a.shape) + W.phi;
        double e, ep;
        kg_wave_pair(W.A, th, W.wdt, &e, &ep);
        store<T>(a, i, j, kk, e, ep);
    }
}

} // namespace

extern "C" void sd_lattice_gaussian_packet_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2], 0, &g, &b)) return;
    packet P;
    sd_lattice_packet_setup(a->ndim, a->shape, a->dx, a->param, a->dt, P.x0, P.k, P.vg, &P.omega);
    P.A = a->param[KG_GP_A];
    P.w = a->param[KG_GP_W];
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) packet_kernel<double><<<g, b, 0, s>>>(*a, P);
    else packet_kernel<float><<<g, b, 0, s>>>(*a, P);
    sd_cuda_check("lattice.gaussian_packet");
}

extern "C" void sd_lattice_plane_wave_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2], 0, &g, &b)) return;
    wave W;
    sd_lattice_wave_setup(a->ndim, a->shape, a->dx, a->param, a->dt, W.m, &W.wdt);
    W.A = a->param[KG_PW_A];
    W.phi = a->param[KG_PW_PHASE];
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) wave_kernel<double><<<g, b, 0, s>>>(*a, W);
    else wave_kernel<float><<<g, b, 0, s>>>(*a, W);
    sd_cuda_check("lattice.plane_wave");
}
