/* pointwise.c - CPU loops of the common pointwise ops (fill, copy, axpy, scale). Loops and
 * indexing only; the arithmetic is in common_math.h. Every buffer is addressed with its own
 * strides (buffers may carry ghost zones of different widths); only interior cells are touched. */
#include "common_kernels.h"
#include "common_math.h"

/* Row r = (j, k, component c) of buffer b. */
#define ROW(T, a, b, j, k, c) ((T *)(a)->p[b] + sd_at((a), (b), 0, (j), (k), (c)))

/* fill: param value. */
void sd_common_fill_cpu(const sd_tile_args *a)
{
    const int64_t nx = a->n[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                if (a->dtype[0] == SD_F64) {
                    const double v = a->param[0];
                    double *restrict o = ROW(double, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) o[i] = v;
                } else {
                    const float v = (float)a->param[0];
                    float *restrict o = ROW(float, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) o[i] = v;
                }
            }
}

/* copy: in -> out, a->ncomp[0] components (both fields must have the same component count). */
void sd_common_copy_cpu(const sd_tile_args *a)
{
    const int64_t nx = a->n[0];
    const size_t sz = a->dtype[0] == SD_F64 ? sizeof(double) : sizeof(float);
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                const int64_t si = sd_at(a, 0, 0, j, k, c), so = sd_at(a, 1, 0, j, k, c);
                memmove((char *)a->p[1] + so * (int64_t)sz, (const char *)a->p[0] + si * (int64_t)sz,
                        (size_t)nx * sz);
            }
}

/* axpy: y = y + a*x; roles x(R), y(RW); param a. */
void sd_common_axpy_cpu(const sd_tile_args *a)
{
    const int64_t nx = a->n[0];
    for (int c = 0; c < a->ncomp[1]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                if (a->dtype[0] == SD_F64) {
                    const double s = a->param[0];
                    const double *restrict x = ROW(const double, a, 0, j, k, c);
                    double *restrict y = ROW(double, a, 1, j, k, c);
                    for (int64_t i = 0; i < nx; i++) y[i] = sd_axpy_f64(s, x[i], y[i]);
                } else {
                    const float s = (float)a->param[0];
                    const float *restrict x = ROW(const float, a, 0, j, k, c);
                    float *restrict y = ROW(float, a, 1, j, k, c);
                    for (int64_t i = 0; i < nx; i++) y[i] = sd_axpy_f32(s, x[i], y[i]);
                }
            }
}

/* scale: x = a*x. */
void sd_common_scale_cpu(const sd_tile_args *a)
{
    const int64_t nx = a->n[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                if (a->dtype[0] == SD_F64) {
                    const double s = a->param[0];
                    double *restrict x = ROW(double, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) x[i] = sd_scale_f64(s, x[i]);
                } else {
                    const float s = (float)a->param[0];
                    float *restrict x = ROW(float, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) x[i] = sd_scale_f32(s, x[i]);
                }
            }
}
