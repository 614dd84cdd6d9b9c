/* engine_sim.c - what a task kind does in StarPU's simulation (SimGrid): engine.h,
 * sd_eng_kind_simulation. Nothing in a real run. */
#include <stddef.h>
#include <starpu.h>
#include "engine.h"
#include "engine_impl.h"

#ifdef STARPU_SIMGRID
/* SD_SIMGRID_RUN_MODEL: StarPU runs a STARPU_CODELET_SIMGRID_EXECUTE task in no simulated time, so
 * its worker then sleeps the model's time in the simulation (the time the call took while the
 * model has no entry for it yet). */
static void run_then_model_time(void *buffers[], void *arg)
{
    struct starpu_task *t = starpu_task_get_current();
    const kind_entry *k = (const kind_entry *)(const void *)((const char *)t->cl - offsetof(kind_entry, cl));
    const int64_t t0 = sd_ns_now(); /* the real clock: StarPU's is the simulated one */
    k->sim_cpu(buffers, arg);
    const double took_us = 1e-3 * (double)(sd_ns_now() - t0);
    const double model_us =
        starpu_task_expected_length(t, starpu_worker_get_perf_archtype(starpu_worker_get_id(), t->sched_ctx), 0);
    starpu_usleep((float)(model_us > 0 ? model_us : took_us));
}
#endif

void sd_eng_kind_simulation(sd_engine *e, int kind, int mode)
{
#ifdef STARPU_SIMGRID
    kind_entry *k = e->kinds[kind];
    struct starpu_codelet *cl = &k->cl;
    cl->flags &= ~(STARPU_CODELET_SIMGRID_EXECUTE_AND_INJECT | STARPU_CODELET_SIMGRID_EXECUTE);
    if (k->sim_cpu) cl->cpu_funcs[0] = k->sim_cpu, k->sim_cpu = NULL;
    if (mode == SD_SIMGRID_MEASURED) cl->flags |= STARPU_CODELET_SIMGRID_EXECUTE_AND_INJECT;
    else if (mode == SD_SIMGRID_RUN_MODEL && cl->cpu_funcs[0]) {
        cl->flags |= STARPU_CODELET_SIMGRID_EXECUTE;
        k->sim_cpu = cl->cpu_funcs[0];
        cl->cpu_funcs[0] = run_then_model_time;
    }
#else
    (void)e, (void)kind, (void)mode;
#endif
}
