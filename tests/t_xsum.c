/* t_xsum.c - exactness of the sd_acc accumulator (stardag/kernel.h): order and grouping
 * independence (bitwise), cancellation, subnormals, negative totals, range beyond double,
 * agreement with long double on benign data, non-finite counting, canonical normalisation. */
#include <float.h>
#include <math.h>
#include "tap.h"
#include "kernel_util.h"

#define N 200000

static double sum_of(const double *x, int64_t n)
{
    sd_acc a;
    sd_acc_init(&a);
    for (int64_t i = 0; i < n; i++) sd_acc_add(&a, x[i]);
    return sd_acc_sum(&a);
}
static void acc_of(sd_acc *a, const double *x, int64_t n)
{
    sd_acc_init(a);
    for (int64_t i = 0; i < n; i++) sd_acc_add(a, x[i]);
}
static void shuffle(double *x, int64_t n, rng *r)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(rng_u64(r) % (uint64_t)(i + 1));
        double t = x[i];
        x[i] = x[j], x[j] = t;
    }
}
/* random sign, random 53-bit mantissa, exponent uniform over the whole range (subnormals too) */
static double wild(rng *r)
{
    double m = 1.0 + rng_unit(r);
    int e = (int)(rng_u64(r) % 2050) - 1074; /* up to 2^976: the total stays finite */
    double v = ldexp(m, e);
    return (rng_u64(r) & 1) ? -v : v;
}
static int cmp_abs(const void *p, const void *q)
{
    double a = fabs(*(const double *)p), b = fabs(*(const double *)q);
    return a < b ? -1 : a > b;
}

int main(void)
{
    rng r = {0x9e3779b97f4a7c15ULL};
    double *x = malloc(sizeof(double) * 2 * N), *y = malloc(sizeof(double) * 2 * N);

    /* 1. order independence, huge dynamic range */
    for (int i = 0; i < N; i++) x[i] = wild(&r);
    sd_acc a0, a1;
    acc_of(&a0, x, N);
    double s0 = sd_acc_sum(&a0);
    int same = 1, limbs = 1;
    for (int t = 0; t < 5; t++) {
        memcpy(y, x, sizeof(double) * N);
        shuffle(y, N, &r);
        acc_of(&a1, y, N);
        same &= same_bits(sd_acc_sum(&a1), s0);
        limbs &= acc_same(&a0, &a1);
    }
    memcpy(y, x, sizeof(double) * N);
    qsort(y, N, sizeof(double), cmp_abs);
    same &= same_bits(sum_of(y, N), s0);
    ok(same, "sum of %d values over 2^-1074..2^977: 5 shuffles and magnitude order give the same bits", N);
    ok(limbs, "... and identical normalised limbs");
    diag("sum = %.17g", s0);

    /* 2. exactness: x, then -x shuffled, then a small value: the small value exactly */
    for (int i = 0; i < N; i++) x[N + i] = -x[i];
    memcpy(y, x, sizeof(double) * 2 * N);
    shuffle(y, 2 * N, &r);
    sd_acc_init(&a1);
    for (int i = 0; i < 2 * N; i++) {
        sd_acc_add(&a1, y[i]);
        if (i == N / 3) sd_acc_add(&a1, 0x1.123456789abcdp-1000);
    }
    ok(same_bits(sd_acc_sum(&a1), 0x1.123456789abcdp-1000), "sum(x) + sum(-x) + 1.07e-301, all shuffled: exactly 1.07e-301");

    /* 3. cancellation */
    {
        double v[] = {1e300, 1.0, -1e300};
        ok(same_bits(sum_of(v, 3), 1.0), "1e300 + 1 - 1e300 = 1 exactly");
        double w[] = {DBL_MAX, DBL_MAX, -DBL_MAX};
        ok(same_bits(sum_of(w, 3), DBL_MAX), "DBL_MAX + DBL_MAX - DBL_MAX = DBL_MAX (intermediate beyond the double range)");
        ok(isinf(sum_of(w, 2)) && sum_of(w, 2) > 0, "DBL_MAX + DBL_MAX rounds to +Inf");
        double u[] = {1.0, 0x1p-53, 0x1p-53};
        ok(same_bits(sum_of(u, 3), 1.0 + 0x1p-52), "1 + 2^-53 + 2^-53 = 1 + 2^-52 (naive summation gives 1)");
        double z[] = {0x1p-1074, 0x1p-1074, -0x1p-1074, 1e-320};
        ok(same_bits(sum_of(z, 4), 0x1p-1074 + 1e-320), "sums of subnormals are exact");
        for (int i = 0; i < 1000; i++) y[i] = 0x1p-1074;
        ok(same_bits(sum_of(y, 1000), 1000 * 0x1p-1074), "1000 x 2^-1074 = 1000*2^-1074 exactly");
        for (int i = 0; i < 1000; i++) y[i] = i % 2 ? -0x1.8p-1070 : 0x1p-1022;
        ok(same_bits(sum_of(y, 1000), 500 * (0x1p-1022 - 0x1.8p-1070)), "alternating normal/subnormal, exact");
        double e[] = {0.0, -0.0};
        ok(sum_of(e, 2) == 0.0, "0 + -0 = 0");
        sd_acc_init(&a1);
        ok(sd_acc_sum(&a1) == 0.0, "empty sum = 0");
    }

    /* 4. negative totals: symmetric with positive ones, bitwise */
    {
        for (int i = 0; i < N; i++) y[i] = -x[i];
        ok(same_bits(sum_of(y, N), -s0), "sum(-x) = -sum(x) bitwise on the wild data");
        double v[] = {-3.0, 1.0, -0x1p-60};
        ok(same_bits(sum_of(v, 3), -2.0 - 0x1p-60), "-3 + 1 - 2^-60 = -(2 + 2^-60)");
        double w[] = {-1e300, 1e-300};
        ok(same_bits(sum_of(w, 2), -1e300), "-1e300 + 1e-300 rounds to -1e300");
        double q[] = {1.0, -0x1p-80};
        double sq = sum_of(q, 2);
        ok(sq == 1.0 || sq == 1.0 - 0x1p-53, "1 - 2^-80 rounds faithfully (got %a)", sq);
        double t[] = {-1.0, -0x1p-53, -0x1p-100};
        sq = sum_of(t, 3);
        ok(sq == -1.0 || sq == -1.0 - 0x1p-52, "-(1 + 2^-53 + 2^-100) rounds faithfully (got %a)", sq);
        if (sq != -1.0 - 0x1p-52) diag("note: sd_acc_sum is faithful, not correctly rounded (nearest is %a)", -1.0 - 0x1p-52);
    }

    /* 5. merging partials in different groupings = one pass, bitwise */
    {
        int groupings[] = {1, 7, 1000, 65536, N};
        int all = 1;
        for (size_t g = 0; g < sizeof groupings / sizeof groupings[0]; g++) {
            sd_acc tot, part;
            sd_acc_init(&tot);
            for (int i0 = 0; i0 < N; i0 += groupings[g]) {
                int m = N - i0 < groupings[g] ? N - i0 : groupings[g];
                acc_of(&part, x + i0, m);
                sd_acc_merge(&tot, &part);
            }
            all &= same_bits(sd_acc_sum(&tot), s0) && acc_same(&tot, &a0) && tot.count == N;
        }
        /* partials over random split points (some empty), merged as a binary tree */
        enum { P = 37 };
        sd_acc parts[P];
        int cut[P + 1];
        cut[0] = 0, cut[P] = N;
        for (int p = 1; p < P; p++) cut[p] = (int)(rng_u64(&r) % N);
        for (int p = 1; p < P; p++)
            for (int q = p + 1; q < P; q++)
                if (cut[q] < cut[p]) { int t = cut[p]; cut[p] = cut[q]; cut[q] = t; }
        for (int p = 0; p < P; p++) acc_of(&parts[p], x + cut[p], cut[p + 1] - cut[p]);
        for (int w = 1; w < P; w *= 2)
            for (int p = 0; p + w < P; p += 2 * w) sd_acc_merge(&parts[p], &parts[p + w]);
        all &= same_bits(sd_acc_sum(&parts[0]), s0) && acc_same(&parts[0], &a0);
        ok(all, "partials merged in groupings of 1, 7, 1000, 65536, N and a random tree = one pass");
    }

    /* 6. agreement with an independent reference on benign data: a double-double (TwoSum)
     * running sum over magnitude-sorted values (relative error ~1e-30: the rounded reference is
     * the correctly rounded sum), plus long double as a cross-check. Double-double rather than
     * long double alone, because valgrind computes long double in double precision. */
    {
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < N; i++) y[i] = t == 0 ? rng_range(&r, 0.0, 1.0) : rng_range(&r, -1.0, 1.0) * 1e3;
            double s = sum_of(y, N);
            qsort(y, N, sizeof(double), cmp_abs);
            double hi = 0, lo = 0;
            long double ld = 0;
            for (int i = 0; i < N; i++) {
                double a = hi, b = y[i], sum = a + b, bb = sum - a, err = (a - (sum - bb)) + (b - bb);
                hi = sum, lo += err;
                ld += y[i];
            }
            double ref = hi + lo, ulp = nextafter(fabs(ref), INFINITY) - fabs(ref);
            ok(fabs(s - ref) <= ulp, "%s: within 1 ulp of the sorted double-double sum (%.17g vs %.17g)",
               t == 0 ? "uniform [0,1)" : "uniform [-1e3,1e3)", s, ref);
            if (sizeof(long double) > sizeof(double) && (double)ld != ref) diag("long double sum: %.17Lg", ld);
        }
        double isum = 0;
        for (int i = 0; i < 10000; i++) { y[i] = (double)(i - 3000); isum += y[i]; }
        ok(same_bits(sum_of(y, 10000), isum), "integers: exactly the integer total");
        for (int i = 0; i < 1000; i++) y[i] = 0.1;
        /* 1000 * 0.1 (the double) = 100.00000000000000555..., rounds to 100 */
        ok(same_bits(sum_of(y, 1000), 100.0), "1000 x 0.1 = 100 (naive summation gives %.17g)", 99.9999999999986);
    }

    /* 7. non-finite values */
    {
        sd_acc a;
        sd_acc_init(&a);
        sd_acc_add(&a, 1.0);
        sd_acc_add(&a, NAN);
        sd_acc_add(&a, INFINITY);
        sd_acc_add(&a, -INFINITY);
        sd_acc_add(&a, 2.0);
        ok(a.count == 5 && a.nonfinite == 3, "count 5, nonfinite 3 after 1, NaN, Inf, -Inf, 2");
        ok(isnan(sd_acc_sum(&a)), "sum with non-finite values is NaN");
        ok(a.maxv == 2.0 && a.minv == 1.0, "max/min ignore non-finite values");
        sd_acc b;
        sd_acc_init(&b);
        sd_acc_extreme(&b, -5.0);
        sd_acc_extreme(&b, NAN);
        sd_acc_extreme(&b, -INFINITY);
        sd_acc_extreme(&b, 7.0);
        ok(b.count == 4 && b.nonfinite == 2 && b.maxv == 7.0 && b.minv == -5.0, "sd_acc_extreme: extremes and non-finite count");
        sd_acc_merge(&a, &b);
        ok(a.count == 9 && a.nonfinite == 5 && a.maxv == 7.0 && a.minv == -5.0, "merge adds counts and combines extremes");
    }

    /* 8. sd_acc_normalize: canonical form */
    {
        sd_acc p, q;
        sd_acc_init(&p);
        sd_acc_init(&q);
        sd_acc_add(&p, 1.0); /* 1.0 = 2^1074 above 2^-1074: bit 1074 = limb 33, bit 18 */
        q.limb[33] = (int64_t)1 << 50;  /* 2^18 * 2^32 too much in limb 33 ... */
        q.limb[34] = -((int64_t)1 << 18); /* ... compensated in limb 34 */
        q.limb[33] += (int64_t)1 << 18;
        q.nadd = 2;
        sd_acc_normalize(&q);
        sd_acc_normalize(&p);
        ok(!memcmp(p.limb, q.limb, sizeof p.limb) && q.nadd == 0, "two limb patterns of 1.0 normalise to the same limbs");
        int canon = 1;
        for (int i = 0; i < SD_XSUM_LIMBS - 1; i++) canon &= q.limb[i] >= 0 && q.limb[i] < ((int64_t)1 << 32);
        ok(canon && q.limb[33] == ((int64_t)1 << 18) && q.limb[SD_XSUM_LIMBS - 1] == 0, "normalised limbs lie in [0, 2^32)");
        sd_acc_init(&p);
        sd_acc_add(&p, -1.0);
        sd_acc_normalize(&p);
        canon = p.limb[SD_XSUM_LIMBS - 1] < 0;
        for (int i = 0; i < SD_XSUM_LIMBS - 1; i++) canon &= p.limb[i] >= 0 && p.limb[i] < ((int64_t)1 << 32);
        ok(canon && same_bits(sd_acc_sum(&p), -1.0), "a negative total: low limbs in [0,2^32), negative top limb, value -1");
        /* limbs near the int64 limit, as after ~2^30 unnormalised adds */
        sd_acc_init(&p);
        p.limb[40] = (int64_t)1 << 62;
        p.limb[41] = (int64_t)1 << 62;
        p.nadd = SD_XSUM_NADD_MAX - 1;
        ok(same_bits(sd_acc_sum(&p), ldexp(1.0, 62 + 32 * 40 - 1074) + ldexp(1.0, 62 + 32 * 41 - 1074)),
           "limbs of 2^62 carry correctly (2^268 + 2^300)");
        sd_acc_add(&p, 1.0); /* reaches SD_XSUM_NADD_MAX: normalises by itself */
        canon = p.nadd == 0;
        for (int i = 0; i < SD_XSUM_LIMBS - 1; i++) canon &= p.limb[i] >= 0 && p.limb[i] < ((int64_t)1 << 32);
        ok(canon, "the SD_XSUM_NADD_MAX-th add propagates carries");
        sd_acc_init(&q);
        q.limb[40] = -((int64_t)1 << 62);
        ok(same_bits(sd_acc_sum(&q), -ldexp(1.0, 62 + 32 * 40 - 1074)), "a limb of -2^62: -2^268");
        /* the same value added in many small pieces vs one big: same canonical limbs */
        sd_acc_init(&p);
        sd_acc_init(&q);
        for (int i = 0; i < 4096; i++) sd_acc_add(&p, 0x1p-12);
        sd_acc_add(&q, 1.0);
        ok(acc_same(&p, &q), "4096 x 2^-12 and 1.0 normalise to the same limbs");
    }
    free(x);
    free(y);
    return tap_done();
}
