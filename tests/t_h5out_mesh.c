/* t_h5out_mesh.c - the run file of a mesh domain (sd_h5out_set_mesh): an octahedron with vertex
 * and face fields of 1, 2 and 3 components, f32 and f64, whose vertices move (a positions field),
 * written at steps 0, 5 and 7 (step 7 without positions). Checks, reading back with HDF5: /mesh
 * (counts, triangles, initial positions, attributes), each field's dataset shape ([n] or [c][n],
 * n = vertices or faces by its location) and values bit for bit, the fields' location attributes;
 * the XDMF sidecar's text at each commit (Triangle topology, geometry from the initial positions
 * until a positions step is committed, then from the latest one at or before the step; Node/Cell
 * centres, Vector/Scalar types). With ParaView's pvbatch: its XDMF
 * Reader gives, at every time, the points (the moving positions), the triangles and every field's
 * values exactly as written (skipped, saying why, without pvbatch). Refusals, a kill, a large mesh
 * and a full disk: t_h5out_mesh_faults.c. */
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

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (fixture_tmpdir("h5mesh") < 0) return 99;

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

    snprintf(xmf, sizeof xmf, "%s/m.xmf", tmpdir);
    check_paraview(xmf);

    fixture_cleanup();
    return tap_done();
}
