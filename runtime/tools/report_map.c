/* report_map.c - the map charts of `stardag report` (report_charts.h): on a 2-D grid, each written
 * one-component field on cells at its last written step as a heat map (the longer side across,
 * cells drawn to the grid's aspect ratio) with a colour scale, axes in the grid's length unit. Large
 * grids are shown as block means of at most MAX_SHOWN cells per axis (said in the subtitle). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5err.h"
#include "h5out.h"
#include "h5util.h"
#include "report.h"
#include "report_charts.h"
#include "svg.h"

#define MAX_SHOWN 240 /* cells per axis drawn; more are averaged into blocks */
#define NLEVELS 256   /* colours of the scale */

/* A sequential scale (dark blue through teal and green to yellow), t in [0, 1]. */
static void scale_color(double t, char *b, size_t l)
{
    static const double stop[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double x = t * 4;
    int i = x >= 4 ? 3 : (int)x;
    double f = x - i;
    int c[3];
    for (int k = 0; k < 3; k++) c[k] = (int)lround(stop[i][k] + f * (stop[i + 1][k] - stop[i][k]));
    snprintf(b, l, "#%02x%02x%02x", c[0], c[1], c[2]);
}

typedef struct grid_info {
    int ndim;
    int64_t shape[3];
    double spacing[3];
    char unit[32];
} grid_info;

static int read_grid(hid_t f, grid_info *g)
{
    hid_t gr = H5Gopen2(f, "grid", H5P_DEFAULT), a;
    int rc = -1;
    if (gr < 0) return -1;
    if ((a = H5Aopen(gr, "ndim", H5P_DEFAULT)) >= 0 && H5Aread(a, H5T_NATIVE_INT, &g->ndim) >= 0 && H5Aclose(a) >= 0 &&
        (a = H5Aopen(gr, "shape", H5P_DEFAULT)) >= 0 && H5Aread(a, H5T_NATIVE_INT64, g->shape) >= 0 && H5Aclose(a) >= 0 &&
        (a = H5Aopen(gr, "spacing", H5P_DEFAULT)) >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, g->spacing) >= 0 && H5Aclose(a) >= 0)
        rc = 0;
    g->unit[0] = 0;
    if (!rc && H5Aexists(gr, "units_length") > 0 && (a = H5Aopen(gr, "units_length", H5P_DEFAULT)) >= 0) {
        hid_t t = H5Aget_type(a);
        char tmp[256] = "";
        if (t >= 0 && H5Tget_size(t) < sizeof tmp && H5Aread(a, t, tmp) >= 0) snprintf(g->unit, sizeof g->unit, "%s", tmp);
        if (t >= 0) H5Tclose(t);
        H5Aclose(a);
    }
    H5Gclose(gr);
    return rc;
}

typedef struct field_list { char (*name)[80]; int n, cap; } field_list;

static herr_t add_field(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    field_list *l = data;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        void *nn = realloc(l->name, (size_t)cap * sizeof *l->name);
        if (!nn) return -1;
        l->name = nn, l->cap = cap;
    }
    snprintf(l->name[l->n++], sizeof *l->name, "%s", name);
    return 0;
}

/* Whether field `name` is drawable: one component, on cells (no inner axes). */
static int one_component_on_cells(hid_t f, const char *name, char *why, size_t wl)
{
    hid_t g = H5Gopen2(f, "fields", H5P_DEFAULT), fg = g >= 0 ? H5Gopen2(g, name, H5P_DEFAULT) : -1, a;
    int nc = 0, ok = 0;
    if (fg >= 0 && (a = H5Aopen(fg, "components", H5P_DEFAULT)) >= 0) {
        if (H5Aread(a, H5T_NATIVE_INT, &nc) < 0) nc = 0;
        H5Aclose(a);
    }
    if (fg < 0 || nc < 1) snprintf(why, wl, "unreadable");
    else if (H5Aexists(fg, "inner_axes") > 0) snprintf(why, wl, "it lives on the bins of inner axes");
    else if (nc > 1) snprintf(why, wl, "it has %d components (maps are drawn for one-component fields)", nc);
    else ok = 1;
    if (fg >= 0) H5Gclose(fg);
    if (g >= 0) H5Gclose(g);
    return ok;
}

/* The colour index of a value (NLEVELS steps over [lo, hi]), -1 for a non-finite one. */
static int level(double m, double lo, double hi)
{
    return isfinite(m) ? (int)fmax(0, fmin(NLEVELS - 1, floor((m - lo) / (hi - lo) * NLEVELS))) : -1;
}

static void map_chart(sd_chart_out *c, const grid_info *gi, const char *name, int64_t step, const double *v)
{
    int64_t nx = gi->shape[0], ny = gi->shape[1];
    int64_t bx = (nx + MAX_SHOWN - 1) / MAX_SHOWN, by = (ny + MAX_SHOWN - 1) / MAX_SHOWN; /* block sizes */
    int64_t mx = (nx + bx - 1) / bx, my = (ny + by - 1) / by;
    double *blk = calloc((size_t)(mx * my), sizeof *blk);
    if (!blk) { sd_report_msg("out of memory for the map of %s", name); c->failed = 1; return; }
    double lo = INFINITY, hi = -INFINITY;
    int64_t nonfinite = 0;
    for (int64_t J = 0; J < my; J++)
        for (int64_t I = 0; I < mx; I++) {
            double sum = 0;
            int64_t cnt = 0;
            for (int64_t j = J * by; j < (J + 1) * by && j < ny; j++)
                for (int64_t i = I * bx; i < (I + 1) * bx && i < nx; i++, cnt++) sum += v[j * nx + i];
            double m = sum / cnt;
            blk[J * mx + I] = m;
            if (isfinite(m)) lo = fmin(lo, m), hi = fmax(hi, m);
            else nonfinite++;
        }
    /* the longer side across (a depth-dose map: depth horizontal), cells to scale */
    const double left = 96, top = 84, maxw = 720, maxh = 560;
    double wx = nx * gi->spacing[0], wy = ny * gi->spacing[1];
    int tr = wy > wx; /* y across, x up */
    double wh = tr ? wy : wx, wv = tr ? wx : wy, sc = fmin(maxw / wh, maxh / wv);
    double pw = wh * sc, ph = wv * sc;
    int64_t nh = tr ? my : mx, nv = tr ? mx : my;
    char path[4200], chart[128], title[200], sub[600], xl[64], yl[64], cl[48];
    snprintf(chart, sizeof chart, "map-%s", name);
    sd_svg *s = sd_chart_open(c, chart, top + ph + 70, path, sizeof path);
    if (!s) { free(blk); return; }
    snprintf(title, sizeof title, "Map of %s at step %" PRId64, name, step);
    int k = snprintf(sub, sizeof sub, "%s: the last written step of %s; %" PRId64 " x %" PRId64 " cells, %s", c->runbase, name,
                     nx, ny, tr ? "y across, x up" : "x across, y up");
    if (bx > 1 || by > 1) k += snprintf(sub + k, sizeof sub - k, ", shown as means of %" PRId64 " x %" PRId64 " blocks", bx, by);
    if (nonfinite) k += snprintf(sub + k, sizeof sub - k, "; %" PRId64 " non-finite shown grey", nonfinite);
    if (!(hi >= lo)) lo = 0, hi = 1;
    k += snprintf(sub + k, sizeof sub - k, "; min %.6g, max %.6g", lo, hi);
    sd_chart_title(s, title, sub);
    if (hi == lo) hi = lo + (lo ? fabs(lo) : 1);
    sd_svg_plot p = {left, top, pw, ph, 0, wh, 0, wv};
    double cw = pw / nh, ch = ph / nv;
    for (int64_t V = 0; V < nv; V++) /* runs of one colour along a row are one rectangle */
        for (int64_t H = 0; H < nh;) {
            int lev = level(tr ? blk[H * mx + V] : blk[V * mx + H], lo, hi);
            int64_t e = H + 1;
            while (e < nh && level(tr ? blk[e * mx + V] : blk[V * mx + e], lo, hi) == lev) e++;
            char col[16];
            if (lev < 0) snprintf(col, sizeof col, "#9e9e9e");
            else scale_color((lev + 0.5) / NLEVELS, col, sizeof col);
            /* row V from the bottom; a hair wider so no seams show between rectangles */
            sd_svg_rect(s, p.x + H * cw, p.y + ph - (V + 1) * ch, (e - H) * cw + 0.3, ch + 0.3, col, NULL, NULL);
            H = e;
        }
    const char *u = gi->unit;
    snprintf(xl, sizeof xl, "%c%s%s%s", tr ? 'y' : 'x', u[0] ? " (" : "", u, u[0] ? ")" : "");
    snprintf(yl, sizeof yl, "%c%s%s%s", tr ? 'x' : 'y', u[0] ? " (" : "", u, u[0] ? ")" : "");
    sd_svg_axis_x(s, &p, xl);
    sd_svg_axis_y(s, &p, yl);
    sd_svg_frame(s, &p);
    /* the colour scale, right of the map */
    sd_svg_plot cb = {p.x + pw + 30, top, 18, ph, 0, 1, lo, hi};
    for (int l = 0; l < 64; l++) {
        char col[16];
        scale_color((l + 0.5) / 64, col, sizeof col);
        sd_svg_rect(s, cb.x, cb.y + ph - (l + 1) * ph / 64, 18, ph / 64 + 0.3, col, NULL, NULL);
    }
    sd_svg_frame(s, &cb);
    double t[32], tick = sd_svg_nice_step(lo, hi, 6);
    int nt = sd_svg_ticks(lo, hi, tick, t, 32);
    for (int i = 0; i < nt; i++) {
        double y = sd_svg_py(&cb, t[i]);
        sd_svg_fmt_tick(cl, sizeof cl, t[i], tick);
        sd_svg_line(s, cb.x + 18, y, cb.x + 22, y, "#444", 1, 0);
        sd_svg_text(s, cb.x + 25, y + 4, 12, SD_SVG_START, 0, "#222", 0, "%s", cl);
    }
    sd_svg_text(s, cb.x, top - 8, 12.5, SD_SVG_START, 0, "#222", 1, "%s", name);
    free(blk);
    sd_chart_close(c, s, path);
}

void sd_chart_maps(sd_chart_out *c)
{
    char err[1024], why[256];
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(c->run, err, sizeof err);
    if (f < 0) {
        sd_h5_quiet_off(q);
        sd_report_msg("%s", err);
        c->failed = 1;
        return;
    }
    grid_info gi = {0};
    field_list l = {0};
    int ok = read_grid(f, &gi) == 0 && H5Lexists(f, "fields", H5P_DEFAULT) > 0 && H5Lexists(f, "mesh", H5P_DEFAULT) == 0 &&
             H5Literate_by_name(f, "fields", H5_INDEX_NAME, H5_ITER_INC, NULL, add_field, &l, H5P_DEFAULT) >= 0;
    int drawable[64] = {0};
    for (int i = 0; ok && gi.ndim == 2 && i < l.n && i < 64; i++) {
        drawable[i] = one_component_on_cells(f, l.name[i], why, sizeof why);
        if (!drawable[i]) sd_report_msg("note: %s: no map of field %s: %s", c->run, l.name[i], why);
    }
    H5Eclear2(H5E_DEFAULT);
    H5Fclose(f);
    sd_h5_quiet_off(q);
    if (ok && gi.ndim == 2)
        for (int i = 0; i < l.n && i < 64; i++) {
            int64_t *steps = NULL, ns = 0, cnt = 0;
            double *v = NULL;
            if (!drawable[i]) continue;
            if (sd_h5_list_field_steps(c->run, l.name[i], &steps, &ns, err, sizeof err) < 0 ||
                (ns && sd_h5_read_field(c->run, l.name[i], steps[ns - 1], &v, &cnt, err, sizeof err) < 0)) {
                sd_report_msg("%s", err);
                c->failed = 1;
            } else if (!ns) sd_report_msg("note: %s: field %s has no written step: no map", c->run, l.name[i]);
            else if (cnt != gi.shape[0] * gi.shape[1]) {
                sd_report_msg("%s: field %s at step %" PRId64 " has %" PRId64 " values (expected %" PRId64 " x %" PRId64 ")",
                              c->run, l.name[i], steps[ns - 1], cnt, gi.shape[0], gi.shape[1]);
                c->failed = 1;
            } else map_chart(c, &gi, l.name[i], steps[ns - 1], v);
            free(steps);
            free(v);
        }
    free(l.name);
}
