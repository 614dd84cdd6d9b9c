/* ckpt_write.c - writing a checkpoint (io/ckpt.h) so that a kill at any moment leaves the previous
 * one intact: everything goes into FILE.tmp; `complete` is its last attribute; the file is closed
 * and fsynced before it is published; FILE is hard-linked to FILE.link, FILE.tmp renamed over FILE,
 * then the older ones move up (FILE.1 -> FILE.2, ..., FILE.link -> FILE.1: publish()) and the
 * directory is fsynced. A reader never sees a half-written FILE: it is either the previous
 * checkpoint or the new, complete one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hdf5.h>
#include "ckpt.h"
#include "durable.h"
#include "h5err.h"
#include "h5util.h"

struct sd_ckpt_out {
    hid_t file;
    hid_t lcpl;         /* creates the groups along a dataset's path */
    char path[1024];    /* FILE */
    char tmp[1040];     /* FILE.tmp */
    sd_h5_fault fault;  /* the first failed write, sync or close of FILE.tmp (sd_h5_recording_fapl) */
    char **names;       /* every item written, in order: /index */
    int nnames, capnames;
};

static void free_names(sd_ckpt_out *w)
{
    for (int i = 0; i < w->nnames; i++) free(w->names[i]);
    free(w->names);
    w->names = NULL;
    w->nnames = w->capnames = 0;
}

static int note_name(sd_ckpt_out *w, const char *p)
{
    if (w->nnames == w->capnames) {
        int nc = w->capnames ? 2 * w->capnames : 32;
        char **n = realloc(w->names, sizeof *n * (size_t)nc);
        if (!n) return -1;
        w->names = n, w->capnames = nc;
    }
    return (w->names[w->nnames] = strdup(p)) ? (w->nnames++, 0) : -1;
}

static const char *const type_names[] = {"f64", "f32", "i64", "u8"};

static hid_t file_type(int type)
{
    switch (type) {
    case SD_CK_F64: return H5T_IEEE_F64LE;
    case SD_CK_F32: return H5T_IEEE_F32LE;
    case SD_CK_I64: return H5T_STD_I64LE;
    default: return H5T_STD_U8LE;
    }
}

static hid_t mem_type(int type)
{
    switch (type) {
    case SD_CK_F64: return H5T_NATIVE_DOUBLE;
    case SD_CK_F32: return H5T_NATIVE_FLOAT;
    case SD_CK_I64: return H5T_NATIVE_INT64;
    default: return H5T_NATIVE_UINT8;
    }
}

sd_ckpt_out *sd_ckpt_create(const char *path, char *err, size_t errlen)
{
    char why[256];
    sd_ckpt_out *w = calloc(1, sizeof *w);
    if (!w) {
        sd_io_seterr(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    snprintf(w->path, sizeof w->path, "%s", path);
    snprintf(w->tmp, sizeof w->tmp, "%s.tmp", path);
    sd_h5_quiet q = sd_h5_quiet_on();
    w->file = -1;
    w->lcpl = H5Pcreate(H5P_LINK_CREATE);
    /* HDF5 never sees a failed write (it could not close the file after one): the driver notes
     * it in w->fault, which sd_ckpt_commit checks before publishing */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* the 1.10 file format: superblock, object headers, link and attribute indexes carry HDF5's
     * own checksums, so a reader refuses damaged metadata before it parses it (HDF5 1.10.8 reads
     * freed memory iterating a damaged version-1 object header's attributes: docs/reliability.md) */
    if (w->lcpl < 0 || H5Pset_create_intermediate_group(w->lcpl, 1) < 0 || fapl < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0 || sd_h5_recording_fapl(fapl, &w->fault) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot start a checkpoint: %s", path, sd_h5why(why, sizeof why));
        if (fapl >= 0) H5Pclose(fapl);
        goto fail;
    }
    w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (w->file < 0) {
        sd_io_seterr(err, errlen, "%s: cannot create: %s", w->tmp, sd_h5why(why, sizeof why));
        goto fail;
    }
    sd_h5_quiet_off(q);
    return w;
fail:
    if (w->lcpl >= 0) H5Pclose(w->lcpl);
    free(w);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return NULL;
}

int sd_ckpt_write(sd_ckpt_out *w, const char *name, int type, int ndim, const int64_t *dims, const void *data,
                  size_t bytes, char *err, size_t errlen)
{
    char p[512], why[256];
    if (name[0] == '/') snprintf(p, sizeof p, "%s", name);
    else snprintf(p, sizeof p, "/state/%s", name);
    size_t n = sd_ckpt_type_size(type);
    hsize_t hd[4];
    if (!n || ndim < 0 || ndim > 4) {
        sd_io_seterr(err, errlen, "%s: %s: invalid item (type %d, rank %d)", w->tmp, p, type, ndim);
        return -1;
    }
    for (int i = 0; i < ndim; i++) {
        hd[i] = (hsize_t)dims[i];
        n *= (size_t)dims[i];
    }
    if (n != bytes) {
        sd_io_seterr(err, errlen, "%s: %s: %zu bytes of data for a shape of %zu bytes", w->tmp, p, bytes, n);
        return -1;
    }
    const char *tn[1] = {type_names[type]};
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t sp = ndim ? H5Screate_simple(ndim, hd, NULL) : H5Screate(H5S_SCALAR);
    hid_t d = sp >= 0 ? H5Dcreate2(w->file, p, file_type(type), sp, w->lcpl, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int rc = -1;
    if (d >= 0 && (!bytes || H5Dwrite(d, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0) &&
        sd_h5_attr_hex(d, "checksum", sd_ckpt_checksum(data, bytes)) >= 0 && sd_h5_attr_strings(d, "type", 0, tn, H5T_CSET_ASCII) >= 0)
        rc = 0;
    else sd_io_seterr(err, errlen, "%s: %s: cannot write: %s", w->tmp, p, sd_h5why(why, sizeof why));
    /* H5Dclose flushes the dataset: its result counts */
    if (d >= 0 && H5Dclose(d) < 0 && rc == 0) {
        sd_io_seterr(err, errlen, "%s: %s: cannot write: %s", w->tmp, p, sd_h5why(why, sizeof why));
        rc = -1;
    }
    if (sp >= 0 && H5Sclose(sp) < 0 && rc == 0) {
        sd_io_seterr(err, errlen, "%s: %s: cannot write: %s", w->tmp, p, sd_h5why(why, sizeof why));
        rc = -1;
    }
    if (rc == 0 && w->fault.err) {
        sd_io_seterr(err, errlen, "%s: %s: cannot write: %s", w->tmp, p, strerror(w->fault.err));
        rc = -1;
    }
    if (rc == 0 && note_name(w, p) < 0) {
        sd_io_seterr(err, errlen, "%s: %s: out of memory", w->tmp, p);
        rc = -1;
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return rc;
}

static int write_root(sd_ckpt_out *w, const sd_ckpt_meta *m, const char *graph_text)
{
    int32_t fmt = SD_CKPT_FORMAT, complete = 1;
    const char *ver[1] = {m->version};
    const hid_t f = w->file;
    hid_t st = sd_h5_str_type(strlen(graph_text) + 1, H5T_CSET_UTF8), sp = H5Screate(H5S_SCALAR);
    hid_t d = st >= 0 && sp >= 0 ? H5Dcreate2(f, "graph_text", st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int rc = d >= 0 && H5Dwrite(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, graph_text) >= 0 ? 0 : -1;
    if (d >= 0 && H5Dclose(d) < 0) rc = -1;
    if (sp >= 0 && H5Sclose(sp) < 0) rc = -1;
    if (st >= 0 && H5Tclose(st) < 0) rc = -1;
    if (rc < 0 || sd_h5_attr_write(f, "stardag_checkpoint", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, 1, &fmt) < 0 ||
        sd_h5_attr_write(f, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &m->step) < 0 ||
        sd_h5_attr_write(f, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, 1, &m->time) < 0 ||
        sd_h5_attr_hex(f, "graph_hash", m->graph_hash) < 0 || sd_h5_attr_hex(f, "layout_hash", m->layout_hash) < 0 ||
        sd_h5_attr_strings(f, "stardag_version", 0, ver, H5T_CSET_ASCII) < 0 || sd_h5_str_list(w->file, "index", w->nnames, (const char *const *)w->names, H5T_CSET_ASCII) < 0)
        return -1;
    sd_ckpt_meta mm = *m;
    mm.format = SD_CKPT_FORMAT;
    if (sd_h5_attr_hex(f, "meta_checksum", sd_ckpt_meta_checksum(&mm, graph_text, w->nnames, (const char *const *)w->names)) < 0)
        return -1;
    /* last: a file without it is refused (the writer died before it was finished) */
    return sd_h5_attr_write(f, "complete", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, 1, &complete);
}

/* The directory holding path, into buf. */
static void dir_of(const char *path, char *buf, size_t len)
{
    const char *sl = strrchr(path, '/');
    if (!sl) snprintf(buf, len, ".");
    else if (sl == path) snprintf(buf, len, "/");
    else snprintf(buf, len, "%.*s", (int)(sl - path), path);
}

/* FILE.1 .. FILE.(keep-1) move up one, from the first hole: FILE.(h-1) -> FILE.h, ..., FILE.1 ->
 * FILE.2, where FILE.h is the lowest one missing (FILE.(keep-1), the oldest, when none is). Starting
 * at the hole makes it safe to redo after an interrupted shift: nothing is moved over a checkpoint
 * that is still distinct, except the oldest, which a publish drops anyway. */
static int shift_up(const char *path, int keep, char *err, size_t errlen)
{
    char from[1100], to[1100];
    int hole = keep - 1;
    for (int i = 1; i < keep - 1; i++) {
        snprintf(to, sizeof to, "%s.%d", path, i);
        if (access(to, F_OK) < 0) { hole = i; break; }
    }
    for (int i = hole - 1; i >= 1; i--) {
        snprintf(from, sizeof from, "%s.%d", path, i);
        snprintf(to, sizeof to, "%s.%d", path, i + 1);
        if (rename(from, to) < 0 && errno != ENOENT) {
            sd_io_seterr(err, errlen, "%s: cannot rename to %s: %s", from, to, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* FILE.link holds the previous FILE from just before FILE.tmp is published until it becomes FILE.1;
 * once FILE is the new checkpoint it is the previous one's only name, so it is finished (FILE.1)
 * rather than removed. Also completes a rotation that an earlier failure or kill interrupted. */
static int settle_link(const char *path, const char *held, int keep, char *err, size_t errlen)
{
    char one[1100];
    struct stat a, b;
    if (lstat(held, &a) < 0) return 0;
    if (keep < 2 || (stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
        /* not kept, or FILE itself (the publish never happened): a second name only */
        if (unlink(held) < 0) {
            sd_io_seterr(err, errlen, "%s: cannot remove: %s", held, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (shift_up(path, keep, err, errlen) < 0) return -1;
    snprintf(one, sizeof one, "%s.1", path);
    if (rename(held, one) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot rename to %s: %s", held, one, strerror(errno));
        return -1;
    }
    return 0;
}

/* Publishes FILE.tmp as FILE, keeping `keep` checkpoints. Order: (1) finish any interrupted
 * rotation; (2) hard-link FILE to FILE.link; (3) rename FILE.tmp over FILE; (4) move FILE.1.. up
 * and FILE.link to FILE.1. A failure up to (3) leaves the set exactly as it was; the oldest is
 * dropped only after the new one is in place; after (3) every distinct checkpoint has a name
 * (FILE.link until (4)), and the next commit finishes an interrupted (4). */
static int publish(const char *tmp, const char *path, int keep, char *err, size_t errlen)
{
    char held[1100];
    snprintf(held, sizeof held, "%s.link", path);
    if (settle_link(path, held, keep, err, errlen) < 0) return -1;
    int have_old = 1;
    if (link(path, held) < 0) {
        if (errno != ENOENT) {
            sd_io_seterr(err, errlen, "%s: cannot link to %s: %s", path, held, strerror(errno));
            return -1;
        }
        have_old = 0; /* the first checkpoint */
    }
    if (rename(tmp, path) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        if (have_old) unlink(held);
        return -1;
    }
    return have_old ? settle_link(path, held, keep, err, errlen) : 0;
}

int sd_ckpt_commit(sd_ckpt_out *w, const sd_ckpt_meta *m, const char *graph_text, int keep, char *err, size_t errlen)
{
    char why[256], dir[1024];
    sd_h5_quiet q = sd_h5_quiet_on();
    int bad = write_root(w, m, graph_text) < 0;
    if (bad) sd_io_seterr(err, errlen, "%s: cannot write the checkpoint's root: %s", w->tmp, sd_h5why(why, sizeof why));
    if (H5Pclose(w->lcpl) < 0 && !bad) {
        sd_io_seterr(err, errlen, "%s: cannot close: %s", w->tmp, sd_h5why(why, sizeof why));
        bad = 1;
    }
    w->lcpl = -1;
    /* a file given up is discarded (its close cannot fail); a close that flushes the rest is
     * checked, and so is every write the driver made for it */
    if (bad || w->fault.err) {
        if (sd_h5_discard_close(w->file) < 0 && !bad) {
            sd_io_seterr(err, errlen, "%s: cannot close: %s", w->tmp, sd_h5why(why, sizeof why));
            bad = 1;
        }
    } else if (H5Fclose(w->file) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot close: %s", w->tmp, sd_h5why(why, sizeof why));
        bad = 1;
    }
    w->file = -1;
    if (!bad && w->fault.err) {
        sd_io_seterr(err, errlen, "%s: cannot write: %s (%s)", w->tmp, strerror(w->fault.err), w->fault.call);
        bad = 1;
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    if (!bad && sd_fsync_path(w->tmp) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot fsync: %s", w->tmp, strerror(errno));
        bad = 1;
    }
    if (!bad && publish(w->tmp, w->path, keep, err, errlen) < 0) bad = 1;
    if (bad) {
        unlink(w->tmp);
        free_names(w);
        free(w);
        return -1;
    }
    dir_of(w->path, dir, sizeof dir);
    if (sd_fsync_dir_of(w->path) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot fsync its directory %s: %s", w->path, dir, strerror(errno));
        free_names(w);
        free(w);
        return -1;
    }
    free_names(w);
    free(w);
    return 0;
}

void sd_ckpt_abort(sd_ckpt_out *w)
{
    if (!w) return;
    sd_h5_quiet q = sd_h5_quiet_on();
    if (w->lcpl >= 0) H5Pclose(w->lcpl);
    if (w->file >= 0) sd_h5_discard_close(w->file);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    unlink(w->tmp);
    free_names(w);
    free(w);
}
