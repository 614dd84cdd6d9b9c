/* dot.h - one step's task DAG as Graphviz DOT, from the same expansion the engine submits. */
#ifndef SD_DOT_H
#define SD_DOT_H
#include <stdio.h>
#include "graph.h"
extern const char sd_dot_usage[]; /* its --help text */
/* Draws step `step` (1 .. the run's steps; <= 0: the default step, see sd_dot_usage). */
int sd_dot(const sd_graph *g, const sd_run_opts *o, int64_t step, FILE *out);
#endif
