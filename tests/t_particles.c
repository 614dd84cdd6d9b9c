/* t_particles.c - the particle domain's blocks without StarPU (runtime/dm/particles_blocks.c): the rebuild
 * redistributes every field by cell layer in (cell, id) order, the per-block ghosts and lists
 * hold exactly the pairs a brute-force minimum-image search finds, the check mode leaves
 * everything alone below skin/2, and a lost particle, a jump, a block without room or an overlap
 * are reported with the particle, leaving the blocks as they were. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pblocks.h"

/* fcc positions slightly displaced (so no two distances tie), v = id-coded values */
static void fill(blocks *B, const int64_t nc[3], double a)
{
    for (int k = 0; k < B->pg.nb; k++) {
        const int64_t n = B->hdr[k].nh, ch = B->pg.cap_h;
        sd_md_fcc_ids(n, B->b[k].id, nc, a, B->b[k].fld[0], ch);
        for (int64_t i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                const int64_t id = B->b[k].id[i];
                B->b[k].fld[0][i + c * ch] += 0.05 * sin(1.3 * (double)id + 2.1 * c);
                B->b[k].fld[1][i + c * ch] = (double)(10 * id + c);
            }
        for (int64_t i = 0; i < n; i++)
            for (int c = 0; c < 5; c++) B->b[k].fld[2][i + c * ch] = (double)(-10 * B->b[k].id[i] - c);
    }
}

static int64_t total(const blocks *B)
{
    int64_t n = 0;
    for (int k = 0; k < B->pg.nb; k++) n += B->hdr[k].nh;
    return n;
}

/* Pairs (id_i < id_j) within rl by brute force over every block, minimum image. */
static int64_t brute_pairs(const blocks *B, double rl)
{
    const int64_t N = total(B), ch = B->pg.cap_h;
    double *x = malloc(sizeof(double) * 3 * N);
    int64_t o = 0, m = 0;
    for (int k = 0; k < B->pg.nb; k++)
        for (int64_t i = 0; i < B->hdr[k].nh; i++, o++)
            for (int c = 0; c < 3; c++) x[3 * o + c] = B->b[k].fld[0][i + c * ch];
    for (int64_t i = 0; i < N; i++)
        for (int64_t j = i + 1; j < N; j++) {
            double r2 = 0;
            for (int c = 0; c < 3; c++) {
                const double d = md_min_image(x[3 * i + c] - x[3 * j + c], B->pg.L[c], 1.0 / B->pg.L[c]);
                r2 += d * d;
            }
            m += r2 < rl * rl;
        }
    free(x);
    return m;
}

int main(void)
{
    sd_particles P = {0};
    const int64_t nc[3] = {6, 6, 6};
    const double a = sd_md_fcc_lattice_constant(0.8442);
    P.count = 4 * nc[0] * nc[1] * nc[2];
    for (int d = 0; d < 3; d++) P.box[d] = (double)nc[d] * a;
    P.ntypes = 1;
    P.type[0] = (sd_ptype){.name = "A", .mass = 1, .epsilon = 1, .sigma = 1, .count = P.count};
    P.cutoff = 2.5, P.skin = 0.3, P.rebuild_every = 1, P.rebuild_check = 1, P.min_distance = 0.5, P.capacity = 1.5;
    P.position = 0, P.velocity = 1;
    double min2[MD_MAX_TYPES * MD_MAX_TYPES];
    sd_particles_min_distance2(&P, min2);

    sd_particles T3 = {.count = 8, .ntypes = 3};
    T3.type[0].count = 3, T3.type[1].count = 0, T3.type[2].count = 5;
    ok(sd_particles_type_of(&T3, 0) == 0 && sd_particles_type_of(&T3, 2) == 0 && sd_particles_type_of(&T3, 3) == 2 &&
       sd_particles_type_of(&T3, 7) == 2, "types by id in declaration order (counts 3, 0, 5: ids 0-2 type 0, 3-7 type 2)");

    blocks B;
    blocks_make(&B, &P, 3);
    ok(B.pg.nb == 3 && B.pg.grid.nc[2] == 3, "864 atoms, box 10.08: a 3x3x3 cell grid, 3 blocks of one layer each");
    ok(B.pg.nslot[1] == 3 && B.pg.slot[1][0] == 1 && B.pg.slot[1][1] == 0 && B.pg.slot[1][2] == 2,
       "block 1 draws ghosts from itself, block 0 and block 2");
    sd_particles_assign(&B.pg, &P, B.b);
    ok(total(&B) == P.count && B.b[1].id[0] == B.hdr[0].nh, "initial assignment: contiguous id ranges, all %lld",
       (long long)P.count);
    fill(&B, nc, a);

    sd_prebuild_scratch s;
    ok(sd_prebuild_scratch_make(&s, &B.pg, P.count) == 0, "scratch");
    sd_pstatus st;
    int rc = sd_particles_rebuild(&(sd_prebuild_req){&B.pg, &P, NF, ncomp, 0, 1, 0}, B.b, &s, &st);
    ok(rc == SD_PST_OK && total(&B) == P.count, "first rebuild: ok, every particle kept");
    /* every particle in its block's layers, (cell, id) order, v moved with it, x0 = x */
    int order = 1, layer = 1, moved = 1, x0 = 1;
    for (int k = 0; k < B.pg.nb; k++) {
        const int64_t ch = B.pg.cap_h;
        int64_t prev_cell = -1, prev_id = -1;
        for (int64_t i = 0; i < B.hdr[k].nh; i++) {
            const double *x = B.b[k].fld[0];
            const int64_t cell = md_cell_index(&B.pg.grid, x[i], x[i + ch], x[i + 2 * ch]), id = B.b[k].id[i];
            const int64_t z = cell / (B.pg.grid.nc[0] * B.pg.grid.nc[1]);
            layer &= z >= B.pg.cut[2][k] && z < B.pg.cut[2][k + 1];
            order &= cell > prev_cell || (cell == prev_cell && id > prev_id);
            prev_cell = cell, prev_id = id;
            for (int c = 0; c < 5; c++) moved &= B.b[k].fld[2][i + c * ch] == (double)(-10 * id - c);
            for (int c = 0; c < 3; c++) {
                moved &= B.b[k].fld[1][i + c * ch] == (double)(10 * id + c);
                x0 &= B.b[k].x0[i + c * ch] == x[i + c * ch];
                layer &= x[i + c * ch] >= 0 && x[i + c * ch] < B.pg.L[c];
            }
        }
    }
    ok(layer, "each particle lies in its block's cell layers, inside the box");
    ok(order, "each block is sorted by (cell, id)");
    ok(moved, "velocities and a 5-component field moved with their particles");
    ok(x0, "positions at the rebuild are kept (x0)");

    /* ghosts and lists of every block: together, each pair within rl twice (full lists) */
    const int64_t xs = B.pg.cap_h + B.pg.cap_g;
    double *xv = malloc(sizeof(double) * 3 * xs);
    int32_t *tv = malloc(sizeof(int32_t) * xs), *nbr = malloc(sizeof(int32_t) * B.pg.cap_l);
    int64_t *iv = malloc(sizeof(int64_t) * xs), *start = malloc(sizeof(int64_t) * (B.pg.cap_h + 1));
    void *scr = NULL;
    size_t scrb = 0;
    int64_t entries = 0;
    int sorted = 1, exact = 1;
    for (int k = 0; k < B.pg.nb; k++) {
        const double *src[3];
        const int64_t *sid[3];
        const int32_t *sty[3];
        for (int j = 0; j < B.pg.nslot[k]; j++) {
            src[j] = B.b[B.pg.slot[k][j]].fld[0];
            sid[j] = B.b[B.pg.slot[k][j]].id;
            sty[j] = B.b[B.pg.slot[k][j]].type;
        }
        sd_pprep io = {.hdr = &B.hdr[k], .plan = B.b[k].plan, .lists = 1, .xv = xv, .tv = tv, .iv = iv,
                       .start = start, .nbr = nbr, .scratch = &scr, .scratch_bytes = &scrb};
        for (int j = 0; j < B.pg.nslot[k]; j++)
            io.src[j] = src[j], io.src_sc[j] = B.pg.cap_h, io.src_id[j] = sid[j], io.src_type[j] = sty[j];
        rc = sd_particles_prepare(&B.pg, min2, k, &io, &st);
        ok(rc == SD_PST_OK, "block %d: %lld home, %lld ghosts, %lld list entries", k, (long long)B.hdr[k].nh,
           (long long)B.hdr[k].ng, (long long)B.hdr[k].nl);
        entries += B.hdr[k].nl;
        for (int64_t i = 0; i < B.hdr[k].nh; i++)
            for (int64_t e = start[i]; e < start[i + 1]; e++) {
                sorted &= e == start[i] || iv[nbr[e]] > iv[nbr[e - 1]];
                /* the ghost's coordinates are an exact image of its owner */
                const int64_t j = nbr[e];
                double r2 = 0;
                for (int c = 0; c < 3; c++) {
                    const double d = xv[i + c * xs] - xv[j + c * xs];
                    r2 += d * d;
                }
                exact &= r2 < B.pg.rl * B.pg.rl;
            }
    }
    const int64_t pairs = brute_pairs(&B, B.pg.rl);
    ok(entries == 2 * pairs, "full lists over all blocks: %lld entries = 2 x %lld pairs within rl (brute force)",
       (long long)entries, (long long)pairs);
    ok(sorted && exact, "each list is sorted by id and holds only pairs within rl");

    /* check mode: a small move changes nothing */
    B.b[0].fld[0][0] += 0.1;
    rc = sd_particles_rebuild(&(sd_prebuild_req){&B.pg, &P, NF, ncomp, 0, 0, 1}, B.b, &s, &st);
    ok(rc == SD_PST_OK && B.hdr[0].rebuilt == 0 && B.b[0].fld[0][0] != B.b[0].x0[0],
       "check mode, largest move 0.1 < skin/2: no rebuild, nothing changed");
    B.b[0].fld[0][0] += 0.1;
    rc = sd_particles_rebuild(&(sd_prebuild_req){&B.pg, &P, NF, ncomp, 0, 0, 1}, B.b, &s, &st);
    ok(rc == SD_PST_OK && B.hdr[0].rebuilt == 1, "check mode, largest move 0.2 > skin/2: rebuilt");

    /* errors leave the blocks as they were */
    const int64_t victim = B.b[1].id[3];
    B.b[1].fld[0][3] = NAN;
    rc = sd_particles_rebuild(&(sd_prebuild_req){&B.pg, &P, NF, ncomp, 0, 0, 0}, B.b, &s, &st);
    ok(rc == SD_PST_LOST && st.id == victim, "a NaN position: particle %lld is lost", (long long)victim);
    char msg[512];
    sd_pstatus_message(&st, &P, 42, msg, sizeof msg);
    ok(strstr(msg, "step 42: particle") && strstr(msg, "is lost"), "message: %s", msg);
    B.b[1].fld[0][3] = B.b[1].x0[3] + 0.6 * B.pg.L[0];
    rc = sd_particles_rebuild(&(sd_prebuild_req){&B.pg, &P, NF, ncomp, 0, 0, 0}, B.b, &s, &st);
    ok(rc == SD_PST_JUMP && st.id == victim && fabs(st.value - 0.6 * B.pg.L[0]) < 1e-9,
       "a particle that moved 0.6 L since the rebuild: lost (jump %.3f)", st.value);
    B.b[1].fld[0][3] = B.b[1].x0[3];
    /* all particles of block 0 into block 1's layer: no room */
    const int64_t before_nh[3] = {B.hdr[0].nh, B.hdr[1].nh, B.hdr[2].nh};
    const double z1 = 0.5 * (double)(B.pg.cut[2][1] + B.pg.cut[2][2]) * B.pg.L[2] / (double)B.pg.grid.nc[2];
    double *keep = malloc(sizeof(double) * 3 * B.pg.cap_h);
    memcpy(keep, B.b[0].fld[0], sizeof(double) * 3 * B.pg.cap_h);
    for (int64_t i = 0; i < B.hdr[0].nh; i++) B.b[0].fld[0][i + 2 * B.pg.cap_h] = z1, B.b[0].x0[i + 2 * B.pg.cap_h] = z1;
    for (int64_t i = 0; i < B.hdr[2].nh; i++) B.b[2].fld[0][i + 2 * B.pg.cap_h] = z1, B.b[2].x0[i + 2 * B.pg.cap_h] = z1;
    rc = sd_particles_rebuild(&(sd_prebuild_req){&B.pg, &P, NF, ncomp, 0, 0, 0}, B.b, &s, &st);
    ok(rc == SD_PST_HOME_ROOM && st.block == 1 && st.need == P.count && st.have == B.pg.cap_h,
       "everything in one layer: block 1 has no room (needs %lld, has %lld)", (long long)st.need, (long long)st.have);
    ok(B.hdr[0].nh == before_nh[0] && B.hdr[1].nh == before_nh[1] && B.hdr[2].nh == before_nh[2] &&
       B.b[0].fld[0][2 * B.pg.cap_h] == z1, "... and the blocks are as they were");
    memcpy(B.b[0].fld[0], keep, sizeof(double) * 3 * B.pg.cap_h);
    free(keep);

    /* an overlap: two particles 0.3 apart */
    blocks_free(&B);
    blocks_make(&B, &P, 1);
    free(xv), free(tv), free(nbr), free(iv), free(start);
    const int64_t xs1 = B.pg.cap_h + B.pg.cap_g;
    xv = malloc(sizeof(double) * 3 * xs1);
    tv = malloc(sizeof(int32_t) * xs1), nbr = malloc(sizeof(int32_t) * B.pg.cap_l);
    iv = malloc(sizeof(int64_t) * xs1), start = malloc(sizeof(int64_t) * (B.pg.cap_h + 1));
    sd_particles_assign(&B.pg, &P, B.b);
    fill(&B, nc, a);
    for (int c = 0; c < 3; c++) B.b[0].fld[0][7 + c * B.pg.cap_h] = B.b[0].fld[0][8 + c * B.pg.cap_h] + (c ? 0 : 0.3);
    sd_prebuild_scratch_free(&s);
    sd_prebuild_scratch_make(&s, &B.pg, P.count);
    rc = sd_particles_rebuild(&(sd_prebuild_req){&B.pg, &P, NF, ncomp, 0, 1, 0}, B.b, &s, &st);
    ok(rc == SD_PST_OK, "one block: rebuilt");
    const double *src1[1] = {B.b[0].fld[0]};
    const int64_t *sid1[1] = {B.b[0].id};
    const int32_t *sty1[1] = {B.b[0].type};
    sd_pprep io1 = {.hdr = &B.hdr[0], .plan = B.b[0].plan, .src = {src1[0]}, .src_sc = {B.pg.cap_h}, .src_id = {sid1[0]},
                    .src_type = {sty1[0]}, .lists = 1, .xv = xv, .tv = tv, .iv = iv, .start = start, .nbr = nbr,
                    .scratch = &scr, .scratch_bytes = &scrb};
    rc = sd_particles_prepare(&B.pg, min2, 0, &io1, &st);
    ok(rc == SD_PST_OVERLAP && ((st.id == 7 && st.id2 == 8) || (st.id == 8 && st.id2 == 7)) &&
       fabs(st.value - 0.3) < 1e-12, "particles 7 and 8 at 0.3 sigma: overlap, both named (%lld, %lld, r %.3f)",
       (long long)st.id, (long long)st.id2, st.value);
    free(xv), free(tv), free(nbr), free(iv), free(start), free(scr);
    sd_prebuild_scratch_free(&s);
    blocks_free(&B);
    return tap_done();
}
