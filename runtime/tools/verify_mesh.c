/* verify_mesh.c - `stardag verify` for mesh codelets (.domain = SD_ON_MESH): their test system, a
 * randomly perturbed ellipsoid (level 3: 642 vertices, axes 1.2, 1, 0.8; every vertex moved by up to
 * 0.02 per component, so triangles are irregular and some obtuse), run for 2 steps with the codelet
 * under test as the step op (verify.c compares the two runs' fields and scalars).
 *
 * Roles are bound by name: a vertex field role called x to the positions; every other field role to
 * a field of its own (f_<role>, its declared components or 3, on the role's location) filled at init
 * with noise in [-0.1, 0.1] (face fields excepted): mesh.noise for vertex fields (the owned
 * vertices; a halo refreshes the ghosts), mesh.edge_noise for edge fields (every local edge, as an
 * edge field's writer must, since edge fields have no ghost exchange); scalar outputs to scalars of
 * their own (s_<role>), scalar inputs to s_<role> = 1e-3 * the sum of the positions (mesh.sum: a
 * small finite value); required params 1 (clamped to their range). A role reading a face field is
 * not testable here (no op fills face fields). Output: every field the op writes and every scalar,
 * at every step.
 *
 * Edge fields have no ghost exchange, so an op that writes one must write every local edge (owned
 * or not) for a later sum over a vertex's edges to be partition-independent. Output holds owned
 * edges only, so for each one-component edge field the op writes (an edge role of any components
 * gets one here), membrane.edge_sum (when registered) sums it over every vertex's edges into
 * edge_sum_of_<role>: an op that leaves ring edges at their init noise gives other sums on 3
 * partitions than on 1 (--cpu-vs-cpu), and verify says what that means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/stardag.h"
#include "verify.h"

static const char *const locname[] = {"vertices", "faces", "edges"};

/* A field role whose values the test system makes at init: a read (or readwrite) one other than x. */
static int needs_input(const sd_role *r) { return r->kind == SD_ROLE_FIELD && r->mode != SD_WRITE; }

/* An edge field the op writes whose sums over each vertex's edges verify checks (see the top). */
static int edge_star_checked(const sd_role *r)
{
    return r->kind == SD_ROLE_FIELD && r->mode != SD_READ && r->location == SD_MESH_EDGES && r->ncomp <= 1 &&
           sd_codelet_find("membrane.edge_sum");
}

/* Components of the test system's field for role r: its declared ones, else 3 (1 on edges). */
static int test_ncomp(const sd_role *r)
{
    return r->ncomp ? r->ncomp : r->location == SD_MESH_EDGES ? 1 : 3;
}

static int is_positions(const sd_role *r)
{
    return r->kind == SD_ROLE_FIELD && !strcmp(r->name, "x") && r->location == SD_MESH_VERTICES &&
           (r->ncomp == 0 || r->ncomp == 3);
}

char *sd_verify_mesh_graph(const sd_codelet *c, int nparts, char *err, size_t errlen)
{
    static const char *const base[] = {"mesh.perturb", "mesh.noise", "mesh.sum"};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        if (!sd_codelet_find(base[i])) {
            snprintf(err, errlen, "the codelet %s is needed for the mesh test system", base[i]);
            return NULL;
        }
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (ro->kind != SD_ROLE_FIELD) continue;
        if (ro->location != SD_MESH_VERTICES && ro->location != SD_MESH_FACES && ro->location != SD_MESH_EDGES) {
            snprintf(err, errlen, "role %s has location %d, which the mesh test system does not know (expected "
                     "vertices, faces or edges)", ro->name, ro->location);
            return NULL;
        }
        if (needs_input(ro) && ro->location == SD_MESH_FACES) {
            snprintf(err, errlen, "role %s reads a face field, which the mesh test system cannot fill", ro->name);
            return NULL;
        }
        if (ro->location == SD_MESH_EDGES && !sd_codelet_find("mesh.edge_noise")) {
            snprintf(err, errlen, "role %s is an edge field: the codelet mesh.edge_noise is needed to fill it", ro->name);
            return NULL;
        }
    }
    sbuf b = {0};
    sb_printf(&b, "name: verify\ndomain:\n  mesh:\n    ellipsoid: {level: 3, axes: [1.2, 1, 0.8]}\n");
    sb_printf(&b, "fields:\n  x: {components: 3}\n");
    int nscal = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (ro->kind != SD_ROLE_FIELD) nscal++;
        else if (!is_positions(ro))
            sb_printf(&b, "  f_%s: {components: %d, location: %s}\n", ro->name, test_ncomp(ro), locname[ro->location]);
        if (edge_star_checked(ro)) sb_printf(&b, "  " SD_VERIFY_EDGE_SUM "%s: {components: 1}\n", ro->name);
    }
    if (nscal) {
        sb_printf(&b, "scalars: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (c->roles[r].kind != SD_ROLE_FIELD) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n");
    }
    sb_printf(&b, "tiles: %d\ninit:\n  - op: mesh.perturb\n    readwrite: {x: x}\n    params: {seed: 7, amp: 0.02}\n", nparts);
    int seed = 11;
    for (int r = 0; r < c->nroles; r++, seed += 10) {
        const sd_role *ro = &c->roles[r];
        if (ro->kind == SD_ROLE_FIELD && !is_positions(ro) && ro->location != SD_MESH_FACES)
            sb_printf(&b, "  - op: mesh.%snoise\n    write: {out: f_%s}\n    params: {seed: %d, lo: -0.1, hi: 0.1}\n",
                      ro->location == SD_MESH_EDGES ? "edge_" : "", ro->name, seed);
        else if (ro->kind != SD_ROLE_FIELD && ro->mode != SD_WRITE)
            sb_printf(&b, "  - op: mesh.sum\n    read: {x: x}\n    write: {sum: s_%s}\n    params: {scale: %.17g}\n", ro->name,
                      1e-3 * (1 + r));
    }
    sb_printf(&b, "step:\n  - op: %s\n", c->name);
    static const sd_access modes[3] = {SD_READ, SD_WRITE, SD_READWRITE};
    static const char *const open[3] = {"    read: {", "    write: {", "    readwrite: {"};
    for (int m = 0; m < 3; m++) {
        int k = 0;
        for (int r = 0; r < c->nroles; r++) {
            const sd_role *ro = &c->roles[r];
            if (ro->mode != modes[m]) continue;
            if (is_positions(ro)) sb_printf(&b, "%s%s: x", k++ ? ", " : open[m], ro->name);
            else sb_printf(&b, "%s%s: %s_%s", k++ ? ", " : open[m], ro->name, ro->kind == SD_ROLE_FIELD ? "f" : "s", ro->name);
        }
        if (k) sb_printf(&b, "}\n");
    }
    sd_verify_required_params(&b, c);
    for (int r = 0; r < c->nroles; r++)
        if (edge_star_checked(&c->roles[r]))
            sb_printf(&b, "  - op: membrane.edge_sum\n    read: {w: f_%s}\n    write: {out: " SD_VERIFY_EDGE_SUM "%s}\n",
                      c->roles[r].name, c->roles[r].name);
    sb_printf(&b, "output:\n  fields:\n    names: [x");
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *ro = &c->roles[r];
        if (ro->kind == SD_ROLE_FIELD && ro->mode != SD_READ && !is_positions(ro)) sb_printf(&b, ", f_%s", ro->name);
        if (edge_star_checked(ro)) sb_printf(&b, ", " SD_VERIFY_EDGE_SUM "%s", ro->name);
    }
    sb_printf(&b, "]\n    every: 1\n");
    if (nscal) {
        sb_printf(&b, "  scalars:\n    names: [");
        for (int r = 0, k = 0; r < c->nroles; r++)
            if (c->roles[r].kind != SD_ROLE_FIELD) sb_printf(&b, "%ss_%s", k++ ? ", " : "", c->roles[r].name);
        sb_printf(&b, "]\n    every: 1\n");
    }
    sb_printf(&b, "run:\n  steps: 2\n  dt: 1\n");
    if (b.oom) {
        free(b.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return b.s;
}
