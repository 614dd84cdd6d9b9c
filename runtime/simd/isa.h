/* isa.h - which x86 vector instruction set the CPU kernels with SIMD variants use: the widest the
 * CPU offers, or the one STARDAG_ISA names (so a baseline build is fast everywhere, and every
 * variant can be tested on one machine). Variants must give bitwise the same results. */
#ifndef SD_SIMD_ISA_H
#define SD_SIMD_ISA_H

#include <stddef.h>
#include <stdint.h>

#include "stardag/simd.h"

const char *sd_isa_name(sd_isa isa);
/* The widest ISA this CPU (and its OS) supports. */
sd_isa sd_isa_best(void);
int sd_isa_supported(sd_isa isa);
/* Choose from STARDAG_ISA (unset or empty: the best). 0, or -1 with a message naming the accepted
 * values when STARDAG_ISA is unknown or this CPU lacks it. The CLI calls it first, so a bad value
 * is an error before anything runs. */
int sd_isa_select(char *err, size_t len);
/* sd_isa_current (stardag/simd.h): library users that never called sd_isa_select get it selected on
 * first use (a bad STARDAG_ISA is then reported once on stderr and the best ISA used). */
/* Tests and benchmarks: use isa from now on (the CPU must support it). */
void sd_isa_force(sd_isa isa);

/* sd_acc_add_n (kernel.h) with a given ISA, for tests and benchmarks (the CPU must support it). */
struct sd_acc;
void sd_acc_add_n_isa(sd_isa isa, struct sd_acc *a, const double *x, long n);
/* sd_max_abs_n (kernel.h) likewise. */
void sd_max_abs_n_isa(sd_isa isa, const double *x, long n, double *mx, double *mn, int64_t *nf);

#endif
