/* t_transport_ops.c - the transport operators one at a time against slow, obvious references written
 * here independently of the pack's math (docs/transport.md):
 *  - the PSTAR table: the integral of 1/S (log-log interpolation, midpoint rule on a fine log grid)
 *    reproduces PSTAR's CSDA column within 1% over 1..200 MeV, and the NIST ranges at 70/100/150 MeV;
 *  - angular scatter only: the angle variance grows by Highland's theta0^2 (+ D^2/12, the bins' own
 *    variance) per step; weight pushed past a narrow angle range is tallied as lost with its energy;
 *  - energy loss only: every bin's weight lands with mean energy E' and E' follows the CSDA integral
 *    within one bin width; a beam's mean energy after n steps follows R^-1(R(E0) - n ds) within one
 *    bin width; energy is conserved into dose to 1e-12;
 *  - streaming only: a beam at angle theta moves exactly ds (sin theta, cos theta) per step (its
 *    centroid), and what leaves through x+ and z+ is tallied per side with its energy;
 *  - every op's weight and energy are conserved (weight 1e-12, energy 1e-10).
 * The ops run through the registry on one hand-built tile covering the grid. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/codelet.h"
#include "tap.h"
#include "../codelets/transport/pstar_water.h"

/* ---- an independent CSDA reference ---------------------------------------------------------- */
static double ref_S(double E) /* PSTAR S(E), log-log between rows */
{
    int i = 0;
    while (i < SD_PSTAR_WATER_ROWS - 2 && sd_pstar_water[i + 1][0] < E) i++;
    const double e0 = sd_pstar_water[i][0], e1 = sd_pstar_water[i + 1][0];
    const double s0 = sd_pstar_water[i][1], s1 = sd_pstar_water[i + 1][1];
    return exp(log(s0) + (log(E) - log(e0)) / (log(e1) - log(e0)) * (log(s1) - log(s0)));
}
/* int_{a}^{b} dE / S, midpoint rule on a geometric grid of n points */
static double ref_int(double a, double b, int n)
{
    double r = 0.0;
    for (int k = 0; k < n; k++) {
        const double x0 = a * pow(b / a, (double)k / n), x1 = a * pow(b / a, (double)(k + 1) / n);
        r += (x1 - x0) / ref_S(sqrt(x0 * x1));
    }
    return r;
}
/* the energy after a path of s g/cm^2 from E0: bisection on ref_int */
static double ref_after(double E0, double s)
{
    double lo = 1e-3, hi = E0;
    if (ref_int(lo, E0, 4000) <= s) return 0.0;
    for (int it = 0; it < 60; it++) {
        const double mid = 0.5 * (lo + hi);
        if (ref_int(mid, E0, 4000) > s) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}
static double ref_theta0(double T, double ds) /* Highland, PDG eq. 34.15 (radians) */
{
    const double mp = 938.272088, X0 = 360.8;
    const double p = sqrt(T * (T + 2 * mp)), beta = p / (T + mp);
    return 13.6 / (beta * p) * sqrt(ds / X0) * (1 + 0.038 * log(ds / X0 / (beta * beta)));
}

/* ---- a one-tile grid ---------------------------------------------------------------------------- */
typedef struct grid {
    int64_t nx, nz, nt, ne, sx, sz1;      /* cells, bins; padded row length and rows (halo 1) */
    double dx, dz, th_lo, th_hi, e_lo, e_hi;
    double *psi[2], *occ[2], *dose, *tally; /* interior origins */
    double *mem[6];
} grid;

static double *alloc_field(grid *g, int slot, int64_t values)
{
    const int64_t plane = g->sx * g->sz1;
    g->mem[slot] = calloc((size_t)(plane * values), sizeof(double));
    if (!g->mem[slot]) exit(1);
    return g->mem[slot] + 1 + g->sx; /* interior cell (0, 0) */
}
static void grid_init(grid *g, int64_t nx, int64_t nz, double dx, double dz, int64_t nt, double tl, double th, int64_t ne,
                      double el, double eh)
{
    memset(g, 0, sizeof *g);
    g->nx = nx, g->nz = nz, g->nt = nt, g->ne = ne, g->dx = dx, g->dz = dz;
    g->th_lo = tl, g->th_hi = th, g->e_lo = el, g->e_hi = eh;
    g->sx = nx + 2, g->sz1 = nz + 2;
    g->psi[0] = alloc_field(g, 0, nt * ne);
    g->psi[1] = alloc_field(g, 1, nt * ne);
    g->occ[0] = alloc_field(g, 2, 4);
    g->occ[1] = alloc_field(g, 3, 4);
    g->dose = alloc_field(g, 4, 1);
    g->tally = alloc_field(g, 5, 12);
    /* occupancies: empty, ghosts included (the ghosts of a fixed-0 boundary hold 0s, a conservative
       "bin 0 occupied"; the kernels ignore cells outside the grid) */
    const int64_t plane = g->sx * g->sz1;
    for (int l = 0; l < 2; l++)
        for (int64_t c = 0; c < plane; c++) {
            g->mem[2 + l][c] = (double)nt, g->mem[2 + l][c + plane] = -1;
            g->mem[2 + l][c + 2 * plane] = (double)ne, g->mem[2 + l][c + 3 * plane] = -1;
        }
}
static void grid_free(grid *g)
{
    for (int i = 0; i < 6; i++) free(g->mem[i]);
}
static int64_t at(const grid *g, int64_t i, int64_t j, int64_t k, int64_t m)
{
    const int64_t plane = g->sx * g->sz1;
    return i + j * g->sx + (k + m * g->nt) * plane;
}
static double Ec(const grid *g, int64_t m) { return g->e_lo + (m + 0.5) * (g->e_hi - g->e_lo) / g->ne; }
static double Tc(const grid *g, int64_t k) { return g->th_lo + (k + 0.5) * (g->th_hi - g->th_lo) / g->nt; }

/* exact occupancy of level l */
static void occ_exact(grid *g, int l)
{
    const int64_t plane = g->sx * g->sz1;
    for (int64_t j = 0; j < g->nz; j++)
        for (int64_t i = 0; i < g->nx; i++) {
            double r[4] = {(double)g->nt, -1, (double)g->ne, -1};
            for (int64_t m = 0; m < g->ne; m++)
                for (int64_t k = 0; k < g->nt; k++)
                    if (g->psi[l][at(g, i, j, k, m)] != 0) {
                        r[0] = fmin(r[0], k), r[1] = fmax(r[1], k), r[2] = fmin(r[2], m), r[3] = fmax(r[3], m);
                    }
            for (int c = 0; c < 4; c++) g->occ[l][i + j * g->sx + c * plane] = r[c];
        }
}

/* run codelet `name` on the grid: roles bound to the buffers listed (psi0, psi1, occ0, occ1, dose, tally) */
enum { B_PSI0, B_PSI1, B_OCC0, B_OCC1, B_DOSE, B_TALLY };
static void run_op(grid *g, const char *name, const int *bufs, int nb, const double *param, double ds)
{
    const sd_codelet *c = sd_codelet_find(name);
    if (!c) { printf("Bail out! %s not registered\n", name); exit(1); }
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = nb;
    a.ndim = 2;
    a.n[0] = g->nx, a.n[1] = g->nz, a.n[2] = 1;
    a.shape[0] = g->nx, a.shape[1] = g->nz, a.shape[2] = 1;
    a.dx[0] = g->dx, a.dx[1] = g->dz, a.dx[2] = 1;
    a.bc[0] = a.bc[1] = SD_BC_FIXED;
    a.dt = ds;
    a.ninner = 2;
    a.inner_n[0] = g->nt, a.inner_n[1] = g->ne;
    a.inner_lo[0] = g->th_lo, a.inner_hi[0] = g->th_hi, a.inner_lo[1] = g->e_lo, a.inner_hi[1] = g->e_hi;
    const int64_t plane = g->sx * g->sz1;
    for (int r = 0; r < nb; r++) {
        const int b = bufs[r];
        double *p = b <= B_PSI1 ? g->psi[b] : b <= B_OCC1 ? g->occ[b - B_OCC0] : b == B_DOSE ? g->dose : g->tally;
        a.p[r] = p;
        a.dtype[r] = SD_F64;
        a.sc[r] = plane;
        a.stride[r][0] = 1, a.stride[r][1] = g->sx, a.stride[r][2] = plane;
        a.halo[r] = 1;
        a.bins[r] = b <= B_PSI1 ? g->nt * g->ne : 1;
        a.ncomp[r] = b <= B_PSI1 ? (int)(g->nt * g->ne) : b <= B_OCC1 ? 4 : b == B_DOSE ? 1 : 12;
        a.stride[r][3] = plane, a.stride[r][4] = plane * g->nt;
    }
    for (int i = 0; i < c->nparams; i++) a.param[i] = param && !isnan(param[i]) ? param[i] : c->params[i].def;
    c->cpu(&a);
}

static double sum_psi(const grid *g, int l, double *energy)
{
    double w = 0, e = 0;
    for (int64_t m = 0; m < g->ne; m++)
        for (int64_t k = 0; k < g->nt; k++)
            for (int64_t j = 0; j < g->nz; j++)
                for (int64_t i = 0; i < g->nx; i++) {
                    const double v = g->psi[l][at(g, i, j, k, m)];
                    w += v, e += v * Ec(g, m);
                }
    if (energy) *energy = e;
    return w;
}
static double sum_cells(const grid *g, const double *f, int comp)
{
    double s = 0;
    for (int64_t j = 0; j < g->nz; j++)
        for (int64_t i = 0; i < g->nx; i++) s += f[i + j * g->sx + comp * g->sx * g->sz1];
    return s;
}

static void test_pstar(void)
{
    double worst = 0, worst_e = 0;
    for (int i = 1; i < SD_PSTAR_WATER_ROWS; i++) {
        const double E = sd_pstar_water[i][0];
        if (E < 1.0 || E > 200.0) continue;
        /* from the first row's tabulated range up */
        const double r = sd_pstar_water[0][2] + ref_int(sd_pstar_water[0][0], E, 20000);
        const double rel = fabs(r / sd_pstar_water[i][2] - 1);
        if (rel > worst) worst = rel, worst_e = E;
    }
    ok(worst < 0.01, "PSTAR: the integral of 1/S matches the CSDA column within 1%% over 1..200 MeV (worst %.3g%% at %g MeV)",
       100 * worst, worst_e);
    const double E[3] = {70, 100, 150}, R[3] = {40.8, 77.2, 157.7};
    for (int i = 0; i < 3; i++)
        is_close(10 * (sd_pstar_water[0][2] + ref_int(sd_pstar_water[0][0], E[i], 20000)), R[i], 0.005,
                 "PSTAR CSDA range at %g MeV: %.4g mm (NIST: %g mm)", E[i],
                 10 * (sd_pstar_water[0][2] + ref_int(sd_pstar_water[0][0], E[i], 20000)), R[i]);
}

/* scatter only: one cell, 20 MeV, fine angle bins */
static void test_scatter(void)
{
    grid g;
    grid_init(&g, 1, 1, 1.0, 1.0, 721, -90, 90, 2, 19, 21); /* D = 0.25 deg; E bin 1 centred at 20.5 MeV */
    const int64_t k0 = 360, m = 1; /* theta centre 0 */
    g.psi[0][at(&g, 0, 0, k0, m)] = 1.0;
    occ_exact(&g, 0);
    const int bufs[3] = {B_PSI0, B_OCC0, B_TALLY};
    const double ds = 1.0, ks[1] = {5};
    const int n = 8;
    for (int s = 0; s < n; s++) run_op(&g, "transport.angular_scatter", bufs, 3, ks, ds);
    double w = 0, m1 = 0, m2 = 0;
    for (int64_t k = 0; k < g.nt; k++) {
        const double v = g.psi[0][at(&g, 0, 0, k, m)], t = Tc(&g, k) * M_PI / 180;
        w += v, m1 += v * t, m2 += v * t * t;
    }
    const double var = m2 / w - (m1 / w) * (m1 / w), D = 0.25 * M_PI / 180;
    const double th0 = ref_theta0(Ec(&g, m), ds), want = n * (th0 * th0 + D * D / 12);
    is_close(var, want, 0.01, "scatter only, 20.5 MeV, %d steps of 1 mm: angle variance %.5g rad^2 grows as Highland's n theta0^2 "
             "(theta0 = %.4g rad) plus the bins' D^2/12", n, var, th0);
    is_close(w, 1.0, 1e-12, "scatter only: the weight stays 1 (nothing reaches the range's ends)");
    ok(fabs(m1 / w) < 1e-15, "scatter only: the mean angle stays 0 (%.2g)", m1 / w);
    ok(g.occ[0][0] < k0 && g.occ[0][g.sx * g.sz1] > k0, "scatter only: the occupancy widened to bins [%g, %g]", g.occ[0][0],
       g.occ[0][g.sx * g.sz1]);
    grid_free(&g);

    /* a narrow range: weight scattered past it is lost, with its energy */
    grid_init(&g, 1, 1, 1.0, 1.0, 5, -1, 1, 2, 4, 6); /* 0.4-degree bins, 5.5 MeV: theta0 ~ 4 degrees */
    g.psi[0][at(&g, 0, 0, 2, 1)] = 1.0;
    occ_exact(&g, 0);
    run_op(&g, "transport.angular_scatter", bufs, 3, ks, 1.0);
    double e;
    const double left = sum_psi(&g, 0, &e), lost = g.tally[g.sx * g.sz1], lost_e = g.tally[7 * g.sx * g.sz1];
    ok(lost > 0.5, "narrow angle range: most weight is scattered past it (lost %.4g)", lost);
    is_close(left + lost, 1.0, 1e-12, "narrow angle range: remaining + lost = 1");
    is_close(lost_e, lost * 5.5, 1e-12, "narrow angle range: the lost energy is the lost weight times E (5.5 MeV)");
    grid_free(&g);
}

/* energy loss only */
static void test_loss(void)
{
    grid g;
    const double ds = 1.0;
    grid_init(&g, 1, 1, 1.0, 1.0, 1, -1, 1, 1000, 0, 100); /* dE = 0.1 MeV */
    /* every bin alone: the mean energy of where its weight lands is the CSDA step of its centre */
    const int bufs[4] = {B_PSI0, B_OCC0, B_DOSE, B_TALLY};
    double worst = 0, worst_e = 0;
    int stops_ok = 1;
    for (int64_t m0 = 100; m0 < g.ne; m0 += 7) /* from 10 MeV: the range exceeds ds */ {
        memset(g.mem[0], 0, sizeof(double) * (size_t)(g.sx * g.sz1 * g.nt * g.ne));
        g.dose[0] = 0;
        g.psi[0][at(&g, 0, 0, 0, m0)] = 1.0;
        occ_exact(&g, 0);
        run_op(&g, "transport.energy_loss", bufs, 4, NULL, ds);
        double e;
        const double w = sum_psi(&g, 0, &e);
        if (w == 0) { stops_ok = 0; continue; }
        const double want = ref_after(Ec(&g, m0), ds / 10), d = fabs(e / w - want);
        if (d > worst) worst = d, worst_e = Ec(&g, m0);
    }
    ok(stops_ok && worst < 0.1, "energy loss only, ds = 1 mm: each bin's weight lands at the CSDA energy within a bin width "
       "(0.1 MeV; worst %.3g MeV at %g MeV)", worst, worst_e);

    /* a beam slowing down over many steps */
    memset(g.mem[0], 0, sizeof(double) * (size_t)(g.sx * g.sz1 * g.nt * g.ne));
    memset(g.mem[5], 0, sizeof(double) * (size_t)(g.sx * g.sz1 * 12));
    g.dose[0] = 0;
    const int64_t mb = 799; /* 79.95 MeV */
    g.psi[0][at(&g, 0, 0, 0, mb)] = 1.0;
    occ_exact(&g, 0);
    const int n = 30;
    double e0 = Ec(&g, mb), worst_b = 0, eb_worst = 0;
    for (int s = 1; s <= n; s++) {
        run_op(&g, "transport.energy_loss", bufs, 4, NULL, ds);
        double e;
        const double w = sum_psi(&g, 0, &e);
        const double d = fabs(e / w - ref_after(e0, s * ds / 10));
        if (d > worst_b) worst_b = d;
        const double bal = fabs((e + g.dose[0]) - e0) / e0;
        if (bal > eb_worst) eb_worst = bal;
    }
    ok(worst_b < 0.1, "energy loss only: a 79.95 MeV beam's mean energy follows R^-1(R(E0) - n ds) within a bin width over %d "
       "steps (worst %.3g MeV)", n, worst_b);
    ok(eb_worst < 1e-12, "energy loss only: kinetic energy + dose stays the initial energy (worst %.2g relative)", eb_worst);
    grid_free(&g);

    /* stopping: a 3 MeV beam stops within its 0.15 mm CSDA range; everything goes to dose and tally 0/6 */
    grid_init(&g, 1, 1, 1.0, 1.0, 1, -1, 1, 40, 0, 4);
    g.psi[0][at(&g, 0, 0, 0, 29)] = 1.0; /* 2.95 MeV */
    occ_exact(&g, 0);
    for (int s = 0; s < 4; s++) run_op(&g, "transport.energy_loss", bufs, 4, NULL, 0.05);
    const double plane = (double)(g.sx * g.sz1);
    ok(sum_psi(&g, 0, NULL) == 0 && g.occ[0][0] > g.occ[0][(int64_t)plane], "a 2.95 MeV beam stops within 0.2 mm: psi empty");
    is_close(g.tally[0], 1.0, 1e-12, "stopped weight (tally 0) = 1");
    is_close(g.dose[0], 2.95, 1e-12, "its whole energy is in the dose (2.95 MeV)");
    const double t6 = g.tally[(int64_t)(6 * plane)];
    ok(t6 > 0 && t6 < g.dose[0], "the energy the weight still had when it stopped (tally 6: %.3g MeV) is part of the dose", t6);
    grid_free(&g);
}

/* streaming only */
static void test_stream(void)
{
    const double angles[3] = {30, 0, -20};
    for (int a = 0; a < 3; a++) {
        grid g;
        grid_init(&g, 40, 40, 1.0, 1.0, 9, -45, 45, 2, 9, 11); /* theta centres -40..40 by 10 */
        const int64_t k = (int64_t)((angles[a] + 45) / 10), m = 1;
        g.psi[0][at(&g, 20, 0, k, m)] = 1.0; /* 16 steps cannot reach a side */
        occ_exact(&g, 0);
        occ_exact(&g, 1);
        const double ds = 0.7, th = Tc(&g, k) * M_PI / 180;
        const int n = 16;
        int l = 0;
        for (int s = 0; s < n; s++) {
            const int bufs[5] = {l ? B_PSI1 : B_PSI0, l ? B_OCC1 : B_OCC0, l ? B_PSI0 : B_PSI1, l ? B_OCC0 : B_OCC1, B_TALLY};
            run_op(&g, "transport.stream", bufs, 5, NULL, ds);
            l ^= 1;
        }
        double w = 0, cx = 0, cz = 0;
        for (int64_t j = 0; j < g.nz; j++)
            for (int64_t i = 0; i < g.nx; i++) {
                const double v = g.psi[l][at(&g, i, j, k, m)];
                w += v, cx += v * (i + 0.5), cz += v * (j + 0.5);
            }
        is_close(w, 1.0, 1e-12, "stream only, theta %g: weight 1 after %d steps", Tc(&g, k), n);
        for (int c = 2; c < 6; c++) if (sum_cells(&g, g.tally, c) != 0) diag("side %d: %g", c, sum_cells(&g, g.tally, c));
        ok(fabs(cx / w - (20.5 + n * ds * sin(th))) < 1e-12 && fabs(cz / w - (0.5 + n * ds * cos(th))) < 1e-12,
           "stream only, theta %g: the centroid moved exactly n ds (sin, cos) (x %.15g, z %.15g)", Tc(&g, k), cx / w, cz / w);
        grid_free(&g);
    }
    /* escapes: a beam heading +40 degrees from near the x+ side leaves through x+ (and z+) */
    grid g;
    grid_init(&g, 6, 8, 1.0, 1.0, 9, -45, 45, 2, 9, 11);
    g.psi[0][at(&g, 4, 0, 8, 1)] = 0.75;
    g.psi[0][at(&g, 1, 6, 4, 1)] = 0.25; /* straight ahead, near z+ */
    occ_exact(&g, 0);
    occ_exact(&g, 1);
    int l = 0;
    for (int s = 0; s < 60; s++) {
        const int bufs[5] = {l ? B_PSI1 : B_PSI0, l ? B_OCC1 : B_OCC0, l ? B_PSI0 : B_PSI1, l ? B_OCC0 : B_OCC1, B_TALLY};
        run_op(&g, "transport.stream", bufs, 5, NULL, 0.9);
        l ^= 1;
    }
    const double xp = sum_cells(&g, g.tally, 3), zp = sum_cells(&g, g.tally, 5), xm = sum_cells(&g, g.tally, 2),
                 zm = sum_cells(&g, g.tally, 4);
    const double left = sum_psi(&g, l, NULL);
    ok(left < 1e-30, "escapes: after 60 steps of 0.9 mm all but a %.2g binomial tail has left the 6 x 8 grid", left);
    ok(xm == 0 && zm == 0 && xp > 0.5 && zp > 0.25, "escapes: out through x+ (%.4g) and z+ (%.4g), none through x- or z-", xp,
       zp);
    is_close(xp + zp + left, 1.0, 1e-12, "escapes: the sides' weights and what is left add up to 1");
    is_close(sum_cells(&g, g.tally, 9) + sum_cells(&g, g.tally, 11), 10.5, 1e-12, "escapes: their energy is weight x 10.5 MeV");
    grid_free(&g);
}

/* the fused step's cutoff: the step with cutoff c equals the exact step followed by the obvious cut
 * (weights below c set to 0, their weight and energy at the bin centre added per cell, in (E, theta)
 * order, to tally 0, tally 6 and the dose), bit for bit */
static void setup_cut_grid(grid *g)
{
    grid_init(g, 12, 10, 1.0, 1.0, 9, -45, 45, 20, 0, 40);
    const double w[6] = {0.4, 3e-13, 0.25, 7e-10, 1e-14, 0.35};
    for (int n = 0; n < 6; n++) g->psi[0][at(g, 2 + 2 * n % 9, 1 + n, 3 + n % 4, 8 + 2 * n)] = w[n];
    for (int n = 0; n < 40; n++) g->psi[0][at(g, n % 12, (3 * n) % 10, n % 9, 10 + n % 7)] += 1e-11 * (n + 1);
    occ_exact(g, 0);
    occ_exact(g, 1);
}
static void test_cutoff(void)
{
    grid ge, gc;
    setup_cut_grid(&ge);
    setup_cut_grid(&gc);
    const int bufs[6] = {B_PSI0, B_OCC0, B_PSI1, B_OCC1, B_DOSE, B_TALLY};
    const double cut = 2e-11, pe[3] = {NAN, NAN, 0}, pc[3] = {NAN, NAN, cut};
    run_op(&ge, "transport.step", bufs, 6, pe, 0.8);
    run_op(&gc, "transport.step", bufs, 6, pc, 0.8);
    const int64_t plane = ge.sx * ge.sz1;
    int psi_same = 1, cells_same = 1;
    double cut_w = 0, kept_w = 0, kept_small = 0;
    for (int64_t j = 0; j < ge.nz; j++)
        for (int64_t i = 0; i < ge.nx; i++) {
            double cw = 0, ce = 0;
            for (int64_t m = 0; m < ge.ne; m++)
                for (int64_t k = 0; k < ge.nt; k++) {
                    const double v = ge.psi[1][at(&ge, i, j, k, m)], c = v < cut ? v : 0;
                    psi_same &= gc.psi[1][at(&gc, i, j, k, m)] == v - c;
                    cw += c;
                    ce += c * Ec(&ge, m);
                    if (v - c > 0) kept_w += v - c;
                    if (v - c > 0 && v - c < 1e-9) kept_small += v - c;
                }
            const int64_t e = i + j * ge.sx;
            cells_same &= gc.tally[e] == ge.tally[e] + cw && gc.tally[e + 6 * plane] == ge.tally[e + 6 * plane] + ce &&
                          gc.dose[e] == ge.dose[e] + ce;
            for (int ch = 1; ch < 12; ch++) cells_same &= ch == 6 || gc.tally[e + ch * plane] == ge.tally[e + ch * plane];
            cut_w += cw;
        }
    ok(cut_w > 0 && kept_small > 0 && kept_w > 0.9, "cutoff %g: %.3g of weight stopped, small weights above it kept (%.3g)", cut,
       cut_w, kept_small);
    ok(psi_same, "cutoff: psi_next = the exact step's with every weight below the cutoff set to 0, bitwise");
    ok(cells_same, "cutoff: tally 0 and 6 and the dose = the exact step's + the cut weight and its energy, per cell, bitwise");
    double o[4 * 12 * 10];
    for (int64_t j = 0, n = 0; j < gc.nz; j++)
        for (int64_t i = 0; i < gc.nx; i++, n++)
            for (int c = 0; c < 4; c++) o[4 * n + c] = gc.occ[1][i + j * gc.sx + c * plane];
    occ_exact(&gc, 1);
    int occ_same = 1;
    for (int64_t j = 0, n = 0; j < gc.nz; j++)
        for (int64_t i = 0; i < gc.nx; i++, n++)
            for (int c = 0; c < 4; c++) occ_same &= o[4 * n + c] == gc.occ[1][i + j * gc.sx + c * plane];
    ok(occ_same, "cutoff: occ_next is the exact occupancy of the cut psi_next");
    grid_free(&ge);
    grid_free(&gc);
}

/* the fused step equals angular_scatter, energy_loss and stream in sequence bit for bit on a dense
 * psi (every cell and bin, values from a seeded draw) down to energies where the angular kernel is
 * many bins wide (the fused loop's register blocks and their tails) and where bins stop */
static void setup_dense_grid(grid *g)
{
    grid_init(g, 20, 8, 1.0, 1.0, 120, -90, 90, 30, 0.5, 30.5);
    uint64_t x = 12345;
    for (int64_t m = 0; m < g->ne; m++)
        for (int64_t k = 0; k < g->nt; k++)
            for (int64_t j = 0; j < g->nz; j++)
                for (int64_t i = 0; i < g->nx; i++) {
                    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                    g->psi[0][at(g, i, j, k, m)] = 1e-4 * (double)((x >> 11) + 1) / 9007199254740992.0;
                }
    occ_exact(g, 0);
    occ_exact(g, 1);
}
static void test_fused_dense(void)
{
    grid gf, gs;
    setup_dense_grid(&gf);
    setup_dense_grid(&gs);
    const double ds = 0.8, ks[1] = {3}, pf[3] = {3, NAN, 0};
    const int bstep[6] = {B_PSI0, B_OCC0, B_PSI1, B_OCC1, B_DOSE, B_TALLY};
    run_op(&gf, "transport.step", bstep, 6, pf, ds);
    const int bscat[3] = {B_PSI0, B_OCC0, B_TALLY}, bloss[4] = {B_PSI0, B_OCC0, B_DOSE, B_TALLY};
    const int bstream[5] = {B_PSI0, B_OCC0, B_PSI1, B_OCC1, B_TALLY};
    run_op(&gs, "transport.angular_scatter", bscat, 3, ks, ds);
    run_op(&gs, "transport.energy_loss", bloss, 4, NULL, ds);
    run_op(&gs, "transport.stream", bstream, 5, NULL, ds);
    const size_t plane = (size_t)(gf.sx * gf.sz1);
    const size_t n[4] = {plane * (size_t)(gf.nt * gf.ne), 4 * plane, plane, 12 * plane};
    const int slot[4] = {1, 3, 4, 5};
    const char *what[4] = {"psi_next", "occ_next", "dose", "tally"};
    int64_t wide = 0, stopped = 0;
    for (int64_t m = 0; m < gf.ne; m++) {
        const double th0 = ref_theta0(Ec(&gf, m), ds) * 180 / M_PI, dth = (gf.th_hi - gf.th_lo) / gf.nt;
        const int stops = ref_after(Ec(&gf, m), ds / 10) == 0.0;
        wide += !stops && 3 * th0 > 3 * dth; /* k_sigma theta0 > 3 bins: 9 or more terms */
        stopped += stops;
    }
    ok(wide > 0 && stopped > 0, "dense fused step: %lld E bins (not stopping) with kernels of 9 or more bins, %lld that stop", (long long)wide,
       (long long)stopped);
    for (int f = 0; f < 4; f++)
        ok(memcmp(gf.mem[slot[f]], gs.mem[slot[f]], n[f] * sizeof(double)) == 0,
           "dense fused step == angular_scatter, energy_loss, stream: %s bitwise", what[f]);
    double e0 = 0;
    const double w0 = sum_psi(&gs, 1, &e0);
    ok(w0 > 0 && e0 > 0, "dense fused step: weight %.4g remains", w0);
    grid_free(&gf);
    grid_free(&gs);
}

int main(void)
{
    sd_register_builtin_codelets();
    test_pstar();
    test_scatter();
    test_loss();
    test_stream();
    test_cutoff();
    test_fused_dense();
    return tap_done();
}
