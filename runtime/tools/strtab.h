/* strtab.h - a growable table of distinct strings, each known by its index (the order of first
 * addition): codelet and architecture names in `stardag report`, dataset names in compare. */
#ifndef SD_STRTAB_H
#define SD_STRTAB_H

typedef struct {
    char **s; /* the strings, owned */
    int n, cap;
} sd_strtab;

/* The index of s, or -1. */
int sd_strtab_find(const sd_strtab *t, const char *s);
/* The index of s, added (copied) if new; -1 when out of memory. */
int sd_strtab_add(sd_strtab *t, const char *s);
/* Frees the strings; t is left empty (and reusable). */
void sd_strtab_free(sd_strtab *t);

#endif
