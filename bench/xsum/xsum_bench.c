/* xsum_bench.c - what an exact sum costs (docs/benchmarks.md): ns per value of a plain double sum,
 * of sd_acc_add term by term (how every reduction folded its terms before), and of sd_acc_add_n and
 * sd_max_abs_n under each SIMD variant this CPU runs; then the demo's kernels on one of its tiles
 * (128x128x16 cells of the kg-packet wave packet): the leapfrog step against the diagnostics
 * (lattice.energy, common.max_abs) with the ISA STARDAG_ISA selects. Medians and min-max of
 * repeated runs; measures, never asserts. Usage: xsum_bench [REPEATS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "lattice_fixture.h"
#include "simd/isa.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static int cmpd(const void *p, const void *q) { return (*(const double *)p > *(const double *)q) - (*(const double *)p < *(const double *)q); }
static void stats(double *v, int n, double *med, double *lo, double *hi)
{
    qsort(v, (size_t)n, sizeof *v, cmpd);
    *med = v[n / 2], *lo = v[0], *hi = v[n - 1];
}

static volatile double sink;
__attribute__((noinline)) static double plain_sum(const double *x, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
}
__attribute__((noinline)) static void old_sum(sd_acc *a, const double *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++) sd_acc_add(a, x[i]);
}
__attribute__((noinline)) static void scalar_max_abs(const double *x, int64_t n, double *mx, double *mn, int64_t *nf)
{
    for (int64_t i = 0; i < n; i++) {
        const double v = fabs(x[i]);
        if (!(v <= 1.7976931348623157e308)) { ++*nf; continue; }
        if (v > *mx) *mx = v;
        if (v < *mn) *mn = v;
    }
}

enum { PLAIN, OLD, NEW_SSE2, NEW_AVX2, NEW_AVX512, MAX_SCALAR, MAX_SSE2, MAX_AVX2, MAX_AVX512, NMETH };
static const char *const meth[NMETH] = {"plain double sum", "sd_acc_add term by term", "sd_acc_add_n sse2",
                                        "sd_acc_add_n avx2", "sd_acc_add_n avx512", "max |x| compares",
                                        "sd_max_abs_n sse2", "sd_max_abs_n avx2", "sd_max_abs_n avx512"};

/* ns per value of method m over x[0..n), called in pieces of `piece` values */
static double run(int m, const double *x, int64_t n, int64_t piece, int reps)
{
    sd_acc a;
    sd_acc_init(&a);
    double mx = 0, mn = 1e308, t0 = now(), s = 0;
    int64_t nf = 0;
    for (int r = 0; r < reps; r++)
        for (int64_t i = 0; i < n; i += piece) {
            const int64_t k = n - i < piece ? n - i : piece;
            switch (m) {
            case PLAIN: s += plain_sum(x + i, k); break;
            case OLD: old_sum(&a, x + i, k); break;
            case NEW_SSE2: case NEW_AVX2: case NEW_AVX512: sd_acc_add_n_isa((sd_isa)(m - NEW_SSE2), &a, x + i, k); break;
            case MAX_SCALAR: scalar_max_abs(x + i, k, &mx, &mn, &nf); break;
            default: sd_max_abs_n_isa((sd_isa)(m - MAX_SSE2), x + i, k, &mx, &mn, &nf); break;
            }
        }
    const double t = now() - t0;
    sink = s + sd_acc_sum(&a) + mx + mn + (double)nf;
    return t / ((double)n * reps) * 1e9;
}

static void machine(void)
{
    char line[512], model[256] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            char *c = strchr(line, ':');
            if (c) snprintf(model, sizeof model, "%s", c + 2);
            model[strcspn(model, "\n")] = 0;
            break;
        }
    if (f) fclose(f);
    printf("# machine: %s; SIMD widest %s, selected %s; L1d %ld KiB, L2 %ld KiB, L3 %ld KiB\n", model,
           sd_isa_name(sd_isa_best()), sd_isa_name(sd_isa_current()), sysconf(_SC_LEVEL1_DCACHE_SIZE) / 1024,
           sysconf(_SC_LEVEL2_CACHE_SIZE) / 1024, sysconf(_SC_LEVEL3_CACHE_SIZE) / 1024);
}

static void synthetic(int repeats)
{
    static const char *const kinds[] = {"smooth (1 + 0.1 sin)", "uniform in [-1, 1]", "8 decades, both signs",
                                        "packet^2 (~300 binades)"};
    const int64_t N = 1 << 21; /* 16 MiB: from memory when called on the whole array */
    double *x = malloc((size_t)N * sizeof *x);
    rng r = {42};
    printf("\n# ns per value, median [min-max] of %d runs; 'L1' = 512 values, 'mem' = 2^21 values per call\n", repeats);
    printf("%-24s %-26s %-26s %-26s\n", "method", "data", "L1", "mem");
    for (int k = 0; k < 4; k++) {
        for (int64_t i = 0; i < N; i++) {
            /* the demo's energy terms: squares of a Gaussian packet, rows of 128 cells through it */
            const double X = (double)(i % 128) - 64, Y = (double)((i / 128) % 128) - 64;
            x[i] = k == 0   ? 1.0 + 0.1 * sin(0.01 * (double)i)
                   : k == 1 ? rng_range(&r, -1, 1)
                   : k == 2 ? rng_range(&r, -1, 1) * pow(10, -8 * rng_unit(&r))
                            : exp(-(X * X + Y * Y) / 36) * cos(0.5 * X) * cos(0.5 * X);
        }
        for (int m = 0; m < NMETH; m++) {
            const int isa = m >= MAX_SSE2 ? m - MAX_SSE2 : m >= NEW_SSE2 && m <= NEW_AVX512 ? m - NEW_SSE2 : 0;
            if (!sd_isa_supported((sd_isa)isa)) continue;
            double l1[64], mem[64], a, b, c, d, e, f;
            for (int t = 0; t < repeats; t++) {
                l1[t] = run(m, x, 512, 512, 20000);
                mem[t] = run(m, x, N, N, 5);
            }
            stats(l1, repeats, &a, &b, &c);
            stats(mem, repeats, &d, &e, &f);
            printf("%-24s %-26s %6.3f [%.3f-%.3f]       %6.3f [%.3f-%.3f]\n", meth[m], kinds[k], a, b, c, d, e, f);
        }
    }
    free(x);
}

/* One z-slab tile of the demo's 128^3 wave packet (graphs/lattice/kg-packet.yaml), the slab
 * through its centre, ghosts filled periodically within the tile (the values, not the physics,
 * matter here). */
static void demo_tile(int repeats)
{
    const drv_spec s = {.nd = 3, .bc = {SD_BC_PERIODIC, SD_BC_PERIODIC, SD_BC_PERIODIC}, .order = 2,
                        .n = {128, 128, 16}, .dx = {1, 1, 1}, .c = 1, .cfl = 0.5};
    driver D;
    drv_init(&D, &s);
    for (int b = 0; b < 3; b++)
        for (int64_t k = 0; k < 16; k++)
            for (int64_t j = 0; j < 128; j++)
                for (int64_t i = 0; i < 128; i++) {
                    const double X = (double)i - 64, Y = (double)j - 64, Z = (double)k + 56 - 64 + 0.1 * b;
                    tbuf_set(&D.buf[b], i, j, k, 0, exp(-(X * X + Y * Y + Z * Z) / 72) * cos(0.5 * X - 0.25 * b));
                }
    for (int64_t x = 0; x < D.chi.total; x++) ((double *)D.chi.mem)[x] = 0.2;
    for (int b = 0; b < 3; b++) fill_ghosts(&D.buf[b], s.bc);
    const sd_codelet *mx = sd_codelet_find("common.max_abs");
    double tl[64], te[64], tm[64];
    for (int t = 0; t < repeats; t++) {
        sd_tile_args a;
        sd_acc acc;
        double t0;
        drv_args(&D, &a);
        args_buf(&a, 0, &D.buf[1]), args_buf(&a, 1, &D.buf[0]), args_buf(&a, 2, &D.chi), args_buf(&a, 3, &D.buf[2]);
        t0 = now();
        for (int r = 0; r < 10; r++) D.lf->cpu(&a);
        tl[t] = (now() - t0) / 10 * 1e6;
        drv_args(&D, &a);
        args_buf(&a, 0, &D.buf[2]), args_buf(&a, 1, &D.buf[1]), args_buf(&a, 2, &D.chi);
        sd_acc_init(&acc);
        a.acc = &acc, a.nacc = 1;
        t0 = now();
        for (int r = 0; r < 10; r++) D.en->cpu(&a);
        te[t] = (now() - t0) / 10 * 1e6;
        drv_args(&D, &a);
        args_buf(&a, 0, &D.buf[2]);
        sd_acc_init(&acc);
        a.acc = &acc, a.nacc = 1;
        t0 = now();
        for (int r = 0; r < 10; r++) mx->cpu(&a);
        tm[t] = (now() - t0) / 10 * 1e6;
    }
    double a, b, c;
    printf("\n# the demo's kernels on one 128x128x16 tile (us per call, median [min-max] of %d), SIMD %s\n", repeats,
           sd_isa_name(sd_isa_current()));
    stats(tl, repeats, &a, &b, &c);
    const double lf = a;
    printf("%-22s %8.1f [%.1f-%.1f]\n", "lattice.kg_leapfrog", a, b, c);
    stats(te, repeats, &a, &b, &c);
    double diag = a;
    printf("%-22s %8.1f [%.1f-%.1f]\n", "lattice.energy", a, b, c);
    stats(tm, repeats, &a, &b, &c);
    diag += a;
    printf("%-22s %8.1f [%.1f-%.1f]\n", "common.max_abs", a, b, c);
    printf("diagnostics every 10 steps add %.1f%% to the leapfrog's time\n", 100 * diag / (10 * lf));
    drv_free(&D);
}

int main(int argc, char **argv)
{
    const int repeats = argc > 1 ? atoi(argv[1]) : 7;
    if (repeats < 1 || repeats > 64) return fprintf(stderr, "usage: xsum_bench [REPEATS 1..64]\n"), 2;
    sd_register_builtin_codelets();
    machine();
    if (!getenv("XSUM_TILE_ONLY")) synthetic(repeats);
    demo_tile(repeats);
    return 0;
}
