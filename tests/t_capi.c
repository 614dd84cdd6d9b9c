/* t_capi.c - the C API bindings use (stardag/stardag.h only, as an outside program): graph
 * accessors, parameter overrides, the progress callback (every step, a final call, stopping),
 * the error lines copied to the caller, and sd_compare_outputs. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "stardag/stardag.h"
#include "tap.h"

typedef struct seen {
    int calls, finals, in_order, stop_at;
    int64_t last;
    int nscalars;
    double energy; /* latest energy at the final call */
    int energy_index;
} seen;

static int on_progress(const sd_progress *p, void *user)
{
    seen *s = user;
    s->calls++;
    if (p->final) {
        s->finals++;
        s->energy = p->latest[s->energy_index];
    } else if (p->step != s->last + 1) s->in_order = 0;
    s->last = p->step;
    s->nscalars = p->nscalars;
    return s->stop_at && p->step >= s->stop_at;
}

int main(void)
{
    const char *top = getenv("top_srcdir"), *tmp = getenv("SD_TEST_TMP");
    char path[1024], out[4][1100], err[2048], errors[4096], report[8192];
    snprintf(path, sizeof path, "%s/graphs/lattice/kg-packet.yaml", top ? top : ".");
    for (int i = 0; i < 4; i++) snprintf(out[i], sizeof out[i], "%s/capi%d.h5", tmp ? tmp : "/tmp", i);
    sd_register_builtin_codelets();
    ok(sd_run_opts_size() == sizeof(sd_run_opts), "sd_run_opts_size is this header's struct size");

    const char *set[] = {"n=12", "width=2*dx"};
    sd_graph *g = sd_graph_load_ex(path, set, 2, err, sizeof err);
    if (!ok(g != NULL, "load with overrides")) {
        diag("%s", err);
        return tap_done();
    }
    int64_t shape[3];
    ok(!strcmp(sd_graph_domain(g, shape), "grid") && shape[0] == 12 && shape[1] == 12 && shape[2] == 12,
       "domain and shape follow the override");
    double v = 0, w = 0;
    int np = sd_graph_nparams(g);
    const char *p0 = sd_graph_param(g, 0, &v), *p5 = sd_graph_param(g, 5, &w);
    ok(np == 7 && !strcmp(p0, "n") && v == 12 && !strcmp(p5, "width") && w == 2, "params: names and evaluated values");
    ok(sd_graph_param(g, np, &v) == NULL && isnan(v) && sd_graph_field(g, -1) == NULL, "out of range: NULL");
    int hidden0 = -1, hidden_last = -1, ns = sd_graph_nscalars(g);
    const char *s0 = sd_graph_scalar(g, 0, &hidden0), *slast = sd_graph_scalar(g, ns - 1, &hidden_last);
    ok(ns == 3 && !strcmp(s0, "energy") && !hidden0 && !strncmp(slast, "__", 2) && hidden_last,
       "scalars: declared ones, then the finite check's hidden one (%d, last %s)", ns, slast);
    ok(sd_graph_nfields(g) == 2 && !strcmp(sd_graph_field(g, 1), "chi"), "fields");
    ok(sd_graph_steps(g) == 300 && sd_graph_dt(g) == 0.5 && !strcmp(sd_graph_output_file(g), "kg-packet.h5") &&
       !strcmp(sd_graph_name(g), "kg-packet") && strstr(sd_graph_text(g), "kg_leapfrog"), "run, output, name, text");

    sd_run_opts o;
    sd_run_opts_init(&o);
    ok(o.progress == NULL && o.errors == NULL, "sd_run_opts_init clears the new fields");
    seen s = {.in_order = 1, .energy = NAN};
    o.steps = 30;
    o.quiet = 1;
    o.out = out[0];
    o.progress = on_progress;
    o.progress_user = &s;
    o.errors = errors;
    o.errors_len = sizeof errors;
    int st = sd_run(g, &o);
    int only_warnings = 1; /* a short run's "never evaluated" warning is one of its lines */
    for (const char *l = errors; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
        const char *e = strchr(l, '\n');
        const char *w = strstr(l, "warning:");
        if (!w || (e && w > e)) only_warnings = 0;
    }
    ok(st == SD_EXIT_OK && only_warnings, "a run with a progress callback succeeds, no error lines (warnings only)");
    ok(s.calls == 31 && s.finals == 1 && s.in_order && s.last == 30 && s.nscalars == ns,
       "the callback saw steps 1..30 in order, then one final call (%d calls)", s.calls);
    ok(s.energy > 0, "with the latest energy (%g)", s.energy);

    seen stop = {.in_order = 1, .stop_at = 7};
    o.progress_user = &stop;
    o.out = out[1];
    o.tile[0] = 6, o.tile[1] = 12, o.tile[2] = 4;
    st = sd_run(g, &o);
    ok(st == SD_EXIT_INTERRUPTED && stop.last < 30 && strstr(errors, "stopped by the progress callback at step 7"),
       "a non-zero answer stops the run (status %d): %s", st, errors);

    o.progress = NULL;
    o.out = "/nonexistent-dir/x.h5";
    st = sd_run(g, &o);
    ok(st == SD_EXIT_RUNTIME && strstr(errors, "/nonexistent-dir/x.") && !strstr(errors, "progress callback"),
       "the error lines of the next run replace the last ones: %s", errors);

    o.out = out[2];
    o.steps = 30;
    ok(sd_run(g, &o) == SD_EXIT_OK, "the same 30 steps with other tiles");
    st = sd_compare_outputs(out[0], out[2], 0, 0, 0, report, sizeof report, err, sizeof err);
    ok(st == SD_EXIT_OK && strstr(report, "agree (bitwise)"), "sd_compare_outputs: bitwise the same (%s)", report);
    /* warm-up steps: untimed, otherwise the same run */
    sd_run_result r;
    o.out = out[3];
    o.warmup = 3;
    o.result = &r;
    st = sd_run(g, &o);
    ok(st == SD_EXIT_OK && r.steps_done == 27 && r.loop_seconds > 0,
       "warmup 3 of 30 steps: the result times the other 27 (%lld steps, %g s)", (long long)r.steps_done, r.loop_seconds);
    st = sd_compare_outputs(out[0], out[3], 0, 0, 0, report, sizeof report, err, sizeof err);
    ok(st == SD_EXIT_OK && strstr(report, "agree (bitwise)"), "and its output is the run's without warm-up (%s)", report);
    o.out = "";
    o.steps = 2; /* a run shorter than its warm-up: all of it timed */
    st = sd_run(g, &o);
    ok(st == SD_EXIT_OK && r.steps_done == 2, "warmup 3 of a 2-step run: the result times both (%lld)",
       (long long)r.steps_done);
    o.steps = 30;
    o.warmup = 0;
    o.result = NULL;
    st = sd_compare_outputs(out[0], out[1], 0, 0, 0, report, sizeof report, err, sizeof err);
    ok(st == SD_EXIT_CHECK && strstr(report, "differ") && strstr(report, "  /scalars/step"),
       "a shorter run differs, each dataset on a line");
    st = sd_compare_outputs(out[0], "/nonexistent-dir/y.h5", 0, 0, 0, report, sizeof report, err, sizeof err);
    ok(st == SD_EXIT_BADGRAPH && strstr(err, "/nonexistent-dir/y.h5") && report[0] == 0, "a missing file: %s", err);
    sd_graph_free(g);

    const char *bad[] = {"nn=3"};
    ok(sd_graph_load_ex(path, bad, 1, err, sizeof err) == NULL && strstr(err, "unknown param 'nn'"),
       "an unknown override: %s", err);
    return tap_done();
}
