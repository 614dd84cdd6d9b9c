/* t_ode_implicit_events.c - events with ode.radau5 and ode.bdf (codelets/ode/implicit_events.h),
 * the kernels called on hand-built batch tasks: the times where Van der Pol's x crosses 0
 * downwards against SciPy's (bench/peers/ode/ref_implicit.txt, Radau at rtol 1e-13) for the
 * non-stiff mu = 1 and the stiff mu = 1000 and eps = 1e-3 forms, each reported in the output
 * interval it falls in (a crossing past an interval's end waits for the next); a terminal event
 * stops the system there (STOPPED, y and t at the event, later intervals leave it alone); an
 * unbound events field still stops it; two events at once (x downwards, v both ways) counted as
 * the crossings of the reference solution; an ensemble with events bitwise the same in 1 or 3
 * tiles, in 1 or 40 output intervals and for each system alone; a system without events keeps
 * the method's work layout; steps longer than the output intervals, with n = 1 (lanes) and
 * n = 33 (alone), terminal or not: crossings past an interval's end reported by the interval of
 * their time. */
#include <math.h>
#include "tap.h"
#include "t_ode_implicit_fixture.h"
#include "ode/systems.h"

SD_ODE_LANE_FN(vdp_f, sd_ode_vdp_f)
SD_ODE_LANE_FN(vdp_jac, sd_ode_vdp_jac)
SD_ODE_LANE_FN(vdpe_f, sd_ode_vdp_eps_f)
SD_ODE_LANE_FN(vdpe_jac, sd_ode_vdp_eps_jac)

/* g0 = x (systems with one event); g0 = x, g1 = v (two) */
static void x_g(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *g, int64_t gs)
{
    (void)t, (void)ys, (void)p, (void)ps, (void)gs;
    g[0] = y[0];
}
static void xv_g(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *g, int64_t gs)
{
    (void)t, (void)p, (void)ps;
    g[0] = y[0];
    g[gs] = y[ys];
}
SD_ODE_LANE_FN(x_lanes, x_g)
SD_ODE_LANE_FN(xv_lanes, xv_g)

static const double mu_one[1] = {1.0}, mu_k[1] = {1000.0}, eps_def[1] = {1e-3};
#define VDP_EV(nm, fn, jc, pd, nev_, term)                                                                   \
    {.name = nm, .n = 2, .np = 1, .nevents = nev_, .param_default = pd, .f = fn, .jac = jc,                    \
     .events = nev_ == 2 ? xv_lanes : x_lanes,                                                                  \
     .event_direction = {-1, 0}, .event_terminal = {term, 0}}
static const sd_ode_system vdp1_ev = VDP_EV("vdp1_ev", vdp_f, vdp_jac, mu_one, 1, 0);
static const sd_ode_system vdp1_stop = VDP_EV("vdp1_stop", vdp_f, vdp_jac, mu_one, 1, 1);
static const sd_ode_system vdp1_two = VDP_EV("vdp1_two", vdp_f, vdp_jac, mu_one, 2, 0);
static const sd_ode_system vdpk_ev = VDP_EV("vdpk_ev", vdp_f, vdp_jac, mu_k, 1, 0);
static const sd_ode_system vdpe_ev = VDP_EV("vdpe_ev", vdpe_f, vdpe_jac, eps_def, 1, 0);
static const sd_ode_system vdp_plain = {.name = "vdp", .n = 2, .np = 1, .param_default = mu_one, .f = vdp_f,
                                        .jac = vdp_jac};

/* Decay y_i' = -k (1 + i/n) y_i from y = 1 (k = p0 = 1): events y_0 = 0.5 at ln 2 and y_(n-1) = 0.2
 * at ln 5 / (1 + (n-1)/n), both falling; its steps grow past 0.01, so with intervals of 0.01 a
 * step spans several intervals and its crossings fall past the interval's end it was taken in.
 * n = 1 runs in lanes of 8, n = 33 alone (lane stride 1). */
static void decay_f(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs, int n)
{
    (void)t, (void)ps;
    for (int i = 0; i < n; i++) f[i * fs] = -p[0] * (1.0 + (double)i / n) * y[i * ys];
}
static void decay_j(const double *p, double *J, int64_t js, int n)
{
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) J[(r * n + c) * js] = r == c ? -p[0] * (1.0 + (double)r / n) : 0.0;
}
static void decay_g(const double *y, int64_t ys, double *g, int64_t gs, int n)
{
    g[0] = y[0] - 0.5;
    g[gs] = y[(n - 1) * ys] - 0.2;
}
#define DECAY(N)                                                                                                   \
    static void df##N(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *f, int64_t fs)   \
    {                                                                                                              \
        decay_f(t, y, ys, p, ps, f, fs, N);                                                                        \
    }                                                                                                              \
    static void dj##N(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *J, int64_t js)   \
    {                                                                                                              \
        (void)t, (void)y, (void)ys, (void)ps;                                                                      \
        decay_j(p, J, js, N);                                                                                      \
    }                                                                                                              \
    static void dg##N(double t, const double *y, int64_t ys, const double *p, int64_t ps, double *g, int64_t gs)   \
    {                                                                                                              \
        (void)t, (void)p, (void)ps;                                                                                \
        decay_g(y, ys, g, gs, N);                                                                                  \
    }                                                                                                              \
    SD_ODE_LANE_FN(F##N, df##N) SD_ODE_LANE_FN(J##N, dj##N) SD_ODE_LANE_FN(G##N, dg##N)
DECAY(1)
DECAY(33)
#define DECAY_SYS(N, term)                                                                                        \
    {.name = "decay" #N, .n = N, .np = 1, .nevents = 2, .param_default = mu_one, .f = F##N, .jac = J##N,           \
     .events = G##N, .event_direction = {-1, -1}, .event_terminal = {0, term}}
static const sd_ode_system decay1 = DECAY_SYS(1, 0), decay1_stop = DECAY_SYS(1, 1), decay33 = DECAY_SYS(33, 0),
                           decay33_stop = DECAY_SYS(33, 1);

/* The times of line "event NAME t1 t2 ..." of ref_implicit.txt. */
static int event_ref(const char *name, double *t, int max)
{
    const char *top = getenv("top_srcdir");
    char path[1024], line[1024], key[64];
    snprintf(path, sizeof path, "%s/bench/peers/ode/ref_implicit.txt", top ? top : "..");
    snprintf(key, sizeof key, "event %s ", name);
    FILE *fp = fopen(path, "r");
    if (!fp) { printf("Bail out! cannot open %s (run through make check)\n", path); exit(1); }
    int n = -1;
    while (n < 0 && fgets(line, sizeof line, fp)) {
        if (strncmp(line, key, strlen(key))) continue;
        char *s = line + strlen(key), *e;
        for (n = 0; n < max; n++, s = e) {
            t[n] = strtod(s, &e);
            if (e == s) break;
        }
    }
    fclose(fp);
    if (n <= 0) { printf("Bail out! %s has no event %s\n", path, name); exit(1); }
    return n;
}

static double ev_at(const batch *b, int i, int k, int comp)
{
    return b->ev[i + (int64_t)(k * (SD_ODE_EVENT_NCOMP + b->sys->n) + comp) * b->M];
}

/* One system through intervals of length dt to tend: after each, the count equals the reference
 * crossings up to the interval's end and the last time matches (worst relative error). *xerr:
 * the worst |x| at a recorded crossing in units of what the root finder's accuracy in t allows
 * there (1e-12 of max(|t0|, |t1|, h) <= 2 t at the step [t0, t1] it lies in, times the speed |v|;
 * plus 1e-12): <= 1 when the record is located. */
static int crossings(char method, const sd_ode_system *sys, const char *ref, double rtol, double dt, double tend,
                     double *worst, double *xerr)
{
    double tr[8];
    const int nr = event_ref(ref, tr, 8);
    const double y0[2] = {2.0, 0.0};
    batch b;
    batch_init(&b, sys, method, 1, y0, NULL, NULL, rtol, rtol);
    int ok_counts = 1;
    *worst = *xerr = 0.0;
    for (double t0 = 0.0; t0 < tend; t0 += dt) {
        batch_task(&b, 0, 1, t0, t0 + dt);
        int want = 0;
        while (want < nr && tr[want] <= t0 + dt) want++;
        ok_counts &= ev_at(&b, 0, 0, SD_ODE_EVENT_COUNT) == want;
        if (!want) continue;
        const double te = ev_at(&b, 0, 0, SD_ODE_EVENT_T), v = ev_at(&b, 0, 0, SD_ODE_EVENT_NCOMP + 1);
        *worst = fmax(*worst, fabs(te - tr[want - 1]) / fmax(1.0, tr[want - 1]));
        *xerr = fmax(*xerr, fabs(ev_at(&b, 0, 0, SD_ODE_EVENT_NCOMP)) / (2e-12 * fmax(1.0, te) * fabs(v) + 1e-12));
    }
    ok_counts &= batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_OK && ev_at(&b, 0, 0, SD_ODE_EVENT_COUNT) == nr;
    batch_free(&b);
    return ok_counts;
}

/* Bounds on the relative time error: radau5 (Hairer's tolerance transformation, rtol' = 0.1
 * rtol^(2/3)) measured 9e-11 (mu = 1), 3e-8 (mu = 1000), 5e-10 (eps); bdf 4e-10, 1.3e-6, 7e-8.
 * SciPy's BDF at rtol = atol = 1e-8 on mu = 1000 is off by 1.22e-6 and 1.25e-6 at the two
 * crossings (its Radau by 1.1e-9): BDF's global error there is what it is, the events add none. */
static void accuracy(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    const double tol1 = 1e-8, tolk = method == 'r' ? 1e-6 : 3e-6;
    double w, x;
    int c = crossings(method, &vdp1_ev, "vdp_mu1_down", 1e-10, 1.0, 20.0, &w, &x);
    ok(c && w <= tol1 && x <= 1.0, "%s: VdP mu = 1, rtol 1e-10, 20 intervals: 3 crossings, each in its interval, "
       "times within %.0e of SciPy (worst %.2g), x there within the root finder's accuracy (%.2g of it)", mn, tol1, w, x);
    c = crossings(method, &vdpk_ev, "vdp_mu_down", 1e-8, 100.0, 3000.0, &w, &x);
    ok(c && w <= tolk && x <= 1.0, "%s: stiff VdP mu = 1000, rtol 1e-8, 30 intervals: 2 crossings, relative time "
       "error %.2g (<= %.0e), x there within the root finder's accuracy (%.2g of it)", mn, w, tolk, x);
    c = crossings(method, &vdpe_ev, "vdp_eps_down", 1e-8, 0.1, 2.0, &w, &x);
    ok(c && w <= 1e-6 && x <= 1.0, "%s: stiff VdP eps = 1e-3, rtol 1e-8, 20 intervals: 1 crossing, time error %.2g "
       "(<= 1e-6), x there within the root finder's accuracy (%.2g of it)", mn, w, x);
}

static void terminal(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    double tr[8];
    event_ref("vdp_mu1_down", tr, 8);
    const double y0[2] = {2.0, 0.0};
    for (int bound = 1; bound >= 0; bound--) {
        batch b;
        batch_init(&b, &vdp1_stop, method, 1, y0, NULL, NULL, 1e-10, 1e-10);
        double *ev = b.ev;
        if (!bound) b.ev = NULL; /* the events field unbound */
        double snap[2 + SD_ODE_NSTATS];
        int still = 1;
        for (int k = 0; k < 10; k++) {
            batch_task(&b, 0, 1, 2.0 * k, 2.0 * (k + 1));
            if (k == 1) memcpy(snap, b.y, 2 * sizeof(double)), memcpy(snap + 2, b.st, sizeof(double) * SD_ODE_NSTATS);
            if (k > 1) still &= !memcmp(snap, b.y, 2 * sizeof(double)) && !memcmp(snap + 2, b.st, sizeof(double) * SD_ODE_NSTATS);
        }
        b.ev = ev;
        const int stopped = batch_stat(&b, 0, SD_ODE_STATUS) == SD_ODE_STOPPED;
        const double te = batch_stat(&b, 0, SD_ODE_T);
        if (bound)
            ok(stopped && fabs(te - tr[0]) <= 1e-7 && fabs(b.y[0]) <= 1e-9 && ev_at(&b, 0, 0, SD_ODE_EVENT_COUNT) == 1 &&
                   ev_at(&b, 0, 0, SD_ODE_EVENT_T) == te && ev_at(&b, 0, 0, SD_ODE_EVENT_NCOMP) == b.y[0] && still,
               "%s: terminal event: STOPPED at t = %.12g (SciPy %.12g), y there (x = %.2g) as in the record, one "
               "crossing; the 8 later intervals leave y and stats alone", mn, te, tr[0], b.y[0]);
        else
            ok(stopped && fabs(te - tr[0]) <= 1e-7 && still,
               "%s: terminal event with the events field unbound: still STOPPED at t = %.12g", mn, te);
        batch_free(&b);
    }
}

/* Two events on mu = 1 to t = 19: x downwards (3 crossings) and v both ways (v = 0 at each
 * extreme of x, every half-period of ~3.33: 5 of them after the start at v = 0 exactly, which is
 * not a crossing). The last v crossing is located where v = 0. */
static void two_events(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    const double y0[2] = {2.0, 0.0};
    batch b;
    batch_init(&b, &vdp1_two, method, 1, y0, NULL, NULL, 1e-10, 1e-10);
    for (int k = 0; k < 19; k++) batch_task(&b, 0, 1, k, k + 1.0);
    const double nx = ev_at(&b, 0, 0, SD_ODE_EVENT_COUNT), nv = ev_at(&b, 0, 1, SD_ODE_EVENT_COUNT);
    const double vlast = ev_at(&b, 0, 1, SD_ODE_EVENT_NCOMP + 1), tv = ev_at(&b, 0, 1, SD_ODE_EVENT_T);
    ok(nx == 3 && nv == 5 && fabs(vlast) <= 1e-8 && tv > 15.488 && tv < 19.0,
       "%s: two events: x down %g times (3), v either way %g times (5), the last at t = %.6g with v = %.2g", mn, nx,
       nv, tv, vlast);
    batch_free(&b);
}

static int same(const double *a, const double *b, size_t n) { return !memcmp(a, b, n * sizeof(double)); }
static int same_batch(const batch *a, const batch *b)
{
    const size_t M = (size_t)a->M;
    return same(a->y, b->y, 2 * M) && same(a->st, b->st, SD_ODE_NSTATS * M) && same(a->w, b->w, (size_t)a->K * M) &&
           same(a->ev, b->ev, (size_t)a->nev * (SD_ODE_EVENT_NCOMP + 2) * M);
}

static void independence(char method)
{
    const char *mn = method == 'r' ? "radau5" : "bdf";
    enum { M = 13, NT = 40 };
    double mu[M], times[NT], t4[4] = {5.0, 10.0, 15.0, 20.0};
    for (int i = 0; i < M; i++) mu[i] = 0.5 + 0.25 * i;
    for (int k = 0; k < NT; k++) times[k] = 0.5 * (k + 1);
    const double y0[2] = {2.0, 0.0};
    batch one, three, few;
    batch_init(&one, &vdp1_two, method, M, y0, mu, NULL, 1e-8, 1e-8);
    batch_init(&three, &vdp1_two, method, M, y0, mu, NULL, 1e-8, 1e-8);
    batch_init(&few, &vdp1_two, method, M, y0, mu, NULL, 1e-8, 1e-8);
    batch_run(&one, times, NT, 1);
    batch_run(&three, times, NT, 3);
    int counted = 1;
    for (int i = 0; i < M; i++) counted &= ev_at(&one, i, 0, SD_ODE_EVENT_COUNT) >= 2;
    ok(counted && same_batch(&one, &three),
       "%s: 13 systems with two events in 1 tile (lanes 8 + 5) or 3 tiles: y, stats, work, events bitwise equal", mn);
    const size_t M_ = (size_t)M;
    /* radau5 ends each interval on a step unless interpolate = 1: then the intervals change nothing */
    batch forty;
    batch_init(&forty, &vdp1_two, method, M, y0, mu, NULL, 1e-8, 1e-8);
    if (method == 'r') forty.param[SD_IMP_P_INTERPOLATE] = few.param[SD_IMP_P_INTERPOLATE] = 1;
    batch_run(&forty, times, NT, 1);
    batch_run(&few, t4, 4, 1);
    ok(same(forty.y, few.y, 2 * M_) && same(forty.st, few.st, SD_ODE_NSTATS * M_) &&
           same(forty.ev, few.ev, 2 * (SD_ODE_EVENT_NCOMP + 2) * M_),
       "%s%s: 40 or 4 output intervals to t = 20: y, stats, events bitwise equal", mn,
       method == 'r' ? " (interpolate = 1)" : "");
    batch_free(&forty);
    int alone = 1;
    for (int i = 0; i < M; i++) {
        batch a;
        batch_init(&a, &vdp1_two, method, 1, y0, &mu[i], NULL, 1e-8, 1e-8);
        batch_run(&a, times, NT, 1);
        for (int c = 0; c < 2; c++) alone &= a.y[c] == batch_y(&one, i, c);
        for (int k = 0; k < SD_ODE_NSTATS; k++) alone &= a.st[k] == batch_stat(&one, i, k);
        for (int k = 0; k < a.K; k++) alone &= !memcmp(&a.w[k], &one.w[i + (int64_t)k * M], sizeof(double));
        for (int e = 0; e < 2; e++)
            for (int c = 0; c < SD_ODE_EVENT_NCOMP + 2; c++) alone &= ev_at(&a, 0, e, c) == ev_at(&one, i, e, c);
        batch_free(&a);
    }
    ok(alone, "%s: each system alone gives the bits it gives in the ensemble (events included)", mn);
    /* events do not change the integration: y and stats equal to the same systems without events */
    batch plain;
    batch_init(&plain, &vdp_plain, method, M, y0, mu, NULL, 1e-8, 1e-8);
    batch_run(&plain, times, NT, 1);
    ok(same(plain.y, one.y, 2 * (size_t)M) && same(plain.st, one.st, SD_ODE_NSTATS * (size_t)M) &&
           plain.K == (method == 'r' ? radau_work_ncomp(2) : bdf_work_ncomp(2)) &&
           one.K == plain.K + sd_imp_ev_ncomp(2),
       "%s: the same systems without events: y and stats bitwise equal (events only observe), work %d components "
       "(the method's), %d with two events", mn, plain.K, one.K);
    batch_free(&one);
    batch_free(&three);
    batch_free(&few);
    batch_free(&plain);
}

/* Intervals of 0.01 over [0, 4] vs one interval: each crossing reported in the interval that holds
 * its exact time (none before), at that time within 1e-5 with the state there; the bits of the
 * 400-interval run equal the one-interval run's (y, stats, events); the terminal one stops the
 * system at it. radau5 with interpolate = 1 (its steps run past the intervals); with land = 1, by
 * default, its steps end on each interval's end: the same crossings, found in the cut steps. */
static void long_steps(char method, const sd_ode_system *sys, int terminal, int land)
{
    const char *mn = method == 'r' ? (land ? "radau5" : "radau5 (interpolate = 1)") : "bdf";
    const int n = sys->n, last = n - 1;
    const double te[2] = {log(2.0), log(5.0) / (1.0 + (double)last / n)};
    double y0[33];
    for (int i = 0; i < n; i++) y0[i] = 1.0;
    batch many, one;
    batch_init(&many, sys, method, 1, y0, NULL, NULL, 1e-6, 1e-6);
    batch_init(&one, sys, method, 1, y0, NULL, NULL, 1e-6, 1e-6);
    if (method == 'r' && !land) many.param[SD_IMP_P_INTERPOLATE] = one.param[SD_IMP_P_INTERPOLATE] = 1;
    batch_task(&one, 0, 1, 0.0, 4.0);
    int in_time = 1;
    for (int k = 0; k < 400; k++) {
        const double t1 = 0.01 * (k + 1);
        batch_task(&many, 0, 1, 0.01 * k, t1);
        for (int e = 0; e < 2; e++) in_time &= ev_at(&many, 0, e, SD_ODE_EVENT_COUNT) == (te[e] <= t1 ? 1.0 : 0.0);
    }
    const double y_at[2] = {0.5, 0.2};
    int located = 1;
    for (int e = 0; e < 2; e++)
        located &= fabs(ev_at(&many, 0, e, SD_ODE_EVENT_T) - te[e]) <= 1e-5 &&
                   fabs(ev_at(&many, 0, e, SD_ODE_EVENT_NCOMP + (e ? last : 0)) - y_at[e]) <= 1e-12;
    const size_t nrec = 2 * (SD_ODE_EVENT_NCOMP + (size_t)n);
    const int same = !memcmp(many.y, one.y, sizeof(double) * (size_t)n) &&
                     !memcmp(many.st, one.st, sizeof(double) * SD_ODE_NSTATS) && !memcmp(many.ev, one.ev, sizeof(double) * nrec);
    const int stopped = batch_stat(&many, 0, SD_ODE_STATUS) == (terminal ? SD_ODE_STOPPED : SD_ODE_OK) &&
                        (!terminal || batch_stat(&many, 0, SD_ODE_T) == ev_at(&many, 0, 1, SD_ODE_EVENT_T));
    /* the steps' mean length over the time the system ran, in intervals */
    const double span = batch_stat(&one, 0, SD_ODE_T) / batch_stat(&one, 0, SD_ODE_NACCEPT) / 0.01;
    if (land)
        ok(in_time && located && stopped && batch_stat(&many, 0, SD_ODE_NACCEPT) >= batch_stat(&one, 0, SD_ODE_NACCEPT),
           "%s: decay, n = %d (lane stride %d)%s, steps cut to 400 intervals of 0.01: each crossing in the interval "
           "of its time (%.6g, %.6g), located%s", mn, n, n > 32 ? 1 : 8, terminal ? ", the second event terminal" : "",
           ev_at(&many, 0, 0, SD_ODE_EVENT_T), ev_at(&many, 0, 1, SD_ODE_EVENT_T), terminal ? "; STOPPED at the second" : "");
    else
        ok(in_time && located && same && stopped && span > 2.0,
           "%s: decay, n = %d (lane stride %d)%s, steps %.3g intervals of 0.01 long on average: each crossing in the "
           "interval of its time (%.6g, %.6g), located; 400 intervals bitwise one%s", mn, n, n > 32 ? 1 : 8,
           terminal ? ", the second event terminal" : "", span, ev_at(&many, 0, 0, SD_ODE_EVENT_T),
           ev_at(&many, 0, 1, SD_ODE_EVENT_T), terminal ? "; STOPPED at the second" : "");
    batch_free(&many);
    batch_free(&one);
}

int main(void)
{
    for (int m = 0; m < 2; m++) {
        const char method = m ? 'b' : 'r';
        accuracy(method);
        terminal(method);
        two_events(method);
        independence(method);
        for (int land = 0; land <= (method == 'r'); land++) {
            long_steps(method, &decay1, 0, land);
            long_steps(method, &decay1_stop, 1, land);
            long_steps(method, &decay33, 0, land);
            long_steps(method, &decay33_stop, 1, land);
        }
    }
    return tap_done();
}
