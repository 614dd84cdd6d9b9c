/* t_halo_sparse.c - sparse exchanges of fields on inner bins (halo.h: sd_halo_pack_sparse,
 * sd_halo_unpack_sparse), against the dense pack and unpack. A field of 7 x 4 bins per cell whose
 * values are non-zero exactly inside a random box of bins per cell (some cells empty), and its
 * support (4 f64 components: first and last bin per inner axis, as transport's occ); the receiver's
 * ghosts hold stale non-zero values in other bins. For 2D faces and full-box regions, halo 1 and 2,
 * every axis and side, f32 and f64, with the record of the stale bins known (their box) or not:
 *  - the sender and the receiver find the same box (the receiver from its support ghosts, which a
 *    dense exchange of the support filled);
 *  - after the sparse unpack the receiver's buffer is bytewise what a dense unpack leaves (ghosts
 *    exact, stale bins cleared, nothing else touched), and the face moved only the box's bins;
 *  - a face whose cells are all empty moves nothing and clears the stale bins;
 *  - with the other axis' sides fixed at 0 (zeros in both fields' ghosts there: a support of zeros
 *    that claims bin (0, 0)), left out of the bounds (sd_halo_support.zero_sides), the same. */
#include <stdlib.h>
#include <string.h>
#include "halo.h"
#include "halo_math.h"
#include "tap.h"

enum { NT = 7, NE = 4, NB = NT * NE };

static void occ_support(const double *v, int64_t stride, int ninner, int64_t first[], int64_t last[])
{
    for (int k = 0; k < ninner; k++) first[k] = (int64_t)v[2 * k * stride], last[k] = (int64_t)v[(2 * k + 1) * stride];
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void put(void *buf, int dtype, int64_t e, double v)
{
    if (dtype == SD_F32) ((float *)buf)[e] = (float)v;
    else ((double *)buf)[e] = v;
}

/* Every cell of the padded tile (ghosts too): a random bin box or none (one cell in `empty_every`),
 * values non-zero inside it and zero outside; occ says the box. empty_every 1: all empty. */
static void fill_cells(const sd_halo_geom *g, const sd_halo_geom *sg, void *psi, double *occ, int empty_every)
{
    const int64_t h = g->h;
    for (int64_t j = -h; j < g->n[1] + h; j++)
        for (int64_t i = -h; i < g->n[0] + h; i++) {
            int64_t t0 = NT, t1 = -1, e0 = NE, e1 = -1;
            if (next() % (uint64_t)empty_every) {
                t0 = (int64_t)(next() % NT), t1 = t0 + (int64_t)(next() % (NT - t0));
                e0 = (int64_t)(next() % NE), e1 = e0 + (int64_t)(next() % (NE - e0));
            }
            const double box[4] = {(double)t0, (double)t1, (double)e0, (double)e1};
            for (int c = 0; c < 4; c++) occ[sd_halo_at(sg, i, j, 0, c)] = box[c];
            for (int c = 0; c < NB; c++) {
                const int64_t t = c % NT, e = c / NT;
                const int in = t >= t0 && t <= t1 && e >= e0 && e <= e1;
                put(psi, g->dtype, sd_halo_at(g, i, j, 0, c), in ? 0.5 + (double)(next() % 1000) : 0.0);
            }
        }
}

static int64_t total_of(const sd_halo_geom *g)
{
    int64_t stride[3], sc, off, total;
    sd_tile_layout(2, g->n, g->h, g->ncomp, stride, &sc, &off, &total);
    return total;
}

static int box_same(const sd_bin_box *a, const sd_bin_box *b)
{
    for (int k = 0; k < SD_MAX_INNER_AXES; k++)
        if (a->first[k] != b->first[k] || a->last[k] != b->last[k]) return 0;
    return 1;
}

/* The ghosts of the axis other than d as a fixed boundary of 0 leaves them: zeros in every bin,
 * and a support of zeros (which would claim bin (0, 0)). */
static void zero_boundary(const sd_halo_geom *g, const sd_halo_geom *sg, void *psi, double *occ, int d)
{
    const int a = 1 - d;
    for (int64_t j = -g->h; j < g->n[1] + g->h; j++)
        for (int64_t i = -g->h; i < g->n[0] + g->h; i++) {
            const int64_t q = a == 0 ? i : j;
            if (q >= 0 && q < g->n[a]) continue;
            for (int c = 0; c < 4; c++) occ[sd_halo_at(sg, i, j, 0, c)] = 0;
            for (int c = 0; c < NB; c++) put(psi, g->dtype, sd_halo_at(g, i, j, 0, c), 0.0);
        }
}

static void one_case(int dtype, int box, int h, int held_known, int empty_every, int zero_sides)
{
    const size_t es = sd_dtype_size(dtype);
    const int64_t n[3] = {5, 4, 1};
    sd_halo_geom g, sg;
    sd_halo_geom_make(&g, 2, n, h, NB, dtype);
    sd_halo_geom_make(&sg, 2, n, h, 4, SD_F64);
    g.box = sg.box = box;
    const int64_t total = total_of(&g), stotal = total_of(&sg);
    char *a = calloc(total, es), *b = calloc(total, es), *ref = calloc(total, es);
    double *occ_a = calloc(stotal, sizeof(double)), *occ_b = calloc(stotal, sizeof(double));
    int bad_bytes = 0, bad_box = 0, bad_size = 0, cases = 0;
    for (int d = 0; d < 2; d++)
        for (int side = 0; side < 2; side++) {
            fill_cells(&g, &sg, a, occ_a, empty_every);
            fill_cells(&g, &sg, b, occ_b, 3); /* the receiver's own values, stale ghosts included */
            if (zero_sides) {
                zero_boundary(&g, &sg, a, occ_a, d);
                zero_boundary(&g, &sg, b, occ_b, d);
            }
            /* what the receiver's ghosts may hold: the union of its own support there (known), or any */
            sd_bin_box held, sbox, rbox;
            sd_bin_box_full(&held, 2, (int64_t[]){NT, NE});
            sd_halo_support own = {.geom = &sg, .tile = occ_b, .fn = occ_support, .bins = held};
            if (zero_sides) own.zero_sides[1 - d] = 3;
            if (held_known) sd_halo_support_box(&g, &own, d, sd_halo_unpack_first(&g, d, 1 - side), &held);
            /* the support's exchange: a dense one, as the runtime does first */
            void *sface = malloc(sd_face_count(&sg, d) * sizeof(double));
            sd_halo_pack(&sg, occ_a, d, side, sface);
            sd_halo_unpack(&sg, occ_b, d, 1 - side, sface);
            free(sface);
            /* the dense reference */
            void *dface = malloc(sd_face_count(&g, d) * es), *face = malloc(sd_face_count(&g, d) * es);
            memcpy(ref, b, total * es);
            sd_halo_pack(&g, a, d, side, dface);
            sd_halo_unpack(&g, ref, d, 1 - side, dface);
            sd_halo_support sa = {.geom = &sg, .tile = occ_a, .fn = occ_support}, sb;
            sd_bin_box_full(&sa.bins, 2, (int64_t[]){NT, NE});
            if (zero_sides) sa.zero_sides[1 - d] = 3;
            sb = sa;
            sb.tile = occ_b;
            memset(face, 0xA5, sd_face_count(&g, d) * es);
            sd_halo_pack_sparse(&g, a, d, side, &sa, face);
            sd_halo_support_box(&g, &sa, d, sd_halo_pack_first(&g, d, side), &sbox);
            sd_halo_unpack_sparse(&g, b, d, 1 - side, &sb, held_known ? &held : NULL, &rbox, face);
            bad_box += !box_same(&sbox, &rbox);
            /* nothing but zero boundaries' ghosts and empty cells: no bin at all */
            bad_box += empty_every == 1 && zero_sides && rbox.first[0] <= rbox.last[0] && rbox.first[1] <= rbox.last[1];
            bad_bytes += memcmp(ref, b, total * es) != 0;
            /* the face holds the box's bins only: the bytes after them are as they were */
            int64_t lo[3], ext[3];
            sd_halo_region(&g, d, 0, lo, ext);
            int64_t nbins = 1;
            for (int k = 0; k < 2; k++) nbins *= rbox.last[k] >= rbox.first[k] ? rbox.last[k] - rbox.first[k] + 1 : 0;
            const size_t used = (size_t)(ext[0] * ext[1] * nbins) * es, all = (size_t)sd_face_count(&g, d) * es;
            for (size_t k = used; k < all; k++) bad_size += ((unsigned char *)face)[k] != 0xA5;
            free(dface);
            free(face);
            cases++;
        }
    ok(!bad_bytes && !bad_box && !bad_size,
       "%s, %s, halo %d, stale bins %s, %s: %d faces, sparse == dense bytewise (%d differ), the same box on both sides "
       "(%d differ), only the box's bins in the face (%d bytes past them written)%s",
       dtype == SD_F32 ? "f32" : "f64", box ? "full box" : "faces", h, held_known ? "known" : "unknown",
       empty_every == 1 ? "every sender cell empty" : "random boxes", cases, bad_bytes, bad_box, bad_size,
       zero_sides ? "; the other axis' sides fixed at 0, left out of the bounds" : "");
    free(a);
    free(b);
    free(ref);
    free(occ_a);
    free(occ_b);
}

int main(void)
{
    const int dtypes[2] = {SD_F32, SD_F64};
    for (int di = 0; di < 2; di++)
        for (int box = 0; box < 2; box++)
            for (int h = 1; h <= 2; h++)
                for (int known = 0; known < 2; known++) {
                    for (int zs = 0; zs < 2; zs++) {
                        one_case(dtypes[di], box, h, known, 4, zs);
                        one_case(dtypes[di], box, h, known, 1, zs);
                    }
                }
    return tap_done();
}
