/* energy.c - CPU loop of lattice.energy: the energy the leapfrog conserves exactly,
 *   1/2 sum_cells [((E^{n+1}-E^n)/dt)^2 + c^2 sum_d D+E^{n+1} D+E^n + chi^2 E^{n+1} E^n] dV,
 * plus the low-boundary face terms on FIXED/ABSORBING axes. Roles: E_next (R, halo 1),
 * E (R, halo 1), chi (R), energy (W scalar, sum); param c. Math: kg_energy_* in kg_math.h. */
#include "kg_math.h"
#include "lattice_kernels.h"

#define CHUNK 256 /* terms are computed into a stack buffer (vectorised), then folded exactly */

#define KG_ENERGY_TILE_DEF(T, SUF)                                                                   \
    static inline __attribute__((always_inline)) void erow_##SUF(                                   \
        int ndim, int64_t nx, const T *restrict n, int64_t nsy, int64_t nsz, const T *restrict o,      \
        int64_t osy, int64_t osz, const T *restrict ch, double idt, double c2, const double id[3], double hdv, sd_acc *acc)     \
    {                                                                                                 \
        double buf[CHUNK];                                                                            \
        for (int64_t i0 = 0; i0 < nx; i0 += CHUNK) {                                                  \
            const int64_t m = nx - i0 < CHUNK ? nx - i0 : CHUNK;                                      \
            for (int64_t i = 0; i < m; i++)                                                           \
                buf[i] = kg_energy_cell_##SUF(n + i0 + i, nsy, nsz, o + i0 + i, osy, osz, ndim, ch[i0 + i], idt, c2, id, hdv); \
            for (int64_t i = 0; i < m; i++) sd_acc_add(acc, buf[i]);                                  \
        }                                                                                             \
    }                                                                                                 \
    static void etile_##SUF(const sd_tile_args *a)                                                    \
    {                                                                                                 \
        sd_acc *acc = &a->acc[0];                                                                     \
        const kg_energy_coef K = kg_energy_coef_make(a->ndim, a->param[KG_EN_C], a->dt, a->dx);       \
        const double c2 = K.c2, idt = K.idt, hdv = K.hdv, *id = K.id;                                 \
        const int64_t nx = a->n[0], nsy = a->stride[0][1], nsz = a->stride[0][2], osy = a->stride[1][1], osz = a->stride[1][2];   \
        int face[3] = {0, 0, 0};                                                                      \
        for (int d = 0; d < a->ndim; d++)                                                             \
            face[d] = a->origin[d] == 0 && (a->bc[d] == SD_BC_FIXED || a->bc[d] == SD_BC_ABSORBING);  \
        for (int64_t k = 0; k < a->n[2]; k++)                                                         \
            for (int64_t j = 0; j < a->n[1]; j++) {                                                   \
                const T *n = (const T *)a->p[0] + sd_at(a, 0, 0, j, k, 0);                            \
                const T *o = (const T *)a->p[1] + sd_at(a, 1, 0, j, k, 0);                            \
                const T *ch = (const T *)a->p[2] + sd_at(a, 2, 0, j, k, 0);                           \
                switch (a->ndim) {                                                                    \
                case 1: erow_##SUF(1, nx, n, nsy, nsz, o, osy, osz, ch, idt, c2, id, hdv, acc); break;            \
                case 2: erow_##SUF(2, nx, n, nsy, nsz, o, osy, osz, ch, idt, c2, id, hdv, acc); break;            \
                default: erow_##SUF(3, nx, n, nsy, nsz, o, osy, osz, ch, idt, c2, id, hdv, acc); break;           \
                }                                                                                     \
            }                                                                                         \
        /* low-boundary faces, axis by axis: x (i = 0 of every row), y (j = 0), z (k = 0) */        \
        const int64_t nst[3] = {1, nsy, nsz}, ost[3] = {1, osy, osz};                                 \
        for (int d = 0; d < a->ndim; d++) {                                                           \
            if (!face[d]) continue;                                                                   \
            for (int64_t k = 0; k < (d == 2 ? 1 : a->n[2]); k++)                                      \
                for (int64_t j = 0; j < (d == 1 ? 1 : a->n[1]); j++)                                  \
                    for (int64_t i = 0; i < (d == 0 ? 1 : nx); i++) {                                 \
                        const T *n = (const T *)a->p[0] + sd_at(a, 0, i, j, k, 0);                    \
                        const T *o = (const T *)a->p[1] + sd_at(a, 1, i, j, k, 0);                    \
                        sd_acc_add(acc, kg_energy_face_##SUF(n, nst[d], o, ost[d], c2, id[d], hdv));          \
                    }                                                                                 \
        }                                                                                             \
    }
KG_ENERGY_TILE_DEF(double, f64)
KG_ENERGY_TILE_DEF(float, f32)

void sd_lattice_energy_cpu(const sd_tile_args *a)
{
    if (a->dtype[0] == SD_F64)
        etile_f64(a);
    else
        etile_f32(a);
}
