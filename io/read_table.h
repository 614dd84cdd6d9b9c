/* read_table.h - a numeric table from a text file (a graph's `tables:`), or from an HDF5 dataset
 * (read_table_h5.c). A text file has one row per line,
 * numbers separated by spaces, tabs or commas, '#' to the end of the line a comment, blank lines
 * skipped, every row with the same number of columns, at least one row. Messages are
 * "FILE:LINE:COL: what was found (expected what)". */
#ifndef STARDAG_IO_READ_TABLE_H
#define STARDAG_IO_READ_TABLE_H
#include <stddef.h>
#include <stdint.h>

/* The most values a table may hold: one StarPU vector (32-bit element count). */
#define SD_TABLE_MAX_VALUES ((int64_t)UINT32_MAX)

/* Reads file into *data (malloc'd, rows x cols row-major; the caller frees it, also after a
 * failure). 0, or -1 with a message in err. */
int sd_table_read_text(const char *file, double **data, int64_t *rows, int *cols, char *err, size_t errlen);

/* The same from dataset `dataset` of HDF5 file `file`: rank 2 (rows x columns) or rank 1 (one
 * column), float or integer, every value finite. Messages: "FILE: what (expected what)";
 * *in_dataset: 1 when the failure concerns the dataset, 0 the file. */
int sd_table_read_h5(const char *file, const char *dataset, double **data, int64_t *rows, int *cols, int *in_dataset,
                     char *err, size_t errlen);

#endif
