/* read_field.c - see read_field.h. Plain H5Fopen(RDONLY): any HDF5 file, including a stardag
 * output that is still being written (its committed part) or one a crash left behind. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "stardag/kernel.h"
#include "read_field.h"
#include "h5err.h"
#include "h5util.h"

static void set_at(int *at, int v)
{
    if (at) *at = v;
}

/* The file, opened read-only; a missing or non-HDF5 file is named as such. */
static hid_t open_file(const char *file, int *at, char *err, size_t errlen)
{
    set_at(at, SD_RF_AT_FILE);
    return sd_h5_open_ro(file, err, errlen);
}

/* ---- listing what a file holds, for "did not find" messages ---------------------------------- */

/* The first names and the last one: "a, b, c, d, e, f, ..., z (40 in all)". */
#define LISTED 6
typedef struct listing {
    char first[LISTED][128], last[128];
    int n;
} listing;

static void listing_add(listing *l, const char *name)
{
    snprintf(l->n < LISTED ? l->first[l->n] : l->last, sizeof l->last, "%.127s", name);
    l->n++;
}

static const char *listing_end(listing *l, char *buf, size_t len)
{
    buf[0] = 0;
    if (!l->n) snprintf(buf, len, "none");
    for (int i = 0; i < l->n && i < LISTED; i++) {
        size_t k = strlen(buf);
        snprintf(buf + k, len - k, "%s%s", i ? ", " : "", l->first[i]);
    }
    size_t k = strlen(buf);
    if (l->n == LISTED + 1) snprintf(buf + k, len - k, ", %s", l->last);
    else if (l->n > LISTED) snprintf(buf + k, len - k, ", ..., %s (%d in all)", l->last, l->n);
    return buf;
}

static herr_t list_datasets_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    H5O_info_t oi;
    if (info->type != H5L_TYPE_HARD || H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0) return 0;
    if (oi.type == H5O_TYPE_DATASET) {
        char p[600];
        snprintf(p, sizeof p, "/%s", name);
        listing_add(data, p);
    }
    return 0;
}

static herr_t list_names_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    listing_add(data, name);
    return 0;
}

/* ---- resolving a request ---------------------------------------------------------------------- */

/* Step names of a stardag field group, ascending (they are zero-padded, so name order is step
 * order); *n of them in a malloc'd array. */
static int64_t *field_steps(hid_t g, int64_t *n)
{
    H5G_info_t gi;
    *n = 0;
    if (H5Gget_info(g, &gi) < 0) return NULL;
    int64_t *v = malloc((gi.nlinks + 1) * sizeof *v);
    if (!v) return NULL;
    for (hsize_t i = 0; i < gi.nlinks; i++) {
        char name[64];
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0) continue;
        char *end;
        errno = 0;
        long long s = strtoll(name, &end, 10);
        if (!errno && !*end && end != name && s >= 0) v[(*n)++] = s;
    }
    return v;
}

static int resolve_step(hid_t f, const char *file, const char *field, int64_t step, char *path, size_t pathlen,
                        int64_t *found, int *at, char *err, size_t errlen)
{
    char buf[1200];
    if (H5Aexists(f, "stardag_format") <= 0) {
        H5Eclear2(H5E_DEFAULT);
        set_at(at, SD_RF_AT_STEP);
        sd_io_seterr(err, errlen, "%s: not a stardag output (no stardag_format attribute), so it has no steps "
                     "(expected a stardag run's file, or dataset: without step:)", file);
        return -1;
    }
    char gname[128];
    snprintf(gname, sizeof gname, "/fields/%s", field);
    if (H5Lexists(f, "/fields", H5P_DEFAULT) <= 0 || H5Lexists(f, gname, H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        listing l = {.n = 0};
        if (H5Lexists(f, "/fields", H5P_DEFAULT) > 0) {
            hsize_t idx = 0;
            H5Literate_by_name(f, "/fields", H5_INDEX_NAME, H5_ITER_INC, &idx, list_names_cb, &l, H5P_DEFAULT);
        }
        H5Eclear2(H5E_DEFAULT);
        set_at(at, SD_RF_AT_DATASET);
        sd_io_seterr(err, errlen, "%s: the output has no field %s (fields written: %s)", file, field,
                     listing_end(&l, buf, sizeof buf));
        return -1;
    }
    hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
    int64_t n = 0, *steps = g >= 0 ? field_steps(g, &n) : NULL;
    if (g >= 0) H5Gclose(g);
    if (!steps) {
        char why[256];
        set_at(at, SD_RF_AT_STEP);
        sd_io_seterr(err, errlen, "%s: cannot list the steps of field %s: %s", file, field, sd_h5why(why, sizeof why));
        return -1;
    }
    int64_t pick = -1;
    for (int64_t i = 0; i < n; i++)
        if (steps[i] == step || (step == SD_RF_LAST_STEP && steps[i] > pick)) pick = steps[i];
    if (pick < 0) {
        listing l = {.n = 0};
        for (int64_t i = 0; i < n; i++) {
            char s[32];
            snprintf(s, sizeof s, "%" PRId64, steps[i]);
            listing_add(&l, s);
        }
        set_at(at, SD_RF_AT_STEP);
        if (step == SD_RF_LAST_STEP)
            sd_io_seterr(err, errlen, "%s: field %s has no step written", file, field);
        else
            sd_io_seterr(err, errlen, "%s: field %s has no step %" PRId64 " (steps written: %s)", file, field, step,
                         listing_end(&l, buf, sizeof buf));
        free(steps);
        return -1;
    }
    free(steps);
    *found = pick;
    snprintf(path, pathlen, "/fields/%s/%08" PRId64, field, pick);
    return 0;
}

/* Does path name a dataset? Each component is looked up in turn (H5Lexists fails, rather than
 * answering no, when a group on the way is missing). */
static int is_dataset(hid_t f, const char *path)
{
    char p[1024];
    if (!*path || strlen(path) >= sizeof p) return 0;
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || !*s) {
            char c = *s;
            *s = 0;
            if (p[0] && strcmp(p, "/") && H5Lexists(f, p, H5P_DEFAULT) <= 0) {
                H5Eclear2(H5E_DEFAULT);
                return 0;
            }
            *s = c;
            if (!c) break;
        }
    }
    H5O_info_t oi;
    if (H5Oget_info_by_name(f, path, &oi, H5P_DEFAULT) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    return oi.type == H5O_TYPE_DATASET;
}

static int is_group(hid_t f, const char *path)
{
    H5O_info_t oi;
    int yes = H5Oget_info_by_name(f, path, &oi, H5P_DEFAULT) >= 0 && oi.type == H5O_TYPE_GROUP;
    H5Eclear2(H5E_DEFAULT);
    return yes;
}

int sd_rf_resolve(const char *file, const char *dataset, const char *field, int64_t step, char *path, size_t pathlen,
                  int64_t *step_found, int *at, char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    int rc = -1;
    *step_found = SD_RF_NO_STEP;
    hid_t f = open_file(file, at, err, errlen);
    if (f < 0) goto out;
    if (step != SD_RF_NO_STEP) {
        rc = resolve_step(f, file, field, step, path, pathlen, step_found, at, err, errlen);
        goto out;
    }
    set_at(at, SD_RF_AT_DATASET);
    if (!is_dataset(f, dataset)) {
        char buf[1200];
        listing l = {.n = 0};
        H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, list_datasets_cb, &l);
        H5Eclear2(H5E_DEFAULT);
        sd_io_seterr(err, errlen, "%s: %s %s (datasets in the file: %s)", file, is_group(f, dataset) ? "a group, not a dataset:" : "no dataset",
                     dataset, listing_end(&l, buf, sizeof buf));
        goto out;
    }
    snprintf(path, pathlen, "%s", dataset);
    rc = 0;
out:
    if (f >= 0) H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}

/* ---- shape and type --------------------------------------------------------------------------- */

static void dims_text(char *buf, size_t len, int rank, const int64_t *dims)
{
    buf[0] = 0;
    for (int k = 0; k < rank; k++) {
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "[%" PRId64 "]", dims[k]);
    }
    if (!rank) snprintf(buf, len, "a scalar");
}

static const char *type_text(hid_t t, char *buf, size_t len)
{
    size_t sz = H5Tget_size(t);
    switch (H5Tget_class(t)) {
    case H5T_FLOAT: snprintf(buf, len, "f%zu", 8 * sz); break;
    case H5T_INTEGER: snprintf(buf, len, "%sint%zu", H5Tget_sign(t) == H5T_SGN_NONE ? "u" : "", 8 * sz); break;
    case H5T_STRING: snprintf(buf, len, "strings"); break;
    case H5T_COMPOUND: snprintf(buf, len, "compound records"); break;
    default: snprintf(buf, len, "a non-numeric type"); break;
    }
    return buf;
}

/* The open dataset against want: 0, or -1 with a message. */
static int check_open(hid_t ds, const char *file, const char *path, const sd_rf_shape *want, char *err, size_t errlen)
{
    char why[256], a[160], b[160], axes[200] = "";
    hid_t sp = H5Dget_space(ds), t = H5Dget_type(ds);
    int rc = -1;
    if (sp < 0 || t < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read dataset %s: %s", file, path, sd_h5why(why, sizeof why));
        goto out;
    }
    hsize_t hd[32];
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank < 0 || rank > 32 || H5Sget_simple_extent_dims(sp, hd, NULL) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read the shape of dataset %s: %s", file, path, sd_h5why(why, sizeof why));
        goto out;
    }
    int64_t d[32];
    for (int k = 0; k < rank; k++) d[k] = (int64_t)hd[k];
    int same = rank == want->rank;
    for (int k = 0; same && k < rank; k++) same = d[k] == want->dims[k];
    if (!same) {
        for (int k = 0; k < want->rank; k++) {
            size_t l = strlen(axes);
            snprintf(axes + l, sizeof axes - l, "[%s]", want->axes[k]);
        }
        dims_text(a, sizeof a, rank, d);
        dims_text(b, sizeof b, want->rank, want->dims);
        sd_io_seterr(err, errlen, "%s: dataset %s has shape %s, but %s is %s (%s, slowest first: x varies fastest, "
                     "as stardag writes fields)", file, path, a, want->what, b, axes);
        goto out;
    }
    H5T_class_t cls = H5Tget_class(t);
    size_t sz = H5Tget_size(t);
    if (cls != H5T_FLOAT || (sz != 4 && sz != 8)) {
        sd_io_seterr(err, errlen, "%s: dataset %s holds %s, but %s is %s (expected f32 or f64 values)", file, path,
                     type_text(t, a, sizeof a), want->what, want->dtype == SD_F32 ? "f32" : "f64");
        goto out;
    }
    if (sz == 8 && want->dtype == SD_F32 && !want->narrow) {
        sd_io_seterr(err, errlen, "%s: dataset %s holds f64 values, but %s is f32: reading would round them "
                     "(expected an f32 dataset, or narrow: true to round)", file, path, want->what);
        goto out;
    }
    rc = 0;
out:
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static hid_t open_dataset(hid_t f, const char *file, const char *path, char *err, size_t errlen)
{
    char why[256];
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) sd_io_seterr(err, errlen, "%s: cannot open dataset %s: %s", file, path, sd_h5why(why, sizeof why));
    return ds;
}

int sd_rf_check(const char *file, const char *path, const sd_rf_shape *want, int *at, char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    int rc = -1;
    hid_t f = open_file(file, at, err, errlen), ds = -1;
    set_at(at, SD_RF_AT_SHAPE);
    if (f >= 0 && (ds = open_dataset(f, file, path, err, errlen)) >= 0) rc = check_open(ds, file, path, want, err, errlen);
    if (ds >= 0) H5Dclose(ds);
    if (f >= 0) H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}

int sd_rf_read(const char *file, const char *path, const sd_rf_shape *want, void *buf, char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    int rc = -1;
    hid_t f = open_file(file, NULL, err, errlen), ds = -1;
    if (f >= 0 && (ds = open_dataset(f, file, path, err, errlen)) >= 0 && check_open(ds, file, path, want, err, errlen) == 0) {
        char why[256];
        hid_t mt = want->dtype == SD_F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
        if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            sd_io_seterr(err, errlen, "%s: cannot read dataset %s: %s", file, path, sd_h5why(why, sizeof why));
        else rc = 0;
    }
    if (ds >= 0) H5Dclose(ds);
    if (f >= 0) H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}
