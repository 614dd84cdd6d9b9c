/* energy.cu - CUDA version of lattice.energy: per interior cell the term kg_energy_cell_* (order 2)
 * or kg_energy_wide_cell_* (orders 4, 6), plus the pairs crossing a low boundary
 * (kg_energy_face_*, kg_energy_wide_low_*) on the axes energy.c gives them (kg_math.h, the same
 * calls), folded exactly into a->acc[0] by kernel_cuda.cuh's reduction: the partial equals the
 * CPU's bitwise. Roles: E_next (R, halo order/2), E (R, halo order/2), chi (R), energy (W scalar,
 * sum); params c, order, gamma. */
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
    return kg_energy_cell_f64(n, nsy, nsz, o, osy, osz, nd, ch, &K);
}
__device__ __forceinline__ double cell(const float *n, int64_t nsy, int64_t nsz, const float *o, int64_t osy,
                                       int64_t osz, int nd, float ch, const kg_energy_coef &K)
{
    return kg_energy_cell_f32(n, nsy, nsz, o, osy, osz, nd, ch, &K);
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
__device__ __forceinline__ double wide_cell(const double *n, const int64_t ns[3], const double *o, const int64_t os[3],
                                            int nd, double ch, const kg_energy_coef &K, const int64_t far[3], int mirror)
{
    return kg_energy_wide_cell_f64(n, ns, o, os, nd, ch, &K, far, mirror);
}
__device__ __forceinline__ double wide_cell(const float *n, const int64_t ns[3], const float *o, const int64_t os[3],
                                            int nd, float ch, const kg_energy_coef &K, const int64_t far[3], int mirror)
{
    return kg_energy_wide_cell_f32(n, ns, o, os, nd, ch, &K, far, mirror);
}
__device__ __forceinline__ double wide_low(const double *n, int64_t ns, const double *o, int64_t os, int m, int d,
                                           int mirror, const kg_energy_coef &K)
{
    return kg_energy_wide_low_f64(n, ns, o, os, m, d, mirror, &K);
}
__device__ __forceinline__ double wide_low(const float *n, int64_t ns, const float *o, int64_t os, int m, int d,
                                           int mirror, const kg_energy_coef &K)
{
    return kg_energy_wide_low_f32(n, ns, o, os, m, d, mirror, &K);
}

/* faces: bit d set when axis d has pairs crossing its low boundary in this tile; mirror: bit d set
 * for a REFLECTIVE axis. WIDE: orders 4, 6. The terms of a cell are added in energy.c's order
 * within the cell; the exact sums make the order across cells irrelevant. */
template <typename T, int ND, bool WIDE>
__global__ void energy_kernel(const sd_tile_args a, const kg_energy_coef K, const int faces, const int mirror)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    const T *N = (const T *)a.p[0], *O = (const T *)a.p[1], *chi = (const T *)a.p[2];
    const int64_t ns[3] = {1, a.stride[0][1], a.stride[0][2]}, os[3] = {1, a.stride[1][1], a.stride[1][2]};
    SD_CUDA_FOR_3D(i, j, k, a.n[0], a.n[1], a.n[2])
    {
        const T *n = N + at(a, 0, i, j, k), *o = O + at(a, 1, i, j, k);
        const T ch = chi[at(a, 2, i, j, k)];
        const int64_t ijk[3] = {i, j, k};
        if (WIDE) {
            const int64_t far[3] = {a.shape[0] - 1 - (a.origin[0] + i), a.shape[1] - 1 - (a.origin[1] + j),
                                    a.shape[2] - 1 - (a.origin[2] + k)};
            sd_cuda_acc_add(&t[0], &sb[0], wide_cell(n, ns, o, os, ND, ch, K, far, mirror));
            if (faces) {
#pragma unroll
                for (int d = 0; d < ND; d++)
                    if (faces >> d & 1)
                        for (int m = 1; m <= K.reach; m++)
                            if (a.origin[d] + ijk[d] < m)
                                sd_cuda_acc_add(&t[0], &sb[0], wide_low(n, ns[d], o, os[d], m, d, mirror >> d & 1, K));
            }
        } else {
            sd_cuda_acc_add(&t[0], &sb[0], cell(n, ns[1], ns[2], o, os[1], os[2], ND, ch, K));
            if (faces) {
#pragma unroll
                for (int d = 0; d < ND; d++)
                    if ((faces >> d & 1) && ijk[d] == 0)
                        sd_cuda_acc_add(&t[0], &sb[0], face(n, ns[d], o, os[d], K.c2, K.id[d], K.hdv));
            }
        }
    }
    sd_cuda_red_end(sb, t, 1, a.acc);
}

template <typename T, bool WIDE> void launch(const sd_tile_args *a, const kg_energy_coef &K, int faces, int mirror, cudaStream_t s)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->n[0], a->n[1], a->n[2], SD_CUDA_RED_MAX_BLOCKS, &g, &b)) return;
    switch (a->ndim) {
    case 1: energy_kernel<T, 1, WIDE><<<g, b, 0, s>>>(*a, K, faces, mirror); break;
    case 2: energy_kernel<T, 2, WIDE><<<g, b, 0, s>>>(*a, K, faces, mirror); break;
    default: energy_kernel<T, 3, WIDE><<<g, b, 0, s>>>(*a, K, faces, mirror); break;
    }
}

} // namespace

extern "C" void sd_lattice_energy_cuda(const sd_tile_args *a, void *stream)
{
    const kg_energy_coef K = kg_energy_coef_make(a->ndim, a->param[KG_EN_C], a->dt, a->dx, (int)a->param[KG_EN_ORDER],
                                                 a->param[KG_EN_GAMMA]);
    const int wide = K.reach > 1;
    int faces = 0, mirror = 0; /* as energy.c */
    for (int d = 0; d < a->ndim; d++) {
        mirror |= (a->bc[d] == SD_BC_REFLECTIVE) << d;
        if (kg_energy_low_pairs(a->origin[d], a->bc[d], K.reach)) faces |= 1 << d;
    }
    cudaStream_t s = (cudaStream_t)stream;
    if (a->dtype[0] == SD_F64) wide ? launch<double, true>(a, K, faces, mirror, s) : launch<double, false>(a, K, faces, mirror, s);
    else wide ? launch<float, true>(a, K, faces, mirror, s) : launch<float, false>(a, K, faces, mirror, s);
    sd_cuda_check("lattice.energy");
}
