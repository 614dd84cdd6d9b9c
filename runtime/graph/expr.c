/* expr.c - recursive-descent evaluation of graph-file expressions (see expr.h).
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

const char *const sd_expr_functions[] = {"sqrt", "sin", "cos", "tan", "exp", "log", "abs",
                                         "floor", "ceil", "min", "max", NULL};

typedef struct P {
    const char *s;
    size_t i;
    sd_expr_lookup lookup;
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

static double expr(P *p);
static double unary(P *p);

static int isname0(int c) { return isalpha(c) || c == '_'; }
static int isname(int c) { return isalnum(c) || c == '_'; }

static double primary(P *p)
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
        return strtod(buf, NULL);
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
            double a[2];
            int na = 0, want = fi >= 9 ? 2 : 1;
            skip(p);
            if (p->s[p->i] != ')') {
                for (;;) {
                    double v = expr(p);
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
            switch (fi) {
            case 0: return sqrt(a[0]);
            case 1: return sin(a[0]);
            case 2: return cos(a[0]);
            case 3: return tan(a[0]);
            case 4: return exp(a[0]);
            case 5: return log(a[0]);
            case 6: return fabs(a[0]);
            case 7: return floor(a[0]);
            case 8: return ceil(a[0]);
            case 9: return a[0] < a[1] ? a[0] : a[1];
            default: return a[0] > a[1] ? a[0] : a[1];
            }
        }
        double v;
        if (p->lookup && p->lookup(p->ctx, p->s + st, len, &v)) return v;
        if (len == 2 && !strncmp(p->s + st, "pi", 2)) return 3.14159265358979323846;
        perr(p, SD_EXPR_UNDEFINED, st, len, NULL);
    }
    if (c == '(') {
        p->i++;
        double v = expr(p);
        skip(p);
        if (p->s[p->i] != ')') unexpected(p, "')'");
        p->i++;
        return v;
    }
    unexpected(p, "a number, a name or '('");
    return 0;
}

static double power(P *p)
{
    double b = primary(p);
    skip(p);
    if (p->s[p->i] == '^') {
        p->i++;
        double x = unary(p);
        return pow(b, x);
    }
    return b;
}

static double unary(P *p)
{
    skip(p);
    if (++p->depth > 200) perr(p, SD_EXPR_SYNTAX, p->i, 1, "expression nested too deeply");
    double v;
    if (p->s[p->i] == '-') { p->i++; v = -unary(p); }
    else if (p->s[p->i] == '+') { p->i++; v = unary(p); }
    else v = power(p);
    p->depth--;
    return v;
}

static double term(P *p)
{
    double v = unary(p);
    for (;;) {
        skip(p);
        char c = p->s[p->i];
        if (c != '*' && c != '/') return v;
        size_t at = p->i++;
        double r = unary(p);
        if (c == '*') v *= r;
        else {
            if (r == 0) perr(p, SD_EXPR_DIVZERO, at, 1, NULL);
            v /= r;
        }
    }
}

static double expr(P *p)
{
    if (++p->depth > 200) perr(p, SD_EXPR_SYNTAX, p->i, 1, "expression nested too deeply");
    double v = term(p);
    for (;;) {
        skip(p);
        char c = p->s[p->i];
        if (c != '+' && c != '-') break;
        p->i++;
        double r = term(p);
        v = c == '+' ? v + r : v - r;
    }
    p->depth--;
    return v;
}

sd_expr_status sd_expr_eval(const char *s, sd_expr_lookup lookup, void *ctx, double *out, sd_expr_error *e)
{
    P p = {.s = s, .lookup = lookup, .ctx = ctx, .e = e};
    memset(e, 0, sizeof *e);
    if (setjmp(p.jb)) return e->status;
    double v = expr(&p);
    skip(&p);
    if (p.s[p.i]) unexpected(&p, "an operator");
    if (!isfinite(v)) {
        e->status = SD_EXPR_NONFINITE;
        return e->status;
    }
    *out = v;
    return SD_EXPR_OK;
}

int sd_expr_reserved(const char *name)
{
    if (!strcmp(name, "pi")) return 1;
    for (int k = 0; sd_expr_functions[k]; k++)
        if (!strcmp(name, sd_expr_functions[k])) return 1;
    return 0;
}
