/* expr_ast.c - the expression DAG: hash-consed nodes and simplifying constructors (expr_ast.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "expr_ast.h"

double sd_xop_fold(sd_xop op, double a, double b, double c, double d)
{
    switch (op) {
    case SD_XOP_NEG: return -a;
    case SD_XOP_ADD: return a + b;
    case SD_XOP_SUB: return a - b;
    case SD_XOP_MUL: return a * b;
    case SD_XOP_DIV: return a / b;
    case SD_XOP_POW: return pow(a, b);
    case SD_XOP_SQRT: return sqrt(a);
    case SD_XOP_SIN: return sin(a);
    case SD_XOP_COS: return cos(a);
    case SD_XOP_TAN: return tan(a);
    case SD_XOP_EXP: return exp(a);
    case SD_XOP_LOG: return log(a);
    case SD_XOP_ABS: return fabs(a);
    case SD_XOP_FLOOR: return floor(a);
    case SD_XOP_CEIL: return ceil(a);
    case SD_XOP_MIN: return a < b ? a : b;
    case SD_XOP_MAX: return a > b ? a : b;
    case SD_XOP_SIGN: return sd_x_sign(a);
    case SD_XOP_SELLT: return a < b ? c : d;
    default: return a;
    }
}

void sd_xdag_init(sd_xdag *g)
{
    memset(g, 0, sizeof *g);
    (void)sd_x_num(g, 0.0); /* node 0: what a failed allocation returns */
}

void sd_xdag_free(sd_xdag *g)
{
    free(g->node);
    free(g->slot);
    memset(g, 0, sizeof *g);
}

static uint64_t node_hash(const sd_xnode *n)
{
    uint64_t vb;
    memcpy(&vb, &n->v, sizeof vb);
    uint64_t h = 1469598103934665603ull;
    const int64_t part[] = {n->op, n->a, n->b, n->c, n->d, n->sym, (int64_t)vb};
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) h = (h ^ (uint64_t)part[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static int same_node(const sd_xnode *x, const sd_xnode *y)
{
    return x->op == y->op && x->a == y->a && x->b == y->b && x->c == y->c && x->d == y->d && x->sym == y->sym &&
           !memcmp(&x->v, &y->v, sizeof x->v);
}

static int rehash(sd_xdag *g, int nslot)
{
    int *s = calloc((size_t)nslot, sizeof *s);
    if (!s) return -1;
    for (int i = 0; i < g->count; i++) {
        size_t k = node_hash(&g->node[i]) & (size_t)(nslot - 1);
        while (s[k]) k = (k + 1) & (size_t)(nslot - 1);
        s[k] = i + 1;
    }
    free(g->slot);
    g->slot = s;
    g->nslot = nslot;
    return 0;
}

/* The node equal to n, made when new. */
static int intern(sd_xdag *g, sd_xnode n)
{
    if (g->failed) return 0;
    if (2 * (g->count + 1) > g->nslot && rehash(g, g->nslot ? 2 * g->nslot : 64) < 0) goto oom;
    size_t k = node_hash(&n) & (size_t)(g->nslot - 1);
    while (g->slot[k]) {
        if (same_node(&g->node[g->slot[k] - 1], &n)) return g->slot[k] - 1;
        k = (k + 1) & (size_t)(g->nslot - 1);
    }
    if (g->count == g->cap) {
        int ncap = g->cap ? 2 * g->cap : 64;
        sd_xnode *t = realloc(g->node, (size_t)ncap * sizeof *t);
        if (!t) goto oom;
        g->node = t;
        g->cap = ncap;
    }
    g->node[g->count] = n;
    g->slot[k] = g->count + 1;
    return g->count++;
oom:
    g->failed = 1;
    return 0;
}

static sd_xnode mk(sd_xop op, int a, int b, int c, int d)
{
    return (sd_xnode){.op = op, .a = a, .b = b, .c = c, .d = d, .sym = -1, .v = 0};
}

int sd_x_num(sd_xdag *g, double v)
{
    sd_xnode n = mk(SD_XOP_NUM, -1, -1, -1, -1);
    n.v = v;
    return intern(g, n);
}

int sd_x_sym(sd_xdag *g, int sym)
{
    sd_xnode n = mk(SD_XOP_SYM, -1, -1, -1, -1);
    n.sym = sym;
    return intern(g, n);
}

static int isnum(const sd_xdag *g, int i) { return g->node[i].op == SD_XOP_NUM; }
static int isneg(const sd_xdag *g, int i) { return g->node[i].op == SD_XOP_NEG; }

int sd_x_un(sd_xdag *g, sd_xop op, int a)
{
    if (g->failed) return 0;
    if (isnum(g, a)) return sd_x_num(g, sd_xop_fold(op, g->node[a].v, 0, 0, 0));
    if (op == SD_XOP_NEG && isneg(g, a)) return g->node[a].a;
    return intern(g, mk(op, a, -1, -1, -1));
}

int sd_x_bin(sd_xdag *g, sd_xop op, int a, int b)
{
    if (g->failed) return 0;
    if (isnum(g, a) && isnum(g, b)) return sd_x_num(g, sd_xop_fold(op, g->node[a].v, g->node[b].v, 0, 0));
    switch (op) {
    case SD_XOP_ADD:
        if (sd_x_is_num(g, a, 0)) return b;
        if (sd_x_is_num(g, b, 0)) return a;
        if (isneg(g, b)) return sd_x_bin(g, SD_XOP_SUB, a, g->node[b].a);
        if (isneg(g, a)) return sd_x_bin(g, SD_XOP_SUB, b, g->node[a].a);
        break;
    case SD_XOP_SUB:
        if (sd_x_is_num(g, b, 0)) return a;
        if (sd_x_is_num(g, a, 0)) return sd_x_un(g, SD_XOP_NEG, b);
        if (isneg(g, b)) return sd_x_bin(g, SD_XOP_ADD, a, g->node[b].a);
        break;
    case SD_XOP_MUL:
        if (sd_x_is_num(g, a, 0) || sd_x_is_num(g, b, 0)) return sd_x_num(g, 0.0);
        if (sd_x_is_num(g, a, 1)) return b;
        if (sd_x_is_num(g, b, 1)) return a;
        if (sd_x_is_num(g, a, -1)) return sd_x_un(g, SD_XOP_NEG, b);
        if (sd_x_is_num(g, b, -1)) return sd_x_un(g, SD_XOP_NEG, a);
        __attribute__((fallthrough)); /* to the sign moves shared with DIV */
    case SD_XOP_DIV:
        if (op == SD_XOP_DIV) {
            if (sd_x_is_num(g, b, 1)) return a;
            if (sd_x_is_num(g, a, 0)) return sd_x_num(g, 0.0);
            if (sd_x_is_num(g, b, -1)) return sd_x_un(g, SD_XOP_NEG, a);
        }
        if (isneg(g, a)) return sd_x_un(g, SD_XOP_NEG, sd_x_bin(g, op, g->node[a].a, b));
        if (isneg(g, b)) return sd_x_un(g, SD_XOP_NEG, sd_x_bin(g, op, a, g->node[b].a));
        break;
    case SD_XOP_POW:
        if (sd_x_is_num(g, b, 1)) return a;
        if (sd_x_is_num(g, b, 0) || sd_x_is_num(g, a, 1)) return sd_x_num(g, 1.0);
        break;
    default: break;
    }
    return intern(g, mk(op, a, b, -1, -1));
}

int sd_x_sel(sd_xdag *g, int a, int b, int c, int d)
{
    if (g->failed) return 0;
    if (isnum(g, a) && isnum(g, b)) return g->node[a].v < g->node[b].v ? c : d;
    if (c == d) return c;
    return intern(g, mk(SD_XOP_SELLT, a, b, c, d));
}
