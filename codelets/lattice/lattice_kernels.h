/* lattice_kernels.h - CPU and CUDA entry points and validate hooks of the lattice pack (internal). */
#ifndef SD_LATTICE_KERNELS_H
#define SD_LATTICE_KERNELS_H
#include <stddef.h>
#include "stardag/codelet.h"

#ifdef __cplusplus
extern "C" {
#endif

void sd_lattice_kg_leapfrog_cpu(const sd_tile_args *a);
void sd_lattice_chi_leapfrog_cpu(const sd_tile_args *a);
void sd_lattice_energy_cpu(const sd_tile_args *a);
void sd_lattice_gaussian_packet_cpu(const sd_tile_args *a);
void sd_lattice_plane_wave_cpu(const sd_tile_args *a);
void sd_lattice_mode_projection_cpu(const sd_tile_args *a);

/* CUDA (kg_leapfrog.cu, energy.cu, init.cu, mode_projection.cu): a->p[] are device pointers,
 * stream is a cudaStream_t. Linked into the library only when it is built with CUDA. */
void sd_lattice_kg_leapfrog_cuda(const sd_tile_args *a, void *stream);
void sd_lattice_chi_leapfrog_cuda(const sd_tile_args *a, void *stream);
void sd_lattice_energy_cuda(const sd_tile_args *a, void *stream);
void sd_lattice_gaussian_packet_cuda(const sd_tile_args *a, void *stream);
void sd_lattice_plane_wave_cuda(const sd_tile_args *a, void *stream);
void sd_lattice_mode_projection_cuda(const sd_tile_args *a, void *stream);

/* Per-tile set-up of the initialisers (init.c), shared by the CPU loops and the CUDA launchers so
 * both use the same host-computed values (omega needs libm's sin/asin). */
void sd_lattice_packet_setup(int ndim, const int64_t shape[3], const double dx[3], const double *prm,
                             double dt, double x0[3], double k[3], double vg[3], double *omega);
void sd_lattice_wave_setup(int ndim, const int64_t shape[3], const double dx[3], const double *prm, double dt,
                           int64_t m[3], double *wdt);

int sd_lattice_kg_leapfrog_validate(const sd_check_info *info, char *msg, size_t len);
int sd_lattice_chi_leapfrog_validate(const sd_check_info *info, char *msg, size_t len);
int sd_lattice_energy_validate(const sd_check_info *info, char *msg, size_t len);
/* 0 when order is 2, 4 or 6; else -1 with the message. */
int sd_lattice_order_validate(double order, char *msg, size_t len);
/* Rows per y-block of a tile loop that reads `planes` z-planes of nx-cell rows (reach P in y) per
 * z-step: they stay in a quarter of the L2 (kg_leapfrog.c). */
int64_t sd_lattice_block_rows(int64_t nx, int64_t ny, int planes, int P, size_t es);
/* sd_codelet.reach of the stencil codelets: order/2 (param 1 of each is its order). */
int sd_lattice_reach(const double *param);
int sd_lattice_gaussian_packet_validate(const sd_check_info *info, char *msg, size_t len);
int sd_lattice_plane_wave_validate(const sd_check_info *info, char *msg, size_t len);
int sd_lattice_mode_projection_validate(const sd_check_info *info, char *msg, size_t len);

/* Parameter positions (declaration order in register.c). */
enum { KG_LF_C = 0, KG_LF_ORDER, KG_LF_GAMMA };
enum { KG_EN_C = 0, KG_EN_ORDER, KG_EN_GAMMA };
enum { KG_CX_C = 0, KG_CX_ORDER, KG_CX_KAPPA, KG_CX_E0 };
enum { KG_GP_A = 0, KG_GP_W, KG_GP_X0, KG_GP_Y0, KG_GP_Z0, KG_GP_KX, KG_GP_KY, KG_GP_KZ, KG_GP_C, KG_GP_CHI, KG_GP_ORDER };
enum { KG_PW_A = 0, KG_PW_MX, KG_PW_MY, KG_PW_MZ, KG_PW_PHASE, KG_PW_C, KG_PW_CHI, KG_PW_ORDER };
enum { KG_MP_MX = 0, KG_MP_MY, KG_MP_MZ };

#ifdef __cplusplus
}
#endif

#endif
