/* svg.h - a small SVG writer for `stardag report`: rectangles, lines, polylines, escaped text,
 * axes with nice tick values (labels thinned so they never overlap), legends and a fixed
 * qualitative palette. Sizes are in pixels; text widths are estimated (no font metrics). */
#ifndef SD_SVG_H
#define SD_SVG_H
#include <stddef.h>
#include <stdio.h>

typedef struct sd_svg sd_svg;

/* Open PATH for writing an image of W x H pixels (white background). NULL with a message in err
 * ("PATH: cannot write: reason") on failure. */
sd_svg *sd_svg_open(const char *path, double w, double h, char *err, size_t errlen);
/* Finish the document and close the file; 0, or -1 with a message (the file is removed). */
int sd_svg_close(sd_svg *s, char *err, size_t errlen);

/* The i-th colour of a fixed qualitative palette (20 colours, then it repeats). */
const char *sd_svg_color(int i);
#define SD_SVG_NCOLORS 20

enum { SD_SVG_START = 0, SD_SVG_MIDDLE = 1, SD_SVG_END = 2 };

/* Shapes. stroke/fill NULL means none; tooltip (may be NULL) becomes a <title>. */
void sd_svg_rect(sd_svg *s, double x, double y, double w, double h, const char *fill, const char *stroke,
                 const char *tooltip);
void sd_svg_rect_opacity(sd_svg *s, double x, double y, double w, double h, const char *fill, double opacity,
                         const char *tooltip);
void sd_svg_line(sd_svg *s, double x1, double y1, double x2, double y2, const char *stroke, double width,
                 int dashed);
/* A polyline through n points; points with a non-finite coordinate are skipped. */
void sd_svg_polyline(sd_svg *s, const double *x, const double *y, int n, const char *stroke, double width);
void sd_svg_circle(sd_svg *s, double cx, double cy, double r, const char *fill, const char *stroke);
/* Text at (x, y) (baseline), escaped; rotate in degrees about (x, y). */
void sd_svg_text(sd_svg *s, double x, double y, double size, int anchor, double rotate, const char *fill, int bold,
                 const char *fmt, ...) __attribute__((format(printf, 9, 10)));
/* Write s with XML's special characters escaped (and control characters dropped). */
void sd_svg_escape(FILE *f, const char *s);

/* Estimated width in pixels of text in the chart font at size px. */
double sd_svg_text_width(const char *text, double size);
/* Copy in to out, cut to at most maxchars characters (UTF-8 aware) with "..." at the end. */
void sd_svg_ellipsize(char *out, size_t outlen, const char *in, size_t maxchars);
/* The same, cut to what fits in maxw pixels at size px. */
void sd_svg_fit(char *out, size_t outlen, const char *in, double size, double maxw);

/* Nice ticks: a step of 1, 2, 2.5 or 5 x 10^k giving at most maxticks intervals over [lo, hi]. */
double sd_svg_nice_step(double lo, double hi, int maxticks);
/* Widen [*lo, *hi] to multiples of the nice step (and a zero-width range to a sensible one). */
void sd_svg_nice_range(double *lo, double *hi, int maxticks);
/* The multiples of step within [lo, hi]; returns their count (at most cap). */
int sd_svg_ticks(double lo, double hi, double step, double *ticks, int cap);
/* A tick label with just enough digits for the given step ("0.25", "1.5e-16", "1200"). */
void sd_svg_fmt_tick(char *buf, size_t len, double v, double step);

/* A plot area (pixels) and the data range it shows. */
typedef struct sd_svg_plot {
    double x, y, w, h;      /* pixel rectangle */
    double x0, x1, y0, y1;  /* data range (y0 at the bottom) */
} sd_svg_plot;
double sd_svg_px(const sd_svg_plot *p, double v);
double sd_svg_py(const sd_svg_plot *p, double v);

/* Axes: tick marks, light grid lines across the plot, tick labels (as many as fit without
 * overlapping) and the axis label; the frame is drawn by sd_svg_frame. */
void sd_svg_axis_x(sd_svg *s, const sd_svg_plot *p, const char *label);
void sd_svg_axis_y(sd_svg *s, const sd_svg_plot *p, const char *label);
/* A log axis: p's y range is log10 of the data; grid lines and labels ("1e-6", "1", "10") at the
 * decades (every k-th labelled if they crowd), short ticks at 2..9 x 10^k over at most 8 decades. */
void sd_svg_axis_y_log(sd_svg *s, const sd_svg_plot *p, const char *label);
void sd_svg_frame(sd_svg *s, const sd_svg_plot *p);

/* A legend of n entries (swatch + name) flowing left to right in rows within width w from
 * (x, y) (top of the first row). style 0: filled squares; 1: short lines. Returns the height
 * used; with s NULL nothing is drawn (measure only). */
double sd_svg_legend(sd_svg *s, double x, double y, double w, const char *const *names, const char *const *colors,
                     int n, int style);

#define SD_SVG_FONT 12.0  /* tick labels and legends */
#endif
