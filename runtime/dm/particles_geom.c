/* particles_geom.c - the particle domain's blocks: bricks of whole cells of the box grid, chosen
 * to give the workers enough blocks with the fewest ghost cells, each block's neighbourhood (the
 * sources of its ghosts and of the particles that migrate into it), and the room per block. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "particles.h"

/* of a cell: the slack of the parallel rebuild's reach against rounding in wrap and binning */
#define REACH_SLACK 0.01

/* Ghost cells of one brick when axis d is cut into p[d] (widths nc/p, as reals): the one-cell
 * layer around it. */
static double ghost_cells(const int64_t nc[3], const int p[3])
{
    double in = 1.0, out = 1.0;
    for (int d = 0; d < 3; d++) {
        const double w = (double)nc[d] / p[d];
        in *= w;
        out *= w + 2.0;
    }
    return out - in;
}

/* The brick grid p (p0 p1 p2 = n, p[d] <= nc[d]) with the fewest ghost cells per brick (ties: more
 * cuts along z, then y); 0, or -1 when none fits. */
static int factorise(int n, const int64_t nc[3], int p[3])
{
    double best = INFINITY;
    for (int pz = n; pz >= 1; pz--) {
        if (n % pz || pz > nc[2]) continue;
        for (int py = n / pz; py >= 1; py--) {
            if ((n / pz) % py || py > nc[1]) continue;
            const int q[3] = {n / pz / py, py, pz};
            if (q[0] > nc[0]) continue;
            const double g = ghost_cells(nc, q);
            if (g < best) best = g, memcpy(p, q, sizeof q);
        }
    }
    return best < INFINITY ? 0 : -1;
}

void sd_pgeom_brick(const sd_pgeom *pg, int b, int64_t lo[3], int64_t hi[3])
{
    const int i[3] = {b % pg->nbd[0], (b / pg->nbd[0]) % pg->nbd[1], b / (pg->nbd[0] * pg->nbd[1])};
    for (int d = 0; d < 3; d++) {
        lo[d] = pg->cut[d][i[d]];
        hi[d] = pg->cut[d][i[d] + 1];
    }
}

int sd_pgeom_owner(const sd_pgeom *pg, const int64_t c[3], int64_t *local)
{
    int i[3];
    int64_t w[3];
    for (int d = 0; d < 3; d++) {
        i[d] = pg->at[d][c[d]];
        w[d] = pg->cut[d][i[d] + 1] - pg->cut[d][i[d]];
    }
    *local = (c[0] - pg->cut[0][i[0]]) + w[0] * ((c[1] - pg->cut[1][i[1]]) + w[1] * (c[2] - pg->cut[2][i[2]]));
    return i[0] + pg->nbd[0] * (i[1] + pg->nbd[1] * i[2]);
}

int sd_pgeom_slot_of(const sd_pgeom *pg, int b, int o)
{
    for (int j = 0; j < pg->nslot[b]; j++)
        if (pg->slot[b][j] == o) return j;
    return -1;
}

/* Block b's neighbourhood: itself, then the bricks around it (periodically), each once. */
static void neighbourhood(sd_pgeom *pg, int b)
{
    const int *n = pg->nbd, i[3] = {b % n[0], (b / n[0]) % n[1], b / (n[0] * n[1])};
    pg->slot[b][0] = b;
    pg->nslot[b] = 1;
    for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                const int o = (i[0] + dx + n[0]) % n[0] + n[0] * ((i[1] + dy + n[1]) % n[1] + n[1] * ((i[2] + dz + n[2]) % n[2]));
                if (sd_pgeom_slot_of(pg, b, o) < 0) pg->slot[b][pg->nslot[b]++] = o;
            }
}

/* The cuts along each axis, the brick of each cell coordinate, and the parallel rebuild's reach:
 * a particle that moved less than (1 - slack) cells along every axis lands in its old cell or one
 * next to it. So it stays in its block's neighbourhood, and only particles of the cells next to
 * other bricks can leave: the outgoing buffers need room for those only (not for whole blocks,
 * which StarPU-MPI would send whole). Returns the widest brick per axis in wmax. */
static int cut_axes(sd_pgeom *pg, int64_t wmax[3])
{
    pg->reach2 = INFINITY;
    for (int d = 0; d < 3; d++) {
        const double r = (1.0 - REACH_SLACK) / pg->grid.ih[d];
        if (r * r < pg->reach2) pg->reach2 = r * r;
    }
    for (int d = 0; d < 3; d++) {
        const int64_t nc = pg->grid.nc[d];
        pg->cut[d] = calloc((size_t)pg->nbd[d] + 1, sizeof *pg->cut[d]);
        pg->at[d] = calloc((size_t)nc, sizeof *pg->at[d]);
        if (!pg->cut[d] || !pg->at[d]) return -1;
        wmax[d] = 0;
        for (int i = 0; i <= pg->nbd[d]; i++) pg->cut[d][i] = (int64_t)i * nc / pg->nbd[d];
        for (int i = 0; i < pg->nbd[d]; i++) {
            const int64_t w = pg->cut[d][i + 1] - pg->cut[d][i];
            wmax[d] = w > wmax[d] ? w : wmax[d];
            for (int64_t c = pg->cut[d][i]; c < pg->cut[d][i + 1]; c++) pg->at[d][c] = i;
        }
    }
    return 0;
}

/* Whether cell c of the box grid (in block b) is next to a cell of another brick (rank NULL) or of
 * a brick on another rank. */
static int next_to(const sd_pgeom *pg, int b, const int *rank, const int64_t c[3])
{
    const int64_t *nc = pg->grid.nc;
    for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                const int64_t d[3] = {dx, dy, dz};
                int64_t n[3], local;
                for (int a = 0; a < 3; a++) n[a] = ((c[a] + d[a]) % nc[a] + nc[a]) % nc[a]; /* periodic */
                const int o = sd_pgeom_owner(pg, n, &local);
                if (rank ? rank[o] != rank[b] : o != b) return 1;
            }
    return 0;
}

int64_t sd_pgeom_cells_next_to(const sd_pgeom *pg, int b, const int *rank, int64_t *cell)
{
    int64_t lo[3], hi[3], l = 0, n = 0;
    sd_pgeom_brick(pg, b, lo, hi);
    for (int64_t z = lo[2]; z < hi[2]; z++)
        for (int64_t y = lo[1]; y < hi[1]; y++)
            for (int64_t x = lo[0]; x < hi[0]; x++, l++) {
                const int64_t c[3] = {x, y, z};
                if (next_to(pg, b, rank, c)) cell[n++] = l;
            }
    return n;
}

int64_t sd_pgeom_room(const sd_pgeom *pg, int64_t ncell)
{
    const int64_t room = (int64_t)ceil(pg->room_cell * (double)ncell) + SD_PROOM_MIN;
    return room < pg->cap_h ? room : pg->cap_h;
}

int64_t sd_pcs_count(const int64_t *cs, const int64_t *cell, int64_t ncell)
{
    int64_t n = 0;
    for (int64_t i = 0; i < ncell; i++) n += cs[cell[i] + 1] - cs[cell[i]];
    return n;
}

/* Each block's cells next to other bricks and its outgoing room (the rule of the other rooms). */
static int leaving_room(sd_pgeom *pg)
{
    pg->bcell = calloc(pg->nb, sizeof *pg->bcell);
    pg->nbcell = calloc(pg->nb, sizeof *pg->nbcell);
    pg->cap_o = calloc(pg->nb, sizeof *pg->cap_o);
    if (!pg->bcell || !pg->nbcell || !pg->cap_o) return -1;
    for (int b = 0; b < pg->nb; b++) {
        if (!(pg->bcell[b] = malloc(sizeof(int64_t) * (size_t)pg->cap_c))) return -1;
        pg->nbcell[b] = sd_pgeom_cells_next_to(pg, b, NULL, pg->bcell[b]);
        pg->cap_o[b] = sd_pgeom_room(pg, pg->nbcell[b]);
    }
    return 0;
}

/* -1 with the message of a block count no brick grid of the cells nc (cells of rl) fits. */
static int no_brick_grid(int nblocks, const int64_t nc[3], double rl, char *err, size_t errlen)
{
    snprintf(err, errlen, "%d blocks asked for, but no brick grid of %d blocks fits the box's %lldx%lldx%lld cells "
             "(cells of cutoff + skin = %g; a block is at least one cell along each axis)", nblocks, nblocks,
             (long long)nc[0], (long long)nc[1], (long long)nc[2], rl);
    return -1;
}

int sd_pgeom_blocks_fit(const sd_particles *P, int nblocks, char *err, size_t errlen)
{
    if (!(P->box[0] > 0 && P->box[1] > 0 && P->box[2] > 0)) return 0; /* no box yet: sd_pgeom_make judges */
    md_grid grid;
    int nbd[3];
    sd_md_grid_box(P->box, P->cutoff + P->skin, &grid);
    return factorise(nblocks, grid.nc, nbd) == 0 ? 0 : no_brick_grid(nblocks, grid.nc, P->cutoff + P->skin, err, errlen);
}

int sd_pgeom_make(sd_pgeom *pg, const sd_particles *P, int nblocks, int ncpu, int ncuda, char *err, size_t errlen)
{
    memset(pg, 0, sizeof *pg);
    pg->rl = P->cutoff + P->skin;
    for (int d = 0; d < 3; d++) pg->L[d] = P->box[d];
    sd_md_grid_box(P->box, pg->rl, &pg->grid);
    const int64_t *nc = pg->grid.nc;
    int nb = nblocks;
    if (nb > 0 && factorise(nb, nc, pg->nbd) < 0) return no_brick_grid(nb, nc, pg->rl, err, errlen);
    if (nb <= 0) {
        /* enough blocks to balance the workers, none so small that StarPU's per-task cost shows */
        const int want = 4 * (ncpu > 0 ? ncpu : 1) + 2 * ncuda;
        const int64_t by_size = P->count / 2000;
        for (nb = want < by_size ? want : (int)(by_size > 0 ? by_size : 1); nb > 1; nb--)
            if (factorise(nb, nc, pg->nbd) == 0) break;
        if (nb <= 1) nb = 1, pg->nbd[0] = pg->nbd[1] = pg->nbd[2] = 1;
    }
    pg->nb = nb;
    pg->slot = calloc(nb, sizeof *pg->slot);
    pg->nslot = calloc(nb, sizeof *pg->nslot);
    int64_t w[3];
    if (!pg->slot || !pg->nslot || cut_axes(pg, w) < 0) {
        snprintf(err, errlen, "out of memory");
        sd_pgeom_free(pg);
        return -1;
    }
    for (int b = 0; b < nb; b++) neighbourhood(pg, b);
    pg->cap_c = w[0] * w[1] * w[2];
    /* capacities: the mean occupancy of the largest brick and its ghost layer times the capacity factor */
    const double V = P->box[0] * P->box[1] * P->box[2], rho = (double)P->count / V;
    const double per_cell = (double)P->count / (double)sd_md_grid_ncells(&pg->grid);
    const double home = per_cell * (double)pg->cap_c;
    const double shell = per_cell * ((double)(w[0] + 2) * (double)(w[1] + 2) * (double)(w[2] + 2) - (double)pg->cap_c);
    const double pairs = rho * 4.0 / 3.0 * M_PI * pg->rl * pg->rl * pg->rl;
    pg->room_cell = per_cell * P->capacity;
    pg->cap_h = (int64_t)ceil(home * P->capacity) + SD_PROOM_MIN;
    if (nb == 1 || pg->cap_h > P->count) pg->cap_h = P->count;
    pg->cap_g = (int64_t)ceil(shell * P->capacity) + SD_PROOM_MIN;
    pg->cap_l = (int64_t)ceil(home * pairs * P->capacity * P->capacity) + 16 * SD_PROOM_MIN;
    /* list indices are int32, and StarPU vectors count their elements in 32 bits */
    if (pg->cap_l > INT32_MAX || 3 * (pg->cap_h + pg->cap_g) > INT32_MAX) {
        snprintf(err, errlen, "a block of up to %lld particles with %lld ghosts and %lld list entries is too large "
                 "(32-bit indices): use more blocks (tiles: N), or a smaller neighbor.capacity",
                 (long long)pg->cap_h, (long long)pg->cap_g, (long long)pg->cap_l);
        sd_pgeom_free(pg);
        return -1;
    }
    if (leaving_room(pg) < 0) {
        snprintf(err, errlen, "out of memory");
        sd_pgeom_free(pg);
        return -1;
    }
    return 0;
}

void sd_pgeom_free(sd_pgeom *pg)
{
    for (int d = 0; d < 3; d++) {
        free(pg->cut[d]);
        free(pg->at[d]);
        pg->cut[d] = NULL;
        pg->at[d] = NULL;
    }
    free(pg->slot);
    free(pg->nslot);
    pg->slot = NULL;
    pg->nslot = NULL;
    for (int b = 0; pg->bcell && b < pg->nb; b++) free(pg->bcell[b]);
    free(pg->bcell);
    free(pg->nbcell);
    free(pg->cap_o);
    pg->bcell = NULL;
    pg->nbcell = pg->cap_o = NULL;
    for (int b = 0; pg->ecell && b < pg->nb; b++) free(pg->ecell[b]);
    free(pg->ecell);
    free(pg->necell);
    free(pg->cap_e);
    free(pg->rank);
    pg->ecell = NULL;
    pg->necell = pg->cap_e = NULL;
    pg->rank = NULL;
}
