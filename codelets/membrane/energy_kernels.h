/* energy_kernels.h - the membrane energy ops' kernels (energy.c on the CPU, energy.cu on CUDA),
 * pure functions of sd_tile_args (no StarPU). Roles (buffer slots), scalars (a->acc, in role
 * order) and parameters of each are in glue_energy.c's declarations. */
#ifndef SD_MEMBRANE_ENERGY_KERNELS_H
#define SD_MEMBRANE_ENERGY_KERNELS_H

#include "stardag/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

void sd_membrane_curvature_cpu(const sd_tile_args *a);
void sd_membrane_measure_cpu(const sd_tile_args *a);
void sd_membrane_face_geometry_cpu(const sd_tile_args *a);
void sd_membrane_bending_cpu(const sd_tile_args *a);
void sd_membrane_tension_cpu(const sd_tile_args *a);
void sd_membrane_volume_cpu(const sd_tile_args *a);
void sd_membrane_energy_cpu(const sd_tile_args *a);
void sd_membrane_trial_volume_cpu(const sd_tile_args *a);
void sd_membrane_trial_energy_cpu(const sd_tile_args *a);
void sd_membrane_gradient_at(const sd_mpart *m, const double *param, const double *x, int64_t sx, double *g,
                             int64_t sg, double *vg, int64_t svg, double *scratch);

void sd_membrane_curvature_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_measure_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_face_geometry_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_bending_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_tension_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_volume_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_energy_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_trial_volume_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_trial_energy_cuda(const sd_tile_args *a, void *stream);

#ifdef __cplusplus
}
#endif
#endif
