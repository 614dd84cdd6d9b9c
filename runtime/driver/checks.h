/* checks.h - evaluating a graph's checks on the scalar records of a run, in step order, and
 * their verdicts for the summary. Pure host logic (no StarPU): the run loop feeds it each
 * record's step and scalars. */
#ifndef SD_CHECKS_H
#define SD_CHECKS_H
#include <stdio.h>
#include "graph.h"

typedef struct sd_check_state {
    int64_t evaluations;      /* records that carried the check's scalar */
    double ref;               /* drift: the reference (given, or the first value) */
    double worst;             /* drift: largest relative drift seen */
    double prev;              /* monotone: the previous value and its step */
    int64_t prev_step;
    int failed;
    int64_t fail_step;        /* the first failure: its step, value and the value it is judged against */
    double fail_value, fail_against;
    int64_t fail_against_step; /* monotone: the step of the previous value */
} sd_check_state;

typedef struct sd_checks {
    const sd_graph *g;
    sd_check_state *c;        /* per graph check */
} sd_checks;

/* 0, or -1 when out of memory. */
int sd_checks_init(sd_checks *k, const sd_graph *g);
void sd_checks_free(sd_checks *k);

/* One scalar record (value[i] meaningful where computed[i]). Returns 1 if some check failed for the
 * first time here, with the first such failure described in why; else 0. */
int sd_checks_eval(sd_checks *k, int64_t step, const double *value, const unsigned char *computed, char *why,
                   size_t len);

/* One line per check for the summary: "  check TEXT: ok (...)", "FAILED at step N: ..." or
 * "not evaluated (...)". */
void sd_checks_report(const sd_checks *k, int64_t last_step, FILE *out);

/* A checkpoint of the checks' running state (no failure in it: checkpoints are of good steps):
 * per check SD_CHECKS_SAVE_I integers (evaluations, previous step, kind, target) into iv and
 * SD_CHECKS_SAVE_F doubles (reference, worst drift, previous value) into fv. */
enum { SD_CHECKS_SAVE_I = 4, SD_CHECKS_SAVE_F = 3 };
void sd_checks_save(const sd_checks *k, int64_t *iv, double *fv);
/* The state of n saved checks back: check i takes row i when its kind and target are the row's (a
 * graph changed under --force keeps what still applies); the others start afresh. Returns how many
 * started afresh. */
int sd_checks_restore(sd_checks *k, int n, const int64_t *iv, const double *fv);

/* The number of checks never evaluated (a warning, not a failure: see docs/graph-format.md). */
int sd_checks_unevaluated(const sd_checks *k);

#endif
