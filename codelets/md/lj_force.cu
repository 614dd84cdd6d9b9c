/* lj_force.cu - CUDA versions of the Lennard-Jones force and energy/virial kernels (lj_force.c).
 * Eight threads per home particle: thread l of the group takes list entries k = l, l+8, ... in
 * order, which is exactly lane l of the CPU's sum; the group then combines its lanes with
 * shuffles as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)) (xor 1, 2, 4; addition is commutative
 * bitwise). Same math (md_lj_fr, md_lj_energy), no FMA (-fmad=false), IEEE division: the forces
 * equal the CPU's bitwise, and the energy/virial terms (one per particle, folded exactly by
 * kernel_cuda.cuh) give the same exact sums. The pair table comes by value and is copied into
 * shared memory. */
#include "stardag/kernel_cuda.cuh"
#include "md_kernels.h"

namespace {

#define MT MD_MAX_TYPES
#define NT (MD_MAX_TYPES * MD_MAX_TYPES)

__device__ __forceinline__ double group_sum(double v, unsigned gmask)
{
    v = v + __shfl_xor_sync(gmask, v, 1);
    v = v + __shfl_xor_sync(gmask, v, 2);
    v = v + __shfl_xor_sync(gmask, v, 4);
    return v;
}

/* The 8 lanes of this thread's group within its warp. */
__device__ __forceinline__ unsigned group_mask(void) { return 0xffu << (threadIdx.x & 24u); }

__global__ void force_kernel(int64_t nh, const double *__restrict__ x, int64_t sc, const int32_t *__restrict__ type,
                             const md_lj_table tab, const int64_t *__restrict__ start, const int32_t *__restrict__ nbr,
                             double *__restrict__ f, int64_t fsc)
{
    __shared__ double sf12[NT], sf6[NT], src2[NT];
    for (int k = threadIdx.x; k < NT; k += blockDim.x) sf12[k] = tab.f12[k], sf6[k] = tab.f6[k], src2[k] = tab.rc2[k];
    __syncthreads();
    const double *px = x, *py = x + sc, *pz = x + 2 * sc;
    const int lane = threadIdx.x & 7;
    const unsigned gm = group_mask();
    const int64_t ngroups = ((int64_t)gridDim.x * blockDim.x) >> 3;
    for (int64_t i = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 3; i < nh; i += ngroups) {
        const double xi = px[i], yi = py[i], zi = pz[i];
        const int o = type[i] * MT;
        double ax = 0.0, ay = 0.0, az = 0.0;
        const int64_t k1 = start[i + 1];
        for (int64_t k = start[i] + lane; k < k1; k += 8) {
            const int32_t j = nbr[k];
            const int ab = o + type[j];
            const double dx = xi - px[j], dy = yi - py[j], dz = zi - pz[j];
            const double r2 = (dx * dx + dy * dy) + dz * dz;
            if (r2 < src2[ab]) {
                const double fr = md_lj_fr(r2, sf12[ab], sf6[ab]);
                ax += dx * fr;
                ay += dy * fr;
                az += dz * fr;
            }
        }
        ax = group_sum(ax, gm);
        ay = group_sum(ay, gm);
        az = group_sum(az, gm);
        if (lane == 0) f[i] = ax, f[i + fsc] = ay, f[i + 2 * fsc] = az;
    }
}

__global__ void ev_kernel(int64_t nh, const double *__restrict__ x, int64_t sc, const int32_t *__restrict__ type,
                          const md_lj_table tab, const int64_t *__restrict__ start, const int32_t *__restrict__ nbr,
                          sd_acc *epot, sd_acc *vir)
{
    __shared__ sd_cuda_bacc sb[2];
    __shared__ double sc12[NT], sc6[NT], sesh[NT], sf12[NT], sf6[NT], src2[NT];
    sd_cuda_tacc t[2];
    for (int k = threadIdx.x; k < NT; k += blockDim.x) {
        sc12[k] = tab.c12[k], sc6[k] = tab.c6[k], sesh[k] = tab.eshift[k];
        sf12[k] = tab.f12[k], sf6[k] = tab.f6[k], src2[k] = tab.rc2[k];
    }
    sd_cuda_red_begin(sb, t, 2); /* ends with a barrier: the table is in shared memory */
    const double *px = x, *py = x + sc, *pz = x + 2 * sc;
    const int lane = threadIdx.x & 7;
    const unsigned gm = group_mask();
    const int64_t ngroups = ((int64_t)gridDim.x * blockDim.x) >> 3;
    for (int64_t i = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 3; i < nh; i += ngroups) {
        const double xi = px[i], yi = py[i], zi = pz[i];
        const int o = type[i] * MT;
        double ae = 0.0, aw = 0.0;
        const int64_t k1 = start[i + 1];
        for (int64_t k = start[i] + lane; k < k1; k += 8) {
            const int32_t j = nbr[k];
            const int ab = o + type[j];
            const double dx = xi - px[j], dy = yi - py[j], dz = zi - pz[j];
            const double r2 = (dx * dx + dy * dy) + dz * dz;
            if (r2 < src2[ab]) {
                double e, w;
                md_lj_energy_virial(r2, sc12[ab], sc6[ab], sesh[ab], sf12[ab], sf6[ab], &e, &w);
                ae += e;
                aw += w;
            }
        }
        ae = group_sum(ae, gm);
        aw = group_sum(aw, gm);
        if (lane == 0) {
            sd_cuda_acc_add(&t[0], &sb[0], 0.5 * ae);
            sd_cuda_acc_add(&t[1], &sb[1], 0.5 * aw);
        }
    }
    sd_cuda_red_end(sb, t, 1, epot);
    sd_cuda_red_end(sb + 1, t + 1, 1, vir);
}

} // namespace

extern "C" void sd_md_lj_force_cuda(const md_lj_force_args *a, void *stream)
{
    const md_lj_lists *l = &a->lists;
    dim3 g, b;
    if (!sd_cuda_dims(l->home_count * 8, 1, 1, 0, &g, &b)) return;
    force_kernel<<<g, b, 0, (cudaStream_t)stream>>>(l->home_count, l->position, l->position_stride, l->type,
                                                    *l->pair_table, l->list_start, l->list, a->force, a->force_stride);
    sd_cuda_check("md.lj_force");
}

extern "C" void sd_md_lj_energy_virial_cuda(const md_lj_energy_virial_args *a, void *stream)
{
    const md_lj_lists *l = &a->lists;
    dim3 g, b;
    if (!sd_cuda_dims(l->home_count * 8, 1, 1, SD_CUDA_RED_MAX_BLOCKS, &g, &b)) return;
    ev_kernel<<<g, b, 0, (cudaStream_t)stream>>>(l->home_count, l->position, l->position_stride, l->type,
                                                 *l->pair_table, l->list_start, l->list, a->energy, a->virial);
    sd_cuda_check("md.lj_energy_virial");
}
