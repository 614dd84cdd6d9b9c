/* starpu_home.c - see starpu_home.h. */
#define _GNU_SOURCE
#include "starpu_home.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PATH_MAX_SD = 4096 };

/* Can files be made in dir (created with mode if absent)? A real test (a file created and
 * removed): as root, access(2) says yes to anything not on a read-only mount. private_dir: an
 * existing dir must be ours, not a link, and closed to others (a shared /tmp). 0, or an errno. */
static int usable_dir(const char *dir, mode_t mode, int private_dir)
{
    if (mkdir(dir, mode) != 0 && errno != EEXIST) return errno;
    struct stat st;
    if (lstat(dir, &st) != 0) return errno;
    if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    if (private_dir && (st.st_uid != geteuid() || (st.st_mode & 077))) return EPERM;
    char probe[PATH_MAX_SD + 32];
    if (snprintf(probe, sizeof probe, "%s/.stardag-probe-XXXXXX", dir) >= (int)sizeof probe) return ENAMETOOLONG;
    int fd = mkstemp(probe);
    if (fd < 0) return errno;
    int e = 0;
    if (write(fd, "x", 1) != 1) e = errno ? errno : EIO;
    if (close(fd) != 0 && !e) e = errno;
    unlink(probe);
    return e;
}

/* BASE/.starpu made and writable (BASE itself must exist, as for StarPU). 0, or an errno. */
static int usable_base(const char *base, int private_dir, char *dot, size_t len)
{
    if (snprintf(dot, len, "%s/.starpu", base) >= (int)len) return ENAMETOOLONG;
    struct stat st;
    if (private_dir) {
        int e = usable_dir(base, 0700, 1);
        if (e) return e;
    } else if (stat(base, &st) != 0) return errno;
    return usable_dir(dot, 0755, 0);
}

static void add(char *buf, size_t len, size_t *used, const char *path, const char *what, int e)
{
    if (*used >= len) return;
    int n = snprintf(buf + *used, len - *used, "%s%s (%s): %s", *used ? "; " : "", path, what, strerror(e));
    if (n > 0) *used += (size_t)n;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int sd_starpu_home_ensure(char *note, size_t notelen, char *err, size_t errlen)
{
    if (env("STARPU_PERF_MODEL_DIR")) return 0; /* the user chose: StarPU's own errors apply */
    const char *xdg = env("XDG_CACHE_HOME"), *sh = env("STARPU_HOME"), *home = env("HOME");
    /* StarPU 1.3's order (src/common/utils.c, _starpu_get_home_path) */
    const char *base = xdg ? xdg : sh ? sh : home, *bvar = xdg ? "$XDG_CACHE_HOME" : sh ? "$STARPU_HOME" : "$HOME";
    char dot[PATH_MAX_SD + 16], tried[2048] = "", what[64];
    size_t used = 0;
    int e;
    if (!base) add(tried, sizeof tried, &used, "$XDG_CACHE_HOME, $STARPU_HOME and $HOME", "all unset", ENOENT);
    else if (!(e = usable_base(base, 0, dot, sizeof dot))) return 0;
    else {
        snprintf(what, sizeof what, "%s/.starpu", bvar);
        add(tried, sizeof tried, &used, dot, what, e);
    }
    char why_base[sizeof tried];
    snprintf(why_base, sizeof why_base, "%s", tried);

    char cand[2][PATH_MAX_SD];
    int ncand = 0;
    if (sh && base != sh) snprintf(cand[ncand++], sizeof cand[0], "%s", sh); /* the user's, shadowed by XDG */
    const char *tmpdir = env("TMPDIR");
    if (snprintf(cand[ncand], sizeof cand[0], "%s/stardag-%lu", tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp",
                 (unsigned long)geteuid()) < (int)sizeof cand[0]) ncand++;
    for (int i = 0; i < ncand; i++) {
        int mine = i == ncand - 1; /* ours in a shared place: private */
        if ((e = usable_base(cand[i], mine, dot, sizeof dot))) {
            add(tried, sizeof tried, &used, dot, mine ? "fallback" : "$STARPU_HOME/.starpu", e);
            continue;
        }
        char pm[PATH_MAX_SD + 32];
        snprintf(pm, sizeof pm, "%s/sampling", dot);
        if (setenv("STARPU_PERF_MODEL_DIR", pm, 1) != 0 || (!sh && setenv("STARPU_HOME", cand[i], 1) != 0)) {
            add(tried, sizeof tried, &used, cand[i], "setenv", errno);
            continue;
        }
        snprintf(note, notelen, "note: StarPU cannot keep its performance models in %s, so they go to %s "
                 "(set STARPU_HOME or STARPU_PERF_MODEL_DIR to choose)", why_base, pm);
        return 1;
    }
    snprintf(err, errlen, "no writable directory for StarPU's performance models (%s): set STARPU_HOME to a "
             "writable directory", tried);
    return -1;
}

void sd_sampling_dir(char *dir, size_t len)
{
    const char *pm = env("STARPU_PERF_MODEL_DIR");
    if (pm) {
        snprintf(dir, len, "%s", pm);
        return;
    }
    const char *xdg = env("XDG_CACHE_HOME"), *sh = env("STARPU_HOME"), *home = env("HOME");
    const char *base = xdg ? xdg : sh ? sh : home; /* as sd_starpu_home_ensure */
    snprintf(dir, len, "%s/.starpu/sampling", base ? base : "/tmp");
}
