/* halo.c - ghost-zone kernels. Loops run over the face region with x innermost. */
#include <string.h>
#include "halo.h"

size_t sd_dtype_size(int dtype) { return dtype == SD_F32 ? sizeof(float) : sizeof(double); }

void sd_halo_geom_make(sd_halo_geom *g, int ndim, const int64_t n[3], int h, int ncomp, int dtype)
{
    int64_t total;
    g->ndim = ndim;
    g->h = h;
    g->ncomp = ncomp;
    g->dtype = dtype;
    for (int d = 0; d < 3; d++) g->n[d] = n[d];
    sd_tile_layout(ndim, n, h, ncomp, &g->sy, &g->sz, &g->sc, &g->off, &total);
}

/* Region of h layers along d: first layer index `first` (interior coordinates), other axes full. */
static void region(const sd_halo_geom *g, int d, int64_t first, int64_t lo[3], int64_t ext[3])
{
    for (int a = 0; a < 3; a++) {
        lo[a] = 0;
        ext[a] = g->n[a];
    }
    lo[d] = first;
    ext[d] = g->h;
}

int64_t sd_face_count(const sd_halo_geom *g, int d)
{
    int64_t lo[3], ext[3];
    region(g, d, 0, lo, ext);
    return ext[0] * ext[1] * ext[2] * g->ncomp;
}

static inline int64_t at(const sd_halo_geom *g, int64_t i, int64_t j, int64_t k, int c)
{
    return g->off + i + j * g->sy + k * g->sz + c * g->sc;
}

/* Copy between a tile region and a packed buffer, one x row at a time. */
static void copy_region(const sd_halo_geom *g, char *tile, char *packed, int d, int64_t first, int to_tile)
{
    int64_t lo[3], ext[3];
    size_t es = sd_dtype_size(g->dtype);
    region(g, d, first, lo, ext);
    size_t row = (size_t)ext[0] * es;
    for (int c = 0; c < g->ncomp; c++)
        for (int64_t k = 0; k < ext[2]; k++)
            for (int64_t j = 0; j < ext[1]; j++) {
                char *t = tile + at(g, lo[0], lo[1] + j, lo[2] + k, c) * es;
                if (to_tile) memcpy(t, packed, row);
                else memcpy(packed, t, row);
                packed += row;
            }
}

void sd_halo_pack(const sd_halo_geom *g, const void *tile, int d, int side, void *face)
{
    copy_region(g, (char *)tile, face, d, side ? g->n[d] - g->h : 0, 0);
}

void sd_halo_unpack(const sd_halo_geom *g, void *tile, int d, int side, const void *face)
{
    copy_region(g, tile, (char *)face, d, side ? g->n[d] : -g->h, 1);
}

/* Ghost layer m (0 = next to the boundary) and its partner layer `back` cells inwards. */
static inline int64_t ghost_layer(const sd_halo_geom *g, int d, int side, int64_t m)
{
    return side ? g->n[d] + m : -1 - m;
}
static inline int64_t inward(int side, int64_t layer, int64_t back) { return side ? layer - back : layer + back; }

#define FOR_FACE(g, d, ...)                                                                  \
    do {                                                                                     \
        int64_t ext_[3] = {(g)->n[0], (g)->n[1], (g)->n[2]};                                 \
        ext_[d] = 1;                                                                         \
        for (int c = 0; c < (g)->ncomp; c++)                                                 \
            for (int64_t k = 0; k < ext_[2]; k++)                                            \
                for (int64_t j = 0; j < ext_[1]; j++)                                        \
                    for (int64_t i = 0; i < ext_[0]; i++) {                                  \
                        int64_t ijk_[3] = {i, j, k};                                         \
                        __VA_ARGS__                                                          \
                    }                                                                        \
    } while (0)

static inline int64_t at_layer(const sd_halo_geom *g, const int64_t ijk[3], int d, int64_t layer, int c)
{
    int64_t p[3] = {ijk[0], ijk[1], ijk[2]};
    p[d] = layer;
    return at(g, p[0], p[1], p[2], c);
}

void sd_halo_reflect(const sd_halo_geom *g, void *tile, int d, int side)
{
    size_t es = sd_dtype_size(g->dtype);
    char *b = tile;
    for (int64_t m = 0; m < g->h; m++) {
        int64_t gl = ghost_layer(g, d, side, m), src = side ? g->n[d] - 1 - m : m;
        if (src < 0 || src >= g->n[d]) src = side ? 0 : g->n[d] - 1; /* tile thinner than the halo */
        FOR_FACE(g, d, { memcpy(b + at_layer(g, ijk_, d, gl, c) * es, b + at_layer(g, ijk_, d, src, c) * es, es); });
    }
}

void sd_halo_wrap(const sd_halo_geom *g, void *tile, int d, int side)
{
    size_t es = sd_dtype_size(g->dtype);
    char *b = tile;
    for (int64_t m = 0; m < g->h; m++) {
        /* low ghosts -h..-1 take layers n-h..n-1; high ghosts n..n+h-1 take layers 0..h-1 */
        int64_t gl = side ? g->n[d] + m : -g->h + m, src = side ? m : g->n[d] - g->h + m;
        if (d == 0) FOR_FACE(g, d, { memcpy(b + at_layer(g, ijk_, d, gl, c) * es, b + at_layer(g, ijk_, d, src, c) * es, es); });
        else {
            /* whole x rows: one memcpy each */
            int64_t ext[3] = {g->n[0], g->n[1], g->n[2]};
            ext[d] = 1;
            for (int c = 0; c < g->ncomp; c++)
                for (int64_t k = 0; k < ext[2]; k++)
                    for (int64_t j = 0; j < ext[1]; j++) {
                        int64_t ijk[3] = {0, j, k};
                        memcpy(b + at_layer(g, ijk, d, gl, c) * es, b + at_layer(g, ijk, d, src, c) * es, g->n[0] * es);
                    }
        }
    }
}

void sd_halo_fixed(const sd_halo_geom *g, void *tile, int d, int side, double value)
{
    for (int64_t m = 0; m < g->h; m++) {
        int64_t gl = ghost_layer(g, d, side, m);
        if (g->dtype == SD_F32) {
            float *b = tile;
            FOR_FACE(g, d, { b[at_layer(g, ijk_, d, gl, c)] = (float)value; });
        } else {
            double *b = tile;
            FOR_FACE(g, d, { b[at_layer(g, ijk_, d, gl, c)] = value; });
        }
    }
}

#define ABSORB(T)                                                                                   \
    do {                                                                                            \
        T *nw = tile;                                                                               \
        const T *od = old;                                                                          \
        for (int64_t m = 0; m < g->h; m++) {                                                        \
            int64_t gl = ghost_layer(g, d, side, m), in = inward(side, gl, 1);                      \
            FOR_FACE(g, d, {                                                                        \
                int64_t o = at_layer(g, ijk_, d, gl, c), q = at_layer(g, ijk_, d, in, c);           \
                nw[o] = od ? (T)(od[q] + (T)kmur * (nw[q] - od[o])) : nw[q];                           \
            });                                                                                     \
        }                                                                                           \
    } while (0)

void sd_halo_absorb(const sd_halo_geom *g, void *tile, const void *old, int d, int side, double kmur)
{
    if (g->dtype == SD_F32) ABSORB(float);
    else ABSORB(double);
}
