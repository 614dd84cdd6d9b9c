/* verify_batch.c - `stardag verify` for batch codelets (.domain = SD_ON_BATCH): their test system,
 * a batch of 1000 copies of an ODE system (vdp when registered, else the first registered one),
 * run for 2 intervals of dt 0.1 with the codelet under test as the step op (verify.c compares the
 * two runs' fields and scalars). Every codelet runs twice: on a non-stiff batch (parameters in
 * [0.5, 1.5): Van der Pol's mu) and on a stiff one (parameters in [300, 1000), and nstiff 1 for a
 * codelet that has it: an explicit solver runs its stiffness test every step, an implicit one its
 * Newton iteration and LU).
 *
 * Every field role gets a field of its own (f_<role>) with the components the codelet's ncomp hook
 * asks for (else its declared components, else 1), bound even when the role is optional. Values:
 * a solver's stats, work and events fields start at zero (a fresh start), atol at 1e-8, every other
 * field uniform in [0.5, 1.5) (a per-role seed). Scalar outputs go to scalars of their own
 * (s_<role>); a role reading a scalar is not testable here (no batch op fills scalars). Required
 * params 1 (clamped to their range). Output: every field the op writes and every scalar, at every
 * step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/ode.h"
#include "stardag/stardag.h"
#include "verify.h"

#define BATCH_SYSTEMS 1000

/* The system the test batch copies: vdp when registered, else the first one; NULL when none is. */
static const sd_ode_system *test_system(void)
{
    const sd_ode_system *s = sd_ode_system_find("vdp");
    return s ? s : sd_ode_system_at(0);
}

/* Components of field role r: the ncomp hook's (with the default params, required ones 1), the
 * role's declared count, or 1. */
static int role_ncomp(const sd_codelet *c, int r, const sd_ode_system *s)
{
    double param[SD_MAX_PARAMS];
    for (int p = 0; p < c->nparams; p++) {
        const sd_param *pa = &c->params[p];
        double v = pa->required ? 1.0 : pa->def;
        param[p] = v < pa->min ? pa->min : v > pa->max ? pa->max : v;
    }
    sd_check_info info = {.ndim = 1, .shape = {BATCH_SYSTEMS, 1, 1}, .dx = {1, 1, 1}, .dt = 0.1, .param = param,
                          .count = BATCH_SYSTEMS, .system = s};
    const int k = c->ncomp ? c->ncomp(r, &info) : 0;
    return k > 0 ? k : c->roles[r].ncomp > 0 ? c->roles[r].ncomp : 1;
}

/* The values of f_<role> at load (docs/ode-domain.md's values:). */
static void role_values(sbuf *b, const sd_role *ro, int seed, int stiff)
{
    if (!strcmp(ro->name, "stats") || !strcmp(ro->name, "work") || !strcmp(ro->name, "events"))
        sb_printf(b, "      f_%s: {random: uniform, range: [0, 0]}\n", ro->name);
    else if (!strcmp(ro->name, "atol")) sb_printf(b, "      f_%s: {random: uniform, range: [1e-8, 1e-8]}\n", ro->name);
    else if (!strcmp(ro->name, "p") && stiff) sb_printf(b, "      f_p: {random: uniform, range: [300, 1000], seed: %d}\n", seed);
    else sb_printf(b, "      f_%s: {random: uniform, range: [0.5, 1.5], seed: %d}\n", ro->name, seed);
}

char *sd_verify_batch_graph(const sd_codelet *c, int nranges, int stiff, char *err, size_t errlen)
{
    const sd_ode_system *s = test_system();
    if (!s) {
        snprintf(err, errlen, "no ODE system is registered (a batch copies one)");
        return NULL;
    }
    for (int r = 0; r < c->nroles; r++) {
        if (c->roles[r].kind == SD_ROLE_SCALAR && c->roles[r].mode != SD_WRITE) {
            snprintf(err, errlen, "role %s reads a scalar, which the batch test system cannot fill", c->roles[r].name);
            return NULL;
        }
        if (c->roles[r].kind == SD_ROLE_TABLE && !c->roles[r].optional) {
            snprintf(err, errlen, "role %s reads a table, which the batch test system does not have (optional table roles "
                     "are left unbound)", c->roles[r].name);
            return NULL;
        }
    }
    sbuf b = {0};
    sb_printf(&b, "name: verify\ndomain:\n  batch:\n    count: %d\n    system: %s\n    tiles: %d\n    values:\n",
              BATCH_SYSTEMS, s->name, nranges);
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].kind == SD_ROLE_FIELD) role_values(&b, &c->roles[r], 11 + 10 * r, stiff);
    sb_printf(&b, "fields:\n");
    int nscal = 0;
    for (int r = 0; r < c->nroles; r++) {
        if (c->roles[r].kind == SD_ROLE_SCALAR) nscal++;
        else if (c->roles[r].kind == SD_ROLE_TABLE) continue; /* left unbound */
        else sb_printf(&b, "  f_%s: {components: %d}\n", c->roles[r].name, role_ncomp(c, r, s));
    }
    if (nscal) {
        sb_printf(&b, "scalars: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (c->roles[r].kind == SD_ROLE_SCALAR) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n");
    }
    sb_printf(&b, "step:\n  - op: %s\n", c->name);
    static const sd_access modes[3] = {SD_READ, SD_WRITE, SD_READWRITE};
    static const char *const open[3] = {"    read: {", "    write: {", "    readwrite: {"};
    for (int m = 0; m < 3; m++) {
        int k = 0;
        for (int r = 0; r < c->nroles; r++) {
            const sd_role *ro = &c->roles[r];
            if (ro->mode == modes[m] && ro->kind != SD_ROLE_TABLE)
                sb_printf(&b, "%s%s: %s_%s", k++ ? ", " : open[m], ro->name, ro->kind == SD_ROLE_FIELD ? "f" : "s", ro->name);
        }
        if (k) sb_printf(&b, "}\n");
    }
    /* the stiff case runs an explicit solver's stiffness test after every step (its default
       period, 1000 accepted steps, is beyond 2 short intervals) */
    sd_verify_params(&b, c, stiff && sd_codelet_param_index(c, "nstiff") >= 0 ? "nstiff: 1" : NULL);
    int nout = 0;
    for (int r = 0; r < c->nroles; r++) nout += c->roles[r].kind == SD_ROLE_FIELD && c->roles[r].mode != SD_READ;
    sb_printf(&b, "output:\n");
    if (nout) {
        sb_printf(&b, "  fields:\n    names: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (c->roles[r].kind == SD_ROLE_FIELD && c->roles[r].mode != SD_READ) sb_printf(&b, "%sf_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n    every: 1\n");
    }
    if (nscal) {
        sb_printf(&b, "  scalars:\n    names: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (c->roles[r].kind == SD_ROLE_SCALAR) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n    every: 1\n");
    }
    sb_printf(&b, "run:\n  steps: 2\n  dt: 0.1\n");
    if (b.oom) {
        free(b.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return b.s;
}
