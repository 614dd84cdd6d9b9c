/* run.c - running a loaded graph: StarPU set-up, asynchronous submission of steps with a bound
 * on steps in flight, host-side results (output, checks, progress) as tasks deliver them,
 * SIGINT handling, and the final summary. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <starpu.h>
#include "config.h"
#include "engine.h"
#include "h5md.h"
#include "h5out.h"
#include "particles.h"
#include "probe.h"
#include "trace.h"
#include "transfers.h"

const char *sd_version(void) { return PACKAGE_VERSION; }

void sd_run_opts_init(sd_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ncpu = -1;
    o->ncuda = -1;
}

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C kills at once */
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct run_state {
    const sd_graph *g;
    const sd_run_opts *o;
    sd_engine *e;
    sd_h5out *out;
    const char *out_path;  /* the output file, when there is one */
    sd_h5md *traj;         /* particle domains: the H5MD trajectory */
    int64_t traj_frames;
    int thermo_header;     /* particle domains: the thermo table's header was printed */
    int64_t steps;
    int failed;            /* SD_EXIT_* once something stops the run */
    char why[1024];
    double *ref;           /* drift references, per check */
    unsigned char *have_ref;
    double *worst;         /* largest drift seen, per check */
    unsigned char *cfailed; /* per check: did it fail */
    double *latest;        /* latest value of each scalar */
    int64_t field_steps, scalar_rows, last_step_done;
    double last_commit;
    int nfields_out, nscalars_out;
    int profile;           /* StarPU profiling on: task times from its records, bus counters */
    sd_transfers xfer;
    sd_trace *trace;
    double t0_us;          /* starpu_timing_now() when the engine was made: trace time 0 */
} run_state;

static void fail(run_state *s, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(run_state *s, int status, const char *fmt, ...)
{
    if (s->failed) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
    s->failed = status;
}

static void check_scalars(run_state *s, const sd_record *r)
{
    const sd_graph *g = s->g;
    for (int i = 0; i < g->nchecks; i++) {
        int was = s->failed;
        const sd_gcheck *c = &g->checks[i];
        int sc = c->kind == SD_CHECK_FINITE ? c->hidden_scalar : c->target;
        if (sc < 0 || !r->computed[sc]) continue;
        double v = r->value[sc];
        const char *name = g->scalars[sc].name;
        switch (c->kind) {
        case SD_CHECK_FINITE:
            if (v != 0)
                fail(s, SD_EXIT_CHECK, "check %s failed at step %lld: %.0f non-finite values in field %s", c->text,
                     (long long)r->step, v, g->fields[c->target].name);
            break;
        case SD_CHECK_RANGE:
            if (!(v >= c->min && v <= c->max))
                fail(s, SD_EXIT_CHECK, "check %s failed at step %lld: %s = %.17g", c->text, (long long)r->step, name, v);
            break;
        case SD_CHECK_DRIFT:
            if (!s->have_ref[i]) {
                s->have_ref[i] = 1;
                s->ref[i] = v;
            }
            double scale = s->ref[i] != 0 ? fabs(s->ref[i]) : 1.0, drift = fabs(v - s->ref[i]) / scale;
            if (!(drift <= s->worst[i])) s->worst[i] = drift;
            if (!(drift <= c->rtol))
                fail(s, SD_EXIT_CHECK, "check %s failed at step %lld: %s = %.17g, first value %.17g, relative drift %.3g",
                     c->text, (long long)r->step, name, v, s->ref[i], drift);
            break;
        }
        if (!was && s->failed) s->cfailed[i] = 1;
    }
}

/* Particle domains: one trajectory frame (positions, velocities, in id order). */
static void write_frame(run_state *s, const sd_record *r, double t)
{
    char err[1024];
    if (!s->traj || s->failed == SD_EXIT_RUNTIME) return;
    const int64_t N = s->g->domain.particles.count;
    const double *pos = r->data, *vel = pos + 3 * N;
    const int64_t *ids = (const int64_t *)(vel + 3 * N);
    if (sd_h5md_append(s->traj, r->step, t, pos, vel, SD_H5MD_SOA, ids, err, sizeof err) < 0)
        fail(s, SD_EXIT_RUNTIME, "%s", err);
    else s->traj_frames++;
}

/* Particle domains: the thermo table in the log (one row per step with computed scalars) and as
 * H5MD observables. */
static void thermo_row(run_state *s, const sd_record *r, double t)
{
    const sd_graph *g = s->g;
    char err[1024];
    int any = 0;
    for (int i = 0; i < g->nscalars; i++) any |= r->computed[i] && strncmp(g->scalars[i].name, "__", 2);
    if (!any) return;
    if (!s->o->quiet) {
        if (!s->thermo_header) {
            printf("%10s", "step");
            for (int i = 0; i < g->nscalars; i++)
                if (strncmp(g->scalars[i].name, "__", 2)) printf(" %17s", g->scalars[i].name);
            printf("\n");
            s->thermo_header = 1;
        }
        printf("%10lld", (long long)r->step);
        for (int i = 0; i < g->nscalars; i++)
            if (strncmp(g->scalars[i].name, "__", 2)) {
                if (r->computed[i]) printf(" %17.10g", r->value[i]);
                else printf(" %17s", "-");
            }
        printf("\n");
        fflush(stdout);
    }
    if (!s->traj || s->failed == SD_EXIT_RUNTIME) return;
    for (int i = 0; i < g->nscalars; i++)
        if (r->computed[i] && strncmp(g->scalars[i].name, "__", 2) &&
            sd_h5md_observable(s->traj, g->scalars[i].name, r->step, t, r->value[i], err, sizeof err) < 0) {
            fail(s, SD_EXIT_RUNTIME, "%s", err);
            return;
        }
}

static void handle_record(run_state *s, sd_record *r)
{
    const sd_graph *g = s->g;
    char err[1024];
    double t = r->step * g->run.dt;
    if (r->error) fail(s, r->error_status ? r->error_status : SD_EXIT_CHECK, "%s", r->error);
    if (r->is_field && r->field < 0) {
        write_frame(s, r, t);
        return;
    }
    if (r->is_field) {
        if (s->out && !(s->failed == SD_EXIT_RUNTIME)) {
            int i = 0;
            while (i < g->output.nfields && g->output.field[i] != r->field) i++;
            if (sd_h5out_write_field(s->out, i, r->step, t, r->data, err, sizeof err) < 0 ||
                sd_h5out_commit(s->out, err, sizeof err) < 0)
                fail(s, SD_EXIT_RUNTIME, "%s", err);
            else s->field_steps++, s->last_commit = now();
        }
        return;
    }
    for (int i = 0; i < g->nscalars; i++)
        if (r->computed[i]) s->latest[i] = r->value[i];
    if (r->step > s->last_step_done) s->last_step_done = r->step;
    check_scalars(s, r);
    if (g->domain.kind == SD_DOMAIN_PARTICLES) thermo_row(s, r, t);
    int64_t every = g->output.scalars_every;
    if (!s->out || every <= 0 || r->step % every || s->failed == SD_EXIT_RUNTIME) return;
    double row[32];
    int any = 0;
    for (int i = 0; i < g->output.nscalars; i++) {
        int sc = g->output.scalar[i];
        row[i] = r->computed[sc] ? r->value[sc] : NAN;
        any |= r->computed[sc];
    }
    if (!any) return;
    if (sd_h5out_append_scalars(s->out, r->step, t, row, err, sizeof err) < 0) {
        fail(s, SD_EXIT_RUNTIME, "%s", err);
        return;
    }
    s->scalar_rows++;
    if (now() - s->last_commit > 1.0) {
        if (sd_h5out_commit(s->out, err, sizeof err) < 0) fail(s, SD_EXIT_RUNTIME, "%s", err);
        s->last_commit = now();
    }
}

static void drain_records(run_state *s, int wait)
{
    for (;;) {
        sd_record *r = sd_engine_pop_complete(s->e);
        if (r) {
            handle_record(s, r);
            sd_record_free(r);
            continue;
        }
        if (!wait || !sd_engine_pending(s->e)) return;
        starpu_task_wait_for_all();
    }
}

static void progress(run_state *s, int64_t step, double t0, int final)
{
    static double last;
    double t = now();
    if (!final && t - last < 0.25) return;
    last = t;
    double rate = (step) / fmax(t - t0, 1e-9), eta = (s->steps - step) / fmax(rate, 1e-9);
    fprintf(stderr, "\r\033[Kstep %lld/%lld  %.1f steps/s  ETA %.1f s", (long long)step, (long long)s->steps, rate, eta);
    for (int i = 0, shown = 0; i < s->g->nscalars && shown < 3; i++)
        if (strncmp(s->g->scalars[i].name, "__", 2) && !isnan(s->latest[i])) {
            fprintf(stderr, "  %s=%.6g", s->g->scalars[i].name, s->latest[i]);
            shown++;
        }
    if (final) fputc('\n', stderr);
}

/* wall: the step loop; run_wall: init ops and steps (what worker busy fractions refer to) */
static void summary(run_state *s, int64_t steps_done, double wall, double run_wall, const char *sched, int ncpu)
{
    const sd_graph *g = s->g;
    const sd_tiling *t = sd_engine_tiling(s->e);
    int64_t o[3], n[3];
    sd_tile_box(t, 0, o, n);
    sd_particle_stats ps;
    if (sd_engine_particle_stats(s->e, &ps)) {
        const int64_t N = g->domain.particles.count;
        printf("stardag: %s: %lld steps in %.3f s (%.3f ms/step, %.3g atom-steps/s), %lld tasks, %d CPU + %u CUDA "
               "workers, sched %s, %lld particles in %d blocks (slabs of a %lldx%lldx%lld cell grid; room for %lld "
               "particles, %lld ghosts, %lld list entries each), %lld neighbour-list rebuilds\n",
               g->name, (long long)steps_done, wall, steps_done ? 1e3 * wall / steps_done : 0.0,
               (double)N * steps_done / fmax(wall, 1e-9), (long long)sd_engine_tasks_submitted(s->e), ncpu,
               starpu_cuda_worker_get_count(), sched, (long long)N, ps.nblocks, (long long)ps.cells[0],
               (long long)ps.cells[1], (long long)ps.cells[2], (long long)ps.cap_home, (long long)ps.cap_ghost,
               (long long)ps.cap_list, (long long)ps.rebuilds);
        if (ps.dangerous)
            printf("  warning: %lld rebuilds came after some particle had moved more than skin/2: pairs may have been "
                   "missed (rebuild more often, a bigger skin, or neighbor: {check: true})\n", (long long)ps.dangerous);
    } else printf("stardag: %s: %lld steps in %.3f s (%.3f ms/step, %.1f steps/s), %lld tasks, %d CPU + %u CUDA workers, "
           "sched %s, %d tiles (%dx%dx%d) of %lldx%lldx%lld cells\n",
           g->name, (long long)steps_done, wall, steps_done ? 1e3 * wall / steps_done : 0.0,
           steps_done / fmax(wall, 1e-9), (long long)sd_engine_tasks_submitted(s->e), ncpu,
           starpu_cuda_worker_get_count(), sched, t->ntiles, t->nt[0],
           t->nt[1], t->nt[2], (long long)n[0], (long long)n[1], (long long)n[2]);
    const sd_codelet_stats *st;
    int nst = sd_engine_stats(s->e, &st);
    static const char *arch[SD_NARCH] = {"cpu", "cuda"};
    printf("  %-28s %-5s %10s %12s %12s\n", "codelet", "arch", "tasks", "total s", "mean us");
    for (int i = 0; i < nst; i++)
        for (int a = 0; a < SD_NARCH; a++) {
            int64_t k = st[i].ntasks[a], ns = st[i].ns[a];
            if (k) printf("  %-28s %-5s %10lld %12.3f %12.1f\n", st[i].name, arch[a], (long long)k, ns * 1e-9, ns * 1e-3 / k);
        }
    printf("  worker busy:");
    for (unsigned w = 0; w < starpu_worker_get_count(); w++) {
        char name[64];
        starpu_worker_get_name(w, name, sizeof name);
        printf("  %s %.1f%%", name, 100.0 * 1e-9 * sd_engine_busy_ns(s->e, w) / fmax(run_wall, 1e-9));
    }
    printf("\n");
    if (!s->profile || s->xfer.nbus == 0) printf("  transfers: none (one memory node)\n");
    else {
        printf("  transfers:");
        for (int b = 0; b < s->xfer.nbus; b++)
            if (s->xfer.count[b])
                printf("  %s %.1f MB (%lld)", s->xfer.name[b], s->xfer.bytes[b] / 1e6, (long long)s->xfer.count[b]);
        printf("\n");
    }
    if (s->out_path && g->domain.kind == SD_DOMAIN_PARTICLES)
        printf("  output: %s (%lld scalar rows)\n", s->out_path, (long long)s->scalar_rows);
    else if (s->out_path)
        printf("  output: %s (%lld field steps, %lld scalar rows)\n", s->out_path, (long long)s->field_steps,
               (long long)s->scalar_rows);
    if (g->output.trajectory[0])
        printf("  trajectory: %s (%lld frames)\n", g->output.trajectory, (long long)s->traj_frames);
    for (int i = 0; i < g->nchecks; i++) {
        const sd_gcheck *c = &g->checks[i];
        const char *verdict = s->cfailed[i] ? "FAILED" : "ok";
        if (c->kind == SD_CHECK_DRIFT)
            printf("  check %s: %s (largest drift %.3g)\n", c->text, s->have_ref[i] ? verdict : "never evaluated", s->worst[i]);
        else printf("  check %s: %s\n", c->text, verdict);
    }
}

static int setup_output(run_state *s, const char *path, const char *sched, int ncpu)
{
    const sd_graph *g = s->g;
    const char *fnames[16], *snames[32];
    int dtypes[16], ncomp[16];
    for (int i = 0; i < g->output.nfields; i++) {
        const sd_gfield *f = &g->fields[g->output.field[i]];
        fnames[i] = f->name;
        dtypes[i] = f->dtype;
        ncomp[i] = f->ncomp;
    }
    for (int i = 0; i < g->output.nscalars; i++) snames[i] = g->scalars[g->output.scalar[i]].name;
    char host[256] = "", start[64] = "", sv[64], err[1024];
    gethostname(host, sizeof host - 1);
    time_t tt = time(NULL);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    int maj, min, rev;
    starpu_get_version(&maj, &min, &rev);
    snprintf(sv, sizeof sv, "%d.%d.%d", maj, min, rev);
    sd_h5meta meta = {.graph_path = g->path, .graph_text = g->text, .stardag_version = PACKAGE_VERSION,
                      .starpu_version = sv, .sched = sched, .host = host, .start_time = start,
                      .cmdline = s->o->cmdline, .ncpu = ncpu, .ncuda = (int)starpu_cuda_worker_get_count()};
    s->out = sd_h5out_create(path, &meta, g->domain.ndim, g->domain.shape, g->domain.spacing, g->output.nfields,
                             fnames, dtypes, ncomp, g->output.nscalars, snames, err, sizeof err);
    if (!s->out) {
        fprintf(stderr, "stardag: %s\n", err);
        return -1;
    }
    s->out_path = path;
    return 0;
}

/* StarPU's worker names ("CPU 0", "CUDA 0"), indexed by worker id; free with free(). */
typedef struct worker_names { int n; char (*buf)[64]; const char **name; } worker_names;
static int worker_names_get(worker_names *w)
{
    w->n = (int)starpu_worker_get_count();
    w->buf = calloc(w->n + 1, sizeof *w->buf);
    w->name = calloc(w->n + 1, sizeof *w->name);
    if (!w->buf || !w->name) return -1;
    for (int i = 0; i < w->n; i++) {
        starpu_worker_get_name(i, w->buf[i], sizeof w->buf[i]);
        w->name[i] = w->buf[i];
    }
    return 0;
}
static void worker_names_free(worker_names *w)
{
    free(w->buf);
    free(w->name);
}

/* What ran where, for /run in the output file (the report command reads it). */
static int write_run_table(run_state *s, double wall, char *err, size_t errlen)
{
    const sd_codelet_stats *st;
    int nst = sd_engine_stats(s->e, &st), n = 0;
    static const char *arch[SD_NARCH] = {"cpu", "cuda"};
    worker_names w;
    int wok = worker_names_get(&w);
    const char **cname = calloc((size_t)nst * SD_NARCH + 1, sizeof *cname), **carch = calloc((size_t)nst * SD_NARCH + 1, sizeof *carch);
    int64_t *ctasks = calloc((size_t)nst * SD_NARCH + 1, sizeof *ctasks);
    double *csec = calloc((size_t)nst * SD_NARCH + 1, sizeof *csec), *busy = calloc(w.n + 1, sizeof *busy);
    int rc = -1;
    if (wok < 0 || !cname || !carch || !ctasks || !csec || !busy) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (int i = 0; i < nst; i++)
        for (int a = 0; a < SD_NARCH; a++)
            if (st[i].ntasks[a]) {
                cname[n] = st[i].name;
                carch[n] = arch[a];
                ctasks[n] = st[i].ntasks[a];
                csec[n++] = st[i].ns[a] * 1e-9;
            }
    for (int i = 0; i < w.n; i++) busy[i] = sd_engine_busy_ns(s->e, i) * 1e-9;
    sd_h5run r = {.ncodelet = n, .codelet_name = cname, .codelet_arch = carch, .codelet_tasks = ctasks,
                  .codelet_seconds = csec, .nworker = w.n, .worker_name = w.name, .worker_busy_seconds = busy,
                  .nbus = s->profile ? s->xfer.nbus : 0, .bus_name = s->xfer.names, .bus_bytes = s->xfer.bytes,
                  .bus_transfers = s->xfer.count, .wall_seconds = wall};
    rc = sd_h5out_write_run(s->out, &r, err, errlen);
out:
    free(cname); free(carch); free(ctasks); free(csec); free(busy);
    worker_names_free(&w);
    return rc;
}

static int write_trace(run_state *s, char *err, size_t errlen)
{
    worker_names w;
    int rc = -1;
    if (worker_names_get(&w) < 0) snprintf(err, errlen, "%s: out of memory writing the trace", s->o->trace);
    else {
        char proc[512];
        snprintf(proc, sizeof proc, "stardag %.500s", s->g->path);
        rc = sd_trace_write(s->trace, s->o->trace, proc, w.n, w.name, err, errlen);
    }
    worker_names_free(&w);
    return rc;
}

/* Bus counters (StarPU resets them when read): accumulate, and chart them in the trace. */
static void sample_transfers(run_state *s)
{
    if (!s->profile || !s->xfer.nbus) return;
    sd_transfers_sample(&s->xfer);
    if (s->trace) {
        double mb[SD_MAX_BUS];
        for (int b = 0; b < s->xfer.nbus; b++) mb[b] = s->xfer.bytes[b] / 1e6;
        sd_trace_counter(s->trace, starpu_timing_now() - s->t0_us, s->xfer.nbus, s->xfer.names, mb);
    }
}

/* StarPU reads its settings from the environment, where flags must win over the user's
 * variables; the run restores them so later runs in the same process start clean. */
#define SD_NENV 4
typedef struct env_saved { const char *name; char *old; int had; } env_saved;
static void env_set(env_saved *sv, int *n, const char *name, const char *value)
{
    const char *old = getenv(name);
    sv[*n] = (env_saved){name, old ? strdup(old) : NULL, old != NULL};
    (*n)++;
    setenv(name, value, 1);
}
static void env_restore(env_saved *sv, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if (sv[i].had) setenv(sv[i].name, sv[i].old, 1);
        else unsetenv(sv[i].name);
        free(sv[i].old);
    }
}

/* Particle domains: the H5MD trajectory, species = type indices by id. */
static int setup_trajectory(run_state *s)
{
    const sd_particles *P = &s->g->domain.particles;
    char err[1024];
    int32_t *species = malloc(sizeof *species * (size_t)P->count);
    if (!species) {
        fprintf(stderr, "stardag: out of memory\n");
        return -1;
    }
    for (int64_t i = 0; i < P->count; i++) species[i] = sd_particles_type_of(P, i);
    const int real = P->units == SD_UNITS_REAL;
    sd_h5md_opts ho = {.creator_version = PACKAGE_VERSION, .species = species};
    s->traj = sd_h5md_create(s->g->output.trajectory, "stardag", NULL, P->count, P->box, real ? "nm" : NULL,
                             real ? "ps" : NULL, &ho, err, sizeof err);
    free(species);
    if (!s->traj) {
        fprintf(stderr, "stardag: %s\n", err);
        return -1;
    }
    return 0;
}

static void snapshot_fields(run_state *s, int64_t step)
{
    const sd_goutput *o = &s->g->output;
    for (int i = 0; i < o->nfields; i++) sd_engine_submit_snapshot(s->e, o->field[i], o->field_level[i], step);
}

int sd_run(const sd_graph *g, const sd_run_opts *o)
{
    run_state S = {.g = g, .o = o}, *s = &S;
    /* Ctrl-C from the very start: an interrupt during set-up ends the run before step 1. */
    interrupted = 0;
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    /* a file-size limit then fails the write (EFBIG, reported) instead of killing the process */
    signal(SIGXFSZ, SIG_IGN);
    s->steps = o->steps > 0 ? o->steps : g->run.steps;
    env_saved env[SD_NENV];
    int nenv = 0;
    char buf[32];
    if (o->sched && *o->sched) env_set(env, &nenv, "STARPU_SCHED", o->sched);
    if (o->ncpu >= 0) {
        snprintf(buf, sizeof buf, "%d", o->ncpu);
        env_set(env, &nenv, "STARPU_NCPU", buf);
    }
    if (o->ncuda >= 0 || o->arch == SD_ARCH_CPU) {
        snprintf(buf, sizeof buf, "%d", o->arch == SD_ARCH_CPU ? 0 : o->ncuda);
        env_set(env, &nenv, "STARPU_NCUDA", buf);
    }
    if (o->calibrate) env_set(env, &nenv, "STARPU_CALIBRATE", "1");
    int ndev = sd_probe_cuda_devices();
    if (o->arch == SD_ARCH_CUDA && ndev == 0) {
        fprintf(stderr, "stardag: %s: a CUDA-only run needs a CUDA device, and none is available (stardag built with "
                "CUDA: %s)\n", g->path,
#ifdef SD_HAVE_CUDA
                "yes"
#else
                "no"
#endif
        );
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        return SD_EXIT_RUNTIME;
    }
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    const char *sched = getenv("STARPU_SCHED");
    /* With GPUs the performance models place each task on the device that finishes it first
     * (dmdas); without, there is nothing to choose between and lws steals work. */
    if (!sched || !*sched) conf.sched_policy_name = sched = ndev > 0 ? "dmdas" : "lws";
    int ret = starpu_init(&conf);
    if (ret != 0) {
        fprintf(stderr, "stardag: StarPU failed to start (error %d)%s\n", ret, ret == -ENODEV ? ": no worker available" : "");
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        return SD_EXIT_RUNTIME;
    }
    int ncpu = (int)starpu_cpu_worker_get_count(), ncuda = (int)starpu_cuda_worker_get_count();
    s->profile = ncuda > 0 || (o->trace && *o->trace);
    if (s->profile) {
        starpu_profiling_status_set(STARPU_PROFILING_ENABLE);
        sd_transfers_init(&s->xfer);
    }
    if (o->trace && *o->trace && !(s->trace = sd_trace_new())) {
        fprintf(stderr, "stardag: out of memory for the trace\n");
        starpu_shutdown();
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        return SD_EXIT_RUNTIME;
    }

    int64_t tile[3];
    int hmax = 0;
    for (int f = 0; f < g->nfields; f++) hmax = g->fields[f].halo > hmax ? g->fields[f].halo : hmax;
    if (o->tile[0] > 0) memcpy(tile, o->tile, sizeof tile);
    else if (!g->run.tiles_auto) memcpy(tile, g->run.tile, sizeof tile);
    else sd_tiling_auto(&g->domain, ncpu, ncuda, hmax, tile);
    const int particles = g->domain.kind == SD_DOMAIN_PARTICLES;

    char err[1024];
    s->t0_us = starpu_timing_now();
    sd_engine_opts eo = {.use_models = !strncmp(sched, "dm", 2) || strstr(sched, "heft") != NULL,
                         .arch = o->arch, .profile = s->profile, .trace = s->trace, .t0_us = s->t0_us,
                         .nblocks = particles && o->tile[0] > 0 ? (int)o->tile[0] : 0};
    s->e = sd_engine_create(g, tile, &eo, err, sizeof err);
    int status = SD_EXIT_OK;
    if (s->e && sd_engine_unrunnable(s->e)) {
        snprintf(err, sizeof err, "codelet %s has no CUDA implementation, so a CUDA-only run cannot execute it",
                 sd_engine_unrunnable(s->e));
        sd_engine_destroy(s->e);
        s->e = NULL;
        status = SD_EXIT_BADGRAPH;
    }
    if (!s->e) {
        fprintf(stderr, "stardag: %s: %s\n", g->path, err);
        starpu_shutdown();
        sd_trace_free(s->trace);
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        return status ? status : SD_EXIT_RUNTIME;
    }
    s->ref = calloc(g->nchecks + 1, sizeof(double));
    s->have_ref = calloc(g->nchecks + 1, 1);
    s->worst = calloc(g->nchecks + 1, sizeof(double));
    s->cfailed = calloc(g->nchecks + 1, 1);
    s->latest = malloc((g->nscalars + 1) * sizeof(double));
    for (int i = 0; i < g->nscalars; i++) s->latest[i] = NAN;
    const char *path = o->out ? o->out : g->output.file;
    if (path && *path && (g->output.nfields || g->output.nscalars) && setup_output(s, path, sched, ncpu) < 0) {
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    if (particles && g->output.trajectory[0] && setup_trajectory(s) < 0) {
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    const int64_t te = g->output.trajectory_every;

    int tty = !o->quiet && isatty(2);

    double t_start = now();
    sd_engine_submit_init(s->e);
    if (s->out && g->output.fields_every > 0) snapshot_fields(s, 0);
    if (s->traj) sd_engine_submit_snapshot(s->e, -1, 0, 0);
    sd_engine_seal(s->e);
    starpu_task_wait_for_all(); /* the step-loop timing starts after the init ops */
    double t0 = now();
    s->last_commit = t0;
    int64_t step = 0, per_step_max = 1, inflight = g->run.max_inflight > 0 ? g->run.max_inflight : 4;
    if (o->max_inflight > 0) inflight = o->max_inflight;
    while (step < s->steps && !s->failed && !interrupted) {
        int64_t before = sd_engine_tasks_submitted(s->e);
        step++;
        sd_engine_submit_step(s->e, step);
        int64_t fe = g->output.fields_every;
        if (s->out && fe > 0 && (step % fe == 0 || step == s->steps)) snapshot_fields(s, step);
        if (s->traj && (step % te == 0 || step == s->steps)) sd_engine_submit_snapshot(s->e, -1, 0, step);
        sd_engine_seal(s->e);
        int64_t k = sd_engine_tasks_submitted(s->e) - before;
        if (k > per_step_max) per_step_max = k;
        drain_records(s, 0);
        /* at most `inflight` steps of tasks outstanding: bounds memory, keeps the pipeline full */
        starpu_task_wait_for_n_submitted((unsigned)(inflight * per_step_max));
        sample_transfers(s);
        if (tty) progress(s, step, t0, 0);
    }
    starpu_task_wait_for_all();
    double wall = now() - t0;
    drain_records(s, 1);
    sample_transfers(s);
    if (tty) progress(s, step, t0, 1);

    if (interrupted && !s->failed) fail(s, SD_EXIT_INTERRUPTED, "interrupted at step %lld: stopped submitting, "
                                        "finished the tasks in flight and wrote what was complete", (long long)step);
    status = s->failed;
    if (s->out && write_run_table(s, wall, err, sizeof err) < 0) {
        fprintf(stderr, "stardag: %s\n", err);
        if (!status) status = SD_EXIT_RUNTIME;
    }
    if (s->out) {
        const char *st = status == SD_EXIT_OK ? "complete" : status == SD_EXIT_CHECK ? "check failed"
                       : status == SD_EXIT_INTERRUPTED ? "interrupted" : "error";
        if (sd_h5out_close(s->out, st, step, wall, err, sizeof err) < 0) {
            fprintf(stderr, "stardag: %s\n", err);
            if (!status) status = SD_EXIT_RUNTIME;
        }
        s->out = NULL;
    }
    if (s->traj) {
        if (sd_h5md_close(s->traj, err, sizeof err) < 0) {
            fprintf(stderr, "stardag: %s\n", err);
            if (!status) status = SD_EXIT_RUNTIME;
        }
        s->traj = NULL;
    }
    if (!o->quiet) summary(s, step, wall, now() - t_start, sched, ncpu);
    if (status && *s->why) fprintf(stderr, "stardag: %s: %s\n", g->path, s->why);
    if (s->trace) {
        if (write_trace(s, err, sizeof err) < 0) {
            fprintf(stderr, "stardag: %s\n", err);
            if (!status) status = SD_EXIT_RUNTIME;
        } else if (!o->quiet) printf("  trace: %s\n", o->trace);
    }
done:
    if (s->out) sd_h5out_close(s->out, "error", 0, 0, err, sizeof err);
    if (s->traj) sd_h5md_close(s->traj, err, sizeof err);
    sd_engine_release(s->e);
    free(s->ref);
    free(s->have_ref);
    free(s->worst);
    free(s->cfailed);
    free(s->latest);
    starpu_shutdown();
    sd_engine_free(s->e);
    sd_trace_free(s->trace);
    env_restore(env, nenv);
    sigaction(SIGINT, &old, NULL);
    return status;
}
