/* custom_codelet.c - registering your own codelet through stardag's public C API and running a
 * graph that uses it.
 *
 * The codelet, example.damp, multiplies a field's two time levels by exp(-gamma dt): a friction
 * term added to the Klein-Gordon leapfrog after each step. The kernel is a pure function on a tile
 * (no StarPU in it); stardag runs it on every tile of the field as StarPU tasks. The graph checks
 * that the damped energy stays below its initial value and above zero.
 *
 *   cc custom_codelet.c $(pkg-config --cflags --libs stardag) -lm && ./a.out [STEPS]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stardag/stardag.h>

/* Per-element math, written once (SD_HD makes it usable from CUDA too). */
SD_HD double damp_value(double x, double factor) { return x * factor; }

static void damp_cpu(const sd_tile_args *a)
{
    double factor = exp(-a->param[0] * a->dt);
    for (int b = 0; b < 2; b++) {
        double *x = a->p[b];
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                double *row = x + sd_at(a, b, 0, j, k, 0);
                for (int64_t i = 0; i < a->n[0]; i++) row[i] = damp_value(row[i], factor);
            }
    }
}

static const sd_codelet damp = {
    .name = "example.damp",
    .doc = "multiply a field and its previous level by exp(-gamma dt)",
    .pattern = SD_POINTWISE,
    .nroles = 2,
    .roles = {{.name = "E", .mode = SD_READWRITE, .ncomp = 1, .dtypes = 1 << SD_F64, .doc = "current level"},
              {.name = "E_prev", .mode = SD_READWRITE, .ncomp = 1, .dtypes = 1 << SD_F64, .doc = "previous level"}},
    .nparams = 1,
    .params = {{.name = "gamma", .def = 0.01, .min = 0, .max = 1e6, .doc = "damping rate"}},
    .cpu = damp_cpu,
    .model = "example.damp",
};

static const char graph[] =
    "name: damped-packet\n"
    "params: {n: 24, gamma: 0.05}\n"
    "domain:\n"
    "  grid: {shape: [n, n, n], spacing: 1.0, boundary: periodic}\n"
    "fields:\n"
    "  E: {levels: [E_prev, E, E_next]}\n"
    "  chi: {}\n"
    "scalars: [energy]\n"
    "init:\n"
    "  - op: common.fill\n"
    "    write: {out: chi}\n"
    "    params: {value: 0.2}\n"
    "  - op: lattice.gaussian_packet\n"
    "    write: {E: E, E_prev: E_prev}\n"
    "    params: {width: 3, kx: 0.5, chi: 0.2}\n"
    "step:\n"
    "  - op: lattice.kg_leapfrog\n"
    "    read: {E: E, E_prev: E_prev, chi: chi}\n"
    "    write: {E_next: E_next}\n"
    "  - op: example.damp\n"
    "    readwrite: {E: E_next, E_prev: E}\n"
    "    params: {gamma: gamma}\n"
    "  - op: lattice.energy\n"
    "    every: 10\n"
    "    read: {E_next: E_next, E: E, chi: chi}\n"
    "    write: {energy: energy}\n"
    "output:\n"
    "  file: damped-packet.h5\n"
    "  scalars: {names: [energy], every: 10}\n"
    "checks:\n"
    "  - range: {scalar: energy, min: 1e-6, max: 20}\n"
    "run: {steps: 100, dt: 0.5}\n";

int main(int argc, char **argv)
{
    sd_register_builtin_codelets();
    if (sd_codelet_register(&damp) != 0) return 1;

    char err[1024];
    sd_graph *g = sd_graph_parse("damped-packet.yaml", graph, err, sizeof err);
    if (!g) {
        fprintf(stderr, "%s\n", err);
        return SD_EXIT_BADGRAPH;
    }
    sd_run_opts o;
    sd_run_opts_init(&o);
    if (argc > 1) o.steps = atoll(argv[1]);
    int status = sd_run(g, &o);
    sd_graph_free(g);
    return status;
}
