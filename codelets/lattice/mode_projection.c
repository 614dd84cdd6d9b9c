/* mode_projection.c - CPU loop of lattice.mode_projection: re = sum E cos(k.x),
 * im = -sum E sin(k.x), k_d = 2 pi m_d / (N_d dx_d) (projection of E on e^{i k.x}). Roles: E (R),
 * re (W scalar, sum), im (W scalar, sum); params mx, my, mz. Terms in double, folded exactly in bulk. */
#include "kg_math.h"
#include "lattice_kernels.h"

void sd_lattice_mode_projection_cpu(const sd_tile_args *a)
{
    int64_t m[3];
    kg_mode_numbers(a->ndim, &a->param[KG_MP_MX], m);
    sd_acc_batch re = {.acc = &a->acc[0]}, im = {.acc = &a->acc[1]};
    for (int64_t k = 0; k < a->n[2]; k++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++) {
                const int64_t g[3] = {a->origin[0] + i, a->origin[1] + j, a->origin[2] + k};
                const double th = kg_mode_phase(a->ndim, m, g, a->shape);
                const int64_t at = sd_at(a, 0, i, j, k, 0);
                const double e = a->dtype[0] == SD_F64 ? ((const double *)a->p[0])[at] : (double)((const float *)a->p[0])[at];
                double tr, ti;
                kg_mode_terms(e, th, &tr, &ti);
                sd_acc_batch_put(&re, tr);
                sd_acc_batch_put(&im, ti);
            }
    sd_acc_batch_flush(&re);
    sd_acc_batch_flush(&im);
}
