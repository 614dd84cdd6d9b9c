/* glue_newton.c - declarations of the membrane Newton minimiser's ops: membrane.newton (a
 * whole-mesh op: the Hessian's assembly and its sparse factorisation see every vertex) and
 * membrane.newton_accept (scalars). Kernels in newton.c, the decision's math in minimise_math.h;
 * docs/membrane-minimise.md, "Newton steps". CPU only: the factorisation is CHOLMOD's. */
#include <float.h>
#include <stdio.h>
#include "glue_roles.h"
#include "minimise_kernels.h"

#define VEC_R(nm, d) FIELD_ROLE(nm, SD_READ, 3, SD_MESH_VERTICES, d)
#define SC(nm, md, d) {.name = nm, .mode = md, .kind = SD_ROLE_SCALAR, .doc = d}
#define P_LM0 {.name = "lm0", .def = 1, .min = DBL_MIN, .max = BIG, \
               .doc = "the first shift (lm, in energy / length^4: H + lm M)"}

static int newton_validate(const sd_check_info *info, char *msg, size_t len)
{
    (void)info;
#ifdef SD_HAVE_CHOLMOD
    (void)msg, (void)len;
    return 0;
#else
    snprintf(msg, len, "membrane.newton needs CHOLMOD, and this stardag was built without it (Debian: apt-get "
             "install libsuitesparse-dev, then configure again)");
    return -1;
#endif
}

static const sd_codelet newton_codelets[] = {
    {.name = "membrane.newton_init",
     .doc = "the Newton minimiser's state before the first step: lm = lm0",
     .domain = SD_ON_MESH,
     .pattern = SD_WHOLE,
     .nroles = 1,
     .roles = {SC("lm", SD_WRITE, "Levenberg-Marquardt shift")},
     .nparams = 1,
     .params = {P_LM0},
     .cpu = sd_membrane_newton_init_cpu,
     .model = "sd_membrane_newton_init"},
    {.name = "membrane.newton",
     .doc = "a Newton direction for motion along the vertex normals: d = dphi n, (H + lm M) dphi = -dE/dphi on the "
            "volume constraint's tangent (H the Lagrangian's Hessian from differences of membrane.energy's gradient, "
            "M the vertex areas, lm raised until H + lm M is positive definite); pred = the model's energy change",
     .domain = SD_ON_MESH,
     .pattern = SD_WHOLE,
     .nroles = 8,
     .roles = {VEC_R("x", "vertex positions"), VEC_R("g", "dE/dx (membrane.energy)"),
               VEC_R("vgrad", "dV/dx (membrane.energy)"), VEC_R("n", "unit vertex normals (membrane.curvature)"),
               FIELD_ROLE("area", SD_READ, 1, SD_MESH_VERTICES, "vertex areas (membrane.curvature): the shift's metric"),
               SC("lm", SD_READWRITE, "Levenberg-Marquardt shift (raised here until the matrix is positive definite)"),
               FIELD_ROLE("d", SD_WRITE, 3, SD_MESH_VERTICES, "the step: dphi n (0 where no shift up to lm_max worked)"),
               SC("pred", SD_WRITE, "predicted energy change of the full step (0: no step)")},
     .nparams = 9,
     .params = {ALL_PARAMS,
                {.name = "fix", .def = 1, .min = 0, .max = 1, .doc = "1: keep the volume (to first order); 0: free"},
                P_LM0,
                {.name = "fd", .def = 1e-4, .min = 1e-12, .max = 1e-1,
                 .doc = "difference step of the Hessian's columns, relative to the mean edge length"},
                {.name = "lm_max", .def = 1e12, .min = DBL_MIN, .max = BIG,
                 .doc = "largest shift tried; above it the op writes no step, and keeps writing none while "
                        "lm stays above (stop the graph on lm > lm_max: run.until)"}},
     .cpu = sd_membrane_newton_cpu,
     .validate = newton_validate,
     .model = "sd_membrane_newton"},
    {.name = "membrane.newton_accept",
     .doc = "accepts the first restored trial of a Newton step with a sufficient decrease against the model (pred) and "
            "adapts the shift lm as a trust region does",
     .domain = SD_ON_MESH,
     .pattern = SD_WHOLE,
     .nroles = 11,
     .roles = {SC("merit", SD_READ, "E(x)"), SC("pred", SD_READ, "membrane.newton's predicted change"),
               SC("gg", SD_READ, "gp . gp"), SC("L0", SD_READ, "E at the full restored step"),
               SC("L1", SD_READ, "at 1/2"), SC("L2", SD_READ, "at 1/4"), SC("L3", SD_READ, "at 1/8"),
               SC("alpha", SD_READ, "the trials' first step (1)"), SC("lm", SD_READWRITE, "the shift"),
               SC("step", SD_WRITE, "accepted step (alpha 2^-k), 0: none"), SC("k", SD_WRITE, "accepted trial, -1: none")},
     .nparams = 4,
     .params = {{.name = "c1", .def = 1e-4, .min = 0, .max = 0.5, .doc = "sufficient-decrease constant"},
                {.name = "tol", .def = 1e-6, .min = 0, .max = 1e100, .doc = "converged when |gp| = sqrt(gg) <= tol"},
                P_LM0,
                {.name = "lm_min", .def = 1e-12, .min = 0, .max = BIG, .doc = "the shift is not lowered below this"}},
     .cpu = sd_membrane_newton_accept_cpu,
     .model = "sd_membrane_newton_accept"},
};

void sd_register_membrane_newton_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_codelet_register_table("membrane", newton_codelets, sizeof newton_codelets / sizeof newton_codelets[0]);
}
