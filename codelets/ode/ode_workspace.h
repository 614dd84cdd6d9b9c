/* ode_workspace.h - the per-thread workspace of the ODE solvers' CPU kernels: no allocation in the
 * hot path, one buffer per thread (a StarPU worker), grown when a larger system comes and freed
 * when the thread exits. One task uses one solver at a time, so every solver shares it. */
#ifndef SD_ODE_WORKSPACE_H
#define SD_ODE_WORKSPACE_H
#include <stddef.h>

/* The calling thread's workspace of at least `need` doubles (contents undefined), or NULL when
 * memory is exhausted. Valid until the thread's next call. */
double *sd_ode_workspace(size_t need);

#endif
