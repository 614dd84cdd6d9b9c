/* t_h5out_mesh_edges.c - the run file of a mesh domain with fields on edges (sd_h5out_set_mesh
 * with an edge list): the fixture's octahedron run of t_h5out_mesh.c with three fields on the edges
 * (1, 2 and 3 components): /mesh/edges and /mesh's ne, the edge fields' [ne] / [c][ne] datasets,
 * every step a spatial collection of the triangle grid (the same text as without edges) and a
 * Polyline grid of the edges with the edge fields as cell attributes (also at a step without edge
 * fields), ParaView's blocks; edge lists refused (none for an edge field, out of range, lower >=
 * higher, out of order); continuing a file with edges (its sidecar then the uninterrupted run's
 * byte for byte), one without (written as before edges existed), damaged ones refused. */
#include "h5out_mesh_check.h"

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
    if (fixture_tmpdir("h5mesh_e") < 0) return 99;

    /* the run without edges, whose sidecar the edge run's triangle grids must repeat */
    char path[600], xmf[600], err[512] = "";
    snprintf(path, sizeof path, "%s/m.h5", tmpdir);
    OK_ERR(write_plain_run(path, NULL, err, sizeof err) == 0, "the run without edge fields (t_h5out_mesh's)");
    sd_h5out *o;
    sd_h5mesh still;
    char *x;

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
    check_xml(exmf, "edge sidecar");
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
    check_paraview(exmf, NFIELD_E);
    snprintf(path, sizeof path, "%s/m.h5", tmpdir);
    test_edges_continue(path);

    fixture_cleanup();
    return tap_done();
}
