/* sched.h - scheduler names checked against StarPU's own list before StarPU starts: StarPU
 * would only warn about an unknown STARPU_SCHED and run with its default. */
#ifndef SD_SCHED_H
#define SD_SCHED_H
#include <stddef.h>

/* 1 if name is one of StarPU's predefined scheduling policies. */
int sd_sched_known(const char *name);

/* The message refusing name: where it came from (e.g. "--sched" or "STARPU_SCHED in the
 * environment") and every valid name. */
void sd_sched_refusal(const char *name, const char *origin, char *err, size_t errlen);

/* Does the policy place tasks by their performance models (dm*, heft)? Those attach models to the
 * codelets, and calibrate needs one. */
int sd_sched_model_based(const char *name);
/* What a run uses when no scheduler is named: with CUDA devices present the models place each task
 * on the device that finishes it first (dmdas); without, there is nothing to choose between and
 * lws steals work. */
const char *sd_sched_default(int cuda_devices);

#endif
