/* h5out.h - crash-safe HDF5 run output (fields, scalar time series, run metadata) with an
 * XDMF sidecar for ParaView. File layout and crash-safety design: docs/output-format.md.
 *
 * Every function returns 0 on success, or -1 with a one-line message in err (naming the file
 * and what failed). HDF5's automatic error printing is switched off for the duration of each
 * call (and restored afterwards); messages are built from HDF5's error stack and errno.
 * Not thread-safe: one sd_h5out is used by one thread at a time (serial HDF5). */
#ifndef STARDAG_IO_H5OUT_H
#define STARDAG_IO_H5OUT_H

#include <stddef.h>
#include <stdint.h>

#include <stardag/kernel.h>  /* SD_F32, SD_F64 */
#include <stardag/codelet.h> /* SD_MESH_VERTICES, SD_MESH_FACES */

#ifdef __cplusplus
extern "C" {
#endif

/* Value of the root attribute "stardag_format" written by this version. */
#define SD_H5_FORMAT 1
/* Components of a field the run file holds: the XDMF sidecar names each one for every step, and
 * is rewritten whole at each commit (the loader refuses wider fields in output.fields). */
#define SD_H5_MAX_COMPONENTS 1024

typedef struct sd_h5out sd_h5out;

typedef struct sd_h5meta { /* strings may be NULL (stored as empty strings) */
    const char *graph_path, *graph_text, *stardag_version, *starpu_version, *sched, *host,
        *start_time, *cmdline;
    int ncpu, ncuda;
    const char *units_length, *units_time; /* the grid's units; NULL or "": none (no attributes) */
} sd_h5meta;

/* Create (truncate) the run file. Grid: ndim 1..3, shape (x first, absent axes 1), spacing.
 * Fields: names, dtype (SD_F32/SD_F64), components. Scalars: names (f64 time series).
 * Names must be non-empty, unique within their kind, and contain no '/'; scalars may not be
 * named "step" or "time". The XDMF sidecar is <path minus .h5>.xmf. */
sd_h5out *sd_h5out_create(const char *path, const sd_h5meta *meta, int ndim, const int64_t shape[3],
                          const double spacing[3], int nfields, const char *const *field_names,
                          const int *dtypes, const int *ncomp, int nscalars,
                          const char *const *scalar_names, char *err, size_t errlen);

/* The declarations of create as one struct (for sd_h5out_continue). */
typedef struct sd_h5decl {
    int ndim;
    int64_t shape[3];
    double spacing[3];
    int nfields;
    const char *const *field_names;
    const int *dtypes, *ncomp;
    int nscalars;
    const char *const *scalar_names;
} sd_h5decl;

/* Where a restarted run continues its file: the checkpoint's step K and what the checkpoint says
 * the file held at K (docs/output-format.md, "Continuing a run file"). */
typedef struct sd_h5cont {
    int64_t step;            /* K */
    const char *graph_text;  /* the graph text the file must have been written from (its /meta
                                graph_text); NULL: meta->graph_text */
    int64_t field_steps;     /* committed output steps with fields at K (-1: not checked) */
    int64_t scalar_rows;     /* scalar rows at K (-1: not checked) */
    int64_t profile_rows;    /* rows of all profiles together at K (-1: not checked) */
    int drop_step_output;    /* 1: the field datasets and profile rows of step K go too (an output
                                of a finished run's last step, off the cadence, that a continued
                                run stepping past K would not have written) */
    int step_off_cadence;    /* 1: K is off the fields' cadence, so an output of K that the
                                checkpoint counts was its run's last step's (an earlier restart
                                past K may have dropped it) */
} sd_h5cont;

/* Continue the existing run file `path` (written by create, killed or closed) at step K: refused
 * (NULL, err naming the file and what differs) when it is not a stardag run file of this format,
 * comes from another graph or grid, or misses output up to K that the checkpoint counts (its last
 * commit is before K). Otherwise every field dataset of a step > K, the scalar and profile rows of
 * a step > K and the old /run group are removed, the root counters, status "running" and the
 * XDMF sidecar are set from what remains, that is committed, and the returned handle appends
 * like a fresh one (same crash safety). The calls that follow create (sd_h5out_set_mesh,
 * sd_h5out_field_inner, sd_h5out_write_tables, sd_h5out_add_profile) then check the file's
 * objects against their arguments and attach to them instead of writing them again. */
sd_h5out *sd_h5out_continue(const char *path, const sd_h5meta *meta, const sd_h5cont *at, const sd_h5decl *decl,
                            char *err, size_t errlen);
/* 1 when o was opened by sd_h5out_continue. */
int sd_h5out_continued(const sd_h5out *o);
/* What sd_h5out_continue kept: output steps with fields, scalar rows, profile rows (all 0 for a
 * file it did not open). */
void sd_h5out_continued_counts(const sd_h5out *o, int64_t c[3]);
/* 1 when the field and profile output of K (a finished run's last step, off the cadence) went in
 * an earlier restart that continued the file past K, and this one stops at K: the run writes it
 * again, so that the file ends as the run that wrote the checkpoint left it. */
int sd_h5out_step_output_gone(const sd_h5out *o);

/* Before the first write: field i lives on the bins of ninner (1..3) inner axes of every cell
 * (names, bin counts, ranges; axis 0 fastest). Its datasets get the inner axes as dimensions
 * between the components and the spatial axes, its group records them (attributes inner_axes,
 * inner_counts, inner_lo, inner_hi), and the XDMF sidecar, which describes the spatial grid, leaves
 * it out. 0, or -1 with a message. */
int sd_h5out_field_inner(sd_h5out *o, int field, int ninner, const char *const *names, const int64_t *counts,
                         const double *lo, const double *hi, char *err, size_t errlen);

/* The run's domain is a triangle mesh (a closed surface): written as the group /mesh (the
 * triangles, the initial positions, the counts; docs/output-format.md), committed at once, and
 * its fields then have one element axis instead of the grid's: the mesh's nv vertices or nf faces
 * (field_location), [nv] or [nf], [ncomp][nv] or [ncomp][nf] with components. The XDMF sidecar
 * describes a Triangle mesh whose geometry is, at each step, the positions field written at the
 * latest committed step at or before it (position_field: a minimiser moves the vertices), else
 * the initial positions. Call it once, after create and before the first field write; the /grid
 * group keeps what create was given (a mesh class gives one cell per vertex: ndim 1, shape
 * {nv, 1, 1}). 0, or -1 with a message (bad arguments, or HDF5/disk failures as for a field). */
typedef struct sd_h5mesh {
    int64_t nv, nf;
    const int64_t *tri;        /* [nf][3]: global vertex ids of each face's corners a, b, c,
                                  counter-clockwise seen from outside (outward normal (b-a)x(c-a)) */
    const double *x0;          /* [nv][3]: initial positions, x y z per vertex */
    int position_field;        /* field index (as in sd_h5out_write_field) of the vertex positions
                                  (3 components, on vertices), or -1: the vertices never move */
    const int *field_location; /* per field: SD_MESH_VERTICES, SD_MESH_FACES or SD_MESH_EDGES; NULL:
                                  all on vertices */
    int64_t ne;                /* edges, when a field lives on edges (else 0, edge NULL) */
    const int64_t *edge;       /* [ne][2]: global vertex ids of each edge, lower first, in the
                                  edge numbering of the fields (sd_mesh_edges) */
} sd_h5mesh;
int sd_h5out_set_mesh(sd_h5out *o, const sd_h5mesh *m, char *err, size_t errlen);

/* The graph's tables (numbers read from files at load): the group /tables, one [rows][cols] f64
 * dataset per table named like it, with the string attributes `file` (the file as the graph names
 * it) and, for a table read from an HDF5 file, `dataset`, committed at once. Call it once, before the first field write. 0 (nothing to do when n is
 * 0), or -1 with a message. */
typedef struct sd_h5table {
    const char *name, *file, *dataset; /* dataset: "" or NULL for a text file */
    int64_t rows;
    int cols;
    const double *data; /* rows x cols, row-major */
} sd_h5table;
int sd_h5out_write_tables(sd_h5out *o, int n, const sd_h5table *t, char *err, size_t errlen);

/* One output step of field i; data = the whole field, contiguous, x fastest, then y, z, the inner
 * axes if any, components outermost, in the field's dtype (a mesh run: vertices or faces in global
 * order, components outermost). A (field, step) pair can be written once. */
int sd_h5out_write_field(sd_h5out *o, int field, int64_t step, double time, const void *data,
                         char *err, size_t errlen);

/* One row of the scalar time series (all scalars, in declaration order; values may be NULL
 * when there are no scalars). */
int sd_h5out_append_scalars(sd_h5out *o, int64_t step, double time, const double *values,
                            char *err, size_t errlen);

/* Make everything written so far durable and consistent on disk; rewrite the XDMF sidecar. */
int sd_h5out_commit(sd_h5out *o, char *err, size_t errlen);

/* Record the run's end (attributes: status string, steps done, wall time), commit and close.
 * o is freed whatever the result. */
/* For a program: call first, before any HDF5 call. HDF5 1.10 keeps the ID of a file whose
 * H5Fclose failed, pointing at the freed file, and its atexit handler would close it again (a
 * crash, or "infinite loop closing library" after a failed create): the library is not closed at
 * exit. Nothing is lost: every file is committed and closed explicitly, and what a run leaves
 * open at an error exit must not be flushed anyway (crash safety). */
void sd_h5out_no_atexit(void);

int sd_h5out_close(sd_h5out *o, const char *status, int64_t steps_done, double wall_s, char *err,
                   size_t errlen);

/* What ran where: written once, as the group /run, just before sd_h5out_close (which commits it).
 * Rows of the codelet table are (codelet, architecture) pairs; buses are StarPU's memory-node
 * links (e.g. "RAM->CUDA 0") with the bytes and transfers counted during the run. */
typedef struct sd_h5run {
    int ncodelet;
    const char *const *codelet_name, *const *codelet_arch;
    const int64_t *codelet_tasks;
    const double *codelet_seconds;
    int nworker;
    const char *const *worker_name;
    const double *worker_busy_seconds;
    int nbus;
    const char *const *bus_name;
    const double *bus_bytes;
    const int64_t *bus_transfers;
    double wall_seconds;
} sd_h5run;
int sd_h5out_write_run(sd_h5out *o, const sd_h5run *r, char *err, size_t errlen);

/* Profiles (runtime/driver/profile.h): /profiles/<name>, one group per profile with its cell
 * centres, and one row per profiled step (docs/output-format.md, "Profiles"). Add them after
 * create, before the first write; rows are appended like scalar rows and committed by the next
 * commit. */
#define SD_H5_MAX_FALLOFF 8 /* fall-off percentages per profile */
typedef struct sd_h5profile {
    const char *name;        /* the group's name (no '/') */
    const char *field;       /* the field it sums */
    char axis;               /* 'x', 'y' or 'z' */
    const char *label;       /* the axis' name for people ("depth"); NULL: its letter */
    int component;
    int64_t n;               /* cells along the axis */
    const double *positions; /* [n]: the cell centres */
    int nfalloff;
    const double *falloff;   /* [nfalloff]: percentages of the maximum */
} sd_h5profile;
typedef struct sd_h5profile_row {
    int64_t step;
    double time;
    const double *values;    /* [n] */
    double peak, peak_fit, max;
    const double *falloff;   /* [nfalloff]: positions (NaN: not reached) */
} sd_h5profile_row;
/* Its index (0, 1, ... in the order added), or -1 with a message. */
int sd_h5out_add_profile(sd_h5out *o, const sd_h5profile *p, char *err, size_t errlen);
int sd_h5out_append_profile(sd_h5out *o, int profile, const sd_h5profile_row *r, char *err, size_t errlen);

/* A profile as read back (sd_h5_read_profiles): rows m, cells n; arrays malloc'd. */
typedef struct sd_h5profile_data {
    char name[80], field[80], units_length[32];
    char axis, summed[4];    /* the axis it runs along; the grid's other axes ("" in 1-D) */
    char label[80];          /* the axis' name for people (its letter unless the graph gave one) */
    int component, nfalloff;
    int64_t n, m;
    double *positions;       /* [n] */
    double *falloff_pct;     /* [nfalloff] */
    int64_t *step;           /* [m] */
    double *values;          /* [m][n] */
    double *peak, *peak_fit, *max; /* [m] */
    double *falloff;         /* [m][nfalloff] */
} sd_h5profile_data;
/* Every profile of a run file (*n 0 and *list NULL when it has none). 0, or -1 with a message. */
int sd_h5_read_profiles(const char *path, sd_h5profile_data **list, int *n, char *err, size_t errlen);
void sd_h5_profiles_free(sd_h5profile_data *list, int n);

/* ---- additions ---- */
/* The run file's path / XDMF sidecar path, as given at create (owned by o). */
const char *sd_h5out_path(const sd_h5out *o);
const char *sd_h5out_xdmf_path(const sd_h5out *o);
/* Commits done so far; scalar rows and field datasets that are committed. */
int64_t sd_h5out_commits(const sd_h5out *o);
/* Fill buf with the sidecar path for an .h5 path: "<path without .h5>.xmf". 0, or -1 if small. */
int sd_h5_xdmf_path_for(const char *h5path, char *buf, size_t len);

/* ---- readers for tests and tools (plain H5Fopen read-only). Arrays are malloc'd, the caller
 * frees them; with *n == 0 the arrays are NULL. ---- */
int sd_h5_read_scalar(const char *path, const char *name, int64_t **steps, double **values,
                      int64_t *n, char *err, size_t errlen);
/* Field `name` at `step`, converted to f64, in file order (components outermost, x fastest). */
int sd_h5_read_field(const char *path, const char *name, int64_t step,
                     double **data /* converted to f64 */, int64_t *count, char *err, size_t errlen);
/* The mesh of a mesh run (/mesh): counts, triangles [nf][3] and initial positions [nv][3]
 * (either pointer may be NULL: not read). */
int sd_h5_read_mesh(const char *path, int64_t *nv, int64_t *nf, int64_t **tri, double **x0, char *err,
                    size_t errlen);
/* Steps stored for field `name`, ascending. */
int sd_h5_list_field_steps(const char *path, const char *name, int64_t **steps, int64_t *n,
                           char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
