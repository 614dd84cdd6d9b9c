/* t_ode_systems.c - the built-in ODE systems: registered with their declarations; f lane by lane
 * equal to the single-system math alone; every analytic Jacobian against central differences and
 * against the symbolic Jacobian of an expression system with the same formulas (equal values);
 * the expression system's f bitwise equal to the built-in's; `linear` from an HDF5 file and its
 * errors. */
#include <hdf5.h>
#include <string.h>
#include <unistd.h>
#include "ode/systems.h"
#include "ode_expr.h"
#include "ode_linear.h"
#include "tap.h"

enum { L = SD_ODE_LANES };

typedef struct expected {
    const char *name, *formulas[3], *vars[3], *params[3];
    int n, np, id;
    double def[3];
    double y[3]; /* a state to test at (lanes perturb it) */
} expected;

static const expected builtins[] = {
    {"vdp", {"v", "mu*((1 - x^2)*v) - x"}, {"x", "v"}, {"mu"}, 2, 1, SD_ODE_VDP, {1.0}, {2.0, -0.5}},
    {"vdp_eps", {"y2", "((1 - y1^2)*y2 - y1)/eps"}, {"y1", "y2"}, {"eps"}, 2, 1, SD_ODE_VDP_EPS, {1e-6}, {2.0, -0.6}},
    {"lorenz", {"sigma*(y - x)", "x*(rho - z) - y", "x*y - beta*z"}, {"x", "y", "z"}, {"sigma", "rho", "beta"}, 3, 3,
     SD_ODE_LORENZ, {10.0, 28.0, 8.0 / 3.0}, {1.0, 2.0, 20.0}},
    {"robertson", {"k3*(y2*y3) - k1*y1", "(k1*y1 - k3*(y2*y3)) - k2*y2^2", "k2*y2^2"}, {"y1", "y2", "y3"},
     {"k1", "k2", "k3"}, 3, 3, SD_ODE_ROBERTSON, {0.04, 3e7, 1e4}, {0.9, 3e-5, 0.1}},
    {"brusselator", {"A + u^2*v - (B + 1)*u", "B*u - u^2*v"}, {"u", "v"}, {"A", "B"}, 2, 2, SD_ODE_BRUSSELATOR,
     {1.0, 3.0}, {1.5, 3.0}},
    {"oregonator", {"s*(y2 + y1*(1 - q*y1 - y2))", "(y3 - (1 + y1)*y2)/s", "w*(y1 - y3)"}, {"y1", "y2", "y3"},
     {"s", "q", "w"}, 3, 3, SD_ODE_OREGONATOR, {77.27, 8.375e-6, 0.161}, {1.0, 2.0, 3.0}},
};

/* lanes: state e->y scaled per lane, parameters the defaults scaled per lane */
static void fill(const expected *e, double *t, double *y, double *p)
{
    for (int l = 0; l < L; l++) {
        t[l] = 0.25 * l;
        for (int c = 0; c < e->n; c++) y[c * L + l] = e->y[c] * (1.0 + 0.1 * l) + 0.01 * c;
        for (int k = 0; k < e->np; k++) p[k * L + l] = e->def[k] * (1.0 + 0.05 * l);
    }
}

static void check_builtin(const expected *e)
{
    const sd_ode_system *s = sd_ode_system_find(e->name);
    if (!ok(s, "%s is registered", e->name)) return;
    int decl = s->n == e->n && s->np == e->np && s->nevents == 0 && s->device == SD_ODE_DEVICE_BUILTIN &&
               s->device_id == e->id && s->jac && s->param_default && s->var_names && s->param_names;
    for (int k = 0; decl && k < e->np; k++)
        decl = s->param_default[k] == e->def[k] && !strcmp(s->param_names[k], e->params[k]);
    for (int c = 0; decl && c < e->n; c++) decl = !strcmp(s->var_names[c], e->vars[c]);
    ok(decl, "%s: n %d, np %d, names, defaults, CUDA id %d", e->name, e->n, e->np, e->id);

    double t[L], y[3 * L], p[3 * L], f[3 * L], J[9 * L];
    fill(e, t, y, p);
    sd_ode_lanes in = {L, t, y, p};
    s->f(s->ctx, &in, f);
    s->jac(s->ctx, &in, J);

    /* a lane alone (nl = 1, the lane's values in lane 0) gives bitwise the same; so does the id
       dispatcher a CUDA thread calls */
    int same = 1;
    for (int l = 0; l < L; l++) {
        double t1[L] = {t[l]}, y1[3 * L], p1[3 * L], f1[3 * L], J1[9 * L], fd[3], Jd[9];
        for (int c = 0; c < e->n; c++) y1[c * L] = y[c * L + l];
        for (int k = 0; k < e->np; k++) p1[k * L] = p[k * L + l];
        sd_ode_lanes one = {1, t1, y1, p1};
        s->f(s->ctx, &one, f1);
        s->jac(s->ctx, &one, J1);
        sd_ode_builtin_f(e->id, t[l], y + l, L, p + l, L, fd, 1);
        sd_ode_builtin_jac(e->id, t[l], y + l, L, p + l, L, Jd, 1);
        for (int r = 0; r < e->n; r++) same &= !memcmp(&f1[r * L], &f[r * L + l], 8) && !memcmp(&fd[r], &f[r * L + l], 8);
        for (int k = 0; k < e->n * e->n; k++)
            same &= !memcmp(&J1[k * L], &J[k * L + l], 8) && !memcmp(&Jd[k], &J[k * L + l], 8);
    }
    ok(same, "%s: every lane bitwise equal to the lane alone and to sd_ode_builtin_f/jac", e->name);

    /* central differences, h relative to the component; error O(h^2) */
    double worst = 0;
    for (int c = 0; c < e->n; c++) {
        double yp[3 * L], ym[3 * L], fp[3 * L], fm[3 * L];
        memcpy(yp, y, sizeof y);
        memcpy(ym, y, sizeof y);
        double h[L];
        for (int l = 0; l < L; l++) {
            h[l] = 1e-6 * fmax(fabs(y[c * L + l]), 1e-3);
            yp[c * L + l] += h[l];
            ym[c * L + l] -= h[l];
        }
        sd_ode_lanes ip = {L, t, yp, p}, im = {L, t, ym, p};
        s->f(s->ctx, &ip, fp);
        s->f(s->ctx, &im, fm);
        for (int r = 0; r < e->n; r++)
            for (int l = 0; l < L; l++) {
                double fdv = (fp[r * L + l] - fm[r * L + l]) / (2 * h[l]), an = J[(r * e->n + c) * L + l];
                double scale = fmax(fabs(an), fabs(f[r * L + l]) / fmax(fabs(y[c * L + l]), 1e-3)) + 1e-300;
                worst = fmax(worst, fabs(fdv - an) / fmax(scale, 1.0));
            }
    }
    ok(worst < 1e-6, "%s: Jacobian within %.2g of central differences (1e-6 allowed)", e->name, worst);

    /* the same formulas as an expression system, interpreted and native */
    sd_ode_expr_spec sp = {.file = "t_ode_systems", .n = e->n, .np = e->np};
    snprintf(sp.name, sizeof sp.name, "%s_expr", e->name);
    for (int c = 0; c < e->n; c++) {
        sp.var[c] = e->vars[c];
        sp.dydt[c] = (sd_ode_text){e->formulas[c], {1, 1}};
    }
    for (int k = 0; k < e->np; k++) sp.param[k] = e->params[k];
    for (int mode = 0; mode < 2; mode++) {
        sp.compile = mode ? SD_ODE_COMPILE_NATIVE : SD_ODE_COMPILE_INTERPRET;
        const sd_ode_system *x;
        void *own;
        char how[256] = "", err[512] = "";
        if (sd_ode_expr_build(&sp, &x, &own, how, sizeof how, err, sizeof err) < 0) {
            ok(0, "%s as expressions (%s): %s", e->name, mode ? "native" : "interpreter", err);
            continue;
        }
        double fx[3 * L], Jx[9 * L];
        x->f(x->ctx, &in, fx);
        x->jac(x->ctx, &in, Jx);
        int fsame = 1, jsame = 1;
        for (int r = 0; r < e->n; r++)
            for (int l = 0; l < L; l++) fsame &= !memcmp(&fx[r * L + l], &f[r * L + l], 8);
        for (int k = 0; k < e->n * e->n; k++)
            for (int l = 0; l < L; l++)
                if (Jx[k * L + l] != J[k * L + l]) {
                    if (jsame) diag("  J[%d] lane %d: symbolic %.17g, hand-written %.17g", k, l, Jx[k * L + l], J[k * L + l]);
                    jsame = 0;
                }
        ok(fsame, "%s: expression f (%s) bitwise equal to the built-in", e->name, how);
        ok(jsame, "%s: symbolic Jacobian (%s) equal to the hand-written one", e->name, how);
        sd_ode_expr_free(own);
    }
}

static int write_h5(const char *path, int n, const double *A, int nb, const double *b)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return -1;
    int rc = 0;
    if (A) {
        hsize_t d[2] = {(hsize_t)n, (hsize_t)n};
        hid_t s = H5Screate_simple(2, d, NULL);
        hid_t ds = H5Dcreate2(f, "A", H5T_NATIVE_DOUBLE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        rc |= s < 0 || ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, A) < 0;
        H5Dclose(ds);
        H5Sclose(s);
    }
    if (b) {
        hsize_t d[1] = {(hsize_t)nb};
        hid_t s = H5Screate_simple(1, d, NULL);
        hid_t ds = H5Dcreate2(f, "b", H5T_NATIVE_DOUBLE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        rc |= s < 0 || ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, b) < 0;
        H5Dclose(ds);
        H5Sclose(s);
    }
    return (H5Fclose(f) < 0 || rc) ? -1 : 0;
}

static void check_linear(const char *dir)
{
    char path[512], err[512] = "";
    const double A[9] = {-1, 2, 0, 0.5, -3, 1, 0, 0, -0.25}, b[3] = {1, 0, -2};
    snprintf(path, sizeof path, "%s/A.h5", dir);
    if (!ok(write_h5(path, 3, A, 3, b) == 0, "wrote %s", path)) return;
    const sd_ode_system *s;
    void *own;
    if (!ok(sd_ode_linear_load(path, &s, &own, err, sizeof err) == 0, "linear loads (%s)", err)) return;
    ok(s->n == 3 && s->np == 0 && s->jac && s->device == SD_ODE_DEVICE_NONE && !strcmp(s->name, "linear"),
       "linear: n 3, no parameters, CPU only");
    double t[L] = {0}, y[3 * L], f[3 * L], J[9 * L];
    for (int c = 0; c < 3; c++)
        for (int l = 0; l < L; l++) y[c * L + l] = 1.0 + c - 0.3 * l;
    sd_ode_lanes in = {5, t, y, NULL};
    for (int k = 0; k < 3 * L; k++) f[k] = -7; /* lanes >= nl stay untouched */
    s->f(s->ctx, &in, f);
    s->jac(s->ctx, &in, J);
    int good = 1;
    for (int r = 0; r < 3; r++)
        for (int l = 0; l < L; l++) {
            double want = l < 5 ? ((A[r * 3] * y[l] + A[r * 3 + 1] * y[L + l]) + A[r * 3 + 2] * y[2 * L + l]) + b[r] : -7;
            good &= f[r * L + l] == want;
        }
    for (int k = 0; k < 9; k++)
        for (int l = 0; l < 5; l++) good &= J[k * L + l] == A[k];
    ok(good, "linear: f = A y + b (row sums in column order) and J = A over nl lanes only");
    sd_ode_linear_free(own);

    struct { const char *what, *msg; int n, nb; int withA, withb; } bad[] = {
        {"missing /b", "no dataset /b", 3, 3, 1, 0},
        {"b too short", "has 2 entries (expected 3", 3, 2, 1, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/bad%zu.h5", dir, i);
        write_h5(path, bad[i].n, bad[i].withA ? A : NULL, bad[i].nb, bad[i].withb ? b : NULL);
        err[0] = 0;
        int rc = sd_ode_linear_load(path, &s, &own, err, sizeof err);
        ok(rc < 0 && strstr(err, path) && strstr(err, bad[i].msg), "linear, %s: %s", bad[i].what, err);
    }
    snprintf(path, sizeof path, "%s/none.h5", dir);
    err[0] = 0;
    ok(sd_ode_linear_load(path, &s, &own, err, sizeof err) < 0 && strstr(err, path), "linear, no file: %s", err);
}

int main(void)
{
    char dir[] = "/tmp/t_ode_systems.XXXXXX";
    if (!mkdtemp(dir)) tap_skip_all("no temporary directory");
    setenv("STARDAG_CACHE_DIR", dir, 1);
    sd_register_ode_systems();
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) check_builtin(&builtins[i]);
    ok(sd_ode_system_count() == (int)(sizeof builtins / sizeof builtins[0]), "%d built-ins registered",
       sd_ode_system_count());
    check_linear(dir);
    /* a program's system under a built-in's CUDA id would compute the built-in's f on GPUs */
    static sd_ode_system impostor;
    impostor = *sd_ode_system_find("vdp");
    snprintf(impostor.name, sizeof impostor.name, "not_vdp");
    ok(sd_ode_system_register(&impostor) < 0 && !sd_ode_system_find("not_vdp"),
       "a program's system with device BUILTIN is refused");
    impostor.device = SD_ODE_DEVICE_NONE;
    ok(sd_ode_system_register(&impostor) == 0 && sd_ode_system_find("not_vdp") == &impostor,
       "... and registered with device NONE (CPUs)");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) diag("could not remove %s", dir);
    return tap_done();
}
