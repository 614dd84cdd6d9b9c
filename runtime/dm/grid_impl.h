/* grid_impl.h - what the grid class (grid.c: data, expansion, output) and its task bodies
 * (grid_tasks.c: trampolines that bind buffers and call kernels) share. Internal. */
#ifndef SD_GRID_IMPL_H
#define SD_GRID_IMPL_H
#include <stdatomic.h>
#include "dm.h"
#include "engine.h"
#include "grid_expand.h"
#include "grid_read.h"
#include "halo.h"

/* An op's arguments on one tile, prepared once: geometry, strides, parameters. */
typedef struct op_tmpl {
    sd_tile_args a;
    int64_t off_bytes[SD_MAX_BUFS]; /* interior origin of each buffer slot */
    unsigned char unbound[SD_MAX_BUFS]; /* slots of optional roles left unbound (p NULL, no buffer) */
} op_tmpl;

typedef struct op_arg {
    sd_meter m;
    sd_engine *e;
    const op_tmpl *tmpl; /* one per tile for whole-field ops */
    const sd_codelet *sc;
    int whole, ntiles;
    int64_t step;
    double time;
} op_arg;

typedef struct pack_arg {
    sd_meter m;
    sd_engine *e;
    const sd_halo_geom *geom;
    int nfaces;
    signed char axis[6], side[6];
    sd_halo_support sup; /* a field with a support (sd_plan.support; tile NULL): used by the tasks
                            that carry the support's tile, after the faces (sd_task.sup_buf) */
} pack_arg;

/* How an unpack task fills the ghosts on one side: from a face buffer, by wrapping in place, or
 * by a boundary condition. */
enum { ACT_FACE, ACT_WRAP, ACT_REFLECT, ACT_FIXED, ACT_ABSORB };
typedef struct unpack_action {
    signed char kind, axis, side, buffer; /* buffer: the task buffer holding the face (ACT_FACE) */
    double value;                         /* ACT_FIXED: the ghost value; ACT_ABSORB: Mur's k */
    /* ACT_FIXED: the host buffers (one per time level) whose ghosts on this side this action has
     * filled. Only halo tasks write ghosts (kernels and io.read_field touch interior cells only),
     * and this action alone writes these ghosts of its field and tile, always with the same value:
     * with a single memory node (no GPU: StarPU never moves or reallocates a tile) a buffer filled
     * once keeps them, and the fill (a read of one value per cache line on an x face, rows x bins
     * of them on a phase-space grid) is skipped; with zero_start it is never made: the value is
     * +0, every buffer starts as zeros (sd_eng_vector), and no restore writes these ghosts (no
     * axis is absorbing: grid_ckpt.c restores framed fields, ghosts included, only then). Claimed
     * with atomics: the levels' exchanges may run at once. */
    void *_Atomic filled[SD_MAX_LEVELS];
    int zero_start;
    /* ACT_FACE of a field with a support (unpack_arg.sup): per host buffer (held_tile, claimed
     * as `filled`, by sparse and dense unpacks alike), the bins its ghosts on this side may hold
     * non-zero values of (known 0: any), which a sparse unpack clears where its face has none.
     * Only this action writes these ghosts of that buffer, and its tasks on one buffer run in
     * order (they hold it read-write). */
    void *_Atomic held_tile[SD_MAX_LEVELS];
    struct held_bins {
        int known;
        sd_bin_box box;
    } held[SD_MAX_LEVELS];
} unpack_action;

typedef struct unpack_arg {
    sd_meter m;
    sd_engine *e;
    const sd_halo_geom *geom;
    int nact, old; /* old: task buffer of the previous level, 0 if none */
    int nfaces;    /* actions of kind ACT_FACE */
    sd_halo_support sup; /* as pack_arg's */
    unpack_action act[6];
} unpack_arg;

typedef struct snap_arg {
    sd_meter m;
    const sd_halo_geom *geom;
    int64_t origin[3], shape[3];
    sd_record *rec;
} snap_arg;

/* The grid's data (grid.c; its checkpoints: grid_ckpt.c). */
typedef struct grid {
    sd_dm *dm;
    sd_tiling t;
    sd_plan plan;
    int nt;
    void **tile_mem;               /* [buf * nt + tile] */
    starpu_data_handle_t *tile_h;
    void **face_mem;               /* [(buf * nt + tile) * 6 + face] */
    starpu_data_handle_t *face_h;
    sd_acc **part_mem;             /* [slot]: SD_PARTIAL_SETS * nt * npartials accumulators */
    starpu_data_handle_t *part_h;  /* slot by slot (sd_eng_partials_slot, _at) */
    sd_halo_geom *geom;            /* [field * nt + tile] */
    op_tmpl *tmpl_init, *tmpl_step; /* [op * nt + tile] */
    int *kind_init, *kind_step;
    int k_pack, k_unpack, k_combine, k_snapshot, k_read;
    sd_read_src **read_src;        /* [init op]: io.read_field's values, NULL for codelets */
    pack_arg *pack_args;           /* [field * nt + tile] */
    unpack_arg *unpack_args, *unpack_args_old; /* without / with the previous level (absorbing sides) */
    /* the rounds of full-box fields' exchanges, [(field * nt + tile) * 3 + axis]; NULL if none */
    pack_arg *box_pack;
    unpack_arg *box_unpack, *box_unpack_old;
    sd_check_info info;            /* for reductions' finish hooks */
    sd_record *snap_rec;           /* the snapshot being emitted (made with its tile 0) */
    const struct sd_grid_hooks *hooks; /* a class built on the grid's (a batch's); NULL for grids */
    int k_ckpt;                    /* checkpoint snapshots (grid_ckpt.c) */
    /* fused steps (grid_fused.c): the group being collected, steps pend_s0 .. pend_s0+pend_m-1 */
    int k_fused, fuse_asked;       /* fuse_asked: --fuse or run.fuse */
    int64_t pend_s0;
    int pend_m;
} grid;

/* A fused group's task on one tile (grid_fused.c): its ops in order, each on the tile grown by ext
 * ghost layers on the sides in grow_lo/grow_hi (those that are no domain boundary). */
typedef struct fused_op_arg {
    const op_tmpl *T; /* the op's arguments on this tile */
    const sd_codelet *c;
    int sub, ext;     /* its step is the group's first + sub */
    short href[SD_MAX_BUFS]; /* kernel slot -> task buffer (-1: unbound) */
} fused_op_arg;
typedef struct fused_arg {
    sd_meter m;
    int64_t step;     /* the group's first step */
    double dt;
    unsigned char grow_lo[3], grow_hi[3];
    int lag, slab;    /* the wavefront: op k runs lag * k planes behind op 0, slab planes at a time */
    int nops;
    fused_op_arg op[];
} fused_arg;
/* An op's grown box in a fused task: its arguments, its planes [lo, hi) along the outermost axis
 * (counted from the tile's first interior plane), which slots are field buffers. */
typedef struct o_box {
    sd_tile_args a;
    int64_t lo, hi;
    unsigned char field[SD_MAX_BUFS];
} o_box;
typedef int (*sd_grid_submit_fn)(grid *G, int kind, const sd_task *t, void *arg, size_t argsize, int owned);
/* A step of a run with run.fuse > 1 (instead of sd_plan_step): collected into the pending group,
 * which is submitted when it is full or a step has ops that cannot be fused. */
void sd_grid_fuse_step(grid *G, int64_t step, sd_emit_fn emit);
/* Submit the pending group, if any. */
void sd_grid_fuse_flush(grid *G, sd_emit_fn emit);
void sd_grid_flush(sd_dm *dm);
/* An SD_TASK_FUSED task the expansion emitted, given its arguments and submitted. */
void sd_grid_emit_fused(grid *G, const sd_task *t, sd_grid_submit_fn submit);
/* The summary's line on fused steps (none without them). */
void sd_grid_fuse_report(const sd_dm *dm);

/* ---- classes built on the grid's machinery (a batch of ODE systems: dm/batch.c) -------------
 * They create a grid through sd_grid_create_with and use sd_dm_grid's other functions as they are;
 * the hooks change what differs. */
typedef struct sd_grid_hooks {
    /* the tiling (instead of tile shapes): 0, or -1 with a message */
    int (*tiling)(const sd_dm *dm, const sd_dm_opts *o, sd_tiling *t, char *err, size_t errlen);
    /* an op's tile arguments, after the grid filled them */
    void (*tmpl)(const sd_dm *dm, const sd_gop *op, sd_tile_args *a);
    /* 0: the op's tasks run on CPUs only (NULL: wherever the codelet has an implementation) */
    int (*cuda_ok)(const sd_dm *dm, const sd_gop *op);
} sd_grid_hooks;

extern const sd_dm_class sd_dm_grid;
int sd_grid_create_with(sd_dm *dm, const sd_dm_opts *o, const sd_grid_hooks *hooks, char *err, size_t errlen);
/* After creation: the tiles, a tile's range, the StarPU handle (starpu_data_handle_t) of a tile of
 * a field level as bound now (once every task is done: the level's final values). */
int sd_grid_ntiles(const sd_dm *dm);
void sd_grid_tile_range(const sd_dm *dm, int tile, int64_t origin[3], int64_t n[3]);
void *sd_grid_tile_handle(const sd_dm *dm, int field, int level, int tile);

/* Checkpoints (grid_ckpt.c; docs/checkpoint.md), for the grid and the classes built on it. */
void sd_grid_submit_checkpoint(sd_dm *dm, int64_t step);
int sd_grid_restore(sd_dm *dm, const struct sd_ckpt_in *in, char *err, size_t errlen);
void sd_grid_ckpt_cpu(void *buffers[], void *cl_arg);

/* Has the grid an absorbing axis? Then its haloed fields keep state in their ghosts: a checkpoint
 * frames them (grid_ckpt.c), and a restore writes every ghost, so no side's ghosts may be assumed
 * as allocated (unpack_action.zero_start). */
static inline int sd_grid_absorbs(const sd_tiling *t)
{
    for (int d = 0; d < t->ndim; d++)
        if (t->bc[d] == SD_BC_ABSORBING) return 1;
    return 0;
}

/* Task bodies (grid_tasks.c). The CUDA ones exist when built with CUDA. */
void sd_grid_op_cpu(void *buffers[], void *cl_arg);
void sd_grid_pack_cpu(void *buffers[], void *cl_arg);
void sd_grid_unpack_cpu(void *buffers[], void *cl_arg);
void sd_grid_snapshot_cpu(void *buffers[], void *cl_arg);
void sd_grid_fused_cpu(void *buffers[], void *cl_arg);
void sd_grid_op_cuda(void *buffers[], void *cl_arg);
void sd_grid_pack_cuda(void *buffers[], void *cl_arg);
void sd_grid_unpack_cuda(void *buffers[], void *cl_arg);

#endif
