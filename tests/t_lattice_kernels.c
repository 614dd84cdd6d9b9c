/* t_lattice_kernels.c - the lattice pack's CPU functions, called through the registry:
 *  - kg_leapfrog vs a naive loop written from the formula (bitwise; f64/f32; 1D/2D/3D; 7x5x3;
 *    halo 1 and 2, every buffer with its own ghost width; ghosts of E_next untouched),
 *  - energy vs a naive loop (exact accumulation both sides: bitwise) and vs long double (1e-14),
 *    periodic, fixed/absorbing (low-face terms) and interior tiles,
 *  - gaussian_packet / plane_wave vs their closed forms, mode_projection of a plane wave = N A/2,
 *  - the CFL validate hook (accepts 0.99, refuses 1.01 with the exact message),
 *  - single-tile drivers: 400 steps on 16x12x10, energy constant to 1e-12 with periodic, fixed and
 *    reflective ghosts; the measured frequency of a plane wave = kg_omega. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include "tap.h"
#include "kernel_util.h"
#include "stardag/codelet.h"
#include "lattice/kg_math.h"
#include "lattice_fixture.h"

static const char *tn(int dt) { return dt == SD_F64 ? "f64" : "f32"; }

/* ---- naive references, written from the formulas (same operation order as kg_math.h) ---- */
#define G(b, i, j, k) ((ref_t)tbuf_get((b), (i), (j), (k), 0))
#define REF_LEAPFROG(T, NAME)                                                                         \
    static T NAME(const tbuf *E, const tbuf *P, const tbuf *X, int nd, int64_t i, int64_t j, int64_t k, \
                  double c, double dt, const double dx[3])                                            \
    {                                                                                                 \
        typedef T ref_t;                                                                              \
        T e0 = G(E, i, j, k);                                                                         \
        T lap = ((G(E, i + 1, j, k) - (T)2 * e0) + G(E, i - 1, j, k)) * (T)(1.0 / (dx[0] * dx[0]));   \
        if (nd >= 2) lap = lap + ((G(E, i, j + 1, k) - (T)2 * e0) + G(E, i, j - 1, k)) * (T)(1.0 / (dx[1] * dx[1])); \
        if (nd >= 3) lap = lap + ((G(E, i, j, k + 1) - (T)2 * e0) + G(E, i, j, k - 1)) * (T)(1.0 / (dx[2] * dx[2])); \
        T ch = G(X, i, j, k);                                                                         \
        return ((T)2 * e0 - G(P, i, j, k)) + (T)(dt * dt) * ((T)(c * c) * lap - (ch * ch) * e0);      \
    }
REF_LEAPFROG(double, ref_leapfrog_f64)
REF_LEAPFROG(float, ref_leapfrog_f32)
#undef G

/* Energy: every term folded into ref (any order: the accumulator is exact); ld gets the same
 * energy computed in long double straight from the formula. */
static void ref_energy(const tbuf *En, const tbuf *E, const tbuf *X, int nd, const int64_t n[3],
                       const int64_t org[3], const int bc[3], double c, double dt, const double dx[3],
                       sd_acc *ref, long double *ld)
{
    double hdv = 0.5;
    for (int d = 0; d < nd; d++) hdv = hdv * dx[d];
    long double dv = 1;
    for (int d = 0; d < nd; d++) dv *= dx[d];
    *ld = 0;
    const int64_t off[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    for (int64_t k = n[2] - 1; k >= 0; k--) /* backwards, to show the order does not matter */
        for (int64_t j = n[1] - 1; j >= 0; j--)
            for (int64_t i = n[0] - 1; i >= 0; i--) {
                double n0 = tbuf_get(En, i, j, k, 0), o0 = tbuf_get(E, i, j, k, 0), ch = tbuf_get(X, i, j, k, 0);
                double v = (n0 - o0) * (1.0 / dt), g = 0;
                long double lv = ((long double)n0 - o0) / dt, lg = 0;
                for (int d = 0; d < nd; d++) {
                    double np = tbuf_get(En, i + off[d][0], j + off[d][1], k + off[d][2], 0);
                    double op = tbuf_get(E, i + off[d][0], j + off[d][1], k + off[d][2], 0);
                    double t = ((np - n0) * (1.0 / dx[d])) * ((op - o0) * (1.0 / dx[d]));
                    g = d == 0 ? t : g + t;
                    lg += ((np - (long double)n0) / dx[d]) * ((op - (long double)o0) / dx[d]);
                    if (bc[d] == SD_BC_FIXED || bc[d] == SD_BC_ABSORBING) {
                        int64_t gi[3] = {org[0] + i, org[1] + j, org[2] + k};
                        if (gi[d] == 0) {
                            double nm = tbuf_get(En, i - off[d][0], j - off[d][1], k - off[d][2], 0);
                            double om = tbuf_get(E, i - off[d][0], j - off[d][1], k - off[d][2], 0);
                            sd_acc_add(ref, hdv * ((c * c) * (((n0 - nm) * (1.0 / dx[d])) * ((o0 - om) * (1.0 / dx[d])))));
                            *ld += 0.5L * dv * (long double)c * c * (((n0 - (long double)nm) / dx[d]) * ((o0 - (long double)om) / dx[d]));
                        }
                    }
                }
                sd_acc_add(ref, hdv * ((v * v + (c * c) * g) + (ch * ch) * (n0 * o0)));
                *ld += 0.5L * dv * (lv * lv + (long double)c * c * lg + (long double)ch * ch * ((long double)n0 * o0));
            }
}

static const sd_codelet *LF, *EN, *GP, *PW, *MP;

/* energy drift over 400 steps of a Gaussian packet in a variable mass */
static double run_energy(const int bc[3], double *e0)
{
    const int64_t n[3] = {16, 12, 10};
    const double dx[3] = {0.1, 0.12, 0.09};
    drv_spec sp = {.nd = 3, .bc = {bc[0], bc[1], bc[2]}, .order = 2, .n = {n[0], n[1], n[2]},
                   .dx = {dx[0], dx[1], dx[2]}, .c = 1.3, .cfl = 0.95};
    driver D;
    drv_init(&D, &sp);
    rng r = {7};
    tbuf_random(&D.chi, &r, 0.0, 2.0);
    sd_tile_args a;
    drv_args(&D, &a);
    args_buf(&a, 0, &D.buf[D.ie]);
    args_buf(&a, 1, &D.buf[D.ip]);
    const double gp[11] = {1.0, 0.25, NAN, 0.4, NAN, 9.0, -5.0, 3.0, 1.3, 0.8, 2};
    memcpy(a.param, gp, sizeof gp);
    GP->cpu(&a);
    double first = 0, worst = 0;
    for (int s = 0; s < 400; s++) {
        double e = drv_step(&D, s);
        if (s == 0) first = e;
        double rel = fabs(e - first) / fabs(first);
        if (rel > worst) worst = rel;
    }
    drv_free(&D);
    *e0 = first;
    return worst;
}

int main(void)
{
    sd_register_builtin_codelets();
    LF = sd_codelet_find("lattice.kg_leapfrog"), EN = sd_codelet_find("lattice.energy");
    GP = sd_codelet_find("lattice.gaussian_packet"), PW = sd_codelet_find("lattice.plane_wave");
    MP = sd_codelet_find("lattice.mode_projection");
    if (!ok(LF && EN && GP && PW && MP, "all 5 lattice codelets are registered")) return tap_done();
    ok(LF->pattern == SD_STENCIL && LF->roles[0].halo == 1 && EN->roles[0].halo == 1 && EN->roles[1].halo == 1 &&
           EN->roles[3].reduce == SD_REDUCE_SUM && MP->nroles == 3 && LF->validate,
       "patterns, halos and reductions as documented");
    ok(!strcmp(LF->model, "stardag.lattice.kg_leapfrog") && GP->params[sd_codelet_param_index(GP, "width")].required &&
           isnan(GP->params[sd_codelet_param_index(GP, "x0")].def) && PW->params[sd_codelet_param_index(PW, "mx")].def == 1,
       "model symbol, required width, NaN centre default, mx = 1");

    rng r = {2024};
    struct { int nd; int64_t n[3]; } shapes[] = {{1, {7, 1, 1}}, {2, {7, 5, 1}}, {3, {7, 5, 3}}};
    const double dx[3] = {0.11, 0.07, 0.13};
    /* ---- kg_leapfrog vs naive, energy vs naive ---- */
    for (int s = 0; s < 3; s++)
        for (int dt = 0; dt < 2; dt++)
            for (int h = 1; h <= 2; h++) {
                const int nd = shapes[s].nd;
                const int64_t *n = shapes[s].n, org[3] = {3, 0, 2};
                const int64_t shape[3] = {20, 9, 8};
                tbuf E, P, X, O, O0;
                tbuf_alloc(&E, nd, n, h, 1, dt);
                tbuf_alloc(&P, nd, n, h == 1 ? 2 : 0, 1, dt);
                tbuf_alloc(&X, nd, n, 1, 1, dt);
                tbuf_alloc(&O, nd, n, 3 - h, 1, dt);
                tbuf_alloc(&O0, nd, n, 3 - h, 1, dt);
                tbuf_random(&E, &r, -1, 1);
                tbuf_random(&P, &r, -1, 1);
                tbuf_random(&X, &r, 0, 3);
                tbuf_random(&O, &r, -1, 1);
                memcpy(O0.mem, O.mem, tbuf_bytes(&O));
                sd_tile_args a;
                args_init(&a, nd, n, org, shape, dx);
                a.dt = 0.01, a.param[0] = 1.7, a.param[1] = 2; /* order 2 */
                args_buf(&a, 0, &E), args_buf(&a, 1, &P), args_buf(&a, 2, &X), args_buf(&a, 3, &O);
                LF->cpu(&a);
                int same = 1, ghosts = 1;
                for (int64_t k = 0; k < a.n[2]; k++)
                    for (int64_t j = 0; j < a.n[1]; j++)
                        for (int64_t i = 0; i < a.n[0]; i++) {
                            int64_t x = tbuf_idx(&O, i, j, k, 0);
                            if (dt == SD_F64) {
                                double w = ref_leapfrog_f64(&E, &P, &X, nd, i, j, k, 1.7, 0.01, dx);
                                same &= !memcmp(&w, (double *)O.p + x, 8);
                                ((double *)O0.p)[x] = w;
                            } else {
                                float w = ref_leapfrog_f32(&E, &P, &X, nd, i, j, k, 1.7, 0.01, dx);
                                same &= !memcmp(&w, (float *)O.p + x, 4);
                                ((float *)O0.p)[x] = w;
                            }
                        }
                ghosts = !memcmp(O.mem, O0.mem, tbuf_bytes(&O));
                ok(same, "kg_leapfrog %dD %s halo %d (E_prev halo %d, E_next halo %d): bitwise = naive loop", nd, tn(dt), h, P.h, O.h);
                ok(ghosts, "kg_leapfrog %dD %s halo %d: ghosts of E_next untouched", nd, tn(dt), h);

                /* energy(E_next = E, E = O with ghosts) over three boundary set-ups */
                int bcs[3][3] = {{SD_BC_PERIODIC, SD_BC_PERIODIC, SD_BC_PERIODIC},
                                 {SD_BC_FIXED, SD_BC_ABSORBING, SD_BC_FIXED},
                                 {SD_BC_FIXED, SD_BC_REFLECTIVE, SD_BC_ABSORBING}};
                const int64_t orgs[3][3] = {{3, 0, 2}, {0, 0, 0}, {0, 4, 0}};
                const char *what[3] = {"periodic", "fixed/absorbing at origin 0", "fixed x, reflective y, absorbing z"};
                for (int v = 0; v < 3; v++) {
                    tbuf_random(&O, &r, -1, 1);
                    args_init(&a, nd, n, orgs[v], shape, dx);
                    memcpy(a.bc, bcs[v], sizeof a.bc);
                    a.dt = 0.01, a.param[0] = 1.7, a.param[1] = 2; /* order 2 */
                    args_buf(&a, 0, &O), args_buf(&a, 1, &E), args_buf(&a, 2, &X);
                    sd_acc acc, ref;
                    sd_acc_init(&acc), sd_acc_init(&ref);
                    a.acc = &acc, a.nacc = 1;
                    EN->cpu(&a);
                    long double ld;
                    ref_energy(&O, &E, &X, nd, a.n, a.origin, a.bc, 1.7, 0.01, dx, &ref, &ld);
                    ok(same_bits(sd_acc_sum(&acc), sd_acc_sum(&ref)) && acc_same(&acc, &ref),
                       "energy %dD %s halo %d %s: bitwise = naive loop", nd, tn(dt), h, what[v]);
                    is_close(sd_acc_sum(&acc), (double)ld, 1e-14, "energy %dD %s halo %d %s: vs long double", nd, tn(dt), h, what[v]);
                }
                tbuf_free(&E), tbuf_free(&P), tbuf_free(&X), tbuf_free(&O), tbuf_free(&O0);
            }

    /* ---- initialisers vs closed forms ---- */
    {
        const int64_t n[3] = {7, 5, 3}, org[3] = {4, 3, 2}, shape[3] = {20, 16, 12};
        const double gdx[3] = {0.1, 0.2, 0.15}, c = 1.2, chi = 0.5, dtv = 0.01;
        for (int dt = 0; dt < 2; dt++) {
            tbuf E, P;
            tbuf_alloc(&E, 3, n, 1, 1, dt);
            tbuf_alloc(&P, 3, n, 0, 1, dt);
            sd_tile_args a;
            args_init(&a, 3, n, org, shape, gdx);
            a.dt = dtv;
            args_buf(&a, 0, &E), args_buf(&a, 1, &P);
            const double gp[11] = {1.5, 0.4, NAN, 1.0, NAN, 3.0, -2.0, 1.0, c, chi, 2};
            memcpy(a.param, gp, sizeof gp);
            GP->cpu(&a);
            const double k[3] = {3.0, -2.0, 1.0};
            const double x0[3] = {19 * 0.1 / 2, 1.0, 11 * 0.15 / 2};
            double om = kg_omega(3, k, gdx, c, chi, dtv, 2), err = 0, errp = 0;
            for (int64_t kk = 0; kk < 3; kk++)
                for (int64_t j = 0; j < 5; j++)
                    for (int64_t i = 0; i < 7; i++) {
                        double x[3] = {(4 + i) * 0.1, (3 + j) * 0.2, (2 + kk) * 0.15}, r2 = 0, r2p = 0, ph = 0;
                        for (int d = 0; d < 3; d++) {
                            double vg = c * c * k[d] / om;
                            r2 += (x[d] - x0[d]) * (x[d] - x0[d]);
                            r2p += (x[d] - (x0[d] - vg * dtv)) * (x[d] - (x0[d] - vg * dtv));
                            ph += k[d] * (x[d] - x0[d]);
                        }
                        double e = 1.5 * exp(-r2 / (2 * 0.4 * 0.4)) * cos(ph);
                        double ep = 1.5 * exp(-r2p / (2 * 0.4 * 0.4)) * cos(ph + om * dtv);
                        err = fmax(err, fabs(tbuf_get(&E, i, j, kk, 0) - e));
                        errp = fmax(errp, fabs(tbuf_get(&P, i, j, kk, 0) - ep));
                    }
            double tol = dt == SD_F64 ? 1e-13 : 2e-7;
            ok(err <= tol && errp <= tol, "gaussian_packet %s on a tile at (4,3,2): closed form (max err %.2g, %.2g)", tn(dt), err, errp);

            const double pw[8] = {0.8, 2, -1, 3, 0.3, c, chi, 2};
            memcpy(a.param, pw, sizeof pw);
            PW->cpu(&a);
            const double m[3] = {2, -1, 3};
            double kw[3], twopi = 2 * acos(-1.0);
            for (int d = 0; d < 3; d++) kw[d] = twopi * m[d] / (shape[d] * gdx[d]);
            om = kg_omega(3, kw, gdx, c, chi, dtv, 2), err = errp = 0;
            for (int64_t kk = 0; kk < 3; kk++)
                for (int64_t j = 0; j < 5; j++)
                    for (int64_t i = 0; i < 7; i++) {
                        double ph = kw[0] * (4 + i) * 0.1 + kw[1] * (3 + j) * 0.2 + kw[2] * (2 + kk) * 0.15 + 0.3;
                        err = fmax(err, fabs(tbuf_get(&E, i, j, kk, 0) - 0.8 * cos(ph)));
                        errp = fmax(errp, fabs(tbuf_get(&P, i, j, kk, 0) - 0.8 * cos(ph + om * dtv)));
                    }
            tol = dt == SD_F64 ? 1e-13 : 1e-7;
            ok(err <= tol && errp <= tol, "plane_wave %s on a tile at (4,3,2): closed form (max err %.2g, %.2g)", tn(dt), err, errp);
            tbuf_free(&E), tbuf_free(&P);
        }
        /* kg_omega: small k dx, dt -> continuum relation; the semi-discrete limit at dt = 0 */
        const double ks[3] = {0.01, 0, 0}, one[3] = {1e-3, 1, 1};
        double w = kg_omega(1, ks, one, 2.0, 0.0, 1e-6, 2);
        is_close(w, 0.02, 1e-9, "kg_omega -> c|k| for k dx, c dt -> 0");
        is_close(kg_omega(1, ks, one, 2.0, 3.0, 0.0, 2), sqrt(0.02 * 0.02 + 9.0), 1e-9, "kg_omega(dt = 0) -> sqrt(c^2 k^2 + chi^2)");
        const double kn[3] = {M_PI / 1e-3, 0, 0};
        ok(isnan(kg_omega(1, kn, one, 1.0, 0.0, 1.01e-3, 2)), "kg_omega is NaN beyond the CFL limit");
    }

    /* ---- mode_projection of a plane wave ---- */
    {
        const int64_t n[3] = {16, 12, 10}, org0[3] = {0, 0, 0};
        const double pdx[3] = {0.1, 0.12, 0.09};
        tbuf E, P;
        tbuf_alloc(&E, 3, n, 1, 1, SD_F64);
        tbuf_alloc(&P, 3, n, 0, 1, SD_F64);
        const double phis[2] = {0.0, 0.3};
        for (int t = 0; t < 2; t++) {
            sd_tile_args a;
            args_init(&a, 3, n, org0, n, pdx);
            a.dt = 0.01;
            args_buf(&a, 0, &E), args_buf(&a, 1, &P);
            const double pw[7] = {0.8, 2, 1, 1, phis[t], 1.0, 0.0};
            memcpy(a.param, pw, sizeof pw);
            PW->cpu(&a);
            sd_acc acc[2];
            sd_acc_init(&acc[0]), sd_acc_init(&acc[1]);
            args_init(&a, 3, n, org0, n, pdx);
            args_buf(&a, 0, &E);
            a.acc = acc, a.nacc = 2;
            a.param[0] = 2, a.param[1] = 1, a.param[2] = 1;
            MP->cpu(&a);
            double N2A = 16 * 12 * 10 / 2.0 * 0.8;
            double re = sd_acc_sum(&acc[0]), im = sd_acc_sum(&acc[1]);
            ok(fabs(re - N2A * cos(phis[t])) <= 1e-12 * N2A && fabs(im - N2A * sin(phis[t])) <= 1e-12 * N2A,
               "mode_projection of A cos(k.x + %.1f): (re, im) = N A/2 (cos, sin) phase (%.15g, %.3g) vs %g", phis[t], re, im, N2A);
            /* another mode is orthogonal */
            sd_acc_init(&acc[0]), sd_acc_init(&acc[1]);
            a.param[0] = 3;
            MP->cpu(&a);
            ok(fabs(sd_acc_sum(&acc[0])) <= 1e-12 * N2A && fabs(sd_acc_sum(&acc[1])) <= 1e-12 * N2A,
               "mode_projection on mode (3,1,1) of a (2,1,1) wave: 0");
            /* split into two tiles along y: merged partials = one tile, bitwise */
            sd_acc one[2], two[2], part[2];
            sd_acc_init(&one[0]), sd_acc_init(&one[1]), sd_acc_init(&two[0]), sd_acc_init(&two[1]);
            a.param[0] = 2, a.acc = one;
            MP->cpu(&a);
            for (int half = 0; half < 2; half++) {
                const int64_t hn[3] = {16, 6, 10}, ho[3] = {0, 6 * half, 0};
                sd_tile_args b;
                args_init(&b, 3, hn, ho, n, pdx);
                args_buf(&b, 0, &E);
                b.p[0] = (double *)E.p + 6 * half * E.sy;
                b.param[0] = 2, b.param[1] = 1, b.param[2] = 1;
                sd_acc_init(&part[0]), sd_acc_init(&part[1]);
                b.acc = part, b.nacc = 2;
                MP->cpu(&b);
                sd_acc_merge(&two[0], &part[0]), sd_acc_merge(&two[1], &part[1]);
            }
            ok(acc_same(&one[0], &two[0]) && acc_same(&one[1], &two[1]), "mode_projection over two tiles (origins 0, 6) = one tile, bitwise");
        }
        tbuf_free(&E), tbuf_free(&P);
    }

    /* ---- CFL validate hook ---- */
    {
        const double vdx[3] = {0.1, 0.2, 0.3}, c = 2.0, prm[3] = {c, 2, 0}; /* order 2, undamped */
        double dtmax = 1 / (c * sqrt(1 / 0.01 + 1 / 0.04 + 1 / 0.09));
        sd_check_info info = {.ndim = 3, .shape = {10, 10, 10}, .dx = {vdx[0], vdx[1], vdx[2]}, .param = prm};
        char msg[256] = "", want[256];
        info.dt = 0.99 * dtmax;
        ok(LF->validate(&info, msg, sizeof msg) == 0, "CFL 0.99 accepted");
        info.dt = 1.01 * dtmax;
        int rc = LF->validate(&info, msg, sizeof msg);
        snprintf(want, sizeof want, "CFL violated: c*dt*sqrt(sum 1/dx^2) = 1.01 > 1 (expected dt <= %.3g)", dtmax);
        ok(rc != 0 && !strcmp(msg, want), "CFL 1.01 refused: \"%s\"", msg);
        if (strcmp(msg, want)) diag("want \"%s\"", want);
        info.ndim = 1, info.dt = 0.99 * 0.1 / c;
        ok(LF->validate(&info, msg, sizeof msg) == 0, "1D: only dx[0] counts (0.99 accepted)");
        info.dt = 1.01 * 0.1 / c;
        ok(LF->validate(&info, msg, sizeof msg) != 0, "1D: 1.01 refused");
        const double pwp[8] = {1, 2.5, 0, 0, 0, 1, 0, 2};
        info.param = pwp, info.dt = 0.01;
        ok(PW->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "not an integer"), "plane_wave refuses mode 2.5: \"%s\"", msg);
    }

    /* ---- drivers: energy conservation over 400 steps ---- */
    {
        const int per[3] = {SD_BC_PERIODIC, SD_BC_PERIODIC, SD_BC_PERIODIC};
        const int fix[3] = {SD_BC_FIXED, SD_BC_FIXED, SD_BC_FIXED};
        const int ref[3] = {SD_BC_REFLECTIVE, SD_BC_REFLECTIVE, SD_BC_REFLECTIVE};
        const int mix[3] = {SD_BC_FIXED, SD_BC_REFLECTIVE, SD_BC_PERIODIC};
        const int *sets[4] = {per, fix, ref, mix};
        const char *nm[4] = {"periodic", "fixed (ghost 0)", "reflective (mirror)", "fixed x, reflective y, periodic z"};
        for (int v = 0; v < 4; v++) {
            double e0, drift = run_energy(sets[v], &e0);
            ok(drift <= 1e-12 && e0 > 0, "16x12x10, 400 steps at CFL 0.95, %s: energy %.6g constant to %.2g relative", nm[v], e0, drift);
        }
    }

    /* ---- measured frequency of a plane wave = kg_omega ---- */
    {
        const int64_t n[3] = {16, 12, 10};
        const double fdx[3] = {0.1, 0.12, 0.09}, chi = 0.7, phi = 0.3, A = 0.8;
        const int per[3] = {SD_BC_PERIODIC, SD_BC_PERIODIC, SD_BC_PERIODIC};
        drv_spec sp = {.nd = 3, .bc = {per[0], per[1], per[2]}, .order = 2, .n = {n[0], n[1], n[2]},
                       .dx = {fdx[0], fdx[1], fdx[2]}, .c = 1.0, .cfl = 0.9};
        const double pw[8] = {A, 2, 1, 1, phi, 1.0, chi, 2};
        const int steps = 400;
        double re, im, dtw = drv_plane_wave(&sp, pw, steps, &re, &im);
        double twopi = 2 * acos(-1.0);
        double k[3] = {twopi * 2 / (16 * 0.1), twopi / (12 * 0.12), twopi / (10 * 0.09)};
        double om = kg_omega(3, k, fdx, 1.0, chi, dtw, 2);
        double want = phi - om * steps * dtw, got = atan2(im, re);
        double dphi = remainder(got - want, twopi);
        ok(fabs(dphi) <= 1e-9, "plane wave (2,1,1), chi 0.7, 400 steps: phase = phase0 - omega n dt to %.2g rad (omega %.12g)", dphi, om);
        is_close(hypot(re, im), 16 * 12 * 10 / 2.0 * A, 1e-9, "... amplitude N A/2 kept");
    }
    return tap_done();
}
