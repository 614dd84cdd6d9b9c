/* loader_fields.c - the generic sections: run (steps or end_time, dt), domain (which class:
 * grid or particles, each loaded by its own file), fields (dtype, components, time levels),
 * scalars, and tiles (handed to the domain class). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "loader_impl.h"
#include "suggest.h"

/* ---- sections ---------------------------------------------------------------------------- */

void sd_ld_load_run(loader *L, const yaml_node_t *key, const yaml_node_t *m)
{
    static const char *const keys[] = {"steps", "end_time", "dt", "max_inflight", "fuse", "until", NULL};
    sd_grun *r = &L->g->run;
    char b[32];
    sd_ld_need_map(L, m, "run");
    sd_ld_check_keys(L, m, keys, "in run");
    yaml_node_t *kd = NULL, *ks = NULL, *ke = NULL;
    yaml_node_t *dt = sd_ld_map_get(L, m, "dt", &kd), *st = sd_ld_map_get(L, m, "steps", &ks), *et = sd_ld_map_get(L, m, "end_time", &ke);
    if (!dt) sd_ld_fail(L, key, "run needs dt (the time step, > 0)");
    r->dt = sd_ld_eval(L, dt);
    if (!(r->dt > 0)) sd_ld_fail(L, dt, "dt must be > 0, got %s", sd_ld_num(b, r->dt));
    L->have_dt = 1;
    if (st && et) {
        yaml_node_t *second = ks->start_mark.index > ke->start_mark.index ? ks : ke;
        sd_ld_fail(L, second, "run has both steps and end_time (expected one of them)");
    }
    if (!st && !et) sd_ld_fail(L, key, "run needs steps or end_time");
    if (st) r->steps = sd_ld_eval_int(L, st, 1, (int64_t)1 << 53, "steps");
    else {
        double T = sd_ld_eval(L, et);
        if (!(T > 0)) sd_ld_fail(L, et, "end_time must be > 0, got %s", sd_ld_num(b, T));
        double s = ceil(T / r->dt - 1e-9);
        if (s < 1) s = 1;
        if (s > (double)((int64_t)1 << 53)) sd_ld_fail(L, et, "end_time %s needs too many steps of dt %s", sd_ld_num(b, T), sd_ld_num(b + 16, r->dt));
        r->steps = (int64_t)s;
    }
    yaml_node_t *mi = sd_ld_map_get(L, m, "max_inflight", NULL);
    r->max_inflight = mi ? (int)sd_ld_eval_int(L, mi, 1, 1024, "max_inflight") : 0; /* 0: the run's (4) */
    yaml_node_t *fu = sd_ld_map_get(L, m, "fuse", NULL);
    r->fuse = fu ? (int)sd_ld_eval_int(L, fu, 1, SD_MAX_FUSE, "fuse") : 0; /* 0: the run's (1) */
    L->fuse = fu; /* checked against the domain once it is loaded (sd_ld_check_fuse) */
    L->until = sd_ld_map_get(L, m, "until", NULL); /* its scalar is known once scalars are read */
}

int sd_graph_fuse_refused(const sd_graph *g, char *why, size_t len)
{
    if (g->domain.kind != SD_DOMAIN_GRID) {
        snprintf(why, len, "fused steps (temporal blocking) are for grids, and this domain is not one");
        return 1;
    }
    for (int d = 0; d < g->domain.ndim; d++)
        if (g->domain.bc[d] != SD_BC_PERIODIC && g->domain.bc[d] != SD_BC_FIXED) {
            snprintf(why, len, "fused steps need periodic or fixed boundaries (axis %d is %s: its ghosts change every "
                     "step)", d, g->domain.bc[d] == SD_BC_REFLECTIVE ? "reflective" : "absorbing");
            return 1;
        }
    return 0;
}

void sd_ld_check_fuse(loader *L)
{
    char why[160];
    if (L->fuse && L->g->run.fuse > 1 && sd_graph_fuse_refused(L->g, why, sizeof why)) sd_ld_fail(L, L->fuse, "fuse: %s", why);
}

void sd_ld_load_domain(loader *L, const yaml_node_t *key, const yaml_node_t *m)
{
    static const char *const planned[] = {NULL}; /* kinds without a class yet */
    sd_ld_need_map(L, m, "domain");
    if (map_len(m) == 0) sd_ld_fail(L, key, "domain is empty (expected grid: {shape: [...], spacing: ...})");
    yaml_node_t *k = key_at(L, m, 0);
    const char *kind = sval(k);
    const sd_dm_class *cls = sd_dm_class_find(kind);
    if (!cls) {
        char names[256] = ""; /* "grid or particles" */
        for (int i = 0, n = sd_dm_class_count(); i < n; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ",
                     sd_dm_class_at(i)->name);
        for (int i = 0; planned[i]; i++)
            if (!strcmp(kind, planned[i])) sd_ld_fail(L, k, "domain '%s' is not supported yet (expected %s)", kind, names);
        sd_suggest sg;
        sd_suggest_init(&sg, kind);
        for (int i = 0; i < sd_dm_class_count(); i++) sd_suggest_add(&sg, sd_dm_class_at(i)->name);
        if (sd_suggest_best(&sg)) sd_ld_fail(L, k, "unknown domain kind '%s' (did you mean '%s'?)", kind, sd_suggest_best(&sg));
        sd_ld_fail(L, k, "unknown domain kind '%s' (expected %s)", kind, names);
    }
    if (map_len(m) > 1) {
        yaml_node_t *k2 = key_at(L, m, 1);
        sd_ld_fail(L, k2, "domain has a second kind '%s' after '%s' (expected exactly one)", sval(k2), kind);
    }
    L->cls = cls;
    cls->syntax->parse(L, k, val_at(L, m, 0));
}

/* Where a field's values live: one of the domain's locations (the first by default). */
static int location(loader *L, const yaml_node_t *x)
{
    const char *const *locs = L->cls->locations;
    const char *s = sd_ld_get_str(L, x, "a location");
    char names[128] = "";
    sd_suggest sg;
    sd_suggest_init(&sg, s);
    for (int i = 0; locs[i]; i++) {
        if (!strcmp(s, locs[i])) return i;
        sd_suggest_add(&sg, locs[i]);
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", locs[i]);
    }
    if (sd_suggest_best(&sg))
        sd_ld_fail(L, x, "unknown location '%s' for a field of %s (did you mean '%s'?)", s, L->cls->syntax->noun,
                   sd_suggest_best(&sg));
    sd_ld_fail(L, x, "unknown location '%s' for a field of %s (expected %s)", s, L->cls->syntax->noun, names);
}

void sd_ld_load_fields(loader *L, const yaml_node_t *m)
{
    static const char *const keys[] = {"dtype", "components", "levels", "location", NULL};
    sd_graph *g = L->g;
    if (is_null(m)) return;
    sd_ld_need_map(L, m, "fields");
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i), *v = val_at(L, m, i);
        const char *name = sd_ld_get_name(L, k, "a field name");
        g->fields = sd_ld_grow(L, g->fields, g->nfields, &L->cap_fields, sizeof *g->fields);
        int fi = g->nfields++;
        sd_gfield *f = &g->fields[fi];
        snprintf(f->name, sizeof f->name, "%s", name);
        f->at = where(k);
        f->dtype = SD_F64;
        f->ncomp = 1;
        f->nlevels = 1;
        snprintf(f->level[0], sizeof f->level[0], "%s", name);
        sd_ld_ns_add(L, k, name, NS_FIELD, fi);
        if (is_null(v)) continue;
        char sec[SD_NAME_MAX + 16];
        snprintf(sec, sizeof sec, "in field %s", name);
        sd_ld_need_map(L, v, "a field ({dtype, components, levels})");
        sd_ld_check_keys(L, v, keys, sec);
        for (int j = 0; j < map_len(v); j++) {
            const char *kk = sval(key_at(L, v, j));
            yaml_node_t *x = val_at(L, v, j);
            if (!strcmp(kk, "location")) {
                f->location = location(L, x);
                SD_LD_HOOK(L, field_option, f, x, "location");
                continue;
            }
            if (!strcmp(kk, "dtype")) {
                const char *t = sd_ld_get_str(L, x, "a dtype (f64 or f32)");
                if (!strcmp(t, "f64")) f->dtype = SD_F64;
                else if (!strcmp(t, "f32")) f->dtype = SD_F32;
                else sd_ld_fail(L, x, "unknown dtype '%s' (expected f64 or f32)", t);
                SD_LD_HOOK(L, field_option, f, x, "dtype");
            } else if (!strcmp(kk, "components"))
                f->ncomp = (int)sd_ld_eval_int(L, x, 1, SD_LD_MAX_COMPONENTS, "components");
            else {
                SD_LD_HOOK(L, field_option, f, key_at(L, v, j), "levels");
                if (!is_seq(x)) {
                    const char *gg = got(x);
                    sd_ld_fail(L, x, "expected a list of 2 to %d level names, oldest first, got %s", SD_MAX_LEVELS,
                               gg ? gg : "a single name");
                }
                int nl = seq_len(x);
                if (nl < 2 || nl > SD_MAX_LEVELS)
                    sd_ld_fail(L, x, "levels has %d name%s (expected 2 to %d, oldest first)", nl, nl == 1 ? "" : "s", SD_MAX_LEVELS);
                f->nlevels = nl;
                for (int l = 0; l < nl; l++) {
                    yaml_node_t *ln = seq_at(L, x, l);
                    const char *lname = sd_ld_get_name(L, ln, "a level name");
                    for (int q = 0; q < l; q++)
                        if (!strcmp(f->level[q], lname)) sd_ld_fail(L, ln, "level '%s' is listed twice in field %s", lname, name);
                    sd_ld_ns_add(L, ln, lname, NS_LEVEL, fi);
                    snprintf(f->level[l], sizeof f->level[l], "%s", lname);
                }
            }
        }
    }
}

void sd_ld_add_scalar(loader *L, const char *name, sd_where at)
{
    sd_graph *g = L->g;
    g->scalars = sd_ld_grow(L, g->scalars, g->nscalars, &L->cap_scalars, sizeof *g->scalars);
    sd_gscalar *s = &g->scalars[g->nscalars++];
    snprintf(s->name, sizeof s->name, "%.*s", (int)sizeof s->name - 1, name); /* callers checked the length */
    s->at = at;
}

void sd_ld_load_scalars(loader *L, const yaml_node_t *n)
{
    if (is_null(n)) return;
    if (!is_seq(n)) {
        const char *gg = got(n);
        sd_ld_fail(L, n, "expected a list of scalar names, got %s", gg ? gg : "a single name");
    }
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *x = seq_at(L, n, i);
        const char *name = sd_ld_get_name(L, x, "a scalar name");
        if (!strcmp(name, "step") || !strcmp(name, "time")) /* the run file's /scalars has these columns */
            sd_ld_fail(L, x, "scalar name '%s' is taken: the output's scalar table has its own %s column (expected "
                       "another name)", name, name);
        sd_ld_ns_add(L, x, name, NS_SCALAR, -1);
        sd_ld_add_scalar(L, name, where(x));
    }
    L->user_scalars = L->g->nscalars;
}

/* tiles: each domain class has its own form (grid: auto or tile extents; particles: auto or a
 * number of blocks). */
void sd_ld_load_tiles(loader *L, const yaml_node_t *n)
{
    L->cls->syntax->parse_tiles(L, n);
}
