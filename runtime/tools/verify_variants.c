/* verify_variants.c - the parameter sets `stardag verify` runs a grid codelet with besides its
 * defaults: one per code path that the defaults leave out (a Laplacian's order, which sets the
 * stencil's reach and the ghost width; damping; a source term that is 0 by default), so CPU and
 * CUDA (or two tilings) are compared on every kernel instantiation. Each set is a graph's
 * `params:` body; the case's label shows it as [name=value,...]. */
#include <string.h>
#include "verify.h"

static const struct {
    const char *codelet, *params;
} variants[] = {
    {"lattice.kg_leapfrog", "order: 4, gamma: 0.3"},
    {"lattice.kg_leapfrog", "order: 6"},
    {"lattice.chi_leapfrog", "order: 4, kappa: 0.5, E0: 0.3"},
    {"lattice.chi_leapfrog", "order: 6, kappa: -0.2"},
    {"lattice.energy", "order: 4, gamma: 0.3"},
    {"lattice.energy", "order: 6"},
};

int sd_verify_variants(const sd_codelet *c, const char **sets, int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (!strcmp(variants[i].codelet, c->name) && n < max) sets[n++] = variants[i].params;
    return n;
}

int sd_verify_sets_param(const char *set, const char *name)
{
    const size_t l = strlen(name);
    for (const char *s = set; s && *s;) {
        while (*s == ' ' || *s == ',') s++;
        if (!strncmp(s, name, l) && s[l] == ':') return 1;
        s = strchr(s, ',');
    }
    return 0;
}
