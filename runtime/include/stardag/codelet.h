/* stardag/codelet.h - declaring a codelet: its buffers (roles), parameters, access pattern and
 * pure functions. The runtime turns each declaration into one StarPU codelet with its own
 * performance model; this header has no StarPU in it. */
#ifndef STARDAG_CODELET_H
#define STARDAG_CODELET_H

#include <stddef.h>
#include "stardag/kernel.h"

typedef enum { SD_READ = 1, SD_WRITE = 2, SD_READWRITE = 3 } sd_access;

/* How an op expands into tasks over tiles (blocks, partitions). On meshes: SD_POINTWISE and
 * SD_REDUCTION work on a partition's owned vertices or faces; SD_WHOLE is an op of scalars only
 * (one task reading and writing scalars directly: a line search's choice of step) or, with vertex
 * field roles, a whole-mesh op: one call on the whole mesh as one partition (every vertex owned,
 * fields of stride nv), which may also write scalars (a global sparse solve: membrane.newton). */
typedef enum {
    SD_POINTWISE, /* one task per tile, every buffer is that same tile */
    SD_STENCIL,   /* one task per tile; read roles with halo > 0 see neighbour cells in the ghost zone */
    SD_REDUCTION, /* one task per tile producing partials (read roles may have halos), then one
                     combine task writing the scalars */
    SD_WHOLE,     /* one task that sees every tile, called tile by tile in a fixed order */
    SD_NEIGHBOR,  /* particles: one task per block; read roles with halo > 0 also see the particles
                     of the neighbour blocks within the list range (ghosts), and the block's
                     neighbour lists; writes only the block's own particles */
    SD_SCATTER_ADD /* meshes: one task per partition; read roles with halo 1 (2) see ghost rings 1
                     (and 2) up to date; per-face contributions are summed into the owned vertices
                     in each vertex's corner order (sd_mpart); scalar write roles are reduced as in
                     SD_REDUCTION (partials per partition, one combine) */
} sd_pattern;

/* Patterns whose scalar outputs are reduced from per-part partials by one combine. */
static inline int sd_pattern_reduces(sd_pattern p) { return p == SD_REDUCTION || p == SD_SCATTER_ADD; }

/* The kind of domain a codelet runs on. */
typedef enum { SD_ON_GRID = 0, SD_ON_PARTICLES = 1, SD_ON_MESH = 2, SD_ON_BATCH = 3 } sd_on;

/* Locations of mesh fields (sd_role.location, a mesh field's `location:`). A role's location is an
 * index into its domain class's locations, below SD_MAX_LOCATIONS. */
enum { SD_MESH_VERTICES = 0, SD_MESH_FACES = 1, SD_MESH_EDGES = 2 };
#define SD_MAX_LOCATIONS 4

/* A role's kind: a field, a scalar, or a table (a graph's `tables:` entry: numbers read from a file
 * at load, read-only). A table role is a read role; ncomp is the columns it needs (0: any). The
 * kernel sees it as one f64 buffer of rows x columns, row-major: p[slot] (const double *), sc[slot]
 * = rows, ncomp[slot] = columns, dtype[slot] = SD_F64 (stardag/kernel.h). Grids and batches bind
 * tables; other domain classes refuse them at load. */
typedef enum { SD_ROLE_FIELD = 0, SD_ROLE_SCALAR = 1, SD_ROLE_TABLE = 2 } sd_role_kind;
typedef enum { SD_REDUCE_NONE = 0, SD_REDUCE_SUM, SD_REDUCE_MAX, SD_REDUCE_MIN, SD_REDUCE_COUNT_NONFINITE } sd_reduce;

typedef struct sd_role {
    const char *name;
    sd_access mode;
    sd_role_kind kind;
    int halo;         /* ghost width this role reads (stencil read roles); 0 otherwise */
    int box;          /* grid read roles with a halo: the stencil's shape. 0 (star): it reaches
                         along one axis at a time, so face ghosts suffice; 1 (full box): it also
                         reads edge and corner ghosts (a 9- or 27-point stencil), which the halo
                         exchange then fills too (axis by axis, a little more traffic) */
    int ncomp;        /* required components (table roles: columns), 0 = any */
    int dtypes;       /* accepted field dtypes as a mask (1 << SD_F32 | 1 << SD_F64); 0 = both */
    sd_reduce reduce; /* scalar write roles of a reduction: how partials combine */
    int location;     /* field roles on meshes: where the field's values live (SD_MESH_VERTICES,
                         SD_MESH_FACES, SD_MESH_EDGES); the loader refuses a field of another
                         location */
    int optional;     /* may be left unbound in a graph: scalar write roles of a reduction (the
                         value is computed and dropped); field roles on grids and batches and table
                         roles (the kernel sees p == NULL for the role's slot) */
    const char *doc;
    int support;      /* grid read roles with a halo, of a field on inner bins: 1 + the index of
                         the role (a field on cells, f64, read with at least this halo) whose
                         values bound where this role's are non-zero (sd_codelet.support_box);
                         the halo exchange then copies only the bins inside those bounds. 0: none */
} sd_role;

typedef struct sd_param {
    const char *name;
    double def;       /* default when not required */
    double min, max;  /* valid closed range */
    int required;
    const char *doc;
} sd_param;

/* What a codelet's validate hook (and a reduction's finish) may look at, before any task runs. */
typedef struct sd_check_info {
    int ndim;
    int64_t shape[3];
    double dx[3];
    double dt;
    const double *param;
    /* grids */
    int bc[3];                      /* sd_bc of each axis */
    double bc_value[3];             /* the ghost value of fixed axes */
    int ninner;                     /* inner axes (sd_tile_args' grid view) */
    int64_t inner_n[SD_MAX_INNER_AXES];
    double inner_lo[SD_MAX_INNER_AXES], inner_hi[SD_MAX_INNER_AXES];
    /* particle domains */
    int64_t count;      /* N */
    double box[3];      /* periodic box lengths */
    double kB;          /* Boltzmann constant in the graph's units */
    int ntypes;
    const double *mass; /* per type, times mvv2e as sd_pdomain.mass (1 except in metal units) */
    /* batch domains: the ODE system (stardag/ode.h) */
    const struct sd_ode_system *system;
    /* validate and ncomp hooks: the tables the op binds, by role index (rows x cols values,
     * row-major, host memory); NULL for other roles and for an optional table role left unbound.
     * A hook checks what the numbers must be (ascending energies, positive values) */
    const double *table[SD_MAX_BUFS];
    int64_t table_rows[SD_MAX_BUFS];
    int table_cols[SD_MAX_BUFS];
} sd_check_info;

typedef void (*sd_cpu_fn)(const sd_tile_args *a);
typedef void (*sd_cuda_fn)(const sd_tile_args *a, void *cuda_stream);
/* Return 0 when fine; otherwise write what is wrong (and what was expected) into msg. */
typedef int (*sd_validate_fn)(const sd_check_info *info, char *msg, size_t len);
/* A reduction's last stage (optional): sums[i] is the combined value of partial i (npartials of
 * them); writes one value per scalar write role, in role order (temperature from kinetic energy,
 * say). Runs on the host. */
typedef void (*sd_finish_fn)(const double *sums, const sd_check_info *info, double *out);
/* Where a cell's values of a field on inner bins may be non-zero, from its support's values at that
 * cell (v[c * stride], c < the support's components): along inner axis k (k < ninner, the domain's
 * order) the bins first[k]..last[k]; outside that box every value is +0.0 (all bits 0). first > last on
 * any axis: the cell holds none. A pure function (no StarPU); called on CPUs by the halo exchange. */
typedef void (*sd_support_fn)(const double *v, int64_t stride, int ninner, int64_t first[], int64_t last[]);

typedef struct sd_codelet {
    const char *name; /* "domain.op" */
    const char *doc;
    sd_pattern pattern;
    int nroles;
    sd_role roles[SD_MAX_BUFS];
    int nparams;
    sd_param params[SD_MAX_PARAMS];
    sd_cpu_fn cpu;
    sd_cuda_fn cuda;         /* NULL until a CUDA implementation exists */
    sd_validate_fn validate; /* optional */
    const char *model;       /* stable, unique StarPU performance-model symbol */
    sd_on domain;            /* SD_ON_GRID (default) or SD_ON_PARTICLES */
    sd_finish_fn finish;     /* reductions: partials -> scalars (NULL: one SUM/MAX/... partial per
                                scalar write role) */
    int npartials;           /* with finish: sd_acc partials each task fills (<= SD_MAX_ACC) */
    int scratch_v, scratch_f; /* meshes: doubles of scratch the kernel needs per local vertex and per
                                 local face (sd_mpart.scratch) */
    int (*reach)(const double *param); /* optional: grids: the ghost width the stencil read roles (those
                                declaring halo > 0) need with these parameters, when it depends on them
                                (a Laplacian's order); at least their declared halo */
    int (*ncomp)(int role, const sd_check_info *info); /* optional: the components field role `role`
                                needs (0: any), when they depend on the domain or the parameters
                                (an ODE solver's work field: a multiple of the system's size);
                                the loader refuses another count, naming the one expected */
    double cuda_tol;         /* CPU vs CUDA agreement: 0 = bitwise; else the relative bound that
                                `stardag verify` checks (|cpu - cuda| <= tol * max |cpu|), for ops
                                whose math calls libm functions that CUDA rounds differently */
    int fusable;             /* grids (stencil and pointwise ops): 1 when the value the kernel computes
                                at a cell depends only on the fields around it, the parameters, the
                                step and the time, never on the cell's position (a->origin, a->shape)
                                nor on a->n beyond its loop bounds: run.fuse may then run it over a
                                tile grown into its ghost layers, several steps in one task
                                (temporal blocking, docs/lattice.md "Fused steps") */
    sd_support_fn support_box; /* with a role declaring .support: that role's bounds (required then) */
} sd_codelet;

/* An op of scalars only (no field role): an SD_WHOLE codelet that reads and writes scalars. */
static inline int sd_codelet_scalars_only(const sd_codelet *c)
{
    for (int i = 0; i < c->nroles; i++)
        if (c->roles[i].kind != SD_ROLE_SCALAR) return 0;
    return 1;
}

#ifdef __cplusplus
extern "C" {
#endif

/* Register a codelet (the struct is copied). Returns 0, or -1 with a message on stderr when the
 * name is taken or the declaration is inconsistent. Call before loading graphs. */
int sd_codelet_register(const sd_codelet *c);
/* Register every codelet of a table (a pack); reports failures naming the pack. Returns the
 * number that failed. */
int sd_codelet_register_table(const char *pack, const sd_codelet *table, size_t n);
const sd_codelet *sd_codelet_find(const char *name);
int sd_codelet_count(void);
const sd_codelet *sd_codelet_at(int i);
/* Register the bundled packs (common, lattice); idempotent. */
void sd_register_builtin_codelets(void);
/* Index of a parameter or role by name, or -1. */
int sd_codelet_param_index(const sd_codelet *c, const char *name);
int sd_codelet_role_index(const sd_codelet *c, const char *name);

#ifdef __cplusplus
}
#endif
#endif
