/* particles_ckpt.c - checkpoints of the particle domain (docs/checkpoint.md, "Particles"): the
 * snapshot task that saves the state in id order, and the restore that puts it back in blocks
 * exactly as the uninterrupted run has them.
 *
 * What decides the future steps bitwise: every per-particle field; the positions at the last
 * neighbour-list build (x0: the lists' content is every pair within cutoff + skin of x0, the
 * `check` decision and the dangerous-build warning compare with x0); and the expansion's host
 * state (a build happened, the step of the last build considered, whether the ghost positions are
 * current). The order of particles in the blocks changes no result (lists are sorted by id,
 * reductions are exact), and the restore reproduces it anyway: the last build sorted the wrapped
 * positions, which are x0, by (cell, id), so rebuilding from x0 gives that order again. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "ckpt.h"
#include "particles_impl.h"

/* particles/state: the expansion's host state and the summary's counters */
enum { ST_BUILT, ST_LAST_BUILD, ST_GHOSTS_OK, ST_REBUILDS, ST_DANGEROUS, ST_COUNT };

typedef struct ckpt_arg {
    sd_meter m;
    const pdomain *D;
    int built;
    sd_record **rec; /* one per field, then x0, then the state */
} ckpt_arg;

/* Per block: header, ids, x0, then every field (the checkpoint's handles, in this order). */
static void checkpoint_cpu(void *buffers[], void *cl_arg)
{
    ckpt_arg *a = cl_arg;
    int64_t t0 = sd_ns_now();
    const pdomain *D = a->D;
    const int nf = D->nf, per = 3 + nf;
    const int64_t N = D->P->count, ch = D->geom.cap_h;
    for (int b = 0; b < D->nb; b++) {
        void **bb = buffers + (size_t)b * per;
        const int64_t n = ((const sd_phdr *)STARPU_VECTOR_GET_PTR(bb[0]))->nh;
        const int64_t *id = (const int64_t *)STARPU_VECTOR_GET_PTR(bb[1]);
        for (int f = 0; f <= nf; f++) {
            const int nc = f < nf ? D->ncomp[f] : 3;
            if (f == nf && !a->built) continue; /* no build yet: x0 stays zero */
            const double *src = (const double *)STARPU_VECTOR_GET_PTR(bb[f < nf ? 3 + f : 2]);
            double *dst = a->rec[f]->data;
            for (int c = 0; c < nc; c++)
                for (int64_t i = 0; i < n; i++) dst[c * N + id[i]] = src[c * ch + i];
        }
    }
    /* the counters: every rebuild of a step <= this one has finished (the serial task writes the
     * headers; the parallel rebuild's verdict, the decision buffer) */
    int64_t *st = a->rec[nf + 1]->data;
    st[ST_REBUILDS] = __atomic_load_n(&D->rebuilds, __ATOMIC_RELAXED);
    st[ST_DANGEROUS] = __atomic_load_n(&D->dangerous, __ATOMIC_RELAXED);
    sd_meter_add(&a->m, t0);
    for (int k = 0; k < nf + 2; k++) sd_record_done(a->rec[k]);
    free(a->rec);
}

static sd_record *new_part(sd_engine *e, int64_t step, const char *name, int type, int ndim, int64_t d0, int64_t d1)
{
    sd_ckpt_item it = {.type = type, .ndim = ndim, .dims = {d0, d1}};
    snprintf(it.name, sizeof it.name, "%s", name);
    sd_record *r = sd_eng_ckpt_record_new(e, step, &it);
    r->expected = 1;
    r->bytes = sd_ckpt_type_size(type) * (size_t)d0 * (size_t)(ndim > 1 ? d1 : 1);
    r->data = calloc(1, r->bytes);
    if (!r->data) {
        fprintf(stderr, "stardag: out of memory for a checkpoint of %s (%zu bytes)\n", name, r->bytes);
        exit(SD_EXIT_RUNTIME);
    }
    return r;
}

static sd_hlist L; /* the task's handles (one submitting thread) */

void sd_particles_submit_checkpoint(sd_dm *dm, int64_t step)
{
    pdomain *D = dm->data;
    sd_engine *e = dm->e;
    const sd_graph *g = dm->g;
    const int nf = D->nf;
    const int64_t N = D->P->count;
    if (D->k_checkpoint < 0)
        D->k_checkpoint = sd_eng_kind(e, SD_ENG_CKPT_LABEL, "stardag.particles.checkpoint",
                                      checkpoint_cpu, NULL);
    ckpt_arg *a = sd_eng_xmalloc(sizeof *a);
    *a = (ckpt_arg){sd_eng_meter(e, D->k_checkpoint), D, D->built, sd_eng_xmalloc(sizeof(sd_record *) * (nf + 2))};
    char name[128];
    for (int f = 0; f < nf; f++) {
        snprintf(name, sizeof name, "fields/%s/0", g->fields[f].name);
        a->rec[f] = new_part(e, step, name, SD_CK_F64, 2, D->ncomp[f], N);
    }
    a->rec[nf] = new_part(e, step, "particles/x0", SD_CK_F64, 2, 3, N);
    a->rec[nf + 1] = new_part(e, step, "particles/state", SD_CK_I64, 1, ST_COUNT, 0);
    int64_t *st = a->rec[nf + 1]->data; /* the host's part now: what the expansion did up to this step */
    st[ST_BUILT] = D->built;
    st[ST_LAST_BUILD] = D->last_build;
    st[ST_GHOSTS_OK] = D->ghosts_ok;
    L.n = 0;
    for (int b = 0; b < D->nb; b++) {
        sd_hlist_add(&L, HND(D, K_HDR, b), STARPU_R, "blocks");
        sd_hlist_add(&L, HND(D, K_ID, b), STARPU_R, "blocks");
        sd_hlist_add(&L, HND(D, K_X0, b), STARPU_R, "blocks");
        for (int f = 0; f < nf; f++) sd_hlist_add(&L, HND(D, K_FIELD + f, b), STARPU_R, "blocks");
    }
    sd_hlist_add(&L, D->dec_h, STARPU_R, "blocks"); /* after the parallel rebuild's verdict, which counts it */
    sd_record **recs = a->rec; /* a is freed when another rank runs the task */
    if (!sd_eng_submit(e, D->k_checkpoint, -1, step, a, sizeof *a, 1, L.n, L.h, L.m)) {
        for (int k = 0; k < nf + 2; k++) sd_record_done(recs[k]);
        free(recs);
    }
}

/* ---- restore ------------------------------------------------------------------------------------- */

/* Item `name` (f64 [d0][d1], or i64 [d0] when d1 == 0) into a new buffer; NULL with a message. */
static void *read_part(const sd_ckpt_in *in, const char *name, int type, int64_t d0, int64_t d1, char *err, size_t errlen)
{
    int t, nd;
    int64_t dims[4];
    if (sd_ckpt_item_info(in, name, &t, &nd, dims, err, errlen) < 0) return NULL;
    const int want_nd = d1 ? 2 : 1;
    if (t != type || nd != want_nd || dims[0] != d0 || (d1 && dims[1] != d1)) {
        if (d1)
            snprintf(err, errlen, "%s: /state/%s: expected %s[%lld][%lld], found another type or shape (a checkpoint of "
                     "another particle system)", sd_ckpt_path(in), name, type == SD_CK_F64 ? "f64" : "i64", (long long)d0,
                     (long long)d1);
        else
            snprintf(err, errlen, "%s: /state/%s: expected i64[%lld], found another type or shape", sd_ckpt_path(in), name,
                     (long long)d0);
        return NULL;
    }
    const size_t bytes = sd_ckpt_type_size(type) * (size_t)d0 * (size_t)(d1 ? d1 : 1);
    void *buf = malloc(bytes);
    if (!buf) {
        snprintf(err, errlen, "out of memory reading %s from %s", name, sd_ckpt_path(in));
        return NULL;
    }
    if (sd_ckpt_read_item(in, name, buf, bytes, err, errlen) < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A distributed run holds only its own blocks, but a restore's rebuild computes every block (as the
 * first build did) and each block's ghosts read its neighbours: another rank's blocks get scratch
 * for what those read (header, ids, types, x0, plan, cell starts, exports, fields), holding the
 * ids create gave them, while the restore runs; on = 0 frees it. 0, or -1 out of memory. */
static int others_scratch(pdomain *D, int on)
{
    int rc = 0;
    for (int b = 0; b < D->nb; b++)
        for (int k = 0; !D->own[b] && k < D->nbufkinds; k++) {
            if (k > K_PLAN && k < K_FIELD && k != K_CS && k != K_EXX && k != K_EXID && k != K_EXTYPE) continue;
            void **m = &MEM(D, k, b);
            if (!on) {
                free(*m);
                *m = NULL;
            } else if (!(*m = calloc(1, D->kind_bytes[k])))
                rc = -1;
        }
    sd_particles_point_host_blocks(D);
    if (on && rc == 0) sd_particles_assign(&D->geom, D->P, D->host_blocks); /* the ids create gave every block */
    return rc;
}

/* Field f of every block here from v ([ncomp][N], id order), through the blocks' ids. */
static void put_field(pdomain *D, int f, int nc, const double *v)
{
    const int64_t N = D->P->count, ch = D->geom.cap_h;
    for (int b = 0; b < D->nb; b++) {
        const sd_pbuf *p = &D->host_blocks[b];
        double *dst = MEM(D, K_FIELD + f, b);
        if (!dst) continue; /* another rank's block */
        for (int c = 0; c < nc; c++)
            for (int64_t i = 0; i < p->hdr->nh; i++) dst[c * ch + i] = v[c * N + p->id[i]];
    }
}

/* Each block's ghosts (lists = 1: also the lists, from the positions the blocks hold now); this
 * rank's blocks only, from every block's exports (packed here as the export tasks would). */
static int prepare_all(pdomain *D, int lists, int64_t step, char *err, size_t errlen)
{
    const int pos = D->P->position;
    for (int o = 0; D->geom.cap_e && o < D->nb; o++)
        if (D->geom.cap_e[o]) {
            const sd_pexport ex = {.cs = MEM(D, K_CS, o), .x = MEM(D, K_FIELD + pos, o), .id = MEM(D, K_ID, o),
                                   .type = MEM(D, K_TYPE, o), .x_out = MEM(D, K_EXX, o),
                                   .id_out = lists ? MEM(D, K_EXID, o) : NULL, .type_out = MEM(D, K_EXTYPE, o)};
            sd_pexport_pack(&D->geom, o, &ex);
        }
    for (int b = 0; b < D->nb; b++) {
        if (!D->own[b]) continue;
        sd_pprep io = {.hdr = MEM(D, K_HDR, b), .plan = MEM(D, K_PLAN, b), .xv = MEM(D, K_XV, b), .tv = MEM(D, K_TV, b),
                       .iv = MEM(D, K_IV, b), .start = MEM(D, K_START, b), .nbr = MEM(D, K_NBR, b), .lists = lists,
                       .scratch = &D->list_scratch[b], .scratch_bytes = &D->list_scratch_bytes[b]};
        for (int k = 0; k < D->geom.nslot[b]; k++) {
            const int s = D->geom.slot[b][k], remote = sd_pgeom_remote(&D->geom, b, s);
            io.src[k] = MEM(D, remote ? K_EXX : K_FIELD + pos, s);
            io.src_sc[k] = remote ? D->geom.cap_e[s] : D->geom.cap_h;
            io.src_id[k] = MEM(D, remote ? K_EXID : K_ID, s);
            io.src_type[k] = MEM(D, remote ? K_EXTYPE : K_TYPE, s);
        }
        sd_pstatus st;
        if (sd_particles_prepare(&D->geom, D->min_dist2, b, &io, &st)) {
            char msg[512];
            sd_pstatus_message(&st, D->P, step, msg, sizeof msg);
            snprintf(err, errlen, "restoring the neighbour lists of the last build: %s", msg);
            return -1;
        }
    }
    return 0;
}

/* The blocks as the last build left them: particles placed with positions x0, rebuilt (wrapped:
 * x0 already is, and md_wrap leaves [0, L) as it is; binned, sorted by (cell, id), ghost plans),
 * and the lists built from x0 as that build's preparation did. */
static int rebuild_from_x0(pdomain *D, const double *x0, int64_t step, char *err, size_t errlen)
{
    const int pos = D->P->position;
    put_field(D, pos, 3, x0);
    sd_particles_point_host_blocks(D);
    if (sd_particles_rebuild_scratch(D) < 0) {
        snprintf(err, errlen, "out of memory restoring the blocks of the last neighbour-list build (%lld particles)",
                 (long long)D->P->count);
        return -1;
    }
    const sd_prebuild_req req = {.geom = &D->geom, .P = D->P, .nfields = D->nf, .ncomp = D->ncomp,
                                 .position = pos, .first = 1, .check = 0};
    sd_pstatus st;
    if (sd_particles_rebuild(&req, D->host_blocks, &D->rebuild_scratch, &st)) {
        char msg[512];
        sd_pstatus_message(&st, D->P, step, msg, sizeof msg);
        snprintf(err, errlen, "restoring the blocks of the last neighbour-list build: %s", msg);
        return -1;
    }
    return prepare_all(D, 1, step, err, errlen);
}

int sd_particles_restore(sd_dm *dm, const sd_ckpt_in *in, char *err, size_t errlen)
{
    pdomain *D = dm->data;
    const sd_graph *g = dm->g;
    const int nf = D->nf;
    const int64_t N = D->P->count, K = sd_ckpt_step(in);
    double **v = calloc(nf + 1, sizeof *v);
    int64_t *st = NULL;
    int rc = -1;
    char name[128];
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!(st = read_part(in, "particles/state", SD_CK_I64, ST_COUNT, 0, err, errlen))) goto out;
    if ((st[ST_BUILT] != 0 && st[ST_BUILT] != 1) || (st[ST_GHOSTS_OK] != 0 && st[ST_GHOSTS_OK] != 1) ||
        st[ST_LAST_BUILD] < 0 || st[ST_LAST_BUILD] > K || st[ST_REBUILDS] < 0 || st[ST_DANGEROUS] < 0 ||
        st[ST_DANGEROUS] > st[ST_REBUILDS] || (st[ST_GHOSTS_OK] && !st[ST_BUILT])) {
        snprintf(err, errlen, "%s: /state/particles/state: values that no run at step %lld has (built %lld, last build "
                 "%lld, ghosts current %lld, rebuilds %lld, dangerous %lld)", sd_ckpt_path(in), (long long)K,
                 (long long)st[ST_BUILT], (long long)st[ST_LAST_BUILD], (long long)st[ST_GHOSTS_OK],
                 (long long)st[ST_REBUILDS], (long long)st[ST_DANGEROUS]);
        goto out;
    }
    for (int f = 0; f < nf; f++) {
        snprintf(name, sizeof name, "fields/%s/0", g->fields[f].name);
        if (!(v[f] = read_part(in, name, SD_CK_F64, D->ncomp[f], N, err, errlen))) goto out;
    }
    if (!(v[nf] = read_part(in, "particles/x0", SD_CK_F64, 3, N, err, errlen))) goto out;
    /* the blocks hold the ids in sd_particles_assign's order (create); without a build yet that is
     * the uninterrupted run's order too */
    if (st[ST_BUILT]) {
        for (int64_t k = 0; k < 3 * N; k++)
            if (!isfinite(v[nf][k])) {
                snprintf(err, errlen, "%s: /state/particles/x0: particle %lld's position at the last build is not finite",
                         sd_ckpt_path(in), (long long)(k % N));
                goto out;
            }
        if (others_scratch(D, 1) < 0) {
            snprintf(err, errlen, "out of memory restoring %lld particles from %s", (long long)N, sd_ckpt_path(in));
            goto out;
        }
        if (rebuild_from_x0(D, v[nf], K, err, errlen) < 0) goto out;
    }
    for (int f = 0; f < nf; f++) put_field(D, f, D->ncomp[f], v[f]);
    /* the ghost positions of now (used as they are when the first op after the restart needs
     * neighbours before any op moves the particles) */
    if (st[ST_BUILT] && prepare_all(D, 0, K, err, errlen) < 0) goto out;
    D->built = (int)st[ST_BUILT];
    D->last_build = st[ST_LAST_BUILD];
    D->ghosts_ok = (int)st[ST_GHOSTS_OK];
    D->rebuilds = st[ST_REBUILDS];
    D->dangerous = st[ST_DANGEROUS];
    rc = 0;
out:
    others_scratch(D, 0);
    sd_prebuild_scratch_free(&D->rebuild_scratch); /* made again by the next serial rebuild (rank 0's) */
    for (int f = 0; f <= nf; f++) free(v[f]);
    free(v);
    free(st);
    return rc;
}
