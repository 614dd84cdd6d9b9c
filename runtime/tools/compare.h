/* compare.h - comparing two run outputs (docs/output-format.md) dataset by dataset: every field
 * step /fields/<name>/<step> and every scalar series under /scalars (step and time included)
 * present in either file; or (any_file) every dataset of two HDF5 files, such as the H5MD
 * trajectories of particle runs. Used by `stardag compare` and `stardag verify`. */
#ifndef SD_COMPARE_H
#define SD_COMPARE_H

#include <stddef.h>
#include <stdio.h>

/* Element-wise tests (a from file A, b from file B, both widened to double from the dataset's
 * own type; f32 datasets are compared as f32 values):
 *  - bitwise (rtol = atol = 0, scaled_tol = 0, the default): equal bit patterns in the dataset's
 *    type (so -0 and +0 differ), or NaN in both;
 *  - tolerance: a == b, or NaN in both, or |a-b| <= atol + rtol*max(|a|,|b|);
 *  - scaled (scaled_tol > 0, which replaces rtol/atol): a == b, or NaN in both, or
 *    |a-b| <= scaled_tol * max |a| over the finite values of A's dataset (A is the reference).
 * A NaN matches only a NaN at the same position. Integer datasets (/scalars/step) are always
 * compared exactly. */
typedef struct sd_compare_opts {
    double rtol, atol;
    double scaled_tol;
    const char *const *fields;  /* only these fields (nfields of them); NULL with nfields 0: all */
    int nfields;
    const char *const *scalars; /* only these scalar series (and step, time); NULL: all */
    int nscalars;
    int only_listed;            /* 1: a NULL list means "none" when the other list is given
                                   (the CLI: --fields alone compares no scalars) */
    int report_all;             /* 1: a line for every dataset; 0: only for datasets that differ */
    int any_file;               /* 1: every dataset of two HDF5 files of any layout (an H5MD
                                   trajectory, say), found by walking the whole file; no
                                   stardag_format needed; fields/scalars lists are ignored */
} sd_compare_opts;

typedef struct sd_compare_result {
    int datasets;       /* datasets compared (the union of both files' names) */
    int differ;         /* of those: out of tolerance, missing in one file, shape/dtype mismatch */
    long long elements; /* elements compared */
    double max_abs;     /* largest |a-b| over all datasets (finite pairs) */
    double max_rel;     /* largest |a-b|/max(|a|,|b|) */
    double max_scaled;  /* largest |a-b| / max|A's dataset| */
    char first[160];    /* name of the first dataset that differs, "" if none */
} sd_compare_result;

void sd_compare_opts_init(sd_compare_opts *o);

/* Compare files a and b. Per-dataset lines and the final verdict line
 * ("A and B agree (bitwise)", "A and B agree within rtol=.. atol=..", "A and B agree within
 * tol=.. x max|A|" or "A and B differ: K of M datasets out of tolerance") go to report (NULL:
 * nothing is printed). Returns SD_EXIT_OK (0) when they agree, SD_EXIT_CHECK (3) when they
 * differ, SD_EXIT_BADGRAPH (2) for bad input (a file missing, not HDF5, not a stardag output,
 * a --fields/--scalars name in neither file) with a one-line message naming the file in err.
 * res (may be NULL) receives the numbers. */
int sd_compare_h5(const char *a, const char *b, const sd_compare_opts *o, FILE *report, sd_compare_result *res,
                  char *err, size_t errlen);

#endif
