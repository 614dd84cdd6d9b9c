/* particles.c - the particle domain class (molecular dynamics): per-block buffers, the expansion
 * of ops into block tasks (pointwise, neighbour-block, reduction, whole), the neighbour-list
 * rebuild and ghost preparation tasks, and trajectory snapshots. The work itself is in
 * particles_blocks.c and the md pack; the task bodies (particles_tasks.c) only bind buffers.
 *
 * Per step, ops run in the graph's order. Before the first op that needs neighbours (pattern
 * SD_NEIGHBOR, or a reduction with a halo role) after the positions changed, the expansion adds:
 *  - on rebuild steps (the first use, then every `every` steps): the rebuild (particles_rebuild.c:
 *    per block, migration of the particles that left the brick to its neighbours, sort, ghost
 *    plans; with `check` it first decides from the largest displacement whether to rebuild at
 *    all), then per block a task that builds the ghosts and the neighbour lists (or, when the
 *    check decided against a rebuild, refreshes the ghosts);
 *  - on other steps, per block a ghost refresh: the neighbour blocks' positions, imaged.
 * Nothing waits on the host: decisions travel in the block headers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "particles_impl.h"
#include "run_status.h"
#include "ranks.h"

#ifdef SD_HAVE_CUDA
#define OP_CUDA sd_particles_op_cuda
#else
#define OP_CUDA NULL
#endif

/* ---- set-up ----------------------------------------------------------------------------------- */

/* Buffer kind k of block b: memory only on the rank that owns the block (sd_eng_part_vector). */
static int reg(pdomain *D, int k, int b, int64_t count, size_t es, char *err, size_t errlen)
{
    static const char *const what[] = {"a block header", "a block's ids", "a block's types", "a block's positions at "
                                       "the last rebuild", "a block's ghost plan", "a block's neighbourhood positions",
                                       "a block's neighbourhood types", "a block's neighbourhood ids",
                                       "a block's list starts", "a block's neighbour lists", "a block's cell starts",
                                       "a block's outgoing particles", "a block's rebuild status",
                                       "a block's exported positions", "a block's exported ids",
                                       "a block's exported types", "a block's field"};
    if (count < 1) count = 1;
    if ((size_t)count * es > D->kind_bytes[k]) D->kind_bytes[k] = (size_t)count * es; /* the largest block's */
    return sd_eng_part_vector(D->dm->e, &MEM(D, k, b), &HND(D, k, b), count, es, b, D->nb,
                              what[k < K_FIELD ? k : K_FIELD], err, errlen);
}

static int alloc_tables(pdomain *D)
{
    const sd_graph *g = D->dm->g;
    const int nb = D->nb, nf = D->nf;
    D->ncomp = calloc(nf + 1, sizeof *D->ncomp);
    D->mem = calloc((size_t)D->nbufkinds * nb, sizeof *D->mem);
    D->h = calloc((size_t)D->nbufkinds * nb, sizeof *D->h);
    D->host_blocks = calloc(nb, sizeof *D->host_blocks);
    D->host_fields = calloc((size_t)nb * nf + 1, sizeof *D->host_fields);
    D->list_scratch = calloc(nb, sizeof *D->list_scratch);
    D->list_scratch_bytes = calloc(nb, sizeof *D->list_scratch_bytes);
    D->mig_scratch = calloc(nb, sizeof *D->mig_scratch);
    D->kind_bytes = calloc(D->nbufkinds, sizeof *D->kind_bytes);
    D->own = calloc(nb, sizeof *D->own);
    D->slot_init = calloc(g->ninit + 1, sizeof(int));
    D->slot_step = calloc(g->nstep + 1, sizeof(int));
    D->kind_init = calloc(g->ninit + 1, sizeof(int));
    D->kind_step = calloc(g->nstep + 1, sizeof(int));
    D->part_mem = calloc(g->ninit + g->nstep + 1, sizeof *D->part_mem);
    D->part_h = calloc((size_t)(g->ninit + g->nstep + 1) * nb * SD_PARTIAL_SETS, sizeof *D->part_h);
    return D->ncomp && D->mem && D->h && D->host_blocks && D->host_fields && D->list_scratch &&
                   D->list_scratch_bytes && D->mig_scratch && D->kind_bytes && D->own && D->slot_init && D->slot_step &&
                   D->kind_init && D->kind_step && D->part_mem && D->part_h
               ? 0
               : -1;
}

void sd_particles_point_host_blocks(pdomain *D)
{
    for (int b = 0; b < D->nb; b++) {
        sd_pbuf *p = &D->host_blocks[b];
        p->hdr = MEM(D, K_HDR, b);
        p->id = MEM(D, K_ID, b);
        p->type = MEM(D, K_TYPE, b);
        p->x0 = MEM(D, K_X0, b);
        p->plan = MEM(D, K_PLAN, b);
        p->cs = MEM(D, K_CS, b);
        p->fld = D->host_fields + (size_t)b * D->nf;
        for (int f = 0; f < D->nf; f++) p->fld[f] = MEM(D, K_FIELD + f, b);
    }
}

static int register_blocks(pdomain *D, char *err, size_t errlen)
{
    const int64_t ch = D->geom.cap_h, cg = D->geom.cap_g, cl = D->geom.cap_l, par = !D->serial_rebuild;
    const sd_prebuild_req req = {.geom = &D->geom, .nfields = D->nf, .ncomp = D->ncomp};
    if (sd_eng_vector((void **)&D->dec_mem, &D->dec_h, 1, sizeof(sd_pdecision), "the rebuild's decision", err, errlen))
        return -1;
    sd_eng_own(D->dm->e, D->dec_h, -1, 1); /* decided on rank 0, read by every block's migration */
    for (int b = 0; b < D->nb; b++) {
        const int64_t ce = D->geom.cap_e ? D->geom.cap_e[b] : 0;
        const int64_t out_words = par ? (int64_t)((sd_pout_bytes(&D->geom, &req, b) + 7) / 8) : 1;
        if (reg(D, K_HDR, b, 1, sizeof(sd_phdr), err, errlen) || reg(D, K_ID, b, ch, sizeof(int64_t), err, errlen) ||
            reg(D, K_TYPE, b, ch, sizeof(int32_t), err, errlen) || reg(D, K_X0, b, 3 * ch, sizeof(double), err, errlen) ||
            reg(D, K_PLAN, b, cg, sizeof(md_ghost), err, errlen) ||
            reg(D, K_XV, b, 3 * (ch + cg), sizeof(double), err, errlen) ||
            reg(D, K_TV, b, ch + cg, sizeof(int32_t), err, errlen) || reg(D, K_IV, b, ch + cg, sizeof(int64_t), err, errlen) ||
            reg(D, K_START, b, ch + 1, sizeof(int64_t), err, errlen) || reg(D, K_NBR, b, cl, sizeof(int32_t), err, errlen) ||
            reg(D, K_CS, b, sd_pcs_words(&D->geom), sizeof(int64_t), err, errlen) ||
            reg(D, K_OUT, b, out_words, sizeof(int64_t), err, errlen) ||
            reg(D, K_STAT, b, 1, sizeof(sd_pblockstat), err, errlen) ||
            reg(D, K_EXX, b, 3 * ce, sizeof(double), err, errlen) || reg(D, K_EXID, b, ce, sizeof(int64_t), err, errlen) ||
            reg(D, K_EXTYPE, b, ce, sizeof(int32_t), err, errlen))
            return -1;
        for (int f = 0; f < D->nf; f++)
            if (reg(D, K_FIELD + f, b, (int64_t)D->ncomp[f] * ch, sizeof(double), err, errlen)) return -1;
        D->own[b] = MEM(D, K_HDR, b) != NULL;
        /* the parallel rebuild's migration runs where the block is */
        if (par && D->own[b] && !(D->mig_scratch[b] = malloc(sd_prebuild_block_scratch_bytes(&D->geom)))) {
            snprintf(err, errlen, "out of memory allocating the rebuild's scratch of %d particle blocks", D->nb);
            return -1;
        }
    }
    sd_particles_point_host_blocks(D);
    return 0;
}

/* Whether op's CUDA implementation may run: a CUDA task reads its block's counts from the host copy
 * of the header, which exists on the block's owner rank only, and a task runs where what it writes
 * is owned. So: one block (not a whole op, which has no CUDA body), and something of it written (a
 * field, or its reduction partial, owned with the block); else the op runs on CPUs. */
static int cuda_runnable(const sd_codelet *c)
{
    if (c->pattern == SD_WHOLE) return 0;
    if (c->pattern == SD_REDUCTION) return 1;
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].kind != SD_ROLE_SCALAR && c->roles[r].mode != SD_READ) return 1;
    return 0;
}

/* The work keys of a block's tasks (sd_eng_kind_work): its cell count. Every block has buffers of
 * the same capacity, but a brick of two cell layers holds about twice the particles of a brick of
 * one; a whole-domain task's work is every cell. */
uint32_t sd_particles_work(const pdomain *D, int block)
{
    if (block < 0) return (uint32_t)sd_md_grid_ncells(&D->geom.grid);
    int64_t lo[3], hi[3];
    sd_pgeom_brick(&D->geom, block, lo, hi);
    return (uint32_t)((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]));
}
static uint32_t op_work(const void *arg)
{
    const pop_arg *oa = arg;
    return sd_particles_work(oa->D, oa->whole ? -1 : oa->block);
}
static uint32_t prepare_work(const void *arg)
{
    const prep_arg *pa = arg;
    return sd_particles_work(pa->D, pa->block);
}

/* --tiles N: a number of blocks that some brick grid of the cells fits. */
static int particles_parts_check(const sd_graph *g, const int64_t parts[3], char *err, size_t errlen)
{
    if (sd_dm_parts_count_only(parts, "a particle domain takes a number of blocks", err, errlen)) return -1;
    if (parts[0] > 1 << 20) {
        snprintf(err, errlen, "--tiles %lld: at most %d blocks", (long long)parts[0], 1 << 20);
        return -1;
    }
    return sd_pgeom_blocks_fit(&g->domain.particles, (int)parts[0], err, errlen);
}

static int particles_create(sd_dm *dm, const sd_dm_opts *o, char *err, size_t errlen)
{
    const sd_graph *g = dm->g;
    sd_engine *e = dm->e;
    const sd_particles *P = &g->domain.particles;
    pdomain *D = calloc(1, sizeof *D);
    if (!D) goto oom;
    dm->data = D;
    D->dm = dm;
    D->P = P;
    if (sd_pgeom_make(&D->geom, P, o->parts[0] > 0 ? (int)o->parts[0] : P->nblocks, o->ncpu, o->ncuda, err, errlen) < 0)
        return -1;
    const int nb = D->nb = D->geom.nb, nf = D->nf = g->nfields;
    D->nbufkinds = K_FIELD + nf;
    const char *how = getenv("STARDAG_REBUILD"); /* serial: the whole-domain task, to compare (bench/md/rebuild.sh) */
    if (how && *how && strcmp(how, "serial") && strcmp(how, "parallel")) {
        snprintf(err, errlen, "STARDAG_REBUILD=%s: expected serial or parallel", how);
        return -1;
    }
    D->serial_rebuild = nb == 1 || (how && !strcmp(how, "serial"));
    D->fallback = !sd_eng_distributed(e);
    /* ghost exports where bricks next to each other are on different ranks (docs/distributed.md).
     * STARDAG_GHOST_EXPORT=blocks: as if every block were on a rank of its own (to compare the
     * paths on one process); off: none (whole position buffers cross ranks, to measure the gain) */
    const char *ex = getenv("STARDAG_GHOST_EXPORT");
    if (ex && *ex && strcmp(ex, "blocks") && strcmp(ex, "ranks") && strcmp(ex, "off")) {
        snprintf(err, errlen, "STARDAG_GHOST_EXPORT=%s: expected ranks, blocks or off", ex);
        return -1;
    }
    const int each = ex && !strcmp(ex, "blocks"), off = ex && !strcmp(ex, "off");
    if (nb > 1 && !off && (each || sd_eng_distributed(e))) {
        int *rank = malloc(sizeof *rank * (size_t)nb);
        for (int b = 0; rank && b < nb; b++) rank[b] = each ? b : sd_eng_part_rank(e, b, nb);
        const int rc = rank ? sd_pgeom_set_ranks(&D->geom, rank) : -1;
        free(rank);
        if (rc < 0) goto oom;
    }
    if (alloc_tables(D) < 0) goto oom;
    for (int f = 0; f < nf; f++) D->ncomp[f] = g->fields[f].ncomp;
    int most = (7 + nf) * nb + 1; /* the rebuild's decide task; whole ops: header, ids, types and roles per block */
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const sd_codelet *c = (i < g->ninit ? &g->init[i] : &g->step[i - g->ninit])->cl;
        if (c->pattern == SD_WHOLE && (3 + c->nroles) * nb > most) most = (3 + c->nroles) * nb;
    }
    if (most > SD_ENG_MAXH) {
        snprintf(err, errlen, "%d blocks make tasks of %d buffers, more than %d: use fewer blocks (tiles: N)", nb, most,
                 SD_ENG_MAXH);
        return -1;
    }
    sd_particles_pair_table(P, &D->pair_table);
    sd_particles_min_distance2(P, D->min_dist2);
    const double kB = sd_units_kB(P->units);
    D->view = (sd_pdomain){.count = P->count, .kB = kB, .ntypes = P->ntypes, .mass = P->dyn_mass, .pair = &D->pair_table,
                         .mixed = P->mixed};
    memcpy(D->view.box, P->box, sizeof D->view.box);
    /* what finish hooks see: the same as validate hooks did at load */
    D->info = (sd_check_info){.dt = g->run.dt};
    if (dm->cls->syntax->check_info) dm->cls->syntax->check_info(g, &D->info);
    if (register_blocks(D, err, errlen) < 0) return -1;
    /* this rank's blocks, before any task: host memory is StarPU's copy */
    sd_particles_assign(&D->geom, P, D->host_blocks);
    if (P->read) { /* the initial state read at load */
        double **x = calloc(nb, sizeof *x), **v = calloc(nb, sizeof *v);
        if (!x || !v) {
            free(x);
            free(v);
            goto oom;
        }
        for (int b = 0; b < nb; b++) {
            x[b] = MEM(D, K_FIELD + P->position, b);
            v[b] = MEM(D, K_FIELD + P->velocity, b);
        }
        sd_particles_place(&D->geom, P, D->host_blocks, x, v);
        free(x);
        free(v);
    }

    sd_particles_rebuild_kinds(D);
    D->k_prepare = sd_eng_kind(e, "ghosts and lists", "stardag.particles.prepare", sd_particles_prepare_cpu, NULL);
    sd_eng_kind_work(e, D->k_prepare, prepare_work);
    /* in StarPU's simulation the ops and the ghosts and lists run for real (their results decide the
     * rebuilds, migrations and list sizes that follow) and take their models' times */
    sd_eng_kind_simulation(e, D->k_prepare, SD_SIMGRID_RUN_MODEL);
    D->k_export = sd_eng_kind(e, "ghost export", "stardag.particles.export", sd_particles_export_cpu, NULL);
    D->k_combine = sd_eng_combine_kind(e, "reduction combine", "stardag.particles.combine");
    D->k_trajectory = sd_eng_kind(e, "trajectory snapshot", "stardag.particles.trajectory", sd_particles_trajectory_cpu,
                                  NULL);
    D->k_checkpoint = -1;
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const int init = i < g->ninit, k = init ? i : i - g->ninit;
        const sd_gop *op = init ? &g->init[k] : &g->step[k];
        (init ? D->kind_init : D->kind_step)[k] = sd_eng_op_kind(e, op->cl, sd_particles_op_cpu,
                                                                 cuda_runnable(op->cl) ? OP_CUDA : NULL,
                                                                 dm->cls->cpu_fallback);
        sd_eng_kind_work(e, (init ? D->kind_init : D->kind_step)[k], op_work);
        sd_eng_kind_simulation(e, (init ? D->kind_init : D->kind_step)[k], SD_SIMGRID_RUN_MODEL);
        int *slot = init ? &D->slot_init[k] : &D->slot_step[k];
        *slot = -1;
        if (op->cl->pattern != SD_REDUCTION) continue;
        *slot = D->nslots++;
        const int np = sd_reduce_partials(op->cl);
        if (sd_eng_partials(e, nb, np, &D->part_mem[*slot], sd_eng_partials_slot(D->part_h, *slot, nb)) < 0) goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory allocating %d particle blocks", D ? D->nb : 0);
    return -1;
}

static void particles_release(sd_dm *dm)
{
    pdomain *D = dm->data;
    sd_wait_tasks();
    for (size_t i = 0; D->mem && i < (size_t)D->nbufkinds * D->nb; i++) sd_eng_vector_free(D->mem[i], D->h[i]);
    if (D->dec_mem) sd_eng_vector_free(D->dec_mem, D->dec_h);
    D->dec_mem = NULL;
    for (int s = 0; D->part_mem && s < D->nslots; s++) sd_eng_partials_free(D->nb, D->part_mem[s], sd_eng_partials_slot(D->part_h, s, D->nb));
    free(D->mem); free(D->h); free(D->part_mem); free(D->part_h);
    D->mem = NULL; D->h = NULL; D->part_mem = NULL; D->part_h = NULL;
}

static void particles_destroy(sd_dm *dm)
{
    pdomain *D = dm->data;
    for (int b = 0; D->list_scratch && b < D->nb; b++) free(D->list_scratch[b]);
    for (int b = 0; D->mig_scratch && b < D->nb; b++) free(D->mig_scratch[b]);
    free(D->mig_scratch);
    free(D->list_scratch); free(D->list_scratch_bytes); free(D->ncomp); free(D->kind_bytes); free(D->own);
    free(D->host_blocks); free(D->host_fields);
    free(D->slot_init); free(D->slot_step); free(D->kind_init); free(D->kind_step);
    sd_prebuild_scratch_free(&D->rebuild_scratch);
    sd_pgeom_free(&D->geom);
    if (D->traj) {
        char err[256]; /* a run that ends here did not reach close_output: it failed */
        sd_h5md_set_status(D->traj, sd_run_status_str(SD_RUN_FAILED), -1, err, sizeof err);
        sd_h5md_close(D->traj, err, sizeof err);
    }
    free(D);
    dm->data = NULL;
}

/* ---- expansion ---------------------------------------------------------------------------------- */

static void add(sd_hlist *l, starpu_data_handle_t h, enum starpu_data_access_mode m) { sd_hlist_add(l, h, m, "blocks"); }

static int needs_neighbors(const sd_codelet *c)
{
    if (c->pattern == SD_NEIGHBOR) return 1;
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].halo > 0) return 1;
    return 0;
}

/* The handles of the task being submitted: shared by prepare_ghosts, submit_op and
 * submit_output, which run one after another on the one submitting thread (each fills it anew). */
static sd_hlist L;

static void prepare_ghosts(pdomain *D, int64_t step, int init)
{
    sd_engine *e = D->dm->e;
    const sd_particles *P = D->P;
    const int rebuild = !D->built || init || step - D->last_build >= P->rebuild_every;
    sd_record *rec = NULL;
    int mode = PREP_REFRESH;
    if (rebuild) {
        /* during init positions may be set anew after a neighbour op: no displacement checks there */
        const int first = !D->built || init, check = P->rebuild_check && D->built && !init;
        rec = sd_particles_submit_rebuild(D, step, first, check);
        mode = check ? PREP_FOLLOW : PREP_LISTS;
        D->built = 1;
        D->last_build = step; /* considered: with check, the task may decide against it */
    }
    for (int o = 0; D->geom.cap_e && o < D->nb; o++) {
        if (!D->geom.cap_e[o]) continue;
        prep_arg *pa = sd_eng_xmalloc(sizeof *pa);
        *pa = (prep_arg){sd_eng_meter(e, D->k_export), D, o, mode, step, NULL};
        L.n = 0;
        add(&L, HND(D, K_CS, o), STARPU_R);
        add(&L, HND(D, K_FIELD + P->position, o), STARPU_R);
        add(&L, HND(D, K_EXX, o), STARPU_W);
        if (mode != PREP_REFRESH) { /* after a rebuild (or its check): the ids and types too */
            add(&L, HND(D, K_ID, o), STARPU_R);
            add(&L, HND(D, K_TYPE, o), STARPU_R);
            add(&L, HND(D, K_EXID, o), STARPU_W);
            add(&L, HND(D, K_EXTYPE, o), STARPU_W);
        }
        sd_eng_submit(e, D->k_export, o, step, pa, sizeof *pa, 1, L.n, L.h, L.m);
    }
    for (int b = 0; b < D->nb; b++) {
        prep_arg *pa = sd_eng_xmalloc(sizeof *pa);
        *pa = (prep_arg){sd_eng_meter(e, D->k_prepare), D, b, mode, step, rec};
        /* a refresh writes xv only: the lists stay valid where they are (on a GPU, say) */
        const enum starpu_data_access_mode lm = mode == PREP_REFRESH ? STARPU_R : STARPU_RW;
        L.n = 0;
        add(&L, HND(D, K_HDR, b), lm);
        add(&L, HND(D, K_PLAN, b), STARPU_R);
        for (int k = 0; k < D->geom.nslot[b]; k++) {
            const int s = D->geom.slot[b][k], remote = sd_pgeom_remote(&D->geom, b, s);
            add(&L, HND(D, remote ? K_EXX : K_FIELD + P->position, s), STARPU_R);
            add(&L, HND(D, remote ? K_EXID : K_ID, s), STARPU_R);
            add(&L, HND(D, remote ? K_EXTYPE : K_TYPE, s), STARPU_R);
        }
        add(&L, HND(D, K_XV, b), STARPU_W);
        if (mode != PREP_REFRESH) {
            add(&L, HND(D, K_TV, b), STARPU_RW);
            add(&L, HND(D, K_IV, b), STARPU_RW);
            add(&L, HND(D, K_START, b), STARPU_RW);
            add(&L, HND(D, K_NBR, b), STARPU_RW);
        }
        if (!sd_eng_submit(e, D->k_prepare, b, step, pa, sizeof *pa, 1, L.n, L.h, L.m)) sd_record_done(rec);
    }
    D->ghosts_ok = 1;
}

/* The handles of block b for op (its header, ids, types, roles, and for neighbour ops the ghosts
 * and lists), in the task body's order. */
static void op_handles(const pdomain *D, const sd_gop *op, int b, int neighbor, sd_hlist *l)
{
    const sd_codelet *c = op->cl;
    add(l, HND(D, K_HDR, b), STARPU_R);
    add(l, HND(D, K_ID, b), STARPU_R);
    add(l, HND(D, K_TYPE, b), STARPU_R);
    for (int r = 0; r < c->nroles; r++) {
        const sd_binding *bd = &op->bind[r];
        if (bd->is_scalar) {
            if (bd->mode == SD_READ) add(l, sd_eng_scalar(D->dm->e, bd->index), STARPU_R);
            continue;
        }
        add(l, HND(D, K_FIELD + bd->index, b), sd_eng_mode(c->roles[r].mode));
    }
    if (neighbor) {
        add(l, HND(D, K_XV, b), STARPU_R);
        add(l, HND(D, K_TV, b), STARPU_R);
        add(l, HND(D, K_START, b), STARPU_R);
        add(l, HND(D, K_NBR, b), STARPU_R);
    }
}

static void submit_op(pdomain *D, const sd_gop *op, int k, int init, int64_t step)
{
    sd_engine *e = D->dm->e;
    const sd_codelet *c = op->cl;
    const int neighbor = needs_neighbors(c), whole = c->pattern == SD_WHOLE;
    if (neighbor && !D->ghosts_ok) prepare_ghosts(D, step, init);
    const int kind = init ? D->kind_init[k] : D->kind_step[k], slot = init ? D->slot_init[k] : D->slot_step[k];
    starpu_data_handle_t *partials = slot < 0 ? NULL : sd_eng_partials_at(D->part_h, slot, D->nb, step);
    for (int b = 0; b < (whole ? 1 : D->nb); b++) {
        pop_arg *oa = sd_eng_xmalloc(sizeof *oa);
        *oa = (pop_arg){sd_eng_meter(e, kind), D, op, whole, b, neighbor, step};
        L.n = 0;
        if (whole)
            for (int j = 0; j < D->nb; j++) op_handles(D, op, j, 0, &L);
        else op_handles(D, op, b, neighbor, &L);
        if (partials) add(&L, partials[b], STARPU_W);
        sd_eng_submit(e, kind, whole ? -1 : b, step, oa, sizeof *oa, 1, L.n, L.h, L.m);
    }
    if (partials) sd_eng_submit_combine(e, D->k_combine, op, step, D->nb, partials, &D->info);
    for (int r = 0; r < c->nroles; r++)
        if (!op->bind[r].is_scalar && op->bind[r].index == D->P->position && c->roles[r].mode != SD_READ)
            D->ghosts_ok = 0;
}

static void particles_submit_init(sd_dm *dm)
{
    const sd_graph *g = dm->g;
    for (int k = 0; k < g->ninit; k++) submit_op(dm->data, &g->init[k], k, 1, 0);
}

static void particles_submit_step(sd_dm *dm, int64_t step)
{
    const sd_graph *g = dm->g;
    for (int k = 0; k < g->nstep; k++)
        if (sd_op_due(&g->step[k], step)) submit_op(dm->data, &g->step[k], k, 0, step);
}

/* A trajectory frame at the trajectory's steps and the last one. */
static void particles_submit_output(sd_dm *dm, int64_t step, int last, int fields_out)
{
    (void)fields_out;
    pdomain *D = dm->data;
    const int64_t every = dm->g->output.trajectory_every;
    if (!dm->own_output || (step % every && !last) || (step == D->last_frame && D->traj_frames_submitted)) return;
    D->last_frame = step; /* a run stopped by run.until asks for its last step's frame again */
    D->traj_frames_submitted = 1;
    sd_engine *e = dm->e;
    const int64_t N = D->P->count;
    sd_record *r = sd_eng_record_new(e, 1, step);
    r->field = -1;
    r->expected = 1;
    r->bytes = sizeof(double) * 6 * (size_t)N + sizeof(int64_t) * (size_t)N;
    r->data = malloc(r->bytes);
    if (!r->data) {
        fprintf(stderr, "stardag: out of memory for a trajectory frame of %lld particles\n", (long long)N);
        exit(SD_EXIT_RUNTIME);
    }
    traj_arg *ta = sd_eng_xmalloc(sizeof *ta);
    *ta = (traj_arg){sd_eng_meter(e, D->k_trajectory), D, r};
    L.n = 0;
    for (int b = 0; b < D->nb; b++) {
        add(&L, HND(D, K_HDR, b), STARPU_R);
        add(&L, HND(D, K_ID, b), STARPU_R);
        add(&L, HND(D, K_FIELD + D->P->position, b), STARPU_R);
        add(&L, HND(D, K_FIELD + D->P->velocity, b), STARPU_R);
    }
    if (!sd_eng_submit(e, D->k_trajectory, -1, step, ta, sizeof *ta, 1, L.n, L.h, L.m)) sd_record_done(r);
}

static const char *const particle_locations[] = {"particles", NULL};

extern const sd_dm_syntax sd_particles_syntax; /* graph/domain_particles.c */

const sd_dm_class sd_dm_particles = {
    .name = "particles",
    .kind = SD_DOMAIN_PARTICLES,
    .codelets = SD_ON_PARTICLES,
    .patterns = 1u << SD_POINTWISE | 1u << SD_NEIGHBOR | 1u << SD_REDUCTION | 1u << SD_WHOLE,
    .locations = particle_locations,
    .syntax = &sd_particles_syntax,
    /* the rebuild and ghost tasks run on CPUs anyway; CPU-only ops (init, Berendsen) join them */
    .cpu_fallback = 1,
    .parts_check = particles_parts_check,
    .create = particles_create,
    .submit_init = particles_submit_init,
    .submit_step = particles_submit_step,
    .submit_output = particles_submit_output,
    .open_output = sd_particles_open_output,
    .close_output = sd_particles_close_output,
    .write_snapshot = sd_particles_write_snapshot,
    .on_scalars = sd_particles_on_scalars,
    .field_layout = sd_particles_field_layout,
    .describe = sd_particles_describe,
    .rate = sd_particles_rate,
    .report = sd_particles_report,
    .report_output = sd_particles_report_output,
    .release = particles_release,
    .destroy = particles_destroy,
    .submit_checkpoint = sd_particles_submit_checkpoint,
    .restore = sd_particles_restore,
    .commit_output = sd_particles_commit_output,
};
