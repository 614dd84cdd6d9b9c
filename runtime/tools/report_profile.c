/* report_profile.c - the profile charts of `stardag report` (report_charts.h): for each profile of
 * the run file (/profiles, output.profiles), its last row as a line over the cell centres, the
 * peak and each fall-off position marked and labelled with its value. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_charts.h"
#include "svg.h"

/* "38.25 mm" (the run's length unit, when it has one). */
static void fmt_len(char *b, size_t l, double v, const char *unit)
{
    snprintf(b, l, "%.5g%s%s", v, unit[0] ? " " : "", unit);
}

/* A vertical marker at position x with its label stacked at row `slot` below the top. */
static void marker(sd_svg *s, const sd_svg_plot *p, double x, int slot, const char *color, const char *label)
{
    double px = sd_svg_px(p, x), w = sd_svg_text_width(label, 12.5);
    sd_svg_line(s, px, p->y, px, p->y + p->h, color, 1.5, 1);
    int right = px + 6 + w <= p->x + p->w; /* label right of the line when it fits */
    sd_svg_text(s, right ? px + 6 : px - 6, p->y + 18 + 17 * slot, 12.5, right ? SD_SVG_START : SD_SVG_END, 0, color, 1,
                "%s", label);
}

static void profile_chart(sd_chart_out *c, const sd_h5profile_data *d)
{
    char path[4200], sub[600], chart[128], title[400], lab[96], v[64], xl[160], yl[160];
    const double left = 96, right = 28, top = 84, pw = W_CHART - left - right, ph = 400;
    snprintf(chart, sizeof chart, "profile-%s", d->name);
    int64_t r = d->m - 1;
    const double *y = d->values + (size_t)r * d->n;
    const char *u = d->units_length;
    const char *other = d->summed[0] ? d->summed : "nothing (a 1-D grid)";
    sd_svg *s = sd_chart_open(c, chart, top + ph + 70, path, sizeof path);
    if (!s) return;
    char fld[100];
    if (d->component) snprintf(fld, sizeof fld, "%s[%d]", d->field, d->component);
    else snprintf(fld, sizeof fld, "%s", d->field);
    char along[100];
    if (d->label[0] == d->axis && !d->label[1]) snprintf(along, sizeof along, "%c", d->axis);
    else snprintf(along, sizeof along, "%s (%c)", d->label, d->axis);
    snprintf(title, sizeof title, "Profile %s: %s summed over %s, along %s", d->name, fld, other, along);
    int k = snprintf(sub, sizeof sub, "%s: step %" PRId64 " (the last of %" PRId64 " profiled steps); %" PRId64 " cells", c->runbase,
                     d->step[r], d->m, d->n);
    if (isnan(d->peak[r])) k += snprintf(sub + k, sizeof sub - k, "; no peak (the profile is not positive somewhere)");
    else {
        fmt_len(v, sizeof v, d->peak_fit[r], u);
        k += snprintf(sub + k, sizeof sub - k, "; max %.6g, parabola vertex at %s", d->max[r], v);
    }
    sd_chart_title(s, title, sub);
    double ylo = 0, yhi = 0;
    for (int64_t i = 0; i < d->n; i++)
        if (isfinite(y[i])) ylo = fmin(ylo, y[i]), yhi = fmax(yhi, y[i]);
    yhi *= 1.12; /* room for the labels */
    if (yhi == ylo) yhi = ylo + 1;
    sd_svg_nice_range(&ylo, &yhi, 6);
    double h = d->n > 1 ? d->positions[1] - d->positions[0] : 2 * d->positions[0];
    sd_svg_plot p = {left, top, pw, ph, 0, d->positions[d->n - 1] + h / 2, ylo, yhi};
    snprintf(xl, sizeof xl, "%s%s%s%s", d->label, u[0] ? " (" : "", u, u[0] ? ")" : "");
    snprintf(yl, sizeof yl, "sum of %s over %s", fld, other);
    sd_svg_axis_x(s, &p, xl);
    sd_svg_axis_y(s, &p, yl);
    double *px = malloc((size_t)d->n * sizeof *px), *py = malloc((size_t)d->n * sizeof *py);
    if (px && py) {
        for (int64_t i = 0; i < d->n; i++) px[i] = sd_svg_px(&p, d->positions[i]), py[i] = sd_svg_py(&p, y[i]);
        sd_svg_polyline(s, px, py, (int)(d->n < 0x7fffffff ? d->n : 0x7fffffff), "#1f77b4", 2);
    }
    free(px);
    free(py);
    int slot = 0;
    if (!isnan(d->peak[r])) {
        fmt_len(v, sizeof v, d->peak[r], u);
        snprintf(lab, sizeof lab, "peak %s", v);
        marker(s, &p, d->peak[r], slot++, "#d62728", lab);
    }
    for (int j = 0; j < d->nfalloff; j++) {
        double x = d->falloff[r * d->nfalloff + j];
        if (isnan(x)) {
            snprintf(lab, sizeof lab, "R%g: not reached", d->falloff_pct[j]);
            sd_svg_text(s, p.x + p.w - 8, p.y + 18 + 17 * slot++, 12.5, SD_SVG_END, 0, "#555", 1, "%s", lab);
            continue;
        }
        fmt_len(v, sizeof v, x, u);
        snprintf(lab, sizeof lab, "R%g %s", d->falloff_pct[j], v);
        marker(s, &p, x, slot++, sd_svg_color(2 + j), lab);
        double level = d->falloff_pct[j] / 100 * d->max[r]; /* where the level meets the curve */
        sd_svg_circle(s, sd_svg_px(&p, x), sd_svg_py(&p, level), 3.5, sd_svg_color(2 + j), "#222");
    }
    sd_svg_frame(s, &p);
    sd_chart_close(c, s, path);
}

void sd_chart_profiles(sd_chart_out *c, const sd_h5profile_data *list, int n)
{
    for (int i = 0; i < n; i++) {
        if (list[i].m < 1) {
            sd_report_msg("note: %s: profile %s has no rows: its chart is skipped", c->run, list[i].name);
            continue;
        }
        profile_chart(c, &list[i]);
    }
}
