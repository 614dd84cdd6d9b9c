/* particles_rebuild.c - the neighbour-list rebuild as tasks: one whole-domain task (the serial
 * rebuild: one block, the first build whose blocks hold id ranges, or STARDAG_REBUILD=serial), or
 * the parallel rebuild's phases (particles.h, particles_migrate.c), ordered by StarPU through their
 * buffers: scan (per block) -> decide (reads every scan; on one process it may itself rebuild
 * serially when a particle moved too far for the neighbourhood, so it takes every block; a
 * distributed run stops there instead, so that no rebuild moves every block to one rank) ->
 * migrate (per block) -> gather (per block, reads its neighbourhood's outgoing buffers) -> plan
 * (per block, reads its neighbourhood's cell starts; without a rebuild it marks its header so) ->
 * verdict (reads every block's status). Nothing waits on the host. The task bodies bind buffers
 * and call particles_blocks.c / particles_migrate.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "particles_impl.h"

static sd_hlist L; /* the task being submitted (one submitting thread) */

static void add(starpu_data_handle_t h, enum starpu_data_access_mode m) { sd_hlist_add(&L, h, m, "blocks"); }

static void set_error(sd_record *rec, const sd_pstatus *st, const sd_particles *P, int64_t step)
{
    char msg[512];
    sd_pstatus_message(st, P, step, msg, sizeof msg);
    sd_record_set_error(rec, msg, st->code == SD_PST_NOMEM ? SD_EXIT_RUNTIME : SD_EXIT_CHECK);
}

static sd_prebuild_req request(const pdomain *D, const rebuild_arg *ra)
{
    return (sd_prebuild_req){.geom = &D->geom, .P = D->P, .nfields = D->nf, .ncomp = D->ncomp,
                             .position = D->P->position, .first = ra->first, .check = ra->check};
}

/* Every block's header, ids, types, x0, ghost plan, cell starts and fields (RW), in that order. */
static void add_all_blocks(const pdomain *D)
{
    for (int b = 0; b < D->nb; b++) {
        for (int k = K_HDR; k <= K_PLAN; k++) add(HND(D, k, b), STARPU_RW);
        add(HND(D, K_CS, b), STARPU_RW);
        for (int f = 0; f < D->nf; f++) add(HND(D, K_FIELD + f, b), STARPU_RW);
    }
}

static void bind_all_blocks(pdomain *D, void *buffers[])
{
    const int per = 6 + D->nf;
    for (int b = 0; b < D->nb; b++) {
        void **bb = buffers + (size_t)b * per;
        sd_pbuf *p = &D->host_blocks[b];
        p->hdr = (sd_phdr *)STARPU_VECTOR_GET_PTR(bb[0]);
        p->id = (int64_t *)STARPU_VECTOR_GET_PTR(bb[1]);
        p->type = (int32_t *)STARPU_VECTOR_GET_PTR(bb[2]);
        p->x0 = (double *)STARPU_VECTOR_GET_PTR(bb[3]);
        p->plan = (md_ghost *)STARPU_VECTOR_GET_PTR(bb[4]);
        p->cs = (int64_t *)STARPU_VECTOR_GET_PTR(bb[5]);
        for (int f = 0; f < D->nf; f++) p->fld[f] = (double *)STARPU_VECTOR_GET_PTR(bb[6 + f]);
    }
}

int sd_particles_rebuild_scratch(pdomain *D)
{
    return D->rebuild_scratch.X ? 0 : sd_prebuild_scratch_make(&D->rebuild_scratch, &D->geom, D->P->count);
}

/* The serial rebuild over the bound blocks; on an error the headers say "not rebuilt", so the
 * preparations keep going harmlessly until the host stops. */
static void rebuild_serial(pdomain *D, const sd_prebuild_req *req, sd_record *rec, int64_t step)
{
    sd_pstatus st;
    if (sd_particles_rebuild_scratch(D)) {
        char msg[256];
        snprintf(msg, sizeof msg, "step %lld: out of memory: the neighbour rebuild needs scratch for %lld particles",
                 (long long)step, (long long)D->P->count);
        sd_record_set_error(rec, msg, SD_EXIT_RUNTIME);
    } else if (sd_particles_rebuild(req, D->host_blocks, &D->rebuild_scratch, &st))
        set_error(rec, &st, D->P, step);
    else {
        if (D->host_blocks[0].hdr->rebuilt) {
            __atomic_add_fetch(&D->rebuilds, 1, __ATOMIC_RELAXED);
            if (st.dangerous) __atomic_add_fetch(&D->dangerous, 1, __ATOMIC_RELAXED);
        }
        return;
    }
    for (int b = 0; b < D->nb; b++) D->host_blocks[b].hdr->rebuilt = 0;
}

static void serial_cpu(void *buffers[], void *cl_arg)
{
    const rebuild_arg *ra = cl_arg;
    int64_t t0 = sd_ns_now();
    bind_all_blocks(ra->D, buffers);
    const sd_prebuild_req req = request(ra->D, ra);
    rebuild_serial(ra->D, &req, ra->rec, ra->step);
    sd_meter_add(&ra->m, t0);
    sd_record_done(ra->rec);
}

/* ---- the parallel phases: buffers in the order the submission below adds them ------------------ */

static void scan_cpu(void *buffers[], void *cl_arg)
{
    const rebuild_arg *ra = cl_arg;
    int64_t t0 = sd_ns_now();
    const pdomain *D = ra->D;
    double *fld[D->nf];
    fld[D->P->position] = (double *)STARPU_VECTOR_GET_PTR(buffers[3]);
    sd_prebuild_block B = {.k = ra->block,
                           .buf = {.hdr = (sd_phdr *)STARPU_VECTOR_GET_PTR(buffers[0]),
                                   .id = (int64_t *)STARPU_VECTOR_GET_PTR(buffers[1]),
                                   .x0 = (double *)STARPU_VECTOR_GET_PTR(buffers[2]), .fld = fld},
                           .stat = (sd_pblockstat *)STARPU_VECTOR_GET_PTR(buffers[4])};
    const sd_prebuild_req req = request(D, ra);
    sd_prebuild_scan(&req, &B);
    sd_meter_add(&ra->m, t0);
}

static void decide_cpu(void *buffers[], void *cl_arg)
{
    const rebuild_arg *ra = cl_arg;
    int64_t t0 = sd_ns_now();
    pdomain *D = ra->D;
    const int nb = D->nb;
    sd_pdecision *dec = (sd_pdecision *)STARPU_VECTOR_GET_PTR(buffers[0]);
    const sd_pblockstat *stat[nb];
    for (int b = 0; b < nb; b++) stat[b] = (const sd_pblockstat *)STARPU_VECTOR_GET_PTR(buffers[1 + b]);
    const sd_prebuild_req req = request(D, ra);
    sd_pstatus st;
    if (sd_prebuild_decide(&req, stat, dec, &st)) set_error(ra->rec, &st, D->P, ra->step);
    if (dec->mode == SD_PREB_SERIAL && D->fallback) {
        bind_all_blocks(D, buffers + 1 + nb);
        rebuild_serial(D, &req, ra->rec, ra->step);
    } else if (dec->mode == SD_PREB_SERIAL) { /* a distributed run: every block stays as it was */
        char msg[640];
        if (dec->full >= 0)
            snprintf(msg, sizeof msg, "step %lld: block %d holds %lld particles in its cells next to other bricks, "
                     "more than the %lld its outgoing buffer has room for: a distributed run rebuilds brick by brick "
                     "and cannot move them (one process rebuilds the whole domain instead); the particles are more "
                     "unevenly spread than domain.particles.neighbor.capacity = %g allows (raise it)",
                     (long long)ra->step, dec->full, (long long)dec->need, (long long)dec->have, D->P->capacity);
        else
            snprintf(msg, sizeof msg, "step %lld: a particle moved %.6g since the last neighbour-list build, more than "
                     "the parallel rebuild's reach of %.6g (0.99 of a cell): a distributed run rebuilds brick by brick, "
                     "moving only the particles of the cells next to other bricks, and cannot place it (one process "
                     "rebuilds the whole domain instead); rebuild more often (domain.particles.neighbor: {every: 1, "
                     "check: true})", (long long)ra->step, sqrt(dec->max_disp2), sqrt(D->geom.reach2));
        sd_record_set_error(ra->rec, msg, SD_EXIT_CHECK);
        dec->mode = SD_PREB_KEEP;
    }
    sd_meter_add(&ra->m, t0);
    sd_record_done(ra->rec);
}

/* A block's phase view: header, ids, types, x0, plan and fields from bb (5 + nf buffers; NULL
 * where a phase does not bind them). */
static void bind_block(const pdomain *D, void **bb, sd_pbuf *p, double **fld)
{
    p->hdr = (sd_phdr *)STARPU_VECTOR_GET_PTR(bb[0]);
    p->id = (int64_t *)STARPU_VECTOR_GET_PTR(bb[1]);
    p->type = (int32_t *)STARPU_VECTOR_GET_PTR(bb[2]);
    p->x0 = (double *)STARPU_VECTOR_GET_PTR(bb[3]);
    p->plan = NULL;
    p->cs = NULL;
    p->fld = fld;
    for (int f = 0; f < D->nf; f++) fld[f] = (double *)STARPU_VECTOR_GET_PTR(bb[4 + f]);
}

/* migrate and gather: the block's view (bind_block), then its outgoing buffer (migrate) or its cell
 * starts (gather), its status, and for gather its neighbourhood's outgoing buffers. */
static void move_phase(void *buffers[], const rebuild_arg *ra, int gather)
{
    int64_t t0 = sd_ns_now();
    const pdomain *D = ra->D;
    const int nf = D->nf;
    if (((const sd_pdecision *)STARPU_VECTOR_GET_PTR(buffers[0]))->mode == SD_PREB_PARALLEL) {
        double *fld[nf];
        sd_prebuild_block B = {.k = ra->block, .scratch = D->mig_scratch[ra->block]};
        bind_block(D, buffers + 1, &B.buf, fld);
        void *own = (void *)STARPU_VECTOR_GET_PTR(buffers[5 + nf]);
        B.stat = (sd_pblockstat *)STARPU_VECTOR_GET_PTR(buffers[6 + nf]);
        const sd_prebuild_req req = request(D, ra);
        if (gather) {
            B.cs = own;
            for (int j = 1; j < D->geom.nslot[ra->block]; j++) B.in[j] = (const void *)STARPU_VECTOR_GET_PTR(buffers[6 + nf + j]);
            sd_prebuild_gather(&req, &B);
        } else {
            B.out = own;
            sd_prebuild_migrate(&req, &B);
        }
    }
    sd_meter_add(&ra->m, t0);
}

static void migrate_cpu(void *buffers[], void *cl_arg) { move_phase(buffers, cl_arg, 0); }
static void gather_cpu(void *buffers[], void *cl_arg) { move_phase(buffers, cl_arg, 1); }

static void plan_cpu(void *buffers[], void *cl_arg)
{
    const rebuild_arg *ra = cl_arg;
    int64_t t0 = sd_ns_now();
    const pdomain *D = ra->D;
    const int mode = ((const sd_pdecision *)STARPU_VECTOR_GET_PTR(buffers[0]))->mode;
    if (mode == SD_PREB_PARALLEL) {
        sd_prebuild_block B = {.k = ra->block};
        B.buf.hdr = (sd_phdr *)STARPU_VECTOR_GET_PTR(buffers[1]);
        B.buf.plan = (md_ghost *)STARPU_VECTOR_GET_PTR(buffers[2]);
        B.stat = (sd_pblockstat *)STARPU_VECTOR_GET_PTR(buffers[3]);
        for (int j = 0; j < D->geom.nslot[ra->block]; j++) B.src_cs[j] = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[4 + j]);
        sd_prebuild_plan(&D->geom, &B);
    } else if (mode == SD_PREB_KEEP) /* no rebuild (check, an error): the preparation refreshes the ghosts */
        ((sd_phdr *)STARPU_VECTOR_GET_PTR(buffers[1]))->rebuilt = 0;
    sd_meter_add(&ra->m, t0);
}

static void verdict_cpu(void *buffers[], void *cl_arg)
{
    const rebuild_arg *ra = cl_arg;
    int64_t t0 = sd_ns_now();
    pdomain *D = ra->D;
    const sd_pdecision *dec = (const sd_pdecision *)STARPU_VECTOR_GET_PTR(buffers[0]);
    if (dec->mode == SD_PREB_PARALLEL) {
        const sd_pblockstat *stat[D->nb];
        for (int b = 0; b < D->nb; b++) stat[b] = (const sd_pblockstat *)STARPU_VECTOR_GET_PTR(buffers[1 + b]);
        sd_pstatus st;
        if (sd_prebuild_verdict(&D->geom, stat, &st)) set_error(ra->rec, &st, D->P, ra->step);
        else {
            __atomic_add_fetch(&D->rebuilds, 1, __ATOMIC_RELAXED);
            if (dec->dangerous) __atomic_add_fetch(&D->dangerous, 1, __ATOMIC_RELAXED);
        }
    }
    sd_meter_add(&ra->m, t0);
    sd_record_done(ra->rec);
}

static uint32_t rebuild_work(const void *arg)
{
    const rebuild_arg *ra = arg;
    return sd_particles_work(ra->D, ra->block);
}

void sd_particles_rebuild_kinds(pdomain *D)
{
    sd_engine *e = D->dm->e;
    D->k_rebuild = sd_eng_kind(e, "neighbour rebuild", "stardag.particles.rebuild", serial_cpu, NULL);
    /* the first build (init) apart: it sorts blocks of id ranges, the others nearly sorted ones */
    D->k_rebuild_first = sd_eng_kind(e, "first neighbour build", "stardag.particles.rebuild_first", serial_cpu, NULL);
    D->k_scan = sd_eng_kind(e, "rebuild: scan", "stardag.particles.rebuild_scan", scan_cpu, NULL);
    D->k_decide = sd_eng_kind(e, "rebuild: decide", "stardag.particles.rebuild_decide", decide_cpu, NULL);
    D->k_migrate = sd_eng_kind(e, "rebuild: migrate", "stardag.particles.rebuild_migrate", migrate_cpu, NULL);
    D->k_gather = sd_eng_kind(e, "rebuild: gather", "stardag.particles.rebuild_gather", gather_cpu, NULL);
    D->k_plan = sd_eng_kind(e, "rebuild: plan", "stardag.particles.rebuild_plan", plan_cpu, NULL);
    D->k_verdict = sd_eng_kind(e, "rebuild: verdict", "stardag.particles.rebuild_verdict", verdict_cpu, NULL);
    const int per_block[] = {D->k_scan, D->k_migrate, D->k_gather, D->k_plan};
    for (int i = 0; i < 4; i++) sd_eng_kind_work(e, per_block[i], rebuild_work);
}

/* A task of kind on L's buffers: the rebuild's arguments (at), for block (-1: all), reporting to rec. */
static void submit(const rebuild_arg *at, int kind, int block, sd_record *rec)
{
    sd_engine *e = at->D->dm->e;
    rebuild_arg *ra = sd_eng_xmalloc(sizeof *ra);
    *ra = *at;
    ra->m = sd_eng_meter(e, kind);
    ra->block = block;
    ra->rec = rec;
    if (!sd_eng_submit(e, kind, block, at->step, ra, sizeof *ra, 1, L.n, L.h, L.m) && rec) sd_record_done(rec);
}

/* Block b's header, ids, types, x0 and fields, RW (a phase's view, bind_block's order). */
static void add_block(const pdomain *D, int b)
{
    for (int k = K_HDR; k <= K_X0; k++) add(HND(D, k, b), STARPU_RW);
    for (int f = 0; f < D->nf; f++) add(HND(D, K_FIELD + f, b), STARPU_RW);
}

static void submit_parallel(const rebuild_arg *at, sd_record *rec)
{
    const pdomain *D = at->D;
    const int nb = D->nb, pos = D->P->position;
    for (int b = 0; b < nb; b++) {
        L.n = 0;
        add(HND(D, K_HDR, b), STARPU_R);
        add(HND(D, K_ID, b), STARPU_R);
        add(HND(D, K_X0, b), STARPU_R);
        add(HND(D, K_FIELD + pos, b), STARPU_R);
        add(HND(D, K_STAT, b), STARPU_W);
        submit(at, D->k_scan, b, NULL);
    }
    L.n = 0;
    add(D->dec_h, STARPU_W);
    for (int b = 0; b < nb; b++) add(HND(D, K_STAT, b), STARPU_R);
    if (D->fallback) add_all_blocks(D); /* the serial fallback's */
    submit(at, D->k_decide, -1, rec);
    for (int gather = 0; gather < 2; gather++) /* migrate, then gather (move_phase's buffers) */
        for (int b = 0; b < nb; b++) {
            L.n = 0;
            add(D->dec_h, STARPU_R);
            add_block(D, b);
            add(HND(D, gather ? K_CS : K_OUT, b), gather ? STARPU_RW : STARPU_W);
            add(HND(D, K_STAT, b), STARPU_RW);
            for (int j = 1; gather && j < D->geom.nslot[b]; j++) add(HND(D, K_OUT, D->geom.slot[b][j]), STARPU_R);
            submit(at, gather ? D->k_gather : D->k_migrate, b, NULL);
        }
    for (int b = 0; b < nb; b++) {
        L.n = 0;
        add(D->dec_h, STARPU_R);
        add(HND(D, K_HDR, b), STARPU_RW);
        add(HND(D, K_PLAN, b), STARPU_RW);
        add(HND(D, K_STAT, b), STARPU_RW);
        for (int j = 0; j < D->geom.nslot[b]; j++) add(HND(D, K_CS, D->geom.slot[b][j]), STARPU_R);
        submit(at, D->k_plan, b, NULL);
    }
    L.n = 0;
    add(D->dec_h, STARPU_RW); /* the checkpoint reads it: its counters come after this verdict */
    for (int b = 0; b < nb; b++) add(HND(D, K_STAT, b), STARPU_R);
    submit(at, D->k_verdict, -1, rec);
}

sd_record *sd_particles_submit_rebuild(pdomain *D, int64_t step, int first, int check)
{
    sd_engine *e = D->dm->e;
    sd_record *rec = sd_eng_record_new(e, 0, step);
    const rebuild_arg at = {.D = D, .step = step, .first = first, .check = check};
    if (first || D->serial_rebuild) {
        rec->expected = 1 + D->nb;
        L.n = 0;
        add_all_blocks(D);
        submit(&at, first ? D->k_rebuild_first : D->k_rebuild, -1, rec);
        return rec;
    }
    rec->expected = 2; /* decide, verdict */
    submit_parallel(&at, rec);
    sd_record *prep = sd_eng_record_new(e, 0, step);
    prep->expected = D->nb;
    return prep;
}
