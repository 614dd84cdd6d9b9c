/* svg.c - a small SVG writer for `stardag report` (see svg.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "svg.h"

struct sd_svg {
    FILE *f;
    char *path;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

sd_svg *sd_svg_open(const char *path, double w, double h, char *err, size_t errlen)
{
    sd_svg *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        seterr(err, errlen, "%s: cannot write: out of memory", path);
        return NULL;
    }
    if (!(s->f = fopen(path, "w"))) {
        seterr(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        free(s->path);
        free(s);
        return NULL;
    }
    fprintf(s->f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"DejaVu Sans, Verdana, Arial, Helvetica, sans-serif\">\n"
            "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n",
            ceil(w), ceil(h), ceil(w), ceil(h), ceil(w), ceil(h));
    return s;
}

int sd_svg_close(sd_svg *s, char *err, size_t errlen)
{
    if (!s) return -1;
    fputs("</svg>\n", s->f);
    int bad = ferror(s->f);
    int e = errno;
    if (fclose(s->f) != 0 && !bad) bad = 1, e = errno;
    int rc = 0;
    if (bad) {
        seterr(err, errlen, "%s: cannot write: %s", s->path, strerror(e ? e : EIO));
        remove(s->path);
        rc = -1;
    }
    free(s->path);
    free(s);
    return rc;
}

/* matplotlib's tab10, then its ten lighter tones (tab20's): the first ten are the most distinct. */
static const char *palette[SD_SVG_NCOLORS] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                              "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78",
                                              "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
                                              "#dbdb8d", "#9edae5"};

const char *sd_svg_color(int i)
{
    if (i < 0) i = -i;
    return palette[i % SD_SVG_NCOLORS];
}

void sd_svg_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if (c < 0x20 && c != '\t') break; /* not allowed in XML 1.0 */
            fputc(c, f);
        }
    }
}

static void title(sd_svg *s, const char *tooltip)
{
    if (!tooltip) return;
    fputs("<title>", s->f);
    sd_svg_escape(s->f, tooltip);
    fputs("</title>", s->f);
}

void sd_svg_rect(sd_svg *s, double x, double y, double w, double h, const char *fill, const char *stroke,
                 const char *tooltip)
{
    fprintf(s->f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"", x, y, w, h,
            fill ? fill : "none");
    if (stroke) fprintf(s->f, " stroke=\"%s\"", stroke);
    if (tooltip) {
        fputs(">", s->f);
        title(s, tooltip);
        fputs("</rect>\n", s->f);
    } else fputs("/>\n", s->f);
}

void sd_svg_rect_opacity(sd_svg *s, double x, double y, double w, double h, const char *fill, double opacity,
                         const char *tooltip)
{
    fprintf(s->f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" fill-opacity=\"%.2f\"", x, y,
            w, h, fill ? fill : "none", opacity);
    if (tooltip) {
        fputs(">", s->f);
        title(s, tooltip);
        fputs("</rect>\n", s->f);
    } else fputs("/>\n", s->f);
}

void sd_svg_line(sd_svg *s, double x1, double y1, double x2, double y2, const char *stroke, double width,
                 int dashed)
{
    fprintf(s->f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"%.2g\"%s/>\n",
            x1, y1, x2, y2, stroke ? stroke : "black", width, dashed ? " stroke-dasharray=\"4 3\"" : "");
}

void sd_svg_polyline(sd_svg *s, const double *x, const double *y, int n, const char *stroke, double width)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) continue;
        if (!k++)
            fprintf(s->f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.2g\" stroke-linejoin=\"round\" points=\"",
                    stroke ? stroke : "black", width);
        else fputc(' ', s->f);
        fprintf(s->f, "%.2f,%.2f", x[i], y[i]);
        if (k % 8 == 0) fputc('\n', s->f);
    }
    if (k) fputs("\"/>\n", s->f);
}

void sd_svg_circle(sd_svg *s, double cx, double cy, double r, const char *fill, const char *stroke)
{
    fprintf(s->f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"", cx, cy, r, fill ? fill : "none");
    if (stroke) fprintf(s->f, " stroke=\"%s\"", stroke);
    fputs("/>\n", s->f);
}

void sd_svg_text(sd_svg *s, double x, double y, double size, int anchor, double rotate, const char *fill, int bold,
                 const char *fmt, ...)
{
    static const char *anchors[] = {"start", "middle", "end"};
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(s->f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.3g\"", x, y, size);
    if (anchor > 0 && anchor <= 2) fprintf(s->f, " text-anchor=\"%s\"", anchors[anchor]);
    if (rotate != 0) fprintf(s->f, " transform=\"rotate(%.3g %.2f %.2f)\"", rotate, x, y);
    if (fill) fprintf(s->f, " fill=\"%s\"", fill);
    if (bold) fputs(" font-weight=\"bold\"", s->f);
    fputs(">", s->f);
    sd_svg_escape(s->f, buf);
    fputs("</text>\n", s->f);
}

/* Widths of DejaVu Sans glyphs in ems, rounded up (the widest common sans font: others fit). */
double sd_svg_text_width(const char *t, double size)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)t; p && *p; p++) {
        unsigned char c = *p;
        if ((c & 0xc0) == 0x80) continue; /* UTF-8 continuation byte */
        if (c >= '0' && c <= '9') w += 0.64;
        else if (strchr("iljI.,:;'|!", c)) w += 0.32;
        else if (strchr("mwMW", c)) w += 0.95;
        else if (c == ' ') w += 0.32;
        else if (c >= 'A' && c <= 'Z') w += 0.72;
        else if (strchr("frt()[]-", c)) w += 0.42;
        else w += 0.62;
    }
    return w * size;
}

void sd_svg_fit(char *out, size_t outlen, const char *in, double size, double maxw)
{
    size_t n = strlen(in);
    sd_svg_ellipsize(out, outlen, in, n);
    while (n > 4 && sd_svg_text_width(out, size) > maxw) sd_svg_ellipsize(out, outlen, in, --n);
}

void sd_svg_ellipsize(char *out, size_t outlen, const char *in, size_t maxchars)
{
    if (!outlen) return;
    size_t nchars = 0, i = 0, cut = 0;
    const unsigned char *p = (const unsigned char *)in;
    for (; p[i]; i++)
        if ((p[i] & 0xc0) != 0x80) {
            if (nchars == (maxchars > 3 ? maxchars - 3 : 0)) cut = i;
            nchars++;
        }
    if (nchars <= maxchars) {
        snprintf(out, outlen, "%s", in);
        return;
    }
    snprintf(out, outlen, "%.*s...", (int)cut, in);
}

static double mantissa(double step)
{
    double mag = pow(10, floor(log10(step)));
    return step / mag;
}

double sd_svg_nice_step(double lo, double hi, int maxticks)
{
    double range = hi - lo;
    if (maxticks < 1) maxticks = 1;
    if (!(range > 0) || !isfinite(range)) return 1;
    double raw = range / maxticks, mag = pow(10, floor(log10(raw))), n = raw / mag;
    static const double nice[] = {1, 2, 2.5, 5, 10};
    for (int i = 0; i < 5; i++)
        if (n <= nice[i] * (1 + 1e-9)) return nice[i] * mag;
    return 10 * mag;
}

void sd_svg_nice_range(double *lo, double *hi, int maxticks)
{
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0, *hi = 1;
    if (*hi < *lo) { double t = *lo; *lo = *hi; *hi = t; }
    if (*hi == *lo) {
        double d = *lo == 0 ? 1 : fabs(*lo) * 0.1;
        *lo -= d;
        *hi += d;
    }
    double step = sd_svg_nice_step(*lo, *hi, maxticks);
    *lo = floor(*lo / step + 1e-9) * step;
    *hi = ceil(*hi / step - 1e-9) * step;
}

int sd_svg_ticks(double lo, double hi, double step, double *ticks, int cap)
{
    if (!(step > 0) || !isfinite(lo) || !isfinite(hi)) return 0;
    double i0 = ceil(lo / step - 1e-9), i1 = floor(hi / step + 1e-9);
    int n = 0;
    for (double i = i0; i <= i1 && n < cap; i++) ticks[n++] = i * step;
    return n;
}

void sd_svg_fmt_tick(char *buf, size_t len, double v, double step)
{
    if (!(step > 0)) step = fabs(v) > 0 ? fabs(v) : 1;
    if (fabs(v) < step * 1e-6) {
        snprintf(buf, len, "0");
        return;
    }
    int extra = fabs(mantissa(step) - 2.5) < 1e-6 ? 1 : 0;
    int es = (int)floor(log10(step) + 1e-12);
    if (step < 1e-3 || step >= 1e6) {
        int ev = (int)floor(log10(fabs(v)) + 1e-12);
        int sig = ev - es + 1 + extra;
        if (sig < 1) sig = 1;
        if (sig > 17) sig = 17;
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.*e", sig - 1, v);
        /* tidy the exponent: 1.5e-05 -> 1.5e-5, 2e+06 -> 2e6 */
        char *e = strchr(tmp, 'e');
        if (e) {
            char sign = e[1], *d = e + 2;
            while (*d == '0' && d[1]) d++;
            snprintf(buf, len, "%.*se%s%s", (int)(e - tmp), tmp, sign == '-' ? "-" : "", d);
        } else snprintf(buf, len, "%s", tmp);
        return;
    }
    int dec = es < 0 ? -es + extra : (extra && es == 0 ? 1 : 0);
    snprintf(buf, len, "%.*f", dec, v);
}

double sd_svg_px(const sd_svg_plot *p, double v)
{
    return p->x + (p->x1 > p->x0 ? (v - p->x0) / (p->x1 - p->x0) : 0.5) * p->w;
}

double sd_svg_py(const sd_svg_plot *p, double v)
{
    return p->y + p->h - (p->y1 > p->y0 ? (v - p->y0) / (p->y1 - p->y0) : 0.5) * p->h;
}

#define MAXTICKS 64

/* Ticks for [a, b] on an axis of len pixels whose labels take `need(label)` pixels each along it. */
static int axis_ticks(double a, double b, double len, int horizontal, double *t, double *step)
{
    int maxt = (int)(len / (horizontal ? 70 : 26));
    if (maxt < 1) maxt = 1;
    if (maxt > MAXTICKS - 2) maxt = MAXTICKS - 2;
    for (;; maxt--) {
        *step = sd_svg_nice_step(a, b, maxt);
        int n = sd_svg_ticks(a, b, *step, t, MAXTICKS);
        if (maxt <= 1 || n < 2) return n;
        double gap = *step / (b - a) * len, need = 0;
        for (int i = 0; i < n; i++) {
            char lab[64];
            sd_svg_fmt_tick(lab, sizeof lab, t[i], *step);
            double w = horizontal ? sd_svg_text_width(lab, SD_SVG_FONT) : SD_SVG_FONT * 1.2;
            if (w > need) need = w;
        }
        if (gap >= need + (horizontal ? 14 : 8)) return n;
    }
}

void sd_svg_axis_x(sd_svg *s, const sd_svg_plot *p, const char *label)
{
    double t[MAXTICKS], step;
    int n = axis_ticks(p->x0, p->x1, p->w, 1, t, &step);
    for (int i = 0; i < n; i++) {
        double x = sd_svg_px(p, t[i]);
        char lab[64];
        sd_svg_fmt_tick(lab, sizeof lab, t[i], step);
        sd_svg_line(s, x, p->y, x, p->y + p->h, "#e4e4e4", 1, 0);
        sd_svg_line(s, x, p->y + p->h, x, p->y + p->h + 4, "#444", 1, 0);
        sd_svg_text(s, x, p->y + p->h + 17, SD_SVG_FONT, SD_SVG_MIDDLE, 0, "#222", 0, "%s", lab);
    }
    if (label && *label)
        sd_svg_text(s, p->x + p->w / 2, p->y + p->h + 36, SD_SVG_FONT + 1, SD_SVG_MIDDLE, 0, "#222", 0, "%s", label);
}

void sd_svg_axis_y(sd_svg *s, const sd_svg_plot *p, const char *label)
{
    double t[MAXTICKS], step, maxw = 0;
    int n = axis_ticks(p->y0, p->y1, p->h, 0, t, &step);
    for (int i = 0; i < n; i++) {
        double y = sd_svg_py(p, t[i]);
        char lab[64];
        sd_svg_fmt_tick(lab, sizeof lab, t[i], step);
        double w = sd_svg_text_width(lab, SD_SVG_FONT);
        if (w > maxw) maxw = w;
        sd_svg_line(s, p->x, y, p->x + p->w, y, "#e4e4e4", 1, 0);
        sd_svg_line(s, p->x - 4, y, p->x, y, "#444", 1, 0);
        sd_svg_text(s, p->x - 7, y + 4, SD_SVG_FONT, SD_SVG_END, 0, "#222", 0, "%s", lab);
    }
    if (label && *label) {
        double x = p->x - maxw - 16;
        sd_svg_text(s, x, p->y + p->h / 2, SD_SVG_FONT + 1, SD_SVG_MIDDLE, -90, "#222", 0, "%s", label);
    }
}

void sd_svg_axis_y_log(sd_svg *s, const sd_svg_plot *p, const char *label)
{
    int d0 = (int)ceil(p->y0 - 1e-9), d1 = (int)floor(p->y1 + 1e-9), nd = d1 - d0 + 1;
    int every = 1, room = (int)(p->h / (SD_SVG_FONT + 4)); /* labelled decades that fit */
    while (room > 0 && (nd + every - 1) / every > room) every++;
    double maxw = 0;
    for (int d = d0; d <= d1; d++) {
        double y = sd_svg_py(p, d);
        sd_svg_line(s, p->x, y, p->x + p->w, y, "#e4e4e4", 1, 0);
        sd_svg_line(s, p->x - 4, y, p->x, y, "#444", 1, 0);
        if ((d - d0) % every) continue;
        char lab[32];
        if (d == 0) snprintf(lab, sizeof lab, "1");
        else if (d == 1) snprintf(lab, sizeof lab, "10");
        else snprintf(lab, sizeof lab, "1e%d", d);
        double w = sd_svg_text_width(lab, SD_SVG_FONT);
        if (w > maxw) maxw = w;
        sd_svg_text(s, p->x - 7, y + 4, SD_SVG_FONT, SD_SVG_END, 0, "#222", 0, "%s", lab);
    }
    if (nd <= 8) /* 2..9 x 10^d as short ticks where decades are wide enough to show them */
        for (int d = d0 - 1; d <= d1; d++)
            for (int m = 2; m <= 9; m++) {
                double v = d + log10((double)m);
                if (v > p->y0 && v < p->y1) sd_svg_line(s, p->x - 2.5, sd_svg_py(p, v), p->x, sd_svg_py(p, v), "#444", 1, 0);
            }
    if (label && *label) {
        double x = p->x - maxw - 16;
        sd_svg_text(s, x, p->y + p->h / 2, SD_SVG_FONT + 1, SD_SVG_MIDDLE, -90, "#222", 0, "%s", label);
    }
}

void sd_svg_frame(sd_svg *s, const sd_svg_plot *p)
{
    sd_svg_rect(s, p->x, p->y, p->w, p->h, NULL, "#444", NULL);
}

double sd_svg_legend(sd_svg *s, double x, double y, double w, const char *const *names, const char *const *colors,
                     int n, int style)
{
    const double row = 20, sw = 14, fs = SD_SVG_FONT;
    double cx = x, cy = y;
    if (n <= 0) return 0;
    for (int i = 0; i < n; i++) {
        double ew = sw + 6 + sd_svg_text_width(names[i], fs);
        if (cx > x && cx + ew > x + w) {
            cx = x;
            cy += row;
        }
        if (s) {
            if (style == 1) sd_svg_line(s, cx, cy + 8, cx + sw, cy + 8, colors[i], 3, 0);
            else sd_svg_rect(s, cx, cy + 1, sw, sw, colors[i], NULL, NULL);
            sd_svg_text(s, cx + sw + 6, cy + 12.5, fs, SD_SVG_START, 0, "#222", 0, "%s", names[i]);
        }
        cx += ew + 18;
    }
    return cy - y + row;
}
