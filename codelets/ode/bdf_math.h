/* bdf_math.h - ode.bdf: variable-order (1..max_order <= 5) BDF in the quasi-constant step form of
 * SciPy's BDF (Shampine & Reichelt, "The MATLAB ODE suite", 1997: the NDF variant with SciPy's
 * kappa), one system per call as a resumable state machine (implicit_math.h) shared by the CPU
 * lane loops (bdf.c) and the CUDA threads (bdf.cu).
 *
 * The state is the modified divided-difference array D (max order + 3 rows of n: D[0] = y,
 * D[j] = the j-th backward difference scaled to the current step); a step size change rescales D
 * (D <- (R U)^T D). Per step: predictor y_p = sum_{j<=k} D[j], Newton on
 * (I - c J) dy = c f(t_new, y) - psi - d with c = h / alpha_k (at most 4 iterations, stopped when
 * the contraction rate says the tolerance will be met or missed); on failure the Jacobian is
 * re-evaluated at (t_new, y_p) once, then the step is halved. The LU of I - c J is kept until h
 * or the order changes (an error-test rejection keeps it, as SciPy). Error estimate
 * error_const_k * d; after order + 1 steps of equal size the order moves to the best of k-1, k, k+1
 * by their error estimates, and h by at most a factor of 10. Dense output: the interpolating
 * polynomial through D. */
#ifndef SD_ODE_BDF_MATH_H
#define SD_ODE_BDF_MATH_H
#include "implicit_math.h"
#include "lu_math.h"

#define BDF_MAX_ORDER 5
#define BDF_NEWTON_MAXITER 4
#define BDF_MIN_FACTOR 0.2
#define BDF_MAX_FACTOR 10.0
#define BDF_MAX_SING 5   /* singular iteration matrices in a row before FAIL_SINGULAR */
#define BDF_MAX_NFAIL 10 /* Newton failures in a row before FAIL_NEWTON */

enum {
    BW_PHASE = 0, BW_T, BW_HABS, BW_ORDER, BW_NEQ, BW_LUVALID, BW_CURJAC, BW_TNEW, BW_K, BW_DYOLD, BW_NSING,
    BW_NFAIL, BW_NSTEP, BW_EV_T, BW_H0, BW_C, BW_NSCALAR
};
/* vectors: D rows 0..BDF_MAX_ORDER+2, then the rest */
enum { BV_D = 0, BV_YP = BDF_MAX_ORDER + 3, BV_PSI, BV_YN, BV_DD, BV_SCALE, BV_F0, BV_EVY, BV_EVF, BV_PIV, BV_NVEC };
enum { BM_JAC, BM_LU, BM_NMAT };

SD_HD int bdf_vec(int n, int k) { return BW_NSCALAR + k * n; }
SD_HD int bdf_mat(int n, int k) { return BW_NSCALAR + BV_NVEC * n + k * n * n; }
SD_HD int bdf_work_ncomp(int n) { return BW_NSCALAR + BV_NVEC * n + BM_NMAT * n * n; }

enum { BP_START = 0, BP_INIT_F0, BP_INIT_H, BP_GOT_J0, BP_BOUNDARY, BP_TRY, BP_NEWT_START, BP_NEWT_ITER,
       BP_NEWT_F, BP_GOT_J, BP_FAILED };

/* The method's coefficients for order k (0..BDF_MAX_ORDER+1): gamma_k = sum_{j<=k} 1/j,
 * alpha_k = (1 - kappa_k) gamma_k, error_const_k = kappa_k gamma_k + 1/(k+1). */
SD_HD double bdf_kappa(int k)
{
    switch (k) {
    case 1: return -0.1850;
    case 2: return -1.0 / 9.0;
    case 3: return -0.0823;
    case 4: return -0.0415;
    default: return 0.0;
    }
}
SD_HD double bdf_gamma(int k)
{
    double g = 0.0;
    for (int j = 1; j <= k; j++) g += 1.0 / j;
    return g;
}
SD_HD double bdf_alpha(int k) { return (1.0 - bdf_kappa(k)) * bdf_gamma(k); }
SD_HD double bdf_error_const(int k) { return bdf_kappa(k) * bdf_gamma(k) + 1.0 / (k + 1); }

/* R(order, factor): R[i][j] = prod_{m=1..i} (m - 1 - factor j) / m (row 0: ones). */
SD_HD void bdf_compute_R(int order, double factor, double R[BDF_MAX_ORDER + 1][BDF_MAX_ORDER + 1])
{
    for (int j = 0; j <= order; j++) R[0][j] = 1.0;
    for (int i = 1; i <= order; i++)
        for (int j = 0; j <= order; j++) R[i][j] = R[i - 1][j] * (j == 0 ? 0.0 : (i - 1 - factor * j) / i);
}

/* Rescale D[0..order] to a step factor times the current one. */
SD_HD void bdf_change_D(const sd_imp_view *v, int n, int order, double factor)
{
    double R[BDF_MAX_ORDER + 1][BDF_MAX_ORDER + 1], U[BDF_MAX_ORDER + 1][BDF_MAX_ORDER + 1],
        RU[BDF_MAX_ORDER + 1][BDF_MAX_ORDER + 1];
    bdf_compute_R(order, factor, R);
    bdf_compute_R(order, 1.0, U);
    for (int i = 0; i <= order; i++)
        for (int j = 0; j <= order; j++) {
            double s = 0.0;
            for (int m = 0; m <= order; m++) s += R[i][m] * U[m][j];
            RU[i][j] = s;
        }
    for (int c = 0; c < n; c++) {
        double nd[BDF_MAX_ORDER + 1];
        for (int i = 0; i <= order; i++) {
            double s = 0.0;
            for (int j = 0; j <= order; j++) s += RU[j][i] * SD_IMP_W(v, bdf_vec(n, BV_D + j) + c);
            nd[i] = s;
        }
        for (int i = 0; i <= order; i++) SD_IMP_W(v, bdf_vec(n, BV_D + i) + c) = nd[i];
    }
}

/* rms(fac * x / scale) over n */
SD_HD double bdf_norm(const sd_imp_view *v, int n, double fac, int x)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const double q = fac * SD_IMP_W(v, x + i) / SD_IMP_W(v, bdf_vec(n, BV_SCALE) + i);
        sum += q * q;
    }
    return sqrt(sum / n);
}

SD_HD void bdf_scale(const sd_imp_view *v, const sd_imp_opts *o, int y)
{
    for (int i = 0; i < o->n; i++) {
        const double a = SD_IMP_W(v, y + i);
        SD_IMP_W(v, bdf_vec(o->n, BV_SCALE) + i) = sd_imp_atol(v, o, i) + o->rtol * (a < 0 ? -a : a);
    }
}

/* Dense output at time t of the step just taken (SciPy's BdfDenseOutput): component i. */
SD_HD double bdf_dense(const sd_imp_view *v, int n, int i, double t)
{
    const double tc = SD_IMP_W(v, BW_T), h = SD_IMP_W(v, BW_HABS);
    const int order = (int)SD_IMP_W(v, BW_ORDER);
    double p = 1.0, y = 0.0;
    for (int j = 0; j < order; j++) {
        p *= (t - (tc - h * j)) / (h * (1 + j));
        y += SD_IMP_W(v, bdf_vec(n, BV_D + j + 1) + i) * p;
    }
    return y + SD_IMP_W(v, bdf_vec(n, BV_D) + i);
}

SD_HD int bdf_fail(const sd_imp_view *v, const sd_imp_opts *o, int status)
{
    for (int i = 0; i < o->n; i++) v->y[(int64_t)i * v->ys] = SD_IMP_W(v, bdf_vec(o->n, BV_D) + i);
    v->st[SD_ODE_STATUS * v->ss] = status;
    v->st[SD_ODE_T * v->ss] = SD_IMP_W(v, BW_T);
    v->st[SD_ODE_H * v->ss] = SD_IMP_W(v, BW_HABS);
    SD_IMP_W(v, BW_PHASE) = BP_FAILED;
    return SD_IMP_DONE;
}

SD_HD int bdf_request(const sd_imp_view *v, double t, int next, int what)
{
    SD_IMP_W(v, BW_EV_T) = t;
    SD_IMP_W(v, BW_PHASE) = next;
    return what;
}

SD_HD void bdf_copy(const sd_imp_view *v, int n, int to, int from)
{
    for (int i = 0; i < n; i++) SD_IMP_W(v, to + i) = SD_IMP_W(v, from + i);
}

/* Scale h by factor (D rescaled, equal-step count reset). */
SD_HD void bdf_rescale(const sd_imp_view *v, int n, double factor)
{
    SD_IMP_W(v, BW_HABS) *= factor;
    bdf_change_D(v, n, (int)SD_IMP_W(v, BW_ORDER), factor);
    SD_IMP_W(v, BW_NEQ) = 0.0;
}

SD_HD void bdf_begin(const sd_imp_view *v)
{
    if (v->st[SD_ODE_NFEV * v->ss] == 0.0) SD_IMP_W(v, BW_PHASE) = BP_START;
    SD_IMP_W(v, BW_NSTEP) = 0.0;
}

/* Newton did not converge with the current J: halve the step (or give up). -1: keep going. */
SD_HD int bdf_newton_failed(const sd_imp_view *v, const sd_imp_opts *o)
{
    v->st[SD_ODE_NSTIFF * v->ss] += 1.0;
    SD_IMP_W(v, BW_NFAIL) += 1.0;
    if (SD_IMP_W(v, BW_NFAIL) >= BDF_MAX_NFAIL) return bdf_fail(v, o, SD_ODE_FAIL_NEWTON);
    bdf_rescale(v, o->n, 0.5);
    SD_IMP_W(v, BW_LUVALID) = 0.0;
    SD_IMP_W(v, BW_PHASE) = BP_TRY;
    return -1;
}

/* Not converged: a fresh Jacobian at (t_new, y_p) first, then a smaller step. */
SD_HD int bdf_not_converged(const sd_imp_view *v, const sd_imp_opts *o)
{
    if (SD_IMP_W(v, BW_CURJAC) != 0.0) return bdf_newton_failed(v, o);
    bdf_copy(v, o->n, bdf_vec(o->n, BV_EVY), bdf_vec(o->n, BV_YP));
    return bdf_request(v, SD_IMP_W(v, BW_TNEW), BP_GOT_J, SD_IMP_NEED_JAC);
}

/* The accepted step: differences, then perhaps a new order and step size. */
SD_HD void bdf_accept(const sd_imp_view *v, const sd_imp_opts *o, double safety, double error_norm)
{
    const int n = o->n;
    int order = (int)SD_IMP_W(v, BW_ORDER);
    SD_IMP_W(v, BW_NFAIL) = 0.0;
    SD_IMP_W(v, BW_NEQ) += 1.0;
    SD_IMP_W(v, BW_T) = SD_IMP_W(v, BW_TNEW);
    v->st[SD_ODE_NACCEPT * v->ss] += 1.0;
    const int dd = bdf_vec(n, BV_DD);
    for (int c = 0; c < n; c++) {
        const double d = SD_IMP_W(v, dd + c);
        SD_IMP_W(v, bdf_vec(n, BV_D + order + 2) + c) = d - SD_IMP_W(v, bdf_vec(n, BV_D + order + 1) + c);
        SD_IMP_W(v, bdf_vec(n, BV_D + order + 1) + c) = d;
        for (int i = order; i >= 0; i--)
            SD_IMP_W(v, bdf_vec(n, BV_D + i) + c) += SD_IMP_W(v, bdf_vec(n, BV_D + i + 1) + c);
    }
    if (SD_IMP_W(v, BW_NEQ) < order + 1) return;
    const double inf = 1.0 / 0.0;
    const double em = order > 1 ? bdf_norm(v, n, bdf_error_const(order - 1), bdf_vec(n, BV_D + order)) : inf;
    const double ep = order < o->max_order ? bdf_norm(v, n, bdf_error_const(order + 1), bdf_vec(n, BV_D + order + 2))
                                           : inf;
    const double norms[3] = {em, error_norm, ep};
    double best = -1.0;
    int delta = 0;
    for (int k = 0; k < 3; k++) {
        const double f = sd_ode_pow(norms[k], -1.0 / (order + k)); /* 0 -> inf, inf -> 0 */
        if (f > best) { best = f; delta = k - 1; }
    }
    order += delta;
    SD_IMP_W(v, BW_ORDER) = order;
    v->st[SD_ODE_ORDER * v->ss] = order;
    const double sb = safety * best;
    bdf_rescale(v, n, sb < BDF_MAX_FACTOR ? sb : BDF_MAX_FACTOR);
    SD_IMP_W(v, BW_LUVALID) = 0.0;
}

/* Run the system until it needs an evaluation or has reached o->tend. */
SD_HD int bdf_resume(const sd_imp_view *v, const sd_imp_opts *o)
{
    const int n = o->n;
    const double newton_tol_a = 10.0 * 2.220446049250313e-16 / o->rtol;
    const double newton_tol_b = o->rtol < 0.0009 ? sqrt(o->rtol) : 0.03;
    const double newton_tol = newton_tol_a > newton_tol_b ? newton_tol_a : newton_tol_b;
    double *st = v->st;
    const int64_t ss = v->ss;
    for (;;) {
        switch ((int)SD_IMP_W(v, BW_PHASE)) {
        case BP_START: {
            for (int k = 0; k < BW_NSCALAR; k++) SD_IMP_W(v, k) = 0.0;
            SD_IMP_W(v, BW_T) = st[SD_ODE_T * ss];
            int finite = sd_imp_finite(SD_IMP_W(v, BW_T));
            for (int i = 0; i < n; i++) {
                const double y = v->y[(int64_t)i * v->ys];
                finite &= sd_imp_finite(y) & sd_imp_finite(sd_imp_atol(v, o, i));
                SD_IMP_W(v, bdf_vec(n, BV_D) + i) = y;
                SD_IMP_W(v, bdf_vec(n, BV_EVY) + i) = y;
            }
            for (int k = 0; k < o->np && v->p; k++) finite &= sd_imp_finite(v->p[(int64_t)k * v->ps]);
            if (!finite) return bdf_fail(v, o, SD_ODE_FAIL_NONFINITE);
            SD_IMP_W(v, BW_ORDER) = 1.0;
            st[SD_ODE_ORDER * ss] = 1.0;
            return bdf_request(v, SD_IMP_W(v, BW_T), BP_INIT_F0, SD_IMP_NEED_F);
        }
        case BP_INIT_F0: {
            st[SD_ODE_NFEV * ss] += 1.0;
            bdf_copy(v, n, bdf_vec(n, BV_F0), bdf_vec(n, BV_EVF));
            for (int i = 0; i < n; i++)
                if (!sd_imp_finite(SD_IMP_W(v, bdf_vec(n, BV_F0) + i))) return bdf_fail(v, o, SD_ODE_FAIL_NONFINITE);
            if (st[SD_ODE_H * ss] > 0.0 || o->first_step > 0.0) {
                SD_IMP_W(v, BW_HABS) = st[SD_ODE_H * ss] > 0.0 ? st[SD_ODE_H * ss] : o->first_step;
                SD_IMP_W(v, BW_H0) = 0.0;
                SD_IMP_W(v, BW_PHASE) = BP_INIT_H;
                break;
            }
            bdf_scale(v, o, bdf_vec(n, BV_D));
            const double h0 = sd_imp_h0(v, n, bdf_vec(n, BV_D), bdf_vec(n, BV_F0), bdf_vec(n, BV_SCALE),
                                        bdf_vec(n, BV_EVY));
            SD_IMP_W(v, BW_H0) = h0;
            return bdf_request(v, SD_IMP_W(v, BW_T) + h0, BP_INIT_H, SD_IMP_NEED_F);
        }
        case BP_INIT_H: {
            if (SD_IMP_W(v, BW_H0) > 0.0) {
                st[SD_ODE_NFEV * ss] += 1.0;
                const double h1 = sd_imp_h1(v, n, bdf_vec(n, BV_F0), bdf_vec(n, BV_EVF), bdf_vec(n, BV_SCALE),
                                            SD_IMP_W(v, BW_H0), 1);
                /* f not finite at the probe: h1 is NaN; the probe's own step instead */
                SD_IMP_W(v, BW_HABS) = h1 > 0.0 && sd_imp_finite(h1) ? h1 : SD_IMP_W(v, BW_H0);
            }
            const double h = SD_IMP_W(v, BW_HABS);
            for (int i = 0; i < n; i++) SD_IMP_W(v, bdf_vec(n, BV_D + 1) + i) = SD_IMP_W(v, bdf_vec(n, BV_F0) + i) * h;
            bdf_copy(v, n, bdf_vec(n, BV_EVY), bdf_vec(n, BV_D));
            return bdf_request(v, SD_IMP_W(v, BW_T), BP_GOT_J0, SD_IMP_NEED_JAC);
        }
        case BP_GOT_J0:
            st[SD_ODE_NJEV * ss] += 1.0;
            SD_IMP_W(v, BW_PHASE) = BP_BOUNDARY;
            break;
        case BP_BOUNDARY: {
            const double t = SD_IMP_W(v, BW_T);
            if (t >= o->tend) {
                for (int i = 0; i < n; i++) v->y[(int64_t)i * v->ys] = bdf_dense(v, n, i, o->tend);
                st[SD_ODE_T * ss] = o->tend;
                st[SD_ODE_H * ss] = SD_IMP_W(v, BW_HABS);
                return SD_IMP_DONE;
            }
            SD_IMP_W(v, BW_NSTEP) += 1.0;
            if (SD_IMP_W(v, BW_NSTEP) > o->max_steps) return bdf_fail(v, o, SD_ODE_FAIL_MAXSTEPS);
            const double min_step = 10.0 * (nextafter(t, HUGE_VAL) - t);
            const double habs = SD_IMP_W(v, BW_HABS);
            if (o->max_step > 0.0 && habs > o->max_step) bdf_rescale(v, n, o->max_step / habs);
            else if (habs < min_step) bdf_rescale(v, n, min_step / habs);
            if (o->max_step > 0.0 && habs > o->max_step) SD_IMP_W(v, BW_HABS) = o->max_step;
            else if (habs < min_step) SD_IMP_W(v, BW_HABS) = min_step;
            SD_IMP_W(v, BW_CURJAC) = 0.0;
            SD_IMP_W(v, BW_PHASE) = BP_TRY;
            break;
        }
        case BP_TRY: {
            const double t = SD_IMP_W(v, BW_T);
            const double min_step = 10.0 * (nextafter(t, HUGE_VAL) - t);
            if (!(SD_IMP_W(v, BW_HABS) >= min_step)) return bdf_fail(v, o, SD_ODE_FAIL_STEP);
            const double t_new = t + SD_IMP_W(v, BW_HABS);
            SD_IMP_W(v, BW_TNEW) = t_new;
            SD_IMP_W(v, BW_HABS) = t_new - t;
            const int order = (int)SD_IMP_W(v, BW_ORDER);
            const double alpha = bdf_alpha(order);
            for (int i = 0; i < n; i++) {
                double yp = 0.0, psi = 0.0;
                for (int j = 0; j <= order; j++) yp += SD_IMP_W(v, bdf_vec(n, BV_D + j) + i);
                for (int j = 1; j <= order; j++) psi += SD_IMP_W(v, bdf_vec(n, BV_D + j) + i) * bdf_gamma(j);
                SD_IMP_W(v, bdf_vec(n, BV_YP) + i) = yp;
                SD_IMP_W(v, bdf_vec(n, BV_PSI) + i) = psi / alpha;
            }
            bdf_scale(v, o, bdf_vec(n, BV_YP));
            SD_IMP_W(v, BW_C) = SD_IMP_W(v, BW_HABS) / alpha;
            SD_IMP_W(v, BW_PHASE) = BP_NEWT_START;
            break;
        }
        case BP_NEWT_START: {
            if (SD_IMP_W(v, BW_LUVALID) == 0.0) {
                const double c = SD_IMP_W(v, BW_C);
                const int J = bdf_mat(n, BM_JAC), LU = bdf_mat(n, BM_LU);
                for (int r = 0; r < n; r++)
                    for (int q = 0; q < n; q++)
                        SD_IMP_W(v, LU + r * n + q) = (r == q ? 1.0 : 0.0) - c * SD_IMP_W(v, J + r * n + q);
                st[SD_ODE_NLU * ss] += 1.0;
                if (sd_lu_factor(n, &SD_IMP_W(v, LU), &SD_IMP_W(v, bdf_vec(n, BV_PIV)), v->ws)) {
                    SD_IMP_W(v, BW_NSING) += 1.0;
                    if (SD_IMP_W(v, BW_NSING) >= BDF_MAX_SING) return bdf_fail(v, o, SD_ODE_FAIL_SINGULAR);
                    bdf_rescale(v, n, 0.5);
                    SD_IMP_W(v, BW_PHASE) = BP_TRY;
                    break;
                }
                SD_IMP_W(v, BW_NSING) = 0.0;
                SD_IMP_W(v, BW_LUVALID) = 1.0;
            }
            bdf_copy(v, n, bdf_vec(n, BV_YN), bdf_vec(n, BV_YP));
            for (int i = 0; i < n; i++) SD_IMP_W(v, bdf_vec(n, BV_DD) + i) = 0.0;
            SD_IMP_W(v, BW_K) = 0.0;
            SD_IMP_W(v, BW_DYOLD) = -1.0;
            SD_IMP_W(v, BW_PHASE) = BP_NEWT_ITER;
            break;
        }
        case BP_NEWT_ITER:
            bdf_copy(v, n, bdf_vec(n, BV_EVY), bdf_vec(n, BV_YN));
            return bdf_request(v, SD_IMP_W(v, BW_TNEW), BP_NEWT_F, SD_IMP_NEED_F);
        case BP_NEWT_F: {
            st[SD_ODE_NFEV * ss] += 1.0;
            const int evf = bdf_vec(n, BV_EVF), dd = bdf_vec(n, BV_DD), yn = bdf_vec(n, BV_YN);
            int finite = 1;
            for (int i = 0; i < n; i++) finite &= sd_imp_finite(SD_IMP_W(v, evf + i));
            const double c = SD_IMP_W(v, BW_C);
            double dy_norm = 0.0;
            if (finite) { /* dy = (I - c J)^-1 (c f - psi - d), in EVF */
                for (int i = 0; i < n; i++)
                    SD_IMP_W(v, evf + i) = (c * SD_IMP_W(v, evf + i) - SD_IMP_W(v, bdf_vec(n, BV_PSI) + i)) -
                                           SD_IMP_W(v, dd + i);
                sd_lu_solve(n, &SD_IMP_W(v, bdf_mat(n, BM_LU)), &SD_IMP_W(v, bdf_vec(n, BV_PIV)), &SD_IMP_W(v, evf), v->ws);
                dy_norm = bdf_norm(v, n, 1.0, evf);
                finite = sd_imp_finite(dy_norm);
            }
            const double k = SD_IMP_W(v, BW_K), old = SD_IMP_W(v, BW_DYOLD);
            const double rate = old >= 0.0 ? dy_norm / old : -1.0;
            if (!finite ||
                (rate >= 0.0 && (rate >= 1.0 || sd_ode_pow(rate, BDF_NEWTON_MAXITER - k) / (1.0 - rate) * dy_norm > newton_tol))) {
                const int r = bdf_not_converged(v, o);
                if (r >= 0) return r;
                break;
            }
            for (int i = 0; i < n; i++) {
                SD_IMP_W(v, yn + i) += SD_IMP_W(v, evf + i);
                SD_IMP_W(v, dd + i) += SD_IMP_W(v, evf + i);
            }
            if (dy_norm == 0.0 || (rate >= 0.0 && rate / (1.0 - rate) * dy_norm < newton_tol)) {
                /* converged: the error test */
                const double niter = k + 1.0;
                const double safety = 0.9 * (2 * BDF_NEWTON_MAXITER + 1) / (2 * BDF_NEWTON_MAXITER + niter);
                bdf_scale(v, o, yn);
                const int order = (int)SD_IMP_W(v, BW_ORDER);
                const double error_norm = bdf_norm(v, n, bdf_error_const(order), dd);
                if (error_norm > 1.0 || !sd_imp_finite(error_norm)) {
                    st[SD_ODE_NREJECT * ss] += 1.0;
                    double f = sd_imp_finite(error_norm) ? safety * sd_ode_pow(error_norm, -1.0 / (order + 1)) : BDF_MIN_FACTOR;
                    bdf_rescale(v, n, f > BDF_MIN_FACTOR ? f : BDF_MIN_FACTOR);
                    SD_IMP_W(v, BW_PHASE) = BP_TRY; /* the LU is kept (SciPy) */
                    break;
                }
                bdf_accept(v, o, safety, error_norm);
                SD_IMP_W(v, BW_PHASE) = BP_BOUNDARY;
                if (o->nev) return SD_IMP_STEPPED; /* the event layer looks at the step first */
                break;
            }
            SD_IMP_W(v, BW_DYOLD) = dy_norm;
            SD_IMP_W(v, BW_K) = k + 1.0;
            if (k + 1.0 >= BDF_NEWTON_MAXITER) {
                const int r = bdf_not_converged(v, o);
                if (r >= 0) return r;
                break;
            }
            SD_IMP_W(v, BW_PHASE) = BP_NEWT_ITER;
            break;
        }
        case BP_GOT_J:
            st[SD_ODE_NJEV * ss] += 1.0;
            SD_IMP_W(v, BW_LUVALID) = 0.0;
            SD_IMP_W(v, BW_CURJAC) = 1.0;
            SD_IMP_W(v, BW_PHASE) = BP_NEWT_START;
            break;
        default: /* BP_FAILED */
            return SD_IMP_DONE;
        }
    }
}

#endif
