/* report_charts.c - see report_charts.h: the gantt, busy and codelets charts, and the chart
 * files and titles all four share (the scalars chart is in report_scalars.c). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_charts.h"
#include "svg.h"


sd_svg *sd_chart_open(sd_chart_out *c, const char *chart, double h, char *path, size_t plen)
{
    char err[1024];
    snprintf(path, plen, "%s/%s-%s.svg", c->outdir, c->stem, chart);
    sd_svg *s = sd_svg_open(path, W_CHART, h, err, sizeof err);
    if (!s) {
        sd_report_msg("%s", err);
        c->failed = 1;
    }
    return s;
}

void sd_chart_close(sd_chart_out *c, sd_svg *s, const char *path)
{
    char err[1024];
    if (sd_svg_close(s, err, sizeof err) < 0) {
        sd_report_msg("%s", err);
        c->failed = 1;
    } else printf("%s\n", path);
}

void sd_chart_title(sd_svg *s, const char *title, const char *sub)
{
    char cut[1024];
    sd_svg_fit(cut, sizeof cut, title, 17, W_CHART - 40);
    sd_svg_text(s, 20, 28, 17, SD_SVG_START, 0, "#111", 1, "%s", cut);
    if (sub && *sub) {
        sd_svg_fit(cut, sizeof cut, sub, 12.5, W_CHART - 40);
        sd_svg_text(s, 20, 48, 12.5, SD_SVG_START, 0, "#555", 0, "%s", cut);
    }
}

/* Colour of a codelet: codelets in order of their total time take the palette in turn, so the
 * codelets that matter get its first, most distinct colours (and the legend lists them first). */
static const char *codelet_color(const sd_strtab *ranked, const char *name)
{
    int i = sd_strtab_find(ranked, name);
    return sd_svg_color(i < 0 ? 0 : i);
}

typedef struct {
    int cl;
    double total;
} clsum;

static int cmp_clsum(const void *a, const void *b)
{
    const clsum *x = a, *y = b;
    return x->total > y->total ? -1 : x->total < y->total;
}

int sd_chart_rank_codelets(const sd_trace_file *tr, sd_strtab *ranked)
{
    clsum *o = calloc(tr->cl.n ? tr->cl.n : 1, sizeof *o);
    if (!o) return -1;
    for (int i = 0; i < tr->cl.n; i++) o[i].cl = i;
    for (size_t i = 0; i < tr->nt; i++) o[tr->t[i].cl].total += tr->t[i].dur;
    qsort(o, tr->cl.n, sizeof *o, cmp_clsum);
    for (int i = 0; i < tr->cl.n; i++)
        if (sd_strtab_add(ranked, tr->cl.s[o[i].cl]) < 0) { free(o); return -1; }
    free(o);
    return 0;
}

static void fmt_ms(char *b, size_t l, double us)
{
    if (us >= 1e4) snprintf(b, l, "%.1f ms", us / 1e3);
    else if (us >= 1e3) snprintf(b, l, "%.2f ms", us / 1e3);
    else snprintf(b, l, "%.1f us", us);
}

static void fmt_s(char *b, size_t l, double s)
{
    if (s >= 100) snprintf(b, l, "%.0f s", s);
    else if (s >= 0.1) snprintf(b, l, "%.3f s", s);
    else if (s >= 1e-4) snprintf(b, l, "%.2f ms", s * 1e3);
    else snprintf(b, l, "%.1f us", s * 1e6);
}

static double label_column(const char *const *names, int n, double size, double lo, double hi)
{
    double w = 0;
    for (int i = 0; i < n; i++) {
        double t = sd_svg_text_width(names[i], size);
        if (t > w) w = t;
    }
    w += 22;
    return w < lo ? lo : w > hi ? hi : w;
}

#define GANTT_MAX_TASKS 20000 /* drawn task by task up to this many (~4 MB of SVG) */

/* The dense gantt: per worker row, tasks of 2 px or more as rectangles; the time of the others
 * summed per pixel column and codelet, each column drawn in the colour of the codelet with the
 * most time, its opacity the busy share of the column (quarters), equal neighbours merged. */
static void gantt_dense(sd_svg *s, const sd_svg_plot *p, const sd_trace_file *tr, const sd_strtab *colors, double pitch,
                        double barh)
{
    int ncol = (int)ceil(p->w), ncl = tr->cl.n;
    double *acc = calloc((size_t)ncol * (ncl ? ncl : 1), sizeof *acc);
    double uspx = (tr->t1 - tr->t0) / p->w;
    if (!acc || !(uspx > 0)) { free(acc); return; }
    char tip[512], a[32];
    for (size_t i = 0; i < tr->nt;) {
        size_t k = i;
        while (k < tr->nt && tr->t[k].w == tr->t[i].w) k++;
        memset(acc, 0, (size_t)ncol * (ncl ? ncl : 1) * sizeof *acc);
        for (size_t j = i; j < k; j++) {
            const sd_tf_task *t = &tr->t[j];
            double x0 = sd_svg_px(p, t->ts / 1e3) - p->x, x1 = sd_svg_px(p, (t->ts + t->dur) / 1e3) - p->x;
            if (x1 - x0 >= 2) continue;
            for (int col = x0 < 0 ? 0 : (int)x0; col < ncol && col <= (int)x1; col++) {
                double o = fmin(x1, col + 1.0) - fmax(x0, (double)col);
                if (o > 0) acc[(size_t)col * ncl + t->cl] += o * uspx;
            }
        }
        double y = p->y + tr->t[i].w * pitch + 1;
        for (int col = 0; col < ncol;) {
            int dom = 0;
            double tot = 0;
            for (int c = 0; c < ncl; c++) {
                tot += acc[(size_t)col * ncl + c];
                if (acc[(size_t)col * ncl + c] > acc[(size_t)col * ncl + dom]) dom = c;
            }
            if (tot <= 0) { col++; continue; }
            int lvl = (int)ceil(4 * fmin(1, tot / uspx)), end = col + 1;
            double sum = tot;
            for (; end < ncol; end++) {
                int d2 = 0;
                double t2 = 0;
                for (int c = 0; c < ncl; c++) {
                    t2 += acc[(size_t)end * ncl + c];
                    if (acc[(size_t)end * ncl + c] > acc[(size_t)end * ncl + d2]) d2 = c;
                }
                if (t2 <= 0 || d2 != dom || (int)ceil(4 * fmin(1, t2 / uspx)) != lvl) break;
                sum += t2;
            }
            fmt_ms(a, sizeof a, sum);
            snprintf(tip, sizeof tip, "short tasks, mostly %s: %s of task time, busy %d%%", tr->cl.s[dom], a,
                     (int)lround(100 * fmin(1, sum / (uspx * (end - col)))));
            sd_svg_rect_opacity(s, p->x + col, y, end - col, barh, codelet_color(colors, tr->cl.s[dom]),
                                lvl / 4.0, tip);
            col = end;
        }
        for (size_t j = i; j < k; j++) {
            const sd_tf_task *t = &tr->t[j];
            double x0 = sd_svg_px(p, t->ts / 1e3), x1 = sd_svg_px(p, (t->ts + t->dur) / 1e3);
            if (x1 - x0 < 2) continue;
            fmt_ms(a, sizeof a, t->dur);
            snprintf(tip, sizeof tip, "%s, step %ld, tile %ld (%s): %s", tr->cl.s[t->cl], t->step, t->tile,
                     tr->archs->s[t->arch], a);
            sd_svg_rect(s, x0, y, x1 - x0, barh, codelet_color(colors, tr->cl.s[t->cl]), NULL, tip);
        }
        i = k;
    }
    free(acc);
}

void sd_chart_gantt(sd_chart_out *c, const sd_trace_file *tr, const sd_strtab *colors)
{
    int nw = (int)tr->nw, ncl = colors->n;
    char path[4200], sub[512], a[32], b[32];
    const char **wn = malloc((nw ? nw : 1) * sizeof *wn);
    const char **ln = calloc(ncl + 1, sizeof *ln), **lc = calloc(ncl + 1, sizeof *lc);
    char (*lbuf)[48] = malloc((ncl + 1) * sizeof *lbuf);
    if (!wn || !ln || !lc || !lbuf) { sd_report_msg("out of memory"); c->failed = 1; goto out; }
    for (int i = 0; i < nw; i++) wn[i] = tr->w[i].name;
    for (int i = 0; i < ncl; i++) {
        sd_svg_ellipsize(lbuf[i], sizeof lbuf[i], colors->s[i], 40);
        ln[i] = lbuf[i];
        lc[i] = sd_svg_color(i);
    }
    int nl = ncl;
    if (tr->nx) { ln[nl] = "data fetch (under the row)"; lc[nl++] = "#222"; }
    double left = label_column(wn, nw, 12, 80, 220), right = 24, pw = W_CHART - left - right;
    double legend_y = 62, legend_h = sd_svg_legend(NULL, left, legend_y, pw, ln, lc, nl, 0);
    double pitch = nw <= 4 ? 40 : nw <= 16 ? 30 : nw <= 48 ? 18 : 12, barh = pitch * 0.6, xh = pitch <= 12 ? 2 : pitch * 0.13;
    sd_svg_plot p = {left, legend_y + legend_h + 12, pw, (nw ? nw : 1) * pitch, tr->t0 / 1e3, tr->t1 / 1e3, 0, 1};
    if (!(p.x1 > p.x0)) p.x1 = p.x0 + 1;
    double h = p.y + p.h + 52;
    sd_svg *s = sd_chart_open(c, "gantt", h, path, sizeof path);
    if (!s) goto out;
    fmt_ms(a, sizeof a, tr->t1 - tr->t0);
    int dense = tr->nt > GANTT_MAX_TASKS;
    size_t ns = 0;
    if (c->window) ns = (size_t)snprintf(sub, sizeof sub, "%s; ", c->window);
    if (dense)
        snprintf(sub + ns, sizeof sub - ns, "%zu tasks on %d workers in %s; tasks under 2 px summed per pixel column "
                 "(colour: most time, shade: busy share)", tr->nt, nw, a);
    else
        snprintf(sub + ns, sizeof sub - ns, "%zu tasks on %d workers in %s; one rectangle per task, coloured by codelet; "
                 "trace %s", tr->nt, nw, a, c->tracebase);
    sd_chart_title(s, "Tasks per worker over time", sub);
    sd_svg_legend(s, left, legend_y, pw, ln, lc, nl, 0);
    for (int i = 0; i < nw; i++) {
        double y = p.y + i * pitch;
        if (i % 2) sd_svg_rect(s, p.x, y, p.w, pitch, "#f4f4f4", NULL, NULL);
        sd_svg_text(s, p.x - 8, y + barh / 2 + 5.5, 12, SD_SVG_END, 0, "#222", 0, "%s", wn[i]);
    }
    sd_svg_axis_x(s, &p, "time since the run started (ms)");
    /* tasks, sorted by worker then start; neighbours of one codelet that touch at this scale
     * become one rectangle (the tooltip gives the count). A trace too big to draw task by task
     * keeps the tasks of 2 px or more and sums the others per pixel column. */
    size_t i = 0;
    char tip[512];
    if (dense) {
        gantt_dense(s, &p, tr, colors, pitch, barh);
        i = tr->nt;
    }
    while (i < tr->nt) {
        const sd_tf_task *t = &tr->t[i];
        double x0 = sd_svg_px(&p, t->ts / 1e3), x1 = sd_svg_px(&p, (t->ts + t->dur) / 1e3);
        size_t k = i + 1;
        while (k < tr->nt && tr->t[k].w == t->w && tr->t[k].cl == t->cl && sd_svg_px(&p, tr->t[k].ts / 1e3) <= x1 + 0.5) {
            double e = sd_svg_px(&p, (tr->t[k].ts + tr->t[k].dur) / 1e3);
            if (e > x1) x1 = e;
            k++;
        }
        const char *name = tr->cl.s[t->cl];
        if (k == i + 1) {
            fmt_ms(a, sizeof a, t->dur);
            snprintf(b, sizeof b, "%.3f ms", t->ts / 1e3); /* fine enough for a window of one step */
            if (t->tile >= 0)
                snprintf(tip, sizeof tip, "%s, step %ld, tile %ld (%s): %s at %s", name, t->step, t->tile,
                         tr->archs->s[t->arch], a, b);
            else
                snprintf(tip, sizeof tip, "%s, step %ld (%s): %s at %s", name, t->step, tr->archs->s[t->arch], a,
                         b);
        } else {
            fmt_ms(a, sizeof a, t->ts);
            snprintf(tip, sizeof tip, "%s: %zu tasks from %s", name, k - i, a);
        }
        double y = p.y + t->w * pitch;
        sd_svg_rect(s, x0, y + 1, x1 - x0 < 0.6 ? 0.6 : x1 - x0, barh, codelet_color(colors, name), NULL, tip);
        i = k;
    }
    /* data fetches (sorted by worker then start): those that touch at this scale merge */
    for (size_t x = 0; x < tr->nx;) {
        const sd_tf_xfer *e = &tr->x[x];
        double x0 = sd_svg_px(&p, e->ts / 1e3), x1 = sd_svg_px(&p, (e->ts + e->dur) / 1e3), sum = e->dur;
        size_t k = x + 1;
        for (; k < tr->nx && tr->x[k].w == e->w && sd_svg_px(&p, tr->x[k].ts / 1e3) <= x1 + 0.5; k++) {
            double end = sd_svg_px(&p, (tr->x[k].ts + tr->x[k].dur) / 1e3);
            if (end > x1) x1 = end;
            sum += tr->x[k].dur;
        }
        fmt_ms(a, sizeof a, sum);
        if (k == x + 1) snprintf(tip, sizeof tip, "data fetch: %s", a);
        else snprintf(tip, sizeof tip, "%zu data fetches: %s in all", k - x, a);
        sd_svg_rect(s, x0, p.y + e->w * pitch + barh + 2.5, x1 - x0 < 0.6 ? 0.6 : x1 - x0, xh, "#222", NULL, tip);
        x = k;
    }
    sd_svg_frame(s, &p);
    sd_chart_close(c, s, path);
out:
    free(wn);
    free(ln);
    free(lc);
    free(lbuf);
}

void sd_chart_busy(sd_chart_out *c, const sd_trace_file *tr)
{
    enum { NB = 100 };
    int nw = (int)tr->nw;
    char path[4200], sub[512], a[32];
    double span = tr->t1 - tr->t0, bw = span > 0 ? span / NB : 1;
    double *busy = calloc((size_t)(nw ? nw : 1) * NB, sizeof *busy), *tot = calloc(nw ? nw : 1, sizeof *tot);
    double xs[NB], ys[NB];
    const char **ln = calloc(nw + 1, sizeof *ln), **lc = calloc(nw + 1, sizeof *lc);
    char (*lbuf)[96] = malloc((nw + 1) * sizeof *lbuf);
    if (!busy || !tot || !ln || !lc || !lbuf) { sd_report_msg("out of memory"); c->failed = 1; goto out; }
    for (size_t i = 0; i < tr->nt; i++) {
        const sd_tf_task *t = &tr->t[i];
        double s0 = t->ts - tr->t0, s1 = s0 + t->dur;
        tot[t->w] += t->dur;
        int b0 = (int)(s0 / bw), b1 = (int)(s1 / bw);
        if (b0 >= NB) b0 = NB - 1;
        if (b1 >= NB) b1 = NB - 1;
        for (int b = b0 < 0 ? 0 : b0; b <= b1; b++) {
            double lo = b * bw, hi = lo + bw, o = (s1 < hi ? s1 : hi) - (s0 > lo ? s0 : lo);
            if (o > 0) busy[(size_t)t->w * NB + b] += o;
        }
    }
    for (int w = 0; w < nw; w++) {
        snprintf(lbuf[w], sizeof lbuf[w], "%s (%.1f %%)", tr->w[w].name, span > 0 ? 100 * tot[w] / span : 0.0);
        ln[w] = lbuf[w];
        lc[w] = sd_svg_color(w);
    }
    int nl = nw;
    if (nw > 1) { ln[nl] = "mean of all workers"; lc[nl++] = "#111"; }
    double left = 80, right = 24, pw = W_CHART - left - right, legend_y = 62;
    double legend_h = sd_svg_legend(NULL, left, legend_y, pw, ln, lc, nl, 1);
    sd_svg_plot p = {left, legend_y + legend_h + 14, pw, 340, tr->t0 / 1e3, tr->t1 / 1e3, 0, 103}; /* 100 % visible */
    if (!(p.x1 > p.x0)) p.x1 = p.x0 + 1;
    sd_svg *s = sd_chart_open(c, "busy", p.y + p.h + 52, path, sizeof path);
    if (!s) goto out;
    fmt_ms(a, sizeof a, bw);
    if (c->window)
        snprintf(sub, sizeof sub, "%s; share of each %s bin (1/100 of the window) spent running tasks; legend: mean over "
                 "the window", c->window, a);
    else
        snprintf(sub, sizeof sub, "share of each %s bin (1/100 of the run) spent running tasks; legend: mean over the run; "
                 "trace %s", a, c->tracebase);
    sd_chart_title(s, "Busy fraction per worker (%)", sub);
    sd_svg_legend(s, left, legend_y, pw, ln, lc, nl, 1);
    sd_svg_axis_x(s, &p, "time since the run started (ms)");
    sd_svg_axis_y(s, &p, "busy (%)");
    for (int b = 0; b < NB; b++) xs[b] = sd_svg_px(&p, (tr->t0 + (b + 0.5) * bw) / 1e3);
    for (int w = 0; w < nw; w++) {
        for (int b = 0; b < NB; b++) {
            double v = 100 * busy[(size_t)w * NB + b] / bw;
            ys[b] = sd_svg_py(&p, v > 100 ? 100 : v);
        }
        sd_svg_polyline(s, xs, ys, NB, sd_svg_color(w), nw > 8 ? 1.2 : 1.8);
    }
    if (nw > 1) {
        for (int b = 0; b < NB; b++) {
            double m = 0;
            for (int w = 0; w < nw; w++) m += busy[(size_t)w * NB + b];
            m = 100 * m / bw / nw;
            ys[b] = sd_svg_py(&p, m > 100 ? 100 : m);
        }
        sd_svg_polyline(s, xs, ys, NB, "#111", 2.6);
    }
    sd_svg_frame(s, &p);
    sd_chart_close(c, s, path);
out:
    free(busy);
    free(tot);
    free(ln);
    free(lc);
    free(lbuf);
}

static const char *arch_color(const sd_strtab *archs, int a)
{
    const char *n = archs->s[a];
    if (!strcmp(n, "cpu")) return "#1f77b4";
    if (!strcmp(n, "cuda")) return "#2ca02c";
    return sd_svg_color(3 + a);
}

static void arch_label(char *b, size_t l, const char *a)
{
    if (!strcmp(a, "cpu")) snprintf(b, l, "CPU");
    else if (!strcmp(a, "cuda")) snprintf(b, l, "CUDA");
    else snprintf(b, l, "%s", a);
}

/* Rows (codelet, arch, tasks, seconds) from /run or, without it, summed from the trace. */
void sd_chart_codelets(sd_chart_out *c, const sd_run_info *ri, const sd_trace_file *tr, const sd_strtab *cls,
                       const sd_strtab *archs)
{
    int n = 0, ncl = cls->n, na = archs->n;
    int64_t *tasks = calloc((size_t)(ncl ? ncl : 1) * (na ? na : 1), sizeof *tasks);
    double *secs = calloc((size_t)(ncl ? ncl : 1) * (na ? na : 1), sizeof *secs);
    clsum *order = calloc(ncl ? ncl : 1, sizeof *order);
    const char **ln = calloc(na ? na : 1, sizeof *ln), **lc = calloc(na ? na : 1, sizeof *lc);
    char (*lbuf)[32] = malloc((na ? na : 1) * sizeof *lbuf);
    char path[4200], sub[600], sub2[600], a[32], lab[128];
    if (!tasks || !secs || !order || !ln || !lc || !lbuf) { sd_report_msg("out of memory"); c->failed = 1; goto out; }
    if (ri->present) {
        for (int i = 0; i < ri->n; i++) {
            tasks[(size_t)ri->cl[i] * na + ri->arch[i]] += ri->tasks[i];
            secs[(size_t)ri->cl[i] * na + ri->arch[i]] += ri->secs[i];
        }
    } else {
        for (size_t i = 0; i < tr->nt; i++) {
            int k = sd_strtab_find(cls, tr->cl.s[tr->t[i].cl]);
            tasks[(size_t)k * na + tr->t[i].arch]++;
            secs[(size_t)k * na + tr->t[i].arch] += tr->t[i].dur * 1e-6;
        }
    }
    double smax = 0;
    int *used = calloc(na ? na : 1, sizeof *used), nbars = 0;
    if (!used) { sd_report_msg("out of memory"); c->failed = 1; goto out; }
    for (int k = 0; k < ncl; k++) {
        double t = 0;
        int any = 0;
        for (int x = 0; x < na; x++)
            if (tasks[(size_t)k * na + x] > 0 || secs[(size_t)k * na + x] > 0) {
                t += secs[(size_t)k * na + x];
                if (secs[(size_t)k * na + x] > smax) smax = secs[(size_t)k * na + x];
                used[x] = any = 1;
                nbars++;
            }
        if (any) order[n++] = (clsum){k, t};
    }
    qsort(order, n, sizeof *order, cmp_clsum);
    int nl = 0;
    for (int x = 0; x < na; x++)
        if (used[x]) {
            arch_label(lbuf[nl], sizeof lbuf[nl], archs->s[x]);
            ln[nl] = lbuf[nl];
            lc[nl++] = arch_color(archs, x);
        }
    free(used);
    if (!n) {
        sd_report_msg("%s: no codelet ran (nothing in /run or the trace): codelets chart skipped", c->run);
        goto out;
    }
    const char **names = malloc(n * sizeof *names);
    char (*nbuf)[64] = malloc(n * sizeof *nbuf);
    if (!names || !nbuf) { free(names); free(nbuf); sd_report_msg("out of memory"); c->failed = 1; goto out; }
    for (int i = 0; i < n; i++) {
        sd_svg_ellipsize(nbuf[i], sizeof nbuf[i], cls->s[order[i].cl], 34);
        names[i] = nbuf[i];
    }
    double left = label_column(names, n, 12, 100, 300), right = 190, pw = W_CHART - left - right, legend_y = 62;
    int two = ri->present && ri->nw > 0;
    if (two) legend_y += 18;
    double legend_h = sd_svg_legend(NULL, left, legend_y, pw, ln, lc, nl, 0);
    const double bar = 18, gap = 3, ggap = 14;
    double ph = n * ggap + nbars * bar + (nbars - n) * gap + ggap;
    double hi = smax, lo = 0;
    sd_svg_nice_range(&lo, &hi, 8);
    sd_svg_plot p = {left, legend_y + legend_h + 12, pw, ph, 0, hi, 0, 1};
    sd_svg *s = sd_chart_open(c, "codelets", p.y + p.h + 52, path, sizeof path);
    if (!s) { free(names); free(nbuf); goto out; }
    if (ri->present) {
        if (isfinite(ri->wall)) fmt_s(a, sizeof a, ri->wall);
        snprintf(sub, sizeof sub, "time inside each codelet, summed over workers; from /run of %s%s%s", c->runbase,
                 isfinite(ri->wall) ? "; wall time " : "", isfinite(ri->wall) ? a : "");
    } else
        snprintf(sub, sizeof sub, "time inside each codelet, summed over workers; from trace %s (%s has no /run group)",
                 c->tracebase, c->runbase);
    sd_chart_title(s, "Time per codelet and architecture (s)", sub);
    if (two) {
        size_t k = (size_t)snprintf(sub2, sizeof sub2, "worker busy:");
        for (int w = 0; w < ri->nw && k < sizeof sub2; w++) {
            if (ri->wbusy && isfinite(ri->wall) && ri->wall > 0)
                k += snprintf(sub2 + k, sizeof sub2 - k, "%s %s %.1f %%", w ? "," : "", ri->wname[w], 100 * ri->wbusy[w] / ri->wall);
            else if (ri->wbusy) {
                fmt_s(a, sizeof a, ri->wbusy[w]);
                k += snprintf(sub2 + k, sizeof sub2 - k, "%s %s %s", w ? "," : "", ri->wname[w], a);
            } else k += snprintf(sub2 + k, sizeof sub2 - k, "%s %s", w ? "," : "", ri->wname[w]);
        }
        char cut[sizeof sub2];
        sd_svg_fit(cut, sizeof cut, sub2, 12.5, W_CHART - 40);
        sd_svg_text(s, 20, 66, 12.5, SD_SVG_START, 0, "#555", 0, "%s", cut);
    }
    sd_svg_legend(s, left, legend_y, pw, ln, lc, nl, 0);
    sd_svg_axis_x(s, &p, "seconds (sum over workers)");
    double y = p.y + ggap;
    for (int i = 0; i < n; i++) {
        int k = order[i].cl, nb = 0;
        double y0 = y;
        for (int x = 0; x < na; x++) {
            size_t ix = (size_t)k * na + x;
            if (!(tasks[ix] > 0 || secs[ix] > 0)) continue;
            if (nb++) y += gap;
            double x1 = sd_svg_px(&p, secs[ix]), w = x1 - p.x;
            fmt_s(a, sizeof a, secs[ix]);
            arch_label(lab, sizeof lab, archs->s[x]);
            char tip[512];
            snprintf(tip, sizeof tip, "%s on %s: %" PRId64 " tasks, %s", cls->s[k], lab, tasks[ix], a);
            sd_svg_rect(s, p.x, y, w < 1 ? 1 : w, bar, arch_color(archs, x), NULL, tip);
            sd_svg_text(s, p.x + (w < 1 ? 1 : w) + 6, y + bar / 2 + 4.5, 12, SD_SVG_START, 0, "#222", 0,
                        "%" PRId64 " task%s, %s", tasks[ix], tasks[ix] == 1 ? "" : "s", a);
            y += bar;
        }
        sd_svg_text(s, p.x - 10, (y0 + y) / 2 + 4.5, 12, SD_SVG_END, 0, "#222", 0, "%s", names[i]);
        if (i + 1 < n) sd_svg_line(s, p.x - 6, y + ggap / 2, p.x + p.w, y + ggap / 2, "#eeeeee", 1, 0);
        y += ggap;
    }
    /* no frame: the labels at the bars' ends may reach past the plot */
    sd_svg_line(s, p.x, p.y, p.x, p.y + p.h, "#444", 1, 0);
    sd_svg_line(s, p.x, p.y + p.h, p.x + p.w, p.y + p.h, "#444", 1, 0);
    sd_chart_close(c, s, path);
    free(names);
    free(nbuf);
out:
    free(tasks);
    free(secs);
    free(order);
    free(ln);
    free(lc);
    free(lbuf);
}
