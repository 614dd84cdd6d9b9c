/* mesh_part.h - a test helper: the sd_mpart view of ONE partition of a closed mesh, built as
 * kernel.h describes the mesh domain's partitions (independently of runtime/dm), so scatter-add
 * kernels can be checked for partition independence without StarPU:
 *   local vertices: owned (owner[v] == part) in global order, then ring 1 (sharing a face with an
 *   owned vertex), then ring 2 (sharing a face with a ring-1 vertex), each in global order;
 *   local faces: every face with a corner among owned and ring-1 vertices, the owned faces first
 *   (owner of the corner with the lowest global id), each group in global order;
 *   corner lists of owned and ring-1 vertices in increasing global face id;
 *   with mesh_part_init_edges, the edge tables (mesh_view_edges: the edges with an end among the
 *   owned and ring-1 vertices, owned = lower global end owned here, owned first, each group by
 *   global edge id; the faces of each, the edges of each face, each vertex's edges by global id).
 * Vertex fields are SoA with stride nv (local count), edge fields with stride ne. Needs mesh_view.h
 * for the struct. */
#ifndef SD_TEST_MESH_PART_H
#define SD_TEST_MESH_PART_H
#include "mesh_view.h"

static inline int mesh_part_fail(mesh_view *mv, void *ring, void *lid, void *lf)
{
    fprintf(stderr, "mesh_part: out of memory\n");
    free(ring), free(lid), free(lf);
    mesh_view_free(mv);
    return -1;
}

/* 0, or -1 (no memory). */
static inline int mesh_part_init(mesh_view *mv, int64_t nvg, int64_t nfg, const int64_t *tri, const int *owner,
                                 int part, int scratch_v, int scratch_f)
{
    memset(mv, 0, sizeof *mv);
    int8_t *ring = (int8_t *)malloc((size_t)nvg); /* 0 owned, 1, 2, 3: not local */
    int64_t *lid = (int64_t *)malloc(sizeof(int64_t) * (size_t)nvg);
    int64_t *lf = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nfg + 1));
    if (!ring || !lid || !lf) return mesh_part_fail(mv, ring, lid, lf);
    for (int64_t v = 0; v < nvg; v++) ring[v] = owner[v] == part ? 0 : 3;
    for (int r = 1; r <= 2; r++)
        for (int64_t f = 0; f < nfg; f++) {
            int near = 0;
            for (int k = 0; k < 3; k++) near |= ring[tri[3 * f + k]] == r - 1;
            if (near)
                for (int k = 0; k < 3; k++)
                    if (ring[tri[3 * f + k]] == 3) ring[tri[3 * f + k]] = (int8_t)r;
        }
    int64_t nl = 0, n1 = 0, n0 = 0;
    for (int r = 0; r <= 2; r++) {
        for (int64_t v = 0; v < nvg; v++)
            if (ring[v] == r) lid[v] = nl++;
        if (r == 0) n0 = nl;
        if (r == 1) n1 = nl;
    }
    for (int64_t v = 0; v < nvg; v++)
        if (ring[v] == 3) lid[v] = -1;
    int64_t nfl = 0, nfo = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int64_t f = 0; f < nfg; f++) {
            int local = 0;
            int64_t lo = tri[3 * f];
            for (int k = 0; k < 3; k++) {
                local |= ring[tri[3 * f + k]] <= 1;
                if (tri[3 * f + k] < lo) lo = tri[3 * f + k];
            }
            if (local && (ring[lo] == 0) == (pass == 0)) lf[nfl++] = f;
            if (pass == 0) nfo = nfl;
        }
    const int64_t ns = (int64_t)scratch_v * nl + (int64_t)scratch_f * nfl;
    mv->tri = (int32_t *)malloc(sizeof(int32_t) * (size_t)(3 * nfl + 1));
    mv->cstart = (int64_t *)calloc((size_t)n1 + 1, sizeof(int64_t));
    mv->corner = (int32_t *)malloc(sizeof(int32_t) * (size_t)(3 * nfl + 1));
    mv->vid = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nl + 1));
    mv->fid = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nfl + 1));
    mv->scratch = (double *)malloc(sizeof(double) * (size_t)(ns + 1));
    if (!mv->tri || !mv->cstart || !mv->corner || !mv->vid || !mv->fid || !mv->scratch)
        return mesh_part_fail(mv, ring, lid, lf);
    for (int64_t i = 0; i < ns; i++) mv->scratch[i] = 0.0 / 0.0;
    for (int64_t v = 0; v < nvg; v++)
        if (lid[v] >= 0) mv->vid[lid[v]] = v;
    for (int64_t q = 0; q < nfl; q++) {
        mv->fid[q] = lf[q];
        for (int k = 0; k < 3; k++) {
            const int64_t l = lid[tri[3 * lf[q] + k]];
            mv->tri[3 * q + k] = (int32_t)l;
            if (l < n1) mv->cstart[l + 1]++;
        }
    }
    for (int64_t v = 0; v < n1; v++) mv->cstart[v + 1] += mv->cstart[v];
    /* corners in increasing GLOBAL face id: walk global faces in order */
    int64_t *fill = (int64_t *)malloc(sizeof(int64_t) * (size_t)(n1 + 1));
    int64_t *qof = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nfg + 1)); /* local id of a global face */
    if (!fill || !qof) {
        free(fill), free(qof);
        return mesh_part_fail(mv, ring, lid, lf);
    }
    memcpy(fill, mv->cstart, sizeof(int64_t) * (size_t)n1);
    for (int64_t f = 0; f < nfg; f++) qof[f] = -1;
    for (int64_t q = 0; q < nfl; q++) qof[lf[q]] = q;
    for (int64_t f = 0; f < nfg; f++)
        if (qof[f] >= 0)
            for (int k = 0; k < 3; k++) {
                const int64_t l = mv->tri[3 * qof[f] + k];
                if (l < n1) mv->corner[fill[l]++] = (int32_t)(3 * qof[f] + k);
            }
    free(fill), free(qof);
    sd_mpart *m = &mv->m;
    m->nv_own = n0, m->nv_ring1 = n1, m->nv = nl, m->nf_own = nfo, m->nf = nfl;
    m->tri = mv->tri, m->cstart = mv->cstart, m->corner = mv->corner, m->vid = mv->vid, m->fid = mv->fid;
    m->scratch = mv->scratch;
    m->nv_global = nvg, m->nf_global = nfg;
    free(ring), free(lid), free(lf);
    return 0;
}

/* mesh_part_init, then the partition's edge tables from the mesh's edges gedge[2 neg]
 * (mesh_edges_sorted's order). 0, or -1 (no memory, not a closed oriented mesh). */
static inline int mesh_part_init_edges(mesh_view *mv, int64_t nvg, int64_t nfg, const int64_t *tri, const int *owner,
                                       int part, int scratch_v, int scratch_f, const int64_t *gedge, int64_t neg)
{
    if (mesh_part_init(mv, nvg, nfg, tri, owner, part, scratch_v, scratch_f)) return -1;
    if (mesh_view_edges(mv, gedge, neg)) {
        mesh_view_free(mv);
        return -1;
    }
    return 0;
}

/* Local SoA copy of a global SoA vertex field (stride nvg) for every local vertex. */
static inline double *mesh_part_gather(const mesh_view *mv, const double *g, int64_t nvg, int ncomp)
{
    const int64_t nl = mv->m.nv;
    double *p = (double *)malloc(sizeof(double) * (size_t)(ncomp * nl + 1));
    if (!p) return NULL;
    for (int64_t v = 0; v < nl; v++)
        for (int c = 0; c < ncomp; c++) p[v + c * nl] = g[mv->vid[v] + c * nvg];
    return p;
}
/* The owned vertices' values of a local SoA field into the global one. */
static inline void mesh_part_scatter(const mesh_view *mv, const double *p, double *g, int64_t nvg, int ncomp)
{
    for (int64_t v = 0; v < mv->m.nv_own; v++)
        for (int c = 0; c < ncomp; c++) g[mv->vid[v] + c * nvg] = p[v + c * mv->m.nv];
}
#endif
