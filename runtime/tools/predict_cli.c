/* predict_cli.c - `stardag predict FILE`: the predicted step time of a graph under one
 * configuration (predict.h), beside a measured run of it with --measure; and the machine
 * descriptions that stand for another machine (--machine). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_util.h"
#include "commands.h"
#include "graph.h"
#include "predict.h"
#include "sched.h"
#include "stardag/stardag.h"

static const char predict_usage[] =
    "usage: stardag predict FILE [--tiles X[xY[xZ]] | --tiles N] [--sched NAME] [--ncpu N] [--ncuda N]\n"
    "                            [--arch any|cpu|cuda] [--max-inflight N] [--steps N] [--set NAME=VALUE]...\n"
    "                            [--fuse K] [--measure] [--machine FILE]\n"
    "  predicts the step time of FILE under that configuration from the calibrated performance models\n"
    "  (run `stardag calibrate FILE` first): the tasks of --steps steps (default 20) are expanded, not run,\n"
    "  and scheduled in a simulation of StarPU. Also each worker's busy fraction and a step's critical path.\n"
    "  --fuse K       a grid's tiles advance K steps per task (as run --fuse; default: the graph's run.fuse)\n"
    "  --measure      also run those steps (no output) and print the measured figures beside the predicted\n"
    "  --machine FILE predict for the machine FILE describes (docs/tuning.md): its models, workers and bus\n"
    "                 (its workers: not with --ncpu or --ncuda)\n"
    "usage: stardag predict --describe-machine [--ncpu N] [--ncuda N]\n"
    "  prints this machine's description (its models' folder, workers, bus, StarPU's measured costs)\n"
    "  --load PACK.so load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n";

int sd_machine_desc_read(const char *path, sd_machine_desc *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->costs = (sd_task_costs){NAN, NAN, NAN, NAN, NAN}; /* absent: measured on this machine */
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the machine description", path);
        return -1;
    }
    char line[2048];
    int ln = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        ln++;
        for (char *h = line; *h; h++) /* a comment: # at the start or after a blank (a path may hold one) */
            if (*h == '#' && (h == line || h[-1] == ' ' || h[-1] == '\t')) {
                *h = 0;
                break;
            }
        char key[64], val[1500];
        if (sscanf(line, " %63[a-z_]: %1499[^\n]", key, val) != 2) {
            if (strspn(line, " \t\r\n") != strlen(line)) {
                snprintf(err, errlen, "%s:%d: expected `key: value`", path, ln);
                rc = -1;
            }
            continue;
        }
        for (size_t k = strlen(val); k > 0 && (val[k - 1] == ' ' || val[k - 1] == '\r'); k--) val[k - 1] = 0;
        char *end;
        double v = strtod(val, &end);
        int num = end != val && *end == 0 && v >= 0 && isfinite(v);
        if (!strcmp(key, "models")) snprintf(m->models_dir, sizeof m->models_dir, "%s", val);
        else if (!num) {
            snprintf(err, errlen, "%s:%d: %s expects a number >= 0, got '%s'", path, ln, key, val);
            rc = -1;
        } else if (!strcmp(key, "ncpu") || !strcmp(key, "ncuda")) {
            int cpu = !strcmp(key, "ncpu"), most = cpu ? SD_PRED_MAXW - 1 : 8; /* sim.h: RAM and 8 GPUs */
            if (v != floor(v) || v > most || (cpu && v < 1)) {
                snprintf(err, errlen, "%s:%d: %s expects an integer from %d to %d, got '%s'", path, ln, key, cpu, most, val);
                rc = -1;
            } else if (cpu) m->ncpu = (int)v;
            else m->ncuda = (int)v;
        }
        else if (!strcmp(key, "bus_latency_us")) m->bus_latency_us = v;
        else if (!strcmp(key, "bus_mb_per_s")) m->bus_mb_per_s = v;
        else if (!strcmp(key, "submit_us")) m->costs.submit_us = v;
        else if (!strcmp(key, "submit_per_buffer_us")) m->costs.submit_per_buffer_us = v;
        else if (!strcmp(key, "task_overhead_us")) m->costs.overhead_us = v;
        else if (!strcmp(key, "overhead_per_buffer_us")) m->costs.overhead_per_buffer_us = v;
        else if (!strcmp(key, "dep_latency_us")) m->costs.latency_us = v;
        else {
            snprintf(err, errlen, "%s:%d: unknown key '%s' (expected models, ncpu, ncuda, bus_latency_us, "
                     "bus_mb_per_s, submit_us, submit_per_buffer_us, task_overhead_us, overhead_per_buffer_us, dep_latency_us)",
                     path, ln, key);
            rc = -1;
        }
    }
    fclose(f);
    if (!rc && (m->ncpu < 1 || !m->models_dir[0] || m->ncpu + m->ncuda > SD_PRED_MAXW)) {
        snprintf(err, errlen, "%s: a machine description needs models and ncpu (and ncuda for its GPUs; at most %d "
                 "workers)", path, SD_PRED_MAXW);
        rc = -1;
    }
    return rc;
}

/* The prediction, and beside it the measurement when r is not NULL. */
static void print_prediction(const sd_graph *g, const sd_pred *p, const sd_run_result *r)
{
    printf("stardag predict: %s: %s, sched %s, %d CPU + %d CUDA workers, max_inflight %lld, %lld steps (%lld tasks)\n",
           g->name, p->parts, p->sched, p->ncpu, p->ncuda, (long long)p->max_inflight, (long long)p->steps,
           (long long)p->tasks);
    printf("  StarPU's costs: submitting %.2f us per task + %.2f per buffer (and %.2f expanding the domain), on a "
           "worker %.2f us per task + %.2f per buffer, a dependency %.2f us\n", p->costs.submit_us,
           p->costs.submit_per_buffer_us, p->expand_us, p->costs.overhead_us, p->costs.overhead_per_buffer_us,
           p->costs.latency_us);
    printf("  task times: %d measured at their size, %d interpolated, %d extrapolated, %d scaled from one size\n",
           p->lookups[SD_EXPECT_MEASURED], p->lookups[SD_EXPECT_INTERPOLATED], p->lookups[SD_EXPECT_EXTRAPOLATED],
           p->lookups[SD_EXPECT_SCALED]);
    if (p->approx[0]) printf("  not measured at their size (flagged): %s\n", p->approx);
    if (p->transfer_mb > 0) printf("  transfers: %.1f MB predicted\n", p->transfer_mb);
    printf("  %-34s %12s %12s\n", "", "predicted", r ? "measured" : "");
    char m[64] = "";
    if (r && r->steps_done) snprintf(m, sizeof m, "%.3f", 1e3 * r->loop_seconds / (double)r->steps_done);
    printf("  %-34s %12.3f %12s", "ms/step (the loop's mean)", p->step_us / 1e3, m);
    if (r && r->steps_done)
        printf("   predicted/measured %.3f", p->step_us / 1e6 / (r->loop_seconds / (double)r->steps_done));
    printf("\n  %-34s %12.3f\n", "ms/step in steady state", p->steady_us / 1e3);
    printf("  %-34s %12.3f\n", "critical path of a step (ms)", p->critical_us / 1e3);
    const int rn = r ? r->nworkers : 0, n = p->nworkers > rn ? p->nworkers : rn;
    for (int w = 0; w < n; w++) {
        char label[64], pv[32] = "", mv[32] = "";
        snprintf(label, sizeof label, "busy %s%s%s", w < p->nworkers ? p->wname[w] : "-", w < rn ? " / " : "",
                 w < rn ? r->worker_name[w] : "");
        if (w < p->nworkers) snprintf(pv, sizeof pv, "%.1f%%", 100 * p->busy[w]);
        if (w < rn) snprintf(mv, sizeof mv, "%.1f%%", 100 * r->worker_busy[w]);
        printf("  %-34s %12s %12s\n", label, pv, mv);
    }
}

#define USAGE_ERR(...) do { fprintf(stderr, "stardag predict: " __VA_ARGS__); fputs(predict_usage, stderr); goto out; } while (0)

int sd_cmd_predict(int argc, char **argv)
{
    const char *file = NULL, *machine = NULL;
    const char **set = calloc(argc + 1, sizeof *set);
    int nset = 0, status = SD_EXIT_BADGRAPH, measure = 0, describe = 0;
    sd_pconf c = {.ncpu = -1, .ncuda = -1, .steps = 20};
    sd_machine_desc md;
    sd_graph *g = NULL;
    if (!set) return SD_EXIT_RUNTIME;
    static const char *const valued[] = {"--steps", "--ncpu", "--ncuda", "--max-inflight", "--fuse", "--tiles", "--sched", "--arch", "--machine", "--set", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(predict_usage, stdout);
            status = SD_EXIT_OK;
            goto out;
        }
        if (a[0] != '-' && !file) file = a;
        else if (!strcmp(a, "--measure")) measure = 1;
        else if (!strcmp(a, "--describe-machine")) describe = 1;
        else if (a[0] != '-') USAGE_ERR("unexpected argument '%s' (%s)\n", a, "one graph file");
        else if (!sd_cli_is_one_of(a, valued)) USAGE_ERR("unknown option '%s'\n", a);
        else if (i + 1 >= argc) USAGE_ERR("option %s needs a value\n", a);
        else if (!strcmp(a, "--steps")) {
            if (!sd_cli_parse_int(argv[++i], 2, &v)) USAGE_ERR("--steps expects an integer >= 2, got '%s'\n", argv[i]);
            c.steps = v;
        } else if (!strcmp(a, "--ncpu") || !strcmp(a, "--ncuda") || !strcmp(a, "--max-inflight")) {
            int inflight = !strcmp(a, "--max-inflight");
            if (!sd_cli_parse_int(argv[++i], inflight, &v) || v > 4096)
                USAGE_ERR("%s expects an integer >= %d, got '%s'\n", a, inflight, argv[i]);
            if (inflight) c.max_inflight = (int)v;
            else if (!strcmp(a, "--ncpu")) c.ncpu = (int)v;
            else c.ncuda = (int)v;
        } else if (!strcmp(a, "--fuse")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v) || v > SD_MAX_FUSE)
                USAGE_ERR("--fuse expects an integer from 1 to %d, got '%s'\n", SD_MAX_FUSE, argv[i]);
            c.fuse = (int)v;
        } else if (!strcmp(a, "--tiles")) {
            if (!sd_cli_parse_tiles(argv[++i], c.parts)) USAGE_ERR("--tiles expects X, XxY or XxYxZ, got '%s'\n", argv[i]);
        } else if (!strcmp(a, "--sched")) {
            c.sched = argv[++i];
            if (!sd_sched_known(c.sched)) {
                char why[2048];
                sd_sched_refusal(c.sched, "--sched", why, sizeof why);
                fprintf(stderr, "stardag predict: %s\n", why);
                goto out;
            }
        } else if (!strcmp(a, "--arch")) {
            const char *v = argv[++i];
            if (!strcmp(v, "any")) c.arch = SD_ARCH_ANY;
            else if (!strcmp(v, "cpu")) c.arch = SD_ARCH_CPU;
            else if (!strcmp(v, "cuda")) c.arch = SD_ARCH_CUDA;
            else USAGE_ERR("--arch expects any, cpu or cuda, got '%s'\n", v);
        }
        else if (!strcmp(a, "--machine")) machine = argv[++i];
        else if (!strcmp(a, "--set")) set[nset++] = argv[++i];
        else USAGE_ERR("unknown option '%s'\n", a);
    }
    char err[2048];
    if (describe) {
        if (file || machine || measure) USAGE_ERR("--describe-machine takes no graph, --machine or --measure\n");
        status = sd_describe_machine(&c, stdout, err, sizeof err) < 0 ? SD_EXIT_RUNTIME : SD_EXIT_OK;
        if (status) fprintf(stderr, "stardag predict: %s\n", err);
        goto out;
    }
    if (!file) USAGE_ERR("a graph file is needed\n");
    if (machine) {
        if (measure) USAGE_ERR("--measure runs on this machine; it cannot go with --machine\n");
        if (c.ncpu >= 0 || c.ncuda >= 0) USAGE_ERR("--machine gives the workers; --ncpu and --ncuda cannot go with it\n");
        if (sd_machine_desc_read(machine, &md, err, sizeof err) < 0) {
            fprintf(stderr, "stardag predict: %s\n", err);
            goto out;
        }
        c.machine = &md;
    }
    if (!(g = sd_graph_load_ex(file, set, nset, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    const int fuse = sd_graph_fuse_for(g, c.fuse);
    if (c.fuse > 1 && sd_graph_fuse_refused(g, err, sizeof err)) {
        fprintf(stderr, "stardag predict: %s: --fuse %d: %s\n", file, c.fuse, err);
        goto out;
    }
    if (fuse > 1 && c.arch == SD_ARCH_CUDA) {
        fprintf(stderr, "stardag predict: %s: fused steps run on CPU workers, and --arch cuda allows none: use --fuse 1\n",
                file);
        goto out;
    }
    status = SD_EXIT_RUNTIME;
    sd_pred p;
    if (sd_predict(g, &c, &p, err, sizeof err) < 0) {
        fprintf(stderr, "stardag predict: %s: %s\n", file, err);
        goto out;
    }
    sd_run_result r;
    if (measure) {
        sd_measure_conf mc = {.steps = c.steps, .sched = p.sched, .max_inflight = (int)p.max_inflight, .arch = c.arch,
                              .ncpu = c.ncpu, .ncuda = c.ncuda, .cmdline = "stardag predict --measure", .fuse = c.fuse};
        memcpy(mc.parts, c.parts, sizeof mc.parts);
        int st = sd_measure_run(g, &mc, &r);
        if (st != SD_EXIT_OK) {
            fprintf(stderr, "stardag predict: %s: the measured run failed (exit %d)\n", file, st);
            status = st;
            goto out;
        }
    }
    print_prediction(g, &p, measure ? &r : NULL);
    status = SD_EXIT_OK;
out:
    sd_graph_free(g);
    free(set);
    return status;
}
