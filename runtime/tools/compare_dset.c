/* compare_dset.c - see compare_dset.h. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "compare_dset.h"
#include "h5err.h"


void sd_dset_free(sd_dset *d)
{
    if (d->buf && d->vlen && d->n) {
        hsize_t n = d->n;
        hid_t sp = H5Screate_simple(1, &n, NULL);
        if (sp >= 0) {
#if H5_VERSION_GE(1, 12, 0)
            H5Treclaim(d->mt, sp, H5P_DEFAULT, d->buf);
#else
            H5Dvlen_reclaim(d->mt, sp, H5P_DEFAULT, d->buf);
#endif
            H5Sclose(sp);
        }
    }
    if (d->mt > 0 && d->kind != 'f') H5Tclose(d->mt);
    d->mt = -1;
    free(d->buf);
    d->buf = NULL;
}

const char *sd_dset_type(const sd_dset *d) { return d->tname; }

void sd_dset_dims_text(const sd_dset *d, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = 0;
    if (d->rank == 0) snprintf(buf, len, "[]");
    for (int i = 0; i < d->rank && k < len; i++) k += snprintf(buf + k, len - k, "[%llu]", (unsigned long long)d->dims[i]);
}

/* The memory type a dataset of file type t is read as, its kind and name (read_dset); -1 and why
 * when it cannot be compared. Integers keep their size and sign, so values past 2^53 and a dtype
 * change are seen. */
static hid_t memory_type(hid_t t, sd_dset *d, char *why, size_t wl)
{
    static const char *const other[] = {[H5T_TIME] = "time", [H5T_BITFIELD] = "bitfield", [H5T_OPAQUE] = "opaque",
                                        [H5T_COMPOUND] = "compound", [H5T_REFERENCE] = "reference", [H5T_ENUM] = "enum",
                                        [H5T_VLEN] = "vlen", [H5T_ARRAY] = "array"};
    const H5T_class_t cls = H5Tget_class(t);
    hid_t mt = -1;
    if (cls == H5T_FLOAT) {
        const int f32 = H5Tget_size(t) == 4;
        d->kind = 'f', d->esize = f32 ? 4 : 8;
        snprintf(d->tname, sizeof d->tname, "%s", f32 ? "f32" : "f64");
        return f32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    }
    if (cls == H5T_INTEGER) {
        if ((mt = H5Tget_native_type(t, H5T_DIR_DEFAULT)) < 0) return -1;
        d->kind = H5Tget_sign(t) == H5T_SGN_NONE ? 'u' : 'i', d->esize = H5Tget_size(mt);
        snprintf(d->tname, sizeof d->tname, "%sint%zu", d->kind == 'u' ? "u" : "", 8 * d->esize);
        return mt;
    }
    if (cls == H5T_STRING) {
        d->kind = 's', d->vlen = H5Tis_variable_str(t) > 0;
        if ((mt = H5Tcopy(d->vlen ? H5T_C_S1 : t)) < 0) return -1;
        if (d->vlen && H5Tset_size(mt, H5T_VARIABLE) < 0) {
            H5Tclose(mt);
            return -1;
        }
        d->esize = d->vlen ? sizeof(char *) : H5Tget_size(t);
        if (d->vlen) snprintf(d->tname, sizeof d->tname, "vlen string");
        else snprintf(d->tname, sizeof d->tname, "string%zu", d->esize);
        return mt;
    }
    const char *name = cls >= 0 && (size_t)cls < sizeof other / sizeof *other && other[cls] ? other[cls] : "other";
    if (H5Tdetect_class(t, H5T_VLEN) > 0 || H5Tdetect_class(t, H5T_STRING) > 0 || cls == H5T_REFERENCE) {
        snprintf(why, wl, "a %s dataset with strings, references or variable-length parts: not compared", name);
        return -1;
    }
    if ((mt = H5Tget_native_type(t, H5T_DIR_DEFAULT)) < 0) return -1;
    d->kind = 'b', d->esize = H5Tget_size(mt);
    snprintf(d->tname, sizeof d->tname, "%s", name);
    return mt;
}

/* Read a whole dataset in its own type (memory_type). */
int sd_dset_read(hid_t f, const char *path, sd_dset *d, char *why, size_t wl)
{
    memset(d, 0, sizeof *d);
    d->mt = -1;
    why[0] = 0;
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) {
        sd_h5why(why, wl);
        return -1;
    }
    int rc = -1;
    hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
    if (t < 0 || sp < 0) {
        sd_h5why(why, wl);
        goto out;
    }
    if ((d->mt = memory_type(t, d, why, wl)) < 0) {
        if (!why[0]) sd_h5why(why, wl);
        goto out;
    }
    d->rank = H5Sget_simple_extent_ndims(sp);
    if (d->rank < 0 || H5Sget_simple_extent_dims(sp, d->dims, NULL) < 0) {
        sd_h5why(why, wl);
        goto out;
    }
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    d->n = np > 0 ? (hsize_t)np : 0;
    if (!(d->buf = calloc(d->n ? d->n : 1, d->esize))) {
        snprintf(why, wl, "out of memory");
        goto out;
    }
    if (d->n && H5Dread(ds, d->mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->buf) < 0) {
        sd_h5why(why, wl);
        d->vlen = 0; /* nothing to reclaim */
        goto out;
    }
    rc = 0;
out:
    if (rc < 0) sd_dset_free(d);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    H5Dclose(ds);
    return rc;
}

/* Integer element i, sign-extended (v) and zero-extended (u) from its size. */
static void int_value(const sd_dset *d, hsize_t i, int64_t *v, uint64_t *u)
{
    const char *p = (const char *)d->buf + i * d->esize;
    switch (d->esize) {
    case 1: *v = *(const int8_t *)p, *u = *(const uint8_t *)p; break;
    case 2: *v = *(const int16_t *)p, *u = *(const uint16_t *)p; break;
    case 4: *v = *(const int32_t *)p, *u = *(const uint32_t *)p; break;
    default: *v = *(const int64_t *)p, *u = *(const uint64_t *)p; break;
    }
}

/* |a_i - b_i| of integers, from the exact difference (past 2^53 a double of each is not exact). */
double sd_dset_int_diff(const sd_dset *a, const sd_dset *b, hsize_t i)
{
    int64_t va, vb;
    uint64_t ua, ub;
    int_value(a, i, &va, &ua);
    int_value(b, i, &vb, &ub);
    /* one type: the true difference is below 2^64, so unsigned subtraction gives it exactly */
    if (a->kind == 'u') return (double)(ua > ub ? ua - ub : ub - ua);
    return (double)(va > vb ? (uint64_t)va - (uint64_t)vb : (uint64_t)vb - (uint64_t)va);
}

/* Element i as a double (the differences' sizes; strings and other types: 0). */
double sd_dset_value(const sd_dset *d, hsize_t i)
{
    const char *p = (const char *)d->buf + i * d->esize;
    if (d->kind == 'f') return d->esize == 4 ? (double)*(const float *)p : *(const double *)p;
    if (d->kind != 'i' && d->kind != 'u') return 0;
    int64_t v;
    uint64_t u;
    int_value(d, i, &v, &u);
    return d->kind == 'u' ? (double)u : (double)v;
}

/* Element i as text, exactly (the first difference's values). */
void sd_dset_value_text(const sd_dset *d, hsize_t i, char *buf, size_t len)
{
    const char *p = (const char *)d->buf + i * d->esize;
    int64_t v;
    uint64_t u;
    if (d->kind == 'f') snprintf(buf, len, "%.17g", sd_dset_value(d, i));
    else if (d->kind == 'i' || d->kind == 'u') {
        int_value(d, i, &v, &u);
        if (d->kind == 'u') snprintf(buf, len, "%" PRIu64, u);
        else snprintf(buf, len, "%" PRId64, v);
    } else if (d->kind == 's') {
        const char *str = d->vlen ? *(char *const *)p : p;
        int n = d->vlen ? (str ? (int)strlen(str) : 0) : (int)strnlen(p, d->esize);
        snprintf(buf, len, "\"%.*s%s\"", n > 40 ? 40 : n, str ? str : "", n > 40 ? "..." : "");
    } else snprintf(buf, len, "(%zu bytes)", d->esize);
}

int sd_dset_same(const sd_dset *a, const sd_dset *b, hsize_t i)
{
    const char *pa = (const char *)a->buf + i * a->esize, *pb = (const char *)b->buf + i * b->esize;
    if (a->vlen) {
        const char *x = *(char *const *)pa, *y = *(char *const *)pb;
        return x == y || (x && y && !strcmp(x, y));
    }
    if (a->kind == 's') { /* fixed-length: the text up to its end or NUL (what follows is padding) */
        const size_t la = strnlen(pa, a->esize), lb = strnlen(pb, b->esize);
        return la == lb && !memcmp(pa, pb, la);
    }
    return !memcmp(pa, pb, a->esize);
}

void sd_dset_index_text(const sd_dset *d, hsize_t flat, char *buf, size_t len)
{
    hsize_t idx[H5S_MAX_RANK];
    for (int i = d->rank - 1; i >= 0; i--) {
        idx[i] = d->dims[i] ? flat % d->dims[i] : 0;
        flat = d->dims[i] ? flat / d->dims[i] : 0;
    }
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < d->rank && k < len; i++) k += snprintf(buf + k, len - k, "[%llu]", (unsigned long long)idx[i]);
}

