/* mesh_ply.c - PLY meshes: the reader (ascii, binary_little_endian, binary_big_endian) and the
 * binary little-endian body that sd_mesh_write puts in a .ply file.
 *
 * The header declares elements in file order, each a list of properties. The reader needs an
 * element "vertex" with scalar properties x, y, z (any type) and an element "face" with a list
 * property vertex_indices (or vertex_index) of any integer types, 3 entries a face. Every other
 * element and property (normals, colours, edges, materials) is read past and ignored. Ascii
 * messages give the file line, binary ones the element and its index ("face 7"). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mesh_internal.h"

enum ply_format { PLY_ASCII, PLY_LE, PLY_BE };
enum ply_type { T_I8, T_U8, T_I16, T_U16, T_I32, T_U32, T_F32, T_F64, T_NONE };
static const struct {
    const char *name, *alias;
    int size;
} ply_types[] = {{"char", "int8", 1},   {"uchar", "uint8", 1}, {"short", "int16", 2},   {"ushort", "uint16", 2},
                 {"int", "int32", 4},   {"uint", "uint32", 4}, {"float", "float32", 4}, {"double", "float64", 8}};

#define PLY_MAX_ELEMS 16
#define PLY_MAX_PROPS 64
typedef struct ply_prop {
    char name[64];
    int type;       /* of the value, or of the list's entries */
    int count_type; /* T_NONE: a scalar; else the list's count */
} ply_prop;
typedef struct ply_elem {
    char name[64];
    int64_t count;
    int nprop;
    ply_prop prop[PLY_MAX_PROPS];
} ply_elem;

typedef struct ply_in {
    FILE *f;
    const char *path;
    int format, swap;
    char *buf, *p; /* ascii: the current line and the cursor in it */
    size_t cap;
    int64_t line;
    const char *elem; /* binary messages: the element being read and its index */
    int64_t index, count;
    char *err;
    size_t errlen;
} ply_in;

static int ply_fail(ply_in *in, const char *fmt, ...)
{
    int n = in->format == PLY_ASCII || !in->elem
                ? snprintf(in->err, in->errlen, "%s:%" PRId64 ": ", in->path, in->line)
                : snprintf(in->err, in->errlen, "%s: %s %" PRId64 ": ", in->path, in->elem, in->index);
    if (n >= 0 && (size_t)n < in->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(in->err + n, in->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A text line (header, or an ascii element); 1, 0 at the end of the file, -1 on a read error. */
static int ply_line(ply_in *in)
{
    errno = 0;
    ssize_t n = getline(&in->buf, &in->cap, in->f);
    if (n < 0) return ferror(in->f) ? ply_fail(in, "read error: %s", strerror(errno ? errno : EIO)) : 0;
    in->line++;
    if (memchr(in->buf, 0, (size_t)n)) return ply_fail(in, "a NUL byte (expected a text file)"); /* would cut the line */
    while (n > 0 && (in->buf[n - 1] == '\n' || in->buf[n - 1] == '\r')) in->buf[--n] = 0;
    in->p = in->buf;
    return 1;
}

static char *ply_token(ply_in *in)
{
    while (isspace((unsigned char)*in->p)) in->p++;
    if (!*in->p) return NULL;
    char *s = in->p;
    while (*in->p && !isspace((unsigned char)*in->p)) in->p++;
    if (*in->p) *in->p++ = 0;
    return s;
}

static int ply_type_of(const char *s)
{
    for (int t = 0; t < T_NONE; t++)
        if (s && (!strcmp(s, ply_types[t].name) || !strcmp(s, ply_types[t].alias))) return t;
    return -1;
}

static int ply_header(ply_in *in, ply_elem *el, int *nel)
{
    int r = ply_line(in);
    if (r <= 0 || strcmp(in->buf, "ply")) return r < 0 ? -1 : ply_fail(in, "found '%s': expected 'ply' (a PLY file)", r ? in->buf : "end of file");
    int have_format = 0;
    *nel = 0;
    for (;;) {
        if ((r = ply_line(in)) <= 0) return r < 0 ? -1 : ply_fail(in, "end of file in the header: expected 'end_header'");
        char *kw = ply_token(in);
        if (!kw || !strcmp(kw, "comment") || !strcmp(kw, "obj_info")) continue;
        if (!strcmp(kw, "end_header")) break;
        if (!strcmp(kw, "format")) {
            char *f = ply_token(in), *v = ply_token(in);
            if (f && !strcmp(f, "ascii")) in->format = PLY_ASCII;
            else if (f && !strcmp(f, "binary_little_endian")) in->format = PLY_LE;
            else if (f && !strcmp(f, "binary_big_endian")) in->format = PLY_BE;
            else return ply_fail(in, "found format '%s': expected ascii, binary_little_endian or binary_big_endian", f ? f : "");
            if (!v || strcmp(v, "1.0")) return ply_fail(in, "found format version '%s': expected 1.0", v ? v : "");
            have_format = 1;
        } else if (!strcmp(kw, "element")) {
            char *name = ply_token(in), *count = ply_token(in), *end;
            if (*nel == PLY_MAX_ELEMS) return ply_fail(in, "more than %d elements", PLY_MAX_ELEMS);
            errno = 0;
            long long c = count ? strtoll(count, &end, 10) : -1;
            if (!name || !count || *end || errno || c < 0 || strlen(name) >= sizeof el->name)
                return ply_fail(in, "found '%s %s': expected 'element NAME COUNT'", name ? name : "", count ? count : "");
            ply_elem *e = &el[(*nel)++];
            memset(e, 0, sizeof *e);
            strcpy(e->name, name);
            e->count = c;
        } else if (!strcmp(kw, "property")) {
            if (*nel == 0) return ply_fail(in, "found a property before any element: expected 'element NAME COUNT' first");
            ply_elem *e = &el[*nel - 1];
            if (e->nprop == PLY_MAX_PROPS) return ply_fail(in, "more than %d properties in element %s", PLY_MAX_PROPS, e->name);
            ply_prop *p = &e->prop[e->nprop++];
            char *t = ply_token(in);
            p->count_type = T_NONE;
            if (t && !strcmp(t, "list")) {
                char *ct = ply_token(in);
                p->count_type = ply_type_of(ct);
                if (p->count_type < 0 || p->count_type >= T_F32)
                    return ply_fail(in, "found list count type '%s': expected an integer type (uchar, int...)", ct ? ct : "");
                t = ply_token(in);
            }
            p->type = ply_type_of(t);
            if (p->type < 0) return ply_fail(in, "found property type '%s': expected char, uchar, short, ushort, int, uint, float or double (or int8...float64)", t ? t : "");
            char *name = ply_token(in);
            if (!name || strlen(name) >= sizeof p->name) return ply_fail(in, "property without a name: expected 'property TYPE NAME'");
            for (int k = 0; k < e->nprop - 1; k++)
                if (!strcmp(e->prop[k].name, name))
                    return ply_fail(in, "property '%s' of element %s declared twice: expected one of each name", name, e->name);
            strcpy(p->name, name);
        } else
            return ply_fail(in, "found '%s' in the header: expected format, element, property, comment or end_header", kw);
    }
    if (!have_format) return ply_fail(in, "no format line in the header: expected 'format ascii 1.0' or a binary one");
    return 0;
}

/* The next value of a type: as double, and as integer for integer types. */
static int ply_value(ply_in *in, int type, double *d, int64_t *i)
{
    if (in->format == PLY_ASCII) {
        char *tok = ply_token(in), *end;
        if (!tok) return ply_fail(in, "line ends early: expected more values of the %s element", in->elem);
        errno = 0;
        if (type >= T_F32) {
            *d = strtod(tok, &end);
            *i = 0;
        } else {
            *i = strtoll(tok, &end, 10);
            *d = (double)*i;
        }
        if (end == tok || *end || errno == ERANGE)
            return ply_fail(in, "found '%s': expected %s (a %s)", tok, type >= T_F32 ? "a number" : "an integer", ply_types[type].name);
        /* an integer must fit its declared type, as in a binary file */
        static const int64_t lo[] = {INT8_MIN, 0, INT16_MIN, 0, INT32_MIN, 0}, hi[] = {INT8_MAX, UINT8_MAX, INT16_MAX, UINT16_MAX, INT32_MAX, UINT32_MAX};
        if (type < T_F32 && (*i < lo[type] || *i > hi[type]))
            return ply_fail(in, "found '%s': expected an integer from %lld to %lld (a %s)", tok, (long long)lo[type], (long long)hi[type],
                            ply_types[type].name);
        return 0;
    }
    unsigned char b[8];
    int n = ply_types[type].size;
    if (fread(b, 1, (size_t)n, in->f) != (size_t)n)
        return ferror(in->f) ? ply_fail(in, "read error: %s", strerror(errno))
                             : ply_fail(in, "the file ends inside this element: expected %" PRId64 " %s elements (a truncated file)",
                                        in->count, in->elem);
    if (in->swap)
        for (int k = 0; k < n / 2; k++) {
            unsigned char t = b[k];
            b[k] = b[n - 1 - k];
            b[n - 1 - k] = t;
        }
    union { int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32; uint32_t u32; float f; double g; } u;
    memcpy(&u, b, (size_t)n);
    switch (type) {
    case T_I8: *i = u.i8; break;
    case T_U8: *i = u.u8; break;
    case T_I16: *i = u.i16; break;
    case T_U16: *i = u.u16; break;
    case T_I32: *i = u.i32; break;
    case T_U32: *i = u.u32; break;
    case T_F32: *d = u.f; *i = 0; return 0;
    default: *d = u.g; *i = 0; return 0;
    }
    *d = (double)*i;
    return 0;
}

/* Where the wanted values of an element are. */
typedef struct wanted {
    int col[3]; /* vertex: the properties x, y, z; face: col[0] the index list */
} wanted;

static int find_prop(const ply_elem *e, const char *name)
{
    for (int k = 0; k < e->nprop; k++)
        if (!strcmp(e->prop[k].name, name)) return k;
    return -1;
}

static int read_element(ply_in *in, const ply_elem *e, sd_mesh_raw *r, int is_vertex, int is_face, const wanted *w)
{
    in->elem = e->name;
    in->count = e->count;
    for (int64_t n = 0; n < e->count; n++) {
        in->index = n;
        if (in->format == PLY_ASCII) {
            int k;
            while ((k = ply_line(in)) > 0 && strspn(in->buf, " \t") == strlen(in->buf)) continue; /* blank lines */
            if (k <= 0)
                return k < 0 ? -1 : ply_fail(in, "end of file after %" PRId64 " of %" PRId64 " %s elements: expected %" PRId64, n, e->count, e->name, e->count);
        }
        double p[3] = {0, 0, 0};
        int64_t t[3] = {0, 0, 0};
        for (int k = 0; k < e->nprop; k++) {
            const ply_prop *pr = &e->prop[k];
            double d;
            int64_t i, len = 1;
            if (pr->count_type != T_NONE) {
                if (ply_value(in, pr->count_type, &d, &len) < 0) return -1;
                if (len < 0) return ply_fail(in, "found a list of %" PRId64 " entries: expected a count >= 0", len);
                if (is_face && k == w->col[0] && len != 3)
                    return ply_fail(in, "found a face with %" PRId64 " corners: expected 3 (a triangle mesh; triangulate polygons first)", len);
            }
            for (int64_t j = 0; j < len; j++) {
                if (ply_value(in, pr->type, &d, &i) < 0) return -1;
                if (is_face && k == w->col[0]) t[j] = i;
                for (int c = 0; c < 3 && is_vertex; c++)
                    if (k == w->col[c]) {
                        if (!isfinite(d)) return ply_fail(in, "found %c = %g: expected a finite number", "xyz"[c], d);
                        p[c] = d;
                    }
            }
        }
        if (in->format == PLY_ASCII && ply_token(in))
            return ply_fail(in, "more values than the %s element's %d properties declare", e->name, e->nprop);
        if (is_vertex) memcpy(r->m.x + 3 * n, p, sizeof p);
        if (is_face) {
            memcpy(r->m.tri + 3 * n, t, sizeof t);
            if (r->face_line) r->face_line[n] = in->line;
        }
    }
    in->elem = NULL;
    return 0;
}

/* Bytes of a regular file after the current position (the header), or -1 (not regular, unknown). */
static int64_t bytes_left(FILE *f)
{
    struct stat st;
    const off_t at = ftello(f);
    if (at < 0 || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    return st.st_size > at ? (int64_t)(st.st_size - at) : 0;
}

/* The header's counts against the file's size, before anything is allocated for them (a header
 * claiming 4e9 vertices must not cost 96 GB). Binary: an element's record is at least its scalars'
 * sizes plus its lists' count sizes (empty lists). Ascii: at least one value per scalar and per
 * list count, each a digit and a separator (the last one's may be the end of the file). */
static int ply_check_counts(ply_in *in, const ply_elem *el, int nel)
{
    const int64_t left = bytes_left(in->f);
    if (left < 0) return 0;
    const int ascii = in->format == PLY_ASCII;
    const int64_t budget = ascii ? (left + 1) / 2 : left; /* bytes, or ascii values */
    int64_t need = 0;
    for (int k = 0; k < nel; k++) {
        int64_t rec = 0;
        for (int q = 0; q < el[k].nprop; q++) {
            const ply_prop *p = &el[k].prop[q];
            rec += ascii ? 1 : ply_types[p->count_type != T_NONE ? p->count_type : p->type].size;
        }
        if (rec > 0 && el[k].count > (budget - need) / rec)
            return ply_fail(in, "the header claims %" PRId64 " %s elements (at least %" PRId64 " %s each) but the file holds %" PRId64
                            " bytes after the header: a file shorter than its header says",
                            el[k].count, el[k].name, ascii ? 2 * rec : rec, ascii ? "bytes of text" : "bytes", left);
        need += el[k].count * rec;
    }
    return 0;
}

static int ply_body(ply_in *in, const ply_elem *el, int nel, sd_mesh_raw *r)
{
    int iv = -1, iface = -1;
    wanted wv = {{-1, -1, -1}}, wf = {{-1, -1, -1}};
    for (int k = 0; k < nel; k++) {
        if (!strcmp(el[k].name, "vertex")) iv = k;
        if (!strcmp(el[k].name, "face")) iface = k;
    }
    if (iv < 0 || iface < 0) return ply_fail(in, "the header declares no %s element: expected 'element vertex N' and 'element face M'", iv < 0 ? "vertex" : "face");
    for (int c = 0; c < 3; c++) {
        static const char *xyz[3] = {"x", "y", "z"};
        wv.col[c] = find_prop(&el[iv], xyz[c]);
        if (wv.col[c] < 0 || el[iv].prop[wv.col[c]].count_type != T_NONE)
            return ply_fail(in, "the vertex element has no scalar property %s: expected x, y and z", xyz[c]);
    }
    wf.col[0] = find_prop(&el[iface], "vertex_indices");
    if (wf.col[0] < 0) wf.col[0] = find_prop(&el[iface], "vertex_index");
    if (wf.col[0] < 0 || el[iface].prop[wf.col[0]].count_type == T_NONE || el[iface].prop[wf.col[0]].type >= T_F32)
        return ply_fail(in, "the face element has no integer list vertex_indices (or vertex_index): expected 'property list uchar int vertex_indices'");
    if (el[iv].count > SD_MESH_MAX_VERTICES || el[iface].count > SD_MESH_MAX_FACES)
        return ply_fail(in, "%" PRId64 " vertices and %" PRId64 " faces: expected at most %" PRId64 " and %" PRId64, el[iv].count,
                        el[iface].count, SD_MESH_MAX_VERTICES, SD_MESH_MAX_FACES);
    if (ply_check_counts(in, el, nel) < 0) return -1;
    r->m.nv = el[iv].count;
    r->m.nf = el[iface].count;
    r->m.x = malloc((size_t)(r->m.nv ? r->m.nv : 1) * 3 * sizeof *r->m.x);
    r->m.tri = malloc((size_t)(r->m.nf ? r->m.nf : 1) * 3 * sizeof *r->m.tri);
    if (in->format == PLY_ASCII) r->face_line = malloc((size_t)(r->m.nf ? r->m.nf : 1) * sizeof *r->face_line);
    if (!r->m.x || !r->m.tri || (in->format == PLY_ASCII && !r->face_line))
        return ply_fail(in, "out of memory for %" PRId64 " vertices and %" PRId64 " faces", r->m.nv, r->m.nf);
    for (int k = 0; k < nel; k++)
        if (read_element(in, &el[k], r, k == iv, k == iface, k == iv ? &wv : &wf) < 0) return -1;
    /* nothing may follow: a longer file means the header's counts or types are wrong */
    if (in->format == PLY_ASCII) {
        int k;
        while ((k = ply_line(in)) > 0)
            if (ply_token(in)) return ply_fail(in, "found data after the last element: expected the end of the file");
        return k;
    }
    if (fgetc(in->f) != EOF) {
        snprintf(in->err, in->errlen, "%s: found data after the last %s element: expected the end of the file (are the "
                 "header's counts and types right?)", in->path, el[nel - 1].name);
        return -1;
    }
    return ferror(in->f) ? ply_fail(in, "read error: %s", strerror(errno)) : 0;
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

int sd_mesh_read_ply(const char *path, sd_mesh_raw *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    ply_in in = {.path = path, .err = err, .errlen = errlen};
    in.f = fopen(path, "rb");
    if (!in.f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    ply_elem *el = malloc(PLY_MAX_ELEMS * sizeof *el);
    int nel = 0, rc;
    if (!el)
        rc = ply_fail(&in, "out of memory");
    else if ((rc = ply_header(&in, el, &nel)) == 0) {
        in.swap = in.format != PLY_ASCII && (in.format == PLY_LE) != host_little_endian();
        rc = ply_body(&in, el, nel, r);
    }
    free(el);
    free(in.buf);
    if (fclose(in.f) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc < 0) sd_mesh_raw_free(r);
    return rc;
}

/* ---- writing -------------------------------------------------------------------------------------- */

static void put_le(unsigned char *b, uint64_t v, int n)
{
    for (int k = 0; k < n; k++) b[k] = (unsigned char)(v >> 8 * k);
}

int sd_mesh_put_ply(FILE *f, const sd_mesh *m)
{
    if (m->nv > INT32_MAX) {
        errno = EOVERFLOW; /* int32 indices */
        return -1;
    }
    if (fprintf(f, "ply\nformat binary_little_endian 1.0\ncomment written by stardag\nelement vertex %" PRId64
                   "\nproperty double x\nproperty double y\nproperty double z\nelement face %" PRId64
                   "\nproperty list uchar int vertex_indices\nend_header\n",
                m->nv, m->nf) < 0)
        return -1;
    unsigned char b[24];
    for (int64_t v = 0; v < m->nv; v++) {
        for (int d = 0; d < 3; d++) {
            uint64_t bits;
            memcpy(&bits, m->x + 3 * v + d, 8);
            put_le(b + 8 * d, bits, 8);
        }
        if (fwrite(b, 1, 24, f) != 24) return -1;
    }
    for (int64_t k = 0; k < m->nf; k++) {
        b[0] = 3;
        for (int e = 0; e < 3; e++) put_le(b + 1 + 4 * e, (uint32_t)(int32_t)m->tri[3 * k + e], 4);
        if (fwrite(b, 1, 13, f) != 13) return -1;
    }
    return 0;
}
