/* h5md_impl.h - what the H5MD writer's files share: the writer's state and the helpers that
 * creating (h5md.c) and continuing (h5md_continue.c) a trajectory both need. Internal. */
#ifndef STARDAG_IO_H5MD_IMPL_H
#define STARDAG_IO_H5MD_IMPL_H
#include <stdint.h>
#include <hdf5.h>
#include "h5md.h"

#define ROW_CHUNK 1024           /* rows per chunk of the 1-D/2-D series */
#define PART_CHUNK 65536         /* particles per chunk of a value dataset */
#define ISTORE_K 256             /* chunk B-tree nodes hold 2K entries (HDF5 default K = 32) */
#define STATUS_LEN 16            /* the root's status attribute: a fixed 16-byte string */

typedef struct obs {
    char *name;
    hid_t g, step, time, value;
    int64_t rows, last_step;
} obs;

struct sd_h5md {
    char *path;
    hid_t file;
    hid_t g_obs;
    hid_t ds_step, ds_time, ds_edges, ds_pos, ds_vel;
    int64_t N, nframes, last_step;
    double last_time, box[3];
    double *scratch;     /* [N][3] reordering buffer */
    unsigned char *seen; /* [N] id check */
    int has_vel, do_fsync, si;
    char *utime;         /* time unit for new observables (NULL in reduced units) */
    obs *obs;
    int nobs, capobs;
    int poisoned;
};

/* The root's `status` attribute (written in place). 0, or -1 (HDF5's error stack says why). */
int sd_h5md_attr_status(hid_t obj, const char *s);
/* A writer of N particles for path, no file yet (its handles -1, no frame: last_step INT64_MIN):
 * create's and continue's. NULL with a message (out of memory). */
sd_h5md *sd_h5md_alloc(const char *path, int64_t N, const double box[3], const char *units_time,
                       const sd_h5md_opts *opts, char *err, size_t errlen);
/* Flush every dataset in dependency order, then commit (and fsync when sync): h5md.c's top
 * comment. 0, or -1 with why filled (*hdf5 set when HDF5 itself failed: the writer is poisoned). */
int sd_h5md_flush_all(sd_h5md *w, int sync, char *why, size_t wl, int *hdf5);
/* Close the file without writing its unflushed metadata (the file stays at its last flush). */
void sd_h5md_close_discard(sd_h5md *w);
/* Free the writer's memory (the file closed before). */
void sd_h5md_free(sd_h5md *w);

#endif
