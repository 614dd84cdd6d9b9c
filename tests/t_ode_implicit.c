/* t_ode_implicit.c - ode.radau5 and ode.bdf kernels called directly on hand-built batch tasks:
 * accuracy against SciPy references (bench/peers/ode/ref_implicit.txt: Van der Pol eps = 1e-3 to
 * t = 2, mu = 1000 to t = 3000, Robertson to t = 1e11 with per-component atol) at rtol 1e-6 and
 * 1e-10 with step / LU counts beside SciPy's; bitwise independence of lanes, tiles and output
 * intervals, and the CUDA threads' code path (emulated on the host) equal to the lanes; lu_math.h
 * alone; a singular iteration matrix -> FAIL_SINGULAR, singular once -> a retry with h/2; Newton
 * never converging -> FAIL_NEWTON; FAIL_NONFINITE, FAIL_MAXSTEPS, max_step; a NaN f at Radau's second
 * error estimate rejects the step (FAIL_NONFINITE when it persists); bdf's max_order must be an integer. */
#include <math.h>
#include "tap.h"
#include "stardag/codelet.h"
#include "t_ode_implicit_fixture.h"
#include "ode/systems.h"

SD_ODE_LANE_FN(vdp_f, sd_ode_vdp_f)
SD_ODE_LANE_FN(vdp_jac, sd_ode_vdp_jac)
SD_ODE_LANE_FN(vdpe_f, sd_ode_vdp_eps_f)
SD_ODE_LANE_FN(vdpe_jac, sd_ode_vdp_eps_jac)
SD_ODE_LANE_FN(rob_f, sd_ode_robertson_f)
SD_ODE_LANE_FN(rob_jac, sd_ode_robertson_jac)

static const double mu_def[1] = {1000.0}, eps_def[1] = {1e-3}, rob_def[3] = {0.04, 3e7, 1e4};
static const sd_ode_system vdp = {.name = "vdp", .n = 2, .np = 1, .param_default = mu_def, .f = vdp_f, .jac = vdp_jac};
static const sd_ode_system vdpe = {.name = "vdp_eps", .n = 2, .np = 1, .param_default = eps_def, .f = vdpe_f,
                                   .jac = vdpe_jac};
static const sd_ode_system rob = {.name = "robertson", .n = 3, .np = 3, .param_default = rob_def, .f = rob_f,
                                  .jac = rob_jac};

/* y' = -sqrt|y| from y = 0: the Jacobian -1/(2 sqrt|y|) is infinite, no iteration matrix factors. */
static void sq_f(const void *ctx, const sd_ode_lanes *in, double *out)
{
    (void)ctx;
    for (int l = 0; l < in->nl; l++) out[l] = -sqrt(fabs(in->y[l]));
}
static void sq_jac(const void *ctx, const sd_ode_lanes *in, double *out)
{
    (void)ctx;
    for (int l = 0; l < in->nl; l++) out[l] = -0.5 / sqrt(fabs(in->y[l]));
}
static const sd_ode_system sq = {.name = "sqrt", .n = 1, .f = sq_f, .jac = sq_jac};
/* y' = -y for t <= 0, NaN after: no Newton iteration past t = 0 converges. */
static void nan_f(const void *ctx, const sd_ode_lanes *in, double *out)
{
    (void)ctx;
    for (int l = 0; l < in->nl; l++) out[l] = in->t[l] > 0 ? NAN : -in->y[l];
}
static void nan_jac(const void *ctx, const sd_ode_lanes *in, double *out)
{
    (void)ctx;
    for (int l = 0; l < in->nl; l++) out[l] = -1.0;
}
static const sd_ode_system nansys = {.name = "nan_after_0", .n = 1, .f = nan_f, .jac = nan_jac};

/* y' = lam y, lam from ctx: an iteration matrix that is exactly singular at one step size */
static void lin1_f(const void *ctx, const sd_ode_lanes *in, double *out)
{
    for (int l = 0; l < in->nl; l++) out[l] = *(const double *)ctx * in->y[l];
}
static void lin1_jac(const void *ctx, const sd_ode_lanes *in, double *out)
{
    for (int l = 0; l < in->nl; l++) out[l] = *(const double *)ctx;
}

/* ---- the reference file ---- */
#define MAXREF 16
typedef struct ref {
    char name[32];
    int nt;
    double t[MAXREF], y[MAXREF][3];
    /* SciPy's counts: [rtol 1e-6, 1e-10][Radau, BDF]: steps nfev njev nlu, scaled error */
    double sp[2][2][5];
} ref;

static int load_refs(ref *r, int maxr)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/bench/peers/ode/ref_implicit.txt", top ? top : "..");
    FILE *fp = fopen(path, "r");
    if (!fp) { printf("Bail out! cannot open %s (run through make check)\n", path); exit(1); }
    char line[512];
    int nr = 0;
    while (fgets(line, sizeof line, fp)) {
        char kind[16], name[32], method[16];
        double v[6];
        if (sscanf(line, "%15s %31s", kind, name) != 2 || kind[0] == '#') continue;
        int k = 0;
        while (k < nr && strcmp(r[k].name, name)) k++;
        if (k == nr) {
            if (nr == maxr) break;
            memset(&r[nr], 0, sizeof r[nr]);
            snprintf(r[nr].name, sizeof r[nr].name, "%s", name);
            nr++;
        }
        if (!strcmp(kind, "ref")) {
            const int got = sscanf(line, "%*s %*s %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3]);
            if (got < 3 || r[k].nt == MAXREF) continue;
            r[k].t[r[k].nt] = v[0];
            for (int c = 0; c + 1 < got; c++) r[k].y[r[k].nt][c] = v[c + 1];
            r[k].nt++;
        } else if (!strcmp(kind, "scipy")) {
            if (sscanf(line, "%*s %*s %15s %lf steps %lf nfev %lf njev %lf nlu %lf err_scaled %lf", method, &v[0],
                       &v[1], &v[2], &v[3], &v[4], &v[5]) != 7)
                continue;
            const int ir = v[0] < 1e-8, im = !strcmp(method, "BDF");
            for (int q = 0; q < 5; q++) r[k].sp[ir][im][q] = v[q + 1];
        }
    }
    fclose(fp);
    return nr;
}

/* ---- accuracy ---- */
static void accuracy(const ref *R, const sd_ode_system *sys, const double *y0, const double *atol_mult, char method)
{
    for (int ir = 0; ir < 2; ir++) {
        const double rtol = ir ? 1e-10 : 1e-6;
        double atol[3];
        for (int c = 0; c < sys->n; c++) atol[c] = atol_mult[c] * rtol;
        batch b;
        batch_init(&b, sys, method, 1, y0, NULL, atol, rtol, rtol);
        double worst = 0.0;
        double t0 = 0.0;
        for (int k = 0; k < R->nt; k++) {
            batch_task(&b, 0, 1, t0, R->t[k]);
            t0 = R->t[k];
            double s = 0.0;
            for (int c = 0; c < sys->n; c++) {
                const double e = (batch_y(&b, 0, c) - R->y[k][c]) / (atol[c] + rtol * fabs(R->y[k][c]));
                s += e * e;
            }
            s = sqrt(s / sys->n);
            worst = s > worst ? s : worst;
        }
        const double *sp = R->sp[ir][method == 'b'];
        const double steps = batch_stat(&b, 0, SD_ODE_NACCEPT), nlu = batch_stat(&b, 0, SD_ODE_NLU);
        const char *mn = method == 'r' ? "radau5" : "bdf";
        diag("%s %s rtol %.0e: steps %.0f (+%.0f rejected) nfev %.0f njev %.0f nlu %.0f | scipy %s steps %.0f nfev %.0f "
             "njev %.0f nlu %.0f | scaled error max over outputs %.3g (scipy at the end %.3g)",
             R->name, mn, rtol, steps, batch_stat(&b, 0, SD_ODE_NREJECT), batch_stat(&b, 0, SD_ODE_NFEV),
             batch_stat(&b, 0, SD_ODE_NJEV), nlu, method == 'r' ? "Radau" : "BDF", sp[0], sp[1], sp[2], sp[3], worst,
             sp[4]);
        ok(batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_OK && batch_stat(&b, 0, SD_ODE_T) == R->t[R->nt - 1],
           "%s %s rtol %.0e: reaches t = %g with status OK", R->name, mn, rtol, R->t[R->nt - 1]);
        /* radau5 controls its order-3 error estimate against RADAU5's transformed tolerance
           (0.1 rtol^(2/3)), and its last step of each interval ends on the output time: at rtol
           1e-6 the outputs are within 2 tolerances, at 1e-10 within 50 (the global error of Van der
           Pol's limit cycle; SciPy's Radau takes 3.8x the steps for its smaller errors). bdf is
           SciPy's algorithm: its global error (large on Van der Pol, as SciPy's) within 3x SciPy's,
           10 tolerances at least */
        const double bound = method == 'r' ? (ir ? 50.0 : 2.0) : fmax(20.0, 3.0 * sp[4]);
        ok(worst <= bound, "%s %s rtol %.0e: scaled error %.3g <= %.3g at every output", R->name, mn, rtol, worst, bound);
        ok(steps <= 2.0 * sp[0] && steps >= 0.2 * sp[0] && nlu <= 2.0 * sp[3],
           "%s %s rtol %.0e: %.0f steps and %.0f LUs comparable to SciPy's %.0f and %.0f (0.2x..2x, LUs <= 2x)", R->name,
           mn, rtol, steps, nlu, sp[0], sp[3]);
        if (method == 'b')
            ok(fabs(steps - sp[0]) <= 0.02 * sp[0] && fabs(nlu - sp[3]) <= 0.02 * sp[3] + 2,
               "%s bdf rtol %.0e: SciPy's BDF reproduced: %.0f steps, %.0f LUs (SciPy %.0f, %.0f; within 2%%)", R->name,
               rtol, steps, nlu, sp[0], sp[3]);
        batch_free(&b);
    }
}

/* ---- bitwise independence ---- */
static int same(const double *a, const double *b, size_t n) { return !memcmp(a, b, n * sizeof(double)); }

static void independence(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    enum { M = 11, NT = 20 };
    double mu[M], times[NT];
    for (int i = 0; i < M; i++) mu[i] = 100.0 + 90.0 * i;
    for (int k = 0; k < NT; k++) times[k] = 10.0 * (k + 1);
    const double y0[2] = {2.0, 0.0};
    batch one, three;
    batch_init(&one, &vdp, method, M, y0, mu, NULL, 1e-6, 1e-6);
    batch_init(&three, &vdp, method, M, y0, mu, NULL, 1e-6, 1e-6);
    batch_run(&one, times, NT, 1);
    batch_run(&three, times, NT, 3);
    ok(same(one.y, three.y, 2 * M) && same(one.st, three.st, (size_t)SD_ODE_NSTATS * M) &&
           same(one.w, three.w, (size_t)one.K * M),
       "%s: 11 systems in 1 tile (lanes 8 + 3) or 3 tiles: y, stats and work bitwise equal", mn);
    int alone_ok = 1, all_ok = 1;
    for (int i = 0; i < M; i++) {
        batch a;
        batch_init(&a, &vdp, method, 1, y0, &mu[i], NULL, 1e-6, 1e-6);
        batch_run(&a, times, NT, 1);
        for (int c = 0; c < 2; c++) alone_ok &= a.y[c] == batch_y(&one, i, c);
        for (int k = 0; k < SD_ODE_NSTATS; k++) alone_ok &= a.st[k] == batch_stat(&one, i, k);
        for (int k = 0; k < a.K; k++) alone_ok &= !memcmp(&a.w[k], &one.w[i + (int64_t)k * M], sizeof(double));
        all_ok &= batch_stat(&one, i, SD_ODE_STATUS) == SD_ODE_OK;
        batch_free(&a);
    }
    ok(all_ok, "%s: all 11 systems (mu 100..1000) reach t = 200", mn);
    ok(alone_ok, "%s: each system alone (M = 1) gives the bits it gives in lane i mod 8 of the batch", mn);
    /* the same run in 1, 20 and 200 output intervals: the same internal steps, the same end state
       (radau5 with interpolate = 1; by default each interval's last step ends on its end) */
    double t1[1] = {200.0}, t200[200];
    for (int k = 0; k < 200; k++) t200[k] = (k + 1) * 1.0;
    batch c1, c20, c200;
    batch_init(&c1, &vdp, method, M, y0, mu, NULL, 1e-6, 1e-6);
    batch_init(&c20, &vdp, method, M, y0, mu, NULL, 1e-6, 1e-6);
    batch_init(&c200, &vdp, method, M, y0, mu, NULL, 1e-6, 1e-6);
    if (method == 'r') c1.param[SD_IMP_P_INTERPOLATE] = c20.param[SD_IMP_P_INTERPOLATE] = c200.param[SD_IMP_P_INTERPOLATE] = 1;
    batch_run(&c1, t1, 1, 1);
    batch_run(&c20, times, NT, 1);
    batch_run(&c200, t200, 200, 1);
    ok(same(c1.y, c200.y, 2 * M) && same(c1.st, c200.st, (size_t)SD_ODE_NSTATS * M) && same(c1.y, c20.y, 2 * M),
       "%s%s: 1, 20 or 200 output intervals to t = 200: y and stats (steps, f, J, LU counts) bitwise equal", mn,
       method == 'r' ? " (interpolate = 1)" : "");
    diag("%s: system mu = 1000 to t = 200: %.0f steps, %.0f LUs", mn, batch_stat(&c1, M - 1, SD_ODE_NACCEPT),
         batch_stat(&c1, M - 1, SD_ODE_NLU));
    if (method == 'r') {
        /* landing (the default): every interval ends on a step point (x is the interval's end
           exactly), the 200-interval run agrees with the 1-interval one within the tolerance's
           reach, and its cut steps cost steps, not accuracy */
        batch l1, l200;
        batch_init(&l1, &vdp, method, M, y0, mu, NULL, 1e-6, 1e-6);
        batch_init(&l200, &vdp, method, M, y0, mu, NULL, 1e-6, 1e-6);
        batch_run(&l1, t1, 1, 1);
        int on_step = 1;
        double t0 = 0.0;
        for (int k = 0; k < 200; k++) {
            batch_task(&l200, 0, M, t0, t200[k]);
            t0 = t200[k];
            for (int i = 0; i < M; i++)
                on_step &= l200.w[i + (int64_t)RW_X * M] == t200[k] && batch_stat(&l200, i, SD_ODE_T) == t200[k];
        }
        double worst = 0.0;
        for (int i = 0; i < M; i++)
            for (int c = 0; c < 2; c++) {
                const double e = fabs(batch_y(&l200, i, c) - batch_y(&l1, i, c)) / (1e-6 + 1e-6 * fabs(batch_y(&l1, i, c)));
                worst = e > worst ? e : worst;
            }
        ok(on_step, "radau5: 200 intervals: each ends on a step (x = the interval's end, exactly)");
        ok(worst < 20.0 && batch_stat(&l200, M - 1, SD_ODE_NACCEPT) >= batch_stat(&l1, M - 1, SD_ODE_NACCEPT),
           "radau5: 200 intervals against 1: end states within %.3g tolerances (< 20); %.0f steps against %.0f for "
           "mu = 1000", worst, batch_stat(&l200, M - 1, SD_ODE_NACCEPT), batch_stat(&l1, M - 1, SD_ODE_NACCEPT));
        batch_free(&l1);
        batch_free(&l200);
    }
    batch_free(&one);
    batch_free(&three);
    batch_free(&c1);
    batch_free(&c20);
    batch_free(&c200);
}

/* ---- failures ---- */
static void failures(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    const double z = 0.0, one = 1.0;
    batch b;
    batch_init(&b, &sq, method, 3, &z, NULL, NULL, 1e-6, 1e-6);
    b.param[SD_IMP_P_FIRST_STEP] = 1e-3;
    const double t[2] = {1.0, 2.0};
    batch_run(&b, t, 2, 1);
    ok(batch_stat(&b, 1, SD_ODE_STATUS) == SD_ODE_FAIL_SINGULAR && batch_stat(&b, 1, SD_ODE_NLU) == 5 &&
           batch_y(&b, 1, 0) == 0.0 && batch_stat(&b, 1, SD_ODE_T) == 0.0 && batch_stat(&b, 1, SD_ODE_NACCEPT) == 0,
       "%s: an iteration matrix that never factors: FAIL_SINGULAR after 5 tries (got status %g, %g LUs), y and t "
       "kept at the last good state",
       mn, batch_stat(&b, 1, SD_ODE_STATUS), batch_stat(&b, 1, SD_ODE_NLU));
    batch_free(&b);
    batch_init(&b, &nansys, method, 2, &one, NULL, NULL, 1e-6, 1e-6);
    b.param[SD_IMP_P_FIRST_STEP] = 1e-2;
    batch_run(&b, t, 2, 1);
    ok(batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_FAIL_NEWTON && batch_stat(&b, 0, SD_ODE_NSTIFF) == 10 &&
           batch_y(&b, 0, 0) == 1.0 && batch_stat(&b, 0, SD_ODE_T) == 0.0,
       "%s: f not finite past t = 0: FAIL_NEWTON after 10 Newton failures in a row (got status %g, %g failures)", mn,
       batch_stat(&b, 0, SD_ODE_STATUS), batch_stat(&b, 0, SD_ODE_NSTIFF));
    batch_free(&b);
    /* the same without first_step: f is NaN at the initial-step estimate's probe (t = h0 > 0), whose
       NaN step must not reach the iteration matrix (radau5: FAIL_SINGULAR) or the step test (bdf: FAIL_STEP) */
    batch_init(&b, &nansys, method, 1, &one, NULL, NULL, 1e-6, 1e-6);
    batch_run(&b, t, 1, 1);
    ok(batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_FAIL_NEWTON && batch_stat(&b, 0, SD_ODE_NLU) < 15 &&
           batch_stat(&b, 0, SD_ODE_H) < 1e-4 && batch_y(&b, 0, 0) == 1.0,
       "%s: f NaN at the initial-step probe: the probe's step, then FAIL_NEWTON (got status %g, %g LUs, h %g)", mn,
       batch_stat(&b, 0, SD_ODE_STATUS), batch_stat(&b, 0, SD_ODE_NLU), batch_stat(&b, 0, SD_ODE_H));
    batch_free(&b);
    /* a non-finite initial state: FAIL_NONFINITE at once, nothing evaluated */
    const double bad[2] = {NAN, 0.0};
    batch_init(&b, &vdp, method, 1, bad, NULL, NULL, 1e-6, 1e-6);
    batch_run(&b, t, 1, 1);
    ok(batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_FAIL_NONFINITE && batch_stat(&b, 0, SD_ODE_NFEV) == 0,
       "%s: a NaN initial state: FAIL_NONFINITE, no evaluation", mn);
    batch_free(&b);
    /* max_steps per interval */
    const double y0[2] = {2.0, 0.0};
    batch_init(&b, &vdp, method, 1, y0, NULL, NULL, 1e-6, 1e-6);
    b.param[SD_IMP_P_MAX_STEPS] = 20;
    const double t3[1] = {3000.0};
    batch_run(&b, t3, 1, 1);
    ok(batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_FAIL_MAXSTEPS && batch_stat(&b, 0, SD_ODE_T) < 3000.0,
       "%s: more than max_steps = 20 steps in an interval: FAIL_MAXSTEPS at t = %g", mn, batch_stat(&b, 0, SD_ODE_T));
    batch_free(&b);
}

/* The first iteration matrix exactly singular (lam chosen for the first step h0): one retry with
 * h0 / 2, then the run goes on and is accurate. */
static void singular_once(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    double h0 = 0.125, lam = 0.0;
    for (int k = 0; k < 64; k++, h0 *= 0.93) {
        if (method == 'r') { /* E1 = u1/h - lam */
            lam = RADAU_U1 / h0;
            break;
        }
        const double c = h0 / bdf_alpha(1); /* I - c lam */
        lam = 1.0 / c;
        if (1.0 - c * lam == 0.0) break;
    }
    const sd_ode_system s = {.name = "lin1", .n = 1, .f = lin1_f, .jac = lin1_jac, .ctx = &lam};
    const double y0 = 1.0, t[1] = {0.2};
    batch b;
    batch_init(&b, &s, method, 1, &y0, NULL, NULL, 1e-8, 1e-8);
    b.param[SD_IMP_P_FIRST_STEP] = h0;
    batch_run(&b, t, 1, 1);
    const double ex = exp(lam * 0.2), err = fabs(b.y[0] - ex) / (1e-8 + 1e-8 * ex);
    /* bdf's global error on a growing solution (e^2.2 here) runs larger, as SciPy's */
    ok(batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_OK && batch_stat(&b, 0, SD_ODE_NLU) >= 2 &&
           err < (method == 'r' ? 10.0 : 100.0),
       "%s: y' = %.4g y with the first iteration matrix singular: retried with h/2, status OK, %g LUs, scaled "
       "error %.3g at t = 0.2",
       mn, lam, batch_stat(&b, 0, SD_ODE_NLU), err);
    batch_free(&b);
}

/* lu_math.h alone: solves of a random real and complex system with small residuals, a singular
 * matrix reported at its column, a non-finite pivot refused; at lane stride 1 and 8. */
static void lu_unit(void)
{
    enum { n = 7 };
    for (int ls = 1; ls <= 8; ls += 7) {
        double Ar[n * n], Ai[n * n], F[n * n * 8], Fi[n * n * 8], piv[n * 8], x[n * 8], xi[n * 8];
        uint64_t r = 12345;
        for (int k = 0; k < n * n; k++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            Ar[k] = (double)(r >> 11) * 0x1p-53 - 0.5 + (k % (n + 1) == 0 ? 2.0 : 0.0);
            Ai[k] = 0.3 * Ar[k] - 0.1;
        }
        for (int k = 0; k < n * n; k++) F[k * ls] = Ar[k];
        for (int i = 0; i < n; i++) x[i * ls] = i + 1.0;
        ok(sd_lu_factor(n, F, piv, ls) == 0, "lu (stride %d): a well-conditioned 7 x 7 matrix factors", ls);
        sd_lu_solve(n, F, piv, x, ls);
        double res = 0.0;
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) sum += Ar[i * n + j] * x[j * ls];
            res = fmax(res, fabs(sum - (i + 1.0)));
        }
        ok(res < 1e-13, "lu (stride %d): real solve, residual %.2g", ls, res);
        for (int k = 0; k < n * n; k++) F[k * ls] = Ar[k], Fi[k * ls] = Ai[k];
        for (int i = 0; i < n; i++) x[i * ls] = i + 1.0, xi[i * ls] = 1.0 - i;
        ok(sd_luc_factor(n, F, Fi, piv, ls) == 0, "lu (stride %d): the complex matrix factors", ls);
        sd_luc_solve(n, F, Fi, piv, x, xi, ls);
        res = 0.0;
        for (int i = 0; i < n; i++) {
            double sr = 0.0, si = 0.0;
            for (int j = 0; j < n; j++) {
                sr += Ar[i * n + j] * x[j * ls] - Ai[i * n + j] * xi[j * ls];
                si += Ar[i * n + j] * xi[j * ls] + Ai[i * n + j] * x[j * ls];
            }
            res = fmax(res, fmax(fabs(sr - (i + 1.0)), fabs(si - (1.0 - i))));
        }
        ok(res < 1e-13, "lu (stride %d): complex solve, residual %.2g", ls, res);
        /* row 3 = row 1 + row 2 - ... : rank 2, the third pivot is exactly zero */
        const double rows[9] = {2, 1, 1, 4, 3, 3, 2, 2, 2};
        for (int k = 0; k < 9; k++) F[k * ls] = rows[k];
        ok(sd_lu_factor(3, F, piv, ls) == 3, "lu (stride %d): a singular matrix is reported at its column 3", ls);
    }
    double Z[1] = {1.0 / 0.0}, Zi[1] = {0.0}, p1[1];
    ok(sd_lu_factor(1, Z, p1, 1) == 1 && sd_luc_factor(1, Z, Zi, p1, 1) == 1, "lu: an infinite pivot is refused");
}

/* What a CUDA thread does (implicit_cuda.cuh), on the host: the state machine on the fields in
 * place (component stride M), requests served by the built-in's single-system functions. It must
 * give the lane groups' bits: the CUDA kernels run this same code. */
static void thread_emulation(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    enum { M = 13, NT = 12 };
    double mu[M], times[NT];
    for (int i = 0; i < M; i++) mu[i] = 50.0 + 80.0 * i;
    for (int k = 0; k < NT; k++) times[k] = 25.0 * (k + 1);
    const double y0[2] = {2.0, 0.0};
    batch lanes, thr;
    batch_init(&lanes, &vdp, method, M, y0, mu, NULL, 1e-7, 1e-7);
    batch_init(&thr, &vdp, method, M, y0, mu, NULL, 1e-7, 1e-7);
    batch_run(&lanes, times, NT, 2);
    const int n = 2;
    for (int k = 0; k < NT; k++) {
        sd_imp_opts o = {.n = n, .np = 1, .rtol = 1e-7, .atol = 1e-7, .first_step = 0, .max_step = 0,
                         .max_steps = 100000, .max_order = 5, .land = method == 'r', .tend = times[k]};
        for (int i = 0; i < M; i++) {
            const sd_imp_view v = {.w = thr.w + i, .ws = M, .y = thr.y + i, .ys = M, .st = thr.st + i, .ss = M,
                                   .p = thr.p + i, .ps = M, .atol = NULL, .as = M};
            if (v.st[SD_ODE_STATUS * M] != 0.0) continue;
            if (method == 'r') radau_begin(&v);
            else bdf_begin(&v);
            for (;;) {
                const int r = method == 'r' ? radau_resume(&v, &o) : bdf_resume(&v, &o);
                if (r == SD_IMP_DONE) break;
                const int evt = method == 'r' ? RW_EV_T : BW_EV_T;
                const int evy = method == 'r' ? radau_vec(n, RV_EVY) : bdf_vec(n, BV_EVY);
                const int evf = method == 'r' ? radau_vec(n, RV_EVF) : bdf_vec(n, BV_EVF);
                const int jac = method == 'r' ? radau_mat(n, RM_JAC) : bdf_mat(n, BM_JAC);
                const double t = SD_IMP_W(&v, evt);
                if (r == SD_IMP_NEED_F) sd_ode_builtin_f(SD_ODE_VDP, t, &SD_IMP_W(&v, evy), M, v.p, M, &SD_IMP_W(&v, evf), M);
                else sd_ode_builtin_jac(SD_ODE_VDP, t, &SD_IMP_W(&v, evy), M, v.p, M, &SD_IMP_W(&v, jac), M);
            }
        }
    }
    ok(same(lanes.y, thr.y, 2 * M) && same(lanes.st, thr.st, (size_t)SD_ODE_NSTATS * M) &&
           same(lanes.w, thr.w, (size_t)lanes.K * M),
       "%s: one system per thread on the fields in place (the CUDA kernels' code path, run on the host) equals "
       "the lane groups bitwise: y, stats, work", mn);
    batch_free(&lanes);
    batch_free(&thr);
}

/* y' = lam y driven through radau_resume alone, f NaN wherever the second error estimate probes
 * (f(x, y + ECONT) after a first or rejected step with err >= 1): such a step must be rejected,
 * never accepted on a NaN estimate floored to 1e-10. Returns the status; *h1: the first accepted
 * step (0: none), *y: the final state, *probes: the NaN probes served. */
static int radau_nan_probe(double lam, double first_step, double *h1, double *y, int *probes)
{
    enum { N = 1 };
    double w[RW_NSCALAR + RV_NVEC * N + RM_NMAT * N * N] = {0}, st[SD_ODE_NSTATS] = {0};
    *y = 1.0;
    *h1 = 0.0;
    *probes = 0;
    const sd_imp_view v = {.w = w, .ws = 1, .y = y, .ys = 1, .st = st, .ss = 1};
    const sd_imp_opts o = {.n = N, .rtol = 1e-6, .atol = 1e-6, .first_step = first_step, .max_steps = 100000,
                           .tend = 1.0};
    radau_begin(&v);
    for (;;) {
        const int r = radau_resume(&v, &o);
        if (*h1 == 0.0 && st[SD_ODE_NACCEPT] > 0.0) *h1 = SD_IMP_W(&v, RW_HOLD);
        if (r == SD_IMP_DONE) break;
        if (r == SD_IMP_NEED_JAC) { SD_IMP_W(&v, radau_mat(N, RM_JAC)) = lam; continue; }
        const int probe = (int)SD_IMP_W(&v, RW_PHASE) == RP_GOT_ERRF;
        *probes += probe;
        SD_IMP_W(&v, radau_vec(N, RV_EVF)) = probe ? NAN : lam * SD_IMP_W(&v, radau_vec(N, RV_EVY));
    }
    return (int)st[SD_ODE_STATUS];
}

static void radau_nonfinite_error(void)
{
    double h1, y;
    int probes;
    int s = radau_nan_probe(1.0, 0.5, &h1, &y, &probes);
    ok(s == SD_ODE_OK && probes > 0 && h1 > 0.0 && h1 < 0.5 && fabs(y - exp(1.0)) < 1e-4,
       "radau5: a NaN f at the second error estimate's probe rejects the step (status %d, %d probes, first "
       "accepted h %g < 0.5, y(1) %.8f = e)", s, probes, h1, y);
    s = radau_nan_probe(1e6, 0.5, &h1, &y, &probes);
    ok(s == SD_ODE_FAIL_NONFINITE && h1 == 0.0 && y == 1.0,
       "radau5: the error estimate non-finite at every retry -> FAIL_NONFINITE at the last good state "
       "(status %d, %d probes, y %g)", s, probes, y);
    double w[RW_NSCALAR + RV_NVEC + RM_NMAT] = {0};
    const sd_imp_view v = {.w = w, .ws = 1};
    SD_IMP_W(&v, radau_mat(1, RM_E1)) = 1.0;
    SD_IMP_W(&v, radau_vec(1, RV_SCAL)) = 1.0;
    SD_IMP_W(&v, radau_vec(1, RV_EVF)) = INFINITY;
    const double e_inf = radau_error2(&v, 1);
    SD_IMP_W(&v, radau_vec(1, RV_EVF)) = 0.0;
    const double e_small = radau_error2(&v, 1);
    ok(!isfinite(e_inf) && e_small == 1e-10 && !isfinite(radau_err_floor(NAN)),
       "radau5: error norms: f = Inf at the probe -> %g, 0 -> floored to %g, NaN not floored", e_inf, e_small);
}

/* ode.bdf's validate hook: a fractional max_order is refused, not truncated. */
static void bdf_max_order_validate(void)
{
    sd_register_builtin_codelets();
    const sd_codelet *c = sd_codelet_find("ode.bdf");
    if (!ok(c && c->validate, "ode.bdf is registered with a validate hook")) return;
    double prm[6] = {1e-6, 1e-6, 0, 0, 100000, 2.5};
    sd_check_info info = {.param = prm, .system = &vdp};
    char msg[256] = "";
    ok(c->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "max_order = 2.5 is not an integer"),
       "ode.bdf: max_order 2.5 refused (%s)", msg);
    prm[5] = 3;
    msg[0] = 0;
    ok(c->validate(&info, msg, sizeof msg) == 0, "ode.bdf: max_order 3 accepted %s", msg);
}

/* max_step is honoured, and a system whose solver op binds no p uses the system's defaults. */
static void options(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    const double y0[2] = {2.0, 0.0};
    batch b;
    batch_init(&b, &vdpe, method, 1, y0, NULL, NULL, 1e-6, 1e-6);
    b.param[SD_IMP_P_MAX_STEP] = 0.01;
    const double t[1] = {0.5};
    batch_run(&b, t, 1, 1);
    ok(batch_stat(&b, 0, SD_ODE_NACCEPT) >= 50, "%s: max_step 0.01 over [0, 0.5]: %g steps (>= 50)", mn,
       batch_stat(&b, 0, SD_ODE_NACCEPT));
    batch_free(&b);
}

/* Landing with steps that add up to an interval's end only up to rounding: y' = -y over intervals
 * of 1 with max_step 0.1 or 0.05 (ten steps of 0.1 end at 0.9999999999999999) and 0.3: no sliver
 * of a last step (which would fail FAIL_STEP), every interval ends on its end, y = e^-t within the
 * tolerance's reach; and after a short cut step (intervals of 1, then 1e-3, then 1) the step
 * size is kept, not restarted from the cut step's. */
static void radau_landing_edges(void)
{
    enum { N = 1 };
    static const double maxs[3] = {0.1, 0.05, 0.3};
    for (int m = 0; m < 4; m++) {
        double w[RW_NSCALAR + RV_NVEC * N + RM_NMAT * N * N] = {0}, st[SD_ODE_NSTATS] = {0}, y = 1.0;
        const sd_imp_view v = {.w = w, .ws = 1, .y = &y, .ys = 1, .st = st, .ss = 1};
        static const double ends[4][4] = {{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}, {1, 1.001, 2.001, 3.001}};
        int on_end = 1, k;
        double steps_short = 0.0;
        for (k = 0; k < 4 && st[SD_ODE_STATUS] == 0.0; k++) {
            const sd_imp_opts o = {.n = N, .rtol = 1e-2, .atol = 1e-2, .max_step = m < 3 ? maxs[m] : 0.0,
                                   .max_steps = 100000, .land = 1, .tend = ends[m][k]};
            radau_begin(&v);
            const double before = st[SD_ODE_NACCEPT];
            for (;;) {
                const int r = radau_resume(&v, &o);
                if (r == SD_IMP_DONE) break;
                if (r == SD_IMP_NEED_JAC) SD_IMP_W(&v, radau_mat(N, RM_JAC)) = -1.0;
                else SD_IMP_W(&v, radau_vec(N, RV_EVF)) = -SD_IMP_W(&v, radau_vec(N, RV_EVY));
            }
            on_end &= SD_IMP_W(&v, RW_X) == ends[m][k] && st[SD_ODE_T] == ends[m][k];
            if (m == 3 && k == 2) steps_short = st[SD_ODE_NACCEPT] - before; /* the interval after the short one */
        }
        const double t = ends[m][3], e = fabs(y - exp(-t)) / (1e-2 + 1e-2 * exp(-t));
        if (m < 3)
            ok(k == 4 && st[SD_ODE_STATUS] == 0.0 && on_end && e < 2.0,
               "radau5 landing, y' = -y, max_step %g, 4 intervals of 1: status %g, every end landed on, error %.3g "
               "tolerances", maxs[m], st[SD_ODE_STATUS], e);
        else
            ok(k == 4 && st[SD_ODE_STATUS] == 0.0 && on_end && steps_short <= 2.0,
               "radau5 landing after a 1e-3 interval: the next interval of 1 takes %.0f step(s) (the step size "
               "kept across the short cut), status %g", steps_short, st[SD_ODE_STATUS]);
    }
}

int main(void)
{
    ref R[4];
    const int nr = load_refs(R, 4);
    const ref *re = NULL, *rm = NULL, *rr = NULL;
    for (int k = 0; k < nr; k++) {
        if (!strcmp(R[k].name, "vdp_eps")) re = &R[k];
        if (!strcmp(R[k].name, "vdp_mu")) rm = &R[k];
        if (!strcmp(R[k].name, "robertson")) rr = &R[k];
    }
    if (!re || !rm || !rr) { printf("Bail out! ref_implicit.txt lacks a problem\n"); return 1; }
    lu_unit();
    radau_nonfinite_error();
    radau_landing_edges();
    bdf_max_order_validate();
    const double vy0[2] = {2.0, 0.0}, ry0[3] = {1.0, 0.0, 0.0};
    const double am_v[2] = {1.0, 1.0}, am_r[3] = {1e-6, 1e-10, 1e-6};
    for (int m = 0; m < 2; m++) {
        const char method = m ? 'b' : 'r';
        accuracy(re, &vdpe, vy0, am_v, method);
        accuracy(rm, &vdp, vy0, am_v, method);
        accuracy(rr, &rob, ry0, am_r, method);
        independence(method);
        failures(method);
        singular_once(method);
        thread_emulation(method);
        options(method);
    }
    return tap_done();
}
