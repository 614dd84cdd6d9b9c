/* t_mesh_file.c - triangle-mesh files (io/mesh_*.c): the generators, round trips through OFF, OBJ
 * and PLY, the fixtures of tests/data/mesh (make_fixtures.py) in every format and every refusal
 * class with its file and line, and the two repairs. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "mesh_file.h"
#include "tap.h"

static const double octa_x[18] = {1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1};
static const int64_t octa_tri[24] = {0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5};

static char data_dir[1024], tmp_dir[1024];

static const char *fixture(const char *name)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    return path;
}

static const char *tmp_file(const char *name)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static int same_mesh(const sd_mesh *a, const sd_mesh *b)
{
    return a->nv == b->nv && a->nf == b->nf && !memcmp(a->x, b->x, (size_t)a->nv * 3 * sizeof *a->x) &&
           !memcmp(a->tri, b->tri, (size_t)a->nf * 3 * sizeof *a->tri);
}

static double volume(const sd_mesh *m)
{
    double v = 0;
    for (int64_t f = 0; f < m->nf; f++) {
        const double *a = m->x + 3 * m->tri[3 * f], *b = m->x + 3 * m->tri[3 * f + 1], *c = m->x + 3 * m->tri[3 * f + 2];
        v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6;
    }
    return v;
}

static void test_icosphere(void)
{
    char err[512];
    sd_mesh m[6];
    const double R = 2.5;
    int all = 1;
    for (int l = 0; l < 6; l++) {
        if (sd_mesh_icosphere(l, R, &m[l], err, sizeof err) < 0) {
            ok(0, "icosphere level %d: %s", l, err);
            return;
        }
        int64_t nf = 20 * ((int64_t)1 << 2 * l), nv = nf / 2 + 2;
        double worst = 0;
        for (int64_t v = 0; v < m[l].nv; v++) {
            const double *p = m[l].x + 3 * v;
            worst = fmax(worst, fabs(sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) - R));
        }
        all &= ok(m[l].nv == nv && m[l].nf == nf, "icosphere level %d: %lld vertices, %lld faces", l, (long long)nv, (long long)nf);
        all &= ok(worst <= 1e-15 * R, "level %d: every vertex at the radius (worst |r| - R = %.3g)", l, worst);
        all &= ok(m[l].nv - 3 * m[l].nf / 2 + m[l].nf == 2, "level %d: Euler characteristic V - E + F = 2", l);
        sd_mesh_notes n = {7, 7};
        all &= ok(sd_mesh_check(&m[l], NULL, NULL, &n, err, sizeof err) == 0 && n.dropped_vertices == 0 && n.flipped == 0,
                  "level %d passes sd_mesh_check unrepaired (outward, closed, manifold)", l);
        if (l > 0)
            all &= ok(!memcmp(m[l].x, m[l - 1].x, (size_t)m[l - 1].nv * 3 * sizeof(double)),
                      "level %d starts with level %d's vertices (midpoints in order of creation)", l, l - 1);
    }
    is_close(volume(&m[5]), 4.0 / 3.0 * M_PI * R * R * R, 1e-3, "level 5 encloses 4/3 pi R^3 (outward: positive)");
    ok(volume(&m[0]) > 0, "level 0 (the icosahedron) is outward too");
    sd_mesh again;
    ok(sd_mesh_icosphere(5, R, &again, err, sizeof err) == 0 && same_mesh(&again, &m[5]), "the same level twice: the same mesh, bit for bit");
    sd_mesh_free(&again);
    for (int l = 0; l < 6; l++) sd_mesh_free(&m[l]);
    (void)all;
}

static void test_ellipsoid(void)
{
    char err[512];
    sd_mesh m, s;
    const double axes[3] = {1.0, 2.0, 0.5};
    ok(sd_mesh_ellipsoid(4, axes, &m, err, sizeof err) == 0 && sd_mesh_icosphere(4, 1.0, &s, err, sizeof err) == 0, "ellipsoid level 4");
    double worst = 0;
    int scaled = 1;
    for (int64_t v = 0; v < m.nv; v++) {
        double q = 0;
        for (int d = 0; d < 3; d++) {
            q += m.x[3 * v + d] / axes[d] * m.x[3 * v + d] / axes[d];
            scaled &= m.x[3 * v + d] == s.x[3 * v + d] * axes[d];
        }
        worst = fmax(worst, fabs(q - 1));
    }
    ok(scaled && m.nf == s.nf && !memcmp(m.tri, s.tri, (size_t)m.nf * 3 * sizeof *m.tri),
       "the unit icosphere scaled along x, y, z, same faces");
    ok(worst < 1e-14, "every vertex on (x/a)^2 + (y/b)^2 + (z/c)^2 = 1 (worst %.3g)", worst);
    is_close(volume(&m), 4.0 / 3.0 * M_PI * axes[0] * axes[1] * axes[2], 5e-3, "encloses about 4/3 pi abc");
    sd_mesh_notes n;
    ok(sd_mesh_check(&m, NULL, NULL, &n, err, sizeof err) == 0 && !n.flipped, "passes sd_mesh_check");
    sd_mesh_free(&m);
    sd_mesh_free(&s);

    ok(sd_mesh_icosphere(11, 1, &m, err, sizeof err) < 0 && strstr(err, "icosphere level 11: expected 0..10") && !m.x,
       "level 11 refused: %s", err);
    ok(sd_mesh_icosphere(-1, 1, &m, err, sizeof err) < 0 && strstr(err, "level -1"), "level -1 refused");
    ok(sd_mesh_icosphere(2, 0, &m, err, sizeof err) < 0 && strstr(err, "radius 0: expected a finite number > 0"), "radius 0 refused: %s", err);
    ok(sd_mesh_icosphere(2, NAN, &m, err, sizeof err) < 0 && strstr(err, "radius nan"), "radius NaN refused");
    const double bad[3] = {1, -2, 1};
    ok(sd_mesh_ellipsoid(2, bad, &m, err, sizeof err) < 0 && strstr(err, "ellipsoid axis y -2: expected a finite number > 0"),
       "a negative axis refused: %s", err);
}

/* Entries of the test directory named NAME.something (a temporary left behind), keep excepted. */
static int leftovers(const char *name, const char *keep)
{
    DIR *d = opendir(tmp_dir);
    if (!d) return -1;
    int n = 0;
    const size_t len = strlen(name);
    for (struct dirent *e; (e = readdir(d));)
        n += !strncmp(e->d_name, name, len) && e->d_name[len] == '.' && (!keep || strcmp(e->d_name, keep));
    closedir(d);
    return n;
}

static void test_round_trips(void)
{
    char err[512];
    sd_mesh m, back;
    sd_mesh_icosphere(3, 1.7, &m, err, sizeof err);
    const char *names[] = {"ico.off", "ico.obj", "ico.ply", "ICO.PLY", "Ico.Off"};
    for (int k = 0; k < 5; k++) {
        const char *path = tmp_file(names[k]);
        sd_mesh_notes n = {5, 5};
        int w = sd_mesh_write(path, &m, err, sizeof err);
        if (w < 0) diag("%s", err);
        int r = w == 0 ? sd_mesh_read(path, &back, &n, err, sizeof err) : -1;
        if (w == 0 && r < 0) diag("%s", err);
        ok(w == 0 && r == 0 && same_mesh(&m, &back) && !n.dropped_vertices && !n.flipped,
           "%s: written and read back bit for bit, nothing repaired", names[k]);
        ok(leftovers(names[k], NULL) == 0, "%s: no temporary %s.XXXXXX left behind", names[k], names[k]);
        if (r == 0) sd_mesh_free(&back);
    }
    /* replacing: the new mesh wholly replaces the old file */
    sd_mesh small;
    sd_mesh_icosphere(0, 3.0, &small, err, sizeof err);
    char path[1200];
    snprintf(path, sizeof path, "%s", tmp_file("ico.off"));
    ok(sd_mesh_write(path, &small, err, sizeof err) == 0 && sd_mesh_read(path, &back, NULL, err, sizeof err) == 0 &&
           same_mesh(&small, &back), "writing over an existing file replaces it");
    sd_mesh_free(&back);
    /* the temporary is unique: a user's PATH.tmp is neither clobbered nor removed */
    FILE *user = fopen(tmp_file("ico.off.tmp"), "w");
    ok(user && fputs("mine\n", user) >= 0 && fclose(user) == 0 && sd_mesh_write(path, &small, err, sizeof err) == 0,
       "writing beside a user's ico.off.tmp succeeds");
    char line[16] = "";
    user = fopen(tmp_file("ico.off.tmp"), "r");
    ok(user && fgets(line, sizeof line, user) && !strcmp(line, "mine\n") && leftovers("ico.off", "ico.off.tmp") == 0,
       "... which is left as it was, and no temporary remains");
    if (user) fclose(user);
    unlink(tmp_file("ico.off.tmp"));
    struct stat st;
    const mode_t u = umask(022);
    umask(u);
    ok(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~u), "the written file has mode 0666 less the umask (%o)",
       (unsigned)(st.st_mode & 0777));
    /* refusals leave nothing */
    ok(sd_mesh_write(tmp_file("ico.stl"), &m, err, sizeof err) < 0 && strstr(err, "unknown mesh extension '.stl': expected .off, .obj or .ply") &&
           access(tmp_file("ico.stl"), F_OK) != 0 && leftovers("ico.stl", NULL) == 0,
       "write: an unknown extension refused, nothing written: %s", err);
    ok(sd_mesh_write(tmp_file("no/such/dir/x.ply"), &m, err, sizeof err) < 0 && strstr(err, "x.ply: cannot create a temporary file beside it: No such file"),
       "write: a missing directory: %s", err);
    m.tri[5] = m.nv;
    ok(sd_mesh_write(path, &m, err, sizeof err) < 0 && strstr(err, "face 1 has vertex 642 out of range: expected 0..641; nothing written") &&
           sd_mesh_read(path, &back, NULL, err, sizeof err) == 0 && same_mesh(&small, &back),
       "write: a bad index refused, the existing file untouched");
    sd_mesh_free(&back);
    sd_mesh_free(&m);
    sd_mesh_free(&small);
}

static void test_good_fixtures(void)
{
    const sd_mesh octa = {6, 8, (double *)octa_x, (int64_t *)octa_tri};
    const char *good[] = {"good.off", "coff.off", "good.obj", "good_ascii.ply", "good_le.ply", "good_be.ply"};
    const char *what[] = {"OFF", "COFF (counts on the header line, colour columns)", "OBJ (v, v/vt, v//vn, v/vt/vn, negative indices)",
                          "ascii PLY (float, an extra property and element)", "binary little-endian PLY (float32, a normal)",
                          "binary big-endian PLY (float64, ushort/uint lists, an element after the faces)"};
    for (int k = 0; k < 6; k++) {
        char err[512];
        sd_mesh m;
        sd_mesh_notes n;
        int r = sd_mesh_read(fixture(good[k]), &m, &n, err, sizeof err);
        if (r < 0) diag("%s", err);
        ok(r == 0 && same_mesh(&m, &octa) && !n.dropped_vertices && !n.flipped, "%s: the octahedron from %s", good[k], what[k]);
        if (r == 0) sd_mesh_free(&m);
    }
}

typedef struct refusal {
    const char *file, *where, *what, *about;
} refusal;

static void test_refusals(void)
{
    static const refusal cases[] = {
        {"hole.off", "hole.off:13: ", "edge (0, 3) of face (3 0 4) belongs to no other face (3 open edges in all): the mesh has a hole, expected a closed surface", "a hole"},
        {"flipped.off", "flipped.off:15: ", "face (2 1 5) walks edge 2->1 in the same direction as the face on line 11 (3 such edges in all): inconsistent orientation", "a flipped triangle"},
        {"flipped.obj", "flipped.obj:12: ", "face (3 2 6) walks edge 3->2 in the same direction as the face on line 8", "a flipped triangle in OBJ (vertices named 1-based)"},
        {"nan.off", "nan.off:6: ", "found 'nan' for y: expected a finite number", "NaN coordinates"},
        {"zero_area.off", "zero_area.off:19: ", "face (0 6 4) is degenerate: zero area", "a zero-area triangle"},
        {"duplicate.off", "duplicate.off:18: ", "face (0 4 2) repeats the vertices of the face on line 10: duplicate faces", "a duplicate face"},
        {"fin.off", "fin.off:11: ", "edge (0, 4) of face (0 2 4) is shared by 3 faces: a non-manifold edge, expected exactly 2 faces per edge", "a non-manifold edge"},
        {"pinch.off", "pinch.off:24: ", "vertex 0 is non-manifold: face (7 0 9) and the face on line 15 meet there but lie in separate fans", "a non-manifold vertex"},
        {"range.off", "range.off:13: ", "face (3 0 6) has vertex 6 out of range: expected 0..5 (6 vertices)", "an out-of-range index"},
        {"quad.off", "quad.off:17: ", "found a face with 4 corners: expected 3 (a triangle mesh; triangulate polygons first)", "a quad in OFF"},
        {"quad.obj", "quad.obj:8: ", "found a face with 4 corners: expected 3", "a quad in OBJ"},
        {"short.off", "short.off:17: ", "end of file after 8 faces: expected 9 faces", "fewer faces than the header says"},
        {"truncated.ply", "truncated.ply: face 5: ", "the file ends inside this element: expected 8 face elements (a truncated file)", "a truncated binary PLY"},
        {"huge_le.ply", "huge_le.ply:10: ", "the header claims 4000000000 vertex elements (at least 24 bytes each) but the file holds 248 bytes after the header: a file shorter than its header says", "a binary PLY claiming 4e9 vertices (not allocated)"},
        {"huge_ascii.ply", "huge_ascii.ply:10: ", "the header claims 4000000000 vertex elements (at least 6 bytes of text each) but the file holds", "an ascii PLY claiming 4e9 vertices (not allocated)"},
        {"x.stl", "x.stl: ", "unknown mesh extension '.stl': expected .off, .obj or .ply", "an unknown extension"},
        {"missing.off", "missing.off: ", "cannot open: No such file or directory", "a missing file"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const refusal *c = &cases[k];
        char err[512], where[1300];
        sd_mesh m = {1, 1, NULL, NULL};
        snprintf(where, sizeof where, "%s", fixture(c->where));
        int r = sd_mesh_read(fixture(c->file), &m, NULL, err, sizeof err);
        ok(r < 0 && !strncmp(err, where, strlen(where)) && strstr(err, c->what) && !m.x && !m.tri && !m.nv,
           "%s refused: %s", c->about, r < 0 ? err + strlen(data_dir) + 1 : "(read)");
        if (r == 0) sd_mesh_free(&m);
    }
}

/* Small bad files written here: refusals the fixtures do not cover. */
static void test_more_refusals(void)
{
    static const char octa_ply_head[] = "ply\nformat ascii 1.0\nelement vertex 6\nproperty double x\nproperty double y\n"
                                        "property double z\nelement face 8\n";
    static const char octa_vertices[] = "1 0 0\n-1 0 0\n0 nan 0\n0 -1 0\n0 0 1\n0 0 -1\n";
    static const char obj_v[] = "v 1 0 0\nv -1 0 0\nv 0 1 0\nv 0 -1 0\nv 0 0 1\nv 0 0 -1\n";
    char ply_nan[512], ply_float_index[512], obj_zero[256], obj_neg[256];
    static const char octa_faces[] = "3 0 2 4\n3 2 1 4\n3 1 3 4\n3 3 0 4\n3 2 0 5\n3 1 2 5\n3 3 1 5\n3 0 3 5\n";
    snprintf(ply_nan, sizeof ply_nan, "%sproperty list uchar int vertex_indices\nend_header\n%s%s", octa_ply_head, octa_vertices,
             octa_faces);
    snprintf(ply_float_index, sizeof ply_float_index, "%sproperty list uchar float vertex_indices\nend_header\n", octa_ply_head);
    snprintf(obj_zero, sizeof obj_zero, "%sf 1 3 5\nf 0 3 5\n", obj_v);
    snprintf(obj_neg, sizeof obj_neg, "%sf 1 3 5\nf -7 3 5\n", obj_v);
    static const char off_extra[] = "OFF\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n3 1 2 3\n";
    const struct {
        const char *name, *text, *expect;
    } cases[] = {
        {"nan.ply", ply_nan, "nan.ply:12: found y = nan: expected a finite number"},
        {"fidx.ply", ply_float_index, "fidx.ply:9: the face element has no integer list vertex_indices"},
        {"zero.obj", obj_zero, "zero.obj:8: found vertex index 0: expected OBJ indices from 1"},
        {"neg.obj", obj_neg, "neg.obj:8: found vertex index -7: expected -1..-6 (relative to the 6 vertices so far)"},
        {"extra.off", off_extra, "extra.off:11: found '3' after the 4 vertices and 4 faces the header announced"},
        {"tiny.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "tiny.off: 3 vertices and 1 faces: expected a closed surface"},
        {"notply.ply", "PLY\n", "notply.ply:1: found 'PLY': expected 'ply'"},
        {"char.ply", "ply\nformat ascii 1.0\nelement vertex 6\nproperty char x\nproperty char y\nproperty char z\n"
                     "element face 8\nproperty list uchar int vertex_indices\nend_header\n1000 0 0\n-1 0 0\n0 1 0\n0 -1 0\n0 0 1\n0 0 -1\n"
                     "3 0 2 4\n3 2 1 4\n3 1 3 4\n3 3 0 4\n3 2 0 5\n3 1 2 5\n3 3 1 5\n3 0 3 5\n",
         "char.ply:10: found '1000': expected an integer from -128 to 127 (a char)"},
        {"dupx.ply", "ply\nformat ascii 1.0\nelement vertex 6\nproperty double x\nproperty double x\n",
         "dupx.ply:5: property 'x' of element vertex declared twice: expected one of each name"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char path[1200], err[512];
        snprintf(path, sizeof path, "%s", tmp_file(cases[k].name));
        FILE *f = fopen(path, "w");
        int written = f && fputs(cases[k].text, f) >= 0;
        if (f && fclose(f) != 0) written = 0;
        sd_mesh m;
        int r = written ? sd_mesh_read(path, &m, NULL, err, sizeof err) : 0;
        ok(written && r < 0 && strstr(err, cases[k].expect), "%s refused: %s", cases[k].name, r < 0 ? err + strlen(tmp_dir) + 1 : "(read)");
        if (r == 0 && written) sd_mesh_free(&m);
        unlink(path);
    }
    /* a NUL byte would end a text line early: what follows it was never checked */
    static const char off_nul[] = "OFF\n6 8 0\n1 0 0\n-1 0 0\n0 1 0\n0 -1 0\n0 0 1\n0 0 -1\n3 0 2 4\n3 2 1 4\n3 1 3 4\n"
                                  "3 3 0 4\n3 2 0 5\n3 1 2 5\n3 3 1 5\n3 0 3 5\0garbage\n";
    {
        char path[1200], err[512] = "";
        snprintf(path, sizeof path, "%s", tmp_file("nul.off"));
        FILE *f = fopen(path, "wb");
        int written = f && fwrite(off_nul, 1, sizeof off_nul - 1, f) == sizeof off_nul - 1;
        if (f && fclose(f) != 0) written = 0;
        sd_mesh m;
        int r = written ? sd_mesh_read(path, &m, NULL, err, sizeof err) : 0;
        ok(written && r < 0 && strstr(err, "nul.off:16: a NUL byte (expected a text file)"), "a NUL byte in an OFF file refused: %s", err);
        if (r == 0 && written) sd_mesh_free(&m);
        unlink(path);
    }
    /* a binary PLY longer than its header says */
    char path[1200], err[512];
    snprintf(path, sizeof path, "%s", tmp_file("long.ply"));
    sd_mesh m;
    sd_mesh_icosphere(0, 1, &m, err, sizeof err);
    FILE *f = NULL;
    int made = sd_mesh_write(path, &m, err, sizeof err) == 0 && (f = fopen(path, "ab")) && fputc(0, f) == 0 && fclose(f) == 0;
    sd_mesh_free(&m);
    ok(made && sd_mesh_read(path, &m, NULL, err, sizeof err) < 0 && strstr(err, "long.ply: found data after the last face element"),
       "a binary PLY with a byte too many refused: %s", err + strlen(tmp_dir) + 1);
    unlink(path);
}

static void test_check_direct(void)
{
    char err[512];
    /* no face lines: faces named by index, the mesh as "mesh" */
    int64_t tri[24];
    double x[18];
    memcpy(tri, octa_tri, sizeof tri);
    memcpy(x, octa_x, sizeof x);
    tri[3 * 6 + 1] = 5; /* face 6 reversed: (3 5 1) */
    tri[3 * 6 + 2] = 1;
    sd_mesh m = {6, 8, x, tri};
    ok(sd_mesh_check(&m, NULL, NULL, NULL, err, sizeof err) < 0 && !strncmp(err, "mesh: ", 6) &&
           strstr(err, "face 6 (3 5 1) walks edge 1->3 in the same direction as face 2 (3 such edges in all)"),
       "without face lines: faces by index, the mesh as 'mesh': %s", err);
    memcpy(tri, octa_tri, sizeof tri);
    x[4] = INFINITY;
    ok(sd_mesh_check(&m, NULL, "gen", NULL, err, sizeof err) < 0 && strstr(err, "gen: vertex 1 has y = inf: expected finite coordinates"),
       "a non-finite coordinate: %s", err);
    x[4] = 0;
    sd_mesh tiny = {3, 1, x, tri};
    ok(sd_mesh_check(&tiny, NULL, "t", NULL, err, sizeof err) < 0 && strstr(err, "3 vertices and 1 faces: expected a closed surface"),
       "a single triangle: %s", err);

    /* two octahedra, the second inward: each closed surface is oriented on its own */
    double x2[36];
    int64_t t2[48];
    for (int v = 0; v < 6; v++)
        for (int d = 0; d < 3; d++) {
            x2[3 * v + d] = octa_x[3 * v + d];
            x2[18 + 3 * v + d] = octa_x[3 * v + d] + (d == 0 ? 5.0 : 0.0);
        }
    for (int f = 0; f < 8; f++) {
        memcpy(t2 + 3 * f, octa_tri + 3 * f, 3 * sizeof *t2);
        t2[24 + 3 * f] = octa_tri[3 * f] + 6;
        t2[24 + 3 * f + 1] = octa_tri[3 * f + 2] + 6;
        t2[24 + 3 * f + 2] = octa_tri[3 * f + 1] + 6;
    }
    sd_mesh two = {12, 16, x2, t2};
    sd_mesh_notes n;
    int r = sd_mesh_check(&two, NULL, NULL, &n, err, sizeof err);
    int fixed = r == 0 && n.flipped == 8 && !memcmp(t2, octa_tri, sizeof octa_tri);
    for (int f = 0; f < 8 && fixed; f++)
        for (int e = 0; e < 3; e++) fixed &= t2[24 + 3 * f + e] == octa_tri[3 * f + e] + 6;
    ok(fixed, "two surfaces, the second inward: only the second reversed");

    /* a closed surface around no volume: a square covered twice (a flat, folded tetrahedron) */
    double xf[12] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0};
    int64_t tf[12] = {0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3};
    sd_mesh flat = {4, 4, xf, tf};
    ok(sd_mesh_check(&flat, NULL, "flat", NULL, err, sizeof err) < 0 &&
           strstr(err, "flat: the closed surface of face 0 (0 2 1) encloses no volume (V = 0, area 2): expected a surface around a solid"),
       "a closed surface around no volume is refused: %s", err);
}

static void test_repairs(void)
{
    const sd_mesh octa = {6, 8, (double *)octa_x, (int64_t *)octa_tri};
    char err[512];
    sd_mesh m;
    sd_mesh_notes n;
    int r = sd_mesh_read(fixture("unused.off"), &m, &n, err, sizeof err);
    ok(r == 0 && n.dropped_vertices == 1 && !n.flipped && same_mesh(&m, &octa),
       "an unreferenced vertex dropped, the faces renumbered: the octahedron");
    if (r == 0) sd_mesh_free(&m);
    r = sd_mesh_read(fixture("inward.off"), &m, &n, err, sizeof err);
    ok(r == 0 && n.flipped == 8 && !n.dropped_vertices && same_mesh(&m, &octa) && volume(&m) > 0,
       "an all-inward mesh: every face reversed, the octahedron, positive volume");
    if (r == 0) sd_mesh_free(&m);
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    const char *tmp = getenv("SD_TEST_TMP");
    if (!tmp || !*tmp) tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    if (!top) {
        printf("Bail out! top_srcdir is not set (run through make check)\n");
        return 1;
    }
    snprintf(data_dir, sizeof data_dir, "%s/tests/data/mesh", top);
    snprintf(tmp_dir, sizeof tmp_dir, "%s/t_mesh_file.XXXXXX", tmp);
    if (!mkdtemp(tmp_dir)) {
        printf("Bail out! mkdtemp %s: %s\n", tmp_dir, strerror(errno));
        return 1;
    }
    test_icosphere();
    test_ellipsoid();
    test_round_trips();
    test_good_fixtures();
    test_refusals();
    test_more_refusals();
    test_check_direct();
    test_repairs();
    const char *names[] = {"ico.off", "ico.obj", "ico.ply", "ICO.PLY", "Ico.Off"};
    for (int k = 0; k < 5; k++) unlink(tmp_file(names[k]));
    rmdir(tmp_dir);
    return tap_done();
}
