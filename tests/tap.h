/* tap.h - a minimal TAP producer for the C tests (automake's TAP driver reads it). */
#ifndef SD_TAP_H
#define SD_TAP_H
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (!cond) tap_failed++;
    return cond;
}
#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"), fflush(stdout))
/* |got - want| <= tol * max(|want|, tiny): relative comparison with a stated tolerance. */
#define is_close(got, want, tol, ...) \
    (tap_ok(fabs((double)(got) - (double)(want)) <= (tol) * fmax(fabs((double)(want)), 1e-300), __VA_ARGS__) \
         ? 1 : (diag("  got %.17g, want %.17g (rel %.3g, tol %.3g)", (double)(got), (double)(want), \
                     fabs((double)(got) - (double)(want)) / fmax(fabs((double)(want)), 1e-300), (double)(tol)), 0))
/* SD_TEST_SHORT=1 (set by the CI's sanitizer and CUDA-StarPU passes): leave what the normal pass
 * runs at length to it. */
static inline int tap_short(void)
{
    const char *v = getenv("SD_TEST_SHORT");
    return v && v[0] == '1' && v[1] == 0;
}

static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}
static inline void tap_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(77);
}
#endif
