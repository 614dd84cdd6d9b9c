/* energy.cu - CUDA version of lattice.energy: per interior cell the term kg_energy_cell_*, plus
 * the low-boundary face terms kg_energy_face_* on FIXED/ABSORBING axes for cells of global index 0
 * (kg_math.h, the same calls as energy.c), folded exactly into a->acc[0] by kernel_cuda.cuh's
 * reduction: the partial equals the CPU's bitwise. Roles: E_next (R, halo 1), E (R, halo 1),
 * chi (R), energy (W scalar, sum); param c. */
#include "stardag/kernel_cuda.cuh"
#include "kg_math.h"
#include "lattice_kernels.h"

namespace {

__device__ __forceinline__ int64_t at(const sd_tile_args &a, int b, int64_t i, int64_t j, int64_t k)
{
    return i + j * a.stride[b][1] + k * a.stride[b][2];
}

__device__ __forceinline__ double cell(const double *n, int64_t nsy, int64_t nsz, const double *o, int64_t osy,
                                       int64_t osz, int nd, double ch, const kg_energy_coef &K)
{
    return kg_energy_cell_f64(n, nsy, nsz, o, osy, osz, nd, ch, K.idt, K.c2, K.id, K.hdv);
}
__device__ __forceinline__ double cell(const float *n, int64_t nsy, int64_t nsz, const float *o, int64_t osy,
                                       int64_t osz, int nd, float ch, const kg_energy_coef &K)
{
    return kg_energy_cell_f32(n, nsy, nsz, o, osy, osz, nd, ch, K.idt, K.c2, K.id, K.hdv);
}
__device__ __forceinline__ double face(const double *n, int64_t ns, const double *o, int64_t os, double c2, double id,
                                       double hdv)
{
    return kg_energy_face_f64(n, ns, o, os, c2, id, hdv);
}
__device__ __forceinline__ double face(const float *n, int64_t ns, const float *o, int64_t os, double c2, double id,
                                       double hdv)
{
    return kg_energy_face_f32(n, ns, o, os, c2, id, hdv);
}

/* faces: bit d set when axis d has a low-boundary face term in this tile. */
template <typename T, int ND> __global__ void energy_kernel(const sd_tile_args a, const kg_energy_coef K, const int faces)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    const T *N = (const T *)a.p[0], *O = (const T *)a.p[1], *chi = (const T *)a.p[2];
    const int64_t nsy = a.stride[0][1], nsz = a.stride[0][2], osy = a.stride[1][1], osz = a.stride[1][2];
    SD_CUDA_FOR_3D(i, j, k, a.n[0], a.n[1], a.n[2])
    {
        const T *n = N + at(a, 0, i, j, k), *o = O + at(a, 1, i, j, k);
        sd_cuda_acc_add(&t[0], &sb[0], cell(n, nsy, nsz, o, osy, osz, ND, chi[at(a, 2, i, j, k)], K));
        if (faces) {
            const int64_t ijk[3] = {i, j, k}, nst[3] = {1, nsy, nsz}, ost[3] = {1, osy, osz};
#pragma unroll
            for (int d = 0; d < ND; d++)
                if ((faces >> d & 1) && ijk[d] == 0)
                    sd_cuda_acc_add(&t[0], &sb[0], face(n, nst[d], o, ost[d], K.c2, K.id[d], K.hdv));
        }
    }
    sd_cuda_red_end(sb, t, 1, a.acc);
}

template <typename T> void launch(const sd_tile_args *a, const kg_energy_coef &K, int faces, cudaStream_t s)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2], SD_CUDA_RED_MAX_BLOCKS, &g, &b)) return;
    switch (a->ndim) {
    case 1: energy_kernel<T, 1><<<g, b, 0, s>>>(*a, K, faces); break;
    case 2: energy_kernel<T, 2><<<g, b, 0, s>>>(*a, K, faces); break;
    default: energy_kernel<T, 3><<<g, b, 0, s>>>(*a, K, faces); break;
    }
}

} // namespace

extern "C" void sd_lattice_energy_cuda(const sd_tile_args *a, void *stream)
{
    const kg_energy_coef K = kg_energy_coef_make(a->ndim, a->param[KG_EN_C], a->dt, a->dx);
    int faces = 0; /* as energy.c: tiles holding global index 0 of a FIXED/ABSORBING axis */
    for (int d = 0; d < a->ndim; d++)
        if (a->origin[d] == 0 && (a->bc[d] == SD_BC_FIXED || a->bc[d] == SD_BC_ABSORBING)) faces |= 1 << d;
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) launch<double>(a, K, faces, s);
    else launch<float>(a, K, faces, s);
    sd_cuda_check("lattice.energy");
}
