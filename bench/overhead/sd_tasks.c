/* sd_tasks.c - per-task cost of stardag for the workload of raw_starpu.c: a 1-D grid of T cells
 * (no halo) tiled with one cell per tile (T tasks per step), one step op: a pointwise codelet
 * registered through the public C API that reads and writes its tile and spins for W us.
 *
 *   sd_tasks [-t CELLS] [-s STEPS] [-w WORK_US] [-c NCPU]
 * Runs the graph twice through sd_run, with 10 and 10+STEPS steps, and takes the difference of
 * the wall times around sd_run: StarPU start-up, engine set-up and pipeline fill cancel out.
 * Prints "RESULT sd_tasks work_us=... us_per_task=... tasks_per_s=...". Scheduler: stardag's
 * default (lws without CUDA); STARPU_SCHED / STARPU_NCPU apply as for `stardag run`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stardag/stardag.h>
#include "work.h"

static void tiny_cpu(const sd_tile_args *a)
{
    bench_spin_us(a->param[0]);
    double *x = a->p[0];
    x[0] += 1.0;
}

static const sd_codelet tiny = {
    .name = "bench.tiny",
    .doc = "x += 1 on the tile's first cell after spinning work_us microseconds (task-overhead benchmark)",
    .pattern = SD_POINTWISE,
    .nroles = 1,
    .roles = {{.name = "x", .mode = SD_READWRITE, .ncomp = 1, .dtypes = 1 << SD_F64, .doc = "field"}},
    .nparams = 1,
    .params = {{.name = "work_us", .def = 0, .min = 0, .max = 1e6, .doc = "spin time per task"}},
    .cpu = tiny_cpu,
    .model = "bench.tiny",
};

int main(int argc, char **argv)
{
    int T = 2048, steps = 200, ncpu = -1;
    double W = 0.0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-t") && i + 1 < argc) T = atoi(argv[++i]);
        else if (!strcmp(s, "-s") && i + 1 < argc) steps = atoi(argv[++i]);
        else if (!strcmp(s, "-w") && i + 1 < argc) W = atof(argv[++i]);
        else if (!strcmp(s, "-c") && i + 1 < argc) ncpu = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: sd_tasks [-t CELLS] [-s STEPS] [-w WORK_US] [-c NCPU]\n");
            return 2;
        }
    }
    sd_register_builtin_codelets();
    if (sd_codelet_register(&tiny) != 0) return 1;
    char text[1024], err[1024];
    snprintf(text, sizeof text,
             "name: task-overhead\n"
             "params: {n: %d, work: %.17g}\n"
             "domain:\n"
             "  grid: {shape: [n], spacing: 1.0, boundary: periodic}\n"
             "fields:\n"
             "  x: {dtype: f64}\n"
             "init:\n"
             "  - op: common.fill\n"
             "    write: {out: x}\n"
             "    params: {value: 0}\n"
             "step:\n"
             "  - op: bench.tiny\n"
             "    readwrite: {x: x}\n"
             "    params: {work_us: work}\n"
             "run: {steps: 10, dt: 1.0}\n",
             T, W);
    sd_graph *g = sd_graph_parse("task-overhead.yaml", text, err, sizeof err);
    if (!g) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    double wall[2];
    const int64_t nsteps[2] = {10, 10 + (int64_t)steps};
    for (int r = 0; r < 2; r++) {
        sd_run_opts o;
        sd_run_opts_init(&o);
        o.steps = nsteps[r];
        o.ncpu = ncpu;
        o.tile[0] = o.tile[1] = o.tile[2] = 1;
        o.out = "";
        o.quiet = 1;
        const double t0 = bench_now();
        int st = sd_run(g, &o);
        wall[r] = bench_now() - t0;
        if (st != 0) {
            fprintf(stderr, "sd_tasks: sd_run failed (%d)\n", st);
            return 1;
        }
    }
    const double ntask = (double)T * steps, dt = wall[1] - wall[0];
    printf("RESULT sd_tasks work_us=%g cells=%d tasks=%.0f us_per_task=%.4f tasks_per_s=%.0f (runs of %lld and %lld steps: %.3f s, %.3f s)\n",
           W, T, ntask, 1e6 * dt / ntask, ntask / dt, (long long)nsteps[0], (long long)nsteps[1], wall[0], wall[1]);
    sd_graph_free(g);
    return 0;
}
