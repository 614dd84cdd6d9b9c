/* loader_yaml.c - the loader's ground floor: errors ("FILE:LINE:COL: message", then longjmp),
 * walking the libyaml node tree (map lookups, allowed keys, the key pre-pass), values
 * (expressions evaluated against the params and dt, integers, strings, booleans, positive
 * numbers), graph names and the one namespace of fields, levels and scalars, and the params
 * section (the expressions everything else may use). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "loader_impl.h"
#include "expr.h"
#include "suggest.h"

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

__attribute__((noreturn, format(printf, 4, 5))) void sd_ld_fail_at(loader *L, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(L, line, col, fmt, ap);
    va_end(ap);
    abort();
}

__attribute__((noreturn, format(printf, 3, 4))) void sd_ld_fail(loader *L, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int line = n ? (int)n->start_mark.line + 1 : 1, col = n ? (int)n->start_mark.column + 1 : 1;
    if (L->setprefix) line = 0;
    vfail(L, line, col, fmt, ap);
    va_end(ap);
    abort();
}

__attribute__((noreturn)) void sd_ld_oom(loader *L) { sd_ld_fail_at(L, 0, 0, "out of memory"); }

/* Shortest "%.*g" that reads back as v. */
const char *sd_ld_num(char *buf, double v)
{
    for (int p = 6; p <= 17; p++) {
        snprintf(buf, 32, "%.*g", p, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

const char *sd_ld_quote(char *buf, const char *s, size_t pos)
{
    size_t len = strlen(s);
    if (len <= SD_LD_QUOTE) return s;
    size_t a = pos > SD_LD_QUOTE / 2 ? pos - SD_LD_QUOTE / 2 : 0;
    if (a > len - SD_LD_QUOTE) a = len - SD_LD_QUOTE;
    size_t b = a + SD_LD_QUOTE;
    while (a > 0 && ((unsigned char)s[a] & 0xc0) == 0x80) a--; /* whole UTF-8 characters */
    while (b < len && ((unsigned char)s[b] & 0xc0) == 0x80) b++;
    snprintf(buf, SD_LD_QUOTE_BUF, "%s%.*s%s", a ? "..." : "", (int)(b - a), s + a, b < len ? "..." : "");
    return buf;
}

void *sd_ld_grow(loader *L, void *arr, int n, int *cap, size_t size)
{
    if (n < *cap) return arr;
    int nc = *cap ? 2 * *cap : 8;
    char *t = realloc(arr, (size_t)nc * size);
    if (!t) sd_ld_oom(L);
    memset(t + (size_t)*cap * size, 0, (size_t)(nc - *cap) * size);
    *cap = nc;
    return t;
}

/* ---- YAML node helpers ------------------------------------------------------------------- */

/* Value of key in map, or NULL; *k gets the key node. */
yaml_node_t *sd_ld_map_get(loader *L, const yaml_node_t *m, const char *key, yaml_node_t **k)
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

void sd_ld_need_map(loader *L, const yaml_node_t *n, const char *what)
{
    if (!is_map(n)) {
        const char *g = got(n);
        char qb[SD_LD_QUOTE_BUF];
        if (g) sd_ld_fail(L, n, "expected a map for %s, got %s", what, g);
        sd_ld_fail(L, n, "expected a map for %s, got '%s'", what, sd_ld_quote(qb, sval(n), 0));
    }
}

/* Every key must be one of allowed (NULL-terminated). */
void sd_ld_check_keys(loader *L, const yaml_node_t *m, const char *const *allowed, const char *section)
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
        char qb[SD_LD_QUOTE_BUF];
        name = sd_ld_quote(qb, name, 0);
        if (sd_suggest_best(&s)) sd_ld_fail(L, k, "unknown key '%s' %s (did you mean '%s'?)", name, section, sd_suggest_best(&s));
        char list[512] = "";
        for (int j = 0; allowed[j]; j++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", allowed[j]);
        }
        sd_ld_fail(L, k, "unknown key '%s' %s (expected one of: %s)", name, section, list);
    }
}

/* Pre-pass: keys are scalars and unique in every map (nodes visited once: aliases may cycle).
 * Recursion is bounded: sd_ld_check_yaml_shape limited the depth, aliases included. */
void sd_ld_check_maps(loader *L, int id, int depth)
{
    yaml_node_t *n = node(L, id);
    if (!n || L->seen[id]) return;
    L->seen[id] = 1;
    if (depth > SD_LD_MAX_DEPTH) sd_ld_fail(L, n, "YAML nested more than %d levels deep", SD_LD_MAX_DEPTH);
    if (is_seq(n))
        for (int i = 0; i < seq_len(n); i++) sd_ld_check_maps(L, n->data.sequence.items.start[i], depth + 1);
    if (!is_map(n)) return;
    sd_strmap *keys = &L->keys[depth]; /* deeper maps, checked in between, have their own */
    sd_strmap_clear(keys);
    for (int i = 0; i < map_len(n); i++) {
        yaml_node_t *k = key_at(L, n, i);
        if (!is_scalar(k)) sd_ld_fail(L, k, "expected a name as key, got %s", got(k));
        int first = sd_strmap_add(keys, sval(k), k->data.scalar.length, i);
        if (first == -2) sd_ld_oom(L);
        char qb[SD_LD_QUOTE_BUF];
        if (first >= 0)
            sd_ld_fail(L, k, "duplicate key '%s' (first at line %d)", sd_ld_quote(qb, sval(k), 0),
                       (int)key_at(L, n, first)->start_mark.line + 1);
        sd_ld_check_maps(L, n->data.mapping.pairs.start[i].value, depth + 1);
    }
}

/* ---- numbers ----------------------------------------------------------------------------- */

static int lookup(void *ctx, const char *name, size_t len, double *v)
{
    loader *L = ctx;
    int i = sd_strmap_get(&L->param_index, name, len);
    if (i >= 0 && i < L->nvisible) {
        *v = L->g->params[i].value;
        return 1;
    }
    if (L->have_dt && len == 2 && !strncmp(name, "dt", 2)) {
        *v = L->g->run.dt;
        return 1;
    }
    return 0;
}

int sd_ld_constant(void *L, const char *name, size_t len, double *v) { return lookup(L, name, len, v); }

static double eval_str(loader *L, const char *s, const yaml_node_t *at)
{
    double v;
    sd_expr_error e;
    if (sd_expr_eval(s, lookup, L, &v, &e) == SD_EXPR_OK) return v;
    char name[SD_NAME_MAX + 1], qb[SD_LD_QUOTE_BUF];
    const char *q = sd_ld_quote(qb, s, e.pos); /* s, shortened around the error */
    size_t nl = e.len < SD_NAME_MAX ? e.len : SD_NAME_MAX;
    memcpy(name, s + e.pos, nl);
    name[nl] = 0;
    switch (e.status) {
    case SD_EXPR_UNDEFINED: {
        for (int i = L->nvisible; i < L->later; i++)
            if (!strcmp(L->g->params[i].name, name))
                sd_ld_fail(L, at, "param '%s' is used in '%s' before it is defined (expressions may use only earlier params)", name, q);
        if (!strcmp(name, "dt") && !L->have_dt)
            sd_ld_fail(L, at, "'dt' is not known in '%s' (dt is run.dt, usable in run, ops and checks; params may not use it)", q);
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; i < L->nvisible; i++) sd_suggest_add(&sg, L->g->params[i].name);
        if (L->have_dt) sd_suggest_add(&sg, "dt");
        sd_suggest_add(&sg, "pi");
        char in[64 + 16] = "";
        if (strcmp(name, s)) snprintf(in, sizeof in, " in '%.60s'", q);
        if (sd_suggest_best(&sg))
            sd_ld_fail(L, at, "undefined name '%s'%s (did you mean '%s'?)", name, in, sd_suggest_best(&sg));
        sd_ld_fail(L, at, "undefined name '%s'%s (expected a number, an earlier param%s or pi)", name, in,
                   L->have_dt ? ", dt" : "");
    }
    case SD_EXPR_FUNCTION: {
        if (e.msg[0]) sd_ld_fail(L, at, "in '%s': %s", q, e.msg);
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; sd_expr_functions[i]; i++) sd_suggest_add(&sg, sd_expr_functions[i]);
        if (sd_suggest_best(&sg)) sd_ld_fail(L, at, "unknown function '%s' in '%s' (did you mean '%s'?)", name, q, sd_suggest_best(&sg));
        sd_ld_fail(L, at, "unknown function '%s' in '%s' (expected sqrt sin cos tan exp log abs floor ceil min max)", name, q);
    }
    case SD_EXPR_DIVZERO: sd_ld_fail(L, at, "division by zero in '%s'", q);
    case SD_EXPR_NONFINITE: sd_ld_fail(L, at, "'%s' is not a finite number", q);
    default: sd_ld_fail(L, at, "syntax error in expression '%s': %s", q, e.msg);
    }
}

double sd_ld_eval(loader *L, const yaml_node_t *n)
{
    const char *g = got(n);
    if (g) sd_ld_fail(L, n, "expected a number or expression, got %s", g);
    return eval_str(L, sval(n), n);
}

/* An integer in [lo, hi]; what names it in messages. */
int64_t sd_ld_eval_int(loader *L, const yaml_node_t *n, int64_t lo, int64_t hi, const char *what)
{
    char b[32];
    double v = sd_ld_eval(L, n);
    if (v != floor(v)) sd_ld_fail(L, n, "%s must be an integer, got %s", what, sd_ld_num(b, v));
    if (v < (double)lo) sd_ld_fail(L, n, "%s must be >= %lld, got %s", what, (long long)lo, sd_ld_num(b, v));
    if (v > (double)hi) sd_ld_fail(L, n, "%s must be <= %lld, got %s", what, (long long)hi, sd_ld_num(b, v));
    return (int64_t)v;
}

/* ---- names ------------------------------------------------------------------------------- */

const char *sd_ld_get_str(loader *L, const yaml_node_t *n, const char *what)
{
    const char *g = got(n);
    if (g) sd_ld_fail(L, n, "expected %s, got %s", what, g);
    return sval(n);
}

/* A name of the graph: identifier, shorter than SD_NAME_MAX, not reserved. */
const char *sd_ld_get_name(loader *L, const yaml_node_t *n, const char *what)
{
    const char *s = sd_ld_get_str(L, n, what);
    int okc = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_';
    for (const char *c = s; *c && okc; c++)
        okc = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
    char qb[SD_LD_QUOTE_BUF];
    if (!okc)
        sd_ld_fail(L, n, "invalid name '%s' (expected %s: letters, digits and '_', not starting with a digit)",
                   sd_ld_quote(qb, s, 0), what);
    if (strlen(s) >= SD_NAME_MAX) sd_ld_fail(L, n, "name '%.20s...' is too long (at most %d characters)", s, SD_NAME_MAX - 1);
    if (s[0] == '_' && s[1] == '_') sd_ld_fail(L, n, "name '%s' is reserved (names starting with '__' are the runtime's)", s);
    return s;
}

static const char *ns_kind(int k)
{
    return k == NS_FIELD ? "field" : k == NS_LEVEL ? "level" : k == NS_TABLE ? "table" : "scalar";
}

void sd_ld_ns_add(loader *L, const yaml_node_t *n, const char *name, int kind, int field)
{
    int first = sd_strmap_add(&L->ns_index, name, strlen(name), L->nns);
    if (first == -2) sd_ld_oom(L);
    if (first >= 0) {
        const nsent *e = &L->ns[first];
        /* a field's own name may also be one of its levels (the field stays the name's first entry) */
        if (!(kind == NS_LEVEL && e->kind == NS_FIELD && e->field == field))
            sd_ld_fail(L, n, "duplicate name '%s' (already a %s at line %d; fields, levels, scalars and tables share one "
                       "namespace)", name, ns_kind(e->kind), e->at.line);
    }
    L->ns = sd_ld_grow(L, L->ns, L->nns, &L->cap_ns, sizeof *L->ns);
    nsent *e = &L->ns[L->nns++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->kind = kind;
    e->field = field;
    e->at = where(n);
}

/* ---- other values ------------------------------------------------------------------------ */

int sd_ld_get_bool(loader *L, const yaml_node_t *n, const char *what)
{
    static const char *const yes[] = {"true", "yes", "on", "1", NULL}, *const no[] = {"false", "no", "off", "0", NULL};
    const char *s = sd_ld_get_str(L, n, "true or false");
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(s, yes[i])) return 1;
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(s, no[i])) return 0;
    char qb[SD_LD_QUOTE_BUF];
    sd_ld_fail(L, n, "expected true or false for %s, got '%s'", what, sd_ld_quote(qb, s, 0));
}

/* A number > 0 (strict) or >= 0. */
double sd_ld_get_positive(loader *L, const yaml_node_t *n, const char *what, int strict)
{
    char b[32];
    double x = sd_ld_eval(L, n);
    if (strict ? !(x > 0) : !(x >= 0)) sd_ld_fail(L, n, "%s must be %s 0, got %s", what, strict ? ">" : ">=", sd_ld_num(b, x));
    return x;
}

/* ---- params ------------------------------------------------------------------------------ */

void sd_ld_load_params(loader *L, const yaml_node_t *m)
{
    sd_graph *g = L->g;
    int has = !is_null(m);
    if (has) sd_ld_need_map(L, m, "params");
    /* names first, so expressions can tell "later param" from "unknown" */
    for (int i = 0; has && i < map_len(m); i++) {
        yaml_node_t *k = key_at(L, m, i);
        const char *name = sd_ld_get_name(L, k, "a param name");
        if (sd_expr_reserved(name)) sd_ld_fail(L, k, "param name '%s' is reserved (a constant or function of expressions)", name);
        if (sd_strmap_add(&L->param_index, name, strlen(name), g->nparams) == -2) sd_ld_oom(L); /* unique: a map's keys */
        g->params = sd_ld_grow(L, g->params, g->nparams, &L->cap_params, sizeof *g->params);
        sd_gparam *p = &g->params[g->nparams++];
        snprintf(p->name, sizeof p->name, "%s", name);
        p->at = where(k);
    }
    /* overrides must name params */
    for (int s = 0; s < L->nset; s++) {
        const char *a = L->set[s], *eq = strchr(a, '=');
        size_t nl = eq ? (size_t)(eq - a) : 0;
        while (nl && (a[nl - 1] == ' ')) nl--;
        if (!eq || !nl) sd_ld_fail_at(L, 0, 0, "--set %s: expected name=expression", a);
        if (sd_strmap_get(&L->param_index, a, nl) < 0) {
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
                sd_ld_fail_at(L, 0, 0, "--set %s: unknown param '%s' (did you mean '%s'? params: %s)", a, name,
                              sd_suggest_best(&sg), g->nparams ? list : "none");
            sd_ld_fail_at(L, 0, 0, "--set %s: unknown param '%s' (params: %s)", a, name, g->nparams ? list : "none");
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
            g->params[i].value = sd_ld_eval(L, val_at(L, m, i));
    }
    L->nvisible = g->nparams;
}
