/* t_pexport.c - ghost exports (runtime/dm/particles_export.c) without StarPU. A block on another
 * rank than its neighbour reads that neighbour's ghosts from its export buffers: the same values,
 * so every ghost must be bitwise what the plain path (whole position buffers, no ranks) gives.
 * Random particles (seeded) in an 8x8x9-cell box cut into 3 (slabs), 8, 12 and 27 blocks, under
 * four rank maps: exported cells against a brute-force search; the serial rebuild with ranks
 * against the one without; ghosts and lists from packed exports against the plain ones, after a
 * rebuild and after a positions-only refresh; the parallel rebuild's plans and cell and export
 * starts against the serial one's; a block without export room, named alike by both rebuilds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pblocks.h"

enum { MAXB = 27 }; /* the most blocks cut here */

/* Each particle moves by up to +-a/2 per component, as a function of (id, seed): every copy moves
 * alike whichever block holds the particle. */
static void move(blocks *B, uint64_t seed, double a)
{
    const int64_t ch = B->pg.cap_h;
    for (int k = 0; k < B->pg.nb; k++)
        for (int64_t i = 0; i < B->hdr[k].nh; i++) {
            uint64_t s = seed * 7919u + (uint64_t)B->b[k].id[i] * 2654435761u + 1;
            for (int c = 0; c < 3; c++) B->b[k].fld[0][i + c * ch] += a * (pb_rnd(&s) - 0.5);
        }
}

enum { MAP_EACH, MAP_HALVES, MAP_UNEVEN, MAP_ONE, MAP_COUNT };
static const char *const map_name[MAP_COUNT] = {"every block its own rank", "two ranks in contiguous halves",
                                                "block 0 on rank 0, the rest on rank 1", "all on one rank"};
static void rank_map(int map, int nb, int *rank)
{
    for (int b = 0; b < nb; b++)
        rank[b] = map == MAP_EACH ? b : map == MAP_HALVES ? b >= nb / 2 : map == MAP_UNEVEN ? b > 0 : 0;
}

/* The block of cell c, by scanning the cuts (not sd_pgeom_owner). */
static int brute_owner(const sd_pgeom *pg, const int64_t c[3])
{
    int i[3];
    for (int d = 0; d < 3; d++)
        for (i[d] = 0; c[d] >= pg->cut[d][i[d] + 1]; i[d]++) {}
    return i[0] + pg->nbd[0] * (i[1] + pg->nbd[1] * i[2]);
}

/* Every block's exported cells as a brute-force search finds them (a cell with one of its 26
 * periodic neighbours on another rank), their room; *ncells: exported cells in all. */
static int geometry_ok(const sd_pgeom *pg, const int *rank, int64_t *ncells)
{
    int good = 1;
    int64_t *want = pb_calloc(pg->cap_c, sizeof *want);
    *ncells = 0;
    for (int b = 0; b < pg->nb; b++) {
        int64_t lo[3], hi[3], n = 0, l = 0;
        sd_pgeom_brick(pg, b, lo, hi);
        for (int64_t z = lo[2]; z < hi[2]; z++)
            for (int64_t y = lo[1]; y < hi[1]; y++)
                for (int64_t x = lo[0]; x < hi[0]; x++, l++) {
                    int e = 0;
                    for (int q = 0; q < 27; q++) {
                        const int64_t c[3] = {x + q % 3 - 1, y + q / 3 % 3 - 1, z + q / 9 - 1};
                        int64_t w[3];
                        for (int d = 0; d < 3; d++) w[d] = (c[d] + pg->grid.nc[d]) % pg->grid.nc[d];
                        e |= rank[brute_owner(pg, w)] != rank[b];
                    }
                    if (e) want[n++] = l;
                }
        good &= pg->necell[b] == n && !memcmp(pg->ecell[b], want, sizeof *want * (size_t)n) &&
                (pg->cap_e[b] == 0) == (n == 0) && pg->cap_e[b] <= pg->cap_h;
        *ncells += n;
    }
    free(want);
    return good;
}

/* Every block's export buffers (room for at least one particle: a block may export none). */
typedef struct exports {
    double *x[MAXB];
    int64_t *id[MAXB];
    int32_t *type[MAXB];
} exports;

static void exports_make(exports *E, const sd_pgeom *pg)
{
    for (int o = 0; o < pg->nb; o++) {
        const int64_t ce = pg->cap_e[o] ? pg->cap_e[o] : 1;
        E->x[o] = pb_calloc(3 * ce, sizeof(double)), E->id[o] = pb_calloc(ce, 8), E->type[o] = pb_calloc(ce, 4);
    }
}

static void exports_free(exports *E, int nb)
{
    for (int o = 0; o < nb; o++) free(E->x[o]), free(E->id[o]), free(E->type[o]);
}

/* What the export tasks do: each exporting block's cells into its buffers (ids and types too
 * after a rebuild). */
static void pack_all(const blocks *B, int64_t *const *cs, exports *E, int ids)
{
    for (int o = 0; o < B->pg.nb; o++) {
        if (!B->pg.cap_e[o]) continue;
        const sd_pexport ex = {.cs = cs[o], .x = B->b[o].fld[0], .id = B->b[o].id, .type = B->b[o].type,
                               .x_out = E->x[o], .id_out = ids ? E->id[o] : NULL, .type_out = ids ? E->type[o] : NULL};
        sd_pexport_pack(&B->pg, o, &ex);
    }
}

/* One block's preparation's outputs. */
typedef struct prep_out {
    double *xv;
    int32_t *tv, *nbr;
    int64_t *iv, *start;
    void *scr;
    size_t scrb;
} prep_out;

static void prep_make(prep_out *o, const sd_pgeom *pg)
{
    const int64_t xs = pg->cap_h + pg->cap_g;
    *o = (prep_out){pb_calloc(3 * xs, sizeof(double)), pb_calloc(xs, sizeof(int32_t)), pb_calloc(pg->cap_l, sizeof(int32_t)),
                    pb_calloc(xs, sizeof(int64_t)), pb_calloc(pg->cap_h + 1, sizeof(int64_t)), NULL, 0};
}

static void prep_free(prep_out *o) { free(o->xv), free(o->tv), free(o->nbr), free(o->iv), free(o->start), free(o->scr); }

/* Block k's preparation as the prepare task binds it: a remote source's export buffers (E), else
 * its block's buffers. */
static int prep(blocks *B, const exports *E, int k, int lists, prep_out *o, const double *min2)
{
    const sd_pgeom *pg = &B->pg;
    sd_pprep io = {.hdr = &B->hdr[k], .plan = B->b[k].plan, .lists = lists, .xv = o->xv, .tv = o->tv, .iv = o->iv,
                   .start = o->start, .nbr = o->nbr, .scratch = &o->scr, .scratch_bytes = &o->scrb};
    for (int j = 0; j < pg->nslot[k]; j++) {
        const int s = pg->slot[k][j], remote = E && sd_pgeom_remote(pg, k, s);
        io.src[j] = remote ? E->x[s] : B->b[s].fld[0];
        io.src_sc[j] = remote ? pg->cap_e[s] : pg->cap_h;
        io.src_id[j] = remote ? E->id[s] : B->b[s].id;
        io.src_type[j] = remote ? E->type[s] : B->b[s].type;
    }
    sd_pstatus st;
    return sd_particles_prepare(pg, min2, k, &io, &st);
}

/* Home and ghost coordinates, and with lists their types, ids, list starts and lists, bitwise. */
static int same_prep(const sd_pgeom *pg, const sd_phdr *ha, const sd_phdr *hb, const prep_out *a, const prep_out *b, int lists)
{
    const int64_t xs = pg->cap_h + pg->cap_g, nh = ha->nh, n = ha->nh + ha->ng;
    if (ha->nh != hb->nh || ha->ng != hb->ng) return 0;
    for (int c = 0; c < 3; c++)
        if (memcmp(a->xv + c * xs, b->xv + c * xs, sizeof(double) * (size_t)n)) return 0;
    if (!lists) return 1;
    return ha->nl == hb->nl && a->start[nh] == ha->nl && !memcmp(a->tv, b->tv, sizeof(int32_t) * (size_t)n) &&
           !memcmp(a->iv, b->iv, sizeof(int64_t) * (size_t)n) && !memcmp(a->start, b->start, sizeof(int64_t) * (size_t)(nh + 1)) &&
           !memcmp(a->nbr, b->nbr, sizeof(int32_t) * (size_t)ha->nl);
}

/* Every block prepared from A's blocks (plain) and from B's with exports: the same, bitwise. */
static int same_ghosts(blocks *A, blocks *B, const exports *E, int lists, const double *min2)
{
    prep_out oa, ob;
    prep_make(&oa, &A->pg), prep_make(&ob, &B->pg);
    int good = 1;
    for (int k = 0; k < A->pg.nb; k++) {
        const int ra = prep(A, NULL, k, lists, &oa, min2), rb = prep(B, E, k, lists, &ob, min2);
        const int same = ra == SD_PST_OK && rb == SD_PST_OK && same_prep(&A->pg, &A->hdr[k], &B->hdr[k], &oa, &ob, lists);
        if (!same) diag("  block %d: prepare %d %d, ghosts differ (lists %d)", k, ra, rb, lists);
        good &= same;
    }
    prep_free(&oa), prep_free(&ob);
    return good;
}

/* Particles, fields, x0 and headers bitwise; plans too when `plans`. */
static int same_blocks(const blocks *A, const blocks *B, int plans)
{
    const int64_t ch = A->pg.cap_h;
    for (int k = 0; k < A->pg.nb; k++) {
        const sd_phdr *a = &A->hdr[k], *b = &B->hdr[k];
        const int64_t n = a->nh;
        if (a->nh != b->nh || a->ng != b->ng || a->rebuilt != b->rebuilt || memcmp(A->b[k].id, B->b[k].id, 8 * (size_t)n) ||
            memcmp(A->b[k].type, B->b[k].type, 4 * (size_t)n) ||
            (plans && memcmp(A->b[k].plan, B->b[k].plan, sizeof(md_ghost) * (size_t)a->ng)))
            return 0;
        for (int f = -1; f < NF; f++) /* x0, then the fields */
            for (int c = 0; c < (f < 0 ? 3 : ncomp[f]); c++)
                if (memcmp((f < 0 ? A->b[k].x0 : A->b[k].fld[f]) + c * ch, (f < 0 ? B->b[k].x0 : B->b[k].fld[f]) + c * ch,
                           sizeof(double) * (size_t)n))
                    return 0;
    }
    return 1;
}

/* The ranked plan R against the plain one A: the same sources and shifts, the same owners except
 * remote ones (indices into the exports); *remote counts those. */
static int plans_ok(const blocks *A, const blocks *R, int64_t *remote)
{
    for (int k = 0; k < A->pg.nb; k++)
        for (int64_t g = 0; g < A->hdr[k].ng; g++) {
            const md_ghost *a = &A->b[k].plan[g], *r = &R->b[k].plan[g];
            const int rem = sd_pgeom_remote(&R->pg, k, R->pg.slot[k][r->slot]);
            if (a->slot != r->slot || memcmp(a->s, r->s, 3) || (!rem && a->own != r->own)) return 0;
            *remote += rem;
        }
    return 1;
}

/* The parallel rebuild's buffers and phases, as in t_prebuild.c (blocks of a phase in a random order). */
typedef struct pbufs {
    int64_t *cs[MAXB];
    void *out[MAXB], *scr[MAXB];
    sd_pblockstat stat[MAXB];
} pbufs;

static void pbufs_make(pbufs *Q, blocks *B)
{
    const sd_pgeom *pg = &B->pg;
    const sd_prebuild_req shape = {.nfields = NF, .ncomp = ncomp};
    for (int k = 0; k < pg->nb; k++) {
        B->b[k].cs = Q->cs[k] = pb_calloc(sd_pcs_words(pg), sizeof(int64_t)); /* the runtime binds K_CS to both */
        Q->out[k] = pb_calloc(sd_pout_bytes(pg, &shape, k), 1);
        Q->scr[k] = pb_calloc(sd_prebuild_block_scratch_bytes(pg), 1);
    }
}

static void pbufs_free(pbufs *Q, int nb)
{
    for (int k = 0; k < nb; k++) free(Q->cs[k]), free(Q->out[k]), free(Q->scr[k]);
}

static int rebuild_parallel(const sd_particles *P, int first, blocks *B, pbufs *Q, sd_prebuild_scratch *s,
                            sd_pdecision *dec, sd_pstatus *st, uint64_t *rng)
{
    const sd_pgeom *pg = &B->pg;
    const sd_prebuild_req req = {.geom = pg, .P = P, .nfields = NF, .ncomp = ncomp, .position = 0, .first = first};
    const int nb = pg->nb;
    sd_prebuild_block PB[MAXB];
    const sd_pblockstat *stat[MAXB];
    int o[MAXB], rc;
    for (int k = 0; k < nb; k++) {
        PB[k] = (sd_prebuild_block){.k = k, .buf = B->b[k], .cs = Q->cs[k], .out = Q->out[k], .stat = &Q->stat[k],
                                    .scratch = Q->scr[k]};
        for (int j = 0; j < pg->nslot[k]; j++) PB[k].in[j] = Q->out[pg->slot[k][j]], PB[k].src_cs[j] = Q->cs[pg->slot[k][j]];
        stat[k] = &Q->stat[k];
    }
    pb_shuffle(o, nb, rng);
    for (int k = 0; k < nb; k++) sd_prebuild_scan(&req, &PB[o[k]]);
    rc = sd_prebuild_decide(&req, stat, dec, st);
    if (dec->mode == SD_PREB_SERIAL) rc = sd_particles_rebuild(&req, B->b, s, st);
    if (dec->mode == SD_PREB_PARALLEL) {
        void (*const phase[2])(const sd_prebuild_req *, sd_prebuild_block *) = {sd_prebuild_migrate, sd_prebuild_gather};
        for (int p = 0; p < 2; p++) {
            pb_shuffle(o, nb, rng);
            for (int k = 0; k < nb; k++) phase[p](&req, &PB[o[k]]);
        }
        pb_shuffle(o, nb, rng);
        for (int k = 0; k < nb; k++) sd_prebuild_plan(pg, &PB[o[k]]);
        rc = sd_prebuild_verdict(pg, stat, st);
    }
    return rc;
}

static int rebuild_serial(const sd_particles *P, int first, blocks *B, sd_prebuild_scratch *s, sd_pstatus *st)
{
    const sd_prebuild_req req = {.geom = &B->pg, .P = P, .nfields = NF, .ncomp = ncomp, .position = 0, .first = first};
    return sd_particles_rebuild(&req, B->b, s, st);
}

/* A copy of the domain: nb blocks (with ranks unless NULL), its scratch, the particles of seed. */
static void copy_make(blocks *B, sd_prebuild_scratch *s, const sd_particles *P, int nb, const int *rank, uint64_t seed)
{
    blocks_make(B, P, nb);
    if ((rank && sd_pgeom_set_ranks(&B->pg, rank)) || sd_prebuild_scratch_make(s, &B->pg, P->count)) exit(99);
    sd_particles_assign(&B->pg, P, B->b);
    pb_fill(B, seed);
}

/* Cell starts a (serial) and b (parallel) of block k: the brick's cells and every export start
 * (*used), and the words between (cells past a brick smaller than cap_c's: *pad). */
static void same_cs(const sd_pgeom *pg, int k, const int64_t *a, const int64_t *b, int *used, int *pad)
{
    int64_t lo[3], hi[3];
    sd_pgeom_brick(pg, k, lo, hi);
    const int64_t nc = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    for (int64_t w = 0, told = 0; w < sd_pcs_words(pg); w++)
        if (a[w] != b[w]) {
            *(w <= nc || w > pg->cap_c ? used : pad) = 0;
            if (!told++)
                diag("  block %d (%lld cells, cap_c %lld): cs[%lld] serial %lld, parallel %lld", k, (long long)nc,
                     (long long)pg->cap_c, (long long)w, (long long)a[w], (long long)b[w]);
        }
}

/* What one (block count, rank map) found over the seeds. */
typedef struct found {
    int geom, serial, plans, lists, refresh, parallel, cs, cs_pad, parallel_ghosts;
    int64_t ecells, remote;
} found;

static void run(const sd_particles *P, const double *min2, int nb, int map, uint64_t seed, found *F)
{
    int rank[MAXB];
    rank_map(map, nb, rank);
    blocks A, R, Q; /* plain; ranked, serial rebuild; ranked, parallel rebuild */
    sd_prebuild_scratch sa, sr, sq;
    copy_make(&A, &sa, P, nb, NULL, seed), copy_make(&R, &sr, P, nb, rank, seed), copy_make(&Q, &sq, P, nb, rank, seed);
    int64_t ec;
    F->geom &= geometry_ok(&R.pg, rank, &ec) && (ec > 0) == (map != MAP_ONE);
    F->ecells += ec;
    const int64_t W = sd_pcs_words(&R.pg);
    int64_t *rcs[MAXB];
    for (int k = 0; k < nb; k++) R.b[k].cs = rcs[k] = pb_calloc(W, sizeof(int64_t));
    pbufs QB = {0};
    pbufs_make(&QB, &Q);
    exports ER, EQ;
    exports_make(&ER, &R.pg), exports_make(&EQ, &Q.pg);
    blocks *all[3] = {&A, &R, &Q};
    sd_pstatus st;
    sd_pdecision dec;
    uint64_t order = seed + 5;

    /* 2. the first (serial) build with and without ranks: the same blocks; remote owners point into exports */
    int ra = rebuild_serial(P, 1, &A, &sa, &st), rr = rebuild_serial(P, 1, &R, &sr, &st);
    int rq = rebuild_parallel(P, 1, &Q, &QB, &sq, &dec, &st, &order);
    F->serial &= ra == SD_PST_OK && rr == SD_PST_OK && rq == SD_PST_OK && same_blocks(&A, &R, 0) && same_blocks(&R, &Q, 1);
    F->plans &= plans_ok(&A, &R, &F->remote);
    pack_all(&R, rcs, &ER, 1);
    F->lists &= same_ghosts(&A, &R, &ER, 1, min2);
    /* a refresh: positions moved (< skin/2), exports repacked without ids and types */
    for (int c = 0; c < 3; c++) move(all[c], seed, 0.08);
    pack_all(&R, rcs, &ER, 0);
    F->refresh &= same_ghosts(&A, &R, &ER, 0, min2);

    /* 3. a rebuild after small moves: parallel == serial on the ranked geometry, cell and export starts too */
    for (int c = 0; c < 3; c++) move(all[c], seed + 1, 0.4);
    ra = rebuild_serial(P, 0, &A, &sa, &st), rr = rebuild_serial(P, 0, &R, &sr, &st);
    rq = rebuild_parallel(P, 0, &Q, &QB, &sq, &dec, &st, &order);
    F->parallel &= ra == SD_PST_OK && rr == SD_PST_OK && rq == SD_PST_OK && dec.mode == SD_PREB_PARALLEL &&
                   same_blocks(&R, &Q, 1) && same_blocks(&A, &Q, 0);
    for (int k = 0; k < nb; k++) same_cs(&R.pg, k, rcs[k], QB.cs[k], &F->cs, &F->cs_pad);
    pack_all(&Q, QB.cs, &EQ, 1);
    F->parallel_ghosts &= same_ghosts(&A, &Q, &EQ, 1, min2);

    exports_free(&ER, nb), exports_free(&EQ, nb);
    pbufs_free(&QB, nb);
    for (int k = 0; k < nb; k++) free(rcs[k]);
    for (int c = 0; c < 3; c++) blocks_free(all[c]);
    sd_prebuild_scratch_free(&sa), sd_prebuild_scratch_free(&sr), sd_prebuild_scratch_free(&sq);
}

/* 4. Block k's export room cut to one particle after a good first build: both rebuilds stop on it
 * alike, and the serial one leaves the blocks as they were (K: the same, never cut). */
static void export_room(const sd_particles *P, int nb, int k)
{
    int rank[MAXB];
    rank_map(MAP_EACH, nb, rank);
    blocks R, Q, K;
    sd_prebuild_scratch sr, sq, sk;
    copy_make(&R, &sr, P, nb, rank, 3), copy_make(&Q, &sq, P, nb, rank, 3), copy_make(&K, &sk, P, nb, rank, 3);
    pbufs QB = {0};
    pbufs_make(&QB, &Q);
    sd_pstatus sr_st, sq_st, sk_st;
    sd_pdecision dec;
    uint64_t order = 11;
    int rr = rebuild_serial(P, 1, &R, &sr, &sr_st), rk = rebuild_serial(P, 1, &K, &sk, &sk_st);
    int rq = rebuild_parallel(P, 1, &Q, &QB, &sq, &dec, &sq_st, &order);
    ok(rr == SD_PST_OK && rk == SD_PST_OK && rq == SD_PST_OK && R.pg.cap_e[k] > 1,
       "%d blocks, block %d has export room for %lld: first build ok", nb, k, (long long)R.pg.cap_e[k]);
    move(&R, 9, 0.4), move(&Q, 9, 0.4), move(&K, 9, 0.4);
    R.pg.cap_e[k] = Q.pg.cap_e[k] = 1;
    rr = rebuild_serial(P, 0, &R, &sr, &sr_st);
    rq = rebuild_parallel(P, 0, &Q, &QB, &sq, &dec, &sq_st, &order);
    ok(rr == SD_PST_EXPORT_ROOM && sr_st.block == k && sr_st.need > 1 && sr_st.have == 1 && same_blocks(&K, &R, 1),
       "serial rebuild: block %d has no room for its exports (needs %lld, has %lld); the blocks are as they were",
       sr_st.block, (long long)sr_st.need, (long long)sr_st.have);
    ok(dec.mode == SD_PREB_PARALLEL && rq == SD_PST_EXPORT_ROOM && sq_st.block == k && sq_st.need == sr_st.need &&
       sq_st.have == sr_st.have, "parallel verdict: the same block %d, need %lld, have %lld (mode %d)", sq_st.block,
       (long long)sq_st.need, (long long)sq_st.have, dec.mode);
    char msg[512];
    sd_pstatus_message(&sq_st, P, 7, msg, sizeof msg);
    ok(strstr(msg, "neighbours on other ranks") && strstr(msg, "step 7: block"), "message: %s", msg);
    pbufs_free(&QB, nb);
    blocks_free(&R), blocks_free(&Q), blocks_free(&K);
    sd_prebuild_scratch_free(&sr), sd_prebuild_scratch_free(&sq), sd_prebuild_scratch_free(&sk);
}

int main(void)
{
    sd_particles P = {0};
    const double cell = 2.9; /* > cutoff + skin = 2.8: an 8 x 8 x 9 cell grid, as t_prebuild.c */
    P.box[0] = P.box[1] = 8 * cell, P.box[2] = 9 * cell;
    P.count = 8 * 8 * 9 * 8;
    P.ntypes = 2;
    P.type[0] = (sd_ptype){.name = "A", .mass = 1, .epsilon = 1, .sigma = 1, .count = P.count / 3};
    P.type[1] = (sd_ptype){.name = "B", .mass = 2, .epsilon = 1, .sigma = 1, .count = P.count - P.count / 3};
    P.cutoff = 2.5, P.skin = 0.3, P.rebuild_every = 1, P.min_distance = 0.0, P.capacity = 1.5;
    P.position = 0, P.velocity = 1;
    double min2[MD_MAX_TYPES * MD_MAX_TYPES];
    sd_particles_min_distance2(&P, min2);

    /* no ranks: no exported cells, every export start -1 (one particle per cell here) */
    blocks B;
    blocks_make(&B, &P, 8);
    int64_t *cs = pb_calloc(sd_pcs_words(&B.pg), sizeof *cs), l, none = 0;
    for (l = 0; l <= B.pg.cap_c; l++) cs[l] = l;
    for (l = 0, none = sd_pexport_starts(&B.pg, 0, cs) == 0; l < B.pg.cap_c; l++) none &= sd_pcs_export(&B.pg, cs)[l] == -1;
    ok(none && !B.pg.rank && !sd_pgeom_remote(&B.pg, 0, 1), "without ranks: nothing exported, no block remote");
    free(cs), blocks_free(&B);

    static const int counts[] = {3, 8, 12, 27};
    for (int q = 0; q < 4; q++)
        for (int map = 0; map < MAP_COUNT; map++) {
            found F = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
            for (uint64_t seed = 1; seed <= 2; seed++) run(&P, min2, counts[q], map, seed, &F);
            const char *m = map_name[map];
            const int nb = counts[q];
            ok(F.geom, "%d blocks, %s: exported cells as a brute-force search finds them (%lld), room 0 iff none, <= cap_h", nb,
               m, (long long)F.ecells / 2);
            ok(F.serial, "%d blocks, %s: first build, ranked == plain (particles, fields, x0, headers)", nb, m);
            ok(F.plans && (F.remote > 0) == (map != MAP_ONE),
               "%d blocks, %s: plans alike but for %lld remote owners (indices into exports)", nb, m, (long long)F.remote);
            ok(F.lists, "%d blocks, %s: ghosts from exports == plain: coordinates, types, ids, lists (bitwise)", nb, m);
            ok(F.refresh, "%d blocks, %s: after moves < skin/2, positions-only exports: coordinates bitwise", nb, m);
            ok(F.parallel, "%d blocks, %s: parallel rebuild == serial (ranked), plans too", nb, m);
            ok(F.cs, "%d blocks, %s: parallel cell starts (the brick's cells) and export starts == serial's", nb, m);
            ok(F.cs_pad, "%d blocks, %s: ... and the words past a smaller brick's cells (every sd_pcs_words entry)", nb, m);
            ok(F.parallel_ghosts, "%d blocks, %s: ghosts from the parallel rebuild's exports == plain, bitwise", nb, m);
        }

    export_room(&P, 8, 5);
    export_room(&P, 27, 13);
    return tap_done();
}
