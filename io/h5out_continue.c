/* h5out_continue.c - a restarted run continues its run file (sd_h5out_continue): the file is
 * opened as of its last commit, checked against the run, cut back to step K (field datasets,
 * scalar and profile rows after K, the old /run group), and its counters, status and XDMF sidecar
 * are set from what remains, in one commit. Design: docs/output-format.md, "Continuing a run file".
 *
 * Crash safety is that of io/h5out.c, with one difference for the cut: it only removes, so it is
 * committed with sd_h5_commit_removal (the parents stop pointing at the removed objects before the
 * heaps reuse their names' space and the end of allocation shrinks), and it is committed before
 * anything new is written (space freed at the end of the file may be handed out again, and
 * nothing committed may point there then). Rows after K that stay inside a kept chunk are never
 * rewritten: shrinking an extent only drops whole chunks from the chunk index. */
#define _GNU_SOURCE
#include "ckpt.h"
#include "h5out_impl.h"
#include "h5err.h"
#include "h5util.h"
#include "run_status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int sd_h5out_continued(const sd_h5out *o) { return o ? o->continued : 0; }

int sd_h5out_step_output_gone(const sd_h5out *o) { return o ? o->step_output_gone : 0; }

void sd_h5out_continued_counts(const sd_h5out *o, int64_t c[3])
{
    for (int i = 0; i < 3; i++) c[i] = o ? o->continued_counts[i] : 0;
}

/* A fixed-length string attribute (or, with is_ds, a scalar string dataset) as a new string. */
static char *read_string(hid_t loc, const char *name, int is_ds)
{
    hid_t obj = is_ds ? H5Dopen2(loc, name, H5P_DEFAULT) : H5Aopen(loc, name, H5P_DEFAULT);
    if (obj < 0) return NULL;
    hid_t t = is_ds ? H5Dget_type(obj) : H5Aget_type(obj);
    size_t n = t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t) ? H5Tget_size(t) : 0;
    char *s = n ? calloc(1, n + 1) : NULL;
    if (s && (is_ds ? H5Dread(obj, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) : H5Aread(obj, t, s)) < 0) {
        free(s);
        s = NULL;
    }
    if (t >= 0) H5Tclose(t);
    if (is_ds) H5Dclose(obj);
    else H5Aclose(obj);
    return s;
}

/* /meta's graph text: an attribute, or a dataset when long (io/h5out.c write_meta). */
static char *read_graph_text(hid_t file)
{
    hid_t g = H5Gopen2(file, "meta", H5P_DEFAULT);
    if (g < 0) return NULL;
    char *s = NULL;
    if (H5Aexists(g, "graph_text") > 0) s = read_string(g, "graph_text", 0);
    else if (H5Lexists(g, "graph_text", H5P_DEFAULT) > 0) s = read_string(g, "graph_text", 1);
    H5Gclose(g);
    return s;
}

static int64_t extent0(hid_t ds)
{
    hid_t sp = H5Dget_space(ds);
    hsize_t d[4] = {0};
    int64_t n = sp >= 0 && H5Sget_simple_extent_dims(sp, d, NULL) >= 1 ? (int64_t)d[0] : -1;
    if (sp >= 0) H5Sclose(sp);
    return n;
}

/* Rows of a row dataset kept (its first axis cut to `rows`; the others as they are). */
static int cut_rows(hid_t ds, int64_t rows)
{
    hid_t sp = H5Dget_space(ds);
    hsize_t d[4] = {0};
    int rank = sp >= 0 ? H5Sget_simple_extent_dims(sp, d, NULL) : -1;
    if (sp >= 0) H5Sclose(sp);
    if (rank < 1 || rank > 4) return -1;
    if ((int64_t)d[0] == rows) return 0;
    d[0] = (hsize_t)rows;
    return H5Dset_extent(ds, d) < 0 ? -1 : 0;
}

/* How many leading rows of the step dataset `ds` have a step <= k; -1 if its steps do not
 * increase (not a series this writer appended). */
static int64_t rows_through(hid_t ds, int64_t k, int64_t *last)
{
    int64_t n = extent0(ds);
    *last = -1;
    if (n <= 0) return n;
    int64_t *st = malloc((size_t)n * sizeof *st);
    if (!st || H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, st) < 0) {
        free(st);
        return -1;
    }
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i && st[i] <= st[i - 1]) { m = -1; break; }
        if (st[i] <= k) m = i + 1;
    }
    if (m >= 0) *last = st[n - 1];
    free(st);
    return m;
}

typedef struct cont {
    sd_h5out *o;
    int64_t k;
    int64_t kf;       /* the last step whose field datasets and profile rows are kept (k or k - 1) */
    int field;
    char why[512];
    char (*gone)[32]; /* link names of a field group to remove */
    size_t ngone, capgone;
    int64_t last_step; /* the largest step the file holds, kept or not */
    int64_t profile_rows; /* kept, all profiles together */
    int nprofiles;        /* profiles in the file */
    int dry;              /* only count what would be kept (nothing changed) */
} cont;

static int rec_cmp(const void *a, const void *b)
{
    const sd_xdmf_rec *x = a, *y = b;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    return (x->field > y->field) - (x->field < y->field);
}


/* One link of a field group: kept (its step and time recorded for the sidecar) or marked. */
static herr_t visit_step(hid_t g, const char *name, const H5L_info_t *info, void *u)
{
    (void)info;
    cont *c = u;
    char *end;
    errno = 0;
    long long step = strtoll(name, &end, 10);
    if (errno || *end || end == name || step < 0) {
        snprintf(c->why, sizeof c->why, "/fields/%s/%s is not a step's dataset", c->o->fname[c->field], name);
        return -1;
    }
    if (step > c->last_step) c->last_step = step;
    if (step > c->kf) {
        if (c->dry) return 0;
        if (c->ngone == c->capgone) {
            size_t nc = c->capgone ? 2 * c->capgone : 64;
            void *p = realloc(c->gone, nc * sizeof *c->gone);
            if (!p) { snprintf(c->why, sizeof c->why, "out of memory"); return -1; }
            c->gone = p;
            c->capgone = nc;
        }
        snprintf(c->gone[c->ngone++], sizeof *c->gone, "%s", name);
        return 0;
    }
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    double t = 0;
    int rc = ds >= 0 && sd_h5_attr_read(ds, "time", H5T_NATIVE_DOUBLE, &t) == 0 ? 0 : -1;
    if (ds >= 0) H5Dclose(ds);
    if (rc < 0) {
        snprintf(c->why, sizeof c->why, "/fields/%s/%s has no time attribute", c->o->fname[c->field], name);
        return -1;
    }
    if (sd_h5out_add_rec(c->o, step, t, c->field) < 0) { snprintf(c->why, sizeof c->why, "out of memory"); return -1; }
    return 0;
}

/* The file's objects against the run's declarations; the handles opened. */
static int attach(cont *c)
{
    sd_h5out *o = c->o;
    hid_t g = H5Gopen2(o->file, "grid", H5P_DEFAULT);
    int64_t shape[3] = {0, 0, 0}, nd = 0;
    int ok = g >= 0 && sd_h5_attr_read(g, "ndim", H5T_NATIVE_INT64, &nd) == 0;
    if (ok) {
        hid_t a = H5Aopen(g, "shape", H5P_DEFAULT);
        ok = a >= 0 && H5Aread(a, H5T_NATIVE_INT64, shape) >= 0;
        if (a >= 0) H5Aclose(a);
    }
    if (g >= 0) H5Gclose(g);
    if (!ok) { snprintf(c->why, sizeof c->why, "no readable /grid"); return -1; }
    if (nd != o->ndim || shape[0] != o->shape[0] || shape[1] != o->shape[1] || shape[2] != o->shape[2]) {
        snprintf(c->why, sizeof c->why, "its grid is %" PRId64 "-D %" PRId64 "x%" PRId64 "x%" PRId64 ", the run's %d-D %" PRId64
                 "x%" PRId64 "x%" PRId64, nd, shape[0], shape[1], shape[2], o->ndim, o->shape[0], o->shape[1], o->shape[2]);
        return -1;
    }
    if ((o->g_fields = H5Gopen2(o->file, "fields", H5P_DEFAULT)) < 0 ||
        (o->g_scalars = H5Gopen2(o->file, "scalars", H5P_DEFAULT)) < 0) {
        snprintf(c->why, sizeof c->why, "no /fields or /scalars group");
        return -1;
    }
    H5G_info_t gi;
    if (H5Gget_info(o->g_fields, &gi) < 0 || gi.nlinks != (hsize_t)o->nfields) {
        snprintf(c->why, sizeof c->why, "it has %llu output fields, the run %d", (unsigned long long)gi.nlinks, o->nfields);
        return -1;
    }
    for (int i = 0; i < o->nfields; i++) {
        if (H5Lexists(o->g_fields, o->fname[i], H5P_DEFAULT) <= 0 ||
            (o->fgroup[i] = H5Gopen2(o->g_fields, o->fname[i], H5P_DEFAULT)) < 0) {
            snprintf(c->why, sizeof c->why, "it has no output field %s", o->fname[i]);
            return -1;
        }
        char *dt = H5Aexists(o->fgroup[i], "dtype") > 0 ? read_string(o->fgroup[i], "dtype", 0) : NULL;
        int64_t nc = 0;
        int same = dt && !strcmp(dt, o->dtype[i] == SD_F32 ? "f32" : "f64") &&
                   sd_h5_attr_read(o->fgroup[i], "components", H5T_NATIVE_INT64, &nc) == 0 &&
                   nc == o->ncomp[i];
        if (!same) {
            snprintf(c->why, sizeof c->why, "its field %s is %s with %" PRId64 " components, the run's %s with %d", o->fname[i],
                     dt ? dt : "?", nc, o->dtype[i] == SD_F32 ? "f32" : "f64", o->ncomp[i]);
            free(dt);
            return -1;
        }
        free(dt);
        if (H5Aexists(o->fgroup[i], "inner_counts") > 0) { /* the sidecar leaves such a field out */
            hid_t a = H5Aopen(o->fgroup[i], "inner_counts", H5P_DEFAULT), sp = a >= 0 ? H5Aget_space(a) : -1;
            hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
            int r = n >= 1 && n <= 3 && H5Aread(a, H5T_NATIVE_INT64, o->inner[i]) >= 0;
            if (sp >= 0) H5Sclose(sp);
            if (a >= 0) H5Aclose(a);
            if (!r) { snprintf(c->why, sizeof c->why, "/fields/%s: bad inner_counts", o->fname[i]); return -1; }
            o->ninner[i] = (int)n;
        }
    }
    char *names = H5Aexists(o->g_scalars, "names") > 0 ? read_string(o->g_scalars, "names", 0) : NULL;
    size_t cl = 1;
    for (int i = 0; i < o->nscal; i++) cl += strlen(o->sname[i]) + 1;
    char *want = calloc(1, cl);
    for (int i = 0; want && i < o->nscal; i++) {
        if (i) strcat(want, ",");
        strcat(want, o->sname[i]);
    }
    int same = names && want && !strcmp(names, want);
    if (!same) snprintf(c->why, sizeof c->why, "its scalars are '%s', the run's '%s'", names ? names : "?", want ? want : "?");
    free(names);
    free(want);
    if (!same) return -1;
    if ((o->ds_step = H5Dopen2(o->g_scalars, "step", H5P_DEFAULT)) < 0 ||
        (o->ds_time = H5Dopen2(o->g_scalars, "time", H5P_DEFAULT)) < 0) {
        snprintf(c->why, sizeof c->why, "no /scalars/step or /scalars/time");
        return -1;
    }
    for (int i = 0; i < o->nscal; i++)
        if ((o->ds_scal[i] = H5Dopen2(o->g_scalars, o->sname[i], H5P_DEFAULT)) < 0) {
            snprintf(c->why, sizeof c->why, "no /scalars/%s", o->sname[i]);
            return -1;
        }
    return 0;
}

/* A field's location as its group's `location` attribute names it (absent: vertices, as for a
 * file written before fields could live elsewhere); -1 for a name this writer does not know. */
static int read_location(hid_t fg)
{
    if (H5Aexists(fg, "location") <= 0) return SD_MESH_VERTICES;
    char *s = read_string(fg, "location", 0);
    int loc = !s ? -1 : !strcmp(s, "vertices") ? SD_MESH_VERTICES : !strcmp(s, "faces") ? SD_MESH_FACES
            : !strcmp(s, "edges") ? SD_MESH_EDGES : -1;
    free(s);
    return loc;
}

/* /mesh's edge count: its attribute ne (absent: 0, a file written before edges existed), and with
 * edges the [ne][2] dataset /mesh/edges that the sidecar references. */
static int read_edges(cont *c, hid_t g)
{
    sd_h5out *o = c->o;
    o->mesh_ne = 0;
    if (H5Aexists(g, "ne") <= 0) return 0;
    hsize_t d[2] = {0, 0};
    hid_t ds = -1, sp = -1;
    int ok = sd_h5_attr_read(g, "ne", H5T_NATIVE_INT64, &o->mesh_ne) == 0 && o->mesh_ne >= 1 &&
             (ds = H5Dopen2(g, "edges", H5P_DEFAULT)) >= 0 && (sp = H5Dget_space(ds)) >= 0 &&
             H5Sget_simple_extent_ndims(sp) == 2 && H5Sget_simple_extent_dims(sp, d, NULL) == 2 &&
             d[0] == (hsize_t)o->mesh_ne && d[1] == 2;
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    if (!ok)
        snprintf(c->why, sizeof c->why, "/mesh: attribute ne %" PRId64 " without a [ne][2] dataset /mesh/edges (expected ne >= 1 "
                 "and the edges)", o->mesh_ne);
    return ok ? 0 : -1;
}

/* The mesh of a mesh run (/mesh), as sd_h5out_set_mesh would have set it, so that the sidecar
 * written by the cut already describes the mesh; sd_h5out_set_mesh then only compares. */
static int attach_mesh(cont *c)
{
    sd_h5out *o = c->o;
    htri_t ex = H5Lexists(o->file, "mesh", H5P_DEFAULT);
    if (ex <= 0) return ex < 0 ? -1 : 0;
    hid_t g = H5Gopen2(o->file, "mesh", H5P_DEFAULT);
    char *pos = g >= 0 && H5Aexists(g, "position_field") > 0 ? read_string(g, "position_field", 0) : NULL;
    int ok = g >= 0 && sd_h5_attr_read(g, "nv", H5T_NATIVE_INT64, &o->mesh_nv) == 0 &&
             sd_h5_attr_read(g, "nf", H5T_NATIVE_INT64, &o->mesh_nf) == 0 && pos;
    if (!ok) snprintf(c->why, sizeof c->why, "unreadable /mesh");
    else if (read_edges(c, g) < 0) ok = 0;
    if (g >= 0) H5Gclose(g);
    o->mesh_location = calloc(o->nfields + 1, sizeof *o->mesh_location);
    if (ok && !o->mesh_location) {
        snprintf(c->why, sizeof c->why, "out of memory");
        ok = 0;
    }
    o->mesh_position_field = -1;
    for (int i = 0; ok && i < o->nfields; i++) {
        o->mesh_location[i] = read_location(o->fgroup[i]);
        if (o->mesh_location[i] < 0 || (o->mesh_location[i] == SD_MESH_EDGES && o->mesh_ne == 0)) {
            snprintf(c->why, sizeof c->why, "/fields/%s: %s", o->fname[i], o->mesh_location[i] < 0
                     ? "unknown location (expected vertices, faces or edges)" : "on edges, but /mesh has no edges");
            ok = 0;
        }
        if (!strcmp(pos, o->fname[i])) o->mesh_position_field = i;
    }
    free(pos);
    if (!ok) return -1;
    o->has_mesh = 1;
    return 0;
}

/* Every profile's rows cut to the steps <= k (all row datasets of its group: all but positions). */
static herr_t cut_profile(hid_t top, const char *name, const H5L_info_t *info, void *u)
{
    (void)info;
    cont *c = u;
    hid_t g = H5Gopen2(top, name, H5P_DEFAULT), st = g >= 0 ? H5Dopen2(g, "step", H5P_DEFAULT) : -1;
    int64_t last = -1, m = st >= 0 ? rows_through(st, c->kf, &last) : -1;
    if (st >= 0) H5Dclose(st);
    c->nprofiles++;
    int rc = m >= 0 ? 0 : -1;
    if (last > c->last_step) c->last_step = last;
    H5G_info_t gi;
    if (!rc && H5Gget_info(g, &gi) < 0) rc = -1;
    for (hsize_t i = 0; !rc && i < gi.nlinks; i++) {
        char ln[128];
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, ln, sizeof ln, H5P_DEFAULT) < 0) { rc = -1; break; }
        if (!strcmp(ln, "positions")) continue;
        hid_t ds = H5Dopen2(g, ln, H5P_DEFAULT);
        if (ds < 0 || extent0(ds) < m || (!c->dry && cut_rows(ds, m) < 0)) rc = -1;
        if (ds >= 0) H5Dclose(ds);
    }
    if (g >= 0) H5Gclose(g);
    if (rc < 0) {
        snprintf(c->why, sizeof c->why, "/profiles/%s: its rows cannot be read or cut", name);
        return -1;
    }
    c->profile_rows += m;
    return 0;
}

/* The cut itself (nothing committed yet): field datasets, scalar and profile rows after k, /run. */
static int cut(cont *c, int64_t *profile_rows)
{
    sd_h5out *o = c->o;
    o->nrec = 0;
    for (int i = 0; i < o->nfields; i++) {
        c->field = i;
        c->ngone = 0;
        if (H5Literate(o->fgroup[i], H5_INDEX_NAME, H5_ITER_INC, NULL, visit_step, c) < 0) {
            if (!c->why[0]) snprintf(c->why, sizeof c->why, "cannot list /fields/%s", o->fname[i]);
            return -1;
        }
        for (size_t j = 0; j < c->ngone; j++)
            if (H5Ldelete(o->fgroup[i], c->gone[j], H5P_DEFAULT) < 0) {
                snprintf(c->why, sizeof c->why, "cannot remove /fields/%s/%s", o->fname[i], c->gone[j]);
                return -1;
            }
    }
    if (o->nrec) qsort(o->rec, o->nrec, sizeof *o->rec, rec_cmp); /* a run with no field output has no list */
    int64_t last = -1, rows = rows_through(o->ds_step, c->k, &last);
    if (rows < 0) { snprintf(c->why, sizeof c->why, "/scalars/step cannot be read or does not increase"); return -1; }
    if (last > c->last_step) c->last_step = last;
    /* a cut killed inside its commit may have cut some series and not others: each must have the
     * rows kept */
    int bad = extent0(o->ds_time) < rows;
    for (int i = 0; i < o->nscal; i++) bad |= extent0(o->ds_scal[i]) < rows;
    if (bad) { snprintf(c->why, sizeof c->why, "a scalar series is shorter than /scalars/step's %" PRId64 " rows", rows); return -1; }
    o->nrows = rows;
    *profile_rows = 0;
    c->profile_rows = 0;
    c->nprofiles = 0;
    htri_t ex = H5Lexists(o->file, "profiles", H5P_DEFAULT);
    if (ex > 0) {
        hid_t g = H5Gopen2(o->file, "profiles", H5P_DEFAULT);
        herr_t r = g >= 0 ? H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, cut_profile, c) : -1;
        if (g >= 0) H5Gclose(g);
        if (r < 0) {
            if (!c->why[0]) snprintf(c->why, sizeof c->why, "cannot list /profiles");
            return -1;
        }
        *profile_rows = c->profile_rows;
    }
    if (c->dry) return 0;
    if (cut_rows(o->ds_step, rows) < 0 || cut_rows(o->ds_time, rows) < 0) goto cut_fail;
    for (int i = 0; i < o->nscal; i++)
        if (cut_rows(o->ds_scal[i], rows) < 0) goto cut_fail;
    /* the summary of the process that wrote it; this one writes its own at close */
    if ((ex = H5Lexists(o->file, "run", H5P_DEFAULT)) > 0 && H5Ldelete(o->file, "run", H5P_DEFAULT) < 0) ex = -1;
    if (ex < 0) { snprintf(c->why, sizeof c->why, "cannot remove the old /run"); return -1; }
    return 0;
cut_fail:
    snprintf(c->why, sizeof c->why, "cannot cut the scalar series to %" PRId64 " rows", rows);
    return -1;
}

/* What the checkpoint counts against what the file holds at k: the file must have all of it. */
static int check_count(cont *c, const char *what, int64_t want, int64_t have, int64_t commits)
{
    if (want < 0 || want == have) return 0;
    if (have < want)
        snprintf(c->why, sizeof c->why, "it holds %" PRId64 " %s up to step %" PRId64 ", the checkpoint counts %" PRId64
                 ": its last commit (#%" PRId64 ", at step %" PRId64 ") is before the checkpoint's step; output the "
                 "checkpoint says was written is missing (a copy older than the checkpoint?)", have, what, c->k, want,
                 commits, c->last_step);
    else
        snprintf(c->why, sizeof c->why, "it holds %" PRId64 " %s up to step %" PRId64 ", the checkpoint counts only %" PRId64
                 ": not the file of the run that wrote the checkpoint", have, what, c->k, want);
    return -1;
}

static int64_t distinct(const sd_h5out *o)
{
    int64_t n = 0;
    for (size_t i = 0; i < o->nrec; i++) n += !i || o->rec[i].step != o->rec[i - 1].step; /* sorted */
    return n;
}

/* The graph that continues the file: root attribute continued_graph, the FNV-1a 64 of its text
 * (16 hex digits), so a later restart from this run's checkpoints (whose graph text may differ from
 * /meta's after --force) is recognised. */
static int continued_graph(hid_t file, const sd_h5meta *meta)
{
    const char *t = meta && meta->graph_text ? meta->graph_text : "";
    return sd_h5_attr_hex(file, "continued_graph", sd_ckpt_checksum(t, strlen(t)));
}

sd_h5out *sd_h5out_continue(const char *path, const sd_h5meta *meta, const sd_h5cont *at, const sd_h5decl *decl,
                            char *err, size_t errlen)
{
    const char *p = path ? path : "(null)";
    if (!at || !decl || at->step < 0) {
        sd_io_seterr(err, errlen, "%s: cannot continue: no step to continue at", p);
        return NULL;
    }
    sd_h5out *o = sd_h5out_new(path, decl, err, errlen);
    if (!o) return NULL;
    o->continued = 1;
    o->file = o->g_fields = o->g_scalars = o->ds_step = o->ds_time = o->g_profiles = -1;
    o->mesh_position_field = -1;
    snprintf(o->units_length, sizeof o->units_length, "%s", meta && meta->units_length ? meta->units_length : "");
    snprintf(o->units_time, sizeof o->units_time, "%s", meta && meta->units_time ? meta->units_time : "");
    cont c = {.o = o, .k = at->step, .kf = at->step, .last_step = -1};
    struct stat st;
    if (stat(p, &st) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot continue the run file at step %" PRId64 ": %s", p, at->step, strerror(errno));
        sd_h5out_free_obj(o);
        return NULL;
    }
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    const char *stage = "cannot open it";
    char why[256] = "";
    int64_t fmt = 0, commits = 0, profile_rows = 0;
    if (H5Fis_hdf5(p) <= 0) {
        sd_io_seterr(err, errlen, "%s: cannot continue it: not an HDF5 file (expected the run file the checkpoint's run wrote)", p);
        goto out_fail;
    }
    if (fcpl < 0 || fapl < 0 || sd_h5_crash_safe_plists(fcpl, fapl) < 0 ||
        (o->file = H5Fopen(p, H5F_ACC_RDWR, fapl)) < 0) {
        sd_h5why(why, sizeof why);
        goto fail_why;
    }
    if (sd_h5_attr_read(o->file, "stardag_format", H5T_NATIVE_INT64, &fmt) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot continue it: not a stardag run file (no root attribute stardag_format)", p);
        goto out_fail;
    }
    if (fmt != SD_H5_FORMAT) {
        sd_io_seterr(err, errlen, "%s: cannot continue it: run file format %" PRId64 ", this stardag writes format %d", p, fmt,
                     SD_H5_FORMAT);
        goto out_fail;
    }
    {
        const char *want = at->graph_text ? at->graph_text : meta && meta->graph_text ? meta->graph_text : "";
        char *have = read_graph_text(o->file);
        int same = have && !strcmp(have, want);
        uint64_t cont = 0;
        /* or the graph of a --force continuation, which the file records by its text's hash */
        if (have && !same && H5Aexists(o->file, "continued_graph") > 0 &&
            sd_h5_attr_read_hex(o->file, "continued_graph", &cont) == 0)
            same = cont == sd_ckpt_checksum(want, strlen(want));
        free(have);
        if (!have) {
            sd_io_seterr(err, errlen, "%s: cannot continue it: no readable /meta graph_text", p);
            goto out_fail;
        }
        if (!same) {
            sd_io_seterr(err, errlen, "%s: cannot continue it: it was written from another graph (its /meta graph_text "
                         "differs from the checkpoint's graph)", p);
            goto out_fail;
        }
    }
    stage = "it does not match the run";
    if (attach(&c) < 0 || attach_mesh(&c) < 0) goto fail_c;
    if (sd_h5_attr_read(o->file, "commits", H5T_NATIVE_INT64, &commits) < 0) {
        snprintf(c.why, sizeof c.why, "no root attribute commits");
        goto fail_c;
    }
    /* first only counted: a refusal leaves the file as it was */
    c.dry = 1;
    stage = "cannot read it";
    if (cut(&c, &profile_rows) < 0) goto fail_c;
    int64_t want_fields = at->field_steps, want_profile_rows = at->profile_rows;
    if (want_fields > 0 && distinct(o) == want_fields - 1 && !(o->nrec && o->rec[o->nrec - 1].step == at->step) &&
        (at->drop_step_output || (at->step_off_cadence && c.last_step >= at->step))) {
        /* an earlier restart that went past K dropped K's own output (one field step and a row of
         * each profile; its cut was committed at K or later, so this is no copy older than K).
         * Going past K again: the same restart again. Stopping at K: the run writes it again. */
        want_fields--;
        if (want_profile_rows >= c.nprofiles) want_profile_rows -= c.nprofiles;
        o->step_output_gone = !at->drop_step_output;
    }
    if (check_count(&c, "output steps with fields", want_fields, distinct(o), commits) < 0 ||
        check_count(&c, "scalar rows", at->scalar_rows, o->nrows, commits) < 0 ||
        check_count(&c, "profile rows", want_profile_rows, profile_rows, commits) < 0)
        goto fail_c_discard;
    stage = "cannot cut it back";
    int e = sd_h5_reserve(o->file, 0);
    if (e) {
        snprintf(why, sizeof why, "%s", strerror(e));
        goto fail_why;
    }
    if (sd_h5_cut_mode(o->file, 1) < 0) {
        snprintf(why, sizeof why, "not opened through the ordered driver");
        goto fail_why;
    }
    c.dry = 0;
    c.why[0] = 0;
    if (at->drop_step_output) c.kf = at->step - 1; /* counted above as the checkpoint's run wrote it */
    if (cut(&c, &profile_rows) < 0) goto fail_c_poison;
    o->continued_counts[0] = distinct(o), o->continued_counts[1] = o->nrows, o->continued_counts[2] = profile_rows;
    int64_t restarts = 0;
    if (H5Aexists(o->file, "restarts") > 0 && sd_h5_attr_read(o->file, "restarts", H5T_NATIVE_INT64, &restarts) < 0) restarts = 0;
    stage = "cannot record the restart";
    if (sd_h5out_attr_str(o->file, "status", sd_run_status_str(SD_RUN_RUNNING)) < 0 ||
        sd_h5out_attr_i64(o->file, "steps_done", -1) < 0 || sd_h5_attr_write(o->file, "wall_s", H5T_IEEE_F64LE,
        H5T_NATIVE_DOUBLE, 0, 1, &(double){-1.0}) < 0 || sd_h5out_attr_i64(o->file, "restarts", restarts + 1) < 0 ||
        sd_h5out_attr_i64(o->file, "restarted_at_step", at->step) < 0 || continued_graph(o->file, meta) < 0) {
        sd_h5why(why, sizeof why);
        o->poisoned = 1;
        goto fail_why;
    }
    o->ncommits = commits;
    o->committed_rows = o->nrows;
    free(c.gone);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    sd_h5_quiet_off(q);
    /* the cut, the counters and the sidecar of what remains, in one commit */
    int crc = sd_h5out_commit_removal(o, err, errlen);
    sd_h5_cut_mode(o->file, 0);
    if (crc < 0) {
        q = sd_h5_quiet_on();
        sd_h5_discard_writes(o->file, "sd_h5out_continue");
        sd_h5out_close_handles(o);
        H5Fclose(o->file);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        sd_h5out_free_obj(o);
        return NULL;
    }
    return o;

fail_c_poison:
    o->poisoned = 1;
fail_c:
    sd_io_seterr(err, errlen, "%s: cannot continue it at step %" PRId64 ": %s: %s", p, at->step, stage, c.why);
    goto out_fail;
fail_c_discard:
    sd_io_seterr(err, errlen, "%s: cannot continue it at step %" PRId64 ": %s", p, at->step, c.why);
    goto out_fail;
fail_why:
    sd_io_seterr(err, errlen, "%s: cannot continue it at step %" PRId64 ": %s: %s", p, at->step, stage, why);
out_fail:
    free(c.gone);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    if (o->file >= 0) { /* nothing of the cut reaches the file: it stays at its last commit */
        sd_h5_discard_writes(o->file, "sd_h5out_continue");
        sd_h5out_close_handles(o);
        H5Fclose(o->file);
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    sd_h5out_free_obj(o);
    return NULL;
}
