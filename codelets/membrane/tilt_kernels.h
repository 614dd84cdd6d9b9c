/* tilt_kernels.h - CPU and CUDA entry points of the membrane tilt codelets (internal; declared in
 * glue_tilt.c). */
#ifndef SD_MEMBRANE_TILT_KERNELS_H
#define SD_MEMBRANE_TILT_KERNELS_H
#include "stardag/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

void sd_membrane_tilt_cpu(const sd_tile_args *a);
void sd_membrane_bending_tilt_cpu(const sd_tile_args *a);
void sd_membrane_tilt_t_cpu(const sd_tile_args *a); /* t-only: energy and tgrad, no grad */
void sd_membrane_bending_tilt_t_cpu(const sd_tile_args *a);
void sd_membrane_tilt_relax_cpu(const sd_tile_args *a);

/* CUDA (tilt.cu): a->p[] and the mesh arrays are device pointers, stream is a cudaStream_t. Linked
 * into the library only when it is built with CUDA. */
void sd_membrane_tilt_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_bending_tilt_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_tilt_t_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_bending_tilt_t_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_tilt_relax_cuda(const sd_tile_args *a, void *stream);

/* Parameter positions (declaration order in glue_tilt.c; the t-only ops share their full op's). */
enum { TILT_T_KT = 0 };
enum { TILT_BT_KAPPA = 0, TILT_BT_C0 };
enum { TILT_RELAX_ETA = 0 };

#ifdef __cplusplus
}
#endif
#endif
