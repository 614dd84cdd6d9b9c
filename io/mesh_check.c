/* mesh_check.c - validation and repair of a closed triangle mesh (see mesh_file.h).
 *
 * Per face: finite coordinates, indices in range, three distinct vertices, non-zero area. Then
 * the half-edges are sorted by their undirected edge (a stable radix sort: O(n), so a level-9
 * icosphere's 15.7M half-edges sort in well under a second), and each edge's group tells duplicate
 * faces, non-manifold edges (> 2 faces), holes (1 face) and inconsistent orientation (both faces
 * walk it the same way). With every edge joining two oppositely oriented faces, the corners around
 * each vertex are joined across edges (union-find): more than one set at a vertex is a pinch (its
 * faces form several fans). Faces joined across edges form the closed surfaces; each one with a
 * negative enclosed volume is reversed. Refusals come first, in that order, and name the first
 * offending face in file order; repairs happen only when nothing was refused. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_internal.h"

typedef struct half_edge {
    uint64_t key; /* min << 32 | max of the two vertices */
    int64_t he;   /* 3 f + e: from corner e of face f to corner (e+1)%3 */
} half_edge;

/* Stable LSD radix sort on key, 8 bits a pass; passes whose byte is constant are skipped. */
static int radix_sort(half_edge *a, int64_t n)
{
    half_edge *tmp = malloc((size_t)(n > 0 ? n : 1) * sizeof *tmp);
    int64_t(*count)[256] = calloc(8, sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return -1;
    }
    for (int64_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++) count[b][a[i].key >> 8 * b & 0xff]++;
    half_edge *src = a, *dst = tmp;
    for (int b = 0; b < 8; b++) {
        int used = 0;
        for (int d = 0; d < 256; d++) used += count[b][d] != 0;
        if (used <= 1) continue;
        int64_t pos[256], sum = 0;
        for (int d = 0; d < 256; d++) {
            pos[d] = sum;
            sum += count[b][d];
        }
        for (int64_t i = 0; i < n; i++) dst[pos[src[i].key >> 8 * b & 0xff]++] = src[i];
        half_edge *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, (size_t)n * sizeof *a);
    free(tmp);
    free(count);
    return 0;
}

static int64_t uf_find(int64_t *parent, int64_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void uf_union(int64_t *parent, int64_t a, int64_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b) parent[a > b ? a : b] = a < b ? a : b; /* the smaller index is the root: deterministic */
}

/* Message context: where the mesh came from and how the file numbers things. */
typedef struct ctx {
    const sd_mesh *m;
    const int64_t *line;
    const char *path;
    int base;
    char *err;
    size_t errlen;
} ctx;

/* "PATH:LINE: " (or "PATH: ") then the message. */
static int fail(const ctx *c, int64_t face, const char *fmt, ...)
{
    int n;
    if (c->line && face >= 0)
        n = snprintf(c->err, c->errlen, "%s:%" PRId64 ": ", c->path, c->line[face]);
    else
        n = snprintf(c->err, c->errlen, "%s: ", c->path);
    if (n >= 0 && (size_t)n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A face as the file knows it: "face (3 4 5)" when lines are known (the line is in the prefix),
 * else "face 12 (3 4 5)". */
static const char *face_name(const ctx *c, int64_t f, char *buf, size_t len)
{
    const int64_t *t = c->m->tri + 3 * f;
    if (c->line)
        snprintf(buf, len, "face (%" PRId64 " %" PRId64 " %" PRId64 ")", t[0] + c->base, t[1] + c->base, t[2] + c->base);
    else
        snprintf(buf, len, "face %" PRId64 " (%" PRId64 " %" PRId64 " %" PRId64 ")", f, t[0] + c->base, t[1] + c->base,
                 t[2] + c->base);
    return buf;
}

/* Another face: "the face on line 12" or "face 7". */
static const char *other_name(const ctx *c, int64_t f, char *buf, size_t len)
{
    if (c->line)
        snprintf(buf, len, "the face on line %" PRId64, c->line[f]);
    else
        snprintf(buf, len, "face %" PRId64, f);
    return buf;
}

static int check_faces(const ctx *c)
{
    const sd_mesh *m = c->m;
    char fn[96];
    for (int64_t v = 0; v < m->nv; v++)
        for (int d = 0; d < 3; d++)
            if (!isfinite(m->x[3 * v + d]))
                return fail(c, -1, "vertex %" PRId64 " has %c = %g: expected finite coordinates", v + c->base, "xyz"[d],
                            m->x[3 * v + d]);
    for (int64_t f = 0; f < m->nf; f++) {
        const int64_t *t = m->tri + 3 * f;
        for (int e = 0; e < 3; e++)
            if (t[e] < 0 || t[e] >= m->nv)
                return fail(c, f, "%s has vertex %" PRId64 " out of range: expected %d..%" PRId64 " (%" PRId64 " vertices)",
                            face_name(c, f, fn, sizeof fn), t[e] + c->base, c->base, m->nv - 1 + c->base, m->nv);
        for (int e = 0; e < 3; e++)
            if (t[e] == t[(e + 1) % 3])
                return fail(c, f, "%s is degenerate: vertex %" PRId64 " repeated, expected three distinct vertices",
                            face_name(c, f, fn, sizeof fn), t[e] + c->base);
        const double *a = m->x + 3 * t[0], *b = m->x + 3 * t[1], *p = m->x + 3 * t[2];
        double u[3], w[3], longest = 0;
        for (int d = 0; d < 3; d++) {
            u[d] = b[d] - a[d];
            w[d] = p[d] - a[d];
        }
        const double cr[3] = {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]};
        const double *q[3] = {a, b, p};
        for (int e = 0; e < 3; e++) {
            double l2 = 0;
            for (int d = 0; d < 3; d++) l2 += (q[(e + 1) % 3][d] - q[e][d]) * (q[(e + 1) % 3][d] - q[e][d]);
            if (l2 > longest) longest = l2;
        }
        double cross = sqrt(cr[0] * cr[0] + cr[1] * cr[1] + cr[2] * cr[2]);
        if (cross <= 1e-14 * longest)
            return fail(c, f,
                        "%s is degenerate: zero area (|(b-a)x(c-a)| = %.3g <= 1e-14 x longest edge^2 = %.3g), expected a "
                        "proper triangle",
                        face_name(c, f, fn, sizeof fn), cross, longest);
    }
    return 0;
}

/* The first offence of one kind (lowest face index) and how many there were. */
typedef struct offence {
    int64_t face, other, count;
    uint64_t key;
} offence;

static void note(offence *o, int64_t face, int64_t other, uint64_t key)
{
    if (o->count++ == 0 || face < o->face) {
        o->face = face;
        o->other = other;
        o->key = key;
    }
}

static const char *more(const offence *o, const char *what, char *buf, size_t len)
{
    if (o->count > 1)
        snprintf(buf, len, " (%" PRId64 " %s in all)", o->count, what);
    else
        buf[0] = 0;
    return buf;
}

static uint64_t edge_key(uint64_t a, uint64_t b)
{
    return a < b ? a << 32 | b : b << 32 | a;
}

/* The smallest edge key of face f: duplicate faces share all three edges. */
static uint64_t min_key(const int64_t *tri, int64_t f)
{
    const uint64_t t[3] = {(uint64_t)tri[3 * f], (uint64_t)tri[3 * f + 1], (uint64_t)tri[3 * f + 2]};
    uint64_t k = edge_key(t[0], t[1]), k1 = edge_key(t[1], t[2]), k2 = edge_key(t[2], t[0]);
    return k < k1 ? (k < k2 ? k : k2) : (k1 < k2 ? k1 : k2);
}

/* Groups of the sorted half-edges: duplicates, non-manifold edges, holes, orientation. On success
 * joins corners (per vertex) and faces (per surface) across each edge. */
static int check_edges(const ctx *c, const half_edge *h, int64_t nh, int64_t *corner, int64_t *face)
{
    const int64_t *tri = c->m->tri;
    offence dup = {0}, multi = {0}, hole = {0}, same = {0};
    for (int64_t i = 0; i < nh;) {
        int64_t j = i + 1;
        while (j < nh && h[j].key == h[i].key) j++;
        int64_t k = j - i;
        /* duplicates: two faces of the group with the same third vertex (groups are small) */
        for (int64_t p = i; p < j && k <= 64; p++)
            for (int64_t q = p + 1; q < j; q++) {
                int64_t fp = h[p].he / 3, fq = h[q].he / 3;
                if (tri[3 * fp + (h[p].he + 2) % 3] == tri[3 * fq + (h[q].he + 2) % 3] && h[i].key == min_key(tri, fp))
                    note(&dup, fp > fq ? fp : fq, fp < fq ? fp : fq, h[i].key); /* once a pair, not once an edge */
            }
        if (k > 2)
            note(&multi, h[i].he / 3, j - i, h[i].key);
        else if (k == 1)
            note(&hole, h[i].he / 3, -1, h[i].key);
        else {
            int64_t a = h[i].he, b = h[i + 1].he;
            int64_t fa = a / 3, fb = b / 3, ea = a % 3, eb = b % 3;
            if (tri[a] == tri[b])
                note(&same, fb, fa, h[i].key);
            else {
                uf_union(corner, a, 3 * fb + (eb + 1) % 3);
                uf_union(corner, 3 * fa + (ea + 1) % 3, b);
                uf_union(face, fa, fb);
            }
        }
        i = j;
    }
    char fn[96], on[64], mo[64];
    if (dup.count)
        return fail(c, dup.face, "%s repeats the vertices of %s%s: duplicate faces, expected each triangle once",
                    face_name(c, dup.face, fn, sizeof fn), other_name(c, dup.other, on, sizeof on),
                    more(&dup, "duplicate pairs", mo, sizeof mo));
    const int b = c->base;
    if (multi.count)
        return fail(c, multi.face,
                    "edge (%" PRId64 ", %" PRId64 ") of %s is shared by %" PRId64 " faces%s: a non-manifold edge, expected "
                    "exactly 2 faces per edge",
                    (int64_t)(multi.key >> 32) + b, (int64_t)(multi.key & 0xffffffffu) + b,
                    face_name(c, multi.face, fn, sizeof fn), multi.other, more(&multi, "such edges", mo, sizeof mo));
    if (hole.count)
        return fail(c, hole.face,
                    "edge (%" PRId64 ", %" PRId64 ") of %s belongs to no other face%s: the mesh has a hole, expected a "
                    "closed surface (each edge shared by 2 faces)",
                    (int64_t)(hole.key >> 32) + b, (int64_t)(hole.key & 0xffffffffu) + b,
                    face_name(c, hole.face, fn, sizeof fn), more(&hole, "open edges", mo, sizeof mo));
    if (same.count) {
        /* name the edge in the direction both faces walk it */
        const int64_t *t = tri + 3 * same.face;
        int64_t from = 0, to = 0;
        for (int e = 0; e < 3; e++) {
            if (edge_key((uint64_t)t[e], (uint64_t)t[(e + 1) % 3]) == same.key) {
                from = t[e];
                to = t[(e + 1) % 3];
            }
        }
        return fail(c, same.face,
                    "%s walks edge %" PRId64 "->%" PRId64 " in the same direction as %s%s: inconsistent "
                    "orientation (a flipped face), expected each edge walked once each way",
                    face_name(c, same.face, fn, sizeof fn), from + b, to + b, other_name(c, same.other, on, sizeof on),
                    more(&same, "such edges", mo, sizeof mo));
    }
    return 0;
}

/* A vertex whose corners are not all joined across edges is a pinch point. */
static int check_fans(const ctx *c, int64_t *corner)
{
    const sd_mesh *m = c->m;
    int64_t *first = malloc((size_t)m->nv * sizeof *first);
    if (!first) return fail(c, -1, "out of memory checking %" PRId64 " vertices", m->nv);
    for (int64_t v = 0; v < m->nv; v++) first[v] = -1;
    for (int64_t k = 0; k < 3 * m->nf; k++) {
        int64_t v = m->tri[k];
        if (first[v] < 0) {
            first[v] = k;
            continue;
        }
        if (uf_find(corner, k) == uf_find(corner, first[v])) continue;
        char fn[96], on[64];
        int64_t f0 = first[v] / 3;
        free(first);
        return fail(c, k / 3,
                    "vertex %" PRId64 " is non-manifold: %s and %s meet there but lie in separate fans, "
                    "expected the faces around a vertex to form one fan",
                    v + c->base, face_name(c, k / 3, fn, sizeof fn), other_name(c, f0, on, sizeof on));
    }
    free(first);
    return 0;
}

/* Reverse each closed surface whose enclosed volume is negative; a surface that encloses no volume
 * (|V| <= 1e-12 A^(3/2): flat, or folded onto itself) is refused. -1: out of memory (nothing set);
 * -2: refused (c's message set). */
static int orient_outward(const ctx *c, sd_mesh *m, int64_t *face, sd_mesh_notes *notes)
{
    double *vol = calloc((size_t)m->nf, sizeof *vol), *area = calloc((size_t)m->nf, sizeof *area);
    if (!vol || !area) {
        free(vol), free(area);
        return -1;
    }
    for (int64_t f = 0; f < m->nf; f++) {
        const double *a = m->x + 3 * m->tri[3 * f], *b = m->x + 3 * m->tri[3 * f + 1], *p = m->x + 3 * m->tri[3 * f + 2];
        face[f] = uf_find(face, f);
        vol[face[f]] += (a[0] * (b[1] * p[2] - b[2] * p[1]) - a[1] * (b[0] * p[2] - b[2] * p[0]) +
                                  a[2] * (b[0] * p[1] - b[1] * p[0])) / 6.0;
        const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, w[3] = {p[0] - a[0], p[1] - a[1], p[2] - a[2]};
        const double n[3] = {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]};
        area[face[f]] += 0.5 * sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    }
    for (int64_t f = 0; f < m->nf; f++) { /* each surface once, named by its first face in file order */
        const int64_t r = face[f];
        if (area[r] < 0) continue;
        if (fabs(vol[r]) <= 1e-12 * area[r] * sqrt(area[r])) {
            char fn[96];
            fail(c, f, "the closed surface of %s encloses no volume (V = %.3g, area %.6g): expected a surface around a solid",
                 face_name(c, f, fn, sizeof fn), vol[r], area[r]);
            free(vol), free(area);
            return -2;
        }
        area[r] = -1.0; /* checked */
    }
    for (int64_t f = 0; f < m->nf; f++)
        if (vol[face[f]] < 0) {
            int64_t t = m->tri[3 * f + 1];
            m->tri[3 * f + 1] = m->tri[3 * f + 2];
            m->tri[3 * f + 2] = t;
            notes->flipped++;
        }
    free(vol), free(area);
    return 0;
}

/* Drop vertices no face uses; the rest keep their order. */
static int drop_unreferenced(sd_mesh *m, sd_mesh_notes *notes)
{
    int64_t *map = malloc((size_t)m->nv * sizeof *map);
    if (!map) return -1;
    for (int64_t v = 0; v < m->nv; v++) map[v] = -1;
    for (int64_t k = 0; k < 3 * m->nf; k++) map[m->tri[k]] = 0;
    int64_t n = 0;
    for (int64_t v = 0; v < m->nv; v++) {
        if (map[v] < 0) continue;
        map[v] = n;
        if (n != v) memmove(m->x + 3 * n, m->x + 3 * v, 3 * sizeof *m->x);
        n++;
    }
    if (n != m->nv) {
        for (int64_t k = 0; k < 3 * m->nf; k++) m->tri[k] = map[m->tri[k]];
        notes->dropped_vertices += m->nv - n;
        m->nv = n;
    }
    free(map);
    return 0;
}

int sd_mesh_check_based(sd_mesh *m, const int64_t *face_line, const char *path, int vertex_base,
                        sd_mesh_notes *notes, char *err, size_t errlen)
{
    sd_mesh_notes local;
    if (!notes) notes = &local;
    memset(notes, 0, sizeof *notes);
    ctx c = {m, face_line, path ? path : "mesh", vertex_base, err, errlen};
    if (m->nf < 4 || m->nv < 4)
        return fail(&c, -1, "%" PRId64 " vertices and %" PRId64 " faces: expected a closed surface (at least 4 vertices "
                    "and 4 faces)", m->nv, m->nf);
    if (m->nv > SD_MESH_MAX_VERTICES || m->nf > SD_MESH_MAX_FACES)
        return fail(&c, -1, "%" PRId64 " vertices and %" PRId64 " faces: expected at most %" PRId64 " and %" PRId64, m->nv,
                    m->nf, SD_MESH_MAX_VERTICES, SD_MESH_MAX_FACES);
    if (check_faces(&c) < 0) return -1;
    const int64_t nh = 3 * m->nf;
    half_edge *h = malloc((size_t)nh * sizeof *h);
    int64_t *corner = malloc((size_t)nh * sizeof *corner), *face = malloc((size_t)m->nf * sizeof *face);
    int rc = -1;
    if (!h || !corner || !face) {
        fail(&c, -1, "out of memory checking %" PRId64 " faces", m->nf);
        goto out;
    }
    for (int64_t k = 0; k < nh; k++) {
        h[k].key = edge_key((uint64_t)m->tri[k], (uint64_t)m->tri[k / 3 * 3 + (k + 1) % 3]);
        h[k].he = k;
        corner[k] = k;
    }
    for (int64_t f = 0; f < m->nf; f++) face[f] = f;
    if (radix_sort(h, nh) < 0) {
        fail(&c, -1, "out of memory sorting %" PRId64 " edges", nh);
        goto out;
    }
    if (check_edges(&c, h, nh, corner, face) < 0 || check_fans(&c, corner) < 0) goto out;
    const int orient = orient_outward(&c, m, face, notes);
    if (orient == -2) goto out;
    if (orient < 0 || drop_unreferenced(m, notes) < 0) {
        fail(&c, -1, "out of memory repairing %" PRId64 " vertices and %" PRId64 " faces", m->nv, m->nf);
        goto out;
    }
    rc = 0;
out:
    free(h);
    free(corner);
    free(face);
    return rc;
}

int sd_mesh_check(sd_mesh *m, const int64_t *face_line, const char *path, sd_mesh_notes *notes, char *err, size_t errlen)
{
    return sd_mesh_check_based(m, face_line, path, 0, notes, err, errlen);
}
