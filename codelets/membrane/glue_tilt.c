/* glue_tilt.c - declarations of the membrane tilt codelets (per leaflet: a graph binds one op per
 * leaflet, each with its own tilt field). Glue only: loops in tilt.c and tilt.cu, math in
 * tilt_math.h; definitions in docs/membrane-tilt.md. */
#include "config.h"
#include <float.h>
#include "stardag/codelet.h"
#include "tilt_kernels.h"
#include "tilt_math.h"

/* .cuda only in a library built with CUDA. .cuda_tol 0 for all: the CUDA kernels call the
 * same SD_HD functions in the same order (one thread per face, one per vertex summing its corners in
 * corner order), only + - * / and sqrt (correctly rounded on both sides, no FMA: gcc
 * -ffp-contract=off, nvcc -fmad=false), and the energy is summed exactly on both. */
#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define F64 (1 << SD_F64)
#define V_R(nm, h, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = h, .ncomp = 3, .dtypes = F64, \
                       .location = SD_MESH_VERTICES, .doc = d}
#define V_W(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = F64, \
                    .location = SD_MESH_VERTICES, .doc = d}
#define S_ENERGY(d) {.name = "energy", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, \
                     .optional = 1, .doc = d}

static const sd_codelet tilt_codelets[] = {
    {.name = "membrane.tilt",
     .doc = "tilt energy of one leaflet E = 1/2 k_t sum_v |t_v|^2 A_v (A_v mixed Voronoi area); "
            "tgrad = dE/dt = k_t A_v t_v, grad = dE/dx (through A_v)",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 5,
     .roles = {V_R("x", 1, "vertex positions"), V_R("t", 1, "the leaflet's tilt (tangent vectors)"),
               V_W("tgrad", "dE/dt"), V_W("grad", "dE/dx"), S_ENERGY("tilt energy E")},
     .nparams = 1,
     .params = {{.name = "k_t", .min = 0, .max = 1e300, .required = 1, .doc = "tilt modulus (energy per area)"}},
     .cpu = sd_membrane_tilt_cpu,
     CUDA(sd_membrane_tilt_cuda)
     .cuda_tol = 0,
     .scratch_f = TILT_T_FACE,
     .model = "sd_membrane_tilt"},
    {.name = "membrane.bending_tilt",
     .doc = "bending-tilt energy of one leaflet E = 1/2 kappa sum_v (2 H_v - c0 + D_v)^2 A_v, D_v the "
            "mixed-area-weighted mean of the faces' divergences of the linearly interpolated tilt; "
            "tgrad = dE/dt, grad = dE/dx (exact)",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 5,
     .roles = {V_R("x", 2, "vertex positions"), V_R("t", 2, "the leaflet's tilt (tangent vectors)"),
               V_W("tgrad", "dE/dt"), V_W("grad", "dE/dx"), S_ENERGY("bending-tilt energy E")},
     .nparams = 2,
     .params = {{.name = "kappa", .def = 1, .min = 0, .max = 1e300, .doc = "bending modulus of the leaflet"},
                {.name = "c0", .def = 0, .min = -1e300, .max = 1e300, .doc = "spontaneous curvature (1/length)"}},
     .cpu = sd_membrane_bending_tilt_cpu,
     CUDA(sd_membrane_bending_tilt_cuda)
     .cuda_tol = 0,
     .scratch_v = TILT_BT_VERT,
     .scratch_f = TILT_BT_FACE2,
     .model = "sd_membrane_bending_tilt"},
    /* t-only versions for tilt relaxation at fixed shape: the same energy and tgrad bits (the same
       loops with the x-gradient's work skipped), about half the cost or less. tilt_t reads t on the
       owned vertices only (tgrad_v = k_t A_v t_v: A_v needs the faces at v, i.e. x on ring 1);
       bending_tilt_t keeps halo 2 for both: tgrad_v sums over the faces at v the adjoint
       kappa e_j of each corner j (ring 1), and e_j needs the divergence and geometry of the faces
       at j, whose corners reach ring 2. */
    {.name = "membrane.tilt_t",
     .doc = "membrane.tilt without dE/dx: E = 1/2 k_t sum_v |t_v|^2 A_v and tgrad = k_t A_v t_v, bitwise "
            "membrane.tilt's",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 4,
     .roles = {V_R("x", 1, "vertex positions"), V_R("t", 0, "the leaflet's tilt (tangent vectors)"),
               V_W("tgrad", "dE/dt"), S_ENERGY("tilt energy E")},
     .nparams = 1,
     .params = {{.name = "k_t", .min = 0, .max = 1e300, .required = 1, .doc = "tilt modulus (energy per area)"}},
     .cpu = sd_membrane_tilt_t_cpu,
     CUDA(sd_membrane_tilt_t_cuda)
     .cuda_tol = 0,
     .scratch_f = TILT_T_FACE_AREAS,
     .model = "sd_membrane_tilt_t"},
    {.name = "membrane.bending_tilt_t",
     .doc = "membrane.bending_tilt without dE/dx: E = 1/2 kappa sum_v (2 H_v - c0 + D_v)^2 A_v and "
            "tgrad = dE/dt, bitwise membrane.bending_tilt's",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 4,
     .roles = {V_R("x", 2, "vertex positions"), V_R("t", 2, "the leaflet's tilt (tangent vectors)"),
               V_W("tgrad", "dE/dt"), S_ENERGY("bending-tilt energy E")},
     .nparams = 2,
     .params = {{.name = "kappa", .def = 1, .min = 0, .max = 1e300, .doc = "bending modulus of the leaflet"},
                {.name = "c0", .def = 0, .min = -1e300, .max = 1e300, .doc = "spontaneous curvature (1/length)"}},
     .cpu = sd_membrane_bending_tilt_t_cpu,
     CUDA(sd_membrane_bending_tilt_t_cuda)
     .cuda_tol = 0,
     .scratch_v = TILT_BT_VERT,
     .scratch_f = TILT_BT_FACE2,
     .model = "sd_membrane_bending_tilt_t"},
    {.name = "membrane.tilt_relax",
     .doc = "one explicit tilt relaxation step at fixed shape: t <- P (t - eta tgrad), P the projection "
            "on the tangent plane of the vertex normal (stable while eta * d2E/dt2 < 2: for the tilt "
            "term alone eta k_t A_v < 2)",
     .domain = SD_ON_MESH,
     .pattern = SD_POINTWISE,
     .nroles = 3,
     .roles = {{.name = "t", .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = F64,
                .location = SD_MESH_VERTICES, .doc = "the leaflet's tilt, updated"},
               V_R("tgrad", 0, "dE/dt (sum of the leaflet's tilt terms)"),
               V_R("normal", 0, "vertex normal (any length; membrane.curvature's)")},
     .nparams = 1,
     .params = {{.name = "eta", .min = 0, .max = 1e300, .required = 1, .doc = "step (tilt per unit of dE/dt)"}},
     .cpu = sd_membrane_tilt_relax_cpu,
     CUDA(sd_membrane_tilt_relax_cuda)
     .cuda_tol = 0,
     .model = "sd_membrane_tilt_relax"},
};

void sd_register_membrane_tilt_codelets(void)
{
    sd_codelet_register_table("membrane", tilt_codelets, sizeof tilt_codelets / sizeof tilt_codelets[0]);
}
