/* h5util.c - see h5util.h: opening read-only, directory sync, attribute, string and row helpers.
 * The ordered file driver and the commit built on it are in h5vfd.c. */
#define _GNU_SOURCE
#include "h5util.h"
#include "h5err.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

hid_t sd_h5_open_ro(const char *file, char *err, size_t errlen)
{
    struct stat st;
    if (stat(file, &st) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot open: %s", file, strerror(errno));
        return -1;
    }
    if (H5Fis_hdf5(file) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        sd_io_seterr(err, errlen, "%s: not an HDF5 file", file);
        return -1;
    }
    char why[256];
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) sd_io_seterr(err, errlen, "%s: cannot open: %s", file, sd_h5_open_why(file, why, sizeof why));
    return f;
}


int sd_h5_attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype, int rank, hsize_t n,
                     const void *v)
{
    hid_t sp = rank ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
    if (sp < 0) return -1;
    hid_t a;
    if (H5Aexists(obj, name) > 0) a = H5Aopen(obj, name, H5P_DEFAULT);
    else a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(sp);
    if (a < 0) return -1;
    int rc = H5Awrite(a, mtype, v) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

hid_t sd_h5_str_type(size_t len, H5T_cset_t cset)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return -1;
    if (H5Tset_size(t, len) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 || H5Tset_cset(t, cset) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

char *sd_h5_pack_strings(int n, const char *const *s, size_t *len)
{
    size_t l = 1;
    for (int i = 0; i < n; i++)
        if (strlen(s[i]) + 1 > l) l = strlen(s[i]) + 1;
    *len = l;
    char *buf = calloc(n > 0 ? (size_t)n : 1, l);
    if (buf)
        for (int i = 0; i < n; i++) memcpy(buf + (size_t)i * l, s[i], strlen(s[i]));
    return buf;
}

int sd_h5_attr_strings(hid_t obj, const char *name, int n, const char *const *s, H5T_cset_t cset)
{
    size_t l;
    char *buf = sd_h5_pack_strings(n ? n : 1, s, &l);
    if (!buf) return -1;
    hid_t t = sd_h5_str_type(l, cset);
    int rc = t < 0 ? -1 : sd_h5_attr_write(obj, name, t, t, n ? 1 : 0, (hsize_t)(n ? n : 1), buf);
    if (t >= 0) H5Tclose(t);
    free(buf);
    return rc;
}

int sd_h5_num_dataset(hid_t loc, const char *name, int64_t n, hid_t ft, hid_t mt, const void *v)
{
    hsize_t dn = (hsize_t)n;
    hid_t sp = n >= 0 ? H5Screate_simple(1, &dn, NULL) : H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && (n == 0 || H5Dwrite(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) ? 0 : -1;
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int sd_h5_write_row(hid_t ds, int64_t row, hid_t mtype, const void *buf)
{
    hid_t fs = H5Dget_space(ds);
    if (fs < 0) return -1;
    hsize_t dims[3], start[3] = {0, 0, 0}, count[3];
    int rank = H5Sget_simple_extent_dims(fs, dims, NULL);
    H5Sclose(fs);
    if (rank < 1 || rank > 3) return -1;
    dims[0] = (hsize_t)row + 1;
    if (H5Dset_extent(ds, dims) < 0) return -1;
    if ((fs = H5Dget_space(ds)) < 0) return -1;
    start[0] = (hsize_t)row;
    count[0] = 1;
    for (int i = 1; i < rank; i++) count[i] = dims[i];
    hid_t ms = H5Screate_simple(rank, count, NULL);
    int rc = -1;
    if (ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        H5Dwrite(ds, mtype, ms, fs, H5P_DEFAULT, buf) >= 0)
        rc = 0;
    if (ms >= 0) H5Sclose(ms);
    H5Sclose(fs);
    return rc;
}

int sd_h5_attr_read(hid_t obj, const char *name, hid_t mtype, void *v)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int rc = a >= 0 && H5Aread(a, mtype, v) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    return rc;
}

int sd_h5_attr_read_str(hid_t obj, const char *name, char *buf, size_t len)
{
    buf[0] = 0;
    htri_t has = H5Aexists(obj, name);
    if (has == 0) return 1;
    if (has < 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
    int rc = -1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) == 0) {
        size_t n = H5Tget_size(t);
        char *tmp = calloc(n + 1, 1);
        if (tmp && H5Aread(a, t, tmp) >= 0) {
            snprintf(buf, len, "%s", tmp);
            rc = 0;
        }
        free(tmp);
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return rc;
}

int sd_h5_attr_hex(hid_t obj, const char *name, uint64_t v)
{
    char buf[17];
    const char *s[1] = {buf};
    snprintf(buf, sizeof buf, "%016" PRIx64, v);
    return sd_h5_attr_strings(obj, name, 0, s, H5T_CSET_ASCII);
}

int sd_h5_attr_read_hex(hid_t obj, const char *name, uint64_t *v)
{
    char buf[32], *end;
    if (sd_h5_attr_read_str(obj, name, buf, sizeof buf) != 0 || strlen(buf) != 16) return -1;
    *v = strtoull(buf, &end, 16);
    return *end ? -1 : 0;
}

int sd_h5_str_list(hid_t loc, const char *name, int n, const char *const *v, H5T_cset_t cset)
{
    size_t l;
    char *buf = sd_h5_pack_strings(n, v, &l);
    if (!buf) return -1;
    hsize_t dn = (hsize_t)n;
    hid_t t = sd_h5_str_type(l, cset), sp = H5Screate_simple(1, &dn, NULL);
    hid_t d = t >= 0 && sp >= 0 ? H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int rc = d >= 0 && (n == 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) ? 0 : -1;
    if (d >= 0 && H5Dclose(d) < 0) rc = -1;
    if (sp >= 0 && H5Sclose(sp) < 0) rc = -1;
    if (t >= 0 && H5Tclose(t) < 0) rc = -1;
    free(buf);
    return rc;
}
