/* glue_edges.c - declarations of the membrane ops on mesh edges (fields with `location: edges`):
 * edge lengths and signed dihedral angles with the integrated mean curvature, sums of an edge
 * field over each vertex's edges, and the tether (edge spring) energy with its exact gradient.
 * Kernels in edges.c / edges.cu, formulas in docs/membrane.md ("Edges").
 *
 * Edge fields have no ghost exchange (stardag/kernel.h, sd_mpart): membrane.edge_geometry writes
 * every local edge, not only the owned ones, so that an op summing over a vertex's edges (edge_sum,
 * tether) sees, in every partition, the values of all of its vertices' edges. That needs the
 * ring-2 positions (an edge with an end in ring 1 may have its other end and its faces' third
 * corners there): x has halo 2.
 *
 * .cuda_tol 0: the CUDA kernels call the same SD_HD functions (edge_math.h) in the same order, with
 * + - * / and sqrt (correctly rounded on both sides, no FMA) and detmath.h's sd_atan2 (built from
 * those), sum each vertex's edges in vedge order and fold scalars exactly (sd_acc): bitwise equal. */
#include "edge_kernels.h"
#include "glue_roles.h"

static const sd_codelet edge_codelets[] = {
    {.name = "membrane.edge_geometry",
     .doc = "edge diagnostics of every local edge: length l and signed dihedral angle theta between the outward "
            "normals of its two faces (> 0 where the surface is convex); total_length = sum l, mean_curvature = "
            "sum l theta / 2 (the integrated mean curvature, 4 pi R on a sphere), exact sums over owned edges",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD, /* field writes and scalar sums, as membrane.face_geometry */
     .nroles = 5,
     .roles = {X_R(2), E_W("length", "edge length l_e"),
               E_W("dihedral", "signed dihedral angle theta_e in [-pi, pi] (> 0 convex)"),
               S_OPT("total_length", "sum of the edge lengths"),
               S_OPT("mean_curvature", "integrated mean curvature sum_e l_e theta_e / 2")},
     .cpu = sd_membrane_edge_geometry_cpu,
     CUDA(sd_membrane_edge_geometry_cuda)
     .model = "sd_membrane_edge_geometry",
     .cuda_tol = 0},
    {.name = "membrane.edge_sum",
     .doc = "out_v = a * sum of the edge field w over vertex v's edges (in increasing global edge id: independent "
            "of the partition), owned vertices (with w = length * dihedral / 2: Juelicher's per-vertex integrated "
            "mean curvature)",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD, /* per-edge values gathered into vertices in a fixed order */
     .nroles = 2,
     .roles = {E_R("w", "edge field summed (every local edge written, as membrane.edge_geometry does)"),
               V_W("out", 1, "a * sum of w over the vertex's edges")},
     .nparams = 1,
     .params = {{.name = "a", .def = 1, .min = -BIG, .max = BIG, .doc = "factor of the sum"}},
     .cpu = sd_membrane_edge_sum_cpu,
     CUDA(sd_membrane_edge_sum_cuda)
     .model = "sd_membrane_edge_sum",
     .cuda_tol = 0},
    {.name = "membrane.tether",
     .doc = "tether (edge spring) energy 1/2 k sum_e (l_e - l0_e)^2 over the edges and its exact gradient "
            "dE/dx_v = sum_{e at v} k (l_e - l0_e) (x_v - x_u) / l_e",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 4,
     .roles = {X_R(1), E_R("l0", "rest lengths (every local edge written, e.g. membrane.edge_geometry's length)"),
               V_W("grad", 3, "dE/dx"), S_SUM("energy", "1/2 k sum_e (l_e - l0_e)^2")},
     .nparams = 1,
     .params = {{.name = "k", .def = 1, .min = 0, .max = BIG, .doc = "spring constant"}},
     .cpu = sd_membrane_tether_cpu,
     CUDA(sd_membrane_tether_cuda)
     .model = "sd_membrane_tether",
     .cuda_tol = 0},
};

void sd_register_membrane_edge_codelets(void)
{
    sd_codelet_register_table("membrane", edge_codelets, sizeof edge_codelets / sizeof *edge_codelets);
}
