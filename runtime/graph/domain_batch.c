/* domain_batch.c - the batch domain class's front end: domain.batch (count, the ODE system by
 * name or as expressions, initial values, tiles), and what a graph may do on a batch: f64 fields
 * on systems without time levels, no halos, the ncomp hooks of the solvers (loader_ops.c) seeing
 * the system. The values themselves: domain_batch_values.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader_impl.h"
#include "ode_expr.h"
#include "ode_linear.h"
#include "suggest.h"

#define SD_BATCH_MAX_COUNT ((int64_t)1 << 40) /* systems of a batch (a grid axis' limit) */
#define SD_BATCH_MAX_TILES 4096               /* ranges of systems (a grid axis' tiles) */

typedef struct bstate {
    const yaml_node_t *key, *values, *tilesn;
    sd_ode_expr_spec spec; /* an expression system's (here: freed with the loader, also on failure) */
} bstate;

/* `system: NAME`: a built-in or a registered system. */
static void named_system(loader *L, const yaml_node_t *n)
{
    sd_gbatch *B = &L->g->domain.batch;
    const char *name = sd_ld_get_str(L, n, "an ODE system name or {vars, params, dydt}");
    B->system = sd_ode_system_find(name);
    if (B->system) {
        snprintf(B->source, sizeof B->source, "system %s", B->system->name);
        return;
    }
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    char list[1024] = "";
    for (int i = 0; i < sd_ode_system_count(); i++) {
        const char *s = sd_ode_system_at(i)->name;
        sd_suggest_add(&sg, s);
        size_t l = strlen(list);
        if (l < sizeof list - 80) snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", s);
        else if (!strstr(list, ", ...")) snprintf(list + l, sizeof list - l, ", ...");
    }
    if (!*list)
        sd_ld_fail(L, n, "unknown ODE system '%s' (no system is registered: give the system as {vars, params, dydt})", name);
    if (sd_suggest_best(&sg))
        sd_ld_fail(L, n, "unknown ODE system '%s' (did you mean '%s'? known systems: %s)", name, sd_suggest_best(&sg), list);
    sd_ld_fail(L, n, "unknown ODE system '%s' (expected one of: %s, or {vars, params, dydt})", name, list);
}

/* The position of an expression's first character: a quoted scalar's starts after the quote. */
static sd_where text_at(const yaml_node_t *n)
{
    sd_where w = where(n);
    if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        w.col++;
    return w;
}

/* A list of names (what: "variable", "parameter") into names/at; their count. */
static int name_list(loader *L, const yaml_node_t *n, const char *what, const char **names, sd_where *at, int max)
{
    char one[32];
    snprintf(one, sizeof one, "a %s name", what);
    if (!is_seq(n)) sd_ld_fail(L, n, "expected a list of %s names, got %s", what, got(n) ? got(n) : "a single name");
    if (seq_len(n) > max) sd_ld_fail(L, n, "%d %ss (expected at most %d)", seq_len(n), what, max);
    for (int i = 0; i < seq_len(n); i++) {
        const yaml_node_t *x = seq_at(L, n, i);
        names[i] = sd_ld_get_name(L, x, one);
        at[i] = where(x);
    }
    return seq_len(n);
}

static sd_ode_text expr_text(loader *L, const yaml_node_t *n, const char *what)
{
    const char *s = sd_ld_get_str(L, n, what);
    if (!*s) sd_ld_fail(L, n, "expected %s, got an empty string", what);
    return (sd_ode_text){s, text_at(n)};
}

static void load_events(loader *L, const yaml_node_t *n, sd_ode_expr_spec *sp)
{
    static const char *const keys[] = {"g", "direction", "terminal", NULL};
    if (!is_seq(n)) sd_ld_fail(L, n, "expected a list of events ({g: EXPR, direction: -1|0|1, terminal: BOOL}) for events");
    if (seq_len(n) > SD_ODE_MAX_EVENTS) sd_ld_fail(L, n, "%d events (expected at most %d)", seq_len(n), SD_ODE_MAX_EVENTS);
    for (int k = 0; k < seq_len(n); k++) {
        const yaml_node_t *e = seq_at(L, n, k), *x;
        if (is_scalar(e) && !is_null(e)) {
            sp->event[k] = expr_text(L, e, "an event function g(t, y)");
            continue;
        }
        sd_ld_need_map(L, e, "an event ({g: EXPR, direction: -1|0|1, terminal: BOOL})");
        sd_ld_check_keys(L, e, keys, "in an event");
        if (!(x = sd_ld_map_get(L, e, "g", NULL))) sd_ld_fail(L, e, "an event needs g (the expression whose zeros are events)");
        sp->event[k] = expr_text(L, x, "an event function g(t, y)");
        if ((x = sd_ld_map_get(L, e, "direction", NULL)))
            sp->event_direction[k] = (int)sd_ld_eval_int(L, x, -1, 1, "direction (-1 falling, +1 rising, 0 both)");
        if ((x = sd_ld_map_get(L, e, "terminal", NULL))) sp->event_terminal[k] = sd_ld_get_bool(L, x, "terminal");
    }
    sp->nevents = seq_len(n);
}

/* `system: {name, vars, params, dydt, events, compile}`: built by runtime/ode (ode_expr.h); the
 * graph owns the system (sd_graph_free frees it). */
static void expression_system(loader *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"name", "vars", "params", "dydt", "events", "compile", NULL};
    static const char *const modes[] = {"auto", "native", "interpreter", NULL};
    sd_gbatch *B = &L->g->domain.batch;
    sd_ode_expr_spec *sp = &((bstate *)L->dm_state)->spec;
    sd_ld_check_keys(L, n, keys, "in domain.batch.system");
    sp->file = L->path;
    snprintf(sp->name, sizeof sp->name, "expressions");
    const yaml_node_t *x, *vars = sd_ld_map_get(L, n, "vars", NULL), *dydt = sd_ld_map_get(L, n, "dydt", NULL);
    if (!vars || !dydt)
        sd_ld_fail(L, n, "an expression system needs vars (the state's names) and dydt (one expression per variable)");
    if ((x = sd_ld_map_get(L, n, "name", NULL))) snprintf(sp->name, sizeof sp->name, "%s", sd_ld_get_name(L, x, "a system name"));
    sp->n = name_list(L, vars, "variable", sp->var, sp->var_at, SD_ODE_EXPR_MAX);
    if (sp->n == 0) sd_ld_fail(L, vars, "an expression system needs at least one variable");
    if ((x = sd_ld_map_get(L, n, "params", NULL)) && !is_null(x))
        sp->np = name_list(L, x, "parameter", sp->param, sp->param_at, SD_ODE_EXPR_MAX);
    if (!is_seq(dydt)) sd_ld_fail(L, dydt, "expected a list of expressions for dydt (one per variable), got %s", got(dydt) ? got(dydt) : "one expression");
    if (seq_len(dydt) != sp->n)
        sd_ld_fail(L, dydt, "dydt has %d expression%s for %d variable%s (expected one per variable, in the order of vars)",
                   seq_len(dydt), seq_len(dydt) == 1 ? "" : "s", sp->n, sp->n == 1 ? "" : "s");
    for (int i = 0; i < sp->n; i++) sp->dydt[i] = expr_text(L, seq_at(L, dydt, i), "an expression of t, the variables and parameters");
    if ((x = sd_ld_map_get(L, n, "events", NULL)) && !is_null(x)) load_events(L, x, sp);
    if ((x = sd_ld_map_get(L, n, "compile", NULL))) {
        const char *m = sd_ld_get_str(L, x, "auto, native or interpreter");
        int k = 0;
        while (modes[k] && strcmp(modes[k], m)) k++;
        if (!modes[k]) sd_ld_fail(L, x, "unknown compile mode '%s' (expected auto, native or interpreter)", m);
        sp->compile = (sd_ode_compile)k;
    }
    sp->constant = sd_ld_constant; /* the params defined before the domain, dt */
    sp->constant_ctx = L;
    char how[128] = "", err[1024] = "";
    const sd_ode_system *sys = NULL;
    void *owned = NULL;
    if (sd_ode_expr_build(sp, &sys, &owned, how, sizeof how, err, sizeof err) < 0) {
        if (owned) sd_ode_expr_free(owned);
        snprintf(L->err, L->errlen, "%s", err); /* already "FILE:LINE:COL: ..." */
        longjmp(L->jb, 1);
    }
    B->system = sys;
    B->owned = owned;
    B->free_owned = sd_ode_expr_free;
    snprintf(B->source, sizeof B->source, "system %s from expressions (line %d)%s%s", sys->name, where(n).line,
             *how ? ", " : "", how);
}

/* `system: {name: linear, file: A.h5}`: y' = A y + b with A and b from the file (ode_linear.h). */
static void file_system(loader *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"name", "file", NULL};
    sd_gbatch *B = &L->g->domain.batch;
    sd_ld_check_keys(L, n, keys, "in domain.batch.system (a system from a file)");
    const yaml_node_t *nn = sd_ld_map_get(L, n, "name", NULL), *fn = sd_ld_map_get(L, n, "file", NULL);
    if (!nn || strcmp(sd_ld_get_str(L, nn, "a system name"), "linear"))
        sd_ld_fail(L, nn ? nn : n, "a system read from a file is {name: linear, file: F.h5} (y' = A y + b, datasets /A and /b)");
    const char *file = sd_ld_get_str(L, fn, "an HDF5 file path (datasets /A and /b)");
    char err[1024] = "";
    const sd_ode_system *sys = NULL;
    void *owned = NULL;
    if (sd_ode_linear_load(file, &sys, &owned, err, sizeof err) < 0) sd_ld_fail(L, fn, "%s", err);
    B->system = sys;
    B->owned = owned;
    B->free_owned = sd_ode_linear_free;
    snprintf(B->source, sizeof B->source, "system linear (n = %d) from %.200s", sys->n, file);
}

static void batch_tiles(loader *L, const yaml_node_t *n)
{
    sd_gbatch *B = &L->g->domain.batch;
    if (is_scalar(n) && !strcmp(sval(n), "auto")) {
        B->ntiles = 0;
        return;
    }
    if (!is_scalar(n) || is_null(n))
        sd_ld_fail(L, n, "expected auto or a number of ranges of systems for the tiles of a batch, got %s (tile shapes are "
                   "for grids)", got(n));
    B->ntiles = (int)sd_ld_eval_int(L, n, 1, SD_BATCH_MAX_TILES, "tiles (the number of ranges of systems)");
    ((bstate *)L->dm_state)->tilesn = n;
}

static void load_batch(loader *L, const yaml_node_t *k, const yaml_node_t *S)
{
    static const char *const keys[] = {"count", "system", "values", "tiles", NULL};
    sd_domain *D = &L->g->domain;
    sd_ld_need_map(L, S, "domain.batch ({count: M, system: NAME or {vars, params, dydt}, values: {...}})");
    sd_ld_check_keys(L, S, keys, "in domain.batch");
    bstate *st = L->dm_state = calloc(1, sizeof *st);
    if (!st) sd_ld_oom(L);
    st->key = k;
    D->kind = SD_DOMAIN_BATCH;
    D->ndim = 1;
    for (int d = 0; d < 3; d++) {
        D->shape[d] = 1;
        D->spacing[d] = 1.0;
        D->bc[d] = SD_BC_PERIODIC;
    }
    D->absorb_speed = 1.0;
    D->nbins = 1;
    const yaml_node_t *cn = sd_ld_map_get(L, S, "count", NULL), *sn = sd_ld_map_get(L, S, "system", NULL), *x;
    if (!cn) sd_ld_fail(L, k, "domain.batch needs count (the number of systems, >= 1)");
    if (!sn) sd_ld_fail(L, k, "domain.batch needs system (a registered system's name, or {vars, params, dydt})");
    D->batch.count = D->shape[0] = sd_ld_eval_int(L, cn, 1, SD_BATCH_MAX_COUNT, "count (the number of systems)");
    if (is_map(sn) && sd_ld_map_get(L, sn, "file", NULL)) file_system(L, sn);
    else if (is_map(sn)) expression_system(L, sn);
    else named_system(L, sn);
    if ((x = sd_ld_map_get(L, S, "tiles", NULL))) batch_tiles(L, x);
    st->values = sd_ld_map_get(L, S, "values", NULL);
}

static void field_option(loader *L, const sd_gfield *f, const yaml_node_t *at, const char *option)
{
    if (!strcmp(option, "dtype") && f->dtype != SD_F64)
        sd_ld_fail(L, at, "field '%s' is %s, but batch fields are f64 (the solvers' precision)", f->name, dtype_name(f->dtype));
    if (!strcmp(option, "levels"))
        sd_ld_fail(L, at, "field '%s' has levels, but a batch holds one value per system: a solver keeps its own state in "
                   "its work field (expected no levels)", f->name);
}

static void halo_option(loader *L, const sd_codelet *cl, int role, const yaml_node_t *at)
{
    sd_ld_fail(L, at, "role '%s' of %s: systems of a batch have no neighbours (expected no halo)", cl->roles[role].name,
               cl->name);
}

static void bind_field(loader *L, const sd_codelet *cl, int role, int field, const yaml_node_t *at)
{
    (void)field;
    const sd_role *r = &cl->roles[role];
    if (r->halo > 0 || r->box)
        sd_ld_fail(L, at, "role '%s' of %s reads neighbours (a stencil), but systems of a batch have none (expected a "
                   "pointwise role)", r->name, cl->name);
}

static void output(loader *L, const char *what, const yaml_node_t *at)
{
    if (!strcmp(what, "trajectory"))
        sd_ld_fail(L, at, "output.trajectory is for particles: a batch's per-system fields go to output.fields");
}

static void after_fields(loader *L)
{
    const bstate *st = L->dm_state;
    if (st->values) sd_ld_batch_values(L, st->values);
}

static void finish(loader *L)
{
    const sd_gbatch *B = &L->g->domain.batch;
    const bstate *st = L->dm_state;
    if (st->tilesn && B->ntiles > B->count)
        sd_ld_fail(L, st->tilesn, "tiles asks for %d ranges of a batch of %lld systems (expected at most one per system)",
                   B->ntiles, (long long)B->count);
}

static void check_info(const sd_graph *g, sd_check_info *info)
{
    info->ndim = 1;
    info->shape[0] = g->domain.batch.count;
    info->shape[1] = info->shape[2] = 1;
    info->dx[0] = info->dx[1] = info->dx[2] = 1.0;
    info->count = g->domain.batch.count;
    info->system = g->domain.batch.system;
}

const sd_dm_syntax sd_batch_syntax = {
    .noun = "a batch",
    .codelets_noun = "batches",
    .parse = load_batch,
    .parse_tiles = batch_tiles,
    .field_option = field_option,
    .after_fields = after_fields,
    .halo_option = halo_option,
    .bind_field = bind_field,
    .output = output,
    .check_info = check_info,
    .finish = finish,
};
