/* radau5.c - ode.radau5 on CPUs: radau_math.h's state machine in lock-step lane groups
 * (implicit_cpu.c). */
#include "config.h"
#include "implicit_cpu.h"
#include "ode_implicit_kernels.h"
#include "radau_math.h"

static int radau_ev_y(int n) { return radau_vec(n, RV_EVY); }
static int radau_ev_f(int n) { return radau_vec(n, RV_EVF); }
static int radau_jac(int n) { return radau_mat(n, RM_JAC); }

static const sd_imp_method radau5_method = {
    .work_ncomp = radau_work_ncomp, .ev_t = RW_EV_T, .ev_y = radau_ev_y, .ev_f = radau_ev_f, .jac = radau_jac,
    .begin = radau_begin, .resume = radau_resume};

void sd_ode_radau5_cpu(const sd_tile_args *a) { sd_imp_cpu_tile(a, &radau5_method); }
