/* register.c - the mesh pack: generic vertex ops of any mesh domain (test inputs, perturbed
 * meshes, sums) and noise and products on edge fields. Kernels in ops.c / ops.cu. .cuda_tol 0: the
 * same integer hash and one multiply-add (or product) per value, no FMA (nvcc -fmad=false), sums
 * exact. */
#include "config.h"
#include "mesh_ops.h"

#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define P_SEED {.name = "seed", .def = 1, .min = 0, .max = 9007199254740992.0, .doc = "integer seed"}

static const sd_codelet mesh_codelets[] = {
    {.name = "mesh.noise",
     .doc = "out = lo + (hi-lo)*u on every owned vertex, u uniform in [0,1) hashed (splitmix64) from the seed, the "
            "component and the global vertex id: independent of the partition",
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {{.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .doc = "vertex field (any components)"}},
     .nparams = 3,
     .params = {P_SEED, {.name = "lo", .def = -1, .min = -1e300, .max = 1e300, .doc = "lower bound"},
                {.name = "hi", .def = 1, .min = -1e300, .max = 1e300, .doc = "upper bound"}},
     .cpu = sd_mesh_noise_cpu,
     CUDA(sd_mesh_noise_cuda)
     .model = "stardag.mesh.noise",
     .domain = SD_ON_MESH},
    {.name = "mesh.edge_noise",
     .doc = "out = lo + (hi-lo)*u on every local edge (owned or not: edge fields have no ghost exchange), u as "
            "mesh.noise's hashed from the seed, the component and the global edge id: independent of the partition",
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {{.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .location = SD_MESH_EDGES,
                .doc = "edge field (any components)"}},
     .nparams = 3,
     .params = {P_SEED, {.name = "lo", .def = -1, .min = -1e300, .max = 1e300, .doc = "lower bound"},
                {.name = "hi", .def = 1, .min = -1e300, .max = 1e300, .doc = "upper bound"}},
     .cpu = sd_mesh_edge_noise_cpu,
     CUDA(sd_mesh_edge_noise_cuda)
     .model = "stardag.mesh.edge_noise",
     .domain = SD_ON_MESH},
    {.name = "mesh.edge_mul",
     .doc = "out = a*u*w on every local edge (edge fields, one component; u and w written on every local edge, as "
            "membrane.edge_geometry's length and dihedral are): e.g. l theta / 2 per edge for membrane.edge_sum",
     .pattern = SD_POINTWISE,
     .nroles = 3,
     .roles = {{.name = "u", .mode = SD_READ, .kind = SD_ROLE_FIELD, .ncomp = 1, .dtypes = 1 << SD_F64,
                .location = SD_MESH_EDGES, .doc = "edge field"},
               {.name = "w", .mode = SD_READ, .kind = SD_ROLE_FIELD, .ncomp = 1, .dtypes = 1 << SD_F64,
                .location = SD_MESH_EDGES, .doc = "edge field"},
               {.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 1, .dtypes = 1 << SD_F64,
                .location = SD_MESH_EDGES, .doc = "a*u*w"}},
     .nparams = 1,
     .params = {{.name = "a", .def = 1, .min = -1e300, .max = 1e300, .doc = "factor"}},
     .cpu = sd_mesh_edge_mul_cpu,
     CUDA(sd_mesh_edge_mul_cuda)
     .model = "stardag.mesh.edge_mul",
     .domain = SD_ON_MESH},
    {.name = "mesh.perturb",
     .doc = "x += amp*(2u-1) on every owned vertex (u as mesh.noise): a randomly perturbed mesh that does not depend "
            "on the partition",
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {{.name = "x", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .doc = "vertex field (positions)"}},
     .nparams = 2,
     .params = {P_SEED, {.name = "amp", .def = 0.01, .min = 0, .max = 1e300, .doc = "largest displacement per component"}},
     .cpu = sd_mesh_perturb_cpu,
     CUDA(sd_mesh_perturb_cuda)
     .model = "stardag.mesh.perturb",
     .domain = SD_ON_MESH},
    {.name = "mesh.axpy",
     .doc = "y += a*x on every owned vertex (x and y with the same components): several terms' gradients into one",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {{.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .doc = "vertex field"},
               {.name = "y", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .doc = "vertex field, added to"}},
     .nparams = 1,
     .params = {{.name = "a", .def = 1, .min = -1e300, .max = 1e300, .doc = "factor of x"}},
     .cpu = sd_mesh_axpy_cpu,
     CUDA(sd_mesh_axpy_cuda)
     .model = "stardag.mesh.axpy",
     .domain = SD_ON_MESH},
    {.name = "mesh.along",
     .doc = "out = (x.n / n.n) n on every owned vertex (0 where n = 0): the part of a vector field along the normals "
            "(a gradient's normal part, for normal motion only)",
     .pattern = SD_POINTWISE,
     .nroles = 3,
     .roles = {{.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = 1 << SD_F64, .doc = "vector field"},
               {.name = "n", .mode = SD_READ, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = 1 << SD_F64, .doc = "normals (any length)"},
               {.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = 1 << SD_F64, .doc = "x's part along n"}},
     .cpu = sd_mesh_along_cpu,
     CUDA(sd_mesh_along_cuda)
     .model = "stardag.mesh.along",
     .domain = SD_ON_MESH},
    {.name = "mesh.dot",
     .doc = "dot = sum over owned vertices and components of x*y, exact",
     .pattern = SD_REDUCTION,
     .nroles = 3,
     .roles = {{.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .doc = "vertex field"},
               {.name = "y", .mode = SD_READ, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .doc = "vertex field (x's components)"},
               {.name = "dot", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .doc = "the dot product"}},
     .cpu = sd_mesh_dot_cpu,
     CUDA(sd_mesh_dot_cuda)
     .model = "stardag.mesh.dot",
     .domain = SD_ON_MESH},
    {.name = "mesh.sum",
     .doc = "sum = sum over owned vertices and components of scale*x, exact",
     .pattern = SD_REDUCTION,
     .nroles = 2,
     .roles = {{.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .dtypes = 1 << SD_F64, .doc = "vertex field"},
               {.name = "sum", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .doc = "the sum"}},
     .nparams = 1,
     .params = {{.name = "scale", .def = 1, .min = -1e300, .max = 1e300, .doc = "factor of every term"}},
     .cpu = sd_mesh_sum_cpu,
     CUDA(sd_mesh_sum_cuda)
     .model = "stardag.mesh.sum",
     .domain = SD_ON_MESH},
};

void sd_register_mesh_codelets(void)
{
    sd_codelet_register_table("mesh", mesh_codelets, sizeof mesh_codelets / sizeof mesh_codelets[0]);
}
