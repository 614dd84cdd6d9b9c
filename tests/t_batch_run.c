/* t_batch_run.c - batch domains through the whole runtime (sd_run, in process): the test system
 * (batch_fixture.h) advanced by t.euler with parameters per system, its work field and a
 * reduction, written every step. Every value of every step equals a naive loop's bitwise, for
 * 1, 3 and 7 ranges and automatic ones, 1 and 2 workers, schedulers lws, eager and dmda; an
 * optional role left unbound makes the kernel see NULL; the output file holds M values per
 * component; the summary reports the systems a solver-like stats field marks failed. */
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "batch_fixture.h"
#include "dm/batch.h"
#include "run_graph.h"
#include "tools/dot.h"

enum { M = 10000, STEPS = 4 };
#define DT 0.01
#define SCALE 0.5

static const char graph_text[] =
    "name: osc\n"
    "run: {steps: 4, dt: 0.01}\n"
    "domain:\n  batch:\n    count: 10000\n    system: t_osc\n"
    "    values:\n      y: [\"sin(0.001*i)\", \"cos(0.003*i)\"]\n"
    "      k: {random: uniform, range: [0.5, 2], seed: 3}\n"
    "      stats: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n"
    "fields:\n  y: {components: 2}\n  k:\n  w: {components: 5}\n  stats: {components: 10}\n"
    "scalars: [total]\n"
    "step:\n"
    "  - op: t.euler\n    readwrite: {y: y}\n    read: {p: k}\n    write: {work: w}\n    params: {scale: 0.5}\n"
    "  - op: t.mark\n    readwrite: {stats: stats}\n"
    "  - op: t.sum\n    read: {y: y}\n    write: {total: total}\n"
    "output:\n  fields: {names: [y, w], every: 1}\n  scalars: {names: [total], every: 1}\n";

/* The naive loop, [step][component][system], from the values the graph loads. */
static double *reference(const double *y0, const double *k, int with_p)
{
    double *ref = malloc(sizeof *ref * 2 * M * STEPS), y[2 * M];
    memcpy(y, y0, sizeof y);
    for (int s = 0; s < STEPS; s++) {
        for (int i = 0; i < M; i++) {
            const double x = y[i], v = y[M + i], kk = with_p ? k[i] : 1.0;
            y[i] = x + DT * SCALE * v;
            y[M + i] = v + DT * SCALE * (-kk * x);
        }
        memcpy(ref + (size_t)2 * M * s, y, sizeof y);
    }
    return ref;
}

static const double *values_of(const sd_graph *g, const char *name)
{
    const int f = sd_graph_field_index(g, name);
    for (int i = 0; i < g->ninit; i++)
        if (g->init[i].read && g->init[i].bind[0].index == f) return g->init[i].read->values;
    return NULL;
}

static void describe(int s, int64_t q, double got, double want)
{
    diag("step %d value %lld (system %lld component %lld): got %.17g want %.17g", s, (long long)q, (long long)(q % M),
         (long long)(q / M), got, want);
}

/* The layout of a batch's output file: /fields/y/STEP of [2][M], /grid ndim 1, shape [M, 1, 1]. */
static int output_layout_ok(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    int good = 0;
    hid_t d = H5Dopen2(f, "/fields/y/00000001", H5P_DEFAULT);
    if (d >= 0) {
        hid_t s = H5Dget_space(d);
        hsize_t dims[3] = {0};
        good = H5Sget_simple_extent_ndims(s) == 2 && H5Sget_simple_extent_dims(s, dims, NULL) == 2 && dims[0] == 2 &&
               dims[1] == M;
        H5Sclose(s);
        H5Dclose(d);
    }
    int ndim = 0;
    int64_t shape[3] = {0};
    hid_t gr = H5Gopen2(f, "/grid", H5P_DEFAULT);
    if (gr >= 0) {
        hid_t a = H5Aopen(gr, "ndim", H5P_DEFAULT), b = H5Aopen(gr, "shape", H5P_DEFAULT);
        good = good && a >= 0 && b >= 0 && H5Aread(a, H5T_NATIVE_INT, &ndim) >= 0 && H5Aread(b, H5T_NATIVE_INT64, shape) >= 0 &&
               ndim == 1 && shape[0] == M && shape[1] == 1 && shape[2] == 1;
        if (a >= 0) H5Aclose(a);
        if (b >= 0) H5Aclose(b);
        H5Gclose(gr);
    } else good = 0;
    H5Fclose(f);
    return good;
}

/* The run's stdout (the summary) into path. */
static int run_logged(const char *text, const char *out, const run_spec *r, const char *path)
{
    char err[1024];
    sd_graph *g = sd_graph_parse("osc.yaml", text, err, sizeof err);
    if (!g) {
        diag("%s", err);
        return -1;
    }
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.out = out;
    o.ncpu = r->ncpu;
    o.sched = r->sched;
    memcpy(o.tile, r->tile, sizeof o.tile);
    fflush(stdout);
    const int saved = dup(1), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    const int rc = sd_run(g, &o);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    sd_graph_free(g);
    return rc;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return calloc(1, 1);
    char *b = calloc(1 << 16, 1);
    size_t n = fread(b, 1, (1 << 16) - 1, f);
    b[n] = 0;
    fclose(f);
    return b;
}

/* stardag dot draws a batch's tasks over its ranges (--tiles N: N ranges, as the run makes them). */
static void test_dot(void)
{
    char err[1024], *buf = NULL;
    size_t len = 0;
    sd_graph *g = sd_graph_parse("osc.yaml", graph_text, err, sizeof err);
    FILE *f = open_memstream(&buf, &len);
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.tile[0] = 3;
    o.ncpu = 1;
    const int rc = g && f ? sd_dot(g, &o, 1, f) : -1;
    if (f) fclose(f);
    ok(rc == 0 && buf && strstr(buf, "t.euler\\ntile 2") && !strstr(buf, "tile 3") && strstr(buf, "t.sum\\ntile 0"),
       "stardag dot: a batch's ops over 3 ranges");
    free(buf);
    sd_graph_free(g);
}

/* tiles: auto (docs/ode-domain.md): about 4 ranges per CPU worker and 8 per GPU, none below 128
 * systems, at most 4096; and the ranges themselves. */
static void test_auto_ranges(void)
{
    ok(sd_batch_auto_ranges(10000, 2, 0) == 8 && sd_batch_auto_ranges(1000, 2, 0) == 7 && sd_batch_auto_ranges(1000000, 2, 0) == 8 &&
       sd_batch_auto_ranges(1000000, 4, 1) == 24 && sd_batch_auto_ranges(3000, 8, 0) == 23 && sd_batch_auto_ranges(100, 8, 0) == 1 &&
       sd_batch_auto_ranges(1, 1, 0) == 1 && sd_batch_auto_ranges((int64_t)1 << 40, 5000, 0) == 4096,
       "automatic ranges: 4 per CPU, 8 per GPU, >= 128 systems each, 1 to 4096");
    char err[1024];
    sd_graph *g = sd_graph_parse("osc.yaml", graph_text, err, sizeof err);
    sd_tiling t;
    int good = g && sd_batch_tiling(g, 7, 1, 0, &t, err, sizeof err) == 0 && t.ntiles == 7 && t.start[0][7] == M;
    for (int k = 0; good && k < 7; k++) {
        const int64_t n = t.start[0][k + 1] - t.start[0][k];
        good = n == M / 7 || n == M / 7 + 1;
    }
    if (g && good) sd_tiling_free(&t);
    ok(good, "7 ranges of 10,000 systems differ by at most one system");
    ok(g && sd_batch_tiling(g, M + 1, 1, 0, &t, err, sizeof err) < 0 && strstr(err, "10001 ranges of a batch of 10000 systems"),
       "more ranges than systems: refused (--tiles)");
    sd_graph_free(g);
    /* 2^31 systems with a field of 10 components: 5 x 2^32 values, more than 4 ranges of one StarPU vector each
     * (160 GiB: more than the loader allows on a test machine unless STARDAG_MAX_MEMORY says otherwise) */
    setenv("STARDAG_MAX_MEMORY", "1P", 1);
    g = sd_graph_parse("big.yaml", "run: {steps: 1, dt: 1}\ndomain: {batch: {count: 2147483648, system: t_osc}}\n"
                       "fields: {s: {components: 10}}\n", err, sizeof err);
    unsetenv("STARDAG_MAX_MEMORY");
    good = g && sd_batch_tiling(g, 0, 1, 0, &t, err, sizeof err) == 0;
    ok(good && t.ntiles == 6, "automatic ranges: enough for every field's range to fit a StarPU vector (%d)", good ? t.ntiles : -1);
    if (good) sd_tiling_free(&t);
    sd_graph_free(g);
}

static void test_report(const char *tmp)
{
    char out[1100], log[1100], want[512];
    snprintf(out, sizeof out, "%s/report.h5", tmp);
    snprintf(log, sizeof log, "%s/summary.txt", tmp);
    run_spec r = {{7, 0, 0}, 2, "lws"};
    char text_checked[sizeof graph_text + 64];
    snprintf(text_checked, sizeof text_checked, "%schecks:\n  - finite: {field: y, every: 2}\n", graph_text);
    int rc = run_logged(text_checked, out, &r, log);
    char *text = slurp(log);
    ok(rc == 0, "a run with failed systems still succeeds (exit %d)", rc);
    int64_t failed = 0, stopped = 0, maxsteps = 0, stiff = 0, tol = 0, first[10], nfirst = 0;
    for (int64_t i = 0; i < M; i++) {
        const int s = mark_status(i);
        failed += s >= SD_ODE_FAIL_FIRST;
        stopped += s == SD_ODE_STOPPED;
        maxsteps += s == SD_ODE_FAIL_MAXSTEPS;
        stiff += s == SD_ODE_FAIL_STIFF;
        tol += s == SD_ODE_FAIL_TOLERANCE;
        if (s >= SD_ODE_FAIL_FIRST && nfirst < 10) first[nfirst++] = i;
    }
    snprintf(want, sizeof want, "  systems: %lld,%03lld failed, %lld stopped by a terminal event of 10,000 (field stats)\n",
             (long long)failed / 1000, (long long)failed % 1000, (long long)stopped);
    if (!ok(strstr(text, want) != NULL, "the summary counts failed and stopped systems")) diag("want %sgot:\n%s", want, text);
    /* counts grouped by thousands (both below 10^6 here) */
    snprintf(want, sizeof want, "    too many steps: %lld,%03lld\n    stiff: %lld\n    unusable tolerances: %lld\n    first failed systems:",
             (long long)maxsteps / 1000, (long long)maxsteps % 1000, (long long)stiff, (long long)tol);
    for (int k = 0; k < nfirst; k++) snprintf(want + strlen(want), sizeof want - strlen(want), " %lld", (long long)first[k]);
    ok(strstr(text, want) != NULL, "by status, with the first ten failed systems");
    ok(strstr(text, "10,000 systems (system t_osc) in 7 ranges of up to 1,429 systems") != NULL &&
       strstr(text, "systems x intervals/s") != NULL, "the summary describes the ranges and the rate");
    ok(strstr(text, "finite(y)") != NULL && strstr(text, "FAIL") == NULL, "a finite check of a batch field runs");
    free(text);
}

int main(void)
{
    const char *t = getenv("SD_TEST_TMP");
    const char *tmp = t ? t : "/tmp";
    if (!ok(batch_fixture_register() == 0, "the test system and codelets register")) return tap_done();
    char err[1024], out[1100];
    sd_graph *g = sd_graph_parse("osc.yaml", graph_text, err, sizeof err);
    if (!ok(g != NULL, "the graph loads")) {
        diag("%s", err);
        return tap_done();
    }
    double *ref = reference(values_of(g, "y"), values_of(g, "k"), 1);
    double y0[2 * M];
    memcpy(y0, values_of(g, "y"), sizeof y0);
    sd_graph_free(g);

    static const run_spec runs[] = {
        {{1, 0, 0}, 1, "lws"}, {{3, 0, 0}, 1, "lws"}, {{7, 0, 0}, 1, "lws"}, {{0, 0, 0}, 1, "lws"},
        {{1, 0, 0}, 2, "lws"}, {{3, 0, 0}, 2, "lws"}, {{7, 0, 0}, 2, "lws"}, {{0, 0, 0}, 2, "lws"},
        {{7, 0, 0}, 2, "eager"}, {{3, 0, 0}, 2, "dmda"},
    };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        const run_spec *r = &runs[k];
        snprintf(out, sizeof out, "%s/batch%zu.h5", tmp, k);
        int rc = run_graph_text("osc.yaml", graph_text, out, r);
        int64_t values = 0;
        int64_t wrong = rc ? -1 : field_steps_differ(out, "y", STEPS, ref, 2 * M, &values, describe);
        char tiles[16];
        if (r->tile[0]) snprintf(tiles, sizeof tiles, "%lld", (long long)r->tile[0]);
        else snprintf(tiles, sizeof tiles, "auto");
        ok(rc == 0 && wrong == 0 && values == (int64_t)2 * M * STEPS,
           "tiles %s, %d worker%s, %s: every value of y at every step bitwise the naive loop's (%lld values)", tiles, r->ncpu,
           r->ncpu == 1 ? "" : "s", r->sched, (long long)values);
        if (k) continue;
        /* the work field (written by the kernel through an optional role): the state before the step, and the index */
        double *w;
        int64_t nw;
        int good = sd_h5_read_field(out, "w", 1, &w, &nw, err, sizeof err) == 0 && nw == (int64_t)5 * M;
        for (int64_t i = 0; good && i < M; i++)
            good = w[i] == y0[i] && w[M + i] == y0[M + i] && w[4 * M + i] == (double)i;
        ok(good, "output: w has 5 x M values, components outermost, the work values per system");
        ok(output_layout_ok(out), "output layout: /fields/y/STEP is [2][M], /grid a 1-D grid of M systems");
        if (nw > 0) free(w);
        int64_t *steps, ns;
        double *total;
        good = sd_h5_read_scalar(out, "total", &steps, &total, &ns, err, sizeof err) == 0 && ns == STEPS;
        double want = 0; /* the exact sum of step 4's x (sd_acc sums exactly, then rounds once) */
        long double lw = 0;
        for (int i = 0; i < M; i++) lw += ref[(size_t)2 * M * (STEPS - 1) + i];
        want = (double)lw;
        ok(good && fabs(total[STEPS - 1] - want) <= 1e-12 * fabs(want), "the reduction over systems: %.17g", good ? total[STEPS - 1] : NAN);
        if (good) {
            free(steps);
            free(total);
        }
    }

    /* p left unbound: the kernel sees NULL (k = 1 for every system) */
    char *text = strdup(graph_text);
    char *p = strstr(text, "    read: {p: k}\n");
    memcpy(p, "                \n", 17);
    double *ref1 = reference(y0, NULL, 0);
    snprintf(out, sizeof out, "%s/unbound.h5", tmp);
    run_spec r = {{3, 0, 0}, 2, "lws"};
    int rc = run_graph_text("osc.yaml", text, out, &r);
    int64_t values = 0, wrong = rc ? -1 : field_steps_differ(out, "y", STEPS, ref1, 2 * M, &values, describe);
    ok(rc == 0 && wrong == 0, "an optional role left unbound: the kernel sees p == NULL");
    free(text);
    free(ref1);
    test_report(tmp);
    test_dot();
    test_auto_ranges();
    free(ref);
    return tap_done();
}
