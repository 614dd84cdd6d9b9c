/* t_lattice_orders.c - Laplacians of order 4 and 6 and the damping gamma of the lattice pack, on
 * hand-built tiles (no StarPU). Theory: kg_math.h and docs/lattice.md:
 *   D u_i = sum_{m=1..p} b_m ((u_{i+m} - 2u_i) + u_{i-m}) / dx^2, p = order/2,
 *   E^{n+1} = (2-g) E^n - (1-g) E^{n-1} + dt^2 (c^2 D E^n - chi^2 E^n),
 *   H^{n+1/2} = 1/2 sum [(1-g/2) v+^2 - c^2 E^{n+1} D E^n + chi^2 E^{n+1} E^n] dV,
 *   H^{n+1/2} - H^{n-1/2} = -(g/4) sum (v+ + v-)^2 dV,
 *   CFL: c dt sqrt(S_p sum 1/dx^2) <= sqrt(1 - g/2), S_p = 1, 4/3, 136/90.
 *  a. kg_leapfrog orders 2/4/6, 1D/2D/3D, f32/f64, gamma 0 and 0.05: bitwise = a naive loop in
 *     kg_math.h's evaluation order (gamma 0, order 2: the old undamped expression), close to a long
 *     double evaluation of the explicit stencils (-1 16 -30 16 -1)/12, (2 -27 270 -490 270 -27 2)/180;
 *     ghosts of E_next untouched.
 *  b. energy vs a brute-force long double 1/2 sum [(1-g/2) v^2 - c^2 n D o + chi^2 n o] dV on whole
 *     grids (periodic, fixed 0, reflective mirror, mixed), one tile and tiles 1 and 2 cells thin.
 *  c. 400 steps: H constant to 1e-12 (g = 0); decreasing, with the exact identity above (g > 0).
 *  d. plane waves keep amplitude and follow kg_omega(order); kg_omega converges as h^order.
 *  e. the CFL and order checks of the validate hooks; the reach hook.
 *  f. the loader widens the ghosts of the bundled order-4 and order-6 graphs' E to 2 and 3 cells. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "graph.h"
#include "tap.h"
#include "lattice_fixture.h"

static const sd_codelet *LF, *EN, *GP, *PW;
static const char *tn(int dt) { return dt == SD_F64 ? "f64" : "f32"; }
static const int64_t UNIT[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

/* u at `at` + m steps along axis d */
static double nb(const tbuf *b, const int64_t at[3], int d, int64_t m)
{
    return tbuf_get(b, at[0] + m * UNIT[d][0], at[1] + m * UNIT[d][1], at[2] + m * UNIT[d][2], 0);
}

/* The explicit stencils of the issue: D u = sum_{m=-p..p} w_|m| u_{i+m} / dx^2, in long double. */
static long double ld_lap(const tbuf *b, const int64_t at[3], int nd, int order, const double dx[3])
{
    static const long double w2[2] = {-2, 1}, w4[3] = {-30.0L / 12, 16.0L / 12, -1.0L / 12},
                             w6[4] = {-490.0L / 180, 270.0L / 180, -27.0L / 180, 2.0L / 180};
    const long double *w = order == 2 ? w2 : order == 4 ? w4 : w6;
    long double lap = 0;
    for (int d = 0; d < nd; d++) {
        long double ax = w[0] * nb(b, at, d, 0);
        for (int m = 1; m <= order / 2; m++) ax += w[m] * ((long double)nb(b, at, d, m) + nb(b, at, d, -m));
        lap += ax / ((long double)dx[d] * dx[d]);
    }
    return lap;
}

typedef struct lf_case { int nd, order; double c, dt, gamma, dx[3]; } lf_case;

/* kg_math.h's evaluation order, written out per order (gamma 0, order 2: the pre-damping formula) */
#define REF_LEAPFROG(T, NAME)                                                                         \
    static T NAME(const tbuf *E, const tbuf *P, const tbuf *X, const int64_t at[3], const lf_case *L) \
    {                                                                                                 \
        const T e0 = (T)nb(E, at, 0, 0), ep = (T)nb(P, at, 0, 0), ch = (T)nb(X, at, 0, 0), two = 2; \
        T lap = 0;                                                                                    \
        for (int d = 0; d < L->nd; d++) {                                                             \
            const T i2 = (T)(1.0 / (L->dx[d] * L->dx[d]));                                            \
            T ax = (((T)nb(E, at, d, 1) - two * e0) + (T)nb(E, at, d, -1));                          \
            if (L->order > 2) ax = (T)kg_lap_b(L->order, 1) * ax;                                     \
            for (int m = 2; m <= L->order / 2; m++)                                                   \
                ax = ax + (T)kg_lap_b(L->order, m) * (((T)nb(E, at, d, m) - two * e0) + (T)nb(E, at, d, -m)); \
            lap = d == 0 ? ax * i2 : lap + ax * i2;                                                   \
        }                                                                                             \
        const T tail = (T)(L->dt * L->dt) * ((T)(L->c * L->c) * lap - (ch * ch) * e0);               \
        if (L->gamma == 0 && L->order == 2) return (two * e0 - ep) + tail;                           \
        return ((T)(2.0 - L->gamma) * e0 - (T)(1.0 - L->gamma) * ep) + tail;                         \
    }
REF_LEAPFROG(double, ref_leapfrog_f64)
REF_LEAPFROG(float, ref_leapfrog_f32)

static void test_leapfrog(rng *r)
{
    static const int64_t shapes[3][3] = {{9, 1, 1}, {7, 5, 1}, {7, 5, 4}};
    for (int order = 2; order <= 6; order += 2)
        for (int nd = 1; nd <= 3; nd++)
            for (int dt = 0; dt < 2; dt++)
                for (int gi = 0; gi < 2; gi++) {
                    const lf_case L = {nd, order, 1.7, 0.01, gi ? 0.05 : 0.0, {0.11, 0.07, 0.13}};
                    const int p = order / 2;
                    tbuf E, P, X, O, O0;
                    tbuf_alloc(&E, nd, shapes[nd - 1], p + gi, 1, dt); /* exactly the reach, and wider */
                    tbuf_alloc(&P, nd, shapes[nd - 1], 0, 1, dt);
                    tbuf_alloc(&X, nd, shapes[nd - 1], 1, 1, dt);
                    tbuf_alloc(&O, nd, shapes[nd - 1], 2, 1, dt);
                    tbuf_alloc(&O0, nd, shapes[nd - 1], 2, 1, dt);
                    tbuf_random(&E, r, -1, 1), tbuf_random(&P, r, -1, 1), tbuf_random(&X, r, 0, 3);
                    tbuf_random(&O, r, -1, 1);
                    memcpy(O0.mem, O.mem, tbuf_bytes(&O));
                    const int64_t org[3] = {2, 1, 3}, gshape[3] = {30, 20, 10};
                    sd_tile_args a;
                    args_init(&a, nd, shapes[nd - 1], org, gshape, L.dx);
                    a.dt = L.dt, a.param[0] = L.c, a.param[1] = order, a.param[2] = L.gamma;
                    args_buf(&a, 0, &E), args_buf(&a, 1, &P), args_buf(&a, 2, &X), args_buf(&a, 3, &O);
                    LF->cpu(&a);
                    int same = 1;
                    double worst = 0;
                    for (int64_t k = 0; k < a.n[2]; k++)
                        for (int64_t j = 0; j < a.n[1]; j++)
                            for (int64_t i = 0; i < a.n[0]; i++) {
                                const int64_t at[3] = {i, j, k}, x = tbuf_idx(&O, i, j, k, 0);
                                if (dt == SD_F64) {
                                    double w = ref_leapfrog_f64(&E, &P, &X, at, &L);
                                    same &= same_bits(w, ((double *)O.p)[x]), ((double *)O0.p)[x] = w;
                                } else {
                                    float w = ref_leapfrog_f32(&E, &P, &X, at, &L);
                                    same &= !memcmp(&w, (float *)O.p + x, sizeof w), ((float *)O0.p)[x] = w;
                                }
                                const long double e0 = nb(&E, at, 0, 0), ch = nb(&X, at, 0, 0);
                                const long double want = (2 - (long double)L.gamma) * e0 - (1 - (long double)L.gamma) * nb(&P, at, 0, 0) +
                                                         (long double)L.dt * L.dt * ((long double)L.c * L.c * ld_lap(&E, at, nd, order, L.dx) - ch * ch * e0);
                                worst = fmax(worst, fabs((double)(tbuf_get(&O, i, j, k, 0) - want)));
                            }
                    const char *what = gi ? "gamma 0.05" : order == 2 ? "gamma 0 (the undamped expression)" : "gamma 0";
                    ok(same, "kg_leapfrog order %d %dD %s %s, E halo %d: bitwise = naive loop", order, nd, tn(dt), what, E.h);
                    ok(worst <= (dt == SD_F64 ? 1e-13 : 1e-5), "... = the explicit stencil in long double to %.2g", worst);
                    ok(!memcmp(O.mem, O0.mem, tbuf_bytes(&O)), "... ghosts of E_next untouched");
                    tbuf_free(&E), tbuf_free(&P), tbuf_free(&X), tbuf_free(&O), tbuf_free(&O0);
                }
}

/* ---- energy ---- */
typedef struct en_case { int nd, order, bc[3]; int64_t n[3]; double c, dt, gamma, dx[3]; } en_case;

/* 1/2 sum_cells [(1-g/2) v^2 - c^2 n D o + chi^2 n o] dV in long double (D reads the ghosts);
 * *scale: the same sum of absolute values. */
static long double ld_energy(const tbuf *n, const tbuf *o, const tbuf *X, const en_case *C, long double *scale)
{
    long double dv = 1, h = 0, s = 0;
    for (int d = 0; d < C->nd; d++) dv *= C->dx[d];
    for (int64_t k = 0; k < n->n[2]; k++)
        for (int64_t j = 0; j < n->n[1]; j++)
            for (int64_t i = 0; i < n->n[0]; i++) {
                const int64_t at[3] = {i, j, k};
                const long double n0 = nb(n, at, 0, 0), o0 = nb(o, at, 0, 0), ch = nb(X, at, 0, 0);
                const long double v = (n0 - o0) / C->dt, kin = (1 - C->gamma / 2.0L) * v * v;
                const long double pot = -(long double)C->c * C->c * n0 * ld_lap(o, at, C->nd, C->order, C->dx);
                h += kin + pot + ch * ch * n0 * o0;
                s += fabsl(kin) + fabsl(pot) + fabsl(ch * ch * n0 * o0);
            }
    *scale = 0.5L * dv * s;
    return 0.5L * dv * h;
}

/* lattice.energy on the tile [org, org + tn) of whole-grid buffers (ghosts: the neighbours' cells) */
static void energy_tile(tbuf *b[3], const en_case *C, const int64_t org[3], const int64_t tn[3], sd_acc *acc)
{
    sd_tile_args a;
    args_init(&a, C->nd, tn, org, C->n, C->dx);
    memcpy(a.bc, C->bc, sizeof a.bc);
    a.dt = C->dt, a.param[0] = C->c, a.param[1] = C->order, a.param[2] = C->gamma;
    const size_t es = b[0]->dtype == SD_F64 ? sizeof(double) : sizeof(float);
    for (int r = 0; r < 3; r++) {
        args_buf(&a, r, b[r]);
        a.p[r] = (char *)b[r]->p + tbuf_idx(b[r], org[0], org[1], org[2], 0) * (int64_t)es;
    }
    a.acc = acc, a.nacc = 1;
    EN->cpu(&a);
}

/* Cut points of an axis of N cells: tiles of 1, 2, N-4 and 1 cells (origins 0, 1, 3, N-1). */
static int cuts(int64_t N, int64_t at[5])
{
    at[0] = 0, at[1] = 1, at[2] = 3, at[3] = N - 1, at[4] = N;
    return 4;
}

static void test_energy(rng *r)
{
    static const int64_t shapes[3][3] = {{13, 1, 1}, {9, 7, 1}, {7, 6, 5}};
    enum { P = SD_BC_PERIODIC, F = SD_BC_FIXED, R = SD_BC_REFLECTIVE };
    static const int bcs[5][3] = {{P, P, P}, {F, F, F}, {R, R, R}, {F, R, P}, {R, P, F}};
    static const char *bn[5] = {"periodic", "fixed (ghosts 0)", "reflective (mirror)", "fixed x, reflective y, periodic z",
                                "reflective x, periodic y, fixed z"};
    for (int order = 2; order <= 6; order += 2)
        for (int nd = 1; nd <= 3; nd++)
            for (int v = 0; v < 5; v++) {
                if (nd == 1 && v > 2) continue; /* the mixed sets differ from the pure ones from y on */
                double worst = 0;
                int same = 1;
                for (int dt = 0; dt < 2; dt++)
                    for (int gi = 0; gi < 2; gi++) {
                        en_case C = {nd, order, {bcs[v][0], bcs[v][1], bcs[v][2]}, {0}, 1.3, 0.02, gi ? 0.1 : 0.0,
                                     {0.11, 0.07, 0.13}};
                        memcpy(C.n, shapes[nd - 1], sizeof C.n);
                        tbuf N, O, X;
                        tbuf_alloc(&N, nd, C.n, 3, 1, dt), tbuf_alloc(&O, nd, C.n, 3, 1, dt), tbuf_alloc(&X, nd, C.n, 0, 1, dt);
                        tbuf_random(&N, r, -1, 1), tbuf_random(&O, r, -1, 1), tbuf_random(&X, r, 0, 2);
                        fill_ghosts(&N, C.bc), fill_ghosts(&O, C.bc);
                        tbuf *b[3] = {&N, &O, &X};
                        sd_acc whole, parts, part;
                        sd_acc_init(&whole), sd_acc_init(&parts);
                        const int64_t org0[3] = {0, 0, 0};
                        energy_tile(b, &C, org0, C.n, &whole);
                        int64_t cx[5], cy[5] = {0, 1}, cz[5] = {0, 1};
                        int nx = cuts(C.n[0], cx), ny = nd > 1 ? cuts(C.n[1], cy) : 1, nz = nd > 2 ? cuts(C.n[2], cz) : 1;
                        for (int tz = 0; tz < nz; tz++)
                            for (int ty = 0; ty < ny; ty++)
                                for (int tx = 0; tx < nx; tx++) {
                                    const int64_t org[3] = {cx[tx], cy[ty], cz[tz]};
                                    const int64_t tn[3] = {cx[tx + 1] - cx[tx], cy[ty + 1] - cy[ty], cz[tz + 1] - cz[tz]};
                                    sd_acc_init(&part);
                                    energy_tile(b, &C, org, tn, &part);
                                    sd_acc_merge(&parts, &part);
                                }
                        long double scale, want = ld_energy(&N, &O, &X, &C, &scale);
                        worst = fmax(worst, fabs((double)((sd_acc_sum(&whole) - want) / scale)));
                        same &= acc_same(&whole, &parts);
                        tbuf_free(&N), tbuf_free(&O), tbuf_free(&X);
                    }
                ok(worst <= 1e-13, "energy order %d %dD %s (f64/f32, gamma 0/0.1): = long double 1/2 sum [.. - c^2 n D o ..] dV to %.2g",
                   order, nd, bn[v], worst);
                ok(same, "... tiles of 1, 2, N-4, 1 cells per axis sum to the one-tile energy, bitwise");
            }
}

/* ---- 400 steps ---- */
/* sum over the cells of (v+ + v-)^2 dV = ((E^{n+1} - E^{n-1}) / dt)^2 dV, after a step */
static long double ld_damping_sum(const driver *D)
{
    long double s = 0, dv = 1;
    for (int d = 0; d < D->s.nd; d++) dv *= D->s.dx[d];
    const tbuf *np = &D->buf[D->ie], *pp = &D->buf[D->in];
    for (int64_t k = 0; k < np->n[2]; k++)
        for (int64_t j = 0; j < np->n[1]; j++)
            for (int64_t i = 0; i < np->n[0]; i++) {
                const long double w = ((long double)tbuf_get(np, i, j, k, 0) - tbuf_get(pp, i, j, k, 0)) / D->dt;
                s += w * w;
            }
    return s * dv;
}

static void test_steps(void)
{
    static const int64_t shapes[3][3] = {{40, 1, 1}, {14, 12, 1}, {10, 9, 8}};
    enum { P = SD_BC_PERIODIC, F = SD_BC_FIXED, R = SD_BC_REFLECTIVE };
    static const int bcs[4][3] = {{P, P, P}, {F, F, F}, {R, R, R}, {F, R, P}};
    static const char *bn[4] = {"periodic", "fixed", "reflective", "mixed"};
    static const double gammas[3] = {0, 0.01, 0.1};
    for (int order = 2; order <= 6; order += 2)
        for (int nd = 1; nd <= 3; nd++)
            for (int v = 0; v < 4; v++)
                for (int gi = 0; gi < 3; gi++) {
                    if (nd == 1 && v == 3) continue; /* mixed = fixed along x */
                    drv_spec sp = {.nd = nd, .bc = {bcs[v][0], bcs[v][1], bcs[v][2]}, .order = order, .dx = {0.1, 0.12, 0.09},
                                   .c = 1.3, .cfl = 0.95, .gamma = gammas[gi]};
                    memcpy(sp.n, shapes[nd - 1], sizeof sp.n);
                    driver D;
                    drv_init(&D, &sp);
                    rng r = {7};
                    tbuf_random(&D.chi, &r, 0.0, 2.0);
                    sd_tile_args a;
                    drv_args(&D, &a);
                    args_buf(&a, 0, &D.buf[D.ie]), args_buf(&a, 1, &D.buf[D.ip]);
                    const double gp[11] = {1.0, 0.25, NAN, 0.4, NAN, 9.0, -5.0, 3.0, 1.3, 0.8, order};
                    memcpy(a.param, gp, sizeof gp);
                    GP->cpu(&a);
                    double first = 0, prev = 0, drift = 0, ident = 0;
                    int down = 1;
                    for (int s = 0; s < 400; s++) {
                        const double e = drv_step(&D, s);
                        const long double loss = (long double)sp.gamma / 4 * ld_damping_sum(&D);
                        if (s == 0) first = e;
                        else {
                            down &= e < prev;
                            ident = fmax(ident, fabs((double)((e - (long double)prev + loss) / prev)));
                        }
                        drift = fmax(drift, fabs(e - first) / first);
                        prev = e;
                    }
                    drv_free(&D);
                    if (gi == 0)
                        ok(drift <= 1e-12 && first > 0, "order %d %dD %s, 400 steps at 0.95 CFL: H = %.6g constant to %.2g", order, nd, bn[v], first, drift);
                    else
                        ok(down && ident <= 1e-12 && first > 0,
                           "order %d %dD %s gamma %g: H decreases (%.4g -> %.4g), dH = -(g/4) sum (v+ + v-)^2 dV to %.2g", order, nd,
                           bn[v], sp.gamma, first, prev, ident);
                }
}

/* ---- dispersion ---- */
static void test_dispersion(void)
{
    const double fdx[3] = {0.1, 0.12, 0.09}, chi = 0.7, phi = 0.3, A = 0.8, twopi = 2 * acos(-1.0);
    for (int order = 4; order <= 6; order += 2) {
        drv_spec sp = {.nd = 3, .bc = {SD_BC_PERIODIC, SD_BC_PERIODIC, SD_BC_PERIODIC}, .order = order, .n = {16, 12, 10},
                       .dx = {fdx[0], fdx[1], fdx[2]}, .c = 1.0, .cfl = 0.9};
        const double pw[8] = {A, 3, 1, 2, phi, 1.0, chi, order};
        const int steps = 400;
        double re, im, dt = drv_plane_wave(&sp, pw, steps, &re, &im);
        const double k[3] = {twopi * 3 / (16 * 0.1), twopi / (12 * 0.12), twopi * 2 / (10 * 0.09)};
        const double om = kg_omega(3, k, fdx, 1.0, chi, dt, order), om2 = kg_omega(3, k, fdx, 1.0, chi, dt, 2);
        const double dphi = remainder(atan2(im, re) - (phi - om * steps * dt), twopi);
        ok(fabs(dphi) <= 1e-9 && fabs(om - om2) * steps * dt > 0.1,
           "order %d plane wave (3,1,2), 400 steps: phase follows kg_omega(order %d) to %.2g rad (order 2's omega: off by %.3g rad)",
           order, order, dphi, fabs(om - om2) * steps * dt);
        is_close(hypot(re, im), 16 * 12 * 10 / 2.0 * A, 1e-9, "... amplitude N A/2 kept");
    }
    /* semi-discrete (dt = 0) error c k - omega as k dx halves: ratio -> 2^order */
    const double k[3] = {1, 0, 0};
    double err[3][3];
    for (int o = 0; o < 3; o++)
        for (int h = 0; h < 3; h++) {
            const double dx[3] = {0.2 / (1 << h), 1, 1};
            err[o][h] = 1.0 - kg_omega(1, k, dx, 1.0, 0.0, 0.0, 2 * o + 2);
        }
    for (int o = 0; o < 3; o++) {
        const double want = 1 << (2 * o + 2), ratio = err[o][1] / err[o][2];
        ok(fabs(ratio / want - 1) <= 0.01 && (o == 0 || (err[o][1] < err[o - 1][1] && err[o][2] < err[o - 1][2])),
           "kg_omega order %d, k dx 0.1 -> 0.05: error %.3g -> %.3g, ratio %.4g ~ %g%s", 2 * o + 2, err[o][1], err[o][2], ratio,
           want, o ? " (below the lower order's)" : "");
    }
}

/* ---- validate hooks ---- */
static void test_validate(void)
{
    static const double S[3] = {1.0, 4.0 / 3.0, 136.0 / 90.0};
    const double dx[3] = {0.1, 0.2, 0.3}, c = 2.0;
    char msg[256], want[64];
    for (int order = 2; order <= 6; order += 2)
        for (int gi = 0; gi < 2; gi++) {
            const double gamma = gi ? 0.3 : 0.0, prm[3] = {c, order, gamma};
            const double lim = sqrt(1 - gamma / 2) / (c * sqrt(S[order / 2 - 1] * (1 / 0.01 + 1 / 0.04 + 1 / 0.09)));
            sd_check_info info = {.ndim = 3, .shape = {10, 10, 10}, .dx = {dx[0], dx[1], dx[2]}, .param = prm};
            info.dt = 0.99 * lim;
            const int acc = LF->validate(&info, msg, sizeof msg) == 0;
            info.dt = 1.01 * lim;
            msg[0] = 0;
            const int ref = LF->validate(&info, msg, sizeof msg) != 0;
            char ord[32];
            snprintf(ord, sizeof ord, "order %d%s", order, gamma > 0 ? " with damping" : "");
            snprintf(want, sizeof want, order == 2 && gamma == 0 ? "(expected dt <= %.3g)" : "(expected dt <= %.4g)", lim);
            /* order 2 undamped keeps its message (no order: every graph before orders had it) */
            ok(acc && ref && strstr(msg, want) && (order == 2 && gamma == 0 ? !!strstr(msg, "CFL violated") : !!strstr(msg, ord)),
               "order %d gamma %g: CFL 0.99 accepted, 1.01 refused: \"%s\"", order, gamma, msg);
        }
    const double bad[2] = {3, 8};
    for (int b = 0; b < 2; b++) {
        const double lf[3] = {1, bad[b], 0}, pw[8] = {1, 1, 0, 0, 0, 1, 0, bad[b]};
        const double gp[11] = {1, 0.2, NAN, NAN, NAN, 0, 0, 0, 1, 0, bad[b]};
        sd_check_info info = {.ndim = 1, .shape = {10, 1, 1}, .dx = {0.1, 1, 1}, .dt = 0.001, .param = lf};
        char m1[256] = "", m2[256] = "", m3[256] = "", m4[256] = "", o[32];
        int rc = LF->validate(&info, m1, sizeof m1) && EN->validate(&info, m2, sizeof m2);
        info.param = pw, rc = rc && PW->validate(&info, m3, sizeof m3);
        info.param = gp, rc = rc && GP->validate(&info, m4, sizeof m4);
        snprintf(o, sizeof o, "order = %g", bad[b]);
        ok(rc && strstr(m1, o) && strstr(m2, o) && strstr(m3, o) && strstr(m4, o),
           "order %g refused by kg_leapfrog, energy, plane_wave, gaussian_packet: \"%s\"", bad[b], m1);
    }
    const double p4[3] = {1, 4, 0}, p6[3] = {1, 6, 0.2}, p2[3] = {1, 2, 0};
    ok(LF->reach && EN->reach && LF->reach(p2) == 1 && LF->reach(p4) == 2 && LF->reach(p6) == 3 && EN->reach(p6) == 3,
       "reach hooks: order/2 cells (1, 2, 3)");
}

/* ---- the ghost width the loader gives E (through sd_codelet.reach) ---- */
static void test_loader_halo(void)
{
    static const char *graph[2] = {"higher-order.yaml", "damped.yaml"};
    const char *top = getenv("top_srcdir");
    for (int i = 0; i < 2; i++) {
        char path[1024], err[1024] = "";
        snprintf(path, sizeof path, "%s/graphs/lattice/%s", top ? top : ".", graph[i]);
        sd_graph *g = sd_graph_load(path, err, sizeof err);
        int halo = -1, chi = -1;
        for (int f = 0; g && f < g->nfields; f++) {
            if (!strcmp(g->fields[f].name, "E")) halo = g->fields[f].halo;
            if (!strcmp(g->fields[f].name, "chi")) chi = g->fields[f].halo;
        }
        ok(halo == 2 + i && chi == 0, "%s (order %d): E's ghosts %d cells wide (expected %d), chi's %d%s%s", graph[i], 4 + 2 * i,
           halo, 2 + i, chi, err[0] ? ": " : "", err);
        if (g) sd_graph_free(g);
    }
}

int main(void)
{
    sd_register_builtin_codelets();
    LF = sd_codelet_find("lattice.kg_leapfrog"), EN = sd_codelet_find("lattice.energy");
    GP = sd_codelet_find("lattice.gaussian_packet"), PW = sd_codelet_find("lattice.plane_wave");
    if (!ok(LF && EN && GP && PW, "the lattice codelets are registered")) return tap_done();
    rng r = {1616};
    test_leapfrog(&r);
    test_energy(&r);
    test_steps();
    test_dispersion();
    test_validate();
    test_loader_halo();
    return tap_done();
}
