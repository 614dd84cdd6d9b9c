/* t_ode_explicit.c - ode.dopri5 and ode.dop853 kernels called directly on hand-built batch tiles:
 * accuracy on problems with exact or SciPy reference solutions (bench/peers/ode/ref_explicit.txt),
 * step counts against SciPy's, bitwise independence of lane, tiling and output intervals, the
 * failure statuses, events, and ode.status. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tap.h"
#include "stardag/codelet.h"
#include "ode/systems.h"
#include "ode/erk_lanes.h"

#ifndef SD_REF_EXPLICIT
#error "SD_REF_EXPLICIT: the path of bench/peers/ode/ref_explicit.txt"
#endif

/* ---- systems of the tests -------------------------------------------------------------------- */
/* Harmonic oscillator x' = v, v' = -k x (params [k]): x = cos(sqrt(k) t) from (1, 0). */
static void osc_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
{
    (void)t, (void)ps;
    f[0] = y[ys];
    f[fs] = -p[0] * y[0];
}
/* Exponential decay y' = -k y. */
static void decay_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)
{
    (void)t, (void)ys, (void)ps;
    f[0] = -p[0] * y[0];
    (void)fs;
}
/* Van der Pol event: g = x. */
static void vdp_x(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *g, int64_t gs)
{
    (void)t, (void)ys, (void)p, (void)ps, (void)gs;
    g[0] = y[0];
}
SD_ODE_LANE_FN(osc_lanes, osc_f)
SD_ODE_LANE_FN(decay_lanes, decay_f)
SD_ODE_LANE_FN(vdp_lanes, sd_ode_vdp_f)
SD_ODE_LANE_FN(lorenz_lanes, sd_ode_lorenz_f)
SD_ODE_LANE_FN(vdp_x_lanes, vdp_x)

static const double k_one[] = {1.0}, mu_one[] = {1.0}, lorenz_p[] = {10.0, 28.0, 8.0 / 3.0};
static const sd_ode_system OSC = {.name = "osc", .n = 2, .np = 1, .param_default = k_one, .f = osc_lanes};
static const sd_ode_system DECAY = {.name = "decay", .n = 1, .np = 1, .param_default = k_one, .f = decay_lanes};
static const sd_ode_system VDP = {.name = "vdp", .n = 2, .np = 1, .param_default = mu_one, .f = vdp_lanes};
static const sd_ode_system LORENZ = {.name = "lorenz", .n = 3, .np = 3, .param_default = lorenz_p, .f = lorenz_lanes};
static const sd_ode_system VDP_EV = {.name = "vdp_ev", .n = 2, .np = 1, .nevents = 1, .param_default = mu_one,
                                     .f = vdp_lanes, .events = vdp_x_lanes, .event_direction = {-1}};
static const sd_ode_system VDP_STOP = {.name = "vdp_stop", .n = 2, .np = 1, .nevents = 1, .param_default = mu_one,
                                       .f = vdp_lanes, .events = vdp_x_lanes, .event_direction = {-1},
                                       .event_terminal = {1}};

/* ---- a batch of m systems held as one tile's SoA buffers ------------------------------------- */
typedef struct method {
    const char *name;
    void (*cpu)(const sd_tile_args *);
    const erk_tableau *T;
} method;

typedef struct batch {
    const sd_ode_system *S;
    int64_t m;
    int nw, nev;
    double *y, *stats, *work, *p, *ev;
    double *atol; /* NULL: the atol parameter */
} batch;

static void *xcalloc(size_t n)
{
    void *v = calloc(n ? n : 1, sizeof(double));
    if (!v) {
        printf("Bail out! out of memory\n");
        exit(1);
    }
    return v;
}

/* y0 for all systems; p NULL: the system's defaults (no p field bound). */
static batch batch_new(const sd_ode_system *S, const method *M, int64_t m, const double *y0, const double *p)
{
    batch b = {.S = S, .m = m, .nev = S->events ? S->nevents : 0};
    b.nw = erk_work_ncomp(M->T, S->n, b.nev);
    b.y = xcalloc((size_t)(m * S->n));
    b.stats = xcalloc((size_t)(m * SD_ODE_NSTATS));
    b.work = xcalloc((size_t)(m * b.nw));
    b.ev = xcalloc((size_t)(m * S->nevents * (SD_ODE_EVENT_NCOMP + S->n)));
    if (p) {
        b.p = xcalloc((size_t)(m * S->np));
        memcpy(b.p, p, sizeof(double) * (size_t)(m * S->np));
    }
    for (int64_t i = 0; i < m; i++)
        for (int c = 0; c < S->n; c++) b.y[i + c * m] = y0[c];
    return b;
}
static void batch_free(batch *b)
{
    free(b->y), free(b->stats), free(b->work), free(b->p), free(b->ev), free(b->atol);
}

typedef struct opts {
    double rtol, atol, first_step, max_step, max_steps, nstiff;
} opts;
static const opts DEFAULT_OPTS = {1e-6, 1e-6, 0, 0, 100000, 1000};

/* One task: the tile [0, m) of b advanced over [time, time + dt]. */
static void advance(const method *M, batch *b, const opts *o, double time, double dt)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = ERK_NROLES;
    a.p[ERK_R_Y] = b->y;
    a.p[ERK_R_STATS] = b->stats;
    a.p[ERK_R_WORK] = b->work;
    a.p[ERK_R_P] = b->p;
    a.p[ERK_R_ATOL] = b->atol;
    a.p[ERK_R_EVENTS] = b->nev ? b->ev : NULL;
    for (int r = 0; r < ERK_NROLES; r++) a.sc[r] = b->m;
    a.param[ERK_P_RTOL] = o->rtol;
    a.param[ERK_P_ATOL] = o->atol;
    a.param[ERK_P_FIRST_STEP] = o->first_step;
    a.param[ERK_P_MAX_STEP] = o->max_step;
    a.param[ERK_P_MAX_STEPS] = o->max_steps;
    a.param[ERK_P_NSTIFF] = o->nstiff;
    a.time = time;
    a.dt = dt;
    a.system = b->S;
    a.ndim = 1;
    a.n[0] = b->m, a.n[1] = a.n[2] = 1;
    a.shape[0] = b->m, a.shape[1] = a.shape[2] = 1;
    M->cpu(&a);
}

/* nint intervals of length t_end / nint, as a graph's steps would run them. */
static void integrate(const method *M, batch *b, const opts *o, double t_end, int nint)
{
    const double dt = t_end / nint;
    for (int k = 1; k <= nint; k++) advance(M, b, o, (k - 1) * dt, dt);
}

/* ---- the reference file ---------------------------------------------------------------------- */
static int ref_values(const char *key, double *v, int max)
{
    FILE *f = fopen(SD_REF_EXPLICIT, "r");
    if (!f) {
        printf("Bail out! cannot open %s\n", SD_REF_EXPLICIT);
        exit(1);
    }
    char line[4096];
    int n = -1;
    const size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) != 0 || line[kl] != ' ') continue;
        char *s = line + kl, *e;
        n = 0;
        while (n < max) {
            const double x = strtod(s, &e);
            if (e == s) break;
            v[n++] = x;
            s = e;
        }
        break;
    }
    fclose(f);
    if (n < 0) {
        printf("Bail out! %s has no line %s\n", SD_REF_EXPLICIT, key);
        exit(1);
    }
    return n;
}

static method DOPRI5, DOP853;

/* ---- (1) exact solutions ---------------------------------------------------------------------- */
static void test_exact(const method *M)
{
    const double tol = 1e-8;
    opts o = DEFAULT_OPTS;
    o.rtol = o.atol = tol;
    const double k = 4.0, w = 2.0; /* oscillator with omega = 2: ten output times over [0, 10] */
    const double y0[] = {1.0, 0.0};
    batch b = batch_new(&OSC, M, 1, y0, &k);
    double worst = 0.0;
    for (int j = 1; j <= 10; j++) {
        advance(M, &b, &o, j - 1.0, 1.0);
        const double ex = cos(w * j), ev = -w * sin(w * j);
        worst = fmax(worst, fmax(fabs(b.y[0] - ex), fabs(b.y[1] - ev) / w));
    }
    ok(worst <= 50 * tol && b.stats[SD_ODE_T] == 10.0, "%s: oscillator x = cos(2t) at 10 outputs within 50 tol (worst %.3g)",
       M->name, worst);
    batch_free(&b);

    const double kd = 0.7, yd[] = {3.0};
    b = batch_new(&DECAY, M, 1, yd, &kd);
    integrate(M, &b, &o, 5.0, 7);
    const double ex = 3.0 * exp(-kd * 5.0);
    ok(fabs(b.y[0] - ex) <= 50 * tol * fmax(1.0, ex), "%s: decay y' = -0.7 y at t = 5: error %.3g", M->name,
       fabs(b.y[0] - ex));
    batch_free(&b);
}

/* ---- (2) + (3) SciPy references and step counts ------------------------------------------------- */
static void test_reference(const method *M, const sd_ode_system *S, const char *prob, double tol)
{
    double ref[8];
    char key[128];
    snprintf(key, sizeof key, "ref.%s", prob);
    const int nr = ref_values(key, ref, 8);
    const double t_end = ref[0];
    const double y0_vdp[] = {2.0, 0.0}, y0_lor[] = {1.0, 1.0, 1.0};
    opts o = DEFAULT_OPTS;
    o.rtol = o.atol = tol;
    batch b = batch_new(S, M, 1, S->n == 2 ? y0_vdp : y0_lor, NULL);
    integrate(M, &b, &o, t_end, 1);
    double err = 0.0, mag = 0.0;
    for (int c = 0; c < S->n && c + 1 < nr; c++) {
        err = fmax(err, fabs(b.y[c] - ref[1 + c]));
        mag = fmax(mag, fabs(ref[1 + c]));
    }
    /* the global error a tolerance buys grows with the integration length (VdP: 15 periods) */
    const double factor = 50.0;
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_OK && err <= factor * tol * fmax(1.0, mag),
       "%s %s rtol %g: |y - ref| = %.3g (<= %g tol * max(1, |y|) = %.3g)", M->name, prob, tol, err, factor,
       factor * tol * fmax(1.0, mag));
    double sc[2];
    snprintf(key, sizeof key, "nfev.%s.%s.%g", M->T->err3 ? "DOP853" : "RK45", prob, tol);
    ref_values(key, sc, 2);
    const double nfev = b.stats[SD_ODE_NFEV], nacc = b.stats[SD_ODE_NACCEPT];
    ok(fabs(nfev - sc[0]) <= 0.2 * sc[0], "%s %s rtol %g: %g f evaluations, %g steps (SciPy %s: %g, %g): within 20%%",
       M->name, prob, tol, nfev, nacc, M->T->err3 ? "DOP853" : "RK45", sc[0], sc[1]);
    batch_free(&b);
}

/* ---- (4) bitwise independence ------------------------------------------------------------------- */
static int same_bits(const double *a, const double *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

/* The value of component c of system i of a batch of m. */
#define AT(arr, i, c, m) ((arr)[(i) + (int64_t)(c) * (m)])

static void mus(double *p, int m)
{
    for (int i = 0; i < m; i++) p[i] = 0.5 + 1.5 * i / (m - 1);
}

static void test_bitwise(const method *M)
{
    enum { NS = 37 };
    const double y0[] = {2.0, 0.0};
    double mu[NS];
    mus(mu, NS);
    const opts o = DEFAULT_OPTS;
    /* all 37 in one tile */
    batch all = batch_new(&VDP_EV, M, NS, y0, mu);
    integrate(M, &all, &o, 20.0, 4);
    /* as 3 tiles of 13, 12, 12 (own buffers, other lanes) */
    int split_ok = 1, alone_ok = 1;
    const int64_t start[] = {0, 13, 25, 37};
    for (int t = 0; t < 3; t++) {
        const int64_t m = start[t + 1] - start[t];
        batch part = batch_new(&VDP_EV, M, m, y0, mu + start[t]);
        integrate(M, &part, &o, 20.0, 4);
        for (int64_t i = 0; i < m; i++) {
            const int64_t g = start[t] + i;
            for (int c = 0; c < 2; c++) split_ok &= same_bits(&AT(part.y, i, c, m), &AT(all.y, g, c, NS), 1);
            for (int c = 0; c < SD_ODE_NSTATS; c++)
                split_ok &= same_bits(&AT(part.stats, i, c, m), &AT(all.stats, g, c, NS), 1);
            for (int c = 0; c < all.nw; c++) split_ok &= same_bits(&AT(part.work, i, c, m), &AT(all.work, g, c, NS), 1);
            for (int c = 0; c < SD_ODE_EVENT_NCOMP + 2; c++)
                split_ok &= same_bits(&AT(part.ev, i, c, m), &AT(all.ev, g, c, NS), 1);
        }
        batch_free(&part);
    }
    ok(split_ok, "%s: 37 VdP systems (with events) as 1 tile and as tiles 13/12/12: y, stats, work, events bitwise equal",
       M->name);
    /* each one alone (lane 0 of a group of 1) */
    for (int64_t g = 0; g < NS; g++) {
        batch one = batch_new(&VDP_EV, M, 1, y0, mu + g);
        integrate(M, &one, &o, 20.0, 4);
        for (int c = 0; c < 2; c++) alone_ok &= same_bits(&one.y[c], &AT(all.y, g, c, NS), 1);
        for (int c = 0; c < SD_ODE_NSTATS; c++) alone_ok &= same_bits(&one.stats[c], &AT(all.stats, g, c, NS), 1);
        for (int c = 0; c < all.nw; c++) alone_ok &= same_bits(&one.work[c], &AT(all.work, g, c, NS), 1);
        batch_free(&one);
    }
    ok(alone_ok, "%s: each of the 37 alone (M = 1) equals its lane of the group bitwise", M->name);
    batch_free(&all);

    /* [0, 20] as 1 interval and as 200: the same internal steps */
    batch one = batch_new(&VDP, M, 8, y0, mu), many = batch_new(&VDP, M, 8, y0, mu);
    integrate(M, &one, &o, 20.0, 1);
    integrate(M, &many, &o, 20.0, 200);
    int steps_ok = 1, state_ok = 1;
    double ydiff = 0.0;
    for (int64_t i = 0; i < 8; i++) {
        steps_ok &= AT(one.stats, i, SD_ODE_NACCEPT, 8) == AT(many.stats, i, SD_ODE_NACCEPT, 8) &&
                    AT(one.stats, i, SD_ODE_NREJECT, 8) == AT(many.stats, i, SD_ODE_NREJECT, 8) &&
                    same_bits(&AT(one.stats, i, SD_ODE_H, 8), &AT(many.stats, i, SD_ODE_H, 8), 1) &&
                    AT(one.stats, i, SD_ODE_NSTIFF, 8) == AT(many.stats, i, SD_ODE_NSTIFF, 8);
        /* DOPRI5's dense output is free; DOP853's 3 extra stages are spent on steps that hold an
           output time, so only its nfev depends on the output times */
        if (!M->T->err3) steps_ok &= AT(one.stats, i, SD_ODE_NFEV, 8) == AT(many.stats, i, SD_ODE_NFEV, 8);
        for (int c = 0; c < one.nw; c++) state_ok &= same_bits(&AT(one.work, i, c, 8), &AT(many.work, i, c, 8), 1);
        for (int c = 0; c < 2; c++) ydiff = fmax(ydiff, fabs(AT(one.y, i, c, 8) - AT(many.y, i, c, 8)));
    }
    ok(steps_ok, "%s: [0, 20] in 1 interval and in 200: the same accepted/rejected steps, next h, stiffness counter%s",
       M->name, M->T->err3 ? "" : ", f evaluations");
    ok(state_ok, "%s: ... and bitwise the same internal state (t, y, f, dense coefficients of the last step)", M->name);
    ok(ydiff <= 1e-13, "%s: ... y(20) by dense output from the same step: |difference| %.3g", M->name, ydiff);
    batch_free(&one);
    batch_free(&many);
}

/* ---- (5) failures -------------------------------------------------------------------------------- */
static void test_failures(void)
{
    const double y0[] = {2.0, 0.0};
    opts o = DEFAULT_OPTS;
    /* stiff Van der Pol: DOPRI5 recognises it long before max_steps */
    const double mu_stiff = 1000.0;
    batch b = batch_new(&VDP, &DOPRI5, 1, y0, &mu_stiff);
    const clock_t c0 = clock();
    integrate(&DOPRI5, &b, &o, 3000.0, 1);
    const double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_STIFF && b.stats[SD_ODE_NACCEPT] < 20000,
       "dopri5: VdP mu = 1000 -> FAIL_STIFF (status %g) after %g accepted steps, %.3f s", b.stats[SD_ODE_STATUS],
       b.stats[SD_ODE_NACCEPT], secs);
    ok(b.y[0] == 2.0 && b.y[1] == 0.0 && b.stats[SD_ODE_T] == 0.0, "dopri5: the failed system keeps its last good y and t");
    batch_free(&b);
    b = batch_new(&VDP, &DOP853, 1, y0, &mu_stiff);
    integrate(&DOP853, &b, &o, 3000.0, 1);
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_STIFF, "dop853: VdP mu = 1000 -> FAIL_STIFF (status %g, %g steps)",
       b.stats[SD_ODE_STATUS], b.stats[SD_ODE_NACCEPT]);
    batch_free(&b);

    /* a NaN parameter fails its own system only */
    double mu[8];
    mus(mu, 8);
    batch ref = batch_new(&VDP, &DOPRI5, 8, y0, mu);
    integrate(&DOPRI5, &ref, &o, 5.0, 5);
    mu[3] = NAN;
    b = batch_new(&VDP, &DOPRI5, 8, y0, mu);
    integrate(&DOPRI5, &b, &o, 5.0, 5);
    int others = 1;
    for (int i = 0; i < 8; i++)
        if (i != 3) others &= AT(b.stats, i, SD_ODE_STATUS, 8) == SD_ODE_OK && AT(b.y, i, 0, 8) == AT(ref.y, i, 0, 8) &&
                              AT(b.y, i, 1, 8) == AT(ref.y, i, 1, 8);
    ok(AT(b.stats, 3, SD_ODE_STATUS, 8) == SD_ODE_FAIL_NONFINITE && others,
       "NaN parameter: FAIL_NONFINITE for that system (status %g), the other 7 bitwise as without it",
       AT(b.stats, 3, SD_ODE_STATUS, 8));
    batch_free(&b);
    batch_free(&ref);

    /* max_steps per interval */
    o.max_steps = 10;
    b = batch_new(&VDP, &DOP853, 1, y0, NULL);
    integrate(&DOP853, &b, &o, 20.0, 1);
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_MAXSTEPS && b.stats[SD_ODE_NACCEPT] + b.stats[SD_ODE_NREJECT] == 10,
       "max_steps = 10 over [0, 20]: FAIL_MAXSTEPS after 10 attempts (status %g)", b.stats[SD_ODE_STATUS]);
    /* a failed system is skipped later */
    const double nfev = b.stats[SD_ODE_NFEV];
    o.max_steps = 100000;
    advance(&DOP853, &b, &o, 20.0, 1.0);
    ok(b.stats[SD_ODE_NFEV] == nfev && b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_MAXSTEPS,
       "a failed system is not advanced in later intervals");
    batch_free(&b);

    /* step size underflow: a solution that blows up in finite time (x' = x^2 via VdP? no: decay with k < 0
       grows exponentially; use a huge negative rate to overflow) */
    const double kneg = -1e3, yd[] = {1.0};
    b = batch_new(&DECAY, &DOPRI5, 1, yd, &kneg);
    integrate(&DOPRI5, &b, &o, 10.0, 1);
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_NONFINITE || b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_STEP,
       "y' = 1000 y to t = 10 (overflow): a failure status (%g), no hang", b.stats[SD_ODE_STATUS]);
    batch_free(&b);
}

/* ---- per-component atol, missing parameters ------------------------------------------------- */
static void test_atol_field(void)
{
    const double y0[] = {1.0, 1.0, 1.0};
    opts o = DEFAULT_OPTS;
    batch ref = batch_new(&LORENZ, &DOPRI5, 3, y0, NULL), b = batch_new(&LORENZ, &DOPRI5, 3, y0, NULL);
    b.atol = xcalloc(9);
    for (int q = 0; q < 9; q++) b.atol[q] = o.atol;
    integrate(&DOPRI5, &ref, &o, 1.0, 3);
    integrate(&DOPRI5, &b, &o, 1.0, 3);
    ok(same_bits(ref.y, b.y, 9) && same_bits(ref.stats, b.stats, 3 * SD_ODE_NSTATS),
       "atol field equal to the atol parameter everywhere: bitwise the same run");
    batch c = batch_new(&LORENZ, &DOPRI5, 3, y0, NULL);
    c.atol = xcalloc(9);
    for (int q = 0; q < 9; q++) c.atol[q] = q % 3 == 1 ? 1e-12 : o.atol; /* system 1: tight */
    o.rtol = 1e-12;
    integrate(&DOPRI5, &c, &o, 1.0, 3);
    ok(AT(c.stats, 1, SD_ODE_NACCEPT, 3) > 2 * AT(c.stats, 0, SD_ODE_NACCEPT, 3),
       "per-system atol: the system with atol 1e-12 takes more steps (%g vs %g)", AT(c.stats, 1, SD_ODE_NACCEPT, 3),
       AT(c.stats, 0, SD_ODE_NACCEPT, 3));
    batch_free(&ref), batch_free(&b), batch_free(&c);

    /* no p field and no defaults: the parameters are missing, a visible failure */
    sd_ode_system nodef = VDP;
    nodef.param_default = NULL;
    batch d = batch_new(&nodef, &DOPRI5, 2, y0, NULL);
    integrate(&DOPRI5, &d, &DEFAULT_OPTS, 1.0, 1);
    ok(AT(d.stats, 0, SD_ODE_STATUS, 2) == SD_ODE_FAIL_NONFINITE && AT(d.stats, 1, SD_ODE_STATUS, 2) == SD_ODE_FAIL_NONFINITE,
       "no p field and no parameter defaults: FAIL_NONFINITE (status %g, %g)", AT(d.stats, 0, SD_ODE_STATUS, 2),
       AT(d.stats, 1, SD_ODE_STATUS, 2));
    batch_free(&d);
}

/* ---- (6) events --------------------------------------------------------------------------------- */
static void test_events(const method *M)
{
    double ref[16];
    const int nref = ref_values("event.vdp_down", ref, 16);
    const double y0[] = {2.0, 0.0};
    opts o = DEFAULT_OPTS;
    o.rtol = o.atol = 1e-10;
    batch b = batch_new(&VDP_EV, M, 1, y0, NULL);
    int counts_ok = 1;
    double worst = 0.0;
    for (int k = 1; k <= 20; k++) {
        advance(M, &b, &o, k - 1.0, 1.0);
        int want = 0;
        while (want < nref && ref[want] <= k) want++;
        counts_ok &= b.ev[SD_ODE_EVENT_COUNT] == want;
        if (want) worst = fmax(worst, fabs(b.ev[SD_ODE_EVENT_T] - ref[want - 1]));
    }
    ok(counts_ok && b.ev[SD_ODE_EVENT_COUNT] == nref,
       "%s: VdP x crossing 0 downwards: %g crossings by t = 20 (SciPy %d), reported in the interval they fall in",
       M->name, b.ev[SD_ODE_EVENT_COUNT], nref);
    ok(worst <= 1e-8, "%s: crossing times vs SciPy within 1e-8 (worst %.3g)", M->name, worst);
    ok(fabs(b.ev[SD_ODE_EVENT_NCOMP]) <= 1e-9, "%s: the state at the last crossing has x = %.3g", M->name,
       b.ev[SD_ODE_EVENT_NCOMP]);
    batch_free(&b);

    b = batch_new(&VDP_STOP, M, 1, y0, NULL);
    integrate(M, &b, &o, 20.0, 10);
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_STOPPED && fabs(b.stats[SD_ODE_T] - ref[0]) <= 1e-8 && fabs(b.y[0]) <= 1e-9 &&
           b.ev[SD_ODE_EVENT_COUNT] == 1,
       "%s: terminal event: STOPPED at t = %.12g (SciPy %.12g), x = %.3g, one crossing", M->name, b.stats[SD_ODE_T],
       ref[0], b.y[0]);
    batch_free(&b);
}

/* ---- ode.status --------------------------------------------------------------------------------- */
static void test_status(void)
{
    const sd_codelet *c = sd_codelet_find("ode.status");
    if (!ok(c != NULL, "ode.status is registered")) return;
    enum { M = 10 };
    double st[M * SD_ODE_NSTATS] = {0};
    for (int i = 0; i < M; i++) {
        AT(st, i, SD_ODE_NACCEPT, M) = 10 + i;
        AT(st, i, SD_ODE_NFEV, M) = 60 + i;
    }
    AT(st, 7, SD_ODE_STATUS, M) = SD_ODE_FAIL_STIFF;
    AT(st, 4, SD_ODE_STATUS, M) = SD_ODE_FAIL_MAXSTEPS;
    AT(st, 2, SD_ODE_STATUS, M) = SD_ODE_STOPPED;
    sd_acc acc[5];
    for (int j = 0; j < 5; j++) sd_acc_init(&acc[j]);
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = 1;
    a.p[0] = st;
    a.sc[0] = M;
    a.ndim = 1;
    a.n[0] = M, a.n[1] = a.n[2] = 1;
    a.origin[0] = 100;
    a.nacc = 5;
    a.acc = acc;
    c->cpu(&a);
    ok(sd_acc_sum(&acc[0]) == 2 && acc[1].minv == 104 && sd_acc_sum(&acc[2]) == 1 && sd_acc_sum(&acc[3]) == 145 &&
           sd_acc_sum(&acc[4]) == 645,
       "ode.status: failed 2, first_failed 104 (tile origin 100), stopped 1, accepted 145, nfev 645");
}

/* ---- registration ------------------------------------------------------------------------------- */
static void test_decls(void)
{
    const sd_codelet *c = sd_codelet_find("ode.dopri5");
    if (!ok(c && sd_codelet_find("ode.dop853"), "ode.dopri5 and ode.dop853 are registered")) return;
    const char *roles[] = {"y", "stats", "work", "p", "atol", "events"};
    int r_ok = c->nroles == 6 && c->domain == SD_ON_BATCH && c->pattern == SD_POINTWISE;
    for (int r = 0; r < 6 && r_ok; r++) r_ok &= strcmp(c->roles[r].name, roles[r]) == 0 && c->roles[r].optional == (r >= 3);
    ok(r_ok, "roles y, stats, work, then optional p, atol, events; pointwise on batches");
    sd_check_info info = {.system = &VDP_EV};
    ok(c->ncomp(ERK_R_Y, &info) == 2 && c->ncomp(ERK_R_STATS, &info) == SD_ODE_NSTATS &&
           c->ncomp(ERK_R_WORK, &info) == 7 + 7 * 2 + 2 && c->ncomp(ERK_R_EVENTS, &info) == 4 &&
           sd_codelet_find("ode.dop853")->ncomp(ERK_R_WORK, &info) == 7 + 10 * 2 + 2,
       "ncomp: y n, stats %d, work 7 + (2 + ncont) n + 2 nevents, events nevents (2 + n)", SD_ODE_NSTATS);
    double prm[ERK_NPARAMS] = {1e-20, 1e-6, 0, 0, 100000, 1000};
    char msg[256] = "";
    info.param = prm;
    ok(c->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "rtol"), "rtol = 1e-20 refused: %s", msg);
    prm[ERK_P_RTOL] = 1e-6;
    ok(c->validate(&info, msg, sizeof msg) == 0, "rtol = 1e-6 accepted");
}

/* ---- tolerances, sd_ode_pow, HINIT's NaN (issue 11 review) -------------------------------------- */
static void test_tolerances(void)
{
    const erk_tableau *T5 = DOPRI5.T;
    int acc = 1, differs = 0, same = 1;
    for (int q = 1; q < 2000; q++) { /* err in (0, 2): the step-size control's range */
        const double err = q * 1e-3, pw = sd_ode_pow(err, T5->expo1);
        acc &= fabs(pw - pow(err, T5->expo1)) <= 4e-15 * pow(err, T5->expo1);
        differs += pw != pow(err, T5->expo1);
        erk_control c = {0.1, INFINITY, 1e-4, 0};
        const double fac = erk_max(1.0 / T5->fac2, erk_min(1.0 / T5->fac1, pw / sd_ode_pow(1e-4, T5->beta) / T5->safe));
        same &= erk_next_h_accept(T5, &c, err) == 0.1 / fac;
        same &= erk_next_h_reject(T5, &c, err) == 0.1 / erk_min(1.0 / T5->fac1, pw / T5->safe);
    }
    ok(acc, "sd_ode_pow within 4 ulp of libm pow on the control's range (%d of 1999 differ in the last bits)", differs);
    ok(same, "step-size control uses sd_ode_pow (bitwise the same on CPU and CUDA), not libm pow");
    ok(sd_codelet_find("ode.dopri5")->cuda_tol == 0 && sd_codelet_find("ode.dop853")->cuda_tol == 0,
       "cuda_tol 0: CUDA results bitwise the CPU's");
    ok(isnan(erk_hinit_probe(NAN, 1.0, 1.0)) && isnan(erk_hinit_step(T5, 1e-3, NAN, 1.0, 1.0)),
       "HINIT never hides a NaN behind max_step");

    /* atol 0 with a zero state component: a zero error scale, FAIL_TOLERANCE (was 0/0 -> FAIL_STEP) */
    const double y0[] = {1.0, 0.0}, zero[] = {0.0, 0.0};
    opts o = DEFAULT_OPTS;
    o.atol = 0.0;
    batch b = batch_new(&OSC, &DOPRI5, 1, y0, NULL);
    integrate(&DOPRI5, &b, &o, 1.0, 1);
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_TOLERANCE && b.y[0] == 1.0,
       "atol 0, y = (1, 0), automatic first step: FAIL_TOLERANCE (status %g), y kept", b.stats[SD_ODE_STATUS]);
    batch_free(&b);
    o.first_step = 1e-3;
    b = batch_new(&OSC, &DOPRI5, 1, zero, NULL);
    integrate(&DOPRI5, &b, &o, 1.0, 1);
    ok(b.stats[SD_ODE_STATUS] == SD_ODE_FAIL_TOLERANCE, "atol 0, y = 0, first_step given: FAIL_TOLERANCE in the step (status %g)",
       b.stats[SD_ODE_STATUS]);
    batch_free(&b);

    /* atol field: negative, NaN, inf, or 0 where y is 0 fail their own system only */
    const double yl[] = {1.0, 1.0, 0.0};
    const double bad[4] = {-1e-6, NAN, INFINITY, 0.0};
    batch ref = batch_new(&LORENZ, &DOP853, 6, yl, NULL), c = batch_new(&LORENZ, &DOP853, 6, yl, NULL);
    c.atol = xcalloc(18);
    for (int q = 0; q < 18; q++) c.atol[q] = DEFAULT_OPTS.atol;
    for (int i = 0; i < 4; i++) c.atol[i + 2 * 6] = bad[i]; /* component 2 (y = 0) of systems 0..3 */
    integrate(&DOP853, &ref, &DEFAULT_OPTS, 1.0, 2);
    integrate(&DOP853, &c, &DEFAULT_OPTS, 1.0, 2);
    int st_ok = 1;
    for (int i = 0; i < 4; i++) st_ok &= AT(c.stats, i, SD_ODE_STATUS, 6) == SD_ODE_FAIL_TOLERANCE;
    for (int i = 4; i < 6; i++)
        for (int q = 0; q < 3; q++) st_ok &= AT(c.stats, i, SD_ODE_STATUS, 6) == SD_ODE_OK && AT(c.y, i, q, 6) == AT(ref.y, i, q, 6);
    ok(st_ok, "atol field -1e-6, NaN, inf, 0 (y = 0): FAIL_TOLERANCE (%g %g %g %g); the others bitwise as without them",
       AT(c.stats, 0, SD_ODE_STATUS, 6), AT(c.stats, 1, SD_ODE_STATUS, 6), AT(c.stats, 2, SD_ODE_STATUS, 6),
       AT(c.stats, 3, SD_ODE_STATUS, 6));
    batch_free(&ref), batch_free(&c);

    /* at load: negative or non-finite tolerances, both 0 */
    sd_check_info info = {.system = &VDP};
    double prm[ERK_NPARAMS] = {1e-6, -1e-6, 0, 0, 100000, 1000};
    char msg[256] = "";
    info.param = prm;
    const sd_codelet *cl = sd_codelet_find("ode.dopri5");
    ok(cl->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "atol = -1e-06"), "atol = -1e-6 refused: %s", msg);
    prm[ERK_P_ATOL] = NAN;
    ok(cl->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "atol = nan"), "atol = NaN refused: %s", msg);
    prm[ERK_P_ATOL] = prm[ERK_P_RTOL] = 0.0;
    ok(cl->validate(&info, msg, sizeof msg) != 0 && strstr(msg, "rtol = 0 and atol = 0"), "rtol = atol = 0 refused: %s", msg);
}

int main(void)
{
    sd_register_builtin_codelets();
    DOPRI5 = (method){"dopri5", sd_ode_dopri5_cpu, sd_ode_dopri5_tableau()};
    DOP853 = (method){"dop853", sd_ode_dop853_cpu, sd_ode_dop853_tableau()};
    test_decls();
    test_exact(&DOPRI5);
    test_exact(&DOP853);
    test_reference(&DOP853, &VDP, "vdp1", 1e-6);
    test_reference(&DOP853, &VDP, "vdp1", 1e-10);
    test_reference(&DOPRI5, &VDP, "vdp1", 1e-6);
    test_reference(&DOPRI5, &VDP, "vdp1", 1e-10);
    test_reference(&DOPRI5, &LORENZ, "lorenz", 1e-6);
    test_reference(&DOPRI5, &LORENZ, "lorenz", 1e-10);
    test_reference(&DOP853, &LORENZ, "lorenz", 1e-6);
    test_reference(&DOP853, &LORENZ, "lorenz", 1e-10);
    test_bitwise(&DOPRI5);
    test_bitwise(&DOP853);
    test_failures();
    test_atol_field();
    test_events(&DOPRI5);
    test_events(&DOP853);
    test_status();
    test_tolerances();
    return tap_done();
}
