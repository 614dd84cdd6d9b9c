/* mesh_read.c - sd_mesh_read (dispatch by extension, then sd_mesh_check) and the two text formats.
 *
 * OFF: a header line "OFF" (the variants COFF, NOFF, CNOFF, STOFF...: extra vertex columns are
 * ignored; 4OFF, nOFF and binary OFF are refused), a counts line "nv nf [ne]", nv vertex lines
 * "x y z ...", nf face lines "3 a b c ..." (0-based; trailing colour columns ignored). '#' starts
 * a comment; blank lines are skipped; anything after the last face is refused (the counts are then
 * wrong).
 * OBJ: "v x y z ..." and "f A B C" with A = v, v/vt, v//vn or v/vt/vn (1-based, negative: relative
 * to the last vertex so far); every other statement (vt, vn, g, o, s, usemtl, l...) is ignored.
 * Faces with more than 3 corners are refused in both: splitting a non-planar polygon is a choice of
 * geometry the user should make (triangulate first). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mesh_internal.h"

void sd_mesh_raw_free(sd_mesh_raw *r)
{
    sd_mesh_free(&r->m);
    free(r->face_line);
    r->face_line = NULL;
}

/* ---- growing arrays and text lines --------------------------------------------------------------- */

typedef struct builder {
    sd_mesh_raw *r;
    int64_t vcap, fcap;
} builder;

static int add_vertex(builder *b, const double p[3])
{
    sd_mesh *m = &b->r->m;
    if (m->nv == b->vcap) {
        int64_t cap = b->vcap ? 2 * b->vcap : 1024;
        double *x = realloc(m->x, (size_t)cap * 3 * sizeof *x);
        if (!x) return -1;
        m->x = x;
        b->vcap = cap;
    }
    memcpy(m->x + 3 * m->nv++, p, 3 * sizeof *p);
    return 0;
}

static int add_face(builder *b, const int64_t t[3], int64_t line)
{
    sd_mesh *m = &b->r->m;
    if (m->nf == b->fcap) {
        int64_t cap = b->fcap ? 2 * b->fcap : 1024;
        int64_t *tri = realloc(m->tri, (size_t)cap * 3 * sizeof *tri);
        if (!tri) return -1;
        m->tri = tri;
        int64_t *fl = realloc(b->r->face_line, (size_t)cap * sizeof *fl);
        if (!fl) return -1;
        b->r->face_line = fl;
        b->fcap = cap;
    }
    memcpy(m->tri + 3 * m->nf, t, 3 * sizeof *t);
    b->r->face_line[m->nf++] = line;
    return 0;
}

typedef struct text {
    FILE *f;
    const char *path;
    char *buf;
    size_t cap;
    int64_t line;
    char *p; /* the cursor in buf */
    char *err;
    size_t errlen;
} text;

static int text_fail(text *t, const char *fmt, ...)
{
    int n = snprintf(t->err, t->errlen, "%s:%" PRId64 ": ", t->path, t->line);
    if (n >= 0 && (size_t)n < t->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->err + n, t->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The next line with content, comments ('#' on) cut: 1, 0 at the end of the file, -1 on error. */
static int next_line(text *t)
{
    for (;;) {
        errno = 0;
        ssize_t n = getline(&t->buf, &t->cap, t->f);
        if (n < 0) {
            if (ferror(t->f)) return text_fail(t, "read error: %s", strerror(errno ? errno : EIO));
            return 0;
        }
        t->line++;
        if (memchr(t->buf, 0, (size_t)n)) return text_fail(t, "a NUL byte (expected a text file)"); /* would cut the line */
        char *hash = strchr(t->buf, '#');
        if (hash) *hash = 0;
        t->p = t->buf;
        while (isspace((unsigned char)*t->p)) t->p++;
        if (*t->p) return 1;
    }
}

/* The next whitespace-separated token of the line (NUL-terminated in place), or NULL. */
static char *token(text *t)
{
    while (isspace((unsigned char)*t->p)) t->p++;
    if (!*t->p) return NULL;
    char *s = t->p;
    while (*t->p && !isspace((unsigned char)*t->p)) t->p++;
    if (*t->p) *t->p++ = 0;
    return s;
}

static int parse_double(text *t, const char *tok, const char *what, double *out)
{
    *out = 0;
    if (!tok) return text_fail(t, "line ends before %s: expected a number", what);
    char *end;
    errno = 0;
    double v = strtod(tok, &end);
    if (end == tok || *end) return text_fail(t, "found '%s' for %s: expected a number", tok, what);
    if (!isfinite(v)) return text_fail(t, "found '%s' for %s: expected a finite number", tok, what);
    *out = v;
    return 0;
}

static int parse_int(text *t, const char *tok, const char *what, int64_t *out)
{
    *out = 0;
    if (!tok) return text_fail(t, "line ends before %s: expected an integer", what);
    char *end;
    errno = 0;
    long long v = strtoll(tok, &end, 10);
    if (end == tok || *end || errno == ERANGE) return text_fail(t, "found '%s' for %s: expected an integer", tok, what);
    *out = v;
    return 0;
}

static int open_text(text *t, const char *path, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    t->err = err;
    t->errlen = errlen;
    t->f = fopen(path, "r");
    if (!t->f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int close_text(text *t, int rc)
{
    free(t->buf);
    if (fclose(t->f) != 0 && rc == 0) {
        snprintf(t->err, t->errlen, "%s: read error: %s", t->path, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* ---- OFF ------------------------------------------------------------------------------------------ */

static int off_header(text *t, int64_t *nv, int64_t *nf)
{
    int r = next_line(t);
    if (r <= 0) return r < 0 ? -1 : text_fail(t, "end of file before any header: expected the OFF header line");
    char *h = token(t);
    size_t n = strlen(h);
    if (n < 3 || strcmp(h + n - 3, "OFF"))
        return text_fail(t, "found '%s': expected the OFF header line (OFF, COFF, NOFF...)", h);
    if (strspn(h, "STCN") != n - 3)
        return text_fail(t, "found '%s': only 3-D OFF is read (OFF with optional S, T, C, N prefixes), not 4OFF or nOFF", h);
    char *tok = token(t);
    if (tok && !strcasecmp(tok, "BINARY")) return text_fail(t, "found binary OFF: only ascii OFF is read");
    if (!tok) { /* the counts are on the next line */
        if ((r = next_line(t)) <= 0) return r < 0 ? -1 : text_fail(t, "end of file: expected the counts 'nv nf ne'");
        tok = token(t);
    }
    if (parse_int(t, tok, "the vertex count", nv) < 0 || parse_int(t, token(t), "the face count", nf) < 0) return -1;
    if (*nv < 0 || *nv > SD_MESH_MAX_VERTICES || *nf < 0 || *nf > SD_MESH_MAX_FACES)
        return text_fail(t, "found %" PRId64 " vertices and %" PRId64 " faces: expected 0..%" PRId64 " and 0..%" PRId64, *nv,
                         *nf, SD_MESH_MAX_VERTICES, SD_MESH_MAX_FACES);
    return 1;
}

/* A face line's corners after the count: "a b c" -> t (0-based as given). */
static int face_corners(text *t, const char *count_tok, int64_t c[3])
{
    int64_t n = 0;
    if (parse_int(t, count_tok, "the corner count", &n) < 0) return -1;
    if (n != 3)
        return text_fail(t, "found a face with %" PRId64 " corners: expected 3 (a triangle mesh; triangulate polygons first)", n);
    static const char *what[3] = {"the first corner", "the second corner", "the third corner"};
    for (int e = 0; e < 3; e++)
        if (parse_int(t, token(t), what[e], &c[e]) < 0) return -1;
    return 0;
}

int sd_mesh_read_off(const char *path, sd_mesh_raw *r, char *err, size_t errlen)
{
    text t;
    memset(r, 0, sizeof *r);
    if (open_text(&t, path, err, errlen) < 0) return -1;
    builder b = {r, 0, 0};
    int64_t nv = 0, nf = 0;
    int rc = off_header(&t, &nv, &nf) < 0 ? -1 : 0;
    for (int64_t v = 0; rc == 0 && v < nv; v++) {
        int k = next_line(&t);
        if (k <= 0) {
            rc = k < 0 ? -1 : text_fail(&t, "end of file after %" PRId64 " vertices: expected %" PRId64 " vertices and %" PRId64 " faces", v, nv, nf);
            break;
        }
        double p[3];
        static const char *what[3] = {"x", "y", "z"};
        for (int d = 0; d < 3 && rc == 0; d++) rc = parse_double(&t, token(&t), what[d], &p[d]);
        if (rc == 0 && add_vertex(&b, p) < 0) rc = text_fail(&t, "out of memory at vertex %" PRId64, v);
    }
    for (int64_t f = 0; rc == 0 && f < nf; f++) {
        int k = next_line(&t);
        if (k <= 0) {
            rc = k < 0 ? -1 : text_fail(&t, "end of file after %" PRId64 " faces: expected %" PRId64 " faces", f, nf);
            break;
        }
        int64_t c[3];
        rc = face_corners(&t, token(&t), c);
        if (rc == 0 && add_face(&b, c, t.line) < 0) rc = text_fail(&t, "out of memory at face %" PRId64, f);
    }
    if (rc == 0) {
        int k = next_line(&t);
        if (k < 0) rc = -1;
        if (k > 0)
            rc = text_fail(&t, "found '%s' after the %" PRId64 " vertices and %" PRId64 " faces the header announced: "
                           "expected the end of the file (are the counts right?)", token(&t), nv, nf);
    }
    rc = close_text(&t, rc);
    if (rc < 0) sd_mesh_raw_free(r);
    return rc;
}

/* ---- OBJ ------------------------------------------------------------------------------------------ */

/* One corner "v", "v/vt", "v//vn" or "v/vt/vn" -> 0-based vertex index. */
static int obj_corner(text *t, char *tok, int64_t defined, int64_t *out)
{
    char *slash = strchr(tok, '/');
    int slashes = 0;
    for (char *s = tok; *s; s++) {
        if (*s == '/') slashes++;
        else if (!isdigit((unsigned char)*s) && *s != '-') slashes = 99;
    }
    if (slashes > 2 || (slash && slash == tok))
        return text_fail(t, "found corner '%s': expected v, v/vt, v//vn or v/vt/vn", tok);
    if (slash) *slash = 0;
    int64_t i;
    if (parse_int(t, tok, "a face corner", &i) < 0) return -1;
    if (i == 0) return text_fail(t, "found vertex index 0: expected OBJ indices from 1 (or negative, relative)");
    if (i < 0) {
        if (-i > defined)
            return text_fail(t, "found vertex index %" PRId64 ": expected -1..-%" PRId64 " (relative to the %" PRId64
                             " vertices so far)", i, defined, defined);
        *out = defined + i;
    } else
        *out = i - 1;
    return 0;
}

int sd_mesh_read_obj(const char *path, sd_mesh_raw *r, char *err, size_t errlen)
{
    text t;
    memset(r, 0, sizeof *r);
    r->vertex_base = 1;
    if (open_text(&t, path, err, errlen) < 0) return -1;
    builder b = {r, 0, 0};
    int rc = 0, k;
    while (rc == 0 && (k = next_line(&t)) != 0) {
        if (k < 0) {
            rc = -1;
            break;
        }
        char *kw = token(&t);
        if (!strcmp(kw, "v")) {
            double p[3];
            static const char *what[3] = {"x", "y", "z"};
            for (int d = 0; d < 3 && rc == 0; d++) rc = parse_double(&t, token(&t), what[d], &p[d]);
            if (rc == 0 && r->m.nv >= SD_MESH_MAX_VERTICES)
                rc = text_fail(&t, "more than %" PRId64 " vertices", SD_MESH_MAX_VERTICES);
            if (rc == 0 && add_vertex(&b, p) < 0) rc = text_fail(&t, "out of memory at vertex %" PRId64, r->m.nv + 1);
        } else if (!strcmp(kw, "f")) {
            int64_t c[3];
            int n = 0;
            for (char *tok; rc == 0 && (tok = token(&t));) {
                if (n == 3) {
                    int more = 1;
                    while (token(&t)) more++;
                    rc = text_fail(&t, "found a face with %d corners: expected 3 (a triangle mesh; triangulate polygons "
                                   "first)", 3 + more);
                    break;
                }
                rc = obj_corner(&t, tok, r->m.nv, &c[n++]);
            }
            if (rc == 0 && n < 3)
                rc = text_fail(&t, "found a face with %d corner%s: expected 3 (a triangle mesh)", n, n == 1 ? "" : "s");
            if (rc == 0 && r->m.nf >= SD_MESH_MAX_FACES) rc = text_fail(&t, "more than %" PRId64 " faces", SD_MESH_MAX_FACES);
            if (rc == 0 && add_face(&b, c, t.line) < 0) rc = text_fail(&t, "out of memory at face %" PRId64, r->m.nf + 1);
        } /* every other statement describes what a membrane has no use for */
    }
    rc = close_text(&t, rc);
    if (rc < 0) sd_mesh_raw_free(r);
    return rc;
}

/* ---- dispatch ------------------------------------------------------------------------------------- */

int sd_mesh_read(const char *path, sd_mesh *m, sd_mesh_notes *notes, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (notes) memset(notes, 0, sizeof *notes);
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (!dot || (slash && dot < slash)) {
        snprintf(err, errlen, "%s: no file extension: expected .off, .obj or .ply", path);
        return -1;
    }
    sd_mesh_raw r;
    int rc;
    if (!strcasecmp(dot, ".off"))
        rc = sd_mesh_read_off(path, &r, err, errlen);
    else if (!strcasecmp(dot, ".obj"))
        rc = sd_mesh_read_obj(path, &r, err, errlen);
    else if (!strcasecmp(dot, ".ply"))
        rc = sd_mesh_read_ply(path, &r, err, errlen);
    else {
        snprintf(err, errlen, "%s: unknown mesh extension '%s': expected .off, .obj or .ply", path, dot);
        return -1;
    }
    if (rc < 0) return -1;
    rc = sd_mesh_check_based(&r.m, r.face_line, path, r.vertex_base, notes, err, errlen);
    free(r.face_line);
    if (rc < 0)
        sd_mesh_free(&r.m);
    else
        *m = r.m;
    return rc;
}
