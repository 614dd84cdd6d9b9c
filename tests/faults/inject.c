/* inject.c - an LD_PRELOAD I/O fault injector for the fault tests (tests/faults/io_faults.sh; built
 * only for the tests, never installed). It wraps the libc calls through which a run makes its files
 * durable (the HDF5 run file's ordered driver: open, pwrite, fdatasync, ftruncate, posix_fallocate,
 * close; the XDMF sidecar and the checkpoint: write, fsync, rename, link; the log: write) and, for
 * calls on files under one directory, counts them or makes one fail:
 *   SD_FAULT_DIR=DIR      only calls on DIR and files under it count (others pass untouched)
 *   SD_FAULT_CALL=NAME    the call to fail: write, pwrite, writev, fsync, fdatasync, ftruncate,
 *                         fallocate (also posix_fallocate), close, rename, link, open; or any
 *   SD_FAULT_N=N          fail its N-th call (1-based) under DIR; 0 or unset: count only
 *   SD_FAULT_ERRNO=NAME   ENOSPC (default), EIO, EDQUOT, EFBIG or EROFS
 *   SD_FAULT_STICKY=1     the N-th and every later call of that kind fail (a disk that stays full)
 *   SD_FAULT_COUNT=FILE   at exit, append "NAME COUNT" for each call seen under DIR
 *   SD_FAULT_LOG=FILE     append "NAME N PATH" when a call is made to fail
 * close counts descriptors open for writing only (a read-only one has nothing to lose). Calls
 * that glibc makes internally (stdio's flush, mkstemp's open) do not go through these symbols;
 * the counting mode reports what this library sees, and the driver fails each of those. The path
 * of a descriptor is read from /proc/self/fd. Thread-safe (the run's writer thread does the I/O). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { C_WRITE, C_PWRITE, C_WRITEV, C_FSYNC, C_FDATASYNC, C_FTRUNCATE, C_FALLOCATE, C_CLOSE, C_RENAME,
       C_LINK, C_OPEN, NCALL };
static const char *const call_name[NCALL] = {"write", "pwrite", "writev", "fsync", "fdatasync", "ftruncate",
                                             "fallocate", "close", "rename", "link", "open"};

static char dir[PATH_MAX];
static size_t dirlen;
static int target = -2;  /* call to fail; -1: any; -2: none (counting only) */
static long fail_n, fail_errno = ENOSPC;
static int sticky;
static long count[NCALL], count_any;
static const char *count_file, *log_file;

static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_open)(const char *, int, ...);
static int (*real_close)(int);

/* Another library's constructor may write before ours runs: resolved on first use too. */
static void resolve(void)
{
    if (real_write) return;
    real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
}

__attribute__((constructor)) static void inject_init(void)
{
    resolve();
    const char *d = getenv("SD_FAULT_DIR");
    if (!d || !*d || !realpath(d, dir)) return; /* nothing to watch */
    dirlen = strlen(dir);
    const char *c = getenv("SD_FAULT_CALL"), *n = getenv("SD_FAULT_N"), *e = getenv("SD_FAULT_ERRNO");
    fail_n = n ? atol(n) : 0;
    if (c && fail_n > 0) {
        if (!strcmp(c, "any")) target = -1;
        for (int i = 0; i < NCALL; i++)
            if (!strcmp(c, call_name[i])) target = i;
        if (target == -2) {
            fprintf(stderr, "inject: unknown SD_FAULT_CALL '%s'\n", c);
            _exit(99);
        }
    }
    if (e && !strcmp(e, "EIO")) fail_errno = EIO;
    else if (e && !strcmp(e, "EDQUOT")) fail_errno = EDQUOT;
    else if (e && !strcmp(e, "EFBIG")) fail_errno = EFBIG;
    else if (e && !strcmp(e, "EROFS")) fail_errno = EROFS;
    else if (e && strcmp(e, "ENOSPC")) {
        fprintf(stderr, "inject: unknown SD_FAULT_ERRNO '%s'\n", e);
        _exit(99);
    }
    sticky = getenv("SD_FAULT_STICKY") && !strcmp(getenv("SD_FAULT_STICKY"), "1");
    count_file = getenv("SD_FAULT_COUNT");
    log_file = getenv("SD_FAULT_LOG");
}

static void append_line(const char *file, const char *line)
{
    int fd = real_open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    size_t n = strlen(line);
    if (real_write(fd, line, n) != (ssize_t)n) { /* the driver sees a short count file */ }
    real_close(fd);
}

__attribute__((destructor)) static void inject_fini(void)
{
    if (!count_file || !dirlen) return;
    char buf[1024];
    size_t used = 0;
    for (int i = 0; i < NCALL; i++) {
        long k = __atomic_load_n(&count[i], __ATOMIC_RELAXED);
        if (k && used < sizeof buf) used += (size_t)snprintf(buf + used, sizeof buf - used, "%s %ld\n", call_name[i], k);
    }
    if (used) append_line(count_file, buf);
}

static int under_dir(const char *p)
{
    return dirlen && !strncmp(p, dir, dirlen) && (p[dirlen] == '/' || p[dirlen] == 0);
}

/* The path of fd when it is under DIR (into path), else 0. */
static int fd_watched(int fd, char *path, size_t len)
{
    if (!dirlen || fd < 0) return 0;
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, len - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return under_dir(path);
}

/* A path as given to rename/open: watched when it (made absolute) is under DIR. */
static int path_watched(int dirfd, const char *p, char *abs, size_t len)
{
    if (!dirlen || !p) return 0;
    if (p[0] == '/') {
        if (snprintf(abs, len, "%s", p) >= (int)len) return 0;
    }
    else {
        char base[PATH_MAX];
        if (dirfd == AT_FDCWD) {
            if (!getcwd(base, sizeof base)) return 0;
        } else if (!fd_watched(dirfd, base, sizeof base)) {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
            ssize_t n = readlink(link, base, sizeof base - 1);
            if (n <= 0) return 0;
            base[n] = 0;
        }
        if (snprintf(abs, len, "%s/%s", base, p) >= (int)len) return 0;
    }
    return under_dir(abs);
}

/* Count a watched call; 1 when this one must fail (errno is then set). */
static int must_fail(int call, const char *path)
{
    long k = __atomic_add_fetch(&count[call], 1, __ATOMIC_RELAXED);
    long a = __atomic_add_fetch(&count_any, 1, __ATOMIC_RELAXED);
    if (target == -2) return 0;
    long nth = target == -1 ? a : target == call ? k : 0;
    if (!nth || (sticky ? nth < fail_n : nth != fail_n)) return 0;
    if (log_file) {
        char line[2 * PATH_MAX + 64];
        snprintf(line, sizeof line, "%s %ld %s\n", call_name[call], nth, path);
        append_line(log_file, line);
    }
    errno = (int)fail_errno;
    return 1;
}

#define REAL(name) static __typeof__(name) *real_##name##_p; \
    if (!real_##name##_p) real_##name##_p = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

#define FD_CALL(call, fd) \
    char path_[PATH_MAX]; \
    if (fd_watched(fd, path_, sizeof path_) && must_fail(call, path_)) return -1

ssize_t write(int fd, const void *b, size_t n)
{
    resolve();
    FD_CALL(C_WRITE, fd);
    return real_write(fd, b, n);
}

ssize_t pwrite(int fd, const void *b, size_t n, off_t off)
{
    REAL(pwrite);
    FD_CALL(C_PWRITE, fd);
    return real_pwrite_p(fd, b, n, off);
}

ssize_t pwrite64(int fd, const void *b, size_t n, off64_t off)
{
    REAL(pwrite64);
    FD_CALL(C_PWRITE, fd);
    return real_pwrite64_p(fd, b, n, off);
}

ssize_t writev(int fd, const struct iovec *v, int n)
{
    REAL(writev);
    FD_CALL(C_WRITEV, fd);
    return real_writev_p(fd, v, n);
}

ssize_t pwritev(int fd, const struct iovec *v, int n, off_t off)
{
    REAL(pwritev);
    FD_CALL(C_WRITEV, fd);
    return real_pwritev_p(fd, v, n, off);
}

int fsync(int fd)
{
    REAL(fsync);
    FD_CALL(C_FSYNC, fd);
    return real_fsync_p(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    FD_CALL(C_FDATASYNC, fd);
    return real_fdatasync_p(fd);
}

int ftruncate(int fd, off_t len)
{
    REAL(ftruncate);
    FD_CALL(C_FTRUNCATE, fd);
    return real_ftruncate_p(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
    REAL(ftruncate64);
    FD_CALL(C_FTRUNCATE, fd);
    return real_ftruncate64_p(fd, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
    REAL(fallocate);
    FD_CALL(C_FALLOCATE, fd);
    return real_fallocate_p(fd, mode, off, len);
}

int fallocate64(int fd, int mode, off64_t off, off64_t len)
{
    REAL(fallocate64);
    FD_CALL(C_FALLOCATE, fd);
    return real_fallocate64_p(fd, mode, off, len);
}

/* posix_fallocate reports its error as the return value, not in errno */
int posix_fallocate(int fd, off_t off, off_t len)
{
    REAL(posix_fallocate);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof path) && must_fail(C_FALLOCATE, path)) return errno;
    return real_posix_fallocate_p(fd, off, len);
}

int posix_fallocate64(int fd, off64_t off, off64_t len)
{
    REAL(posix_fallocate64);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof path) && must_fail(C_FALLOCATE, path)) return errno;
    return real_posix_fallocate64_p(fd, off, len);
}

/* Linux releases the descriptor even when close reports an error (a deferred write-back EIO):
 * so does this one. */
int close(int fd)
{
    resolve();
    char path[PATH_MAX];
    int fl = fcntl(fd, F_GETFL); /* closing a read-only descriptor cannot lose data: not counted */
    int fail = fl >= 0 && (fl & O_ACCMODE) != O_RDONLY && fd_watched(fd, path, sizeof path) && must_fail(C_CLOSE, path);
    int e = errno;
    int rc = real_close(fd);
    if (fail) {
        errno = e;
        return -1;
    }
    return rc;
}

#define PATH_CALL(call, dirfd, p) \
    char abs_[2 * PATH_MAX]; \
    if (path_watched(dirfd, p, abs_, sizeof abs_) && must_fail(call, abs_)) return -1

int rename(const char *from, const char *to)
{
    REAL(rename);
    PATH_CALL(C_RENAME, AT_FDCWD, to);
    return real_rename_p(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    REAL(renameat);
    PATH_CALL(C_RENAME, fd2, to);
    return real_renameat_p(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    REAL(renameat2);
    PATH_CALL(C_RENAME, fd2, to);
    return real_renameat2_p(fd1, from, fd2, to, flags);
}

int link(const char *from, const char *to)
{
    REAL(link);
    PATH_CALL(C_LINK, AT_FDCWD, to);
    return real_link_p(from, to);
}

int linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
    REAL(linkat);
    PATH_CALL(C_LINK, fd2, to);
    return real_linkat_p(fd1, from, fd2, to, flags);
}

/* Opens that may create or write (a read-only open cannot run out of space). */
static int opens_for_writing(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT); }

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *p, int flags, ...)
{
    resolve();
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    if (opens_for_writing(flags)) {
        PATH_CALL(C_OPEN, AT_FDCWD, p);
    }
    return real_open(p, flags, m);
}

int open64(const char *p, int flags, ...)
{
    REAL(open64);
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    if (opens_for_writing(flags)) {
        PATH_CALL(C_OPEN, AT_FDCWD, p);
    }
    return real_open64_p(p, flags, m);
}

int openat(int dfd, const char *p, int flags, ...)
{
    REAL(openat);
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    if (opens_for_writing(flags)) {
        PATH_CALL(C_OPEN, dfd, p);
    }
    return real_openat_p(dfd, p, flags, m);
}

int openat64(int dfd, const char *p, int flags, ...)
{
    REAL(openat64);
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    if (opens_for_writing(flags)) {
        PATH_CALL(C_OPEN, dfd, p);
    }
    return real_openat64_p(dfd, p, flags, m);
}
