/* md_ops.h - the md pack's StarPU-free glue (ops.c) and its registration (register.c). */
#ifndef SD_MD_OPS_H
#define SD_MD_OPS_H
#include "stardag/codelet.h"
#include "md_kernels.h"

#define SD_MD_MAX_BLOCKS 4096 /* whole ops (velocity_create) see at most this many blocks */

void sd_md_op_fcc_lattice(const sd_tile_args *a);
void sd_md_op_velocity_create(const sd_tile_args *a);
void sd_md_op_kick(const sd_tile_args *a);
void sd_md_op_drift(const sd_tile_args *a);
void sd_md_op_lj_force(const sd_tile_args *a);
void sd_md_op_thermo(const sd_tile_args *a);
void sd_md_finish_thermo(const double *sums, const sd_check_info *info, double *out);
void sd_md_op_temperature(const sd_tile_args *a);
void sd_md_finish_temperature(const double *sums, const sd_check_info *info, double *out);
void sd_md_op_berendsen(const sd_tile_args *a);
void sd_md_op_langevin(const sd_tile_args *a);
void sd_md_op_kick_cuda(const sd_tile_args *a, void *stream);
void sd_md_op_drift_cuda(const sd_tile_args *a, void *stream);
void sd_md_op_lj_force_cuda(const sd_tile_args *a, void *stream);
void sd_md_op_thermo_cuda(const sd_tile_args *a, void *stream);
void sd_md_op_temperature_cuda(const sd_tile_args *a, void *stream);
void sd_md_op_langevin_cuda(const sd_tile_args *a, void *stream);
int sd_md_fcc_validate(const sd_check_info *info, char *msg, size_t len);
void sd_register_md_codelets(void);
#endif
