/* ode_expr.h - ODE systems written as expressions in a graph file:
 *   system: {vars: [x, v], params: [mu], dydt: ["v", "mu*(1-x^2)*v - x"],
 *            events: [{g: "x", direction: -1, terminal: false}]}
 * in the expression language of graph files (graph/expr.h) plus the names of the variables, the
 * parameters, t and the graph's constants. The Jacobian comes from symbolic differentiation. The
 * system is compiled to native code when the graph loads (C generated, compiled with the C compiler
 * stardag was built with, cached by hash), or run by a lane-vectorised interpreter where no
 * compiler is present or when asked (docs/ode.md says how to choose). Internal to the runtime. */
#ifndef SD_ODE_EXPR_H
#define SD_ODE_EXPR_H
#include <stddef.h>
#include "graph.h"
#include "expr.h"
#include "stardag/ode.h"

#define SD_ODE_EXPR_MAX 64 /* variables, parameters of an expression system */

typedef struct sd_ode_text {
    const char *s;   /* the expression (NUL-terminated) */
    sd_where at;     /* line:col of s[0] in the graph file */
} sd_ode_text;

typedef enum { SD_ODE_COMPILE_AUTO = 0, SD_ODE_COMPILE_NATIVE, SD_ODE_COMPILE_INTERPRET } sd_ode_compile;

typedef struct sd_ode_expr_spec {
    const char *file;             /* the graph file, for messages */
    char name[64];
    int n, np, nevents;
    const char *var[SD_ODE_EXPR_MAX];
    sd_where var_at[SD_ODE_EXPR_MAX];
    const char *param[SD_ODE_EXPR_MAX];
    sd_where param_at[SD_ODE_EXPR_MAX];
    sd_ode_text dydt[SD_ODE_EXPR_MAX]; /* as many as the file gives, the rest s == NULL (checked: n) */
    sd_ode_text event[SD_ODE_MAX_EVENTS];
    int event_direction[SD_ODE_MAX_EVENTS], event_terminal[SD_ODE_MAX_EVENTS];
    sd_ode_compile compile;       /* the graph's choice; STARDAG_ODE_COMPILE overrides AUTO */
    sd_expr_lookup constant;      /* the graph's constants (params: section), by name */
    void *constant_ctx;
} sd_ode_expr_spec;

/* Build the system: 0 with *sys (its storage is *owned: free it with sd_ode_expr_free), or -1
 * with "FILE:LINE:COL: what is wrong (what was expected)" in err: an unknown name (with a
 * suggestion), a syntax error, a variable or parameter named twice or named like a function, a
 * compiler that fails where native code was demanded. *how says what was used ("native code
 * (cached)", "interpreter"). */
int sd_ode_expr_build(const sd_ode_expr_spec *spec, const sd_ode_system **sys, void **owned, char *how,
                      size_t howlen, char *err, size_t errlen);
void sd_ode_expr_free(void *owned);

#endif
