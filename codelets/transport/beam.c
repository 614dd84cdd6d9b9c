/* beam.c - transport.pencil_beam: psi = weight * gE(m) * gtheta(k) * gx(i) in the cells of the
 * first depth row (z index 0), each factor a bin-integrated Gaussian (or the bin holding the mean
 * when its sigma is 0) normalised over its whole axis, so every tile computes the same factors.
 * Also clears psi_next and occ_next, the buffers the first step reads back (docs/transport.md). */
#include <math.h>
#include <stdint.h>
#include "transport_cpu.h"
#include "transport_kernels.h"

/* g[i] = tr_gauss_bin(edge i, edge i+1, mu, sigma) / sum_i (ascending), edges lo + i (hi - lo) / n. */
void tr_beam_factors(double lo, double hi, int64_t n, double mu, double sigma, double *g)
{
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        g[i] = tr_gauss_bin(lo + (double)i * (hi - lo) / (double)n, lo + (double)(i + 1) * (hi - lo) / (double)n, mu, sigma);
        sum += g[i];
    }
    for (int64_t i = 0; i < n; i++) g[i] = sum > 0.0 ? g[i] / sum : 0.0;
}

#define BEAM_DEF(T, SUF)                                                                                               \
    static void beam_##SUF(const sd_tile_args *a, const double *gE, const double *gT, const double *gX)              \
    {                                                                                                                  \
        T *psi = a->p[TR_BEAM_PSI], *nxt = a->p[TR_BEAM_PSI_NEXT];                                                     \
        double *occ = a->p[TR_BEAM_OCC], *occn = a->p[TR_BEAM_OCC_NEXT];                                               \
        const int64_t nt = a->inner_n[0], ne = a->inner_n[1], s1 = a->stride[TR_BEAM_PSI][1];                          \
        const int64_t s3 = a->stride[TR_BEAM_PSI][3], s4 = a->stride[TR_BEAM_PSI][4];                                 \
        const int64_t n1 = a->stride[TR_BEAM_PSI_NEXT][1], n3 = a->stride[TR_BEAM_PSI_NEXT][3];                       \
        const int64_t n4 = a->stride[TR_BEAM_PSI_NEXT][4];                                                             \
        const double w = a->param[TR_BEAM_WEIGHT];                                                                     \
        for (int64_t m = 0; m < ne; m++)                                                                               \
            for (int64_t k = 0; k < nt; k++)                                                                           \
                for (int64_t j = 0; j < a->n[1]; j++)                                                                  \
                    for (int64_t i = 0; i < a->n[0]; i++) {                                                            \
                        psi[i + j * s1 + k * s3 + m * s4] =                                                            \
                            a->origin[1] + j == 0 ? (T)(((w * gE[m]) * gT[k]) * gX[a->origin[0] + i]) : (T)0;          \
                        nxt[i + j * n1 + k * n3 + m * n4] = (T)0;                                                      \
                    }                                                                                                  \
        const int64_t c1 = a->stride[TR_BEAM_OCC][1], cc = a->sc[TR_BEAM_OCC];                                        \
        const int64_t o1 = a->stride[TR_BEAM_OCC_NEXT][1], oc = a->sc[TR_BEAM_OCC_NEXT];                              \
        for (int64_t j = 0; j < a->n[1]; j++)                                                                          \
            for (int64_t i = 0; i < a->n[0]; i++) {                                                                    \
                double r[4] = {(double)nt, -1.0, (double)ne, -1.0};                                                    \
                if (a->origin[1] + j == 0)                                                                             \
                    for (int64_t m = 0; m < ne; m++)                                                                   \
                        for (int64_t k = 0; k < nt; k++)                                                               \
                            if (psi[i + j * s1 + k * s3 + m * s4] != (T)0) {                                           \
                                if (k < r[0]) r[0] = (double)k;                                                        \
                                if (k > r[1]) r[1] = (double)k;                                                        \
                                if (m < r[2]) r[2] = (double)m;                                                        \
                                if (m > r[3]) r[3] = (double)m;                                                        \
                            }                                                                                          \
                for (int c = 0; c < 4; c++) occ[i + j * c1 + c * cc] = r[c];                                          \
                occn[i + j * o1] = (double)nt;                                                                         \
                occn[i + j * o1 + oc] = -1.0;                                                                          \
                occn[i + j * o1 + 2 * oc] = (double)ne;                                                                \
                occn[i + j * o1 + 3 * oc] = -1.0;                                                                      \
            }                                                                                                          \
    }
BEAM_DEF(double, f64)
BEAM_DEF(float, f32)

void sd_transport_pencil_beam_cpu(const sd_tile_args *a)
{
    const int64_t nt = a->inner_n[0], ne = a->inner_n[1], NX = a->shape[0];
    const size_t bytes = (size_t)(nt + ne + NX) * sizeof(double);
    double *g = tr_scratch(bytes);
    if (!g) tr_oom("transport.pencil_beam", bytes);
    double *gE = g, *gT = g + ne, *gX = g + ne + nt;
    const double *p = a->param;
    const double x0 = isnan(p[TR_BEAM_X0]) ? 0.5 * (double)NX * a->dx[0] : p[TR_BEAM_X0];
    tr_beam_factors(a->inner_lo[1], a->inner_hi[1], ne, p[TR_BEAM_ENERGY], p[TR_BEAM_ESPREAD], gE);
    tr_beam_factors(a->inner_lo[0], a->inner_hi[0], nt, p[TR_BEAM_ANGLE], p[TR_BEAM_ASPREAD], gT);
    tr_beam_factors(0.0, (double)NX * a->dx[0], NX, x0, p[TR_BEAM_WIDTH], gX);
    if (a->dtype[TR_BEAM_PSI] == SD_F32) beam_f32(a, gE, gT, gX);
    else beam_f64(a, gE, gT, gX);
}
