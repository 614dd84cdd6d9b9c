/* tune.c - `stardag tune FILE` (docs/tuning.md): enumerate configurations (the domain's parts,
 * scheduler, max_inflight), calibrate the models at a few part sizes, predict every candidate
 * (predict.h), measure the default and the best predicted ones in short runs within a time budget,
 * and store the fastest measured (driver/tuning.h) for runs whose parts are automatic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli_util.h"
#include "commands.h"
#include "graph.h"
#include "predict.h"
#include "stardag/stardag.h"
#include "tuning.h"
#include "ckpt_run.h"
#include "sched.h"

static const char tune_usage[] =
    "usage: stardag tune FILE [--retune] [--steps N] [--budget SECONDS] [--top K] [--ncpu N] [--ncuda N]\n"
    "                         [--set NAME=VALUE]... [--load PACK.so]...\n"
    "                         [--measure-steps N] [--repeat R] [--exhaustive] [--csv FILE]\n"
    "  chooses the parts (tiles, blocks, partitions, system ranges), scheduler and max_inflight of FILE on\n"
    "  this machine (for a grid whose ops fuse, also the steps fused per task: 1, 2, 4 or 8): candidates are ranked by their predicted step time (stardag predict); the default, the\n"
    "  best predicted of each of the K best predicted part layouts (default 4) and then the other\n"
    "  schedulers of the fastest of them are measured in short runs; the fastest measured is stored;\n"
    "  later runs of graphs of the same structure with automatic parts use it (their summary says so).\n"
    "  --steps N       the run tuned for has N steps (default: the graph's run.steps)\n"
    "  --budget S      seconds tuning may spend (default: 10% of that run's time at the default's step time)\n"
    "  --retune        tune again even when a tuning is stored\n"
    "  --measure-steps N  steps of each measured run (default 20, at most run.steps)\n"
    "  --repeat R      each measurement the median of R runs (default 3)\n"
    "  --exhaustive    also measure every candidate (no budget) and say how far the choice is from the best\n"
    "  --csv FILE      every candidate's predicted and measured ms/step (stardag report --tune FILE charts it)\n";

#define MAXC 1536
typedef struct cand {
    int64_t parts[3];
    int fuse;           /* steps a grid tile advances per task (--fuse); 0: the graph's */
    char sched[32];
    int inflight;
    sd_arch arch;       /* where tasks may run (with GPUs: hybrid, GPUs only, CPUs only) */
    char desc[192];
    double pred_ms, meas_ms;  /* NAN: not measured */
    int is_default, measured_in_tune;
} cand;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The part layouts tried: counts around the workers' number, and for 2D/3D grids slabs and
 * pencils. {0}: the runtime's automatic choice (the default configuration). */
static int part_layouts(const sd_graph *g, int nworkers, int64_t (*out)[3], int max)
{
    int n = 0;
    out[n][0] = out[n][1] = out[n][2] = 0;
    n++;
    const int most = nworkers * 16 > 16 ? nworkers * 16 : 16;
    const sd_domain *d = &g->domain;
    if (d->kind == SD_DOMAIN_GRID && d->ndim >= 2) {
        const int a = d->ndim - 1, b = d->ndim - 2; /* split the slowest axis, then the next */
        for (int64_t na = 1; na <= most && na <= d->shape[a]; na *= 2)
            for (int64_t nb = 1; nb <= 4 && na * nb <= most && nb <= d->shape[b]; nb *= 2) {
                if (n == max) return n;
                for (int k = 0; k < 3; k++) out[n][k] = k < d->ndim ? d->shape[k] : 1;
                out[n][a] = (d->shape[a] + na - 1) / na;
                out[n][b] = (d->shape[b] + nb - 1) / nb;
                n++;
            }
        return n;
    }
    int64_t limit = d->kind == SD_DOMAIN_GRID ? d->shape[0] : d->kind == SD_DOMAIN_BATCH ? d->batch.count : most;
    /* particles: every count (slabs of whole cell layers: a count that divides the layers balances
     * the blocks, and only the domain knows the layers); others: multiples of the workers */
    static const int mult[] = {1, 2, 3, 4, 6, 8, 12, 16};
    const int every = d->kind == SD_DOMAIN_PARTICLES, nk = every ? 15 * nworkers + 1 : (int)(sizeof mult / sizeof *mult);
    for (int i = 0; i < nk && n < max; i++) {
        int64_t k = every ? nworkers + i : (int64_t)mult[i] * nworkers;
        if (k > limit || k > most) break;
        if (d->kind == SD_DOMAIN_GRID) { /* a 1D grid: cells per tile */
            out[n][0] = (d->shape[0] + k - 1) / k;
            out[n][1] = out[n][2] = 1;
        } else {
            out[n][0] = k;
            out[n][1] = out[n][2] = 0;
        }
        n++;
    }
    return n;
}

/* What the runs and predictions of one tune share. */
typedef struct mrun {
    const sd_graph *g;
    int64_t steps;        /* of each measured (and calibration) run, and of each prediction */
    int ncpu, ncuda;
    int repeat;           /* a measurement is the median of this many runs (noise on a shared machine) */
    double t_start, budget;
} mrun;

/* A short run of candidate c: its mean ms/step, or NAN when it failed. calibrate: a model-based
 * scheduler with calibration forced, to give the models samples at c's sizes. */
static double measure_once(const mrun *m, const cand *c, int calibrate)
{
    sd_measure_conf mc = {.steps = m->steps, .sched = calibrate ? "dmda" : c->sched, .max_inflight = c->inflight,
                          .arch = c->arch, .ncpu = m->ncpu, .ncuda = m->ncuda, .cmdline = "stardag tune", .fuse = c->fuse};
    memcpy(mc.parts, c->parts, sizeof mc.parts);
    /* A model-based scheduler meeting a size its models lack turns calibration on in the middle of
     * the run ("forcing calibration for this run"), and StarPU 1.3 reads that flag unlocked when a
     * task starts and when it ends: a task that straddles the change fails StarPU's assertion
     * "measured >= 0" (seen in 1 of ~10 tunes of vdp-ensemble). Calibrating from the start leaves
     * the flag alone; tune's candidates are at sizes never run before, so they calibrate anyway. */
    mc.calibrate = calibrate || sd_sched_model_based(mc.sched);
    sd_run_result r;
    if (sd_measure_run(m->g, &mc, &r) != SD_EXIT_OK || r.steps_done < 1) return NAN;
    return 1e3 * r.loop_seconds / (double)r.steps_done;
}

/* Does the domain take these parts (a prediction gets as far as describing them)? */
static int parts_taken(const mrun *m, const int64_t parts[3])
{
    sd_pred p;
    char err[1024];
    sd_pconf pc = {.ncpu = m->ncpu, .ncuda = m->ncuda, .steps = 2};
    memcpy(pc.parts, parts, sizeof pc.parts);
    memset(&p, 0, sizeof p);
    return sd_predict(m->g, &pc, &p, err, sizeof err) == 0 || p.parts[0];
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int repeats(const mrun *m) { return m->repeat < 1 ? 1 : m->repeat > 16 ? 16 : m->repeat; }

/* Candidates idx[0..k-1], in order, measured in rounds: every one taken once (1, 2, ..., k), then
 * again, --repeat rounds, each one's time the median of its rounds (NAN when a run failed). On a
 * shared machine the speed drifts over seconds (one configuration: 1.27 or 1.83 ms per task in
 * runs a few seconds apart, steady within each): back-to-back repetitions share their period's
 * speed, rounds spread each candidate over the whole measurement, so candidates are compared
 * under the same conditions. Within `budget` seconds of m->t_start: the first round takes each
 * candidate when its estimate (1.5 x the predicted loop plus 0.2 s a run, for every round) and the
 * later rounds of those taken before it fit in what is left (forced: the first regardless), and
 * stops at the first that does not; a later round runs while the first round's measured time
 * fits (the medians are then of the rounds done). Returns how many it took (a prefix of idx), -1
 * out of memory. */
static int measure_rounds(const mrun *m, cand *c, const int *idx, int k, int forced, double budget)
{
    const int r = repeats(m);
    double *v = malloc(sizeof *v * (size_t)(k ? k : 1) * (size_t)r);
    if (!v) return -1;
    double later = 0; /* the estimated later rounds of those taken */
    const double t1 = now_s();
    int nt = 0;
    for (; nt < k; nt++) {
        const cand *x = &c[idx[nt]];
        const double e = 1.5 * (double)(m->steps + SD_WARMUP_STEPS) * x->pred_ms / 1e3 + 0.2;
        if (!(forced && nt == 0) && now_s() - m->t_start + later + r * e > budget) break;
        v[(size_t)nt * r] = measure_once(m, x, 0);
        later += (r - 1) * e;
    }
    const double round = now_s() - t1;
    int done = 1;
    for (; done < r && now_s() - m->t_start + round <= budget; done++)
        for (int i = 0; i < nt; i++) v[(size_t)i * r + done] = measure_once(m, &c[idx[i]], 0);
    for (int i = 0; i < nt; i++) {
        double *x = v + (size_t)i * r;
        int ok = 1;
        for (int j = 0; j < done; j++) ok &= !isnan(x[j]);
        qsort(x, done, sizeof *x, by_value);
        c[idx[i]].meas_ms = !ok ? NAN : done % 2 ? x[done / 2] : 0.5 * (x[done / 2 - 1] + x[done / 2]);
    }
    free(v);
    return nt;
}

/* measure_rounds within the tuning budget, the candidates taken marked as measured by tune.
 * Returns 0 when the budget cut a candidate, 1 otherwise, -1 out of memory. */
static int measure_within(const mrun *m, cand *c, const int *idx, int k, int forced, int *nmeasured)
{
    const int nt = measure_rounds(m, c, idx, k, forced, m->budget);
    if (nt < 0) return -1;
    for (int i = 0; i < nt; i++) c[idx[i]].measured_in_tune = 1;
    *nmeasured += nt;
    return nt == k;
}

static int same_layout(const cand *a, const cand *b)
{
    return a->arch == b->arch && !strcmp(a->desc, b->desc);
}

static int by_prediction(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (isnan(x->pred_ms) != isnan(y->pred_ms)) return isnan(x->pred_ms) ? 1 : -1;
    return x->pred_ms < y->pred_ms ? -1 : x->pred_ms > y->pred_ms;
}

static void print_table(const cand *c, int n)
{
    printf("  %4s  %-52s %-6s %4s %8s %13s %12s %10s\n", "rank", "parts", "sched", "arch", "inflight", "predicted ms",
           "measured ms", "pred/meas");
    for (int i = 0; i < n; i++) {
        char m[32] = "-", r[32] = "-";
        if (!isnan(c[i].meas_ms)) {
            snprintf(m, sizeof m, "%.3f", c[i].meas_ms);
            snprintf(r, sizeof r, "%.3f", c[i].pred_ms / c[i].meas_ms);
        }
        printf("  %4d  %-52.52s %-6s %4s %8d %13.3f %12s %10s%s\n", i + 1, c[i].desc, c[i].sched, sd_arch_name(c[i].arch),
               c[i].inflight, c[i].pred_ms, m, r, c[i].is_default ? "  (default)" : "");
    }
}

/* The parts as `stardag run --tiles` takes them ("128x64x32", "8"), or "auto" for the default. */
static void tiles_arg(const sd_graph *g, const int64_t parts[3], char *buf, size_t len)
{
    if (parts[0] <= 0) snprintf(buf, len, "auto");
    else if (g->domain.kind != SD_DOMAIN_GRID) snprintf(buf, len, "%lld", (long long)parts[0]);
    else if (g->domain.ndim == 1) snprintf(buf, len, "%lld", (long long)parts[0]);
    else if (g->domain.ndim == 2) snprintf(buf, len, "%lldx%lld", (long long)parts[0], (long long)parts[1]);
    else snprintf(buf, len, "%lldx%lldx%lld", (long long)parts[0], (long long)parts[1], (long long)parts[2]);
}

static int write_csv(const char *path, const cand *c, int n, const sd_graph *g, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s", path);
        return -1;
    }
    fprintf(f, "# stardag tune %s: predicted and measured ms/step per candidate\n", g->name);
    fprintf(f, "parts,tiles,sched,max_inflight,arch,predicted_ms,measured_ms,default,measured_by_tune,fuse\n");
    for (int i = 0; i < n; i++) {
        char tiles[64];
        tiles_arg(g, c[i].parts, tiles, sizeof tiles);
        fprintf(f, "\"%s\",%s,%s,%d,%s,%.6g,%.6g,%d,%d,%d\n", c[i].desc, tiles, c[i].sched, c[i].inflight,
                sd_arch_name(c[i].arch), c[i].pred_ms, c[i].meas_ms, c[i].is_default, c[i].measured_in_tune,
                c[i].fuse > 1 ? c[i].fuse : 1);
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "cannot write %s", path);
        return -1;
    }
    return 0;
}

#define USAGE_ERR(...) do { fprintf(stderr, "stardag tune: " __VA_ARGS__); fputs(tune_usage, stderr); goto out; } while (0)

int sd_cmd_tune(int argc, char **argv)
{
    const char *file = NULL, *csv = NULL;
    const char **set = calloc(argc + 1, sizeof *set);
    int nset = 0, status = SD_EXIT_BADGRAPH, retune = 0, exhaustive = 0, top = 4, ncpu = -1, ncuda = -1, repeat = 3;
    double budget = -1;
    long long measure_steps = 20, run_steps = 0;
    sd_graph *g = NULL;
    cand *c = calloc(MAXC, sizeof *c);
    sd_run_opts defaults; /* what a run takes when nothing is given */
    sd_run_opts_init(&defaults);
    if (!set || !c) {
        free(set);
        free(c);
        fprintf(stderr, "stardag tune: out of memory\n");
        return SD_EXIT_RUNTIME;
    }
    static const char *const valued[] = {"--budget", "--csv", "--measure-steps", "--ncpu", "--ncuda", "--repeat", "--set", "--steps", "--top", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(tune_usage, stdout);
            status = SD_EXIT_OK;
            goto out;
        }
        if (a[0] != '-' && !file) file = a;
        else if (!strcmp(a, "--retune")) retune = 1;
        else if (!strcmp(a, "--exhaustive")) exhaustive = 1;
        else if (a[0] != '-') USAGE_ERR("unexpected argument '%s' (%s)\n", a, "one graph file");
        else if (!sd_cli_is_one_of(a, valued)) USAGE_ERR("unknown option '%s'\n", a);
        else if (i + 1 >= argc) USAGE_ERR("option %s needs a value\n", a);
        else if (!strcmp(a, "--budget")) {
            char *end;
            budget = strtod(argv[++i], &end);
            if (*end || !(budget > 0) || !isfinite(budget)) USAGE_ERR("--budget expects seconds > 0, got '%s'\n", argv[i]);
        } else if (!strcmp(a, "--top")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v) || v > MAXC) USAGE_ERR("--top expects 1 to %d, got '%s'\n", MAXC, argv[i]);
            top = (int)v;
        } else if (!strcmp(a, "--steps")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) USAGE_ERR("--steps expects a positive integer, got '%s'\n", argv[i]);
            run_steps = v;
        } else if (!strcmp(a, "--repeat")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v) || v > 15) USAGE_ERR("--repeat expects 1 to 15, got '%s'\n", argv[i]);
            repeat = (int)v;
        } else if (!strcmp(a, "--measure-steps")) {
            if (!sd_cli_parse_int(argv[++i], 2, &v)) USAGE_ERR("--measure-steps expects an integer >= 2, got '%s'\n", argv[i]);
            measure_steps = v;
        } else if (!strcmp(a, "--ncpu") || !strcmp(a, "--ncuda")) {
            if (!sd_cli_parse_int(argv[++i], 0, &v) || v > 4096) USAGE_ERR("%s expects an integer >= 0, got '%s'\n", a, argv[i]);
            if (!strcmp(a, "--ncpu")) ncpu = (int)v;
            else ncuda = (int)v;
        } else if (!strcmp(a, "--csv")) csv = argv[++i];
        else if (!strcmp(a, "--set")) set[nset++] = argv[++i];
        else USAGE_ERR("unknown option '%s'\n", a);
    }
    if (!file) USAGE_ERR("a graph file is needed\n");
    char err[2600];
    if (!(g = sd_graph_load_ex(file, set, nset, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    if (!sd_graph_parts_auto(g)) {
        fprintf(stderr, "stardag tune: %s: the graph fixes its parts (tiles, blocks, partitions or ranges); tune chooses "
                "them only for graphs that leave them automatic (tiles: auto, or no count given)\n", file);
        goto out;
    }
    status = SD_EXIT_RUNTIME;
    const double t_start = now_s();
    char key[512], path[2300];
    sd_machine_key(ncpu, ncuda, key, sizeof key);
    sd_tuning_path(g, key, path, sizeof path);
    sd_tuning stored;
    int st = sd_tuning_load(path, g, key, &stored, err, sizeof err);
    if (st > 0 && !retune) {
        printf("stardag tune: %s: a tuning is stored for this graph structure and machine (tuned %s: parts %lld %lld "
               "%lld, sched %s, max_inflight %d, arch %s, fuse %d, %.3f ms/step): %s\n  (--retune tunes again)\n",
               g->name, stored.tuned_at, (long long)stored.parts[0], (long long)stored.parts[1],
               (long long)stored.parts[2], stored.sched, stored.max_inflight, sd_arch_name(stored.arch), stored.fuse,
               stored.step_ms, path);
        status = SD_EXIT_OK;
        goto out;
    }
    if (st < 0) fprintf(stderr, "stardag tune: warning: %s: tuning afresh\n", err);

    /* candidates: part layouts x schedulers x max_inflight (the graph's, when it sets one) */
    int nworkers = ncpu > 0 ? ncpu : 1;
    {
        sd_pred p0;
        sd_pconf pc = {.ncpu = ncpu, .ncuda = ncuda, .steps = 2};
        /* the worker count a run gets: from a prediction's StarPU (no model needed for that) */
        memset(&p0, 0, sizeof p0);
        sd_predict(g, &pc, &p0, err, sizeof err); /* fails without models, after counting the workers */
        if (p0.nworkers > 0) nworkers = p0.nworkers;
        if (ncuda < 0) ncuda = p0.ncuda;
    }
    int64_t layouts[64][3];
    int nl = part_layouts(g, nworkers, layouts, 64);
    const char *cpu_scheds[] = {"lws", "eager", "dmda"}, *gpu_scheds[] = {"dmdas", "dmda", "lws"};
    const char *const *scheds = ncuda > 0 ? gpu_scheds : cpu_scheds;
    int inflights[3] = {2, 4, 8}, ninfl = 3;
    if (g->run.max_inflight > 0) inflights[0] = g->run.max_inflight, ninfl = 1;
    const int nv = 3 * ninfl;
    sd_pvariant vs[9];
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < ninfl; k++) vs[s * ninfl + k] = (sd_pvariant){scheds[s], inflights[k]};
    /* fused steps, for a grid whose graph leaves run.fuse to the run and has ops that fuse: each
     * layout also advancing 2, 4 and 8 steps per task (docs/lattice.md, "Fused steps") */
    int fuses[4] = {0}, nfuse = 1;
    if (g->domain.kind == SD_DOMAIN_GRID && g->run.fuse == 0 && !sd_graph_fuse_refused(g, err, sizeof err))
        for (int i = 0; i < g->nstep && nfuse == 1; i++)
            if (g->step[i].cl->fusable) fuses[1] = 2, fuses[2] = 4, fuses[3] = 8, nfuse = 4;

    /* The budget. Only the first calibration run (the default configuration) is made regardless:
     * its step time gives the run's length; every later piece of work (a calibration run, a
     * layout's predictions, a measurement) starts only when its estimate fits. */
    const int given = budget > 0;
    if (run_steps <= 0) run_steps = g->run.steps;
    /* calibration runs and predictions as long as the measured runs: a run's first steps are slower
     * (caches cold), and models from shorter runs would weigh them more than the runs they predict */
    mrun mr = {.g = g, .steps = run_steps < measure_steps ? run_steps : measure_steps, .ncpu = ncpu, .ncuda = ncuda,
               .repeat = repeat, .t_start = t_start};
    if (mr.steps < 2) mr.steps = 2;
    double t_cal = now_s();
    cand c0 = {.inflight = 0}; /* the default: automatic parts, the graph's max_inflight */
    double default_ms = measure_once(&mr, &c0, 1);
    if (isnan(default_ms)) {
        fprintf(stderr, "stardag tune: %s: the calibration run of the default configuration failed\n", file);
        goto out;
    }
    const double run_s = (double)run_steps * default_ms / 1e3, one_cal = now_s() - t_cal;
    mr.budget = budget = given ? budget : 0.1 * run_s;
    if (!given && now_s() - t_start + one_cal > budget) {
        printf("stardag tune: %s: its run takes about %.2f s (%lld steps at %.3f ms); tuning it would cost more than 10%% "
               "of that (%.2f s so far): nothing stored. Tune for a longer run (--steps N) or give --budget.\n",
               g->name, run_s, (long long)run_steps, default_ms, now_s() - t_start);
        status = SD_EXIT_OK;
        goto out;
    }
    /* StarPU's history models drop the first measurement of every entry (often bogus), so a kind
     * that runs once per run (a neighbour rebuild's decision every 20 steps) has no sample after
     * one run, and no prediction could be made: a second run of the default gives it one. */
    if (now_s() - t_start + one_cal <= budget) measure_once(&mr, &c0, 1);
    /* models at more sizes: the fewest parts, and the most the domain takes */
    int more[2] = {nl > 1 ? 1 : -1, -1};
    for (int l = nl - 1; l > 1 && more[1] < 0; l--)
        if (parts_taken(&mr, layouts[l])) more[1] = l;
    for (int k = 0; k < 2; k++) {
        if (more[k] < 0 || now_s() - t_start + one_cal > budget) continue;
        cand cc = {.inflight = 0};
        memcpy(cc.parts, layouts[more[k]], sizeof cc.parts);
        measure_once(&mr, &cc, 1);
    }
    /* fused tasks' models: the default and the most parts fusing 4 (predictions carried from one
     * tiling to smaller tiles grew with the tile count: 1.0 for 1 tile, 2.2 for 32 tiles, when
     * only the default was calibrated; docs/benchmarks.md section 13) */
    for (int k = -1; nfuse > 1 && k < 2; k += 2) {
        if ((k > 0 && more[1] < 0) || now_s() - t_start + one_cal > budget) continue;
        cand cc = {.inflight = 0, .fuse = 4};
        if (k > 0) memcpy(cc.parts, layouts[more[1]], sizeof cc.parts);
        measure_once(&mr, &cc, 1);
    }
    t_cal = now_s() - t_cal;

    /* predictions, layout by layout; with GPUs, the devices too: hybrid, GPUs only, CPUs only */
    double t_pred = now_s(), one_pred = 0;
    int n = 0, npredicted = 0, cut = 0;
    const sd_arch archs[3] = {SD_ARCH_ANY, SD_ARCH_CUDA, SD_ARCH_CPU};
    const int narch = ncuda > 0 ? 3 : 1, default_inflight = (int)sd_run_max_inflight(g, &defaults);
    sd_pred pv[9];
    for (int ai = 0; ai < narch; ai++)
        for (int lf = 0; lf < nl * nfuse; lf++) {
            const int l = lf / nfuse, fu = fuses[lf % nfuse];
            if (sd_graph_fuse_for(g, fu) > 1 && archs[ai] == SD_ARCH_CUDA) continue; /* fused tasks run on CPUs */
            if ((ai > 0 || lf > 0) && now_s() - t_start + one_pred > budget) {
                cut = 1;
                break;
            }
            if (n + nv > MAXC) {
                cut = 1;
                break;
            }
            double t1 = now_s();
            sd_pconf pc = {.ncpu = ncpu, .ncuda = ncuda, .steps = mr.steps, .arch = archs[ai], .fuse = fu};
            memcpy(pc.parts, layouts[l], sizeof pc.parts);
            sd_pvariant avs[9];
            for (int v = 0; v < nv; v++)
                avs[v] = (sd_pvariant){archs[ai] == SD_ARCH_CPU ? cpu_scheds[v / ninfl] : vs[v].sched, vs[v].max_inflight};
            int pr = sd_predict_variants(g, &pc, nv, avs, pv, err, sizeof err);
            if (now_s() - t1 > one_pred) one_pred = now_s() - t1;
            if (pr < 0) {
                if (lf == 0 && ai == 0) {
                    fprintf(stderr, "stardag tune: %s: %s\n", file, err);
                    goto out;
                }
                continue; /* a layout the domain refuses (too many parts for its size) */
            }
            int dup = 0; /* layouts the domain maps to the same parts (a halo's minimum extent) */
            for (int i = 0; i < n && !dup; i++) dup = lf > 0 && c[i].arch == archs[ai] && !strcmp(c[i].desc, pv[0].parts);
            if (dup) continue;
            npredicted++;
            for (int v = 0; v < nv; v++) {
                cand *x = &c[n++];
                memcpy(x->parts, layouts[l], sizeof x->parts);
                x->fuse = fu;
                snprintf(x->sched, sizeof x->sched, "%s", pv[v].sched);
                snprintf(x->desc, sizeof x->desc, "%s", pv[v].parts);
                x->inflight = (int)pv[v].max_inflight;
                x->arch = archs[ai];
                x->pred_ms = pv[v].step_us / 1e3;
                x->meas_ms = NAN;
                x->is_default = ai == 0 && lf == 0 && !strcmp(avs[v].sched, scheds[0]) && x->inflight == default_inflight;
            }
        }
    t_pred = now_s() - t_pred;
    qsort(c, n, sizeof *c, by_prediction);
    int idef = 0;
    while (idef < n && !c[idef].is_default) idef++;
    if (idef == n) idef = 0;

    /* Measurements, while the budget lasts: the default; the best predicted candidate of each of
     * the --top best predicted part layouts (predictions of nearby layouts differ by less than
     * their error, so one per layout spreads the measurements where the choice matters); then
     * the other schedulers and max_inflight values of the fastest layout measured. */
    double t_meas = now_s();
    int first[MAXC], nf = 0, nmeasured = 0;
    first[nf++] = idef;
    for (int i = 0; i < n && nf < top + 1; i++) {
        int seen = 0;
        for (int k = 0; k < nf && !seen; k++) seen = same_layout(&c[first[k]], &c[i]);
        if (!seen) first[nf++] = i;
    }
    /* and the best predicted of each fused depth: fused tasks' models are interpolated across
     * depths and tiles from one calibrated depth, so their predictions err more than the
     * others' (docs/tuning.md), and a depth they rank low may still be the fastest */
    for (int f = 1; f < nfuse; f++) {
        int i = 0, seen = 0;
        while (i < n && c[i].fuse != fuses[f]) i++;
        for (int k = 0; k < nf && !seen; k++) seen = first[k] == i;
        if (i < n && !seen) first[nf++] = i;
    }
    int got = measure_within(&mr, c, first, nf, 1, &nmeasured);
    int fast = -1;
    for (int i = 0; i < n; i++)
        if (c[i].measured_in_tune && !isnan(c[i].meas_ms) && (fast < 0 || c[i].meas_ms < c[fast].meas_ms)) fast = i;
    if (got > 0 && fast >= 0) {
        int more[MAXC], nm = 0;
        for (int i = 0; i < n; i++)
            if (!c[i].measured_in_tune && same_layout(&c[i], &c[fast])) more[nm++] = i;
        got = measure_within(&mr, c, more, nm, 0, &nmeasured);
    }
    if (got < 0) {
        fprintf(stderr, "stardag tune: out of memory\n");
        goto out;
    }
    t_meas = now_s() - t_meas;
    int best = fast;
    for (int i = 0; i < n; i++)
        if (c[i].measured_in_tune && !isnan(c[i].meas_ms) && (best < 0 || c[i].meas_ms < c[best].meas_ms)) best = i;
    if (best < 0) {
        fprintf(stderr, "stardag tune: %s: no candidate could be measured\n", file);
        goto out;
    }
    const double spent = now_s() - t_start;

    /* the choice first (a bad --csv path must not lose it), then what it was chosen from */
    sd_tuning t = {.max_inflight = c[best].inflight, .arch = c[best].arch, .step_ms = c[best].meas_ms,
                   .fuse = c[best].fuse > 1 ? c[best].fuse : 1};
    memcpy(t.parts, c[best].parts, sizeof t.parts);
    snprintf(t.sched, sizeof t.sched, "%s", c[best].sched);
    time_t tt = time(NULL);
    strftime(t.tuned_at, sizeof t.tuned_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    if (sd_tuning_store(path, g, key, &t, err, sizeof err) < 0) {
        fprintf(stderr, "stardag tune: %s\n", err);
        goto out;
    }
    printf("stardag tune: %s: %d candidates (%d part layouts%s x %d schedulers x %d max_inflight%s), %d measured "
           "(%lld steps, the median of %d run%s each)\n", g->name, n, npredicted,
           narch > 1 ? " and device sets" : nfuse > 1 ? " and fused steps" : "", 3, ninfl,
           cut ? "; the budget or the candidate limit cut the list" : "", nmeasured, (long long)mr.steps, mr.repeat,
           mr.repeat == 1 ? "" : "s");
    const double best_ms = c[best].meas_ms, def_ms = c[idef].meas_ms; /* tune's own, for its choice */
    if (exhaustive) { /* every candidate again, for the proof that the choice is near the best */
        int all[MAXC];
        for (int i = 0; i < n; i++) all[i] = i;
        if (measure_rounds(&mr, c, all, n, 1, INFINITY) < 0) {
            fprintf(stderr, "stardag tune: out of memory\n");
            goto out;
        }
    }
    print_table(c, n);
    char tiles[64];
    tiles_arg(g, c[best].parts, tiles, sizeof tiles);
    printf("  chosen: %s, sched %s, max_inflight %d, arch %s: %.3f ms/step measured (the default: %.3f ms/step, %.2fx)\n",
           c[best].desc, c[best].sched, c[best].inflight, sd_arch_name(c[best].arch), best_ms, def_ms, def_ms / best_ms);
    char fuse_arg[32] = "";
    if (c[best].fuse > 1) snprintf(fuse_arg, sizeof fuse_arg, " --fuse %d", c[best].fuse);
    printf("  as run options: %s%s%s--sched %s --max-inflight %d --arch %s%s\n", c[best].parts[0] ? "--tiles " : "",
           c[best].parts[0] ? tiles : "", c[best].parts[0] ? " " : "(automatic parts) ", c[best].sched, c[best].inflight,
           sd_arch_name(c[best].arch), fuse_arg);
    if (exhaustive) {
        int ex = best;
        for (int i = 0; i < n; i++)
            if (!isnan(c[i].meas_ms) && c[i].meas_ms < c[ex].meas_ms) ex = i;
        printf("  exhaustive: the fastest measured is %s, sched %s, max_inflight %d, arch %s at %.3f ms/step: the choice "
               "is within %.1f%% of it\n", c[ex].desc, c[ex].sched, c[ex].inflight, sd_arch_name(c[ex].arch), c[ex].meas_ms,
               100 * (c[best].meas_ms / c[ex].meas_ms - 1));
    }
    printf("  tuning took %.2f s (calibration %.2f s, predictions %.2f s, measurements %.2f s) of a budget of %.2f s "
           "(%s)\n", spent, t_cal, t_pred, t_meas, budget,
           given ? "--budget" : "10% of the run: its steps at the default's step time in its calibration run");
    printf("  stored: %s\n", path);
    status = SD_EXIT_OK;
    if (csv && write_csv(csv, c, n, g, err, sizeof err) < 0) {
        fprintf(stderr, "stardag tune: %s (the tuning is stored)\n", err);
        status = SD_EXIT_RUNTIME;
    }
out:
    sd_graph_free(g);
    free(set);
    free(c);
    return status;
}
