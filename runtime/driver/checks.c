/* checks.c - see checks.h. Records arrive in step order (the engine delivers them so), which
 * monotone relies on. Each check keeps its first failure: later records of the steps still in
 * flight when the run stops must not replace the value that made it fail. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"

int sd_checks_init(sd_checks *k, const sd_graph *g)
{
    k->g = g;
    k->c = calloc(g->nchecks + 1, sizeof *k->c);
    if (!k->c) return -1;
    for (int i = 0; i < g->nchecks; i++) k->c[i].ref = g->checks[i].reference;
    return 0;
}

void sd_checks_free(sd_checks *k)
{
    free(k->c);
    k->c = NULL;
}

static int check_scalar(const sd_gcheck *c) { return c->kind == SD_CHECK_FINITE ? c->hidden_scalar : c->target; }

/* Relative drift from ref; absolute when ref is 0. */
static double drift_of(double v, double ref) { return fabs(v - ref) / (ref != 0 ? fabs(ref) : 1.0); }

/* Does v keep the direction after prev, within the allowed relative step back? */
static int monotone_ok(const sd_gcheck *c, double v, double prev)
{
    double slack = c->rtol * fabs(prev);
    if (c->direction > 0) return c->strict ? v > prev : v >= prev - slack;
    return c->strict ? v < prev : v <= prev + slack;
}

/* 1 if this value fails the check; updates the check's running state. */
static int judge(const sd_gcheck *c, sd_check_state *s, int64_t step, double v)
{
    double against = 0;
    int64_t against_step = 0;
    int bad = 0;
    switch (c->kind) {
    case SD_CHECK_FINITE: bad = v != 0; break;
    case SD_CHECK_RANGE: bad = !(v >= c->min && v <= c->max); break;
    case SD_CHECK_DRIFT: {
        if (s->evaluations == 1 && !c->has_reference) s->ref = v;
        double d = drift_of(v, s->ref);
        if (!(d <= s->worst)) s->worst = d;
        bad = !(d <= c->rtol);
        against = s->ref;
        break;
    }
    case SD_CHECK_MONOTONE:
        bad = !isfinite(v) || (s->evaluations > 1 && !monotone_ok(c, v, s->prev));
        against = s->prev, against_step = s->prev_step;
        s->prev = v, s->prev_step = step;
        break;
    }
    if (bad && !s->failed) {
        s->failed = 1;
        s->fail_step = step, s->fail_value = v, s->fail_against = against, s->fail_against_step = against_step;
        return 1;
    }
    return 0;
}

/* What the first failure was, after "check TEXT failed at step N: " or "FAILED at step N: ". */
static void describe_failure(const sd_graph *g, const sd_gcheck *c, const sd_check_state *s, char *buf, size_t len)
{
    const char *name = g->scalars[check_scalar(c)].name;
    switch (c->kind) {
    case SD_CHECK_FINITE:
        snprintf(buf, len, "%.0f non-finite values in field %s", s->fail_value, g->fields[c->target].name);
        break;
    case SD_CHECK_RANGE: snprintf(buf, len, "%s = %.17g", name, s->fail_value); break;
    case SD_CHECK_DRIFT:
        snprintf(buf, len, "%s = %.17g, %s %.17g, relative drift %.3g", name, s->fail_value,
                 c->has_reference ? "reference" : "first value", s->fail_against, drift_of(s->fail_value, s->fail_against));
        break;
    case SD_CHECK_MONOTONE:
        if (s->fail_against_step == 0 && !isfinite(s->fail_value)) snprintf(buf, len, "%s = %.17g", name, s->fail_value);
        else if (s->fail_value == s->fail_against)
            snprintf(buf, len, "%s = %.17g, the same as at step %lld", name, s->fail_value, (long long)s->fail_against_step);
        else
            snprintf(buf, len, "%s = %.17g after %.17g at step %lld (%s by %.3g relative)", name, s->fail_value,
                     s->fail_against, (long long)s->fail_against_step, s->fail_value > s->fail_against ? "rose" : "fell",
                     drift_of(s->fail_value, s->fail_against));
        break;
    }
}

int sd_checks_eval(sd_checks *k, int64_t step, const double *value, const unsigned char *computed, char *why,
                   size_t len)
{
    const sd_graph *g = k->g;
    int newly = 0;
    for (int i = 0; i < g->nchecks; i++) {
        const sd_gcheck *c = &g->checks[i];
        int sc = check_scalar(c);
        if (sc < 0 || !computed[sc]) continue;
        sd_check_state *s = &k->c[i];
        s->evaluations++;
        if (judge(c, s, step, value[sc]) && !newly) {
            char what[512];
            describe_failure(g, c, s, what, sizeof what);
            snprintf(why, len, "check %s failed at step %lld: %s", c->text, (long long)step, what);
            newly = 1;
        }
    }
    return newly;
}

void sd_checks_report(const sd_checks *k, int64_t last_step, FILE *out)
{
    const sd_graph *g = k->g;
    for (int i = 0; i < g->nchecks; i++) {
        const sd_gcheck *c = &g->checks[i];
        const sd_check_state *s = &k->c[i];
        char what[512];
        if (s->failed) {
            describe_failure(g, c, s, what, sizeof what);
            fprintf(out, "  check %s: FAILED at step %lld: %s\n", c->text, (long long)s->fail_step, what);
        } else if (!s->evaluations) {
            const char *name = c->kind == SD_CHECK_FINITE ? g->fields[c->target].name : g->scalars[c->target].name;
            if (c->kind == SD_CHECK_FINITE)
                fprintf(out, "  check %s: not evaluated (it runs every %d steps; the run ended at step %lld)\n", c->text,
                        c->every, (long long)last_step);
            else fprintf(out, "  check %s: not evaluated (%s was never computed during the run's %lld steps)\n", c->text, name,
                         (long long)last_step);
        } else if (c->kind == SD_CHECK_DRIFT)
            fprintf(out, "  check %s: ok (largest drift %.3g)\n", c->text, s->worst);
        else fprintf(out, "  check %s: ok (%lld value%s)\n", c->text, (long long)s->evaluations, s->evaluations == 1 ? "" : "s");
    }
}

void sd_checks_save(const sd_checks *k, int64_t *iv, double *fv)
{
    for (int i = 0; i < k->g->nchecks; i++) {
        const sd_check_state *s = &k->c[i];
        int64_t *r = iv + (size_t)i * SD_CHECKS_SAVE_I;
        double *f = fv + (size_t)i * SD_CHECKS_SAVE_F;
        r[0] = s->evaluations, r[1] = s->prev_step, r[2] = k->g->checks[i].kind, r[3] = k->g->checks[i].target;
        f[0] = s->ref, f[1] = s->worst, f[2] = s->prev;
    }
}

int sd_checks_restore(sd_checks *k, int n, const int64_t *iv, const double *fv)
{
    int fresh = 0;
    for (int i = 0; i < k->g->nchecks; i++) {
        const int64_t *r = iv + (size_t)i * SD_CHECKS_SAVE_I;
        const double *f = fv + (size_t)i * SD_CHECKS_SAVE_F;
        const sd_gcheck *c = &k->g->checks[i];
        if (i >= n || r[2] != c->kind || r[3] != c->target) {
            fresh++;
            continue;
        }
        sd_check_state *s = &k->c[i];
        s->evaluations = r[0], s->prev_step = r[1];
        s->ref = c->has_reference ? c->reference : f[0]; /* a reference the graph gives wins */
        s->worst = f[1], s->prev = f[2];
    }
    return fresh;
}

int sd_checks_unevaluated(const sd_checks *k)
{
    int n = 0;
    for (int i = 0; i < k->g->nchecks; i++) n += k->c[i].evaluations == 0;
    return n;
}
