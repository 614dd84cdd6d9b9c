/* common_kernels.h - CPU and CUDA entry points of the common pack (internal to the library). */
#ifndef SD_COMMON_KERNELS_H
#define SD_COMMON_KERNELS_H
#include <stddef.h>
#include "stardag/codelet.h"

#ifdef __cplusplus
extern "C" {
#endif

void sd_common_fill_cpu(const sd_tile_args *a);
void sd_common_copy_cpu(const sd_tile_args *a);
void sd_common_axpy_cpu(const sd_tile_args *a);
void sd_common_scale_cpu(const sd_tile_args *a);
void sd_common_noise_cpu(const sd_tile_args *a);
void sd_common_sum_cpu(const sd_tile_args *a);
void sd_common_max_abs_cpu(const sd_tile_args *a);
void sd_common_count_nonfinite_cpu(const sd_tile_args *a);

int sd_common_noise_validate(const sd_check_info *info, char *msg, size_t len);

/* CUDA (pointwise.cu, reduce.cu): a->p[] are device pointers, stream is a cudaStream_t. Linked
 * into the library only when it is built with CUDA (SD_HAVE_CUDA). */
void sd_common_fill_cuda(const sd_tile_args *a, void *stream);
void sd_common_copy_cuda(const sd_tile_args *a, void *stream);
void sd_common_axpy_cuda(const sd_tile_args *a, void *stream);
void sd_common_scale_cuda(const sd_tile_args *a, void *stream);
void sd_common_noise_cuda(const sd_tile_args *a, void *stream);
void sd_common_sum_cuda(const sd_tile_args *a, void *stream);
void sd_common_max_abs_cuda(const sd_tile_args *a, void *stream);
void sd_common_count_nonfinite_cuda(const sd_tile_args *a, void *stream);

/* Parameter positions of common.noise. */
enum { SD_NOISE_SEED = 0, SD_NOISE_LO, SD_NOISE_HI };

#ifdef __cplusplus
}
#endif
#endif
