/* stream_triad.c - STREAM triad a[i] = b[i] + s*c[i] with OpenMP, the memory-bandwidth yardstick of
 * the lattice benchmark. Arrays are far larger than the caches (default 3 x 256 MiB of doubles),
 * first-touched with the same static schedule as the timed loop. Counts 24 B per element
 * (STREAM's convention: 2 reads + 1 write; the write-allocate read is not counted).
 *
 *   stream_triad [-m MIB_PER_ARRAY] [-r ITERATIONS]
 * Prints best and median GB/s over the iterations (the first, warm-up, iteration is dropped), and
 * "RESULT stream_triad best_gbs=... median_gbs=... min_gbs=..." for scripts. */
#define _POSIX_C_SOURCE 200809L
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long mib = 256;
    int iters = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) mib = atol(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc) iters = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: stream_triad [-m MIB_PER_ARRAY] [-r ITERATIONS]\n");
            return 2;
        }
    }
    if (mib < 1 || iters < 1) return 2;
    const int64_t n = (int64_t)mib * 1024 * 1024 / (int64_t)sizeof(double);
    double *a, *b, *c;
    if (posix_memalign((void **)&a, 64, n * sizeof(double)) || posix_memalign((void **)&b, 64, n * sizeof(double)) ||
        posix_memalign((void **)&c, 64, n * sizeof(double))) {
        fprintf(stderr, "stream_triad: out of memory\n");
        return 1;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) {
        a[i] = 0.0;
        b[i] = 1.0;
        c[i] = 2.0;
    }
    const double s = 3.0;
    double *gbs = calloc(iters, sizeof *gbs);
    for (int it = -1; it < iters; it++) { /* it = -1: warm-up, not counted */
        const double t0 = now();
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        const double t = now() - t0;
        if (it >= 0) gbs[it] = 24.0 * (double)n / t * 1e-9;
    }
    /* Keep the result live. */
    double chk = a[0] + a[n / 2] + a[n - 1];
    qsort(gbs, iters, sizeof *gbs, cmp_double);
    const double med = iters % 2 ? gbs[iters / 2] : 0.5 * (gbs[iters / 2 - 1] + gbs[iters / 2]);
    printf("stream_triad: %d threads, 3 x %ld MiB, %d iterations: best %.2f GB/s, median %.2f GB/s, "
           "worst %.2f GB/s (24 B/element) [check %.1f]\n",
           omp_get_max_threads(), mib, iters, gbs[iters - 1], med, gbs[0], chk);
    printf("RESULT stream_triad threads=%d best_gbs=%.4f median_gbs=%.4f min_gbs=%.4f\n", omp_get_max_threads(),
           gbs[iters - 1], med, gbs[0]);
    free(gbs);
    free(a);
    free(b);
    free(c);
    return 0;
}
