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
    submit(G, G->k_fused, t, fa, sizeof *fa + (size_t)t->nfused * sizeof fa->op[0], 1);
}

/* Each op's arguments as sd_grid_op_cpu binds them, on the tile grown by ext cells on the sides
 * that grow: the interior pointers move back to the grown box's first cell. */
void sd_grid_fused_cpu(void *buffers[], void *cl_arg)
{
    const fused_arg *fa = cl_arg;
    int64_t t0 = sd_ns_now();
    for (int k = 0; k < fa->nops; k++) {
        const fused_op_arg *o = &fa->op[k];
        const op_tmpl *T = o->T;
        sd_tile_args a = T->a;
        a.step = fa->step + o->sub;
        a.time = (a.step - 1) * fa->dt;
        a.acc = NULL;
        int64_t lo[3] = {0, 0, 0};
        for (int d = 0; d < a.ndim; d++) {
            lo[d] = fa->grow_lo[d] ? o->ext : 0;
            a.n[d] += lo[d] + (fa->grow_hi[d] ? o->ext : 0);
            a.origin[d] -= lo[d];
        }
        int slot = 0;
        for (int r = 0; r < o->c->nroles; r++) {
            const sd_role *role = &o->c->roles[r];
            if (role->kind == SD_ROLE_SCALAR) {
                if (role->mode == SD_READ) a.p[slot] = (void *)STARPU_VARIABLE_GET_PTR(buffers[o->href[slot]]), slot++;
                continue;
            }
            if (T->unbound[slot]) {
                a.p[slot++] = NULL;
                continue;
            }
            char *base = (char *)STARPU_VECTOR_GET_PTR(buffers[o->href[slot]]);
            if (role->kind == SD_ROLE_TABLE) {
                a.p[slot++] = base;
                continue;
            }
            const int64_t back = lo[0] * a.stride[slot][0] + lo[1] * a.stride[slot][1] + lo[2] * a.stride[slot][2];
            a.p[slot] = base + T->off_bytes[slot] - back * (int64_t)sd_dtype_size(a.dtype[slot]);
            a.halo[slot] -= o->ext;
            slot++;
        }
        o->c->cpu(&a);
    }
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
