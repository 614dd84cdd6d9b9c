/* init.c - CPU loops of the lattice initialisers lattice.gaussian_packet and lattice.plane_wave
 * (roles E (W), E_prev (W)) and their checks. Values are computed in double (kg_math.h) and
 * stored in the field type. x_d = (origin_d + i_d) * dx_d. */
#include <stdio.h>
#include "kg_math.h"
#include "lattice_kernels.h"

static void store(const sd_tile_args *a, int64_t i, int64_t j, int64_t k, double e, double ep)
{
    if (a->dtype[0] == SD_F64) {
        ((double *)a->p[0])[sd_at(a, 0, i, j, k, 0)] = e;
        ((double *)a->p[1])[sd_at(a, 1, i, j, k, 0)] = ep;
    } else {
        ((float *)a->p[0])[sd_at(a, 0, i, j, k, 0)] = (float)e;
        ((float *)a->p[1])[sd_at(a, 1, i, j, k, 0)] = (float)ep;
    }
}

/* Packet geometry from the parameters: centre (NaN -> domain centre), wavevector, omega, v_g.
 * Also the host-side set-up of the CUDA kernel (init.cu), so both use the same values. */
void sd_lattice_packet_setup(int ndim, const int64_t shape[3], const double dx[3], const double *prm,
                             double dt, double x0[3], double k[3], double vg[3], double *omega)
{
    for (int d = 0; d < 3; d++) {
        const double c0 = prm[KG_GP_X0 + d];
        x0[d] = c0 == c0 ? c0 : (double)(shape[d] - 1) * dx[d] / 2.0;
        k[d] = d < ndim ? prm[KG_GP_KX + d] : 0.0;
    }
    const double c = prm[KG_GP_C];
    *omega = kg_omega(ndim, k, dx, c, prm[KG_GP_CHI], dt, (int)prm[KG_GP_ORDER]);
    const int moving = k[0] != 0.0 || k[1] != 0.0 || k[2] != 0.0;
    for (int d = 0; d < 3; d++) vg[d] = moving && *omega > 0.0 ? c * c * k[d] / *omega : 0.0;
}

void sd_lattice_gaussian_packet_cpu(const sd_tile_args *a)
{
    double x0[3], k[3], vg[3], omega, x[3] = {0, 0, 0};
    sd_lattice_packet_setup(a->ndim, a->shape, a->dx, a->param, a->dt, x0, k, vg, &omega);
    const double A = a->param[KG_GP_A], w = a->param[KG_GP_W];
    for (int64_t kk = 0; kk < a->n[2]; kk++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++) {
                const int64_t g[3] = {a->origin[0] + i, a->origin[1] + j, a->origin[2] + kk};
                for (int d = 0; d < a->ndim; d++) x[d] = (double)g[d] * a->dx[d];
                double e, ep;
                kg_gaussian_pair(a->ndim, x, x0, k, vg, A, w, omega, a->dt, &e, &ep);
                store(a, i, j, kk, e, ep);
            }
}

/* Plane wave: integer modes m and the phase advance omega*dt of one step (also the host-side
 * set-up of the CUDA kernel in init.cu). */
void sd_lattice_wave_setup(int ndim, const int64_t shape[3], const double dx[3], const double *prm, double dt,
                           int64_t m[3], double *wdt)
{
    kg_mode_numbers(ndim, &prm[KG_PW_MX], m);
    double k[3] = {0, 0, 0};
    for (int d = 0; d < ndim; d++)
        k[d] = 6.283185307179586476925286766559 * (double)m[d] / ((double)shape[d] * dx[d]);
    *wdt = kg_omega(ndim, k, dx, prm[KG_PW_C], prm[KG_PW_CHI], dt, (int)prm[KG_PW_ORDER]) * dt;
}

void sd_lattice_plane_wave_cpu(const sd_tile_args *a)
{
    int64_t m[3];
    double wdt;
    sd_lattice_wave_setup(a->ndim, a->shape, a->dx, a->param, a->dt, m, &wdt);
    const double A = a->param[KG_PW_A], phi = a->param[KG_PW_PHASE];
    for (int64_t kk = 0; kk < a->n[2]; kk++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++) {
                const int64_t g[3] = {a->origin[0] + i, a->origin[1] + j, a->origin[2] + kk};
                const double th = kg_mode_phase(a->ndim, m, g, a->shape) + phi;
                double e, ep;
                kg_wave_pair(A, th, wdt, &e, &ep);
                store(a, i, j, kk, e, ep);
            }
}

/* Mode numbers must be integers (k_d = 2 pi m_d / (N_d dx_d) is then periodic-compatible). */
static int check_modes(const sd_check_info *info, const double *m, char *msg, size_t len)
{
    for (int d = 0; d < info->ndim; d++)
        if (m[d] != nearbyint(m[d])) {
            snprintf(msg, len, "mode number %c = %g is not an integer (expected an integer mode)",
                     "xyz"[d], m[d]);
            return -1;
        }
    return 0;
}

static int check_omega(double omega, double dt, char *msg, size_t len)
{
    if (omega == omega) return 0;
    snprintf(msg, len, "no stable discrete frequency for this wave at dt = %g "
             "(expected (c dt)^2 sum_d s_d(k) + (chi dt/2)^2 <= 1, docs/lattice.md)", dt);
    return -1;
}

int sd_lattice_gaussian_packet_validate(const sd_check_info *info, char *msg, size_t len)
{
    if (sd_lattice_order_validate(info->param[KG_GP_ORDER], msg, len)) return -1;
    double x0[3], k[3], vg[3], omega;
    sd_lattice_packet_setup(info->ndim, info->shape, info->dx, info->param, info->dt, x0, k, vg, &omega);
    return check_omega(omega, info->dt, msg, len);
}

int sd_lattice_plane_wave_validate(const sd_check_info *info, char *msg, size_t len)
{
    if (check_modes(info, &info->param[KG_PW_MX], msg, len)) return -1;
    if (sd_lattice_order_validate(info->param[KG_PW_ORDER], msg, len)) return -1;
    double k[3] = {0, 0, 0};
    for (int d = 0; d < info->ndim; d++)
        k[d] = 6.283185307179586476925286766559 * info->param[KG_PW_MX + d] / ((double)info->shape[d] * info->dx[d]);
    return check_omega(kg_omega(info->ndim, k, info->dx, info->param[KG_PW_C], info->param[KG_PW_CHI], info->dt,
                                (int)info->param[KG_PW_ORDER]),
                       info->dt, msg, len);
}

int sd_lattice_mode_projection_validate(const sd_check_info *info, char *msg, size_t len)
{
    return check_modes(info, &info->param[KG_MP_MX], msg, len);
}
