/* suggest.c - nearest-name suggestions for error messages. */
#include <stdlib.h>
#include <string.h>
#include "suggest.h"

size_t sd_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (!n) return m;
    if (!m) return n;
    /* three rows: i-2, i-1, i */
    size_t *r = malloc(3 * (m + 1) * sizeof *r);
    if (!r) return (size_t)-1;
    size_t *pp = r, *p = r + (m + 1), *c = r + 2 * (m + 1);
    for (size_t j = 0; j <= m; j++) p[j] = j;
    for (size_t i = 1; i <= n; i++) {
        c[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = p[j] + 1;
            if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
            if (p[j - 1] + cost < v) v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    size_t d = p[m];
    free(r);
    return d;
}

void sd_suggest_init(sd_suggest *s, const char *name)
{
    s->name = name;
    s->best = NULL;
    s->dist = (size_t)-1;
}

void sd_suggest_add(sd_suggest *s, const char *cand)
{
    if (!cand || !*cand || !strcmp(cand, s->name)) return;
    size_t ln = strlen(s->name);
    size_t d = sd_edit_distance(s->name, cand);
    size_t lim = ln / 3 > 2 ? ln / 3 : 2;
    if (d > lim || d >= ln) return;
    if (d < s->dist) {
        s->dist = d;
        s->best = cand;
    }
}

const char *sd_suggest_best(const sd_suggest *s) { return s->best; }
