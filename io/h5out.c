/* h5out.c - crash-safe HDF5 run output. Layout and design: docs/output-format.md.
 *
 * Crash safety (HDF5 1.10, serial, no journaling). Goal: a SIGKILL at any moment between two
 * commits leaves a file that plain H5Fopen(RDONLY)/h5dump opens, holding everything of the last
 * commit. HDF5 can only corrupt a file between flushes by writing metadata that committed
 * metadata does not agree with, or by writing raw data over space committed metadata still uses.
 * Both are shut off:
 *  1. Metadata cache with evictions disabled (H5Pset_mdc_config: evictions_enabled = 0, adaptive
 *     resizing off). Dirty metadata (object headers, B-trees, heaps, the superblock's EOA) then
 *     stays in memory until we flush at commit; between commits the file's metadata on disk is
 *     exactly that of the last commit. After each commit, when every entry is clean, the cache
 *     is emptied of what no open object pins (sd_h5_evict_clean), so memory stays flat.
 *  2. File space strategy H5F_FSPACE_STRATEGY_NONE (no free-space managers, no aggregators):
 *     all allocation happens at the end of the file and freed space is never reused within the
 *     session, so new raw chunks and new metadata never land on blocks that the committed
 *     metadata references (e.g. a group heap relocated after the commit).
 *  3. Uncompressed chunks: appending a scalar row rewrites a chunk in place, but with the same
 *     bytes for committed rows; the dataset's extent on disk stays at the committed size.
 *  4. Children before parents, in the page cache and on disk. Each new field dataset's data and
 *     its own metadata (H5Dflush right after the write) go into fresh space that nothing
 *     committed points to. The file is written through the ordered driver (io/h5vfd.c), which
 *     holds back every metadata write to the committed part of the file until the commit
 *     releases it: fdatasync (the children: raw data, new metadata, file size), the superblock
 *     and the heaps' appended names, fdatasync, then the in-place updates (group symbol tables,
 *     scalar extents and chunk indexes, root attributes; multi-page B-tree nodes tail first, their
 *     first page after an fdatasync), fdatasync. A kill or power loss *during* those last writes (milliseconds) is the one
 *     window this design does not close (1.10 has no atomic metadata update short of SWMR):
 *     docs/output-format.md says what it can leave.
 *  5. No SWMR and the default lower library bound: the superblock (version 2, needed for the
 *     file space strategy) carries no "open for writing" flag that would make a plain open of a
 *     killed file fail (that flag, superblock v3, would need h5clear).
 *  6. Space is reserved (posix_fallocate) before each write and commit, so a full disk or file
 *     size limit is detected before HDF5 touches its state: the call fails cleanly, the
 *     uncommitted state stays consistent and can still be committed/closed. If HDF5 itself
 *     fails a write anyway, the handle is poisoned: later calls fail, and close discards
 *     uncommitted metadata instead of flushing it, so the file stays at its last commit.
 * Commit (io/h5out_commit.c) = flush scalar datasets, update root attributes, H5Fflush and the ordered release with its
 * fdatasyncs (sd_h5_commit, io/h5util.h), then the XDMF sidecar (temp, fsync, rename): the sidecar
 * never references uncommitted data. The root counters go in a commit of their own after the
 * data's (a half-failed release may write the root before a child), and close's `status` after
 * the last data commit, so neither is ever on disk before what it vouches for. */
#define _GNU_SOURCE
#include "h5out.h"
#include "h5err.h"
#include "durable.h"
#include "h5util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5out_impl.h"
#include "run_status.h"

#define CHUNK_TARGET (2u << 20) /* field chunk size aimed at (bytes) */
#define SCALAR_CHUNK 1024       /* rows per scalar chunk */
#define ATTR_TEXT_MAX 16384      /* longer graph text goes into a dataset */

/* ---- errors ------------------------------------------------------------------------------ */



/* ---- small HDF5 helpers ------------------------------------------------------------------- */
#define attr_i64 sd_h5out_attr_i64
#define attr_str sd_h5out_attr_str
#define attr_f64 sd_h5out_attr_f64
#define free_obj sd_h5out_free_obj
#define close_handles sd_h5out_close_handles

int sd_h5out_attr_i64(hid_t obj, const char *name, int64_t v)
{
    return sd_h5_attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &v);
}
static int attr_i32(hid_t obj, const char *name, int v)
{
    return sd_h5_attr_write(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, 0, 1, &v);
}
int sd_h5out_attr_f64(hid_t obj, const char *name, double v)
{
    return sd_h5_attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, 1, &v);
}
/* Fixed-length, null-terminated UTF-8 string attribute; an existing one is replaced (deleted
 * first: the new value may have another length). */
int sd_h5out_attr_str(hid_t obj, const char *name, const char *s)
{
    if (!s) s = "";
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0) return -1;
    return sd_h5_attr_strings(obj, name, 0, &s, H5T_CSET_UTF8);
}
static int str_dataset(hid_t loc, const char *name, const char *s)
{
    hid_t t = sd_h5_str_type(strlen(s) + 1, H5T_CSET_UTF8);
    if (t < 0) return -1;
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) >= 0 ? 0 : -1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static int valid_name(const char *s)
{
    return s && *s && !strchr(s, '/') && strcmp(s, ".") && strlen(s) < 200;
}

int sd_h5_xdmf_path_for(const char *h5path, char *buf, size_t len)
{
    size_t n = strlen(h5path);
    if (n >= 3 && !strcmp(h5path + n - 3, ".h5")) n -= 3;
    if (n + 5 > len) return -1;
    memcpy(buf, h5path, n);
    memcpy(buf + n, ".xmf", 5);
    return 0;
}

const char *sd_h5out_path(const sd_h5out *o) { return o ? o->path : NULL; }
const char *sd_h5out_xdmf_path(const sd_h5out *o) { return o ? o->xmf : NULL; }
int64_t sd_h5out_commits(const sd_h5out *o) { return o ? o->ncommits : 0; }

void sd_h5out_free_obj(sd_h5out *o)
{
    if (!o) return;
    for (int i = 0; i < o->nfields; i++) free(o->fname ? o->fname[i] : NULL);
    for (int i = 0; i < o->nscal; i++) free(o->sname ? o->sname[i] : NULL);
    free(o->fname);
    free(o->sname);
    free(o->dtype);
    free(o->ncomp);
    free(o->ninner);
    free(o->inner);
    free(o->mesh_location);
    sd_h5out_profiles_free(o);
    free(o->fgroup);
    free(o->ds_scal);
    free(o->rec);
    free(o->path);
    free(o->xmf);
    free(o->h5name);
    free(o);
}

void sd_h5out_close_handles(sd_h5out *o)
{
    sd_h5out_profiles_close(o);
    for (int i = 0; i < o->nfields; i++)
        if (o->fgroup[i] >= 0) H5Gclose(o->fgroup[i]), o->fgroup[i] = -1;
    for (int i = 0; i < o->nscal; i++)
        if (o->ds_scal[i] >= 0) H5Dclose(o->ds_scal[i]), o->ds_scal[i] = -1;
    if (o->ds_step >= 0) H5Dclose(o->ds_step), o->ds_step = -1;
    if (o->ds_time >= 0) H5Dclose(o->ds_time), o->ds_time = -1;
    if (o->g_fields >= 0) H5Gclose(o->g_fields), o->g_fields = -1;
    if (o->g_scalars >= 0) H5Gclose(o->g_scalars), o->g_scalars = -1;
}

/* Chunk of a field dataset (dims slowest first: [c][z][y][x] for the present ones). Greedy from
 * x outwards: whole extents while they fit CHUNK_TARGET, then the largest divisor that fits (so
 * chunks tile the field exactly and are written straight from the caller's buffer), falling
 * back to a non-dividing count if that divisor would give tiny chunks. */
static void pick_chunk(int rank, const hsize_t *dims, size_t esize, hsize_t *chunk)
{
    uint64_t bytes = esize;
    int full = 1;
    for (int k = rank - 1; k >= 0; k--) {
        if (!full) { chunk[k] = 1; continue; }
        if (bytes * dims[k] <= CHUNK_TARGET) {
            chunk[k] = dims[k];
            bytes *= dims[k];
            continue;
        }
        hsize_t fit = CHUNK_TARGET / bytes;
        if (fit < 1) fit = 1;
        hsize_t d = fit;
        while (d > 1 && dims[k] % d) d--;
        if (d * 4 < fit) d = fit; /* divisor too small: accept a partial edge chunk */
        chunk[k] = d;
        full = 0;
    }
}

static hid_t create_scalar_ds(hid_t g, const char *name, hid_t ftype)
{
    hsize_t d0 = 0, dmax = H5S_UNLIMITED, ch = SCALAR_CHUNK;
    hid_t sp = H5Screate_simple(1, &d0, &dmax);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t ds = -1;
    if (sp >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &ch) >= 0)
        ds = H5Dcreate2(g, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    return ds;
}

static int write_meta(hid_t file, const sd_h5meta *m)
{
    sd_h5meta z;
    if (!m) {
        memset(&z, 0, sizeof z);
        m = &z;
    }
    hid_t g = H5Gcreate2(file, "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    const char *txt = m->graph_text ? m->graph_text : "";
    rc |= attr_str(g, "graph_path", m->graph_path);
    if (strlen(txt) <= ATTR_TEXT_MAX) rc |= attr_str(g, "graph_text", txt);
    else rc |= str_dataset(g, "graph_text", txt);
    rc |= attr_str(g, "stardag_version", m->stardag_version);
    rc |= attr_str(g, "starpu_version", m->starpu_version);
    rc |= attr_str(g, "sched", m->sched);
    rc |= attr_str(g, "host", m->host);
    rc |= attr_str(g, "start_time", m->start_time);
    rc |= attr_str(g, "cmdline", m->cmdline);
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    char hv[32];
    snprintf(hv, sizeof hv, "%u.%u.%u", maj, min, rel);
    rc |= attr_str(g, "hdf5_version", hv);
    rc |= attr_i32(g, "ncpu", m->ncpu);
    rc |= attr_i32(g, "ncuda", m->ncuda);
    H5Gclose(g);
    return rc ? -1 : 0;
}

/* A file that failed while being created: closed without HDF5 flushing anything more (a full
 * disk would fail that flush too, and HDF5 would keep the file open until its library ends,
 * complaining on stderr), then removed, if it is a regular file (never a device node). */
static void close_unflushed(sd_h5out *o)
{
    sd_h5_discard_writes(o->file, "sd_h5out_create");
    close_handles(o);
    H5Fclose(o->file);
    o->file = -1;
}
static void unlink_created(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) unlink(path);
}

/* The writer's state for the declarations in d, checked (create's rules), no file yet. */
sd_h5out *sd_h5out_new(const char *path, const sd_h5decl *d, char *err, size_t errlen)
{
    const char *p = path ? path : "(null)";
    const int ndim = d->ndim, nfields = d->nfields, nscalars = d->nscalars;
    const int64_t *shape = d->shape;
    const double *spacing = d->spacing;
    const char *const *field_names = d->field_names, *const *scalar_names = d->scalar_names;
    const int *dtypes = d->dtypes, *ncomp = d->ncomp;
    if (!path || !*path) { sd_io_seterr(err, errlen, "%s: no output path given", p); return NULL; }
    if (ndim < 1 || ndim > 3 || !shape || !spacing) {
        sd_io_seterr(err, errlen, "%s: invalid grid (ndim %d, must be 1..3)", p, ndim);
        return NULL;
    }
    for (int k = 0; k < 3; k++) {
        if (k < ndim ? shape[k] < 1 : shape[k] != 1) {
            sd_io_seterr(err, errlen, "%s: invalid grid shape on axis %d: %" PRId64, p, k, shape[k]);
            return NULL;
        }
    }
    if (nfields < 0 || nscalars < 0 || (nfields && (!field_names || !dtypes || !ncomp)) ||
        (nscalars && !scalar_names)) {
        sd_io_seterr(err, errlen, "%s: invalid field/scalar declarations", p);
        return NULL;
    }
    for (int i = 0; i < nfields; i++) {
        if (!valid_name(field_names[i]) || (dtypes[i] != SD_F32 && dtypes[i] != SD_F64) ||
            ncomp[i] < 1 || ncomp[i] > SD_H5_MAX_COMPONENTS) {
            sd_io_seterr(err, errlen, "%s: invalid field %d ('%s')", p, i,
                   field_names[i] ? field_names[i] : "(null)");
            return NULL;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(field_names[i], field_names[j])) {
                sd_io_seterr(err, errlen, "%s: duplicate field name '%s'", p, field_names[i]);
                return NULL;
            }
    }
    for (int i = 0; i < nscalars; i++) {
        if (!valid_name(scalar_names[i]) || !strcmp(scalar_names[i], "step") ||
            !strcmp(scalar_names[i], "time")) {
            sd_io_seterr(err, errlen, "%s: invalid scalar name '%s'", p,
                   scalar_names[i] ? scalar_names[i] : "(null)");
            return NULL;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(scalar_names[i], scalar_names[j])) {
                sd_io_seterr(err, errlen, "%s: duplicate scalar name '%s'", p, scalar_names[i]);
                return NULL;
            }
    }

    sd_h5out *o = calloc(1, sizeof *o);
    if (!o) { sd_io_seterr(err, errlen, "%s: out of memory", p); return NULL; }
    o->file = o->g_fields = o->g_scalars = o->ds_step = o->ds_time = o->g_profiles = -1;
    o->ndim = ndim;
    o->npoints = 1;
    for (int k = 0; k < 3; k++) {
        o->shape[k] = shape[k];
        o->spacing[k] = k < ndim ? spacing[k] : 1.0;
        o->npoints *= shape[k];
    }
    o->path = strdup(path);
    o->xmf = malloc(strlen(path) + 8);
    const char *base = strrchr(path, '/');
    o->h5name = strdup(base ? base + 1 : path);
    o->nfields = nfields;
    o->nscal = nscalars;
    o->fname = calloc(nfields + 1, sizeof *o->fname);
    o->sname = calloc(nscalars + 1, sizeof *o->sname);
    o->dtype = calloc(nfields + 1, sizeof *o->dtype);
    o->ncomp = calloc(nfields + 1, sizeof *o->ncomp);
    o->fgroup = calloc(nfields + 1, sizeof *o->fgroup);
    o->ds_scal = calloc(nscalars + 1, sizeof *o->ds_scal);
    o->ninner = calloc(nfields + 1, sizeof *o->ninner);
    o->inner = calloc(nfields + 1, sizeof *o->inner);
    if (!o->path || !o->xmf || !o->h5name || !o->fname || !o->sname || !o->dtype || !o->ncomp || !o->ninner || !o->inner ||
        !o->fgroup || !o->ds_scal) {
        sd_io_seterr(err, errlen, "%s: out of memory", p);
        free_obj(o);
        return NULL;
    }
    sd_h5_xdmf_path_for(path, o->xmf, strlen(path) + 8);
    for (int i = 0; i < nfields; i++) {
        o->fgroup[i] = -1;
        o->dtype[i] = dtypes[i];
        o->ncomp[i] = ncomp[i];
        if (!(o->fname[i] = strdup(field_names[i]))) {
            sd_io_seterr(err, errlen, "%s: out of memory", p);
            free_obj(o);
            return NULL;
        }
    }
    for (int i = 0; i < nscalars; i++) {
        o->ds_scal[i] = -1;
        if (!(o->sname[i] = strdup(scalar_names[i]))) {
            sd_io_seterr(err, errlen, "%s: out of memory", p);
            free_obj(o);
            return NULL;
        }
    }
    /* Chunk shape of the field datasets (depends only on dtype): computed per write. */
    return o;
}

sd_h5out *sd_h5out_create(const char *path, const sd_h5meta *meta, int ndim, const int64_t shape[3],
                          const double spacing[3], int nfields, const char *const *field_names,
                          const int *dtypes, const int *ncomp, int nscalars,
                          const char *const *scalar_names, char *err, size_t errlen)
{
    const char *p = path ? path : "(null)";
    if (!shape || !spacing) {
        sd_io_seterr(err, errlen, "%s: invalid grid (ndim %d, must be 1..3)", p, ndim);
        return NULL;
    }
    sd_h5decl d = {ndim, {shape[0], shape[1], shape[2]}, {spacing[0], spacing[1], spacing[2]}, nfields, field_names,
                   dtypes, ncomp, nscalars, scalar_names};
    sd_h5out *o = sd_h5out_new(path, &d, err, errlen);
    if (!o) return NULL;

    sd_h5_quiet q = sd_h5_quiet_on();
    char why[256];
    const char *stage = "cannot set up file properties";
    int existed = 1; /* whether the path was there before H5Fcreate (then it is never removed) */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl < 0 || fapl < 0) goto fail;
    /* (1) dirty metadata stays in memory until H5Fflush; (2) append-only allocation. */
    if (sd_h5_crash_safe_plists(fcpl, fapl) < 0) goto fail;
    /* Fewer metadata objects change per commit: symbol-table nodes of 128 links split rarely
     * (step names are zero-padded, so new links append at a node's end). */
    if (H5Pset_sym_k(fcpl, 16, 64) < 0) goto fail;

    stage = "cannot create file";
    struct stat before;
    existed = lstat(path, &before) == 0; /* a failed create removes only a file it made */
    o->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    if (o->file < 0) goto fail;
    stage = "cannot write file structure";
    int e = sd_h5_reserve(o->file, 0);
    if (e) {
        snprintf(why, sizeof why, "%s", strerror(e));
        goto fail_why;
    }
    if (attr_i32(o->file, "stardag_format", SD_H5_FORMAT) < 0 ||
        attr_str(o->file, "status", sd_run_status_str(SD_RUN_RUNNING)) < 0 || attr_i64(o->file, "steps_done", -1) < 0 ||
        attr_f64(o->file, "wall_s", -1.0) < 0 || attr_i64(o->file, "commits", 0) < 0 ||
        attr_i64(o->file, "committed_output_steps", 0) < 0 ||
        attr_i64(o->file, "committed_field_datasets", 0) < 0 ||
        attr_i64(o->file, "committed_scalar_rows", 0) < 0 ||
        attr_i64(o->file, "last_committed_step", -1) < 0)
        goto fail;
    if (write_meta(o->file, meta) < 0) goto fail;
    hid_t g = H5Gcreate2(o->file, "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) goto fail;
    double org[3] = {0, 0, 0};
    int rcg = attr_i32(g, "ndim", ndim) | sd_h5_attr_write(g, "shape", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, 3, o->shape) |
              sd_h5_attr_write(g, "spacing", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, 3, o->spacing) |
              sd_h5_attr_write(g, "origin", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, 3, org);
    /* units of spacing/origin and of time (the grid's domain.grid.units): /grid attrs and the
     * `unit` of /scalars/time below; absent when the graph gives none */
    snprintf(o->units_length, sizeof o->units_length, "%s", meta && meta->units_length ? meta->units_length : "");
    snprintf(o->units_time, sizeof o->units_time, "%s", meta && meta->units_time ? meta->units_time : "");
    if (o->units_length[0]) rcg |= attr_str(g, "units_length", o->units_length);
    if (o->units_time[0]) rcg |= attr_str(g, "units_time", o->units_time);
    H5Gclose(g);
    if (rcg) goto fail;
    if ((o->g_fields = H5Gcreate2(o->file, "fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        goto fail;
    /* Field groups get a local heap (link names) sized for ~1000 steps up front, so it is not
     * relocated as steps are added: one block, rewritten in place at each commit. */
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0 || H5Pset_local_heap_size_hint(gcpl, 16384) < 0) {
        if (gcpl >= 0) H5Pclose(gcpl);
        goto fail;
    }
    for (int i = 0; i < nfields; i++) {
        o->fgroup[i] = H5Gcreate2(o->g_fields, o->fname[i], H5P_DEFAULT, gcpl, H5P_DEFAULT);
        if (o->fgroup[i] < 0 || attr_str(o->fgroup[i], "dtype", dtypes[i] == SD_F32 ? "f32" : "f64") < 0 ||
            attr_i32(o->fgroup[i], "components", ncomp[i]) < 0) {
            H5Pclose(gcpl);
            goto fail;
        }
    }
    H5Pclose(gcpl);
    if ((o->g_scalars = H5Gcreate2(o->file, "scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        goto fail;
    if ((o->ds_step = create_scalar_ds(o->g_scalars, "step", H5T_STD_I64LE)) < 0 ||
        (o->ds_time = create_scalar_ds(o->g_scalars, "time", H5T_IEEE_F64LE)) < 0 ||
        (o->units_time[0] && attr_str(o->ds_time, "unit", o->units_time) < 0))
        goto fail;
    {
        size_t cl = 1;
        for (int i = 0; i < nscalars; i++) cl += strlen(o->sname[i]) + 1;
        char *cols = malloc(cl);
        if (!cols) goto fail;
        cols[0] = 0;
        for (int i = 0; i < nscalars; i++) {
            if (i) strcat(cols, ",");
            strcat(cols, o->sname[i]);
        }
        int rcc = attr_str(o->g_scalars, "names", cols);
        free(cols);
        if (rcc < 0) goto fail;
    }
    for (int i = 0; i < nscalars; i++)
        if ((o->ds_scal[i] = create_scalar_ds(o->g_scalars, o->sname[i], H5T_IEEE_F64LE)) < 0)
            goto fail;
    H5Pclose(fcpl);
    H5Pclose(fapl);
    fcpl = fapl = -1;
    sd_h5_quiet_off(q);
    /* The empty structure is the first commit: the file is valid from here on. */
    if (sd_h5out_commit(o, err, errlen) < 0) {
        q = sd_h5_quiet_on();
        close_unflushed(o);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        if (!existed) unlink_created(path);
        free_obj(o);
        return NULL;
    }
    (void)sd_fsync_dir_of(path); /* the new file's name (best effort) */
    return o;

fail:
    sd_h5why(why, sizeof why);
fail_why:
    sd_io_seterr(err, errlen, "%s: %s: %s", p, stage, why);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    if (o->file >= 0) close_unflushed(o);
    if (!existed) unlink_created(path); /* also when H5Fcreate itself failed after making it */
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    free_obj(o);
    return NULL;
}

int sd_h5out_add_rec(sd_h5out *o, int64_t step, double time, int field)
{
    if (o->nrec == o->caprec) {
        size_t nc = o->caprec ? 2 * o->caprec : 64;
        sd_xdmf_rec *r = realloc(o->rec, nc * sizeof *r);
        if (!r) return -1;
        o->rec = r;
        o->caprec = nc;
    }
    o->rec[o->nrec++] = (sd_xdmf_rec){step, time, field};
    return 0;
}

int sd_h5out_field_inner(sd_h5out *o, int field, int ninner, const char *const *names, const int64_t *counts,
                         const double *lo, const double *hi, char *err, size_t errlen)
{
    if (o->continued && field >= 0 && field < o->nfields) { /* io/h5out_continue.c read them: compare */
        int same = ninner == o->ninner[field];
        for (int k = 0; same && k < ninner; k++) same = counts[k] == o->inner[field][k];
        if (!same)
            sd_io_seterr(err, errlen, "%s: cannot continue it: field %s has other inner axes in the file than in the run",
                         o->path, o->fname[field]);
        return same ? 0 : -1;
    }
    if (field < 0 || field >= o->nfields || ninner < 1 || ninner > 3 || o->nrec || o->has_mesh) {
        sd_io_seterr(err, errlen, "%s: cannot give field %d inner axes (%d axes%s)", o->path, field, ninner,
                     o->nrec ? ", after a field was written" : o->has_mesh ? ", in a mesh run" : "");
        return -1;
    }
    char list[256] = "";
    for (int k = 0; k < ninner; k++) {
        if (!valid_name(names[k]) || counts[k] < 1 || !(lo[k] < hi[k])) {
            sd_io_seterr(err, errlen, "%s: invalid inner axis %d of field %s", o->path, k, o->fname[field]);
            return -1;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? "," : "", names[k]);
        o->inner[field][k] = counts[k];
    }
    o->ninner[field] = ninner;
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t g = o->fgroup[field];
    int rc = attr_str(g, "inner_axes", list) |
             sd_h5_attr_write(g, "inner_counts", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, ninner, counts) |
             sd_h5_attr_write(g, "inner_lo", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, ninner, lo) |
             sd_h5_attr_write(g, "inner_hi", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, ninner, hi);
    sd_h5_quiet_off(q);
    if (rc) {
        char why[256];
        sd_h5why(why, sizeof why);
        sd_io_seterr(err, errlen, "%s: cannot record the inner axes of field %s: %s", o->path, o->fname[field], why);
        return -1;
    }
    return 0;
}

int sd_h5out_write_field(sd_h5out *o, int field, int64_t step, double time, const void *data,
                         char *err, size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    if (field < 0 || field >= o->nfields) {
        sd_io_seterr(err, errlen, "%s: cannot write field #%d at step %" PRId64 ": no such field",
               o->path, field, step);
        return -1;
    }
    const char *fn = o->fname[field];
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot write field %s at step %" PRId64
               ": an earlier write failed; file is kept at its last commit", o->path, fn, step);
        return -1;
    }
    if (step < 0 || !data) {
        sd_io_seterr(err, errlen, "%s: cannot write field %s at step %" PRId64 ": %s", o->path, fn,
               step, step < 0 ? "negative step" : "no data");
        return -1;
    }
    char name[32], why[256];
    snprintf(name, sizeof name, "%08" PRId64, step);
    sd_h5_quiet q = sd_h5_quiet_on();
    int rank = 0, nc = o->ncomp[field];
    hsize_t dims[7], chunk[7];
    uint64_t bins = 1;
    if (nc > 1) dims[rank++] = (hsize_t)nc;
    for (int k = o->ninner[field] - 1; k >= 0; k--) {
        dims[rank++] = (hsize_t)o->inner[field][k];
        bins *= (uint64_t)o->inner[field][k];
    }
    if (o->has_mesh) /* one element axis: the mesh's vertices, faces or edges */
        dims[rank++] = (hsize_t)sd_h5out_mesh_elements(o, field);
    else
        for (int k = o->ndim - 1; k >= 0; k--) dims[rank++] = (hsize_t)o->shape[k];
    size_t es = o->dtype[field] == SD_F32 ? 4 : 8;
    hid_t mt = o->dtype[field] == SD_F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    hid_t ft = o->dtype[field] == SD_F32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    pick_chunk(rank, dims, es, chunk);
    uint64_t npoints = o->has_mesh ? (uint64_t)dims[rank - 1] : (uint64_t)o->npoints;
    uint64_t bytes = npoints * nc * bins * es;
    hid_t sp = -1, dcpl = -1, dapl = -1, ds = -1;
    int created = 0;

    htri_t ex = H5Lexists(o->fgroup[field], name, H5P_DEFAULT);
    if (ex != 0) {
        if (ex > 0) snprintf(why, sizeof why, "step already written");
        else sd_h5why(why, sizeof why);
        goto fail_clean;
    }
    int e = sd_h5_reserve(o->file, bytes + bytes / 64);
    if (e) {
        snprintf(why, sizeof why, "%s", strerror(e));
        goto fail_clean; /* nothing touched: state stays consistent */
    }
    if ((sp = H5Screate_simple(rank, dims, NULL)) < 0 || (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0 ||
        (dapl = H5Pcreate(H5P_DATASET_ACCESS)) < 0 ||
        /* no chunk cache: whole chunks go straight from the caller's buffer to the file */
        H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0) {
        sd_h5why(why, sizeof why);
        goto fail_clean;
    }
    ds = H5Dcreate2(o->fgroup[field], name, ft, sp, H5P_DEFAULT, dcpl, dapl);
    if (ds < 0) { sd_h5why(why, sizeof why); goto fail_clean; }
    created = 1;
    if (H5Dwrite(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 || attr_i64(ds, "step", step) < 0 ||
        attr_f64(ds, "time", time) < 0 || H5Dflush(ds) < 0) {
        sd_h5why(why, sizeof why);
        goto fail_poison;
    }
    H5Dclose(ds);
    H5Pclose(dapl);
    H5Pclose(dcpl);
    H5Sclose(sp);
    sd_h5_quiet_off(q);
    if (sd_h5out_add_rec(o, step, time, field) < 0) {
        /* The dataset is written; only the sidecar would miss it. */
        sd_io_seterr(err, errlen, "%s: cannot record field %s at step %" PRId64 ": out of memory",
               o->path, fn, step);
        return -1;
    }
    return 0;

fail_poison:
    /* HDF5 failed after touching its state: never flush that state (see close). */
    o->poisoned = 1;
    (void)created;
fail_clean:
    sd_io_seterr(err, errlen, "%s: cannot write field %s at step %" PRId64 ": %s", o->path, fn, step, why);
    if (ds >= 0) H5Dclose(ds);
    if (dapl >= 0) H5Pclose(dapl);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return -1;
}

int sd_h5out_append_scalars(sd_h5out *o, int64_t step, double time, const double *values,
                            char *err, size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot append scalars at step %" PRId64
               ": an earlier write failed; file is kept at its last commit", o->path, step);
        return -1;
    }
    if (o->nscal && !values) {
        sd_io_seterr(err, errlen, "%s: cannot append scalars at step %" PRId64 ": no values", o->path, step);
        return -1;
    }
    char why[256];
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(o->file, (uint64_t)(o->nscal + 2) * SCALAR_CHUNK * 8);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot append scalars at step %" PRId64 ": %s", o->path, step,
               strerror(e));
        sd_h5_quiet_off(q);
        return -1;
    }
    int64_t r = o->nrows;
    const char *bad = "step";
    if (sd_h5_write_row(o->ds_step, r, H5T_NATIVE_INT64, &step) < 0) goto fail;
    bad = "time";
    if (sd_h5_write_row(o->ds_time, r, H5T_NATIVE_DOUBLE, &time) < 0) goto fail;
    for (int i = 0; i < o->nscal; i++) {
        bad = o->sname[i];
        if (sd_h5_write_row(o->ds_scal[i], r, H5T_NATIVE_DOUBLE, &values[i]) < 0) goto fail;
    }
    o->nrows++;
    sd_h5_quiet_off(q);
    return 0;
fail:
    sd_h5why(why, sizeof why);
    o->poisoned = 1;
    sd_io_seterr(err, errlen, "%s: cannot append scalar %s at step %" PRId64 ": %s", o->path, bad, step, why);
    sd_h5_quiet_off(q);
    return -1;
}
