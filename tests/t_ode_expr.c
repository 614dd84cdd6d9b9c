/* t_ode_expr.c - expression ODE systems (runtime/ode/ode_expr.h): f evaluated as written
 * (integer powers as multiplications), native code and the interpreter bitwise equal for f, the
 * Jacobian and events, the symbolic Jacobian against central differences, graph constants, the
 * compiled-code cache (used only when the user's own and not group/other-writable; the compiler's
 * --version in its hash), how native/interpreter is chosen, and every error message; sd_expr_eval
 * keeps its results and messages after the parser was shared. */
#include "config.h"
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>
#include "expr.h"
#include "ode_expr.h"
#include "tap.h"

enum { L = SD_ODE_LANES };

static int graph_constant(void *ctx, const char *name, size_t len, double *v)
{
    (void)ctx;
    if (len == 1 && name[0] == 'K') {
        *v = 2.5;
        return 1;
    }
    return 0;
}

/* x, y, z; a, b; every operation of the language */
static sd_ode_expr_spec full_spec(sd_ode_compile mode)
{
    sd_ode_expr_spec s = {.file = "sys.yaml", .name = "full", .n = 3, .np = 2, .nevents = 2, .compile = mode,
                          .constant = graph_constant};
    s.var[0] = "x", s.var[1] = "y", s.var[2] = "z";
    s.param[0] = "a", s.param[1] = "b";
    for (int i = 0; i < 3; i++) s.var_at[i] = (sd_where){2, 10 + 3 * i};
    s.dydt[0] = (sd_ode_text){"a*x^3 - y^-2 + x^2.5 + sin(x)*cos(y) - tan(z/4)", {3, 12}};
    s.dydt[1] = (sd_ode_text){"exp(-x*t) + log(y + 2) + sqrt(abs(z) + 1) + min(x, y)*max(z, b)", {4, 12}};
    s.dydt[2] = (sd_ode_text){"floor(x)*ceil(y) + (x + 1)^(y/3) + b*pi + K*z", {5, 12}};
    s.event[0] = (sd_ode_text){"x - 0.5", {6, 12}};
    s.event[1] = (sd_ode_text){"y*z", {7, 12}};
    s.event_direction[0] = -1, s.event_terminal[0] = 1;
    s.event_direction[1] = 0, s.event_terminal[1] = 0;
    return s;
}

static void lanes(double *t, double *y, double *p)
{
    for (int l = 0; l < L; l++) {
        t[l] = 0.1 * l;
        y[l] = 0.6 + 0.11 * l;          /* x in (0.6, 1.4): x^2.5 real, floor(x) jumps inside */
        y[L + l] = 1.2 + 0.07 * l;      /* y */
        y[2 * L + l] = -0.75 + 0.3 * l; /* z crosses 0 (abs' both signs), and b = 0.2 (max's both sides) */
        p[l] = 1.5 - 0.1 * l;
        p[L + l] = 0.2;
    }
}

/* f as written, in the parser's association, for bitwise comparison */
static void reference_f(double t, const double *v, const double *p, double *f)
{
    double x = v[0], y = v[1], z = v[2], a = p[0], b = p[1];
    f[0] = (((a * ((x * x) * x) - 1.0 / (y * y)) + pow(x, 2.5)) + sin(x) * cos(y)) - tan(z / 4);
    f[1] = ((exp(-(x * t)) + log(y + 2)) + sqrt(fabs(z) + 1)) + (x < y ? x : y) * (z > b ? z : b);
    f[2] = ((floor(x) * ceil(y) + pow(x + 1, y / 3)) + b * 3.14159265358979323846) + 2.5 * z;
}

static int build(const sd_ode_expr_spec *s, const sd_ode_system **sys, void **own, char *how, char *err)
{
    return sd_ode_expr_build(s, sys, own, how, 256, err, 512);
}

static void check_values(void)
{
    sd_ode_expr_spec si = full_spec(SD_ODE_COMPILE_INTERPRET), sn = full_spec(SD_ODE_COMPILE_NATIVE);
    const sd_ode_system *I, *N;
    void *oi, *on;
    char how[256] = "", hown[256] = "", err[512] = "";
    if (!ok(build(&si, &I, &oi, how, err) == 0, "interpreted system builds (%s)", err)) return;
    ok(!strcmp(how, "interpreter"), "asked for the interpreter: '%s'", how);
    if (!ok(build(&sn, &N, &on, hown, err) == 0, "native system builds (%s)", err)) {
        sd_ode_expr_free(oi);
        return;
    }
    ok(!strncmp(hown, "native code", 11), "asked for native code: '%s'", hown);
    ok(I->n == 3 && I->np == 2 && I->nevents == 2 && I->jac && I->events && I->device == SD_ODE_DEVICE_NONE &&
           !strcmp(I->name, "full") && !strcmp(I->var_names[2], "z") && !strcmp(I->param_names[1], "b") &&
           I->param_default == NULL,
       "declaration: n 3, np 2, 2 events, names, parameters bound by the op");
    ok(N->event_direction[0] == -1 && N->event_terminal[0] == 1 && N->event_direction[1] == 0 &&
           N->event_terminal[1] == 0, "event directions and terminal flags copied");

    double t[L], y[3 * L], p[2 * L];
    lanes(t, y, p);
    for (int nl = L; nl >= 5; nl -= 3) {
        double fi[3 * L], fn[3 * L], Ji[9 * L], Jn[9 * L], gi[2 * L], gn[2 * L];
        for (int k = 0; k < 3 * L; k++) fi[k] = fn[k] = -9;
        sd_ode_lanes in = {nl, t, y, p};
        I->f(I->ctx, &in, fi), N->f(N->ctx, &in, fn);
        I->jac(I->ctx, &in, Ji), N->jac(N->ctx, &in, Jn);
        I->events(I->ctx, &in, gi), N->events(N->ctx, &in, gn);
        int same = 1, asref = 1, untouched = 1;
        for (int l = 0; l < L; l++) {
            double v[3] = {y[l], y[L + l], y[2 * L + l]}, pp[2] = {p[l], p[L + l]}, fr[3];
            reference_f(t[l], v, pp, fr);
            for (int r = 0; r < 3; r++) {
                if (l >= nl) {
                    untouched &= fi[r * L + l] == -9 && fn[r * L + l] == -9;
                    continue;
                }
                same &= !memcmp(&fi[r * L + l], &fn[r * L + l], 8);
                asref &= !memcmp(&fi[r * L + l], &fr[r], 8);
                if (!memcmp(&fi[r * L + l], &fr[r], 8)) continue;
                diag("  f[%d] lane %d: %.17g, as written %.17g", r, l, fi[r * L + l], fr[r]);
            }
            for (int k = 0; l < nl && k < 9; k++) same &= !memcmp(&Ji[k * L + l], &Jn[k * L + l], 8);
            for (int k = 0; l < nl && k < 2; k++) same &= !memcmp(&gi[k * L + l], &gn[k * L + l], 8);
            if (l < nl) asref &= gi[l] == v[0] - 0.5 && gi[L + l] == v[1] * v[2];
        }
        ok(asref, "nl %d: f and events equal the formulas as written (x^3 = (x*x)*x, y^-2 = 1/(y*y))", nl);
        ok(same, "nl %d: native code and interpreter bitwise equal (f, Jacobian, events)", nl);
        ok(untouched, "nl %d: lanes beyond nl untouched", nl);
    }

    /* the symbolic Jacobian against central differences */
    double J[9 * L], worst = 0;
    sd_ode_lanes in = {L, t, y, p};
    N->jac(N->ctx, &in, J);
    for (int c = 0; c < 3; c++) {
        double yp[3 * L], ym[3 * L], fp[3 * L], fm[3 * L], h[L];
        memcpy(yp, y, sizeof y);
        memcpy(ym, y, sizeof y);
        for (int l = 0; l < L; l++) {
            h[l] = 1e-6;
            yp[c * L + l] += h[l];
            ym[c * L + l] -= h[l];
        }
        sd_ode_lanes ip = {L, t, yp, p}, im = {L, t, ym, p};
        N->f(N->ctx, &ip, fp);
        N->f(N->ctx, &im, fm);
        for (int r = 0; r < 3; r++)
            for (int l = 0; l < L; l++) {
                double fd = (fp[r * L + l] - fm[r * L + l]) / (2 * h[l]), an = J[(r * 3 + c) * L + l];
                double e = fabs(fd - an) / fmax(fabs(an), 1.0);
                if (e > 1e-6) diag("  J[%d][%d] lane %d: symbolic %.10g, differences %.10g", r, c, l, an, fd);
                worst = fmax(worst, e);
            }
    }
    ok(worst < 1e-6, "symbolic Jacobian within %.2g of central differences (1e-6 allowed)", worst);
    sd_ode_expr_free(oi);
    sd_ode_expr_free(on);
}

/* constants that fold to infinities and NaN (x86's default NaN is negative) are written exactly */
static void check_nonfinite_constants(void)
{
    sd_ode_expr_spec s = {.file = "sys.yaml", .name = "nonfinite", .n = 2, .np = 0};
    s.var[0] = "x", s.var[1] = "y";
    s.dydt[0] = (sd_ode_text){"x + 0*(1e300*1e300)", {3, 12}};
    s.dydt[1] = (sd_ode_text){"y - 1e300*1e300 + x*(-1e300*1e300)", {4, 12}};
    double t[L] = {0}, y[2 * L] = {1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8}, f[2][2 * L];
    sd_ode_lanes in = {L, t, y, NULL};
    int built = 0;
    for (int m = 0; m < 2; m++) {
        s.compile = m ? SD_ODE_COMPILE_NATIVE : SD_ODE_COMPILE_INTERPRET;
        const sd_ode_system *x;
        void *o;
        char how[256] = "", err[512] = "";
        if (build(&s, &x, &o, how, err) < 0) {
            diag("%s", err);
            continue;
        }
        built++;
        x->f(x->ctx, &in, f[m]);
        sd_ode_expr_free(o);
    }
    /* a NaN's sign is not a result: which NaN an operation returns is up to the compiler's
       operand order (a sanitizer build reorders); every other value must agree bitwise */
    int same = built == 2;
    for (int k = 0; same && k < 2 * L; k++)
        same = isnan(f[0][k]) ? isnan(f[1][k]) : !memcmp(&f[0][k], &f[1][k], sizeof f[0][k]);
    ok(same && isnan(f[0][0]) && isinf(f[0][L]),
       "NaN and infinite constants: native code the interpreter's values (NaN where it has NaN, infinities and the rest bitwise)");
}

static int count_files(const char *dir, const char *suffix, int *others)
{
    DIR *d = opendir(dir);
    int n = 0;
    *others = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        size_t len = strlen(e->d_name), sl = strlen(suffix);
        if (len > sl && !strcmp(e->d_name + len - sl, suffix) && !strstr(e->d_name, ".tmp")) n++;
        else (*others)++;
    }
    closedir(d);
    return n;
}

static void check_cache_and_modes(const char *dir)
{
    sd_ode_expr_spec s = full_spec(SD_ODE_COMPILE_AUTO);
    s.dydt[2].s = "z*1.25"; /* a source of its own: not in the cache yet */
    const sd_ode_system *x;
    void *o;
    char how[256] = "", err[512] = "";
    int rc = build(&s, &x, &o, how, err);
    ok(rc == 0 && !strcmp(how, "native code"), "AUTO compiles a new system: '%s'", rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    rc = build(&s, &x, &o, how, err);
    ok(rc == 0 && !strcmp(how, "native code (cached)"), "the same system again comes from the cache: '%s'",
       rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    int others, n = count_files(dir, ".so", &others);
    ok(n == 1 && others == 0, "cache holds the compiled system' shared object and no temporaries (%d, %d others)", n,
       others);

    /* four processes compile the same new system into the same cache at once: each renames its own
       temporary into place, all load a complete shared object */
    s.dydt[2].s = "z*1.375";
    pid_t kids[4];
    for (int k = 0; k < 4; k++)
        if ((kids[k] = fork()) == 0) {
            char h[256], e[512];
            const sd_ode_system *cx;
            void *co;
            if (build(&s, &cx, &co, h, e) < 0) _exit(1);
            double tt[L] = {0}, yy[3 * L] = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4}, pp[2 * L] = {1}, ff[3 * L];
            sd_ode_lanes in = {1, tt, yy, pp};
            cx->f(cx->ctx, &in, ff);
            sd_ode_expr_free(co);
            _exit(ff[2 * L] == 4 * 1.375 ? 0 : 2);
        }
    int all = 1;
    for (int k = 0; k < 4; k++) {
        int st;
        all &= kids[k] > 0 && waitpid(kids[k], &st, 0) == kids[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    n = count_files(dir, ".so", &others);
    ok(all && n == 2 && others == 0, "4 concurrent builds of a new system: all load it, one shared object, no temporaries (%d, %d)",
       n, others);

    setenv("STARDAG_ODE_CC", "false", 1);
    s.dydt[2].s = "z*1.75";
    rc = build(&s, &x, &o, how, err);
    ok(rc == 0 && strstr(how, "interpreter (no native code: the C compiler 'false' failed"),
       "AUTO when compiling fails interprets and says why: '%s'", rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    setenv("STARDAG_ODE_CC", "/nonexistent/cc", 1);
    s.dydt[2].s = "z*1.5";
    rc = build(&s, &x, &o, how, err);
    ok(rc == 0 && strstr(how, "interpreter (no native code: ") && strstr(how, "/nonexistent/cc"),
       "AUTO without a compiler interprets and says why: '%s'", rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    s.compile = SD_ODE_COMPILE_NATIVE;
    rc = build(&s, &x, &o, how, err);
    ok(rc < 0 && strstr(err, "sys.yaml:2:10: system full: native code was demanded but") &&
           strstr(err, "/nonexistent/cc"), "NATIVE without a compiler: %s", err);
    unsetenv("STARDAG_ODE_CC");

    s.compile = SD_ODE_COMPILE_AUTO;
    setenv("STARDAG_ODE_COMPILE", "interpreter", 1);
    rc = build(&s, &x, &o, how, err);
    ok(rc == 0 && !strcmp(how, "interpreter"), "STARDAG_ODE_COMPILE=interpreter: '%s'", rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    s.compile = SD_ODE_COMPILE_NATIVE;
    rc = build(&s, &x, &o, how, err);
    ok(rc == 0 && !strncmp(how, "native code", 11), "the graph's own choice wins over the variable: '%s'",
       rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    s.compile = SD_ODE_COMPILE_AUTO;
    setenv("STARDAG_ODE_COMPILE", "fast", 1);
    rc = build(&s, &x, &o, how, err);
    ok(rc < 0 && strstr(err, "STARDAG_ODE_COMPILE is 'fast' (expected native, interpreter or auto)"), "%s", err);
    unsetenv("STARDAG_ODE_COMPILE");
}

/* Build s in a child process (the compiler identity is remembered per process): 0 compiled, 1
 * from the cache, 2 otherwise. */
static int build_in_child(const sd_ode_expr_spec *s)
{
    pid_t pid = fork();
    if (pid == 0) {
        char h[256] = "", e[512] = "";
        const sd_ode_system *cx;
        void *co;
        if (build(s, &cx, &co, h, e) < 0) _exit(3);
        sd_ode_expr_free(co);
        _exit(!strcmp(h, "native code") ? 0 : !strcmp(h, "native code (cached)") ? 1 : 2);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

/* The cache is used only when it is the user's own and not writable by group or others; the
 * compiler's --version identity is part of the hash. */
static void check_cache_trust(const char *dir)
{
    sd_ode_expr_spec s = full_spec(SD_ODE_COMPILE_AUTO);
    const sd_ode_system *x;
    void *o;
    char how[256] = "", err[512] = "", open_dir[600], path[1200];
    snprintf(open_dir, sizeof open_dir, "%s/open", dir);
    int made = mkdir(open_dir, 0700) == 0 && chmod(open_dir, 0777) == 0;
    setenv("STARDAG_CACHE_DIR", open_dir, 1);
    s.dydt[2].s = "z*2.125";
    int rc = made ? build(&s, &x, &o, how, err) : -1;
    ok(rc == 0 && strstr(how, "interpreter (no native code: the cache directory ") &&
           strstr(how, "is writable by group or others (mode 0777): not used"),
       "AUTO with a cache directory of mode 0777 interprets and says why: '%s'", rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    int others;
    ok(count_files(open_dir, ".so", &others) == 0 && others == 0, "... and writes nothing there");
    s.compile = SD_ODE_COMPILE_NATIVE;
    rc = build(&s, &x, &o, how, err);
    ok(rc < 0 && strstr(err, "native code was demanded but the cache directory"), "NATIVE refuses it: %s", err);
    s.compile = SD_ODE_COMPILE_AUTO;
    setenv("STARDAG_CACHE_DIR", dir, 1);

    /* a cached object made writable by others is not loaded */
    s.dydt[2].s = "z*2.25";
    rc = build(&s, &x, &o, how, err);
    ok(rc == 0 && !strcmp(how, "native code"), "a new system compiles: '%s'", rc ? err : how);
    if (!rc) sd_ode_expr_free(o);
    int chmodded = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (!strncmp(e->d_name, "ode-", 4) && strstr(e->d_name, ".so")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            chmodded += chmod(path, 0666) == 0;
        }
    if (d) closedir(d);
    rc = build(&s, &x, &o, how, err);
    ok(chmodded > 0 && rc == 0 && strstr(how, "interpreter (no native code: the cached object ") &&
           strstr(how, "writable by group or others (mode 0666): not used"),
       "a cached object of mode 0666 is not loaded: '%s'", rc ? err : how);
    if (!rc) sd_ode_expr_free(o);

    /* a compiler whose --version changes: a new object, not the old one from the cache */
    char cc[700], ver[700], script[1600];
    snprintf(cc, sizeof cc, "%s/cc-wrapper", dir);
    snprintf(ver, sizeof ver, "%s/cc-version", dir);
    snprintf(script, sizeof script, "#!/bin/sh\nif [ \"$1\" = --version ]; then cat '%s'; exit 0; fi\nexec %s \"$@\"\n",
             ver, SD_BUILD_CC);
    int wrapped = write_text(cc, script) == 0 && chmod(cc, 0700) == 0 && write_text(ver, "cc 1.0\n") == 0;
    setenv("STARDAG_ODE_CC", cc, 1);
    s.dydt[2].s = "z*2.5";
    const int first = wrapped ? build_in_child(&s) : -1, again = build_in_child(&s);
    const int upgraded = write_text(ver, "cc 2.0\n") == 0 ? build_in_child(&s) : -1;
    const int again2 = build_in_child(&s);
    ok(first == 0 && again == 1 && upgraded == 0 && again2 == 1,
       "the compiler's --version is in the hash: compiled %d, cached %d, after the version changed compiled %d, "
       "then cached %d (0 compiled, 1 cached)", first, again, upgraded, again2);
    unsetenv("STARDAG_ODE_CC");
}

typedef struct bad_case {
    const char *what;
    const char *var[3], *param[2], *dydt[4];
    const char *want;
    int direction;
} bad_case;

static void check_errors(void)
{
    static const bad_case bad[] = {
        {"unknown name, suggested", {"x", "v"}, {"mu"}, {"v", "mux*(1 - x^2)*v - x"},
         "sys.yaml:4:12: unknown name 'mux' in dydt[1]; did you mean 'mu'? (variables x, v; parameters mu; t)", 0},
        {"unknown name", {"x", "v"}, {"mu"}, {"v", "mu*(1 - x^2)*v - qqqq"},
         "sys.yaml:4:29: unknown name 'qqqq' in dydt[1] (variables x, v; parameters mu; t; or a constant", 0},
        {"a name twice", {"x", "x"}, {"mu"}, {"x", "x"}, "sys.yaml:2:13: 'x' is named twice", 0},
        {"a parameter named like a variable", {"x", "v"}, {"v"}, {"x", "x"}, "sys.yaml:2:20: 'v' is named twice", 0},
        {"a function's name", {"sin", "v"}, {"mu"}, {"v", "v"},
         "sys.yaml:2:10: variable name 'sin' is reserved (t, pi and the functions", 0},
        {"t as a name", {"x", "v"}, {"t"}, {"v", "x"}, "sys.yaml:2:20: parameter name 't' is reserved", 0},
        {"not a name", {"x", "2v"}, {"mu"}, {"v", "x"}, "sys.yaml:2:13: variable name '2v' is not a name", 0},
        {"too few dydt", {"x", "v"}, {"mu"}, {"v"}, "2 dydt expressions" /* placeholder replaced below */, 0},
        {"too many dydt", {"x", "v"}, {"mu"}, {"v", "x", "mu"},
         "sys.yaml:5:12: 3 dydt expressions for 2 variables (expected one per variable, in the order of vars)", 0},
        {"an empty expression", {"x", "v"}, {"mu"}, {"v", "  "}, "sys.yaml:4:12: dydt[1] is empty (expected an expression)",
         0},
        {"an unknown function", {"x", "v"}, {"mu"}, {"sinn(x)", "v"},
         "sys.yaml:3:12: unknown function 'sinn' in dydt[0] (did you mean 'sin'?)", 0},
        {"a wrong argument count", {"x", "v"}, {"mu"}, {"v", "min(x)"},
         "sys.yaml:4:12: in dydt[1]: min() takes 2 arguments, got 1", 0},
        {"a syntax error", {"x", "v"}, {"mu"}, {"v", "x +* 2"},
         "sys.yaml:4:15: syntax error in dydt[1] 'x +* 2': expected a number, a name or '(' at character 4, found '*'", 0},
        {"a constant division by zero", {"x", "v"}, {"mu"}, {"v", "x/(2 - 2)"},
         "sys.yaml:4:13: division by zero in dydt[1]", 0},
        {"an unknown name in an event", {"x", "v"}, {"mu"}, {"v", "x"},
         "sys.yaml:6:12: unknown name 'xx' in events[0].g; did you mean 'x'?", 0},
        {"a bad event direction", {"x", "v"}, {"mu"}, {"v", "x"},
         "sys.yaml:6:12: event 0: direction 2, terminal 0 (expected -1, 0 or +1, and 0 or 1)", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const bad_case *b = &bad[i];
        sd_ode_expr_spec s = {.file = "sys.yaml", .name = "bad", .n = 2, .np = 1, .compile = SD_ODE_COMPILE_INTERPRET};
        for (int k = 0; k < 2; k++) s.var[k] = b->var[k], s.var_at[k] = (sd_where){2, 10 + 3 * k};
        s.param[0] = b->param[0], s.param_at[0] = (sd_where){2, 20};
        for (int k = 0; k < 4 && b->dydt[k]; k++) s.dydt[k] = (sd_ode_text){b->dydt[k], {3 + k, 12}};
        if (strstr(b->what, "event")) {
            s.nevents = 1;
            s.event[0] = (sd_ode_text){b->direction ? "x" : "xx + 1", {6, 12}};
            s.event_direction[0] = b->direction;
        }
        const char *want = b->want;
        if (!strcmp(b->what, "too few dydt"))
            want = "sys.yaml:2:10: 1 dydt expressions for 2 variables (expected one per variable, in the order of vars)";
        const sd_ode_system *x = NULL;
        void *o = NULL;
        char how[256], err[512] = "";
        int rc = build(&s, &x, &o, how, err);
        ok(rc < 0 && !x && !o && strstr(err, want), "%s: %s", b->what, err);
        if (rc < 0 && !strstr(err, want)) diag("  expected: %s", want);
        if (!rc) sd_ode_expr_free(o);
    }
}

static int lookup_w(void *ctx, const char *name, size_t len, double *v)
{
    (void)ctx;
    if (len == 1 && name[0] == 'w') {
        *v = 4;
        return 1;
    }
    return 0;
}

/* sd_expr_eval after the parser was shared: values, folding order and messages as before */
static void check_eval(void)
{
    double v = 0;
    sd_expr_error e;
    ok(sd_expr_eval("2^3^2", NULL, NULL, &v, &e) == SD_EXPR_OK && v == 512, "2^3^2 = 512");
    ok(sd_expr_eval("-2^2 + w*sqrt(16) - max(1, 2)/min(4, 8)", lookup_w, NULL, &v, &e) == SD_EXPR_OK && v == 11.5,
       "-2^2 + w*sqrt(16) - max(1,2)/min(4,8) = 11.5 (%g)", v);
    ok(sd_expr_eval("1.1^3", NULL, NULL, &v, &e) == SD_EXPR_OK && v == pow(1.1, 3), "constant powers use pow()");
    ok(sd_expr_eval("3 + 4/(w - 4)", lookup_w, NULL, &v, &e) == SD_EXPR_DIVZERO && e.pos == 5,
       "division by zero at its '/'");
    ok(sd_expr_eval("1 + foo*2", lookup_w, NULL, &v, &e) == SD_EXPR_UNDEFINED && e.pos == 4 && e.len == 3,
       "undefined name at its position");
    ok(sd_expr_eval("min(1)", NULL, NULL, &v, &e) == SD_EXPR_FUNCTION && !strcmp(e.msg, "min() takes 2 arguments, got 1"),
       "argument count: %s", e.msg);
    ok(sd_expr_eval("3 +", NULL, NULL, &v, &e) == SD_EXPR_SYNTAX &&
           !strcmp(e.msg, "expected a number, a name or '(' at end of expression"), "syntax: %s", e.msg);
    ok(sd_expr_eval("exp(1000)", NULL, NULL, &v, &e) == SD_EXPR_NONFINITE, "non-finite result");
}

int main(void)
{
    char dir[] = "/tmp/t_ode_expr.XXXXXX";
    if (!mkdtemp(dir)) tap_skip_all("no temporary directory");
    setenv("STARDAG_CACHE_DIR", dir, 1);
    unsetenv("STARDAG_ODE_COMPILE");
    unsetenv("STARDAG_ODE_CC");
    check_eval();
    check_values();
    check_nonfinite_constants();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'/*", dir);
    if (system(cmd) != 0) diag("could not empty %s", dir);
    check_cache_and_modes(dir);
    check_cache_trust(dir);
    check_errors();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) diag("could not remove %s", dir);
    return tap_done();
}
