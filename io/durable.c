/* durable.c - fsync and fdatasync behind the STARDAG_FSYNC switch (durable.h). */
#define _GNU_SOURCE
#include "durable.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sd_durable_on(void)
{
    const char *v = getenv("STARDAG_FSYNC");
    return !(v && strcmp(v, "0") == 0);
}

int sd_fsync(int fd)
{
    return sd_durable_on() ? fsync(fd) : 0;
}

int sd_fdatasync(int fd)
{
    return sd_durable_on() ? fdatasync(fd) : 0;
}

int sd_fsync_path(const char *path)
{
    if (!sd_durable_on()) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC); /* a file or a directory */
    if (fd < 0) return -1;
    int rc = fsync(fd), e = errno;
    if (close(fd) != 0 && rc == 0) return -1;
    errno = e;
    return rc;
}

int sd_fsync_dir_of(const char *path)
{
    if (!sd_durable_on()) return 0;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) return -1;
    int rc = sd_fsync_path(dir), e = errno;
    free(dir);
    errno = e;
    return rc;
}
