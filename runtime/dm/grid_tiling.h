/* tiling.h - splitting a grid into tiles and finding each tile's neighbours. */
#ifndef SD_TILING_H
#define SD_TILING_H
#include <stddef.h>
#include <stdint.h>
#include "graph.h"

#define SD_MAX_TILES_PER_AXIS 4096
#define SD_MAX_TILES (1 << 20) /* tiles of a run: the engine keeps ~16 handles per tile and buffer */

typedef struct sd_tiling {
    int ndim;
    int64_t shape[3];
    int nt[3];                 /* tiles along each axis (1 for absent axes) */
    int ntiles;
    int64_t *start[3];         /* nt[d]+1 tile boundaries along axis d */
    sd_bc bc[3];
} sd_tiling;

/* Split the domain into ceil(shape/tile) tiles per axis of nearly equal extent (they differ by at
 * most one cell), each at least min_extent cells wide along axes that need halos. Returns 0 or -1
 * with a message. */
int sd_tiling_make(sd_tiling *t, const sd_domain *dom, const int64_t tile[3], int min_extent, char *err,
                   size_t errlen);
void sd_tiling_free(sd_tiling *t);
/* The heuristic of `tiles: auto` (grid_tiling.c says why): one tile per CPU worker, none smaller
 * than ~64k values; with CUDA workers one per GPU, none above 2^27 values. Values = cells times the
 * bins of the domain's inner axes (1 without). Slabs along the outermost axis first (contiguous
 * memory), then the next; with fused steps (fused = 1) the outermost axis, along which a fused
 * task sweeps its tile, is cut last. */
void sd_tiling_auto(const sd_domain *dom, int ncpu, int ncuda, int min_extent, int fused, int64_t tile[3]);

void sd_tile_coords(const sd_tiling *t, int tile, int c[3]);
int sd_tile_index(const sd_tiling *t, const int c[3]);
void sd_tile_box(const sd_tiling *t, int tile, int64_t origin[3], int64_t n[3]);
/* The tile across side (0 low, 1 high) of axis d, wrapping on periodic axes; -1 at a physical
 * (non-periodic) boundary. A periodic axis with one tile is its own neighbour. */
int sd_tile_neighbor(const sd_tiling *t, int tile, int d, int side);

#endif
