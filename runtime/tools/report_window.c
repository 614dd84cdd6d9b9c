/* report_window.c - see report_window.h. Trace times are microseconds since the run started. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_window.h"

int sd_report_parse_steps(const char *s, long *a, long *b)
{
    char *end;
    errno = 0;
    *a = strtol(s, &end, 10);
    if (end == s || *end != ':' || errno || *a < 0) return 0;
    const char *s2 = end + 1;
    *b = strtol(s2, &end, 10);
    return end != s2 && !*end && !errno && *b >= *a;
}

static void fmt_ms(char *b, size_t l, double us) { snprintf(b, l, "%.6g ms", us / 1e3); }

/* The window in microseconds from the options and the trace. 0, or -1 with err. */
static int window_bounds(const sd_trace_file *tr, const sd_report_window *w, double *lo, double *hi, char *what,
                         size_t whatlen, char *err, size_t errlen)
{
    char a[32], b[32];
    if (w->by_steps) {
        long smin = -1, smax = -1;
        *lo = 0, *hi = -1;
        for (size_t i = 0; i < tr->nt; i++) {
            const sd_tf_task *t = &tr->t[i];
            if (t->step >= 0 && (smin < 0 || t->step < smin)) smin = t->step;
            if (t->step > smax) smax = t->step;
            if (t->step < w->step_a || t->step > w->step_b) continue;
            if (*hi < *lo || t->ts < *lo) *lo = t->ts;
            if (t->ts + t->dur > *hi) *hi = t->ts + t->dur;
        }
        if (*hi < *lo) {
            if (smin < 0) snprintf(err, errlen, "%s: no task of the trace names its step; --steps cannot place a window", tr->path);
            else snprintf(err, errlen, "%s: no task of steps %ld:%ld in the trace (its tasks are of steps %ld to %ld)",
                          tr->path, w->step_a, w->step_b, smin, smax);
            return -1;
        }
        fmt_ms(a, sizeof a, *lo), fmt_ms(b, sizeof b, *hi);
        if (w->step_a == w->step_b) snprintf(what, whatlen, "step %ld: %s to %s", w->step_a, a, b);
        else snprintf(what, whatlen, "steps %ld-%ld: %s to %s", w->step_a, w->step_b, a, b);
        return 0;
    }
    *lo = w->has_from ? w->from_s * 1e6 : tr->t0;
    *hi = w->has_to ? w->to_s * 1e6 : tr->t1;
    fmt_ms(a, sizeof a, *lo), fmt_ms(b, sizeof b, *hi);
    if (w->has_from && w->has_to && !(*hi > *lo)) {
        snprintf(err, errlen, "the window %s to %s is empty (--from must be below --to)", a, b);
        return -1;
    }
    if (*hi <= tr->t0 || *lo >= tr->t1 || !(*hi > *lo)) {
        char c[32], d[32];
        fmt_ms(c, sizeof c, tr->t0), fmt_ms(d, sizeof d, tr->t1);
        snprintf(err, errlen, "%s: the window %s to %s lies outside the trace's tasks (%s to %s since the run started)",
                 tr->path, a, b, c, d);
        return -1;
    }
    snprintf(what, whatlen, "window %s to %s", a, b);
    return 0;
}

int sd_trace_window(const sd_trace_file *tr, const sd_report_window *w, sd_trace_file *out, char *what,
                    size_t whatlen, char *err, size_t errlen)
{
    double lo, hi;
    *out = *tr;
    out->t = NULL, out->x = NULL, out->nt = out->nx = 0;
    if (window_bounds(tr, w, &lo, &hi, what, whatlen, err, errlen) < 0) return -1;
    out->t = malloc((tr->nt ? tr->nt : 1) * sizeof *out->t);
    out->x = malloc((tr->nx ? tr->nx : 1) * sizeof *out->x);
    if (!out->t || !out->x) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* order (by worker, then start) is kept; cutting at the edges keeps it too */
    for (size_t i = 0; i < tr->nt; i++) {
        sd_tf_task t = tr->t[i];
        double e = t.ts + t.dur;
        if (t.dur > 0 ? (e <= lo || t.ts >= hi) : (t.ts < lo || t.ts > hi)) continue;
        if (t.ts < lo) t.ts = lo;
        if (e > hi) e = hi;
        t.dur = e - t.ts;
        out->t[out->nt++] = t;
    }
    for (size_t i = 0; i < tr->nx; i++) {
        sd_tf_xfer x = tr->x[i];
        double e = x.ts + x.dur;
        if (e <= lo || x.ts >= hi) continue;
        if (x.ts < lo) x.ts = lo;
        if (e > hi) e = hi;
        x.dur = e - x.ts;
        out->x[out->nx++] = x;
    }
    out->t0 = lo, out->t1 = hi;
    return 0;
}

void sd_trace_window_free(sd_trace_file *out)
{
    free(out->t);
    free(out->x);
    out->t = NULL, out->x = NULL;
}
