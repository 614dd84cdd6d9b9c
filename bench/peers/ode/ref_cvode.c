/* bench/peers/ode/ref_cvode.c - the independent cross-check of bench/peers/ode/refs.txt: the reference
 * problems integrated by SUNDIALS CVODE (BDF, variable order 1-5, Newton with a dense direct solver and
 * the analytic Jacobian) at rtol 1e-13 and each problem's atol (the same as refs.py's SciPy run).
 * Output times are hit exactly (CVodeSetStopTime), not interpolated. Prints one line per value:
 *   PROBLEM T_END COMPONENT VALUE(%.17e) STEPS
 * and for the event problem (x = 0 crossings of VdP mu = 1 from (2, 0) in [0, 20], CVODE's root finding):
 *   vdp_mu1_xzero - K T_K STEPS
 * Build: cc -O2 ref_cvode.c -lsundials_cvode -lsundials_nvecserial -lsundials_sunlinsoldense
 *        -lsundials_sunmatrixdense -lm   (Debian 12: libsundials-dev, SUNDIALS 6.4)  */
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#define RTOL 1e-13

typedef struct problem {
    const char *name;
    int n;
    double p[3];
    double y0[3];
    double atol; /* absolute tolerance, the same for every component */
    int ntout;
    double tout[3];
    CVRhsFn f;
    CVLsJacFn jac;
} problem;

#define P(ud) ((const double *)(ud))
#define Y(v, i) NV_Ith_S(v, i)
#define J(m, i, j) SM_ELEMENT_D(m, i, j)

static int vdp_f(sunrealtype t, N_Vector y, N_Vector f, void *ud)
{
    (void)t;
    const double x = Y(y, 0), v = Y(y, 1), mu = P(ud)[0];
    Y(f, 0) = v;
    Y(f, 1) = mu * ((1.0 - x * x) * v) - x;
    return 0;
}
static int vdp_jac(sunrealtype t, N_Vector y, N_Vector f, SUNMatrix m, void *ud, N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t, (void)f, (void)t1, (void)t2, (void)t3;
    const double x = Y(y, 0), v = Y(y, 1), mu = P(ud)[0];
    J(m, 0, 0) = 0.0;
    J(m, 0, 1) = 1.0;
    J(m, 1, 0) = mu * (-2.0 * x * v) - 1.0;
    J(m, 1, 1) = mu * (1.0 - x * x);
    return 0;
}
/* Hairer's scaled form: y1' = y2, y2' = ((1 - y1^2) y2 - y1) / eps */
static int vdpeps_f(sunrealtype t, N_Vector y, N_Vector f, void *ud)
{
    (void)t;
    const double a = Y(y, 0), b = Y(y, 1), eps = P(ud)[0];
    Y(f, 0) = b;
    Y(f, 1) = ((1.0 - a * a) * b - a) / eps;
    return 0;
}
static int vdpeps_jac(sunrealtype t, N_Vector y, N_Vector f, SUNMatrix m, void *ud, N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t, (void)f, (void)t1, (void)t2, (void)t3;
    const double a = Y(y, 0), b = Y(y, 1), eps = P(ud)[0];
    J(m, 0, 0) = 0.0;
    J(m, 0, 1) = 1.0;
    J(m, 1, 0) = (-2.0 * a * b - 1.0) / eps;
    J(m, 1, 1) = (1.0 - a * a) / eps;
    return 0;
}
static int rober_f(sunrealtype t, N_Vector y, N_Vector f, void *ud)
{
    (void)t;
    const double a = Y(y, 0), b = Y(y, 1), c = Y(y, 2), k1 = P(ud)[0], k2 = P(ud)[1], k3 = P(ud)[2];
    const double r1 = k1 * a, r2 = k2 * (b * b), r3 = k3 * (b * c);
    Y(f, 0) = r3 - r1;
    Y(f, 1) = (r1 - r3) - r2;
    Y(f, 2) = r2;
    return 0;
}
static int rober_jac(sunrealtype t, N_Vector y, N_Vector f, SUNMatrix m, void *ud, N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t, (void)f, (void)t1, (void)t2, (void)t3;
    const double b = Y(y, 1), c = Y(y, 2), k1 = P(ud)[0], k2 = P(ud)[1], k3 = P(ud)[2];
    J(m, 0, 0) = -k1; J(m, 0, 1) = k3 * c;                    J(m, 0, 2) = k3 * b;
    J(m, 1, 0) = k1;  J(m, 1, 1) = -k3 * c - 2.0 * k2 * b;    J(m, 1, 2) = -k3 * b;
    J(m, 2, 0) = 0.0; J(m, 2, 1) = 2.0 * k2 * b;              J(m, 2, 2) = 0.0;
    return 0;
}
static int lorenz_f(sunrealtype t, N_Vector y, N_Vector f, void *ud)
{
    (void)t;
    const double x = Y(y, 0), v = Y(y, 1), z = Y(y, 2), s = P(ud)[0], r = P(ud)[1], b = P(ud)[2];
    Y(f, 0) = s * (v - x);
    Y(f, 1) = x * (r - z) - v;
    Y(f, 2) = x * v - b * z;
    return 0;
}
static int lorenz_jac(sunrealtype t, N_Vector y, N_Vector f, SUNMatrix m, void *ud, N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t, (void)f, (void)t1, (void)t2, (void)t3;
    const double x = Y(y, 0), v = Y(y, 1), z = Y(y, 2), s = P(ud)[0], r = P(ud)[1], b = P(ud)[2];
    J(m, 0, 0) = -s;    J(m, 0, 1) = s;   J(m, 0, 2) = 0.0;
    J(m, 1, 0) = r - z; J(m, 1, 1) = -1.0; J(m, 1, 2) = -x;
    J(m, 2, 0) = v;     J(m, 2, 1) = x;   J(m, 2, 2) = -b;
    return 0;
}
static int xzero(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
    (void)t, (void)ud;
    g[0] = Y(y, 0);
    return 0;
}

static void die(const char *what, int flag)
{
    fprintf(stderr, "ref_cvode: %s failed (flag %d)\n", what, flag);
    exit(1);
}
#define CHECK(call) do { int flag_ = (call); if (flag_ < 0) die(#call, flag_); } while (0)

/* Integrates one problem; with `events`, reports every root of x in (0, tout[0]] instead of states. */
static void run(SUNContext ctx, const problem *pb, int events)
{
    N_Vector y = N_VNew_Serial(pb->n, ctx);
    SUNMatrix A = SUNDenseMatrix(pb->n, pb->n, ctx);
    if (!y || !A) die("N_VNew_Serial/SUNDenseMatrix", -1);
    for (int i = 0; i < pb->n; i++) Y(y, i) = pb->y0[i];
    SUNLinearSolver LS = SUNLinSol_Dense(y, A, ctx);
    void *cv = CVodeCreate(CV_BDF, ctx);
    if (!LS || !cv) die("SUNLinSol_Dense/CVodeCreate", -1);
    CHECK(CVodeInit(cv, pb->f, 0.0, y));
    CHECK(CVodeSStolerances(cv, RTOL, pb->atol));
    CHECK(CVodeSetUserData(cv, (void *)pb->p));
    CHECK(CVodeSetLinearSolver(cv, LS, A));
    CHECK(CVodeSetJacFn(cv, pb->jac));
    CHECK(CVodeSetMaxNumSteps(cv, 100000000L));
    if (events) CHECK(CVodeRootInit(cv, 1, xzero));
    double t = 0.0;
    int k = 0;
    for (int o = 0; o < pb->ntout; o++) {
        CHECK(CVodeSetStopTime(cv, pb->tout[o]));
        for (;;) {
            int flag = CVode(cv, pb->tout[o], y, &t, CV_NORMAL);
            if (flag < 0) die("CVode", flag);
            long nst;
            CHECK(CVodeGetNumSteps(cv, &nst));
            if (flag == CV_ROOT_RETURN) {
                printf("%s_xzero - %d %.17e %ld\n", pb->name, ++k, t, nst);
                continue;
            }
            if (!events)
                for (int i = 0; i < pb->n; i++) printf("%s %.17g %d %.17e %ld\n", pb->name, pb->tout[o], i, Y(y, i), nst);
            break;
        }
    }
    CVodeFree(&cv);
    SUNLinSolFree(LS);
    SUNMatDestroy(A);
    N_VDestroy(y);
}

int main(void)
{
    SUNContext ctx;
    if (SUNContext_Create(NULL, &ctx) != 0) die("SUNContext_Create", -1);
    /* atol per problem: ~1e-13 of the solution's scale, smaller where a component is small
     * (VdP mu = 1000: v ~ 1e-3 on the slow manifold; Robertson: y2 ~ 1e-5 .. 1e-14). */
    const problem pbs[] = {
        {"vdp_mu1", 2, {1.0}, {2.0, 0.0}, 1e-13, 2, {20.0, 100.0}, vdp_f, vdp_jac},
        {"vdp_eps1e-3", 2, {1e-3}, {2.0, -0.6666654321121172}, 1e-13, 1, {2.0}, vdpeps_f, vdpeps_jac},
        {"vdp_mu1000", 2, {1000.0}, {2.0, 0.0}, 1e-16, 1, {3000.0}, vdp_f, vdp_jac},
        {"robertson", 3, {0.04, 3e7, 1e4}, {1.0, 0.0, 0.0}, 1e-22, 3, {40.0, 1e5, 1e11}, rober_f, rober_jac},
        {"lorenz", 3, {10.0, 28.0, 8.0 / 3.0}, {1.0, 1.0, 1.0}, 1e-13, 1, {1.0}, lorenz_f, lorenz_jac},
    };
    for (size_t i = 0; i < sizeof pbs / sizeof pbs[0]; i++) run(ctx, &pbs[i], 0);
    const problem ev = {"vdp_mu1", 2, {1.0}, {2.0, 0.0}, 1e-13, 1, {20.0}, vdp_f, vdp_jac};
    run(ctx, &ev, 1);
    SUNContext_Free(&ctx);
    return 0;
}
