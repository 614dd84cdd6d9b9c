/* report_charts.h - the SVG charts of `stardag report`, drawn with svg.h:
 *
 *   gantt     one row per worker, a rectangle per task coloured by codelet, data fetches as thin
 *             bars under the row (from the trace)
 *   busy      busy fraction of each worker over time, 100 bins over the run (from the trace)
 *   codelets  time per codelet and architecture (from /run of the run file, else the trace)
 *   scalars   one panel per scalar of /scalars over time; a near-constant series (relative
 *             variation below 1e-4, e.g. a conserved energy) is drawn as its relative drift
 *             (v - v0)/|v0| so the panel shows how well it is conserved instead of a flat line;
 *             a positive series spanning more than 3 decades on a log scale
 *   profile-NAME  each profile of /profiles (output.profiles) at its last row: the curve over the
 *             cell centres, its peak and fall-off positions marked with their values
 *   map-FIELD each one-component cells field of a 2-D grid at its last written step: a heat map
 *             (the longer side across) with a colour scale, axes in the grid's length unit
 *
 * Each chart goes to OUTDIR/STEM-<chart>.svg; its path is printed on stdout once written, a
 * failure is reported on stderr (sd_report_msg) and counted in out->failed. */
#ifndef SD_REPORT_CHARTS_H
#define SD_REPORT_CHARTS_H

#include "h5out.h"
#include "report_data.h"
#include "strtab.h"
#include "svg.h"
#include "trace_read.h"

typedef struct {
    const char *run;       /* the run file, for messages */
    const char *runbase;   /* its basename, for subtitles */
    const char *tracebase; /* the trace's basename, for subtitles (NULL without a trace) */
    char *outdir, *stem;
    int failed;            /* a chart could not be written */
    const char *window;    /* gantt and busy: the time window shown ("step 10: ..."), NULL: the whole run */
    int log_scalars;       /* scalars: a log scale for every all-positive series (else only past 3 decades) */
} sd_chart_out;

#define W_CHART 1000.0 /* every chart's width in pixels */

/* Shared by the charts: open OUTDIR/STEM-<chart>.svg (NULL after a message), its title and
 * subtitle, and closing it (printing its path). */
sd_svg *sd_chart_open(sd_chart_out *c, const char *chart, double h, char *path, size_t plen);
void sd_chart_title(sd_svg *s, const char *title, const char *sub);
void sd_chart_close(sd_chart_out *c, sd_svg *s, const char *path);

/* The trace's codelets by total time, longest first, into ranked (the gantt's colours); 0, or
 * -1 when out of memory. */
int sd_chart_rank_codelets(const sd_trace_file *tr, sd_strtab *ranked);
/* The gantt and busy charts of a trace; ranked from sd_chart_rank_codelets. */
void sd_chart_gantt(sd_chart_out *out, const sd_trace_file *tr, const sd_strtab *ranked);
void sd_chart_busy(sd_chart_out *out, const sd_trace_file *tr);
/* Time per codelet and architecture from ri when present, else summed from tr; cls holds every
 * codelet name of both, archs the architectures their rows index. */
void sd_chart_codelets(sd_chart_out *out, const sd_run_info *ri, const sd_trace_file *tr, const sd_strtab *cls,
                       const sd_strtab *archs);
/* One panel per scalar; sc has rows and names. */
void sd_chart_scalars(sd_chart_out *out, const sd_run_scalars *sc);
/* One chart per profile with rows (report_profile.c). */
void sd_chart_profiles(sd_chart_out *out, const sd_h5profile_data *list, int n);
/* The maps of out->run's fields (report_map.c); nothing unless the grid is 2-D. */
void sd_chart_maps(sd_chart_out *out);

#endif
