/* h5vfd.c - the ordered file driver of io/h5util.h and what works through it: the crash-safe
 * property lists, the ordered commit, cut mode, eviction of clean metadata, space reservation,
 * discarding unflushed writes and the recording (fault-noting) access. See h5util.h. */
#define _GNU_SOURCE
#include "h5util.h"
#include "h5err.h"
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_MARGIN (256u << 10) /* reserve for metadata an operation may allocate */

/* ---- the ordered POSIX file driver ----------------------------------------------------------
 * HDF5's sec2 driver, plus one rule: a metadata write to the part of the file that the durable
 * metadata describes (addresses below the end of allocation of the last release, durable_eoa) is
 * held in memory, not written. Everything else is written at once: raw data anywhere (new chunks,
 * and rows past a dataset's committed extent in an existing chunk) and metadata in fresh space
 * (new object headers, chunk indexes, heaps, split nodes), which nothing durable points to yet.
 * sd_h5_commit then releases the held writes in dependency order:
 *   1. fdatasync: every child (raw data, fresh metadata, the file size) is durable;
 *   2. the superblock (its end of allocation now covers the children) and the heaps (new link
 *      names appended to a group's local heap, variable-length strings): nothing durable points
 *      to what they add yet; fdatasync;
 *   3. the other held writes (the parents: group symbol-table nodes and B-trees, dataset extents
 *      and chunk index entries, attributes), in the order HDF5 issued them: first the part of
 *      each B-tree node past its first 4 KiB page boundary, fdatasync, then the rest, fdatasync
 *      (a node torn at a page boundary then never has its new entry count over old entries).
 * Unlike sec2 it has no metadata accumulator (each metadata write keeps its own type), and it
 * never truncates the file below durable_eoa. Files are plain HDF5 files: no driver info is
 * stored, readers use any driver. */
typedef struct held_w {
    haddr_t addr;
    size_t size;
    H5FD_mem_t type;
    unsigned char *buf;
} held_w;

typedef struct sd_vfd {
    H5FD_t pub; /* first: HDF5 casts */
    int fd;
    haddr_t eoa, eof, durable_eoa;
    dev_t dev;
    ino_t ino;
    held_w *held;
    size_t nheld, capheld;
    int unsynced; /* bytes written since the last fdatasync */
    haddr_t floor_eoa; /* the end of allocation never goes below it (the last release's, or pinned) */
    int hold_raw;      /* raw data writes below durable_eoa are held too (sd_h5_cut_mode) */
    sd_h5_fault *rec;  /* set: I/O failures are recorded there, not returned (sd_h5_recording_fapl) */
    int discard;       /* writes, syncs, truncations go nowhere and succeed (sd_h5_discard_close) */
} sd_vfd;

/* The driver's file-access info: where a recording file notes its first failure. */
typedef struct sd_vfd_info {
    sd_h5_fault *rec;
} sd_vfd_info;

/* A failed I/O call e of a recording file: noted once, and the file turns into a sink, so that
 * HDF5 never sees a failure it could not close the file after (0 returned); any other file: e. */
static int vfd_failed(sd_vfd *f, int e, const char *call)
{
    if (!f->rec) return e;
    if (!f->rec->err) {
        f->rec->err = e;
        snprintf(f->rec->call, sizeof f->rec->call, "%s", call);
    }
    f->discard = 1;
    return 0;
}

static sd_h5_io_hook_fn io_hook;
static void *io_hook_u;
static int io_unordered;

void sd_h5_io_test(sd_h5_io_hook_fn fn, void *u, int unordered)
{
    io_hook = fn;
    io_hook_u = u;
    io_unordered = unordered;
}

static void hook(int ev, int type, uint64_t addr, uint64_t size, const void *buf)
{
    if (io_hook) io_hook(ev, type, addr, size, buf, io_hook_u);
}

#define VFD_ERR(min, ...)                                                                          \
    do {                                                                                           \
        H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_VFL, min, __VA_ARGS__); \
        return -1;                                                                                 \
    } while (0)

static int pwrite_all(int fd, const unsigned char *b, size_t n, off_t off)
{
    while (n) {
        ssize_t w = pwrite(fd, b, n > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : n, off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : EIO;
        b += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

static int vfd_sync(sd_vfd *f)
{
    if (f->discard) return 0;
    if (sd_fdatasync(f->fd) != 0) return vfd_failed(f, errno, "fdatasync");
    f->unsynced = 0;
    struct stat st;
    hook(SD_H5_IO_SYNC, 0, 0, fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0, NULL);
    return 0;
}

static int vfd_put(sd_vfd *f, H5FD_mem_t type, haddr_t addr, size_t size, const void *buf, int ev)
{
    if (f->discard) return 0;
    int e = pwrite_all(f->fd, buf, size, (off_t)addr);
    if (e) return vfd_failed(f, e, "write");
    if (addr + size > f->eof) f->eof = addr + size;
    f->unsynced = 1;
    hook(ev, (int)type, addr, size, buf);
    return 0;
}

static H5FD_t *vfd_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
    if (!name || !*name || maxaddr == 0 || maxaddr == HADDR_UNDEF) {
        H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_ARGS, H5E_BADVALUE,
                 "invalid file name or maximum address");
        return NULL;
    }
    int o = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
    if (flags & H5F_ACC_TRUNC) o |= O_TRUNC;
    if (flags & H5F_ACC_CREAT) o |= O_CREAT;
    if (flags & H5F_ACC_EXCL) o |= O_EXCL;
    int fd = open(name, o | O_CLOEXEC, 0666);
    if (fd < 0) {
        H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_FILE, H5E_CANTOPENFILE,
                 "unable to open file: name = '%s', errno = %d, error message = '%s'", name, errno,
                 strerror(errno));
        return NULL;
    }
    struct stat st;
    sd_vfd *f = fstat(fd, &st) == 0 ? calloc(1, sizeof *f) : NULL;
    if (!f) {
        int e = errno;
        close(fd);
        H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_FILE, H5E_CANTOPENFILE,
                 "unable to open file: name = '%s', error message = '%s'", name, strerror(e ? e : ENOMEM));
        return NULL;
    }
    /* A new file: only a regular file (a device such as /dev/full would take the truncation and
     * fail every write), and room for its structure first, so that a full disk fails here and not
     * in HDF5's first writes (a file HDF5 failed to create and cannot close stays in the library
     * until it ends, which then reports an "infinite loop closing library"). */
    int e = (flags & H5F_ACC_TRUNC) && !S_ISREG(st.st_mode) ? ENODEV : 0;
    if (!e && (flags & H5F_ACC_TRUNC)) {
        /* the size stays 0 (HDF5 creates the structure of an empty file) */
        e = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)META_MARGIN) == 0 ? 0 : errno;
        if (e == EINVAL || e == EOPNOTSUPP || e == ENOSYS) e = 0; /* no fallocate on this file system: best effort */
    }
    if (e) {
        close(fd);
        free(f);
        H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_FILE, H5E_CANTOPENFILE,
                 "unable to open file: name = '%s', error message = '%s'", name,
                 e == ENODEV ? "not a regular file" : strerror(e));
        return NULL;
    }
    f->fd = fd;
    f->eof = (haddr_t)st.st_size;
    /* an existing file: everything in it may be referenced; a new one: nothing yet */
    f->durable_eoa = (flags & H5F_ACC_TRUNC) ? 0 : f->eof;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    const sd_vfd_info *info = H5Pget_driver_info(fapl);
    f->rec = info ? info->rec : NULL;
    return &f->pub;
}

static void drop_held(sd_vfd *f)
{
    for (size_t i = 0; i < f->nheld; i++) free(f->held[i].buf);
    f->nheld = 0;
}

/* What a held write is, for the order of the release: the superblock; the heaps (link names in
 * a group's local heap, variable-length strings in a global heap collection), which only the
 * other metadata points into; raw data (held only while sd_h5_cut_mode is on); the other
 * metadata (the parents: symbol tables, B-trees, object headers). */
enum { K_SUPER = 1, K_HEAP = 2, K_RAW = 4, K_OTHER = 8, K_LEAF = 16 };
static int kind(const held_w *h)
{
    if (h->addr == 0) return K_SUPER;
    if (h->type == H5FD_MEM_LHEAP || h->type == H5FD_MEM_GHEAP) return K_HEAP;
    if (h->type == H5FD_MEM_DRAW) return K_RAW;
    /* a group's symbol-table node (the leaf that lists its links; HDF5 writes whole nodes) */
    return h->size >= 4 && !memcmp(h->buf, "SNOD", 4) ? K_LEAF : K_OTHER;
}

/* B-tree nodes (chunk indexes, group B-trees and symbol-table nodes: H5FD_MEM_BTREE) that span
 * pages (a chunk index node is 25 KiB) are released tail first, the first page (the header with
 * the entry count) after a sync, so that a write the disk tears at a page boundary never leaves a
 * new count over old entries. Other blocks are written whole, in HDF5's order. */
#define PAGE 4096u

/* The release of sd_h5_commit (see above). 0, or an errno value with *stage: 0 the first sync
 * failed (nothing of the parents written: the held writes stay for the next release), 1 writing
 * them failed (the file's in-place metadata may be half updated), 2 a later sync failed (all
 * written, durability unknown). */
static int vfd_release(sd_vfd *f, int sync, int removal, int *stage)
{
    int e = 0;
    *stage = 0;
    if (sync && f->unsynced && (e = vfd_sync(f))) return e;
    *stage = 1;
    /* Passes, a sync after each: the superblock and the heaps; the pages after the first of
     * multi-page B-tree nodes; the rest (first pages of those nodes, every other block whole). A
     * commit that only removes (sd_h5_commit_removal) keeps the superblock first (its end of
     * allocation covers any fresh block a rewritten parent points to, and never shrinks below
     * the durable one: vfd_set_eoa), then the groups' symbol-table nodes without the removed
     * links before the B-tree nodes whose keys bound them (stale keys are wider, never narrower
     * than a node's links), then the other parents, and the heaps and held raw data last: the
     * parents stop pointing to the removed names and rows before the heaps reuse the names' space
     * and the pruned chunks are refilled. */
    enum { WHOLE, TAIL, HEAD };
    static const struct { int kinds, part; } grow[] = {{K_SUPER | K_HEAP | K_RAW, WHOLE}, {K_OTHER | K_LEAF, TAIL},
                                                       {K_OTHER | K_LEAF, HEAD}},
                                              shrink[] = {{K_SUPER, WHOLE}, {K_LEAF, TAIL}, {K_LEAF, HEAD}, {K_OTHER, TAIL},
                                                          {K_OTHER, HEAD}, {K_HEAP | K_RAW, WHOLE}};
    const int npass = removal ? 6 : 3;
    for (int k = 0; k < npass && !e; k++) {
        const int kinds = removal ? shrink[k].kinds : grow[k].kinds, part = removal ? shrink[k].part : grow[k].part;
        int wrote = 0;
        for (size_t i = 0; i < f->nheld && !e; i++) {
            const held_w *h = &f->held[i];
            if (!(kind(h) & kinds)) continue;
            size_t head = (size_t)(PAGE - h->addr % PAGE);
            if (head > h->size || part == WHOLE || h->type != H5FD_MEM_BTREE || io_unordered == 2) head = h->size;
            size_t off = part == TAIL ? head : 0, n = part == TAIL ? h->size - head : head;
            if (!n) continue;
            wrote = 1;
            e = vfd_put(f, h->type, h->addr + off, n, h->buf + off, SD_H5_IO_RELEASE);
        }
        if (!e && wrote && k < npass - 1 && sync && (e = vfd_sync(f))) *stage = 2;
    }
    if (e) return e;
    drop_held(f);
    f->durable_eoa = f->eoa;
    f->floor_eoa = f->eoa;
    *stage = 2;
    if (sync && f->unsynced) e = vfd_sync(f);
    return e;
}

static herr_t vfd_close(H5FD_t *file)
{
    sd_vfd *f = (sd_vfd *)file;
    int stage, e = vfd_release(f, 1, 0, &stage);
    drop_held(f);
    free(f->held);
    int c = close(f->fd);
    int ce = errno;
    if (c != 0 && f->discard) c = 0; /* discarded: nothing of it counts */
    if (c != 0 && f->rec) c = vfd_failed(f, ce, "close");
    free(f);
    if (e) VFD_ERR(H5E_WRITEERROR, "file write failed: error message = '%s'", strerror(e));
    if (c != 0) VFD_ERR(H5E_CANTCLOSEFILE, "unable to close file: error message = '%s'", strerror(ce));
    return 0;
}

static int vfd_cmp(const H5FD_t *a, const H5FD_t *b)
{
    const sd_vfd *x = (const sd_vfd *)a, *y = (const sd_vfd *)b;
    if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
    return 0;
}

static herr_t vfd_query(const H5FD_t *file, unsigned long *flags)
{
    (void)file;
    /* sec2's features without the metadata accumulator */
    if (flags)
        *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA |
                 H5FD_FEAT_POSIX_COMPAT_HANDLE;
    return 0;
}

static haddr_t vfd_get_eoa(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const sd_vfd *)file)->eoa;
}

static herr_t vfd_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
    (void)type;
    sd_vfd *f = (sd_vfd *)file;
    /* HDF5 gives a freed block at the end of the file back (H5MF_try_shrink); below the last
     * release's end that block may be one durable metadata still points to, and the next
     * allocation would write over it: the end of allocation stays where the release left it. */
    f->eoa = addr < f->floor_eoa ? f->floor_eoa : addr;
    return 0;
}

static haddr_t vfd_get_eof(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const sd_vfd *)file)->eof;
}

static herr_t vfd_get_handle(H5FD_t *file, hid_t fapl, void **handle)
{
    (void)fapl;
    if (!handle) VFD_ERR(H5E_BADVALUE, "file handle not valid");
    *handle = &((sd_vfd *)file)->fd;
    return 0;
}

static herr_t vfd_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, void *buf)
{
    (void)type;
    (void)dxpl;
    sd_vfd *f = (sd_vfd *)file;
    if (addr == HADDR_UNDEF || addr + size < addr) VFD_ERR(H5E_OVERFLOW, "addr overflow, addr = %llu", (unsigned long long)addr);
    unsigned char *b = buf;
    haddr_t a = addr;
    size_t n = size;
    while (n) {
        ssize_t r = pread(f->fd, b, n > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : n, (off_t)a);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0)
            VFD_ERR(H5E_READERROR, "file read failed: errno = %d, error message = '%s', offset = %llu", errno,
                    strerror(errno), (unsigned long long)a);
        if (r == 0) { /* past the end of the file: zeros, as sec2 */
            memset(b, 0, n);
            break;
        }
        b += r;
        n -= (size_t)r;
        a += (haddr_t)r;
    }
    /* what HDF5 wrote and this driver holds */
    for (size_t i = 0; i < f->nheld; i++) {
        const held_w *h = &f->held[i];
        haddr_t lo = h->addr > addr ? h->addr : addr, hi = h->addr + h->size < addr + size ? h->addr + h->size : addr + size;
        if (lo < hi) memcpy((unsigned char *)buf + (lo - addr), h->buf + (lo - h->addr), hi - lo);
    }
    return 0;
}

static herr_t vfd_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, const void *buf)
{
    (void)dxpl;
    sd_vfd *f = (sd_vfd *)file;
    if (f->discard) return 0;
    if (addr == HADDR_UNDEF || addr + size < addr) VFD_ERR(H5E_OVERFLOW, "addr overflow, addr = %llu", (unsigned long long)addr);
    const unsigned char *b = buf;
    /* the part of a metadata write below durable_eoa is held */
    size_t hold = (type == H5FD_MEM_DRAW && !f->hold_raw) || io_unordered == 1 || addr >= f->durable_eoa ? 0
                  : addr + size <= f->durable_eoa ? size : (size_t)(f->durable_eoa - addr);
    if (hold) {
        if (f->nheld == f->capheld) {
            size_t nc = f->capheld ? 2 * f->capheld : 64;
            held_w *nh = realloc(f->held, nc * sizeof *nh);
            if (!nh) VFD_ERR(H5E_CANTALLOC, "file write failed: error message = '%s'", strerror(ENOMEM));
            f->held = nh;
            f->capheld = nc;
        }
        held_w *h = &f->held[f->nheld];
        if (!(h->buf = malloc(hold))) VFD_ERR(H5E_CANTALLOC, "file write failed: error message = '%s'", strerror(ENOMEM));
        memcpy(h->buf, b, hold);
        h->addr = addr;
        h->size = hold;
        h->type = type;
        f->nheld++;
        hook(SD_H5_IO_HOLD, (int)type, addr, hold, b);
    }
    if (hold < size) {
        int e = vfd_put(f, type, addr + hold, size - hold, b + hold, SD_H5_IO_WRITE);
        if (e)
            VFD_ERR(H5E_WRITEERROR, "file write failed: errno = %d, error message = '%s', offset = %llu, size = %zu",
                    e, strerror(e), (unsigned long long)(addr + hold), size - hold);
    }
    return 0;
}

static herr_t vfd_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
    (void)dxpl;
    (void)closing;
    sd_vfd *f = (sd_vfd *)file;
    /* as sec2: the file ends at the end of allocation; but never cut what the durable metadata
     * may still refer to */
    haddr_t end = f->eoa > f->durable_eoa ? f->eoa : f->durable_eoa;
    if (end != f->eof && !f->discard) {
        if (ftruncate(f->fd, (off_t)end) != 0 && vfd_failed(f, errno, "ftruncate") != 0)
            VFD_ERR(H5E_SEEKERROR, "unable to extend file properly: errno = %d, error message = '%s'", errno,
                    strerror(errno));
        f->eof = end;
        f->unsynced = 1;
        hook(SD_H5_IO_TRUNCATE, 0, end, 0, NULL);
    }
    return 0;
}

static herr_t vfd_lock(H5FD_t *file, hbool_t rw)
{
    sd_vfd *f = (sd_vfd *)file;
    if (flock(f->fd, (rw ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        if (errno == ENOSYS || errno == EOPNOTSUPP) return 0; /* no locks on this file system */
        VFD_ERR(H5E_CANTLOCKFILE, "unable to lock file, errno = %d, error message = '%s'", errno, strerror(errno));
    }
    return 0;
}

static herr_t vfd_unlock(H5FD_t *file)
{
    sd_vfd *f = (sd_vfd *)file;
    if (flock(f->fd, LOCK_UN) != 0 && errno != ENOSYS && errno != EOPNOTSUPP)
        VFD_ERR(H5E_CANTUNLOCKFILE, "unable to unlock file, errno = %d, error message = '%s'", errno, strerror(errno));
    return 0;
}

static const H5FD_class_t vfd_class = {
    .name = "stardag_ordered",
    .maxaddr = ((haddr_t)1 << (8 * sizeof(off_t) - 1)) - 1,
    .fc_degree = H5F_CLOSE_WEAK,
    .fapl_size = sizeof(sd_vfd_info),
    .open = vfd_open,
    .close = vfd_close,
    .cmp = vfd_cmp,
    .query = vfd_query,
    .get_eoa = vfd_get_eoa,
    .set_eoa = vfd_set_eoa,
    .get_eof = vfd_get_eof,
    .get_handle = vfd_get_handle,
    .read = vfd_read,
    .write = vfd_write,
    .truncate = vfd_truncate,
    .lock = vfd_lock,
    .unlock = vfd_unlock,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

static hid_t vfd_id = -1;

static hid_t vfd_driver(void)
{
    if (vfd_id < 0 || H5Iis_valid(vfd_id) <= 0) vfd_id = H5FDregister(&vfd_class);
    return vfd_id;
}

/* The driver's state of an open file, or NULL when another driver serves it. */
static sd_vfd *vfd_of(hid_t file)
{
    hid_t fapl = H5Fget_access_plist(file);
    if (fapl < 0) return NULL;
    hid_t drv = H5Pget_driver(fapl);
    H5Pclose(fapl);
    void *h = NULL;
    if (drv < 0 || drv != vfd_id || H5Fget_vfd_handle(file, H5P_DEFAULT, &h) < 0 || !h) return NULL;
    return (sd_vfd *)((char *)h - offsetof(sd_vfd, fd));
}

static int commit_ordered(hid_t file, int sync, int removal, char *why, size_t wl, int *hdf5);

int sd_h5_commit(hid_t file, int sync, char *why, size_t wl, int *hdf5)
{
    return commit_ordered(file, sync, 0, why, wl, hdf5);
}

int sd_h5_commit_removal(hid_t file, int sync, char *why, size_t wl, int *hdf5)
{
    return commit_ordered(file, sync, 1, why, wl, hdf5);
}

static int commit_ordered(hid_t file, int sync, int removal, char *why, size_t wl, int *hdf5)
{
    *hdf5 = 1;
    if (H5Fflush(file, H5F_SCOPE_LOCAL) < 0) goto fail;
    sd_vfd *f = vfd_of(file);
    H5Eclear2(H5E_DEFAULT);
    int e, stage = 0;
    if (f) {
        e = vfd_release(f, sync, removal, &stage);
    } else { /* another driver: flush and sync, unordered */
        int fd = sd_h5_vfd_fd(file);
        e = fd < 0 ? EBADF : sync && sd_fdatasync(fd) != 0 ? errno : 0;
    }
    if (e) {
        *hdf5 = stage == 1; /* half-written metadata: the caller must stop writing to the file */
        snprintf(why, wl, "%s failed: %s", stage == 1 ? "write" : "fsync", strerror(e));
        return -1;
    }
    *hdf5 = 0;
    return 0;
fail:
    sd_h5why(why, wl);
    return -1;
}

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
    /* (4) of io/h5out.c: children durable before the parents that point to them. */
    hid_t drv = vfd_driver();
    if (drv < 0 || H5Pset_driver(fapl, drv, NULL) < 0) return -1;
    return 0;
}

int sd_h5_cut_mode(hid_t file, int on)
{
    sd_vfd *f = vfd_of(file);
    if (!f) return -1;
    f->hold_raw = on;
    if (!on) return 0;
    /* just opened: what lies past the superblock's end of allocation (a killed writer's
     * uncommitted blocks, reserved space) is fresh, not durable */
    haddr_t end = f->eoa; /* HDF5 rewrites the superblock when it opens a file for writing: held */
    for (size_t i = 0; i < f->nheld; i++)
        if (f->held[i].addr + f->held[i].size > end) end = f->held[i].addr + f->held[i].size;
    if (end < f->durable_eoa) f->durable_eoa = end;
    f->floor_eoa = f->eoa;
    return 0;
}

int sd_h5_evict_clean(hid_t file)
{
    H5AC_cache_config_t cc;
    memset(&cc, 0, sizeof cc);
    cc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Fget_mdc_config(file, &cc) < 0) return -1;
    if (cc.evictions_enabled) return 0; /* not a crash-safe file: the cache evicts on its own */
    H5AC_cache_config_t small = cc;
    /* a smaller maximum marks the cache "size decreased": its next access evicts down to it */
    small.evictions_enabled = 1;
    small.set_initial_size = 1;
    small.initial_size = small.min_size = 64u << 10;
    int rc = H5Fset_mdc_config(file, &small) < 0 ? -1 : 0;
    if (!rc && H5Aexists(file, "stardag_format") < 0) rc = -1; /* any access does it */
    /* evictions off again, whatever happened: (1) of io/h5out.c */
    cc.set_initial_size = 1;
    if (H5Fset_mdc_config(file, &cc) < 0) return -1;
    return rc;
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

int sd_h5_recording_fapl(hid_t fapl, sd_h5_fault *rec)
{
    sd_vfd_info info = {rec};
    hid_t drv = vfd_driver();
    if (drv < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 || H5Pset_driver(fapl, drv, &info) < 0) return -1;
    return 0;
}

int sd_h5_discard_close(hid_t file)
{
    sd_vfd *f = vfd_of(file);
    if (f) f->discard = 1;
    else sd_h5_discard_writes(file, "stardag-discard");
    return H5Fclose(file) < 0 ? -1 : 0;
}
