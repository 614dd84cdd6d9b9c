/* mesh_ops.h - the mesh pack's generic vertex ops (no StarPU): deterministic noise, perturbation
 * and sums over a mesh's owned vertices, and noise and products on edge fields. The noise of a value is hashed
 * from the seed and the vertex's (edge's) global id and component (common_math.h's splitmix64
 * stream), so it does not depend on the partition. */
#ifndef SD_MESH_OPS_H
#define SD_MESH_OPS_H
#include "stardag/codelet.h"
#include "common/common_math.h"

/* The noise stream position of component c of global vertex v. */
SD_HD uint64_t sd_mesh_noise_index(int64_t c, int64_t v, int64_t nv) { return (uint64_t)(c * nv + v); }

/* The part of vector (x0, x1, x2) along n: (x.n / n.n) n, component c; 0 where n = 0. */
SD_HD double sd_mesh_along(const double x[3], const double n[3], int c)
{
    const double nn = n[0] * n[0] + n[1] * n[1] + n[2] * n[2];
    return nn > 0 ? (x[0] * n[0] + x[1] * n[1] + x[2] * n[2]) / nn * n[c] : 0.0;
}
/* A product of edge values: (a u) w (mesh.edge_mul). */
SD_HD double sd_mesh_edge_mul(double a, double u, double w) { return a * u * w; }
/* One term of a dot product over components: x_c y_c. */
SD_HD double sd_mesh_dot_term(double x, double y) { return x * y; }

#ifdef __cplusplus
extern "C" {
#endif
void sd_mesh_noise_cpu(const sd_tile_args *a);
void sd_mesh_edge_noise_cpu(const sd_tile_args *a);
void sd_mesh_edge_mul_cpu(const sd_tile_args *a);
void sd_mesh_along_cpu(const sd_tile_args *a);
void sd_mesh_dot_cpu(const sd_tile_args *a);
void sd_mesh_perturb_cpu(const sd_tile_args *a);
void sd_mesh_sum_cpu(const sd_tile_args *a);
void sd_mesh_axpy_cpu(const sd_tile_args *a);
void sd_mesh_noise_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_edge_noise_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_edge_mul_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_along_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_dot_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_perturb_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_sum_cuda(const sd_tile_args *a, void *stream);
void sd_mesh_axpy_cuda(const sd_tile_args *a, void *stream);
#ifdef __cplusplus
}
#endif
#endif
