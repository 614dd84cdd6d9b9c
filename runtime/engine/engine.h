/* engine.h - the StarPU side that every domain shares: one StarPU codelet (with its performance
 * model and its row of run statistics) per task kind, task submission, scalar handles, the
 * reduction combine, host-side records, timing and trace. The engine knows no domain: a domain
 * class (dm/dm.h) registers its data, declares its task kinds and submits its tasks through the
 * calls below; the run loop (driver/run.c) takes the records. */
#ifndef SD_ENGINE_H
#define SD_ENGINE_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <starpu.h>
#include "graph.h"
#include "ckpt.h"

/* One part of a checkpoint (docs/checkpoint.md): a dataset under /state of the checkpoint file,
 * in a canonical layout that depends on no tiling, block, partition or worker count (a field:
 * the layout of its output snapshot). */
/* SD_CK_F64, SD_CK_F32, SD_CK_I64, SD_CK_U8 and sd_ckpt_type_size: io/ckpt.h */
typedef struct sd_ckpt_item {
    char name[128];          /* dataset path under /state: "fields/u/0", "particles/ids" */
    int type;                /* SD_CK_F64 ... */
    int ndim;
    int64_t dims[4];
    int end;                 /* the run loop's end-of-checkpoint record (its data: the host state) */
    int mark;                /* the run loop's mark for the writer: the output counts after this step
                                are the ones a checkpoint of it (held, written later) records */
    int held;                /* an end record of a held (last good) checkpoint: it records its mark's counts */
} sd_ckpt_item;

/* Host-side results that tasks deliver asynchronously: scalars of one step, or one output
 * snapshot of the domain, or one checkpoint part. Complete once sealed (all its tasks submitted)
 * and done == expected. */
typedef struct sd_record {
    int is_field;              /* an output snapshot (its meaning is the domain's), else scalars */
    int64_t step;
    int field;                 /* snapshots: the field, or -1 for a domain's own kind (a particle frame) */
    void *data;                /* snapshots: the data, laid out as the domain documents */
    size_t bytes;              /* snapshots: the size of data (the output queue's memory bound counts it) */
    char *error;               /* set by a task that found the run cannot go on (particle lost, ...) */
    int error_status;          /* the exit status that error stands for (SD_EXIT_CHECK, SD_EXIT_RUNTIME) */
    double *value;             /* scalar records: one per graph scalar, NaN where not computed */
    unsigned char *computed;   /* scalar records: which scalars this step computed */
    int expected;
    int done;                  /* atomically incremented by tasks */
    int sealed;
    sd_ckpt_item *ckpt;        /* non-NULL: a checkpoint part (is_field 1; field unused), freed with
                                  the record */
    struct sd_record *next;
} sd_record;

/* Per task kind, per architecture (SD_AT_CPU, SD_AT_CUDA): tasks run and their summed time. */
enum { SD_AT_CPU = 0, SD_AT_CUDA = 1, SD_NARCH = 2 };
typedef struct sd_codelet_stats {
    const char *name;
    int64_t ntasks[SD_NARCH]; /* atomics */
    int64_t ns[SD_NARCH];
} sd_codelet_stats;

/* A task as `stardag predict` sees it in place of StarPU (sd_engine_opts.plan): nothing runs;
 * the sink gets what a model lookup and a dependency analysis need. */
typedef struct sd_plan_task {
    const char *symbol;      /* the model symbol of its kind */
    int can_cpu, can_cuda;   /* where its kind may run (the engine's arch restriction applied) */
    uint32_t footprint;      /* StarPU's data footprint: the key of its history entries */
    size_t size;             /* its buffers' summed size (what StarPU's history entries record) */
    int n;
    const starpu_data_handle_t *h;
    const enum starpu_data_access_mode *mode;
    double t0_us;            /* starpu_timing_now() when the engine took the task: the plan's own
                                time (not a run's) is from there to the sink's return */
} sd_plan_task;
typedef void (*sd_plan_fn)(void *user, const sd_plan_task *t);

typedef struct sd_engine_opts {
    int use_models;   /* attach history-based performance models (for the model-based dm* schedulers) */
    int arch;         /* sd_arch: where codelet and halo tasks may run */
    int profile;      /* StarPU profiling is on: time tasks from its records (needed for CUDA tasks,
                         whose kernels run asynchronously), not in the trampolines */
    struct sd_trace *trace; /* record every task here (requires profile) */
    double t0_us;     /* starpu_timing_now() at the run's start: trace times count from it */
    sd_plan_fn plan;  /* non-NULL: tasks go to plan(plan_user, ...) and are not submitted */
    void *plan_user;
    const struct sd_dist *dist; /* a distributed run's distribution of parts to ranks (NULL: block) */
} sd_engine_opts;

typedef struct sd_engine sd_engine;

/* ---- for the run loop ---------------------------------------------------------------------- */

/* Scalars, tables, statistics, the codelet table. StarPU must be initialised. */
sd_engine *sd_engine_create(const sd_graph *g, const sd_engine_opts *o, char *err, size_t errlen);
/* Waits for all tasks, unregisters the scalars and tables and drops the records; the codelets and their perf
 * models stay, since starpu_shutdown still writes to every registered perf model: call
 * sd_engine_free after it. A domain releases its own data before this. */
void sd_engine_release(sd_engine *e);
void sd_engine_free(sd_engine *e);

/* Marks the records of everything submitted so far as sealed. */
void sd_engine_seal(sd_engine *e);
/* The oldest record if complete (removed from the queue; free with sd_record_free), else NULL. */
sd_record *sd_engine_pop_complete(sd_engine *e);
/* Any records left (complete or not)? */
int sd_engine_pending(const sd_engine *e);
void sd_record_free(sd_record *r);
/* The first fatal error a task reported (a CUDA failure): the run must stop. NULL if none. */
const char *sd_engine_fatal(const sd_engine *e);

int64_t sd_engine_tasks_submitted(const sd_engine *e);
/* The rows of every task kind, side by side (valid until the next call). */
int sd_engine_stats(sd_engine *e, const sd_codelet_stats **stats);
/* The label of the domains' checkpoint snapshot kinds, and the seconds their tasks ran so far (all
 * workers): what holding checkpoints in memory (last_good) costs. */
#define SD_ENG_CKPT_LABEL "checkpoint snapshot"
double sd_engine_seconds_of(sd_engine *e, const char *label);
/* Kernel time of a worker, summed over its tasks. */
int64_t sd_engine_busy_ns(const sd_engine *e, int worker);
/* Paused: the tasks submitted from now on carry no performance model, so StarPU neither records
 * nor predicts their times (a run's untimed warm-up steps, whose cold caches and first touches a
 * model of steady steps must not see). Only while no task is in flight. */
void sd_engine_pause_models(sd_engine *e, int paused);
/* NULL when every codelet can run under the engine's arch restriction, else the name of one
 * that cannot (e.g. no CUDA implementation for SD_ARCH_CUDA). */
const char *sd_engine_unrunnable(const sd_engine *e);

/* ---- for domain classes -------------------------------------------------------------------- */

/* CPU trampolines time their kernel themselves: two clock reads are far cheaper than StarPU's
 * per-task profiling records and callbacks, and give per-kind and per-worker busy times. CUDA
 * kernels run asynchronously, so with CUDA workers (or a trace) StarPU's profiling is on and a task
 * callback reads the times instead (off). A meter travels in each task's argument. */
typedef struct sd_meter {
    sd_codelet_stats *stats;
    int64_t *busy; /* per worker */
    int off;
} sd_meter;

static inline int64_t sd_ns_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}
/* Adds the time since t0 to the meter's kind and the calling worker. */
void sd_meter_add(const sd_meter *m, int64_t t0);

/* A task kind of a domain's own (halo exchange, neighbour rebuild, snapshot): one StarPU codelet
 * named `symbol` (also its model symbol) and one statistics row `label`. cuda: NULL for CPU only.
 * Returns the kind. */
int sd_eng_kind(sd_engine *e, const char *label, const char *symbol, starpu_cpu_func_t cpu, starpu_cuda_func_t cuda);
/* What tasks of this kind do in StarPU's simulation (SimGrid): SD_SIMGRID_MODEL, not run, their model's
 * time; SD_SIMGRID_MEASURED, run for real, their measured times injected; SD_SIMGRID_RUN_MODEL, run for
 * real (their results are needed) and their model's time. By default the engine's own kinds are
 * SD_SIMGRID_MEASURED (they deliver the host-side records the run loop waits for, read input, copy
 * halos whose sizes vary with each exchange) and the ops' kinds SD_SIMGRID_MODEL; set here are the
 * exceptions: an engine kind that does the ops' work (a fused group: SD_SIMGRID_MODEL), an op kind
 * that delivers records (a mesh op over the whole domain: SD_SIMGRID_MEASURED), and the ops of a
 * domain whose later work follows their results (particles: SD_SIMGRID_RUN_MODEL). No effect in a
 * real run. */
enum { SD_SIMGRID_MODEL = 0, SD_SIMGRID_MEASURED = 1, SD_SIMGRID_RUN_MODEL = 2 };
void sd_eng_kind_simulation(sd_engine *e, int kind, int mode);
/* The kind of an op's codelet (one per stardag codelet, shared by every op using it). cpu_fallback:
 * in a CUDA-only run, a codelet without a CUDA implementation runs on CPUs (else it makes the run
 * unrunnable, see sd_engine_unrunnable). */
int sd_eng_op_kind(sd_engine *e, const sd_codelet *sc, starpu_cpu_func_t cpu, starpu_cuda_func_t cuda, int cpu_fallback);
/* The reduction combine, as a kind of the domain's: label and symbol as sd_eng_kind. */
int sd_eng_combine_kind(sd_engine *e, const char *label, const char *symbol);
sd_meter sd_eng_meter(sd_engine *e, int kind);
/* Tasks of one kind whose buffers have the same sizes may still do different work: a particle
 * block of one or of two cell layers has buffers of one capacity. StarPU keys its history entries
 * by the buffers' footprint, so one entry would mix both and predict neither. With a work key,
 * fn(task argument) — the task's work as a count, e.g. its cells — is mixed into the footprint of
 * every task of the kind, run or planned, so each kind of work has its own entry, and is the size
 * those entries record (the model's size_base), so a prediction for a work no run has met
 * interpolates between works. fn must be a pure function of the argument (StarPU may call it from
 * any thread, once per task). */
typedef uint32_t (*sd_work_key_fn)(const void *arg);
void sd_eng_kind_work(sd_engine *e, int kind, sd_work_key_fn fn);
/* The size such an entry records: SD_WORK_SIZE | work. The mark keeps works apart from byte
 * sizes: StarPU fixes an entry's size when it creates it, so a model file made before a kind had
 * a work key keeps byte-sized entries, which a prediction must not interpolate with works. */
#define SD_WORK_SIZE ((size_t)1 << 62)
/* An entry's size as a number: the work, or the bytes. */
static inline size_t sd_work_size_value(size_t size) { return size & ~SD_WORK_SIZE; }

/* The handles of a task a class is building, with their modes: StarPU takes more than
 * STARPU_NMAXBUFS as dynamic handles, up to SD_ENG_MAXH here. */
#define SD_ENG_MAXH 4096
typedef struct sd_hlist {
    int n;
    starpu_data_handle_t h[SD_ENG_MAXH];
    enum starpu_data_access_mode m[SD_ENG_MAXH];
} sd_hlist;
/* Appends one; a full list exits (SD_EXIT_RUNTIME) saying that `parts` (blocks, partitions) are too many. */
void sd_hlist_add(sd_hlist *l, starpu_data_handle_t h, enum starpu_data_access_mode m, const char *parts);

/* Submit one task of `kind` on n handles; arg is freed by StarPU when owned. tile: for the trace
 * (-1: none). Exits (SD_EXIT_RUNTIME) when StarPU refuses the task. Returns 1 when the task runs on
 * this rank, 0 when another rank of a distributed run runs it (arg is freed then, when owned): the
 * caller counts the records that task would fill as done here (sd_record_done), since this rank's
 * records only carry what its own tasks deliver. Every rank submits every task, in the same order. */
int sd_eng_submit(sd_engine *e, int kind, int tile, int64_t step, void *arg, size_t argsize, int owned, int n,
                   const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode);
enum starpu_data_access_mode sd_eng_mode(sd_access a);
/* The handle of graph scalar s. */
starpu_data_handle_t sd_eng_scalar(const sd_engine *e, int s);
/* The handle of graph table t (graph.h's sd_gtable): one vector of rows x cols doubles, registered
 * once at creation. Tasks only read it, so StarPU moves it to a device once and keeps the copy. */
starpu_data_handle_t sd_eng_table(const sd_engine *e, int t);

/* A new scalar (is_field 0) or snapshot (is_field 1) record at the queue's tail. */
sd_record *sd_eng_record_new(sd_engine *e, int is_field, int64_t step);
/* A new checkpoint record (is_field 1, ckpt a copy of item) at the queue tail: a domain's snapshot
 * task fills data/bytes (malloc'd, item->dims elements of item->type) and calls sd_record_done. */
sd_record *sd_eng_ckpt_record_new(sd_engine *e, int64_t step, const sd_ckpt_item *item);
/* One task reading every graph scalar's handle (after this step's writers) into checkpoint item
 * "scalars" (f64[nscalars]); nothing when the graph has no scalars. */
void sd_eng_checkpoint_scalars(sd_engine *e, int64_t step);
/* The n = nscalars values v back into the scalar handles (a restart, before any task). 0, or -1
 * with a message when n does not match the graph. */
int sd_eng_restore_scalars(sd_engine *e, const double *v, int n, char *err, size_t errlen);
/* This step's scalar record (made on first use, until the next seal). */
sd_record *sd_eng_step_scalars(sd_engine *e, int64_t step);
/* The first error of a record wins. */
void sd_record_set_error(sd_record *r, const char *msg, int status);
static inline void sd_record_done(sd_record *r)
{
    if (r) __atomic_add_fetch(&r->done, 1, __ATOMIC_RELEASE);
}

/* One host buffer of count elements of es bytes (pinned when CUDA is on, zeroed), registered as a
 * StarPU vector. Sizes are checked before anything is allocated: StarPU 1.3 counts a vector's
 * elements in 32 bits. Returns 0, or -1 with a message naming `what`. */
int sd_eng_vector(void **mem, starpu_data_handle_t *h, int64_t count, size_t es, const char *what, char *err,
                  size_t errlen);
/* Can count elements of es bytes be one vector? 0, or -1 with a message naming what. */
int sd_eng_vector_fits(int64_t count, size_t es, const char *what, char *err, size_t errlen);
void sd_eng_vector_free(void *mem, starpu_data_handle_t h);
/* A vector of part `part` (of nparts): sd_eng_vector on the rank that owns it, on any other rank
 * a handle without memory (allocated by StarPU when a task there reads it); owned by its rank. */
int sd_eng_part_vector(sd_engine *e, void **mem, starpu_data_handle_t *h, int64_t count, size_t es, int part, int nparts,
                       const char *what, char *err, size_t errlen);

/* A distributed run: handle h belongs to part `part` of the domain's nparts (part < 0: data of the
 * whole domain), which gives its owner rank (engine/dist.h); tasks run where what they write is
 * owned. Every handle a domain registers must have one; no-op on one process. */
void sd_eng_own(sd_engine *e, starpu_data_handle_t h, int part, int nparts);
/* The rank that owns part `part` of nparts, and this process's rank (0 and 0 on one process). */
int sd_eng_part_rank(const sd_engine *e, int part, int nparts);
int sd_eng_rank(const sd_engine *e);
/* Whether data moves between ranks: a distributed run of more than one rank. */
int sd_eng_distributed(const sd_engine *e);
/* A distributed run: how many of the domain's *total parts rank `rank` owns. */
int sd_eng_parts_of(const sd_engine *e, int rank, int *total);
/* A distributed run's end, on every rank after every task: every part's data copied to rank 0,
 * whose host-side reads (a summary's statistics) then see it. Nothing on one process. */
void sd_eng_gather(sd_engine *e);

/* One reduction op's partials: SD_PARTIAL_SETS sets of nparts handles (one per part, owned as its
 * part) of np initialised accumulators each, in one allocation *mem; h has room for
 * SD_PARTIAL_SETS * nparts handles. Steps use the sets in turn (sd_eng_partials_at): a step's tasks
 * write one set while the previous step's combine may still read the other, so an op that both
 * works and reduces (a mesh's energy and gradient) does not hold each step back until the previous
 * step's combine. 0, or -1 when out of memory. Free with sd_eng_partials_free. */
enum { SD_PARTIAL_SETS = 2 };
int sd_eng_partials(sd_engine *e, int nparts, int np, sd_acc **mem, starpu_data_handle_t *h);
void sd_eng_partials_free(int nparts, sd_acc *mem, starpu_data_handle_t *h);
/* A domain keeps its reductions' partial handles in one array, slot after slot: slot's handles
 * (what sd_eng_partials fills and sd_eng_partials_free frees), and those of the set that step
 * `step` writes and combines. */
static inline int sd_eng_partial_set(int64_t step) { return (int)((uint64_t)step % SD_PARTIAL_SETS); }
static inline starpu_data_handle_t *sd_eng_partials_slot(starpu_data_handle_t *all, int slot, int nparts)
{
    return all + (size_t)slot * SD_PARTIAL_SETS * (size_t)nparts;
}
static inline starpu_data_handle_t *sd_eng_partials_at(starpu_data_handle_t *all, int slot, int nparts, int64_t step)
{
    return sd_eng_partials_slot(all, slot, nparts) + (size_t)sd_eng_partial_set(step) * (size_t)nparts;
}
/* A reduction's partials combined into its scalars: one CPU task reading the nparts partial
 * handles (each holding the codelet's partials: sd_reduce_partials) and writing the op's scalar
 * outputs, in part order (the sum is exact, so the order does not matter). info: what the
 * codelet's finish hook may read (param is filled in from the op). */
void sd_eng_submit_combine(sd_engine *e, int kind, const sd_gop *op, int64_t step, int nparts,
                           const starpu_data_handle_t *parts, const sd_check_info *info);
/* The partials one task of a reduction fills: the codelet's npartials with a finish hook, else one
 * per scalar output. */
int sd_reduce_partials(const sd_codelet *c);

/* CUDA glue (defined when built with CUDA): reduction partials initialised on the device by an
 * asynchronous copy of a pinned template; the launch just made checked. Either failure is fatal
 * to the run: it is reported through sd_engine_fatal, naming `what` (the codelet) and the error. */
void sd_eng_cuda_init_acc(sd_engine *e, sd_acc *dev, int n, void *stream, const char *what);
void sd_eng_cuda_check(sd_engine *e, const char *what);
/* At the start of a CUDA task body: drops a non-sticky error some earlier call on this worker
 * thread left (StarPU's own), so that sd_eng_cuda_check blames only this task's launches. */
void sd_eng_cuda_begin(void);

void *sd_eng_xmalloc(size_t n);

#endif
