/* run_util.h - end-to-end tests run the real `stardag` binary and read what it wrote. */
#ifndef SD_RUN_UTIL_H
#define SD_RUN_UTIL_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *srcdir(void) { const char *s = getenv("top_srcdir"); return s ? s : "."; }
static const char *builddir(void) { const char *s = getenv("top_builddir"); return s ? s : "."; }
static const char *tmpdir(void) { const char *s = getenv("SD_TEST_TMP"); return s ? s : "/tmp"; }

/* Runs `stardag ARGS` (printf-style), stdout+stderr into $SD_TEST_TMP/last.log; returns the exit
 * status, and the log's text in *log (malloc'd) when log is not NULL. */
static inline int stardag(char **log, const char *fmt, ...)
{
    char args[4096], cmd[8192], path[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(path, sizeof path, "%s/last.log", tmpdir());
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s/stardag' %s >'%s' 2>&1", srcdir(), builddir(), args, path);
    int st = system(cmd);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (log) {
        FILE *f = fopen(path, "r");
        *log = NULL;
        if (f) {
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            rewind(f);
            *log = calloc(n + 1, 1);
            if (fread(*log, 1, n, f) != (size_t)n) (*log)[0] = 0;
            fclose(f);
        }
    }
    return rc;
}
#endif
