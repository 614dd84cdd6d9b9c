/* grid_fused.c - the grid's side of fused steps (run.fuse, --fuse; the expansion and the ghost
 * widths are in grid_expand_fuse.c): steps are collected into groups, a group's task runs each op's
 * CPU kernel on the tile grown into its ghost zone, and the summary says how it went.
 *
 * A step joins the pending group when its due ops are fusable (sd_plan_fusable), or when its
 * fusable ops all come before its other ones (a diagnostic reduction at the end of the step): the
 * group then ends with that step's fusable part and the rest follows at once, unfused. A step
 * with an unfusable op first, a full group, an output, a checkpoint or the end of the run submit
 * the pending group. Fused tasks run on CPU workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "grid_impl.h"

/* The number of step ops of `step` that may join a group: every due op before the first that is
 * due and not fusable, or -1 when a fusable op is due after that one (the step cannot be split). */
static int fusable_prefix(const sd_graph *g, int64_t step)
{
    int first = g->nstep;
    for (int i = 0; i < g->nstep; i++) {
        if (!sd_op_due(&g->step[i], step)) continue;
        if (!sd_plan_fusable(&g->step[i])) {
            if (first == g->nstep) first = i;
        } else if (first < g->nstep)
            return -1;
    }
    return first;
}

static int any_due(const sd_graph *g, int64_t step, int n)
{
    for (int i = 0; i < n; i++)
        if (sd_op_due(&g->step[i], step)) return 1;
    return 0;
}

void sd_grid_fuse_flush(grid *G, sd_emit_fn emit)
{
    if (!G->pend_m) return;
    sd_plan_group(&G->plan, G->pend_s0, G->pend_m, G->dm->g->nstep, emit, G);
    G->pend_m = 0;
}

void sd_grid_fuse_step(grid *G, int64_t step, sd_emit_fn emit)
{
    const sd_graph *g = G->dm->g;
    const int n = fusable_prefix(g, step);
    if (n <= 0 || !any_due(g, step, n)) { /* nothing of this step joins a group */
        sd_grid_fuse_flush(G, emit);
        sd_plan_step(&G->plan, step, emit, G);
        return;
    }
    if (!G->pend_m) G->pend_s0 = step;
    G->pend_m++;
    if (n < g->nstep) { /* the group ends inside this step; its unfusable ops follow */
        sd_plan_group(&G->plan, G->pend_s0, G->pend_m, n, emit, G);
        G->pend_m = 0;
        sd_plan_step_from(&G->plan, step, n, emit, G);
    } else if (G->pend_m == G->plan.fuse)
        sd_grid_fuse_flush(G, emit);
}

void sd_grid_emit_fused(grid *G, const sd_task *t, sd_grid_submit_fn submit)
{
    const sd_graph *g = G->dm->g;
    fused_arg *fa = sd_eng_xmalloc(sizeof *fa + (size_t)t->nfused * sizeof fa->op[0]);
    fa->m = sd_eng_meter(G->dm->e, G->k_fused);
    fa->step = t->step;
    fa->dt = g->run.dt;
    for (int d = 0; d < 3; d++) {
        fa->grow_lo[d] = d < g->domain.ndim && sd_tile_neighbor(&G->t, t->tile, d, 0) >= 0;
        fa->grow_hi[d] = d < g->domain.ndim && sd_tile_neighbor(&G->t, t->tile, d, 1) >= 0;
    }
    fa->nops = t->nfused;
    for (int k = 0; k < t->nfused; k++) {
        const sd_fused_op *f = &t->fused[k];
        fused_op_arg *o = &fa->op[k];
        o->T = G->tmpl_step + (size_t)f->op_index * G->nt + t->tile;
        o->c = g->step[f->op_index].cl;
        o->sub = f->sub;
        o->ext = f->ext;
        memcpy(o->href, f->href, sizeof o->href);
    }
    fa->lag = t->fused_lag;
    /* 2 planes per kernel call: 11.8-13.8 ms a step against 13.3-17.3 with 4 and 13.1-19.5 with 8
     * (256^3, 256x128x256 tiles, 4 to 12 fused steps, 2 workers, AMD EPYC; docs/benchmarks.md) */
    fa->slab = 2;
    submit(G, G->k_fused, t, fa, sizeof *fa + (size_t)t->nfused * sizeof fa->op[0], 1);
}

/* Op o's arguments as sd_grid_op_cpu binds them, on the tile grown by o->ext cells on the sides that
 * grow: the interior pointers move back to the grown box's first cell. */
static void grown_args(const fused_arg *fa, const fused_op_arg *o, void *buffers[], sd_tile_args *a)
{
    const op_tmpl *T = o->T;
    *a = T->a;
    a->step = fa->step + o->sub;
    a->time = (a->step - 1) * fa->dt;
    a->acc = NULL;
    int64_t lo[3] = {0, 0, 0};
    for (int d = 0; d < a->ndim; d++) {
        lo[d] = fa->grow_lo[d] ? o->ext : 0;
        a->n[d] += lo[d] + (fa->grow_hi[d] ? o->ext : 0);
        a->origin[d] -= lo[d];
    }
    int slot = 0;
    for (int r = 0; r < o->c->nroles; r++) {
        const sd_role *role = &o->c->roles[r];
        if (role->kind == SD_ROLE_SCALAR) {
            if (role->mode == SD_READ) a->p[slot] = (void *)STARPU_VARIABLE_GET_PTR(buffers[o->href[slot]]), slot++;
            continue;
        }
        if (T->unbound[slot]) {
            a->p[slot++] = NULL;
            continue;
        }
        char *base = (char *)STARPU_VECTOR_GET_PTR(buffers[o->href[slot]]);
        if (role->kind == SD_ROLE_TABLE) {
            a->p[slot++] = base;
            continue;
        }
        const int64_t back = lo[0] * a->stride[slot][0] + lo[1] * a->stride[slot][1] + lo[2] * a->stride[slot][2];
        a->p[slot] = base + T->off_bytes[slot] - back * (int64_t)sd_dtype_size(a->dtype[slot]);
        a->halo[slot] -= o->ext;
        slot++;
    }
}

/* The planes [z0, z0 + nz) of a grown box along its outermost axis D (z0 counted from the box's
 * first plane): the same arguments with the field pointers moved up z0 planes. */
static void planes(const o_box *b, int D, int64_t z0, int64_t nz, sd_tile_args *a)
{
    *a = b->a;
    a->n[D] = nz;
    a->origin[D] += z0;
    for (int s = 0; s < a->nbuf; s++)
        if (b->field[s]) a->p[s] = (char *)a->p[s] + z0 * a->stride[s][D] * (int64_t)sd_dtype_size(a->dtype[s]);
}

/* The group's ops as a wavefront along the outermost axis: op k runs lag * k planes behind the
 * first, fa->slab planes at a time, so that the planes one op wrote are read by the next while they
 * are still in cache (what each op reads of an earlier op's output lies at most `lag` planes
 * ahead, and what it overwrites no earlier op still has to read). Every cell is computed exactly as
 * in sub-step order, by the same kernel: only the order of independent planes changes. */
void sd_grid_fused_cpu(void *buffers[], void *cl_arg)
{
    const fused_arg *fa = cl_arg;
    int64_t t0 = sd_ns_now();
    o_box *box = malloc((size_t)fa->nops * sizeof *box);
    if (!box) {
        fprintf(stderr, "stardag: out of memory in a fused task\n");
        abort();
    }
    int D = 0;
    int64_t first = INT64_MAX, end = INT64_MIN;
    for (int k = 0; k < fa->nops; k++) {
        const fused_op_arg *o = &fa->op[k];
        grown_args(fa, o, buffers, &box[k].a);
        D = box[k].a.ndim - 1;
        box[k].lo = fa->grow_lo[D] ? -o->ext : 0; /* the box's first plane, from the tile's */
        box[k].hi = box[k].lo + box[k].a.n[D];
        for (int s = 0, slot = 0; s < o->c->nroles; s++) {
            const sd_role *role = &o->c->roles[s];
            if (role->kind == SD_ROLE_SCALAR && role->mode != SD_READ) continue;
            box[k].field[slot] = role->kind == SD_ROLE_FIELD && !o->T->unbound[slot];
            slot++;
        }
        const int64_t lag = (int64_t)fa->lag * k;
        if (box[k].lo + lag < first) first = box[k].lo + lag;
        if (box[k].hi + lag > end) end = box[k].hi + lag;
    }
    for (int64_t f = first; f < end; f += fa->slab)
        for (int k = 0; k < fa->nops; k++) {
            const int64_t lag = (int64_t)fa->lag * k;
            int64_t z0 = f - lag, z1 = z0 + fa->slab;
            if (z0 < box[k].lo) z0 = box[k].lo;
            if (z1 > box[k].hi) z1 = box[k].hi;
            if (z0 >= z1) continue;
            sd_tile_args a;
            planes(&box[k], D, z0 - box[k].lo, z1 - z0, &a);
            fa->op[k].c->cpu(&a);
        }
    free(box);
    sd_meter_add(&fa->m, t0);
}

void sd_grid_fuse_report(const sd_dm *dm)
{
    const grid *G = dm->data;
    const sd_plan *p = &G->plan;
    int hmax = 0;
    for (int f = 0; f < dm->g->nfields; f++)
        if (p->halo[f] > hmax) hmax = p->halo[f];
    if (p->fuse > 1)
        printf("  fused steps: up to %d steps per task (ghost width %d); %lld groups of tasks\n", p->fuse, hmax,
               (long long)p->groups);
    else if (G->fuse_asked > 1)
        printf("  fused steps: none (fuse %d was asked, but no step op can be fused: none is a stencil or pointwise "
               "op of a fusable codelet)\n", G->fuse_asked);
}
