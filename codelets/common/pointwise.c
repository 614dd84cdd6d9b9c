/* pointwise.c - CPU loops of the common pointwise ops (fill, copy, axpy, scale, noise). Loops and
 * indexing only; the arithmetic is in common_math.h. Every buffer is addressed with its own
 * strides (buffers may carry ghost zones of different widths); only interior cells are touched. */
#include <math.h>
#include <stdio.h>
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

/* noise: out = lo + (hi - lo) * u, u in [0, 1) hashed from (seed, global cell and component index):
 * independent of the tiling (sd_noise_* in common_math.h). */
void sd_common_noise_cpu(const sd_tile_args *a)
{
    const int64_t nx = a->n[0];
    const uint64_t key = sd_noise_key(a->param[SD_NOISE_SEED]);
    const double lo = a->param[SD_NOISE_LO], hi = a->param[SD_NOISE_HI];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                const uint64_t row = sd_noise_index(c, a->origin[2] + k, a->origin[1] + j, a->origin[0], a->shape);
                if (a->dtype[0] == SD_F64) {
                    double *restrict o = ROW(double, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) o[i] = sd_noise_f64(key, row + (uint64_t)i, lo, hi);
                } else {
                    float *restrict o = ROW(float, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) o[i] = sd_noise_f32(key, row + (uint64_t)i, lo, hi);
                }
            }
}

int sd_common_noise_validate(const sd_check_info *info, char *msg, size_t len)
{
    const double seed = info->param[SD_NOISE_SEED], lo = info->param[SD_NOISE_LO], hi = info->param[SD_NOISE_HI];
    if (seed != nearbyint(seed)) {
        snprintf(msg, len, "seed = %g is not an integer (expected an integer in [0, 2^53])", seed);
        return -1;
    }
    if (!(lo <= hi)) {
        snprintf(msg, len, "lo = %g > hi = %g (expected lo <= hi)", lo, hi);
        return -1;
    }
    return 0;
}
