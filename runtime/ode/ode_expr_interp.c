/* ode_expr_interp.c - the lane interpreter of expression systems: the DAG nodes a function needs,
 * in order, as register instructions, each a loop over the lanes. Its arithmetic is the generated
 * C's, operation for operation (integer powers as the same multiplications), so both give bitwise
 * the same values. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ode_expr_impl.h"

enum { L = SD_ODE_LANES };

int sd_xprog_build(const sd_xdag *g, const sd_xfun *fun, int n, int np, sd_xprog *prog)
{
    memset(prog, 0, sizeof *prog);
    prog->n = n;
    prog->np = np;
    int *reg = malloc((size_t)g->count * sizeof *reg);
    if (!reg) return -1;
    for (int i = 0; i < g->count; i++) reg[i] = -1;
    /* mark what the outputs need: operands have smaller indices, so one backward sweep suffices */
    char *need = calloc((size_t)g->count, 1);
    if (!need) goto oom;
    for (int k = 0; k < fun->nout; k++) need[fun->root[k]] = 1;
    for (int i = g->count - 1; i >= 0; i--) {
        if (!need[i]) continue;
        const sd_xnode *x = &g->node[i];
        const int op[4] = {x->a, x->b, x->c, x->d};
        for (int j = 0; j < 4; j++)
            if (op[j] >= 0) need[op[j]] = 1;
        prog->ninsn++;
    }
    prog->insn = malloc((size_t)(prog->ninsn ? prog->ninsn : 1) * sizeof *prog->insn);
    prog->out = malloc((size_t)(fun->nout ? fun->nout : 1) * sizeof *prog->out);
    int nnum = 0;
    for (int i = 0; i < g->count; i++) nnum += need[i] && g->node[i].op == SD_XOP_NUM;
    prog->pool = malloc((size_t)(nnum ? nnum : 1) * L * sizeof *prog->pool);
    if (!prog->insn || !prog->out || !prog->pool) goto oom;
    int r = 0;
    nnum = 0;
    for (int i = 0; i < g->count; i++) {
        if (!need[i]) continue;
        const sd_xnode *x = &g->node[i];
        prog->insn[r] = (sd_xinsn){.op = x->op, .a = x->a >= 0 ? reg[x->a] : -1, .b = x->b >= 0 ? reg[x->b] : -1,
                                   .c = x->c >= 0 ? reg[x->c] : -1, .d = x->d >= 0 ? reg[x->d] : -1,
                                   .sym = x->sym, .v = x->v};
        if (x->op == SD_XOP_NUM) {
            prog->insn[r].sym = nnum;
            for (int l = 0; l < L; l++) prog->pool[nnum * L + l] = x->v;
            nnum++;
        }
        reg[i] = r++;
    }
    prog->nout = fun->nout;
    for (int k = 0; k < fun->nout; k++) prog->out[k] = reg[fun->root[k]];
    free(need);
    free(reg);
    return 0;
oom:
    free(need);
    free(reg);
    sd_xprog_free(prog);
    return -1;
}

void sd_xprog_free(sd_xprog *prog)
{
    free(prog->insn);
    free(prog->out);
    free(prog->pool);
    memset(prog, 0, sizeof *prog);
}

/* The calling thread's registers (freed when the thread ends): n rows of SD_ODE_LANES values and
 * n row pointers. */
static pthread_key_t regs_key;
static pthread_once_t regs_once = PTHREAD_ONCE_INIT;
typedef struct regfile {
    size_t cap;
    const double **row;
    double r[];
} regfile;
static void make_key(void) { (void)pthread_key_create(&regs_key, free); }

static regfile *registers(size_t n)
{
    (void)pthread_once(&regs_once, make_key);
    regfile *f = pthread_getspecific(regs_key);
    if (f && f->cap >= n) return f;
    regfile *nf = malloc(sizeof *nf + n * (L * sizeof(double) + sizeof(double *)));
    if (!nf) return NULL;
    if (pthread_setspecific(regs_key, nf) != 0) {
        free(nf);
        return NULL;
    }
    free(f);
    nf->cap = n;
    nf->row = (const double **)(nf->r + n * L);
    return nf;
}

void sd_xprog_run(const sd_xprog *prog, const sd_ode_lanes *in, double *out)
{
    const int nl = in->nl;
    regfile *rf = registers((size_t)(prog->ninsn ? prog->ninsn : 1));
    if (!rf) { /* no memory for registers: NaN tells the solver (a non-finite right-hand side) */
        for (int k = 0; k < prog->nout; k++)
            for (int l = 0; l < nl; l++) out[k * L + l] = NAN;
        return;
    }
    const double **row = rf->row;
    for (int i = 0; i < prog->ninsn; i++) {
        const sd_xinsn *x = &prog->insn[i];
        if (x->op == SD_XOP_SYM) {
            row[i] = x->sym < prog->n ? in->y + (size_t)x->sym * L
                     : x->sym < prog->n + prog->np ? in->p + (size_t)(x->sym - prog->n) * L
                                                   : in->t;
            continue;
        }
        if (x->op == SD_XOP_NUM) {
            row[i] = prog->pool + (size_t)x->sym * L;
            continue;
        }
        double *r = rf->r + (size_t)i * L;
        row[i] = r;
        const double *a = row[x->a], *b = x->b >= 0 ? row[x->b] : NULL;
        switch (x->op) {
        case SD_XOP_NEG: for (int l = 0; l < nl; l++) r[l] = -a[l]; break;
        case SD_XOP_ADD: for (int l = 0; l < nl; l++) r[l] = a[l] + b[l]; break;
        case SD_XOP_SUB: for (int l = 0; l < nl; l++) r[l] = a[l] - b[l]; break;
        case SD_XOP_MUL: for (int l = 0; l < nl; l++) r[l] = a[l] * b[l]; break;
        case SD_XOP_DIV: for (int l = 0; l < nl; l++) r[l] = a[l] / b[l]; break;
        case SD_XOP_POW:
            if (prog->insn[x->b].op == SD_XOP_NUM && sd_x_ipow_exponent(prog->insn[x->b].v)) {
                const int k = (int)prog->insn[x->b].v;
                for (int l = 0; l < nl; l++) r[l] = sd_x_ipow(a[l], k);
            } else
                for (int l = 0; l < nl; l++) r[l] = pow(a[l], b[l]);
            break;
        case SD_XOP_SELLT: {
            const double *c = row[x->c], *d = row[x->d];
            for (int l = 0; l < nl; l++) r[l] = a[l] < b[l] ? c[l] : d[l];
            break;
        }
        default: /* the functions: one libm call per lane, as the generated C makes */
            for (int l = 0; l < nl; l++) r[l] = sd_xop_fold(x->op, a[l], b ? b[l] : 0.0, 0.0, 0.0);
            break;
        }
    }
    for (int k = 0; k < prog->nout; k++) {
        const double *r = row[prog->out[k]];
        for (int l = 0; l < nl; l++) out[k * L + l] = r[l];
    }
}
