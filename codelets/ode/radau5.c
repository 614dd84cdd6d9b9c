/* radau5.c - ode.radau5 on CPUs: radau_math.h's state machine (with implicit_events.h's event
 * layer) in lock-step lane groups (implicit_cpu.c). */
#include "config.h"
#include "implicit_cpu.h"
#include "implicit_events.h"
#include "ode_implicit_kernels.h"

static const sd_imp_method radau5_method = {.id = SD_IMP_RADAU, .interpolate_param = 1};

void sd_ode_radau5_cpu(const sd_tile_args *a) { sd_imp_cpu_tile(a, &radau5_method); }
