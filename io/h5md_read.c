/* h5md_read.c - a frame of an H5MD file's particles group (read_particles.h): positions, and
 * velocities, species, ids and the box when the group has them. Time-dependent elements are
 * groups with value [frames][N][...] and step [frames]; time-independent ones plain datasets
 * (H5MD 1.1). The frame is chosen by its step (or the last); elements without that step are an
 * error. With an id element atoms are ordered by id, else they keep the file's order (stardag's
 * trajectories are written in id order). The box edges may be the 3 lengths of a cuboid or a
 * diagonal 3x3 matrix of edge vectors (stardag writes the matrix: MDAnalysis < 2.5 reads no other). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "read_particles.h"
#include "h5err.h"
#include "h5util.h"
#include "h5md.h"

typedef struct h5ctx {
    const char *file, *group;
    char *err;
    size_t errlen;
} h5ctx;

static herr_t name_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    char *list = data;
    size_t l = strlen(list);
    if (l + strlen(name) + 8 < 400) snprintf(list + l, 400 - l, "%s%s", l ? ", " : "", name);
    return 0;
}

/* An element of the group: 0 absent, 1 a time-dependent group (value, step), 2 a dataset. */
static int element_kind(hid_t g, const char *name)
{
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0) return 0;
    H5O_info_t oi;
    if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0) return 0;
    return oi.type == H5O_TYPE_GROUP ? 1 : oi.type == H5O_TYPE_DATASET ? 2 : 0;
}

/* The steps of a time-dependent element (value's first dimension); NULL with a message. */
static int64_t *element_steps(h5ctx *c, hid_t g, const char *name, hsize_t *nframes)
{
    char path[128], why[256];
    snprintf(path, sizeof path, "%s/step", name);
    hid_t ds = H5Dopen2(g, path, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t n = 0;
    int64_t *v = NULL;
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (nd == 0) { /* a fixed step: every frame shares it? H5MD allows it only with a time step; refuse */
        sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/%s/step is a scalar (expected one step per frame)", c->file, c->group, name);
    } else if (nd != 1 || H5Sget_simple_extent_dims(sp, &n, NULL) < 0) {
        sd_io_seterr(c->err, c->errlen, "%s: cannot read /particles/%s/%s/step: %s", c->file, c->group, name, sd_h5why(why, sizeof why));
    } else if (!(v = malloc((n + 1) * sizeof *v))) {
        sd_io_seterr(c->err, c->errlen, "%s: out of memory", c->file);
    } else if (n && H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        sd_io_seterr(c->err, c->errlen, "%s: cannot read /particles/%s/%s/step: %s", c->file, c->group, name, sd_h5why(why, sizeof why));
        free(v);
        v = NULL;
    }
    *nframes = n;
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return v;
}

/* Frame of `step` among an element's steps (SD_PA_LAST: the last); -1 with a message listing them. */
static int64_t find_frame(h5ctx *c, const char *name, const int64_t *steps, hsize_t n, int64_t step)
{
    if (!n) {
        sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/%s has no frames", c->file, c->group, name);
        return -1;
    }
    if (step == SD_PA_LAST) {
        /* the writer creates rows with step -1 (its fill value) before it writes them (io/h5md.c) */
        if (steps[n - 1] < 0) {
            sd_io_seterr(c->err, c->errlen, "%s: the last frame (%llu) of /particles/%s/%s has step %" PRId64 ": not written "
                         "(the run was killed before this frame; expected a step >= 0)", c->file, (unsigned long long)(n - 1),
                         c->group, name, steps[n - 1]);
            return -1;
        }
        return (int64_t)n - 1;
    }
    for (hsize_t i = 0; i < n; i++)
        if (steps[i] == step) return (int64_t)i;
    char list[400] = "";
    for (hsize_t i = 0; i < n && strlen(list) < 300; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%" PRId64, i ? ", " : "", steps[i]);
    }
    if (strlen(list) >= 300) snprintf(list + strlen(list), sizeof list - strlen(list), ", ... (%llu frames)", (unsigned long long)n);
    sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/%s has no frame at step %" PRId64 " (steps: %s)", c->file, c->group, name, step, list);
    return -1;
}

/* Element `name` at frame `frame` (or its only value for a dataset): n rows of `width` values of
 * memory type mt into buf. 0 or -1 with a message (wrong shape named). */
static int read_rows(h5ctx *c, hid_t g, const char *name, int kind, int64_t frame, int64_t n, int width, hid_t mt, void *buf)
{
    char path[128], why[256];
    snprintf(path, sizeof path, kind == 1 ? "%s/value" : "%s", name);
    hid_t ds = H5Dopen2(g, path, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1, ms = -1;
    int rc = -1, want = (kind == 1) + 1 + (width > 1);
    hsize_t d[4] = {0, 0, 0, 0};
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (nd < 0 || nd > 4 || H5Sget_simple_extent_dims(sp, d, NULL) < 0) {
        sd_io_seterr(c->err, c->errlen, "%s: cannot read /particles/%s/%s: %s", c->file, c->group, path, sd_h5why(why, sizeof why));
        goto out;
    }
    const hsize_t *rows = d + (kind == 1);
    if (nd != want || (int64_t)rows[0] != n || (width > 1 && rows[1] != (hsize_t)width)) {
        char shape[96] = "";
        for (int k = 0; k < nd; k++) snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "[%llu]", (unsigned long long)d[k]);
        sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/%s has shape %s (expected %s[%" PRId64 "]%s)", c->file, c->group, path,
                     nd ? shape : "scalar", kind == 1 ? "[frames]" : "", n, width == 3 ? "[3]" : "");
        goto out;
    }
    hsize_t start[3] = {(hsize_t)frame, 0, 0}, count[3] = {1, (hsize_t)n, (hsize_t)width}, mcount = (hsize_t)n * width;
    if (kind == 1 && H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) < 0) goto fail;
    if ((ms = H5Screate_simple(1, &mcount, NULL)) < 0 || H5Dread(ds, mt, ms, kind == 1 ? sp : H5S_ALL, H5P_DEFAULT, buf) < 0)
        goto fail;
    rc = 0;
    goto out;
fail:
    sd_io_seterr(c->err, c->errlen, "%s: cannot read /particles/%s/%s: %s", c->file, c->group, path, sd_h5why(why, sizeof why));
out:
    if (ms >= 0) H5Sclose(ms);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return rc;
}

/* Element `name` at the frame of `step` (a dataset: its only value). 0 absent, 1 read, -1 error. */
static int read_element(h5ctx *c, hid_t g, const char *name, int64_t step, int64_t n, int width, hid_t mt, void *buf,
                        int64_t *step_found)
{
    int kind = element_kind(g, name);
    H5Eclear2(H5E_DEFAULT);
    if (!kind) return 0;
    int64_t frame = 0;
    if (kind == 1) {
        hsize_t nf;
        int64_t *steps = element_steps(c, g, name, &nf);
        if (!steps) return -1;
        frame = find_frame(c, name, steps, nf, step);
        if (frame >= 0 && step_found) *step_found = steps[frame];
        free(steps);
        if (frame < 0) return -1;
    }
    return read_rows(c, g, name, kind, frame, n, width, mt, buf) < 0 ? -1 : 1;
}

/* N: the rows of position (value [frames][N][3], or a dataset [N][3]). */
static int64_t count_atoms(h5ctx *c, hid_t g, int kind)
{
    hid_t ds = H5Dopen2(g, kind == 1 ? "position/value" : "position", H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d[4] = {0, 0, 0, 0};
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    int64_t n = nd >= 2 && nd <= 4 && H5Sget_simple_extent_dims(sp, d, NULL) >= 0 ? (int64_t)d[kind == 1] : -1;
    if (n > SD_PA_MAX_ATOMS) {
        sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/position holds %" PRId64 " atoms (expected at most %" PRId64 ", the most a "
                     "particle domain holds)", c->file, c->group, n, SD_PA_MAX_ATOMS);
        n = -1;
    } else if (n < 1) sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/position holds no atoms (expected %s[N][3])", c->file, c->group,
                            kind == 1 ? "value [frames]" : "");
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return n < 1 ? -1 : n;
}

typedef struct idx { int64_t id, i; } idx;
static int cmp_idx(const void *p, const void *q)
{
    const idx *a = p, *b = q;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Atoms into id order (ids distinct). */
static int order_by_id(h5ctx *c, sd_patoms *a, const int64_t *id)
{
    idx *o = malloc((size_t)(a->n + 1) * sizeof *o);
    double *x = malloc((size_t)(3 * a->n + 1) * sizeof *x), *v = a->v ? malloc((size_t)(3 * a->n + 1) * sizeof *v) : NULL;
    int32_t *t = malloc((size_t)(a->n + 1) * sizeof *t);
    int rc = -1;
    if (!o || !x || !t || (a->v && !v)) {
        sd_io_seterr(c->err, c->errlen, "%s: out of memory", c->file);
        goto out;
    }
    for (int64_t i = 0; i < a->n; i++) o[i] = (idx){id[i], i};
    qsort(o, (size_t)a->n, sizeof *o, cmp_idx);
    for (int64_t i = 0; i < a->n; i++) {
        if (i && o[i].id == o[i - 1].id) {
            sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/id holds id %" PRId64 " twice", c->file, c->group, o[i].id);
            goto out;
        }
        memcpy(&x[3 * i], &a->x[3 * o[i].i], 3 * sizeof *x);
        if (v) memcpy(&v[3 * i], &a->v[3 * o[i].i], 3 * sizeof *v);
        t[i] = a->type[o[i].i];
    }
    free(a->x); free(a->v); free(a->type);
    a->x = x; a->v = v; a->type = t;
    x = v = NULL;
    t = NULL;
    rc = 0;
out:
    free(o); free(x); free(v); free(t);
    return rc;
}

/* The box: box/edges (a [3] dataset, or a time-dependent group at the frame's step); boundaries
 * must be periodic. 0, or -1 with a message; a->has_box 0 when the group has no box. */
static int read_box(h5ctx *c, hid_t g, int64_t step, sd_patoms *a)
{
    if (element_kind(g, "box") != 1) { H5Eclear2(H5E_DEFAULT); return 0; }
    hid_t b = H5Gopen2(g, "box", H5P_DEFAULT);
    if (b < 0) return 0;
    int rc = 0;
    if (H5Aexists(b, "boundary") > 0) {
        hid_t at = H5Aopen(b, "boundary", H5P_DEFAULT), ty = at >= 0 ? H5Aget_type(at) : -1;
        hid_t asp = at >= 0 ? H5Aget_space(at) : -1;
        size_t sz = ty >= 0 ? H5Tget_size(ty) : 0;
        hsize_t dim = 0;
        /* read into s[3 * 64] below: only a [3] of fixed-length strings of < 64 bytes fits */
        int shape_ok = asp >= 0 && H5Sget_simple_extent_ndims(asp) == 1 && H5Sget_simple_extent_dims(asp, &dim, NULL) == 1 && dim == 3;
        if (asp >= 0) H5Sclose(asp);
        if (ty >= 0 && (!shape_ok || H5Tget_class(ty) != H5T_STRING || H5Tis_variable_str(ty) || sz == 0 || sz >= 64)) {
            sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/box's attribute boundary is not 3 fixed-length strings of at most "
                         "63 bytes (expected [3] of \"periodic\")", c->file, c->group);
            rc = -1;
        } else if (ty >= 0) {
            char s[3 * 64];
            hid_t mt = H5Tcopy(ty);
            if (H5Aread(at, mt, s) >= 0)
                for (int d = 0; d < 3; d++)
                    if (strncmp(s + d * sz, "periodic", sz)) {
                        sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/box is not periodic along axis %c (expected periodic boundaries)",
                                     c->file, c->group, "xyz"[d]);
                        rc = -1;
                        break;
                    }
            H5Tclose(mt);
        }
        if (ty >= 0) H5Tclose(ty);
        if (at >= 0) H5Aclose(at);
    }
    H5Eclear2(H5E_DEFAULT);
    if (rc == 0) {
        /* the 3 lengths of a cuboid ([3], or value [frames][3]), or the 3x3 matrix of edge
         * vectors ([3][3], value [frames][3][3]: what stardag writes, see io/h5md.h), which must
         * then be diagonal */
        int kind = element_kind(b, "edges"), rank = -1;
        hid_t eds = kind ? H5Dopen2(b, kind == 1 ? "edges/value" : "edges", H5P_DEFAULT) : -1;
        hid_t esp = eds >= 0 ? H5Dget_space(eds) : -1;
        if (esp >= 0) rank = H5Sget_simple_extent_ndims(esp) - (kind == 1);
        if (esp >= 0) H5Sclose(esp);
        if (eds >= 0) H5Dclose(eds);
        H5Eclear2(H5E_DEFAULT);
        double m[9];
        int matrix = rank == 2;
        int r = read_element(c, b, "edges", step, 3, matrix ? 3 : 1, H5T_NATIVE_DOUBLE, matrix ? m : a->box, NULL);
        if (r == 1 && matrix) {
            for (int i = 0; i < 3 && rc == 0; i++)
                for (int j = 0; j < 3; j++)
                    if (i != j && m[3 * i + j] != 0) {
                        sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/box/edges is a triclinic box (edge vector %c has "
                                     "component %g along %c; expected a cuboid: a diagonal matrix or 3 lengths)", c->file,
                                     c->group, "abc"[i], m[3 * i + j], "xyz"[j]);
                        rc = -1;
                        break;
                    }
            for (int d = 0; d < 3; d++) a->box[d] = m[4 * d];
        }
        if (r < 0) rc = -1;
        else if (r == 1 && rc == 0) {
            a->has_box = 1;
            for (int d = 0; d < 3 && rc == 0; d++)
                if (!(a->box[d] > 0) || !isfinite(a->box[d])) {
                    sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/box/edges has edge %g along %c (expected a finite number > 0)", c->file, c->group,
                                 a->box[d], "xyz"[d]);
                    rc = -1;
                }
        }
    }
    H5Gclose(b);
    return rc;
}

/* NaN or inf among n atoms' 3 values (a frame the writer never filled holds NaN): 1 with a message. */
static int not_finite(h5ctx *c, const char *name, const double *v, int64_t n, int64_t step)
{
    for (int64_t i = 0; i < 3 * n; i++)
        if (!isfinite(v[i])) {
            sd_io_seterr(c->err, c->errlen, "%s: /particles/%s/%s of atom %" PRId64 " (at step %" PRId64 ") has %c = %g (expected a "
                         "finite number)", c->file, c->group, name, i / 3, step, "xyz"[i % 3], v[i]);
            return 1;
        }
    return 0;
}

int sd_patoms_read_h5md(const char *file, const char *group, int64_t step, sd_patoms *a, char *err, size_t errlen)
{
    h5ctx c = {file, group && *group ? group : SD_H5MD_GROUP, err, errlen};
    sd_h5_quiet q = sd_h5_quiet_on();
    int rc = -1;
    int64_t *id = NULL;
    hid_t f = -1, g = -1;
    char why[256], path[160];
    if ((f = sd_h5_open_ro(file, err, errlen)) < 0) goto out;
    snprintf(path, sizeof path, "/particles/%s", c.group);
    if (H5Lexists(f, "/particles", H5P_DEFAULT) <= 0 || H5Lexists(f, path, H5P_DEFAULT) <= 0) {
        char list[400] = "";
        H5Eclear2(H5E_DEFAULT);
        if (H5Lexists(f, "/particles", H5P_DEFAULT) > 0) {
            hsize_t i = 0;
            H5Literate_by_name(f, "/particles", H5_INDEX_NAME, H5_ITER_INC, &i, name_cb, list, H5P_DEFAULT);
        }
        H5Eclear2(H5E_DEFAULT);
        sd_io_seterr(err, errlen, "%s: no particles group %s (expected an H5MD file; groups under /particles: %s)", file, path,
                     list[0] ? list : "none");
        goto out;
    }
    if ((g = H5Gopen2(f, path, H5P_DEFAULT)) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot open %s: %s", file, path, sd_h5why(why, sizeof why));
        goto out;
    }
    int kind = element_kind(g, "position");
    if (!kind) {
        sd_io_seterr(err, errlen, "%s: %s has no position (expected an H5MD particles group)", file, path);
        goto out;
    }
    int64_t n = count_atoms(&c, g, kind);
    if (n < 0) goto out;
    a->n = n;
    a->x = malloc((size_t)(3 * n + 1) * sizeof *a->x);
    a->v = malloc((size_t)(3 * n + 1) * sizeof *a->v);
    a->type = calloc((size_t)n + 1, sizeof *a->type);
    if (!a->x || !a->v || !a->type) {
        sd_io_seterr(err, errlen, "%s: out of memory for %" PRId64 " atoms", file, n);
        goto out;
    }
    if (read_element(&c, g, "position", step, n, 3, H5T_NATIVE_DOUBLE, a->x, &a->step) < 0) goto out;
    int64_t at = kind == 1 ? a->step : step; /* the other elements at the positions' step */
    int r = read_element(&c, g, "velocity", at, n, 3, H5T_NATIVE_DOUBLE, a->v, NULL);
    if (r < 0) goto out;
    if (r == 0) {
        free(a->v);
        a->v = NULL;
    }
    if (not_finite(&c, "position", a->x, n, a->step) || (a->v && not_finite(&c, "velocity", a->v, n, a->step))) goto out;
    if ((r = read_element(&c, g, "species", at, n, 1, H5T_NATIVE_INT32, a->type, NULL)) < 0) goto out;
    for (int64_t i = 0; i < n; i++)
        if (a->type[i] < 0 || a->type[i] >= SD_PA_MAX_TYPES) {
            sd_io_seterr(err, errlen, "%s: %s/species of atom %" PRId64 " is %d (expected 0 to %d)", file, path, i, (int)a->type[i],
                         SD_PA_MAX_TYPES - 1);
            goto out;
        }
    if (!(id = malloc((size_t)(n + 1) * sizeof *id))) {
        sd_io_seterr(err, errlen, "%s: out of memory", file);
        goto out;
    }
    if ((r = read_element(&c, g, "id", at, n, 1, H5T_NATIVE_INT64, id, NULL)) < 0) goto out;
    if (r == 1 && order_by_id(&c, a, id) < 0) goto out;
    if (read_box(&c, g, at, a) < 0) goto out;
    for (int64_t i = 0; i < n; i++) {
        if (a->type[i] >= a->ntypes) a->ntypes = a->type[i] + 1;
        a->label_count[a->type[i]]++;
    }
    for (int k = 0; k < a->ntypes; k++) snprintf(a->label[k], sizeof a->label[k], "%d", k);
    if (a->has_box) {
        const double lo[3] = {0, 0, 0};
        sd_patoms_wrap(a, lo);
    }
    rc = 0;
out:
    free(id);
    if (g >= 0) H5Gclose(g);
    if (f >= 0) H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return rc;
}
