/* expr.c - the recursive-descent parser of graph-file expressions (see expr.h), once for both
 * uses: sd_expr_eval folds every operation to a value as it parses (no allocation), and
 * sd_expr_parse (expr_ast.h) builds DAG nodes for operations on symbols, folding the constant ones
 * with the same arithmetic (sd_xop_fold).
 *   expr  := term (('+' | '-') term)*
 *   term  := unary (('*' | '/') unary)*
 *   unary := ('-' | '+') unary | power
 *   power := primary ('^' unary)?          right associative: 2^3^2 = 2^9, -2^2 = -4
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'           */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr.h"
#include "expr_ast.h"

const char *const sd_expr_functions[] = {"sqrt", "sin", "cos", "tan", "exp", "log", "abs",
                                         "floor", "ceil", "min", "max", NULL};

/* A parsed value: a constant (node < 0) or a DAG node. */
typedef struct V {
    int node;
    double v;
} V;

typedef struct P {
    const char *s;
    size_t i;
    sd_expr_lookup lookup;
    sd_expr_symbol symbol; /* NULL when evaluating */
    sd_xdag *g;
    void *ctx;
    sd_expr_error *e;
    jmp_buf jb;
    int depth;
} P;

static void perr(P *p, sd_expr_status st, size_t pos, size_t len, const char *msg)
{
    p->e->status = st;
    p->e->pos = pos;
    p->e->len = len;
    snprintf(p->e->msg, sizeof p->e->msg, "%s", msg ? msg : "");
    longjmp(p->jb, 1);
}

static void skip(P *p)
{
    while (p->s[p->i] == ' ' || p->s[p->i] == '\t') p->i++;
}

/* "unexpected 'x' at character N" or "... at end" */
static void unexpected(P *p, const char *expected)
{
    char m[128];
    if (!p->s[p->i])
        snprintf(m, sizeof m, "expected %s at end of expression", expected);
    else
        snprintf(m, sizeof m, "expected %s at character %zu, found '%c'", expected, p->i + 1, p->s[p->i]);
    perr(p, SD_EXPR_SYNTAX, p->i, 1, m);
}

static V expr(P *p);
static V unary(P *p);

static int isname0(int c) { return isalpha(c) || c == '_'; }
static int isname(int c) { return isalnum(c) || c == '_'; }

static V konst(double v) { return (V){-1, v}; }
static int node_of(P *p, V x) { return x.node >= 0 ? x.node : sd_x_num(p->g, x.v); }

/* op on x (and y, for binary ops): folded when every operand is a constant. */
static V apply(P *p, sd_xop op, V x, V y, int binary)
{
    if (x.node < 0 && (!binary || y.node < 0)) return konst(sd_xop_fold(op, x.v, y.v, 0, 0));
    int a = node_of(p, x);
    return (V){binary ? sd_x_bin(p->g, op, a, node_of(p, y)) : sd_x_un(p->g, op, a), 0};
}

static V primary(P *p)
{
    skip(p);
    char c = p->s[p->i];
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)p->s[p->i + 1]))) {
        /* digits [. digits] [e[+-]digits], parsed by hand so strtod's hex/inf forms stay out */
        size_t j = p->i;
        while (isdigit((unsigned char)p->s[j])) j++;
        if (p->s[j] == '.') { j++; while (isdigit((unsigned char)p->s[j])) j++; }
        if (p->s[j] == 'e' || p->s[j] == 'E') {
            size_t k = j + 1;
            if (p->s[k] == '+' || p->s[k] == '-') k++;
            if (isdigit((unsigned char)p->s[k])) {
                while (isdigit((unsigned char)p->s[k])) k++;
                j = k;
            }
        }
        char buf[128];
        size_t n = j - p->i;
        if (n >= sizeof buf) perr(p, SD_EXPR_SYNTAX, p->i, n, "number too long");
        memcpy(buf, p->s + p->i, n);
        buf[n] = 0;
        p->i = j;
        return konst(strtod(buf, NULL));
    }
    if (isname0((unsigned char)c)) {
        size_t st = p->i;
        while (isname((unsigned char)p->s[p->i])) p->i++;
        size_t len = p->i - st;
        skip(p);
        if (p->s[p->i] == '(') {
            int fi = -1;
            for (int k = 0; sd_expr_functions[k]; k++)
                if (strlen(sd_expr_functions[k]) == len && !strncmp(sd_expr_functions[k], p->s + st, len)) fi = k;
            if (fi < 0) perr(p, SD_EXPR_FUNCTION, st, len, NULL);
            p->i++;
            V a[2] = {konst(0), konst(0)};
            int na = 0, want = fi >= 9 ? 2 : 1;
            skip(p);
            if (p->s[p->i] != ')') {
                for (;;) {
                    V v = expr(p);
                    if (na < 2) a[na] = v;
                    na++;
                    skip(p);
                    if (p->s[p->i] == ',') { p->i++; continue; }
                    if (p->s[p->i] == ')') break;
                    unexpected(p, "',' or ')'");
                }
            }
            p->i++;
            if (na != want) {
                char m[128];
                snprintf(m, sizeof m, "%s() takes %d argument%s, got %d", sd_expr_functions[fi], want,
                         want > 1 ? "s" : "", na);
                perr(p, SD_EXPR_FUNCTION, st, len, m);
            }
            return apply(p, (sd_xop)(SD_XOP_SQRT + fi), a[0], a[1], want == 2);
        }
        double v;
        int sym = p->symbol ? p->symbol(p->ctx, p->s + st, len) : -1;
        if (sym >= 0) return (V){sd_x_sym(p->g, sym), 0};
        if (p->lookup && p->lookup(p->ctx, p->s + st, len, &v)) return konst(v);
        if (len == 2 && !strncmp(p->s + st, "pi", 2)) return konst(3.14159265358979323846);
        perr(p, SD_EXPR_UNDEFINED, st, len, NULL);
    }
    if (c == '(') {
        p->i++;
        V v = expr(p);
        skip(p);
        if (p->s[p->i] != ')') unexpected(p, "')'");
        p->i++;
        return v;
    }
    unexpected(p, "a number, a name or '('");
    return konst(0);
}

static V power(P *p)
{
    V b = primary(p);
    skip(p);
    if (p->s[p->i] == '^') {
        p->i++;
        V x = unary(p);
        return apply(p, SD_XOP_POW, b, x, 1);
    }
    return b;
}

static V unary(P *p)
{
    skip(p);
    if (++p->depth > 200) perr(p, SD_EXPR_SYNTAX, p->i, 1, "expression nested too deeply");
    V v;
    if (p->s[p->i] == '-') { p->i++; v = apply(p, SD_XOP_NEG, unary(p), konst(0), 0); }
    else if (p->s[p->i] == '+') { p->i++; v = unary(p); }
    else v = power(p);
    p->depth--;
    return v;
}

static V term(P *p)
{
    V v = unary(p);
    for (;;) {
        skip(p);
        char c = p->s[p->i];
        if (c != '*' && c != '/') return v;
        size_t at = p->i++;
        V r = unary(p);
        if (c == '/' && r.node < 0 && r.v == 0) perr(p, SD_EXPR_DIVZERO, at, 1, NULL);
        v = apply(p, c == '*' ? SD_XOP_MUL : SD_XOP_DIV, v, r, 1);
    }
}

static V expr(P *p)
{
    if (++p->depth > 200) perr(p, SD_EXPR_SYNTAX, p->i, 1, "expression nested too deeply");
    V v = term(p);
    for (;;) {
        skip(p);
        char c = p->s[p->i];
        if (c != '+' && c != '-') break;
        p->i++;
        V r = term(p);
        v = apply(p, c == '+' ? SD_XOP_ADD : SD_XOP_SUB, v, r, 1);
    }
    p->depth--;
    return v;
}

sd_expr_status sd_expr_eval(const char *s, sd_expr_lookup lookup, void *ctx, double *out, sd_expr_error *e)
{
    P p = {.s = s, .lookup = lookup, .ctx = ctx, .e = e};
    memset(e, 0, sizeof *e);
    if (setjmp(p.jb)) return e->status;
    V v = expr(&p);
    skip(&p);
    if (p.s[p.i]) unexpected(&p, "an operator");
    if (!isfinite(v.v)) {
        e->status = SD_EXPR_NONFINITE;
        return e->status;
    }
    *out = v.v;
    return SD_EXPR_OK;
}

sd_expr_status sd_expr_parse(sd_xdag *g, const char *s, sd_expr_symbol symbol, sd_expr_lookup lookup, void *ctx,
                             int *root, sd_expr_error *e)
{
    P p = {.s = s, .lookup = lookup, .symbol = symbol, .g = g, .ctx = ctx, .e = e};
    memset(e, 0, sizeof *e);
    if (setjmp(p.jb)) return e->status;
    V v = expr(&p);
    skip(&p);
    if (p.s[p.i]) unexpected(&p, "an operator");
    *root = node_of(&p, v);
    return SD_EXPR_OK;
}

int sd_expr_reserved(const char *name)
{
    if (!strcmp(name, "pi")) return 1;
    for (int k = 0; sd_expr_functions[k]; k++)
        if (!strcmp(name, sd_expr_functions[k])) return 1;
    return 0;
}
