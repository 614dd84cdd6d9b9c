/* particles_migrate.c - the parallel rebuild's phases (particles.h): per block, its particles that
 * left its brick migrate to the neighbours now owning their cells, and each block sorts what it
 * holds by (cell, id) and plans its ghosts. A block's particles end up those whose wrapped, binned
 * cell lies in its brick, in (cell, id) order, whichever block they came from: bitwise what the
 * serial rebuild (particles_blocks.c) gives. Plain C over host pointers, no StarPU. */
#include <math.h>
#include <string.h>
#include "particles.h"

/* A block's outgoing buffer: per slot j of its neighbourhood the particles [off[j], off[j+1]) that
 * now belong to that neighbour (slot 0, the block itself, is empty), then, with room for cap_o
 * particles (those in its cells next to other bricks at the last build: no other can leave), their
 * ids, every field's components and their types. */
typedef struct pout {
    int64_t *off;
    int64_t *id;
    double *v;  /* component q (fields in order, then components) of particle i at v[i + q * cap_o] */
    int32_t *type;
    int64_t cap;
} pout;

static int ncomp_total(const sd_prebuild_req *req)
{
    int n = 0;
    for (int f = 0; f < req->nfields; f++) n += req->ncomp[f];
    return n;
}

size_t sd_pout_bytes(const sd_pgeom *pg, const sd_prebuild_req *req, int b)
{
    return sizeof(int64_t) * (SD_PSLOTS + 1) + (size_t)pg->cap_o[b] * (sizeof(int64_t) + sizeof(int32_t) +
                                                                        sizeof(double) * (size_t)ncomp_total(req));
}

/* Block b's outgoing buffer at mem. */
static pout pout_view(const sd_pgeom *pg, const sd_prebuild_req *req, const void *mem, int b)
{
    char *p = (char *)mem;
    pout o;
    o.cap = pg->cap_o[b];
    o.off = (int64_t *)p;
    o.id = o.off + SD_PSLOTS + 1;
    o.v = (double *)(o.id + o.cap);
    o.type = (int32_t *)(o.v + (size_t)o.cap * (size_t)ncomp_total(req));
    return o;
}

size_t sd_prebuild_block_scratch_bytes(const sd_pgeom *pg) { return 3 * sizeof(int64_t) * (size_t)pg->cap_h; }

static void set_status(sd_pstatus *st, int code, int block, int64_t id, int64_t need, int64_t have)
{
    memset(st, 0, sizeof *st);
    st->code = code;
    st->block = block;
    st->id = id;
    st->value = NAN;
    st->need = need;
    st->have = have;
}

/* The box grid's cell coordinates of the position at i (component stride sc), as sd_md_bin bins it. */
static void cell_of(const md_grid *g, const double *x, int64_t i, int64_t sc, int64_t c[3])
{
    for (int d = 0; d < 3; d++) c[d] = md_cell_coord(x[i + d * sc], g->lo[d], g->ih[d], g->nc[d]);
}

void sd_prebuild_scan(const sd_prebuild_req *req, sd_prebuild_block *B)
{
    const sd_pgeom *pg = req->geom;
    const sd_pbuf *b = &B->buf;
    sd_pblockstat *bs = B->stat;
    memset(bs, 0, sizeof *bs);
    sd_acc_init(&bs->disp);
    if (req->first) return; /* decided without scans: the serial rebuild */
    bs->nleave = b->hdr->nleave;
    sd_md_max_disp2(b->hdr->nh, b->fld[req->position], pg->cap_h, b->x0, pg->cap_h, &bs->disp);
    sd_pbuf_find_lost(pg, req->position, b, B->k, 0, &bs->lost);
}

int sd_prebuild_decide(const sd_prebuild_req *req, const sd_pblockstat *const *stat, sd_pdecision *dec, sd_pstatus *st)
{
    const sd_pgeom *pg = req->geom;
    memset(st, 0, sizeof *st);
    memset(dec, 0, sizeof *dec);
    dec->full = -1;
    if (req->first) { /* blocks hold id ranges, not bricks: only the whole-domain sort places them */
        dec->mode = SD_PREB_SERIAL;
        return SD_PST_OK;
    }
    /* the exact max over all blocks, as the serial rebuild folds it */
    double maxv = -INFINITY;
    int64_t nonfinite = 0;
    for (int k = 0; k < pg->nb; k++) {
        nonfinite += stat[k]->disp.nonfinite;
        maxv = stat[k]->disp.maxv > maxv ? stat[k]->disp.maxv : maxv;
    }
    const int moved = nonfinite > 0 || !(maxv <= 0.25 * req->P->skin * req->P->skin);
    dec->max_disp2 = maxv;
    dec->mode = SD_PREB_KEEP;
    if (req->check && !moved) return SD_PST_OK;
    for (int k = 0; k < pg->nb; k++) /* the first lost particle in block order, as the serial rebuild finds it */
        if (stat[k]->lost.code) {
            *st = stat[k]->lost;
            return st->code;
        }
    dec->dangerous = !req->check && moved;
    dec->mode = maxv < pg->reach2 ? SD_PREB_PARALLEL : SD_PREB_SERIAL;
    for (int k = 0; dec->mode == SD_PREB_PARALLEL && k < pg->nb; k++)
        if (stat[k]->nleave > pg->cap_o[k]) { /* its leaving particles might not fit its outgoing buffer */
            dec->mode = SD_PREB_SERIAL;
            dec->full = k;
            dec->need = stat[k]->nleave;
            dec->have = pg->cap_o[k];
        }
    return SD_PST_OK;
}

/* Move particle i's entries of every per-particle array to dst[i] (>= 0: index among the kept, never
 * above i; else -1 - its place in the outgoing buffer; INT64_MIN: dropped). */
static void move_out(const sd_prebuild_req *req, sd_pbuf *b, const pout *o, const int64_t *dst, int64_t n)
{
    const int64_t ch = req->geom->cap_h, co = o->cap;
    for (int64_t i = 0; i < n; i++) {
        if (dst[i] >= 0) {
            b->id[dst[i]] = b->id[i];
            b->type[dst[i]] = b->type[i];
        } else if (dst[i] != INT64_MIN) {
            o->id[-1 - dst[i]] = b->id[i];
            o->type[-1 - dst[i]] = b->type[i];
        }
    }
    int q = 0;
    for (int f = 0; f < req->nfields; f++)
        for (int c = 0; c < req->ncomp[f]; c++, q++) {
            double *v = b->fld[f] + c * ch, *w = o->v + (size_t)q * (size_t)co;
            for (int64_t i = 0; i < n; i++) {
                if (dst[i] >= 0) v[dst[i]] = v[i];
                else if (dst[i] != INT64_MIN) w[-1 - dst[i]] = v[i];
            }
        }
}

void sd_prebuild_migrate(const sd_prebuild_req *req, sd_prebuild_block *B)
{
    const sd_pgeom *pg = req->geom;
    const int k = B->k;
    sd_pbuf *b = &B->buf;
    const int64_t ch = pg->cap_h, n = b->hdr->nh;
    pout o = pout_view(pg, req, B->out, k);
    int64_t *slot = B->scratch, *dst = slot + ch, cnt[SD_PSLOTS + 1] = {0};
    double *x = b->fld[req->position];
    sd_md_wrap(n, pg->L, x, ch);
    for (int64_t i = 0; i < n; i++) {
        int64_t c[3], local;
        cell_of(&pg->grid, x, i, ch, c);
        const int j = sd_pgeom_slot_of(pg, k, sd_pgeom_owner(pg, c, &local));
        if (j < 0 && !B->stat->far.code) set_status(&B->stat->far, SD_PST_FAR, k, b->id[i], 0, 0);
        slot[i] = j;
        cnt[j < 0 ? SD_PSLOTS : j]++;
    }
    o.off[0] = o.off[1] = 0;
    for (int j = 1; j < SD_PSLOTS; j++) o.off[j + 1] = o.off[j] + (j < pg->nslot[k] ? cnt[j] : 0);
    if (o.off[SD_PSLOTS] > o.cap) { /* decide rules it out (reach2, nleave); never write past the room */
        if (!B->stat->far.code) set_status(&B->stat->far, SD_PST_FAR, k, -1, o.off[SD_PSLOTS], o.cap);
        for (int64_t i = 0; i < n; i++) slot[i] = slot[i] == 0 ? 0 : -1;
        for (int j = 1; j <= SD_PSLOTS; j++) o.off[j] = 0;
    }
    int64_t fill[SD_PSLOTS], kept = 0;
    memcpy(fill, o.off, sizeof fill);
    for (int64_t i = 0; i < n; i++) dst[i] = slot[i] == 0 ? kept++ : slot[i] < 0 ? INT64_MIN : -1 - fill[slot[i]]++;
    move_out(req, b, &o, dst, n);
    b->hdr->nh = kept;
}

/* Empty, with a status naming the room it needed (its particles', or its exports'): consistent (no
 * stray reads) until the run stops. */
static void empty_block(const sd_pgeom *pg, sd_prebuild_block *B, sd_pstatus *st, int code, int64_t need, int64_t have)
{
    set_status(st, code, B->k, -1, need, have);
    memset(B->cs, 0, sizeof(int64_t) * (size_t)(pg->cap_c + 1));
    sd_pexport_starts(pg, B->k, B->cs);
    B->buf.hdr->nh = B->buf.hdr->nleave = 0;
    B->buf.hdr->rebuilt = 1;
}

/* Append the particles [lo, hi) of an outgoing buffer at index m of block b. */
static void append(const sd_prebuild_req *req, sd_pbuf *b, const pout *o, int64_t lo, int64_t hi, int64_t m)
{
    const int64_t ch = req->geom->cap_h, n = hi - lo;
    memcpy(b->id + m, o->id + lo, sizeof(int64_t) * (size_t)n);
    memcpy(b->type + m, o->type + lo, sizeof(int32_t) * (size_t)n);
    int q = 0;
    for (int f = 0; f < req->nfields; f++)
        for (int c = 0; c < req->ncomp[f]; c++, q++)
            memcpy(b->fld[f] + c * ch + m, o->v + (size_t)q * (size_t)o->cap + lo, sizeof(double) * (size_t)n);
}

void sd_prebuild_gather(const sd_prebuild_req *req, sd_prebuild_block *B)
{
    const sd_pgeom *pg = req->geom;
    const int k = B->k;
    sd_pbuf *b = &B->buf;
    const int64_t ch = pg->cap_h;
    int64_t n = b->hdr->nh, lo[SD_PSLOTS], hi[SD_PSLOTS];
    pout in[SD_PSLOTS];
    for (int j = 1; j < pg->nslot[k]; j++) { /* where this block is in each neighbour's buffer */
        const int s = pg->slot[k][j], p = sd_pgeom_slot_of(pg, s, k);
        in[j] = pout_view(pg, req, B->in[j], s);
        lo[j] = in[j].off[p];
        hi[j] = in[j].off[p + 1];
        n += hi[j] - lo[j];
    }
    if (n > ch) {
        empty_block(pg, B, &B->stat->home, SD_PST_HOME_ROOM, n, ch);
        return;
    }
    int64_t m = b->hdr->nh;
    for (int j = 1; j < pg->nslot[k]; j++) {
        append(req, b, &in[j], lo[j], hi[j], m);
        m += hi[j] - lo[j];
    }
    /* sort by (cell, id): the brick's cells in (z, y, x) order are the box grid's, restricted */
    int64_t blo[3], bhi[3], *cell = B->scratch, *perm = cell + ch;
    void *tmp = perm + ch;
    sd_pgeom_brick(pg, k, blo, bhi);
    const double *x = b->fld[req->position];
    for (int64_t i = 0; i < n; i++) {
        int64_t c[3];
        cell_of(&pg->grid, x, i, ch, c);
        sd_pgeom_owner(pg, c, &cell[i]);
    }
    const int64_t ncell = (bhi[0] - blo[0]) * (bhi[1] - blo[1]) * (bhi[2] - blo[2]);
    sd_md_sort_by_cell(n, cell, b->id, ncell, B->cs, perm);
    for (int64_t l = ncell + 1; l <= pg->cap_c; l++) B->cs[l] = n; /* cells past a smaller brick's: empty */
    for (int f = 0; f < req->nfields; f++)
        for (int c = 0; c < req->ncomp[f]; c++) {
            double *v = b->fld[f] + c * ch;
            memcpy(tmp, v, sizeof(double) * (size_t)n);
            sd_md_gather_f64(n, perm, 1, tmp, 0, v, 0);
        }
    memcpy(tmp, b->id, sizeof(int64_t) * (size_t)n);
    sd_md_gather_i64(n, perm, tmp, b->id);
    memcpy(tmp, b->type, sizeof(int32_t) * (size_t)n);
    sd_md_gather_i32(n, perm, tmp, b->type);
    for (int c = 0; c < 3; c++) memcpy(b->x0 + c * ch, x + c * ch, sizeof(double) * (size_t)n);
    b->hdr->nh = n;
    b->hdr->rebuilt = 1;
    b->hdr->nleave = (int32_t)sd_pcs_count(B->cs, pg->bcell[k], pg->nbcell[k]);
    const int64_t ne = sd_pexport_starts(pg, k, B->cs);
    if (pg->cap_e && ne > pg->cap_e[k]) empty_block(pg, B, &B->stat->exp, SD_PST_EXPORT_ROOM, ne, pg->cap_e[k]);
}

void sd_prebuild_plan(const sd_pgeom *pg, sd_prebuild_block *B)
{
    const int k = B->k;
    int64_t blo[3], bhi[3], ng = 0;
    sd_pgeom_brick(pg, k, blo, bhi);
    const int64_t *nc = pg->grid.nc;
    /* the one-cell layer around the brick in sd_md_ghost_plan's order: (z, y, x), then (cell, id) */
    for (int64_t z = blo[2] - 1; z <= bhi[2]; z++)
        for (int64_t y = blo[1] - 1; y <= bhi[1]; y++)
            for (int64_t x = blo[0] - 1; x <= bhi[0]; x++) {
                const int64_t c[3] = {x, y, z};
                int inside = 1, s[3];
                int64_t w[3], local;
                for (int d = 0; d < 3; d++) {
                    inside &= c[d] >= blo[d] && c[d] < bhi[d];
                    s[d] = c[d] < 0 ? -1 : (c[d] >= nc[d] ? 1 : 0);
                    w[d] = c[d] - (int64_t)s[d] * nc[d];
                }
                if (inside) continue;
                const int o = sd_pgeom_owner(pg, w, &local), j = sd_pgeom_slot_of(pg, k, o);
                const int64_t *cs = B->src_cs[j];
                const int remote = sd_pgeom_remote(pg, k, o); /* then its place in o's export buffers */
                for (int64_t r = cs[local]; r < cs[local + 1]; r++, ng++)
                    if (ng < pg->cap_g) {
                        md_ghost *e = &B->buf.plan[ng];
                        e->own = remote ? sd_pexport_index(pg, cs, local, r) : r;
                        e->slot = (int8_t)j;
                        for (int d = 0; d < 3; d++) e->s[d] = (int8_t)s[d];
                        e->pad = 0;
                    }
            }
    if (ng > pg->cap_g) {
        set_status(&B->stat->ghost, SD_PST_GHOST_ROOM, k, -1, ng, pg->cap_g);
        ng = 0;
    }
    B->buf.hdr->ng = ng;
}

int sd_prebuild_verdict(const sd_pgeom *pg, const sd_pblockstat *const *stat, sd_pstatus *st)
{
    memset(st, 0, sizeof *st);
    /* as the serial rebuild checks: every block's particles, every block's exports, then every
     * block's ghosts */
    for (int what = 0; what < 4; what++)
        for (int k = 0; k < pg->nb; k++) {
            const sd_pstatus *s = what == 0 ? &stat[k]->far : what == 1 ? &stat[k]->home
                                  : what == 2 ? &stat[k]->exp : &stat[k]->ghost;
            if (s->code) {
                *st = *s;
                return st->code;
            }
        }
    return SD_PST_OK;
}
