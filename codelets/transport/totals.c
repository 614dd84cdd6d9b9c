/* totals.c - transport.totals and transport.escaped: exact per-tile sums (sd_acc) of psi, psi E,
 * dose and the tally channels; psi's loops are bounded by its occupancy (zeros add nothing). */
#include <stdint.h>
#include "transport_cpu.h"
#include "transport_kernels.h"

#define TOTALS_DEF(T, SUF)                                                                                             \
    static void psi_sums_##SUF(const sd_tile_args *a, const tr_io *io, sd_acc *w, sd_acc *e)                           \
    {                                                                                                                  \
        const T *psi = a->p[TR_TOT_PSI];                                                                               \
        const tr_box b = io->dense ? tr_box_full(io, 0, io->nx - 1, 0, io->nz - 1)                                     \
                                   : tr_box_from_occ(io, io->occ, io->cs1, io->csc, 0, io->nx - 1, 0, io->nz - 1);     \
        if (b.t0 > b.t1) return;                                                                                       \
        sd_acc_batch bw = {.acc = w}, be = {.acc = e};                                                                 \
        for (int64_t m = b.m0; m <= b.m1; m++) {                                                                       \
            const double Em = tr_centre(a->inner_lo[1], a->inner_hi[1], io->ne, m);                                    \
            for (int64_t k = b.t0; k <= b.t1; k++)                                                                     \
                for (int64_t j = b.z0; j <= b.z1; j++)                                                                 \
                    for (int64_t i = b.x0; i <= b.x1; i++) {                                                           \
                        const double v = (double)psi[i + j * io->ps1 + k * io->ps3 + m * io->ps4];                     \
                        if (v == 0.0) continue;                                                                        \
                        sd_acc_batch_put(&bw, v);                                                                      \
                        sd_acc_batch_put(&be, v * Em);                                                                 \
                    }                                                                                                  \
        }                                                                                                              \
        sd_acc_batch_flush(&bw);                                                                                       \
        sd_acc_batch_flush(&be);                                                                                       \
    }
TOTALS_DEF(double, f64)
TOTALS_DEF(float, f32)

void sd_transport_totals_cpu(const sd_tile_args *a)
{
    tr_io io = {0};
    io.nx = a->n[0];
    io.nz = a->n[1];
    io.gx0 = a->origin[0];
    io.gz0 = a->origin[1];
    io.NX = a->shape[0];
    io.NZ = a->shape[1];
    io.nt = a->inner_n[0];
    io.ne = a->inner_n[1];
    io.dense = tr_dense_env();
    io.ps1 = a->stride[TR_TOT_PSI][1];
    io.ps3 = a->stride[TR_TOT_PSI][3];
    io.ps4 = a->stride[TR_TOT_PSI][4];
    io.occ = a->p[TR_TOT_OCC];
    io.cs1 = a->stride[TR_TOT_OCC][1];
    io.csc = a->sc[TR_TOT_OCC];
    sd_acc *acc = a->acc;
    if (a->dtype[TR_TOT_PSI] == SD_F32) psi_sums_f32(a, &io, &acc[TR_P_WEIGHT], &acc[TR_P_ENERGY]);
    else psi_sums_f64(a, &io, &acc[TR_P_WEIGHT], &acc[TR_P_ENERGY]);
    const double *dose = a->p[TR_TOT_DOSE], *t = a->p[TR_TOT_TALLY];
    const int64_t d1 = a->stride[TR_TOT_DOSE][1], t1 = a->stride[TR_TOT_TALLY][1], tc = a->sc[TR_TOT_TALLY];
    for (int64_t j = 0; j < io.nz; j++)
        for (int64_t i = 0; i < io.nx; i++) {
            const double *c = t + i + j * t1;
            sd_acc_add(&acc[TR_P_DEPOSITED], dose[i + j * d1]);
            sd_acc_add(&acc[TR_P_STOPPED], c[0]);
            sd_acc_add(&acc[TR_P_LOST], c[tc]);
            sd_acc_add(&acc[TR_P_LOST_E], c[7 * tc]);
            for (int s = 2; s <= 5; s++) {
                sd_acc_add(&acc[TR_P_ESCAPED], c[s * tc]);
                sd_acc_add(&acc[TR_P_ESCAPED_E], c[(s + 6) * tc]);
            }
        }
}

/* weight, energy, deposited, stopped, lost, escaped, weight_balance, energy_balance */
void sd_transport_totals_finish(const double *s, const sd_check_info *info, double *out)
{
    (void)info;
    out[0] = s[TR_P_WEIGHT];
    out[1] = s[TR_P_ENERGY];
    out[2] = s[TR_P_DEPOSITED];
    out[3] = s[TR_P_STOPPED];
    out[4] = s[TR_P_LOST];
    out[5] = s[TR_P_ESCAPED];
    out[6] = ((s[TR_P_WEIGHT] + s[TR_P_STOPPED]) + s[TR_P_LOST]) + s[TR_P_ESCAPED];
    out[7] = ((s[TR_P_ENERGY] + s[TR_P_DEPOSITED]) + s[TR_P_LOST_E]) + s[TR_P_ESCAPED_E];
}

/* w_xm, w_xp, w_zm, w_zp (tally 2..5), e_xm, e_xp, e_zm, e_zp (tally 8..11) */
void sd_transport_escaped_cpu(const sd_tile_args *a)
{
    const double *t = a->p[TR_ESC_TALLY];
    const int64_t t1 = a->stride[TR_ESC_TALLY][1], tc = a->sc[TR_ESC_TALLY];
    for (int64_t j = 0; j < a->n[1]; j++)
        for (int64_t i = 0; i < a->n[0]; i++)
            for (int s = 0; s < 4; s++) {
                sd_acc_add(&a->acc[s], t[i + j * t1 + (s + 2) * tc]);
                sd_acc_add(&a->acc[s + 4], t[i + j * t1 + (s + 8) * tc]);
            }
}
