/* kg_leapfrog.c - CPU loop of lattice.kg_leapfrog and its CFL check. Roles: E (R, halo 1),
 * E_prev (R), chi (R), E_next (W); param c. Math: kg_leapfrog_f64/f32 in kg_math.h. Every buffer
 * uses its own strides, so buffers with wider ghost zones than needed work unchanged. */
#include <stdio.h>
#include "kg_math.h"
#include "lattice_kernels.h"

/* One row for a fixed ndim (a literal at every call, so the branches on it fold away). */
#define KG_ROW_DEF(T, SUF)                                                                           \
    static inline __attribute__((always_inline)) void row_##SUF(                                    \
        int ndim, int64_t nx, const T *restrict e, int64_t sy, int64_t sz, const T *restrict ep,       \
        const T *restrict ch, T *restrict out, kg_coef_##SUF k)                                        \
    {                                                                                                 \
        for (int64_t i = 0; i < nx; i++) out[i] = kg_leapfrog_##SUF(e + i, sy, sz, ndim, ep[i], ch[i], k); \
    }                                                                                                 \
    static void tile_##SUF(const sd_tile_args *a)                                                     \
    {                                                                                                 \
        const kg_coef_##SUF k = kg_leapfrog_coef_##SUF(a->param[KG_LF_C], a->dt, a->dx);              \
        const int64_t nx = a->n[0], sy = a->stride[0][1], sz = a->stride[0][2];                                     \
        for (int64_t kk = 0; kk < a->n[2]; kk++)                                                      \
            for (int64_t j = 0; j < a->n[1]; j++) {                                                   \
                const T *e = (const T *)a->p[0] + sd_at(a, 0, 0, j, kk, 0);                           \
                const T *ep = (const T *)a->p[1] + sd_at(a, 1, 0, j, kk, 0);                          \
                const T *ch = (const T *)a->p[2] + sd_at(a, 2, 0, j, kk, 0);                          \
                T *out = (T *)a->p[3] + sd_at(a, 3, 0, j, kk, 0);                                     \
                switch (a->ndim) {                                                                    \
                case 1: row_##SUF(1, nx, e, sy, sz, ep, ch, out, k); break;                           \
                case 2: row_##SUF(2, nx, e, sy, sz, ep, ch, out, k); break;                           \
                default: row_##SUF(3, nx, e, sy, sz, ep, ch, out, k); break;                          \
                }                                                                                     \
            }                                                                                         \
    }
KG_ROW_DEF(double, f64)
KG_ROW_DEF(float, f32)

void sd_lattice_kg_leapfrog_cpu(const sd_tile_args *a)
{
    if (a->dtype[0] == SD_F64)
        tile_f64(a);
    else
        tile_f32(a);
}

int sd_lattice_kg_leapfrog_validate(const sd_check_info *info, char *msg, size_t len)
{
    const double c = info->param[KG_LF_C];
    for (int d = 0; d < info->ndim; d++)
        if (!(info->dx[d] > 0.0)) {
            snprintf(msg, len, "grid spacing dx[%d] = %g must be > 0", d, info->dx[d]);
            return -1;
        }
    const double cfl = kg_cfl_number(info->ndim, info->dx, c, info->dt);
    if (!(cfl <= 1.0)) {
        snprintf(msg, len, "CFL violated: c*dt*sqrt(sum 1/dx^2) = %.3g > 1 (expected dt <= %.3g)", cfl,
                 info->dt / cfl);
        return -1;
    }
    return 0;
}
