/* mesh_view.h - a test helper: the sd_mpart view of a WHOLE closed mesh as one partition, so mesh
 * kernels can be called directly (pure C, no StarPU, no mesh domain). Every vertex is owned
 * (nv_own = nv_ring1 = nv, no ghosts), every face is owned (nf_own = nf), local ids are the global
 * ids, and each vertex's corner list (corner ids 3f + k) is in increasing face id, as the mesh
 * domain builds it. Vertex fields are SoA with stride nv (component c of vertex v at p[v + c*nv]).
 *
 *     mesh_view mv;
 *     if (mesh_view_init(&mv, nv, nf, tri, scratch_v, scratch_f)) ...;   (tri: int64 [3 nf])
 *     sd_tile_args a; memset(&a, 0, sizeof a); a.mesh = mv.m;  ... set a.p[], a.sc[] = nv ...
 *     mesh_view_free(&mv); */
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
} mesh_view;

static inline void mesh_view_free(mesh_view *mv)
{
    free(mv->tri), free(mv->cstart), free(mv->corner), free(mv->vid), free(mv->fid), free(mv->scratch);
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
