/* trace_read.h - reads the Chrome/Perfetto trace-event JSON that `stardag run --trace` writes
 * (trace.c) back into memory for `stardag report`: workers, tasks, data fetches, counters.
 *
 * The parser is small and tolerant: keys in any order, unknown events and fields ignored,
 * whitespace free, a bare array of events accepted; malformed input is an error naming
 * file:line; a trace cut short (a run killed while writing it) is read up to the last complete
 * event and flagged as truncated. */
#ifndef SD_TRACE_READ_H
#define SD_TRACE_READ_H
#include <stddef.h>

#include "strtab.h"

typedef struct {
    char *name;
    long tid;
    int kind;  /* 0 CPU, 1 CUDA, 2 other */
    long num;  /* the number in "CPU 3" */
} sd_tf_worker;

typedef struct {
    int cl, w, arch;    /* codelet (trace->cl), worker index, architecture (trace->archs) */
    double ts, dur;     /* microseconds */
    long step, tile;    /* -1 when the event has none */
} sd_tf_task;

typedef struct {
    int w;
    double ts, dur;
} sd_tf_xfer;

typedef struct {
    const char *path;
    sd_tf_worker *w;    /* in display order: CPUs, then CUDA devices, then others, by number */
    size_t nw, capw;
    sd_tf_task *t;      /* sorted by worker, then start */
    size_t nt, capt;
    sd_tf_xfer *x;      /* data fetches, sorted by worker, then start */
    size_t nx, capx;
    sd_strtab cl;       /* codelet names */
    sd_strtab *archs;   /* the architecture table the tasks index (the caller's) */
    size_t ncounters;
    double t0, t1;      /* microseconds: first start, last end */
    int truncated;      /* the file ended early; what was read is kept */
} sd_trace_file;

/* Reads the trace at path into tr; architecture names go into archs (shared with /run of the
 * run file), "cpu" and "cuda" always among them. 0, or -1 with a one-line message in err.
 * sd_trace_file_free(tr) afterwards in either case. */
int sd_trace_file_read(sd_trace_file *tr, const char *path, sd_strtab *archs, char *err, size_t errlen);
void sd_trace_file_free(sd_trace_file *tr);

#endif
