/* mesh_tasks.c - the mesh class's task bodies: bind a partition's buffers into the kernel's view
 * (sd_mpart) and call the codelet; ops of scalars only; the ghost pack and refresh; snapshots.
 * No arithmetic of their own: copies only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "mesh_impl.h"

/* The task's buffers, in the order submit_op gave them, as kernel arguments. */
static void bind_args(const mop_arg *oa, void *buffers[], sd_tile_args *a)
{
    const mdomain *D = oa->D;
    const sd_graph *g = D->dm->g;
    const sd_codelet *c = oa->op->cl;
    const sd_mlocal *m = &D->parts.part[oa->part];
    memset(a, 0, sizeof *a);
    a->step = oa->step;
    a->dt = g->run.dt;
    a->time = oa->step > 0 ? (oa->step - 1) * a->dt : 0.0;
    for (int i = 0; i < c->nparams; i++) a->param[i] = oa->op->param[i];
    sd_mpart *mp = &a->mesh;
    mp->nv_own = m->nv_own;
    mp->nv_ring1 = m->nv_ring1;
    mp->nv = m->nv;
    mp->nf_own = m->nf_own;
    mp->nf = m->nf;
    mp->nv_global = D->M->nv;
    mp->nf_global = D->M->nf;
    mp->tri = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[T_TRI]);
    mp->cstart = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[T_CSTART]);
    mp->corner = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[T_CORNER]);
    mp->vid = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[T_VID]);
    mp->fid = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[T_FID]);
    if (m->ne) { /* the edge tables' places in their one buffer (host or device memory) */
        const char *eb = (const char *)STARPU_VECTOR_GET_PTR(buffers[T_EDGES]);
        const sd_medge_layout el = sd_mlocal_edge_layout(m);
        mp->ne_own = m->ne_own;
        mp->ne = m->ne;
        mp->ne_global = D->M->ne;
        mp->estart = (const int64_t *)(const void *)(eb + el.estart);
        mp->eid = (const int64_t *)(const void *)(eb + el.eid);
        mp->edge = (const int32_t *)(const void *)(eb + el.edge);
        mp->eface = (const int32_t *)(const void *)(eb + el.eface);
        mp->fedge = (const int32_t *)(const void *)(eb + el.fedge);
        mp->vedge = (const int32_t *)(const void *)(eb + el.vedge);
    }
    int hi = T_FIELD, slot = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_binding *b = &oa->op->bind[r];
        if (b->is_scalar) {
            if (b->mode == SD_READ) a->p[slot++] = (void *)STARPU_VARIABLE_GET_PTR(buffers[hi++]);
            continue;
        }
        const sd_gfield *f = &g->fields[b->index];
        a->sc[slot] = sd_mesh_field_count(D, b->index, oa->part);
        a->ncomp[slot] = f->ncomp;
        a->dtype[slot] = SD_F64;
        a->p[slot++] = (void *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
    }
    a->nbuf = slot;
    if (c->scratch_v || c->scratch_f) mp->scratch = (double *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
    a->nacc = sd_pattern_reduces(c->pattern) ? sd_reduce_partials(c) : 0;
    a->acc = a->nacc ? (sd_acc *)STARPU_VECTOR_GET_PTR(buffers[hi]) : NULL;
}

void sd_mesh_op_cpu(void *buffers[], void *cl_arg)
{
    const mop_arg *oa = cl_arg;
    int64_t t0 = sd_ns_now();
    sd_tile_args a;
    bind_args(oa, buffers, &a);
    for (int j = 0; j < a.nacc; j++) sd_acc_init(&a.acc[j]);
    oa->op->cl->cpu(&a);
    sd_meter_add(&oa->m, t0);
}

#ifdef SD_HAVE_CUDA
void sd_mesh_op_cuda(void *buffers[], void *cl_arg)
{
    const mop_arg *oa = cl_arg;
    sd_engine *e = oa->D->dm->e;
    void *stream = starpu_cuda_get_local_stream();
    sd_eng_cuda_begin();
    sd_tile_args a;
    bind_args(oa, buffers, &a);
    if (a.nacc) sd_eng_cuda_init_acc(e, a.acc, a.nacc, stream, oa->op->cl->name);
    oa->op->cl->cuda(&a, stream);
    sd_eng_cuda_check(e, oa->op->cl->name);
}
#endif

/* Scalars only: every role is a scalar handle, in role order; the outputs also go to the step's
 * record (as a combine's do). */
void sd_mesh_scalar_op_cpu(void *buffers[], void *cl_arg)
{
    const mop_arg *oa = cl_arg;
    int64_t t0 = sd_ns_now();
    const sd_codelet *c = oa->op->cl;
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.step = oa->step;
    a.dt = oa->D->dm->g->run.dt;
    a.time = oa->step > 0 ? (oa->step - 1) * a.dt : 0.0;
    for (int i = 0; i < c->nparams; i++) a.param[i] = oa->op->param[i];
    for (int r = 0; r < c->nroles; r++) a.p[r] = (void *)STARPU_VARIABLE_GET_PTR(buffers[r]);
    a.nbuf = c->nroles;
    c->cpu(&a);
    for (int r = 0; r < c->nroles; r++)
        if (oa->op->bind[r].mode != SD_READ) {
            const int s = oa->op->bind[r].index;
            oa->rec->value[s] = *(const double *)a.p[r];
            oa->rec->computed[s] = 1;
        }
    sd_meter_add(&oa->m, t0);
    sd_record_done(oa->rec);
}

/* The exported owned values of field f, component after component. */
void sd_mesh_pack_cpu(void *buffers[], void *cl_arg)
{
    const mghost_arg *ga = cl_arg;
    int64_t t0 = sd_ns_now();
    const sd_mlocal *m = &ga->D->parts.part[ga->part];
    const int nc = ga->D->dm->g->fields[ga->field].ncomp;
    const double *src = (const double *)STARPU_VECTOR_GET_PTR(buffers[0]);
    double *out = (double *)STARPU_VECTOR_GET_PTR(buffers[1]);
    for (int c = 0; c < nc; c++)
        for (int64_t i = 0; i < m->nexport; i++) out[i + c * m->nexport] = src[m->exports[i] + c * m->nv];
    sd_meter_add(&ga->m, t0);
}

/* Ghosts of field f from their owners' packs (buffers in the order of the partition's sources). */
void sd_mesh_unpack_cpu(void *buffers[], void *cl_arg)
{
    const mghost_arg *ga = cl_arg;
    int64_t t0 = sd_ns_now();
    const mdomain *D = ga->D;
    const sd_mlocal *m = &D->parts.part[ga->part];
    const int nc = D->dm->g->fields[ga->field].ncomp;
    double *dst = (double *)STARPU_VECTOR_GET_PTR(buffers[m->nsrc]);
    int s = 0;
    for (int64_t g = 0; g < m->nv - m->nv_own; g++) {
        const int q = m->src_part[g];
        if (m->src[s] != q) /* sources are sorted: find q's buffer */
            for (s = 0; m->src[s] != q; s++) {}
        const double *pk = (const double *)STARPU_VECTOR_GET_PTR(buffers[s]);
        const int64_t ne = D->parts.part[q].nexport;
        for (int c = 0; c < nc; c++) dst[m->nv_own + g + c * m->nv] = pk[m->src_index[g] + c * ne];
    }
    sd_meter_add(&ga->m, t0);
}

/* A field in global order, component after component: owned vertices (faces, edges) of every
 * partition. */
void sd_mesh_snapshot_cpu(void *buffers[], void *cl_arg)
{
    const msnap_arg *sa = cl_arg;
    int64_t t0 = sd_ns_now();
    const mdomain *D = sa->D;
    const int nc = D->dm->g->fields[sa->field].ncomp;
    double *out = sa->rec->data;
    for (int p = 0; p < D->np; p++) {
        const sd_mesh_elems el = sd_mesh_field_elems(D, sa->field, p);
        const double *src = (const double *)STARPU_VECTOR_GET_PTR(buffers[p]);
        for (int c = 0; c < nc; c++)
            for (int64_t i = 0; i < el.own; i++) out[el.id[i] + c * el.global] = src[i + c * el.count];
    }
    sd_meter_add(&sa->m, t0);
    sd_record_done(sa->rec);
}
