/* ode_implicit_kernels.h - CPU and CUDA entry points of ode.radau5 and ode.bdf (internal; declared
 * in glue_implicit.c). */
#ifndef SD_ODE_IMPLICIT_KERNELS_H
#define SD_ODE_IMPLICIT_KERNELS_H
#include "stardag/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

void sd_ode_radau5_cpu(const sd_tile_args *a);
void sd_ode_bdf_cpu(const sd_tile_args *a);
/* CUDA (radau5.cu, bdf.cu): built-in systems only (sd_ode_system.device == SD_ODE_DEVICE_BUILTIN);
 * a->p[] are device pointers, stream a cudaStream_t. */
void sd_ode_radau5_cuda(const sd_tile_args *a, void *stream);
void sd_ode_bdf_cuda(const sd_tile_args *a, void *stream);

#ifdef __cplusplus
}
#endif
#endif
