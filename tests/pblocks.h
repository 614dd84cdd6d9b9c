/* pblocks.h - particle blocks on the host for the tests that drive runtime/dm/particles*.c without
 * StarPU (t_particles, t_prebuild): the geometry and each block's header, ids, types, x0, ghost
 * plan and NF fields (x, v and a 5-component one). */
#ifndef SD_TEST_PBLOCKS_H
#define SD_TEST_PBLOCKS_H
#include <stdlib.h>
#include "particles.h"
#include "tap.h"

enum { NF = 3 }; /* fields: x (position), v, and a 5-component one */
static const int ncomp[NF] = {3, 3, 5};

typedef struct blocks {
    sd_pgeom pg;
    sd_pbuf *b;
    sd_phdr *hdr;
    double **fld;
} blocks;

static inline void *pb_calloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s);
    if (!p) exit(99);
    return p;
}

/* nb blocks (sd_pgeom_make with 1 CPU), zeroed; exits when the geometry is refused. */
static inline void blocks_make(blocks *B, const sd_particles *P, int nb)
{
    char err[256];
    if (sd_pgeom_make(&B->pg, P, nb, 1, 0, err, sizeof err) < 0) {
        diag("%s", err);
        exit(1);
    }
    const int64_t ch = B->pg.cap_h;
    B->b = pb_calloc(nb, sizeof *B->b);
    B->hdr = pb_calloc(nb, sizeof *B->hdr);
    B->fld = pb_calloc((size_t)nb * NF, sizeof *B->fld);
    for (int k = 0; k < nb; k++) {
        B->b[k].hdr = &B->hdr[k];
        B->b[k].id = pb_calloc(ch, sizeof(int64_t));
        B->b[k].type = pb_calloc(ch, sizeof(int32_t));
        B->b[k].x0 = pb_calloc(3 * ch, sizeof(double));
        B->b[k].plan = pb_calloc(B->pg.cap_g, sizeof(md_ghost));
        B->b[k].fld = B->fld + (size_t)k * NF;
        for (int f = 0; f < NF; f++) B->b[k].fld[f] = pb_calloc((size_t)ncomp[f] * ch, sizeof(double));
    }
}

static inline void blocks_free(blocks *B)
{
    for (int k = 0; k < B->pg.nb; k++) {
        free(B->b[k].id), free(B->b[k].type), free(B->b[k].x0), free(B->b[k].plan);
        for (int f = 0; f < NF; f++) free(B->b[k].fld[f]);
    }
    free(B->b), free(B->hdr), free(B->fld);
    sd_pgeom_free(&B->pg);
}
/* xorshift64*: the tests' random numbers in [0, 1) */
static inline double pb_rnd(uint64_t *s)
{
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

/* Random positions in the box (seeded by id: the same whichever block holds a particle); v and the
 * 5-component field coded by id. */
static inline void pb_fill(blocks *B, uint64_t seed)
{
    const int64_t ch = B->pg.cap_h;
    for (int k = 0; k < B->pg.nb; k++)
        for (int64_t i = 0; i < B->hdr[k].nh; i++) {
            const int64_t id = B->b[k].id[i];
            uint64_t s = seed * 1000003u + (uint64_t)id + 1;
            for (int c = 0; c < 3; c++) {
                B->b[k].fld[0][i + c * ch] = pb_rnd(&s) * B->pg.L[c];
                B->b[k].fld[1][i + c * ch] = (double)(10 * id + c) + pb_rnd(&s);
            }
            for (int c = 0; c < 5; c++) B->b[k].fld[2][i + c * ch] = (double)(-10 * id - c);
        }
}

/* o = a random permutation of 0..n-1 (the order in which tasks of one phase might run) */
static inline void pb_shuffle(int *o, int n, uint64_t *s)
{
    for (int i = 0; i < n; i++) o[i] = i;
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)(pb_rnd(s) * (i + 1)), t = o[i];
        o[i] = o[j], o[j] = t;
    }
}
#endif
