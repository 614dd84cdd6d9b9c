/* kg_leapfrog.c - CPU loops of lattice.kg_leapfrog and lattice.chi_leapfrog, their CFL checks and
 * reach. Roles of kg_leapfrog: E (R, halo order/2), E_prev (R), chi (R), E_next (W); params c,
 * order, gamma. chi_leapfrog: chi (R, halo order/2), chi_prev (R), E (R), chi_next (W); params c,
 * kappa, E0, order. Math: kg_leapfrog_*, kg_chi_leapfrog_* in kg_math.h. Every buffer uses its own
 * strides, so buffers with wider ghost zones than needed work unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include "stardag/simd.h"
#include "kg_math.h"
#include "lattice_kernels.h"

/* fn(ndim, P, ...) with ndim (1-3) and the reach P (1-3) as literals, so the branches and loops on
 * them fold away in the inlined row. */
#define KG_WITH_LITERALS(ndim, P, fn, ...)                                                           \
    do {                                                                                              \
        switch ((ndim) * 4 + (P)) {                                                                   \
        case 5: fn(1, 1, __VA_ARGS__); break;                                                         \
        case 6: fn(1, 2, __VA_ARGS__); break;                                                         \
        case 7: fn(1, 3, __VA_ARGS__); break;                                                         \
        case 9: fn(2, 1, __VA_ARGS__); break;                                                         \
        case 10: fn(2, 2, __VA_ARGS__); break;                                                        \
        case 11: fn(2, 3, __VA_ARGS__); break;                                                        \
        case 13: fn(3, 1, __VA_ARGS__); break;                                                        \
        case 14: fn(3, 2, __VA_ARGS__); break;                                                        \
        default: fn(3, 3, __VA_ARGS__); break;                                                        \
        }                                                                                             \
    } while (0)

/* One row (ndim and the reach P are literals at every call: KG_WITH_LITERALS). */
#define KG_ROW_DEF(T, SUF)                                                                           \
    static inline __attribute__((always_inline)) void row_##SUF(                                    \
        int ndim, int P, int64_t nx, const T *restrict e, int64_t sy, int64_t sz, const T *restrict ep, \
        const T *restrict ch, T *restrict out, kg_coef_##SUF k)                                        \
    {                                                                                                 \
        for (int64_t i = 0; i < nx; i++) out[i] = kg_leapfrog_##SUF(e + i, sy, sz, ndim, P, ep[i], ch[i], k); \
    }                                                                                                 \
    static inline __attribute__((always_inline)) void chi_row_##SUF(                                \
        int ndim, int P, int64_t nx, const T *restrict x, int64_t sy, int64_t sz, const T *restrict xp, \
        const T *restrict e, T *restrict out, kg_coef_##SUF k, T kappa, T e02)                         \
    {                                                                                                 \
        for (int64_t i = 0; i < nx; i++)                                                              \
            out[i] = kg_chi_leapfrog_##SUF(x + i, sy, sz, ndim, P, xp[i], e[i], k, kappa, e02);        \
    }
KG_ROW_DEF(double, f64)
KG_ROW_DEF(float, f32)

/* Rows per y-block: a z-step of a block reads `planes` planes (the leapfrog: 2P+1 of E) of
 * (rows + 2P) rows, which stay in a quarter of the L2 (the rest holds the other streams and what
 * the prefetchers bring), so that each E row comes from memory once, not 2P+1 times (a 256x256 f64
 * plane is 512 KiB, a whole L2 on some CPUs). Half the L2 measured 1-2% slower at 256^3
 * (docs/benchmarks.md 11.1). The order of the rows does not change any value. */
int64_t sd_lattice_block_rows(int64_t nx, int64_t ny, int planes, int P, size_t es)
{
    const int64_t plane_row = planes * nx * (int64_t)es;
    int64_t b = sd_cache_l2() / 4 / (plane_row > 0 ? plane_row : 1) - 2 * P;
    if (b < 4) b = 4;
    if (b >= ny) return ny;
    const int64_t nb = (ny + b - 1) / b; /* blocks of equal size, not b, b, ..., a sliver */
    return (ny + nb - 1) / nb;
}

/* The tiles, once per SIMD variant (stardag/simd.h): the rows inline into each and vectorise for it. */
#define KG_TILE_DEF(ISA, TGT, T, SUF)                                                                \
    SD_ISA_TARGET(TGT) static void tile_##SUF##_##ISA(const sd_tile_args *a)                         \
    {                                                                                                 \
        const int order = (int)a->param[KG_LF_ORDER], P = kg_reach(order);                           \
        const kg_coef_##SUF k = kg_leapfrog_coef_##SUF(a->param[KG_LF_C], a->dt, a->dx, order, a->param[KG_LF_GAMMA]); \
        const int64_t nx = a->n[0], ny = a->n[1], sy = a->stride[0][1], sz = a->stride[0][2];                       \
        const int64_t B = sd_lattice_block_rows(nx, ny, 2 * P + 1, P, sizeof(T));                                           \
        for (int64_t jb = 0; jb < ny; jb += B)                                                        \
        for (int64_t kk = 0; kk < a->n[2]; kk++)                                                      \
            for (int64_t j = jb; j < (jb + B < ny ? jb + B : ny); j++) {                              \
                const T *e = (const T *)a->p[0] + sd_at(a, 0, 0, j, kk, 0);                           \
                const T *ep = (const T *)a->p[1] + sd_at(a, 1, 0, j, kk, 0);                          \
                const T *ch = (const T *)a->p[2] + sd_at(a, 2, 0, j, kk, 0);                          \
                T *out = (T *)a->p[3] + sd_at(a, 3, 0, j, kk, 0);                                     \
                KG_WITH_LITERALS(a->ndim, P, row_##SUF, nx, e, sy, sz, ep, ch, out, k);               \
            }                                                                                         \
    }                                                                                                 \
    SD_ISA_TARGET(TGT) static void chi_tile_##SUF##_##ISA(const sd_tile_args *a)                     \
    {                                                                                                 \
        const int order = (int)a->param[KG_CX_ORDER], P = kg_reach(order);                           \
        const kg_coef_##SUF k = kg_leapfrog_coef_##SUF(a->param[KG_CX_C], a->dt, a->dx, order, 0.0);  \
        const T kappa = (T)a->param[KG_CX_KAPPA], e02 = (T)(a->param[KG_CX_E0] * a->param[KG_CX_E0]);  \
        const int64_t nx = a->n[0], ny = a->n[1], sy = a->stride[0][1], sz = a->stride[0][2];         \
        const int64_t B = sd_lattice_block_rows(nx, ny, 2 * P + 1, P, sizeof(T));                                           \
        for (int64_t jb = 0; jb < ny; jb += B)                                                        \
        for (int64_t kk = 0; kk < a->n[2]; kk++)                                                      \
            for (int64_t j = jb; j < (jb + B < ny ? jb + B : ny); j++) {                              \
                const T *x = (const T *)a->p[0] + sd_at(a, 0, 0, j, kk, 0);                           \
                const T *xp = (const T *)a->p[1] + sd_at(a, 1, 0, j, kk, 0);                          \
                const T *e = (const T *)a->p[2] + sd_at(a, 2, 0, j, kk, 0);                           \
                T *out = (T *)a->p[3] + sd_at(a, 3, 0, j, kk, 0);                                     \
                KG_WITH_LITERALS(a->ndim, P, chi_row_##SUF, nx, x, sy, sz, xp, e, out, k, kappa, e02); \
            }                                                                                         \
    }
SD_ISA_EACH(KG_TILE_DEF, double, f64)
SD_ISA_EACH(KG_TILE_DEF, float, f32)

void sd_lattice_kg_leapfrog_cpu(const sd_tile_args *a)
{
    if (a->dtype[0] == SD_F64)
        SD_ISA_PICK(tile_f64)(a);
    else
        SD_ISA_PICK(tile_f32)(a);
}

void sd_lattice_chi_leapfrog_cpu(const sd_tile_args *a)
{
    if (a->dtype[0] == SD_F64)
        SD_ISA_PICK(chi_tile_f64)(a);
    else
        SD_ISA_PICK(chi_tile_f32)(a);
}

int sd_lattice_order_validate(double order, char *msg, size_t len)
{
    if (kg_order_ok(order)) return 0;
    snprintf(msg, len, "order = %g: the Laplacian's order must be 2, 4 or 6", order);
    return -1;
}

/* The spacings, the order and the CFL limit of an order-`order` leapfrog with speed c and damping
 * gamma (docs/lattice.md, "Stability"). */
static int cfl_check(const sd_check_info *info, const char *speed, double c, double order, double gamma, char *msg,
                     size_t len)
{
    for (int d = 0; d < info->ndim; d++)
        if (!(info->dx[d] > 0.0)) {
            snprintf(msg, len, "grid spacing dx[%d] = %g must be > 0", d, info->dx[d]);
            return -1;
        }
    if (sd_lattice_order_validate(order, msg, len)) return -1;
    const double cfl = kg_cfl_number(info->ndim, info->dx, c, info->dt, (int)order), lim = kg_cfl_limit(gamma);
    if (!(cfl <= lim)) {
        /* the number and its limit with 3 (4) digits, more where those would print "1 > 1" */
        char shown[32], lims[32];
        for (int digits = 3; digits <= 17; digits++) {
            snprintf(shown, sizeof shown, "%.*g", digits, cfl);
            snprintf(lims, sizeof lims, "%.*g", digits > 4 ? digits : 4, lim);
            if (strtod(shown, NULL) > strtod(lims, NULL)) break;
        }
        if (order == 2 && gamma == 0)
            snprintf(msg, len, "CFL violated: %s*dt*sqrt(sum 1/dx^2) = %s > 1 (expected dt <= %.3g)", speed, shown,
                     info->dt / cfl);
        else
            snprintf(msg, len, "CFL violated for order %g%s: %s*dt*sqrt(%.6g * sum 1/dx^2) = %s > %s (expected dt <= %.4g)",
                     order, gamma > 0 ? " with damping" : "", speed, kg_lap_peak((int)order), shown, lims, info->dt * lim / cfl);
        return -1;
    }
    return 0;
}

int sd_lattice_kg_leapfrog_validate(const sd_check_info *info, char *msg, size_t len)
{
    return cfl_check(info, "c", info->param[KG_LF_C], info->param[KG_LF_ORDER], info->param[KG_LF_GAMMA], msg, len);
}

int sd_lattice_chi_leapfrog_validate(const sd_check_info *info, char *msg, size_t len)
{
    return cfl_check(info, "c", info->param[KG_CX_C], info->param[KG_CX_ORDER], 0.0, msg, len);
}

/* The stencil roles (E of kg_leapfrog, chi of chi_leapfrog, both levels of energy) reach order/2
 * cells; every one of these codelets has `order` as its parameter 1. */
int sd_lattice_reach(const double *param)
{
    return kg_order_ok(param[1]) ? kg_reach((int)param[1]) : 1;
}
