/* t_md_mixed.c - the mixed-precision Lennard-Jones kernels (codelets/md/lj_force_mixed.c), called
 * directly (no StarPU), on the single-block simulation of md_sim.h (the whole box one block, its
 * ghosts the periodic images):
 *   1. forces, energy and virial bitwise equal to a plain loop written from the documented order
 *      (md_kernels.h: f32 coordinates and coefficients, entry k in lane k % 16, f32 force lanes,
 *      double energy lanes, the pairwise tree in double), under every SIMD variant this CPU runs
 *      (the one-type intrinsics path and the several-type C path), for dense and dilute liquids
 *      (lists longer and shorter than 16 entries, tails of every length);
 *   2. the accuracy against the double path: forces, energy and virial within the f32 rounding;
 *   3. NVE: a mixed-precision run conserves energy nearly as well as the double path;
 *   4. non-finite positions (NaN of either sign, infinities) give the same bits under every SIMD
 *      variant, in both precisions (a NaN r2 is masked everywhere, as on CUDA). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "md_sim.h"
#include "simd/isa.h"

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The documented order, written plainly. */
static double tree16(double a[16])
{
    for (int w = 1; w < 16; w *= 2)
        for (int l = 0; l < 16; l += 2 * w) a[l] += a[l + w];
    return a[0];
}

static void ref_mixed(const sim *s, double *F, sd_acc *U, sd_acc *W)
{
    const int64_t sc = s->cap;
    for (int64_t i = 0; i < s->n; i++) {
        float a[3][16] = {{0}};
        double ae[16] = {0}, aw[16] = {0};
        for (int64_t k = s->start[i]; k < s->start[i + 1]; k++) {
            const int64_t j = s->nbr[k];
            const int ab = s->type[i] * MD_MAX_TYPES + s->type[j];
            float d[3];
            for (int c = 0; c < 3; c++) d[c] = (float)s->x[i + c * sc] - (float)s->x[j + c * sc];
            const float r2 = (d[0] * d[0] + d[1] * d[1]) + d[2] * d[2];
            if (!(r2 < (float)s->tab.rc2[ab])) continue;
            const int l = (int)((k - s->start[i]) % 16);
            const float fr = md_lj_fr_f32(r2, (float)s->tab.f12[ab], (float)s->tab.f6[ab]);
            for (int c = 0; c < 3; c++) a[c][l] += d[c] * fr;
            float e, w;
            md_lj_energy_virial_f32(r2, (float)s->tab.c12[ab], (float)s->tab.c6[ab], (float)s->tab.eshift[ab],
                                    (float)s->tab.f12[ab], (float)s->tab.f6[ab], &e, &w);
            ae[l] += (double)e, aw[l] += (double)w;
        }
        for (int c = 0; c < 3; c++) {
            double d[16];
            for (int l = 0; l < 16; l++) d[l] = (double)a[c][l];
            F[i + c * s->n] = md_canonical_nan(tree16(d));
        }
        sd_acc_add(U, 0.5 * tree16(ae));
        sd_acc_add(W, 0.5 * tree16(aw));
    }
}

/* Two types (A and B alternate by id; Lorentz-Berthelot), so the kernels take the C path that
 * reads per-pair coefficients. */
static void two_types(sim *s, double rc)
{
    for (int64_t i = 0; i < s->n + s->ng; i++) s->type[i] = (int32_t)(s->id[i] % 2);
    s->ntypes = 2, s->mass[1] = 1.5;
    md_lj_table_lb(&s->tab, 2, (const double[]){1.0, 0.7}, (const double[]){1.0, 0.85}, rc, 1);
}

static void check_system(const char *what, double rho, int types)
{
    sim s;
    sim_init(&s, 6, rho, 1.44, 2.5, 0.3, 0.005, 1, 20, 40 * 864, 4242);
    if (types == 2) two_types(&s, 2.5);
    for (int k = 0; k < 30; k++) sim_step(&s); /* a liquid, not the lattice */
    const int64_t n = s.n;
    int64_t lmin = INT64_MAX, lmax = 0, tails[16] = {0};
    for (int64_t i = 0; i < n; i++) {
        const int64_t m = s.start[i + 1] - s.start[i];
        lmin = m < lmin ? m : lmin, lmax = m > lmax ? m : lmax;
        tails[m % 16]++;
    }
    int ntails = 0;
    for (int t = 0; t < 16; t++) ntails += tails[t] > 0;
    double *ref = xmalloc(sizeof(double) * 3 * (size_t)n), *got = xmalloc(sizeof(double) * 3 * (size_t)n),
           *dbl = xmalloc(sizeof(double) * 3 * (size_t)n);
    sd_acc U, W;
    sd_acc_init(&U), sd_acc_init(&W);
    ref_mixed(&s, ref, &U, &W);
    diag("%s: %lld atoms, lists of %lld..%lld entries, %d of the 16 tail lengths", what, (long long)n, (long long)lmin,
         (long long)lmax, ntails);
    const md_lj_lists L = sim_lists(&s);
    for (int isa = 0; isa < SD_ISA_COUNT; isa++) {
        if (!sd_isa_supported((sd_isa)isa)) {
            ok(1, "# SKIP %s: not supported by this CPU", sd_isa_name((sd_isa)isa));
            continue;
        }
        sd_isa_force((sd_isa)isa);
        memset(got, 0xff, sizeof(double) * 3 * (size_t)n);
        sd_md_lj_force_mixed(&(md_lj_force_args){.lists = L, .force = got, .force_stride = n});
        int same = 1;
        for (int64_t i = 0; i < 3 * n; i++) same &= same_bits(got[i], ref[i]);
        ok(same, "%s, %s: mixed forces bitwise as the documented order", what, sd_isa_name((sd_isa)isa));
        sd_acc U2, W2;
        sd_acc_init(&U2), sd_acc_init(&W2);
        sd_md_lj_energy_virial_mixed(&(md_lj_energy_virial_args){.lists = L, .energy = &U2, .virial = &W2});
        ok(same_bits(sd_acc_sum(&U2), sd_acc_sum(&U)) && same_bits(sd_acc_sum(&W2), sd_acc_sum(&W)),
           "%s, %s: mixed energy and virial bitwise as the documented order", what, sd_isa_name((sd_isa)isa));
    }
    sd_isa_force(sd_isa_best());
    /* accuracy: f32 coordinates of a box of side L carry an absolute error up to L 2^-24; a pair's
     * force (~r^-13) then has a relative error of ~13 L 2^-24 / r, a few 1e-5 here */
    sd_md_lj_force(&(md_lj_force_args){.lists = L, .force = dbl, .force_stride = n});
    double fbig = 0, emax = 0;
    for (int64_t i = 0; i < 3 * n; i++) fbig = fmax(fbig, fabs(dbl[i])), emax = fmax(emax, fabs(got[i] - dbl[i]));
    sd_acc Ud, Wd;
    sd_acc_init(&Ud), sd_acc_init(&Wd);
    sd_md_lj_energy_virial(&(md_lj_energy_virial_args){.lists = L, .energy = &Ud, .virial = &Wd});
    const double eu = fabs(sd_acc_sum(&U) - sd_acc_sum(&Ud)) / fabs(sd_acc_sum(&Ud));
    const double ew = fabs(sd_acc_sum(&W) - sd_acc_sum(&Wd)) / fmax(fabs(sd_acc_sum(&Wd)), 1e-300);
    ok(emax <= 2e-4 * fbig && eu <= 1e-5 && ew <= 1e-4,
       "%s: mixed vs double: max |dF| / max |F| = %.2e (<= 2e-4), energy %.1e (<= 1e-5), virial %.1e relative (<= 1e-4)",
       what, emax / fbig, eu, ew);
    free(ref), free(got), free(dbl);
    sim_free(&s);
}

/* Relative energy drift of an NVE run: |E(end) - E(0)| / |E(0)| and the largest deviation. */
static void nve(int mixed, int steps, double *end, double *worst)
{
    sim s;
    sim_init(&s, 5, 0.8442, 1.44, 2.5, 0.3, 0.005, 1, 20, 28 * 500, 12345);
    s.mixed = mixed;
    sim_forces(&s);
    double e0 = 0;
    *worst = 0;
    for (int k = 0; k <= steps; k++) {
        if (k > 0) sim_step(&s);
        if (k % 100) continue;
        sd_acc K, U, W;
        sd_acc_init(&K), sd_acc_init(&U), sd_acc_init(&W);
        sd_md_kinetic(s.n, s.type, s.mass, 1, s.v, s.n, NULL, &K);
        const md_lj_energy_virial_args ev = {.lists = sim_lists(&s), .energy = &U, .virial = &W};
        (mixed ? sd_md_lj_energy_virial_mixed : sd_md_lj_energy_virial)(&ev);
        const double e = sd_acc_sum(&K) + sd_acc_sum(&U);
        if (k == 0) e0 = e;
        const double d = fabs(e - e0) / fabs(e0);
        if (k >= 1000) *worst = fmax(*worst, d); /* after the melting transient */
        *end = d;
    }
    sim_free(&s);
}

static void nonfinite(void)
{
    sim s;
    sim_init(&s, 6, 0.8442, 1.44, 2.5, 0.3, 0.005, 1, 20, 40 * 864, 99);
    const int64_t n = s.n;
    s.x[5] = NAN, s.x[9 + s.cap] = -NAN, s.x[13 + 2 * s.cap] = INFINITY, s.x[17] = -INFINITY;
    sd_md_ghost_fill(s.ng, s.own, s.sh, s.L, s.x, s.cap, s.x + n, s.cap); /* their images too */
    const md_lj_lists L = sim_lists(&s);
    double *ref[2], *got = xmalloc(sizeof(double) * 3 * (size_t)n);
    for (int mixed = 0; mixed < 2; mixed++) {
        ref[mixed] = xmalloc(sizeof(double) * 3 * (size_t)n);
        int same = 1, checked = 0;
        for (int isa = 0; isa < SD_ISA_COUNT; isa++) {
            if (!sd_isa_supported((sd_isa)isa)) continue;
            sd_isa_force((sd_isa)isa);
            const md_lj_force_args f = {.lists = L, .force = isa ? got : ref[mixed], .force_stride = n};
            (mixed ? sd_md_lj_force_mixed : sd_md_lj_force)(&f);
            if (isa) same &= !memcmp(got, ref[mixed], sizeof(double) * 3 * (size_t)n), checked++;
        }
        ok(same, "%s forces with NaN (both signs) and infinite positions: every SIMD variant as sse2, bitwise (%d compared)",
           mixed ? "mixed" : "double", checked);
    }
    sd_isa_force(sd_isa_best());
    free(ref[0]), free(ref[1]), free(got);
    sim_free(&s);
}

int main(void)
{
    check_system("dense liquid (rho 0.8442), one type", 0.8442, 1);
    check_system("dense liquid, two types", 0.8442, 2);
    check_system("dilute gas (rho 0.1), one type", 0.1, 1);
    check_system("dilute gas, two types", 0.1, 2);
    nonfinite();
    double de, dw, me, mw;
    nve(0, 5000, &de, &dw);
    nve(1, 5000, &me, &mw);
    diag("NVE 500 atoms, shifted LJ, 5000 steps: double |E(end)-E(0)|/|E(0)| %.2e (largest after step 1000 %.2e), "
         "mixed %.2e (%.2e)", de, dw, me, mw);
    ok(me <= 1e-3 && mw <= 1e-3, "NVE in mixed precision: energy within 1e-3 of step 0 over 5000 steps (%.2e, %.2e)", me,
       mw);
    return tap_done();
}
