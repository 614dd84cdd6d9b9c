/* mode_projection.cu - CUDA version of lattice.mode_projection: re = sum E cos(k.x),
 * im = -sum E sin(k.x) over the tile's interior, folded exactly into a->acc[0] (re) and a->acc[1]
 * (im) by kernel_cuda.cuh's reduction. The phase k.x is kg_mode_phase (exact integer reduction,
 * then +, *, / in double: the same bits as the CPU); sin and cos are CUDA's, within 2 ulp, hence
 * the codelet's non-zero cuda_tol (register.c). Roles: E (R), re (W scalar), im (W scalar). */
#include "stardag/kernel_cuda.cuh"
#include "kg_math.h"
#include "lattice_kernels.h"

namespace {

typedef struct modes {
    int64_t m[3];
} modes;

template <typename T> __global__ void projection_kernel(const sd_tile_args a, const modes M)
{
    __shared__ sd_cuda_bacc sb[2];
    sd_cuda_tacc t[2];
    sd_cuda_red_begin(sb, t, 2);
    const T *E = (const T *)a.p[0];
    SD_CUDA_FOR_3D(i, j, k, a.n[0], a.n[1], a.n[2])
    {
        const int64_t g[3] = {a.origin[0] + i, a.origin[1] + j, a.origin[2] + k};
        const double th = kg_mode_phase(a.ndim, M.m, g, a.shape);
        const double e = (double)E[i + j * a.stride[0][1] + k * a.stride[0][2]];
        double tr, ti;
        kg_mode_terms(e, th, &tr, &ti);
        sd_cuda_acc_add(&t[0], &sb[0], tr);
        sd_cuda_acc_add(&t[1], &sb[1], ti);
    }
    sd_cuda_red_end(sb, t, 2, a.acc);
}

} // namespace

extern "C" void sd_lattice_mode_projection_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2], SD_CUDA_RED_MAX_BLOCKS, &g, &b)) return;
    modes M;
    kg_mode_numbers(a->ndim, &a->param[KG_MP_MX], M.m);
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) projection_kernel<double><<<g, b, 0, s>>>(*a, M);
    else projection_kernel<float><<<g, b, 0, s>>>(*a, M);
    sd_cuda_check("lattice.mode_projection");
}
