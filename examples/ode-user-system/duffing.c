/* duffing.c - an ODE system of your own in C through stardag's public API: the forced Duffing
 * oscillator x' = v, v' = gamma cos(omega t) - delta v - alpha x - beta x^3, written once as an
 * SD_HD function (a CUDA thread could call it too), looped over the solver's lanes by
 * SD_ODE_LANE_FN, with its analytic Jacobian, and registered under a name that graphs use as
 * `system: duffing`.
 *   duffing            registers the system and checks it: f at a known state, and the Jacobian
 *                      against central differences
 *   duffing GRAPH      then loads GRAPH (e.g. run.yaml here: a sweep of the forcing over an
 *                      ensemble) and runs it; exit status as `stardag run`'s */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stardag/ode.h>
#include <stardag/stardag.h>

/* params: delta (damping), alpha (linear stiffness), beta (cubic), gamma (forcing), omega */
SD_HD void duffing_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
{
    const double x = y[0], v = y[ys], delta = p[0], alpha = p[ps], beta = p[2 * ps], gamma = p[3 * ps],
                 omega = p[4 * ps];
    f[0] = v;
    f[fs] = ((gamma * cos(omega * t) - delta * v) - alpha * x) - beta * ((x * x) * x);
}
SD_HD void duffing_jac(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J, int64_t js)
{
    (void)t, (void)ys;
    const double x = y[0], delta = p[0], alpha = p[ps], beta = p[2 * ps];
    J[0] = 0.0;
    J[js] = 1.0;
    J[2 * js] = -alpha - beta * (3.0 * (x * x));
    J[3 * js] = -delta;
}
SD_ODE_LANE_FN(duffing_lanes_f, duffing_f)
SD_ODE_LANE_FN(duffing_lanes_jac, duffing_jac)

static const char *const vars[] = {"x", "v"};
static const char *const params[] = {"delta", "alpha", "beta", "gamma", "omega"};
static const double defaults[] = {0.2, -1.0, 1.0, 0.3, 1.2}; /* the double-well, chaotic regime */

static const sd_ode_system duffing = {
    .name = "duffing",
    .n = 2,
    .np = 5,
    .var_names = vars,
    .param_names = params,
    .param_default = defaults,
    .f = duffing_lanes_f,
    .jac = duffing_lanes_jac,
    .device = SD_ODE_DEVICE_NONE, /* CPU: CUDA threads evaluate built-ins only */
    .doc = "forced Duffing oscillator: x' = v, v' = gamma cos(omega t) - delta v - alpha x - beta x^3",
};

/* f at a state worked out by hand, and the Jacobian against central differences, in every lane */
static int self_check(const sd_ode_system *s)
{
    enum { L = SD_ODE_LANES };
    double t[L], y[2 * L], p[5 * L], f[2 * L], J[4 * L], worst = 0;
    for (int l = 0; l < L; l++) {
        t[l] = 0.5 * l;
        y[l] = -1.5 + 0.4 * l;
        y[L + l] = 0.3 - 0.1 * l;
        for (int k = 0; k < 5; k++) p[k * L + l] = defaults[k];
    }
    sd_ode_lanes in = {L, t, y, p};
    s->f(s->ctx, &in, f);
    s->jac(s->ctx, &in, J);
    /* lane 0: t = 0, x = -1.5, v = 0.3: v' = 0.3 cos 0 - 0.2*0.3 - (-1)(-1.5) - 1*(-1.5)^3 = 2.115 */
    double want = 0.3 - 0.2 * 0.3 - (-1.0) * (-1.5) - 1.0 * (-3.375);
    if (fabs(f[L] - want) > 1e-12 || f[0] != 0.3) {
        fprintf(stderr, "duffing: f(0, [-1.5, 0.3]) = [%g, %g], expected [0.3, %g]\n", f[0], f[L], want);
        return 1;
    }
    for (int c = 0; c < 2; c++) {
        double yp[2 * L], ym[2 * L], fp[2 * L], fm[2 * L], h = 1e-6;
        memcpy(yp, y, sizeof y);
        memcpy(ym, y, sizeof y);
        for (int l = 0; l < L; l++) yp[c * L + l] += h, ym[c * L + l] -= h;
        sd_ode_lanes ip = {L, t, yp, p}, im = {L, t, ym, p};
        s->f(s->ctx, &ip, fp);
        s->f(s->ctx, &im, fm);
        for (int r = 0; r < 2; r++)
            for (int l = 0; l < L; l++) {
                double fd = (fp[r * L + l] - fm[r * L + l]) / (2 * h);
                worst = fmax(worst, fabs(fd - J[(r * 2 + c) * L + l]) / fmax(1.0, fabs(fd)));
            }
    }
    printf("duffing: registered (n 2, 5 parameters); f checked; Jacobian within %.1e of central differences\n", worst);
    return worst < 1e-6 ? 0 : 1;
}

int main(int argc, char **argv)
{
    sd_register_builtin_codelets(); /* the codelets and the built-in systems */
    if (sd_ode_system_register(&duffing) != 0) return SD_EXIT_RUNTIME;
    const sd_ode_system *s = sd_ode_system_find("duffing");
    if (!s || self_check(s)) return SD_EXIT_RUNTIME;
    if (argc < 2) return 0;

    char err[1024];
    sd_graph *g = sd_graph_load(argv[1], err, sizeof err);
    if (!g) {
        fprintf(stderr, "%s\n", err);
        return SD_EXIT_BADGRAPH;
    }
    sd_run_opts o;
    sd_run_opts_init(&o);
    int status = sd_run(g, &o);
    sd_graph_free(g);
    return status;
}
