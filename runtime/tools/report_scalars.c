/* report_scalars.c - the scalars chart of `stardag report` (see report_charts.h): one panel per
 * scalar over time; a near-constant series as its relative drift, a positive one spanning
 * decades on a log scale. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_charts.h"
#include "svg.h"

#define DRIFT_REL 1e-4 /* below this relative variation a scalar is plotted as relative drift */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A value with some significant digits, exponents written as on the axes (1.5e-12, 3.1e9). */
static void fmt_g(char *b, size_t l, double v, int digits, int plus)
{
    char t[40], *e;
    snprintf(t, sizeof t, plus ? "%+.*g" : "%.*g", digits, v);
    if ((e = strchr(t, 'e'))) {
        char sign = e[1], *d = e + 2;
        while (*d == '0' && d[1]) d++;
        snprintf(b, l, "%.*se%s%s", (int)(e - t), t, sign == '-' ? "-" : "", d);
    } else snprintf(b, l, "%s", t);
}

static void fmt_val(char *b, size_t l, double v) { fmt_g(b, l, v, 6, 0); }

/* One panel; y is the top of its title line. */
#define LOG_DECADES 3.0 /* a positive series spanning more decades than this is drawn on a log scale */

/* The plotted y of a value: relative drift, log10, or the value itself. */
static double ymap(double v, int logy, double off, double scale) { return logy ? log10(v) : (v - off) / scale; }

static void scalar_panel(sd_svg *s, const sd_run_scalars *sc, int k, double top, double left, double pw, double ph,
                         int last, int force_log)
{
    const double *v = sc->v[k];
    int64_t n = sc->n, nfin = 0, nnan = 0, ninf = 0, imin = -1, imax = -1, i0 = -1;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(v[i])) { nnan++; continue; }
        if (!isfinite(v[i])) { ninf++; continue; }
        if (!isfinite(sc->x[i])) continue;
        if (i0 < 0) i0 = i;
        nfin++;
        if (imin < 0 || v[i] < v[imin]) imin = i;
        if (imax < 0 || v[i] > v[imax]) imax = i;
    }
    const char *xn = sc->x_is_time ? "t" : "step";
    char nm[256];
    sd_svg_fit(nm, sizeof nm, sc->names[k], 14, pw * 0.5);
    char t[700], a[48], b[48], c2[48], note[256] = "";
    if (nnan || ninf) {
        size_t k2 = (size_t)snprintf(note, sizeof note, "; ");
        if (nnan) k2 += snprintf(note + k2, sizeof note - k2, "%" PRId64 " of %" PRId64 " rows NaN", nnan, n);
        if (ninf) k2 += snprintf(note + k2, sizeof note - k2, "%s%" PRId64 " rows infinite", nnan ? ", " : "", ninf);
        /* a series that ends non-finite (a blow-up), not just between computed rows: from where */
        int64_t last = -1, gap = 1, tinf = 0;
        for (int64_t i = 0; i < n; i++)
            if (isfinite(v[i])) {
                if (last >= 0 && i - last > gap) gap = i - last; /* the widest gap seen */
                last = i;
            }
        for (int64_t i = last + 1; i < n; i++) tinf += isinf(v[i]);
        if (last >= 0 && last + 1 < n && (tinf || n - 1 - last >= gap) && k2 < sizeof note) {
            fmt_val(a, sizeof a, sc->x[last + 1]);
            snprintf(note + k2, sizeof note - k2, "; non-finite from %s = %s on", xn, a);
        }
    }
    double xlo = INFINITY, xhi = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(sc->x[i])) {
            if (sc->x[i] < xlo) xlo = sc->x[i];
            if (sc->x[i] > xhi) xhi = sc->x[i];
        }
    if (!(xhi >= xlo)) xlo = 0, xhi = 1;
    if (xhi == xlo) sd_svg_nice_range(&xlo, &xhi, 6);
    sd_svg_plot p = {left, top + 10, pw, ph, xlo, xhi, 0, 1};
    if (!nfin) {
        snprintf(t, sizeof t, "no finite values%s", note);
        sd_svg_text(s, left, top, 14, SD_SVG_START, 0, "#111", 1, "%s", nm);
        sd_svg_text(s, left + sd_svg_text_width(nm, 14) * 1.04 + 12, top, 12.5, SD_SVG_START, 0, "#555", 0, "%s", t);
        sd_svg_axis_x(s, &p, last ? (sc->x_is_time ? "time (simulation units)" : "step") : NULL);
        sd_svg_frame(s, &p);
        sd_svg_text(s, p.x + p.w / 2, p.y + p.h / 2, 13, SD_SVG_MIDDLE, 0, "#888", 0, "no values to plot");
        return;
    }
    double v0 = v[i0], vmin = v[imin], vmax = v[imax], mag = fmax(fabs(vmin), fabs(vmax));
    double rel = mag > 0 ? (vmax - vmin) / mag : 0;
    int drift = vmax > vmin && v0 != 0 && rel < DRIFT_REL;
    double scale = drift ? fabs(v0) : 1, off = drift ? v0 : 0;
    double decades = vmin > 0 ? log10(vmax / vmin) : 0;
    int logy = !drift && vmin > 0 && vmax > vmin && (force_log || decades > LOG_DECADES);
    char scale_note[96] = "";
    if (logy) snprintf(scale_note, sizeof scale_note, "; log scale (%.1f decades)", decades);
    else if (force_log && vmax > vmin && !drift) snprintf(scale_note, sizeof scale_note, "; linear scale: not every value is positive");
    fmt_val(a, sizeof a, v0);
    if (drift) {
        double dmax = fmax(fabs(vmax - v0), fabs(vmin - v0)) / fabs(v0);
        fmt_g(b, sizeof b, dmax, 2, 0);
        snprintf(t, sizeof t, "relative drift (v - v0)/|v0| from v0 = %s; max |drift| %s%s", a, b, note);
    } else if (vmax == vmin)
        snprintf(t, sizeof t, "constant: %s in every %srow%s", a, nnan || ninf ? "finite " : "", note);
    else {
        fmt_val(a, sizeof a, vmin);
        fmt_val(b, sizeof b, vmax);
        snprintf(t, sizeof t, "min %s, max %s%s%s", a, b, scale_note, note);
    }
    sd_svg_text(s, left, top, 14, SD_SVG_START, 0, "#111", 1, "%s", nm);
    char cut[700];
    double tw = sd_svg_text_width(nm, 14) * 1.04 + 12; /* bold */
    sd_svg_fit(cut, sizeof cut, t, 12.5, pw - tw);
    sd_svg_text(s, left + tw, top, 12.5, SD_SVG_START, 0, "#555", 0, "%s", cut);
    double ylo = ymap(vmin, logy, off, scale), yhi = ymap(vmax, logy, off, scale);
    if (logy) { /* whole decades, with room for the min/max labels */
        ylo = floor(ylo - 0.15);
        yhi = ceil(yhi + 0.15);
    } else {
        if (drift) { ylo = fmin(ylo, 0); yhi = fmax(yhi, 0); }
        double pad = (yhi - ylo) * 0.2; /* room for the min/max labels above and below */
        int nonneg = !drift && ylo >= 0;
        ylo -= pad;
        yhi += pad;
        if (nonneg && ylo < 0) ylo = 0; /* a positive quantity keeps its axis at zero */
        sd_svg_nice_range(&ylo, &yhi, 4);
    }
    p.y0 = ylo;
    p.y1 = yhi;
    sd_svg_axis_x(s, &p, last ? (sc->x_is_time ? "time (simulation units)" : "step") : NULL);
    char yl[64], yname[80];
    snprintf(yname, sizeof yname, "%s%s", drift ? "rel. drift" : sc->names[k], logy ? " (log)" : "");
    sd_svg_ellipsize(yl, sizeof yl, yname, (size_t)(ph / 8));
    if (logy) sd_svg_axis_y_log(s, &p, yl);
    else sd_svg_axis_y(s, &p, yl);
    if (drift) sd_svg_line(s, p.x, sd_svg_py(&p, 0), p.x + p.w, sd_svg_py(&p, 0), "#999", 1, 1);
    /* segments: finite points joined unless the gap is well beyond the usual row spacing of
     * this scalar (a scalar computed every 10 steps is NaN in between: that is no gap) */
    int64_t *fi = malloc(nfin * sizeof *fi);
    double *gaps = malloc((nfin ? nfin : 1) * sizeof *gaps), *xs = malloc(nfin * sizeof *xs),
           *ys = malloc(nfin * sizeof *ys);
    if (!fi || !gaps || !xs || !ys) goto done;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(v[i]) && isfinite(sc->x[i])) fi[m++] = i;
    double typical = 1;
    if (m > 1) {
        for (int64_t i = 0; i + 1 < m; i++) gaps[i] = (double)(fi[i + 1] - fi[i]);
        qsort(gaps, m - 1, sizeof *gaps, cmp_dbl);
        typical = gaps[(m - 1) / 2];
    }
    const char *col = sd_svg_color(k);
    int markers = m <= 60;
    int64_t start = 0;
    for (int64_t i = 0; i < m; i++) {
        xs[i] = sd_svg_px(&p, sc->x[fi[i]]);
        ys[i] = sd_svg_py(&p, ymap(v[fi[i]], logy, off, scale));
        int end = i + 1 == m || (double)(fi[i + 1] - fi[i]) > 1.5 * typical;
        if (end) {
            if (i == start) sd_svg_circle(s, xs[i], ys[i], 2.5, col, NULL);
            else sd_svg_polyline(s, xs + start, ys + start, (int)(i - start + 1), col, 1.8);
            start = i + 1;
        }
    }
    if (markers)
        for (int64_t i = 0; i < m; i++) sd_svg_circle(s, xs[i], ys[i], 2.2, col, NULL);
    /* min and max, labelled */
    if (vmax > vmin) {
        for (int e = 0; e < 2; e++) {
            int64_t ix = e ? imax : imin;
            double px = sd_svg_px(&p, sc->x[ix]), py = sd_svg_py(&p, ymap(v[ix], logy, off, scale));
            if (drift) fmt_g(c2, sizeof c2, (v[ix] - v0) / fabs(v0), 2, 1);
            else fmt_val(c2, sizeof c2, v[ix]);
            fmt_val(b, sizeof b, sc->x[ix]);
            snprintf(t, sizeof t, "%s %s (%s = %s)", e ? "max" : "min", c2, xn, b);
            double tw2 = sd_svg_text_width(t, 11.5);
            int anchor = px + tw2 / 2 > p.x + p.w - 4 ? SD_SVG_END : px - tw2 / 2 < p.x + 4 ? SD_SVG_START : SD_SVG_MIDDLE;
            double ty = e ? py - 7 : py + 16;
            if (ty < p.y + 13) ty = py + 16;
            if (ty > p.y + p.h - 4) ty = py - 7;
            sd_svg_circle(s, px, py, 3.5, "white", e ? "#c00" : "#06c");
            sd_svg_text(s, anchor == SD_SVG_END ? px - 2 : anchor == SD_SVG_START ? px + 2 : px, ty, 11.5, anchor, 0,
                        e ? "#a00" : "#05a", 0, "%s", t);
        }
    }
    sd_svg_frame(s, &p);
done:
    free(fi);
    free(gaps);
    free(xs);
    free(ys);
}

void sd_chart_scalars(sd_chart_out *c, const sd_run_scalars *sc)
{
    char path[4200], sub[600];
    const double left = 96, right = 28, pw = W_CHART - left - right, ph = 130, pitch = ph + 72, top = 84;
    double h = top + sc->nnames * pitch + 24;
    sd_svg *s = sd_chart_open(c, "scalars", h, path, sizeof path);
    if (!s) return;
    snprintf(sub, sizeof sub, "%s: %" PRId64 " row%s, steps %" PRId64 "-%" PRId64 "; near-constant series "
             "(relative variation < 1e-4) as relative drift; %s", c->runbase, sc->n, sc->n == 1 ? "" : "s",
             sc->step0, sc->step1, c->log_scalars ? "positive series on a log scale" : "positive ones over 3 decades on a log scale");
    sd_chart_title(s, sc->x_is_time ? "Scalar diagnostics over simulation time" : "Scalar diagnostics over steps", sub);
    for (int k = 0; k < sc->nnames; k++)
        scalar_panel(s, sc, k, top + k * pitch, left, pw, ph, k + 1 == sc->nnames, c->log_scalars);
    sd_chart_close(c, s, path);
}
