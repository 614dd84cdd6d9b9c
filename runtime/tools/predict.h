/* predict.h - the predicted step time of a graph under one configuration (parts, scheduler,
 * workers, max_inflight), from the calibrated history models (docs/tuning.md): the domain expands
 * a few steps into tasks that are recorded, not run (sd_engine_opts.plan); each task's time comes
 * from its model (sizes the models have not seen interpolated and counted); sim.c schedules them.
 * Used by `stardag predict` and `stardag tune`. */
#ifndef SD_PREDICT_H
#define SD_PREDICT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "graph.h"
#include "stardag/stardag.h"
#include "models.h"
#include "sim.h"

#define SD_PRED_MAXW 64

/* The machine a prediction is for when it is not this one (--machine FILE, docs/tuning.md):
 * its models, workers, bus, and StarPU's per-task costs there. Zero costs: this machine's
 * (measured when the prediction starts). */
typedef struct sd_machine_desc {
    char models_dir[1024];   /* a copy of its StarPU home (or its .starpu/sampling) */
    int ncpu, ncuda;         /* its workers (ncpu >= 1, ncuda <= 8) */
    double bus_latency_us;   /* host <-> GPU, each way */
    double bus_mb_per_s;
    sd_task_costs costs;     /* StarPU's costs there (NAN: that one measured here) */
} sd_machine_desc;

/* Reads a machine description ("key: value" lines, # comments). 0, or -1 with file:line in err. */
int sd_machine_desc_read(const char *path, sd_machine_desc *m, char *err, size_t errlen);

typedef struct sd_pconf {
    int64_t parts[3];     /* as --tiles; parts[0] == 0: the graph's (or auto) */
    const char *sched;    /* NULL: what a run uses (lws on CPUs, dmdas with GPUs) */
    int ncpu;             /* -1: StarPU's default */
    int ncuda;            /* -1: every GPU */
    int max_inflight;     /* 0: the graph's */
    sd_arch arch;         /* SD_ARCH_CPU: no GPU; SD_ARCH_CUDA: ops with a CUDA form on GPUs only */
    int64_t steps;        /* steps simulated (> 0) */
    const sd_machine_desc *machine; /* NULL: this machine */
    int fuse;             /* > 0: steps a task may advance a grid tile (--fuse); 0: the graph's run.fuse */
} sd_pconf;

typedef struct sd_pred {
    double loop_us;         /* the simulated step loop of `steps` steps */
    double step_us;         /* loop_us / steps: what a run's ms/step is */
    double steady_us;       /* per step once the pipeline is full (second half of the loop) */
    double critical_us;     /* one step's longest chain of tasks */
    int64_t steps, tasks;   /* steps simulated and their tasks */
    int nworkers, ncpu, ncuda;
    double busy[SD_PRED_MAXW];   /* per worker: busy fraction of the loop */
    char wname[SD_PRED_MAXW][16];
    int lookups[SD_EXPECT_SCALED + 1]; /* task times by how they were found (SD_EXPECT_*) */
    char approx[512];       /* the codelets whose times were not measured at their size, and how */
    char parts[192];        /* the domain's parts as a run's summary says them */
    char sched[32];
    int64_t max_inflight;
    sd_task_costs costs;    /* StarPU's costs used (sim.h) */
    double expand_us;       /* the domain's expansion per task, on the submitting thread */
    double transfer_mb;
} sd_pred;

/* Predicts graph g under c. StarPU must not be running (it is started for the plan and shut
 * down). 0, or -1 with a message (a codelet without any model: "run stardag calibrate"); p->parts
 * is not empty after a failure when the domain took c's parts (the models were missing). */
int sd_predict(const sd_graph *g, const sd_pconf *c, sd_pred *p, char *err, size_t errlen);
/* StarPU's costs under scheduler sched with c's workers (StarPU started for it: it must not be
 * running), measured once per process for each scheduler and worker set (machine_costs.c). */
int sd_starpu_costs(const char *sched, const sd_pconf *c, sd_task_costs *k);
/* StarPU's bus model between memory nodes a and b (StarPU running): latency and bytes per us.
 * 0, or -1 when it has none (then both are left as they were). */
int sd_bus_estimate(unsigned a, unsigned b, double *latency_us, double *bytes_per_us);
/* This machine's description (its models' folder, workers, bus and StarPU's costs, measured) to
 * out, for predictions made elsewhere. StarPU must not be running. 0, or -1 with a message. */
int sd_describe_machine(const sd_pconf *c, FILE *out, char *err, size_t errlen);

/* A scheduler and max_inflight to simulate a plan under (the plan does not depend on them). */
typedef struct sd_pvariant {
    const char *sched;    /* NULL: the run's default */
    int max_inflight;     /* 0: the graph's */
} sd_pvariant;
/* The same plan under n (at most 64) variants: p[i] for v[i]. */
int sd_predict_variants(const sd_graph *g, const sd_pconf *c, int n, const sd_pvariant *v, sd_pred *p, char *err,
                        size_t errlen);

/* The untimed steps before a measured run and a calibration run (sd_run_opts.warmup): a run's first
 * steps carry one-time costs (first touch of its buffers, fixed ghost layers written once, cold
 * caches) that predictions of steady steps leave out; three, as a field rotating through three
 * time levels touches each of its buffers in its first three. */
#define SD_WARMUP_STEPS 3

/* A quiet run of a configuration on this machine (no output, log, trajectory or checkpoint; no
 * stored tuning), for measurements set beside predictions. */
typedef struct sd_measure_conf {
    int64_t steps;        /* timed, after SD_WARMUP_STEPS untimed ones when steps > 1 */
    int64_t parts[3];     /* parts[0] == 0: the automatic ones */
    const char *sched;    /* NULL: the run's default */
    int max_inflight;     /* 0: the graph's */
    sd_arch arch;
    int ncpu, ncuda;      /* -1: StarPU's defaults */
    int calibrate;        /* STARPU_CALIBRATE=1 */
    const char *cmdline;
    int fuse;             /* > 0 overrides run.fuse (--fuse) */
} sd_measure_conf;
/* The run's exit status; r filled when the step loop ran. */
int sd_measure_run(const sd_graph *g, const sd_measure_conf *m, sd_run_result *r);

#endif
