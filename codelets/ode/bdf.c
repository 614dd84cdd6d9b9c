/* bdf.c - ode.bdf on CPUs: bdf_math.h's state machine in lock-step lane groups (implicit_cpu.c). */
#include "config.h"
#include "implicit_cpu.h"
#include "ode_implicit_kernels.h"
#include "bdf_math.h"

static int bdf_ev_y(int n) { return bdf_vec(n, BV_EVY); }
static int bdf_ev_f(int n) { return bdf_vec(n, BV_EVF); }
static int bdf_jac(int n) { return bdf_mat(n, BM_JAC); }

static const sd_imp_method bdf_method = {
    .work_ncomp = bdf_work_ncomp, .ev_t = BW_EV_T, .ev_y = bdf_ev_y, .ev_f = bdf_ev_f, .jac = bdf_jac,
    .begin = bdf_begin, .resume = bdf_resume, .max_order_param = 1};

void sd_ode_bdf_cpu(const sd_tile_args *a) { sd_imp_cpu_tile(a, &bdf_method); }
