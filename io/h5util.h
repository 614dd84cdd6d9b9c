/* h5util.h - HDF5 helpers shared by the crash-safe writers io/h5out.c (run output) and io/h5md.c
 * (H5MD trajectories): the file-creation and file-access settings that keep a killed file at its
 * last flush, the ordered file driver and the commit that makes children durable before their
 * parents (one implementation for both writers), space reservation before HDF5 touches its state,
 * discarding unflushed metadata at close, attribute and string writers, and row appends to
 * extensible datasets. The design is described at the top of io/h5out.c and h5vfd.c, and in
 * docs/output-format.md. Internal to libstardag. */
#ifndef STARDAG_IO_H5UTIL_H
#define STARDAG_IO_H5UTIL_H
#include <stdint.h>
#include <hdf5.h>

/* Set the crash-safe properties: append-only file space (H5F_FSPACE_STRATEGY_NONE) on fcpl; on
 * fapl a metadata cache that never evicts (dirty metadata stays in memory until H5Fflush), a
 * strong close degree and the ordered file driver (sec2 that holds back metadata writes to the
 * committed part of the file until sd_h5_commit releases them; see h5vfd.c). 0, or -1 (HDF5's
 * error stack says why). */
int sd_h5_crash_safe_plists(hid_t fcpl, hid_t fapl);

/* Commit everything written so far, children before parents: H5Fflush (a caller that wants
 * some datasets' metadata issued first H5Dflushes them before), then, with the ordered driver,
 * fdatasync the children (raw data, new metadata, the file size), write the superblock and the
 * heaps' held updates, fdatasync, write the other held in-place metadata (multi-page B-tree nodes
 * tail first, with an fdatasync before their first pages), fdatasync. sync = 0: the same writes in the same order without the fdatasyncs (a
 * killed process leaves a consistent file; a power loss may not). 0, or -1 with why filled:
 * *hdf5 = 1 when the file's state is no longer sound (HDF5 failed, or writing the held metadata
 * failed: the caller must discard instead of flushing again), 0 when only a sync failed (the
 * held metadata stays held and the next commit retries). */
int sd_h5_commit(hid_t file, int sync, char *why, size_t wl, int *hdf5);

/* sd_h5_commit for a commit that only removes (links deleted, extents shrunk, attributes
 * rewritten; no new link names): the held parents are released first, the heaps and the
 * superblock last, so a kill in between leaves heaps whose freed names nothing points to. */
int sd_h5_commit_removal(hid_t file, int sync, char *why, size_t wl, int *hdf5);

/* For a cut of a file just opened (io/h5out_continue.c), on = 1, before anything is written: the
 * durable part of the file becomes what its superblock's end of allocation covers (past it lie
 * only a killed writer's uncommitted blocks and reserved space: fresh space), the end of
 * allocation never goes below it, and raw data written over the durable part (HDF5 refills the
 * pruned part of a chunk an extent cut leaves) is held like in-place metadata, released by
 * sd_h5_commit_removal after the parents. on = 0 after the commit. 0, or -1 when the file is not
 * served by the ordered driver. */
int sd_h5_cut_mode(hid_t file, int on);

/* An existing HDF5 file opened read-only; -1 with "FILE: cannot open: <reason>" (a missing file's
 * errno, HDF5's reason) or "FILE: not an HDF5 file" in err. */
hid_t sd_h5_open_ro(const char *file, char *err, size_t errlen);


/* Test hook of the ordered driver: fn sees every write that reaches a file (SD_H5_IO_WRITE:
 * written at once; SD_H5_IO_RELEASE: a held write released by sd_h5_commit), every write held
 * back (SD_H5_IO_HOLD), each fdatasync (SD_H5_IO_SYNC, size = the file's size after it) and each
 * truncation (SD_H5_IO_TRUNCATE, addr = the new size). type is HDF5's H5FD_mem_t of the write.
 * unordered = 1 turns the ordering off (every write at once, as sec2), 2 keeps it but writes
 * multi-page B-tree nodes whole: for tests that must see the difference. fn = NULL: no hook. Not
 * thread-safe; tests only. */
enum { SD_H5_IO_WRITE = 1, SD_H5_IO_RELEASE, SD_H5_IO_HOLD, SD_H5_IO_SYNC, SD_H5_IO_TRUNCATE };
typedef void (*sd_h5_io_hook_fn)(int ev, int type, uint64_t addr, uint64_t size, const void *buf, void *u);
void sd_h5_io_test(sd_h5_io_hook_fn fn, void *u, int unordered);

/* After a commit (every metadata cache entry clean): evict what no open object pins from the
 * metadata cache, which sd_h5_crash_safe_plists keeps from evicting, so a long run's memory stays
 * flat; evictions are off again on return. 0, or -1 (HDF5's error stack says why; if evictions
 * could not be switched off again the caller must stop writing to the file). */
int sd_h5_evict_clean(hid_t file);

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

/* The first I/O failure of a file opened with sd_h5_recording_fapl: errno value (0: none) and
 * the call that failed. */
typedef struct sd_h5_fault {
    int err;
    char call[16];
} sd_h5_fault;

/* Open or create a file through the ordered driver in recording mode (nothing held back in a new
 * file: every write reaches it at once, as with sec2; a strong close degree): the first failed
 * write, fdatasync, ftruncate or close is noted in *rec (which must outlive the file) and turns
 * the file into a sink instead of failing inside HDF5. HDF5 thus never fails to close it (a file
 * whose H5Fclose failed stays half destroyed in the library, which then crashes or loops at
 * exit); the caller checks rec->err after H5Fclose and throws the file away. 0, or -1. */
int sd_h5_recording_fapl(hid_t fapl, sd_h5_fault *rec);

/* Close a file that is being given up (after an I/O failure, before H5Fclose was tried): from
 * now on its writes, syncs and truncations go nowhere and succeed (the ordered driver; any other
 * driver: sd_h5_discard_writes), so that the close cannot fail on I/O and the library lets go of
 * the file. The file on disk stays as it was at the failure. Close the file's other handles
 * first, or use a strong close degree. 0, or -1 when H5Fclose still failed. */
int sd_h5_discard_close(hid_t file);

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
/* Attribute name of obj (one value) read as memory type mtype into v. 0, or -1 when absent or
 * unreadable. */
int sd_h5_attr_read(hid_t obj, const char *name, hid_t mtype, void *v);
/* A fixed-length string attribute into buf (at most len - 1 characters; "" unless read). 0 read,
 * 1 absent, -1 unreadable or not a fixed-length string. */
int sd_h5_attr_read_str(hid_t obj, const char *name, char *buf, size_t len);
/* A 64-bit hash or checksum as a fixed-length ASCII attribute of 16 hex digits (checkpoints'
 * checksums and hashes, a trajectory's or run file's graph hash); read back: 0, or -1 when absent,
 * unreadable or not 16 hex digits. */
int sd_h5_attr_hex(hid_t obj, const char *name, uint64_t v);
int sd_h5_attr_read_hex(hid_t obj, const char *name, uint64_t *v);
/* A 1-D dataset of n fixed-length strings (the longest sets the length). 0, or -1 (every close
 * checked). */
int sd_h5_str_list(hid_t loc, const char *name, int n, const char *const *v, H5T_cset_t cset);

/* A dataset of n numbers of file type ft written from v (memory type mt): 1-D, or a scalar when
 * n < 0; nothing is written when n == 0. */
int sd_h5_num_dataset(hid_t loc, const char *name, int64_t n, hid_t ft, hid_t mt, const void *v);

/* Extend the extensible dataset ds (rank 1 to 3, first dimension unlimited) to `row + 1` rows and
 * write row `row` (one element of a rank-1 dataset, the whole row of a higher-rank one) from buf
 * in memory type mtype. */
int sd_h5_write_row(hid_t ds, int64_t row, hid_t mtype, const void *buf);
#endif
