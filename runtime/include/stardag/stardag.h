/* stardag/stardag.h - the public C API: register codelets, load a graph file, run it. */
#ifndef STARDAG_H
#define STARDAG_H

#include <stddef.h>
#include <stdint.h>
#include "stardag/codelet.h"
#include "stardag/pack.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sd_graph sd_graph;

/* Exit statuses shared by the library and the CLI. */
enum { SD_EXIT_OK = 0, SD_EXIT_RUNTIME = 1, SD_EXIT_BADGRAPH = 2, SD_EXIT_CHECK = 3, SD_EXIT_INTERRUPTED = 130 };

/* Load and validate a graph file. On error writes "file:line:col: what is wrong (expected ...)"
 * into err and returns NULL (the CLI prints it and exits with SD_EXIT_BADGRAPH). */
sd_graph *sd_graph_load(const char *path, char *err, size_t errlen);
/* The same from text in memory; path only names the source in messages. */
sd_graph *sd_graph_parse(const char *path, const char *text, char *err, size_t errlen);
/* The same with parameter overrides: each set[i] is "name=expr" and replaces the value of graph
 * param name before evaluation (the CLI's --set n=256); an unknown name is an error. */
sd_graph *sd_graph_load_ex(const char *path, const char *const *set, int nset, char *err, size_t errlen);
sd_graph *sd_graph_parse_ex(const char *path, const char *text, const char *const *set, int nset, char *err,
                            size_t errlen);
void sd_graph_free(sd_graph *g);

/* What a loaded graph declares, for programs and bindings (the Python package) that do not see
 * the graph's struct. Indices run from 0 to the count - 1; out of range gives NULL (or NAN, 0). */
const char *sd_graph_name(const sd_graph *g);
const char *sd_graph_path(const sd_graph *g);
const char *sd_graph_text(const sd_graph *g);          /* the file's text as loaded */
const char *sd_graph_domain(const sd_graph *g, int64_t shape[3]); /* "grid", "particles"; shape:
                                                          cells along x, y, z (1 for absent axes), or {N, 1, 1} particles */
int sd_graph_nparams(const sd_graph *g);
const char *sd_graph_param(const sd_graph *g, int i, double *value); /* name; value after evaluation */
int sd_graph_nfields(const sd_graph *g);
const char *sd_graph_field(const sd_graph *g, int i);
/* Scalars in graph order, the ones the run adds for checks included (*hidden = 1 for those):
 * sd_progress.latest uses these indices. */
int sd_graph_nscalars(const sd_graph *g);
const char *sd_graph_scalar(const sd_graph *g, int i, int *hidden);
int64_t sd_graph_steps(const sd_graph *g);             /* run.steps */
double sd_graph_dt(const sd_graph *g);
const char *sd_graph_output_file(const sd_graph *g);   /* output.file; "" when none */

/* Where the tasks of codelets (ops and halo exchange) may run. Reduction combines and output
 * snapshots always run on CPU workers (they deliver results to host memory). */
typedef enum { SD_ARCH_ANY = 0, SD_ARCH_CPU, SD_ARCH_CUDA } sd_arch;

/* What a progress callback sees (sd_run_opts.progress). */
typedef struct sd_progress {
    int64_t step;         /* steps submitted so far (the tasks of up to about max_inflight steps of
                             them may still be running) */
    int64_t steps;        /* the run's steps */
    double elapsed;       /* seconds since the step loop began (init ops excluded) */
    int final;            /* 1 on the last call: every task has finished */
    int nscalars;         /* = sd_graph_nscalars */
    const double *latest; /* latest value of each scalar (NAN until first computed), graph order */
} sd_progress;
/* Called on the thread that called sd_run; a non-zero return stops the run as Ctrl-C does
 * (status SD_EXIT_INTERRUPTED). */
typedef int (*sd_progress_fn)(const sd_progress *p, void *user);

/* What a finished run measured (sd_run_opts.result), for tools that set runs side by side
 * (stardag predict --measure, stardag tune). */
#define SD_RESULT_MAXW 64
typedef struct sd_run_result {
    int64_t steps_done;       /* the steps timed: the loop's, less sd_run_opts.warmup when it ran more */
    double loop_seconds;      /* the timed steps, init ops excluded: ms/step = loop_seconds / steps_done */
    int nworkers;             /* the first SD_RESULT_MAXW are reported */
    char worker_name[SD_RESULT_MAXW][24];
    double worker_busy[SD_RESULT_MAXW]; /* fraction of the step loop its tasks ran */
    char parts[192];          /* the domain's parts, as the summary says them */
    char sched[32];
    char tuned[160];          /* the stored tuning the run used ("" none), as the summary says it */
} sd_run_result;

typedef struct sd_run_opts {
    int64_t steps;        /* > 0 overrides the graph's run.steps */
    const char *sched;    /* StarPU scheduler name; NULL: STARPU_SCHED or the default */
    int ncpu;             /* > 0 overrides STARPU_NCPU */
    int64_t tile[3];      /* tile[0] > 0 overrides the graph's tiles */
    const char *out;      /* overrides output.file; "" disables output */
    int quiet;            /* no progress line, no summary */
    int max_inflight;     /* > 0 overrides run.max_inflight */
    const char *cmdline;  /* recorded in /meta */
    sd_arch arch;         /* SD_ARCH_CUDA: GPU-only run, SD_ARCH_CPU: CPU-only run */
    int ncuda;            /* >= 0 overrides STARPU_NCUDA; -1: StarPU's default (every GPU) */
    const char *trace;    /* write a Chrome/Perfetto trace (JSON) here; NULL: none */
    int calibrate;        /* force performance-model calibration (STARPU_CALIBRATE=1) */
    /* ABI: new fields go here, at the end; sd_run_opts_init sets them. */
    sd_progress_fn progress; /* after each submitted step and once at the end; replaces the progress line */
    void *progress_user;
    char *errors;         /* non-NULL: the run's error and warning messages (the lines it prints to
                             stderr) are also copied here, one per line, truncated to errors_len */
    size_t errors_len;
    const char *log;      /* the log file; NULL: output.log or beside the output file; "" none */
    const char *trajectory; /* overrides output.trajectory's file; "" none */
    int overwrite;        /* replace existing output files (else the run refuses to start) */
    const char *checkpoint; /* overrides output.checkpoint's file; "" none (docs/checkpoint.md) */
    int64_t checkpoint_every; /* > 0 overrides output.checkpoint's every */
    const char *restart;  /* continue from this checkpoint instead of running the init ops */
    int force;            /* restart: accept a changed graph whose state layout is the same */
    double walltime;      /* > 0: stop with a checkpoint before this many seconds of wall time */
    sd_run_result *result; /* non-NULL: filled in when the step loop ran (also when a check stopped it);
                              untouched by a run that failed before it. The library writes through
                              this field: a program built against an older stardag.h must be rebuilt
                              (bindings check sd_run_opts_size) */
    int no_tuning;        /* 1: automatic parts stay the heuristic's even when a stored tuning exists
                             (stardag tune measures candidates this way) */
    const char *distribution; /* a distributed run (mpirun): parts to ranks, "block" (NULL), "cyclic" or
                                 one weight per rank "1:3" (docs/distributed.md) */
    int fuse;             /* > 0 overrides run.fuse: grids advance up to this many steps per task */
    int64_t warmup;       /* > 0: the result (sd_run_result) times the steps after the first `warmup`,
                             which complete before that timing starts, and StarPU's performance
                             models see only those: steady-state figures without a run's one-time
                             costs (first touch of buffers, fixed ghost layers, cold caches) */
} sd_run_opts;

void sd_run_opts_init(sd_run_opts *o);
/* sizeof(sd_run_opts) of this library: bindings check it against their own copy of the struct. */
size_t sd_run_opts_size(void);
/* Run a loaded graph to completion. Returns one of the SD_EXIT_* statuses. */
int sd_run(const sd_graph *g, const sd_run_opts *o);

const char *sd_version(void);

/* Compare two run outputs as `stardag compare` does: every field step and scalar series, bitwise
 * when rtol = atol = 0, else |a-b| <= atol + rtol*max(|a|,|b|) element-wise (NaN matches only NaN);
 * any_file: every dataset of two HDF5 files of any layout. A line per dataset that differs and the
 * verdict line go into report (NULL: none; truncated to reportlen). Returns SD_EXIT_OK (they agree),
 * SD_EXIT_CHECK (they differ), SD_EXIT_BADGRAPH (bad input) or SD_EXIT_RUNTIME (no memory for the
 * report), the message in err. */
int sd_compare_outputs(const char *a, const char *b, double rtol, double atol, int any_file, char *report,
                       size_t reportlen, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
