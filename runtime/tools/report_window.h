/* report_window.h - the time window of `stardag report`'s gantt and busy charts: --from/--to in
 * seconds since the run started, or --steps A:B (from the first start to the last end of the
 * tasks of steps A to B), so that single steps of a long run are readable. */
#ifndef SD_REPORT_WINDOW_H
#define SD_REPORT_WINDOW_H
#include <stddef.h>
#include "trace_read.h"

typedef struct {
    int by_steps;          /* --steps A:B given */
    long step_a, step_b;
    int has_from, has_to;  /* --from / --to given */
    double from_s, to_s;
} sd_report_window;

/* Parses "A:B" (0 <= A <= B); 1 if valid. */
int sd_report_parse_steps(const char *s, long *a, long *b);

/* The tasks and data fetches of tr that overlap the window, cut at its edges, into *out, which
 * shares tr's workers and names (free it with sd_trace_window_free, never sd_trace_file_free);
 * out->t0 and out->t1 are the window's edges. A description ("steps 10-12: 4.51-4.98 ms") goes
 * into what. 0; or -1 with a message in err: an empty window, one outside the trace, steps the
 * trace does not have, or out of memory. */
int sd_trace_window(const sd_trace_file *tr, const sd_report_window *w, sd_trace_file *out, char *what,
                    size_t whatlen, char *err, size_t errlen);
void sd_trace_window_free(sd_trace_file *out);

#endif
