/* trace_read.c - see trace_read.h: a small JSON parser (just what trace events need), the
 * events kept, and the workers put in display order. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_read.h"

static void *grow(void *p, size_t *cap, size_t n, size_t es)
{
    if (n < *cap) return p;
    size_t nc = *cap ? 2 * *cap : 256;
    void *q = realloc(p, nc * es);
    if (!q) return NULL;
    *cap = nc;
    return q;
}
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

static int worker_of(sd_trace_file *tr, long tid)
{
    for (size_t i = 0; i < tr->nw; i++)
        if (tr->w[i].tid == tid) return (int)i;
    sd_tf_worker *p = grow(tr->w, &tr->capw, tr->nw, sizeof *p);
    if (!p) return -1;
    tr->w = p;
    sd_tf_worker *w = &tr->w[tr->nw];
    memset(w, 0, sizeof *w);
    w->tid = tid;
    w->kind = 2;
    w->num = tid;
    return (int)tr->nw++;
}

static void name_worker(sd_tf_worker *w, const char *name)
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
static int trace_event(sd_trace_file *tr, jp *j, const jv *ev, long line)
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
        sd_tf_xfer *p = grow(tr->x, &tr->capx, tr->nx, sizeof *p);
        if (!p) goto oom;
        tr->x = p;
        tr->x[tr->nx++] = (sd_tf_xfer){w, ts, dur};
        return 0;
    }
    sd_tf_task *p = grow(tr->t, &tr->capt, tr->nt, sizeof *p);
    if (!p) goto oom;
    tr->t = p;
    const jv *args = jget(ev, "args");
    double d;
    sd_tf_task t = {sd_strtab_add(&tr->cl, name ? name : "(unnamed)"), w, -1, ts, dur, -1, -1};
    if (t.cl < 0) goto oom;
    if (jnum(jget(args, "step"), &d)) t.step = (long)d;
    if (jnum(jget(args, "tile"), &d)) t.tile = (long)d;
    const char *arch = jstr(jget(args, "arch"));
    if (arch && (t.arch = sd_strtab_add(tr->archs, arch)) < 0) goto oom;
    tr->t[tr->nt++] = t;
    return 0;
oom:
    snprintf(j->err, sizeof j->err, "%s: out of memory", tr->path);
    return -1;
}

void sd_trace_file_free(sd_trace_file *tr)
{
    for (size_t i = 0; i < tr->nw; i++) free(tr->w[i].name);
    free(tr->w);
    free(tr->t);
    free(tr->x);
    sd_strtab_free(&tr->cl);
}

static int cmp_worker(const void *a, const void *b)
{
    const sd_tf_worker *x = a, *y = b;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int cmp_task(const void *a, const void *b)
{
    const sd_tf_task *x = a, *y = b;
    if (x->w != y->w) return x->w - y->w;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmp_xfer(const void *a, const void *b)
{
    const sd_tf_xfer *x = a, *y = b;
    if (x->w != y->w) return x->w - y->w;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

int sd_trace_file_read(sd_trace_file *tr, const char *path, sd_strtab *archs, char *err, size_t errlen)
{
    memset(tr, 0, sizeof *tr);
    tr->path = path;
    tr->archs = archs;
    tr->t0 = 0;
    tr->t1 = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the trace: %s (expected a Chrome trace-event JSON file written by "
                 "stardag run --trace)", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            size_t nc = cap ? 2 * cap : 1 << 20;
            char *p = realloc(buf, nc);
            if (!p) { fclose(f); free(buf); snprintf(err, errlen, "%s: out of memory", path); return -1; }
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
        snprintf(err, errlen, "%s: cannot read the trace: %s", path, strerror(errno));
        free(buf);
        return -1;
    }
    buf[n] = 0;
    jp j = {buf, buf + n, path, 1, 0, {0}};
    int rc = -1, seen = 0, truncated = 0;
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
    tr->truncated = truncated; /* the caller warns */
    /* architectures from worker names where the event did not say; workers in display order */
    int cpu = sd_strtab_add(archs, "cpu"), cuda = sd_strtab_add(archs, "cuda");
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
    if (rc) snprintf(err, errlen, "%s", j.err[0] ? j.err : "cannot parse the trace");
    free(buf);
    return rc;
}

