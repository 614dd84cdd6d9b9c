/* xdmf.h - XDMF 3 sidecar writer for the HDF5 run file (internal to io/). */
#ifndef STARDAG_IO_XDMF_H
#define STARDAG_IO_XDMF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sd_xdmf_rec { /* one committed field dataset */
    int64_t step;
    double time;
    int field;
} sd_xdmf_rec;

typedef struct sd_xdmf_mesh { /* a mesh run's Triangle mesh (/mesh of the run file) */
    int64_t nv, nf;
    const int *location;  /* per field: SD_MESH_VERTICES / SD_MESH_FACES / SD_MESH_EDGES */
    int position_field;   /* the field whose latest step at or before a grid's is its geometry; -1 */
    int64_t ne;           /* edges (/mesh/edges), when a field lives on them; else 0 */
} sd_xdmf_mesh;

typedef struct sd_xdmf_desc {
    const char *h5_name; /* file name as referenced from the sidecar (relative) */
    int ndim;
    int64_t shape[3]; /* x first */
    double spacing[3];
    int nfields;
    const char *const *field_names;
    const int *dtypes; /* SD_F32 / SD_F64 */
    const int *ncomp;
    const int *ninner; /* per field, may be NULL: inner axes; such a field is not on the grid's nodes and is left out */
    size_t nrec;
    const sd_xdmf_rec *rec; /* any order; grouped by step, steps ascending */
    const char *units_length, *units_time; /* "" or NULL: none; else Information elements */
    const sd_xdmf_mesh *mesh; /* NULL: the grid (ndim, shape, spacing); else a Triangle mesh (and its
                                 edges as a Polyline mesh when a field lives on them) */
} sd_xdmf_desc;

/* Write the sidecar atomically: <xmf_path>.tmp, fsync, rename over xmf_path, fsync the
 * directory. 0, or -1 with a message naming the file. */
int sd_xdmf_write(const char *xmf_path, const sd_xdmf_desc *d, char *err, size_t errlen);

#endif
