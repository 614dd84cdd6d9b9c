/* expr_ast.h - graph-file expressions as a shared DAG of operations (hash-consed: a subexpression
 * that occurs twice is one node), for the systems of runtime/ode that differentiate, interpret and
 * compile them. The parser is expr.c's (one grammar): sd_expr_parse builds nodes where
 * sd_expr_eval folds values. Constructors simplify as they build: constant operands are folded
 * with the evaluator's own arithmetic, and the identities x+0, x*1, x*0, x/1, x^1, x^0, --x and
 * the sign moves (-a)*b = -(a*b), a+(-b) = a-b (exact in IEEE arithmetic) are applied, so a
 * derivative comes out without dead terms. */
#ifndef STARDAG_EXPR_AST_H
#define STARDAG_EXPR_AST_H

#include <math.h>
#include "expr.h"

typedef enum {
    SD_XOP_NUM, SD_XOP_SYM, SD_XOP_NEG, SD_XOP_ADD, SD_XOP_SUB, SD_XOP_MUL, SD_XOP_DIV, SD_XOP_POW,
    /* the functions, in sd_expr_functions' order */
    SD_XOP_SQRT, SD_XOP_SIN, SD_XOP_COS, SD_XOP_TAN, SD_XOP_EXP, SD_XOP_LOG, SD_XOP_ABS, SD_XOP_FLOOR,
    SD_XOP_CEIL, SD_XOP_MIN, SD_XOP_MAX,
    /* made by differentiation only */
    SD_XOP_SIGN, /* -1, 0 or +1 */
    SD_XOP_SELLT /* a < b ? c : d */
} sd_xop;

typedef struct sd_xnode {
    sd_xop op;
    int a, b, c, d; /* operands (node indices, each < this node's); -1 unused */
    int sym;        /* SYM: the symbol's number (the resolver's) */
    double v;       /* NUM: the value */
} sd_xnode;

typedef struct sd_xdag {
    sd_xnode *node;
    int count, cap;
    int *slot;  /* hash table of node index + 1 (0: empty), nslot a power of two */
    int nslot;
    int failed; /* out of memory: results are meaningless, the caller reports it */
} sd_xdag;

/* Integer exponents with |k| <= SD_X_IPOW_MAX are multiplications: x^3 = (x*x)*x, x^-2 = 1/(x*x);
 * the interpreter and the generated C both do exactly these operations. */
#define SD_X_IPOW_MAX 16
static inline int sd_x_ipow_exponent(double k) { return k == floor(k) && fabs(k) <= SD_X_IPOW_MAX && k != 0; }
static inline double sd_x_ipow(double x, int k)
{
    int m = k < 0 ? -k : k;
    double r = x;
    for (int i = 1; i < m; i++) r = r * x;
    return k < 0 ? 1.0 / r : r;
}
static inline double sd_x_sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }

/* One operation on values: the folding of constants (pow() as sd_expr_eval does for constant
 * powers) and the interpreter's reference. */
double sd_xop_fold(sd_xop op, double a, double b, double c, double d);

void sd_xdag_init(sd_xdag *g);
void sd_xdag_free(sd_xdag *g);
/* Constructors: a node index (on allocation failure node 0 with g->failed set). */
int sd_x_num(sd_xdag *g, double v);
int sd_x_sym(sd_xdag *g, int sym);
int sd_x_un(sd_xdag *g, sd_xop op, int a);
int sd_x_bin(sd_xdag *g, sd_xop op, int a, int b);
int sd_x_sel(sd_xdag *g, int a, int b, int c, int d);
static inline int sd_x_is_num(const sd_xdag *g, int i, double v) { return g->node[i].op == SD_XOP_NUM && g->node[i].v == v; }

/* A name's symbol number (>= 0), or -1 when it is not a symbol. */
typedef int (*sd_expr_symbol)(void *ctx, const char *name, size_t len);

/* Parse s into g: names resolve to symbols first, then through lookup (folded constants), then pi.
 * SD_EXPR_OK with *root, or the error as sd_expr_eval reports it (constant division by zero:
 * SD_EXPR_DIVZERO). */
sd_expr_status sd_expr_parse(sd_xdag *g, const char *s, sd_expr_symbol symbol, sd_expr_lookup lookup, void *ctx,
                             int *root, sd_expr_error *e);

#endif
