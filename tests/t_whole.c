/* t_whole.c - the whole-field pattern: one task per step that sees every tile, tile by tile in
 * a fixed order (x fastest), whatever the tiling and the workers. */
#include <stdlib.h>
#include <string.h>
#include "h5out.h"
#include "run_util.h"
#include "stardag/stardag.h"
#include "tap.h"

/* Written by the kernel; read after the run. One task at a time sees it: the pattern's promise. */
static int64_t calls, last_step = -1, tasks_seen, bad_order;
static int64_t prev_origin[3];

static int64_t key(const int64_t o[3]) { return (o[2] << 40) + (o[1] << 20) + o[0]; }

static void global_index(const sd_tile_args *a)
{
    if (a->step != last_step) { /* a new task starts with the first tile */
        last_step = a->step;
        tasks_seen++;
        memset(prev_origin, 0xff, sizeof prev_origin);
    } else if (key(a->origin) <= key(prev_origin)) bad_order++;
    memcpy(prev_origin, a->origin, sizeof prev_origin);
    calls++;
    double *u = a->p[0];
    for (int64_t k = 0; k < a->n[2]; k++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++)
                u[sd_at(a, 0, i, j, k, 0)] = (double)(a->step * 1000000 + a->origin[0] + i +
                    a->shape[0] * (a->origin[1] + j + a->shape[1] * (a->origin[2] + k)));
}

static const sd_codelet whole = {
    .name = "t.global_index", .pattern = SD_WHOLE, .nroles = 1, .cpu = global_index, .model = "t.global_index",
    .roles = {{.name = "u", .mode = SD_WRITE, .ncomp = 1, .dtypes = 1 << SD_F64}}};

static const char graph[] =
    "domain:\n  grid: {shape: [10, 7, 6], spacing: 1}\n"
    "fields:\n  u: {}\n"
    "step:\n  - op: t.global_index\n    write: {u: u}\n"
    "output:\n  fields: {names: [u], every: 5}\n"
    "run: {steps: 10, dt: 1}\n";

int main(void)
{
    sd_register_builtin_codelets();
    ok(sd_codelet_register(&whole) == 0, "a whole-field codelet registers");
    char err[1024], out[1024];
    snprintf(out, sizeof out, "%s/whole.h5", tmpdir());
    sd_graph *g = sd_graph_parse("whole.yaml", graph, err, sizeof err);
    if (!ok(g != NULL, "graph loads")) {
        diag("%s", err);
        return tap_done();
    }
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.out = out;
    o.quiet = 1;
    o.ncpu = 2;
    o.tile[0] = 4, o.tile[1] = 3, o.tile[2] = 2; /* 3 x 3 x 3 tiles */
    ok(sd_run(g, &o) == 0, "the run succeeds");
    ok(tasks_seen == 10 && calls == 10 * 27, "one task per step (%lld) calling the kernel for each of 27 tiles (%lld calls)",
       (long long)tasks_seen, (long long)calls);
    ok(bad_order == 0, "tiles come in a fixed order, x fastest");
    double *u;
    int64_t n;
    if (sd_h5_read_field(out, "u", 10, &u, &n, err, sizeof err) == 0) {
        int64_t wrong = 0;
        for (int64_t q = 0; q < n; q++) wrong += u[q] != 10 * 1000000.0 + q;
        ok(n == 420 && wrong == 0, "every cell holds its global index (%lld wrong)", (long long)wrong);
        free(u);
    } else ok(0, "read the output: %s", err);
    sd_graph_free(g);
    return tap_done();
}
