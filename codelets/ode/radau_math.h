/* radau_math.h - ode.radau5: the 3-stage Radau IIA method of order 5 as Hairer's RADAU5 (Hairer &
 * Wanner, Solving ODEs II, 2nd ed., sec. IV.8), one system per call, as a resumable state machine
 * (implicit_math.h) shared by the CPU lane loops (radau5.c) and the CUDA threads (radau5.cu).
 *
 * Per step: the stage system in Hairer's transformed variables, solved by simplified Newton with
 * one real LU of (gamma/h I - J) and one complex LU of ((alpha + i beta)/h I - J); convergence
 * control with theta (the contraction estimate), fnewt and at most 7 iterations, the step reduced
 * when the iteration will not converge in time; J and the LUs reused while the step barely changes
 * (theta <= 0.001 and h_new/h in [1, 1.2] keeps both; theta <= 0.001 alone keeps J); the embedded
 * error estimate with the extra solve, and the second one (through one more f) after a rejected or
 * first step; the predictive (Gustafsson) step-size controller; the collocation polynomial both
 * for dense output and for the next step's Newton starting values. Tolerances are transformed as
 * RADAU5 does (rtol' = 0.1 rtol^(2/3), atol' = rtol' atol / rtol).
 * The interval's end: by default the last step ends on it, as RADAU5 called with XEND = each
 * output time does (a step that would pass it, or stop within 1e-4 of it, is cut to it; the next
 * interval starts with HOPT, the step the controller wanted before the cut, from zero Newton
 * start values when that is much longer than the cut step), because the collocation polynomial is of order
 * 3 only: interpolated, y at the end misses a tight rtol by 20-500x. With `interpolate` (o->land =
 * 0) the steps run on and the end is interpolated (cheaper when intervals are much shorter than
 * the steps). */
#ifndef SD_ODE_RADAU_MATH_H
#define SD_ODE_RADAU_MATH_H
#include "implicit_math.h"
#include "lu_math.h"

/* Work layout: scalars, then n-vectors, then n x n matrices. */
enum {
    RW_PHASE = 0, RW_X, RW_H, RW_HOLD, RW_FACCON, RW_THETA, RW_THQOLD, RW_DYNOLD, RW_HACC, RW_ERRACC,
    RW_NEWT, RW_FIRST, RW_REJECT, RW_CALJAC, RW_NEXT, RW_NSING, RW_NFAIL, RW_NSTEP, RW_EV_T, RW_H0,
    RW_ERR, RW_HOPT, RW_NSCALAR
};
enum { RV_Y, RV_F0, RV_SCAL, RV_Z1, RV_Z2, RV_Z3, RV_F1, RV_F2, RV_F3, RV_C1, RV_C2, RV_C3, RV_EF2, RV_ECONT,
       RV_EVY, RV_EVF, RV_PIV1, RV_PIV2, RV_NVEC };
enum { RM_JAC, RM_E1, RM_E2R, RM_E2I, RM_NMAT };

SD_HD int radau_vec(int n, int k) { return RW_NSCALAR + k * n; }
SD_HD int radau_mat(int n, int k) { return RW_NSCALAR + RV_NVEC * n + k * n * n; }
SD_HD int radau_work_ncomp(int n) { return RW_NSCALAR + RV_NVEC * n + RM_NMAT * n * n; }

/* Phases (RW_PHASE); RW_NEXT after an accepted step: what the next step needs first. */
enum { RP_START = 0, RP_INIT_F0, RP_INIT_H, RP_BOUNDARY, RP_GOT_F0, RP_JAC, RP_GOT_JAC, RP_LU, RP_STEP,
       RP_NEWT, RP_GOT_S1, RP_GOT_S2, RP_GOT_S3, RP_ERR, RP_GOT_ERRF, RP_FAILED };

/* Method constants: nodes, error-estimate weights, the transformation T and its inverse with
 * T^-1 A^-1 T = diag(u1, [alpha -beta; beta alpha]) (A the Butcher matrix). */
#define RADAU_C1 0.15505102572168219018027159252941086080340525193433
#define RADAU_C2 0.64494897427831780981972840747058913919659474806567
#define RADAU_DD1 (-10.048809399827415562) /* -(13 + 7 sqrt 6) / 3 */
#define RADAU_DD2 1.3821427331607488958    /* (-13 + 7 sqrt 6) / 3 */
#define RADAU_DD3 (-1.0 / 3.0)
#define RADAU_U1 3.6378342527444957322
#define RADAU_ALPHA 2.6810828736277521339
#define RADAU_BETA 3.0504301992474105694
#define RADAU_T11 9.1232394870892942792e-02
#define RADAU_T12 (-0.14125529502095420843)
#define RADAU_T13 (-3.0029194105147424492e-02)
#define RADAU_T21 0.24171793270710701896
#define RADAU_T22 0.20412935229379993199
#define RADAU_T23 0.38294211275726193779
#define RADAU_T31 0.96604818261509293619
#define RADAU_TI11 4.3255798900631553510
#define RADAU_TI12 0.33919925181580986954
#define RADAU_TI13 0.54177053993587487119
#define RADAU_TI21 (-4.1787185915519047273)
#define RADAU_TI22 (-0.32768282076106238708)
#define RADAU_TI23 0.47662355450055045196
#define RADAU_TI31 (-0.50287263494578687595)
#define RADAU_TI32 2.5719269498556054292
#define RADAU_TI33 (-0.59603920482822492497)
#define RADAU_NIT 7
#define RADAU_UROUND 1e-16
#define RADAU_SAFE 0.9
#define RADAU_FACL 5.0     /* h_new >= h / 5 */
#define RADAU_FACR 0.125   /* h_new <= 8 h */
#define RADAU_THET 0.001   /* theta below which J is kept */
#define RADAU_QUOT1 1.0    /* h_new / h in [QUOT1, QUOT2] with theta <= THET: keep h, J and LUs */
#define RADAU_QUOT2 1.2
#define RADAU_LAND 1.0001  /* a step within 1e-4 of the interval's end is cut to it (no sliver left) */
#define RADAU_EXTRAP 10.0  /* h / h_old beyond it (only after a cut step): zero Newton start values */
#define RADAU_MAX_SING 5   /* singular iteration matrices in a row before FAIL_SINGULAR */
#define RADAU_MAX_NFAIL 10 /* Newton failures in a row before FAIL_NEWTON */

/* The transformed tolerances (RADAU5's) for component i. */
SD_HD double radau_rtol(const sd_imp_opts *o) { return 0.1 * sd_ode_pow(o->rtol, 2.0 / 3.0); }

SD_HD void radau_scal(const sd_imp_view *v, const sd_imp_opts *o)
{
    const int n = o->n;
    const double rt = radau_rtol(o);
    for (int i = 0; i < n; i++) {
        const double at = rt * (sd_imp_atol(v, o, i) / o->rtol);
        const double y = SD_IMP_W(v, radau_vec(n, RV_Y) + i);
        SD_IMP_W(v, radau_vec(n, RV_SCAL) + i) = at + rt * (y < 0 ? -y : y);
    }
}

/* Dense output of the last accepted step [x - hold, x] at time t (s in [-1, 0]). */
SD_HD double radau_dense(const sd_imp_view *v, int n, int i, double s)
{
    const double c0 = SD_IMP_W(v, radau_vec(n, RV_Y) + i), c1 = SD_IMP_W(v, radau_vec(n, RV_C1) + i);
    const double c2 = SD_IMP_W(v, radau_vec(n, RV_C2) + i), c3 = SD_IMP_W(v, radau_vec(n, RV_C3) + i);
    return c0 + s * (c1 + (s - (RADAU_C2 - 1.0)) * (c2 + (s - (RADAU_C1 - 1.0)) * c3));
}

/* E1 = u1/h I - J, E2 = (alpha + i beta)/h I - J, factored. 0, or non-zero when singular. */
SD_HD int radau_decompose(const sd_imp_view *v, int n, double h)
{
    const double fac1 = RADAU_U1 / h, alphn = RADAU_ALPHA / h, betan = RADAU_BETA / h;
    const int J = radau_mat(n, RM_JAC), E1 = radau_mat(n, RM_E1), ER = radau_mat(n, RM_E2R), EI = radau_mat(n, RM_E2I);
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            const int k = r * n + c;
            const double j = SD_IMP_W(v, J + k);
            SD_IMP_W(v, E1 + k) = r == c ? fac1 - j : -j;
            SD_IMP_W(v, ER + k) = r == c ? alphn - j : -j;
            SD_IMP_W(v, EI + k) = r == c ? betan : 0.0;
        }
    const int64_t ws = v->ws;
    const int e1 = sd_lu_factor(n, &SD_IMP_W(v, E1), &SD_IMP_W(v, radau_vec(n, RV_PIV1)), ws);
    if (e1) return e1;
    return sd_luc_factor(n, &SD_IMP_W(v, ER), &SD_IMP_W(v, EI), &SD_IMP_W(v, radau_vec(n, RV_PIV2)), ws);
}

/* Newton starting values: zero on the first step, else the last collocation polynomial
 * extrapolated to the new stages (and their transformed values F = T^-1 Z). */
SD_HD void radau_start_values(const sd_imp_view *v, int n)
{
    const double c3q = SD_IMP_W(v, RW_H) / SD_IMP_W(v, RW_HOLD), c1q = RADAU_C1 * c3q, c2q = RADAU_C2 * c3q;
    /* the step after one cut short to an interval's end may be much longer: extrapolating the cut
     * step's polynomial that far helps nothing, so start from zero as RADAU5's fresh call per
     * XEND does (the controller never grows a step more than 8x, so nothing else gets here) */
    const int first = SD_IMP_W(v, RW_FIRST) != 0.0 || !(c3q <= RADAU_EXTRAP);
    const double c1m1 = RADAU_C1 - 1.0, c2m1 = RADAU_C2 - 1.0;
    for (int i = 0; i < n; i++) {
        double z1 = 0.0, z2 = 0.0, z3 = 0.0;
        if (!first) {
            const double ak1 = SD_IMP_W(v, radau_vec(n, RV_C1) + i), ak2 = SD_IMP_W(v, radau_vec(n, RV_C2) + i),
                         ak3 = SD_IMP_W(v, radau_vec(n, RV_C3) + i);
            z1 = c1q * (ak1 + (c1q - c2m1) * (ak2 + (c1q - c1m1) * ak3));
            z2 = c2q * (ak1 + (c2q - c2m1) * (ak2 + (c2q - c1m1) * ak3));
            z3 = c3q * (ak1 + (c3q - c2m1) * (ak2 + (c3q - c1m1) * ak3));
        }
        SD_IMP_W(v, radau_vec(n, RV_Z1) + i) = z1;
        SD_IMP_W(v, radau_vec(n, RV_Z2) + i) = z2;
        SD_IMP_W(v, radau_vec(n, RV_Z3) + i) = z3;
        SD_IMP_W(v, radau_vec(n, RV_F1) + i) = RADAU_TI11 * z1 + RADAU_TI12 * z2 + RADAU_TI13 * z3;
        SD_IMP_W(v, radau_vec(n, RV_F2) + i) = RADAU_TI21 * z1 + RADAU_TI22 * z2 + RADAU_TI23 * z3;
        SD_IMP_W(v, radau_vec(n, RV_F3) + i) = RADAU_TI31 * z1 + RADAU_TI32 * z2 + RADAU_TI33 * z3;
    }
}

/* One simplified Newton solve: Z1..Z3 hold f at the three stages; on return they hold the
 * increments of the transformed stages (F1..F3 not yet updated). Returns the scaled RMS norm of
 * the increment over the 3n values. */
SD_HD double radau_newton_solve(const sd_imp_view *v, int n)
{
    const double h = SD_IMP_W(v, RW_H);
    const double fac1 = RADAU_U1 / h, alphn = RADAU_ALPHA / h, betan = RADAU_BETA / h;
    const int z1 = radau_vec(n, RV_Z1), z2 = radau_vec(n, RV_Z2), z3 = radau_vec(n, RV_Z3);
    const int f1 = radau_vec(n, RV_F1), f2 = radau_vec(n, RV_F2), f3 = radau_vec(n, RV_F3);
    for (int i = 0; i < n; i++) {
        const double a1 = SD_IMP_W(v, z1 + i), a2 = SD_IMP_W(v, z2 + i), a3 = SD_IMP_W(v, z3 + i);
        const double s2 = -SD_IMP_W(v, f2 + i), s3 = -SD_IMP_W(v, f3 + i);
        SD_IMP_W(v, z1 + i) = (RADAU_TI11 * a1 + RADAU_TI12 * a2 + RADAU_TI13 * a3) - SD_IMP_W(v, f1 + i) * fac1;
        SD_IMP_W(v, z2 + i) = (RADAU_TI21 * a1 + RADAU_TI22 * a2 + RADAU_TI23 * a3) + s2 * alphn - s3 * betan;
        SD_IMP_W(v, z3 + i) = (RADAU_TI31 * a1 + RADAU_TI32 * a2 + RADAU_TI33 * a3) + s3 * alphn + s2 * betan;
    }
    const int64_t ws = v->ws;
    sd_lu_solve(n, &SD_IMP_W(v, radau_mat(n, RM_E1)), &SD_IMP_W(v, radau_vec(n, RV_PIV1)), &SD_IMP_W(v, z1), ws);
    sd_luc_solve(n, &SD_IMP_W(v, radau_mat(n, RM_E2R)), &SD_IMP_W(v, radau_mat(n, RM_E2I)),
                 &SD_IMP_W(v, radau_vec(n, RV_PIV2)), &SD_IMP_W(v, z2), &SD_IMP_W(v, z3), ws);
    double sum = 0.0;
    const int sc = radau_vec(n, RV_SCAL);
    for (int i = 0; i < n; i++) {
        const double s = SD_IMP_W(v, sc + i);
        const double a = SD_IMP_W(v, z1 + i) / s, b = SD_IMP_W(v, z2 + i) / s, c = SD_IMP_W(v, z3 + i) / s;
        sum += a * a + b * b + c * c;
    }
    return sqrt(sum / (3 * n));
}

/* Add the increments to the transformed stages and map back: Z = T F. */
SD_HD void radau_newton_update(const sd_imp_view *v, int n)
{
    const int z1 = radau_vec(n, RV_Z1), z2 = radau_vec(n, RV_Z2), z3 = radau_vec(n, RV_Z3);
    const int f1 = radau_vec(n, RV_F1), f2 = radau_vec(n, RV_F2), f3 = radau_vec(n, RV_F3);
    for (int i = 0; i < n; i++) {
        const double a1 = SD_IMP_W(v, f1 + i) + SD_IMP_W(v, z1 + i);
        const double a2 = SD_IMP_W(v, f2 + i) + SD_IMP_W(v, z2 + i);
        const double a3 = SD_IMP_W(v, f3 + i) + SD_IMP_W(v, z3 + i);
        SD_IMP_W(v, f1 + i) = a1;
        SD_IMP_W(v, f2 + i) = a2;
        SD_IMP_W(v, f3 + i) = a3;
        SD_IMP_W(v, z1 + i) = RADAU_T11 * a1 + RADAU_T12 * a2 + RADAU_T13 * a3;
        SD_IMP_W(v, z2 + i) = RADAU_T21 * a1 + RADAU_T22 * a2 + RADAU_T23 * a3;
        SD_IMP_W(v, z3 + i) = RADAU_T31 * a1 + a2;
    }
}

/* rms(ECONT / scal) floored at 1e-10; a non-finite norm is returned as it is (the comparison is
 * written so that NaN is not floored: the caller rejects the step). */
SD_HD double radau_err_floor(double err) { return err <= 1e-10 ? 1e-10 : err; }

/* Error estimate, first half: EF2 = (dd1 Z1 + dd2 Z2 + dd3 Z3)/h, ECONT = E1^-1 (F0 + EF2).
 * Returns max(rms(ECONT / scal), 1e-10), or a non-finite value. */
SD_HD double radau_error(const sd_imp_view *v, int n, int rhs)
{
    const double h = SD_IMP_W(v, RW_H);
    const double hee1 = RADAU_DD1 / h, hee2 = RADAU_DD2 / h, hee3 = RADAU_DD3 / h;
    const int ef2 = radau_vec(n, RV_EF2), ec = radau_vec(n, RV_ECONT);
    for (int i = 0; i < n; i++) {
        const double f2 = hee1 * SD_IMP_W(v, radau_vec(n, RV_Z1) + i) + hee2 * SD_IMP_W(v, radau_vec(n, RV_Z2) + i) +
                          hee3 * SD_IMP_W(v, radau_vec(n, RV_Z3) + i);
        SD_IMP_W(v, ef2 + i) = f2;
        SD_IMP_W(v, ec + i) = f2 + SD_IMP_W(v, rhs + i);
    }
    sd_lu_solve(n, &SD_IMP_W(v, radau_mat(n, RM_E1)), &SD_IMP_W(v, radau_vec(n, RV_PIV1)), &SD_IMP_W(v, ec), v->ws);
    return radau_err_floor(sd_imp_rms(v, n, ec, radau_vec(n, RV_SCAL)));
}

/* The second estimate: ECONT = E1^-1 (f(x, y + ECONT) + EF2), f in EVF. A non-finite f there
 * (the probe left the region where f is defined) gives an infinite error: the step is rejected. */
SD_HD double radau_error2(const sd_imp_view *v, int n)
{
    const int ef2 = radau_vec(n, RV_EF2), ec = radau_vec(n, RV_ECONT), evf = radau_vec(n, RV_EVF);
    for (int i = 0; i < n; i++) {
        if (!sd_imp_finite(SD_IMP_W(v, evf + i))) return 1.0 / 0.0;
        SD_IMP_W(v, ec + i) = SD_IMP_W(v, evf + i) + SD_IMP_W(v, ef2 + i);
    }
    sd_lu_solve(n, &SD_IMP_W(v, radau_mat(n, RM_E1)), &SD_IMP_W(v, radau_vec(n, RV_PIV1)), &SD_IMP_W(v, ec), v->ws);
    return radau_err_floor(sd_imp_rms(v, n, ec, radau_vec(n, RV_SCAL)));
}

/* Accept the step: y += Z3, the collocation polynomial's coefficients, the new scale. */
SD_HD void radau_accept(const sd_imp_view *v, const sd_imp_opts *o)
{
    const int n = o->n;
    const double c1m1 = RADAU_C1 - 1.0, c2m1 = RADAU_C2 - 1.0, c1mc2 = RADAU_C1 - RADAU_C2;
    for (int i = 0; i < n; i++) {
        const double z1 = SD_IMP_W(v, radau_vec(n, RV_Z1) + i), z2 = SD_IMP_W(v, radau_vec(n, RV_Z2) + i),
                     z3 = SD_IMP_W(v, radau_vec(n, RV_Z3) + i);
        SD_IMP_W(v, radau_vec(n, RV_Y) + i) += z3;
        const double c1 = (z2 - z3) / c2m1;
        const double ak = (z1 - z2) / c1mc2;
        const double a3 = (ak - z1 / RADAU_C1) / RADAU_C2;
        const double c2 = (ak - c1) / c1m1;
        SD_IMP_W(v, radau_vec(n, RV_C1) + i) = c1;
        SD_IMP_W(v, radau_vec(n, RV_C2) + i) = c2;
        SD_IMP_W(v, radau_vec(n, RV_C3) + i) = c2 - a3;
    }
    radau_scal(v, o);
}

/* Stop the system: status, and y / stats at the last good state (the last accepted step). */
SD_HD int radau_fail(const sd_imp_view *v, const sd_imp_opts *o, int status)
{
    for (int i = 0; i < o->n; i++) v->y[(int64_t)i * v->ys] = SD_IMP_W(v, radau_vec(o->n, RV_Y) + i);
    v->st[SD_ODE_STATUS * v->ss] = status;
    v->st[SD_ODE_T * v->ss] = SD_IMP_W(v, RW_X);
    v->st[SD_ODE_H * v->ss] = SD_IMP_W(v, RW_H);
    SD_IMP_W(v, RW_PHASE) = RP_FAILED;
    return SD_IMP_DONE;
}

/* Request f at (t, EVY). */
SD_HD int radau_request_f(const sd_imp_view *v, double t, int next)
{
    SD_IMP_W(v, RW_EV_T) = t;
    SD_IMP_W(v, RW_PHASE) = next;
    return SD_IMP_NEED_F;
}

/* Set EVY = Y + Z_k. */
SD_HD void radau_stage_state(const sd_imp_view *v, int n, int zk)
{
    for (int i = 0; i < n; i++)
        SD_IMP_W(v, radau_vec(n, RV_EVY) + i) = SD_IMP_W(v, radau_vec(n, RV_Y) + i) + SD_IMP_W(v, radau_vec(n, zk) + i);
}

SD_HD void radau_copy(const sd_imp_view *v, int n, int to, int from)
{
    for (int i = 0; i < n; i++) SD_IMP_W(v, to + i) = SD_IMP_W(v, from + i);
}

SD_HD double radau_min(double a, double b) { return a < b ? a : b; }
SD_HD double radau_max(double a, double b) { return a > b ? a : b; }

/* A step that did not happen (Newton failure): halve h and retry with the current J when fresh. */
SD_HD int radau_newton_failed(const sd_imp_view *v, const sd_imp_opts *o)
{
    v->st[SD_ODE_NSTIFF * v->ss] += 1.0;
    SD_IMP_W(v, RW_NFAIL) += 1.0;
    if (SD_IMP_W(v, RW_NFAIL) >= RADAU_MAX_NFAIL) return radau_fail(v, o, SD_ODE_FAIL_NEWTON);
    SD_IMP_W(v, RW_H) *= 0.5;
    SD_IMP_W(v, RW_REJECT) = 1.0;
    SD_IMP_W(v, RW_PHASE) = SD_IMP_W(v, RW_CALJAC) != 0.0 ? RP_LU : RP_JAC;
    return -1; /* keep going */
}

/* A step whose error estimate is not finite (f not finite at the second estimate's probe, or an
 * overflow): rejected with h / 2, J and LUs as after a Newton failure; RADAU_MAX_NFAIL of these
 * and Newton failures in a row without an accepted step end in FAIL_NONFINITE. */
SD_HD int radau_err_nonfinite(const sd_imp_view *v, const sd_imp_opts *o)
{
    v->st[SD_ODE_NREJECT * v->ss] += 1.0;
    SD_IMP_W(v, RW_NFAIL) += 1.0;
    if (SD_IMP_W(v, RW_NFAIL) >= RADAU_MAX_NFAIL) return radau_fail(v, o, SD_ODE_FAIL_NONFINITE);
    SD_IMP_W(v, RW_H) *= 0.5;
    SD_IMP_W(v, RW_REJECT) = 1.0;
    SD_IMP_W(v, RW_PHASE) = SD_IMP_W(v, RW_CALJAC) != 0.0 ? RP_LU : RP_JAC;
    return -1; /* keep going */
}

/* At the start of a task: a system whose stats are all zero starts afresh at stats' t from the y
 * field; the step count limited by max_steps is per interval. */
SD_HD void radau_begin(const sd_imp_view *v)
{
    if (v->st[SD_ODE_NFEV * v->ss] == 0.0) SD_IMP_W(v, RW_PHASE) = RP_START;
    SD_IMP_W(v, RW_NSTEP) = 0.0;
}

/* Run the system until it needs an evaluation or has reached o->tend. */
SD_HD int radau_resume(const sd_imp_view *v, const sd_imp_opts *o)
{
    const int n = o->n;
    const double fnewt_rt = radau_rtol(o);
    const double fnewt = radau_max(10.0 * RADAU_UROUND / fnewt_rt, radau_min(0.03, sqrt(fnewt_rt)));
    double *st = v->st;
    const int64_t ss = v->ss;
    for (;;) {
        switch ((int)SD_IMP_W(v, RW_PHASE)) {
        case RP_START: { /* a fresh start at stats' t from the y field */
            for (int k = 0; k < RW_NSCALAR; k++) SD_IMP_W(v, k) = 0.0;
            SD_IMP_W(v, RW_X) = st[SD_ODE_T * ss];
            int finite = sd_imp_finite(SD_IMP_W(v, RW_X));
            for (int i = 0; i < n; i++) {
                const double y = v->y[(int64_t)i * v->ys];
                finite &= sd_imp_finite(y);
                SD_IMP_W(v, radau_vec(n, RV_Y) + i) = y;
                SD_IMP_W(v, radau_vec(n, RV_EVY) + i) = y;
                finite &= sd_imp_finite(sd_imp_atol(v, o, i));
            }
            for (int k = 0; k < o->np && v->p; k++) finite &= sd_imp_finite(v->p[(int64_t)k * v->ps]);
            if (!finite) return radau_fail(v, o, SD_ODE_FAIL_NONFINITE);
            radau_scal(v, o);
            st[SD_ODE_ORDER * ss] = 5;
            return radau_request_f(v, SD_IMP_W(v, RW_X), RP_INIT_F0);
        }
        case RP_INIT_F0: {
            st[SD_ODE_NFEV * ss] += 1.0;
            radau_copy(v, n, radau_vec(n, RV_F0), radau_vec(n, RV_EVF));
            for (int i = 0; i < n; i++)
                if (!sd_imp_finite(SD_IMP_W(v, radau_vec(n, RV_F0) + i))) return radau_fail(v, o, SD_ODE_FAIL_NONFINITE);
            SD_IMP_W(v, RW_FIRST) = 1.0;
            SD_IMP_W(v, RW_FACCON) = 1.0;
            SD_IMP_W(v, RW_HOLD) = 0.0;
            if (st[SD_ODE_H * ss] > 0.0 || o->first_step > 0.0) {
                SD_IMP_W(v, RW_H) = st[SD_ODE_H * ss] > 0.0 ? st[SD_ODE_H * ss] : o->first_step;
                SD_IMP_W(v, RW_PHASE) = RP_INIT_H;
                SD_IMP_W(v, RW_H0) = 0.0;
                break;
            }
            /* the starting-step estimate with the user's tolerances */
            for (int i = 0; i < n; i++) {
                const double y = SD_IMP_W(v, radau_vec(n, RV_Y) + i);
                SD_IMP_W(v, radau_vec(n, RV_ECONT) + i) = sd_imp_atol(v, o, i) + o->rtol * (y < 0 ? -y : y);
            }
            const double h0 = sd_imp_h0(v, n, radau_vec(n, RV_Y), radau_vec(n, RV_F0), radau_vec(n, RV_ECONT),
                                        radau_vec(n, RV_EVY));
            SD_IMP_W(v, RW_H0) = h0;
            return radau_request_f(v, SD_IMP_W(v, RW_X) + h0, RP_INIT_H);
        }
        case RP_INIT_H: {
            if (SD_IMP_W(v, RW_H0) > 0.0) {
                st[SD_ODE_NFEV * ss] += 1.0;
                const double h1 = sd_imp_h1(v, n, radau_vec(n, RV_F0), radau_vec(n, RV_EVF), radau_vec(n, RV_ECONT),
                                            SD_IMP_W(v, RW_H0), 3);
                /* f not finite at the probe: h1 is NaN; the probe's own step instead (not max_step) */
                SD_IMP_W(v, RW_H) = h1 > 0.0 && sd_imp_finite(h1) ? h1 : SD_IMP_W(v, RW_H0);
            }
            if (o->max_step > 0.0) SD_IMP_W(v, RW_H) = radau_min(SD_IMP_W(v, RW_H), o->max_step);
            SD_IMP_W(v, RW_HOPT) = SD_IMP_W(v, RW_H);
            /* as RADAU5 before its first step: a step within 1e-4 of the end is cut to it */
            if (o->land && SD_IMP_W(v, RW_X) + SD_IMP_W(v, RW_H) * RADAU_LAND >= o->tend)
                SD_IMP_W(v, RW_H) = o->tend - SD_IMP_W(v, RW_X);
            SD_IMP_W(v, RW_PHASE) = RP_JAC;
            break;
        }
        case RP_BOUNDARY: { /* between steps: stop at the interval's end, else f(x, y) first */
            if (SD_IMP_W(v, RW_X) >= o->tend) {
                const double hold = SD_IMP_W(v, RW_HOLD);
                const double s = hold > 0.0 ? (o->tend - SD_IMP_W(v, RW_X)) / hold : 0.0;
                for (int i = 0; i < n; i++) v->y[(int64_t)i * v->ys] = radau_dense(v, n, i, s);
                st[SD_ODE_T * ss] = o->tend;
                st[SD_ODE_H * ss] = SD_IMP_W(v, RW_H);
                return SD_IMP_DONE;
            }
            if (o->land && SD_IMP_W(v, RW_X) + SD_IMP_W(v, RW_H) * RADAU_LAND >= o->tend) { /* a new interval shorter than h */
                SD_IMP_W(v, RW_H) = o->tend - SD_IMP_W(v, RW_X);
                if (SD_IMP_W(v, RW_NEXT) == RP_STEP) SD_IMP_W(v, RW_NEXT) = RP_LU; /* another h: factor again */
            }
            radau_copy(v, n, radau_vec(n, RV_EVY), radau_vec(n, RV_Y));
            return radau_request_f(v, SD_IMP_W(v, RW_X), RP_GOT_F0);
        }
        case RP_GOT_F0:
            st[SD_ODE_NFEV * ss] += 1.0;
            radau_copy(v, n, radau_vec(n, RV_F0), radau_vec(n, RV_EVF));
            for (int i = 0; i < n; i++)
                if (!sd_imp_finite(SD_IMP_W(v, radau_vec(n, RV_F0) + i))) return radau_fail(v, o, SD_ODE_FAIL_NONFINITE);
            SD_IMP_W(v, RW_PHASE) = SD_IMP_W(v, RW_NEXT);
            break;
        case RP_JAC:
            radau_copy(v, n, radau_vec(n, RV_EVY), radau_vec(n, RV_Y));
            SD_IMP_W(v, RW_EV_T) = SD_IMP_W(v, RW_X);
            SD_IMP_W(v, RW_PHASE) = RP_GOT_JAC;
            return SD_IMP_NEED_JAC;
        case RP_GOT_JAC:
            st[SD_ODE_NJEV * ss] += 1.0;
            SD_IMP_W(v, RW_CALJAC) = 1.0;
            SD_IMP_W(v, RW_PHASE) = RP_LU;
            break;
        case RP_LU: {
            st[SD_ODE_NLU * ss] += 1.0;
            if (radau_decompose(v, n, SD_IMP_W(v, RW_H))) {
                SD_IMP_W(v, RW_NSING) += 1.0;
                if (SD_IMP_W(v, RW_NSING) >= RADAU_MAX_SING) return radau_fail(v, o, SD_ODE_FAIL_SINGULAR);
                SD_IMP_W(v, RW_H) *= 0.5;
                SD_IMP_W(v, RW_REJECT) = 1.0;
                break; /* factor again with the smaller step */
            }
            SD_IMP_W(v, RW_NSING) = 0.0;
            SD_IMP_W(v, RW_PHASE) = RP_STEP;
            break;
        }
        case RP_STEP: {
            const double x = SD_IMP_W(v, RW_X), h = SD_IMP_W(v, RW_H);
            SD_IMP_W(v, RW_NSTEP) += 1.0;
            if (SD_IMP_W(v, RW_NSTEP) > o->max_steps) return radau_fail(v, o, SD_ODE_FAIL_MAXSTEPS);
            if (0.1 * (h < 0 ? -h : h) <= (x < 0 ? -x : x) * RADAU_UROUND || !(h > 0.0))
                return radau_fail(v, o, SD_ODE_FAIL_STEP);
            radau_start_values(v, n);
            SD_IMP_W(v, RW_NEWT) = 0.0;
            SD_IMP_W(v, RW_FACCON) = sd_ode_pow(radau_max(SD_IMP_W(v, RW_FACCON), RADAU_UROUND), 0.8);
            SD_IMP_W(v, RW_THETA) = RADAU_THET;
            SD_IMP_W(v, RW_PHASE) = RP_NEWT;
            break;
        }
        case RP_NEWT:
            if (SD_IMP_W(v, RW_NEWT) >= RADAU_NIT) {
                if (radau_newton_failed(v, o) == SD_IMP_DONE) return SD_IMP_DONE;
                break;
            }
            radau_stage_state(v, n, RV_Z1);
            return radau_request_f(v, SD_IMP_W(v, RW_X) + RADAU_C1 * SD_IMP_W(v, RW_H), RP_GOT_S1);
        case RP_GOT_S1:
            radau_copy(v, n, radau_vec(n, RV_Z1), radau_vec(n, RV_EVF));
            radau_stage_state(v, n, RV_Z2);
            return radau_request_f(v, SD_IMP_W(v, RW_X) + RADAU_C2 * SD_IMP_W(v, RW_H), RP_GOT_S2);
        case RP_GOT_S2:
            radau_copy(v, n, radau_vec(n, RV_Z2), radau_vec(n, RV_EVF));
            radau_stage_state(v, n, RV_Z3);
            return radau_request_f(v, SD_IMP_W(v, RW_X) + SD_IMP_W(v, RW_H), RP_GOT_S3);
        case RP_GOT_S3: {
            radau_copy(v, n, radau_vec(n, RV_Z3), radau_vec(n, RV_EVF));
            st[SD_ODE_NFEV * ss] += 3.0;
            const double dyno = radau_newton_solve(v, n);
            const double newt = SD_IMP_W(v, RW_NEWT) + 1.0;
            SD_IMP_W(v, RW_NEWT) = newt;
            if (!sd_imp_finite(dyno)) {
                if (radau_newton_failed(v, o) == SD_IMP_DONE) return SD_IMP_DONE;
                break;
            }
            if (newt > 1 && newt < RADAU_NIT) {
                const double thq = dyno / SD_IMP_W(v, RW_DYNOLD);
                const double theta = newt == 2 ? thq : sqrt(thq * SD_IMP_W(v, RW_THQOLD));
                SD_IMP_W(v, RW_THETA) = theta;
                SD_IMP_W(v, RW_THQOLD) = thq;
                if (theta < 0.99) {
                    const double faccon = theta / (1.0 - theta);
                    SD_IMP_W(v, RW_FACCON) = faccon;
                    const double dyth = faccon * dyno * sd_ode_pow(theta, RADAU_NIT - 1 - newt) / fnewt;
                    if (dyth >= 1.0) { /* too slow to converge in time: a smaller step */
                        const double qnewt = radau_max(1.0e-4, radau_min(20.0, dyth));
                        const double hhfac = 0.8 * sd_ode_pow(qnewt, -1.0 / (4.0 + RADAU_NIT - 1 - newt));
                        SD_IMP_W(v, RW_H) *= hhfac;
                        SD_IMP_W(v, RW_REJECT) = 1.0;
                        SD_IMP_W(v, RW_PHASE) = SD_IMP_W(v, RW_CALJAC) != 0.0 ? RP_LU : RP_JAC;
                        break;
                    }
                } else {
                    if (radau_newton_failed(v, o) == SD_IMP_DONE) return SD_IMP_DONE;
                    break;
                }
            }
            SD_IMP_W(v, RW_DYNOLD) = radau_max(dyno, RADAU_UROUND);
            radau_newton_update(v, n);
            SD_IMP_W(v, RW_PHASE) = SD_IMP_W(v, RW_FACCON) * dyno > fnewt ? RP_NEWT : RP_ERR;
            break;
        }
        case RP_ERR: {
            double err = radau_error(v, n, radau_vec(n, RV_F0));
            if (err >= 1.0 && (SD_IMP_W(v, RW_FIRST) != 0.0 || SD_IMP_W(v, RW_REJECT) != 0.0)) {
                for (int i = 0; i < n; i++)
                    SD_IMP_W(v, radau_vec(n, RV_EVY) + i) =
                        SD_IMP_W(v, radau_vec(n, RV_Y) + i) + SD_IMP_W(v, radau_vec(n, RV_ECONT) + i);
                return radau_request_f(v, SD_IMP_W(v, RW_X), RP_GOT_ERRF);
            }
            SD_IMP_W(v, RW_ERR) = err;
            goto control; /* no second estimate */
        }
        case RP_GOT_ERRF:
            st[SD_ODE_NFEV * ss] += 1.0;
            SD_IMP_W(v, RW_ERR) = radau_error2(v, n);
        control: {
            /* the step-size controller (with Gustafsson's prediction after the first accepted step) */
            const double h = SD_IMP_W(v, RW_H), err = SD_IMP_W(v, RW_ERR);
            if (!sd_imp_finite(err)) {
                if (radau_err_nonfinite(v, o) == SD_IMP_DONE) return SD_IMP_DONE;
                break;
            }
            const double cfac = RADAU_SAFE * (1 + 2 * RADAU_NIT);
            const double fac = radau_min(RADAU_SAFE, cfac / (SD_IMP_W(v, RW_NEWT) + 2 * RADAU_NIT));
            double quot = radau_max(RADAU_FACR, radau_min(RADAU_FACL, sqrt(sqrt(err)) / fac));
            double hnew = h / quot;
            if (err < 1.0) {
                SD_IMP_W(v, RW_FIRST) = 0.0;
                st[SD_ODE_NACCEPT * ss] += 1.0;
                SD_IMP_W(v, RW_NFAIL) = 0.0;
                if (st[SD_ODE_NACCEPT * ss] > 1.0) {
                    double facgus = (SD_IMP_W(v, RW_HACC) / h) * sqrt(sqrt(err * err / SD_IMP_W(v, RW_ERRACC))) / RADAU_SAFE;
                    facgus = radau_max(RADAU_FACR, radau_min(RADAU_FACL, facgus));
                    quot = radau_max(quot, facgus);
                    hnew = h / quot;
                }
                SD_IMP_W(v, RW_HACC) = h;
                SD_IMP_W(v, RW_ERRACC) = radau_max(1.0e-2, err);
                SD_IMP_W(v, RW_HOLD) = h;
                /* the step cut to the interval's end lands on it exactly (x + h may round off it) */
                const int last = o->land && h == o->tend - SD_IMP_W(v, RW_X);
                SD_IMP_W(v, RW_X) = last ? o->tend : SD_IMP_W(v, RW_X) + h;
                radau_accept(v, o);
                SD_IMP_W(v, RW_CALJAC) = 0.0;
                if (o->max_step > 0.0) hnew = radau_min(hnew, o->max_step);
                const double theta = SD_IMP_W(v, RW_THETA);
                if (last) {
                    /* the next interval starts with the step wanted before the cut (RADAU5's H = HOPT
                     * on its last step): the cut step's own control, at most 8x its length, says
                     * nothing about longer steps, so the steps keep their size across short intervals */
                    SD_IMP_W(v, RW_H) = SD_IMP_W(v, RW_HOPT);
                    SD_IMP_W(v, RW_NEXT) = theta <= RADAU_THET ? RP_LU : RP_JAC;
                } else {
                    SD_IMP_W(v, RW_HOPT) = hnew;
                    if (SD_IMP_W(v, RW_REJECT) != 0.0) hnew = radau_min(hnew, h);
                    const double qt = hnew / h;
                    if (o->land && SD_IMP_W(v, RW_X) + hnew * RADAU_LAND >= o->tend) { /* cut to the interval's end */
                        SD_IMP_W(v, RW_H) = o->tend - SD_IMP_W(v, RW_X);
                        SD_IMP_W(v, RW_NEXT) = theta <= RADAU_THET ? RP_LU : RP_JAC;
                    } else if (theta <= RADAU_THET && qt >= RADAU_QUOT1 && qt <= RADAU_QUOT2) {
                        SD_IMP_W(v, RW_NEXT) = RP_STEP; /* same h, J and LUs */
                    } else {
                        SD_IMP_W(v, RW_H) = hnew;
                        SD_IMP_W(v, RW_NEXT) = theta <= RADAU_THET ? RP_LU : RP_JAC;
                    }
                }
                SD_IMP_W(v, RW_REJECT) = 0.0;
                SD_IMP_W(v, RW_PHASE) = RP_BOUNDARY;
                if (o->nev) return SD_IMP_STEPPED; /* the event layer looks at the step first */
                break;
            }
            /* rejected */
            SD_IMP_W(v, RW_REJECT) = 1.0;
            st[SD_ODE_NREJECT * ss] += 1.0;
            SD_IMP_W(v, RW_H) = SD_IMP_W(v, RW_FIRST) != 0.0 ? h * 0.1 : hnew;
            SD_IMP_W(v, RW_PHASE) = SD_IMP_W(v, RW_CALJAC) != 0.0 ? RP_LU : RP_JAC;
            break;
        }
        default: /* RP_FAILED: stays put */
            return SD_IMP_DONE;
        }
    }
}

#endif
