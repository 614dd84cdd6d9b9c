/* dm.h - domain classes: what the data of a simulation is and how its ops become tasks.
 *
 * A class (one per data shape: dm/grid.c, dm/particles.c; later meshes, batches) is a table of
 * functions, like PETSc's DM objects: it creates its parts (tiles, blocks, ...) and registers them
 * with StarPU, expands each op into tasks by the op's access pattern, exchanges ghosts, binds a
 * task's buffers into the kernel's view, snapshots fields for output and writes its own output.
 * It does this through the engine (engine/engine.h), which runs tasks and knows no domain; the run
 * loop (driver/run.c) drives a domain only through this interface. Adding a domain is a new file
 * here and one line in dm.c's class table; no engine or run-loop file changes. */
#ifndef SD_DM_H
#define SD_DM_H
#include <stddef.h>
#include <stdint.h>
#include "graph.h"

/* No StarPU here: the graph front end reads the classes too. */
typedef struct sd_dm sd_dm;
struct sd_engine;
struct sd_record;
struct sd_loader;   /* the graph loader's state (graph/loader_impl.h) */
struct yaml_node_s; /* libyaml's node */
struct sd_ckpt_in;  /* an open checkpoint file (io/ckpt.h) */

/* The front end's part of a class (graph/domain_<name>.c): the domain's graph section and what
 * the rest of a graph may ask of it. A hook that finds something the domain does not have fails
 * through the loader with a file:line:col message; a NULL hook allows everything. */
typedef struct sd_dm_syntax {
    const char *noun;           /* the domain in messages: "a grid", "particles" */
    const char *codelets_noun;  /* where its codelets run: "grids", "particle domains" */
    /* the section under domain: (key is its name) */
    void (*parse)(struct sd_loader *L, const struct yaml_node_s *key, const struct yaml_node_s *section);
    void (*parse_tiles)(struct sd_loader *L, const struct yaml_node_s *n);
    /* a field option ("dtype" once f->dtype is set, "levels") at node at */
    void (*field_option)(struct sd_loader *L, const sd_gfield *f, const struct yaml_node_s *at, const char *option);
    void (*after_fields)(struct sd_loader *L);
    /* a binding's explicit halo: {field: F, halo: H} for role of cl */
    void (*halo_option)(struct sd_loader *L, const sd_codelet *cl, int role, const struct yaml_node_s *at);
    /* a field bound to role of cl: before the generic checks of the binding (bind_field) and
     * after them, with the binding made (bound; name: the field or level as written) */
    void (*bind_field)(struct sd_loader *L, const sd_codelet *cl, int role, int field, const struct yaml_node_s *at);
    void (*bound)(struct sd_loader *L, const sd_codelet *cl, int role, const sd_binding *b, const char *name,
                  const struct yaml_node_s *at);
    /* output sections ("fields", "trajectory") and check kinds ("finite") */
    void (*output)(struct sd_loader *L, const char *what, const struct yaml_node_s *at);
    void (*check)(struct sd_loader *L, const char *kind, const struct yaml_node_s *at);
    /* field levels holding data before any init op (a particle domain read from a file): sets
     * has_data[field * SD_MAX_LEVELS + level] for the data-flow analysis */
    void (*initial_data)(const sd_graph *g, unsigned char *has_data);
    /* the domain's part of what validate and finish hooks see */
    void (*check_info)(const sd_graph *g, sd_check_info *info);
    /* after the whole graph: derived values (a grid's ghost widths) */
    void (*finish)(struct sd_loader *L);
} sd_dm_syntax;

/* What the run asks of a domain at creation. */
typedef struct sd_dm_opts {
    int64_t parts[3];  /* parts[0] > 0: the user's --tiles (a grid's tile shape, a particle domain's
                          block count in parts[0]); else the graph's, or automatic */
    int ncpu, ncuda;   /* workers, for automatic partitioning */
    const char *own_output; /* the file of the domain's own output (a particle trajectory): the
                               graph's or the user's; NULL when the run writes none */
    int fuse;          /* grids: steps one task may advance a tile (--fuse, run.fuse; <= 1: one) */
} sd_dm_opts;

/* The run's output file (fields go there; see sd_dm_class.write_snapshot). */
struct sd_h5out;

typedef struct sd_dm_class {
    const char *name;          /* the key under domain: in a graph */
    sd_domain_kind kind;
    sd_on codelets;            /* the codelets it runs (sd_codelet.domain) */
    unsigned patterns;         /* the access patterns it implements: bits 1 << sd_pattern */
    /* where a field's values may live ("cells", "bins"; "particles"; meshes: vertices, faces,
     * edges): NULL-terminated, a field's location indexes it (0 = the default) */
    const char *const *locations;
    /* in a CUDA-only run, ops without a CUDA implementation run on CPUs rather than refusing */
    int cpu_fallback;
    /* capabilities a codelet may need (the loader refuses it on a class without them): ops of
     * scalars only (SD_WHOLE without field roles: one task on scalars); per-element scratch
     * (sd_codelet.scratch_v/f) */
    int scalar_ops, scratch;
    /* what the domain's own output file is (output.trajectory, --trajectory) in messages: NULL for
     * "trajectory" */
    const char *own_output_noun;
    /* its fields go to the run's file (the summary counts field steps) */
    int run_file_fields;
    /* its summary (report) reads the parts' data on the host: a distributed run first copies every
     * part to rank 0 */
    int report_reads_parts;
    const sd_dm_syntax *syntax;

    /* The domain's parts and data, its task kinds (sd_eng_kind), registered with StarPU. 0, or -1
     * with a message. Nothing is submitted yet. */
    int (*create)(sd_dm *dm, const sd_dm_opts *o, char *err, size_t errlen);
    /* Whether the user's --tiles (o->parts, parts[0] > 0) is a partition the domain can make, before
     * anything runs: 0, or -1 with a message (a usage error). NULL: create is the judge. */
    int (*parts_check)(const sd_graph *g, const int64_t parts[3], char *err, size_t errlen);
    /* Tasks of the init ops, then of one step's due ops (and whatever ghosts they need). */
    void (*submit_init)(sd_dm *dm);
    void (*submit_step)(sd_dm *dm, int64_t step);
    /* Snapshot tasks for the output due at step (last: the run's last step); each fills a record
     * (sd_record, is_field) that write_snapshot receives. fields_out: an output file takes fields. */
    void (*submit_output)(sd_dm *dm, int64_t step, int last, int fields_out);
    /* Output of the domain's own (a particle trajectory), and what the run's file `out` (may be
     * NULL) must know of the domain's fields (a grid's inner axes): before init; closed at the end.
     * 0, or -1 with a message. Either may be NULL. close_output records the run's status string
     * (io/run_status.h) and the steps done in the domain's own output. */
    int (*open_output)(sd_dm *dm, struct sd_h5out *out, char *err, size_t errlen);
    int (*close_output)(sd_dm *dm, const char *status, int64_t steps_done, char *err, size_t errlen);
    /* A completed snapshot record into the run's file `out` (may be NULL) or the domain's own
     * output. 1 when it wrote a field step into `out`, 0 when it wrote nothing there (nothing at
     * all, or into its own output), -1 with a message. */
    int (*write_snapshot)(sd_dm *dm, const struct sd_record *r, struct sd_h5out *out, char *err, size_t errlen);
    /* A completed scalar record (a particle domain's thermo table and H5MD observables). May be
     * NULL. 0, or -1 with a message. quiet: print nothing; write: also into the domain's output
     * (0 once writing failed). */
    int (*on_scalars)(sd_dm *dm, const struct sd_record *r, int quiet, int write, char *err, size_t errlen);
    /* The run file's /grid group: the spatial layout its fields are written on (a particle domain,
     * which writes none there, gives one cell per particle). */
    void (*field_layout)(const sd_dm *dm, int *ndim, int64_t shape[3], double spacing[3]);
    /* The summary's description of the parts ("8 tiles (1x1x8) of 64x64x8 cells"); rate: the
     * domain's throughput unit per second for steps_done steps in wall seconds (may be NULL). */
    void (*describe)(const sd_dm *dm, char *buf, size_t len);
    void (*rate)(const sd_dm *dm, int64_t steps_done, double wall, char *buf, size_t len);
    /* Lines added to the summary, after its first line (warnings) and after the output file's line
     * (the domain's own output); either may be NULL. */
    void (*report)(const sd_dm *dm);
    void (*report_output)(const sd_dm *dm);
    /* Unregister and free the data (all tasks done), then free the rest. */
    void (*release)(sd_dm *dm);
    void (*destroy)(sd_dm *dm);
    /* Checkpoints (docs/checkpoint.md); both NULL = the class cannot checkpoint (tests refuse that).
     * submit_checkpoint: snapshot tasks (R access, so they see step's data and later writers wait)
     * that each fill one checkpoint record (sd_eng_ckpt_record_new): every field at every level
     * ("fields/<field>/<level>", the layout of the field's output snapshot) and the domain's extras
     * under its name ("particles/ids"), canonical whatever the parts and workers. */
    void (*submit_checkpoint)(sd_dm *dm, int64_t step);
    /* In place of submit_init on a restart: the checkpoint's state into the domain's data (no task
     * submitted yet: starpu_data_acquire(STARPU_W)/release or the class's read-in path), with
     * anything else the domain carries across steps. 0, or -1 with a message. */
    int (*restore)(sd_dm *dm, const struct sd_ckpt_in *in, char *err, size_t errlen);
    /* Make the domain's own output durable up to step, on the writer thread, before the checkpoint
     * of step is published (a trajectory's observables are durable only at its next flush). May be
     * NULL. 0, or -1 with a message. */
    int (*commit_output)(sd_dm *dm, int64_t step, char *err, size_t errlen);
    /* Submit the steps the domain holds back (a grid fusing steps collects a group before it
     * submits it), so that every step submit_step was given has its tasks. The run loop calls it
     * after its last step; output and checkpoint submissions do it themselves. May be NULL. */
    void (*flush)(sd_dm *dm);
} sd_dm_class;

struct sd_dm {
    const sd_dm_class *cls;
    const sd_graph *g;
    struct sd_engine *e;
    void *data;                /* the class's */
    const char *own_output;    /* sd_dm_opts.own_output */
    int restart;               /* 1: a restart from the checkpoint of restart_step (set by the run
                                  loop before open_output, which then continues the domain's own
                                  output there instead of creating it) */
    int64_t restart_step;
    uint64_t restart_graph_hash; /* the checkpoint's graph hash: the graph that wrote the output
                                  being continued (a trajectory is checked against it) */
    int restart_steps_past;    /* 1: the restarted run goes on past restart_step (an output of that
                                  step off the cadence, a finished run's last, is then not the
                                  uninterrupted run's: dropped from the continued output) */
};

/* The class of a graph's domain, by kind; NULL for a kind no class implements. */
const sd_dm_class *sd_dm_class_of(sd_domain_kind kind);
/* Classes by their graph key ("grid"); NULL if none. */
const sd_dm_class *sd_dm_class_find(const char *name);
int sd_dm_class_count(void);
const sd_dm_class *sd_dm_class_at(int i);
/* The class whose codelets are `on` (sd_codelet.domain). */
const sd_dm_class *sd_dm_class_running(sd_on on);
/* The name of an access pattern, for messages ("stencil", "neighbour-block"). */
const char *sd_pattern_name(sd_pattern p);

/* A completed whole-field snapshot record (r->field a graph field) written into the run's file
 * `out` as its output field's step, and committed: write_snapshot's common case. 1, or -1 with a
 * message. */
int sd_dm_write_field_record(const sd_dm *dm, const struct sd_record *r, struct sd_h5out *out, char *err, size_t errlen);

/* For a parts_check: -1 with "--tiles AxB: <what> (--tiles N), not a shape" when parts[1] or
 * parts[2] was given (> 0), else 0. */
int sd_dm_parts_count_only(const int64_t parts[3], const char *what, char *err, size_t errlen);
/* The class's parts_check of --tiles (parts[0] > 0) for graph g: 0, or -1 with a message. */
int sd_dm_parts_check(const sd_graph *g, const int64_t parts[3], char *err, size_t errlen);
/* A domain for graph g on engine e. NULL with a message. */
sd_dm *sd_dm_create(const sd_graph *g, struct sd_engine *e, const sd_dm_opts *o, char *err, size_t errlen);
void sd_dm_release(sd_dm *dm);
void sd_dm_destroy(sd_dm *dm);

#endif
