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
 * The same run with fields on edges: t_h5out_mesh_edges.c. Refusals, a kill, a large mesh and a
 * full disk: t_h5out_mesh_faults.c. */
#include "h5out_mesh_check.h"

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


static char plain_xmf[600];

/* Between step 0's two commits: H alone is committed, so the sidecar still shows the initial
 * positions. */
static void after_h(void)
{
    char *x = slurp(plain_xmf);
    check_geometry(x, 0, "initial", "the initial positions while no positions step is committed");
    free(x);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (fixture_tmpdir("h5mesh") < 0) return 99;

    char path[600], xmf[600], err[512] = "";
    snprintf(path, sizeof path, "%s/m.h5", tmpdir);
    snprintf(plain_xmf, sizeof plain_xmf, "%s/m.xmf", tmpdir);
    OK_ERR(write_plain_run(path, after_h, err, sizeof err) == 0,
           "octahedron, positions field x: step 0 (H committed first, then the rest), 5 (every field), 7 (H and area)");
    check_file(path, NFIELD);
    char *x = slurp(plain_xmf);
    if (ok(x != NULL, "sidecar %s exists", plain_xmf)) check_sidecar_final(x);
    free(x);
    check_xml(plain_xmf, "sidecar");

    /* a mesh whose vertices never move: every step on the initial positions */
    int all[] = {F_X, F_H, F_AREA, F_NORMAL, F_TILT};
    snprintf(path, sizeof path, "%s/s.h5", tmpdir);
    sd_h5out *o = create(path, err, sizeof err);
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

    check_paraview(plain_xmf, NFIELD);
    fixture_cleanup();
    return tap_done();
}
