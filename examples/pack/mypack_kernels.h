/* mypack_kernels.h - the kernels of the mypack codelets: pure functions on a tile (no StarPU). */
#ifndef MYPACK_KERNELS_H
#define MYPACK_KERNELS_H
#include <stddef.h>
#include <stardag/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

/* mypack.damp: roles u (RW), u_prev (RW), param gamma; both fields *= exp(-gamma dt). */
void mypack_damp_cpu(const sd_tile_args *a);
/* The same on a GPU (damp.cu): a->p[] are device pointers, stream is a cudaStream_t. */
void mypack_damp_cuda(const sd_tile_args *a, void *stream);

#ifdef __cplusplus
}
#endif
#endif
