/* t_ode_implicit_large.c - one large stiff system (n = 1000, a lone lane: stride-1 matrices):
 * y' = A y with A = H diag(lambda) H, H a Householder reflection (symmetric, orthogonal) and lambda
 * from -1 to -1000 (stiffness ratio 1e3), against the exact solution
 * y(t) = H diag(exp(lambda t)) H y0 (expm(A t) y0 through A's eigen-decomposition). */
#include <math.h>
#include "tap.h"
#include "t_ode_implicit_fixture.h"

enum { N = 1000 };
typedef struct linsys { double *A, v[N], lam[N], vv; } linsys;

static void lin_f(const void *ctx, const sd_ode_lanes *in, double *out)
{
    const linsys *s = ctx;
    for (int l = 0; l < in->nl; l++)
        for (int r = 0; r < N; r++) {
            const double *a = s->A + (int64_t)r * N;
            double acc = 0.0;
            for (int c = 0; c < N; c++) acc += a[c] * in->y[c * SD_ODE_LANES + l];
            out[r * SD_ODE_LANES + l] = acc;
        }
}
static void lin_jac(const void *ctx, const sd_ode_lanes *in, double *out)
{
    const linsys *s = ctx;
    for (int l = 0; l < in->nl; l++)
        for (int64_t k = 0; k < (int64_t)N * N; k++) out[k * SD_ODE_LANES + l] = s->A[k];
}

/* x <- H x */
static void householder(const linsys *s, double *x)
{
    double d = 0.0;
    for (int i = 0; i < N; i++) d += s->v[i] * x[i];
    for (int i = 0; i < N; i++) x[i] -= 2.0 * d / s->vv * s->v[i];
}

static void run(const sd_ode_system *sys, const linsys *s, char method, double rtol, double atol, const double times[3],
                int nint)
{
    double y0[N], ex[N];
    for (int i = 0; i < N; i++) y0[i] = 1.0 + 0.5 * sin(0.37 * i);
    batch b;
    batch_init(&b, sys, method, 1, y0, NULL, NULL, rtol, atol);
    const char *mn = method == 'r' ? "radau5" : "bdf";
    double t0 = 0.0;
    for (int k = 0; k < nint; k++) {
        batch_task(&b, 0, 1, t0, times[k]);
        t0 = times[k];
        memcpy(ex, y0, sizeof ex);
        householder(s, ex);
        for (int i = 0; i < N; i++) ex[i] *= exp(s->lam[i] * times[k]);
        householder(s, ex);
        double e = 0.0;
        for (int i = 0; i < N; i++) {
            const double q = (b.y[i] - ex[i]) / (atol + rtol * fabs(ex[i]));
            e += q * q;
        }
        e = sqrt(e / N);
        ok(e <= 10.0 && batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_OK,
           "%s n = %d, rtol %.0e: at t = %g the scaled error against expm(A t) y0 is %.3g (<= 10)", mn, N, rtol,
           times[k], e);
    }
    diag("%s n = %d: %.0f steps, %.0f rejected, %.0f f, %.0f J, %.0f LU", mn, N, batch_stat(&b, 0, SD_ODE_NACCEPT),
         batch_stat(&b, 0, SD_ODE_NREJECT), batch_stat(&b, 0, SD_ODE_NFEV), batch_stat(&b, 0, SD_ODE_NJEV),
         batch_stat(&b, 0, SD_ODE_NLU));
    batch_free(&b);
}

int main(void)
{
    static linsys s;
    s.A = xcalloc((size_t)N * N, sizeof(double));
    s.vv = 0.0;
    for (int i = 0; i < N; i++) {
        s.v[i] = 1.0 + 0.3 * cos(0.11 * i);
        s.vv += s.v[i] * s.v[i];
        s.lam[i] = -pow(10.0, 3.0 * i / (N - 1));
    }
    /* A = H diag(lam) H, column by column: A e_c = H (lam . (H e_c)) */
    double col[N];
    for (int c = 0; c < N; c++) {
        memset(col, 0, sizeof col);
        col[c] = 1.0;
        householder(&s, col);
        for (int i = 0; i < N; i++) col[i] *= s.lam[i];
        householder(&s, col);
        for (int r = 0; r < N; r++) s.A[(int64_t)r * N + c] = col[r];
    }
    const sd_ode_system sys = {.name = "linear1000", .n = N, .f = lin_f, .jac = lin_jac, .ctx = &s};
    /* radau5 factors a real and a complex n x n matrix per new step size (~3 Gflop each at n = 1000):
       a shorter span keeps the test under ~15 s */
    const double tb[3] = {0.01, 0.1, 0.5}, tr[3] = {0.005, 0.02, 0.05};
    /* SD_TEST_SHORT=1 (the CI's sanitizer passes: n x n factorisations run ~5x slower there): the first
       interval only, the same code paths; the normal pass integrates all three */
    const int nint = tap_short() ? 1 : 3;
    run(&sys, &s, 'b', 1e-6, 1e-8, tb, nint);
    run(&sys, &s, 'r', 1e-6, 1e-8, tr, nint);
    free(s.A);
    return tap_done();
}
