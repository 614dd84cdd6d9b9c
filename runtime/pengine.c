/* pengine.c - the particle domain's StarPU side: per-block buffers, the expansion of ops into
 * block tasks (pointwise, neighbour-block, reduction, whole), the neighbour-list rebuild and ghost
 * preparation tasks, and trajectory snapshots. The work itself is in particles.c and the md pack;
 * the trampolines here only bind buffers.
 *
 * Per step, ops run in the graph's order. Before the first op that needs neighbours (pattern
 * SD_NEIGHBOR, or a reduction with a halo role) after the positions changed, the expansion adds:
 *  - on rebuild steps (the first use, then every `every` steps): one rebuild task over all blocks
 *    (wrap, re-bin, re-sort, ghost plans; with `check` it first decides from the largest
 *    displacement whether to rebuild at all), then per block a task that builds the ghosts and
 *    the neighbour lists (or, when the check decided against a rebuild, refreshes the ghosts);
 *  - on other steps, per block a ghost refresh: the neighbour blocks' positions, imaged.
 * Nothing waits on the host: decisions travel in the block headers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "engine_impl.h"
#include "particles.h"
#ifdef SD_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

/* per-block buffers besides the fields */
enum { K_HDR = 0, K_ID, K_TYPE, K_X0, K_PLAN, K_XV, K_TV, K_IV, K_START, K_NBR, K_FIELD };
enum { PREP_REFRESH = 0, PREP_LISTS, PREP_FOLLOW };
#define MAXH 4096 /* buffers of one task (StarPU takes more than STARPU_NMAXBUFS as dynamic handles) */

struct sd_pengine {
    const sd_particles *P;
    sd_pgeom pg;
    int nb, nf, nk;             /* blocks, fields, buffer kinds (K_FIELD + nf) */
    int *ncomp;                 /* per field */
    void **mem;                 /* [kind * nb + block] */
    starpu_data_handle_t *h;
    sd_acc **pmem;              /* per reduction op: nb * npartials */
    starpu_data_handle_t *ph;   /* [slot * nb + block] */
    int nslots, *slot_init, *slot_step;
    sd_pbuf *pb;                /* host views of the blocks, for the rebuild */
    double **pbf;               /* [nb * nf] field pointers of pb */
    sd_prebuild_scratch rs;
    void **lscr;                /* per block: neighbour-build scratch */
    size_t *lscr_bytes;
    md_lj_table tab;
    double min2[MD_MAX_TYPES * MD_MAX_TYPES];
    sd_pdomain pd;
    sd_check_info info;         /* for reductions' finish */
    int ghosts_ok, built;       /* expansion state */
    int64_t last_build;         /* the step of the last rebuild task */
    int64_t rebuilds, dangerous; /* atomics */
};

#define MEM(pe, k, b) ((pe)->mem[(size_t)(k) * (pe)->nb + (b)])
#define HND(pe, k, b) ((pe)->h[(size_t)(k) * (pe)->nb + (b)])

/* The first error of a record wins; out of memory is a runtime error, the rest stop the run as
 * failed checks. */
static void set_error(sd_record *rec, const sd_pstatus *st, const sd_particles *P, int64_t step)
{
    if (!rec) return;
    char msg[512], *none = NULL;
    sd_pstatus_message(st, P, step, msg, sizeof msg);
    char *copy = strdup(msg);
    if (!copy || !__atomic_compare_exchange_n(&rec->error, &none, copy, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(copy);
        return;
    }
    rec->error_status = st->code == SD_PST_NOMEM ? SD_EXIT_RUNTIME : SD_EXIT_CHECK;
}

static void record_done(sd_record *rec)
{
    if (rec) __atomic_add_fetch(&rec->done, 1, __ATOMIC_RELEASE);
}

/* ---- op tasks ------------------------------------------------------------------------------ */

typedef struct pop_arg {
    meter m;
    sd_engine *e;
    const sd_gop *op;
    int whole, block, neighbor;
    int64_t step;
} pop_arg;

static int npartials(const sd_codelet *c) { return c->finish ? c->npartials : sd_codelet_nacc(c); }

/* The task's buffers, in the order submit_op gave them, as kernel arguments. */
static void pbind(const pop_arg *oa, void *buffers[], sd_tile_args *a, sd_pblock *blk)
{
    const sd_engine *e = oa->e;
    const struct sd_pengine *pe = e->pe;
    const sd_codelet *c = oa->op->cl;
    memset(a, 0, sizeof *a);
    a->ndim = 3;
    a->shape[0] = pe->P->count;
    a->shape[1] = a->shape[2] = 1;
    a->step = oa->step;
    a->dt = e->g->run.dt;
    a->time = oa->step > 0 ? (oa->step - 1) * a->dt : 0.0;
    for (int i = 0; i < c->nparams; i++) a->param[i] = oa->op->param[i];
    a->pd = &pe->pd;
    a->nblk = oa->whole ? pe->nb : 1;
    a->blk = blk;
    int hi = 0, slot = 0;
    for (int k = 0; k < a->nblk; k++) {
        sd_pblock *b = &blk[k];
        const sd_phdr *hdr = MEM(pe, K_HDR, oa->whole ? k : oa->block); /* host copy: only CPU tasks write it */
        memset(b, 0, sizeof *b);
        b->nh = hdr->nh;
        b->ng = hdr->ng;
        hi++;
        b->id = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        b->type = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        slot = 0;
        for (int r = 0; r < c->nroles; r++) {
            if (c->roles[r].kind == SD_ROLE_SCALAR) {
                if (c->roles[r].mode == SD_READ) b->p[slot++] = (void *)STARPU_VARIABLE_GET_PTR(buffers[hi++]);
                continue;
            }
            a->sc[slot] = pe->pg.cap_h;
            a->ncomp[slot] = c->roles[r].ncomp;
            a->dtype[slot] = SD_F64;
            b->p[slot++] = (void *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        }
        if (oa->neighbor) {
            b->xv = (const double *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
            b->xvsc = pe->pg.cap_h + pe->pg.cap_g;
            b->tv = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
            b->start = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
            b->nbr = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        }
    }
    a->nbuf = slot;
    memcpy(a->p, blk[0].p, sizeof a->p);
    a->nacc = c->pattern == SD_REDUCTION ? npartials(c) : 0;
    a->acc = a->nacc ? (sd_acc *)STARPU_VECTOR_GET_PTR(buffers[hi]) : NULL;
}

static void pop_cpu(void *buffers[], void *cl_arg)
{
    const pop_arg *oa = cl_arg;
    int64_t t0 = ns_now();
    sd_tile_args a;
    sd_pblock one, *blk = oa->whole ? sd_eng_xmalloc(sizeof *blk * oa->e->pe->nb) : &one;
    pbind(oa, buffers, &a, blk);
    for (int j = 0; j < a.nacc; j++) sd_acc_init(&a.acc[j]);
    oa->op->cl->cpu(&a);
    if (blk != &one) free(blk);
    meter_add(&oa->m, t0);
}

#ifdef SD_HAVE_CUDA
static sd_acc pacc_zero[SD_MAX_ACC];
static void pop_cuda(void *buffers[], void *cl_arg)
{
    const pop_arg *oa = cl_arg;
    cudaStream_t stream = starpu_cuda_get_local_stream();
    sd_tile_args a;
    sd_pblock one; /* whole ops have no CUDA implementation */
    pbind(oa, buffers, &a, &one);
    if (a.nacc) cudaMemcpyAsync(a.acc, pacc_zero, (size_t)a.nacc * sizeof(sd_acc), cudaMemcpyHostToDevice, stream);
    oa->op->cl->cuda(&a, stream);
}
#define POP_CUDA pop_cuda
#else
#define POP_CUDA NULL
#endif

/* ---- combine: partials of every block -> the op's scalars ---------------------------------- */

typedef struct pcombine_arg {
    meter m;
    const sd_engine *e;
    const sd_gop *op;
    sd_record *rec;
} pcombine_arg;

static void pcombine_cpu(void *buffers[], void *cl_arg)
{
    const pcombine_arg *ca = cl_arg;
    int64_t t0 = ns_now();
    const struct sd_pengine *pe = ca->e->pe;
    const sd_codelet *c = ca->op->cl;
    const int np = npartials(c);
    double sums[SD_MAX_ACC], out[SD_MAX_ACC];
    int out_role[SD_MAX_ACC], nout = 0;
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].kind == SD_ROLE_SCALAR && c->roles[r].mode != SD_READ) out_role[nout++] = r;
    for (int j = 0; j < np; j++) {
        sd_acc total;
        sd_acc_init(&total);
        for (int b = 0; b < pe->nb; b++) sd_acc_merge(&total, (const sd_acc *)STARPU_VECTOR_GET_PTR(buffers[b]) + j);
        sums[j] = sd_eng_reduced_value(&total, c->finish ? SD_REDUCE_SUM : c->roles[out_role[j]].reduce);
    }
    if (c->finish) {
        sd_check_info info = pe->info;
        info.param = ca->op->param;
        c->finish(sums, &info, out);
    } else memcpy(out, sums, sizeof sums);
    for (int j = 0; j < nout; j++) {
        const int s = ca->op->bind[out_role[j]].index;
        *(double *)STARPU_VARIABLE_GET_PTR(buffers[pe->nb + j]) = out[j];
        ca->rec->value[s] = out[j];
        ca->rec->computed[s] = 1;
    }
    meter_add(&ca->m, t0);
    record_done(ca->rec);
}

/* ---- rebuild, ghosts and lists ------------------------------------------------------------- */

typedef struct rebuild_arg {
    meter m;
    sd_engine *e;
    int64_t step;
    int first, check;
    sd_record *rec;
} rebuild_arg;

static void rebuild_cpu(void *buffers[], void *cl_arg)
{
    const rebuild_arg *ra = cl_arg;
    int64_t t0 = ns_now();
    struct sd_pengine *pe = ra->e->pe;
    const int per = 5 + pe->nf;
    for (int b = 0; b < pe->nb; b++) {
        void **bb = buffers + (size_t)b * per;
        sd_pbuf *p = &pe->pb[b];
        p->hdr = (sd_phdr *)STARPU_VECTOR_GET_PTR(bb[0]);
        p->id = (int64_t *)STARPU_VECTOR_GET_PTR(bb[1]);
        p->type = (int32_t *)STARPU_VECTOR_GET_PTR(bb[2]);
        p->x0 = (double *)STARPU_VECTOR_GET_PTR(bb[3]);
        p->plan = (md_ghost *)STARPU_VECTOR_GET_PTR(bb[4]);
        for (int f = 0; f < pe->nf; f++) p->fld[f] = (double *)STARPU_VECTOR_GET_PTR(bb[5 + f]);
    }
    sd_pstatus st;
    const int pos = pe->P->position;
    if (sd_particles_rebuild(&pe->pg, pe->P, pe->nf, pe->ncomp, pos, pe->pb, &pe->rs, ra->first, ra->check, &st)) {
        set_error(ra->rec, &st, pe->P, ra->step);
        for (int b = 0; b < pe->nb; b++) pe->pb[b].hdr->rebuilt = 0; /* keep going harmlessly until the host stops */
    } else if (pe->pb[0].hdr->rebuilt) {
        __atomic_add_fetch(&pe->rebuilds, 1, __ATOMIC_RELAXED);
        if (st.dangerous) __atomic_add_fetch(&pe->dangerous, 1, __ATOMIC_RELAXED);
    }
    meter_add(&ra->m, t0);
    record_done(ra->rec);
}

typedef struct prep_arg {
    meter m;
    sd_engine *e;
    int block, mode;
    int64_t step;
    sd_record *rec;
} prep_arg;

static void prepare_cpu(void *buffers[], void *cl_arg)
{
    const prep_arg *pa = cl_arg;
    int64_t t0 = ns_now();
    struct sd_pengine *pe = pa->e->pe;
    const int b = pa->block, ns = pe->pg.nslot[b];
    sd_phdr *hdr = (sd_phdr *)STARPU_VECTOR_GET_PTR(buffers[0]);
    const md_ghost *plan = (const md_ghost *)STARPU_VECTOR_GET_PTR(buffers[1]);
    const double *src[3];
    const int64_t *sid[3];
    const int32_t *stype[3];
    int hi = 2;
    for (int k = 0; k < ns; k++) {
        src[k] = (const double *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        sid[k] = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        stype[k] = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
    }
    double *xv = (double *)STARPU_VECTOR_GET_PTR(buffers[hi]);
    int32_t *tv = NULL, *nbr = NULL;
    int64_t *iv = NULL, *start = NULL;
    if (pa->mode != PREP_REFRESH) { /* a refresh task has only xv to write */
        tv = (int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 1]);
        iv = (int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 2]);
        start = (int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 3]);
        nbr = (int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 4]);
    }
    /* lists only after a rebuild that happened (a failed one or a check that decided against it
     * leaves rebuilt = 0) */
    const int lists = pa->mode != PREP_REFRESH && hdr->rebuilt;
    sd_pstatus st;
    if (sd_particles_prepare(&pe->pg, pe->min2, b, hdr, plan, src, sid, stype, lists, xv, tv, iv, start, nbr,
                             &pe->lscr[b], &pe->lscr_bytes[b], &st)) {
        set_error(pa->rec, &st, pe->P, pa->step);
        hdr->nl = 0;
        memset(start, 0, sizeof *start * (size_t)(hdr->nh + 1)); /* empty lists: no stray reads */
    }
    meter_add(&pa->m, t0);
    record_done(pa->rec);
}

/* ---- trajectory frames ------------------------------------------------------------------------ */

typedef struct traj_arg {
    meter m;
    const sd_engine *e;
    sd_record *rec;
} traj_arg;

static void trajectory_cpu(void *buffers[], void *cl_arg)
{
    const traj_arg *ta = cl_arg;
    int64_t t0 = ns_now();
    const struct sd_pengine *pe = ta->e->pe;
    const int64_t N = pe->P->count, ch = pe->pg.cap_h;
    double *pos = ta->rec->data, *vel = pos + 3 * N;
    int64_t *ids = (int64_t *)(vel + 3 * N), o = 0;
    for (int b = 0; b < pe->nb; b++) {
        void **bb = buffers + 4 * b;
        const int64_t n = ((const sd_phdr *)STARPU_VECTOR_GET_PTR(bb[0]))->nh;
        memcpy(ids + o, (const int64_t *)STARPU_VECTOR_GET_PTR(bb[1]), sizeof(int64_t) * (size_t)n);
        for (int c = 0; c < 3; c++) {
            memcpy(pos + c * N + o, (const double *)STARPU_VECTOR_GET_PTR(bb[2]) + c * ch, sizeof(double) * (size_t)n);
            memcpy(vel + c * N + o, (const double *)STARPU_VECTOR_GET_PTR(bb[3]) + c * ch, sizeof(double) * (size_t)n);
        }
        o += n;
    }
    meter_add(&ta->m, t0);
    record_done(ta->rec);
}

/* ---- set-up ----------------------------------------------------------------------------------- */

static int reg(sd_engine *e, int k, int b, int64_t count, size_t es)
{
    struct sd_pengine *pe = e->pe;
    void **m = &MEM(pe, k, b);
    if (count < 1) count = 1;
    if (starpu_malloc(m, (size_t)count * es) != 0) return -1;
    memset(*m, 0, (size_t)count * es);
    starpu_vector_data_register(&HND(pe, k, b), STARPU_MAIN_RAM, (uintptr_t)*m, (uint32_t)count, es);
    return 0;
}

int sd_pengine_create(sd_engine *e, char *err, size_t errlen)
{
    const sd_graph *g = e->g;
    const sd_particles *P = &g->domain.particles;
    struct sd_pengine *pe = e->pe = calloc(1, sizeof *pe);
    if (!pe) goto oom;
    pe->P = P;
    int ncpu = (int)starpu_cpu_worker_get_count(), ncuda = (int)starpu_cuda_worker_get_count();
    if (sd_pgeom_make(&pe->pg, P, e->o.nblocks > 0 ? e->o.nblocks : P->nblocks, ncpu, ncuda, err, errlen) < 0) return -1;
    const int nb = pe->nb = pe->pg.nb, nf = pe->nf = g->nfields;
    pe->nk = K_FIELD + nf;
    pe->ncomp = calloc(nf + 1, sizeof *pe->ncomp);
    pe->mem = calloc((size_t)pe->nk * nb, sizeof *pe->mem);
    pe->h = calloc((size_t)pe->nk * nb, sizeof *pe->h);
    pe->pb = calloc(nb, sizeof *pe->pb);
    pe->pbf = calloc((size_t)nb * nf + 1, sizeof *pe->pbf);
    pe->lscr = calloc(nb, sizeof *pe->lscr);
    pe->lscr_bytes = calloc(nb, sizeof *pe->lscr_bytes);
    pe->slot_init = calloc(g->ninit + 1, sizeof(int));
    pe->slot_step = calloc(g->nstep + 1, sizeof(int));
    pe->pmem = calloc(g->ninit + g->nstep + 1, sizeof *pe->pmem);
    pe->ph = calloc((size_t)(g->ninit + g->nstep + 1) * nb, sizeof *pe->ph);
    e->sval = calloc(g->nscalars + 1, sizeof(double));
    e->sh = calloc(g->nscalars + 1, sizeof *e->sh);
    e->cls = calloc(g->ninit + g->nstep + 1, sizeof *e->cls);
    e->cl_of_init = calloc(g->ninit + 1, sizeof(int));
    e->cl_of_step = calloc(g->nstep + 1, sizeof(int));
    e->stats = calloc(ST_FIRST_OP + g->ninit + g->nstep, sizeof *e->stats);
    if (!pe->ncomp || !pe->mem || !pe->h || !pe->pb || !pe->pbf || !pe->lscr || !pe->lscr_bytes || !pe->slot_init ||
        !pe->slot_step || !pe->pmem || !pe->ph || !e->sval || !e->sh || !e->cls || !e->cl_of_init || !e->cl_of_step ||
        !e->stats || sd_prebuild_scratch_make(&pe->rs, &pe->pg, P->count) < 0)
        goto oom;
    /* the summary's tiling: the blocks as slabs of the box grid */
    e->t.ndim = 3;
    e->t.ntiles = nb;
    for (int d = 0; d < 3; d++) {
        e->t.shape[d] = pe->pg.grid.nc[d];
        e->t.nt[d] = d == 2 ? nb : 1;
        e->t.start[d] = calloc((size_t)e->t.nt[d] + 1, sizeof(int64_t));
        if (!e->t.start[d]) goto oom;
        e->t.start[d][1] = pe->pg.grid.nc[d];
    }
    memcpy(e->t.start[2], pe->pg.zc, sizeof(int64_t) * (size_t)(nb + 1));
    e->nt = nb;

    for (int f = 0; f < nf; f++) pe->ncomp[f] = g->fields[f].ncomp;
    sd_particles_pair_table(P, &pe->tab);
    sd_particles_min_distance2(P, pe->min2);
    const double kB = sd_units_kB(P->units);
    pe->pd = (sd_pdomain){.count = P->count, .kB = kB, .ntypes = P->ntypes, .mass = P->mass, .pair = &pe->tab};
    memcpy(pe->pd.box, P->box, sizeof pe->pd.box);
    pe->info = (sd_check_info){.ndim = 3, .shape = {P->count, 1, 1}, .dx = {1, 1, 1}, .dt = g->run.dt,
                               .count = P->count, .kB = kB, .ntypes = P->ntypes, .mass = P->mass};
    memcpy(pe->info.box, P->box, sizeof pe->info.box);
#ifdef SD_HAVE_CUDA
    for (int j = 0; j < SD_MAX_ACC; j++) sd_acc_init(&pacc_zero[j]);
#endif

    const int64_t ch = pe->pg.cap_h, cg = pe->pg.cap_g, cl = pe->pg.cap_l;
    for (int b = 0; b < nb; b++) {
        if (reg(e, K_HDR, b, 1, sizeof(sd_phdr)) || reg(e, K_ID, b, ch, sizeof(int64_t)) ||
            reg(e, K_TYPE, b, ch, sizeof(int32_t)) || reg(e, K_X0, b, 3 * ch, sizeof(double)) ||
            reg(e, K_PLAN, b, cg, sizeof(md_ghost)) || reg(e, K_XV, b, 3 * (ch + cg), sizeof(double)) ||
            reg(e, K_TV, b, ch + cg, sizeof(int32_t)) || reg(e, K_IV, b, ch + cg, sizeof(int64_t)) ||
            reg(e, K_START, b, ch + 1, sizeof(int64_t)) || reg(e, K_NBR, b, cl, sizeof(int32_t)))
            goto oom;
        for (int f = 0; f < nf; f++)
            if (reg(e, K_FIELD + f, b, (int64_t)pe->ncomp[f] * ch, sizeof(double))) goto oom;
        sd_pbuf *p = &pe->pb[b];
        p->hdr = MEM(pe, K_HDR, b);
        p->id = MEM(pe, K_ID, b);
        p->type = MEM(pe, K_TYPE, b);
        p->fld = pe->pbf + (size_t)b * nf;
    }
    sd_particles_assign(&pe->pg, P, pe->pb); /* before any task: host memory is StarPU's copy */
    int most = (5 + nf) * nb; /* the rebuild's buffers; whole ops: header, ids, types and roles per block */
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const sd_codelet *c = (i < g->ninit ? &g->init[i] : &g->step[i - g->ninit])->cl;
        if (c->pattern == SD_WHOLE && (3 + c->nroles) * nb > most) most = (3 + c->nroles) * nb;
    }
    if (most > MAXH) {
        snprintf(err, errlen, "%d blocks make tasks of %d buffers, more than %d: use fewer blocks (tiles: N)", nb, most,
                 MAXH);
        return -1;
    }

    e->stats[ST_PACK].name = "neighbour rebuild";
    e->stats[ST_UNPACK].name = "ghosts and lists";
    e->stats[ST_COMBINE].name = "reduction combine";
    e->stats[ST_SNAPSHOT].name = "trajectory snapshot";
    sd_eng_init_cl(e, &e->cl_pack, &e->m_pack, "stardag.particles.rebuild", "stardag.particles.rebuild", rebuild_cpu, NULL);
    sd_eng_init_cl(e, &e->cl_unpack, &e->m_unpack, "stardag.particles.prepare", "stardag.particles.prepare", prepare_cpu,
                   NULL);
    sd_eng_init_cl(e, &e->cl_combine, &e->m_combine, "stardag.particles.combine", "stardag.particles.combine",
                   pcombine_cpu, NULL);
    sd_eng_init_cl(e, &e->cl_snapshot, &e->m_snapshot, "stardag.particles.trajectory", "stardag.particles.trajectory",
                   trajectory_cpu, NULL);
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const int init = i < g->ninit, k = init ? i : i - g->ninit;
        const sd_gop *op = init ? &g->init[k] : &g->step[k];
        (init ? e->cl_of_init : e->cl_of_step)[k] = sd_eng_cl_index(e, op->cl, pop_cpu, POP_CUDA);
        int *slot = init ? &pe->slot_init[k] : &pe->slot_step[k];
        *slot = -1;
        if (op->cl->pattern != SD_REDUCTION) continue;
        *slot = pe->nslots++;
        const int np = npartials(op->cl);
        if (starpu_malloc((void **)&pe->pmem[*slot], sizeof(sd_acc) * (size_t)np * nb) != 0) goto oom;
        for (int b = 0; b < nb; b++) {
            sd_acc *p = pe->pmem[*slot] + (size_t)b * np;
            for (int j = 0; j < np; j++) sd_acc_init(&p[j]);
            starpu_vector_data_register(&pe->ph[*slot * nb + b], STARPU_MAIN_RAM, (uintptr_t)p, np, sizeof(sd_acc));
        }
    }
    for (int s = 0; s < g->nscalars; s++) {
        e->sval[s] = NAN;
        starpu_variable_data_register(&e->sh[s], STARPU_MAIN_RAM, (uintptr_t)&e->sval[s], sizeof(double));
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory allocating %d particle blocks", pe ? pe->nb : 0);
    return -1;
}

void sd_pengine_release(sd_engine *e)
{
    struct sd_pengine *pe = e->pe;
    const sd_graph *g = e->g;
    for (size_t i = 0; pe->mem && i < (size_t)pe->nk * pe->nb; i++)
        if (pe->mem[i]) {
            starpu_data_unregister(pe->h[i]);
            starpu_free(pe->mem[i]);
        }
    for (int s = 0; pe->pmem && s < pe->nslots; s++)
        if (pe->pmem[s]) {
            for (int b = 0; b < pe->nb; b++) starpu_data_unregister(pe->ph[s * pe->nb + b]);
            starpu_free(pe->pmem[s]);
        }
    for (int s = 0; e->sh && s < g->nscalars; s++)
        if (e->sh[s]) starpu_data_unregister(e->sh[s]);
    free(pe->mem); free(pe->h); free(pe->pmem); free(pe->ph);
    pe->mem = NULL; pe->h = NULL; pe->pmem = NULL; pe->ph = NULL;
    free(e->sval); free(e->sh);
    e->sval = NULL; e->sh = NULL;
}

void sd_pengine_free(sd_engine *e)
{
    struct sd_pengine *pe = e->pe;
    for (int b = 0; pe->lscr && b < pe->nb; b++) free(pe->lscr[b]);
    free(pe->lscr); free(pe->lscr_bytes); free(pe->ncomp); free(pe->pb); free(pe->pbf);
    free(pe->slot_init); free(pe->slot_step);
    sd_prebuild_scratch_free(&pe->rs);
    sd_pgeom_free(&pe->pg);
    free(pe);
    e->pe = NULL;
}

int sd_engine_particle_stats(const sd_engine *e, sd_particle_stats *ps)
{
    memset(ps, 0, sizeof *ps);
    const struct sd_pengine *pe = e->pe;
    if (!pe) return 0;
    ps->nblocks = pe->nb;
    for (int d = 0; d < 3; d++) ps->cells[d] = pe->pg.grid.nc[d];
    ps->cap_home = pe->pg.cap_h;
    ps->cap_ghost = pe->pg.cap_g;
    ps->cap_list = pe->pg.cap_l;
    ps->rebuilds = __atomic_load_n(&pe->rebuilds, __ATOMIC_RELAXED);
    ps->dangerous = __atomic_load_n(&pe->dangerous, __ATOMIC_RELAXED);
    return 1;
}

/* ---- expansion ---------------------------------------------------------------------------------- */

typedef struct hlist {
    int n;
    starpu_data_handle_t h[MAXH];
    enum starpu_data_access_mode m[MAXH];
} hlist;

static void add(hlist *l, starpu_data_handle_t h, enum starpu_data_access_mode m)
{
    if (l->n >= MAXH) {
        fprintf(stderr, "stardag: a particle task needs more than %d buffers (too many blocks)\n", MAXH);
        exit(SD_EXIT_RUNTIME);
    }
    l->h[l->n] = h;
    l->m[l->n++] = m;
}

static enum starpu_data_access_mode mode_of(sd_access a)
{
    return a == SD_READ ? STARPU_R : a == SD_WRITE ? STARPU_W : STARPU_RW;
}

static int needs_neighbors(const sd_codelet *c)
{
    if (c->pattern == SD_NEIGHBOR) return 1;
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].halo > 0) return 1;
    return 0;
}

static void prepare_ghosts(sd_engine *e, int64_t step, int init)
{
    struct sd_pengine *pe = e->pe;
    const sd_particles *P = pe->P;
    const int rebuild = !pe->built || init || step - pe->last_build >= P->rebuild_every;
    sd_record *rec = NULL;
    int mode = PREP_REFRESH;
    static hlist L;
    if (rebuild) {
        rec = sd_eng_record_new(e, 0, step);
        rec->expected = 1 + pe->nb;
        rebuild_arg *ra = sd_eng_xmalloc(sizeof *ra);
        /* during init positions may be set anew after a neighbour op: no displacement checks there */
        *ra = (rebuild_arg){{&e->stats[ST_PACK], e->busy, e->o.profile}, e, step, !pe->built || init,
                            P->rebuild_check && pe->built && !init, rec};
        mode = ra->check ? PREP_FOLLOW : PREP_LISTS;
        L.n = 0;
        for (int b = 0; b < pe->nb; b++) {
            add(&L, HND(pe, K_HDR, b), STARPU_RW);
            add(&L, HND(pe, K_ID, b), STARPU_RW);
            add(&L, HND(pe, K_TYPE, b), STARPU_RW);
            add(&L, HND(pe, K_X0, b), STARPU_RW);
            add(&L, HND(pe, K_PLAN, b), STARPU_RW);
            for (int f = 0; f < pe->nf; f++) add(&L, HND(pe, K_FIELD + f, b), STARPU_RW);
        }
        sd_eng_submit(e, &e->cl_pack, ST_PACK, -1, step, ra, sizeof *ra, 1, L.n, L.h, L.m);
        pe->built = 1;
        pe->last_build = step; /* considered: with check, the task may decide against it */
    }
    for (int b = 0; b < pe->nb; b++) {
        prep_arg *pa = sd_eng_xmalloc(sizeof *pa);
        *pa = (prep_arg){{&e->stats[ST_UNPACK], e->busy, e->o.profile}, e, b, mode, step, rec};
        /* a refresh writes xv only: the lists stay valid where they are (on a GPU, say) */
        const enum starpu_data_access_mode lm = mode == PREP_REFRESH ? STARPU_R : STARPU_RW;
        L.n = 0;
        add(&L, HND(pe, K_HDR, b), lm);
        add(&L, HND(pe, K_PLAN, b), STARPU_R);
        for (int k = 0; k < pe->pg.nslot[b]; k++) {
            const int s = pe->pg.slot[b][k];
            add(&L, HND(pe, K_FIELD + P->position, s), STARPU_R);
            add(&L, HND(pe, K_ID, s), STARPU_R);
            add(&L, HND(pe, K_TYPE, s), STARPU_R);
        }
        add(&L, HND(pe, K_XV, b), STARPU_W);
        if (mode != PREP_REFRESH) {
            add(&L, HND(pe, K_TV, b), STARPU_RW);
            add(&L, HND(pe, K_IV, b), STARPU_RW);
            add(&L, HND(pe, K_START, b), STARPU_RW);
            add(&L, HND(pe, K_NBR, b), STARPU_RW);
        }
        sd_eng_submit(e, &e->cl_unpack, ST_UNPACK, b, step, pa, sizeof *pa, 1, L.n, L.h, L.m);
    }
    pe->ghosts_ok = 1;
}

/* The handles of block b for op (its header, ids, types, roles, and for neighbour ops the ghosts
 * and lists), in pbind's order. */
static void op_handles(const sd_engine *e, const sd_gop *op, int b, int neighbor, hlist *L)
{
    const struct sd_pengine *pe = e->pe;
    const sd_codelet *c = op->cl;
    add(L, HND(pe, K_HDR, b), STARPU_R);
    add(L, HND(pe, K_ID, b), STARPU_R);
    add(L, HND(pe, K_TYPE, b), STARPU_R);
    for (int r = 0; r < c->nroles; r++) {
        const sd_binding *bd = &op->bind[r];
        if (bd->is_scalar) {
            if (bd->mode == SD_READ) add(L, e->sh[bd->index], STARPU_R);
            continue;
        }
        add(L, HND(pe, K_FIELD + bd->index, b), mode_of(c->roles[r].mode));
    }
    if (neighbor) {
        add(L, HND(pe, K_XV, b), STARPU_R);
        add(L, HND(pe, K_TV, b), STARPU_R);
        add(L, HND(pe, K_START, b), STARPU_R);
        add(L, HND(pe, K_NBR, b), STARPU_R);
    }
}

static void submit_op(sd_engine *e, const sd_gop *op, int k, int init, int64_t step)
{
    struct sd_pengine *pe = e->pe;
    const sd_codelet *c = op->cl;
    const int neighbor = needs_neighbors(c), whole = c->pattern == SD_WHOLE;
    if (neighbor && !pe->ghosts_ok) prepare_ghosts(e, step, init);
    const int ci = init ? e->cl_of_init[k] : e->cl_of_step[k], slot = init ? pe->slot_init[k] : pe->slot_step[k];
    static hlist L;
    for (int b = 0; b < (whole ? 1 : pe->nb); b++) {
        pop_arg *oa = sd_eng_xmalloc(sizeof *oa);
        *oa = (pop_arg){{&e->stats[ST_FIRST_OP + ci], e->busy, e->o.profile}, e, op, whole, b, neighbor, step};
        L.n = 0;
        if (whole)
            for (int j = 0; j < pe->nb; j++) op_handles(e, op, j, 0, &L);
        else op_handles(e, op, b, neighbor, &L);
        if (slot >= 0) add(&L, pe->ph[slot * pe->nb + b], STARPU_W);
        sd_eng_submit(e, &e->cls[ci].cl, ST_FIRST_OP + ci, whole ? -1 : b, step, oa, sizeof *oa, 1, L.n, L.h, L.m);
    }
    if (slot >= 0) {
        pcombine_arg *ca = sd_eng_xmalloc(sizeof *ca);
        if (!e->scalars_now) e->scalars_now = sd_eng_record_new(e, 0, step);
        *ca = (pcombine_arg){{&e->stats[ST_COMBINE], e->busy, e->o.profile}, e, op, e->scalars_now};
        ca->rec->expected++;
        L.n = 0;
        for (int b = 0; b < pe->nb; b++) add(&L, pe->ph[slot * pe->nb + b], STARPU_R);
        for (int r = 0; r < c->nroles; r++)
            if (op->bind[r].is_scalar && op->bind[r].mode != SD_READ) add(&L, e->sh[op->bind[r].index], STARPU_W);
        sd_eng_submit(e, &e->cl_combine, ST_COMBINE, -1, step, ca, sizeof *ca, 1, L.n, L.h, L.m);
    }
    for (int r = 0; r < c->nroles; r++)
        if (!op->bind[r].is_scalar && op->bind[r].index == pe->P->position && c->roles[r].mode != SD_READ)
            pe->ghosts_ok = 0;
}

void sd_pengine_submit_init(sd_engine *e)
{
    const sd_graph *g = e->g;
    for (int k = 0; k < g->ninit; k++) submit_op(e, &g->init[k], k, 1, 0);
}

void sd_pengine_submit_step(sd_engine *e, int64_t step)
{
    const sd_graph *g = e->g;
    for (int k = 0; k < g->nstep; k++)
        if (sd_op_due(&g->step[k], step)) submit_op(e, &g->step[k], k, 0, step);
}

void sd_pengine_submit_snapshot(sd_engine *e, int64_t step)
{
    struct sd_pengine *pe = e->pe;
    const int64_t N = pe->P->count;
    sd_record *r = sd_eng_record_new(e, 1, step);
    r->field = -1;
    r->expected = 1;
    r->data = malloc(sizeof(double) * 6 * (size_t)N + sizeof(int64_t) * (size_t)N);
    if (!r->data) {
        fprintf(stderr, "stardag: out of memory for a trajectory frame of %lld particles\n", (long long)N);
        exit(SD_EXIT_RUNTIME);
    }
    traj_arg *ta = sd_eng_xmalloc(sizeof *ta);
    *ta = (traj_arg){{&e->stats[ST_SNAPSHOT], e->busy, e->o.profile}, e, r};
    static hlist L;
    L.n = 0;
    for (int b = 0; b < pe->nb; b++) {
        add(&L, HND(pe, K_HDR, b), STARPU_R);
        add(&L, HND(pe, K_ID, b), STARPU_R);
        add(&L, HND(pe, K_FIELD + pe->P->position, b), STARPU_R);
        add(&L, HND(pe, K_FIELD + pe->P->velocity, b), STARPU_R);
    }
    sd_eng_submit(e, &e->cl_snapshot, ST_SNAPSHOT, -1, step, ta, sizeof *ta, 1, L.n, L.h, L.m);
}
