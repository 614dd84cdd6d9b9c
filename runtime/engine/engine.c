/* engine.c - StarPU glue every domain shares: task kinds (codelets, perf models, statistics),
 * submission with timing and trace callbacks (through StarPU-MPI in a distributed run), scalar
 * handles and the reduction combine; the record queue is records.c. No domain is known here (see
 * dm/dm.h). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <starpu.h>
#include "config.h"
#include "engine.h"
#include "engine_impl.h"
#include "ranks.h"
#include "trace.h"
#include "engine_plan.h"
#include "dist.h"
#ifdef SD_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif


void sd_hlist_add(sd_hlist *l, starpu_data_handle_t h, enum starpu_data_access_mode m, const char *parts)
{
    if (l->n >= SD_ENG_MAXH) {
        fprintf(stderr, "stardag: a task needs more than %d buffers (too many %s: use fewer)\n", SD_ENG_MAXH, parts);
        exit(SD_EXIT_RUNTIME);
    }
    l->h[l->n] = h;
    l->m[l->n++] = m;
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

void sd_meter_add(const sd_meter *m, int64_t t0)
{
    if (m->off) return;
    int64_t dt = sd_ns_now() - t0;
    __atomic_add_fetch(&m->stats->ntasks[SD_AT_CPU], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->stats->ns[SD_AT_CPU], dt, __ATOMIC_RELAXED);
    int w = starpu_worker_get_id();
    if (w >= 0) m->busy[w] += dt; /* only worker w writes its slot */
}

/* ---- task kinds ---------------------------------------------------------------------------- */

static void *grow(void *arr, int n, int *cap, size_t size)
{
    if (n < *cap) return arr;
    *cap = *cap ? 2 * *cap : 16;
    void *p = realloc(arr, (size_t)*cap * size);
    if (!p) {
        fprintf(stderr, "stardag: out of memory\n");
        exit(SD_EXIT_RUNTIME);
    }
    return p;
}

/* fc: the CUDA function, NULL for CPU-only kinds. SD_ARCH_CUDA keeps kinds with a CUDA
 * implementation off the CPUs; SD_ARCH_CPU keeps everything off the GPUs. */
/* A kind's model as its tasks carry it: only model-based schedulers read models (keeping them
 * costs time on every task), and none during a pause (sd_engine_pause_models). In StarPU's
 * simulation (SimGrid) every task takes its model's time, so every task carries its model. */
static struct starpu_perfmodel *attached_model(const sd_engine *e, kind_entry *k)
{
#ifdef STARPU_SIMGRID
    (void)e;
    return &k->model;
#else
    return e->o.use_models && !e->models_paused ? &k->model : NULL;
#endif
}

static int new_kind(sd_engine *e, const sd_codelet *sc, const char *label, const char *symbol, starpu_cpu_func_t f,
                    starpu_cuda_func_t fc)
{
    e->kinds = grow(e->kinds, e->nkinds, &e->cap_kinds, sizeof *e->kinds);
    kind_entry *k = sd_eng_xmalloc(sizeof *k);
    e->kinds[e->nkinds] = k;
    k->sc = sc;
    k->stats.name = label;
    struct starpu_codelet *cl = &k->cl;
    starpu_codelet_init(cl);
    k->model.type = STARPU_HISTORY_BASED;
    k->model.symbol = symbol;
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
    cl->name = symbol;
    cl->model = attached_model(e, k);
    sd_eng_kind_simulation(e, e->nkinds, sc ? SD_SIMGRID_MODEL : SD_SIMGRID_MEASURED);
    return e->nkinds++;
}

int sd_eng_kind(sd_engine *e, const char *label, const char *symbol, starpu_cpu_func_t cpu, starpu_cuda_func_t cuda)
{
    return new_kind(e, NULL, label, symbol, cpu, cuda);
}

int sd_eng_op_kind(sd_engine *e, const sd_codelet *sc, starpu_cpu_func_t cpu, starpu_cuda_func_t cuda, int cpu_fallback)
{
    for (int i = 0; i < e->nkinds; i++)
        if (e->kinds[i]->sc == sc) return i;
    char symbol[SD_MODEL_SYMBOL_MAX];
    sd_graph_model_symbol(e->g, sc, symbol, sizeof symbol);
    int k = new_kind(e, sc, sc->name, sc->model, cpu, sc->cuda ? cuda : NULL);
    kind_entry *ke = e->kinds[k];
    memcpy(ke->symbol, symbol, sizeof symbol);
    ke->model.symbol = ke->symbol;
    ke->cl.name = sc->name;
    if (e->o.arch == SD_ARCH_CUDA && !(e->kinds[k]->cl.where & STARPU_CUDA) && !e->unrunnable && !cpu_fallback)
        e->unrunnable = sc->name;
    return k;
}

sd_meter sd_eng_meter(sd_engine *e, int kind)
{
    return (sd_meter){&e->kinds[kind]->stats, e->busy, e->o.profile};
}

/* The kind of a task: its codelet is its kind's. */
static const kind_entry *kind_of(const struct starpu_task *task)
{
    return (const kind_entry *)((const char *)task->cl - offsetof(kind_entry, cl));
}

/* The footprint of a task of a kind with a work key (the model's footprint hook, and the plan's
 * key): StarPU's data footprint with the key mixed in. The task's codelet is its kind's. */
static uint32_t kind_footprint(struct starpu_task *task)
{
    const kind_entry *k = kind_of(task);
    const uint32_t fp = starpu_task_data_footprint(task);
    return k->work && task->cl_arg ? starpu_hash_crc32c_be(k->work(task->cl_arg), fp) : fp;
}

/* The size a history entry of a kind with a work key records (the model's size_base): the work
 * itself, so a prediction for a work no run has met interpolates between works, not between
 * buffer capacities that are the same for all of them. */
static size_t kind_size(struct starpu_task *task, unsigned nimpl)
{
    (void)nimpl;
    const kind_entry *k = kind_of(task);
    if (k->work && task->cl_arg) return SD_WORK_SIZE | k->work(task->cl_arg);
    size_t s = 0;
    for (unsigned i = 0; i < STARPU_TASK_GET_NBUFFERS(task); i++) s += starpu_data_get_size(STARPU_TASK_GET_HANDLE(task, i));
    return s;
}

void sd_eng_kind_work(sd_engine *e, int kind, sd_work_key_fn fn)
{
    kind_entry *k = e->kinds[kind];
    k->work = fn;
    k->model.footprint = fn ? kind_footprint : NULL;
    k->model.size_base = fn ? kind_size : NULL;
}

/* ---- the reduction combine --------------------------------------------------------------- */

int sd_reduce_partials(const sd_codelet *c)
{
    if (c->finish) return c->npartials;
    int n = 0;
    for (int r = 0; r < c->nroles; r++) n += c->roles[r].kind == SD_ROLE_SCALAR && c->roles[r].mode != SD_READ;
    return n;
}

/* A combined partial as the scalar its reduction rule (sd_reduce) makes of it. */
static double reduced_value(const sd_acc *a, int reduce)
{
    switch (reduce) {
    case SD_REDUCE_SUM: return sd_acc_sum(a);
    case SD_REDUCE_MAX: return a->nonfinite ? NAN : a->maxv;
    case SD_REDUCE_MIN: return a->nonfinite ? NAN : a->minv;
    default: return (double)a->nonfinite;
    }
}

typedef struct combine_arg {
    sd_meter m;
    const sd_gop *op;
    int nparts;
    sd_check_info info;
    sd_record *rec;
} combine_arg;

static void combine_cpu(void *buffers[], void *cl_arg)
{
    const combine_arg *ca = cl_arg;
    int64_t t0 = sd_ns_now();
    const sd_codelet *c = ca->op->cl;
    const int np = sd_reduce_partials(c);
    double sums[SD_MAX_ACC], out[SD_MAX_ACC];
    int out_role[SD_MAX_ACC], nout = 0;
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].kind == SD_ROLE_SCALAR && c->roles[r].mode != SD_READ) out_role[nout++] = r;
    for (int j = 0; j < np; j++) {
        sd_acc total;
        sd_acc_init(&total);
        for (int p = 0; p < ca->nparts; p++) sd_acc_merge(&total, (const sd_acc *)STARPU_VECTOR_GET_PTR(buffers[p]) + j);
        sums[j] = reduced_value(&total, c->finish ? SD_REDUCE_SUM : c->roles[out_role[j]].reduce);
    }
    if (c->finish) c->finish(sums, &ca->info, out);
    else memcpy(out, sums, sizeof sums);
    for (int j = 0; j < nout; j++) {
        const int s = ca->op->bind[out_role[j]].index;
        *(double *)STARPU_VARIABLE_GET_PTR(buffers[ca->nparts + j]) = out[j];
        ca->rec->value[s] = out[j];
        ca->rec->computed[s] = 1;
    }
    sd_meter_add(&ca->m, t0);
    sd_record_done(ca->rec);
}

void sd_eng_own(sd_engine *e, starpu_data_handle_t h, int part, int nparts) { sd_dist_own(&e->dist, h, part, nparts); }
int sd_eng_part_rank(const sd_engine *e, int part, int nparts)
{
    return sd_dist_rank(&e->dist.d, part, nparts, e->dist.ranks);
}
int sd_eng_rank(const sd_engine *e) { return e->dist.rank; }

int sd_eng_distributed(const sd_engine *e) { return e->dist.on && e->dist.ranks > 1; }

int sd_eng_parts_of(const sd_engine *e, int rank, int *total)
{
    int n = 0;
    *total = e->dist.nparts;
    for (int p = 0; p < e->dist.nparts; p++) n += sd_eng_part_rank(e, p, e->dist.nparts) == rank;
    return n;
}
void sd_eng_gather(sd_engine *e) { sd_dist_gather(&e->dist); }

int sd_eng_partials(sd_engine *e, int nparts, int np, sd_acc **mem, starpu_data_handle_t *h)
{
    const size_t n = (size_t)SD_PARTIAL_SETS * (size_t)nparts;
    if (starpu_malloc((void **)mem, sizeof(sd_acc) * (size_t)np * n) != 0) {
        *mem = NULL;
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        sd_acc *p = *mem + k * (size_t)np;
        for (int j = 0; j < np; j++) sd_acc_init(&p[j]);
        starpu_vector_data_register(&h[k], STARPU_MAIN_RAM, (uintptr_t)p, (uint32_t)np, sizeof(sd_acc));
        sd_eng_own(e, h[k], (int)(k % (size_t)nparts), nparts);
    }
    return 0;
}

void sd_eng_partials_free(int nparts, sd_acc *mem, starpu_data_handle_t *h)
{
    if (!mem) return;
    for (int k = 0; k < SD_PARTIAL_SETS * nparts; k++) starpu_data_unregister(h[k]);
    starpu_free(mem);
}

int sd_eng_combine_kind(sd_engine *e, const char *label, const char *symbol)
{
    /* combines deliver to host memory: CPU only */
    return sd_eng_kind(e, label, symbol, combine_cpu, NULL);
}

void sd_eng_submit_combine(sd_engine *e, int kind, const sd_gop *op, int64_t step, int nparts,
                           const starpu_data_handle_t *parts, const sd_check_info *info)
{
    const sd_codelet *c = op->cl;
    combine_arg *ca = sd_eng_xmalloc(sizeof *ca);
    *ca = (combine_arg){sd_eng_meter(e, kind), op, nparts, *info, sd_eng_step_scalars(e, step)};
    ca->info.param = op->param;
    sd_record *rec = ca->rec;
    rec->expected++;
    /* one combine per reduction and step: no allocation for the usual part counts */
    const int n = nparts + SD_MAX_ACC;
    starpu_data_handle_t hs[64], *h = n > 64 ? sd_eng_xmalloc(sizeof *h * (size_t)n) : hs;
    enum starpu_data_access_mode ms[64], *m = n > 64 ? sd_eng_xmalloc(sizeof *m * (size_t)n) : ms;
    int k = 0;
    for (; k < nparts; k++) {
        h[k] = parts[k];
        m[k] = STARPU_R;
    }
    for (int r = 0; r < c->nroles; r++)
        if (op->bind[r].is_scalar && op->bind[r].mode != SD_READ) {
            h[k] = e->sh[op->bind[r].index];
            m[k++] = STARPU_W;
        }
    if (!sd_eng_submit(e, kind, -1, step, ca, sizeof *ca, 1, k, h, m)) sd_record_done(rec);
    if (h != hs) free(h);
    if (m != ms) free(m);
}

/* ---- CUDA glue ----------------------------------------------------------------------------- */

#ifdef SD_HAVE_CUDA
static void set_fatal(sd_engine *e, const char *fmt, const char *what, const char *why)
{
    char msg[512], *none = NULL;
    snprintf(msg, sizeof msg, fmt, what, why);
    char *copy = strdup(msg);
    if (!copy || !__atomic_compare_exchange_n(&e->fatal, &none, copy, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) free(copy);
}

void sd_eng_cuda_init_acc(sd_engine *e, sd_acc *dev, int n, void *stream, const char *what)
{
    cudaError_t rc = cudaMemcpyAsync(dev, e->acc_template, (size_t)n * sizeof(sd_acc), cudaMemcpyHostToDevice,
                                     (cudaStream_t)stream);
    if (rc != cudaSuccess) set_fatal(e, "CUDA error in %s (initialising reduction partials): %s", what, cudaGetErrorString(rc));
}

void sd_eng_cuda_begin(void) { (void)cudaGetLastError(); }

void sd_eng_cuda_check(sd_engine *e, const char *what)
{
    cudaError_t rc = cudaGetLastError();
    if (rc != cudaSuccess) set_fatal(e, "CUDA error in %s: %s", what, cudaGetErrorString(rc));
}
#endif

const char *sd_engine_fatal(const sd_engine *e) { return __atomic_load_n(&e->fatal, __ATOMIC_ACQUIRE); }

/* ---- data ---------------------------------------------------------------------------------- */

int sd_eng_vector_fits(int64_t count, size_t es, const char *what, char *err, size_t errlen)
{
    if (count < 0 || count > (int64_t)UINT32_MAX) {
        snprintf(err, errlen, "%s has %lld elements; a StarPU vector holds at most %lu (use smaller tiles or more "
                 "blocks)", what, (long long)count, (unsigned long)UINT32_MAX);
        return -1;
    }
    if (es && (uint64_t)count > SIZE_MAX / es) {
        snprintf(err, errlen, "%s: %lld elements of %zu bytes do not fit in memory", what, (long long)count, es);
        return -1;
    }
    /* StarPU-MPI 1.3 sends a vector as one message whose size is an int count of bytes (past 2 GiB
       it fails an assertion; past 4 GiB the count would wrap) */
    if (sd_ranks_on() && (uint64_t)count * es > (uint64_t)INT_MAX) {
        snprintf(err, errlen, "%s is %.3g GB: a distributed run moves a part in one MPI message of at most 2 GiB "
                 "(StarPU-MPI counts bytes in an int); use more tiles or blocks", what, (double)count * (double)es / 1e9);
        return -1;
    }
    return 0;
}

int sd_eng_vector(void **mem, starpu_data_handle_t *h, int64_t count, size_t es, const char *what, char *err,
                  size_t errlen)
{
    *mem = NULL;
    if (sd_eng_vector_fits(count, es, what, err, errlen) < 0) return -1;
    if (starpu_malloc(mem, (size_t)count * es) != 0) {
        *mem = NULL;
        snprintf(err, errlen, "out of memory allocating %s (%lld elements of %zu bytes)", what, (long long)count, es);
        return -1;
    }
#ifdef MADV_HUGEPAGE
    /* Large part buffers on 2 MiB pages where the kernel makes them only on request (THP "madvise"):
     * streaming kernels cross a 4 KiB page every 4 KiB, each a TLB miss. Advice only: errors ignored. */
    const uintptr_t huge = (uintptr_t)2 << 20;
    if ((size_t)count * es >= 2 * huge) {
        const uintptr_t a = ((uintptr_t)*mem + huge - 1) & ~(huge - 1), b = ((uintptr_t)*mem + (size_t)count * es) & ~(huge - 1);
        if (b > a) (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
    }
#endif
    memset(*mem, 0, (size_t)count * es);
    starpu_vector_data_register(h, STARPU_MAIN_RAM, (uintptr_t)*mem, (uint32_t)count, es);
    return 0;
}

/* Part `part` of nparts: allocated here when this rank owns it (every part in a plain run); on
 * another rank's part only registered, with no home (StarPU allocates a copy when a task here
 * reads it, and StarPU-MPI receives into it), so a distributed run holds on each rank its own
 * parts and the neighbours' it reads, not the whole domain. Then owned by its rank (sd_eng_own). */
int sd_eng_part_vector(sd_engine *e, void **mem, starpu_data_handle_t *h, int64_t count, size_t es, int part, int nparts,
                       const char *what, char *err, size_t errlen)
{
    if (e->dist.on && sd_eng_part_rank(e, part, nparts) != e->dist.rank) {
        *mem = NULL;
        if (sd_eng_vector_fits(count, es, what, err, errlen) < 0) return -1;
        starpu_vector_data_register(h, -1, 0, (uint32_t)count, es);
    } else if (sd_eng_vector(mem, h, count, es, what, err, errlen) < 0)
        return -1;
    sd_eng_own(e, *h, part, nparts);
    return 0;
}

void sd_eng_vector_free(void *mem, starpu_data_handle_t h)
{
    if (h) starpu_data_unregister(h); /* a part of another rank has a handle and no memory here */
    if (mem) starpu_free(mem);
}

starpu_data_handle_t sd_eng_scalar(const sd_engine *e, int s) { return e->sh[s]; }
starpu_data_handle_t sd_eng_table(const sd_engine *e, int t) { return e->th[t]; }

/* Table t's values into pinned memory (asynchronous DMA to devices), registered as one vector. */
static int register_table(sd_engine *e, int t, char *err, size_t errlen)
{
    const sd_gtable *tb = &e->g->tables[t];
    const int64_t n = tb->rows * tb->cols;
    char what[128];
    snprintf(what, sizeof what, "table %s", tb->name);
    if (sd_eng_vector_fits(n, sizeof(double), what, err, errlen) < 0) return -1;
    if (starpu_malloc((void **)&e->tmem[t], (size_t)n * sizeof(double)) != 0) {
        e->tmem[t] = NULL;
        snprintf(err, errlen, "out of memory allocating %s (%lld values)", what, (long long)n);
        return -1;
    }
    memcpy(e->tmem[t], tb->data, (size_t)n * sizeof(double));
    starpu_vector_data_register(&e->th[t], STARPU_MAIN_RAM, (uintptr_t)e->tmem[t], (uint32_t)n, sizeof(double));
    sd_dist_replicated(&e->dist, e->th[t]); /* every rank read the same table */
    return 0;
}

/* ---- life cycle ---------------------------------------------------------------------------- */

sd_engine *sd_engine_create(const sd_graph *g, const sd_engine_opts *o, char *err, size_t errlen)
{
    sd_engine *e = calloc(1, sizeof *e);
    if (!e) goto oom;
    e->g = g;
    e->o = *o;
    e->ckpt_kind = -1;
    sd_dist_state_init(&e->dist, o->dist);
    if (o->plan) e->dist.on = 0; /* a plan submits nothing */
    e->sval = calloc(g->nscalars + 1, sizeof(double));
    e->sh = calloc(g->nscalars + 1, sizeof *e->sh);
    if (!e->sval || !e->sh || starpu_malloc((void **)&e->acc_template, sizeof(sd_acc) * SD_MAX_ACC) != 0) goto oom;
    for (int j = 0; j < SD_MAX_ACC; j++) sd_acc_init(&e->acc_template[j]);
    for (int s = 0; s < g->nscalars; s++) {
        e->sval[s] = NAN;
        starpu_variable_data_register(&e->sh[s], STARPU_MAIN_RAM, (uintptr_t)&e->sval[s], sizeof(double));
        sd_dist_own(&e->dist, e->sh[s], -1, 1); /* rank 0 combines; readers elsewhere receive */
    }
    e->tmem = calloc(g->ntables + 1, sizeof *e->tmem);
    e->th = calloc(g->ntables + 1, sizeof *e->th);
    if (!e->tmem || !e->th) {
        sd_engine_release(e);
        sd_engine_free(e);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int t = 0; t < g->ntables; t++)
        if (register_table(e, t, err, errlen) < 0) {
            sd_engine_release(e);
            sd_engine_free(e);
            return NULL;
        }
    return e;
oom:
    snprintf(err, errlen, "out of memory");
    if (e) {
        free(e->sval);
        free(e->sh);
        free(e);
    }
    return NULL;
}

void sd_engine_release(sd_engine *e)
{
    if (!e) return;
    sd_wait_tasks();
    for (int s = 0; e->sh && s < e->g->nscalars; s++)
        if (e->sh[s]) starpu_data_unregister(e->sh[s]);
    for (int t = 0; e->tmem && t < e->g->ntables; t++)
        if (e->tmem[t]) {
            starpu_data_unregister(e->th[t]);
            starpu_free(e->tmem[t]);
        }
    free(e->tmem);
    free(e->th);
    e->tmem = NULL;
    e->th = NULL;
    while (e->head) {
        sd_record *r = e->head;
        e->head = r->next;
        sd_record_free(r);
    }
    if (e->acc_template) starpu_free(e->acc_template);
    e->acc_template = NULL;
    free(e->sval);
    free(e->sh);
    e->sval = NULL;
    e->sh = NULL;
}

void sd_engine_free(sd_engine *e)
{
    if (!e) return;
    for (int i = 0; i < e->nkinds; i++) free(e->kinds[i]);
    free(e->kinds);
    free(e->stats_view);
    free(e->fatal);
    sd_dist_state_free(&e->dist);
    free(e);
}

const char *sd_engine_unrunnable(const sd_engine *e) { return e->unrunnable; }
int64_t sd_engine_tasks_submitted(const sd_engine *e) { return e->submitted; }
int64_t sd_engine_busy_ns(const sd_engine *e, int worker) { return e->busy[worker]; }

void sd_engine_pause_models(sd_engine *e, int paused)
{
    e->models_paused = paused;
    for (int i = 0; i < e->nkinds; i++) e->kinds[i]->cl.model = attached_model(e, e->kinds[i]);
}
double sd_engine_seconds_of(sd_engine *e, const char *label)
{
    double s = 0;
    for (int i = 0; i < e->nkinds; i++)
        if (!strcmp(e->kinds[i]->stats.name, label))
            for (int a = 0; a < SD_NARCH; a++) s += 1e-9 * (double)__atomic_load_n(&e->kinds[i]->stats.ns[a], __ATOMIC_RELAXED);
    return s;
}

int sd_engine_stats(sd_engine *e, const sd_codelet_stats **stats)
{
    sd_codelet_stats *v = realloc(e->stats_view, sizeof *v * (size_t)(e->nkinds + 1));
    if (!v) {
        fprintf(stderr, "stardag: out of memory\n");
        exit(SD_EXIT_RUNTIME);
    }
    e->stats_view = v;
    for (int i = 0; i < e->nkinds; i++) v[i] = e->kinds[i]->stats;
    *stats = v;
    return e->nkinds;
}

/* ---- submission ---------------------------------------------------------------------------- */

/* With profiling on, a callback per task reads StarPU's record of where and when it ran. */
typedef struct task_info {
    sd_engine *e;
    struct starpu_task *task;
    sd_codelet_stats *stats;
    int tile;
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
        sd_codelet_stats *st = ti->stats;
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

enum starpu_data_access_mode sd_eng_mode(sd_access a)
{
    return a == SD_READ ? STARPU_R : a == SD_WRITE ? STARPU_W : STARPU_RW;
}

int sd_eng_submit(sd_engine *e, int kind, int tile, int64_t step, void *arg, size_t argsize, int owned, int n,
                  const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode)
{
    const kind_entry *k = e->kinds[kind];
    struct starpu_codelet *cl = (struct starpu_codelet *)&k->cl;
    if (e->o.plan) {
        const sd_plan_keys keys = {kind_footprint, k->work ? kind_size : NULL};
        sd_eng_plan_task(e->o.plan, e->o.plan_user, cl, k->model.symbol, arg, keys, n, h, mode);
        if (owned) free(arg);
        e->submitted++;
        return 1;
    }
    struct starpu_task *task;
    int xrank = 0;
    if (e->dist.on) { /* StarPU-MPI posts the transfers; the task exists on the rank that runs it */
        xrank = sd_dist_exec_rank(&e->dist, n, h, mode);
        if (!(task = sd_dist_build(&e->dist, cl, n, h, mode, xrank))) {
            sd_dist_after(&e->dist, cl, n, xrank);
            if (owned) free(arg);
            return 0;
        }
    } else {
        task = starpu_task_create();
        task->cl = cl;
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
    }
    task->cl_arg = arg;
    task->cl_arg_size = argsize;
    task->cl_arg_free = owned;
    task->callback_arg_free = 0; /* on_task_done frees its own (StarPU-MPI's build sets 1) */
    if (e->o.profile) {
        task_info *ti = sd_eng_xmalloc(sizeof *ti);
        *ti = (task_info){e, task, (sd_codelet_stats *)&k->stats, tile, step};
        task->callback_func = on_task_done;
        task->callback_arg = ti;
    }
    int ret = starpu_task_submit(task);
    if (ret != 0) {
        fprintf(stderr, "stardag: StarPU refused a %s task (error %d): no worker can run it\n", k->cl.name, ret);
        sd_ranks_abort(SD_EXIT_RUNTIME); /* exit() would leave the other ranks waiting for this one */
    }
    if (e->dist.on) sd_dist_after(&e->dist, cl, n, xrank);
    e->submitted++;
    return 1;
}
