/* engine_plan.h - a task handed to a plan sink instead of StarPU (sd_engine_opts.plan; engine.c
 * calls it from sd_eng_submit). */
#ifndef SD_ENGINE_PLAN_H
#define SD_ENGINE_PLAN_H
#include <starpu.h>
#include "engine.h"

/* The task of codelet cl (model symbol) with argument arg on n handles, as fn(user, ...) sees it:
 * where it may run, its footprint (footprint(task): the key its kind's history entries have) and
 * the buffers' size. Nothing is submitted. */
void sd_eng_plan_task(sd_plan_fn fn, void *user, struct starpu_codelet *cl, const char *symbol, void *arg,
                      uint32_t (*footprint)(struct starpu_task *), int n, const starpu_data_handle_t *h,
                      const enum starpu_data_access_mode *mode);

#endif
