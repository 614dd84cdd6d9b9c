/* inspect.c - `stardag inspect FILE.h5`: what a run file or a checkpoint holds.
 * A run file (root attribute stardag_format): its graph, status, steps done, fields with their
 * steps, scalar and profile rows, commits and the last committed step. A checkpoint (root attribute
 * stardag_checkpoint): format, step, time, hashes, every item with its type and shape and whether
 * its checksum matches its bytes (recomputed), and a verdict. Exit 0: a readable run file or a
 * valid checkpoint; 1: a corrupt checkpoint, a damaged run file (what its creation writes is missing
 * or unreadable), or a file in use; 2: not a stardag file, or usage. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include "ckpt.h"
#include "commands.h"
#include "h5err.h"
#include "stardag/stardag.h"

static const char inspect_usage[] =
    "usage: stardag inspect FILE.h5\n"
    "  what a run output file or a checkpoint holds: graph, status or step, fields and their steps,\n"
    "  scalar rows, commits; for a checkpoint every state item with its checksum checked.\n"
    "Exit: 0 a run file / a valid checkpoint, 1 damaged, corrupt or in use, 2 not a stardag file.\n";

/* What a run file's reading could not read (inspect_run_file): its first item, and how many. */
typedef struct damage { int n; char first[200]; } damage;

static void damaged(damage *d, const char *what, const char *name)
{
    if (d && !d->n++) snprintf(d->first, sizeof d->first, "cannot read %s %s", what, name);
}

/* An attribute that exists (H5Aexists 1), is absent (0) or cannot be told (<0: counted in d). */
static int attr_there(hid_t obj, const char *name, damage *d)
{
    htri_t ex = H5Aexists(obj, name);
    if (ex < 0) damaged(d, "attribute", name);
    return ex > 0;
}

/* An attribute into v: 0, or -1 when absent (counted in d when required) or unreadable (counted). */
static int attr_read(hid_t obj, const char *name, hid_t mt, void *v, int required, damage *d)
{
    if (!attr_there(obj, name, d)) {
        if (required) damaged(d, "attribute", name);
        return -1;
    }
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int rc = a >= 0 && H5Aread(a, mt, v) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    if (rc < 0) damaged(d, "attribute", name);
    return rc;
}

static int attr_i64(hid_t obj, const char *name, int64_t *v) { return attr_read(obj, name, H5T_NATIVE_INT64, v, 0, NULL); }

/* A fixed-length string attribute (or a scalar string dataset, is_ds) as a new string: "" when
 * absent (counted in d when required), NULL when unreadable (counted) or out of memory. */
static char *str_new(hid_t loc, const char *name, int is_ds, int required, damage *d)
{
    htri_t ex = is_ds ? H5Lexists(loc, name, H5P_DEFAULT) : H5Aexists(loc, name);
    if (ex <= 0) {
        if (ex < 0 || required) damaged(d, is_ds ? "dataset" : "attribute", name);
        return ex < 0 ? NULL : calloc(1, 1);
    }
    hid_t o = is_ds ? H5Dopen2(loc, name, H5P_DEFAULT) : H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = o < 0 ? -1 : is_ds ? H5Dget_type(o) : H5Aget_type(o);
    size_t n = t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t) ? H5Tget_size(t) : 0;
    char *s = n ? calloc(1, n + 1) : NULL;
    if (s && (is_ds ? H5Dread(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) : H5Aread(o, t, s)) < 0) {
        free(s);
        s = NULL;
    }
    if (!s) damaged(d, is_ds ? "dataset" : "attribute", name);
    if (t >= 0) H5Tclose(t);
    if (o >= 0) {
        if (is_ds) H5Dclose(o);
        else H5Aclose(o);
    }
    return s;
}

/* str_new into buf ("" when absent or unreadable). */
static void str_in(hid_t loc, const char *name, int is_ds, int required, damage *d, char *buf, size_t len)
{
    char *s = str_new(loc, name, is_ds, required, d);
    snprintf(buf, len, "%s", s ? s : "");
    free(s);
}

static void str_of(hid_t loc, const char *name, int is_ds, char *buf, size_t len) { str_in(loc, name, is_ds, 0, NULL, buf, len); }

static int64_t extent0(hid_t loc, const char *name)
{
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d[4] = {0};
    int64_t n = sp >= 0 && H5Sget_simple_extent_dims(sp, d, NULL) >= 1 ? (int64_t)d[0] : -1;
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return n;
}

/* ---- run files ------------------------------------------------------------------------------ */

typedef struct steps_seen { int64_t n, first, last; } steps_seen;

static herr_t count_step(hid_t g, const char *name, const H5L_info_t *info, void *u)
{
    (void)g, (void)info;
    steps_seen *s = u;
    char *end;
    long long v = strtoll(name, &end, 10);
    if (*end || end == name) return 0;
    if (!s->n || v < s->first) s->first = v;
    if (!s->n || v > s->last) s->last = v;
    s->n++;
    return 0;
}

static herr_t show_field(hid_t top, const char *name, const H5L_info_t *info, void *u)
{
    (void)info, (void)u;
    hid_t g = H5Gopen2(top, name, H5P_DEFAULT);
    if (g < 0) return 0;
    char dt[16];
    int64_t nc = 1;
    str_of(g, "dtype", 0, dt, sizeof dt);
    attr_i64(g, "components", &nc);
    steps_seen s = {0, 0, 0};
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, count_step, &s);
    if (s.n) printf("    %s: %s, %" PRId64 " component%s, %" PRId64 " step%s (%" PRId64 " .. %" PRId64 ")\n", name, dt, nc,
                    nc == 1 ? "" : "s", s.n, s.n == 1 ? "" : "s", s.first, s.last);
    else printf("    %s: %s, %" PRId64 " component%s, no steps\n", name, dt, nc, nc == 1 ? "" : "s");
    H5Gclose(g);
    return 0;
}

static herr_t show_profile(hid_t top, const char *name, const H5L_info_t *info, void *u)
{
    (void)info, (void)u;
    hid_t g = H5Gopen2(top, name, H5P_DEFAULT);
    if (g < 0) return 0;
    char field[80], axis[8];
    str_of(g, "field", 0, field, sizeof field);
    str_of(g, "axis", 0, axis, sizeof axis);
    printf("    %s: %s along %s, %" PRId64 " rows\n", name, field, axis, extent0(g, "step"));
    H5Gclose(g);
    return 0;
}

/* A group of the run file written at its creation (/fields, /scalars): absent or unreadable is
 * damage. */
static hid_t group_of(hid_t f, const char *name, damage *d)
{
    hid_t g = H5Lexists(f, name, H5P_DEFAULT) > 0 ? H5Gopen2(f, name, H5P_DEFAULT) : -1;
    if (g < 0) damaged(d, "group", name);
    return g;
}

static int inspect_run_file(const char *path, hid_t f)
{
    int64_t fmt = 0, steps = -1, commits = -1, last = -1, nsteps = -1, ndatasets = -1, rows = -1, restarts = 0, rk = -1;
    double wall = -1;
    damage dm = {0, ""};
    char status[64], gpath[1024], started[64], version[64];
    /* what io/h5out.c writes when it creates the file: a file without it is damaged */
    attr_read(f, "stardag_format", H5T_NATIVE_INT64, &fmt, 1, &dm);
    str_in(f, "status", 0, 1, &dm, status, sizeof status);
    attr_read(f, "steps_done", H5T_NATIVE_INT64, &steps, 1, &dm);
    attr_read(f, "wall_s", H5T_NATIVE_DOUBLE, &wall, 1, &dm);
    attr_read(f, "commits", H5T_NATIVE_INT64, &commits, 1, &dm);
    attr_read(f, "last_committed_step", H5T_NATIVE_INT64, &last, 1, &dm);
    attr_read(f, "committed_output_steps", H5T_NATIVE_INT64, &nsteps, 1, &dm);
    attr_read(f, "committed_field_datasets", H5T_NATIVE_INT64, &ndatasets, 1, &dm);
    attr_read(f, "committed_scalar_rows", H5T_NATIVE_INT64, &rows, 1, &dm);
    attr_read(f, "restarts", H5T_NATIVE_INT64, &restarts, 0, &dm);
    attr_read(f, "restarted_at_step", H5T_NATIVE_INT64, &rk, 0, &dm);
    hid_t m = H5Gopen2(f, "meta", H5P_DEFAULT);
    gpath[0] = started[0] = version[0] = 0;
    char *text = NULL;
    if (m >= 0) {
        str_in(m, "graph_path", 0, 1, &dm, gpath, sizeof gpath);
        str_in(m, "start_time", 0, 1, &dm, started, sizeof started);
        str_in(m, "stardag_version", 0, 1, &dm, version, sizeof version);
        const htri_t as_attr = H5Aexists(m, "graph_text"); /* long texts are a dataset (io/h5out.c) */
        text = as_attr < 0 ? (damaged(&dm, "attribute", "graph_text"), NULL) : str_new(m, "graph_text", !as_attr, 1, &dm);
        H5Gclose(m);
    } else damaged(&dm, "group", "/meta");
    int lines = 0;
    for (const char *c = text ? text : ""; *c; c++) lines += *c == '\n';
    free(text);
    printf("%s: stardag run file (format %" PRId64 ")\n", path, fmt);
    printf("  graph: %s (%d lines of text in /meta), stardag %s, started %s\n", gpath[0] ? gpath : "?", lines,
           version[0] ? version : "?", started[0] ? started : "?");
    if (!strcmp(status, "running"))
        printf("  status: running (never closed: the run is going on, or was killed; the file holds its last commit)\n");
    else printf("  status: %s, %" PRId64 " steps done in %.3f s\n", status[0] ? status : "?", steps, wall);
    printf("  commits: %" PRId64 ", the last at output step %" PRId64 " (%" PRId64 " output steps, %" PRId64
           " field datasets, %" PRId64 " scalar rows committed)\n", commits, last, nsteps, ndatasets, rows);
    if (restarts > 0) printf("  restarts: %" PRId64 " (the last continued it at step %" PRId64 ")\n", restarts, rk);
    hid_t g = group_of(f, "fields", &dm);
    if (g >= 0) {
        H5G_info_t gi;
        if (H5Gget_info(g, &gi) >= 0 && gi.nlinks) {
            printf("  fields:\n");
            if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, show_field, NULL) < 0) damaged(&dm, "group", "/fields");
        } else printf("  fields: none\n");
        H5Gclose(g);
    }
    if ((g = group_of(f, "scalars", &dm)) >= 0) {
        char names[4096];
        str_of(g, "names", 0, names, sizeof names);
        int64_t n = extent0(g, "step"), first = -1, lastrow = -1;
        if (n > 0) {
            hid_t ds = H5Dopen2(g, "step", H5P_DEFAULT), sp = H5Dget_space(ds);
            hsize_t one = 1, at[1] = {0};
            hid_t ms = H5Screate_simple(1, &one, NULL);
            if (H5Sselect_hyperslab(sp, H5S_SELECT_SET, at, NULL, &one, NULL) >= 0) H5Dread(ds, H5T_NATIVE_INT64, ms, sp, H5P_DEFAULT, &first);
            at[0] = (hsize_t)n - 1;
            if (H5Sselect_hyperslab(sp, H5S_SELECT_SET, at, NULL, &one, NULL) >= 0) H5Dread(ds, H5T_NATIVE_INT64, ms, sp, H5P_DEFAULT, &lastrow);
            H5Sclose(ms);
            H5Sclose(sp);
            H5Dclose(ds);
            printf("  scalars: %s: %" PRId64 " rows (steps %" PRId64 " .. %" PRId64 ")\n", names[0] ? names : "(none)", n, first,
                   lastrow);
        } else printf("  scalars: %s: no rows\n", names[0] ? names : "(none)");
        H5Gclose(g);
    }
    if (H5Lexists(f, "profiles", H5P_DEFAULT) > 0 && (g = H5Gopen2(f, "profiles", H5P_DEFAULT)) >= 0) {
        printf("  profiles:\n");
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, show_profile, NULL);
        H5Gclose(g);
    }
    if (H5Lexists(f, "mesh", H5P_DEFAULT) > 0 && (g = H5Gopen2(f, "mesh", H5P_DEFAULT)) >= 0) {
        int64_t nv = 0, nf = 0, ne = 0;
        attr_i64(g, "nv", &nv);
        attr_i64(g, "nf", &nf);
        attr_i64(g, "ne", &ne); /* only with fields on edges */
        printf("  mesh: %" PRId64 " vertices, %" PRId64 " triangles", nv, nf);
        if (ne) printf(", %" PRId64 " edges", ne);
        printf("\n");
        H5Gclose(g);
    }
    if (H5Lexists(f, "tables", H5P_DEFAULT) > 0 && (g = H5Gopen2(f, "tables", H5P_DEFAULT)) >= 0) {
        H5G_info_t gi;
        if (H5Gget_info(g, &gi) >= 0) printf("  tables: %llu\n", (unsigned long long)gi.nlinks);
        H5Gclose(g);
    }
    if (dm.n) { /* what was printed as ? or -1 above is not the file's */
        printf("  verdict: DAMAGED: %s%s\n", dm.first, dm.n > 1 ? " (and more)" : "");
        return SD_EXIT_RUNTIME;
    }
    return SD_EXIT_OK;
}

/* ---- checkpoints ---------------------------------------------------------------------------- */

static const char *type_name(int t)
{
    return t == SD_CK_F64 ? "f64" : t == SD_CK_F32 ? "f32" : t == SD_CK_I64 ? "i64" : t == SD_CK_U8 ? "u8" : "?";
}

typedef struct item_ctx {
    const sd_ckpt_in *in;
    const char *prefix; /* "" for /state items (relative names), "/host/" for host items */
    int64_t n, bad;
    char first_bad[1024];
} item_ctx;

/* One item: its shape, and its bytes read back, which verifies the checksum. */
static int show_item(const char *name, int type, int ndim, const int64_t dims[4], void *u)
{
    item_ctx *c = u;
    char full[512], shape[128] = "", err[1024];
    snprintf(full, sizeof full, "%s%s", c->prefix, name);
    size_t bytes = sd_ckpt_type_size(type);
    for (int d = 0; d < ndim; d++) {
        snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%" PRId64, d ? "x" : "", dims[d]);
        bytes *= (size_t)dims[d];
    }
    if (!ndim) snprintf(shape, sizeof shape, "scalar");
    void *buf = malloc(bytes ? bytes : 1);
    int rc = buf ? sd_ckpt_read_item(c->in, full, buf, bytes, err, sizeof err) : -1;
    if (!buf) snprintf(err, sizeof err, "out of memory for %zu bytes", bytes);
    free(buf);
    c->n++;
    char abs[600];
    snprintf(abs, sizeof abs, "%s%s", c->prefix[0] ? "" : "/state/", full);
    const int listed = sd_ckpt_indexed(c->in, abs); /* an item the writer did not write is no part of it */
    if (rc == 0 && !listed) snprintf(err, sizeof err, "%s: %s is not in the checkpoint's /index", sd_ckpt_path(c->in), abs);
    printf("    %-40s %-4s %-20s %s\n", full, type_name(type), shape,
           rc < 0 ? "BAD" : listed ? "checksum ok" : "checksum ok, NOT IN /index");
    if ((rc < 0 || !listed) && !c->bad++) snprintf(c->first_bad, sizeof c->first_bad, "%s", err);
    return 0;
}

static herr_t host_item(hid_t g, const char *name, const H5L_info_t *info, void *u)
{
    (void)info;
    item_ctx *c = u;
    H5O_info_t oi;
    if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET) return 0;
    char full[512], err[1024];
    snprintf(full, sizeof full, "/host/%s", name);
    int type, ndim;
    int64_t dims[4] = {0};
    if (sd_ckpt_item_info(c->in, full, &type, &ndim, dims, err, sizeof err) < 0) {
        printf("    %-40s BAD\n", full);
        c->n++;
        if (!c->bad++) snprintf(c->first_bad, sizeof c->first_bad, "%s", err);
        return 0;
    }
    return show_item(name, type, ndim, dims, c);
}

static int inspect_checkpoint(const char *path, hid_t f)
{
    char err[1024];
    sd_ckpt_in *in = sd_ckpt_open(path, err, sizeof err);
    if (!in) {
        printf("%s: stardag checkpoint\n  verdict: CORRUPT: %s\n", path, err);
        return SD_EXIT_RUNTIME;
    }
    const sd_ckpt_meta *m = sd_ckpt_get_meta(in);
    printf("%s: stardag checkpoint (format %d), written by stardag %s\n", path, m->format, m->version);
    printf("  step %" PRId64 ", time %.15g\n", m->step, m->time);
    printf("  graph hash %016" PRIx64 ", layout hash %016" PRIx64 "\n", m->graph_hash, m->layout_hash);
    if (m->format >= 2) printf("  root attributes, graph text and /index: checksum ok (every indexed item present)\n");
    else printf("  root attributes and graph text: no checksum (format 1)\n");
    char *text = sd_ckpt_graph_text(in, err, sizeof err);
    item_ctx c = {in, "", 0, 0, ""};
    if (!text) c.bad++, snprintf(c.first_bad, sizeof c.first_bad, "%s", err);
    else {
        int lines = 0;
        for (const char *p = text; *p; p++) lines += *p == '\n';
        printf("  graph text: %d lines\n", lines);
    }
    free(text);
    printf("  state:\n");
    if (sd_ckpt_list_items(in, show_item, &c, err, sizeof err) < 0 && !c.bad++)
        snprintf(c.first_bad, sizeof c.first_bad, "%s", err);
    hid_t g = H5Lexists(f, "host", H5P_DEFAULT) > 0 ? H5Gopen2(f, "host", H5P_DEFAULT) : -1;
    if (g >= 0) {
        printf("  host:\n");
        c.prefix = "/host/";
        H5Lvisit(g, H5_INDEX_NAME, H5_ITER_INC, host_item, &c);
        H5Gclose(g);
    }
    sd_ckpt_close(in);
    if (c.n == 0 && !c.bad) c.bad++, snprintf(c.first_bad, sizeof c.first_bad, "%s: no state items", path);
    if (c.bad) {
        printf("  verdict: CORRUPT: %s%s\n", c.first_bad, c.bad > 1 ? " (and more, above)" : "");
        return SD_EXIT_RUNTIME;
    }
    printf("  verdict: valid (%" PRId64 " items, every checksum matches)\n", c.n);
    return SD_EXIT_OK;
}

int sd_cmd_inspect(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(inspect_usage, stdout);
            return SD_EXIT_OK;
        }
    if (argc == 2 && argv[1][0] == '-') {
        fprintf(stderr, "stardag inspect: unknown option '%s' (a file of that name: ./%s)\n%s", argv[1], argv[1],
                inspect_usage);
        return SD_EXIT_BADGRAPH;
    }
    if (argc != 2) {
        fprintf(stderr, "stardag inspect: expected one file%s\n%s", argc > 2 ? " (got more)" : "", inspect_usage);
        return SD_EXIT_BADGRAPH;
    }
    const char *path = argv[1];
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "stardag: %s: cannot open: %s\n", path, strerror(errno));
        return SD_EXIT_BADGRAPH;
    }
    sd_h5_quiet q = sd_h5_quiet_on();
    int status;
    if (!S_ISREG(st.st_mode) || H5Fis_hdf5(path) <= 0) {
        fprintf(stderr, "stardag: %s: not a stardag file (not an HDF5 file; expected a run output or a checkpoint)\n", path);
        status = SD_EXIT_BADGRAPH;
    } else {
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f < 0) {
            char why[256];
            fprintf(stderr, "stardag: %s: cannot open: %s\n", path, sd_h5_open_why(path, why, sizeof why));
            status = SD_EXIT_RUNTIME; /* an HDF5 signature but unreadable: damaged */
        } else {
            const htri_t ck = H5Aexists(f, "stardag_checkpoint"), rf = ck > 0 ? 0 : H5Aexists(f, "stardag_format");
            if (ck > 0) status = inspect_checkpoint(path, f);
            else if (rf > 0) status = inspect_run_file(path, f);
            else if (ck < 0 || rf < 0) {
                fprintf(stderr, "stardag: %s: damaged: its root attributes cannot be read (expected a run output or a "
                        "checkpoint)\n", path);
                status = SD_EXIT_RUNTIME;
            } else if (H5Lexists(f, "h5md", H5P_DEFAULT) > 0) {
                fprintf(stderr, "stardag: %s: an H5MD trajectory (its /h5md group), not a run file or a checkpoint: "
                        "inspect reads those; `stardag compare --any` and h5dump read it\n", path);
                status = SD_EXIT_BADGRAPH;
            } else {
                fprintf(stderr, "stardag: %s: not a stardag file (an HDF5 file without the root attribute stardag_format "
                        "or stardag_checkpoint)\n", path);
                status = SD_EXIT_BADGRAPH;
            }
            H5Fclose(f);
        }
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    fflush(stdout);
    return status;
}
