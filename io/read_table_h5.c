/* read_table_h5.c - a numeric table from an HDF5 dataset (read_table.h): a 2-D dataset is rows x
 * columns, a 1-D one a single column; float or integer values, converted to double by HDF5. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5err.h"
#include "h5util.h"
#include "read_field.h"
#include "read_table.h"

int sd_table_read_h5(const char *file, const char *dataset, double **data, int64_t *rows, int *cols, int *in_dataset,
                     char *err, size_t errlen)
{
    *in_dataset = 0;
    *data = NULL;
    *rows = 0;
    *cols = 0;
    char path[1024];
    int64_t step;
    int at;
    /* the dataset looked up as io.read_field does: "no dataset /x (datasets in the file: ...)" */
    if (sd_rf_resolve(file, dataset, NULL, SD_RF_NO_STEP, path, sizeof path, &step, &at, err, errlen) < 0) {
        *in_dataset = at != SD_RF_AT_FILE;
        return -1;
    }
    *in_dataset = 1; /* the file opened: what follows is about the dataset */    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(file, err, errlen), ds = -1, sp = -1, t = -1;
    int rc = -1;
    char why[256];
    if (f < 0) goto out;
    if ((ds = H5Dopen2(f, path, H5P_DEFAULT)) < 0 || (sp = H5Dget_space(ds)) < 0 || (t = H5Dget_type(ds)) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read dataset %s: %s", file, path, sd_h5why(why, sizeof why));
        goto out;
    }
    const H5T_class_t cls = H5Tget_class(t);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        sd_io_seterr(err, errlen, "%s: dataset %s holds %s (expected numbers: a float or integer dataset)", file, path,
                     cls == H5T_STRING ? "strings" : cls == H5T_COMPOUND ? "compound records" : "a non-numeric type");
        goto out;
    }
    hsize_t d[2] = {0, 1};
    const int rank = H5Sget_simple_extent_ndims(sp);
    if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims(sp, d, NULL) != rank) {
        sd_io_seterr(err, errlen, "%s: dataset %s has rank %d (expected a table: rank 2, rows x columns, or rank 1, one "
                     "column)", file, path, rank);
        goto out;
    }
    if (d[0] < 1 || d[1] < 1 || d[1] > (hsize_t)(1 << 20) || d[0] * d[1] > (hsize_t)SD_TABLE_MAX_VALUES) {
        sd_io_seterr(err, errlen, "%s: dataset %s is [%llu][%llu] (expected at least one row and one column, at most "
                     "%d columns and %" PRId64 " values)", file, path, (unsigned long long)d[0], (unsigned long long)d[1],
                     1 << 20, SD_TABLE_MAX_VALUES);
        goto out;
    }
    if (!(*data = malloc((size_t)(d[0] * d[1]) * sizeof **data))) {
        sd_io_seterr(err, errlen, "%s: out of memory reading dataset %s", file, path);
        goto out;
    }
    if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot read dataset %s: %s", file, path, sd_h5why(why, sizeof why));
        goto out;
    }
    for (hsize_t k = 0; k < d[0] * d[1]; k++)
        if (!isfinite((*data)[k])) {
            sd_io_seterr(err, errlen, "%s: dataset %s: value [%llu][%llu] is %g (expected a finite number)", file, path,
                         (unsigned long long)(k / d[1]), (unsigned long long)(k % d[1]), (*data)[k]);
            goto out;
        }
    *rows = (int64_t)d[0];
    *cols = (int)d[1];
    rc = 0;
out:
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    if (f >= 0) H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return rc;
}
