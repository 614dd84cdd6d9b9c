/* calibrate.c - `stardag calibrate FILE`: runs a graph with StarPU's calibration forced
 * (STARPU_CALIBRATE=1) under a model-based scheduler, without output, until every history entry
 * (data-size footprint x architecture) that the runs touched has enough samples, then prints the
 * performance models with the files StarPU keeps them in. Later runs with a model-based
 * scheduler (and the same tiles) use these models. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <starpu.h>
#include "cli_util.h"
#include "commands.h"
#include "engine.h" /* sd_work_size_value */
#include "graph.h"
#include "models.h"
#include "predict.h"
#include "sched.h"

static const char calibrate_usage[] =
    "usage: stardag calibrate FILE [--steps N] [--tiles X[xY[xZ]]] [--ncpu N] [--sched NAME] [--set NAME=VALUE]...\n"
    "                              [--fuse K] [--min-samples N] [--max-rounds N] [--quiet]\n"
    "  runs FILE (no output) with StarPU's calibration forced until every performance-model entry the\n"
    "  runs use has at least N samples (default 10), then prints the models and their files.\n"
    "  --sched must be model-based (dm*, heft; default dmda); --steps defaults to the graph's, at most 20.\n"
    "  --fuse K             as run --fuse: the models of fused tasks (stardag.grid.fused) for predict --fuse\n"
    "  --load PACK.so       load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n"
    "Exit: 0 calibrated (entries still short of N samples after the rounds are listed on stderr: the\n"
    "models are usable, and --max-rounds or --steps gives more), 1 runtime error, 2 bad graph or usage.\n";

/* The runtime's own codelets (runtime/engine.c); they have models under model-based schedulers. */
static const char *const support_symbols[] = {"stardag.halo_pack", "stardag.halo_unpack", "stardag.combine",
                                              "stardag.snapshot", "stardag.grid.fused"};
enum { NSUPPORT = sizeof support_symbols / sizeof *support_symbols };

/* Starts StarPU (one CPU worker, nothing else) to read the models of syms from disk into t, and
 * their file paths into paths. A symbol without a file has no entries. */
static int read_models(const char *const *syms, int nsyms, sd_models *t, char (*paths)[1024])
{
    t->n = 0;
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    conf.ncpus = 1;
    conf.ncuda = 0;
    conf.nopencl = 0;
    conf.sched_policy_name = "eager";
    int ret = sd_starpu_init_uncalibrated(&conf);
    if (ret != 0) {
        fprintf(stderr, "stardag calibrate: StarPU failed to start (error %d) to read the models\n", ret);
        return -1;
    }
    int rc = sd_models_read(syms, nsyms, NULL, t, paths, "stardag calibrate");
    starpu_shutdown();
    return rc;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const sd_model_entry *a = pa, *b = pb;
    if (a->sym != b->sym) return a->sym < b->sym ? -1 : 1;
    int c = strcmp(a->arch, b->arch);
    if (c) return c;
    if (a->size != b->size) return a->size < b->size ? -1 : 1;
    return a->footprint < b->footprint ? -1 : a->footprint > b->footprint;
}

/* Whether entry e of the latest models counts: a used entry, or any entry of a graph codelet
 * whose model no round has changed (StarPU drops measurements more than STARPU_HISTORY_MAX_ERROR
 * (400% in calibrating runs) off the mean, so a short task may go a round without a recorded sample): then every
 * entry it has is taken to be the graph's. */
static int counts(const sd_model_entry *e, const sd_models *cur, const sd_models *used, int ngraph)
{
    if (sd_models_find(used, e->sym, e->arch, e->footprint)) return 1;
    return e->sym < ngraph && !sd_models_has_sym(used, e->sym) && sd_models_has_sym(cur, e->sym);
}

static void count_short(const sd_models *cur, const sd_models *used, const unsigned char *runs, int ngraph, unsigned min,
                        int *nshort, int *nmissing, int *ncounted)
{
    *nshort = *nmissing = *ncounted = 0;
    for (int i = 0; i < cur->n; i++)
        if (counts(&cur->v[i], cur, used, ngraph)) {
            (*ncounted)++;
            if (cur->v[i].n < min) (*nshort)++;
        }
    for (int s = 0; s < ngraph; s++) /* a codelet that ran must have entries */
        if (runs[s] && !sd_models_has_sym(cur, s)) (*nmissing)++;
}

#define USAGE_ERR(...) do { fprintf(stderr, "stardag calibrate: " __VA_ARGS__); fputs(calibrate_usage, stderr); goto out; } while (0)

int sd_cmd_calibrate(int argc, char **argv)
{
    sd_run_opts o;
    sd_run_opts_init(&o);
    const char *file = NULL, *sched = "dmda";
    const char **set = calloc(argc + 1, sizeof *set);
    int nset = 0, status = SD_EXIT_BADGRAPH, quiet = 0;
    long long min_samples = 10, max_rounds = 50, steps = 0;
    sd_graph *g = NULL;
    const char **syms = NULL;
    int nowned = 0; /* syms[0 .. nowned-1] are this function's copies (the graph's symbols) */
    char (*paths)[1024] = NULL;
    unsigned char *runs = NULL; /* per symbol: 1 when a task of it runs in every round */
    sd_models prev = {0}, cur = {0}, used = {0};
    if (!set) return SD_EXIT_RUNTIME;
    static const char *const valued[] = {"--steps", "--ncpu", "--min-samples", "--max-rounds", "--tiles", "--fuse", "--sched", "--set", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(calibrate_usage, stdout);
            status = SD_EXIT_OK;
            goto out;
        }
        if (a[0] != '-' && !file) file = a;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) quiet = 1;
        else if (a[0] != '-') USAGE_ERR("unexpected argument '%s' (%s)\n", a, "one graph file");
        else if (!sd_cli_is_one_of(a, valued)) USAGE_ERR("unknown option '%s'\n", a);
        else if (i + 1 >= argc) USAGE_ERR("option %s needs a value\n", a);
        else if (!strcmp(a, "--steps")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) USAGE_ERR("--steps expects a positive integer, got '%s'\n", argv[i]);
            steps = v;
        } else if (!strcmp(a, "--ncpu")) {
            if (!sd_cli_parse_int(argv[++i], 0, &v)) USAGE_ERR("--ncpu expects an integer >= 0, got '%s'\n", argv[i]);
            o.ncpu = (int)v;
        } else if (!strcmp(a, "--min-samples")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) USAGE_ERR("--min-samples expects a positive integer, got '%s'\n", argv[i]);
            min_samples = v;
        } else if (!strcmp(a, "--max-rounds")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) USAGE_ERR("--max-rounds expects a positive integer, got '%s'\n", argv[i]);
            max_rounds = v;
        } else if (!strcmp(a, "--tiles")) {
            if (!sd_cli_parse_tiles(argv[++i], o.tile)) USAGE_ERR("--tiles expects X, XxY or XxYxZ cells, got '%s'\n", argv[i]);
        } else if (!strcmp(a, "--fuse")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v) || v > SD_MAX_FUSE)
                USAGE_ERR("--fuse expects an integer from 1 to %d, got '%s'\n", SD_MAX_FUSE, argv[i]);
            o.fuse = (int)v;
        } else if (!strcmp(a, "--sched")) sched = argv[++i];
        else if (!strcmp(a, "--set")) set[nset++] = argv[++i];
        else USAGE_ERR("unknown option '%s'\n", a);
    }
    if (!file) USAGE_ERR("a graph file is needed\n");
    if (!sd_sched_model_based(sched))
        USAGE_ERR("scheduler '%s' uses no performance models; calibration needs a model-based one "
                  "(dmda, dmdas, dmdar, dm, heft, ...)\n", sched);
    char err[2048];
    if (!(g = sd_graph_load_ex(file, set, nset, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    status = SD_EXIT_RUNTIME;
    const int64_t recorded = steps ? steps : (g->run.steps < 20 ? g->run.steps : 20);
    o.warmup = recorded > 1 ? SD_WARMUP_STEPS : 0; /* untimed steps first: the models see steady ones */
    o.steps = recorded + o.warmup;
    o.sched = sched;
    o.out = "";
    o.quiet = 1;
    o.calibrate = 1;
    sd_run_result res;
    o.result = &res; /* a measured tool run: the round's length is ours, so no warning of unevaluated checks */
    o.no_tuning = 1; /* the graph's own automatic parts, and every device (a stored tuning may say CPUs only) */
    o.cmdline = "stardag calibrate";

    /* the symbols: the graph's codelets in op order, then the runtime's support codelets */
    int nops = g->ninit + g->nstep, nsyms = 0, ngraph;
    syms = calloc(nops + NSUPPORT, sizeof *syms);
    paths = calloc(nops + NSUPPORT, sizeof *paths);
    runs = calloc(nops + NSUPPORT, 1);
    if (!syms || !paths || !runs) goto oom;
    for (int i = 0; i < nops; i++) {
        int init = i < g->ninit;
        const sd_gop *op = init ? &g->init[i] : &g->step[i - g->ninit];
        char sym[SD_MODEL_SYMBOL_MAX];
        if (!sd_graph_model_symbol(g, op->cl, sym, sizeof sym)) continue;
        int k = 0;
        while (k < nsyms && strcmp(syms[k], sym)) k++;
        if (k == nsyms) {
            if (!(syms[nsyms] = strdup(sym))) goto oom;
            nowned = ++nsyms;
        }
        /* an op runs in every round when it is an init op, or due at a step after the warm-up
         * (the models see those only), and not inside fused tasks (--fuse: a fusable step op
         * may never run as a task of its own) */
        const int64_t every = op->every > 1 ? op->every : 1, last_due = o.steps / every * every;
        if (init || (last_due > o.warmup && !(o.fuse > 1 && op->cl->fusable))) runs[k] = 1;
    }
    ngraph = nsyms;
    for (int i = 0; i < NSUPPORT; i++) syms[nsyms++] = support_symbols[i];
    if (read_models(syms, nsyms, &prev, paths) < 0) goto out;

    /* An entry is "used" once a round has changed it (samples added, or StarPU restarted it after
     * too many outliers); entries no round changes belong to other graphs, tilings or machines. */
    int round, nshort = 0, nmissing = 0, ncounted = 0;
    for (round = 1; round <= max_rounds; round++) {
        /* sd_run sets STARPU_CALIBRATE=1 for opts.calibrate; set here as well, restored after */
        char *cal = getenv("STARPU_CALIBRATE") ? strdup(getenv("STARPU_CALIBRATE")) : NULL;
        setenv("STARPU_CALIBRATE", "1", 1);
        int st = sd_run(g, &o);
        if (cal) setenv("STARPU_CALIBRATE", cal, 1);
        else unsetenv("STARPU_CALIBRATE");
        free(cal);
        if (st != SD_EXIT_OK) {
            fprintf(stderr, "stardag calibrate: %s: run %d failed (exit %d)\n", file, round, st);
            status = st;
            goto out;
        }
        if (read_models(syms, nsyms, &cur, paths) < 0) goto out;
        for (int i = 0; i < cur.n; i++) {
            const sd_model_entry *e = &cur.v[i], *p = sd_models_find(&prev, e->sym, e->arch, e->footprint);
            if ((!p || p->n != e->n || p->sum != e->sum) && !sd_models_find(&used, e->sym, e->arch, e->footprint) &&
                sd_models_add(&used, e) < 0)
                goto oom;
        }
        count_short(&cur, &used, runs, ngraph, (unsigned)min_samples, &nshort, &nmissing, &ncounted);
        if (!quiet)
            fprintf(stderr, "stardag calibrate: round %d (%lld steps): %d of %d entries below %lld samples%s\n", round,
                    (long long)recorded, nshort, ncounted, min_samples, nmissing ? ", some codelets without samples yet" : "");
        sd_models t = prev;
        prev = cur;
        cur = t;
        if (!nshort && !nmissing) break;
    }
    if (round > max_rounds) round = max_rounds;

    /* report (prev holds the latest models) */
    qsort(prev.v, prev.n, sizeof *prev.v, cmp_entry);
    printf("stardag calibrate: %s: %d round%s of %lld steps, sched %s: %s\n", g->name, round, round == 1 ? "" : "s",
           (long long)recorded, sched,
           nshort || nmissing ? "some entries are short of samples (see below)" : "every entry has enough samples");
    for (int s = 0; s < nsyms; s++) {
        int any = 0;
        for (int i = 0; i < prev.n && !any; i++) any = prev.v[i].sym == s && counts(&prev.v[i], &prev, &used, ngraph);
        if (!any && s >= ngraph) continue; /* a support codelet this graph does not use */
        printf("model %s\n", syms[s]);
        if (!any) {
            if (runs[s]) printf("  no samples recorded in %d rounds\n", round);
            else printf("  no task of it runs in a round's %lld steps (%lld warm-up and %lld recorded: its op has every > steps)\n",
                        (long long)o.steps, (long long)o.warmup, (long long)recorded);
            continue;
        }
        printf("  file %s\n", paths[s]);
        const char *arch = "";
        for (int i = 0; i < prev.n; i++) {
            const sd_model_entry *e = &prev.v[i];
            if (e->sym != s || !counts(e, &prev, &used, ngraph)) continue;
            if (strcmp(arch, e->arch)) {
                arch = e->arch;
                printf("  arch %s\n", arch);
                printf("    %14s  %-10s  %12s  %12s  %8s\n", "size", "footprint", "mean (us)", "stddev (us)",
                       "samples");
            }
            printf("    %14zu  %08x    %12.3f  %12.3f  %8u%s\n", sd_work_size_value(e->size), e->footprint, e->mean, e->stddev, e->n,
                   e->n < (unsigned)min_samples ? "  short" : "");
        }
    }
    if (nshort || nmissing) {
        fprintf(stderr, "stardag calibrate: %s: after %d rounds, short of %lld samples:", file, round, min_samples);
        int k = 0;
        for (int i = 0; i < prev.n; i++)
            if (counts(&prev.v[i], &prev, &used, ngraph) && prev.v[i].n < (unsigned)min_samples && k++ < 8)
                fprintf(stderr, "%s %s on %s, size %zu (%u samples)", k > 1 ? "," : "", syms[prev.v[i].sym],
                        prev.v[i].arch, sd_work_size_value(prev.v[i].size), prev.v[i].n);
        for (int s = 0; s < ngraph; s++)
            if (runs[s] && !sd_models_has_sym(&prev, s) && k++ < 8) fprintf(stderr, "%s %s (no samples)", k > 1 ? "," : "", syms[s]);
        fprintf(stderr, "%s (raise --max-rounds or --steps)\n", k > 8 ? ", ..." : "");
    }
    status = SD_EXIT_OK;
    goto out;
oom:
    fprintf(stderr, "stardag calibrate: out of memory\n");
    status = SD_EXIT_RUNTIME;
out:
    free(prev.v);
    free(cur.v);
    free(used.v);
    free(runs);
    for (int i = 0; i < nowned; i++) free((char *)syms[i]);
    free(syms);
    free(paths);
    sd_graph_free(g);
    free(set);
    return status;
}
