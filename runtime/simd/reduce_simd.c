/* reduce_simd.c - reductions over runs of doubles with the widest SIMD the CPU has (isa.h):
 * sd_acc_add_n folds terms into an exact accumulator (kernel.h) at about the speed of a plain
 * double sum; sd_max_abs_n finds the largest and smallest finite |x| and counts NaN/Inf.
 *
 * sd_acc_add_n. Value by value, sd_acc_add splits each term into integer limbs: ~10 dependent integer operations
 * and a read-modify-write of memory per term. Here a chunk of terms is instead peeled into levels
 * by error-free extraction (Rump, Ogita & Oishi, "Accurate floating-point summation part I",
 * SIAM J. Sci. Comput. 31(1), 2008, Algorithm 3.2 ExtractVector): with sigma = 1.5 * 2^K and every
 * |x| <= 2^(K-1-G),
 *     q = fl(sigma + x) - sigma   is x rounded to a multiple of u = 2^(K-52), |q| <= 2^(K-1-G),
 *     r = x - q                   is exact, |r| <= u/2,
 * and the q of up to 2^(G+2) terms add up exactly in double in any order (every partial sum is a
 * multiple of u below 2^(K+1) = 2^53 u). So one level costs four vector additions per term and
 * yields one exact double that the limbs take. A pass runs two levels, the second with K - 45 (the
 * bound on the first's remainders), and keeps the largest remainder, from which the next pass takes
 * its K. Terms spanning less than ~80 binades in a chunk need one pass; the demo's energy terms
 * (a Gaussian packet's squares, ~300 binades per chunk) need three.
 * Every step is exact, so the accumulator's value, count, non-finite count and extremes are those
 * of sd_acc_add term by term, bitwise, whatever the ISA; only which zero an extreme keeps when both
 * -0.0 and +0.0 occur may differ (it depends on the order for sd_acc_add too).
 * Chunks holding NaN/Inf or huge terms, and remainders left after XS_PASSES passes, go term by term
 * through sd_acc_add: exact too, just slower. A chunk of zeros adds nothing but its count. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "stardag/kernel.h"
#include "isa.h"

#define XS_CHUNK 512
#define XS_GUARD 7           /* XS_CHUNK <= 2^(XS_GUARD + 2): a level's sum stays exact */
#define XS_PASSES 4          /* of two levels each: ~360 binades; wider chunks finish term by term */
#define XS_FAST_MAX 0x1p1000 /* below this, sigma and the level sums stay finite */

/* sigma = 1.5 * 2^K for 0 < M < XS_FAST_MAX, with M < 2^(K-1-G) (K >= -1022 keeps u >= 2^-1074) */
static inline double xs_sigma(double M)
{
    uint64_t u;
    memcpy(&u, &M, sizeof u);
    int K = (int)(u >> 52) - 1022 + 1 + XS_GUARD; /* M < 2^(biased exponent - 1022) */
    if (K < -1022) K = -1022;
    const uint64_t s = ((uint64_t)(K + 1023) << 52) | (1ULL << 51);
    double d;
    memcpy(&d, &s, sizeof d);
    return d;
}

/* The next level's sigma: its remainders |r| <= u/2 = 2^(K-53) <= 2^(K'-1-G) for K' = K - (52 - G). */
static inline double xs_sigma_next(double sigma)
{
    uint64_t u;
    memcpy(&u, &sigma, sizeof u);
    int64_t be = (int64_t)(u >> 52) - (52 - XS_GUARD); /* biased exponent of K' */
    if (be < 1) be = 1;                                  /* K' >= -1022 */
    const uint64_t s = ((uint64_t)be << 52) | (1ULL << 51);
    double d;
    memcpy(&d, &s, sizeof d);
    return d;
}

static int has_nan(const double *x, int n)
{
    int nan = 0;
    for (int i = 0; i < n; i++) nan |= x[i] != x[i];
    return nan;
}

static void add_slowly(sd_acc *a, const double *x, int n)
{
    for (int i = 0; i < n; i++) sd_acc_add(a, x[i]);
}

/* Scalar tails of the vector loops (and the whole of a chunk shorter than one vector). */
static inline void tail_extremes(const double *x, int i, int n, double *mx, double *mn)
{
    for (; i < n; i++) {
        if (x[i] > *mx) *mx = x[i];
        if (x[i] < *mn) *mn = x[i];
    }
}
static inline void tail_levels(const double *x, double *r, int i, int n, double sa, double sb, double S[2], double *M)
{
    for (; i < n; i++) {
        const double q = (sa + x[i]) - sa, d = x[i] - q, p = (sb + d) - sb, e = d - p;
        S[0] += q;
        S[1] += p;
        r[i] = e;
        if (fabs(e) > *M) *M = fabs(e);
    }
}

/* One chunk (n <= XS_CHUNK), written once over a vector type V of W doubles and its operations. */
#define XS_CHUNK_DEF(SUF, TGT, V, W, LOAD, STORE, ADD, SUB, MAX, MIN, ABS, SET1)                     \
    __attribute__((target(TGT))) static double hsum_##SUF(V v)                                       \
    {                                                                                                 \
        double t[W], s = 0;                                                                           \
        STORE(t, v);                                                                                  \
        for (int l = 0; l < W; l++) s += t[l]; /* exact: the lanes are partial level sums */          \
        return s;                                                                                     \
    }                                                                                                 \
    /* the lanes' extremes folded into *pmx, *pmn in lane order (strict compares, as sd_acc_add) */  \
    __attribute__((target(TGT))) static void hext_##SUF(V mx, V mn, double *pmx, double *pmn)         \
    {                                                                                                 \
        double t[W], u[W];                                                                            \
        STORE(t, mx);                                                                                 \
        STORE(u, mn);                                                                                 \
        for (int l = 0; l < W; l++) {                                                                 \
            if (t[l] > *pmx) *pmx = t[l];                                                             \
            if (u[l] < *pmn) *pmn = u[l];                                                             \
        }                                                                                             \
    }                                                                                                 \
    __attribute__((target(TGT))) static double hmax_##SUF(V v) /* of |r|: every lane >= 0 */         \
    {                                                                                                 \
        double t[W], m = 0;                                                                           \
        STORE(t, v);                                                                                  \
        for (int l = 0; l < W; l++) m = t[l] > m ? t[l] : m;                                          \
        return m;                                                                                     \
    }                                                                                                 \
    __attribute__((target(TGT))) static void chunk_##SUF(sd_acc *a, const double *x, int n)           \
    {                                                                                                 \
        const int nv = n / (2 * W) * (2 * W);                                                         \
        double r[XS_CHUNK], cmx = -INFINITY, cmn = INFINITY;                                          \
        V mx0 = SET1(-INFINITY), mx1 = mx0, mn0 = SET1(INFINITY), mn1 = mn0;                          \
        for (int i = 0; i < nv; i += 2 * W) { /* MAX(x, m) keeps m unless x > m: NaN never wins */   \
            const V x0 = LOAD(x + i), x1 = LOAD(x + i + W);                                           \
            mx0 = MAX(x0, mx0), mx1 = MAX(x1, mx1), mn0 = MIN(x0, mn0), mn1 = MIN(x1, mn1);           \
        }                                                                                             \
        hext_##SUF(mx0, mn0, &cmx, &cmn);                                                             \
        hext_##SUF(mx1, mn1, &cmx, &cmn);                                                             \
        tail_extremes(x, nv, n, &cmx, &cmn);                                                          \
        double M = cmx > -cmn ? cmx : -cmn;                                                           \
        if (M == 0 && !has_nan(x, n)) { /* only zeros: nothing to add */                            \
            a->count += n;                                                                            \
            if (cmx > a->maxv) a->maxv = cmx;                                                         \
            if (cmn < a->minv) a->minv = cmn;                                                         \
            return;                                                                                   \
        }                                                                                             \
        if (!(M > 0 && M < XS_FAST_MAX)) { add_slowly(a, x, n); return; } /* NaN/Inf/huge */        \
        const double *cur = x;                                                                        \
        for (int pass = 0; pass < XS_PASSES && M > 0; pass++) { /* two levels per pass */            \
            const double sa = xs_sigma(M), sb = xs_sigma_next(sa);                                    \
            const V siga = SET1(sa), sigb = SET1(sb);                                                 \
            V s0 = SET1(0.0), s1 = s0, t0 = s0, t1 = s0, m0 = s0, m1 = s0;                            \
            for (int i = 0; i < nv; i += 2 * W) {                                                     \
                const V x0 = LOAD(cur + i), x1 = LOAD(cur + i + W);                                   \
                const V q0 = SUB(ADD(siga, x0), siga), q1 = SUB(ADD(siga, x1), siga);                 \
                const V d0 = SUB(x0, q0), d1 = SUB(x1, q1);                                           \
                const V p0 = SUB(ADD(sigb, d0), sigb), p1 = SUB(ADD(sigb, d1), sigb);                 \
                const V e0 = SUB(d0, p0), e1 = SUB(d1, p1);                                           \
                s0 = ADD(s0, q0), s1 = ADD(s1, q1), t0 = ADD(t0, p0), t1 = ADD(t1, p1);               \
                STORE(r + i, e0);                                                                     \
                STORE(r + i + W, e1);                                                                 \
                m0 = MAX(ABS(e0), m0), m1 = MAX(ABS(e1), m1);                                         \
            }                                                                                         \
            double S[2] = {hsum_##SUF(ADD(s0, s1)), hsum_##SUF(ADD(t0, t1))};                         \
            M = hmax_##SUF(MAX(m0, m1));                                                              \
            tail_levels(cur, r, nv, n, sa, sb, S, &M);                                                \
            if (S[0] != S[0] || S[1] != S[1]) { add_slowly(a, x, n); return; } /* a NaN (1st pass) */ \
            sd_acc_fold(a, S[0]);                                                                      \
            sd_acc_fold(a, S[1]);                                                                      \
            cur = r;                                                                                  \
        }                                                                                             \
        if (M > 0) /* terms spanning more binades than 2 XS_PASSES levels peel */                     \
            for (int i = 0; i < n; i++) sd_acc_fold(a, r[i]);                                          \
        a->count += n;                                                                                \
        if (cmx > a->maxv) a->maxv = cmx;                                                             \
        if (cmn < a->minv) a->minv = cmn;                                                             \
    }                                                                                                 \
    __attribute__((target(TGT))) static void add_n_##SUF(sd_acc *a, const double *x, int64_t n)       \
    {                                                                                                 \
        for (int64_t i = 0; i < n; i += XS_CHUNK) chunk_##SUF(a, x + i, (int)(n - i < XS_CHUNK ? n - i : XS_CHUNK)); \
    }

/* sd_max_abs_n over a vector type: y = |x| + (|x| - |x|) is |x| when finite and NaN otherwise, and
 * MAX(y, m) / MIN(y, m) keep m when y is NaN, so no compare is needed; the sum of |x| - |x| turns
 * NaN when a non-finite value occurs, and only then are they counted one by one. Every finite |x|
 * is >= +0, so the extremes are the same bits as sd_acc_extreme's in any order. */
#define XS_MAXABS_DEF(SUF, TGT, V, W, LOAD, STORE, ADD, SUB, MAX, MIN, ABS, SET1)                     \
    __attribute__((target(TGT))) static void max_abs_n_##SUF(const double *x, int64_t n, double *mx, double *mn, \
                                                            int64_t *nf)                             \
    {                                                                                                 \
        const int64_t nv = n / (2 * W) * (2 * W);                                                     \
        V mx0 = SET1(*mx), mx1 = mx0, mn0 = SET1(*mn), mn1 = mn0, z0 = SET1(0.0), z1 = z0;            \
        for (int64_t i = 0; i < nv; i += 2 * W) {                                                     \
            const V a0 = ABS(LOAD(x + i)), a1 = ABS(LOAD(x + i + W));                                 \
            const V d0 = SUB(a0, a0), d1 = SUB(a1, a1), y0 = ADD(a0, d0), y1 = ADD(a1, d1);           \
            mx0 = MAX(y0, mx0), mx1 = MAX(y1, mx1), mn0 = MIN(y0, mn0), mn1 = MIN(y1, mn1);           \
            z0 = ADD(z0, d0), z1 = ADD(z1, d1);                                                       \
        }                                                                                             \
        double t[W], u[W], z[W];                                                                      \
        STORE(t, MAX(mx0, mx1));                                                                      \
        STORE(u, MIN(mn0, mn1));                                                                      \
        STORE(z, ADD(z0, z1));                                                                        \
        int bad = 0;                                                                                  \
        for (int l = 0; l < W; l++) {                                                                 \
            if (t[l] > *mx) *mx = t[l];                                                               \
            if (u[l] < *mn) *mn = u[l];                                                               \
            bad |= z[l] != 0;                                                                         \
        }                                                                                             \
        if (bad) /* rare: count the non-finite values of the vector part */                           \
            for (int64_t i = 0; i < nv; i++) *nf += !(fabs(x[i]) <= DBL_MAX);                          \
        max_abs_tail(x, nv, n, mx, mn, nf);                                                           \
    }

static void max_abs_tail(const double *x, int64_t i, int64_t n, double *mx, double *mn, int64_t *nf)
{
    for (; i < n; i++) {
        const double v = fabs(x[i]);
        if (!(v <= DBL_MAX)) {
            ++*nf;
            continue;
        }
        if (v > *mx) *mx = v;
        if (v < *mn) *mn = v;
    }
}

typedef void (*add_n_fn)(sd_acc *, const double *, int64_t);
typedef void (*max_abs_n_fn)(const double *, int64_t, double *, double *, int64_t *);

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ABS_SSE2(v) _mm_andnot_pd(_mm_set1_pd(-0.0), (v))
#define ABS_AVX2(v) _mm256_andnot_pd(_mm256_set1_pd(-0.0), (v))
/* each variant's vector type and operations, for both definitions */
#define XS_SSE2 sse2, "sse2", __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, _mm_add_pd, _mm_sub_pd, _mm_max_pd, _mm_min_pd, \
                ABS_SSE2, _mm_set1_pd
#define XS_AVX2 avx2, "avx2", __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_add_pd, _mm256_sub_pd,          \
                _mm256_max_pd, _mm256_min_pd, ABS_AVX2, _mm256_set1_pd
#define XS_AVX512 avx512, "avx512f", __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_add_pd, _mm512_sub_pd, \
                  _mm512_max_pd, _mm512_min_pd, _mm512_abs_pd, _mm512_set1_pd
#define XS_DEFINE(...) XS_CHUNK_DEF(__VA_ARGS__) XS_MAXABS_DEF(__VA_ARGS__)
XS_DEFINE(XS_SSE2)
XS_DEFINE(XS_AVX2)
XS_DEFINE(XS_AVX512)
static const add_n_fn variants[SD_ISA_COUNT] = {add_n_sse2, add_n_avx2, add_n_avx512};
static const max_abs_n_fn max_abs_variants[SD_ISA_COUNT] = {max_abs_n_sse2, max_abs_n_avx2, max_abs_n_avx512};
#else
static void add_n_plain(sd_acc *a, const double *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++) sd_acc_add(a, x[i]);
}
static void max_abs_n_plain(const double *x, int64_t n, double *mx, double *mn, int64_t *nf)
{
    max_abs_tail(x, 0, n, mx, mn, nf);
}
static const add_n_fn variants[SD_ISA_COUNT] = {add_n_plain, add_n_plain, add_n_plain};
static const max_abs_n_fn max_abs_variants[SD_ISA_COUNT] = {max_abs_n_plain, max_abs_n_plain, max_abs_n_plain};
#endif

void sd_acc_add_n(sd_acc *a, const double *x, int64_t n)
{
    variants[sd_isa_current()](a, x, n);
}

void sd_acc_add_n_isa(sd_isa isa, sd_acc *a, const double *x, long n)
{
    variants[isa](a, x, n);
}

void sd_max_abs_n(const double *x, int64_t n, double *mx, double *mn, int64_t *nf)
{
    max_abs_variants[sd_isa_current()](x, n, mx, mn, nf);
}

void sd_max_abs_n_isa(sd_isa isa, const double *x, long n, double *mx, double *mn, int64_t *nf)
{
    max_abs_variants[isa](x, n, mx, mn, nf);
}
