/* grid_tasks.c - the grid's task bodies: bind a task's buffers into the kernel's tile view and call
 * the pure kernels (ops, halo pack/unpack, snapshots). No arithmetic of their own. */
#include <stdatomic.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "grid_impl.h"

/* Tile k's arguments from the task's buffers (host or device pointers, as StarPU gives them);
 * the reduction partials, if any, are a.acc (not yet initialised). */
static void bind_args(const op_arg *oa, int k, void *buffers[], sd_tile_args *a)
{
    const sd_codelet *c = oa->sc;
    const op_tmpl *T = oa->tmpl + k;
    *a = T->a;
    a->step = oa->step;
    a->time = oa->time;
    int hi = 0, slot = 0;
    for (int r = 0; r < c->nroles; r++) {
        const sd_role *role = &c->roles[r];
        if (role->kind == SD_ROLE_SCALAR) {
            if (role->mode == SD_READ) a->p[slot++] = (void *)STARPU_VARIABLE_GET_PTR(buffers[hi++]);
            continue;
        }
        if (T->unbound[slot]) { /* an optional role left unbound: no buffer */
            a->p[slot++] = NULL;
            continue;
        }
        if (role->kind == SD_ROLE_TABLE) { /* one handle in every task, whole ops included */
            a->p[slot++] = (void *)STARPU_VECTOR_GET_PTR(buffers[hi++]);
            continue;
        }
        a->p[slot] = (char *)STARPU_VECTOR_GET_PTR(buffers[oa->whole ? hi + k : hi]) + T->off_bytes[slot];
        slot++;
        hi += oa->whole ? oa->ntiles : 1;
    }
    a->acc = a->nacc ? (sd_acc *)STARPU_VECTOR_GET_PTR(buffers[hi]) : NULL;
}

void sd_grid_op_cpu(void *buffers[], void *cl_arg)
{
    const op_arg *oa = cl_arg;
    int64_t t0 = sd_ns_now();
    for (int k = 0; k < (oa->whole ? oa->ntiles : 1); k++) {
        sd_tile_args a;
        bind_args(oa, k, buffers, &a);
        for (int j = 0; j < a.nacc; j++) sd_acc_init(&a.acc[j]);
        oa->sc->cpu(&a);
    }
    sd_meter_add(&oa->m, t0);
}

/* The support of a sparse exchange (sd_task.sup_buf: the task's last buffer, after `before`
 * others), or NULL when the task carries none. */
static const sd_halo_support *support_of(const sd_halo_support *arg, void *buffers[], int before, sd_halo_support *s)
{
    if (!arg->fn || (int)STARPU_TASK_GET_NBUFFERS(starpu_task_get_current()) <= before) return NULL;
    *s = *arg;
    s->tile = (const double *)STARPU_VECTOR_GET_PTR(buffers[before]);
    return s;
}

void sd_grid_pack_cpu(void *buffers[], void *cl_arg)
{
    const pack_arg *pa = cl_arg;
    int64_t t0 = sd_ns_now();
    const void *tile = (const void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    sd_halo_support s;
    const sd_halo_support *sup = support_of(&pa->sup, buffers, 1 + pa->nfaces, &s);
    for (int i = 0; i < pa->nfaces; i++) {
        void *face = (void *)STARPU_VECTOR_GET_PTR(buffers[1 + i]);
        if (sup) sd_halo_pack_sparse(pa->geom, tile, pa->axis[i], pa->side[i], sup, face);
        else sd_halo_pack(pa->geom, tile, pa->axis[i], pa->side[i], face);
    }
    sd_meter_add(&pa->m, t0);
}

/* The slot of host buffer `tile` in a per-buffer record (unpack_action.filled, .held_tile), or -1;
 * claim: take a free slot when it has none (*fresh = 1). Claimed with atomics: the levels'
 * exchanges may run at once. */
static int buffer_slot(void *_Atomic slots[SD_MAX_LEVELS], void *tile, int claim, int *fresh)
{
    *fresh = 0;
    for (int i = 0; i < SD_MAX_LEVELS; i++)
        if (atomic_load(&slots[i]) == tile) return i;
    for (int i = 0; claim && i < SD_MAX_LEVELS; i++) {
        void *expect = NULL;
        if (atomic_compare_exchange_strong(&slots[i], &expect, tile)) return *fresh = 1, i;
    }
    return -1;
}

/* A face into the ghosts: sparse when the task carries the support, with the record of what the
 * buffer's ghosts on that side may hold (see unpack_action.held; none left: any). A buffer's first
 * unpack finds its ghosts as allocated, zeros (sd_eng_vector): the record starts empty. `supported`:
 * the field has a support (its records are kept by dense unpacks too). */
static void unpack_face(unpack_action *x, const sd_halo_geom *g, void *tile, int supported, const sd_halo_support *sup,
                        const void *face)
{
    int fresh;
    const int i = buffer_slot(x->held_tile, tile, supported, &fresh);
    struct held_bins *h = i >= 0 ? &x->held[i] : NULL;
    if (!sup) {
        sd_halo_unpack(g, tile, x->axis, x->side, face);
        if (h) h->known = 0; /* every value copied: which bins are non-zero is not known */
        return;
    }
    if (fresh) { /* as allocated: no bin */
        h->box = sup->bins;
        h->box.first[0] = 1, h->box.last[0] = 0;
        h->known = 1;
    }
    sd_bin_box box;
    sd_halo_unpack_sparse(g, tile, x->axis, x->side, sup, h && h->known ? &h->box : NULL, &box, face);
    if (h) {
        h->box = box;
        h->known = 1;
    }
}

/* A fixed side's ghosts: filled once per buffer on a single memory node, and there not at all when
 * they start as they must be (see unpack_action). */
static void fixed_once(unpack_action *x, const sd_halo_geom *g, void *tile)
{
    const int one_node = starpu_memory_nodes_get_count() == 1;
    int fresh;
    if (one_node && (x->zero_start || buffer_slot(x->filled, tile, 0, &fresh) >= 0)) return;
    sd_halo_fixed(g, tile, x->axis, x->side, x->value);
    if (one_node) buffer_slot(x->filled, tile, 1, &fresh);
}

void sd_grid_unpack_cpu(void *buffers[], void *cl_arg)
{
    unpack_arg *ua = cl_arg;
    int64_t t0 = sd_ns_now();
    void *tile = (void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    const void *old = ua->old ? (const void *)STARPU_VECTOR_GET_PTR(buffers[ua->old]) : NULL;
    sd_halo_support s;
    const sd_halo_support *sup = support_of(&ua->sup, buffers, 1 + ua->nfaces + (ua->old > 0), &s);
    for (int i = 0; i < ua->nact; i++) {
        unpack_action *x = &ua->act[i];
        if (x->kind == ACT_WRAP && x->axis == 0 && i + 1 < ua->nact && x[1].kind == ACT_WRAP && x[1].axis == 0) {
            sd_halo_wrap_rows(ua->geom, tile); /* both sides of x in one pass over the tile */
            i++;
            continue;
        }
        switch (x->kind) {
        case ACT_FACE:
            unpack_face(x, ua->geom, tile, ua->sup.fn != NULL, sup, (const void *)STARPU_VECTOR_GET_PTR(buffers[x->buffer]));
            break;
        case ACT_WRAP: sd_halo_wrap(ua->geom, tile, x->axis, x->side); break;
        case ACT_REFLECT: sd_halo_reflect(ua->geom, tile, x->axis, x->side); break;
        case ACT_FIXED: fixed_once(x, ua->geom, tile); break;
        case ACT_ABSORB: sd_halo_absorb(ua->geom, tile, old, x->axis, x->side, x->value); break;
        }
    }
    sd_meter_add(&ua->m, t0);
}

/* The tile's interior into the record's whole-field array (x fastest, components outermost). */
void sd_grid_snapshot_cpu(void *buffers[], void *cl_arg)
{
    const snap_arg *sa = cl_arg;
    int64_t t0 = sd_ns_now();
    sd_tile_copy_whole(sa->geom, sa->shape, sa->origin, (char *)STARPU_VECTOR_GET_PTR(buffers[0]), sa->rec->data, 0);
    sd_meter_add(&sa->m, t0);
    sd_record_done(sa->rec);
}

#ifdef SD_HAVE_CUDA
void sd_grid_op_cuda(void *buffers[], void *cl_arg)
{
    const op_arg *oa = cl_arg;
    void *stream = starpu_cuda_get_local_stream();
    sd_eng_cuda_begin();
    for (int k = 0; k < (oa->whole ? oa->ntiles : 1); k++) {
        sd_tile_args a;
        bind_args(oa, k, buffers, &a);
        if (a.nacc) sd_eng_cuda_init_acc(oa->e, a.acc, a.nacc, stream, oa->sc->name);
        oa->sc->cuda(&a, stream);
        sd_eng_cuda_check(oa->e, oa->sc->name);
    }
}

void sd_grid_pack_cuda(void *buffers[], void *cl_arg)
{
    const pack_arg *pa = cl_arg;
    void *stream = starpu_cuda_get_local_stream();
    sd_eng_cuda_begin();
    const void *tile = (const void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    for (int i = 0; i < pa->nfaces; i++) {
        sd_halo_pack_cuda(pa->geom, tile, pa->axis[i], pa->side[i], (void *)STARPU_VECTOR_GET_PTR(buffers[1 + i]), stream);
        sd_eng_cuda_check(pa->e, "stardag.halo_pack");
    }
}

void sd_grid_unpack_cuda(void *buffers[], void *cl_arg)
{
    const unpack_arg *ua = cl_arg;
    void *stream = starpu_cuda_get_local_stream();
    sd_eng_cuda_begin();
    void *tile = (void *)STARPU_VECTOR_GET_PTR(buffers[0]);
    const void *old = ua->old ? (const void *)STARPU_VECTOR_GET_PTR(buffers[ua->old]) : NULL;
    for (int i = 0; i < ua->nact; i++) {
        const unpack_action *x = &ua->act[i];
        switch (x->kind) {
        case ACT_FACE:
            sd_halo_unpack_cuda(ua->geom, tile, x->axis, x->side, (const void *)STARPU_VECTOR_GET_PTR(buffers[x->buffer]),
                                stream);
            break;
        case ACT_WRAP: sd_halo_wrap_cuda(ua->geom, tile, x->axis, x->side, stream); break;
        case ACT_REFLECT: sd_halo_reflect_cuda(ua->geom, tile, x->axis, x->side, stream); break;
        case ACT_FIXED: sd_halo_fixed_cuda(ua->geom, tile, x->axis, x->side, x->value, stream); break;
        case ACT_ABSORB: sd_halo_absorb_cuda(ua->geom, tile, old, x->axis, x->side, x->value, stream); break;
        }
        sd_eng_cuda_check(ua->e, "stardag.halo_unpack");
    }
}
#endif
