/* t_registry.c - what the codelet registry accepts and refuses. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "stardag/codelet.h"
#include "tap.h"

static void nop(const sd_tile_args *a) { (void)a; }
static void bounds(const double *v, int64_t stride, int ninner, int64_t first[], int64_t last[])
{
    (void)v, (void)stride, (void)ninner, (void)first, (void)last;
}

static sd_codelet base(const char *name, const char *model)
{
    sd_codelet c = {.name = name, .pattern = SD_POINTWISE, .nroles = 2, .cpu = nop, .model = model,
                    .roles = {{.name = "in", .mode = SD_READ}, {.name = "out", .mode = SD_WRITE}},
                    .nparams = 1, .params = {{.name = "a", .def = 1, .min = 0, .max = 2}}};
    return c;
}

/* A stencil whose role 0 is zero outside what role 2 bounds (sd_role.support), then one change. */
static sd_codelet with_support(const char *name, int variant)
{
    sd_codelet c = base(name, name);
    c.pattern = SD_STENCIL;
    c.nroles = 3;
    c.roles[0].halo = 1;
    c.roles[0].support = 1 + 2;
    c.roles[2] = (sd_role){.name = "occ", .mode = SD_READ, .halo = 1, .dtypes = 1 << SD_F64};
    c.support_box = bounds;
    switch (variant) {
    case 1: c.support_box = NULL; break;
    case 2: c.roles[0].support = 1 + 0; break;
    case 3: c.roles[2].halo = 0; break;
    case 4: c.roles[0].support = 1 + 1; break;
    case 5: c.roles[0].box = 1; break;
    case 6: c.roles[2].dtypes = 1 << SD_F32; break;
    case 7: c.domain = SD_ON_PARTICLES; c.pattern = SD_NEIGHBOR; break;
    case 8: c.roles[0].support = 1 + 7; break;
    }
    return c;
}

int main(void)
{
    sd_codelet c = base("t.ok", "t.ok");
    ok(sd_codelet_register(&c) == 0, "a well-formed pointwise codelet registers");
    ok(sd_codelet_find("t.ok") != NULL && sd_codelet_find("t.nope") == NULL, "find by name");
    const sd_codelet *f = sd_codelet_find("t.ok");
    ok(sd_codelet_role_index(f, "out") == 1 && sd_codelet_role_index(f, "x") == -1, "role index by name");
    ok(sd_codelet_param_index(f, "a") == 0 && sd_codelet_param_index(f, "b") == -1, "param index by name");
    c.name = "t.ok";
    c.model = "t.other";
    ok(sd_codelet_register(&c) != 0, "a taken name is refused");
    c = base("t.dupmodel", "t.ok");
    ok(sd_codelet_register(&c) != 0, "a model symbol used by another codelet is refused");
    c = base("nodot", "t.nodot");
    ok(sd_codelet_register(&c) != 0, "a name without 'domain.' is refused");
    c = base("t.nocpu", "t.nocpu");
    c.cpu = NULL;
    ok(sd_codelet_register(&c) != 0, "a codelet without a CPU function is refused");
    c = base("t.halo_w", "t.halo_w");
    c.roles[1].halo = 1;
    ok(sd_codelet_register(&c) != 0, "a halo on a write role is refused");
    c = base("t.opt_f", "t.opt_f");
    c.roles[1].optional = 1;
    c.domain = SD_ON_PARTICLES;
    ok(sd_codelet_register(&c) != 0, "an optional field role of a particle codelet is refused (grids and batches only)");
    c.domain = SD_ON_MESH;
    ok(sd_codelet_register(&c) != 0, "an optional field role of a mesh codelet is refused");
    c = base("t.halo_pw", "t.halo_pw");
    c.roles[0].halo = 1;
    ok(sd_codelet_register(&c) != 0, "a halo on a pointwise codelet is refused");
    c = base("t.stencil", "t.stencil");
    c.pattern = SD_STENCIL;
    c.roles[0].halo = 2;
    ok(sd_codelet_register(&c) == 0, "a halo on a stencil read role is accepted");
    c = base("t.scal_w", "t.scal_w");
    c.roles[1] = (sd_role){.name = "s", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR};
    ok(sd_codelet_register(&c) != 0, "a scalar written outside a reduction is refused");
    c = base("t.red", "t.red");
    c.pattern = SD_REDUCTION;
    ok(sd_codelet_register(&c) != 0, "a reduction that writes no scalar is refused");
    c.roles[1] = (sd_role){.name = "s", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM};
    ok(sd_codelet_register(&c) == 0, "a reduction writing a summed scalar is accepted");
    c = base("t.dup_role", "t.dup_role");
    c.roles[1].name = "in";
    ok(sd_codelet_register(&c) != 0, "two roles with one name are refused");
    c = base("t.def", "t.def");
    c.params[0].def = 5;
    ok(sd_codelet_register(&c) != 0, "a default outside its range is refused");
    c = base("t.range", "t.range");
    c.params[0].min = 3;
    c.params[0].max = 1;
    c.params[0].required = 1;
    ok(sd_codelet_register(&c) != 0, "an empty parameter range is refused");
    c = base("t.nan", "t.nan");
    c.params[0].def = NAN; /* 'not given' sentinel, e.g. a packet centre defaulting to the middle */
    ok(sd_codelet_register(&c) == 0, "a NaN default (meaning 'not given') is accepted");
    int n = sd_codelet_count();
    ok(n == 4 && !strcmp(sd_codelet_at(n - 1)->name, "t.nan") && sd_codelet_at(n) == NULL, "count and index (%d)", n);
    /* table roles: a plain read (columns in ncomp, optional allowed) of a grid or batch codelet */
    c = base("t.opt_grid", "t.opt_grid");
    c.roles[1].optional = 1;
    ok(sd_codelet_register(&c) == 0, "an optional field role of a grid codelet is accepted");
    c = base("t.table", "t.table");
    c.nroles = 3;
    c.roles[2] = (sd_role){.name = "t", .mode = SD_READ, .kind = SD_ROLE_TABLE, .ncomp = 2, .optional = 1};
    ok(sd_codelet_register(&c) == 0, "an optional table role with 2 columns is accepted");
    c.name = c.model = "t.table_b";
    c.domain = SD_ON_BATCH;
    ok(sd_codelet_register(&c) == 0, "a table role of a batch codelet is accepted");
    static const struct { const char *name; sd_role r; sd_on on; const char *why; } bad[] = {
        {"t.tab_w", {.name = "t", .mode = SD_WRITE, .kind = SD_ROLE_TABLE}, SD_ON_GRID, "a table write role is refused"},
        {"t.tab_rw", {.name = "t", .mode = SD_READWRITE, .kind = SD_ROLE_TABLE}, SD_ON_GRID, "a table readwrite role is refused"},
        {"t.tab_h", {.name = "t", .mode = SD_READ, .kind = SD_ROLE_TABLE, .halo = 1}, SD_ON_GRID, "a table role with a halo is refused"},
        {"t.tab_d", {.name = "t", .mode = SD_READ, .kind = SD_ROLE_TABLE, .dtypes = 1 << SD_F32}, SD_ON_GRID,
         "a table role with dtypes is refused (tables are f64)"},
        {"t.tab_p", {.name = "t", .mode = SD_READ, .kind = SD_ROLE_TABLE}, SD_ON_PARTICLES, "a table role of a particle codelet is refused"},
        {"t.tab_m", {.name = "t", .mode = SD_READ, .kind = SD_ROLE_TABLE}, SD_ON_MESH, "a table role of a mesh codelet is refused"},
        {"t.kind9", {.name = "t", .mode = SD_READ, .kind = (sd_role_kind)9}, SD_ON_GRID, "an unknown role kind is refused"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = base(bad[i].name, bad[i].name);
        c.nroles = 3;
        c.roles[2] = bad[i].r;
        c.domain = bad[i].on;
        ok(sd_codelet_register(&c) != 0, "%s", bad[i].why);
    }
    c = with_support("t.sup", 0);
    ok(sd_codelet_register(&c) == 0, "a support (another read field role, f64, as wide a halo) with support_box is accepted");
    static const char *sup_bad[] = {NULL, "a support without support_box", "a role that is its own support",
                                    "a support read without a halo", "a support that is a write role",
                                    "a support narrower in shape (star for a full-box role)", "an f32 support",
                                    "a support on a particle codelet", "a support past the roles"};
    for (int v = 1; v <= 8; v++) {
        char nm[32];
        snprintf(nm, sizeof nm, "t.sup%d", v);
        c = with_support(nm, v);
        ok(sd_codelet_register(&c) != 0, "%s is refused", sup_bad[v]);
    }
    sd_register_builtin_codelets();
    sd_register_builtin_codelets();
    ok(sd_codelet_find("lattice.kg_leapfrog") && sd_codelet_find("common.fill") && sd_codelet_count() > n,
       "the bundled packs register once, however often asked");
    return tap_done();
}
