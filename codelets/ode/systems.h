/* systems.h - the built-in ODE systems' math, once: single-system SD_HD functions that a CUDA
 * thread calls (strided: component r of the system at y[r*ys]) and that the CPU lane functions
 * loop over (stride SD_ODE_LANES, one lane per system). Each has f and an analytic Jacobian
 * (row-major: J[(r*n + c)*js] = d f_r / d y_c). Parameters as in sd_ode_system.param_names.
 * Sources of the forms: Hairer & Wanner, Solving ODEs II (2nd ed.), sec. IV.1 (Van der Pol in
 * both forms, Robertson, the Oregonator OREGO); Lorenz (1963); Prigogine & Lefever (1968) and
 * Hairer, Norsett & Wanner I, sec. II.16 (the Brusselator). The Jacobians are written as
 * runtime/ode's symbolic differentiation writes them for the same formulas, so an expression system
 * with the same dydt has bitwise the same Jacobian (tests/t_ode_systems.c). */
#ifndef SD_ODE_SYSTEMS_H
#define SD_ODE_SYSTEMS_H
#include <stdint.h>
#include "stardag/kernel.h"
#include "stardag/ode.h"

/* Built-in ids (sd_ode_system.device_id). */
enum { SD_ODE_VDP = 0, SD_ODE_VDP_EPS, SD_ODE_LORENZ, SD_ODE_ROBERTSON, SD_ODE_NBUILTIN_CORE,
       SD_ODE_BRUSSELATOR = SD_ODE_NBUILTIN_CORE, SD_ODE_OREGONATOR, SD_ODE_NBUILTIN };

/* Van der Pol, mu form: x' = v, v' = mu (1 - x^2) v - x. params [mu]. */
SD_HD void sd_ode_vdp_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
{
    (void)t;
    (void)ps;
    const double x = y[0], v = y[ys], mu = p[0];
    f[0] = v;
    f[fs] = mu * ((1.0 - x * x) * v) - x;
}
SD_HD void sd_ode_vdp_jac(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J, int64_t js)
{
    (void)t;
    (void)ps;
    const double x = y[0], v = y[ys], mu = p[0];
    J[0] = 0.0;
    J[js] = 1.0;
    J[2 * js] = mu * (-2.0 * x * v) - 1.0;
    J[3 * js] = mu * (1.0 - x * x);
}

/* Van der Pol, Hairer's stiff form: y1' = y2, y2' = ((1 - y1^2) y2 - y1) / eps. params [eps]. */
SD_HD void sd_ode_vdp_eps_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
{
    (void)t;
    (void)ps;
    const double a = y[0], b = y[ys], eps = p[0];
    f[0] = b;
    f[fs] = ((1.0 - a * a) * b - a) / eps;
}
SD_HD void sd_ode_vdp_eps_jac(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J, int64_t js)
{
    (void)t;
    (void)ps;
    const double a = y[0], b = y[ys], eps = p[0];
    J[0] = 0.0;
    J[js] = 1.0;
    J[2 * js] = (-2.0 * a * b - 1.0) / eps;
    J[3 * js] = (1.0 - a * a) / eps;
}

/* Lorenz: x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z. params [sigma, rho, beta]. */
SD_HD void sd_ode_lorenz_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
{
    (void)t;
    const double a = y[0], b = y[ys], c = y[2 * ys], sigma = p[0], rho = p[ps], beta = p[2 * ps];
    f[0] = sigma * (b - a);
    f[fs] = a * (rho - c) - b;
    f[2 * fs] = a * b - beta * c;
}
SD_HD void sd_ode_lorenz_jac(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J, int64_t js)
{
    (void)t;
    const double a = y[0], b = y[ys], c = y[2 * ys], sigma = p[0], rho = p[ps], beta = p[2 * ps];
    J[0] = -sigma;      J[js] = sigma;     J[2 * js] = 0.0;
    J[3 * js] = rho - c; J[4 * js] = -1.0;  J[5 * js] = -a;
    J[6 * js] = b;      J[7 * js] = a;     J[8 * js] = -beta;
}

/* Robertson: y1' = -k1 y1 + k3 y2 y3, y2' = k1 y1 - k3 y2 y3 - k2 y2^2, y3' = k2 y2^2.
 * params [k1, k2, k3] (the classic 0.04, 3e7, 1e4). */
SD_HD void sd_ode_robertson_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
{
    (void)t;
    const double a = y[0], b = y[ys], c = y[2 * ys], k1 = p[0], k2 = p[ps], k3 = p[2 * ps];
    const double r1 = k1 * a, r2 = k2 * (b * b), r3 = k3 * (b * c);
    f[0] = r3 - r1;
    f[fs] = (r1 - r3) - r2;
    f[2 * fs] = r2;
}
SD_HD void sd_ode_robertson_jac(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J, int64_t js)
{
    (void)t;
    const double b = y[ys], c = y[2 * ys], k1 = p[0], k2 = p[ps], k3 = p[2 * ps];
    (void)y;
    J[0] = -k1;  J[js] = k3 * c;                     J[2 * js] = k3 * b;
    J[3 * js] = k1; J[4 * js] = -k3 * c - 2.0 * k2 * b; J[5 * js] = -k3 * b;
    J[6 * js] = 0.0; J[7 * js] = 2.0 * k2 * b;         J[8 * js] = 0.0;
}

/* Brusselator: u' = A + u^2 v - (B + 1) u, v' = B u - u^2 v. params [A, B] (1, 3: a limit cycle). */
SD_HD void sd_ode_brusselator_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f,
                                int64_t fs)
{
    (void)t;
    const double u = y[0], v = y[ys], A = p[0], B = p[ps];
    const double uuv = (u * u) * v;
    f[0] = (A + uuv) - (B + 1.0) * u;
    f[fs] = B * u - uuv;
}
SD_HD void sd_ode_brusselator_jac(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J,
                                  int64_t js)
{
    (void)t;
    const double u = y[0], v = y[ys], B = p[ps];
    J[0] = (2.0 * u) * v - (B + 1.0);
    J[js] = u * u;
    J[2 * js] = B - (2.0 * u) * v;
    J[3 * js] = -(u * u);
}

/* Oregonator (Hairer & Wanner II, OREGO): y1' = s (y2 + y1 (1 - q y1 - y2)),
 * y2' = (y3 - (1 + y1) y2) / s, y3' = w (y1 - y3). params [s, q, w] (77.27, 8.375e-6, 0.161). */
SD_HD void sd_ode_oregonator_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f,
                               int64_t fs)
{
    (void)t;
    const double a = y[0], b = y[ys], c = y[2 * ys], s = p[0], q = p[ps], w = p[2 * ps];
    f[0] = s * (b + a * ((1.0 - q * a) - b));
    f[fs] = (c - (1.0 + a) * b) / s;
    f[2 * fs] = w * (a - c);
}
SD_HD void sd_ode_oregonator_jac(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J,
                                 int64_t js)
{
    (void)t;
    const double a = y[0], b = y[ys], s = p[0], q = p[ps], w = p[2 * ps];
    const double m = (1.0 - q * a) - b;
    J[0] = s * (m - a * q);   J[js] = s * (1.0 - a); J[2 * js] = 0.0;
    J[3 * js] = -b / s;       J[4 * js] = -(1.0 + a) / s; J[5 * js] = 1.0 / s;
    J[6 * js] = w;            J[7 * js] = 0.0;       J[8 * js] = -w;
}

/* A built-in by id, for CUDA threads (an unknown id leaves out untouched). */
SD_HD void sd_ode_builtin_f(int id, double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f,
                            int64_t fs)
{
    switch (id) {
    case SD_ODE_VDP: sd_ode_vdp_f(t, y, ys, p, ps, f, fs); break;
    case SD_ODE_VDP_EPS: sd_ode_vdp_eps_f(t, y, ys, p, ps, f, fs); break;
    case SD_ODE_LORENZ: sd_ode_lorenz_f(t, y, ys, p, ps, f, fs); break;
    case SD_ODE_ROBERTSON: sd_ode_robertson_f(t, y, ys, p, ps, f, fs); break;
    case SD_ODE_BRUSSELATOR: sd_ode_brusselator_f(t, y, ys, p, ps, f, fs); break;
    case SD_ODE_OREGONATOR: sd_ode_oregonator_f(t, y, ys, p, ps, f, fs); break;
    default: break;
    }
}
SD_HD void sd_ode_builtin_jac(int id, double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J,
                              int64_t js)
{
    switch (id) {
    case SD_ODE_VDP: sd_ode_vdp_jac(t, y, ys, p, ps, J, js); break;
    case SD_ODE_VDP_EPS: sd_ode_vdp_eps_jac(t, y, ys, p, ps, J, js); break;
    case SD_ODE_LORENZ: sd_ode_lorenz_jac(t, y, ys, p, ps, J, js); break;
    case SD_ODE_ROBERTSON: sd_ode_robertson_jac(t, y, ys, p, ps, J, js); break;
    case SD_ODE_BRUSSELATOR: sd_ode_brusselator_jac(t, y, ys, p, ps, J, js); break;
    case SD_ODE_OREGONATOR: sd_ode_oregonator_jac(t, y, ys, p, ps, J, js); break;
    default: break;
    }
}

/* No built-in has event functions (events come with expression systems): nothing is written. The
 * dispatcher exists so that a CUDA solver's event path compiles for every system id. */
SD_HD void sd_ode_builtin_events(int id, double t, const double *y, int64_t ys, const double *p, int64_t ps,
                                 double *g, int64_t gs)
{
    (void)id, (void)t, (void)y, (void)ys, (void)p, (void)ps, (void)g, (void)gs;
}

/* SD_ODE_LANE_FN (stardag/ode.h) makes the CPU lane functions of these. */

/* Registers the built-ins above (and `linear`'s loader is runtime/ode/ode_linear.h). */
void sd_register_ode_systems(void);

#endif
