/* common_kernels.h - CPU entry points of the common pack (internal to the library). */
#ifndef SD_COMMON_KERNELS_H
#define SD_COMMON_KERNELS_H
#include "stardag/kernel.h"

void sd_common_fill_cpu(const sd_tile_args *a);
void sd_common_copy_cpu(const sd_tile_args *a);
void sd_common_axpy_cpu(const sd_tile_args *a);
void sd_common_scale_cpu(const sd_tile_args *a);
void sd_common_sum_cpu(const sd_tile_args *a);
void sd_common_max_abs_cpu(const sd_tile_args *a);
void sd_common_count_nonfinite_cpu(const sd_tile_args *a);

#endif
