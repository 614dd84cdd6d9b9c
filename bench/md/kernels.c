/* bench/md/kernels.c - the md pack's kernels on LAMMPS' bench/in.lj system (bench/peers/in.lj):
 * fcc at rho* 0.8442, T* 1.44, lj/cut 2.5 (no shift), skin 0.3, dt 0.005, NVE, lists rebuilt every
 * 20 steps (plus a skin/2 displacement check), one core, one block whose ghosts are the periodic
 * images (the kernels exactly as the particles domain calls them: particles sorted by (cell, id)
 * at each rebuild, ghosts from sd_md_ghost_plan, full lists). It measures, it asserts nothing.
 *
 *   kernels [NCELL=20] [STEPS=100] [REPS=20] [check|nocheck]
 *
 * nocheck: rebuild every 20 steps only, as in.lj does ("neigh_modify every 20 check no"; that
 * misses pairs in this system, see tests/t_md_kernels); check (default): also rebuild as soon as a
 * particle moved more than skin/2 (LAMMPS' default "check yes").
 *
 * Prints the step-0/50/100 thermo (per atom, as LAMMPS' "thermo_modify norm yes"), then the time
 * of each kernel per call, per atom-step and per pair: the force kernel is timed REPS times on the
 * liquid reached after STEPS steps. Times are thread CPU time (CLOCK_THREAD_CPUTIME_ID: robust to
 * other load on the machine) and wall time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "md/md_kernels.h"
#include "../../tests/md_sim.h" /* the single-block driver: sim_init, sim_rebuild, sim_step */

static double wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void thermo(sim *s, const char *tag)
{
    sd_acc K, U, W;
    sd_acc_init(&K), sd_acc_init(&U), sd_acc_init(&W);
    sd_md_kinetic(s->n, s->type, s->mass, 1, s->v, s->n, NULL, &K);
    sd_md_lj_energy_virial(&(md_lj_energy_virial_args){.lists = sim_lists(s), .energy = &U, .virial = &W});
    const double N = (double)s->n, V = s->L[0] * s->L[1] * s->L[2];
    const double T = md_temperature(sd_acc_sum(&K), 3 * N - 3, 1.0);
    printf("%s step %4lld  T %.15g  E_pair %.15g  TotEng %.15g  Press %.15g\n", tag, (long long)s->step, T,
           sd_acc_sum(&U) / N, (sd_acc_sum(&U) + sd_acc_sum(&K)) / N,
           ((3 * N - 3) * T + sd_acc_sum(&W)) / (3 * V));
}

int main(int argc, char **argv)
{
    const int64_t nc1 = argc > 1 ? atoll(argv[1]) : 20, steps = argc > 2 ? atoll(argv[2]) : 100;
    const int reps = argc > 3 ? atoi(argv[3]) : 20;
    const int64_t n = 4 * nc1 * nc1 * nc1;
    sim S, *s = &S;
    /* velocities: create, then exact momentum removal and rescaling to 1.44 */
    sim_init(s, nc1, 0.8442, 1.44, 2.5, 0.3, 0.005, 0, 20, 3 * n + 100000, 87287);
    s->nocheck = argc > 4 && !strcmp(argv[4], "nocheck");
    printf("md kernels on bench/in.lj: %lld atoms (fcc %lldx%lldx%lld), box %.10g, rc 2.5, skin 0.3, dt 0.005\n",
           (long long)n, (long long)nc1, (long long)nc1, (long long)nc1, s->L[0]);
    thermo(s, "thermo");
    const double w0 = wall_now(), c0 = cpu_now();
    s->t_build = s->t_force = s->t_other = 0;
    const int64_t nreb0 = s->nrebuild;
    for (int64_t k = 1; k <= steps; k++) {
        sim_step(s);
        if (k % 50 == 0) thermo(s, "thermo");
    }
    const double wrun = wall_now() - w0, crun = cpu_now() - c0;
    printf("run: %lld steps, %lld rebuilds (%lld early by the skin/2 check), %lld ghosts\n", (long long)steps,
           (long long)(s->nrebuild - nreb0), (long long)s->nearly, (long long)s->ng);
    printf("  whole step (incl. rebuilds and thermo): %.1f ns/atom-step cpu (%.1f wall)\n", 1e9 * crun / (steps * n),
           1e9 * wrun / (steps * n));
    printf("  force %.1f, list builds %.1f (%.1f per build per atom), other %.1f ns/atom-step (cpu)\n",
           1e9 * s->t_force / (steps * n), 1e9 * s->t_build / (steps * n),
           1e9 * s->t_build / ((s->nrebuild - nreb0) * n), 1e9 * s->t_other / (steps * n));

    /* the force kernel alone, on the liquid */
    int64_t inrc = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = s->start[i]; k < s->start[i + 1]; k++) {
            const int64_t j = s->nbr[k];
            double r2 = 0;
            for (int d = 0; d < 3; d++) {
                const double dx = s->x[i + d * s->cap] - s->x[j + d * s->cap];
                r2 += dx * dx;
            }
            inrc += r2 < 6.25;
        }
    const int64_t npair = s->start[n];
    double best = 1e30, sum = 0, wsum = 0;
    for (int r = 0; r < reps; r++) {
        const double t0 = cpu_now(), u0 = wall_now();
        sim_forces(s);
        const double t = cpu_now() - t0;
        wsum += wall_now() - u0;
        sum += t;
        best = t < best ? t : best;
    }
    printf("force kernel (%d calls): list entries %lld (%.1f per atom, full list within rl), within rc %lld (%.1f)\n",
           reps, (long long)npair, (double)npair / n, (long long)inrc, (double)inrc / n);
    printf("  %.1f ns/atom-step cpu mean (best %.1f, wall mean %.1f); %.3f ns per list entry, %.3f ns per pair within rc "
           "(full list: each pair twice)\n",
           1e9 * sum / reps / n, 1e9 * best / n, 1e9 * wsum / reps / n, 1e9 * best / npair, 1e9 * best / inrc);
    /* the mixed-precision force kernel on the same lists, and its largest deviation from the double forces */
    double *fd = malloc(sizeof(double) * 3 * (size_t)s->cap), *fm = malloc(sizeof(double) * 3 * (size_t)s->cap);
    if (!fd || !fm) return 1;
    sim_forces(s);
    memcpy(fd, s->f, sizeof(double) * 3 * (size_t)n);
    const md_lj_force_args mixed = {.lists = sim_lists(s), .force = fm, .force_stride = n};
    double mbest = 1e30, msum = 0;
    for (int r = 0; r < reps; r++) {
        const double t0 = cpu_now();
        sd_md_lj_force_mixed(&mixed);
        const double t = cpu_now() - t0;
        msum += t;
        mbest = t < mbest ? t : mbest;
    }
    double fmax = 0, dmax = 0;
    for (int64_t i = 0; i < n; i++)
        for (int d = 0; d < 3; d++) {
            fmax = fmax > fabs(fd[i + d * n]) ? fmax : fabs(fd[i + d * n]);
            const double e = fabs(fm[i + d * n] - fd[i + d * n]);
            dmax = dmax > e ? dmax : e;
        }
    printf("mixed-precision force kernel: %.1f ns/atom-step cpu mean (best %.1f); %.3f ns per list entry; "
           "max |F_mixed - F_double| / max |F| = %.2e\n",
           1e9 * msum / reps / n, 1e9 * mbest / n, 1e9 * mbest / npair, dmax / fmax);
    free(fd), free(fm);
    double te = cpu_now();
    for (int r = 0; r < reps; r++) {
        sd_acc U, W;
        sd_acc_init(&U), sd_acc_init(&W);
        sd_md_lj_energy_virial(&(md_lj_energy_virial_args){.lists = sim_lists(s), .energy = &U, .virial = &W});
    }
    te = cpu_now() - te;
    const md_neighbor_args nb = sim_neighbor_args(s);
    double tb = cpu_now();
    for (int r = 0; r < 3; r++) sd_md_neighbor_build(&nb);
    tb = cpu_now() - tb;
    const md_kick_args kick = sim_kick_args(s, s->dt), unkick = sim_kick_args(s, -s->dt); /* one type */
    double ti = cpu_now();
    for (int r = 0; r < reps; r++) {
        sd_md_kick(&kick);
        sd_md_drift(n, s->dt, s->v, n, s->x, s->cap);
        sd_md_kick(&unkick);
        sd_md_drift(n, -s->dt, s->v, n, s->x, s->cap);
    }
    ti = cpu_now() - ti;
    double tk = cpu_now();
    for (int r = 0; r < reps; r++) {
        sd_acc k;
        sd_acc_init(&k);
        sd_md_kinetic(n, s->type, s->mass, 1, s->v, n, NULL, &k);
    }
    tk = cpu_now() - tk;
    printf("energy/virial %.1f, neighbour build %.1f, kick+drift %.2f, kinetic sum %.2f ns/atom per call (cpu)\n",
           1e9 * te / reps / n, 1e9 * tb / 3 / n, 1e9 * ti / reps / 2 / n, 1e9 * tk / reps / n);
    return 0;
}
