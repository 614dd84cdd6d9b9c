/* t_halo.c - tiling and halo exchange without StarPU: the expansion's pack/unpack tasks are run
 * in order by a tiny sequential executor, then every ghost cell of every tile is compared with
 * what the boundary kind demands of the global field: face ghosts of star fields (whose edges and
 * corners must stay untouched), and faces, edges and corners of full-box fields. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "grid_expand.h"
#include "halo.h"
#include "halo_math.h"
#include "tap.h"

typedef struct exec {
    const sd_graph *g;
    const sd_tiling *t;
    sd_halo_geom *hg;    /* per tile (one field) */
    double **tile[2];    /* [buffer][tile] */
    double ***face[2];   /* [buffer][tile][face] */
    int npack, nunpack;
    int last_axis;       /* full-box rounds: the axis of the last unpack, to check their order */
    int bad_order;
    double k;            /* Mur coefficient */
} exec;

static void run_task(void *ctx, const sd_task *t)
{
    exec *x = ctx;
    const sd_halo_geom *g = &x->hg[t->tile];
    if (t->kind == SD_TASK_PACK) {
        x->npack++;
        for (int i = 1; i < t->nh; i++)
            sd_halo_pack(g, x->tile[t->buf][t->tile], t->h[i].c / 2, t->h[i].c % 2, x->face[t->buf][t->tile][t->h[i].c]);
        return;
    }
    if (t->kind != SD_TASK_UNPACK) return;
    x->nunpack++;
    if (t->box && t->axis < x->last_axis) x->bad_order++; /* rounds x, y, z in this order */
    x->last_axis = t->box ? t->axis : 0;
    int hi = 1;
    for (int d = t->box ? t->axis : 0; d < (t->box ? t->axis + 1 : x->t->ndim); d++)
        for (int s = 0; s < 2; s++) {
            int nb = sd_tile_neighbor(x->t, t->tile, d, s);
            if (nb == t->tile) {
                sd_halo_wrap(g, x->tile[t->buf][t->tile], d, s);
                continue;
            }
            if (nb >= 0) {
                const sd_href *h = &t->h[hi++];
                if (h->b != nb || h->c != 2 * d + 1 - s) diag("unpack of tile %d reads the wrong face", t->tile);
                sd_halo_unpack(g, x->tile[t->buf][t->tile], d, s, x->face[t->buf][nb][h->c]);
                continue;
            }
            switch (x->t->bc[d]) {
            case SD_BC_REFLECTIVE: sd_halo_reflect(g, x->tile[t->buf][t->tile], d, s); break;
            case SD_BC_FIXED: sd_halo_fixed(g, x->tile[t->buf][t->tile], d, s, x->g->domain.bc_value[d]); break;
            default:
                sd_halo_absorb(g, x->tile[t->buf][t->tile], t->old_buf >= 0 ? x->tile[t->old_buf][t->tile] : NULL, d, s, x->k);
            }
        }
}

static double gval(int64_t i, int64_t j, int64_t k, int lvl) { return 1000.0 * lvl + i + 37.0 * j + 1371.0 * k + 0.25; }

static double expect(const sd_graph *g, const int64_t p[3], int d, double k, int lvl, int have_old);

/* The value the boundary kinds give global cell p, whatever axes are out of range: a full-box
 * exchange resolves the axes in rounds x, y, z, so the highest axis out of range decides first
 * (the cells it copies or mirrors from may still lie out of range along lower axes). */
static double image(const sd_graph *g, const int64_t p[3], double k, int lvl, int have_old)
{
    int d = -1;
    for (int a = 0; a < g->domain.ndim; a++)
        if (p[a] < 0 || p[a] >= g->domain.shape[a]) d = a;
    return d < 0 ? gval(p[0], p[1], p[2], lvl) : expect(g, p, d, k, lvl, have_old);
}

/* Expected ghost value at global index p out of range along axis d (and along no higher axis). */
static double expect(const sd_graph *g, const int64_t p[3], int d, double k, int lvl, int have_old)
{
    int64_t n = g->domain.shape[d], q[3] = {p[0], p[1], p[2]};
    int low = p[d] < 0;
    int64_t m = low ? -1 - p[d] : p[d] - n; /* ghost layer */
    switch (g->domain.bc[d]) {
    case SD_BC_PERIODIC: q[d] = (p[d] + n) % n; return image(g, q, k, lvl, have_old);
    case SD_BC_REFLECTIVE: q[d] = low ? m : n - 1 - m; return image(g, q, k, lvl, have_old);
    case SD_BC_FIXED: return g->domain.bc_value[d];
    default: {
        /* layer by layer: g_new[m] = in_old[m] + k (in_new[m] - g_old[m]) */
        int64_t in[3] = {p[0], p[1], p[2]};
        in[d] = low ? p[d] + 1 : p[d] - 1;
        if (!have_old) return image(g, in, k, lvl, 0);
        double in_new = image(g, in, k, lvl, 1);
        double in_old = in[d] >= 0 && in[d] < n ? gval(in[0], in[1], in[2], lvl - 1) : -5.0; /* old ghosts hold -5 */
        return in_old + k * (in_new - (-5.0));
    }
    }
}

/* Every cell of the padded tile tl outside its interior (faces, edges, corners) against the image
 * of the global field (box), or: face ghosts against it, edge and corner ghosts still -5 (star).
 * Returns the number of wrong cells. */
static int check_all_ghosts(const exec *x, const sd_graph *g, int tl, int lvl, int box)
{
    const sd_halo_geom *hg = &x->hg[tl];
    const int h = hg->h, ndim = g->domain.ndim;
    int64_t o[3], n[3], lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
    int bad = 0;
    sd_tile_box(x->t, tl, o, n);
    for (int d = 0; d < ndim; d++) lo[d] = -h, hi[d] = n[d] + h;
    for (int64_t k = lo[2]; k < hi[2]; k++)
        for (int64_t j = lo[1]; j < hi[1]; j++)
            for (int64_t i = lo[0]; i < hi[0]; i++) {
                const int64_t l[3] = {i, j, k}, gp[3] = {o[0] + i, o[1] + j, o[2] + k};
                int outside = 0;
                for (int d = 0; d < ndim; d++) outside += l[d] < 0 || l[d] >= n[d];
                if (!outside) continue;
                double want = box || outside == 1 ? image(g, gp, x->k, lvl, lvl > 0) : -5.0;
                double got = x->tile[lvl][tl][hg->off + i + j * hg->sy + k * hg->sz];
                if (got != want && bad++ < 3)
                    diag("%s tile %d ghost (%lld,%lld,%lld) = global (%lld,%lld,%lld), %d axes out: got %g want %g",
                         box ? "box" : "star", tl, (long long)i, (long long)j, (long long)k, (long long)gp[0],
                         (long long)gp[1], (long long)gp[2], outside, got, want);
            }
    return bad;
}

static void one_case_ex(int ndim, const int64_t shape[3], const sd_bc bc[3], const int64_t tshape[3], int h, int box)
{
    sd_graph g;
    memset(&g, 0, sizeof g);
    g.domain.ndim = ndim;
    for (int d = 0; d < 3; d++) {
        g.domain.shape[d] = d < ndim ? shape[d] : 1;
        g.domain.spacing[d] = 1;
        g.domain.bc[d] = bc[d];
        g.domain.bc_value[d] = 7.5 + d;
    }
    sd_gfield f = {.name = "E", .dtype = SD_F64, .ncomp = 1, .nlevels = 2, .halo = h, .box = box};
    /* the level read: 1 (level 0 is the previous one, for absorbing sides); a full-box field on a
     * grid with an absorbing axis reads level 0, which has none (graphs refuse both) */
    int lvl = 1;
    for (int d = 0; d < ndim; d++)
        if (box && bc[d] == SD_BC_ABSORBING) lvl = 0;
    g.nfields = 1;
    g.fields = &f;
    sd_tiling t;
    char err[256];
    if (!ok(sd_tiling_make(&t, &g.domain, tshape, h, err, sizeof err) == 0, "tiling %dD made", ndim)) return;
    sd_plan p;
    sd_plan_make(&p, &g, &t);
    exec x = {.g = &g, .t = &t, .k = 0.3};
    x.hg = calloc(t.ntiles, sizeof *x.hg);
    int64_t covered = 0;
    for (int b = 0; b < 2; b++) {
        x.tile[b] = calloc(t.ntiles, sizeof(double *));
        x.face[b] = calloc(t.ntiles, sizeof(double **));
    }
    for (int tl = 0; tl < t.ntiles; tl++) {
        int64_t o[3], n[3], st[3], sy, sz, sc, off, total;
        sd_tile_box(&t, tl, o, n);
        covered += n[0] * n[1] * n[2];
        sd_halo_geom_make(&x.hg[tl], ndim, n, h, 1, SD_F64);
        x.hg[tl].box = box;
        sd_tile_layout(ndim, n, h, 1, st, &sc, &off, &total);
        sy = st[1], sz = st[2];
        for (int b = 0; b < 2; b++) {
            x.tile[b][tl] = malloc(total * sizeof(double));
            for (int64_t q = 0; q < total; q++) x.tile[b][tl][q] = -5.0; /* ghosts of the old level */
            for (int64_t k = 0; k < n[2]; k++)
                for (int64_t j = 0; j < n[1]; j++)
                    for (int64_t i = 0; i < n[0]; i++)
                        x.tile[b][tl][off + i + j * sy + k * sz] = gval(o[0] + i, o[1] + j, o[2] + k, b);
            x.face[b][tl] = calloc(6, sizeof(double *));
            for (int fc = 0; fc < 6; fc++) x.face[b][tl][fc] = malloc(sd_face_count(&x.hg[tl], fc / 2) * sizeof(double) + 8);
        }
    }
    ok(covered == g.domain.shape[0] * g.domain.shape[1] * g.domain.shape[2], "tiles cover the grid exactly");
    /* A stencil op reading level 1 triggers its exchange (level 0 is "old" for absorbing sides). */
    sd_codelet cl = {.name = "t.stencil", .pattern = SD_STENCIL, .nroles = 2,
                     .roles = {{.name = "in", .mode = SD_READ, .halo = h, .box = box}, {.name = "out", .mode = SD_WRITE}}};
    sd_gop op = {.cl = &cl, .every = 1};
    op.bind[0] = (sd_binding){.index = 0, .level = lvl, .halo = h, .mode = SD_READ};
    op.bind[1] = (sd_binding){.index = 0, .level = 1 - lvl, .mode = SD_WRITE};
    /* writes level 0 only after reading level 1: fine for the test, only halo tasks execute */
    g.nstep = 1;
    g.step = &op;
    sd_plan_step(&p, 1, run_task, &x);
    int bad = 0, bad_all = 0;
    for (int tl = 0; tl < t.ntiles; tl++) {
        int64_t o[3], n[3], st[3], sy, sz, sc, off, total;
        sd_tile_box(&t, tl, o, n);
        sd_tile_layout(ndim, n, h, 1, st, &sc, &off, &total);
        sy = st[1], sz = st[2];
        bad_all += check_all_ghosts(&x, &g, tl, lvl, box);
        for (int d = 0; d < (lvl == 1 ? ndim : 0); d++) /* face ghosts of the level read */
            for (int s = 0; s < 2; s++)
                for (int64_t m = 0; m < h; m++) {
                    int64_t ext[3] = {n[0], n[1], n[2]};
                    ext[d] = 1;
                    for (int64_t k = 0; k < ext[2]; k++)
                        for (int64_t j = 0; j < ext[1]; j++)
                            for (int64_t i = 0; i < ext[0]; i++) {
                                int64_t l[3] = {i, j, k};
                                l[d] = s ? n[d] + m : -1 - m;
                                int64_t gp[3] = {o[0] + l[0], o[1] + l[1], o[2] + l[2]};
                                double want;
                                if (gp[d] >= 0 && gp[d] < g.domain.shape[d]) want = gval(gp[0], gp[1], gp[2], 1);
                                else want = expect(&g, gp, d, x.k, 1, 1);
                                double got = x.tile[1][tl][off + l[0] + l[1] * sy + l[2] * sz];
                                if (got != want && bad++ < 3)
                                    diag("tile %d axis %d side %d layer %lld at (%lld,%lld,%lld): got %g want %g", tl, d, s,
                                         (long long)m, (long long)gp[0], (long long)gp[1], (long long)gp[2], got, want);
                            }
                }
    }
    static const char *bcn[] = {"periodic", "reflective", "absorbing", "fixed"};
    if (!box) {
        ok(!bad, "%dD %lldx%lldx%lld in %d tiles, halo %d, bc %s/%s/%s: every ghost cell right", ndim,
           (long long)g.domain.shape[0], (long long)g.domain.shape[1], (long long)g.domain.shape[2], t.ntiles, h,
           bcn[bc[0]], bcn[bc[1]], bcn[bc[2]]);
        ok(x.nunpack == t.ntiles, "one unpack task per tile (%d)", x.nunpack);
        ok(!bad_all, "star field: edge and corner ghosts left alone");
    } else {
        int packs = 0; /* per axis, the tiles with a face buffer on it */
        for (int d = 0; d < ndim; d++)
            for (int tl = 0; tl < t.ntiles; tl++) {
                int nb0 = sd_tile_neighbor(&t, tl, d, 0), nb1 = sd_tile_neighbor(&t, tl, d, 1);
                packs += (nb0 >= 0 && nb0 != tl) || (nb1 >= 0 && nb1 != tl);
            }
        ok(!bad && !bad_all, "full box, %dD %lldx%lldx%lld in %d tiles (%dx%dx%d), halo %d, bc %s/%s/%s, level %d: every "
           "ghost cell right (faces, edges, corners)", ndim, (long long)g.domain.shape[0], (long long)g.domain.shape[1],
           (long long)g.domain.shape[2], t.ntiles, t.nt[0], t.nt[1], t.nt[2], h, bcn[bc[0]], bcn[bc[1]], bcn[bc[2]], lvl);
        ok(x.nunpack == ndim * t.ntiles && x.npack == packs && !x.bad_order,
           "one unpack per tile and axis (%d), one pack per tile and axis with faces (%d of %d), rounds x, y, z in order",
           x.nunpack, x.npack, packs);
    }
    for (int b = 0; b < 2; b++) {
        for (int tl = 0; tl < t.ntiles; tl++) {
            free(x.tile[b][tl]);
            for (int fc = 0; fc < 6; fc++) free(x.face[b][tl][fc]);
            free(x.face[b][tl]);
        }
        free(x.tile[b]);
        free(x.face[b]);
    }
    free(x.hg);
    sd_plan_free(&p);
    sd_tiling_free(&t);
}

static void one_case(int ndim, const int64_t shape[3], const sd_bc bc[3], const int64_t tshape[3], int h)
{
    one_case_ex(ndim, shape, bc, tshape, h, 0);
}

static void box_case(int ndim, const int64_t shape[3], const sd_bc bc[3], const int64_t tshape[3], int h)
{
    one_case_ex(ndim, shape, bc, tshape, h, 1);
}

/* Many components (a field on bins) in f64 and f32, with rows of every length the copies special-
 * case (x faces: h elements per row; y faces: the x extent): pack -> unpack must move exactly the
 * face elements, bit for bit, and fixed must leave every ghost of its layers holding the value's
 * bits (garbage, -0 and NaN before) without touching anything else. */
static void check_bins_kernels(int dtype)
{
    const size_t es = sd_dtype_size(dtype);
    const char *ty = dtype == SD_F32 ? "f32" : "f64";
    for (int box = 0; box < 2; box++)
        for (int64_t nx = 3; nx <= 12; nx += 9) {
            sd_halo_geom g;
            sd_halo_geom_make(&g, 2, (int64_t[]){nx, 4, 1}, 2, 5, dtype);
            g.box = box;
            int64_t stride[3], sc, off, total;
            sd_tile_layout(2, g.n, g.h, g.ncomp, stride, &sc, &off, &total);
            unsigned char *a = malloc(total * es), *b = malloc(total * es), *ref = malloc(total * es);
            for (int64_t i = 0; i < (int64_t)(total * es); i++) a[i] = (unsigned char)(i * 131 + 7), b[i] = (unsigned char)(i * 29 + 3);
            int bad = 0;
            for (int d = 0; d < 2; d++)
                for (int side = 0; side < 2; side++) {
                    void *face = malloc(sd_face_count(&g, d) * es);
                    memcpy(ref, b, total * es);
                    sd_halo_pack(&g, a, d, side, face);
                    sd_halo_unpack(&g, b, d, 1 - side, face);
                    int64_t lo[3], ext[3], plo[3], pext[3];
                    sd_halo_region(&g, d, sd_halo_unpack_first(&g, d, 1 - side), lo, ext);
                    sd_halo_region(&g, d, sd_halo_pack_first(&g, d, side), plo, pext);
                    for (int c = 0; c < g.ncomp; c++)
                        for (int64_t j = 0; j < ext[1]; j++)
                            for (int64_t i = 0; i < ext[0]; i++) {
                                int64_t to = sd_halo_at(&g, lo[0] + i, lo[1] + j, 0, c), from = sd_halo_at(&g, plo[0] + i, plo[1] + j, 0, c);
                                memcpy(ref + to * es, a + from * es, es);
                            }
                    bad += memcmp(ref, b, total * es) != 0;
                    free(face);
                    /* fixed over garbage: -0 and NaN in the ghosts must become the value's bits */
                    for (int64_t e = 0; e < total; e++) {
                        if (e % 3 == 0) {
                            if (dtype == SD_F32) ((float *)b)[e] = e % 2 ? -0.0f : NAN;
                            else ((double *)b)[e] = e % 2 ? -0.0 : NAN;
                        }
                    }
                    memcpy(ref, b, total * es);
                    for (int pass = 0; pass < 2; pass++) sd_halo_fixed(&g, b, d, side, 0.0);
                    for (int64_t m = 0; m < g.h; m++) {
                        sd_halo_region(&g, d, sd_halo_ghost_layer(&g, d, side, m), lo, ext);
                        ext[d] = 1;
                        for (int c = 0; c < g.ncomp; c++)
                            for (int64_t j = 0; j < ext[1]; j++)
                                for (int64_t i = 0; i < ext[0]; i++) memset(ref + sd_halo_at(&g, lo[0] + i, lo[1] + j, 0, c) * es, 0, es);
                    }
                    bad += memcmp(ref, b, total * es) != 0;
                }
            ok(bad == 0, "%s, 5 components, %lldx4, halo 2, %s: pack/unpack move the face bits exactly, fixed writes +0 over -0/NaN only in its ghosts",
               ty, (long long)nx, box ? "full box" : "faces");
            free(a);
            free(b);
            free(ref);
        }
}

/* sd_halo_wrap_rows (the unpack's x wrap: both sides, every layer, one pass with prefetches) must
 * leave every byte as the two per-side sd_halo_wrap calls do: faces and full-box regions, h 1-3,
 * 1 and 3 components, x extents down to h, enough rows for the prefetch distance. */
static void check_wrap_rows(int dtype)
{
    const size_t es = sd_dtype_size(dtype);
    int bad = 0, cases = 0;
    for (int box = 0; box < 2; box++)
        for (int h = 1; h <= 3; h++)
            for (int ncomp = 1; ncomp <= 3; ncomp += 2)
                for (int64_t nx = h; nx <= 9; nx += 8 - h) {
                    sd_halo_geom g;
                    sd_halo_geom_make(&g, 3, (int64_t[]){nx, 21, 3}, h, ncomp, dtype);
                    g.box = box;
                    int64_t stride[3], sc, off, total;
                    sd_tile_layout(3, g.n, g.h, g.ncomp, stride, &sc, &off, &total);
                    unsigned char *a = malloc(total * es), *b = malloc(total * es);
                    for (int64_t i = 0; i < (int64_t)(total * es); i++) a[i] = (unsigned char)(i * 131 + 7);
                    memcpy(b, a, total * es);
                    sd_halo_wrap(&g, a, 0, 0);
                    sd_halo_wrap(&g, a, 0, 1);
                    sd_halo_wrap_rows(&g, b);
                    bad += memcmp(a, b, total * es) != 0;
                    cases++;
                    free(a);
                    free(b);
                }
    ok(bad == 0, "%s: the one-pass x wrap writes the bytes of the two per-side wraps (%d geometries, %d differ)",
       dtype == SD_F32 ? "f32" : "f64", cases, bad);
}

int main(void)
{
    const sd_bc P = SD_BC_PERIODIC, R = SD_BC_REFLECTIVE, A = SD_BC_ABSORBING, F = SD_BC_FIXED;
    one_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){3, 2, 4}, 1);
    one_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){R, F, A}, (int64_t[]){4, 3, 5}, 1);
    one_case(3, (int64_t[]){9, 7, 11}, (sd_bc[]){A, R, F}, (int64_t[]){4, 3, 5}, 2);
    one_case(3, (int64_t[]){5, 4, 6}, (sd_bc[]){P, R, P}, (int64_t[]){5, 4, 6}, 2); /* one tile: periodic self-neighbour */
    one_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){8, 6, 3}, 2);  /* z slabs: x, y wrap in place */
    one_case(2, (int64_t[]){12, 10, 1}, (sd_bc[]){F, P, P}, (int64_t[]){5, 3, 1}, 2);
    one_case(1, (int64_t[]){17, 1, 1}, (sd_bc[]){A, P, P}, (int64_t[]){4, 1, 1}, 1);
    one_case(1, (int64_t[]){17, 1, 1}, (sd_bc[]){P, P, P}, (int64_t[]){3, 1, 1}, 3);

    /* full box: edges and corners too (tile extents as thin as the halo, single-tile periodic axes
     * that wrap in place, two tiles on a periodic axis: each is both neighbours of the other) */
    box_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){3, 2, 4}, 1);
    box_case(3, (int64_t[]){4, 3, 5}, (sd_bc[]){P, P, P}, (int64_t[]){1, 1, 1}, 1);   /* 60 one-cell tiles */
    box_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){2, 2, 2}, 2);  /* 2-cell tiles, halo 2 */
    box_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){4, 3, 5}, 2);  /* 2 tiles per axis */
    box_case(3, (int64_t[]){5, 4, 6}, (sd_bc[]){P, P, P}, (int64_t[]){5, 4, 6}, 2);   /* one tile: every axis wraps */
    box_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){8, 6, 3}, 2);  /* z slabs 3,3,2,2 */
    box_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){8, 2, 10}, 2); /* only y tiled */
    box_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){P, P, P}, (int64_t[]){3, 6, 10}, 1); /* only x tiled */
    box_case(3, (int64_t[]){9, 7, 11}, (sd_bc[]){R, F, P}, (int64_t[]){4, 3, 5}, 2);
    box_case(3, (int64_t[]){9, 7, 11}, (sd_bc[]){F, P, R}, (int64_t[]){9, 2, 3}, 2);
    box_case(3, (int64_t[]){6, 5, 4}, (sd_bc[]){R, R, F}, (int64_t[]){6, 5, 4}, 1);   /* one tile, no periodic axis */
    /* absorbing without a previous level (the edge copied outwards): graphs refuse full-box
     * stencils on absorbing grids, but the kernels walk the same regions */
    box_case(3, (int64_t[]){8, 6, 10}, (sd_bc[]){A, P, F}, (int64_t[]){3, 2, 4}, 1);
    box_case(3, (int64_t[]){9, 7, 11}, (sd_bc[]){P, R, A}, (int64_t[]){4, 7, 3}, 2);
    box_case(2, (int64_t[]){12, 10, 1}, (sd_bc[]){F, P, P}, (int64_t[]){5, 3, 1}, 2);
    box_case(2, (int64_t[]){12, 10, 1}, (sd_bc[]){P, P, P}, (int64_t[]){12, 2, 1}, 2); /* x wraps, y thin */
    box_case(2, (int64_t[]){6, 5, 1}, (sd_bc[]){P, P, P}, (int64_t[]){1, 1, 1}, 1);    /* 30 one-cell tiles */
    box_case(2, (int64_t[]){7, 9, 1}, (sd_bc[]){R, P, P}, (int64_t[]){2, 9, 1}, 2);    /* y wraps in place */
    box_case(1, (int64_t[]){17, 1, 1}, (sd_bc[]){P, P, P}, (int64_t[]){3, 1, 1}, 3);

    /* tiling: balanced split, neighbours, auto heuristic */
    sd_domain dom = {.kind = SD_DOMAIN_GRID, .ndim = 3, .shape = {10, 10, 10}, .spacing = {1, 1, 1},
                     .bc = {SD_BC_PERIODIC, SD_BC_REFLECTIVE, SD_BC_PERIODIC}};
    sd_tiling t;
    char err[256];
    sd_tiling_make(&t, &dom, (int64_t[]){4, 10, 3}, 1, err, sizeof err);
    ok(t.nt[0] == 3 && t.nt[1] == 1 && t.nt[2] == 4, "ceil(10/4)=3 x 1 x ceil(10/3)=4 tiles");
    int64_t o[3], n[3];
    sd_tile_box(&t, 2, o, n);
    ok(o[0] == 6 && n[0] == 4, "balanced extents along x (3,3,4): last tile starts at 6, 4 wide");
    ok(sd_tile_neighbor(&t, 0, 0, 0) == 2, "periodic x wraps to the last tile");
    ok(sd_tile_neighbor(&t, 0, 1, 0) == -1 && sd_tile_neighbor(&t, 0, 1, 1) == -1, "reflective y has no neighbour");
    sd_tiling_free(&t);
    ok(sd_tiling_make(&t, &dom, (int64_t[]){1, 1, 1}, 3, err, sizeof err) == 0 && t.nt[0] == 3,
       "tiles never thinner than the halo (10 cells, halo 3 -> 3 tiles)");
    sd_tiling_free(&t);
    sd_domain big = {.ndim = 3, .shape = {128, 128, 128}};
    int64_t ts[3];
    sd_tiling_auto(&big, 2, 0, 1, 0, ts);
    ok(ts[0] == 128 && ts[1] == 128 && ts[2] == 64, "auto tiles at 128^3 with 2 workers: one 128x128x64 slab each (%lldx%lldx%lld)",
       (long long)ts[0], (long long)ts[1], (long long)ts[2]);
    sd_tiling_auto(&big, 2, 0, 8, 1, ts);
    ok(ts[0] == 128 && ts[1] == 64 && ts[2] == 128,
       "fused steps (ghost width 8), 2 workers: z, the axis a fused task sweeps, kept whole, y cut (%lldx%lldx%lld)",
       (long long)ts[0], (long long)ts[1], (long long)ts[2]);
    sd_tiling_auto(&big, 16, 0, 8, 1, ts);
    ok(ts[0] == 32 && ts[1] == 32 && ts[2] == 128,
       "... 16 workers: y, then x cut into 4 (no thinner than 4 ghost widths), z whole (%lldx%lldx%lld)",
       (long long)ts[0], (long long)ts[1], (long long)ts[2]);
    sd_tiling_auto(&big, 16, 0, 1, 0, ts);
    ok(ts[0] == 128 && ts[1] == 64 && ts[2] == 16,
       "16 workers at 128^3: 8 slabs of 16 planes (no thinner), each cut in two along y (%lldx%lldx%lld)",
       (long long)ts[0], (long long)ts[1], (long long)ts[2]);
    sd_tiling_auto(&big, 16, 0, 2, 0, ts);
    ok(ts[1] == 64 && ts[2] == 16, "order 4 (halo 2) likewise: 16 planes are 8 halo widths (%lldx%lld)", (long long)ts[1],
       (long long)ts[2]);
    sd_tiling_auto(&big, 16, 0, 5, 0, ts);
    ok(ts[2] == 22 && ts[1] == 43, "halo 5: slabs of >= 20 planes (6 of 22), each cut in three (%lldx%lld)",
       (long long)ts[1], (long long)ts[2]);
    sd_domain small = {.ndim = 3, .shape = {16, 16, 16}};
    sd_tiling_auto(&small, 4, 0, 1, 0, ts);
    ok(ts[2] == 16, "auto keeps a 16^3 grid whole (tasks would be too small)");
    /* with GPUs: one tile per GPU, more only past 2^27 values a tile */
    sd_domain g256 = {.ndim = 3, .shape = {256, 256, 256}};
    sd_tiling_auto(&g256, 16, 1, 1, 0, ts);
    ok(ts[0] == 256 && ts[1] == 256 && ts[2] == 256, "auto at 256^3, 16 cores + 1 GPU: one tile (%lldx%lldx%lld)",
       (long long)ts[0], (long long)ts[1], (long long)ts[2]);
    sd_tiling_auto(&g256, 16, 2, 1, 0, ts);
    ok(ts[2] == 128, "... with 2 GPUs: one slab each (%lld)", (long long)ts[2]);
    sd_domain g1024 = {.ndim = 3, .shape = {1024, 1024, 1024}};
    sd_tiling_auto(&g1024, 16, 1, 1, 0, ts);
    ok(ts[0] * ts[1] * ts[2] <= (int64_t)1 << 27 && ts[2] == 128,
       "auto at 1024^3 with a GPU: 8 slabs of 2^27 cells, not one of 8 GiB a field (%lldx%lldx%lld)", (long long)ts[0],
       (long long)ts[1], (long long)ts[2]);
    sd_tiling_auto(&big, 16, 1, 1, 0, ts);
    ok(ts[2] == 128, "auto at 128^3 with a GPU: one tile (%lld)", (long long)ts[2]);
    sd_tiling_auto(&small, 16, 1, 1, 0, ts);
    ok(ts[2] == 16, "auto with a GPU keeps a 16^3 grid whole");
    /* phase-space grids: the floor counts values (cells x bins), so bins fields get tiles for the workers */
    sd_domain pencil = {.ndim = 2, .shape = {41, 90}, .ninner = 2};
    pencil.inner[0].count = 72;
    pencil.inner[1].count = 200;
    sd_tiling_auto(&pencil, 2, 0, 1, 0, ts);
    ok(ts[0] == 41 && ts[1] == 45, "auto at 41x90 cells of 72x200 bins, 2 workers: one slab of 41x45 per worker (%lldx%lld)",
       (long long)ts[0], (long long)ts[1]);
    sd_tiling_auto(&pencil, 16, 1, 1, 0, ts);
    ok(ts[0] == 41 && ts[1] == 90, "with a GPU: one tile of 41x90 cells, 53M values (%lldx%lld)", (long long)ts[0], (long long)ts[1]);
    sd_domain plain = {.ndim = 2, .shape = {41, 90}};
    sd_tiling_auto(&plain, 2, 0, 1, 0, ts);
    ok(ts[0] == 41 && ts[1] == 90, "the same grid without inner axes stays one tile (3690 cells)");
    sd_domain few = {.ndim = 2, .shape = {41, 90}, .ninner = 1};
    few.inner[0].count = 4;
    sd_tiling_auto(&few, 2, 0, 1, 0, ts);
    ok(ts[1] == 90, "4 bins per cell (14760 values) stay one tile too");
    check_bins_kernels(SD_F64);
    check_bins_kernels(SD_F32);
    check_wrap_rows(SD_F64);
    check_wrap_rows(SD_F32);
    return tap_done();
}
