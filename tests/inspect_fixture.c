/* inspect_fixture.c - files for tests/t_inspect.sh: `inspect_fixture DIR` writes DIR/ck.h5 (a
 * checkpoint through io/ckpt.h: two state items and a host item), DIR/ckbad.h5 (a copy with one
 * byte of /state/fields/u/0's data flipped, its checksum attribute left as it was) and
 * DIR/inc.h5 (a copy without the root attribute `complete`), DIR/plain.h5 (an HDF5 file that is
 * not stardag's) and DIR/killed.h5 (a run file committed once and never closed); copies whose root
 * the meta_checksum no longer covers: DIR/ckstep.h5 (attribute step + 1), DIR/cktext.h5 (one
 * character of /graph_text changed), DIR/ckver.h5 (stardag_version changed); DIR/ckmiss.h5 (an
 * indexed item deleted), DIR/ckextra.h5 (an item that is not in /index, with a valid checksum).
 * `inspect_fixture --step FILE` adds 1 to FILE's root attribute step in place; `inspect_fixture --drop
 * FILE NAME` removes its root attribute or link NAME. Exit 0, or 1. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include <unistd.h>
#include "ckpt.h"
#include "h5out.h"

static int fail(const char *what, const char *err)
{
    fprintf(stderr, "inspect_fixture: %s: %s\n", what, err);
    return 1;
}

/* DIR/NAME, a copy of src, opened read-write (or -1). */
static hid_t copy_open(const char *dir, const char *name, const char *src, char *path, size_t len)
{
    char cmd[4096];
    snprintf(path, len, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, path);
    return system(cmd) == 0 ? H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT) : -1;
}

static int step_plus_one(hid_t f)
{
    int64_t s;
    hid_t a = H5Aopen(f, "step", H5P_DEFAULT);
    int rc = a >= 0 && H5Aread(a, H5T_NATIVE_INT64, &s) >= 0 && (s++, H5Awrite(a, H5T_NATIVE_INT64, &s) >= 0) ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    return rc;
}

/* The fixed-length string dataset or attribute `name` of f rewritten with byte i xor'ed. */
static int flip_string(hid_t f, const char *name, int is_attr, size_t i)
{
    hid_t o = is_attr ? H5Aopen(f, name, H5P_DEFAULT) : H5Dopen2(f, name, H5P_DEFAULT);
    hid_t t = o >= 0 ? (is_attr ? H5Aget_type(o) : H5Dget_type(o)) : -1;
    size_t n = t >= 0 ? H5Tget_size(t) : 0;
    char *b = n > i ? calloc(n, 1) : NULL;
    int rc = -1;
    if (b && (is_attr ? H5Aread(o, t, b) : H5Dread(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, b)) >= 0) {
        b[i] ^= 0x01;
        rc = (is_attr ? H5Awrite(o, t, b) : H5Dwrite(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, b)) >= 0 ? 0 : -1;
    }
    free(b);
    if (t >= 0) H5Tclose(t);
    if (o >= 0) is_attr ? H5Aclose(o) : H5Dclose(o);
    return rc;
}

static int damaged_copies(const char *dir, const char *ck)
{
    char p[1024];
    hid_t f = copy_open(dir, "ckstep.h5", ck, p, sizeof p);
    if (f < 0 || step_plus_one(f) < 0 || H5Fclose(f) < 0) return fail(p, "cannot change step");
    f = copy_open(dir, "cktext.h5", ck, p, sizeof p);
    if (f < 0 || flip_string(f, "graph_text", 0, 3) < 0 || H5Fclose(f) < 0) return fail(p, "cannot change /graph_text");
    f = copy_open(dir, "ckver.h5", ck, p, sizeof p);
    if (f < 0 || flip_string(f, "stardag_version", 1, 0) < 0 || H5Fclose(f) < 0) return fail(p, "cannot change the version");
    f = copy_open(dir, "ckmiss.h5", ck, p, sizeof p);
    if (f < 0 || H5Ldelete(f, "/state/particles/ids", H5P_DEFAULT) < 0 || H5Fclose(f) < 0) return fail(p, "cannot delete");
    f = copy_open(dir, "ckextra.h5", ck, p, sizeof p);
    if (f < 0 || H5Ocopy(f, "/state/fields/u/0", f, "/state/fields/u/1", H5P_DEFAULT, H5P_DEFAULT) < 0 || H5Fclose(f) < 0)
        return fail(p, "cannot add an item");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--step")) {
        hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
        return f >= 0 && step_plus_one(f) == 0 && H5Fclose(f) >= 0 ? 0 : fail(argv[2], "cannot change step");
    }
    if (argc == 4 && !strcmp(argv[1], "--drop")) { /* a root attribute or a group of a run file */
        hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
        herr_t rc = f < 0 ? -1 : H5Aexists(f, argv[3]) > 0 ? H5Adelete(f, argv[3]) : H5Ldelete(f, argv[3], H5P_DEFAULT);
        return rc >= 0 && H5Fclose(f) >= 0 ? 0 : fail(argv[2], "cannot drop it");
    }
    if (argc != 2) return fail("usage", "inspect_fixture DIR | inspect_fixture --step FILE | inspect_fixture --drop FILE NAME");
    char ck[1024], bad[1024], plain[1024], err[1024];
    snprintf(ck, sizeof ck, "%s/ck.h5", argv[1]);
    snprintf(bad, sizeof bad, "%s/ckbad.h5", argv[1]);
    snprintf(plain, sizeof plain, "%s/plain.h5", argv[1]);
    double u[12];
    int64_t ids[5] = {4, 3, 2, 1, 0}, du[2] = {3, 4}, di[1] = {5}, one = 7;
    for (int i = 0; i < 12; i++) u[i] = 0.5 * i;
    sd_ckpt_out *w = sd_ckpt_create(ck, err, sizeof err);
    if (!w) return fail("create", err);
    if (sd_ckpt_write(w, "fields/u/0", SD_CK_F64, 2, du, u, sizeof u, err, sizeof err) < 0 ||
        sd_ckpt_write(w, "particles/ids", SD_CK_I64, 1, di, ids, sizeof ids, err, sizeof err) < 0 ||
        sd_ckpt_write(w, "/host/until_step", SD_CK_I64, 0, NULL, &one, sizeof one, err, sizeof err) < 0)
        return fail("write", err);
    sd_ckpt_meta m = {SD_CKPT_FORMAT, 40, 0.4, 0x1234, 0x5678, "test"};
    if (sd_ckpt_commit(w, &m, "graph: text\nof two lines\n", 2, err, sizeof err) < 0) return fail("commit", err);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", ck, bad);
    if (system(cmd) != 0) return fail("cp", bad);
    /* flip a byte of the item's raw data (contiguous: at its offset in the file) */
    hid_t f = H5Fopen(bad, H5F_ACC_RDONLY, H5P_DEFAULT), d = f >= 0 ? H5Dopen2(f, "/state/fields/u/0", H5P_DEFAULT) : -1;
    haddr_t off = d >= 0 ? H5Dget_offset(d) : HADDR_UNDEF;
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    if (off == HADDR_UNDEF) return fail(bad, "no contiguous /state/fields/u/0");
    FILE *fp = fopen(bad, "r+b");
    int c;
    if (!fp || fseek(fp, (long)off + 9, SEEK_SET) || (c = fgetc(fp)) == EOF || fseek(fp, (long)off + 9, SEEK_SET) ||
        fputc(c ^ 0x40, fp) == EOF || fclose(fp))
        return fail(bad, "cannot flip a byte");
    hid_t p = H5Fcreate(plain, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (p < 0 || H5Fclose(p) < 0) return fail(plain, "cannot create");
    char inc[1024];
    snprintf(inc, sizeof inc, "%s/inc.h5", argv[1]);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", ck, inc);
    if (system(cmd) != 0) return fail("cp", inc);
    hid_t fi = H5Fopen(inc, H5F_ACC_RDWR, H5P_DEFAULT);
    if (fi < 0 || H5Adelete(fi, "complete") < 0 || H5Fclose(fi) < 0) return fail(inc, "cannot remove `complete`");
    if (damaged_copies(argv[1], ck)) return 1;
    char killed[1024];
    snprintf(killed, sizeof killed, "%s/killed.h5", argv[1]);
    int64_t shape[3] = {4, 3, 1};
    double sp[3] = {1, 1, 1};
    const char *fn[] = {"u"}, *sn[] = {"e"};
    int dt[] = {SD_F64}, nc[] = {1};
    sd_h5meta meta = {.graph_path = "k.yaml", .graph_text = "k\n"};
    sd_h5out *o = sd_h5out_create(killed, &meta, 2, shape, sp, 1, fn, dt, nc, 1, sn, err, sizeof err);
    double e = 1;
    if (!o || sd_h5out_write_field(o, 0, 0, 0.0, u, err, sizeof err) < 0 || sd_h5out_append_scalars(o, 0, 0.0, &e, err, sizeof err) < 0 ||
        sd_h5out_write_field(o, 0, 5, 0.5, u, err, sizeof err) < 0 || sd_h5out_commit(o, err, sizeof err) < 0)
        return fail(killed, err);
    fflush(stdout);
    _exit(0); /* never closed: status stays "running", as a killed run leaves it */
}
