/* h5err.c - see h5err.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "h5err.h"

void sd_io_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    for (char *p = err; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

typedef struct {
    char sys[160];   /* "error message = '...'" from the file driver (errno text) */
    char first[200]; /* innermost description */
    int n;
} walk_t;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    walk_t *w = data;
    (void)n;
    if (!e->desc) return 0;
    if (!w->sys[0]) {
        const char *p = strstr(e->desc, "error message = '");
        if (p) {
            p += strlen("error message = '");
            const char *q = strchr(p, '\'');
            size_t l = q ? (size_t)(q - p) : strlen(p);
            if (l >= sizeof w->sys) l = sizeof w->sys - 1;
            memcpy(w->sys, p, l);
            w->sys[l] = 0;
        }
    }
    if (!w->n++) snprintf(w->first, sizeof w->first, "%s", e->desc);
    return 0;
}

const char *sd_h5why(char *buf, size_t len)
{
    walk_t w = {{0}, {0}, 0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_cb, &w);
    H5Eclear2(H5E_DEFAULT);
    if (w.sys[0]) snprintf(buf, len, "%s", w.sys);
    else if (w.first[0]) snprintf(buf, len, "HDF5: %s", w.first);
    else snprintf(buf, len, "HDF5 error");
    return buf;
}

const char *sd_h5_open_why(const char *path, char *buf, size_t len)
{
    sd_h5why(buf, len);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return buf;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        snprintf(buf, len, "the file is in use: another program holds its lock (a stardag run still writing it holds its "
                 "output until it ends; read it after the run)");
    close(fd); /* drops a lock it took */
    return buf;
}

sd_h5_quiet sd_h5_quiet_on(void)
{
    sd_h5_quiet q = {NULL, NULL};
    H5Eget_auto2(H5E_DEFAULT, &q.fn, &q.data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return q;
}

void sd_h5_quiet_off(sd_h5_quiet q) { H5Eset_auto2(H5E_DEFAULT, q.fn, q.data); }
