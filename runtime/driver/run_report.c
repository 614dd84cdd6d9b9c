/* run_report.c - what a run reports when it ends (run_state.h): the summary on stdout (steps and
 * rate, codelets and workers, transfers, output, checks, peak memory), the /run table of the run
 * file (what ran where) and the Chrome trace. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <starpu.h>
#include "run_state.h"
#include "ranks.h"
#include "durable.h"

/* The process' peak resident set size in bytes (VmHWM; getrusage's ru_maxrss where /proc is not
 * mounted), or -1: the run summary reports it so that a long run's memory can be watched. */
double sd_peak_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) {
            kb = strtod(line + 6, NULL);
            break;
        }
    if (f) fclose(f);
    struct rusage ru;
    if (kb < 0 && getrusage(RUSAGE_SELF, &ru) == 0) kb = (double)ru.ru_maxrss;
    return kb < 0 ? -1 : kb * 1024.0;
}

/* Distributed runs: every rank's task table, summed (each rank expands the same graph into the same
 * kinds, in the same order: checked by their count and a hash of their names), and every rank's worker
 * busy times, for rank 0's summary and /run. Collective: every rank calls it. */
void sd_run_gather_tasks(run_state *s)
{
    const sd_codelet_stats *st;
    const int nst = sd_engine_stats(s->e, &st), R = sd_ranks_size();
    uint64_t hash = 14695981039346656037u; /* FNV-1a of the kinds' names, in order */
    for (int i = 0; i < nst; i++)
        for (const unsigned char *c = (const unsigned char *)st[i].name; ; c++) {
            hash = (hash ^ *c) * 1099511628211u;
            if (!*c) break;
        }
    int64_t shape[2] = {nst, 0}, *shapes = malloc(sizeof shape * (size_t)R);
    memcpy(&shape[1], &hash, sizeof hash);
    const size_t per = (size_t)nst * 2 * SD_NARCH + SD_RANK_BUSY;
    int64_t *mine = calloc(per, sizeof *mine), *all = calloc(per * (size_t)R, sizeof *all);
    s->rank_stats = calloc((size_t)nst + 1, sizeof *s->rank_stats);
    s->rank_busy = calloc((size_t)SD_RANK_BUSY * (size_t)R, sizeof *s->rank_busy);
    if (!shapes || !mine || !all || !s->rank_stats || !s->rank_busy) { /* collective: no rank may leave */
        fprintf(stderr, "stardag: out of memory\n");
        sd_ranks_abort(SD_EXIT_RUNTIME);
    }
    sd_ranks_allgather(shape, shapes, sizeof shape);
    int same = 1;
    for (int r = 0; r < R; r++) same &= shapes[2 * r] == shape[0] && shapes[2 * r + 1] == shape[1];
    for (int i = 0; i < nst; i++)
        for (int a = 0; a < SD_NARCH; a++) {
            mine[(size_t)(i * SD_NARCH + a) * 2] = st[i].ntasks[a];
            mine[(size_t)(i * SD_NARCH + a) * 2 + 1] = st[i].ns[a];
        }
    int64_t *busy = mine + (size_t)nst * 2 * SD_NARCH;
    const int nw = (int)starpu_worker_get_count() < SD_RANK_WORKERS ? (int)starpu_worker_get_count() : SD_RANK_WORKERS;
    busy[0] = (int64_t)starpu_worker_get_count(); /* the first SD_RANK_WORKERS are reported */
    for (int w = 0; w < nw; w++) {
        busy[1 + w] = sd_engine_busy_ns(s->e, w);
        busy[1 + SD_RANK_WORKERS + w] = starpu_worker_get_type(w) == STARPU_CUDA_WORKER ? SD_AT_CUDA : SD_AT_CPU;
    }
    if (same) sd_ranks_allgather(mine, all, sizeof *mine * per); /* the same size on every rank */
    if (same) {
        for (int i = 0; i < nst; i++) {
            s->rank_stats[i].name = st[i].name;
            for (int a = 0; a < SD_NARCH; a++)
                for (int r = 0; r < R; r++) {
                    s->rank_stats[i].ntasks[a] += all[per * (size_t)r + (size_t)(i * SD_NARCH + a) * 2];
                    s->rank_stats[i].ns[a] += all[per * (size_t)r + (size_t)(i * SD_NARCH + a) * 2 + 1];
                }
        }
        s->nrank_stats = nst;
        for (int r = 0; r < R; r++)
            memcpy(s->rank_busy + (size_t)SD_RANK_BUSY * r, all + per * (size_t)r + (size_t)nst * 2 * SD_NARCH,
                   sizeof *all * SD_RANK_BUSY);
    } else {
        free(s->rank_stats), free(s->rank_busy);
        s->rank_stats = NULL, s->rank_busy = NULL;
    }
    free(shapes), free(mine), free(all);
}

/* The task table the summary and /run show: every rank's (summed) in a distributed run, else this
 * process's. */
static int task_table(run_state *s, const sd_codelet_stats **st)
{
    if (s->rank_stats) {
        *st = s->rank_stats;
        return s->nrank_stats;
    }
    return sd_engine_stats(s->e, st);
}

/* wall: the step loop; run_wall: init ops and steps (what worker busy fractions refer to) */
void sd_run_summary(run_state *s, int64_t steps_done, double wall, double run_wall, const char *sched, int ncpu)
{
    const sd_graph *g = s->g;
    const sd_dm_class *cls = s->dm->cls;
    char parts[512], rate[64];
    const int64_t ran = steps_done - s->step0; /* a restart ran the steps after its checkpoint's */
    cls->describe(s->dm, parts, sizeof parts);
    if (cls->rate) cls->rate(s->dm, ran, wall, rate, sizeof rate);
    else snprintf(rate, sizeof rate, "%.1f steps/s", ran / fmax(wall, 1e-9));
    /* microseconds for runs under a second (a single ODE system takes a few hundred) */
    long long ntasks = (long long)sd_engine_tasks_submitted(s->e);
    if (s->rank_stats) { /* every rank's tasks */
        ntasks = 0;
        for (int i = 0; i < s->nrank_stats; i++) ntasks += s->rank_stats[i].ntasks[SD_AT_CPU] + s->rank_stats[i].ntasks[SD_AT_CUDA];
    }
    printf("stardag: %s: %lld steps in %.*f s (%.3f ms/step, %s), %lld tasks, %d CPU + %u CUDA workers%s, sched %s, %s\n",
           g->name, (long long)ran, wall < 1.0 ? 6 : 3, wall, ran ? 1e3 * wall / ran : 0.0, rate, ntasks, ncpu,
           starpu_cuda_worker_get_count(), s->ranks_on ? " on rank 0" : "", sched, parts);
    if (s->tuned) printf("  tuning: %s\n", s->tuned);
    if (s->until_step) sd_until_print(g, &s->until_hit, stdout);
    sd_ckpt_report(&s->ck, s->wst.checkpoints, s->wst.ckpt_last_step, s->walltime_hit ? s->o->walltime : 0, steps_done);
    if (cls->report) cls->report(s->dm);
    const sd_codelet_stats *st;
    int nst = task_table(s, &st);
    static const char *arch[SD_NARCH] = {"cpu", "cuda"};
    printf("  %-28s %-5s %10s %12s %12s\n", "codelet", "arch", "tasks", "total s", "mean us");
    for (int i = 0; i < nst; i++)
        for (int a = 0; a < SD_NARCH; a++) {
            int64_t k = st[i].ntasks[a], ns = st[i].ns[a];
            if (k) printf("  %-28s %-5s %10lld %12.3f %12.1f\n", st[i].name, arch[a], (long long)k, ns * 1e-9, ns * 1e-3 / k);
        }
    if (s->rank_busy) /* each rank's workers (numbered by kind: StarPU's names are each rank's own) */
        for (int r = 0; r < sd_ranks_size(); r++) {
            const int64_t *b = s->rank_busy + (size_t)SD_RANK_BUSY * r;
            int nk[SD_NARCH] = {0};
            const int nw = b[0] < SD_RANK_WORKERS ? (int)b[0] : SD_RANK_WORKERS;
            printf("  worker busy, rank %d:", r);
            for (int w = 0; w < nw; w++) {
                const int k = (int)b[1 + SD_RANK_WORKERS + w];
                printf("  %s %d %.1f%%", k == SD_AT_CUDA ? "CUDA" : "CPU", nk[k]++, 100.0 * 1e-9 * (double)b[1 + w] / fmax(run_wall, 1e-9));
            }
            if (b[0] > nw) printf("  (+%lld more workers)", (long long)(b[0] - nw));
            printf("\n");
        }
    else {
        printf("  worker busy:");
        for (unsigned w = 0; w < starpu_worker_get_count(); w++) {
            char name[64];
            starpu_worker_get_name(w, name, sizeof name);
            printf("  %s %.1f%%", name, 100.0 * 1e-9 * sd_engine_busy_ns(s->e, w) / fmax(run_wall, 1e-9));
        }
        printf("\n");
    }
    if (s->ranks_on) {
        int total, mine = sd_eng_parts_of(s->e, 0, &total);
        printf("  ranks: %d (StarPU-MPI, --distribution %s); %s; rank 0 owns %d of the %d parts\n", sd_ranks_size(),
               s->o->distribution && *s->o->distribution ? s->o->distribution : "block",
               s->rank_stats ? "the tasks above are every rank's (summed), the transfers rank 0's"
                             : "the tasks, busy workers and transfers above are rank 0's", mine, total);
    }
    if (!s->profile || s->xfer.nbus == 0) printf("  transfers: none (one memory node)\n");
    else {
        printf("  transfers:");
        for (int b = 0; b < s->xfer.nbus; b++)
            if (s->xfer.count[b])
                printf("  %s %.1f MB (%lld)", s->xfer.name[b], s->xfer.bytes[b] / 1e6, (long long)s->xfer.count[b]);
        printf("\n");
    }
    if (s->out_path && !cls->run_file_fields)
        printf("  output: %s (%lld scalar rows)\n", s->out_path, (long long)s->wst.scalar_rows);
    else if (s->out_path)
        printf("  output: %s (%lld field steps, %lld scalar rows)\n", s->out_path, (long long)s->wst.field_steps,
               (long long)s->wst.scalar_rows);
    if (cls->report_output) cls->report_output(s->dm);
    sd_profiles_summary(s->profiles, stdout, NULL);
    if (s->out_path || s->dm->own_output)
        printf("  output writer: %.3f s writing on its own thread; the run waited %.3f s for room in its queue "
               "(peak %.1f MB) and %.3f s for it after the last task\n", s->wst.write_s, s->wst.wait_full_s,
               s->wst.peak_bytes / 1e6, s->wst.wait_end_s);
    if (sd_run_durability_line(s)) printf("  %s\n", sd_run_durability_line(s));
    sd_checks_report(&s->checks, steps_done, stdout);
    char mem[512];
    sd_run_memory_line(s, mem, sizeof mem);
    if (*mem) printf("  memory: %s\n", mem);
}

const char *sd_run_durability_line(const run_state *s)
{
    if (sd_durable_on() || !(s->out_path || s->dm->own_output || s->ck.file)) return NULL;
    return "durability: off (STARDAG_FSYNC=0): files written in order but not fsynced; a power loss may lose recent steps";
}

void sd_run_memory_line(const run_state *s, char *buf, size_t len)
{
    *buf = 0;
    if (!s->rank_rss) {
        const double rss = sd_peak_rss_bytes();
        if (rss >= 0) snprintf(buf, len, "peak RSS %.1f MB", rss / 1e6);
        return;
    }
    size_t k = (size_t)snprintf(buf, len, "peak RSS");
    for (int r = 0, R = sd_ranks_size(); r < R && k < len; r++) {
        char v[32] = "unknown";
        if (s->rank_rss[r] >= 0) snprintf(v, sizeof v, "%.1f MB", s->rank_rss[r] / 1e6);
        k += (size_t)snprintf(buf + k, len - k, "%s %s on rank %d", r ? "," : "", v, r);
    }
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
int sd_run_write_table(run_state *s, double wall, char *err, size_t errlen)
{
    const sd_codelet_stats *st;
    int nst = task_table(s, &st), n = 0;
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

int sd_run_write_trace(run_state *s, char *err, size_t errlen)
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

/* What a tool running graphs side by side reads back (sd_run_opts.result). */
void sd_run_fill_result(run_state *s, sd_run_result *r, int64_t steps, double wall, const char *sched,
                        const int64_t *busy0)
{
    memset(r, 0, sizeof *r);
    r->steps_done = steps;
    r->loop_seconds = wall;
    r->nworkers = (int)starpu_worker_get_count();
    if (r->nworkers > SD_RESULT_MAXW) r->nworkers = SD_RESULT_MAXW;
    for (int w = 0; w < r->nworkers; w++) {
        starpu_worker_get_name(w, r->worker_name[w], sizeof r->worker_name[w]);
        r->worker_busy[w] = wall > 0 ? 1e-9 * (double)(sd_engine_busy_ns(s->e, w) - busy0[w]) / wall : 0;
    }
    s->dm->cls->describe(s->dm, r->parts, sizeof r->parts);
    snprintf(r->sched, sizeof r->sched, "%s", sched);
    if (s->tuned) snprintf(r->tuned, sizeof r->tuned, "%s", s->tuned);
}
