/* loader_until.c - run.until, the stop conditions: one condition {scalar: S, below: X} (or above:),
 * or {any: [...]} / {all: [...]} of such conditions (one level: a list item cannot itself be an
 * any/all). Read after the scalars; checked after the step ops (each scalar must be written by a
 * step op, and the conditions must be judged at some step of the run). */
#include <stdio.h>
#include <string.h>
#include "loader_impl.h"
#include "suggest.h"

#define UNTIL_FORMS "{scalar: S, below: X}, {scalar: S, above: X}, {any: [conditions]} or {all: [conditions]}"

/* Does a step op write scalar s on this step? */
static int scalar_due(const sd_graph *g, int s, int64_t step)
{
    for (int i = 0; i < g->nstep; i++) {
        if (!sd_op_due(&g->step[i], step)) continue;
        for (int r = 0; r < g->step[i].cl->nroles; r++) {
            const sd_binding *b = &g->step[i].bind[r];
            if (b->is_scalar && b->index == s && b->mode != SD_READ) return 1;
        }
    }
    return 0;
}

int sd_graph_until_due(const sd_graph *g, int64_t step)
{
    const sd_guntil *u = &g->run.until;
    if (!u->n || step < 1) return 0;
    for (int i = 0; i < u->n; i++)
        if (!scalar_due(g, u->cond[i].scalar, step)) return 0;
    return 1;
}

/* The map of condition i (the single form: run.until itself). */
static const yaml_node_t *cond_node(loader *L, int i)
{
    const yaml_node_t *n = L->until;
    const yaml_node_t *list = sd_ld_map_get(L, n, "any", NULL);
    if (!list) list = sd_ld_map_get(L, n, "all", NULL);
    return list ? seq_at(L, list, i) : n;
}

static int scalar_named(loader *L, const yaml_node_t *sn, const char *where)
{
    const char *name = sd_ld_get_name(L, sn, "a scalar name");
    const int s = sd_graph_scalar_index(L->g, name);
    if (s >= 0 && s < L->user_scalars) return s;
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    char list[512] = "";
    for (int i = 0; i < L->user_scalars; i++) {
        sd_suggest_add(&sg, L->g->scalars[i].name);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", L->g->scalars[i].name);
    }
    if (sd_suggest_best(&sg))
        sd_ld_fail(L, sn, "%s names scalar '%s', which is not declared (did you mean '%s'?)", where, name, sd_suggest_best(&sg));
    sd_ld_fail(L, sn, "%s names scalar '%s', which is not declared (expected one of the graph's scalars: %s)", where, name,
               *list ? list : "none declared");
}

/* One {scalar: S, below|above: X}; where: "run.until" or "run.until.any[2]". */
static void load_cond(loader *L, const yaml_node_t *n, const char *where, sd_guntil_cond *c)
{
    static const char *const keys[] = {"scalar", "below", "above", NULL};
    char what[160];
    snprintf(what, sizeof what, "%s ({scalar: S, below: X} or {scalar: S, above: X})", where);
    sd_ld_need_map(L, n, what);
    if (sd_ld_map_get(L, n, "any", NULL) || sd_ld_map_get(L, n, "all", NULL))
        sd_ld_fail(L, n, "%s is an any/all list inside a list: run.until takes one level (expected {scalar: S, below: X} "
                   "or {scalar: S, above: X})", where);
    snprintf(what, sizeof what, "in %s", where);
    sd_ld_check_keys(L, n, keys, what);
    yaml_node_t *sn = sd_ld_map_get(L, n, "scalar", NULL), *bn = sd_ld_map_get(L, n, "below", NULL),
                *an = sd_ld_map_get(L, n, "above", NULL);
    if (!sn) sd_ld_fail(L, n, "%s needs scalar (the scalar whose value stops the run)", where);
    if (bn && an) sd_ld_fail(L, an, "%s has both below and above (expected one of them; for a band, use all: [...])", where);
    if (!bn && !an) sd_ld_fail(L, n, "%s needs one of below: X or above: X", where);
    c->scalar = scalar_named(L, sn, where);
    c->above = an != NULL;
    c->value = sd_ld_eval(L, an ? an : bn);
}

void sd_ld_load_until(loader *L)
{
    static const char *const keys[] = {"scalar", "below", "above", "any", "all", NULL};
    const yaml_node_t *n = L->until;
    sd_guntil *u = &L->g->run.until;
    if (!n) return;
    sd_ld_need_map(L, n, "run.until (" UNTIL_FORMS ")");
    sd_ld_check_keys(L, n, keys, "in run.until");
    yaml_node_t *kany = NULL, *kall = NULL, *any = sd_ld_map_get(L, n, "any", &kany), *all = sd_ld_map_get(L, n, "all", &kall);
    if (!any && !all) {
        u->n = 1;
        load_cond(L, n, "run.until", &u->cond[0]);
        return;
    }
    if (any && all) {
        const yaml_node_t *second = kany->start_mark.index > kall->start_mark.index ? kany : kall;
        sd_ld_fail(L, second, "run.until has both any and all (expected one of them: conditions nest one level only)");
    }
    const char *word = any ? "any" : "all";
    const yaml_node_t *list = any ? any : all, *key = any ? kany : kall;
    if (map_len(n) > 1)
        sd_ld_fail(L, key, "run.until.%s comes with other keys (expected {%s: [conditions]} alone, each condition "
                   "{scalar: S, below|above: X} inside the list)", word, word);
    if (!is_seq(list)) {
        const char *g = got(list);
        sd_ld_fail(L, list, "run.until.%s must be a list of conditions, got %s%s%s", word, g ? g : "'", g ? "" : sval(list),
                   g ? "" : "'");
    }
    if (seq_len(list) == 0) sd_ld_fail(L, list, "run.until.%s is an empty list (expected at least one condition)", word);
    if (seq_len(list) > SD_MAX_UNTIL)
        sd_ld_fail(L, list, "run.until.%s has %d conditions (at most %d)", word, seq_len(list), SD_MAX_UNTIL);
    u->all = all != NULL;
    u->n = seq_len(list);
    for (int i = 0; i < u->n; i++) {
        char where[64];
        snprintf(where, sizeof where, "run.until.%s[%d]", word, i);
        load_cond(L, seq_at(L, list, i), where, &u->cond[i]);
    }
}

/* Each condition's scalar is written by a step op (else it never changes), and the scalars are
 * computed together at some step of the run (the conditions are judged only there). */
void sd_ld_check_until(loader *L)
{
    const sd_graph *g = L->g;
    const sd_guntil *u = &g->run.until;
    for (int i = 0; i < u->n; i++) {
        const int s = u->cond[i].scalar;
        int written = 0;
        for (int k = 0; k < g->nstep && !written; k++)
            for (int r = 0; r < g->step[k].cl->nroles; r++) {
                const sd_binding *b = &g->step[k].bind[r];
                if (b->is_scalar && b->index == s && b->mode != SD_READ) written = 1;
            }
        if (!written)
            sd_ld_fail(L, sd_ld_map_get(L, cond_node(L, i), "scalar", NULL),
                       "run.until watches scalar '%s', which no step op writes: it would never change (expected a step op "
                       "writing it)", g->scalars[s].name);
    }
    if (!u->n) return;
    /* a bounded search: longer runs are not checked (the first common step is the lcm of the ops' `every`) */
    const int64_t horizon = g->run.steps < (1 << 20) ? g->run.steps : (1 << 20);
    for (int64_t t = 1; t <= horizon; t++)
        if (sd_graph_until_due(g, t)) return;
    if (horizon < g->run.steps) return;
    sd_ld_fail(L, L->until, "run.until is never judged: no step of the run's %lld computes every scalar it names (their ops' "
               "every: N do not meet; expected a step that computes them all)", (long long)g->run.steps);
}
