/* strtab.c - see strtab.h. */
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

int sd_strtab_find(const sd_strtab *t, const char *s)
{
    for (int i = t->n - 1; i >= 0; i--)
        if (!strcmp(t->s[i], s)) return i;
    return -1;
}

int sd_strtab_add(sd_strtab *t, const char *s)
{
    int i = sd_strtab_find(t, s);
    if (i >= 0) return i;
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 16;
        char **p = realloc(t->s, nc * sizeof *p);
        if (!p) return -1;
        t->s = p;
        t->cap = nc;
    }
    if (!(t->s[t->n] = strdup(s))) return -1;
    return t->n++;
}

void sd_strtab_free(sd_strtab *t)
{
    for (int i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
    memset(t, 0, sizeof *t);
}
