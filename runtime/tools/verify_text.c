/* verify_text.c - the text of verify's test graphs: a growing buffer and an op's params line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "verify.h"

void sb_printf(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += k;
            return;
        }
        size_t nc = b->cap ? 2 * b->cap : 4096;
        while (nc <= b->n + (size_t)k) nc *= 2;
        char *p = realloc(b->s, nc);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = nc;
    }
}

void sd_verify_required_params(sbuf *b, const sd_codelet *c)
{
    sd_verify_params(b, c, NULL);
}

void sd_verify_params(sbuf *b, const sd_codelet *c, const char *extra)
{
    int np = 0;
    for (int p = 0; p < c->nparams; p++) {
        const sd_param *pa = &c->params[p];
        if (!pa->required) continue;
        double v = 1.0; /* in range, near 1 */
        if (v < pa->min) v = pa->min;
        if (v > pa->max) v = pa->max;
        sb_printf(b, "%s%s: %.17g", np++ ? ", " : "    params: {", pa->name, v);
    }
    if (extra) sb_printf(b, "%s%s", np++ ? ", " : "    params: {", extra);
    if (np) sb_printf(b, "}\n");
}
