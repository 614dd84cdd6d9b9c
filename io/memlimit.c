/* memlimit.c - see memlimit.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "memlimit.h"

const char *sd_fmt_bytes(char *buf, size_t len, double b)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (b >= 1024 && u < 6) { b /= 1024; u++; }
    snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", b, unit[u]);
    return buf;
}

/* A size such as 4096, 512M, 16G (powers of 1024); -1 when s is not one. */
static int64_t parse_size(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !(v >= 0)) return -1;
    static const char suffix[] = "KMGTP";
    const char *p = *end ? strchr(suffix, *end) : NULL;
    if (*end && (!p || end[1])) return -1;
    for (int i = 0; p && i <= p - suffix; i++) v *= 1024;
    return v < 9.2e18 ? (int64_t)v : -1;
}

/* What the machine can give a process now: MemAvailable + SwapFree (/proc/meminfo), at most a
 * cgroup's memory.max minus memory.current; *source says which. -1 when unknown. */
static int64_t machine_available(const char **source)
{
    int64_t avail = -1, swap = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        long long kb;
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1) avail = (int64_t)kb * 1024;
            else if (sscanf(line, "SwapFree: %lld kB", &kb) == 1) swap = (int64_t)kb * 1024;
        }
        fclose(f);
    }
    *source = "MemAvailable + SwapFree in /proc/meminfo";
    if (avail < 0) {
        long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        if (pages <= 0 || size <= 0) return -1;
        avail = (int64_t)pages * size;
        swap = 0;
        *source = "free physical memory";
    }
    avail += swap;
    long long max, cur;
    FILE *m = fopen("/sys/fs/cgroup/memory.max", "r"), *c = fopen("/sys/fs/cgroup/memory.current", "r");
    if (m && c && fscanf(m, "%lld", &max) == 1 && fscanf(c, "%lld", &cur) == 1 && max - cur < avail) {
        avail = max > cur ? (int64_t)(max - cur) : 0;
        *source = "the cgroup's memory.max - memory.current";
    }
    if (m) fclose(m);
    if (c) fclose(c);
    return avail;
}

int64_t sd_memory_available(const char **source, char *err, size_t errlen)
{
    const char *env = getenv("STARDAG_MAX_MEMORY");
    int64_t avail = machine_available(source);
    if (env && *env) {
        int64_t cap = parse_size(env);
        if (cap < 0) {
            snprintf(err, errlen, "STARDAG_MAX_MEMORY=%.40s: expected a size in bytes, or with K, M, G, T or P (e.g. 16G)",
                     env);
            return -2;
        }
        avail = cap; /* the user's figure, lower or higher than the machine's */
        *source = "STARDAG_MAX_MEMORY";
    }
    return avail;
}
