/* particles.h - the particle domain's data between StarPU tasks: blocks (bricks of whole cells),
 * their capacities, the whole-domain (serial) rebuild (wrap, re-bin, re-sort by (cell, id),
 * redistribute every per-particle field, ghost plans), the parallel rebuild's per-block phases
 * (particles_migrate.c) and the per-block preparation (ghost coordinates, neighbour lists). Plain C
 * over host pointers, no StarPU: particles.c wraps these in tasks, the tests call them directly.
 * The kernels are the md pack's (codelets/md/md_kernels.h). */
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
    int32_t nleave;     /* its particles in its cells next to other bricks at the last build: the
                           most that can leave it before the next (each moving less than a cell) */
} sd_phdr;

/* A block's sources of ghosts (and of migrating particles): itself and its neighbour bricks. */
#define SD_PSLOTS 27
/* extra room per buffer: small blocks (and export layers) fluctuate relatively more */
#define SD_PROOM_MIN 64

/* Block geometry: fixed for a run. The box grid's cells are cut into nbd[0] x nbd[1] x nbd[2]
 * bricks of whole cells; block b = bx + nbd[0] * (by + nbd[1] * bz). */
typedef struct sd_pgeom {
    md_grid grid;       /* the box grid: cells >= cutoff + skin wide */
    double rl, L[3];    /* list range cutoff + skin; box */
    int nb;             /* blocks */
    int nbd[3];         /* bricks along each axis */
    int64_t *cut[3];    /* [nbd[d] + 1]: the bricks along axis d hold the cells [cut[d][i], cut[d][i+1]) */
    int *at[3];         /* [grid.nc[d]]: the brick index along axis d of each cell coordinate */
    int (*slot)[SD_PSLOTS]; /* [nb]: block b's neighbourhood, slot 0 = b itself, then the bricks at
                           (dz, dy, dx) in {-1, 0, 1}^3 in that order (periodically; each block once) */
    int *nslot;         /* [nb] */
    int64_t cap_h, cap_g, cap_l; /* room per block: home particles, ghosts, list entries */
    int64_t cap_c;      /* cells of the largest brick */
    double reach2;      /* the parallel rebuild's limit: a particle that moved less than sqrt(reach2)
                           since the last build is in the cell it was in or one next to it */
    int64_t **bcell;    /* [nb]: block b's cells next to another brick (local indices, increasing) */
    int64_t *nbcell;    /* [nb] */
    int64_t *cap_o;     /* [nb]: room of block b's outgoing buffer (the particles that may leave it) */
    double room_cell;   /* room per cell: the mean occupancy times the capacity factor */
    /* Ghost exports (particles_export.c; none until sd_pgeom_set_ranks): a block whose neighbour brick
     * is on another rank copies the particles of its cells next to that rank's bricks, in cell order,
     * into its export buffers each step; the neighbour's ghost plan indexes those, so StarPU-MPI moves
     * them instead of the whole block. */
    int *rank;          /* [nb]: the rank holding each block (NULL: all on one) */
    int64_t **ecell;    /* [nb]: block b's exported cells (local indices, increasing) */
    int64_t *necell;    /* [nb] */
    int64_t *cap_e;     /* [nb]: room for block b's exported particles (0: it exports none) */
} sd_pgeom;

/* What went wrong (code != SD_PST_OK) in a rebuild or a preparation. */
enum { SD_PST_OK = 0, SD_PST_LOST, SD_PST_JUMP, SD_PST_HOME_ROOM, SD_PST_GHOST_ROOM, SD_PST_LIST_ROOM, SD_PST_OVERLAP,
       SD_PST_NOMEM, SD_PST_FAR, SD_PST_EXPORT_ROOM, SD_PST_COUNT };
typedef struct sd_pstatus {
    int code;
    int block;
    int64_t id, id2;    /* the particle(s) concerned */
    double value;       /* the distance or displacement concerned */
    int64_t need, have; /* room needed and available */
    int dangerous;      /* fixed-period rebuild after some particle moved more than skin/2 */
} sd_pstatus;

/* Blocks (particles_geom.c): nblocks (0 = auto: about 4 per CPU worker, 2 per GPU, each >= ~2000
 * particles), factorised into the brick grid with the fewest ghost cells that fits the cell grid.
 * Returns 0, or -1 with a message (no brick grid of nblocks fits, ...). */
int sd_pgeom_make(sd_pgeom *pg, const sd_particles *P, int nblocks, int ncpu, int ncuda, char *err, size_t errlen);
/* Whether some brick grid of nblocks blocks fits P's cell grid: 0, or -1 with sd_pgeom_make's message
 * (the loader and --tiles refuse such a count before a run). */
int sd_pgeom_blocks_fit(const sd_particles *P, int nblocks, char *err, size_t errlen);
void sd_pgeom_free(sd_pgeom *pg);
/* Block b's cells [lo, hi) of the box grid. */
void sd_pgeom_brick(const sd_pgeom *pg, int b, int64_t lo[3], int64_t hi[3]);
/* The block holding cell (cx, cy, cz) of the box grid; *local = the cell's index in that brick
 * (x fastest, as in the box grid: the same order). */
int sd_pgeom_owner(const sd_pgeom *pg, const int64_t c[3], int64_t *local);
/* Where block o is in block b's neighbourhood (its slot), or -1. */
int sd_pgeom_slot_of(const sd_pgeom *pg, int b, int o);
/* Block b's cells (local indices, increasing, into cell[]) next to (one of the 26 around, periodic)
 * a cell of another brick (rank NULL) or of a brick on another rank than b's; returns how many. */
int64_t sd_pgeom_cells_next_to(const sd_pgeom *pg, int b, const int *rank, int64_t *cell);
/* Room for the particles of ncell cells of a block (the rule of every room: the mean occupancy
 * times the capacity factor, plus SD_PROOM_MIN), never more than a block holds. */
int64_t sd_pgeom_room(const sd_pgeom *pg, int64_t ncell);
/* Particles in the listed local cells of a block with cell starts cs. */
int64_t sd_pcs_count(const int64_t *cs, const int64_t *cell, int64_t ncell);

/* ---- Ghost exports (particles_export.c) ----
 * The blocks' ranks: each block's exported cells (those next to a cell of a brick on another rank)
 * and the room for their particles. 0, or -1 out of memory. */
int sd_pgeom_set_ranks(sd_pgeom *pg, const int *rank);
/* Block b reads block o's ghosts from o's export buffers (they are on different ranks). */
static inline int sd_pgeom_remote(const sd_pgeom *pg, int b, int o) { return pg->rank && pg->rank[b] != pg->rank[o]; }
/* A block's cell starts (cs, sd_pcs_words entries): its brick's cs[cap_c + 1] (local cell l holds
 * particles cs[l] .. cs[l+1]-1), then each cell's first index in its export buffers (-1: not
 * exported). */
static inline int64_t sd_pcs_words(const sd_pgeom *pg) { return 2 * pg->cap_c + 1; }
static inline int64_t *sd_pcs_export(const sd_pgeom *pg, int64_t *cs) { return cs + pg->cap_c + 1; }
static inline const int64_t *sd_pcs_export_c(const sd_pgeom *pg, const int64_t *cs) { return cs + pg->cap_c + 1; }
/* Where particle r of local cell l of a block with cell starts cs is in its export buffers. */
static inline int64_t sd_pexport_index(const sd_pgeom *pg, const int64_t *cs, int64_t l, int64_t r)
{
    return sd_pcs_export_c(pg, cs)[l] + (r - cs[l]);
}
/* Block b's export starts from its cell starts (cs[0 .. cap_c]); returns its exported particles. */
int64_t sd_pexport_starts(const sd_pgeom *pg, int b, int64_t *cs);
/* One block's export: from its cell starts and particles to its export buffers (positions x_out,
 * component stride cap_e[b]; with id_out, also ids and types, after a rebuild). */
typedef struct sd_pexport {
    const int64_t *cs;
    const double *x;     /* component stride cap_h */
    const int64_t *id;
    const int32_t *type;
    double *x_out;
    int64_t *id_out;
    int32_t *type_out;
} sd_pexport;
void sd_pexport_pack(const sd_pgeom *pg, int b, const sd_pexport *ex);

/* One block as the rebuild sees it: header, ids, types, positions at the last rebuild, ghost plan,
 * and the per-particle fields (fld[f], ncomp[f] components of stride cap_h). */
typedef struct sd_pbuf {
    sd_phdr *hdr;
    int64_t *id;
    int32_t *type;
    double *x0;
    md_ghost *plan;
    double **fld;
    int64_t *cs;        /* its cell starts (sd_pcs_words), written by the rebuild; NULL: not kept */
} sd_pbuf;

/* Scratch of the rebuild (host, one per engine). */
typedef struct sd_prebuild_scratch {
    int64_t n, ncell;
    double *X, *T;      /* 3N and N */
    int64_t *id, *cell, *perm, *cs, *first, *owner;
    int64_t *order;     /* block after block, each block's particles as sorted ranks, then as indices */
    int64_t *idx;       /* [N]: sorted rank -> index in its block */
    int32_t *blk;       /* [N]: sorted rank -> its block */
    int32_t *type;
    int8_t *shift;
    int64_t *lcs;       /* [nb * sd_pcs_words]: each block's cell starts, until the rebuild succeeds */
} sd_prebuild_scratch;
int sd_prebuild_scratch_make(sd_prebuild_scratch *s, const sd_pgeom *pg, int64_t N);
void sd_prebuild_scratch_free(sd_prebuild_scratch *s);

/* The type of particle id: ids go to the types in declaration order, type[t].count each. */
int32_t sd_particles_type_of(const sd_particles *P, int64_t id);
/* Initial distribution: ids 0..N-1 in contiguous ranges over the blocks, with their types. x0
 * and fields are left alone. Blocks without a header (another rank's in a distributed run) are
 * skipped, here and in sd_particles_place. */
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
/* Block k's first lost particle (position not finite, or, unless first, moved more than half the
 * smallest box length since the last build): its status, or SD_PST_OK. */
int sd_pbuf_find_lost(const sd_pgeom *pg, int pos, const sd_pbuf *bk, int k, int first, sd_pstatus *st);

/* ---- The parallel rebuild (particles_migrate.c): the same result as sd_particles_rebuild, bitwise,
 * from tasks per block that StarPU orders by their buffers. Phases, in order (each needs the one
 * before it done for the blocks named):
 *   scan    (each block)    its largest displacement since the last build, its first lost particle;
 *   decide  (once, all scans) keep the lists (check: nothing moved more than skin/2; or a particle is
 *                           lost: the error, every block as it was), rebuild in parallel, or rebuild
 *                           with sd_particles_rebuild (the first build, whose blocks hold id ranges;
 *                           a displacement beyond geom->reach2, which could leave a block from
 *                           deeper than its cells next to other bricks; a block with more particles
 *                           there than its outgoing buffer's room);
 *   migrate (each block)    wrap, bin; the particles whose cell left the brick go to the block's
 *                           outgoing buffer, by the neighbour that owns them now;
 *   gather  (each block, after its neighbourhood's migrates) kept + incoming, sorted by (cell, id),
 *                           every field permuted, x0, the brick's cell starts;
 *   plan    (each block, after its neighbourhood's gathers) the ghost plan;
 *   verdict (once, all plans) the first block without room, as sd_particles_rebuild names it. */
enum { SD_PREB_KEEP = 0, SD_PREB_PARALLEL, SD_PREB_SERIAL };
typedef struct sd_pdecision {
    int32_t mode;       /* SD_PREB_* */
    int32_t dangerous;  /* a rebuild without check after some particle moved more than skin/2 */
    double max_disp2;   /* the largest squared displacement of any particle since the last build */
    int32_t full;       /* SD_PREB_SERIAL because this block's outgoing buffer could overflow (-1: not) */
    int32_t pad;
    int64_t need, have; /* then its particles that may leave, and its room */
} sd_pdecision;
/* What one block's phases found (one small buffer per block). */
typedef struct sd_pblockstat {
    sd_acc disp;        /* squared displacements since the last build (sd_md_max_disp2) */
    int64_t nleave;     /* its header's nleave */
    sd_pstatus lost;    /* scan: its first lost particle */
    sd_pstatus far;     /* migrate: a particle beyond the neighbourhood (decide rules it out) */
    sd_pstatus home, exp, ghost; /* gather and plan: no room */
} sd_pblockstat;
/* One block as its phases see it. */
typedef struct sd_prebuild_block {
    int k;              /* the block */
    sd_pbuf buf;        /* its header, ids, types, x0, ghost plan, fields */
    int64_t *cs;        /* its cell starts (sd_pcs_words) */
    void *out;          /* its outgoing buffer (sd_pout_bytes) */
    const void *in[SD_PSLOTS];          /* gather: the outgoing buffers of its neighbourhood (slot 0 unused) */
    const int64_t *src_cs[SD_PSLOTS];   /* plan: the cell starts of its neighbourhood (sd_pcs_words) */
    sd_pblockstat *stat;
    void *scratch;      /* sd_prebuild_block_scratch_bytes */
} sd_prebuild_block;
/* Block b's outgoing buffer: room for cap_o[b] particles with every field. */
size_t sd_pout_bytes(const sd_pgeom *pg, const sd_prebuild_req *req, int b);
size_t sd_prebuild_block_scratch_bytes(const sd_pgeom *pg);
void sd_prebuild_scan(const sd_prebuild_req *req, sd_prebuild_block *B);
/* stat[k]: block k's; returns the error (in st), with dec->mode = SD_PREB_KEEP */
int sd_prebuild_decide(const sd_prebuild_req *req, const sd_pblockstat *const *stat, sd_pdecision *dec, sd_pstatus *st);
void sd_prebuild_migrate(const sd_prebuild_req *req, sd_prebuild_block *B);
void sd_prebuild_gather(const sd_prebuild_req *req, sd_prebuild_block *B);
void sd_prebuild_plan(const sd_pgeom *pg, sd_prebuild_block *B);
int sd_prebuild_verdict(const sd_pgeom *pg, const sd_pblockstat *const *stat, sd_pstatus *st);

/* One block's preparation before neighbour ops: its inputs (header, ghost plan, and for each
 * source slot k of the block the positions src[k] (component stride src_sc[k]), ids and types: a
 * remote source's export buffers, else its block's) and outputs. */
typedef struct sd_pprep {
    sd_phdr *hdr;
    const md_ghost *plan;
    const double *src[SD_PSLOTS];
    int64_t src_sc[SD_PSLOTS];
    const int64_t *src_id[SD_PSLOTS];
    const int32_t *src_type[SD_PSLOTS];
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
