/* grid.c - the grid domain class: a structured grid of 1 to 3 axes cut into tiles (grid_tiling.c),
 * one StarPU vector per tile and time level with a ghost zone, face buffers for the halo exchange,
 * one exact partial per tile and reduction. The expansion (grid_expand.c) decides which tasks an
 * op needs; this file gives them data handles and arguments and submits them through the engine.
 * Fields are written to the run's HDF5 file (with XDMF) from whole-field snapshots. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "grid_impl.h"
#include "grid_read.h"
#include "h5out.h"
#include "ranks.h"

#ifdef SD_HAVE_CUDA
#define CUDA_FN(f) (f)
#else
#define CUDA_FN(f) NULL
#endif


static void fill_tmpl(const grid *G, const sd_gop *op, op_tmpl *T, int tile)
{
    const sd_graph *g = G->dm->g;
    memset(T, 0, sizeof *T);
    sd_tile_args *a = &T->a;
    a->ndim = g->domain.ndim;
    sd_tile_box(&G->t, tile, a->origin, a->n);
    for (int d = 0; d < 3; d++) {
        a->shape[d] = G->t.shape[d];
        a->dx[d] = d < g->domain.ndim ? g->domain.spacing[d] : 1.0;
        a->bc[d] = g->domain.bc[d];
    }
    int slot = 0;
    for (int r = 0; r < op->cl->nroles; r++) {
        const sd_binding *b = &op->bind[r];
        if (b->is_scalar) {
            if (b->mode == SD_READ) slot++;
            continue;
        }
        if (b->unbound) {
            T->unbound[slot++] = 1;
            continue;
        }
        if (b->is_table) { /* the whole table: rows x cols doubles, row-major (codelet.h) */
            const sd_gtable *tb = &g->tables[b->index];
            a->sc[slot] = tb->rows;
            a->ncomp[slot] = tb->cols;
            a->dtype[slot] = SD_F64;
            a->bins[slot] = 1;
            slot++;
            continue;
        }
        const sd_gfield *f = &g->fields[b->index];
        const int64_t vpc = sd_field_values_per_cell(g, f);
        int64_t off, total;
        const int h = G->plan.halo[b->index];
        sd_tile_layout(a->ndim, a->n, h, vpc, a->stride[slot], &a->sc[slot], &off, &total);
        a->ncomp[slot] = (int)vpc;
        a->bins[slot] = vpc / f->ncomp;
        int64_t s = a->sc[slot];
        for (int k = 0; k < g->domain.ninner && a->bins[slot] > 1; s *= g->domain.inner[k].count, k++)
            a->stride[slot][3 + k] = s;
        a->dtype[slot] = f->dtype;
        a->halo[slot] = h;
        T->off_bytes[slot] = off * (int64_t)sd_dtype_size(f->dtype);
        slot++;
    }
    a->nbuf = slot;
    /* a reduction's task fills the codelet's partials (its npartials with a finish hook) */
    a->nacc = op->cl->pattern == SD_REDUCTION ? sd_reduce_partials(op->cl) : 0;
    a->ninner = g->domain.ninner;
    for (int k = 0; k < g->domain.ninner; k++) {
        a->inner_n[k] = g->domain.inner[k].count;
        a->inner_lo[k] = g->domain.inner[k].lo;
        a->inner_hi[k] = g->domain.inner[k].hi;
    }
    for (int i = 0; i < op->cl->nparams; i++) a->param[i] = op->param[i];
    a->dt = g->run.dt;
    if (G->hooks && G->hooks->tmpl) G->hooks->tmpl(G->dm, op, a);
}

/* Halo arguments of field f on a tile for the axes [d0, d1) (a star field: every axis; a round of
 * a full-box field: one), in the order of grid_expand.c's handles. They depend on the field, tile
 * and axes only: built once, shared by every exchange. */
static void fill_halo_args(grid *G, int f, int tile, int d0, int d1, pack_arg *pa, unpack_arg *ua, unpack_arg *ua_old)
{
    const sd_graph *g = G->dm->g;
    size_t k = (size_t)f * G->nt + tile;
    pa->m = sd_eng_meter(G->dm->e, G->k_pack);
    ua->m = sd_eng_meter(G->dm->e, G->k_unpack);
    pa->e = ua->e = G->dm->e;
    pa->geom = ua->geom = &G->geom[k];
    int buffer = 1;
    for (int d = d0; d < d1; d++)
        for (int s = 0; s < 2; s++) {
            int nb = sd_tile_neighbor(&G->t, tile, d, s);
            if (nb >= 0 && nb != tile) { /* the same order as grid_expand.c's face handles */
                pa->axis[pa->nfaces] = d;
                pa->side[pa->nfaces++] = s;
            }
            unpack_action *a = &ua->act[ua->nact++];
            a->axis = d;
            a->side = s;
            if (nb == tile) a->kind = ACT_WRAP;
            else if (nb >= 0) {
                a->kind = ACT_FACE;
                a->buffer = buffer++;
            } else if (g->domain.bc[d] == SD_BC_REFLECTIVE) a->kind = ACT_REFLECT;
            else if (g->domain.bc[d] == SD_BC_FIXED) {
                a->kind = ACT_FIXED;
                a->value = g->domain.bc_value[d];
                uint64_t bits;
                memcpy(&bits, &a->value, sizeof bits);
                a->zero_start = bits == 0 && !sd_grid_absorbs(&G->t);
            } else {
                double cdt = g->domain.absorb_speed * g->run.dt, dx = g->domain.spacing[d];
                a->kind = ACT_ABSORB;
                a->value = (cdt - dx) / (cdt + dx);
            }
        }
    ua->nfaces = buffer - 1;
    const int sf = G->plan.support[f];
    if (sf >= 0) { /* the tasks that carry the support's tile bound the bins they copy by it */
        sd_halo_support *sup = &pa->sup;
        sup->geom = &G->geom[(size_t)sf * G->nt + tile];
        sup->fn = G->plan.support_fn[f];
        int64_t count[SD_MAX_INNER_AXES];
        for (int a = 0; a < g->domain.ninner; a++) count[a] = g->domain.inner[a].count;
        sd_bin_box_full(&sup->bins, g->domain.ninner, count);
        for (int a = 0; a < g->domain.ndim; a++) /* sd_plan_set_support allows fixed sides of 0 only */
            for (int s = 0; s < 2; s++)
                if (sd_tile_neighbor(&G->t, tile, a, s) < 0 && g->domain.bc[a] == SD_BC_FIXED)
                    sup->zero_sides[a] |= (unsigned char)(1 << s);
        ua->sup = *sup;
    }
    *ua_old = *ua;
    ua_old->old = buffer; /* the previous level comes after the faces */
}

static void make_halo_args(grid *G, int f, int tile)
{
    size_t k = (size_t)f * G->nt + tile;
    fill_halo_args(G, f, tile, 0, G->dm->g->domain.ndim, &G->pack_args[k], &G->unpack_args[k], &G->unpack_args_old[k]);
    if (!G->plan.box[f]) return;
    for (int d = 0; d < G->dm->g->domain.ndim; d++)
        fill_halo_args(G, f, tile, d, d + 1, &G->box_pack[k * 3 + d], &G->box_unpack[k * 3 + d],
                       &G->box_unpack_old[k * 3 + d]);
}

/* Every tile buffer must fit one StarPU vector and every snapshot the host's memory: checked
 * before anything is allocated. */
static int check_sizes(const grid *G, char *err, size_t errlen)
{
    const sd_graph *g = G->dm->g;
    for (int f = 0; f < g->nfields; f++) {
        const sd_gfield *fd = &g->fields[f];
        size_t es = sd_dtype_size(fd->dtype);
        const int64_t vpc = sd_field_values_per_cell(g, fd);
        for (int tl = 0; tl < G->nt; tl++) {
            int64_t o[3], n[3], stride[3], sc, off, total;
            sd_tile_box(&G->t, tl, o, n);
            sd_tile_layout(g->domain.ndim, n, G->plan.halo[f], vpc, stride, &sc, &off, &total);
            char what[256];
            snprintf(what, sizeof what, "a tile of field %s (%lldx%lldx%lld cells, ghost width %d, %d components)",
                     fd->name, (long long)n[0], (long long)n[1], (long long)n[2], G->plan.halo[f], fd->ncomp);
            if (vpc > 1 && fd->location == SD_LOC_BINS)
                snprintf(what + strlen(what) - 1, sizeof what - strlen(what) + 1, " on %lld bins)", (long long)(vpc / fd->ncomp));
            if (sd_eng_vector_fits(total, es, what, err, errlen) < 0) return -1;
            if (vpc > INT32_MAX) {
                snprintf(err, errlen, "%s holds %lld values per cell, more than %d", what, (long long)vpc, INT32_MAX);
                return -1;
            }
        }
    }
    for (int i = 0; i < g->output.nfields; i++) {
        const sd_gfield *fd = &g->fields[g->output.field[i]];
        uint64_t cells = (uint64_t)G->t.shape[0] * (uint64_t)G->t.shape[1] * (uint64_t)G->t.shape[2];
        if (cells > SIZE_MAX / sd_dtype_size(fd->dtype) / (uint64_t)sd_field_values_per_cell(g, fd)) {
            snprintf(err, errlen, "an output snapshot of field %s (%llu cells, %d components) does not fit in memory",
                     fd->name, (unsigned long long)cells, fd->ncomp);
            return -1;
        }
    }
    return 0;
}

static int alloc_tables(grid *G)
{
    const sd_graph *g = G->dm->g;
    const size_t nt = G->nt, nbuf = G->plan.nbuf, nslots = G->plan.nslots;
    G->tile_mem = calloc(nbuf * nt + 1, sizeof *G->tile_mem);
    G->tile_h = calloc(nbuf * nt + 1, sizeof *G->tile_h);
    G->face_mem = calloc(nbuf * nt * 6 + 1, sizeof *G->face_mem);
    G->face_h = calloc(nbuf * nt * 6 + 1, sizeof *G->face_h);
    G->part_mem = calloc(nslots + 1, sizeof *G->part_mem);
    G->part_h = calloc((nslots + 1) * nt * SD_PARTIAL_SETS, sizeof *G->part_h);
    G->geom = calloc((size_t)g->nfields * nt + 1, sizeof *G->geom);
    G->tmpl_init = calloc((size_t)(g->ninit + 1) * nt, sizeof *G->tmpl_init);
    G->tmpl_step = calloc((size_t)(g->nstep + 1) * nt, sizeof *G->tmpl_step);
    G->kind_init = calloc(g->ninit + 1, sizeof(int));
    G->kind_step = calloc(g->nstep + 1, sizeof(int));
    G->read_src = calloc(g->ninit + 1, sizeof *G->read_src);
    G->pack_args = calloc((size_t)g->nfields * nt + 1, sizeof *G->pack_args);
    G->unpack_args = calloc((size_t)g->nfields * nt + 1, sizeof *G->unpack_args);
    G->unpack_args_old = calloc((size_t)g->nfields * nt + 1, sizeof *G->unpack_args_old);
    int box = 0;
    for (int f = 0; f < g->nfields; f++) box |= G->plan.box[f];
    if (box) {
        G->box_pack = calloc((size_t)g->nfields * nt * 3, sizeof *G->box_pack);
        G->box_unpack = calloc((size_t)g->nfields * nt * 3, sizeof *G->box_unpack);
        G->box_unpack_old = calloc((size_t)g->nfields * nt * 3, sizeof *G->box_unpack_old);
        if (!G->box_pack || !G->box_unpack || !G->box_unpack_old) return -1;
    }
    return G->tile_mem && G->tile_h && G->face_mem && G->face_h && G->part_mem && G->part_h && G->geom &&
                   G->tmpl_init && G->tmpl_step && G->kind_init && G->kind_step && G->read_src && G->pack_args && G->unpack_args &&
                   G->unpack_args_old
               ? 0
               : -1;
}

static int register_buffers(grid *G, char *err, size_t errlen)
{
    const sd_graph *g = G->dm->g;
    const int nt = G->nt;
    for (int b = 0; b < G->plan.nbuf; b++) {
        int f = G->plan.buf_field[b];
        size_t es = sd_dtype_size(g->fields[f].dtype);
        char what[128], face[128];
        snprintf(what, sizeof what, "a tile of field %s", g->fields[f].name);
        snprintf(face, sizeof face, "a face buffer of field %s", g->fields[f].name);
        for (int tl = 0; tl < nt; tl++) {
            const sd_halo_geom *hg = &G->geom[f * nt + tl];
            int64_t stride[3], sc, off, total;
            sd_tile_layout(hg->ndim, hg->n, hg->h, hg->ncomp, stride, &sc, &off, &total);
            if (sd_eng_part_vector(G->dm->e, &G->tile_mem[b * nt + tl], &G->tile_h[b * nt + tl], total, es, tl, nt, what,
                                   err, errlen) < 0)
                return -1;
            if (hg->h == 0) continue;
            for (int d = 0; d < g->domain.ndim; d++)
                for (int s = 0; s < 2; s++) {
                    int nb = sd_tile_neighbor(&G->t, tl, d, s);
                    if (nb < 0 || nb == tl) continue; /* boundary, or wrapped in place */
                    size_t k = ((size_t)b * nt + tl) * 6 + 2 * d + s;
                    /* packed by its tile's rank, sent to the neighbour's */
                    if (sd_eng_part_vector(G->dm->e, &G->face_mem[k], &G->face_h[k], sd_face_count(hg, d), es, tl, nt, face,
                                           err, errlen) < 0)
                        return -1;
                }
        }
    }
    return 0;
}

/* The work keys of halo tasks (sd_eng_kind_work): the tile's cache lines their faces span. A
 * face's bytes say little of its cost (an x face of a field on bins is one value per line), so
 * tasks of one size may differ tenfold, and a prediction interpolated by bytes mixes them. */
/* (the keys are 32-bit: larger works share the largest) */
static uint32_t work_key(int64_t w) { return w > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)w; }
static uint32_t pack_work(const void *arg)
{
    const pack_arg *pa = arg;
    int64_t lines = 0;
    for (int i = 0; i < pa->nfaces; i++) lines += sd_face_lines(pa->geom, pa->axis[i]);
    return work_key(lines);
}
static uint32_t unpack_work(const void *arg)
{
    const unpack_arg *ua = arg;
    int64_t lines = 0;
    for (int i = 0; i < ua->nact; i++) /* a fixed side is written once per buffer (unpack_action) */
        if (ua->act[i].kind != ACT_FIXED) lines += sd_face_lines(ua->geom, ua->act[i].axis);
    return work_key(lines);
}

/* A fused task's work key: the cells its ops update, each on its grown box (a group of k steps of
 * m ops: k m boxes), so tasks of groups of other lengths or tiles have entries of their own. */
static uint32_t fused_work(const void *arg)
{
    const fused_arg *fa = arg;
    int64_t cells = 0;
    for (int k = 0; k < fa->nops; k++) {
        const fused_op_arg *o = &fa->op[k];
        int64_t c = 1;
        for (int d = 0; d < 3; d++)
            c *= o->T->a.n[d] + (fa->grow_lo[d] ? o->ext : 0) + (fa->grow_hi[d] ? o->ext : 0);
        cells += c;
    }
    return work_key(cells);
}

int sd_grid_create_with(sd_dm *dm, const sd_dm_opts *o, const sd_grid_hooks *hooks, char *err, size_t errlen)
{
    const sd_graph *g = dm->g;
    sd_engine *e = dm->e;
    grid *G = calloc(1, sizeof *G);
    if (!G) goto oom;
    dm->data = G;
    G->dm = dm;
    G->hooks = hooks;
    /* fused steps widen the ghost zones, and the tiles must be at least that wide */
    const int fuse = hooks ? 1 : o->fuse;
    G->fuse_asked = fuse;
    int hmax = 0, *width = calloc((size_t)g->nfields + 1, sizeof *width);
    if (!width) goto oom;
    for (int f = 0; f < g->nfields; f++) width[f] = g->fields[f].halo;
    if (fuse > 1 && sd_fuse_widths(g, fuse, width) < 0) {
        free(width);
        goto oom;
    }
    for (int f = 0; f < g->nfields; f++)
        if (width[f] > hmax) hmax = width[f];
    free(width);
    int64_t tile[3];
    if (o->parts[0] > 0) memcpy(tile, o->parts, sizeof tile);
    else if (!g->run.tiles_auto) memcpy(tile, g->run.tile, sizeof tile);
    else sd_tiling_auto(&g->domain, o->ncpu, o->ncuda, hmax, fuse > 1, tile);
    if (hooks && hooks->tiling) {
        if (hooks->tiling(dm, o, &G->t, err, errlen) < 0) return -1;
    } else if (sd_tiling_make(&G->t, &g->domain, tile, hmax, err, errlen) < 0)
        return -1;
    G->nt = G->t.ntiles;
    if (sd_plan_make(&G->plan, g, &G->t) < 0 || sd_plan_set_fuse(&G->plan, fuse) < 0 || alloc_tables(G) < 0) goto oom;
    if (check_sizes(G, err, errlen) < 0) return -1;
    const int nt = G->nt;
    G->k_pack = sd_eng_kind(e, "halo pack", "stardag.halo_pack", sd_grid_pack_cpu, CUDA_FN(sd_grid_pack_cuda));
    G->k_unpack = sd_eng_kind(e, "halo unpack", "stardag.halo_unpack", sd_grid_unpack_cpu, CUDA_FN(sd_grid_unpack_cuda));
    sd_eng_kind_work(e, G->k_pack, pack_work);
    sd_eng_kind_work(e, G->k_unpack, unpack_work);
    G->k_combine = sd_eng_combine_kind(e, "reduction combine", "stardag.combine");
    /* snapshots deliver to host memory: CPU only */
    G->k_snapshot = sd_eng_kind(e, "output snapshot", "stardag.snapshot", sd_grid_snapshot_cpu, NULL);
    /* io.read_field: the file is read on the host, so the copy into a tile runs on a CPU */
    G->k_read = sd_eng_kind(e, "field read", SD_READ_FIELD_MODEL, sd_grid_read_cpu, NULL);
    G->k_ckpt = sd_eng_kind(e, SD_ENG_CKPT_LABEL, "stardag.ckpt_snapshot", sd_grid_ckpt_cpu, NULL);
    /* fused groups call the ops' CPU kernels (grid_fused.c) */
    if (G->plan.fuse > 1) {
        G->k_fused = sd_eng_kind(e, "fused steps", "stardag.grid.fused", sd_grid_fused_cpu, NULL);
        sd_eng_kind_work(e, G->k_fused, fused_work);
        sd_eng_kind_simulation(e, G->k_fused, SD_SIMGRID_MODEL); /* the ops' work: their model's time */
    }
    G->plan.refill_fixed = starpu_memory_nodes_get_count() > 1;
    /* sparse exchanges: every rank must pack its faces as its neighbours unpack them */
    int sparse_ok = !G->plan.refill_fixed && !sd_halo_dense_asked();
    if (sd_ranks_on()) {
        int *all = calloc((size_t)sd_ranks_size(), sizeof *all);
        if (!all) goto oom;
        sd_ranks_allgather(&sparse_ok, all, sizeof sparse_ok);
        for (int r = 0; r < sd_ranks_size(); r++) sparse_ok &= all[r];
        free(all);
    }
    sd_plan_set_support(&G->plan, sparse_ok);
    for (int f = 0; f < g->nfields; f++)
        for (int tl = 0; tl < nt; tl++) {
            int64_t org[3], n[3];
            sd_tile_box(&G->t, tl, org, n);
            sd_halo_geom_make(&G->geom[f * nt + tl], g->domain.ndim, n, G->plan.halo[f],
                              (int)sd_field_values_per_cell(g, &g->fields[f]),
                              g->fields[f].dtype);
            G->geom[f * nt + tl].box = G->plan.box[f]; /* faces span the lower axes' ghosts */
            make_halo_args(G, f, tl);
        }
    if (register_buffers(G, err, errlen) < 0) return -1;
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        int init = i < g->ninit, k = init ? i : i - g->ninit;
        const sd_gop *op = init ? &g->init[k] : &g->step[k];
        int slot = init ? G->plan.slot_init[k] : G->plan.slot_step[k];
        if (op->read) {
            if (sd_grid_read_load(g, op, nt, &G->read_src[k], err, errlen) < 0) return -1;
            G->kind_init[k] = G->k_read;
            continue;
        }
        const int cuda = !hooks || !hooks->cuda_ok || hooks->cuda_ok(dm, op);
        (init ? G->kind_init : G->kind_step)[k] =
            sd_eng_op_kind(e, op->cl, sd_grid_op_cpu, cuda ? CUDA_FN(sd_grid_op_cuda) : NULL, dm->cls->cpu_fallback);
        for (int tl = 0; tl < nt; tl++) fill_tmpl(G, op, &(init ? G->tmpl_init : G->tmpl_step)[k * nt + tl], tl);
        if (slot < 0) continue;
        int np = sd_reduce_partials(op->cl);
        if (sd_eng_partials(G->dm->e, nt, np, &G->part_mem[slot], sd_eng_partials_slot(G->part_h, slot, nt)) < 0) goto oom;
    }
    /* what finish hooks see: the same as validate hooks did at load */
    G->info = (sd_check_info){.dt = g->run.dt};
    if (dm->cls->syntax->check_info) dm->cls->syntax->check_info(g, &G->info);
    return 0;
oom:
    snprintf(err, errlen, "out of memory allocating fields (%d tiles)", G ? G->nt : 0);
    return -1;
}

static int grid_create(sd_dm *dm, const sd_dm_opts *o, char *err, size_t errlen)
{
    return sd_grid_create_with(dm, o, NULL, err, errlen);
}

int sd_grid_ntiles(const sd_dm *dm) { return ((const grid *)dm->data)->nt; }

void sd_grid_tile_range(const sd_dm *dm, int tile, int64_t origin[3], int64_t n[3])
{
    sd_tile_box(&((const grid *)dm->data)->t, tile, origin, n);
}

void *sd_grid_tile_handle(const sd_dm *dm, int field, int level, int tile)
{
    const grid *G = dm->data;
    return G->tile_h[(size_t)sd_plan_buffer(&G->plan, field, level) * G->nt + tile];
}

static void grid_release(sd_dm *dm)
{
    grid *G = dm->data;
    sd_wait_tasks();
    size_t nt = G->nt, nbuf = G->plan.nbuf;
    for (size_t i = 0; G->tile_h && i < nbuf * nt; i++) sd_eng_vector_free(G->tile_mem[i], G->tile_h[i]);
    for (size_t i = 0; G->face_h && i < nbuf * nt * 6; i++) sd_eng_vector_free(G->face_mem[i], G->face_h[i]);
    for (int s = 0; G->part_mem && s < G->plan.nslots; s++) sd_eng_partials_free(G->nt, G->part_mem[s], sd_eng_partials_slot(G->part_h, s, G->nt));
    free(G->tile_mem); free(G->tile_h); free(G->face_mem); free(G->face_h); free(G->part_mem); free(G->part_h);
    G->tile_mem = G->face_mem = NULL;
    G->tile_h = G->face_h = G->part_h = NULL;
    G->part_mem = NULL;
}

static void grid_destroy(sd_dm *dm)
{
    grid *G = dm->data;
    free(G->pack_args); free(G->unpack_args); free(G->unpack_args_old);
    free(G->box_pack); free(G->box_unpack); free(G->box_unpack_old);
    for (int i = 0; G->read_src && i < dm->g->ninit; i++) sd_grid_read_free(G->read_src[i]);
    free(G->read_src);
    free(G->geom); free(G->tmpl_init); free(G->tmpl_step); free(G->kind_init); free(G->kind_step);
    sd_plan_free(&G->plan);
    sd_tiling_free(&G->t);
    free(G);
    dm->data = NULL;
}

/* ---- submission of what the expansion emits ---------------------------------------------- */

static starpu_data_handle_t handle_of(const grid *G, const sd_href *h, int64_t step)
{
    switch (h->kind) {
    case SD_H_TILE: return G->tile_h[(size_t)h->a * G->nt + h->b];
    case SD_H_FACE: return G->face_h[((size_t)h->a * G->nt + h->b) * 6 + h->c];
    case SD_H_PARTIAL: return sd_eng_partials_at(G->part_h, h->a, G->nt, step)[h->b];
    case SD_H_TABLE: return sd_eng_table(G->dm->e, h->a);
    default: return sd_eng_scalar(G->dm->e, h->a);
    }
}

/* A task the expansion emitted: its abstract data references resolved to handles. */
static int submit(grid *G, int kind, const sd_task *t, void *arg, size_t argsize, int owned)
{
    starpu_data_handle_t hs[64] = {0}, *h = t->nh > 64 ? sd_eng_xmalloc(t->nh * sizeof *h) : hs;
    enum starpu_data_access_mode ms[64] = {0}, *m = t->nh > 64 ? sd_eng_xmalloc(t->nh * sizeof *m) : ms;
    for (int i = 0; i < t->nh; i++) {
        h[i] = handle_of(G, &t->h[i], t->step);
        m[i] = sd_eng_mode(t->mode[i]);
    }
    int here = sd_eng_submit(G->dm->e, kind, t->tile, t->step, arg, argsize, owned, t->nh, h, m);
    if (h != hs) free(h);
    if (m != ms) free(m);
    return here;
}

/* io.read_field: the tile's part of the values read at creation */
static void emit_read(grid *G, const sd_task *t)
{
    sd_read_arg *ra = sd_eng_xmalloc(sizeof *ra);
    int64_t n[3];
    ra->geom = &G->geom[(size_t)t->op->bind[0].index * G->nt + t->tile];
    sd_tile_box(&G->t, t->tile, ra->origin, n);
    for (int d = 0; d < 3; d++) ra->shape[d] = G->t.shape[d];
    ra->src = G->read_src[t->op_index];
    ra->m = sd_eng_meter(G->dm->e, G->k_read);
    submit(G, G->k_read, t, ra, sizeof *ra, 1);
}

static void emit_op(grid *G, const sd_task *t)
{
    const sd_graph *g = G->dm->g;
    if (t->op->read) {
        emit_read(G, t);
        return;
    }
    op_arg *oa = sd_eng_xmalloc(sizeof *oa);
    int kind = t->init ? G->kind_init[t->op_index] : G->kind_step[t->op_index];
    const op_tmpl *base = (t->init ? G->tmpl_init : G->tmpl_step) + (size_t)t->op_index * G->nt;
    oa->e = G->dm->e;
    oa->sc = t->op->cl;
    oa->whole = t->tile < 0;
    oa->ntiles = G->nt;
    oa->tmpl = oa->whole ? base : base + t->tile;
    oa->step = t->step;
    oa->time = t->init ? 0.0 : (t->step - 1) * g->run.dt;
    oa->m = sd_eng_meter(G->dm->e, kind);
    submit(G, kind, t, oa, sizeof *oa, 1);
}

static void emit_combine(grid *G, const sd_task *t)
{
    sd_eng_submit_combine(G->dm->e, G->k_combine, t->op, t->step, G->nt, sd_eng_partials_at(G->part_h, t->slot, G->nt, t->step), &G->info);
}

static void emit_halo(grid *G, const sd_task *t)
{
    size_t k = (size_t)t->field * G->nt + t->tile;
    pack_arg *pa = &G->pack_args[k];
    unpack_arg *ua = t->old_buf >= 0 ? &G->unpack_args_old[k] : &G->unpack_args[k];
    if (t->box) { /* one axis of a full-box field's exchange */
        pa = &G->box_pack[k * 3 + t->axis];
        ua = t->old_buf >= 0 ? &G->box_unpack_old[k * 3 + t->axis] : &G->box_unpack[k * 3 + t->axis];
    }
    if (t->kind == SD_TASK_PACK) submit(G, G->k_pack, t, pa, sizeof *pa, 0);
    else submit(G, G->k_unpack, t, ua, sizeof *ua, 0);
}

static void emit_snapshot(grid *G, const sd_task *t)
{
    const sd_gfield *f = &G->dm->g->fields[t->field];
    sd_engine *e = G->dm->e;
    sd_record *rec = G->snap_rec;
    if (t->tile == 0) {
        rec = sd_eng_record_new(e, 1, t->step);
        rec->field = t->field;
        size_t n = (size_t)G->t.shape[0] * G->t.shape[1] * G->t.shape[2] * sd_field_values_per_cell(G->dm->g, f); /* checked at creation */
        rec->bytes = n * sd_dtype_size(f->dtype);
        rec->data = malloc(sd_eng_rank(e) == 0 ? rec->bytes : 1); /* rank 0's snapshot tasks fill it */
        if (!rec->data) {
            fprintf(stderr, "stardag: out of memory for the output of field %s\n", f->name);
            exit(SD_EXIT_RUNTIME);
        }
        rec->expected = G->nt;
        G->snap_rec = rec;
    }
    snap_arg *sa = sd_eng_xmalloc(sizeof *sa);
    sa->geom = &G->geom[t->field * G->nt + t->tile];
    int64_t n[3];
    sd_tile_box(&G->t, t->tile, sa->origin, n);
    for (int d = 0; d < 3; d++) sa->shape[d] = G->t.shape[d];
    sa->rec = rec;
    sa->m = sd_eng_meter(e, G->k_snapshot);
    if (!submit(G, G->k_snapshot, t, sa, sizeof *sa, 1)) sd_record_done(rec);
}

static void emit(void *ctx, const sd_task *t)
{
    grid *G = ctx;
    switch (t->kind) {
    case SD_TASK_OP: emit_op(G, t); break;
    case SD_TASK_COMBINE: emit_combine(G, t); break;
    case SD_TASK_PACK:
    case SD_TASK_UNPACK: emit_halo(G, t); break;
    case SD_TASK_SNAPSHOT: emit_snapshot(G, t); break;
    case SD_TASK_FUSED: sd_grid_emit_fused(G, t, submit); break;
    }
}

static void grid_submit_init(sd_dm *dm)
{
    grid *G = dm->data;
    sd_plan_init(&G->plan, emit, G);
}

static void grid_submit_step(sd_dm *dm, int64_t step)
{
    grid *G = dm->data;
    if (G->plan.fuse > 1) sd_grid_fuse_step(G, step, emit);
    else sd_plan_step(&G->plan, step, emit, G);
}

void sd_grid_flush(sd_dm *dm)
{
    grid *G = dm->data;
    if (G->plan.fuse > 1) sd_grid_fuse_flush(G, emit);
}

static void grid_submit_output(sd_dm *dm, int64_t step, int last, int fields_out)
{
    grid *G = dm->data;
    const sd_goutput *o = &dm->g->output;
    if (last) sd_grid_flush(dm); /* the run's last step: nothing held back past it */
    if (!fields_out || o->fields_every <= 0 || (step % o->fields_every && !last)) return;
    sd_grid_flush(dm);
    for (int i = 0; i < o->nfields; i++) sd_plan_snapshot(&G->plan, o->field[i], o->field_level[i], step, emit, G);
}

static int grid_write_snapshot(sd_dm *dm, const sd_record *r, struct sd_h5out *out, char *err, size_t errlen)
{
    return out ? sd_dm_write_field_record(dm, r, out, err, errlen) : 0;
}

/* Output fields on bins: the run's file records their inner axes. */
static int grid_open_output(sd_dm *dm, struct sd_h5out *out, char *err, size_t errlen)
{
    const sd_graph *g = dm->g;
    const sd_domain *D = &g->domain;
    const char *names[SD_MAX_INNER];
    int64_t counts[SD_MAX_INNER];
    double lo[SD_MAX_INNER], hi[SD_MAX_INNER];
    for (int k = 0; k < D->ninner; k++) {
        names[k] = D->inner[k].name;
        counts[k] = D->inner[k].count;
        lo[k] = D->inner[k].lo;
        hi[k] = D->inner[k].hi;
    }
    for (int i = 0; out && i < g->output.nfields; i++)
        if (g->fields[g->output.field[i]].location == SD_LOC_BINS &&
            sd_h5out_field_inner(out, i, D->ninner, names, counts, lo, hi, err, errlen) < 0)
            return -1;
    return 0;
}

static void grid_field_layout(const sd_dm *dm, int *ndim, int64_t shape[3], double spacing[3])
{
    const sd_domain *D = &dm->g->domain;
    *ndim = D->ndim;
    memcpy(shape, D->shape, sizeof D->shape);
    memcpy(spacing, D->spacing, sizeof D->spacing);
}

static void grid_describe(const sd_dm *dm, char *buf, size_t len)
{
    const grid *G = dm->data;
    int64_t o[3], n[3];
    sd_tile_box(&G->t, 0, o, n);
    int k = snprintf(buf, len, "%d tiles (%dx%dx%d) of %lldx%lldx%lld cells", G->t.ntiles, G->t.nt[0], G->t.nt[1],
                     G->t.nt[2], (long long)n[0], (long long)n[1], (long long)n[2]);
    if (G->plan.fuse > 1 && k > 0 && (size_t)k < len) snprintf(buf + k, len - k, ", fused x%d", G->plan.fuse);
}

static const char *const grid_locations[] = {"cells", "bins", NULL}; /* SD_LOC_CELLS, SD_LOC_BINS */

extern const sd_dm_syntax sd_grid_syntax; /* graph/domain_grid.c */

const sd_dm_class sd_dm_grid = {
    .name = "grid",
    .kind = SD_DOMAIN_GRID,
    .codelets = SD_ON_GRID,
    .patterns = 1u << SD_POINTWISE | 1u << SD_STENCIL | 1u << SD_REDUCTION | 1u << SD_WHOLE,
    .locations = grid_locations,
    .run_file_fields = 1,
    .syntax = &sd_grid_syntax,
    .create = grid_create,
    .submit_init = grid_submit_init,
    .submit_step = grid_submit_step,
    .submit_output = grid_submit_output,
    .open_output = grid_open_output,
    .write_snapshot = grid_write_snapshot,
    .field_layout = grid_field_layout,
    .describe = grid_describe,
    .release = grid_release,
    .destroy = grid_destroy,
    .submit_checkpoint = sd_grid_submit_checkpoint,
    .restore = sd_grid_restore,
    .flush = sd_grid_flush,
    .report = sd_grid_fuse_report,
};
