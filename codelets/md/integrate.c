/* integrate.c - velocity-Verlet kick and drift, wrapping into the box, the exact kinetic-energy
 * and momentum sums, and the Langevin O step. Math: md_kick, md_drift, md_wrap, md_ke_term,
 * md_langevin, md_gaussian (md_math.h). Per-type coefficients are computed once per call into a
 * small table; the particle loops are contiguous and vectorise (kick, drift, wrap, the terms of
 * the sums); the terms are folded into the exact accumulators in chunks. */
#include "md_kernels.h"

void sd_md_kick(const md_kick_args *a)
{
    const int64_t n = a->count;
    double c[MD_MAX_TYPES] = {0};
    for (int t = 0; t < a->type_count; t++) c[t] = (0.5 * a->dt) / a->mass[t];
    const int32_t *restrict ty = a->type;
    for (int d = 0; d < 3; d++) {
        const double *restrict fd = a->force + d * a->force_stride;
        double *restrict vd = a->velocity + d * a->velocity_stride;
        for (int64_t i = 0; i < n; i++) vd[i] = md_kick(vd[i], fd[i], c[ty[i]]);
    }
}

void sd_md_drift(int64_t n, double dt, const double *v, int64_t vsc, double *x, int64_t sc)
{
    for (int d = 0; d < 3; d++) {
        const double *restrict vd = v + d * vsc;
        double *restrict xd = x + d * sc;
        for (int64_t i = 0; i < n; i++) xd[i] = md_drift(xd[i], vd[i], dt);
    }
}

void sd_md_wrap(int64_t n, const double L[3], double *x, int64_t sc)
{
    for (int d = 0; d < 3; d++) {
        double *restrict xd = x + d * sc;
        const double Ld = L[d];
        for (int64_t i = 0; i < n; i++) xd[i] = md_wrap(xd[i], Ld);
    }
}

void sd_md_kinetic(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v, int64_t vsc,
                   const double *vs, sd_acc *ke)
{
    double m[MD_MAX_TYPES] = {0};
    for (int t = 0; t < ntypes; t++) m[t] = mass[t];
    const double s0 = vs ? vs[0] : 0.0, s1 = vs ? vs[1] : 0.0, s2 = vs ? vs[2] : 0.0;
    const double *restrict vx = v, *restrict vy = v + vsc, *restrict vz = v + 2 * vsc;
    const int32_t *restrict ty = type;
    sd_acc_batch b = {.acc = ke};
    for (int64_t i0 = 0, len; i0 < n; i0 += len) {
        len = n - i0;
        double *restrict buf = sd_acc_batch_room(&b, &len);
        for (int64_t i = 0; i < len; i++)
            buf[i] = md_ke_term(m[ty[i0 + i]], vx[i0 + i] - s0, vy[i0 + i] - s1, vz[i0 + i] - s2);
    }
    sd_acc_batch_flush(&b);
}

void sd_md_momentum(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v, int64_t vsc,
                    sd_acc p[3], sd_acc *msum)
{
    double m[MD_MAX_TYPES] = {0};
    for (int t = 0; t < ntypes; t++) m[t] = mass[t];
    const int32_t *restrict ty = type;
    for (int d = 0; d <= 3; d++) { /* the momentum's components, then the mass */
        const double *restrict vd = d < 3 ? v + d * vsc : NULL;
        sd_acc_batch b = {.acc = d < 3 ? &p[d] : msum};
        for (int64_t i0 = 0, len; i0 < n; i0 += len) {
            len = n - i0;
            double *restrict buf = sd_acc_batch_room(&b, &len);
            if (d < 3)
                for (int64_t i = 0; i < len; i++) buf[i] = m[ty[i0 + i]] * vd[i0 + i];
            else
                for (int64_t i = 0; i < len; i++) buf[i] = m[ty[i0 + i]];
        }
        sd_acc_batch_flush(&b);
    }
}

void sd_md_langevin(const md_langevin_args *a)
{
    const int64_t n = a->count, step = a->step;
    const uint64_t seed = a->seed;
    const int64_t *id = a->id;
    const int32_t *type = a->type;
    const double c1 = md_langevin_c1(a->friction, a->dt);
    double c2[MD_MAX_TYPES] = {0};
    for (int t = 0; t < a->type_count; t++) c2[t] = md_langevin_c2(c1, a->kB, a->temperature, a->mass[t]);
    for (int d = 0; d < 3; d++) {
        double *restrict vd = a->velocity + d * a->velocity_stride;
        for (int64_t i = 0; i < n; i++)
            vd[i] = md_langevin(vd[i], c1, c2[type[i]], md_gaussian(seed, id[i], step, MD_RNG_LANGEVIN, d));
    }
}

void sd_md_berendsen(int64_t n, double T, double T0, double dt, double tau, double *v, int64_t vsc)
{
    sd_md_velocity_adjust(n, NULL, md_berendsen_lambda(T, T0, dt, tau), v, vsc);
}

void sd_md_thermo(double ke, double pe, double w, int64_t N, double V, double kB, int per_particle, double out[5])
{
    const double norm = per_particle ? 1.0 / (double)N : 1.0;
    out[0] = md_temperature(ke, 3.0 * (double)N - 3.0, kB);
    out[1] = md_pressure(ke, w, V);
    out[2] = pe * norm;
    out[3] = ke * norm;
    out[4] = (pe + ke) * norm;
}
