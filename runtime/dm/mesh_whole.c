/* mesh_whole.c - ops that see the whole mesh at once (SD_WHOLE with field roles: a global solve,
 * such as membrane.newton's sparse factorisation). One task holds every partition's buffer of
 * each field role; it gathers the owned values into one array per role in the order of a
 * one-partition view of the mesh (built once, the same in every run whatever the partition count,
 * so the kernel's arithmetic is too), calls the kernel on that view, then writes each written
 * field back into every partition's local elements, ghosts included. Vertex fields only.
 * Copies only: the kernel does the arithmetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "mesh_impl.h"

/* Whether op's codelet is a whole-mesh op (SD_WHOLE with a field role). */
int sd_mesh_whole_op(const sd_codelet *c) { return c->pattern == SD_WHOLE && !sd_codelet_scalars_only(c); }

int sd_mesh_whole_setup(mdomain *D, char *err, size_t errlen)
{
    const sd_graph *g = D->dm->g;
    int need = 0;
    for (int i = 0; i < g->ninit + g->nstep; i++) {
        const sd_gop *op = i < g->ninit ? &g->init[i] : &g->step[i - g->ninit];
        if (!sd_mesh_whole_op(op->cl)) continue;
        need = 1;
        for (int r = 0; r < op->cl->nroles; r++) {
            if (op->bind[r].is_scalar) continue;
            const sd_gfield *f = &g->fields[op->bind[r].index];
            if (f->location != SD_MESH_VERTICES || f->dtype != SD_F64) {
                snprintf(err, errlen, "op %s: role %s binds field %s, not an f64 field on vertices (whole-mesh ops "
                         "take those only)", op->cl->name, op->cl->roles[r].name, f->name);
                return -1;
            }
        }
    }
    if (!need) return 0;
    if (sd_mparts_make(D->M->nv, D->M->nf, D->M->x, D->M->tri, 1, &D->whole, err, errlen) < 0) return -1;
    const sd_mlocal *w = &D->whole.part[0];
    D->whole_at = malloc(sizeof *D->whole_at * (size_t)w->nv);
    if (!D->whole_at) {
        snprintf(err, errlen, "out of memory for the whole-mesh view of %lld vertices", (long long)w->nv);
        return -1;
    }
    for (int64_t i = 0; i < w->nv; i++) D->whole_at[w->vid[i]] = i;
    return 0;
}

void sd_mesh_whole_free(mdomain *D)
{
    if (D->whole.part) sd_mparts_free(&D->whole);
    free(D->whole_at);
    D->whole_at = NULL;
}

typedef struct mwhole_arg {
    sd_meter m;
    const mdomain *D;
    const sd_gop *op;
    int64_t step;
    sd_record *rec;
} mwhole_arg;

static void die_oom(const char *what)
{
    fprintf(stderr, "stardag: out of memory for %s\n", what);
    exit(SD_EXIT_RUNTIME);
}

void sd_mesh_whole_cpu(void *buffers[], void *cl_arg)
{
    const mwhole_arg *wa = cl_arg;
    int64_t t0 = sd_ns_now();
    const mdomain *D = wa->D;
    const sd_graph *g = D->dm->g;
    const sd_codelet *c = wa->op->cl;
    const sd_mlocal *w = &D->whole.part[0];
    const int64_t nv = w->nv;
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.step = wa->step;
    a.dt = g->run.dt;
    a.time = wa->step > 0 ? (wa->step - 1) * a.dt : 0.0;
    for (int i = 0; i < c->nparams; i++) a.param[i] = wa->op->param[i];
    sd_mpart *mp = &a.mesh;
    *mp = (sd_mpart){.nv_own = nv, .nv_ring1 = nv, .nv = nv, .nf_own = w->nf, .nf = w->nf, .tri = w->tri,
                     .cstart = w->cstart, .corner = w->corner, .vid = w->vid, .fid = w->fid,
                     .nv_global = nv, .nf_global = w->nf};
    const size_t nscratch = (size_t)c->scratch_v * (size_t)nv + (size_t)c->scratch_f * (size_t)w->nf;
    if (nscratch && !(mp->scratch = malloc(sizeof(double) * nscratch))) die_oom("a whole-mesh op's scratch");
    double *field[SD_MAX_BUFS] = {0};
    int hi = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_binding *b = &wa->op->bind[r];
        if (b->is_scalar) {
            a.p[r] = (void *)STARPU_VARIABLE_GET_PTR(buffers[hi++]);
            continue;
        }
        const int nc = g->fields[b->index].ncomp;
        if (!(field[r] = malloc(sizeof(double) * (size_t)(nv * nc)))) die_oom("a whole-mesh op's fields");
        if (c->roles[r].mode != SD_WRITE) /* owned values into the whole view's order */
            for (int p = 0; p < D->np; p++) {
                const sd_mlocal *m = &D->parts.part[p];
                const double *src = (const double *)STARPU_VECTOR_GET_PTR(buffers[hi + p]);
                for (int k = 0; k < nc; k++)
                    for (int64_t i = 0; i < m->nv_own; i++) field[r][D->whole_at[m->vid[i]] + k * nv] = src[i + k * m->nv];
            }
        else
            memset(field[r], 0, sizeof(double) * (size_t)(nv * nc));
        hi += D->np;
        a.p[r] = field[r];
        a.sc[r] = nv;
        a.ncomp[r] = nc;
        a.dtype[r] = SD_F64;
    }
    a.nbuf = c->nroles;
    c->cpu(&a);
    hi = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_binding *b = &wa->op->bind[r];
        if (b->is_scalar) {
            if (b->mode != SD_READ) {
                wa->rec->value[b->index] = *(const double *)a.p[r];
                wa->rec->computed[b->index] = 1;
            }
            hi++;
            continue;
        }
        const int nc = g->fields[b->index].ncomp;
        if (c->roles[r].mode != SD_READ) /* every local vertex, ghosts included */
            for (int p = 0; p < D->np; p++) {
                const sd_mlocal *m = &D->parts.part[p];
                double *dst = (double *)STARPU_VECTOR_GET_PTR(buffers[hi + p]);
                for (int k = 0; k < nc; k++)
                    for (int64_t i = 0; i < m->nv; i++) dst[i + k * m->nv] = field[r][D->whole_at[m->vid[i]] + k * nv];
            }
        hi += D->np;
        free(field[r]);
    }
    free(mp->scratch);
    sd_meter_add(&wa->m, t0);
    sd_record_done(wa->rec);
}

void sd_mesh_whole_submit(mdomain *D, const sd_gop *op, int kind, int64_t step, sd_hlist *L)
{
    sd_engine *e = D->dm->e;
    const sd_codelet *c = op->cl;
    mwhole_arg *a = sd_eng_xmalloc(sizeof *a);
    *a = (mwhole_arg){sd_eng_meter(e, kind), D, op, step, sd_eng_step_scalars(e, step)};
    sd_record *rec = a->rec;
    rec->expected++;
    L->n = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_binding *b = &op->bind[r];
        if (b->is_scalar) {
            sd_hlist_add(L, sd_eng_scalar(e, b->index), sd_eng_mode(b->mode), "partitions");
            continue;
        }
        for (int p = 0; p < D->np; p++) sd_hlist_add(L, HND(D, T_FIELD + b->index, p), sd_eng_mode(c->roles[r].mode), "partitions");
    }
    if (!sd_eng_submit(e, kind, -1, step, a, sizeof *a, 1, L->n, L->h, L->m)) sd_record_done(rec);
    for (int r = 0; r < c->nroles; r++) /* ghosts written too: current */
        if (!op->bind[r].is_scalar && c->roles[r].mode != SD_READ) D->stale[op->bind[r].index] = 0;
}
