/* t_prebuild.c - the parallel rebuild (runtime/dm/particles_migrate.c) against the serial one
 * (particles_blocks.c), without StarPU: random particles (seeded) in an 8x8x9-cell box, cut into 1
 * to 36 blocks (slabs, pencils and bricks), are rebuilt once by both; then each scenario moves the
 * same particles in both copies and rebuilds again: small random moves, moves that empty a block,
 * moves that cross two blocks (the parallel rebuild must fall back to the serial one), moves that
 * overfill a block or a block's ghost layer, a lost and a jumping particle, `check` below and
 * above skin/2, and a block whose outgoing buffer has too little room for the particles of its
 * cells next to other bricks (the serial rebuild must do it). Every block's particles, fields, x0, header and ghost plan, and every status, must
 * be bitwise the serial rebuild's. The phases of one kind run in a random order (StarPU may run
 * them in any). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pblocks.h"

/* the parallel rebuild's buffers of the blocks (cell starts, outgoing buffers, scratch, status) */
typedef struct pbufs {
    int64_t **cs;
    void **out, **scr;
    sd_pblockstat *stat;
} pbufs;

static void pbufs_make(pbufs *Q, const sd_pgeom *pg, const sd_prebuild_req *shape)
{
    Q->cs = pb_calloc(pg->nb, sizeof *Q->cs);
    Q->out = pb_calloc(pg->nb, sizeof *Q->out);
    Q->scr = pb_calloc(pg->nb, sizeof *Q->scr);
    Q->stat = pb_calloc(pg->nb, sizeof *Q->stat);
    for (int k = 0; k < pg->nb; k++) {
        Q->cs[k] = pb_calloc(sd_pcs_words(pg), sizeof(int64_t));
        Q->out[k] = pb_calloc(sd_pout_bytes(pg, shape, k), 1);
        Q->scr[k] = pb_calloc(sd_prebuild_block_scratch_bytes(pg), 1);
    }
}

static void pbufs_free(pbufs *Q, int nb)
{
    for (int k = 0; k < nb; k++) free(Q->cs[k]), free(Q->out[k]), free(Q->scr[k]);
    free(Q->cs), free(Q->out), free(Q->scr), free(Q->stat);
}

/* The parallel rebuild on the host, phases in the order their tasks' buffers impose, blocks of one
 * phase in a random order; errors and decisions handled as particles_rebuild.c's tasks do. */
static int rebuild_parallel(const sd_prebuild_req *req, blocks *B, pbufs *Q, sd_prebuild_scratch *s, sd_pdecision *dec,
                            sd_pstatus *st, uint64_t *rng)
{
    const sd_pgeom *pg = &B->pg;
    const int nb = pg->nb;
    sd_prebuild_block *PB = pb_calloc(nb, sizeof *PB);
    const sd_pblockstat **stat = pb_calloc(nb, sizeof *stat);
    int *o = pb_calloc(nb, sizeof *o);
    for (int k = 0; k < nb; k++) {
        PB[k] = (sd_prebuild_block){.k = k, .buf = B->b[k], .cs = Q->cs[k], .out = Q->out[k], .stat = &Q->stat[k],
                                    .scratch = Q->scr[k]};
        for (int j = 0; j < pg->nslot[k]; j++) {
            PB[k].in[j] = Q->out[pg->slot[k][j]];
            PB[k].src_cs[j] = Q->cs[pg->slot[k][j]];
        }
        stat[k] = &Q->stat[k];
    }
    pb_shuffle(o, nb, rng);
    for (int k = 0; k < nb; k++) sd_prebuild_scan(req, &PB[o[k]]);
    int rc = sd_prebuild_decide(req, stat, dec, st);
    if (dec->mode == SD_PREB_KEEP)
        for (int k = 0; k < nb; k++) B->hdr[k].rebuilt = 0;
    if (dec->mode == SD_PREB_SERIAL) rc = sd_particles_rebuild(req, B->b, s, st);
    if (dec->mode == SD_PREB_PARALLEL) {
        pb_shuffle(o, nb, rng);
        for (int k = 0; k < nb; k++) sd_prebuild_migrate(req, &PB[o[k]]);
        pb_shuffle(o, nb, rng);
        for (int k = 0; k < nb; k++) sd_prebuild_gather(req, &PB[o[k]]);
        pb_shuffle(o, nb, rng);
        for (int k = 0; k < nb; k++) sd_prebuild_plan(pg, &PB[o[k]]);
        rc = sd_prebuild_verdict(pg, stat, st);
        st->dangerous = dec->dangerous; /* the serial rebuild reports it in its status */
    }
    free(PB), free(stat), free(o);
    return rc;
}

/* Every block bitwise the same (header, ids, types, x0, fields, plan); rebuilt only when asked. */
static int same_blocks(const blocks *A, const blocks *B, int rebuilt)
{
    const int64_t ch = A->pg.cap_h;
    for (int k = 0; k < A->pg.nb; k++) {
        const sd_phdr *a = &A->hdr[k], *b = &B->hdr[k];
        const int64_t n = a->nh;
        if (a->nh != b->nh || a->ng != b->ng || (rebuilt && a->rebuilt != b->rebuilt)) return 0;
        if (memcmp(A->b[k].id, B->b[k].id, sizeof(int64_t) * (size_t)n) ||
            memcmp(A->b[k].type, B->b[k].type, sizeof(int32_t) * (size_t)n) ||
            memcmp(A->b[k].plan, B->b[k].plan, sizeof(md_ghost) * (size_t)a->ng))
            return 0;
        for (int c = 0; c < 3; c++)
            if (memcmp(A->b[k].x0 + c * ch, B->b[k].x0 + c * ch, sizeof(double) * (size_t)n)) return 0;
        for (int f = 0; f < NF; f++)
            for (int c = 0; c < ncomp[f]; c++)
                if (memcmp(A->b[k].fld[f] + c * ch, B->b[k].fld[f] + c * ch, sizeof(double) * (size_t)n)) return 0;
    }
    return 1;
}

static int same_status(const sd_pstatus *a, const sd_pstatus *b)
{
    return a->code == b->code && a->block == b->block && a->id == b->id && a->need == b->need && a->have == b->have &&
           (a->value == b->value || (isnan(a->value) && isnan(b->value))) && (a->code || a->dangerous == b->dangerous);
}

enum { SC_SMALL, SC_EMPTY, SC_FAR, SC_FULL, SC_GHOSTS, SC_LOST, SC_CHECK_KEEP, SC_CHECK_MOVE, SC_ROOM, SC_COUNT };
static const char *const sc_name[SC_COUNT] = {"small random moves", "a block emptied", "moves across two blocks",
                                              "a block overfilled", "a block's ghost layer overfilled", "a lost and a jumping particle",
                                              "check, all moves < skin/2", "check, one move > skin/2",
                                              "small moves, a block's outgoing room too small"};

/* What the scenarios found, over every block count and seed: each path must have been taken. */
typedef struct seen {
    int parallel_empty, far_serial, crossed_two, parallel_full, parallel_ghosts, keep, small_parallel, room_serial;
} seen;

/* Scenario sc on block k's particles (the same moves in both copies: they hold the same blocks). */
static void move(blocks *B, int sc, uint64_t *rng, seen *saw)
{
    const sd_pgeom *pg = &B->pg;
    const int nb = pg->nb, e = nb / 2;
    const int64_t ch = pg->cap_h;
    double w[3];
    for (int d = 0; d < 3; d++) w[d] = 1.0 / pg->grid.ih[d];
    int64_t lo[3], hi[3];
    sd_pgeom_brick(pg, e, lo, hi);
    int far_axis = -1; /* the axis with the most bricks (3 or more: moving across one is possible) */
    for (int d = 0; d < 3; d++)
        if (pg->nbd[d] >= 3 && (far_axis < 0 || pg->nbd[d] > pg->nbd[far_axis])) far_axis = d;
    for (int k = 0; k < nb; k++)
        for (int64_t i = 0; i < B->hdr[k].nh; i++) {
            double *x = B->b[k].fld[0] + i, p[3] = {x[0], x[ch], x[2 * ch]};
            switch (sc) {
            case SC_SMALL:
            case SC_ROOM:
                for (int d = 0; d < 3; d++) p[d] += 0.8 * (pb_rnd(rng) - 0.5);
                break;
            case SC_CHECK_MOVE: /* one particle just past skin/2 = 0.15 (0.151^2 = 0.022801 > 0.0225) */
                for (int d = 0; d < 3; d++) p[d] += k == e && i == 0 ? 0.0 : 0.1 * (pb_rnd(rng) - 0.5);
                if (k == e && i == 0) p[0] += 0.151;
                break;
            case SC_CHECK_KEEP:
                for (int d = 0; d < 3; d++) p[d] += 0.1 * (pb_rnd(rng) - 0.5);
                break;
            case SC_EMPTY: /* out through the nearest face along the axis with the most bricks */
                if (k == e && nb > 1) {
                    int d = 0;
                    for (int a = 1; a < 3; a++) d = pg->nbd[a] > pg->nbd[d] ? a : d;
                    const double a0 = (double)lo[d] * w[d], a1 = (double)hi[d] * w[d];
                    p[d] = p[d] - a0 < a1 - p[d] ? a0 - 0.05 * w[d] : a1 + 0.05 * w[d];
                }
                break;
            case SC_FAR: /* a few particles across the next brick along far_axis */
                if (far_axis >= 0 && i % 97 == 3) {
                    const int d = far_axis;
                    int64_t wmax = 0;
                    for (int q = 0; q < pg->nbd[d]; q++)
                        if (pg->cut[d][q + 1] - pg->cut[d][q] > wmax) wmax = pg->cut[d][q + 1] - pg->cut[d][q];
                    const double by = fmin((double)wmax + 0.6, 3.9) * w[d];
                    const int64_t c0 = md_cell_coord(p[d], 0.0, pg->grid.ih[d], pg->grid.nc[d]);
                    p[d] += by;
                    int64_t c[3], local;
                    for (int a = 0; a < 3; a++) c[a] = md_cell_coord(md_wrap(p[a], pg->L[a]), 0.0, pg->grid.ih[a], pg->grid.nc[a]);
                    saw->crossed_two |= sd_pgeom_slot_of(pg, k, sd_pgeom_owner(pg, c, &local)) < 0;
                    (void)c0;
                }
                break;
            case SC_FULL: /* everything within half a cell of brick e into it */
                if (k != e) {
                    int near = 1;
                    for (int d = 0; d < 3; d++) {
                        const double a0 = ((double)lo[d] - 0.5) * w[d], a1 = ((double)hi[d] + 0.5) * w[d];
                        near &= pg->nbd[d] > 1 && p[d] >= a0 && p[d] < a1;
                    }
                    if (near)
                        for (int d = 0; d < 3; d++) p[d] = fmin(fmax(p[d], ((double)lo[d] + 0.01) * w[d]), ((double)hi[d] - 0.01) * w[d]);
                }
                break;
            case SC_GHOSTS: /* the second cell layer around brick e onto the first: 0.985 cells inwards
                             * (less than a cell, the parallel rebuild's reach), all but the particles
                             * within 0.02 cells of its far side */
                for (int d = 0; d < 3; d++) {
                    const int64_t c = md_cell_coord(p[d], 0.0, pg->grid.ih[d], pg->grid.nc[d]), n = pg->grid.nc[d];
                    int near = 1;
                    for (int a = 0; a < 3; a++) {
                        const int64_t ca = md_cell_coord(p[a], 0.0, pg->grid.ih[a], pg->grid.nc[a]), na = pg->grid.nc[a];
                        near &= (lo[a] - ca + na) % na <= 2 || (ca - hi[a] + 1 + na) % na <= 2 || (ca >= lo[a] && ca < hi[a]);
                    }
                    if (!near || pg->nbd[d] < 3 || (c >= lo[d] && c < hi[d])) continue;
                    const double f = p[d] * pg->grid.ih[d] - floor(p[d] * pg->grid.ih[d]); /* within the cell */
                    if ((lo[d] - c + n) % n == 2 && f > 0.02) p[d] += 0.985 * w[d];
                    if ((c - hi[d] + 1 + n) % n == 2 && f < 0.98) p[d] -= 0.985 * w[d];
                }
                break;
            case SC_LOST:
                if (k == nb - 1 && i == 1) p[1] = NAN;
                if (k == e && i == 2) p[2] += 0.6 * fmin(pg->L[0], fmin(pg->L[1], pg->L[2]));
                break;
            }
            x[0] = p[0], x[ch] = p[1], x[2 * ch] = p[2];
        }
}

/* Both copies from the same seed, first-built, then scenario sc and one more small step after it
 * when it succeeded; returns whether every comparison held. */
static int run_scenario(const sd_particles *P, int nb, int sc, uint64_t seed, seen *saw)
{
    const sd_prebuild_req shape = {.nfields = NF, .ncomp = ncomp};
    blocks A, B;
    pbufs Q;
    blocks_make(&A, P, nb);
    blocks_make(&B, P, nb);
    pbufs_make(&Q, &B.pg, &shape);
    sd_prebuild_scratch sa, sb;
    if (sd_prebuild_scratch_make(&sa, &A.pg, P->count) || sd_prebuild_scratch_make(&sb, &B.pg, P->count)) exit(99);
    sd_particles_assign(&A.pg, P, A.b);
    sd_particles_assign(&B.pg, P, B.b);
    pb_fill(&A, seed);
    pb_fill(&B, seed);
    uint64_t rng = seed * 7919 + 17, rng_a, rng_b, order = seed + 5;
    sd_prebuild_req req = {.geom = &A.pg, .P = P, .nfields = NF, .ncomp = ncomp, .position = 0, .first = 1, .check = 0};
    sd_pstatus sta, stb;
    sd_pdecision dec;
    int good = 1;
    /* the first build: blocks hold id ranges, so the parallel rebuild hands it to the serial one */
    int ra = sd_particles_rebuild(&req, A.b, &sa, &sta);
    req.geom = &B.pg;
    int rb = rebuild_parallel(&req, &B, &Q, &sb, &dec, &stb, &order);
    good &= ra == SD_PST_OK && rb == SD_PST_OK && dec.mode == SD_PREB_SERIAL && same_blocks(&A, &B, 1);
    if (!good) diag("first build: %d %d mode %d same %d need %lld have %lld", ra, rb, dec.mode, same_blocks(&A, &B, 1), (long long)sta.need, (long long)sta.have);
    for (int round = 0; round < 2 && good; round++) {
        const int what = round == 0 ? sc : SC_SMALL;
        rng_a = rng_b = rng;
        move(&A, what, &rng_a, saw);
        move(&B, what, &rng_b, saw);
        rng = rng_a;
        req.first = 0;
        req.check = what == SC_CHECK_KEEP || what == SC_CHECK_MOVE;
        req.geom = &A.pg;
        ra = sd_particles_rebuild(&req, A.b, &sa, &sta);
        req.geom = &B.pg;
        /* SC_ROOM: block nb/2's outgoing buffer said to hold one particle (its buffer is larger): the
         * particles of its cells next to other bricks might not fit, so the serial rebuild does it */
        const int64_t cap_o = B.pg.cap_o[nb / 2];
        if (what == SC_ROOM) B.pg.cap_o[nb / 2] = 1;
        rb = rebuild_parallel(&req, &B, &Q, &sb, &dec, &stb, &order);
        B.pg.cap_o[nb / 2] = cap_o;
        good &= ra == rb && same_status(&sta, &stb);
        if (!(ra == rb && same_status(&sta, &stb)))
            diag("round %d sc %d: serial %d (block %d need %lld) parallel %d (block %d need %lld) mode %d", round, what, ra,
                 sta.block, (long long)sta.need, rb, stb.block, (long long)stb.need, dec.mode);
        if (ra == SD_PST_OK && !same_blocks(&A, &B, 1)) diag("round %d sc %d: blocks differ, mode %d", round, what, dec.mode);
        if (ra == SD_PST_OK) good &= same_blocks(&A, &B, 1);
        else if (ra == SD_PST_LOST || ra == SD_PST_JUMP) good &= same_blocks(&A, &B, 0); /* both left as they were */
        if (round == 0) {
            saw->parallel_empty |= what == SC_EMPTY && dec.mode == SD_PREB_PARALLEL && nb > 1 && B.hdr[nb / 2].nh == 0;
            saw->far_serial |= what == SC_FAR && dec.mode == SD_PREB_SERIAL;
            saw->parallel_full |= what == SC_FULL && dec.mode == SD_PREB_PARALLEL && rb == SD_PST_HOME_ROOM;
            saw->parallel_ghosts |= what == SC_GHOSTS && dec.mode == SD_PREB_PARALLEL && rb == SD_PST_GHOST_ROOM;
            saw->keep |= what == SC_CHECK_KEEP && dec.mode == SD_PREB_KEEP && ra == SD_PST_OK && B.hdr[0].rebuilt == 0;
            saw->small_parallel |= what == SC_SMALL && dec.mode == SD_PREB_PARALLEL && nb > 1;
            if (what == SC_ROOM && nb > 1) {
                good &= dec.mode == SD_PREB_SERIAL && dec.full == nb / 2 && dec.need > 1 && dec.have == 1;
                saw->room_serial = 1;
            }
            if (what == SC_LOST) good &= ra == SD_PST_LOST || ra == SD_PST_JUMP;
            if (what == SC_CHECK_MOVE) good &= dec.mode != SD_PREB_KEEP;
        }
        if (ra != SD_PST_OK) break;
    }
    sd_prebuild_scratch_free(&sa);
    sd_prebuild_scratch_free(&sb);
    pbufs_free(&Q, nb);
    blocks_free(&A);
    blocks_free(&B);
    return good;
}

int main(void)
{
    sd_particles P = {0};
    const double cell = 2.9; /* > cutoff + skin = 2.8: an 8 x 8 x 9 cell grid */
    P.box[0] = P.box[1] = 8 * cell, P.box[2] = 9 * cell;
    P.count = 8 * 8 * 9 * 8; /* 8 per cell */
    P.ntypes = 2;
    P.type[0] = (sd_ptype){.name = "A", .mass = 1, .epsilon = 1, .sigma = 1, .count = P.count / 3};
    P.type[1] = (sd_ptype){.name = "B", .mass = 2, .epsilon = 1, .sigma = 1, .count = P.count - P.count / 3};
    P.cutoff = 2.5, P.skin = 0.3, P.rebuild_every = 1, P.min_distance = 0.0, P.capacity = 1.5;
    P.position = 0, P.velocity = 1;

    static const int counts[] = {1, 2, 3, 4, 5, 6, 8, 9, 12, 16, 18, 27, 36};
    const int ncounts = (int)(sizeof counts / sizeof *counts);
    seen saw = {0};
    for (int q = 0; q < ncounts; q++) {
        sd_pgeom pg;
        char err[256];
        if (sd_pgeom_make(&pg, &P, counts[q], 1, 0, err, sizeof err) < 0) {
            ok(0, "%d blocks: %s", counts[q], err);
            continue;
        }
        diag("%d blocks: %dx%dx%d bricks, room for %lld particles and %lld ghosts, reach %.3g", counts[q], pg.nbd[0],
             pg.nbd[1], pg.nbd[2], (long long)pg.cap_h, (long long)pg.cap_g, sqrt(pg.reach2));
        sd_pgeom_free(&pg);
        for (int sc = 0; sc < SC_COUNT; sc++) {
            int good = 1;
            for (uint64_t seed = 1; seed <= 3; seed++) good &= run_scenario(&P, counts[q], sc, seed, &saw);
            ok(good, "%d blocks, %s (3 seeds): parallel == serial, bitwise", counts[q], sc_name[sc]);
        }
    }
    ok(saw.small_parallel, "small moves were rebuilt in parallel (not handed to the serial rebuild)");
    ok(saw.parallel_empty, "a block emptied by the parallel rebuild (and refilled by the next one)");
    ok(saw.crossed_two && saw.far_serial, "particles moved across two blocks: the parallel rebuild handed them to the serial one");
    ok(saw.parallel_full, "a block overfilled in the parallel rebuild: the serial rebuild's error, block and counts");
    ok(saw.parallel_ghosts, "a ghost layer overfilled in the parallel rebuild: the serial rebuild's error, block and counts");
    ok(saw.keep, "check below skin/2: nothing rebuilt, in both");
    ok(saw.room_serial, "more particles next to other bricks than a block's outgoing room: handed to the serial rebuild");

    /* the brick grids chosen */
    sd_pgeom pg;
    char err[256];
    ok(sd_pgeom_make(&pg, &P, 8, 1, 0, err, sizeof err) == 0 && pg.nbd[0] == 2 && pg.nbd[1] == 2 && pg.nbd[2] == 2 &&
       pg.nslot[0] == 8, "8 blocks on 8x8x9 cells: 2x2x2 bricks, 8 neighbourhood blocks each");
    sd_pgeom_free(&pg);
    ok(sd_pgeom_make(&pg, &P, 27, 1, 0, err, sizeof err) == 0 && pg.nbd[0] == 3 && pg.nbd[1] == 3 && pg.nbd[2] == 3 &&
       pg.nslot[13] == 27 && pg.slot[13][0] == 13, "27 blocks: 3x3x3 bricks, block 13 has all 27 as its neighbourhood");
    sd_pgeom_free(&pg);
    ok(sd_pgeom_make(&pg, &P, 0, 4, 0, err, sizeof err) == 0 && pg.nb == 2,
       "auto with 4 CPUs and 4608 particles: 2 blocks (each >= ~2000 particles)");
    sd_pgeom_free(&pg);
    ok(sd_pgeom_make(&pg, &P, 11, 1, 0, err, sizeof err) < 0 && strstr(err, "no brick grid of 11 blocks fits"),
       "11 blocks (prime, more than any axis' 9 cells) refused: %s", err);
    return tap_done();
}
