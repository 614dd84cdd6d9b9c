/* engine_impl.h - what the grid engine (engine.c) and the particle engine (pengine.c) share:
 * the engine object, codelet set-up, task submission, records and timing. Internal. */
#ifndef SD_ENGINE_IMPL_H
#define SD_ENGINE_IMPL_H
#include <math.h>
#include <time.h>
#include <starpu.h>
#include "engine.h"

enum { ST_PACK = 0, ST_UNPACK, ST_COMBINE, ST_SNAPSHOT, ST_FIRST_OP };

typedef struct op_tmpl {
    sd_tile_args a;
    int64_t off_bytes[SD_MAX_BUFS]; /* interior origin of each buffer slot */
} op_tmpl;

typedef struct cl_entry {
    const sd_codelet *sc;
    struct starpu_codelet cl;
    struct starpu_perfmodel model;
} cl_entry;


/* ---- trampolines ------------------------------------------------------------------------- */

/* CPU trampolines time their kernel themselves: two clock reads are far cheaper than StarPU's
 * per-task profiling records and callbacks, and give per-codelet and per-worker busy times.
 * CUDA kernels run asynchronously, so with CUDA workers (or a trace) StarPU's profiling is on
 * and a task callback reads the times instead (meter.off). */
typedef struct meter {
    sd_codelet_stats *st;
    int64_t *busy; /* per worker */
    int off;
} meter;

static inline int64_t ns_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static inline void meter_add(const meter *m, int64_t t0)
{
    if (m->off) return;
    int64_t dt = ns_now() - t0;
    __atomic_add_fetch(&m->st->ntasks[SD_AT_CPU], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->st->ns[SD_AT_CPU], dt, __ATOMIC_RELAXED);
    int w = starpu_worker_get_id();
    if (w >= 0) m->busy[w] += dt; /* only worker w writes its slot */
}


struct pack_arg;
struct unpack_arg;
struct sd_pengine;

struct sd_engine {
    const sd_graph *g;
    sd_tiling t;
    sd_plan plan;
    int nt;
    void **tmem;                   /* [buf * nt + tile] */
    starpu_data_handle_t *th;
    void **fmem;                   /* [(buf * nt + tile) * 6 + face] */
    starpu_data_handle_t *fh;
    sd_acc **pmem;                 /* [slot]: nt * nacc accumulators */
    starpu_data_handle_t *ph;      /* [slot * nt + tile] */
    double *sval;
    starpu_data_handle_t *sh;
    sd_halo_geom *hg;              /* [field * nt + tile] */
    op_tmpl *tinit, *tstep;        /* [op * nt + tile] */
    cl_entry *cls;
    int ncls;
    int *cl_of_init, *cl_of_step;
    struct starpu_codelet cl_pack, cl_unpack, cl_combine, cl_snapshot;
    struct starpu_perfmodel m_pack, m_unpack, m_combine, m_snapshot;
    sd_codelet_stats *stats;
    int64_t busy[STARPU_NMAXWORKERS]; /* kernel time per worker, ns */
    struct pack_arg *pargs;           /* [field * nt + tile] */
    struct unpack_arg *uargs, *uargs_old; /* without / with the previous level (absorbing sides) */
    sd_engine_opts o;
    const char *unrunnable; /* a codelet the arch restriction leaves without an implementation */
    sd_record *head, *tail, *scalars_now;
    int64_t submitted;
    struct sd_pengine *pe;         /* particle domains: the block data and their tasks (pengine.c) */
};

/* A combined partial as the scalar its reduction rule (sd_reduce) makes of it. */
static inline double sd_eng_reduced_value(const sd_acc *a, int reduce)
{
    switch (reduce) {
    case SD_REDUCE_SUM: return sd_acc_sum(a);
    case SD_REDUCE_MAX: return a->nonfinite ? NAN : a->maxv;
    case SD_REDUCE_MIN: return a->nonfinite ? NAN : a->minv;
    default: return (double)a->nonfinite;
    }
}

/* One StarPU codelet (and model) per stardag codelet: built on first use, index into e->cls. */
int sd_eng_cl_index(sd_engine *e, const sd_codelet *sc, starpu_cpu_func_t cpu, starpu_cuda_func_t cuda);
/* fc: the CUDA function, NULL for CPU-only codelets (see engine.c). */
void sd_eng_init_cl(sd_engine *e, struct starpu_codelet *cl, struct starpu_perfmodel *m, const char *name,
                    const char *symbol, starpu_cpu_func_t f, starpu_cuda_func_t fc);
/* A new scalar (is_field 0) or output (is_field 1) record at the queue's tail. */
sd_record *sd_eng_record_new(sd_engine *e, int is_field, int64_t step);
/* Submit one task on n handles; stat: index into e->stats; arg is freed by StarPU when owned. */
void sd_eng_submit(sd_engine *e, struct starpu_codelet *cl, int stat, int tile, int64_t step, void *arg,
                   size_t argsize, int owned, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode);
void *sd_eng_xmalloc(size_t n);

/* pengine.c: the particle engine lives in e->pe; these mirror the public sd_engine_* calls. */
int sd_pengine_create(sd_engine *e, char *err, size_t errlen);
void sd_pengine_release(sd_engine *e);
void sd_pengine_free(sd_engine *e);
void sd_pengine_submit_init(sd_engine *e);
void sd_pengine_submit_step(sd_engine *e, int64_t step);
void sd_pengine_submit_snapshot(sd_engine *e, int64_t step);
#endif
