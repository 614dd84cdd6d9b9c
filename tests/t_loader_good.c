/* t_loader_good.c - the graph loader on well-formed graphs: a grid graph (kg) and a particle graph
 * (md) give the expected sd_graph, field by field. Malformed graphs: t_loader.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graph.h"
#include "loader_codelets.h"
#include "tap.h"

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
        ok(g->run.tiles_auto == 1 && g->run.max_inflight == 0 && g->run.fuse == 0 && g->run.steps == 7,
           "tiles auto; max_inflight and fuse left to the run (0)");
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
    if (register_loader_codelets()) return 1;
    good_graphs();
    particle_graphs();
    return tap_done();
}
