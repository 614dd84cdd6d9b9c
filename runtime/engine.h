/* engine.h - the StarPU side: data registration, one StarPU codelet per stardag codelet, and the
 * submission of the tasks that expand.c emits. The run loop (run.c) drives it. */
#ifndef SD_ENGINE_H
#define SD_ENGINE_H
#include <stdint.h>
#include "expand.h"
#include "halo.h"

/* Host-side results that tasks deliver asynchronously: scalars of one step, or one field
 * snapshot. Complete once sealed (all its tasks submitted) and done == expected. */
typedef struct sd_record {
    int is_field;
    int64_t step;
    int field;                 /* field records; -1: a particle trajectory frame */
    void *data;                /* field records: whole field, x fastest, components outermost;
                                  trajectory frames: positions (3N, SoA), velocities (3N), ids (N int64) */
    char *error;               /* set by a task that found the run cannot go on (particle lost, ...) */
    int error_status;          /* the exit status that error stands for (SD_EXIT_CHECK, SD_EXIT_RUNTIME) */
    double *value;             /* scalar records: one per graph scalar, NaN where not computed */
    unsigned char *computed;   /* scalar records: which scalars this step computed */
    int expected;
    int done;                  /* atomically incremented by tasks */
    int sealed;
    struct sd_record *next;
} sd_record;

/* Per codelet, per architecture (SD_AT_CPU, SD_AT_CUDA): tasks run and their summed time. */
enum { SD_AT_CPU = 0, SD_AT_CUDA = 1, SD_NARCH = 2 };
typedef struct sd_codelet_stats {
    const char *name;
    int64_t ntasks[SD_NARCH]; /* atomics */
    int64_t ns[SD_NARCH];
} sd_codelet_stats;

typedef struct sd_engine_opts {
    int use_models;   /* attach history-based performance models (for the model-based dm* schedulers) */
    int arch;         /* sd_arch: where codelet and halo tasks may run */
    int profile;      /* StarPU profiling is on: time tasks from its records (needed for CUDA tasks,
                         whose kernels run asynchronously), not in the trampolines */
    struct sd_trace *trace; /* record every task here (requires profile) */
    double t0_us;     /* starpu_timing_now() at the run's start: trace times count from it */
    int nblocks;      /* particle domains: blocks (> 0 overrides the graph's) */
} sd_engine_opts;

struct sd_engine;
typedef struct sd_engine sd_engine;

/* Creates tiles, buffers and handles. StarPU must be initialised. */
sd_engine *sd_engine_create(const sd_graph *g, const int64_t tile[3], const sd_engine_opts *o, char *err, size_t errlen);
void sd_engine_destroy(sd_engine *e); /* release + free, for a failed set-up (no task submitted yet) */
/* Waits for all tasks, unregisters and frees the data; the codelets and their perf models stay, since
 * starpu_shutdown still writes to every registered perf model: call sd_engine_free after it. */
void sd_engine_release(sd_engine *e);
void sd_engine_free(sd_engine *e);
const sd_tiling *sd_engine_tiling(const sd_engine *e);

void sd_engine_submit_init(sd_engine *e);
void sd_engine_submit_step(sd_engine *e, int64_t step);
void sd_engine_submit_snapshot(sd_engine *e, int field, int level, int64_t step);
/* Marks the records of everything submitted so far as sealed. */
void sd_engine_seal(sd_engine *e);
/* The oldest record if complete (removed from the queue; free with sd_record_free), else NULL. */
sd_record *sd_engine_pop_complete(sd_engine *e);
/* Any records left (complete or not)? */
int sd_engine_pending(const sd_engine *e);
void sd_record_free(sd_record *r);

int64_t sd_engine_tasks_submitted(const sd_engine *e);
int sd_engine_stats(const sd_engine *e, const sd_codelet_stats **stats);
/* Kernel time of a worker, summed over its tasks. */
int64_t sd_engine_busy_ns(const sd_engine *e, int worker);
/* Particle domains: blocks, their room, and neighbour-list rebuilds so far. Returns 0 for grids. */
typedef struct sd_particle_stats {
    int nblocks;
    int64_t cells[3];          /* the box grid */
    int64_t cap_home, cap_ghost, cap_list;
    int64_t rebuilds;          /* neighbour-list rebuilds done */
    int64_t dangerous;         /* fixed-period rebuilds after some particle had moved more than skin/2 */
} sd_particle_stats;
int sd_engine_particle_stats(const sd_engine *e, sd_particle_stats *ps);
/* NULL when every codelet can run under the engine's arch restriction, else the name of one
 * that cannot (e.g. no CUDA implementation for SD_ARCH_CUDA). */
const char *sd_engine_unrunnable(const sd_engine *e);

#endif
