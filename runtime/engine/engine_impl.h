/* engine_impl.h - the engine's state, shared by engine.c (task kinds, submission, data) and
 * records.c (the record queue). Internal to runtime/engine. */
#ifndef SD_ENGINE_IMPL_H
#define SD_ENGINE_IMPL_H
#include <starpu.h>
#include "engine.h"
#include "dist.h"

/* One StarPU codelet per task kind, with its row of statistics. Allocated one by one: tasks and
 * meters keep pointers into them. */
typedef struct kind_entry {
    const sd_codelet *sc; /* op kinds: the stardag codelet; NULL for a domain's own kinds */
    char symbol[SD_MODEL_SYMBOL_MAX]; /* op kinds: the model symbol in this graph (sd_graph_model_symbol) */
    sd_codelet_stats stats;
    struct starpu_codelet cl;
    struct starpu_perfmodel model;
    sd_work_key_fn work;  /* NULL: the footprint is StarPU's data footprint (sd_eng_kind_work) */
    starpu_cpu_func_t sim_cpu; /* StarPU's simulation, SD_SIMGRID_RUN_MODEL: the CPU function that
                                  run_then_model_time runs (sd_eng_kind_simulation); else NULL */
} kind_entry;

struct sd_engine {
    const sd_graph *g;
    sd_engine_opts o;
    kind_entry **kinds;
    int nkinds, cap_kinds;
    int models_paused;     /* sd_engine_pause_models: kinds made meanwhile start without a model too */
    sd_codelet_stats *stats_view; /* the kinds' rows side by side, made by sd_engine_stats */
    int64_t busy[STARPU_NMAXWORKERS]; /* kernel time per worker, ns */
    double *sval;
    starpu_data_handle_t *sh;
    double **tmem;                /* the graph's tables, pinned copies */
    starpu_data_handle_t *th;
    const char *unrunnable; /* a codelet the arch restriction leaves without an implementation */
    char *fatal;            /* the first fatal task error (atomically set) */
    sd_acc *acc_template;   /* SD_MAX_ACC initialised partials, pinned, for CUDA reductions */
    sd_record *head, *tail, *scalars_now;
    int64_t submitted;
    int ckpt_kind;          /* the scalar snapshot of checkpoints; -1 until the first */
    sd_dist_state dist;     /* a distributed run's owners and tags (engine/dist.h) */
};

#endif
