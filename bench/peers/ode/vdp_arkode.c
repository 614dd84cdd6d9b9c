/* bench/peers/ode/vdp_arkode.c - the SUNDIALS peer of stardag's explicit ensemble: M Van der Pol
 * oscillators (x' = v, v' = mu (1 - x^2) v - x, mu_i = 0.5 + 1.5 i / (M - 1), y0 = (2, 0), t in [0, 20],
 * rtol = atol = 1e-6 by default) integrated by ARKODE's ERKStep with the Dormand-Prince 5(4) table
 * (ARKODE_DORMAND_PRINCE_7_4_5), one integrator re-initialised per member, ARKODE's default step-size
 * control; the output time is hit exactly (ERKStepSetStopTime), as solve_ivp does. --threads T: an
 * OpenMP loop over the members, one integrator per thread (dynamic chunks of 16 members).
 * Prints the median (and min, max) wall time, and the median CPU time, of --reps runs of the whole ensemble, the summed steps and
 * RHS evaluations, and the sums of the final x and v (a checksum). --members 1 --mu-lo MU: one system.
 * Build: cc -O3 -march=native -fopenmp vdp_arkode.c -lsundials_arkode -lsundials_nvecserial -lm  */
#include <arkode/arkode_erkstep.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "peer_common.h"

static const char usage[] =
    "usage: vdp_arkode [--members 10000] [--mu-lo 0.5] [--mu-hi 2] [--t-end 20] [--rtol 1e-6] [--atol 1e-6]\n"
    "                  [--threads 1] [--reps 1] [--states FILE]\n";

static int vdp_f(sunrealtype t, N_Vector y, N_Vector f, void *ud)
{
    (void)t;
    const double *yd = N_VGetArrayPointer(y), mu = *(const double *)ud;
    double *fd = N_VGetArrayPointer(f);
    fd[0] = yd[1];
    fd[1] = mu * ((1.0 - yd[0] * yd[0]) * yd[1]) - yd[0];
    return 0;
}

static void die(const char *what, long member, int flag)
{
    fprintf(stderr, "vdp_arkode: %s failed (member %ld, flag %d)\n", what, member, flag);
    exit(1);
}
#define CHECK(call, i) do { int flag_ = (call); if (flag_ < 0) die(#call, i, flag_); } while (0)

/* The members [0, M) on the calling thread team; final states into y[2i], y[2i+1]. */
static void solve_ensemble(const peer_opts *o, double *yout, peer_counts *total)
{
    long steps = 0, rhs = 0, fails = 0;
#pragma omp parallel num_threads(o->threads) reduction(+ : steps, rhs, fails)
    {
        SUNContext ctx;
        if (SUNContext_Create(NULL, &ctx) != 0) die("SUNContext_Create", -1, -1);
        N_Vector y = N_VNew_Serial(2, ctx);
        if (!y) die("N_VNew_Serial", -1, -1);
        double *yd = N_VGetArrayPointer(y), mu = 0.0;
        yd[0] = 2.0, yd[1] = 0.0;
        void *ark = ERKStepCreate(vdp_f, 0.0, y, ctx);
        if (!ark) die("ERKStepCreate", -1, -1);
        CHECK(ERKStepSetTableNum(ark, ARKODE_DORMAND_PRINCE_7_4_5), -1);
        CHECK(ERKStepSStolerances(ark, o->rtol, o->atol), -1);
        CHECK(ERKStepSetUserData(ark, &mu), -1);
        CHECK(ERKStepSetMaxNumSteps(ark, 10000000L), -1);
#pragma omp for schedule(dynamic, 16)
        for (long i = 0; i < o->members; i++) {
            mu = peer_mu(o, i);
            yd[0] = 2.0, yd[1] = 0.0;
            CHECK(ERKStepReInit(ark, vdp_f, 0.0, y), i); /* also resets the counters */
            CHECK(ERKStepSetStopTime(ark, o->t_end), i);
            double t;
            CHECK(ERKStepEvolve(ark, o->t_end, y, &t, ARK_NORMAL), i);
            long nst, nfe, netf;
            CHECK(ERKStepGetNumSteps(ark, &nst), i);
            CHECK(ERKStepGetNumRhsEvals(ark, &nfe), i);
            CHECK(ERKStepGetNumErrTestFails(ark, &netf), i);
            steps += nst, rhs += nfe, fails += netf;
            yout[2 * i] = yd[0], yout[2 * i + 1] = yd[1];
        }
        ERKStepFree(&ark);
        N_VDestroy(y);
        SUNContext_Free(&ctx);
    }
    total->steps = steps, total->rhs = rhs, total->failed_steps = fails;
}

int main(int argc, char **argv)
{
    peer_opts o = {10000, 0.5, 2.0, 20.0, 1e-6, 1e-6, 1, 1, ""};
    peer_parse(argc, argv, &o, usage);
#ifndef _OPENMP
    if (o.threads > 1) {
        fprintf(stderr, "vdp_arkode: built without OpenMP, --threads must be 1\n");
        return 2;
    }
#endif
    double *y = malloc(2 * (size_t)o.members * sizeof *y), *times = malloc((size_t)o.reps * sizeof *times);
    double *cpu = malloc((size_t)o.reps * sizeof *cpu);
    if (!y || !times || !cpu) {
        fprintf(stderr, "vdp_arkode: out of memory for %ld members\n", o.members);
        return 1;
    }
    peer_counts c = {0, 0, 0, 0, 0};
    for (int r = 0; r < o.reps; r++) {
        const double t0 = peer_now(), c0 = peer_cpu();
        solve_ensemble(&o, y, &c);
        times[r] = peer_now() - t0;
        cpu[r] = peer_cpu() - c0;
    }
    peer_report("arkode_erk_dp5", &o, y, &c, times, cpu);
    free(y);
    free(times);
    free(cpu);
    return 0;
}
