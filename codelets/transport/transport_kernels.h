/* transport_kernels.h - CPU and CUDA entry points, validate hooks and role/parameter positions of
 * the transport pack (internal; declarations in register.c). */
#ifndef SD_TRANSPORT_KERNELS_H
#define SD_TRANSPORT_KERNELS_H
#include <stddef.h>
#include "stardag/codelet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Role positions (register.c declares them in this order). */
enum { TR_BEAM_PSI = 0, TR_BEAM_OCC, TR_BEAM_PSI_NEXT, TR_BEAM_OCC_NEXT };
enum { TR_SC_PSI = 0, TR_SC_OCC, TR_SC_TALLY };
enum { TR_EL_PSI = 0, TR_EL_OCC, TR_EL_DOSE, TR_EL_TALLY, TR_EL_TABLE };
enum { TR_ST_PSI = 0, TR_ST_OCC, TR_ST_PSI_NEXT, TR_ST_OCC_NEXT, TR_ST_TALLY };
enum { TR_STEP_PSI = 0, TR_STEP_OCC, TR_STEP_PSI_NEXT, TR_STEP_OCC_NEXT, TR_STEP_DOSE, TR_STEP_TALLY, TR_STEP_TABLE };
enum { TR_TOT_PSI = 0, TR_TOT_OCC, TR_TOT_DOSE, TR_TOT_TALLY };
enum { TR_ESC_TALLY = 0 };
/* Parameter positions. */
enum { TR_BEAM_ENERGY = 0, TR_BEAM_ESPREAD, TR_BEAM_X0, TR_BEAM_WIDTH, TR_BEAM_ANGLE, TR_BEAM_ASPREAD, TR_BEAM_WEIGHT };
enum { TR_SC_KSIGMA = 0 };
enum { TR_EL_ECUT = 0 };
enum { TR_STEP_KSIGMA = 0, TR_STEP_ECUT, TR_STEP_CUTOFF };
/* totals' partial sums */
enum { TR_P_WEIGHT = 0, TR_P_ENERGY, TR_P_DEPOSITED, TR_P_STOPPED, TR_P_LOST, TR_P_ESCAPED, TR_P_LOST_E, TR_P_ESCAPED_E, TR_NPARTIALS };

void sd_transport_pencil_beam_cpu(const sd_tile_args *a);
void sd_transport_angular_scatter_cpu(const sd_tile_args *a);
void sd_transport_energy_loss_cpu(const sd_tile_args *a);
void sd_transport_stream_cpu(const sd_tile_args *a);
void sd_transport_step_cpu(const sd_tile_args *a);
void sd_transport_totals_cpu(const sd_tile_args *a);
void sd_transport_escaped_cpu(const sd_tile_args *a);
/* The bins where psi may be non-zero at a cell, from its occ (sd_support_fn): [theta first, last],
 * [E first, last]; an empty cell's occ ([Ntheta, -1, NE, -1]) gives an empty box. */
void sd_transport_support(const double *occ, int64_t stride, int ninner, int64_t first[], int64_t last[]);
void sd_transport_totals_finish(const double *sums, const sd_check_info *info, double *out);

void sd_transport_pencil_beam_cuda(const sd_tile_args *a, void *stream);
void sd_transport_angular_scatter_cuda(const sd_tile_args *a, void *stream);
void sd_transport_energy_loss_cuda(const sd_tile_args *a, void *stream);
void sd_transport_stream_cuda(const sd_tile_args *a, void *stream);
void sd_transport_step_cuda(const sd_tile_args *a, void *stream);
void sd_transport_totals_cuda(const sd_tile_args *a, void *stream);
void sd_transport_escaped_cuda(const sd_tile_args *a, void *stream);

int sd_transport_beam_validate(const sd_check_info *info, char *msg, size_t len);
int sd_transport_scatter_validate(const sd_check_info *info, char *msg, size_t len);
int sd_transport_loss_validate(const sd_check_info *info, char *msg, size_t len);
int sd_transport_stream_validate(const sd_check_info *info, char *msg, size_t len);
int sd_transport_step_validate(const sd_check_info *info, char *msg, size_t len);
int sd_transport_grid_validate(const sd_check_info *info, char *msg, size_t len);
/* psi roles (0, or 0 and 2) hold one component on the bins */
int sd_transport_ncomp_psi0(int role, const sd_check_info *info);
int sd_transport_ncomp_psi02(int role, const sd_check_info *info);

#ifdef __cplusplus
}
#endif
#endif
