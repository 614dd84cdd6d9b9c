/* verify.c - `stardag verify [CODELET...]`: per codelet, small generated graphs run once on CPU
 * workers only and once on CUDA workers only; the outputs must agree bitwise, or within the
 * codelet's cuda_tol scaled by the largest CPU value. --cpu-vs-cpu runs the same graphs twice on
 * the CPU with different tilings (blocks) and worker counts and requires bitwise agreement (a
 * tiling-independence check of the codelets, and a test of the generators and of the comparison
 * without a GPU).
 * Grid codelets (graphs from verify_grid.c): 1-D, 2-D and 3-D grids of odd sizes with uneven
 * tiles and mixed boundaries, f64 and f32 (a dtype the codelet does not take is a skipped case),
 * the run outputs compared; with the default parameters and with each parameter set of
 * verify_variants.c (other code paths: a Laplacian's order, damping, a source), labelled
 * codelet[name=value,...].
 * Particle codelets: a small Lennard-Jones liquid (verify_particles.c) at a few sizes, f64; the
 * run outputs (thermo scalars) and the H5MD trajectories compared.
 * Every case prints one line: ok, FAIL (then the differing datasets, indented), ERROR or skip (with
 * its reason); the summary counts them all. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <starpu.h>
#include "commands.h"
#include "compare.h"
#include "graph.h"
#include "probe.h"
#include "suggest.h"
#include "verify.h"

static const char verify_usage[] =
    "usage: stardag verify [CODELET...] [--shapes LIST] [--cells LIST] [--cpu-vs-cpu] [--keep] [--quiet]\n"
    "  runs each codelet (default: every codelet with a CUDA implementation, and every particle codelet)\n"
    "  on generated inputs once on CPU workers and once on CUDA workers and compares the outputs: bitwise,\n"
    "  or within the codelet's cuda_tol x max|cpu|. --shapes 37,33x17,19x13x11 sets the grids (x first);\n"
    "  --cells 5,6,7 the particle systems (fcc unit cells per axis, 4 cells^3 atoms, 4 to 64 cells).\n"
    "  Grid codelets run with their default parameters and with the sets that reach their other code\n"
    "  paths (lattice: orders 4 and 6, damping, chi's source), labelled codelet[name=value,...].\n"
    "  --cpu-vs-cpu compares two CPU runs with different tilings (blocks) and worker counts bitwise\n"
    "  instead (default: every codelet).\n"
    "  --keep keeps the output files. Exit 0: all agree; 3: some differ; 1: no CUDA device or an error;\n"
    "  2: bad usage or an unknown codelet.\n"
    "  --load PACK.so       load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n";

#define MAX_SHAPES 16

typedef struct grid {
    int ndim;
    int64_t n[3];
} grid;

static int parse_shapes(const char *s, grid *g, int *n)
{
    *n = 0;
    while (*s) {
        if (*n == MAX_SHAPES) return 0;
        grid *G = &g[*n];
        G->ndim = 0;
        G->n[0] = G->n[1] = G->n[2] = 1;
        for (;;) {
            char *end;
            errno = 0;
            long long v = strtoll(s, &end, 10);
            if (end == s || v < 1 || v > 4096 || errno || G->ndim == 3) return 0;
            G->n[G->ndim++] = v;
            s = end;
            if (*s == 'x') {
                s++;
                continue;
            }
            break;
        }
        (*n)++;
        if (*s == ',') s++;
        else if (*s) return 0;
    }
    return *n > 0;
}

/* --cells 5,6,7: fcc unit cells per axis of the particle test systems */
static int parse_cells(const char *s, int *cells, int *n)
{
    *n = 0;
    while (*s) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (*n == MAX_SHAPES || end == s || v < 4 || v > 64 || errno) return 0;
        cells[(*n)++] = (int)v;
        s = end;
        if (*s == ',') s++;
        else if (*s) return 0;
    }
    return *n > 0;
}

/* Tile extent along an axis of n cells: one that makes the tiling (ceil(n/t) nearly equal tiles)
 * split the axis into k >= 2 tiles of unequal sizes, each at least 2 cells, so halos cross tile
 * edges and edge tiles differ from inner ones; preferably 3 tiles. */
static int64_t uneven_tile(int64_t n)
{
    static const int ks[] = {3, 4, 5, 2, 6, 7};
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < 6; i++) {
            int64_t t = (n + ks[i] - 1) / ks[i], m = (n + t - 1) / t;
            if (m >= 2 && n / m >= 2 && (pass || n % m)) return t;
        }
    return n;
}

static int is_field_role(const sd_role *r) { return r->kind == SD_ROLE_FIELD; }

/* dtype mask accepted by every field role of c */
static int dtype_mask(const sd_codelet *c)
{
    int m = (1 << SD_F32) | (1 << SD_F64);
    for (int r = 0; r < c->nroles; r++)
        if (is_field_role(&c->roles[r]) && c->roles[r].dtypes) m &= c->roles[r].dtypes;
    return m;
}

static void remove_output(const char *h5)
{
    char x[1200];
    unlink(h5);
    snprintf(x, sizeof x, "%s", h5);
    size_t l = strlen(x);
    if (l > 3 && !strcmp(x + l - 3, ".h5")) strcpy(x + l - 3, ".xmf");
    else strncat(x, ".xmf", sizeof x - l - 1);
    unlink(x);
}

typedef struct verify_ctx {
    int cpu_vs_cpu, keep, quiet;
    char dir[1024];
    int named;   /* codelets were named on the command line */
    int ok, failed, errors, skipped; /* the cases, by outcome: each case prints one line */
    int ncase_files;
} verify_ctx;

static void skip_case(verify_ctx *V, const char *label, const char *why)
{
    V->skipped++;
    if (!V->quiet) printf("skip  %s  %s\n", label, why);
}

/* A case that cannot be tested (no graph can be made, or the runtime refuses to run it): an error
 * for a codelet asked for by name (it must be testable), else a skip. */
static void cannot_test(verify_ctx *V, const char *label, const char *why)
{
    if (V->named) {
        V->errors++;
        printf("ERROR %s  %s\n", label, why);
    } else skip_case(V, label, why);
}

/* A case ready to run: its graph (parsed, and as text for --keep) and how the two runs differ. */
typedef struct vcase {
    const sd_codelet *c;
    char label[256];
    char *text;
    sd_graph *g;
    int particles;
    int64_t tile2[3]; /* --cpu-vs-cpu, the second run: tiles (grids) or blocks in tile2[0] (particles) */
    int fuse;         /* --cpu-vs-cpu, the second run: fused steps (a fusable grid codelet's extra case) */
    int nb1;          /* particles: the graph's blocks (the first run's, and the CUDA run's) */
} vcase;

/* The line of a case whose runs agree. */
static void print_ok(const verify_ctx *V, const vcase *k, const sd_compare_result *r, const sd_compare_result *tr, double tol)
{
    if (!k->particles) {
        if (tol > 0)
            printf("ok    %s  max diff %.3g = %.3g x max|cpu| <= tol %g (%d datasets)\n", k->label, r->max_abs,
                   r->max_scaled, tol, r->datasets);
        else printf("ok    %s  bitwise (%d datasets, %lld values)\n", k->label, r->datasets, r->elements);
        return;
    }
    char blocks[64];
    if (V->cpu_vs_cpu) snprintf(blocks, sizeof blocks, "%d vs %lld blocks", k->nb1, (long long)k->tile2[0]);
    else snprintf(blocks, sizeof blocks, "%d block%s", k->nb1, k->nb1 == 1 ? "" : "s");
    /* CPU vs CUDA: an op without CUDA runs on the CPU both times; what is compared is the CUDA ops
     * of the system around it (and the data moving between the CPU and the GPU) */
    const char *cpu_only =
        !V->cpu_vs_cpu && !k->c->cuda ? ", cpu only: no CUDA implementation, the CUDA ops around it compared" : "";
    if (tol > 0)
        printf("ok    %s  max diff %.3g = %.3g x max|cpu| <= tol %g (%s; %d datasets, trajectory %d datasets)%s\n",
               k->label, fmax(r->max_abs, tr->max_abs), fmax(r->max_scaled, tr->max_scaled), tol, blocks, r->datasets,
               tr->datasets, cpu_only);
    else
        printf("ok    %s  bitwise (%s; %d datasets, %lld values; trajectory %d datasets, %lld values)%s\n", k->label,
               blocks, r->datasets, r->elements, tr->datasets, tr->elements, cpu_only);
}

/* The two runs of a case, the comparison of their outputs (and trajectories), its line. Frees
 * the graph and its text. */
static void run_pair(verify_ctx *V, vcase *k)
{
    const sd_codelet *c = k->c;
    const char *label = k->label;
    const int n = V->ncase_files++;
    char fa[1100], fb[1100], ta[1100] = "", tb[1100] = "", err[2048];
    if (V->keep) { /* the graph next to its outputs: `stardag run caseNNN.yaml --arch ...` reproduces a case */
        snprintf(fa, sizeof fa, "%s/case%03d.yaml", V->dir, n);
        FILE *f = fopen(fa, "w");
        if (f) {
            fputs(k->text, f);
            fclose(f);
        }
    }
    const char *second = V->cpu_vs_cpu ? "cpu2" : "cuda";
    snprintf(fa, sizeof fa, "%s/case%03d-cpu.h5", V->dir, n);
    snprintf(fb, sizeof fb, "%s/case%03d-%s.h5", V->dir, n, second);
    sd_compare_result r, tr;
    char *rep = NULL;
    size_t replen = 0;
    if (k->particles) {
        snprintf(ta, sizeof ta, "%s/case%03d-cpu.h5md", V->dir, n);
        snprintf(tb, sizeof tb, "%s/case%03d-%s.h5md", V->dir, n, second);
        if (strlen(tb) >= sizeof k->g->output.trajectory) {
            V->errors++;
            printf("ERROR %s  the trajectory path %s is too long\n", label, tb);
            goto cleanup;
        }
        snprintf(k->g->output.trajectory, sizeof k->g->output.trajectory, "%s", ta);
    }
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.quiet = 1;
    o.sched = "eager"; /* placement is fixed by arch; no performance models needed */
    o.cmdline = "stardag verify";
    o.log = ""; /* the cases' outputs are compared and removed: no log beside them */
    o.arch = SD_ARCH_CPU;
    o.ncpu = 1;
    o.ncuda = 0;
    o.out = fa;
    int run2 = 0;
    fflush(stdout);
    int st = sd_run(k->g, &o);
    if (st == SD_EXIT_OK) {
        run2 = 1;
        o.out = fb;
        if (k->particles) snprintf(k->g->output.trajectory, sizeof k->g->output.trajectory, "%s", tb);
        if (V->cpu_vs_cpu) {
            o.ncpu = 2;
            o.fuse = k->fuse;
            memcpy(o.tile, k->tile2, sizeof o.tile);
        } else {
            o.arch = SD_ARCH_CUDA;
            o.ncuda = 1;
            o.ncpu = 1; /* reduction combines, output snapshots, CPU-only ops and particle rebuilds run on a CPU worker */
        }
        fflush(stdout);
        st = sd_run(k->g, &o);
    }
    if (st != SD_EXIT_OK) {
        V->errors++;
        printf("ERROR %s  the %s run failed (exit %d)\n", label, !run2 ? "CPU" : V->cpu_vs_cpu ? "second CPU" : "CUDA", st);
        goto cleanup;
    }
    sd_compare_opts co;
    sd_compare_opts_init(&co);
    double tol = V->cpu_vs_cpu ? 0 : c->cuda_tol;
    if (tol > 0) co.scaled_tol = tol;
    FILE *mf = open_memstream(&rep, &replen);
    int cs = sd_compare_h5(fa, fb, &co, mf, &r, err, sizeof err);
    int ts = SD_EXIT_OK;
    memset(&tr, 0, sizeof tr);
    if (k->particles && cs != SD_EXIT_BADGRAPH) { /* every dataset of the H5MD trajectories */
        co.any_file = 1;
        ts = sd_compare_h5(ta, tb, &co, mf, &tr, err, sizeof err);
    }
    if (mf) fclose(mf);
    if (cs == SD_EXIT_BADGRAPH || ts == SD_EXIT_BADGRAPH) {
        V->errors++;
        printf("ERROR %s  %s\n", label, err);
    } else if (cs == SD_EXIT_OK && ts == SD_EXIT_OK) {
        V->ok++;
        if (!V->quiet) print_ok(V, k, &r, &tr, tol);
    } else {
        V->failed++;
        const int differ = r.differ + tr.differ, datasets = r.datasets + tr.datasets;
        char first[200];
        if (r.differ) snprintf(first, sizeof first, "%s", r.first);
        else snprintf(first, sizeof first, "trajectory %s", tr.first);
        if (tol > 0)
            printf("FAIL  %s  max diff %.3g = %.3g x max|cpu| > tol %g; %d of %d datasets differ (first %s)\n", label,
                   fmax(r.max_abs, tr.max_abs), fmax(r.max_scaled, tr.max_scaled), tol, differ, datasets, first);
        else
            printf("FAIL  %s  not bitwise: max diff %.3g (max rel %.3g); %d of %d datasets differ (first %s)\n", label,
                   fmax(r.max_abs, tr.max_abs), fmax(r.max_rel, tr.max_rel), differ, datasets, first);
        int edges = rep && strstr(rep, SD_VERIFY_EDGE_SUM);
        if (rep) {
            /* the differing datasets, indented */
            for (char *line = strtok(rep, "\n"); line; line = strtok(NULL, "\n"))
                if (line[0] == ' ') printf("      %s\n", line + 2);
        }
        if (edges)
            printf("      (" SD_VERIFY_EDGE_SUM "F: the sums of edge field F over each vertex's edges differ: the op must "
                   "write every local edge of its partition, not only the owned ones, since edge fields have no ghost "
                   "exchange; docs/codelets.md)\n");
    }
cleanup:
    free(rep);
    if (!V->keep) {
        remove_output(fa);
        remove_output(fb);
        if (ta[0]) unlink(ta);
        if (tb[0]) unlink(tb);
    }
    sd_graph_free(k->g);
    free(k->text);
    fflush(stdout);
}

static const char *dtype_name(int dtype) { return dtype == SD_F32 ? "f32" : "f64"; }

/* The codelet's name, with a parameter set as [name=value,...] ("order: 4, gamma: 0.3" ->
 * [order=4,gamma=0.3]), so that a case's label has no spaces before its grid. */
static void grid_label(char *label, size_t len, const sd_codelet *c, const char *set, const grid *G, int dtype)
{
    char shape[64], name[96];
    size_t k = 0;
    for (int d = 0; d < G->ndim; d++) k += snprintf(shape + k, sizeof shape - k, "%s%lld", d ? "x" : "", (long long)G->n[d]);
    k = (size_t)snprintf(name, sizeof name, "%s%s", c->name, set ? "[" : "");
    for (const char *s = set; s && *s && k + 2 < sizeof name; s++)
        if (*s != ' ') name[k++] = *s == ':' ? '=' : *s;
    if (set && k + 2 < sizeof name) name[k++] = ']';
    name[k < sizeof name ? k : sizeof name - 1] = 0;
    snprintf(label, len, "%-28s %dD %-10s %s", name, G->ndim, shape, dtype_name(dtype));
}

/* One (grid codelet, parameter set, grid, dtype) case; fused: the case of a fusable codelet whose
 * second CPU run fuses 3 steps a task (its graph: sd_verify_grid_graph's fused one). */
static void run_grid_case(verify_ctx *V, const sd_codelet *c, const char *set, const grid *G, int dtype, int fused)
{
    vcase k = {.c = c, .fuse = fused ? 3 : 0};
    grid_label(k.label, sizeof k.label, c, set, G, dtype);
    if (fused) strncat(k.label, " fused x3", sizeof k.label - strlen(k.label) - 1);
    int64_t tile[3] = {1, 1, 1};
    k.tile2[0] = k.tile2[1] = k.tile2[2] = 1;
    for (int d = 0; d < G->ndim; d++) {
        tile[d] = uneven_tile(G->n[d]);
        /* the second CPU run: two tiles along x, one tile (wrapped or walled in place) elsewhere */
        k.tile2[d] = d == 0 ? (G->n[0] >= 4 ? (G->n[0] + 1) / 2 : G->n[0]) : G->n[d];
    }
    char err[2048], path[64];
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].kind == SD_ROLE_TABLE && !c->roles[r].optional) {
            snprintf(err, sizeof err, "role %s reads a table, which the grid test system does not have (optional table "
                     "roles are left unbound)", c->roles[r].name);
            cannot_test(V, k.label, err);
            return;
        }
    snprintf(path, sizeof path, "verify:%s", c->name);
    double dts[2] = {0.1, 0.01};
    for (int i = 0; i < 2 && !k.g; i++) { /* a smaller dt when a validate hook refuses 0.1 */
        free(k.text);
        if (!(k.text = sd_verify_grid_graph(c, set, G->ndim, G->n, dtype, dts[i], tile, fused))) {
            snprintf(err, sizeof err, "out of memory");
            break;
        }
        k.g = sd_graph_parse(path, k.text, err, sizeof err);
    }
    if (!k.g) {
        char why[2300];
        snprintf(why, sizeof why, "cannot build a grid test graph: %s", err);
        cannot_test(V, k.label, why);
        free(k.text);
        return;
    }
    run_pair(V, &k);
}

/* One (particle codelet, system size) case: the first run (and the CUDA run) with up to 3 blocks,
 * uneven where the box has a layer count that 3 does not divide; the second CPU run with as many
 * blocks as the box has cell layers, or one block when the first had them all. */
/* A case whose test system's graph text k->text was just made (NULL: err says why): parsed and run. */
static void run_system(verify_ctx *V, vcase *k, const char *system, char *err, size_t errlen)
{
    char path[64];
    snprintf(path, sizeof path, "verify:%s", k->c->name);
    if (k->text) k->g = sd_graph_parse(path, k->text, err, errlen);
    if (!k->g) {
        char why[2300];
        snprintf(why, sizeof why, "cannot build a %s test system: %s", system, err);
        cannot_test(V, k->label, why);
        free(k->text);
        return;
    }
    run_pair(V, k);
}

/* A transport codelet in its beam (verify_transport.c): uneven 5 x 6 tiles on CPU and CUDA; with
 * --cpu-vs-cpu, against 13 x 9 tiles on 2 workers (bitwise). */
static void run_transport_case(verify_ctx *V, const sd_codelet *c)
{
    vcase k = {.c = c};
    snprintf(k.label, sizeof k.label, "%-28s 2D 13x17 12x24 bins f64", c->name);
    const int64_t tile[2] = {5, 6};
    k.tile2[0] = 13, k.tile2[1] = 9, k.tile2[2] = 1;
    char err[2048];
    k.text = sd_verify_transport_graph(c, tile, err, sizeof err);
    run_system(V, &k, "transport", err, sizeof err);
}

static void run_particle_case(verify_ctx *V, const sd_codelet *c, int cells, int mixed)
{
    vcase k = {.c = c, .particles = 1};
    snprintf(k.label, sizeof k.label, "%-28s LJ N=%-8lld %-5s", c->name, 4LL * cells * cells * cells,
             mixed ? "mixed" : "f64");
    const int layers = sd_verify_particle_layers(cells);
    k.nb1 = layers < 3 ? layers : 3;
    k.tile2[0] = k.nb1 < layers ? layers : 1;
    char err[2048], traj[32];
    /* a kept graph run by `stardag run` writes its trajectory to the current directory */
    snprintf(traj, sizeof traj, "case%03d.h5md", V->ncase_files);
    k.text = sd_verify_particle_graph(c, cells, k.nb1, mixed, traj, err, sizeof err);
    run_system(V, &k, "particle", err, sizeof err);
}

/* A mesh codelet on its test system (verify_mesh.c): 3 partitions on CPU and CUDA; with
 * --cpu-vs-cpu, 1 partition on 1 worker against 3 on 2 (bitwise). */
static void run_mesh_case(verify_ctx *V, const sd_codelet *c)
{
    vcase k = {.c = c};
    snprintf(k.label, sizeof k.label, "%-28s mesh nv=642 f64", c->name);
    k.tile2[0] = 3;
    char err[2048];
    k.text = sd_verify_mesh_graph(c, V->cpu_vs_cpu ? 1 : 3, err, sizeof err);
    run_system(V, &k, "mesh", err, sizeof err);
}

/* A batch codelet on its test system (verify_batch.c): 3 ranges on CPU and CUDA; with
 * --cpu-vs-cpu, 1 range on 1 worker against 3 on 2 (bitwise). */
static void run_batch_case(verify_ctx *V, const sd_codelet *c, int stiff)
{
    vcase k = {.c = c};
    snprintf(k.label, sizeof k.label, "%-28s batch M=1000 f64%s", c->name, stiff ? " stiff" : "");
    k.tile2[0] = 3;
    char err[2048];
    k.text = sd_verify_batch_graph(c, V->cpu_vs_cpu ? 1 : 3, stiff, err, sizeof err);
    run_system(V, &k, "batch", err, sizeof err);
}

int sd_cmd_verify(int argc, char **argv)
{
    verify_ctx V = {0};
    grid shapes[MAX_SHAPES] = {{1, {37, 1, 1}}, {2, {33, 17, 1}}, {3, {19, 13, 11}}};
    int nshapes = 3;
    int cells[MAX_SHAPES] = {5, 6, 7}, ncells = 3;
    const sd_codelet **list = calloc(argc + sd_codelet_count() + 1, sizeof *list);
    int nlist = 0, status = SD_EXIT_BADGRAPH;
    if (!list) return SD_EXIT_RUNTIME;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(verify_usage, stdout);
            status = SD_EXIT_OK;
            goto out;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) V.quiet = 1;
        else if (!strcmp(a, "--keep")) V.keep = 1;
        else if (!strcmp(a, "--cpu-vs-cpu")) V.cpu_vs_cpu = 1;
        else if (!strcmp(a, "--shapes")) {
            if (i + 1 >= argc || !parse_shapes(argv[i + 1], shapes, &nshapes)) {
                fprintf(stderr, "stardag verify: --shapes expects grids like 37,33x17,19x13x11 (1 to 3 extents each, "
                                "at most %d grids), got '%s'\n", MAX_SHAPES, i + 1 < argc ? argv[i + 1] : "");
                goto out;
            }
            i++;
        } else if (!strcmp(a, "--cells")) {
            if (i + 1 >= argc || !parse_cells(argv[i + 1], cells, &ncells)) {
                fprintf(stderr, "stardag verify: --cells expects fcc unit cells per axis like 5,6,7 (each 4 to 64, at "
                                "most %d systems), got '%s'\n", MAX_SHAPES, i + 1 < argc ? argv[i + 1] : "");
                goto out;
            }
            i++;
        } else if (a[0] == '-') {
            fprintf(stderr, "stardag verify: unknown option '%s'\n%s", a, verify_usage);
            goto out;
        } else {
            const sd_codelet *c = sd_codelet_find(a);
            if (!c) {
                sd_suggest s;
                sd_suggest_init(&s, a);
                for (int k = 0; k < sd_codelet_count(); k++) sd_suggest_add(&s, sd_codelet_at(k)->name);
                const char *best = sd_suggest_best(&s);
                if (best) fprintf(stderr, "stardag verify: unknown codelet '%s' (did you mean '%s'?)\n", a, best);
                else fprintf(stderr, "stardag verify: unknown codelet '%s' (see stardag codelets)\n", a);
                goto out;
            }
            int dup = 0;
            for (int k = 0; k < nlist; k++) dup |= list[k] == c;
            if (!dup) list[nlist++] = c;
        }
    }
    if (!V.cpu_vs_cpu) {
        int ndev = sd_probe_cuda_devices();
        if (ndev <= 0) {
            fprintf(stderr, "stardag verify: no CUDA device available (StarPU CUDA support: %s): nothing to compare\n",
#ifdef STARPU_USE_CUDA
                    "yes"
#else
                    "no"
#endif
            );
            status = SD_EXIT_RUNTIME;
            goto out;
        }
        /* a particle codelet without CUDA still has a case: its test system's other ops run on the GPU */
        for (int k = 0; k < nlist; k++)
            if (!list[k]->cuda && list[k]->domain != SD_ON_PARTICLES) {
                fprintf(stderr, "stardag verify: codelet %s has no CUDA implementation (expected one with .cuda; "
                                "--cpu-vs-cpu checks CPU-only codelets)\n", list[k]->name);
                goto out;
            }
    }
    V.named = nlist > 0;
    if (!nlist)
        for (int k = 0; k < sd_codelet_count(); k++) {
            const sd_codelet *c = sd_codelet_at(k);
            if (V.cpu_vs_cpu || c->cuda || c->domain == SD_ON_PARTICLES) list[nlist++] = c;
        }
    if (!nlist) {
        printf("stardag verify: no codelet has a CUDA implementation: nothing to verify\n");
        status = SD_EXIT_OK;
        goto out;
    }
    int ngrid = 0, nparticles = 0, nmesh = 0, nbatch = 0;
    for (int k = 0; k < nlist; k++) {
        ngrid += list[k]->domain == SD_ON_GRID;
        nparticles += list[k]->domain == SD_ON_PARTICLES;
        nmesh += list[k]->domain == SD_ON_MESH;
        nbatch += list[k]->domain == SD_ON_BATCH;
    }
    if (ngrid && (!sd_codelet_find("common.noise") || !sd_codelet_find("common.sum"))) {
        fprintf(stderr, "stardag verify: the codelets common.noise and common.sum are needed to make inputs\n");
        status = SD_EXIT_RUNTIME;
        goto out;
    }
    const char *td = getenv("TMPDIR");
    snprintf(V.dir, sizeof V.dir, "%s/stardag-verify.XXXXXX", td && *td ? td : "/tmp");
    if (!mkdtemp(V.dir)) {
        fprintf(stderr, "stardag verify: cannot create a temporary directory %s: %s\n", V.dir, strerror(errno));
        status = SD_EXIT_RUNTIME;
        goto out;
    }
    if (!V.quiet) {
        printf("stardag verify: %d codelet%s, %s; outputs in %s\n", nlist, nlist == 1 ? "" : "s",
               V.cpu_vs_cpu ? "CPU (1 worker, uneven tiles) vs CPU (2 workers, other tiles), bitwise"
                            : "CPU vs CUDA, bitwise or within each codelet's cuda_tol x max|cpu|",
               V.dir);
        if (nmesh)
            printf("stardag verify: mesh codelets run on a perturbed ellipsoid (642 vertices, 2 steps)%s; fields and "
                   "scalars compared\n", V.cpu_vs_cpu ? ", 1 partition vs 3" : ", 3 partitions");
        if (nbatch)
            printf("stardag verify: batch codelets run on 1000 copies of an ODE system (2 intervals), non-stiff and stiff%s; fields and "
                   "scalars compared\n", V.cpu_vs_cpu ? ", 1 range vs 3" : ", 3 ranges");
        if (nparticles)
            printf("stardag verify: particle codelets run in an LJ liquid (N = 4 cells^3 atoms, 20 velocity-Verlet "
                   "steps)%s; thermo scalars and H5MD trajectories compared\n",
                   V.cpu_vs_cpu ? ", the two runs with different blocks"
                                : "; ops without CUDA and the neighbour-list rebuilds run on the CPU in both runs");
    }
    for (int k = 0; k < nlist; k++) {
        const sd_codelet *c = list[k];
        if (c->domain == SD_ON_PARTICLES) { /* particle fields are f64: one case per system, and one
                                               in precision: mixed for the pair codelets */
            for (int s = 0; s < ncells; s++) run_particle_case(&V, c, cells[s], 0);
            if (sd_verify_particle_has_mixed(c))
                for (int s = 0; s < ncells; s++) run_particle_case(&V, c, cells[s], 1);
            continue;
        }
        if (c->domain == SD_ON_MESH) { /* mesh fields are f64: one case */
            run_mesh_case(&V, c);
            continue;
        }
        if (!strncmp(c->name, "transport.", 10)) { /* phase-space fields: the beam test system */
            run_transport_case(&V, c);
            continue;
        }
        if (c->domain == SD_ON_BATCH) { /* batch fields are f64: a non-stiff and a stiff case */
            for (int stiff = 0; stiff < 2; stiff++) run_batch_case(&V, c, stiff);
            continue;
        }
        const int mask = dtype_mask(c);
        const char *sets[1 + 8] = {NULL}; /* the defaults, then the variants */
        const int nsets = 1 + sd_verify_variants(c, sets + 1, 8);
        for (int v = 0; v < nsets; v++)
        for (int s = 0; s < nshapes; s++)
            for (int dt = SD_F64;; dt = SD_F32) {
                if (mask & (1 << dt)) {
                    run_grid_case(&V, c, sets[v], &shapes[s], dt, 0);
                    /* a codelet that lets the engine fuse its steps: fused runs must give the same bits */
                    if (V.cpu_vs_cpu && v == 0 && c->fusable) run_grid_case(&V, c, sets[v], &shapes[s], dt, 1);
                }
                else {
                    char label[256], why[96];
                    grid_label(label, sizeof label, c, sets[v], &shapes[s], dt);
                    if (mask) snprintf(why, sizeof why, "the codelet's field roles take %s only", dtype_name(dt == SD_F32 ? SD_F64 : SD_F32));
                    else snprintf(why, sizeof why, "the codelet's field roles share no dtype");
                    skip_case(&V, label, why);
                }
                if (dt == SD_F32) break;
            }
    }
    if (!V.keep) rmdir(V.dir);
    printf("stardag verify: %d cases: %d ok, %d failed, %d errors", V.ok + V.failed + V.errors + V.skipped, V.ok,
           V.failed, V.errors);
    if (V.skipped) printf(", %d skipped", V.skipped);
    if (V.keep) printf("; outputs kept in %s", V.dir);
    printf("\n");
    status = V.failed ? SD_EXIT_CHECK : V.errors ? SD_EXIT_RUNTIME : SD_EXIT_OK;
out:
    free(list);
    return status;
}
