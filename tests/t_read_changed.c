/* t_read_changed.c - io.read_field checks its file at load and again when the run starts: a file
 * replaced in between by one of another shape (or removed) fails the run with status 1 (a
 * runtime error) before any task runs or any output is written, naming the file. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "run_graph.h"
#include "run_util.h"

/* noise into u (NX x 8) written at step 1 */
static const char *noise_graph =
    "params: {nx: 8}\n"
    "domain: {grid: {shape: [nx, 8], spacing: 1}}\n"
    "fields: {u: {}}\n"
    "init:\n"
    "  - {op: common.noise, write: {out: u}, params: {seed: 4}}\n"
    "output: {fields: {names: [u], every: 1}}\n"
    "run: {steps: 1, dt: 1}\n";

int main(void)
{
    sd_register_builtin_codelets();
    char src[1024], out[1024], text[2048], err[1024];
    snprintf(src, sizeof src, "%s/src.h5", tmpdir());
    snprintf(out, sizeof out, "%s/out.h5", tmpdir());
    const run_spec spec = {{0, 0, 0}, 1, "lws"};
    ok(run_graph_text("noise.yaml", noise_graph, src, &spec) == 0, "the source run writes u at step 1");
    snprintf(text, sizeof text,
             "domain: {grid: {shape: [8, 8], spacing: 1}}\n"
             "fields: {u: {}}\n"
             "init:\n"
             "  - {op: io.read_field, write: {out: u}, params: {file: '%s', step: 1}}\n"
             "output: {fields: {names: [u], every: 1}}\n"
             "run: {steps: 1, dt: 1}\n", src);
    sd_graph *g = sd_graph_parse("read.yaml", text, err, sizeof err);
    if (!ok(g != NULL, "the reading graph loads (the file checked)")) diag("%s", err);
    /* the file becomes a 6 x 8 field between load and run */
    char *set = "nx=6";
    sd_graph *g6 = sd_graph_parse_ex("noise6.yaml", noise_graph, (const char *const *)&set, 1, err, sizeof err);
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.quiet = 1;
    o.ncpu = 1;
    o.out = src;
    o.overwrite = 1; /* the source is replaced; out.log of the first failed run is replaced by the second */
    ok(g6 && sd_run(g6, &o) == 0, "the source is overwritten with a 6 x 8 field");
    sd_graph_free(g6);
    o.out = out;
    if (g) {
        ok(sd_run(g, &o) == SD_EXIT_RUNTIME, "the run finds the changed shape: exit 1");
        ok(access(out, F_OK) != 0, "  nothing was written");
        unlink(src);
        ok(sd_run(g, &o) == SD_EXIT_RUNTIME, "the run finds the file removed: exit 1");
        ok(access(out, F_OK) != 0, "  nothing was written");
    }
    sd_graph_free(g);
    return tap_done();
}
