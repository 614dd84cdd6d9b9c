/* tiling.c - tile decomposition of a structured grid. */
#include <stdio.h>
#include <stdlib.h>
#include "grid_tiling.h"

int sd_tiling_make(sd_tiling *t, const sd_domain *dom, const int64_t tile[3], int min_extent, char *err,
                   size_t errlen)
{
    *t = (sd_tiling){.ndim = dom->ndim, .ntiles = 1};
    static const char axis[] = "xyz";
    for (int d = 0; d < 3; d++) {
        t->shape[d] = d < dom->ndim ? dom->shape[d] : 1;
        t->bc[d] = dom->bc[d];
        int64_t want = d < dom->ndim ? tile[d] : 1;
        if (want < 1 || want > t->shape[d]) want = t->shape[d];
        int64_t n = (t->shape[d] + want - 1) / want;
        if (n > SD_MAX_TILES_PER_AXIS) n = SD_MAX_TILES_PER_AXIS;
        /* halo exchange reads min_extent layers from the neighbour tile alone */
        if (d < dom->ndim && min_extent > 0 && n > 1 && t->shape[d] / n < min_extent) n = t->shape[d] / min_extent;
        if (n < 1) n = 1;
        if (d < dom->ndim && min_extent > 0 && t->shape[d] < min_extent && dom->bc[d] == SD_BC_PERIODIC) {
            snprintf(err, errlen, "grid axis %c has %lld cells, fewer than the halo width %d", axis[d],
                     (long long)t->shape[d], min_extent);
            return -1;
        }
        t->nt[d] = (int)n;
        t->start[d] = malloc((n + 1) * sizeof(int64_t));
        if (!t->start[d]) {
            snprintf(err, errlen, "out of memory for the tiling");
            sd_tiling_free(t);
            return -1;
        }
        /* i * shape stays below 2^63: shape <= 2^40 (the loader's limit), i <= 4096 */
        for (int64_t i = 0; i <= n; i++) t->start[d][i] = i * t->shape[d] / n;
    }
    const int64_t ntiles = (int64_t)t->nt[0] * t->nt[1] * t->nt[2];
    if (ntiles > SD_MAX_TILES) {
        snprintf(err, errlen, "%lld tiles (%dx%dx%d) are more than the %d a run may have: use larger tiles",
                 (long long)ntiles, t->nt[0], t->nt[1], t->nt[2], SD_MAX_TILES);
        sd_tiling_free(t);
        return -1;
    }
    t->ntiles = (int)ntiles;
    return 0;
}

void sd_tiling_free(sd_tiling *t)
{
    for (int d = 0; d < 3; d++) {
        free(t->start[d]);
        t->start[d] = NULL;
    }
}

void sd_tiling_auto(const sd_domain *dom, int ncpu, int ncuda, int min_extent, int fused, int64_t tile[3])
{
    /* CPU only: one tile per worker, >= 64k values each (a task well above StarPU's per-task
     * cost). Every cut between tiles costs a pack and an unpack of two faces per exchange, and a
     * uniform stencil needs no finer grain to balance: 4 tiles per worker measured 16-29 % slower
     * than 1 at 128^3 and 3-7 % at 256^3, the demo 20 % (docs/benchmarks.md 11.3).
     * With GPUs: one tile per GPU, split further only past 2^27 values a tile (1 GiB of f64 per
     * field, so a tile's fields fit a small GPU's memory). Measured on an H100 (kg_leapfrog 256^3,
     * docs/benchmarks.md "GPU"): one tile 0.31 ms/step, 8 tiles 0.66, 11 tiles under dmdas with
     * 15 CPU workers 1.05 (every leapfrog ran on the GPU anyway): each tile adds a kernel and
     * halo tasks of 17-40 us to the GPU worker's queue, and 16 cores move a tenth of the GPU's
     * bytes, so tiles for them only lengthen the step. (Values: cells times the bins of the
     * inner axes.) */
    const int64_t min_values = ncuda > 0 ? (int64_t)1 << 20 : 65536;
    /* A phase-space grid holds bins per cell (inner axes): the task cost follows the values, so
     * the floor is in values, not cells (a 41x90 grid of 72x200 bins is 53M values, not 3690
     * cells). Without inner axes bins = 1 and the choice is the one it always was. */
    int64_t bins = 1;
    for (int k = 0; k < dom->ninner && bins < min_values; k++) bins *= dom->inner[k].count > 1 ? dom->inner[k].count : 1;
    int64_t min_cells = (min_values + bins - 1) / bins;
    int64_t cells = 1;
    for (int d = 0; d < 3; d++) {
        tile[d] = d < dom->ndim ? dom->shape[d] : 1;
        cells *= tile[d];
    }
    int64_t want = ncuda > 0 ? ncuda : (ncpu > 0 ? ncpu : 1);
    if (ncuda > 0) {
        const int64_t max_cells = ((int64_t)1 << 27) / bins > 0 ? ((int64_t)1 << 27) / bins : 1;
        if (want < (cells + max_cells - 1) / max_cells) want = (cells + max_cells - 1) / max_cells;
    }
    if (want > cells / min_cells) want = cells / min_cells;
    if (want < 1) want = 1;
    /* Slabs across the outermost axis first (whole rows and planes: long copies, and the
     * leapfrogs' y-blocks stay whole), then the next axis. A plain grid's tiles stay >= 16 cells
     * (and 4 halo widths) thick along a cut axis, so that a face is a small part of a tile: 16
     * workers on 256^3 get 16 slabs of 16 planes, on 128^3 8 slabs cut in two along y. (With bins,
     * a cell is thousands of values: the value floor above already keeps tiles thick.) */
    /* Fused steps (grid_fused.c) sweep each tile as a wavefront along the outermost axis, whose
     * window of planes must stay in cache: there the tiles keep that axis whole and are cut
     * across the next ones first (256^3, 2 workers: 256x128x256 tiles took 12-14 ms a step with
     * 8 fused steps, 256x256x128 15 ms; docs/benchmarks.md "Fused steps"). */
    int64_t have = 1;
    int lo = min_extent > 1 ? min_extent : 1;
    if (bins == 1) lo = 4 * lo > 16 ? 4 * lo : 16;
    for (int i = 0; i < dom->ndim && have < want; i++) {
        const int d = fused && dom->ndim > 1 ? (dom->ndim - 2 - i + dom->ndim) % dom->ndim : dom->ndim - 1 - i;
        int64_t n = (want + have - 1) / have;
        if (n > dom->shape[d] / lo) n = dom->shape[d] / lo;
        if (n < 1) n = 1;
        tile[d] = (dom->shape[d] + n - 1) / n;
        have *= n;
    }
}

void sd_tile_coords(const sd_tiling *t, int tile, int c[3])
{
    c[0] = tile % t->nt[0];
    c[1] = (tile / t->nt[0]) % t->nt[1];
    c[2] = tile / (t->nt[0] * t->nt[1]);
}

int sd_tile_index(const sd_tiling *t, const int c[3]) { return c[0] + t->nt[0] * (c[1] + t->nt[1] * c[2]); }

void sd_tile_box(const sd_tiling *t, int tile, int64_t origin[3], int64_t n[3])
{
    int c[3];
    sd_tile_coords(t, tile, c);
    for (int d = 0; d < 3; d++) {
        origin[d] = t->start[d][c[d]];
        n[d] = t->start[d][c[d] + 1] - origin[d];
    }
}

int sd_tile_neighbor(const sd_tiling *t, int tile, int d, int side)
{
    int c[3];
    sd_tile_coords(t, tile, c);
    c[d] += side ? 1 : -1;
    if (c[d] < 0 || c[d] >= t->nt[d]) {
        if (t->bc[d] != SD_BC_PERIODIC) return -1;
        c[d] = (c[d] + t->nt[d]) % t->nt[d];
    }
    return sd_tile_index(t, c);
}
