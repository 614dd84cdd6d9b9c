/* integrate.cu - CUDA versions of the per-step particle kernels (integrate.c, cells.c, neighbor.c):
 * kick, drift, wrap, ghost refresh, the kinetic-energy, momentum and displacement reductions,
 * and the Langevin O step. One thread per particle (grid-stride loops), the same SD_HD math as
 * the CPU, per-type coefficients computed on the host exactly as the CPU versions compute them
 * and passed by value: results equal the CPU's bitwise (reductions: the same terms folded
 * exactly by kernel_cuda.cuh). */
#include "stardag/kernel_cuda.cuh"
#include "md_kernels.h"

namespace {

struct coef {
    double c[MD_MAX_TYPES];
};

#define FOR_N(i, n)                                                                                 \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

__global__ void kick_kernel(int64_t n, const int32_t *__restrict__ type, const coef c, const double *__restrict__ f,
                            int64_t fsc, double *__restrict__ v, int64_t vsc)
{
    FOR_N(i, n)
    {
        const double ct = c.c[type[i]];
        for (int d = 0; d < 3; d++) v[i + d * vsc] = md_kick(v[i + d * vsc], f[i + d * fsc], ct);
    }
}

__global__ void drift_kernel(int64_t n, double dt, const double *__restrict__ v, int64_t vsc, double *__restrict__ x,
                             int64_t sc)
{
    FOR_N(i, n)
    for (int d = 0; d < 3; d++) x[i + d * sc] = md_drift(x[i + d * sc], v[i + d * vsc], dt);
}

__global__ void wrap_kernel(int64_t n, double L0, double L1, double L2, double *__restrict__ x, int64_t sc)
{
    FOR_N(i, n)
    {
        x[i] = md_wrap(x[i], L0);
        x[i + sc] = md_wrap(x[i + sc], L1);
        x[i + 2 * sc] = md_wrap(x[i + 2 * sc], L2);
    }
}

__global__ void ghost_kernel(int64_t ng, const int64_t *__restrict__ owner, const int8_t *__restrict__ shift, double L0,
                             double L1, double L2, const double *__restrict__ src, int64_t ssc, double *__restrict__ dst,
                             int64_t dsc)
{
    FOR_N(g, ng)
    {
        const int64_t o = owner[g];
        dst[g] = md_image(src[o], shift[3 * g], L0);
        dst[g + dsc] = md_image(src[o + ssc], shift[3 * g + 1], L1);
        dst[g + 2 * dsc] = md_image(src[o + 2 * ssc], shift[3 * g + 2], L2);
    }
}

__global__ void kinetic_kernel(int64_t n, const int32_t *__restrict__ type, const coef m, const double *__restrict__ v,
                               int64_t vsc, double s0, double s1, double s2, sd_acc *ke)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    FOR_N(i, n)
    sd_cuda_acc_add(&t[0], &sb[0], md_ke_term(m.c[type[i]], v[i] - s0, v[i + vsc] - s1, v[i + 2 * vsc] - s2));
    sd_cuda_red_end(sb, t, 1, ke);
}

__global__ void momentum_kernel(int64_t n, const int32_t *__restrict__ type, const coef m, const double *__restrict__ v,
                                int64_t vsc, sd_acc *p3, sd_acc *msum)
{
    __shared__ sd_cuda_bacc sb[4];
    sd_cuda_tacc t[4];
    sd_cuda_red_begin(sb, t, 4);
    FOR_N(i, n)
    {
        const double mi = m.c[type[i]];
        for (int d = 0; d < 3; d++) sd_cuda_acc_add(&t[d], &sb[d], mi * v[i + d * vsc]);
        sd_cuda_acc_add(&t[3], &sb[3], mi);
    }
    sd_cuda_red_end(sb, t, 3, p3);
    sd_cuda_red_end(sb + 3, t + 3, 1, msum);
}

__global__ void disp_kernel(int64_t n, const double *__restrict__ x, int64_t sc, const double *__restrict__ x0,
                            int64_t sc0, sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    FOR_N(i, n)
    sd_cuda_acc_extreme(&t[0], md_disp2(x[i], x[i + sc], x[i + 2 * sc], x0[i], x0[i + sc0], x0[i + 2 * sc0]));
    sd_cuda_red_end(sb, t, 1, acc);
}

__global__ void langevin_kernel(int64_t n, const int64_t *__restrict__ id, const int32_t *__restrict__ type, double c1,
                                const coef c2, uint64_t seed, int64_t step, double *__restrict__ v, int64_t vsc)
{
    FOR_N(i, n)
    {
        const double ct = c2.c[type[i]];
        for (int d = 0; d < 3; d++)
            v[i + d * vsc] = md_langevin(v[i + d * vsc], c1, ct, md_gaussian(seed, id[i], step, MD_RNG_LANGEVIN, d));
    }
}

/* Launch over n particles; reductions cap the grid as kernel_cuda.cuh requires. */
static bool dims(int64_t n, bool reduce, dim3 *g, dim3 *b)
{
    return sd_cuda_dims(n, 1, 1, reduce ? SD_CUDA_RED_MAX_BLOCKS : 0, g, b) != 0;
}

static coef type_table(const double *mass, int ntypes)
{
    coef m;
    for (int t = 0; t < MD_MAX_TYPES; t++) m.c[t] = t < ntypes ? mass[t] : 0.0;
    return m;
}

} // namespace

extern "C" void sd_md_kick_cuda(const md_kick_args *a, void *stream)
{
    dim3 g, b;
    if (!dims(a->count, false, &g, &b)) return;
    coef c = {{0}};
    for (int t = 0; t < a->type_count; t++) c.c[t] = (0.5 * a->dt) / a->mass[t]; /* as sd_md_kick */
    kick_kernel<<<g, b, 0, (cudaStream_t)stream>>>(a->count, a->type, c, a->force, a->force_stride, a->velocity,
                                                   a->velocity_stride);
    sd_cuda_check("md.kick");
}

extern "C" void sd_md_drift_cuda(int64_t n, double dt, const double *v, int64_t vsc, double *x, int64_t sc, void *stream)
{
    dim3 g, b;
    if (!dims(n, false, &g, &b)) return;
    drift_kernel<<<g, b, 0, (cudaStream_t)stream>>>(n, dt, v, vsc, x, sc);
    sd_cuda_check("md.drift");
}

extern "C" void sd_md_wrap_cuda(int64_t n, const double L[3], double *x, int64_t sc, void *stream)
{
    dim3 g, b;
    if (!dims(n, false, &g, &b)) return;
    wrap_kernel<<<g, b, 0, (cudaStream_t)stream>>>(n, L[0], L[1], L[2], x, sc);
    sd_cuda_check("md.wrap");
}

extern "C" void sd_md_ghost_fill_cuda(int64_t ng, const int64_t *owner, const int8_t *shift, const double L[3],
                                      const double *src, int64_t ssc, double *dst, int64_t dsc, void *stream)
{
    dim3 g, b;
    if (!dims(ng, false, &g, &b)) return;
    ghost_kernel<<<g, b, 0, (cudaStream_t)stream>>>(ng, owner, shift, L[0], L[1], L[2], src, ssc, dst, dsc);
    sd_cuda_check("md.ghost_fill");
}

extern "C" void sd_md_kinetic_cuda(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v,
                                   int64_t vsc, const double *vs, sd_acc *ke, void *stream)
{
    dim3 g, b;
    if (!dims(n, true, &g, &b)) return;
    kinetic_kernel<<<g, b, 0, (cudaStream_t)stream>>>(n, type, type_table(mass, ntypes), v, vsc, vs ? vs[0] : 0.0,
                                                      vs ? vs[1] : 0.0, vs ? vs[2] : 0.0, ke);
    sd_cuda_check("md.kinetic");
}

extern "C" void sd_md_momentum_cuda(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v,
                                    int64_t vsc, sd_acc *p3, sd_acc *msum, void *stream)
{
    dim3 g, b;
    if (!dims(n, true, &g, &b)) return;
    momentum_kernel<<<g, b, 0, (cudaStream_t)stream>>>(n, type, type_table(mass, ntypes), v, vsc, p3, msum);
    sd_cuda_check("md.momentum");
}

extern "C" void sd_md_max_disp2_cuda(int64_t n, const double *x, int64_t sc, const double *x0, int64_t sc0, sd_acc *acc,
                                     void *stream)
{
    dim3 g, b;
    if (!dims(n, true, &g, &b)) return;
    disp_kernel<<<g, b, 0, (cudaStream_t)stream>>>(n, x, sc, x0, sc0, acc);
    sd_cuda_check("md.max_disp2");
}

extern "C" void sd_md_langevin_cuda(const md_langevin_args *a, void *stream)
{
    dim3 g, b;
    if (!dims(a->count, false, &g, &b)) return;
    const double c1 = md_langevin_c1(a->friction, a->dt); /* host libm, as sd_md_langevin */
    coef c2 = {{0}};
    for (int t = 0; t < a->type_count; t++) c2.c[t] = md_langevin_c2(c1, a->kB, a->temperature, a->mass[t]);
    langevin_kernel<<<g, b, 0, (cudaStream_t)stream>>>(a->count, a->id, a->type, c1, c2, a->seed, a->step, a->velocity,
                                                       a->velocity_stride);
    sd_cuda_check("md.langevin");
}
