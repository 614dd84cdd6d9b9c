/* batch_fixture.h - for the batch domain tests: a registered ODE system (a harmonic oscillator,
 * x' = v, v' = -k x, one parameter k) and codelets on batches registered through the C API:
 *   t.euler  (pointwise) y += dt * scale * f(t, y; p) through the system's lane functions, in
 *            groups of SD_ODE_LANES systems; p optional (k = 1 when unbound); work optional (the
 *            last state, 2n + 1 components by the ncomp hook);
 *   t.sum    (reduction) the sum over systems of y's component 0;
 *   t.mark   (pointwise) a solver-like stats field: status by the system's index (failures and
 *            terminal events), for the end-of-run report. */
#ifndef SD_BATCH_FIXTURE_H
#define SD_BATCH_FIXTURE_H
#include <string.h>
#include "stardag/codelet.h"
#include "stardag/ode.h"

enum { OSC_N = 2, OSC_NP = 1 };

static void osc_f(const void *ctx, const sd_ode_lanes *in, double *out)
{
    (void)ctx;
    const int L = SD_ODE_LANES;
    for (int l = 0; l < in->nl; l++) {
        out[0 * L + l] = in->y[1 * L + l];
        out[1 * L + l] = -in->p[l] * in->y[0 * L + l];
    }
}

static const char *const osc_vars[] = {"x", "v"}, *const osc_params[] = {"k"};
static const sd_ode_system osc_system = {
    .name = "t_osc", .n = OSC_N, .np = OSC_NP, .var_names = osc_vars, .param_names = osc_params, .f = osc_f,
    .device = SD_ODE_DEVICE_NONE, .doc = "x' = v, v' = -k x"};

/* The status t.mark gives system i: a failure for every 7th from 3 (too many steps) and every
 * 13th from 5 (stiff), every 17th from 9 (unusable tolerances), stopped by a terminal event every 11th from 0, else ok. */
static inline int mark_status(int64_t i)
{
    if (i % 7 == 3) return SD_ODE_FAIL_MAXSTEPS;
    if (i % 13 == 5) return SD_ODE_FAIL_STIFF;
    if (i % 17 == 9) return SD_ODE_FAIL_TOLERANCE;
    if (i % 11 == 0) return SD_ODE_STOPPED;
    return SD_ODE_OK;
}

static void euler_cpu(const sd_tile_args *a)
{
    const sd_ode_system *s = a->system;
    const int L = SD_ODE_LANES, n = s->n;
    double *y = a->p[0], *work = a->p[2];
    const double *p = a->p[1];
    const int64_t sc = a->sc[0];
    for (int64_t i0 = 0; i0 < a->n[0]; i0 += L) {
        double t[SD_ODE_LANES], yl[SD_ODE_LANES * 4], pl[SD_ODE_LANES], f[SD_ODE_LANES * 4];
        const int nl = a->n[0] - i0 < L ? (int)(a->n[0] - i0) : L;
        for (int l = 0; l < nl; l++) {
            t[l] = a->time;
            for (int c = 0; c < n; c++) yl[c * L + l] = y[i0 + l + c * sc];
            pl[l] = p ? p[i0 + l] : 1.0;
        }
        sd_ode_lanes in = {nl, t, yl, pl};
        s->f(s->ctx, &in, f);
        for (int l = 0; l < nl; l++)
            for (int c = 0; c < n; c++) {
                if (work) work[i0 + l + c * a->sc[2]] = y[i0 + l + c * sc];
                y[i0 + l + c * sc] = yl[c * L + l] + a->dt * a->param[0] * f[c * L + l];
            }
        if (work)
            for (int l = 0; l < nl; l++) work[i0 + l + 2 * n * a->sc[2]] = (double)(a->origin[0] + i0 + l);
    }
}

static int euler_ncomp(int role, const sd_check_info *info)
{
    const sd_ode_system *s = info->system;
    if (!s) return 0;
    return role == 0 ? s->n : role == 1 ? s->np : 2 * s->n + 1;
}

static void sum_cpu(const sd_tile_args *a)
{
    const double *y = a->p[0];
    for (int64_t i = 0; i < a->n[0]; i++) sd_acc_add(&a->acc[0], y[i]);
}

static void mark_cpu(const sd_tile_args *a)
{
    double *st = a->p[0];
    for (int64_t i = 0; i < a->n[0]; i++) {
        st[i + SD_ODE_STATUS * a->sc[0]] = mark_status(a->origin[0] + i);
        st[i + SD_ODE_T * a->sc[0]] = a->time + a->dt;
    }
}

static int mark_ncomp(int role, const sd_check_info *info)
{
    (void)role;
    (void)info;
    return SD_ODE_NSTATS;
}

static const sd_codelet batch_test_codelets[] = {
    {.name = "t.euler", .pattern = SD_POINTWISE, .domain = SD_ON_BATCH, .nroles = 3, .cpu = euler_cpu,
     .model = "t.euler", .ncomp = euler_ncomp, .nparams = 1,
     .params = {{.name = "scale", .def = 1, .min = -1e9, .max = 1e9}},
     .roles = {{.name = "y", .mode = SD_READWRITE},
               {.name = "p", .mode = SD_READ, .optional = 1},
               {.name = "work", .mode = SD_WRITE, .optional = 1}}},
    {.name = "t.sum", .pattern = SD_REDUCTION, .domain = SD_ON_BATCH, .nroles = 2, .cpu = sum_cpu, .model = "t.sum",
     .roles = {{.name = "y", .mode = SD_READ}, {.name = "total", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR,
                                                 .reduce = SD_REDUCE_SUM}}},
    {.name = "t.mark", .pattern = SD_POINTWISE, .domain = SD_ON_BATCH, .nroles = 1, .cpu = mark_cpu,
     .model = "t.mark", .ncomp = mark_ncomp, .roles = {{.name = "stats", .mode = SD_READWRITE}}},
};

/* Registers the system and the codelets once (0 on success). */
static inline int batch_fixture_register(void)
{
    sd_register_builtin_codelets();
    if (!sd_ode_system_find("t_osc") && sd_ode_system_register(&osc_system) < 0) return -1;
    if (sd_codelet_find("t.euler")) return 0;
    return sd_codelet_register_table("t_batch", batch_test_codelets, sizeof batch_test_codelets / sizeof batch_test_codelets[0]);
}
#endif
