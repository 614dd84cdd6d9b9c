/* expand.h - turning ops into tile tasks. Pure bookkeeping, no StarPU: the expansion names data
 * abstractly and hands each task to an emitter, which either submits it to StarPU (engine.c)
 * or records it (dot.c). This is where access patterns, halo exchanges, reductions and the
 * rotation of time levels are decided. */
#ifndef SD_EXPAND_H
#define SD_EXPAND_H
#include "graph.h"
#include "grid_tiling.h"

typedef enum { SD_H_TILE = 0, SD_H_FACE, SD_H_PARTIAL, SD_H_SCALAR, SD_H_TABLE } sd_hkind;
/* TILE: a = buffer, b = tile; FACE: a = buffer, b = tile, c = face (2*axis+side);
 * PARTIAL: a = reduction slot, b = tile; SCALAR: a = scalar index; TABLE: a = table index (read). */
typedef struct sd_href { sd_hkind kind; int a, b, c; } sd_href;

typedef enum { SD_TASK_OP = 0, SD_TASK_PACK, SD_TASK_UNPACK, SD_TASK_COMBINE, SD_TASK_SNAPSHOT, SD_TASK_FUSED } sd_task_kind;

/* One op of a fused group (SD_TASK_FUSED: one task runs several steps' ops on a tile, grid_expand_fuse.c). */
typedef struct sd_fused_op {
    int op_index;  /* the step op */
    int sub;       /* its step: the task's step + sub */
    int ext;       /* ghost layers the tile grows by on each side that is no domain boundary */
    short href[SD_MAX_BUFS]; /* per kernel slot (sd_tile_args.p): the task's handle, -1 none */
} sd_fused_op;

typedef struct sd_task {
    sd_task_kind kind;
    const sd_gop *op; /* OP, COMBINE */
    int op_index;     /* OP, COMBINE: index in init (init != 0) or step ops */
    int init;
    int slot;         /* OP, COMBINE of reductions: partial slot */
    int tile;         /* OP, PACK, UNPACK, SNAPSHOT; -1 for whole-field ops and combines */
    int buf, old_buf; /* PACK, UNPACK, SNAPSHOT: buffer; UNPACK: previous level or -1 */
    int sup_buf;      /* PACK, UNPACK: the buffer bounding buf's non-zero bins (its last handle), or
                         -1: the exchange copies every bin (sd_plan.support) */
    int field;        /* PACK, UNPACK, SNAPSHOT */
    int box, axis;    /* PACK, UNPACK: box = 0: every axis at once (a star field); 1: the round of
                         one axis of a full-box field's exchange (rounds x, y, z in this order) */
    int64_t step;     /* 0 for init; FUSED: the group's first step */
    int nfused;       /* FUSED: its ops, in order (valid during the emit call only) */
    const sd_fused_op *fused;
    int fused_lag;    /* FUSED: the widest halo its ops read a field with */
    int nh;
    const sd_href *h; /* valid during the emit call only */
    const sd_access *mode;
} sd_task;

typedef void (*sd_emit_fn)(void *ctx, const sd_task *t);

typedef struct sd_plan {
    const sd_graph *g;
    const sd_tiling *t;
    int nbuf;
    int *buf_field;      /* buffer -> field */
    int *field_base;     /* field -> first buffer */
    int *cur;            /* [field_base[f] + level] -> buffer now bound at that level */
    unsigned char *ghost_ok;
    int nslots;
    int *slot_init, *slot_step; /* op -> reduction slot or -1 */
    int cap;
    sd_href *h;
    sd_access *mode;
    /* fused steps (grid_expand_fuse.c) */
    int fuse;            /* the longest group: steps one task advances a tile (1: none) */
    int *halo;           /* [field] ghost width of its tiles: the graph's, wider for fused groups */
    unsigned char *box;  /* [field] its exchanges fill edge and corner ghosts too */
    sd_fused_op *fops;   /* one group's ops */
    int *need;           /* [buffer] ghost width a group needs valid at its start */
    int *reach;          /* [buffer] how far beyond its tiles a group writes or reads it */
    unsigned char *corner; /* [buffer] read beyond its tiles by a grown op */
    unsigned char *filled; /* [buffer] exchanged at least once: its fixed sides' ghosts hold their value */
    int refill_fixed;    /* several memory nodes: a copy of a buffer may lack them; fill at every group */
    int *support;        /* [field] the field whose values bound where its own are non-zero (a codelet
                            role's .support): an exchange of the field for an op that binds a buffer
                            of it beside copies only those bins (sd_plan_set_support); -1: none */
    sd_support_fn *support_fn; /* [field] the bounds (the codelet's support_box) */
    int64_t groups;      /* fused groups emitted (one task per tile each) */
} sd_plan;

int sd_plan_make(sd_plan *p, const sd_graph *g, const sd_tiling *t);
void sd_plan_free(sd_plan *p);
int sd_plan_buffer(const sd_plan *p, int field, int level);
void sd_plan_init(sd_plan *p, sd_emit_fn emit, void *ctx);
/* Step ops due at `step` (every), then the rotation of time levels. */
void sd_plan_step(sd_plan *p, int64_t step, sd_emit_fn emit, void *ctx);
/* The same for the step ops from index `first` on (those after a fused group's part of the step). */
void sd_plan_step_from(sd_plan *p, int64_t step, int first, sd_emit_fn emit, void *ctx);
/* The step ops of index first .. last-1 due at `step`, without the rotation. */
void sd_plan_ops(sd_plan *p, int64_t step, int first, int last, sd_emit_fn emit, void *ctx);
/* Add handle (kind, a, b, c) with its access mode to the task being built. */
void sd_plan_put(sd_plan *p, sd_task *task, sd_hkind kind, int a, int b, int c, sd_access mode);
/* Which fields' exchanges may be sparse (p->support, p->support_fn): a field on bins of one
 * component that a role declaring a support reads with a halo, its support a field on cells, f64,
 * with ghosts as wide and as full; one support and one bound for every op that names one. None
 * when `allowed` is 0 (several memory nodes: a GPU's copies of a tile would need records of their
 * own; STARDAG_HALO_DENSE=1; a rank that cannot), with an absorbing side (ghosts that carry state)
 * or a fixed side of another value than 0 (the support's ghosts would not bound the field's), or
 * with fused steps (their grown ops write ghosts, which the unpacks' records would not know). After
 * sd_plan_set_fuse. */
void sd_plan_set_support(sd_plan *p, int allowed);
/* STARDAG_HALO_DENSE=1: the user keeps every exchange dense. */
int sd_halo_dense_asked(void);
/* Level l takes the buffer of level l+1, the newest level gets the oldest buffer. */
void sd_plan_rotate(sd_plan *p);
/* The ghost exchange of buffer buf of field f (its previous level old for absorbing sides, or -1;
 * sup: a buffer of field support[f] bounding buf's non-zero bins, its ghosts up to date, or -1). */
void sd_plan_exchange(sd_plan *p, int f, int buf, int old, int sup, sd_emit_fn emit, void *ctx, int64_t step);

/* ---- fused steps (grid_expand_fuse.c) ---- */
/* Can op run in a fused group: a stencil or pointwise op of a fusable codelet (sd_codelet.fusable)
 * without scalar results? */
int sd_plan_fusable(const sd_gop *op);
/* Groups of up to k steps: widens p->halo and sets p->box for the fields the groups read beyond
 * the tile (p->fuse stays 1 when no step op is fusable). Before any buffer is made. 0, or -1 out of
 * memory. */
int sd_plan_set_fuse(sd_plan *p, int k);
/* The ghost width of each field ([nfields]) with groups of up to k steps, before the tiling is
 * made (it needs them). 0, or -1 out of memory. */
int sd_fuse_widths(const sd_graph *g, int k, int *halo);
/* Steps s0 .. s0+m-1 as fused groups (as long as the ghost widths allow, else shorter ones): every
 * due op of each step, except that the last step runs only its ops before index `last_ops` (the
 * rest, not fusable, follow with sd_plan_step_from); the levels rotate after each whole step. The
 * ghosts a group reads beyond its tiles are exchanged first. */
void sd_plan_group(sd_plan *p, int64_t s0, int m, int last_ops, sd_emit_fn emit, void *ctx);
/* Snapshot tasks (one per tile) of a field level as bound now. */
void sd_plan_snapshot(sd_plan *p, int field, int level, int64_t step, sd_emit_fn emit, void *ctx);

#endif
