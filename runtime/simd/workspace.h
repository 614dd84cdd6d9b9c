/* workspace.h - the per-thread workspace of the bundled CPU kernels (internal: not installed). */
#ifndef SD_WORKSPACE_H
#define SD_WORKSPACE_H
#include <stddef.h>

/* The calling thread's workspace of at least `bytes` bytes (contents undefined, 64-byte aligned),
 * or NULL when memory is exhausted. Kernels that need temporary room (the ODE solvers, the
 * mixed-precision pair forces) take it here instead of allocating per task: one buffer per thread
 * (a StarPU worker runs one task at a time), grown when a larger task comes and freed when the
 * thread exits. A call invalidates the buffer an earlier call returned, so a kernel asks once per
 * task and nothing it calls may ask again: that is why this is not in the public kernel.h, whose
 * users write ODE lane functions that run while a solver holds the buffer. */
void *sd_workspace(size_t bytes);

#endif
