/* particles_tasks.c - the particle class's task bodies: bind a task's block buffers into the
 * kernel's view and call the md pack's kernels or the per-block preparation (particles_blocks.c),
 * or copy a trajectory frame. No arithmetic of their own. The rebuild's: particles_rebuild.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "particles_impl.h"

/* The first error of a record wins; out of memory is a runtime error, the rest stop the run as
 * failed checks. */
static void set_error(sd_record *rec, const sd_pstatus *st, const sd_particles *P, int64_t step)
{
    char msg[512];
    sd_pstatus_message(st, P, step, msg, sizeof msg);
    sd_record_set_error(rec, msg, st->code == SD_PST_NOMEM ? SD_EXIT_RUNTIME : SD_EXIT_CHECK);
}

/* The task's buffers, in the order op_handles gave them, as kernel arguments. A block's counts are
 * read from its header: in the task's buffer on a CPU (a whole op's blocks of other ranks exist
 * only there); for a CUDA task from the host copy, which is current because only CPU tasks write
 * headers, and exists because such a task writes its one block and so runs on its owner
 * (cuda_runnable in particles.c). */
static void bind_args(const pop_arg *oa, void *buffers[], int on_host, sd_tile_args *a, sd_pblock *blk)
{
    const pdomain *D = oa->D;
    const sd_codelet *c = oa->op->cl;
    memset(a, 0, sizeof *a);
    a->step = oa->step;
    a->dt = D->dm->g->run.dt;
    a->time = oa->step > 0 ? (oa->step - 1) * a->dt : 0.0;
    for (int i = 0; i < c->nparams; i++) a->param[i] = oa->op->param[i];
    a->pd = &D->view;
    a->nblk = oa->whole ? D->nb : 1;
    a->blk = blk;
    int hi = 0, slot = 0;
    for (int k = 0; k < a->nblk; k++) {
        sd_pblock *b = &blk[k];
        const sd_phdr *hdr = on_host ? (const sd_phdr *)STARPU_VECTOR_GET_PTR(buffers[hi]) : MEM(D, K_HDR, oa->block);
        memset(b, 0, sizeof *b);
        b->nh = hdr->nh;
        b->ng = hdr->ng;
        hi++;
        b->id = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        b->type = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        slot = 0;
        for (int r = 0; r < c->nroles; r++) {
            if (c->roles[r].kind == SD_ROLE_SCALAR) {
                if (c->roles[r].mode == SD_READ) b->p[slot++] = (void *)STARPU_VARIABLE_GET_PTR(buffers[hi++]);
                continue;
            }
            a->sc[slot] = D->geom.cap_h;
            a->ncomp[slot] = c->roles[r].ncomp;
            a->dtype[slot] = SD_F64;
            b->p[slot++] = (void *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        }
        if (oa->neighbor) {
            b->xv = (const double *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
            b->xvsc = D->geom.cap_h + D->geom.cap_g;
            b->tv = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
            b->start = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
            b->nbr = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        }
    }
    a->nbuf = slot;
    memcpy(a->p, blk[0].p, sizeof a->p);
    a->nacc = c->pattern == SD_REDUCTION ? sd_reduce_partials(c) : 0;
    a->acc = a->nacc ? (sd_acc *)STARPU_VECTOR_GET_PTR(buffers[hi]) : NULL;
}

void sd_particles_op_cpu(void *buffers[], void *cl_arg)
{
    const pop_arg *oa = cl_arg;
    int64_t t0 = sd_ns_now();
    sd_tile_args a;
    sd_pblock one, *blk = oa->whole ? sd_eng_xmalloc(sizeof *blk * oa->D->nb) : &one;
    bind_args(oa, buffers, 1, &a, blk);
    for (int j = 0; j < a.nacc; j++) sd_acc_init(&a.acc[j]);
    oa->op->cl->cpu(&a);
    if (blk != &one) free(blk);
    sd_meter_add(&oa->m, t0);
}

#ifdef SD_HAVE_CUDA
void sd_particles_op_cuda(void *buffers[], void *cl_arg)
{
    const pop_arg *oa = cl_arg;
    sd_engine *e = oa->D->dm->e;
    void *stream = starpu_cuda_get_local_stream();
    sd_eng_cuda_begin();
    sd_tile_args a;
    sd_pblock one; /* whole ops have no CUDA implementation */
    bind_args(oa, buffers, 0, &a, &one);
    if (a.nacc) sd_eng_cuda_init_acc(e, a.acc, a.nacc, stream, oa->op->cl->name);
    oa->op->cl->cuda(&a, stream);
    sd_eng_cuda_check(e, oa->op->cl->name);
}
#endif

void sd_particles_prepare_cpu(void *buffers[], void *cl_arg)
{
    const prep_arg *pa = cl_arg;
    int64_t t0 = sd_ns_now();
    pdomain *D = pa->D;
    const int b = pa->block, ns = D->geom.nslot[b];
    sd_phdr *hdr = (sd_phdr *)STARPU_VECTOR_GET_PTR(buffers[0]);
    sd_pprep io = {.hdr = hdr, .plan = (const md_ghost *)STARPU_VECTOR_GET_PTR(buffers[1])};
    int hi = 2;
    for (int k = 0; k < ns; k++) {
        const int s = D->geom.slot[b][k];
        io.src_sc[k] = sd_pgeom_remote(&D->geom, b, s) ? D->geom.cap_e[s] : D->geom.cap_h; /* prepare_ghosts' choice */
        io.src[k] = (const double *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        io.src_id[k] = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
        io.src_type[k] = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
    }
    io.xv = (double *)STARPU_VECTOR_GET_PTR(buffers[hi]);
    if (pa->mode != PREP_REFRESH) { /* a refresh task has only xv to write */
        io.tv = (int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 1]);
        io.iv = (int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 2]);
        io.start = (int64_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 3]);
        io.nbr = (int32_t *)STARPU_VECTOR_GET_PTR(buffers[hi + 4]);
    }
    /* lists only after a rebuild that happened (a failed one or a check that decided against it
     * leaves rebuilt = 0) */
    io.lists = pa->mode != PREP_REFRESH && hdr->rebuilt;
    io.scratch = &D->list_scratch[b];
    io.scratch_bytes = &D->list_scratch_bytes[b];
    sd_pstatus st;
    if (sd_particles_prepare(&D->geom, D->min_dist2, b, &io, &st)) {
        set_error(pa->rec, &st, D->P, pa->step);
        hdr->nl = 0;
        memset(io.start, 0, sizeof *io.start * (size_t)(hdr->nh + 1)); /* empty lists: no stray reads */
    }
    sd_meter_add(&pa->m, t0);
    sd_record_done(pa->rec);
}

/* A block's ghost export (prepare_ghosts' buffers: cell starts, positions, export positions, and
 * after a rebuild ids, types, export ids and types). */
void sd_particles_export_cpu(void *buffers[], void *cl_arg)
{
    const prep_arg *pa = cl_arg;
    int64_t t0 = sd_ns_now();
    sd_pexport ex = {.cs = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[0]),
                     .x = (const double *)STARPU_VECTOR_GET_PTR(buffers[1]),
                     .x_out = (double *)STARPU_VECTOR_GET_PTR(buffers[2])};
    if (pa->mode != PREP_REFRESH) {
        ex.id = (const int64_t *)STARPU_VECTOR_GET_PTR(buffers[3]);
        ex.type = (const int32_t *)STARPU_VECTOR_GET_PTR(buffers[4]);
        ex.id_out = (int64_t *)STARPU_VECTOR_GET_PTR(buffers[5]);
        ex.type_out = (int32_t *)STARPU_VECTOR_GET_PTR(buffers[6]);
    }
    sd_pexport_pack(&pa->D->geom, pa->block, &ex);
    sd_meter_add(&pa->m, t0);
}

/* One frame: positions (3N, SoA), velocities (3N), ids (N int64), block after block. */
void sd_particles_trajectory_cpu(void *buffers[], void *cl_arg)
{
    const traj_arg *ta = cl_arg;
    int64_t t0 = sd_ns_now();
    const pdomain *D = ta->D;
    const int64_t N = D->P->count, ch = D->geom.cap_h;
    double *pos = ta->rec->data, *vel = pos + 3 * N;
    int64_t *ids = (int64_t *)(vel + 3 * N), o = 0;
    for (int b = 0; b < D->nb; b++) {
        void **bb = buffers + 4 * b;
        const int64_t n = ((const sd_phdr *)STARPU_VECTOR_GET_PTR(bb[0]))->nh;
        memcpy(ids + o, (const int64_t *)STARPU_VECTOR_GET_PTR(bb[1]), sizeof(int64_t) * (size_t)n);
        for (int c = 0; c < 3; c++) {
            memcpy(pos + c * N + o, (const double *)STARPU_VECTOR_GET_PTR(bb[2]) + c * ch, sizeof(double) * (size_t)n);
            memcpy(vel + c * N + o, (const double *)STARPU_VECTOR_GET_PTR(bb[3]) + c * ch, sizeof(double) * (size_t)n);
        }
        o += n;
    }
    sd_meter_add(&ta->m, t0);
    sd_record_done(ta->rec);
}
