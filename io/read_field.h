/* read_field.h - a grid field's values from an HDF5 file (io.read_field): find the dataset (a
 * plain one, or a field of a stardag output at a step), check its shape and type against the
 * field, read it whole. Messages name the file, the dataset and what does not match. */
#ifndef STARDAG_IO_READ_FIELD_H
#define STARDAG_IO_READ_FIELD_H
#include <stddef.h>
#include <stdint.h>

#define SD_RF_MAX_RANK 7         /* components, 3 inner axes, 3 spatial axes */
#define SD_RF_NO_STEP INT64_MIN  /* a plain dataset */
#define SD_RF_LAST_STEP (-1)     /* a stardag output's last written step */

/* Which part of a request a failure is about (for the caller's position in the graph). */
enum { SD_RF_AT_FILE = 1, SD_RF_AT_DATASET, SD_RF_AT_STEP, SD_RF_AT_SHAPE };

/* What the field needs: dims slowest first, exactly as stardag's output writes them
 * ([c][inner...][z][y][x], without the component dimension for one component). */
typedef struct sd_rf_shape {
    char what[160];                /* "field E", "level E_prev of field E" */
    int rank;
    int64_t dims[SD_RF_MAX_RANK];
    char axes[SD_RF_MAX_RANK][24]; /* their names, for messages: "component", "E", "y", "x" */
    int dtype;                     /* the field's: SD_F32 or SD_F64 */
    int narrow;                    /* f64 data may be rounded into an f32 field */
} sd_rf_shape;

/* The dataset of a request: `dataset` (plain) when step is SD_RF_NO_STEP, else field `field` of a
 * stardag output at `step` (SD_RF_LAST_STEP: the largest written). Fills path (the dataset's
 * path) and *step_found. 0, or -1 with a message and *at telling which part failed. */
int sd_rf_resolve(const char *file, const char *dataset, const char *field, int64_t step, char *path, size_t pathlen,
                  int64_t *step_found, int *at, char *err, size_t errlen);
/* The dataset's shape and type against want: 0, or -1 with a message (*at as above). */
int sd_rf_check(const char *file, const char *path, const sd_rf_shape *want, int *at, char *err, size_t errlen);
/* Check, then read the whole dataset into buf (want's element count, in want->dtype). 0 or -1. */
int sd_rf_read(const char *file, const char *path, const sd_rf_shape *want, void *buf, char *err, size_t errlen);

#endif
