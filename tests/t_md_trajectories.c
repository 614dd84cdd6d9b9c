/* t_md_trajectories.c - whole trajectories of the md pack's kernels, called directly (the helpers of
 * tests/md_world.h and the single-block simulation of tests/md_sim.h):
 *  - (5) NVE: 500 atoms fcc liquid, rho 0.8442, T 1.44, rc 2.5, skin 0.3, dt 0.005, rebuild every
 *    20 steps (or earlier when the displacement exceeds skin/2), 10000 steps: no pair within rc
 *    ever missing from the lists (brute force every step), relative energy drift <= 1e-4,
 *  - (6) Langevin and Berendsen: whole trajectories bitwise equal for 1, 2x2x2, 3x2x1 blocks;
 *    Berendsen and Langevin bring T to T0.
 * (1)-(4), the kernels one by one: tests/t_md_kernels.c. */
#include "md_world.h"

/* ---- a single-block simulation, as the runtime will run it (tests/md_sim.h): particles kept sorted
 * by (cell, id) of the box grid, ghosts from the library's ghost plan (periodic images), lists rebuilt
 * every `every` steps or when a particle moved more than skin/2. The systems below: in.lj's liquid,
 * 5^3 fcc cells (500 atoms), room for 27 n ghosts ----------------------------------------------------------- */
static double sim_energy(const sim *s, double *T)
{
    sd_acc K, U, W;
    sd_acc_init(&K), sd_acc_init(&U), sd_acc_init(&W);
    sd_md_kinetic(s->n, s->type, s->mass, s->ntypes, s->v, s->n, NULL, &K);
    sd_md_lj_energy_virial(&(md_lj_energy_virial_args){.lists = sim_lists(s), .energy = &U, .virial = &W});
    if (T) *T = md_temperature(sd_acc_sum(&K), 3.0 * s->n - 3, 1.0);
    return sd_acc_sum(&K) + sd_acc_sum(&U);
}

/* Pairs of home particles within rc (minimum image, brute force) missing from the lists. */
static int64_t sim_missed(const sim *s, unsigned char *bits)
{
    const int64_t n = s->n;
    memset(bits, 0, (size_t)(n * n + 7) / 8);
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = s->start[i]; k < s->start[i + 1]; k++) {
            const int64_t b = s->id[i] * n + s->id[s->nbr[k]];
            bits[b >> 3] |= (unsigned char)(1u << (b & 7));
        }
    int64_t missed = 0;
    const double rc2 = s->rc * s->rc;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++) {
            double r2 = 0;
            for (int d = 0; d < 3; d++) {
                double dx = s->x[i + d * s->cap] - s->x[j + d * s->cap];
                dx -= s->L[d] * rint(dx / s->L[d]);
                r2 += dx * dx;
            }
            if (r2 < rc2) {
                const int64_t b1 = s->id[i] * n + s->id[j], b2 = s->id[j] * n + s->id[i];
                missed += !((bits[b1 >> 3] >> (b1 & 7)) & 1) + !((bits[b2 >> 3] >> (b2 & 7)) & 1);
            }
        }
    return missed;
}

/* ---- (5) NVE ---------------------------------------------------------------------------------------------------- */
static void nve_run(int shift, int64_t nsteps, int check_pairs, double *drift_end, double *drift_max, double *slope_rel,
                    int64_t *missed, int64_t *nreb, int64_t *nearly, double *Tend, double *secs)
{
    sim s;
    sim_init(&s, 5, 0.8442, 1.44, 2.5, 0.3, 0.005, shift, 20, 28 * 500, 12345);
    unsigned char *bits = xmalloc((size_t)(s.n * s.n + 7) / 8);
    double E0 = sim_energy(&s, NULL), dmax = 0;
    const int64_t kfit = 100; /* the fit starts after the lattice has melted (the first ~20 steps) */
    long double st = 0, se = 0, stt = 0, ste = 0;
    int64_t ns = 0;
    *missed = sim_missed(&s, bits);
    const double t0 = now();
    double E = E0;
    for (int64_t k = 1; k <= nsteps; k++) {
        sim_step(&s);
        if (check_pairs) *missed += sim_missed(&s, bits);
        if (k % 10 == 0) {
            E = sim_energy(&s, Tend);
            dmax = fmax(dmax, fabs(E - E0));
            const double t = k * s.dt;
            if (k >= kfit) st += t, se += E, stt += t * t, ste += t * E, ns++;
        }
    }
    *secs = now() - t0;
    const long double slope = (ns * ste - st * se) / (ns * stt - st * st);
    *drift_end = fabs(E - E0) / fabs(E0);
    *drift_max = dmax / fabs(E0);
    *slope_rel = (double)(fabsl(slope) * (nsteps - kfit) * s.dt / fabs(E0));
    *nreb = s.nrebuild, *nearly = s.nearly;
    free(bits);
    sim_free(&s);
}

static void test_nve(void)
{
    {   /* the lists of the single-block simulation (box grid + ghost layer as the neighbour grid) */
        sim s;
        sim_init(&s, 5, 0.8442, 1.44, 2.5, 0.3, 0.005, 1, 20, 28 * 500, 12345);
        for (int64_t nr = s.nrebuild; s.nrebuild == nr;) sim_step(&s); /* until the lists were rebuilt */
        blk B;
        memset(&B, 0, sizeof B);
        B.nh = s.n, B.ng = s.ng, B.sc = s.cap, B.x = s.x, B.id = s.id, B.start = s.start, B.nbr = s.nbr;
        B.nnbr = s.start[s.n];
        ok(lists_exact(&B, s.rl) && s.g.nc[0] == 2 && s.gb.nc[0] == 4,
           "lists with the block grid (box grid 2x2x2 + ghost layer), %lld ghosts from the ghost plan: = brute force",
           (long long)s.ng);
        sim_free(&s);
    }
    double de, dm, sl, T, secs;
    int64_t missed, nreb, nearly;
    /* SD_TEST_SHORT=1 (the CI's sanitizer passes, where the brute-force pair check of every step
     * takes minutes): 2000 steps, the same kernels; the normal pass runs 10000 */
    const int64_t nsteps = tap_short() ? 2000 : 10000;
    nve_run(1, nsteps, 1, &de, &dm, &sl, &missed, &nreb, &nearly, &T, &secs);
    ok(missed == 0, "NVE 500 atoms, %lld steps: no pair within rc missing from the lists at any step "
                    "(%lld rebuilds, %lld early from the skin/2 displacement check)",
       (long long)nsteps, (long long)nreb, (long long)nearly);
    ok(sl <= 1e-4 && de <= 1e-4,
       "NVE (shifted LJ), rho 0.8442, T0 1.44 (T at end %.3f), dt 0.005, %lld steps: relative energy drift "
       "(least-squares line over steps 100..%lld) %.2e, E(end) - E(0) %.2e (both <= 1e-4); largest |E - E(0)| %.2e "
       "(the melting transient, steps 5-10, and O(dt^2) fluctuations); %.1f s",
       T, (long long)nsteps, (long long)nsteps, sl, de, dm, secs);
    if (nsteps == 10000) {
        nve_run(0, nsteps, 0, &de, &dm, &sl, &missed, &nreb, &nearly, &T, &secs);
        diag("NVE with the unshifted potential (energy jumps when pairs cross rc): end %.2e, max %.2e, fitted %.2e",
             de, dm, sl);
    }
    if (nsteps == 10000) { /* what the displacement check prevents: rebuilding every 20 steps only (LAMMPS bench/in.lj) */
        sim s;
        sim_init(&s, 5, 0.8442, 1.44, 2.5, 0.3, 0.005, 1, 20, 28 * 500, 12345);
        s.nocheck = 1;
        unsigned char *bits = xmalloc((size_t)(s.n * s.n + 7) / 8);
        int64_t miss = 0, steps_missing = 0;
        for (int k = 1; k <= 2000; k++) {
            sim_step(&s);
            const int64_t m = sim_missed(&s, bits);
            miss += m, steps_missing += m > 0;
        }
        diag("without the displacement check (rebuild every 20 steps only), 2000 steps: %lld steps with pairs "
             "within rc missing from the lists (%lld pair-steps): the check is needed",
             (long long)steps_missing, (long long)miss);
        free(bits);
        sim_free(&s);
    }
}

/* ---- (6) thermostats ---------------------------------------------------------------------------------------------- */
/* A trajectory run block by block (split driver): every kernel on block arrays; rebuilds every 10
 * steps with new shuffles. thermo: Berendsen (global T from merged exact partials) or Langevin. */
static void split_run(world *w, const int nb[3], int nsteps, int thermo, double dt, double T0, uint64_t seed)
{
    const double rl = w->rc + 0.3;
    split S;
    split_build(&S, w, nb, rl, 77);
    split_forces(&S, w, NULL, NULL);
    for (int step = 1; step <= nsteps; step++) {
        for (int b = 0; b < S.nblk; b++) { /* kick + drift */
            blk *B = &S.b[b];
            for (int64_t i = 0; i < B->nh; i++)
                for (int d = 0; d < 3; d++) {
                    B->v[i + d * B->sc] = w->v[B->glob[i] + d * w->n];
                    B->f[i + d * B->sc] = w->f[B->glob[i] + d * w->n];
                }
            sd_md_kick(&(md_kick_args){.count = B->nh, .type = B->type, .mass = w->mass, .type_count = w->ntypes,
                                       .dt = dt, .force = B->f, .force_stride = B->sc, .velocity = B->v,
                                       .velocity_stride = B->sc});
            sd_md_drift(B->nh, dt, B->v, B->sc, B->x, B->sc);
            if (step % 10 == 0) sd_md_wrap(B->nh, w->L, B->x, B->sc);
            for (int64_t i = 0; i < B->nh; i++)
                for (int d = 0; d < 3; d++) {
                    w->x[B->glob[i] + d * w->n] = B->x[i + d * B->sc];
                    w->v[B->glob[i] + d * w->n] = B->v[i + d * B->sc];
                }
        }
        if (step % 10 == 0) {
            split_free(&S);
            split_build(&S, w, nb, rl, 77 + step);
        } else
            for (int b = 0; b < S.nblk; b++) blk_ghosts(&S.b[b], w);
        split_forces(&S, w, NULL, NULL);
        sd_acc K;
        sd_acc_init(&K);
        for (int b = 0; b < S.nblk; b++) { /* second kick, kinetic partials */
            blk *B = &S.b[b];
            for (int64_t i = 0; i < B->nh; i++)
                for (int d = 0; d < 3; d++) {
                    B->f[i + d * B->sc] = w->f[B->glob[i] + d * w->n];
                    B->v[i + d * B->sc] = w->v[B->glob[i] + d * w->n]; /* blocks may be new */
                }
            sd_md_kick(&(md_kick_args){.count = B->nh, .type = B->type, .mass = w->mass, .type_count = w->ntypes,
                                       .dt = dt, .force = B->f, .force_stride = B->sc, .velocity = B->v,
                                       .velocity_stride = B->sc});
            if (thermo == THERMO_LANGEVIN)
                sd_md_langevin(&(md_langevin_args){.count = B->nh, .id = B->id, .type = B->type, .mass = w->mass,
                                                   .type_count = w->ntypes, .dt = dt, .friction = 1.0,
                                                   .temperature = T0, .kB = 1.0, .seed = seed, .step = step,
                                                   .velocity = B->v, .velocity_stride = B->sc});
            sd_acc k;
            sd_acc_init(&k);
            sd_md_kinetic(B->nh, B->type, w->mass, w->ntypes, B->v, B->sc, NULL, &k);
            sd_acc_merge(&K, &k);
        }
        const double lam = thermo == THERMO_BERENDSEN
                               ? md_berendsen_lambda(md_temperature(sd_acc_sum(&K), 3.0 * w->n - 3, 1.0), T0, dt, 0.1)
                               : 1.0;
        for (int b = 0; b < S.nblk; b++) {
            blk *B = &S.b[b];
            if (thermo == THERMO_BERENDSEN) sd_md_velocity_adjust(B->nh, NULL, lam, B->v, B->sc);
            for (int64_t i = 0; i < B->nh; i++)
                for (int d = 0; d < 3; d++) w->v[B->glob[i] + d * w->n] = B->v[i + d * B->sc];
        }
    }
    split_free(&S);
}

static void test_thermostats(void)
{
    /* bitwise trajectories across blockings: 2 types (masses 1, 2), LB mixing, shift */
    const int64_t nc[3] = {4, 4, 4}, N = 256;
    const double a = sd_md_fcc_lattice_constant(0.8442);
    const int nbs[3][3] = {{1, 1, 1}, {2, 2, 2}, {3, 2, 1}};
    for (int th = THERMO_BERENDSEN; th <= THERMO_LANGEVIN; th++) {
        double *x0 = NULL, *v0 = NULL;
        int same = 1;
        for (int s = 0; s < 3; s++) {
            world w;
            world_alloc(&w, N);
            for (int d = 0; d < 3; d++) w.L[d] = 4 * a;
            world_params(&w, 2, 0, 2.5, 1);
            w.mass[1] = 2.0;
            sd_md_fcc(0, N, nc, a, w.x, N, w.id);
            for (int64_t i = 0; i < N; i++) w.type[i] = (int32_t)(i % 5 == 0);
            int *g1 = calloc((size_t)N, sizeof(int));
            vel_init(&w, g1, 1, 1.44, 1.0, 99, NULL);
            free(g1);
            split_run(&w, nbs[s], 60, th, 0.005, 1.0, 555);
            if (s == 0) {
                x0 = xmalloc(sizeof(double) * 3 * N), v0 = xmalloc(sizeof(double) * 3 * N);
                memcpy(x0, w.x, sizeof(double) * 3 * N), memcpy(v0, w.v, sizeof(double) * 3 * N);
            } else
                same &= !memcmp(x0, w.x, sizeof(double) * 3 * N) && !memcmp(v0, w.v, sizeof(double) * 3 * N);
            world_free(&w);
        }
        ok(same, "%s, 60 steps, rebuilds every 10 (wrap, new blocks, shuffled): positions and velocities bitwise "
                 "equal for 1, 2x2x2 and 3x2x1 blocks",
           th == THERMO_BERENDSEN ? "Berendsen" : "Langevin");
        free(x0), free(v0);
    }

    /* Berendsen and Langevin bring T to T0 (500 atoms, fcc start at 1.44 melts to ~0.7) */
    for (int th = THERMO_BERENDSEN; th <= THERMO_LANGEVIN; th++) {
        sim s;
        sim_init(&s, 5, 0.8442, 1.44, 2.5, 0.3, 0.005, 1, 20, 28 * 500, 12345);
        s.thermo = th, s.T0 = 1.1, s.tau = 0.1, s.gamma = 2.0, s.seed = 8;
        const int64_t nst = th == THERMO_BERENDSEN ? 1000 : 3000;
        double Tm = 0, Tfirst = 0;
        int64_t cnt = 0;
        for (int64_t k = 1; k <= nst; k++) {
            sim_step(&s);
            if (k == 100) Tfirst = sim_T(&s);
            if (k > nst / 2) Tm += sim_T(&s), cnt++;
        }
        Tm /= (double)cnt;
        ok(fabs(Tm - s.T0) <= (th == THERMO_BERENDSEN ? 0.02 : 0.04) * s.T0,
           "%s to T0 = 1.1: T after 100 steps %.3f, mean T over steps %lld..%lld = %.4f", th == THERMO_BERENDSEN ? "Berendsen (tau 0.1)" : "Langevin (gamma 2)",
           Tfirst, (long long)nst / 2, (long long)nst, Tm);
        sim_free(&s);
    }
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    double t = now();
    test_thermostats();
    test_nve();
    diag("total %.1f s", now() - t);
    return tap_done();
}
