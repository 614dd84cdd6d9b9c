/* minimise.c - CPU loops of the membrane minimiser ops: loops and indexing only, the arithmetic
 * is in minimise_math.h. Vertex fields are 3-component SoA (component c of vertex v at
 * p[v + c*sc]); only the owned vertices [0, nv_own) are read or written, ghosts never. */
#include "minimise_kernels.h"
#include "minimise_math.h"

#define FIELD(a, b) ((double *)(a)->p[b])
#define SCALAR(a, b) (*(const double *)(a)->p[b])

/* gp = g - mu vgrad. */
void sd_membrane_project_cpu(const sd_tile_args *a)
{
    const double mu = membrane_mu(SCALAR(a, 2), SCALAR(a, 3), a->param[0] != 0);
    const int64_t n = a->mesh.nv_own;
    for (int k = 0; k < 3; k++) {
        const double *restrict g = FIELD(a, 0) + k * a->sc[0];
        const double *restrict vg = FIELD(a, 1) + k * a->sc[1];
        double *restrict gp = FIELD(a, 4) + k * a->sc[4];
        for (int64_t v = 0; v < n; v++) gp[v] = membrane_project(g[v], vg[v], mu);
    }
}

/* gg, gq, qq: every product rounded once, then summed exactly. */
void sd_membrane_cg_dots_cpu(const sd_tile_args *a)
{
    const int64_t n = a->mesh.nv_own;
    sd_acc_batch gg = {.acc = &a->acc[0]}, gq = {.acc = &a->acc[1]}, qq = {.acc = &a->acc[2]};
    for (int k = 0; k < 3; k++) {
        const double *restrict gp = FIELD(a, 0) + k * a->sc[0];
        const double *restrict q = FIELD(a, 1) + k * a->sc[1];
        for (int64_t v = 0; v < n; v++) {
            sd_acc_batch_put(&gg, gp[v] * gp[v]);
            sd_acc_batch_put(&gq, gp[v] * q[v]);
            sd_acc_batch_put(&qq, q[v] * q[v]);
        }
    }
    sd_acc_batch_flush(&gg);
    sd_acc_batch_flush(&gq);
    sd_acc_batch_flush(&qq);
}

/* d = -gp + beta d, gprev = gp; nothing once converged. */
void sd_membrane_direction_cpu(const sd_tile_args *a)
{
    const double gg = SCALAR(a, 3);
    if (membrane_converged(gg, a->param[1])) return;
    const double beta = membrane_cg_beta(gg, SCALAR(a, 4), SCALAR(a, 5), SCALAR(a, 6), a->param[0] != 0);
    const int64_t n = a->mesh.nv_own;
    for (int k = 0; k < 3; k++) {
        const double *restrict gp = FIELD(a, 0) + k * a->sc[0];
        double *restrict d = FIELD(a, 1) + k * a->sc[1];
        double *restrict q = FIELD(a, 2) + k * a->sc[2];
        for (int64_t v = 0; v < n; v++) {
            d[v] = membrane_cg_direction(gp[v], d[v], beta);
            q[v] = gp[v];
        }
    }
}

/* s = gp . d. */
void sd_membrane_slope_cpu(const sd_tile_args *a)
{
    const int64_t n = a->mesh.nv_own;
    sd_acc_batch b = {.acc = &a->acc[0]};
    for (int k = 0; k < 3; k++) {
        const double *restrict gp = FIELD(a, 0) + k * a->sc[0];
        const double *restrict d = FIELD(a, 1) + k * a->sc[1];
        for (int64_t v = 0; v < n; v++) sd_acc_batch_put(&b, gp[v] * d[v]);
    }
    sd_acc_batch_flush(&b);
}

/* x = x + step d + lam_k vgrad, the accepted trial's point; k < 0 or step 0: nothing is written. */
void sd_membrane_step_cpu(const sd_tile_args *a)
{
    const double step = SCALAR(a, 3);
    const int k = membrane_accepted_trial(SCALAR(a, 4));
    if (k < 0 || step == 0) return;
    const double lam = SCALAR(a, 5 + k);
    const int64_t n = a->mesh.nv_own;
    for (int c = 0; c < 3; c++) {
        double *restrict x = FIELD(a, 0) + c * a->sc[0];
        const double *restrict d = FIELD(a, 1) + c * a->sc[1];
        const double *restrict vg = FIELD(a, 2) + c * a->sc[2];
        for (int64_t v = 0; v < n; v++) x[v] = membrane_restored_position(x[v], d[v], step, vg[v], lam);
    }
}

/* lam_k = (v0 - V_k) / vv (0 when fix = 0 or vv = 0). */
void sd_membrane_trial_lambda_cpu(const sd_tile_args *a)
{
    for (int k = 0; k < MEMBRANE_ARMIJO_TRIALS; k++)
        *(double *)a->p[6 + k] = membrane_restore_coef(SCALAR(a, 0), SCALAR(a, 2 + k), SCALAR(a, 1), a->param[0] != 0);
}

void sd_membrane_armijo_cpu(const sd_tile_args *a)
{
    membrane_armijo_in in = {.merit = SCALAR(a, 0), .slope = SCALAR(a, 1), .gg = SCALAR(a, 2),
                             .alpha = SCALAR(a, 7), .c1 = a->param[0], .grow = a->param[1],
                             .alpha0 = a->param[2], .tol = a->param[3]};
    for (int k = 0; k < MEMBRANE_ARMIJO_TRIALS; k++) in.trial[k] = SCALAR(a, 3 + k);
    const membrane_armijo_out o = membrane_armijo(&in);
    *(double *)a->p[7] = o.alpha;
    *(double *)a->p[8] = o.step;
    *(double *)a->p[9] = o.restart;
    *(double *)a->p[10] = o.k;
}

/* d = 0, gprev = 0 (a fresh search: the first direction is -gp). */
void sd_membrane_cg_reset_cpu(const sd_tile_args *a)
{
    const int64_t n = a->mesh.nv_own;
    for (int b = 0; b < 2; b++)
        for (int k = 0; k < 3; k++) {
            double *restrict f = FIELD(a, b) + k * a->sc[b];
            for (int64_t v = 0; v < n; v++) f[v] = 0.0;
        }
}

/* alpha = alpha0, restart = 1, gg = +inf (not converged). */
void sd_membrane_line_init_cpu(const sd_tile_args *a)
{
    *(double *)a->p[0] = a->param[0];
    *(double *)a->p[1] = 1.0;
    *(double *)a->p[2] = MEMBRANE_GG_UNKNOWN;
}
