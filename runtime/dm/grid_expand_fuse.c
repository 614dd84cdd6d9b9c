/* grid_expand_fuse.c - fused steps (temporal blocking): one task advances a tile several steps.
 *
 * A bandwidth-bound stencil reads and writes every tile once per step. With run.fuse: k, the ops
 * of up to k consecutive steps run in one task per tile, on a tile whose ghost zone is wide enough
 * for all of them: an op of sub-step j computes its cells and also the ghost layers that the later
 * sub-steps will read (its "extension"), so the tile's data stay in cache from one sub-step to the
 * next and memory is read about once per group instead of once per step. Every cell is computed by
 * the same kernel from the same inputs as without fusion, so the results are bitwise the same; the
 * extra cells are computed redundantly by the neighbouring tiles.
 *
 * The widths come from a backward pass over the group's ops (analyse): the last op needs its own
 * cells only; an op that writes a buffer must cover what later readers of that buffer need, and it
 * then needs what it reads that far out plus its halo. What the group needs of the buffers as they
 * were before it is exchanged first, edges and corners included (a grown tile's corner reads its
 * diagonal neighbours). Only ops whose result at a cell does not depend on the cell's position may
 * be fused (sd_codelet.fusable), and only on sides whose ghosts do not change between steps
 * (periodic and fixed boundaries: the loader refuses others). Pure bookkeeping, no StarPU. */
#include <stdlib.h>
#include <string.h>
#include "grid_expand.h"

int sd_plan_fusable(const sd_gop *op)
{
    const sd_codelet *c = op->cl;
    if (!c->fusable || !c->cpu || op->read || (c->pattern != SD_STENCIL && c->pattern != SD_POINTWISE)) return 0;
    for (int r = 0; r < c->nroles; r++)
        if (op->bind[r].is_scalar && op->bind[r].mode != SD_READ) return 0;
    return 1;
}

/* The buffer bound to field f at level l at sub-step j of a group that starts with p->cur. */
static int buf_at(const sd_plan *p, int f, int l, int j)
{
    int n = p->g->fields[f].nlevels;
    return p->cur[p->field_base[f] + (l + j) % n];
}

static int is_field(const sd_binding *b) { return !b->is_scalar && !b->is_table && !b->unbound; }

/* The ops of the group s0 .. s0+m-1 into p->fops (all step ops as if due at every step when
 * all_due), each with its extension; p->need (what the group reads of each buffer as it was
 * before), p->reach (how far beyond its tile the group writes or reads each buffer at any sub-step)
 * and p->corner (read beyond its tile by a grown op: its edges and corners are needed); returns
 * the ops' count. */
static int analyse(sd_plan *p, int64_t s0, int m, int last_ops, int all_due)
{
    const sd_graph *g = p->g;
    int n = 0;
    for (int j = 0; j < m; j++)
        for (int i = 0; i < (j == m - 1 ? last_ops : g->nstep); i++)
            if (all_due ? sd_plan_fusable(&g->step[i]) : sd_op_due(&g->step[i], s0 + j))
                p->fops[n++] = (sd_fused_op){.op_index = i, .sub = j};
    memset(p->need, 0, (size_t)p->nbuf * sizeof *p->need);
    memset(p->reach, 0, (size_t)p->nbuf * sizeof *p->reach);
    memset(p->corner, 0, (size_t)p->nbuf);
    for (int k = n - 1; k >= 0; k--) {
        const sd_gop *op = &g->step[p->fops[k].op_index];
        const int j = p->fops[k].sub;
        int e = 0;
        for (int r = 0; r < op->cl->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (is_field(b) && b->mode != SD_READ) {
                int nb = p->need[buf_at(p, b->index, b->level, j)];
                if (nb > e) e = nb;
            }
        }
        p->fops[k].ext = e;
        for (int r = 0; r < op->cl->nroles; r++) { /* what it writes, later readers no longer need from before */
            const sd_binding *b = &op->bind[r];
            if (!is_field(b) || b->mode == SD_READ) continue;
            const int buf = buf_at(p, b->index, b->level, j);
            if (e > p->reach[buf]) p->reach[buf] = e;
            if (b->mode == SD_WRITE) p->need[buf] = 0;
        }
        for (int r = 0; r < op->cl->nroles; r++) { /* what it reads, it needs e cells out plus its halo */
            const sd_binding *b = &op->bind[r];
            if (!is_field(b) || b->mode == SD_WRITE) continue;
            const int buf = buf_at(p, b->index, b->level, j);
            if (e + b->halo > p->need[buf]) p->need[buf] = e + b->halo;
            if (e + b->halo > p->reach[buf]) p->reach[buf] = e + b->halo;
            if (e > 0) p->corner[buf] = 1;
        }
    }
    return n;
}

int sd_fuse_widths(const sd_graph *g, int k, int *halo)
{
    sd_tiling one = {.ntiles = 1};
    sd_plan p;
    if (sd_plan_make(&p, g, &one) < 0 || sd_plan_set_fuse(&p, k) < 0) {
        sd_plan_free(&p);
        return -1;
    }
    memcpy(halo, p.halo, (size_t)g->nfields * sizeof *halo);
    sd_plan_free(&p);
    return 0;
}

int sd_plan_set_fuse(sd_plan *p, int k)
{
    const sd_graph *g = p->g;
    int any = 0;
    for (int i = 0; i < g->nstep; i++) any |= sd_plan_fusable(&g->step[i]);
    if (k <= 1 || !any) return 0;
    free(p->fops);
    p->fops = calloc((size_t)k * g->nstep + 1, sizeof *p->fops);
    if (!p->fops) return -1;
    p->fuse = k;
    analyse(p, 1, k, g->nstep, 1);
    for (int b = 0; b < p->nbuf; b++) {
        int f = p->buf_field[b];
        if (p->reach[b] > p->halo[f]) p->halo[f] = p->reach[b];
        /* read beyond its tile by a grown op: its exchanges fill edges and corners too */
        if (p->corner[b]) p->box[f] = 1;
    }
    return 0;
}

/* Do the ghost widths allow the group that analyse() just described: no op writes or reads a
 * buffer farther out than its ghost zone, and buffers read by grown ops have their corners? (Ops
 * due only at some steps make groups whose widths the all-due analysis of sd_plan_set_fuse may not
 * have covered.) */
static int fits(const sd_plan *p)
{
    for (int b = 0; b < p->nbuf; b++) {
        int f = p->buf_field[b];
        if (p->reach[b] > p->halo[f] || (p->corner[b] && !p->box[f])) return 0;
    }
    return 1;
}

/* One group that fits: its exchanges, one task per tile, then the ghost and level bookkeeping. */
static void emit_group(sd_plan *p, int64_t s0, int m, int nops, int whole_last, sd_emit_fn emit, void *ctx)
{
    const sd_graph *g = p->g;
    unsigned char *written = calloc((size_t)p->nbuf + 1, 1), *touched = calloc((size_t)p->nbuf + 1, 1);
    if (!written || !touched) abort(); /* a few bytes per buffer */
    for (int k = 0; k < nops; k++) {
        const sd_gop *op = &g->step[p->fops[k].op_index];
        for (int r = 0; r < op->cl->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (!is_field(b)) continue;
            int buf = buf_at(p, b->index, b->level, p->fops[k].sub);
            touched[buf] = 1;
            if (b->mode != SD_READ) written[buf] = 1;
        }
    }
    /* what the group reads beyond its tiles; and the ghosts on fixed sides of every buffer it
     * touches, once (every group with several memory nodes: a GPU op writing a buffer leaves a
     * copy without them): no op writes them (tiles do not grow there), but sub-steps read them in
     * buffers that the group itself wrote */
    int fixed = 0;
    for (int d = 0; d < p->t->ndim; d++) fixed |= p->t->bc[d] == SD_BC_FIXED;
    for (int b = 0; b < p->nbuf; b++)
        if ((p->need[b] > 0 && !p->ghost_ok[b]) ||
            (fixed && touched[b] && p->halo[p->buf_field[b]] > 0 && (!p->filled[b] || p->refill_fixed)))
            sd_plan_exchange(p, p->buf_field[b], b, -1, -1, emit, ctx, s0);
    /* Every tile's task holds the same handles in the same order: the touched buffers (their
     * rank[] among them), then each scalar and table the ops read, once (shared[]). */
    int *rank = calloc((size_t)p->nbuf + 1, sizeof *rank), nbufh = 0, nshared = 0;
    sd_href *shared = calloc((size_t)g->nscalars + g->ntables + 1, sizeof *shared);
    if (!rank || !shared) abort();
    for (int b = 0; b < p->nbuf; b++) rank[b] = touched[b] ? nbufh++ : -1;
    int lag = 0; /* the wavefront's lag (grid_fused.c): the widest halo an op reads a field with */
    for (int k = 0; k < nops; k++) {
        const sd_gop *op = &g->step[p->fops[k].op_index];
        int slot = 0;
        for (int r = 0; r < op->cl->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (b->is_scalar && b->mode != SD_READ) continue; /* (none: not fusable) */
            short *h = &p->fops[k].href[slot++];
            if (b->unbound) *h = -1;
            else if (b->is_scalar || b->is_table) {
                const sd_hkind kind = b->is_table ? SD_H_TABLE : SD_H_SCALAR;
                int i = 0;
                while (i < nshared && !(shared[i].kind == kind && shared[i].a == b->index)) i++;
                if (i == nshared) shared[nshared++] = (sd_href){kind, b->index, 0, 0};
                *h = (short)(nbufh + i);
            } else {
                *h = (short)rank[buf_at(p, b->index, b->level, p->fops[k].sub)];
                if (b->mode != SD_WRITE && b->halo > lag) lag = b->halo;
            }
        }
    }
    for (int tile = 0; tile < p->t->ntiles; tile++) {
        sd_task task = {.kind = SD_TASK_FUSED, .tile = tile, .buf = -1, .old_buf = -1, .sup_buf = -1, .field = -1, .step = s0,
                        .nfused = nops, .fused = p->fops, .fused_lag = lag, .h = p->h, .mode = p->mode};
        for (int b = 0; b < p->nbuf; b++)
            if (touched[b]) sd_plan_put(p, &task, SD_H_TILE, b, tile, 0, written[b] ? SD_READWRITE : SD_READ);
        for (int i = 0; i < nshared; i++) sd_plan_put(p, &task, shared[i].kind, shared[i].a, 0, 0, SD_READ);
        emit(ctx, &task);
    }
    free(rank);
    free(shared);
    for (int b = 0; b < p->nbuf; b++)
        if (written[b]) p->ghost_ok[b] = 0;
    for (int j = 0; j < (whole_last ? m : m - 1); j++) sd_plan_rotate(p);
    p->groups++;
    free(written);
    free(touched);
}

void sd_plan_group(sd_plan *p, int64_t s0, int m, int last_ops, sd_emit_fn emit, void *ctx)
{
    const int nstep = p->g->nstep;
    while (m > 0) {
        int len = m, nops = 0, ok = 0;
        for (; len >= 1; len--) { /* the longest prefix the ghost widths allow */
            nops = analyse(p, s0, len, len == m ? last_ops : nstep, 0);
            if ((ok = fits(p))) break;
        }
        const int whole = len < m || last_ops == nstep;
        if (!ok) { /* not even one step (an op of it reads what another wrote, beyond widths made for
                      other steps): that step unfused */
            len = 1;
            sd_plan_ops(p, s0, 0, m == 1 ? last_ops : nstep, emit, ctx);
            if (m > 1 || last_ops == nstep) sd_plan_rotate(p);
        } else if (nops > 0)
            emit_group(p, s0, len, nops, whole, emit, ctx);
        else
            for (int j = 0; j < (whole ? len : len - 1); j++) sd_plan_rotate(p);
        s0 += len;
        m -= len;
    }
}
