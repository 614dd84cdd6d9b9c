/* t_xsum_bulk.c - sd_acc_add_n (runtime/simd/reduce_simd.c) against sd_acc_add term by term, under
 * every SIMD variant this CPU runs: the same limbs after normalisation, count, non-finite count and
 * extremes, for data that takes each of its paths (one or several extraction levels, levels left
 * over, chunks with NaN/Inf, huge or subnormal terms, only zeros), every length around the vector
 * widths and the chunk size, and into accumulators that already hold terms. */
#include <float.h>
#include <math.h>
#include "tap.h"
#include "kernel_util.h"
#include "simd/isa.h"

#define MAXN 1600

/* extremes: bitwise, except that either zero may be kept when both occur (kernel.h) */
static int same_extreme(double a, double b) { return same_bits(a, b) || (a == 0 && b == 0); }

static int same_acc(const sd_acc *want, const sd_acc *got)
{
    sd_acc w = *want, g = *got;
    sd_acc_normalize(&w);
    sd_acc_normalize(&g);
    return !memcmp(w.limb, g.limb, sizeof w.limb) && w.count == g.count && w.nonfinite == g.nonfinite &&
           same_extreme(w.maxv, g.maxv) && same_extreme(w.minv, g.minv) && same_bits(sd_acc_sum(want), sd_acc_sum(got));
}

typedef enum { SMOOTH, SIGNED, DECADES, WILD, SUBNORMAL, HUGE_, BOUND, ZEROS, NAN_ONE, INF_ONE, NKIND } kind;
static const char *const kind_name[NKIND] = {"smooth",   "signed ±",      "8 decades", "whole range", "subnormal",
                                             "near max", "at the bounds", "zeros",     "one NaN",     "one Inf"};

static double wild(rng *r)
{
    const double v = ldexp(1.0 + rng_unit(r), (int)(rng_u64(r) % 2040) - 1074);
    return (rng_u64(r) & 1) ? -v : v;
}

static void fill(double *x, int n, kind k, rng *r)
{
    for (int i = 0; i < n; i++) {
        switch (k) {
        case SMOOTH: x[i] = 1.0 + 0.1 * sin(0.01 * i) + 1e-9 * rng_unit(r); break;
        case SIGNED: x[i] = rng_range(r, -1, 1); break;
        case DECADES: x[i] = rng_range(r, -1, 1) * pow(10, -8 * rng_unit(r)); break;
        case WILD: x[i] = wild(r); break;
        case SUBNORMAL: x[i] = rng_range(r, -1, 1) * 0x1p-1030 * ((i % 3) ? 1 : 0x1p-40); break;
        case HUGE_: x[i] = (i % 7 == 3 ? DBL_MAX : 0x1p999) * rng_range(r, -1, 1); break;
        case BOUND: /* the largest fast magnitude, every term alike: level sums at their exact limit */
            x[i] = (i % 2 || n < 3) ? nextafter(0x1p1000, 0) : -nextafter(0x1p999, 0); break;
        case ZEROS: x[i] = (i % 2) ? -0.0 : 0.0; break;
        default: x[i] = rng_range(r, -1e3, 1e3);
        }
    }
    if (k == NAN_ONE && n) x[n / 2] = NAN;
    if (k == INF_ONE && n) x[n - 1] = (n % 2) ? INFINITY : -INFINITY;
}

int main(void)
{
    static double x[MAXN];
    static const int lens[] = {0,  1,  2,  3,  7,  8,   15,  16,  17,  31,  33,  255,  256,  257,
                               511, 512, 513, 527, 1000, 1023, 1024, 1025, 1536, 1600};
    const int nlen = (int)(sizeof lens / sizeof *lens);
    rng r = {0x5eed5eedULL};
    for (int isa = 0; isa < SD_ISA_COUNT; isa++) {
        if (!sd_isa_supported((sd_isa)isa)) {
            ok(1, "# SKIP %s: not supported by this CPU", sd_isa_name((sd_isa)isa));
            continue;
        }
        for (int k = 0; k < NKIND; k++) {
            int bad = -1;
            for (int li = 0; li < nlen && bad < 0; li++) {
                const int n = lens[li];
                fill(x, n, (kind)k, &r);
                sd_acc want, got;
                sd_acc_init(&want);
                sd_acc_init(&got);
                for (int i = 0; i < n; i++) sd_acc_add(&want, x[i]);
                sd_acc_add_n_isa((sd_isa)isa, &got, x, n);
                if (!same_acc(&want, &got)) bad = n;
            }
            ok(bad < 0, "%s, %s: every length 0..%d as term by term", sd_isa_name((sd_isa)isa), kind_name[k], MAXN);
            if (bad >= 0) diag("  first wrong length: %d", bad);
        }
        /* into accumulators that already hold terms, in pieces of every size, mixed with single adds */
        int bad = 0;
        for (int t = 0; t < 40 && !bad; t++) {
            sd_acc want, got;
            sd_acc_init(&want);
            sd_acc_init(&got);
            for (int piece = 0; piece < 6; piece++) {
                const int n = (int)(rng_u64(&r) % MAXN);
                fill(x, n, (kind)(rng_u64(&r) % NKIND), &r);
                for (int i = 0; i < n; i++) sd_acc_add(&want, x[i]);
                if (piece % 3 == 2)
                    for (int i = 0; i < n; i++) sd_acc_add(&got, x[i]);
                else sd_acc_add_n_isa((sd_isa)isa, &got, x, n);
            }
            bad = !same_acc(&want, &got);
        }
        ok(!bad, "%s: pieces of mixed data into non-empty accumulators as term by term", sd_isa_name((sd_isa)isa));
        /* many chunks: the carry rule of the limbs (nadd) is kept */
        {
            sd_acc want, got;
            sd_acc_init(&want);
            sd_acc_init(&got);
            for (int rep = 0; rep < 3000; rep++) {
                fill(x, 512, (kind)(rep % 4), &r);
                for (int i = 0; i < 512; i++) sd_acc_add(&want, x[i]);
                sd_acc_add_n_isa((sd_isa)isa, &got, x, 512);
            }
            ok(same_acc(&want, &got), "%s: 1.5 million terms in 3000 calls as term by term (sum %.17g)",
               sd_isa_name((sd_isa)isa), sd_acc_sum(&got));
        }
    }
    /* sd_max_abs_n against compares term by term, with NaN/Inf in the vector part and in the tail */
    for (int isa = 0; isa < SD_ISA_COUNT; isa++) {
        if (!sd_isa_supported((sd_isa)isa)) continue;
        int bad = -1;
        for (int k = 0; k < NKIND && bad < 0; k++)
            for (int li = 0; li < nlen && bad < 0; li++) {
                const int n = lens[li];
                fill(x, n, (kind)k, &r);
                if (n > 5 && k == SIGNED) x[n - 2] = -INFINITY; /* a tail or a vector lane */
                double wmx = 0, wmn = DBL_MAX, gmx = 0, gmn = DBL_MAX;
                int64_t wnf = 0, gnf = 0;
                for (int i = 0; i < n; i++) {
                    const double v = fabs(x[i]);
                    if (!(v <= DBL_MAX)) wnf++;
                    else {
                        if (v > wmx) wmx = v;
                        if (v < wmn) wmn = v;
                    }
                }
                sd_max_abs_n_isa((sd_isa)isa, x, n, &gmx, &gmn, &gnf);
                if (!same_bits(wmx, gmx) || !same_bits(wmn, gmn) || wnf != gnf) bad = k * 10000 + n;
            }
        ok(bad < 0, "%s: sd_max_abs_n as compares term by term (every kind and length)", sd_isa_name((sd_isa)isa));
        if (bad >= 0) diag("  first wrong: kind %d length %d", bad / 10000, bad % 10000);
    }
    /* the dispatching entry point uses the selected variant */
    fill(x, 1000, DECADES, &r);
    sd_acc a, b;
    sd_acc_init(&a);
    sd_acc_init(&b);
    sd_acc_add_n(&a, x, 1000);
    sd_acc_add_n_isa(sd_isa_current(), &b, x, 1000);
    ok(same_acc(&a, &b), "sd_acc_add_n uses the selected ISA (%s)", sd_isa_name(sd_isa_current()));
    /* the batch helper folds what it holds */
    sd_acc_init(&a);
    sd_acc_init(&b);
    sd_acc_batch bt = {.acc = &b};
    for (int i = 0; i < 1000; i++) {
        sd_acc_add(&a, x[i]);
        sd_acc_batch_put(&bt, x[i]);
    }
    sd_acc_batch_flush(&bt);
    ok(same_acc(&a, &b) && bt.n == 0, "sd_acc_batch: 1000 terms put and flushed as term by term");
    return tap_done();
}
