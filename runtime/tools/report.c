/* report.c - `stardag report RUN.h5 [--trace T.json] [--out DIR] [window] [--log-scalars]`: SVG charts of a run. This
 * file is the command: its options, the checks on its inputs, the output directory and the
 * charts' names, and its messages. The run file is read by report_data.c, the trace by
 * trace_read.c; the charts (listed in report_charts.h) are drawn by report_charts.c. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stardag/stardag.h"
#include "commands.h"
#include "report.h"
#include "run_files.h"
#include "report_charts.h"
#include "report_data.h"
#include "report_window.h"
#include "strtab.h"
#include "trace_read.h"

static const char report_usage[] =
    "usage: stardag report RUN.h5 [--trace T.json] [--out DIR] [--from S] [--to S] [--steps A:B] [--log-scalars]\n"
    "       stardag report --tune TUNE.csv [--out DIR]   predicted against measured step times (stardag tune --csv)\n"
    "  writes DIR/<run>-gantt.svg, -busy.svg (both need --trace), -codelets.svg and -scalars.svg,\n"
    "  -profile-NAME.svg per profile (output.profiles) and, on a 2-D grid, -map-FIELD.svg per\n"
    "  one-component field on cells (its last written step);\n"
    "  DIR defaults to the directory of RUN.h5.\n"
    "  --from S, --to S  gantt and busy charts of that time window only (seconds since the run started)\n"
    "  --steps A:B       the same for the time from the first task of step A to the end of the last of step B\n"
    "  --log-scalars     a log scale for every scalar whose values are all positive (by default only for\n"
    "                    those spanning more than 3 decades)\n";

void sd_report_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("stardag report: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int sd_cmd_report(int argc, char **argv)
{
    const char *run = NULL, *tpath = NULL, *out = NULL, *tune = NULL;
    sd_report_window win = {0};
    int log_scalars = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int from = !strcmp(a, "--from"), to = !strcmp(a, "--to");
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(report_usage, stdout); return 0; }
        if ((!strcmp(a, "--trace") || !strcmp(a, "--out") || from || to || !strcmp(a, "--steps") || !strcmp(a, "--tune")) &&
            i + 1 >= argc) {
            sd_report_msg("option %s needs a value", a);
            fputs(report_usage, stderr);
            return SD_EXIT_BADGRAPH;
        }
        if (!strcmp(a, "--trace")) tpath = argv[++i];
        else if (!strcmp(a, "--tune")) tune = argv[++i];
        else if (!strcmp(a, "--out")) out = argv[++i];
        else if (!strcmp(a, "--log-scalars")) log_scalars = 1;
        else if (from || to) {
            char *end;
            double v = strtod(argv[++i], &end);
            if (end == argv[i] || *end || !isfinite(v) || v < 0) {
                sd_report_msg("%s expects seconds since the run started (a number >= 0), got '%s'", a, argv[i]);
                return SD_EXIT_BADGRAPH;
            }
            if (from) win.has_from = 1, win.from_s = v;
            else win.has_to = 1, win.to_s = v;
        } else if (!strcmp(a, "--steps")) {
            if (!sd_report_parse_steps(argv[++i], &win.step_a, &win.step_b)) {
                sd_report_msg("--steps expects A:B, the first and last step (0 <= A <= B), got '%s'", argv[i]);
                return SD_EXIT_BADGRAPH;
            }
            win.by_steps = 1;
        } else if (a[0] == '-' && a[1]) {
            sd_report_msg("unknown option '%s'", a);
            fputs(report_usage, stderr);
            return SD_EXIT_BADGRAPH;
        } else if (!run) run = a;
        else {
            sd_report_msg("one run file expected, got '%s' and '%s'", run, a);
            fputs(report_usage, stderr);
            return SD_EXIT_BADGRAPH;
        }
    }
    if (tune) { /* DIR/<csv name>-tune.svg */
        if (run || tpath || win.has_from || win.has_to || win.by_steps || log_scalars) {
            sd_report_msg("--tune charts a tune table alone: no run file, trace, --steps, --from, --to or --log-scalars with it");
            return SD_EXIT_BADGRAPH;
        }
        char dir[4096], path[8300], name[4096];
        const char *b = base_name(tune);
        snprintf(name, sizeof name, "%s", b);
        char *dot = strrchr(name, '.');
        if (dot && !strcmp(dot, ".csv")) *dot = 0;
        if (out) snprintf(dir, sizeof dir, "%s", out);
        else snprintf(dir, sizeof dir, "%.*s", b > tune ? (int)(b - tune - 1) : 1, b > tune ? tune : ".");
        if (out && sd_make_dirs(out) < 0) {
            sd_report_msg("%s: cannot create the directory: %s", out, strerror(errno));
            return SD_EXIT_RUNTIME;
        }
        snprintf(path, sizeof path, "%s/%s-tune.svg", dir[0] ? dir : "/", name);
        return sd_report_tune(tune, path);
    }
    if (!run) {
        sd_report_msg("a run file is needed");
        fputs(report_usage, stderr);
        return SD_EXIT_BADGRAPH;
    }
    int windowed = win.by_steps || win.has_from || win.has_to;
    if (win.by_steps && (win.has_from || win.has_to)) {
        sd_report_msg("--steps and --from/--to both set the window: give one of them");
        return SD_EXIT_BADGRAPH;
    }
    if (windowed && !tpath) {
        sd_report_msg("a time window (--from, --to, --steps) is for the gantt and busy charts, which need --trace");
        return SD_EXIT_BADGRAPH;
    }
    struct stat st;
    if (stat(run, &st) < 0) {
        sd_report_msg("%s: cannot open: %s (expected an HDF5 run file written by stardag run)", run, strerror(errno));
        return SD_EXIT_BADGRAPH;
    }
    if (S_ISDIR(st.st_mode)) {
        sd_report_msg("%s: is a directory (expected an HDF5 run file written by stardag run)", run);
        return SD_EXIT_BADGRAPH;
    }
    int rc = SD_EXIT_BADGRAPH;
    char err[8192];
    sd_run_scalars sc = {0};
    sd_run_info ri = {0};
    sd_trace_file tr = {0};
    int have_trace = 0;
    sd_strtab cls = {0}, ranked = {0}, archs = {0}; /* archs: "cpu", "cuda", ... of the trace and /run */
    sd_trace_file shown = {0}; /* the trace, or its window */
    char window[160];
    sd_chart_out c = {run, base_name(run), tpath ? base_name(tpath) : NULL, NULL, NULL, 0, NULL, log_scalars};
    if (sd_run_data_read(run, &sc, &ri, &cls, &archs, err, sizeof err) < 0) {
        sd_report_msg("%s", err);
        goto out;
    }
    if (tpath) {
        int bad = sd_trace_file_read(&tr, tpath, &archs, err, sizeof err);
        if (tr.truncated)
            sd_report_msg("warning: %s ends early (a run that did not finish?); using the %zu tasks read", tpath, tr.nt);
        if (bad) {
            sd_report_msg("%s", err);
            goto out;
        }
        have_trace = 1;
        for (size_t i = 0; i < tr.nt; i++)
            if (sd_strtab_add(&cls, tr.cl.s[tr.t[i].cl]) < 0) { sd_report_msg("out of memory"); goto out; }
        shown = tr;
        if (windowed) {
            if (!tr.nt) {
                sd_report_msg("%s: no tasks in the trace: no window to show", tpath);
                goto out;
            }
            if (sd_trace_window(&tr, &win, &shown, window, sizeof window, err, sizeof err) < 0) {
                sd_report_msg("%s", err);
                sd_trace_window_free(&shown);
                goto out;
            }
            c.window = window;
        }
    }
    /* the output directory and the charts' names */
    rc = SD_EXIT_RUNTIME;
    if (out) c.outdir = strdup(out);
    else {
        const char *sl = strrchr(run, '/');
        c.outdir = sl ? strndup(run, sl == run ? 1 : (size_t)(sl - run)) : strdup(".");
    }
    const char *bn = base_name(run), *dot = strrchr(bn, '.');
    c.stem = dot && dot != bn && (!strcmp(dot, ".h5") || !strcmp(dot, ".hdf5") || !strcmp(dot, ".he5"))
                 ? strndup(bn, (size_t)(dot - bn)) : strdup(bn);
    if (!c.outdir || !c.stem) { sd_report_msg("out of memory"); goto out; }
    if (sd_make_dirs(c.outdir) < 0) {
        sd_report_msg("%s: cannot use as the output directory: %s", c.outdir, strerror(errno));
        goto out;
    }
    if (access(c.outdir, W_OK | X_OK) < 0) {
        sd_report_msg("%s: output directory is not writable: %s", c.outdir, strerror(errno));
        goto out;
    }
    if (have_trace && sd_chart_rank_codelets(&tr, &ranked) < 0) { sd_report_msg("out of memory"); goto out; }
    if (have_trace) {
        if (!tr.nt && !tr.nw) sd_report_msg("%s: no tasks or workers in the trace: gantt and busy charts skipped", tpath);
        else {
            sd_chart_gantt(&c, &shown, &ranked);
            sd_chart_busy(&c, &shown);
        }
    } else sd_report_msg("note: no --trace given: gantt and busy charts skipped (record a trace with stardag run --trace FILE.json)");
    if (ri.present || (have_trace && tr.nt)) sd_chart_codelets(&c, &ri, &tr, &cls, &archs);
    else sd_report_msg("note: %s has no /run group and no trace was given: codelets chart skipped", run);
    if (sc.nnames && sc.n) sd_chart_scalars(&c, &sc);
    else sd_report_msg("note: %s has no scalar rows: scalars chart skipped", run);
    sd_h5profile_data *prof = NULL;
    int nprof = 0;
    if (sd_h5_read_profiles(run, &prof, &nprof, err, sizeof err) < 0) {
        sd_report_msg("%s", err);
        c.failed = 1;
    } else sd_chart_profiles(&c, prof, nprof);
    sd_h5_profiles_free(prof, nprof);
    sd_chart_maps(&c);
    rc = c.failed ? SD_EXIT_RUNTIME : 0;
out:
    if (c.window) sd_trace_window_free(&shown);
    sd_run_scalars_free(&sc);
    sd_run_info_free(&ri);
    if (have_trace || tr.path) sd_trace_file_free(&tr);
    sd_strtab_free(&cls);
    sd_strtab_free(&ranked);
    sd_strtab_free(&archs);
    free(c.outdir);
    free(c.stem);
    return rc;
}
