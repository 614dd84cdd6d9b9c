/* lattice_init.c - initial state of the md pack: fcc positions and Maxwell-Boltzmann velocities
 * (counter-based: particle k's values depend on k / its id only, never on the blocking), and the
 * velocity adjustment v = (v - vs) * lambda that removes the total momentum and sets the
 * temperature from exact sums. Math: md_fcc_site, md_gaussian, md_adjust in md_math.h. */
#include <math.h>
#include "md_kernels.h"

double sd_md_fcc_lattice_constant(double rho) { return cbrt(4.0 / rho); }

void sd_md_fcc(int64_t k0, int64_t n, const int64_t nc[3], double a, double *x, int64_t sc, int64_t *id)
{
    double *restrict px = x, *restrict py = x + sc, *restrict pz = x + 2 * sc;
    for (int64_t i = 0; i < n; i++) md_fcc_site(k0 + i, nc[0], nc[1], a, px + i, py + i, pz + i);
    if (id)
        for (int64_t i = 0; i < n; i++) id[i] = k0 + i;
}

void sd_md_velocity_create(const md_velocity_create_args *a)
{
    const int64_t n = a->count;
    const uint64_t seed = a->seed;
    const int64_t *id = a->id;
    const int32_t *type = a->type;
    double sig[MD_MAX_TYPES] = {0};
    for (int t = 0; t < a->type_count; t++) sig[t] = md_thermal_sigma(a->kB, a->temperature, a->mass[t]);
    for (int c = 0; c < 3; c++) {
        double *restrict vc = a->velocity + c * a->velocity_stride;
        for (int64_t i = 0; i < n; i++) vc[i] = sig[type[i]] * md_gaussian(seed, id[i], 0, MD_RNG_VELOCITY, c);
    }
}

void sd_md_velocity_adjust(int64_t n, const double *vs, double lambda, double *v, int64_t vsc)
{
    for (int c = 0; c < 3; c++) {
        double *restrict vc = v + c * vsc;
        const double s = vs ? vs[c] : 0.0;
        for (int64_t i = 0; i < n; i++) vc[i] = md_adjust(vc[i], s, lambda);
    }
}

void sd_md_fcc_ids(int64_t n, const int64_t *id, const int64_t nc[3], double a, double *x, int64_t sc)
{
    double *restrict px = x, *restrict py = x + sc, *restrict pz = x + 2 * sc;
    for (int64_t i = 0; i < n; i++) md_fcc_site(id[i], nc[0], nc[1], a, px + i, py + i, pz + i);
}

void sd_md_velocity_init(const md_velocity_init_args *a)
{
    const int nblk = a->block_count, ntypes = a->type_count;
    const int64_t *n = a->particle_count;
    const int64_t vsc = a->velocity_stride;
    const int32_t *const *type = a->type;
    double *const *v = a->velocity;
    const double *mass = a->mass;
    const double T = a->temperature, kB = a->kB;
    sd_acc P[3], M, K;
    for (int c = 0; c < 3; c++) sd_acc_init(&P[c]);
    sd_acc_init(&M);
    sd_acc_init(&K);
    int64_t N = 0;
    for (int k = 0; k < nblk; k++) {
        sd_md_velocity_create(&(md_velocity_create_args){.count = n[k], .id = a->id[k], .type = type[k], .mass = mass,
                                                         .type_count = ntypes, .temperature = T, .kB = kB,
                                                         .seed = a->seed, .velocity = v[k], .velocity_stride = vsc});
        sd_md_momentum(n[k], type[k], mass, ntypes, v[k], vsc, P, &M);
        N += n[k];
    }
    double vcm[3];
    for (int c = 0; c < 3; c++) vcm[c] = sd_acc_sum(&P[c]) / sd_acc_sum(&M);
    for (int k = 0; k < nblk; k++) sd_md_kinetic(n[k], type[k], mass, ntypes, v[k], vsc, vcm, &K);
    const double lambda = md_rescale_lambda(md_temperature(sd_acc_sum(&K), 3.0 * (double)N - 3.0, kB), T);
    for (int k = 0; k < nblk; k++) sd_md_velocity_adjust(n[k], vcm, lambda, v[k], vsc);
}
