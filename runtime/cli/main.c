/* main.c - the stardag command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "cli_util.h"
#include "commands.h"
#include "dot.h"
#include "dm.h"
#include "graph.h"

static const char usage[] =
    "usage: stardag run FILE [--steps N] [--sched NAME] [--ncpu N] [--ncuda N] [--arch any|cpu|cuda]\n"
    "                        [--tiles X[xY[xZ]]] [--out FILE] [--trace FILE.json] [--set NAME=VALUE]...\n"
    "                        [--max-inflight K] [--quiet] [--overwrite] [--log FILE] [--trajectory FILE]\n"
    "       stardag check FILE [--set NAME=VALUE]...   load and validate only\n"
    "       stardag dot FILE [--tiles ...] [--ncpu N]  one step's task DAG as Graphviz DOT\n"
    "       stardag codelets                           list codelets with their buffers and parameters\n"
    "       stardag verify [CODELET...]                CPU vs CUDA on the same inputs, per codelet\n"
    "       stardag compare A.h5 B.h5 [--rtol R] [--atol A] [--any]   compare two run outputs (--any: any HDF5 files)\n"
    "       stardag calibrate FILE [run options]       calibrate performance models and print them\n"
    "       stardag report RUN.h5 [--trace T.json] [--out DIR]   charts of a run (SVG)\n"
    "       stardag --version\n"
    "StarPU's environment variables (STARPU_SCHED, STARPU_NCPU, ...) apply; flags win.\n";

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "stardag: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return SD_EXIT_BADGRAPH;
}

static int version(void)
{
    int maj, min, rev;
    starpu_get_version(&maj, &min, &rev);
    printf("stardag %s (StarPU %d.%d.%d; CUDA %s; FxT %s; MPI %s)\n", PACKAGE_VERSION, maj, min, rev,
#ifdef STARPU_USE_CUDA
           "yes",
#else
           "no",
#endif
#ifdef STARPU_USE_FXT
           "yes",
#else
           "no",
#endif
#ifdef STARPU_USE_MPI
           "yes"
#else
           "no"
#endif
    );
    return 0;
}

static const char *access_name(sd_access m) { return m == SD_READ ? "read" : m == SD_WRITE ? "write" : "readwrite"; }

static int list_codelets(void)
{
    for (int i = 0; i < sd_codelet_count(); i++) {
        const sd_codelet *c = sd_codelet_at(i);
        char impl[64];
        if (!c->cuda) snprintf(impl, sizeof impl, "cpu");
        else if (c->cuda_tol == 0) snprintf(impl, sizeof impl, "cpu, cuda bitwise");
        else snprintf(impl, sizeof impl, "cpu, cuda within %.3g", c->cuda_tol);
        printf("%s  [%s%s; %s]  %s\n", c->name, c->domain == SD_ON_PARTICLES ? "particles, " : "", sd_pattern_name(c->pattern), impl,
               c->doc ? c->doc : "");
        for (int r = 0; r < c->nroles; r++) {
            const sd_role *ro = &c->roles[r];
            printf("    %-10s %-9s %s", ro->name, access_name(ro->mode), ro->kind == SD_ROLE_SCALAR ? "scalar" : "field");
            if (ro->halo) printf(", halo %d%s", ro->halo, ro->box ? ", box" : "");
            if (ro->optional) printf(", optional");
            if (ro->ncomp) printf(", %d components", ro->ncomp);
            printf("%s%s\n", ro->doc ? "  " : "", ro->doc ? ro->doc : "");
        }
        for (int p = 0; p < c->nparams; p++) {
            const sd_param *pa = &c->params[p];
            printf("    param %-10s ", pa->name);
            if (pa->required) printf("required");
            else printf("default %g", pa->def);
            printf(", in [%g, %g]%s%s\n", pa->min, pa->max, pa->doc ? "  " : "", pa->doc ? pa->doc : "");
        }
    }
    return 0;
}

#define BAD_USAGE(...) do { status = bad_usage(__VA_ARGS__); goto out; } while (0)

int main(int argc, char **argv)
{
    if (argc < 2) return bad_usage("%s", "a command is needed");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) return version();
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    sd_register_builtin_codelets();
    if (!strcmp(cmd, "codelets")) return list_codelets();
    if (!strcmp(cmd, "verify")) return sd_cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return sd_cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "calibrate")) return sd_cmd_calibrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return sd_cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "run") && strcmp(cmd, "check") && strcmp(cmd, "dot"))
        return bad_usage("unknown command '%s' (expected run, check, dot, codelets, verify, compare, calibrate, report or --version)", cmd);

    sd_run_opts o;
    sd_run_opts_init(&o);
    const char *file = NULL;
    int status = 0;
    const char **set = calloc(argc, sizeof *set);
    int nset = 0;
    size_t cl = 1;
    for (int i = 0; i < argc; i++) cl += strlen(argv[i]) + 1;
    char *cmdline = calloc(cl, 1);
    for (int i = 0; i < argc; i++) {
        strcat(cmdline, argv[i]);
        if (i + 1 < argc) strcat(cmdline, " ");
    }
    o.cmdline = cmdline;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        int has_value = i + 1 < argc;
        if (a[0] != '-' && !file) file = a;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o.quiet = 1;
        else if (!strcmp(a, "--overwrite")) o.overwrite = 1;
        else if (!has_value) BAD_USAGE("option %s needs a value", a);
        else if (!strcmp(a, "--steps")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) BAD_USAGE("--steps expects a positive integer, got '%s'", argv[i]);
            o.steps = v;
        } else if (!strcmp(a, "--ncpu")) {
            if (!sd_cli_parse_int(argv[++i], 0, &v)) BAD_USAGE("--ncpu expects an integer >= 0, got '%s'", argv[i]);
            o.ncpu = (int)v;
        } else if (!strcmp(a, "--max-inflight")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) BAD_USAGE("--max-inflight expects an integer >= 1, got '%s'", argv[i]);
            o.max_inflight = (int)v;
        } else if (!strcmp(a, "--tiles")) {
            if (!sd_cli_parse_tiles(argv[++i], o.tile)) BAD_USAGE("--tiles expects X, XxY or XxYxZ cells, got '%s'", argv[i]);
        } else if (!strcmp(a, "--ncuda")) {
            if (!sd_cli_parse_int(argv[++i], 0, &v)) BAD_USAGE("--ncuda expects an integer >= 0, got '%s'", argv[i]);
            o.ncuda = (int)v;
        } else if (!strcmp(a, "--arch")) {
            const char *x = argv[++i];
            if (!strcmp(x, "any")) o.arch = SD_ARCH_ANY;
            else if (!strcmp(x, "cpu")) o.arch = SD_ARCH_CPU;
            else if (!strcmp(x, "cuda")) o.arch = SD_ARCH_CUDA;
            else BAD_USAGE("--arch expects any, cpu or cuda, got '%s'", x);
        } else if (!strcmp(a, "--trace")) o.trace = argv[++i];
        else if (!strcmp(a, "--sched")) o.sched = argv[++i];
        else if (!strcmp(a, "--out")) o.out = argv[++i];
        else if (!strcmp(a, "--log")) o.log = argv[++i];
        else if (!strcmp(a, "--trajectory")) o.trajectory = argv[++i];
        else if (!strcmp(a, "--set")) set[nset++] = argv[++i];
        else BAD_USAGE("unknown option '%s'", a);
    }
    if (!file) BAD_USAGE("%s", "a graph file is needed");
    char err[2048];
    sd_graph *g = sd_graph_load_ex(file, set, nset, err, sizeof err);
    if (!g) {
        fprintf(stderr, "%s\n", err);
        status = SD_EXIT_BADGRAPH;
    } else if (!strcmp(cmd, "check")) {
        char dom[96];
        if (g->domain.kind == SD_DOMAIN_PARTICLES)
            snprintf(dom, sizeof dom, "%lld particles", (long long)g->domain.particles.count);
        else snprintf(dom, sizeof dom, "%dD grid", g->domain.ndim);
        printf("%s: ok (%s, %d fields, %d scalars, %d init ops, %d step ops, %lld steps)\n", file, dom, g->nfields,
               g->nscalars, g->ninit, g->nstep, (long long)g->run.steps);
        status = 0;
    } else if (!strcmp(cmd, "dot") && g->domain.kind == SD_DOMAIN_PARTICLES) {
        fprintf(stderr, "stardag: %s: dot draws grid graphs; a particle step's tasks are per block: one rebuild "
                "task over all blocks on rebuild steps, then per block ghosts/lists and each op (see stardag run "
                "--trace)\n", file);
        status = SD_EXIT_BADGRAPH;
    } else if (!strcmp(cmd, "dot")) status = sd_dot(g, &o, stdout);
    else status = sd_run(g, &o);
    sd_graph_free(g);
out:
    free(set);
    free(cmdline);
    return status;
}
