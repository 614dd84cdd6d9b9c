/* expand.c - ops to tile tasks, see expand.h. */
#include <stdlib.h>
#include <string.h>
#include "grid_expand.h"

int sd_plan_make(sd_plan *p, const sd_graph *g, const sd_tiling *t)
{
    memset(p, 0, sizeof *p);
    p->g = g;
    p->t = t;
    p->field_base = calloc(g->nfields + 1, sizeof(int));
    for (int f = 0; f < g->nfields; f++) p->field_base[f + 1] = p->field_base[f] + g->fields[f].nlevels;
    p->nbuf = p->field_base[g->nfields];
    p->buf_field = calloc(p->nbuf + 1, sizeof(int));
    p->cur = calloc(p->nbuf + 1, sizeof(int));
    p->ghost_ok = calloc(p->nbuf + 1, 1);
    p->fuse = 1;
    p->halo = calloc(g->nfields + 1, sizeof(int));
    p->box = calloc(g->nfields + 1, 1);
    p->need = calloc(p->nbuf + 1, sizeof(int));
    p->filled = calloc(p->nbuf + 1, 1);
    p->reach = calloc(p->nbuf + 1, sizeof(int));
    p->corner = calloc(p->nbuf + 1, 1);
    p->support = malloc((g->nfields + 1) * sizeof(int));
    p->support_fn = calloc(g->nfields + 1, sizeof *p->support_fn);
    p->slot_init = calloc(g->ninit + 1, sizeof(int));
    p->slot_step = calloc(g->nstep + 1, sizeof(int));
    /* the most handles one task holds: a whole-field op (every role x every tile; a table role: one) or a combine
     * (every tile's partial + its scalars); halo tasks hold at most 8; a fused group every buffer, scalar and table */
    p->cap = SD_MAX_BUFS * t->ntiles + SD_MAX_ACC + 8 + p->nbuf + g->nscalars + g->ntables;
    p->h = calloc(p->cap, sizeof *p->h);
    p->mode = calloc(p->cap, sizeof *p->mode);
    if (!p->field_base || !p->buf_field || !p->cur || !p->ghost_ok || !p->slot_init || !p->slot_step || !p->h ||
        !p->mode || !p->halo || !p->box || !p->need || !p->filled || !p->reach || !p->corner || !p->support || !p->support_fn) {
        sd_plan_free(p);
        return -1;
    }
    for (int f = 0; f < g->nfields; f++) {
        p->halo[f] = g->fields[f].halo;
        p->box[f] = (unsigned char)g->fields[f].box;
        p->support[f] = -1;
    }
    for (int f = 0; f < g->nfields; f++)
        for (int l = 0; l < g->fields[f].nlevels; l++) {
            p->buf_field[p->field_base[f] + l] = f;
            p->cur[p->field_base[f] + l] = p->field_base[f] + l;
        }
    for (int i = 0; i < g->ninit; i++) p->slot_init[i] = g->init[i].cl->pattern == SD_REDUCTION ? p->nslots++ : -1;
    for (int i = 0; i < g->nstep; i++) p->slot_step[i] = g->step[i].cl->pattern == SD_REDUCTION ? p->nslots++ : -1;
    return 0;
}

void sd_plan_free(sd_plan *p)
{
    free(p->field_base);
    free(p->buf_field);
    free(p->cur);
    free(p->ghost_ok);
    free(p->slot_init);
    free(p->slot_step);
    free(p->h);
    free(p->mode);
    free(p->halo);
    free(p->box);
    free(p->fops);
    free(p->need);
    free(p->filled);
    free(p->reach);
    free(p->corner);
    free(p->support);
    free(p->support_fn);
    memset(p, 0, sizeof *p);
}

int sd_plan_buffer(const sd_plan *p, int field, int level) { return p->cur[p->field_base[field] + level]; }

void sd_plan_put(sd_plan *p, sd_task *task, sd_hkind kind, int a, int b, int c, sd_access mode)
{
    p->h[task->nh] = (sd_href){kind, a, b, c};
    p->mode[task->nh] = mode;
    task->nh++;
}

/* One round of an exchange of buffer `buf` over the axes [d0, d1): packs of every tile's faces on
 * those axes, then unpacks (old: the previous level for absorbing sides, or -1). With a support
 * buffer, the packs and unpacks that move faces read its tile too (its last handle): both sides
 * bound the bins they copy by the support's values over the face's cells, the sender's own and
 * the receiver's ghosts, which its exchange made the same values. */
static void halo_round(sd_plan *p, int f, int buf, int old, int sup, int d0, int d1, int box, sd_emit_fn emit,
                       void *ctx, int64_t step)
{
    const sd_tiling *t = p->t;
    for (int tile = 0; tile < t->ntiles; tile++) {
        sd_task task = {.kind = SD_TASK_PACK, .tile = tile, .buf = buf, .old_buf = -1, .sup_buf = -1, .field = f,
                        .box = box, .axis = d0, .step = step, .h = p->h, .mode = p->mode};
        sd_plan_put(p, &task, SD_H_TILE, buf, tile, 0, SD_READ);
        /* a tile that is its own periodic neighbour wraps in place, with no face buffer */
        for (int d = d0; d < d1; d++)
            for (int s = 0; s < 2; s++) {
                int nb = sd_tile_neighbor(t, tile, d, s);
                if (nb >= 0 && nb != tile) sd_plan_put(p, &task, SD_H_FACE, buf, tile, 2 * d + s, SD_WRITE);
            }
        if (task.nh == 1) continue;
        if (sup >= 0) {
            task.sup_buf = sup;
            sd_plan_put(p, &task, SD_H_TILE, sup, tile, 0, SD_READ);
        }
        emit(ctx, &task);
    }
    for (int tile = 0; tile < t->ntiles; tile++) {
        sd_task task = {.kind = SD_TASK_UNPACK, .tile = tile, .buf = buf, .old_buf = old, .sup_buf = -1, .field = f,
                        .box = box, .axis = d0, .step = step, .h = p->h, .mode = p->mode};
        sd_plan_put(p, &task, SD_H_TILE, buf, tile, 0, SD_READWRITE);
        for (int d = d0; d < d1; d++)
            for (int s = 0; s < 2; s++) {
                int nb = sd_tile_neighbor(t, tile, d, s);
                if (nb >= 0 && nb != tile) sd_plan_put(p, &task, SD_H_FACE, buf, nb, 2 * d + (1 - s), SD_READ);
            }
        const int faces = task.nh > 1;
        if (old >= 0) sd_plan_put(p, &task, SD_H_TILE, old, tile, 0, SD_READ);
        if (sup >= 0 && faces) {
            task.sup_buf = sup;
            sd_plan_put(p, &task, SD_H_TILE, sup, tile, 0, SD_READ);
        }
        emit(ctx, &task);
    }
}

/* Ghost zones of buffer `buf` of field f (prev: its previous level, or -1). A star field: one
 * round over every axis. A full-box field: one round per axis, x, then y, then z; the packs of a
 * round read the tile after the unpacks of the round before wrote its ghosts (the order of
 * submission on the tile's handle), so each round's faces carry the lower axes' ghosts on to the
 * neighbours. */
void sd_plan_exchange(sd_plan *p, int f, int buf, int prev, int sup, sd_emit_fn emit, void *ctx, int64_t step)
{
    const sd_tiling *t = p->t;
    if (p->halo[f] == 0) return; /* no ghost zone (and no face buffers) */
    int old = -1;
    for (int d = 0; d < t->ndim; d++)
        if (t->bc[d] == SD_BC_ABSORBING) old = prev;
    if (p->support[f] < 0 || sup < 0 || p->buf_field[sup] != p->support[f]) sup = -1;
    if (!p->box[f]) halo_round(p, f, buf, old, sup, 0, t->ndim, 0, emit, ctx, step);
    else
        for (int d = 0; d < t->ndim; d++)
            halo_round(p, f, buf, t->bc[d] == SD_BC_ABSORBING ? prev : -1, sup, d, d + 1, 1, emit, ctx, step);
    p->ghost_ok[buf] = p->filled[buf] = 1;
}

/* The ghosts of role r's buffer, if it reads them and they are stale; with its support's buffer
 * when the role declares one (whose ghosts are exchanged first: expand_op). */
static void exchange_role(sd_plan *p, const sd_gop *op, int r, sd_emit_fn emit, void *ctx, int64_t step)
{
    const sd_binding *b = &op->bind[r];
    if (b->is_scalar || b->is_table || b->unbound || b->mode == SD_WRITE || b->halo <= 0) return;
    const int buf = sd_plan_buffer(p, b->index, b->level);
    if (p->ghost_ok[buf]) return;
    const int s = op->cl->roles[r].support - 1;
    const sd_binding *sb = s >= 0 ? &op->bind[s] : NULL;
    const int sup = sb && !sb->unbound && sb->halo > 0 ? sd_plan_buffer(p, sb->index, sb->level) : -1;
    sd_plan_exchange(p, b->index, buf, b->level > 0 ? sd_plan_buffer(p, b->index, b->level - 1) : -1,
                     sup >= 0 && p->ghost_ok[sup] ? sup : -1, emit, ctx, step);
}

static void expand_op(sd_plan *p, const sd_gop *op, int index, int init, int slot, int64_t step, sd_emit_fn emit,
                      void *ctx)
{
    const sd_codelet *c = op->cl;
    const sd_tiling *t = p->t;
    /* the supports of other roles first: their ghosts bound what those roles' exchanges copy (an
     * exchange made runs once: the buffer's ghosts are then valid) */
    for (int r = 0; r < c->nroles; r++)
        if (c->roles[r].support) exchange_role(p, op, c->roles[r].support - 1, emit, ctx, step);
    for (int r = 0; r < c->nroles; r++) exchange_role(p, op, r, emit, ctx, step);
    int whole = c->pattern == SD_WHOLE;
    for (int tile = 0; tile < (whole ? 1 : t->ntiles); tile++) {
        sd_task task = {.kind = SD_TASK_OP, .op = op, .op_index = index, .init = init, .slot = slot,
                        .tile = whole ? -1 : tile, .buf = -1, .old_buf = -1, .sup_buf = -1, .field = -1, .step = step,
                        .h = p->h, .mode = p->mode};
        for (int r = 0; r < c->nroles; r++) {
            const sd_binding *b = &op->bind[r];
            if (b->is_scalar) {
                if (b->mode == SD_READ) sd_plan_put(p, &task, SD_H_SCALAR, b->index, 0, 0, SD_READ);
                continue;
            }
            if (b->unbound) continue; /* an optional role left unbound: no data */
            if (b->is_table) { /* one handle, whole, for every task (a whole-field op's too) */
                sd_plan_put(p, &task, SD_H_TABLE, b->index, 0, 0, SD_READ);
                continue;
            }
            int buf = sd_plan_buffer(p, b->index, b->level);
            if (whole)
                for (int k = 0; k < t->ntiles; k++) sd_plan_put(p, &task, SD_H_TILE, buf, k, 0, b->mode);
            else sd_plan_put(p, &task, SD_H_TILE, buf, tile, 0, b->mode);
        }
        if (slot >= 0) sd_plan_put(p, &task, SD_H_PARTIAL, slot, tile, 0, SD_WRITE);
        emit(ctx, &task);
    }
    if (slot >= 0) {
        sd_task task = {.kind = SD_TASK_COMBINE, .op = op, .op_index = index, .init = init, .slot = slot, .tile = -1,
                        .buf = -1, .old_buf = -1, .sup_buf = -1, .field = -1, .step = step, .h = p->h, .mode = p->mode};
        for (int tile = 0; tile < t->ntiles; tile++) sd_plan_put(p, &task, SD_H_PARTIAL, slot, tile, 0, SD_READ);
        for (int r = 0; r < c->nroles; r++)
            if (op->bind[r].is_scalar && op->bind[r].mode != SD_READ)
                sd_plan_put(p, &task, SD_H_SCALAR, op->bind[r].index, 0, 0, SD_WRITE);
        emit(ctx, &task);
    }
    for (int r = 0; r < c->nroles; r++)
        if (!op->bind[r].is_scalar && !op->bind[r].is_table && !op->bind[r].unbound && op->bind[r].mode != SD_READ)
            p->ghost_ok[sd_plan_buffer(p, op->bind[r].index, op->bind[r].level)] = 0;
}

void sd_plan_init(sd_plan *p, sd_emit_fn emit, void *ctx)
{
    for (int i = 0; i < p->g->ninit; i++) expand_op(p, &p->g->init[i], i, 1, p->slot_init[i], 0, emit, ctx);
}

void sd_plan_ops(sd_plan *p, int64_t step, int first, int last, sd_emit_fn emit, void *ctx)
{
    const sd_graph *g = p->g;
    for (int i = first; i < last; i++)
        if (sd_op_due(&g->step[i], step)) expand_op(p, &g->step[i], i, 0, p->slot_step[i], step, emit, ctx);
}

void sd_plan_step_from(sd_plan *p, int64_t step, int first, sd_emit_fn emit, void *ctx)
{
    sd_plan_ops(p, step, first, p->g->nstep, emit, ctx);
    sd_plan_rotate(p);
}

void sd_plan_step(sd_plan *p, int64_t step, sd_emit_fn emit, void *ctx) { sd_plan_step_from(p, step, 0, emit, ctx); }

int sd_halo_dense_asked(void)
{
    const char *v = getenv("STARDAG_HALO_DENSE");
    return v && !strcmp(v, "1");
}

void sd_plan_set_support(sd_plan *p, int allowed)
{
    const sd_graph *g = p->g;
    const sd_domain *dom = &g->domain;
    int sides_ok = 1;
    for (int d = 0; d < dom->ndim; d++)
        sides_ok &= dom->bc[d] != SD_BC_ABSORBING && (dom->bc[d] != SD_BC_FIXED || dom->bc_value[d] == 0);
    for (int f = 0; f < g->nfields; f++) p->support[f] = -1, p->support_fn[f] = NULL;
    if (!allowed || !sides_ok || p->fuse > 1 || dom->ninner == 0) return;
    unsigned char *refused = calloc(g->nfields + 1, 1);
    if (!refused) return; /* dense exchanges: the same values */
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const sd_gop *op = i < g->ninit ? &g->init[i] : &g->step[i - g->ninit];
        if (op->read || !op->cl) continue;
        for (int r = 0; r < op->cl->nroles; r++) {
            const int sr = op->cl->roles[r].support - 1;
            const sd_binding *b = &op->bind[r];
            if (sr < 0 || b->is_scalar || b->is_table || b->unbound || b->halo <= 0) continue;
            const sd_binding *sb = &op->bind[sr];
            const int f = b->index, s = sb->unbound ? -1 : sb->index;
            const sd_gfield *F = &g->fields[f];
            int ok = s >= 0 && F->location == SD_LOC_BINS && F->ncomp == 1 && g->fields[s].location == SD_LOC_CELLS &&
                     g->fields[s].dtype == SD_F64 && p->halo[s] >= p->halo[f] && p->box[s] >= p->box[f];
            if (ok && p->support[f] >= 0) ok = p->support[f] == s && p->support_fn[f] == op->cl->support_box;
            if (!ok) refused[f] = 1;
            else p->support[f] = s, p->support_fn[f] = op->cl->support_box;
        }
    }
    for (int f = 0; f < g->nfields; f++)
        if (refused[f]) p->support[f] = -1, p->support_fn[f] = NULL;
    free(refused);
}

void sd_plan_rotate(sd_plan *p)
{
    const sd_graph *g = p->g;
    for (int f = 0; f < g->nfields; f++) {
        int n = g->fields[f].nlevels, *c = p->cur + p->field_base[f];
        if (n < 2) continue;
        int oldest = c[0];
        memmove(c, c + 1, (n - 1) * sizeof *c);
        c[n - 1] = oldest;
    }
}

void sd_plan_snapshot(sd_plan *p, int field, int level, int64_t step, sd_emit_fn emit, void *ctx)
{
    int buf = sd_plan_buffer(p, field, level);
    for (int tile = 0; tile < p->t->ntiles; tile++) {
        sd_task task = {.kind = SD_TASK_SNAPSHOT, .tile = tile, .buf = buf, .old_buf = -1, .sup_buf = -1, .field = field,
                        .step = step, .h = p->h, .mode = p->mode};
        sd_plan_put(p, &task, SD_H_TILE, buf, tile, 0, SD_READ);
        emit(ctx, &task);
    }
}
