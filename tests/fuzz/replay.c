/* replay.c - runs a libFuzzer target's LLVMFuzzerTestOneInput once per file named on the command
 * line (or per file of a directory), without libFuzzer: the regression inputs of tests/fuzz/ in
 * `make check` with any compiler. Prints one TAP line per input. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - %s: cannot open\n", ++n, path);
        return 1;
    }
    size_t cap = 1 << 16, len = 0, r;
    unsigned char *buf = malloc(cap);
    while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            unsigned char *t = realloc(buf, cap *= 2);
            if (!t) { free(buf); buf = NULL; }
            buf = t;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (!bad) LLVMFuzzerTestOneInput(buf, len); /* a defect aborts the program: the test fails */
    free(buf);
    printf("%s %d - %s\n", bad ? "not ok" : "ok", ++n, path);
    fflush(stdout);
    return bad;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        char **names = NULL;
        size_t k = 0;
        for (struct dirent *e; d && (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            char **t = realloc(names, (k + 1) * sizeof *names);
            if (!t) break;
            names = t;
            size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
            if (!(names[k] = malloc(l))) break;
            snprintf(names[k++], l, "%s/%s", argv[i], e->d_name);
        }
        if (d) closedir(d);
        if (k) qsort(names, k, sizeof *names, cmp); /* the same order everywhere */
        for (size_t j = 0; j < k; j++) {
            bad |= run_file(names[j]);
            free(names[j]);
        }
        free(names);
    }
    printf("1..%d\n", n);
    return bad;
}
