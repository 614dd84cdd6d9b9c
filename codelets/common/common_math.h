/* common_math.h - per-element math of the common pack, written once: compiles as C and as CUDA
 * (SD_HD). The CPU loops in pointwise.c / reduce.c call these; a CUDA kernel calls the same. */
#ifndef SD_COMMON_MATH_H
#define SD_COMMON_MATH_H

#include <float.h>
#include <math.h>
#include "stardag/kernel.h"

/* y + a*x, in the field's type (no FMA: the build uses -ffp-contract=off, nvcc -fmad=false). */
SD_HD double sd_axpy_f64(double a, double x, double y) { return y + a * x; }
SD_HD float sd_axpy_f32(float a, float x, float y) { return y + a * x; }

SD_HD double sd_scale_f64(double a, double x) { return a * x; }
SD_HD float sd_scale_f32(float a, float x) { return a * x; }

/* The summed term of common.sum: always computed in double, whatever the field type. */
SD_HD double sd_sum_term(double scale, double x) { return scale * x; }

/* 1 for NaN and +-Inf, else 0 (branch-free so the loops vectorise). */
SD_HD int sd_nonfinite_f64(double x) { return !(fabs(x) <= DBL_MAX); }
SD_HD int sd_nonfinite_f32(float x) { return !(fabsf(x) <= FLT_MAX); }

/* ---- common.noise: counter-based uniform values ------------------------------------------
 * A value depends only on (seed, global linear index of the cell and component), never on the
 * tiling or the order of evaluation:
 *     idx = ((c*shape[2] + z)*shape[1] + y)*shape[0] + x       (x, y, z global: origin + i, j, k)
 *     key = mix(seed);  h = mix(key + (idx + 1) * 0x9E3779B97F4A7C15)    (splitmix64 at position idx)
 *     u = (h >> 11) * 2^-53  in [0, 1)   (exact: 53 bits)
 *     out = (T)(lo + (hi - lo) * u)      (in double, rounded once to the field type)
 * mix is splitmix64's finaliser. All integer arithmetic is modulo 2^64. */
SD_HD uint64_t sd_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
/* Integer seed from the parameter (validated as an integer in [0, 2^53]). */
SD_HD uint64_t sd_noise_key(double seed) { return sd_mix64((uint64_t)seed); }
SD_HD uint64_t sd_noise_index(int64_t c, int64_t z, int64_t y, int64_t x, const int64_t shape[3])
{
    return (((uint64_t)c * (uint64_t)shape[2] + (uint64_t)z) * (uint64_t)shape[1] + (uint64_t)y) *
               (uint64_t)shape[0] + (uint64_t)x;
}
SD_HD double sd_noise_unit(uint64_t key, uint64_t idx)
{
    return (double)(sd_mix64(key + (idx + 1) * 0x9E3779B97F4A7C15ULL) >> 11) * 0x1p-53;
}
SD_HD double sd_noise_f64(uint64_t key, uint64_t idx, double lo, double hi)
{
    return lo + (hi - lo) * sd_noise_unit(key, idx);
}
SD_HD float sd_noise_f32(uint64_t key, uint64_t idx, double lo, double hi)
{
    return (float)sd_noise_f64(key, idx, lo, hi);
}

#endif
