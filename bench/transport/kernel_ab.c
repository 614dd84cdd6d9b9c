/* kernel_ab.c - the fused transport step's CPU kernel (tr_advance_f64, fused) of two builds on one
 * tile, alternated call by call in one process, so the machine's drift (which on a shared guest
 * moves whole-run timings by 1.5x within minutes) affects both alike. Built by kernel_ab.sh: A is
 * the kernel of a git revision, B the working tree's, both renamed; tables and the SIMD dispatch
 * come from the current libstardag.
 *
 *   kernel_ab REPS [NZ [BINS [CUTOFF [FUSED]]]]: a 40 x NZ tile (default 20: a tile of the 2-tile
 *   40x40x72x200 dense benchmark) at the grid's corner, 72 theta x 200 E bins, ds = 1 mm, dx = 1,
 *   dz = 1.25 mm, every bin of every cell occupied (BINS < 200: only E bins 100..100+BINS-1, a
 *   working set that stays in cache), psi from a fixed pattern, the step's cutoff (default 0), FUSED
 *   0 for transport.stream's kernel instead of the fused step's; prints each kernel's median and
 *   min ms per call and whether B's psi_next, dose, tally and occupancy equal A's bit for bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "transport_cpu.h"

void A_tr_advance_f64(const tr_io *io, const tr_tables *tb, int fused);
void B_tr_advance_f64(const tr_io *io, const tr_tables *tb, int fused);

typedef struct out_set {
    double *out, *occn, *dose, *tally;
} out_set;

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static void *zalloc(size_t n)
{
    void *p = aligned_alloc(64, (n + 7) / 8 * 8 * 8);
    if (!p) { fprintf(stderr, "kernel_ab: out of memory\n"); exit(1); }
    memset(p, 0, (n + 7) / 8 * 8 * 8);
    return p;
}

int main(int argc, char **argv)
{
    const int reps = argc > 1 ? atoi(argv[1]) : 10;
    const int64_t nx = 40, nz = argc > 2 ? atoi(argv[2]) : 20, nt = 72, ne = 200;
    const int64_t bins = argc > 3 ? atoi(argv[3]) : ne;
    const double cutoff = argc > 4 ? atof(argv[4]) : 0.0;
    const int fused = argc > 5 ? atoi(argv[5]) != 0 : 1;
    if (reps < 1 || nz < 1 || nz > 40 || bins < 1 || bins > ne) { fprintf(stderr, "usage: kernel_ab REPS [NZ<=40 [BINS<=200 [CUTOFF [FUSED]]]]\n"); return 2; }
    tr_setup s = {.nt = nt, .ne = ne, .th_lo = -90, .th_hi = 90, .e_lo = 0.1, .e_hi = 200, .ds = 1, .dx = 1, .dz = 1.25,
                  .k_sigma = 3, .e_cut = NAN};
    const tr_tables *tb = tr_tables_get(&s);
    if (!tb) { fprintf(stderr, "kernel_ab: no tables\n"); return 1; }
    const int64_t s1 = nx + 2, rows = nz + 2, s3 = s1 * rows, s4 = s3 * nt;
    const size_t n = (size_t)(s4 * ne), nc = (size_t)(rows * s1);
    double *psi = zalloc(n), *occ = zalloc(4 * nc);
    for (int64_t m = 0; m < ne; m++)
        for (int64_t k = 0; k < nt; k++)
            for (int64_t j = 0; j < nz; j++)
                for (int64_t x = 0; x < nx; x++)
                    psi[m * s4 + k * s3 + (j + 1) * s1 + x + 1] = (1.0 + 1e-3 * (double)((x * 7 + j * 13 + k * 3 + m) % 17)) / (40.0 * 40 * 72 * 200);
    for (size_t c = 0; c < nc; c++) {
        occ[c] = 0, occ[c + nc] = (double)(nt - 1);
        occ[c + 2 * nc] = bins < ne ? 100 : 0, occ[c + 3 * nc] = bins < ne ? (double)(100 + bins - 1) : (double)(ne - 1);
    }
    void (*fn[2])(const tr_io *, const tr_tables *, int) = {A_tr_advance_f64, B_tr_advance_f64};
    out_set o[2];
    double *t = malloc(sizeof(double) * (size_t)(2 * reps));
    for (int v = 0; v < 2; v++) o[v] = (out_set){zalloc(n), zalloc(4 * nc), zalloc(nc), zalloc(12 * nc)};
    for (int r = 0; r < reps; r++)
        for (int v = 0; v < 2; v++) {
            tr_io io = {.nx = nx, .nz = nz, .NX = 40, .NZ = 40, .nt = nt, .ne = ne, .psi = psi + s1 + 1, .ps1 = s1, .ps3 = s3, .ps4 = s4,
                        .out = o[v].out + s1 + 1, .os1 = s1, .os3 = s3, .os4 = s4, .occ = occ + s1 + 1, .cs1 = s1, .csc = (int64_t)nc,
                        .occn = o[v].occn + s1 + 1, .ns1 = s1, .nsc = (int64_t)nc, .dose = o[v].dose + s1 + 1, .ds1 = s1,
                        .tally = o[v].tally + s1 + 1, .ts1 = s1, .tsc = (int64_t)nc, .dense = bins >= ne, .cutoff = cutoff};
            memset(o[v].dose, 0, nc * sizeof(double));
            memset(o[v].tally, 0, 12 * nc * sizeof(double));
            memcpy(o[v].occn, occ, 4 * nc * sizeof(double));
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            fn[v](&io, tb, fused);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            t[v * reps + r] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        }
    const char *name[2] = {"A", "B"};
    for (int v = 0; v < 2; v++) {
        qsort(t + v * reps, (size_t)reps, sizeof(double), cmp);
        printf("%s: median %.3f ms, min %.3f, max %.3f (%d calls)\n", name[v], 1e3 * t[v * reps + reps / 2], 1e3 * t[v * reps],
               1e3 * t[v * reps + reps - 1], reps);
    }
    const int same = !memcmp(o[0].out, o[1].out, n * 8) && !memcmp(o[0].dose, o[1].dose, nc * 8) &&
                     !memcmp(o[0].tally, o[1].tally, 12 * nc * 8) && !memcmp(o[0].occn, o[1].occn, 4 * nc * 8);
    printf("B/A median %.3f; psi_next, dose, tally, occupancy: %s\n", t[reps + reps / 2] / t[reps / 2], same ? "bitwise equal" : "DIFFER");
    return same ? 0 : 1;
}
