/* t_h5out_profile.c - the run file's profiles (io/h5out_profile.c): rows read back exactly (NaN
 * kept, profiles in the order added, attributes); refused arguments; rows appended after the last
 * commit are not in a file whose writer died (the file opens at its last commit); a file size limit
 * (a full disk) makes an append fail before HDF5 writes anything, and the writer still closes the
 * file with every committed row intact. */
#define _GNU_SOURCE
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5out.h"
#include "tap.h"

static char tmpdir[256];

static sd_h5out *create(const char *path, const char *units, char *err, size_t el)
{
    int64_t shape[3] = {4, 6, 1};
    double sp[3] = {1, 0.5, 1};
    const char *fn[] = {"dose"};
    int dt[] = {SD_F64}, nc[] = {1};
    sd_h5meta m = {0};
    m.units_length = units;
    return sd_h5out_create(path, &m, 2, shape, sp, 1, fn, dt, nc, 0, NULL, err, el);
}

static const double pos[6] = {0.25, 0.75, 1.25, 1.75, 2.25, 2.75}, pct[2] = {80, 12.5};

/* Row r of the 6-cell profile: values r*10 + i, peak 0.25 r, max 100 + r, fall-off {r, NaN}. */
static int append(sd_h5out *o, int prof, int64_t r, char *err, size_t el)
{
    double v[6], fo[2] = {(double)r, NAN};
    for (int i = 0; i < 6; i++) v[i] = r * 10 + i;
    sd_h5profile_row row = {r * 5, r * 0.5, v, 0.25 * r, 0.25 * r + 0.01, 100 + r, fo};
    return sd_h5out_append_profile(o, prof, &row, err, el);
}

static int rows_ok(const sd_h5profile_data *d, int64_t m)
{
    int good = d->m == m && d->n == 6 && d->nfalloff == 2 && d->falloff_pct[0] == 80 && d->falloff_pct[1] == 12.5;
    for (int i = 0; good && i < 6; i++) good &= d->positions[i] == pos[i];
    for (int64_t r = 0; good && r < m; r++) {
        for (int i = 0; i < 6; i++) good &= d->values[r * 6 + i] == r * 10 + i;
        good &= d->step[r] == r * 5 && d->peak[r] == 0.25 * r && d->peak_fit[r] == 0.25 * r + 0.01 && d->max[r] == 100 + r &&
                d->falloff[r * 2] == r && isnan(d->falloff[r * 2 + 1]);
    }
    return good;
}

static void test_roundtrip(void)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/rt.h5", tmpdir);
    sd_h5out *o = create(path, "mm", err, sizeof err);
    if (!ok(o != NULL, "create")) { diag("%s", err); return; }
    sd_h5profile a = {"dose_y", "dose", 'y', "depth", 0, 6, pos, 2, pct}, b = {"a_x", "dose", 'x', NULL, 0, 4, pos, 0, NULL};
    ok(sd_h5out_add_profile(o, &a, err, sizeof err) == 0 && sd_h5out_add_profile(o, &b, err, sizeof err) == 1,
       "two profiles added: indices 0 and 1");
    sd_h5profile dup = a;
    ok(sd_h5out_add_profile(o, &dup, err, sizeof err) == -1 && strstr(err, path) && strstr(err, "a profile of that name exists"),
       "a second profile of one name refused: %s", err);
    dup.name = "a/b";
    ok(sd_h5out_add_profile(o, &dup, err, sizeof err) == -1 && strstr(err, "bad name"), "a name with '/' refused");
    dup.name = "c";
    dup.nfalloff = SD_H5_MAX_FALLOFF + 1;
    ok(sd_h5out_add_profile(o, &dup, err, sizeof err) == -1 && strstr(err, "bad fall-off list"), "too many percentages refused");
    int rc = 0;
    for (int64_t r = 0; r < 3; r++) rc |= append(o, 0, r, err, sizeof err);
    double v4[4] = {1, 2, 3, 4};
    sd_h5profile_row rb = {0, 0, v4, NAN, NAN, 4, NULL};
    rc |= sd_h5out_append_profile(o, 1, &rb, err, sizeof err);
    ok(rc == 0, "rows appended (%s)", rc ? err : "");
    ok(sd_h5out_append_profile(o, 2, &rb, err, sizeof err) == -1 && strstr(err, "profile #2: bad arguments"),
       "a row of an unknown profile refused");
    double f[24] = {0};
    ok(sd_h5out_write_field(o, 0, 0, 0, f, err, sizeof err) == 0 &&
           sd_h5out_add_profile(o, &(sd_h5profile){"late", "dose", 'x', NULL, 0, 4, pos, 0, NULL}, err, sizeof err) == -1 &&
           strstr(err, "a step was written before it"), "a profile added after a write refused");
    ok(sd_h5out_close(o, "completed", 3, 1, err, sizeof err) == 0, "close");
    sd_h5profile_data *d = NULL;
    int n = 0;
    if (!ok(sd_h5_read_profiles(path, &d, &n, err, sizeof err) == 0 && n == 2, "read back: two profiles")) { diag("%s", err); return; }
    ok(!strcmp(d[0].name, "dose_y") && !strcmp(d[1].name, "a_x"), "in the order added (not the name order)");
    ok(rows_ok(&d[0], 3), "dose_y: three rows exactly, NaN kept");
    ok(!strcmp(d[0].field, "dose") && d[0].axis == 'y' && !strcmp(d[0].summed, "x") && !strcmp(d[0].units_length, "mm") &&
           d[1].axis == 'x' && !strcmp(d[1].summed, "y") && !strcmp(d[0].label, "depth") && !strcmp(d[1].label, "x"),
       "attributes: field, axis, summed axes, unit, axis label (the letter by default)");
    ok(d[1].m == 1 && d[1].nfalloff == 0 && isnan(d[1].peak[0]) && d[1].values[3] == 4, "a_x: one row, no fall-off columns");
    sd_h5_profiles_free(d, n);
}

/* A child appends rows 0-1, commits, appends row 2 and dies without closing. */
static void test_kill(void)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/kill.h5", tmpdir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sd_h5out *o = create(path, "", err, sizeof err);
        sd_h5profile a = {"dose_y", "dose", 'y', NULL, 0, 6, pos, 2, pct};
        if (!o || sd_h5out_add_profile(o, &a, err, sizeof err) < 0 || append(o, 0, 0, err, sizeof err) ||
            append(o, 0, 1, err, sizeof err) || sd_h5out_commit(o, err, sizeof err) || append(o, 0, 2, err, sizeof err))
            _exit(1);
        kill(getpid(), SIGKILL);
        _exit(2);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "kill: the child was killed after an uncommitted row");
    sd_h5profile_data *d = NULL;
    int n = 0;
    int rc = sd_h5_read_profiles(path, &d, &n, err, sizeof err);
    ok(rc == 0 && n == 1 && rows_ok(&d[0], 2) && !d[0].units_length[0], "kill: the file opens with the two committed rows (%s)",
       rc ? err : "");
    sd_h5_profiles_free(d, n);
}

/* A profile of 100000 cells (a 800 kB row) appended under a file size limit 256 kB above the
 * file: refused before HDF5 writes; the writer closes the file with the committed rows. */
static void test_size_limit(void)
{
    enum { BIG = 100000 };
    char path[600];
    snprintf(path, sizeof path, "%s/full.h5", tmpdir);
    int pfd[2];
    if (!ok(pipe(pfd) == 0, "size limit: pipe")) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        char err[512] = "", err2[512] = "";
        double *p = malloc(BIG * sizeof *p), *v = malloc(BIG * sizeof *v);
        for (int i = 0; i < BIG; i++) p[i] = i + 0.5, v[i] = i;
        sd_h5out *o = create(path, "", err, sizeof err);
        sd_h5profile a = {"long", "dose", 'x', NULL, 0, BIG, p, 0, NULL};
        sd_h5profile_row row = {0, 0, v, 0.5, 0.5, 1, NULL};
        struct stat st;
        if (!o || sd_h5out_add_profile(o, &a, err, sizeof err) < 0 || sd_h5out_append_profile(o, 0, &row, err, sizeof err) ||
            sd_h5out_commit(o, err, sizeof err) || stat(path, &st)) {
            dprintf(pfd[1], "setup failed: %s\n", err);
            _exit(1);
        }
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)st.st_size + (256 << 10), (rlim_t)st.st_size + (256 << 10)};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(1);
        row.step = 1;
        int rc = sd_h5out_append_profile(o, 0, &row, err, sizeof err);
        int crc = sd_h5out_close(o, "failed", 1, 0.0, err2, sizeof err2);
        dprintf(pfd[1], "%d|%s|%d|%s\n", rc, err, crc, err2);
        _exit(0);
    }
    close(pfd[1]);
    char buf[1300] = "";
    size_t got = 0;
    ssize_t r;
    while (got < sizeof buf - 1 && (r = read(pfd[0], buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)r;
    close(pfd[0]);
    buf[strcspn(buf, "\n")] = 0;
    int status = 0, rc = 0, crc = -1;
    waitpid(pid, &status, 0);
    char e1[600] = "", e2[600] = "";
    sscanf(buf, "%d|%599[^|]|%d|%599[^|]", &rc, e1, &crc, e2);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "size limit: child ran (%.200s)", buf);
    ok(rc == -1 && strstr(e1, path) && strstr(e1, "cannot append profile long at step 1: File too large"),
       "size limit: the append fails with the reason: %s", e1);
    ok(crc == 0, "size limit: the writer still closes the file (%s)", e2);
    sd_h5profile_data *d = NULL;
    int n = 0;
    char err[512];
    int rr = sd_h5_read_profiles(path, &d, &n, err, sizeof err);
    int good = rr == 0 && n == 1 && d[0].m == 1 && d[0].n == BIG && d[0].step[0] == 0;
    for (int i = 0; good && i < BIG; i++) good &= d[0].values[i] == i && d[0].positions[i] == i + 0.5;
    ok(good, "size limit: the committed row reads back whole (%s)", rr ? err : "");
    sd_h5_profiles_free(d, n);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    snprintf(tmpdir, sizeof tmpdir, "%s/h5profXXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) return 99;
    test_roundtrip();
    test_kill();
    test_size_limit();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) diag("could not remove %s", tmpdir);
    return tap_done();
}
