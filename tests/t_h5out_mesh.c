/* t_h5out_mesh.c - the run file of a mesh domain (sd_h5out_set_mesh): an octahedron with vertex
 * and face fields of 1, 2 and 3 components, f32 and f64, whose vertices move (a positions field),
 * written at steps 0, 5 and 7 (step 7 without positions). Checks, reading back with HDF5: /mesh
 * (counts, triangles, initial positions, attributes), each field's dataset shape ([n] or [c][n],
 * n = vertices or faces by its location) and values bit for bit, the fields' location attributes;
 * the XDMF sidecar's text at each commit (Triangle topology, geometry from the initial positions
 * until a positions step is committed, then from the latest one at or before the step; Node/Cell
 * centres, Vector/Scalar types). With ParaView's pvbatch: its XDMF
 * Reader gives, at every time, the points (the moving positions), the triangles and every field's
 * values exactly as written (skipped, saying why, without pvbatch).
 * The same run with three fields on the edges (1, 2 and 3 components): /mesh/edges and /mesh's ne,
 * the edge fields' [ne] / [c][ne] datasets, every step a spatial collection of the triangle grid
 * (the same text as without edges) and a Polyline grid of the edges with the edge fields as cell
 * attributes (also at a step without edge fields), ParaView's blocks; edge lists refused (none for
 * an edge field, out of range, lower >= higher, out of order); continuing a file with edges (its
 * sidecar then the uninterrupted run's byte for byte), one without (written as before edges
 * existed), damaged ones refused. Refusals, a kill, a large mesh and a full disk:
 * t_h5out_mesh_faults.c. */
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

/* ---- fields on edges -------------------------------------------------------------------------- */

/* The fixture's edges are those of its triangles, in sd_mesh_edges' order. */
static int edge_cmp(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}
static void check_fixture_edges(void)
{
    int64_t e[3 * NF][2];
    int n = 0;
    for (int f = 0; f < NF; f++)
        for (int k = 0; k < 3; k++) {
            int64_t a = TRI[f][k], b = TRI[f][(k + 1) % 3];
            e[n][0] = a < b ? a : b;
            e[n++][1] = a < b ? b : a;
        }
    qsort(e, (size_t)n, sizeof e[0], edge_cmp);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (!i || edge_cmp(e[i], e[m - 1])) memcpy(e[m++], e[i], sizeof e[0]);
    ok(m == NE && !memcmp(e, EDGE, sizeof EDGE), "fixture: its 12 edges are the triangles' edges, ascending");
}

/* Lines of s from the one after its first line, each with `cut` leading characters dropped
 * (malloc'd): a grid's body at another indentation. */
static char *body(const char *s, size_t cut)
{
    const char *p = s ? strchr(s, '\n') : NULL;
    if (!p) return NULL;
    char *out = calloc(1, strlen(p) + 1), *o = out;
    for (p++; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p), k = 0;
        while (k < cut && k < n && p[k] == ' ') k++;
        memcpy(o, p + k, n - k);
        o += n - k;
        p += n;
    }
    return out;
}

/* The sidecar of e.h5 (steps 0, 5 and 7, step 7 without edge fields); m: that of m.h5, the same
 * steps without edge fields. */
static void check_sidecar_edges(const char *x, const char *m)
{
    ok(count(x, "<Grid Name=\"step_") == 3 && count(x, "GridType=\"Collection\" CollectionType=\"Spatial\">\n        <Time Value=") == 3 &&
           count(x, "<Time Value=") == 3,
       "edge sidecar: every step (also 7, without edge fields) a spatial collection, its Time on the collection");
    ok(count(x, "\n        <Grid Name=\"triangles\" GridType=\"Uniform\">\n") == 3 &&
           count(x, "\n        </Grid>\n        <Grid Name=\"edges\" GridType=\"Uniform\">\n") == 3 &&
           count(x, "\n        </Grid>\n      </Grid>\n") == 3,
       "edge sidecar: each collection holds the grid \"triangles\", then the grid \"edges\"");
    ok(count(x, "<Topology TopologyType=\"Polyline\" NumberOfElements=\"12\" NodesPerElement=\"2\">\n"
                "            <DataItem Dimensions=\"12 2\" NumberType=\"Int\" Precision=\"8\" Format=\"HDF\">e.h5:/mesh/edges</DataItem>") == 3,
       "edge sidecar: every edge grid a Polyline topology of 12 elements of 2 nodes referencing /mesh/edges");
    const char *geo[3] = {"00000000", "00000005", "00000005"};
    int64_t steps[3] = {0, 5, 7};
    for (int k = 0; k < 3; k++) {
        char *b = step_block(x, steps[k]), *tri = inner_grid(b, "triangles"), *ed = inner_grid(b, "edges");
        char tkey[96], ekey[96], ref[96];
        snprintf(tkey, sizeof tkey, "<!-- step %08" PRId64 ": positions of step %s -->", steps[k], geo[k]);
        snprintf(ekey, sizeof ekey, "<!-- step %08" PRId64 ": edges on positions of step %s -->", steps[k], geo[k]);
        snprintf(ref, sizeof ref, "Format=\"HDF\">e.h5:/fields/x/%s</DataItem>", geo[k]);
        ok(tri && ed && strstr(tri, tkey) && !strstr(tri, ekey) && strstr(ed, ekey) && !strstr(ed, tkey) && count(ed, ref) == 3 &&
               strstr(ed, "<DataItem ItemType=\"Function\" Function=\"JOIN($0, $1, $2)\" Dimensions=\"6 3\"><!--"),
           "edge sidecar: step %" PRId64 ": both grids on the positions of step %s, each with its own cache key", steps[k], geo[k]);
        /* the triangle grid is the step's grid of the run without edge fields, two spaces further in */
        char *mg = step_grid(m, steps[k]), *want_b = body(mg, 0), *have_b = body(tri, 2);
        for (char *p = have_b; p && (p = strstr(p, "e.h5:")); p++) *p = 'm';
        const char *mb = want_b ? strstr(want_b, "<Topology") : NULL, *hb = have_b ? strstr(have_b, "<Topology") : NULL;
        ok(mb && hb && !strcmp(mb, hb), "edge sidecar: step %" PRId64 ": the triangle grid has the text of the grid without edge "
           "fields (vertex and face fields only)", steps[k]);
        if (mb && hb && strcmp(mb, hb)) diag("triangles:\n%s\nwithout edges:\n%s", hb, mb);
        if (k < 2) {
            ok(ed && count(ed, "<Attribute ") == 4 &&
                   strstr(ed, "<Attribute Name=\"k\" AttributeType=\"Scalar\" Center=\"Cell\">") &&
                   strstr(ed, "<Attribute Name=\"evec\" AttributeType=\"Vector\" Center=\"Cell\">") &&
                   strstr(ed, "<Attribute Name=\"k2_0\" AttributeType=\"Scalar\" Center=\"Cell\">") &&
                   strstr(ed, "<Attribute Name=\"k2_1\" AttributeType=\"Scalar\" Center=\"Cell\">"),
               "edge sidecar: step %" PRId64 ": the edge grid has the edge fields, cell-centred (k, evec a Vector, k2_0, k2_1)", steps[k]);
            char v1[160], v3[160];
            snprintf(v1, sizeof v1, "<DataItem Dimensions=\"12\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
                     "e.h5:/fields/k/%08" PRId64 "</DataItem>", steps[k]);
            snprintf(v3, sizeof v3, "<DataItem Dimensions=\"3 12\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">"
                     "e.h5:/fields/evec/%08" PRId64 "</DataItem>", steps[k]);
            ok(ed && strstr(ed, v1) && count(ed, v3) == 3 && strstr(ed, "Function=\"JOIN($0, $1, $2)\" Dimensions=\"12 3\">\n") &&
                   strstr(ed, ">0 0 1 1 1 12<") && strstr(ed, ">1 0 1 1 1 12<") && strstr(ed, ">2 0 1 1 1 12<") &&
                   strstr(ed, "<DataItem Dimensions=\"2 12\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">e.h5:/fields/k2/"),
               "edge sidecar: step %" PRId64 ": edge values of 12 elements (k [12] f64, evec joined from [3][12] f32, k2 slabs of [2][12])",
               steps[k]);
        } else {
            ok(ed && count(ed, "<Attribute ") == 0 && tri && count(tri, "<Attribute ") == 2,
               "edge sidecar: step 7 (H and area only): an edge grid without attributes");
        }
        free(b);
        free(tri);
        free(ed);
        free(mg);
        free(want_b);
        free(have_b);
    }
}

/* An edge list refused by set_mesh with a message holding `want` (and the file's name). */
static void refused_edges(sd_h5out *o, const char *path, int64_t ne, const int64_t *edge, const char *want, const char *what)
{
    char err[512] = "";
    sd_h5mesh m = MESH_E;
    m.ne = ne;
    m.edge = edge;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, path) && strstr(err, want), "%s refused: %s", what, err);
}

static void test_edge_refusals(void)
{
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/bad_edges.h5", tmpdir);
    sd_h5out *o = create_edges(path, err, sizeof err);
    if (!ok(o != NULL, "edge refusals: create")) { diag("%s", err); return; }
    refused_edges(o, path, 0, NULL, "field k is on edges, but no edges were given (ne 0", "an edge field without edges");
    refused_edges(o, path, NE, NULL, "12 edges and no edge list given", "edges without their list");
    refused_edges(o, path, -1, &EDGE[0][0], "-1 edges", "a negative edge count");
    int64_t bad[NE][2];
    memcpy(bad, EDGE, sizeof EDGE);
    bad[4][1] = NV;
    refused_edges(o, path, NE, &bad[0][0], "edge 4 is (1, 6) (expected two vertices 0 .. 5, the lower first)",
                  "an edge to a vertex past the last");
    memcpy(bad, EDGE, sizeof EDGE);
    bad[2][0] = 4, bad[2][1] = 0;
    refused_edges(o, path, NE, &bad[0][0], "edge 2 is (4, 0)", "an edge with its higher vertex first");
    bad[2][0] = 0, bad[2][1] = 0;
    refused_edges(o, path, NE, &bad[0][0], "edge 2 is (0, 0)", "an edge from a vertex to itself");
    memcpy(bad, EDGE, sizeof EDGE);
    bad[6][1] = 2;
    refused_edges(o, path, NE, &bad[0][0], "edge 6 (1, 2) follows (1, 3) (expected the edges ascending", "edges out of order");
    memcpy(bad[6], bad[5], sizeof bad[5]);
    refused_edges(o, path, NE, &bad[0][0], "edge 6 (1, 3) follows (1, 3)", "an edge listed twice");
    /* refused before anything is written: the group /mesh is still free for the valid list */
    OK_ERR(sd_h5out_set_mesh(o, &MESH_E, err, sizeof err) == 0 && sd_h5out_close(o, "completed", 0, 0.0, err, sizeof err) == 0,
           "edge refusals: then the valid edges are recorded");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), g = f >= 0 ? H5Gopen2(f, "mesh", H5P_DEFAULT) : -1;
    if (ok(g >= 0, "edge refusals: the file has /mesh")) check_mesh_edges(f, g);
    if (g >= 0) H5Gclose(g);
    if (f >= 0) H5Fclose(f);
}

/* The edge run to step `to` ({0, 5, 7}: all fields at 0 and 5, H and area at 7; {0, 5, 9}: all
 * at 9 too), closed; or, with cont, continued at step 5 and written on to 9. */
static int edge_run(const char *path, int64_t to, int cont, char *err, size_t el)
{
    int all[] = {F_X, F_H, F_AREA, F_NORMAL, F_TILT, F_K, F_EVEC, F_K2}, late[] = {F_H, F_AREA};
    sd_h5out *o;
    if (cont) {
        int64_t shape[3] = {NV, 1, 1};
        const char *sn[] = {"energy"};
        sd_h5decl d = {1, {shape[0], shape[1], shape[2]}, {1, 1, 1}, NFIELD_E, FNAME, FDT, FNC, 1, sn};
        sd_h5cont at = {5, NULL, 2, 2, -1, 0};
        o = sd_h5out_continue(path, NULL, &at, &d, err, el);
    } else {
        o = create_edges(path, err, el);
    }
    if (!o || sd_h5out_set_mesh(o, &MESH_E, err, el) < 0) goto fail;
    if (!cont && (write_step(o, 0, all, 8, 1, err, el) < 0 || write_step(o, 5, all, 8, 1, err, el) < 0)) goto fail;
    if (to == 7 && write_step(o, 7, late, 2, 1, err, el) < 0) goto fail;
    if (to == 9 && write_step(o, 9, all, 8, 1, err, el) < 0) goto fail;
    return sd_h5out_close(o, "completed", to, 0.0, err, el);
fail:;
    char e2[256];
    if (o) sd_h5out_close(o, "failed", 0, 0.0, e2, sizeof e2);
    return -1;
}

/* A continued file's mesh against the run's: a mesh of other edges or other field locations
 * refused. */
static void refused_continue(const char *path, int nfields, const sd_h5mesh *m, const char *want, const char *what)
{
    char err[512] = "", e2[256];
    int64_t shape[3] = {NV, 1, 1};
    const char *sn[] = {"energy"};
    sd_h5decl d = {1, {shape[0], shape[1], shape[2]}, {1, 1, 1}, nfields, FNAME, FDT, FNC, 1, sn};
    sd_h5cont at = {5, NULL, 2, 2, -1, 0};
    sd_h5out *o = sd_h5out_continue(path, NULL, &at, &d, err, sizeof err);
    if (!ok(o != NULL, "%s: continued", what)) { diag("%s", err); return; }
    ok(sd_h5out_set_mesh(o, m, err, sizeof err) == -1 && strstr(err, path) && strstr(err, want), "%s refused: %s", what, err);
    sd_h5out_close(o, "failed", 5, 0.0, e2, sizeof e2);
}

static int set_str_attr(hid_t obj, const char *name, const char *v)
{
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR), a = -1;
    int rc = t >= 0 && sp >= 0 && H5Tset_size(t, strlen(v) + 1) >= 0 &&
                     (a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 && H5Awrite(a, t, v) >= 0
                 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc;
}

/* The field k's location attribute set to loc, and (drop) /mesh/edges removed. */
static int damage(const char *path, const char *loc, int drop)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), fg = f >= 0 ? H5Gopen2(f, "/fields/k", H5P_DEFAULT) : -1;
    int rc = fg >= 0 && H5Adelete(fg, "location") >= 0 && set_str_attr(fg, "location", loc) == 0 &&
                     (!drop || H5Ldelete(f, "/mesh/edges", H5P_DEFAULT) >= 0)
                 ? 0 : -1;
    if (fg >= 0) H5Gclose(fg);
    if (f >= 0 && H5Fclose(f) < 0) rc = -1;
    return rc;
}

/* sd_h5out_continue of the edge run's file refused with a message holding `want`. */
static void continue_refused(const char *path, const char *want, const char *what)
{
    char err[512] = "";
    const char *sn[] = {"energy"};
    sd_h5decl d = {1, {NV, 1, 1}, {1, 1, 1}, NFIELD_E, FNAME, FDT, FNC, 1, sn};
    sd_h5cont at = {5, NULL, 3, 3, -1, 0};
    sd_h5out *o = sd_h5out_continue(path, NULL, &at, &d, err, sizeof err);
    ok(!o && strstr(err, path) && strstr(err, want), "%s refused: %s", what, err);
    if (o) sd_h5out_close(o, "failed", 5, 0.0, err, sizeof err);
}

static void test_edges_continue(const char *mpath)
{
    char path[700], upath[700], dir[640], err[512] = "";
    snprintf(path, sizeof path, "%s/c.h5", tmpdir);
    snprintf(dir, sizeof dir, "%s/u", tmpdir);
    snprintf(upath, sizeof upath, "%s/c.h5", dir);
    OK_ERR(edge_run(path, 7, 0, err, sizeof err) == 0, "continue: the edge run to step 7");
    sd_h5mesh other = MESH_E;
    int loc[NFIELD_E];
    memcpy(loc, FLOC, sizeof loc);
    loc[F_K] = SD_MESH_FACES;
    other.field_location = loc;
    refused_continue(path, NFIELD_E, &other, "its field k is on edges, the run's on faces", "a continued run with k on faces");
    other = MESH;
    refused_continue(path, NFIELD_E, &other, "(6 vertices, 8 triangles, 12 edges) is not the run's (6, 8, 0)",
                     "a continued run without the edges");
    OK_ERR(edge_run(path, 9, 1, err, sizeof err) == 0, "continue: at step 5 (step 7 cut), then step 9");
    OK_ERR(mkdir(dir, 0755) == 0 && edge_run(upath, 9, 0, err, sizeof err) == 0, "continue: the uninterrupted run to step 9");
    int64_t *st = NULL, n = 0;
    double *v = NULL;
    int64_t nv_ = 0;
    OK_ERR(sd_h5_list_field_steps(path, "k", &st, &n, err, sizeof err) == 0 && n == 3 && st[0] == 0 && st[1] == 5 && st[2] == 9,
           "continue: k has steps 0, 5, 9");
    free(st);
    int vals = sd_h5_read_field(path, "evec", 9, &v, &nv_, err, sizeof err) == 0 && nv_ == 3 * NE;
    for (int c = 0; vals && c < 3; c++)
        for (int i = 0; i < NE; i++) vals &= v[c * NE + i] == want(9, F_EVEC, c, i);
    free(v);
    ok(vals, "continue: evec at step 9 [3][12], values bit for bit");
    char cx[700], ux[700];
    snprintf(cx, sizeof cx, "%s/c.xmf", tmpdir);
    snprintf(ux, sizeof ux, "%s/c.xmf", dir);
    char *a = slurp(cx), *b = slurp(ux);
    ok(a && b && !strcmp(a, b) && count(a, "TopologyType=\"Polyline\"") == 3,
       "continue: the sidecar is the uninterrupted run's, byte for byte (3 steps with edge grids)");
    free(a);
    free(b);
    /* a damaged file: refused by the continuation itself, the file left as it was */
    ok(damage(path, "ridges", 0) == 0, "damage: k's location 'ridges'");
    continue_refused(path, "/fields/k: unknown location (expected vertices, faces or edges)", "a field of an unknown location");
    ok(damage(path, "edges", 1) == 0, "damage: k on edges again, /mesh/edges removed");
    continue_refused(path, "/mesh: attribute ne 12 without a [ne][2] dataset /mesh/edges", "a file with ne but no edges");
    /* a file without edge fields has no ne: continued as 0 edges */
    refused_continue(mpath, NFIELD, &MESH_E, "(6 vertices, 8 triangles, 0 edges) is not the run's (6, 8, 12)",
                     "edges for a file without them");
    int64_t shape[3] = {NV, 1, 1};
    const char *sn[] = {"energy"};
    sd_h5decl d = {1, {shape[0], shape[1], shape[2]}, {1, 1, 1}, NFIELD, FNAME, FDT, FNC, 1, sn};
    sd_h5cont at = {5, NULL, 2, 2, -1, 0};
    sd_h5out *o = sd_h5out_continue(mpath, NULL, &at, &d, err, sizeof err);
    OK_ERR(o && sd_h5out_set_mesh(o, &MESH, err, sizeof err) == 0 && sd_h5out_close(o, "completed", 5, 0.0, err, sizeof err) == 0,
           "continue: a file without edge fields (no ne attribute) continues with its mesh");
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
    check_file(path, NFIELD);
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

    /* the same run with fields on the edges */
    check_fixture_edges();
    char epath[600], exmf[600];
    snprintf(epath, sizeof epath, "%s/e.h5", tmpdir);
    snprintf(exmf, sizeof exmf, "%s/e.xmf", tmpdir);
    OK_ERR(edge_run(epath, 7, 0, err, sizeof err) == 0, "the edge run: steps 0, 5 (all fields) and 7 (H and area)");
    check_file(epath, NFIELD_E);
    x = slurp(exmf);
    snprintf(xmf, sizeof xmf, "%s/m.xmf", tmpdir);
    char *mx = slurp(xmf);
    if (ok(x != NULL && mx != NULL, "sidecar %s exists", exmf)) check_sidecar_edges(x, mx);
    free(x);
    free(mx);
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", exmf);
        ok(system(cmd) == 0, "edge sidecar: well-formed XML (xmllint)");
    } else {
        printf("ok %d # SKIP xmllint is not installed (Debian: libxml2-utils)\n", ++tap_n);
    }
    /* edges of a mesh whose vertices never move: the edge grid on the initial positions too */
    snprintf(path, sizeof path, "%s/se.h5", tmpdir);
    o = create_edges(path, err, sizeof err);
    still = MESH_E;
    still.position_field = -1;
    int every[] = {F_X, F_H, F_AREA, F_NORMAL, F_TILT, F_K, F_EVEC, F_K2};
    OK_ERR(o && sd_h5out_set_mesh(o, &still, err, sizeof err) == 0 && write_step(o, 0, every, 8, 1, err, sizeof err) == 0 &&
           sd_h5out_close(o, "completed", 0, 0.0, err, sizeof err) == 0, "edge fields on a mesh without a positions field");
    snprintf(xmf, sizeof xmf, "%s/se.xmf", tmpdir);
    x = slurp(xmf);
    char *b = step_block(x, 0), *ed = inner_grid(b, "edges"), *tri = inner_grid(b, "triangles");
    ok(ed && tri && strstr(ed, "Format=\"HDF\"><!-- step 00000000: edges on initial positions -->se.h5:/mesh/positions</DataItem>") &&
           strstr(tri, "Format=\"HDF\"><!-- step 00000000: initial positions -->se.h5:/mesh/positions</DataItem>"),
       "its grids are on the initial positions, each with its own cache key");
    free(b);
    free(ed);
    free(tri);
    free(x);
    test_edge_refusals();

    snprintf(xmf, sizeof xmf, "%s/m.xmf", tmpdir);
    check_paraview(xmf, NFIELD);
    check_paraview(exmf, NFIELD_E);
    snprintf(path, sizeof path, "%s/m.h5", tmpdir);
    test_edges_continue(path);

    fixture_cleanup();
    return tap_done();
}
