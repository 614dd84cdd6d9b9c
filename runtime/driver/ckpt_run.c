/* ckpt_run.c - see ckpt_run.h. A checkpoint of step K is submitted right after step K's tasks:
 * its snapshot tasks read the data with R access, so StarPU's sequential consistency hands them
 * step K's values and makes step K+1's writers wait only for the copies. The end record, last in
 * the queue, pops after every record of steps <= K; the run loop then packs its host state into
 * it, and the writer thread, which receives the records in the same order, publishes the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "config.h"
#include "ckpt_run.h"
#include "h5out.h"
#include "run_files.h"
#include "memlimit.h"

void sd_ckpt_plan_init(sd_ckpt_plan *p, const sd_graph *g, const sd_run_opts *o, double now)
{
    const sd_gcheckpoint *c = &g->output.checkpoint;
    memset(p, 0, sizeof *p);
    p->file = o->checkpoint ? (*o->checkpoint ? o->checkpoint : NULL) : (c->file[0] ? c->file : NULL);
    p->every = o->checkpoint_every > 0 ? o->checkpoint_every : c->every;
    p->minutes = c->minutes;
    p->keep = c->keep > 0 ? c->keep : 2;
    const int last_good = c->file[0] ? c->last_good : -1; /* --checkpoint without output.checkpoint: not given */
    p->last_good = p->last_good_every = p->file && last_good > 0 && g->nchecks > 0;
    if (p->file && last_good < 0 && g->nchecks > 0) { /* not given: on when the held copies fit */
        const char *src;
        char why[256];
        const int64_t avail = sd_memory_available(&src, why, sizeof why);
        p->held_bytes = sd_graph_state_bytes(g) * (double)(sd_run_max_inflight(g, o) + 1);
        p->last_good = avail > 0 && p->held_bytes <= 0.25 * (double)avail;
        if (!p->last_good) p->last_good_off = avail > 0 ? (double)avail : -1;
    }
    p->last_at = now;
    p->last_step = -1;
}

int sd_run_fuse(const sd_graph *g, const sd_run_opts *o)
{
    return sd_graph_fuse_for(g, o->fuse);
}

int64_t sd_run_max_inflight(const sd_graph *g, const sd_run_opts *o)
{
    return o->max_inflight > 0 ? o->max_inflight : g->run.max_inflight > 0 ? g->run.max_inflight : 4;
}

int sd_ckpt_due(const sd_ckpt_plan *p, int64_t step, double now)
{
    if (!p->file || step == p->last_step) return 0;
    if (p->every > 0 && step % p->every == 0) return 1;
    return p->minutes > 0 && now - p->last_at >= 60.0 * p->minutes;
}

void sd_ckpt_submit(sd_ckpt_plan *p, sd_dm *dm, int64_t step, double now)
{
    dm->cls->submit_checkpoint(dm, step);
    sd_eng_checkpoint_scalars(dm->e, step);
    sd_ckpt_item end = {.name = "end", .end = 1};
    sd_eng_ckpt_record_new(dm->e, step, &end); /* no task: complete once it reaches the queue's head */
    p->last_at = now;
    p->last_step = step;
}

void sd_ckpt_report(const sd_ckpt_plan *p, int64_t n, int64_t last, double walltime, int64_t steps_done)
{
    if (walltime > 0)
        printf("  stopped: --walltime %g s reached (less the time for the steps in flight and a checkpoint) at step %lld\n",
               walltime, (long long)steps_done);
    if (p->file && n) printf("  checkpoint: %s holds step %lld (%lld written this run)\n", p->file, (long long)last, (long long)n);
    if (p->last_good_off) {
        char b[2][32];
        printf("  last good step: not held (copies of the state in flight would take %s, more than a quarter of the %s "
               "available; output.checkpoint.last_good: true holds them anyway)\n", sd_fmt_bytes(b[0], sizeof b[0], p->held_bytes),
               p->last_good_off > 0 ? sd_fmt_bytes(b[1], sizeof b[1], p->last_good_off) : "unknown memory");
    }
}

void sd_ckpt_submit_last(sd_ckpt_plan *p, sd_dm *dm, int64_t step, double now)
{
    if (!p->file || p->last_step == step) return;
    sd_ckpt_submit(p, dm, step, now);
    sd_engine_seal(dm->e);
}

int sd_ckpt_walltime_hit(double walltime, double elapsed, double longest_ckpt, double inflight_s)
{
    return walltime > 0 && elapsed + inflight_s + 1.5 * longest_ckpt + 0.5 >= walltime;
}

/* ---- last good ------------------------------------------------------------------------------ */

int sd_ckpt_checked_step(const sd_graph *g, int64_t step)
{
    for (int c = 0; c < g->nchecks; c++) {
        const sd_gcheck *k = &g->checks[c];
        const int sc = k->kind == SD_CHECK_FINITE ? k->hidden_scalar : k->target;
        for (int i = 0; i < g->nstep; i++) {
            const sd_gop *op = &g->step[i];
            if (!op->cl || !sd_op_due(op, step)) continue;
            for (int r = 0; r < op->cl->nroles; r++)
                if (op->bind[r].is_scalar && op->bind[r].mode != SD_READ && op->bind[r].index == sc) return 1;
        }
    }
    return 0;
}

int sd_ckpt_hold_affordable(const sd_ckpt_plan *p, double snapshot_s, double elapsed, int nworkers)
{
    return p->last_good_every || snapshot_s <= 0.05 * elapsed * (nworkers > 0 ? nworkers : 1);
}

void sd_ckpt_submit_held(sd_ckpt_plan *p, sd_dm *dm, int64_t step)
{
    if (p->nheld >= (int)(sizeof p->held / sizeof p->held[0])) return; /* more in flight than steps can be: none */
    dm->cls->submit_checkpoint(dm, step);
    sd_eng_checkpoint_scalars(dm->e, step);
    sd_ckpt_item end = {.name = "end", .end = 1, .held = 1};
    sd_eng_ckpt_record_new(dm->e, step, &end);
    p->held[p->nheld++] = step;
}

static void free_list(sd_record *r)
{
    while (r) {
        sd_record *n = r->next;
        sd_record_free(r);
        r = n;
    }
}

int sd_ckpt_hold(sd_ckpt_plan *p, sd_record *r, int failed)
{
    if (!r->ckpt) return 0;
    if (!p->nheld || r->step != p->held[0]) { /* a regular checkpoint: newer than any held one */
        if (r->ckpt->end && !failed && p->good) {
            free_list(p->good);
            p->good = NULL;
        }
        return 0;
    }
    r->next = NULL;
    if (p->collect_tail) p->collect_tail->next = r;
    else p->collect = r;
    p->collect_tail = r;
    if (!r->ckpt->end) return 1;
    memmove(p->held, p->held + 1, (size_t)--p->nheld * sizeof p->held[0]);
    if (failed) free_list(p->collect); /* its step (or one before) failed: not good */
    else {
        free_list(p->good);
        p->good = p->collect;
        p->good_step = r->step;
    }
    p->collect = p->collect_tail = NULL;
    return 1;
}

sd_record *sd_ckpt_mark_new(int64_t step)
{
    sd_record *r = sd_eng_xmalloc(sizeof *r);
    r->is_field = 1;
    r->step = step;
    r->field = -1;
    r->ckpt = sd_eng_xmalloc(sizeof *r->ckpt);
    *r->ckpt = (sd_ckpt_item){.name = "mark", .mark = 1};
    return r;
}

void sd_ckpt_release_good(sd_ckpt_plan *p, void (*push)(void *u, sd_record *r), void *u)
{
    sd_record *r = p->good;
    p->good = NULL;
    while (r) {
        sd_record *n = r->next;
        r->next = NULL;
        push(u, r);
        r = n;
    }
}

void sd_ckpt_plan_free(sd_ckpt_plan *p)
{
    free_list(p->collect);
    free_list(p->good);
    p->collect = p->collect_tail = p->good = NULL;
    sd_ckpt_close(p->rin);
    p->rin = NULL;
}

/* ---- the host state in the end record ------------------------------------------------------ */

/* The end record's data: this header, then latest[nscalars], then the checks' integers and doubles. */
typedef struct host_blob {
    int64_t step, until_step;
    double time, wall;
    int32_t nscalars, nchecks;
} host_blob;

void sd_ckpt_attach_host(sd_record *end, const sd_graph *g, const sd_ckpt_host *h)
{
    size_t ns = (size_t)g->nscalars, nc = (size_t)g->nchecks;
    size_t bytes = sizeof(host_blob) + ns * sizeof(double) + nc * SD_CHECKS_SAVE_I * sizeof(int64_t) +
                   nc * SD_CHECKS_SAVE_F * sizeof(double);
    char *b = sd_eng_xmalloc(bytes);
    host_blob *hb = (host_blob *)b;
    *hb = (host_blob){h->step, h->until_step, h->time, h->wall, (int32_t)ns, (int32_t)nc};
    double *latest = (double *)(b + sizeof *hb);
    memcpy(latest, h->latest, ns * sizeof(double));
    int64_t *ci = (int64_t *)(latest + ns);
    double *cf = (double *)(ci + nc * SD_CHECKS_SAVE_I);
    sd_checks_save(h->checks, ci, cf);
    free(end->data);
    end->data = b;
    end->bytes = bytes;
}

/* ---- the writer thread's part --------------------------------------------------------------- */

static int write_i64(sd_ckpt_out *o, const char *name, int64_t v, char *err, size_t errlen)
{
    return sd_ckpt_write(o, name, SD_CK_I64, 0, NULL, &v, sizeof v, err, errlen);
}

static int write_host(sd_ckpt_writer *w, const sd_record *r, const int64_t counters[3], char *err, size_t errlen)
{
    const host_blob *hb = r->data;
    const double *latest = (const double *)(hb + 1);
    const int64_t *ci = (const int64_t *)(latest + hb->nscalars);
    const double *cf = (const double *)(ci + (size_t)hb->nchecks * SD_CHECKS_SAVE_I);
    int64_t dl[1] = {hb->nscalars}, di[2] = {hb->nchecks, SD_CHECKS_SAVE_I}, df[2] = {hb->nchecks, SD_CHECKS_SAVE_F};
    sd_ckpt_out *o = w->out;
    if (sd_ckpt_write(o, "/host/latest", SD_CK_F64, 1, dl, latest, (size_t)hb->nscalars * sizeof(double), err, errlen) < 0 ||
        sd_ckpt_write(o, "/host/checks_int", SD_CK_I64, 2, di, ci, (size_t)hb->nchecks * SD_CHECKS_SAVE_I * sizeof(int64_t), err,
                      errlen) < 0 ||
        sd_ckpt_write(o, "/host/checks_real", SD_CK_F64, 2, df, cf, (size_t)hb->nchecks * SD_CHECKS_SAVE_F * sizeof(double),
                      err, errlen) < 0 ||
        write_i64(o, "/host/until_step", hb->until_step, err, errlen) < 0 ||
        write_i64(o, "/host/field_steps", counters[0], err, errlen) < 0 ||
        write_i64(o, "/host/scalar_rows", counters[1], err, errlen) < 0 ||
        write_i64(o, "/host/profile_rows", counters[2], err, errlen) < 0 ||
        sd_ckpt_write(o, "/host/wall_seconds", SD_CK_F64, 0, NULL, &hb->wall, sizeof hb->wall, err, errlen) < 0)
        return -1;
    return 0;
}

int sd_ckpt_write_record(sd_ckpt_writer *w, const sd_record *r, const int64_t counters[3], double now, char *err,
                         size_t errlen)
{
    const sd_ckpt_item *it = r->ckpt;
    if (w->out && w->step != r->step) sd_ckpt_writer_abort(w); /* an earlier one that never ended */
    if (!w->out) {
        if (!(w->out = sd_ckpt_create(w->file, err, errlen))) return -1;
        w->step = r->step;
        w->started = now;
    }
    if (!it->end)
        return sd_ckpt_write(w->out, it->name, it->type, it->ndim, it->dims, r->data, r->bytes, err, errlen) < 0 ? -1 : 0;
    const host_blob *hb = r->data;
    if (!hb || r->bytes < sizeof *hb) {
        snprintf(err, errlen, "%s: checkpoint of step %lld ended without its host state", w->file, (long long)r->step);
        sd_ckpt_writer_abort(w);
        return -1;
    }
    if (write_host(w, r, counters, err, errlen) < 0) {
        sd_ckpt_writer_abort(w);
        return -1;
    }
    sd_ckpt_meta m = {.format = SD_CKPT_FORMAT, .step = hb->step, .time = hb->time,
                      .graph_hash = sd_graph_text_hash(w->g), .layout_hash = sd_graph_layout_hash(w->g)};
    snprintf(m.version, sizeof m.version, "%s", PACKAGE_VERSION);
    sd_ckpt_out *o = w->out;
    w->out = NULL;
    if (sd_ckpt_commit(o, &m, w->g->text ? w->g->text : "", w->keep, err, errlen) < 0) return -1;
    w->written++;
    return 0;
}

void sd_ckpt_writer_abort(sd_ckpt_writer *w)
{
    sd_ckpt_abort(w->out);
    w->out = NULL;
}

/* ---- restart --------------------------------------------------------------------------------- */

static sd_ckpt_in *restart_open(const sd_graph *g, const sd_run_opts *o, int64_t steps, int *status)
{
    char err[1200];
    const char *path = o->restart;
    *status = SD_EXIT_RUNTIME;
    sd_ckpt_in *in = sd_ckpt_open(path, err, sizeof err);
    if (!in) {
        sd_run_say_error(o, "%s", err);
        return NULL;
    }
    const sd_ckpt_meta *m = sd_ckpt_get_meta(in);
    const int same_text = m->graph_hash == sd_graph_text_hash(g), same_layout = m->layout_hash == sd_graph_layout_hash(g);
    *status = SD_EXIT_BADGRAPH;
    if (!same_text && !o->force)
        sd_run_say_error(o, "%s: the checkpoint was written from another graph (its text differs from %s; --force "
                         "accepts a changed graph whose state has the same layout)", path, g->path);
    else if (!same_text && !same_layout)
        sd_run_say_error(o, "%s: the checkpoint's state does not fit %s (its domain, fields, scalars or ops differ), even "
                         "with --force", path, g->path);
    else if (m->step > steps)
        sd_run_say_error(o, "%s: the checkpoint is of step %lld, beyond the run's %lld steps (--steps N runs longer)",
                         path, (long long)m->step, (long long)steps);
    else {
        if (m->format < 2)
            sd_run_say_error(o, "%s: warning: %s is a format-%d checkpoint: its root attributes and graph text "
                             "carry no checksum (its state does)", g->path, path, m->format);
        if (!same_text)
            sd_run_say_error(o, "%s: warning: --force: restarting from %s, written from another version of the "
                             "graph with the same state layout (parameters, checks, output or run settings may differ)",
                             g->path, path);
        return in;
    }
    sd_ckpt_close(in);
    return NULL;
}

static int read_exact(const sd_ckpt_in *in, const char *name, int type, size_t count, void *buf, char *err,
                      size_t errlen);

int sd_ckpt_steps_past(const sd_ckpt_in *in, int64_t steps)
{
    char err[256];
    int64_t until = 0;
    if (read_exact(in, "/host/until_step", SD_CK_I64, 1, &until, err, sizeof err) < 0) return 1; /* the restore says why */
    return steps > sd_ckpt_step(in) && until == 0;
}

sd_h5out *sd_ckpt_continue_output(const sd_ckpt_in *in, const char *path, const sd_h5meta *meta, const sd_h5decl *decl,
                                  int drop_step_output, int step_off_cadence, int64_t counters[3], char *err,
                                  size_t errlen)
{
    struct stat st;
    counters[0] = counters[1] = counters[2] = 0;
    if (stat(path, &st) < 0)
        return sd_h5out_create(path, meta, decl->ndim, decl->shape, decl->spacing, decl->nfields, decl->field_names,
                               decl->dtypes, decl->ncomp, decl->nscalars, decl->scalar_names, err, errlen);
    static const char *const names[3] = {"/host/field_steps", "/host/scalar_rows", "/host/profile_rows"};
    for (int i = 0; i < 3; i++)
        if (read_exact(in, names[i], SD_CK_I64, 1, &counters[i], err, errlen) < 0) return NULL;
    char *text = sd_ckpt_graph_text(in, err, errlen);
    if (!text) return NULL;
    sd_h5cont at = {.step = sd_ckpt_step(in), .graph_text = text, .field_steps = counters[0], .scalar_rows = counters[1],
                    .profile_rows = counters[2], .drop_step_output = drop_step_output,
                    .step_off_cadence = step_off_cadence};
    sd_h5out *out = sd_h5out_continue(path, meta, &at, decl, err, errlen);
    free(text);
    if (out) sd_h5out_continued_counts(out, counters); /* fewer when the step's own output went */
    return out;
}

int sd_ckpt_start(const sd_graph *g, const sd_run_opts *o, const sd_ckpt_plan *p, int64_t steps, sd_ckpt_in **in)
{
    *in = NULL;
    const int restart = o->restart && *o->restart;
    const sd_dm_class *cls = sd_dm_class_of(g->domain.kind);
    if ((p->file || restart) && cls && (!cls->submit_checkpoint || !cls->restore)) {
        sd_run_say_error(o, "%s: the %s domain cannot write or restore checkpoints (%s)", g->path, cls->name,
                         restart ? "--restart" : p->file == o->checkpoint ? "--checkpoint" : "output.checkpoint");
        return SD_EXIT_BADGRAPH;
    }
    int status = 0;
    if (restart && !(*in = restart_open(g, o, steps, &status))) return status;
    return 0;
}

/* An item that must be there with this many elements of this type, read. */
static int read_exact(const sd_ckpt_in *in, const char *name, int type, size_t count, void *buf, char *err,
                      size_t errlen)
{
    int t, nd;
    int64_t dims[4];
    if (sd_ckpt_item_info(in, name, &t, &nd, dims, err, errlen) < 0) return -1;
    size_t n = 1;
    for (int i = 0; i < nd; i++) n *= (size_t)dims[i];
    if (t != type || n != count) {
        snprintf(err, errlen, "%s: %s: %zu values of another type or count than the %zu this graph needs", sd_ckpt_path(in),
                 name, n, count);
        return -1;
    }
    return sd_ckpt_read_item(in, name, buf, count * sd_ckpt_type_size(type), err, errlen);
}

static int restore(sd_ckpt_in *in, sd_dm *dm, double *latest, sd_checks *checks, sd_ckpt_restored *r, int *fresh,
                   char *err, size_t errlen)
{
    const sd_graph *g = dm->g;
    const int ns = g->nscalars;
    memset(r, 0, sizeof *r);
    r->step = sd_ckpt_step(in);
    if (!dm->cls->restore) {
        snprintf(err, errlen, "%s: the %s domain cannot restore a checkpoint", sd_ckpt_path(in), dm->cls->name);
        return -1;
    }
    if (dm->cls->restore(dm, in, err, errlen) < 0) return -1;
    double *v = sd_eng_xmalloc(((size_t)ns + 1) * sizeof(double));
    int rc = ns ? read_exact(in, "scalars", SD_CK_F64, ns, v, err, errlen) : 0;
    if (!rc && ns) {
        char why[512];
        if ((rc = sd_eng_restore_scalars(dm->e, v, ns, why, sizeof why)) < 0)
            snprintf(err, errlen, "%s: %s", sd_ckpt_path(in), why);
    }
    free(v);
    if (rc < 0 || read_exact(in, "/host/latest", SD_CK_F64, ns, latest, err, errlen) < 0) return -1;
    int t, nd;
    int64_t dims[4];
    if (sd_ckpt_item_info(in, "/host/checks_int", &t, &nd, dims, err, errlen) < 0) return -1;
    const int nc = nd == 2 && dims[1] == SD_CHECKS_SAVE_I ? (int)dims[0] : -1;
    if (nc < 0) {
        snprintf(err, errlen, "%s: /host/checks_int: expected %d columns", sd_ckpt_path(in), SD_CHECKS_SAVE_I);
        return -1;
    }
    int64_t *ci = sd_eng_xmalloc(((size_t)nc * SD_CHECKS_SAVE_I + 1) * sizeof *ci);
    double *cf = sd_eng_xmalloc(((size_t)nc * SD_CHECKS_SAVE_F + 1) * sizeof *cf);
    rc = read_exact(in, "/host/checks_int", SD_CK_I64, (size_t)nc * SD_CHECKS_SAVE_I, ci, err, errlen);
    if (!rc) rc = read_exact(in, "/host/checks_real", SD_CK_F64, (size_t)nc * SD_CHECKS_SAVE_F, cf, err, errlen);
    if (!rc) *fresh = sd_checks_restore(checks, nc, ci, cf);
    free(ci);
    free(cf);
    if (rc < 0 || read_exact(in, "/host/until_step", SD_CK_I64, 1, &r->until_step, err, errlen) < 0 ||
        read_exact(in, "/host/field_steps", SD_CK_I64, 1, &r->counters[0], err, errlen) < 0 ||
        read_exact(in, "/host/scalar_rows", SD_CK_I64, 1, &r->counters[1], err, errlen) < 0 ||
        read_exact(in, "/host/profile_rows", SD_CK_I64, 1, &r->counters[2], err, errlen) < 0 ||
        read_exact(in, "/host/wall_seconds", SD_CK_F64, 1, &r->wall, err, errlen) < 0)
        return -1;
    return 0;
}

int sd_ckpt_restore(sd_ckpt_in *in, sd_dm *dm, double *latest, sd_checks *checks, sd_ckpt_restored *r,
                    const sd_run_opts *o)
{
    char err[1200];
    int fresh = 0;
    if (restore(in, dm, latest, checks, r, &fresh, err, sizeof err) < 0) {
        sd_run_say_error(o, "%s", err);
        return -1;
    }
    if (fresh)
        sd_run_say_error(o, "%s: warning: %d check%s of the graph %s not in the checkpoint: evaluated afresh "
                         "from step %lld", dm->g->path, fresh, fresh == 1 ? "" : "s", fresh == 1 ? "was" : "were",
                         (long long)r->step + 1);
    return 0;
}
