/* kernel_util.h - helpers for the kernel tests: tile buffers laid out with sd_tile_layout (interior
 * and ghosts filled with random values), sd_tile_args set-up, a deterministic PRNG. */
#ifndef SD_KERNEL_UTIL_H
#define SD_KERNEL_UTIL_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/kernel.h"

typedef struct rng { uint64_t s; } rng;
static inline uint64_t rng_u64(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}
/* uniform in [0, 1) */
static inline double rng_unit(rng *r) { return (double)(rng_u64(r) >> 11) * 0x1p-53; }
static inline double rng_range(rng *r, double lo, double hi) { return lo + (hi - lo) * rng_unit(r); }

typedef struct tbuf {
    void *mem; /* buffer start */
    void *p;   /* interior origin */
    int64_t sy, sz, sc, off, total, n[3];
    int ndim, h, ncomp, dtype;
} tbuf;

static inline void tbuf_alloc(tbuf *b, int ndim, const int64_t n[3], int h, int ncomp, int dtype)
{
    memset(b, 0, sizeof *b);
    int64_t stride[3];
    sd_tile_layout(ndim, n, h, ncomp, stride, &b->sc, &b->off, &b->total);
    b->sy = stride[1], b->sz = stride[2];
    size_t es = dtype == SD_F64 ? sizeof(double) : sizeof(float);
    b->mem = calloc((size_t)b->total, es);
    b->p = (char *)b->mem + b->off * (int64_t)es;
    memcpy(b->n, n, sizeof b->n);
    b->ndim = ndim, b->h = h, b->ncomp = ncomp, b->dtype = dtype;
}
static inline void tbuf_free(tbuf *b) { free(b->mem); b->mem = b->p = NULL; }

static inline int64_t tbuf_idx(const tbuf *b, int64_t i, int64_t j, int64_t k, int c)
{
    return i + j * b->sy + k * b->sz + c * b->sc;
}
static inline double tbuf_get(const tbuf *b, int64_t i, int64_t j, int64_t k, int c)
{
    int64_t x = tbuf_idx(b, i, j, k, c);
    return b->dtype == SD_F64 ? ((double *)b->p)[x] : (double)((float *)b->p)[x];
}
static inline void tbuf_set(tbuf *b, int64_t i, int64_t j, int64_t k, int c, double v)
{
    int64_t x = tbuf_idx(b, i, j, k, c);
    if (b->dtype == SD_F64) ((double *)b->p)[x] = v;
    else ((float *)b->p)[x] = (float)v;
}
/* every element, ghosts included */
static inline void tbuf_random(tbuf *b, rng *r, double lo, double hi)
{
    for (int64_t x = 0; x < b->total; x++) {
        double v = rng_range(r, lo, hi);
        if (b->dtype == SD_F64) ((double *)b->mem)[x] = v;
        else ((float *)b->mem)[x] = (float)v;
    }
}
static inline size_t tbuf_bytes(const tbuf *b)
{
    return (size_t)b->total * (b->dtype == SD_F64 ? sizeof(double) : sizeof(float));
}

/* Tile arguments for one tile of a grid; buffers are attached with args_buf in role order. */
static inline void args_init(sd_tile_args *a, int ndim, const int64_t n[3], const int64_t origin[3],
                             const int64_t shape[3], const double dx[3])
{
    memset(a, 0, sizeof *a);
    a->ndim = ndim;
    for (int d = 0; d < 3; d++) {
        a->n[d] = d < ndim ? n[d] : 1;
        a->origin[d] = d < ndim ? origin[d] : 0;
        a->shape[d] = d < ndim ? shape[d] : 1;
        a->dx[d] = dx[d];
        a->bc[d] = SD_BC_PERIODIC;
    }
}
static inline void args_buf(sd_tile_args *a, int b, tbuf *t)
{
    a->p[b] = t->p;
    a->stride[b][0] = 1, a->stride[b][1] = t->sy, a->stride[b][2] = t->sz, a->sc[b] = t->sc;
    a->ncomp[b] = t->ncomp, a->dtype[b] = t->dtype, a->halo[b] = t->h;
    if (b + 1 > a->nbuf) a->nbuf = b + 1;
}

static inline int same_bits(double x, double y) { return memcmp(&x, &y, sizeof x) == 0; }
static inline int acc_same(const sd_acc *x, const sd_acc *y)
{
    sd_acc a = *x, b = *y;
    sd_acc_normalize(&a);
    sd_acc_normalize(&b);
    return !memcmp(a.limb, b.limb, sizeof a.limb) && a.nonfinite == b.nonfinite;
}
#endif
