/* verify_grid.c - the generated grid graphs of `stardag verify` (verify.c runs and compares them):
 * one codelet as the step op on noise-filled fields, with its defaults or one parameter set of
 * verify_variants.c. */
#include <stdio.h>
#include <stdlib.h>
#include "verify.h"

static int is_field_role(const sd_role *r) { return r->kind == SD_ROLE_FIELD; }
/* Table roles are left unbound (verify.c tests only codelets whose table roles are optional). */
static int is_scalar_role(const sd_role *r) { return r->kind == SD_ROLE_SCALAR; }

/* The op's `params:` line: the parameter set `set` (NULL: none), and the required parameters it
 * does not name set to 1, clamped to their range. */
static void params_line(sbuf *b, const sd_codelet *c, const char *set)
{
    if (!set) {
        sd_verify_required_params(b, c);
        return;
    }
    sb_printf(b, "    params: {%s", set);
    for (int p = 0; p < c->nparams; p++) {
        const sd_param *pa = &c->params[p];
        if (!pa->required || sd_verify_sets_param(set, pa->name)) continue;
        sb_printf(b, ", %s: %.17g", pa->name, pa->min > 1.0 ? pa->min : pa->max < 1.0 ? pa->max : 1.0);
    }
    sb_printf(b, "}\n");
}

/* A small graph that runs codelet c as its one step op for 2 steps: every field role bound to a
 * field of its own filled by common.noise (a different seed each), read scalars produced by
 * common.sum of a noise field, the parameter set `set` (NULL: the defaults), required params it
 * does not name set to an in-range value near 1; every written field and every scalar is output
 * at every step. */
/* The field role that a fused test graph copies written role w into: a read one with the same
 * components, preferring one read with a halo; -1 if none. */
static int copy_target(const sd_codelet *c, int w)
{
    int best = -1;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (!is_field_role(ro) || ro->mode != SD_READ || (ro->ncomp > 1 ? ro->ncomp : 1) != (c->roles[w].ncomp > 1 ? c->roles[w].ncomp : 1))
            continue;
        if (best < 0 || (ro->halo > 0 && c->roles[best].halo == 0)) best = r;
    }
    return best;
}

char *sd_verify_grid_graph(const sd_codelet *c, const char *set, int ndim, const int64_t n[3], int dtype, double dt,
                           const int64_t tile[3], int fused)
{
    const char *const *bcs = fused ? (const char *const[]){"periodic", "fixed", "periodic"}
                                   : (const char *const[]){"periodic", "reflective", "fixed"};
    const char *dt_name = dtype == SD_F32 ? "f32" : "f64";
    sbuf b = {0};
    sb_printf(&b, "name: verify\n");
    sb_printf(&b, "domain:\n  grid:\n    shape: [");
    for (int d = 0; d < ndim; d++) sb_printf(&b, "%s%lld", d ? ", " : "", (long long)n[d]);
    sb_printf(&b, "]\n    spacing: 1\n    boundary: [");
    /* mixed boundaries: x periodic, y reflective (fused: fixed), z fixed (fused: periodic; ghost value 0.25) */
    for (int d = 0; d < ndim; d++) sb_printf(&b, "%s%s", d ? ", " : "", bcs[d]);
    sb_printf(&b, "]\n    boundary_value: 0.25\n");
    sb_printf(&b, "fields:\n");
    int nscal = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (is_field_role(ro))
            sb_printf(&b, "  f_%s: {dtype: %s, components: %d}\n", ro->name, dt_name, ro->ncomp ? ro->ncomp : fused ? 1 : 2);
        else if (is_scalar_role(ro)) {
            nscal++;
            if (ro->mode != SD_WRITE) {
                sb_printf(&b, "  a_%s: {dtype: %s, components: 1}\n", ro->name, dt_name);
            }
        }
    }
    if (nscal) {
        sb_printf(&b, "scalars: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (is_scalar_role(&c->roles[r])) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n");
    }
    sb_printf(&b, "tiles: [");
    for (int d = 0; d < ndim; d++) sb_printf(&b, "%s%lld", d ? ", " : "", (long long)tile[d]);
    sb_printf(&b, "]\ninit:\n");
    int seed = 11;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (is_field_role(ro))
            sb_printf(&b, "  - op: common.noise\n    write: {out: f_%s}\n    params: {seed: %d, lo: -1, hi: 1}\n",
                      ro->name, seed);
        else if (is_scalar_role(ro) && ro->mode != SD_WRITE)
            sb_printf(&b,
                      "  - op: common.noise\n    write: {out: a_%s}\n    params: {seed: %d, lo: -1, hi: 1}\n"
                      "  - op: common.sum\n    read: {x: a_%s}\n    write: {sum: s_%s}\n",
                      ro->name, seed, ro->name, ro->name);
        seed += 10;
    }
    sb_printf(&b, "step:\n  - op: %s\n", c->name);
    static const sd_access modes[3] = {SD_READ, SD_WRITE, SD_READWRITE};
    for (int m = 0; m < 3; m++) {
        int k = 0;
        for (int r = 0; r < c->nroles; r++) {
            const sd_role *ro = &c->roles[r];
            if (ro->mode != modes[m] || ro->kind == SD_ROLE_TABLE) continue;
            sb_printf(&b, "%s%s: %s_%s", k++ ? ", " : (m == 0 ? "    read: {" : m == 1 ? "    write: {" : "    readwrite: {"),
                      ro->name, is_field_role(ro) ? "f" : "s", ro->name);
        }
        if (k) sb_printf(&b, "}\n");
    }
    params_line(&b, c, set);
    /* the next step reads what this one wrote: copied, or for an op that reads no neighbours, through
     * a stencil (the leapfrog), which makes the group compute the op beyond its tile */
    int stencil = 0;
    for (int r = 0; r < c->nroles; r++) stencil |= is_field_role(&c->roles[r]) && c->roles[r].halo > 0;
    for (int r = 0; fused && r < c->nroles; r++) {
        const int to = is_field_role(&c->roles[r]) && c->roles[r].mode != SD_READ ? copy_target(c, r) : -1;
        const char *w = c->roles[r].name;
        if (to < 0) continue;
        if (!stencil && c->roles[r].ncomp <= 1 && sd_codelet_find("lattice.kg_leapfrog"))
            sb_printf(&b, "  - op: lattice.kg_leapfrog\n    read: {E: f_%s, E_prev: f_%s, chi: f_%s}\n    write: {E_next: f_%s}\n",
                      w, w, w, c->roles[to].name);
        else sb_printf(&b, "  - op: common.copy\n    read: {in: f_%s}\n    write: {out: f_%s}\n", w, c->roles[to].name);
    }
    sb_printf(&b, "output:\n");
    int nw = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (!is_field_role(ro) || ro->mode == SD_READ) continue;
        sb_printf(&b, "%sf_%s", nw++ ? ", " : "  fields:\n    names: [", ro->name);
    }
    if (nw) sb_printf(&b, "]\n    every: 1\n");
    if (nscal) {
        sb_printf(&b, "  scalars:\n    names: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (is_scalar_role(&c->roles[r])) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n    every: 1\n");
    }
    sb_printf(&b, "run:\n  steps: %d\n  dt: %.15g\n", fused ? 5 : 2, dt);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
