/* particles_impl.h - what the particle class's files share: the domain's data (blocks and their
 * buffers), the task arguments, the task bodies (particles_tasks.c) and the output
 * (particles_output.c). Internal. */
#ifndef SD_PARTICLES_IMPL_H
#define SD_PARTICLES_IMPL_H
#include "dm.h"
#include "engine.h"
#include "h5md.h"
#include "particles.h"

/* per-block buffers besides the fields (the rebuild's cell starts; the parallel rebuild's outgoing
 * particles and what its phases found; the ghost exports' positions, ids and types) */
enum { K_HDR = 0, K_ID, K_TYPE, K_X0, K_PLAN, K_XV, K_TV, K_IV, K_START, K_NBR, K_CS, K_OUT, K_STAT, K_EXX, K_EXID,
       K_EXTYPE, K_FIELD };
/* what a block's preparation task does: refresh the ghost positions, build the lists after a
 * rebuild, or follow the decision of a `check` rebuild (found in the header); what its export
 * task does: positions (refresh), or also ids and types */
enum { PREP_REFRESH = 0, PREP_LISTS, PREP_FOLLOW };

typedef struct pdomain {
    sd_dm *dm;
    const sd_particles *P;
    sd_pgeom geom;
    int nb, nf, nbufkinds;          /* blocks, fields, buffer kinds (K_FIELD + nf) */
    int *ncomp;                     /* per field */
    void **mem;                     /* [buffer kind * nb + block]; NULL: another rank's block */
    size_t *kind_bytes;             /* per buffer kind: one block's bytes */
    unsigned char *own;             /* per block: this rank holds it (its memory is here) */
    starpu_data_handle_t *h;
    sd_acc **part_mem;              /* per reduction op: SD_PARTIAL_SETS * nb * npartials */
    starpu_data_handle_t *part_h;   /* slot by slot (sd_eng_partials_slot, _at) */
    int nslots, *slot_init, *slot_step;
    int *kind_init, *kind_step;     /* the ops' task kinds */
    int k_rebuild, k_prepare, k_export, k_combine, k_trajectory;
    int k_rebuild_first;            /* the serial rebuild of the first build (init) */
    int k_scan, k_decide, k_migrate, k_gather, k_plan, k_verdict; /* the parallel rebuild's phases */
    int serial_rebuild;             /* one block, or STARDAG_REBUILD=serial: the whole-domain task */
    int fallback;                   /* the parallel rebuild's decision may rebuild serially (it takes
                                       every block: one process only; a distributed run stops) */
    sd_pdecision *dec_mem;          /* the parallel rebuild's decision (one buffer) */
    starpu_data_handle_t dec_h;
    void **mig_scratch;             /* per block: the parallel rebuild's scratch */
    int k_checkpoint;               /* made at the first checkpoint; -1 before */
    sd_pbuf *host_blocks;           /* host views of the blocks, for the rebuild */
    double **host_fields;           /* [nb * nf] field pointers of host_blocks */
    sd_prebuild_scratch rebuild_scratch;
    void **list_scratch;            /* per block: neighbour-build scratch */
    size_t *list_scratch_bytes;
    md_lj_table pair_table;
    double min_dist2[MD_MAX_TYPES * MD_MAX_TYPES];
    sd_pdomain view;                /* what every op's kernel reads about the domain */
    sd_check_info info;             /* for reductions' finish */
    int ghosts_ok, built;           /* expansion state */
    int64_t last_build;             /* the step of the last rebuild task */
    int64_t rebuilds, dangerous;    /* atomics */
    /* output */
    sd_h5md *traj;
    int64_t traj_frames;
    int64_t last_frame;             /* the step of the last frame submitted */
    int traj_frames_submitted;
    int thermo_header;
} pdomain;

#define MEM(D, k, b) ((D)->mem[(size_t)(k) * (D)->nb + (b)])
#define HND(D, k, b) ((D)->h[(size_t)(k) * (D)->nb + (b)])

/* host_blocks from MEM (NULL members for another rank's block): the host's view of what no task
 * has touched yet (the placement at create, a restore) */
void sd_particles_point_host_blocks(pdomain *D);
/* The serial rebuild's whole-domain scratch, made at its first use (by the one rank that runs the
 * serial rebuild task, rank 0 unless one rank owns every block, and by every rank in a restore,
 * which frees it after). 0, or -1 out of memory. */
int sd_particles_rebuild_scratch(pdomain *D);

/* The work of a task on block (-1: the whole domain) as its kind's work key (sd_eng_kind_work): the
 * cells it covers. */
uint32_t sd_particles_work(const pdomain *D, int block);

typedef struct pop_arg {
    sd_meter m;
    pdomain *D;
    const sd_gop *op;
    int whole, block, neighbor;
    int64_t step;
} pop_arg;

typedef struct rebuild_arg {
    sd_meter m;
    pdomain *D;
    int64_t step;
    int first, check;
    int block;          /* the parallel rebuild's per-block phases */
    sd_record *rec;
} rebuild_arg;

typedef struct prep_arg {
    sd_meter m;
    pdomain *D;
    int block, mode;
    int64_t step;
    sd_record *rec;
} prep_arg;

typedef struct traj_arg {
    sd_meter m;
    const pdomain *D;
    sd_record *rec;
} traj_arg;

void sd_particles_op_cpu(void *buffers[], void *cl_arg);
void sd_particles_op_cuda(void *buffers[], void *cl_arg);
void sd_particles_prepare_cpu(void *buffers[], void *cl_arg);
void sd_particles_export_cpu(void *buffers[], void *cl_arg);
void sd_particles_trajectory_cpu(void *buffers[], void *cl_arg);

/* particles_rebuild.c: the rebuild's tasks (serial, or the parallel phases) and their kinds */
void sd_particles_rebuild_kinds(pdomain *D);
/* The rebuild at step; returns the record the nb preparation tasks after it report to (the
 * parallel rebuild's own errors are in a record before it: they win, as the serial rebuild's do,
 * whose failure leaves no lists to check). */
sd_record *sd_particles_submit_rebuild(pdomain *D, int64_t step, int first, int check);

/* particles_output.c: the class's output hooks */
int sd_particles_open_output(sd_dm *dm, struct sd_h5out *out, char *err, size_t errlen);
int sd_particles_close_output(sd_dm *dm, const char *status, int64_t steps_done, char *err, size_t errlen);
int sd_particles_write_snapshot(sd_dm *dm, const sd_record *r, struct sd_h5out *out, char *err, size_t errlen);
int sd_particles_on_scalars(sd_dm *dm, const sd_record *r, int quiet, int write, char *err, size_t errlen);
void sd_particles_field_layout(const sd_dm *dm, int *ndim, int64_t shape[3], double spacing[3]);
void sd_particles_describe(const sd_dm *dm, char *buf, size_t len);
void sd_particles_rate(const sd_dm *dm, int64_t steps_done, double wall, char *buf, size_t len);
void sd_particles_report(const sd_dm *dm);
void sd_particles_report_output(const sd_dm *dm);
int sd_particles_commit_output(sd_dm *dm, int64_t step, char *err, size_t errlen);

/* particles_ckpt.c: checkpoints (docs/checkpoint.md) */
struct sd_ckpt_in;
void sd_particles_submit_checkpoint(sd_dm *dm, int64_t step);
int sd_particles_restore(sd_dm *dm, const struct sd_ckpt_in *in, char *err, size_t errlen);

#endif
