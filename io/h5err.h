/* h5err.h - error messages for the io/ files: one-line messages, HDF5's reason from its error
 * stack, and HDF5's automatic error printing switched off around a call. */
#ifndef STARDAG_IO_H5ERR_H
#define STARDAG_IO_H5ERR_H
#include <stddef.h>
#include <hdf5.h>

/* printf into err (if any), newlines folded so the message stays one line. */
void sd_io_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The reason of the last HDF5 failure (errno text from the file driver when there is one);
 * clears the error stack. */
const char *sd_h5why(char *buf, size_t len);

/* Why H5Fopen of path failed: sd_h5why, or, when another process holds the file's lock, that it
 * is in use (a run still writing it holds its output until it ends). */
const char *sd_h5_open_why(const char *path, char *buf, size_t len);

typedef struct sd_h5_quiet { H5E_auto2_t fn; void *data; } sd_h5_quiet;
sd_h5_quiet sd_h5_quiet_on(void);
void sd_h5_quiet_off(sd_h5_quiet q);
#endif
