/* kg_math.h - per-element math of the lattice pack (variable-mass Klein-Gordon on a node-centred
 * grid x_i = i*dx, i = 0..N-1), written once: compiles as C and as CUDA (SD_HD). The CPU loops
 * (kg_leapfrog.c, energy.c, init.c, mode_projection.c) call these functions; the CUDA kernels
 * (kg_leapfrog.cu, energy.cu, init.cu, mode_projection.cu) call the same ones, and the tests
 * replicate the evaluation orders written here to compare bitwise.
 *
 * Bitwise reproducibility needs: no FMA contraction (gcc -ffp-contract=off, nvcc -fmad=false),
 * and exactly the operation order below. */
#ifndef SD_LATTICE_KG_MATH_H
#define SD_LATTICE_KG_MATH_H

#include <math.h>
#include "stardag/kernel.h"

/* ---- Leapfrog --------------------------------------------------------------------------------
 * E_next = 2E - E_prev + dt^2 (c^2 lap E - chi^2 E), evaluated in the field type T as
 *     lap = ((e[+x] - 2*e0) + e[-x]) * ix2
 *     lap = lap + ((e[+y] - 2*e0) + e[-y]) * iy2          (ndim >= 2)
 *     lap = lap + ((e[+z] - 2*e0) + e[-z]) * iz2          (ndim >= 3)
 *     out = (2*e0 - ep) + dt2 * (c2 * lap - (ch * ch) * e0)
 * with the coefficients of kg_leapfrog_coef (computed in double, then rounded once to T):
 *     c2 = (T)(c*c), dt2 = (T)(dt*dt), i{x,y,z}2 = (T)(1.0 / (dx_d*dx_d)).
 * e points at E of the cell; neighbours at +-1 (x), +-sy (y), +-sz (z). Absent axes are never
 * read. */
#define KG_LEAPFROG_DEF(T, SUF)                                                                      \
    typedef struct kg_coef_##SUF { T c2, dt2, ix2, iy2, iz2; } kg_coef_##SUF;                         \
    SD_HD kg_coef_##SUF kg_leapfrog_coef_##SUF(double c, double dt, const double dx[3])              \
    {                                                                                                 \
        kg_coef_##SUF k;                                                                              \
        k.c2 = (T)(c * c);                                                                            \
        k.dt2 = (T)(dt * dt);                                                                         \
        k.ix2 = (T)(1.0 / (dx[0] * dx[0]));                                                           \
        k.iy2 = (T)(1.0 / (dx[1] * dx[1]));                                                           \
        k.iz2 = (T)(1.0 / (dx[2] * dx[2]));                                                           \
        return k;                                                                                     \
    }                                                                                                 \
    SD_HD T kg_leapfrog_##SUF(const T *e, int64_t sy, int64_t sz, int ndim, T ep, T ch,              \
                              kg_coef_##SUF k)                                                        \
    {                                                                                                 \
        const T e0 = e[0], two = (T)2;                                                                \
        T lap = ((e[1] - two * e0) + e[-1]) * k.ix2;                                                  \
        if (ndim >= 2) lap = lap + ((e[sy] - two * e0) + e[-sy]) * k.iy2;                             \
        if (ndim >= 3) lap = lap + ((e[sz] - two * e0) + e[-sz]) * k.iz2;                             \
        return (two * e0 - ep) + k.dt2 * (k.c2 * lap - (ch * ch) * e0);                               \
    }
KG_LEAPFROG_DEF(double, f64)
KG_LEAPFROG_DEF(float, f32)

/* CFL number of the leapfrog, c*dt*sqrt(sum_d 1/dx_d^2): stable iff <= 1 (chi = 0 bound; a mass
 * term tightens it to (c dt)^2 sum 1/dx^2 + (chi dt/2)^2 <= 1). */
SD_HD double kg_cfl_number(int ndim, const double dx[3], double c, double dt)
{
    double s = 0.0;
    for (int d = 0; d < ndim; d++) s += 1.0 / (dx[d] * dx[d]);
    return c * dt * sqrt(s);
}

/* ---- Conserved energy ------------------------------------------------------------------------
 * Per cell, always in double (f32 fields are widened on load):
 *     v  = (n0 - o0) * idt
 *     g  = ((n[+x] - n0) * ix) * ((o[+x] - o0) * ix)
 *     g  = g + ((n[+y] - n0) * iy) * ((o[+y] - o0) * iy)       (ndim >= 2)
 *     g  = g + ((n[+z] - n0) * iz) * ((o[+z] - o0) * iz)       (ndim >= 3)
 *     term = hdv * ((v * v + c2 * g) + (ch * ch) * (n0 * o0))
 * n = E^{n+1}, o = E^n, idt = 1/dt, i{x,y,z} = 1/dx_d, c2 = c*c, hdv = 0.5 * dx0*dx1*dx2 (product
 * over present axes, in axis order). The face between the low ghost and a cell of global index 0
 * on an axis with FIXED/ABSORBING boundaries is a separate term (the axis' stride of each buffer:
 * 1, sy or sz):
 *     face = hdv * (c2 * (((n0 - n[-1 along d]) * id) * ((o0 - o[-1 along d]) * id)))
 * hdv = 0.5, then hdv = hdv * dx_d for d = 0..ndim-1 in order.
 * Every term is folded exactly into the accumulator. */
typedef struct kg_energy_coef {
    double idt, c2, id[3], hdv;
} kg_energy_coef;
/* The per-tile constants above: idt = 1/dt, c2 = c*c, id[d] = 1/dx[d], hdv = 0.5 * prod dx[d]. */
SD_HD kg_energy_coef kg_energy_coef_make(int ndim, double c, double dt, const double dx[3])
{
    kg_energy_coef k;
    k.c2 = c * c;
    k.idt = 1.0 / dt;
    for (int d = 0; d < 3; d++) k.id[d] = 1.0 / dx[d];
    k.hdv = 0.5;
    for (int d = 0; d < ndim; d++) k.hdv = k.hdv * dx[d];
    return k;
}

#define KG_ENERGY_DEF(T, SUF)                                                                        \
    SD_HD double kg_energy_cell_##SUF(const T *n, int64_t nsy, int64_t nsz, const T *o, int64_t osy,  \
                                      int64_t osz, int ndim, T chv, double idt, double c2,            \
                                      const double id[3], double hdv)                                 \
    {                                                                                                 \
        const double n0 = (double)n[0], o0 = (double)o[0], ch = (double)chv;                          \
        const double v = (n0 - o0) * idt;                                                             \
        double g = (((double)n[1] - n0) * id[0]) * (((double)o[1] - o0) * id[0]);                     \
        if (ndim >= 2) g = g + (((double)n[nsy] - n0) * id[1]) * (((double)o[osy] - o0) * id[1]);     \
        if (ndim >= 3) g = g + (((double)n[nsz] - n0) * id[2]) * (((double)o[osz] - o0) * id[2]);     \
        return hdv * ((v * v + c2 * g) + (ch * ch) * (n0 * o0));                                      \
    }                                                                                                 \
    SD_HD double kg_energy_face_##SUF(const T *n, int64_t ns, const T *o, int64_t os, double c2,      \
                                      double id, double hdv)                                          \
    {                                                                                                 \
        const double n0 = (double)n[0], o0 = (double)o[0];                                            \
        return hdv * (c2 * (((n0 - (double)n[-ns]) * id) * ((o0 - (double)o[-os]) * id)));            \
    }
KG_ENERGY_DEF(double, f64)
KG_ENERGY_DEF(float, f32)

/* ---- Dispersion --------------------------------------------------------------------------------
 * Exact discrete dispersion relation of the leapfrog (plane waves on a periodic grid):
 *     sin^2(omega dt / 2) = (c dt)^2 sum_{d<ndim} sin^2(k_d dx_d / 2) / dx_d^2 + (chi dt / 2)^2
 * Returns omega >= 0, NaN when the right side exceeds 1 (unstable), and the semi-discrete limit
 * sqrt(4 c^2 sum sin^2(k dx/2)/dx^2 + chi^2) when dt <= 0. */
SD_HD double kg_omega(int ndim, const double k[3], const double dx[3], double c, double chi, double dt)
{
    double s = 0.0;
    for (int d = 0; d < ndim; d++) {
        const double q = sin(0.5 * k[d] * dx[d]) / dx[d];
        s += q * q;
    }
    if (!(dt > 0.0)) return sqrt(4.0 * c * c * s + chi * chi);
    const double h = 0.5 * chi * dt, r = (c * dt) * (c * dt) * s + h * h;
    if (r > 1.0) return 0.0 / 0.0;
    return 2.0 / dt * asin(sqrt(r));
}

/* Phase k.x of integer mode m at global node g, k_d = 2 pi m_d / (N_d dx_d), x_d = g_d dx_d,
 * reduced exactly modulo the period: sum_d 2 pi ((m_d g_d) mod N_d) / N_d. */
SD_HD double kg_mode_phase(int ndim, const int64_t m[3], const int64_t g[3], const int64_t N[3])
{
    const double twopi = 6.283185307179586476925286766559;
    double th = 0.0;
    for (int d = 0; d < ndim; d++) {
        int64_t r = (m[d] % N[d]) * (g[d] % N[d]) % N[d];
        if (r < 0) r += N[d];
        th += twopi * (double)r / (double)N[d];
    }
    return th;
}

/* Integer mode numbers from the parameters m[0..2] (present axes; 0 for absent ones). */
SD_HD void kg_mode_numbers(int ndim, const double m[3], int64_t out[3])
{
    for (int d = 0; d < 3; d++) out[d] = d < ndim ? (int64_t)llround(m[d]) : 0;
}

/* Gaussian packet at position x (present axes only): E(x,0) and E(x,-dt).
 *     E      = A exp(-|x - x0|^2 / (2 w^2)) cos(k.(x - x0))
 *     E_prev = A exp(-|x - x0 + vg dt|^2 / (2 w^2)) cos(k.(x - x0) + omega dt)          */
SD_HD void kg_gaussian_pair(int ndim, const double x[3], const double x0[3], const double k[3],
                            const double vg[3], double A, double w, double omega, double dt,
                            double *e, double *ep)
{
    double r2 = 0.0, r2p = 0.0, ph = 0.0;
    for (int d = 0; d < ndim; d++) {
        const double u = x[d] - x0[d], up = u + vg[d] * dt;
        r2 += u * u;
        r2p += up * up;
        ph += k[d] * u;
    }
    const double iw = 1.0 / (2.0 * w * w);
    *e = A * exp(-r2 * iw) * cos(ph);
    *ep = A * exp(-r2p * iw) * cos(ph + omega * dt);
}

#endif
