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

typedef enum { SD_TASK_OP = 0, SD_TASK_PACK, SD_TASK_UNPACK, SD_TASK_COMBINE, SD_TASK_SNAPSHOT } sd_task_kind;

typedef struct sd_task {
    sd_task_kind kind;
    const sd_gop *op; /* OP, COMBINE */
    int op_index;     /* OP, COMBINE: index in init (init != 0) or step ops */
    int init;
    int slot;         /* OP, COMBINE of reductions: partial slot */
    int tile;         /* OP, PACK, UNPACK, SNAPSHOT; -1 for whole-field ops and combines */
    int buf, old_buf; /* PACK, UNPACK, SNAPSHOT: buffer; UNPACK: previous level or -1 */
    int field;        /* PACK, UNPACK, SNAPSHOT */
    int box, axis;    /* PACK, UNPACK: box = 0: every axis at once (a star field); 1: the round of
                         one axis of a full-box field's exchange (rounds x, y, z in this order) */
    int64_t step;     /* 0 for init */
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
} sd_plan;

int sd_plan_make(sd_plan *p, const sd_graph *g, const sd_tiling *t);
void sd_plan_free(sd_plan *p);
int sd_plan_buffer(const sd_plan *p, int field, int level);
void sd_plan_init(sd_plan *p, sd_emit_fn emit, void *ctx);
/* Step ops due at `step` (every), then the rotation of time levels. */
void sd_plan_step(sd_plan *p, int64_t step, sd_emit_fn emit, void *ctx);
/* Snapshot tasks (one per tile) of a field level as bound now. */
void sd_plan_snapshot(sd_plan *p, int field, int level, int64_t step, sd_emit_fn emit, void *ctx);

#endif
