/* lj_force.cu - CUDA versions of the Lennard-Jones force and energy/virial kernels (lj_force.c).
 * Eight threads per home particle: thread l of the group takes list entries k = l, l+8, ... in
 * order, which is exactly lane l of the CPU's sum; the group then combines its lanes with
 * shuffles as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)) (xor 1, 2, 4; addition is commutative
 * bitwise). Same math (md_lj_fr, md_lj_energy), no FMA (-fmad=false), IEEE division: the forces
 * equal the CPU's bitwise, and the energy/virial terms (one per particle, folded exactly by
 * kernel_cuda.cuh) give the same exact sums. The pair table comes by value and is copied into
 * shared memory. Mixed precision (lj_force_mixed.c) is the same kernels on float: sixteen threads
 * per particle (MD_LANES_F32), (float) of the double coordinates and coefficients, md_lj_fr_f32 /
 * md_lj_energy_virial_f32, each lane summed in float (forces) or double (energy, virial) and the
 * lanes combined in double by the xor 1, 2, 4, 8 shuffles (the CPU's pairwise tree); the same
 * bits as the CPU by construction, checked by tests/t_md_cuda on a GPU (not yet run for mixed).
 * A NaN force is made the canonical one (md_canonical_nan), as on the CPU. */
#include "stardag/kernel_cuda.cuh"
#include "md_kernels.h"

namespace {

#define MT MD_MAX_TYPES
#define NT (MD_MAX_TYPES * MD_MAX_TYPES)

template <int LANES> __device__ __forceinline__ double group_sum(double v, unsigned gmask)
{
    for (int d = 1; d < LANES; d *= 2) v = v + __shfl_xor_sync(gmask, v, d);
    return v;
}

/* The LANES lanes of this thread's group within its warp. */
template <int LANES> __device__ __forceinline__ unsigned group_mask(void)
{
    return ((1u << LANES) - 1u) << (threadIdx.x & (32u - LANES));
}

/* The two precisions: R is the per-pair type; fr and ev are md_math.h's functions of it. */
__device__ __forceinline__ double lj_fr(double r2, double f12, double f6) { return md_lj_fr(r2, f12, f6); }
__device__ __forceinline__ float lj_fr(float r2, float f12, float f6) { return md_lj_fr_f32(r2, f12, f6); }
__device__ __forceinline__ void lj_ev(double r2, double c12, double c6, double esh, double f12, double f6, double *e,
                                      double *w)
{
    md_lj_energy_virial(r2, c12, c6, esh, f12, f6, e, w);
}
__device__ __forceinline__ void lj_ev(float r2, float c12, float c6, float esh, float f12, float f6, float *e, float *w)
{
    md_lj_energy_virial_f32(r2, c12, c6, esh, f12, f6, e, w);
}

template <typename R, int LANES>
__global__ void force_kernel(int64_t nh, const double *__restrict__ x, int64_t sc, const int32_t *__restrict__ type,
                             const md_lj_table tab, const int64_t *__restrict__ start, const int32_t *__restrict__ nbr,
                             double *__restrict__ f, int64_t fsc)
{
    __shared__ R sf12[NT], sf6[NT], src2[NT];
    for (int k = threadIdx.x; k < NT; k += blockDim.x)
        sf12[k] = (R)tab.f12[k], sf6[k] = (R)tab.f6[k], src2[k] = (R)tab.rc2[k];
    __syncthreads();
    const double *px = x, *py = x + sc, *pz = x + 2 * sc;
    const int lane = threadIdx.x & (LANES - 1);
    const unsigned gm = group_mask<LANES>();
    const int64_t ngroups = ((int64_t)gridDim.x * blockDim.x) / LANES;
    for (int64_t i = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / LANES; i < nh; i += ngroups) {
        const R xi = (R)px[i], yi = (R)py[i], zi = (R)pz[i];
        const int o = type[i] * MT;
        R ax = 0, ay = 0, az = 0;
        const int64_t k1 = start[i + 1];
        for (int64_t k = start[i] + lane; k < k1; k += LANES) {
            const int32_t j = nbr[k];
            const int ab = o + type[j];
            const R dx = xi - (R)px[j], dy = yi - (R)py[j], dz = zi - (R)pz[j];
            const R r2 = (dx * dx + dy * dy) + dz * dz;
            if (r2 < src2[ab]) {
                const R fr = lj_fr(r2, sf12[ab], sf6[ab]);
                ax += dx * fr;
                ay += dy * fr;
                az += dz * fr;
            }
        }
        const double sx = group_sum<LANES>((double)ax, gm), sy = group_sum<LANES>((double)ay, gm),
                     sz = group_sum<LANES>((double)az, gm);
        if (lane == 0)
            f[i] = md_canonical_nan(sx), f[i + fsc] = md_canonical_nan(sy), f[i + 2 * fsc] = md_canonical_nan(sz);
    }
}

template <typename R, int LANES>
__global__ void ev_kernel(int64_t nh, const double *__restrict__ x, int64_t sc, const int32_t *__restrict__ type,
                          const md_lj_table tab, const int64_t *__restrict__ start, const int32_t *__restrict__ nbr,
                          sd_acc *epot, sd_acc *vir)
{
    __shared__ sd_cuda_bacc sb[2];
    __shared__ R sc12[NT], sc6[NT], sesh[NT], sf12[NT], sf6[NT], src2[NT];
    sd_cuda_tacc t[2];
    for (int k = threadIdx.x; k < NT; k += blockDim.x) {
        sc12[k] = (R)tab.c12[k], sc6[k] = (R)tab.c6[k], sesh[k] = (R)tab.eshift[k];
        sf12[k] = (R)tab.f12[k], sf6[k] = (R)tab.f6[k], src2[k] = (R)tab.rc2[k];
    }
    sd_cuda_red_begin(sb, t, 2); /* ends with a barrier: the table is in shared memory */
    const double *px = x, *py = x + sc, *pz = x + 2 * sc;
    const int lane = threadIdx.x & (LANES - 1);
    const unsigned gm = group_mask<LANES>();
    const int64_t ngroups = ((int64_t)gridDim.x * blockDim.x) / LANES;
    for (int64_t i = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / LANES; i < nh; i += ngroups) {
        const R xi = (R)px[i], yi = (R)py[i], zi = (R)pz[i];
        const int o = type[i] * MT;
        double ae = 0.0, aw = 0.0;
        const int64_t k1 = start[i + 1];
        for (int64_t k = start[i] + lane; k < k1; k += LANES) {
            const int32_t j = nbr[k];
            const int ab = o + type[j];
            const R dx = xi - (R)px[j], dy = yi - (R)py[j], dz = zi - (R)pz[j];
            const R r2 = (dx * dx + dy * dy) + dz * dz;
            if (r2 < src2[ab]) {
                R e, w;
                lj_ev(r2, sc12[ab], sc6[ab], sesh[ab], sf12[ab], sf6[ab], &e, &w);
                ae += (double)e;
                aw += (double)w;
            }
        }
        ae = group_sum<LANES>(ae, gm);
        aw = group_sum<LANES>(aw, gm);
        if (lane == 0) {
            sd_cuda_acc_add(&t[0], &sb[0], 0.5 * ae);
            sd_cuda_acc_add(&t[1], &sb[1], 0.5 * aw);
        }
    }
    sd_cuda_red_end(sb, t, 1, epot);
    sd_cuda_red_end(sb + 1, t + 1, 1, vir);
}

template <typename R, int LANES> void launch_force(const md_lj_force_args *a, void *stream, const char *what)
{
    const md_lj_lists *l = &a->lists;
    dim3 g, b;
    if (!sd_cuda_dims(l->home_count * LANES, 1, 1, 0, &g, &b)) return;
    force_kernel<R, LANES><<<g, b, 0, (cudaStream_t)stream>>>(l->home_count, l->position, l->position_stride, l->type,
                                                               *l->pair_table, l->list_start, l->list, a->force,
                                                               a->force_stride);
    sd_cuda_check(what);
}

template <typename R, int LANES> void launch_ev(const md_lj_energy_virial_args *a, void *stream, const char *what)
{
    const md_lj_lists *l = &a->lists;
    dim3 g, b;
    if (!sd_cuda_dims(l->home_count * LANES, 1, 1, SD_CUDA_RED_MAX_BLOCKS, &g, &b)) return;
    ev_kernel<R, LANES><<<g, b, 0, (cudaStream_t)stream>>>(l->home_count, l->position, l->position_stride, l->type,
                                                            *l->pair_table, l->list_start, l->list, a->energy,
                                                            a->virial);
    sd_cuda_check(what);
}
} // namespace

extern "C" void sd_md_lj_force_cuda(const md_lj_force_args *a, void *stream)
{
    launch_force<double, MD_LANES>(a, stream, "md.lj_force");
}

extern "C" void sd_md_lj_energy_virial_cuda(const md_lj_energy_virial_args *a, void *stream)
{
    launch_ev<double, MD_LANES>(a, stream, "md.lj_energy_virial");
}

extern "C" void sd_md_lj_force_mixed_cuda(const md_lj_force_args *a, void *stream)
{
    launch_force<float, MD_LANES_F32>(a, stream, "md.lj_force (mixed)");
}

extern "C" void sd_md_lj_energy_virial_mixed_cuda(const md_lj_energy_virial_args *a, void *stream)
{
    launch_ev<float, MD_LANES_F32>(a, stream, "md.lj_energy_virial (mixed)");
}
