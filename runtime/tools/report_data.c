/* report_data.c - see report_data.h: strings and numbers of 1-D datasets, /scalars, /run. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5err.h"
#include "report_data.h"

/* Strings of a 1-D (or scalar) dataset or attribute, fixed or variable length. */
static int read_strings(hid_t obj, int is_attr, char ***out, int64_t *n, char *why, size_t wl)
{
    *out = NULL;
    *n = 0;
    hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    hid_t mt = -1;
    int rc = -1;
    char **s = NULL;
    void *raw = NULL;
    hssize_t np = 0;
    if (ft < 0 || sp < 0) { sd_h5why(why, wl); goto out; }
    if (H5Tget_class(ft) != H5T_STRING) { snprintf(why, wl, "not a string dataset"); goto out; }
    np = H5Sget_simple_extent_npoints(sp);
    if (np < 0 || H5Sget_simple_extent_ndims(sp) > 1) { snprintf(why, wl, "not a 1-D dataset"); goto out; }
    /* memory type: variable-length char pointers, or fixed strings one byte longer (NUL) */
    const int varlen = H5Tis_variable_str(ft) > 0;
    const size_t sz = varlen ? sizeof(char *) : H5Tget_size(ft) + 1;
    mt = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mt, H5Tget_cset(ft));
    if (varlen) H5Tset_size(mt, H5T_VARIABLE);
    else {
        H5Tset_size(mt, sz);
        H5Tset_strpad(mt, H5T_STR_NULLTERM);
    }
    s = calloc(np ? (size_t)np : 1, sizeof *s);
    raw = calloc(np ? (size_t)np : 1, sz);
    if (!s || !raw) { snprintf(why, wl, "out of memory"); goto out; }
    if ((is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw)) < 0) {
        sd_h5why(why, wl);
        goto out;
    }
    for (hssize_t i = 0; i < np; i++) {
        if (varlen) {
            const char *v = ((char **)raw)[i];
            s[i] = strdup(v ? v : "");
            continue;
        }
        char *p = (char *)raw + i * sz;
        p[sz - 1] = 0;
        size_t l = strlen(p);
        while (l && p[l - 1] == ' ') p[--l] = 0; /* space-padded strings */
        s[i] = strdup(p);
    }
    if (varlen) {
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(mt, sp, H5P_DEFAULT, raw);
#else
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
#endif
    }
    for (hssize_t i = 0; i < np; i++)
        if (!s[i]) { snprintf(why, wl, "out of memory"); goto out; }
    *out = s;
    *n = np;
    s = NULL;
    rc = 0;
out:
    if (s)
        for (hssize_t k = 0; k < np; k++) free(s[k]);
    free(s);
    free(raw);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* A whole 1-D (or scalar) numeric dataset; its length, or -1 with why. */
static int64_t read_nums(hid_t loc, const char *name, hid_t mt, size_t es, void **out, char *why, size_t wl)
{
    *out = NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) { snprintf(why, wl, "missing"); H5Eclear2(H5E_DEFAULT); return -1; }
    hid_t sp = H5Dget_space(ds), ft = H5Dget_type(ds);
    int64_t rc = -1;
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (ft < 0 || (H5Tget_class(ft) != H5T_INTEGER && H5Tget_class(ft) != H5T_FLOAT)) snprintf(why, wl, "not numeric");
    else if (np < 0 || H5Sget_simple_extent_ndims(sp) > 1) snprintf(why, wl, "not a 1-D dataset");
    else if (!(*out = malloc(np ? (size_t)np * es : es))) snprintf(why, wl, "out of memory");
    else if (np && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        sd_h5why(why, wl);
        free(*out);
        *out = NULL;
    } else rc = np;
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

static int read_string_ds(hid_t g, const char *name, char ***out, int64_t *n, char *why, size_t wl)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0) { snprintf(why, wl, "missing"); H5Eclear2(H5E_DEFAULT); return -1; }
    int rc = read_strings(ds, 0, out, n, why, wl);
    H5Dclose(ds);
    return rc;
}

static void free_strings(char **s, int64_t n)
{
    for (int64_t i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

static int has_link(hid_t loc, const char *name)
{
    return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

typedef struct {
    sd_strtab names;
    int oom;
} link_list;

static herr_t scalar_link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    link_list *l = data;
    H5O_info_t oi;
    if (!strcmp(name, "step") || !strcmp(name, "time")) return 0;
#if H5_VERSION_GE(1, 12, 0)
    if (H5Oget_info_by_name3(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return 0;
#else
    if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return 0;
#endif
    if (oi.type == H5O_TYPE_DATASET && sd_strtab_add(&l->names, name) < 0) l->oom = 1;
    return 0;
}

void sd_run_scalars_free(sd_run_scalars *sc)
{
    for (int i = 0; i < sc->nnames; i++) {
        free(sc->names[i]);
        free(sc->v[i]);
    }
    free(sc->names);
    free(sc->v);
    free(sc->x);
    memset(sc, 0, sizeof *sc);
}

/* /scalars; 0 (sc->nnames may be 0 when absent or empty), or -1 with a message. */
static int read_scalars(hid_t f, const char *path, sd_run_scalars *sc, char *err, size_t errlen)
{
    memset(sc, 0, sizeof *sc);
    if (!has_link(f, "scalars")) return 0;
    hid_t g = H5Gopen2(f, "scalars", H5P_DEFAULT);
    char why[256];
    if (g < 0) { sd_io_seterr(err, errlen, "%s: cannot open /scalars: %s", path, sd_h5why(why, sizeof why)); return -1; }
    int rc = -1;
    int64_t *step = NULL;
    double *time = NULL;
    sd_strtab names = {0};
    int64_t ns = -1, nt = -1;
    if (has_link(g, "step") && (ns = read_nums(g, "step", H5T_NATIVE_INT64, 8, (void **)&step, why, sizeof why)) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read /scalars/step: %s", path, why);
        goto out;
    }
    if (has_link(g, "time") && (nt = read_nums(g, "time", H5T_NATIVE_DOUBLE, 8, (void **)&time, why, sizeof why)) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read /scalars/time: %s", path, why);
        goto out;
    }
    /* the declaration order from the "names" attribute, else the datasets by name */
    if (H5Aexists(g, "names") > 0) {
        hid_t a = H5Aopen(g, "names", H5P_DEFAULT);
        char **s = NULL;
        int64_t n = 0;
        if (a >= 0 && read_strings(a, 1, &s, &n, why, sizeof why) == 0 && n == 1) {
            char *save = NULL;
            for (char *t = strtok_r(s[0], ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ') t++;
                if (*t && has_link(g, t) && sd_strtab_add(&names, t) < 0) goto oom;
            }
        }
        free_strings(s, n);
        if (a >= 0) H5Aclose(a);
        H5Eclear2(H5E_DEFAULT);
    }
    if (!names.n) {
        link_list l = {{0}, 0};
        hsize_t idx = 0;
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, scalar_link_cb, &l);
        H5Eclear2(H5E_DEFAULT);
        names = l.names;
        if (l.oom) goto oom;
    }
    int64_t n = ns >= 0 ? ns : nt;
    if (ns >= 0 && nt >= 0 && nt < n) n = nt;
    sc->names = calloc(names.n ? names.n : 1, sizeof *sc->names);
    sc->v = calloc(names.n ? names.n : 1, sizeof *sc->v);
    if (!sc->names || !sc->v) goto oom;
    for (int i = 0; i < names.n; i++) {
        double *v;
        int64_t nv = read_nums(g, names.s[i], H5T_NATIVE_DOUBLE, 8, (void **)&v, why, sizeof why);
        if (nv < 0) {
            sd_io_seterr(err, errlen, "%s: cannot read /scalars/%s: %s", path, names.s[i], why);
            goto out;
        }
        if (n < 0 || nv < n) n = nv;
        sc->names[sc->nnames] = names.s[i];
        names.s[i] = NULL;
        sc->v[sc->nnames++] = v;
    }
    if (n < 0) n = 0;
    sc->n = n;
    if (!(sc->x = malloc((n ? n : 1) * sizeof *sc->x))) goto oom;
    /* x: time when it is there and increases somewhere, else the step, else the row */
    int use_time = 0;
    if (time && n >= 2)
        for (int64_t i = 1; i < n; i++)
            if (isfinite(time[i]) && isfinite(time[0]) && time[i] != time[0]) use_time = 1;
    for (int64_t i = 0; i < n; i++) sc->x[i] = use_time ? time[i] : step ? (double)step[i] : (double)i;
    sc->x_is_time = use_time;
    sc->step0 = step && n ? step[0] : 0;
    sc->step1 = step && n ? step[n - 1] : n ? n - 1 : 0;
    rc = 0;
    goto out;
oom:
    sd_io_seterr(err, errlen, "%s: out of memory", path);
out:
    for (int i = 0; i < names.n; i++) free(names.s[i]);
    free(names.s);
    free(step);
    free(time);
    H5Gclose(g);
    if (rc) sd_run_scalars_free(sc);
    return rc;
}

void sd_run_info_free(sd_run_info *ri)
{
    free(ri->cl);
    free(ri->arch);
    free(ri->tasks);
    free(ri->secs);
    free_strings(ri->wname, ri->nw);
    free(ri->wbusy);
    memset(ri, 0, sizeof *ri);
}

/* /run; 0 (ri->present 0 when absent), or -1 with a message. Codelet names go into cls. */
static int read_runinfo(hid_t f, const char *path, sd_run_info *ri, sd_strtab *cls, sd_strtab *archs, char *err,
                        size_t errlen)
{
    memset(ri, 0, sizeof *ri);
    ri->wall = NAN;
    if (!has_link(f, "run")) return 0;
    hid_t g = H5Gopen2(f, "run", H5P_DEFAULT);
    char why[256];
    if (g < 0) { sd_io_seterr(err, errlen, "%s: cannot open /run: %s", path, sd_h5why(why, sizeof why)); return -1; }
    int rc = -1;
    char **name = NULL, **arch = NULL;
    int64_t nn = 0, na = 0, nt, nsec, nwn = 0, nwb = -1;
    const char *what = "codelet_name";
    if (read_string_ds(g, "codelet_name", &name, &nn, why, sizeof why) < 0) goto bad;
    what = "codelet_arch";
    if (read_string_ds(g, "codelet_arch", &arch, &na, why, sizeof why) < 0) goto bad;
    what = "codelet_tasks";
    if ((nt = read_nums(g, "codelet_tasks", H5T_NATIVE_INT64, 8, (void **)&ri->tasks, why, sizeof why)) < 0) goto bad;
    what = "codelet_seconds";
    if ((nsec = read_nums(g, "codelet_seconds", H5T_NATIVE_DOUBLE, 8, (void **)&ri->secs, why, sizeof why)) < 0) goto bad;
    if (na != nn || nt != nn || nsec != nn) {
        sd_io_seterr(err, errlen,
                     "%s: /run/codelet_name, codelet_arch, codelet_tasks and codelet_seconds differ in length "
                     "(%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ")", path, nn, na, nt, nsec);
        goto out;
    }
    ri->n = (int)nn;
    ri->cl = calloc(nn ? nn : 1, sizeof *ri->cl);
    ri->arch = calloc(nn ? nn : 1, sizeof *ri->arch);
    if (!ri->cl || !ri->arch) goto oom;
    for (int64_t i = 0; i < nn; i++) {
        for (char *p = arch[i]; *p; p++) *p = (char)tolower((unsigned char)*p);
        if ((ri->cl[i] = sd_strtab_add(cls, name[i])) < 0 || (ri->arch[i] = sd_strtab_add(archs, arch[i])) < 0) goto oom;
    }
    if (has_link(g, "worker_name")) {
        what = "worker_name";
        if (read_string_ds(g, "worker_name", &ri->wname, &nwn, why, sizeof why) < 0) goto bad;
        ri->nw = (int)nwn;
        if (has_link(g, "worker_busy_seconds")) {
            what = "worker_busy_seconds";
            nwb = read_nums(g, "worker_busy_seconds", H5T_NATIVE_DOUBLE, 8, (void **)&ri->wbusy, why, sizeof why);
            if (nwb < 0) goto bad;
            if (nwb != nwn) {
                sd_io_seterr(err, errlen, "%s: /run/worker_name and worker_busy_seconds differ in length (%" PRId64
                             ", %" PRId64 ")", path, nwn, nwb);
                goto out;
            }
        }
    }
    if (has_link(g, "wall_seconds")) {
        double *w = NULL;
        what = "wall_seconds";
        int64_t k = read_nums(g, "wall_seconds", H5T_NATIVE_DOUBLE, 8, (void **)&w, why, sizeof why);
        if (k < 0) goto bad;
        if (k >= 1) ri->wall = w[0];
        free(w);
    }
    ri->present = 1;
    rc = 0;
    goto out;
oom:
    sd_io_seterr(err, errlen, "%s: out of memory", path);
    goto out;
bad:
    sd_io_seterr(err, errlen, "%s: cannot read /run/%s: %s", path, what, why);
out:
    free_strings(name, nn);
    free_strings(arch, na);
    H5Gclose(g);
    if (rc) sd_run_info_free(ri);
    return rc;
}

/* ---------------------------------------------------------------- charts */

int sd_run_data_read(const char *path, sd_run_scalars *sc, sd_run_info *ri, sd_strtab *cls, sd_strtab *archs,
                     char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    int rc = -1;
    char why[256];
    hid_t f = -1;
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) {
        H5Eclear2(H5E_DEFAULT);
        snprintf(err, errlen, "%s: not an HDF5 file (expected a run file written by stardag run)", path);
        goto out;
    }
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, sd_h5_open_why(path, why, sizeof why));
        goto out;
    }
    if (!has_link(f, "scalars") && !has_link(f, "run")) {
        snprintf(err, errlen, "%s: not a stardag run file (no /scalars or /run group)", path);
        goto out;
    }
    if (read_scalars(f, path, sc, err, errlen) < 0 || read_runinfo(f, path, ri, cls, archs, err, errlen) < 0) goto out;
    rc = 0;
out:
    if (f >= 0) H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}
