/* h5md_continue.c - continuing an H5MD trajectory on a restart (sd_h5md_continue, h5md.h): the
 * file sd_h5md_create made is opened with the same crash-safe settings, every frame and observable
 * row of a step after the checkpoint's is dropped (H5Dset_extent), and the writer appends from
 * there exactly as a fresh one would.
 *
 * Rows come off the end only: frames kept are not rewritten (their deflated chunks stay where
 * they are; the dropped ones' space is never reused, H5F_FSPACE_STRATEGY_NONE), and the partly
 * kept 1024-row chunks of the series are rewritten with their kept rows unchanged and fill values
 * after them, as an append rewrites them. The shrunk extents, like every in-place metadata update,
 * reach the file in the ordered commit that ends the call (h5util.h), so a kill before it leaves
 * the file as it was and a kill inside it leaves the committed frames <= step readable: the same
 * continue redone later finds them. */
#define _GNU_SOURCE
#include "h5md.h"
#include "h5err.h"
#include "h5md_impl.h"
#include "h5util.h"
#include "run_status.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

/* The first dimension of ds (its rows), or -1. */
static int64_t rows_of(hid_t ds, int *rank, hsize_t dims[3])
{
    hid_t sp = H5Dget_space(ds);
    int r = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    if (r < 1 || r > 3 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0) r = -1;
    if (sp >= 0) H5Sclose(sp);
    if (rank) *rank = r;
    return r < 0 ? -1 : (int64_t)dims[0];
}

/* Rows [0, n) of a 1-D dataset of int64 or double. 0, or -1. */
static int read_rows(hid_t ds, int64_t n, hid_t mtype, void *buf)
{
    if (n == 0) return 0;
    hsize_t start[1] = {0}, count[1] = {(hsize_t)n};
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, count, NULL);
    int rc = fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
                     H5Dread(ds, mtype, ms, fs, H5P_DEFAULT, buf) < 0
                 ? -1
                 : 0;
    if (fs >= 0) H5Sclose(fs);
    if (ms >= 0) H5Sclose(ms);
    return rc;
}

/* Shrink ds (rank 1 to 3) to `rows` rows when it has more. 0, or -1. */
static int cut(hid_t ds, int64_t rows)
{
    int rank;
    hsize_t dims[3];
    int64_t have = rows_of(ds, &rank, dims);
    if (have < 0) return -1;
    if (have <= rows) return 0;
    dims[0] = (hsize_t)rows;
    return H5Dset_extent(ds, dims) < 0 ? -1 : 0;
}

/* How many of the n steps (strictly increasing from the first row; -1 = a row whose data never
 * reached the disk) are <= step: the rows to keep. -1 with why when the kept rows are not a clean
 * increasing series. */
static int64_t rows_to_keep(const int64_t *s, int64_t n, int64_t step, const char *what, char *why, size_t wl)
{
    int64_t keep = 0;
    while (keep < n && s[keep] >= 0 && s[keep] <= step && (keep == 0 || s[keep] > s[keep - 1])) keep++;
    if (keep < n && s[keep] >= 0 && s[keep] <= step) {
        snprintf(why, wl, "%s: row %" PRId64 " has step %" PRId64 " after step %" PRId64 " (not a stardag trajectory?)",
                 what, keep, s[keep], s[keep - 1]);
        return -1;
    }
    if (keep < n && s[keep] < 0) {
        for (int64_t i = keep + 1; i < n; i++)
            if (s[i] >= 0 && s[i] <= step) { /* a hole among the rows to keep: damaged, not just cut short */
                snprintf(why, wl, "%s: row %" PRId64 " has no data (the file was damaged) but later rows reach step %" PRId64,
                         what, keep, s[i]);
                return -1;
            }
    }
    return keep;
}

typedef struct obs_walk {
    sd_h5md *w;
    int64_t step;
    char *why;
    size_t wl;
} obs_walk;

/* One /observables/<name>: open, cut to the rows of steps <= step, keep as the writer's. */
static herr_t continue_obs(hid_t g_obs, const char *name, const H5L_info_t *info, void *u)
{
    (void)info;
    obs_walk *ow = u;
    sd_h5md *w = ow->w;
    if (w->nobs == w->capobs) {
        int nc = w->capobs ? 2 * w->capobs : 8;
        obs *no = realloc(w->obs, (size_t)nc * sizeof *no);
        if (!no) goto oom;
        w->obs = no;
        w->capobs = nc;
    }
    char *dup = strdup(name);
    if (!dup) goto oom;
    obs *o = &w->obs[w->nobs++];
    *o = (obs){dup, -1, -1, -1, -1, 0, 0};
    hsize_t dims[3];
    int64_t n[3];
    if ((o->g = H5Gopen2(g_obs, name, H5P_DEFAULT)) < 0 || (o->step = H5Dopen2(o->g, "step", H5P_DEFAULT)) < 0 ||
        (o->time = H5Dopen2(o->g, "time", H5P_DEFAULT)) < 0 || (o->value = H5Dopen2(o->g, "value", H5P_DEFAULT)) < 0 ||
        (n[0] = rows_of(o->step, NULL, dims)) < 0 || (n[1] = rows_of(o->time, NULL, dims)) < 0 ||
        (n[2] = rows_of(o->value, NULL, dims)) < 0) {
        snprintf(ow->why, ow->wl, "observable %s: cannot open its step, time and value datasets", name);
        return -1;
    }
    /* a kill can leave one of the three a row longer than the others: the shortest counts */
    int64_t rows = n[0] < n[1] ? n[0] : n[1];
    rows = rows < n[2] ? rows : n[2];
    int64_t *s = malloc(sizeof *s * (size_t)(rows ? rows : 1));
    if (!s) goto oom;
    char what[256];
    snprintf(what, sizeof what, "/observables/%s/step", name);
    int64_t keep = read_rows(o->step, rows, H5T_NATIVE_INT64, s) < 0 ? -2 : rows_to_keep(s, rows, ow->step, what, ow->why, ow->wl);
    if (keep >= 0) {
        o->rows = keep;
        o->last_step = keep ? s[keep - 1] : 0;
    }
    free(s);
    if (keep == -2) snprintf(ow->why, ow->wl, "cannot read %s", what);
    if (keep < 0) return -1;
    if (cut(o->step, keep) < 0 || cut(o->time, keep) < 0 || cut(o->value, keep) < 0) {
        snprintf(ow->why, ow->wl, "observable %s: cannot remove the rows after step %" PRId64, name, ow->step);
        return -1;
    }
    return 0;
oom:
    snprintf(ow->why, ow->wl, "out of memory");
    return -1;
}

/* The frames: position/value's length is the frame count (h5md.h); the other per-frame datasets
 * have at least that many rows. Keeps those of steps <= step. 0, or -1 with why. */
static int continue_frames(sd_h5md *w, int64_t step, int64_t every, int keep_step_frame, char *why, size_t wl)
{
    int rank;
    hsize_t dims[3];
    int64_t frames = rows_of(w->ds_pos, &rank, dims);
    if (frames < 0 || rank != 3 || dims[2] != 3) {
        snprintf(why, wl, "/particles/" SD_H5MD_GROUP "/position/value is not a [frames][N][3] dataset");
        return -1;
    }
    if ((int64_t)dims[1] != w->N) {
        snprintf(why, wl, "it holds %llu particles, the run has %" PRId64, (unsigned long long)dims[1], w->N);
        return -1;
    }
    const hid_t other[] = {w->ds_step, w->ds_time, w->ds_edges, w->has_vel ? w->ds_vel : w->ds_step};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (rows_of(other[i], NULL, dims) < frames) {
            snprintf(why, wl, "its per-frame datasets have fewer rows than position/value's %" PRId64 " frames", frames);
            return -1;
        }
    int64_t *s = malloc(sizeof *s * (size_t)(frames ? frames : 1));
    double *tm = malloc(sizeof *tm * (size_t)(frames ? frames : 1));
    int64_t keep = -1;
    if (!s || !tm) snprintf(why, wl, "out of memory");
    else if (read_rows(w->ds_step, frames, H5T_NATIVE_INT64, s) < 0 || read_rows(w->ds_time, frames, H5T_NATIVE_DOUBLE, tm) < 0)
        snprintf(why, wl, "cannot read position/step and position/time");
    else if ((keep = rows_to_keep(s, frames, step, "position/step", why, wl)) >= 0) {
        w->nframes = keep;
        w->last_step = keep ? s[keep - 1] : INT64_MIN;
        w->last_time = keep ? tm[keep - 1] : -INFINITY;
    }
    if (keep >= 0 && every > 0) { /* exactly the frames at 0, every, 2 every, ... <= step */
        const int64_t want = step / every + 1;
        int64_t i = 0;
        while (i < want && i < keep && s[i] == i * every) i++;
        if (i < want) {
            if (i < keep)
                snprintf(why, wl, "its frame %" PRId64 " is of step %" PRId64 ", the interrupted run wrote it at step %" PRId64
                         " (a trajectory of another run or cadence)", i, s[i], i * every);
            else
                snprintf(why, wl, "it holds %" PRId64 " frames of steps <= %" PRId64 ", the interrupted run had written %" PRId64
                         " (a trajectory older than the checkpoint, or of another run)", keep, step, want);
            keep = -1;
        } else { /* a finished run's frame of its last step, between the cadence's, goes too (unless
                  * the continued run ends there as well) */
            keep = keep > want && keep_step_frame && s[want] == step ? want + 1 : want;
            w->last_step = s[keep - 1];
            w->last_time = tm[keep - 1];
            w->nframes = keep;
        }
    }
    free(s);
    free(tm);
    if (keep < 0) return -1;
    if (cut(w->ds_step, keep) < 0 || cut(w->ds_time, keep) < 0 || cut(w->ds_edges, keep) < 0 ||
        (w->has_vel && cut(w->ds_vel, keep) < 0) || cut(w->ds_pos, keep) < 0) {
        sd_h5why(why, wl);
        return -1;
    }
    return 0;
}

/* Open what sd_h5md_create made. 0, or -1 with why. */
static int open_parts(sd_h5md *w, char *why, size_t wl)
{
    const char *base = "/particles/" SD_H5MD_GROUP;
    char p[256];
    if (H5Lexists(w->file, "h5md", H5P_DEFAULT) <= 0 || H5Lexists(w->file, "particles", H5P_DEFAULT) <= 0 ||
        H5Lexists(w->file, "/particles/" SD_H5MD_GROUP, H5P_DEFAULT) <= 0 ||
        H5Lexists(w->file, "/particles/" SD_H5MD_GROUP "/position", H5P_DEFAULT) <= 0) {
        snprintf(why, wl, "not an H5MD trajectory (no /h5md and %s/position)", base);
        return -1;
    }
    int vel = H5Lexists(w->file, "/particles/" SD_H5MD_GROUP "/velocity", H5P_DEFAULT) > 0;
    if (vel != w->has_vel) {
        snprintf(why, wl, vel ? "it was written with velocities, the run writes none"
                              : "it was written without velocities, the run writes them");
        return -1;
    }
    /* frames are written whole: no chunk cache for the value datasets (as at create) */
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (dapl < 0 || H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0) {
        if (dapl >= 0) H5Pclose(dapl);
        sd_h5why(why, wl);
        return -1;
    }
    struct { hid_t *ds; const char *name; hid_t apl; } part[] = {
        {&w->ds_step, "position/step", H5P_DEFAULT}, {&w->ds_time, "position/time", H5P_DEFAULT},
        {&w->ds_edges, "box/edges/value", H5P_DEFAULT}, {&w->ds_pos, "position/value", dapl},
        {&w->ds_vel, "velocity/value", dapl}};
    int rc = 0;
    for (size_t i = 0; i < sizeof part / sizeof part[0] && !rc; i++) {
        if (part[i].ds == &w->ds_vel && !w->has_vel) continue;
        snprintf(p, sizeof p, "%s/%s", base, part[i].name);
        if ((*part[i].ds = H5Dopen2(w->file, p, part[i].apl)) < 0) {
            snprintf(why, wl, "cannot open %s", p);
            rc = -1;
        }
    }
    H5Pclose(dapl);
    if (!rc && (w->g_obs = H5Gopen2(w->file, "observables", H5P_DEFAULT)) < 0) {
        snprintf(why, wl, "no /observables group");
        rc = -1;
    }
    return rc;
}

sd_h5md *sd_h5md_continue(const char *path, int64_t N, const double box[3], int64_t step, int64_t every,
                          const char *units_time, const sd_h5md_opts *opts, char *err, size_t errlen)
{
    static const sd_h5md_opts defaults;
    if (!opts) opts = &defaults;
    const char *p = path ? path : "(null)";
    if (!path || !*path || N < 1 || !box || step < 0) {
        sd_io_seterr(err, errlen, "%s: cannot continue the H5MD file: bad arguments", p);
        return NULL;
    }
    if (access(path, R_OK | W_OK) != 0) {
        sd_io_seterr(err, errlen, "%s: cannot continue the trajectory at step %" PRId64 ": %s", p, step, strerror(errno));
        return NULL;
    }
    sd_h5md *w = sd_h5md_alloc(path, N, box, units_time, opts, err, errlen);
    if (!w) return NULL;

    sd_h5_quiet q = sd_h5_quiet_on();
    char why[512] = "";
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    int ok = fcpl >= 0 && fapl >= 0 && sd_h5_crash_safe_plists(fcpl, fapl) == 0;
    if (!ok) sd_h5why(why, sizeof why);
    else if ((w->file = H5Fopen(path, H5F_ACC_RDWR, fapl)) < 0) {
        snprintf(why, sizeof why, "not an HDF5 file, or unreadable: ");
        sd_h5why(why + strlen(why), sizeof why - strlen(why));
        ok = 0;
    }
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    int e = 0;
    if (ok && (e = sd_h5_reserve(w->file, 0)) != 0) {
        snprintf(why, sizeof why, "%s", strerror(e));
        ok = 0;
    }
    if (ok && opts->continue_hash && H5Aexists(w->file, "stardag_graph_hash") > 0) {
        uint64_t have = 0;
        if (sd_h5_attr_read_hex(w->file, "stardag_graph_hash", &have) != 0 || have != opts->continue_hash) {
            snprintf(why, sizeof why, "it was written from another graph (its stardag_graph_hash %016" PRIx64 ", the "
                     "checkpoint's graph %016" PRIx64 ")", have, opts->continue_hash);
            ok = 0;
        }
    }
    obs_walk ow = {w, step, why, sizeof why};
    if (ok) ok = open_parts(w, why, sizeof why) == 0 && continue_frames(w, step, every, opts->keep_step_frame, why, sizeof why) == 0;
    if (ok && H5Literate(w->g_obs, H5_INDEX_NAME, H5_ITER_INC, NULL, continue_obs, &ow) < 0) {
        if (!*why) sd_h5why(why, sizeof why);
        ok = 0;
    }
    int hdf5 = 0;
    if (ok && ((opts->graph_hash && sd_h5_attr_hex(w->file, "stardag_graph_hash", opts->graph_hash) < 0) ||
               sd_h5md_attr_status(w->file, sd_run_status_str(SD_RUN_RUNNING)) < 0 ||
               sd_h5_attr_write(w->file, "steps_done", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &(int64_t){-1}) < 0)) {
        sd_h5why(why, sizeof why);
        ok = 0;
    }
    if (ok && sd_h5md_flush_all(w, 1, why, sizeof why, &hdf5) < 0) ok = 0;
    if (!ok) {
        sd_io_seterr(err, errlen, "%s: cannot continue the trajectory at step %" PRId64 ": %s", p, step, why);
        if (w->file >= 0) sd_h5md_close_discard(w); /* nothing of the removal reaches the file */
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        sd_h5md_free(w);
        return NULL;
    }
    sd_h5_quiet_off(q);
    return w;
}

int64_t sd_h5md_last_step(const sd_h5md *w) { return w && w->nframes ? w->last_step : INT64_MIN; }
