/* until.h - run.until, the stop conditions (graph.h sd_guntil): judging a step's scalars and the
 * summary's line saying what stopped the run. */
#ifndef SD_UNTIL_H
#define SD_UNTIL_H
#include <stdint.h>
#include <stdio.h>
#include "graph.h"

/* What stopped the run: the step and the values its conditions saw (met: bit i for condition i). */
typedef struct sd_until_hit {
    int64_t step;      /* 0: not met (yet) */
    unsigned met;
    double value[SD_MAX_UNTIL];
} sd_until_hit;

/* Judges one step's scalars (value/computed indexed by scalar, as in a scalar record): only when the
 * step computed every scalar the conditions name. 1 (and hit filled) when they are met. */
int sd_until_judge(const sd_graph *g, int64_t step, const double *value, const unsigned char *computed, sd_until_hit *hit);
/* The hit of a run restarted from the checkpoint of the step that met run.until (step), from the
 * scalars' latest values (those of that step). */
void sd_until_recall(const sd_graph *g, int64_t step, const double *latest, sd_until_hit *hit);
/* "  stopped: gg was below 1e-12 at step 231 (run.until): gg = 9.8e-13\n", or with
 * "(run.until, any of 3 conditions)" naming each condition met. */
void sd_until_print(const sd_graph *g, const sd_until_hit *hit, FILE *f);

#endif
