/* mesh_ckpt.c - the mesh class's checkpoints (docs/checkpoint.md, "Meshes").
 *
 * What determines a mesh run's future steps: the values of its fields (every field has one
 * level), the graph's scalars (the engine saves those: a minimiser's line-search and CG state
 * lives in scalars and fields such as d and gprev, never in the kernels), and the topology. Nothing
 * else carries over from one step to the next: the reduction partials and the scratch are written
 * before they are read in every task, the ghost packs are rewritten before each refresh, and the
 * kernels keep no statics. A checkpoint therefore holds
 *   fields/<field>/0   f64, each field as its output snapshot lays it out: global vertex (face,
 *                      edge) order, which is the mesh file's order (edges: sd_mesh_edges'), components outermost ([ncomp][n],
 *                      or [n] for one component), whatever the partitions;
 *   mesh/triangles     i64 [nf][3], the domain's triangles, so that a restart on a different mesh
 *                      with the same counts (a changed mesh file) is refused even with --force.
 * Restore writes every local element of every partition, ghosts included, from the global arrays:
 * a ghost then holds its owner's value, which is what an uninterrupted run holds in a field whose
 * ghosts are current, and a field whose ghosts were stale is refreshed before any op reads its
 * ghosts; so all ghosts are marked current. Kernels read ghosts only through a halo role, and only
 * owned values of a face field are ever defined (its ghost faces are never read). Face and edge
 * fields are restored into every local element: an op that writes one computes them all. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "ckpt.h"
#include "mesh_impl.h"

static void field_item(const mdomain *D, int f, sd_ckpt_item *it)
{
    const sd_gfield *gf = &D->dm->g->fields[f];
    const int64_t n = sd_mesh_field_elems(D, f, 0).global;
    memset(it, 0, sizeof *it);
    snprintf(it->name, sizeof it->name, "fields/%s/0", gf->name);
    it->type = SD_CK_F64;
    it->ndim = gf->ncomp > 1 ? 2 : 1;
    it->dims[0] = gf->ncomp > 1 ? gf->ncomp : n;
    it->dims[1] = gf->ncomp > 1 ? n : 0;
}

static void *xmalloc_or_exit(size_t bytes, const char *what)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "stardag: out of memory for a checkpoint of %s (%zu bytes)\n", what, bytes);
        exit(SD_EXIT_RUNTIME);
    }
    return p;
}

void sd_mesh_submit_checkpoint(sd_dm *dm, int64_t step)
{
    mdomain *D = dm->data;
    sd_engine *e = dm->e;
    const sd_graph *g = dm->g;
    for (int f = 0; f < D->nf; f++) {
        sd_ckpt_item it;
        field_item(D, f, &it);
        sd_record *r = sd_eng_ckpt_record_new(e, step, &it);
        r->expected = 1;
        r->bytes = sizeof(double) * (size_t)(it.ndim == 2 ? it.dims[0] * it.dims[1] : it.dims[0]);
        r->data = xmalloc_or_exit(r->bytes, g->fields[f].name);
        /* the output snapshot's task: owned values of every partition into global order */
        msnap_arg *a = sd_eng_xmalloc(sizeof *a);
        *a = (msnap_arg){sd_eng_meter(e, D->k_ckpt), D, f, r};
        sd_hlist l = {0};
        for (int p = 0; p < D->np; p++) sd_hlist_add(&l, HND(D, T_FIELD + f, p), STARPU_R, "partitions");
        if (!sd_eng_submit(e, D->k_ckpt, -1, step, a, sizeof *a, 1, l.n, l.h, l.m)) sd_record_done(r);
    }
    /* the topology is the graph's: copied now, complete without a task */
    const sd_ckpt_item tri = {.name = "mesh/triangles", .type = SD_CK_I64, .ndim = 2, .dims = {D->M->nf, 3}};
    sd_record *r = sd_eng_ckpt_record_new(e, step, &tri);
    r->bytes = sizeof(int64_t) * 3 * (size_t)D->M->nf;
    r->data = xmalloc_or_exit(r->bytes, "the mesh's triangles");
    memcpy(r->data, D->M->tri, r->bytes);
}

static const char *type_name(int type)
{
    static const char *const names[] = {"f64", "f32", "i64", "u8"};
    return type >= 0 && type < 4 ? names[type] : "unknown";
}

/* The item's type and shape are what this graph's domain needs. */
static int check_item(const sd_ckpt_in *in, const sd_ckpt_item *want, char *err, size_t errlen)
{
    int type, ndim;
    int64_t dims[4];
    if (sd_ckpt_item_info(in, want->name, &type, &ndim, dims, err, errlen) < 0) return -1;
    int same = type == want->type && ndim == want->ndim;
    for (int d = 0; same && d < ndim; d++) same = dims[d] == want->dims[d];
    if (same) return 0;
    char got[96] = "", exp[96] = "";
    for (int d = 0; d < ndim && d < 4; d++) snprintf(got + strlen(got), sizeof got - strlen(got), "%s%" PRId64, d ? " x " : "", dims[d]);
    for (int d = 0; d < want->ndim; d++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%" PRId64, d ? " x " : "", want->dims[d]);
    snprintf(err, errlen, "%s: /state/%s: holds %s %s values, the graph's mesh needs %s %s (the checkpoint was written "
             "for another mesh or field)", sd_ckpt_path(in), want->name, got, type_name(type), exp, type_name(want->type));
    return -1;
}

static int restore_topology(const mdomain *D, const sd_ckpt_in *in, char *err, size_t errlen)
{
    const sd_ckpt_item want = {.name = "mesh/triangles", .type = SD_CK_I64, .ndim = 2, .dims = {D->M->nf, 3}};
    if (check_item(in, &want, err, errlen) < 0) return -1;
    const size_t bytes = sizeof(int64_t) * 3 * (size_t)D->M->nf;
    int64_t *tri = malloc(bytes);
    if (!tri) {
        snprintf(err, errlen, "%s: out of memory reading the mesh's triangles", sd_ckpt_path(in));
        return -1;
    }
    int rc = sd_ckpt_read_item(in, want.name, tri, bytes, err, errlen);
    for (int64_t t = 0; rc == 0 && t < 3 * D->M->nf; t++)
        if (tri[t] != D->M->tri[t]) {
            snprintf(err, errlen, "%s: /state/mesh/triangles: triangle %" PRId64 " is (%" PRId64 ", %" PRId64 ", %" PRId64
                     ") in the checkpoint and (%" PRId64 ", %" PRId64 ", %" PRId64 ") in the graph's mesh (%s): the "
                     "checkpoint was written for another mesh", sd_ckpt_path(in), t / 3, tri[t - t % 3], tri[t - t % 3 + 1],
                     tri[t - t % 3 + 2], D->M->tri[t - t % 3], D->M->tri[t - t % 3 + 1], D->M->tri[t - t % 3 + 2], D->M->source);
            rc = -1;
        }
    free(tri);
    return rc;
}

/* Field f's global values (components outermost) into every partition's local elements. */
static int fill_partitions(mdomain *D, int f, const double *global, char *err, size_t errlen)
{
    const sd_gfield *gf = &D->dm->g->fields[f];
    for (int p = 0; p < D->np; p++) {
        const sd_mesh_elems el = sd_mesh_field_elems(D, f, p);
        const int64_t count = el.count, n = el.global, *id = el.id;
        starpu_data_handle_t h = HND(D, T_FIELD + f, p);
        if (!MEM(D, T_FIELD + f, p)) continue; /* another rank's partition: it restores its own */
        if (starpu_data_acquire(h, STARPU_W) != 0) {
            snprintf(err, errlen, "StarPU refused access to partition %d of field %s", p, gf->name);
            return -1;
        }
        double *local = starpu_data_get_local_ptr(h);
        for (int c = 0; c < gf->ncomp; c++)
            for (int64_t i = 0; i < count; i++) local[i + c * count] = global[id[i] + c * n];
        starpu_data_release(h);
    }
    return 0;
}

int sd_mesh_restore(sd_dm *dm, const sd_ckpt_in *in, char *err, size_t errlen)
{
    mdomain *D = dm->data;
    if (restore_topology(D, in, err, errlen) < 0) return -1;
    for (int f = 0; f < D->nf; f++) {
        sd_ckpt_item it;
        field_item(D, f, &it);
        if (check_item(in, &it, err, errlen) < 0) return -1;
        const size_t bytes = sizeof(double) * (size_t)(it.ndim == 2 ? it.dims[0] * it.dims[1] : it.dims[0]);
        double *global = malloc(bytes);
        if (!global) {
            snprintf(err, errlen, "%s: out of memory reading %s", sd_ckpt_path(in), it.name);
            return -1;
        }
        int rc = sd_ckpt_read_item(in, it.name, global, bytes, err, errlen);
        if (rc == 0) rc = fill_partitions(D, f, global, err, errlen);
        free(global);
        if (rc < 0) return -1;
        D->stale[f] = 0; /* every ghost now holds its owner's value */
    }
    return 0;
}
