/* t_h5out.c - HDF5 run output: round trips (f32/f64, 1-3D, components), XDMF sidecar, error
 * messages, a size-limited "full disk", and crash safety: a child SIGKILLed while writing
 * uncommitted data leaves a file that plain H5Fopen/h5dump opens with every committed step.
 * SD_H5_STRESS=N adds N kills at random moments, commits included (reported, not asserted:
 * a kill inside the commit's flush is the documented residual window). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5out.h"
#include "tap.h"

static char tmpdir[512];
static int own_tmpdir;

/* Deterministic, bit-varied test values. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
static double gval(int64_t step, int f, int64_t i)
{
    uint64_t h = mix(mix((uint64_t)step * 1000003u + (uint64_t)f) ^ (uint64_t)i);
    return ((double)(h >> 11) * 0x1p-53 * 2.0 - 1.0) * 1e3;
}
static void *make_field(int dtype, int64_t n, int64_t step, int f)
{
    if (dtype == SD_F32) {
        float *p = malloc(n * sizeof *p);
        for (int64_t i = 0; i < n; i++) p[i] = (float)gval(step, f, i);
        return p;
    }
    double *p = malloc(n * sizeof *p);
    for (int64_t i = 0; i < n; i++) p[i] = gval(step, f, i);
    return p;
}
/* Bitwise comparison of the reader's f64 values with what was written. */
static int check_field(const char *path, const char *name, int64_t step, int dtype, int64_t n, int f)
{
    char err[512];
    double *d = NULL;
    int64_t cnt = 0;
    if (sd_h5_read_field(path, name, step, &d, &cnt, err, sizeof err)) {
        diag("read %s@%" PRId64 ": %s", name, step, err);
        return 0;
    }
    int good = cnt == n;
    for (int64_t i = 0; good && i < n; i++) {
        double want = dtype == SD_F32 ? (double)(float)gval(step, f, i) : gval(step, f, i);
        if (memcmp(&want, &d[i], sizeof want)) {
            diag("%s@%" PRId64 "[%" PRId64 "]: got %.17g want %.17g", name, step, i, d[i], want);
            good = 0;
        }
    }
    free(d);
    return good;
}
static double sval(int64_t row, int s) { return gval(row, 1000 + s, 7); }

static int64_t attr_i64(const char *path, const char *name)
{
    int64_t v = INT64_MIN;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return v;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    if (a >= 0) {
        if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0) v = INT64_MIN;
        H5Aclose(a);
    }
    H5Fclose(f);
    return v;
}
static int attr_str_is(const char *path, const char *obj, const char *name, const char *want)
{
    int good = 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        hid_t t = H5Aget_type(a);
        size_t sz = H5Tget_size(t);
        char *buf = calloc(1, sz + 1);
        if (H5Aread(a, t, buf) >= 0) good = !strcmp(buf, want);
        if (!good) diag("attr %s%s = '%s', want '%s'", obj, name, buf, want);
        free(buf);
        H5Tclose(t);
        H5Aclose(a);
    }
    H5Fclose(f);
    return good;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc(n + 1);
    size_t r = fread(s, 1, n, f);
    s[r] = 0;
    fclose(f);
    return s;
}
static int count_str(const char *s, const char *pat)
{
    int c = 0;
    for (const char *p = s; (p = strstr(p, pat)); p += strlen(pat)) c++;
    return c;
}
/* Rough XDMF check: grid count, and every HDF reference names this file and a dataset in it. */
static int check_xdmf(const char *h5path, int want_grids, int want_refs, int resolve)
{
    char xmf[600];
    sd_h5_xdmf_path_for(h5path, xmf, sizeof xmf);
    char *s = slurp(xmf);
    if (!s) { diag("no sidecar %s", xmf); return 0; }
    int grids = count_str(s, "<Grid Name=\"step_"), refs = 0, good = 1;
    if (!strstr(s, "CollectionType=\"Temporal\"") || !strstr(s, "CoRectMesh") ||
        !strstr(s, "</Xdmf>"))
        good = 0;
    const char *base = strrchr(h5path, '/') ? strrchr(h5path, '/') + 1 : h5path;
    hid_t f = resolve ? H5Fopen(h5path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    for (const char *p = s; (p = strstr(p, "Format=\"HDF\">")); ) {
        p += strlen("Format=\"HDF\">");
        const char *e = strchr(p, '<');
        char ref[512];
        size_t l = (size_t)(e - p) < sizeof ref - 1 ? (size_t)(e - p) : sizeof ref - 1;
        memcpy(ref, p, l);
        ref[l] = 0;
        char *c = strchr(ref, ':');
        refs++;
        if (!c || (size_t)(c - ref) != strlen(base) || strncmp(ref, base, strlen(base))) {
            diag("bad reference %s", ref);
            good = 0;
            continue;
        }
        if (!resolve) continue;
        /* each path component must exist */
        char part[512];
        for (char *q = c + 2; (q = strchr(q, '/')) || 1; q++) {
            size_t pl = q ? (size_t)(q - (c + 1)) : strlen(c + 1);
            memcpy(part, c + 1, pl);
            part[pl] = 0;
            if (f < 0 || H5Lexists(f, part, H5P_DEFAULT) <= 0) {
                diag("reference %s: %s missing", ref, part);
                good = 0;
                break;
            }
            if (!q) break;
        }
    }
    if (f >= 0) H5Fclose(f);
    if (grids != want_grids || refs != want_refs) {
        diag("%s: %d grids (want %d), %d references (want %d)", xmf, grids, want_grids, refs, want_refs);
        good = 0;
    }
    free(s);
    return good;
}

/* ---- round trips ----------------------------------------------------------------------- */

static void roundtrip(int ndim, const int64_t shape[3], int nf, const char *const *fn,
                      const int *dt, const int *nc)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/rt%d.h5", tmpdir, ndim);
    const char *sn[] = {"energy", "mass", "l2"};
    double sp[3] = {0.5, 0.25, 0.125};
    sd_h5meta m = {"graphs/x.yaml", "nodes: []\n", "0.1", "1.4", "dmda", "host", "2024-01-01T00:00:00Z",
                   "stardag run x", 2, 0, NULL, NULL};
    sd_h5out *o = sd_h5out_create(path, &m, ndim, shape, sp, nf, fn, dt, nc, 3, sn, err, sizeof err);
    if (!ok(o != NULL, "%dD: create", ndim)) { diag("%s", err); return; }
    int64_t np = shape[0] * shape[1] * shape[2];
    int rc = 0, nrows = 0;
    for (int64_t step = 0; step <= 20; step += 10) {
        for (int f = 0; f < nf; f++) {
            void *d = make_field(dt[f], np * nc[f], step, f);
            rc |= sd_h5out_write_field(o, f, step, step * 0.1, d, err, sizeof err);
            free(d);
        }
        for (int r = 0; r < 2; r++, nrows++) {
            double v[3] = {sval(nrows, 0), sval(nrows, 1), sval(nrows, 2)};
            rc |= sd_h5out_append_scalars(o, step + r, (step + r) * 0.1, v, err, sizeof err);
        }
        if (step == 10) rc |= sd_h5out_commit(o, err, sizeof err);
    }
    if (!ok(rc == 0, "%dD: writes and commit", ndim)) diag("%s", err);
    ok(sd_h5out_close(o, "ok", 21, 1.5, err, sizeof err) == 0, "%dD: close", ndim);

    int64_t *steps = NULL, n = 0;
    ok(sd_h5_list_field_steps(path, fn[0], &steps, &n, err, sizeof err) == 0 && n == 3 &&
           steps[0] == 0 && steps[1] == 10 && steps[2] == 20, "%dD: field steps listed", ndim);
    free(steps);
    int good = 1;
    for (int64_t step = 0; step <= 20; step += 10)
        for (int f = 0; f < nf; f++) good &= check_field(path, fn[f], step, dt[f], np * nc[f], f);
    ok(good, "%dD: every field (%s) round-trips bitwise", ndim, "f32/f64, components");
    good = 1;
    for (int s = 0; s < 3; s++) {
        double *v = NULL;
        if (sd_h5_read_scalar(path, sn[s], &steps, &v, &n, err, sizeof err)) { diag("%s", err); good = 0; continue; }
        good &= n == nrows;
        for (int64_t r = 0; good && r < n; r++) {
            double w = sval(r, s);
            good &= !memcmp(&w, &v[r], 8) && steps[r] == (r / 2) * 10 + r % 2;
        }
        free(steps);
        free(v);
    }
    ok(good, "%dD: scalar series round-trip bitwise (%d rows)", ndim, nrows);
    ok(attr_i64(path, "stardag_format") == 1 && attr_i64(path, "committed_scalar_rows") == nrows &&
           attr_i64(path, "steps_done") == 21 && attr_i64(path, "committed_output_steps") == 3,
       "%dD: root attributes", ndim);
    char fgroup[300];
    snprintf(fgroup, sizeof fgroup, "/fields/%s", fn[0]);
    ok(attr_str_is(path, "/", "status", "ok") && attr_str_is(path, "/meta", "sched", "dmda") &&
           attr_str_is(path, "/meta", "graph_text", "nodes: []\n") &&
           attr_str_is(path, fgroup, "dtype", dt[0] == SD_F32 ? "f32" : "f64"),
       "%dD: status and meta strings", ndim);
    int refs = 0;
    for (int f = 0; f < nf; f++) refs += nc[f];
    ok(check_xdmf(path, 3, 3 * refs, 1), "%dD: XDMF has 3 grids, %d references, all resolvable", ndim, 3 * refs);
}

static void test_uncommitted_sidecar(void)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/side.h5", tmpdir);
    int64_t shape[3] = {8, 4, 1};
    double sp[3] = {1, 1, 1};
    const char *fn[] = {"u"};
    int dt[] = {SD_F64}, nc[] = {1};
    sd_h5out *o = sd_h5out_create(path, NULL, 2, shape, sp, 1, fn, dt, nc, 0, NULL, err, sizeof err);
    if (!ok(o != NULL, "sidecar: create")) { diag("%s", err); return; }
    void *d = make_field(SD_F64, 32, 0, 0);
    sd_h5out_write_field(o, 0, 0, 0.0, d, err, sizeof err);
    sd_h5out_commit(o, err, sizeof err);
    sd_h5out_write_field(o, 0, 1, 0.1, d, err, sizeof err);
    ok(check_xdmf(path, 1, 1, 0), "sidecar: uncommitted step not referenced");
    ok(sd_h5out_write_field(o, 0, 1, 0.1, d, err, sizeof err) == -1 && strstr(err, "already") &&
           strstr(err, path), "duplicate step refused: %s", err);
    ok(sd_h5out_write_field(o, 3, 2, 0.1, d, err, sizeof err) == -1 && strstr(err, path),
       "bad field index refused: %s", err);
    sd_h5out_commit(o, err, sizeof err);
    ok(check_xdmf(path, 2, 2, 0), "sidecar: committed step referenced after commit");
    ok(sd_h5out_close(o, "ok", 2, 0.0, err, sizeof err) == 0, "sidecar: close");
    ok(check_xdmf(path, 2, 2, 1), "sidecar: references resolve after close");
    free(d);
}

static void test_errors(void)
{
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/no/such/dir/out.h5", tmpdir);
    int64_t shape[3] = {8, 1, 1};
    double sp[3] = {1, 1, 1};
    const char *fn[] = {"u"};
    int dt[] = {SD_F64}, nc[] = {1};
    sd_h5out *o = sd_h5out_create(path, NULL, 1, shape, sp, 1, fn, dt, nc, 0, NULL, err, sizeof err);
    ok(!o && strstr(err, path) && strstr(err, "No such file or directory") && !strchr(err, '\n'),
       "missing directory: %s", err);
    snprintf(path, sizeof path, "%s/bad.h5", tmpdir);
    o = sd_h5out_create(path, NULL, 4, shape, sp, 1, fn, dt, nc, 0, NULL, err, sizeof err);
    ok(!o && strstr(err, "ndim"), "bad ndim refused: %s", err);
    int bdt[] = {7};
    o = sd_h5out_create(path, NULL, 1, shape, sp, 1, fn, bdt, nc, 0, NULL, err, sizeof err);
    ok(!o && strstr(err, "invalid field"), "bad dtype refused: %s", err);
    char e2[512];
    ok(sd_h5_read_field(path, "u", 0, &(double *){NULL}, NULL, e2, sizeof e2) == -1 && strstr(e2, path),
       "reader on a missing file: %s", e2);
}

/* ---- size limit ("disk full") ------------------------------------------------------------ */

#define KN 64
static const char *kfn[] = {"E", "B"};
static const int kdt[] = {SD_F64, SD_F32}, knc[] = {1, 2};
static const char *ksn[] = {"energy", "mass"};

static sd_h5out *kcreate(const char *path, char *err, size_t el)
{
    int64_t shape[3] = {KN, KN, KN};
    double sp[3] = {0.1, 0.1, 0.1};
    sd_h5meta m = {0};
    m.graph_text = "kill test";
    return sd_h5out_create(path, &m, 3, shape, sp, 2, kfn, kdt, knc, 2, ksn, err, el);
}
/* Output step s: both fields, and rows 10s..10s+9 of the scalars. */
static int kwrite(sd_h5out *o, int64_t s, void **bufs, char *err, size_t el)
{
    int64_t np = (int64_t)KN * KN * KN;
    for (int f = 0; f < 2; f++) {
        /* regenerate cheaply: reuse buffers keyed by step (fill is fast enough at 64^3) */
        if (kdt[f] == SD_F32) { float *p = bufs[f]; for (int64_t i = 0; i < np * knc[f]; i++) p[i] = (float)gval(s, f, i); }
        else { double *p = bufs[f]; for (int64_t i = 0; i < np * knc[f]; i++) p[i] = gval(s, f, i); }
        if (sd_h5out_write_field(o, f, s, s * 0.01, bufs[f], err, el)) return -1;
    }
    for (int r = 0; r < 10; r++) {
        int64_t row = s * 10 + r;
        double v[2] = {sval(row, 0), sval(row, 1)};
        if (sd_h5out_append_scalars(o, row, row * 0.001, v, err, el)) return -1;
    }
    return 0;
}
/* Everything of steps 0..nsteps-1 is there, exactly (atleast: possibly more after it). */
static int kverify2(const char *path, int64_t nsteps, int quiet, int atleast)
{
    char err[512];
    int good = 1;
    for (int f = 0; f < 2; f++) {
        int64_t *st = NULL, n = 0;
        if (sd_h5_list_field_steps(path, kfn[f], &st, &n, err, sizeof err)) {
            if (!quiet) diag("%s", err);
            return 0;
        }
        if (atleast ? n < nsteps : n != nsteps) { if (!quiet) diag("field %s: %" PRId64 " steps, want %" PRId64, kfn[f], n, nsteps); good = 0; }
        for (int64_t i = 0; i < n && i < nsteps; i++) good &= st[i] == i;
        free(st);
        for (int64_t s = 0; good && s < nsteps; s++)
            good &= check_field(path, kfn[f], s, kdt[f], (int64_t)KN * KN * KN * knc[f], f);
    }
    for (int k = 0; k < 2 && good; k++) {
        int64_t *st = NULL, n = 0;
        double *v = NULL;
        if (sd_h5_read_scalar(path, ksn[k], &st, &v, &n, err, sizeof err)) { if (!quiet) diag("%s", err); return 0; }
        if (atleast ? n < nsteps * 10 : n != nsteps * 10) { if (!quiet) diag("scalar %s: %" PRId64 " rows, want %" PRId64, ksn[k], n, nsteps * 10); good = 0; }
        for (int64_t r = 0; good && r < nsteps * 10; r++) {
            double w = sval(r, k);
            good &= st[r] == r && !memcmp(&w, &v[r], 8);
        }
        free(st);
        free(v);
    }
    return good;
}
static int kverify(const char *path, int64_t nsteps, int quiet)
{
    return kverify2(path, nsteps, quiet, 0);
}
static int plain_open_ok(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    H5Fclose(f);
    return 1;
}
static int have_h5dump;
static int h5dump_ok(const char *path)
{
    if (!have_h5dump) return 1;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "h5dump -H '%s' >/dev/null 2>&1", path);
    return system(cmd) == 0;
}

static void test_size_limit(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/full.h5", tmpdir);
    int pfd[2];
    if (pipe(pfd)) { ok(0, "pipe"); return; }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        char err[512] = "", msg[1200];
        void *bufs[2] = {malloc((size_t)KN * KN * KN * 8), malloc((size_t)KN * KN * KN * 8)};
        sd_h5out *o = kcreate(path, err, sizeof err);
        int rc = !o || kwrite(o, 0, bufs, err, sizeof err) || kwrite(o, 1, bufs, err, sizeof err) ||
                 sd_h5out_commit(o, err, sizeof err);
        if (rc) { dprintf(pfd[1], "setup failed: %s\n", err); _exit(1); }
        struct stat st;
        stat(path, &st);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)st.st_size + (512 << 10), (rlim_t)st.st_size + (512 << 10)};
        setrlimit(RLIMIT_FSIZE, &rl);
        int wrc = kwrite(o, 2, bufs, err, sizeof err);
        char err2[512] = "";
        int crc = sd_h5out_close(o, "failed", 2, 0.5, err2, sizeof err2);
        snprintf(msg, sizeof msg, "%d|%s|%d|%s\n", wrc, err, crc, err2);
        if (write(pfd[1], msg, strlen(msg)) < 0) _exit(3);
        free(bufs[0]);
        free(bufs[1]);
        _exit(0);
    }
    close(pfd[1]);
    char buf[1300] = "";
    size_t got = 0;
    ssize_t r;
    while ((r = read(pfd[0], buf + got, sizeof buf - 1 - got)) > 0) got += r;
    buf[got] = 0;
    if (got && buf[got - 1] == '\n') buf[got - 1] = 0;
    close(pfd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    int wrc = 1, crc = 1;
    char e1[600] = "", e2[600] = "";
    sscanf(buf, "%d|%599[^|]|%d|%599[^\n]", &wrc, e1, &crc, e2);
    if (crc == 0) e2[0] = 0;
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "size limit: child ran (%s)", buf);
    ok(wrc == -1 && strstr(e1, path) && strstr(e1, "File too large") && strstr(e1, "step 2"),
       "size limit: write fails with a message: %s", e1);
    diag("close after the failure: rc %d %s", crc, e2);
    ok(plain_open_ok(path) && h5dump_ok(path), "size limit: file opens (H5Fopen, h5dump)");
    ok(kverify(path, 2, 0), "size limit: committed steps 0,1 and 20 scalar rows intact");
    if (crc == 0) ok(attr_str_is(path, "/", "status", "failed"), "size limit: status recorded");
}

/* ---- SIGKILL ----------------------------------------------------------------------------- */

/* Child: commits after steps 0..k-1 (signalling each commit number on the pipe), then writes
 * uncommitted steps until killed. With `again`, it keeps committing after every step instead. */
static void kchild(const char *path, int k, int again, int wfd)
{
    char err[512];
    void *bufs[2] = {malloc((size_t)KN * KN * KN * 8), malloc((size_t)KN * KN * KN * 8)};
    sd_h5out *o = kcreate(path, err, sizeof err);
    if (!o) { dprintf(2, "child: %s\n", err); _exit(1); }
    for (int64_t s = 0;; s++) {
        if (kwrite(o, s, bufs, err, sizeof err)) { dprintf(2, "child: %s\n", err); _exit(1); }
        if (s < k || again) {
            if (sd_h5out_commit(o, err, sizeof err)) { dprintf(2, "child: %s\n", err); _exit(1); }
            int c = (int)s + 1;
            if (write(wfd, &c, sizeof c) != sizeof c) _exit(2);
        }
        if (s > k + 400) pause();
    }
}

/* Returns the number of committed steps signalled, or -1. */
static int kill_run(const char *path, int k, int again, long delay_us)
{
    int pfd[2];
    if (pipe(pfd)) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        kchild(path, k, again, pfd[1]);
        _exit(0);
    }
    close(pfd[1]);
    int c = 0, last = 0;
    while (last < k && read(pfd[0], &c, sizeof c) == sizeof c) last = c;
    if (delay_us) {
        struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    /* a commit may have completed after `last` was read but before the kill */
    while (read(pfd[0], &c, sizeof c) == sizeof c) last = c;
    close(pfd[0]);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? last : -1;
}

static void test_kill(void)
{
    static const struct { int k; long us; } pts[] = {
        {1, 0}, {1, 3000}, {2, 500}, {3, 10000}, {4, 40000}, {5, 120000},
    };
    char path[600];
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        snprintf(path, sizeof path, "%s/kill%zu.h5", tmpdir, i);
        int last = kill_run(path, pts[i].k, 0, pts[i].us);
        struct stat st;
        stat(path, &st);
        ok(last == pts[i].k, "kill %zu: child killed after commit %d (+%ld us, file %lld MiB)", i,
           pts[i].k, pts[i].us, (long long)st.st_size >> 20);
        ok(plain_open_ok(path) && h5dump_ok(path), "kill %zu: plain H5Fopen(RDONLY) and h5dump -H open it", i);
        ok(kverify(path, pts[i].k, 0), "kill %zu: exactly the %d committed steps (fields bitwise, %d scalar rows)",
           i, pts[i].k, pts[i].k * 10);
        ok(attr_i64(path, "commits") == pts[i].k + 1 &&
               attr_i64(path, "committed_scalar_rows") == pts[i].k * 10,
           "kill %zu: commit attributes say commit %d", i, pts[i].k);
        ok(check_xdmf(path, pts[i].k, pts[i].k * 3, 1), "kill %zu: sidecar lists the committed steps", i);
        unlink(path);
        char xmf[600];
        sd_h5_xdmf_path_for(path, xmf, sizeof xmf);
        unlink(xmf);
    }
    const char *st = getenv("SD_H5_STRESS");
    int n = st ? atoi(st) : 0;
    if (n <= 0) return;
    /* Kill at random moments of a child that commits after every step (commit included). */
    int bad = 0;
    srand(12345);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/stress.h5", tmpdir);
        int last = kill_run(path, 1 + rand() % 3, 1, rand() % 30000);
        int good = 0;
        if (last >= 0 && plain_open_ok(path)) {
            /* the commit in flight may have landed partly: at least commit `last` must be intact */
            good = kverify2(path, last, 1, 1);
        }
        if (!good) {
            bad++;
            diag("stress %d: killed after commit %d: file NOT consistent (opens: %d)", i, last, plain_open_ok(path));
            kverify2(path, last, 0, 1);
            const char *keep = getenv("SD_H5_KEEP");
            if (keep) {
                char cmd[1400];
                snprintf(cmd, sizeof cmd, "cp '%s' '%s/stress_bad%d.h5'", path, keep, i);
                if (system(cmd)) diag("copy failed");
            }
        }
        unlink(path);
    }
    diag("stress: %d/%d random kills (commits included) left an inconsistent file", bad, n);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* tests print their own diagnostics */
    const char *t = getenv("SD_TEST_TMP");
    if (t && *t) snprintf(tmpdir, sizeof tmpdir, "%s/h5out.XXXXXX", t);
    else snprintf(tmpdir, sizeof tmpdir, "/tmp/sd_h5out.XXXXXX");
    if (!mkdtemp(tmpdir)) { printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno)); return 99; }
    own_tmpdir = 1;
    have_h5dump = system("command -v h5dump >/dev/null 2>&1") == 0;
    if (!have_h5dump) diag("h5dump not found: only H5Fopen is checked");

    {
        int64_t s1[3] = {1000, 1, 1};
        const char *fn[] = {"u", "v"};
        int dt[] = {SD_F32, SD_F64}, nc[] = {1, 2};
        roundtrip(1, s1, 2, fn, dt, nc);
    }
    {
        int64_t s2[3] = {37, 29, 1};
        const char *fn[] = {"u", "w"};
        int dt[] = {SD_F64, SD_F32}, nc[] = {1, 2};
        roundtrip(2, s2, 2, fn, dt, nc);
    }
    {
        int64_t s3[3] = {16, 12, 10};
        const char *fn[] = {"E", "B"};
        int dt[] = {SD_F64, SD_F32}, nc[] = {2, 1};
        roundtrip(3, s3, 2, fn, dt, nc);
    }
    test_uncommitted_sidecar();
    test_errors();
    test_size_limit();
    test_kill();

    if (own_tmpdir) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0) diag("could not remove %s", tmpdir);
    }
    return tap_done();
}
