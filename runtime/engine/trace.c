/* trace.c - collecting and writing trace events (see trace.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

enum { EV_TASK, EV_FETCH };
#define SD_TRACE_MAX_BUS 16

typedef struct ev { /* a task or a fetch: one per task, so kept small */
    int kind, worker, tile;
    const char *name, *arch;
    double ts, dur;
    int64_t step;
} ev;

typedef struct counter { /* bus megabytes at one time (sampled once per step) */
    double ts;
    int n;
    const char *const *names;
    double mb[SD_TRACE_MAX_BUS];
} counter;

struct sd_trace {
    pthread_mutex_t lock;
    ev *ev;
    size_t n, cap;
    counter *cnt;
    size_t ncnt, capcnt;
};

sd_trace *sd_trace_new(void)
{
    sd_trace *t = calloc(1, sizeof *t);
    if (t) pthread_mutex_init(&t->lock, NULL);
    return t;
}

void sd_trace_free(sd_trace *t)
{
    if (!t) return;
    pthread_mutex_destroy(&t->lock);
    free(t->ev);
    free(t->cnt);
    free(t);
}

/* Append one element of size es to a growing array (under the lock); out of memory drops it:
 * a trace must never abort a run. */
static void append(sd_trace *t, void **arr, size_t *n, size_t *cap, const void *e, size_t es)
{
    pthread_mutex_lock(&t->lock);
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 4096;
        void *p = realloc(*arr, nc * es);
        if (!p) {
            pthread_mutex_unlock(&t->lock);
            return;
        }
        *arr = p;
        *cap = nc;
    }
    memcpy((char *)*arr + *n * es, e, es);
    (*n)++;
    pthread_mutex_unlock(&t->lock);
}

static void push(sd_trace *t, const ev *e) { append(t, (void **)&t->ev, &t->n, &t->cap, e, sizeof *e); }

void sd_trace_task(sd_trace *t, const char *name, int worker, double ts, double dur, int64_t step, int tile,
                   const char *arch)
{
    ev e = {.kind = EV_TASK, .name = name, .worker = worker, .ts = ts, .dur = dur, .step = step, .tile = tile,
            .arch = arch};
    push(t, &e);
}

void sd_trace_fetch(sd_trace *t, const char *task_name, int worker, double ts, double dur)
{
    ev e = {.kind = EV_FETCH, .name = task_name, .worker = worker, .ts = ts, .dur = dur};
    push(t, &e);
}

void sd_trace_counter(sd_trace *t, double ts, int n, const char *const *names, const double *mb)
{
    counter c = {.ts = ts, .n = n < SD_TRACE_MAX_BUS ? n : SD_TRACE_MAX_BUS, .names = names};
    memcpy(c.mb, mb, (size_t)c.n * sizeof *mb);
    append(t, (void **)&t->cnt, &t->ncnt, &t->capcnt, &c, sizeof c);
}

/* Names here are codelet, worker and bus names: no quotes or control characters, but escape
 * anyway so the file stays valid JSON whatever a user names a codelet. */
static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

int sd_trace_write(const sd_trace *t, const char *path, const char *process, int nworkers,
                   const char *const *worker_names, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write the trace: %s", path, strerror(errno));
        return -1;
    }
    fputs("{\"traceEvents\":[\n", f);
    fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":", f);
    jstr(f, process);
    fputs("}}", f);
    for (int w = 0; w < nworkers; w++) {
        fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":", w);
        jstr(f, worker_names[w]);
        fputs("}}", f);
    }
    for (size_t i = 0; i < t->n; i++) {
        const ev *e = &t->ev[i];
        fputs(",\n{\"name\":", f);
        if (e->kind == EV_TASK) {
            jstr(f, e->name);
            fprintf(f, ",\"cat\":\"task\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,"
                       "\"args\":{\"step\":%lld,\"tile\":%d,\"arch\":\"%s\"}}",
                    e->worker, e->ts, e->dur, (long long)e->step, e->tile, e->arch);
        } else {
            fprintf(f, "\"fetch\",\"cat\":\"transfer\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,"
                       "\"args\":{\"task\":", e->worker, e->ts, e->dur);
            jstr(f, e->name);
            fputs("}}", f);
        }
    }
    for (size_t i = 0; i < t->ncnt; i++) {
        const counter *c = &t->cnt[i];
        fprintf(f, ",\n{\"name\":\"bus MB\",\"ph\":\"C\",\"pid\":1,\"ts\":%.3f,\"args\":{", c->ts);
        for (int k = 0; k < c->n; k++) {
            if (k) fputc(',', f);
            jstr(f, c->names[k]);
            fprintf(f, ":%.6f", c->mb[k]);
        }
        fputs("}}", f);
    }
    fputs("\n]}\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, errlen, "%s: cannot write the trace: %s", path, strerror(errno ? errno : EIO));
        return -1;
    }
    return 0;
}
