/* fuzz_file.h - what the file-reader fuzz targets share: the input written to one temporary file
 * (removed at exit) for the reader to open as a user's damaged file, STARDAG_MAX_MEMORY at 256 MiB
 * (a damaged file may claim a dataset of any size: the readers refuse what does not fit; this keeps
 * it well under libFuzzer's malloc limit), and the rule that a failure says why in one line. */
#ifndef SD_FUZZ_FILE_H
#define SD_FUZZ_FILE_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_path[64];

static void fuzz_file_remove(void) { unlink(fuzz_path); }

/* The temporary file, named after the target. */
static void fuzz_file_init(const char *target)
{
    const char *dir = getenv("TMPDIR");
    snprintf(fuzz_path, sizeof fuzz_path, "%.30s/%.16s.XXXXXX", dir && *dir && strlen(dir) <= 30 ? dir : "/tmp", target);
    int fd = mkstemp(fuzz_path);
    if (fd < 0 || close(fd)) {
        perror(fuzz_path);
        exit(1);
    }
    atexit(fuzz_file_remove);
    setenv("STARDAG_MAX_MEMORY", "256M", 1);
}

/* The input's bytes as the whole file. */
static void fuzz_file_write(const uint8_t *data, size_t size)
{
    FILE *f = fopen(fuzz_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
        perror(fuzz_path);
        exit(1);
    }
}

/* A failed call must have left a one-line message in err. */
static void fuzz_need_message(int failed, const char *err, const char *what)
{
    if (failed && (!err[0] || strchr(err, '\n'))) {
        fprintf(stderr, "%s failed without a one-line message: '%s'\n", what, err);
        abort();
    }
}

#endif
