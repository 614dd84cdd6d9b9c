/* loader.c - read a graph file (YAML) into an sd_graph, checking everything before any task runs.
 *
 * Errors are reported as "FILE:LINE:COL: message" (one line) and the first one found wins. The
 * document is loaded with libyaml into a node tree, then processed section by section in a fixed
 * order: name, params, run, domain, fields, scalars, tiles, init, step, data flow, output, checks
 * (run comes early because ops and checks may use dt). Within a section, document order.
 *
 * Failure unwinds with longjmp to sd_graph_parse_ex, which frees everything the loader owns; so
 * no function here may hold malloc'd memory of its own across a call that can fail. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include "graph.h"
#include "expr.h"
#include "suggest.h"

#define NS_FIELD 0
#define NS_LEVEL 1
#define NS_SCALAR 2

typedef struct nsent { /* one name of the field/level/scalar namespace */
    char name[SD_NAME_MAX];
    int kind, field;
    sd_where at;
} nsent;

typedef struct opx { /* where the parts of an op are, for data-flow messages */
    sd_where op;
    sd_where bind[SD_MAX_BUFS];
} opx;

typedef struct flow {
    unsigned char *fdata;   /* [field * SD_MAX_LEVELS + level]: holds data */
    int *lastw;             /* op index of the last write this step, -1 none */
    unsigned char *readsince;
    unsigned char *sdata;   /* scalars */
} flow;

typedef struct loader {
    jmp_buf jb;
    const char *path;
    char *err;
    size_t errlen;
    const char *text;
    yaml_parser_t parser;
    int parser_ok;
    yaml_document_t doc;
    int doc_ok;
    unsigned char *seen; /* per node: visited by the key pre-pass */
    sd_graph *g;
    int cap_params, cap_fields, cap_scalars, cap_init, cap_step, cap_checks, cap_ns;
    opx *xinit, *xstep;
    nsent *ns;
    int nns;
    int nvisible; /* params usable by expressions */
    int later;    /* params defined so far in the file (for "used before defined") */
    int have_dt;
    int user_scalars;  /* scalars declared by the user (hidden ones follow) */
    const char *const *set;
    int nset;
    const char *setprefix; /* "--set n=3: " while evaluating an override */
    flow flow;
    /* particle domains: the position and velocity field names, resolved once fields are known */
    const yaml_node_t *pkey, *pposn, *pveln; /* the 'particles' key; the name nodes (NULL: default) */
    const char *ppos, *pvel;
} loader;

/* ---- errors ------------------------------------------------------------------------------ */

static void vfail(loader *L, int line, int col, const char *fmt, va_list ap)
{
    if (L->err && L->errlen) {
        int n;
        if (line > 0)
            n = snprintf(L->err, L->errlen, "%s:%d:%d: %s", L->path, line, col, L->setprefix ? L->setprefix : "");
        else
            n = snprintf(L->err, L->errlen, "%s: %s", L->path, L->setprefix ? L->setprefix : "");
        if (n >= 0 && (size_t)n < L->errlen) vsnprintf(L->err + n, L->errlen - n, fmt, ap);
        for (char *c = L->err; *c; c++)
            if (*c == '\n' || *c == '\r' || *c == '\t') *c = ' ';
    }
    longjmp(L->jb, 1);
}

__attribute__((noreturn, format(printf, 4, 5))) static void fail_at(loader *L, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(L, line, col, fmt, ap);
    va_end(ap);
    abort();
}

__attribute__((noreturn, format(printf, 3, 4))) static void fail(loader *L, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int line = n ? (int)n->start_mark.line + 1 : 1, col = n ? (int)n->start_mark.column + 1 : 1;
    if (L->setprefix) line = 0;
    vfail(L, line, col, fmt, ap);
    va_end(ap);
    abort();
}

__attribute__((noreturn)) static void oom(loader *L) { fail_at(L, 0, 0, "out of memory"); }

static sd_where where(const yaml_node_t *n)
{
    sd_where w = {(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
    return w;
}

/* Shortest "%.*g" that reads back as v. */
static const char *num(char *buf, double v)
{
    for (int p = 6; p <= 17; p++) {
        snprintf(buf, 32, "%.*g", p, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

static void *grow(loader *L, void *arr, int n, int *cap, size_t size)
{
    if (n < *cap) return arr;
    int nc = *cap ? 2 * *cap : 8;
    char *t = realloc(arr, (size_t)nc * size);
    if (!t) oom(L);
    memset(t + (size_t)*cap * size, 0, (size_t)(nc - *cap) * size);
    *cap = nc;
    return t;
}

/* ---- YAML node helpers ------------------------------------------------------------------- */

static yaml_node_t *node(loader *L, int id) { return yaml_document_get_node(&L->doc, id); }
static int is_map(const yaml_node_t *n) { return n->type == YAML_MAPPING_NODE; }
static int is_seq(const yaml_node_t *n) { return n->type == YAML_SEQUENCE_NODE; }
static int is_scalar(const yaml_node_t *n) { return n->type == YAML_SCALAR_NODE; }
static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int is_null(const yaml_node_t *n)
{
    if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = sval(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *got(const yaml_node_t *n)
{
    if (is_map(n)) return "a map";
    if (is_seq(n)) return "a list";
    if (is_null(n)) return "nothing";
    return NULL;
}

static int map_len(const yaml_node_t *n) { return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start); }
static int seq_len(const yaml_node_t *n) { return (int)(n->data.sequence.items.top - n->data.sequence.items.start); }
static yaml_node_t *seq_at(loader *L, const yaml_node_t *n, int i) { return node(L, n->data.sequence.items.start[i]); }
static yaml_node_t *key_at(loader *L, const yaml_node_t *n, int i) { return node(L, n->data.mapping.pairs.start[i].key); }
static yaml_node_t *val_at(loader *L, const yaml_node_t *n, int i) { return node(L, n->data.mapping.pairs.start[i].value); }

/* Value of key in map, or NULL; *k gets the key node. */
static yaml_node_t *map_get(loader *L, const yaml_node_t *m, const char *key, yaml_node_t **k)
{
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *kn = key_at(L, m, i);
        if (!strcmp(sval(kn), key)) {
            if (k) *k = kn;
            return val_at(L, m, i);
        }
    }
    return NULL;
}

static void need_map(loader *L, const yaml_node_t *n, const char *what)
{
    if (!is_map(n)) {
        const char *g = got(n);
        if (g) fail(L, n, "expected a map for %s, got %s", what, g);
        fail(L, n, "expected a map for %s, got '%s'", what, sval(n));
    }
}

/* Every key must be one of allowed (NULL-terminated). */
static void check_keys(loader *L, const yaml_node_t *m, const char *const *allowed, const char *section)
{
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i);
        const char *name = sval(k);
        int known = 0;
        sd_suggest s;
        sd_suggest_init(&s, name);
        for (int j = 0; allowed[j]; j++) {
            if (!strcmp(allowed[j], name)) known = 1;
            sd_suggest_add(&s, allowed[j]);
        }
        if (known) continue;
        if (sd_suggest_best(&s)) fail(L, k, "unknown key '%s' %s (did you mean '%s'?)", name, section, sd_suggest_best(&s));
        char list[512] = "";
        for (int j = 0; allowed[j]; j++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", allowed[j]);
        }
        fail(L, k, "unknown key '%s' %s (expected one of: %s)", name, section, list);
    }
}

/* Pre-pass: keys are scalars and unique in every map (nodes visited once: aliases may cycle). */
static void check_maps(loader *L, int id)
{
    yaml_node_t *n = node(L, id);
    if (!n || L->seen[id]) return;
    L->seen[id] = 1;
    if (is_seq(n))
        for (int i = 0; i < seq_len(n); i++) check_maps(L, n->data.sequence.items.start[i]);
    if (!is_map(n)) return;
    for (int i = 0; i < map_len(n); i++) {
        yaml_node_t *k = key_at(L, n, i);
        if (!is_scalar(k)) fail(L, k, "expected a name as key, got %s", got(k));
        for (int j = 0; j < i; j++) {
            yaml_node_t *k2 = key_at(L, n, j);
            if (!strcmp(sval(k), sval(k2)))
                fail(L, k, "duplicate key '%s' (first at line %d)", sval(k), (int)k2->start_mark.line + 1);
        }
        check_maps(L, n->data.mapping.pairs.start[i].value);
    }
}

/* ---- numbers ----------------------------------------------------------------------------- */

static int lookup(void *ctx, const char *name, size_t len, double *v)
{
    loader *L = ctx;
    for (int i = L->nvisible - 1; i >= 0; i--)
        if (strlen(L->g->params[i].name) == len && !strncmp(L->g->params[i].name, name, len)) {
            *v = L->g->params[i].value;
            return 1;
        }
    if (L->have_dt && len == 2 && !strncmp(name, "dt", 2)) {
        *v = L->g->run.dt;
        return 1;
    }
    return 0;
}

static double eval_str(loader *L, const char *s, const yaml_node_t *at)
{
    double v;
    sd_expr_error e;
    if (sd_expr_eval(s, lookup, L, &v, &e) == SD_EXPR_OK) return v;
    char name[SD_NAME_MAX + 1];
    size_t nl = e.len < SD_NAME_MAX ? e.len : SD_NAME_MAX;
    memcpy(name, s + e.pos, nl);
    name[nl] = 0;
    switch (e.status) {
    case SD_EXPR_UNDEFINED: {
        for (int i = L->nvisible; i < L->later; i++)
            if (!strcmp(L->g->params[i].name, name))
                fail(L, at, "param '%s' is used in '%s' before it is defined (expressions may use only earlier params)", name, s);
        if (!strcmp(name, "dt") && !L->have_dt)
            fail(L, at, "'dt' is not known in '%s' (dt is run.dt, usable in run, ops and checks; params may not use it)", s);
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; i < L->nvisible; i++) sd_suggest_add(&sg, L->g->params[i].name);
        if (L->have_dt) sd_suggest_add(&sg, "dt");
        sd_suggest_add(&sg, "pi");
        char in[64 + 16] = "";
        if (strcmp(name, s)) snprintf(in, sizeof in, " in '%.60s'", s);
        if (sd_suggest_best(&sg))
            fail(L, at, "undefined name '%s'%s (did you mean '%s'?)", name, in, sd_suggest_best(&sg));
        fail(L, at, "undefined name '%s'%s (expected a number, an earlier param%s or pi)", name, in,
             L->have_dt ? ", dt" : "");
    }
    case SD_EXPR_FUNCTION: {
        if (e.msg[0]) fail(L, at, "in '%s': %s", s, e.msg);
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; sd_expr_functions[i]; i++) sd_suggest_add(&sg, sd_expr_functions[i]);
        if (sd_suggest_best(&sg)) fail(L, at, "unknown function '%s' in '%s' (did you mean '%s'?)", name, s, sd_suggest_best(&sg));
        fail(L, at, "unknown function '%s' in '%s' (expected sqrt sin cos tan exp log abs floor ceil min max)", name, s);
    }
    case SD_EXPR_DIVZERO: fail(L, at, "division by zero in '%s'", s);
    case SD_EXPR_NONFINITE: fail(L, at, "'%s' is not a finite number", s);
    default: fail(L, at, "syntax error in expression '%s': %s", s, e.msg);
    }
}

static double eval(loader *L, const yaml_node_t *n)
{
    const char *g = got(n);
    if (g) fail(L, n, "expected a number or expression, got %s", g);
    return eval_str(L, sval(n), n);
}

/* An integer in [lo, hi]; what names it in messages. */
static int64_t eval_int(loader *L, const yaml_node_t *n, int64_t lo, int64_t hi, const char *what)
{
    char b[32];
    double v = eval(L, n);
    if (v != floor(v)) fail(L, n, "%s must be an integer, got %s", what, num(b, v));
    if (v < (double)lo) fail(L, n, "%s must be >= %lld, got %s", what, (long long)lo, num(b, v));
    if (v > (double)hi) fail(L, n, "%s must be <= %lld, got %s", what, (long long)hi, num(b, v));
    return (int64_t)v;
}

/* ---- names ------------------------------------------------------------------------------- */

static const char *get_str(loader *L, const yaml_node_t *n, const char *what)
{
    const char *g = got(n);
    if (g) fail(L, n, "expected %s, got %s", what, g);
    return sval(n);
}

/* A name of the graph: identifier, shorter than SD_NAME_MAX, not reserved. */
static const char *get_name(loader *L, const yaml_node_t *n, const char *what)
{
    const char *s = get_str(L, n, what);
    int okc = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_';
    for (const char *c = s; *c && okc; c++)
        okc = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
    if (!okc) fail(L, n, "invalid name '%s' (expected %s: letters, digits and '_', not starting with a digit)", s, what);
    if (strlen(s) >= SD_NAME_MAX) fail(L, n, "name '%.20s...' is too long (at most %d characters)", s, SD_NAME_MAX - 1);
    if (s[0] == '_' && s[1] == '_') fail(L, n, "name '%s' is reserved (names starting with '__' are the runtime's)", s);
    return s;
}

static const char *ns_kind(int k) { return k == NS_FIELD ? "field" : k == NS_LEVEL ? "level" : "scalar"; }

static void ns_add(loader *L, const yaml_node_t *n, const char *name, int kind, int field)
{
    for (int i = 0; i < L->nns; i++) {
        nsent *e = &L->ns[i];
        if (strcmp(e->name, name)) continue;
        /* a field's own name may also be one of its levels */
        if (kind == NS_LEVEL && e->kind == NS_FIELD && e->field == field) continue;
        fail(L, n, "duplicate name '%s' (already a %s at line %d; fields, levels and scalars share one namespace)",
             name, ns_kind(e->kind), e->at.line);
    }
    L->ns = grow(L, L->ns, L->nns, &L->cap_ns, sizeof *L->ns);
    nsent *e = &L->ns[L->nns++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->kind = kind;
    e->field = field;
    e->at = where(n);
}

/* ---- sections ---------------------------------------------------------------------------- */

static void load_params(loader *L, const yaml_node_t *m)
{
    sd_graph *g = L->g;
    int has = !is_null(m);
    if (has) need_map(L, m, "params");
    /* names first, so expressions can tell "later param" from "unknown" */
    for (int i = 0; has && i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i);
        const char *name = get_name(L, k, "a param name");
        if (sd_expr_reserved(name)) fail(L, k, "param name '%s' is reserved (a constant or function of expressions)", name);
        g->params = grow(L, g->params, g->nparams, &L->cap_params, sizeof *g->params);
        sd_gparam *p = &g->params[g->nparams++];
        snprintf(p->name, sizeof p->name, "%s", name);
        p->at = where(k);
    }
    /* overrides must name params */
    for (int s = 0; s < L->nset; s++) {
        const char *a = L->set[s], *eq = strchr(a, '=');
        size_t nl = eq ? (size_t)(eq - a) : 0;
        while (nl && (a[nl - 1] == ' ')) nl--;
        if (!eq || !nl) fail_at(L, 0, 0, "--set %s: expected name=expression", a);
        int found = 0;
        for (int i = 0; i < g->nparams; i++)
            if (strlen(g->params[i].name) == nl && !strncmp(g->params[i].name, a, nl)) found = 1;
        if (!found) {
            char list[1024] = "";
            for (int i = 0; i < g->nparams; i++) {
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", g->params[i].name);
            }
            char name[SD_NAME_MAX];
            snprintf(name, sizeof name, "%.*s", (int)(nl < SD_NAME_MAX - 1 ? nl : SD_NAME_MAX - 1), a);
            sd_suggest sg;
            sd_suggest_init(&sg, name);
            for (int i = 0; i < g->nparams; i++) sd_suggest_add(&sg, g->params[i].name);
            if (sd_suggest_best(&sg))
                fail_at(L, 0, 0, "--set %s: unknown param '%s' (did you mean '%s'? params: %s)", a, name,
                        sd_suggest_best(&sg), g->nparams ? list : "none");
            fail_at(L, 0, 0, "--set %s: unknown param '%s' (params: %s)", a, name, g->nparams ? list : "none");
        }
    }
    L->later = g->nparams;
    for (int i = 0; i < g->nparams; i++) {
        L->nvisible = i;
        const char *over = NULL;
        for (int s = 0; s < L->nset; s++) {
            const char *a = L->set[s], *eq = strchr(a, '=');
            size_t nl = (size_t)(eq - a);
            while (nl && a[nl - 1] == ' ') nl--;
            if (strlen(g->params[i].name) == nl && !strncmp(g->params[i].name, a, nl)) over = a; /* last wins */
        }
        if (over) {
            char pre[256];
            snprintf(pre, sizeof pre, "--set %s: ", over);
            L->setprefix = pre;
            g->params[i].value = eval_str(L, strchr(over, '=') + 1, NULL);
            L->setprefix = NULL;
        } else
            g->params[i].value = eval(L, val_at(L, m, i));
    }
    L->nvisible = g->nparams;
}

static void load_run(loader *L, const yaml_node_t *key, const yaml_node_t *m)
{
    static const char *const keys[] = {"steps", "end_time", "dt", "max_inflight", NULL};
    sd_grun *r = &L->g->run;
    char b[32];
    need_map(L, m, "run");
    check_keys(L, m, keys, "in run");
    yaml_node_t *kd = NULL, *ks = NULL, *ke = NULL;
    yaml_node_t *dt = map_get(L, m, "dt", &kd), *st = map_get(L, m, "steps", &ks), *et = map_get(L, m, "end_time", &ke);
    if (!dt) fail(L, key, "run needs dt (the time step, > 0)");
    r->dt = eval(L, dt);
    if (!(r->dt > 0)) fail(L, dt, "dt must be > 0, got %s", num(b, r->dt));
    L->have_dt = 1;
    if (st && et) {
        yaml_node_t *second = ks->start_mark.index > ke->start_mark.index ? ks : ke;
        fail(L, second, "run has both steps and end_time (expected one of them)");
    }
    if (!st && !et) fail(L, key, "run needs steps or end_time");
    if (st) r->steps = eval_int(L, st, 1, (int64_t)1 << 53, "steps");
    else {
        double T = eval(L, et);
        if (!(T > 0)) fail(L, et, "end_time must be > 0, got %s", num(b, T));
        double s = ceil(T / r->dt - 1e-9);
        if (s < 1) s = 1;
        if (s > (double)((int64_t)1 << 53)) fail(L, et, "end_time %s needs too many steps of dt %s", num(b, T), num(b + 16, r->dt));
        r->steps = (int64_t)s;
    }
    yaml_node_t *mi = map_get(L, m, "max_inflight", NULL);
    r->max_inflight = mi ? (int)eval_int(L, mi, 1, 1024, "max_inflight") : 4;
}

static const char *const bc_names[] = {"periodic", "reflective", "absorbing", "fixed", NULL};

static int bc_kind(loader *L, const yaml_node_t *n)
{
    const char *s = get_str(L, n, "a boundary kind (periodic, reflective, absorbing or fixed)");
    for (int i = 0; bc_names[i]; i++)
        if (!strcmp(s, bc_names[i])) return i;
    sd_suggest sg;
    sd_suggest_init(&sg, s);
    for (int i = 0; bc_names[i]; i++) sd_suggest_add(&sg, bc_names[i]);
    if (sd_suggest_best(&sg)) fail(L, n, "unknown boundary '%s' (did you mean '%s'?)", s, sd_suggest_best(&sg));
    fail(L, n, "unknown boundary '%s' (expected periodic, reflective, absorbing or fixed)", s);
}

/* One value for all axes or a list of ndim values. */
static int per_axis(loader *L, const yaml_node_t *n, const char *what, yaml_node_t *out[3])
{
    int nd = L->g->domain.ndim;
    if (is_map(n)) fail(L, n, "expected one value or a list of %d for %s, got a map", nd, what);
    if (!is_seq(n)) {
        for (int d = 0; d < 3; d++) out[d] = (yaml_node_t *)n;
        return 1;
    }
    if (seq_len(n) != nd)
        fail(L, n, "%s has %d value%s for a %d-axis grid (expected 1 or %d)", what, seq_len(n), seq_len(n) == 1 ? "" : "s", nd, nd);
    for (int d = 0; d < nd; d++) out[d] = seq_at(L, n, d);
    return nd;
}

static void load_grid(loader *L, const yaml_node_t *k, const yaml_node_t *G)
{
    static const char *const gkeys[] = {"shape", "spacing", "boundary", "boundary_value", "absorbing_speed", NULL};
    sd_domain *D = &L->g->domain;
    char b[32];
    need_map(L, G, "domain.grid");
    check_keys(L, G, gkeys, "in domain.grid");
    D->kind = SD_DOMAIN_GRID;
    yaml_node_t *sh = map_get(L, G, "shape", NULL);
    if (!sh) fail(L, k, "domain.grid needs shape (a list of 1 to 3 cell counts, x first)");
    if (!is_seq(sh)) {
        const char *gg = got(sh);
        if (gg) fail(L, sh, "expected a list of 1 to 3 cell counts for shape, got %s", gg);
        fail(L, sh, "expected a list of 1 to 3 cell counts for shape, got '%s'", sval(sh));
    }
    if (seq_len(sh) < 1 || seq_len(sh) > 3)
        fail(L, sh, "shape has %d axes (expected 1 to 3 cell counts, x first)", seq_len(sh));
    D->ndim = seq_len(sh);
    for (int d = 0; d < 3; d++) {
        D->shape[d] = d < D->ndim ? eval_int(L, seq_at(L, sh, d), 1, (int64_t)1 << 40, "a shape entry") : 1;
        D->spacing[d] = 1.0;
        D->bc[d] = SD_BC_PERIODIC;
        D->bc_value[d] = 0.0;
    }
    yaml_node_t *v[3], *sp = map_get(L, G, "spacing", NULL);
    if (!sp) fail(L, k, "domain.grid needs spacing (one value or one per axis, > 0)");
    int nv = per_axis(L, sp, "spacing", v);
    for (int d = 0; d < (nv == 1 ? 3 : nv); d++) {
        double x = eval(L, v[d]);
        if (!(x > 0)) fail(L, v[d], "spacing must be > 0, got %s", num(b, x));
        D->spacing[d] = x;
        if (nv == 1) { D->spacing[1] = D->spacing[2] = x; break; }
    }
    yaml_node_t *bn = map_get(L, G, "boundary", NULL);
    if (bn) {
        nv = per_axis(L, bn, "boundary", v);
        for (int d = 0; d < (nv == 1 ? 1 : nv); d++) D->bc[d] = bc_kind(L, v[d]);
        if (nv == 1) D->bc[1] = D->bc[2] = D->bc[0];
    }
    yaml_node_t *bv = map_get(L, G, "boundary_value", NULL);
    if (bv) {
        nv = per_axis(L, bv, "boundary_value", v);
        for (int d = 0; d < (nv == 1 ? 1 : nv); d++) D->bc_value[d] = eval(L, v[d]);
        if (nv == 1) D->bc_value[1] = D->bc_value[2] = D->bc_value[0];
    }
    D->absorb_speed = 1.0;
    yaml_node_t *as = map_get(L, G, "absorbing_speed", NULL);
    if (as) {
        double x = eval(L, as);
        if (!(x > 0)) fail(L, as, "absorbing_speed must be > 0, got %s", num(b, x));
        D->absorb_speed = x;
    }
}

/* ---- particle domains -------------------------------------------------------------------- */

double sd_units_kB(sd_units u)
{
    return u == SD_UNITS_REAL ? 0.00831446261815324 /* kJ/mol/K = MD_KB_REAL (codelets/md/md_math.h) */ : 1.0;
}

static int is_particles(const loader *L) { return L->g->domain.kind == SD_DOMAIN_PARTICLES; }

static int get_bool(loader *L, const yaml_node_t *n, const char *what)
{
    static const char *const yes[] = {"true", "yes", "on", "1", NULL}, *const no[] = {"false", "no", "off", "0", NULL};
    const char *s = get_str(L, n, "true or false");
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(s, yes[i])) return 1;
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(s, no[i])) return 0;
    fail(L, n, "expected true or false for %s, got '%s'", what, s);
}

/* A number > 0 (strict) or >= 0. */
static double get_positive(loader *L, const yaml_node_t *n, const char *what, int strict)
{
    char b[32];
    double x = eval(L, n);
    if (strict ? !(x > 0) : !(x >= 0)) fail(L, n, "%s must be %s 0, got %s", what, strict ? ">" : ">=", num(b, x));
    return x;
}

static void particle_box(loader *L, const yaml_node_t *key, const yaml_node_t *n)
{
    static const char *const axis[] = {"L_x", "L_y", "L_z"};
    sd_particles *p = &L->g->domain.particles;
    if (!n) fail(L, key, "domain.particles needs box (the periodic box: one length, or [L_x, L_y, L_z])");
    if (is_map(n)) fail(L, n, "expected one length or a list of 3 for box, got a map");
    if (!is_seq(n)) {
        p->box[0] = p->box[1] = p->box[2] = get_positive(L, n, "the box length", 1);
        return;
    }
    if (seq_len(n) != 3)
        fail(L, n, "box has %d value%s (expected one length, or 3: [L_x, L_y, L_z])", seq_len(n), seq_len(n) == 1 ? "" : "s");
    for (int d = 0; d < 3; d++) {
        char what[32];
        snprintf(what, sizeof what, "box length %s", axis[d]);
        p->box[d] = get_positive(L, seq_at(L, n, d), what, 1);
    }
}

static int type_index(const sd_particles *p, const char *name)
{
    for (int t = 0; t < p->ntypes; t++)
        if (!strcmp(p->type[t].name, name)) return t;
    return -1;
}

/* types: 1..SD_MAX_PTYPES of {name, mass, epsilon, sigma, count}; default one type A of LJ 1s.
 * The counts assign particle ids to types in declaration order and must sum to N. */
static void particle_types(loader *L, const yaml_node_t *tk, const yaml_node_t *n)
{
    static const char *const keys[] = {"name", "mass", "epsilon", "sigma", "count", NULL};
    sd_particles *p = &L->g->domain.particles;
    if (!n || is_null(n)) {
        p->ntypes = 1;
        p->type[0] = (sd_ptype){.name = "A", .mass = 1, .epsilon = 1, .sigma = 1, .count = p->count};
        p->mass[0] = 1;
        return;
    }
    if (!is_seq(n))
        fail(L, n, "expected a list of particle types ({name, mass, epsilon, sigma, count}), got %s", got(n) ? got(n) : "a single name");
    if (seq_len(n) < 1 || seq_len(n) > SD_MAX_PTYPES)
        fail(L, n, "types has %d entries (expected 1 to %d particle types)", seq_len(n), SD_MAX_PTYPES);
    const yaml_node_t *cn[SD_MAX_PTYPES] = {0};
    for (int t = 0; t < seq_len(n); t++) {
        yaml_node_t *it = seq_at(L, n, t);
        char sec[48];
        snprintf(sec, sizeof sec, "in particle type %d", t + 1);
        need_map(L, it, "a particle type ({name, mass, epsilon, sigma, count})");
        check_keys(L, it, keys, sec);
        yaml_node_t *nm = map_get(L, it, "name", NULL), *ms = map_get(L, it, "mass", NULL), *ep = map_get(L, it, "epsilon", NULL),
                    *sg = map_get(L, it, "sigma", NULL);
        if (!nm) fail(L, it, "particle type %d needs name", t + 1);
        const char *name = get_name(L, nm, "a type name");
        if (type_index(p, name) >= 0) fail(L, nm, "type '%s' is listed twice in types", name);
        if (!ms || !ep || !sg)
            fail(L, it, "type %s needs %s (every type gives mass > 0, epsilon >= 0 and sigma > 0)", name,
                 !ms ? "mass" : !ep ? "epsilon" : "sigma");
        sd_ptype *ty = &p->type[p->ntypes++];
        snprintf(ty->name, sizeof ty->name, "%s", name);
        ty->mass = p->mass[t] = get_positive(L, ms, "mass", 1);
        ty->epsilon = get_positive(L, ep, "epsilon", 0);
        ty->sigma = get_positive(L, sg, "sigma", 1);
        if ((cn[t] = map_get(L, it, "count", NULL))) ty->count = eval_int(L, cn[t], 0, p->count, "a type count");
        else if (seq_len(n) > 1)
            fail(L, it, "type %s needs count (with several types, each gives its count and they sum to count = %lld)", name,
                 (long long)p->count);
        else ty->count = p->count;
    }
    int64_t sum = 0;
    char terms[SD_MAX_PTYPES * (SD_NAME_MAX + 24)] = "";
    for (int t = 0; t < p->ntypes; t++) {
        sum += p->type[t].count;
        size_t l = strlen(terms);
        snprintf(terms + l, sizeof terms - l, "%s%s %lld", t ? " + " : "", p->type[t].name, (long long)p->type[t].count);
    }
    if (sum != p->count) {
        if (p->ntypes == 1)
            fail(L, cn[0], "type %s has count %lld, but the domain has count %lld (expected them equal, or no count for a single type)",
                 p->type[0].name, (long long)sum, (long long)p->count);
        fail(L, tk, "the type counts sum to %lld (%s), but the domain has count %lld (expected them to sum to count)",
             (long long)sum, terms, (long long)p->count);
    }
}

/* A type name of a pair: index, with the nearest type suggested when unknown. */
static int need_type(loader *L, const yaml_node_t *n)
{
    const sd_particles *p = &L->g->domain.particles;
    const char *name = get_str(L, n, "a type name");
    int t = type_index(p, name);
    if (t >= 0) return t;
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    char list[SD_MAX_PTYPES * (SD_NAME_MAX + 2)] = "";
    for (int i = 0; i < p->ntypes; i++) {
        sd_suggest_add(&sg, p->type[i].name);
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", p->type[i].name);
    }
    if (sd_suggest_best(&sg)) fail(L, n, "unknown particle type '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
    fail(L, n, "unknown particle type '%s' (expected one of: %s)", name, list);
}

/* pairs: explicit {types: [A, B], epsilon, sigma} of two different types, each pair once; the
 * others mix by Lorentz-Berthelot (the runtime's job). Stored with a < b. */
static void particle_pairs(loader *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"types", "epsilon", "sigma", NULL};
    sd_particles *p = &L->g->domain.particles;
    if (!n || is_null(n)) return;
    if (!is_seq(n)) fail(L, n, "expected a list of pairs ({types: [A, B], epsilon, sigma}), got %s", got(n) ? got(n) : "a single name");
    int first[SD_MAX_PTYPES * (SD_MAX_PTYPES + 1) / 2];
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *it = seq_at(L, n, i);
        char sec[32];
        snprintf(sec, sizeof sec, "in pair %d", i + 1);
        need_map(L, it, "a pair ({types: [A, B], epsilon, sigma})");
        check_keys(L, it, keys, sec);
        yaml_node_t *ts = map_get(L, it, "types", NULL), *ep = map_get(L, it, "epsilon", NULL), *sg = map_get(L, it, "sigma", NULL);
        if (!ts) fail(L, it, "pair %d needs types (two type names: [A, B])", i + 1);
        if (!is_seq(ts))
            fail(L, ts, "expected two type names [A, B] for the types of a pair, got %s", got(ts) ? got(ts) : "a single name");
        if (seq_len(ts) != 2) fail(L, ts, "a pair has %d type name%s (expected two: [A, B])", seq_len(ts), seq_len(ts) == 1 ? "" : "s");
        int a = need_type(L, seq_at(L, ts, 0)), b = need_type(L, seq_at(L, ts, 1));
        if (a == b)
            fail(L, ts, "pair (%s, %s): a type's own parameters are its epsilon and sigma (expected two different types)",
                 p->type[a].name, p->type[b].name);
        if (a > b) { int t = a; a = b; b = t; }
        for (int q = 0; q < p->npairs; q++)
            if (p->pair[q].a == a && p->pair[q].b == b)
                fail(L, ts, "pair (%s, %s) is listed twice (first at line %d)", p->type[a].name, p->type[b].name, first[q]);
        if (!ep || !sg) fail(L, it, "pair (%s, %s) needs %s", p->type[a].name, p->type[b].name, !ep ? "epsilon (>= 0)" : "sigma (> 0)");
        first[p->npairs] = where(ts).line;
        p->pair[p->npairs++] = (sd_ppair){.a = a, .b = b, .epsilon = get_positive(L, ep, "epsilon", 0),
                                          .sigma = get_positive(L, sg, "sigma", 1)};
    }
}

/* neighbor: the neighbour-list policy; returns the skin node (NULL when defaulted). */
static const yaml_node_t *particle_neighbor(loader *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"skin", "every", "check", "min_distance", "capacity", NULL};
    sd_particles *p = &L->g->domain.particles;
    char b[32];
    p->skin = p->units == SD_UNITS_REAL ? 0.1 : 0.3;
    p->rebuild_every = 10;
    p->rebuild_check = 1;
    p->min_distance = 0.5;
    p->capacity = 1.5;
    if (!n || is_null(n)) return NULL;
    need_map(L, n, "neighbor ({skin, every, check, min_distance, capacity})");
    check_keys(L, n, keys, "in domain.particles.neighbor");
    yaml_node_t *x, *skin = map_get(L, n, "skin", NULL);
    if (skin) p->skin = get_positive(L, skin, "skin", 0);
    if ((x = map_get(L, n, "every", NULL))) p->rebuild_every = (int)eval_int(L, x, 1, INT_MAX, "neighbor every");
    if ((x = map_get(L, n, "check", NULL))) p->rebuild_check = get_bool(L, x, "neighbor check");
    if ((x = map_get(L, n, "min_distance", NULL))) {
        p->min_distance = eval(L, x);
        if (!(p->min_distance >= 0 && p->min_distance < 1))
            fail(L, x, "min_distance must be in [0, 1) (a fraction of sigma), got %s", num(b, p->min_distance));
    }
    if ((x = map_get(L, n, "capacity", NULL))) {
        p->capacity = eval(L, x);
        if (!(p->capacity >= 1.1))
            fail(L, x, "capacity must be >= 1.1 (room of the buffers over their expected size), got %s", num(b, p->capacity));
    }
    return skin;
}

static void load_particles(loader *L, const yaml_node_t *k, const yaml_node_t *P)
{
    static const char *const keys[] = {"count", "box", "units", "types", "pairs", "cutoff", "shift", "neighbor",
                                       "position", "velocity", NULL};
    static const char *const units[] = {"lj", "real", NULL};
    sd_domain *D = &L->g->domain;
    sd_particles *p = &D->particles;
    char b[32], b2[32];
    need_map(L, P, "domain.particles");
    check_keys(L, P, keys, "in domain.particles");
    D->kind = SD_DOMAIN_PARTICLES;
    D->ndim = 3;
    for (int d = 0; d < 3; d++) {
        D->shape[d] = 1;
        D->spacing[d] = 1.0;
        D->bc[d] = SD_BC_PERIODIC;
        D->bc_value[d] = 0.0;
    }
    D->absorb_speed = 1.0;
    yaml_node_t *x, *tk = NULL;
    if (!(x = map_get(L, P, "count", NULL))) fail(L, k, "domain.particles needs count (the number of particles, >= 1)");
    p->count = D->shape[0] = eval_int(L, x, 1, (int64_t)1 << 40, "count");
    particle_box(L, k, map_get(L, P, "box", NULL));
    p->units = SD_UNITS_LJ;
    if ((x = map_get(L, P, "units", NULL))) {
        const char *u = get_str(L, x, "units (lj or real)");
        if (!strcmp(u, "real")) p->units = SD_UNITS_REAL;
        else if (strcmp(u, "lj")) {
            sd_suggest sg;
            sd_suggest_init(&sg, u);
            for (int i = 0; units[i]; i++) sd_suggest_add(&sg, units[i]);
            if (sd_suggest_best(&sg)) fail(L, x, "unknown units '%s' (did you mean '%s'?)", u, sd_suggest_best(&sg));
            fail(L, x, "unknown units '%s' (expected lj or real)", u);
        }
    }
    x = map_get(L, P, "types", &tk);
    particle_types(L, tk, x);
    particle_pairs(L, map_get(L, P, "pairs", NULL));
    yaml_node_t *cut = map_get(L, P, "cutoff", NULL);
    if (!cut) fail(L, k, "domain.particles needs cutoff (the Lennard-Jones cutoff r_c, > 0)");
    p->cutoff = get_positive(L, cut, "cutoff", 1);
    if ((x = map_get(L, P, "shift", NULL))) p->shift = get_bool(L, x, "shift");
    const yaml_node_t *skin = particle_neighbor(L, map_get(L, P, "neighbor", NULL));
    /* pairs are found by the nearest periodic image only: the list range must fit half the box */
    int dm = 0;
    for (int d = 1; d < 3; d++)
        if (p->box[d] < p->box[dm]) dm = d;
    double reach = p->cutoff + p->skin;
    if (reach > p->box[dm] / 2) {
        yaml_node_t *bx = map_get(L, P, "box", NULL);
        char axis[8];
        snprintf(axis, sizeof axis, is_seq(bx) ? "L_%c" : "L", "xyz"[dm]);
        fail(L, skin && p->cutoff <= p->box[dm] / 2 ? skin : cut,
             "cutoff + skin = %s is more than half the box (%s = %s): the minimum-image convention needs cutoff + skin <= L/2 "
             "(a bigger box, or a smaller cutoff/skin)", num(b, reach), axis, num(b2, p->box[dm]));
    }
    L->pkey = k;
    L->ppos = "x";
    L->pvel = "v";
    if ((L->pposn = map_get(L, P, "position", NULL))) L->ppos = get_name(L, L->pposn, "a field name");
    if ((L->pveln = map_get(L, P, "velocity", NULL))) L->pvel = get_name(L, L->pveln, "a field name");
    if (!strcmp(L->ppos, L->pvel))
        fail(L, L->pveln ? L->pveln : L->pposn, "position and velocity are both field '%s' (expected two fields)", L->ppos);
}

/* After the fields: the position and velocity fields exist and have 3 components (load_fields
 * refused f32 and levels in a particle domain). */
static void particle_fields(loader *L)
{
    sd_particles *p = &L->g->domain.particles;
    for (int i = 0; i < 2; i++) {
        const char *name = i ? L->pvel : L->ppos, *what = i ? "velocity" : "position";
        const yaml_node_t *named = i ? L->pveln : L->pposn, *at = named ? named : L->pkey;
        int fi = sd_graph_field_index(L->g, name);
        if (fi < 0) {
            sd_suggest sg;
            sd_suggest_init(&sg, name);
            for (int f = 0; f < L->g->nfields; f++) sd_suggest_add(&sg, L->g->fields[f].name);
            if (sd_suggest_best(&sg))
                fail(L, at, "the %s field '%s' is not declared (did you mean '%s'?)", what, name, sd_suggest_best(&sg));
            fail(L, at, "the %s field '%s' is not declared (expected fields: {%s: {components: 3}})", what, name, name);
        }
        const sd_gfield *f = &L->g->fields[fi];
        if (f->ncomp != 3)
            fail_at(L, f->at.line, f->at.col, "field '%s' holds the particle %ss, so it needs components: 3 (it has %d)", name, what,
                    f->ncomp);
        if (i) p->velocity = fi;
        else p->position = fi;
    }
}

static void load_domain(loader *L, const yaml_node_t *key, const yaml_node_t *m)
{
    static const char *const kinds[] = {"grid", "particles", "mesh", "batch", NULL};
    need_map(L, m, "domain");
    if (map_len(m) == 0) fail(L, key, "domain is empty (expected grid: {shape: [...], spacing: ...})");
    yaml_node_t *k = key_at(L, m, 0);
    const char *kind = sval(k);
    int grid = !strcmp(kind, "grid"), particles = !strcmp(kind, "particles");
    if (!grid && !particles) {
        for (int i = 2; kinds[i]; i++)
            if (!strcmp(kind, kinds[i])) fail(L, k, "domain '%s' is not supported yet (expected grid or particles)", kind);
        sd_suggest sg;
        sd_suggest_init(&sg, kind);
        sd_suggest_add(&sg, "grid");
        sd_suggest_add(&sg, "particles");
        if (sd_suggest_best(&sg)) fail(L, k, "unknown domain kind '%s' (did you mean '%s'?)", kind, sd_suggest_best(&sg));
        fail(L, k, "unknown domain kind '%s' (expected grid or particles)", kind);
    }
    if (map_len(m) > 1) {
        yaml_node_t *k2 = key_at(L, m, 1);
        fail(L, k2, "domain has a second kind '%s' after '%s' (expected exactly one)", sval(k2), kind);
    }
    if (particles) load_particles(L, k, val_at(L, m, 0));
    else load_grid(L, k, val_at(L, m, 0));
}

/* tiles: auto or the number of blocks (slabs of cells along z). */
static void particle_tiles(loader *L, const yaml_node_t *n)
{
    sd_particles *p = &L->g->domain.particles;
    if (is_scalar(n) && !strcmp(sval(n), "auto")) return;
    if (!is_scalar(n) || is_null(n))
        fail(L, n, "expected auto or a number of blocks for the tiles of a particle domain, got %s (tile shapes are for grids)",
             got(n));
    p->nblocks = (int)eval_int(L, n, 1, 1 << 20, "tiles (the number of particle blocks)");
    L->g->run.tiles_auto = 0;
}

static void load_fields(loader *L, const yaml_node_t *m)
{
    static const char *const keys[] = {"dtype", "components", "levels", NULL};
    sd_graph *g = L->g;
    if (is_null(m)) return;
    need_map(L, m, "fields");
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i), *v = val_at(L, m, i);
        const char *name = get_name(L, k, "a field name");
        g->fields = grow(L, g->fields, g->nfields, &L->cap_fields, sizeof *g->fields);
        int fi = g->nfields++;
        sd_gfield *f = &g->fields[fi];
        snprintf(f->name, sizeof f->name, "%s", name);
        f->at = where(k);
        f->dtype = SD_F64;
        f->ncomp = 1;
        f->nlevels = 1;
        snprintf(f->level[0], sizeof f->level[0], "%s", name);
        ns_add(L, k, name, NS_FIELD, fi);
        if (is_null(v)) continue;
        char sec[SD_NAME_MAX + 16];
        snprintf(sec, sizeof sec, "in field %s", name);
        need_map(L, v, "a field ({dtype, components, levels})");
        check_keys(L, v, keys, sec);
        for (int j = 0; j < map_len(v); j++) {
            const char *kk = sval(key_at(L, v, j));
            yaml_node_t *x = val_at(L, v, j);
            if (!strcmp(kk, "dtype")) {
                const char *t = get_str(L, x, "a dtype (f64 or f32)");
                if (!strcmp(t, "f64")) f->dtype = SD_F64;
                else if (!strcmp(t, "f32")) f->dtype = SD_F32;
                else fail(L, x, "unknown dtype '%s' (expected f64 or f32)", t);
                if (f->dtype != SD_F64 && is_particles(L))
                    fail(L, x, "field '%s' is %s, but particle fields are f64", name, t);
            } else if (!strcmp(kk, "components"))
                f->ncomp = (int)eval_int(L, x, 1, 1024, "components");
            else {
                if (is_particles(L))
                    fail(L, key_at(L, v, j), "field '%s' has levels, but time levels are for grids (a particle field has one "
                         "value per particle)", name);
                if (!is_seq(x)) {
                    const char *gg = got(x);
                    fail(L, x, "expected a list of 2 to %d level names, oldest first, got %s", SD_MAX_LEVELS,
                         gg ? gg : "a single name");
                }
                int nl = seq_len(x);
                if (nl < 2 || nl > SD_MAX_LEVELS)
                    fail(L, x, "levels has %d name%s (expected 2 to %d, oldest first)", nl, nl == 1 ? "" : "s", SD_MAX_LEVELS);
                f->nlevels = nl;
                for (int l = 0; l < nl; l++) {
                    yaml_node_t *ln = seq_at(L, x, l);
                    const char *lname = get_name(L, ln, "a level name");
                    for (int q = 0; q < l; q++)
                        if (!strcmp(f->level[q], lname)) fail(L, ln, "level '%s' is listed twice in field %s", lname, name);
                    ns_add(L, ln, lname, NS_LEVEL, fi);
                    snprintf(f->level[l], sizeof f->level[l], "%s", lname);
                }
            }
        }
    }
}

static void add_scalar(loader *L, const char *name, sd_where at)
{
    sd_graph *g = L->g;
    g->scalars = grow(L, g->scalars, g->nscalars, &L->cap_scalars, sizeof *g->scalars);
    sd_gscalar *s = &g->scalars[g->nscalars++];
    snprintf(s->name, sizeof s->name, "%.*s", (int)sizeof s->name - 1, name); /* callers checked the length */
    s->at = at;
}

static void load_scalars(loader *L, const yaml_node_t *n)
{
    if (is_null(n)) return;
    if (!is_seq(n)) {
        const char *gg = got(n);
        fail(L, n, "expected a list of scalar names, got %s", gg ? gg : "a single name");
    }
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *x = seq_at(L, n, i);
        const char *name = get_name(L, x, "a scalar name");
        ns_add(L, x, name, NS_SCALAR, -1);
        add_scalar(L, name, where(x));
    }
    L->user_scalars = L->g->nscalars;
}

static void load_tiles(loader *L, const yaml_node_t *n)
{
    sd_grun *r = &L->g->run;
    const sd_domain *D = &L->g->domain;
    if (is_particles(L)) { particle_tiles(L, n); return; }
    if (is_scalar(n) && !strcmp(sval(n), "auto")) { r->tiles_auto = 1; return; }
    if (!is_seq(n)) {
        const char *gg = got(n);
        if (gg) fail(L, n, "expected auto or a list of tile extents, got %s", gg);
        fail(L, n, "expected auto or a list of tile extents, got '%s'", sval(n));
    }
    if (seq_len(n) != D->ndim)
        fail(L, n, "tiles has %d value%s for a %d-axis grid (expected %d, or auto)", seq_len(n), seq_len(n) == 1 ? "" : "s",
             D->ndim, D->ndim);
    r->tiles_auto = 0;
    for (int d = 0; d < 3; d++) r->tile[d] = 1;
    for (int d = 0; d < D->ndim; d++) {
        yaml_node_t *x = seq_at(L, n, d);
        r->tile[d] = eval_int(L, x, 1, (int64_t)1 << 40, "a tile extent");
        if (r->tile[d] > D->shape[d])
            fail(L, x, "tile extent %lld is larger than the grid (shape[%d] = %lld)", (long long)r->tile[d], d,
                 (long long)D->shape[d]);
    }
}

/* ---- ops --------------------------------------------------------------------------------- */

static const char *section_of(sd_access m) { return m == SD_READ ? "read" : m == SD_WRITE ? "write" : "readwrite"; }
static const char *dtype_name(int t) { return t == SD_F32 ? "f32" : "f64"; }

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
    if (sd_suggest_best(&sg)) fail(L, at, "%s has no %s '%s' (did you mean '%s'?)", codelet, what, name, sd_suggest_best(&sg));
    if (n) fail(L, at, "%s has no %s '%s' (expected one of: %s)", codelet, what, name, list);
    fail(L, at, "%s has no %s '%s' (expected no %ss)", codelet, what, name, what);
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
        fail(L, rk, "role '%s' of %s belongs in %s, not %s", rname, cl->name, section_of(r->mode), section_of(sec));
    sd_binding *b = &op->bind[ri];
    b->mode = r->mode;
    b->halo = r->halo;
    yaml_node_t *nn = v;
    if (is_map(v)) {
        static const char *const keys[] = {"field", "halo", NULL};
        char sec2[128];
        snprintf(sec2, sizeof sec2, "in the binding of role %s", rname);
        check_keys(L, v, keys, sec2);
        yaml_node_t *kh = NULL;
        yaml_node_t *h = map_get(L, v, "halo", &kh);
        nn = map_get(L, v, "field", NULL);
        if (!nn) fail(L, v, "binding of role '%s' needs field (expected {field: NAME, halo: H})", rname);
        if (h) {
            if (r->kind != SD_ROLE_FIELD || r->mode != SD_READ || r->halo == 0)
                fail(L, kh, "role '%s' of %s reads no neighbour cells, so it takes no halo", rname, cl->name);
            if (is_particles(L))
                fail(L, kh, "role '%s' of %s reads the neighbour blocks' particles; halo is a ghost width of grids (expected "
                     "no halo)", rname, cl->name);
            b->halo = (int)eval_int(L, h, 0, 1 << 20, "halo");
            if (b->halo < r->halo)
                fail(L, h, "halo %d is below the halo %d that %s declares for role '%s' (expected >= %d)", b->halo, r->halo,
                     cl->name, rname, r->halo);
        }
    } else if (is_seq(v))
        fail(L, v, "expected a name or {field: NAME, halo: H} for role '%s', got a list", rname);
    const char *name = get_str(L, nn, "a field level or scalar name");
    x->bind[ri] = where(nn);
    int level = 0, fi = sd_graph_level_lookup(g, name, &level);
    int si = fi < 0 ? sd_graph_scalar_index(g, name) : -1;
    if (fi < 0 && si < 0) {
        int rf = sd_graph_field_index(g, name);
        if (rf >= 0) {
            char list[SD_MAX_LEVELS * SD_NAME_MAX + 8] = "";
            for (int l = 0; l < g->fields[rf].nlevels; l++) {
                size_t q = strlen(list);
                snprintf(list + q, sizeof list - q, "%s%s", l ? ", " : "", g->fields[rf].level[l]);
            }
            fail(L, nn, "field '%s' has time levels; bind one of them (%s)", name, list);
        }
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; i < L->nns; i++)
            if (L->ns[i].kind != NS_FIELD || g->fields[L->ns[i].field].nlevels == 1) sd_suggest_add(&sg, L->ns[i].name);
        if (sd_suggest_best(&sg)) fail(L, nn, "unknown field or scalar '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
        fail(L, nn, "unknown field or scalar '%s' (expected a name from fields or scalars)", name);
    }
    if (r->kind == SD_ROLE_FIELD && si >= 0)
        fail(L, nn, "role '%s' of %s needs a field, but '%s' is a scalar", rname, cl->name, name);
    if (r->kind == SD_ROLE_SCALAR && fi >= 0)
        fail(L, nn, "role '%s' of %s needs a scalar, but '%s' is a field", rname, cl->name, name);
    b->is_scalar = si >= 0;
    b->index = si >= 0 ? si : fi;
    b->level = si >= 0 ? 0 : level;
    if (si >= 0) { b->halo = 0; return; }
    const sd_gfield *f = &g->fields[fi];
    /* a neighbour-block read sees the ghosts, which are images of the positions */
    if (is_particles(L) && r->halo > 0 && fi != g->domain.particles.position)
        fail(L, nn, "role '%s' of %s reads the neighbour blocks' particles, which only the position field '%s' has "
             "(expected %s: %s)", rname, cl->name, g->fields[g->domain.particles.position].name, rname,
             g->fields[g->domain.particles.position].name);
    if (r->ncomp && f->ncomp != r->ncomp)
        fail(L, nn, "field '%s' has %d component%s, but role '%s' of %s needs %d", f->name, f->ncomp, f->ncomp == 1 ? "" : "s",
             rname, cl->name, r->ncomp);
    if (r->dtypes && !(r->dtypes & (1 << f->dtype)))
        fail(L, nn, "field '%s' is %s, but role '%s' of %s accepts only %s", f->name, dtype_name(f->dtype), rname, cl->name,
             dtype_name(f->dtype == SD_F32 ? SD_F64 : SD_F32));
    /* roles that take any number of components are applied component by component: they must agree */
    for (int i = 0; !r->ncomp && i < cl->nroles; i++) {
        const sd_binding *o = &op->bind[i];
        if (i == ri || !o->mode || o->is_scalar || cl->roles[i].ncomp) continue;
        const sd_gfield *fo = &g->fields[o->index];
        if (fo->ncomp != f->ncomp)
            fail(L, nn, "fields '%s' (%d component%s) and '%s' (%d component%s) of one op must have the same components",
                 fo->name, fo->ncomp, fo->ncomp == 1 ? "" : "s", f->name, f->ncomp, f->ncomp == 1 ? "" : "s");
    }
    if (*first_field >= 0) {
        const sd_binding *b0 = &op->bind[*first_field];
        const sd_gfield *f0 = &g->fields[b0->index];
        if (f0->dtype != f->dtype)
            fail(L, nn, "fields '%s' (%s) and '%s' (%s) of one op must have the same dtype", f0->name, dtype_name(f0->dtype),
                 f->name, dtype_name(f->dtype));
    } else
        *first_field = ri;
    /* one level may not be written through one role and touched through another */
    for (int i = 0; i < cl->nroles; i++) {
        const sd_binding *o = &op->bind[i];
        if (i == ri || !o->mode || o->is_scalar || o->index != fi || o->level != level) continue;
        if (o->mode != SD_READ || r->mode != SD_READ)
            fail(L, nn, "'%s' is bound to roles '%s' and '%s' of one op, and one of them writes it (expected another level)",
                 name, cl->roles[i].name, rname);
    }
    if (r->mode == SD_READ && b->halo > 0)
        for (int d = 0; d < g->domain.ndim; d++)
            if (g->domain.bc[d] == SD_BC_ABSORBING) {
                if (f->nlevels == 1)
                    fail(L, nn, "absorbing boundaries need field %s to have time levels (expected levels: [%s_prev, %s, ...])",
                         f->name, f->name, f->name);
                if (level == 0)
                    fail(L, nn, "absorbing boundaries compute the ghosts of '%s' from the previous level, but it is the oldest "
                         "level of field %s (expected a newer level, or an older one listed before it)", name, f->name);
                break;
            }
}

static void call_validate(loader *L, const sd_gop *op, const yaml_node_t *at)
{
    if (!op->cl->validate) return;
    const sd_domain *D = &L->g->domain;
    sd_check_info info;
    memset(&info, 0, sizeof info);
    info.ndim = D->ndim;
    for (int d = 0; d < 3; d++) {
        info.shape[d] = D->shape[d];
        info.dx[d] = D->spacing[d];
    }
    info.dt = L->g->run.dt;
    info.param = op->param;
    if (D->kind == SD_DOMAIN_PARTICLES) {
        info.count = D->particles.count;
        for (int d = 0; d < 3; d++) info.box[d] = D->particles.box[d];
        info.kB = sd_units_kB(D->particles.units);
        info.ntypes = D->particles.ntypes;
        info.mass = D->particles.mass;
    }
    char msg[512] = "";
    if (op->cl->validate(&info, msg, sizeof msg)) fail(L, at, "%s: %s", op->cl->name, msg[0] ? msg : "refused by its validate hook");
}

static void load_op(loader *L, yaml_node_t *item, int is_step, int idx, sd_gop *op, opx *x)
{
    static const char *const keys[] = {"op", "read", "write", "readwrite", "params", "every", NULL};
    char label[48], b[32], b2[32], b3[32];
    snprintf(label, sizeof label, "in %s op %d", is_step ? "step" : "init", idx + 1);
    if (!is_map(item)) {
        const char *gg = got(item);
        fail(L, item, "expected an op (a map with op: CODELET, read, write, ...), got %s", gg ? gg : "a single name");
    }
    check_keys(L, item, keys, label);
    yaml_node_t *on = map_get(L, item, "op", NULL);
    if (!on) fail(L, item, "%s op %d has no 'op' key (expected the codelet name, e.g. op: common.fill)", is_step ? "step" : "init", idx + 1);
    const char *cname = get_str(L, on, "a codelet name");
    const sd_codelet *cl = sd_codelet_find(cname);
    if (!cl) {
        sd_suggest sg;
        sd_suggest_init(&sg, cname);
        for (int i = 0; i < sd_codelet_count(); i++) sd_suggest_add(&sg, sd_codelet_at(i)->name);
        if (sd_suggest_best(&sg)) fail(L, on, "unknown codelet '%s' (did you mean '%s'?)", cname, sd_suggest_best(&sg));
        fail(L, on, "unknown codelet '%s' (no registered codelet has this name)", cname);
    }
    if ((cl->domain == SD_ON_PARTICLES) != is_particles(L))
        fail(L, on, "%s runs on %s, but this graph's domain is %s", cl->name,
             cl->domain == SD_ON_PARTICLES ? "particle domains" : "grids", is_particles(L) ? "particles" : "a grid");
    op->cl = cl;
    op->every = 1;
    op->at = where(on);
    x->op = op->at;
    int first_field = -1, pset[SD_MAX_PARAMS] = {0};
    for (int i = 0; i < map_len(item); i++) {
        yaml_node_t *k = key_at(L, item, i), *v = val_at(L, item, i);
        const char *kk = sval(k);
        sd_access sec = !strcmp(kk, "read") ? SD_READ : !strcmp(kk, "write") ? SD_WRITE : !strcmp(kk, "readwrite") ? SD_READWRITE : 0;
        if (sec) {
            if (is_null(v)) continue;
            char what[64];
            snprintf(what, sizeof what, "%s (role: binding)", kk);
            need_map(L, v, what);
            for (int j = 0; j < map_len(v); j++) bind_one(L, op, x, cl, key_at(L, v, j), val_at(L, v, j), sec, &first_field);
        } else if (!strcmp(kk, "params")) {
            if (is_null(v)) continue;
            need_map(L, v, "params");
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
                double val = eval(L, pv);
                if (val < p->min || val > p->max)
                    fail(L, pv, "param '%s' of %s is %s, out of its range [%s, %s]", pn, cl->name, num(b, val), num(b2, p->min),
                         num(b3, p->max));
                op->param[pi] = val;
                pset[pi] = 1;
            }
        } else if (!strcmp(kk, "every")) {
            if (!is_step) fail(L, k, "every is only allowed in step ops (init ops run once)");
            op->every = (int)eval_int(L, v, 1, INT_MAX, "every");
        }
    }
    /* optional outputs left out: bound to hidden scalars (computed, not kept; "__" names are never shown) */
    for (int i = 0; i < cl->nroles; i++)
        if (!op->bind[i].mode && cl->roles[i].optional) {
            char hname[SD_NAME_MAX];
            snprintf(hname, sizeof hname, "__%s%d_%.40s", is_step ? "step" : "init", idx + 1, cl->roles[i].name);
            add_scalar(L, hname, where(on));
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
                fail(L, on, "op %s is missing role '%s' (expected in %s)", cl->name, cl->roles[i].name, section_of(cl->roles[i].mode));
    }
    if (nmiss) fail(L, on, "op %s is missing roles: %s", cl->name, missing);
    for (int i = 0; i < cl->nparams; i++)
        if (!pset[i]) {
            if (cl->params[i].required) fail(L, on, "op %s needs param '%s' (required)", cl->name, cl->params[i].name);
            op->param[i] = cl->params[i].def;
        }
    call_validate(L, op, on);
}

static void load_ops(loader *L, const yaml_node_t *n, int is_step)
{
    sd_graph *g = L->g;
    if (is_null(n)) return;
    if (!is_seq(n)) fail(L, n, "expected a list of ops for %s, got %s", is_step ? "step" : "init", got(n) ? got(n) : "a single name");
    for (int i = 0; i < seq_len(n); i++) {
        int *cnt = is_step ? &g->nstep : &g->ninit;
        int *cap = is_step ? &L->cap_step : &L->cap_init;
        sd_gop **arr = is_step ? &g->step : &g->init;
        opx **xa = is_step ? &L->xstep : &L->xinit;
        int c0 = *cap;
        *arr = grow(L, *arr, *cnt, cap, sizeof **arr);
        if (*cap != c0) {
            int c1 = c0;
            *xa = grow(L, *xa, *cnt, &c1, sizeof **xa);
        }
        int k = (*cnt)++;
        load_op(L, seq_at(L, n, i), is_step, i, &(*arr)[k], &(*xa)[k]);
    }
}

/* ---- data flow --------------------------------------------------------------------------- */


static void flow_ops(loader *L, flow *F, const sd_gop *ops, const opx *xs, int nops, int is_step)
{
    sd_graph *g = L->g;
    if (is_step)
        for (int i = 0; i < g->nfields * SD_MAX_LEVELS; i++) { F->lastw[i] = -1; F->readsince[i] = 0; }
    for (int o = 0; o < nops; o++) {
        const sd_gop *op = &ops[o];
        for (int r = 0; r < op->cl->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (b->mode == SD_WRITE) continue;
            const char *name = b->is_scalar ? g->scalars[b->index].name : g->fields[b->index].level[b->level];
            if (b->is_scalar ? !F->sdata[b->index] : !F->fdata[b->index * SD_MAX_LEVELS + b->level]) {
                if (b->is_scalar)
                    fail_at(L, xs[o].op.line, xs[o].op.col, "op %s reads scalar '%s', which nothing writes before it (expected an earlier op writing it)",
                            op->cl->name, name);
                fail_at(L, xs[o].op.line, xs[o].op.col, "op %s reads '%s', which nothing writes before it (write it in init, e.g. with common.fill)",
                        op->cl->name, name);
            }
            if (!b->is_scalar) F->readsince[b->index * SD_MAX_LEVELS + b->level] = 1;
        }
        for (int r = 0; r < op->cl->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (b->mode == SD_READ) continue;
            if (b->is_scalar) { F->sdata[b->index] = 1; continue; }
            int s = b->index * SD_MAX_LEVELS + b->level;
            F->fdata[s] = 1;
            if (!is_step) continue;
            if (b->mode == SD_WRITE && F->lastw[s] >= 0 && !F->readsince[s])
                fail_at(L, xs[o].bind[r].line, xs[o].bind[r].col,
                        "field '%s' is written by op %d (line %d) and again here; the first write is lost (expected readwrite, or a different field)",
                        g->fields[b->index].level[b->level], F->lastw[s] + 1, xs[F->lastw[s]].op.line);
            F->lastw[s] = o;
            F->readsince[s] = 0;
        }
    }
}

static void flow_rotate(loader *L, flow *F)
{
    for (int f = 0; f < L->g->nfields; f++) {
        int nl = L->g->fields[f].nlevels;
        unsigned char *d = F->fdata + f * SD_MAX_LEVELS, d0 = d[0];
        for (int l = 0; l + 1 < nl; l++) d[l] = d[l + 1];
        d[nl - 1] = d0;
    }
}

/* Output level of a field: the level named like the field, else the newest-but-one of a
 * rotating field (the newest after rotation), else 0. */
static int out_level(const sd_gfield *f)
{
    for (int l = 0; l < f->nlevels; l++)
        if (!strcmp(f->level[l], f->name)) return l;
    return f->nlevels >= 2 ? f->nlevels - 2 : 0;
}

/* ---- output and checks ------------------------------------------------------------------- */

static int need_field(loader *L, const yaml_node_t *n)
{
    const char *name = get_str(L, n, "a field name");
    int fi = sd_graph_field_index(L->g, name);
    if (fi >= 0) return fi;
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    for (int i = 0; i < L->g->nfields; i++) sd_suggest_add(&sg, L->g->fields[i].name);
    if (sd_suggest_best(&sg)) fail(L, n, "unknown field '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
    fail(L, n, "unknown field '%s' (expected a name from fields)", name);
}

static int need_scalar(loader *L, const yaml_node_t *n)
{
    const char *name = get_str(L, n, "a scalar name");
    for (int i = 0; i < L->user_scalars; i++)
        if (!strcmp(L->g->scalars[i].name, name)) return i;
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    for (int i = 0; i < L->user_scalars; i++) sd_suggest_add(&sg, L->g->scalars[i].name);
    if (sd_suggest_best(&sg)) fail(L, n, "unknown scalar '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
    fail(L, n, "unknown scalar '%s' (expected a name from scalars)", name);
}

/* A file name (one line of text, shorter than size) into dst; what names it in messages. */
static void get_path(loader *L, const yaml_node_t *v, char *dst, size_t size, const char *what)
{
    const char *f = get_str(L, v, "a file name");
    if (strlen(f) >= size) fail(L, v, "%s name is too long (at most %zu characters)", what, size - 1);
    for (const char *c = f; *c; c++)
        if ((unsigned char)*c < 0x20) fail(L, v, "the %s name has a control character", what);
    snprintf(dst, size, "%s", f);
}

/* output.trajectory (particles): {file: PATH, every: N}, both required. */
static void load_trajectory(loader *L, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const keys[] = {"file", "every", NULL};
    sd_goutput *o = &L->g->output;
    if (!is_particles(L))
        fail(L, k, "output.trajectory is for particle domains (a grid writes fields: output: {fields: {names: [...], every: N}})");
    need_map(L, v, "output.trajectory ({file: PATH, every: N})");
    check_keys(L, v, keys, "in output.trajectory");
    yaml_node_t *f = map_get(L, v, "file", NULL), *ev = map_get(L, v, "every", NULL);
    if (!f) fail(L, k, "output.trajectory needs file (the H5MD trajectory path)");
    get_path(L, f, o->trajectory, sizeof o->trajectory, "trajectory file");
    if (!ev) fail(L, k, "output.trajectory needs every (frames every N steps, >= 1)");
    o->trajectory_every = eval_int(L, ev, 1, INT64_MAX / 2, "every");
}

static void load_output(loader *L, const yaml_node_t *m)
{
    static const char *const keys[] = {"file", "fields", "scalars", "trajectory", NULL};
    static const char *const skeys[] = {"names", "every", NULL};
    sd_goutput *o = &L->g->output;
    if (is_null(m)) return;
    need_map(L, m, "output");
    check_keys(L, m, keys, "in output");
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i), *v = val_at(L, m, i);
        const char *kk = sval(k);
        if (!strcmp(kk, "file")) {
            get_path(L, v, o->file, sizeof o->file, "output file");
            continue;
        }
        if (!strcmp(kk, "trajectory")) {
            load_trajectory(L, k, v);
            continue;
        }
        int isf = !strcmp(kk, "fields");
        char sec[32];
        snprintf(sec, sizeof sec, "in output.%s", kk);
        if (isf && is_particles(L))
            fail(L, k, "output.fields is for grids: particle positions and velocities go to a trajectory: output: "
                 "{trajectory: {file: ..., every: N}}");
        need_map(L, v, isf ? "output.fields ({names: [...], every: N})" : "output.scalars ({names: [...], every: N})");
        check_keys(L, v, skeys, sec);
        yaml_node_t *names = map_get(L, v, "names", NULL), *ev = map_get(L, v, "every", NULL);
        int max = isf ? 16 : 32, *cnt = isf ? &o->nfields : &o->nscalars;
        int64_t every = ev ? eval_int(L, ev, 0, INT64_MAX / 2, "every") : 0;
        if (names && !is_null(names)) {
            if (!is_seq(names)) fail(L, names, "expected a list of %s names, got %s", isf ? "field" : "scalar", got(names) ? got(names) : "a single name");
            if (seq_len(names) > max) fail(L, names, "output.%s lists %d names (at most %d)", kk, seq_len(names), max);
            for (int j = 0; j < seq_len(names); j++) {
                yaml_node_t *x = seq_at(L, names, j);
                int id = isf ? need_field(L, x) : need_scalar(L, x);
                for (int q = 0; q < *cnt; q++)
                    if ((isf ? o->field[q] : o->scalar[q]) == id) fail(L, x, "'%s' is listed twice in output.%s", sval(x), kk);
                if (isf) {
                    o->field[*cnt] = id;
                    o->field_level[*cnt] = out_level(&L->g->fields[id]);
                } else
                    o->scalar[*cnt] = id;
                (*cnt)++;
            }
            if (!ev && isf) fail(L, k, "output.fields needs every (an integer >= 0; 0 = never)");
            if (!ev) every = 1;
        }
        if (isf) o->fields_every = every;
        else o->scalars_every = every;
    }
    if (o->trajectory[0] && !strcmp(o->trajectory, o->file))
        fail(L, map_get(L, map_get(L, m, "trajectory", NULL), "file", NULL),
             "the trajectory file is the output file '%s' too (expected two files)", o->file);
}

static void add_finite(loader *L, sd_gcheck *c, yaml_node_t *kindkey, yaml_node_t *fnode, const flow *F)
{
    sd_graph *g = L->g;
    const sd_gfield *f = &g->fields[c->target];
    const sd_codelet *cl = sd_codelet_find("common.count_nonfinite");
    if (!cl) fail(L, kindkey, "finite checks need codelet common.count_nonfinite");
    int rf = -1, rs = -1;
    for (int i = 0; i < cl->nroles; i++) {
        if (cl->roles[i].kind == SD_ROLE_FIELD && cl->roles[i].mode == SD_READ && rf < 0) rf = i;
        else if (cl->roles[i].kind == SD_ROLE_SCALAR && cl->roles[i].mode == SD_WRITE && rs < 0) rs = i;
        else rf = rs = -2;
        if (rf == -2) break;
    }
    if (rf < 0 || rs < 0) fail(L, kindkey, "codelet common.count_nonfinite must read one field and write one scalar");
    char hname[SD_NAME_MAX + 16];
    if (strlen(f->name) + 12 >= SD_NAME_MAX)
        fail(L, fnode, "field name '%s' is too long for a finite check (at most %d characters)", f->name, SD_NAME_MAX - 13);
    snprintf(hname, sizeof hname, "__nonfinite_%s", f->name);
    if (sd_graph_scalar_index(g, hname) >= 0) fail(L, fnode, "field '%s' has a finite check already", f->name);
    const sd_role *r = &cl->roles[rf];
    if (r->ncomp && r->ncomp != f->ncomp)
        fail(L, fnode, "common.count_nonfinite needs %d component%s, but field '%s' has %d", r->ncomp, r->ncomp == 1 ? "" : "s",
             f->name, f->ncomp);
    if (r->dtypes && !(r->dtypes & (1 << f->dtype)))
        fail(L, fnode, "common.count_nonfinite does not accept %s field '%s'", dtype_name(f->dtype), f->name);
    int ol = out_level(f);
    c->level = (f->nlevels >= 2 && ol == f->nlevels - 2) ? ol + 1 : ol;
    if (!F->fdata[c->target * SD_MAX_LEVELS + c->level])
        fail(L, fnode, "finite(%s) reads level '%s', which holds no data at the end of a step (expected a field the ops write)",
             f->name, f->level[c->level]);
    add_scalar(L, hname, where(fnode));
    c->hidden_scalar = g->nscalars - 1;
    int c0 = L->cap_step;
    g->step = grow(L, g->step, g->nstep, &L->cap_step, sizeof *g->step);
    if (L->cap_step != c0) L->xstep = grow(L, L->xstep, g->nstep, &c0, sizeof *L->xstep);
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
        if (cl->params[i].required) fail(L, kindkey, "common.count_nonfinite has a required param '%s'; finite checks cannot set it", cl->params[i].name);
        op->param[i] = cl->params[i].def;
    }
    call_validate(L, op, kindkey);
}

static void load_checks(loader *L, const yaml_node_t *n, const flow *F)
{
    static const char *const kinds[] = {"drift", "finite", "range", NULL};
    static const char *const dkeys[] = {"scalar", "rtol", NULL};
    static const char *const fkeys[] = {"field", "every", NULL};
    static const char *const rkeys[] = {"scalar", "min", "max", NULL};
    sd_graph *g = L->g;
    char b[32], b2[32];
    if (is_null(n)) return;
    if (!is_seq(n)) fail(L, n, "expected a list of checks, got %s", got(n) ? got(n) : "a single name");
    g->checks = calloc(seq_len(n) ? seq_len(n) : 1, sizeof *g->checks);
    if (!g->checks) oom(L);
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *it = seq_at(L, n, i);
        if (!is_map(it) || map_len(it) != 1) {
            if (is_map(it)) fail(L, it, "a check is a one-key map like drift: {...}, got %d keys", map_len(it));
            fail(L, it, "expected a check (drift, finite or range: {...}), got %s", got(it) ? got(it) : "a single name");
        }
        yaml_node_t *k = key_at(L, it, 0), *v = val_at(L, it, 0);
        const char *kind = sval(k);
        sd_gcheck *c = &g->checks[g->nchecks];
        c->at = where(k);
        char sec[32];
        snprintf(sec, sizeof sec, "in check %s", kind);
        if (!strcmp(kind, "drift")) {
            need_map(L, v, "drift ({scalar: NAME, rtol: R})");
            check_keys(L, v, dkeys, sec);
            yaml_node_t *s = map_get(L, v, "scalar", NULL), *r = map_get(L, v, "rtol", NULL);
            if (!s) fail(L, k, "drift needs scalar");
            c->kind = SD_CHECK_DRIFT;
            c->target = need_scalar(L, s);
            if (!r) fail(L, k, "drift needs rtol (>= 0)");
            c->rtol = eval(L, r);
            if (!(c->rtol >= 0)) fail(L, r, "rtol must be >= 0, got %s", num(b, c->rtol));
            snprintf(c->text, sizeof c->text, "drift(%s) <= %g", g->scalars[c->target].name, c->rtol);
        } else if (!strcmp(kind, "range")) {
            need_map(L, v, "range ({scalar: NAME, min: A, max: B})");
            check_keys(L, v, rkeys, sec);
            yaml_node_t *s = map_get(L, v, "scalar", NULL), *lo = map_get(L, v, "min", NULL), *hi = map_get(L, v, "max", NULL);
            if (!s) fail(L, k, "range needs scalar");
            c->kind = SD_CHECK_RANGE;
            c->target = need_scalar(L, s);
            if (!lo && !hi) fail(L, k, "range needs min or max (or both)");
            c->min = lo ? eval(L, lo) : -INFINITY;
            c->max = hi ? eval(L, hi) : INFINITY;
            if (c->min > c->max) fail(L, hi, "range max %s is below min %s", num(b, c->max), num(b2, c->min));
            snprintf(c->text, sizeof c->text, "range(%s) in [%g, %g]", g->scalars[c->target].name, c->min, c->max);
        } else if (!strcmp(kind, "finite")) {
            if (is_particles(L))
                fail(L, k, "finite checks are for grid fields: particle runs check positions at every neighbour-list rebuild");
            need_map(L, v, "finite ({field: NAME, every: N})");
            check_keys(L, v, fkeys, sec);
            yaml_node_t *f = map_get(L, v, "field", NULL), *ev = map_get(L, v, "every", NULL);
            if (!f) fail(L, k, "finite needs field");
            c->kind = SD_CHECK_FINITE;
            c->target = need_field(L, f);
            c->every = ev ? (int)eval_int(L, ev, 1, INT_MAX, "every") : 1;
            snprintf(c->text, sizeof c->text, "finite(%s)", g->fields[c->target].name);
            add_finite(L, c, k, f, F);
        } else {
            sd_suggest sg;
            sd_suggest_init(&sg, kind);
            for (int j = 0; kinds[j]; j++) sd_suggest_add(&sg, kinds[j]);
            if (sd_suggest_best(&sg)) fail(L, k, "unknown check '%s' (did you mean '%s'?)", kind, sd_suggest_best(&sg));
            fail(L, k, "unknown check '%s' (expected drift, finite or range)", kind);
        }
        g->nchecks++;
    }
}

/* ---- the whole graph --------------------------------------------------------------------- */

static void yaml_fail(loader *L, yaml_parser_t *p)
{
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR) { /* only a byte offset: count lines */
        line = 1;
        col = 1;
        for (size_t i = 0; i < p->problem_offset && L->text[i]; i++) {
            if (L->text[i] == '\n') { line++; col = 1; }
            else col++;
        }
    }
    if (p->error == YAML_MEMORY_ERROR) oom(L);
    if (p->context)
        fail_at(L, line, col, "invalid YAML: %s (%s at line %d, column %d)", p->problem ? p->problem : "error", p->context,
                (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    fail_at(L, line, col, "invalid YAML: %s", p->problem ? p->problem : "error");
}

static void load(loader *L)
{
    static const char *const keys[] = {"name", "params", "domain", "fields", "scalars", "tiles", "init", "step",
                                       "output", "checks", "run", NULL};
    sd_graph *g = L->g;
    if (!yaml_parser_initialize(&L->parser)) oom(L);
    L->parser_ok = 1;
    yaml_parser_set_input_string(&L->parser, (const unsigned char *)L->text, strlen(L->text));
    if (!yaml_parser_load(&L->parser, &L->doc)) yaml_fail(L, &L->parser);
    L->doc_ok = 1;
    yaml_node_t *root = yaml_document_get_root_node(&L->doc);
    if (!root) fail_at(L, 1, 1, "the graph is empty (expected a map with domain, fields, step, run, ...)");
    {
        yaml_document_t d2;
        if (!yaml_parser_load(&L->parser, &d2)) yaml_fail(L, &L->parser);
        yaml_node_t *r2 = yaml_document_get_root_node(&d2);
        int line = r2 ? (int)r2->start_mark.line + 1 : 0, col = r2 ? (int)r2->start_mark.column + 1 : 0;
        yaml_document_delete(&d2);
        if (r2) fail_at(L, line, col, "a second YAML document (expected one graph per file)");
    }
    size_t nn = (size_t)(L->doc.nodes.top - L->doc.nodes.start) + 1;
    L->seen = calloc(nn + 1, 1);
    if (!L->seen) oom(L);
    if (!is_map(root)) fail(L, root, "expected a map of sections at top level, got %s", got(root) ? got(root) : "a single value");
    check_maps(L, 1);
    check_keys(L, root, keys, "at top level");

    yaml_node_t *kx = NULL, *v;
    if ((v = map_get(L, root, "name", NULL))) {
        const char *s = get_str(L, v, "a graph name");
        if (!*s) fail(L, v, "the graph name is empty");
        for (const char *c = s; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) fail(L, v, "the graph name has a control character (expected one line of text)");
        if (strlen(s) >= sizeof g->name) fail(L, v, "the graph name is too long (at most %d characters)", SD_NAME_MAX - 1);
        snprintf(g->name, sizeof g->name, "%s", s);
    } else {
        const char *base = strrchr(L->path, '/');
        base = base ? base + 1 : L->path;
        const char *dot = strrchr(base, '.');
        size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
        if (n >= sizeof g->name) n = sizeof g->name - 1;
        memcpy(g->name, base, n);
        g->name[n] = 0;
        if (!n) snprintf(g->name, sizeof g->name, "graph");
    }
    if ((v = map_get(L, root, "params", NULL))) load_params(L, v);
    else if (L->nset) load_params(L, &(yaml_node_t){.type = YAML_SCALAR_NODE, .data.scalar = {.value = (yaml_char_t *)"", .style = YAML_PLAIN_SCALAR_STYLE}});
    L->nvisible = g->nparams;
    yaml_node_t *run = map_get(L, root, "run", &kx);
    if (!run) fail(L, root, "missing key 'run' at top level (expected run: {steps: N, dt: DT})");
    load_run(L, kx, run);
    yaml_node_t *dom = map_get(L, root, "domain", &kx);
    if (!dom) fail(L, root, "missing key 'domain' at top level (expected domain: {grid: {shape: [...], spacing: ...}})");
    load_domain(L, kx, dom);
    if ((v = map_get(L, root, "fields", NULL))) load_fields(L, v);
    if (is_particles(L)) particle_fields(L);
    if ((v = map_get(L, root, "scalars", NULL))) load_scalars(L, v);
    L->user_scalars = g->nscalars;
    g->run.tiles_auto = 1;
    g->run.tile[0] = g->run.tile[1] = g->run.tile[2] = 1;
    if ((v = map_get(L, root, "tiles", NULL))) load_tiles(L, v);
    if ((v = map_get(L, root, "init", NULL))) load_ops(L, v, 0);
    if ((v = map_get(L, root, "step", NULL))) load_ops(L, v, 1);

    /* data flow: init, then two steps with rotation in between */
    flow *F = &L->flow;
    size_t nf = (size_t)g->nfields * SD_MAX_LEVELS + 1;
    if (!(F->fdata = calloc(nf, 1)) || !(F->readsince = calloc(nf, 1)) || !(F->lastw = calloc(nf, sizeof *F->lastw)) ||
        !(F->sdata = calloc((size_t)g->nscalars + 1, 1)))
        oom(L);
    flow_ops(L, F, g->init, L->xinit, g->ninit, 0);
    flow_ops(L, F, g->step, L->xstep, g->nstep, 1);
    flow_rotate(L, F);
    flow_ops(L, F, g->step, L->xstep, g->nstep, 1);

    if ((v = map_get(L, root, "output", NULL))) load_output(L, v);
    if ((v = map_get(L, root, "checks", NULL))) load_checks(L, v, F);

    /* ghost widths (grids; a particle op's halo 1 means "reads the neighbour blocks", no width) */
    for (int pass = 0; pass < 2 && !is_particles(L); pass++) {
        const sd_gop *ops = pass ? g->step : g->init;
        int nops = pass ? g->nstep : g->ninit;
        for (int o = 0; o < nops; o++)
            for (int r = 0; r < ops[o].cl->nroles; r++) {
                const sd_binding *b = &ops[o].bind[r];
                if (!b->is_scalar && b->halo > g->fields[b->index].halo) g->fields[b->index].halo = b->halo;
            }
    }
}

/* Runs the loader; 0 on success, -1 when it failed (err filled). */
static int guarded_load(loader *L)
{
    if (setjmp(L->jb)) return -1;
    sd_graph *g = L->g;
    if (strlen(L->path) >= sizeof g->path) fail_at(L, 0, 0, "path too long (at most %zu characters)", sizeof g->path - 1);
    snprintf(g->path, sizeof g->path, "%s", L->path);
    if (!(g->text = strdup(L->text))) oom(L);
    load(L);
    return 0;
}

sd_graph *sd_graph_parse_ex(const char *path, const char *text, const char *const *set, int nset, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    if (!path) path = "(graph)";
    loader *L = calloc(1, sizeof *L);
    sd_graph *g = calloc(1, sizeof *g);
    if (!L || !g) {
        free(L);
        free(g);
        if (err && errlen) snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    L->path = path;
    L->err = err;
    L->errlen = errlen;
    L->text = text ? text : "";
    L->g = g;
    L->set = set;
    L->nset = set ? nset : 0;
    sd_graph *result = guarded_load(L) ? NULL : g;
    if (L->doc_ok) yaml_document_delete(&L->doc);
    if (L->parser_ok) yaml_parser_delete(&L->parser);
    free(L->seen);
    free(L->xinit);
    free(L->xstep);
    free(L->ns);
    free(L->flow.fdata);
    free(L->flow.readsince);
    free(L->flow.lastw);
    free(L->flow.sdata);
    free(L);
    if (!result) sd_graph_free(g);
    return result;
}

sd_graph *sd_graph_parse(const char *path, const char *text, char *err, size_t errlen)
{
    return sd_graph_parse_ex(path, text, NULL, 0, err, errlen);
}

sd_graph *sd_graph_load_ex(const char *path, const char *const *set, int nset, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen) snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *t = realloc(buf, cap * 2);
            if (!t) { free(buf); buf = NULL; break; }
            buf = t;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    int rerr = ferror(f), e = errno;
    fclose(f);
    if (!buf || rerr) {
        free(buf);
        if (err && errlen) snprintf(err, errlen, "%s: cannot read: %s", path, buf ? strerror(e) : "out of memory");
        return NULL;
    }
    buf[n] = 0;
    if (memchr(buf, 0, n)) {
        int line = 1, col = 1;
        for (size_t i = 0; buf[i]; i++) {
            if (buf[i] == '\n') { line++; col = 1; }
            else col++;
        }
        if (err && errlen) snprintf(err, errlen, "%s:%d:%d: a NUL byte (expected a text file)", path, line, col);
        free(buf);
        return NULL;
    }
    sd_graph *g = sd_graph_parse_ex(path, buf, set, nset, err, errlen);
    free(buf);
    return g;
}

sd_graph *sd_graph_load(const char *path, char *err, size_t errlen)
{
    return sd_graph_load_ex(path, NULL, 0, err, errlen);
}

void sd_graph_free(sd_graph *g)
{
    if (!g) return;
    free(g->text);
    free(g->params);
    free(g->fields);
    free(g->scalars);
    free(g->init);
    free(g->step);
    free(g->checks);
    free(g);
}

int sd_graph_field_index(const sd_graph *g, const char *name)
{
    for (int i = 0; i < g->nfields; i++)
        if (!strcmp(g->fields[i].name, name)) return i;
    return -1;
}

int sd_graph_scalar_index(const sd_graph *g, const char *name)
{
    for (int i = 0; i < g->nscalars; i++)
        if (!strcmp(g->scalars[i].name, name)) return i;
    return -1;
}

int sd_graph_level_lookup(const sd_graph *g, const char *name, int *level)
{
    for (int i = 0; i < g->nfields; i++)
        for (int l = 0; l < g->fields[i].nlevels; l++)
            if (!strcmp(g->fields[i].level[l], name)) {
                if (level) *level = l;
                return i;
            }
    return -1;
}
