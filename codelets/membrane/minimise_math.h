/* minimise_math.h - the per-vertex and per-step math of the membrane minimiser (projected
 * gradient, Polak-Ribiere CG, Armijo backtracking), once, as SD_HD functions shared by the CPU
 * loops (minimise.c) and the CUDA kernels (minimise.cu). Only + - * / and comparisons: CPU and
 * CUDA give the same bits (gcc -ffp-contract=off, nvcc -fmad=false).
 *
 * One iteration (one graph step) runs, in this order (docs/membrane-minimise.md):
 * (after membrane.measure (v0), membrane.cg_reset and membrane.line_init at init)
 *   membrane.energy -> membrane.project -> membrane.cg_dots -> membrane.direction
 *   -> membrane.slope -> membrane.trial_volume -> membrane.trial_lambda -> membrane.trial_energy
 *   -> membrane.armijo -> membrane.step
 * Each trial point is restored onto the volume by one Newton step along vgrad (taken at x):
 * y_k = x + a_k d + lam_k vgrad, lam_k = (v0 - V(x + a_k d)) / vv, and the line search compares
 * the energy itself: E(y(a)) has slope gp . d = s at a = 0 (with gp = g - mu vgrad,
 * mu = gv / vv), and the accepted trial is bitwise the next state, so E never increases. */
#ifndef SD_MEMBRANE_MINIMISE_MATH_H
#define SD_MEMBRANE_MINIMISE_MATH_H

#include <math.h>
#include "stardag/kernel.h"
#include "membrane_math.h" /* membrane_trial_step, membrane_restored_position: shared with trial_energy */

/* Trial steps the line search evaluates (membrane.trial_energy's L0..L3 at alpha 2^-k). */
#define MEMBRANE_ARMIJO_TRIALS 4

/* The Lagrange multiplier of the volume constraint: the component of g along vgrad. 0 when the
 * volume is free (fix = 0) or vgrad vanishes (vv = 0, or not a number). */
SD_HD double membrane_mu(double gv, double vv, int fix) { return fix && vv > 0 ? gv / vv : 0.0; }

/* Volume restoration of a trial point (membrane.trial_lambda): one Newton step along vgrad,
 * y += c vgrad, c = (v0 - V) / vv; 0 when the volume is free, vgrad vanishes or c is not a number. */
SD_HD double membrane_restore_coef(double v0, double volume, double vv, int fix)
{
    if (!fix || !(vv > 0)) return 0.0;
    const double c = (v0 - volume) / vv;
    return c == c ? c : 0.0;
}

/* Positions move only through membrane_math.h's membrane_restored_position(x, d, a, vgrad, lam),
 * the function membrane.trial_energy evaluates its trials with: membrane.step calls it with
 * a = step = membrane_trial_step(alpha, k) (armijo's, exactly the trial's) and lam = lam_k of the
 * accepted k, so the accepted state is bitwise the evaluated trial. */

/* membrane.armijo's k (a double scalar) as an index into lam0..lam3; -1 for none (k = -1, or
 * anything that is not 0, 1, 2 or 3: membrane.step then moves nothing). */
SD_HD int membrane_accepted_trial(double k)
{
    for (int i = 0; i < MEMBRANE_ARMIJO_TRIALS; i++)
        if (k == i) return i;
    return -1;
}

/* Projected gradient component: gp = g - mu vgrad. */
SD_HD double membrane_project(double g, double vgrad, double mu) { return g - mu * vgrad; }

/* Polak-Ribiere+ coefficient: beta = max(0, (gg - gq) / qq), gg = gp.gp, gq = gp.gprev,
 * qq = gprev.gprev. 0 (a steepest-descent step) for method 0, after a restart (restart != 0: the
 * previous line search failed or its direction was not a descent one), when qq = 0 (the first
 * step: gprev = 0) and when the quotient is not a number. */
SD_HD double membrane_cg_beta(double gg, double gq, double qq, double restart, int method)
{
    if (!method || restart != 0 || !(qq > 0)) return 0.0;
    const double b = (gg - gq) / qq;
    return b > 0 ? b : 0.0;
}

/* Converged when |gp| = sqrt(gg) <= tol (tol >= 0), literally (sqrt is correctly rounded on CPU
 * and CUDA, so a run's stop condition on sqrt(gg) <= tol agrees with these ops to the last bit).
 * Not a number: not converged. Before the first step gg holds MEMBRANE_GG_UNKNOWN
 * (membrane.line_init): not converged. */
#define MEMBRANE_GG_UNKNOWN (1.0 / 0.0)
SD_HD int membrane_converged(double gg, double tol) { return sqrt(gg) <= tol; }

/* The new search direction component: d = -gp + beta d (= beta d - gp, the same bits); with
 * beta = 0 exactly -gp, whatever the old d holds. */
SD_HD double membrane_cg_direction(double gp, double d, double beta) { return beta == 0 ? -gp : beta * d - gp; }

/* ---- the Armijo decision (membrane.armijo, one task per step) -------------------------------- */
typedef struct membrane_armijo_in {
    double merit;                      /* E(x) (membrane.energy) */
    double slope;                      /* s = gp . d (membrane.slope) */
    double gg;                         /* gp . gp (membrane.cg_dots) */
    double trial[MEMBRANE_ARMIJO_TRIALS]; /* E at the restored trial k (membrane.trial_energy) */
    double alpha;                      /* the first trial step of this step's trials */
    double c1, grow, alpha0, tol;      /* parameters */
} membrane_armijo_in;

typedef struct membrane_armijo_out {
    double step;    /* the accepted alpha 2^-k, or 0 (no move) */
    double alpha;   /* the next step's first trial step */
    double restart; /* 1: the next direction restarts with beta = 0 */
    int k;          /* the accepted trial, or -1 */
} membrane_armijo_out;

/* In this order:
 *  1. converged (sqrt(gg) <= tol): step 0, alpha kept, restart 0 (d no longer changes);
 *  2. alpha not > 0 (a fresh graph's alpha scalar is 0: the trials were evaluated at step 0 and
 *     say nothing): step 0, alpha = alpha0, restart 1;
 *  3. not a descent direction (s >= 0 or not a number): step 0, alpha kept, restart 1;
 *  4. the first k in 0..3 with L_k <= L + c1 (alpha 2^-k) s (a number: NaN trials fail) is
 *     accepted: step = alpha 2^-k, restart 0, next alpha = alpha grow if k = 0, else alpha 2^-k;
 *  5. none: step 0, alpha = alpha 2^-4, restart 1. */
SD_HD membrane_armijo_out membrane_armijo(const membrane_armijo_in *in)
{
    membrane_armijo_out o = {0.0, in->alpha, 0.0, -1};
    if (membrane_converged(in->gg, in->tol)) return o;
    if (!(in->alpha > 0)) {
        o.alpha = in->alpha0;
        o.restart = 1.0;
        return o;
    }
    o.restart = 1.0;
    if (!(in->slope < 0)) return o;
    for (int k = 0; k < MEMBRANE_ARMIJO_TRIALS; k++) {
        const double a = membrane_trial_step(in->alpha, k);
        if (in->trial[k] <= in->merit + in->c1 * a * in->slope) {
            o.step = a;
            o.alpha = k == 0 ? in->alpha * in->grow : a;
            o.restart = 0.0;
            o.k = k;
            return o;
        }
    }
    o.alpha = membrane_trial_step(in->alpha, MEMBRANE_ARMIJO_TRIALS);
    return o;
}

/* ---- Newton steps (membrane.newton builds d, membrane.newton_accept decides) ------------------
 * membrane.newton solves (H + lm M) dphi = -gphi on the volume constraint's tangent (H the
 * Hessian of the Lagrangian E - mu V for motion along the vertex normals, M the vertex areas,
 * lm >= 0 a Levenberg-Marquardt shift keeping the matrix positive definite) and predicts the
 * energy change pred = gphi.dphi + dphi.H.dphi / 2 of the full step d = dphi n. The trials are
 * membrane.trial_energy's L_k at alpha 2^-k (alpha = 1: the full Newton step first). */

/* The shift in use: lm, or lm0 where lm holds no positive number (a fresh scalar is 0). */
SD_HD double membrane_newton_lm(double lm, double lm0) { return lm > 0 ? lm : lm0; }

typedef struct membrane_newton_in {
    double merit;                          /* E(x) */
    double pred;                           /* predicted change of the full step (membrane.newton) */
    double gg;                             /* gp . gp */
    double trial[MEMBRANE_ARMIJO_TRIALS];  /* E at the restored trial k */
    double alpha, lm;                      /* the trials' first step; the shift pred was made with */
    double c1, tol, lm0, lm_min;           /* parameters */
} membrane_newton_in;

typedef struct membrane_newton_out {
    double step; /* alpha 2^-k of the accepted trial, or 0 (no move) */
    double lm;   /* the next step's shift */
    int k;       /* the accepted trial, or -1 */
} membrane_newton_out;

/* In this order:
 *  1. converged (sqrt(gg) <= tol): no move, lm kept;
 *  2. no predicted decrease (pred not < 0, or alpha not > 0): no move, lm * 8;
 *  3. the full step, L_0 <= E + c1 pred (sufficient decrease against the model): accepted; the
 *     shift follows the model's quality rho = (L_0 - E) / pred as in a trust region: lm / 4 (not
 *     below lm_min) when rho > 3/4, lm * 2 when rho < 1/4;
 *  4. else the first k in 1..3 with L_k <= E + c1 2^-k pred (the model's change of a shorter step
 *     is at most 2^-k pred): accepted, lm * 8 (the full step was too long);
 *  5. none: no move, lm * 64. */
SD_HD membrane_newton_out membrane_newton_accept(const membrane_newton_in *in)
{
    const double lm = membrane_newton_lm(in->lm, in->lm0);
    membrane_newton_out o = {0.0, lm, -1};
    if (membrane_converged(in->gg, in->tol)) return o;
    if (!(in->pred < 0) || !(in->alpha > 0)) {
        o.lm = lm * 8;
        return o;
    }
    for (int k = 0; k < MEMBRANE_ARMIJO_TRIALS; k++) {
        const double a = membrane_trial_step(in->alpha, k), model = membrane_trial_step(in->pred, k);
        if (!(in->trial[k] <= in->merit + in->c1 * model)) continue;
        o.step = a;
        o.k = k;
        if (k > 0) {
            o.lm = lm * 8;
            return o;
        }
        const double rho = (in->trial[0] - in->merit) / in->pred;
        o.lm = rho > 0.75 ? (lm / 4 > in->lm_min ? lm / 4 : in->lm_min) : rho < 0.25 ? lm * 2 : lm;
        return o;
    }
    o.lm = lm * 64;
    return o;
}

#endif
