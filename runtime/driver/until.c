/* until.c - run.until: a step's scalars against the stop conditions, and the summary's words.
 * The run loop judges every scalar record in step order (records pop in submission order), so the
 * first step that meets the conditions is the one it stops at, whatever the scheduling. */
#include <stdio.h>
#include <string.h>
#include "until.h"

static int cond_met(const sd_guntil_cond *c, double v) { return c->above ? v > c->value : v < c->value; }

int sd_until_judge(const sd_graph *g, int64_t step, const double *value, const unsigned char *computed, sd_until_hit *hit)
{
    const sd_guntil *u = &g->run.until;
    if (!u->n || step < 1) return 0;
    unsigned met = 0;
    for (int i = 0; i < u->n; i++) {
        const int s = u->cond[i].scalar;
        if (!computed[s]) return 0; /* a scalar computed every N steps: judged only at its steps */
        if (cond_met(&u->cond[i], value[s])) met |= 1u << i;
    }
    const unsigned everyone = u->n >= 32 ? ~0u : (1u << u->n) - 1;
    if (u->all ? met != everyone : !met) return 0;
    hit->step = step;
    hit->met = met;
    for (int i = 0; i < u->n; i++) hit->value[i] = value[u->cond[i].scalar];
    return 1;
}

void sd_until_recall(const sd_graph *g, int64_t step, const double *latest, sd_until_hit *hit)
{
    unsigned char all[g->nscalars + 1];
    memset(all, 1, sizeof all);
    if (!sd_until_judge(g, step, latest, all, hit)) *hit = (sd_until_hit){.step = step};
}

void sd_until_print(const sd_graph *g, const sd_until_hit *hit, FILE *f)
{
    const sd_guntil *u = &g->run.until;
    if (!hit->step || !u->n) return;
    if (!hit->met) { /* recalled without the values that met it */
        fprintf(f, "  stopped: at step %lld (run.until)\n", (long long)hit->step);
        return;
    }
    char words[1024] = "", values[1024] = "";
    size_t nw = 0, nv = 0;
    for (int i = 0, k = 0; i < u->n; i++) {
        if (!(hit->met & (1u << i))) continue;
        const sd_guntil_cond *c = &u->cond[i];
        const char *name = g->scalars[c->scalar].name;
        if (nw < sizeof words)
            nw += (size_t)snprintf(words + nw, sizeof words - nw, "%s%s was %s %.6g", k ? " and " : "", name,
                                   c->above ? "above" : "below", c->value);
        if (nv < sizeof values) nv += (size_t)snprintf(values + nv, sizeof values - nv, "%s%s = %.6g", k ? ", " : "", name, hit->value[i]);
        k++;
    }
    char form[64] = "";
    if (u->n > 1) snprintf(form, sizeof form, ", %s of %d conditions", u->all ? "all" : "any", u->n);
    fprintf(f, "  stopped: %s at step %lld (run.until%s): %s\n", words, (long long)hit->step, form, values);
}
