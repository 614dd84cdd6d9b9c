/* h5out_impl.h - the run file writer's state, shared by io/h5out.c (grid, fields, scalars,
 * commits) and io/h5out_mesh.c (the mesh of a mesh domain). Internal to io/. */
#ifndef STARDAG_IO_H5OUT_IMPL_H
#define STARDAG_IO_H5OUT_IMPL_H

#include <stdint.h>
#include <hdf5.h>

#include "h5out.h"
#include "xdmf.h"

struct sd_h5out {
    char *path, *xmf, *h5name;
    hid_t file, g_fields, g_scalars, *fgroup;
    hid_t ds_step, ds_time, *ds_scal;
    int ndim;
    int64_t shape[3];
    double spacing[3];
    int nfields, nscal;
    char **fname, **sname;
    int *dtype, *ncomp;
    int *ninner;        /* per field: inner axes (0: a field on the grid's nodes) */
    char units_length[32], units_time[32]; /* the grid's units ("": none), for the XDMF sidecar */
    int64_t (*inner)[3]; /* per field: their counts, axis 0 fastest */
    int64_t npoints; /* per component */
    hsize_t fchunk[4];
    int64_t nrows, committed_rows, ncommits;
    sd_xdmf_rec *rec;
    size_t nrec, caprec, committed_rec;
    int poisoned;
    /* A mesh run (sd_h5out_set_mesh): its fields have one element axis, of nv, nf or ne elements
     * (mesh_location per field), instead of the grid's axes. */
    int has_mesh;
    int64_t mesh_nv, mesh_nf, mesh_ne; /* mesh_ne: 0 when /mesh has no edges */
    int *mesh_location;      /* per field: SD_MESH_VERTICES / SD_MESH_FACES / SD_MESH_EDGES */
    int mesh_position_field; /* the field that moves the vertices, or -1 */
    /* Profiles (io/h5out_profile.c): their groups and row datasets, flushed at each commit. */
    int nprof;
    struct sd_h5out_prof *prof;
    hid_t g_profiles;
    /* Opened by sd_h5out_continue: the file's mesh, inner axes, tables and profiles exist and are
     * checked and attached to instead of written. */
    int continued;
    int64_t continued_counts[3]; /* sd_h5out_continue: field steps, scalar rows, profile rows kept */
    int step_output_gone;        /* sd_h5out_continue: K's own output went in an earlier restart */
};

/* io/h5out.c: the writer's state for the declarations (create's checks), no file yet; its handles
 * closed; it freed; attributes (an existing one is replaced). */
sd_h5out *sd_h5out_new(const char *path, const sd_h5decl *d, char *err, size_t errlen);
void sd_h5out_close_handles(sd_h5out *o);
void sd_h5out_free_obj(sd_h5out *o);
/* Elements of a mesh field's dataset: the mesh's vertices, faces or edges by the field's location. */
int64_t sd_h5out_mesh_elements(const sd_h5out *o, int field);
/* A written field step appended to the list the XDMF sidecar is made from. 0, or -1 out of memory. */
int sd_h5out_add_rec(sd_h5out *o, int64_t step, double time, int field);
int sd_h5out_attr_i64(hid_t obj, const char *name, int64_t v);
int sd_h5out_attr_str(hid_t obj, const char *name, const char *s);
int sd_h5out_attr_f64(hid_t obj, const char *name, double v);
/* sd_h5out_commit through sd_h5_commit_removal (a commit that only removes). */
int sd_h5out_commit_removal(sd_h5out *o, char *err, size_t errlen);
/* io/h5out_continue.c: attach profile p of a continued file (its group and row datasets, checked
 * against p); its index, or -1 with a message. */
int sd_h5out_attach_profile(sd_h5out *o, const sd_h5profile *p, char *err, size_t errlen);

/* io/h5out_profile.c: flush the profiles' row datasets (commit, before H5Fflush); close their
 * handles; free them. */
int sd_h5out_profiles_flush(sd_h5out *o);
void sd_h5out_profiles_close(sd_h5out *o);
void sd_h5out_profiles_free(sd_h5out *o);

#endif
