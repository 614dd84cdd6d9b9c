/* expr.h - arithmetic expressions of graph files: numbers, names, pi, + - * / ^ (right
 * associative), unary minus, parentheses and the functions sqrt sin cos tan exp log abs floor
 * ceil min(a,b) max(a,b). Evaluated directly, no allocation; expr_ast.h parses the same grammar
 * into a DAG for the expression systems of runtime/ode. */
#ifndef STARDAG_EXPR_H
#define STARDAG_EXPR_H

#include <stddef.h>

typedef enum {
    SD_EXPR_OK = 0,
    SD_EXPR_SYNTAX,    /* msg says what was expected, pos where */
    SD_EXPR_UNDEFINED, /* the name at [pos, pos+len) is not known */
    SD_EXPR_FUNCTION,  /* unknown function name at [pos, pos+len), or wrong argument count (msg) */
    SD_EXPR_DIVZERO,
    SD_EXPR_NONFINITE
} sd_expr_status;

typedef struct sd_expr_error {
    sd_expr_status status;
    size_t pos, len; /* byte offset and length in the expression */
    char msg[128];
} sd_expr_error;

/* Resolve a name: return 1 and set *value when known, 0 otherwise. */
typedef int (*sd_expr_lookup)(void *ctx, const char *name, size_t len, double *value);

/* Evaluate s; on success returns SD_EXPR_OK and sets *out; otherwise fills *e. */
sd_expr_status sd_expr_eval(const char *s, sd_expr_lookup lookup, void *ctx, double *out, sd_expr_error *e);

/* 1 if name (NUL-terminated) is a built-in function or constant of expressions. */
int sd_expr_reserved(const char *name);
/* Built-in function names, for suggestions: NULL-terminated. */
extern const char *const sd_expr_functions[];

#endif
