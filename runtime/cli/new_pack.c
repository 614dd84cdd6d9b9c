/* new_pack.c - `stardag new-pack NAME [DIR]`: a new codelet pack from the template
 * (examples/pack; installed as $(pkgdatadir)/pack-template). Every source file of the template is
 * copied into the new directory DIR with "mypack" renamed NAME and "MYPACK" NAME in capitals, in
 * file names and contents. It never writes into an existing directory. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "stardag/stardag.h"

#define TEMPLATE_NAME "mypack"
#define NAME_MAX_LEN 32
#define MAX_FILES 64

static const char new_pack_usage[] =
    "usage: stardag new-pack NAME [DIR]\n"
    "  copies the codelet-pack template into the new directory DIR (default: ./NAME), renamed NAME: it\n"
    "  builds NAME.so with the codelet NAME.damp (a CPU kernel, a CUDA kernel, a test and a graph using\n"
    "  it). Then: cd DIR && make check. NAME: lowercase letters, digits and '_', starting with a letter.\n";

/* Where the template is: the source tree for a binary run from the build tree (libtool keeps it
 * in .libs/), next to the binary for a relocated install, else the configured pkgdatadir. */
static int find_template(char *out, size_t len, char *builddir, size_t blen)
{
    char exe[PATH_MAX], cand[3][PATH_MAX + 64];
    int nc = 0;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            size_t el = strlen(exe);
            if (el >= 6 && !strcmp(exe + el - 6, "/.libs")) {
                snprintf(cand[nc++], sizeof cand[0], "%s/examples/pack", SD_TOP_SRCDIR);
                if (snprintf(builddir, blen, "%.*s", (int)(el - 6), exe) >= (int)blen) builddir[0] = 0;
            }
            snprintf(cand[nc++], sizeof cand[0], "%s/../share/stardag/pack-template", exe);
        }
    }
    snprintf(cand[nc++], sizeof cand[0], "%s/pack-template", SD_PKGDATADIR);
    for (int i = 0; i < nc; i++) {
        char probe[PATH_MAX + 80];
        if (snprintf(probe, sizeof probe, "%s/%s.c", cand[i], TEMPLATE_NAME) >= (int)sizeof probe) continue;
        if (access(probe, R_OK) == 0 && snprintf(out, len, "%s", cand[i]) < (int)len) return 0;
    }
    fprintf(stderr, "stardag: new-pack: the pack template is not installed (looked in");
    for (int i = 0; i < nc; i++) fprintf(stderr, "%s %s", i ? "," : "", cand[i]);
    fprintf(stderr, "; expected make install to have put it in %s/pack-template)\n", SD_PKGDATADIR);
    return -1;
}

/* Template sources only: a template directory someone built in holds objects and outputs too. */
static int is_template_source(const char *f)
{
    static const char *const ext[] = {".c", ".h", ".cu", ".yaml", ".md", NULL};
    if (!strcmp(f, "Makefile")) return 1;
    const char *dot = strrchr(f, '.');
    for (int i = 0; dot && ext[i]; i++)
        if (!strcmp(dot, ext[i])) return 1;
    return 0;
}

/* s with every "mypack" replaced by name and "MYPACK" by NAME; malloc'd. */
static char *renamed(const char *s, size_t n, const char *name, const char *upper, size_t *outn)
{
    const size_t tl = strlen(TEMPLATE_NAME), nl = strlen(name);
    size_t cap = n + 1 + (nl > tl ? (n / tl + 1) * (nl - tl) : 0);
    char *o = malloc(cap), *w = o;
    if (!o) return NULL;
    for (size_t i = 0; i < n;) {
        if (i + tl <= n && !memcmp(s + i, TEMPLATE_NAME, tl)) {
            memcpy(w, name, nl);
            w += nl;
            i += tl;
        } else if (i + tl <= n && !memcmp(s + i, "MYPACK", tl)) {
            memcpy(w, upper, nl);
            w += nl;
            i += tl;
        } else *w++ = s[i++];
    }
    *w = 0;
    *outn = (size_t)(w - o);
    return o;
}

static char *read_file(const char *path, size_t *n, mode_t *mode)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) return NULL;
    if (fstat(fileno(f), &st) || st.st_size > (1 << 24)) {
        fclose(f);
        errno = EFBIG;
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    int bad = !buf || got != (size_t)st.st_size || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        if (!errno) errno = EIO;
        return NULL;
    }
    *n = got;
    *mode = st.st_mode & 0777;
    return buf;
}

static int write_new(const char *path, const char *data, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        done += (size_t)w;
    }
    return close(fd);
}

static int valid_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') || strlen(s) > NAME_MAX_LEN) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

/* s as one word of a shell command line: as it is when it has only safe characters, else in single
 * quotes (a quote inside as '\\''), so the printed "next:" line can be pasted. */
static void shell_word(const char *s, char *out, size_t len)
{
    if (s[0] && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+=:,@%") == strlen(s)) {
        snprintf(out, len, "%s", s);
        return;
    }
    size_t k = 0;
    out[k++] = '\'';
    for (const char *c = s; *c && k + 5 < len; c++) {
        if (*c == '\'') memcpy(out + k, "'\\''", 4), k += 4;
        else out[k++] = *c;
    }
    out[k++] = '\'';
    out[k] = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int sd_cmd_new_pack(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(new_pack_usage, stdout);
            return 0;
        }
    if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && argv[2][0] == '-')) {
        fprintf(stderr, "stardag: new-pack: %s\n%s", argc < 2 ? "a pack name is needed" : "unexpected arguments",
                new_pack_usage);
        return SD_EXIT_BADGRAPH;
    }
    const char *name = argv[1], *dir = argc == 3 ? argv[2] : argv[1];
    if (!valid_name(name)) {
        fprintf(stderr, "stardag: new-pack: invalid pack name '%s' (expected lowercase letters, digits and '_', "
                "starting with a letter, at most %d characters: it names the .so, the codelets and C symbols)\n",
                name, NAME_MAX_LEN);
        return SD_EXIT_BADGRAPH;
    }
    /* io.* are the loader's own ops; damp and test_damp are the template's own file stems */
    if (!strcmp(name, "io") || !strcmp(name, "damp") || !strcmp(name, "test_damp")) {
        fprintf(stderr, "stardag: new-pack: '%s' is reserved (%s): choose another name\n", name,
                !strcmp(name, "io") ? "io.* names the loader's own ops" : "a file of the template has that name");
        return SD_EXIT_BADGRAPH;
    }
    sd_register_builtin_codelets();
    for (int i = 0; i < sd_codelet_count(); i++) {
        const char *cn = sd_codelet_at(i)->name;
        if (!strncmp(cn, name, strlen(name)) && cn[strlen(name)] == '.') {
            fprintf(stderr, "stardag: new-pack: '%s' is a pack bundled with stardag (its codelets, such as %s, would "
                    "clash): choose another name\n", name, cn);
            return SD_EXIT_BADGRAPH;
        }
    }
    char tdir[PATH_MAX], builddir[PATH_MAX] = "";
    if (find_template(tdir, sizeof tdir, builddir, sizeof builddir)) return SD_EXIT_RUNTIME;

    char *files[MAX_FILES];
    int nf = 0;
    DIR *d = opendir(tdir);
    if (!d) {
        fprintf(stderr, "stardag: new-pack: %s: %s\n", tdir, strerror(errno));
        return SD_EXIT_RUNTIME;
    }
    struct dirent *e;
    while ((e = readdir(d)) && nf < MAX_FILES)
        if (is_template_source(e->d_name) && (files[nf] = strdup(e->d_name))) nf++;
    closedir(d);
    qsort(files, nf, sizeof *files, cmp_str);

    char upper[NAME_MAX_LEN + 1];
    for (size_t i = 0; i <= strlen(name); i++) upper[i] = (char)toupper((unsigned char)name[i]);
    int status = 0, created = 0, made_dir = 0;
    if (mkdir(dir, 0777)) {
        fprintf(stderr, "stardag: new-pack: cannot create %s: %s%s\n", dir, strerror(errno),
                errno == EEXIST ? " (expected a new directory: new-pack never writes into an existing one)" : "");
        status = errno == EEXIST ? SD_EXIT_BADGRAPH : SD_EXIT_RUNTIME;
    } else made_dir = 1;
    for (int i = 0; !status && i < nf; i++) {
        char src[PATH_MAX + 256], dst[PATH_MAX + 256];
        size_t n, on, nn;
        mode_t mode;
        snprintf(src, sizeof src, "%s/%s", tdir, files[i]);
        char *text = read_file(src, &n, &mode);
        char *fname = renamed(files[i], strlen(files[i]), name, upper, &nn);
        char *out = text ? renamed(text, n, name, upper, &on) : NULL;
        if (!text || !fname || !out) {
            fprintf(stderr, "stardag: new-pack: cannot read %s: %s\n", src, strerror(errno));
            status = SD_EXIT_RUNTIME;
        } else {
            snprintf(dst, sizeof dst, "%s/%s", dir, fname);
            if (write_new(dst, out, on, mode)) {
                fprintf(stderr, "stardag: new-pack: cannot write %s: %s\n", dst, strerror(errno));
                status = SD_EXIT_RUNTIME;
            } else created++;
        }
        free(text);
        free(fname);
        free(out);
    }
    if (status && made_dir) { /* leave nothing half made: every file it may have begun, then the directory */
        for (int i = 0; i < nf && i <= created; i++) {
            char dst[PATH_MAX + 256];
            size_t nn;
            char *fname = renamed(files[i], strlen(files[i]), name, upper, &nn);
            if (fname) {
                snprintf(dst, sizeof dst, "%s/%s", dir, fname);
                unlink(dst);
            }
            free(fname);
        }
        rmdir(dir);
    }
    char qdir[2 * PATH_MAX + 3], qbuild[2 * PATH_MAX + 3], qsd[2 * PATH_MAX + 16];
    shell_word(dir, qdir, sizeof qdir);
    shell_word(builddir, qbuild, sizeof qbuild);
    char sdpath[PATH_MAX + 16];
    snprintf(sdpath, sizeof sdpath, "%s/stardag", builddir);
    shell_word(sdpath, qsd, sizeof qsd);
    if (!status && !builddir[0])
        printf("stardag: new pack %s in %s/ (%d files from %s): codelet %s.damp, built as %s.so\n"
               "  next: cd %s && make check      (docs/codelets.md, \"Codelet packs\")\n",
               name, dir, created, tdir, name, name, qdir);
    else if (!status) /* this stardag runs from its build tree: the pack builds against that */
        printf("stardag: new pack %s in %s/ (%d files from %s): codelet %s.damp, built as %s.so\n"
               "  next (this stardag is not installed): cd %s && PKG_CONFIG_PATH=%s make check STARDAG=%s\n",
               name, dir, created, tdir, name, name, qdir, qbuild, qsd);
    for (int i = 0; i < nf; i++) free(files[i]);
    return status;
}
