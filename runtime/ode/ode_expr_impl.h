/* ode_expr_impl.h - the pieces of an expression system (ode_expr.h): its DAG and symbolic
 * derivatives, the lane interpreter's programs, and native code. Internal to runtime/ode. */
#ifndef SD_ODE_EXPR_IMPL_H
#define SD_ODE_EXPR_IMPL_H
#include "expr_ast.h"
#include "ode_expr.h"

/* The outputs of one lane function: out[k*SD_ODE_LANES + l] = node root[k] of lane l. */
typedef struct sd_xfun {
    int nout;
    int *root;
} sd_xfun;

/* A register program: instruction i gives register i (operands are earlier registers); outputs
 * read registers. A symbol's register is the lanes' input itself, a constant's a row of its
 * value in pool; the others are computed, each a loop over the lanes. */
typedef struct sd_xinsn {
    sd_xop op;
    int a, b, c, d; /* registers */
    int sym;        /* SYM: 0..n-1 a variable, n..n+np-1 a parameter, n+np the time; NUM: its pool row */
    double v;
} sd_xinsn;

typedef struct sd_xprog {
    int ninsn;
    sd_xinsn *insn;
    double *pool;   /* SD_ODE_LANES copies of each constant */
    int nout;
    int *out; /* register of output k */
    int n, np;
} sd_xprog;

/* d node / d symbol sym; memo has one entry per node that existed when the first call for this
 * symbol was made, all -1 before it. */
int sd_x_diff(sd_xdag *g, int node, int sym, int *memo);

/* The program computing fun's outputs; -1 when out of memory. */
int sd_xprog_build(const sd_xdag *g, const sd_xfun *fun, int n, int np, sd_xprog *prog);
void sd_xprog_free(sd_xprog *prog);
/* Evaluate over in->nl lanes (a per-thread register file, grown once). */
void sd_xprog_run(const sd_xprog *prog, const sd_ode_lanes *in, double *out);

/* Native code for f, jac and events (jac/events may have nout 0: not made). 0 with the three
 * functions (NULL where not made) and the dlopen handle, or -1 with the reason in err. *cached: the
 * shared object was already in the cache. */
typedef struct sd_xnative {
    void *handle;
    sd_ode_lane_fn f, jac, events;
    int cached;
} sd_xnative;
int sd_xnative_build(const sd_xdag *g, const sd_xfun fun[3], int n, int np, sd_xnative *nat, char *err,
                     size_t errlen);
void sd_xnative_free(sd_xnative *nat);

#endif
