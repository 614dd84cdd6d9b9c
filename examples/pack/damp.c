/* damp.c - the CPU loop of mypack.damp: loops and indexing only, the math is mypack_math.h's.
 * Every buffer is addressed with its own strides (buffers may carry ghost zones of different
 * widths); only interior cells are touched. */
#include "mypack_kernels.h"
#include "mypack_math.h"

static void damp_buffer(const sd_tile_args *a, int b, double factor)
{
    const int64_t nx = a->n[0];
    for (int c = 0; c < a->ncomp[b]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                const int64_t row = sd_at(a, b, 0, j, k, c);
                if (a->dtype[b] == SD_F64) {
                    double *restrict u = (double *)a->p[b] + row;
                    for (int64_t i = 0; i < nx; i++) u[i] = mypack_damp_f64(u[i], factor);
                } else {
                    const float f = (float)factor;
                    float *restrict u = (float *)a->p[b] + row;
                    for (int64_t i = 0; i < nx; i++) u[i] = mypack_damp_f32(u[i], f);
                }
            }
}

void mypack_damp_cpu(const sd_tile_args *a)
{
    const double factor = mypack_damp_factor(a->param[0], a->dt);
    damp_buffer(a, 0, factor);
    damp_buffer(a, 1, factor);
}
