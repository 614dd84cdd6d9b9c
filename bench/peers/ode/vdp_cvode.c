/* bench/peers/ode/vdp_cvode.c - the SUNDIALS peer of stardag's implicit (stiff) ensemble: M Van der Pol
 * oscillators (x' = v, v' = mu (1 - x^2) v - x, mu_i = 100 + 900 i / (M - 1), y0 = (2, 0), t in [0, 3000],
 * rtol = atol = 1e-6 by default) integrated by CVODE BDF (variable order 1-5, Newton iteration, dense
 * LU with the analytic Jacobian), one integrator re-initialised per member, CVODE's defaults otherwise;
 * the output time is hit exactly (CVodeSetStopTime). --threads T: an OpenMP loop over the members, one
 * integrator per thread. Prints the median (min, max) wall time and the median CPU time of --reps runs of the whole ensemble,
 * the summed steps, RHS evaluations (Newton iterations + difference-free Jacobian: nfe only), Jacobian
 * evaluations, LU factorisations (linear solver setups) and the sums of the final x and v.
 * --members 1 --mu-lo 1000: the single stiff system (latency).
 * Build: cc -O3 -march=native -fopenmp vdp_cvode.c -lsundials_cvode -lsundials_nvecserial
 *        -lsundials_sunlinsoldense -lsundials_sunmatrixdense -lm  */
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "peer_common.h"

static const char usage[] =
    "usage: vdp_cvode [--members 1000] [--mu-lo 100] [--mu-hi 1000] [--t-end 3000] [--rtol 1e-6] [--atol 1e-6]\n"
    "                 [--threads 1] [--reps 1] [--states FILE]\n";

static int vdp_f(sunrealtype t, N_Vector y, N_Vector f, void *ud)
{
    (void)t;
    const double *yd = N_VGetArrayPointer(y), mu = *(const double *)ud;
    double *fd = N_VGetArrayPointer(f);
    fd[0] = yd[1];
    fd[1] = mu * ((1.0 - yd[0] * yd[0]) * yd[1]) - yd[0];
    return 0;
}
static int vdp_jac(sunrealtype t, N_Vector y, N_Vector f, SUNMatrix m, void *ud, N_Vector t1, N_Vector t2,
                   N_Vector t3)
{
    (void)t, (void)f, (void)t1, (void)t2, (void)t3;
    const double *yd = N_VGetArrayPointer(y), mu = *(const double *)ud;
    SM_ELEMENT_D(m, 0, 0) = 0.0;
    SM_ELEMENT_D(m, 0, 1) = 1.0;
    SM_ELEMENT_D(m, 1, 0) = mu * (-2.0 * yd[0] * yd[1]) - 1.0;
    SM_ELEMENT_D(m, 1, 1) = mu * (1.0 - yd[0] * yd[0]);
    return 0;
}

static void die(const char *what, long member, int flag)
{
    fprintf(stderr, "vdp_cvode: %s failed (member %ld, flag %d)\n", what, member, flag);
    exit(1);
}
#define CHECK(call, i) do { int flag_ = (call); if (flag_ < 0) die(#call, i, flag_); } while (0)

static void solve_ensemble(const peer_opts *o, double *yout, peer_counts *total)
{
    long steps = 0, rhs = 0, jac = 0, lu = 0, fails = 0;
#pragma omp parallel num_threads(o->threads) reduction(+ : steps, rhs, jac, lu, fails)
    {
        SUNContext ctx;
        if (SUNContext_Create(NULL, &ctx) != 0) die("SUNContext_Create", -1, -1);
        N_Vector y = N_VNew_Serial(2, ctx);
        SUNMatrix A = SUNDenseMatrix(2, 2, ctx);
        if (!y || !A) die("N_VNew_Serial/SUNDenseMatrix", -1, -1);
        double *yd = N_VGetArrayPointer(y), mu = 0.0;
        yd[0] = 2.0, yd[1] = 0.0;
        SUNLinearSolver LS = SUNLinSol_Dense(y, A, ctx);
        void *cv = CVodeCreate(CV_BDF, ctx);
        if (!LS || !cv) die("SUNLinSol_Dense/CVodeCreate", -1, -1);
        CHECK(CVodeInit(cv, vdp_f, 0.0, y), -1);
        CHECK(CVodeSStolerances(cv, o->rtol, o->atol), -1);
        CHECK(CVodeSetUserData(cv, &mu), -1);
        CHECK(CVodeSetLinearSolver(cv, LS, A), -1);
        CHECK(CVodeSetJacFn(cv, vdp_jac), -1);
        CHECK(CVodeSetMaxNumSteps(cv, 10000000L), -1);
#pragma omp for schedule(dynamic, 4)
        for (long i = 0; i < o->members; i++) {
            mu = peer_mu(o, i);
            yd[0] = 2.0, yd[1] = 0.0;
            CHECK(CVodeReInit(cv, 0.0, y), i); /* also resets the counters */
            CHECK(CVodeSetStopTime(cv, o->t_end), i);
            double t;
            CHECK(CVode(cv, o->t_end, y, &t, CV_NORMAL), i);
            long nst, nfe, nje, nsetups, netf;
            CHECK(CVodeGetNumSteps(cv, &nst), i);
            CHECK(CVodeGetNumRhsEvals(cv, &nfe), i);
            CHECK(CVodeGetNumJacEvals(cv, &nje), i);
            CHECK(CVodeGetNumLinSolvSetups(cv, &nsetups), i);
            CHECK(CVodeGetNumErrTestFails(cv, &netf), i);
            steps += nst, rhs += nfe, jac += nje, lu += nsetups, fails += netf;
            yout[2 * i] = yd[0], yout[2 * i + 1] = yd[1];
        }
        CVodeFree(&cv);
        SUNLinSolFree(LS);
        SUNMatDestroy(A);
        N_VDestroy(y);
        SUNContext_Free(&ctx);
    }
    total->steps = steps, total->rhs = rhs, total->jac = jac, total->lu = lu, total->failed_steps = fails;
}

int main(int argc, char **argv)
{
    peer_opts o = {1000, 100.0, 1000.0, 3000.0, 1e-6, 1e-6, 1, 1, ""};
    peer_parse(argc, argv, &o, usage);
#ifndef _OPENMP
    if (o.threads > 1) {
        fprintf(stderr, "vdp_cvode: built without OpenMP, --threads must be 1\n");
        return 2;
    }
#endif
    double *y = malloc(2 * (size_t)o.members * sizeof *y), *times = malloc((size_t)o.reps * sizeof *times);
    double *cpu = malloc((size_t)o.reps * sizeof *cpu);
    if (!y || !times || !cpu) {
        fprintf(stderr, "vdp_cvode: out of memory for %ld members\n", o.members);
        return 1;
    }
    peer_counts c = {0, 0, 0, 0, 0};
    for (int r = 0; r < o.reps; r++) {
        const double t0 = peer_now(), c0 = peer_cpu();
        solve_ensemble(&o, y, &c);
        times[r] = peer_now() - t0;
        cpu[r] = peer_cpu() - c0;
    }
    peer_report("cvode_bdf", &o, y, &c, times, cpu);
    free(y);
    free(times);
    free(cpu);
    return 0;
}
