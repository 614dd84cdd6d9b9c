/* main.c - the stardag command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "cli_util.h"
#include "ranks.h"
#include "run_files.h"
#include "commands.h"
#include "dot.h"
#include "dm.h"
#include "graph.h"
#include "h5out.h"
#include "starpu_home.h"
#include "simd/isa.h"

static const char usage[] =
    "usage: stardag run FILE [--steps N] [--sched NAME] [--ncpu N] [--ncuda N] [--arch any|cpu|cuda]\n"
    "                        [--tiles X[xY[xZ]]] [--out FILE] [--trace FILE.json] [--set NAME=VALUE]...\n"
    "                        [--max-inflight K] [--fuse K] [--quiet] [--overwrite] [--log FILE] [--trajectory FILE]\n"
    "                        [--checkpoint FILE] [--checkpoint-every N] [--restart CKPT [--force]] [--walltime T]\n"
    "                        [--distribution block|cyclic|W0:W1:...]   (under mpirun: one StarPU per rank)\n"
    "       stardag check FILE [--set NAME=VALUE]...   load and validate only\n"
    "       stardag dot FILE [--step N] [--tiles ...]  one step's task DAG as Graphviz DOT\n"
    "       stardag codelets                           list codelets with their buffers and parameters\n"
    "       stardag systems                            list the ODE systems batch domains may name\n"
    "       stardag verify [CODELET...]                CPU vs CUDA on the same inputs, per codelet\n"
    "       stardag compare A.h5 B.h5 [--rtol R] [--atol A] [--any]   compare two run outputs (--any: any HDF5 files)\n"
    "       stardag calibrate FILE [run options]       calibrate performance models and print them\n"
    "       stardag predict FILE [--measure] [...]     predicted step time from the models (beside a measured one)\n"
    "       stardag tune FILE [--retune] [...]         choose parts, scheduler and max_inflight; auto parts use it\n"
    "       stardag report RUN.h5 [--trace T.json] [--out DIR] [--steps A:B] [--log-scalars]   charts of a run (SVG)\n"
    "       stardag inspect FILE.h5                    what a run file or a checkpoint holds (checksums checked)\n"
    "       stardag new-pack NAME [DIR]                a new codelet pack (DIR: ./NAME) from the template\n"
    "       stardag --version\n"
    "stardag COMMAND --help shows a command's options.\n"
    "run, check, dot, codelets, verify, calibrate, predict and tune take --load PACK.so (repeatable): a codelet pack;\n"
    "every *.so in the directories of STARDAG_PLUGIN_PATH is loaded too.\n"
    "StarPU's environment variables (STARPU_SCHED, STARPU_NCPU, ...) apply; flags win.\n";

static const char run_usage[] =
    "usage: stardag run FILE [options]   run a graph\n"
    "  --steps N            N steps instead of the graph's run.steps\n"
    "  --set NAME=VALUE     override a graph parameter (repeatable)\n"
    "  --tiles X[xY[xZ]]    tile shape in cells (particles, meshes, batches: --tiles N parts)\n"
    "  --ncpu N, --ncuda N  CPU and CUDA workers (STARPU_NCPU, STARPU_NCUDA)\n"
    "  --arch any|cpu|cuda  where tasks may run (default any)\n"
    "  --sched NAME         StarPU scheduler (STARPU_SCHED); default dmdas with a GPU, else lws\n"
    "  --max-inflight K     steps submitted ahead of completion (default 4)\n"
    "  --fuse K             grids: advance each tile up to K steps per task (temporal blocking; run.fuse)\n"
    "  --out FILE           output file instead of output.file; --out \"\" writes none\n"
    "  --overwrite          replace an existing output, log or trajectory file (else refused)\n"
    "  --log FILE           the log file instead of output.log (default beside the output); \"\" writes none\n"
    "  --trajectory FILE    the trajectory file instead of output.trajectory.file (particle graphs)\n"
    "  --trace FILE.json    Chrome/Perfetto trace of every task\n"
    "  --quiet, -q          no progress line, no summary\n"
    "  --checkpoint FILE    checkpoints into FILE instead of output.checkpoint's; \"\" writes none\n"
    "  --checkpoint-every N a checkpoint every N steps (and at the last)\n"
    "  --restart CKPT       continue from checkpoint CKPT (its step + 1 on) instead of the init ops\n"
    "  --force              with --restart: accept a changed graph whose state layout is the same\n"
    "  --walltime T         stop with a checkpoint before T (seconds or H:MM:SS) of wall time; exit 0\n"
    "  --load PACK.so       load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n"
    "  --distribution D     under mpirun: parts to ranks, block (default: neighbours together), cyclic, or one\n"
    "                       weight per rank (1:3: rank 1 gets three times rank 0's parts); docs/distributed.md\n"
    "Exit: 0 done, 1 runtime error, 2 bad graph or usage, 3 a check failed, 130 interrupted.\n";
static const char check_usage[] =
    "usage: stardag check FILE [--set NAME=VALUE]... [--tiles ...]\n"
    "  load and validate the graph without running it; prints what it declares. Exit 0 or 2.\n"
    "  --load PACK.so       load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n";
static const char codelets_usage[] =
    "usage: stardag codelets\n"
    "  list every codelet: domain, pattern, implementations, roles (access, halo) and parameters.\n"
    "  --load PACK.so       load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n";

static const char *usage_shown = usage; /* a command's own, once its options are read */

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "stardag: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_shown);
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
#ifdef SD_HAVE_MPI
           "yes"
#else
           "no"
#endif
    );
    /* the SIMD variant of the kernels that have one (runtime/simd) */
    printf("SIMD: %s (widest on this CPU: %s; STARDAG_ISA=sse2, avx2 or avx512 chooses one)\n", sd_isa_name(sd_isa_current()),
           sd_isa_name(sd_isa_best()));
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
        printf("%s  [%s%s; %s]  %s\n", c->name, c->domain == SD_ON_PARTICLES ? "particles, " : c->domain == SD_ON_MESH ? "meshes, " : "",
               c->domain == SD_ON_MESH && c->pattern == SD_WHOLE
                   ? (sd_codelet_scalars_only(c) ? "scalars only" : "whole mesh")
                   : sd_pattern_name(c->pattern),
               impl,
               c->doc ? c->doc : "");
        if (sd_codelet_pack_file(c)) printf("    from pack %s\n", sd_codelet_origin(c));
        for (int r = 0; r < c->nroles; r++) {
            const sd_role *ro = &c->roles[r];
            printf("    %-10s %-9s %s", ro->name, access_name(ro->mode), ro->kind == SD_ROLE_SCALAR ? "scalar" : ro->kind == SD_ROLE_TABLE ? "table" : "field");
            if (ro->halo) printf(", halo %d%s", ro->halo, ro->box ? ", box" : "");
            if (ro->support) printf(", zero outside %s's bounds", c->roles[ro->support - 1].name);
            if (ro->optional) printf(", optional");
            if (ro->ncomp) printf(", %d %s", ro->ncomp, ro->kind == SD_ROLE_TABLE ? "columns" : "components");
            if (ro->location == SD_MESH_FACES) printf(", on faces");
            if (ro->location == SD_MESH_EDGES) printf(", on edges");
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

static char *cmdline; /* file scope: still reachable when a command returns from main */

#define BAD_USAGE(...) do { status = bad_usage(__VA_ARGS__); goto out; } while (0)
_Static_assert(SD_MAX_FUSE == 64, "--fuse's usage message says 64");

int main(int argc, char **argv)
{
    sd_h5out_no_atexit(); /* before any HDF5 call (io/h5out.h) */
    if (argc < 2) return bad_usage("%s", "a command is needed");
    char isa_err[256];
    if (sd_isa_select(isa_err, sizeof isa_err)) return fprintf(stderr, "stardag: %s\n", isa_err), SD_EXIT_BADGRAPH;
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) return version();
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "new-pack")) return sd_cmd_new_pack(argc - 1, argv + 1);
    sd_register_builtin_codelets();
    /* the command line as typed, --load included (a run records it), before the packs take theirs out */
    size_t cl = 1;
    for (int i = 0; i < argc; i++) cl += strlen(argv[i]) + 1;
    if (!(cmdline = calloc(cl, 1))) return fputs("stardag: out of memory\n", stderr), SD_EXIT_RUNTIME;
    for (int i = 0; i < argc; i++) {
        strcat(cmdline, argv[i]);
        if (i + 1 < argc) strcat(cmdline, " ");
    }
    int pack_status = sd_cli_load_packs(&argc, argv);
    if (pack_status) return pack_status;
    if (!strcmp(cmd, "codelets")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(codelets_usage, stdout), 0;
        usage_shown = codelets_usage;
        if (argc > 2) return bad_usage("codelets takes no arguments, got '%s'", argv[2]);
        return list_codelets();
    }
    if (!strcmp(cmd, "systems")) return sd_cmd_systems(argc - 1, argv + 1);
    int help = argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
    if ((!strcmp(cmd, "verify") || !strcmp(cmd, "calibrate") || !strcmp(cmd, "predict") || !strcmp(cmd, "tune")) &&
        !help) { /* they start StarPU outside a run */
        char note[1400], err[1400];
        int home = sd_starpu_home_ensure(note, sizeof note, err, sizeof err);
        if (home < 0) return fprintf(stderr, "stardag: %s\n", err), SD_EXIT_RUNTIME;
        if (home > 0) fprintf(stderr, "stardag: %s\n", note);
    }
    if (!strcmp(cmd, "verify")) return sd_cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return sd_cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "calibrate")) return sd_cmd_calibrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "predict")) return sd_cmd_predict(argc - 1, argv + 1);
    if (!strcmp(cmd, "tune")) return sd_cmd_tune(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return sd_cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "inspect")) return sd_cmd_inspect(argc - 1, argv + 1);
    if (strcmp(cmd, "run") && strcmp(cmd, "check") && strcmp(cmd, "dot"))
        return bad_usage("unknown command '%s' (expected run, check, dot, codelets, systems, verify, compare, calibrate, predict, tune, report, inspect, new-pack or --version)", cmd);

    sd_run_opts o;
    sd_run_opts_init(&o);
    const char *file = NULL;
    int status = 0;
    int64_t dot_step = 0; /* dot --step; 0: the first step where every op runs */
    int tiles_axes = 0;   /* extents given with --tiles (X: 1, XxY: 2, XxYxZ: 3) */
    const char **set = calloc(argc, sizeof *set);
    int nset = 0;
    o.cmdline = cmdline;
    usage_shown = !strcmp(cmd, "run") ? run_usage : !strcmp(cmd, "check") ? check_usage : sd_dot_usage;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        int has_value = i + 1 < argc;
        if (a[0] != '-' && !file) file = a;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o.quiet = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_shown, stdout);
            goto out;
        }
        else if (!strcmp(a, "--overwrite")) o.overwrite = 1;
        else if (!strcmp(a, "--force")) o.force = 1;
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
        } else if (!strcmp(a, "--fuse")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v) || v > SD_MAX_FUSE)
                BAD_USAGE("--fuse expects an integer from 1 to 64, got '%s'", argv[i]);
            o.fuse = (int)v;
        } else if (!strcmp(a, "--tiles")) {
            if (!sd_cli_parse_tiles(argv[++i], o.tile)) BAD_USAGE("--tiles expects X, XxY or XxYxZ cells, got '%s'", argv[i]);
            tiles_axes = 1;
            for (const char *c = argv[i]; *c; c++) tiles_axes += *c == 'x';
        } else if (!strcmp(a, "--ncuda")) {
            if (!sd_cli_parse_int(argv[++i], 0, &v)) BAD_USAGE("--ncuda expects an integer >= 0, got '%s'", argv[i]);
            o.ncuda = (int)v;
        } else if (!strcmp(a, "--arch")) {
            const char *x = argv[++i];
            if (!strcmp(x, "any")) o.arch = SD_ARCH_ANY;
            else if (!strcmp(x, "cpu")) o.arch = SD_ARCH_CPU;
            else if (!strcmp(x, "cuda")) o.arch = SD_ARCH_CUDA;
            else BAD_USAGE("--arch expects any, cpu or cuda, got '%s'", x);
        } else if (!strcmp(a, "--step") && !strcmp(cmd, "dot")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) BAD_USAGE("--step expects a step number >= 1, got '%s'", argv[i]);
            dot_step = v;
        } else if (!strcmp(a, "--checkpoint-every")) {
            if (!sd_cli_parse_int(argv[++i], 1, &v)) BAD_USAGE("--checkpoint-every expects a positive integer, got '%s'", argv[i]);
            o.checkpoint_every = v;
        } else if (!strcmp(a, "--walltime")) {
            if (!sd_cli_parse_duration(argv[++i], &o.walltime))
                BAD_USAGE("--walltime expects seconds > 0 or H:MM:SS, got '%s'", argv[i]);
        } else if (!strcmp(a, "--checkpoint")) o.checkpoint = argv[++i];
        else if (!strcmp(a, "--restart")) o.restart = argv[++i];
        else if (!strcmp(a, "--trace")) o.trace = argv[++i];
        else if (!strcmp(a, "--sched")) o.sched = argv[++i];
        else if (!strcmp(a, "--out")) o.out = argv[++i];
        else if (!strcmp(a, "--log")) o.log = argv[++i];
        else if (!strcmp(a, "--trajectory")) o.trajectory = argv[++i];
        else if (!strcmp(a, "--set")) set[nset++] = argv[++i];
        else if (!strcmp(a, "--distribution")) o.distribution = argv[++i];
        else BAD_USAGE("unknown option '%s'", a);
    }
    if (!file) BAD_USAGE("%s", "a graph file is needed");
    if (o.force && !o.restart) BAD_USAGE("%s", "--force goes with --restart CKPT (it accepts a changed graph)");
#ifndef STARPU_USE_CUDA
    const char *env_ncpu = getenv("STARPU_NCPU");
    if (!strcmp(cmd, "run") && (o.ncpu == 0 || (o.ncpu < 0 && env_ncpu && !strcmp(env_ncpu, "0"))))
        BAD_USAGE("%s leaves no worker: this StarPU has no CUDA (stardag --version), so a run needs a CPU worker",
                  o.ncpu == 0 ? "--ncpu 0" : "STARPU_NCPU=0 in the environment");
#endif
    char err[2048];
    sd_graph *g = sd_graph_load_ex(file, set, nset, err, sizeof err);
    char perr[1024];
    const int64_t asked[3] = {o.tile[0], tiles_axes > 1 ? o.tile[1] : 0, tiles_axes > 2 ? o.tile[2] : 0}; /* 0: not given */
    if (g && sd_dm_parts_check(g, asked, perr, sizeof perr)) { /* a --tiles the domain cannot make: a usage error */
        snprintf(err, sizeof err, "stardag: %s: %s", file, perr);
        sd_graph_free(g);
        g = NULL;
    }
    if (!g) {
        if (strcmp(cmd, "run")) fprintf(stderr, "%s\n", err); /* run: sd_run_ranks_start says it */
        status = SD_EXIT_BADGRAPH;
    }
    /* mpirun: every rank loaded the same graph, or every rank stops with the failing rank's word */
    if (!strcmp(cmd, "run") && (status = sd_run_ranks_start(g, status, err, sizeof err))) {
        sd_graph_free(g);
        g = NULL;
    } else if (!g) {
    } else if (!strcmp(cmd, "check")) sd_check_summary(g, file, stdout);
    else if (!strcmp(cmd, "dot") && g->domain.kind == SD_DOMAIN_PARTICLES) {
        fprintf(stderr, "stardag: %s: dot draws grid graphs; a particle step's tasks are per block: one rebuild "
                "task over all blocks on rebuild steps, then per block ghosts/lists and each op (see stardag run "
                "--trace)\n", file);
        status = SD_EXIT_BADGRAPH;
    } else if (!strcmp(cmd, "dot") && g->domain.kind == SD_DOMAIN_MESH) {
        fprintf(stderr, "stardag: %s: dot draws grid graphs; a mesh step's tasks are per partition: for a ghosted read "
                "of a field written since, one pack and one ghost refresh per partition, then each op per partition "
                "and a combine per reduction (see stardag run --trace)\n", file);
        status = SD_EXIT_BADGRAPH;
    } else if (!strcmp(cmd, "dot")) status = sd_dot(g, &o, dot_step, stdout);
    else status = sd_run(g, &o);
    sd_graph_free(g);
    sd_ranks_finish(status);
out:
    free(set);
    free(cmdline);
    return status;
}
