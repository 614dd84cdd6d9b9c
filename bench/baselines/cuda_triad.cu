/* cuda_triad.cu - the device's memory bandwidth, two ways: nominal (memory clock x bus width x 2,
 * from the device attributes) and measured (STREAM triad a = b + s*c on f64 arrays far larger than
 * the L2 cache, best and median of R repetitions, counting 3 x 8 bytes per element as STREAM does).
 * Prints one line: device=NAME nominal_gbs=X best_gbs=Y median_gbs=Z (the lattice benchmark reads it).
 *   cuda_triad [-n ELEMENTS] [-r REPS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime.h>

#define CHECK(x)                                                                                  \
    do {                                                                                          \
        cudaError_t e_ = (x);                                                                     \
        if (e_ != cudaSuccess) {                                                                  \
            fprintf(stderr, "cuda_triad: %s: %s\n", #x, cudaGetErrorString(e_));                 \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

__global__ void triad(double *a, const double *b, const double *c, double s, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        a[i] = b[i] + s * c[i];
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
    size_t n = (size_t)1 << 28; /* 2 GiB per array */
    int reps = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-n")) n = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "-r")) reps = atoi(argv[i + 1]);
    }
    int dev = 0, clk = 0, bus = 0, sms = 0;
    cudaDeviceProp p;
    CHECK(cudaGetDeviceProperties(&p, dev));
    CHECK(cudaDeviceGetAttribute(&clk, cudaDevAttrMemoryClockRate, dev)); /* kHz */
    CHECK(cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, dev)); /* bits */
    CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    double nominal = 2.0 * clk * 1e3 * (bus / 8.0) / 1e9;
    double *a, *b, *c;
    CHECK(cudaMalloc(&a, n * sizeof *a));
    CHECK(cudaMalloc(&b, n * sizeof *b));
    CHECK(cudaMalloc(&c, n * sizeof *c));
    CHECK(cudaMemset(b, 0, n * sizeof *b));
    CHECK(cudaMemset(c, 0, n * sizeof *c));
    cudaEvent_t t0, t1;
    CHECK(cudaEventCreate(&t0));
    CHECK(cudaEventCreate(&t1));
    double *gbs = (double *)malloc(reps * sizeof *gbs);
    triad<<<sms * 8, 256>>>(a, b, c, 3.0, n); /* warm-up */
    CHECK(cudaDeviceSynchronize());
    for (int r = 0; r < reps; r++) {
        CHECK(cudaEventRecord(t0));
        triad<<<sms * 8, 256>>>(a, b, c, 3.0, n);
        CHECK(cudaEventRecord(t1));
        CHECK(cudaEventSynchronize(t1));
        float ms = 0;
        CHECK(cudaEventElapsedTime(&ms, t0, t1));
        gbs[r] = 3.0 * 8.0 * n / (ms * 1e-3) / 1e9;
    }
    qsort(gbs, reps, sizeof *gbs, cmp);
    for (char *q = p.name; *q; q++)
        if (*q == ' ') *q = '_'; /* one word: the benchmark scripts read key=value fields */
    printf("device=%s nominal_gbs=%.1f best_gbs=%.1f median_gbs=%.1f elements=%zu reps=%d\n", p.name, nominal,
           gbs[reps - 1], gbs[reps / 2], n, reps);
    return 0;
}
