/* compare_dset.h - one dataset of an HDF5 file read whole in its own type, for `stardag compare`:
 * floats, integers of their size and sign, strings, and other fixed types as their bytes, with what
 * the comparison asks of an element (its value, exact text, equality). */
#ifndef SD_COMPARE_DSET_H
#define SD_COMPARE_DSET_H
#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>

typedef struct sd_dset {
    int kind;        /* 'f' float (esize 4 or 8); 'i' signed, 'u' unsigned integer (esize 1, 2, 4, 8);
                        's' string (fixed: esize bytes each; vlen: a char * each); 'b' any other type
                        without variable-length parts, as the bytes of its native type */
    int vlen;        /* 's': variable-length strings */
    size_t esize;
    char tname[16];  /* "f64", "int32", "uint8", "string12" (fixed, its bytes), "vlen string", "enum", ... */
    hid_t mt;        /* the memory type it was read as (vlen strings are reclaimed with it) */
    int rank;
    hsize_t dims[H5S_MAX_RANK];
    hsize_t n;
    void *buf;
} sd_dset;

/* Read dataset path of f whole: 0, or -1 with why (and d empty). */
int sd_dset_read(hid_t f, const char *path, sd_dset *d, char *why, size_t wl);
void sd_dset_free(sd_dset *d);
/* "f64", "int32", "uint8", "string[12]", "vlen string", "enum", ... */
const char *sd_dset_type(const sd_dset *d);
/* "[2][3]" ("[]" for a scalar) */
void sd_dset_dims_text(const sd_dset *d, char *buf, size_t len);
/* Element i as a double (the differences' sizes; strings and other types: 0). */
double sd_dset_value(const sd_dset *d, hsize_t i);
/* |a_i - b_i| of integers of one type, from the exact difference. */
double sd_dset_int_diff(const sd_dset *a, const sd_dset *b, hsize_t i);
/* Element i as text, exactly (the first difference's values). */
void sd_dset_value_text(const sd_dset *d, hsize_t i, char *buf, size_t len);
/* Element i the same in a and b (of one type): its bits; strings their text. */
int sd_dset_same(const sd_dset *a, const sd_dset *b, hsize_t i);
/* The index of flat element `flat` as "[i][j]". */
void sd_dset_index_text(const sd_dset *d, hsize_t flat, char *buf, size_t len);
#endif
