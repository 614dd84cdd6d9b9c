/* h5out_mesh.c - the mesh of a mesh run in the run file (/mesh: triangles, initial positions,
 * counts, and the edges when fields live on them) and its reader. Layout: docs/output-format.md,
 * "Meshes". The mesh goes into fresh space at the end of the file and is committed at once
 * (sd_h5out_commit: the same children-before-parents commit as every other write, io/h5out.c), so
 * a run killed before its first output step still leaves a file that describes its mesh. */
#define _GNU_SOURCE
#include "h5out_impl.h"
#include "h5err.h"
#include "h5util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESH_CHUNK_ROWS 65536 /* rows per chunk: 1.5 MiB of int64 or f64 rows of 3, 1 MiB of 2 */

/* A field location's name: the fields' `location` attribute (io/h5out_continue.c reads it back). */
static const char *location_name(int loc)
{
    return loc == SD_MESH_FACES ? "faces" : loc == SD_MESH_EDGES ? "edges" : "vertices";
}

int64_t sd_h5out_mesh_elements(const sd_h5out *o, int field)
{
    switch (o->mesh_location[field]) {
    case SD_MESH_FACES: return o->mesh_nf;
    case SD_MESH_EDGES: return o->mesh_ne;
    default: return o->mesh_nv;
    }
}

/* The edge list, needed when a field (edge_field, else NULL) lives on edges: every edge two vertex
 * ids, lower first, the list ascending by lower, then higher id (the numbering of sd_mesh_edges, a
 * function of the triangles alone), so each edge is there once and a field's values, in that order,
 * mean the same edges in every run of the mesh. */
static int check_edges(const sd_h5out *o, const sd_h5mesh *m, const char *edge_field, char *err, size_t errlen)
{
    const char *p = o->path;
    if (m->ne < 0 || (m->ne > 0 && !m->edge)) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: %" PRId64 " edges%s (expected 0, or at least 1 with the "
                     "edge list)", p, m->ne, m->ne > 0 ? " and no edge list given" : "");
        return -1;
    }
    if (edge_field && m->ne == 0) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: field %s is on edges, but no edges were given (ne 0, "
                     "expected at least 1 and the edge list)", p, edge_field);
        return -1;
    }
    for (int64_t e = 0; e < m->ne; e++) {
        const int64_t a = m->edge[2 * e], b = m->edge[2 * e + 1];
        if (a < 0 || b >= m->nv || a >= b) {
            sd_io_seterr(err, errlen, "%s: cannot record the mesh: edge %" PRId64 " is (%" PRId64 ", %" PRId64 ") (expected "
                         "two vertices 0 .. %" PRId64 ", the lower first)", p, e, a, b, m->nv - 1);
            return -1;
        }
        const int64_t pa = e ? m->edge[2 * e - 2] : -1, pb = e ? m->edge[2 * e - 1] : -1;
        if (a < pa || (a == pa && b <= pb)) {
            sd_io_seterr(err, errlen, "%s: cannot record the mesh: edge %" PRId64 " (%" PRId64 ", %" PRId64 ") follows (%" PRId64
                         ", %" PRId64 ") (expected the edges ascending by lower, then higher vertex, each once)", p, e, a, b,
                         pa, pb);
            return -1;
        }
    }
    return 0;
}

/* Arguments that would give a file the sidecar cannot describe, or ParaView a corner it cannot
 * find: refused before anything is written. */
static int check_mesh(const sd_h5out *o, const sd_h5mesh *m, char *err, size_t errlen)
{
    const char *p = o->path;
    if (o->has_mesh || o->nrec) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: %s", p,
                     o->has_mesh ? "it is already recorded" : "a field step was written before it");
        return -1;
    }
    if (!m) { sd_io_seterr(err, errlen, "%s: cannot record the mesh: no mesh given", p); return -1; }
    if (m->nv < 3 || m->nf < 1) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: %" PRId64 " vertices and %" PRId64
                     " triangles (at least 3 and 1 expected)", p, m->nv, m->nf);
        return -1;
    }
    if (!m->tri || !m->x0) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: no %s given", p, !m->tri ? "triangles" : "positions");
        return -1;
    }
    for (int64_t f = 0; f < m->nf; f++)
        for (int k = 0; k < 3; k++)
            if (m->tri[3 * f + k] < 0 || m->tri[3 * f + k] >= m->nv) {
                sd_io_seterr(err, errlen, "%s: cannot record the mesh: triangle %" PRId64 " corner %d is vertex %" PRId64
                             " (expected 0 .. %" PRId64 ")", p, f, k, m->tri[3 * f + k], m->nv - 1);
                return -1;
            }
    const char *edge_field = NULL; /* the first field on edges */
    for (int i = 0; i < o->nfields; i++) {
        int loc = m->field_location ? m->field_location[i] : SD_MESH_VERTICES;
        if (loc != SD_MESH_VERTICES && loc != SD_MESH_FACES && loc != SD_MESH_EDGES) {
            sd_io_seterr(err, errlen, "%s: cannot record the mesh: field %s has location %d (expected vertices %d, faces %d "
                         "or edges %d)", p, o->fname[i], loc, SD_MESH_VERTICES, SD_MESH_FACES, SD_MESH_EDGES);
            return -1;
        }
        if (loc == SD_MESH_EDGES && !edge_field) edge_field = o->fname[i];
        if (o->ninner[i]) {
            sd_io_seterr(err, errlen, "%s: cannot record the mesh: field %s is on inner axes (grids only)", p, o->fname[i]);
            return -1;
        }
    }
    int pf = m->position_field;
    if (pf < -1 || pf >= o->nfields) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: position field #%d (expected -1 or 0 .. %d)", p, pf,
                     o->nfields - 1);
        return -1;
    }
    if (pf >= 0 && (o->ncomp[pf] != 3 || (m->field_location && m->field_location[pf] != SD_MESH_VERTICES))) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: position field %s has %d components on %s (expected 3 on vertices)",
                     p, o->fname[pf], o->ncomp[pf], location_name(m->field_location ? m->field_location[pf] : 0));
        return -1;
    }
    return check_edges(o, m, edge_field, err, errlen);
}

/* A [rows][cols] dataset written whole from v (chunks of whole rows, no fill values, like the
 * field datasets). */
static int rows_dataset(hid_t g, const char *name, int64_t rows, hsize_t cols, hid_t ft, hid_t mt, const void *v)
{
    hsize_t dims[2] = {(hsize_t)rows, cols}, chunk[2] = {(hsize_t)(rows < MESH_CHUNK_ROWS ? rows : MESH_CHUNK_ROWS), cols};
    hid_t sp = H5Screate_simple(2, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
    int rc = -1;
    if (sp >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 2, chunk) >= 0 && H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0 &&
        (ds = H5Dcreate2(g, name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0 &&
        H5Dwrite(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 && H5Dflush(ds) >= 0)
        rc = 0;
    if (ds >= 0) H5Dclose(ds);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static int str_attr(hid_t obj, const char *name, const char *s)
{
    return sd_h5_attr_strings(obj, name, 0, &s, H5T_CSET_UTF8);
}

/* A continued file's mesh (io/h5out_continue.c read /mesh) against the run's: the same counts,
 * positions field and field locations, or refused. */
static int same_mesh(const sd_h5out *o, const sd_h5mesh *m, char *err, size_t errlen)
{
    if (!m || !o->has_mesh || m->nv != o->mesh_nv || m->nf != o->mesh_nf || m->ne != o->mesh_ne) {
        sd_io_seterr(err, errlen, "%s: cannot continue it: its mesh (%" PRId64 " vertices, %" PRId64 " triangles, %" PRId64
                     " edges) is not the run's (%" PRId64 ", %" PRId64 ", %" PRId64 ")", o->path, o->mesh_nv, o->mesh_nf,
                     o->mesh_ne, m ? m->nv : 0, m ? m->nf : 0, m ? m->ne : 0);
        return -1;
    }
    if (m->position_field != o->mesh_position_field) {
        const int a = o->mesh_position_field, b = m->position_field;
        sd_io_seterr(err, errlen, "%s: cannot continue it: its positions field is %s, the run's %s", o->path,
                     a >= 0 ? o->fname[a] : "none", b >= 0 && b < o->nfields ? o->fname[b] : "none");
        return -1;
    }
    for (int i = 0; i < o->nfields; i++) {
        const int loc = m->field_location ? m->field_location[i] : SD_MESH_VERTICES;
        if (loc != o->mesh_location[i]) {
            sd_io_seterr(err, errlen, "%s: cannot continue it: its field %s is on %s, the run's on %s", o->path, o->fname[i],
                         location_name(o->mesh_location[i]), location_name(loc));
            return -1;
        }
    }
    return 0;
}

int sd_h5out_set_mesh(sd_h5out *o, const sd_h5mesh *m, char *err, size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: an earlier write failed; file is kept at its last commit",
                     o->path);
        return -1;
    }
    if (o->continued) return same_mesh(o, m, err, errlen);
    if (check_mesh(o, m, err, errlen) < 0) return -1;
    int *loc = calloc(o->nfields + 1, sizeof *loc);
    if (!loc) { sd_io_seterr(err, errlen, "%s: cannot record the mesh: out of memory", o->path); return -1; }
    for (int i = 0; i < o->nfields; i++) loc[i] = m->field_location ? m->field_location[i] : SD_MESH_VERTICES;

    char why[256];
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(o->file, (uint64_t)(m->nv + m->nf) * 24 + (uint64_t)m->ne * 16 + 4096);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: %s", o->path, strerror(e));
        sd_h5_quiet_off(q);
        free(loc);
        return -1; /* nothing touched */
    }
    const char *pos = m->position_field >= 0 ? o->fname[m->position_field] : "";
    hid_t g = H5Gcreate2(o->file, "mesh", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = g < 0 || sd_h5_attr_write(g, "nv", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &m->nv) < 0 ||
             sd_h5_attr_write(g, "nf", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &m->nf) < 0 ||
             str_attr(g, "orientation", "counter-clockwise seen from outside: outward normal (b-a)x(c-a)") < 0 ||
             str_attr(g, "position_field", pos) < 0 ||
             rows_dataset(g, "triangles", m->nf, 3, H5T_STD_I64LE, H5T_NATIVE_INT64, m->tri) < 0 ||
             rows_dataset(g, "positions", m->nv, 3, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, m->x0) < 0;
    /* the edges only when given: a mesh without them is written as before they existed */
    if (!rc && m->ne > 0)
        rc = sd_h5_attr_write(g, "ne", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &m->ne) < 0 ||
             rows_dataset(g, "edges", m->ne, 2, H5T_STD_I64LE, H5T_NATIVE_INT64, m->edge) < 0;
    for (int i = 0; !rc && i < o->nfields; i++) rc = str_attr(o->fgroup[i], "location", location_name(loc[i])) < 0;
    if (g >= 0) H5Gclose(g);
    if (rc) {
        sd_h5why(why, sizeof why);
        o->poisoned = 1; /* a half-written group: keep the file at its last commit */
        sd_io_seterr(err, errlen, "%s: cannot record the mesh: %s", o->path, why);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        free(loc);
        return -1;
    }
    sd_h5_quiet_off(q);
    o->has_mesh = 1;
    o->mesh_nv = m->nv;
    o->mesh_nf = m->nf;
    o->mesh_ne = m->ne;
    o->mesh_location = loc;
    o->mesh_position_field = m->position_field;
    return sd_h5out_commit(o, err, errlen);
}

/* A [rows][3] dataset of /mesh into a new array (mt: memory type of es-byte elements). */
static int read_rows3(hid_t g, const char *name, int64_t rows, hid_t mt, size_t es, void **out, char *why, size_t wl)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d[2] = {0, 0};
    int rc = -1;
    if (sp < 0) sd_h5why(why, wl);
    else if (H5Sget_simple_extent_ndims(sp) != 2 || H5Sget_simple_extent_dims(sp, d, NULL) != 2 || d[1] != 3 ||
             d[0] != (hsize_t)rows)
        snprintf(why, wl, "/mesh/%s is not [%" PRId64 "][3]", name, rows);
    else if (!(*out = malloc((size_t)rows * 3 * es))) snprintf(why, wl, "out of memory");
    else if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        sd_h5why(why, wl);
        free(*out);
        *out = NULL;
    } else rc = 0;
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return rc;
}

int sd_h5_read_mesh(const char *path, int64_t *nv, int64_t *nf, int64_t **tri, double **x0, char *err, size_t errlen)
{
    if (tri) *tri = NULL;
    if (x0) *x0 = NULL;
    if (!path || !nv || !nf) { sd_io_seterr(err, errlen, "%s: bad arguments", path ? path : "(null)"); return -1; }
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(path, err, errlen);
    if (f < 0) { sd_h5_quiet_off(q); return -1; }
    char why[256] = "";
    int rc = -1;
    hid_t g = H5Gopen2(f, "mesh", H5P_DEFAULT);
    if (g < 0) {
        sd_io_seterr(err, errlen, "%s: no /mesh (not the run file of a mesh domain): %s", path, sd_h5why(why, sizeof why));
        goto out;
    }
    hid_t a;
    if ((a = H5Aopen(g, "nv", H5P_DEFAULT)) < 0 || H5Aread(a, H5T_NATIVE_INT64, nv) < 0 || H5Aclose(a) < 0 ||
        (a = H5Aopen(g, "nf", H5P_DEFAULT)) < 0 || H5Aread(a, H5T_NATIVE_INT64, nf) < 0 || H5Aclose(a) < 0) {
        if (a >= 0) H5Aclose(a);
        sd_io_seterr(err, errlen, "%s: cannot read /mesh attributes nv, nf: %s", path, sd_h5why(why, sizeof why));
        goto out;
    }
    if ((tri && read_rows3(g, "triangles", *nf, H5T_NATIVE_INT64, 8, (void **)tri, why, sizeof why) < 0) ||
        (x0 && read_rows3(g, "positions", *nv, H5T_NATIVE_DOUBLE, 8, (void **)x0, why, sizeof why) < 0)) {
        sd_io_seterr(err, errlen, "%s: cannot read the mesh: %s", path, why);
        if (tri) { free(*tri); *tri = NULL; }
        goto out;
    }
    rc = 0;
out:
    if (g >= 0) H5Gclose(g);
    H5Eclear2(H5E_DEFAULT);
    H5Fclose(f);
    sd_h5_quiet_off(q);
    return rc;
}
