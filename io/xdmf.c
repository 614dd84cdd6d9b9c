/* xdmf.c - XDMF 3 sidecar for the HDF5 run file: a temporal collection of uniform grids, one
 * per output step that has committed fields, each a 3DCoRectMesh (ORIGIN_DXDYDZ geometry) with
 * node-centred scalar attributes that reference the HDF5 datasets by relative file name.
 * Dimensions, origin and spacing are all slowest axis first (z y x), as XDMF lists them. 1-D and
 * 2-D grids are written as 3-D meshes of one row / one z layer ("1 1 nx", "1 ny nx"), so that
 * stardag's x is the viewer's x: XDMF has no 1-D CoRectMesh, and ParaView reads a 2DCoRectMesh's
 * two dimensions as its y and z (stardag's x would land on ParaView's y). An attribute's values
 * are described with the mesh's 3 dimensions (same count as the dataset's): ParaView's XDMF
 * (xdmf2) reader takes the last dimension of a lower-rank attribute as vector components. Fields
 * with several components become one scalar attribute per component ("E_0", "E_1", ...), each a
 * HyperSlab of the component-outermost dataset. A mesh run's grids are Triangle meshes instead
 * (mesh_step: /mesh/triangles, XYZ geometry from the moving positions or /mesh/positions; 3-component
 * fields as Vectors joined from the component slabs), with fields on edges spatial collections of
 * that and a Polyline mesh of /mesh/edges. The file is replaced atomically. */
#define _GNU_SOURCE
#include "xdmf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stardag/kernel.h>
#include <stardag/codelet.h> /* SD_MESH_FACES, SD_MESH_EDGES */
#include "h5err.h"
#include "durable.h"
#include "h5util.h"


static int cmp_rec(const void *a, const void *b)
{
    const sd_xdmf_rec *x = *(const sd_xdmf_rec *const *)a, *y = *(const sd_xdmf_rec *const *)b;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    if (x->field != y->field) return x->field < y->field ? -1 : 1;
    return 0;
}

/* XML attribute/text escaping for names and file names. */
static void put_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Dimensions (slowest first) of the mesh (always 3: absent axes 1) or of the dataset (ndim
 * values, without the component dim: the HDF5 dataset's own shape, same number of values). */
static void emit_dims(FILE *f, const sd_xdmf_desc *d, int mesh)
{
    int n = mesh ? 3 : d->ndim;
    for (int k = n - 1; k >= 0; k--)
        fprintf(f, "%" PRId64 "%s", k < d->ndim ? d->shape[k] : 1, k ? " " : "");
}

/* A field dataset's reference: "out.h5:/fields/NAME/00000050". */
static void put_field_ref(FILE *f, const sd_xdmf_desc *d, int field, int64_t step)
{
    put_esc(f, d->h5_name);
    fputs(":/fields/", f);
    put_esc(f, d->field_names[field]);
    fprintf(f, "/%08" PRId64, step);
}

/* Component c of a mesh field's [nc][n] dataset, as a HyperSlab of n values. */
static void put_mesh_slab(FILE *f, const char *ind, const sd_xdmf_desc *d, int field, int64_t step, int c, int64_t n)
{
    fprintf(f, "%s<DataItem ItemType=\"HyperSlab\" Dimensions=\"%" PRId64 "\" Type=\"HyperSlab\">\n", ind, n);
    fprintf(f, "%s  <DataItem Dimensions=\"3 2\" Format=\"XML\">%d 0 1 1 1 %" PRId64 "</DataItem>\n", ind, c, n);
    fprintf(f, "%s  <DataItem Dimensions=\"%d %" PRId64 "\" NumberType=\"Float\" Precision=\"%d\" Format=\"HDF\">", ind,
            d->ncomp[field], n, d->dtypes[field] == SD_F32 ? 4 : 8);
    put_field_ref(f, d, field, step);
    fprintf(f, "</DataItem>\n%s</DataItem>\n", ind);
}

/* The 3 components of a mesh field's [3][n] dataset as n (x, y, z) rows (XDMF's JOIN: XYZ geometry
 * and Vector attributes are interleaved, the dataset has components outermost). comment: the joined
 * item's first child (see mesh_step), NULL for none. */
static void put_mesh_join(FILE *f, const char *ind, const sd_xdmf_desc *d, int field, int64_t step, int64_t n,
                          const char *comment)
{
    fprintf(f, "%s<DataItem ItemType=\"Function\" Function=\"JOIN($0, $1, $2)\" Dimensions=\"%" PRId64 " 3\">", ind, n);
    if (comment) fprintf(f, "<!-- %s -->", comment);
    fputc('\n', f);
    char in[64];
    snprintf(in, sizeof in, "%s  ", ind);
    for (int c = 0; c < 3; c++) put_mesh_slab(f, in, d, field, step, c, n);
    fprintf(f, "%s</DataItem>\n", ind);
}

/* The topology of one of a mesh step's grids: /mesh/triangles (3 nodes an element) or, for the
 * edge grid, /mesh/edges (2). */
static void mesh_topology(FILE *f, const char *ind, const sd_xdmf_desc *d, int edges)
{
    const int64_t n = edges ? d->mesh->ne : d->mesh->nf;
    const int k = edges ? 2 : 3;
    fprintf(f, "%s<Topology TopologyType=\"%s\" NumberOfElements=\"%" PRId64 "\" NodesPerElement=\"%d\">\n"
               "%s  <DataItem Dimensions=\"%" PRId64 " %d\" NumberType=\"Int\" Precision=\"8\" Format=\"HDF\">",
            ind, edges ? "Polyline" : "Triangle", n, k, ind, n, k);
    put_esc(f, d->h5_name);
    fprintf(f, ":/mesh/%s</DataItem>\n%s</Topology>\n", edges ? "edges" : "triangles", ind);
}

/* The XYZ geometry of one of step `step`'s grids: the positions field of step pos, else (NULL) the
 * initial positions; its DataItem's first child the comment key (see mesh_step), which names the
 * step and, for the edge grid (what: "edges on "), the grid. */
static void mesh_geometry(FILE *f, const char *ind, const sd_xdmf_desc *d, int64_t step, const sd_xdmf_rec *pos,
                          const char *what)
{
    const sd_xdmf_mesh *m = d->mesh;
    char key[128], in[32];
    snprintf(in, sizeof in, "%s  ", ind);
    fprintf(f, "%s<Geometry GeometryType=\"XYZ\">\n", ind);
    if (pos) {
        snprintf(key, sizeof key, "step %08" PRId64 ": %spositions of step %08" PRId64, step, what, pos->step);
        put_mesh_join(f, in, d, m->position_field, pos->step, m->nv, key);
    } else {
        snprintf(key, sizeof key, "step %08" PRId64 ": %sinitial positions", step, what);
        fprintf(f, "%s<DataItem Dimensions=\"%" PRId64 " 3\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
                   "<!-- %s -->", in, m->nv, key);
        put_esc(f, d->h5_name);
        fputs(":/mesh/positions</DataItem>\n", f);
    }
    fprintf(f, "%s</Geometry>\n", ind);
}

/* The fields of a step, recs[0 .. n) sorted by field, that live on one of its grids: on the
 * triangle grid (edges 0) vertex fields node-centred and face fields cell-centred, on the edge grid
 * (edges 1) edge fields cell-centred (an edge is a cell of that grid). One component a Scalar,
 * three a Vector, any other count one Scalar per component (NAME_0, NAME_1, ...). */
static void mesh_attributes(FILE *f, const char *ind, const sd_xdmf_desc *d, const sd_xdmf_rec *const *recs, size_t n,
                            int edges)
{
    const sd_xdmf_mesh *m = d->mesh;
    char in[32];
    snprintf(in, sizeof in, "%s  ", ind);
    for (size_t k = 0; k < n; k++) {
        int fi = recs[k]->field, nc = d->ncomp[fi], loc = m->location[fi];
        if (k > 0 && recs[k - 1]->field == fi) continue; /* duplicate record: once */
        if ((loc == SD_MESH_EDGES) != edges) continue;   /* on the other grid */
        int64_t ne = loc == SD_MESH_FACES ? m->nf : loc == SD_MESH_EDGES ? m->ne : m->nv;
        const char *center = loc == SD_MESH_FACES || loc == SD_MESH_EDGES ? "Cell" : "Node";
        for (int c = 0; c < (nc == 3 ? 1 : nc); c++) {
            fprintf(f, "%s<Attribute Name=\"", ind);
            put_esc(f, d->field_names[fi]);
            if (nc != 1 && nc != 3) fprintf(f, "_%d", c);
            fprintf(f, "\" AttributeType=\"%s\" Center=\"%s\">\n", nc == 3 ? "Vector" : "Scalar", center);
            if (nc == 3) {
                put_mesh_join(f, in, d, fi, recs[k]->step, ne, NULL);
            } else if (nc > 1) {
                put_mesh_slab(f, in, d, fi, recs[k]->step, c, ne);
            } else {
                fprintf(f, "%s<DataItem Dimensions=\"%" PRId64 "\" NumberType=\"Float\" Precision=\"%d\" Format=\"HDF\">",
                        in, ne, d->dtypes[fi] == SD_F32 ? 4 : 8);
                put_field_ref(f, d, fi, recs[k]->step);
                fputs("</DataItem>\n", f);
            }
            fprintf(f, "%s</Attribute>\n", ind);
        }
    }
}

/* 1 when a field of the mesh lives on its edges: every step's grid is then a spatial collection of
 * the triangle grid and the edge grid. One layout for all steps, also those without edge fields:
 * ParaView's XDMF Reader gives the temporal collection the data type of its first grid (a
 * multiblock or an unstructured grid) and fails at a step of the other type. */
static int mesh_edge_grids(const sd_xdmf_desc *d)
{
    for (int i = 0; d->mesh && i < d->nfields; i++)
        if (d->mesh->location[i] == SD_MESH_EDGES) return 1;
    return 0;
}

/* One step of a mesh run: the Triangle topology, the geometry (the positions field of the latest
 * step at or before this one, *pos, else the initial positions) and the fields of the step, recs[0
 * .. n), sorted by field (mesh_attributes). With edge fields (edge_grids) that is the first grid,
 * "triangles", of the step's spatial collection, and the second, "edges", is the Polyline topology
 * of /mesh/edges on the same geometry with the edge fields.
 * The geometry's DataItem starts with a comment naming this step: ParaView's XDMF Reader keys a
 * cache of each grid's points and cells, with the arrays it had, on the text of the first child of
 * the topology's and the geometry's DataItems (one cache entry per position in a spatial
 * collection); a key shared by two steps (the same positions) would make it show the arrays of the
 * step read before, also those the other step does not have, and an element as first child (a
 * JOIN's slabs) makes it log an error. A comment per step avoids both; the edge grid's also names
 * the grid ("step 00000050: edges on positions of step 00000050"), so no key is ever the
 * triangle grid's. */
static void mesh_step(FILE *f, const sd_xdmf_desc *d, const sd_xdmf_rec *const *recs, size_t n,
                      const sd_xdmf_rec **pos, int edge_grids)
{
    const sd_xdmf_mesh *m = d->mesh;
    for (size_t k = 0; k < n; k++)
        if (recs[k]->field == m->position_field) *pos = recs[k];
    const int64_t step = recs[0]->step;
    if (!edge_grids) {
        const char *ind = "        ";
        mesh_topology(f, ind, d, 0);
        mesh_geometry(f, ind, d, step, *pos, "");
        mesh_attributes(f, ind, d, recs, n, 0);
        return;
    }
    const char *ind = "          ";
    fputs("        <Grid Name=\"triangles\" GridType=\"Uniform\">\n", f);
    mesh_topology(f, ind, d, 0);
    mesh_geometry(f, ind, d, step, *pos, "");
    mesh_attributes(f, ind, d, recs, n, 0);
    fputs("        </Grid>\n        <Grid Name=\"edges\" GridType=\"Uniform\">\n", f);
    mesh_topology(f, ind, d, 1);
    mesh_geometry(f, ind, d, step, *pos, "edges on ");
    mesh_attributes(f, ind, d, recs, n, 1);
    fputs("        </Grid>\n", f);
}

static int write_body(FILE *f, const sd_xdmf_desc *d)
{
    const sd_xdmf_rec **r = NULL;
    if (d->nrec) {
        r = malloc(d->nrec * sizeof *r);
        if (!r) return -1;
        for (size_t i = 0; i < d->nrec; i++) r[i] = &d->rec[i];
        qsort(r, d->nrec, sizeof *r, cmp_rec);
    }
    const int mdim = 3;
    fprintf(f, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
               "<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
               "  <Domain>\n");
    /* The grid's units (of Origin/Spacing and of Time), as XDMF Information (name/value) */
    const char *uname[2] = {"units_length", "units_time"}, *uval[2] = {d->units_length, d->units_time};
    for (int k = 0; k < 2; k++)
        if (uval[k] && *uval[k]) {
            fprintf(f, "    <Information Name=\"%s\" Value=\"", uname[k]);
            put_esc(f, uval[k]);
            fputs("\"/>\n", f);
        }
    fputs("    <Grid Name=\"stardag\" GridType=\"Collection\" CollectionType=\"Temporal\">\n", f);
    /* Geometry values are slowest axis first (z y x), like Dimensions. An absent axis has one
     * node; its spacing (the run file's, 1) only sets the cell size a viewer would extrude. */
    double sp[3] = {d->spacing[2], d->spacing[1], d->spacing[0]}, org[3] = {0, 0, 0};
    size_t i = 0;
    const sd_xdmf_rec *pos = NULL; /* a mesh's latest positions */
    const int edge_grids = mesh_edge_grids(d);
    while (i < d->nrec) {
        size_t j = i;
        while (j < d->nrec && r[j]->step == r[i]->step) j++;
        fprintf(f, "      <Grid Name=\"step_%08" PRId64 "\" GridType=\"%s\">\n", r[i]->step,
                edge_grids ? "Collection\" CollectionType=\"Spatial" : "Uniform");
        fprintf(f, "        <Time Value=\"%.17g\"/>\n", r[i]->time);
        if (d->mesh) {
            mesh_step(f, d, r + i, j - i, &pos, edge_grids);
            fputs("      </Grid>\n", f);
            i = j;
            continue;
        }
        fputs("        <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"", f);
        emit_dims(f, d, 1);
        fputs("\"/>\n        <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n", f);
        fprintf(f, "          <DataItem Name=\"Origin\" Dimensions=\"%d\" NumberType=\"Float\" "
                   "Precision=\"8\" Format=\"XML\">", mdim);
        for (int k = 0; k < mdim; k++) fprintf(f, "%s%.17g", k ? " " : "", org[k]);
        fprintf(f, "</DataItem>\n          <DataItem Name=\"Spacing\" Dimensions=\"%d\" "
                   "NumberType=\"Float\" Precision=\"8\" Format=\"XML\">", mdim);
        for (int k = 0; k < mdim; k++) fprintf(f, "%s%.17g", k ? " " : "", sp[k]);
        fprintf(f, "</DataItem>\n        </Geometry>\n");
        for (size_t k = i; k < j; k++) {
            int fi = r[k]->field;
            if (k > i && r[k - 1]->field == fi) continue; /* duplicate record: once */
            if (d->ninner && d->ninner[fi]) continue;     /* on inner axes: not a node attribute */
            int prec = d->dtypes[fi] == SD_F32 ? 4 : 8;
            int nc = d->ncomp[fi];
            for (int c = 0; c < nc; c++) {
                fputs("        <Attribute Name=\"", f);
                put_esc(f, d->field_names[fi]);
                if (nc > 1) fprintf(f, "_%d", c);
                fputs("\" AttributeType=\"Scalar\" Center=\"Node\">\n", f);
                const char *ind = "          ";
                if (nc > 1) {
                    fputs("          <DataItem ItemType=\"HyperSlab\" Dimensions=\"", f);
                    emit_dims(f, d, 1); /* the result has the mesh's shape (see the top) */
                    fprintf(f, "\" Type=\"HyperSlab\">\n");
                    int rk = d->ndim + 1;
                    fprintf(f, "            <DataItem Dimensions=\"3 %d\" Format=\"XML\">%d", rk, c);
                    for (int q = 1; q < rk; q++) fputs(" 0", f);
                    for (int q = 0; q < rk; q++) fputs(" 1", f);
                    fputs(" 1 ", f);
                    emit_dims(f, d, 0);
                    fputs("</DataItem>\n", f);
                    ind = "            ";
                }
                fprintf(f, "%s<DataItem Dimensions=\"", ind);
                if (nc > 1) fprintf(f, "%d ", nc);
                emit_dims(f, d, nc == 1); /* the dataset's own shape inside a HyperSlab */
                fprintf(f, "\" NumberType=\"Float\" Precision=\"%d\" Format=\"HDF\">", prec);
                put_esc(f, d->h5_name);
                fputs(":/fields/", f);
                put_esc(f, d->field_names[fi]);
                fprintf(f, "/%08" PRId64 "</DataItem>\n", r[k]->step);
                if (nc > 1) fputs("          </DataItem>\n", f);
                fputs("        </Attribute>\n", f);
            }
        }
        fputs("      </Grid>\n", f);
        i = j;
    }
    fputs("    </Grid>\n  </Domain>\n</Xdmf>\n", f);
    free(r);
    return 0;
}

/* A new temporary file beside path, PATH.<pid>.<k>.tmp, created exclusively (O_EXCL: never a
 * user's file, never another run's or another writer's temporary; the mode is 0644 less the
 * umask, applied by open, which needs no umask() call from this writer thread). *tmp is malloc'ed. */
static int create_beside(const char *path, char **tmp)
{
    static unsigned counter; /* different names for this process's successive sidecars */
    const size_t n = strlen(path) + 48;
    if (!(*tmp = malloc(n))) {
        errno = ENOMEM;
        return -1;
    }
    for (int tries = 0; tries < 100; tries++) {
        snprintf(*tmp, n, "%s.%ld.%u.tmp", path, (long)getpid(), __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
        const int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1; /* errno is EEXIST */
}

int sd_xdmf_write(const char *xmf_path, const sd_xdmf_desc *d, char *err, size_t errlen)
{
    char *tmp = NULL;
    int fd = create_beside(xmf_path, &tmp);
    if (fd < 0 && !tmp) { sd_io_seterr(err, errlen, "%s: out of memory", xmf_path); return -1; }
    if (fd < 0) {
        sd_io_seterr(err, errlen, "%s: cannot create XDMF sidecar: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        sd_io_seterr(err, errlen, "%s: cannot open XDMF sidecar: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    int rc = write_body(f, d);
    int e = 0;
    if (rc < 0) e = ENOMEM;
    if (fflush(f) != 0 && !e) e = errno;
    if (!e && sd_fsync(fd) != 0) e = errno;
    if (fclose(f) != 0 && !e) e = errno;
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot write XDMF sidecar: %s", tmp, strerror(e));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (rename(tmp, xmf_path) != 0) {
        sd_io_seterr(err, errlen, "%s: cannot rename XDMF sidecar into place: %s", xmf_path,
               strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    (void)sd_fsync_dir_of(xmf_path); /* make the rename durable (best effort) */
    return 0;
}
