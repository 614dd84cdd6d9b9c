/* mypack.c - the mypack codelet pack's glue: its codelets' declarations (roles, parameters,
 * pattern, model symbol) and the pack symbol stardag looks for. No arithmetic here. */
#include <math.h>
#include <stdio.h>
#include <stardag/pack.h>
#include "mypack_kernels.h"

/* .cuda only when the Makefile built damp.cu (nvcc found and stardag has CUDA). */
#ifdef MYPACK_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

/* Refuse, before any task runs, a step that would wipe the field out. */
static int damp_validate(const sd_check_info *info, char *msg, size_t len)
{
    const double gdt = info->param[0] * info->dt;
    if (!(info->dt > 0)) {
        snprintf(msg, len, "mypack.damp needs a time step: dt = %g (expected dt > 0 in run:)", info->dt);
        return 1;
    }
    if (gdt > 50) {
        snprintf(msg, len, "gamma*dt = %g damps the field by exp(-%g) per step (expected gamma*dt <= 50)", gdt, gdt);
        return 1;
    }
    return 0;
}

static const sd_codelet mypack_codelets[] = {
    {.name = "mypack.damp",
     .doc = "linear friction du/dt = -gamma u over one step: u and u_prev *= exp(-gamma dt)",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {{.name = "u", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .doc = "the field (any components, f64 or f32)"},
               {.name = "u_prev", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD,
                .doc = "its previous time level (same components and dtype)"}},
     .nparams = 1,
     .params = {{.name = "gamma", .def = 0, .min = 0, .max = 1e300, .doc = "damping rate (1/time)"}},
     .cpu = mypack_damp_cpu,
     CUDA(mypack_damp_cuda)
     .cuda_tol = 0, /* one multiplication per element by the same double: bitwise */
     .validate = damp_validate,
     .model = "mypack.damp"},
};

STARDAG_PACK("mypack", mypack_codelets);
