/* ckpt_run.h - the run loop's side of checkpoints (docs/checkpoint.md): when one is due, submitting
 * it (the domain's snapshot tasks, the scalars' snapshot, the end record), the host state the end
 * record carries to the writer thread, the writer's part (each record into the checkpoint file),
 * and a restart: opening a checkpoint, judging it against the graph, and putting its state back
 * in place of the init ops. */
#ifndef SD_CKPT_RUN_H
#define SD_CKPT_RUN_H
#include <stddef.h>
#include <stdint.h>
#include "checks.h"
#include "ckpt.h"
#include "dm.h"
#include "engine.h"

/* When checkpoints are written: output.checkpoint, with --checkpoint / --checkpoint-every over it. */
typedef struct sd_ckpt_plan {
    const char *file;   /* NULL: the run writes none */
    int64_t every;      /* steps; 0: not by steps */
    double minutes;     /* wall clock; 0: not by time */
    int keep;
    double last_at;     /* wall time (monotonic s) of the last one submitted, or the run's start */
    int64_t last_step;  /* the step of the last one submitted (-1: none) */
    sd_ckpt_in *rin;    /* --restart's checkpoint (sd_ckpt_start), closed by sd_ckpt_plan_free */
    /* last_good: checkpoints held in memory (not written) of the steps a check judges; the newest
     * whose checks all passed is written when a later step fails */
    int last_good;
    int last_good_every; /* last_good: true: hold at every judged step; else only while affordable */
    double held_bytes;     /* what the held copies would take (last_good not given) */
    double last_good_off;  /* last_good not given and off for lack of memory: the bytes available (-1: unknown) */
    int64_t held[64];   /* steps of held checkpoints submitted and not yet popped, oldest first */
    int nheld;
    sd_record *collect, *collect_tail; /* the oldest held checkpoint's records popped so far */
    sd_record *good;    /* the newest held checkpoint complete and judged good (a list) */
    int64_t good_step;
} sd_ckpt_plan;

/* Steps of tasks in flight: --max-inflight, run.max_inflight, else 4. */
int64_t sd_run_max_inflight(const sd_graph *g, const sd_run_opts *o);
/* Past max_inflight steps of tasks in flight, the run loop waits until at most this many steps'
 * worth are left (half, rounded up), so that its thread wakes once per few steps. */
static inline int64_t sd_run_resume_inflight(int64_t max_inflight) { return (max_inflight + 1) / 2; }
/* Steps a grid may fuse into one task: --fuse, run.fuse, else 1. */
int sd_run_fuse(const sd_graph *g, const sd_run_opts *o);
/* The plan of graph g under options o (file NULL when neither asks for checkpoints). */
void sd_ckpt_plan_init(sd_ckpt_plan *p, const sd_graph *g, const sd_run_opts *o, double now);
/* Is a checkpoint due after step (by steps or by time)? */
int sd_ckpt_due(const sd_ckpt_plan *p, int64_t step, double now);
/* The checkpoint of the last step submitted at the end of the loop (sealed), unless it was written. */
void sd_ckpt_submit_last(sd_ckpt_plan *p, sd_dm *dm, int64_t step, double now);
/* --walltime (walltime > 0): is it time to stop, elapsed seconds into the run? The margin: the
 * steps in flight (inflight_s), 1.5 times the longest checkpoint so far, and half a second. */
int sd_ckpt_walltime_hit(double walltime, double elapsed, double longest_ckpt, double inflight_s);
/* Is a check judged at step (a step op writing a checked scalar is due)? */
int sd_ckpt_checked_step(const sd_graph *g, int64_t step);
/* last_good not given: is holding one more affordable? The snapshot tasks so far (snapshot_s, all
 * workers) within 5 % of the workers' time since the loop began (elapsed x nworkers). With
 * last_good: true, always. */
int sd_ckpt_hold_affordable(const sd_ckpt_plan *p, double snapshot_s, double elapsed, int nworkers);
/* last_good: a checkpoint of step to hold (the caller seals), when the plan holds them, the step
 * is judged by a check and no regular checkpoint is due. */
void sd_ckpt_submit_held(sd_ckpt_plan *p, sd_dm *dm, int64_t step);
/* A popped record (after sd_ckpt_attach_host for an end record): 1 when the plan keeps it (a part
 * of a held checkpoint), 0 when the caller hands it to the writer. failed: the run failed at a
 * step <= the record's. */
int sd_ckpt_hold(sd_ckpt_plan *p, sd_record *r, int failed);
/* The mark that sd_ckpt_hold's caller hands to the writer when it holds an end record: the writer
 * notes its output counts there (every record of steps <= step is ahead of it in the queue), and a
 * held checkpoint written later records them, not the counts of the steps written meanwhile. */
sd_record *sd_ckpt_mark_new(int64_t step);
/* The run failed: the good held checkpoint's records, in order, to push(u, record) (once). */
void sd_ckpt_release_good(sd_ckpt_plan *p, void (*push)(void *u, sd_record *r), void *u);
/* Frees the held checkpoints and closes rin. */
void sd_ckpt_plan_free(sd_ckpt_plan *p);
/* Submits checkpoint `step` (after submit_step and submit_output of that step): the domain's
 * snapshot tasks, the scalars', then the end record. The caller seals. */
void sd_ckpt_submit(sd_ckpt_plan *p, sd_dm *dm, int64_t step, double now);

/* The summary's lines: the stop by --walltime (walltime > 0: it stopped the run), the checkpoints
 * written (n, the last one's step). */
void sd_ckpt_report(const sd_ckpt_plan *p, int64_t n, int64_t last, double walltime, int64_t steps_done);

/* What the run loop knows when the end record pops (every record of steps <= step handled). */
typedef struct sd_ckpt_host {
    int64_t step;
    double time;          /* step * dt */
    double wall;          /* wall seconds of the run so far (the earlier parts of a restarted run too) */
    int64_t until_step;   /* run.until met at this step, 0: not yet */
    const double *latest; /* latest value of every scalar */
    const sd_checks *checks;
} sd_ckpt_host;
/* The host state packed into the end record's data (the writer unpacks it). */
void sd_ckpt_attach_host(sd_record *end, const sd_graph *g, const sd_ckpt_host *h);

/* The writer thread's part: one checkpoint record at a time, in order. */
typedef struct sd_ckpt_writer {
    const sd_graph *g;
    const char *file;
    int keep;
    sd_ckpt_out *out;     /* the checkpoint being written, NULL between checkpoints */
    int64_t step;         /* its step */
    double started;       /* when its first part arrived (monotonic s) */
    double longest_s;     /* the longest a checkpoint took from first part to published */
    int64_t written;      /* checkpoints published */
} sd_ckpt_writer;
/* counters: what the run's file held at the end record (field steps, scalar rows, profile rows).
 * 0, or -1. */
int sd_ckpt_write_record(sd_ckpt_writer *w, const sd_record *r, const int64_t counters[3], double now, char *err,
                         size_t errlen);
void sd_ckpt_writer_abort(sd_ckpt_writer *w);

/* Before anything starts: checkpoints asked for (plan p) or a restart on a domain class without
 * checkpoint hooks are refused; --restart's checkpoint is opened and judged against graph g
 * (format, completeness, graph_hash; with o->force a layout_hash match is enough, with a warning;
 * its step at most the run's steps). 0 with *in (NULL without --restart), or the exit status
 * (SD_EXIT_BADGRAPH: another graph, a class that cannot; SD_EXIT_RUNTIME: an unreadable or damaged
 * file) with the error said (sd_run_say_error). */
int sd_ckpt_start(const sd_graph *g, const sd_run_opts *o, const sd_ckpt_plan *p, int64_t steps, sd_ckpt_in **in);
/* A restart's run file: continued at the checkpoint's step when it exists (h5out.h's
 * sd_h5out_continue: checked against the checkpoint's counts, everything after the step removed;
 * counters: those counts), else made afresh (counters 0). NULL with a message. */
struct sd_h5out;
struct sd_h5meta;
struct sd_h5decl;
/* Does a run of `steps` steps restarted from `in` go on past its step (not when it has no steps
 * left, nor when run.until had stopped it there)? */
int sd_ckpt_steps_past(const sd_ckpt_in *in, int64_t steps);
struct sd_h5out *sd_ckpt_continue_output(const sd_ckpt_in *in, const char *path, const struct sd_h5meta *meta,
                                         const struct sd_h5decl *decl, int drop_step_output, int step_off_cadence,
                                         int64_t counters[3], char *err, size_t errlen);
/* What a restart puts back besides the domain: scalars (into the engine), the latest values, the
 * checks, the until step and the wall time so far. */
typedef struct sd_ckpt_restored {
    int64_t step;
    double wall;
    int64_t until_step;
    int64_t counters[3];  /* field steps, scalar rows, profile rows of the run's file at the checkpoint */
} sd_ckpt_restored;
/* The domain's restore hook, then the scalars and host state; a warning for checks that start
 * afresh (a graph changed under --force). 0, or -1 with the error said. */
int sd_ckpt_restore(sd_ckpt_in *in, sd_dm *dm, double *latest, sd_checks *checks, sd_ckpt_restored *r,
                    const sd_run_opts *o);

#endif
