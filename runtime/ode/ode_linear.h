/* ode_linear.h - the built-in `linear` system, y' = A y + b, made per file: A (dense n x n) and
 * b (n) from the datasets /A and /b of an HDF5 file. A graph names it as
 *   system: {name: linear, file: A.h5}
 * (the path as written, like a batch's values files), and the batch loader calls
 * sd_ode_linear_load with it. Its Jacobian is A; no parameters; CPU
 * only (device NONE). */
#ifndef SD_ODE_LINEAR_H
#define SD_ODE_LINEAR_H
#include <stddef.h>
#include "stardag/ode.h"

/* 0 with *sys named "linear" (its storage *owned, freed with sd_ode_linear_free), or -1 with
 * "FILE: what is wrong (what was expected)" in err: a missing file or dataset, a dataset of the
 * wrong rank or size, a non-finite entry. */
int sd_ode_linear_load(const char *file, const sd_ode_system **sys, void **owned, char *err, size_t len);
void sd_ode_linear_free(void *owned);

#endif
