/* ode_expr.c - building an expression system (ode_expr.h): names checked, dydt and event
 * expressions parsed into one DAG (graph/expr_ast.h), the Jacobian by symbolic differentiation,
 * then native code (ode_expr_native.c) or the lane interpreter (ode_expr_interp.c). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ode_expr_impl.h"
#include "suggest.h"

typedef struct owned {
    sd_ode_system sys;
    const char *var_names[SD_ODE_EXPR_MAX], *param_names[SD_ODE_EXPR_MAX];
    char *names[2 * SD_ODE_EXPR_MAX];
    sd_xdag g;
    sd_xprog prog[3]; /* f, jac, events: the interpreter's */
    sd_xnative nat;
} owned;

enum { F = 0, JAC, EVENTS };

static void interp_f(const void *ctx, const sd_ode_lanes *in, double *out)
{
    sd_xprog_run(&((const owned *)ctx)->prog[F], in, out);
}
static void interp_jac(const void *ctx, const sd_ode_lanes *in, double *out)
{
    sd_xprog_run(&((const owned *)ctx)->prog[JAC], in, out);
}
static void interp_events(const void *ctx, const sd_ode_lanes *in, double *out)
{
    sd_xprog_run(&((const owned *)ctx)->prog[EVENTS], in, out);
}

static int fail(char *err, size_t len, const char *file, sd_where at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t len, const char *file, sd_where at, const char *fmt, ...)
{
    int n = snprintf(err, len, "%s:%d:%d: ", file ? file : "<graph>", at.line, at.col);
    if (n < 0 || (size_t)n >= len) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, len - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- names ------------------------------------------------------------------------------------ */

/* Symbols: variables 0..n-1, parameters n..n+np-1, t n+np. */
static int symbol(void *ctx, const char *name, size_t len)
{
    const sd_ode_expr_spec *sp = ctx;
    for (int i = 0; i < sp->n; i++)
        if (strlen(sp->var[i]) == len && !strncmp(sp->var[i], name, len)) return i;
    for (int i = 0; i < sp->np; i++)
        if (strlen(sp->param[i]) == len && !strncmp(sp->param[i], name, len)) return sp->n + i;
    if (len == 1 && name[0] == 't') return sp->n + sp->np;
    return -1;
}

static int constant(void *ctx, const char *name, size_t len, double *v)
{
    const sd_ode_expr_spec *sp = ctx;
    return sp->constant ? sp->constant(sp->constant_ctx, name, len, v) : 0;
}

static int check_name(const sd_ode_expr_spec *sp, const char *kind, const char *name, sd_where at, int index,
                      char *err, size_t len)
{
    int ok = name && (isalpha((unsigned char)name[0]) || name[0] == '_');
    for (const char *c = name; ok && *c; c++) ok = isalnum((unsigned char)*c) || *c == '_';
    if (!ok) return fail(err, len, sp->file, at, "%s name '%s' is not a name (expected letters, digits and _, "
                                                  "not starting with a digit)", kind, name ? name : "");
    if (sd_expr_reserved(name) || !strcmp(name, "t"))
        return fail(err, len, sp->file, at, "%s name '%s' is reserved (t, pi and the functions of expressions)",
                    kind, name);
    for (int i = 0; i < index; i++) {
        const char *other = i < sp->n ? sp->var[i] : sp->param[i - sp->n];
        if (!strcmp(other, name))
            return fail(err, len, sp->file, at, "'%s' is named twice (variables and parameters need distinct names)",
                        name);
    }
    return 0;
}

/* "variables x, v; parameters mu; t" */
static void list_names(const sd_ode_expr_spec *sp, char *s, size_t len)
{
    size_t o = 0;
    for (int i = 0; i < sp->n && o < len; i++)
        o += (size_t)snprintf(s + o, len - o, "%s%s", i ? ", " : "variables ", sp->var[i]);
    for (int i = 0; i < sp->np && o < len; i++)
        o += (size_t)snprintf(s + o, len - o, "%s%s", i ? ", " : "; parameters ", sp->param[i]);
    if (o < len) snprintf(s + o, len - o, "; t");
}

/* ---- expressions ------------------------------------------------------------------------------ */

static int parse(const sd_ode_expr_spec *sp, sd_xdag *g, const sd_ode_text *tx, const char *what, int *root,
                 char *err, size_t len)
{
    const char *s = tx->s;
    size_t k = 0;
    while (s && (s[k] == ' ' || s[k] == '\t')) k++;
    if (!s || !s[k]) return fail(err, len, sp->file, tx->at, "%s is empty (expected an expression)", what);
    sd_expr_error e;
    sd_expr_status st = sd_expr_parse(g, s, symbol, constant, (void *)sp, root, &e);
    if (st == SD_EXPR_OK) return 0;
    sd_where at = {tx->at.line, tx->at.col + (int)e.pos};
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(e.len < 63 ? e.len : 63), s + e.pos);
    switch (st) {
    case SD_EXPR_UNDEFINED: {
        char names[512];
        list_names(sp, names, sizeof names);
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; i < sp->n; i++) sd_suggest_add(&sg, sp->var[i]);
        for (int i = 0; i < sp->np; i++) sd_suggest_add(&sg, sp->param[i]);
        sd_suggest_add(&sg, "pi");
        if (sd_suggest_best(&sg))
            return fail(err, len, sp->file, at, "unknown name '%s' in %s; did you mean '%s'? (%s)", name, what,
                        sd_suggest_best(&sg), names);
        return fail(err, len, sp->file, at, "unknown name '%s' in %s (%s; or a constant of the graph's params)",
                    name, what, names);
    }
    case SD_EXPR_FUNCTION: {
        if (e.msg[0]) return fail(err, len, sp->file, at, "in %s: %s", what, e.msg);
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int i = 0; sd_expr_functions[i]; i++) sd_suggest_add(&sg, sd_expr_functions[i]);
        if (sd_suggest_best(&sg))
            return fail(err, len, sp->file, at, "unknown function '%s' in %s (did you mean '%s'?)", name, what,
                        sd_suggest_best(&sg));
        return fail(err, len, sp->file, at,
                    "unknown function '%s' in %s (expected sqrt sin cos tan exp log abs floor ceil min max)", name,
                    what);
    }
    case SD_EXPR_DIVZERO: return fail(err, len, sp->file, at, "division by zero in %s", what);
    default: return fail(err, len, sp->file, at, "syntax error in %s '%s': %s", what, s, e.msg);
    }
}

static int check_spec(const sd_ode_expr_spec *sp, char *err, size_t len)
{
    sd_where top = sp->n > 0 ? sp->var_at[0] : sp->dydt[0].at;
    if (sp->n < 1 || sp->n > SD_ODE_EXPR_MAX)
        return fail(err, len, sp->file, top, "system %s has %d variables (expected 1 to %d)", sp->name, sp->n,
                    SD_ODE_EXPR_MAX);
    if (sp->np < 0 || sp->np > SD_ODE_EXPR_MAX)
        return fail(err, len, sp->file, top, "system %s has %d parameters (expected 0 to %d)", sp->name, sp->np,
                    SD_ODE_EXPR_MAX);
    if (sp->nevents < 0 || sp->nevents > SD_ODE_MAX_EVENTS)
        return fail(err, len, sp->file, top, "system %s has %d events (expected 0 to %d)", sp->name, sp->nevents,
                    SD_ODE_MAX_EVENTS);
    for (int i = 0; i < sp->n + sp->np; i++) {
        int v = i < sp->n;
        if (check_name(sp, v ? "variable" : "parameter", v ? sp->var[i] : sp->param[i - sp->n],
                       v ? sp->var_at[i] : sp->param_at[i - sp->n], i, err, len) < 0)
            return -1;
    }
    /* the loader fills dydt[] in order, as many as the file gives */
    int ndydt = 0;
    while (ndydt < SD_ODE_EXPR_MAX && sp->dydt[ndydt].s) ndydt++;
    if (ndydt != sp->n)
        return fail(err, len, sp->file, ndydt > sp->n ? sp->dydt[sp->n].at : top,
                    "%d dydt expressions for %d variables (expected one per variable, in the order of vars)",
                    ndydt, sp->n);
    for (int k = 0; k < sp->nevents; k++)
        if (sp->event_direction[k] < -1 || sp->event_direction[k] > 1 || (sp->event_terminal[k] & ~1))
            return fail(err, len, sp->file, sp->event[k].at,
                        "event %d: direction %d, terminal %d (expected -1, 0 or +1, and 0 or 1)", k,
                        sp->event_direction[k], sp->event_terminal[k]);
    return 0;
}

/* The mode: the graph's, or STARDAG_ODE_COMPILE's when the graph leaves it AUTO. */
static int compile_mode(const sd_ode_expr_spec *sp, sd_ode_compile *mode, char *err, size_t len)
{
    *mode = sp->compile;
    const char *env = getenv("STARDAG_ODE_COMPILE");
    if (*mode != SD_ODE_COMPILE_AUTO || !env || !env[0] || !strcmp(env, "auto")) return 0;
    if (!strcmp(env, "native")) *mode = SD_ODE_COMPILE_NATIVE;
    else if (!strcmp(env, "interpreter")) *mode = SD_ODE_COMPILE_INTERPRET;
    else {
        snprintf(err, len, "STARDAG_ODE_COMPILE is '%s' (expected native, interpreter or auto)", env);
        return -1;
    }
    return 0;
}

/* ---- the system ------------------------------------------------------------------------------- */

void sd_ode_expr_free(void *p)
{
    owned *o = p;
    if (!o) return;
    for (int k = 0; k < 3; k++) sd_xprog_free(&o->prog[k]);
    sd_xnative_free(&o->nat);
    sd_xdag_free(&o->g);
    for (int i = 0; i < 2 * SD_ODE_EXPR_MAX; i++) free(o->names[i]);
    free(o);
}

static const double no_params[1] = {0.0}; /* param_default of a system without parameters */

int sd_ode_expr_build(const sd_ode_expr_spec *sp, const sd_ode_system **sys, void **own, char *how, size_t howlen,
                      char *err, size_t errlen)
{
    *sys = NULL;
    *own = NULL;
    sd_ode_compile mode;
    if (check_spec(sp, err, errlen) < 0 || compile_mode(sp, &mode, err, errlen) < 0) return -1;
    owned *o = calloc(1, sizeof *o);
    int roots[SD_ODE_EXPR_MAX + SD_ODE_MAX_EVENTS], *jroot = NULL, *memo = NULL;
    if (!o) goto oom;
    sd_xdag_init(&o->g);
    char what[48];
    for (int r = 0; r < sp->n; r++) {
        snprintf(what, sizeof what, "dydt[%d]", r);
        if (parse(sp, &o->g, &sp->dydt[r], what, &roots[r], err, errlen) < 0) goto fail;
    }
    for (int k = 0; k < sp->nevents; k++) {
        snprintf(what, sizeof what, "events[%d].g", k);
        if (parse(sp, &o->g, &sp->event[k], what, &roots[sp->n + k], err, errlen) < 0) goto fail;
    }
    /* the Jacobian: column by column, memoised over the nodes parsed above */
    const int n = sp->n, count0 = o->g.count;
    jroot = malloc((size_t)n * (size_t)n * sizeof *jroot);
    memo = malloc((size_t)count0 * sizeof *memo);
    if (!jroot || !memo) goto oom;
    for (int c = 0; c < n; c++) {
        for (int i = 0; i < count0; i++) memo[i] = -1;
        for (int r = 0; r < n; r++) jroot[r * n + c] = sd_x_diff(&o->g, roots[r], c, memo);
    }
    if (o->g.failed) goto oom;
    const sd_xfun fun[3] = {{n, roots}, {n * n, jroot}, {sp->nevents, roots + n}};
    sd_ode_system *s = &o->sys;
    s->f = s->jac = s->events = NULL;
    char why[512] = "";
    if (mode != SD_ODE_COMPILE_INTERPRET) {
        if (sd_xnative_build(&o->g, fun, n, sp->np, &o->nat, why, sizeof why) == 0) {
            s->f = o->nat.f;
            s->jac = o->nat.jac;
            s->events = o->nat.events;
            if (how && howlen) snprintf(how, howlen, "native code%s", o->nat.cached ? " (cached)" : "");
        } else if (mode == SD_ODE_COMPILE_NATIVE) {
            fail(err, errlen, sp->file, sp->var_at[0], "system %s: native code was demanded but %s", sp->name, why);
            goto fail;
        }
    }
    if (!s->f) {
        for (int k = 0; k < 3; k++)
            if (sd_xprog_build(&o->g, &fun[k], n, sp->np, &o->prog[k]) < 0) goto oom;
        s->f = interp_f;
        s->jac = interp_jac;
        s->events = sp->nevents ? interp_events : NULL;
        if (how && howlen && why[0]) snprintf(how, howlen, "interpreter (no native code: %s)", why);
        else if (how && howlen) snprintf(how, howlen, "interpreter");
    }
    snprintf(s->name, sizeof s->name, "%s", sp->name);
    s->n = n;
    s->np = sp->np;
    s->nevents = sp->nevents;
    for (int i = 0; i < n + sp->np; i++) {
        o->names[i] = strdup(i < n ? sp->var[i] : sp->param[i - n]);
        if (!o->names[i]) goto oom;
        if (i < n) o->var_names[i] = o->names[i];
        else o->param_names[i - n] = o->names[i];
    }
    s->var_names = o->var_names;
    s->param_names = o->param_names;
    s->param_default = sp->np ? NULL : no_params; /* parameters come from the op's p field */
    for (int k = 0; k < sp->nevents; k++) {
        s->event_direction[k] = sp->event_direction[k];
        s->event_terminal[k] = sp->event_terminal[k];
    }
    s->ctx = o;
    s->device = SD_ODE_DEVICE_NONE;
    s->doc = "a system of expressions from the graph file";
    free(jroot);
    free(memo);
    *sys = s;
    *own = o;
    return 0;
oom:
    fail(err, errlen, sp->file, sp->n > 0 ? sp->var_at[0] : sp->dydt[0].at, "system %s: out of memory", sp->name);
fail:
    free(jroot);
    free(memo);
    sd_ode_expr_free(o);
    return -1;
}
