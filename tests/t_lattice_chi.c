/* t_lattice_chi.c - lattice.chi_leapfrog, the dynamic chi of docs/lattice.md ("Dynamic chi"):
 *     chi^{n+1} = 2 chi^n - chi^{n-1} + dt^2 (c_chi^2 lap chi^n - kappa ((E^n)^2 - E0^2)),
 * lap of order 2, 4 or 6 (D u = sum_m b_m ((u_{i+m} - 2u_i) + u_{i-m}) / dx^2, b = {1},
 * {4/3, -1/12}, {3/2, -3/20, 1/90}), on hand-built tiles (no StarPU):
 *  a. bitwise = a naive loop written from that formula in kg_math.h's evaluation order, orders
 *     2/4/6, 1D/2D/3D, f32/f64, buffers with their own ghost widths; ghosts of chi_next untouched;
 *     kappa = 0 gives exactly kg_leapfrog's update with chi = 0 (same c and order);
 *  b. a free plane wave (kappa = 0) keeps its amplitude and turns its phase by
 *     kg_omega(ndim, k, dx, c_chi, 0, dt, order) per unit time, orders 2/4/6;
 *  c. a static source (a fixed Gaussian blob of E, switched on at t = 0, fixed boundaries): inside
 *     the outgoing front chi is the steady solution of c^2 lap chi = kappa E^2, far from the blob
 *     chi = -kappa Q / (4 pi c^2 r), Q = sum E^2 dV; beyond the front it is still ~0;
 *  d. arrival times: chi at r1 < r2 first exceeds 1% of that steady value when the continuum's
 *     front gets there: speed c_chi, for two c_chi on one grid and dt. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include "tap.h"
#include "chi_fixture.h"
#include "lattice/kg_math.h"

static const char *tn(int dt) { return dt == SD_F64 ? "f64" : "f32"; }
static const sd_codelet *CX, *LF, *PW, *MP;

/* b_m of the order-2p Laplacian, written here from the formula (not read from kg_math.h) */
static double lap_b(int order, int m)
{
    static const double b[3][3] = {{1, 0, 0}, {4.0 / 3.0, -1.0 / 12.0, 0}, {3.0 / 2.0, -3.0 / 20.0, 1.0 / 90.0}};
    return b[order / 2 - 1][m - 1];
}

typedef struct chi_prm { int order; double c, kappa, E0, dt, dx[3]; } chi_prm;

/* The naive update of one cell in the field type T: per axis ax = b_1 t_1 (+ b_m t_m, m = 2..p),
 * t_m = (u_{+m} - 2 u_0) + u_{-m} (order 2: ax = t_1), lap = sum_d ax_d (1/dx_d^2) in axis order,
 * then (2 x0 - xp) + dt^2 (c^2 lap - kappa (e e - E0^2)); constants computed in double and rounded
 * once to T. */
#define REF_CHI(T, NAME)                                                                             \
    static T NAME(const tbuf *X, const tbuf *XP, const tbuf *E, int nd, int64_t i, int64_t j, int64_t k, \
                  const chi_prm *p)                                                                  \
    {                                                                                                \
        const T x0 = (T)tbuf_get(X, i, j, k, 0), two = 2;                                            \
        T lap = 0;                                                                                   \
        for (int d = 0; d < nd; d++) {                                                               \
            T ax = 0;                                                                                \
            for (int m = 1; m <= p->order / 2; m++) {                                                \
                int64_t o[3] = {0, 0, 0};                                                            \
                o[d] = m;                                                                            \
                const T up = (T)tbuf_get(X, i + o[0], j + o[1], k + o[2], 0);                        \
                const T dn = (T)tbuf_get(X, i - o[0], j - o[1], k - o[2], 0);                        \
                const T t = (up - two * x0) + dn;                                                    \
                if (p->order == 2) ax = t;                                                           \
                else if (m == 1) ax = (T)lap_b(p->order, 1) * t;                                     \
                else ax = ax + (T)lap_b(p->order, m) * t;                                            \
            }                                                                                        \
            const T s = ax * (T)(1.0 / (p->dx[d] * p->dx[d]));                                       \
            lap = d == 0 ? s : lap + s;                                                              \
        }                                                                                            \
        const T xp = (T)tbuf_get(XP, i, j, k, 0), e = (T)tbuf_get(E, i, j, k, 0);                    \
        return (two * x0 - xp) +                                                                     \
               (T)(p->dt * p->dt) * ((T)(p->c * p->c) * lap - (T)p->kappa * (e * e - (T)(p->E0 * p->E0))); \
    }
REF_CHI(double, ref_chi_f64)
REF_CHI(float, ref_chi_f32)

static void chi_args(sd_tile_args *a, const chi_prm *p)
{
    a->dt = p->dt;
    set_param(a, CX, "c", p->c), set_param(a, CX, "order", p->order);
    set_param(a, CX, "kappa", p->kappa), set_param(a, CX, "E0", p->E0);
}

/* part a for one shape, dtype, order and ghost layout: chi halo hx (>= order/2), the others'
 * halos vary too, origin not 0 */
static void check_bitwise(int nd, const int64_t n[3], int dt, int order, int hx, rng *r)
{
    const int64_t org[3] = {3, 1, 2}, shape[3] = {20, 9, 8};
    const chi_prm p = {.order = order, .c = 1.7, .kappa = 0.9, .E0 = 0.35, .dt = 0.013, .dx = {0.11, 0.07, 0.13}};
    tbuf X, XP, E, O, O0, O2, Z;
    tbuf_alloc(&X, nd, n, hx, 1, dt);
    tbuf_alloc(&XP, nd, n, hx - order / 2, 1, dt);
    tbuf_alloc(&E, nd, n, order / 2 + 1 - (hx - order / 2), 1, dt);
    tbuf_alloc(&O, nd, n, 2, 1, dt);
    tbuf_alloc(&O0, nd, n, 2, 1, dt);
    tbuf_alloc(&O2, nd, n, 1, 1, dt);
    tbuf_alloc(&Z, nd, n, 0, 1, dt); /* chi = 0 for kg_leapfrog */
    tbuf_random(&X, r, -1, 1), tbuf_random(&XP, r, -1, 1), tbuf_random(&E, r, -2, 2);
    tbuf_random(&O, r, -1, 1), tbuf_random(&O2, r, -1, 1);
    memcpy(O0.mem, O.mem, tbuf_bytes(&O));

    sd_tile_args a;
    args_init(&a, nd, n, org, shape, p.dx);
    chi_args(&a, &p);
    args_buf(&a, 0, &X), args_buf(&a, 1, &XP), args_buf(&a, 2, &E), args_buf(&a, 3, &O);
    CX->cpu(&a);
    int same = 1;
    for (int64_t k = 0; k < a.n[2]; k++)
        for (int64_t j = 0; j < a.n[1]; j++)
            for (int64_t i = 0; i < a.n[0]; i++) {
                const int64_t x = tbuf_idx(&O, i, j, k, 0);
                if (dt == SD_F64) {
                    const double w = ref_chi_f64(&X, &XP, &E, nd, i, j, k, &p);
                    same &= !memcmp(&w, (double *)O.p + x, sizeof w);
                    ((double *)O0.p)[x] = w;
                } else {
                    const float w = ref_chi_f32(&X, &XP, &E, nd, i, j, k, &p);
                    same &= !memcmp(&w, (float *)O.p + x, sizeof w);
                    ((float *)O0.p)[x] = w;
                }
            }
    ok(same, "chi_leapfrog order %d %dD %s (halos chi %d, chi_prev %d, E %d): bitwise = naive loop", order, nd,
       tn(dt), X.h, XP.h, E.h);
    ok(!memcmp(O.mem, O0.mem, tbuf_bytes(&O)), "chi_leapfrog order %d %dD %s: ghosts of chi_next untouched", order,
       nd, tn(dt));

    /* kappa = 0 (E0 too: any E) vs kg_leapfrog(E = chi, E_prev = chi_prev, chi = 0, gamma 0) */
    chi_prm p0 = p;
    p0.kappa = 0, p0.E0 = 0;
    chi_args(&a, &p0);
    CX->cpu(&a);
    sd_tile_args b;
    args_init(&b, nd, n, org, shape, p.dx);
    b.dt = p.dt;
    set_param(&b, LF, "c", p.c), set_param(&b, LF, "order", order), set_param(&b, LF, "gamma", 0);
    args_buf(&b, 0, &X), args_buf(&b, 1, &XP), args_buf(&b, 2, &Z), args_buf(&b, 3, &O2);
    LF->cpu(&b);
    int eq = 1;
    for (int64_t k = 0; k < a.n[2]; k++)
        for (int64_t j = 0; j < a.n[1]; j++)
            for (int64_t i = 0; i < a.n[0]; i++) {
                const double u = tbuf_get(&O, i, j, k, 0), v = tbuf_get(&O2, i, j, k, 0);
                eq &= same_bits(u, v);
            }
    ok(eq, "chi_leapfrog order %d %dD %s with kappa = 0: bitwise = kg_leapfrog with chi = 0", order, nd, tn(dt));
    tbuf_free(&X), tbuf_free(&XP), tbuf_free(&E), tbuf_free(&O), tbuf_free(&O0), tbuf_free(&O2), tbuf_free(&Z);
}

/* part b: the plane wave (2,1,1) of chi on a periodic 16x12x10 grid, 400 steps with kappa = 0 (E is
 * random: it must not matter); returns the phase error in rad, *amp the amplitude relative to the
 * initial one, *omega kg_omega's frequency */
static double free_wave(int order, double *amp, double *omega)
{
    const int64_t n[3] = {16, 12, 10}, m[3] = {2, 1, 1};
    const double c = 1.3, A = 0.8, phi = 0.3, twopi = 6.283185307179586476925286766559;
    chi_run R;
    chi_run_init(&R, CX, 3, n, (const double[3]){0.1, 0.12, 0.09}, order, 1);
    R.c = c, R.kappa = 0, R.E0 = 0.4;
    double s = 0, k[3];
    for (int d = 0; d < 3; d++) s += 1 / (R.dx[d] * R.dx[d]), k[d] = twopi * (double)m[d] / ((double)n[d] * R.dx[d]);
    R.dt = 0.9 / (c * sqrt(kg_lap_peak(order) * s)); /* CFL number 0.9 for this order */
    rng r = {99};
    tbuf_random(&R.E, &r, -3, 3);
    sd_tile_args a;
    chi_run_args(&R, &a);
    set_param(&a, PW, "amplitude", A), set_param(&a, PW, "phase", phi);
    set_param(&a, PW, "mx", (double)m[0]), set_param(&a, PW, "my", (double)m[1]), set_param(&a, PW, "mz", (double)m[2]);
    set_param(&a, PW, "c", c), set_param(&a, PW, "chi", 0), set_param(&a, PW, "order", order);
    args_buf(&a, 0, &R.lev[R.cur]), args_buf(&a, 1, &R.lev[R.prev]);
    PW->cpu(&a);
    const int steps = 400;
    for (int t = 0; t < steps; t++) chi_run_step(&R);
    sd_acc acc[2];
    sd_acc_init(&acc[0]), sd_acc_init(&acc[1]);
    chi_run_args(&R, &a);
    args_buf(&a, 0, &R.lev[R.cur]);
    a.acc = acc, a.nacc = 2;
    set_param(&a, MP, "mx", (double)m[0]), set_param(&a, MP, "my", (double)m[1]), set_param(&a, MP, "mz", (double)m[2]);
    MP->cpu(&a);
    const double re = sd_acc_sum(&acc[0]), im = sd_acc_sum(&acc[1]);
    *omega = kg_omega(3, k, R.dx, c, 0.0, R.dt, order);
    *amp = hypot(re, im) / (16 * 12 * 10 / 2.0 * A);
    const double want = phi - *omega * steps * R.dt;
    chi_run_free(&R);
    return remainder(atan2(im, re) - want, twopi);
}

/* ---- c, d: a static source ------------------------------------------------------------------
 * E = exp(-|x - x_c|^2 / (2 w^2)) fixed in time (never stepped), E0 = 0, chi = 0 at t <= 0 on a
 * 64^3 grid with fixed (0) ghosts: chi_tt = c^2 lap chi + s with s = -kappa E^2 switched on at t = 0.
 * The retarded solution is chi(x, t) = int s(x') H(ct - R) / (4 pi c^2 R) d^3x', R = |x - x'|;
 * averaging H(ct - R)/R over a shell of radius r' around the centre, for a spherical source
 * with q(r') dr' = 4 pi r'^2 s(r') dr':
 *     r chi(r, t) = 1/(4 pi c^2) int q(r') clip((ct - |r - r'|) / (2 r'), 0, 1) dr'.
 * Inside the front (ct >= r + r' for all of the source) that is the steady far field
 * chi = -kappa Q / (4 pi c^2 r), Q = int E^2 dV; the weight depends on ct - r only (for r beyond
 * the source), so a given fraction of the steady value travels at exactly c. The lattice runs
 * are compared with this continuum solution. */
typedef struct blob_run {
    chi_run R;
    int64_t C;  /* centre cell on every axis */
    double far; /* -kappa Q / (4 pi c^2): r chi far from the blob once steady */
} blob_run;

static void blob_init(blob_run *B, int order, double c, double dt, double w, double dx)
{
    const int64_t N = 64, n[3] = {N, N, N};
    chi_run_init(&B->R, CX, 3, n, (const double[3]){dx, dx, dx}, order, 0);
    B->R.c = c, B->R.kappa = 0.8, B->R.dt = dt;
    B->C = N / 2;
    sd_acc Q;
    sd_acc_init(&Q);
    for (int64_t k = 0; k < N; k++)
        for (int64_t j = 0; j < N; j++)
            for (int64_t i = 0; i < N; i++) {
                const double x = (double)(i - B->C) * dx, y = (double)(j - B->C) * dx, z = (double)(k - B->C) * dx;
                const double e = exp(-(x * x + y * y + z * z) / (2 * w * w));
                tbuf_set(&B->R.E, i, j, k, 0, e);
                sd_acc_add(&Q, e * e * dx * dx * dx);
            }
    B->far = -B->R.kappa * sd_acc_sum(&Q) / (4 * M_PI * c * c);
}
/* r chi / far at the cell (a, b, c) cells from the centre: 1 where chi is steady */
static double blob_ratio(const blob_run *B, int64_t a, int64_t b, int64_t c)
{
    const double r = sqrt((double)(a * a + b * b + c * c)) * B->R.dx[0];
    return r * tbuf_get(&B->R.lev[B->R.cur], B->C + a, B->C + b, B->C + c, 0) / B->far;
}
/* The continuum's r chi / far (above) at radius r, time t, for E^2 = exp(-r^2 / w^2). */
static double continuum_ratio(double r, double ct, double w)
{
    double num = 0, den = 0;
    const double h = w / 2000;
    for (double rp = h / 2; rp < 8 * w; rp += h) {
        const double q = rp * rp * exp(-rp * rp / (w * w));
        den += q;
        num += q * fmin(fmax((ct - fabs(r - rp)) / (2 * rp), 0.0), 1.0);
    }
    return num / den;
}

/* c: r chi / far along the 6 axes and the 8 diagonals at radii (cells) in [lo, hi]; returns the
 * largest |ratio - want|, *count the cells seen */
static double blob_shells(const blob_run *B, double lo, double hi, double want, int *count)
{
    double worst = 0;
    *count = 0;
    for (int64_t m = 1; m < B->C; m++)
        for (int dir = 0; dir < 14; dir++) {
            int64_t v[3] = {0, 0, 0};
            if (dir < 6) v[dir / 2] = dir % 2 ? -m : m;
            else for (int d = 0; d < 3; d++) v[d] = (dir - 6) >> d & 1 ? -m : m;
            const double r = sqrt((double)(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
            if (r < lo || r > hi) continue;
            worst = fmax(worst, fabs(blob_ratio(B, v[0], v[1], v[2]) - want));
            ++*count;
        }
    return worst;
}

/* Inside: the order-2 lattice solution differs from the continuum's 1/r by its Laplacian's
 * anisotropic O(dx^2) error (near the blob) and by the ringing that trails the front (lattice
 * dispersion), both about 0.5% here at r >= 3w and 3w behind the front: tol 1%; order 4 about
 * 0.05%: tol 0.2%. Beyond the front (r >= ct + 2w) the continuum has < 0.3% of the steady value;
 * the lattice's spread front about 1%: "not steady" is checked as < 5%. */
static void static_source(int order, double tol)
{
    const double dx = 0.5, w = 2 * dx, c = 1.5, dt = 0.8 * dx / (c * sqrt(3 * kg_lap_peak(order)));
    blob_run B;
    blob_init(&B, order, c, dt, w, dx);
    /* two times: the steady region grows with the front (radii in cells, ct / dx = front) */
    const double fronts[2] = {14, 21};
    int steps = 0;
    for (int f = 0; f < 2; f++) {
        while (c * steps * dt < fronts[f] * dx) chi_run_step(&B.R), steps++;
        const double ct = c * steps * dt / dx, wc = w / dx;
        int nin, nout;
        const double in = blob_shells(&B, 3 * wc, ct - 3 * wc, 1.0, &nin);
        const double out = blob_shells(&B, ct + 2 * wc, 1e9, 0.0, &nout);
        ok(nin >= 14 && in <= tol, "static source, order %d, ct = %.1f cells: r chi = -kappa Q/(4 pi c^2) to %.2g "
           "(tol %g) at %d cells along 14 directions, r in [3w, ct - 3w]", order, ct, in, tol, nin);
        ok(nout >= 14 && out <= 0.05, "static source, order %d, ct = %.1f cells: beyond the front (r >= ct + 2w) not "
           "steady yet: r chi / (its steady value) <= %.2g at %d cells", order, ct, out, nout);
    }
    chi_run_free(&B.R);
}

/* d: the time (interpolated between steps) at which r chi / far first reaches 1% at the probes
 * r1 < r2 cells along +x, on the lattice and in the continuum. Lattice dispersion spreads the
 * front as it travels, so its leading edge runs ahead of the continuum's: by 0.3 to 0.8 cells
 * (about 3% in speed) for order 2 with w = 3 cells, a tenth of a cell for order 4. At 0.1% the
 * order-2 edge is the lattice's precursor more than the source's (6% fast): 1% measures the
 * physics. */
static void arrival(int order, double w_cells, double c, double dt, double tol_speed, double tol_cells)
{
    const double dx = 0.5, w = w_cells * dx, frac = 0.01;
    const int64_t probe[2] = {10, 24};
    blob_run B;
    blob_init(&B, order, c, dt, w, dx);
    double t[2] = {-1, -1}, prev[2] = {0, 0};
    for (int s = 1; t[1] < 0 && s < 400; s++) {
        chi_run_step(&B.R);
        for (int p = 0; p < 2; p++) {
            const double v = blob_ratio(&B, probe[p], 0, 0);
            if (t[p] < 0 && v >= frac) t[p] = (s - 1 + (frac - prev[p]) / (v - prev[p])) * dt;
            prev[p] = v;
        }
    }
    double tc[2];
    for (int p = 0; p < 2; p++) { /* bisection on the continuum's ratio, increasing in t */
        const double r = (double)probe[p] * dx;
        double lo = 0, hi = r / c;
        for (int it = 0; it < 60; it++) {
            const double mid = 0.5 * (lo + hi);
            if (continuum_ratio(r, c * mid, w) < frac) lo = mid;
            else hi = mid;
        }
        tc[p] = 0.5 * (lo + hi);
    }
    const double speed = (double)(probe[1] - probe[0]) * dx / (t[1] - t[0]);
    ok(t[0] > 0 && t[1] > 0 && fabs(speed / c - 1) <= tol_speed,
       "arrival, order %d, w = %g cells, c_chi %g (CFL number %.2f): 1%% of the steady chi reaches r = %d and %d "
       "cells at t = %.3f, %.3f: speed %.4g = c_chi to %.2g (tol %g)", order, w_cells, c,
       c * dt * sqrt(3 * kg_lap_peak(order)) / dx, (int)probe[0], (int)probe[1], t[0], t[1], speed,
       fabs(speed / c - 1), tol_speed);
    const double e0 = fabs(t[0] - tc[0]) * c / dx, e1 = fabs(t[1] - tc[1]) * c / dx;
    ok(e0 <= tol_cells && e1 <= tol_cells,
       "arrival, order %d, c_chi %g: the lattice front is within %.2f and %.2f cells of the continuum's (t = %.3f, "
       "%.3f; tol %g cells)", order, c, e0, e1, tc[0], tc[1], tol_cells);
    chi_run_free(&B.R);
}

int main(void)
{
    sd_register_builtin_codelets();
    CX = sd_codelet_find("lattice.chi_leapfrog"), LF = sd_codelet_find("lattice.kg_leapfrog");
    PW = sd_codelet_find("lattice.plane_wave"), MP = sd_codelet_find("lattice.mode_projection");
    if (!ok(CX && LF && PW && MP, "lattice.chi_leapfrog, kg_leapfrog, plane_wave, mode_projection are registered"))
        return tap_done();
    const double prm2[4] = {1, 2, 0, 0}, prm6[4] = {1, 6, 0, 0};
    ok(CX->pattern == SD_STENCIL && CX->nroles == 4 && CX->roles[0].halo == 1 && CX->reach && CX->reach(prm2) == 1 &&
           CX->reach(prm6) == 3 && !strcmp(CX->roles[2].name, "E") && CX->roles[3].mode == SD_WRITE,
       "chi_leapfrog: stencil on chi (reach order/2), reads E at its own cell, writes chi_next");

    /* ---- a. bitwise vs the naive loop, ghosts, kappa = 0 ---- */
    rng r = {1616};
    const struct { int nd; int64_t n[3]; } shapes[] = {{1, {7, 1, 1}}, {2, {7, 5, 1}}, {3, {7, 5, 3}}};
    for (int order = 2; order <= 6; order += 2)
        for (int s = 0; s < 3; s++)
            for (int dt = 0; dt < 2; dt++)
                check_bitwise(shapes[s].nd, shapes[s].n, dt, order, order / 2 + (s + dt) % 2, &r);

    /* ---- b. free wave ---- */
    for (int order = 2; order <= 6; order += 2) {
        double amp, om, dphi = free_wave(order, &amp, &om);
        ok(fabs(dphi) <= 1e-9 && fabs(amp - 1) <= 1e-9,
           "free chi wave (2,1,1), order %d, kappa 0, 400 steps: phase advances by kg_omega (%.12g) n dt to %.2g rad, "
           "amplitude kept to %.2g", order, om, dphi, fabs(amp - 1));
    }

    /* ---- c. static source: steady 1/r inside the front, nothing beyond ---- */
    static_source(2, 0.01);
    static_source(4, 0.002);

    /* ---- d. arrival time: two speeds on one grid and dt (CFL 0.8 of the faster) ---- */
    const double dt = 0.8 * 0.5 / (1.5 * sqrt(3 * kg_lap_peak(4)));
    arrival(2, 3, 1.5, dt, 0.05, 1.0);
    arrival(2, 3, 0.6, dt, 0.05, 1.0);
    arrival(4, 2, 1.5, dt, 0.02, 0.25);
    arrival(4, 2, 0.6, dt, 0.02, 0.25);
    return tap_done();
}
