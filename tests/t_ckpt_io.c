/* t_ckpt_io.c - checkpoint files (io/ckpt.h): items written and read back bitwise with their shapes
 * and the root's metadata; a flipped byte in a dataset is a checksum error naming the file and the
 * dataset; a truncated file, a newer format, a file without `complete` and a file that is no
 * checkpoint are refused with what is wrong; rotation keeps exactly `keep` checkpoints, the newest
 * as FILE, and a reader polling FILE while checkpoints are published finds a complete checkpoint
 * every time; a failed commit leaves the previous checkpoints untouched and no FILE.tmp. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hdf5.h>
#include "ckpt.h"
#include "tap.h"

static char dir[512];

static const char *path_in(const char *name)
{
    static char buf[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* A checkpoint of `step` at path: u (f64 2x3x4, values from step), ids (i64 5), mask (u8 3), a
 * scalar f32. 0, or -1 (err printed). */
static int write_ckpt(const char *path, int64_t step, int keep)
{
    char err[1024];
    double u[24];
    int64_t ids[5];
    unsigned char mask[3] = {1, 0, 1};
    float s = 0.25f * (float)step;
    for (int i = 0; i < 24; i++) u[i] = step + i / 7.0;
    for (int i = 0; i < 5; i++) ids[i] = 1000 * step + i;
    const int64_t du[3] = {2, 3, 4}, di[1] = {5}, dm[1] = {3};
    sd_ckpt_out *w = sd_ckpt_create(path, err, sizeof err);
    if (!w) {
        diag("%s", err);
        return -1;
    }
    if (sd_ckpt_write(w, "fields/u/0", SD_CK_F64, 3, du, u, sizeof u, err, sizeof err) < 0 ||
        sd_ckpt_write(w, "particles/ids", SD_CK_I64, 1, di, ids, sizeof ids, err, sizeof err) < 0 ||
        sd_ckpt_write(w, "mask", SD_CK_U8, 1, dm, mask, sizeof mask, err, sizeof err) < 0 ||
        sd_ckpt_write(w, "/host/s", SD_CK_F32, 0, NULL, &s, sizeof s, err, sizeof err) < 0) {
        diag("%s", err);
        sd_ckpt_abort(w);
        return -1;
    }
    sd_ckpt_meta m = {.format = SD_CKPT_FORMAT, .step = step, .time = 0.5 * step, .graph_hash = 0x0123456789abcdefULL,
                      .layout_hash = 0xfedcba9876543210ULL};
    snprintf(m.version, sizeof m.version, "test");
    if (sd_ckpt_commit(w, &m, "name: test\n", keep, err, sizeof err) < 0) {
        diag("%s", err);
        return -1;
    }
    return 0;
}

static int64_t step_of(const char *path)
{
    char err[1024];
    sd_ckpt_in *in = sd_ckpt_open(path, err, sizeof err);
    if (!in) return -1;
    int64_t s = sd_ckpt_step(in);
    sd_ckpt_close(in);
    return s;
}

static void round_trip(void)
{
    const char *p = path_in("a.ckpt");
    char err[1024];
    ok(write_ckpt(p, 7, 2) == 0, "a checkpoint is written");
    ok(exists(p) && !exists(path_in("a.ckpt.tmp")) && !exists(path_in("a.ckpt.1")), "... as FILE, no FILE.tmp, no FILE.1 yet");
    sd_ckpt_in *in = sd_ckpt_open(p, err, sizeof err);
    if (!ok(in != NULL, "it opens")) {
        diag("%s", err);
        return;
    }
    const sd_ckpt_meta *m = sd_ckpt_get_meta(in);
    ok(m->format == SD_CKPT_FORMAT && m->step == 7 && m->time == 3.5 && m->graph_hash == 0x0123456789abcdefULL &&
           m->layout_hash == 0xfedcba9876543210ULL && !strcmp(m->version, "test"),
       "its root: the format, step, time, both hashes, version");
    int type, ndim;
    int64_t dims[4];
    ok(sd_ckpt_item_info(in, "fields/u/0", &type, &ndim, dims, err, sizeof err) == 0 && type == SD_CK_F64 && ndim == 3 &&
           dims[0] == 2 && dims[1] == 3 && dims[2] == 4,
       "an item's type and shape");
    double u[24];
    int64_t ids[5];
    unsigned char mask[3];
    float s;
    int good = sd_ckpt_read_item(in, "fields/u/0", u, sizeof u, err, sizeof err) == 0;
    for (int i = 0; good && i < 24; i++) good = u[i] == 7 + i / 7.0;
    ok(good, "f64 values back bitwise");
    ok(sd_ckpt_read_item(in, "particles/ids", ids, sizeof ids, err, sizeof err) == 0 && ids[4] == 7004 &&
           sd_ckpt_read_item(in, "mask", mask, sizeof mask, err, sizeof err) == 0 && mask[0] == 1 && mask[1] == 0 &&
           sd_ckpt_read_item(in, "/host/s", &s, sizeof s, err, sizeof err) == 0 && s == 1.75f,
       "i64, u8 and an f32 scalar at an absolute path back");
    ok(sd_ckpt_read_item(in, "fields/u/0", u, sizeof u - 8, err, sizeof err) < 0 && strstr(err, "/state/fields/u/0") &&
           strstr(err, "expected 184"),
       "a read of the wrong size is refused, naming the dataset (%s)", err);
    ok(sd_ckpt_item_info(in, "fields/v/0", &type, &ndim, dims, err, sizeof err) < 0 && strstr(err, "absent") &&
           strstr(err, "/state/fields/v/0"),
       "an absent item: 'absent', named (%s)", err);
    char *text = sd_ckpt_graph_text(in, err, sizeof err);
    ok(text && !strcmp(text, "name: test\n"), "the graph's text");
    free(text);
    sd_ckpt_close(in);
}

/* Flip one byte of dataset `name`'s raw data at `at`. */
static int corrupt(const char *path, const char *name, size_t at)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = f >= 0 ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
    haddr_t off = d >= 0 ? H5Dget_offset(d) : HADDR_UNDEF;
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    if (off == HADDR_UNDEF) return -1;
    FILE *fp = fopen(path, "r+b");
    if (!fp || fseek(fp, (long)(off + at), SEEK_SET) != 0) return -1;
    int c = fgetc(fp);
    if (c == EOF || fseek(fp, (long)(off + at), SEEK_SET) != 0 || fputc(c ^ 0x10, fp) == EOF) return -1;
    return fclose(fp);
}

static void refusals(void)
{
    char err[1024];
    const char *p = path_in("c.ckpt");
    double u[24];
    write_ckpt(p, 3, 1);
    ok(corrupt(p, "/state/fields/u/0", 77) == 0, "a byte of /state/fields/u/0 flipped");
    sd_ckpt_in *in = sd_ckpt_open(p, err, sizeof err);
    ok(in != NULL, "the file still opens (its root is sound)");
    if (in) {
        ok(sd_ckpt_read_item(in, "fields/u/0", u, sizeof u, err, sizeof err) < 0 && strstr(err, p) &&
               strstr(err, "/state/fields/u/0: checksum mismatch (file corrupt)"),
           "reading it: a checksum mismatch naming the file and the dataset (%s)", err);
        int64_t ids[5];
        ok(sd_ckpt_read_item(in, "particles/ids", ids, sizeof ids, err, sizeof err) == 0, "the other items still read");
        sd_ckpt_close(in);
    }

    p = path_in("t.ckpt");
    write_ckpt(p, 3, 1);
    struct stat st;
    stat(p, &st);
    ok(truncate(p, st.st_size / 2) == 0, "a checkpoint cut to half its size");
    in = sd_ckpt_open(p, err, sizeof err);
    int refused = !in;
    if (in) { /* HDF5 may still open the head of the file: then its data cannot be read */
        refused = sd_ckpt_read_item(in, "fields/u/0", u, sizeof u, err, sizeof err) < 0;
        sd_ckpt_close(in);
    }
    ok(refused && strstr(err, p), "... is refused, naming it (%s)", err);

    p = path_in("n.ckpt");
    write_ckpt(p, 3, 1);
    hid_t f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT), a = H5Aopen(f, "stardag_checkpoint", H5P_DEFAULT);
    int32_t newer = SD_CKPT_FORMAT + 1;
    H5Awrite(a, H5T_NATIVE_INT32, &newer);
    H5Aclose(a);
    H5Fclose(f);
    char want[64];
    snprintf(want, sizeof want, "format %d is newer than this stardag knows", SD_CKPT_FORMAT + 1);
    ok(!sd_ckpt_open(p, err, sizeof err) && strstr(err, want),
       "a newer format is refused (%s)", err);

    /* format 1 (before meta_checksum and /index): read, without that check */
    p = path_in("f1.ckpt");
    write_ckpt(p, 3, 1);
    f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    a = H5Aopen(f, "stardag_checkpoint", H5P_DEFAULT);
    int32_t one = 1;
    H5Awrite(a, H5T_NATIVE_INT32, &one);
    H5Aclose(a);
    H5Adelete(f, "meta_checksum");
    H5Ldelete(f, "index", H5P_DEFAULT);
    H5Fclose(f);
    in = sd_ckpt_open(p, err, sizeof err);
    ok(in && sd_ckpt_get_meta(in)->format == 1 && sd_ckpt_indexed(in, "/state/fields/u/0") &&
           sd_ckpt_read_item(in, "fields/u/0", u, sizeof u, err, sizeof err) == 0,
       "a format-1 checkpoint (no meta_checksum, no /index) is still read");
    sd_ckpt_close(in);
    p = path_in("f2.ckpt");
    write_ckpt(p, 3, 1);
    f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(f, "meta_checksum");
    H5Fclose(f);
    ok(!sd_ckpt_open(p, err, sizeof err) && strstr(err, "meta_checksum attribute or /index is missing"),
       "a format-2 checkpoint without meta_checksum is refused (%s)", err);

    p = path_in("i.ckpt");
    write_ckpt(p, 3, 1);
    f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(f, "complete");
    H5Fclose(f);
    ok(!sd_ckpt_open(p, err, sizeof err) && strstr(err, "incomplete checkpoint"), "a file without `complete` is refused (%s)", err);

    p = path_in("x.h5");
    f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    ok(!sd_ckpt_open(p, err, sizeof err) && strstr(err, "not a stardag checkpoint"), "an HDF5 file that is no checkpoint (%s)", err);
    ok(!sd_ckpt_open(path_in("absent.ckpt"), err, sizeof err) && strstr(err, "No such file"), "a missing file (%s)", err);
}

static void rotation(void)
{
    const char *p = path_in("r.ckpt");
    int good = 1;
    for (int64_t s = 1; s <= 5; s++) good &= write_ckpt(p, s, 3) == 0;
    ok(good, "five checkpoints with keep 3");
    ok(step_of(p) == 5 && step_of(path_in("r.ckpt.1")) == 4 && step_of(path_in("r.ckpt.2")) == 3 &&
           !exists(path_in("r.ckpt.3")) && !exists(path_in("r.ckpt.tmp")) && !exists(path_in("r.ckpt.link")),
       "exactly FILE (5), FILE.1 (4), FILE.2 (3) remain");
    p = path_in("k1.ckpt");
    write_ckpt(p, 1, 1);
    write_ckpt(p, 2, 1);
    ok(step_of(p) == 2 && !exists(path_in("k1.ckpt.1")), "keep 1: only FILE");

    /* a reader polls FILE while checkpoints are published: it must always find a complete one */
    p = path_in("live.ckpt");
    write_ckpt(p, 0, 2);
    pid_t child = fork();
    if (child == 0) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        for (time_t end = time(NULL) + 60; time(NULL) < end;) {
            int64_t s = step_of(p);
            if (s < 0) _exit(1);
            if (s >= 60) _exit(0);
        }
        _exit(2); /* never saw the last one */
    }
    for (int64_t s = 1; s <= 60; s++) write_ckpt(p, s, 2);
    int status = 0;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a reader polling FILE during 60 publications never found it "
       "missing or incomplete (child status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

    /* a commit that fails (its directory made read-only) leaves the earlier checkpoints as they were */
    if (geteuid() == 0) {
        printf("ok %d # SKIP root ignores directory permissions: a refused FILE.tmp needs another user\n", ++tap_n);
        return;
    }
    p = path_in("ro/f.ckpt");
    mkdir(path_in("ro"), 0755);
    write_ckpt(p, 1, 2);
    write_ckpt(p, 2, 2);
    chmod(path_in("ro"), 0555);
    char err[1024];
    sd_ckpt_out *w = sd_ckpt_create(p, err, sizeof err);
    ok(!w && strstr(err, "f.ckpt.tmp"), "no room to start one in a read-only directory: refused, naming FILE.tmp (%s)", err);
    chmod(path_in("ro"), 0755);
    ok(step_of(p) == 2 && step_of(path_in("ro/f.ckpt.1")) == 1, "... the checkpoints there untouched");
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", getenv("SD_TEST_TMP") ? getenv("SD_TEST_TMP") : "/tmp");
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/ckio.%d", (int)getpid());
    if (mkdir(dir, 0755) < 0) {
        printf("Bail out! cannot make %s: %s\n", dir, strerror(errno));
        return 99;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    round_trip();
    refusals();
    rotation();
    return tap_done();
}
