/* run.c - running a loaded graph: StarPU set-up, the engine and the graph's domain (dm/dm.h),
 * asynchronous submission of steps with a bound on steps in flight, host-side results (output,
 * checks, progress) as tasks deliver them, SIGINT handling, and the final summary. The domain is
 * driven only through its class's functions. */
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
#include "dm.h"
#include "engine.h"
#include "h5out.h"
#include "checks.h"
#include "probe.h"
#include "run_status.h"
#include "sched.h"
#include "starpu_home.h"
#include "run_files.h"
#include "runlog.h"
#include "trace.h"
#include "transfers.h"
#include "writer.h"
#include "ckpt_run.h"
#include "profile.h"
#include "until.h"
#include "run_state.h"
#include "tuning.h"
#include "ranks.h"
#include "dist.h"

const char *sd_version(void) { return PACKAGE_VERSION; }

void sd_run_opts_init(sd_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ncpu = -1;
    o->ncuda = -1;
}

size_t sd_run_opts_size(void) { return sizeof(sd_run_opts); }

/* Every error line of a run: printed, and copied for the caller (sd_run_opts.errors). */
void sd_run_say_error(const sd_run_opts *o, const char *fmt, ...)
{
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "stardag: %s\n", line);
    if (!o->errors || !o->errors_len) return;
    size_t used = strnlen(o->errors, o->errors_len);
    if (used + 1 < o->errors_len) snprintf(o->errors + used, o->errors_len - used, "%s\n", line);
}

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
    signal(sig, SIG_DFL); /* a second Ctrl-C (or SIGTERM) kills at once */
}


/* Ctrl-C as this run acts on it: in a distributed run the value of the last vote, so that a
 * signal landing on one rank between two votes cannot make the ranks take different paths. */
static int stopped(const run_state *s) { return s->ranks_on ? s->interrupt_agreed : interrupted; }

/* Submits the steps the domain held back (a grid's fused group). */
static void flush_held(run_state *s)
{
    if (!s->dm->cls->flush) return;
    s->dm->cls->flush(s->dm);
    sd_engine_seal(s->e);
}

/* Seconds. Built on StarPU's simulation (SimGrid), the simulated clock (0 before StarPU starts,
 * where the simulated clock starts too): the graph's tasks take their models' times, so a run's
 * timings are StarPU's own prediction (docs/tuning.md). */
static double now(void)
{
#ifdef STARPU_SIMGRID
    return starpu_is_initialized() ? 1e-6 * starpu_timing_now() : 0.0;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
#endif
}


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
    char why[1024];
    if (sd_checks_eval(&s->checks, r->step, r->value, r->computed, why, sizeof why))
        fail(s, SD_EXIT_CHECK, "%s", why);
}

static void push_good(void *s, sd_record *r) { sd_writer_push(((run_state *)s)->writer, r, 1); }

static void handle_record(run_state *s, sd_record *r)
{
    const sd_graph *g = s->g;
    if (r->error) fail(s, r->error_status ? r->error_status : SD_EXIT_CHECK, "%s", r->error);
    if (!s->leader) { /* only its own tasks' errors: rank 0 has the results and writes them */
        if (!r->is_field && r->step > s->last_step_done) s->last_step_done = r->step;
        sd_record_free(r);
        return;
    }
    if (r->ckpt && r->ckpt->end) { /* every record of its steps was handled: the host state is that step's */
        sd_ckpt_host h = {.step = r->step, .time = r->step * g->run.dt, .wall = s->wall0 + now() - s->t_start,
                          .until_step = s->until_step, .latest = s->latest, .checks = &s->checks};
        sd_ckpt_attach_host(r, g, &h);
    }
    const int64_t step = r->step;
    const int end = r->ckpt && r->ckpt->end;
    if (sd_ckpt_hold(&s->ck, r, s->failed)) { /* a last-good checkpoint, held (r may be freed) */
        if (end) sd_writer_push(s->writer, sd_ckpt_mark_new(step), 1); /* its step's output counts */
        return;
    }
    if (!r->is_field) {
        for (int i = 0; i < g->nscalars; i++)
            if (r->computed[i]) s->latest[i] = r->value[i];
        if (r->step > s->last_step_done) s->last_step_done = r->step;
        check_scalars(s, r);
        if (!s->until_step && sd_until_judge(g, r->step, r->value, r->computed, &s->until_hit)) s->until_step = r->step;
    }
    /* written (and freed) by the writer thread, in order; nothing once writing failed; no checkpoint after a failure */
    sd_writer_push(s->writer, r, r->ckpt && r->ckpt->end ? !s->failed : s->failed != SD_EXIT_RUNTIME);
    if (s->failed == SD_EXIT_CHECK) sd_ckpt_release_good(&s->ck, push_good, s); /* the last good step's, written */
}

/* A failed write stops the run like any runtime error. */
static void take_writer_error(run_state *s)
{
    char msg[1024];
    if (sd_writer_failed(s->writer, msg, sizeof msg)) fail(s, SD_EXIT_RUNTIME, "%s", msg);
}

/* A task's fatal error (a CUDA failure) overrides whatever else failed: the data after it cannot be
 * trusted, so nothing more is written, and it is what the user must see. */
static void take_fatal(run_state *s)
{
    const char *fatal = sd_engine_fatal(s->e);
    if (!fatal || s->failed == SD_EXIT_RUNTIME) return;
    s->failed = 0;
    fail(s, SD_EXIT_RUNTIME, "%s", fatal);
}

static void drain_records(run_state *s, int wait)
{
    for (;;) {
        sd_record *r = sd_engine_pop_complete(s->e);
        if (r) {
            take_fatal(s);
            handle_record(s, r);
            continue;
        }
        take_writer_error(s);
        if (!wait || !sd_engine_pending(s->e)) return;
        sd_wait_tasks();
    }
}

/* Until step's scalar record is handled (records pop in order, so everything before it is too):
 * run.until judges it before the next step is submitted. Polled, not starpu_task_wait_for_all:
 * the tasks of the step after its scalars (and of earlier steps' output) keep running meanwhile. */
static void wait_step_scalars(run_state *s, int64_t step)
{
    for (;;) {
        drain_records(s, 0);
        if (s->last_step_done >= step || s->failed || !sd_engine_pending(s->e)) return;
        if (starpu_task_nsubmitted() == 0) { /* every task ran: what is complete is all there is */
            drain_records(s, 1);
            return;
        }
        starpu_usleep(50); /* in a simulation, simulated time: the workers move on meanwhile */
    }
}

/* On a terminal, a line redrawn in place; in the log, a line at each tenth of the run, at least
 * every 10 s, and at its end. */
static void progress(run_state *s, int64_t step, double t0, int tty, int final)
{
    static double last;
    double t = now();
    int tenth = (int)(step * 10 / (s->steps > 0 ? s->steps : 1));
    if (s->logged_at == 0) s->logged_at = t0;
    int to_log = final ? step != s->logged_step : tenth != s->logged_tenth || t - s->logged_at >= 10.0;
    if (!to_log && (!tty || t - last < 0.25)) return;
    char line[512];
    double rate = (step - s->step0) / fmax(t - t0, 1e-9), eta = (s->steps - step) / fmax(rate, 1e-9);
    int n = snprintf(line, sizeof line, "step %lld/%lld  %.1f steps/s  ETA %.1f s", (long long)step, (long long)s->steps, rate, eta);
    for (int i = 0, shown = 0; i < s->g->nscalars && shown < 3 && n < (int)sizeof line; i++)
        if (strncmp(s->g->scalars[i].name, "__", 2) && !isnan(s->latest[i])) {
            n += snprintf(line + n, sizeof line - n, "  %s=%.6g", s->g->scalars[i].name, s->latest[i]);
            shown++;
        }
    if (tty && (final || t - last >= 0.25)) {
        FILE *term = sd_runlog_terminal(s->log);
        fprintf(term, "\r\033[K%s", line);
        if (final) fputc('\n', term);
        last = t;
    }
    if (to_log) {
        sd_runlog_line(s->log, "%s", line);
        s->logged_step = step;
        s->logged_at = t;
    }
    s->logged_tenth = tenth;
}

/* The caller's progress callback; a non-zero answer stops the run as Ctrl-C does. */
static void call_progress(run_state *s, int64_t step, double t0, int final)
{
    sd_progress p = {.step = step, .steps = s->steps, .elapsed = now() - t0, .final = final,
                     .nscalars = s->g->nscalars, .latest = s->latest};
    if (s->o->progress(&p, s->o->progress_user) && !final)
        fail(s, SD_EXIT_INTERRUPTED, "stopped by the progress callback at step %lld: stopped submitting, finished "
             "the tasks in flight and wrote what was complete", (long long)step);
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
#define SD_NENV 5
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

/* What step's end brings for checkpoints: one written (due by steps or time, or the run's last
 * step), one held in memory (last_good, at a judged step, while affordable), or none. */
enum { CKPT_NONE = 0, CKPT_WRITE, CKPT_HOLD };
static int ckpt_choice(run_state *s, int64_t step, double t, double t0)
{
    if (sd_ckpt_due(&s->ck, step, t) || (step == s->steps && s->ck.file)) return CKPT_WRITE;
    if (s->ck.last_good && sd_ckpt_checked_step(s->g, step) &&
        sd_ckpt_hold_affordable(&s->ck, sd_engine_seconds_of(s->e, SD_ENG_CKPT_LABEL), t - t0,
                                (int)starpu_worker_get_count()))
        return CKPT_HOLD;
    return CKPT_NONE;
}

int sd_run_loop(const sd_graph *g, const sd_run_opts *o_in, sd_run_files *files, sd_runlog *log)
{
    /* a stored tuning (stardag tune) fills in what the user left automatic; it is kept beside
     * the performance models, so StarPU's home is settled first */
    sd_run_opts opts = *o_in;
    const sd_run_opts *o = &opts;
    char tuned_sched[32], tuned_note[2800] = "";
    int tuned = sd_tuning_for_run(g, &opts, tuned_sched, tuned_note, sizeof tuned_note);
    if (tuned) sd_runlog_line(log, "%s", tuned_note);
    run_state S = {.g = g, .o = o, .files = files, .log = log, .logged_step = -1, .t_start = now(),
                   .tuned = tuned > 0 ? tuned_note : NULL, .ranks_on = sd_ranks_on(), .leader = sd_ranks_rank() == 0},
              *s = &S;
    sd_dist dist;
    char derr[512];
    if (sd_dist_parse(&dist, o->distribution, sd_ranks_size(), derr, sizeof derr) < 0) {
        sd_run_say_error(o, "%s", derr);
        return SD_EXIT_BADGRAPH;
    }
    if (o->fuse > 1 && sd_graph_fuse_refused(g, derr, sizeof derr)) {
        sd_run_say_error(o, "--fuse %d: %s", o->fuse, derr);
        return SD_EXIT_BADGRAPH;
    }
    if (o->arch == SD_ARCH_CUDA && sd_run_fuse(g, o) > 1) {
        sd_run_say_error(o, "%s: fused steps (%s) run on CPU workers, and --arch cuda allows none: use --fuse 1", g->path,
                         o->fuse > 1 ? "--fuse" : "run.fuse");
        return SD_EXIT_BADGRAPH;
    }
    if (!s->leader) { /* rank 0 speaks for the run and writes its files */
        opts.quiet = 1;
        opts.progress = NULL;
        opts.trace = NULL;
    }
    s->steps = o->steps > 0 ? o->steps : g->run.steps;
    sd_ckpt_plan_init(&s->ck, g, o, s->t_start);
    /* Ctrl-C from the very start: an interrupt during set-up ends the run before step 1. */
    interrupted = 0;
    struct sigaction sa = {.sa_handler = on_sigint}, old, oldterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    sigaction(SIGTERM, &sa, &oldterm); /* as SIGINT: a batch system's polite stop */
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
    /* StarPU drops a measurement more than 50% off its entry's mean, and flushes the entry once
     * the dropped outnumber the kept: a task that runs once per run (an init op) on a noisy
     * machine can lose its samples round after round. Calibrating runs drop only the far-off
     * ones (5x), unless the user chose a threshold. */
    if (o->calibrate && !getenv("STARPU_HISTORY_MAX_ERROR")) env_set(env, &nenv, "STARPU_HISTORY_MAX_ERROR", "400");
    int ndev = sd_probe_cuda_devices(); /* after STARPU_NCUDA: --ncuda 0 and --arch cpu count none */
    if (o->arch == SD_ARCH_CUDA && ndev == 0) {
        sd_run_say_error(o, "%s: a CUDA-only run needs a CUDA device, and none is available (stardag built with "
                "CUDA: %s)", g->path,
#ifdef SD_HAVE_CUDA
                "yes"
#else
                "no"
#endif
        );
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        sigaction(SIGTERM, &oldterm, NULL);
        return SD_EXIT_RUNTIME;
    }
    char home_note[1400], home_err[1400];
    int home = sd_starpu_home_ensure(home_note, sizeof home_note, home_err, sizeof home_err);
    if (home > 0) fprintf(stderr, "stardag: %s\n", home_note);
    if (home < 0) { /* StarPU would abort with a backtrace */
        sd_run_say_error(o, "%s", home_err);
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        sigaction(SIGTERM, &oldterm, NULL);
        return SD_EXIT_RUNTIME;
    }
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    const char *sched = getenv("STARPU_SCHED");
    if (!sched || !*sched) conf.sched_policy_name = sched = sd_sched_default(ndev);
    else if (!sd_sched_known(sched)) {
        char why[2048];
        sd_sched_refusal(sched, o->sched && *o->sched ? "--sched" : "STARPU_SCHED in the environment", why, sizeof why);
        sd_run_say_error(o, "%s", why);
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        sigaction(SIGTERM, &oldterm, NULL);
        return SD_EXIT_BADGRAPH;
    }
    int ret = sd_ranks_starpu_init(&conf);
    if (ret != 0) {
        /* no worker: CPUs turned off (--ncpu 0) and no CUDA device found, a choice this machine cannot run */
        const int none = ret == -ENODEV;
        sd_run_say_error(o, "StarPU failed to start (error %d)%s", ret,
                         none ? ": no worker available (CPU workers turned off by --ncpu 0 or STARPU_NCPU=0, and no CUDA "
                                "device found)" : "");
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        sigaction(SIGTERM, &oldterm, NULL);
        return none ? SD_EXIT_BADGRAPH : SD_EXIT_RUNTIME;
    }
    int ncpu = (int)starpu_cpu_worker_get_count(), ncuda = (int)starpu_cuda_worker_get_count();
    s->profile = ncuda > 0 || (o->trace && *o->trace);
    if (s->profile) {
        starpu_profiling_status_set(STARPU_PROFILING_ENABLE);
        sd_transfers_init(&s->xfer);
    }
    if (o->trace && *o->trace && !(s->trace = sd_trace_new())) {
        sd_run_say_error(o, "out of memory for the trace");
        if (s->ranks_on) sd_ranks_abort(SD_EXIT_RUNTIME); /* StarPU-MPI's shutdown waits for every rank */
        sd_ranks_starpu_shutdown();
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        sigaction(SIGTERM, &oldterm, NULL);
        return SD_EXIT_RUNTIME;
    }

    char err[1024];
    s->t0_us = starpu_timing_now();
    sd_engine_opts eo = {.use_models = sd_sched_model_based(sched), .arch = o->arch, .profile = s->profile,
                         .trace = s->trace, .t0_us = s->t0_us, .dist = &dist};
    /* automatic partitioning counts the workers of every rank, the same on all of them: every
     * rank must cut the domain alike, and into parts enough for all */
    sd_dm_opts dmo = {.own_output = files->own};
    if (s->ranks_on) {
        const int R = sd_ranks_size(), mine[2] = {ncpu, ncuda};
        int *all = malloc(2 * (size_t)R * sizeof *all);
        if (!all) {
            sd_run_say_error(o, "out of memory");
            sd_ranks_abort(SD_EXIT_RUNTIME);
        }
        sd_ranks_allgather(mine, all, sizeof mine);
        for (int r = 0; r < R; r++) dmo.ncpu += all[2 * r], dmo.ncuda += all[2 * r + 1];
        free(all);
    } else
        dmo.ncpu = ncpu, dmo.ncuda = ncuda;
    memcpy(dmo.parts, o->tile, sizeof dmo.parts);
    dmo.fuse = sd_run_fuse(g, o);
    s->e = sd_engine_create(g, &eo, err, sizeof err);
    if (s->e) s->dm = sd_dm_create(g, s->e, &dmo, err, sizeof err);
    int status = SD_EXIT_OK;
    if (s->dm && sd_engine_unrunnable(s->e)) {
        snprintf(err, sizeof err, "codelet %s has no CUDA implementation, so a CUDA-only run cannot execute it",
                 sd_engine_unrunnable(s->e));
        status = SD_EXIT_BADGRAPH;
    }
    if (!s->dm || status) {
        sd_run_say_error(o, "%s: %s", g->path, err);
        if (s->ranks_on) sd_ranks_abort(status ? status : SD_EXIT_RUNTIME); /* no file written yet; the others
                                                                                 wait in their first vote */
        sd_dm_release(s->dm);
        sd_engine_release(s->e);
        sd_dm_destroy(s->dm);
        sd_engine_free(s->e);
        sd_ranks_starpu_shutdown();
        sd_trace_free(s->trace);
        env_restore(env, nenv);
        sigaction(SIGINT, &old, NULL);
        sigaction(SIGTERM, &oldterm, NULL);
        return status ? status : SD_EXIT_RUNTIME;
    }
    if ((status = sd_ckpt_start(g, o, &s->ck, s->steps, &s->ck.rin))) goto done; /* --restart: judged */
    if (s->ck.rin) { /* the domain continues its own output (a trajectory) at the checkpoint's step */
        s->dm->restart = 1;
        s->dm->restart_step = sd_ckpt_step(s->ck.rin);
        s->dm->restart_steps_past = sd_ckpt_steps_past(s->ck.rin, s->steps);
        s->dm->restart_graph_hash = sd_ckpt_get_meta(s->ck.rin)->graph_hash;
    }
    s->latest = malloc((g->nscalars + 1) * sizeof(double));
    if (sd_checks_init(&s->checks, g) < 0 || !s->latest) {
        sd_run_say_error(o, "out of memory");
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    for (int i = 0; i < g->nscalars; i++) s->latest[i] = NAN;
    if (o->overwrite && sd_run_files_set_aside(files, err, sizeof err) < 0) {
        sd_run_say_error(o, "%s", err);
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    if (files->out && sd_run_setup_output(s, files->out, sched, ncpu) < 0) {
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    const int fields_out = s->out != NULL || files->out_on_rank0; /* every rank submits rank 0's snapshots */
    if (s->leader && s->dm->cls->open_output && s->dm->cls->open_output(s->dm, s->out, err, sizeof err) < 0) {
        sd_run_say_error(o, "%s", err);
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    if (s->out && !(s->profiles = sd_profiles_new(g, s->out, err, sizeof err)) && g->output.nprofiles) {
        sd_run_say_error(o, "%s", err);
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    sd_writer_conf wc = {.g = g, .dm = s->dm, .out = s->out, .quiet = o->quiet, .profiles = s->profiles,
                         .max_bytes = files->queue_bytes, .ckpt_file = s->ck.file, .ckpt_keep = s->ck.keep,
                         .field_steps0 = s->counters0[0], .scalar_rows0 = s->counters0[1], .profile_rows0 = s->counters0[2]};
    if (!(s->writer = sd_writer_start(&wc, err, sizeof err))) {
        sd_run_say_error(o, "%s", err);
        status = SD_EXIT_RUNTIME;
        goto done;
    }
    sd_run_files_drop_aside(files); /* the new files exist and the writer runs */

    int tty = !o->quiet && isatty(2);

    double t_start = now();
    sd_ckpt_restored rs = {0}; /* a restart's state in place of the init ops, its step the last one done */
    if (s->ck.rin && sd_ckpt_restore(s->ck.rin, s->dm, s->latest, &s->checks, &rs, o) < 0) {
        status = SD_EXIT_RUNTIME;
        goto done;
    } else if (!s->ck.rin) {
        s->dm->cls->submit_init(s->dm);
        s->dm->cls->submit_output(s->dm, 0, 0, fields_out);
    }
    sd_engine_seal(s->e);
    if (s->ranks_on) { /* every rank set up: the first vote, which also settles step 1's checkpoint */
        s->voted_ready = 1;
        int64_t lead[3] = {s->ck.rin ? rs.until_step : 0, 0, ckpt_choice(s, rs.step + 1, now(), now())};
        s->interrupt_agreed = sd_run_ranks_vote(s, interrupted, lead);
        if (s->failed) {
            status = s->failed;
            goto done;
        }
    }
    /* a restart that stops at K writes K's output again where an earlier restart dropped it; rank
     * 0 holds the file, and every rank submits its part of a snapshot */
    int redo_step_output = sd_h5out_step_output_gone(s->out);
    if (s->ranks_on && s->ck.rin) sd_ranks_bcast(&redo_step_output, sizeof redo_step_output, 0);
    sd_wait_tasks(); /* the step-loop timing starts after the init ops */
    double t0 = now();
    int64_t busy0[SD_RESULT_MAXW];
    for (int w = 0; w < SD_RESULT_MAXW && w < (int)starpu_worker_get_count(); w++) busy0[w] = sd_engine_busy_ns(s->e, w);
    int64_t step = s->last_step_done = s->ck.last_step = rs.step; /* the last step submitted */
    const int64_t step0 = s->step0 = step;
    double timed0 = t0; /* what the result times (sd_run_opts.warmup) */
    int64_t timed_step0 = step0;
    if (o->warmup > 0) sd_engine_pause_models(s->e, 1); /* nothing in flight here */
    s->until_step = rs.until_step, s->wall0 = rs.wall;
    if (s->until_step) sd_until_recall(g, s->until_step, s->latest, &s->until_hit); /* a stopped run restarted */
    int64_t per_step_max = 1, inflight = sd_run_max_inflight(g, o);
    /* steps that may still be ahead of what completed: inflight iterations, each up to a fused
     * group of `fuse` steps, and a group held back (submitted at the end) */
    const int64_t fuse = sd_run_fuse(g, o), ahead = inflight * fuse + fuse - 1;
    while (step < s->steps && !s->failed && !stopped(s) && !s->until_step && !s->walltime_hit) {
        int64_t before = sd_engine_tasks_submitted(s->e);
        step++;
        s->dm->cls->submit_step(s->dm, step);
        s->dm->cls->submit_output(s->dm, step, step == s->steps, fields_out);
        const int ck = s->ranks_on ? s->ckpt_next : ckpt_choice(s, step, now(), t0);
        if (ck == CKPT_WRITE) sd_ckpt_submit(&s->ck, s->dm, step, now());
        else if (ck == CKPT_HOLD) sd_ckpt_submit_held(&s->ck, s->dm, step);
        sd_engine_seal(s->e);
        int64_t k = sd_engine_tasks_submitted(s->e) - before;
        if (k > per_step_max) per_step_max = k;
        /* run.until is judged before the next step starts, so the run ends exactly at the step that
         * meets it, whatever the scheduling (its outputs and final state are that step's); a graph
         * with a stop condition gives up overlapping a step that computes its scalars with the next */
        if (sd_graph_until_due(g, step)) wait_step_scalars(s, step);
        else drain_records(s, 0);
        take_fatal(s);
        /* at most `inflight` steps of tasks outstanding: bounds memory, keeps the pipeline full.
         * Past the limit, wait until about half are left (sd_run_resume_inflight), then submit
         * again: the submitting thread wakes once per inflight/2 steps, not once per step (with
         * as many workers as cores, each wake-up takes a worker's core for a while).
         * tools/sim.c models this wait (sd_sim_conf.resume). */
        if (starpu_task_nsubmitted() > inflight * per_step_max)
            sd_wait_tasks_below((unsigned)(sd_run_resume_inflight(inflight) * per_step_max));
        sample_transfers(s);
        if (o->progress) call_progress(s, step, t0, 0);
        progress(s, step, t0, tty && !o->progress, 0); /* also the log's milestones */
        s->walltime_hit = sd_ckpt_walltime_hit(o->walltime, now() - s->t_start, sd_writer_ckpt_longest(s->writer),
                                               ahead * (now() - t0) / (step - step0));
        if (s->ranks_on) { /* rank 0 decides what the next step submits; any rank's failure stops all */
            int64_t lead[3] = {s->until_step, s->walltime_hit, ckpt_choice(s, step + 1, now(), t0)};
            s->interrupt_agreed = sd_run_ranks_vote(s, interrupted, lead);
        }
        /* the timing starts here, when the loop goes on (what stops it is agreed by now) */
        if (o->warmup > 0 && step == step0 + o->warmup && step < s->steps && !s->failed && !stopped(s) &&
            !s->until_step && !s->walltime_hit) {
            flush_held(s); /* a held fused group belongs to the warm-up */
            sd_ranks_wait_all();
            sd_engine_pause_models(s->e, 0);
            timed0 = now(), timed_step0 = step;
            for (int w = 0; w < SD_RESULT_MAXW && w < (int)starpu_worker_get_count(); w++)
                busy0[w] = sd_engine_busy_ns(s->e, w);
        }
    }
    if (!s->failed) flush_held(s);
    if (s->until_step && step > step0 && step < s->steps && !s->failed && !stopped(s)) { /* the last step's output, once */
        const int64_t every = g->output.fields_every;
        s->dm->cls->submit_output(s->dm, step, 1, fields_out && every > 0 && step % every);
        sd_engine_seal(s->e);
        if (s->ck.last_step == step) s->ck.last_step = -1; /* its checkpoint came before this output: another */
    }
    if (s->ck.rin && step == step0 && !s->failed && !stopped(s)) { /* a restart with no step left */
        /* the domain's own final export (a mesh's OFF/PLY) is written when a run completes, after
         * its last checkpoint: the interrupted run may have died before it; fields and frames of
         * the step are in the continued files already, unless a restart past K dropped them */
        s->dm->cls->submit_output(s->dm, step, 1, fields_out && redo_step_output);
        sd_engine_seal(s->e);
    }
    if (!s->failed && step > step0) sd_ckpt_submit_last(&s->ck, s->dm, step, now()); /* however the loop ended */
    sd_ranks_wait_all(); /* every rank's tasks and communications */
    double wall = now() - t0;
    if (o->result) sd_run_fill_result(s, o->result, step - timed_step0, now() - timed0, sched, busy0);
    drain_records(s, 1);
    take_fatal(s);
    if (s->ranks_on) { /* the last results (rank 0's checks, any rank's errors): one status for all */
        int64_t lead[3] = {s->until_step, s->walltime_hit, 0};
        s->interrupt_agreed = sd_run_ranks_vote(s, interrupted, lead);
        if (s->dm->cls->report_reads_parts && !o_in->quiet) sd_eng_gather(s->e); /* rank 0's summary reads them */
        const double mine = sd_peak_rss_bytes(); /* what each rank holds: the summary's memory line */
        if (!(s->rank_rss = malloc((size_t)sd_ranks_size() * sizeof mine))) {
            fprintf(stderr, "stardag: out of memory\n"); /* the gather is collective: no rank may leave it out */
            sd_ranks_abort(SD_EXIT_RUNTIME);
        }
        sd_ranks_allgather(&mine, s->rank_rss, sizeof mine);
        sd_run_gather_tasks(s); /* the summary's and /run's task table: every rank's */
    }
    sample_transfers(s);
    if (o->progress) call_progress(s, step, t0, 1);
    progress(s, step, t0, tty && !o->progress, 1);
    sd_writer_finish(s->writer, &s->wst); /* everything handed over is written */
    take_writer_error(s);

    if (stopped(s) && !s->failed) fail(s, SD_EXIT_INTERRUPTED, "interrupted at step %lld: stopped submitting, "
                                        "finished the tasks in flight and wrote what was complete", (long long)step);
    status = s->failed;
    if (s->out && sd_run_write_table(s, wall, err, sizeof err) < 0) {
        sd_run_say_error(o, "%s", err);
        if (!status) status = SD_EXIT_RUNTIME;
    }
    /* the domain's own output first: when it fails (an exported mesh that cannot be written), the
     * run file records a failed run */
    if (s->leader && s->dm->cls->close_output &&
        s->dm->cls->close_output(s->dm, sd_run_status_str(sd_run_status_of_exit(status)), step, err, sizeof err) < 0) {
        sd_run_say_error(o, "%s", err);
        if (!status) status = SD_EXIT_RUNTIME;
    }
    if (s->out) {
        const char *st = sd_run_status_str(sd_run_status_of_exit(status));
        if (sd_h5out_close(s->out, st, step, wall, err, sizeof err) < 0) {
            sd_run_say_error(o, "%s", err);
            if (!status) status = SD_EXIT_RUNTIME;
        }
        s->out = NULL;
    }
    if (!o->quiet) sd_run_summary(s, step, wall, now() - t_start, sched, ncpu);
    else {
        sd_profiles_summary(s->profiles, NULL, s->log); /* the log keeps the results of a quiet run */
        char mem[512];
        sd_run_memory_line(s, mem, sizeof mem);
        if (*mem) sd_runlog_line(s->log, "memory: %s", mem);
        if (sd_run_durability_line(s)) sd_runlog_line(s->log, "%s", sd_run_durability_line(s));
    }
    int unevaluated = sd_checks_unevaluated(&s->checks);
    /* not a failure: a short trial run may end before a diagnostic step (the tools' measured runs,
     * which return a result, always are such runs: no warning for them) */
    if (unevaluated && !status && s->leader && !o->result)
        sd_run_say_error(o, "%s: warning: %d check%s never evaluated: the run ended before %s first evaluation "
                         "(see the summary)", g->path, unevaluated, unevaluated == 1 ? " was" : "s were",
                         unevaluated == 1 ? "its" : "their");
    if (status && *s->why && s->leader) sd_run_say_error(o, "%s: %s", g->path, s->why); /* once for all ranks */
    if (s->trace) {
        if (sd_run_write_trace(s, err, sizeof err) < 0) {
            sd_run_say_error(o, "%s", err);
            if (!status) status = SD_EXIT_RUNTIME;
        } else if (!o->quiet) printf("  trace: %s\n", o->trace);
    }
    if (s->ranks_on) status = sd_run_ranks_agree(status); /* rank 0's last writes may have failed */
done:
    if (s->ranks_on && s->e) {
        if (!s->voted_ready) { /* a set-up that failed here: the other ranks hear it and stop too */
            s->voted_ready = 1;
            if (!s->failed) s->failed = status ? status : SD_EXIT_RUNTIME;
            int64_t lead[3] = {0};
            s->interrupt_agreed = sd_run_ranks_vote(s, interrupted, lead);
            if (!status) status = s->failed;
        }
        sd_ranks_settle();
        sd_ranks_wait_all(); /* the owners hold the final data before it is unregistered */
    }
    sd_writer_free(s->writer);
    sd_profiles_free(s->profiles);
    if (s->out) sd_h5out_close(s->out, sd_run_status_str(SD_RUN_FAILED), 0, 0, err, sizeof err);
    sd_dm_release(s->dm);
    sd_engine_release(s->e);
    sd_checks_free(&s->checks);
    free(s->latest);
    free(s->rank_rss);
    free(s->rank_stats);
    free(s->rank_busy);
    sd_ranks_starpu_shutdown();
    sd_dm_destroy(s->dm);
    sd_engine_free(s->e);
    sd_trace_free(s->trace);
    sd_run_files_restore(files); /* creating the new files failed: the old ones again */
    sd_ckpt_plan_free(&s->ck);
    env_restore(env, nenv);
    sigaction(SIGINT, &old, NULL);
    sigaction(SIGTERM, &oldterm, NULL);
    return status;
}
