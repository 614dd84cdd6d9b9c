/* stardag/simd.h - one CPU kernel, compiled for several x86 vector instruction sets and chosen at
 * run time: the widest the CPU offers, or the one STARDAG_ISA names. A baseline build (what a
 * distribution ships) is then fast on every machine, and every variant can be tested on one.
 * Variants must give bitwise the same results: the arithmetic is elementwise IEEE double/float
 * without FMA contraction (-ffp-contract=off), and sums are exact (kernel.h), so only the vector
 * width differs. No StarPU here.
 *
 * Use: write the kernel body once in a macro DEF(ISA, TARGET, ...) that defines name_##ISA with
 * SD_ISA_TARGET(TARGET); SD_ISA_EACH(DEF, ...) defines the three; SD_ISA_CALL(name, args) calls
 * the one in use. */
#ifndef STARDAG_SIMD_H
#define STARDAG_SIMD_H

typedef enum { SD_ISA_SSE2 = 0, SD_ISA_AVX2, SD_ISA_AVX512, SD_ISA_COUNT } sd_isa;

/* The ISA in use (chosen once, at start-up or on first use). */
sd_isa sd_isa_current(void);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#define SD_ISA_TARGET(tgt) __attribute__((target(tgt)))
#else
#define SD_ISA_TARGET(tgt) /* one variant only: the three copies are the same code */
#endif
#define SD_ISA_EACH(DEF, ...) DEF(sse2, "sse2", __VA_ARGS__) DEF(avx2, "avx2", __VA_ARGS__) DEF(avx512, "avx512f", __VA_ARGS__)
#define SD_ISA_CALL(name, ...)                                                                        \
    do {                                                                                              \
        switch (sd_isa_current()) {                                                                   \
        case SD_ISA_AVX512: name##_avx512(__VA_ARGS__); break;                                        \
        case SD_ISA_AVX2: name##_avx2(__VA_ARGS__); break;                                            \
        default: name##_sse2(__VA_ARGS__); break;                                                     \
        }                                                                                             \
    } while (0)

#endif
