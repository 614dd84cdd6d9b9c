/* loader_codelets.h - the codelets the loader tests register (t_loader.c: malformed graphs,
 * t_loader_good.c: well-formed ones): grid test ops with a CFL validate hook, particle ops, and a
 * particle validate hook that keeps what it saw. Definitions, for inclusion by one test program. */
#ifndef SD_TESTS_LOADER_CODELETS_H
#define SD_TESTS_LOADER_CODELETS_H
#include <stdio.h>
#include "graph.h"

static void nop(const sd_tile_args *a) { (void)a; }

/* CFL-like refusal: c*dt/dx must be <= 1 */
static int leap_validate(const sd_check_info *in, char *msg, size_t len)
{
    double cfl = in->param[0] * in->dt / in->dx[0];
    if (cfl > 1) {
        snprintf(msg, len, "CFL number c*dt/dx = %g > 1 (expected dt <= %g)", cfl, in->dx[0] / in->param[0]);
        return 1;
    }
    return 0;
}

#define FR(n, h) {.name = n, .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = h}
#define FW(n) {.name = n, .mode = SD_WRITE, .kind = SD_ROLE_FIELD}
#define FRW(n) {.name = n, .mode = SD_READWRITE, .kind = SD_ROLE_FIELD}
#define SR(n) {.name = n, .mode = SD_READ, .kind = SD_ROLE_SCALAR}
#define SW(n, r) {.name = n, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = r}

static const sd_codelet test_codelets[] = {
    {.name = "test.fill", .pattern = SD_POINTWISE, .nroles = 1, .roles = {FW("out")}, .nparams = 1,
     .params = {{.name = "value", .def = 0, .min = -1e300, .max = 1e300}}, .cpu = nop, .model = "t.fill"},
    {.name = "test.leap", .pattern = SD_STENCIL, .nroles = 3,
     .roles = {{.name = "u", .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = 1, .dtypes = 1 << SD_F64}, FR("u_prev", 0), FW("u_next")},
     .nparams = 2, .params = {{.name = "c", .min = 0, .max = 100, .required = 1}, {.name = "mass", .def = 1, .min = 0, .max = 10}},
     .cpu = nop, .validate = leap_validate, .model = "t.leap"},
    {.name = "test.sum", .pattern = SD_REDUCTION, .nroles = 2, .roles = {FR("u", 0), SW("s", SD_REDUCE_SUM)}, .cpu = nop,
     .model = "t.sum"},
    {.name = "test.grad2", .pattern = SD_REDUCTION, .nroles = 2, .roles = {FR("u", 2), SW("e", SD_REDUCE_SUM)}, .cpu = nop,
     .model = "t.grad2"},
    {.name = "test.vec", .pattern = SD_POINTWISE, .nroles = 1,
     .roles = {{.name = "v", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .ncomp = 3}}, .cpu = nop, .model = "t.vec"},
    {.name = "test.axpy", .pattern = SD_POINTWISE, .nroles = 2, .roles = {FR("x", 0), FRW("y")}, .nparams = 1,
     .params = {{.name = "a", .def = 1, .min = -10, .max = 10}}, .cpu = nop, .model = "t.axpy"},
    {.name = "test.scale", .pattern = SD_POINTWISE, .nroles = 2, .roles = {SR("s"), FRW("y")}, .cpu = nop, .model = "t.scale"},
    /* a pattern no domain class implements yet */
    {.name = "test.scatter", .pattern = SD_SCATTER_ADD, .nroles = 1, .roles = {FR("u", 0)}, .cpu = nop,
     .model = "t.scatter"},
    {.name = "common.count_nonfinite", .pattern = SD_REDUCTION, .nroles = 2,
     .roles = {FR("x", 0), SW("count", SD_REDUCE_COUNT_NONFINITE)}, .cpu = nop, .model = "t.count_nonfinite"},
};

/* particle codelets; ptest.temp's validate hook keeps what it saw (call_validate's particle info) */
static sd_check_info seen_info;
static double seen_mass[8];

static int temp_validate(const sd_check_info *in, char *msg, size_t len)
{
    (void)msg;
    (void)len;
    seen_info = *in;
    for (int t = 0; t < in->ntypes && t < 8; t++) seen_mass[t] = in->mass[t];
    return 0;
}

#define V3(n, m) {.name = n, .mode = m, .kind = SD_ROLE_FIELD, .ncomp = 3}
static const sd_codelet particle_codelets[] = {
    {.name = "ptest.lattice", .pattern = SD_POINTWISE, .domain = SD_ON_PARTICLES, .nroles = 2,
     .roles = {V3("x", SD_WRITE), V3("v", SD_WRITE)}, .cpu = nop, .model = "pt.lattice"},
    {.name = "ptest.force", .pattern = SD_NEIGHBOR, .domain = SD_ON_PARTICLES, .nroles = 2,
     .roles = {{.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = 1, .ncomp = 3}, V3("f", SD_WRITE)},
     .cpu = nop, .model = "pt.force"},
    /* declarations only a domain class can judge: a halo wider than 1 on particles; a grid pattern */
    {.name = "ptest.wide", .pattern = SD_NEIGHBOR, .domain = SD_ON_PARTICLES, .nroles = 2,
     .roles = {{.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = 2, .ncomp = 3}, V3("f", SD_WRITE)},
     .cpu = nop, .model = "pt.wide"},
    {.name = "ptest.stencil", .pattern = SD_STENCIL, .domain = SD_ON_PARTICLES, .nroles = 2,
     .roles = {{.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = 1, .ncomp = 3}, V3("f", SD_WRITE)},
     .cpu = nop, .model = "pt.stencil"},
    {.name = "ptest.kick", .pattern = SD_POINTWISE, .domain = SD_ON_PARTICLES, .nroles = 2,
     .roles = {V3("f", SD_READ), V3("v", SD_READWRITE)}, .cpu = nop, .model = "pt.kick"},
    {.name = "ptest.temp", .pattern = SD_REDUCTION, .domain = SD_ON_PARTICLES, .nroles = 3,
     .roles = {V3("v", SD_READ), SW("ke", SD_REDUCE_SUM), SW("T", SD_REDUCE_SUM)}, .cpu = nop, .validate = temp_validate,
     .model = "pt.temp"},
};

/* the smallest grid domain and run section, shared by the graphs of both programs */
#define D1 "domain:\n  grid: {shape: [8], spacing: 1}\n"
#define R1 "run: {steps: 1, dt: 0.1}\n"

/* Registers both tables; 1 (after a "Bail out!" line) when one is refused. */
static int register_loader_codelets(void)
{
    for (size_t i = 0; i < sizeof test_codelets / sizeof test_codelets[0]; i++)
        if (sd_codelet_register(&test_codelets[i])) {
            printf("Bail out! cannot register %s\n", test_codelets[i].name);
            return 1;
        }
    for (size_t i = 0; i < sizeof particle_codelets / sizeof particle_codelets[0]; i++)
        if (sd_codelet_register(&particle_codelets[i])) {
            printf("Bail out! cannot register %s\n", particle_codelets[i].name);
            return 1;
        }
    return 0;
}

#endif
