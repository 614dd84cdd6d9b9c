/* halo.c - ghost-zone kernels (CPU). Loops run over the face region (sd_halo_region: faces only,
 * or with the lower axes' ghosts for a full-box field) with x innermost; the index math and the
 * Mur update are in halo_math.h, shared with the CUDA versions in halo.cu. */
#include <string.h>
#include "halo.h"
#include "halo_math.h"

size_t sd_dtype_size(int dtype) { return dtype == SD_F32 ? sizeof(float) : sizeof(double); }

void sd_halo_geom_make(sd_halo_geom *g, int ndim, const int64_t n[3], int h, int ncomp, int dtype)
{
    int64_t total;
    g->ndim = ndim;
    g->h = h;
    g->ncomp = ncomp;
    g->dtype = dtype;
    g->box = 0;
    for (int d = 0; d < 3; d++) g->n[d] = n[d];
    int64_t stride[3];
    sd_tile_layout(ndim, n, h, ncomp, stride, &g->sc, &g->off, &total);
    g->sy = stride[1];
    g->sz = stride[2];
}

int64_t sd_face_count(const sd_halo_geom *g, int d)
{
    int64_t lo[3], ext[3];
    sd_halo_region(g, d, 0, lo, ext);
    return ext[0] * ext[1] * ext[2] * g->ncomp;
}

int64_t sd_face_lines(const sd_halo_geom *g, int d)
{
    int64_t lo[3], ext[3];
    sd_halo_region(g, d, 0, lo, ext);
    const int64_t row_bytes = ext[0] * (int64_t)sd_dtype_size(g->dtype);
    return ext[1] * ext[2] * g->ncomp * ((row_bytes + 63) / 64);
}

/* Rows of a region, components c_b .. c_e - 1: ext[0] elements each, x fastest, then y, z, c (the
 * face buffer order); row_ is the element offset of a row's first element. */
#define FOR_ROWS_OF(g, lo, ext, c_b, c_e, ...)                                                      \
    do {                                                                                            \
        for (int64_t c_ = (c_b); c_ < (c_e); c_++)                                                  \
            for (int64_t k_ = 0; k_ < (ext)[2]; k_++) {                                             \
                int64_t row_ = sd_halo_at(g, (lo)[0], (lo)[1], (lo)[2] + k_, c_);                   \
                for (int64_t j_ = 0; j_ < (ext)[1]; j_++, row_ += (g)->sy) {                        \
                    __VA_ARGS__                                                                     \
                }                                                                                   \
            }                                                                                       \
    } while (0)
#define FOR_ROWS(g, lo, ext, ...) FOR_ROWS_OF(g, lo, ext, 0, (g)->ncomp, __VA_ARGS__)

/* Element-wise copy of short rows with a compile-time element size: an x face of a field on bins
 * is one element per row times rows x bins, and a libc memcpy call per 8 bytes cost more than the
 * data movement itself. */
#define COPY_SHORT(ES)                                                                              \
    FOR_ROWS_OF(g, lo, ext, c0, c1, {                                                               \
        char *t_ = tile + row_ * (ES);                                                              \
        for (int64_t i_ = 0; i_ < ext[0]; i_++, packed += (ES)) {                                   \
            if (to_tile) memcpy(t_ + i_ * (ES), packed, ES);                                        \
            else memcpy(packed, t_ + i_ * (ES), ES);                                                \
        }                                                                                           \
    })

/* Copy between a tile region and a packed buffer, components c0 .. c1 - 1: long rows by memcpy,
 * short ones element-wise. Returns the packed buffer past what it copied. */
static char *copy_region(const sd_halo_geom *g, char *tile, char *packed, int d, int64_t first, int to_tile,
                         int64_t c0, int64_t c1)
{
    int64_t lo[3], ext[3];
    size_t es = sd_dtype_size(g->dtype);
    sd_halo_region(g, d, first, lo, ext);
    size_t row = (size_t)ext[0] * es;
    if (ext[1] == 1 && ext[2] == 1 && g->ncomp > 1 && row >= 64) {
        /* one row per component (a y or z face of a field on bins: thousands of rows, each in
         * another plane of the tile, out of cache): the copies wait on memory one row at a time,
         * so the rows HALO_AHEAD components on are requested first */
        enum { HALO_AHEAD = 8 };
        const int64_t r0 = sd_halo_at(g, lo[0], lo[1], lo[2], 0);
        for (int64_t c = c0; c < c1; c++) {
            char *t = tile + (r0 + c * g->sc) * (int64_t)es;
            if (c + HALO_AHEAD < c1)
                for (size_t b = 0; b < row; b += 64) {
                    const char *ahead = t + HALO_AHEAD * g->sc * (int64_t)es;
                    if (to_tile) __builtin_prefetch(ahead + b, 1, 3); /* unpack writes the tile's rows */
                    else __builtin_prefetch(ahead + b, 0, 3);          /* pack reads them */
                }
            if (to_tile) memcpy(t, packed, row);
            else memcpy(packed, t, row);
            packed += row;
        }
    } else if (row < 64 && es == 8) COPY_SHORT(8);
    else if (row < 64 && es == 4) COPY_SHORT(4);
    else
        FOR_ROWS_OF(g, lo, ext, c0, c1, {
            char *t = tile + row_ * es;
            if (to_tile) memcpy(t, packed, row);
            else memcpy(packed, t, row);
            packed += row;
        });
    return packed;
}

void sd_halo_pack(const sd_halo_geom *g, const void *tile, int d, int side, void *face)
{
    copy_region(g, (char *)tile, face, d, sd_halo_pack_first(g, d, side), 0, 0, g->ncomp);
}

void sd_halo_unpack(const sd_halo_geom *g, void *tile, int d, int side, const void *face)
{
    copy_region(g, tile, (char *)face, d, sd_halo_unpack_first(g, d, side), 1, 0, g->ncomp);
}

/* ---- sparse exchanges of fields on bins ---- */

void sd_bin_box_full(sd_bin_box *b, int n, const int64_t count[])
{
    b->n = n;
    for (int k = 0; k < SD_MAX_INNER_AXES; k++) {
        b->count[k] = k < n ? count[k] : 1;
        b->first[k] = 0;
        b->last[k] = b->count[k] - 1;
    }
}

static int box_empty(const sd_bin_box *b)
{
    for (int k = 0; k < SD_MAX_INNER_AXES; k++)
        if (b->first[k] > b->last[k]) return 1;
    return 0;
}

void sd_halo_support_box(const sd_halo_geom *g, const sd_halo_support *s, int d, int64_t first, sd_bin_box *box)
{
    int64_t lo[3], ext[3];
    const sd_halo_geom *sg = s->geom;
    sd_halo_region(g, d, first, lo, ext);
    *box = s->bins;
    for (int k = 0; k < SD_MAX_INNER_AXES; k++) box->first[k] = box->count[k], box->last[k] = -1;
    /* the cells beyond a zero boundary are left out: neighbours along d share the other axes'
     * extents and boundaries, so both sides leave out the same ones */
    for (int a = 0; a < 3; a++) {
        const int64_t na = a == 0 ? g->n[0] : a == 1 ? g->n[1] : g->n[2];
        int64_t b0 = lo[a], b1 = lo[a] + ext[a];
        if ((s->zero_sides[a] & 1) && b0 < 0) b0 = 0;
        if ((s->zero_sides[a] & 2) && b1 > na) b1 = na;
        lo[a] = b0;
        ext[a] = b1 > b0 ? b1 - b0 : 0;
    }
    for (int64_t k = lo[2]; k < lo[2] + ext[2]; k++)
        for (int64_t j = lo[1]; j < lo[1] + ext[1]; j++)
            for (int64_t i = lo[0]; i < lo[0] + ext[0]; i++) {
                int64_t f[SD_MAX_INNER_AXES], l[SD_MAX_INNER_AXES];
                for (int a = 0; a < SD_MAX_INNER_AXES; a++) f[a] = 0, l[a] = box->count[a] - 1;
                s->fn(s->tile + sd_halo_at(sg, i, j, k, 0), sg->sc, box->n, f, l);
                int empty = 0;
                for (int a = 0; a < box->n; a++) empty |= f[a] > l[a];
                if (empty) continue;
                for (int a = 0; a < SD_MAX_INNER_AXES; a++) { /* clamped: the bins there are */
                    if (f[a] < box->first[a]) box->first[a] = f[a] < 0 ? 0 : f[a];
                    if (l[a] > box->last[a]) box->last[a] = l[a] >= box->count[a] ? box->count[a] - 1 : l[a];
                }
            }
}

/* The runs of consecutive bins of a box (axis 0's range at each combination of the others): RUN
 * sees c0 (the first bin) and len. */
#define FOR_BOX_RUNS(b, RUN)                                                                        \
    do {                                                                                            \
        if (!box_empty(b))                                                                          \
            for (int64_t i2_ = (b)->first[2]; i2_ <= (b)->last[2]; i2_++)                           \
                for (int64_t i1_ = (b)->first[1]; i1_ <= (b)->last[1]; i1_++) {                    \
                    const int64_t c0 = (b)->first[0] + (b)->count[0] * (i1_ + (b)->count[1] * i2_); \
                    const int64_t len = (b)->last[0] - (b)->first[0] + 1;                           \
                    RUN                                                                             \
                }                                                                                   \
    } while (0)

void sd_halo_pack_sparse(const sd_halo_geom *g, const void *tile, int d, int side, const sd_halo_support *s, void *face)
{
    char *packed = face;
    const int64_t first = sd_halo_pack_first(g, d, side);
    sd_bin_box bx, *box = &bx;
    sd_halo_support_box(g, s, d, first, box);
    FOR_BOX_RUNS(box, { packed = copy_region(g, (char *)tile, packed, d, first, 0, c0, c0 + len); });
}

/* Zeros into the region's values of bins c0 .. c1 - 1, where they are not zero (all bits) already. */
#define ZERO_BINS(UT)                                                                               \
    do {                                                                                            \
        UT *b_ = tile;                                                                              \
        FOR_ROWS_OF(g, lo, ext, c0, c1, {                                                           \
            UT *r_ = b_ + row_;                                                                     \
            for (int64_t i_ = 0; i_ < ext[0]; i_++)                                                 \
                if (r_[i_]) r_[i_] = 0;                                                             \
        });                                                                                         \
    } while (0)
static void zero_bins(const sd_halo_geom *g, void *tile, int d, int64_t first, int64_t c0, int64_t c1)
{
    int64_t lo[3], ext[3];
    if (c0 >= c1) return;
    sd_halo_region(g, d, first, lo, ext);
    if (g->dtype == SD_F32) ZERO_BINS(uint32_t);
    else ZERO_BINS(uint64_t);
}

void sd_halo_unpack_sparse(const sd_halo_geom *g, void *tile, int d, int side, const sd_halo_support *s,
                           const sd_bin_box *held, sd_bin_box *box, const void *face)
{
    const int64_t first = sd_halo_unpack_first(g, d, side);
    char *packed = (char *)face;
    sd_halo_support_box(g, s, d, first, box);
    FOR_BOX_RUNS(box, { packed = copy_region(g, tile, packed, d, first, 1, c0, c0 + len); });
    sd_bin_box any;
    if (!held) {
        sd_bin_box_full(&any, box->n, box->count);
        held = &any;
    }
    /* the held bins outside box: per run of held, the parts before and after box's axis-0 range
     * when the run's other coordinates are inside box, else all of it */
    const int none = box_empty(box);
    FOR_BOX_RUNS(held, {
        const int inside = !none && i1_ >= box->first[1] && i1_ <= box->last[1] && i2_ >= box->first[2] &&
                           i2_ <= box->last[2];
        if (!inside) zero_bins(g, tile, d, first, c0, c0 + len);
        else {
            const int64_t base = c0 - held->first[0]; /* the run's bin 0 along axis 0 */
            const int64_t b0 = box->first[0] > held->first[0] ? box->first[0] : held->first[0];
            const int64_t b1 = box->last[0] < held->last[0] ? box->last[0] : held->last[0];
            zero_bins(g, tile, d, first, c0, b0 > b1 ? c0 + len : base + b0);
            if (b0 <= b1) zero_bins(g, tile, d, first, base + b1 + 1, c0 + len);
        }
    });
}

/* Every cell ijk_ of the face region of axis d (sd_halo_region), with ijk_[d] = 0 for the body to
 * replace by a layer. */
#define FOR_FACE(g, d, ...)                                                                  \
    do {                                                                                     \
        int64_t lo_[3], ext_[3];                                                             \
        sd_halo_region(g, d, 0, lo_, ext_);                                                  \
        ext_[d] = 1;                                                                         \
        for (int c = 0; c < (g)->ncomp; c++)                                                 \
            for (int64_t k = lo_[2]; k < lo_[2] + ext_[2]; k++)                              \
                for (int64_t j = lo_[1]; j < lo_[1] + ext_[1]; j++)                          \
                    for (int64_t i = lo_[0]; i < lo_[0] + ext_[0]; i++) {                    \
                        int64_t ijk_[3] = {i, j, k};                                         \
                        __VA_ARGS__                                                          \
                    }                                                                        \
    } while (0)

void sd_halo_reflect(const sd_halo_geom *g, void *tile, int d, int side)
{
    size_t es = sd_dtype_size(g->dtype);
    char *b = tile;
    for (int64_t m = 0; m < g->h; m++) {
        const int64_t gl = sd_halo_ghost_layer(g, d, side, m), src = sd_halo_reflect_src(g, d, side, m);
        FOR_FACE(g, d, { memcpy(b + sd_halo_at_layer(g, ijk_, d, gl, c) * es, b + sd_halo_at_layer(g, ijk_, d, src, c) * es, es); });
    }
}

void sd_halo_wrap(const sd_halo_geom *g, void *tile, int d, int side)
{
    size_t es = sd_dtype_size(g->dtype);
    char *b = tile;
    for (int64_t m = 0; m < g->h; m++) {
        int64_t gl, src;
        sd_halo_wrap_layers(g, d, side, m, &gl, &src);
        if (d == 0) FOR_FACE(g, d, { memcpy(b + sd_halo_at_layer(g, ijk_, d, gl, c) * es, b + sd_halo_at_layer(g, ijk_, d, src, c) * es, es); });
        else {
            /* whole x rows of the region: one memcpy each */
            int64_t lo[3], ext[3];
            sd_halo_region(g, d, 0, lo, ext);
            ext[d] = 1;
            for (int c = 0; c < g->ncomp; c++)
                for (int64_t k = lo[2]; k < lo[2] + ext[2]; k++)
                    for (int64_t j = lo[1]; j < lo[1] + ext[1]; j++) {
                        int64_t ijk[3] = {lo[0], j, k};
                        memcpy(b + sd_halo_at_layer(g, ijk, d, gl, c) * es, b + sd_halo_at_layer(g, ijk, d, src, c) * es, ext[0] * es);
                    }
        }
    }
}

/* A periodic x axis held by one tile: both sides, every layer, in one pass over the rows of the
 * region. The ghosts of a row sit next to its ends, so the pass touches the first and last cache
 * lines of every row of the tile; one pass per layer and side (sd_halo_wrap) cost 2h trips over the
 * whole tile through memory: 1.2 ms of a 15 ms step at 256^3 (docs/benchmarks.md 11.3). Rows
 * X_AHEAD on are requested early: the lines are far apart, one per row, and the hardware
 * prefetchers do not follow such a stride across pages. Same values as sd_halo_wrap. */
#define WRAP_ROWS(T)                                                                                \
    do {                                                                                            \
        enum { X_AHEAD = 16 };                                                                       \
        T *b = tile;                                                                                \
        const int64_t n = g->n[0], h = g->h;                                                        \
        for (int c = 0; c < g->ncomp; c++)                                                          \
            for (int64_t k = lo[2]; k < lo[2] + ext[2]; k++)                                        \
                for (int64_t j = lo[1]; j < lo[1] + ext[1]; j++) {                                  \
                    T *r = b + sd_halo_at(g, 0, j, k, c);                                           \
                    if (j + X_AHEAD < lo[1] + ext[1]) {                                             \
                        const T *a = r + X_AHEAD * g->sy;                                           \
                        __builtin_prefetch(a - h, 1, 3);                                            \
                        __builtin_prefetch(a + n + h - 1, 1, 3);                                    \
                    }                                                                               \
                    for (int64_t m = 0; m < h; m++) r[-h + m] = r[n - h + m], r[n + m] = r[m];     \
                }                                                                                   \
    } while (0)

void sd_halo_wrap_rows(const sd_halo_geom *g, void *tile)
{
    int64_t lo[3], ext[3];
    sd_halo_region(g, 0, 0, lo, ext);
    if (g->dtype == SD_F32) WRAP_ROWS(float);
    else WRAP_ROWS(double);
}

/* Ghost layer gl of axis d: every element set to v, written only where its bits differ. Nothing
 * but the halo tasks writes ghosts (kernels touch interior cells only, docs/codelets.md), so from
 * the second step on a fixed boundary's ghosts already hold the value: reading them leaves their
 * cache lines clean, where a blind store of one element per line (x faces of a field on bins)
 * cost a read and a write-back of each line. Same bits either way. */
#define FIXED_LAYER(T, UT)                                                                          \
    do {                                                                                            \
        const T v = (T)value;                                                                       \
        UT vb;                                                                                      \
        memcpy(&vb, &v, sizeof vb);                                                                 \
        UT *b = tile;                                                                               \
        FOR_ROWS(g, lo, ext, {                                                                      \
            UT *r_ = b + row_;                                                                      \
            for (int64_t i_ = 0; i_ < ext[0]; i_++)                                                 \
                if (r_[i_] != vb) r_[i_] = vb;                                                      \
        });                                                                                         \
    } while (0)

void sd_halo_fixed(const sd_halo_geom *g, void *tile, int d, int side, double value)
{
    for (int64_t m = 0; m < g->h; m++) {
        int64_t lo[3], ext[3];
        sd_halo_region(g, d, sd_halo_ghost_layer(g, d, side, m), lo, ext);
        ext[d] = 1;
        if (g->dtype == SD_F32) FIXED_LAYER(float, uint32_t);
        else FIXED_LAYER(double, uint64_t);
    }
}

#define ABSORB(T, SUF)                                                                              \
    do {                                                                                            \
        T *nw = tile;                                                                               \
        const T *od = old;                                                                          \
        for (int64_t m = 0; m < g->h; m++) {                                                        \
            int64_t gl = sd_halo_ghost_layer(g, d, side, m), in = sd_halo_inward(side, gl, 1);      \
            FOR_FACE(g, d, {                                                                        \
                const int64_t o = sd_halo_at_layer(g, ijk_, d, gl, c);                              \
                const int64_t q = sd_halo_at_layer(g, ijk_, d, in, c);                              \
                nw[o] = od ? sd_halo_mur_##SUF(od[q], nw[q], od[o], kmur) : nw[q];                  \
            });                                                                                     \
        }                                                                                           \
    } while (0)

void sd_halo_absorb(const sd_halo_geom *g, void *tile, const void *old, int d, int side, double kmur)
{
    if (g->dtype == SD_F32) ABSORB(float, f32);
    else ABSORB(double, f64);
}

void sd_tile_copy_whole(const sd_halo_geom *g, const int64_t shape[3], const int64_t origin[3], char *tile,
                        char *whole, int into_tile)
{
    size_t es = sd_dtype_size(g->dtype), row = (size_t)g->n[0] * es;
    for (int c = 0; c < g->ncomp; c++)
        for (int64_t k = 0; k < g->n[2]; k++)
            for (int64_t j = 0; j < g->n[1]; j++) {
                int64_t w = ((c * shape[2] + origin[2] + k) * shape[1] + origin[1] + j) * shape[0] + origin[0];
                int64_t t = g->off + j * g->sy + k * g->sz + c * g->sc;
                if (into_tile) memcpy(tile + t * es, whole + w * es, row);
                else memcpy(whole + w * es, tile + t * es, row);
            }
}

/* Along one axis: the padded coordinate of local coordinate l of a tile at origin o (q = o + l in
 * the global grid), or -1 when the cell is not the tile's to save (a ghost between tiles, or on a
 * periodic axis). restore: every cell maps (periodic axes wrap). */
static int64_t framed_coord(int64_t l, int64_t n, int64_t o, int64_t N, int h, int periodic, int restore)
{
    int64_t q = o + l;
    if (q >= 0 && q < N) return (l >= 0 && l < n) || restore ? q + h : -1;
    if (periodic) return restore ? (q % N + N) % N + h : -1;
    return q + h;
}

void sd_tile_copy_framed(const sd_halo_geom *g, const int64_t shape[3], const int64_t origin[3], const int periodic[3],
                         char *tile, char *padded, int into_tile)
{
    const size_t es = sd_dtype_size(g->dtype);
    int64_t hd[3], P[3];
    for (int d = 0; d < 3; d++) {
        hd[d] = d < g->ndim ? g->h : 0;
        P[d] = shape[d] + 2 * hd[d];
    }
    for (int c = 0; c < g->ncomp; c++)
        for (int64_t k = -hd[2]; k < g->n[2] + hd[2]; k++) {
            int64_t pz = framed_coord(k, g->n[2], origin[2], shape[2], (int)hd[2], periodic[2], into_tile);
            if (pz < 0) continue;
            for (int64_t j = -hd[1]; j < g->n[1] + hd[1]; j++) {
                int64_t py = framed_coord(j, g->n[1], origin[1], shape[1], (int)hd[1], periodic[1], into_tile);
                if (py < 0) continue;
                for (int64_t i = -hd[0]; i < g->n[0] + hd[0]; i++) {
                    int64_t px = framed_coord(i, g->n[0], origin[0], shape[0], (int)hd[0], periodic[0], into_tile);
                    if (px < 0) continue;
                    int64_t w = ((c * P[2] + pz) * P[1] + py) * P[0] + px;
                    int64_t t = g->off + i + j * g->sy + k * g->sz + c * g->sc;
                    if (into_tile) memcpy(tile + t * es, padded + w * es, es);
                    else memcpy(padded + w * es, tile + t * es, es);
                }
            }
        }
}
