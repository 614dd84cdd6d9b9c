/* h5util.c - see h5util.h. */
#define _GNU_SOURCE
#include "h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_MARGIN (256u << 10) /* reserve for metadata an operation may allocate */

int sd_h5_crash_safe_plists(hid_t fcpl, hid_t fapl)
{
    /* (2) of io/h5out.c: append-only allocation, freed space is never reused. */
    if (H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, (hsize_t)1) < 0) return -1;
    /* (1) of io/h5out.c: dirty metadata stays in memory until H5Fflush. */
    H5AC_cache_config_t cc;
    memset(&cc, 0, sizeof cc);
    cc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Pget_mdc_config(fapl, &cc) < 0) return -1;
    cc.evictions_enabled = 0;
    cc.incr_mode = H5C_incr__off;
    cc.flash_incr_mode = H5C_flash_incr__off;
    cc.decr_mode = H5C_decr__off;
    cc.set_initial_size = 1;
    cc.initial_size = 8u << 20;
    if (cc.max_size < cc.initial_size) cc.max_size = cc.initial_size;
    if (cc.min_size > cc.initial_size) cc.min_size = cc.initial_size;
    if (H5Pset_mdc_config(fapl, &cc) < 0) return -1;
    if (H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) return -1;
    return 0;
}

int sd_h5_vfd_fd(hid_t file)
{
    void *h = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &h) < 0 || !h) return -1;
    return *(int *)h;
}

int sd_h5_reserve(hid_t file, uint64_t need)
{
    int fd = sd_h5_vfd_fd(file);
    if (fd < 0) return EIO;
    hsize_t eoa = 0;
    if (H5Fget_filesize(file, &eoa) < 0) { H5Eclear2(H5E_DEFAULT); return EIO; }
    off_t target = (off_t)(eoa + need + META_MARGIN);
    struct stat st;
    if (fstat(fd, &st) != 0) return errno;
    if (st.st_size >= target) return 0;
    int e = posix_fallocate(fd, st.st_size, target - st.st_size);
    if (e == EINVAL || e == EOPNOTSUPP) e = 0; /* filesystem without fallocate: best effort */
    return e;
}

void sd_h5_discard_writes(hid_t file, const char *tag)
{
    int fd = sd_h5_vfd_fd(file);
    if (fd < 0) return;
    int sink = memfd_create(tag, MFD_CLOEXEC);
    if (sink < 0) sink = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sink >= 0) {
        dup2(sink, fd);
        close(sink);
    }
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
