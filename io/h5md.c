/* h5md.c - crash-safe H5MD 1.1 trajectory writer. Layout and guarantees: h5md.h.
 *
 * The crash-safety settings are those of io/h5out.c (docs/output-format.md):
 *  - metadata cache with evictions disabled: between flushes no metadata reaches the disk, so the
 *    file on disk is exactly the last flush's;
 *  - H5F_FSPACE_STRATEGY_NONE: every allocation is at the end of the file and freed space is never
 *    reused, so nothing new lands on space that flushed metadata refers to (superblock v2);
 *  - filtered (deflate) chunks are written exactly once: value chunks hold one frame
 *    ([1][<=65536][3]) and a frame is written whole; the unfiltered 1-D chunks of step/time/
 *    edges/observables are rewritten in place with unchanged bytes for earlier rows;
 *  - no SWMR and the default lower library bound: no "file open for writing" flag that would make
 *    a plain H5Fopen of a killed file fail;
 *  - space reserved (posix_fallocate) before each operation, so ENOSPC/EFBIG fail before HDF5
 *    changes its state; a failure inside HDF5 poisons the writer, and close then discards the
 *    unflushed metadata (HDF5's descriptor redirected to a scratch memfd) instead of writing it.
 * Flush order at the end of each append: observables, step, time, box edges, velocity, position
 * (each H5Dflush writes that dataset's raw data and metadata), then H5Fflush; the file is written
 * through the ordered driver (io/h5vfd.c), so the raw chunks and new metadata are written at
 * once and the in-place updates (extents, chunk index entries, group links) are held until
 * sd_h5_commit releases them after an fdatasync of the children, superblock and heaps first
 * (io/h5util.h). position/value's extent goes last among the held writes so that its length,
 * which readers take as the frame count, never exceeds that of the other datasets after a kill.
 * Those in-place writes are the residual window (h5md.h): fill values (NaN, steps -1) make rows it
 * left unwritten recognisable, and big chunk-index nodes
 * (ISTORE_K) make the flushes that split a node rare. */
#define _GNU_SOURCE
#include "h5md.h"
#include "h5md_impl.h"
#include "h5err.h"
#include "durable.h"
#include "h5util.h"
#include "run_status.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

/* ---- small HDF5 helpers ------------------------------------------------------------------ */

static int attr_i32v(hid_t obj, const char *name, int n, const int *v)
{
    return sd_h5_attr_write(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, n ? 1 : 0, (hsize_t)(n ? n : 1), v);
}
/* Fixed-length, NUL-terminated ASCII string (H5MD: author/creator attributes). */
static int attr_str1(hid_t obj, const char *name, const char *s)
{
    return sd_h5_attr_strings(obj, name, 0, &s, H5T_CSET_ASCII);
}
/* Variable-length ASCII string (the H5MD units module's `unit` and `system`). */
static int attr_vlstr(hid_t obj, const char *name, const char *s)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    int rc = -1;
    if (t >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, H5T_CSET_ASCII) >= 0)
        rc = sd_h5_attr_write(obj, name, t, t, 0, 1, &s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

/* The root's `status`: a fixed 16-byte NUL-terminated string written in place, so that the final
 * status rewrites the attribute create made instead of deleting and re-adding it. */
int sd_h5md_attr_status(hid_t obj, const char *s)
{
    char buf[STATUS_LEN] = {0};
    snprintf(buf, sizeof buf, "%s", s);
    hid_t t = sd_h5_str_type(STATUS_LEN, H5T_CSET_ASCII);
    int rc = t < 0 ? -1 : sd_h5_attr_write(obj, "status", t, t, 0, 1, buf);
    if (t >= 0) H5Tclose(t);
    return rc;
}

/* Fill values: what a row reads as if the file lists it but its data never reached the disk
 * (a kill inside a flush, see h5md.h): NaN for floats, -1 for steps, rather than 0 or stale
 * bytes. Whole frames are written at once, so filled chunks are not written twice. */
static const double fill_f64 = NAN;
static const int64_t fill_i64 = -1;

/* An extensible dataset of rank `rank`, first dimension 0 (unlimited), the rest `dims[1..]`. */
static hid_t create_series(hid_t loc, const char *name, hid_t ftype, int rank, const hsize_t *dims,
                           const hsize_t *chunk, int deflate, int direct)
{
    int is_int = H5Tget_class(ftype) == H5T_INTEGER;
    hsize_t cur[3], max[3];
    for (int i = 0; i < rank; i++) {
        cur[i] = i ? dims[i] : 0;
        max[i] = i ? dims[i] : H5S_UNLIMITED;
    }
    hid_t sp = H5Screate_simple(rank, cur, max), dcpl = H5Pcreate(H5P_DATASET_CREATE),
          dapl = H5Pcreate(H5P_DATASET_ACCESS), ds = -1;
    if (sp < 0 || dcpl < 0 || dapl < 0 || H5Pset_chunk(dcpl, rank, chunk) < 0 ||
        H5Pset_fill_value(dcpl, is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE,
                          is_int ? (const void *)&fill_i64 : (const void *)&fill_f64) < 0 ||
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_IFSET) < 0)
        goto out;
    if (deflate > 0 && (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, (unsigned)deflate) < 0))
        goto out;
    /* Frames are written whole: no chunk cache, chunks go straight to the file (each once). */
    if (direct && H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0) goto out;
    ds = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, dapl);
out:
    if (sp >= 0) H5Sclose(sp);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (dapl >= 0) H5Pclose(dapl);
    return ds;
}

static int reduced_units(const char *u) { return !u || !*u || !strcmp(u, "lj"); }

const char *sd_h5md_path(const sd_h5md *w) { return w ? w->path : NULL; }
int64_t sd_h5md_frames(const sd_h5md *w) { return w ? w->nframes : 0; }

static void close_handles(sd_h5md *w)
{
    hid_t *ds[] = {&w->ds_step, &w->ds_time, &w->ds_edges, &w->ds_pos, &w->ds_vel};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++)
        if (*ds[i] >= 0) { H5Dclose(*ds[i]); *ds[i] = -1; }
    for (int i = 0; i < w->nobs; i++) {
        obs *o = &w->obs[i];
        if (o->step >= 0) H5Dclose(o->step);
        if (o->time >= 0) H5Dclose(o->time);
        if (o->value >= 0) H5Dclose(o->value);
        if (o->g >= 0) H5Gclose(o->g);
        o->step = o->time = o->value = o->g = -1;
    }
    if (w->g_obs >= 0) { H5Gclose(w->g_obs); w->g_obs = -1; }
}

void sd_h5md_free(sd_h5md *w)
{
    if (!w) return;
    for (int i = 0; i < w->nobs; i++) free(w->obs[i].name);
    free(w->obs);
    free(w->scratch);
    free(w->seen);
    free(w->utime);
    free(w->path);
    free(w);
}

/* Close without writing unflushed metadata: HDF5's descriptor is pointed at a scratch sink
 * (memfd, else /dev/null) first, so whatever H5Fclose writes goes nowhere. */
void sd_h5md_close_discard(sd_h5md *w)
{
    sd_h5_discard_writes(w->file, "sd_h5md_discard");
    close_handles(w);
    H5Fclose(w->file);
    w->file = -1;
}

/* Flush in dependency order (see the top of the file), then fsync when asked. 0, or -1 with why
 * filled (and *hdf5 set when HDF5 itself failed, which poisons the writer). */
int sd_h5md_flush_all(sd_h5md *w, int sync, char *why, size_t wl, int *hdf5)
{
    *hdf5 = 1;
    for (int i = 0; i < w->nobs; i++)
        if (H5Dflush(w->obs[i].step) < 0 || H5Dflush(w->obs[i].time) < 0 ||
            H5Dflush(w->obs[i].value) < 0)
            goto fail;
    if (H5Dflush(w->ds_step) < 0 || H5Dflush(w->ds_time) < 0 || H5Dflush(w->ds_edges) < 0) goto fail;
    if (w->has_vel && H5Dflush(w->ds_vel) < 0) goto fail;
    if (H5Dflush(w->ds_pos) < 0) goto fail;
    /* H5Fflush, then children durable before the parents are written (h5util.h) */
    return sd_h5_commit(w->file, sync, why, wl, hdf5);
fail:
    sd_h5why(why, wl);
    return -1;
}

/* ---- create ------------------------------------------------------------------------------ */

sd_h5md *sd_h5md_alloc(const char *path, int64_t N, const double box[3], const char *units_time,
                       const sd_h5md_opts *opts, char *err, size_t errlen)
{
    sd_h5md *w = calloc(1, sizeof *w);
    if (!w) { sd_io_seterr(err, errlen, "%s: out of memory", path); return NULL; }
    w->file = w->g_obs = w->ds_step = w->ds_time = w->ds_edges = w->ds_pos = w->ds_vel = -1;
    w->N = N;
    w->has_vel = !opts->no_velocity;
    w->do_fsync = !opts->no_fsync;
    w->si = !reduced_units(units_time);
    w->last_step = INT64_MIN;
    w->last_time = -INFINITY;
    memcpy(w->box, box, sizeof w->box);
    w->path = strdup(path);
    w->scratch = malloc((size_t)N * 3 * sizeof *w->scratch);
    w->seen = malloc((size_t)N);
    if (w->si) w->utime = strdup(units_time);
    if (!w->path || !w->scratch || !w->seen || (w->si && !w->utime)) {
        sd_io_seterr(err, errlen, "%s: out of memory (%" PRId64 " particles)", path, N);
        sd_h5md_free(w);
        return NULL;
    }
    return w;
}

sd_h5md *sd_h5md_create(const char *path, const char *creator, const char *author, int64_t N,
                        const double box[3], const char *units_length, const char *units_time,
                        const sd_h5md_opts *opts, char *err, size_t errlen)
{
    static const sd_h5md_opts defaults;
    if (!opts) opts = &defaults;
    const char *p = path ? path : "(null)";
    if (!path || !*path) { sd_io_seterr(err, errlen, "%s: cannot create H5MD file: no path", p); return NULL; }
    if (!creator || !*creator) {
        sd_io_seterr(err, errlen, "%s: cannot create H5MD file: no creator name", p);
        return NULL;
    }
    if (N < 1 || N > (INT64_C(1) << 40)) {
        sd_io_seterr(err, errlen, "%s: cannot create H5MD file: invalid particle count %" PRId64, p, N);
        return NULL;
    }
    if (!box || !(box[0] > 0 && box[1] > 0 && box[2] > 0) || !isfinite(box[0]) || !isfinite(box[1]) ||
        !isfinite(box[2])) {
        sd_io_seterr(err, errlen, "%s: cannot create H5MD file: box edges must be finite and > 0", p);
        return NULL;
    }
    int si = !reduced_units(units_length);
    if (si != !reduced_units(units_time)) {
        sd_io_seterr(err, errlen, "%s: cannot create H5MD file: units_length '%s' and units_time '%s' "
                     "mix reduced (lj) and physical units", p, units_length ? units_length : "(null)",
                     units_time ? units_time : "(null)");
        return NULL;
    }
    int deflate = opts->deflate == 0 ? 1 : opts->deflate < 0 ? 0 : opts->deflate;
    if (deflate > 9) {
        sd_io_seterr(err, errlen, "%s: cannot create H5MD file: deflate level %d (want 1..9, 0 default, -1 off)",
                     p, opts->deflate);
        return NULL;
    }
    if (deflate) {
        unsigned cfg = 0;
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Zget_filter_info(H5Z_FILTER_DEFLATE, &cfg) < 0 ||
            !(cfg & H5Z_FILTER_CONFIG_ENCODE_ENABLED)) {
            H5Eclear2(H5E_DEFAULT);
            sd_io_seterr(err, errlen, "%s: cannot create H5MD file: this HDF5 has no deflate encoder "
                         "(use opts.deflate = -1)", p);
            return NULL;
        }
    }

    sd_h5md *w = sd_h5md_alloc(path, N, box, units_time, opts, err, errlen);
    if (!w) return NULL;

    sd_h5_quiet q = sd_h5_quiet_on();
    char why[256];
    const char *stage = "cannot set up file properties";
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t g[8];
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) g[i] = -1;
    enum { G_H5MD, G_SUB, G_PART, G_ALL, G_BOX, G_EDGES, G_POS, G_VEL };
    if (fcpl < 0 || fapl < 0) goto fail;
    if (sd_h5_crash_safe_plists(fcpl, fapl) < 0) goto fail;
    /* Chunk-index (v1 B-tree) nodes of 512 entries instead of 64 (~25 KiB each). A flush that
     * splits a node rewrites it in place and links a new one: killed in that flush, the trailing
     * frames of the dataset (all of them at the root's split) can become unreadable. Bigger nodes
     * make that rarer: a leaf splits every ~460 chunks instead of ~58, and the root first splits
     * at chunk 512 instead of 64 (one chunk per frame up to 65536 particles). */
    if (H5Pset_istore_k(fcpl, ISTORE_K) < 0) goto fail;

    stage = "cannot create file";
    w->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    if (w->file < 0) goto fail;
    stage = "cannot write the H5MD structure";
    int e = sd_h5_reserve(w->file, (uint64_t)N * 4);
    if (e) {
        snprintf(why, sizeof why, "%s", strerror(e));
        goto fail_why;
    }

    /* /h5md: version, author, creator (, modules/units) */
    static const int version[2] = {1, 1};
    const char *aut = author && *author ? author : "unknown";
    if ((g[G_H5MD] = H5Gcreate2(w->file, "h5md", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        attr_i32v(g[G_H5MD], "version", 2, version) < 0)
        goto fail;
    if ((g[G_SUB] = H5Gcreate2(g[G_H5MD], "author", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        attr_str1(g[G_SUB], "name", aut) < 0 ||
        (opts->author_email && attr_str1(g[G_SUB], "email", opts->author_email) < 0))
        goto fail;
    H5Gclose(g[G_SUB]);
    if ((g[G_SUB] = H5Gcreate2(g[G_H5MD], "creator", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        attr_str1(g[G_SUB], "name", creator) < 0 ||
        attr_str1(g[G_SUB], "version", opts->creator_version ? opts->creator_version : "") < 0)
        goto fail;
    H5Gclose(g[G_SUB]);
    g[G_SUB] = -1;
    if (si) {
        static const int uversion[2] = {1, 0};
        hid_t m = H5Gcreate2(g[G_H5MD], "modules", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (m < 0) goto fail;
        g[G_SUB] = H5Gcreate2(m, "units", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Gclose(m);
        if (g[G_SUB] < 0 || attr_i32v(g[G_SUB], "version", 2, uversion) < 0 ||
            attr_vlstr(g[G_SUB], "system", "SI") < 0)
            goto fail;
        H5Gclose(g[G_SUB]);
        g[G_SUB] = -1;
    }

    /* The run's status, as in the run file: "running" until sd_h5md_set_status says otherwise. */
    if ((opts->graph_hash && sd_h5_attr_hex(w->file, "stardag_graph_hash", opts->graph_hash) < 0) ||
        sd_h5md_attr_status(w->file, sd_run_status_str(SD_RUN_RUNNING)) < 0 ||
        sd_h5_attr_write(w->file, "steps_done", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &(int64_t){-1}) < 0)
        goto fail;

    /* /particles/trajectory: box, position, velocity, species */
    if ((g[G_PART] = H5Gcreate2(w->file, "particles", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        (g[G_ALL] = H5Gcreate2(g[G_PART], SD_H5MD_GROUP, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        goto fail;
    static const char *const bnd[3] = {"periodic", "periodic", "periodic"};
    static const int dim3 = 3;
    if ((g[G_BOX] = H5Gcreate2(g[G_ALL], "box", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        attr_i32v(g[G_BOX], "dimension", 0, &dim3) < 0 ||
        sd_h5_attr_strings(g[G_BOX], "boundary", 3, bnd, H5T_CSET_ASCII) < 0)
        goto fail;
    if ((g[G_POS] = H5Gcreate2(g[G_ALL], "position", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        goto fail;
    hsize_t d1[1] = {0}, c1[1] = {ROW_CHUNK};
    if ((w->ds_step = create_series(g[G_POS], "step", H5T_STD_I64LE, 1, d1, c1, 0, 0)) < 0 ||
        (w->ds_time = create_series(g[G_POS], "time", H5T_IEEE_F64LE, 1, d1, c1, 0, 0)) < 0)
        goto fail;
    hsize_t d3[3] = {0, (hsize_t)N, 3}, c3[3] = {1, (hsize_t)(N < PART_CHUNK ? N : PART_CHUNK), 3};
    if ((w->ds_pos = create_series(g[G_POS], "value", H5T_IEEE_F64LE, 3, d3, c3, deflate, 1)) < 0)
        goto fail;
    char vunit[256] = "";
    if (si) {
        snprintf(vunit, sizeof vunit, "%s %s-1", units_length, units_time);
        if (attr_vlstr(w->ds_time, "unit", units_time) < 0 || attr_vlstr(w->ds_pos, "unit", units_length) < 0)
            goto fail;
    }
    /* box/edges: time-dependent (what readers such as MDAnalysis expect), step and time hard
     * links to position's, as H5MD requires for a box. Each frame's edges are the 3x3 matrix of
     * edge vectors (rows), diagonal for the cuboid: H5MD allows it as well as the vector of 3
     * lengths, and MDAnalysis before 2.5 reads only the matrix (its issue #4075). */
    hsize_t d2[3] = {0, 3, 3}, c2[3] = {ROW_CHUNK, 3, 3};
    if ((g[G_EDGES] = H5Gcreate2(g[G_BOX], "edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Lcreate_hard(g[G_POS], "step", g[G_EDGES], "step", H5P_DEFAULT, H5P_DEFAULT) < 0 ||
        H5Lcreate_hard(g[G_POS], "time", g[G_EDGES], "time", H5P_DEFAULT, H5P_DEFAULT) < 0 ||
        (w->ds_edges = create_series(g[G_EDGES], "value", H5T_IEEE_F64LE, 3, d2, c2, 0, 0)) < 0 ||
        (si && attr_vlstr(w->ds_edges, "unit", units_length) < 0))
        goto fail;
    if (w->has_vel) {
        if ((g[G_VEL] = H5Gcreate2(g[G_ALL], "velocity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
            H5Lcreate_hard(g[G_POS], "step", g[G_VEL], "step", H5P_DEFAULT, H5P_DEFAULT) < 0 ||
            H5Lcreate_hard(g[G_POS], "time", g[G_VEL], "time", H5P_DEFAULT, H5P_DEFAULT) < 0 ||
            (w->ds_vel = create_series(g[G_VEL], "value", H5T_IEEE_F64LE, 3, d3, c3, deflate, 1)) < 0 ||
            (si && attr_vlstr(w->ds_vel, "unit", vunit) < 0))
            goto fail;
    }
    {
        int32_t *sv = opts->species ? NULL : calloc((size_t)N, sizeof *sv);
        int rc = opts->species || sv
                     ? sd_h5_num_dataset(g[G_ALL], "species", N, H5T_STD_I32LE, H5T_NATIVE_INT32,
                                         opts->species ? opts->species : sv)
                     : -1;
        free(sv);
        if (rc) goto fail;
    }

    /* /observables (filled on demand; a 4 KiB link-name heap up front so names are added in
     * place) and /parameters (unit system). */
    {
        hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
        if (gcpl < 0 || H5Pset_local_heap_size_hint(gcpl, 4096) < 0) {
            if (gcpl >= 0) H5Pclose(gcpl);
            goto fail;
        }
        w->g_obs = H5Gcreate2(w->file, "observables", H5P_DEFAULT, gcpl, H5P_DEFAULT);
        H5Pclose(gcpl);
        if (w->g_obs < 0) goto fail;
        hid_t pg = H5Gcreate2(w->file, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (pg < 0) goto fail;
        int rc = attr_str1(pg, "unit_system", opts->unit_system && *opts->unit_system ? opts->unit_system : si ? "SI" : "lj") |
                 attr_str1(pg, "units_length", si ? units_length : "sigma (reduced Lennard-Jones units)") |
                 attr_str1(pg, "units_time", si ? units_time : "sigma sqrt(m/epsilon) (reduced Lennard-Jones units)");
        H5Gclose(pg);
        if (rc) goto fail;
    }
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        if (g[i] >= 0) { H5Gclose(g[i]); g[i] = -1; }
    H5Pclose(fcpl);
    H5Pclose(fapl);
    fcpl = fapl = -1;

    int hdf5 = 0;
    stage = "cannot flush the H5MD structure";
    if (sd_h5md_flush_all(w, 1, why, sizeof why, &hdf5) < 0) goto fail_why;
    (void)sd_fsync_dir_of(path); /* the new file's name (best effort) */
    sd_h5_quiet_off(q);
    return w;

fail:
    sd_h5why(why, sizeof why);
fail_why:
    sd_io_seterr(err, errlen, "%s: %s: %s", p, stage, why);
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        if (g[i] >= 0) H5Gclose(g[i]);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    if (w->file >= 0) {
        sd_h5md_close_discard(w);
        unlink(path);
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    sd_h5md_free(w);
    return NULL;
}

/* ---- observables ------------------------------------------------------------------------- */

static obs *find_obs(sd_h5md *w, const char *name)
{
    for (int i = 0; i < w->nobs; i++)
        if (!strcmp(w->obs[i].name, name)) return &w->obs[i];
    return NULL;
}

int sd_h5md_observable(sd_h5md *w, const char *name, int64_t step, double time, double value,
                       char *err, size_t errlen)
{
    if (!w) { sd_io_seterr(err, errlen, "(null): no H5MD file"); return -1; }
    const char *nm = name ? name : "(null)";
    if (w->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot append observable %s at step %" PRId64
                     ": an earlier write failed; the file is kept at its last flush", w->path, nm, step);
        return -1;
    }
    if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || strlen(name) > 200) {
        sd_io_seterr(err, errlen, "%s: cannot append observable '%s': invalid name", w->path, nm);
        return -1;
    }
    obs *o = find_obs(w, name);
    if (o && o->rows && step <= o->last_step) {
        sd_io_seterr(err, errlen, "%s: cannot append observable %s at step %" PRId64
                     ": steps must increase (previous row: step %" PRId64 ")", w->path, name, step, o->last_step);
        return -1;
    }
    char why[256];
    const char *what = "create";
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(w->file, 3 * ROW_CHUNK * 8 + (o ? 0 : 16384));
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot append observable %s at step %" PRId64 ": %s", w->path, name,
                     step, strerror(e));
        sd_h5_quiet_off(q);
        return -1;
    }
    if (!o) {
        if (w->nobs == w->capobs) {
            int nc = w->capobs ? 2 * w->capobs : 8;
            obs *no = realloc(w->obs, (size_t)nc * sizeof *no);
            if (!no) {
                sd_io_seterr(err, errlen, "%s: cannot append observable %s: out of memory", w->path, name);
                sd_h5_quiet_off(q);
                return -1;
            }
            w->obs = no;
            w->capobs = nc;
        }
        char *dup = strdup(name);
        if (!dup) {
            sd_io_seterr(err, errlen, "%s: cannot append observable %s: out of memory", w->path, name);
            sd_h5_quiet_off(q);
            return -1;
        }
        o = &w->obs[w->nobs++];
        *o = (obs){dup, -1, -1, -1, -1, 0, 0};
        hsize_t d1[1] = {0}, c1[1] = {ROW_CHUNK};
        if ((o->g = H5Gcreate2(w->g_obs, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
            (o->step = create_series(o->g, "step", H5T_STD_I64LE, 1, d1, c1, 0, 0)) < 0 ||
            (o->time = create_series(o->g, "time", H5T_IEEE_F64LE, 1, d1, c1, 0, 0)) < 0 ||
            (o->value = create_series(o->g, "value", H5T_IEEE_F64LE, 1, d1, c1, 0, 0)) < 0 ||
            (w->utime && attr_vlstr(o->time, "unit", w->utime) < 0))
            goto fail;
    }
    what = "step";
    if (sd_h5_write_row(o->step, o->rows, H5T_NATIVE_INT64, &step) < 0) goto fail;
    what = "time";
    if (sd_h5_write_row(o->time, o->rows, H5T_NATIVE_DOUBLE, &time) < 0) goto fail;
    what = "value";
    if (sd_h5_write_row(o->value, o->rows, H5T_NATIVE_DOUBLE, &value) < 0) goto fail;
    o->rows++;
    o->last_step = step;
    sd_h5_quiet_off(q);
    return 0;
fail:
    sd_h5why(why, sizeof why);
    w->poisoned = 1;
    sd_io_seterr(err, errlen, "%s: cannot append observable %s at step %" PRId64 ": %s: %s", w->path, name,
                 step, what, why);
    sd_h5_quiet_off(q);
    return -1;
}

/* ---- run status ------------------------------------------------------------------------- */

int sd_h5md_set_status(sd_h5md *w, const char *status, int64_t steps_done, char *err, size_t errlen)
{
    if (!w) { sd_io_seterr(err, errlen, "(null): no H5MD file"); return -1; }
    if (!status || strlen(status) >= STATUS_LEN) {
        sd_io_seterr(err, errlen, "%s: cannot record the run status: '%s' is not a status (at most %d characters)",
                     w->path, status ? status : "(null)", STATUS_LEN - 1);
        return -1;
    }
    if (w->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot record the run status: an earlier write failed; the file is kept at "
                     "its last flush", w->path);
        return -1;
    }
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(w->file, 0);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot record the run status: %s", w->path, strerror(e));
        sd_h5_quiet_off(q);
        return -1;
    }
    if (sd_h5md_attr_status(w->file, status) < 0 ||
        sd_h5_attr_write(w->file, "steps_done", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &steps_done) < 0) {
        char why[256];
        sd_h5why(why, sizeof why);
        w->poisoned = 1;
        sd_io_seterr(err, errlen, "%s: cannot record the run status: %s", w->path, why);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        return -1;
    }
    sd_h5_quiet_off(q);
    return 0;
}

/* ---- flush / close ----------------------------------------------------------------------- */

int sd_h5md_flush(sd_h5md *w, char *err, size_t errlen)
{
    if (!w) { sd_io_seterr(err, errlen, "(null): no H5MD file"); return -1; }
    if (w->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot flush: an earlier write failed; the file is kept at its last flush",
                     w->path);
        return -1;
    }
    char why[256];
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(w->file, 0), hdf5 = 0;
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot flush: %s", w->path, strerror(e));
        sd_h5_quiet_off(q);
        return -1;
    }
    if (sd_h5md_flush_all(w, 1, why, sizeof why, &hdf5) < 0) {
        if (hdf5) w->poisoned = 1;
        sd_io_seterr(err, errlen, "%s: cannot flush: %s", w->path, why);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        return -1;
    }
    sd_h5_quiet_off(q);
    return 0;
}

int sd_h5md_close(sd_h5md *w, char *err, size_t errlen)
{
    if (!w) { sd_io_seterr(err, errlen, "(null): no H5MD file"); return -1; }
    int rc = 0;
    if (w->poisoned) {
        sd_io_seterr(err, errlen, "%s: closed after an earlier write failure; the file is kept at its last flush",
                     w->path);
        rc = -1;
    } else if (sd_h5md_flush(w, err, errlen) < 0) {
        rc = -1;
        w->poisoned = 1; /* keep the last flush rather than risk a partial one at H5Fclose */
    }
    sd_h5_quiet q = sd_h5_quiet_on();
    if (w->poisoned) {
        sd_h5md_close_discard(w);
    } else {
        /* Drop the space reserve() added past HDF5's end of allocation: the sec2 driver only
         * truncates to the EOA when its own writes went past it, so the tail would stay. */
        hsize_t eoa = 0;
        int fd = sd_h5_vfd_fd(w->file);
        struct stat st;
        if (fd >= 0 && H5Fget_filesize(w->file, &eoa) >= 0 && fstat(fd, &st) == 0 && eoa > 0 &&
            (hsize_t)st.st_size > eoa && ftruncate(fd, (off_t)eoa) != 0) {
            /* harmless: the file keeps a tail HDF5 ignores */
        }
        close_handles(w);
        if (H5Fclose(w->file) < 0) {
            char why[256];
            sd_h5why(why, sizeof why);
            sd_io_seterr(err, errlen, "%s: cannot close: %s", w->path, why);
            rc = -1;
        }
        w->file = -1;
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    sd_h5md_free(w);
    return rc;
}
