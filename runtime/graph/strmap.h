/* strmap.h - strings to non-negative ints in a hash table (open addressing, FNV-1a, linear
 * probing): the loader's duplicate checks (keys of a YAML map, the names of fields, levels, scalars
 * and tables) and its param lookups, so that loading stays linear in the number of keys and names.
 * Keys are copied (a key is any bytes of a given length). Emptying is O(1), so one table can serve
 * many small maps in turn. */
#ifndef SD_STRMAP_H
#define SD_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sd_strmap_slot {
    uint64_t hash;
    size_t key;     /* offset of the key in pool */
    size_t len;
    int value;
    uint32_t stamp; /* == the map's stamp: in use; anything else: empty */
} sd_strmap_slot;

typedef struct sd_strmap {
    sd_strmap_slot *slot; /* nslot slots, a power of two, at most half in use */
    size_t nslot, count;
    char *pool;           /* the keys back to back */
    size_t pool_len, pool_cap;
    uint32_t stamp;
} sd_strmap;

/* An empty map (no allocation until the first add). */
void sd_strmap_init(sd_strmap *m);
/* The value stored under key[0..len), or -1. */
int sd_strmap_get(const sd_strmap *m, const char *key, size_t len);
/* Adds key -> value (value >= 0) unless the key is there: -1 when added, else the value already
 * stored (the map unchanged); -2 when out of memory. */
int sd_strmap_add(sd_strmap *m, const char *key, size_t len, int value);
/* Empties the map, keeping its memory. */
void sd_strmap_clear(sd_strmap *m);
void sd_strmap_free(sd_strmap *m);

#endif
