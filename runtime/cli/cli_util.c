/* cli_util.c - see cli_util.h. */
#include <errno.h>
#include <stdlib.h>
#include "cli_util.h"

int sd_cli_parse_int(const char *s, long long lo, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return *s && !*end && !errno && *v >= lo;
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
