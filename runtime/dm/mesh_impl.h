/* mesh_impl.h - what the mesh class's files share: the domain's data (partitions and their
 * buffers), the task arguments, the task bodies (mesh_tasks.c) and the output hooks
 * (mesh_output.c). Internal. */
#ifndef SD_MESH_IMPL_H
#define SD_MESH_IMPL_H
#include "dm.h"
#include "engine.h"
#include "mesh_part.h"

/* per-partition topology buffers (T_EDGES: the edge tables in one buffer, sd_mlocal_edge_layout),
 * then one per field */
enum { T_TRI = 0, T_CSTART, T_CORNER, T_VID, T_FID, T_EDGES, T_FIELD };

typedef struct mdomain {
    sd_dm *dm;
    const sd_gmesh *M;
    sd_mparts parts;
    int np, nf, nkinds;          /* partitions, fields, buffer kinds (T_FIELD + nf) */
    void **mem;                  /* [kind * np + part] */
    starpu_data_handle_t *h;
    void **send_mem;             /* [field * np + part]: the owned values others hold as ghosts */
    starpu_data_handle_t *send_h;
    int *stale;                  /* per field: its ghosts are older than its owned values */
    starpu_data_handle_t scratch; /* per-worker scratch (STARPU_SCRATCH), or NULL */
    int64_t scratch_count;       /* doubles */
    sd_acc **part_mem;           /* per reducing op */
    starpu_data_handle_t *part_h; /* slot by slot (sd_eng_partials_slot, _at) */
    int nslots, *slot_init, *slot_step;
    int *kind_init, *kind_step;
    int k_pack, k_unpack, k_combine, k_snapshot, k_ckpt;
    sd_check_info info;
    /* output */
    double *export_x;            /* the last positions snapshot for the exported mesh (3 nv, xyz) */
    int64_t export_step;
    int exported;
    /* whole-mesh ops (mesh_whole.c): the mesh as one partition, and each global vertex's place in it */
    sd_mparts whole;
    int64_t *whole_at;
} mdomain;

#define MEM(D, k, p) ((D)->mem[(size_t)(k) * (D)->np + (p)])
#define HND(D, k, p) ((D)->h[(size_t)(k) * (D)->np + (p)])

typedef struct mop_arg {
    sd_meter m;
    const mdomain *D;
    const sd_gop *op;
    int part;                    /* -1: an op of scalars only */
    int64_t step;
    sd_record *rec;              /* scalar-only ops: the step's scalars */
} mop_arg;

typedef struct mghost_arg {
    sd_meter m;
    const mdomain *D;
    int field, part;
} mghost_arg;

typedef struct msnap_arg {
    sd_meter m;
    const mdomain *D;
    int field;
    sd_record *rec;
} msnap_arg;

void sd_mesh_op_cpu(void *buffers[], void *cl_arg);
void sd_mesh_op_cuda(void *buffers[], void *cl_arg);
void sd_mesh_scalar_op_cpu(void *buffers[], void *cl_arg);
void sd_mesh_pack_cpu(void *buffers[], void *cl_arg);
void sd_mesh_unpack_cpu(void *buffers[], void *cl_arg);
void sd_mesh_snapshot_cpu(void *buffers[], void *cl_arg);
/* Where a field's values live in partition `part`: its local elements (vertices, faces or edges),
 * the owned ones ([0, own)) and their global ids; `global`: the whole mesh's count. */
typedef struct sd_mesh_elems {
    int64_t count, own, global;
    const int64_t *id;
} sd_mesh_elems;
sd_mesh_elems sd_mesh_field_elems(const mdomain *D, int field, int part);
static inline int64_t sd_mesh_field_count(const mdomain *D, int field, int part)
{
    return sd_mesh_field_elems(D, field, part).count;
}

/* mesh_whole.c: ops that see the whole mesh (SD_WHOLE with vertex field roles) */
int sd_mesh_whole_op(const sd_codelet *c);
int sd_mesh_whole_setup(mdomain *D, char *err, size_t errlen);
void sd_mesh_whole_free(mdomain *D);
void sd_mesh_whole_cpu(void *buffers[], void *cl_arg);
void sd_mesh_whole_submit(mdomain *D, const sd_gop *op, int kind, int64_t step, sd_hlist *L);

/* mesh_ckpt.c: checkpoints (dm.h submit_checkpoint, restore) */
struct sd_ckpt_in;
void sd_mesh_submit_checkpoint(sd_dm *dm, int64_t step);
int sd_mesh_restore(sd_dm *dm, const struct sd_ckpt_in *in, char *err, size_t errlen);

/* mesh_output.c */
int sd_mesh_open_output(sd_dm *dm, struct sd_h5out *out, char *err, size_t errlen);
int sd_mesh_close_output(sd_dm *dm, const char *status, int64_t steps_done, char *err, size_t errlen);
int sd_mesh_write_snapshot(sd_dm *dm, const sd_record *r, struct sd_h5out *out, char *err, size_t errlen);
void sd_mesh_field_layout(const sd_dm *dm, int *ndim, int64_t shape[3], double spacing[3]);
void sd_mesh_describe(const sd_dm *dm, char *buf, size_t len);
void sd_mesh_rate(const sd_dm *dm, int64_t steps_done, double wall, char *buf, size_t len);
void sd_mesh_report(const sd_dm *dm);
void sd_mesh_report_output(const sd_dm *dm);

#endif
