/* halo_math.h - the index arithmetic and the Mur update of the ghost-zone kernels, written once
 * as SD_HD functions: runtime/halo.c (CPU) and runtime/halo.cu (CUDA) both use these, so the two
 * fill exactly the same cells with exactly the same values. Internal to the library. */
#ifndef SD_HALO_MATH_H
#define SD_HALO_MATH_H
#include "halo.h"

/* Interior extent along d (selects, not an indexed load: CUDA keeps g in parameter space). */
SD_HD int64_t sd_halo_n(const sd_halo_geom *g, int d) { return d == 0 ? g->n[0] : d == 1 ? g->n[1] : g->n[2]; }

/* Offset of cell (i, j, k), component c (interior coordinates; ghosts are negative or >= n) from
 * the buffer start. */
SD_HD int64_t sd_halo_at(const sd_halo_geom *g, int64_t i, int64_t j, int64_t k, int c)
{
    return g->off + i + j * g->sy + k * g->sz + c * g->sc;
}

/* The cell ijk with its coordinate along d replaced by `layer`. (Selects rather than an indexed
 * store, so that CUDA keeps everything in registers.) */
SD_HD int64_t sd_halo_at_layer(const sd_halo_geom *g, const int64_t ijk[3], int d, int64_t layer, int c)
{
    return sd_halo_at(g, d == 0 ? layer : ijk[0], d == 1 ? layer : ijk[1], d == 2 ? layer : ijk[2], c);
}

/* Region of h layers along d starting at layer `first` (interior coordinates); along the other
 * axes the interior, and for a full-box geometry the ghost layers too on the axes before d
 * ([-h, n + h): the rounds of those axes filled them). Every kernel walks this region. */
SD_HD void sd_halo_region(const sd_halo_geom *g, int d, int64_t first, int64_t lo[3], int64_t ext[3])
{
    for (int a = 0; a < 3; a++) {
        const int64_t wide = g->box && a < d ? g->h : 0;
        lo[a] = a == d ? first : -wide;
        ext[a] = a == d ? g->h : g->n[a] + 2 * wide;
    }
}
/* First layer of the packed region: pack reads the h interior layers next to the side, unpack
 * writes the h ghost layers beyond it. Face buffers hold the region x fastest, then y, z, c. */
SD_HD int64_t sd_halo_pack_first(const sd_halo_geom *g, int d, int side) { return side ? sd_halo_n(g, d) - g->h : 0; }
SD_HD int64_t sd_halo_unpack_first(const sd_halo_geom *g, int d, int side) { return side ? sd_halo_n(g, d) : -g->h; }

/* Ghost layer m (0 = next to the boundary) and a layer `back` cells inwards from `layer`. */
SD_HD int64_t sd_halo_ghost_layer(const sd_halo_geom *g, int d, int side, int64_t m)
{
    return side ? sd_halo_n(g, d) + m : -1 - m;
}
SD_HD int64_t sd_halo_inward(int side, int64_t layer, int64_t back) { return side ? layer - back : layer + back; }

/* Reflective: the interior layer mirrored into ghost layer m (m counted from the boundary); a tile
 * thinner than the halo repeats its far edge. */
SD_HD int64_t sd_halo_reflect_src(const sd_halo_geom *g, int d, int side, int64_t m)
{
    int64_t src = side ? sd_halo_n(g, d) - 1 - m : m;
    if (src < 0 || src >= sd_halo_n(g, d)) src = side ? 0 : sd_halo_n(g, d) - 1;
    return src;
}

/* Periodic axis held by one tile, step m = 0..h-1: low ghosts -h..-1 take layers n-h..n-1, high
 * ghosts n..n+h-1 take layers 0..h-1. */
SD_HD void sd_halo_wrap_layers(const sd_halo_geom *g, int d, int side, int64_t m, int64_t *ghost, int64_t *src)
{
    *ghost = side ? sd_halo_n(g, d) + m : -g->h + m;
    *src = side ? m : sd_halo_n(g, d) - g->h + m;
}

/* First-order Mur update of one ghost value, in the field type:
 *     g_new = in_old + k (in_new - g_old),   k = (c dt - dx) / (c dt + dx)
 * (in = the cell one step inwards, already updated when it is a ghost itself). */
SD_HD double sd_halo_mur_f64(double in_old, double in_new, double g_old, double k)
{
    return in_old + k * (in_new - g_old);
}
SD_HD float sd_halo_mur_f32(float in_old, float in_new, float g_old, double k)
{
    return in_old + (float)k * (in_new - g_old);
}

#endif
