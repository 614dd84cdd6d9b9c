/* writer.h - the run's output writer thread. The run loop hands it the completed records in step
 * order (snapshots: host copies of the fields or frames; scalar rows); the thread writes them
 * (HDF5 datasets, compression, commits and their fdatasyncs, the domain's own output, the thermo
 * table) while the submitting thread goes on submitting steps. The queue is bounded in bytes:
 * when it is full, handing over a record waits (back-pressure), and the waiting is timed. The
 * first write error stops all writing (files stay at their last commit) and is reported to the
 * run loop, which stops the run. */
#ifndef SD_WRITER_H
#define SD_WRITER_H
#include <stddef.h>
#include <stdint.h>
#include "dm.h"
#include "engine.h"

struct sd_h5out;
struct sd_profiles;

typedef struct sd_writer_conf {
    const sd_graph *g;
    sd_dm *dm;
    struct sd_h5out *out; /* the run's file; NULL when none */
    int quiet;            /* passed to the domain's on_scalars (no thermo table) */
    struct sd_profiles *profiles; /* output.profiles, taken from the field steps before they are
                                     written (profile.h); NULL: none */
    size_t max_bytes;     /* queued record bytes (snapshots, scalar rows, checkpoint parts: all
                             the memory they hold) beyond which a hand-over waits (one record is
                             always accepted into an empty queue) */
    const char *ckpt_file; /* checkpoint records go into this file (ckpt_run.h); NULL: none come */
    int ckpt_keep;
    int64_t field_steps0, scalar_rows0, profile_rows0; /* what the run's file held before this run
                                           wrote (a restart continuing it: output steps with fields,
                                           scalar rows, profile rows), for the checkpoints' counts */
} sd_writer_conf;

typedef struct sd_writer_stats {
    double write_s;      /* time the thread spent writing */
    double wait_full_s;  /* time the run loop waited for room in the queue */
    double wait_end_s;   /* time the run loop waited, after the last task, for the queue to drain */
    int64_t field_steps; /* field steps written into the run's file */
    int64_t scalar_rows; /* scalar rows written into the run's file */
    size_t peak_bytes;   /* most record bytes queued at once */
    int64_t checkpoints; /* checkpoints published */
    int64_t ckpt_last_step; /* the step of the last one */
    double ckpt_longest_s; /* the longest one took, from its first part to published */
} sd_writer_stats;

typedef struct sd_writer sd_writer;

/* Starts the thread. NULL with a message. */
sd_writer *sd_writer_start(const sd_writer_conf *c, char *err, size_t errlen);
/* Hands r over (the writer frees it), in step order. write: 0 when nothing of it may be written
 * (the run failed in a way that makes its data untrustworthy); the thermo table is still printed. */
void sd_writer_push(sd_writer *w, sd_record *r, int write);
/* 1 and the message once a write failed, else 0. */
int sd_writer_failed(sd_writer *w, char *msg, size_t len);
/* The longest a checkpoint took so far (0: none yet), for the wall-time margin. */
double sd_writer_ckpt_longest(sd_writer *w);
/* Waits until everything handed over is written and stops the thread; then the stats (st may
 * be NULL). */
void sd_writer_finish(sd_writer *w, sd_writer_stats *st);
/* Finishes the thread if that was not done, and frees. w may be NULL. */
void sd_writer_free(sd_writer *w);

#endif
