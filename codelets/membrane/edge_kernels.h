/* edge_kernels.h - the kernels of the membrane ops on mesh edges (edges.c on the CPU, edges.cu on
 * CUDA), pure functions of sd_tile_args (no StarPU). Roles (buffer slots), scalars (a->acc, in role
 * order) and parameters of each are in glue_edges.c's declarations. */
#ifndef SD_MEMBRANE_EDGE_KERNELS_H
#define SD_MEMBRANE_EDGE_KERNELS_H

#include "stardag/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

void sd_membrane_edge_geometry_cpu(const sd_tile_args *a);
void sd_membrane_edge_sum_cpu(const sd_tile_args *a);
void sd_membrane_tether_cpu(const sd_tile_args *a);

void sd_membrane_edge_geometry_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_edge_sum_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_tether_cuda(const sd_tile_args *a, void *stream);

#ifdef __cplusplus
}
#endif
#endif
