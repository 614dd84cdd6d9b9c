/* h5util.h - HDF5 helpers shared by the crash-safe writers io/h5out.c (run output) and io/h5md.c
 * (H5MD trajectories): the file-creation and file-access settings that keep a killed file at its
 * last flush, space reservation before HDF5 touches its state, discarding unflushed metadata at
 * close, attribute and string writers, and row appends to extensible datasets. The design is
 * described at the top of io/h5out.c. Internal to libstardag. */
#ifndef STARDAG_IO_H5UTIL_H
#define STARDAG_IO_H5UTIL_H
#include <stdint.h>
#include <hdf5.h>

/* Set the crash-safe properties: append-only file space (H5F_FSPACE_STRATEGY_NONE) on fcpl; on
 * fapl a metadata cache that never evicts (dirty metadata stays in memory until H5Fflush) and a
 * strong close degree. 0, or -1 (HDF5's error stack says why). */
int sd_h5_crash_safe_plists(hid_t fcpl, hid_t fapl);

/* The POSIX descriptor of a file opened with the sec2 driver, or -1. */
int sd_h5_vfd_fd(hid_t file);

/* Make sure the file has room for `need` more bytes past HDF5's end of allocation (plus a
 * metadata margin of 256 KiB), so a full disk or file size limit fails here and not inside
 * HDF5. 0, or an errno value. */
int sd_h5_reserve(hid_t file, uint64_t need);

/* Point HDF5's descriptor of `file` at a scratch sink (a memfd named `tag`, else /dev/null), so
 * that whatever HDF5 writes from then on (the unflushed metadata at H5Fclose) goes nowhere and
 * the file stays at its last flush. The caller then closes its handles and the file. */
void sd_h5_discard_writes(hid_t file, const char *tag);

/* Attribute `name` of obj: a scalar (rank 0) or n values (rank 1) of file type ftype, written
 * from v in memory type mtype; an existing attribute of that name is opened and overwritten. */
int sd_h5_attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype, int rank, hsize_t n,
                     const void *v);

/* A fixed-length, NUL-terminated string type of `len` bytes (NUL included) in character set
 * cset; H5Tclose it. -1 on failure. */
hid_t sd_h5_str_type(size_t len, H5T_cset_t cset);

/* The n strings s[] packed into one zeroed buffer of max(n, 1) slots of *len bytes, *len being
 * the longest string plus its NUL (at least 1); free() it. NULL when out of memory. */
char *sd_h5_pack_strings(int n, const char *const *s, size_t *len);

/* Fixed-length, NUL-terminated string attribute in character set cset: the n strings s[]
 * (rank 1), or the one string s[0] as a scalar when n == 0. */
int sd_h5_attr_strings(hid_t obj, const char *name, int n, const char *const *s, H5T_cset_t cset);

/* A dataset of n numbers of file type ft written from v (memory type mt): 1-D, or a scalar when
 * n < 0; nothing is written when n == 0. */
int sd_h5_num_dataset(hid_t loc, const char *name, int64_t n, hid_t ft, hid_t mt, const void *v);

/* Extend the extensible dataset ds (rank 1 to 3, first dimension unlimited) to `row + 1` rows and
 * write row `row` (one element of a rank-1 dataset, the whole row of a higher-rank one) from buf
 * in memory type mtype. */
int sd_h5_write_row(hid_t ds, int64_t row, hid_t mtype, const void *buf);
#endif
