/* isa.c - detection and choice of the SIMD instruction set (isa.h). */
#include "isa.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const names[SD_ISA_COUNT] = {"sse2", "avx2", "avx512"};
static sd_isa chosen = SD_ISA_SSE2;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int selected;

const char *sd_isa_name(sd_isa isa) { return isa >= 0 && isa < SD_ISA_COUNT ? names[isa] : "?"; }

int sd_isa_supported(sd_isa isa)
{
#if defined(__x86_64__) && defined(__GNUC__)
    /* libgcc's checks include the OS saving the wider registers (XCR0) */
    __builtin_cpu_init();
    switch (isa) {
    case SD_ISA_SSE2: return 1;
    /* the features SD_ISA_EACH compiles for (stardag/simd.h) */
    case SD_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
               __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
    case SD_ISA_AVX512:
        return sd_isa_supported(SD_ISA_AVX2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl");
    default: return 0;
    }
#else
    return isa == SD_ISA_SSE2;
#endif
}

sd_isa sd_isa_best(void)
{
    for (int i = SD_ISA_COUNT - 1; i > 0; i--)
        if (sd_isa_supported((sd_isa)i)) return (sd_isa)i;
    return SD_ISA_SSE2;
}

static int choose(char *err, size_t len)
{
    const char *v = getenv("STARDAG_ISA");
    if (!v || !*v) {
        chosen = sd_isa_best();
        return 0;
    }
    for (int i = 0; i < SD_ISA_COUNT; i++)
        if (!strcmp(v, names[i])) {
            if (!sd_isa_supported((sd_isa)i)) {
                snprintf(err, len, "STARDAG_ISA=%s: this CPU does not support %s (it supports up to %s)", v, v,
                         names[sd_isa_best()]);
                chosen = sd_isa_best();
                return -1;
            }
            chosen = (sd_isa)i;
            return 0;
        }
    snprintf(err, len, "STARDAG_ISA=%s: expected sse2, avx2 or avx512 (or unset for the widest this CPU has: %s)", v,
             names[sd_isa_best()]);
    chosen = sd_isa_best();
    return -1;
}

int sd_isa_select(char *err, size_t len)
{
    const int rc = choose(err, len);
    selected = 1;
    return rc;
}

static void select_lazily(void)
{
    if (selected) return;
    char err[256];
    if (choose(err, sizeof err)) fprintf(stderr, "stardag: warning: %s; using %s\n", err, names[chosen]);
    selected = 1;
}

void sd_isa_force(sd_isa isa)
{
    pthread_once(&once, select_lazily);
    chosen = isa;
}

sd_isa sd_isa_current(void)
{
    pthread_once(&once, select_lazily);
    return chosen;
}

long sd_cache_l2(void)
{
    static long l2; /* computed by whichever worker asks first; every one computes the same */
    long v = __atomic_load_n(&l2, __ATOMIC_RELAXED);
    if (v) return v;
    const char *e = getenv("STARDAG_CACHE_L2"); /* tests: force small blocks */
    if (e && *e) v = strtol(e, NULL, 10);
#ifdef _SC_LEVEL2_CACHE_SIZE
    if (v <= 0) v = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    if (v <= 0) v = 256L * 1024;
    __atomic_store_n(&l2, v, __ATOMIC_RELAXED);
    return v;
}
