/* grid_impl.h - what the grid class (grid.c: data, expansion, output) and its task bodies
 * (grid_tasks.c: trampolines that bind buffers and call kernels) share. Internal. */
#ifndef SD_GRID_IMPL_H
#define SD_GRID_IMPL_H
#include "dm.h"
#include "engine.h"
#include "grid_expand.h"
#include "halo.h"

/* An op's arguments on one tile, prepared once: geometry, strides, parameters. */
typedef struct op_tmpl {
    sd_tile_args a;
    int64_t off_bytes[SD_MAX_BUFS]; /* interior origin of each buffer slot */
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
} pack_arg;

/* How an unpack task fills the ghosts on one side: from a face buffer, by wrapping in place, or
 * by a boundary condition. */
enum { ACT_FACE, ACT_WRAP, ACT_REFLECT, ACT_FIXED, ACT_ABSORB };
typedef struct unpack_action {
    signed char kind, axis, side, buffer; /* buffer: the task buffer holding the face (ACT_FACE) */
    double value;                         /* ACT_FIXED: the ghost value; ACT_ABSORB: Mur's k */
} unpack_action;

typedef struct unpack_arg {
    sd_meter m;
    sd_engine *e;
    const sd_halo_geom *geom;
    int nact, old; /* old: task buffer of the previous level, 0 if none */
    unpack_action act[6];
} unpack_arg;

typedef struct snap_arg {
    sd_meter m;
    const sd_halo_geom *geom;
    int64_t origin[3], shape[3];
    sd_record *rec;
} snap_arg;

/* Task bodies (grid_tasks.c). The CUDA ones exist when built with CUDA. */
void sd_grid_op_cpu(void *buffers[], void *cl_arg);
void sd_grid_pack_cpu(void *buffers[], void *cl_arg);
void sd_grid_unpack_cpu(void *buffers[], void *cl_arg);
void sd_grid_snapshot_cpu(void *buffers[], void *cl_arg);
void sd_grid_op_cuda(void *buffers[], void *cl_arg);
void sd_grid_pack_cuda(void *buffers[], void *cl_arg);
void sd_grid_unpack_cuda(void *buffers[], void *cl_arg);

#endif
