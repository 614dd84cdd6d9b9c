/* stardag/kernel.h - what a pure kernel sees. No StarPU here: kernels are plain C on pointers
 * (and the same inline math compiles for CUDA), so they can be tested alone. */
#ifndef STARDAG_KERNEL_H
#define STARDAG_KERNEL_H

#include <stdint.h>
#include <string.h>

/* Per-element math is written once as SD_HD inline functions: host+device under nvcc,
 * plain static inline for the C compiler. */
#ifdef __CUDACC__
#define SD_HD __host__ __device__ static inline
#else
#define SD_HD static inline
#endif

#define SD_MAX_BUFS 12
#define SD_MAX_PARAMS 16
#define SD_MAX_ACC 8
#define SD_MAX_INNER_AXES 3 /* inner (untiled, per-cell) axes of a grid */

enum { SD_F32 = 0, SD_F64 = 1 };
/* Boundary kinds of a grid axis (both sides). */
typedef enum { SD_BC_PERIODIC = 0, SD_BC_REFLECTIVE, SD_BC_ABSORBING, SD_BC_FIXED } sd_bc;

/* ---- Exact accumulation -------------------------------------------------------------------
 * Reduced scalars must not depend on tile count, scheduler or worker count, so a sum is kept
 * exactly: every double is split into its 53-bit integer mantissa and added into 32-bit-wide
 * limbs held in int64 (carry-save), covering the whole double range (2^-1074 .. 2^1024).
 * Addition of integers is associative, so any grouping of partial sums gives the same bits. */
#define SD_XSUM_LIMBS 67
#define SD_XSUM_NADD_MAX (1LL << 30) /* adds before carries must be propagated */

typedef struct sd_acc {
    int64_t limb[SD_XSUM_LIMBS];
    int64_t nadd;      /* adds since the last carry propagation */
    int64_t count;     /* values folded in (finite or not) */
    int64_t nonfinite; /* NaN or Inf values seen */
    double maxv, minv; /* for max/min reductions */
} sd_acc;

SD_HD void sd_acc_init(sd_acc *a)
{
    for (int i = 0; i < SD_XSUM_LIMBS; i++) a->limb[i] = 0;
    a->nadd = a->count = a->nonfinite = 0;
    a->maxv = -1.0 / 0.0;
    a->minv = 1.0 / 0.0;
}

/* Propagate carries so limbs 0..N-2 lie in [0, 2^32); the top limb keeps the sign. The result is
 * canonical: equal sums give equal limbs. */
SD_HD void sd_acc_normalize(sd_acc *a)
{
    int64_t carry = 0;
    for (int i = 0; i < SD_XSUM_LIMBS - 1; i++) {
        int64_t v = a->limb[i] + carry;
        carry = v >> 32; /* arithmetic shift: floor division by 2^32 */
        a->limb[i] = v - carry * ((int64_t)1 << 32);
    }
    a->limb[SD_XSUM_LIMBS - 1] += carry;
    a->nadd = 0;
}

/* The exact decomposition behind sd_acc_add (shared with the CUDA reduction in kernel_cuda.cuh):
 * a finite non-zero x adds the signed parts v[0..2] (each of magnitude < 2^33) to limbs L..L+2,
 * L <= SD_XSUM_LIMBS - 4. Returns 1 for a finite non-zero x, 0 for +-0, -1 for NaN/+-Inf. */
SD_HD int sd_acc_split(double x, int *L, int64_t v[3])
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    int ex = (int)((u >> 52) & 0x7ff);
    if (ex == 0x7ff) return -1;
    uint64_t m = u & ((1ULL << 52) - 1);
    int p = 0; /* bit position of the mantissa's lowest bit, counted from 2^-1074 */
    if (ex) { m |= 1ULL << 52; p = ex - 1; }
    if (!m) return 0;
    int s = p & 31;
    uint64_t lo = (m & 0xffffffffULL) << s, hi = (m >> 32) << s;
    int64_t sg = (u >> 63) ? -1 : 1;
    *L = p >> 5;
    v[0] = sg * (int64_t)(lo & 0xffffffffULL);
    v[1] = sg * (int64_t)((lo >> 32) + (hi & 0xffffffffULL));
    v[2] = sg * (int64_t)(hi >> 32);
    return 1;
}

/* Add the parts sd_acc_split made to the limbs. */
SD_HD void sd_acc_limbs_add(sd_acc *a, int L, const int64_t v[3])
{
    a->limb[L] += v[0];
    a->limb[L + 1] += v[1];
    a->limb[L + 2] += v[2];
    if (++a->nadd >= SD_XSUM_NADD_MAX) sd_acc_normalize(a);
}

/* One term: counted, its extremes tracked, its exact value summed (NaN/Inf counted in nonfinite).
 * One split serves the finiteness test and the sum: this is the term-by-term hot path. */
SD_HD void sd_acc_add(sd_acc *a, double x)
{
    int L = 0;
    int64_t v[3];
    const int k = sd_acc_split(x, &L, v);
    a->count++;
    if (k < 0) { a->nonfinite++; return; }
    if (x > a->maxv) a->maxv = x;
    if (x < a->minv) a->minv = x;
    if (k) sd_acc_limbs_add(a, L, v);
}

/* x's exact value into the limbs only (nothing for +-0 or NaN/Inf): count and extremes are the
 * caller's (the bulk sums fold their exact level sums with it). */
SD_HD void sd_acc_fold(sd_acc *a, double x)
{
    int L = 0;
    int64_t v[3];
    if (sd_acc_split(x, &L, v) > 0) sd_acc_limbs_add(a, L, v);
}

/* Track extremes without summing (max/min reductions of plain values). */
SD_HD void sd_acc_extreme(sd_acc *a, double x)
{
    a->count++;
    if (x != x || x - x != 0) { a->nonfinite++; return; }
    if (x > a->maxv) a->maxv = x;
    if (x < a->minv) a->minv = x;
}

/* Fold partial b into a (exact). Both operands may be unnormalized. */
SD_HD void sd_acc_merge(sd_acc *a, const sd_acc *b)
{
    sd_acc t = *b;
    sd_acc_normalize(a);
    sd_acc_normalize(&t);
    for (int i = 0; i < SD_XSUM_LIMBS; i++) a->limb[i] += t.limb[i];
    a->nadd = 1;
    a->count += b->count;
    a->nonfinite += b->nonfinite;
    if (b->maxv > a->maxv) a->maxv = b->maxv;
    if (b->minv < a->minv) a->minv = b->minv;
}

/* The exact sum rounded to double (faithfully: error below one ulp). A pure function of the
 * exact value, hence bitwise reproducible. NaN if any non-finite value was added. */
SD_HD double sd_acc_sum(const sd_acc *in)
{
    if (in->nonfinite) return 0.0 / 0.0;
    sd_acc a = *in;
    sd_acc_normalize(&a);
    double sign = 1.0;
    if (a.limb[SD_XSUM_LIMBS - 1] < 0) { /* negate the two's-complement number */
        sign = -1.0;
        int64_t carry = 1;
        for (int i = 0; i < SD_XSUM_LIMBS - 1; i++) {
            int64_t v = (0xffffffffLL - a.limb[i]) + carry;
            carry = v >> 32;
            a.limb[i] = v & 0xffffffffLL;
        }
        a.limb[SD_XSUM_LIMBS - 1] = -a.limb[SD_XSUM_LIMBS - 1] - 1 + carry;
    }
    int h = SD_XSUM_LIMBS - 1;
    while (h >= 0 && a.limb[h] == 0) h--;
    if (h < 0) return 0.0;
    double r = 0.0;
    int lo = h - 2 < 0 ? 0 : h - 2;
    for (int i = h; i >= lo; i--) r = r * 4294967296.0 + (double)a.limb[i];
    /* limb i holds bits 32*i .. 32*i+31 counted from 2^-1074 */
    int e = 32 * lo - 1074;
    while (e > 0) { int k = e > 512 ? 512 : e; double f = 1.0; for (int j = 0; j < k; j++) f *= 2.0; r *= f; e -= k; }
    while (e < 0) { int k = -e > 512 ? 512 : -e; double f = 1.0; for (int j = 0; j < k; j++) f *= 0.5; r *= f; e += k; }
    return sign * r;
}

#ifndef __CUDACC__
/* Terms in bulk (host code): the same as sd_acc_add on x[0], ..., x[n-1] (the same exact sum,
 * count, non-finite count and extremes, bitwise; only which zero an extreme keeps when both -0.0
 * and +0.0 occur may differ), at about the cost of a plain double sum instead of several times it:
 * error-free extraction with the widest SIMD the CPU has (runtime/simd/reduce_simd.c). */
void sd_acc_add_n(sd_acc *a, const double *x, int64_t n);
/* Largest and smallest finite |x[i]| folded into *mx and *mn (if larger / smaller), and the NaN/Inf
 * values counted into *nf, with SIMD: the same bits as a loop of compares. */
void sd_max_abs_n(const double *x, int64_t n, double *mx, double *mn, int64_t *nf);

/* Terms computed one at a time or a row at a time, folded in bulk (the fast path wants hundreds of
 * terms per call): put each term, or write up to k in place at sd_acc_batch_room; flush at the end. */
#define SD_ACC_BATCH 512
typedef struct sd_acc_batch {
    sd_acc *acc;
    int n;
    double v[SD_ACC_BATCH];
} sd_acc_batch;
static inline void sd_acc_batch_flush(sd_acc_batch *b)
{
    sd_acc_add_n(b->acc, b->v, b->n);
    b->n = 0;
}
static inline void sd_acc_batch_put(sd_acc_batch *b, double x)
{
    b->v[b->n++] = x;
    if (b->n == SD_ACC_BATCH) sd_acc_batch_flush(b);
}
/* Where the caller writes its next *k terms (flushing first when full; *k is lowered to the room
 * left): the batch counts them already, so they must be written before the next batch call. */
static inline double *sd_acc_batch_room(sd_acc_batch *b, int64_t *k)
{
    if (b->n == SD_ACC_BATCH) sd_acc_batch_flush(b);
    if (*k > SD_ACC_BATCH - b->n) *k = SD_ACC_BATCH - b->n;
    double *at = b->v + b->n;
    b->n += (int)*k;
    return at;
}
#endif

/* ---- Particle blocks ------------------------------------------------------------------------
 * A particle domain keeps its particles in blocks (slabs of cells along z). Per block, every
 * per-particle field is one buffer with room for `cap` particles, SoA with the component
 * outermost: component c of particle i at p[i + c*cap]. */
typedef struct sd_pblock {
    int64_t nh;                 /* particles the block owns (its home particles) */
    const int64_t *id;          /* [nh] global ids (unique, 0..N-1) */
    const int32_t *type;        /* [nh] type indices */
    void *p[SD_MAX_BUFS];       /* field roles, as sd_tile_args.p (scalar reads included) */
    /* neighbour-block ops (pattern SD_NEIGHBOR, or a reduction with a halo role) */
    int64_t ng;                 /* ghosts: particles of this and the neighbour blocks (periodic
                                   images) within cutoff + skin of the block */
    const double *xv;           /* positions: home [0, nh) then ghosts [nh, nh+ng), component stride xvsc */
    int64_t xvsc;
    const int32_t *tv;          /* types of xv */
    const int64_t *start;       /* full neighbour lists (CSR over home particles, indices into xv,
                                   each list sorted by id) */
    const int32_t *nbr;
} sd_pblock;

/* What every particle op may read about its domain (host memory). */
typedef struct sd_pdomain {
    int64_t count;              /* N */
    double box[3];              /* periodic box [0, L) */
    double kB;                  /* Boltzmann constant in the graph's units */
    int ntypes;
    const double *mass;         /* [ntypes], times mvv2e (1 in lj and real units, 1.0364269e-4 in
                                   metal: LAMMPS'), so that F/m is an acceleration and m v^2 an energy */
    const void *pair;           /* the md pack's pair table (md_lj_table) */
    int mixed;                  /* precision: mixed (the graph's domain.particles.precision) */
} sd_pdomain;

/* ---- Mesh partitions --------------------------------------------------------------------------
 * A mesh domain is a closed, oriented triangulated surface cut into partitions of vertices. A
 * partition holds its local mesh: the vertices it owns, then two rings of ghost vertices (ring 1:
 * sharing a face with an owned vertex; ring 2: sharing a face with a ring-1 vertex), and every face
 * with a corner among the owned and ring-1 vertices, so that each of those sees all of its faces.
 * Vertex fields are SoA over the local vertices (component c of vertex v at p[v + c*sc], sc = nv),
 * face fields over the local faces (sc = nf), edge fields over the local edges (sc = ne). Face and
 * edge fields have no ghost exchange: output and checkpoints take the owned elements, so an op
 * writing one must write those; an op that a later op's sum over a vertex's faces or edges feeds
 * writes every local one (a partition then computes the copies it shares with others, with the
 * same bits). A restore fills every local element. A kernel that adds per-face contributions into
 * vertices (SD_SCATTER_ADD) computes each face once and then sums, at each vertex, over the
 * vertex's corners in the order of its corner list (increasing global face id), never with atomics:
 * a vertex's value is then bitwise the same whatever the partition, scheduler or worker count. */
typedef struct sd_mpart {
    int64_t nv_own;        /* owned vertices: local [0, nv_own) */
    int64_t nv_ring1;      /* owned and ring-1 vertices: [0, nv_ring1); ring 2 is [nv_ring1, nv) */
    int64_t nv;            /* local vertices */
    int64_t nf_own;        /* owned faces: local [0, nf_own) (a face belongs to the owner of its
                              corner with the lowest global id) */
    int64_t nf;            /* local faces */
    const int32_t *tri;    /* [3 nf]: local vertex of corner k of face f at tri[3f + k], counter-
                              clockwise seen from outside (the outward normal is (b-a) x (c-a)) */
    const int64_t *cstart; /* [nv_ring1 + 1]: vertex v's corners are corner[cstart[v] .. cstart[v+1]) */
    const int32_t *corner; /* corner ids 3f + k, per vertex in increasing global face id */
    const int64_t *vid;    /* [nv] global vertex ids */
    const int64_t *fid;    /* [nf] global face ids */
    double *scratch;       /* the codelet's scratch (sd_codelet.scratch_v doubles per local vertex,
                              then scratch_f per local face); NULL when it asks for none */
    int64_t nv_global, nf_global; /* the whole mesh */
    /* Edges: present when the graph declares a field on edges (else ne = 0 and the pointers NULL).
     * Global edges are numbered by their lower, then their higher global vertex id. The local
     * edges are those with an end in [0, nv_ring1) (so both faces of each are local): the owned
     * ones first ([0, ne_own): an edge belongs to the owner of its end with the lower global id),
     * each group by global id. */
    int64_t ne_own, ne, ne_global;
    const int32_t *edge;   /* [2 ne]: the local vertices of edge e, edge[2e] the one with the lower
                              global id */
    const int32_t *eface;  /* [2 ne]: local faces of edge e: eface[2e] the face whose counter-
                              clockwise boundary runs edge[2e] -> edge[2e+1], eface[2e+1] the other */
    const int32_t *fedge;  /* [3 nf]: the local edge from corner k to corner k+1 of face f at
                              fedge[3f + k]; -1 where that edge is not local (both ends in ring 2) */
    const int64_t *estart; /* [nv_ring1 + 1]: vertex v's edges are vedge[estart[v] .. estart[v+1]) */
    const int32_t *vedge;  /* local edge ids per vertex, in increasing global edge id: a sum over
                              a vertex's edges runs in the same order in every partition */
    const int64_t *eid;    /* [ne] global edge ids */
} sd_mpart;

/* ---- Kernel arguments ------------------------------------------------------------------------
 * What every kernel sees, whatever its domain: buffer pointers and per-buffer layout, parameters,
 * the step and time, reduction partials. Then the view of the part the task works on, one per
 * domain class (a union: a kernel reads only its class's members):
 *  - grids: a tile. Each tile buffer carries a ghost zone (halo) around its interior; p[b] points at
 *    interior cell (0,0,0), component 0, of buffer b; x is contiguous and axis d has the element
 *    stride stride[b][d] (stride[b][0] = 1), so neighbours are at
 *    p[b][i + j*stride[b][1] + k*stride[b][2]] for i in [-h, n[0]+h) etc.
 *  - particles: the block(s) the task works on (one, or every block for SD_WHOLE) and the domain;
 *    p[] and sc[] describe block 0's field buffers (sc = the block's capacity).
 *  - meshes: one partition's local mesh (sd_mpart, device pointers in a CUDA task); p[b] points at
 *    local element 0 of a field buffer, sc[b] is its local element count.
 *  - batches: a grid tile of a one-dimensional grid of systems without halos (n[0] systems from
 *    global system origin[0] of shape[0]), and `system`.
 * Scalar buffers point at one double. A table role's buffer (SD_ROLE_TABLE, grids and batches) is
 * the whole table in every task: p[b] a const double * to rows x cols values, row-major (value
 * (row i, column j) at p[b][i * cols + j]), sc[b] = rows, ncomp[b] = cols, dtype[b] = SD_F64, no
 * halo or strides; a device pointer in a CUDA task. An optional field or table role left unbound
 * has p[b] == NULL. */
typedef struct sd_tile_args {
    int nbuf;
    void *p[SD_MAX_BUFS];
    int64_t sc[SD_MAX_BUFS];     /* element stride between components */
    int ncomp[SD_MAX_BUFS];      /* values per element: components (times the bins of a grid field
                                    on inner axes: see the grid view) */
    int dtype[SD_MAX_BUFS];
    double param[SD_MAX_PARAMS]; /* in the codelet's declared parameter order */
    int64_t step;                /* the step being computed (0 during init) */
    double time, dt;
    int nacc;
    sd_acc *acc; /* reduction partials: one per reduced scalar role, in role order (or the
                    codelet's npartials when it has a finish hook) */
    const struct sd_ode_system *system; /* batches: the domain's ODE system (stardag/ode.h); host
                    memory (a CUDA kernel reads what it needs by value) */
    union {
        struct { /* grids: one tile */
            int ndim;
            int64_t n[3];      /* interior cells of this tile along x, y, z (1 for absent axes) */
            int64_t origin[3]; /* global index of the tile's first interior cell */
            int64_t shape[3];  /* global grid shape */
            double dx[3];      /* grid spacing */
            int bc[3];         /* sd_bc of each axis (ghosts already hold the boundary values) */
            int64_t stride[SD_MAX_BUFS][3 + SD_MAX_INNER_AXES]; /* element stride of each axis: x (1), y,
                                            z, then the inner axes (buffers on bins) */
            int halo[SD_MAX_BUFS];
            /* inner axes: every cell holds bins[b] values per component, inner axis 0 fastest;
               value v of a cell (v = bin + c * bins[b], bin = i0 + i1 * inner_n[0] + ...) is at
               v * sc[b]; ncomp[b] counts values: components times bins */
            int ninner;
            int64_t inner_n[SD_MAX_INNER_AXES];
            double inner_lo[SD_MAX_INNER_AXES], inner_hi[SD_MAX_INNER_AXES]; /* each inner axis'
                                       range: inner_n equal bins, bin i centred at
                                       lo + (i + 0.5) (hi - lo) / inner_n, in the user's units */
            int64_t bins[SD_MAX_BUFS]; /* 1 for a field on cells */
        };
        struct { /* particles: blocks */
            int nblk;
            const sd_pblock *blk;
            const sd_pdomain *pd;
        };
        struct { /* meshes: one partition (empty for an op of scalars only) */
            sd_mpart mesh;
        };
    };
} sd_tile_args;

/* Layout of one tile buffer: interior n[d] cells padded by h ghost cells on both sides of each
 * of the first ndim axes, x fastest, components outermost. Gives the element stride of each axis,
 * the component stride, the offset of interior cell (0,0,0) from the buffer start, and the total
 * element count. */
SD_HD void sd_tile_layout(int ndim, const int64_t n[3], int h, int64_t ncomp, int64_t stride[3], int64_t *sc,
                          int64_t *offset, int64_t *total)
{
    int64_t s = 1;
    *offset = 0;
    for (int d = 0; d < 3; d++) {
        stride[d] = s;
        if (d < ndim) *offset += (int64_t)h * s;
        s *= d < ndim ? n[d] + 2 * h : 1;
    }
    *sc = s;
    *total = s * ncomp;
}

/* Linear offset of interior cell (i,j,k), component c, in buffer b. */
SD_HD int64_t sd_at(const sd_tile_args *a, int b, int64_t i, int64_t j, int64_t k, int c)
{
    return i + j * a->stride[b][1] + k * a->stride[b][2] + c * a->sc[b];
}

#endif
