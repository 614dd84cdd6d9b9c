/* h5out_commit.c - the run file's commits and its end (io/h5out.h): a commit (data, then the root
 * counters in a commit of their own), a removal commit, the /run table, and close (the last data
 * commit, then the status alone). Why in that order: the crash-safety notes at the top of h5out.c
 * and docs/output-format.md. */
#define _GNU_SOURCE
#include "h5out.h"
#include "h5err.h"
#include "h5util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5out_impl.h"
#include "run_status.h"
#include "xdmf.h"

#define attr_i64 sd_h5out_attr_i64
#define attr_str sd_h5out_attr_str
#define attr_f64 sd_h5out_attr_f64
#define free_obj sd_h5out_free_obj
#define close_handles sd_h5out_close_handles

static int64_t distinct_steps(const sd_h5out *o, size_t n, int64_t *last)
{
    /* records are few per step; count distinct steps (sorted copy) */
    *last = -1;
    if (!n) return 0;
    int64_t *s = malloc(n * sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < n; i++) s[i] = o->rec[i].step;
    for (size_t i = 1; i < n; i++) { /* insertion sort is fine: nearly sorted */
        int64_t v = s[i];
        size_t j = i;
        while (j > 0 && s[j - 1] > v) { s[j] = s[j - 1]; j--; }
        s[j] = v;
    }
    int64_t c = 1;
    for (size_t i = 1; i < n; i++) c += s[i] != s[i - 1];
    *last = s[n - 1];
    free(s);
    return c;
}

static int commit_step(sd_h5out *o, int removal, int exact, char *err, size_t errlen);

/* The root counters (committed_*) never claim more than the disk holds: a release that fails
 * half-way may have written the root before some new child. So a commit that adds data is two:
 * the data with the counters of the last commit (durable), then the new counters alone. A removal
 * commit writes its own (smaller) counters at once. */
static int commit_mode(sd_h5out *o, int removal, char *err, size_t errlen)
{
    if (!removal && commit_step(o, 0, 0, err, errlen) < 0) return -1;
    return commit_step(o, removal, 1, err, errlen);
}

int sd_h5out_commit(sd_h5out *o, char *err, size_t errlen) { return commit_mode(o, 0, err, errlen); }

int sd_h5out_commit_removal(sd_h5out *o, char *err, size_t errlen) { return commit_mode(o, 1, err, errlen); }

/* One commit; exact: with the counters of what it holds (else those of the last commit), and
 * counted as a commit (sidecar, committed_* in memory). */
static int commit_step(sd_h5out *o, int removal, int exact, char *err, size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot commit: an earlier write failed; file is kept at its last commit",
               o->path);
        return -1;
    }
    char why[256];
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(o->file, 0);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot commit: %s", o->path, strerror(e));
        sd_h5_quiet_off(q);
        return -1;
    }
    const size_t rec = exact ? o->nrec : o->committed_rec;
    const int64_t rows = exact ? o->nrows : o->committed_rows, commits = exact ? o->ncommits + 1 : o->ncommits;
    int64_t last = -1, nsteps = distinct_steps(o, rec, &last);
    if (nsteps < 0) {
        sd_io_seterr(err, errlen, "%s: cannot commit: out of memory", o->path);
        sd_h5_quiet_off(q);
        return -1;
    }
    /* Children before parents: scalar datasets (extent, chunk index, raw chunks), then the
     * root attributes, groups and superblock in H5Fflush. */
    if (H5Dflush(o->ds_step) < 0 || H5Dflush(o->ds_time) < 0) goto fail;
    for (int i = 0; i < o->nscal; i++)
        if (H5Dflush(o->ds_scal[i]) < 0) goto fail;
    if (sd_h5out_profiles_flush(o) < 0) goto fail;
    if (attr_i64(o->file, "commits", commits) < 0 ||
        attr_i64(o->file, "committed_output_steps", nsteps) < 0 ||
        attr_i64(o->file, "committed_field_datasets", (int64_t)rec) < 0 ||
        attr_i64(o->file, "committed_scalar_rows", rows) < 0 ||
        attr_i64(o->file, "last_committed_step", last) < 0)
        goto fail;
    /* H5Fflush, then children durable before the parents are written (h5util.h) */
    int hdf5 = 0;
    if ((removal ? sd_h5_commit_removal : sd_h5_commit)(o->file, 1, why, sizeof why, &hdf5) < 0) {
        if (hdf5) o->poisoned = 1;
        sd_io_seterr(err, errlen, "%s: cannot commit: %s", o->path, why);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        return -1;
    }
    /* Everything is clean now: drop it from the metadata cache, which would otherwise keep every
     * object header and B-tree node the run ever touched (~33 KB of memory per field dataset). */
    if (sd_h5_evict_clean(o->file) < 0) {
        o->poisoned = 1; /* evictions could not be switched off again: never write through it */
        sd_h5why(why, sizeof why);
        sd_io_seterr(err, errlen, "%s: committed, but cannot reset the metadata cache: %s", o->path, why);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        return -1;
    }
    sd_h5_quiet_off(q);
    if (!exact) return 0;
    o->ncommits++;
    o->committed_rows = o->nrows;
    o->committed_rec = o->nrec;
    if (o->nfields == 0) return 0; /* no fields (scalars only, particle runs): no XDMF sidecar */
    sd_xdmf_desc d = {o->h5name, o->ndim, {o->shape[0], o->shape[1], o->shape[2]},
                      {o->spacing[0], o->spacing[1], o->spacing[2]}, o->nfields,
                      (const char *const *)o->fname, o->dtype, o->ncomp, o->ninner, o->committed_rec, o->rec,
                      o->units_length, o->units_time, NULL};
    sd_xdmf_mesh m = {o->mesh_nv, o->mesh_nf, o->mesh_location, o->mesh_position_field, o->mesh_ne};
    if (o->has_mesh) d.mesh = &m;
    return sd_xdmf_write(o->xmf, &d, err, errlen);
fail:
    sd_h5why(why, sizeof why);
    /* A failed flush may have written part of the new metadata: stop touching the file. */
    o->poisoned = 1;
    sd_io_seterr(err, errlen, "%s: cannot commit: %s", o->path, why);
    sd_h5_quiet_off(q);
    return -1;
}

int sd_h5out_write_run(sd_h5out *o, const sd_h5run *r, char *err, size_t errlen)
{
    if (!o || o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot record the run summary: an earlier write failed", o ? o->path : "(null)");
        return -1;
    }
    char why[256];
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(o->file, 4096);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot record the run summary: %s", o->path, strerror(e));
        sd_h5_quiet_off(q);
        return -1;
    }
    hid_t g = H5Gcreate2(o->file, "run", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = g < 0 ||
             sd_h5_str_list(g, "codelet_name", r->ncodelet, r->codelet_name, H5T_CSET_UTF8) < 0 ||
             sd_h5_str_list(g, "codelet_arch", r->ncodelet, r->codelet_arch, H5T_CSET_UTF8) < 0 ||
             sd_h5_num_dataset(g, "codelet_tasks", r->ncodelet, H5T_STD_I64LE, H5T_NATIVE_INT64, r->codelet_tasks) < 0 ||
             sd_h5_num_dataset(g, "codelet_seconds", r->ncodelet, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->codelet_seconds) < 0 ||
             sd_h5_str_list(g, "worker_name", r->nworker, r->worker_name, H5T_CSET_UTF8) < 0 ||
             sd_h5_num_dataset(g, "worker_busy_seconds", r->nworker, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->worker_busy_seconds) < 0 ||
             sd_h5_str_list(g, "bus_name", r->nbus, r->bus_name, H5T_CSET_UTF8) < 0 ||
             sd_h5_num_dataset(g, "bus_bytes", r->nbus, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->bus_bytes) < 0 ||
             sd_h5_num_dataset(g, "bus_transfers", r->nbus, H5T_STD_I64LE, H5T_NATIVE_INT64, r->bus_transfers) < 0 ||
             sd_h5_num_dataset(g, "wall_seconds", -1, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &r->wall_seconds) < 0
             ? -1 : 0;
    if (g >= 0) H5Gclose(g);
    if (rc < 0) {
        sd_h5why(why, sizeof why);
        sd_io_seterr(err, errlen, "%s: cannot record the run summary: %s", o->path, why);
        o->poisoned = 1; /* a half-written group: keep the file at its last commit */
    }
    sd_h5_quiet_off(q);
    return rc;
}

/* Close without flushing uncommitted metadata: point HDF5's descriptor at a scratch sink
 * (memfd, else /dev/null) so whatever it writes on close goes nowhere, then close it. After a
 * failed commit a plain H5Fclose would retry the failed writes and syncs and, failing, leave
 * HDF5 1.10 a half-destroyed file (its ID survives a failed close) that its atexit closes again:
 * a crash. */
static void close_discard(sd_h5out *o)
{
    close_handles(o);
    sd_h5_discard_close(o->file); /* -1 only for a non-I/O failure: nothing more to do */
    o->file = -1;
}

void sd_h5out_no_atexit(void) { H5dont_atexit(); }

/* The run's end, as the last commit: status, steps_done and wall_s (the counters become exact). */
static int commit_end(sd_h5out *o, const char *status, int64_t steps_done, double wall_s, char *err, size_t errlen)
{
    char why[256];
    sd_h5_quiet q = sd_h5_quiet_on();
    int rc = attr_str(o->file, "status", status) < 0 || attr_i64(o->file, "steps_done", steps_done) < 0 ||
             attr_f64(o->file, "wall_s", wall_s) < 0 ? -1 : 0;
    if (rc) {
        sd_h5why(why, sizeof why);
        sd_io_seterr(err, errlen, "%s: cannot record run end: %s", o->path, why);
        o->poisoned = 1;
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return rc ? -1 : commit_step(o, 0, 1, err, errlen); /* the counters are exact already */
}

/* Two commits: the data (the status still "running"), then the status alone. So the status never
 * reaches the disk before everything it vouches for is durable. If the status commit fails after
 * writing (its last sync), the status is rewritten as "failed" in one more commit (best effort:
 * a disk that fails every call from then on keeps whatever its cache holds, and the error says
 * that the file may read as the run's status, which its durable data then bears out). */
int sd_h5out_close(sd_h5out *o, const char *status, int64_t steps_done, double wall_s, char *err,
                   size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    int rc = 0;
    sd_h5_quiet q = sd_h5_quiet_on();
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: closed after an earlier write failure; file kept at its last commit",
               o->path);
        rc = -1;
    } else {
        int e = sd_h5_reserve(o->file, 0);
        if (e) {
            sd_io_seterr(err, errlen, "%s: cannot record run end: %s", o->path, strerror(e));
            rc = -1;
        }
    }
    sd_h5_quiet_off(q);
    if (!rc && sd_h5out_commit(o, err, errlen) < 0) rc = -1;
    if (!rc && commit_end(o, status ? status : "", steps_done, wall_s, err, errlen) < 0) {
        rc = -1;
        char ignored[64];
        if (!o->poisoned &&
            commit_end(o, sd_run_status_str(SD_RUN_FAILED), steps_done, wall_s, ignored, sizeof ignored) < 0) {
            /* the disk refuses every write now: the first status may stay in its cache; the data
             * it vouches for was committed (durably) before, so it is not a lie, but say so */
            size_t l = strlen(err);
            snprintf(err + l, errlen > l ? errlen - l : 0,
                     "; nor could the status be rewritten as \"failed\": the file may read \"%s\" (its data, "
                     "committed before, is whole)", status ? status : "");
        }
    }
    q = sd_h5_quiet_on();
    if (rc) {
        close_discard(o);
    } else {
        /* All committed and durable (the last commit's fdatasync succeeded): a plain close,
         * which only gives back the space HDF5 allocated ahead (the superblock's end of
         * allocation, then the file's end). If that fails (a write, the descriptor's close), the
         * file is still whole, complete and durable as committed, so the failure is not the
         * run's: it is ignored (HDF5 keeps the half-closed file: see sd_h5out_no_atexit). */
        close_handles(o);
        (void)H5Fclose(o->file);
        o->file = -1;
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    free_obj(o);
    return rc;
}
