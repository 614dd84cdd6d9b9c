/* report.c - `stardag report RUN.h5 [--trace T.json] [--out DIR]`: SVG charts of a run.
 *
 *   gantt     one row per worker, a rectangle per task coloured by codelet, data fetches as thin
 *             bars under the row (needs the trace)
 *   busy      busy fraction of each worker over time, 100 bins over the run (needs the trace)
 *   codelets  time per codelet and architecture (from /run in the run file, else the trace)
 *   scalars   one panel per scalar of /scalars over time; a near-constant series (relative
 *             variation below 1e-4, e.g. a conserved energy) is drawn as its relative drift
 *             (v - v0)/|v0| so the panel shows how well it is conserved instead of a flat line
 *
 * The trace is Chrome/Perfetto trace-event JSON (see docs/user-guide.md), read by the small
 * tolerant parser below: keys in any order, unknown events and fields ignored, whitespace free;
 * malformed input is an error naming file:line; a trace cut short (a run killed while
 * writing it) is read up to the last complete event, with a warning. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "stardag/stardag.h"
#include "commands.h"
#include "h5err.h"
#include "svg.h"

#define W_CHART 1000.0
#define DRIFT_REL 1e-4 /* below this relative variation a scalar is plotted as relative drift */

static const char report_usage[] =
    "usage: stardag report RUN.h5 [--trace T.json] [--out DIR]\n"
    "  writes DIR/<run>-gantt.svg, -busy.svg (both need --trace), -codelets.svg and -scalars.svg;\n"
    "  DIR defaults to the directory of RUN.h5\n";

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("stardag report: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---------------------------------------------------------------- string tables */

typedef struct {
    char **s;
    int n, cap;
} strtab;

static int st_find(const strtab *t, const char *s)
{
    for (int i = t->n - 1; i >= 0; i--)
        if (!strcmp(t->s[i], s)) return i;
    return -1;
}

static int st_add(strtab *t, const char *s)
{
    int i = st_find(t, s);
    if (i >= 0) return i;
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 16;
        char **p = realloc(t->s, nc * sizeof *p);
        if (!p) return -1;
        t->s = p;
        t->cap = nc;
    }
    if (!(t->s[t->n] = strdup(s))) return -1;
    return t->n++;
}

static void st_free(strtab *t)
{
    for (int i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
    memset(t, 0, sizeof *t);
}

static void *grow(void *p, size_t *cap, size_t n, size_t es)
{
    if (n < *cap) return p;
    size_t nc = *cap ? 2 * *cap : 256;
    void *q = realloc(p, nc * es);
    if (!q) return NULL;
    *cap = nc;
    return q;
}

/* ---------------------------------------------------------------- the trace */

typedef struct {
    char *name;
    long tid;
    int kind;  /* 0 CPU, 1 CUDA, 2 other */
    long num;  /* the number in "CPU 3" */
} worker;

typedef struct {
    int cl, w, arch;    /* codelet (trace->cl), worker index, architecture (archs) or -1 */
    double ts, dur;     /* microseconds */
    long step, tile;
} task_ev;

typedef struct {
    int w;
    double ts, dur;
} xfer_ev;

typedef struct {
    const char *path;
    worker *w;
    size_t nw, capw;
    task_ev *t;
    size_t nt, capt;
    xfer_ev *x;
    size_t nx, capx;
    strtab cl;
    size_t ncounters;
    double t0, t1; /* microseconds */
} trace;

static strtab archs; /* "cpu", "cuda", ... shared by the trace and /run */

/* A JSON value: just what an event needs. */
enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };
typedef struct jv {
    int t;
    double num;
    char *s;
    int n;
    char **keys;      /* objects */
    struct jv **v;    /* objects and arrays */
} jv;

static void jfree(jv *v)
{
    if (!v) return;
    for (int i = 0; i < v->n; i++) {
        if (v->keys) free(v->keys[i]);
        jfree(v->v[i]);
    }
    free(v->keys);
    free(v->v);
    free(v->s);
    free(v);
}

static const jv *jget(const jv *o, const char *key)
{
    if (!o || o->t != J_OBJ) return NULL;
    for (int i = o->n - 1; i >= 0; i--) /* the last one wins, as in JavaScript */
        if (!strcmp(o->keys[i], key)) return o->v[i];
    return NULL;
}

static const char *jstr(const jv *v) { return v && v->t == J_STR ? v->s : NULL; }
static int jnum(const jv *v, double *d)
{
    if (!v || v->t != J_NUM || !isfinite(v->num)) return 0;
    *d = v->num;
    return 1;
}

typedef struct {
    const char *p, *e, *file;
    long line;
    int eof;       /* the error is the end of the input */
    char err[512];
} jp;

static jv *jerr(jp *j, const char *what)
{
    if (j->p >= j->e) {
        j->eof = 1;
        snprintf(j->err, sizeof j->err, "%s:%ld: unexpected end of file (%s)", j->file, j->line, what);
    } else {
        char near[24];
        size_t k = 0;
        for (const char *q = j->p; q < j->e && *q != '\n' && k < 16; q++) near[k++] = isprint((unsigned char)*q) ? *q : '?';
        near[k] = 0;
        snprintf(j->err, sizeof j->err, "%s:%ld: malformed JSON: %s, found '%s'", j->file, j->line, what, near);
    }
    return NULL;
}

static void jws(jp *j)
{
    while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
        if (*j->p == '\n') j->line++;
        j->p++;
    }
}

static void put_utf8(char *o, size_t *k, unsigned long c)
{
    if (c < 0x80) o[(*k)++] = (char)c;
    else if (c < 0x800) {
        o[(*k)++] = (char)(0xc0 | (c >> 6));
        o[(*k)++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        o[(*k)++] = (char)(0xe0 | (c >> 12));
        o[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        o[(*k)++] = (char)(0x80 | (c & 0x3f));
    } else {
        o[(*k)++] = (char)(0xf0 | (c >> 18));
        o[(*k)++] = (char)(0x80 | ((c >> 12) & 0x3f));
        o[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        o[(*k)++] = (char)(0x80 | (c & 0x3f));
    }
}

static int hex4(const char *p, const char *e, unsigned long *c)
{
    *c = 0;
    if (e - p < 4) return 0;
    for (int i = 0; i < 4; i++) {
        int d = isdigit((unsigned char)p[i]) ? p[i] - '0' : (p[i] | 32) >= 'a' && (p[i] | 32) <= 'f' ? (p[i] | 32) - 'a' + 10 : -1;
        if (d < 0) return 0;
        *c = *c * 16 + d;
    }
    return 1;
}

/* A string at j->p (on the opening quote); NULL on error. */
static char *jstring(jp *j)
{
    j->p++;
    const char *q = j->p;
    while (q < j->e && *q != '"') {
        if (*q == '\\') q++;
        else if (*q == '\n') break;
        q++;
    }
    if (q >= j->e || *q != '"') {
        if (q < j->e) j->p = q;
        else j->p = j->e;
        jerr(j, "a string that ends on its line");
        return NULL;
    }
    char *o = malloc((size_t)(q - j->p) + 1);
    if (!o) { snprintf(j->err, sizeof j->err, "%s: out of memory", j->file); return NULL; }
    size_t k = 0;
    while (j->p < q) {
        char c = *j->p++;
        if (c != '\\') { o[k++] = c; continue; }
        c = *j->p++;
        switch (c) {
        case '"': case '\\': case '/': o[k++] = c; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            unsigned long c1, c2;
            if (!hex4(j->p, q, &c1)) { free(o); j->p -= 2; jerr(j, "\\u and four hex digits"); return NULL; }
            j->p += 4;
            if (c1 >= 0xd800 && c1 < 0xdc00 && q - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
                hex4(j->p + 2, q, &c2) && c2 >= 0xdc00 && c2 < 0xe000) {
                c1 = 0x10000 + ((c1 - 0xd800) << 10) + (c2 - 0xdc00);
                j->p += 6;
            }
            if (c1 >= 0xd800 && c1 < 0xe000) c1 = 0xfffd;
            if (c1 == 0) c1 = 0xfffd;
            put_utf8(o, &k, c1); /* at most 4 bytes for the 6 or 12 read */
            break;
        }
        default: free(o); j->p -= 2; jerr(j, "a valid escape in a string"); return NULL;
        }
    }
    o[k] = 0;
    j->p = q + 1;
    return o;
}

static jv *jnew(jp *j, int t)
{
    jv *v = calloc(1, sizeof *v);
    if (!v) snprintf(j->err, sizeof j->err, "%s: out of memory", j->file);
    else v->t = t;
    return v;
}

static int jpush(jp *j, jv *c, char *key, jv *item)
{
    if ((c->n & (c->n - 1)) == 0 || c->n < 4) { /* grow at powers of two */
        int nc = c->n < 4 ? 4 : 2 * c->n;
        jv **nv = realloc(c->v, nc * sizeof *nv);
        if (nv) c->v = nv;
        char **nk = c->t == J_OBJ ? realloc(c->keys, nc * sizeof *nk) : NULL;
        if (nk) c->keys = nk;
        if (!nv || (c->t == J_OBJ && !nk)) {
            snprintf(j->err, sizeof j->err, "%s: out of memory", j->file);
            free(key);
            jfree(item);
            return -1;
        }
    }
    if (c->t == J_OBJ) c->keys[c->n] = key;
    c->v[c->n++] = item;
    return 0;
}

static jv *jvalue(jp *j, int depth)
{
    jws(j);
    if (j->p >= j->e) return jerr(j, "expected a value");
    if (depth > 64) return jerr(j, "nesting deeper than 64 levels");
    char c = *j->p;
    if (c == '{' || c == '[') {
        int obj = c == '{';
        jv *v = jnew(j, obj ? J_OBJ : J_ARR);
        if (!v) return NULL;
        j->p++;
        jws(j);
        if (j->p < j->e && *j->p == (obj ? '}' : ']')) { j->p++; return v; }
        for (;;) {
            char *key = NULL;
            if (obj) {
                jws(j);
                if (j->p >= j->e || *j->p != '"') { jfree(v); return jerr(j, "expected a \"key\" in an object"); }
                if (!(key = jstring(j))) { jfree(v); return NULL; }
                jws(j);
                if (j->p >= j->e || *j->p != ':') { free(key); jfree(v); return jerr(j, "expected ':' after a key"); }
                j->p++;
            }
            jv *item = jvalue(j, depth + 1);
            if (!item) { free(key); jfree(v); return NULL; }
            if (jpush(j, v, key, item) < 0) { jfree(v); return NULL; }
            long line = j->line; /* a missing comma is reported on the line it is missing from */
            jws(j);
            if (j->p < j->e && *j->p == ',') { j->p++; continue; }
            if (j->p < j->e && *j->p == (obj ? '}' : ']')) { j->p++; return v; }
            jfree(v);
            if (j->p < j->e) j->line = line;
            return jerr(j, obj ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
        }
    }
    if (c == '"') {
        jv *v = jnew(j, J_STR);
        if (v && !(v->s = jstring(j))) { free(v); return NULL; }
        return v;
    }
    if (c == '-' || isdigit((unsigned char)c)) {
        char *end;
        double d = strtod(j->p, &end);
        if (end == j->p || (end < j->e && (isalpha((unsigned char)*end) || *end == '_'))) return jerr(j, "a number");
        jv *v = jnew(j, J_NUM);
        if (v) v->num = d;
        j->p = end;
        return v;
    }
    static const char *lit[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t l = strlen(lit[i]);
        if ((size_t)(j->e - j->p) >= l && !strncmp(j->p, lit[i], l)) {
            jv *v = jnew(j, i < 2 ? J_BOOL : J_NULL);
            if (v) v->num = i == 0;
            j->p += l;
            return v;
        }
    }
    return jerr(j, "expected a value");
}

static int worker_of(trace *tr, long tid)
{
    for (size_t i = 0; i < tr->nw; i++)
        if (tr->w[i].tid == tid) return (int)i;
    worker *p = grow(tr->w, &tr->capw, tr->nw, sizeof *p);
    if (!p) return -1;
    tr->w = p;
    worker *w = &tr->w[tr->nw];
    memset(w, 0, sizeof *w);
    w->tid = tid;
    w->kind = 2;
    w->num = tid;
    return (int)tr->nw++;
}

static void name_worker(worker *w, const char *name)
{
    free(w->name);
    w->name = strdup(name);
    long n;
    int used = 0;
    if (sscanf(name, "CPU %ld%n", &n, &used) == 1 && !name[used]) w->kind = 0, w->num = n;
    else if (sscanf(name, "CUDA %ld%n", &n, &used) == 1 && !name[used]) w->kind = 1, w->num = n;
    else w->kind = 2, w->num = w->tid;
}

/* One event; 0, or -1 with j->err set. */
static int trace_event(trace *tr, jp *j, const jv *ev, long line)
{
    if (ev->t != J_OBJ) {
        snprintf(j->err, sizeof j->err, "%s:%ld: expected an event object in traceEvents", tr->path, line);
        return -1;
    }
    const char *ph = jstr(jget(ev, "ph")), *name = jstr(jget(ev, "name")), *cat = jstr(jget(ev, "cat"));
    double tid, ts, dur;
    if (!ph) return 0;
    if (!strcmp(ph, "M")) {
        if (!name || strcmp(name, "thread_name")) return 0;
        const char *wn = jstr(jget(jget(ev, "args"), "name"));
        if (!jnum(jget(ev, "tid"), &tid) || !wn) {
            snprintf(j->err, sizeof j->err, "%s:%ld: a thread_name event needs a numeric \"tid\" and args.name",
                     tr->path, line);
            return -1;
        }
        int w = worker_of(tr, (long)tid);
        if (w < 0) goto oom;
        name_worker(&tr->w[w], wn);
        return 0;
    }
    if (!strcmp(ph, "C")) {
        tr->ncounters++;
        return 0;
    }
    if (strcmp(ph, "X")) return 0;
    int is_xfer = cat && !strcmp(cat, "transfer");
    if (cat && !is_xfer && strcmp(cat, "task")) return 0;
    if (!jnum(jget(ev, "tid"), &tid) || !jnum(jget(ev, "ts"), &ts) || !jnum(jget(ev, "dur"), &dur)) {
        snprintf(j->err, sizeof j->err, "%s:%ld: a complete (\"ph\":\"X\") event needs numeric \"tid\", \"ts\" and \"dur\"",
                 tr->path, line);
        return -1;
    }
    if (dur < 0) dur = 0;
    int w = worker_of(tr, (long)tid);
    if (w < 0) goto oom;
    if (!tr->nt && !tr->nx) tr->t0 = ts, tr->t1 = ts + dur;
    if (ts < tr->t0) tr->t0 = ts;
    if (ts + dur > tr->t1) tr->t1 = ts + dur;
    if (is_xfer) {
        xfer_ev *p = grow(tr->x, &tr->capx, tr->nx, sizeof *p);
        if (!p) goto oom;
        tr->x = p;
        tr->x[tr->nx++] = (xfer_ev){w, ts, dur};
        return 0;
    }
    task_ev *p = grow(tr->t, &tr->capt, tr->nt, sizeof *p);
    if (!p) goto oom;
    tr->t = p;
    const jv *args = jget(ev, "args");
    double d;
    task_ev t = {st_add(&tr->cl, name ? name : "(unnamed)"), w, -1, ts, dur, -1, -1};
    if (t.cl < 0) goto oom;
    if (jnum(jget(args, "step"), &d)) t.step = (long)d;
    if (jnum(jget(args, "tile"), &d)) t.tile = (long)d;
    const char *arch = jstr(jget(args, "arch"));
    if (arch && (t.arch = st_add(&archs, arch)) < 0) goto oom;
    tr->t[tr->nt++] = t;
    return 0;
oom:
    snprintf(j->err, sizeof j->err, "%s: out of memory", tr->path);
    return -1;
}

static void trace_free(trace *tr)
{
    for (size_t i = 0; i < tr->nw; i++) free(tr->w[i].name);
    free(tr->w);
    free(tr->t);
    free(tr->x);
    st_free(&tr->cl);
}

static int cmp_worker(const void *a, const void *b)
{
    const worker *x = a, *y = b;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int cmp_task(const void *a, const void *b)
{
    const task_ev *x = a, *y = b;
    if (x->w != y->w) return x->w - y->w;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmp_xfer(const void *a, const void *b)
{
    const xfer_ev *x = a, *y = b;
    if (x->w != y->w) return x->w - y->w;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Read and parse the trace; 0, or SD_EXIT_BADGRAPH with a message printed. */
static int trace_read(trace *tr, const char *path)
{
    memset(tr, 0, sizeof *tr);
    tr->path = path;
    tr->t0 = 0;
    tr->t1 = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        msg("%s: cannot open the trace: %s (expected a Chrome trace-event JSON file written by "
            "stardag run --trace)", path, strerror(errno));
        return SD_EXIT_BADGRAPH;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            size_t nc = cap ? 2 * cap : 1 << 20;
            char *p = realloc(buf, nc);
            if (!p) { fclose(f); free(buf); msg("%s: out of memory", path); return SD_EXIT_BADGRAPH; }
            buf = p;
            cap = nc;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        msg("%s: cannot read the trace: %s", path, strerror(errno));
        free(buf);
        return SD_EXIT_BADGRAPH;
    }
    buf[n] = 0;
    jp j = {buf, buf + n, path, 1, 0, {0}};
    int rc = SD_EXIT_BADGRAPH, seen = 0, truncated = 0;
    jws(&j);
    int bare = j.p < j.e && *j.p == '[';
    if (!bare && (j.p >= j.e || *j.p != '{')) {
        jerr(&j, "expected '{' opening a trace-event JSON object ({\"traceEvents\":[...]})");
        goto out;
    }
    j.p++;
    for (;;) { /* the keys of the top-level object (once, for a bare array of events) */
        int events = bare;
        if (!bare) {
            jws(&j);
            if (j.p < j.e && *j.p == '}' ) { j.p++; break; }
            if (j.p >= j.e || *j.p != '"') { jerr(&j, "expected a \"key\" in the top-level object"); goto out; }
            char *key = jstring(&j);
            if (!key) goto out;
            events = !strcmp(key, "traceEvents");
            free(key);
            jws(&j);
            if (j.p >= j.e || *j.p != ':') { jerr(&j, "expected ':' after a key"); goto out; }
            j.p++;
            if (events) {
                jws(&j);
                if (j.p >= j.e || *j.p != '[') { jerr(&j, "expected '[' opening the traceEvents array"); goto out; }
                j.p++;
            } else {
                jv *v = jvalue(&j, 1);
                if (!v) goto out;
                jfree(v);
            }
        }
        if (events) {
            seen = 1;
            jws(&j);
            if (j.p < j.e && *j.p == ']') j.p++;
            else
                for (;;) {
                    jws(&j);
                    long line = j.line;
                    jv *ev = jvalue(&j, 1);
                    if (!ev) {
                        if (j.eof) { truncated = 1; break; }
                        goto out;
                    }
                    int bad = trace_event(tr, &j, ev, line);
                    jfree(ev);
                    if (bad) goto out;
                    long endline = j.line;
                    jws(&j);
                    if (j.p < j.e && *j.p == ',') {
                        j.p++;
                        jws(&j);
                        if (j.p < j.e && *j.p == ']') { j.p++; break; } /* a trailing comma */
                        if (j.p >= j.e) { truncated = 1; break; }
                        continue;
                    }
                    if (j.p < j.e && *j.p == ']') { j.p++; break; }
                    if (j.p >= j.e) { truncated = 1; break; }
                    j.line = endline;
                    jerr(&j, "expected ',' or ']' after an event");
                    goto out;
                }
            if (truncated || bare) break;
        }
        jws(&j);
        if (j.p < j.e && *j.p == ',') { j.p++; continue; }
        if (j.p < j.e && *j.p == '}') { j.p++; break; }
        if (j.p >= j.e && seen) { truncated = 1; break; }
        jerr(&j, "expected ',' or '}' in the top-level object");
        goto out;
    }
    if (!truncated) {
        jws(&j);
        if (j.p < j.e) { jerr(&j, "expected the end of the file"); goto out; }
    }
    if (!seen) {
        snprintf(j.err, sizeof j.err, "%s: no \"traceEvents\" array (expected a trace written by stardag run --trace)", path);
        goto out;
    }
    if (truncated)
        msg("warning: %s ends early (a run that did not finish?); using the %zu tasks read", path, tr->nt);
    /* architectures from worker names where the event did not say; workers in display order */
    int cpu = st_add(&archs, "cpu"), cuda = st_add(&archs, "cuda");
    if (cpu < 0 || cuda < 0) { snprintf(j.err, sizeof j.err, "%s: out of memory", path); goto out; }
    for (size_t i = 0; i < tr->nw; i++)
        if (!tr->w[i].name) {
            char nm[48];
            snprintf(nm, sizeof nm, "worker %ld", tr->w[i].tid);
            name_worker(&tr->w[i], nm);
            tr->w[i].kind = 2;
        }
    for (size_t i = 0; i < tr->nt; i++)
        if (tr->t[i].arch < 0) tr->t[i].arch = tr->w[tr->t[i].w].kind == 1 ? cuda : cpu;
    int *order = malloc((tr->nw ? tr->nw : 1) * sizeof *order);
    long *tids = malloc((tr->nw ? tr->nw : 1) * sizeof *tids);
    if (!order || !tids) { free(order); free(tids); snprintf(j.err, sizeof j.err, "%s: out of memory", path); goto out; }
    for (size_t i = 0; i < tr->nw; i++) tids[i] = tr->w[i].tid;
    if (tr->nw) qsort(tr->w, tr->nw, sizeof *tr->w, cmp_worker);
    for (size_t i = 0; i < tr->nw; i++)
        for (size_t k = 0; k < tr->nw; k++)
            if (tr->w[k].tid == tids[i]) order[i] = (int)k;
    for (size_t i = 0; i < tr->nt; i++) tr->t[i].w = order[tr->t[i].w];
    for (size_t i = 0; i < tr->nx; i++) tr->x[i].w = order[tr->x[i].w];
    free(order);
    free(tids);
    if (tr->nt) qsort(tr->t, tr->nt, sizeof *tr->t, cmp_task);
    if (tr->nx) qsort(tr->x, tr->nx, sizeof *tr->x, cmp_xfer);
    rc = 0;
out:
    if (rc) msg("%s", j.err[0] ? j.err : "cannot parse the trace");
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------- the run file */

typedef struct {
    int64_t n;       /* rows */
    double *x;       /* time (or step) of each row */
    int x_is_time;
    int64_t step0, step1;
    int nnames;
    char **names;
    double **v;
} scalars;

typedef struct {
    int present;
    int n;                 /* (codelet, arch) rows */
    int *cl, *arch;        /* into the codelet table and archs */
    int64_t *tasks;
    double *secs;
    int nw;
    char **wname;
    double *wbusy;
    double wall;           /* NaN if absent */
} runinfo;

/* Strings of a 1-D (or scalar) dataset or attribute, fixed or variable length. */
static int read_strings(hid_t obj, int is_attr, char ***out, int64_t *n, char *why, size_t wl)
{
    *out = NULL;
    *n = 0;
    hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    hid_t mt = -1;
    int rc = -1;
    if (ft < 0 || sp < 0) { sd_h5why(why, wl); goto out; }
    if (H5Tget_class(ft) != H5T_STRING) { snprintf(why, wl, "not a string dataset"); goto out; }
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    if (np < 0 || H5Sget_simple_extent_ndims(sp) > 1) { snprintf(why, wl, "not a 1-D dataset"); goto out; }
    char **s = calloc(np ? (size_t)np : 1, sizeof *s);
    if (!s) { snprintf(why, wl, "out of memory"); goto out; }
    mt = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mt, H5Tget_cset(ft));
    int varlen = H5Tis_variable_str(ft) > 0;
    if (varlen) {
        H5Tset_size(mt, H5T_VARIABLE);
        char **raw = calloc(np ? (size_t)np : 1, sizeof *raw);
        herr_t r = !raw ? -1 : is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
        if (r < 0) {
            if (raw) sd_h5why(why, wl);
            else snprintf(why, wl, "out of memory");
            free(raw);
            free(s);
            goto out;
        }
        for (hssize_t i = 0; i < np; i++) s[i] = strdup(raw[i] ? raw[i] : "");
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(mt, sp, H5P_DEFAULT, raw);
#else
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
#endif
        free(raw);
    } else {
        size_t sz = H5Tget_size(ft) + 1;
        H5Tset_size(mt, sz);
        H5Tset_strpad(mt, H5T_STR_NULLTERM);
        char *raw = calloc(np ? (size_t)np : 1, sz);
        herr_t r = !raw ? -1 : is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
        if (r < 0) {
            if (raw) sd_h5why(why, wl);
            else snprintf(why, wl, "out of memory");
            free(raw);
            free(s);
            goto out;
        }
        for (hssize_t i = 0; i < np; i++) {
            char *p = raw + i * sz;
            p[sz - 1] = 0;
            size_t l = strlen(p);
            while (l && p[l - 1] == ' ') p[--l] = 0; /* space-padded strings */
            s[i] = strdup(p);
        }
        free(raw);
    }
    for (hssize_t i = 0; i < np; i++)
        if (!s[i]) {
            for (hssize_t k = 0; k < np; k++) free(s[k]);
            free(s);
            snprintf(why, wl, "out of memory");
            goto out;
        }
    *out = s;
    *n = np;
    rc = 0;
out:
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* A whole 1-D (or scalar) numeric dataset; its length, or -1 with why. */
static int64_t read_nums(hid_t loc, const char *name, hid_t mt, size_t es, void **out, char *why, size_t wl)
{
    *out = NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) { snprintf(why, wl, "missing"); H5Eclear2(H5E_DEFAULT); return -1; }
    hid_t sp = H5Dget_space(ds), ft = H5Dget_type(ds);
    int64_t rc = -1;
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (ft < 0 || (H5Tget_class(ft) != H5T_INTEGER && H5Tget_class(ft) != H5T_FLOAT)) snprintf(why, wl, "not numeric");
    else if (np < 0 || H5Sget_simple_extent_ndims(sp) > 1) snprintf(why, wl, "not a 1-D dataset");
    else if (!(*out = malloc(np ? (size_t)np * es : es))) snprintf(why, wl, "out of memory");
    else if (np && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        sd_h5why(why, wl);
        free(*out);
        *out = NULL;
    } else rc = np;
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

static int read_string_ds(hid_t g, const char *name, char ***out, int64_t *n, char *why, size_t wl)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0) { snprintf(why, wl, "missing"); H5Eclear2(H5E_DEFAULT); return -1; }
    int rc = read_strings(ds, 0, out, n, why, wl);
    H5Dclose(ds);
    return rc;
}

static void free_strings(char **s, int64_t n)
{
    for (int64_t i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

static int has_link(hid_t loc, const char *name)
{
    return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

typedef struct {
    strtab names;
    int oom;
} link_list;

static herr_t scalar_link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    link_list *l = data;
    H5O_info_t oi;
    if (!strcmp(name, "step") || !strcmp(name, "time")) return 0;
#if H5_VERSION_GE(1, 12, 0)
    if (H5Oget_info_by_name3(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return 0;
#else
    if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return 0;
#endif
    if (oi.type == H5O_TYPE_DATASET && st_add(&l->names, name) < 0) l->oom = 1;
    return 0;
}

static void scalars_free(scalars *sc)
{
    for (int i = 0; i < sc->nnames; i++) {
        free(sc->names[i]);
        free(sc->v[i]);
    }
    free(sc->names);
    free(sc->v);
    free(sc->x);
    memset(sc, 0, sizeof *sc);
}

/* /scalars; 0 (sc->nnames may be 0 when absent or empty), or -1 with a message. */
static int read_scalars(hid_t f, const char *path, scalars *sc, char *err, size_t errlen)
{
    memset(sc, 0, sizeof *sc);
    if (!has_link(f, "scalars")) return 0;
    hid_t g = H5Gopen2(f, "scalars", H5P_DEFAULT);
    char why[256];
    if (g < 0) { sd_io_seterr(err, errlen, "%s: cannot open /scalars: %s", path, sd_h5why(why, sizeof why)); return -1; }
    int rc = -1;
    int64_t *step = NULL;
    double *time = NULL;
    strtab names = {0};
    int64_t ns = -1, nt = -1;
    if (has_link(g, "step") && (ns = read_nums(g, "step", H5T_NATIVE_INT64, 8, (void **)&step, why, sizeof why)) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read /scalars/step: %s", path, why);
        goto out;
    }
    if (has_link(g, "time") && (nt = read_nums(g, "time", H5T_NATIVE_DOUBLE, 8, (void **)&time, why, sizeof why)) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read /scalars/time: %s", path, why);
        goto out;
    }
    /* the declaration order from the "names" attribute, else the datasets by name */
    if (H5Aexists(g, "names") > 0) {
        hid_t a = H5Aopen(g, "names", H5P_DEFAULT);
        char **s = NULL;
        int64_t n = 0;
        if (a >= 0 && read_strings(a, 1, &s, &n, why, sizeof why) == 0 && n == 1) {
            char *save = NULL;
            for (char *t = strtok_r(s[0], ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ') t++;
                if (*t && has_link(g, t) && st_add(&names, t) < 0) goto oom;
            }
        }
        free_strings(s, n);
        if (a >= 0) H5Aclose(a);
        H5Eclear2(H5E_DEFAULT);
    }
    if (!names.n) {
        link_list l = {{0}, 0};
        hsize_t idx = 0;
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, scalar_link_cb, &l);
        H5Eclear2(H5E_DEFAULT);
        names = l.names;
        if (l.oom) goto oom;
    }
    int64_t n = ns >= 0 ? ns : nt;
    if (ns >= 0 && nt >= 0 && nt < n) n = nt;
    sc->names = calloc(names.n ? names.n : 1, sizeof *sc->names);
    sc->v = calloc(names.n ? names.n : 1, sizeof *sc->v);
    if (!sc->names || !sc->v) goto oom;
    for (int i = 0; i < names.n; i++) {
        double *v;
        int64_t nv = read_nums(g, names.s[i], H5T_NATIVE_DOUBLE, 8, (void **)&v, why, sizeof why);
        if (nv < 0) {
            sd_io_seterr(err, errlen, "%s: cannot read /scalars/%s: %s", path, names.s[i], why);
            goto out;
        }
        if (n < 0 || nv < n) n = nv;
        sc->names[sc->nnames] = names.s[i];
        names.s[i] = NULL;
        sc->v[sc->nnames++] = v;
    }
    if (n < 0) n = 0;
    sc->n = n;
    if (!(sc->x = malloc((n ? n : 1) * sizeof *sc->x))) goto oom;
    /* x: time when it is there and increases somewhere, else the step, else the row */
    int use_time = 0;
    if (time && n >= 2)
        for (int64_t i = 1; i < n; i++)
            if (isfinite(time[i]) && isfinite(time[0]) && time[i] != time[0]) use_time = 1;
    for (int64_t i = 0; i < n; i++) sc->x[i] = use_time ? time[i] : step ? (double)step[i] : (double)i;
    sc->x_is_time = use_time;
    sc->step0 = step && n ? step[0] : 0;
    sc->step1 = step && n ? step[n - 1] : n ? n - 1 : 0;
    rc = 0;
    goto out;
oom:
    sd_io_seterr(err, errlen, "%s: out of memory", path);
out:
    for (int i = 0; i < names.n; i++) free(names.s[i]);
    free(names.s);
    free(step);
    free(time);
    H5Gclose(g);
    if (rc) scalars_free(sc);
    return rc;
}

static void runinfo_free(runinfo *ri)
{
    free(ri->cl);
    free(ri->arch);
    free(ri->tasks);
    free(ri->secs);
    free_strings(ri->wname, ri->nw);
    free(ri->wbusy);
    memset(ri, 0, sizeof *ri);
}

/* /run; 0 (ri->present 0 when absent), or -1 with a message. Codelet names go into cls. */
static int read_runinfo(hid_t f, const char *path, runinfo *ri, strtab *cls, char *err, size_t errlen)
{
    memset(ri, 0, sizeof *ri);
    ri->wall = NAN;
    if (!has_link(f, "run")) return 0;
    hid_t g = H5Gopen2(f, "run", H5P_DEFAULT);
    char why[256];
    if (g < 0) { sd_io_seterr(err, errlen, "%s: cannot open /run: %s", path, sd_h5why(why, sizeof why)); return -1; }
    int rc = -1;
    char **name = NULL, **arch = NULL;
    int64_t nn = 0, na = 0, nt, nsec, nwn = 0, nwb = -1;
    const char *what = "codelet_name";
    if (read_string_ds(g, "codelet_name", &name, &nn, why, sizeof why) < 0) goto bad;
    what = "codelet_arch";
    if (read_string_ds(g, "codelet_arch", &arch, &na, why, sizeof why) < 0) goto bad;
    what = "codelet_tasks";
    if ((nt = read_nums(g, "codelet_tasks", H5T_NATIVE_INT64, 8, (void **)&ri->tasks, why, sizeof why)) < 0) goto bad;
    what = "codelet_seconds";
    if ((nsec = read_nums(g, "codelet_seconds", H5T_NATIVE_DOUBLE, 8, (void **)&ri->secs, why, sizeof why)) < 0) goto bad;
    if (na != nn || nt != nn || nsec != nn) {
        sd_io_seterr(err, errlen,
                     "%s: /run/codelet_name, codelet_arch, codelet_tasks and codelet_seconds differ in length "
                     "(%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ")", path, nn, na, nt, nsec);
        goto out;
    }
    ri->n = (int)nn;
    ri->cl = calloc(nn ? nn : 1, sizeof *ri->cl);
    ri->arch = calloc(nn ? nn : 1, sizeof *ri->arch);
    if (!ri->cl || !ri->arch) goto oom;
    for (int64_t i = 0; i < nn; i++) {
        for (char *p = arch[i]; *p; p++) *p = (char)tolower((unsigned char)*p);
        if ((ri->cl[i] = st_add(cls, name[i])) < 0 || (ri->arch[i] = st_add(&archs, arch[i])) < 0) goto oom;
    }
    if (has_link(g, "worker_name")) {
        what = "worker_name";
        if (read_string_ds(g, "worker_name", &ri->wname, &nwn, why, sizeof why) < 0) goto bad;
        ri->nw = (int)nwn;
        if (has_link(g, "worker_busy_seconds")) {
            what = "worker_busy_seconds";
            nwb = read_nums(g, "worker_busy_seconds", H5T_NATIVE_DOUBLE, 8, (void **)&ri->wbusy, why, sizeof why);
            if (nwb < 0) goto bad;
            if (nwb != nwn) {
                sd_io_seterr(err, errlen, "%s: /run/worker_name and worker_busy_seconds differ in length (%" PRId64
                             ", %" PRId64 ")", path, nwn, nwb);
                goto out;
            }
        }
    }
    if (has_link(g, "wall_seconds")) {
        double *w = NULL;
        what = "wall_seconds";
        int64_t k = read_nums(g, "wall_seconds", H5T_NATIVE_DOUBLE, 8, (void **)&w, why, sizeof why);
        if (k < 0) goto bad;
        if (k >= 1) ri->wall = w[0];
        free(w);
    }
    ri->present = 1;
    rc = 0;
    goto out;
oom:
    sd_io_seterr(err, errlen, "%s: out of memory", path);
    goto out;
bad:
    sd_io_seterr(err, errlen, "%s: cannot read /run/%s: %s", path, what, why);
out:
    free_strings(name, nn);
    free_strings(arch, na);
    H5Gclose(g);
    if (rc) runinfo_free(ri);
    return rc;
}

/* ---------------------------------------------------------------- charts */

typedef struct {
    const char *run;       /* the run file */
    const char *runbase;   /* its basename, for titles */
    const char *tracepath;
    char *outdir, *stem;
    int failed;            /* a chart could not be written */
} ctx;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static sd_svg *chart_open(ctx *c, const char *chart, double h, char *path, size_t plen)
{
    char err[1024];
    snprintf(path, plen, "%s/%s-%s.svg", c->outdir, c->stem, chart);
    sd_svg *s = sd_svg_open(path, W_CHART, h, err, sizeof err);
    if (!s) {
        msg("%s", err);
        c->failed = 1;
    }
    return s;
}

static void chart_close(ctx *c, sd_svg *s, const char *path)
{
    char err[1024];
    if (sd_svg_close(s, err, sizeof err) < 0) {
        msg("%s", err);
        c->failed = 1;
    } else printf("%s\n", path);
}

static void chart_title(sd_svg *s, const char *title, const char *sub)
{
    char cut[1024];
    sd_svg_fit(cut, sizeof cut, title, 17, W_CHART - 40);
    sd_svg_text(s, 20, 28, 17, SD_SVG_START, 0, "#111", 1, "%s", cut);
    if (sub && *sub) {
        sd_svg_fit(cut, sizeof cut, sub, 12.5, W_CHART - 40);
        sd_svg_text(s, 20, 48, 12.5, SD_SVG_START, 0, "#555", 0, "%s", cut);
    }
}

/* Colour of a codelet: codelets in order of their total time take the palette in turn, so the
 * codelets that matter get its first, most distinct colours (and the legend lists them first). */
static const char *codelet_color(const strtab *ranked, const char *name)
{
    int i = st_find(ranked, name);
    return sd_svg_color(i < 0 ? 0 : i);
}

typedef struct {
    int cl;
    double total;
} clsum;

static int cmp_clsum(const void *a, const void *b)
{
    const clsum *x = a, *y = b;
    return x->total > y->total ? -1 : x->total < y->total;
}

/* The trace's codelets by total time, longest first. */
static int rank_codelets(const trace *tr, strtab *ranked)
{
    clsum *o = calloc(tr->cl.n ? tr->cl.n : 1, sizeof *o);
    if (!o) return -1;
    for (int i = 0; i < tr->cl.n; i++) o[i].cl = i;
    for (size_t i = 0; i < tr->nt; i++) o[tr->t[i].cl].total += tr->t[i].dur;
    qsort(o, tr->cl.n, sizeof *o, cmp_clsum);
    for (int i = 0; i < tr->cl.n; i++)
        if (st_add(ranked, tr->cl.s[o[i].cl]) < 0) { free(o); return -1; }
    free(o);
    return 0;
}

static void fmt_ms(char *b, size_t l, double us)
{
    if (us >= 1e4) snprintf(b, l, "%.1f ms", us / 1e3);
    else if (us >= 1e3) snprintf(b, l, "%.2f ms", us / 1e3);
    else snprintf(b, l, "%.1f us", us);
}

static void fmt_s(char *b, size_t l, double s)
{
    if (s >= 100) snprintf(b, l, "%.0f s", s);
    else if (s >= 0.1) snprintf(b, l, "%.3f s", s);
    else if (s >= 1e-4) snprintf(b, l, "%.2f ms", s * 1e3);
    else snprintf(b, l, "%.1f us", s * 1e6);
}

static double label_column(const char *const *names, int n, double size, double lo, double hi)
{
    double w = 0;
    for (int i = 0; i < n; i++) {
        double t = sd_svg_text_width(names[i], size);
        if (t > w) w = t;
    }
    w += 22;
    return w < lo ? lo : w > hi ? hi : w;
}

#define GANTT_MAX_TASKS 20000 /* drawn task by task up to this many (~4 MB of SVG) */

/* The dense gantt: per worker row, tasks of 2 px or more as rectangles; the time of the others
 * summed per pixel column and codelet, each column drawn in the colour of the codelet with the
 * most time, its opacity the busy share of the column (quarters), equal neighbours merged. */
static void gantt_dense(sd_svg *s, const sd_svg_plot *p, const trace *tr, const strtab *colors, double pitch,
                        double barh)
{
    int ncol = (int)ceil(p->w), ncl = tr->cl.n;
    double *acc = calloc((size_t)ncol * (ncl ? ncl : 1), sizeof *acc);
    double uspx = (tr->t1 - tr->t0) / p->w;
    if (!acc || !(uspx > 0)) { free(acc); return; }
    char tip[512], a[32];
    for (size_t i = 0; i < tr->nt;) {
        size_t k = i;
        while (k < tr->nt && tr->t[k].w == tr->t[i].w) k++;
        memset(acc, 0, (size_t)ncol * (ncl ? ncl : 1) * sizeof *acc);
        for (size_t j = i; j < k; j++) {
            const task_ev *t = &tr->t[j];
            double x0 = sd_svg_px(p, t->ts / 1e3) - p->x, x1 = sd_svg_px(p, (t->ts + t->dur) / 1e3) - p->x;
            if (x1 - x0 >= 2) continue;
            for (int col = x0 < 0 ? 0 : (int)x0; col < ncol && col <= (int)x1; col++) {
                double o = fmin(x1, col + 1.0) - fmax(x0, (double)col);
                if (o > 0) acc[(size_t)col * ncl + t->cl] += o * uspx;
            }
        }
        double y = p->y + tr->t[i].w * pitch + 1;
        for (int col = 0; col < ncol;) {
            int dom = 0;
            double tot = 0;
            for (int c = 0; c < ncl; c++) {
                tot += acc[(size_t)col * ncl + c];
                if (acc[(size_t)col * ncl + c] > acc[(size_t)col * ncl + dom]) dom = c;
            }
            if (tot <= 0) { col++; continue; }
            int lvl = (int)ceil(4 * fmin(1, tot / uspx)), end = col + 1;
            double sum = tot;
            for (; end < ncol; end++) {
                int d2 = 0;
                double t2 = 0;
                for (int c = 0; c < ncl; c++) {
                    t2 += acc[(size_t)end * ncl + c];
                    if (acc[(size_t)end * ncl + c] > acc[(size_t)end * ncl + d2]) d2 = c;
                }
                if (t2 <= 0 || d2 != dom || (int)ceil(4 * fmin(1, t2 / uspx)) != lvl) break;
                sum += t2;
            }
            fmt_ms(a, sizeof a, sum);
            snprintf(tip, sizeof tip, "short tasks, mostly %s: %s of task time, busy %d%%", tr->cl.s[dom], a,
                     (int)lround(100 * fmin(1, sum / (uspx * (end - col)))));
            sd_svg_rect_opacity(s, p->x + col, y, end - col, barh, codelet_color(colors, tr->cl.s[dom]),
                                lvl / 4.0, tip);
            col = end;
        }
        for (size_t j = i; j < k; j++) {
            const task_ev *t = &tr->t[j];
            double x0 = sd_svg_px(p, t->ts / 1e3), x1 = sd_svg_px(p, (t->ts + t->dur) / 1e3);
            if (x1 - x0 < 2) continue;
            fmt_ms(a, sizeof a, t->dur);
            snprintf(tip, sizeof tip, "%s, step %ld, tile %ld (%s): %s", tr->cl.s[t->cl], t->step, t->tile,
                     archs.s[t->arch], a);
            sd_svg_rect(s, x0, y, x1 - x0, barh, codelet_color(colors, tr->cl.s[t->cl]), NULL, tip);
        }
        i = k;
    }
    free(acc);
}

static void chart_gantt(ctx *c, const trace *tr, const strtab *colors)
{
    int nw = (int)tr->nw, ncl = colors->n;
    char path[4200], sub[512], a[32], b[32];
    const char **wn = malloc((nw ? nw : 1) * sizeof *wn);
    const char **ln = calloc(ncl + 1, sizeof *ln), **lc = calloc(ncl + 1, sizeof *lc);
    char (*lbuf)[48] = malloc((ncl + 1) * sizeof *lbuf);
    if (!wn || !ln || !lc || !lbuf) { msg("out of memory"); c->failed = 1; goto out; }
    for (int i = 0; i < nw; i++) wn[i] = tr->w[i].name;
    for (int i = 0; i < ncl; i++) {
        sd_svg_ellipsize(lbuf[i], sizeof lbuf[i], colors->s[i], 40);
        ln[i] = lbuf[i];
        lc[i] = sd_svg_color(i);
    }
    int nl = ncl;
    if (tr->nx) { ln[nl] = "data fetch (under the row)"; lc[nl++] = "#222"; }
    double left = label_column(wn, nw, 12, 80, 220), right = 24, pw = W_CHART - left - right;
    double legend_y = 62, legend_h = sd_svg_legend(NULL, left, legend_y, pw, ln, lc, nl, 0);
    double pitch = nw <= 4 ? 40 : nw <= 16 ? 30 : nw <= 48 ? 18 : 12, barh = pitch * 0.6, xh = pitch <= 12 ? 2 : pitch * 0.13;
    sd_svg_plot p = {left, legend_y + legend_h + 12, pw, (nw ? nw : 1) * pitch, tr->t0 / 1e3, tr->t1 / 1e3, 0, 1};
    if (!(p.x1 > p.x0)) p.x1 = p.x0 + 1;
    double h = p.y + p.h + 52;
    sd_svg *s = chart_open(c, "gantt", h, path, sizeof path);
    if (!s) goto out;
    fmt_ms(a, sizeof a, tr->t1 - tr->t0);
    int dense = tr->nt > GANTT_MAX_TASKS;
    if (dense)
        snprintf(sub, sizeof sub, "%zu tasks on %d workers in %s; tasks under 2 px summed per pixel column "
                 "(colour: most time, shade: busy share)", tr->nt, nw, a);
    else
        snprintf(sub, sizeof sub, "%zu tasks on %d workers in %s; one rectangle per task, coloured by codelet; trace %s",
                 tr->nt, nw, a, base_name(tr->path));
    chart_title(s, "Tasks per worker over time", sub);
    sd_svg_legend(s, left, legend_y, pw, ln, lc, nl, 0);
    for (int i = 0; i < nw; i++) {
        double y = p.y + i * pitch;
        if (i % 2) sd_svg_rect(s, p.x, y, p.w, pitch, "#f4f4f4", NULL, NULL);
        sd_svg_text(s, p.x - 8, y + barh / 2 + 5.5, 12, SD_SVG_END, 0, "#222", 0, "%s", wn[i]);
    }
    sd_svg_axis_x(s, &p, "time since the run started (ms)");
    /* tasks, sorted by worker then start; neighbours of one codelet that touch at this scale
     * become one rectangle (the tooltip gives the count). A trace too big to draw task by task
     * keeps the tasks of 2 px or more and sums the others per pixel column. */
    size_t i = 0;
    char tip[512];
    if (dense) {
        gantt_dense(s, &p, tr, colors, pitch, barh);
        i = tr->nt;
    }
    while (i < tr->nt) {
        const task_ev *t = &tr->t[i];
        double x0 = sd_svg_px(&p, t->ts / 1e3), x1 = sd_svg_px(&p, (t->ts + t->dur) / 1e3);
        size_t k = i + 1;
        while (k < tr->nt && tr->t[k].w == t->w && tr->t[k].cl == t->cl && sd_svg_px(&p, tr->t[k].ts / 1e3) <= x1 + 0.5) {
            double e = sd_svg_px(&p, (tr->t[k].ts + tr->t[k].dur) / 1e3);
            if (e > x1) x1 = e;
            k++;
        }
        const char *name = tr->cl.s[t->cl];
        if (k == i + 1) {
            fmt_ms(a, sizeof a, t->dur);
            fmt_ms(b, sizeof b, t->ts);
            if (t->tile >= 0)
                snprintf(tip, sizeof tip, "%s, step %ld, tile %ld (%s): %s at %s", name, t->step, t->tile,
                         archs.s[t->arch], a, b);
            else snprintf(tip, sizeof tip, "%s, step %ld (%s): %s at %s", name, t->step, archs.s[t->arch], a, b);
        } else {
            fmt_ms(a, sizeof a, t->ts);
            snprintf(tip, sizeof tip, "%s: %zu tasks from %s", name, k - i, a);
        }
        double y = p.y + t->w * pitch;
        sd_svg_rect(s, x0, y + 1, x1 - x0 < 0.6 ? 0.6 : x1 - x0, barh, codelet_color(colors, name), NULL, tip);
        i = k;
    }
    /* data fetches (sorted by worker then start): those that touch at this scale merge */
    for (size_t x = 0; x < tr->nx;) {
        const xfer_ev *e = &tr->x[x];
        double x0 = sd_svg_px(&p, e->ts / 1e3), x1 = sd_svg_px(&p, (e->ts + e->dur) / 1e3), sum = e->dur;
        size_t k = x + 1;
        for (; k < tr->nx && tr->x[k].w == e->w && sd_svg_px(&p, tr->x[k].ts / 1e3) <= x1 + 0.5; k++) {
            double end = sd_svg_px(&p, (tr->x[k].ts + tr->x[k].dur) / 1e3);
            if (end > x1) x1 = end;
            sum += tr->x[k].dur;
        }
        fmt_ms(a, sizeof a, sum);
        if (k == x + 1) snprintf(tip, sizeof tip, "data fetch: %s", a);
        else snprintf(tip, sizeof tip, "%zu data fetches: %s in all", k - x, a);
        sd_svg_rect(s, x0, p.y + e->w * pitch + barh + 2.5, x1 - x0 < 0.6 ? 0.6 : x1 - x0, xh, "#222", NULL, tip);
        x = k;
    }
    sd_svg_frame(s, &p);
    chart_close(c, s, path);
out:
    free(wn);
    free(ln);
    free(lc);
    free(lbuf);
}

static void chart_busy(ctx *c, const trace *tr)
{
    enum { NB = 100 };
    int nw = (int)tr->nw;
    char path[4200], sub[512], a[32];
    double span = tr->t1 - tr->t0, bw = span > 0 ? span / NB : 1;
    double *busy = calloc((size_t)(nw ? nw : 1) * NB, sizeof *busy), *tot = calloc(nw ? nw : 1, sizeof *tot);
    double xs[NB], ys[NB];
    const char **ln = calloc(nw + 1, sizeof *ln), **lc = calloc(nw + 1, sizeof *lc);
    char (*lbuf)[96] = malloc((nw + 1) * sizeof *lbuf);
    if (!busy || !tot || !ln || !lc || !lbuf) { msg("out of memory"); c->failed = 1; goto out; }
    for (size_t i = 0; i < tr->nt; i++) {
        const task_ev *t = &tr->t[i];
        double s0 = t->ts - tr->t0, s1 = s0 + t->dur;
        tot[t->w] += t->dur;
        int b0 = (int)(s0 / bw), b1 = (int)(s1 / bw);
        if (b0 >= NB) b0 = NB - 1;
        if (b1 >= NB) b1 = NB - 1;
        for (int b = b0 < 0 ? 0 : b0; b <= b1; b++) {
            double lo = b * bw, hi = lo + bw, o = (s1 < hi ? s1 : hi) - (s0 > lo ? s0 : lo);
            if (o > 0) busy[(size_t)t->w * NB + b] += o;
        }
    }
    for (int w = 0; w < nw; w++) {
        snprintf(lbuf[w], sizeof lbuf[w], "%s (%.1f %%)", tr->w[w].name, span > 0 ? 100 * tot[w] / span : 0.0);
        ln[w] = lbuf[w];
        lc[w] = sd_svg_color(w);
    }
    int nl = nw;
    if (nw > 1) { ln[nl] = "mean of all workers"; lc[nl++] = "#111"; }
    double left = 80, right = 24, pw = W_CHART - left - right, legend_y = 62;
    double legend_h = sd_svg_legend(NULL, left, legend_y, pw, ln, lc, nl, 1);
    sd_svg_plot p = {left, legend_y + legend_h + 14, pw, 340, tr->t0 / 1e3, tr->t1 / 1e3, 0, 103}; /* 100 % visible */
    if (!(p.x1 > p.x0)) p.x1 = p.x0 + 1;
    sd_svg *s = chart_open(c, "busy", p.y + p.h + 52, path, sizeof path);
    if (!s) goto out;
    fmt_ms(a, sizeof a, bw);
    snprintf(sub, sizeof sub, "share of each %s bin (1/100 of the run) spent running tasks; legend: mean over the run; trace %s",
             a, base_name(tr->path));
    chart_title(s, "Busy fraction per worker (%)", sub);
    sd_svg_legend(s, left, legend_y, pw, ln, lc, nl, 1);
    sd_svg_axis_x(s, &p, "time since the run started (ms)");
    sd_svg_axis_y(s, &p, "busy (%)");
    for (int b = 0; b < NB; b++) xs[b] = sd_svg_px(&p, (tr->t0 + (b + 0.5) * bw) / 1e3);
    for (int w = 0; w < nw; w++) {
        for (int b = 0; b < NB; b++) {
            double v = 100 * busy[(size_t)w * NB + b] / bw;
            ys[b] = sd_svg_py(&p, v > 100 ? 100 : v);
        }
        sd_svg_polyline(s, xs, ys, NB, sd_svg_color(w), nw > 8 ? 1.2 : 1.8);
    }
    if (nw > 1) {
        for (int b = 0; b < NB; b++) {
            double m = 0;
            for (int w = 0; w < nw; w++) m += busy[(size_t)w * NB + b];
            m = 100 * m / bw / nw;
            ys[b] = sd_svg_py(&p, m > 100 ? 100 : m);
        }
        sd_svg_polyline(s, xs, ys, NB, "#111", 2.6);
    }
    sd_svg_frame(s, &p);
    chart_close(c, s, path);
out:
    free(busy);
    free(tot);
    free(ln);
    free(lc);
    free(lbuf);
}

static const char *arch_color(int a)
{
    const char *n = archs.s[a];
    if (!strcmp(n, "cpu")) return "#1f77b4";
    if (!strcmp(n, "cuda")) return "#2ca02c";
    return sd_svg_color(3 + a);
}

static void arch_label(char *b, size_t l, const char *a)
{
    if (!strcmp(a, "cpu")) snprintf(b, l, "CPU");
    else if (!strcmp(a, "cuda")) snprintf(b, l, "CUDA");
    else snprintf(b, l, "%s", a);
}

/* Rows (codelet, arch, tasks, seconds) from /run or, without it, summed from the trace. */
static void chart_codelets(ctx *c, const runinfo *ri, const trace *tr, const strtab *cls)
{
    int n = 0, ncl = cls->n, na = archs.n;
    int64_t *tasks = calloc((size_t)(ncl ? ncl : 1) * (na ? na : 1), sizeof *tasks);
    double *secs = calloc((size_t)(ncl ? ncl : 1) * (na ? na : 1), sizeof *secs);
    clsum *order = calloc(ncl ? ncl : 1, sizeof *order);
    const char **ln = calloc(na ? na : 1, sizeof *ln), **lc = calloc(na ? na : 1, sizeof *lc);
    char (*lbuf)[32] = malloc((na ? na : 1) * sizeof *lbuf);
    char path[4200], sub[600], sub2[600], a[32], lab[128];
    if (!tasks || !secs || !order || !ln || !lc || !lbuf) { msg("out of memory"); c->failed = 1; goto out; }
    if (ri->present) {
        for (int i = 0; i < ri->n; i++) {
            tasks[(size_t)ri->cl[i] * na + ri->arch[i]] += ri->tasks[i];
            secs[(size_t)ri->cl[i] * na + ri->arch[i]] += ri->secs[i];
        }
    } else {
        for (size_t i = 0; i < tr->nt; i++) {
            int k = st_find(cls, tr->cl.s[tr->t[i].cl]);
            tasks[(size_t)k * na + tr->t[i].arch]++;
            secs[(size_t)k * na + tr->t[i].arch] += tr->t[i].dur * 1e-6;
        }
    }
    double smax = 0;
    int *used = calloc(na ? na : 1, sizeof *used), nbars = 0;
    if (!used) { msg("out of memory"); c->failed = 1; goto out; }
    for (int k = 0; k < ncl; k++) {
        double t = 0;
        int any = 0;
        for (int x = 0; x < na; x++)
            if (tasks[(size_t)k * na + x] > 0 || secs[(size_t)k * na + x] > 0) {
                t += secs[(size_t)k * na + x];
                if (secs[(size_t)k * na + x] > smax) smax = secs[(size_t)k * na + x];
                used[x] = any = 1;
                nbars++;
            }
        if (any) order[n++] = (clsum){k, t};
    }
    qsort(order, n, sizeof *order, cmp_clsum);
    int nl = 0;
    for (int x = 0; x < na; x++)
        if (used[x]) {
            arch_label(lbuf[nl], sizeof lbuf[nl], archs.s[x]);
            ln[nl] = lbuf[nl];
            lc[nl++] = arch_color(x);
        }
    free(used);
    if (!n) {
        msg("%s: no codelet ran (nothing in /run or the trace): codelets chart skipped", c->run);
        goto out;
    }
    const char **names = malloc(n * sizeof *names);
    char (*nbuf)[64] = malloc(n * sizeof *nbuf);
    if (!names || !nbuf) { free(names); free(nbuf); msg("out of memory"); c->failed = 1; goto out; }
    for (int i = 0; i < n; i++) {
        sd_svg_ellipsize(nbuf[i], sizeof nbuf[i], cls->s[order[i].cl], 34);
        names[i] = nbuf[i];
    }
    double left = label_column(names, n, 12, 100, 300), right = 190, pw = W_CHART - left - right, legend_y = 62;
    int two = ri->present && ri->nw > 0;
    if (two) legend_y += 18;
    double legend_h = sd_svg_legend(NULL, left, legend_y, pw, ln, lc, nl, 0);
    const double bar = 18, gap = 3, ggap = 14;
    double ph = n * ggap + nbars * bar + (nbars - n) * gap + ggap;
    double hi = smax, lo = 0;
    sd_svg_nice_range(&lo, &hi, 8);
    sd_svg_plot p = {left, legend_y + legend_h + 12, pw, ph, 0, hi, 0, 1};
    sd_svg *s = chart_open(c, "codelets", p.y + p.h + 52, path, sizeof path);
    if (!s) { free(names); free(nbuf); goto out; }
    if (ri->present) {
        if (isfinite(ri->wall)) fmt_s(a, sizeof a, ri->wall);
        snprintf(sub, sizeof sub, "time inside each codelet, summed over workers; from /run of %s%s%s", c->runbase,
                 isfinite(ri->wall) ? "; wall time " : "", isfinite(ri->wall) ? a : "");
    } else
        snprintf(sub, sizeof sub, "time inside each codelet, summed over workers; from trace %s (%s has no /run group)",
                 base_name(tr->path), c->runbase);
    chart_title(s, "Time per codelet and architecture (s)", sub);
    if (two) {
        size_t k = (size_t)snprintf(sub2, sizeof sub2, "worker busy:");
        for (int w = 0; w < ri->nw && k < sizeof sub2; w++) {
            if (ri->wbusy && isfinite(ri->wall) && ri->wall > 0)
                k += snprintf(sub2 + k, sizeof sub2 - k, "%s %s %.1f %%", w ? "," : "", ri->wname[w], 100 * ri->wbusy[w] / ri->wall);
            else if (ri->wbusy) {
                fmt_s(a, sizeof a, ri->wbusy[w]);
                k += snprintf(sub2 + k, sizeof sub2 - k, "%s %s %s", w ? "," : "", ri->wname[w], a);
            } else k += snprintf(sub2 + k, sizeof sub2 - k, "%s %s", w ? "," : "", ri->wname[w]);
        }
        char cut[sizeof sub2];
        sd_svg_fit(cut, sizeof cut, sub2, 12.5, W_CHART - 40);
        sd_svg_text(s, 20, 66, 12.5, SD_SVG_START, 0, "#555", 0, "%s", cut);
    }
    sd_svg_legend(s, left, legend_y, pw, ln, lc, nl, 0);
    sd_svg_axis_x(s, &p, "seconds (sum over workers)");
    double y = p.y + ggap;
    for (int i = 0; i < n; i++) {
        int k = order[i].cl, nb = 0;
        double y0 = y;
        for (int x = 0; x < na; x++) {
            size_t ix = (size_t)k * na + x;
            if (!(tasks[ix] > 0 || secs[ix] > 0)) continue;
            if (nb++) y += gap;
            double x1 = sd_svg_px(&p, secs[ix]), w = x1 - p.x;
            fmt_s(a, sizeof a, secs[ix]);
            arch_label(lab, sizeof lab, archs.s[x]);
            char tip[512];
            snprintf(tip, sizeof tip, "%s on %s: %" PRId64 " tasks, %s", cls->s[k], lab, tasks[ix], a);
            sd_svg_rect(s, p.x, y, w < 1 ? 1 : w, bar, arch_color(x), NULL, tip);
            sd_svg_text(s, p.x + (w < 1 ? 1 : w) + 6, y + bar / 2 + 4.5, 12, SD_SVG_START, 0, "#222", 0,
                        "%" PRId64 " task%s, %s", tasks[ix], tasks[ix] == 1 ? "" : "s", a);
            y += bar;
        }
        sd_svg_text(s, p.x - 10, (y0 + y) / 2 + 4.5, 12, SD_SVG_END, 0, "#222", 0, "%s", names[i]);
        if (i + 1 < n) sd_svg_line(s, p.x - 6, y + ggap / 2, p.x + p.w, y + ggap / 2, "#eeeeee", 1, 0);
        y += ggap;
    }
    /* no frame: the labels at the bars' ends may reach past the plot */
    sd_svg_line(s, p.x, p.y, p.x, p.y + p.h, "#444", 1, 0);
    sd_svg_line(s, p.x, p.y + p.h, p.x + p.w, p.y + p.h, "#444", 1, 0);
    chart_close(c, s, path);
    free(names);
    free(nbuf);
out:
    free(tasks);
    free(secs);
    free(order);
    free(ln);
    free(lc);
    free(lbuf);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A value with some significant digits, exponents written as on the axes (1.5e-12, 3.1e9). */
static void fmt_g(char *b, size_t l, double v, int digits, int plus)
{
    char t[40], *e;
    snprintf(t, sizeof t, plus ? "%+.*g" : "%.*g", digits, v);
    if ((e = strchr(t, 'e'))) {
        char sign = e[1], *d = e + 2;
        while (*d == '0' && d[1]) d++;
        snprintf(b, l, "%.*se%s%s", (int)(e - t), t, sign == '-' ? "-" : "", d);
    } else snprintf(b, l, "%s", t);
}

static void fmt_val(char *b, size_t l, double v) { fmt_g(b, l, v, 6, 0); }

/* One panel; y is the top of its title line. */
static void scalar_panel(sd_svg *s, const scalars *sc, int k, double top, double left, double pw, double ph,
                         int last)
{
    const double *v = sc->v[k];
    int64_t n = sc->n, nfin = 0, nnan = 0, ninf = 0, imin = -1, imax = -1, i0 = -1;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(v[i])) { nnan++; continue; }
        if (!isfinite(v[i])) { ninf++; continue; }
        if (!isfinite(sc->x[i])) continue;
        if (i0 < 0) i0 = i;
        nfin++;
        if (imin < 0 || v[i] < v[imin]) imin = i;
        if (imax < 0 || v[i] > v[imax]) imax = i;
    }
    const char *xn = sc->x_is_time ? "t" : "step";
    char nm[256];
    sd_svg_fit(nm, sizeof nm, sc->names[k], 14, pw * 0.5);
    char t[700], a[48], b[48], c2[48], note[256] = "";
    if (nnan || ninf) {
        size_t k2 = (size_t)snprintf(note, sizeof note, "; ");
        if (nnan) k2 += snprintf(note + k2, sizeof note - k2, "%" PRId64 " of %" PRId64 " rows NaN", nnan, n);
        if (ninf) k2 += snprintf(note + k2, sizeof note - k2, "%s%" PRId64 " rows infinite", nnan ? ", " : "", ninf);
        /* a series that ends non-finite (a blow-up), not just between computed rows: from where */
        int64_t last = -1, gap = 1, tinf = 0;
        for (int64_t i = 0; i < n; i++)
            if (isfinite(v[i])) {
                if (last >= 0 && i - last > gap) gap = i - last; /* the widest gap seen */
                last = i;
            }
        for (int64_t i = last + 1; i < n; i++) tinf += isinf(v[i]);
        if (last >= 0 && last + 1 < n && (tinf || n - 1 - last >= gap) && k2 < sizeof note) {
            fmt_val(a, sizeof a, sc->x[last + 1]);
            snprintf(note + k2, sizeof note - k2, "; non-finite from %s = %s on", xn, a);
        }
    }
    double xlo = INFINITY, xhi = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(sc->x[i])) {
            if (sc->x[i] < xlo) xlo = sc->x[i];
            if (sc->x[i] > xhi) xhi = sc->x[i];
        }
    if (!(xhi >= xlo)) xlo = 0, xhi = 1;
    if (xhi == xlo) sd_svg_nice_range(&xlo, &xhi, 6);
    sd_svg_plot p = {left, top + 10, pw, ph, xlo, xhi, 0, 1};
    if (!nfin) {
        snprintf(t, sizeof t, "no finite values%s", note);
        sd_svg_text(s, left, top, 14, SD_SVG_START, 0, "#111", 1, "%s", nm);
        sd_svg_text(s, left + sd_svg_text_width(nm, 14) * 1.04 + 12, top, 12.5, SD_SVG_START, 0, "#555", 0, "%s", t);
        sd_svg_axis_x(s, &p, last ? (sc->x_is_time ? "time (simulation units)" : "step") : NULL);
        sd_svg_frame(s, &p);
        sd_svg_text(s, p.x + p.w / 2, p.y + p.h / 2, 13, SD_SVG_MIDDLE, 0, "#888", 0, "no values to plot");
        return;
    }
    double v0 = v[i0], vmin = v[imin], vmax = v[imax], mag = fmax(fabs(vmin), fabs(vmax));
    double rel = mag > 0 ? (vmax - vmin) / mag : 0;
    int drift = vmax > vmin && v0 != 0 && rel < DRIFT_REL;
    double scale = drift ? fabs(v0) : 1, off = drift ? v0 : 0;
    fmt_val(a, sizeof a, v0);
    if (drift) {
        double dmax = fmax(fabs(vmax - v0), fabs(vmin - v0)) / fabs(v0);
        fmt_g(b, sizeof b, dmax, 2, 0);
        snprintf(t, sizeof t, "relative drift (v - v0)/|v0| from v0 = %s; max |drift| %s%s", a, b, note);
    } else if (vmax == vmin)
        snprintf(t, sizeof t, "constant: %s in every %srow%s", a, nnan || ninf ? "finite " : "", note);
    else {
        fmt_val(a, sizeof a, vmin);
        fmt_val(b, sizeof b, vmax);
        snprintf(t, sizeof t, "min %s, max %s%s", a, b, note);
    }
    sd_svg_text(s, left, top, 14, SD_SVG_START, 0, "#111", 1, "%s", nm);
    char cut[700];
    double tw = sd_svg_text_width(nm, 14) * 1.04 + 12; /* bold */
    sd_svg_fit(cut, sizeof cut, t, 12.5, pw - tw);
    sd_svg_text(s, left + tw, top, 12.5, SD_SVG_START, 0, "#555", 0, "%s", cut);
    double ylo = (vmin - off) / scale, yhi = (vmax - off) / scale;
    if (drift) { ylo = fmin(ylo, 0); yhi = fmax(yhi, 0); }
    double pad = (yhi - ylo) * 0.2; /* room for the min/max labels above and below */
    int nonneg = !drift && ylo >= 0;
    ylo -= pad;
    yhi += pad;
    if (nonneg && ylo < 0) ylo = 0; /* a positive quantity keeps its axis at zero */
    sd_svg_nice_range(&ylo, &yhi, 4);
    p.y0 = ylo;
    p.y1 = yhi;
    sd_svg_axis_x(s, &p, last ? (sc->x_is_time ? "time (simulation units)" : "step") : NULL);
    char yl[64];
    sd_svg_ellipsize(yl, sizeof yl, drift ? "rel. drift" : sc->names[k], (size_t)(ph / 8));
    sd_svg_axis_y(s, &p, yl);
    if (drift) sd_svg_line(s, p.x, sd_svg_py(&p, 0), p.x + p.w, sd_svg_py(&p, 0), "#999", 1, 1);
    /* segments: finite points joined unless the gap is well beyond the usual row spacing of
     * this scalar (a scalar computed every 10 steps is NaN in between: that is no gap) */
    int64_t *fi = malloc(nfin * sizeof *fi);
    double *gaps = malloc((nfin ? nfin : 1) * sizeof *gaps), *xs = malloc(nfin * sizeof *xs),
           *ys = malloc(nfin * sizeof *ys);
    if (!fi || !gaps || !xs || !ys) goto done;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(v[i]) && isfinite(sc->x[i])) fi[m++] = i;
    double typical = 1;
    if (m > 1) {
        for (int64_t i = 0; i + 1 < m; i++) gaps[i] = (double)(fi[i + 1] - fi[i]);
        qsort(gaps, m - 1, sizeof *gaps, cmp_dbl);
        typical = gaps[(m - 1) / 2];
    }
    const char *col = sd_svg_color(k);
    int markers = m <= 60;
    int64_t start = 0;
    for (int64_t i = 0; i < m; i++) {
        xs[i] = sd_svg_px(&p, sc->x[fi[i]]);
        ys[i] = sd_svg_py(&p, (v[fi[i]] - off) / scale);
        int end = i + 1 == m || (double)(fi[i + 1] - fi[i]) > 1.5 * typical;
        if (end) {
            if (i == start) sd_svg_circle(s, xs[i], ys[i], 2.5, col, NULL);
            else sd_svg_polyline(s, xs + start, ys + start, (int)(i - start + 1), col, 1.8);
            start = i + 1;
        }
    }
    if (markers)
        for (int64_t i = 0; i < m; i++) sd_svg_circle(s, xs[i], ys[i], 2.2, col, NULL);
    /* min and max, labelled */
    if (vmax > vmin) {
        for (int e = 0; e < 2; e++) {
            int64_t ix = e ? imax : imin;
            double px = sd_svg_px(&p, sc->x[ix]), py = sd_svg_py(&p, (v[ix] - off) / scale);
            if (drift) fmt_g(c2, sizeof c2, (v[ix] - v0) / fabs(v0), 2, 1);
            else fmt_val(c2, sizeof c2, v[ix]);
            fmt_val(b, sizeof b, sc->x[ix]);
            snprintf(t, sizeof t, "%s %s (%s = %s)", e ? "max" : "min", c2, xn, b);
            double tw2 = sd_svg_text_width(t, 11.5);
            int anchor = px + tw2 / 2 > p.x + p.w - 4 ? SD_SVG_END : px - tw2 / 2 < p.x + 4 ? SD_SVG_START : SD_SVG_MIDDLE;
            double ty = e ? py - 7 : py + 16;
            if (ty < p.y + 13) ty = py + 16;
            if (ty > p.y + p.h - 4) ty = py - 7;
            sd_svg_circle(s, px, py, 3.5, "white", e ? "#c00" : "#06c");
            sd_svg_text(s, anchor == SD_SVG_END ? px - 2 : anchor == SD_SVG_START ? px + 2 : px, ty, 11.5, anchor, 0,
                        e ? "#a00" : "#05a", 0, "%s", t);
        }
    }
    sd_svg_frame(s, &p);
done:
    free(fi);
    free(gaps);
    free(xs);
    free(ys);
}

static void chart_scalars(ctx *c, const scalars *sc)
{
    char path[4200], sub[600];
    const double left = 96, right = 28, pw = W_CHART - left - right, ph = 130, pitch = ph + 72, top = 84;
    double h = top + sc->nnames * pitch + 24;
    sd_svg *s = chart_open(c, "scalars", h, path, sizeof path);
    if (!s) return;
    snprintf(sub, sizeof sub, "%s: %" PRId64 " row%s, steps %" PRId64 "-%" PRId64 "; a near-constant series "
             "(relative variation < 1e-4) is drawn as its relative drift", c->runbase, sc->n, sc->n == 1 ? "" : "s",
             sc->step0, sc->step1);
    chart_title(s, sc->x_is_time ? "Scalar diagnostics over simulation time" : "Scalar diagnostics over steps", sub);
    for (int k = 0; k < sc->nnames; k++)
        scalar_panel(s, sc, k, top + k * pitch, left, pw, ph, k + 1 == sc->nnames);
    chart_close(c, s, path);
}

/* ---------------------------------------------------------------- the command */

static int make_dirs(const char *dir)
{
    char *d = strdup(dir);
    if (!d) return -1;
    for (char *p = d + 1; ; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(d, 0777) < 0 && errno != EEXIST) { int e = errno; free(d); errno = e; return -1; }
            *p = c;
            if (!c) break;
        }
    }
    free(d);
    struct stat st;
    if (stat(dir, &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}

int sd_cmd_report(int argc, char **argv)
{
    const char *run = NULL, *tpath = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(report_usage, stdout); return 0; }
        if ((!strcmp(a, "--trace") || !strcmp(a, "--out")) && i + 1 >= argc) {
            msg("option %s needs a value", a);
            fputs(report_usage, stderr);
            return SD_EXIT_BADGRAPH;
        }
        if (!strcmp(a, "--trace")) tpath = argv[++i];
        else if (!strcmp(a, "--out")) out = argv[++i];
        else if (a[0] == '-' && a[1]) {
            msg("unknown option '%s'", a);
            fputs(report_usage, stderr);
            return SD_EXIT_BADGRAPH;
        } else if (!run) run = a;
        else {
            msg("one run file expected, got '%s' and '%s'", run, a);
            fputs(report_usage, stderr);
            return SD_EXIT_BADGRAPH;
        }
    }
    if (!run) {
        msg("a run file is needed");
        fputs(report_usage, stderr);
        return SD_EXIT_BADGRAPH;
    }
    struct stat st;
    if (stat(run, &st) < 0) {
        msg("%s: cannot open: %s (expected an HDF5 run file written by stardag run)", run, strerror(errno));
        return SD_EXIT_BADGRAPH;
    }
    if (S_ISDIR(st.st_mode)) {
        msg("%s: is a directory (expected an HDF5 run file written by stardag run)", run);
        return SD_EXIT_BADGRAPH;
    }
    sd_h5_quiet q = sd_h5_quiet_on();
    int rc = SD_EXIT_BADGRAPH;
    char err[2048], why[256];
    scalars sc = {0};
    runinfo ri = {0};
    trace tr = {0};
    int have_trace = 0;
    strtab cls = {0}, ranked = {0};
    ctx c = {run, base_name(run), tpath, NULL, NULL, 0};
    hid_t f = -1;
    htri_t is = H5Fis_hdf5(run);
    if (is <= 0) {
        H5Eclear2(H5E_DEFAULT);
        msg("%s: not an HDF5 file (expected a run file written by stardag run)", run);
        goto out;
    }
    if ((f = H5Fopen(run, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        msg("%s: cannot open: %s", run, sd_h5why(why, sizeof why));
        goto out;
    }
    if (!has_link(f, "scalars") && !has_link(f, "run")) {
        msg("%s: not a stardag run file (no /scalars or /run group)", run);
        goto out;
    }
    if (read_scalars(f, run, &sc, err, sizeof err) < 0 || read_runinfo(f, run, &ri, &cls, err, sizeof err) < 0) {
        msg("%s", err);
        goto out;
    }
    H5Fclose(f);
    f = -1;
    if (tpath) {
        if (trace_read(&tr, tpath)) goto out;
        have_trace = 1;
        for (size_t i = 0; i < tr.nt; i++)
            if (st_add(&cls, tr.cl.s[tr.t[i].cl]) < 0) { msg("out of memory"); goto out; }
    }
    /* the output directory and the charts' names */
    rc = SD_EXIT_RUNTIME;
    if (out) c.outdir = strdup(out);
    else {
        const char *sl = strrchr(run, '/');
        c.outdir = sl ? strndup(run, sl == run ? 1 : (size_t)(sl - run)) : strdup(".");
    }
    const char *bn = base_name(run), *dot = strrchr(bn, '.');
    c.stem = dot && dot != bn && (!strcmp(dot, ".h5") || !strcmp(dot, ".hdf5") || !strcmp(dot, ".he5"))
                 ? strndup(bn, (size_t)(dot - bn)) : strdup(bn);
    if (!c.outdir || !c.stem) { msg("out of memory"); goto out; }
    if (make_dirs(c.outdir) < 0) {
        msg("%s: cannot use as the output directory: %s", c.outdir, strerror(errno));
        goto out;
    }
    if (access(c.outdir, W_OK | X_OK) < 0) {
        msg("%s: output directory is not writable: %s", c.outdir, strerror(errno));
        goto out;
    }
    if (have_trace && rank_codelets(&tr, &ranked) < 0) { msg("out of memory"); goto out; }
    if (have_trace) {
        if (!tr.nt && !tr.nw) msg("%s: no tasks or workers in the trace: gantt and busy charts skipped", tpath);
        else {
            chart_gantt(&c, &tr, &ranked);
            chart_busy(&c, &tr);
        }
    } else msg("note: no --trace given: gantt and busy charts skipped (record a trace with stardag run --trace FILE.json)");
    if (ri.present || (have_trace && tr.nt)) chart_codelets(&c, &ri, &tr, &cls);
    else msg("note: %s has no /run group and no trace was given: codelets chart skipped", run);
    if (sc.nnames && sc.n) chart_scalars(&c, &sc);
    else msg("note: %s has no scalar rows: scalars chart skipped", run);
    rc = c.failed ? SD_EXIT_RUNTIME : 0;
out:
    if (f >= 0) H5Fclose(f);
    sd_h5_quiet_off(q);
    scalars_free(&sc);
    runinfo_free(&ri);
    if (have_trace || tr.path) trace_free(&tr);
    st_free(&cls);
    st_free(&ranked);
    st_free(&archs);
    free(c.outdir);
    free(c.stem);
    return rc;
}
