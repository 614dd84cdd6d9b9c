/* mesh_ops.h - the mesh pack's generic vertex ops (no StarPU): deterministic noise, perturbation
 * and sums over a mesh's owned vertices. The noise of a value is hashed from the seed and the
 * vertex's global id and component (common_math.h's splitmix64 stream), so it does not depend on
 * the partition. */
#ifndef SD_MESH_OPS_H
#define SD_MESH_OPS_H
#include "stardag/codelet.h"
#include "common/common_math.h"

/* The noise stream position of component c of global vertex v. */
SD_HD uint64_t sd_mesh_noise_index(int64_t c, int64_t v, int64_t nv) { return (uint64_t)(c * nv + v); }

void sd_mesh_noise_cpu(const sd_tile_args *a);
void sd_mesh_perturb_cpu(const sd_tile_args *a);
void sd_mesh_sum_cpu(const sd_tile_args *a);
void sd_mesh_axpy_cpu(const sd_tile_args *a);
#ifdef __cplusplus
extern "C" {
#endif
void sd_mesh_noise_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_perturb_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_sum_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_axpy_cuda(const sd_tile_args *a, void *stream);
#ifdef __cplusplus
}
#endif
#endif
