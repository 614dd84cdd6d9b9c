/* records.c - the engine's record queue: host-side results that tasks deliver asynchronously
 * (a step's scalars, output snapshots, checkpoint parts), taken by the run loop in order as they
 * complete; and the checkpoint of the graph's scalars. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "config.h"
#include "engine.h"
#include "engine_impl.h"

/* ---- records ------------------------------------------------------------------------------- */

sd_record *sd_eng_record_new(sd_engine *e, int is_field, int64_t step)
{
    sd_record *r = sd_eng_xmalloc(sizeof *r);
    r->is_field = is_field;
    r->step = step;
    if (!is_field) {
        r->value = sd_eng_xmalloc((e->g->nscalars + 1) * sizeof(double));
        r->computed = sd_eng_xmalloc(e->g->nscalars + 1);
        for (int s = 0; s < e->g->nscalars; s++) r->value[s] = NAN;
    }
    if (e->tail) e->tail->next = r;
    else e->head = r;
    e->tail = r;
    return r;
}

sd_record *sd_eng_ckpt_record_new(sd_engine *e, int64_t step, const sd_ckpt_item *item)
{
    sd_record *r = sd_eng_record_new(e, 1, step);
    r->field = -1;
    r->ckpt = sd_eng_xmalloc(sizeof *r->ckpt);
    *r->ckpt = *item;
    return r;
}

/* The scalar snapshot: every scalar handle (read) into the record's f64[nscalars]. */
typedef struct ckpt_scalars_arg {
    sd_meter m;
    sd_record *rec;
} ckpt_scalars_arg;

static void ckpt_scalars_cpu(void *buffers[], void *cl_arg)
{
    ckpt_scalars_arg *a = cl_arg;
    int64_t t0 = sd_ns_now();
    double *v = a->rec->data;
    for (size_t i = 0; i < a->rec->bytes / sizeof(double); i++) v[i] = *(const double *)STARPU_VARIABLE_GET_PTR(buffers[i]);
    sd_meter_add(&a->m, t0);
    sd_record_done(a->rec);
}

void sd_eng_checkpoint_scalars(sd_engine *e, int64_t step)
{
    const int n = e->g->nscalars;
    if (n == 0) return;
    if (n > SD_ENG_MAXH) {
        fprintf(stderr, "stardag: a checkpoint of more than %d scalars is not supported\n", SD_ENG_MAXH);
        exit(SD_EXIT_RUNTIME);
    }
    if (e->ckpt_kind < 0) e->ckpt_kind = sd_eng_kind(e, "checkpoint scalars", "sd_ckpt_scalars", ckpt_scalars_cpu, NULL);
    sd_ckpt_item it = {.name = "scalars", .type = SD_CK_F64, .ndim = 1, .dims = {n}};
    sd_record *r = sd_eng_ckpt_record_new(e, step, &it);
    r->bytes = (size_t)n * sizeof(double);
    r->data = sd_eng_xmalloc(r->bytes);
    r->expected = 1;
    ckpt_scalars_arg *a = sd_eng_xmalloc(sizeof *a);
    *a = (ckpt_scalars_arg){sd_eng_meter(e, e->ckpt_kind), r};
    enum starpu_data_access_mode *mode = sd_eng_xmalloc((size_t)n * sizeof *mode);
    for (int s = 0; s < n; s++) mode[s] = STARPU_R;
    if (!sd_eng_submit(e, e->ckpt_kind, -1, step, a, sizeof *a, 1, n, e->sh, mode)) sd_record_done(r);
    free(mode);
}

int sd_eng_restore_scalars(sd_engine *e, const double *v, int n, char *err, size_t errlen)
{
    if (n != e->g->nscalars) {
        snprintf(err, errlen, "the checkpoint holds %d scalars, the graph has %d", n, e->g->nscalars);
        return -1;
    }
    for (int s = 0; s < n; s++) {
        if (starpu_data_acquire(e->sh[s], STARPU_W) != 0) {
            snprintf(err, errlen, "StarPU refused access to scalar %s", e->g->scalars[s].name);
            return -1;
        }
        *(double *)starpu_data_get_local_ptr(e->sh[s]) = v[s];
        starpu_data_release(e->sh[s]);
    }
    return 0;
}

sd_record *sd_eng_step_scalars(sd_engine *e, int64_t step)
{
    if (!e->scalars_now) e->scalars_now = sd_eng_record_new(e, 0, step);
    return e->scalars_now;
}

void sd_record_set_error(sd_record *r, const char *msg, int status)
{
    if (!r) return;
    char *none = NULL, *copy = strdup(msg);
    if (!copy || !__atomic_compare_exchange_n(&r->error, &none, copy, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(copy);
        return;
    }
    r->error_status = status;
}

void sd_record_free(sd_record *r)
{
    if (!r) return;
    free(r->data);
    free(r->error);
    free(r->value);
    free(r->computed);
    free(r->ckpt);
    free(r);
}

void sd_engine_seal(sd_engine *e)
{
    for (sd_record *r = e->head; r; r = r->next) r->sealed = 1;
    e->scalars_now = NULL;
}

sd_record *sd_engine_pop_complete(sd_engine *e)
{
    sd_record *r = e->head;
    if (!r || !r->sealed || __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != r->expected) return NULL;
    e->head = r->next;
    if (!e->head) e->tail = NULL;
    r->next = NULL;
    return r;
}

int sd_engine_pending(const sd_engine *e) { return e->head != NULL; }

