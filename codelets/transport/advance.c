/* advance.c - the CPU loops of the transport ops over one tile, for f64 and f32 psi (loops_impl.h:
 * the loop nests; advance_impl.h: the ops), and the occupancy boxes that bound them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/simd.h"
#include "transport_cpu.h"

int tr_dense_env(void)
{
    static int v = -1;
    if (v < 0) {
        const char *e = getenv("STARDAG_TRANSPORT_DENSE");
        v = e && e[0] && strcmp(e, "0") != 0;
    }
    return v;
}

static int64_t clip(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

tr_box tr_box_full(const tr_io *io, int64_t xa, int64_t xb, int64_t za, int64_t zb)
{
    tr_box b = {0, io->nt - 1, 0, io->ne - 1, clip(xa, -io->gx0, io->NX - 1 - io->gx0), clip(xb, -io->gx0, io->NX - 1 - io->gx0),
                clip(za, -io->gz0, io->NZ - 1 - io->gz0), clip(zb, -io->gz0, io->NZ - 1 - io->gz0)};
    return b;
}

tr_box tr_box_from_occ(const tr_io *io, const double *occ, int64_t s1, int64_t sc, int64_t xa, int64_t xb, int64_t za, int64_t zb)
{
    const tr_box f = tr_box_full(io, xa, xb, za, zb);
    tr_box b = {io->nt, -1, io->ne, -1, INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN};
    for (int64_t z = f.z0; z <= f.z1; z++)
        for (int64_t x = f.x0; x <= f.x1; x++) {
            const double *c = occ + x + z * s1;
            const double t0 = c[0], t1 = c[sc], m0 = c[2 * sc], m1 = c[3 * sc];
            if (!(t0 <= t1 && m0 <= m1)) continue; /* empty */
            /* an occupancy outside the bins (a field not written by these ops): everything */
            const int64_t a0 = t0 >= 0 ? (int64_t)t0 : 0, a1 = t1 < (double)io->nt ? (int64_t)t1 : io->nt - 1;
            const int64_t e0 = m0 >= 0 ? (int64_t)m0 : 0, e1 = m1 < (double)io->ne ? (int64_t)m1 : io->ne - 1;
            if (a0 < b.t0) b.t0 = a0;
            if (a1 > b.t1) b.t1 = a1;
            if (e0 < b.m0) b.m0 = e0;
            if (e1 > b.m1) b.m1 = e1;
            if (x < b.x0) b.x0 = x;
            if (x > b.x1) b.x1 = x;
            if (z < b.z0) b.z0 = z;
            if (z > b.z1) b.z1 = z;
        }
    if (b.t0 > b.t1) return (tr_box){1, 0, 1, 0, 1, 0, 1, 0};
    return b;
}

/* The loops are element-wise in x (no reassociated sums, no FMA: -ffp-contract=off), so wider vectors
 * give the same bits: each entry point (tr_advance, tr_scatter, tr_loss) is compiled once per SIMD
 * variant with every loop nest it calls inlined, and the variant in use is picked at run time
 * (stardag/simd.h; STARDAG_ISA). */
#define TR_INLINE static inline __attribute__((always_inline))
/* The variants of one entry point: FN(name##_sse2) ... FN(name##_avx512), each calling FN(body). */
#define TR_VARIANT(ISA, TGT, name, body, PARAMS, ARGS) SD_ISA_TARGET(TGT) static void FN(name##_##ISA) PARAMS { FN(body) ARGS; }
#define TR_PICK(name) SD_ISA_SELECT(FN(name##_sse2), FN(name##_avx2), FN(name##_avx512))

/* The names of one psi type's copy: FN(name) = name_f64 or name_f32. */
#define TR_CAT2(a, b) a##_##b
#define TR_CAT(a, b) TR_CAT2(a, b)
#define FN(name) TR_CAT(name, SUF)
#define TR_BLOCK 16 /* cells of a wide angular kernel summed in registers (4 AVX2 vectors of f64) */
#define TR_CHUNK 64 /* the rest in chunks of this many cells, summed in L1 */
#define TR_AHEAD 5  /* psi's planes requested this many planes before their use (prefetch_ahead) */
#ifdef _OPENMP /* loops over independent elements (no reduction): vectorising changes no result */
#define SIMD _Pragma("omp simd")
#else
#define SIMD
#endif

#define T double
#define SUF f64
#include "loops_impl.h"
#include "advance_impl.h"
#undef T
#undef SUF
#define T float
#define SUF f32
#include "loops_impl.h"
#include "advance_impl.h"
#undef T
#undef SUF
