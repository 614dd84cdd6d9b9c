/* engine_plan.h - a task handed to a plan sink instead of StarPU (sd_engine_opts.plan; engine.c
 * calls it from sd_eng_submit). */
#ifndef SD_ENGINE_PLAN_H
#define SD_ENGINE_PLAN_H
#include <starpu.h>
#include "engine.h"

/* The task of codelet cl (model symbol) with argument arg on n handles, as fn(user, ...) sees it:
 * where it may run, its footprint (footprint(task): the key its kind's history entries have) and
 * its size as those entries record it (size(task), the model's size_base, when not NULL; else the
 * buffers' bytes). Nothing is submitted. */
typedef struct sd_plan_keys {
    uint32_t (*footprint)(struct starpu_task *);
    size_t (*size)(struct starpu_task *, unsigned nimpl);
} sd_plan_keys;
void sd_eng_plan_task(sd_plan_fn fn, void *user, struct starpu_codelet *cl, const char *symbol, void *arg,
                      sd_plan_keys keys, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode);

#endif
