/* writer.c - the output writer thread: a FIFO of completed records, written in order off the
 * submitting thread. What a record becomes is the domain's (write_snapshot, on_scalars) and, for
 * scalar rows, the run file's (sd_h5out_append_scalars; a commit at least every second). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ckpt_run.h"
#include "h5out.h"
#include "profile.h"
#include "writer.h"

typedef struct item {
    sd_record *r;
    int write;
    struct item *next;
    size_t cost; /* the memory it holds (record_cost) */
} item;

struct sd_writer {
    sd_writer_conf c;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t have_item, have_room;
    item *head, *tail;
    size_t bytes;        /* memory of the records queued or being written (record_cost) */
    unsigned sleep_us;   /* tests: the thread sleeps this long per record (a slow disk) */
    int stop;
    int joined;
    int failed;
    char msg[1024];
    sd_writer_stats st;
    double last_commit;  /* writer thread only */
    sd_ckpt_writer ck;   /* writer thread only */
    int64_t steps_with_fields, last_field_step; /* distinct output steps with fields (a checkpoint's count) */
    /* the output counts at the marks of held checkpoints (ckpt_run.h), oldest first; at most as
     * many as the run loop can hold, plus the good one */
    struct { int64_t step, counts[3]; } marks[66];
    int nmarks;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* The memory a queued record holds: the struct, the queue's item, the snapshot data, a scalar
 * record's values and flags (engine.c allocates one per graph scalar, plus one), a checkpoint
 * part's item, an error. All of it counts against the bound, so that scalar rows, which carry no
 * snapshot, cannot pile up behind a slow writer. */
static size_t record_cost(const sd_writer *w, const sd_record *r)
{
    size_t ns = (size_t)w->c.g->nscalars + 1, n = sizeof *r + sizeof(item) + r->bytes;
    if (r->value) n += ns * sizeof(double);
    if (r->computed) n += ns;
    if (r->ckpt) n += sizeof *r->ckpt;
    if (r->error) n += strlen(r->error) + 1;
    return n;
}

/* A scalar record: the domain's thermo table and observables, then the run file's row. */
static int write_scalars(sd_writer *w, const sd_record *r, int write, char *err, size_t errlen)
{
    const sd_graph *g = w->c.g;
    sd_dm *dm = w->c.dm;
    if (dm->cls->on_scalars && dm->cls->on_scalars(dm, r, w->c.quiet, write, err, errlen) < 0) return -1;
    int64_t every = g->output.scalars_every;
    if (!write || !w->c.out || every <= 0 || r->step % every) return 0;
    double row[32];
    int any = 0;
    for (int i = 0; i < g->output.nscalars; i++) {
        int sc = g->output.scalar[i];
        row[i] = r->computed[sc] ? r->value[sc] : NAN;
        any |= r->computed[sc];
    }
    if (!any) return 0;
    if (sd_h5out_append_scalars(w->c.out, r->step, r->step * g->run.dt, row, err, errlen) < 0) return -1;
    w->st.scalar_rows++;
    if (now() - w->last_commit > 1.0) {
        if (sd_h5out_commit(w->c.out, err, errlen) < 0) return -1;
        w->last_commit = now();
    }
    return 0;
}

/* The run file's counts (field steps, scalar rows, profile rows) of what was written so far. */
static void output_counts(const sd_writer *w, int64_t c[3])
{
    c[0] = w->c.field_steps0 + w->steps_with_fields;
    c[1] = w->c.scalar_rows0 + w->st.scalar_rows;
    c[2] = w->c.profile_rows0 + sd_profiles_rows(w->c.profiles);
}

static void note_mark(sd_writer *w, int64_t step)
{
    const int cap = (int)(sizeof w->marks / sizeof w->marks[0]);
    if (w->nmarks == cap) memmove(w->marks, w->marks + 1, (size_t)--w->nmarks * sizeof w->marks[0]);
    w->marks[w->nmarks].step = step;
    output_counts(w, w->marks[w->nmarks++].counts);
}

/* The counts a checkpoint of step records: its mark's when it was held, else the present ones
 * (every record of steps <= step was written, none after; a regular checkpoint of a step that was
 * also held comes after output the held one did not see). Marks up to step are spent. */
static void counts_of(sd_writer *w, int64_t step, int held, int64_t c[3])
{
    output_counts(w, c);
    int k = 0;
    for (int i = 0; i < w->nmarks; i++)
        if (w->marks[i].step == step) {
            if (held) memcpy(c, w->marks[i].counts, sizeof w->marks[i].counts);
        }
        else if (w->marks[i].step > step) w->marks[k++] = w->marks[i];
    w->nmarks = k;
}

/* A checkpoint part; its end commits the run's file first, so that every output step of the
 * checkpoint's steps is durable before the checkpoint exists. */
static int write_ckpt(sd_writer *w, const sd_record *r, int write, char *err, size_t errlen)
{
    if (r->ckpt->mark) {
        note_mark(w, r->step);
        return 0;
    }
    if (!write || !w->c.ckpt_file) {
        sd_ckpt_writer_abort(&w->ck);
        return 0;
    }
    if (r->ckpt->end && w->c.out) {
        if (sd_h5out_commit(w->c.out, err, errlen) < 0) return -1;
        w->last_commit = now();
    }
    /* the domain's own output (a trajectory's observables) durable up to the step too */
    if (r->ckpt->end && w->c.dm->cls->commit_output && w->c.dm->cls->commit_output(w->c.dm, r->step, err, errlen) < 0)
        return -1;
    int64_t counters[3] = {0, 0, 0};
    if (r->ckpt->end) counts_of(w, r->step, r->ckpt->held, counters);
    const int64_t before = w->ck.written;
    if (sd_ckpt_write_record(&w->ck, r, counters, now(), err, errlen) < 0) return -1;
    if (w->ck.written > before) {
        double took = now() - w->ck.started;
        pthread_mutex_lock(&w->mu);
        w->st.checkpoints = w->ck.written;
        w->st.ckpt_last_step = r->step;
        if (took > w->st.ckpt_longest_s) w->st.ckpt_longest_s = took;
        pthread_mutex_unlock(&w->mu);
    }
    return 0;
}

static int write_record(sd_writer *w, const sd_record *r, int write, char *err, size_t errlen)
{
    if (r->ckpt) return write_ckpt(w, r, write, err, errlen);
    if (!r->is_field) return write_scalars(w, r, write, err, errlen);
    if (!write) return 0;
    /* the profile rows first: the field step's commit then commits them too */
    if (w->c.out && sd_profiles_take(w->c.profiles, r, err, errlen) < 0) return -1;
    int rc = w->c.dm->cls->write_snapshot(w->c.dm, r, w->c.out, err, errlen);
    if (rc > 0) {
        w->st.field_steps++;
        if (r->step != w->last_field_step) w->steps_with_fields++; /* several fields of one step: one */
        w->last_field_step = r->step;
        w->last_commit = now();
    }
    return rc < 0 ? -1 : 0;
}

static void *writer_main(void *arg)
{
    sd_writer *w = arg;
    char err[1024];
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop) pthread_cond_wait(&w->have_item, &w->mu);
        item *it = w->head;
        if (!it) break; /* stopped and drained */
        w->head = it->next;
        if (!w->head) w->tail = NULL;
        int write = it->write && !w->failed;
        pthread_mutex_unlock(&w->mu);

        double t = now();
        if (w->sleep_us) {
            struct timespec d = {w->sleep_us / 1000000, (long)(w->sleep_us % 1000000) * 1000};
            nanosleep(&d, NULL);
        }
        int rc = write_record(w, it->r, write, err, sizeof err);
        w->st.write_s += now() - t;
        size_t bytes = it->cost;
        sd_record_free(it->r);
        free(it);

        pthread_mutex_lock(&w->mu);
        w->bytes -= bytes;
        if (rc < 0 && !w->failed) {
            w->failed = 1;
            snprintf(w->msg, sizeof w->msg, "%s", err);
        }
        pthread_cond_broadcast(&w->have_room);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

sd_writer *sd_writer_start(const sd_writer_conf *c, char *err, size_t errlen)
{
    sd_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory for the output writer");
        return NULL;
    }
    w->c = *c;
    w->last_commit = now();
    w->ck = (sd_ckpt_writer){.g = c->g, .file = c->ckpt_file, .keep = c->ckpt_keep};
    w->last_field_step = -1;
    const char *slow = getenv("STARDAG_TEST_WRITER_SLEEP_MS"); /* tests only: a slow disk */
    if (slow && atoi(slow) > 0) w->sleep_us = (unsigned)atoi(slow) * 1000u;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->have_item, NULL);
    pthread_cond_init(&w->have_room, NULL);
    int rc = pthread_create(&w->thread, NULL, writer_main, w);
    if (rc) {
        snprintf(err, errlen, "cannot start the output writer thread: %s", strerror(rc));
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->have_item);
        pthread_cond_destroy(&w->have_room);
        free(w);
        return NULL;
    }
    return w;
}

void sd_writer_push(sd_writer *w, sd_record *r, int write)
{
    item *it = malloc(sizeof *it);
    pthread_mutex_lock(&w->mu);
    if (!it) {
        if (!w->failed) {
            w->failed = 1;
            snprintf(w->msg, sizeof w->msg, "out of memory queueing output for step %lld", (long long)r->step);
        }
        pthread_mutex_unlock(&w->mu);
        sd_record_free(r);
        return;
    }
    const size_t cost = record_cost(w, r);
    *it = (item){r, write, NULL, cost};
    if (w->bytes > 0 && w->bytes + cost > w->c.max_bytes && !w->failed) {
        double t = now();
        while (w->bytes > 0 && w->bytes + cost > w->c.max_bytes && !w->failed)
            pthread_cond_wait(&w->have_room, &w->mu);
        w->st.wait_full_s += now() - t;
    }
    if (w->tail) w->tail->next = it;
    else w->head = it;
    w->tail = it;
    w->bytes += cost;
    if (w->bytes > w->st.peak_bytes) w->st.peak_bytes = w->bytes;
    pthread_cond_signal(&w->have_item);
    pthread_mutex_unlock(&w->mu);
}

int sd_writer_failed(sd_writer *w, char *msg, size_t len)
{
    pthread_mutex_lock(&w->mu);
    int f = w->failed;
    if (f) snprintf(msg, len, "%s", w->msg);
    pthread_mutex_unlock(&w->mu);
    return f;
}

double sd_writer_ckpt_longest(sd_writer *w)
{
    pthread_mutex_lock(&w->mu);
    double s = w->st.ckpt_longest_s;
    pthread_mutex_unlock(&w->mu);
    return s;
}

void sd_writer_finish(sd_writer *w, sd_writer_stats *st)
{
    double t = now();
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->have_item);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    w->joined = 1;
    sd_ckpt_writer_abort(&w->ck); /* a checkpoint whose end never came (the run failed) */
    w->st.wait_end_s = now() - t;
    if (st) *st = w->st;
}

void sd_writer_free(sd_writer *w)
{
    if (!w) return;
    if (!w->joined) sd_writer_finish(w, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->have_item);
    pthread_cond_destroy(&w->have_room);
    free(w);
}
