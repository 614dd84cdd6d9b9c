/* loader_output.c - the output section (the HDF5 file, fields and scalars with their periods,
 * the particle trajectory) and the checks section (drift, range, monotone, finite; a finite check adds a
 * hidden step op counting non-finite values). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "h5out.h" /* SD_H5_MAX_COMPONENTS */
#include "loader_impl.h"
#include "suggest.h"

/* ---- output and checks ------------------------------------------------------------------- */

/* Output level of a field: the level named like the field, else the newest-but-one of a
 * rotating field (the newest after rotation), else 0. */
static int out_level(const sd_gfield *f)
{
    for (int l = 0; l < f->nlevels; l++)
        if (!strcmp(f->level[l], f->name)) return l;
    return f->nlevels >= 2 ? f->nlevels - 2 : 0;
}

int sd_ld_need_field(loader *L, const yaml_node_t *n)
{
    const char *name = sd_ld_get_str(L, n, "a field name");
    int fi = sd_graph_field_index(L->g, name);
    if (fi >= 0) return fi;
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    for (int i = 0; i < L->g->nfields; i++) sd_suggest_add(&sg, L->g->fields[i].name);
    if (sd_suggest_best(&sg)) sd_ld_fail(L, n, "unknown field '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
    sd_ld_fail(L, n, "unknown field '%s' (expected a name from fields)", name);
}

static int need_scalar(loader *L, const yaml_node_t *n)
{
    const char *name = sd_ld_get_str(L, n, "a scalar name");
    for (int i = 0; i < L->user_scalars; i++)
        if (!strcmp(L->g->scalars[i].name, name)) return i;
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    for (int i = 0; i < L->user_scalars; i++) sd_suggest_add(&sg, L->g->scalars[i].name);
    if (sd_suggest_best(&sg)) sd_ld_fail(L, n, "unknown scalar '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
    sd_ld_fail(L, n, "unknown scalar '%s' (expected a name from scalars)", name);
}

/* A file name (one line of text, shorter than size) into dst; what names it in messages. */
static void get_path(loader *L, const yaml_node_t *v, char *dst, size_t size, const char *what)
{
    const char *f = sd_ld_get_str(L, v, "a file name");
    if (strlen(f) >= size) sd_ld_fail(L, v, "%s name is too long (at most %zu characters)", what, size - 1);
    for (const char *c = f; *c; c++)
        if ((unsigned char)*c < 0x20) sd_ld_fail(L, v, "the %s name has a control character", what);
    snprintf(dst, size, "%s", f);
}

/* output.trajectory (particles): {file: PATH, every: N}, both required. */
static void load_trajectory(loader *L, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const keys[] = {"file", "every", NULL};
    sd_goutput *o = &L->g->output;
    SD_LD_HOOK(L, output, "trajectory", k);
    sd_ld_need_map(L, v, "output.trajectory ({file: PATH, every: N})");
    sd_ld_check_keys(L, v, keys, "in output.trajectory");
    yaml_node_t *f = sd_ld_map_get(L, v, "file", NULL), *ev = sd_ld_map_get(L, v, "every", NULL);
    if (!f) sd_ld_fail(L, k, "output.trajectory needs file (the H5MD trajectory path)");
    get_path(L, f, o->trajectory, sizeof o->trajectory, "trajectory file");
    if (!ev) sd_ld_fail(L, k, "output.trajectory needs every (frames every N steps, >= 1)");
    o->trajectory_every = sd_ld_eval_int(L, ev, 1, INT64_MAX / 2, "every");
}

/* output.checkpoint: {file: PATH, every: N, minutes: M, keep: K, last_good: B}; file required, keep
 * >= 1 (default 2). Without every and minutes, checkpoints are written only when a run stops early (a signal,
 * --walltime). */
static void load_checkpoint(loader *L, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const keys[] = {"file", "every", "minutes", "keep", "last_good", NULL};
    char b[32];
    sd_gcheckpoint *c = &L->g->output.checkpoint;
    sd_ld_need_map(L, v, "output.checkpoint ({file: PATH, every: N, minutes: M, keep: K})");
    sd_ld_check_keys(L, v, keys, "in output.checkpoint");
    yaml_node_t *f = sd_ld_map_get(L, v, "file", NULL), *ev = sd_ld_map_get(L, v, "every", NULL),
                *mi = sd_ld_map_get(L, v, "minutes", NULL), *kp = sd_ld_map_get(L, v, "keep", NULL),
                *lg = sd_ld_map_get(L, v, "last_good", NULL);
    if (!f) sd_ld_fail(L, k, "output.checkpoint needs file (the checkpoint path)");
    get_path(L, f, c->file, sizeof c->file - 16, "checkpoint file"); /* room for ".tmp", ".N" */
    c->every = ev ? sd_ld_eval_int(L, ev, 0, INT64_MAX / 2, "every") : 0;
    if (mi) {
        c->minutes = sd_ld_eval(L, mi);
        if (!(c->minutes >= 0) || !isfinite(c->minutes))
            sd_ld_fail(L, mi, "minutes must be a finite number >= 0 (0 = not by time), got %s", sd_ld_num(b, c->minutes));
    }
    c->keep = kp ? (int)sd_ld_eval_int(L, kp, 1, 100, "keep") : 2;
    c->last_good = lg ? sd_ld_get_bool(L, lg, "last_good (true or false)") : -1;
}

void sd_ld_load_output(loader *L, const yaml_node_t *m)
{
    static const char *const keys[] = {"file", "fields", "scalars", "trajectory", "log", "profiles", "checkpoint", NULL};
    static const char *const skeys[] = {"names", "every", NULL};
    sd_goutput *o = &L->g->output;
    if (is_null(m)) return;
    sd_ld_need_map(L, m, "output");
    sd_ld_check_keys(L, m, keys, "in output");
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i), *v = val_at(L, m, i);
        const char *kk = sval(k);
        if (!strcmp(kk, "file")) {
            get_path(L, v, o->file, sizeof o->file, "output file");
            continue;
        }
        if (!strcmp(kk, "log")) {
            get_path(L, v, o->log, sizeof o->log, "log file");
            continue;
        }
        if (!strcmp(kk, "trajectory")) {
            load_trajectory(L, k, v);
            continue;
        }
        if (!strcmp(kk, "profiles")) {
            sd_ld_load_profiles(L, k, v);
            continue;
        }
        if (!strcmp(kk, "checkpoint")) {
            load_checkpoint(L, k, v);
            continue;
        }
        int isf = !strcmp(kk, "fields");
        char sec[32];
        snprintf(sec, sizeof sec, "in output.%s", kk);
        if (isf) SD_LD_HOOK(L, output, "fields", k);
        sd_ld_need_map(L, v, isf ? "output.fields ({names: [...], every: N})" : "output.scalars ({names: [...], every: N})");
        sd_ld_check_keys(L, v, skeys, sec);
        yaml_node_t *names = sd_ld_map_get(L, v, "names", NULL), *ev = sd_ld_map_get(L, v, "every", NULL);
        int max = isf ? 16 : 32, *cnt = isf ? &o->nfields : &o->nscalars;
        int64_t every = ev ? sd_ld_eval_int(L, ev, 0, INT64_MAX / 2, "every") : 0;
        if (names && !is_null(names)) {
            if (!is_seq(names)) sd_ld_fail(L, names, "expected a list of %s names, got %s", isf ? "field" : "scalar", got(names) ? got(names) : "a single name");
            if (seq_len(names) > max) sd_ld_fail(L, names, "output.%s lists %d names (at most %d)", kk, seq_len(names), max);
            for (int j = 0; j < seq_len(names); j++) {
                yaml_node_t *x = seq_at(L, names, j);
                int id = isf ? sd_ld_need_field(L, x) : need_scalar(L, x);
                if (isf && L->g->fields[id].ncomp > SD_H5_MAX_COMPONENTS)
                    sd_ld_fail(L, x, "field '%s' has %d components: output writes fields of at most %d (a solver's "
                               "work field need not be written: checkpoints keep it)", sval(x), L->g->fields[id].ncomp,
                               SD_H5_MAX_COMPONENTS);
                for (int q = 0; q < *cnt; q++)
                    if ((isf ? o->field[q] : o->scalar[q]) == id) sd_ld_fail(L, x, "'%s' is listed twice in output.%s", sval(x), kk);
                if (isf) {
                    o->field[*cnt] = id;
                    o->field_level[*cnt] = out_level(&L->g->fields[id]);
                } else
                    o->scalar[*cnt] = id;
                (*cnt)++;
            }
            if (!ev && isf) sd_ld_fail(L, k, "output.fields needs every (an integer >= 0; 0 = never)");
            if (!ev) every = 1;
        }
        if (isf) o->fields_every = every;
        else o->scalars_every = every;
    }
    sd_ld_check_profiles(L);
    if (o->trajectory[0] && !strcmp(o->trajectory, o->file))
        sd_ld_fail(L, sd_ld_map_get(L, sd_ld_map_get(L, m, "trajectory", NULL), "file", NULL),
                   "the trajectory file is the output file '%s' too (expected two files)", o->file);
    if (o->checkpoint.file[0] && (!strcmp(o->checkpoint.file, o->file) || !strcmp(o->checkpoint.file, o->trajectory)))
        sd_ld_fail(L, sd_ld_map_get(L, sd_ld_map_get(L, m, "checkpoint", NULL), "file", NULL),
                   "the checkpoint file '%s' is the %s file too (expected its own file)", o->checkpoint.file,
                   strcmp(o->checkpoint.file, o->file) ? "trajectory" : "output");
}

static void add_finite(loader *L, sd_gcheck *c, yaml_node_t *kindkey, yaml_node_t *fnode, const flow *F)
{
    sd_graph *g = L->g;
    const sd_gfield *f = &g->fields[c->target];
    const sd_codelet *cl = sd_codelet_find("common.count_nonfinite");
    if (!cl) sd_ld_fail(L, kindkey, "finite checks need codelet common.count_nonfinite");
    int rf = -1, rs = -1;
    for (int i = 0; i < cl->nroles; i++) {
        if (cl->roles[i].kind == SD_ROLE_FIELD && cl->roles[i].mode == SD_READ && rf < 0) rf = i;
        else if (cl->roles[i].kind == SD_ROLE_SCALAR && cl->roles[i].mode == SD_WRITE && rs < 0) rs = i;
        else rf = rs = -2;
        if (rf == -2) break;
    }
    if (rf < 0 || rs < 0) sd_ld_fail(L, kindkey, "codelet common.count_nonfinite must read one field and write one scalar");
    char hname[SD_NAME_MAX + 16];
    if (strlen(f->name) + 12 >= SD_NAME_MAX)
        sd_ld_fail(L, fnode, "field name '%s' is too long for a finite check (at most %d characters)", f->name, SD_NAME_MAX - 13);
    snprintf(hname, sizeof hname, "__nonfinite_%s", f->name);
    if (sd_graph_scalar_index(g, hname) >= 0) sd_ld_fail(L, fnode, "field '%s' has a finite check already", f->name);
    const sd_role *r = &cl->roles[rf];
    if (r->ncomp && r->ncomp != f->ncomp)
        sd_ld_fail(L, fnode, "common.count_nonfinite needs %d component%s, but field '%s' has %d", r->ncomp, r->ncomp == 1 ? "" : "s",
                   f->name, f->ncomp);
    if (r->dtypes && !(r->dtypes & (1 << f->dtype)))
        sd_ld_fail(L, fnode, "common.count_nonfinite does not accept %s field '%s'", dtype_name(f->dtype), f->name);
    int ol = out_level(f);
    c->level = (f->nlevels >= 2 && ol == f->nlevels - 2) ? ol + 1 : ol;
    if (!F->fdata[c->target * SD_MAX_LEVELS + c->level])
        sd_ld_fail(L, fnode, "finite(%s) reads level '%s', which holds no data at the end of a step (expected a field the ops write)",
                   f->name, f->level[c->level]);
    sd_ld_add_scalar(L, hname, where(fnode));
    c->hidden_scalar = g->nscalars - 1;
    int c0 = L->cap_step;
    g->step = sd_ld_grow(L, g->step, g->nstep, &L->cap_step, sizeof *g->step);
    if (L->cap_step != c0) L->xstep = sd_ld_grow(L, L->xstep, g->nstep, &c0, sizeof *L->xstep);
    sd_gop *op = &g->step[g->nstep];
    opx *x = &L->xstep[g->nstep];
    g->nstep++;
    op->cl = cl;
    op->every = c->every;
    op->at = where(kindkey);
    x->op = op->at;
    op->bind[rf] = (sd_binding){.is_scalar = 0, .index = c->target, .level = c->level, .halo = r->halo, .mode = SD_READ};
    op->bind[rs] = (sd_binding){.is_scalar = 1, .index = c->hidden_scalar, .level = 0, .halo = 0, .mode = SD_WRITE};
    x->bind[rf] = x->bind[rs] = where(fnode);
    for (int i = 0; i < cl->nparams; i++) {
        if (cl->params[i].required) sd_ld_fail(L, kindkey, "common.count_nonfinite has a required param '%s'; finite checks cannot set it", cl->params[i].name);
        op->param[i] = cl->params[i].def;
    }
    sd_ld_call_validate(L, op, kindkey);
}

/* monotone: {scalar: NAME, direction: increasing|decreasing, rtol: R | strict: true} */
static void load_monotone(loader *L, sd_gcheck *c, const yaml_node_t *k, const yaml_node_t *v, const char *sec)
{
    static const char *const mkeys[] = {"scalar", "direction", "rtol", "strict", NULL};
    char b[32];
    sd_graph *g = L->g;
    sd_ld_need_map(L, v, "monotone ({scalar: NAME, direction: increasing|decreasing})");
    sd_ld_check_keys(L, v, mkeys, sec);
    yaml_node_t *s = sd_ld_map_get(L, v, "scalar", NULL), *d = sd_ld_map_get(L, v, "direction", NULL),
                *r = sd_ld_map_get(L, v, "rtol", NULL), *st = sd_ld_map_get(L, v, "strict", NULL);
    if (!s) sd_ld_fail(L, k, "monotone needs scalar");
    c->kind = SD_CHECK_MONOTONE;
    c->target = need_scalar(L, s);
    if (!d) sd_ld_fail(L, k, "monotone needs direction (increasing or decreasing)");
    const char *dir = sd_ld_get_str(L, d, "increasing or decreasing");
    if (!strcmp(dir, "increasing")) c->direction = 1;
    else if (!strcmp(dir, "decreasing")) c->direction = -1;
    else sd_ld_fail(L, d, "direction must be increasing or decreasing, got '%s'", dir);
    c->strict = st ? sd_ld_get_bool(L, st, "strict (true or false)") : 0;
    if (r && c->strict) sd_ld_fail(L, r, "rtol allows a step back, strict forbids even a tie: give one of them");
    c->rtol = r ? sd_ld_eval(L, r) : 0;
    if (!(c->rtol >= 0)) sd_ld_fail(L, r, "rtol must be >= 0, got %s", sd_ld_num(b, c->rtol));
    int n = snprintf(c->text, sizeof c->text, "monotone(%s) %s%s", g->scalars[c->target].name, c->strict ? "strictly " : "", dir);
    if (c->rtol > 0) snprintf(c->text + n, sizeof c->text - n, " within %g", c->rtol);
}

void sd_ld_load_checks(loader *L, const yaml_node_t *n, const flow *F)
{
    static const char *const kinds[] = {"drift", "finite", "monotone", "range", NULL};
    static const char *const dkeys[] = {"scalar", "rtol", "reference", NULL};
    static const char *const fkeys[] = {"field", "every", NULL};
    static const char *const rkeys[] = {"scalar", "min", "max", NULL};
    sd_graph *g = L->g;
    char b[32], b2[32];
    if (is_null(n)) return;
    if (!is_seq(n)) sd_ld_fail(L, n, "expected a list of checks, got %s", got(n) ? got(n) : "a single name");
    g->checks = calloc(seq_len(n) ? seq_len(n) : 1, sizeof *g->checks);
    if (!g->checks) sd_ld_oom(L);
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *it = seq_at(L, n, i);
        if (!is_map(it) || map_len(it) != 1) {
            if (is_map(it)) sd_ld_fail(L, it, "a check is a one-key map like drift: {...}, got %d keys", map_len(it));
            sd_ld_fail(L, it, "expected a check (drift, finite, monotone or range: {...}), got %s", got(it) ? got(it) : "a single name");
        }
        yaml_node_t *k = key_at(L, it, 0), *v = val_at(L, it, 0);
        const char *kind = sval(k);
        sd_gcheck *c = &g->checks[g->nchecks];
        c->at = where(k);
        char sec[32];
        snprintf(sec, sizeof sec, "in check %s", kind);
        if (!strcmp(kind, "drift")) {
            sd_ld_need_map(L, v, "drift ({scalar: NAME, rtol: R})");
            sd_ld_check_keys(L, v, dkeys, sec);
            yaml_node_t *s = sd_ld_map_get(L, v, "scalar", NULL), *r = sd_ld_map_get(L, v, "rtol", NULL);
            if (!s) sd_ld_fail(L, k, "drift needs scalar");
            c->kind = SD_CHECK_DRIFT;
            c->target = need_scalar(L, s);
            if (!r) sd_ld_fail(L, k, "drift needs rtol (>= 0)");
            c->rtol = sd_ld_eval(L, r);
            if (!(c->rtol >= 0)) sd_ld_fail(L, r, "rtol must be >= 0, got %s", sd_ld_num(b, c->rtol));
            yaml_node_t *ref = sd_ld_map_get(L, v, "reference", NULL);
            if (ref) {
                c->has_reference = 1;
                c->reference = sd_ld_eval(L, ref);
                if (!isfinite(c->reference)) sd_ld_fail(L, ref, "reference must be a finite number, got %s", sd_ld_num(b, c->reference));
                snprintf(c->text, sizeof c->text, "drift(%s) <= %g from %.17g", g->scalars[c->target].name, c->rtol, c->reference);
            } else snprintf(c->text, sizeof c->text, "drift(%s) <= %g", g->scalars[c->target].name, c->rtol);
        } else if (!strcmp(kind, "monotone")) {
            load_monotone(L, c, k, v, sec);
        } else if (!strcmp(kind, "range")) {
            sd_ld_need_map(L, v, "range ({scalar: NAME, min: A, max: B})");
            sd_ld_check_keys(L, v, rkeys, sec);
            yaml_node_t *s = sd_ld_map_get(L, v, "scalar", NULL), *lo = sd_ld_map_get(L, v, "min", NULL), *hi = sd_ld_map_get(L, v, "max", NULL);
            if (!s) sd_ld_fail(L, k, "range needs scalar");
            c->kind = SD_CHECK_RANGE;
            c->target = need_scalar(L, s);
            if (!lo && !hi) sd_ld_fail(L, k, "range needs min or max (or both)");
            c->min = lo ? sd_ld_eval(L, lo) : -INFINITY;
            c->max = hi ? sd_ld_eval(L, hi) : INFINITY;
            if (c->min > c->max) sd_ld_fail(L, hi, "range max %s is below min %s", sd_ld_num(b, c->max), sd_ld_num(b2, c->min));
            snprintf(c->text, sizeof c->text, "range(%s) in [%g, %g]", g->scalars[c->target].name, c->min, c->max);
        } else if (!strcmp(kind, "finite")) {
            SD_LD_HOOK(L, check, "finite", k);
            sd_ld_need_map(L, v, "finite ({field: NAME, every: N})");
            sd_ld_check_keys(L, v, fkeys, sec);
            yaml_node_t *f = sd_ld_map_get(L, v, "field", NULL), *ev = sd_ld_map_get(L, v, "every", NULL);
            if (!f) sd_ld_fail(L, k, "finite needs field");
            c->kind = SD_CHECK_FINITE;
            c->target = sd_ld_need_field(L, f);
            c->every = ev ? (int)sd_ld_eval_int(L, ev, 1, INT_MAX, "every") : 1;
            snprintf(c->text, sizeof c->text, "finite(%s)", g->fields[c->target].name);
            add_finite(L, c, k, f, F);
        } else {
            sd_suggest sg;
            sd_suggest_init(&sg, kind);
            for (int j = 0; kinds[j]; j++) sd_suggest_add(&sg, kinds[j]);
            if (sd_suggest_best(&sg)) sd_ld_fail(L, k, "unknown check '%s' (did you mean '%s'?)", kind, sd_suggest_best(&sg));
            sd_ld_fail(L, k, "unknown check '%s' (expected drift, finite, monotone or range)", kind);
        }
        g->nchecks++;
    }
}
