/* stardag/simd.h - one CPU kernel, compiled for several x86 vector instruction sets and chosen at
 * run time: the widest the CPU offers, or the one STARDAG_ISA names. A baseline build (what a
 * distribution ships) is then fast on every machine, and every variant can be tested on one.
 * Variants must give bitwise the same results: the arithmetic is elementwise IEEE double/float
 * without FMA contraction (-ffp-contract=off), and sums are exact (kernel.h), so only the vector
 * width differs. No StarPU here.
 *
 * The variants: sse2 (the x86-64 baseline), avx2 (AVX2, FMA, BMI1/2, POPCNT: about x86-64-v3; FMA
 * is never contracted into) and avx512 (those and AVX-512 F, BW, CD, DQ, VL: about x86-64-v4).
 * Feature lists rather than level names, which clang 14 (the fuzz build) does not know.
 *
 * Use: write the kernel body once as a static inline __attribute__((always_inline)) function and
 *     SD_ISA_EACH(SD_ISA_WRAP_VOID, name, body, (const sd_tile_args *a), (a))
 * defines name_sse2, name_avx2 and name_avx512, each the body compiled for its ISA (SD_ISA_WRAP for
 * a function returning RET: SD_ISA_EACH(SD_ISA_WRAP, RET, name, body, PARAMS, ARGS)); or write a
 * macro DEF(ISA, TARGET, ...) that defines name_##ISA with SD_ISA_TARGET(TARGET) and expand
 * SD_ISA_EACH(DEF, ...). SD_ISA_PICK(name)(args) calls the variant in use. */
#ifndef STARDAG_SIMD_H
#define STARDAG_SIMD_H

typedef enum { SD_ISA_SSE2 = 0, SD_ISA_AVX2, SD_ISA_AVX512, SD_ISA_COUNT } sd_isa;

/* The ISA in use (chosen once, at start-up or on first use). */
sd_isa sd_isa_current(void);
/* The CPU's level-2 data cache per core in bytes (256 KiB when the system does not say;
 * STARDAG_CACHE_L2=BYTES overrides it), for kernels that block their loops to keep reused data in
 * it. Blocking changes no value. */
long sd_cache_l2(void);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#define SD_ISA_TARGET(tgt) __attribute__((target(tgt)))
#else
#define SD_ISA_TARGET(tgt) /* one variant only: the three copies are the same code */
#endif
#define SD_ISA_EACH(DEF, ...)                                                                         \
    DEF(sse2, "sse2", __VA_ARGS__) DEF(avx2, SD_ISA_AVX2_FEATURES, __VA_ARGS__)                         \
    DEF(avx512, SD_ISA_AVX512_FEATURES, __VA_ARGS__)
#define SD_ISA_AVX2_FEATURES "avx2,fma,bmi,bmi2,popcnt"
#define SD_ISA_AVX512_FEATURES SD_ISA_AVX2_FEATURES ",avx512f,avx512bw,avx512cd,avx512dq,avx512vl"
#define SD_ISA_WRAP_VOID(ISA, TGT, name, body, PARAMS, ARGS)                                          \
    SD_ISA_TARGET(TGT) static void name##_##ISA PARAMS { body ARGS; }
#define SD_ISA_WRAP(ISA, TGT, RET, name, body, PARAMS, ARGS)                                          \
    SD_ISA_TARGET(TGT) static RET name##_##ISA PARAMS { return body ARGS; }
/* The one of three functions (in sd_isa order) for the ISA in use. */
#define SD_ISA_SELECT(sse2_fn, avx2_fn, avx512_fn)                                                    \
    ((__typeof__(&sse2_fn)[SD_ISA_COUNT]){&sse2_fn, &avx2_fn, &avx512_fn})[sd_isa_current()]
#define SD_ISA_PICK(name) SD_ISA_SELECT(name##_sse2, name##_avx2, name##_avx512)

#endif
