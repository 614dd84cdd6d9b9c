/* report_tune.c - `stardag report --tune TUNE.csv`: predicted against measured ms/step of every
 * candidate `stardag tune --csv` wrote, one point per measured candidate coloured by scheduler
 * (and devices, with GPUs),
 * with the line where they agree and the band of +-15% around it (docs/tuning.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "report.h"
#include "stardag/stardag.h"
#include "svg.h"

#define MAXROWS 4096

typedef struct row {
    double pred, meas;
    char sched[32], parts[192], label[64]; /* label: the scheduler, and the devices when not all */
    int is_default, by_tune;
} row;

/* Reads the CSV rows: "parts",tiles,sched,max_inflight,arch,predicted_ms,measured_ms,default,measured_by_tune.
 * Returns the count, or -1 with a message naming the file and line. */
static int read_rows(const char *path, row *rows, int cap, char *title, size_t tlen)
{
    struct stat st;
    FILE *f = NULL;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        sd_report_msg("%s: not a regular file (expected the CSV of stardag tune --csv)", path);
        return -1;
    }
    if (!(f = fopen(path, "r"))) {
        sd_report_msg("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int n = 0, ln = 0, header = 0;
    title[0] = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (line[0] == '#') {
            if (!title[0]) {
                size_t k = strcspn(line + 2, "\n");
                if (k >= tlen) k = tlen - 1;
                memcpy(title, line + 2, k);
                title[k] = 0;
            }
            continue;
        }
        if (!strncmp(line, "parts,", 6)) {
            header = 1;
            continue;
        }
        row r = {0};
        int inflight;
        char arch[16], tiles[64];
        if (!header || n == cap ||
            sscanf(line, "\"%191[^\"]\",%63[^,],%31[^,],%d,%15[^,],%lf,%lf,%d,%d", r.parts, tiles, r.sched, &inflight, arch,
                   &r.pred, &r.meas, &r.is_default, &r.by_tune) != 9) {
            sd_report_msg("%s:%d: %s", path, ln,
                          !header ? "expected the header line of stardag tune --csv first"
                          : n == cap ? "too many rows"
                                     : "expected \"parts\",tiles,sched,max_inflight,arch,predicted_ms,measured_ms,default,measured_by_tune[,fuse]");
            fclose(f);
            return -1;
        }
        if (strcmp(arch, "any")) snprintf(r.label, sizeof r.label, "%s, %s only", r.sched, arch);
        else snprintf(r.label, sizeof r.label, "%s", r.sched);
        rows[n++] = r;
    }
    const int read_error = ferror(f);
    fclose(f);
    if (read_error || !header) {
        sd_report_msg("%s: %s", path, read_error ? "cannot read it" : "no header line of stardag tune --csv (a line "
                      "starting \"parts,\"): not a tune table");
        return -1;
    }
    return n;
}

int sd_report_tune(const char *csv, const char *path)
{
    row *rows = calloc(MAXROWS, sizeof *rows);
    if (!rows) return sd_report_msg("out of memory"), SD_EXIT_RUNTIME;
    char title[256], err[512];
    int n = read_rows(csv, rows, MAXROWS, title, sizeof title), status = SD_EXIT_BADGRAPH;
    if (n < 0) goto out;
    double lo = INFINITY, hi = 0;
    int nm = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(rows[i].meas) && isfinite(rows[i].pred)) {
            lo = fmin(lo, fmin(rows[i].meas, rows[i].pred));
            hi = fmax(hi, fmax(rows[i].meas, rows[i].pred));
            nm++;
        }
    if (!nm) {
        sd_report_msg("%s: no candidate was measured (tune --exhaustive measures every one)", csv);
        goto out;
    }
    status = SD_EXIT_RUNTIME;
    lo *= 0.9, hi *= 1.1;
    sd_svg_nice_range(&lo, &hi, 8);
    if (lo < 0) lo = 0;
    sd_svg *s = sd_svg_open(path, 640, 600, err, sizeof err);
    if (!s) {
        sd_report_msg("%s", err);
        goto out;
    }
    sd_svg_text(s, 320, 24, 15, SD_SVG_MIDDLE, 0, "#222", 1, "%s", title[0] ? title : "stardag tune");
    sd_svg_plot p = {.x = 70, .y = 50, .w = 540, .h = 460, .x0 = lo, .x1 = hi, .y0 = lo, .y1 = hi};
    sd_svg_axis_x(s, &p, "measured ms/step");
    sd_svg_axis_y(s, &p, "predicted ms/step");
    sd_svg_line(s, sd_svg_px(&p, lo), sd_svg_py(&p, lo), sd_svg_px(&p, hi), sd_svg_py(&p, hi), "#444", 1, 0);
    for (int k = -1; k <= 1; k += 2) { /* the +-15% band */
        double f = 1 + 0.15 * k, x1 = f > 1 ? hi / f : hi;
        sd_svg_line(s, sd_svg_px(&p, lo), sd_svg_py(&p, lo * f), sd_svg_px(&p, x1), sd_svg_py(&p, x1 * f), "#999", 1, 1);
    }
    const char *names[8], *colors[8];
    int ns = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(rows[i].meas) || !isfinite(rows[i].pred)) continue;
        int c = 0;
        while (c < ns && strcmp(names[c], rows[i].label)) c++;
        if (c == ns && ns < 8) names[ns] = rows[i].label, colors[ns] = sd_svg_color(ns), ns++;
        double x = sd_svg_px(&p, rows[i].meas), y = sd_svg_py(&p, rows[i].pred);
        sd_svg_circle(s, x, y, rows[i].is_default ? 6 : 4, c < 8 ? sd_svg_color(c) : "#888", rows[i].by_tune ? "#000" : NULL);
    }
    sd_svg_frame(s, &p);
    sd_svg_legend(s, 70, 540, 540, names, colors, ns, 0);
    sd_svg_text(s, 70, 590, 11, SD_SVG_START, 0, "#444", 0,
                "%d candidates measured; solid line: prediction = measurement, dashed: +-15%%; outlined: measured by tune; "
                "large: the default", nm);
    if (sd_svg_close(s, err, sizeof err) < 0) {
        sd_report_msg("%s", err);
        goto out;
    }
    printf("stardag report: %s\n", path);
    status = SD_EXIT_OK;
out:
    free(rows);
    return status;
}
