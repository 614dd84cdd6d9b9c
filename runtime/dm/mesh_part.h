/* mesh_part.h - cutting a triangle mesh into partitions (no StarPU): vertices in the order of a
 * space-filling curve, cut into equal ranges; each partition's local mesh with two ghost rings
 * (the sd_mpart a kernel sees), and the lists that refresh the ghosts from their owners. */
#ifndef SD_MESH_PART_H
#define SD_MESH_PART_H
#include <stddef.h>
#include <stdint.h>

/* One partition's local mesh (host arrays; sd_mpart in stardag/kernel.h documents the layout). */
typedef struct sd_mlocal {
    int64_t nv_own, nv_ring1, nv, nf_own, nf;
    int32_t *tri;       /* [3 nf] */
    int64_t *cstart;    /* [nv_ring1 + 1] */
    int32_t *corner;    /* [cstart[nv_ring1]] */
    int64_t *vid;       /* [nv] global vertex ids */
    int64_t *fid;       /* [nf] global face ids */
    /* ghost refresh: ghost nv_own + g comes from partition src_part[g], position src_index[g] of its
     * export list */
    int32_t *src_part;  /* [nv - nv_own] */
    int64_t *src_index; /* [nv - nv_own] */
    /* export list: owned local vertices other partitions hold as ghosts, increasing */
    int64_t nexport;
    int64_t *exports;
    /* the partitions this one's ghosts come from, increasing */
    int nsrc;
    int *src;
} sd_mlocal;

typedef struct sd_mparts {
    int n;
    sd_mlocal *part;
    int32_t *owner;     /* [nv] partition owning each vertex */
    int64_t cut_edges;  /* edges whose vertices have different owners */
} sd_mparts;

/* Partitions of the mesh (nv vertices at x[3v..], nf faces tri[3f..]). 0, or -1 with a message
 * (out of memory, more partitions than vertices). */
int sd_mparts_make(int64_t nv, int64_t nf, const double *x, const int64_t *tri, int nparts, sd_mparts *P, char *err,
                   size_t errlen);
void sd_mparts_free(sd_mparts *P);
/* The automatic partition count: enough parts for the workers, none under ~5,000 vertices (a task
 * should be >= 100 us of work). */
int sd_mparts_auto(int64_t nv, int nworkers);

#endif
