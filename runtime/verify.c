/* verify.c - `stardag verify [CODELET...]`: per codelet, small generated graphs (1-D, 2-D and 3-D
 * grids of odd sizes with uneven tiles and mixed boundaries, f64 and f32) run once on CPU workers
 * only and once on CUDA workers only; the outputs must agree bitwise, or within the codelet's
 * cuda_tol scaled by the largest CPU value. --cpu-vs-cpu runs the same graphs twice on the CPU
 * with different tilings and worker counts and requires bitwise agreement (a tiling-independence
 * check of the codelets, and a test of this generator and of the comparison without a GPU). */
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

static const char verify_usage[] =
    "usage: stardag verify [CODELET...] [--shapes LIST] [--cpu-vs-cpu] [--keep] [--quiet]\n"
    "  runs each codelet (default: every codelet with a CUDA implementation) on generated inputs once on\n"
    "  CPU workers and once on CUDA workers and compares the outputs: bitwise, or within the codelet's\n"
    "  cuda_tol x max|cpu|. --shapes 37,33x17,19x13x11 sets the grids (x first). --cpu-vs-cpu compares\n"
    "  two CPU runs with different tilings and worker counts bitwise instead (default: every codelet).\n"
    "  --keep keeps the output files. Exit 0: all agree; 3: some differ; 1: no CUDA device or an error;\n"
    "  2: bad usage or an unknown codelet.\n";

#define MAX_SHAPES 16

typedef struct grid {
    int ndim;
    int64_t n[3];
} grid;

/* a growing text buffer */
typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += k;
            return;
        }
        size_t nc = b->cap ? 2 * b->cap : 4096;
        while (nc <= b->n + (size_t)k) nc *= 2;
        char *p = realloc(b->s, nc);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = nc;
    }
}

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

/* A small graph that runs codelet c as its one step op for 2 steps: every field role bound to a
 * field of its own filled by common.noise (a different seed each), read scalars produced by
 * common.sum of a noise field, required params set to an in-range value near 1; every written
 * field and every scalar is output at every step. */
static char *make_graph(const sd_codelet *c, const grid *G, int dtype, double dt, const int64_t tile[3])
{
    static const char *const bcs[3] = {"periodic", "reflective", "fixed"};
    const char *dt_name = dtype == SD_F32 ? "f32" : "f64";
    sbuf b = {0};
    sb_printf(&b, "name: verify\n");
    sb_printf(&b, "domain:\n  grid:\n    shape: [");
    for (int d = 0; d < G->ndim; d++) sb_printf(&b, "%s%lld", d ? ", " : "", (long long)G->n[d]);
    sb_printf(&b, "]\n    spacing: 1\n    boundary: [");
    /* mixed boundaries: x periodic, y reflective, z fixed (ghost value 0.25) */
    for (int d = 0; d < G->ndim; d++) sb_printf(&b, "%s%s", d ? ", " : "", bcs[d]);
    sb_printf(&b, "]\n    boundary_value: 0.25\n");
    sb_printf(&b, "fields:\n");
    int nscal = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (is_field_role(ro))
            sb_printf(&b, "  f_%s: {dtype: %s, components: %d}\n", ro->name, dt_name, ro->ncomp ? ro->ncomp : 2);
        else {
            nscal++;
            if (ro->mode != SD_WRITE) {
                sb_printf(&b, "  a_%s: {dtype: %s, components: 1}\n", ro->name, dt_name);
            }
        }
    }
    if (nscal) {
        sb_printf(&b, "scalars: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (!is_field_role(&c->roles[r])) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n");
    }
    sb_printf(&b, "tiles: [");
    for (int d = 0; d < G->ndim; d++) sb_printf(&b, "%s%lld", d ? ", " : "", (long long)tile[d]);
    sb_printf(&b, "]\ninit:\n");
    int seed = 11;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (is_field_role(ro))
            sb_printf(&b, "  - op: common.noise\n    write: {out: f_%s}\n    params: {seed: %d, lo: -1, hi: 1}\n",
                      ro->name, seed);
        else if (ro->mode != SD_WRITE)
            sb_printf(&b,
                      "  - op: common.noise\n    write: {out: a_%s}\n    params: {seed: %d, lo: -1, hi: 1}\n"
                      "  - op: common.sum\n    read: {x: a_%s}\n    write: {sum: s_%s}\n",
                      ro->name, seed, ro->name, ro->name);
        seed += 10;
    }
    sb_printf(&b, "step:\n  - op: %s\n", c->name);
    static const sd_access modes[3] = {SD_READ, SD_WRITE, SD_READWRITE};
    for (int m = 0; m < 3; m++) {
        int k = 0;
        for (int r = 0; r < c->nroles; r++) {
            const sd_role *ro = &c->roles[r];
            if (ro->mode != modes[m]) continue;
            sb_printf(&b, "%s%s: %s_%s", k++ ? ", " : (m == 0 ? "    read: {" : m == 1 ? "    write: {" : "    readwrite: {"),
                      ro->name, is_field_role(ro) ? "f" : "s", ro->name);
        }
        if (k) sb_printf(&b, "}\n");
    }
    int np = 0;
    for (int p = 0; p < c->nparams; p++) {
        const sd_param *pa = &c->params[p];
        if (!pa->required) continue;
        double v = 1.0;
        if (v < pa->min) v = pa->min;
        if (v > pa->max) v = pa->max;
        sb_printf(&b, "%s%s: %.17g", np++ ? ", " : "    params: {", pa->name, v);
    }
    if (np) sb_printf(&b, "}\n");
    sb_printf(&b, "output:\n");
    int nw = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (!is_field_role(ro) || ro->mode == SD_READ) continue;
        sb_printf(&b, "%sf_%s", nw++ ? ", " : "  fields:\n    names: [", ro->name);
    }
    if (nw) sb_printf(&b, "]\n    every: 1\n");
    if (nscal) {
        sb_printf(&b, "  scalars:\n    names: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (!is_field_role(&c->roles[r])) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n    every: 1\n");
    }
    sb_printf(&b, "run:\n  steps: 2\n  dt: %.15g\n", dt);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
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
    strncat(x, ".tmp", sizeof x - strlen(x) - 1);
    unlink(x);
}

typedef struct verify_ctx {
    int cpu_vs_cpu, keep, quiet;
    char dir[1024];
    int named;   /* codelets were named on the command line */
    int cases, ok, failed, errors, skipped;
    int ncase_files;
} verify_ctx;

/* One (codelet, grid, dtype) case. */
static void run_case(verify_ctx *V, const sd_codelet *c, const grid *G, int dtype)
{
    char label[128], shape[64];
    size_t k = 0;
    for (int d = 0; d < G->ndim; d++) k += snprintf(shape + k, sizeof shape - k, "%s%lld", d ? "x" : "", (long long)G->n[d]);
    snprintf(label, sizeof label, "%-28s %dD %-10s %s", c->name, G->ndim, shape, dtype == SD_F32 ? "f32" : "f64");
    V->cases++;
    int64_t tile[3] = {1, 1, 1}, tile2[3] = {1, 1, 1};
    for (int d = 0; d < G->ndim; d++) {
        tile[d] = uneven_tile(G->n[d]);
        /* the second CPU run: two tiles along x, one tile (wrapped or walled in place) elsewhere */
        tile2[d] = d == 0 ? (G->n[0] >= 4 ? (G->n[0] + 1) / 2 : G->n[0]) : G->n[d];
    }
    char err[2048], path[64];
    snprintf(path, sizeof path, "verify:%s", c->name);
    sd_graph *g = NULL;
    char *text = NULL;
    double dts[2] = {0.1, 0.01};
    for (int i = 0; i < 2 && !g; i++) { /* a smaller dt when a validate hook refuses 0.1 */
        free(text);
        if (!(text = make_graph(c, G, dtype, dts[i], tile))) {
            snprintf(err, sizeof err, "out of memory");
            break;
        }
        g = sd_graph_parse(path, text, err, sizeof err);
    }
    if (!g) {
        if (V->named) { /* a codelet asked for by name must be testable */
            V->errors++;
            printf("ERROR %s  cannot build a test graph: %s\n", label, err);
        } else { /* e.g. a codelet of another domain kind: the generator makes grids only */
            V->skipped++;
            if (!V->quiet) printf("skip  %s  cannot build a grid test graph: %s\n", label, err);
        }
        free(text);
        return;
    }
    int n = V->ncase_files++;
    char fa[1100], fb[1100];
    if (V->keep) { /* the graph next to its outputs: `stardag run caseNNN.yaml --arch ...` reproduces a case */
        snprintf(fa, sizeof fa, "%s/case%03d.yaml", V->dir, n);
        FILE *f = fopen(fa, "w");
        if (f) {
            fputs(text, f);
            fclose(f);
        }
    }
    free(text);
    snprintf(fa, sizeof fa, "%s/case%03d-cpu.h5", V->dir, n);
    snprintf(fb, sizeof fb, "%s/case%03d-%s.h5", V->dir, n, V->cpu_vs_cpu ? "cpu2" : "cuda");
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.quiet = 1;
    o.sched = "eager"; /* placement is fixed by arch; no performance models needed */
    o.cmdline = "stardag verify";
    o.arch = SD_ARCH_CPU;
    o.ncpu = 1;
    o.ncuda = 0;
    o.out = fa;
    fflush(stdout);
    int st = sd_run(g, &o);
    if (st == SD_EXIT_OK) {
        o.out = fb;
        if (V->cpu_vs_cpu) {
            o.ncpu = 2;
            memcpy(o.tile, tile2, sizeof tile2);
        } else {
            o.arch = SD_ARCH_CUDA;
            o.ncuda = 1;
            o.ncpu = 1; /* reduction combines and output snapshots run on a CPU worker */
        }
        fflush(stdout);
        st = sd_run(g, &o);
    }
    sd_graph_free(g);
    if (st != SD_EXIT_OK) {
        V->errors++;
        printf("ERROR %s  the %s run failed (exit %d)\n", label, o.out == fa ? "CPU" : V->cpu_vs_cpu ? "second CPU" : "CUDA",
               st);
        goto cleanup;
    }
    sd_compare_opts co;
    sd_compare_opts_init(&co);
    double tol = V->cpu_vs_cpu ? 0 : c->cuda_tol;
    if (tol > 0) co.scaled_tol = tol;
    char *rep = NULL;
    size_t replen = 0;
    FILE *mf = open_memstream(&rep, &replen);
    sd_compare_result r;
    int cs = sd_compare_h5(fa, fb, &co, mf, &r, err, sizeof err);
    if (mf) fclose(mf);
    if (cs == SD_EXIT_OK) {
        V->ok++;
        if (!V->quiet) {
            if (tol > 0)
                printf("ok    %s  max diff %.3g = %.3g x max|cpu| <= tol %g (%d datasets)\n", label, r.max_abs,
                       r.max_scaled, tol, r.datasets);
            else printf("ok    %s  bitwise (%d datasets, %lld values)\n", label, r.datasets, r.elements);
        }
    } else if (cs == SD_EXIT_CHECK) {
        V->failed++;
        if (tol > 0)
            printf("FAIL  %s  max diff %.3g = %.3g x max|cpu| > tol %g; %d of %d datasets differ (first %s)\n", label,
                   r.max_abs, r.max_scaled, tol, r.differ, r.datasets, r.first);
        else
            printf("FAIL  %s  not bitwise: max diff %.3g (max rel %.3g); %d of %d datasets differ (first %s)\n", label,
                   r.max_abs, r.max_rel, r.differ, r.datasets, r.first);
        if (rep) {
            /* the differing datasets, indented */
            for (char *line = strtok(rep, "\n"); line; line = strtok(NULL, "\n"))
                if (line[0] == ' ') printf("      %s\n", line + 2);
        }
    } else {
        V->errors++;
        printf("ERROR %s  %s\n", label, err);
    }
    free(rep);
cleanup:
    if (!V->keep) {
        remove_output(fa);
        remove_output(fb);
    }
    fflush(stdout);
}

int sd_cmd_verify(int argc, char **argv)
{
    verify_ctx V = {0};
    grid shapes[MAX_SHAPES] = {{1, {37, 1, 1}}, {2, {33, 17, 1}}, {3, {19, 13, 11}}};
    int nshapes = 3;
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
        for (int k = 0; k < nlist; k++)
            if (!list[k]->cuda) {
                fprintf(stderr, "stardag verify: codelet %s has no CUDA implementation (expected one with .cuda; "
                                "--cpu-vs-cpu checks CPU-only codelets)\n", list[k]->name);
                goto out;
            }
    }
    V.named = nlist > 0;
    if (!nlist)
        for (int k = 0; k < sd_codelet_count(); k++)
            if (V.cpu_vs_cpu || sd_codelet_at(k)->cuda) list[nlist++] = sd_codelet_at(k);
    if (!nlist) {
        printf("stardag verify: no codelet has a CUDA implementation: nothing to verify\n");
        status = SD_EXIT_OK;
        goto out;
    }
    if (!sd_codelet_find("common.noise") || !sd_codelet_find("common.sum")) {
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
    if (!V.quiet)
        printf("stardag verify: %d codelet%s, %s; outputs in %s\n", nlist, nlist == 1 ? "" : "s",
               V.cpu_vs_cpu ? "CPU (1 worker, uneven tiles) vs CPU (2 workers, other tiles), bitwise"
                            : "CPU vs CUDA, bitwise or within each codelet's cuda_tol x max|cpu|",
               V.dir);
    for (int k = 0; k < nlist; k++) {
        const sd_codelet *c = list[k];
        int mask = dtype_mask(c);
        for (int s = 0; s < nshapes; s++)
            for (int dt = SD_F64; ; dt = SD_F32) {
                if (mask & (1 << dt)) run_case(&V, c, &shapes[s], dt);
                if (dt == SD_F32) break;
            }
    }
    if (!V.keep) rmdir(V.dir);
    printf("stardag verify: %d cases: %d ok, %d failed, %d errors", V.cases - V.skipped, V.ok, V.failed, V.errors);
    if (V.skipped) printf(", %d skipped (no grid test graph)", V.skipped);
    if (V.keep) printf("; outputs kept in %s", V.dir);
    printf("\n");
    status = V.failed ? SD_EXIT_CHECK : V.errors ? SD_EXIT_RUNTIME : SD_EXIT_OK;
out:
    free(list);
    return status;
}
