/* t_loader.c - the graph loader: malformed graphs give the exact expected message (file:line:col
 * included), well-formed ones give the expected sd_graph. Registers its own test codelets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graph.h"
#include "tap.h"

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

/* ---- malformed graphs -------------------------------------------------------------------- */

#define D1 "domain:\n  grid: {shape: [8], spacing: 1}\n"
#define R1 "run: {steps: 1, dt: 0.1}\n"
#define U "fields:\n  u: {}\n"
#define UL "fields:\n  u: {levels: [u_prev, u, u_next]}\n"
/* a particle domain (lines 1-2) and its position and velocity fields (3 lines, after R1) */
#define P1 "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5}\n"
#define XV "fields:\n  x: {components: 3}\n  v: {components: 3}\n"
#define PTS "domain:\n  particles:\n    count: 100\n    box: 10\n    cutoff: 2.5\n    types:\n" /* lines 1-6 */
#define AR "      - {name: Ar, mass: 40, epsilon: 1, sigma: 1, count: 50}\n"
#define KR "      - {name: Kr, mass: 84, epsilon: 1.4, sigma: 1.1, count: 50}\n"

typedef struct bad {
    const char *what, *yaml, *want;
} bad;

static const bad bads[] = {
    {"YAML syntax error", "domain: {grid: [8\nrun: {steps: 1}\n",
     "g.yaml:2:4: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 16)"},
    {"empty file", "",
     "g.yaml:1:1: the graph is empty (expected a map with domain, fields, step, run, ...)"},
    {"only comments", "# nothing here\n",
     "g.yaml:1:1: the graph is empty (expected a map with domain, fields, step, run, ...)"},
    {"top level is a list", "- domain\n- run\n",
     "g.yaml:1:1: expected a map of sections at top level, got a list"},
    {"unknown top-level key", D1 R1 "stpe: []\n",
     "g.yaml:4:1: unknown key 'stpe' at top level (did you mean 'step'?)"},
    {"unknown top-level key, nothing close", D1 R1 "colour: red\n",
     "g.yaml:4:1: unknown key 'colour' at top level (expected one of: name, params, domain, fields, scalars, tables, tiles, init, step, output, checks, run, plugins)"},
    {"duplicate key", D1 R1 "run: {steps: 2, dt: 0.1}\n",
     "g.yaml:4:1: duplicate key 'run' (first at line 3)"},
    {"second document", D1 R1 "---\n" D1,
     "g.yaml:5:1: a second YAML document (expected one graph per file)"},
    {"missing domain", R1,
     "g.yaml:1:1: missing key 'domain' at top level (expected domain: {grid: {shape: [...], spacing: ...}})"},
    {"missing run", D1,
     "g.yaml:1:1: missing key 'run' at top level (expected run: {steps: N, dt: DT})"},
    {"batch without a system", "domain:\n  batch: {count: 10}\n" R1,
     "g.yaml:2:3: domain.batch needs system (a registered system's name, or {vars, params, dydt})"},
    {"misspelt particles", "domain:\n  particels: {count: 10}\n" R1,
     "g.yaml:2:3: unknown domain kind 'particels' (did you mean 'particles'?)"},
    {"unknown domain kind", "domain:\n  gird: {shape: [8], spacing: 1}\n" R1,
     "g.yaml:2:3: unknown domain kind 'gird' (did you mean 'grid'?)"},
    {"two domain kinds", "domain:\n  grid: {shape: [8], spacing: 1}\n  mesh: {}\n" R1,
     "g.yaml:3:3: domain has a second kind 'mesh' after 'grid' (expected exactly one)"},
    {"shape 0", "domain:\n  grid: {shape: [0], spacing: 1}\n" R1,
     "g.yaml:2:18: a shape entry must be >= 1, got 0"},
    {"shape negative", "domain:\n  grid: {shape: [8, -2], spacing: 1}\n" R1,
     "g.yaml:2:21: a shape entry must be >= 1, got -2"},
    {"shape with 4 axes", "domain:\n  grid: {shape: [2, 2, 2, 2], spacing: 1}\n" R1,
     "g.yaml:2:17: shape has 4 axes (expected 1 to 3 cell counts, x first)"},
    {"shape not integral", "domain:\n  grid: {shape: [8.5], spacing: 1}\n" R1,
     "g.yaml:2:18: a shape entry must be an integer, got 8.5"},
    {"shape not a list", "domain:\n  grid: {shape: 8, spacing: 1}\n" R1,
     "g.yaml:2:17: expected a list of 1 to 3 cell counts for shape, got '8'"},
    {"spacing count mismatch", "domain:\n  grid: {shape: [8, 8], spacing: [1, 1, 1]}\n" R1,
     "g.yaml:2:34: spacing has 3 values for a 2-axis grid (expected 1 or 2)"},
    {"spacing not positive", "domain:\n  grid: {shape: [8], spacing: 0}\n" R1,
     "g.yaml:2:31: spacing must be > 0, got 0"},
    {"bad boundary kind", "domain:\n  grid: {shape: [8], spacing: 1, boundary: periodc}\n" R1,
     "g.yaml:2:44: unknown boundary 'periodc' (did you mean 'periodic'?)"},
    {"unknown key in grid", "domain:\n  grid: {shape: [8], spacing: 1, boundry: fixed}\n" R1,
     "g.yaml:2:34: unknown key 'boundry' in domain.grid (did you mean 'boundary'?)"},
    {"unknown param in expression", "params: {n: 8}\ndomain:\n  grid: {shape: [nn], spacing: 1}\n" R1,
     "g.yaml:3:18: undefined name 'nn' (did you mean 'n'?)"},
    {"expression syntax error", "params: {n: 8, m: 2*(n+1}\n" D1 R1,
     "g.yaml:1:19: syntax error in expression '2*(n+1': expected ')' at end of expression"},
    {"expression with a stray character", "params: {n: 8, m: 2*#n}\n" D1 R1,
     "g.yaml:1:19: syntax error in expression '2*#n': expected a number, a name or '(' at character 3, found '#'"},
    {"unknown function", "params: {n: 8, m: sqr(n)}\n" D1 R1,
     "g.yaml:1:19: unknown function 'sqr' in 'sqr(n)' (did you mean 'sqrt'?)"},
    {"division by zero", "params:\n  a: 0\n  b: 1/a\n" D1 R1,
     "g.yaml:3:6: division by zero in '1/a'"},
    {"non-finite expression", "params:\n  a: exp(1000)\n" D1 R1,
     "g.yaml:2:6: 'exp(1000)' is not a finite number"},
    {"forward reference", "params:\n  a: b*2\n  b: 1\n" D1 R1,
     "g.yaml:2:6: param 'b' is used in 'b*2' before it is defined (expressions may use only earlier params)"},
    {"dt in params", "params:\n  a: 2*dt\n" D1 R1,
     "g.yaml:2:6: 'dt' is not known in '2*dt' (dt is run.dt, usable in run, ops and checks; params may not use it)"},
    {"list where a number is expected", D1 "run: {steps: [1], dt: 0.1}\n",
     "g.yaml:3:14: expected a number or expression, got a list"},
    {"map where a list is expected", D1 R1 "scalars: {a: 1}\n",
     "g.yaml:4:10: expected a list of scalar names, got a map"},
    {"bad dtype", D1 R1 "fields:\n  u: {dtype: f16}\n",
     "g.yaml:5:14: unknown dtype 'f16' (expected f64 or f32)"},
    {"components 0", D1 R1 "fields:\n  u: {components: 0}\n",
     "g.yaml:5:19: components must be >= 1, got 0"},
    {"too many levels", D1 R1 "fields:\n  u: {levels: [a, b, c, d, e]}\n",
     "g.yaml:5:15: levels has 5 names (expected 2 to 4, oldest first)"},
    {"duplicate level and field name", D1 R1 "fields:\n  u: {levels: [u_prev, u]}\n  u_prev: {}\n",
     "g.yaml:6:3: duplicate name 'u_prev' (already a level at line 5; fields, levels, scalars and tables share one namespace)"},
    {"duplicate field and scalar name", D1 R1 U "scalars: [u]\n",
     "g.yaml:6:11: duplicate name 'u' (already a field at line 5; fields, levels, scalars and tables share one namespace)"},
    {"reserved name", D1 R1 "scalars: [__x]\n",
     "g.yaml:4:11: name '__x' is reserved (names starting with '__' are the runtime's)"},
    {"unknown codelet", D1 R1 U "step:\n  - op: test.leep\n",
     "g.yaml:7:9: unknown codelet 'test.leep' (did you mean 'test.leap'?)"},
    {"unknown key in op", D1 R1 U "init:\n  - op: test.fill\n    wrte: {out: u}\n",
     "g.yaml:8:5: unknown key 'wrte' in init op 1 (did you mean 'write'?)"},
    {"unknown role", D1 R1 U "init:\n  - op: test.fill\n    write: {outt: u}\n",
     "g.yaml:8:13: test.fill has no role 'outt' (did you mean 'out'?)"},
    {"missing role", D1 R1 UL "step:\n  - op: test.leap\n    read: {u: u, u_prev: u_prev}\n    params: {c: 1}\n",
     "g.yaml:7:9: op test.leap is missing role 'u_next' (expected in write)"},
    {"missing roles", D1 R1 UL "step:\n  - op: test.leap\n    read: {u: u}\n    params: {c: 1}\n",
     "g.yaml:7:9: op test.leap is missing roles: u_prev (read), u_next (write)"},
    {"role in the wrong section", D1 R1 U "init:\n  - op: test.fill\n    read: {out: u}\n",
     "g.yaml:8:12: role 'out' of test.fill belongs in write, not read"},
    {"field bound to a scalar role", D1 R1 U "step:\n  - op: test.sum\n    read: {u: u}\n    write: {s: u}\n",
     "g.yaml:9:16: role 's' of test.sum needs a scalar, but 'u' is a field"},
    {"scalar bound to a field role", D1 R1 U "scalars: [e]\nstep:\n  - op: test.sum\n    read: {u: e}\n    write: {s: e}\n",
     "g.yaml:9:15: role 'u' of test.sum needs a field, but 'e' is a scalar"},
    {"unknown field in binding", D1 R1 UL "init:\n  - op: test.fill\n    write: {out: u_nxt}\n",
     "g.yaml:8:18: unknown field or scalar 'u_nxt' (did you mean 'u_next'?)"},
    {"binding a rotating field by its name", D1 R1 "fields:\n  w: {levels: [w0, w1]}\ninit:\n  - op: test.fill\n    write: {out: w}\n",
     "g.yaml:8:18: field 'w' has time levels; bind one of them (w0, w1)"},
    {"halo below declared", D1 R1 UL "step:\n  - op: test.leap\n    read: {u: {field: u, halo: 0}, u_prev: u_prev}\n    write: {u_next: u_next}\n    params: {c: 1}\n",
     "g.yaml:8:32: halo 0 is below the halo 1 that test.leap declares for role 'u' (expected >= 1)"},
    {"halo on a non-halo role", D1 R1 UL "step:\n  - op: test.leap\n    read: {u: u, u_prev: {field: u_prev, halo: 1}}\n    write: {u_next: u_next}\n    params: {c: 1}\n",
     "g.yaml:8:42: role 'u_prev' of test.leap reads no neighbour cells, so it takes no halo"},
    {"unknown op param", D1 R1 U "init:\n  - op: test.fill\n    write: {out: u}\n    params: {valeu: 1}\n",
     "g.yaml:9:14: test.fill has no param 'valeu' (did you mean 'value'?)"},
    {"missing required param", D1 R1 UL "step:\n  - op: test.leap\n    read: {u: u, u_prev: u_prev}\n    write: {u_next: u_next}\n",
     "g.yaml:7:9: op test.leap needs param 'c' (required)"},
    {"param out of range", D1 R1 UL "step:\n  - op: test.leap\n    read: {u: u, u_prev: u_prev}\n    write: {u_next: u_next}\n    params: {c: 1, mass: -1}\n",
     "g.yaml:10:26: param 'mass' of test.leap is -1, out of its range [0, 10]"},
    {"components mismatch", D1 R1 U "step:\n  - op: test.vec\n    readwrite: {v: u}\n",
     "g.yaml:8:20: field 'u' has 1 component, but role 'v' of test.vec needs 3"},
    {"components differ between roles", D1 R1 "fields:\n  u: {}\n  w: {components: 2}\n"
     "init:\n  - op: test.fill\n    write: {out: u}\n  - op: test.fill\n    write: {out: w}\n"
     "step:\n  - op: test.axpy\n    read: {x: u}\n    readwrite: {y: w}\n",
     "g.yaml:15:20: fields 'u' (1 component) and 'w' (2 components) of one op must have the same components"},
    {"dtype refused by a role", D1 R1 "fields:\n  u: {dtype: f32, levels: [u_prev, u, u_next]}\nstep:\n  - op: test.leap\n    read: {u: u, u_prev: u_prev}\n    write: {u_next: u_next}\n    params: {c: 1}\n",
     "g.yaml:8:15: field 'u' is f32, but role 'u' of test.leap accepts only f64"},
    {"dtype mismatch inside an op", D1 R1 "fields:\n  x: {dtype: f32}\n  y: {}\nstep:\n  - op: test.axpy\n    read: {x: x}\n    readwrite: {y: y}\n",
     "g.yaml:10:20: fields 'x' (f32) and 'y' (f64) of one op must have the same dtype"},
    {"read of a never-written field", D1 R1 "fields:\n  x: {}\n  y: {}\ninit:\n  - op: test.fill\n    write: {out: y}\nstep:\n  - op: test.axpy\n    read: {x: x}\n    readwrite: {y: y}\n",
     "g.yaml:11:9: op test.axpy reads 'x', which nothing writes before it (write it in init, e.g. with common.fill)"},
    {"read of a never-written scalar", D1 R1 U "scalars: [s]\ninit:\n  - op: test.fill\n    write: {out: u}\nstep:\n  - op: test.scale\n    read: {s: s}\n    readwrite: {y: u}\n",
     "g.yaml:11:9: op test.scale reads scalar 's', which nothing writes before it (expected an earlier op writing it)"},
    {"lost write", D1 R1 U "step:\n  - op: test.fill\n    write: {out: u}\n  - op: test.fill\n    write: {out: u}\n",
     "g.yaml:10:18: field 'u' is written by op 1 (line 7) and again here; the first write is lost (expected readwrite, or a different field)"},
    {"validate hook refuses (CFL)", D1 R1 UL "init:\n  - op: test.fill\n    write: {out: u}\n  - op: test.fill\n    write: {out: u_prev}\nstep:\n  - op: test.leap\n    read: {u: u, u_prev: u_prev}\n    write: {u_next: u_next}\n    params: {c: 20}\n",
     "g.yaml:12:9: test.leap: CFL number c*dt/dx = 2 > 1 (expected dt <= 0.05)"},
    {"every on an init op", D1 R1 U "init:\n  - op: test.fill\n    write: {out: u}\n    every: 2\n",
     "g.yaml:9:5: every is only allowed in step ops (init ops run once)"},
    {"every below 1", D1 R1 U "step:\n  - op: test.fill\n    write: {out: u}\n    every: 0\n",
     "g.yaml:9:12: every must be >= 1, got 0"},
    {"steps and end_time", D1 "run: {steps: 10, dt: 0.1, end_time: 1}\n",
     "g.yaml:3:27: run has both steps and end_time (expected one of them)"},
    {"neither steps nor end_time", D1 "run: {dt: 0.1}\n",
     "g.yaml:3:1: run needs steps or end_time"},
    {"dt zero", D1 "run: {steps: 10, dt: 0}\n",
     "g.yaml:3:22: dt must be > 0, got 0"},
    {"dt negative", D1 "run: {steps: 10, dt: -0.5}\n",
     "g.yaml:3:22: dt must be > 0, got -0.5"},
    {"unknown key in run", D1 "run:\n  stpes: 10\n  dt: 0.1\n",
     "g.yaml:4:3: unknown key 'stpes' in run (did you mean 'steps'?)"},
    {"tile larger than the grid", D1 R1 "tiles: [16]\n",
     "g.yaml:4:9: tile extent 16 is larger than the grid (shape[0] = 8)"},
    {"tile count mismatch", D1 R1 "tiles: [4, 4]\n",
     "g.yaml:4:8: tiles has 2 values for a 1-axis grid (expected 1, or auto)"},
    {"output of an unknown field", D1 R1 U "output:\n  fields: {names: [v], every: 1}\n",
     "g.yaml:7:20: unknown field 'v' (expected a name from fields)"},
    {"output fields without every", D1 R1 U "output:\n  fields: {names: [u]}\n",
     "g.yaml:7:3: output.fields needs every (an integer >= 0; 0 = never)"},
    {"drift on an unknown scalar", D1 R1 "scalars: [energy]\nchecks:\n  - drift: {scalar: enrgy, rtol: 1e-10}\n",
     "g.yaml:6:21: unknown scalar 'enrgy' (did you mean 'energy'?)"},
    {"negative rtol", D1 R1 "scalars: [energy]\nchecks:\n  - drift: {scalar: energy, rtol: -1}\n",
     "g.yaml:6:35: rtol must be >= 0, got -1"},
    {"unknown check", D1 R1 "scalars: [energy]\nchecks:\n  - drfit: {scalar: energy, rtol: 1}\n",
     "g.yaml:6:5: unknown check 'drfit' (did you mean 'drift'?)"},
    {"range with min above max", D1 R1 "scalars: [energy]\nchecks:\n  - range: {scalar: energy, min: 2, max: 1}\n",
     "g.yaml:6:42: range max 1 is below min 2"},
    {"read of a level emptied by rotation", D1 R1 "fields:\n  w: {levels: [a, b, c]}\nscalars: [s1, s2]\ninit:\n  - op: test.fill\n    write: {out: b}\n  - op: test.fill\n    write: {out: c}\nstep:\n  - op: test.sum\n    read: {u: b}\n    write: {s: s1}\n  - op: test.sum\n    read: {u: c}\n    write: {s: s2}\n",
     "g.yaml:16:9: op test.sum reads 'c', which nothing writes before it (write it in init, e.g. with common.fill)"},
    {"absorbing without levels", "domain:\n  grid: {shape: [8], spacing: 1, boundary: absorbing}\n" R1 "fields:\n  u: {}\nscalars: [e]\nstep:\n  - op: test.grad2\n    read: {u: u}\n    write: {e: e}\n",
     "g.yaml:9:15: absorbing boundaries need field u to have time levels (expected levels: [u_prev, u, ...])"},
    {"absorbing reading the oldest level", "domain:\n  grid: {shape: [8], spacing: 1, boundary: absorbing}\n" R1 "fields:\n  u: {levels: [u0, u1]}\nscalars: [e]\nstep:\n  - op: test.grad2\n    read: {u: u0}\n    write: {e: e}\n",
     "g.yaml:9:15: absorbing boundaries compute the ghosts of 'u0' from the previous level, but it is the oldest level of field u (expected a newer level, or an older one listed before it)"},

    /* particle domains */
    {"particles: unknown key", "domain:\n  particles: {count: 100, box: 10, cuttoff: 2.5}\n" R1 XV,
     "g.yaml:2:36: unknown key 'cuttoff' in domain.particles (did you mean 'cutoff'?)"},
    {"particles: no count", "domain:\n  particles: {box: 10, cutoff: 2.5}\n" R1 XV,
     "g.yaml:2:3: domain.particles needs count (the number of particles, >= 1)"},
    {"particles: count 0", "params: {cells: 0}\ndomain:\n  particles: {count: 4*cells^3, box: 10, cutoff: 2.5}\n" R1 XV,
     "g.yaml:3:22: count must be >= 1, got 0"},
    {"particles: no box", "domain:\n  particles: {count: 100, cutoff: 2.5}\n" R1 XV,
     "g.yaml:2:3: domain.particles needs box (the periodic box: one length, or [L_x, L_y, L_z])"},
    {"particles: box with 2 lengths", "domain:\n  particles: {count: 100, box: [10, 10], cutoff: 2.5}\n" R1 XV,
     "g.yaml:2:32: box has 2 values (expected one length, or 3: [L_x, L_y, L_z])"},
    {"particles: box length 0", "domain:\n  particles: {count: 100, box: [10, 0, 10], cutoff: 2.5}\n" R1 XV,
     "g.yaml:2:37: box length L_y must be > 0, got 0"},
    {"particles: no cutoff", "domain:\n  particles: {count: 100, box: 10}\n" R1 XV,
     "g.yaml:2:3: domain.particles needs cutoff (the Lennard-Jones cutoff r_c, > 0)"},
    {"particles: unknown units", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, units: lk}\n" R1 XV,
     "g.yaml:2:56: unknown units 'lk' (did you mean 'lj'?)"},
    {"particles: shift not a bool", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, shift: maybe}\n" R1 XV,
     "g.yaml:2:56: expected true or false for shift, got 'maybe'"},
    {"particles: unknown precision", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, precision: single}\n" R1 XV,
     "g.yaml:2:60: unknown precision 'single' (expected double or mixed)"},
    {"particles: cutoff + skin over half the box", "domain:\n  particles: {count: 100, box: [10, 5, 10], cutoff: 2.5}\n" R1 XV,
     "g.yaml:2:53: cutoff + skin = 2.8 is more than half the box (L_y = 5): the minimum-image convention needs cutoff + skin <= L/2 (a bigger box, or a smaller cutoff/skin)"},
    {"particles: skin over half the box", "domain:\n  particles:\n    count: 100\n    box: 6\n    cutoff: 2.5\n    neighbor: {skin: 1}\n" R1 XV,
     "g.yaml:6:22: cutoff + skin = 3.5 is more than half the box (L = 6): the minimum-image convention needs cutoff + skin <= L/2 (a bigger box, or a smaller cutoff/skin)"},
    {"particles: neighbor every 0", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, neighbor: {every: 0}}\n" R1 XV,
     "g.yaml:2:67: neighbor every must be >= 1, got 0"},
    {"particles: negative skin", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, neighbor: {skin: -0.1}}\n" R1 XV,
     "g.yaml:2:66: skin must be >= 0, got -0.1"},
    {"particles: min_distance 1", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, neighbor: {min_distance: 1}}\n" R1 XV,
     "g.yaml:2:74: min_distance must be in [0, 1) (a fraction of sigma), got 1"},
    {"particles: capacity below 1.1", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, neighbor: {capacity: 1}}\n" R1 XV,
     "g.yaml:2:70: capacity must be >= 1.1 (room of the buffers over their expected size), got 1"},
    {"particles: unknown neighbor key", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, neighbor: {evry: 5}}\n" R1 XV,
     "g.yaml:2:60: unknown key 'evry' in domain.particles.neighbor (did you mean 'every'?)"},
    {"particles: type counts do not sum to count",
     PTS "      - {name: Ar, mass: 40, epsilon: 1, sigma: 1, count: 60}\n      - {name: Kr, mass: 84, epsilon: 1.4, sigma: 1.1, count: 30}\n" R1 XV,
     "g.yaml:6:5: the type counts sum to 90 (Ar 60 + Kr 30), but the domain has count 100 (expected them to sum to count)"},
    {"particles: one type with another count", PTS "      - {name: Ar, mass: 40, epsilon: 1, sigma: 1, count: 60}\n" R1 XV,
     "g.yaml:7:59: type Ar has count 60, but the domain has count 100 (expected them equal, or no count for a single type)"},
    {"particles: several types, one without count", PTS AR "      - {name: Kr, mass: 84, epsilon: 1.4, sigma: 1.1}\n" R1 XV,
     "g.yaml:8:9: type Kr needs count (with several types, each gives its count and they sum to count = 100)"},
    {"particles: type without sigma", PTS "      - {name: Ar, mass: 40, epsilon: 1}\n" R1 XV,
     "g.yaml:7:9: type Ar needs sigma (every type gives mass > 0, epsilon >= 0 and sigma > 0)"},
    {"particles: mass 0", PTS "      - {name: Ar, mass: 0, epsilon: 1, sigma: 1}\n" R1 XV,
     "g.yaml:7:26: mass must be > 0, got 0"},
    {"particles: negative epsilon", PTS "      - {name: Ar, mass: 1, epsilon: -1, sigma: 1}\n" R1 XV,
     "g.yaml:7:38: epsilon must be >= 0, got -1"},
    {"particles: duplicate type", PTS AR AR R1 XV,
     "g.yaml:8:16: type 'Ar' is listed twice in types"},
    {"particles: 9 types", "domain:\n  particles:\n    count: 100\n    box: 10\n    cutoff: 2.5\n    types: [{}, {}, {}, {}, {}, {}, {}, {}, {}]\n" R1 XV,
     "g.yaml:6:12: types has 9 entries (expected 1 to 8 particle types)"},
    {"particles: unknown type in a pair", PTS AR KR "    pairs:\n      - {types: [Ar, Kx], epsilon: 1.2, sigma: 1.05}\n" R1 XV,
     "g.yaml:10:22: unknown particle type 'Kx' (did you mean 'Kr'?)"},
    {"particles: pair of one type",
     "domain:\n  particles:\n    count: 100\n    box: 10\n    cutoff: 2.5\n    pairs:\n      - {types: [A, A], epsilon: 1.2, sigma: 1.05}\n" R1 XV,
     "g.yaml:7:17: pair (A, A): a type's own parameters are its epsilon and sigma (expected two different types)"},
    {"particles: duplicate pair",
     PTS AR KR "    pairs:\n      - {types: [Ar, Kr], epsilon: 1.2, sigma: 1.05}\n      - {types: [Kr, Ar], epsilon: 1.2, sigma: 1.05}\n" R1 XV,
     "g.yaml:11:17: pair (Ar, Kr) is listed twice (first at line 10)"},
    {"particles: pair without sigma", PTS AR KR "    pairs:\n      - {types: [Ar, Kr], epsilon: 1.2}\n" R1 XV,
     "g.yaml:10:9: pair (Ar, Kr) needs sigma (> 0)"},
    {"particles: position and velocity one field", "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, velocity: x}\n" R1 XV,
     "g.yaml:2:59: position and velocity are both field 'x' (expected two fields)"},
    {"particles: f32 position field", P1 R1 "fields:\n  x: {components: 3, dtype: f32}\n  v: {components: 3}\n",
     "g.yaml:5:29: field 'x' is f32, but particle fields are f64"},
    {"particles: levels on a particle field", P1 R1 "fields:\n  x: {components: 3, levels: [x0, x1]}\n  v: {components: 3}\n",
     "g.yaml:5:22: field 'x' has levels, but time levels are for grids (a particle field has one value per particle)"},
    {"particles: position field with 1 component", P1 R1 "fields:\n  x: {}\n  v: {components: 3}\n",
     "g.yaml:5:3: field 'x' holds the particle positions, so it needs components: 3 (it has 1)"},
    {"particles: missing position field", P1 R1 "fields:\n  v: {components: 3}\n",
     "g.yaml:2:3: the position field 'x' is not declared (expected fields: {x: {components: 3}})"},
    {"particles: misspelt velocity field",
     "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5, position: pos, velocity: vel}\n" R1
     "fields:\n  pos: {components: 3}\n  vels: {components: 3}\n",
     "g.yaml:2:74: the velocity field 'vel' is not declared (did you mean 'vels'?)"},
    {"particles: grid op", P1 R1 XV "init:\n  - op: test.fill\n    write: {out: x}\n",
     "g.yaml:8:9: test.fill runs on grids, but this graph's domain is particles"},
    {"grid: particle op", D1 R1 "fields:\n  v: {components: 3}\ninit:\n  - op: ptest.lattice\n    write: {x: v, v: v}\n",
     "g.yaml:7:9: ptest.lattice runs on particle domains, but this graph's domain is a grid"},
    {"particles: a codelet declaring halo 2",
     P1 R1 XV "  f: {components: 3}\nstep:\n  - op: ptest.wide\n    read: {x: x}\n    write: {f: f}\n",
     "g.yaml:10:15: role 'x' of ptest.wide declares a halo wider than 1, but on particles a halo only says that the role "
     "reads the neighbour blocks (expected halo 0 or 1 and no box in the codelet's declaration)"},
    {"particles: a stencil codelet", P1 R1 XV "  f: {components: 3}\nstep:\n  - op: ptest.stencil\n    read: {x: x}\n",
     "g.yaml:9:9: ptest.stencil is a stencil op, which the particles domain class does not implement"},
    {"particles: halo in a binding",
     P1 R1 XV "  f: {components: 3}\ninit:\n  - op: ptest.lattice\n    write: {x: x, v: v}\n"
     "step:\n  - op: ptest.force\n    read: {x: {field: x, halo: 1}}\n    write: {f: f}\n",
     "g.yaml:13:26: role 'x' of ptest.force reads the neighbour blocks' particles; halo is a ghost width of grids (expected no halo)"},
    {"particles: a neighbour read of another field than the positions",
     P1 R1 XV "  f: {components: 3}\ninit:\n  - op: ptest.lattice\n    write: {x: x, v: v}\n"
     "step:\n  - op: ptest.force\n    read: {x: v}\n    write: {f: f}\n",
     "g.yaml:13:15: role 'x' of ptest.force reads the neighbour blocks' particles, which only the position field 'x' has "
     "(expected x: x)"},
    {"particles: tile shape", P1 R1 XV "tiles: [2, 2, 2]\n",
     "g.yaml:7:8: expected auto or a number of blocks for the tiles of a particle domain, got a list (tile shapes are for grids)"},
    {"particles: 0 blocks", P1 R1 XV "tiles: 0\n",
     "g.yaml:7:8: tiles (the number of particle blocks) must be >= 1, got 0"},
    {"output.log not a path", D1 R1 "output:\n  log: [a, b]\n", "g.yaml:5:8: expected a file name, got a list"},
    {"grid: trajectory", D1 R1 "output:\n  trajectory: {file: t.h5, every: 10}\n",
     "g.yaml:5:3: output.trajectory is for particle domains (a grid writes fields: output: {fields: {names: [...], every: N}})"},
    {"particles: fields output", P1 R1 XV "output:\n  fields: {names: [x], every: 10}\n",
     "g.yaml:8:3: output.fields is for grids: particle positions and velocities go to a trajectory: output: {trajectory: {file: ..., every: N}}"},
    {"particles: trajectory without every", P1 R1 XV "output:\n  trajectory: {file: t.h5}\n",
     "g.yaml:8:3: output.trajectory needs every (frames every N steps, >= 1)"},
    {"particles: trajectory every 0", P1 R1 XV "output:\n  trajectory: {file: t.h5, every: 0}\n",
     "g.yaml:8:35: every must be >= 1, got 0"},
    {"particles: trajectory in the output file", P1 R1 XV "output:\n  file: md.h5\n  trajectory: {file: md.h5, every: 1}\n",
     "g.yaml:9:22: the trajectory file is the output file 'md.h5' too (expected two files)"},
    {"particles: finite check", P1 R1 XV "checks:\n  - finite: {field: x}\n",
     "g.yaml:8:5: finite checks are for grid fields: particle runs check positions at every neighbour-list rebuild"},
    /* the domain class decides: locations, access patterns */
    {"grid: unknown location", D1 R1 "fields:\n  u: {location: vertices}\n",
     "g.yaml:5:17: unknown location 'vertices' for a field of a grid (expected cells, bins)"},
    {"grid: location misspelt", D1 R1 "fields:\n  u: {location: cels}\n",
     "g.yaml:5:17: unknown location 'cels' for a field of a grid (did you mean 'cells'?)"},
    {"particles: a grid location", P1 R1 "fields:\n  x: {components: 3, location: cells}\n  v: {components: 3}\n",
     "g.yaml:5:32: unknown location 'cells' for a field of particles (expected particles)"},
    /* inner axes (untiled per-cell bins) */
    {"grid: bins without inner axes", D1 R1 "fields:\n  u: {location: bins}\n",
     "g.yaml:5:17: field 'u' lives on bins, but the grid has no inner axes (expected domain.grid.inner, or location: cells)"},
    {"grid: inner range reversed", "domain:\n  grid: {shape: [8], spacing: 1, inner: {E: {count: 4, range: [2, 1]}}}\n" R1,
     "g.yaml:2:63: range of inner axis 'E' is [2, 1] (expected finite LO < HI)"},
    {"grid: inner axis named like a spatial one", "domain:\n  grid: {shape: [8], spacing: 1, inner: {x: {count: 4, range: [1, 2]}}}\n" R1,
     "g.yaml:2:42: inner axis 'x' has the name of a spatial axis (expected another name)"},
    {"grid: inner axis without range", "domain:\n  grid: {shape: [8], spacing: 1, inner: {E: {count: 4}}}\n" R1,
     "g.yaml:2:42: inner axis 'E' needs range ([LO, HI], LO < HI)"},
    {"grid: a role with fixed components on bins", "domain:\n  grid: {shape: [8], spacing: 1, inner: {E: {count: 4, range: [0, 1]}}}\n" R1
     "fields:\n  v: {components: 3, location: bins}\nstep:\n  - op: test.vec\n    readwrite: {v: v}\n",
     "g.yaml:8:20: field 'v' holds 12 values per cell (3 components on 4 bins), but role 'v' of test.vec needs 3"},
    {"grid: a pattern the grid class lacks", D1 R1 U "step:\n  - op: test.scatter\n    read: {u: u}\n",
     "g.yaml:7:9: test.scatter is a scatter-add op, which the grid domain class does not implement"},
};

static void bad_graphs(void)
{
    char err[1024];
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        sd_graph *g = sd_graph_parse("g.yaml", bads[i].yaml, err, sizeof err);
        int good = !g && !strcmp(err, bads[i].want);
        ok(good, "bad graph: %s", bads[i].what);
        if (!good) diag("  got  '%s'\n#   want '%s'", g ? "(loaded)" : err, bads[i].want);
        sd_graph_free(g);
    }
}

static const char *kg =
    "name: kg-packet\n"
    "params:\n"
    "  n: 16\n"
    "  dx: 0.1\n"
    "  c: 1.0\n"
    "  dt: 0.4*dx/c\n"
    "domain:\n"
    "  grid:\n"
    "    shape: [n, n/2, 4]\n"
    "    spacing: [dx, 2*dx, \"0.5\"]\n"
    "    boundary: [periodic, absorbing, fixed]\n"
    "    boundary_value: [0, 0, 2.5]\n"
    "fields:\n"
    "  u: {levels: [u_prev, u, u_next]}\n"
    "  chi: {}\n"
    "  v3: {components: 3, dtype: f32}\n"
    "scalars: [energy, grad]\n"
    "tiles: [8, 4, 2]\n"
    "init:\n"
    "  - op: test.fill\n"
    "    write: {out: u}\n"
    "    params: {value: sin(pi/2)}\n"
    "  - op: test.fill\n"
    "    write: {out: u_prev}\n"
    "  - op: test.fill\n"
    "    write: {out: chi}\n"
    "    params: {value: \"-2^2 + max(1, min(3, 2)) / 4\"}\n"
    "  - op: test.fill\n"
    "    write: {out: v3}\n"
    "step:\n"
    "  - op: test.leap\n"
    "    read: {u: {field: u, halo: 3}, u_prev: u_prev}\n"
    "    write: {u_next: u_next}\n"
    "    params: {c: c}\n"
    "  - op: test.sum\n"
    "    every: 10\n"
    "    read: {u: u_next}\n"
    "    write: {s: energy}\n"
    "  - op: test.grad2\n"
    "    read: {u: u}\n"
    "    write: {e: grad}\n"
    "  - op: test.vec\n"
    "    readwrite: {v: v3}\n"
    "  - op: test.axpy\n"
    "    read: {x: u}\n"
    "    readwrite: {y: chi}\n"
    "    params: {a: -dt*10}\n"
    "output:\n"
    "  file: out.h5\n"
    "  fields: {names: [u, chi], every: 5}\n"
    "  scalars: {names: [energy]}\n"
    "checks:\n"
    "  - drift: {scalar: energy, rtol: 1e-10}\n"
    "  - finite: {field: u, every: 50}\n"
    "  - range: {scalar: grad, min: 0, max: 1e6}\n"
    "  - range: {scalar: energy, max: 2}\n"
    "run:\n"
    "  end_time: 1.0\n"
    "  dt: dt\n"
    "  max_inflight: 2\n";

static void check_kg(const sd_graph *g, const char *path)
{
    ok(!strcmp(g->path, path) && !strcmp(g->text, kg), "kg: path and text recorded");
    ok(!strcmp(g->name, "kg-packet"), "kg: name");
    ok(g->nparams == 4 && !strcmp(g->params[3].name, "dt"), "kg: 4 params in order");
    is_close(g->params[3].value, 0.4 * 0.1 / 1.0, 1e-15, "kg: param dt = 0.4*dx/c");
    ok(g->params[0].at.line == 3 && g->params[0].at.col == 3, "kg: param position");
    ok(g->domain.kind == SD_DOMAIN_GRID && g->domain.ndim == 3, "kg: 3-d grid");
    ok(g->domain.shape[0] == 16 && g->domain.shape[1] == 8 && g->domain.shape[2] == 4, "kg: shape [n, n/2, 4]");
    ok(g->domain.spacing[0] == 0.1 && fabs(g->domain.spacing[1] - 0.2) < 1e-15 && g->domain.spacing[2] == 0.5,
       "kg: spacing per axis, quoted expression");
    ok(g->domain.bc[0] == SD_BC_PERIODIC && g->domain.bc[1] == SD_BC_ABSORBING && g->domain.bc[2] == SD_BC_FIXED,
       "kg: boundary per axis");
    ok(g->domain.bc_value[2] == 2.5 && g->domain.bc_value[0] == 0, "kg: boundary values");
    ok(g->nfields == 3, "kg: 3 fields");
    const sd_gfield *u = &g->fields[0], *chi = &g->fields[1], *v3 = &g->fields[2];
    ok(u->nlevels == 3 && !strcmp(u->level[0], "u_prev") && !strcmp(u->level[2], "u_next"), "kg: u levels");
    ok(u->dtype == SD_F64 && u->ncomp == 1, "kg: field defaults");
    ok(u->halo == 3, "kg: u halo is the largest read halo (3 > 2)");
    ok(chi->nlevels == 1 && !strcmp(chi->level[0], "chi") && chi->halo == 0, "kg: single-level field");
    ok(v3->dtype == SD_F32 && v3->ncomp == 3, "kg: dtype and components");
    int lv = -1;
    ok(sd_graph_level_lookup(g, "u_next", &lv) == 0 && lv == 2, "kg: level lookup u_next");
    ok(sd_graph_level_lookup(g, "chi", &lv) == 1 && lv == 0, "kg: level lookup chi");
    ok(sd_graph_level_lookup(g, "nope", &lv) == -1, "kg: level lookup of an unknown name");
    ok(sd_graph_field_index(g, "v3") == 2 && sd_graph_field_index(g, "u_next") == -1, "kg: field index");
    ok(g->nscalars == 3 && sd_graph_scalar_index(g, "grad") == 1, "kg: scalars");
    ok(!strcmp(g->scalars[2].name, "__nonfinite_u"), "kg: hidden scalar of the finite check");
    ok(!g->run.tiles_auto && g->run.tile[0] == 8 && g->run.tile[1] == 4 && g->run.tile[2] == 2, "kg: tiles");
    ok(g->ninit == 4, "kg: 4 init ops");
    ok(g->init[0].param[0] == 1.0, "kg: sin(pi/2)");
    is_close(g->init[2].param[0], -4 + 0.5, 1e-15, "kg: -2^2 + max(1, min(3, 2)) / 4");
    ok(g->init[1].param[0] == 0.0, "kg: param default filled");
    ok(g->init[0].at.line == 20 && g->init[0].at.col == 9, "kg: op position");
    ok(g->nstep == 6, "kg: 5 step ops + 1 hidden");
    const sd_gop *lp = &g->step[0];
    ok(!strcmp(lp->cl->name, "test.leap") && lp->every == 1, "kg: leap op");
    ok(lp->bind[0].index == 0 && lp->bind[0].level == 1 && lp->bind[0].halo == 3 && lp->bind[0].mode == SD_READ,
       "kg: leap u -> u level 1, halo 3");
    ok(lp->bind[1].level == 0 && lp->bind[1].halo == 0, "kg: leap u_prev -> level 0");
    ok(lp->bind[2].level == 2 && lp->bind[2].mode == SD_WRITE, "kg: leap u_next -> level 2");
    ok(lp->param[0] == 1.0 && lp->param[1] == 1.0, "kg: leap params (c, default mass)");
    ok(g->step[1].every == 10 && g->step[1].bind[1].is_scalar && g->step[1].bind[1].index == 0, "kg: sum every 10 -> energy");
    ok(g->step[2].bind[0].halo == 2, "kg: declared halo is the default");
    is_close(g->step[4].param[0], -0.4, 1e-14, "kg: op params may use dt");
    const sd_gop *h = &g->step[5];
    ok(!strcmp(h->cl->name, "common.count_nonfinite") && h->every == 50, "kg: hidden finite op");
    ok(!h->bind[0].is_scalar && h->bind[0].index == 0 && h->bind[0].level == 2 && h->bind[1].is_scalar &&
           h->bind[1].index == 2,
       "kg: hidden op reads u_next, writes __nonfinite_u");
    ok(!strcmp(g->output.file, "out.h5"), "kg: output file");
    ok(g->output.nfields == 2 && g->output.field[0] == 0 && g->output.field_level[0] == 1 && g->output.field[1] == 1 &&
           g->output.field_level[1] == 0,
       "kg: output fields at their current level");
    ok(g->output.fields_every == 5, "kg: fields every");
    ok(g->output.nscalars == 1 && g->output.scalar[0] == 0 && g->output.scalars_every == 1, "kg: scalars every defaults to 1");
    ok(g->nchecks == 4, "kg: 4 checks");
    ok(g->checks[0].kind == SD_CHECK_DRIFT && g->checks[0].target == 0 && g->checks[0].rtol == 1e-10 &&
           !strcmp(g->checks[0].text, "drift(energy) <= 1e-10"),
       "kg: drift check");
    ok(g->checks[1].kind == SD_CHECK_FINITE && g->checks[1].target == 0 && g->checks[1].level == 2 &&
           g->checks[1].hidden_scalar == 2 && g->checks[1].every == 50 && !strcmp(g->checks[1].text, "finite(u)"),
       "kg: finite check");
    ok(g->checks[2].kind == SD_CHECK_RANGE && g->checks[2].target == 1 && g->checks[2].min == 0 && g->checks[2].max == 1e6 &&
           !strcmp(g->checks[2].text, "range(grad) in [0, 1e+06]"),
       "kg: range check");
    ok(isinf(g->checks[3].min) && g->checks[3].min < 0 && g->checks[3].max == 2 &&
           !strcmp(g->checks[3].text, "range(energy) in [-inf, 2]"),
       "kg: range check with max only");
    ok(g->run.steps == 25, "kg: steps = ceil(end_time/dt - 1e-9)");
    ok(g->run.dt == g->params[3].value && g->run.max_inflight == 2, "kg: run dt and max_inflight");
}

static void good_graphs(void)
{
    char err[1200] = "";
    sd_graph *g = sd_graph_parse("g.yaml", kg, err, sizeof err);
    ok(g != NULL, "kg graph loads");
    if (!g) diag("  %s", err);
    else check_kg(g, "g.yaml");
    sd_graph_free(g);

    g = sd_graph_parse("g.yaml", D1 R1 "fields:\n  u: {location: cells}\n  w:\n", err, sizeof err);
    ok(g && g->fields[0].location == 0 && g->fields[1].location == 0, "location: cells is the grid's (and the default)");
    sd_graph_free(g);
    g = sd_graph_parse("g.yaml", "domain:\n  grid:\n    shape: [8, 4]\n    spacing: 1\n    inner:\n"
                       "      theta: {count: 6, range: [-90, 90]}\n      E: {count: 5, range: [0.1, 2*100]}\n" R1
                       "fields:\n  psi: {location: bins, components: 2}\n  dose:\n", err, sizeof err);
    ok(g && g->domain.ninner == 2 && !strcmp(g->domain.inner[0].name, "theta") && g->domain.inner[0].count == 6 &&
           g->domain.inner[0].lo == -90 && g->domain.inner[1].hi == 200 && g->domain.nbins == 30,
       "inner axes: names, counts, ranges (expressions), 30 bins per cell");
    ok(g && g->fields[0].location == SD_LOC_BINS && sd_field_values_per_cell(g, &g->fields[0]) == 60 &&
           sd_field_values_per_cell(g, &g->fields[1]) == 1, "a field on bins: 2 components x 30 bins per cell; dose on cells");
    if (!g) diag("  %s", err);
    sd_graph_free(g);

    /* the same from a file */
    const char *dir = getenv("SD_TEST_TMP");
    if (!dir || !*dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/t_loader_XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "w");
        fputs(kg, f);
        fclose(f);
        g = sd_graph_load(path, err, sizeof err);
        ok(g && !strcmp(g->path, path) && !strcmp(g->text, kg) && g->run.steps == 25, "sd_graph_load reads the file");
        sd_graph_free(g);
        const char *set[] = {"n = 32", "dx=0.05"};
        g = sd_graph_load_ex(path, set, 2, err, sizeof err);
        ok(g && g->domain.shape[0] == 32 && g->domain.shape[1] == 16 && g->params[1].value == 0.05, "--set n=32 dx=0.05");
        ok(g && fabs(g->run.dt - 0.02) < 1e-15 && g->run.steps == 50, "--set changes later params and the step count");
        sd_graph_free(g);
        const char *bad[] = {"nn=3"};
        g = sd_graph_load_ex(path, bad, 1, err, sizeof err);
        char want[1024];
        snprintf(want, sizeof want, "%s: --set nn=3: unknown param 'nn' (did you mean 'n'? params: n, dx, c, dt)", path);
        ok(!g && !strcmp(err, want), "--set of an unknown param names the params");
        if (g || strcmp(err, want)) diag("  got '%s'", err);
        sd_graph_free(g);
        unlink(path);
    } else
        ok(0, "cannot create a temporary file");

    g = sd_graph_load("no/such/dir/g.yaml", err, sizeof err);
    ok(!g && !strcmp(err, "no/such/dir/g.yaml: cannot open: No such file or directory"), "missing file");
    if (g) sd_graph_free(g);

    /* --set checks on in-memory text */
    static const char *small = "params: {n: 8, m: 2*n}\ndomain:\n  grid: {shape: [m], spacing: 1}\nrun: {steps: 1, dt: 0.1}\n";
    const char *s1[] = {"n=3*4"};
    g = sd_graph_parse_ex("g.yaml", small, s1, 1, err, sizeof err);
    ok(g && g->params[0].value == 12 && g->params[1].value == 24 && g->domain.shape[0] == 24, "--set n=3*4 before evaluation");
    sd_graph_free(g);
    const struct { const char *set, *want; } sets[] = {
        {"x=1", "g.yaml: --set x=1: unknown param 'x' (params: n, m)"},
        {"n", "g.yaml: --set n: expected name=expression"},
        {"n=2*", "g.yaml: --set n=2*: syntax error in expression '2*': expected a number, a name or '(' at end of expression"},
        {"n=m", "g.yaml: --set n=m: param 'm' is used in 'm' before it is defined (expressions may use only earlier params)"},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        g = sd_graph_parse_ex("g.yaml", small, &sets[i].set, 1, err, sizeof err);
        ok(!g && !strcmp(err, sets[i].want), "--set %s refused", sets[i].set);
        if (g || strcmp(err, sets[i].want)) diag("  got '%s'", err);
        sd_graph_free(g);
    }

    /* defaults: name from the path, auto tiles, single spacing, periodic, no output */
    static const char *two =
        "domain:\n  grid: {shape: [8, 6], spacing: 0.5}\n"
        "fields:\n  w: {levels: [w0, w1, w2]}\n  y: {levels: [y_old, y]}\n"
        "scalars: [s]\n"
        "init:\n"
        "  - {op: test.fill, write: {out: w0}}\n"
        "  - {op: test.fill, write: {out: w1}}\n"
        "  - {op: test.fill, write: {out: y_old}}\n"
        "  - {op: test.fill, write: {out: y}}\n"
        "step:\n"
        "  - {op: test.leap, read: {u: w1, u_prev: w0}, write: {u_next: w2}, params: {c: 0.5}}\n"
        "  - {op: test.axpy, read: {x: y_old}, readwrite: {y: y}}\n"
        "  - {op: test.sum, read: {u: w2}, write: {s: s}}\n"
        "  - {op: test.scale, read: {s: s}, readwrite: {y: y}}\n"
        "output:\n  fields: {names: [w, y], every: 0}\n"
        "checks:\n  - finite: {field: w}\n  - finite: {field: y}\n"
        "run: {steps: 7, dt: 0.1}\n";
    g = sd_graph_parse("graphs/my-graph.yaml", two, err, sizeof err);
    ok(g != NULL, "second graph loads");
    if (!g) diag("  %s", err);
    else {
        ok(!strcmp(g->name, "my-graph"), "default name from the file name");
        ok(g->domain.ndim == 2 && g->domain.shape[2] == 1 && g->domain.spacing[0] == 0.5 && g->domain.spacing[1] == 0.5,
           "absent axis has shape 1; one spacing for all axes");
        ok(g->domain.bc[0] == SD_BC_PERIODIC && g->domain.bc[1] == SD_BC_PERIODIC, "boundary defaults to periodic");
        ok(g->run.tiles_auto == 1 && g->run.max_inflight == 4 && g->run.steps == 7, "tiles auto, max_inflight 4");
        ok(g->output.file[0] == 0 && g->output.nfields == 2 && g->output.fields_every == 0, "no output file, every 0");
        ok(g->output.field_level[0] == 1 && g->output.field_level[1] == 1, "output levels: newest-but-one, named like the field");
        ok(g->checks[0].level == 2 && g->checks[1].level == 1, "finite levels: newest before rotation");
        ok(g->nscalars == 3 && !strcmp(g->scalars[1].name, "__nonfinite_w") && !strcmp(g->scalars[2].name, "__nonfinite_y"),
           "hidden scalars follow the user's");
        ok(g->nstep == 6 && g->step[4].every == 1 && g->step[5].bind[0].index == 1, "hidden ops appended, every 1");
        ok(g->fields[0].halo == 1 && g->fields[1].halo == 0, "field halos");
        ok(g->output.scalars_every == 0 && g->output.nscalars == 0, "no scalar output by default");
    }
    sd_graph_free(g);
}

/* ---- particle domains ------------------------------------------------------------------- */

static const char *md =
    "params:\n"
    "  cells: 4\n"
    "  L: cells*1.6796\n"
    "domain:\n"
    "  particles:\n"
    "    count: 4*cells^3\n"
    "    box: [L, L, 2*L]\n"
    "    units: lj\n"
    "    types:\n"
    "      - {name: Ar, mass: 39.948, epsilon: 0.99774, sigma: 0.3405, count: 200}\n"
    "      - {name: Kr, mass: 83.798, epsilon: 1.4, sigma: 0.36, count: 4*cells^3 - 200}\n"
    "      - {name: Xe, mass: 131.29, epsilon: 0, sigma: 0.4, count: 0}\n"
    "    pairs:\n"
    "      - {types: [Kr, Ar], epsilon: 1.2, sigma: 0.35}\n"
    "    cutoff: 2.5\n"
    "    shift: yes\n"
    "    precision: mixed\n"
    "    neighbor: {every: 20, check: false, min_distance: 0.25, capacity: 2}\n"
    "    position: pos\n"
    "    velocity: vel\n"
    "fields:\n"
    "  force: {components: 3}\n"
    "  pos: {components: 3, dtype: f64}\n"
    "  vel: {components: 3}\n"
    "scalars: [ke, temp]\n"
    "tiles: 4\n"
    "init:\n"
    "  - op: ptest.lattice\n"
    "    write: {x: pos, v: vel}\n"
    "step:\n"
    "  - op: ptest.force\n"
    "    read: {x: pos}\n"
    "    write: {f: force}\n"
    "  - op: ptest.kick\n"
    "    read: {f: force}\n"
    "    readwrite: {v: vel}\n"
    "  - op: ptest.temp\n"
    "    every: 10\n"
    "    read: {v: vel}\n"
    "    write: {ke: ke, T: temp}\n"
    "output:\n"
    "  file: md.h5\n"
    "  scalars: {names: [ke, temp], every: 10}\n"
    "  trajectory: {file: traj.h5, every: 100}\n"
    "checks:\n"
    "  - drift: {scalar: ke, rtol: 0.1}\n"
    "  - range: {scalar: temp, min: 0}\n"
    "run: {steps: 1000, dt: 0.005}\n";

static void particle_graphs(void)
{
    char err[1200] = "";
    memset(&seen_info, 0, sizeof seen_info);
    sd_graph *g = sd_graph_parse("md.yaml", md, err, sizeof err);
    ok(g != NULL, "particle graph loads");
    if (!g) diag("  %s", err);
    else {
        const sd_domain *D = &g->domain;
        const sd_particles *p = &D->particles;
        const double L = 4 * 1.6796;
        ok(D->kind == SD_DOMAIN_PARTICLES && D->ndim == 3, "md: particle domain, 3-d");
        ok(D->shape[0] == 256 && D->shape[1] == 1 && D->shape[2] == 1 && p->count == 256, "md: count 4*cells^3 = 256, shape {N, 1, 1}");
        ok(D->spacing[0] == 1 && D->spacing[2] == 1 && D->bc[0] == SD_BC_PERIODIC && D->bc[2] == SD_BC_PERIODIC,
           "md: spacing 1, periodic");
        ok(p->box[0] == L && p->box[1] == L && p->box[2] == 2 * L, "md: box [L, L, 2*L]");
        ok(p->units == SD_UNITS_LJ, "md: units lj");
        ok(p->ntypes == 3 && !strcmp(p->type[0].name, "Ar") && !strcmp(p->type[1].name, "Kr") && !strcmp(p->type[2].name, "Xe"),
           "md: 3 types in order");
        ok(p->type[0].mass == 39.948 && p->type[0].epsilon == 0.99774 && p->type[0].sigma == 0.3405 && p->type[0].count == 200,
           "md: type Ar parameters");
        ok(p->type[1].count == 56 && p->type[2].count == 0 && p->type[2].epsilon == 0, "md: type counts (an expression, 0), epsilon 0");
        ok(p->mass[0] == 39.948 && p->mass[1] == 83.798 && p->mass[2] == 131.29, "md: contiguous masses");
        ok(p->npairs == 1 && p->pair[0].a == 0 && p->pair[0].b == 1 && p->pair[0].epsilon == 1.2 && p->pair[0].sigma == 0.35,
           "md: pair (Kr, Ar) stored as (0, 1)");
        ok(p->cutoff == 2.5 && p->shift == 1 && p->mixed == 1, "md: cutoff, shift yes, precision mixed");
        ok(p->skin == 0.3 && p->rebuild_every == 20 && p->rebuild_check == 0 && p->min_distance == 0.25 && p->capacity == 2,
           "md: neighbor settings (skin default 0.3)");
        ok(p->position == 1 && p->velocity == 2, "md: position and velocity field indices");
        ok(p->nblocks == 4 && !g->run.tiles_auto, "md: tiles 4 = 4 blocks");
        ok(g->fields[0].halo == 0 && g->fields[1].halo == 0, "md: no grid ghost widths on particle fields");
        ok(g->nstep == 3 && g->step[0].bind[0].halo == 1 && g->step[0].bind[0].index == 1, "md: neighbour op reads pos with halo 1");
        ok(g->step[2].every == 10 && g->step[2].bind[2].is_scalar && g->step[2].bind[2].index == 1, "md: reduction op -> temp");
        ok(!strcmp(g->output.file, "md.h5") && g->output.nscalars == 2 && g->output.scalars_every == 10, "md: scalar output");
        ok(!strcmp(g->output.trajectory, "traj.h5") && g->output.trajectory_every == 100 && g->output.nfields == 0,
           "md: trajectory every 100");
        ok(g->nchecks == 2 && g->checks[0].kind == SD_CHECK_DRIFT && g->checks[1].kind == SD_CHECK_RANGE, "md: drift and range checks");
        ok(seen_info.count == 256 && seen_info.box[2] == 2 * L && seen_info.kB == 1.0 && seen_info.ntypes == 3 &&
               seen_mass[1] == 83.798 && seen_info.dt == 0.005 && seen_info.ndim == 3,
           "md: validate hooks see count, box, kB, types and masses");
    }
    sd_graph_free(g);

    /* defaults: one type A, neighbour policy, fields x and v, auto blocks; one box length */
    static const char *small = "domain:\n  particles: {count: 100, box: 10, cutoff: 2.5}\n"
                               "fields:\n  v: {components: 3}\n  x: {components: 3}\n"
                               "run: {steps: 1, dt: 0.1}\n";
    g = sd_graph_parse("g.yaml", small, err, sizeof err);
    ok(g != NULL, "minimal particle graph loads");
    if (!g) diag("  %s", err);
    else {
        const sd_particles *p = &g->domain.particles;
        ok(p->box[0] == 10 && p->box[1] == 10 && p->box[2] == 10, "one box length: a cube");
        ok(p->units == SD_UNITS_LJ && p->ntypes == 1 && !strcmp(p->type[0].name, "A") && p->type[0].mass == 1 &&
               p->type[0].epsilon == 1 && p->type[0].sigma == 1 && p->type[0].count == 100 && p->mass[0] == 1,
           "default: one type A with LJ parameters 1 and every particle");
        ok(p->npairs == 0 && p->shift == 0 && p->mixed == 0, "default: no explicit pairs, no shift, double precision");
        ok(p->skin == 0.3 && p->rebuild_every == 10 && p->rebuild_check == 1 && p->min_distance == 0.5 && p->capacity == 1.5,
           "default neighbor: skin 0.3, every 10, check, min_distance 0.5, capacity 1.5");
        ok(p->position == 1 && p->velocity == 0, "default fields x and v");
        ok(p->nblocks == 0 && g->run.tiles_auto, "default: auto blocks");
        ok(g->output.trajectory[0] == 0 && g->output.trajectory_every == 0, "default: no trajectory");
    }
    sd_graph_free(g);

    /* real units: skin default 0.1; one type given without count; tiles auto; booleans */
    static const char *real = "domain:\n  particles:\n    count: 500\n    box: [3, 4, 5]\n    units: real\n"
                              "    types: [{name: Ar, mass: 39.948, epsilon: 0.99774, sigma: 0.3405}]\n"
                              "    cutoff: 1.0\n    shift: False\n    neighbor: {check: ON}\n"
                              "fields:\n  x: {components: 3}\n  v: {components: 3}\n"
                              "tiles: auto\nrun: {steps: 1, dt: 0.002}\n";
    g = sd_graph_parse("g.yaml", real, err, sizeof err);
    ok(g != NULL, "real-units particle graph loads");
    if (!g) diag("  %s", err);
    else {
        const sd_particles *p = &g->domain.particles;
        ok(p->units == SD_UNITS_REAL && p->skin == 0.1, "real units: skin default 0.1");
        ok(p->ntypes == 1 && p->type[0].count == 500, "a single type without count gets every particle");
        ok(p->shift == 0 && p->rebuild_check == 1, "booleans False and ON");
        ok(p->nblocks == 0 && g->run.tiles_auto, "tiles auto");
    }
    sd_graph_free(g);
    ok(sd_units_kB(SD_UNITS_LJ) == 1.0 && sd_units_kB(SD_UNITS_REAL) == 0.00831446261815324, "kB: 1 (lj), R/1000 (real)");
}

int main(void)
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
    bad_graphs();
    good_graphs();
    particle_graphs();
    return tap_done();
}
