/* face_blocks.c - stages 1 and 3 of the membrane energy ops over blocks of LANES faces: the
 * block's corner positions (and adjoints) are gathered into lanes, energy_math.h's per-face
 * functions run lane by lane in one loop that the compiler vectorises across the faces (their
 * obtuse-angle cases are selects, not branches), and the lanes are scattered into the face
 * scratch. Each face sees the same operations in the same order as mb_stage_face and
 * mb_stage_face_grad, so the results are theirs bit for bit; only the vector width differs
 * between the ISA variants (stardag/simd.h).
 *
 * local.mk builds this file with -fno-math-errno (sqrt without an errno branch) and
 * -fno-trapping-math (the arithmetic of both sides of a select may run): neither changes a value,
 * and without them the loop keeps its branches. The Gaussian term's corner angles (sd_atan2,
 * branchy) take the face-by-face loop. */
#include "face_blocks.h"
#include "stardag/simd.h"

enum { LANES = 16 }; /* 16 measured faster than 8 (and 4, 32) on a Zen 5 */

#define ALWAYS_INLINE static inline __attribute__((always_inline))
/* One ISA variant of a body: flatten, so that every per-face function (membrane_face_vjp is large)
 * is inlined into the lane loop, which can then be vectorised. */
#define FLAT_VARIANT(ISA, TGT, name, body, PARAMS, ARGS)                                             \
    SD_ISA_TARGET(TGT) __attribute__((flatten)) static void name##_##ISA PARAMS { body ARGS; }

/* Corner positions of faces [f0, f0 + LANES): component c of corner k in xb[3k + c][lane]. */
ALWAYS_INLINE void gather_corners(const sd_mpart *m, const double *x, int64_t sx, int64_t f0, double xb[9][LANES])
{
    for (int l = 0; l < LANES; l++)
        for (int k = 0; k < 3; k++) {
            const int64_t v = m->tri[3 * (f0 + l) + k];
            for (int c = 0; c < 3; c++) xb[3 * k + c][l] = x[v + c * sx];
        }
}

ALWAYS_INLINE void lane_face(membrane_face *g, double xb[9][LANES], int l)
{
    membrane_face_init(g, mb_v(xb[0][l], xb[1][l], xb[2][l]), mb_v(xb[3][l], xb[4][l], xb[5][l]),
                       mb_v(xb[6][l], xb[7][l], xb[8][l]));
}

/* Slots [0, nslot) of the block's faces with a corner below lim into the face scratch. */
ALWAYS_INLINE void scatter_slots(const sd_mpart *m, int64_t f0, int64_t lim, double *fs, double out[][LANES],
                                 int nslot)
{
    for (int l = 0; l < LANES; l++)
        if (mb_face_touches(m, f0 + l, lim))
            for (int s = 0; s < nslot; s++) fs[MB_FS_AT(f0 + l, s)] = out[s][l];
}

/* The faces after the last one with a corner below lim need no work: with the faces in the order of
 * the vertex walk (mesh_part.c), those reached only from ring-1 vertices come last. */
ALWAYS_INLINE int64_t faces_to(const sd_mpart *m, int64_t lim)
{
    int64_t nf = m->nf;
    while (nf > 0 && !mb_face_touches(m, nf - 1, lim)) nf--;
    return nf;
}

ALWAYS_INLINE void stage1_blocks(const sd_mpart *m, const double *x, int64_t sx, double *fs, int64_t lim)
{
    const int64_t nf = faces_to(m, lim);
    int64_t f0 = 0;
    for (; f0 + LANES <= nf; f0 += LANES) {
        double xb[9][LANES], out[MB_FS_GEOM][LANES];
        gather_corners(m, x, sx, f0, xb);
        for (int l = 0; l < LANES; l++) {
            membrane_face g;
            lane_face(&g, xb, l);
            mb_face_stage1_out(&g, 0, &out[0][l], LANES);
        }
        scatter_slots(m, f0, lim, fs, out, MB_FS_GEOM);
    }
    for (; f0 < nf; f0++)
        if (mb_face_touches(m, f0, lim)) mb_stage_face(m, x, sx, fs, f0, 0);
}
SD_ISA_EACH(FLAT_VARIANT, stage1, stage1_blocks, (const sd_mpart *m, const double *x, int64_t sx, double *fs, int64_t lim),
            (m, x, sx, fs, lim))

/* vgrad is a constant in each caller (the lane loop has no stores under a condition). */
ALWAYS_INLINE void stage3_blocks(const sd_mpart *m, const double *x, int64_t sx, const double *vs, double *fs,
                                 int64_t lim, const mb_grad_terms *t, const int vgrad)
{
    const int64_t nv = m->nv;
    const mb_grad_terms terms = *t; /* a local copy: loop-invariant to the compiler */
    const int64_t nf = faces_to(m, lim);
    int64_t f0 = 0;
    for (; f0 + LANES <= nf; f0 += LANES) {
        double xb[9][LANES], ab[12][LANES], out[MB_FS_SLOTS][LANES];
        gather_corners(m, x, sx, f0, xb);
        /* dE/dK (3) and dE/dA of corner k in ab[4k ..]; zero where not read (t->bending unset, or a
         * face stage 3 skips: its ring-2 corners have no adjoints) */
        for (int l = 0; l < LANES; l++) {
            const int use = terms.bending && mb_face_touches(m, f0 + l, lim);
            for (int k = 0; k < 3; k++) {
                const int64_t v = m->tri[3 * (f0 + l) + k];
                for (int s = 0; s < MB_VS_SLOTS; s++) ab[4 * k + s][l] = use ? vs[s * nv + v] : 0.0;
            }
        }
        for (int l = 0; l < LANES; l++) {
            membrane_face g;
            lane_face(&g, xb, l);
            const mb_vec gK[3] = {mb_v(ab[0][l], ab[1][l], ab[2][l]), mb_v(ab[4][l], ab[5][l], ab[6][l]),
                                  mb_v(ab[8][l], ab[9][l], ab[10][l])};
            const double gA[3] = {ab[3][l], ab[7][l], ab[11][l]};
            membrane_face_adj adj;
            mb_face_adjoints(&adj, &terms, gK, gA);
            mb_face_stage3_out(&g, &adj, vgrad, &out[0][l], LANES);
        }
        scatter_slots(m, f0, lim, fs, out, vgrad ? MB_FS_VG + 9 : MB_FS_G + 9);
    }
    for (; f0 < nf; f0++)
        if (mb_face_touches(m, f0, lim)) mb_stage_face_grad(m, x, sx, vs, fs, f0, t);
}
ALWAYS_INLINE void stage3_any(const sd_mpart *m, const double *x, int64_t sx, const double *vs, double *fs,
                              int64_t lim, const mb_grad_terms *t)
{
    if (t->vgrad) stage3_blocks(m, x, sx, vs, fs, lim, t, 1);
    else stage3_blocks(m, x, sx, vs, fs, lim, t, 0);
}
SD_ISA_EACH(FLAT_VARIANT, stage3, stage3_any,
            (const sd_mpart *m, const double *x, int64_t sx, const double *vs, double *fs, int64_t lim,
             const mb_grad_terms *t),
            (m, x, sx, vs, fs, lim, t))

void mb_faces_stage1(const sd_mpart *m, const double *x, int64_t sx, double *fs, int64_t lim, int angles)
{
    if (!angles) {
        SD_ISA_PICK(stage1)(m, x, sx, fs, lim);
        return;
    }
    for (int64_t f = 0; f < m->nf; f++)
        if (mb_face_touches(m, f, lim)) mb_stage_face(m, x, sx, fs, f, 1);
}

void mb_faces_stage3(const sd_mpart *m, const double *x, int64_t sx, const double *vs, double *fs, int64_t lim,
                     const mb_grad_terms *t)
{
    SD_ISA_PICK(stage3)(m, x, sx, vs, fs, lim, t);
}
