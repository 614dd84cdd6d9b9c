/* t_box_stencil.c - a 27-point stencil (a full-box role: it reads edge and corner ghosts) run
 * through the whole runtime on a periodic, non-cubic 3D grid, with several tilings (one tile,
 * 2x2x2, uneven, tiles as thin as the halo) and worker counts, compared bitwise, step by step,
 * with a naive triple loop with periodic indexing. Every neighbour offset has its own weight, so
 * a wrong edge or corner ghost shows. Also: what the registry and the loader refuse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "run_graph.h"
#include "run_util.h"

enum { NX = 24, NY = 20, NZ = 16, STEPS = 3 };

/* The per-element math, written once: the kernel and the reference both call it. v[q] is the
 * neighbour at offset (di, dj, dk) in {-1, 0, 1}^3, q = (di + 1) + 3 (dj + 1) + 9 (dk + 1); its
 * weight (q + 1) / 378 is different for each q (and the weights sum to 1). */
SD_HD double box27(const double v[27])
{
    double s = 0.0;
    for (int q = 0; q < 27; q++) s += (double)(q + 1) / 378.0 * v[q];
    return s;
}

/* The initial value of global cell (i, j, k): a hash in [0, 1). */
static double init_value(int64_t i, int64_t j, int64_t k)
{
    uint64_t x = (uint64_t)(i + NX * (j + NY * k) + 1) * 0x9E3779B97F4A7C15ULL;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 32;
    return (double)(x >> 11) * 0x1p-53;
}

static void hash_init(const sd_tile_args *a)
{
    double *u = a->p[0];
    for (int64_t k = 0; k < a->n[2]; k++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++)
                u[sd_at(a, 0, i, j, k, 0)] = init_value(a->origin[0] + i, a->origin[1] + j, a->origin[2] + k);
}

static void box27_cpu(const sd_tile_args *a)
{
    const double *u = a->p[0];
    double *out = a->p[1];
    for (int64_t k = 0; k < a->n[2]; k++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++) {
                double v[27];
                int q = 0;
                for (int dk = -1; dk <= 1; dk++)
                    for (int dj = -1; dj <= 1; dj++)
                        for (int di = -1; di <= 1; di++) v[q++] = u[sd_at(a, 0, i + di, j + dj, k + dk, 0)];
                out[sd_at(a, 1, i, j, k, 0)] = box27(v);
            }
}

static const sd_codelet codelets[] = {
    {.name = "t.hash_init", .pattern = SD_POINTWISE, .nroles = 1, .cpu = hash_init, .model = "t.hash_init",
     .roles = {{.name = "u", .mode = SD_WRITE, .ncomp = 1, .dtypes = 1 << SD_F64}}},
    {.name = "t.box27", .pattern = SD_STENCIL, .nroles = 2, .cpu = box27_cpu, .model = "t.box27",
     .roles = {{.name = "in", .mode = SD_READ, .halo = 1, .box = 1, .ncomp = 1, .dtypes = 1 << SD_F64},
               {.name = "out", .mode = SD_WRITE, .ncomp = 1, .dtypes = 1 << SD_F64}}},
    /* the same kernel declared star-shaped: it reads corners nobody fills (the loader's refusal test) */
    {.name = "t.star27", .pattern = SD_STENCIL, .nroles = 2, .cpu = box27_cpu, .model = "t.star27",
     .roles = {{.name = "in", .mode = SD_READ, .halo = 1, .ncomp = 1, .dtypes = 1 << SD_F64},
               {.name = "out", .mode = SD_WRITE, .ncomp = 1, .dtypes = 1 << SD_F64}}},
};

/* u at steps 1..STEPS by the naive loop: [step - 1][cell], x fastest. */
static double *reference(void)
{
    const size_t n = (size_t)NX * NY * NZ;
    double *ref = malloc(sizeof *ref * n * STEPS), *u = malloc(sizeof *u * n);
    for (int k = 0; k < NZ; k++)
        for (int j = 0; j < NY; j++)
            for (int i = 0; i < NX; i++) u[i + NX * (j + NY * k)] = init_value(i, j, k);
    for (int s = 0; s < STEPS; s++) {
        double *w = ref + n * s;
        for (int k = 0; k < NZ; k++)
            for (int j = 0; j < NY; j++)
                for (int i = 0; i < NX; i++) {
                    double v[27];
                    int q = 0;
                    for (int dk = -1; dk <= 1; dk++)
                        for (int dj = -1; dj <= 1; dj++)
                            for (int di = -1; di <= 1; di++) {
                                int ii = (i + di + NX) % NX, jj = (j + dj + NY) % NY, kk = (k + dk + NZ) % NZ;
                                v[q++] = u[ii + NX * (jj + NY * kk)];
                            }
                    w[i + NX * (j + NY * k)] = box27(v);
                }
        memcpy(u, w, sizeof *u * n);
    }
    free(u);
    return ref;
}

/* halo: the binding's ghost width (1, or 2 to exercise wider ghosts with the same stencil). */
static void graph_text(char *buf, size_t len, int halo)
{
    snprintf(buf, len,
             "domain:\n  grid: {shape: [%d, %d, %d], spacing: 1, boundary: periodic}\n"
             "fields:\n  u: {levels: [u, u_next]}\n"
             "init:\n  - op: t.hash_init\n    write: {u: u}\n"
             "step:\n  - op: t.box27\n    read: {in: {field: u, halo: %d}}\n    write: {out: u_next}\n"
             "output:\n  fields: {names: [u], every: 1}\n"
             "run: {steps: %d, dt: 1}\n",
             NX, NY, NZ, halo, STEPS);
}

static void describe(int s, int64_t q, double got, double want)
{
    diag("step %d cell (%lld,%lld,%lld): got %.17g want %.17g", s, (long long)(q % NX), (long long)(q / NX % NY),
         (long long)(q / NX / NY), got, want);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void refusals(void)
{
    /* the registry: a stencil shape belongs to a grid read role with a halo */
    sd_codelet bad = codelets[1];
    bad.name = "t.box_no_halo", bad.model = "t.box_no_halo";
    bad.roles[0].halo = 0;
    ok(sd_codelet_register(&bad) != 0, "registry refuses box on a role without halo");
    bad = codelets[1];
    bad.name = "t.box_write", bad.model = "t.box_write";
    bad.roles[1].box = 1;
    ok(sd_codelet_register(&bad) != 0, "registry refuses box on a write role");
    bad = codelets[1];
    bad.name = "t.box_two", bad.model = "t.box_two";
    bad.roles[0].box = 2;
    ok(sd_codelet_register(&bad) != 0, "registry refuses a box value other than 0 and 1");

    /* the loader: which fields are full-box; box + absorbing refused */
    char err[2048], text[1024];
    graph_text(text, sizeof text, 1);
    sd_graph *g = sd_graph_parse("box.yaml", text, err, sizeof err);
    ok(g && g->fields[0].box == 1 && g->fields[0].halo == 1, "a field read through a full-box role is marked box");
    sd_graph_free(g);
    static const char star[] =
        "domain:\n  grid: {shape: [8, 8, 8], spacing: 1}\n"
        "fields:\n  u: {levels: [u, u_next]}\n"
        "init:\n  - op: t.hash_init\n    write: {u: u}\n"
        "step:\n  - op: t.star27\n    read: {in: u}\n    write: {out: u_next}\n"
        "run: {steps: 1, dt: 1}\n";
    g = sd_graph_parse("star.yaml", star, err, sizeof err);
    ok(g && g->fields[0].box == 0, "a field read through star roles only is not");
    sd_graph_free(g);
    static const char absorb[] =
        "domain:\n  grid: {shape: [8, 8, 8], spacing: 1, boundary: [periodic, absorbing, periodic]}\n"
        "fields:\n  u: {levels: [u_prev, u, u_next]}\n"
        "init:\n  - op: t.hash_init\n    write: {u: u_prev}\n  - op: t.hash_init\n    write: {u: u}\n"
        "step:\n  - op: %s\n    read: {in: u}\n    write: {out: u_next}\n"
        "run: {steps: 1, dt: 1}\n";
    snprintf(text, sizeof text, absorb, "t.box27");
    g = sd_graph_parse("absorb.yaml", text, err, sizeof err);
    ok(!g && strstr(err, "absorb.yaml:12:") && strstr(err, "axis y is absorbing") && strstr(err, "full-box"),
       "a full-box stencil on a grid with an absorbing axis is refused at load, at the binding");
    diag("%s", err);
    sd_graph_free(g);
    snprintf(text, sizeof text, absorb, "t.star27");
    g = sd_graph_parse("absorb-star.yaml", text, err, sizeof err);
    ok(g != NULL, "the same graph with a star stencil loads");
    if (!g) diag("%s", err);
    sd_graph_free(g);
}

int main(void)
{
    sd_register_builtin_codelets();
    ok(sd_codelet_register_table("t_box_stencil", codelets, sizeof codelets / sizeof codelets[0]) == 0,
       "a 27-point full-box stencil registers");
    refusals();

    static const struct { int64_t tile[3]; int halo, ncpu; const char *sched, *what; } runs[] = {
        {{NX, NY, NZ}, 1, 1, "lws", "one tile: every axis wraps in place"},
        {{12, 10, 8}, 1, 2, "eager", "2x2x2: each tile is both neighbours of the other on each axis"},
        {{8, 10, 4}, 1, 3, "lws", "3x2x4"},
        {{5, 7, 6}, 1, 4, "dmda", "5x3x3 uneven (5,5,5,5,4 / 7,7,6 / 6,5,5)"},
        {{1, NY, 1}, 1, 2, "lws", "24x1x16 tiles one cell thin in x and z, as thin as the halo"},
        {{2, 2, NZ}, 2, 3, "eager", "12x10x1 tiles two cells thin in x and y, halo 2"},
        {{7, 20, 3}, 2, 1, "lws", "4x1x6 uneven, halo 2, y wraps in place"},
    };
    enum { NR = sizeof runs / sizeof runs[0] };
    const size_t n = (size_t)NX * NY * NZ;
    double t0 = now();
    double *ref = reference();
    diag("naive reference: %.3f s", now() - t0);
    for (int r = 0; r < NR; r++) {
        char text[1024], out[1024];
        graph_text(text, sizeof text, runs[r].halo);
        snprintf(out, sizeof out, "%s/box%d.h5", tmpdir(), r);
        const run_spec spec = {{runs[r].tile[0], runs[r].tile[1], runs[r].tile[2]}, runs[r].ncpu, runs[r].sched};
        t0 = now();
        int rc = run_graph_text("box.yaml", text, out, &spec);
        double wall = now() - t0;
        if (!ok(rc != -1, "graph loads")) continue;
        if (!ok(rc == 0, "%s, %d CPUs, %s: runs (%.2f s)", runs[r].what, runs[r].ncpu, runs[r].sched, wall)) continue;
        int64_t cells;
        const int64_t wrong = field_steps_differ(out, "u", STEPS, ref, n, &cells, describe);
        ok(cells == (int64_t)n * STEPS && wrong == 0, "  u bitwise equal to the naive periodic loop at steps 1..%d (%lld wrong)",
           STEPS, (long long)wrong);
        remove(out);
    }
    free(ref);
    return tap_done();
}
