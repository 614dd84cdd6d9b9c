/* graph.h - the in-memory form of a graph file, as the loader leaves it: names resolved to
 * indices, expressions evaluated, every value checked. The runtime reads nothing else. */
#ifndef STARDAG_GRAPH_H
#define STARDAG_GRAPH_H

#include <stdint.h>
#include "stardag/stardag.h"

#define SD_MAX_LEVELS 4
#define SD_NAME_MAX 64
#define SD_MAX_FUSE 64 /* run.fuse: steps one task may advance a tile */
#define SD_MAX_GRID_CELLS ((int64_t)1 << 52) /* cells (times inner bins) of a grid (the loader refuses more) */
#define SD_GRAPH_MAX_BYTES ((size_t)16 << 20) /* a graph file's text (the loader refuses more) */

typedef enum { SD_DOMAIN_GRID = 0, SD_DOMAIN_PARTICLES, SD_DOMAIN_MESH, SD_DOMAIN_BATCH } sd_domain_kind;

typedef struct sd_where { int line, col; } sd_where; /* 1-based position in the graph file */

typedef struct sd_gparam {
    char name[SD_NAME_MAX];
    double value;
    sd_where at;
} sd_gparam;

/* A particle domain (molecular dynamics): N particles in a periodic orthorhombic box [0, L)^3,
 * per-particle fields (f64; positions and velocities with 3 components), particle types with LJ
 * parameters, and the neighbour-list policy. Particles live in blocks: slabs of cells along z. */
#define SD_MAX_PTYPES 8 /* = MD_MAX_TYPES */
typedef enum { SD_UNITS_LJ = 0, SD_UNITS_REAL, SD_UNITS_METAL } sd_units;

typedef struct sd_ptype {
    char name[SD_NAME_MAX];
    double mass, epsilon, sigma;
    int64_t count;      /* particles of this type: ids are assigned to types in declaration order */
} sd_ptype;

typedef struct sd_ppair {
    int a, b;           /* type indices */
    double epsilon, sigma;
} sd_ppair;

/* domain.particles.read: the initial state from a file (runtime/graph/loader_read_particles.c),
 * read at load: the domain's count, box and type counts come from it or were checked against it. */
typedef struct sd_pread {
    char file[512];
    int64_t wrapped;    /* atoms that were outside the box (wrapped into it) */
    double *x, *v;      /* 3N in id order, the graph's length (and time) units; v NULL: none in the file */
    int32_t *type;      /* N: the graph's type index of each particle */
} sd_pread;

typedef struct sd_particles {
    int64_t count;      /* N */
    sd_pread *read;     /* NULL: positions come from init ops */
    double box[3];      /* L_x, L_y, L_z */
    sd_units units;
    int ntypes;
    sd_ptype type[SD_MAX_PTYPES];
    double mass[SD_MAX_PTYPES]; /* = type[t].mass, contiguous, in the graph's mass unit */
    double dyn_mass[SD_MAX_PTYPES]; /* mass * sd_units_mvv2e(units): what the kernels and hooks
                                       see (sd_pdomain.mass, sd_check_info.mass) */
    int npairs;         /* explicit pair parameters; other pairs mix by Lorentz-Berthelot */
    sd_ppair pair[SD_MAX_PTYPES * (SD_MAX_PTYPES + 1) / 2];
    double cutoff;      /* LJ cutoff r_c (every pair) */
    int shift;          /* shift pair energies to 0 at r_c */
    int mixed;          /* precision: mixed (f32 pair arithmetic, f64 sums and integration), else double */
    double skin;        /* lists hold pairs within r_c + skin */
    int rebuild_every;  /* consider a rebuild every N steps (and always after init) */
    int rebuild_check;  /* 1: rebuild only when the largest displacement since the last one exceeds skin/2 */
    double min_distance; /* a pair closer than min_distance * sigma_ab stops the run (overlap) */
    double capacity;    /* room of block and list buffers over their expected size (>= 1.1) */
    int position, velocity; /* field indices */
    int nblocks;        /* 0 = auto */
} sd_particles;

/* A mesh domain: a closed, oriented triangulated surface, read or generated at load
 * (graph/domain_mesh.c) and checked (io/mesh_file.h); its vertices carry the fields. */
/* A mesh's partitions: at most this many (a snapshot task holds one buffer of each partition, and
 * a task takes at most 4096). */
#define SD_MAX_MESH_PARTS 4000
typedef struct sd_gmesh {
    char source[512];   /* the file read, or what generated it ("icosphere level 5, radius 1") */
    int64_t nv, nf;
    double *x;          /* [3 nv] initial coordinates, x y z per vertex */
    int64_t *tri;       /* [3 nf] vertex ids per face, counter-clockwise seen from outside */
    int64_t dropped;    /* unreferenced vertices the reader dropped; flipped: faces reversed */
    int64_t flipped;
    int64_t ne;         /* edges (3 nf / 2 on a closed mesh); edge: [2 ne] their global vertex ids,
                           lower first, ordered by lower then higher id (sd_mesh_edges); NULL
                           unless a field lives on edges */
    int64_t *edge;
    int position;       /* the field that holds the vertex positions (initialised from x) */
    int nparts;         /* partitions: 0 = auto */
    char export_file[512]; /* the final mesh as OFF or PLY ("": none) */
} sd_gmesh;

/* A batch domain: M independent copies of one ODE system (stardag/ode.h), a one-dimensional grid
 * of systems without halos (ndim 1, shape {M, 1, 1}, spacing 1): tiles are ranges of systems. */
typedef struct sd_gbatch {
    int64_t count;                      /* M */
    const struct sd_ode_system *system; /* a built-in or registered system, or `owned` */
    void *owned;                        /* a system the graph built (from its expressions, runtime/ode/
                                           ode_expr.h, or a file, ode_linear.h), freed with the graph
                                           by free_owned */
    void (*free_owned)(void *owned);
    char source[256];                   /* what the system is: "built-in vdp", "expressions (line 7)" */
    int ntiles;                         /* ranges of systems (tiles: N); 0 = auto */
} sd_gbatch;

/* An inner axis of a grid: untiled bins every cell carries (angle, energy, ...), with the axis'
 * range [lo, hi] split into count equal bins. */
#define SD_MAX_INNER SD_MAX_INNER_AXES
typedef struct sd_inner_axis {
    char name[SD_NAME_MAX];
    int64_t count;
    double lo, hi;
} sd_inner_axis;

/* Where a grid field lives (sd_gfield.location): one value (per component) per cell, or one per
 * cell and bin of the inner axes. */
enum { SD_LOC_CELLS = 0, SD_LOC_BINS = 1 };

typedef struct sd_domain {
    sd_domain_kind kind;
    int ndim;           /* 1..3 */
    int64_t shape[3];   /* cells along x, y, z; 1 for absent axes */
    double spacing[3];  /* dx, dy, dz */
    sd_bc bc[3];        /* per axis, both sides */
    double bc_value[3]; /* ghost value for SD_BC_FIXED */
    double absorb_speed; /* wave speed c of the first-order Mur condition on absorbing sides (default 1) */
    int ninner;         /* inner axes: tiles hold every bin of their cells; no halo along them */
    sd_inner_axis inner[SD_MAX_INNER];
    int64_t nbins;      /* bins per cell: the product of the inner counts (1 without inner axes) */
    char units_length[32], units_time[32]; /* a grid's units (domain.grid.units), "" if not given:
                                              labels written to the output, no conversion */
    sd_particles particles; /* kind == SD_DOMAIN_PARTICLES (ndim 3, shape {N, 1, 1}) */
    sd_gmesh mesh;      /* kind == SD_DOMAIN_MESH (ndim 1, shape {nv, 1, 1}) */
    sd_gbatch batch;    /* kind == SD_DOMAIN_BATCH (ndim 1, shape {M, 1, 1}) */
} sd_domain;

typedef struct sd_gfield {
    char name[SD_NAME_MAX];
    int dtype;          /* SD_F32 / SD_F64 */
    int ncomp;
    int nlevels;        /* 1, or the number of rotating time levels */
    char level[SD_MAX_LEVELS][SD_NAME_MAX]; /* level names, oldest first; level[0] == name if nlevels == 1 */
    int halo;           /* ghost width: max halo any op reads this field with (set by the loader) */
    int box;            /* 1: some op reads it through a full-box role (sd_role.box): the exchange
                           fills edge and corner ghosts too (set by the loader) */
    int location;       /* where its values live: index into its domain class's locations (0: the first) */
    sd_where at;
} sd_gfield;

typedef struct sd_gscalar {
    char name[SD_NAME_MAX];
    sd_where at;
} sd_gscalar;

/* A table (the graph's `tables:`, runtime/graph/loader_tables.c): numbers read from a text file or
 * an HDF5 dataset at load,
 * rows x cols, row-major; ops read it through table roles (SD_ROLE_TABLE). */
typedef struct sd_gtable {
    char name[SD_NAME_MAX];
    char file[512];     /* as the graph names it */
    char dataset[256];  /* an HDF5 file's dataset; "" for a text file */
    int64_t rows;
    int cols;
    double *data;       /* [rows * cols] */
    sd_where at;
} sd_gtable;

/* One role of an op bound to a field level, a scalar or a table. */
typedef struct sd_binding {
    int is_scalar;
    int is_table;   /* index is a table's (a table role, read-only) */
    int index;   /* field, scalar or table index */
    int level;   /* field level index (0 for single-level fields) */
    int halo;    /* ghost width this op reads (>= the codelet's declared halo) */
    sd_access mode;
    int unbound; /* an optional field or table role left unbound: index -1, no data; the kernel
                    sees p == NULL in its slot */
} sd_binding;

/* What an io.read_field op reads (runtime/graph/loader_read.c): resolved and checked at load.
 * A batch's `values:` are such ops whose values were computed (or read) at load: `values` holds
 * them (the field's layout on the file: components outermost), copied instead of reading a file. */
typedef struct sd_gread {
    char file[512];
    char dataset[512]; /* the dataset's path in the file */
    int narrow;        /* f64 data rounded into an f32 field */
    double *values;    /* NULL: read file/dataset at run time */
} sd_gread;

typedef struct sd_gop {
    const sd_codelet *cl;
    sd_gread *read;               /* io.read_field: where its values come from; NULL for codelets */
    sd_binding bind[SD_MAX_BUFS]; /* in the codelet's role order */
    double param[SD_MAX_PARAMS];  /* in the codelet's parameter order, defaults filled in */
    int every;                    /* run on steps that are multiples of every (1 = each step) */
    sd_where at;
} sd_gop;

typedef enum { SD_CHECK_DRIFT = 0, SD_CHECK_FINITE, SD_CHECK_RANGE, SD_CHECK_MONOTONE } sd_check_kind;

typedef struct sd_gcheck {
    sd_check_kind kind;
    int target;        /* scalar index (drift, range, monotone) or field index (finite) */
    int level;         /* field level for finite */
    double rtol;       /* drift: max |x_n - x_ref| / |x_ref|; monotone: allowed step back, relative to |x_prev| */
    int has_reference; /* drift: x_ref is `reference` (else the first value) */
    double reference;
    int direction;     /* monotone: +1 increasing, -1 decreasing */
    int strict;        /* monotone: each value strictly beyond the previous one */
    double min, max;   /* range */
    int every;         /* evaluate every N steps (finite) */
    int hidden_scalar; /* finite: index of the runtime-made scalar holding the non-finite count */
    char text[128];    /* human description, e.g. "drift(energy) <= 1e-12" */
    sd_where at;
} sd_gcheck;

/* output.profiles: a cells field of a grid summed over every spatial axis but one, at each step
 * the field is written (runtime/driver/profile.h computes it; docs/graph-format.md). */
#define SD_MAX_PROFILES 8
#define SD_MAX_FALLOFF 8
typedef struct sd_gprofile {
    char name[SD_NAME_MAX + 16]; /* its group in the run file: "<field>_<axis>", "<field>_<component>_<axis>"
                                    (7 digits at most) unless given */
    char label[SD_NAME_MAX];    /* what the axis is called in the summary and charts ("depth");
                                   default its letter */
    int field;          /* field index (a cells field listed in output.fields) */
    int axis;           /* 0, 1, 2: x, y, z */
    int component;      /* which component of the field */
    int nfalloff;
    double falloff[SD_MAX_FALLOFF]; /* percentages of the maximum, 0 < p < 100, as given */
    sd_where at;
} sd_gprofile;

/* output.checkpoint (docs/checkpoint.md): where and when the run writes its restart state. */
typedef struct sd_gcheckpoint {
    char file[512];    /* the newest checkpoint; older ones FILE.1 ... FILE.(keep-1); empty = none */
    int64_t every;     /* every N steps; 0 = not by steps */
    double minutes;    /* when this much wall time passed since the last one (judged as a step is
                          submitted); 0 = not by time */
    int keep;          /* checkpoints kept (>= 1; default 2) */
    int last_good;     /* hold a checkpoint of each step a check judges, written when a later check
                          fails (docs/checkpoint.md, "Last good step"); -1 (not given): on when
                          the held copies fit in a quarter of the available memory */
} sd_gcheckpoint;

/* Bytes of every field at every level (the state a checkpoint or a held copy of it holds). */
double sd_graph_state_bytes(const sd_graph *g);

typedef struct sd_goutput {
    char file[512];    /* HDF5 path; empty = no output file */
    int nfields;
    int field[16];     /* field indices (their current level, i.e. the level named like the field
                          or the newest-but-one level for rotating fields; see field_level) */
    int field_level[16];
    int64_t fields_every; /* 0 = never */
    int nscalars;
    int scalar[32];
    int64_t scalars_every; /* 0 = never */
    char trajectory[512];  /* particles: H5MD trajectory path (positions, velocities, box); empty = none */
    int64_t trajectory_every; /* frames every N steps (and at the last step) */
    char log[512];     /* the run's log file; empty = beside the output file */
    int nprofiles;
    sd_gprofile profile[SD_MAX_PROFILES];
    sd_gcheckpoint checkpoint;
} sd_goutput;

/* run.until: the run stops (successfully) after the first step whose scalars meet these
 * conditions; judged only at steps that compute every scalar the conditions name. */
#define SD_MAX_UNTIL 16
typedef struct sd_guntil_cond {
    int scalar;        /* scalar index */
    int above;         /* met when the value is above (1) or below (0) value */
    double value;
} sd_guntil_cond;
typedef struct sd_guntil {
    int n;             /* conditions; 0: no stop condition */
    int all;           /* all of them must hold (all:), else any one (any:, or the single form) */
    sd_guntil_cond cond[SD_MAX_UNTIL];
} sd_guntil;

typedef struct sd_grun {
    int64_t steps;
    double dt;
    int tiles_auto;
    int64_t tile[3];   /* tile shape in cells when !tiles_auto */
    int max_inflight;  /* steps in flight; 0 when the graph leaves it to the run (4, or a tuning's) */
    int fuse;          /* grids: steps one task may advance a tile (temporal blocking); 0 when the
                          graph leaves it to the run (1, or a tuning's): run.fuse: 1 says no fusing */
    sd_guntil until;   /* run.until (until.n 0: none) */
} sd_grun;

typedef struct sd_graph {
    char path[512];
    char *text;        /* the whole file, recorded in /meta */
    char name[SD_NAME_MAX];
    int nparams;
    sd_gparam *params;
    sd_domain domain;
    int nfields;
    sd_gfield *fields;
    int nscalars;
    sd_gscalar *scalars;
    int ntables;
    sd_gtable *tables;
    int ninit, nstep;
    sd_gop *init, *step;
    sd_goutput output;
    int nchecks;
    sd_gcheck *checks;
    sd_grun run;
} sd_graph;


/* Boltzmann constant in a unit system: 1 (lj), 0.00831446261815324 kJ/mol/K (real). */
double sd_units_kB(sd_units u);
/* mvv2e: energy of mass * velocity^2 in the graph's units (LAMMPS' force->mvv2e): 1 in lj and real
 * units, 1.0364269e-4 eV/(g/mol (A/ps)^2) in metal. The kernels, which need F/m to be an
 * acceleration, see masses times mvv2e (eV ps^2/A^2 in metal): m v^2 is then an energy and F/m
 * an acceleration with no factor in the dynamics. */
double sd_units_mvv2e(sd_units u);
/* The name of a unit system ("lj", "real", "metal"). */
const char *sd_units_name(sd_units u);

/* Values a field holds per cell: its components, times the bins of a grid's inner axes when it
 * lives on them. */
static inline int64_t sd_field_values_per_cell(const sd_graph *g, const sd_gfield *f)
{
    return (int64_t)f->ncomp * (f->location == SD_LOC_BINS ? g->domain.nbins : 1);
}

/* The product of n counts (each >= 0), or -1 when it would pass INT64_MAX: sizes derived from a
 * graph's numbers go through this, never through a multiplication that could overflow. */
static inline int64_t sd_count_product(int n, const int64_t *v)
{
    int64_t p = 1;
    for (int i = 0; i < n; i++)
        if (v[i] < 0 || __builtin_mul_overflow(p, v[i], &p)) return -1;
    return p;
}

/* Does op (step list) run at this step? */
/* run.fuse (or --fuse) > 1 is refused for this graph: 1 with the reason in why (the domain is no
 * grid, or a side's ghosts change every step: reflective, absorbing). */
int sd_graph_fuse_refused(const sd_graph *g, char *why, size_t len);

/* The steps fused per task of a run that asked for `asked` (--fuse; <= 0: nothing asked): that,
 * else the graph's run.fuse, else 1. */
static inline int sd_graph_fuse_for(const sd_graph *g, int asked) { return asked > 0 ? asked : g->run.fuse > 0 ? g->run.fuse : 1; }

static inline int sd_op_due(const sd_gop *op, int64_t step) { return op->every <= 1 || step % op->every == 0; }

/* The StarPU performance-model symbol of a codelet's tasks in this graph: the codelet's, with
 * ".mixed" appended in a particle domain of precision: mixed (its pair kernels are others, and
 * its tasks' times must not blend into the double path's history). Written into buf (len >= 1);
 * returns buf, or NULL (buf empty) when the codelet has no model. The engine and `stardag
 * calibrate` both name models through here. */
#define SD_MODEL_SYMBOL_MAX 160
const char *sd_graph_model_symbol(const sd_graph *g, const sd_codelet *c, char *buf, size_t len);

/* Lookups by name: index or -1. */
int sd_graph_field_index(const sd_graph *g, const char *name);
int sd_graph_scalar_index(const sd_graph *g, const char *name);
/* run.until is judged at this step: every scalar its conditions name is computed by a step op due then. */
int sd_graph_until_due(const sd_graph *g, int64_t step);
int sd_graph_table_index(const sd_graph *g, const char *name);
/* Resolve a level name ("E_next") to field index and level; -1 if none. */
int sd_graph_level_lookup(const sd_graph *g, const char *name, int *level);

/* For checkpoints (graph_hash.c): a hash of the graph's text and parameter values, and of what fixes the layout of a
 * run's state (domain size, fields, scalars, ops with their bindings; not parameters, checks,
 * run.steps or output). */
uint64_t sd_graph_text_hash(const sd_graph *g);
uint64_t sd_graph_layout_hash(const sd_graph *g);

/* sd_graph_load_ex / sd_graph_parse_ex (overrides): in stardag/stardag.h. */
/* The name under which the graph reads the file `path` is (same device and inode), or NULL. */
const char *sd_graph_read_file(const sd_graph *g, const char *path);


#endif
