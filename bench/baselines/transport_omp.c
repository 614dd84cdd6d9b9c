/* transport_omp.c - baseline of the transport benchmark (bench/transport/run.sh): one proton
 * transport step (angular scatter, CSDA energy loss, bilinear streaming; docs/transport.md) on a
 * dense 2-D (x, z) grid with theta and E bins per cell, in one fused pass per step, written as a
 * plain C + OpenMP program from the physics of the issue, independently of codelets/transport
 * (it shares only the NIST PSTAR water table, codelets/transport/pstar_water.h). f64 or f32 psi.
 * Layout as stardag's tiles: x fastest, then z, theta, E. The step itself: transport_omp_step.h.
 *
 *   transport_omp [--nx N] [--nz N] [--ntheta N] [--ne N] [--dx MM] [--dz MM] [--ds MM]
 *                 [--theta LO HI] [--energy LO HI] [--k-sigma K] [--e-cut MEV] [--f32]
 *                 [-s STEPS] [-r REPS] [-w WARMUP] [--dump-dose FILE] [--dump-psi FILE]
 *       psi = a constant (every bin occupied: the dense case, total weight 1); times REPS runs of
 *       STEPS steps after WARMUP steps; prints the median and min-max ms/step, the conservation of
 *       weight and energy, and "RESULT transport_omp ... ms_per_step=... min=... max=...".
 *   transport_omp --csda E    prints the CSDA range of E MeV (the integral the energy loss uses)
 *   transport_omp --compare FILE.h5 STEP0 STEP1 --ds MM [--k-sigma K] [--e-cut MEV] [--tol T]
 *                 [--fields PSI,DOSE,TALLY]
 *       (HDF5 build) takes grid, spacing, bins and precision from a stardag output file, psi, dose
 *       and tally at STEP0 from it, steps to STEP1 and compares with the file's fields at STEP1:
 *       prints the largest difference relative to each field's largest value, exit 0 if <= T
 *       (default 1e-12), 1 if not.
 * Dumps are raw little-endian values in the tile layout (psi: REAL, dose: f64 [nz][nx]). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef TRANSPORT_OMP_HDF5
#include <hdf5.h>
#endif
#include "pstar_water.h"

/* The shared table's rows: { T MeV, S total MeV cm^2/g, CSDA range g/cm^2 }, T ascending. */
#define TP_PSTAR_N SD_PSTAR_WATER_ROWS
#define TP_PSTAR_E(i) (sd_pstar_water[i][0])
#define TP_PSTAR_S(i) (sd_pstar_water[i][1])

typedef struct tp_config {
    int64_t nx, nz, nth, ne;
    double dx, dz, ds, th_lo, th_hi, e_lo, e_hi, k_sigma, e_cut;
} tp_config;

typedef struct tp_stream { double c00, c10, c01, c11; int64_t sx, sz; } tp_stream;

typedef struct tp_tables {
    double *ec;                       /* energy bin centres, MeV */
    int *K; int64_t *w_off; double *w; /* scatter kernel of bin m: w[w_off[m] + d + K[m]], |d| <= K[m] */
    double *lostfrac;                 /* [m][k]: the part of bin (k, m) scattered past the theta range */
    int *stop; double *edep;          /* per source bin: stops, or energy given per unit weight */
    int *src_first, *src_count, *src_m; double *src_f; /* per destination bin: its sources, ascending */
    int64_t *win_top;                 /* highest source bin of destination m (m - 1 if none) */
    int64_t ring;                     /* most source bins one destination needs: S blocks kept */
    tp_stream *st;                    /* per theta bin */
} tp_tables;

typedef struct tp_scratch { int nthreads; void **ring, **qpad; double **acc; } tp_scratch;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "transport_omp: out of memory (%zu x %zu B)\n", n, size);
        exit(1);
    }
    return p;
}

/* ---- CSDA range of water: R(E) = int_0^E dE'/S(E'), S log-log interpolated in PSTAR -------------
 * On a segment S = S_i (E/E_i)^b, so R is a closed form and so is its inverse; below the first
 * table energy the first segment's power law continues to 0. Units: MeV, mm (S / 10 at 1 g/cm^3). */
static double pstar_R[TP_PSTAR_N];

static double seg_slope(int i)
{
    return log(TP_PSTAR_S(i + 1) / TP_PSTAR_S(i)) / log(TP_PSTAR_E(i + 1) / TP_PSTAR_E(i));
}

/* int_{E_i}^{E} dE'/S on segment i (S in MeV/mm) */
static double seg_range(int i, double E)
{
    const double b = seg_slope(i), Ei = TP_PSTAR_E(i), Si = TP_PSTAR_S(i) / 10.0;
    if (fabs(1.0 - b) < 1e-12) return Ei / Si * log(E / Ei);
    return Ei / (Si * (1.0 - b)) * (pow(E / Ei, 1.0 - b) - 1.0);
}

static void csda_init(void)
{
    const double b = seg_slope(0);
    pstar_R[0] = TP_PSTAR_E(0) / (TP_PSTAR_S(0) / 10.0 * (1.0 - b));
    for (int i = 1; i < TP_PSTAR_N; i++) pstar_R[i] = pstar_R[i - 1] + seg_range(i - 1, TP_PSTAR_E(i));
}

static int segment_of_energy(double E)
{
    int i = 0;
    while (i < TP_PSTAR_N - 2 && E > TP_PSTAR_E(i + 1)) i++;
    return i;
}

static double csda_range(double E)
{
    if (E <= 0) return 0;
    if (E < TP_PSTAR_E(0)) return pstar_R[0] + seg_range(0, E); /* seg_range < 0 below E_0 */
    const int i = segment_of_energy(E);
    return pstar_R[i] + seg_range(i, E);
}

static double csda_energy(double R)
{
    if (R <= 0) return 0;
    int i = 0;
    while (i < TP_PSTAR_N - 2 && R > pstar_R[i + 1]) i++;
    const double b = seg_slope(i), Ei = TP_PSTAR_E(i), Si = TP_PSTAR_S(i) / 10.0;
    if (fabs(1.0 - b) < 1e-12) return Ei * exp((R - pstar_R[i]) * Si / Ei);
    return Ei * pow(1.0 + (R - pstar_R[i]) * (1.0 - b) * Si / Ei, 1.0 / (1.0 - b));
}

/* ---- per-step tables (the step's operators depend on the bin, not on the cell) ----------------- */
static double std_normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* Highland (PDG 2024 eq. 34.15, z = 1) in radians, kinetic energy T (MeV), path ds (mm), water. */
static double highland(double T, double ds)
{
    const double mp = 938.272088, X0 = 360.8;
    const double pc = sqrt(T * T + 2.0 * T * mp), beta = pc / (T + mp), x = ds / X0;
    return 13.6 / (beta * pc) * sqrt(x) * (1.0 + 0.038 * log(x / (beta * beta)));
}

static void tables_init(const tp_config *c, tp_tables *t)
{
    const int64_t nth = c->nth, ne = c->ne;
    const double pi = 3.14159265358979323846, hE = (c->e_hi - c->e_lo) / ne;
    const double D = (c->th_hi - c->th_lo) / nth * pi / 180.0;
    t->ec = xcalloc(ne, sizeof *t->ec);
    for (int64_t m = 0; m < ne; m++) t->ec[m] = c->e_lo + (m + 0.5) * (c->e_hi - c->e_lo) / ne;
    /* scatter kernels, lost fractions */
    t->K = xcalloc(ne, sizeof *t->K);
    t->w_off = xcalloc(ne + 1, sizeof *t->w_off);
    for (int64_t m = 0; m < ne; m++) {
        t->K[m] = (int)ceil(c->k_sigma * highland(t->ec[m], c->ds) / D);
        t->w_off[m + 1] = t->w_off[m] + 2 * t->K[m] + 1;
    }
    t->w = xcalloc(t->w_off[ne], sizeof *t->w);
    t->lostfrac = xcalloc(ne * nth, sizeof *t->lostfrac);
    for (int64_t m = 0; m < ne; m++) {
        const double th0 = highland(t->ec[m], c->ds);
        const int K = t->K[m];
        double *w = t->w + t->w_off[m], sum = 0;
        for (int d = -K; d <= K; d++) {
            w[d + K] = std_normal_cdf((d + 0.5) * D / th0) - std_normal_cdf((d - 0.5) * D / th0);
            sum += w[d + K];
        }
        for (int d = -K; d <= K; d++) w[d + K] /= sum;
        for (int64_t k = 0; k < nth; k++)
            for (int d = -K; d <= K; d++)
                if (k + d < 0 || k + d >= nth) t->lostfrac[m * nth + k] += w[d + K];
    }
    /* energy loss: each source bin's E' = R^-1(R(E) - ds) and its split between two centres */
    const double e_cut = c->e_cut >= 0 ? c->e_cut : t->ec[0];
    int64_t *lo = xcalloc(ne, sizeof *lo);
    double *flo = xcalloc(ne, sizeof *flo), *fhi = xcalloc(ne, sizeof *fhi);
    t->stop = xcalloc(ne, sizeof *t->stop);
    t->edep = xcalloc(ne, sizeof *t->edep);
    for (int64_t m = 0; m < ne; m++) {
        const double Ep = csda_energy(csda_range(t->ec[m]) - c->ds);
        if (Ep < e_cut) { t->stop[m] = 1; continue; }
        if (Ep <= t->ec[0]) {
            lo[m] = 0; flo[m] = 1; fhi[m] = 0;
        } else {
            int64_t l = (int64_t)floor((Ep - t->ec[0]) / hE);
            if (l > ne - 2) l = ne - 2;
            while (l > 0 && t->ec[l] > Ep) l--;
            while (l < ne - 2 && t->ec[l + 1] <= Ep) l++;
            lo[m] = l;
            flo[m] = (t->ec[l + 1] - Ep) / (t->ec[l + 1] - t->ec[l]);
            fhi[m] = 1.0 - flo[m];
        }
        t->edep[m] = t->ec[m] - (flo[m] * t->ec[lo[m]] + fhi[m] * t->ec[lo[m] + 1]);
    }
    /* sources of each destination, ascending: lo of m' gets flo, lo + 1 gets fhi (zero parts dropped) */
    t->src_first = xcalloc(ne, sizeof *t->src_first);
    t->src_count = xcalloc(ne, sizeof *t->src_count);
    t->src_m = xcalloc(2 * ne, sizeof *t->src_m);
    t->src_f = xcalloc(2 * ne, sizeof *t->src_f);
    t->win_top = xcalloc(ne, sizeof *t->win_top);
    int n = 0;
    t->ring = 1;
    for (int64_t m = 0; m < ne; m++) {
        t->src_first[m] = n;
        t->win_top[m] = m - 1;
        for (int64_t s = 0; s < ne; s++) {
            if (t->stop[s]) continue;
            const double f = lo[s] == m ? flo[s] : lo[s] + 1 == m ? fhi[s] : 0.0;
            if (f == 0.0) continue;
            if (s < m) {
                fprintf(stderr, "transport_omp: energy bin %lld would gain energy (ds <= 0?)\n", (long long)s);
                exit(2);
            }
            t->src_m[n] = (int)s;
            t->src_f[n++] = f;
            t->win_top[m] = s;
        }
        t->src_count[m] = n - t->src_first[m];
        if (t->win_top[m] - m + 1 > t->ring) t->ring = t->win_top[m] - m + 1;
        if (m > 0 && t->win_top[m] < t->win_top[m - 1]) t->win_top[m] = t->win_top[m - 1];
    }
    free(lo); free(flo); free(fhi);
    /* streaming: displacement in cell units, bilinear weights of the four source offsets */
    t->st = xcalloc(nth, sizeof *t->st);
    for (int64_t k = 0; k < nth; k++) {
        const double th = (c->th_lo + (k + 0.5) * (c->th_hi - c->th_lo) / nth) * pi / 180.0;
        const double u = c->ds * sin(th) / c->dx, w = c->ds * cos(th) / c->dz;
        const double wx0 = 1.0 - fabs(u), wx1 = fabs(u), wz0 = 1.0 - fabs(w), wz1 = fabs(w);
        t->st[k] = (tp_stream){wx0 * wz0, wx1 * wz0, wx0 * wz1, wx1 * wz1, (u > 0) - (u < 0), (w > 0) - (w < 0)};
    }
}

static void scratch_init(const tp_config *c, const tp_tables *t, size_t real, tp_scratch *sc)
{
    sc->nthreads = omp_get_max_threads();
    sc->ring = xcalloc(sc->nthreads, sizeof *sc->ring);
    sc->qpad = xcalloc(sc->nthreads, sizeof *sc->qpad);
    sc->acc = xcalloc(sc->nthreads, sizeof *sc->acc);
    const size_t nc = (size_t)(c->nx * c->nz);
#pragma omp parallel num_threads(sc->nthreads)
    { /* first touch by the thread that uses it */
        const int tid = omp_get_thread_num();
        sc->ring[tid] = xcalloc((size_t)t->ring * c->nth * nc, real);
        sc->qpad[tid] = xcalloc((size_t)(c->nx + 2) * (c->nz + 2), real);
        sc->acc[tid] = xcalloc(13 * nc, sizeof(double));
    }
}

#define REAL double
#define SFX f64
#include "transport_omp_step.h"
#undef REAL
#undef SFX
#define REAL float
#define SFX f32
#include "transport_omp_step.h"
#undef REAL
#undef SFX

/* The run state of either precision. */
typedef struct tp_state {
    tp_config c;
    tp_tables t;
    tp_scratch sc;
    int f32;
    void *psi, *psi_next;
    double *dose, *tally;
} tp_state;

static void state_alloc(tp_state *s)
{
    const size_t n = (size_t)(s->c.nx * s->c.nz * s->c.nth * s->c.ne), real = s->f32 ? 4 : 8;
    const int64_t nc = s->c.nx * s->c.nz, nb = nc * s->c.nth;
    s->psi = xcalloc(n, real);
    s->psi_next = xcalloc(n, real);
    /* first touch with the step's split (threads own energy bins) */
#pragma omp parallel
    {
        const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
        const int64_t m0 = s->c.ne * tid / nt, m1 = s->c.ne * (tid + 1) / nt;
        memset((char *)s->psi + m0 * nb * real, 0, (m1 - m0) * nb * real);
        memset((char *)s->psi_next + m0 * nb * real, 0, (m1 - m0) * nb * real);
    }
    s->dose = xcalloc(nc, sizeof *s->dose);
    s->tally = xcalloc(12 * nc, sizeof *s->tally);
}

static void state_step(tp_state *s)
{
    if (s->f32) step_f32(&s->c, &s->t, &s->sc, s->psi, s->psi_next, s->dose, s->tally);
    else step_f64(&s->c, &s->t, &s->sc, s->psi, s->psi_next, s->dose, s->tally);
    void *tmp = s->psi;
    s->psi = s->psi_next;
    s->psi_next = tmp;
}

/* weight_balance = remaining + stopped + lost + escaped; energy_balance = kinetic + dose + lost
 * and escaped energy (stopped energy is inside the dose). */
static void balances(const tp_state *s, long double *wb, long double *eb)
{
    long double w, e;
    if (s->f32) totals_f32(&s->c, &s->t, s->psi, &w, &e);
    else totals_f64(&s->c, &s->t, s->psi, &w, &e);
    const int64_t nc = s->c.nx * s->c.nz;
    for (int64_t i = 0; i < nc; i++) {
        e += s->dose[i];
        for (int q = 0; q < 6; q++) w += s->tally[q * nc + i];
        for (int q = 7; q < 12; q++) e += s->tally[q * nc + i];
    }
    *wb = w;
    *eb = e;
}


static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int write_raw(const char *path, const void *p, size_t n, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, size, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "transport_omp: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

#ifdef TRANSPORT_OMP_HDF5
static int h5_attr(hid_t obj, const char *name, hid_t type, void *buf)
{
    const hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    const herr_t st = H5Aread(a, type, buf);
    H5Aclose(a);
    return st < 0 ? -1 : 0;
}

/* /fields/NAME/STEP into buf (converted to type); -1 with a message if absent or unreadable. */
static int h5_field(hid_t file, const char *name, int64_t step, hid_t type, void *buf)
{
    char path[256];
    snprintf(path, sizeof path, "/fields/%s/%08lld", name, (long long)step);
    const hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) {
        fprintf(stderr, "transport_omp: no dataset %s\n", path);
        return -1;
    }
    const herr_t st = H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    if (st < 0) fprintf(stderr, "transport_omp: cannot read %s\n", path);
    return st < 0 ? -1 : 0;
}

/* Largest |a - b| over the largest |b|; counts values that differ bitwise (as f64). */
static double rel_diff(const double *a, const double *b, int64_t n, int64_t *nbits)
{
    double md = 0, mx = 0;
    *nbits = 0;
    for (int64_t i = 0; i < n; i++) {
        const double d = fabs(a[i] - b[i]);
        if (!(d <= md)) md = d;
        if (fabs(b[i]) > mx) mx = fabs(b[i]);
        *nbits += memcmp(&a[i], &b[i], sizeof(double)) != 0;
    }
    return mx > 0 ? md / mx : md;
}

static int compare(tp_state *s, const char *path, int64_t s0, int64_t s1, const char *names[3], double tol)
{
    const hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        fprintf(stderr, "transport_omp: cannot open %s\n", path);
        return 2;
    }
    int64_t shape[3], counts[2];
    double spacing[3], lo[2], hi[2];
    const hid_t g = H5Gopen2(file, "/grid", H5P_DEFAULT);
    char fg[256];
    snprintf(fg, sizeof fg, "/fields/%s", names[0]);
    const hid_t fp = H5Gopen2(file, fg, H5P_DEFAULT);
    if (g < 0 || fp < 0 || h5_attr(g, "shape", H5T_NATIVE_INT64, shape) || h5_attr(g, "spacing", H5T_NATIVE_DOUBLE, spacing) ||
        h5_attr(fp, "inner_counts", H5T_NATIVE_INT64, counts) || h5_attr(fp, "inner_lo", H5T_NATIVE_DOUBLE, lo) ||
        h5_attr(fp, "inner_hi", H5T_NATIVE_DOUBLE, hi)) {
        fprintf(stderr, "transport_omp: %s: not a 2-D grid output with field %s on two inner axes\n", path, names[0]);
        return 2;
    }
    H5Gclose(g);
    H5Gclose(fp);
    /* psi's precision: its dataset's (4 or 8 B floats) */
    snprintf(fg, sizeof fg, "/fields/%s/%08lld", names[0], (long long)s0);
    const hid_t pd = H5Dopen2(file, fg, H5P_DEFAULT);
    const hid_t ty = pd < 0 ? -1 : H5Dget_type(pd);
    if (ty < 0) {
        fprintf(stderr, "transport_omp: %s: no dataset %s\n", path, fg);
        return 2;
    }
    s->f32 = H5Tget_size(ty) == 4;
    H5Tclose(ty);
    H5Dclose(pd);
    s->c.nx = shape[0]; s->c.nz = shape[1]; s->c.nth = counts[0]; s->c.ne = counts[1];
    s->c.dx = spacing[0]; s->c.dz = spacing[1];
    s->c.th_lo = lo[0]; s->c.th_hi = hi[0]; s->c.e_lo = lo[1]; s->c.e_hi = hi[1];
    tables_init(&s->c, &s->t);
    scratch_init(&s->c, &s->t, s->f32 ? 4 : 8, &s->sc);
    state_alloc(s);
    const int64_t nc = s->c.nx * s->c.nz, n = nc * s->c.nth * s->c.ne;
    const hid_t rt = s->f32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    if (h5_field(file, names[0], s0, rt, s->psi) || h5_field(file, names[1], s0, H5T_NATIVE_DOUBLE, s->dose) ||
        h5_field(file, names[2], s0, H5T_NATIVE_DOUBLE, s->tally))
        return 2;
    long double wb0, eb0, wb1, eb1;
    balances(s, &wb0, &eb0);
    for (int64_t k = s0; k < s1; k++) state_step(s);
    balances(s, &wb1, &eb1);
    double *ref = xcalloc(n > 12 * nc ? n : 12 * nc, sizeof *ref), *mine = xcalloc(n, sizeof *mine);
    if (h5_field(file, names[0], s1, H5T_NATIVE_DOUBLE, ref)) return 2;
    for (int64_t i = 0; i < n; i++) mine[i] = s->f32 ? ((float *)s->psi)[i] : ((double *)s->psi)[i];
    int64_t b0, b1, b2;
    const double d0 = rel_diff(mine, ref, n, &b0);
    if (h5_field(file, names[1], s1, H5T_NATIVE_DOUBLE, ref)) return 2;
    const double d1 = rel_diff(s->dose, ref, nc, &b1);
    if (h5_field(file, names[2], s1, H5T_NATIVE_DOUBLE, ref)) return 2;
    const double d2 = rel_diff(s->tally, ref, 12 * nc, &b2);
    H5Fclose(file);
    const int ok = d0 <= tol && d1 <= tol && d2 <= tol;
    printf("transport_omp compare: %s, %lldx%lld cells x %lldx%lld bins %s, steps %lld..%lld from stardag's state:\n"
           "  max |diff| / max |value|: %s %.3g (%lld of %lld values differ bitwise), %s %.3g (%lld of %lld), %s %.3g (%lld of %lld)\n"
           "  baseline's own drift over these steps: weight_balance %.3Lg, energy_balance %.3Lg (relative)\n"
           "  tolerance %.3g: %s\n",
           path, (long long)s->c.nx, (long long)s->c.nz, (long long)s->c.nth, (long long)s->c.ne, s->f32 ? "f32" : "f64",
           (long long)s0, (long long)s1, names[0], d0, (long long)b0, (long long)n, names[1], d1, (long long)b1,
           (long long)nc, names[2], d2, (long long)b2, (long long)(12 * nc), (wb1 - wb0) / wb0, (eb1 - eb0) / eb0, tol,
           ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
#endif

static void usage(void)
{
    fprintf(stderr, "usage: transport_omp [--nx N] [--nz N] [--ntheta N] [--ne N] [--dx MM] [--dz MM] [--ds MM]\n"
                    "         [--theta LO HI] [--energy LO HI] [--k-sigma K] [--e-cut MEV] [--f32]\n"
                    "         [-s STEPS] [-r REPS] [-w WARMUP] [--dump-dose FILE] [--dump-psi FILE]\n"
                    "       transport_omp --compare FILE.h5 STEP0 STEP1 --ds MM [--k-sigma K] [--e-cut MEV] [--tol T]\n"
                    "         [--fields PSI,DOSE,TALLY]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    tp_state s = {.c = {.nx = 40, .nz = 40, .nth = 72, .ne = 200, .dx = 1.0, .dz = 1.0, .ds = 0.5, .th_lo = -90,
                        .th_hi = 90, .e_lo = 0.1, .e_hi = 200, .k_sigma = 3, .e_cut = -1}};
    int steps = 20, reps = 5, warmup = 2;
    const char *dump_dose = NULL, *dump_psi = NULL, *cmp = NULL;
    char fields[256] = "psi,dose,tally";
    int64_t cs0 = 0, cs1 = 0;
    double tol = 1e-12, csda_e = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int more = argc - 1 - i;
#define NUM(opt, dst, conv) else if (!strcmp(a, opt) && more >= 1) dst = conv(argv[++i])
        if (0) {}
        NUM("--nx", s.c.nx, atoll); NUM("--nz", s.c.nz, atoll); NUM("--ntheta", s.c.nth, atoll);
        NUM("--ne", s.c.ne, atoll); NUM("--dx", s.c.dx, atof); NUM("--dz", s.c.dz, atof);
        NUM("--ds", s.c.ds, atof); NUM("--k-sigma", s.c.k_sigma, atof); NUM("--e-cut", s.c.e_cut, atof);
        NUM("-s", steps, atoi); NUM("-r", reps, atoi); NUM("-w", warmup, atoi); NUM("--tol", tol, atof);
        NUM("--dump-dose", dump_dose, (const char *)); NUM("--dump-psi", dump_psi, (const char *));
#undef NUM
        else if (!strcmp(a, "--theta") && more >= 2) { s.c.th_lo = atof(argv[++i]); s.c.th_hi = atof(argv[++i]); }
        else if (!strcmp(a, "--energy") && more >= 2) { s.c.e_lo = atof(argv[++i]); s.c.e_hi = atof(argv[++i]); }
        else if (!strcmp(a, "--f32")) s.f32 = 1;
        else if (!strcmp(a, "--csda") && more >= 1) csda_e = atof(argv[++i]);
        else if (!strcmp(a, "--fields") && more >= 1) snprintf(fields, sizeof fields, "%s", argv[++i]);
        else if (!strcmp(a, "--compare") && more >= 3) { cmp = argv[++i]; cs0 = atoll(argv[++i]); cs1 = atoll(argv[++i]); }
        else usage();
    }
    csda_init();
    if (csda_e > 0) { /* the range integral against the table's own CSDA column */
        int r = 0;
        while (r < TP_PSTAR_N - 1 && TP_PSTAR_E(r) < csda_e) r++;
        printf("CSDA range of %g MeV in water: %.6g mm (integral of 1/S, log-log S); table row %g MeV: %.6g mm\n", csda_e,
               csda_range(csda_e), TP_PSTAR_E(r), sd_pstar_water[r][2] * 10.0);
        return 0;
    }
    if (cmp) {
#ifdef TRANSPORT_OMP_HDF5
        const char *names[3] = {fields, NULL, NULL};
        char *c1 = strchr(fields, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2 || cs1 < cs0 || s.c.ds <= 0) usage();
        *c1 = *c2 = 0;
        names[1] = c1 + 1;
        names[2] = c2 + 1;
        return compare(&s, cmp, cs0, cs1, names, tol);
#else
        (void)cs0; (void)cs1; (void)tol;
        fprintf(stderr, "transport_omp: built without HDF5, --compare unavailable\n");
        return 2;
#endif
    }
    if (s.c.nx < 1 || s.c.nz < 1 || s.c.nth < 1 || s.c.ne < 2 || s.c.ds <= 0 || s.c.ds > fmin(s.c.dx, s.c.dz) ||
        steps < 1 || reps < 1 || warmup < 0 || s.c.th_lo < -90 || s.c.th_hi > 90 || s.c.th_lo >= s.c.th_hi ||
        s.c.e_lo < 0 || s.c.e_lo >= s.c.e_hi) {
        fprintf(stderr, "transport_omp: bad sizes (need ds <= min(dx, dz), theta within [-90, 90], 0 <= E_lo < E_hi)\n");
        return 2;
    }
    tables_init(&s.c, &s.t);
    scratch_init(&s.c, &s.t, s.f32 ? 4 : 8, &s.sc);
    state_alloc(&s);
    const int64_t nc = s.c.nx * s.c.nz, n = nc * s.c.nth * s.c.ne;
    const double v = 1.0 / (double)n;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) {
        if (s.f32) ((float *)s.psi)[i] = (float)v;
        else ((double *)s.psi)[i] = v;
    }
    long double wb0, eb0, wb1, eb1;
    balances(&s, &wb0, &eb0);
    for (int i = 0; i < warmup; i++) state_step(&s);
    double *ms = xcalloc(reps, sizeof *ms);
    for (int r = 0; r < reps; r++) {
        const double t0 = now();
        for (int i = 0; i < steps; i++) state_step(&s);
        ms[r] = 1e3 * (now() - t0) / steps;
    }
    balances(&s, &wb1, &eb1);
    qsort(ms, reps, sizeof *ms, cmp_double);
    const double med = reps % 2 ? ms[reps / 2] : 0.5 * (ms[reps / 2 - 1] + ms[reps / 2]);
    const double mb = 2.0 * (double)n * (s.f32 ? 4 : 8) / 1e6;
    printf("transport_omp: %lldx%lld cells x %lld theta x %lld E (%s, %.1f MB per psi level), ds %g mm, %d threads, "
           "scatter ring %lld blocks\n",
           (long long)s.c.nx, (long long)s.c.nz, (long long)s.c.nth, (long long)s.c.ne, s.f32 ? "f32" : "f64", mb / 2,
           s.c.ds, s.sc.nthreads, (long long)s.t.ring);
    printf("  %d runs of %d steps (after %d warm-up): %.3f ms/step median (min %.3f, max %.3f), %.1f GB/s of psi traffic\n",
           reps, steps, warmup, med, ms[0], ms[reps - 1], mb / med);
    printf("  conservation after %d steps: weight_balance drift %.3Lg, energy_balance drift %.3Lg (relative)\n",
           warmup + reps * steps, (wb1 - wb0) / wb0, (eb1 - eb0) / eb0);
    printf("RESULT transport_omp nx=%lld nz=%lld ntheta=%lld ne=%lld dtype=%s threads=%d ms_per_step=%.6f min=%.6f max=%.6f "
           "bytes_per_step=%.0f\n",
           (long long)s.c.nx, (long long)s.c.nz, (long long)s.c.nth, (long long)s.c.ne, s.f32 ? "f32" : "f64",
           s.sc.nthreads, med, ms[0], ms[reps - 1], mb * 1e6);
    if (dump_dose && write_raw(dump_dose, s.dose, nc, sizeof(double))) return 1;
    if (dump_psi && write_raw(dump_psi, s.psi, n, s.f32 ? 4 : 8)) return 1;
    return 0;
}
