/* engine_plan.c - see engine_plan.h. The footprint is computed as StarPU computes it when it records
 * a history entry (from the buffers, and the kind's work key: engine.c), so the plan's keys are
 * the models' keys; the task itself is a stack copy that StarPU never sees. */
#include "engine_plan.h"

void sd_eng_plan_task(sd_plan_fn fn, void *user, struct starpu_codelet *cl, const char *symbol, void *arg,
                      sd_plan_keys keys, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode)
{
    const double t0 = starpu_timing_now();
    struct starpu_task t;
    starpu_task_init(&t);
    t.cl = cl;
    t.cl_arg = arg;
    t.nbuffers = n;
    if (n > STARPU_NMAXBUFS) {
        t.dyn_handles = (starpu_data_handle_t *)h;
        t.dyn_modes = (enum starpu_data_access_mode *)mode;
    } else
        for (int i = 0; i < n; i++) {
            t.handles[i] = h[i];
            t.modes[i] = mode[i];
        }
    sd_plan_task p = {.symbol = symbol, .can_cpu = (cl->where & STARPU_CPU) != 0,
                      .can_cuda = (cl->where & STARPU_CUDA) != 0, .footprint = keys.footprint(&t),
                      .n = n, .h = h, .mode = mode, .t0_us = t0};
    if (keys.size) p.size = keys.size(&t, 0);
    else
        for (int i = 0; i < n; i++) p.size += starpu_data_get_size(h[i]);
    fn(user, &p);
}
