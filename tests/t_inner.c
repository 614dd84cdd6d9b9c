/* t_inner.c - a grid with inner axes (untiled per-cell bins) through the whole runtime: a field on
 * bins with 2 components on a 2D periodic grid with 3 x 2 bins per cell is initialised through the
 * kernel view's inner strides, then a stencil that reads ghosts in x and y of every value runs a
 * few steps with several tilings (one tile, 2x2, uneven 3x3, tiles one cell thin) and worker
 * counts; every value of every step is compared bitwise with a naive periodic loop. Also: the
 * output file's dimensions and inner-axes attributes, and the XDMF sidecar leaving the field out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "run_graph.h"
#include "run_util.h"

enum { NX = 10, NY = 8, NT = 3, NE = 2, NC = 2, STEPS = 3 };
enum { NB = NT * NE, NV = NB * NC }; /* bins and values per cell */

/* A value of global cell (i, j), inner bins (t, e), component c: a hash in [0, 1). */
static double init_value(int64_t i, int64_t j, int t, int e, int c)
{
    uint64_t x = (uint64_t)(1 + i + NX * (j + NY * (t + NT * (e + NE * c)))) * 0x9E3779B97F4A7C15ULL;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 29;
    return (double)(x >> 11) * 0x1p-53;
}

/* The per-element math of the stencil, once: the kernel and the reference call it. */
SD_HD double cross5(double c, double w, double e, double s, double n)
{
    return 0.375 * c + 0.25 * w + 0.125 * e + 0.1875 * s + 0.0625 * n;
}

/* Through the view's structure: component c of bin (t, e) at c * sc * bins + t * stride[3] +
 * e * stride[4] from the cell. */
static void bins_init(const sd_tile_args *a)
{
    double *u = a->p[0];
    const int64_t cs = a->sc[0] * a->bins[0];
    for (int c = 0; c < a->ncomp[0] / (int)a->bins[0]; c++)
        for (int e = 0; e < a->inner_n[1]; e++)
            for (int t = 0; t < a->inner_n[0]; t++)
                for (int64_t j = 0; j < a->n[1]; j++)
                    for (int64_t i = 0; i < a->n[0]; i++)
                        u[i + j * a->stride[0][1] + t * a->stride[0][3] + e * a->stride[0][4] + c * cs] =
                            init_value(a->origin[0] + i, a->origin[1] + j, t, e, c);
}

/* Every value of the cell as a component (the generic way). */
static void cross_cpu(const sd_tile_args *a)
{
    const double *u = a->p[0];
    double *out = a->p[1];
    for (int v = 0; v < a->ncomp[0]; v++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++)
                out[sd_at(a, 1, i, j, 0, v)] =
                    cross5(u[sd_at(a, 0, i, j, 0, v)], u[sd_at(a, 0, i - 1, j, 0, v)], u[sd_at(a, 0, i + 1, j, 0, v)],
                           u[sd_at(a, 0, i, j - 1, 0, v)], u[sd_at(a, 0, i, j + 1, 0, v)]);
}

static const sd_codelet codelets[] = {
    {.name = "t.bins_init", .pattern = SD_POINTWISE, .nroles = 1, .cpu = bins_init, .model = "t.bins_init",
     .roles = {{.name = "u", .mode = SD_WRITE, .dtypes = 1 << SD_F64}}},
    {.name = "t.cross", .pattern = SD_STENCIL, .nroles = 2, .cpu = cross_cpu, .model = "t.cross",
     .roles = {{.name = "in", .mode = SD_READ, .halo = 1, .dtypes = 1 << SD_F64},
               {.name = "out", .mode = SD_WRITE, .dtypes = 1 << SD_F64}}},
};

/* Steps 1..STEPS by the naive loop, in the output file's order: [step][c][e][t][j][i]. */
static double *reference(void)
{
    const size_t n = (size_t)NX * NY, nv = n * NV;
    double *ref = malloc(sizeof *ref * nv * STEPS), *u = malloc(sizeof *u * nv);
    for (int c = 0; c < NC; c++)
        for (int e = 0; e < NE; e++)
            for (int t = 0; t < NT; t++)
                for (int j = 0; j < NY; j++)
                    for (int i = 0; i < NX; i++) u[i + NX * (j + NY * (t + NT * (e + NE * c)))] = init_value(i, j, t, e, c);
    for (int s = 0; s < STEPS; s++) {
        double *w = ref + nv * s;
        for (size_t v = 0; v < NV; v++) {
            const double *a = u + v * n;
            for (int j = 0; j < NY; j++)
                for (int i = 0; i < NX; i++)
                    w[v * n + i + NX * j] = cross5(a[i + NX * j], a[(i + NX - 1) % NX + NX * j], a[(i + 1) % NX + NX * j],
                                                   a[i + NX * ((j + NY - 1) % NY)], a[i + NX * ((j + 1) % NY)]);
        }
        memcpy(u, w, sizeof *u * nv);
    }
    free(u);
    return ref;
}

static void describe(int s, int64_t q, double got, double want)
{
    diag("step %d value %lld: got %.17g want %.17g", s, (long long)q, got, want);
}

static const char graph[] =
    "domain:\n  grid:\n    shape: [10, 8]\n    spacing: 1\n"
    "    inner:\n      theta: {count: 3, range: [-90, 90]}\n      E: {count: 2, range: [0.1, 200]}\n"
    "fields:\n  psi: {levels: [psi, psi_next], location: bins, components: 2}\n"
    "init:\n  - op: t.bins_init\n    write: {u: psi}\n"
    "step:\n  - op: t.cross\n    read: {in: psi}\n    write: {out: psi_next}\n"
    "output:\n  fields: {names: [psi], every: 1}\n"
    "run: {steps: 3, dt: 1}\n";

int main(void)
{
    sd_register_builtin_codelets();
    ok(sd_codelet_register_table("t_inner", codelets, sizeof codelets / sizeof codelets[0]) == 0, "codelets register");
    static const struct { int64_t tile[3]; int ncpu; const char *sched, *what; } runs[] = {
        {{NX, NY, 1}, 1, "lws", "one tile: both axes wrap in place"},
        {{5, 4, 1}, 2, "eager", "2x2"},
        {{4, 3, 1}, 3, "lws", "3x3 uneven (4,3,3 / 3,3,2)"},
        {{1, NY, 1}, 2, "dmda", "10x1 tiles one cell thin in x"},
    };
    enum { NR = sizeof runs / sizeof runs[0] };
    const size_t nv = (size_t)NX * NY * NV;
    double *ref = reference();
    for (int r = 0; r < NR; r++) {
        char out[1024];
        snprintf(out, sizeof out, "%s/inner%d.h5", tmpdir(), r);
        const run_spec spec = {{runs[r].tile[0], runs[r].tile[1], runs[r].tile[2]}, runs[r].ncpu, runs[r].sched};
        int rc = run_graph_text("inner.yaml", graph, out, &spec);
        if (!ok(rc != -1, "graph loads")) continue;
        if (!ok(rc == 0, "%s, %d CPUs, %s: runs", runs[r].what, runs[r].ncpu, runs[r].sched)) continue;
        int64_t values;
        const int64_t wrong = field_steps_differ(out, "psi", STEPS, ref, nv, &values, describe);
        ok(values == (int64_t)nv * STEPS && wrong == 0,
           "  every value of every bin bitwise equal to the naive periodic loop at steps 1..%d (%lld wrong)", STEPS,
           (long long)wrong);
        if (r == 0) {
            char cmd[4096];
            snprintf(cmd, sizeof cmd, "h5ls '%s/fields/psi/00000001' && h5dump -a /fields/psi/inner_axes -a "
                     "/fields/psi/inner_counts '%s'", out, out);
            FILE *p = popen(cmd, "r");
            char buf[8192] = "";
            size_t got = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
            int prc = p ? pclose(p) : -1;
            buf[got] = 0;
            /* h5ls and h5dump come with hdf5-tools, which scripts/setup.sh installs */
            ok(prc == 0 && strstr(buf, "Dataset {2, 2, 3, 8, 10}") != NULL, "the dataset is [component][E][theta][y][x]");
            ok(strstr(buf, "\"theta,E\"") != NULL && strstr(buf, "3, 2") != NULL,
               "the field's group names the inner axes and their counts");
            char xmf[1100];
            snprintf(xmf, sizeof xmf, "%s/inner0.xmf", tmpdir());
            FILE *f = fopen(xmf, "r");
            char text[16384] = "";
            size_t nt = f ? fread(text, 1, sizeof text - 1, f) : 0;
            if (f) fclose(f);
            text[nt] = 0;
            ok(f && strstr(text, "<Grid") && !strstr(text, "\"psi"), "the XDMF sidecar describes the grid and leaves psi out");
        }
        remove(out);
    }
    free(ref);
    return tap_done();
}
