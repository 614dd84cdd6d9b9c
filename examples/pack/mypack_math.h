/* mypack_math.h - the per-element math of the mypack codelets, written once: the CPU loop
 * (damp.c) and the CUDA kernel (damp.cu) call the same SD_HD functions, so they cannot drift. */
#ifndef MYPACK_MATH_H
#define MYPACK_MATH_H
#include <math.h>
#include <stardag/kernel.h>

/* Linear friction du/dt = -gamma u integrated exactly over one step: u *= exp(-gamma dt). The
 * factor needs libm, so it is computed once per task on the host (the same glibc call for the
 * CPU loop and the CUDA launch); per element there is one IEEE multiplication, hence CPU and CUDA
 * agree bitwise (cuda_tol 0). */
static inline double mypack_damp_factor(double gamma, double dt) { return exp(-gamma * dt); }

SD_HD double mypack_damp_f64(double u, double factor) { return u * factor; }
/* f32 fields: the factor is rounded to float once, the product computed in float. */
SD_HD float mypack_damp_f32(float u, float factor) { return u * factor; }

#endif
