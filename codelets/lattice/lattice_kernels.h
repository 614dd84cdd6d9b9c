/* lattice_kernels.h - CPU entry points and validate hooks of the lattice pack (internal). */
#ifndef SD_LATTICE_KERNELS_H
#define SD_LATTICE_KERNELS_H
#include <stddef.h>
#include "stardag/codelet.h"

void sd_lattice_kg_leapfrog_cpu(const sd_tile_args *a);
void sd_lattice_energy_cpu(const sd_tile_args *a);
void sd_lattice_gaussian_packet_cpu(const sd_tile_args *a);
void sd_lattice_plane_wave_cpu(const sd_tile_args *a);
void sd_lattice_mode_projection_cpu(const sd_tile_args *a);

int sd_lattice_kg_leapfrog_validate(const sd_check_info *info, char *msg, size_t len);
int sd_lattice_gaussian_packet_validate(const sd_check_info *info, char *msg, size_t len);
int sd_lattice_plane_wave_validate(const sd_check_info *info, char *msg, size_t len);
int sd_lattice_mode_projection_validate(const sd_check_info *info, char *msg, size_t len);

/* Parameter positions (declaration order in register.c). */
enum { KG_LF_C = 0 };
enum { KG_EN_C = 0 };
enum { KG_GP_A = 0, KG_GP_W, KG_GP_X0, KG_GP_Y0, KG_GP_Z0, KG_GP_KX, KG_GP_KY, KG_GP_KZ, KG_GP_C, KG_GP_CHI };
enum { KG_PW_A = 0, KG_PW_MX, KG_PW_MY, KG_PW_MZ, KG_PW_PHASE, KG_PW_C, KG_PW_CHI };
enum { KG_MP_MX = 0, KG_MP_MY, KG_MP_MZ };

#endif
