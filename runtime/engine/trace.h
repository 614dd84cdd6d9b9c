/* trace.h - a Chrome/Perfetto trace of a run (trace-event JSON): one track per worker with every
 * task and its data acquisition, and counters of bytes moved per bus. Events are appended from
 * any thread (task callbacks) and written once at the end, one event per line. */
#ifndef SD_TRACE_H
#define SD_TRACE_H
#include <stddef.h>
#include <stdint.h>

typedef struct sd_trace sd_trace;

sd_trace *sd_trace_new(void);
void sd_trace_free(sd_trace *t);
/* A task: name (kept by pointer: must outlive the trace), worker, start and duration in µs
 * since the run started, step, tile (-1: whole-field or combine), arch "cpu"/"cuda". */
void sd_trace_task(sd_trace *t, const char *name, int worker, double ts, double dur, int64_t step, int tile,
                   const char *arch);
/* Time a worker spent acquiring (fetching) a task's data before running it. */
void sd_trace_fetch(sd_trace *t, const char *task_name, int worker, double ts, double dur);
/* Cumulative megabytes per bus at time ts (names kept by pointer). */
void sd_trace_counter(sd_trace *t, double ts, int n, const char *const *names, const double *mb);
/* Write the trace with worker names (index = worker id = tid). 0, or -1 with a message. */
int sd_trace_write(const sd_trace *t, const char *path, const char *process, int nworkers,
                   const char *const *worker_names, char *err, size_t errlen);

#endif
