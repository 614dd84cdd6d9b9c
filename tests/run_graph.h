/* run_graph.h - for tests that run a graph given as text through sd_run (in process) and compare
 * the field steps it wrote with a reference, value by value, bitwise. */
#ifndef SD_RUN_GRAPH_H
#define SD_RUN_GRAPH_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"
#include "h5out.h"
#include "stardag/stardag.h"
#include "tap.h"

typedef struct run_spec {
    int64_t tile[3];
    int ncpu;
    const char *sched;
} run_spec;

/* Loads text (named name in messages) and runs it quietly with its output in out: the exit status,
 * or -1 when it does not load (diagnosed). */
static inline int run_graph_text(const char *name, const char *text, const char *out, const run_spec *r)
{
    char err[1024];
    sd_graph *g = sd_graph_parse(name, text, err, sizeof err);
    if (!g) {
        diag("%s", err);
        return -1;
    }
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.out = out;
    o.quiet = 1;
    o.ncpu = r->ncpu;
    o.sched = r->sched;
    memcpy(o.tile, r->tile, sizeof o.tile);
    int rc = sd_run(g, &o);
    sd_graph_free(g);
    return rc;
}

/* Values of field `field` at steps 1..nsteps in out that differ bitwise from ref[(step - 1) * n + q]
 * (an unreadable step counts as one); *values gets how many were read. The first difference is
 * diagnosed with describe(q) (may be NULL). */
static inline int64_t field_steps_differ(const char *out, const char *field, int nsteps, const double *ref, size_t n,
                                         int64_t *values, void (*describe)(int step, int64_t q, double got, double want))
{
    int64_t wrong = 0;
    *values = 0;
    for (int s = 1; s <= nsteps; s++) {
        double *u;
        int64_t nu;
        char err[1024];
        if (sd_h5_read_field(out, field, s, &u, &nu, err, sizeof err) < 0) {
            diag("read step %d: %s", s, err);
            wrong++;
            continue;
        }
        *values += nu;
        for (int64_t q = 0; q < nu && q < (int64_t)n; q++)
            if (memcmp(&u[q], &ref[n * (s - 1) + q], sizeof *u)) {
                if (!wrong && describe) describe(s, q, u[q], ref[n * (s - 1) + q]);
                wrong++;
            }
        free(u);
    }
    return wrong;
}

#endif
