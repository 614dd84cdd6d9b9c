/* work.h - the per-task payload shared by the raw StarPU and the stardag overhead benchmarks:
 * spin for `us` microseconds on the monotonic clock (0: return at once). */
#ifndef BENCH_OVERHEAD_WORK_H
#define BENCH_OVERHEAD_WORK_H
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static inline void bench_spin_us(double us)
{
    if (us <= 0) return;
    const double end = bench_now() + 1e-6 * us;
    while (bench_now() < end) {}
}
#endif
