/* t_h5md_continue.c - continuing an H5MD trajectory on a restart (sd_h5md_continue, io/h5md_continue.c):
 * a reference trajectory of 10 frames (steps 0, 10, ..., 90; 1001 particles, deflate) with three
 * observables, one of them written only at some frames, against trajectories that were cut at a
 * checkpoint step - by a clean close past it, and by a SIGKILL in the middle of the run - then
 * continued and appended with the same frames: every dataset must be bitwise the reference's
 * (read back with the plain HDF5 C API). Also: a step between frames, the expected frame count
 * (a trajectory older than the checkpoint is refused and left as it was), another particle count,
 * velocities or not, a missing file, a file that is not HDF5, and steps that must keep increasing
 * after the continue. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5md.h"
#include "tap.h"

#define N 1001
#define FRAMES 10
static char tmpdir[512];
static const double box[3] = {11.0, 12.5, 13.25};

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
/* component k of particle id at frame f (what 0: position, 1: velocity, 2+: observables) */
static double val(int what, int64_t f, int64_t id, int k)
{
    uint64_t h = mix(mix((uint64_t)f * 1000003u + (uint64_t)what * 7919u + (uint64_t)k) ^ (uint64_t)id);
    return ((double)(h >> 11) * 0x1p-53 - 0.5) * 20.0;
}
static int64_t fstep(int64_t f) { return 10 * f; }

/* Frame f (SoA, ids reversed so that the writer reorders) and its observables. */
static int append(sd_h5md *w, int64_t f, char *err, size_t el)
{
    static double pos[3 * N], vel[3 * N];
    static int64_t ids[N];
    for (int64_t i = 0; i < N; i++) {
        ids[i] = N - 1 - i;
        for (int k = 0; k < 3; k++) {
            pos[k * N + i] = val(0, f, ids[i], k);
            vel[k * N + i] = val(1, f, ids[i], k);
        }
    }
    const int64_t s = fstep(f);
    const double t = 0.005 * (double)s;
    if (sd_h5md_observable(w, "temp", s, t, val(2, f, 0, 0), err, el) < 0 ||
        sd_h5md_observable(w, "etotal", s, t, val(3, f, 0, 0), err, el) < 0 ||
        (f % 3 == 0 && sd_h5md_observable(w, "press", s, t, val(4, f, 0, 0), err, el) < 0))
        return -1;
    return sd_h5md_append(w, s, t, pos, vel, SD_H5MD_SOA, ids, err, el);
}

static sd_h5md *create(const char *path, char *err, size_t el)
{
    static int32_t species[N];
    for (int i = 0; i < N; i++) species[i] = i % 3;
    sd_h5md_opts o = {.creator_version = "t", .species = species, .no_fsync = 1, .unit_system = "real"};
    return sd_h5md_create(path, "stardag", NULL, N, box, "nm", "ps", &o, err, el);
}

static sd_h5md *cont(const char *path, int64_t step, int64_t every, int no_vel, char *err, size_t el)
{
    sd_h5md_opts o = {.no_fsync = 1, .no_velocity = no_vel};
    return sd_h5md_continue(path, N, box, step, every, "ps", &o, err, el);
}

/* Frames [f0, f1) appended to w, then closed with status "completed". 0 or -1. */
static int finish(sd_h5md *w, int64_t f0, int64_t f1, char *err, size_t el)
{
    for (int64_t f = f0; f < f1; f++)
        if (append(w, f, err, el) < 0) {
            sd_h5md_close(w, err, el);
            return -1;
        }
    if (sd_h5md_set_status(w, "completed", fstep(f1 - 1), err, el) < 0) {
        sd_h5md_close(w, err, el);
        return -1;
    }
    return sd_h5md_close(w, err, el);
}

/* The raw bytes of dataset d of file p (NULL if absent); *n: bytes. */
static void *slurp(const char *p, const char *d, size_t *n)
{
    *n = 0;
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return NULL;
    void *buf = NULL;
    hid_t ds = H5Dopen2(f, d, H5P_DEFAULT);
    if (ds >= 0) {
        hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
        hssize_t np = H5Sget_simple_extent_npoints(sp);
        size_t es = H5Tget_size(t);
        *n = (size_t)np * es;
        buf = malloc(*n ? *n : 1);
        if (buf && np > 0 && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            free(buf);
            buf = NULL;
        }
        H5Tclose(t);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    H5Fclose(f);
    return buf;
}

static const char *const dsets[] = {
    "/particles/trajectory/position/value", "/particles/trajectory/velocity/value", "/particles/trajectory/position/step",
    "/particles/trajectory/position/time", "/particles/trajectory/velocity/step", "/particles/trajectory/box/edges/value",
    "/particles/trajectory/box/edges/step", "/particles/trajectory/species", "/observables/temp/step",
    "/observables/temp/time", "/observables/temp/value", "/observables/etotal/value", "/observables/press/step",
    "/observables/press/value", "/observables/press/time"};

/* Every dataset of b bitwise a's. */
static int same_as(const char *a, const char *b)
{
    int same = 1;
    for (size_t i = 0; i < sizeof dsets / sizeof dsets[0]; i++) {
        size_t na, nb;
        void *x = slurp(a, dsets[i], &na), *y = slurp(b, dsets[i], &nb);
        if (!x || !y || na != nb || memcmp(x, y, na)) {
            diag("%s: %s differs from %s (%zu vs %zu bytes)", b, dsets[i], a, na, nb);
            same = 0;
        }
        free(x);
        free(y);
    }
    return same;
}

static int64_t frames_in(const char *p)
{
    size_t n;
    void *s = slurp(p, "/particles/trajectory/position/step", &n);
    free(s);
    return s ? (int64_t)(n / sizeof(int64_t)) : -1;
}

static int status_is(const char *p, const char *want)
{
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    char buf[64] = "";
    hid_t a = H5Aopen(f, "status", H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
    int okk = a >= 0 && t >= 0 && H5Tget_size(t) < sizeof buf && H5Aread(a, t, buf) >= 0 && !strcmp(buf, want);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    H5Fclose(f);
    return okk;
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *t = getenv("SD_TEST_TMP");
    if (t && *t) snprintf(tmpdir, sizeof tmpdir, "%s/h5mdc.XXXXXX", t);
    else snprintf(tmpdir, sizeof tmpdir, "/tmp/sd_h5mdc.XXXXXX");
    if (!mkdtemp(tmpdir)) { printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno)); return 99; }
    char ref[600], cut[600], killed[600], between[600], p[600], err[1024];

    /* the reference: all 10 frames in one go */
    snprintf(ref, sizeof ref, "%s/ref.h5md", tmpdir);
    sd_h5md *w = create(ref, err, sizeof err);
    ok(w && finish(w, 0, FRAMES, err, sizeof err) == 0, "reference trajectory of %d frames written", FRAMES);

    /* written past the checkpoint (step 40) and closed; continued at 40, frames 50..90 again */
    snprintf(cut, sizeof cut, "%s/cut.h5md", tmpdir);
    w = create(cut, err, sizeof err);
    ok(w && finish(w, 0, 8, err, sizeof err) == 0, "a run's trajectory up to step 70");
    /* a continue killed right after it returned: the file is committed, cut and "running" */
    pid_t pid = fork();
    if (pid == 0) {
        sd_h5md *k = cont(cut, 40, 10, 0, err, sizeof err);
        if (!k) _exit(3);
        raise(SIGKILL);
        _exit(4);
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    ok(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL && frames_in(cut) == 5 && status_is(cut, "running"),
       "a continue at step 40 killed after it returned left 5 frames and the status running");
    w = cont(cut, 40, 10, 0, err, sizeof err);
    ok(w != NULL, "continued at step 40 again (5 frames expected)%s%s", w ? "" : ": ", w ? "" : err);
    if (w) {
        ok(sd_h5md_frames(w) == 5 && sd_h5md_last_step(w) == 40, "5 frames kept, the last at step 40");
        char e2[512];
        ok(sd_h5md_append(w, 40, 0.2, (double[3 * N]){0}, (double[3 * N]){0}, SD_H5MD_SOA, NULL, e2, sizeof e2) < 0 &&
               strstr(e2, "steps must increase"), "a frame at the kept last step is refused (steps increase)");
        ok(finish(w, 5, FRAMES, err, sizeof err) == 0, "frames 50..90 appended and closed");
    }
    ok(same_as(ref, cut), "continued trajectory == reference, every dataset bitwise");
    ok(status_is(cut, "completed"), "its final status is the continued run's");

    /* killed in the middle of step 60's frame sequence (no close): continued at 30 */
    snprintf(killed, sizeof killed, "%s/killed.h5md", tmpdir);
    pid = fork();
    if (pid == 0) {
        sd_h5md *k = create(killed, err, sizeof err);
        for (int64_t f = 0; k && f < 7; f++)
            if (append(k, f, err, sizeof err) < 0) _exit(3);
        /* observables of the next frame, never flushed, then the kill */
        if (k && sd_h5md_observable(k, "temp", 70, 0.35, 1.0, err, sizeof err) < 0) _exit(4);
        raise(SIGKILL);
        _exit(5);
    }
    waitpid(pid, &ws, 0);
    ok(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "a writer killed after 7 frames");
    w = cont(killed, 30, 10, 0, err, sizeof err);
    ok(w != NULL, "the killed trajectory continued at step 30%s%s", w ? "" : ": ", w ? "" : err);
    if (w) ok(finish(w, 4, FRAMES, err, sizeof err) == 0, "frames 40..90 appended");
    ok(same_as(ref, killed), "killed then continued == reference, every dataset bitwise");

    /* a checkpoint between frames (step 45): frames up to 40 stay */
    snprintf(between, sizeof between, "%s/between.h5md", tmpdir);
    w = create(between, err, sizeof err);
    ok(w && finish(w, 0, FRAMES, err, sizeof err) == 0, "a complete trajectory");
    w = cont(between, 45, 10, 0, err, sizeof err);
    ok(w && sd_h5md_frames(w) == 5 && finish(w, 5, FRAMES, err, sizeof err) == 0,
       "continued at step 45 (between frames): 5 kept, 50..90 appended");
    ok(same_as(ref, between), "== reference, bitwise");

    /* a finished run of 45 steps (its last frame at 45, off the cadence) extended by a restart at 45 */
    snprintf(p, sizeof p, "%s/finished.h5md", tmpdir);
    w = create(p, err, sizeof err);
    int wrote = w && finish(w, 0, 5, err, sizeof err) == 0;
    if (wrote) { /* reopened as a run would have kept it open: one more frame, at step 45 */
        w = cont(p, 40, 10, 0, err, sizeof err);
        static double z[3 * N];
        wrote = w && sd_h5md_append(w, 45, 0.225, z, z, SD_H5MD_SOA, NULL, err, sizeof err) == 0 &&
                sd_h5md_close(w, err, sizeof err) == 0;
    }
    ok(wrote && frames_in(p) == 6, "a finished run's trajectory: frames at 0..40 and its last step 45");
    w = cont(p, 45, 10, 0, err, sizeof err);
    ok(w && sd_h5md_frames(w) == 5 && sd_h5md_last_step(w) == 40 && finish(w, 5, FRAMES, err, sizeof err) == 0 &&
           same_as(ref, p), "continued at 45: the off-cadence frame of step 45 dropped, then == reference");
    /* older than the checkpoint: frames up to 30 only */
    w = create(p, err, sizeof err);
    ok(w && finish(w, 0, 4, err, sizeof err) == 0, "a trajectory up to step 30");
    w = cont(p, 45, 10, 0, err, sizeof err);
    ok(!w && strstr(err, "holds 4 frames of steps <= 45, the interrupted run had written 5") && frames_in(p) == 4,
       "continuing it at step 45 is refused, the file untouched: %s", err);

    /* refusals leave the file as it was */
    w = cont(between, 45, 15, 0, err, sizeof err);
    ok(!w && strstr(err, between) && strstr(err, "its frame 1 is of step 10, the interrupted run wrote it at step 15"),
       "a trajectory of another cadence is refused, naming the file: %s", err);
    ok(frames_in(between) == FRAMES && same_as(ref, between), "... and left untouched (10 frames, bitwise)");
    w = cont(between, 45, 10, 1, err, sizeof err);
    ok(!w && strstr(err, "with velocities"), "continuing without velocities a file that has them is refused: %s", err);
    {
        sd_h5md_opts o = {.no_fsync = 1};
        w = sd_h5md_continue(between, N + 1, box, 45, 10, "ps", &o, err, sizeof err);
        ok(!w && strstr(err, "holds 1001 particles, the run has 1002"), "another particle count is refused: %s", err);
    }
    ok(frames_in(between) == FRAMES && status_is(between, "completed"), "the refusals changed nothing");
    snprintf(p, sizeof p, "%s/none.h5md", tmpdir);
    w = cont(p, 10, -1, 0, err, sizeof err);
    ok(!w && strstr(err, p) && strstr(err, "No such file"), "a missing trajectory: %s", err);
    snprintf(p, sizeof p, "%s/text.h5md", tmpdir);
    FILE *fp = fopen(p, "w");
    if (fp) { fputs("not hdf5\n", fp); fclose(fp); }
    w = cont(p, 10, -1, 0, err, sizeof err);
    ok(!w && strstr(err, p) && strstr(err, "not an HDF5 file"), "a file that is not HDF5: %s", err);
    /* continued at step 0 with one frame, then everything again */
    w = cont(between, 0, 10, 0, err, sizeof err);
    ok(w && sd_h5md_frames(w) == 1 && finish(w, 1, FRAMES, err, sizeof err) == 0 && same_as(ref, between),
       "continued at step 0 (only the initial frame kept), then == reference");

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) diag("could not remove %s", tmpdir);
    return tap_done();
}
