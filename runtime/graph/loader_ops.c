/* loader_ops.c - the init and step sections: each op names a registered codelet, binds its
 * roles to field levels or scalars (checked against what the codelet declares: section, kind,
 * components, dtype, halo), sets its params and runs its validate hook; then the data-flow
 * analysis over init and two steps (nothing read before it is written, no write lost). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "loader_impl.h"
#include "stardag/ode.h"
#include "suggest.h"

/* ---- ops --------------------------------------------------------------------------------- */

static const char *section_of(sd_access m) { return m == SD_READ ? "read" : m == SD_WRITE ? "write" : "readwrite"; }

/* "<codelet> has no <what> '<name>'", with the nearest name or the list of names; does not return. */
static void no_such(loader *L, const yaml_node_t *at, const char *codelet, const char *what, const char *name,
                    const char *const *names, int n)
{
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    char list[512] = "";
    for (int i = 0; i < n; i++) {
        sd_suggest_add(&sg, names[i]);
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
    }
    if (sd_suggest_best(&sg)) sd_ld_fail(L, at, "%s has no %s '%s' (did you mean '%s'?)", codelet, what, name, sd_suggest_best(&sg));
    if (n) sd_ld_fail(L, at, "%s has no %s '%s' (expected one of: %s)", codelet, what, name, list);
    sd_ld_fail(L, at, "%s has no %s '%s' (expected no %ss)", codelet, what, name, what);
}

/* A table bound to role ri (ti: the table, or -1 when `name` is a field or scalar: `what`). */
static void bind_table(loader *L, sd_gop *op, const sd_codelet *cl, int ri, int ti, const char *name, const yaml_node_t *nn,
                       const char *what)
{
    const sd_role *r = &cl->roles[ri];
    if (ti < 0) { /* a table role bound to something else */
        if (sd_graph_level_lookup(L->g, name, NULL) >= 0 || sd_graph_scalar_index(L->g, name) >= 0)
            sd_ld_fail(L, nn, "role '%s' of %s reads a table, but '%s' is a %s (expected a name from tables)", r->name, cl->name,
                       name, what);
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; i < L->g->ntables; i++) sd_suggest_add(&sg, L->g->tables[i].name);
        if (sd_suggest_best(&sg)) sd_ld_fail(L, nn, "unknown table '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
        sd_ld_fail(L, nn, "unknown table '%s' (expected a name from tables%s)", name, L->g->ntables ? "" : ": the graph declares none");
    }
    const sd_gtable *t = &L->g->tables[ti];
    if (r->kind != SD_ROLE_TABLE)
        sd_ld_fail(L, nn, "'%s' is a table (read-only numbers from %s), but role '%s' of %s %s a %s", name, t->file, r->name,
                   cl->name, r->mode == SD_READ ? "reads" : "writes", r->kind == SD_ROLE_SCALAR ? "scalar" : "field");
    if (r->ncomp && t->cols != r->ncomp)
        sd_ld_fail(L, nn, "table '%s' has %d column%s, but role '%s' of %s needs %d", name, t->cols, t->cols == 1 ? "" : "s",
                   r->name, cl->name, r->ncomp);
    sd_binding *b = &op->bind[ri];
    b->is_table = 1;
    b->index = ti;
    b->halo = 0;
}

static void bind_one(loader *L, sd_gop *op, opx *x, const sd_codelet *cl, yaml_node_t *rk, yaml_node_t *v, sd_access sec,
                     int *first_field)
{
    sd_graph *g = L->g;
    const char *rname = sval(rk);
    int ri = sd_codelet_role_index(cl, rname);
    if (ri < 0) {
        const char *names[SD_MAX_BUFS];
        for (int i = 0; i < cl->nroles; i++) names[i] = cl->roles[i].name;
        no_such(L, rk, cl->name, "role", rname, names, cl->nroles);
    }
    const sd_role *r = &cl->roles[ri];
    if (r->mode != sec)
        sd_ld_fail(L, rk, "role '%s' of %s belongs in %s, not %s", rname, cl->name, section_of(r->mode), section_of(sec));
    sd_binding *b = &op->bind[ri];
    b->mode = r->mode;
    b->halo = r->halo;
    yaml_node_t *nn = v;
    if (is_map(v)) {
        static const char *const keys[] = {"field", "halo", NULL};
        char sec2[128];
        snprintf(sec2, sizeof sec2, "in the binding of role %s", rname);
        sd_ld_check_keys(L, v, keys, sec2);
        yaml_node_t *kh = NULL;
        yaml_node_t *h = sd_ld_map_get(L, v, "halo", &kh);
        nn = sd_ld_map_get(L, v, "field", NULL);
        if (!nn) sd_ld_fail(L, v, "binding of role '%s' needs field (expected {field: NAME, halo: H})", rname);
        if (h) {
            if (r->kind != SD_ROLE_FIELD || r->mode != SD_READ || r->halo == 0)
                sd_ld_fail(L, kh, "role '%s' of %s reads no neighbour cells, so it takes no halo", rname, cl->name);
            SD_LD_HOOK(L, halo_option, cl, ri, kh);
            b->halo = (int)sd_ld_eval_int(L, h, 0, 1 << 20, "halo");
            if (b->halo < r->halo)
                sd_ld_fail(L, h, "halo %d is below the halo %d that %s declares for role '%s' (expected >= %d)", b->halo, r->halo,
                           cl->name, rname, r->halo);
        }
    } else if (is_seq(v))
        sd_ld_fail(L, v, "expected a name or {field: NAME, halo: H} for role '%s', got a list", rname);
    const char *name = sd_ld_get_str(L, nn, "a field level, scalar or table name");
    x->bind[ri] = where(nn);
    int level = 0, fi = sd_graph_level_lookup(g, name, &level);
    int si = fi < 0 ? sd_graph_scalar_index(g, name) : -1;
    int ti = fi < 0 && si < 0 ? sd_graph_table_index(g, name) : -1;
    if (ti >= 0 || r->kind == SD_ROLE_TABLE) {
        bind_table(L, op, cl, ri, ti, name, nn, fi >= 0 ? "field" : "scalar");
        return;
    }
    if (fi < 0 && si < 0) {
        int rf = sd_graph_field_index(g, name);
        if (rf >= 0) {
            char list[SD_MAX_LEVELS * SD_NAME_MAX + 8] = "";
            for (int l = 0; l < g->fields[rf].nlevels; l++) {
                size_t q = strlen(list);
                snprintf(list + q, sizeof list - q, "%s%s", l ? ", " : "", g->fields[rf].level[l]);
            }
            sd_ld_fail(L, nn, "field '%s' has time levels; bind one of them (%s)", name, list);
        }
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; i < L->nns; i++)
            if (L->ns[i].kind != NS_FIELD || g->fields[L->ns[i].field].nlevels == 1) sd_suggest_add(&sg, L->ns[i].name);
        if (sd_suggest_best(&sg)) sd_ld_fail(L, nn, "unknown field or scalar '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
        sd_ld_fail(L, nn, "unknown field or scalar '%s' (expected a name from fields or scalars)", name);
    }
    if (r->kind == SD_ROLE_FIELD && si >= 0)
        sd_ld_fail(L, nn, "role '%s' of %s needs a field, but '%s' is a scalar", rname, cl->name, name);
    if (r->kind == SD_ROLE_SCALAR && fi >= 0)
        sd_ld_fail(L, nn, "role '%s' of %s needs a scalar, but '%s' is a field", rname, cl->name, name);
    b->is_scalar = si >= 0;
    b->index = si >= 0 ? si : fi;
    b->level = si >= 0 ? 0 : level;
    if (si >= 0) { b->halo = 0; return; }
    const sd_gfield *f = &g->fields[fi];
    SD_LD_HOOK(L, bind_field, cl, ri, fi, nn);
    if (r->ncomp && f->ncomp != r->ncomp)
        sd_ld_fail(L, nn, "field '%s' has %d component%s, but role '%s' of %s needs %d", f->name, f->ncomp, f->ncomp == 1 ? "" : "s",
                   rname, cl->name, r->ncomp);
    if (r->dtypes && !(r->dtypes & (1 << f->dtype)))
        sd_ld_fail(L, nn, "field '%s' is %s, but role '%s' of %s accepts only %s", f->name, dtype_name(f->dtype), rname, cl->name,
                   dtype_name(f->dtype == SD_F32 ? SD_F64 : SD_F32));
    /* roles that take any number of components are applied component by component: they must agree
     * (unless the codelet's ncomp hook says what each role needs: check_ncomp) */
    for (int i = 0; !r->ncomp && !cl->ncomp && i < cl->nroles; i++) {
        const sd_binding *o = &op->bind[i];
        if (i == ri || !o->mode || o->is_scalar || o->is_table || o->unbound || cl->roles[i].ncomp) continue;
        const sd_gfield *fo = &g->fields[o->index];
        if (fo->ncomp != f->ncomp)
            sd_ld_fail(L, nn, "fields '%s' (%d component%s) and '%s' (%d component%s) of one op must have the same components",
                       fo->name, fo->ncomp, fo->ncomp == 1 ? "" : "s", f->name, f->ncomp, f->ncomp == 1 ? "" : "s");
    }
    /* a role that takes one dtype only (f64 bookkeeping beside an f32 state) is exempt */
    const int one_dtype = r->dtypes == (1 << SD_F32) || r->dtypes == (1 << SD_F64);
    if (!one_dtype && *first_field >= 0) {
        const sd_binding *b0 = &op->bind[*first_field];
        const sd_gfield *f0 = &g->fields[b0->index];
        if (f0->dtype != f->dtype)
            sd_ld_fail(L, nn, "fields '%s' (%s) and '%s' (%s) of one op must have the same dtype", f0->name, dtype_name(f0->dtype),
                       f->name, dtype_name(f->dtype));
    } else if (!one_dtype)
        *first_field = ri;
    /* one level may not be written through one role and touched through another */
    for (int i = 0; i < cl->nroles; i++) {
        const sd_binding *o = &op->bind[i];
        if (i == ri || !o->mode || o->is_scalar || o->is_table || o->unbound || o->index != fi || o->level != level) continue;
        if (o->mode != SD_READ || r->mode != SD_READ)
            sd_ld_fail(L, nn, "'%s' is bound to roles '%s' and '%s' of one op, and one of them writes it (expected another level)",
                       name, cl->roles[i].name, rname);
    }
    SD_LD_HOOK(L, bound, cl, ri, b, name, nn);
}

/* What a codelet's hooks see of the domain and the op's params. */
static void check_info(loader *L, const sd_gop *op, sd_check_info *info)
{
    memset(info, 0, sizeof *info);
    info->dt = L->g->run.dt;
    info->param = op->param;
    for (int r = 0; r < op->cl->nroles; r++) {
        const sd_binding *b = &op->bind[r];
        if (!b->is_table || b->unbound) continue;
        const sd_gtable *t = &L->g->tables[b->index];
        info->table[r] = t->data;
        info->table_rows[r] = t->rows;
        info->table_cols[r] = t->cols;
    }
    if (L->cls->syntax->check_info) L->cls->syntax->check_info(L->g, info);
}

/* The codelet's ncomp hook (after the params): a bound field has the components it asks for. */
static void check_ncomp(loader *L, const sd_gop *op, const opx *x)
{
    const sd_codelet *cl = op->cl;
    if (!cl->ncomp) return;
    sd_check_info info;
    check_info(L, op, &info);
    for (int r = 0; r < cl->nroles; r++) {
        const sd_binding *b = &op->bind[r];
        if (b->is_scalar || b->unbound || cl->roles[r].kind != SD_ROLE_FIELD) continue;
        const int need = cl->ncomp(r, &info);
        const sd_gfield *f = &L->g->fields[b->index];
        if (need <= 0 || f->ncomp == need) continue;
        char why[256] = "";
        if (info.system) {
            const struct sd_ode_system *s = info.system;
            snprintf(why, sizeof why, " for system %s (n = %d variable%s, np = %d parameter%s, %d event%s)", s->name, s->n,
                     s->n == 1 ? "" : "s", s->np, s->np == 1 ? "" : "s", s->nevents, s->nevents == 1 ? "" : "s");
        }
        sd_ld_fail_at(L, x->bind[r].line, x->bind[r].col, "%s's %s needs %d component%s%s, but field '%s' has %d", cl->name,
                      cl->roles[r].name, need, need == 1 ? "" : "s", why, f->name, f->ncomp);
    }
}

void sd_ld_call_validate(loader *L, const sd_gop *op, const yaml_node_t *at)
{
    if (!op->cl->validate) return;
    sd_check_info info;
    check_info(L, op, &info);
    char msg[512] = "";
    if (op->cl->validate(&info, msg, sizeof msg)) sd_ld_fail(L, at, "%s: %s", op->cl->name, msg[0] ? msg : "refused by its validate hook");
}

static void load_op(loader *L, yaml_node_t *item, int is_step, int idx, sd_gop *op, opx *x)
{
    static const char *const keys[] = {"op", "read", "write", "readwrite", "params", "every", "repeat", NULL};
    char label[48], b[32], b2[32], b3[32];
    snprintf(label, sizeof label, "in %s op %d", is_step ? "step" : "init", idx + 1);
    if (!is_map(item)) {
        const char *gg = got(item);
        sd_ld_fail(L, item, "expected an op (a map with op: CODELET, read, write, ...), got %s", gg ? gg : "a single name");
    }
    sd_ld_check_keys(L, item, keys, label);
    yaml_node_t *on = sd_ld_map_get(L, item, "op", NULL);
    if (!on) sd_ld_fail(L, item, "%s op %d has no 'op' key (expected the codelet name, e.g. op: common.fill)", is_step ? "step" : "init", idx + 1);
    const char *cname = sd_ld_get_str(L, on, "a codelet name");
    const sd_codelet *cl = sd_ld_io_op(cname); /* the loader's own io.* ops first */
    int io = cl != NULL;
    if (!cl) cl = sd_codelet_find(cname);
    if (!cl) {
        sd_suggest sg;
        sd_suggest_init(&sg, cname);
        for (int i = 0; i < sd_codelet_count(); i++) sd_suggest_add(&sg, sd_codelet_at(i)->name);
        for (int i = 0; sd_ld_io_op_name(i); i++) sd_suggest_add(&sg, sd_ld_io_op_name(i));
        if (sd_suggest_best(&sg)) sd_ld_fail(L, on, "unknown codelet '%s' (did you mean '%s'?)", cname, sd_suggest_best(&sg));
        sd_ld_fail(L, on, "unknown codelet '%s' (no registered codelet has this name; a pack's codelet? load the pack "
                   "with plugins: [PACK.so], --load PACK.so or STARDAG_PLUGIN_PATH)", cname);
    }
    if (cl->domain != L->cls->codelets) {
        const sd_dm_class *home = sd_dm_class_running(cl->domain);
        sd_ld_fail(L, on, "%s runs on %s, but this graph's domain is %s", cl->name,
                   home ? home->syntax->codelets_noun : "another domain", L->cls->syntax->noun);
    }
    if (!(L->cls->patterns & 1u << cl->pattern))
        sd_ld_fail(L, on, "%s is a %s op, which the %s domain class does not implement", cl->name, sd_pattern_name(cl->pattern), L->cls->name);
    if (cl->pattern == SD_WHOLE && sd_codelet_scalars_only(cl) && !L->cls->scalar_ops)
        sd_ld_fail(L, on, "%s is an op of scalars only, which the %s domain class does not run", cl->name, L->cls->name);
    if ((cl->scratch_v || cl->scratch_f) && !L->cls->scratch)
        sd_ld_fail(L, on, "%s needs scratch memory per element, which the %s domain class does not provide", cl->name,
                   L->cls->name);
    op->cl = cl;
    op->every = 1;
    op->at = where(on);
    x->op = op->at;
    int first_field = -1, pset[SD_MAX_PARAMS] = {0};
    yaml_node_t *io_params = NULL; /* io ops' params are text: sd_ld_io_finish reads them */
    for (int i = 0; i < map_len(item); i++) {
        yaml_node_t *k = key_at(L, item, i), *v = val_at(L, item, i);
        const char *kk = sval(k);
        sd_access sec = !strcmp(kk, "read") ? SD_READ : !strcmp(kk, "write") ? SD_WRITE : !strcmp(kk, "readwrite") ? SD_READWRITE : 0;
        if (sec) {
            if (is_null(v)) continue;
            char what[64];
            snprintf(what, sizeof what, "%s (role: binding)", kk);
            sd_ld_need_map(L, v, what);
            for (int j = 0; j < map_len(v); j++) bind_one(L, op, x, cl, key_at(L, v, j), val_at(L, v, j), sec, &first_field);
        } else if (!strcmp(kk, "params")) {
            if (io) { io_params = is_null(v) ? NULL : v; continue; }
            if (is_null(v)) continue;
            sd_ld_need_map(L, v, "params");
            for (int j = 0; j < map_len(v); j++) {
                yaml_node_t *pk = key_at(L, v, j), *pv = val_at(L, v, j);
                const char *pn = sval(pk);
                int pi = sd_codelet_param_index(cl, pn);
                if (pi < 0) {
                    const char *names[SD_MAX_PARAMS];
                    for (int q = 0; q < cl->nparams; q++) names[q] = cl->params[q].name;
                    no_such(L, pk, cl->name, "param", pn, names, cl->nparams);
                }
                const sd_param *p = &cl->params[pi];
                double val = sd_ld_eval(L, pv);
                if (val < p->min || val > p->max)
                    sd_ld_fail(L, pv, "param '%s' of %s is %s, out of its range [%s, %s]", pn, cl->name, sd_ld_num(b, val), sd_ld_num(b2, p->min),
                               sd_ld_num(b3, p->max));
                op->param[pi] = val;
                pset[pi] = 1;
            }
        } else if (!strcmp(kk, "every")) {
            if (!is_step) sd_ld_fail(L, k, "every is only allowed in step ops (init ops run once)");
            op->every = (int)sd_ld_eval_int(L, v, 1, INT_MAX, "every");
        } else if (!strcmp(kk, "repeat") && io) {
            sd_ld_fail(L, k, "%s reads a file once; repeat is for inner loops of codelets", cname);
        }
    }
    /* optional outputs left out: bound to hidden scalars (computed, not kept; "__" names are never shown) */
    for (int i = 0; i < cl->nroles; i++)
        if (!op->bind[i].mode && cl->roles[i].optional && cl->roles[i].kind != SD_ROLE_SCALAR) {
            /* an optional field or table role: no data, the kernel sees p == NULL */
            op->bind[i] = (sd_binding){.index = -1, .mode = cl->roles[i].mode, .unbound = 1,
                                       .is_table = cl->roles[i].kind == SD_ROLE_TABLE};
            x->bind[i] = where(on);
        } else if (!op->bind[i].mode && cl->roles[i].optional) {
            char hname[SD_NAME_MAX];
            /* by the op's place in the expanded list (an op's own `repeat:` copies share its one) */
            snprintf(hname, sizeof hname, "__%s%d_%.40s", is_step ? "step" : "init", is_step ? L->g->nstep : L->g->ninit,
                     cl->roles[i].name);
            sd_ld_add_scalar(L, hname, where(on));
            op->bind[i] = (sd_binding){.is_scalar = 1, .index = L->g->nscalars - 1, .mode = cl->roles[i].mode};
            x->bind[i] = where(on);
        }
    char missing[1024] = "";
    int nmiss = 0;
    for (int i = 0; i < cl->nroles; i++)
        if (!op->bind[i].mode) {
            size_t l = strlen(missing);
            snprintf(missing + l, sizeof missing - l, "%s%s (%s)", nmiss++ ? ", " : "", cl->roles[i].name, section_of(cl->roles[i].mode));
        }
    if (nmiss == 1) {
        for (int i = 0; i < cl->nroles; i++)
            if (!op->bind[i].mode)
                sd_ld_fail(L, on, "op %s is missing role '%s' (expected in %s)", cl->name, cl->roles[i].name, section_of(cl->roles[i].mode));
    }
    if (nmiss) sd_ld_fail(L, on, "op %s is missing roles: %s", cl->name, missing);
    if (io) {
        sd_ld_io_finish(L, op, is_step, on, io_params);
        return;
    }
    for (int i = 0; i < cl->nparams; i++)
        if (!pset[i]) {
            if (cl->params[i].required) sd_ld_fail(L, on, "op %s needs param '%s' (required)", cl->name, cl->params[i].name);
            op->param[i] = cl->params[i].def;
        }
    check_ncomp(L, op, x);
    sd_ld_call_validate(L, op, on);
    if (cl->reach) { /* a stencil whose reach depends on the parameters (validated above) */
        const int h = cl->reach(op->param);
        for (int i = 0; i < cl->nroles; i++)
            if (cl->roles[i].halo > 0 && op->bind[i].halo < h) op->bind[i].halo = h;
    }
}

/* One more op in the init or step list (its slot and its positions' slot). */
int sd_ld_new_op(loader *L, int is_step)
{
    sd_graph *g = L->g;
    int *cnt = is_step ? &g->nstep : &g->ninit;
    int *cap = is_step ? &L->cap_step : &L->cap_init;
    sd_gop **arr = is_step ? &g->step : &g->init;
    opx **xa = is_step ? &L->xstep : &L->xinit;
    int c0 = *cap;
    *arr = sd_ld_grow(L, *arr, *cnt, cap, sizeof **arr);
    if (*cap != c0) {
        int c1 = c0;
        *xa = sd_ld_grow(L, *xa, *cnt, &c1, sizeof **xa);
    }
    return (*cnt)++;
}

#define MAX_EXPANDED_OPS 100000 /* ops of one list after repeats are written out */

/* An op (item number idx in its list), written out `repeat` times. */
static void add_op(loader *L, yaml_node_t *item, int is_step, int idx, int every)
{
    const int k = sd_ld_new_op(L, is_step);
    sd_gop *ops = is_step ? L->g->step : L->g->init;
    opx *xs = is_step ? L->xstep : L->xinit;
    load_op(L, item, is_step, idx, &ops[k], &xs[k]);
    if (every) {
        if (sd_ld_map_get(L, item, "every", NULL))
            sd_ld_fail(L, sd_ld_map_get(L, item, "every", NULL), "every of an op inside a repeat block: give it to the block");
        ops[k].every = every;
    }
    yaml_node_t *rk = NULL, *rv = sd_ld_map_get(L, item, "repeat", &rk);
    const int64_t rep = rv ? sd_ld_eval_int(L, rv, 1, MAX_EXPANDED_OPS, "repeat (times in a row)") : 1;
    for (int64_t r = 1; r < rep; r++) {
        if ((is_step ? L->g->nstep : L->g->ninit) >= MAX_EXPANDED_OPS)
            sd_ld_fail(L, rk, "repeat makes more than %d ops in %s", MAX_EXPANDED_OPS, is_step ? "step" : "init");
        const int c = sd_ld_new_op(L, is_step);
        ops = is_step ? L->g->step : L->g->init; /* new_op may have moved them */
        xs = is_step ? L->xstep : L->xinit;
        ops[c] = ops[k];
        xs[c] = xs[k];
    }
}

/* A list of ops. An item {repeat: N, ops: [...]} (optionally with every: M) is an inner loop: its
 * ops are written out N times in order, as if the file listed them so; an op's own `repeat: N`
 * writes that op out N times in a row. Either runs in the same step with no host round trip. */
void sd_ld_load_ops(loader *L, const yaml_node_t *n, int is_step)
{
    static const char *const bkeys[] = {"repeat", "ops", "every", NULL};
    if (is_null(n)) return;
    if (!is_seq(n)) sd_ld_fail(L, n, "expected a list of ops for %s, got %s", is_step ? "step" : "init", got(n) ? got(n) : "a single name");
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *item = seq_at(L, n, i), *body;
        if (!is_map(item) || !(body = sd_ld_map_get(L, item, "ops", NULL))) {
            add_op(L, item, is_step, i, 0);
            continue;
        }
        sd_ld_check_keys(L, item, bkeys, "in a repeat block");
        yaml_node_t *rv = sd_ld_map_get(L, item, "repeat", NULL), *ev = sd_ld_map_get(L, item, "every", NULL);
        if (!rv) sd_ld_fail(L, item, "a block of ops needs repeat (how many times its ops run in a row)");
        if (!is_seq(body) || seq_len(body) == 0) sd_ld_fail(L, body, "expected a non-empty list of ops for the block's ops");
        if (ev && !is_step) sd_ld_fail(L, ev, "every is only allowed in step ops (init ops run once)");
        const int64_t rep = sd_ld_eval_int(L, rv, 1, MAX_EXPANDED_OPS, "repeat (times in a row)");
        const int every = ev ? (int)sd_ld_eval_int(L, ev, 1, INT_MAX, "every") : 0;
        for (int64_t r = 0; r < rep; r++)
            for (int j = 0; j < seq_len(body); j++) {
                yaml_node_t *in = seq_at(L, body, j);
                if (is_map(in) && sd_ld_map_get(L, in, "ops", NULL)) sd_ld_fail(L, in, "repeat blocks do not nest");
                if ((is_step ? L->g->nstep : L->g->ninit) >= MAX_EXPANDED_OPS)
                    sd_ld_fail(L, rv, "repeat makes more than %d ops in %s", MAX_EXPANDED_OPS, is_step ? "step" : "init");
                add_op(L, in, is_step, i, every);
            }
    }
}

/* ---- data flow --------------------------------------------------------------------------- */


void sd_ld_flow_ops(loader *L, flow *F, const sd_gop *ops, const opx *xs, int nops, int is_step)
{
    sd_graph *g = L->g;
    if (is_step)
        for (int i = 0; i < g->nfields * SD_MAX_LEVELS; i++) { F->lastw[i] = -1; F->readsince[i] = 0; }
    for (int o = 0; o < nops; o++) {
        const sd_gop *op = &ops[o];
        for (int r = 0; r < op->cl->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (b->mode == SD_WRITE || b->unbound || b->is_table) continue; /* tables hold data from the load */
            const char *name = b->is_scalar ? g->scalars[b->index].name : g->fields[b->index].level[b->level];
            if (b->is_scalar ? !F->sdata[b->index] : !F->fdata[b->index * SD_MAX_LEVELS + b->level]) {
                if (b->is_scalar)
                    sd_ld_fail_at(L, xs[o].op.line, xs[o].op.col, "op %s reads scalar '%s', which nothing writes before it (expected an earlier op writing it)",
                                  op->cl->name, name);
                sd_ld_fail_at(L, xs[o].op.line, xs[o].op.col, "op %s reads '%s', which nothing writes before it (write it in init, e.g. with common.fill)",
                              op->cl->name, name);
            }
            if (!b->is_scalar) F->readsince[b->index * SD_MAX_LEVELS + b->level] = 1;
        }
        for (int r = 0; r < op->cl->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (b->mode == SD_READ || b->unbound) continue;
            if (b->is_scalar) { F->sdata[b->index] = 1; continue; }
            int s = b->index * SD_MAX_LEVELS + b->level;
            F->fdata[s] = 1;
            if (!is_step) continue;
            if (b->mode == SD_WRITE && F->lastw[s] >= 0 && !F->readsince[s])
                sd_ld_fail_at(L, xs[o].bind[r].line, xs[o].bind[r].col,
                              "field '%s' is written by op %d (line %d) and again here; the first write is lost (expected readwrite, or a different field)",
                              g->fields[b->index].level[b->level], F->lastw[s] + 1, xs[F->lastw[s]].op.line);
            F->lastw[s] = o;
            F->readsince[s] = 0;
        }
    }
}

void sd_ld_flow_rotate(loader *L, flow *F)
{
    for (int f = 0; f < L->g->nfields; f++) {
        int nl = L->g->fields[f].nlevels;
        unsigned char *d = F->fdata + f * SD_MAX_LEVELS, d0 = d[0];
        for (int l = 0; l + 1 < nl; l++) d[l] = d[l + 1];
        d[nl - 1] = d0;
    }
}
