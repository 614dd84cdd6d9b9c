/* particles_blocks.c - blocks of the particle domain: the whole-domain (serial) rebuild, the
 * reference the parallel one (particles_migrate.c) equals bitwise, and the per-block preparation
 * of ghosts and neighbour lists (see particles.h). Geometry: particles_geom.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "particles.h"

/* Pair parameters eps[a*nt + b], sig[a*nt + b]: Lorentz-Berthelot mixing, explicit pairs override. */
static void pair_params(const sd_particles *P, double *eps, double *sig)
{
    const int nt = P->ntypes;
    for (int a = 0; a < nt; a++)
        for (int b = 0; b < nt; b++) { /* as md_lj_table_lb */
            eps[a * nt + b] = sqrt(P->type[a].epsilon * P->type[b].epsilon);
            sig[a * nt + b] = 0.5 * (P->type[a].sigma + P->type[b].sigma);
        }
    for (int k = 0; k < P->npairs; k++) {
        const sd_ppair *q = &P->pair[k];
        eps[q->a * nt + q->b] = eps[q->b * nt + q->a] = q->epsilon;
        sig[q->a * nt + q->b] = sig[q->b * nt + q->a] = q->sigma;
    }
}

void sd_particles_pair_table(const sd_particles *P, md_lj_table *tab)
{
    double eps[SD_MAX_PTYPES * SD_MAX_PTYPES], sig[SD_MAX_PTYPES * SD_MAX_PTYPES];
    pair_params(P, eps, sig);
    md_lj_table_explicit(tab, P->ntypes, eps, sig, P->cutoff, NULL, P->shift);
}

void sd_particles_min_distance2(const sd_particles *P, double *min2)
{
    double eps[SD_MAX_PTYPES * SD_MAX_PTYPES], sig[SD_MAX_PTYPES * SD_MAX_PTYPES];
    pair_params(P, eps, sig);
    for (int k = 0; k < MD_MAX_TYPES * MD_MAX_TYPES; k++) min2[k] = 0.0;
    for (int a = 0; a < P->ntypes; a++)
        for (int b = 0; b < P->ntypes; b++) {
            const double r = P->min_distance * sig[a * P->ntypes + b];
            min2[a * MD_MAX_TYPES + b] = r * r;
        }
}

int sd_prebuild_scratch_make(sd_prebuild_scratch *s, const sd_pgeom *pg, int64_t N)
{
    memset(s, 0, sizeof *s);
    s->n = N;
    s->ncell = sd_md_grid_ncells(&pg->grid);
    s->X = malloc(sizeof(double) * 3 * (size_t)N);
    s->T = malloc(sizeof(double) * (size_t)N);
    s->id = malloc(sizeof(int64_t) * (size_t)N);
    s->cell = malloc(sizeof(int64_t) * (size_t)N);
    s->perm = malloc(sizeof(int64_t) * (size_t)N);
    s->cs = malloc(sizeof(int64_t) * (size_t)(s->ncell + 1));
    s->first = malloc(sizeof(int64_t) * (size_t)(pg->nb + 1));
    s->owner = malloc(sizeof(int64_t) * (size_t)pg->cap_g);
    s->order = malloc(sizeof(int64_t) * (size_t)N);
    s->idx = malloc(sizeof(int64_t) * (size_t)N);
    s->blk = malloc(sizeof(int32_t) * (size_t)N);
    s->type = malloc(sizeof(int32_t) * (size_t)N);
    s->shift = malloc(3 * (size_t)pg->cap_g);
    s->lcs = malloc(sizeof(int64_t) * (size_t)pg->nb * (size_t)sd_pcs_words(pg));
    if (!s->X || !s->T || !s->id || !s->cell || !s->perm || !s->cs || !s->first || !s->owner || !s->order || !s->idx ||
        !s->blk || !s->type || !s->shift || !s->lcs) {
        sd_prebuild_scratch_free(s);
        return -1;
    }
    return 0;
}

void sd_prebuild_scratch_free(sd_prebuild_scratch *s)
{
    free(s->X); free(s->T); free(s->id); free(s->cell); free(s->perm); free(s->cs); free(s->first);
    free(s->owner); free(s->order); free(s->idx); free(s->blk); free(s->type); free(s->shift); free(s->lcs);
    memset(s, 0, sizeof *s);
}

int32_t sd_particles_type_of(const sd_particles *P, int64_t id)
{
    if (P->read) return P->read->type[id]; /* each particle's type as the file gives it */
    int32_t t = 0;
    for (int64_t first = 0; t + 1 < P->ntypes && id >= first + P->type[t].count; t++) first += P->type[t].count;
    return t;
}

void sd_particles_assign(const sd_pgeom *pg, const sd_particles *P, sd_pbuf *b)
{
    const int nb = pg->nb;
    for (int k = 0; k < nb; k++) {
        if (!b[k].hdr) continue; /* another rank's block */
        const int64_t lo = (int64_t)k * P->count / nb, hi = (int64_t)(k + 1) * P->count / nb;
        b[k].hdr->nh = hi - lo;
        b[k].hdr->ng = b[k].hdr->nl = 0;
        b[k].hdr->rebuilt = b[k].hdr->nleave = 0; /* the first build is the serial rebuild */
        for (int64_t i = 0; i < hi - lo; i++) {
            b[k].id[i] = lo + i;
            b[k].type[i] = sd_particles_type_of(P, lo + i);
        }
    }
}

void sd_particles_place(const sd_pgeom *pg, const sd_particles *P, const sd_pbuf *b, double *const *x, double *const *v)
{
    const sd_pread *rd = P->read;
    for (int k = 0; k < pg->nb; k++)
        for (int64_t i = 0; b[k].hdr && i < b[k].hdr->nh; i++) { /* no hdr: another rank's block */
            const int64_t id = b[k].id[i];
            for (int d = 0; d < 3; d++) {
                x[k][i + d * pg->cap_h] = rd->x[3 * id + d];
                if (rd->v) v[k][i + d * pg->cap_h] = rd->v[3 * id + d];
            }
        }
}

static int fail_at(sd_pstatus *st, int code, int block, int64_t id, double value)
{
    st->code = code;
    st->block = block;
    st->id = id;
    st->value = value;
    return code;
}

/* Block k's first particle whose position is not finite, or that moved more than half the smallest
 * box length since the last build (then it crossed the box within a few steps: a blow-up). */
int sd_pbuf_find_lost(const sd_pgeom *pg, int pos, const sd_pbuf *bk, int k, int first, sd_pstatus *st)
{
    const double Lmin = fmin(pg->L[0], fmin(pg->L[1], pg->L[2])), jump2 = 0.25 * Lmin * Lmin;
    const double *x = bk->fld[pos], *x0 = bk->x0;
    for (int64_t i = 0; i < bk->hdr->nh; i++) {
        const double px = x[i], py = x[i + pg->cap_h], pz = x[i + 2 * pg->cap_h];
        if (!isfinite(px) || !isfinite(py) || !isfinite(pz)) return fail_at(st, SD_PST_LOST, k, bk->id[i], NAN);
        if (first) continue;
        const double d2 = md_disp2(px, py, pz, x0[i], x0[i + pg->cap_h], x0[i + 2 * pg->cap_h]);
        if (d2 > jump2) return fail_at(st, SD_PST_JUMP, k, bk->id[i], sqrt(d2));
    }
    return SD_PST_OK;
}

int sd_particles_rebuild(const sd_prebuild_req *req, sd_pbuf *b, sd_prebuild_scratch *s, sd_pstatus *st)
{
    const sd_pgeom *pg = req->geom;
    const sd_particles *P = req->P;
    const int nf = req->nfields, pos = req->position, first = req->first, check = req->check;
    const int *ncomp = req->ncomp;
    memset(st, 0, sizeof *st);
    const int nb = pg->nb;
    const int64_t N = s->n, ch = pg->cap_h;
    if (!first) {
        sd_acc D;
        sd_acc_init(&D);
        for (int k = 0; k < nb; k++) sd_md_max_disp2(b[k].hdr->nh, b[k].fld[pos], ch, b[k].x0, ch, &D);
        const int moved = D.nonfinite > 0 || !(D.maxv <= 0.25 * P->skin * P->skin);
        if (check && !moved) {
            for (int k = 0; k < nb; k++) b[k].hdr->rebuilt = 0;
            return SD_PST_OK;
        }
        st->dangerous = !check && moved; /* reported only if the rebuild succeeds */
    }
    for (int k = 0; k < nb; k++)
        if (sd_pbuf_find_lost(pg, pos, &b[k], k, first, st)) return st->code;
    /* 1. gather the blocks (positions wrapped), bin, sort by (cell, id) */
    int64_t o = 0;
    for (int k = 0; k < nb; k++) {
        const int64_t n = b[k].hdr->nh;
        for (int c = 0; c < 3; c++) memcpy(s->X + c * N + o, b[k].fld[pos] + c * ch, sizeof(double) * (size_t)n);
        memcpy(s->id + o, b[k].id, sizeof(int64_t) * (size_t)n);
        memcpy(s->type + o, b[k].type, sizeof(int32_t) * (size_t)n);
        o += n;
    }
    sd_md_wrap(N, pg->L, s->X, N);
    sd_md_bin(N, s->X, N, &pg->grid, s->cell);
    sd_md_sort_by_cell(N, s->cell, s->id, s->ncell, s->cs, s->perm);
    /* 2. each block's particles: its cells in (z, y, x) order, each cell's sorted ranks, and its
     * cell starts (lcs); their room, and their exports' */
    int64_t o2 = 0;
    const int64_t W = sd_pcs_words(pg);
    for (int k = 0; k < nb; k++) {
        int64_t lo[3], hi[3], l = 0, *lc = s->lcs + k * W;
        sd_pgeom_brick(pg, k, lo, hi);
        s->first[k] = o2;
        for (int64_t z = lo[2]; z < hi[2]; z++)
            for (int64_t y = lo[1]; y < hi[1]; y++) {
                const int64_t row = pg->grid.nc[0] * (y + pg->grid.nc[1] * z);
                for (int64_t x = lo[0]; x < hi[0]; x++) lc[l++] = o2 - s->first[k] + s->cs[row + x] - s->cs[row + lo[0]];
                for (int64_t r = s->cs[row + lo[0]]; r < s->cs[row + hi[0]]; r++, o2++) {
                    s->order[o2] = r;
                    s->blk[r] = k;
                    s->idx[r] = o2 - s->first[k];
                }
            }
        for (int64_t m = l; m <= pg->cap_c; m++) lc[m] = o2 - s->first[k]; /* cells past a smaller brick's: empty */
    }
    s->first[nb] = o2;
    for (int k = 0; k < nb; k++)
        if (s->first[k + 1] - s->first[k] > ch) {
            st->need = s->first[k + 1] - s->first[k];
            st->have = ch;
            return fail_at(st, SD_PST_HOME_ROOM, k, -1, NAN);
        }
    for (int k = 0; k < nb; k++) {
        const int64_t ne = sd_pexport_starts(pg, k, s->lcs + k * W);
        if (pg->cap_e && ne > pg->cap_e[k]) {
            st->need = ne;
            st->have = pg->cap_e[k];
            return fail_at(st, SD_PST_EXPORT_ROOM, k, -1, NAN);
        }
    }
    /* 3. ghost plans (owners are sorted ranks: turned into (slot, index in that block)); counted
     * first, so that a block without room leaves every block as it was */
    int64_t ng[nb > 0 ? nb : 1];
    for (int k = 0; k < nb; k++) {
        int64_t blo[3], bhi[3];
        sd_pgeom_brick(pg, k, blo, bhi);
        ng[k] = sd_md_ghost_plan(&pg->grid, s->cs, blo, bhi, s->owner, s->shift, 0);
        if (ng[k] > pg->cap_g) {
            st->need = ng[k];
            st->have = pg->cap_g;
            return fail_at(st, SD_PST_GHOST_ROOM, k, -1, NAN);
        }
    }
    for (int k = 0; k < nb; k++) {
        int64_t blo[3], bhi[3];
        sd_pgeom_brick(pg, k, blo, bhi);
        sd_md_ghost_plan(&pg->grid, s->cs, blo, bhi, s->owner, s->shift, pg->cap_g);
        for (int64_t g = 0; g < ng[k]; g++) {
            const int64_t r = s->owner[g];
            const int o = s->blk[r];
            md_ghost *e = &b[k].plan[g];
            e->slot = (int8_t)sd_pgeom_slot_of(pg, k, o); /* ghosts come from the bricks next to the block */
            e->own = s->idx[r];
            if (sd_pgeom_remote(pg, k, o)) { /* its place in o's export buffers */
                const int64_t *nc = pg->grid.nc, gc = s->cell[s->perm[r]];
                const int64_t c[3] = {gc % nc[0], gc / nc[0] % nc[1], gc / (nc[0] * nc[1])};
                int64_t local;
                sd_pgeom_owner(pg, c, &local);
                e->own = sd_pexport_index(pg, s->lcs + o * W, local, e->own);
            }
            for (int d = 0; d < 3; d++) e->s[d] = s->shift[3 * g + d];
            e->pad = 0;
        }
    }
    /* the gathered index of each block's particles, block after block */
    for (int64_t r = 0; r < N; r++) s->order[r] = s->perm[s->order[r]];
    /* 4. redistribute every field in the sorted order (positions wrapped), one component at a
     * time (fields may have any number of components) */
    for (int f = 0; f < nf; f++)
        for (int c = 0; c < ncomp[f]; c++) {
            const double *src = s->X + c * N;
            if (f != pos) {
                o = 0;
                for (int k = 0; k < nb; k++) {
                    memcpy(s->T + o, b[k].fld[f] + c * ch, sizeof(double) * (size_t)b[k].hdr->nh);
                    o += b[k].hdr->nh;
                }
                src = s->T;
            }
            for (int k = 0; k < nb; k++)
                sd_md_gather_f64(s->first[k + 1] - s->first[k], s->order + s->first[k], 1, src, N, b[k].fld[f] + c * ch, ch);
        }
    for (int k = 0; k < nb; k++) {
        const int64_t n = s->first[k + 1] - s->first[k], *perm = s->order + s->first[k];
        sd_md_gather_i64(n, perm, s->id, b[k].id);
        sd_md_gather_i32(n, perm, s->type, b[k].type);
        for (int c = 0; c < 3; c++) memcpy(b[k].x0 + c * ch, b[k].fld[pos] + c * ch, sizeof(double) * (size_t)n);
        b[k].hdr->nh = n;
        b[k].hdr->ng = ng[k];
        b[k].hdr->rebuilt = 1;
        b[k].hdr->nleave = (int32_t)sd_pcs_count(s->lcs + k * W, pg->bcell[k], pg->nbcell[k]);
        if (b[k].cs) memcpy(b[k].cs, s->lcs + k * W, sizeof(int64_t) * (size_t)W);
    }
    return SD_PST_OK;
}

int sd_particles_prepare(const sd_pgeom *pg, const double *min2, int b, const sd_pprep *io, sd_pstatus *st)
{
    sd_phdr *hdr = io->hdr;
    const md_ghost *plan = io->plan;
    const double *const *src = io->src;
    const int64_t *const *sid = io->src_id;
    const int32_t *const *stype = io->src_type;
    double *xv = io->xv;
    int32_t *tv = io->tv, *nbr = io->nbr;
    int64_t *iv = io->iv, *start = io->start;
    void **scratch = io->scratch;
    size_t *scratch_bytes = io->scratch_bytes;
    memset(st, 0, sizeof *st);
    const int64_t nh = hdr->nh, ng = hdr->ng, ch = pg->cap_h, xvsc = pg->cap_h + pg->cap_g;
    for (int c = 0; c < 3; c++) memcpy(xv + c * xvsc, src[0] + c * ch, sizeof(double) * (size_t)nh);
    sd_md_ghost_fill_slots(ng, plan, pg->L, src, io->src_sc, xv + nh, xvsc);
    if (!io->lists) return SD_PST_OK;
    memcpy(iv, sid[0], sizeof(int64_t) * (size_t)nh);
    memcpy(tv, stype[0], sizeof(int32_t) * (size_t)nh);
    sd_md_ghost_gather_slots(ng, plan, sid, stype, iv + nh, tv + nh);
    md_grid gb;
    int64_t blo[3], bhi[3];
    sd_pgeom_brick(pg, b, blo, bhi);
    sd_md_grid_block(&pg->grid, blo, bhi, &gb);
    const size_t need = sd_md_neighbor_scratch_bytes(nh + ng, xv, xvsc, pg->rl, &gb);
    if (need > *scratch_bytes) {
        void *p = realloc(*scratch, need + need / 8);
        if (!p) {
            st->need = (int64_t)need;
            return fail_at(st, SD_PST_NOMEM, b, -1, NAN);
        }
        *scratch = p;
        *scratch_bytes = need + need / 8;
    }
    const md_neighbor_args build = {.home_count = nh, .ghost_count = ng, .position = xv, .position_stride = xvsc,
                                    .id = iv, .list_radius = pg->rl, .grid = &gb, .list_start = start, .list = nbr,
                                    .list_capacity = pg->cap_l, .scratch = *scratch, .scratch_bytes = *scratch_bytes};
    const int64_t nl = sd_md_neighbor_build(&build);
    if (nl > pg->cap_l) {
        st->need = nl;
        st->have = pg->cap_l;
        return fail_at(st, SD_PST_LIST_ROOM, b, -1, NAN);
    }
    hdr->nl = nl;
    int64_t j;
    double r2;
    const int64_t i = sd_md_find_overlap(nh, xv, xvsc, tv, min2, start, nbr, &j, &r2);
    if (i >= 0) {
        fail_at(st, SD_PST_OVERLAP, b, iv[i], sqrt(r2));
        st->id2 = iv[j];
        return st->code;
    }
    return SD_PST_OK;
}

void sd_pstatus_message(const sd_pstatus *st, const sd_particles *P, int64_t step, char *buf, size_t len)
{
    switch (st->code) {
    case SD_PST_LOST:
        snprintf(buf, len, "step %lld: particle %lld is lost: its position is not finite (the run blew up: a "
                 "smaller dt, or check the initial state for overlaps)", (long long)step, (long long)st->id);
        break;
    case SD_PST_JUMP:
        snprintf(buf, len, "step %lld: particle %lld is lost: it moved %.6g since the last neighbour-list rebuild, "
                 "more than half the box (the run blew up: a smaller dt)", (long long)step, (long long)st->id, st->value);
        break;
    case SD_PST_HOME_ROOM:
    case SD_PST_GHOST_ROOM:
    case SD_PST_EXPORT_ROOM:
    case SD_PST_LIST_ROOM:
        snprintf(buf, len, "step %lld: block %d needs room for %lld %s but has %lld: the particles are more unevenly "
                 "spread than domain.particles.neighbor.capacity = %g allows (raise it)", (long long)step, st->block,
                 (long long)st->need, st->code == SD_PST_HOME_ROOM ? "particles" : st->code == SD_PST_GHOST_ROOM ? "ghosts"
                 : st->code == SD_PST_EXPORT_ROOM ? "particles its neighbours on other ranks hold as ghosts"
                 : "neighbour-list entries", (long long)st->have, P->capacity);
        break;
    case SD_PST_OVERLAP:
        snprintf(buf, len, "step %lld: particles %lld and %lld overlap: distance %.6g, below min_distance %g x sigma "
                 "(a bad initial state, or the run blew up: a smaller dt)", (long long)step, (long long)st->id,
                 (long long)st->id2, st->value, P->min_distance);
        break;
    case SD_PST_FAR:
        if (st->id >= 0)
            snprintf(buf, len, "step %lld: particle %lld moved beyond the blocks next to its own, which the parallel "
                     "rebuild's displacement bound rules out (an internal error: please report it)", (long long)step,
                     (long long)st->id);
        else
            snprintf(buf, len, "step %lld: %lld particles left block %d, more than the %lld its outgoing buffer has room "
                     "for, which the parallel rebuild's bounds rule out (an internal error: please report it)",
                     (long long)step, (long long)st->need, st->block, (long long)st->have);
        break;
    case SD_PST_NOMEM:
        snprintf(buf, len, "step %lld: out of memory: block %d's neighbour search needs %lld bytes of scratch",
                 (long long)step, st->block, (long long)st->need);
        break;
    default: snprintf(buf, len, "step %lld: no error", (long long)step);
    }
}
