/* ode_expr_native.c - native code for expression systems: C for the lane functions (the lane loop
 * innermost, one statement per DAG node, the operations of the interpreter exactly), compiled
 * with the compiler and flags libstardag was built with (-ffp-contract=off: no FMA) into a shared
 * object cached under a hash of source, compiler (command and `--version` identity) and flags, and
 * dlopen'ed only when the cache directory and the object are the user's own and not writable by
 * group or others. Concurrent runs are safe: each compiles to a temporary name of its own and
 * renames it into place (atomic). */
#include "config.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ode_expr_impl.h"

/* A growing text buffer; on allocation failure it stays failed (len reports nothing). */
typedef struct buf {
    char *s;
    size_t len, cap;
    int failed;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !b->failed; tries++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) { b->failed = 1; return; }
        if (b->s && b->len + (size_t)n < b->cap) { b->len += (size_t)n; return; }
        size_t ncap = (b->cap + (size_t)n + 1) * 2;
        char *t = realloc(b->s, ncap);
        if (!t) { b->failed = 1; return; }
        b->s = t;
        b->cap = ncap;
    }
}

static void put_num(buf *b, double v)
{
    if (isnan(v)) put(b, signbit(v) ? "(-NAN)" : "NAN"); /* x86's default NaN (0 * inf) is negative */
    else if (isinf(v)) put(b, v > 0 ? "INFINITY" : "(-INFINITY)");
    else put(b, v < 0 ? "(%a)" : "%a", v);
}

static void put_operand(buf *b, const sd_xdag *g, int i)
{
    if (g->node[i].op == SD_XOP_NUM) put_num(b, g->node[i].v);
    else put(b, "v%d", i);
}

static const char *const cfun[] = {[SD_XOP_SQRT] = "sqrt", [SD_XOP_SIN] = "sin", [SD_XOP_COS] = "cos",
                                   [SD_XOP_TAN] = "tan",   [SD_XOP_EXP] = "exp", [SD_XOP_LOG] = "log",
                                   [SD_XOP_ABS] = "fabs",  [SD_XOP_FLOOR] = "floor", [SD_XOP_CEIL] = "ceil",
                                   [SD_XOP_SIGN] = "sd_sign"};

/* One statement per needed node: "const double vI = ...;" (constants are written in place). */
static void put_node(buf *b, const sd_xdag *g, int i, int n, int np)
{
    const sd_xnode *x = &g->node[i];
    static const char opch[] = {[SD_XOP_ADD] = '+', [SD_XOP_SUB] = '-', [SD_XOP_MUL] = '*', [SD_XOP_DIV] = '/'};
    if (x->op == SD_XOP_NUM) return;
    put(b, "        const double v%d = ", i);
    switch (x->op) {
    case SD_XOP_SYM:
        if (x->sym < n) put(b, "y[%d * L + l]", x->sym);
        else if (x->sym < n + np) put(b, "p[%d * L + l]", x->sym - n);
        else put(b, "t[l]");
        break;
    case SD_XOP_NEG: put(b, "-"); put_operand(b, g, x->a); break;
    case SD_XOP_ADD:
    case SD_XOP_SUB:
    case SD_XOP_MUL:
    case SD_XOP_DIV:
        put_operand(b, g, x->a);
        put(b, " %c ", opch[x->op]);
        put_operand(b, g, x->b);
        break;
    case SD_XOP_POW:
        if (g->node[x->b].op == SD_XOP_NUM && sd_x_ipow_exponent(g->node[x->b].v)) {
            int k = (int)g->node[x->b].v, m = k < 0 ? -k : k; /* sd_x_ipow's multiplications */
            if (k < 0) put(b, "1.0 / ");
            for (int j = 1; j < m; j++) put(b, "(");
            put(b, "v%d", x->a);
            for (int j = 1; j < m; j++) put(b, " * v%d)", x->a);
        } else {
            put(b, "pow(");
            put_operand(b, g, x->a);
            put(b, ", ");
            put_operand(b, g, x->b);
            put(b, ")");
        }
        break;
    case SD_XOP_MIN:
    case SD_XOP_MAX:
        put_operand(b, g, x->a);
        put(b, " %c ", x->op == SD_XOP_MIN ? '<' : '>');
        put_operand(b, g, x->b);
        put(b, " ? ");
        put_operand(b, g, x->a);
        put(b, " : ");
        put_operand(b, g, x->b);
        break;
    case SD_XOP_SELLT:
        put_operand(b, g, x->a);
        put(b, " < ");
        put_operand(b, g, x->b);
        put(b, " ? ");
        put_operand(b, g, x->c);
        put(b, " : ");
        put_operand(b, g, x->d);
        break;
    default:
        put(b, "%s(", cfun[x->op]);
        put_operand(b, g, x->a);
        put(b, ")");
        break;
    }
    put(b, ";\n");
}

static void put_function(buf *b, const sd_xdag *g, const sd_xfun *fun, const char *name, int n, int np, char *need)
{
    memset(need, 0, (size_t)g->count);
    for (int k = 0; k < fun->nout; k++) need[fun->root[k]] = 1;
    for (int i = g->count - 1; i >= 0; i--)
        if (need[i]) {
            const sd_xnode *x = &g->node[i];
            const int op[4] = {x->a, x->b, x->c, x->d};
            for (int j = 0; j < 4; j++)
                if (op[j] >= 0) need[op[j]] = 1;
        }
    put(b, "void %s(const void *ctx, const sd_lanes *in, double *out)\n{\n", name);
    put(b, "    const double *t = in->t, *y = in->y, *p = in->p;\n    (void)ctx, (void)t, (void)y, (void)p;\n");
    put(b, "    for (int l = 0; l < in->nl; l++) {\n");
    for (int i = 0; i < g->count; i++)
        if (need[i]) put_node(b, g, i, n, np);
    for (int k = 0; k < fun->nout; k++) {
        put(b, "        out[%d * L + l] = ", k);
        put_operand(b, g, fun->root[k]);
        put(b, ";\n");
    }
    put(b, "    }\n}\n");
}

static const char *const fname[3] = {"sd_ode_gen_f", "sd_ode_gen_jac", "sd_ode_gen_events"};

/* The whole translation unit; its NUL-terminated text in b. */
static int generate(const sd_xdag *g, const sd_xfun fun[3], int n, int np, buf *b)
{
    char *need = malloc((size_t)g->count);
    if (!need) return -1;
    put(b, "/* generated by stardag from an expression ODE system: lane functions (stardag/ode.h) */\n"
           "#include <math.h>\n#define L %d\n"
           "typedef struct sd_lanes { int nl; const double *t, *y, *p; } sd_lanes;\n"
           "static inline double sd_sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }\n",
        SD_ODE_LANES);
    for (int k = 0; k < 3; k++)
        if (fun[k].nout) put_function(b, g, &fun[k], fname[k], n, np, need);
    free(need);
    return b->failed ? -1 : 0;
}

/* Split a command or flags string at blanks into argv (pointers into a copy in *store). */
static int split_words(const char *s, char **argv, int max, char **store)
{
    *store = strdup(s);
    if (!*store) return -1;
    int n = 0;
    for (char *tok = strtok(*store, " \t"); tok && n < max; tok = strtok(NULL, " \t")) argv[n++] = tok;
    return n;
}

/* The cache directory, created (with its parents) when missing. */
static int cache_dir(char *dir, size_t len, char *err, size_t errlen)
{
    const char *e = getenv("STARDAG_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    int n;
    if (e && e[0]) n = snprintf(dir, len, "%s", e);
    else if (x && x[0]) n = snprintf(dir, len, "%s/stardag", x);
    else if (h && h[0]) n = snprintf(dir, len, "%s/.cache/stardag", h);
    else {
        snprintf(err, errlen, "no cache directory (set STARDAG_CACHE_DIR, XDG_CACHE_HOME or HOME)");
        return -1;
    }
    if (n < 0 || (size_t)n >= len - 64) {
        snprintf(err, errlen, "cache directory name too long");
        return -1;
    }
    for (char *s = dir + 1;; s++) {
        char c = *s;
        if (c != '/' && c) continue;
        *s = 0;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create the cache directory %s: %s", dir, strerror(errno));
            *s = c;
            return -1;
        }
        *s = c;
        if (!c) break;
    }
    return 0;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int write_file(const char *path, const char *s, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return -1;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, s + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { close(fd); return -1; }
        off += (size_t)w;
    }
    return close(fd);
}

/* The program to run for name: itself when it holds a '/', else the first executable regular file
 * name in $PATH (resolved here so that the child after fork only calls execv). 0, or -1. */
static int resolve_exec(const char *name, char *path, size_t len)
{
    if (strchr(name, '/')) {
        int n = snprintf(path, len, "%s", name);
        return n < 0 || (size_t)n >= len ? -1 : 0;
    }
    const char *p = getenv("PATH");
    if (!p || !p[0]) p = "/usr/local/bin:/usr/bin:/bin";
    for (;;) {
        const char *e = strchr(p, ':');
        size_t dl = e ? (size_t)(e - p) : strlen(p);
        int n = dl ? snprintf(path, len, "%.*s/%s", (int)dl, p, name) : snprintf(path, len, "%s", name);
        struct stat sb;
        if (n >= 0 && (size_t)n < len && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0)
            return 0;
        if (!e) return -1;
        p = e + 1;
    }
}

/* Run argv (argv[0] looked up in $PATH) with stdout and stderr to the file log; its wait status in
 * *st. fork, then only async-signal-safe calls in the child (dup2, execv, _exit): the process may
 * have threads (posix_spawn's header clashes with runtime/driver/sched.h on the include path).
 * 0, or -1 with the reason in err. */
static int run_to_log(char *const *argv, const char *log, int *st, char *err, size_t errlen)
{
    char path[4096];
    if (resolve_exec(argv[0], path, sizeof path) < 0) {
        snprintf(err, errlen, "C compiler '%s' not found", argv[0]);
        return -1;
    }
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", log, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(126);
        execv(path, argv);
        _exit(127);
    }
    int fork_errno = errno;
    if (close(fd) < 0 && pid < 0) fork_errno = errno;
    if (pid < 0) {
        snprintf(err, errlen, "cannot start the C compiler '%s': %s", argv[0], strerror(fork_errno));
        return -1;
    }
    while (waitpid(pid, st, 0) < 0)
        if (errno != EINTR) {
            snprintf(err, errlen, "waiting for the C compiler: %s", strerror(errno));
            return -1;
        }
    return 0;
}

/* The first line of a file into line (empty when unreadable). */
static void first_line(const char *file, char *line, size_t len)
{
    line[0] = 0;
    FILE *f = fopen(file, "r");
    if (f) {
        if (!fgets(line, (int)len, f)) line[0] = 0;
        if (fclose(f) != 0) line[0] = 0;
    }
    line[strcspn(line, "\n")] = 0;
}

/* Compile src into so; the compiler's first message line into err on failure. */
static int compile(char *const *argv, const char *log, char *err, size_t errlen)
{
    int st;
    if (run_to_log(argv, log, &st, err, errlen) < 0) return -1;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    char line[256];
    first_line(log, line, sizeof line);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) snprintf(err, errlen, "C compiler '%s' not found", argv[0]);
    else snprintf(err, errlen, "the C compiler '%s' failed%s%s", argv[0], line[0] ? ": " : "", line);
    return -1;
}

/* The compiler's identity: the first line of `cc --version` (empty when it prints nothing or
 * fails), run once per process and compiler command; part of the cache hash, so that a compiler
 * upgrade does not reuse objects made by the old one. */
static void compiler_identity(const char *cc, const char *dir, char *id, size_t len)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char memo_cc[1024], memo_id[256];
    static int have;
    id[0] = 0;
    if (pthread_mutex_lock(&lock) != 0) return;
    if (have && !strcmp(memo_cc, cc)) {
        snprintf(id, len, "%s", memo_id);
        if (pthread_mutex_unlock(&lock) != 0) id[0] = 0;
        return;
    }
    char log[4200], *store = NULL, *argv[20], why[256];
    static int seq;
    snprintf(log, sizeof log, "%s/ode-ccid.%ld.%d.log", dir, (long)getpid(), seq++);
    int na = split_words(cc, argv, 16, &store), st;
    if (na > 0) {
        argv[na++] = "--version";
        argv[na] = NULL;
        if (run_to_log(argv, log, &st, why, sizeof why) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            first_line(log, id, len);
        if (unlink(log) < 0 && errno != ENOENT) id[0] = 0;
    }
    free(store);
    if (strlen(cc) < sizeof memo_cc) {
        snprintf(memo_cc, sizeof memo_cc, "%s", cc);
        snprintf(memo_id, sizeof memo_id, "%s", id);
        have = 1;
    }
    if (pthread_mutex_unlock(&lock) != 0) id[0] = 0;
}

/* A cache directory or file this process may trust: owned by the effective user and not writable
 * by group or others (else anyone could plant code that we would load). 0, or -1 with why in err. */
static int trusted(const char *path, int want_dir, char *err, size_t errlen)
{
    struct stat sb;
    if (lstat(path, &sb) < 0) {
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
        return -1;
    }
    const char *what = want_dir ? "cache directory" : "cached object";
    if (want_dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "the %s %s is not a %s: not used", what, path, want_dir ? "directory" : "regular file");
        return -1;
    }
    if (sb.st_uid != geteuid()) {
        snprintf(err, errlen, "the %s %s is owned by uid %ld, not by this user: not used", what, path,
                 (long)sb.st_uid);
        return -1;
    }
    if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, errlen, "the %s %s is writable by group or others (mode %04o): not used", what, path,
                 (unsigned)(sb.st_mode & 07777));
        return -1;
    }
    return 0;
}

int sd_xnative_build(const sd_xdag *g, const sd_xfun fun[3], int n, int np, sd_xnative *nat, char *err,
                     size_t errlen)
{
    memset(nat, 0, sizeof *nat);
    const char *cc = getenv("STARDAG_ODE_CC");
    if (!cc || !cc[0]) cc = SD_BUILD_CC;
    const char *cflags = SD_BUILD_CFLAGS;
    buf src = {0};
    char dir[4096], so[4200], tmp[4300], csrc[4300], log[4300];
    char *ccw = NULL, *flw = NULL;
    int ret = -1;
    if (generate(g, fun, n, np, &src) < 0) {
        snprintf(err, errlen, "out of memory generating C");
        goto out;
    }
    if (cache_dir(dir, sizeof dir, err, errlen) < 0 || trusted(dir, 1, err, errlen) < 0) goto out;
    char ccid[256];
    compiler_identity(cc, dir, ccid, sizeof ccid);
    uint64_t h = fnv1a(1469598103934665603ull, src.s, src.len + 1);
    h = fnv1a(h, cc, strlen(cc) + 1);
    h = fnv1a(h, ccid, strlen(ccid) + 1);
    h = fnv1a(h, cflags, strlen(cflags) + 1);
    snprintf(so, sizeof so, "%s/ode-%016llx.so", dir, (unsigned long long)h);
    if (access(so, R_OK) == 0) nat->cached = 1;
    else {
        static int seq;
        int me = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
        snprintf(tmp, sizeof tmp, "%s/ode-%016llx.%ld.%d.tmp.so", dir, (unsigned long long)h, (long)getpid(), me);
        snprintf(csrc, sizeof csrc, "%s/ode-%016llx.%ld.%d.c", dir, (unsigned long long)h, (long)getpid(), me);
        snprintf(log, sizeof log, "%s/ode-%016llx.%ld.%d.log", dir, (unsigned long long)h, (long)getpid(), me);
        if (write_file(csrc, src.s, src.len) < 0) {
            snprintf(err, errlen, "cannot write %s: %s", csrc, strerror(errno));
            goto out;
        }
        char *argv[96];
        int na = split_words(cc, argv, 16, &ccw);
        if (na <= 0) {
            snprintf(err, errlen, "no C compiler command");
            unlink(csrc);
            goto out;
        }
        argv[na++] = "-O2";
        int nf = split_words(cflags, argv + na, 64, &flw);
        na += nf > 0 ? nf : 0;
        const char *tail[] = {"-ffp-contract=off", "-fPIC", "-shared", "-o", tmp, csrc, "-lm", NULL};
        for (int k = 0; tail[k]; k++) argv[na++] = (char *)tail[k];
        argv[na] = NULL;
        int rc = compile(argv, log, err, errlen);
        unlink(csrc);
        unlink(log);
        if (rc < 0) {
            unlink(tmp);
            goto out;
        }
        if (rename(tmp, so) < 0) {
            snprintf(err, errlen, "cannot move the compiled system to %s: %s", so, strerror(errno));
            unlink(tmp);
            goto out;
        }
    }
    if (trusted(so, 0, err, errlen) < 0) goto out; /* the directory is ours alone: no race after this */
    nat->handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!nat->handle) {
        const char *d = dlerror();
        snprintf(err, errlen, "cannot load %s: %s", so, d ? d : "dlopen failed");
        goto out;
    }
    sd_ode_lane_fn *slot[3] = {&nat->f, &nat->jac, &nat->events};
    for (int k = 0; k < 3; k++) {
        if (!fun[k].nout) continue;
        void *sym = dlsym(nat->handle, fname[k]);
        if (!sym) {
            snprintf(err, errlen, "%s lacks %s (a stale cache file? remove it)", so, fname[k]);
            goto out;
        }
        memcpy(slot[k], &sym, sizeof sym); /* object pointer to function pointer, as dlsym intends */
    }
    ret = 0;
out:
    if (ret < 0 && nat->handle) {
        dlclose(nat->handle);
        nat->handle = NULL;
    }
    free(src.s);
    free(ccw);
    free(flw);
    return ret;
}

void sd_xnative_free(sd_xnative *nat)
{
    if (nat->handle) dlclose(nat->handle);
    memset(nat, 0, sizeof *nat);
}
