/* mesh_view.h - a test helper: the sd_mpart view of a WHOLE closed mesh as one partition, so mesh
 * kernels can be called directly (pure C, no StarPU, no mesh domain). Every vertex is owned
 * (nv_own = nv_ring1 = nv, no ghosts), every face is owned (nf_own = nf), local ids are the global
 * ids, and each vertex's corner list (corner ids 3f + k) is in increasing face id, as the mesh
 * domain builds it. Vertex fields are SoA with stride nv (component c of vertex v at p[v + c*nv]).
 *
 *     mesh_view mv;
 *     if (mesh_view_init(&mv, nv, nf, tri, scratch_v, scratch_f)) ...;   (tri: int64 [3 nf])
 *     sd_tile_args a; memset(&a, 0, sizeof a); a.mesh = mv.m;  ... set a.p[], a.sc[] = nv ...
 *     mesh_view_free(&mv);
 *
 * Edges (for ops on edge fields; a view has none until asked): number the mesh's edges with
 * mesh_edges_sorted, then mesh_view_edges(&mv, edges, ne) adds sd_mpart's edge tables (ne_own, ne,
 * edge, eface, fedge, estart, vedge, eid) to this view or to a partition's (mesh_part.h), built
 * here from kernel.h's description alone (not from runtime/dm/mesh_part_edges.c). Edge fields are
 * SoA with stride ne. */
#ifndef SD_TEST_MESH_VIEW_H
#define SD_TEST_MESH_VIEW_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/kernel.h"

typedef struct mesh_view {
    sd_mpart m;      /* the view (pointers into the arrays below) */
    int32_t *tri;    /* [3 nf] */
    int64_t *cstart; /* [nv + 1] */
    int32_t *corner; /* [3 nf] */
    int64_t *vid, *fid;
    double *scratch; /* scratch_v * nv + scratch_f * nf doubles (NaN-filled: kernels must write before reading) */
    /* edge tables (mesh_view_edges; NULL before) */
    int32_t *edge, *eface, *fedge, *vedge;
    int64_t *estart, *eid;
} mesh_view;

static inline void mesh_view_free(mesh_view *mv)
{
    free(mv->tri), free(mv->cstart), free(mv->corner), free(mv->vid), free(mv->fid), free(mv->scratch);
    free(mv->edge), free(mv->eface), free(mv->fedge), free(mv->vedge), free(mv->estart), free(mv->eid);
    memset(mv, 0, sizeof *mv);
}

/* 0, or -1 with a message on stderr (an index out of range, no memory). */
static inline int mesh_view_init(mesh_view *mv, int64_t nv, int64_t nf, const int64_t *tri, int scratch_v,
                                 int scratch_f)
{
    memset(mv, 0, sizeof *mv);
    const int64_t ns = (int64_t)scratch_v * nv + (int64_t)scratch_f * nf;
    mv->tri = (int32_t *)malloc(sizeof(int32_t) * (size_t)(3 * nf + 1));
    mv->cstart = (int64_t *)calloc((size_t)nv + 1, sizeof(int64_t));
    mv->corner = (int32_t *)malloc(sizeof(int32_t) * (size_t)(3 * nf + 1));
    mv->vid = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nv + 1));
    mv->fid = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nf + 1));
    mv->scratch = ns ? (double *)malloc(sizeof(double) * (size_t)ns) : NULL;
    if (!mv->tri || !mv->cstart || !mv->corner || !mv->vid || !mv->fid || (ns && !mv->scratch)) {
        fprintf(stderr, "mesh_view: out of memory (%lld vertices, %lld faces)\n", (long long)nv, (long long)nf);
        mesh_view_free(mv);
        return -1;
    }
    for (int64_t i = 0; i < ns; i++) mv->scratch[i] = 0.0 / 0.0;
    for (int64_t c = 0; c < 3 * nf; c++) {
        if (tri[c] < 0 || tri[c] >= nv || nv > INT32_MAX) {
            fprintf(stderr, "mesh_view: face %lld corner %d: vertex %lld out of range [0, %lld)\n",
                    (long long)(c / 3), (int)(c % 3), (long long)tri[c], (long long)nv);
            mesh_view_free(mv);
            return -1;
        }
        mv->tri[c] = (int32_t)tri[c];
        mv->cstart[tri[c] + 1]++;
    }
    for (int64_t v = 0; v < nv; v++) mv->cstart[v + 1] += mv->cstart[v], mv->vid[v] = v;
    for (int64_t f = 0; f < nf; f++) mv->fid[f] = f;
    /* corners in increasing corner id, hence increasing face id per vertex */
    int64_t *fill = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nv + 1));
    if (!fill) {
        fprintf(stderr, "mesh_view: out of memory\n");
        mesh_view_free(mv);
        return -1;
    }
    memcpy(fill, mv->cstart, sizeof(int64_t) * (size_t)nv);
    for (int64_t c = 0; c < 3 * nf; c++) mv->corner[fill[tri[c]]++] = (int32_t)c;
    free(fill);
    sd_mpart *m = &mv->m;
    m->nv_own = m->nv_ring1 = m->nv = nv;
    m->nf_own = m->nf = nf;
    m->tri = mv->tri, m->cstart = mv->cstart, m->corner = mv->corner, m->vid = mv->vid, m->fid = mv->fid;
    m->scratch = mv->scratch;
    m->nv_global = nv, m->nf_global = nf;
    return 0;
}

/* ---- Edges ---------------------------------------------------------------------------------- */
static inline int mesh_i64_cmp(const void *p, const void *q)
{
    const int64_t a = *(const int64_t *)p, b = *(const int64_t *)q;
    return a < b ? -1 : a > b;
}
static inline int mesh_pair_cmp(const void *p, const void *q)
{
    const int64_t *a = (const int64_t *)p, *b = (const int64_t *)q;
    return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) : (a[1] < b[1] ? -1 : a[1] > b[1]);
}

/* The distinct edges of a closed mesh as (lower, higher) global vertex ids, ascending by lower,
 * then higher id: every face side sorted, duplicates dropped (plainly, O(nf log nf); the tests
 * compare it with io/mesh_edges.c). malloc'ed [2 *ne]; NULL without memory. */
static inline int64_t *mesh_edges_sorted(int64_t nf, const int64_t *tri, int64_t *ne)
{
    int64_t *e = (int64_t *)malloc(sizeof(int64_t) * (size_t)(6 * nf + 2));
    *ne = 0;
    if (!e) return NULL;
    for (int64_t f = 0; f < nf; f++)
        for (int k = 0; k < 3; k++) {
            const int64_t a = tri[3 * f + k], b = tri[3 * f + (k + 1) % 3];
            e[6 * f + 2 * k] = a < b ? a : b, e[6 * f + 2 * k + 1] = a < b ? b : a;
        }
    qsort(e, (size_t)(3 * nf), 2 * sizeof(int64_t), mesh_pair_cmp);
    int64_t n = 0;
    for (int64_t i = 0; i < 3 * nf; i++)
        if (n == 0 || e[2 * i] != e[2 * n - 2] || e[2 * i + 1] != e[2 * n - 1])
            e[2 * n] = e[2 * i], e[2 * n + 1] = e[2 * i + 1], n++;
    *ne = n;
    return e;
}

/* The global id of edge {a, b} in such a list (binary search), -1 when there is none. */
static inline int64_t mesh_edge_id(const int64_t *edge, int64_t ne, int64_t a, int64_t b)
{
    const int64_t key[2] = {a < b ? a : b, a < b ? b : a};
    int64_t lo = 0, hi = ne;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        const int c = mesh_pair_cmp(edge + 2 * mid, key);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static inline int mesh_view_edges_fail(const char *what, int64_t *lid, int64_t *key, int64_t *cnt)
{
    fprintf(stderr, "mesh_view_edges: %s\n", what);
    free(lid), free(key), free(cnt);
    return -1;
}

/* Adds the edge tables to view mv (mesh_view_init's whole mesh, or mesh_part_init's partition),
 * given the mesh's edges gedge[2 neg] in mesh_edges_sorted's order, following stardag/kernel.h:
 *  - local edges: the sides of local faces with an end among the owned and ring-1 vertices
 *    ([0, nv_ring1)); owned: the end with the lower global id is owned here; the owned ones first,
 *    each group by global id (eid);
 *  - edge[2e], edge[2e+1]: the local ends, lower global id first;
 *  - eface[2e]: the local face whose counter-clockwise boundary (tri order) runs edge[2e] ->
 *    edge[2e+1], eface[2e+1] the other (both are local: each contains the end in [0, nv_ring1));
 *  - fedge[3f + k]: the local edge from corner k to corner k+1 of face f, -1 when not local;
 *  - vedge[estart[v] .. estart[v+1]) for v in [0, nv_ring1): v's edges by increasing global id.
 * 0, or -1 with a message on stderr (no memory, an edge not in gedge, a face side seen twice in
 * one direction or an edge with one face: not a closed oriented mesh). */
static inline int mesh_view_edges(mesh_view *mv, const int64_t *gedge, int64_t neg)
{
    sd_mpart *m = &mv->m;
    const int64_t nf = m->nf, n1 = m->nv_ring1;
    int64_t *lid = (int64_t *)malloc(sizeof(int64_t) * (size_t)(neg + 1));  /* global edge -> local (-1: none) */
    int64_t *key = (int64_t *)malloc(sizeof(int64_t) * (size_t)(3 * nf + 1)); /* per local edge: (not owned) neg + id */
    int64_t *cnt = (int64_t *)calloc((size_t)n1 + 1, sizeof(int64_t));
    if (!lid || !key || !cnt) return mesh_view_edges_fail("out of memory", lid, key, cnt);
    for (int64_t g = 0; g < neg; g++) lid[g] = -1;
    int64_t n = 0, own = 0;
    for (int64_t f = 0; f < nf; f++)
        for (int k = 0; k < 3; k++) {
            const int32_t a = m->tri[3 * f + k], b = m->tri[3 * f + (k + 1) % 3];
            if (a >= n1 && b >= n1) continue;
            const int64_t g = mesh_edge_id(gedge, neg, m->vid[a], m->vid[b]);
            if (g < 0) return mesh_view_edges_fail("a face side is not in the edge list", lid, key, cnt);
            if (lid[g] != -1) continue;
            lid[g] = -2;
            const int32_t lower = m->vid[a] < m->vid[b] ? a : b;
            own += lower < m->nv_own;
            key[n++] = lower < m->nv_own ? g : neg + g;
        }
    qsort(key, (size_t)n, sizeof(int64_t), mesh_i64_cmp);
    m->ne_own = own, m->ne = n, m->ne_global = neg;
    mv->eid = (int64_t *)malloc(sizeof(int64_t) * (size_t)(n + 1));
    mv->edge = (int32_t *)malloc(sizeof(int32_t) * (size_t)(2 * n + 1));
    mv->eface = (int32_t *)malloc(sizeof(int32_t) * (size_t)(2 * n + 1));
    mv->fedge = (int32_t *)malloc(sizeof(int32_t) * (size_t)(3 * nf + 1));
    mv->estart = (int64_t *)malloc(sizeof(int64_t) * (size_t)(n1 + 1));
    if (!mv->eid || !mv->edge || !mv->eface || !mv->fedge || !mv->estart)
        return mesh_view_edges_fail("out of memory", lid, key, cnt);
    for (int64_t e = 0; e < n; e++) {
        mv->eid[e] = key[e] >= neg ? key[e] - neg : key[e];
        lid[mv->eid[e]] = e;
        mv->edge[2 * e] = mv->edge[2 * e + 1] = mv->eface[2 * e] = mv->eface[2 * e + 1] = -1;
    }
    for (int64_t f = 0; f < nf; f++)
        for (int k = 0; k < 3; k++) {
            const int32_t a = m->tri[3 * f + k], b = m->tri[3 * f + (k + 1) % 3];
            const int64_t e = a >= n1 && b >= n1 ? -1 : lid[mesh_edge_id(gedge, neg, m->vid[a], m->vid[b])];
            mv->fedge[3 * f + k] = (int32_t)e;
            if (e < 0) continue;
            const int up = m->vid[a] < m->vid[b]; /* this face's boundary runs lower -> higher */
            if (mv->eface[2 * e + !up] != -1)
                return mesh_view_edges_fail("an edge runs twice in one direction (not an oriented mesh)", lid, key, cnt);
            mv->eface[2 * e + !up] = (int32_t)f;
            mv->edge[2 * e] = up ? a : b, mv->edge[2 * e + 1] = up ? b : a;
        }
    for (int64_t e = 0; e < n; e++) {
        if (mv->eface[2 * e] < 0 || mv->eface[2 * e + 1] < 0)
            return mesh_view_edges_fail("a local edge without its two local faces (not a closed mesh)", lid, key, cnt);
        for (int s = 0; s < 2; s++)
            if (mv->edge[2 * e + s] < n1) cnt[mv->edge[2 * e + s] + 1]++;
    }
    for (int64_t v = 0; v < n1; v++) cnt[v + 1] += cnt[v];
    memcpy(mv->estart, cnt, sizeof(int64_t) * (size_t)(n1 + 1));
    mv->vedge = (int32_t *)malloc(sizeof(int32_t) * (size_t)(cnt[n1] + 1));
    if (!mv->vedge) return mesh_view_edges_fail("out of memory", lid, key, cnt);
    for (int64_t e = 0; e < n; e++) /* then each vertex's list by global id (insertion sort: a few edges) */
        for (int s = 0; s < 2; s++) {
            const int32_t v = mv->edge[2 * e + s];
            if (v >= n1) continue;
            int64_t q = cnt[v]++;
            for (; q > mv->estart[v] && mv->eid[mv->vedge[q - 1]] > mv->eid[e]; q--) mv->vedge[q] = mv->vedge[q - 1];
            mv->vedge[q] = (int32_t)e;
        }
    m->edge = mv->edge, m->eface = mv->eface, m->fedge = mv->fedge, m->estart = mv->estart, m->vedge = mv->vedge;
    m->eid = mv->eid;
    free(lid), free(key), free(cnt);
    return 0;
}

/* The edges' values of a local SoA edge field p (stride ne) into a global one g (stride neg):
 * every local edge (own = 0) or the owned ones (own = 1). */
static inline void mesh_view_scatter_edges(const mesh_view *mv, const double *p, double *g, int64_t neg, int ncomp, int own)
{
    const int64_t n = own ? mv->m.ne_own : mv->m.ne;
    for (int64_t e = 0; e < n; e++)
        for (int c = 0; c < ncomp; c++) g[mv->eid[e] + c * neg] = p[e + c * mv->m.ne];
}
/* Local SoA copy (stride ne) of a global SoA edge field (stride neg), every local edge. */
static inline double *mesh_view_gather_edges(const mesh_view *mv, const double *g, int64_t neg, int ncomp)
{
    const int64_t n = mv->m.ne;
    double *p = (double *)malloc(sizeof(double) * (size_t)(ncomp * n + 1));
    if (!p) return NULL;
    for (int64_t e = 0; e < n; e++)
        for (int c = 0; c < ncomp; c++) p[e + c * n] = g[mv->eid[e] + c * neg];
    return p;
}

/* SoA vertex field [3 nv] from AoS coordinates (x y z of vertex v at xyz[3v..3v+2]). */
static inline double *mesh_view_soa(const double *xyz, int64_t nv)
{
    double *p = (double *)malloc(sizeof(double) * (size_t)(3 * nv + 1));
    if (!p) return NULL;
    for (int64_t v = 0; v < nv; v++)
        for (int c = 0; c < 3; c++) p[v + c * nv] = xyz[3 * v + c];
    return p;
}
#endif
