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
    /* edges (sd_mparts_edges; sd_mpart in stardag/kernel.h documents them), or ne = 0 */
    int64_t ne_own, ne;
    int32_t *edge, *eface, *fedge, *vedge; /* [2 ne], [2 ne], [3 nf], [estart[nv_ring1]] */
    int64_t *estart, *eid;                 /* [nv_ring1 + 1], [ne] */
} sd_mlocal;

typedef struct sd_mparts {
    int n;
    sd_mlocal *part;
    int32_t *owner;     /* [nv] partition owning each vertex */
    int64_t cut_edges;  /* edges whose vertices have different owners */
    int64_t ne_global;  /* edges, when sd_mparts_edges listed them (else 0) */
} sd_mparts;

/* Partitions of the mesh (nv vertices at x[3v..], nf faces tri[3f..]). 0, or -1 with a message
 * (out of memory, more partitions than vertices). */
int sd_mparts_make(int64_t nv, int64_t nf, const double *x, const int64_t *tri, int nparts, sd_mparts *P, char *err,
                   size_t errlen);
void sd_mparts_free(sd_mparts *P);
/* Each partition's local edges (after sd_mparts_make), from the mesh's ne edges edge[2e..] in
 * sd_mesh_edges' order. 0, or -1 with a message (out of memory). */
int sd_mparts_edges(sd_mparts *P, int64_t nv, int64_t ne, const int64_t *edge, char *err, size_t errlen);
/* Where the edge tables of partition m lie in its one edge-topology buffer (bytes from its start,
 * in the order estart, eid, edge, eface, fedge, vedge), and the buffer's size in 8-byte words (at
 * least 1). Without edges every table is empty. */
typedef struct sd_medge_layout {
    size_t estart, eid, edge, eface, fedge, vedge;
    int64_t words;
} sd_medge_layout;
sd_medge_layout sd_mlocal_edge_layout(const sd_mlocal *m);
/* Copies m's edge tables into that buffer. */
void sd_mlocal_edge_pack(const sd_mlocal *m, void *buf);
/* The automatic partition count: enough parts for the workers, none under ~5,000 vertices (a task
 * should be >= 100 us of work). */
int sd_mparts_auto(int64_t nv, int nworkers);

#endif
