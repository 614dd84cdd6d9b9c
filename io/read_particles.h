/* read_particles.h - the initial state of a particle system from a file: a LAMMPS data file
 * (atomic style), an XYZ file, or a frame of an H5MD file (io/h5md_read.c). The readers know no
 * graph: they return the atoms in id order with their type labels, and the caller maps labels to
 * its types. Messages name the file and, for text files, the line. */
#ifndef STARDAG_IO_READ_PARTICLES_H
#define STARDAG_IO_READ_PARTICLES_H
#include <stddef.h>
#include <stdint.h>

#define SD_PA_MAX_TYPES 64 /* type labels a file may use */
#define SD_PA_MAX_ATOMS ((int64_t)1 << 40) /* atoms a file may hold: the particle domain's count limit */

typedef enum { SD_PA_LAMMPS = 0, SD_PA_XYZ, SD_PA_H5MD } sd_pa_format;

typedef struct sd_patoms {
    int64_t n;
    int has_box;
    double box[3];            /* edge lengths; positions are shifted so that the box is [0, L) */
    double *x, *v;            /* 3n each, atom i at [3i, 3i+2], in id order; v NULL: the file has none */
    int32_t *type;            /* n: index into label */
    int ntypes;               /* labels in use (LAMMPS: its "atom types"; XYZ: names seen; H5MD: species) */
    char label[SD_PA_MAX_TYPES][32]; /* LAMMPS "1".."k"; XYZ element names; H5MD species "0".."k-1" */
    int by_name;              /* XYZ: labels map to types by name; else by number, in order */
    int64_t label_count[SD_PA_MAX_TYPES]; /* atoms of each label */
    int64_t label_line[SD_PA_MAX_TYPES];  /* the line where a label first appears (text files), else 0 */
    int has_mass[SD_PA_MAX_TYPES];
    double mass[SD_PA_MAX_TYPES]; /* LAMMPS Masses */
    int64_t step;             /* H5MD: the frame's step; else -1 */
    int64_t wrapped;          /* atoms found outside the box and wrapped into it */
} sd_patoms;

/* What to read: H5MD takes the particles group (default SD_H5MD_GROUP, "trajectory": the one
 * stardag writes) and a step (SD_PA_LAST: the last frame). */
#define SD_PA_LAST (-1)
typedef struct sd_pa_request {
    const char *file;
    sd_pa_format format;
    const char *group;
    int64_t step;
} sd_pa_request;

/* Read the atoms. 0, or -1 with a message ("start.data:12: ..."); a is then empty. */
int sd_patoms_read(const sd_pa_request *rq, sd_patoms *a, char *err, size_t errlen);
void sd_patoms_free(sd_patoms *a);
/* The format a file name suggests (.data/.lmp/.lammps, .xyz, .h5/.h5md/.hdf5), or -1. */
int sd_pa_format_of(const char *file);

/* The text formats (read_particles.c) and H5MD (h5md_read.c); same contract as sd_patoms_read. */
int sd_patoms_read_lammps(const char *file, sd_patoms *a, char *err, size_t errlen);
int sd_patoms_read_xyz(const char *file, sd_patoms *a, char *err, size_t errlen);
int sd_patoms_read_h5md(const char *file, const char *group, int64_t step, sd_patoms *a, char *err, size_t errlen);
/* Shared by the readers: positions shifted by lo and wrapped into [0, box) per axis (counted). */
void sd_patoms_wrap(sd_patoms *a, const double lo[3]);

#endif
