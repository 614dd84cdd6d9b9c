/* mesh.c - the mesh domain class: a closed triangle mesh cut into partitions (mesh_part.c), per
 * partition its topology and one StarPU vector per field (its local vertices or faces, ghosts
 * included), per field the exported values its neighbours hold as ghosts; the expansion of ops
 * into partition tasks (pointwise, reduction, scatter-add; an op of scalars only as one task) with
 * the ghost refreshes they need; whole-field snapshots for output.
 *
 * Ghosts: after an op writes a field, its ghost copies are stale; before an op reads the field
 * with a halo, each partition packs its exported values (one task) and each partition copies its
 * ghosts from its sources' packs (one task). Packs are buffers of their own, so no partition's task
 * waits on another's field: the same scheme as the grid's halo faces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "mesh_impl.h"
#include "ranks.h"

#ifdef SD_HAVE_CUDA
#define OP_CUDA sd_mesh_op_cuda
#else
#define OP_CUDA NULL
#endif

sd_mesh_elems sd_mesh_field_elems(const mdomain *D, int field, int part)
{
    const sd_mlocal *m = &D->parts.part[part];
    switch (D->dm->g->fields[field].location) {
    case SD_MESH_FACES: return (sd_mesh_elems){m->nf, m->nf_own, D->M->nf, m->fid};
    case SD_MESH_EDGES: return (sd_mesh_elems){m->ne, m->ne_own, D->M->ne, m->eid};
    default: return (sd_mesh_elems){m->nv, m->nv_own, D->M->nv, m->vid};
    }
}

static int field_has_ghosts(const sd_graph *g, int f)
{
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const sd_gop *op = i < g->ninit ? &g->init[i] : &g->step[i - g->ninit];
        for (int r = 0; r < op->cl->nroles; r++)
            if (!op->bind[r].is_scalar && op->bind[r].index == f && op->cl->roles[r].halo > 0) return 1;
    }
    return 0;
}

/* A buffer of partition p: memory only on the rank that owns it (sd_eng_part_vector). */
static int reg(mdomain *D, int p, void **mem, starpu_data_handle_t *h, int64_t count, size_t es, const char *what, char *err,
               size_t errlen)
{
    return sd_eng_part_vector(D->dm->e, mem, h, count < 1 ? 1 : count, es, p, D->np, what, err, errlen);
}

static int register_parts(mdomain *D, char *err, size_t errlen)
{
    const sd_graph *g = D->dm->g;
    unsigned char ghosts[D->nf + 1];
    for (int f = 0; f < D->nf; f++) ghosts[f] = (unsigned char)field_has_ghosts(g, f);
    for (int p = 0; p < D->np; p++) {
        const sd_mlocal *m = &D->parts.part[p];
        if (reg(D, p, &MEM(D, T_TRI, p), &HND(D, T_TRI, p), 3 * m->nf, sizeof(int32_t), "a partition's faces", err, errlen) ||
            reg(D, p, &MEM(D, T_CSTART, p), &HND(D, T_CSTART, p), m->nv_ring1 + 1, sizeof(int64_t), "a partition's corner starts", err, errlen) ||
            reg(D, p, &MEM(D, T_CORNER, p), &HND(D, T_CORNER, p), m->cstart[m->nv_ring1], sizeof(int32_t), "a partition's corners", err, errlen) ||
            reg(D, p, &MEM(D, T_VID, p), &HND(D, T_VID, p), m->nv, sizeof(int64_t), "a partition's vertex ids", err, errlen) ||
            reg(D, p, &MEM(D, T_FID, p), &HND(D, T_FID, p), m->nf, sizeof(int64_t), "a partition's face ids", err, errlen) ||
            reg(D, p, &MEM(D, T_EDGES, p), &HND(D, T_EDGES, p), sd_mlocal_edge_layout(m).words, sizeof(int64_t),
                "a partition's edges", err, errlen))
            return -1;
        for (int f = 0; f < D->nf; f++) {
            const int64_t n = sd_mesh_field_count(D, f, p) * g->fields[f].ncomp;
            if (reg(D, p, &MEM(D, T_FIELD + f, p), &HND(D, T_FIELD + f, p), n, sizeof(double), "a partition's field", err, errlen))
                return -1;
            /* filled by p's rank, sent to the ranks of its importers */
            if (ghosts[f] && reg(D, p, &D->send_mem[(size_t)f * D->np + p], &D->send_h[(size_t)f * D->np + p],
                                 m->nexport * g->fields[f].ncomp, sizeof(double), "a partition's exported values", err, errlen))
                return -1;
        }
        if (!MEM(D, T_TRI, p)) continue; /* another rank's partition: it fills its own */
        /* host memory is StarPU's copy until the first task */
        memcpy(MEM(D, T_TRI, p), m->tri, sizeof(int32_t) * (size_t)(3 * m->nf));
        memcpy(MEM(D, T_CSTART, p), m->cstart, sizeof(int64_t) * (size_t)(m->nv_ring1 + 1));
        memcpy(MEM(D, T_CORNER, p), m->corner, sizeof(int32_t) * (size_t)m->cstart[m->nv_ring1]);
        memcpy(MEM(D, T_VID, p), m->vid, sizeof(int64_t) * (size_t)m->nv);
        memcpy(MEM(D, T_FID, p), m->fid, sizeof(int64_t) * (size_t)m->nf);
        sd_mlocal_edge_pack(m, MEM(D, T_EDGES, p));
        /* the initial positions, ghosts included (their copies are current) */
        double *x = MEM(D, T_FIELD + D->M->position, p);
        for (int64_t i = 0; i < m->nv; i++)
            for (int c = 0; c < 3; c++) x[i + c * m->nv] = D->M->x[3 * m->vid[i] + c];
    }
    return 0;
}

static int alloc_tables(mdomain *D)
{
    const sd_graph *g = D->dm->g;
    const size_t np = (size_t)D->np, nops = (size_t)(g->ninit + g->nstep) + 1;
    D->mem = calloc((size_t)D->nkinds * np, sizeof *D->mem);
    D->h = calloc((size_t)D->nkinds * np, sizeof *D->h);
    D->send_mem = calloc((size_t)D->nf * np + 1, sizeof *D->send_mem);
    D->send_h = calloc((size_t)D->nf * np + 1, sizeof *D->send_h);
    D->stale = calloc((size_t)D->nf + 1, sizeof *D->stale);
    D->slot_init = calloc(nops, sizeof(int));
    D->slot_step = calloc(nops, sizeof(int));
    D->kind_init = calloc(nops, sizeof(int));
    D->kind_step = calloc(nops, sizeof(int));
    D->part_mem = calloc(nops, sizeof *D->part_mem);
    D->part_h = calloc(nops * np * SD_PARTIAL_SETS, sizeof *D->part_h);
    return D->mem && D->h && D->send_mem && D->send_h && D->stale && D->slot_init && D->slot_step && D->kind_init &&
                   D->kind_step && D->part_mem && D->part_h
               ? 0
               : -1;
}

/* The largest scratch any op asks for in any partition. */
static int64_t scratch_doubles(const mdomain *D)
{
    const sd_graph *g = D->dm->g;
    int64_t most = 0;
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const sd_codelet *c = (i < g->ninit ? &g->init[i] : &g->step[i - g->ninit])->cl;
        for (int p = 0; p < D->np; p++) {
            const sd_mlocal *m = &D->parts.part[p];
            const int64_t n = (int64_t)c->scratch_v * m->nv + (int64_t)c->scratch_f * m->nf;
            if (n > most) most = n;
        }
    }
    return most;
}

/* The partition counts mesh_create and sd_mparts_make accept. */
static int parts_count_ok(int64_t np, int64_t nv, char *err, size_t errlen)
{
    if (np > SD_MAX_MESH_PARTS) {
        snprintf(err, errlen, "%lld mesh partitions: at most %d (a snapshot task holds one buffer of each)", (long long)np,
                 SD_MAX_MESH_PARTS);
        return -1;
    }
    if (np > nv) {
        snprintf(err, errlen, "%lld mesh partitions for %lld vertices (expected 1 to the vertex count)", (long long)np,
                 (long long)nv);
        return -1;
    }
    return 0;
}

/* --tiles N: a number of partitions. */
static int mesh_parts_check(const sd_graph *g, const int64_t parts[3], char *err, size_t errlen)
{
    if (sd_dm_parts_count_only(parts, "a mesh takes a number of partitions", err, errlen)) return -1;
    return parts_count_ok(parts[0], g->domain.mesh.nv, err, errlen);
}

static int mesh_create(sd_dm *dm, const sd_dm_opts *o, char *err, size_t errlen)
{
    const sd_graph *g = dm->g;
    sd_engine *e = dm->e;
    mdomain *D = calloc(1, sizeof *D);
    if (!D) goto oom;
    dm->data = D;
    D->dm = dm;
    D->M = &g->domain.mesh;
    int np = o->parts[0] > 0 ? (int)o->parts[0] : D->M->nparts;
    if (np <= 0) np = sd_mparts_auto(D->M->nv, o->ncpu + o->ncuda);
    if (parts_count_ok(np, D->M->nv, err, errlen) < 0) return -1;
    if (sd_mparts_make(D->M->nv, D->M->nf, D->M->x, D->M->tri, np, &D->parts, err, errlen) < 0) return -1;
    if (D->M->ne && sd_mparts_edges(&D->parts, D->M->nv, D->M->ne, D->M->edge, err, errlen) < 0) return -1;
    D->np = np;
    D->nf = g->nfields;
    D->nkinds = T_FIELD + D->nf;
    if (alloc_tables(D) < 0) goto oom;
    D->info = (sd_check_info){.dt = g->run.dt};
    if (dm->cls->syntax->check_info) dm->cls->syntax->check_info(g, &D->info);
    if (register_parts(D, err, errlen) < 0 || sd_mesh_whole_setup(D, err, errlen) < 0) return -1;
    if ((D->scratch_count = scratch_doubles(D)) > 0) {
        if (sd_eng_vector_fits(D->scratch_count, sizeof(double), "a mesh op's scratch", err, errlen) < 0) return -1;
        starpu_vector_data_register(&D->scratch, -1, 0, (uint32_t)D->scratch_count, sizeof(double));
    }
    D->k_pack = sd_eng_kind(e, "ghost pack", "stardag.mesh.pack", sd_mesh_pack_cpu, NULL);
    D->k_unpack = sd_eng_kind(e, "ghost refresh", "stardag.mesh.unpack", sd_mesh_unpack_cpu, NULL);
    D->k_combine = sd_eng_combine_kind(e, "reduction combine", "stardag.mesh.combine");
    /* snapshots deliver to host memory: CPU only */
    D->k_snapshot = sd_eng_kind(e, "output snapshot", "stardag.mesh.snapshot", sd_mesh_snapshot_cpu, NULL);
    D->k_ckpt = sd_eng_kind(e, SD_ENG_CKPT_LABEL, "stardag.mesh.ckpt", sd_mesh_snapshot_cpu, NULL);
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const int init = i < g->ninit, k = init ? i : i - g->ninit;
        const sd_gop *op = init ? &g->init[k] : &g->step[k];
        const int whole = op->cl->pattern == SD_WHOLE, fields = whole && sd_mesh_whole_op(op->cl);
        (init ? D->kind_init : D->kind_step)[k] =
            sd_eng_op_kind(e, op->cl, fields ? sd_mesh_whole_cpu : whole ? sd_mesh_scalar_op_cpu : sd_mesh_op_cpu,
                           whole ? NULL : OP_CUDA, dm->cls->cpu_fallback);
        if (whole) sd_eng_kind_simulation(e, (init ? D->kind_init : D->kind_step)[k], SD_SIMGRID_MEASURED); /* they deliver records */
        int *slot = init ? &D->slot_init[k] : &D->slot_step[k];
        *slot = -1;
        if (!sd_pattern_reduces(op->cl->pattern) || !sd_reduce_partials(op->cl)) continue;
        *slot = D->nslots++;
        if (sd_eng_partials(D->dm->e, np, sd_reduce_partials(op->cl), &D->part_mem[*slot], sd_eng_partials_slot(D->part_h, *slot, np)) < 0)
            goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory setting up a mesh of %lld vertices", (long long)g->domain.mesh.nv);
    return -1;
}

static void mesh_release(sd_dm *dm)
{
    mdomain *D = dm->data;
    sd_wait_tasks();
    for (size_t i = 0; D->mem && i < (size_t)D->nkinds * D->np; i++) sd_eng_vector_free(D->mem[i], D->h[i]);
    for (size_t i = 0; D->send_h && i < (size_t)D->nf * D->np; i++) /* another rank's: a handle, no memory */
        if (D->send_h[i]) sd_eng_vector_free(D->send_mem[i], D->send_h[i]);
    for (int s = 0; D->part_mem && s < D->nslots; s++) sd_eng_partials_free(D->np, D->part_mem[s], sd_eng_partials_slot(D->part_h, s, D->np));
    if (D->scratch) starpu_data_unregister(D->scratch);
    free(D->mem); free(D->h); free(D->send_mem); free(D->send_h); free(D->part_mem); free(D->part_h);
    D->mem = NULL; D->h = NULL; D->send_mem = NULL; D->send_h = NULL; D->part_mem = NULL; D->part_h = NULL;
    D->scratch = NULL;
}

static void mesh_destroy(sd_dm *dm)
{
    mdomain *D = dm->data;
    if (!D) return;
    free(D->stale); free(D->slot_init); free(D->slot_step); free(D->kind_init); free(D->kind_step);
    free(D->export_x);
    sd_mesh_whole_free(D);
    sd_mparts_free(&D->parts);
    free(D);
    dm->data = NULL;
}

/* ---- expansion ---------------------------------------------------------------------------------- */

static sd_hlist L; /* the task being submitted (one submitting thread) */

static void add(starpu_data_handle_t h, enum starpu_data_access_mode m) { sd_hlist_add(&L, h, m, "partitions"); }

static void refresh_ghosts(mdomain *D, int f, int64_t step)
{
    sd_engine *e = D->dm->e;
    for (int q = 0; q < D->np; q++) {
        if (!D->parts.part[q].nexport) continue;
        mghost_arg *a = sd_eng_xmalloc(sizeof *a);
        *a = (mghost_arg){sd_eng_meter(e, D->k_pack), D, f, q};
        L.n = 0;
        add(HND(D, T_FIELD + f, q), STARPU_R);
        add(D->send_h[(size_t)f * D->np + q], STARPU_W);
        sd_eng_submit(e, D->k_pack, q, step, a, sizeof *a, 1, L.n, L.h, L.m);
    }
    for (int p = 0; p < D->np; p++) {
        const sd_mlocal *m = &D->parts.part[p];
        if (m->nv == m->nv_own) continue;
        mghost_arg *a = sd_eng_xmalloc(sizeof *a);
        *a = (mghost_arg){sd_eng_meter(e, D->k_unpack), D, f, p};
        L.n = 0;
        for (int s = 0; s < m->nsrc; s++) add(D->send_h[(size_t)f * D->np + m->src[s]], STARPU_R);
        add(HND(D, T_FIELD + f, p), STARPU_RW);
        sd_eng_submit(e, D->k_unpack, p, step, a, sizeof *a, 1, L.n, L.h, L.m);
    }
    D->stale[f] = 0;
}

static void submit_scalar_op(mdomain *D, const sd_gop *op, int kind, int64_t step)
{
    sd_engine *e = D->dm->e;
    mop_arg *a = sd_eng_xmalloc(sizeof *a);
    *a = (mop_arg){sd_eng_meter(e, kind), D, op, -1, step, sd_eng_step_scalars(e, step)};
    sd_record *rec = a->rec;
    rec->expected++;
    L.n = 0;
    for (int r = 0; r < op->cl->nroles; r++) add(sd_eng_scalar(e, op->bind[r].index), sd_eng_mode(op->bind[r].mode));
    if (!sd_eng_submit(e, kind, -1, step, a, sizeof *a, 1, L.n, L.h, L.m)) sd_record_done(rec);
}

static void submit_op(mdomain *D, const sd_gop *op, int k, int init, int64_t step)
{
    sd_engine *e = D->dm->e;
    const sd_codelet *c = op->cl;
    const int kind = init ? D->kind_init[k] : D->kind_step[k], slot = init ? D->slot_init[k] : D->slot_step[k];
    starpu_data_handle_t *partials = slot < 0 ? NULL : sd_eng_partials_at(D->part_h, slot, D->np, step);
    if (c->pattern == SD_WHOLE) {
        if (sd_mesh_whole_op(c)) sd_mesh_whole_submit(D, op, kind, step, &L);
        else submit_scalar_op(D, op, kind, step);
        return;
    }
    for (int r = 0; r < c->nroles; r++)
        if (!op->bind[r].is_scalar && c->roles[r].halo > 0 && D->stale[op->bind[r].index])
            refresh_ghosts(D, op->bind[r].index, step);
    for (int p = 0; p < D->np; p++) {
        mop_arg *a = sd_eng_xmalloc(sizeof *a);
        *a = (mop_arg){sd_eng_meter(e, kind), D, op, p, step, NULL};
        L.n = 0;
        for (int t = 0; t < T_FIELD; t++) add(HND(D, t, p), STARPU_R);
        for (int r = 0; r < c->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (b->is_scalar) {
                if (b->mode == SD_READ) add(sd_eng_scalar(e, b->index), STARPU_R);
                continue;
            }
            add(HND(D, T_FIELD + b->index, p), sd_eng_mode(c->roles[r].mode));
        }
        if (c->scratch_v || c->scratch_f) add(D->scratch, STARPU_SCRATCH);
        if (partials) add(partials[p], STARPU_W);
        sd_eng_submit(e, kind, p, step, a, sizeof *a, 1, L.n, L.h, L.m);
    }
    if (partials) sd_eng_submit_combine(e, D->k_combine, op, step, D->np, partials, &D->info);
    for (int r = 0; r < c->nroles; r++)
        if (!op->bind[r].is_scalar && c->roles[r].mode != SD_READ) D->stale[op->bind[r].index] = 1;
}

static void mesh_submit_init(sd_dm *dm)
{
    const sd_graph *g = dm->g;
    for (int k = 0; k < g->ninit; k++) submit_op(dm->data, &g->init[k], k, 1, 0);
}

static void mesh_submit_step(sd_dm *dm, int64_t step)
{
    const sd_graph *g = dm->g;
    for (int k = 0; k < g->nstep; k++)
        if (sd_op_due(&g->step[k], step)) submit_op(dm->data, &g->step[k], k, 0, step);
}

/* One whole-field snapshot (field -1: the positions for the exported mesh). */
static void snapshot(mdomain *D, int field, int64_t step)
{
    sd_engine *e = D->dm->e;
    const sd_graph *g = D->dm->g;
    const int f = field < 0 ? D->M->position : field;
    const int64_t n = sd_mesh_field_elems(D, f, 0).global;
    sd_record *r = sd_eng_record_new(e, 1, step);
    r->field = field;
    r->expected = 1;
    r->bytes = sizeof(double) * (size_t)(n * g->fields[f].ncomp);
    r->data = malloc(r->bytes);
    if (!r->data) {
        fprintf(stderr, "stardag: out of memory for an output snapshot of field %s\n", g->fields[f].name);
        exit(SD_EXIT_RUNTIME);
    }
    msnap_arg *a = sd_eng_xmalloc(sizeof *a);
    *a = (msnap_arg){sd_eng_meter(e, D->k_snapshot), D, f, r};
    L.n = 0;
    for (int p = 0; p < D->np; p++) add(HND(D, T_FIELD + f, p), STARPU_R);
    if (!sd_eng_submit(e, D->k_snapshot, -1, step, a, sizeof *a, 1, L.n, L.h, L.m)) sd_record_done(r);
}

static void mesh_submit_output(sd_dm *dm, int64_t step, int last, int fields_out)
{
    mdomain *D = dm->data;
    const sd_goutput *o = &dm->g->output;
    if (fields_out && o->fields_every > 0 && (step % o->fields_every == 0 || last))
        for (int i = 0; i < o->nfields; i++) snapshot(D, o->field[i], step);
    if (last && dm->own_output) snapshot(D, -1, step);
}

static const char *const mesh_locations[] = {"vertices", "faces", "edges", NULL};

extern const sd_dm_syntax sd_mesh_syntax; /* graph/domain_mesh.c */

const sd_dm_class sd_dm_mesh = {
    .name = "mesh",
    .kind = SD_DOMAIN_MESH,
    .codelets = SD_ON_MESH,
    .patterns = 1u << SD_POINTWISE | 1u << SD_REDUCTION | 1u << SD_SCATTER_ADD | 1u << SD_WHOLE,
    .locations = mesh_locations,
    .syntax = &sd_mesh_syntax,
    /* the ops of scalars only (a line search's decision) run on CPUs; others without CUDA join them */
    .cpu_fallback = 1,
    .scalar_ops = 1,
    .scratch = 1,
    .run_file_fields = 1,
    .own_output_noun = "exported mesh",
    .parts_check = mesh_parts_check,
    .create = mesh_create,
    .submit_init = mesh_submit_init,
    .submit_step = mesh_submit_step,
    .submit_output = mesh_submit_output,
    .open_output = sd_mesh_open_output,
    .close_output = sd_mesh_close_output,
    .write_snapshot = sd_mesh_write_snapshot,
    .field_layout = sd_mesh_field_layout,
    .describe = sd_mesh_describe,
    .rate = sd_mesh_rate,
    .report = sd_mesh_report,
    .report_output = sd_mesh_report_output,
    .release = mesh_release,
    .destroy = mesh_destroy,
    .submit_checkpoint = sd_mesh_submit_checkpoint,
    .restore = sd_mesh_restore,
};
