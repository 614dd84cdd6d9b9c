/* energy.c - CPU loop of lattice.energy: the energy the leapfrog of order 2, 4 or 6 (damping gamma)
 * conserves exactly (decreases exactly, with gamma > 0),
 *   1/2 sum_cells [(1 - gamma/2) ((E^{n+1}-E^n)/dt)^2 - c^2 E^{n+1} lap E^n + chi^2 E^{n+1} E^n] dV,
 * written as sums over pairs of cells (kg_math.h, "Conserved energy"), with the pairs crossing
 * FIXED/ABSORBING/REFLECTIVE boundaries. Roles: E_next (R, halo order/2), E (R, halo order/2),
 * chi (R), energy (W scalar, sum); params c, order, gamma. */
#include <stdio.h>
#include "stardag/simd.h"
#include "kg_math.h"
#include "lattice_kernels.h"

/* Terms are computed a row at a time into a batch (vectorised), then folded exactly in bulk. */

static int low_pairs(const sd_tile_args *a, int d, int reach)
{
    return kg_energy_low_pairs(a->origin[d], a->bc[d], reach);
}
/* Local cells along d of global index < m: [0, low_count). */
static int64_t low_count(const sd_tile_args *a, int d, int m)
{
    const int64_t c = m - a->origin[d];
    return c < a->n[d] ? c : a->n[d];
}

#define KG_ENERGY_ROW_DEF(T, SUF)                                                                    \
    static inline __attribute__((always_inline)) void erow_##SUF(                                   \
        int ndim, int64_t nx, const T *restrict n, int64_t nsy, int64_t nsz, const T *restrict o,      \
        int64_t osy, int64_t osz, const T *restrict ch, const kg_energy_coef *K, sd_acc_batch *b)     \
    {                                                                                                 \
        for (int64_t i0 = 0, m; i0 < nx; i0 += m) {                                                   \
            m = nx - i0;                                                                              \
            double *restrict buf = sd_acc_batch_room(b, &m);                                          \
            for (int64_t i = 0; i < m; i++)                                                           \
                buf[i] = kg_energy_cell_##SUF(n + i0 + i, nsy, nsz, o + i0 + i, osy, osz, ndim, ch[i0 + i], K); \
        }                                                                                             \
    }
KG_ENERGY_ROW_DEF(double, f64)
KG_ENERGY_ROW_DEF(float, f32)

/* The tiles, once per SIMD variant (stardag/simd.h). */
#define KG_ENERGY_TILE_DEF(ISA, TGT, T, SUF)                                                         \
    /* order 2 */                                                                                     \
    SD_ISA_TARGET(TGT) static void etile_##SUF##_##ISA(const sd_tile_args *a, const kg_energy_coef *K) \
    {                                                                                                 \
        sd_acc_batch b = {.acc = &a->acc[0]};                                                         \
        const int64_t nx = a->n[0], nsy = a->stride[0][1], nsz = a->stride[0][2], osy = a->stride[1][1], osz = a->stride[1][2];   \
        const int64_t ny = a->n[1], B = sd_lattice_block_rows(nx, ny, 4, 1, sizeof(T)); /* E_next, E at k, k+1 */ \
        for (int64_t jb = 0; jb < ny; jb += B)                                                        \
        for (int64_t k = 0; k < a->n[2]; k++)                                                         \
            for (int64_t j = jb; j < (jb + B < ny ? jb + B : ny); j++) {                              \
                const T *n = (const T *)a->p[0] + sd_at(a, 0, 0, j, k, 0);                            \
                const T *o = (const T *)a->p[1] + sd_at(a, 1, 0, j, k, 0);                            \
                const T *ch = (const T *)a->p[2] + sd_at(a, 2, 0, j, k, 0);                           \
                switch (a->ndim) {                                                                    \
                case 1: erow_##SUF(1, nx, n, nsy, nsz, o, osy, osz, ch, K, &b); break;                \
                case 2: erow_##SUF(2, nx, n, nsy, nsz, o, osy, osz, ch, K, &b); break;                \
                default: erow_##SUF(3, nx, n, nsy, nsz, o, osy, osz, ch, K, &b); break;               \
                }                                                                                     \
            }                                                                                         \
        /* low-boundary faces, axis by axis: x (i = 0 of every row), y (j = 0), z (k = 0) */        \
        const int64_t nst[3] = {1, nsy, nsz}, ost[3] = {1, osy, osz};                                 \
        for (int d = 0; d < a->ndim; d++) {                                                           \
            if (!low_pairs(a, d, 1)) continue;                                                        \
            for (int64_t k = 0; k < (d == 2 ? 1 : a->n[2]); k++)                                      \
                for (int64_t j = 0; j < (d == 1 ? 1 : a->n[1]); j++)                                  \
                    for (int64_t i = 0; i < (d == 0 ? 1 : nx); i++) {                                 \
                        const T *n = (const T *)a->p[0] + sd_at(a, 0, i, j, k, 0);                    \
                        const T *o = (const T *)a->p[1] + sd_at(a, 1, i, j, k, 0);                    \
                        sd_acc_batch_put(&b, kg_energy_face_##SUF(n, nst[d], o, ost[d], K->c2, K->id[d], K->hdv)); \
                    }                                                                                 \
        }                                                                                             \
        sd_acc_batch_flush(&b);                                                                       \
    }                                                                                                 \
    /* orders 4 and 6: every cell's forward pairs, then the pairs crossing the low boundaries */      \
    SD_ISA_TARGET(TGT) static void wtile_##SUF##_##ISA(const sd_tile_args *a, const kg_energy_coef *K) \
    {                                                                                                 \
        sd_acc_batch b = {.acc = &a->acc[0]};                                                         \
        const int64_t ns[3] = {1, a->stride[0][1], a->stride[0][2]}, os[3] = {1, a->stride[1][1], a->stride[1][2]}; \
        int mirror = 0;                                                                               \
        for (int d = 0; d < a->ndim; d++) mirror |= (a->bc[d] == SD_BC_REFLECTIVE) << d;              \
        for (int64_t k = 0; k < a->n[2]; k++)                                                         \
            for (int64_t j = 0; j < a->n[1]; j++)                                                     \
                for (int64_t i = 0; i < a->n[0]; i++) {                                               \
                    const int64_t far[3] = {a->shape[0] - 1 - (a->origin[0] + i), a->shape[1] - 1 - (a->origin[1] + j), \
                                            a->shape[2] - 1 - (a->origin[2] + k)};                    \
                    const T *n = (const T *)a->p[0] + sd_at(a, 0, i, j, k, 0);                        \
                    const T *o = (const T *)a->p[1] + sd_at(a, 1, i, j, k, 0);                        \
                    const T ch = ((const T *)a->p[2])[sd_at(a, 2, i, j, k, 0)];                       \
                    sd_acc_batch_put(&b, kg_energy_wide_cell_##SUF(n, ns, o, os, a->ndim, ch, K, far, mirror)); \
                }                                                                                     \
        for (int d = 0; d < a->ndim; d++) {                                                           \
            if (!low_pairs(a, d, K->reach)) continue;                                                 \
            for (int m = 1; m <= K->reach; m++) /* cells of global index g < m along d */            \
                for (int64_t k = 0; k < (d == 2 ? low_count(a, 2, m) : a->n[2]); k++)                 \
                    for (int64_t j = 0; j < (d == 1 ? low_count(a, 1, m) : a->n[1]); j++)             \
                        for (int64_t i = 0; i < (d == 0 ? low_count(a, 0, m) : a->n[0]); i++) {       \
                            const T *n = (const T *)a->p[0] + sd_at(a, 0, i, j, k, 0);                \
                            const T *o = (const T *)a->p[1] + sd_at(a, 1, i, j, k, 0);                \
                            sd_acc_batch_put(&b, kg_energy_wide_low_##SUF(n, ns[d], o, os[d], m, d, mirror >> d & 1, K)); \
                        }                                                                             \
        }                                                                                             \
        sd_acc_batch_flush(&b);                                                                       \
    }
SD_ISA_EACH(KG_ENERGY_TILE_DEF, double, f64)
SD_ISA_EACH(KG_ENERGY_TILE_DEF, float, f32)

void sd_lattice_energy_cpu(const sd_tile_args *a)
{
    const kg_energy_coef K = kg_energy_coef_make(a->ndim, a->param[KG_EN_C], a->dt, a->dx, (int)a->param[KG_EN_ORDER],
                                                 a->param[KG_EN_GAMMA]);
    const int wide = K.reach > 1;
    if (a->dtype[0] == SD_F64) {
        if (wide) SD_ISA_PICK(wtile_f64)(a, &K);
        else SD_ISA_PICK(etile_f64)(a, &K);
    } else {
        if (wide) SD_ISA_PICK(wtile_f32)(a, &K);
        else SD_ISA_PICK(etile_f32)(a, &K);
    }
}

int sd_lattice_energy_validate(const sd_check_info *info, char *msg, size_t len)
{
    return sd_lattice_order_validate(info->param[KG_EN_ORDER], msg, len);
}
