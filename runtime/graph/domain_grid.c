/* domain_grid.c - the grid domain class's syntax: the domain.grid section (shape, spacing,
 * boundary kinds and values per axis, the absorbing speed, inner axes), the grid's form of tiles
 * (auto or tile extents in cells), fields on bins, ghost widths. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "loader_impl.h"
#include "suggest.h"

static const char *const bc_names[] = {"periodic", "reflective", "absorbing", "fixed", NULL};

static int bc_kind(loader *L, const yaml_node_t *n)
{
    const char *s = sd_ld_get_str(L, n, "a boundary kind (periodic, reflective, absorbing or fixed)");
    for (int i = 0; bc_names[i]; i++)
        if (!strcmp(s, bc_names[i])) return i;
    sd_suggest sg;
    sd_suggest_init(&sg, s);
    for (int i = 0; bc_names[i]; i++) sd_suggest_add(&sg, bc_names[i]);
    if (sd_suggest_best(&sg)) sd_ld_fail(L, n, "unknown boundary '%s' (did you mean '%s'?)", s, sd_suggest_best(&sg));
    sd_ld_fail(L, n, "unknown boundary '%s' (expected periodic, reflective, absorbing or fixed)", s);
}

/* One value for all axes or a list of ndim values. */
static int per_axis(loader *L, const yaml_node_t *n, const char *what, yaml_node_t *out[3])
{
    int nd = L->g->domain.ndim;
    if (is_map(n)) sd_ld_fail(L, n, "expected one value or a list of %d for %s, got a map", nd, what);
    if (!is_seq(n)) {
        for (int d = 0; d < 3; d++) out[d] = (yaml_node_t *)n;
        return 1;
    }
    if (seq_len(n) != nd)
        sd_ld_fail(L, n, "%s has %d value%s for a %d-axis grid (expected 1 or %d)", what, seq_len(n), seq_len(n) == 1 ? "" : "s", nd, nd);
    for (int d = 0; d < nd; d++) out[d] = seq_at(L, n, d);
    return nd;
}

/* inner: {NAME: {count: N, range: [LO, HI]}, ...}, at most SD_MAX_INNER, in the order given (the
 * first varies fastest inside a cell's bins). */
static void load_inner(loader *L, const yaml_node_t *m)
{
    static const char *const keys[] = {"count", "range", NULL};
    sd_domain *D = &L->g->domain;
    char b[32], b2[32];
    D->ninner = 0;
    D->nbins = 1;
    if (!m || is_null(m)) return;
    sd_ld_need_map(L, m, "domain.grid.inner ({NAME: {count: N, range: [LO, HI]}, ...})");
    if (map_len(m) > SD_MAX_INNER)
        sd_ld_fail(L, key_at(L, m, SD_MAX_INNER), "domain.grid.inner has %d axes (expected at most %d)", map_len(m),
                   SD_MAX_INNER);
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i), *v = val_at(L, m, i);
        const char *name = sd_ld_get_name(L, k, "an inner axis name");
        for (int j = 0; j < i; j++)
            if (!strcmp(D->inner[j].name, name)) sd_ld_fail(L, k, "inner axis '%s' is listed twice", name);
        if (!strcmp(name, "x") || !strcmp(name, "y") || !strcmp(name, "z"))
            sd_ld_fail(L, k, "inner axis '%s' has the name of a spatial axis (expected another name)", name);
        char sec[SD_NAME_MAX + 32];
        snprintf(sec, sizeof sec, "in inner axis %s", name);
        sd_ld_need_map(L, v, "an inner axis ({count: N, range: [LO, HI]})");
        sd_ld_check_keys(L, v, keys, sec);
        sd_inner_axis *a = &D->inner[D->ninner++];
        snprintf(a->name, sizeof a->name, "%s", name);
        yaml_node_t *c = sd_ld_map_get(L, v, "count", NULL), *r = sd_ld_map_get(L, v, "range", NULL);
        if (!c) sd_ld_fail(L, k, "inner axis '%s' needs count (its number of bins, >= 1)", name);
        if (!r) sd_ld_fail(L, k, "inner axis '%s' needs range ([LO, HI], LO < HI)", name);
        a->count = sd_ld_eval_int(L, c, 1, 1 << 20, "count");
        if (!is_seq(r) || seq_len(r) != 2) sd_ld_fail(L, r, "expected range: [LO, HI] for inner axis '%s'", name);
        a->lo = sd_ld_eval(L, seq_at(L, r, 0));
        a->hi = sd_ld_eval(L, seq_at(L, r, 1));
        if (!(a->lo < a->hi) || !isfinite(a->hi - a->lo))
            sd_ld_fail(L, r, "range of inner axis '%s' is [%s, %s] (expected finite LO < HI)", name, sd_ld_num(b, a->lo),
                       sd_ld_num(b2, a->hi));
        D->nbins = sd_count_product(2, (int64_t[]){D->nbins, a->count});
        if (D->nbins < 0 || D->nbins > (1 << 30)) sd_ld_fail(L, c, "the inner axes have more than 2^30 bins per cell");
    }
}

/* units: {length: m, time: s}: unit strings (UDUNITS/H5MD style: "m", "nm", "ps", "m s-1"), each
 * optional; labels of spacing and dt written to the output, nothing is converted. */
static void load_units(loader *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"length", "time", NULL};
    sd_domain *D = &L->g->domain;
    if (!n) return;
    sd_ld_need_map(L, n, "domain.grid.units ({length: m, time: s})");
    sd_ld_check_keys(L, n, keys, "in domain.grid.units");
    for (int i = 0; keys[i]; i++) {
        yaml_node_t *x = sd_ld_map_get(L, n, keys[i], NULL);
        if (!x) continue;
        char what[64];
        snprintf(what, sizeof what, "a %s unit (e.g. %s)", keys[i], i ? "s" : "m");
        const char *u = sd_ld_get_str(L, x, what);
        size_t len = strlen(u);
        int okc = len > 0 && len < sizeof D->units_length;
        for (const char *c = u; *c && okc; c++) okc = *c >= 0x20 && *c < 0x7f && *c != '"' && *c != '<' && *c != '&';
        if (!okc)
            sd_ld_fail(L, x, "%s unit '%s' is not a unit string (expected 1 to %zu printable ASCII characters, "
                       "no quotes, '<' or '&', e.g. '%s')", keys[i], u, sizeof D->units_length - 1, i ? "s" : "m");
        snprintf(i ? D->units_time : D->units_length, sizeof D->units_length, "%s", u);
    }
}

static void load_grid(loader *L, const yaml_node_t *k, const yaml_node_t *G)
{
    static const char *const gkeys[] = {"shape", "spacing", "boundary", "boundary_value", "absorbing_speed", "inner",
                                        "units", NULL};
    sd_domain *D = &L->g->domain;
    char b[32];
    sd_ld_need_map(L, G, "domain.grid");
    sd_ld_check_keys(L, G, gkeys, "in domain.grid");
    D->kind = SD_DOMAIN_GRID;
    yaml_node_t *sh = sd_ld_map_get(L, G, "shape", NULL);
    if (!sh) sd_ld_fail(L, k, "domain.grid needs shape (a list of 1 to 3 cell counts, x first)");
    if (!is_seq(sh)) {
        const char *gg = got(sh);
        if (gg) sd_ld_fail(L, sh, "expected a list of 1 to 3 cell counts for shape, got %s", gg);
        sd_ld_fail(L, sh, "expected a list of 1 to 3 cell counts for shape, got '%s'", sval(sh));
    }
    if (seq_len(sh) < 1 || seq_len(sh) > 3)
        sd_ld_fail(L, sh, "shape has %d axes (expected 1 to 3 cell counts, x first)", seq_len(sh));
    D->ndim = seq_len(sh);
    for (int d = 0; d < 3; d++) {
        D->shape[d] = d < D->ndim ? sd_ld_eval_int(L, seq_at(L, sh, d), 1, (int64_t)1 << 40, "a shape entry") : 1;
        D->spacing[d] = 1.0;
        D->bc[d] = SD_BC_PERIODIC;
        D->bc_value[d] = 0.0;
    }
    /* every count the runtime derives (cells x components x bytes, offsets) stays below 2^63 */
    int64_t cells = sd_count_product(3, D->shape);
    if (cells < 0 || cells > SD_MAX_GRID_CELLS)
        sd_ld_fail(L, sh, "the grid has %.4g cells (%lld x %lld x %lld), more than the 2^52 a grid may have",
                   (double)D->shape[0] * (double)D->shape[1] * (double)D->shape[2], (long long)D->shape[0],
                   (long long)D->shape[1], (long long)D->shape[2]);
    yaml_node_t *v[3], *sp = sd_ld_map_get(L, G, "spacing", NULL);
    if (!sp) sd_ld_fail(L, k, "domain.grid needs spacing (one value or one per axis, > 0)");
    int nv = per_axis(L, sp, "spacing", v);
    for (int d = 0; d < (nv == 1 ? 3 : nv); d++) {
        double x = sd_ld_eval(L, v[d]);
        if (!(x > 0)) sd_ld_fail(L, v[d], "spacing must be > 0, got %s", sd_ld_num(b, x));
        D->spacing[d] = x;
        if (nv == 1) { D->spacing[1] = D->spacing[2] = x; break; }
    }
    yaml_node_t *bn = sd_ld_map_get(L, G, "boundary", NULL);
    if (bn) {
        nv = per_axis(L, bn, "boundary", v);
        for (int d = 0; d < (nv == 1 ? 1 : nv); d++) D->bc[d] = bc_kind(L, v[d]);
        if (nv == 1) D->bc[1] = D->bc[2] = D->bc[0];
    }
    yaml_node_t *bv = sd_ld_map_get(L, G, "boundary_value", NULL);
    if (bv) {
        nv = per_axis(L, bv, "boundary_value", v);
        for (int d = 0; d < (nv == 1 ? 1 : nv); d++) D->bc_value[d] = sd_ld_eval(L, v[d]);
        if (nv == 1) D->bc_value[1] = D->bc_value[2] = D->bc_value[0];
    }
    D->absorb_speed = 1.0;
    yaml_node_t *as = sd_ld_map_get(L, G, "absorbing_speed", NULL);
    if (as) {
        double x = sd_ld_eval(L, as);
        if (!(x > 0)) sd_ld_fail(L, as, "absorbing_speed must be > 0, got %s", sd_ld_num(b, x));
        D->absorb_speed = x;
    }
    load_inner(L, sd_ld_map_get(L, G, "inner", NULL));
    load_units(L, sd_ld_map_get(L, G, "units", NULL));
    int64_t values = sd_count_product(2, (int64_t[]){cells, D->nbins});
    if (values < 0 || values > SD_MAX_GRID_CELLS)
        sd_ld_fail(L, sh, "the grid has %.4g cells times %lld inner bins, more than the 2^52 values a grid field may have",
                   (double)D->shape[0] * (double)D->shape[1] * (double)D->shape[2], (long long)D->nbins);
}

/* tiles: auto or a list of tile extents, one per axis. */
static void grid_tiles(loader *L, const yaml_node_t *n)
{
    sd_grun *r = &L->g->run;
    const sd_domain *D = &L->g->domain;
    if (is_scalar(n) && !strcmp(sval(n), "auto")) { r->tiles_auto = 1; return; }
    if (!is_seq(n)) {
        const char *gg = got(n);
        if (gg) sd_ld_fail(L, n, "expected auto or a list of tile extents, got %s", gg);
        sd_ld_fail(L, n, "expected auto or a list of tile extents, got '%s'", sval(n));
    }
    if (seq_len(n) != D->ndim)
        sd_ld_fail(L, n, "tiles has %d value%s for a %d-axis grid (expected %d, or auto)", seq_len(n), seq_len(n) == 1 ? "" : "s",
                   D->ndim, D->ndim);
    r->tiles_auto = 0;
    for (int d = 0; d < 3; d++) r->tile[d] = 1;
    for (int d = 0; d < D->ndim; d++) {
        yaml_node_t *x = seq_at(L, n, d);
        r->tile[d] = sd_ld_eval_int(L, x, 1, (int64_t)1 << 40, "a tile extent");
        if (r->tile[d] > D->shape[d])
            sd_ld_fail(L, x, "tile extent %lld is larger than the grid (shape[%d] = %lld)", (long long)r->tile[d], d,
                       (long long)D->shape[d]);
    }
}

static void output(loader *L, const char *what, const yaml_node_t *at)
{
    if (!strcmp(what, "trajectory"))
        sd_ld_fail(L, at, "output.trajectory is for particle domains (a grid writes fields: output: {fields: {names: [...], every: N}})");
}

/* Ghost widths: the widest halo any op reads a field with; a field some op reads through a
 * full-box role (sd_role.box) has its edge and corner ghosts exchanged too. Refused: a full-box
 * read on a grid with an absorbing axis. There, a field read with a halo has a previous level
 * (the data-flow rules), and first-order Mur on edge and corner ghosts would read that level's
 * ghosts at edges and corners; a tile holds valid ones only where the previous level was
 * exchanged after it was last written (never at the first step), so results would depend on the
 * tiling. */
static void ghost_widths(loader *L)
{
    sd_graph *g = L->g;
    int absorbing = -1;
    for (int d = g->domain.ndim - 1; d >= 0; d--)
        if (g->domain.bc[d] == SD_BC_ABSORBING) absorbing = d;
    for (int pass = 0; pass < 2; pass++) {
        const sd_gop *ops = pass ? g->step : g->init;
        const opx *xs = pass ? L->xstep : L->xinit;
        int nops = pass ? g->nstep : g->ninit;
        for (int o = 0; o < nops; o++)
            for (int r = 0; r < ops[o].cl->nroles; r++) {
                const sd_binding *b = &ops[o].bind[r];
                if (b->is_scalar || b->is_table || b->unbound) continue;
                if (b->halo > g->fields[b->index].halo) g->fields[b->index].halo = b->halo;
                if (b->halo == 0 || !ops[o].cl->roles[r].box) continue;
                if (absorbing >= 0)
                    sd_ld_fail_at(L, xs[o].bind[r].line, xs[o].bind[r].col,
                                  "role '%s' of %s reads field %s through a full-box stencil (edge and corner ghosts), "
                                  "but axis %c is absorbing: Mur's condition on edge and corner ghosts would read the "
                                  "previous level's ghosts there, which no exchange keeps valid, so results would "
                                  "depend on the tiling (expected a star stencil, or no absorbing axis)",
                                  ops[o].cl->roles[r].name, ops[o].cl->name, g->fields[b->index].name, "xyz"[absorbing]);
                g->fields[b->index].box = 1;
            }
    }
}

/* Bins need inner axes. */
static void field_option(loader *L, const sd_gfield *f, const yaml_node_t *at, const char *option)
{
    if (!strcmp(option, "location") && f->location == SD_LOC_BINS && L->g->domain.ninner == 0)
        sd_ld_fail(L, at, "field '%s' lives on bins, but the grid has no inner axes (expected domain.grid.inner, or "
                   "location: cells)", f->name);
}

/* A role that needs a number of components reads that many values per cell: a field on bins has
 * components times bins of them. */
static void bind_field(loader *L, const sd_codelet *cl, int role, int field, const yaml_node_t *at)
{
    const sd_gfield *f = &L->g->fields[field];
    const int need = cl->roles[role].ncomp;
    if (need && f->location == SD_LOC_BINS)
        sd_ld_fail(L, at, "field '%s' holds %lld values per cell (%d component%s on %lld bins), but role '%s' of %s needs %d",
                   f->name, (long long)sd_field_values_per_cell(L->g, f), f->ncomp, f->ncomp == 1 ? "" : "s",
                   (long long)L->g->domain.nbins, cl->roles[role].name, cl->name, need);
}

/* Absorbing sides make a read's ghosts from the previous level of the field. */
static void bound(loader *L, const sd_codelet *cl, int role, const sd_binding *b, const char *name, const yaml_node_t *at)
{
    const sd_graph *g = L->g;
    const sd_gfield *f = &g->fields[b->index];
    if (cl->roles[role].mode != SD_READ || b->halo <= 0) return;
    for (int d = 0; d < g->domain.ndim; d++)
        if (g->domain.bc[d] == SD_BC_ABSORBING) {
            if (f->nlevels == 1)
                sd_ld_fail(L, at, "absorbing boundaries need field %s to have time levels (expected levels: [%s_prev, %s, ...])",
                           f->name, f->name, f->name);
            if (b->level == 0)
                sd_ld_fail(L, at, "absorbing boundaries compute the ghosts of '%s' from the previous level, but it is the oldest "
                           "level of field %s (expected a newer level, or an older one listed before it)", name, f->name);
            return;
        }
}

/* What validate and finish hooks see of a grid. */
static void check_info(const sd_graph *g, sd_check_info *info)
{
    info->ndim = g->domain.ndim;
    for (int d = 0; d < 3; d++) {
        info->shape[d] = g->domain.shape[d];
        info->dx[d] = g->domain.spacing[d];
        info->bc[d] = g->domain.bc[d];
        info->bc_value[d] = g->domain.bc_value[d];
    }
    info->ninner = g->domain.ninner;
    for (int k = 0; k < g->domain.ninner; k++) {
        info->inner_n[k] = g->domain.inner[k].count;
        info->inner_lo[k] = g->domain.inner[k].lo;
        info->inner_hi[k] = g->domain.inner[k].hi;
    }
}

const sd_dm_syntax sd_grid_syntax = {
    .noun = "a grid",
    .codelets_noun = "grids",
    .parse = load_grid,
    .parse_tiles = grid_tiles,
    .field_option = field_option,
    .bind_field = bind_field,
    .bound = bound,
    .check_info = check_info,
    .output = output,
    .finish = ghost_widths,
};
