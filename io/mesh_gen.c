/* mesh_gen.c - generated closed meshes: the icosphere (a subdivided icosahedron, midpoints projected
 * to the unit sphere) and the ellipsoid (the unit icosphere scaled per axis); sd_mesh_free.
 *
 * Determinism: the 12 base vertices are in a fixed order, the 20 faces are found by enumerating
 * vertex triples in index order (three mutually adjacent vertices form a face), and every level
 * walks the faces in order, creating the midpoints of edges (a,b), (b,c), (c,a) the first time an
 * edge is met; the same level gives the same mesh, bit for bit, on every machine. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_file.h"

#define ICO_MAX_LEVEL 10

void sd_mesh_free(sd_mesh *m)
{
    if (!m) return;
    free(m->x);
    free(m->tri);
    m->x = NULL;
    m->tri = NULL;
    m->nv = m->nf = 0;
}

static void normalize(double *p)
{
    double n = sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    p[0] /= n;
    p[1] /= n;
    p[2] /= n;
}

/* The regular icosahedron (0, +-1, +-phi) and cyclic permutations, edge 2, on the unit sphere; its
 * faces oriented outward (a.(b x c) > 0). Returns the number of faces found (20). */
static int icosahedron(double *x, int64_t *tri)
{
    const double phi = (1.0 + sqrt(5.0)) / 2.0;
    const double base[12][3] = {
        {0, 1, phi},  {0, -1, phi},  {0, 1, -phi},  {0, -1, -phi},
        {1, phi, 0},  {-1, phi, 0},  {1, -phi, 0},  {-1, -phi, 0},
        {phi, 0, 1},  {phi, 0, -1},  {-phi, 0, 1},  {-phi, 0, -1},
    };
    for (int v = 0; v < 12; v++) memcpy(x + 3 * v, base[v], sizeof base[v]);
    int nf = 0;
    for (int i = 0; i < 12; i++)
        for (int j = i + 1; j < 12; j++)
            for (int k = j + 1; k < 12; k++) {
                const int c[3] = {i, j, k};
                int edges = 0;
                for (int e = 0; e < 3; e++) {
                    const double *p = base[c[e]], *q = base[c[(e + 1) % 3]];
                    double d2 = 0;
                    for (int d = 0; d < 3; d++) d2 += (p[d] - q[d]) * (p[d] - q[d]);
                    edges += fabs(d2 - 4.0) < 1e-9;
                }
                if (edges != 3) continue;
                const double *a = base[i], *b = base[j], *cc = base[k];
                double det = a[0] * (b[1] * cc[2] - b[2] * cc[1]) - a[1] * (b[0] * cc[2] - b[2] * cc[0]) +
                             a[2] * (b[0] * cc[1] - b[1] * cc[0]);
                tri[3 * nf] = i;
                tri[3 * nf + 1] = det > 0 ? j : k;
                tri[3 * nf + 2] = det > 0 ? k : j;
                nf++;
            }
    for (int v = 0; v < 12; v++) normalize(x + 3 * v);
    return nf;
}

/* Edge -> midpoint vertex, open addressing; the key packs (min, max) vertex indices (< 2^32). */
typedef struct edge_map {
    uint64_t *key;
    int64_t *mid;
    uint64_t mask;
} edge_map;

static int edge_map_init(edge_map *h, int64_t edges)
{
    uint64_t cap = 64;
    while (cap < 2 * (uint64_t)edges) cap <<= 1;
    h->key = malloc(cap * sizeof *h->key);
    h->mid = malloc(cap * sizeof *h->mid);
    h->mask = cap - 1;
    if (!h->key || !h->mid) return -1;
    memset(h->key, 0xff, cap * sizeof *h->key); /* UINT64_MAX: empty */
    return 0;
}

static void edge_map_free(edge_map *h)
{
    free(h->key);
    free(h->mid);
}

/* The midpoint of (a, b), created (projected to the unit sphere) at x[3 *nv] if new. */
static int64_t midpoint(edge_map *h, double *x, int64_t *nv, int64_t a, int64_t b)
{
    uint64_t lo = (uint64_t)(a < b ? a : b), hi = (uint64_t)(a < b ? b : a);
    uint64_t k = lo << 32 | hi;
    uint64_t s = (k * 0x9E3779B97F4A7C15ull) >> 17 & h->mask;
    while (h->key[s] != UINT64_MAX) {
        if (h->key[s] == k) return h->mid[s];
        s = (s + 1) & h->mask;
    }
    int64_t m = (*nv)++;
    for (int d = 0; d < 3; d++) x[3 * m + d] = x[3 * a + d] + x[3 * b + d];
    normalize(x + 3 * m);
    h->key[s] = k;
    h->mid[s] = m;
    return m;
}

static int unit_icosphere(int level, sd_mesh *m, const char *what, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (level < 0 || level > ICO_MAX_LEVEL) {
        snprintf(err, errlen, "%s level %d: expected 0..%d", what, level, ICO_MAX_LEVEL);
        return -1;
    }
    int64_t nf_final = 20 * ((int64_t)1 << 2 * level), nv_final = nf_final / 2 + 2;
    m->x = malloc((size_t)nv_final * 3 * sizeof *m->x);
    m->tri = malloc((size_t)nf_final * 3 * sizeof *m->tri);
    if (!m->x || !m->tri) goto oom;
    m->nv = 12;
    m->nf = icosahedron(m->x, m->tri);
    for (int l = 0; l < level; l++) {
        int64_t *next = malloc((size_t)m->nf * 12 * sizeof *next);
        edge_map h;
        if (!next || edge_map_init(&h, m->nf * 3 / 2) < 0) {
            free(next);
            if (next) edge_map_free(&h);
            goto oom;
        }
        for (int64_t f = 0; f < m->nf; f++) {
            const int64_t a = m->tri[3 * f], b = m->tri[3 * f + 1], c = m->tri[3 * f + 2];
            const int64_t ab = midpoint(&h, m->x, &m->nv, a, b), bc = midpoint(&h, m->x, &m->nv, b, c),
                          ca = midpoint(&h, m->x, &m->nv, c, a);
            const int64_t sub[12] = {a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca};
            memcpy(next + 12 * f, sub, sizeof sub);
        }
        edge_map_free(&h);
        memcpy(m->tri, next, (size_t)m->nf * 12 * sizeof *next);
        free(next);
        m->nf *= 4;
    }
    return 0;
oom:
    sd_mesh_free(m);
    snprintf(err, errlen, "%s level %d: out of memory for %" PRId64 " vertices and %" PRId64 " faces", what,
             level, nv_final, nf_final);
    return -1;
}

int sd_mesh_icosphere(int level, double radius, sd_mesh *m, char *err, size_t errlen)
{
    if (!isfinite(radius) || radius <= 0) {
        memset(m, 0, sizeof *m);
        snprintf(err, errlen, "icosphere radius %g: expected a finite number > 0", radius);
        return -1;
    }
    if (unit_icosphere(level, m, "icosphere", err, errlen) < 0) return -1;
    if (radius != 1.0)
        for (int64_t i = 0; i < 3 * m->nv; i++) m->x[i] *= radius;
    return 0;
}

int sd_mesh_ellipsoid(int level, const double axes[3], sd_mesh *m, char *err, size_t errlen)
{
    for (int d = 0; d < 3; d++)
        if (!isfinite(axes[d]) || axes[d] <= 0) {
            memset(m, 0, sizeof *m);
            snprintf(err, errlen, "ellipsoid axis %c %g: expected a finite number > 0", "xyz"[d], axes[d]);
            return -1;
        }
    if (unit_icosphere(level, m, "ellipsoid", err, errlen) < 0) return -1;
    for (int64_t v = 0; v < m->nv; v++)
        for (int d = 0; d < 3; d++) m->x[3 * v + d] *= axes[d];
    return 0;
}
