/* grid_ckpt.c - checkpoints of a grid (and of the classes built on it: a batch's systems). What a
 * grid carries from one step to the next:
 *  - every field at every time level: items "fields/<field>/<level>" (level = its index, oldest
 *    first), whole fields in the layout of an output snapshot, whatever the tiles;
 *  - the ghosts of fields with an absorbing side: Mur's condition reads the previous level's ghosts,
 *    so they are state. Item "grid/frame/<field>/<level>": the whole field padded with its outer
 *    ghost layers (halo.h's sd_tile_copy_framed);
 *  - which buffers' ghosts are up to date (the plan's ghost_ok; item "grid/ghost_ok", one byte per
 *    field level): a restored field without absorbing sides gets its ghosts from a fresh exchange
 *    (they are a function of the interiors), a framed one gets them back whole and keeps its flag,
 *    so no exchange runs that the uninterrupted run did not run.
 * Nothing else lasts across steps: reduction partials are initialised by every task that fills
 * them, snapshots and io.read_field belong to their step or the init, and a fixed side's "filled
 * once" marks are per buffer of this process (a restored buffer is filled by its first exchange;
 * a side fixed at +0 of a grid without absorbing axes is never filled, its ghosts being zeros from
 * the allocation on, which only a framed restore could change).
 * A restore writes the tiles on the host (starpu_data_acquire, W) before any task is submitted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "ckpt.h"
#include "grid_impl.h"

typedef struct ckpt_arg {
    sd_meter m;
    const sd_halo_geom *geom;
    int64_t origin[3], shape[3];
    int framed, periodic[3];
    sd_record *rec;
} ckpt_arg;

void sd_grid_ckpt_cpu(void *buffers[], void *cl_arg)
{
    const ckpt_arg *a = cl_arg;
    int64_t t0 = sd_ns_now();
    char *tile = (char *)STARPU_VECTOR_GET_PTR(buffers[0]);
    if (a->framed) sd_tile_copy_framed(a->geom, a->shape, a->origin, a->periodic, tile, a->rec->data, 0);
    else sd_tile_copy_whole(a->geom, a->shape, a->origin, tile, a->rec->data, 0);
    sd_meter_add(&a->m, t0);
    sd_record_done(a->rec);
}

/* Does field f keep state in its ghosts (a halo and an absorbing side)? */
static int framed_field(const grid *G, int f)
{
    return G->dm->g->fields[f].halo > 0 && sd_grid_absorbs(&G->t);
}

/* The item of field f at level l (framed: with its outer ghosts), its element count in *count. */
static void field_item(const grid *G, int f, int l, int framed, sd_ckpt_item *it, size_t *count)
{
    const sd_graph *g = G->dm->g;
    const sd_gfield *fd = &g->fields[f];
    const int h = framed ? fd->halo : 0;
    int64_t n[3];
    for (int d = 0; d < 3; d++) n[d] = G->t.shape[d] + (d < G->t.ndim ? 2 * h : 0);
    memset(it, 0, sizeof *it);
    snprintf(it->name, sizeof it->name, "%s/%s/%d", framed ? "grid/frame" : "fields", fd->name, l);
    it->type = fd->dtype == SD_F32 ? SD_CK_F32 : SD_CK_F64;
    it->ndim = 4;
    it->dims[0] = sd_field_values_per_cell(g, fd);
    it->dims[1] = n[2], it->dims[2] = n[1], it->dims[3] = n[0];
    *count = (size_t)it->dims[0] * n[2] * n[1] * n[0];
}

static void submit_field(grid *G, int f, int l, int framed, int64_t step)
{
    sd_engine *e = G->dm->e;
    sd_ckpt_item it;
    size_t count;
    field_item(G, f, l, framed, &it, &count);
    sd_record *rec = sd_eng_ckpt_record_new(e, step, &it);
    rec->bytes = count * sd_ckpt_type_size(it.type);
    rec->data = calloc(1, rec->bytes ? rec->bytes : 1); /* calloc: a frame's periodic ghosts stay 0 */
    if (!rec->data) {
        fprintf(stderr, "stardag: out of memory for the checkpoint of field %s\n", G->dm->g->fields[f].name);
        exit(SD_EXIT_RUNTIME);
    }
    rec->expected = G->nt;
    const int buf = sd_plan_buffer(&G->plan, f, l);
    for (int tl = 0; tl < G->nt; tl++) {
        ckpt_arg *a = sd_eng_xmalloc(sizeof *a);
        int64_t n[3];
        sd_tile_box(&G->t, tl, a->origin, n);
        for (int d = 0; d < 3; d++) {
            a->shape[d] = G->t.shape[d];
            a->periodic[d] = G->t.bc[d] == SD_BC_PERIODIC;
        }
        a->geom = &G->geom[(size_t)f * G->nt + tl];
        a->framed = framed;
        a->rec = rec;
        a->m = sd_eng_meter(e, G->k_ckpt);
        starpu_data_handle_t h = G->tile_h[(size_t)buf * G->nt + tl];
        enum starpu_data_access_mode m = STARPU_R;
        if (!sd_eng_submit(e, G->k_ckpt, tl, step, a, sizeof *a, 1, 1, &h, &m)) sd_record_done(rec);
    }
}

void sd_grid_submit_checkpoint(sd_dm *dm, int64_t step)
{
    sd_grid_flush(dm); /* a fused group held back: the checkpoint is of the state after step */
    grid *G = dm->data;
    const sd_graph *g = dm->g;
    const sd_plan *p = &G->plan;
    for (int f = 0; f < g->nfields; f++)
        for (int l = 0; l < g->fields[f].nlevels; l++) submit_field(G, f, l, framed_field(G, f), step);
    /* the plan's view of the ghosts as the next step's expansion will see it (known now: no task) */
    sd_ckpt_item it = {.name = "grid/ghost_ok", .type = SD_CK_U8, .ndim = 1, .dims = {p->nbuf}};
    sd_record *rec = sd_eng_ckpt_record_new(dm->e, step, &it);
    rec->bytes = (size_t)p->nbuf;
    rec->data = sd_eng_xmalloc(rec->bytes + 1);
    unsigned char *ok = rec->data;
    for (int f = 0; f < g->nfields; f++)
        for (int l = 0; l < g->fields[f].nlevels; l++) ok[p->field_base[f] + l] = p->ghost_ok[sd_plan_buffer(p, f, l)];
    rec->expected = 0;
}

/* Field f's level l from the checkpoint into every tile (interior, or every cell when framed). */
static int restore_field(grid *G, const sd_ckpt_in *in, int f, int l, int framed, void *buf, char *err, size_t errlen)
{
    sd_ckpt_item want;
    size_t count;
    field_item(G, f, l, framed, &want, &count);
    int type, ndim;
    int64_t dims[4];
    if (sd_ckpt_item_info(in, want.name, &type, &ndim, dims, err, errlen) < 0) return -1;
    if (type != want.type || ndim != 4 || memcmp(dims, want.dims, sizeof dims)) {
        snprintf(err, errlen, "%s: /state/%s: shape %lldx%lldx%lldx%lld (%s), expected %lldx%lldx%lldx%lld (%s) for "
                 "this grid", sd_ckpt_path(in), want.name, (long long)dims[0], (long long)dims[1], (long long)dims[2],
                 (long long)dims[3], type == SD_CK_F32 ? "f32" : type == SD_CK_F64 ? "f64" : "not a field type",
                 (long long)want.dims[0], (long long)want.dims[1], (long long)want.dims[2], (long long)want.dims[3],
                 want.type == SD_CK_F32 ? "f32" : "f64");
        return -1;
    }
    if (sd_ckpt_read_item(in, want.name, buf, count * sd_ckpt_type_size(type), err, errlen) < 0) return -1;
    const int b = sd_plan_buffer(&G->plan, f, l);
    int periodic[3];
    for (int d = 0; d < 3; d++) periodic[d] = G->t.bc[d] == SD_BC_PERIODIC;
    for (int tl = 0; tl < G->nt; tl++) {
        starpu_data_handle_t h = G->tile_h[(size_t)b * G->nt + tl];
        if (!G->tile_mem[(size_t)b * G->nt + tl]) continue; /* another rank's tile (sd_eng_part_vector): it restores its own */
        if (starpu_data_acquire(h, STARPU_W) != 0) {
            snprintf(err, errlen, "StarPU refused access to a tile of field %s", G->dm->g->fields[f].name);
            return -1;
        }
        int64_t origin[3], n[3];
        sd_tile_box(&G->t, tl, origin, n);
        const sd_halo_geom *geom = &G->geom[(size_t)f * G->nt + tl];
        char *tile = starpu_data_get_local_ptr(h);
        if (framed) sd_tile_copy_framed(geom, G->t.shape, origin, periodic, tile, buf, 1);
        else sd_tile_copy_whole(geom, G->t.shape, origin, tile, buf, 1);
        starpu_data_release(h);
    }
    return 0;
}

int sd_grid_restore(sd_dm *dm, const sd_ckpt_in *in, char *err, size_t errlen)
{
    grid *G = dm->data;
    const sd_graph *g = dm->g;
    sd_plan *p = &G->plan;
    unsigned char *ok = calloc((size_t)p->nbuf + 1, 1);
    int rc = ok ? 0 : -1;
    if (!ok) snprintf(err, errlen, "out of memory restoring a checkpoint");
    if (!rc) rc = sd_ckpt_read_item(in, "grid/ghost_ok", ok, (size_t)p->nbuf, err, errlen);
    for (int f = 0; !rc && f < g->nfields; f++) {
        const int framed = framed_field(G, f);
        sd_ckpt_item it;
        size_t count;
        field_item(G, f, 0, framed, &it, &count);
        void *buf = malloc(count * sd_ckpt_type_size(it.type) + 1);
        if (!buf) {
            snprintf(err, errlen, "out of memory restoring field %s", g->fields[f].name);
            rc = -1;
            break;
        }
        for (int l = 0; !rc && l < g->fields[f].nlevels; l++) {
            rc = restore_field(G, in, f, l, framed, buf, err, errlen);
            /* a framed buffer has its ghosts back as they were; the others get theirs from an exchange */
            p->ghost_ok[sd_plan_buffer(p, f, l)] = framed ? ok[p->field_base[f] + l] : 0;
        }
        free(buf);
    }
    free(ok);
    return rc;
}
