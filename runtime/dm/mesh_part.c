/* mesh_part.c - partitions of a triangle mesh. Vertices are ordered along a Hilbert curve of their
 * positions and cut into equal ranges: neighbours on the surface are near in space, so a
 * range is a compact patch with few cut edges, and the cut does not depend on the vertex numbering
 * of the file. Each partition then gathers its local mesh: owned vertices (in curve order, for
 * locality), ghost ring 1 and ring 2 (each by global id), and every face touching the owned or
 * ring-1 vertices (owned faces first, each group in the order the local vertices reach them); corner
 * lists by global face id, so that sums at a vertex run in the same order in every partition
 * (stardag/kernel.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mesh_part.h"

typedef struct keyed {
    uint64_t key;
    int64_t id;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int by_id(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The index along a 3-D Hilbert curve of 21-bit coordinates (Skilling's transpose form, 2004):
 * consecutive indices are neighbouring cells, so equal index ranges are compact patches (a Z-order
 * curve jumps, and cuts about twice as many edges). */
static uint64_t hilbert(uint32_t X[3])
{
    const int b = 21;
    for (uint32_t Q = 1u << (b - 1); Q > 1; Q >>= 1) {
        const uint32_t P = Q - 1;
        for (int i = 0; i < 3; i++)
            if (X[i] & Q) X[0] ^= P;
            else {
                const uint32_t t = (X[0] ^ X[i]) & P;
                X[0] ^= t;
                X[i] ^= t;
            }
    }
    for (int i = 1; i < 3; i++) X[i] ^= X[i - 1];
    uint32_t t = 0;
    for (uint32_t Q = 1u << (b - 1); Q > 1; Q >>= 1)
        if (X[2] & Q) t ^= Q - 1;
    uint64_t key = 0;
    for (int bit = b - 1; bit >= 0; bit--)
        for (int i = 0; i < 3; i++) key = key << 1 | (((X[i] ^ t) >> bit) & 1);
    return key;
}

static keyed *curve_order(int64_t nv, const double *x)
{
    keyed *k = malloc(sizeof *k * (size_t)nv);
    if (!k) return NULL;
    double lo[3], hi[3];
    for (int d = 0; d < 3; d++) lo[d] = hi[d] = x[d];
    for (int64_t v = 0; v < nv; v++)
        for (int d = 0; d < 3; d++) {
            if (x[3 * v + d] < lo[d]) lo[d] = x[3 * v + d];
            if (x[3 * v + d] > hi[d]) hi[d] = x[3 * v + d];
        }
    for (int64_t v = 0; v < nv; v++) {
        uint32_t X[3];
        for (int d = 0; d < 3; d++) {
            const double span = hi[d] - lo[d];
            X[d] = (uint32_t)((span > 0 ? (x[3 * v + d] - lo[d]) / span : 0.0) * 2097151.0);
        }
        k[v] = (keyed){hilbert(X), v};
    }
    qsort(k, (size_t)nv, sizeof *k, by_key);
    return k;
}

int sd_mparts_auto(int64_t nv, int nworkers)
{
    int64_t n = nv / 5000;
    if (n > 2 * (int64_t)nworkers) n = 2 * (int64_t)nworkers;
    return n < 1 ? 1 : (int)n;
}

/* Shared state of the build: the global vertex -> face lists and the marks of one partition. */
typedef struct build {
    int64_t nv, nf;
    const int64_t *tri;
    int64_t *vfs, *vf;   /* faces of vertex v: vf[vfs[v] .. vfs[v+1]), increasing */
    int64_t *vmark;      /* local index in the partition being built, -1 none */
    int64_t *fmark;
    int64_t *list;       /* scratch: vertices or faces being collected */
} build;

/* Vertices sharing a face with vertices lv[0..n) that are not yet local: appended to b->list from
 * position at (marked -2 while collected), sorted by id; returns the new end. */
static int64_t collect_ring(build *b, const int64_t *lv, int64_t n, int64_t at)
{
    const int64_t start = at;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = b->vfs[lv[i]]; j < b->vfs[lv[i] + 1]; j++)
            for (int k = 0; k < 3; k++) {
                const int64_t u = b->tri[3 * b->vf[j] + k];
                if (b->vmark[u] == -1) {
                    b->vmark[u] = -2;
                    b->list[at++] = u;
                }
            }
    qsort(b->list + start, (size_t)(at - start), sizeof(int64_t), by_id);
    return at;
}

static int build_part(build *b, const sd_mparts *P, int p, const int64_t *owned, int64_t nown)
{
    sd_mlocal *m = &P->part[p];
    int64_t nl = 0;
    for (int64_t i = 0; i < nown; i++) {
        b->list[nl++] = owned[i];
        b->vmark[owned[i]] = -2;
    }
    const int64_t r1 = collect_ring(b, owned, nown, nl);
    const int64_t r2 = collect_ring(b, b->list + nown, r1 - nown, r1);
    m->nv_own = nown;
    m->nv_ring1 = r1;
    m->nv = r2;
    m->vid = malloc(sizeof *m->vid * (size_t)r2);
    m->src_part = malloc(sizeof *m->src_part * (size_t)(r2 - nown + 1));
    m->src_index = malloc(sizeof *m->src_index * (size_t)(r2 - nown + 1));
    if (!m->vid || !m->src_part || !m->src_index) return -1;
    for (int64_t i = 0; i < r2; i++) {
        m->vid[i] = b->list[i];
        b->vmark[b->list[i]] = i;
    }
    /* faces touching owned and ring-1 vertices: owned ones first, each group in the order the local
     * vertices (owned ones in curve order) first reach them, so that faces near on the surface are
     * near in memory: the kernels' passes over a vertex's corners then read face data the face
     * passes just wrote (1.2x at 40k vertices; by global id, at 2 MB of scratch per partition, they
     * missed the caches). Corner lists stay by global face id: the sums keep their order. */
    int64_t nfl = 0, nfo = 0;
    int64_t *fl = b->list; /* the vertex list is in m->vid now */
    for (int pass = 0; pass < 2; pass++) {
        for (int64_t i = 0; i < r1; i++)
            for (int64_t j = b->vfs[m->vid[i]]; j < b->vfs[m->vid[i] + 1]; j++) {
                const int64_t f = b->vf[j];
                if (b->fmark[f] != -1) continue;
                const int64_t *t = b->tri + 3 * f;
                int64_t lo = t[0];
                if (t[1] < lo) lo = t[1];
                if (t[2] < lo) lo = t[2];
                if ((P->owner[lo] == p) != (pass == 0)) continue;
                b->fmark[f] = -2;
                fl[nfl++] = f;
            }
        if (pass == 0) nfo = nfl;
    }
    m->nf_own = nfo;
    m->nf = nfl;
    m->fid = malloc(sizeof *m->fid * (size_t)(nfl + 1));
    m->tri = malloc(sizeof *m->tri * (size_t)(3 * nfl + 1));
    m->cstart = malloc(sizeof *m->cstart * (size_t)(r1 + 1));
    if (!m->fid || !m->tri || !m->cstart) return -1;
    for (int64_t f = 0; f < nfl; f++) {
        m->fid[f] = fl[f];
        b->fmark[fl[f]] = f;
        for (int k = 0; k < 3; k++) m->tri[3 * f + k] = (int32_t)b->vmark[b->tri[3 * fl[f] + k]];
    }
    int64_t nc = 0;
    m->cstart[0] = 0;
    for (int64_t i = 0; i < r1; i++) m->cstart[i + 1] = nc += b->vfs[m->vid[i] + 1] - b->vfs[m->vid[i]];
    m->corner = malloc(sizeof *m->corner * (size_t)(nc + 1));
    if (!m->corner) return -1;
    for (int64_t i = 0; i < r1; i++) {
        int64_t c = m->cstart[i];
        for (int64_t j = b->vfs[m->vid[i]]; j < b->vfs[m->vid[i] + 1]; j++) {
            const int64_t f = b->vf[j], *t = b->tri + 3 * f;
            const int k = t[0] == m->vid[i] ? 0 : t[1] == m->vid[i] ? 1 : 2;
            m->corner[c++] = (int32_t)(3 * b->fmark[f] + k);
        }
    }
    for (int64_t i = 0; i < r2; i++) b->vmark[m->vid[i]] = -1;
    for (int64_t f = 0; f < nfl; f++) b->fmark[m->fid[f]] = -1;
    return 0;
}

/* Export lists and the ghosts' sources. */
static int link_ghosts(const sd_mparts *P, int64_t nv, int64_t *pos)
{
    for (int64_t v = 0; v < nv; v++) pos[v] = -1;
    for (int p = 0; p < P->n; p++)
        for (int64_t g = P->part[p].nv_own; g < P->part[p].nv; g++) pos[P->part[p].vid[g]] = 0;
    for (int q = 0; q < P->n; q++) {
        sd_mlocal *m = &P->part[q];
        m->nexport = 0;
        for (int64_t i = 0; i < m->nv_own; i++) m->nexport += pos[m->vid[i]] == 0;
        m->exports = malloc(sizeof *m->exports * (size_t)(m->nexport + 1));
        if (!m->exports) return -1;
        int64_t e = 0;
        for (int64_t i = 0; i < m->nv_own; i++)
            if (pos[m->vid[i]] == 0) m->exports[e++] = i;
        for (int64_t j = 0; j < e; j++) pos[m->vid[m->exports[j]]] = -2 - j; /* keep 0 free for "needed" */
    }
    for (int p = 0; p < P->n; p++) {
        sd_mlocal *m = &P->part[p];
        const int64_t ng = m->nv - m->nv_own;
        m->src = calloc((size_t)P->n, sizeof *m->src);
        if (!m->src) return -1;
        for (int64_t g = 0; g < ng; g++) {
            const int64_t v = m->vid[m->nv_own + g];
            m->src_part[g] = P->owner[v];
            m->src_index[g] = -2 - pos[v];
            m->src[P->owner[v]] = 1;
        }
        m->nsrc = 0;
        for (int q = 0; q < P->n; q++)
            if (m->src[q]) m->src[m->nsrc++] = q;
    }
    return 0;
}

int sd_mparts_make(int64_t nv, int64_t nf, const double *x, const int64_t *tri, int nparts, sd_mparts *P, char *err,
                   size_t errlen)
{
    memset(P, 0, sizeof *P);
    if (nparts < 1 || nparts > nv) {
        snprintf(err, errlen, "%d mesh partitions for %lld vertices (expected 1 to the vertex count)", nparts, (long long)nv);
        return -1;
    }
    build b = {.nv = nv, .nf = nf, .tri = tri};
    keyed *k = curve_order(nv, x);
    P->n = nparts;
    P->part = calloc((size_t)nparts, sizeof *P->part);
    P->owner = malloc(sizeof *P->owner * (size_t)nv);
    b.vfs = calloc((size_t)nv + 1, sizeof *b.vfs);
    b.vf = malloc(sizeof *b.vf * (size_t)(3 * nf + 1));
    b.vmark = malloc(sizeof *b.vmark * (size_t)nv);
    b.fmark = malloc(sizeof *b.fmark * (size_t)(nf + 1));
    b.list = malloc(sizeof *b.list * (size_t)((nv > nf ? nv : nf) + 1));
    int64_t *owned = malloc(sizeof *owned * (size_t)nv);
    int rc = -1;
    if (!k || !P->part || !P->owner || !b.vfs || !b.vf || !b.vmark || !b.fmark || !b.list || !owned) goto out;
    for (int64_t r = 0, p = 0; r < nv; r++) {
        while (p + 1 < nparts && r >= (p + 1) * nv / nparts) p++;
        P->owner[k[r].id] = (int32_t)p;
        owned[r] = k[r].id;
    }
    for (int64_t f = 0; f < 3 * nf; f++) b.vfs[tri[f] + 1]++;
    for (int64_t v = 0; v < nv; v++) b.vfs[v + 1] += b.vfs[v];
    for (int64_t v = 0; v < nv; v++) b.vmark[v] = b.vfs[v];
    for (int64_t f = 0; f < nf; f++)
        for (int c = 0; c < 3; c++) b.vf[b.vmark[tri[3 * f + c]]++] = f;
    for (int64_t v = 0; v < nv; v++) b.vmark[v] = -1;
    for (int64_t f = 0; f < nf; f++) b.fmark[f] = -1;
    for (int64_t f = 0; f < nf; f++)
        for (int c = 0; c < 3; c++) P->cut_edges += P->owner[tri[3 * f + c]] != P->owner[tri[3 * f + (c + 1) % 3]];
    P->cut_edges /= 2; /* a closed surface: every edge has two faces */
    for (int p = 0; p < nparts; p++) {
        const int64_t lo = p * nv / nparts, hi = (p + 1) * nv / nparts;
        if (build_part(&b, P, p, owned + lo, hi - lo) < 0) goto out;
    }
    if (link_ghosts(P, nv, b.vmark) < 0) goto out;
    rc = 0;
out:
    if (rc < 0) {
        snprintf(err, errlen, "out of memory partitioning a mesh of %lld vertices", (long long)nv);
        sd_mparts_free(P);
    }
    free(k); free(b.vfs); free(b.vf); free(b.vmark); free(b.fmark); free(b.list); free(owned);
    return rc;
}

void sd_mparts_free(sd_mparts *P)
{
    for (int p = 0; P->part && p < P->n; p++) {
        sd_mlocal *m = &P->part[p];
        free(m->tri); free(m->cstart); free(m->corner); free(m->vid); free(m->fid);
        free(m->src_part); free(m->src_index); free(m->exports); free(m->src);
        free(m->edge); free(m->eface); free(m->fedge); free(m->vedge); free(m->estart); free(m->eid);
    }
    free(P->part); free(P->owner);
    memset(P, 0, sizeof *P);
}
