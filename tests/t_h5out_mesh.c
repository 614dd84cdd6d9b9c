/* t_h5out_mesh.c - the run file of a mesh domain (sd_h5out_set_mesh): an octahedron with vertex
 * and face fields of 1, 2 and 3 components, f32 and f64, whose vertices move (a positions field),
 * written at steps 0, 5 and 7 (step 7 without positions). Checks, reading back with HDF5: /mesh
 * (counts, triangles, initial positions, attributes), each field's dataset shape ([n] or [c][n],
 * n = vertices or faces by its location) and values bit for bit, the fields' location attributes;
 * the XDMF sidecar's text at each commit (Triangle topology, geometry from the initial positions
 * until a positions step is committed, then from the latest one at or before the step; Node/Cell
 * centres, Vector/Scalar types); refused arguments (with the file named, nothing written); a
 * child killed right after set_mesh leaves a file with its mesh; a 150,001-vertex mesh (several
 * chunks) reads back bit for bit; a file size limit makes set_mesh fail cleanly (the file stays at
 * its last commit, the writer closes it). With ParaView's pvbatch: its XDMF
 * Reader gives, at every time, the points (the moving positions), the triangles and every field's
 * values exactly as written (skipped, saying why, without pvbatch). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
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

/* OK_ERR(expr) for a call that fills err: the message as a diagnostic when it fails (err cleared first). */
#define OK_ERR(expr, ...)                 \
    do {                                  \
        err[0] = 0;                       \
        int good_ = (expr);               \
        if (!ok(good_, __VA_ARGS__)) diag("%s", err); \
    } while (0)

static char tmpdir[512];

/* The octahedron: vertices +x -x +y -y +z -z, faces counter-clockwise seen from outside. */
enum { NV = 6, NF = 8 };
static const double X0[NV][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
static const int64_t TRI[NF][3] = {{0, 2, 4}, {2, 1, 4}, {1, 3, 4}, {3, 0, 4},
                                   {2, 0, 5}, {1, 2, 5}, {3, 1, 5}, {0, 3, 5}};
/* Fields: positions (vertices, 3), a curvature (vertices, 1), face areas (f32), face normals (f32,
 * 3), a 2-component vertex field (one scalar attribute per component). */
enum { F_X, F_H, F_AREA, F_NORMAL, F_TILT, NFIELD };
static const char *FNAME[NFIELD] = {"x", "H", "area", "normal", "tilt2"};
static const int FDT[NFIELD] = {SD_F64, SD_F64, SD_F32, SD_F32, SD_F64};
static const int FNC[NFIELD] = {3, 1, 1, 3, 2};
static const int FLOC[NFIELD] = {SD_MESH_VERTICES, SD_MESH_VERTICES, SD_MESH_FACES, SD_MESH_FACES, SD_MESH_VERTICES};
#define DT 0.1

static int64_t nelem(int f) { return FLOC[f] == SD_MESH_FACES ? NF : NV; }

/* Distinct, bit-varied values: element i, component c of field f at step s. */
static double val(int64_t s, int f, int c, int64_t i)
{
    uint64_t x = (uint64_t)s * 1000003u + (uint64_t)f * 7919u + (uint64_t)c * 104729u + (uint64_t)i + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return ((double)(x >> 11) * 0x1p-53 - 0.5) * 4.0;
}
/* What field f holds at step s, component c of element i, as stored (f32 rounded). The positions
 * move: scaled, shifted and perturbed, so every coordinate of every step differs. */
static double want(int64_t s, int f, int c, int64_t i)
{
    double v = f == F_X ? X0[i][c] * (1.0 + 0.1 * (double)s) + 0.25 * (double)c * (double)s + 0.01 * val(s, f, c, i)
                        : val(s, f, c, i);
    return FDT[f] == SD_F32 ? (double)(float)v : v;
}
/* The field's data as the mesh class hands it over: components outermost, [c][element]. */
static void *field_data(int64_t s, int f)
{
    int64_t n = nelem(f) * FNC[f];
    void *p = malloc((size_t)n * 8);
    for (int c = 0; c < FNC[f]; c++)
        for (int64_t i = 0; i < nelem(f); i++) {
            if (FDT[f] == SD_F32) ((float *)p)[c * nelem(f) + i] = (float)want(s, f, c, i);
            else ((double *)p)[c * nelem(f) + i] = want(s, f, c, i);
        }
    return p;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *b = NULL;
    size_t n = 0, cap = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF) {
        if (n + 2 > cap) { cap = cap ? 2 * cap : 4096; b = realloc(b, cap); }
        b[n++] = (char)ch;
    }
    fclose(f);
    if (!b) b = calloc(1, 1);
    else b[n] = 0;
    return b;
}
static int count(const char *s, const char *sub)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, sub)); p += strlen(sub)) n++;
    return n;
}
/* The text of step s's Grid in the sidecar (malloc'd), or NULL. */
static char *step_grid(const char *xmf, int64_t s)
{
    char name[64];
    snprintf(name, sizeof name, "<Grid Name=\"step_%08" PRId64 "\"", s);
    const char *a = xmf ? strstr(xmf, name) : NULL;
    const char *b = a ? strstr(a, "</Grid>") : NULL;
    return b ? strndup(a, (size_t)(b - a)) : NULL;
}

static sd_h5out *create(const char *path, char *err, size_t el)
{
    int64_t shape[3] = {NV, 1, 1};
    double sp[3] = {1, 1, 1};
    const char *sn[] = {"energy"};
    return sd_h5out_create(path, NULL, 1, shape, sp, NFIELD, FNAME, FDT, FNC, 1, sn, err, el);
}
static const sd_h5mesh MESH = {NV, NF, &TRI[0][0], &X0[0][0], F_X, FLOC};

/* Fields of step s, then (scalars) the step's scalar row, then a commit. */
static int write_step(sd_h5out *o, int64_t s, const int *fields, int n, int scalars, char *err, size_t el)
{
    for (int k = 0; k < n; k++) {
        void *d = field_data(s, fields[k]);
        int rc = sd_h5out_write_field(o, fields[k], s, (double)s * DT, d, err, el);
        free(d);
        if (rc < 0) return -1;
    }
    double e = val(s, 99, 0, 0);
    if (scalars && sd_h5out_append_scalars(o, s, (double)s * DT, &e, err, el) < 0) return -1;
    return sd_h5out_commit(o, err, el);
}

/* ---- HDF5 read-back ------------------------------------------------------------------------ */

static int dims_of(hid_t f, const char *path, hsize_t *d, hid_t *type)
{
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t sp = H5Dget_space(ds);
    int r = H5Sget_simple_extent_dims(sp, d, NULL);
    if (type) *type = H5Dget_type(ds);
    H5Sclose(sp);
    H5Dclose(ds);
    return r;
}
static int str_attr_is(hid_t obj, const char *name, const char *want_s)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return 0;
    hid_t t = H5Aget_type(a);
    size_t n = H5Tget_size(t);
    char *b = calloc(1, n + 1);
    int good = H5Aread(a, t, b) >= 0 && !strcmp(b, want_s);
    if (!good) diag("attribute %s: '%s', want '%s'", name, b, want_s);
    free(b);
    H5Tclose(t);
    H5Aclose(a);
    return good;
}
static int64_t i64_attr(hid_t obj, const char *name)
{
    int64_t v = INT64_MIN;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a >= 0) {
        if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0) v = INT64_MIN;
        H5Aclose(a);
    }
    return v;
}

static void check_file(const char *path)
{
    char err[512] = "";
    int64_t nv = 0, nf = 0, *tri = NULL;
    double *x0 = NULL;
    OK_ERR(sd_h5_read_mesh(path, &nv, &nf, &tri, &x0, err, sizeof err) == 0 && nv == NV && nf == NF &&
           !memcmp(tri, TRI, sizeof TRI) && !memcmp(x0, X0, sizeof X0), "sd_h5_read_mesh: 6 vertices, 8 triangles and the initial positions, bit for bit");
    if (tri && x0) { /* the fixture's orientation: outward, so the enclosed volume is positive */
        double vol = 0;
        for (int f = 0; f < NF; f++) {
            const double *a = x0 + 3 * tri[3 * f], *b = x0 + 3 * tri[3 * f + 1], *c = x0 + 3 * tri[3 * f + 2];
            vol += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                    a[2] * (b[0] * c[1] - b[1] * c[0])) / 6.0;
        }
        is_close(vol, 4.0 / 3.0, 1e-15, "triangles read back enclose the octahedron's volume 4/3 (outward orientation)");
    }
    free(tri);
    free(x0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (!ok(f >= 0, "plain H5Fopen of %s", path)) return;
    hid_t g = H5Gopen2(f, "mesh", H5P_DEFAULT);
    hsize_t d[4] = {0};
    hid_t t = -1;
    ok(g >= 0 && i64_attr(g, "nv") == NV && i64_attr(g, "nf") == NF, "/mesh attrs nv = 6, nf = 8");
    ok(dims_of(f, "/mesh/triangles", d, &t) == 2 && d[0] == NF && d[1] == 3 && H5Tequal(t, H5T_STD_I64LE) > 0,
       "/mesh/triangles: int64 [8][3]");
    if (t >= 0) H5Tclose(t), t = -1;
    ok(dims_of(f, "/mesh/positions", d, &t) == 2 && d[0] == NV && d[1] == 3 && H5Tequal(t, H5T_IEEE_F64LE) > 0,
       "/mesh/positions: f64 [6][3]");
    if (t >= 0) H5Tclose(t), t = -1;
    ok(g >= 0 && str_attr_is(g, "position_field", "x") && str_attr_is(g, "orientation",
       "counter-clockwise seen from outside: outward normal (b-a)x(c-a)"), "/mesh attrs position_field = x, orientation");
    if (g >= 0) H5Gclose(g);
    hid_t gg = H5Gopen2(f, "grid", H5P_DEFAULT);
    ok(gg >= 0 && H5Aexists(gg, "ndim") > 0, "/grid is still written (the layout create was given)");
    if (gg >= 0) H5Gclose(gg);
    for (int fi = 0; fi < NFIELD; fi++) {
        char gp[64];
        snprintf(gp, sizeof gp, "/fields/%s", FNAME[fi]);
        hid_t fg = H5Gopen2(f, gp, H5P_DEFAULT);
        const char *loc = FLOC[fi] == SD_MESH_FACES ? "faces" : "vertices";
        ok(fg >= 0 && str_attr_is(fg, "location", loc), "%s: attr location = %s", gp, loc);
        if (fg >= 0) H5Gclose(fg);
        int64_t steps[] = {0, 5, 7};
        for (int k = 0; k < 3; k++) {
            int64_t s = steps[k];
            if (s == 7 && fi != F_H && fi != F_AREA) continue;
            char dp[96];
            snprintf(dp, sizeof dp, "%s/%08" PRId64, gp, s);
            int r = dims_of(f, dp, d, &t), nc = FNC[fi];
            int shape_ok = nc == 1 ? r == 1 && d[0] == (hsize_t)nelem(fi)
                                   : r == 2 && d[0] == (hsize_t)nc && d[1] == (hsize_t)nelem(fi);
            int type_ok = t >= 0 && H5Tequal(t, FDT[fi] == SD_F32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE) > 0;
            if (t >= 0) H5Tclose(t), t = -1;
            double *v = NULL;
            int64_t n = 0;
            int vals = sd_h5_read_field(path, FNAME[fi], s, &v, &n, err, sizeof err) == 0 && n == nc * nelem(fi);
            for (int c = 0; vals && c < nc; c++)
                for (int64_t i = 0; i < nelem(fi); i++) {
                    double w = want(s, fi, c, i);
                    if (memcmp(&w, &v[c * nelem(fi) + i], sizeof w)) {
                        diag("%s[%d][%" PRId64 "] = %.17g, want %.17g", dp, c, i, v[c * nelem(fi) + i], w);
                        vals = 0;
                    }
                }
            free(v);
            ok(shape_ok && type_ok && vals, "%s: %s, %s[%" PRId64 "] (%s), values bit for bit", dp,
               FDT[fi] == SD_F32 ? "f32" : "f64", nc > 1 ? (nc == 2 ? "[2]" : "[3]") : "", nelem(fi), loc);
        }
    }
    H5Fclose(f);
}

/* ---- the sidecar's text --------------------------------------------------------------------- */

static void check_geometry(const char *xmf, int64_t s, const char *src, const char *what)
{
    char *gs = step_grid(xmf, s);
    int good = gs && strstr(gs, "<Geometry GeometryType=\"XYZ\">");
    char cm[96];
    if (good && !strcmp(src, "initial")) {
        snprintf(cm, sizeof cm, "Format=\"HDF\"><!-- step %08" PRId64 ": initial positions -->m.h5:/mesh/positions</DataItem>", s);
        good = strstr(gs, "<DataItem Dimensions=\"6 3\" NumberType=\"Float\" Precision=\"8\" ") && strstr(gs, cm) &&
               !strstr(gs, "JOIN");
    } else if (good) {
        char ref[96];
        snprintf(ref, sizeof ref, "Format=\"HDF\">m.h5:/fields/x/%s</DataItem>", src);
        snprintf(cm, sizeof cm, "<!-- step %08" PRId64 ": positions of step %s -->", s, src);
        const char *geo = strstr(gs, "<Geometry"), *end = strstr(gs, "</Geometry>");
        char *g = geo && end ? strndup(geo, (size_t)(end - geo)) : NULL;
        good = g && strstr(g, "<DataItem ItemType=\"Function\" Function=\"JOIN($0, $1, $2)\" Dimensions=\"6 3\">") &&
               strstr(g, cm) && count(g, ref) == 3 && strstr(g, ">0 0 1 1 1 6<") && strstr(g, ">1 0 1 1 1 6<") &&
               strstr(g, ">2 0 1 1 1 6<") && !strstr(g, "/mesh/positions");
        free(g);
    }
    ok(good, "sidecar: step %" PRId64 "'s geometry is %s", s, what);
    if (!good && gs) diag("%s", gs);
    free(gs);
}

static void check_sidecar_final(const char *xmf)
{
    ok(count(xmf, "<Grid Name=\"step_") == 3 && count(xmf, "<Time Value=") == 3,
       "sidecar: 3 grids (steps 0, 5, 7) with their times");
    ok(count(xmf, "<Topology TopologyType=\"Triangle\" NumberOfElements=\"8\" NodesPerElement=\"3\">") == 3 &&
           count(xmf, "<DataItem Dimensions=\"8 3\" NumberType=\"Int\" Precision=\"8\" Format=\"HDF\">m.h5:/mesh/triangles</DataItem>") == 3,
       "sidecar: every grid a Triangle topology of 8 elements referencing /mesh/triangles");
    char *g0 = step_grid(xmf, 0), *g7 = step_grid(xmf, 7);
    ok(g0 && strstr(g0, "<Attribute Name=\"x\" AttributeType=\"Vector\" Center=\"Node\">") &&
           strstr(g0, "<Attribute Name=\"H\" AttributeType=\"Scalar\" Center=\"Node\">") &&
           strstr(g0, "<DataItem Dimensions=\"6\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">m.h5:/fields/H/00000000</DataItem>"),
       "sidecar: vertex fields are node-centred (x a Vector, H a Scalar of 6 values)");
    ok(g0 && strstr(g0, "<Attribute Name=\"area\" AttributeType=\"Scalar\" Center=\"Cell\">") &&
           strstr(g0, "<DataItem Dimensions=\"8\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">m.h5:/fields/area/00000000</DataItem>") &&
           strstr(g0, "<Attribute Name=\"normal\" AttributeType=\"Vector\" Center=\"Cell\">") &&
           strstr(g0, "<DataItem Dimensions=\"3 8\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">m.h5:/fields/normal/00000000</DataItem>"),
       "sidecar: face fields are cell-centred (area a Scalar of 8 f32, normal a Vector joined from [3][8] f32)");
    ok(g0 && strstr(g0, "<Attribute Name=\"tilt2_0\" AttributeType=\"Scalar\" Center=\"Node\">") &&
           strstr(g0, "<Attribute Name=\"tilt2_1\" AttributeType=\"Scalar\" Center=\"Node\">") &&
           strstr(g0, ">1 0 1 1 1 6</DataItem>") && !strstr(g0, "Name=\"tilt2\""),
       "sidecar: a 2-component field is one Scalar HyperSlab per component");
    ok(g7 && count(g7, "<Attribute ") == 2 && strstr(g7, "Name=\"H\"") && strstr(g7, "Name=\"area\""),
       "sidecar: step 7 lists only its two fields");
    free(g0);
    free(g7);
    check_geometry(xmf, 0, "00000000", "the positions field of step 0");
    check_geometry(xmf, 5, "00000005", "the positions field of step 5");
    check_geometry(xmf, 7, "00000005", "step 5's positions (step 7 wrote none: the latest at or before it)");
}

/* ---- ParaView -------------------------------------------------------------------------------- */

static const char *probe_py =
    "import sys\n"
    "try:\n"
    "    from paraview import simple as pv\n"
    "    from paraview import servermanager as sm\n"
    "except ImportError as e:\n"
    "    print('noparaview %s' % e)\n"
    "    sys.exit(0)\n"
    "r = pv.XDMFReader(FileNames=[sys.argv[1]])\n"
    "for t in r.TimestepValues:\n"
    "    r.UpdatePipeline(t)\n"
    "    d = sm.Fetch(r)\n"
    "    while d.IsA('vtkMultiBlockDataSet'):\n"
    "        d = d.GetBlock(0)\n"
    "    print('T %r %d %d' % (t, d.GetNumberOfPoints(), d.GetNumberOfCells()))\n"
    "    print('P ' + ' '.join(repr(c) for i in range(d.GetNumberOfPoints()) for c in d.GetPoint(i)))\n"
    "    print('C ' + ' '.join(str(d.GetCell(i).GetPointId(k)) for i in range(d.GetNumberOfCells())"
    " for k in range(d.GetCell(i).GetNumberOfPoints())))\n"
    "    for kind, data in (('N', d.GetPointData()), ('C', d.GetCellData())):\n"
    "        for j in range(data.GetNumberOfArrays()):\n"
    "            a = data.GetArray(j)\n"
    "            print('A %s %s %d %d %s' % (a.GetName(), kind, a.GetNumberOfComponents(), a.GetNumberOfTuples(),"
    " ' '.join(repr(a.GetComponent(i, c)) for i in range(a.GetNumberOfTuples())"
    " for c in range(a.GetNumberOfComponents()))))\n"
    "print('end')\n";

/* One array line "A name kind ncomp ntuples v..." against field f at step s (component comp only
 * when comp >= 0). */
static int check_array(const char *line, int64_t s, int f, int comp)
{
    char name[64], kind[4];
    int nc = 0, nt = 0, pos = 0;
    if (sscanf(line, "A %63s %3s %d %d%n", name, kind, &nc, &nt, &pos) != 4) return 0;
    int want_nc = comp >= 0 ? 1 : FNC[f];
    if (nc != want_nc || nt != nelem(f) || strcmp(kind, FLOC[f] == SD_MESH_FACES ? "C" : "N")) {
        diag("%s: %s, %d components, %d tuples", name, kind, nc, nt);
        return 0;
    }
    const char *p = line + pos;
    for (int64_t i = 0; i < nt; i++)
        for (int c = 0; c < nc; c++) {
            char *e;
            double v = strtod(p, &e), w = want(s, f, comp >= 0 ? comp : c, i);
            if (e == p || v != w) {
                diag("%s at step %" PRId64 " tuple %" PRId64 " component %d: %.17g, want %.17g", name, s, i, c, v, w);
                return 0;
            }
            p = e;
        }
    return 1;
}

static void check_paraview(const char *xmf_path)
{
    if (system("command -v pvbatch >/dev/null 2>&1") != 0) {
        printf("ok %d # SKIP ParaView's pvbatch is not installed (Debian: apt-get install paraview python3-paraview)\n",
               ++tap_n);
        return;
    }
    char py[600], out[600], cmd[4096];
    snprintf(py, sizeof py, "%s/probe.py", tmpdir);
    snprintf(out, sizeof out, "%s/probe.out", tmpdir);
    FILE *f = fopen(py, "w");
    int wrote = f && fputs(probe_py, f) >= 0;
    if (f && fclose(f) != 0) wrote = 0;
    if (!ok(wrote, "write the ParaView probe")) return;
    snprintf(cmd, sizeof cmd, "timeout 120 pvbatch '%s' '%s' >'%s' 2>'%s.err'", py, xmf_path, out, out);
    int rc = system(cmd);
    char *res = slurp(out);
    if (res && !strncmp(res, "noparaview", 10)) {
        printf("ok %d # SKIP pvbatch has no paraview Python module (%.*s)\n", ++tap_n, (int)strcspn(res, "\n"), res);
        free(res);
        return;
    }
    if (!ok(rc == 0 && res && strstr(res, "\nend\n"), "pvbatch reads the sidecar with the XDMF Reader (exit %d)", rc)) {
        snprintf(cmd, sizeof cmd, "tail -n 5 '%s.err' | sed 's/^/# /'", out);
        if (system(cmd) != 0) diag("(no stderr)");
        free(res);
        return;
    }
    snprintf(cmd, sizeof cmd, "%s.err", out);
    char *log = slurp(cmd);
    if (!ok(log && !strstr(log, "ERR|") && !strstr(log, "XDMF Error"), "ParaView logged no error"))
        diag("pvbatch's stderr: %.600s", log ? log : "(unreadable)");
    free(log);
    /* per time: a T line, then P (points), C (cells) and one A line per array */
    char *lines[256];
    int nl = 0;
    for (char *l = strtok(res, "\n"); l && nl < 256; l = strtok(NULL, "\n")) lines[nl++] = l;
    int64_t steps[3] = {0, 5, 7};
    int seen = 0;
    for (int li = 0; li < nl; li++) {
        double t;
        int np, ncell;
        if (sscanf(lines[li], "T %lf %d %d", &t, &np, &ncell) != 3) continue;
        int k = 0;
        while (k < 3 && fabs(t - (double)steps[k] * DT) > 1e-9) k++;
        if (!ok(k < 3, "ParaView time %g is one of the steps' times", t)) continue;
        int64_t s = steps[k], geo = s == 7 ? 5 : s;
        seen++;
        ok(np == NV && ncell == NF, "t = %g: %d points, %d cells (want 6, 8)", t, np, ncell);
        const char *pl = li + 1 < nl ? lines[li + 1] : "", *cl = li + 2 < nl ? lines[li + 2] : "";
        int pts = pl[0] == 'P', cells = cl[0] == 'C';
        const char *p = pts ? pl + 1 : "";
        for (int i = 0; pts && i < NV; i++)
            for (int c = 0; pts && c < 3; c++) {
                char *e;
                double v = strtod(p, &e);
                if (e == p || v != want(geo, F_X, c, i)) {
                    diag("point %d coordinate %d: %.17g, want %.17g", i, c, v, want(geo, F_X, c, i));
                    pts = 0;
                }
                p = e;
            }
        ok(pts, "t = %g: every point is at the positions field of step %" PRId64 ", bit for bit", t, geo);
        p = cells ? cl + 1 : "";
        for (int i = 0; cells && i < NF; i++)
            for (int c = 0; cells && c < 3; c++) {
                char *e;
                long v = strtol(p, &e, 10);
                if (e == p || v != TRI[i][c]) cells = 0;
                p = e;
            }
        ok(cells, "t = %g: the cells are the triangles, corners in the file's order", t);
        int found[NFIELD] = {0}, good[NFIELD] = {0};
        for (int ai = li + 3; ai < nl && lines[ai][0] == 'A'; ai++)
            for (int fi = 0; fi < NFIELD; fi++)
                for (int c = 0; c < (FNC[fi] == 2 ? 2 : 1); c++) {
                    char nm[64];
                    if (FNC[fi] == 2) snprintf(nm, sizeof nm, "A %s_%d ", FNAME[fi], c);
                    else snprintf(nm, sizeof nm, "A %s ", FNAME[fi]);
                    if (!strncmp(lines[ai], nm, strlen(nm))) {
                        found[fi]++;
                        good[fi] += check_array(lines[ai], s, fi, FNC[fi] == 2 ? c : -1);
                    }
                }
        for (int fi = 0; fi < NFIELD; fi++) {
            int expect = s == 7 && fi != F_H && fi != F_AREA ? 0 : FNC[fi] == 2 ? 2 : 1;
            ok(found[fi] == expect && good[fi] == expect, "t = %g: %s %s (%d array%s, values exact)", t, FNAME[fi],
               expect ? "read" : "absent", expect, expect == 1 ? "" : "s");
        }
    }
    ok(seen == 3, "ParaView sees the 3 time steps (%d)", seen);
    free(res);
}

/* ---- refused arguments, a kill after set_mesh --------------------------------------------- */

static void test_refusals(void)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/bad.h5", tmpdir);
    sd_h5out *o = create(path, err, sizeof err);
    if (!ok(o != NULL, "refusals: create")) { diag("%s", err); return; }
    int64_t badtri[NF][3];
    memcpy(badtri, TRI, sizeof TRI);
    badtri[3][1] = NV;
    sd_h5mesh m = MESH;
    m.tri = &badtri[0][0];
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, path) && strstr(err, "triangle 3 corner 1 is vertex 6") &&
           strstr(err, "0 .. 5"), "a corner outside the vertices refused: %s", err);
    m = MESH;
    m.position_field = F_H;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "position field H has 1 components on vertices") &&
           strstr(err, "expected 3 on vertices"), "a 1-component position field refused: %s", err);
    m = MESH;
    m.position_field = F_NORMAL;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "position field normal has 3 components on faces"),
       "a position field on faces refused: %s", err);
    int badloc[NFIELD] = {0, 0, 2, 1, 0};
    m = MESH;
    m.field_location = badloc;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "field area has location 2"),
       "an unknown location refused: %s", err);
    m = MESH;
    m.nf = 0;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "6 vertices and 0 triangles"),
       "an empty mesh refused: %s", err);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ok(f < 0 || H5Lexists(f, "mesh", H5P_DEFAULT) == 0, "nothing written by the refused calls");
    if (f >= 0) H5Fclose(f);
    OK_ERR(sd_h5out_set_mesh(o, &MESH, err, sizeof err) == 0, "then a valid mesh is recorded");
    ok(sd_h5out_set_mesh(o, &MESH, err, sizeof err) == -1 && strstr(err, "already recorded"), "a second mesh refused: %s", err);
    const char *an[] = {"theta"};
    int64_t cnt[] = {4};
    double lo[] = {0}, hi[] = {1};
    ok(sd_h5out_field_inner(o, F_H, 1, an, cnt, lo, hi, err, sizeof err) == -1 && strstr(err, "mesh run"),
       "inner axes refused in a mesh run: %s", err);
    int fl[] = {F_H};
    ok(write_step(o, 3, fl, 1, 1, err, sizeof err) == 0, "a field step after the refusals");
    ok(sd_h5out_close(o, "completed", 3, 0.0, err, sizeof err) == 0, "close");
    double *v = NULL;
    int64_t n = 0;
    ok(sd_h5_read_field(path, "H", 3, &v, &n, err, sizeof err) == 0 && n == NV && v[2] == want(3, F_H, 0, 2),
       "the file holds that step");
    free(v);

    snprintf(path, sizeof path, "%s/late.h5", tmpdir);
    o = create(path, err, sizeof err);
    if (!ok(o != NULL, "late: create")) return;
    void *d = field_data(0, F_H);
    int rc = sd_h5out_write_field(o, F_H, 0, 0.0, d, err, sizeof err);
    free(d);
    ok(rc == 0 && sd_h5out_set_mesh(o, &MESH, err, sizeof err) == -1 && strstr(err, "a field step was written before it"),
       "set_mesh after a field write refused: %s", err);
    sd_h5out_close(o, "failed", 0, 0.0, err, sizeof err);
}

static void test_kill(void)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/kill.h5", tmpdir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sd_h5out *o = create(path, err, sizeof err);
        if (!o || sd_h5out_set_mesh(o, &MESH, err, sizeof err) < 0) _exit(1);
        void *d = field_data(0, F_X);
        sd_h5out_write_field(o, F_X, 0, 0.0, d, err, sizeof err); /* not committed */
        free(d);
        raise(SIGKILL);
        _exit(2);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child killed after set_mesh and an uncommitted field write");
    int64_t nv = 0, nf = 0, *tri = NULL, *steps = NULL, n = -1;
    double *x0 = NULL;
    OK_ERR(sd_h5_read_mesh(path, &nv, &nf, &tri, &x0, err, sizeof err) == 0 && nv == NV && nf == NF &&
           !memcmp(tri, TRI, sizeof TRI) && !memcmp(x0, X0, sizeof X0), "the killed run's file holds its mesh (committed by set_mesh)");
    OK_ERR(sd_h5_list_field_steps(path, "x", &steps, &n, err, sizeof err) == 0 && n == 0,
       "and not the uncommitted field step");
    free(tri);
    free(x0);
    free(steps);
}

/* A mesh larger than one chunk of /mesh's datasets (65,536 rows) and of a field's (2 MiB): 7 MiB. */
enum { LV = 150001, LF = 2 * LV - 4 };
static void large_mesh(int64_t **tri, double **x0, double **x)
{
    *tri = malloc(sizeof **tri * 3 * LF);
    *x0 = malloc(sizeof **x0 * 3 * LV);
    *x = malloc(sizeof **x * 3 * LV);
    for (int64_t f = 0; f < LF; f++)
        for (int k = 0; k < 3; k++) (*tri)[3 * f + k] = (f * 7 + k * 50021) % LV;
    for (int64_t v = 0; v < LV; v++)
        for (int c = 0; c < 3; c++) {
            (*x0)[3 * v + c] = val(0, 40, c, v);
            (*x)[c * LV + v] = val(1, 41, c, v); /* [3][nv] */
        }
}

/* The large mesh read back bit for bit. */
static void test_large(void)
{
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/large.h5", tmpdir);
    int64_t *tri;
    double *x0, *x;
    large_mesh(&tri, &x0, &x);
    int64_t shape[3] = {LV, 1, 1};
    double sp[3] = {1, 1, 1};
    const char *fn[] = {"x"};
    int dt[] = {SD_F64}, nc[] = {3}, loc[] = {SD_MESH_VERTICES};
    sd_h5out *o = sd_h5out_create(path, NULL, 1, shape, sp, 1, fn, dt, nc, 0, NULL, err, sizeof err);
    sd_h5mesh m = {LV, LF, tri, x0, 0, loc};
    OK_ERR(o && sd_h5out_set_mesh(o, &m, err, sizeof err) == 0 && sd_h5out_write_field(o, 0, 1, 0.1, x, err, sizeof err) == 0 &&
               sd_h5out_close(o, "completed", 1, 0.0, err, sizeof err) == 0,
           "a mesh of %d vertices and %d triangles written", LV, LF);
    int64_t nv = 0, nf = 0, *rt = NULL, n = 0;
    double *rx = NULL, *rf = NULL;
    OK_ERR(sd_h5_read_mesh(path, &nv, &nf, &rt, &rx, err, sizeof err) == 0 && nv == LV && nf == LF &&
               !memcmp(rt, tri, sizeof *tri * 3 * LF) && !memcmp(rx, x0, sizeof *x0 * 3 * LV),
           "its triangles and initial positions read back bit for bit (several chunks)");
    OK_ERR(sd_h5_read_field(path, "x", 1, &rf, &n, err, sizeof err) == 0 && n == 3 * LV && !memcmp(rf, x, sizeof *x * 3 * LV),
           "its positions field [3][%d] reads back bit for bit", LV);
    free(rt);
    free(rx);
    free(rf);
    free(tri);
    free(x0);
    free(x);
}

/* A file size limit (a full disk) hit by set_mesh: refused before HDF5 writes anything, with the
 * system's reason; the file stays at its last commit (no /mesh) and the writer can still close it. */
static void test_size_limit(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/full.h5", tmpdir);
    int pfd[2];
    if (!ok(pipe(pfd) == 0, "size limit: pipe")) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        char err[512] = "", err2[512] = "";
        int64_t *tri;
        double *x0, *x;
        large_mesh(&tri, &x0, &x);
        int64_t shape[3] = {LV, 1, 1};
        double sp[3] = {1, 1, 1};
        const char *fn[] = {"x"};
        int dt[] = {SD_F64}, nc[] = {3};
        sd_h5out *o = sd_h5out_create(path, NULL, 1, shape, sp, 1, fn, dt, nc, 0, NULL, err, sizeof err);
        struct stat st;
        if (!o || stat(path, &st) != 0) { dprintf(pfd[1], "setup failed: %s\n", err); _exit(1); }
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)st.st_size + (1 << 20), (rlim_t)st.st_size + (1 << 20)};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(1);
        sd_h5mesh m = {LV, LF, tri, x0, 0, NULL};
        int rc = sd_h5out_set_mesh(o, &m, err, sizeof err);
        int crc = sd_h5out_close(o, "failed", 0, 0.0, err2, sizeof err2);
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
    ok(rc == -1 && strstr(e1, path) && strstr(e1, "cannot record the mesh: File too large"),
       "size limit: set_mesh fails with the reason: %s", e1);
    if (!ok(crc == 0, "size limit: the writer still closes the file")) diag("%s", e2);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ok(f >= 0 && H5Lexists(f, "mesh", H5P_DEFAULT) == 0 && str_attr_is(f, "status", "failed"),
       "size limit: the file opens, without /mesh, status failed");
    if (f >= 0) H5Fclose(f);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *t = getenv("SD_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/h5mesh.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) { printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno)); return 99; }

    char path[600], xmf[600], err[512] = "";
    snprintf(path, sizeof path, "%s/m.h5", tmpdir);
    snprintf(xmf, sizeof xmf, "%s/m.xmf", tmpdir);
    sd_h5out *o = create(path, err, sizeof err);
    if (!ok(o != NULL, "create")) { diag("%s", err); return tap_done(); }
    OK_ERR(sd_h5out_set_mesh(o, &MESH, err, sizeof err) == 0, "set_mesh: octahedron, positions field x");
    /* step 0 as a mesh class commits it, field by field: H first (the sidecar then still shows
     * the initial positions), then the rest */
    int first[] = {F_H}, rest[] = {F_X, F_AREA, F_NORMAL, F_TILT}, all[] = {F_X, F_H, F_AREA, F_NORMAL, F_TILT},
        late[] = {F_H, F_AREA};
    OK_ERR(write_step(o, 0, first, 1, 0, err, sizeof err) == 0, "step 0: H committed");
    char *x = slurp(xmf);
    check_geometry(x, 0, "initial", "the initial positions while no positions step is committed");
    free(x);
    OK_ERR(write_step(o, 0, rest, 4, 1, err, sizeof err) == 0, "step 0: the other fields committed");
    OK_ERR(write_step(o, 5, all, 5, 1, err, sizeof err) == 0, "step 5: every field, moved positions");
    OK_ERR(write_step(o, 7, late, 2, 1, err, sizeof err) == 0, "step 7: H and area only");
    OK_ERR(sd_h5out_close(o, "completed", 7, 0.0, err, sizeof err) == 0, "close");
    check_file(path);
    x = slurp(xmf);
    if (ok(x != NULL, "sidecar %s exists", xmf)) check_sidecar_final(x);
    free(x);
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", xmf);
        ok(system(cmd) == 0, "sidecar: well-formed XML (xmllint)");
    } else {
        printf("ok %d # SKIP xmllint is not installed (Debian: libxml2-utils)\n", ++tap_n);
    }

    /* a mesh whose vertices never move: every step on the initial positions */
    snprintf(path, sizeof path, "%s/s.h5", tmpdir);
    o = create(path, err, sizeof err);
    sd_h5mesh still = MESH;
    still.position_field = -1;
    OK_ERR(o && sd_h5out_set_mesh(o, &still, err, sizeof err) == 0 && write_step(o, 0, all, 5, 1, err, sizeof err) == 0 &&
           sd_h5out_close(o, "completed", 0, 0.0, err, sizeof err) == 0, "a mesh without a positions field");
    snprintf(xmf, sizeof xmf, "%s/s.xmf", tmpdir);
    x = slurp(xmf);
    char *g = step_grid(x, 0);
    ok(g && strstr(g, "Format=\"HDF\"><!-- step 00000000: initial positions -->s.h5:/mesh/positions</DataItem>") &&
           !strstr(g, "JOIN($0, $1, $2)\" Dimensions=\"6 3\"><!--") &&
           strstr(g, "<Attribute Name=\"x\" AttributeType=\"Vector\" Center=\"Node\">"),
       "its geometry is the initial positions (x is only an attribute)");
    free(g);
    free(x);

    test_refusals();
    test_kill();
    test_large();
    test_size_limit();
    snprintf(xmf, sizeof xmf, "%s/m.xmf", tmpdir);
    check_paraview(xmf);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) diag("could not remove %s", tmpdir);
    return tap_done();
}
