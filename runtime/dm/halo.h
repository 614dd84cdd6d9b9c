/* halo.h - filling ghost zones: pure kernels on tile buffers (no StarPU).
 * A tile's face buffer along axis d, side s holds the h interior layers next to that side,
 * packed contiguously; a neighbour copies it into its ghost layers. At a physical boundary the
 * ghosts are made from the tile itself (reflective, fixed) or from the previous time level
 * (absorbing).
 *
 * A star field (box = 0: its stencils reach along one axis at a time) exchanges faces only: every
 * region spans the interior of the other axes, and edge and corner ghosts are left alone. A
 * full-box field (box = 1: some stencil reads edge and corner ghosts) is exchanged axis by axis,
 * x, then y, then z: the region of axis d spans the ghost layers of the axes before d (filled by
 * the rounds before it) and the interior of the axes after d, for packs, unpacks and boundary
 * conditions alike, so edges and corners come out as the images the boundary kinds make of the
 * global field. */
#ifndef SD_HALO_H
#define SD_HALO_H
#include <stddef.h>
#include <stdint.h>
#include "stardag/codelet.h"
#include "stardag/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sd_halo_geom {
    int ndim, h, ncomp, dtype;
    int box;                 /* 1: regions span the ghost layers of lower axes (full box); 0: faces only */
    int64_t n[3];            /* interior extent */
    int64_t sy, sz, sc, off; /* tile layout (sd_tile_layout) */
} sd_halo_geom;

/* A star geometry (box = 0); a full-box field sets box = 1 afterwards. */
void sd_halo_geom_make(sd_halo_geom *g, int ndim, const int64_t n[3], int h, int ncomp, int dtype);
size_t sd_dtype_size(int dtype);
/* Elements in the face buffer of axis d (all components; with box, lower axes' ghosts included). */
int64_t sd_face_count(const sd_halo_geom *g, int d);
/* The cache lines of the tile that the face of axis d spans: its rows times the lines of a row
 * (at least one). What copying a face costs follows them, not its bytes: an x face whose rows
 * are single values touches a line per value. */
int64_t sd_face_lines(const sd_halo_geom *g, int d);

void sd_halo_pack(const sd_halo_geom *g, const void *tile, int d, int side, void *face);
/* Ghosts on (d, side) <- the neighbour's face buffer of the opposite side. */
void sd_halo_unpack(const sd_halo_geom *g, void *tile, int d, int side, const void *face);
/* ---- Sparse exchanges of a field on inner bins (sd_role.support) ----
 * Its components are the bins (one value per bin and cell). A box of bins: first[k]..last[k] along
 * inner axis k, axes past n full (count 1); empty when first > last on some axis. */
typedef struct sd_bin_box {
    int n;
    int64_t count[SD_MAX_INNER_AXES], first[SD_MAX_INNER_AXES], last[SD_MAX_INNER_AXES];
} sd_bin_box;
/* Every bin of n axes of these counts. */
void sd_bin_box_full(sd_bin_box *b, int n, const int64_t count[]);
/* What bounds a field's non-zero bins: its support's tile (ghosts up to date) and geometry (f64,
 * at least the field's halo and shape), the codelet's bounds, the field's inner axes (bins: n and
 * count; its bounds unused). */
typedef struct sd_halo_support {
    const sd_halo_geom *geom;
    const double *tile;
    sd_support_fn fn;
    sd_bin_box bins;
    /* per axis, the sides (bit 0 low, bit 1 high) where the tile meets a fixed boundary of value 0:
     * the ghosts there are zeros in every bin of both fields, the support's no bound of the field's */
    unsigned char zero_sides[3];
} sd_halo_support;
/* The bins where the region of a face may hold non-zero values (axis d, h layers from `first`,
 * sd_halo_region of the field's geometry g): the union over its cells, except the ghosts beyond
 * s->zero_sides, of what s->fn makes of the support's values there. */
void sd_halo_support_box(const sd_halo_geom *g, const sd_halo_support *s, int d, int64_t first, sd_bin_box *box);
/* sd_halo_pack of the bins the face's cells may hold non-zero values of (the sender's support
 * box), bin by bin in index order: the face buffer holds fewer values. */
void sd_halo_pack_sparse(const sd_halo_geom *g, const void *tile, int d, int side, const sd_halo_support *s, void *face);
/* sd_halo_unpack of such a face: the box of its ghosts' support (the same cells' values, which the
 * support's exchange copied, so the same box) into *box, its bins into the ghosts, and zeros into
 * the ghosts of the bins of `held` (those the ghosts may hold non-zero values of; NULL: any)
 * outside it, written only where the value is not zero already. The ghosts then hold what a
 * dense exchange leaves. */
void sd_halo_unpack_sparse(const sd_halo_geom *g, void *tile, int d, int side, const sd_halo_support *s,
                           const sd_bin_box *held, sd_bin_box *box, const void *face);

/* A periodic axis held by one tile: ghosts on (d, side) <- the tile's own layers at the other side. */
void sd_halo_wrap(const sd_halo_geom *g, void *tile, int d, int side);
/* sd_halo_wrap of axis x, both sides, in one pass over the rows (the same values). */
void sd_halo_wrap_rows(const sd_halo_geom *g, void *tile);
/* Mirror: ghost layer m takes interior layer m counted from the boundary (zero normal gradient). */
void sd_halo_reflect(const sd_halo_geom *g, void *tile, int d, int side);
void sd_halo_fixed(const sd_halo_geom *g, void *tile, int d, int side, double value);
/* First-order Mur condition, layer by layer outwards:
 *   g_new[m] = in_old[m] + k (in_new[m] - g_old[m]),  k = (c dt - dx) / (c dt + dx),
 * where in[m] is the cell one step inwards from ghost m (the edge cell for m = 0). old is the
 * previous time level (same layout); without one the edge value is copied outwards. */
void sd_halo_absorb(const sd_halo_geom *g, void *tile, const void *old, int d, int side, double k);

/* A tile's interior and its place in the whole field (x fastest, components outermost; shape and
 * origin in cells, x first), row by row: into_tile 1 copies whole -> tile (io.read_field), 0 copies
 * tile -> whole (output snapshots). */
void sd_tile_copy_whole(const sd_halo_geom *g, const int64_t shape[3], const int64_t origin[3], char *tile,
                        char *whole, int into_tile);

/* For checkpoints of fields whose ghosts carry state (absorbing sides read the previous level's
 * ghosts): the tile's interior and its ghosts outside the global grid on non-periodic axes, in a
 * whole field padded by h ghost layers on each side of every axis of the grid (x fastest,
 * components outermost; shape unpadded, in cells). into_tile 0: tile -> padded. into_tile 1: every
 * cell of the tile, ghosts included, from the padded field (periodic axes wrap around; ghosts
 * between tiles are the neighbours' interior), so its ghosts are as an exchange leaves them. */
void sd_tile_copy_framed(const sd_halo_geom *g, const int64_t shape[3], const int64_t origin[3], const int periodic[3],
                         char *tile, char *padded, int into_tile);

/* CUDA versions (halo.cu; linked into the library only when it is built with CUDA): the same
 * arguments plus a cudaStream_t; tile, face and old are device pointers, g is a host pointer (its
 * struct is passed by value to the launch). Asynchronous on the stream; same cells, same values
 * (bitwise) as the CPU versions. The index math of both is in halo_math.h. */
void sd_halo_pack_cuda(const sd_halo_geom *g, const void *tile, int d, int side, void *face, void *stream);
void sd_halo_unpack_cuda(const sd_halo_geom *g, void *tile, int d, int side, const void *face, void *stream);
void sd_halo_wrap_cuda(const sd_halo_geom *g, void *tile, int d, int side, void *stream);
void sd_halo_reflect_cuda(const sd_halo_geom *g, void *tile, int d, int side, void *stream);
void sd_halo_fixed_cuda(const sd_halo_geom *g, void *tile, int d, int side, double value, void *stream);
void sd_halo_absorb_cuda(const sd_halo_geom *g, void *tile, const void *old, int d, int side, double k, void *stream);

#ifdef __cplusplus
}
#endif
#endif
