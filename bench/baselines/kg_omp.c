/* kg_omp.c - baseline for the stardag lattice benchmark: the variable-mass Klein-Gordon leapfrog of
 * lattice.kg_leapfrog (order 2 or 4, undamped) written as a plain C + OpenMP loop, the way a
 * competent user would:
 * one n^3 array per time level (no ghost layers: periodic wrap by index), pointer rotation,
 * `omp parallel for` over (z, y) rows, an x loop the compiler vectorises, first-touch
 * initialisation with the same static schedule.
 *
 * The arithmetic is exactly kg_leapfrog_f64 of codelets/lattice/kg_math.h (same operation order,
 * built with -ffp-contract=off like stardag), so results are bitwise equal to stardag's:
 *     E_next = 2E - E_prev + dt^2 (c^2 lap E - chi^2 E), periodic, f64, with the 7-point Laplacian
 *     (--order 2) or the 13-point one of order 4 (--order 4: b = 4/3, -1/12 per axis, kg_math.h).
 *
 *   kg_omp [-n N] [-s STEPS] [-r REPS] [-w WARMUP] [--order 2|4]
 *       times REPS runs of STEPS steps (after WARMUP steps); prints the median and min-max
 *       ms/step and one machine-readable line "RESULT kg_omp n=N threads=T ms_per_step=..."
 *   kg_omp --validate FILE.h5 K
 *       reads E at steps 0 and 1 from a stardag output file (periodic grid, f64, chi = --chi,
 *       c = --c, dt = --dt, dx = 1), steps it to K and compares with stardag's E at step K.
 *       Exit 0 when the maximum difference is <= 1e-12 (reports how many cells differ bitwise).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef KG_OMP_HDF5
#include <hdf5.h>
#endif

typedef struct coef { double c2, dt2, ix2, iy2, iz2, ka, kb, b1, b2; } coef;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* One leapfrog step over the periodic n^3 grid: out = f(e, ep, ch). */
static void step(int64_t n, const double *restrict e, const double *restrict ep, const double *restrict ch,
                 double *restrict out, coef k)
{
    const int64_t sy = n, sz = n * n;
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t z = 0; z < n; z++)
        for (int64_t y = 0; y < n; y++) {
            const int64_t r = z * sz + y * sy;
            const double *restrict c0 = e + r;
            const double *restrict ym = e + z * sz + ((y + n - 1) % n) * sy;
            const double *restrict yp = e + z * sz + ((y + 1) % n) * sy;
            const double *restrict zm = e + ((z + n - 1) % n) * sz + y * sy;
            const double *restrict zp = e + ((z + 1) % n) * sz + y * sy;
            const double *restrict p = ep + r, *restrict x = ch + r;
            double *restrict o = out + r;
            const double two = 2.0;
            /* Same evaluation order as kg_leapfrog_f64 (kg_math.h). */
#define KG_CELL(i, im, ip)                                                                             \
    do {                                                                                               \
        const double e0 = c0[i];                                                                       \
        double lap = ((c0[ip] - two * e0) + c0[im]) * k.ix2;                                           \
        lap = lap + ((yp[i] - two * e0) + ym[i]) * k.iy2;                                              \
        lap = lap + ((zp[i] - two * e0) + zm[i]) * k.iz2;                                              \
        o[i] = (two * e0 - p[i]) + k.dt2 * (k.c2 * lap - (x[i] * x[i]) * e0);                          \
    } while (0)
            KG_CELL(0, n - 1, 1);
#pragma omp simd
            for (int64_t i = 1; i < n - 1; i++) KG_CELL(i, i - 1, i + 1);
            KG_CELL(n - 1, n - 2, 0);
        }
}

/* The order-4 step (kg_leapfrog_f64 with P = 2): per axis ax = b1 ((e[+1] - 2e0) + e[-1]), then
 * ax = ax + b2 ((e[+2] - 2e0) + e[-2]); lap = ax_x ix2 + ax_y iy2 + ax_z iz2 (in that order);
 * out = (ka e0 - kb ep) + dt2 (c2 lap - chi^2 e0), ka = 2, kb = 1 (undamped: ka e0 = 2 e0 exactly). */
static void step4(int64_t n, const double *restrict e, const double *restrict ep, const double *restrict ch,
                  double *restrict out, coef k)
{
    const int64_t sy = n, sz = n * n;
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t z = 0; z < n; z++)
        for (int64_t y = 0; y < n; y++) {
            const int64_t r = z * sz + y * sy;
            const double *restrict c0 = e + r;
            const double *restrict ym1 = e + z * sz + ((y + n - 1) % n) * sy, *restrict yp1 = e + z * sz + ((y + 1) % n) * sy;
            const double *restrict ym2 = e + z * sz + ((y + n - 2) % n) * sy, *restrict yp2 = e + z * sz + ((y + 2) % n) * sy;
            const double *restrict zm1 = e + ((z + n - 1) % n) * sz + y * sy, *restrict zp1 = e + ((z + 1) % n) * sz + y * sy;
            const double *restrict zm2 = e + ((z + n - 2) % n) * sz + y * sy, *restrict zp2 = e + ((z + 2) % n) * sz + y * sy;
            const double *restrict p = ep + r, *restrict x = ch + r;
            double *restrict o = out + r;
            const double two = 2.0;
#define KG_AXIS4(m1, p1, m2, p2) (k.b1 * ((p1 - two * e0) + m1) + k.b2 * ((p2 - two * e0) + m2))
#define KG_CELL4(i, im1, ip1, im2, ip2)                                                                \
    do {                                                                                               \
        const double e0 = c0[i];                                                                       \
        double lap = KG_AXIS4(c0[im1], c0[ip1], c0[im2], c0[ip2]) * k.ix2;                             \
        lap = lap + KG_AXIS4(ym1[i], yp1[i], ym2[i], yp2[i]) * k.iy2;                                  \
        lap = lap + KG_AXIS4(zm1[i], zp1[i], zm2[i], zp2[i]) * k.iz2;                                  \
        o[i] = (k.ka * e0 - k.kb * p[i]) + k.dt2 * (k.c2 * lap - (x[i] * x[i]) * e0);                  \
    } while (0)
            KG_CELL4(0, n - 1, 1, n - 2, 2);
            KG_CELL4(1, 0, 2, n - 1, 3);
#pragma omp simd
            for (int64_t i = 2; i < n - 2; i++) KG_CELL4(i, i - 1, i + 1, i - 2, i + 2);
            KG_CELL4(n - 2, n - 3, n - 1, n - 4, 0);
            KG_CELL4(n - 1, n - 2, 0, n - 3, 1);
        }
}

/* One step of the chosen order. */
static void step_order(int order, int64_t n, const double *e, const double *ep, const double *ch, double *out, coef k)
{
    if (order == 4) step4(n, e, ep, ch, out, k);
    else step(n, e, ep, ch, out, k);
}

static double *alloc_field(int64_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (size_t)(n * n * n) * sizeof(double)) != 0) {
        fprintf(stderr, "kg_omp: out of memory (n = %lld)\n", (long long)n);
        exit(1);
    }
    return p;
}

static coef make_coef(double c, double dt, double dx)
{
    /* as kg_leapfrog_coef_f64 with gamma = 0: ka = 2 - 0, kb = 1 - 0, b = 4/3, -1/12 */
    coef k = {c * c, dt * dt, 1.0 / (dx * dx), 1.0 / (dx * dx), 1.0 / (dx * dx), 2.0, 1.0, 4.0 / 3.0, -1.0 / 12.0};
    return k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench(int64_t n, int steps, int reps, int warmup, int order)
{
    double *f[3] = {alloc_field(n), alloc_field(n), alloc_field(n)}, *chi = alloc_field(n);
    /* dt: CFL number 0.87 (order 2), 0.8 (order 4: its limit c dt sqrt(4/3 * 3) <= 1 is dt <= 0.5) */
    const double chi0 = 0.2, c = 1.0, dx = 1.0, dt = (order == 4 ? 0.4 : 0.5) * dx / c, w = 6.0 * dx, kx = 0.5 / dx;
    const coef k = make_coef(c, dt, dx);
    /* First touch with the loop's schedule; a Gaussian packet so values are ordinary numbers. */
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t z = 0; z < n; z++)
        for (int64_t y = 0; y < n; y++)
            for (int64_t x = 0; x < n; x++) {
                const int64_t i = (z * n + y) * n + x;
                const double h = (n - 1) / 2.0, r2 = (x - h) * (x - h) + (y - h) * (y - h) + (z - h) * (z - h);
                const double a = exp(-r2 / (2 * w * w));
                f[0][i] = a * cos(kx * (x - h + 0.5 * dt));
                f[1][i] = a * cos(kx * (x - h));
                f[2][i] = 0.0;
                chi[i] = chi0;
            }
    int cur = 0; /* f[cur] = E_prev, f[cur+1] = E, f[cur+2] = E_next (mod 3) */
    for (int s = 0; s < warmup; s++) {
        step_order(order, n, f[(cur + 1) % 3], f[cur], chi, f[(cur + 2) % 3], k);
        cur = (cur + 1) % 3;
    }
    double *ms = calloc(reps, sizeof *ms);
    for (int r = 0; r < reps; r++) {
        const double t0 = now();
        for (int s = 0; s < steps; s++) {
            step_order(order, n, f[(cur + 1) % 3], f[cur], chi, f[(cur + 2) % 3], k);
            cur = (cur + 1) % 3;
        }
        ms[r] = 1e3 * (now() - t0) / steps;
    }
    double checksum = 0.0;
    for (int64_t i = 0; i < n * n * n; i += 4099) checksum += f[(cur + 1) % 3][i];
    qsort(ms, reps, sizeof *ms, cmp_double);
    const double med = reps % 2 ? ms[reps / 2] : 0.5 * (ms[reps / 2 - 1] + ms[reps / 2]);
    const double cells = (double)n * n * n;
    printf("kg_omp: order %d, n=%lld, %d threads, %d reps x %d steps: median %.3f ms/step (min %.3f, max %.3f), "
           "%.1f Mcell/s, %.2f GB/s at 40 B/cell [checksum %.6g]\n",
           order, (long long)n, omp_get_max_threads(), reps, steps, med, ms[0], ms[reps - 1], cells / med * 1e-3,
           cells * 40.0 / med * 1e-6, checksum);
    printf("RESULT kg_omp order=%d n=%lld threads=%d ms_per_step=%.6f min=%.6f max=%.6f\n", order, (long long)n,
           omp_get_max_threads(), med, ms[0], ms[reps - 1]);
    free(ms);
    for (int i = 0; i < 3; i++) free(f[i]);
    free(chi);
    return 0;
}

#ifdef KG_OMP_HDF5
/* Read /fields/E/<step> (f64, n^3) from a stardag output file. */
static int read_E(hid_t file, int64_t step, double *buf)
{
    char name[64];
    snprintf(name, sizeof name, "/fields/E/%08lld", (long long)step);
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) {
        fprintf(stderr, "kg_omp: no dataset %s\n", name);
        return -1;
    }
    herr_t st = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    return st < 0 ? -1 : 0;
}

static int validate(const char *path, int64_t K, double c, double dt, double chi0, int order)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        fprintf(stderr, "kg_omp: cannot open %s\n", path);
        return 2;
    }
    int64_t shape[3];
    hid_t g = H5Gopen2(file, "/grid", H5P_DEFAULT);
    hid_t at = H5Aopen(g, "shape", H5P_DEFAULT);
    H5Aread(at, H5T_NATIVE_INT64, shape);
    H5Aclose(at);
    H5Gclose(g);
    if (shape[0] != shape[1] || shape[1] != shape[2] || K < 2) {
        fprintf(stderr, "kg_omp: --validate needs a cubic grid and K >= 2\n");
        return 2;
    }
    const int64_t n = shape[0], N = n * n * n;
    double *f[3] = {alloc_field(n), alloc_field(n), alloc_field(n)}, *chi = alloc_field(n), *ref = alloc_field(n);
    if (read_E(file, 0, f[0]) < 0 || read_E(file, 1, f[1]) < 0 || read_E(file, K, ref) < 0) return 2;
    H5Fclose(file);
    for (int64_t i = 0; i < N; i++) chi[i] = chi0;
    const coef k = make_coef(c, dt, 1.0);
    int cur = 0;
    for (int64_t s = 2; s <= K; s++) {
        step_order(order, n, f[(cur + 1) % 3], f[cur], chi, f[(cur + 2) % 3], k);
        cur = (cur + 1) % 3;
    }
    const double *mine = f[(cur + 1) % 3];
    double maxdiff = 0.0, maxabs = 0.0;
    int64_t nbits = 0;
    for (int64_t i = 0; i < N; i++) {
        const double d = fabs(mine[i] - ref[i]);
        if (!(d <= maxdiff)) maxdiff = d;
        if (fabs(ref[i]) > maxabs) maxabs = fabs(ref[i]);
        nbits += memcmp(&mine[i], &ref[i], sizeof(double)) != 0;
    }
    const int ok = maxdiff <= 1e-12;
    printf("kg_omp validate: %s, order %d, n=%lld, steps 2..%lld from stardag's E(0), E(1): max |E_omp - E_stardag| = %.3g "
           "(max |E| = %.3g), %lld of %lld cells differ bitwise: %s\n",
           path, order, (long long)n, (long long)K, maxdiff, maxabs, (long long)nbits, (long long)N, ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
#endif

int main(int argc, char **argv)
{
    int64_t n = 256;
    int steps = 20, reps = 5, warmup = 3, order = 2;
    double c = 1.0, dt = 0.5, chi = 0.2;
    const char *vfile = NULL;
    int64_t vK = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int more = i + 1 < argc;
        if (!strcmp(a, "-n") && more) n = atoll(argv[++i]);
        else if (!strcmp(a, "-s") && more) steps = atoi(argv[++i]);
        else if (!strcmp(a, "-r") && more) reps = atoi(argv[++i]);
        else if (!strcmp(a, "-w") && more) warmup = atoi(argv[++i]);
        else if (!strcmp(a, "--c") && more) c = atof(argv[++i]);
        else if (!strcmp(a, "--dt") && more) dt = atof(argv[++i]);
        else if (!strcmp(a, "--chi") && more) chi = atof(argv[++i]);
        else if (!strcmp(a, "--order") && more) order = atoi(argv[++i]);
        else if (!strcmp(a, "--validate") && i + 2 < argc) {
            vfile = argv[++i];
            vK = atoll(argv[++i]);
        } else {
            fprintf(stderr, "usage: kg_omp [-n N] [-s STEPS] [-r REPS] [-w WARMUP] [--order 2|4]\n"
                            "       kg_omp --validate FILE.h5 K [--c C] [--dt DT] [--chi CHI] [--order 2|4]\n");
            return 2;
        }
    }
    if (order != 2 && order != 4) {
        fprintf(stderr, "kg_omp: --order %d: expected 2 or 4\n", order);
        return 2;
    }
    if (vfile) {
#ifdef KG_OMP_HDF5
        return validate(vfile, vK, c, dt, chi, order);
#else
        (void)vK;
        fprintf(stderr, "kg_omp: built without HDF5, --validate unavailable\n");
        return 2;
#endif
    }
    if (n < (order == 4 ? 5 : 3) || steps < 1 || reps < 1 || warmup < 0) {
        fprintf(stderr, "kg_omp: need n >= 3 (5 with --order 4), steps >= 1, reps >= 1\n");
        return 2;
    }
    return bench(n, steps, reps, warmup, order);
}
