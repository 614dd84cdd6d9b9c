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
#include "stardag/detmath.h" /* exp, sin, cos and asin with the same bits on CPU and GPU */
#include "stardag/kernel.h"

/* ---- Laplacian orders ------------------------------------------------------------------------
 * The order-2p second difference along one axis, p = order / 2 (order 2, 4 or 6; it reaches p cells):
 *     D u_i = sum_{m=1..p} b_m ((u_{i+m} - 2 u_i) + u_{i-m}) / dx^2
 *     order 2: b = {1};  order 4: b = {4/3, -1/12};  order 6: b = {3/2, -3/20, 1/90}
 * (order 4 is (-u_{i+2} + 16 u_{i+1} - 30 u_i + 16 u_{i-1} - u_{i-2}) / (12 dx^2)). A plane wave
 * e^{ikx} has D e^{ikx} = -4 s(k) e^{ikx} with s(k) = sum_m b_m sin^2(m k dx / 2) / dx^2, largest at
 * k dx = pi: S_p / dx^2, S_p = sum_{m odd} b_m (1, 4/3, 136/90). */
#define KG_MAX_REACH 3
SD_HD int kg_reach(int order) { return order / 2; }
SD_HD double kg_lap_b(int order, int m)
{
    if (m < 1 || m > kg_reach(order)) return 0.0;
    if (order == 4) return m == 1 ? 4.0 / 3.0 : -1.0 / 12.0;
    if (order == 6) return m == 1 ? 3.0 / 2.0 : m == 2 ? -3.0 / 20.0 : 1.0 / 90.0;
    return 1.0;
}
SD_HD double kg_lap_peak(int order)
{
    double s = 0.0;
    for (int m = 1; m <= kg_reach(order); m += 2) s += kg_lap_b(order, m);
    return s;
}
/* Is order one of 2, 4, 6? */
SD_HD int kg_order_ok(double order) { return order == 2.0 || order == 4.0 || order == 6.0; }

/* ---- Leapfrog --------------------------------------------------------------------------------
 * E_next = (2 - gamma) E - (1 - gamma) E_prev + dt^2 (c^2 lap E - chi^2 E), evaluated in the field
 * type T. Order 2 (one reach):
 *     lap = ((e[+x] - 2*e0) + e[-x]) * ix2
 *     lap = lap + ((e[+y] - 2*e0) + e[-y]) * iy2          (ndim >= 2)
 *     lap = lap + ((e[+z] - 2*e0) + e[-z]) * iz2          (ndim >= 3)
 * Orders 4 and 6, per present axis with neighbours at m*s (s = 1, sy, sz):
 *     ax = b[0] * ((e[+s] - 2*e0) + e[-s]);  ax = ax + b[m-1] * ((e[+m s] - 2*e0) + e[-m s]), m = 2..p
 *     lap = ax_x * ix2;  lap = lap + ax_y * iy2;  lap = lap + ax_z * iz2
 * then
 *     out = (ka*e0 - kb*ep) + dt2 * (c2 * lap - (ch * ch) * e0)
 * with the coefficients of kg_leapfrog_coef (computed in double, then rounded once to T):
 *     c2 = (T)(c*c), dt2 = (T)(dt*dt), i{x,y,z}2 = (T)(1.0 / (dx_d*dx_d)), ka = (T)(2 - gamma),
 *     kb = (T)(1 - gamma), b[m-1] = (T)b_m.
 * With gamma = 0, ka*e0 = 2*e0 and kb*ep = ep exactly: the undamped order-2 result is bitwise the
 * plain leapfrog (2 e0 - ep) + ... . e points at E of the cell. Absent axes are never read. */
#define KG_LEAPFROG_DEF(T, SUF)                                                                      \
    typedef struct kg_coef_##SUF { T c2, dt2, ix2, iy2, iz2, ka, kb, b[KG_MAX_REACH]; int order; } kg_coef_##SUF; \
    SD_HD kg_coef_##SUF kg_leapfrog_coef_##SUF(double c, double dt, const double dx[3], int order, double gamma) \
    {                                                                                                 \
        kg_coef_##SUF k;                                                                              \
        k.c2 = (T)(c * c);                                                                            \
        k.dt2 = (T)(dt * dt);                                                                         \
        k.ix2 = (T)(1.0 / (dx[0] * dx[0]));                                                           \
        k.iy2 = (T)(1.0 / (dx[1] * dx[1]));                                                           \
        k.iz2 = (T)(1.0 / (dx[2] * dx[2]));                                                           \
        k.ka = (T)(2.0 - gamma);                                                                      \
        k.kb = (T)(1.0 - gamma);                                                                      \
        k.order = order;                                                                              \
        for (int m = 1; m <= KG_MAX_REACH; m++) k.b[m - 1] = (T)kg_lap_b(order, m);                   \
        return k;                                                                                     \
    }                                                                                                 \
    /* One axis of the order-2p Laplacian (P = p, a literal at every call), without 1/dx^2. */       \
    SD_HD T kg_axis_##SUF(const T *e, int64_t s, int P, const T *b)                                   \
    {                                                                                                 \
        const T e0 = e[0], two = (T)2;                                                                \
        T ax = b[0] * ((e[s] - two * e0) + e[-s]);                                                    \
        for (int m = 2; m <= P; m++) ax = ax + b[m - 1] * ((e[m * s] - two * e0) + e[-m * s]);        \
        return ax;                                                                                    \
    }                                                                                                 \
    /* c^2-free Laplacian times nothing: lap E of the order P (1: order 2, 2: order 4, 3: order 6). */ \
    SD_HD T kg_lap_##SUF(const T *e, int64_t sy, int64_t sz, int ndim, int P, const kg_coef_##SUF *k) \
    {                                                                                                 \
        const T e0 = e[0], two = (T)2;                                                                \
        if (P == 1) {                                                                                 \
            T lap = ((e[1] - two * e0) + e[-1]) * k->ix2;                                             \
            if (ndim >= 2) lap = lap + ((e[sy] - two * e0) + e[-sy]) * k->iy2;                        \
            if (ndim >= 3) lap = lap + ((e[sz] - two * e0) + e[-sz]) * k->iz2;                        \
            return lap;                                                                               \
        }                                                                                             \
        T lap = kg_axis_##SUF(e, 1, P, k->b) * k->ix2;                                                \
        if (ndim >= 2) lap = lap + kg_axis_##SUF(e, sy, P, k->b) * k->iy2;                            \
        if (ndim >= 3) lap = lap + kg_axis_##SUF(e, sz, P, k->b) * k->iz2;                            \
        return lap;                                                                                   \
    }                                                                                                 \
    SD_HD T kg_leapfrog_##SUF(const T *e, int64_t sy, int64_t sz, int ndim, int P, T ep, T ch,       \
                              kg_coef_##SUF k)                                                        \
    {                                                                                                 \
        const T e0 = e[0];                                                                            \
        const T lap = kg_lap_##SUF(e, sy, sz, ndim, P, &k);                                           \
        return (k.ka * e0 - k.kb * ep) + k.dt2 * (k.c2 * lap - (ch * ch) * e0);                       \
    }                                                                                                 \
    /* lattice.chi_leapfrog: chi_next = (2 chi - chi_prev) + dt2 * (c2 * lap chi - kappa * ((E*E) - e02)) \
     * (c2 = (T)(c_chi^2), kappa = (T)kappa, e02 = (T)(E0^2)). */                                   \
    SD_HD T kg_chi_leapfrog_##SUF(const T *x, int64_t sy, int64_t sz, int ndim, int P, T xp, T e,     \
                                  kg_coef_##SUF k, T kappa, T e02)                                    \
    {                                                                                                 \
        const T x0 = x[0], two = (T)2;                                                                \
        const T lap = kg_lap_##SUF(x, sy, sz, ndim, P, &k);                                           \
        return (two * x0 - xp) + k.dt2 * (k.c2 * lap - kappa * (e * e - e02));                        \
    }
KG_LEAPFROG_DEF(double, f64)
KG_LEAPFROG_DEF(float, f32)

/* CFL number of the leapfrog of order `order`, c*dt*sqrt(S_p sum_d 1/dx_d^2) (S_p = kg_lap_peak:
 * 1 for order 2). Stable iff it is <= sqrt(1 - gamma/2) with damping gamma (the chi = 0 bound; a
 * mass term tightens it: (c dt)^2 S_p sum 1/dx^2 + (chi dt/2)^2 <= 1 - gamma/2). */
SD_HD double kg_cfl_number(int ndim, const double dx[3], double c, double dt, int order)
{
    double s = 0.0;
    for (int d = 0; d < ndim; d++) s += 1.0 / (dx[d] * dx[d]);
    return c * dt * sqrt(kg_lap_peak(order) * s); /* order 2: 1.0 * s, the old bits */
}
SD_HD double kg_cfl_limit(double gamma) { return gamma == 0.0 ? 1.0 : sqrt(1.0 - 0.5 * gamma); }

/* ---- Conserved energy ------------------------------------------------------------------------
 * Per cell, always in double (f32 fields are widened on load). Order 2:
 *     v  = (n0 - o0) * idt
 *     g  = ((n[+x] - n0) * ix) * ((o[+x] - o0) * ix)
 *     g  = g + ((n[+y] - n0) * iy) * ((o[+y] - o0) * iy)       (ndim >= 2)
 *     g  = g + ((n[+z] - n0) * iz) * ((o[+z] - o0) * iz)       (ndim >= 3)
 *     term = hdv * ((kin * (v * v) + c2 * g) + (ch * ch) * (n0 * o0))
 * n = E^{n+1}, o = E^n, idt = 1/dt, i{x,y,z} = 1/dx_d, c2 = c*c, kin = 1 - gamma/2 (1 undamped, so
 * kin * (v*v) = v*v), hdv = 0.5 * dx0*dx1*dx2 (product over present axes, in axis order). The face
 * between the low ghost and a cell of global index 0 on an axis with FIXED/ABSORBING boundaries is
 * a separate term (the axis' stride of each buffer: 1, sy or sz):
 *     face = hdv * (c2 * (((n0 - n[-1 along d]) * id) * ((o0 - o[-1 along d]) * id)))
 * hdv = 0.5, then hdv = hdv * dx_d for d = 0..ndim-1 in order.
 * Orders 4 and 6 (reach p): every pair of cells (i, i+m), m = 1..p, along each axis is a term
 * b_m D_m n D_m o with D_m u = (u_{i+m} - u_i) / dx: per cell, its forward pairs
 *     g = g + (b_m * w) * (((n[+m s] - n0) * id) * ((o[+m s] - o0) * id))   (d in axis order, m = 1..p)
 *     term = hdv * ((kin * (v * v) + c2 * g) + (ch * ch) * (n0 * o0))
 * and per cell of global index < m along a FIXED, ABSORBING or REFLECTIVE axis the pair crossing the
 * low boundary:
 *     low = hdv * (c2 * ((b_m * w) * (((n0 - n[-m s]) * id) * ((o0 - o[-m s]) * id))))
 * Weights w: 1, except 1/2 for the pairs crossing a REFLECTIVE boundary (low pairs, and forward
 * pairs reaching past the high end): the mirrored field repeats with period 2N, and its energy per
 * period is twice the interior pairs plus each crossing pair once. Summed over the grid,
 * sum_pairs b_m D_m n D_m o = -sum_cells n (lap o) for periodic, reflective and fixed-at-0 ghosts
 * (with a fixed value V != 0 the pair form is the energy of the field extended by V, which is what
 * is conserved; absorbing sides lose energy by design), so these energies are exactly what the
 * leapfrog conserves:
 *     H^{n+1/2} = 1/2 sum [kin v^2 + c^2 (-E^{n+1} lap E^n) + chi^2 E^{n+1} E^n] dV,
 *     H^{n+1/2} - H^{n-1/2} = -(gamma/4) sum (v^{n+1/2} + v^{n-1/2})^2 dV   (<= 0; docs/lattice.md).
 * Every term is folded exactly into the accumulator. */
typedef struct kg_energy_coef {
    double idt, c2, id[3], hdv, kin, b[KG_MAX_REACH];
    int reach;
} kg_energy_coef;
/* The per-tile constants above: idt = 1/dt, c2 = c*c, id[d] = 1/dx[d], hdv = 0.5 * prod dx[d],
 * kin = 1 - gamma/2, b[m-1] = b_m of the order. */
SD_HD kg_energy_coef kg_energy_coef_make(int ndim, double c, double dt, const double dx[3], int order, double gamma)
{
    kg_energy_coef k;
    k.c2 = c * c;
    k.idt = 1.0 / dt;
    for (int d = 0; d < 3; d++) k.id[d] = 1.0 / dx[d];
    k.hdv = 0.5;
    for (int d = 0; d < ndim; d++) k.hdv = k.hdv * dx[d];
    k.kin = 1.0 - 0.5 * gamma;
    k.reach = kg_reach(order);
    for (int m = 1; m <= KG_MAX_REACH; m++) k.b[m - 1] = kg_lap_b(order, m);
    return k;
}
/* Does axis d of a tile (origin: its first global index; bc: the axis' sd_bc) hold cells of global
 * index < reach next to a low boundary with crossing pairs? Reach 1 (order 2): the FIXED/ABSORBING
 * face; orders 4, 6: also REFLECTIVE (whose order-2 face difference is 0). */
SD_HD int kg_energy_low_pairs(int64_t origin, int bc, int reach)
{
    return origin < reach && (bc == SD_BC_FIXED || bc == SD_BC_ABSORBING || (reach > 1 && bc == SD_BC_REFLECTIVE));
}
/* The weight of pair m of axis d: b_m, halved when the pair crosses a reflective boundary. */
SD_HD double kg_pair_weight(const kg_energy_coef *K, int m, int crosses_mirror)
{
    return crosses_mirror ? 0.5 * K->b[m - 1] : K->b[m - 1];
}

#define KG_ENERGY_DEF(T, SUF)                                                                        \
    SD_HD double kg_energy_cell_##SUF(const T *n, int64_t nsy, int64_t nsz, const T *o, int64_t osy,  \
                                      int64_t osz, int ndim, T chv, const kg_energy_coef *K)          \
    {                                                                                                 \
        const double n0 = (double)n[0], o0 = (double)o[0], ch = (double)chv;                          \
        const double v = (n0 - o0) * K->idt, *id = K->id;                                             \
        double g = (((double)n[1] - n0) * id[0]) * (((double)o[1] - o0) * id[0]);                     \
        if (ndim >= 2) g = g + (((double)n[nsy] - n0) * id[1]) * (((double)o[osy] - o0) * id[1]);     \
        if (ndim >= 3) g = g + (((double)n[nsz] - n0) * id[2]) * (((double)o[osz] - o0) * id[2]);     \
        return K->hdv * ((K->kin * (v * v) + K->c2 * g) + (ch * ch) * (n0 * o0));                    \
    }                                                                                                 \
    SD_HD double kg_energy_face_##SUF(const T *n, int64_t ns, const T *o, int64_t os, double c2,      \
                                      double id, double hdv)                                          \
    {                                                                                                 \
        const double n0 = (double)n[0], o0 = (double)o[0];                                            \
        return hdv * (c2 * (((n0 - (double)n[-ns]) * id) * ((o0 - (double)o[-os]) * id)));            \
    }                                                                                                 \
    /* Orders 4, 6: the cell's term with its forward pairs. far[d]: cells between this one and the  \
     * high end of axis d (N_d - 1 - global index); mirror: bit d set for a REFLECTIVE axis. */       \
    SD_HD double kg_energy_wide_cell_##SUF(const T *n, const int64_t ns[3], const T *o, const int64_t os[3], \
                                           int ndim, T chv, const kg_energy_coef *K, const int64_t far[3], \
                                           int mirror)                                                \
    {                                                                                                 \
        const double n0 = (double)n[0], o0 = (double)o[0], ch = (double)chv;                          \
        const double v = (n0 - o0) * K->idt;                                                          \
        double g = 0.0;                                                                               \
        for (int d = 0; d < ndim; d++)                                                                \
            for (int m = 1; m <= K->reach; m++) {                                                     \
                const double w = kg_pair_weight(K, m, (mirror >> d & 1) && far[d] < m);              \
                g = g + w * ((((double)n[m * ns[d]] - n0) * K->id[d]) * (((double)o[m * os[d]] - o0) * K->id[d])); \
            }                                                                                         \
        return K->hdv * ((K->kin * (v * v) + K->c2 * g) + (ch * ch) * (n0 * o0));                    \
    }                                                                                                 \
    /* Orders 4, 6: pair m crossing the low boundary of axis d at a cell of global index < m. */      \
    SD_HD double kg_energy_wide_low_##SUF(const T *n, int64_t ns, const T *o, int64_t os, int m, int d, \
                                          int mirror, const kg_energy_coef *K)                        \
    {                                                                                                 \
        const double n0 = (double)n[0], o0 = (double)o[0], w = kg_pair_weight(K, m, mirror);          \
        return K->hdv * (K->c2 * (w * (((n0 - (double)n[-m * ns]) * K->id[d]) * ((o0 - (double)o[-m * os]) * K->id[d])))); \
    }
KG_ENERGY_DEF(double, f64)
KG_ENERGY_DEF(float, f32)

/* ---- Dispersion --------------------------------------------------------------------------------
 * Exact discrete dispersion relation of the undamped leapfrog of order 2p (plane waves on a
 * periodic grid):
 *     sin^2(omega dt / 2) = (c dt)^2 sum_{d<ndim} s_d + (chi dt / 2)^2,
 *     s_d = sum_{m=1..p} b_m sin^2(m k_d dx_d / 2) / dx_d^2      (order 2: sin^2(k_d dx_d / 2) / dx_d^2)
 * Returns omega >= 0, NaN when the right side exceeds 1 (unstable), and the semi-discrete limit
 * sqrt(4 c^2 sum_d s_d + chi^2) when dt <= 0. */
SD_HD double kg_omega(int ndim, const double k[3], const double dx[3], double c, double chi, double dt, int order)
{
    double s = 0.0;
    for (int d = 0; d < ndim; d++) /* order 2: 0.5 * 1 and 1.0 * (q*q) are exact: the old bits */
        for (int m = 1; m <= kg_reach(order); m++) {
            const double q = sd_sin(0.5 * m * k[d] * dx[d]) / dx[d];
            s += kg_lap_b(order, m) * (q * q);
        }
    if (!(dt > 0.0)) return sqrt(4.0 * c * c * s + chi * chi);
    const double h = 0.5 * chi * dt, r = (c * dt) * (c * dt) * s + h * h;
    if (r > 1.0) return 0.0 / 0.0;
    return 2.0 / dt * sd_asin(sqrt(r));
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
    *e = A * sd_exp(-r2 * iw) * sd_cos(ph);
    *ep = A * sd_exp(-r2p * iw) * sd_cos(ph + omega * dt);
}

/* A plane wave at phase th: E = A cos th, E_prev = A cos(th + omega dt). */
SD_HD void kg_wave_pair(double A, double th, double wdt, double *e, double *ep)
{
    *e = A * sd_cos(th);
    *ep = A * sd_cos(th + wdt);
}

/* A cell's terms of the mode projection: e cos th and -e sin th. */
SD_HD void kg_mode_terms(double e, double th, double *re, double *im)
{
    double s, c;
    sd_sincos(th, &s, &c);
    *re = e * c;
    *im = -(e * s);
}

#endif
