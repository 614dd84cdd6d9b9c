/* cli_util.c - see cli_util.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli_util.h"

int sd_cli_parse_int(const char *s, long long lo, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return *s && !*end && !errno && *v >= lo;
}

int sd_cli_parse_duration(const char *s, double *sec)
{
    if (!strchr(s, ':')) {
        char *end;
        errno = 0;
        *sec = strtod(s, &end);
        return *s && !*end && !errno && *sec > 0 && isfinite(*sec);
    }
    long long part[3];
    int n = 0;
    for (const char *p = s; n < 3; n++) {
        char *end;
        if (*p < '0' || *p > '9') return 0;
        errno = 0;
        part[n] = strtoll(p, &end, 10);
        if (errno || (n > 0 && (part[n] > 59 || end - p != 2))) return 0;
        if (!*end) break;
        if (*end != ':') return 0;
        p = end + 1;
    }
    if (n < 1 || n > 2) return 0; /* MM:SS or H:MM:SS */
    double v = 0;
    for (int i = 0; i <= n; i++) v = 60 * v + part[i];
    *sec = v;
    return v > 0;
}

int sd_cli_parse_tiles(const char *s, int64_t t[3])
{
    t[0] = t[1] = t[2] = 1;
    for (int d = 0; d < 3; d++) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || v < 1) return 0;
        t[d] = v;
        if (!*end) return 1;
        if (*end != 'x') return 0;
        s = end + 1;
    }
    return 0;
}

int sd_cli_is_one_of(const char *a, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(a, *names)) return 1;
    return 0;
}
