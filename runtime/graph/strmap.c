/* strmap.c - see strmap.h. */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

void sd_strmap_init(sd_strmap *m)
{
    memset(m, 0, sizeof *m);
    m->stamp = 1;
}

/* The slot holding key, or the empty slot where it would go. */
static sd_strmap_slot *find(const sd_strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->nslot - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        sd_strmap_slot *s = &m->slot[i];
        if (s->stamp != m->stamp) return s;
        if (s->hash == h && s->len == len && !memcmp(m->pool + s->key, key, len)) return s;
    }
}

int sd_strmap_get(const sd_strmap *m, const char *key, size_t len)
{
    if (!m->count) return -1;
    const sd_strmap_slot *s = find(m, key, len, fnv1a(key, len));
    return s->stamp == m->stamp ? s->value : -1;
}

/* Twice the slots, the entries moved over (their keys stay in the pool). */
static int grow(sd_strmap *m)
{
    size_t n = m->nslot ? 2 * m->nslot : 16;
    sd_strmap_slot *old = m->slot, *t = calloc(n, sizeof *t);
    if (!t) return -1;
    size_t oldn = m->nslot;
    uint32_t stamp = m->stamp;
    m->slot = t;
    m->nslot = n;
    m->stamp = 1;
    for (size_t i = 0; i < oldn; i++)
        if (old[i].stamp == stamp) {
            sd_strmap_slot *s = find(m, m->pool + old[i].key, old[i].len, old[i].hash);
            *s = old[i];
            s->stamp = 1;
        }
    free(old);
    return 0;
}

int sd_strmap_add(sd_strmap *m, const char *key, size_t len, int value)
{
    if (2 * (m->count + 1) > m->nslot && grow(m)) return -2;
    uint64_t h = fnv1a(key, len);
    sd_strmap_slot *s = find(m, key, len, h);
    if (s->stamp == m->stamp) return s->value;
    if (m->pool_len + len + 1 > m->pool_cap) {
        size_t cap = m->pool_cap ? m->pool_cap : 256;
        while (m->pool_len + len + 1 > cap) cap *= 2;
        char *p = realloc(m->pool, cap);
        if (!p) return -2;
        m->pool = p;
        m->pool_cap = cap;
    }
    memcpy(m->pool + m->pool_len, key, len);
    m->pool[m->pool_len + len] = 0;
    *s = (sd_strmap_slot){.hash = h, .key = m->pool_len, .len = len, .value = value, .stamp = m->stamp};
    m->pool_len += len + 1;
    m->count++;
    return -1;
}

void sd_strmap_clear(sd_strmap *m)
{
    m->count = 0;
    m->pool_len = 0;
    if (++m->stamp == 0) { /* after 2^32 clears: stamps of long ago could match again */
        if (m->slot) memset(m->slot, 0, m->nslot * sizeof *m->slot);
        m->stamp = 1;
    }
}

void sd_strmap_free(sd_strmap *m)
{
    free(m->slot);
    free(m->pool);
    sd_strmap_init(m);
}
