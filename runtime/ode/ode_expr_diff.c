/* ode_expr_diff.c - symbolic differentiation on the expression DAG: the chain rule for every
 * operation, built through the simplifying constructors (expr_ast.h), memoised per node so a
 * shared subexpression is differentiated once. */
#include "ode_expr_impl.h"

int sd_x_diff(sd_xdag *g, int i, int sym, int *memo)
{
    if (g->failed) return 0;
    if (memo[i] >= 0) return memo[i];
    const sd_xnode n = g->node[i]; /* a copy: constructors may move the array */
    int da = n.a >= 0 ? sd_x_diff(g, n.a, sym, memo) : -1;
    int db = n.b >= 0 && n.op != SD_XOP_SELLT ? sd_x_diff(g, n.b, sym, memo) : -1;
    int zero = sd_x_num(g, 0.0), r = zero;
    switch (n.op) {
    case SD_XOP_NUM: break;
    case SD_XOP_SYM: r = n.sym == sym ? sd_x_num(g, 1.0) : zero; break;
    case SD_XOP_NEG: r = sd_x_un(g, SD_XOP_NEG, da); break;
    case SD_XOP_ADD:
    case SD_XOP_SUB: r = sd_x_bin(g, n.op, da, db); break;
    case SD_XOP_MUL: r = sd_x_bin(g, SD_XOP_ADD, sd_x_bin(g, SD_XOP_MUL, da, n.b), sd_x_bin(g, SD_XOP_MUL, n.a, db)); break;
    case SD_XOP_DIV:
        if (db == zero) r = sd_x_bin(g, SD_XOP_DIV, da, n.b);
        else /* (a' b - a b') / b^2 */
            r = sd_x_bin(g, SD_XOP_DIV,
                         sd_x_bin(g, SD_XOP_SUB, sd_x_bin(g, SD_XOP_MUL, da, n.b), sd_x_bin(g, SD_XOP_MUL, n.a, db)),
                         sd_x_bin(g, SD_XOP_POW, n.b, sd_x_num(g, 2.0)));
        break;
    case SD_XOP_POW:
        if (g->node[n.b].op == SD_XOP_NUM) { /* k a^(k-1) a' */
            double k = g->node[n.b].v;
            int ak1 = sd_x_bin(g, SD_XOP_POW, n.a, sd_x_num(g, k - 1.0));
            r = sd_x_bin(g, SD_XOP_MUL, sd_x_bin(g, SD_XOP_MUL, n.b, ak1), da);
        } else { /* a^b (b' log a + b a' / a) */
            int t1 = sd_x_bin(g, SD_XOP_MUL, db, sd_x_un(g, SD_XOP_LOG, n.a));
            int t2 = sd_x_bin(g, SD_XOP_DIV, sd_x_bin(g, SD_XOP_MUL, n.b, da), n.a);
            r = sd_x_bin(g, SD_XOP_MUL, i, sd_x_bin(g, SD_XOP_ADD, t1, t2));
        }
        break;
    case SD_XOP_SQRT: r = sd_x_bin(g, SD_XOP_DIV, da, sd_x_bin(g, SD_XOP_MUL, sd_x_num(g, 2.0), i)); break;
    case SD_XOP_SIN: r = sd_x_bin(g, SD_XOP_MUL, sd_x_un(g, SD_XOP_COS, n.a), da); break;
    case SD_XOP_COS: r = sd_x_un(g, SD_XOP_NEG, sd_x_bin(g, SD_XOP_MUL, sd_x_un(g, SD_XOP_SIN, n.a), da)); break;
    case SD_XOP_TAN: /* a' / cos(a)^2 */
        r = sd_x_bin(g, SD_XOP_DIV, da, sd_x_bin(g, SD_XOP_POW, sd_x_un(g, SD_XOP_COS, n.a), sd_x_num(g, 2.0)));
        break;
    case SD_XOP_EXP: r = sd_x_bin(g, SD_XOP_MUL, i, da); break;
    case SD_XOP_LOG: r = sd_x_bin(g, SD_XOP_DIV, da, n.a); break;
    case SD_XOP_ABS: r = da == zero ? zero : sd_x_bin(g, SD_XOP_MUL, sd_x_un(g, SD_XOP_SIGN, n.a), da); break;
    case SD_XOP_FLOOR:
    case SD_XOP_CEIL:
    case SD_XOP_SIGN: break; /* piecewise constant */
    case SD_XOP_MIN: r = sd_x_sel(g, n.a, n.b, da, db); break; /* a < b ? a : b */
    case SD_XOP_MAX: r = sd_x_sel(g, n.b, n.a, da, db); break; /* b < a ? a : b */
    case SD_XOP_SELLT:
        r = sd_x_sel(g, n.a, n.b, sd_x_diff(g, n.c, sym, memo), sd_x_diff(g, n.d, sym, memo));
        break;
    }
    memo[i] = r;
    return r;
}
