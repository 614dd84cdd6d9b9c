/* runlog.c - the run's log: stdout and stderr are replaced, for the run, by streams that write
 * each line to the original stream and to the log file (glibc lets a program assign stdout and
 * stderr; the streams are made with fopencookie). The log is written with write(2) at each line,
 * not buffered, so a killed run leaves every line it printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runlog.h"

typedef struct copy_stream {
    FILE *orig;
    struct sd_runlog *log;
    /* the stream's buffer, made here by the thread that opens the log: left to glibc it is
     * allocated by whichever thread prints first (the output writer's thermo table), which
     * ThreadSanitizer cannot see ordered with the main thread's use of it through stdio's own
     * (uninstrumented) lock, and reports as a race (check-tsan, t_md_run.sh, 2026-12-04) */
    char buf[BUFSIZ];
} copy_stream;

struct sd_runlog {
    char *path;
    int fd;
    int err;           /* first errno of a failed write */
    FILE *orig_out, *orig_err, *out, *errs;
    copy_stream tout, terr;
};

static void log_write(sd_runlog *l, const char *buf, size_t n)
{
    while (n > 0 && !l->err) {
        ssize_t w = write(l->fd, buf, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            l->err = w < 0 ? errno : EIO;
            return;
        }
        buf += w;
        n -= (size_t)w;
    }
}

static ssize_t tee_write(void *cookie, const char *buf, size_t n)
{
    copy_stream *t = cookie;
    /* the terminal (or pipe) sees each line as it comes, as a line-buffered stream would show it */
    fwrite(buf, 1, n, t->orig);
    fflush(t->orig);
    log_write(t->log, buf, n);
    return (ssize_t)n;
}

static FILE *tee_open(copy_stream *t)
{
    cookie_io_functions_t io = {.write = tee_write};
    FILE *f = fopencookie(t, "w", io);
    if (f) setvbuf(f, t->buf, _IOLBF, sizeof t->buf);
    return f;
}

static sd_runlog *open_log(const char *path, int append, char *err, size_t errlen);

sd_runlog *sd_runlog_open(const char *path, char *err, size_t errlen) { return open_log(path, 0, err, errlen); }

sd_runlog *sd_runlog_append(const char *path, char *err, size_t errlen) { return open_log(path, 1, err, errlen); }

static sd_runlog *open_log(const char *path, int append, char *err, size_t errlen)
{
    sd_runlog *l = calloc(1, sizeof *l);
    if (!l || !(l->path = strdup(path))) {
        snprintf(err, errlen, "%s: out of memory for the log", path);
        free(l);
        return NULL;
    }
    l->fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0644);
    if (l->fd < 0) {
        snprintf(err, errlen, "%s: cannot %s the log file: %s", path, append ? "open" : "create", strerror(errno));
        free(l->path);
        free(l);
        return NULL;
    }
    fflush(stdout);
    fflush(stderr);
    l->orig_out = stdout;
    l->orig_err = stderr;
    l->tout.orig = stdout, l->tout.log = l;
    l->terr.orig = stderr, l->terr.log = l;
    l->out = tee_open(&l->tout);
    l->errs = tee_open(&l->terr);
    if (!l->out || !l->errs) {
        snprintf(err, errlen, "%s: out of memory for the log", path);
        if (l->out) fclose(l->out);
        if (l->errs) fclose(l->errs);
        close(l->fd);
        free(l->path);
        free(l);
        return NULL;
    }
    stdout = l->out;
    stderr = l->errs;
    return l;
}

void sd_runlog_line(sd_runlog *l, const char *fmt, ...)
{
    if (!l) return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof buf - 2) n = (int)sizeof buf - 2;
    if (n == 0 || buf[n - 1] != '\n') buf[n++] = '\n';
    fflush(l->out); /* after what was printed before it */
    fflush(l->errs);
    log_write(l, buf, (size_t)n);
}

FILE *sd_runlog_terminal(sd_runlog *l) { return l ? l->orig_err : stderr; }

int sd_runlog_close(sd_runlog *l, char *err, size_t errlen)
{
    if (!l) return 0;
    fflush(l->out);
    fflush(l->errs);
    stdout = l->orig_out;
    stderr = l->orig_err;
    fclose(l->out);
    fclose(l->errs);
    int rc = 0;
    if (l->err) {
        snprintf(err, errlen, "%s: cannot write the log file: %s", l->path, strerror(l->err));
        rc = -1;
    }
    if (close(l->fd) < 0 && !rc) {
        snprintf(err, errlen, "%s: cannot write the log file: %s", l->path, strerror(errno));
        rc = -1;
    }
    free(l->path);
    free(l);
    return rc;
}
