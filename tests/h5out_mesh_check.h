/* h5out_mesh_check.h - what tests/t_h5out_mesh.c and t_h5out_mesh_edges.c check in a mesh run
 * file, shared: the file read back with HDF5 (/mesh, each field's dataset and values bit for bit),
 * ParaView's view of the sidecar (pvbatch; skipped, saying why, without it), and the run without
 * edge fields both write (steps 0, 5 and 7 of the fixture). Needs h5out_mesh_fixture.h. */
#ifndef SD_TEST_H5OUT_MESH_CHECK_H
#define SD_TEST_H5OUT_MESH_CHECK_H
#include "h5out_mesh_fixture.h"

/* ---- HDF5 read-back ------------------------------------------------------------------------ */

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

/* /mesh/edges: int64 [12][2], the fixture's edges; /mesh attr ne. */
static void check_mesh_edges(hid_t f, hid_t g)
{
    hsize_t d[4] = {0};
    hid_t t = -1;
    int64_t e[NE][2];
    memset(e, 0xff, sizeof e);
    int shape = dims_of(f, "/mesh/edges", d, &t) == 2 && d[0] == NE && d[1] == 2 && H5Tequal(t, H5T_STD_I64LE) > 0;
    if (t >= 0) H5Tclose(t);
    hid_t ds = H5Dopen2(f, "/mesh/edges", H5P_DEFAULT);
    int vals = ds >= 0 && H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, e) >= 0 && !memcmp(e, EDGE, sizeof EDGE);
    if (ds >= 0) H5Dclose(ds);
    ok(g >= 0 && i64_attr(g, "ne") == NE, "/mesh attr ne = 12");
    ok(shape && vals, "/mesh/edges: int64 [12][2], the edges as given");
}

/* The file of the run without edge fields (nfields NFIELD) or with them (NFIELD_E). */
static void check_file(const char *path, int nfields)
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
    if (nfields == NFIELD_E) check_mesh_edges(f, g);
    else
        ok(g >= 0 && H5Aexists(g, "ne") == 0 && H5Lexists(g, "edges", H5P_DEFAULT) == 0,
           "no field on edges: /mesh has no ne, no edges (the layout of files written before edges)");
    if (g >= 0) H5Gclose(g);
    hid_t gg = H5Gopen2(f, "grid", H5P_DEFAULT);
    ok(gg >= 0 && H5Aexists(gg, "ndim") > 0, "/grid is still written (the layout create was given)");
    if (gg >= 0) H5Gclose(gg);
    for (int fi = 0; fi < nfields; fi++) {
        char gp[64];
        snprintf(gp, sizeof gp, "/fields/%s", FNAME[fi]);
        hid_t fg = H5Gopen2(f, gp, H5P_DEFAULT);
        const char *loc = loc_name(fi);
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


/* ---- ParaView -------------------------------------------------------------------------------- */

/* Per time: "T t points cells" of the (first) grid, its P (points), C (cells) and A (arrays)
 * lines; then, for a spatial collection of two (the edge grid), "E points cells" and the edge
 * grid's EP, EC and EA lines. */
static const char *probe_py =
    "import sys\n"
    "try:\n"
    "    from paraview import simple as pv\n"
    "    from paraview import servermanager as sm\n"
    "except ImportError as e:\n"
    "    print('noparaview %s' % e)\n"
    "    sys.exit(0)\n"
    "def dump(d, p):\n"
    "    print(p + 'P ' + ' '.join(repr(c) for i in range(d.GetNumberOfPoints()) for c in d.GetPoint(i)))\n"
    "    print(p + 'C ' + ' '.join(str(d.GetCell(i).GetPointId(k)) for i in range(d.GetNumberOfCells())"
    " for k in range(d.GetCell(i).GetNumberOfPoints())))\n"
    "    for kind, data in (('N', d.GetPointData()), ('C', d.GetCellData())):\n"
    "        for j in range(data.GetNumberOfArrays()):\n"
    "            a = data.GetArray(j)\n"
    "            print(p + 'A %s %s %d %d %s' % (a.GetName(), kind, a.GetNumberOfComponents(), a.GetNumberOfTuples(),"
    " ' '.join(repr(a.GetComponent(i, c)) for i in range(a.GetNumberOfTuples())"
    " for c in range(a.GetNumberOfComponents()))))\n"
    "r = pv.XDMFReader(FileNames=[sys.argv[1]])\n"
    "for t in r.TimestepValues:\n"
    "    r.UpdatePipeline(t)\n"
    "    d = sm.Fetch(r)\n"
    "    e = d.GetBlock(1) if d.IsA('vtkMultiBlockDataSet') and d.GetNumberOfBlocks() == 2 else None\n"
    "    while d.IsA('vtkMultiBlockDataSet'):\n"
    "        d = d.GetBlock(0)\n"
    "    print('T %r %d %d' % (t, d.GetNumberOfPoints(), d.GetNumberOfCells()))\n"
    "    dump(d, '')\n"
    "    if e is not None:\n"
    "        print('E %d %d' % (e.GetNumberOfPoints(), e.GetNumberOfCells()))\n"
    "        dump(e, 'E')\n"
    "print('end')\n";

/* One array line "A name kind ncomp ntuples v..." against field f at step s (component comp only
 * when comp >= 0). */
static int check_array(const char *line, int64_t s, int f, int comp)
{
    char name[64], kind[4];
    int nc = 0, nt = 0, pos = 0;
    if (sscanf(line, "A %63s %3s %d %d%n", name, kind, &nc, &nt, &pos) != 4) return 0;
    int want_nc = comp >= 0 ? 1 : FNC[f];
    if (nc != want_nc || nt != nelem(f) || strcmp(kind, FLOC[f] == SD_MESH_VERTICES ? "N" : "C")) {
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

/* A P line (after its prefix): the positions field of step geo, bit for bit. */
static int points_are(const char *p, int64_t geo)
{
    for (int i = 0; i < NV; i++)
        for (int c = 0; c < 3; c++) {
            char *e;
            double v = strtod(p, &e);
            if (e == p || v != want(geo, F_X, c, i)) {
                diag("point %d coordinate %d: %.17g, want %.17g", i, c, v, want(geo, F_X, c, i));
                return 0;
            }
            p = e;
        }
    return 1;
}

/* A C line (after its prefix): n cells of k points, ids[n][k]. */
static int cells_are(const char *p, const int64_t *ids, int n, int k)
{
    for (int i = 0; i < n * k; i++) {
        char *e;
        long v = strtol(p, &e, 10);
        if (e == p || v != ids[i]) return 0;
        p = e;
    }
    return 1;
}

/* The array lines lines[*li ..) that start with `prefix` ("A" or "EA"), against the fields of the
 * grid (edges: the edge fields, else the others) that step s wrote (at step 7 only H and area). */
static void check_arrays(char **lines, int nl, int *li, const char *prefix, double t, int64_t s, int nfields, int edges)
{
    int found[NFIELD_E] = {0}, good[NFIELD_E] = {0};
    size_t pl = strlen(prefix) - 1; /* the line from its "A" on is what check_array reads */
    for (; *li < nl && !strncmp(lines[*li], prefix, pl + 1) && lines[*li][pl + 1] == ' '; ++*li)
        for (int fi = 0; fi < nfields; fi++)
            for (int c = 0; c < (FNC[fi] == 2 ? 2 : 1); c++) {
                char nm[64];
                if (FNC[fi] == 2) snprintf(nm, sizeof nm, "%s %s_%d ", prefix, FNAME[fi], c);
                else snprintf(nm, sizeof nm, "%s %s ", prefix, FNAME[fi]);
                if (!strncmp(lines[*li], nm, strlen(nm))) {
                    found[fi]++;
                    good[fi] += check_array(lines[*li] + pl, s, fi, FNC[fi] == 2 ? c : -1);
                }
            }
    for (int fi = 0; fi < nfields; fi++) {
        if ((FLOC[fi] == SD_MESH_EDGES) != edges) continue;
        int expect = s == 7 && fi != F_H && fi != F_AREA ? 0 : FNC[fi] == 2 ? 2 : 1;
        ok(found[fi] == expect && good[fi] == expect, "t = %g: %s %s (%d array%s, values exact)", t, FNAME[fi],
           expect ? "read" : "absent", expect, expect == 1 ? "" : "s");
    }
}

static void check_paraview(const char *xmf_path, int nfields)
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
    if (!ok(rc == 0 && res && strstr(res, "\nend\n"), "pvbatch reads %s with the XDMF Reader (exit %d)", xmf_path, rc)) {
        snprintf(cmd, sizeof cmd, "tail -n 5 '%s.err' | sed 's/^/# /'", out);
        if (system(cmd) != 0) diag("(no stderr)");
        free(res);
        return;
    }
    snprintf(cmd, sizeof cmd, "%s.err", out);
    char *log = slurp(cmd);
    if (!ok(log && !strstr(log, "ERR|") && !strstr(log, "XDMF Error") &&
                !strstr(log, "does not match data type"), "ParaView logged no error"))
        diag("pvbatch's stderr: %.600s", log ? log : "(unreadable)");
    free(log);
    char *lines[512];
    int nl = 0;
    for (char *l = strtok(res, "\n"); l && nl < 512; l = strtok(NULL, "\n")) lines[nl++] = l;
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
        ok(pl[0] == 'P' && points_are(pl + 1, geo), "t = %g: every point is at the positions field of step %" PRId64
           ", bit for bit", t, geo);
        ok(cl[0] == 'C' && cells_are(cl + 1, &TRI[0][0], NF, 3), "t = %g: the cells are the triangles, corners in the file's order", t);
        int ai = li + 3;
        check_arrays(lines, nl, &ai, "A", t, s, nfields, 0);
        if (nfields != NFIELD_E) continue;
        int ep = 0, ec = 0;
        const char *el = ai < nl ? lines[ai] : "";
        pl = ai + 1 < nl ? lines[ai + 1] : "";
        cl = ai + 2 < nl ? lines[ai + 2] : "";
        int got = sscanf(el, "E %d %d", &ep, &ec) == 2;
        ok(got && ep == NV && ec == NE, "t = %g: a second block, the edges: %d points, %d cells (want 6, 12)", t, ep, ec);
        ok(!strncmp(pl, "EP", 2) && points_are(pl + 2, geo), "t = %g: the edge block's points are the triangle block's", t);
        ok(!strncmp(cl, "EC", 2) && cells_are(cl + 2, &EDGE[0][0], NE, 2), "t = %g: its cells are the edges, in /mesh/edges' order", t);
        ai += 3;
        check_arrays(lines, nl, &ai, "EA", t, s, nfields, 1);
    }
    ok(seen == 3, "ParaView sees the 3 time steps (%d)", seen);
    free(res);
}


/* The run without edge fields: steps 0 (H committed alone first, as a mesh class commits field by
 * field; then the rest), 5 (every field, moved positions) and 7 (H and area). after_h (may be NULL)
 * runs between the two commits of step 0. */
static int write_plain_run(const char *path, void (*after_h)(void), char *err, size_t el)
{
    int first[] = {F_H}, rest[] = {F_X, F_AREA, F_NORMAL, F_TILT}, all[] = {F_X, F_H, F_AREA, F_NORMAL, F_TILT},
        late[] = {F_H, F_AREA};
    sd_h5out *o = create(path, err, el);
    if (!o || sd_h5out_set_mesh(o, &MESH, err, el) < 0 || write_step(o, 0, first, 1, 0, err, el) < 0) return -1;
    if (after_h) after_h();
    return write_step(o, 0, rest, 4, 1, err, el) < 0 || write_step(o, 5, all, 5, 1, err, el) < 0 ||
                   write_step(o, 7, late, 2, 1, err, el) < 0 || sd_h5out_close(o, "completed", 7, 0.0, err, el) < 0
               ? -1
               : 0;
}

/* The sidecar is well-formed XML (xmllint; skipped, saying why, without it). */
static void check_xml(const char *xmf, const char *what)
{
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", xmf);
        ok(system(cmd) == 0, "%s: well-formed XML (xmllint)", what);
    } else {
        printf("ok %d # SKIP xmllint is not installed (Debian: libxml2-utils)\n", ++tap_n);
    }
}

#endif
