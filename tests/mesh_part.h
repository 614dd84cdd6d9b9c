/* mesh_part.h - a test helper: the local mesh (sd_mpart) of one partition of a closed mesh, as
 * kernel.h describes what the mesh domain gives a task: the owned vertices (owner[v] == me), then
 * ring 1 (sharing a face with an owned vertex), then ring 2 (sharing a face with ring 1), each in
 * increasing global id; the faces with a corner among owned and ring-1 vertices, owned faces first
 * (a face belongs to the owner of its lowest-id corner), each group in increasing global id; per
 * owned or ring-1 vertex its corners in increasing global face id. Built on mesh_view.h's arrays
 * (vid/fid hold the global ids). Compiles as C and as C++ (the CUDA tests). */
#ifndef SD_TEST_MESH_PART_H
#define SD_TEST_MESH_PART_H
#include "mesh_view.h"

typedef struct mesh_part {
    mesh_view mv;  /* the arrays; the view is mv.m */
    int64_t *l2g;  /* local -> global vertex */
} mesh_part;

static inline void mesh_part_free(mesh_part *P)
{
    mesh_view_free(&P->mv);
    free(P->l2g);
    P->l2g = NULL;
}

/* 0, or -1 with a message on stderr. tri: int64 [3 nf] global vertex ids. */
static inline int mesh_part_build(mesh_part *P, int64_t nv, int64_t nf, const int64_t *tri, const int *owner, int me,
                                  int scratch_v, int scratch_f)
{
    memset(P, 0, sizeof *P);
    int *lvl = (int *)malloc(sizeof(int) * (size_t)nv);
    int64_t *g2l = (int64_t *)malloc(sizeof(int64_t) * (size_t)nv);
    int64_t *f2l = (int64_t *)malloc(sizeof(int64_t) * (size_t)nf);
    int64_t *ltri = (int64_t *)malloc(sizeof(int64_t) * (size_t)(3 * nf + 1));
    int64_t *fill = (int64_t *)calloc((size_t)nv + 1, sizeof(int64_t));
    P->l2g = (int64_t *)malloc(sizeof(int64_t) * (size_t)nv);
    int rc = -1;
    if (!lvl || !g2l || !f2l || !ltri || !fill || !P->l2g) {
        fprintf(stderr, "mesh_part: out of memory\n");
        goto out;
    }
    /* level of each vertex: 0 owned, 1 and 2 the rings, 3 not local */
    for (int64_t v = 0; v < nv; v++) lvl[v] = owner[v] == me ? 0 : 3;
    for (int r = 1; r <= 2; r++)
        for (int64_t f = 0; f < nf; f++) {
            int near = 0;
            for (int k = 0; k < 3; k++) near |= lvl[tri[3 * f + k]] == r - 1;
            if (near)
                for (int k = 0; k < 3; k++)
                    if (lvl[tri[3 * f + k]] == 3) lvl[tri[3 * f + k]] = r;
        }
    {
        int64_t n = 0, cnt[3] = {0, 0, 0}, lf = 0, nown = 0;
        for (int r = 0; r < 3; r++)
            for (int64_t v = 0; v < nv; v++)
                if (lvl[v] == r) g2l[v] = n, P->l2g[n++] = v, cnt[r]++;
#define MP_LOCAL(f) (lvl[tri[3 * (f)]] <= 1 || lvl[tri[3 * (f) + 1]] <= 1 || lvl[tri[3 * (f) + 2]] <= 1)
        for (int pass = 0; pass < 2; pass++)
            for (int64_t f = 0; f < nf; f++) {
                if (!MP_LOCAL(f)) continue;
                const int64_t *t = tri + 3 * f;
                int64_t lo = t[0] < t[1] ? t[0] : t[1];
                lo = lo < t[2] ? lo : t[2];
                if ((owner[lo] == me) == (pass == 0)) f2l[f] = lf++, nown += pass == 0;
            }
        for (int64_t f = 0; f < nf; f++)
            if (MP_LOCAL(f))
                for (int k = 0; k < 3; k++) ltri[3 * f2l[f] + k] = g2l[tri[3 * f + k]];
        if (mesh_view_init(&P->mv, n, lf, ltri, scratch_v, scratch_f)) goto out;
        sd_mpart *m = &P->mv.m;
        m->nv_own = cnt[0], m->nv_ring1 = cnt[0] + cnt[1], m->nf_own = nown;
        m->nv_global = nv, m->nf_global = nf;
        for (int64_t v = 0; v < n; v++) P->mv.vid[v] = P->l2g[v];
        /* corner lists again, in increasing global face id (mesh_view sorted them by local id) */
        for (int64_t c = 0; c < 3 * lf; c++) fill[ltri[c] + 1]++;
        for (int64_t v = 0; v < n; v++) fill[v + 1] += fill[v];
        memcpy(P->mv.cstart, fill, sizeof(int64_t) * (size_t)(n + 1));
        for (int64_t f = 0; f < nf; f++) {
            if (!MP_LOCAL(f)) continue;
            P->mv.fid[f2l[f]] = f;
            for (int k = 0; k < 3; k++) P->mv.corner[fill[g2l[tri[3 * f + k]]]++] = (int32_t)(3 * f2l[f] + k);
        }
#undef MP_LOCAL
        rc = 0;
    }
out:
    free(lvl), free(g2l), free(f2l), free(ltri), free(fill);
    if (rc) free(P->l2g), P->l2g = NULL;
    return rc;
}
#endif
