/* erk_math.h - the explicit Runge-Kutta pairs of Dormand & Prince, their dense output, error
 * norms, step-size control, first step and stiffness test, as single-system SD_HD functions: the
 * CPU lane loops (erk_lanes.c) call them once per lane, a CUDA thread (erk_cuda.cuh) once per
 * system. No loop over systems and no memory of its own here: operands come by pointer and stride.
 *
 * Methods (Hairer, Norsett & Wanner, Solving ODEs I, 2nd ed., sec. II.4-II.6):
 *  - DOPRI5: the 5(4) pair of Dormand & Prince (1980), 7 stages with FSAL, dense output of order 4
 *    (the DOPRI5 code's CONTD5 coefficients, Hairer's d1..d7).
 *  - DOP853: the 8(5,3) pair of Prince & Dormand (1981) as in Hairer's DOP853 code: 12 stages plus
 *    the FSAL stage, error estimated from the 5th- and 3rd-order embedded solutions, dense output of
 *    order 7 from 3 extra stages (CONTD8). Its coefficients are the published decimal values the
 *    code uses, here as the nearest doubles.
 * A step from (t, y) with step h: K_i = f(t + c_i h, y + h sum_{j<i} a_ij K_j) for i < s-1, the new
 * solution y1 = y + h sum_j a_{s-1,j} K_j (row s-1 holds the weights b), K_{s-1} = f(t + h, y1) (the
 * FSAL stage: the next step's K_0). */
#ifndef SD_ODE_ERK_MATH_H
#define SD_ODE_ERK_MATH_H
#include <math.h>
#include <stdint.h>
#include "stardag/kernel.h"
#include "ode_pow.h" /* sd_ode_pow: every power here, bitwise the same on CPU and CUDA */

#define ERK_MAXS 16 /* stages, with the dense-output extras */
#define ERK_MAXC 8  /* dense-output coefficients per component */

typedef struct erk_tableau {
    int order;     /* of the propagated solution: the exponent of the first-step guess */
    int s;         /* stages of a step, the FSAL stage included */
    int sx;        /* stages with the dense-output extras (stages s .. sx-1) */
    int nd;        /* dense coefficients from stage sums (d rows): ncont = 4 + nd */
    int err3;      /* 1: DOP853's combined 5th/3rd-order error norm; 0: DOPRI5's */
    double c[ERK_MAXS];
    double a[ERK_MAXS][ERK_MAXS];
    double e[ERK_MAXS];  /* error weights over the s stages (DOP853: the 5th-order estimate) */
    double e3[ERK_MAXS]; /* DOP853: the 3rd-order estimate */
    double d[ERK_MAXC - 4][ERK_MAXS];
    /* step-size control (Hairer's codes): hnew = h / max(1/fac2, min(1/fac1, err^expo1 /
       facold^beta / safe)); expo1 = 1/order - 0.75 beta (DOPRI5), 1/8 - 0.2 beta (DOP853) */
    double expo1, beta, fac1, fac2, safe;
    double stiff_limit; /* Hairer's stiffness test: |h| * lambda above this counts */
} erk_tableau;

/* Dormand-Prince 5(4), Hairer's DOPRI5 (with Lund stabilisation beta = 0.04). */
#define ERK_DOPRI5_TABLEAU                                                                            \
    {                                                                                                 \
        .order = 5, .s = 7, .sx = 7, .nd = 1, .err3 = 0,                                              \
        .c = {0.0, 0.2, 0.3, 0.8, 8.0 / 9.0, 1.0, 1.0},                                              \
        .a = {{0.0},                                                                                  \
              {0.2},                                                                                  \
              {3.0 / 40.0, 9.0 / 40.0},                                                               \
              {44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0},                                                \
              {19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0},                 \
              {9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0},    \
              {35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0}},     \
        .e = {71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0,  \
              -1.0 / 40.0},                                                                           \
        .d = {{-12715105075.0 / 11282082432.0, 0.0, 87487479700.0 / 32700410799.0,                    \
               -10690763975.0 / 1880347072.0, 701980252875.0 / 199316789632.0,                         \
               -1453857185.0 / 822651844.0, 69997945.0 / 29380423.0}},                                 \
        .expo1 = 0.2 - 0.04 * 0.75, .beta = 0.04, .fac1 = 0.2, .fac2 = 10.0, .safe = 0.9,            \
        .stiff_limit = 3.25                                                                           \
    }

/* Dormand-Prince 8(5,3), Hairer's DOP853 (no stabilisation: beta = 0). */
#define ERK_DOP853_TABLEAU                                                                            \
    {                                                                                                 \
        .order = 8, .s = 13, .sx = 16, .nd = 4, .err3 = 1,                                            \
        .c = {0.0, 0.05260015195876773, 0.0789002279381516, 0.1183503419072274, 0.2816496580927726,            \
            0.3333333333333333, 0.25, 0.3076923076923077, 0.6512820512820513, 0.6, 0.8571428571428571,         \
            1.0, 1.0, 0.1, 0.2, 0.7777777777777778},                                                           \
        .a = { \
            {0.0}, \
            {0.05260015195876773}, \
            {0.0197250569845379, 0.0591751709536137}, \
            {0.02958758547680685, 0.0, 0.08876275643042054}, \
            {0.2413651341592667, 0.0, -0.8845494793282861, 0.924834003261792}, \
            {0.037037037037037035, 0.0, 0.0, 0.17082860872947386, 0.12546768756682242}, \
            {0.037109375, 0.0, 0.0, 0.17025221101954405, 0.06021653898045596, -0.017578125}, \
            {0.03709200011850479, 0.0, 0.0, 0.17038392571223998, 0.10726203044637328,                          \
                -0.015319437748624402, 0.008273789163814023},                                                  \
            {0.6241109587160757, 0.0, 0.0, -3.3608926294469414, -0.868219346841726,                            \
                27.59209969944671, 20.154067550477894, -43.48988418106996},                                    \
            {0.47766253643826434, 0.0, 0.0, -2.4881146199716677, -0.590290826836843,                           \
                21.230051448181193, 15.279233632882423, -33.28821096898486, -0.020331201708508627},            \
            {-0.9371424300859873, 0.0, 0.0, 5.186372428844064, 1.0914373489967295,                             \
                -8.149787010746927, -18.52006565999696, 22.739487099350505, 2.4936055526796523,                \
                -3.0467644718982196},                                                                          \
            {2.273310147516538, 0.0, 0.0, -10.53449546673725, -2.0008720582248625,                             \
                -17.9589318631188, 27.94888452941996, -2.8589982771350235, -8.87285693353063,                  \
                12.360567175794303, 0.6433927460157636},                                                       \
            {0.054293734116568765, 0.0, 0.0, 0.0, 0.0, 4.450312892752409, 1.8915178993145003,                  \
                -5.801203960010585, 0.3111643669578199, -0.1521609496625161, 0.20136540080403034,              \
                0.04471061572777259},                                                                          \
            {0.056167502283047954, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25350021021662483,                               \
                -0.2462390374708025, -0.12419142326381637, 0.15329179827876568, 0.00820105229563469,           \
                0.007567897660545699, -0.008298},                                                              \
            {0.03183464816350214, 0.0, 0.0, 0.0, 0.0, 0.028300909672366776, 0.053541988307438566,              \
                -0.05492374857139099, 0.0, 0.0, -0.00010834732869724932, 0.0003825710908356584,                \
                -0.00034046500868740456, 0.1413124436746325},                                                  \
            {-0.42889630158379194, 0.0, 0.0, 0.0, 0.0, -4.697621415361164, 7.683421196062599,                  \
                4.06898981839711, 0.3567271874552811, 0.0, 0.0, 0.0, -0.0013990241651590145,                   \
                2.9475147891527724, -9.15095847217987},                                                        \
        }, \
        .e = {0.01312004499419488, 0.0, 0.0, 0.0, 0.0, -1.2251564463762044, -0.4957589496572502,               \
            1.6643771824549864, -0.35032884874997366, 0.3341791187130175, 0.08192320648511571,                 \
            -0.022355307863886294, 0.0},                                                                       \
        .e3 = {-0.18980075407240762, 0.0, 0.0, 0.0, 0.0, 4.450312892752409, 1.8915178993145003,                \
            -5.801203960010585, -0.4226823213237919, -0.1521609496625161, 0.20136540080403034,                 \
            0.02265179219836082, 0.0},                                                                         \
        .d = { \
            {-8.428938276109013, 0.0, 0.0, 0.0, 0.0, 0.5667149535193777, -3.0689499459498917,                  \
                2.38466765651207, 2.117034582445028, -0.871391583777973, 2.2404374302607883,                   \
                0.6315787787694688, -0.08899033645133331, 18.148505520854727, -9.194632392478356,              \
                -4.436036387594894},                                                                           \
            {10.427508642579134, 0.0, 0.0, 0.0, 0.0, 242.28349177525817, 165.20045171727028,                   \
                -374.5467547226902, -22.113666853125306, 7.733432668472264, -30.674084731089398,               \
                -9.332130526430229, 15.697238121770845, -31.139403219565178, -9.35292435884448,                \
                35.81684148639408},                                                                            \
            {19.985053242002433, 0.0, 0.0, 0.0, 0.0, -387.0373087493518, -189.17813819516758,                  \
                527.8081592054236, -11.57390253995963, 6.8812326946963, -1.0006050966910838,                   \
                0.7777137798053443, -2.778205752353508, -60.19669523126412, 84.32040550667716,                 \
                11.99229113618279},                                                                            \
            {-25.69393346270375, 0.0, 0.0, 0.0, 0.0, -154.18974869023643, -231.5293791760455,                  \
                357.6391179106141, 93.40532418362432, -37.45832313645163, 104.0996495089623,                   \
                29.8402934266605, -43.53345659001114, 96.32455395918828, -39.17726167561544,                   \
                -149.72683625798564},                                                                          \
        }, \
        .expo1 = 0.125, .beta = 0.0, .fac1 = 0.333, .fac2 = 6.0, .safe = 0.9, .stiff_limit = 6.1       \
    }

/* ---- one component of one system ------------------------------------------------------------ */

/* Comparisons as branches: the operands are finite here, and libm's fmax/fmin are calls. */
SD_HD double erk_max(double a, double b) { return a > b ? a : b; }
SD_HD double erk_min(double a, double b) { return a < b ? a : b; }

/* One term of a weighted stage sum. The CPU lane loops build their sums from it term by term in
 * the order erk_wsum uses (stage order, exact-zero weights skipped), so a lane's sum is bitwise
 * erk_wsum's. */
SD_HD double erk_madd(double s, double w, double k) { return s + w * k; }

/* sum_{j<m} w_j K_j for stage values K_j at k[j*ks]; exact-zero weights are skipped (the sparse
 * DOP853 rows), the sum runs in stage order from 0. */
SD_HD double erk_wsum(const double *w, int m, const double *k, int64_t ks)
{
    double s = 0.0;
    for (int j = 0; j < m; j++)
        if (w[j] != 0.0) s = erk_madd(s, w[j], k[j * ks]);
    return s;
}

/* A stage argument from its weighted sum: y + h sum. */
SD_HD double erk_stage_from_sum(double y, double h, double sum) { return y + h * sum; }

/* The argument of stage i (i = s-1: the new solution y1). */
SD_HD double erk_stage_arg(const erk_tableau *T, int i, double y, double h, const double *k, int64_t ks)
{
    return erk_stage_from_sum(y, h, erk_wsum(T->a[i], i, k, ks));
}

/* The error scale sk of a component: atol + rtol max(|y0|, |y1|). */
SD_HD double erk_scale(double atol, double rtol, double y0, double y1)
{
    return atol + rtol * erk_max(fabs(y0), fabs(y1));
}

/* A component's squared scaled error terms: DOPRI5 (h sum e_j K_j / sk)^2 into *s5; DOP853
 * (sum e5_j K_j / sk)^2 into *s5 and (sum e3_j K_j / sk)^2 into *s3. */
SD_HD void erk_err_add(const erk_tableau *T, double h, double sk, double sum5, double sum3, double *s5, double *s3)
{
    if (T->err3) {
        const double e5 = sum5 / sk, e3 = sum3 / sk;
        *s5 = *s5 + e5 * e5;
        *s3 = *s3 + e3 * e3;
    } else {
        const double e = h * sum5 / sk;
        *s5 = *s5 + e * e;
    }
}
/* The same from the stage values (sum5 = sum e_j K_j, sum3 = sum e3_j K_j). */
SD_HD void erk_err_terms(const erk_tableau *T, double h, double sk, const double *k, int64_t ks, double *s5,
                         double *s3)
{
    erk_err_add(T, h, sk, erk_wsum(T->e, T->s, k, ks), T->err3 ? erk_wsum(T->e3, T->s, k, ks) : 0.0, s5, s3);
}

/* The error norm of the step from the sums over the n components (<= 1: accept).
 * DOPRI5: sqrt(s5 / n). DOP853: |h| s5 / sqrt(n (s5 + 0.01 s3)) (1 when both sums vanish). */
SD_HD double erk_err_norm(const erk_tableau *T, double h, int n, double s5, double s3)
{
    if (!T->err3) return sqrt(s5 / n);
    double deno = s5 + 0.01 * s3;
    if (deno <= 0.0) deno = 1.0;
    return fabs(h) * s5 * sqrt(1.0 / (n * deno));
}

/* ---- step-size control (per system) --------------------------------------------------------- */

typedef struct erk_control {
    double h;      /* the step just tried */
    double hmax;   /* |h| limit (> 0) */
    double facold; /* the error of the last accepted step (>= 1e-4), Lund's memory */
    int reject;    /* the previous attempt was rejected: an accepted step may not grow h */
} erk_control;

/* After an accepted step of error err: the next step size; updates facold and reject. pw_err =
 * sd_ode_pow(err, expo1) and pw_facold = sd_ode_pow(facold, beta) (unused when beta = 0) are
 * given: the CPU lanes compute them for a whole group at once (ode_pow_lanes.c, the same bits). */
SD_HD double erk_next_h_accept_pw(const erk_tableau *T, erk_control *c, double err, double pw_err, double pw_facold)
{
    const double fac11 = pw_err;
    double fac = T->beta != 0.0 ? fac11 / pw_facold : fac11;
    fac = erk_max(1.0 / T->fac2, erk_min(1.0 / T->fac1, fac / T->safe));
    double hnew = c->h / fac;
    c->facold = erk_max(err, 1.0e-4);
    if (fabs(hnew) > c->hmax) hnew = copysign(c->hmax, hnew);
    if (c->reject) hnew = copysign(erk_min(fabs(hnew), fabs(c->h)), hnew);
    c->reject = 0;
    return hnew;
}
SD_HD double erk_next_h_accept(const erk_tableau *T, erk_control *c, double err)
{
    const double pw_facold = T->beta != 0.0 ? sd_ode_pow(c->facold, T->beta) : 1.0;
    return erk_next_h_accept_pw(T, c, err, sd_ode_pow(err, T->expo1), pw_facold);
}

/* After a rejected step of error err (> 1): the step to retry with (pw_err as above). */
SD_HD double erk_next_h_reject_pw(const erk_tableau *T, erk_control *c, double pw_err)
{
    const double fac11 = pw_err;
    c->reject = 1;
    return c->h / erk_min(1.0 / T->fac1, fac11 / T->safe);
}
SD_HD double erk_next_h_reject(const erk_tableau *T, erk_control *c, double err)
{
    return erk_next_h_reject_pw(T, c, sd_ode_pow(err, T->expo1));
}

/* ---- first step (Hairer's HINIT) ---------------------------------------------------------------
 * Per component (CPU lanes and CUDA threads alike): the sums of (f0/sk)^2 (dnf) and (y0/sk)^2
 * (dny), sk = atol + rtol |y0| ... */
SD_HD void erk_hinit_add(double atol, double rtol, double y0, double f0, double *dnf, double *dny)
{
    const double sk = erk_scale(atol, rtol, y0, y0), fs = f0 / sk, ys = y0 / sk;
    *dnf = *dnf + fs * fs;
    *dny = *dny + ys * ys;
}
/* ... from them the trial step h0 (NaN stays NaN: never hidden by the max_step clamp) ... */
SD_HD double erk_hinit_probe(double dnf, double dny, double hmax)
{
    const double h = (dnf <= 1.0e-10 || dny <= 1.0e-10) ? 1.0e-6 : sqrt(dny / dnf) * 0.01;
    return h > hmax ? hmax : h;
}
/* ... the explicit Euler probe's argument y0 + h0 f0 ... */
SD_HD double erk_hinit_arg(double y0, double h0, double f0) { return y0 + h0 * f0; }
/* ... the sum of ((f1 - f0)/sk)^2 over the probe's f1 (d2) ... */
SD_HD void erk_hinit_add2(double atol, double rtol, double y0, double f0, double f1, double *d2)
{
    const double ds = (f1 - f0) / erk_scale(atol, rtol, y0, y0);
    *d2 = *d2 + ds * ds;
}
/* ... and the first step (NaN when a sum is NaN: the caller fails the system). */
SD_HD double erk_hinit_step(const erk_tableau *T, double h0, double d2, double dnf, double hmax)
{
    if (d2 != d2 || dnf != dnf || h0 != h0) return d2 + dnf + h0;
    const double der2 = sqrt(d2) / h0;
    const double der12 = erk_max(fabs(der2), sqrt(dnf));
    const double h1 = der12 <= 1.0e-15 ? erk_max(1.0e-6, h0 * 1.0e-3) : sd_ode_pow(0.01 / der12, 1.0 / T->order);
    return erk_min(erk_min(100.0 * h0, h1), hmax);
}

/* ---- tolerances ----------------------------------------------------------------------------------
 * A component's tolerance is unusable when its atol is negative or not finite, or when its error
 * scale atol + rtol max(|y0|, |y1|) is 0 (or NaN): the error norm would divide by it. 1: unusable
 * (the system fails with SD_ODE_FAIL_TOLERANCE). */
SD_HD int erk_atol_bad(double atol) { return !(atol >= 0.0) || atol - atol != 0.0; }
SD_HD int erk_tol_bad(double atol, double rtol, double y0, double y1)
{
    return erk_atol_bad(atol) || !(erk_scale(atol, rtol, y0, y1) > 0.0);
}
/* Any unusable component of a system (component c at [c*st]); y0 == y1 for the start's scale. */
SD_HD int erk_tol_scan(const double *atol, const double *y0, const double *y1, int64_t st, int n, double rtol)
{
    for (int c = 0; c < n; c++)
        if (erk_tol_bad(atol[c * st], rtol, y0[c * st], y1[c * st])) return 1;
    return 0;
}

/* ---- stiffness detection (Hairer's codes) -------------------------------------------------------
 * Every nstiff accepted steps, and on every accepted step while a run of stiff-looking steps is
 * going on: lambda = |h| sqrt(stnum / stden) with stnum = ||f(t+h, y1) - K_{s-2}||^2 and stden =
 * ||y1 - (the argument of K_{s-2})||^2 (stage s-2 sits at c = 1 too). 15 such steps in a row above
 * stiff_limit (6 below it reset the run) make the problem stiff: returns 1. */
SD_HD void erk_stiff_add(double f1, double fprev, double y1, double yprev, double *stnum, double *stden)
{
    const double df = f1 - fprev, dy = y1 - yprev;
    *stnum = *stnum + df * df;
    *stden = *stden + dy * dy;
}
SD_HD int erk_stiff_update(const erk_tableau *T, double h, double stnum, double stden, double *iasti,
                           double *nonsti)
{
    if (!(stden > 0.0)) return 0;
    const double hlamb = fabs(h) * sqrt(stnum / stden);
    if (hlamb > T->stiff_limit) {
        *nonsti = 0.0;
        *iasti = *iasti + 1.0;
        return *iasti >= 15.0;
    }
    *nonsti = *nonsti + 1.0;
    if (*nonsti >= 6.0) *iasti = 0.0;
    return 0;
}

/* ---- dense output ------------------------------------------------------------------------------
 * Per component 4 + nd coefficients r_0.. of the step [t, t + h] (y0 -> y1, f0 = K_0, f1 = FSAL):
 * r0 = y0, r1 = y1 - y0, r2 = h f0 - r1, r3 = r1 - h f1 - r2, r_{4+q} = h sum_j d_qj K_j (j < sx);
 * y(t + theta h) = r0 + theta (r1 + (1-theta) (r2 + theta (r3 + (1-theta) (r4 + ...)))). */
SD_HD void erk_dense_coef(const erk_tableau *T, double y0, double y1, double h, const double *k, int64_t ks,
                          double *r, int64_t rs)
{
    const double r1 = y1 - y0, r2 = h * k[0] - r1;
    r[0] = y0;
    r[rs] = r1;
    r[2 * rs] = r2;
    r[3 * rs] = r1 - h * k[(T->s - 1) * ks] - r2;
    for (int q = 0; q < T->nd; q++) r[(4 + q) * rs] = h * erk_wsum(T->d[q], T->sx, k, ks);
}

/* theta of time t on the step [xold, xold + hold] */
SD_HD double erk_dense_theta(double t, double xold, double hold) { return (t - xold) / hold; }

SD_HD double erk_dense_eval(const double *r, int64_t rs, int nc, double theta)
{
    const double theta1 = 1.0 - theta;
    double v = r[(nc - 1) * rs];
    for (int j = nc - 2; j >= 0; j--) v = r[j * rs] + ((j & 1) ? theta1 : theta) * v;
    return v;
}

#endif
