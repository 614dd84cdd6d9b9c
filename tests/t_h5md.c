/* t_h5md.c - H5MD trajectory writer (io/h5md.c): a trajectory of N = 1001 particles written in
 * shuffled id order (AoS and SoA input) and read back with the plain HDF5 C API: every value
 * bitwise, step/time, box, H5MD attributes, hard links, chunking and the deflate filter; reduced
 * units and options; a frame spanning two chunks; clean errors (bad path, bad steps/ids, a
 * size-limited "full disk"); and SIGKILLs between and during appends, which must leave a file
 * that plain H5Fopen (and h5dump -H) opens with complete frames only. SD_H5MD_STRESS=N adds N
 * kills at random moments (reported, not asserted: a kill inside the flush that ends an append is
 * the residual window documented in io/h5md.h). SD_H5MD_KEEP=FILE keeps the round-trip file (and
 * FILE.killed.h5) for bench/md/check_h5md.py. */
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

#include "h5md.h"
#include "tap.h"

static char tmpdir[512];

/* Deterministic, bit-varied values: component k of particle id at frame f (what = 0 position,
 * 1 velocity). */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
static double val(int what, int64_t f, int64_t id, int k)
{
    uint64_t h = mix(mix((uint64_t)f * 1000003u + (uint64_t)what * 7919u + (uint64_t)k) ^ (uint64_t)id);
    return ((double)(h >> 11) * 0x1p-53 - 0.5) * (what ? 4.0 : 30.0);
}
static double oval(int64_t f, int o) { return val(2 + o, f, 0, 0); }
static int64_t fstep(int64_t f) { return 100 * f + 7; }
static double ftime(int64_t f) { return 0.005 * (double)fstep(f); }

/* Frame f in storage order: row i holds particle ids[i] (a permutation varying with f). */
static void make_frame(int64_t N, int64_t f, int soa, int64_t *ids, double *pos, double *vel)
{
    for (int64_t i = 0; i < N; i++) ids[i] = i;
    for (int64_t i = N - 1; i > 0; i--) { /* Fisher-Yates with a fixed hash */
        int64_t j = (int64_t)(mix((uint64_t)f * 31 + (uint64_t)i) % (uint64_t)(i + 1));
        int64_t t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    for (int64_t i = 0; i < N; i++)
        for (int k = 0; k < 3; k++) {
            int64_t at = soa ? k * N + i : 3 * i + k;
            pos[at] = val(0, f, ids[i], k);
            if (vel) vel[at] = val(1, f, ids[i], k);
        }
}

/* ---- reading helpers (plain HDF5 C API) -------------------------------------------------- */

static int ds_dims(hid_t f, const char *path, hsize_t *dims, hsize_t *maxdims)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t s = H5Dget_space(d);
    int r = H5Sget_simple_extent_dims(s, dims, maxdims);
    H5Sclose(s);
    H5Dclose(d);
    return r;
}
static int ds_read(hid_t f, const char *path, hid_t mt, void *buf)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0) return -1;
    int rc = H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 ? -1 : 0;
    H5Dclose(d);
    return rc;
}
/* Length of the first dimension of a dataset, -1 if it cannot be read. */
static int64_t ds_len(hid_t f, const char *path)
{
    hsize_t d[3];
    return ds_dims(f, path, d, NULL) >= 1 ? (int64_t)d[0] : -1;
}
/* A string attribute (fixed or variable length; index i of a rank-1 one), 1 if it equals want. */
static int attr_str_is(hid_t f, const char *obj, const char *name, int i, const char *want, int want_vl)
{
    int good = 0;
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) { diag("no attribute %s@%s", name, obj); return 0; }
    hid_t t = H5Aget_type(a), s = H5Aget_space(a);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    int vl = H5Tis_variable_str(t) > 0;
    if (H5Tget_class(t) == H5T_STRING && i < n && vl == want_vl) {
        if (vl) {
            char **v = calloc((size_t)n, sizeof *v);
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            if (H5Aread(a, mt, v) >= 0) {
                good = v[i] && !strcmp(v[i], want);
                if (!good) diag("attr %s@%s = '%s', want '%s'", name, obj, v[i] ? v[i] : "(null)", want);
                H5Dvlen_reclaim(mt, s, H5P_DEFAULT, v);
            }
            H5Tclose(mt);
            free(v);
        } else {
            size_t sz = H5Tget_size(t);
            char *buf = calloc((size_t)n, sz + 1);
            if (H5Aread(a, t, buf) >= 0) {
                char one[512] = "";
                memcpy(one, buf + (size_t)i * sz, sz < sizeof one - 1 ? sz : sizeof one - 1);
                good = !strcmp(one, want);
                if (!good) diag("attr %s@%s[%d] = '%s', want '%s'", name, obj, i, one, want);
            }
            free(buf);
        }
    } else {
        diag("attr %s@%s: not a %s string (or index %d out of range)", name, obj, want_vl ? "VL" : "fixed", i);
    }
    H5Sclose(s);
    H5Tclose(t);
    H5Aclose(a);
    return good;
}
static int attr_ints(hid_t f, const char *obj, const char *name, int n, const int *want)
{
    int v[8] = {0}, good = 0;
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) { diag("no attribute %s@%s", name, obj); return 0; }
    hid_t s = H5Aget_space(a);
    hssize_t np = H5Sget_simple_extent_npoints(s);
    if (np == n && H5Aread(a, H5T_NATIVE_INT, v) >= 0) good = !memcmp(v, want, (size_t)n * sizeof *v);
    if (!good) diag("attr %s@%s: %lld values, first %d", name, obj, (long long)np, v[0]);
    H5Sclose(s);
    H5Aclose(a);
    return good;
}
static int exists(hid_t f, const char *path) { return H5Lexists(f, path, H5P_DEFAULT) > 0; }
static int same_object(hid_t f, const char *a, const char *b, unsigned *rc)
{
    H5O_info_t ia, ib;
    if (H5Oget_info_by_name2(f, a, &ia, H5O_INFO_BASIC, H5P_DEFAULT) < 0 ||
        H5Oget_info_by_name2(f, b, &ib, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
        return 0;
    if (rc) *rc = ia.rc;
    return ia.fileno == ib.fileno && ia.addr == ib.addr;
}
/* Chunk dims of a dataset and whether it has the deflate and shuffle filters. */
static int ds_layout(hid_t f, const char *path, hsize_t *chunk, int *deflate, int *shuffle)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t p = H5Dget_create_plist(d);
    int r = H5Pget_layout(p) == H5D_CHUNKED ? H5Pget_chunk(p, 3, chunk) : -1;
    *deflate = *shuffle = 0;
    int nf = H5Pget_nfilters(p);
    for (int i = 0; i < nf; i++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        char name[64];
        H5Z_filter_t id = H5Pget_filter2(p, (unsigned)i, &flags, &ncd, cd, sizeof name, name, NULL);
        if (id == H5Z_FILTER_DEFLATE) *deflate = (int)cd[0];
        if (id == H5Z_FILTER_SHUFFLE) *shuffle = 1;
    }
    H5Pclose(p);
    H5Dclose(d);
    return r;
}

/* Frames 0..nf-1 of position (and velocity) are exactly what make_frame produced, in id order;
 * step/time/edges hold the first nf rows as written. */
static int check_frames(hid_t f, int64_t N, int64_t nf, int with_vel, const double box[3], int quiet)
{
    int good = 1;
    double *buf = malloc((size_t)N * 3 * sizeof *buf);
    int64_t nrow = ds_len(f, "particles/trajectory/position/step");
    int64_t *st = malloc((size_t)(nrow > 0 ? nrow : 1) * sizeof *st);
    double *tm = malloc((size_t)(nrow > 0 ? nrow : 1) * sizeof *tm), *ed = malloc((size_t)(nrow > 0 ? nrow : 1) * 9 * sizeof *ed);
    if (nrow < nf || ds_read(f, "particles/trajectory/position/step", H5T_NATIVE_INT64, st) < 0 ||
        ds_read(f, "particles/trajectory/position/time", H5T_NATIVE_DOUBLE, tm) < 0 ||
        ds_read(f, "particles/trajectory/box/edges/value", H5T_NATIVE_DOUBLE, ed) < 0) {
        if (!quiet) diag("step/time/edges unreadable or short (%" PRId64 " rows, want >= %" PRId64 ")", nrow, nf);
        good = 0;
    }
    for (int64_t i = 0; good && i < nf; i++) {
        double t = ftime(i);
        const double diag3[9] = {box[0], 0, 0, 0, box[1], 0, 0, 0, box[2]}; /* edge vectors as rows */
        if (st[i] != fstep(i) || memcmp(&tm[i], &t, 8) || memcmp(&ed[9 * i], diag3, sizeof diag3)) {
            if (!quiet) diag("row %" PRId64 ": step %" PRId64 " time %.17g", i, st[i], tm[i]);
            good = 0;
        }
    }
    for (int what = 0; what < 1 + with_vel && good; what++) {
        const char *path = what ? "particles/trajectory/velocity/value" : "particles/trajectory/position/value";
        hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
        hid_t fs = d >= 0 ? H5Dget_space(d) : -1;
        hsize_t dims[3] = {0, 0, 0};
        if (fs < 0 || H5Sget_simple_extent_dims(fs, dims, NULL) != 3 || (int64_t)dims[0] < nf ||
            (int64_t)dims[1] != N || dims[2] != 3) {
            if (!quiet) diag("%s: dims %llu x %llu x %llu", path, (unsigned long long)dims[0],
                             (unsigned long long)dims[1], (unsigned long long)dims[2]);
            good = 0;
        }
        for (int64_t fr = 0; good && fr < nf; fr++) {
            hsize_t start[3] = {(hsize_t)fr, 0, 0}, count[3] = {1, (hsize_t)N, 3};
            hid_t ms = H5Screate_simple(3, count, NULL);
            if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
                H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) < 0) {
                if (!quiet) diag("%s: frame %" PRId64 " unreadable", path, fr);
                good = 0;
            }
            for (int64_t id = 0; good && id < N; id++)
                for (int k = 0; k < 3; k++) {
                    double want = val(what, fr, id, k);
                    if (memcmp(&want, &buf[3 * id + k], 8)) {
                        if (!quiet) diag("%s[%" PRId64 "][%" PRId64 "][%d] = %.17g, want %.17g", path, fr, id, k,
                                         buf[3 * id + k], want);
                        good = 0;
                        break;
                    }
                }
            H5Sclose(ms);
        }
        if (fs >= 0) H5Sclose(fs);
        if (d >= 0) H5Dclose(d);
    }
    free(buf);
    free(st);
    free(tm);
    free(ed);
    return good;
}

/* ---- round trip ------------------------------------------------------------------------- */

#define RN 1001
#define RF 5
static const char *onames[] = {"temp", "epair", "etotal", "press"};

static void test_roundtrip(void)
{
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/traj.h5", tmpdir);
    const double box[3] = {11.5, 12.25, 13.125};
    int32_t species[RN];
    for (int i = 0; i < RN; i++) species[i] = i % 3;
    sd_h5md_opts o = {.creator_version = "9.8.7", .author_email = "a@b.org", .species = species, .deflate = 4};
    sd_h5md *w = sd_h5md_create(path, "stardag-test", "Test Author", RN, box, "nm", "ps", &o, err, sizeof err);
    if (!ok(w != NULL, "create (N = %d, nm/ps, deflate 4)", RN)) { diag("%s", err); return; }
    int64_t *ids = malloc(RN * sizeof *ids);
    double *pos = malloc(RN * 3 * sizeof *pos), *vel = malloc(RN * 3 * sizeof *vel);
    int rc = 0;
    for (int64_t f = 0; f < RF; f++) {
        int soa = (int)(f & 1);
        make_frame(RN, f, soa, ids, pos, vel);
        for (int k = 0; k < 4; k++) rc |= sd_h5md_observable(w, onames[k], fstep(f), ftime(f), oval(f, k), err, sizeof err);
        /* frame 0: rows in id order already (ids = NULL) */
        if (f == 0) {
            for (int64_t i = 0; i < RN; i++)
                for (int k = 0; k < 3; k++) pos[3 * i + k] = val(0, 0, i, k), vel[3 * i + k] = val(1, 0, i, k);
            rc |= sd_h5md_append(w, fstep(f), ftime(f), pos, vel, SD_H5MD_AOS, NULL, err, sizeof err);
        } else {
            rc |= sd_h5md_append(w, fstep(f), ftime(f), pos, vel, soa ? SD_H5MD_SOA : SD_H5MD_AOS, ids, err, sizeof err);
        }
        if (rc) break;
    }
    if (!ok(rc == 0 && sd_h5md_frames(w) == RF, "%d frames appended (AoS and SoA input, shuffled ids)", RF)) diag("%s", err);
    ok(sd_h5md_close(w, err, sizeof err) == 0, "close: %s", err);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (!ok(f >= 0, "plain H5Fopen(RDONLY)")) return;
    static const int v11[2] = {1, 1}, v10[2] = {1, 0}, three = 3;
    ok(attr_ints(f, "h5md", "version", 2, v11) && attr_str_is(f, "h5md/author", "name", 0, "Test Author", 0) &&
           attr_str_is(f, "h5md/author", "email", 0, "a@b.org", 0) &&
           attr_str_is(f, "h5md/creator", "name", 0, "stardag-test", 0) &&
           attr_str_is(f, "h5md/creator", "version", 0, "9.8.7", 0),
       "h5md: version [1,1], author name/email, creator name/version (fixed-length strings)");
    ok(attr_ints(f, "h5md/modules/units", "version", 2, v10) && attr_str_is(f, "h5md/modules/units", "system", 0, "SI", 1),
       "h5md/modules/units: version [1,0], system \"SI\"");
    ok(attr_ints(f, "particles/trajectory/box", "dimension", 1, &three) &&
           attr_str_is(f, "particles/trajectory/box", "boundary", 0, "periodic", 0) &&
           attr_str_is(f, "particles/trajectory/box", "boundary", 2, "periodic", 0),
       "box: dimension 3, boundary periodic x 3");
    unsigned nlink = 0;
    int linked = same_object(f, "particles/trajectory/position/step", "particles/trajectory/velocity/step", &nlink) &&
                 same_object(f, "particles/trajectory/position/step", "particles/trajectory/box/edges/step", NULL) &&
                 same_object(f, "particles/trajectory/position/time", "particles/trajectory/velocity/time", NULL) &&
                 same_object(f, "particles/trajectory/position/time", "particles/trajectory/box/edges/time", NULL);
    ok(linked && nlink == 3, "step/time of velocity and box/edges are hard links to position's (%u links)", nlink);
    ok(attr_str_is(f, "particles/trajectory/position/value", "unit", 0, "nm", 1) &&
           attr_str_is(f, "particles/trajectory/position/time", "unit", 0, "ps", 1) &&
           attr_str_is(f, "particles/trajectory/velocity/value", "unit", 0, "nm ps-1", 1) &&
           attr_str_is(f, "particles/trajectory/box/edges/value", "unit", 0, "nm", 1) &&
           attr_str_is(f, "observables/temp/time", "unit", 0, "ps", 1) &&
           attr_str_is(f, "parameters", "unit_system", 0, "SI", 0),
       "units: nm, ps, nm ps-1 (VL strings)");
    hsize_t dims[3], maxd[3], ch[3];
    int defl = 0, shuf = 0;
    ok(ds_dims(f, "particles/trajectory/position/value", dims, maxd) == 3 && dims[0] == RF && dims[1] == RN &&
           dims[2] == 3 && maxd[0] == H5S_UNLIMITED && maxd[1] == RN,
       "position/value: f64[%d][%d][3], frames unlimited", RF, RN);
    int crank = ds_layout(f, "particles/trajectory/position/value", ch, &defl, &shuf);
    ok(crank == 3 && ch[0] == 1 && ch[1] == RN && ch[2] == 3 && defl == 4 && shuf,
       "position/value: chunks [1][%d][3], shuffle + deflate 4 (got [%llu][%llu][%llu], deflate %d)", RN,
       (unsigned long long)ch[0], (unsigned long long)ch[1], (unsigned long long)ch[2], defl);
    ok(ds_layout(f, "particles/trajectory/velocity/value", ch, &defl, &shuf) == 3 && ch[0] == 1 && defl == 4,
       "velocity/value: chunked per frame, deflate");
    {
        hid_t d = H5Dopen2(f, "particles/trajectory/position/value", H5P_DEFAULT);
        hid_t t = H5Dget_type(d);
        ok(H5Tequal(t, H5T_IEEE_F64LE) > 0, "position/value is IEEE f64 little-endian");
        H5Tclose(t);
        H5Dclose(d);
        d = H5Dopen2(f, "particles/trajectory/position/step", H5P_DEFAULT);
        t = H5Dget_type(d);
        ok(H5Tequal(t, H5T_STD_I64LE) > 0, "position/step is int64");
        H5Tclose(t);
        H5Dclose(d);
    }
    ok(check_frames(f, RN, RF, 1, box, 0), "all %d frames: positions and velocities in id order bitwise; step, time, box edges", RF);
    int32_t sp[RN];
    ok(ds_read(f, "particles/trajectory/species", H5T_NATIVE_INT32, sp) == 0 && !memcmp(sp, species, sizeof sp),
       "species: int32[%d] as given", RN);
    int good = 1;
    for (int k = 0; k < 4; k++) {
        char pa[100];
        int64_t st[RF];
        double tm[RF], va[RF];
        snprintf(pa, sizeof pa, "observables/%s/value", onames[k]);
        good &= ds_len(f, pa) == RF && ds_read(f, pa, H5T_NATIVE_DOUBLE, va) == 0;
        snprintf(pa, sizeof pa, "observables/%s/step", onames[k]);
        good &= ds_read(f, pa, H5T_NATIVE_INT64, st) == 0;
        snprintf(pa, sizeof pa, "observables/%s/time", onames[k]);
        good &= ds_read(f, pa, H5T_NATIVE_DOUBLE, tm) == 0;
        for (int64_t r = 0; good && r < RF; r++) {
            double wv = oval(r, k), wt = ftime(r);
            good &= st[r] == fstep(r) && !memcmp(&wv, &va[r], 8) && !memcmp(&wt, &tm[r], 8);
        }
    }
    ok(good, "observables temp/epair/etotal/press: %d rows of step, time, value bitwise", RF);
    H5Fclose(f);
    free(ids);
    free(pos);
    free(vel);
}

/* More particles than one chunk holds: a frame spans two chunks, the second one partial. */
static void test_two_chunks(void)
{
    enum { BN = 65536 + 1001 };
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/big.h5", tmpdir);
    const double box[3] = {40, 41, 42};
    sd_h5md *w = sd_h5md_create(path, "stardag", "me", BN, box, NULL, NULL, NULL, err, sizeof err);
    if (!ok(w != NULL, "N = %d: create", BN)) { diag("%s", err); return; }
    int64_t *ids = malloc(BN * sizeof *ids);
    double *pos = malloc(BN * 3 * sizeof *pos), *vel = malloc(BN * 3 * sizeof *vel);
    int rc = 0;
    for (int64_t f = 0; f < 2 && !rc; f++) {
        make_frame(BN, f, (int)f, ids, pos, vel);
        rc = sd_h5md_append(w, fstep(f), ftime(f), pos, vel, f ? SD_H5MD_SOA : SD_H5MD_AOS, ids, err, sizeof err);
    }
    ok(rc == 0 && sd_h5md_close(w, err, sizeof err) == 0, "N = %d: 2 frames, close: %s", BN, err);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hsize_t ch[3] = {0, 0, 0};
    int defl = 0, shuf = 0;
    int crank = f >= 0 ? ds_layout(f, "particles/trajectory/position/value", ch, &defl, &shuf) : -1;
    ok(crank == 3 && ch[0] == 1 && ch[1] == 65536 && ch[2] == 3 && defl == 1 && shuf,
       "N = %d: chunks [1][65536][3], shuffle + deflate 1 (the default)", BN);
    ok(f >= 0 && check_frames(f, BN, 2, 1, box, 0), "N = %d: both frames bitwise in id order", BN);
    if (f >= 0) H5Fclose(f);
    free(ids);
    free(pos);
    free(vel);
}

/* Reduced LJ units, no compression, no velocities; N = 1 edge case. */
static void test_reduced(void)
{
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/lj.h5", tmpdir);
    double box[3] = {5, 5, 5};
    sd_h5md_opts o = {.deflate = -1, .no_velocity = 1, .no_fsync = 1};
    sd_h5md *w = sd_h5md_create(path, "stardag", NULL, 1, box, NULL, "lj", &o, err, sizeof err);
    if (!ok(w != NULL, "reduced units: create")) { diag("%s", err); return; }
    double p[3] = {val(0, 0, 0, 0), val(0, 0, 0, 1), val(0, 0, 0, 2)}, v[3] = {0, 0, 0};
    int rc = sd_h5md_append(w, fstep(0), ftime(0), p, NULL, SD_H5MD_SOA, NULL, err, sizeof err);
    ok(rc == 0, "reduced units: append without velocities");
    ok(sd_h5md_append(w, fstep(1), ftime(1), p, v, SD_H5MD_AOS, NULL, err, sizeof err) == -1 && strstr(err, path) &&
           strstr(err, "without"),
       "velocities refused when created without: %s", err);
    double box2[3] = {6, 6, 6};
    for (int k = 0; k < 3; k++) p[k] = val(0, 1, 0, k);
    rc = sd_h5md_set_box(w, box2, err, sizeof err) |
         sd_h5md_append(w, fstep(1), ftime(1), p, NULL, SD_H5MD_AOS, NULL, err, sizeof err);
    ok(rc == 0 && sd_h5md_close(w, err, sizeof err) == 0, "reduced units: second frame with a new box, close");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (!ok(f >= 0, "reduced units: opens")) return;
    hsize_t ch[3];
    int defl = 1, shuf = 1;
    ok(!exists(f, "h5md/modules") && !H5Aexists_by_name(f, "particles/trajectory/position/value", "unit", H5P_DEFAULT) &&
           !H5Aexists_by_name(f, "particles/trajectory/position/time", "unit", H5P_DEFAULT) &&
           attr_str_is(f, "parameters", "unit_system", 0, "lj", 0) && attr_str_is(f, "h5md/author", "name", 0, "unknown", 0),
       "reduced units: no unit attributes, no units module, parameters/unit_system = lj");
    ok(!exists(f, "particles/trajectory/velocity") && ds_layout(f, "particles/trajectory/position/value", ch, &defl, &shuf) == 3 &&
           !defl && !shuf && ch[1] == 1,
       "no velocity element; deflate off; chunk [1][1][3]");
    double ed[18], pv[6];
    ok(ds_read(f, "particles/trajectory/box/edges/value", H5T_NATIVE_DOUBLE, ed) == 0 && ed[0] == 5 && ed[4] == 5 &&
           ed[8] == 5 && ed[1] == 0 && ed[9] == 6 && ed[13] == 6 && ed[17] == 6 &&
           ds_read(f, "particles/trajectory/position/value", H5T_NATIVE_DOUBLE, pv) == 0 && pv[0] == val(0, 0, 0, 0) &&
           pv[5] == val(0, 1, 0, 2),
       "box edges per frame (5 then 6), positions as written");
    H5Fclose(f);
}

static void test_errors(void)
{
    char path[600], err[512] = "";
    double box[3] = {4, 4, 4};
    snprintf(path, sizeof path, "%s/no/such/dir/t.h5", tmpdir);
    sd_h5md *w = sd_h5md_create(path, "stardag", "me", 11, box, "nm", "ps", NULL, err, sizeof err);
    ok(!w && strstr(err, path) && strstr(err, "No such file or directory") && !strchr(err, '\n'),
       "missing directory: %s", err);
    snprintf(path, sizeof path, "%s/e.h5", tmpdir);
    double bad[3] = {4, 0, 4};
    ok(!sd_h5md_create(path, "stardag", "me", 11, bad, NULL, NULL, NULL, err, sizeof err) && strstr(err, "box"),
       "zero box edge refused: %s", err);
    ok(!sd_h5md_create(path, "stardag", "me", 0, box, NULL, NULL, NULL, err, sizeof err) && strstr(err, "particle count"),
       "N = 0 refused: %s", err);
    ok(!sd_h5md_create(path, "stardag", "me", 11, box, "nm", NULL, NULL, err, sizeof err) && strstr(err, "mix"),
       "nm with reduced time refused: %s", err);
    w = sd_h5md_create(path, "stardag", "me", 11, box, NULL, NULL, NULL, err, sizeof err);
    if (!ok(w != NULL, "create N = 11")) { diag("%s", err); return; }
    double p[33] = {0}, v[33] = {0};
    int64_t ids[11];
    for (int i = 0; i < 11; i++) ids[i] = 10 - i;
    ok(sd_h5md_append(w, 10, 1.0, p, v, SD_H5MD_AOS, ids, err, sizeof err) == 0, "frame at step 10");
    ok(sd_h5md_append(w, 10, 1.0, p, v, SD_H5MD_AOS, ids, err, sizeof err) == -1 && strstr(err, "increase") &&
           strstr(err, path),
       "repeated step refused: %s", err);
    ids[3] = ids[4];
    ok(sd_h5md_append(w, 20, 2.0, p, v, SD_H5MD_AOS, ids, err, sizeof err) == -1 && strstr(err, "permutation"),
       "duplicate id refused: %s", err);
    ok(sd_h5md_append(w, 20, 2.0, p, NULL, SD_H5MD_AOS, NULL, err, sizeof err) == -1 && strstr(err, "velocities"),
       "missing velocities refused: %s", err);
    ok(sd_h5md_observable(w, "a/b", 20, 2.0, 1.0, err, sizeof err) == -1 && strstr(err, "invalid name"),
       "observable name with '/' refused: %s", err);
    ok(sd_h5md_append(w, 20, 2.0, p, v, SD_H5MD_SOA, NULL, err, sizeof err) == 0 && sd_h5md_frames(w) == 2,
       "writer still usable after refused calls");
    ok(sd_h5md_close(w, err, sizeof err) == 0, "close");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ok(f >= 0 && ds_len(f, "particles/trajectory/position/value") == 2 && ds_len(f, "particles/trajectory/position/step") == 2,
       "file has exactly the 2 accepted frames");
    if (f >= 0) H5Fclose(f);
}

/* ---- a size-limited "full disk" ---------------------------------------------------------- */

#define KN 20001 /* 480 KB per frame and quantity */

static int kframe(sd_h5md *w, int64_t fr, int64_t *ids, double *pos, double *vel, char *err, size_t el)
{
    make_frame(KN, fr, (int)(fr & 1), ids, pos, vel);
    if (sd_h5md_observable(w, "temp", fstep(fr), ftime(fr), oval(fr, 0), err, el)) return -1;
    return sd_h5md_append(w, fstep(fr), ftime(fr), pos, vel, (fr & 1) ? SD_H5MD_SOA : SD_H5MD_AOS, ids, err, el);
}
static const double kbox[3] = {30, 31, 32};

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
        char err[512] = "", err2[512] = "", msg[1200];
        int64_t *ids = malloc(KN * sizeof *ids);
        double *pos = malloc(KN * 3 * sizeof *pos), *vel = malloc(KN * 3 * sizeof *vel);
        sd_h5md *w = sd_h5md_create(path, "stardag", "me", KN, kbox, NULL, NULL, NULL, err, sizeof err);
        if (!w || kframe(w, 0, ids, pos, vel, err, sizeof err) || kframe(w, 1, ids, pos, vel, err, sizeof err)) {
            dprintf(pfd[1], "setup failed: %s\n", err);
            _exit(1);
        }
        struct stat st;
        stat(path, &st);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)st.st_size + (300 << 10), (rlim_t)st.st_size + (300 << 10)};
        setrlimit(RLIMIT_FSIZE, &rl);
        int arc = kframe(w, 2, ids, pos, vel, err, sizeof err);
        int crc = sd_h5md_close(w, err2, sizeof err2);
        snprintf(msg, sizeof msg, "%d|%s|%d|%s\n", arc, err, crc, err2);
        if (write(pfd[1], msg, strlen(msg)) < 0) _exit(3);
        _exit(0);
    }
    close(pfd[1]);
    char buf[1300] = "";
    size_t got = 0;
    ssize_t r;
    while ((r = read(pfd[0], buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)r;
    buf[got] = 0;
    close(pfd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    int arc = 1, crc = 1;
    char e1[600] = "", e2[600] = "";
    sscanf(buf, "%d|%599[^|]|%d|%599[^\n]", &arc, e1, &crc, e2);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "size limit: child ran");
    ok(arc == -1 && strstr(e1, path) && strstr(e1, "File too large") && strstr(e1, "step 207"),
       "size limit: append fails with a message: %s", e1);
    diag("close after the failure: rc %d %s", crc, crc ? e2 : "");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ok(f >= 0 && ds_len(f, "particles/trajectory/position/value") == 2 && check_frames(f, KN, 2, 1, kbox, 0),
       "size limit: file opens with frames 0, 1 intact");
    if (f >= 0) H5Fclose(f);
}

/* ---- SIGKILL during appends -------------------------------------------------------------- */

/* Child: appends frames forever. On the pipe: -(f + 1) when the append of frame f starts (its data
 * and observable are ready), f + 1 when it returned. */
static void kchild(const char *path, int wfd)
{
    char err[512];
    int64_t *ids = malloc(KN * sizeof *ids);
    double *pos = malloc(KN * 3 * sizeof *pos), *vel = malloc(KN * 3 * sizeof *vel);
    sd_h5md *w = sd_h5md_create(path, "stardag", "me", KN, kbox, "nm", "ps", NULL, err, sizeof err);
    if (!w) { dprintf(2, "child: %s\n", err); _exit(1); }
    for (int64_t fr = 0; fr < 400; fr++) {
        make_frame(KN, fr, (int)(fr & 1), ids, pos, vel);
        if (sd_h5md_observable(w, "temp", fstep(fr), ftime(fr), oval(fr, 0), err, sizeof err)) {
            dprintf(2, "child: %s\n", err);
            _exit(1);
        }
        int c = -(int)fr - 1;
        if (write(wfd, &c, sizeof c) != sizeof c) _exit(2);
        if (sd_h5md_append(w, fstep(fr), ftime(fr), pos, vel, (fr & 1) ? SD_H5MD_SOA : SD_H5MD_AOS, ids, err,
                           sizeof err)) {
            dprintf(2, "child: %s\n", err);
            _exit(1);
        }
        c = (int)fr + 1;
        if (write(wfd, &c, sizeof c) != sizeof c) _exit(2);
    }
    pause();
    _exit(0);
}

/* Kill the child `delay_us` after an event: it completed k frames (starting = 0), or it started
 * appending frame k, with k frames complete (starting = 1). Returns the number of frames whose
 * append returned (all reports, read after the kill), or -1. */
static int kill_run(const char *path, int k, int starting, long delay_us)
{
    int pfd[2];
    if (pipe(pfd)) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        kchild(path, pfd[1]);
    }
    close(pfd[1]);
    int c = 0, last = 0;
    while (read(pfd[0], &c, sizeof c) == sizeof c) {
        if (c > 0) last = c;
        if (starting ? c == -k - 1 : c == k) break;
    }
    if (delay_us) {
        struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    while (read(pfd[0], &c, sizeof c) == sizeof c)
        if (c > 0) last = c;
    close(pfd[0]);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? last : -1;
}

static int have_h5dump;

/* The killed file: opens, has nf = position frames with last <= nf <= last + 1, every other
 * per-frame dataset at least nf rows, and frames 0..nf-1 complete and bitwise. */
static int kverify(const char *path, int last, int64_t *nf_out, int quiet)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) { if (!quiet) diag("H5Fopen failed"); return 0; }
    int64_t nf = ds_len(f, "particles/trajectory/position/value");
    *nf_out = nf;
    int good = nf >= last && nf <= last + 1;
    if (!good && !quiet) diag("%" PRId64 " frames, %d reported", nf, last);
    good = good && ds_len(f, "particles/trajectory/velocity/value") >= nf && ds_len(f, "particles/trajectory/position/step") >= nf &&
           ds_len(f, "particles/trajectory/position/time") >= nf && ds_len(f, "particles/trajectory/box/edges/value") >= nf &&
           ds_len(f, "observables/temp/value") >= nf;
    good = good && check_frames(f, KN, nf, 1, kbox, quiet);
    H5Fclose(f);
    if (good && have_h5dump) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "h5dump -H '%s' >/dev/null 2>&1", path);
        good = system(cmd) == 0;
        if (!good && !quiet) diag("h5dump -H failed");
    }
    return good;
}

static void test_kill(void)
{
    /* Deterministic points, away from the flush at the end of an append (the residual window):
     * between appends, at the start of an append, and inside it (compressing 20001 particles
     * takes milliseconds). Random moments, the flush included: SD_H5MD_STRESS=N. */
    static const struct { int k, starting; long us; const char *what; } pts[] = {
        {1, 0, 0, "after frame 1 returned"},
        {2, 1, 0, "as the append of frame 3 starts"},
        {3, 1, 300, "300 us into the append of frame 4"},
        {4, 1, 1500, "1.5 ms into the append of frame 5"},
    };
    char path[600];
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        snprintf(path, sizeof path, "%s/kill%zu.h5", tmpdir, i);
        int last = kill_run(path, pts[i].k, pts[i].starting, pts[i].us);
        int64_t nf = -1;
        int good = last >= pts[i].k && kverify(path, last, &nf, 0);
        ok(good, "kill %zu (%s): file opens (H5Fopen%s), %" PRId64 " complete frames (%d returned), "
           "nothing partial", i, pts[i].what, have_h5dump ? ", h5dump -H" : "", nf, last);
        const char *keep = getenv("SD_H5MD_KEEP");
        if (keep && *keep && i + 1 == sizeof pts / sizeof pts[0]) { /* the last killed file, for check_h5md.py */
            char cmd[1400];
            snprintf(cmd, sizeof cmd, "cp '%s' '%s.killed.h5'", path, keep);
            if (system(cmd) != 0) diag("could not copy %s", path);
        }
        unlink(path);
    }
    const char *st = getenv("SD_H5MD_STRESS");
    int n = st ? atoi(st) : 0;
    if (n <= 0) return;
    int bad = 0;
    srand(4321);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/stress.h5", tmpdir);
        int last = kill_run(path, 1 + rand() % 3, 0, rand() % 20000);
        int64_t nf = -1;
        if (last < 0 || !kverify(path, last, &nf, 1)) {
            bad++;
            diag("stress %d: killed after %d reported frames: NOT consistent", i, last);
            kverify(path, last, &nf, 0);
        }
        unlink(path);
    }
    diag("stress: %d/%d random kills left an inconsistent file", bad, n);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *t = getenv("SD_TEST_TMP");
    if (t && *t) snprintf(tmpdir, sizeof tmpdir, "%s/h5md.XXXXXX", t);
    else snprintf(tmpdir, sizeof tmpdir, "/tmp/sd_h5md.XXXXXX");
    if (!mkdtemp(tmpdir)) { printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno)); return 99; }
    have_h5dump = system("command -v h5dump >/dev/null 2>&1") == 0;
    if (!have_h5dump) diag("h5dump not found: only H5Fopen is checked");

    test_roundtrip();
    test_two_chunks();
    test_reduced();
    test_errors();
    test_size_limit();
    test_kill();

    /* SD_H5MD_KEEP=FILE: copy the round-trip file to FILE (and the last killed one to FILE.killed.h5),
     * e.g. for bench/md/check_h5md.py */
    const char *keep = getenv("SD_H5MD_KEEP");
    if (keep && *keep) {
        char cmd[1400];
        snprintf(cmd, sizeof cmd, "cp '%s/traj.h5' '%s'", tmpdir, keep);
        if (system(cmd) != 0) diag("could not copy traj.h5 to %s", keep);
    }
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) diag("could not remove %s", tmpdir);
    return tap_done();
}
