/* fuzz_readers.c - libFuzzer target: the readers of stardag's output files on mutated files (the
 * input's bytes written to a temporary file, as a user's damaged file would be): io/h5read.c (the
 * scalar table, a field's steps, a field at a step) and io/read_field.c (io.read_field: resolve the
 * dataset of a field at its last step, check its shape, read it). Every call must succeed or fail
 * with a message; a crash, a sanitizer report or a failure without a message is a defect. Seeds:
 * small run files (`make fuzz` writes them). The replay program (replay.c) runs the regression
 * inputs of tests/fuzz/readers in `make check`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#include "h5out.h"
#include "read_field.h"
#include "stardag/kernel.h"
#include "fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_file_init("fuzz_readers");
    return 0;
}

/* Names of the groups under /fields (at most 4), read with plain HDF5 calls. */
static herr_t add_name(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    char (*names)[64] = data;
    for (int i = 0; i < 4; i++)
        if (!names[i][0]) {
            snprintf(names[i], 64, "%s", name);
            return i == 3;
        }
    return 1;
}

static void read_field_of(const char *name)
{
    char err[1024] = "", dpath[512];
    int64_t *steps = NULL, n = 0;
    int rc = sd_h5_list_field_steps(fuzz_path, name, &steps, &n, err, sizeof err);
    fuzz_need_message(rc, err, "sd_h5_list_field_steps");
    for (int64_t i = 0; rc == 0 && i < n && i < 3; i++) {
        double *v = NULL;
        int64_t count = 0;
        err[0] = 0;
        fuzz_need_message(sd_h5_read_field(fuzz_path, name, steps[i], &v, &count, err, sizeof err), err, "sd_h5_read_field");
        free(v);
    }
    free(steps);
    int64_t found = 0;
    int at = 0;
    err[0] = 0;
    rc = sd_rf_resolve(fuzz_path, NULL, name, SD_RF_LAST_STEP, dpath, sizeof dpath, &found, &at, err, sizeof err);
    fuzz_need_message(rc, err, "sd_rf_resolve");
    if (rc) return;
    /* the seeds' fields: 8 x 8 x 8 f64 */
    sd_rf_shape want = {.rank = 3, .dims = {8, 8, 8}, .dtype = SD_F64, .narrow = 0};
    snprintf(want.what, sizeof want.what, "field %.60s", name);
    snprintf(want.axes[0], sizeof want.axes[0], "z");
    snprintf(want.axes[1], sizeof want.axes[1], "y");
    snprintf(want.axes[2], sizeof want.axes[2], "x");
    double *buf = malloc(8 * 8 * 8 * sizeof *buf);
    if (!buf) return;
    err[0] = 0;
    fuzz_need_message(sd_rf_read(fuzz_path, dpath, &want, buf, err, sizeof err), err, "sd_rf_read");
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_write(data, size);
    char err[1024] = "";
    int64_t *steps = NULL, n = 0;
    double *values = NULL;
    fuzz_need_message(sd_h5_read_scalar(fuzz_path, "energy", &steps, &values, &n, err, sizeof err), err, "sd_h5_read_scalar");
    free(steps);
    free(values);
    char names[4][64] = {{0}};
    H5E_auto2_t fn;
    void *fd;
    H5Eget_auto2(H5E_DEFAULT, &fn, &fd);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fis_hdf5(fuzz_path) > 0 ? H5Fopen(fuzz_path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    hid_t g = file >= 0 ? H5Gopen2(file, "fields", H5P_DEFAULT) : -1;
    hsize_t idx = 0;
    if (g >= 0) H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, add_name, names);
    if (g >= 0) H5Gclose(g);
    if (file >= 0) H5Fclose(file);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, fn, fd);
    for (int i = 0; i < 4 && names[i][0]; i++) read_field_of(names[i]);
    return 0;
}
