/* engine.c - StarPU glue: registers tiles, faces, partials and scalars, builds one StarPU codelet
 * (with a history-based performance model) per stardag codelet, and submits emitted tasks.
 * The trampolines here only unpack buffers and call pure kernels: no arithmetic of their own. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "engine_impl.h"
#include "trace.h"
#ifdef SD_HAVE_CUDA
#include <cuda_runtime_api.h>
#define CUDA_FN(f) (f)
#else
#define CUDA_FN(f) NULL
#endif

typedef struct op_arg {
    meter m;
    const op_tmpl *tmpl; /* one per tile for whole-field ops */
    const sd_codelet *sc;
    int whole, nt;
    int64_t step;
    double time;
} op_arg;

/* Tile k's arguments from the task's buffers (host or device pointers, as StarPU gives them);
 * the reduction partials, if any, are a.acc (not yet initialised). */
static void bind_args(const op_arg *oa, int k, void *buffers[], sd_tile_args *a)
{
    const sd_codelet *c = oa->sc;
    const op_tmpl *T = oa->tmpl + k;
    *a = T->a;
    a->step = oa->step;
    a->time = oa->time;
    int hi = 0, slot = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *role = &c->roles[r];
        if (role->kind == SD_ROLE_SCALAR) {
            if (role->mode == SD_READ) a->p[slot++] = (void *)STARPU_VARIABLE_GET_PTR(buffers[hi++]);
            continue;
        }
        a->p[slot] = (char *)STARPU_VECTOR_GET_PTR(buffers[oa->whole ? hi + k : hi]) + T->off_bytes[slot];
        slot++;
        hi += oa->whole ? oa->nt : 1;
    }
    a->acc = a->nacc ? (sd_acc *)STARPU_VECTOR_GET_PTR(buffers[hi]) : NULL;
}

static void op_cpu(void *buffers[], void *cl_arg)
{
    const op_arg *oa = cl_arg;
    int64_t t0 = ns_now();
    for (int k = 0; k < (oa->whole ? oa->nt : 1); k++) {
        sd_tile_args a;
        bind_args(oa, k, buffers, &a);
        for (int j = 0; j < a.nacc; j++) sd_acc_init(&a.acc[j]);
        oa->sc->cpu(&a);
    }
    meter_add(&oa->m, t0);
}

#ifdef SD_HAVE_CUDA
/* Initialised partials, copied to the device (glue does no arithmetic, not even sd_acc_init). */
static sd_acc acc_zero[SD_MAX_ACC];

static void op_cuda(void *buffers[], void *cl_arg)
{
    const op_arg *oa = cl_arg;
    cudaStream_t stream = starpu_cuda_get_local_stream();
    for (int k = 0; k < (oa->whole ? oa->nt : 1); k++) {
        sd_tile_args a;
        bind_args(oa, k, buffers, &a);
        if (a.nacc) cudaMemcpyAsync(a.acc, acc_zero, (size_t)a.nacc * sizeof(sd_acc), cudaMemcpyHostToDevice, stream);
        oa->sc->cuda(&a, stream);
    }
}
#endif

typedef struct pack_arg {
    meter m;
    const sd_halo_geom *g;
    int n;
    signed char d[6], s[6];
} pack_arg;

static void pack_cpu(void *buffers[], void *cl_arg)
{
    const pack_arg *pa = cl_arg;
    int64_t t0 = ns_now();
    const void *tile = (const void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    for (int i = 0; i < pa->n; i++)
        sd_halo_pack(pa->g, tile, pa->d[i], pa->s[i], (void *)STARPU_VECTOR_GET_PTR(buffers[1 + i]));
    meter_add(&pa->m, t0);
}

#ifdef SD_HAVE_CUDA
static void pack_cuda(void *buffers[], void *cl_arg)
{
    const pack_arg *pa = cl_arg;
    cudaStream_t stream = starpu_cuda_get_local_stream();
    const void *tile = (const void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    for (int i = 0; i < pa->n; i++)
        sd_halo_pack_cuda(pa->g, tile, pa->d[i], pa->s[i], (void *)STARPU_VECTOR_GET_PTR(buffers[1 + i]), stream);
}
#endif

enum { ACT_FACE, ACT_WRAP, ACT_REFLECT, ACT_FIXED, ACT_ABSORB };
typedef struct unpack_arg {
    meter m;
    const sd_halo_geom *g;
    int n, old; /* old: buffer index of the previous level, 0 if none */
    struct { signed char kind, d, s, h; double v; } act[6];
} unpack_arg;

static void unpack_cpu(void *buffers[], void *cl_arg)
{
    const unpack_arg *ua = cl_arg;
    int64_t t0 = ns_now();
    void *tile = (void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    const void *old = ua->old ? (const void *)STARPU_VECTOR_GET_PTR(buffers[ua->old]) : NULL;
    for (int i = 0; i < ua->n; i++) {
        int d = ua->act[i].d, s = ua->act[i].s;
        switch (ua->act[i].kind) {
        case ACT_FACE: sd_halo_unpack(ua->g, tile, d, s, (const void *)STARPU_VECTOR_GET_PTR(buffers[ua->act[i].h])); break;
        case ACT_WRAP: sd_halo_wrap(ua->g, tile, d, s); break;
        case ACT_REFLECT: sd_halo_reflect(ua->g, tile, d, s); break;
        case ACT_FIXED: sd_halo_fixed(ua->g, tile, d, s, ua->act[i].v); break;
        case ACT_ABSORB: sd_halo_absorb(ua->g, tile, old, d, s, ua->act[i].v); break;
        }
    }
    meter_add(&ua->m, t0);
}

#ifdef SD_HAVE_CUDA
static void unpack_cuda(void *buffers[], void *cl_arg)
{
    const unpack_arg *ua = cl_arg;
    cudaStream_t stream = starpu_cuda_get_local_stream();
    void *tile = (void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    const void *old = ua->old ? (const void *)STARPU_VECTOR_GET_PTR(buffers[ua->old]) : NULL;
    for (int i = 0; i < ua->n; i++) {
        int d = ua->act[i].d, s = ua->act[i].s;
        switch (ua->act[i].kind) {
        case ACT_FACE:
            sd_halo_unpack_cuda(ua->g, tile, d, s, (const void *)STARPU_VECTOR_GET_PTR(buffers[ua->act[i].h]), stream);
            break;
        case ACT_WRAP: sd_halo_wrap_cuda(ua->g, tile, d, s, stream); break;
        case ACT_REFLECT: sd_halo_reflect_cuda(ua->g, tile, d, s, stream); break;
        case ACT_FIXED: sd_halo_fixed_cuda(ua->g, tile, d, s, ua->act[i].v, stream); break;
        case ACT_ABSORB: sd_halo_absorb_cuda(ua->g, tile, old, d, s, ua->act[i].v, stream); break;
        }
    }
}
#endif

typedef struct combine_arg {
    meter m;
    int nt, nacc;
    int reduce[SD_MAX_ACC], scalar[SD_MAX_ACC];
    sd_record *rec;
} combine_arg;

static void combine_cpu(void *buffers[], void *cl_arg)
{
    const combine_arg *ca = cl_arg;
    int64_t t0 = ns_now();
    for (int j = 0; j < ca->nacc; j++) {
        sd_acc total;
        sd_acc_init(&total);
        for (int t = 0; t < ca->nt; t++) sd_acc_merge(&total, (const sd_acc *)STARPU_VECTOR_GET_PTR(buffers[t]) + j);
        double v = sd_eng_reduced_value(&total, ca->reduce[j]);
        *(double *)STARPU_VARIABLE_GET_PTR(buffers[ca->nt + j]) = v;
        if (ca->rec) {
            ca->rec->value[ca->scalar[j]] = v;
            ca->rec->computed[ca->scalar[j]] = 1;
        }
    }
    meter_add(&ca->m, t0);
    if (ca->rec) __atomic_add_fetch(&ca->rec->done, 1, __ATOMIC_RELEASE);
}

typedef struct snap_arg {
    meter m;
    const sd_halo_geom *g;
    int64_t origin[3], shape[3];
    sd_record *rec;
} snap_arg;

static void snapshot_cpu(void *buffers[], void *cl_arg)
{
    const snap_arg *sa = cl_arg;
    int64_t t0 = ns_now();
    const sd_halo_geom *g = sa->g;
    const char *tile = (const char *)STARPU_VECTOR_GET_PTR(buffers[0]);
    char *dst = sa->rec->data;
    size_t es = sd_dtype_size(g->dtype), row = (size_t)g->n[0] * es;
    for (int c = 0; c < g->ncomp; c++)
        for (int64_t k = 0; k < g->n[2]; k++)
            for (int64_t j = 0; j < g->n[1]; j++) {
                int64_t to = ((c * sa->shape[2] + sa->origin[2] + k) * sa->shape[1] + sa->origin[1] + j) * sa->shape[0] +
                             sa->origin[0];
                int64_t from = g->off + j * g->sy + k * g->sz + c * g->sc;
                memcpy(dst + to * es, tile + from * es, row);
            }
    meter_add(&sa->m, t0);
    __atomic_add_fetch(&sa->rec->done, 1, __ATOMIC_RELEASE);
}



/* ---- set-up ------------------------------------------------------------------------------ */

static void make_halo_args(sd_engine *e, int f, int tile);

/* fc: the CUDA trampoline, NULL for CPU-only codelets. SD_ARCH_CUDA keeps codelets with a CUDA
 * implementation off the CPUs; SD_ARCH_CPU keeps everything off the GPUs. */
void sd_eng_init_cl(sd_engine *e, struct starpu_codelet *cl, struct starpu_perfmodel *m, const char *name,
                    const char *symbol, starpu_cpu_func_t f, starpu_cuda_func_t fc)
{
    starpu_codelet_init(cl);
    memset(m, 0, sizeof *m);
    m->type = STARPU_HISTORY_BASED;
    m->symbol = symbol;
    cl->where = 0;
    if (e->o.arch != SD_ARCH_CUDA || !fc) {
        cl->where |= STARPU_CPU;
        cl->cpu_funcs[0] = f;
    }
    if (fc && e->o.arch != SD_ARCH_CPU) {
        cl->where |= STARPU_CUDA;
        cl->cuda_funcs[0] = fc;
        cl->cuda_flags[0] = STARPU_CUDA_ASYNC;
    }
    cl->nbuffers = STARPU_VARIABLE_NBUFFERS;
    cl->name = name;
    /* only model-based schedulers read models; keeping them costs time on every task */
    cl->model = e->o.use_models ? m : NULL;
}

int sd_eng_cl_index(sd_engine *e, const sd_codelet *sc, starpu_cpu_func_t cpu, starpu_cuda_func_t cuda)
{
    for (int i = 0; i < e->ncls; i++)
        if (e->cls[i].sc == sc) return i;
    cl_entry *ce = &e->cls[e->ncls];
    ce->sc = sc;
    sd_eng_init_cl(e, &ce->cl, &ce->model, sc->name, sc->model, cpu, sc->cuda ? cuda : NULL);
    /* particle graphs run their CPU-only ops (init, Berendsen) on CPUs even in a CUDA-only run, as
     * they do the rebuild and ghost tasks; grid graphs must have every codelet on the GPU */
    if (e->o.arch == SD_ARCH_CUDA && !(ce->cl.where & STARPU_CUDA) && !e->unrunnable && !e->pe) e->unrunnable = sc->name;
    e->stats[ST_FIRST_OP + e->ncls].name = sc->name;
    return e->ncls++;
}

static void fill_tmpl(sd_engine *e, const sd_gop *op, op_tmpl *T, int tile)
{
    const sd_graph *g = e->g;
    memset(T, 0, sizeof *T);
    sd_tile_args *a = &T->a;
    a->ndim = g->domain.ndim;
    sd_tile_box(&e->t, tile, a->origin, a->n);
    for (int d = 0; d < 3; d++) {
        a->shape[d] = e->t.shape[d];
        a->dx[d] = d < g->domain.ndim ? g->domain.spacing[d] : 1.0;
        a->bc[d] = g->domain.bc[d];
    }
    int slot = 0;
    for (int r = 0; r < op->cl->nroles; r++) {
        const sd_binding *b = &op->bind[r];
        if (b->is_scalar) {
            if (b->mode == SD_READ) slot++;
            else a->nacc++;
            continue;
        }
        const sd_gfield *f = &g->fields[b->index];
        int64_t off, total;
        sd_tile_layout(a->ndim, a->n, f->halo, f->ncomp, &a->sy[slot], &a->sz[slot], &a->sc[slot], &off, &total);
        a->ncomp[slot] = f->ncomp;
        a->dtype[slot] = f->dtype;
        a->halo[slot] = f->halo;
        T->off_bytes[slot] = off * (int64_t)sd_dtype_size(f->dtype);
        slot++;
    }
    a->nbuf = slot;
    for (int i = 0; i < op->cl->nparams; i++) a->param[i] = op->param[i];
    a->dt = g->run.dt;
}

static int alloc_register(void **mem, starpu_data_handle_t *h, int64_t count, size_t es)
{
    if (starpu_malloc(mem, (size_t)count * es) != 0) return -1;
    memset(*mem, 0, (size_t)count * es);
    starpu_vector_data_register(h, STARPU_MAIN_RAM, (uintptr_t)*mem, (uint32_t)count, es);
    return 0;
}

sd_engine *sd_engine_create(const sd_graph *g, const int64_t tile[3], const sd_engine_opts *o, char *err, size_t errlen)
{
    sd_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->g = g;
    e->o = *o;
    if (g->domain.kind == SD_DOMAIN_PARTICLES) {
        if (sd_pengine_create(e, err, errlen) == 0) return e;
        sd_engine_destroy(e);
        return NULL;
    }
#ifdef SD_HAVE_CUDA
    for (int j = 0; j < SD_MAX_ACC; j++) sd_acc_init(&acc_zero[j]);
#endif
    int hmax = 0;
    for (int f = 0; f < g->nfields; f++)
        if (g->fields[f].halo > hmax) hmax = g->fields[f].halo;
    if (sd_tiling_make(&e->t, &g->domain, tile, hmax, err, errlen) < 0) {
        free(e);
        return NULL;
    }
    if (sd_plan_make(&e->plan, g, &e->t) < 0) {
        snprintf(err, errlen, "out of memory");
        sd_tiling_free(&e->t);
        free(e);
        return NULL;
    }
    int nt = e->nt = e->t.ntiles, nbuf = e->plan.nbuf, nslots = e->plan.nslots;
    e->tmem = calloc((size_t)nbuf * nt, sizeof *e->tmem);
    e->th = calloc((size_t)nbuf * nt, sizeof *e->th);
    e->fmem = calloc((size_t)nbuf * nt * 6, sizeof *e->fmem);
    e->fh = calloc((size_t)nbuf * nt * 6, sizeof *e->fh);
    e->pmem = calloc(nslots + 1, sizeof *e->pmem);
    e->ph = calloc((size_t)(nslots + 1) * nt, sizeof *e->ph);
    e->sval = calloc(g->nscalars + 1, sizeof(double));
    e->sh = calloc(g->nscalars + 1, sizeof *e->sh);
    e->hg = calloc((size_t)g->nfields * nt + 1, sizeof *e->hg);
    e->tinit = calloc((size_t)(g->ninit + 1) * nt, sizeof *e->tinit);
    e->tstep = calloc((size_t)(g->nstep + 1) * nt, sizeof *e->tstep);
    e->cls = calloc(g->ninit + g->nstep + 1, sizeof *e->cls);
    e->cl_of_init = calloc(g->ninit + 1, sizeof(int));
    e->cl_of_step = calloc(g->nstep + 1, sizeof(int));
    e->pargs = calloc((size_t)g->nfields * nt + 1, sizeof *e->pargs);
    e->uargs = calloc((size_t)g->nfields * nt + 1, sizeof *e->uargs);
    e->uargs_old = calloc((size_t)g->nfields * nt + 1, sizeof *e->uargs_old);
    e->stats = calloc(ST_FIRST_OP + g->ninit + g->nstep, sizeof *e->stats);
    if (!e->tmem || !e->th || !e->fmem || !e->fh || !e->pmem || !e->ph || !e->sval || !e->sh ||
        !e->hg || !e->tinit || !e->tstep || !e->cls || !e->cl_of_init || !e->cl_of_step || !e->stats ||
        !e->pargs || !e->uargs || !e->uargs_old)
        goto oom;
    e->stats[ST_PACK].name = "halo pack";
    e->stats[ST_UNPACK].name = "halo unpack";
    e->stats[ST_COMBINE].name = "reduction combine";
    e->stats[ST_SNAPSHOT].name = "output snapshot";
    sd_eng_init_cl(e, &e->cl_pack, &e->m_pack, "stardag.halo_pack", "stardag.halo_pack", pack_cpu, CUDA_FN(pack_cuda));
    sd_eng_init_cl(e, &e->cl_unpack, &e->m_unpack, "stardag.halo_unpack", "stardag.halo_unpack", unpack_cpu,
            CUDA_FN(unpack_cuda));
    /* combines and snapshots deliver to host memory: CPU only */
    sd_eng_init_cl(e, &e->cl_combine, &e->m_combine, "stardag.combine", "stardag.combine", combine_cpu, NULL);
    sd_eng_init_cl(e, &e->cl_snapshot, &e->m_snapshot, "stardag.snapshot", "stardag.snapshot", snapshot_cpu, NULL);

    for (int f = 0; f < g->nfields; f++)
        for (int tl = 0; tl < nt; tl++) {
            int64_t o[3], n[3];
            sd_tile_box(&e->t, tl, o, n);
            sd_halo_geom_make(&e->hg[f * nt + tl], g->domain.ndim, n, g->fields[f].halo, g->fields[f].ncomp,
                              g->fields[f].dtype);
            make_halo_args(e, f, tl);
        }
    for (int b = 0; b < nbuf; b++) {
        int f = e->plan.buf_field[b];
        size_t es = sd_dtype_size(g->fields[f].dtype);
        for (int tl = 0; tl < nt; tl++) {
            const sd_halo_geom *hg = &e->hg[f * nt + tl];
            int64_t sy, sz, sc, off, total;
            sd_tile_layout(hg->ndim, hg->n, hg->h, hg->ncomp, &sy, &sz, &sc, &off, &total);
            if (alloc_register(&e->tmem[b * nt + tl], &e->th[b * nt + tl], total, es) < 0) goto oom;
            if (hg->h == 0) continue;
            for (int d = 0; d < g->domain.ndim; d++)
                for (int s = 0; s < 2; s++) {
                    int nb = sd_tile_neighbor(&e->t, tl, d, s);
                    if (nb < 0 || nb == tl) continue; /* boundary, or wrapped in place */
                    size_t k = ((size_t)b * nt + tl) * 6 + 2 * d + s;
                    if (alloc_register(&e->fmem[k], &e->fh[k], sd_face_count(hg, d), es) < 0) goto oom;
                }
        }
    }
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        int init = i < g->ninit, k = init ? i : i - g->ninit;
        const sd_gop *op = init ? &g->init[k] : &g->step[k];
        int slot = init ? e->plan.slot_init[k] : e->plan.slot_step[k];
        (init ? e->cl_of_init : e->cl_of_step)[k] = sd_eng_cl_index(e, op->cl, op_cpu, CUDA_FN(op_cuda));
        for (int tl = 0; tl < nt; tl++) fill_tmpl(e, op, &(init ? e->tinit : e->tstep)[k * nt + tl], tl);
        if (slot < 0) continue;
        int nacc = sd_codelet_nacc(op->cl);
        if (starpu_malloc((void **)&e->pmem[slot], sizeof(sd_acc) * nacc * nt) != 0) goto oom;
        for (int tl = 0; tl < nt; tl++) {
            sd_acc *p = e->pmem[slot] + (size_t)tl * nacc;
            for (int j = 0; j < nacc; j++) sd_acc_init(&p[j]);
            starpu_vector_data_register(&e->ph[slot * nt + tl], STARPU_MAIN_RAM, (uintptr_t)p, nacc, sizeof(sd_acc));
        }
    }
    for (int s = 0; s < g->nscalars; s++) {
        e->sval[s] = NAN;
        starpu_variable_data_register(&e->sh[s], STARPU_MAIN_RAM, (uintptr_t)&e->sval[s], sizeof(double));
    }
    return e;
oom:
    snprintf(err, errlen, "out of memory allocating fields (%d tiles)", nt);
    sd_engine_destroy(e);
    return NULL;
}

void sd_engine_destroy(sd_engine *e)
{
    sd_engine_release(e);
    sd_engine_free(e);
}

void sd_engine_release(sd_engine *e)
{
    if (!e) return;
    starpu_task_wait_for_all();
    if (e->pe) sd_pengine_release(e);
    size_t nt = e->nt, nbuf = e->plan.nbuf;
    for (size_t i = 0; e->th && i < nbuf * nt; i++)
        if (e->tmem[i]) {
            starpu_data_unregister(e->th[i]);
            starpu_free(e->tmem[i]);
        }
    for (size_t i = 0; e->fh && i < nbuf * nt * 6; i++)
        if (e->fmem[i]) {
            starpu_data_unregister(e->fh[i]);
            starpu_free(e->fmem[i]);
        }
    for (int s = 0; e->pmem && s < e->plan.nslots; s++)
        if (e->pmem[s]) {
            for (size_t tl = 0; tl < nt; tl++) starpu_data_unregister(e->ph[s * nt + tl]);
            starpu_free(e->pmem[s]);
        }
    for (int s = 0; e->sh && s < e->g->nscalars; s++)
        if (e->sh[s]) starpu_data_unregister(e->sh[s]);
    while (e->head) {
        sd_record *r = e->head;
        e->head = r->next;
        sd_record_free(r);
    }
    free(e->tmem); free(e->th); free(e->fmem); free(e->fh); free(e->pmem); free(e->ph);
    free(e->sval); free(e->sh);
    e->tmem = e->fmem = NULL; e->th = e->fh = e->ph = e->sh = NULL; e->pmem = NULL; e->sval = NULL;
}

void sd_engine_free(sd_engine *e)
{
    if (!e) return;
    if (e->pe) sd_pengine_free(e);
    free(e->pargs); free(e->uargs); free(e->uargs_old);
    free(e->hg); free(e->tinit); free(e->tstep); free(e->cls); free(e->cl_of_init);
    free(e->cl_of_step); free(e->stats);
    sd_plan_free(&e->plan);
    sd_tiling_free(&e->t);
    free(e);
}

const sd_tiling *sd_engine_tiling(const sd_engine *e) { return &e->t; }
const char *sd_engine_unrunnable(const sd_engine *e) { return e->unrunnable; }
int64_t sd_engine_tasks_submitted(const sd_engine *e) { return e->submitted; }
int64_t sd_engine_busy_ns(const sd_engine *e, int worker) { return e->busy[worker]; }
int sd_engine_stats(const sd_engine *e, const sd_codelet_stats **stats)
{
    *stats = e->stats;
    return ST_FIRST_OP + e->ncls;
}

/* ---- records ----------------------------------------------------------------------------- */

sd_record *sd_eng_record_new(sd_engine *e, int is_field, int64_t step)
{
    sd_record *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->is_field = is_field;
    r->step = step;
    if (!is_field) {
        r->value = malloc((e->g->nscalars + 1) * sizeof(double));
        r->computed = calloc(e->g->nscalars + 1, 1);
        for (int s = 0; s < e->g->nscalars; s++) r->value[s] = NAN;
    }
    if (e->tail) e->tail->next = r;
    else e->head = r;
    e->tail = r;
    return r;
}

void sd_record_free(sd_record *r)
{
    if (!r) return;
    free(r->data);
    free(r->error);
    free(r->value);
    free(r->computed);
    free(r);
}

void sd_engine_seal(sd_engine *e)
{
    for (sd_record *r = e->head; r; r = r->next) r->sealed = 1;
    e->scalars_now = NULL;
}

sd_record *sd_engine_pop_complete(sd_engine *e)
{
    sd_record *r = e->head;
    if (!r || !r->sealed || __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != r->expected) return NULL;
    e->head = r->next;
    if (!e->head) e->tail = NULL;
    r->next = NULL;
    return r;
}

int sd_engine_pending(const sd_engine *e) { return e->head != NULL; }

/* ---- submission -------------------------------------------------------------------------- */

static starpu_data_handle_t handle_of(sd_engine *e, const sd_href *h)
{
    switch (h->kind) {
    case SD_H_TILE: return e->th[(size_t)h->a * e->nt + h->b];
    case SD_H_FACE: return e->fh[((size_t)h->a * e->nt + h->b) * 6 + h->c];
    case SD_H_PARTIAL: return e->ph[(size_t)h->a * e->nt + h->b];
    default: return e->sh[h->a];
    }
}

/* With profiling on, a callback per task reads StarPU's record of where and when it ran. */
typedef struct task_info {
    sd_engine *e;
    struct starpu_task *task;
    int stat, tile;
    int64_t step;
} task_info;

static void on_task_done(void *arg)
{
    task_info *ti = arg;
    sd_engine *e = ti->e;
    struct starpu_profiling_task_info *pi = ti->task->profiling_info;
    if (pi && pi->workerid >= 0) {
        int w = pi->workerid, at = starpu_worker_get_type(w) == STARPU_CUDA_WORKER ? SD_AT_CUDA : SD_AT_CPU;
        double s = starpu_timing_timespec_to_us(&pi->start_time), d = starpu_timing_timespec_to_us(&pi->end_time) - s;
        sd_codelet_stats *st = &e->stats[ti->stat];
        __atomic_add_fetch(&st->ntasks[at], 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&st->ns[at], (int64_t)(d * 1e3), __ATOMIC_RELAXED);
        __atomic_add_fetch(&e->busy[w], (int64_t)(d * 1e3), __ATOMIC_RELAXED);
        if (e->o.trace) {
            sd_trace_task(e->o.trace, st->name, w, s - e->o.t0_us, d, ti->step, ti->tile, at ? "cuda" : "cpu");
            double fs = starpu_timing_timespec_to_us(&pi->acquire_data_start_time);
            double fe = starpu_timing_timespec_to_us(&pi->acquire_data_end_time);
            if (fe > fs && fs > 0) sd_trace_fetch(e->o.trace, st->name, w, fs - e->o.t0_us, fe - fs);
        }
    }
    free(ti);
}

void sd_eng_submit(sd_engine *e, struct starpu_codelet *cl, int stat, int tile, int64_t step, void *arg,
                   size_t argsize, int owned, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode)
{
    struct starpu_task *task = starpu_task_create();
    task->cl = cl;
    task->cl_arg = arg;
    task->cl_arg_size = argsize;
    task->cl_arg_free = owned;
    if (e->o.profile) {
        task_info *ti = sd_eng_xmalloc(sizeof *ti);
        *ti = (task_info){e, task, stat, tile, step};
        task->callback_func = on_task_done;
        task->callback_arg = ti;
    }
    task->nbuffers = n;
    if (n > STARPU_NMAXBUFS) {
        task->dyn_handles = malloc(n * sizeof *task->dyn_handles);
        task->dyn_modes = malloc(n * sizeof *task->dyn_modes);
        if (!task->dyn_handles || !task->dyn_modes) abort();
    }
    for (int i = 0; i < n; i++) {
        STARPU_TASK_SET_HANDLE(task, h[i], i);
        if (task->dyn_modes) task->dyn_modes[i] = mode[i];
        else task->modes[i] = mode[i];
    }
    int ret = starpu_task_submit(task);
    if (ret != 0) {
        fprintf(stderr, "stardag: StarPU refused a %s task (error %d): no worker can run it\n", cl->name, ret);
        exit(SD_EXIT_RUNTIME);
    }
    e->submitted++;
}

/* A task the expansion emitted: its abstract data references resolved to handles. */
static void submit(sd_engine *e, struct starpu_codelet *cl, int stat, const sd_task *t, void *arg, size_t argsize,
                   int owned)
{
    static const enum starpu_data_access_mode mode_of[] = {[SD_READ] = STARPU_R, [SD_WRITE] = STARPU_W,
                                                           [SD_READWRITE] = STARPU_RW};
    starpu_data_handle_t hs[64] = {0}, *h = t->nh > 64 ? sd_eng_xmalloc(t->nh * sizeof *h) : hs;
    enum starpu_data_access_mode ms[64] = {0}, *m = t->nh > 64 ? sd_eng_xmalloc(t->nh * sizeof *m) : ms;
    for (int i = 0; i < t->nh; i++) {
        h[i] = handle_of(e, &t->h[i]);
        m[i] = mode_of[t->mode[i]];
    }
    sd_eng_submit(e, cl, stat, t->tile, t->step, arg, argsize, owned, t->nh, h, m);
    if (h != hs) free(h);
    if (m != ms) free(m);
}

void *sd_eng_xmalloc(size_t n)
{
    void *p = calloc(1, n);
    if (!p) {
        fprintf(stderr, "stardag: out of memory\n");
        exit(SD_EXIT_RUNTIME);
    }
    return p;
}

static void emit_op(sd_engine *e, const sd_task *t)
{
    const sd_graph *g = e->g;
    op_arg *oa = sd_eng_xmalloc(sizeof *oa);
    int ci = t->init ? e->cl_of_init[t->op_index] : e->cl_of_step[t->op_index];
    const op_tmpl *base = (t->init ? e->tinit : e->tstep) + (size_t)t->op_index * e->nt;
    oa->sc = t->op->cl;
    oa->whole = t->tile < 0;
    oa->nt = e->nt;
    oa->tmpl = oa->whole ? base : base + t->tile;
    oa->step = t->step;
    oa->time = t->init ? 0.0 : (t->step - 1) * g->run.dt;
    oa->m = (meter){&e->stats[ST_FIRST_OP + ci], e->busy, e->o.profile};
    submit(e, &e->cls[ci].cl, ST_FIRST_OP + ci, t, oa, sizeof *oa, 1);
}

static void emit_combine(sd_engine *e, const sd_task *t)
{
    combine_arg *ca = sd_eng_xmalloc(sizeof *ca);
    ca->nt = e->nt;
    const sd_codelet *c = t->op->cl;
    for (int r = 0; r < c->nroles; r++)
        if (t->op->bind[r].is_scalar && t->op->bind[r].mode != SD_READ) {
            ca->reduce[ca->nacc] = c->roles[r].reduce;
            ca->scalar[ca->nacc++] = t->op->bind[r].index;
        }
    if (!e->scalars_now) e->scalars_now = sd_eng_record_new(e, 0, t->step);
    ca->rec = e->scalars_now;
    ca->rec->expected++;
    ca->m = (meter){&e->stats[ST_COMBINE], e->busy, e->o.profile};
    submit(e, &e->cl_combine, ST_COMBINE, t, ca, sizeof *ca, 1);
}

/* Halo arguments depend on the field and tile only: built once, shared by every exchange. */
static void make_halo_args(sd_engine *e, int f, int tile)
{
    const sd_graph *g = e->g;
    size_t k = (size_t)f * e->nt + tile;
    pack_arg *pa = &e->pargs[k];
    unpack_arg *ua = &e->uargs[k];
    pa->m = (meter){&e->stats[ST_PACK], e->busy, e->o.profile};
    ua->m = (meter){&e->stats[ST_UNPACK], e->busy, e->o.profile};
    pa->g = ua->g = &e->hg[k];
    int hi = 1;
    for (int d = 0; d < g->domain.ndim; d++)
        for (int s = 0; s < 2; s++) {
            int nb = sd_tile_neighbor(&e->t, tile, d, s);
            if (nb >= 0 && nb != tile) { /* the same order as expand.c's face handles */
                pa->d[pa->n] = d;
                pa->s[pa->n++] = s;
            }
            __typeof__(ua->act[0]) *a = &ua->act[ua->n++];
            a->d = d;
            a->s = s;
            if (nb == tile) a->kind = ACT_WRAP;
            else if (nb >= 0) {
                a->kind = ACT_FACE;
                a->h = hi++;
            } else if (g->domain.bc[d] == SD_BC_REFLECTIVE) a->kind = ACT_REFLECT;
            else if (g->domain.bc[d] == SD_BC_FIXED) {
                a->kind = ACT_FIXED;
                a->v = g->domain.bc_value[d];
            } else {
                double cdt = g->domain.absorb_speed * g->run.dt, dx = g->domain.spacing[d];
                a->kind = ACT_ABSORB;
                a->v = (cdt - dx) / (cdt + dx);
            }
        }
    e->uargs_old[k] = *ua;
    e->uargs_old[k].old = hi; /* the previous level comes after the faces */
}

static void emit_halo(sd_engine *e, const sd_task *t)
{
    size_t k = (size_t)t->field * e->nt + t->tile;
    if (t->kind == SD_TASK_PACK) submit(e, &e->cl_pack, ST_PACK, t, &e->pargs[k], sizeof e->pargs[k], 0);
    else
        submit(e, &e->cl_unpack, ST_UNPACK, t, t->old_buf >= 0 ? &e->uargs_old[k] : &e->uargs[k], sizeof e->uargs[k], 0);
}

static void emit_snapshot(sd_engine *e, const sd_task *t)
{
    const sd_gfield *f = &e->g->fields[t->field];
    if (t->tile == 0) {
        sd_record *r = sd_eng_record_new(e, 1, t->step);
        r->field = t->field;
        size_t n = (size_t)e->t.shape[0] * e->t.shape[1] * e->t.shape[2] * f->ncomp;
        r->data = malloc(n * sd_dtype_size(f->dtype));
        if (!r->data) {
            fprintf(stderr, "stardag: out of memory for the output of field %s\n", f->name);
            exit(SD_EXIT_RUNTIME);
        }
        r->expected = e->nt;
    }
    snap_arg *sa = sd_eng_xmalloc(sizeof *sa);
    sa->g = &e->hg[t->field * e->nt + t->tile];
    int64_t n[3];
    sd_tile_box(&e->t, t->tile, sa->origin, n);
    for (int d = 0; d < 3; d++) sa->shape[d] = e->t.shape[d];
    sa->rec = e->tail;
    sa->m = (meter){&e->stats[ST_SNAPSHOT], e->busy, e->o.profile};
    submit(e, &e->cl_snapshot, ST_SNAPSHOT, t, sa, sizeof *sa, 1);
}

static void emit(void *ctx, const sd_task *t)
{
    sd_engine *e = ctx;
    switch (t->kind) {
    case SD_TASK_OP: emit_op(e, t); break;
    case SD_TASK_COMBINE: emit_combine(e, t); break;
    case SD_TASK_PACK:
    case SD_TASK_UNPACK: emit_halo(e, t); break;
    case SD_TASK_SNAPSHOT: emit_snapshot(e, t); break;
    }
}

void sd_engine_submit_init(sd_engine *e)
{
    if (e->pe) sd_pengine_submit_init(e);
    else sd_plan_init(&e->plan, emit, e);
}

void sd_engine_submit_step(sd_engine *e, int64_t step)
{
    if (e->pe) sd_pengine_submit_step(e, step);
    else sd_plan_step(&e->plan, step, emit, e);
}

/* Particle domains: a trajectory frame (field and level are ignored). */
void sd_engine_submit_snapshot(sd_engine *e, int field, int level, int64_t step)
{
    if (e->pe) {
        sd_pengine_submit_snapshot(e, step);
        return;
    }
    sd_plan_snapshot(&e->plan, field, level, step, emit, e);
}
