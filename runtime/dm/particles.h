/* particles.h - the particle domain's data between StarPU tasks: blocks (slabs of cells along z),
 * their capacities, the whole-domain rebuild (wrap, re-bin, re-sort by (cell, id), redistribute
 * every per-particle field, ghost plans) and the per-block preparation (ghost coordinates,
 * neighbour lists). Plain C over host pointers, no StarPU: pengine.c wraps these in tasks, the
 * tests call them directly. The kernels are the md pack's (codelets/md/md_kernels.h). */
#ifndef SD_PARTICLES_H
#define SD_PARTICLES_H
#include <stddef.h>
#include <stdint.h>
#include "graph.h"
#include "md/md_kernels.h"

/* Block header: one small buffer per block. Every task on a block reads it (so StarPU orders
 * them after the rebuild that wrote it). */
typedef struct sd_phdr {
    int64_t nh, ng, nl; /* home particles, ghosts, neighbour-list entries */
    int32_t rebuilt;    /* the last rebuild task re-sorted the particles (lists must be rebuilt) */
    int32_t pad;
} sd_phdr;

/* Block geometry: fixed for a run. */
typedef struct sd_pgeom {
    md_grid grid;       /* the box grid: cells >= cutoff + skin wide */
    double rl, L[3];    /* list range cutoff + skin; box */
    int nb;             /* blocks */
    int64_t *zc;        /* [nb + 1]: block b holds the cells with z in [zc[b], zc[b+1]) */
    int (*slot)[3];     /* [nb][3]: block b's sources of ghosts, slot 0 = b itself, then b-1, b+1
                           (periodically; each block once) */
    int *nslot;         /* [nb] */
    int64_t cap_h, cap_g, cap_l; /* room per block: home particles, ghosts, list entries */
} sd_pgeom;

/* What went wrong (code != SD_PST_OK) in a rebuild or a preparation. */
enum { SD_PST_OK = 0, SD_PST_LOST, SD_PST_JUMP, SD_PST_HOME_ROOM, SD_PST_GHOST_ROOM, SD_PST_LIST_ROOM, SD_PST_OVERLAP,
       SD_PST_NOMEM, SD_PST_COUNT };
typedef struct sd_pstatus {
    int code;
    int block;
    int64_t id, id2;    /* the particle(s) concerned */
    double value;       /* the distance or displacement concerned */
    int64_t need, have; /* room needed and available */
    int dangerous;      /* fixed-period rebuild after some particle moved more than skin/2 */
} sd_pstatus;

/* Blocks: nblocks (0 = auto: about 4 per CPU worker, 2 per GPU, each >= ~2000 particles, at most one
 * per cell layer). Returns 0, or -1 with a message (box too small for the cut-off, ...). */
int sd_pgeom_make(sd_pgeom *pg, const sd_particles *P, int nblocks, int ncpu, int ncuda, char *err, size_t errlen);
void sd_pgeom_free(sd_pgeom *pg);

/* One block as the rebuild sees it: header, ids, types, positions at the last rebuild, ghost plan,
 * and the per-particle fields (fld[f], ncomp[f] components of stride cap_h). */
typedef struct sd_pbuf {
    sd_phdr *hdr;
    int64_t *id;
    int32_t *type;
    double *x0;
    md_ghost *plan;
    double **fld;
} sd_pbuf;

/* Scratch of the rebuild (host, one per engine). */
typedef struct sd_prebuild_scratch {
    int64_t n, ncell;
    double *X, *T;      /* 3N each */
    int64_t *id, *cell, *perm, *cs, *first, *owner;
    int32_t *type;
    int8_t *shift;
} sd_prebuild_scratch;
int sd_prebuild_scratch_make(sd_prebuild_scratch *s, const sd_pgeom *pg, int64_t N);
void sd_prebuild_scratch_free(sd_prebuild_scratch *s);

/* The type of particle id: ids go to the types in declaration order, type[t].count each. */
int32_t sd_particles_type_of(const sd_particles *P, int64_t id);
/* Initial distribution: ids 0..N-1 in contiguous ranges over the blocks, with their types. x0
 * and fields are left alone. */
void sd_particles_assign(const sd_pgeom *pg, const sd_particles *P, sd_pbuf *b);

/* A domain read from a file (P->read): each particle's position, and velocity when the file has
 * them, into the blocks as sd_particles_assign distributed them (x[k], v[k]: block k's position
 * and velocity buffers, component stride cap_h). */
void sd_particles_place(const sd_pgeom *pg, const sd_particles *P, const sd_pbuf *b, double *const *x, double *const *v);

/* The whole-domain rebuild: what it works on and how. */
typedef struct sd_prebuild_req {
    const sd_pgeom *geom;
    const sd_particles *P;
    int nfields;
    const int *ncomp;   /* per field */
    int position;       /* index of the position field */
    int first;          /* the first build: positions at the last build are not known (no displacement checks) */
    int check;          /* rebuild only if some particle moved more than skin/2 since the last build (or its
                           position is not finite); otherwise every header gets rebuilt = 0 and nothing changes */
} sd_prebuild_req;
/* Returns the status (also in st); on an error the blocks are left as they were. */
int sd_particles_rebuild(const sd_prebuild_req *req, sd_pbuf *b, sd_prebuild_scratch *s, sd_pstatus *st);

/* One block's preparation before neighbour ops: its inputs (header, ghost plan, and for each
 * source slot k of the block the positions src[k] (stride cap_h), ids and types) and outputs. */
typedef struct sd_pprep {
    sd_phdr *hdr;
    const md_ghost *plan;
    const double *src[3];
    const int64_t *src_id[3];
    const int32_t *src_type[3];
    int lists;          /* 0: only the coordinates in xv (home copy, ghost images); 1 (after a rebuild):
                           also tv, iv and the neighbour lists, and the overlap check */
    double *xv;         /* home then ghost positions, component stride cap_h + cap_g */
    int32_t *tv;        /* their types */
    int64_t *iv;        /* their ids */
    int64_t *start;     /* neighbour lists (CSR) */
    int32_t *nbr;
    void **scratch;     /* grown with realloc as needed (one per block) */
    size_t *scratch_bytes;
} sd_pprep;
/* min2: squared overlap distances (a pair closer than min_distance * sigma_ab stops the run), from
 * sd_particles_min_distance2. */
int sd_particles_prepare(const sd_pgeom *pg, const double *min2, int b, const sd_pprep *io, sd_pstatus *st);

/* A one-line description of a failed status at a step ("step 40: particle 17 is lost: ..."). */
void sd_pstatus_message(const sd_pstatus *st, const sd_particles *P, int64_t step, char *buf, size_t len);

/* The pair table of the domain (Lorentz-Berthelot mixing, explicit pairs override). */
void sd_particles_pair_table(const sd_particles *P, md_lj_table *tab);
/* Squared overlap distances (min_distance * sigma_ab)^2 at a*MD_MAX_TYPES + b. */
void sd_particles_min_distance2(const sd_particles *P, double *min2);

#endif
