/* cuda_test_util.h - what the CUDA tests (t_cuda_kernels.cu, t_md_cuda.cu) share: the skip
 * without a usable device, checked CUDA calls, the tests' stream S, and copies between host and
 * device. Include after tap.h, in one .cu file per test program. */
#ifndef SD_CUDA_TEST_UTIL_H
#define SD_CUDA_TEST_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <cuda_runtime.h>
#include "tap.h"

/* A CUDA runtime call that must succeed; the test bails out otherwise. */
#define CK(call)                                                                                       \
    do {                                                                                               \
        cudaError_t e_ = (call);                                                                       \
        if (e_ != cudaSuccess) {                                                                       \
            printf("Bail out! %s: %s (%s:%d)\n", #call, cudaGetErrorString(e_), __FILE__, __LINE__);   \
            exit(1);                                                                                   \
        }                                                                                              \
    } while (0)

/* The stream the tests launch on (main creates it). */
static cudaStream_t S;

/* "1..0 # SKIP" and exit 77 unless a CUDA device can be used. */
static inline void require_cuda_device(void)
{
    int ndev = 0;
    const cudaError_t e = cudaGetDeviceCount(&ndev);
    if (e != cudaSuccess || ndev == 0) {
        char why[256];
        snprintf(why, sizeof why, "no CUDA device (%s)", e != cudaSuccess ? cudaGetErrorString(e) : "none found");
        tap_skip_all(why);
    }
}

/* A device copy of bytes of host memory (a 1-byte allocation when bytes is 0); cudaFree it.
 * Complete on return: from pageable memory cudaMemcpy may return while its DMA is still in flight,
 * and S is non-blocking (it does not wait for the legacy stream), so a kernel launched on S next
 * could read the buffer half copied (seen on an H100: halo cases of a 67x33x17 tile failed). */
static inline void *dev_copy(const void *host, size_t bytes)
{
    void *d = NULL;
    CK(cudaMalloc(&d, bytes ? bytes : 1));
    if (bytes) CK(cudaMemcpy(d, host, bytes, cudaMemcpyHostToDevice));
    CK(cudaDeviceSynchronize());
    return d;
}
/* bytes of device memory into h, after the work queued on S. */
static inline void to_host(void *h, const void *d, size_t bytes)
{
    CK(cudaStreamSynchronize(S));
    if (bytes) CK(cudaMemcpy(h, d, bytes, cudaMemcpyDeviceToHost));
}
/* A malloc'ed host copy of bytes of device memory, after the work queued on S; free it. */
static inline void *host_copy(const void *dev, size_t bytes)
{
    void *h = malloc(bytes ? bytes : 1);
    to_host(h, dev, bytes);
    return h;
}
/* After a CUDA function: launch errors, then errors of the running kernels. */
static inline void sync_check(const char *what)
{
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) e = cudaStreamSynchronize(S);
    if (e != cudaSuccess) {
        printf("Bail out! %s: %s\n", what, cudaGetErrorString(e));
        exit(1);
    }
}
#endif
