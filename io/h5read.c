/* h5read.c - readers of the run file for tests and tools: plain H5Fopen(RDONLY), default
 * properties, so they also show what any HDF5 reader (h5py, ParaView) sees after a crash. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5out.h"
#include "h5err.h"
#include "h5util.h"
#include "memlimit.h"



/* A dataset of n elements of es bytes would not fit in memory (a damaged file may claim any size):
 * 1 with why filled, else 0. */
static int too_large(uint64_t n, size_t es, char *why, size_t wl)
{
    const char *source;
    char e[256], b[2][32];
    int64_t avail = sd_memory_available(&source, e, sizeof e);
    double need = (double)n * (double)es;
    if (n > SIZE_MAX / es) {
        snprintf(why, wl, "%llu elements of %zu bytes, more than the address space", (unsigned long long)n, es);
        return 1;
    }
    if (avail == -2) {
        snprintf(why, wl, "%s", e);
        return 1;
    }
    if (avail < 0 || need <= (double)avail) return 0;
    snprintf(why, wl, "%llu elements need %s, more than the %s of memory available (%s)", (unsigned long long)n,
             sd_fmt_bytes(b[0], sizeof b[0], need), sd_fmt_bytes(b[1], sizeof b[1], (double)avail), source);
    return 1;
}

/* A damaged file may claim any shape: the dataset's element count from its dims (HDF5's own count
 * wraps past 2^64), refused when it would not fit in memory or, chunked, has more chunks than any
 * file of stardag's (HDF5 would spend minutes and gigabytes on its chunk index). 0 with *n, or -1
 * with why. */
#define SD_H5READ_MAX_CHUNKS ((double)(1 << 20))
static int checked_size(hid_t ds, size_t es, uint64_t *n, char *why, size_t wl)
{
    hid_t sp = H5Dget_space(ds), pl = H5Dget_create_plist(ds);
    hsize_t dims[H5S_MAX_RANK], cd[H5S_MAX_RANK];
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1, rc = -1;
    if (rank < 0 || rank > H5S_MAX_RANK || H5Sget_simple_extent_dims(sp, dims, NULL) != rank)
        snprintf(why, wl, "cannot read its shape");
    else {
        int crank = pl >= 0 && H5Pget_layout(pl) == H5D_CHUNKED ? H5Pget_chunk(pl, H5S_MAX_RANK, cd) : 0;
        double chunks = 1;
        uint64_t count = 1;
        int wraps = 0;
        for (int i = 0; i < rank; i++) {
            wraps |= __builtin_mul_overflow(count, (uint64_t)dims[i], &count);
            if (i < crank && cd[i]) chunks *= ((double)dims[i] + (double)cd[i] - 1) / (double)cd[i];
        }
        if (wraps) snprintf(why, wl, "its shape has more than 2^64 elements (a damaged file?)");
        else if (too_large(count, es, why, wl)) {}
        else if (crank > 0 && chunks > SD_H5READ_MAX_CHUNKS)
            snprintf(why, wl, "%llu elements in %.3g chunks, more than %.0f (a damaged file?)", (unsigned long long)count,
                     chunks, SD_H5READ_MAX_CHUNKS);
        else {
            *n = count;
            rc = 0;
        }
    }
    if (pl >= 0) H5Pclose(pl);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* Read a whole 1-D dataset; returns its length or -1. */
static int64_t read_1d(hid_t loc, const char *name, hid_t mt, size_t es, void **out, char *why,
                       size_t wl)
{
    *out = NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) { sd_h5why(why, wl); return -1; }
    hid_t sp = H5Dget_space(ds);
    hsize_t n = 0;
    int64_t rc = -1;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &n, NULL) == 1) {
        uint64_t count;
        if (checked_size(ds, es, &count, why, wl)) {}
        else if (n == 0) rc = 0;
        else if (!(*out = malloc(n * es))) snprintf(why, wl, "out of memory");
        else if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
            sd_h5why(why, wl);
            free(*out);
            *out = NULL;
        } else rc = (int64_t)n;
    } else {
        snprintf(why, wl, "not a 1-D dataset");
    }
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

int sd_h5_read_scalar(const char *path, const char *name, int64_t **steps, double **values,
                      int64_t *n, char *err, size_t errlen)
{
    if (steps) *steps = NULL;
    if (values) *values = NULL;
    if (n) *n = 0;
    if (!path || !name || !n) { sd_io_seterr(err, errlen, "%s: bad arguments", path ? path : "(null)"); return -1; }
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(path, err, errlen);
    if (f < 0) { sd_h5_quiet_off(q); return -1; }
    char why[256];
    void *s = NULL, *v = NULL;
    int rc = -1;
    hid_t g = H5Gopen2(f, "scalars", H5P_DEFAULT);
    if (g < 0) {
        sd_io_seterr(err, errlen, "%s: cannot open /scalars: %s", path, sd_h5why(why, sizeof why));
        goto out;
    }
    int64_t ns = read_1d(g, "step", H5T_NATIVE_INT64, 8, &s, why, sizeof why);
    if (ns < 0) { sd_io_seterr(err, errlen, "%s: cannot read /scalars/step: %s", path, why); goto out; }
    int64_t nv = read_1d(g, name, H5T_NATIVE_DOUBLE, 8, &v, why, sizeof why);
    if (nv < 0) { sd_io_seterr(err, errlen, "%s: cannot read scalar %s: %s", path, name, why); goto out; }
    *n = ns < nv ? ns : nv;
    if (steps) { *steps = s; s = NULL; }
    if (values) { *values = v; v = NULL; }
    if (!*n) {
        if (steps) { free(*steps); *steps = NULL; }
        if (values) { free(*values); *values = NULL; }
    }
    rc = 0;
out:
    free(s);
    free(v);
    if (g >= 0) H5Gclose(g);
    H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}

int sd_h5_read_field(const char *path, const char *name, int64_t step, double **data,
                     int64_t *count, char *err, size_t errlen)
{
    if (data) *data = NULL;
    if (count) *count = 0;
    if (!path || !name || !data) { sd_io_seterr(err, errlen, "%s: bad arguments", path ? path : "(null)"); return -1; }
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(path, err, errlen);
    if (f < 0) { sd_h5_quiet_off(q); return -1; }
    char dn[256 + 64], why[256];
    snprintf(dn, sizeof dn, "/fields/%s/%08" PRId64, name, step);
    int rc = -1;
    hid_t ds = H5Dopen2(f, dn, H5P_DEFAULT);
    if (ds < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read field %s at step %" PRId64 ": %s", path, name, step,
               sd_h5why(why, sizeof why));
        goto out;
    }
    uint64_t np;
    if (checked_size(ds, sizeof(double), &np, why, sizeof why)) {
        sd_io_seterr(err, errlen, "%s: cannot read field %s at step %" PRId64 ": %s", path, name, step, why);
        goto out;
    }
    double *buf = malloc(np ? (size_t)np * sizeof *buf : 1);
    if (!buf) {
        sd_io_seterr(err, errlen, "%s: cannot read field %s at step %" PRId64 ": out of memory", path, name, step);
        goto out;
    }
    if (np && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read field %s at step %" PRId64 ": %s", path, name, step,
               sd_h5why(why, sizeof why));
        free(buf);
        goto out;
    }
    *data = buf;
    if (count) *count = (int64_t)np;
    rc = 0;
out:
    if (ds >= 0) H5Dclose(ds);
    H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}

typedef struct {
    int64_t *v;
    size_t n, cap;
    int oom;
} steplist;

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    steplist *l = data;
    char *end;
    errno = 0;
    long long s = strtoll(name, &end, 10);
    if (errno || *end || end == name || s < 0) return 0; /* not a step dataset */
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        int64_t *p = realloc(l->v, nc * sizeof *p);
        if (!p) { l->oom = 1; return -1; }
        l->v = p;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int sd_h5_list_field_steps(const char *path, const char *name, int64_t **steps, int64_t *n,
                           char *err, size_t errlen)
{
    if (steps) *steps = NULL;
    if (n) *n = 0;
    if (!path || !name || !steps || !n) { sd_io_seterr(err, errlen, "%s: bad arguments", path ? path : "(null)"); return -1; }
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(path, err, errlen);
    if (f < 0) { sd_h5_quiet_off(q); return -1; }
    char gn[256 + 16], why[256];
    snprintf(gn, sizeof gn, "/fields/%s", name);
    int rc = -1;
    steplist l = {NULL, 0, 0, 0};
    hid_t g = H5Gopen2(f, gn, H5P_DEFAULT);
    if (g < 0) {
        sd_io_seterr(err, errlen, "%s: cannot open field %s: %s", path, name, sd_h5why(why, sizeof why));
        goto out;
    }
    hsize_t idx = 0;
    if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, list_cb, &l) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot list steps of field %s: %s", path, name,
               l.oom ? "out of memory" : sd_h5why(why, sizeof why));
        free(l.v);
        goto out;
    }
    if (l.n) qsort(l.v, l.n, sizeof *l.v, cmp_i64);
    *steps = l.v;
    *n = (int64_t)l.n;
    rc = 0;
out:
    if (g >= 0) H5Gclose(g);
    H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}
