/* h5out_profile.c - the run file's profiles (/profiles/<name>: cell centres, then one row per
 * profiled step) and their reader. Layout: docs/output-format.md, "Profiles". Rows are appended
 * to unlimited, uncompressed, chunked datasets exactly like the scalar series (io/h5out.c, crash
 * safety point 3: an append rewrites a chunk with the same bytes for committed rows, the extent on
 * disk stays at the committed size), and the commit flushes them with the scalars. */
#define _GNU_SOURCE
#include "h5out_impl.h"
#include "h5err.h"
#include "h5util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_CHUNK 1024              /* rows per chunk of the 1-D row datasets */
#define VALUES_CHUNK_BYTES (256u << 10) /* at most this per chunk of values [m][n] */

enum { DS_STEP, DS_TIME, DS_PEAK, DS_PEAK_FIT, DS_MAX, DS_VALUES, DS_FIXED }; /* then falloff_<p> */
static const char *const fixed_names[DS_FIXED] = {"step", "time", "peak", "peak_fit", "max", "values"};

struct sd_h5out_prof {
    char name[80];
    hid_t g;
    hid_t ds[DS_FIXED + SD_H5_MAX_FALLOFF];
    int nfalloff;
    int64_t n, rows;
    hsize_t values_chunk; /* rows per chunk of values */
};

static hid_t row_dataset(hid_t g, const char *name, hid_t ft, int64_t n, hsize_t rows_per_chunk)
{
    int rank = n > 0 ? 2 : 1;
    hsize_t d0[2] = {0, (hsize_t)n}, dmax[2] = {H5S_UNLIMITED, (hsize_t)n}, ch[2] = {rows_per_chunk, (hsize_t)n};
    hid_t sp = H5Screate_simple(rank, d0, dmax), dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
    if (sp >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, rank, ch) >= 0)
        ds = H5Dcreate2(g, name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    return ds;
}

static void falloff_name(char *b, size_t l, double pct) { snprintf(b, l, "falloff_%g", pct); }

static int check_profile(const sd_h5out *o, const sd_h5profile *p, char *err, size_t errlen)
{
    const char *why = NULL;
    if (!p || !p->name || !p->field || !p->positions) why = "missing arguments";
    else if (!p->name[0] || strchr(p->name, '/') || strlen(p->name) >= sizeof o->prof->name) why = "bad name";
    else if (p->n < 1) why = "no cells";
    else if (p->nfalloff < 0 || p->nfalloff > SD_H5_MAX_FALLOFF || (p->nfalloff && !p->falloff)) why = "bad fall-off list";
    else if (o->nrec || o->nrows) why = "a step was written before it";
    for (int i = 0; !why && i < o->nprof; i++)
        if (!strcmp(o->prof[i].name, p->name)) why = "a profile of that name exists";
    if (!why) return 0;
    sd_io_seterr(err, errlen, "%s: cannot add profile %s: %s", o->path, p && p->name ? p->name : "(null)", why);
    return -1;
}

int sd_h5out_add_profile(sd_h5out *o, const sd_h5profile *p, char *err, size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot add a profile: an earlier write failed; file is kept at its last commit", o->path);
        return -1;
    }
    if (o->continued) return sd_h5out_attach_profile(o, p, err, errlen);
    if (check_profile(o, p, err, errlen) < 0) return -1;
    struct sd_h5out_prof *np = realloc(o->prof, (size_t)(o->nprof + 1) * sizeof *np);
    if (!np) { sd_io_seterr(err, errlen, "%s: cannot add profile %s: out of memory", o->path, p->name); return -1; }
    o->prof = np;
    struct sd_h5out_prof *q = &o->prof[o->nprof];
    memset(q, 0, sizeof *q);
    snprintf(q->name, sizeof q->name, "%s", p->name);
    q->g = -1;
    for (int i = 0; i < DS_FIXED + SD_H5_MAX_FALLOFF; i++) q->ds[i] = -1;
    q->nfalloff = p->nfalloff;
    q->n = p->n;
    hsize_t vc = VALUES_CHUNK_BYTES / (8 * (hsize_t)p->n);
    q->values_chunk = vc < 1 ? 1 : vc > ROW_CHUNK ? ROW_CHUNK : vc;

    char why[256];
    sd_h5_quiet q5 = sd_h5_quiet_on();
    int e = sd_h5_reserve(o->file, (uint64_t)p->n * 8 + 16384);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot add profile %s: %s", o->path, p->name, strerror(e));
        sd_h5_quiet_off(q5);
        return -1; /* nothing touched */
    }
    o->nprof++; /* from here on its handles are closed with the file's */
    char axis[2] = {p->axis, 0}, summed[4] = "";
    for (int d = 0, k = 0; d < o->ndim; d++)
        if ('x' + d != p->axis) summed[k++] = (char)('x' + d);
    const char *s;
    int32_t comp = p->component, order = o->nprof - 1;
    int rc = 0;
    if (o->g_profiles < 0 && (o->g_profiles = H5Gcreate2(o->file, "profiles", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) rc = -1;
    if (!rc && (q->g = H5Gcreate2(o->g_profiles, p->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) rc = -1;
    if (!rc) {
        s = p->field;
        rc |= sd_h5_attr_strings(q->g, "field", 0, &s, H5T_CSET_UTF8);
        s = axis;
        rc |= sd_h5_attr_strings(q->g, "axis", 0, &s, H5T_CSET_UTF8);
        s = summed;
        rc |= sd_h5_attr_strings(q->g, "summed_axes", 0, &s, H5T_CSET_UTF8);
        s = p->label && p->label[0] ? p->label : axis;
        rc |= sd_h5_attr_strings(q->g, "axis_label", 0, &s, H5T_CSET_UTF8);
        rc |= sd_h5_attr_write(q->g, "component", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, 1, &comp);
        rc |= sd_h5_attr_write(q->g, "order", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, 1, &order);
        if (p->nfalloff)
            rc |= sd_h5_attr_write(q->g, "falloff_percent", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, (hsize_t)p->nfalloff, p->falloff);
        if (o->units_length[0]) {
            s = o->units_length;
            rc |= sd_h5_attr_strings(q->g, "units_length", 0, &s, H5T_CSET_UTF8);
        }
        rc |= sd_h5_num_dataset(q->g, "positions", p->n, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, p->positions);
    }
    for (int i = 0; !rc && i < DS_FIXED; i++)
        rc = (q->ds[i] = row_dataset(q->g, fixed_names[i], i == DS_STEP ? H5T_STD_I64LE : H5T_IEEE_F64LE,
                                     i == DS_VALUES ? p->n : 0, i == DS_VALUES ? q->values_chunk : ROW_CHUNK)) < 0;
    for (int k = 0; !rc && k < p->nfalloff; k++) {
        char nm[64];
        falloff_name(nm, sizeof nm, p->falloff[k]);
        rc = (q->ds[DS_FIXED + k] = row_dataset(q->g, nm, H5T_IEEE_F64LE, 0, ROW_CHUNK)) < 0;
    }
    if (rc) {
        sd_h5why(why, sizeof why);
        o->poisoned = 1; /* a half-made group: keep the file at its last commit */
        sd_io_seterr(err, errlen, "%s: cannot add profile %s: %s", o->path, p->name, why);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q5);
        return -1;
    }
    sd_h5_quiet_off(q5);
    return o->nprof - 1;
}

/* A continued file (io/h5out_continue.c cut its rows to the checkpoint's step): the profile's
 * group and row datasets opened, their shape checked against p, appends go on after its rows. */
int sd_h5out_attach_profile(sd_h5out *o, const sd_h5profile *p, char *err, size_t errlen)
{
    if (!p || !p->name || !p->name[0] || strchr(p->name, '/') || strlen(p->name) >= sizeof o->prof->name ||
        p->nfalloff < 0 || p->nfalloff > SD_H5_MAX_FALLOFF || (p->nfalloff && !p->falloff) || p->n < 1) {
        sd_io_seterr(err, errlen, "%s: cannot attach profile %s: bad arguments", o->path, p && p->name ? p->name : "(null)");
        return -1;
    }
    struct sd_h5out_prof *np = realloc(o->prof, (size_t)(o->nprof + 1) * sizeof *np);
    if (!np) { sd_io_seterr(err, errlen, "%s: cannot attach profile %s: out of memory", o->path, p->name); return -1; }
    o->prof = np;
    struct sd_h5out_prof *q = &o->prof[o->nprof];
    memset(q, 0, sizeof *q);
    snprintf(q->name, sizeof q->name, "%s", p->name);
    q->g = -1;
    for (int i = 0; i < DS_FIXED + SD_H5_MAX_FALLOFF; i++) q->ds[i] = -1;
    q->nfalloff = p->nfalloff;
    q->n = p->n;
    o->nprof++; /* its handles are closed with the file's */
    sd_h5_quiet q5 = sd_h5_quiet_on();
    const char *why = NULL;
    if (o->g_profiles < 0 && (o->g_profiles = H5Gopen2(o->file, "profiles", H5P_DEFAULT)) < 0) why = "the file has no /profiles";
    else if ((q->g = H5Gopen2(o->g_profiles, p->name, H5P_DEFAULT)) < 0) why = "the file has no such profile";
    for (int i = 0; !why && i < DS_FIXED + p->nfalloff; i++) {
        char nm[64];
        if (i < DS_FIXED) snprintf(nm, sizeof nm, "%s", fixed_names[i]);
        else falloff_name(nm, sizeof nm, p->falloff[i - DS_FIXED]);
        hsize_t d[2] = {0, 0};
        hid_t sp = (q->ds[i] = H5Dopen2(q->g, nm, H5P_DEFAULT)) >= 0 ? H5Dget_space(q->ds[i]) : -1;
        int rank = sp >= 0 ? H5Sget_simple_extent_dims(sp, d, NULL) : -1;
        if (sp >= 0) H5Sclose(sp);
        if (rank != (i == DS_VALUES ? 2 : 1) || (i == DS_VALUES && d[1] != (hsize_t)p->n)) why = "its row datasets differ from the run's";
        else if (i == DS_STEP) q->rows = (int64_t)d[0];
        else if ((int64_t)d[0] != q->rows) why = "its row datasets have different lengths";
        if (i == DS_VALUES && !why) {
            hid_t dcpl = H5Dget_create_plist(q->ds[i]);
            hsize_t ch[2] = {1, 1};
            if (dcpl < 0 || H5Pget_chunk(dcpl, 2, ch) != 2) why = "its values are not chunked";
            q->values_chunk = ch[0];
            if (dcpl >= 0) H5Pclose(dcpl);
        }
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q5);
    if (why) {
        sd_io_seterr(err, errlen, "%s: cannot continue profile %s: %s", o->path, p->name, why);
        return -1;
    }
    return o->nprof - 1;
}

int sd_h5out_append_profile(sd_h5out *o, int profile, const sd_h5profile_row *r, char *err, size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    if (profile < 0 || profile >= o->nprof || !r || !r->values || (o->prof[profile].nfalloff && !r->falloff)) {
        sd_io_seterr(err, errlen, "%s: cannot append profile #%d: bad arguments", o->path, profile);
        return -1;
    }
    struct sd_h5out_prof *q = &o->prof[profile];
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot append profile %s at step %" PRId64
                     ": an earlier write failed; file is kept at its last commit", o->path, q->name, r->step);
        return -1;
    }
    sd_h5_quiet q5 = sd_h5_quiet_on();
    int e = sd_h5_reserve(o->file, (uint64_t)(DS_FIXED - 1 + q->nfalloff) * ROW_CHUNK * 8 +
                                       (uint64_t)q->values_chunk * q->n * 8);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot append profile %s at step %" PRId64 ": %s", o->path, q->name, r->step,
                     strerror(e));
        sd_h5_quiet_off(q5);
        return -1; /* nothing touched */
    }
    const double one[DS_FIXED] = {0, r->time, r->peak, r->peak_fit, r->max, 0};
    int64_t row = q->rows;
    const char *bad = "step";
    if (sd_h5_write_row(q->ds[DS_STEP], row, H5T_NATIVE_INT64, &r->step) < 0) goto fail;
    for (int i = DS_TIME; i <= DS_MAX; i++) {
        bad = fixed_names[i];
        if (sd_h5_write_row(q->ds[i], row, H5T_NATIVE_DOUBLE, &one[i]) < 0) goto fail;
    }
    bad = "values";
    if (sd_h5_write_row(q->ds[DS_VALUES], row, H5T_NATIVE_DOUBLE, r->values) < 0) goto fail;
    for (int k = 0; k < q->nfalloff; k++) {
        bad = "falloff";
        if (sd_h5_write_row(q->ds[DS_FIXED + k], row, H5T_NATIVE_DOUBLE, &r->falloff[k]) < 0) goto fail;
    }
    q->rows++;
    sd_h5_quiet_off(q5);
    return 0;
fail:;
    char why[256];
    sd_h5why(why, sizeof why);
    o->poisoned = 1;
    sd_io_seterr(err, errlen, "%s: cannot append profile %s (%s) at step %" PRId64 ": %s", o->path, q->name, bad, r->step, why);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q5);
    return -1;
}

int sd_h5out_profiles_flush(sd_h5out *o)
{
    for (int p = 0; p < o->nprof; p++)
        for (int i = 0; i < DS_FIXED + o->prof[p].nfalloff; i++)
            if (H5Dflush(o->prof[p].ds[i]) < 0) return -1;
    return 0;
}

void sd_h5out_profiles_close(sd_h5out *o)
{
    for (int p = 0; p < o->nprof; p++) {
        struct sd_h5out_prof *q = &o->prof[p];
        for (int i = 0; i < DS_FIXED + SD_H5_MAX_FALLOFF; i++)
            if (q->ds[i] >= 0) H5Dclose(q->ds[i]), q->ds[i] = -1;
        if (q->g >= 0) H5Gclose(q->g), q->g = -1;
    }
    if (o->g_profiles >= 0) H5Gclose(o->g_profiles), o->g_profiles = -1;
}

void sd_h5out_profiles_free(sd_h5out *o)
{
    free(o->prof);
    o->prof = NULL;
    o->nprof = 0;
}

/* ---- reader ------------------------------------------------------------------------------ */


/* Dataset `name` of g: rank (1 or 2) and its extents checked, read whole into a new array. */
static int read_ds(hid_t g, const char *name, int64_t rows, int64_t cols, hid_t mt, size_t es, void **out)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d[2] = {0, 0};
    int rank = sp >= 0 ? H5Sget_simple_extent_dims(sp, d, NULL) : -1, rc = -1;
    size_t total = (size_t)rows * (size_t)(cols ? cols : 1);
    if (rank == (cols ? 2 : 1) && d[0] == (hsize_t)rows && (!cols || d[1] == (hsize_t)cols) &&
        (*out = malloc(total ? total * es : 1)) && (!total || H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) >= 0))
        rc = 0;
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return rc;
}

static int64_t extent0(hid_t g, const char *name)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d[2] = {0, 0};
    int64_t n = sp >= 0 && H5Sget_simple_extent_dims(sp, d, NULL) >= 1 ? (int64_t)d[0] : -1;
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return n;
}

static int read_one(hid_t top, const char *name, sd_h5profile_data *p, int *order, char *why, size_t wl)
{
    hid_t g = H5Gopen2(top, name, H5P_DEFAULT);
    if (g < 0) { snprintf(why, wl, "cannot open /profiles/%s", name); return -1; }
    int rc = -1;
    char axis[8];
    hid_t a;
    snprintf(p->name, sizeof p->name, "%s", name);
    if (sd_h5_attr_read_str(g, "field", p->field, sizeof p->field) < 0 || sd_h5_attr_read_str(g, "axis", axis, sizeof axis) < 0 ||
        sd_h5_attr_read_str(g, "summed_axes", p->summed, sizeof p->summed) < 0 ||
        sd_h5_attr_read_str(g, "axis_label", p->label, sizeof p->label) < 0 ||
        sd_h5_attr_read_str(g, "units_length", p->units_length, sizeof p->units_length) < 0) {
        snprintf(why, wl, "/profiles/%s: unreadable attributes", name);
        goto out;
    }
    p->axis = axis[0];
    if (!p->label[0]) snprintf(p->label, sizeof p->label, "%c", p->axis);
    if ((a = H5Aopen(g, "component", H5P_DEFAULT)) < 0 || H5Aread(a, H5T_NATIVE_INT, &p->component) < 0 || H5Aclose(a) < 0 ||
        (a = H5Aopen(g, "order", H5P_DEFAULT)) < 0 || H5Aread(a, H5T_NATIVE_INT, order) < 0 || H5Aclose(a) < 0) {
        snprintf(why, wl, "/profiles/%s: no component or order attribute", name);
        goto out;
    }
    if (H5Aexists(g, "falloff_percent") > 0) {
        hid_t s = -1;
        hssize_t k = -1;
        if ((a = H5Aopen(g, "falloff_percent", H5P_DEFAULT)) >= 0 && (s = H5Aget_space(a)) >= 0)
            k = H5Sget_simple_extent_npoints(s);
        if (s >= 0) H5Sclose(s);
        if (k < 1 || k > SD_H5_MAX_FALLOFF || !(p->falloff_pct = malloc((size_t)k * sizeof *p->falloff_pct)) ||
            H5Aread(a, H5T_NATIVE_DOUBLE, p->falloff_pct) < 0) {
            if (a >= 0) H5Aclose(a);
            snprintf(why, wl, "/profiles/%s: bad falloff_percent attribute", name);
            goto out;
        }
        H5Aclose(a);
        p->nfalloff = (int)k;
    }
    p->n = extent0(g, "positions");
    p->m = extent0(g, "step");
    if (p->n < 1 || p->m < 0) { snprintf(why, wl, "/profiles/%s: no positions or steps", name); goto out; }
    if (read_ds(g, "positions", p->n, 0, H5T_NATIVE_DOUBLE, 8, (void **)&p->positions) < 0 ||
        read_ds(g, "step", p->m, 0, H5T_NATIVE_INT64, 8, (void **)&p->step) < 0 ||
        read_ds(g, "values", p->m, p->n, H5T_NATIVE_DOUBLE, 8, (void **)&p->values) < 0 ||
        read_ds(g, "peak", p->m, 0, H5T_NATIVE_DOUBLE, 8, (void **)&p->peak) < 0 ||
        read_ds(g, "peak_fit", p->m, 0, H5T_NATIVE_DOUBLE, 8, (void **)&p->peak_fit) < 0 ||
        read_ds(g, "max", p->m, 0, H5T_NATIVE_DOUBLE, 8, (void **)&p->max) < 0 ||
        !(p->falloff = malloc((size_t)(p->m * p->nfalloff + 1) * sizeof *p->falloff))) {
        snprintf(why, wl, "/profiles/%s: a row dataset is missing or of another size than step [%" PRId64 "]", name, p->m);
        goto out;
    }
    for (int k = 0; k < p->nfalloff; k++) {
        char nm[64];
        double *col = NULL;
        falloff_name(nm, sizeof nm, p->falloff_pct[k]);
        if (read_ds(g, nm, p->m, 0, H5T_NATIVE_DOUBLE, 8, (void **)&col) < 0) {
            snprintf(why, wl, "/profiles/%s/%s is missing or of another size than step [%" PRId64 "]", name, nm, p->m);
            goto out;
        }
        for (int64_t r = 0; r < p->m; r++) p->falloff[r * p->nfalloff + k] = col[r];
        free(col);
    }
    rc = 0;
out:
    H5Gclose(g);
    return rc;
}

typedef struct { char (*names)[80]; int n, cap; } name_list;

static herr_t add_name(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    name_list *l = data;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        void *nn = realloc(l->names, (size_t)cap * sizeof *l->names);
        if (!nn) return -1;
        l->names = nn, l->cap = cap;
    }
    snprintf(l->names[l->n++], sizeof *l->names, "%s", name);
    return 0;
}

void sd_h5_profiles_free(sd_h5profile_data *list, int n)
{
    for (int i = 0; list && i < n; i++) {
        sd_h5profile_data *p = &list[i];
        free(p->positions), free(p->falloff_pct), free(p->step), free(p->values);
        free(p->peak), free(p->peak_fit), free(p->max), free(p->falloff);
    }
    free(list);
}

int sd_h5_read_profiles(const char *path, sd_h5profile_data **list, int *n, char *err, size_t errlen)
{
    *list = NULL;
    *n = 0;
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(path, err, errlen);
    if (f < 0) { sd_h5_quiet_off(q); return -1; }
    int rc = 0;
    htri_t ex = H5Lexists(f, "profiles", H5P_DEFAULT);
    if (ex > 0) {
        hid_t g = H5Gopen2(f, "profiles", H5P_DEFAULT);
        name_list l = {0};
        char why[256] = "";
        int *order = NULL;
        sd_h5profile_data *out = NULL;
        if (g < 0 || H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, add_name, &l) < 0)
            snprintf(why, sizeof why, "cannot list /profiles");
        else if (l.n && (!(out = calloc((size_t)l.n, sizeof *out)) || !(order = calloc((size_t)l.n, sizeof *order))))
            snprintf(why, sizeof why, "out of memory");
        for (int i = 0; !why[0] && i < l.n; i++) read_one(g, l.names[i], &out[i], &order[i], why, sizeof why);
        if (why[0]) {
            sd_io_seterr(err, errlen, "%s: %s", path, why);
            sd_h5_profiles_free(out, l.n);
            rc = -1;
        } else {
            for (int i = 1; i < l.n; i++) /* the order they were added in */
                for (int j = i; j > 0 && order[j - 1] > order[j]; j--) {
                    sd_h5profile_data t = out[j];
                    out[j] = out[j - 1], out[j - 1] = t;
                    int o = order[j];
                    order[j] = order[j - 1], order[j - 1] = o;
                }
            *list = out;
            *n = l.n;
        }
        free(order);
        free(l.names);
        if (g >= 0) H5Gclose(g);
    } else if (ex < 0) {
        char why[256];
        sd_io_seterr(err, errlen, "%s: cannot look for /profiles: %s", path, sd_h5why(why, sizeof why));
        rc = -1;
    }
    H5Eclear2(H5E_DEFAULT);
    H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}
