/* stardag/stardag.h - the public C API: register codelets, load a graph file, run it. */
#ifndef STARDAG_H
#define STARDAG_H

#include <stddef.h>
#include <stdint.h>
#include "stardag/codelet.h"

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
void sd_graph_free(sd_graph *g);

/* Where the tasks of codelets (ops and halo exchange) may run. Reduction combines and output
 * snapshots always run on CPU workers (they deliver results to host memory). */
typedef enum { SD_ARCH_ANY = 0, SD_ARCH_CPU, SD_ARCH_CUDA } sd_arch;

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
    const char *log;      /* the log file; NULL: output.log or beside the output file; "" none */
    const char *trajectory; /* overrides output.trajectory's file; "" none */
    int overwrite;        /* replace existing output files (else the run refuses to start) */
} sd_run_opts;

void sd_run_opts_init(sd_run_opts *o);
/* Run a loaded graph to completion. Returns one of the SD_EXIT_* statuses. */
int sd_run(const sd_graph *g, const sd_run_opts *o);

const char *sd_version(void);

#ifdef __cplusplus
}
#endif
#endif
