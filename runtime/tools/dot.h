/* dot.h - one step's task DAG as Graphviz DOT, from the same expansion the engine submits. */
#ifndef SD_DOT_H
#define SD_DOT_H
#include <stdio.h>
#include "graph.h"
int sd_dot(const sd_graph *g, const sd_run_opts *o, FILE *out);
#endif
