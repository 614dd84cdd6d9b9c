/* t_membrane_minimise.c - the membrane minimiser ops (codelets/membrane/minimise*.c), called through
 * the registry on a hand-built partition view (owned vertices, then ghosts that must stay untouched):
 * each vertex op against the formula written out here (bitwise), the reductions against long double
 * and against a split into two partitions (bitwise), Polak-Ribiere+ beta cases, every Armijo
 * decision and the trials' restoring steps. Whole minimisations: t_membrane_minimise_runs.c. */
#include "minimise_view.h"

/* ---- declarations --------------------------------------------------------------------------- */
static void test_registry(void)
{
    static const struct { const char *name; sd_pattern pat; const char *roles; const char *params; } want[] = {
        {"membrane.cg_reset", SD_POINTWISE, "d gprev", ""},
        {"membrane.line_init", SD_WHOLE, "alpha restart gg", "alpha0"},
        {"membrane.trial_lambda", SD_WHOLE, "v0 vv V0 V1 V2 V3 lam0 lam1 lam2 lam3", "fix"},
        {"membrane.project", SD_POINTWISE, "g vgrad gv vv gp", "fix"},
        {"membrane.cg_dots", SD_REDUCTION, "gp gprev gg gq qq", ""},
        {"membrane.direction", SD_POINTWISE, "gp d gprev gg gq qq restart", "method tol"},
        {"membrane.slope", SD_REDUCTION, "gp d s", ""},
        {"membrane.armijo", SD_WHOLE, "merit s gg L0 L1 L2 L3 alpha step restart k", "c1 grow alpha0 tol"},
        {"membrane.step", SD_POINTWISE, "x d vgrad step k lam0 lam1 lam2 lam3", ""},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const sd_codelet *c = get(want[i].name);
        char roles[256] = "", params[256] = "";
        for (int r = 0; r < c->nroles; r++) {
            strcat(roles, r ? " " : "");
            strcat(roles, c->roles[r].name);
        }
        for (int p = 0; p < c->nparams; p++) {
            strcat(params, p ? " " : "");
            strcat(params, c->params[p].name);
        }
        int fields_ok = 1;
        for (int r = 0; r < c->nroles; r++)
            if (c->roles[r].kind == SD_ROLE_FIELD)
                fields_ok &= c->roles[r].ncomp == 3 && c->roles[r].dtypes == 1 << SD_F64 &&
                             c->roles[r].location == SD_MESH_VERTICES;
        ok(c->domain == SD_ON_MESH && c->pattern == want[i].pat && !strcmp(roles, want[i].roles) &&
               !strcmp(params, want[i].params) && fields_ok && !strncmp(c->model, "sd_membrane_", 12),
           "%s: mesh op, pattern, roles (%s), params (%s), 3-component f64 vertex fields", want[i].name, roles, params);
    }
}

/* ---- vertex ops ------------------------------------------------------------------------------ */
/* trial_lambda: v0 vv V0..V3 -> lam0..lam3 */
static void trial_lambda(double s[10], int fix)
{
    view w;
    view_init(&w, 0);
    for (int i = 0; i < 10; i++) bind_scalar(&w, i, &s[i]);
    w.a.param[0] = fix;
    get("membrane.trial_lambda")->cpu(&w.a);
}

static void test_trial_lambda(void)
{
    double s[10] = {4.25, 3.5, 4.0, 4.5, 4.25, NAN, -7, -7, -7, -7};
    trial_lambda(s, 1);
    ok(s[6] == (4.25 - 4.0) / 3.5 && s[7] == (4.25 - 4.5) / 3.5 && same_bits(s[8], 0.0) && s[9] == 0,
       "trial_lambda: lam_k = (v0 - V_k)/vv; V_k = v0 gives +0; a NaN volume gives 0");
    trial_lambda(s, 0);
    ok(s[6] == 0 && s[7] == 0 && s[8] == 0 && s[9] == 0, "trial_lambda: fix = 0 gives lam_k = 0");
    s[1] = 0;
    trial_lambda(s, 1);
    ok(s[6] == 0 && s[7] == 0 && s[8] == 0 && s[9] == 0, "trial_lambda: vv = 0 gives lam_k = 0 (no division by zero)");
}

static void test_project(rng *r)
{
    const sd_codelet *c = get("membrane.project");
    vfield g, vg, gp;
    fill_random(&g, r, -1, 1);
    fill_random(&vg, r, -1, 1);
    fill_random(&gp, r, 5, 6);
    double gv = 0.75, vv = 2.5;
    view w;
    view_init(&w, NOWN);
    bind_field(&w, 0, &g), bind_field(&w, 1, &vg), bind_scalar(&w, 2, &gv), bind_scalar(&w, 3, &vv),
        bind_field(&w, 4, &gp);
    w.a.param[0] = 1;
    c->cpu(&w.a);
    int good = 1;
    const double mu = 0.75 / 2.5;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++)
            good &= same_bits(gp.v[v + cc * NV], g.v[v + cc * NV] - mu * vg.v[v + cc * NV]);
    ok(good && ghosts_kept(&gp), "project: gp = g - (gv/vv) vgrad (bitwise), ghosts kept");
    w.a.param[0] = 0;
    c->cpu(&w.a);
    good = 1;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) good &= same_bits(gp.v[v + cc * NV], g.v[v + cc * NV]);
    ok(good, "project: fix = 0 gives gp = g");
    w.a.param[0] = 1, vv = 0;
    c->cpu(&w.a);
    ok(good, "project: vv = 0 gives gp = g (mu = 0, no division by zero)");
}

/* Long-double dot over the owned vertices (the reference for the exact sums). */
static long double dot_ld(const vfield *a, const vfield *b)
{
    long double s = 0;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) s += (long double)(a->v[v + cc * NV] * b->v[v + cc * NV]);
    return s;
}

static void test_reductions(rng *r)
{
    const sd_codelet *dots = get("membrane.cg_dots"), *slope = get("membrane.slope");
    vfield gp, q;
    fill_random(&gp, r, -1, 1);
    fill_random(&q, r, -1e3, 1e3);
    view w;
    view_init(&w, NOWN);
    bind_field(&w, 0, &gp), bind_field(&w, 1, &q);
    w.a.nacc = 3;
    dots->cpu(&w.a);
    const double gg = sd_acc_sum(&w.acc[0]), gq = sd_acc_sum(&w.acc[1]), qq = sd_acc_sum(&w.acc[2]);
    is_close(gg, (double)dot_ld(&gp, &gp), 1e-15, "cg_dots: gg = gp.gp");
    is_close(gq, (double)dot_ld(&gp, &q), 1e-15, "cg_dots: gq = gp.gprev");
    is_close(qq, (double)dot_ld(&q, &q), 1e-15, "cg_dots: qq = gprev.gprev");

    /* two partitions (owned 0..k and k..NOWN through shifted pointers): the merged partials give the
       same bits */
    const int k = 11;
    vfield gp2 = gp, q2 = q;
    view w1, w2;
    view_init(&w1, k), view_init(&w2, NOWN - k);
    bind_field(&w1, 0, &gp2), bind_field(&w1, 1, &q2);
    w1.a.nacc = 3;
    w2.a = w1.a;
    w2.a.acc = w2.acc;
    w2.a.mesh.nv_own = NOWN - k;
    w2.a.p[0] = gp2.v + k, w2.a.p[1] = q2.v + k;
    dots->cpu(&w2.a);
    dots->cpu(&w1.a);
    int same = 1;
    for (int i = 0; i < 3; i++) {
        sd_acc_merge(&w2.acc[i], &w1.acc[i]);
        same &= same_bits(sd_acc_sum(&w2.acc[i]), sd_acc_sum(&w.acc[i]));
    }
    ok(same, "cg_dots: two partitions merged in the other order give the same bits");

    view s;
    view_init(&s, NOWN);
    bind_field(&s, 0, &gp), bind_field(&s, 1, &q);
    s.a.nacc = 1;
    slope->cpu(&s.a);
    ok(same_bits(sd_acc_sum(&s.acc[0]), gq), "slope: s = gp.d, the same bits as cg_dots' gp.gprev of the same fields");
    ok(ghosts_kept(&gp) && ghosts_kept(&q), "reductions: ghosts neither read into the sums nor written");
}

/* beta through the direction op itself: d0 = 1 everywhere, gp = 2: d = -2 + beta. */
static double beta_of(double gg, double gq, double qq, double restart, int method)
{
    vfield gp, d, q;
    for (int i = 0; i < 3 * NV; i++) gp.v[i] = 2, d.v[i] = 1, q.v[i] = 7;
    view w;
    view_init(&w, NOWN);
    bind_field(&w, 0, &gp), bind_field(&w, 1, &d), bind_field(&w, 2, &q);
    bind_scalar(&w, 3, &gg), bind_scalar(&w, 4, &gq), bind_scalar(&w, 5, &qq), bind_scalar(&w, 6, &restart);
    w.a.param[0] = method, w.a.param[1] = 1e-6;
    get("membrane.direction")->cpu(&w.a);
    return d.v[0] + 2;
}

static void test_direction(rng *r)
{
    ok(beta_of(4, 1, 2, 0, 1) == 1.5, "PR+: beta = (gg - gq)/qq = (4 - 1)/2");
    ok(beta_of(4, 5, 2, 0, 1) == 0, "PR+: a negative PR coefficient is clamped to 0");
    ok(beta_of(4, 1, 0, 0, 1) == 0, "PR+: qq = 0 (first step) gives beta = 0");
    ok(beta_of(4, 1, 2, 1, 1) == 0, "PR+: restart = 1 gives beta = 0");
    ok(beta_of(4, 1, 2, 0, 0) == 0, "method 0 (steepest descent): beta = 0");
    ok(beta_of(4, NAN, 2, 0, 1) == 0, "PR+: a NaN quotient gives beta = 0");

    const sd_codelet *c = get("membrane.direction");
    vfield gp, d, d0, q;
    fill_random(&gp, r, -1, 1);
    fill_random(&d, r, -1, 1);
    fill_random(&q, r, -1, 1);
    d0 = d;
    double gg = 9, gq = 3, qq = 4, restart = 0;
    view w;
    view_init(&w, NOWN);
    bind_field(&w, 0, &gp), bind_field(&w, 1, &d), bind_field(&w, 2, &q);
    bind_scalar(&w, 3, &gg), bind_scalar(&w, 4, &gq), bind_scalar(&w, 5, &qq), bind_scalar(&w, 6, &restart);
    w.a.param[0] = 1, w.a.param[1] = 1e-6;
    c->cpu(&w.a);
    int good = 1;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) {
            good &= same_bits(d.v[v + cc * NV], -gp.v[v + cc * NV] + 1.5 * d0.v[v + cc * NV]);
            good &= same_bits(q.v[v + cc * NV], gp.v[v + cc * NV]);
        }
    ok(good && ghosts_kept(&d) && ghosts_kept(&q), "direction: d = -gp + beta d, gprev = gp (bitwise), ghosts kept");

    for (int i = 0; i < NOWN; i++) d.v[i] = NAN; /* beta = 0 must not read the old d */
    restart = 1;
    c->cpu(&w.a);
    good = 1;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) good &= same_bits(d.v[v + cc * NV], -gp.v[v + cc * NV]);
    ok(good, "direction: beta = 0 gives d = -gp exactly, whatever d held (NaN)");

    vfield d1 = d, q1 = q, gp1;
    fill_random(&gp1, r, -1, 1);
    bind_field(&w, 0, &gp1);
    gg = 1e-6 * 1e-6, restart = 0;
    c->cpu(&w.a);
    ok(!memcmp(&d, &d1, sizeof d) && !memcmp(&q, &q1, sizeof q),
       "direction: converged (sqrt(gg) = tol) leaves d and gprev unchanged");
}


static void test_step(rng *r)
{
    vfield x, x0, d, vg;
    fill_random(&x, r, -1, 1);
    fill_random(&d, r, -1, 1);
    fill_random(&vg, r, -1, 1);
    x.v[1] = -0.0;
    x0 = x;
    const double lam[4] = {0.25, -0.125, 0.0625, 3};
    step_op(&x, &d, &vg, 0.375, 1, lam);
    int good = 1;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) {
            const int i = v + cc * NV;
            good &= same_bits(x.v[i], x0.v[i] + 0.375 * d.v[i] + -0.125 * vg.v[i]);
        }
    ok(good && ghosts_kept(&x), "step: x = x + step d + lam_k vgrad for armijo's k = 1 (bitwise), ghosts kept");
    const double cases[][2] = {{0.375, -1}, {0, 2}, {0.375, 0.5}, {0.375, 4}, {0.375, NAN}};
    const char *what[] = {"k = -1 (none accepted)", "step 0", "k = 0.5 (not a trial index)", "k = 4", "k NaN"};
    for (int c = 0; c < 5; c++) {
        x = x0;
        step_op(&x, &d, &vg, cases[c][0], cases[c][1], lam);
        ok(!memcmp(&x, &x0, sizeof x), "step: %s changes no bit (-0 kept)", what[c]);
    }

    vfield d2, q2;
    fill_random(&d2, r, -1, 1);
    fill_random(&q2, r, -1, 1);
    view z;
    view_init(&z, NOWN);
    bind_field(&z, 0, &d2), bind_field(&z, 1, &q2);
    get("membrane.cg_reset")->cpu(&z.a);
    good = 1;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) good &= same_bits(d2.v[v + cc * NV], 0.0) && same_bits(q2.v[v + cc * NV], 0.0);
    ok(good && ghosts_kept(&d2) && ghosts_kept(&q2), "cg_reset: d = gprev = +0 on the owned vertices, ghosts kept");
}

/* ---- scalar ops ------------------------------------------------------------------------------ */
static void test_line_init(void)
{
    double li[3] = {0, 0, 0};
    view z;
    view_init(&z, 0);
    for (int i = 0; i < 3; i++) bind_scalar(&z, i, &li[i]);
    z.a.param[0] = 0.25;
    get("membrane.line_init")->cpu(&z.a);
    ok(li[0] == 0.25 && li[1] == 1 && isinf(li[2]) && li[2] > 0, "line_init: alpha = alpha0, restart = 1, gg = +inf");
}

typedef struct armijo_case {
    double merit, s, gg, L[4], alpha;
} armijo_case;
typedef struct armijo_res {
    double alpha, step, restart, k;
} armijo_res;

/* c1 = 0.1, grow = 2, alpha0 = 0.25, tol = 1e-6 unless the case says otherwise. */
static armijo_res armijo(armijo_case k, double c1)
{
    double s[11] = {k.merit, k.s, k.gg, k.L[0], k.L[1], k.L[2], k.L[3], k.alpha, -7, -7, -7};
    view w;
    view_init(&w, 0);
    for (int i = 0; i < 11; i++) bind_scalar(&w, i, &s[i]);
    w.a.param[0] = c1, w.a.param[1] = 2, w.a.param[2] = 0.25, w.a.param[3] = 1e-6;
    get("membrane.armijo")->cpu(&w.a);
    return (armijo_res){s[7], s[8], s[9], s[10]};
}
#define RES_IS(r, a, st, rs, kk) ((r).alpha == (a) && (r).step == (st) && (r).restart == (rs) && (r).k == (kk))

static void test_armijo(void)
{
    /* merit 10, s = -4, alpha = 1, c1 = 0.1: thresholds 10 - 0.4 alpha 2^-k = 9.6, 9.8, 9.9, 9.95 */
    armijo_case base = {10, -4, 1, {11, 11, 11, 11}, 1};
    armijo_case k = base;
    k.L[0] = 9.5;
    armijo_res r = armijo(k, 0.1);
    ok(RES_IS(r, 2, 1, 0, 0), "armijo: accept k = 0 (L0 = 9.5 <= 9.6): step = alpha = 1, next alpha = 2 alpha, no restart, k = 0");
    k = base, k.L[0] = 9.6;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 2, 1, 0, 0), "armijo: L0 equal to the bound (9.6) is accepted");
    k = base, k.L[0] = 9.7, k.L[1] = 9.7;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 0.5, 0.5, 0, 1), "armijo: accept k = 1 (L0 = 9.7 > 9.6, L1 = 9.7 <= 9.8): step = alpha = 0.5");
    k = base, k.L[0] = 9.0 / 0.0, k.L[1] = 10, k.L[2] = 9.95, k.L[3] = 9.95;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 0.125, 0.125, 0, 3), "armijo: accept k = 3 (L2 = 9.95 > 9.9, L3 = 9.95 <= 9.95): step = alpha = 1/8");
    k = base, k.L[0] = NAN, k.L[1] = 9;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 0.5, 0.5, 0, 1), "armijo: a NaN trial is refused, the next one accepted");
    k = base;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 1.0 / 16, 0, 1, -1), "armijo: none accepted: step 0, alpha / 16, restart, k = -1");
    k = base, k.L[0] = 9.999;
    r = armijo(k, 0);
    ok(RES_IS(r, 2, 1, 0, 0), "armijo: c1 = 0 accepts any decrease");
    k = base, k.L[0] = 9.5, k.gg = 1e-12;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 1, 0, 0, -1), "armijo: converged (sqrt(gg) = 1e-6 <= tol): step 0, alpha kept");
    k = base, k.L[0] = 9.5, k.s = 0;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 1, 0, 1, -1), "armijo: s = 0 (not a descent direction): step 0, alpha kept, restart");
    k = base, k.L[0] = 9.5, k.s = 3;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 1, 0, 1, -1), "armijo: s > 0: step 0, alpha kept, restart");
    k = base, k.L[0] = 9.5, k.s = NAN;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 1, 0, 1, -1), "armijo: s NaN: step 0, alpha kept, restart");
    k = base, k.L[0] = 9.5, k.alpha = 0;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 0.25, 0, 1, -1), "armijo: alpha = 0 (a fresh graph): step 0, alpha = alpha0, restart");
    k = base, k.gg = 1.0 / 0.0;
    k.L[0] = 9.5;
    r = armijo(k, 0.1);
    ok(RES_IS(r, 2, 1, 0, 0), "armijo: gg = +inf (line_init's value) is not converged");
}

int main(void)
{
    sd_register_builtin_codelets();
    rng r = {0x9E3779B97F4A7C15ULL};
    test_registry();
    test_trial_lambda();
    test_project(&r);
    test_reductions(&r);
    test_direction(&r);
    test_step(&r);
    test_line_init();
    test_armijo();
    return tap_done();
}
