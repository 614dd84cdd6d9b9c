/* probe.c - CUDA devices StarPU could use, asked before starpu_init (the default scheduler and
 * tile sizes depend on it). */
#include <stdlib.h>
#include "config.h"
#include "probe.h"
#ifdef SD_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

int sd_probe_cuda_devices(void)
{
#ifdef SD_HAVE_CUDA
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n < 0) n = 0;
    const char *lim = getenv("STARPU_NCUDA");
    if (lim && *lim) {
        int k = atoi(lim);
        if (k >= 0 && k < n) n = k;
    }
    return n;
#else
    return 0;
#endif
}
