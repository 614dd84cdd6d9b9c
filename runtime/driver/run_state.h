/* run_state.h - the run loop's state (run.c), shared with what reports on it (run_report.c).
 * Internal to runtime/driver. */
#ifndef SD_RUN_STATE_H
#define SD_RUN_STATE_H
#include <stdint.h>
#include "checks.h"
#include "ckpt_run.h"
#include "dm.h"
#include "engine.h"
#include "h5out.h"
#include "profile.h"
#include "run_files.h"
#include "runlog.h"
#include "trace.h"
#include "transfers.h"
#include "until.h"
#include "writer.h"

typedef struct run_state {
    const sd_graph *g;
    const sd_run_opts *o;
    sd_engine *e;
    sd_dm *dm;
    sd_h5out *out;
    const char *out_path;  /* the output file, when there is one */
    int64_t steps;
    int failed;            /* SD_EXIT_* once something stops the run */
    char why[1024];
    sd_checks checks;
    double *latest;        /* latest value of each scalar */
    int64_t last_step_done;
    int64_t until_step;    /* run.until met at this step (0: not yet) */
    sd_until_hit until_hit; /* what met it (until.c) */
    sd_run_files *files;
    sd_runlog *log;
    /* the log's progress lines: the tenth of the run reached, the last step logged and when */
    int logged_tenth;
    int64_t logged_step;
    double logged_at;
    sd_writer *writer;     /* writes the records handed to it, in order, on its own thread */
    sd_writer_stats wst;
    sd_profiles *profiles; /* output.profiles (NULL: none, or no output file) */
    int nfields_out, nscalars_out;
    int profile;           /* StarPU profiling on: task times from its records, bus counters */
    sd_transfers xfer;
    sd_trace *trace;
    double t0_us;          /* starpu_timing_now() when the engine was made: trace time 0 */
    sd_ckpt_plan ck;       /* checkpoints (ckpt_run.h) */
    double t_start, wall0; /* the run's start; a restarted run's wall time before it */
    int walltime_hit;      /* --walltime stopped the run */
    int64_t counters0[3], step0; /* what a continued run file held at the checkpoint (writer.h); its step */
    const char *tuned;     /* the stored tuning the run took its parts from (the summary's line), or NULL */
    int ranks_on, leader;  /* a distributed run; this is rank 0 (always 1 on one process) */
    int ckpt_next;         /* distributed: the agreed checkpoint choice for the next step (ckpt_choice) */
    int voted_ready;       /* distributed: the ranks agreed the set-up succeeded or failed */
    int interrupt_agreed;  /* distributed: Ctrl-C seen by some rank, as of the last vote */
    double *rank_rss;      /* distributed: every rank's peak RSS in bytes (-1: unknown) after the step
                              loop, for rank 0's summary; NULL otherwise */
    sd_codelet_stats *rank_stats; /* distributed: the task table summed over the ranks (rank 0's names),
                              nrank_stats kinds; NULL otherwise (or where the ranks' kinds differ) */
    int nrank_stats;
    int64_t *rank_busy;    /* distributed: per rank, SD_RANK_BUSY entries: the worker count, each
                              worker's busy ns, each worker's kind (SD_AT_CPU, SD_AT_CUDA) */
} run_state;

/* The workers per rank the summary's busy lines report (the rest are left out), and what
 * run_state.rank_busy holds per rank. */
#define SD_RANK_WORKERS 64
#define SD_RANK_BUSY (1 + 2 * SD_RANK_WORKERS)

/* Distributed runs (ranks_run.c): the vote after each step. Every rank's failure (s->failed,
 * s->why) and interrupt, and rank 0's lead = {until step, walltime hit, checkpoint choice for the
 * next step}; all leave with the same s->failed, s->why, *interrupted, until_step, walltime_hit and
 * ckpt_next; returns the agreed interrupt. */
int sd_run_ranks_vote(run_state *s, int interrupted, const int64_t lead[3]);

/* The run file at path (run_output.c): created, or continued on a restart, with the graph's
 * tables; s->out and s->out_path set. 0, or -1 with the error said. */
int sd_run_setup_output(run_state *s, const char *path, const char *sched, int ncpu);

/* The process' peak resident set size in bytes, or -1 (run_report.c). */
double sd_peak_rss_bytes(void);
/* "peak RSS 227.3 MB" for one process, "peak RSS 227.3 MB on rank 0, 139.6 MB on rank 1, ..." for
 * the ranks of a distributed run (s->rank_rss): what each rank holds of the domain. */
void sd_run_memory_line(const run_state *s, char *buf, size_t len);
/* The summary's line saying that files are not fsynced (STARDAG_FSYNC=0, io/durable.h) when the
 * run writes any, else NULL. */
const char *sd_run_durability_line(const run_state *s);
/* The summary after the run: wall, the step loop's seconds; run_wall, init ops and steps (what
 * worker busy fractions refer to). */
void sd_run_summary(run_state *s, int64_t steps_done, double wall, double run_wall, const char *sched, int ncpu);
/* Distributed: every rank's task table (summed) and busy workers into s->rank_stats, s->rank_busy.
 * Collective. */
void sd_run_gather_tasks(run_state *s);
/* sd_run_opts.result after the step loop: steps and seconds of the loop, each worker's busy
 * fraction of it (busy0: the workers' busy ns when it began), the parts, scheduler and tuning. */
void sd_run_fill_result(run_state *s, sd_run_result *r, int64_t steps, double wall, const char *sched,
                        const int64_t *busy0);
/* What ran where, into the run file's /run (the report command reads it). 0, or -1 with err. */
int sd_run_write_table(run_state *s, double wall, char *err, size_t errlen);
/* The Chrome trace (--trace). 0, or -1 with err. */
int sd_run_write_trace(run_state *s, char *err, size_t errlen);

#endif
