/* mesh_part_edges.c - each partition's local edges (no StarPU): the edges with an end among its
 * owned and ring-1 vertices, owned ones first, each group by global edge id; for each its two
 * faces, for each local face its three edges, and for each owned or ring-1 vertex its edges by
 * global id, so that a sum over a vertex's edges runs in the same order in every partition. The
 * layout is documented with sd_mpart (stardag/kernel.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mesh_part.h"

typedef struct gedges {
    const int64_t *edge; /* [2 ne] (lower, higher), ordered */
    int64_t *start;      /* [nv + 1]: edges whose lower end is v: [start[v], start[v+1]) */
    int64_t *emark;      /* [ne]: local id in the partition being built, -1 none */
    int32_t *vmark;      /* [nv]: local vertex id in that partition, -1 none */
    int64_t *list;       /* scratch */
} gedges;

/* The global id of edge {a, b} (it exists: a and b share a face). */
static int64_t edge_id(const gedges *G, int64_t a, int64_t b)
{
    const int64_t lo = a < b ? a : b, hi = a < b ? b : a;
    int64_t j = G->start[lo];
    while (G->edge[2 * j + 1] != hi) j++;
    return j;
}

static int by_value(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The global ids of vertex v's edges (v local, in [0, nv_ring1)), from its corners: sorted, each
 * once, into out; returns their count. */
static int64_t vertex_edges(const gedges *G, const sd_mlocal *m, int64_t v, int64_t *out)
{
    int64_t n = 0;
    for (int64_t c = m->cstart[v]; c < m->cstart[v + 1]; c++) {
        const int32_t f = m->corner[c] / 3, k = m->corner[c] % 3;
        for (int s = 1; s <= 2; s++) out[n++] = edge_id(G, m->vid[v], m->vid[m->tri[3 * f + (k + s) % 3]]);
    }
    qsort(out, (size_t)n, sizeof *out, by_value);
    int64_t u = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || out[i] != out[i - 1]) out[u++] = out[i];
    return u;
}

static int part_edges(gedges *G, const sd_mparts *P, int p)
{
    sd_mlocal *m = &P->part[p];
    for (int64_t i = 0; i < m->nv; i++) G->vmark[m->vid[i]] = (int32_t)i;
    /* the local edges' global ids, owned first, then the vertices' edge lists */
    const int64_t nc = m->cstart[m->nv_ring1];
    int64_t n = 0;
    m->estart = malloc(sizeof *m->estart * (size_t)(m->nv_ring1 + 1));
    int64_t *vlist = malloc(sizeof *vlist * (size_t)(2 * nc + 1));
    if (!m->estart || !vlist) { free(vlist); return -1; }
    m->estart[0] = 0;
    for (int64_t v = 0; v < m->nv_ring1; v++) {
        const int64_t k = vertex_edges(G, m, v, vlist + m->estart[v]);
        m->estart[v + 1] = m->estart[v] + k;
        for (int64_t i = m->estart[v]; i < m->estart[v + 1]; i++)
            if (G->emark[vlist[i]] == -1) {
                G->emark[vlist[i]] = -2;
                G->list[n++] = vlist[i];
            }
    }
    int64_t own = 0; /* owned (lower end owned here) before the others, each by id */
    for (int64_t i = 0; i < n; i++)
        if (P->owner[G->edge[2 * G->list[i]]] == p) {
            const int64_t t = G->list[own];
            G->list[own++] = G->list[i];
            G->list[i] = t;
        }
    qsort(G->list, (size_t)own, sizeof *G->list, by_value);
    qsort(G->list + own, (size_t)(n - own), sizeof *G->list, by_value);
    m->ne_own = own;
    m->ne = n;
    const int64_t nve = m->estart[m->nv_ring1];
    m->eid = malloc(sizeof *m->eid * (size_t)(n + 1));
    m->edge = malloc(sizeof *m->edge * (size_t)(2 * n + 1));
    m->eface = malloc(sizeof *m->eface * (size_t)(2 * n + 1));
    m->fedge = malloc(sizeof *m->fedge * (size_t)(3 * m->nf + 1));
    m->vedge = malloc(sizeof *m->vedge * (size_t)(nve + 1));
    if (!m->eid || !m->edge || !m->eface || !m->fedge || !m->vedge) { free(vlist); return -1; }
    for (int64_t e = 0; e < n; e++) {
        const int64_t g = G->list[e];
        G->emark[g] = e;
        m->eid[e] = g;
        m->edge[2 * e] = G->vmark[G->edge[2 * g]];
        m->edge[2 * e + 1] = G->vmark[G->edge[2 * g + 1]];
        m->eface[2 * e] = m->eface[2 * e + 1] = -1;
    }
    for (int64_t i = 0; i < nve; i++) m->vedge[i] = (int32_t)G->emark[vlist[i]];
    free(vlist);
    for (int64_t f = 0; f < m->nf; f++)
        for (int k = 0; k < 3; k++) {
            const int64_t a = m->vid[m->tri[3 * f + k]], b = m->vid[m->tri[3 * f + (k + 1) % 3]];
            const int64_t e = G->emark[edge_id(G, a, b)];
            m->fedge[3 * f + k] = (int32_t)e;
            if (e >= 0) m->eface[2 * e + (a > b)] = (int32_t)f; /* runs lower -> higher: side 0 */
        }
    for (int64_t e = 0; e < n; e++) G->emark[m->eid[e]] = -1;
    for (int64_t i = 0; i < m->nv; i++) G->vmark[m->vid[i]] = -1;
    return 0;
}

int sd_mparts_edges(sd_mparts *P, int64_t nv, int64_t ne, const int64_t *edge, char *err, size_t errlen)
{
    gedges G = {.edge = edge};
    G.start = calloc((size_t)nv + 1, sizeof *G.start);
    G.emark = malloc(sizeof *G.emark * (size_t)(ne + 1));
    G.vmark = malloc(sizeof *G.vmark * (size_t)(nv + 1));
    G.list = malloc(sizeof *G.list * (size_t)(ne + 1));
    int rc = -1;
    if (!G.start || !G.emark || !G.vmark || !G.list) goto out;
    for (int64_t e = 0; e < ne; e++) G.start[edge[2 * e] + 1]++;
    for (int64_t v = 0; v < nv; v++) G.start[v + 1] += G.start[v];
    for (int64_t e = 0; e < ne; e++) G.emark[e] = -1;
    for (int64_t v = 0; v < nv; v++) G.vmark[v] = -1;
    for (int p = 0; p < P->n; p++)
        if (part_edges(&G, P, p) < 0) goto out;
    P->ne_global = ne;
    rc = 0;
out:
    if (rc < 0) snprintf(err, errlen, "out of memory listing the edges of %d mesh partitions", P->n);
    free(G.start); free(G.emark); free(G.vmark); free(G.list);
    return rc;
}

sd_medge_layout sd_mlocal_edge_layout(const sd_mlocal *m)
{
    sd_medge_layout L;
    const int64_t nv1 = m->ne ? m->nv_ring1 + 1 : 0, nve = m->ne ? m->estart[m->nv_ring1] : 0;
    const int64_t nf = m->ne ? m->nf : 0;
    L.estart = 0;
    L.eid = L.estart + sizeof(int64_t) * (size_t)nv1;
    L.edge = L.eid + sizeof(int64_t) * (size_t)m->ne;
    L.eface = L.edge + sizeof(int32_t) * (size_t)(2 * m->ne);
    L.fedge = L.eface + sizeof(int32_t) * (size_t)(2 * m->ne);
    L.vedge = L.fedge + sizeof(int32_t) * (size_t)(3 * nf);
    const size_t end = L.vedge + sizeof(int32_t) * (size_t)nve;
    L.words = (int64_t)((end + 7) / 8);
    if (L.words < 1) L.words = 1;
    return L;
}

void sd_mlocal_edge_pack(const sd_mlocal *m, void *buf)
{
    if (!m->ne) return;
    const sd_medge_layout L = sd_mlocal_edge_layout(m);
    char *b = buf;
    memcpy(b + L.estart, m->estart, sizeof(int64_t) * (size_t)(m->nv_ring1 + 1));
    memcpy(b + L.eid, m->eid, sizeof(int64_t) * (size_t)m->ne);
    memcpy(b + L.edge, m->edge, sizeof(int32_t) * (size_t)(2 * m->ne));
    memcpy(b + L.eface, m->eface, sizeof(int32_t) * (size_t)(2 * m->ne));
    memcpy(b + L.fedge, m->fedge, sizeof(int32_t) * (size_t)(3 * m->nf));
    memcpy(b + L.vedge, m->vedge, sizeof(int32_t) * (size_t)m->estart[m->nv_ring1]);
}
