/* lj_force_mixed.c - the Lennard-Jones forces, energy and virial in mixed precision (the particles
 * domain's `precision: mixed`), as GROMACS' and LAMMPS INTEL's mixed modes: per-pair arithmetic in
 * f32 on f32 coordinates, sums in f64.
 *   - Coordinates: (float) of the double positions, home and ghost, converted once per call into
 *     the thread's workspace (sd_workspace). A ghost's is the rounding of its double image, so a
 *     pair sees the same f32 difference in every blocking.
 *   - Coefficients: (float) of the pair table's doubles; the cutoff test is r2 < (float)rc2 in f32.
 *   - Forces: 16 f32 lanes per home particle (MD_LANES_F32: one AVX-512 vector, two AVX2, four
 *     SSE2), entry k of the id-sorted list in lane k % 16, converted to double and combined by the
 *     pairwise tree (lj_pair_loops.h); written as double, so integration stays f64.
 *   - Energy and virial: f32 per pair, summed per lane in double and folded exactly (sd_acc).
 * The sum order is fixed by the list as in the double path, so the results are bitwise the same
 * for any blocking, worker count and SIMD variant; they differ from the double path's by the f32
 * rounding (docs/graph-format.md, "Precision"; docs/benchmarks.md section 12).
 *
 * Speed: a chunk reads 16 neighbours through their indices. Compiled from C, that is a scalar load
 * and an insert per coordinate (or a hardware gather, slower still on the machines measured), and
 * the inserts bound the loop. The one-type force loop of the AVX2 and AVX-512 variants is written
 * with intrinsics instead: the coordinates are copied as (x, y, z, 0) rows of 16 bytes, one load
 * per neighbour, and four rows become three vectors by a 4x4 transpose (GROMACS' j-loads do the
 * same). The arithmetic is the same IEEE f32 operations in the same order as md_lj_fr_f32, and the
 * cutoff mask the same integer compare, so every variant still gives the same bits. */
#include <stdio.h>
#include <stdlib.h>
#include "stardag/simd.h"
#include "simd/workspace.h"
#include "md_kernels.h"
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#include <immintrin.h>
#define MIXED_INTRINSICS 1
#endif

/* The pair table in f32 (the members lj_pair_loops.h reads). */
typedef struct lj_table_f32 {
    int ntypes;
    float c12[MD_MAX_TYPES * MD_MAX_TYPES], c6[MD_MAX_TYPES * MD_MAX_TYPES];
    float f12[MD_MAX_TYPES * MD_MAX_TYPES], f6[MD_MAX_TYPES * MD_MAX_TYPES];
    float rc2[MD_MAX_TYPES * MD_MAX_TYPES], eshift[MD_MAX_TYPES * MD_MAX_TYPES];
} lj_table_f32;

#define LJ_REAL float
#define LJ_LANES MD_LANES_F32
#define LJ_BITS int32_t
#define LJ_BITS_MAX INT32_MAX
#define LJ_FR md_lj_fr_f32
#define LJ_EV md_lj_energy_virial_f32
#define LJ_TABLE lj_table_f32
#define LJ_FN(x) x##_f32
#include "lj_pair_loops.h"

static void table_f32(const md_lj_table *t, lj_table_f32 *o)
{
    o->ntypes = t->ntypes;
    for (int k = 0; k < MD_MAX_TYPES * MD_MAX_TYPES; k++) {
        o->c12[k] = (float)t->c12[k], o->c6[k] = (float)t->c6[k], o->eshift[k] = (float)t->eshift[k];
        o->f12[k] = (float)t->f12[k], o->f6[k] = (float)t->f6[k], o->rc2[k] = (float)t->rc2[k];
    }
}

static float *workspace_f32(size_t count);

/* The f32 coordinates of the home and ghost particles (one array per axis), in the thread's
 * workspace. */
static pts_f32 coordinates_f32(const md_lj_lists *l)
{
    const int64_t n = l->home_count + l->ghost_count, sc = l->position_stride;
    float *w = workspace_f32(3 * (size_t)n);
    for (int c = 0; c < 3; c++)
        for (int64_t i = 0; i < n; i++) w[i + c * n] = (float)l->position[i + c * sc];
    return (pts_f32){.x = w, .y = w + n, .z = w + 2 * n, .type = l->type};
}

/* The workspace, or a message and exit: a task cannot compute forces without room for its
 * coordinates. */
static float *workspace_f32(size_t count)
{
    float *w = sd_workspace(count * sizeof(float));
    if (!w && count > 0) {
        fprintf(stderr, "stardag: md mixed-precision forces: out of memory for %zu f32 values\n", count);
        abort();
    }
    return w;
}

#ifdef MIXED_INTRINSICS
/* Rows (x, y, z, 0) of the home and ghost particles, 16 bytes each (the workspace is 64-byte
 * aligned). */
static const float *rows_f32(const md_lj_lists *l)
{
    const int64_t n = l->home_count + l->ghost_count, sc = l->position_stride;
    float *w = workspace_f32(4 * (size_t)n);
    const double *x = l->position;
    for (int64_t i = 0; i < n; i++) {
        w[4 * i] = (float)x[i], w[4 * i + 1] = (float)x[i + sc], w[4 * i + 2] = (float)x[i + 2 * sc];
        w[4 * i + 3] = 0.0f;
    }
    return w;
}

/* One type: coefficients hoisted. Lane l of a chunk is entry k0 + l. */
typedef struct rows_args {
    int64_t nh;
    const float *rows;
    const int64_t *start;
    const int32_t *nbr;
    float f12, f6, rc2;
    double *f;
    int64_t fsc;
} rows_args;

#define T512 SD_ISA_TARGET(SD_ISA_AVX512_FEATURES)
#define T256 SD_ISA_TARGET(SD_ISA_AVX2_FEATURES)

/* md_lj_fr_f32 lane by lane on a vector of f32 (gcc's vector operators on V = __m512 or __m256,
 * VI the int32 vector of the same size), kept where r2 < rc2 by an integer compare of the bits as
 * keep_if_below does, and added to the lane sums: written once for both widths. */
typedef int32_t v16si __attribute__((vector_size(64)));
typedef int32_t v8si __attribute__((vector_size(32)));
#define PAIR_LANES(TGT, V, VI)                                                                       \
    TGT static inline __attribute__((always_inline)) void pair_lanes_##V(                          \
        V dx, V dy, V dz, V rc2, float f12, float f6, V *ax, V *ay, V *az)                         \
    {                                                                                               \
        const V r2 = (dx * dx + dy * dy) + dz * dz;                                                 \
        const V r2i = 1.0f / r2, r6i = (r2i * r2i) * r2i;                                           \
        const V fr = (r6i * (f12 * r6i - f6)) * r2i;                                                \
        const V mf = (V)((VI)fr & (((VI)r2 & 0x7fffffff) < (VI)rc2)); /* keep_if_below's mask */     \
        *ax += dx * mf;                                                                             \
        *ay += dy * mf;                                                                             \
        *az += dz * mf;                                                                             \
    }
PAIR_LANES(T512, __m512, v16si)
PAIR_LANES(T256, __m256, v8si)

/* x, y, z of rows r[0..15]: lanes 4g..4g+3 of each vector come from the 128-bit group g. */
T512 static inline __attribute__((always_inline)) void load16(const float *rows, const int32_t *r, __m512 *x,
                                                              __m512 *y, __m512 *z)
{
    __m512 a[4];
    for (int q = 0; q < 4; q++) {
        a[q] = _mm512_castps128_ps512(_mm_load_ps(rows + 4 * (int64_t)r[q]));
        a[q] = _mm512_mask_broadcast_f32x4(a[q], 0x00f0, _mm_load_ps(rows + 4 * (int64_t)r[q + 4]));
        a[q] = _mm512_mask_broadcast_f32x4(a[q], 0x0f00, _mm_load_ps(rows + 4 * (int64_t)r[q + 8]));
        a[q] = _mm512_mask_broadcast_f32x4(a[q], 0xf000, _mm_load_ps(rows + 4 * (int64_t)r[q + 12]));
    }
    /* per 128-bit group: t0 = x0 x1 y0 y1, t1 = x2 x3 y2 y3, t2 = z0 z1 w0 w1, t3 = z2 z3 w2 w3 */
    const __m512 t0 = _mm512_unpacklo_ps(a[0], a[1]), t1 = _mm512_unpacklo_ps(a[2], a[3]);
    const __m512 t2 = _mm512_unpackhi_ps(a[0], a[1]), t3 = _mm512_unpackhi_ps(a[2], a[3]);
    *x = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1)));
    *y = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1)));
    *z = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t2), _mm512_castps_pd(t3)));
}

T512 static inline __attribute__((always_inline)) void chunk16(const rows_args *a, const int32_t *nk, __m512 xi,
                                                               __m512 yi, __m512 zi, __m512 rc2, __m512 *ax,
                                                               __m512 *ay, __m512 *az)
{
    __m512 xj, yj, zj;
    load16(a->rows, nk, &xj, &yj, &zj);
    pair_lanes___m512(xi - xj, yi - yj, zi - zj, rc2, a->f12, a->f6, ax, ay, az);
}

/* The 16 lanes' pairwise tree in double (lj_pair_loops.h's lane_sum after conversion), on vectors:
 * each level adds a vector to a copy with neighbours swapped, so element 0 of level w holds the
 * sum of lanes 0 .. 2w-1 in the tree's grouping (x + y == y + x bitwise). */
T512 static inline __attribute__((always_inline)) double tree8_avx512(__m512d v)
{
    v = _mm512_add_pd(v, _mm512_permute_pd(v, 0x55));            /* (l0+l1), (l2+l3), ... */
    v = _mm512_add_pd(v, _mm512_permutex_pd(v, 0x4e));           /* ((l0+l1)+(l2+l3)), ... */
    v = _mm512_add_pd(v, _mm512_shuffle_f64x2(v, v, 0x4e));      /* the 8-lane tree */
    return _mm512_cvtsd_f64(v);
}

T512 static inline __attribute__((always_inline)) double tree16_avx512(__m512 v)
{
    const double lo = tree8_avx512(_mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    const double hi = tree8_avx512(_mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
    return lo + hi;
}

T512 static void force_rows_avx512(const rows_args *a)
{
    const __m512 rc2 = _mm512_set1_ps(a->rc2), pad = _mm512_set1_ps(-1.0f);
    for (int64_t i = 0; i < a->nh; i++) {
        const float *ri = a->rows + 4 * i;
        const __m512 xi = _mm512_set1_ps(ri[0]), yi = _mm512_set1_ps(ri[1]), zi = _mm512_set1_ps(ri[2]);
        __m512 ax = _mm512_setzero_ps(), ay = _mm512_setzero_ps(), az = _mm512_setzero_ps();
        const int64_t k1 = a->start[i + 1];
        int64_t k = a->start[i];
        for (; k + 16 <= k1; k += 16) chunk16(a, a->nbr + k, xi, yi, zi, rc2, &ax, &ay, &az);
        if (k < k1) {
            int32_t t[16];
            tail_index_f32((int)(k1 - k), a->nbr + k, t);
            const __m512 rc2m = _mm512_mask_mov_ps(pad, (__mmask16)((1u << (k1 - k)) - 1u), rc2);
            chunk16(a, t, xi, yi, zi, rc2m, &ax, &ay, &az);
        }
        a->f[i] = md_canonical_nan(tree16_avx512(ax));
        a->f[i + a->fsc] = md_canonical_nan(tree16_avx512(ay));
        a->f[i + 2 * a->fsc] = md_canonical_nan(tree16_avx512(az));
    }
}

/* AVX2: the 16 lanes as two vectors of 8, lanes 0-7 and 8-15; rows r[0..7] -> lanes 4g..4g+3 from
 * the 128-bit group g. */
T256 static inline __attribute__((always_inline)) void load8(const float *rows, const int32_t *r, __m256 *x,
                                                             __m256 *y, __m256 *z)
{
    __m256 a[4];
    for (int q = 0; q < 4; q++)
        a[q] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_load_ps(rows + 4 * (int64_t)r[q])),
                                    _mm_load_ps(rows + 4 * (int64_t)r[q + 4]), 1);
    const __m256 t0 = _mm256_unpacklo_ps(a[0], a[1]), t1 = _mm256_unpacklo_ps(a[2], a[3]);
    const __m256 t2 = _mm256_unpackhi_ps(a[0], a[1]), t3 = _mm256_unpackhi_ps(a[2], a[3]);
    *x = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t1)));
    *y = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t1)));
    *z = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t2), _mm256_castps_pd(t3)));
}

T256 static inline __attribute__((always_inline)) void chunk8(const rows_args *a, const int32_t *nk, __m256 xi,
                                                              __m256 yi, __m256 zi, __m256 rc2, __m256 *ax,
                                                              __m256 *ay, __m256 *az)
{
    __m256 xj, yj, zj;
    load8(a->rows, nk, &xj, &yj, &zj);
    pair_lanes___m256(xi - xj, yi - yj, zi - zj, rc2, a->f12, a->f6, ax, ay, az);
}

/* The tree as above: four lanes per vector of doubles. */
T256 static inline __attribute__((always_inline)) double tree4_avx2(__m128 v)
{
    __m256d d = _mm256_cvtps_pd(v);
    d = _mm256_add_pd(d, _mm256_permute_pd(d, 0x5));                /* (l0+l1), (l2+l3) */
    d = _mm256_add_pd(d, _mm256_permute2f128_pd(d, d, 0x01));       /* (l0+l1)+(l2+l3) */
    return _mm256_cvtsd_f64(d);
}

T256 static inline __attribute__((always_inline)) double tree16_avx2(const __m256 v[2])
{
    const double t0 = tree4_avx2(_mm256_castps256_ps128(v[0])), t1 = tree4_avx2(_mm256_extractf128_ps(v[0], 1));
    const double t2 = tree4_avx2(_mm256_castps256_ps128(v[1])), t3 = tree4_avx2(_mm256_extractf128_ps(v[1], 1));
    return (t0 + t1) + (t2 + t3);
}

T256 static void force_rows_avx2(const rows_args *a)
{
    const __m256 rc2 = _mm256_set1_ps(a->rc2);
    for (int64_t i = 0; i < a->nh; i++) {
        const float *ri = a->rows + 4 * i;
        const __m256 xi = _mm256_set1_ps(ri[0]), yi = _mm256_set1_ps(ri[1]), zi = _mm256_set1_ps(ri[2]);
        __m256 ax[2], ay[2], az[2];
        for (int h = 0; h < 2; h++) ax[h] = ay[h] = az[h] = _mm256_setzero_ps();
        const int64_t k1 = a->start[i + 1];
        int64_t k = a->start[i];
        for (; k + 16 <= k1; k += 16)
            for (int h = 0; h < 2; h++) chunk8(a, a->nbr + k + 8 * h, xi, yi, zi, rc2, &ax[h], &ay[h], &az[h]);
        if (k < k1) {
            int32_t t[16];
            float c[16];
            tail_index_f32((int)(k1 - k), a->nbr + k, t);
            for (int l = 0; l < 16; l++) c[l] = l < k1 - k ? a->rc2 : -1.0f;
            for (int h = 0; h < 2; h++)
                chunk8(a, t + 8 * h, xi, yi, zi, _mm256_loadu_ps(c + 8 * h), &ax[h], &ay[h], &az[h]);
        }
        a->f[i] = md_canonical_nan(tree16_avx2(ax));
        a->f[i + a->fsc] = md_canonical_nan(tree16_avx2(ay));
        a->f[i + 2 * a->fsc] = md_canonical_nan(tree16_avx2(az));
    }
}
#endif

static inline __attribute__((always_inline)) void lj_force_mixed_body(const md_lj_force_args *a, pts_f32 p,
                                                                      const lj_table_f32 *t)
{
    const md_lj_lists *l = &a->lists;
    if (t->ntypes == 1) /* literal 1/0: each call is specialised (one type: no type gathers) */
        force_rows_f32(1, l->home_count, p, t, l->list_start, l->list, a->force, a->force_stride);
    else
        force_rows_f32(0, l->home_count, p, t, l->list_start, l->list, a->force, a->force_stride);
}

static inline __attribute__((always_inline)) void energy_virial_mixed_body(const md_lj_energy_virial_args *a,
                                                                           pts_f32 p, const lj_table_f32 *t)
{
    const md_lj_lists *l = &a->lists;
    if (t->ntypes == 1)
        ev_rows_f32(1, l->home_count, p, t, l->list_start, l->list, a->energy, a->virial);
    else
        ev_rows_f32(0, l->home_count, p, t, l->list_start, l->list, a->energy, a->virial);
}

/* one copy of each per SIMD variant (md_kernels.h) */
SD_ISA_EACH(SD_ISA_WRAP_VOID, lj_force_mixed, lj_force_mixed_body,
            (const md_lj_force_args *a, pts_f32 p, const lj_table_f32 *t), (a, p, t))
SD_ISA_EACH(SD_ISA_WRAP_VOID, energy_virial_mixed, energy_virial_mixed_body,
            (const md_lj_energy_virial_args *a, pts_f32 p, const lj_table_f32 *t), (a, p, t))

void sd_md_lj_force_mixed(const md_lj_force_args *a)
{
    lj_table_f32 t;
    table_f32(a->lists.pair_table, &t);
#ifdef MIXED_INTRINSICS
    const sd_isa isa = sd_isa_current();
    if (t.ntypes == 1 && isa != SD_ISA_SSE2) {
        const md_lj_lists *l = &a->lists;
        const rows_args r = {.nh = l->home_count, .rows = rows_f32(l), .start = l->list_start, .nbr = l->list,
                             .f12 = t.f12[0], .f6 = t.f6[0], .rc2 = t.rc2[0], .f = a->force, .fsc = a->force_stride};
        if (isa == SD_ISA_AVX512) force_rows_avx512(&r);
        else force_rows_avx2(&r);
        return;
    }
#endif
    SD_ISA_PICK(lj_force_mixed)(a, coordinates_f32(&a->lists), &t);
}

void sd_md_lj_energy_virial_mixed(const md_lj_energy_virial_args *a)
{
    lj_table_f32 t;
    table_f32(a->lists.pair_table, &t);
    SD_ISA_PICK(energy_virial_mixed)(a, coordinates_f32(&a->lists), &t);
}
