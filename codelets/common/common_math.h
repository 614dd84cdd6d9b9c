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

#endif
