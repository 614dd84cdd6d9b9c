/* ode_expr_missing.c - TEMPORARY (branch i11-domain only): expression systems (ode_expr.h) are
 * written by another branch; until it is merged, a graph's `system: {vars, ...}` fails to load
 * with this message. The integrator deletes this file when runtime/ode's expression systems land. */
#include <stdio.h>
#include "ode_expr.h"

int sd_ode_expr_build(const sd_ode_expr_spec *spec, const sd_ode_system **sys, void **owned, char *how, size_t howlen,
                      char *err, size_t errlen)
{
    (void)how;
    (void)howlen;
    *sys = NULL;
    *owned = NULL;
    snprintf(err, errlen, "%s: system %s: expression systems are not built yet", spec->file, spec->name);
    return -1;
}

void sd_ode_expr_free(void *owned) { (void)owned; }
