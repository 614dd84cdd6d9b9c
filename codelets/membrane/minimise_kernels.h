/* minimise_kernels.h - CPU and CUDA entry points of the membrane minimiser ops (internal to the
 * library). Every op's buffer slots follow its roles in declaration order (glue_minimise.c):
 * field roles are 3-component f64 vertex fields, component c of local vertex v at p[v + c*sc];
 * a POINTWISE or REDUCTION op touches the owned vertices [0, mesh.nv_own) only; scalar read
 * roles point at one double (a device pointer in a CUDA task); a reduction's scalars are its
 * acc[] partials, in role order; the whole ops (trial_lambda, armijo) read and write every scalar
 * through p[] (host). */
#ifndef SD_MEMBRANE_MINIMISE_KERNELS_H
#define SD_MEMBRANE_MINIMISE_KERNELS_H
#include "stardag/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Slots: g vgrad gv vv gp(w); param fix. */
void sd_membrane_project_cpu(const sd_tile_args *a);
/* Slots: gp gprev; acc gg gq qq. */
void sd_membrane_cg_dots_cpu(const sd_tile_args *a);
/* Slots: gp d(rw) gprev(rw) gg gq qq restart; params method, tol. */
void sd_membrane_direction_cpu(const sd_tile_args *a);
/* Slots: gp d; acc s. */
void sd_membrane_slope_cpu(const sd_tile_args *a);
/* Slots: x(rw) d vgrad step k lam0 lam1 lam2 lam3. */
void sd_membrane_step_cpu(const sd_tile_args *a);
/* Slots: v0 vv V0 V1 V2 V3 lam0(w) lam1(w) lam2(w) lam3(w); param fix. */
void sd_membrane_trial_lambda_cpu(const sd_tile_args *a);
/* Slots: merit s gg L0 L1 L2 L3 alpha(rw) step(w) restart(w) k(w); params c1, grow, alpha0, tol. */
void sd_membrane_armijo_cpu(const sd_tile_args *a);
/* Slots: d(w) gprev(w). */
void sd_membrane_cg_reset_cpu(const sd_tile_args *a);
/* Slots: alpha(w) restart(w) gg(w); param alpha0. */
void sd_membrane_line_init_cpu(const sd_tile_args *a);

/* membrane.newton (newton.c; a whole-mesh op: every vertex owned, fields of stride nv): slots x g vgrad n
 * area lm(rw) d(w) pred(w); params kappa c0 kappa_G gamma p fix lm0 fd lm_max. */
void sd_membrane_newton_cpu(const sd_tile_args *a);
/* Slots: merit pred gg L0 L1 L2 L3 alpha lm(rw) step(w) k(w); params c1, tol, lm0, lm_min. */
void sd_membrane_newton_accept_cpu(const sd_tile_args *a);
/* Slots: lm(w); param lm0. */
void sd_membrane_newton_init_cpu(const sd_tile_args *a);

/* CUDA twins (minimise.cu): a->p[] and a->acc are device pointers, stream a cudaStream_t.
 * Linked into the library only when it is built with CUDA (SD_HAVE_CUDA). */
void sd_membrane_project_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_cg_dots_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_direction_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_slope_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_step_cuda(const sd_tile_args *a, void *stream);
void sd_membrane_cg_reset_cuda(const sd_tile_args *a, void *stream);

#ifdef __cplusplus
}
#endif
#endif
