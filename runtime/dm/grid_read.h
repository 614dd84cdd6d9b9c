/* grid_read.h - io.read_field on a grid: the op's dataset is read whole on the host when the
 * domain is created, then one task per tile copies the tile's part into its interior (the
 * inverse of an output snapshot; the ghosts come from the halo exchange as for any write). */
#ifndef SD_GRID_READ_H
#define SD_GRID_READ_H
#include <stddef.h>
#include "engine.h"
#include "halo.h"
#include "read_spec.h"

/* The values of one read op, shared by its tile tasks; the last task frees them. */
typedef struct sd_read_src {
    void *data;   /* whole field, as in the file: x fastest, components outermost */
    int borrowed; /* data is the graph's (a batch's values:, computed at load): never freed here */
    int pending;  /* tile tasks still to run */
} sd_read_src;

typedef struct sd_read_arg {
    sd_meter m;
    const sd_halo_geom *geom;
    int64_t origin[3], shape[3]; /* the tile's place in the global grid */
    sd_read_src *src;
} sd_read_arg;

/* Read init op `op` (op->read) of graph g into a new source for ntiles tasks: 0, or -1 with a
 * message naming the file and dataset (changed since the graph was loaded, unreadable). */
int sd_grid_read_load(const sd_graph *g, const sd_gop *op, int ntiles, sd_read_src **src, char *err, size_t errlen);
void sd_grid_read_free(sd_read_src *src);
/* The task body: buffers[0] is the tile (written). */
void sd_grid_read_cpu(void *buffers[], void *cl_arg);

#endif
