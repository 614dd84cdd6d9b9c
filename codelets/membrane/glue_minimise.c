/* glue_minimise.c - declarations of the membrane minimiser ops (one iteration = one graph step;
 * docs/membrane-minimise.md). Glue only: loops in minimise.c / minimise.cu, math in
 * minimise_math.h. */
#include "config.h"
#include <float.h>
#include "stardag/codelet.h"
#include "minimise_kernels.h"

/* .cuda only in a library built with CUDA. .cuda_tol = 0: the CUDA kernels do the same IEEE
 * operations (+ - * /, comparisons) in the same order (nvcc -fmad=false, gcc -ffp-contract=off)
 * and the reductions add the same products exactly, so CPU and CUDA agree bitwise. trial_lambda,
 * armijo and line_init are ops of scalars only (one task of a few flops): CPU only. */
#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define VEC(nm, md, d)                                                                                   \
    {.name = nm, .mode = md, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = 1 << SD_F64,                   \
     .location = SD_MESH_VERTICES, .doc = d}
#define SC_R(nm, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_SCALAR, .doc = d}
#define SC_W(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .doc = d}
#define SC_RW(nm, d) {.name = nm, .mode = SD_READWRITE, .kind = SD_ROLE_SCALAR, .doc = d}
#define SC_SUM(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .doc = d}
#define P_FIX                                                                                            \
    {.name = "fix", .def = 1, .min = 0, .max = 1, .doc = "1: hold the volume at v0 (project out vgrad, restore the trials); 0: free volume"}
#define P_TOL                                                                                            \
    {.name = "tol", .def = 1e-6, .min = 0, .max = 1e100,                                               \
     .doc = "converged when |gp| = sqrt(gg) <= tol (the same value in membrane.direction and membrane.armijo)"}

static const sd_codelet membrane_minimise_codelets[] = {
    {.name = "membrane.cg_reset",
     .doc = "d = 0, gprev = 0: a fresh search (init), the first direction is then -gp",
     .domain = SD_ON_MESH,
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {VEC("d", SD_WRITE, "search direction"), VEC("gprev", SD_WRITE, "the previous step's gp")},
     .cpu = sd_membrane_cg_reset_cpu,
     CUDA(sd_membrane_cg_reset_cuda)
     .cuda_tol = 0,
     .model = "sd_membrane_cg_reset"},
    {.name = "membrane.line_init",
     .doc = "the line search's state before the first step: alpha = alpha0, restart = 1, gg = +inf (not converged)",
     .domain = SD_ON_MESH,
     .pattern = SD_WHOLE,
     .nroles = 3,
     .roles = {SC_W("alpha", "first trial step"), SC_W("restart", "restart flag"), SC_W("gg", "gp . gp (unknown)")},
     .nparams = 1,
     .params = {{.name = "alpha0", .min = DBL_MIN, .max = 1e300, .required = 1,
                 .doc = "first trial step (as membrane.armijo's alpha0)"}},
     .cpu = sd_membrane_line_init_cpu,
     .model = "sd_membrane_line_init"},
    {.name = "membrane.project",
     .doc = "projected gradient gp = g - mu vgrad, mu = gv / vv (0 when fix = 0 or vv = 0)",
     .domain = SD_ON_MESH,
     .pattern = SD_POINTWISE,
     .nroles = 5,
     .roles = {VEC("g", SD_READ, "energy gradient"), VEC("vgrad", SD_READ, "volume gradient"),
               SC_R("gv", "g . vgrad"), SC_R("vv", "|vgrad|^2"), VEC("gp", SD_WRITE, "projected gradient")},
     .nparams = 1,
     .params = {P_FIX},
     .cpu = sd_membrane_project_cpu,
     CUDA(sd_membrane_project_cuda)
     .cuda_tol = 0,
     .model = "sd_membrane_project"},
    {.name = "membrane.cg_dots",
     .doc = "the conjugate-gradient dot products gg = gp.gp, gq = gp.gprev, qq = gprev.gprev (exact sums)",
     .domain = SD_ON_MESH,
     .pattern = SD_REDUCTION,
     .nroles = 5,
     .roles = {VEC("gp", SD_READ, "projected gradient"), VEC("gprev", SD_READ, "the previous step's gp"),
               SC_SUM("gg", "gp . gp"), SC_SUM("gq", "gp . gprev"), SC_SUM("qq", "gprev . gprev")},
     .cpu = sd_membrane_cg_dots_cpu,
     CUDA(sd_membrane_cg_dots_cuda)
     .cuda_tol = 0,
     .model = "sd_membrane_cg_dots"},
    {.name = "membrane.direction",
     .doc = "search direction d = -gp + beta d, beta = max(0, (gg - gq) / qq) (Polak-Ribiere+; 0 for method 0, "
            "a restart or qq = 0), then gprev = gp; nothing once sqrt(gg) <= tol",
     .domain = SD_ON_MESH,
     .pattern = SD_POINTWISE,
     .nroles = 7,
     .roles = {VEC("gp", SD_READ, "projected gradient"), VEC("d", SD_READWRITE, "search direction"),
               VEC("gprev", SD_READWRITE, "the previous gp (set to gp)"), SC_R("gg", "gp . gp"),
               SC_R("gq", "gp . gprev"), SC_R("qq", "gprev . gprev"),
               SC_R("restart", "non-zero: beta = 0 (membrane.armijo's flag)")},
     .nparams = 2,
     .params = {{.name = "method", .def = 1, .min = 0, .max = 1, .doc = "0: steepest descent; 1: Polak-Ribiere+ CG"},
                P_TOL},
     .cpu = sd_membrane_direction_cpu,
     CUDA(sd_membrane_direction_cuda)
     .cuda_tol = 0,
     .model = "sd_membrane_direction"},
    {.name = "membrane.slope",
     .doc = "the slope along d: s = gp . d, the energy's along the volume-restored trials (exact sum; s >= 0: "
            "not a descent direction)",
     .domain = SD_ON_MESH,
     .pattern = SD_REDUCTION,
     .nroles = 3,
     .roles = {VEC("gp", SD_READ, "projected gradient"), VEC("d", SD_READ, "search direction"),
               SC_SUM("s", "gp . d")},
     .cpu = sd_membrane_slope_cpu,
     CUDA(sd_membrane_slope_cuda)
     .cuda_tol = 0,
     .model = "sd_membrane_slope"},
    {.name = "membrane.trial_lambda",
     .doc = "the line search's volume restorations: lam_k = (v0 - V_k) / vv for the trials k = 0..3 "
            "(one Newton step along vgrad onto the volume v0; 0 when fix = 0 or vv = 0)",
     .domain = SD_ON_MESH,
     .pattern = SD_WHOLE,
     .nroles = 10,
     .roles = {SC_R("v0", "target volume"), SC_R("vv", "|vgrad|^2 at x (membrane.energy)"),
               SC_R("V0", "volume at x + alpha d (membrane.trial_volume)"), SC_R("V1", "at x + alpha/2 d"),
               SC_R("V2", "at x + alpha/4 d"), SC_R("V3", "at x + alpha/8 d"),
               SC_W("lam0", "restoring step of trial 0"), SC_W("lam1", "of trial 1"), SC_W("lam2", "of trial 2"),
               SC_W("lam3", "of trial 3")},
     .nparams = 1,
     .params = {P_FIX},
     .cpu = sd_membrane_trial_lambda_cpu,
     .model = "sd_membrane_trial_lambda"},
    {.name = "membrane.armijo",
     .doc = "backtracking (Armijo) choice of the step among alpha 2^-k, k = 0..3: the first with "
            "Lk <= merit + c1 alpha 2^-k s; next alpha = alpha grow (k = 0) or alpha 2^-k; none: step 0, "
            "alpha 2^-4, restart; converged, alpha <= 0 (then alpha = alpha0) or s >= 0: step 0 (k = -1)",
     .domain = SD_ON_MESH,
     .pattern = SD_WHOLE,
     .nroles = 11,
     .roles = {SC_R("merit", "the value at x the trials must lower (the energy E(x))"), SC_R("s", "slope gp . d"),
               SC_R("gg", "gp . gp"), SC_R("L0", "trial value at alpha (membrane.trial_energy)"),
               SC_R("L1", "at alpha/2"), SC_R("L2", "at alpha/4"), SC_R("L3", "at alpha/8"),
               SC_RW("alpha", "first trial step (0 in a fresh graph)"), SC_W("step", "accepted step, or 0"),
               SC_W("restart", "1: the next direction restarts (beta = 0)"),
               SC_W("k", "the accepted trial (0..3), -1 for none")},
     .nparams = 4,
     .params = {{.name = "c1", .def = 1e-4, .min = 0, .max = 0.5, .doc = "sufficient-decrease constant"},
                {.name = "grow", .def = 2, .min = 1, .max = 1e3, .doc = "alpha's growth after a full step (k = 0)"},
                {.name = "alpha0", .min = DBL_MIN, .max = 1e300, .required = 1,
                 .doc = "first trial step, taken when alpha is not > 0 (in length^2/energy: a step is alpha |d|)"},
                P_TOL},
     .cpu = sd_membrane_armijo_cpu,
     .model = "sd_membrane_armijo"},
    {.name = "membrane.step",
     .doc = "moves x to the accepted trial: x = x + step d + lam_k vgrad (membrane_restored_position, as "
            "membrane.trial_energy: the accepted state is the evaluated trial bitwise); k < 0 or step 0: no-op",
     .domain = SD_ON_MESH,
     .pattern = SD_POINTWISE,
     .nroles = 9,
     .roles = {VEC("x", SD_READWRITE, "vertex positions"), VEC("d", SD_READ, "search direction"),
               VEC("vgrad", SD_READ, "dV/dx at x (the trials' restoring direction)"),
               SC_R("step", "accepted step (membrane.armijo)"), SC_R("k", "accepted trial (membrane.armijo), -1: none"),
               SC_R("lam0", "restoring step of trial 0 (membrane.trial_lambda)"), SC_R("lam1", "of trial 1"),
               SC_R("lam2", "of trial 2"), SC_R("lam3", "of trial 3")},
     .cpu = sd_membrane_step_cpu,
     CUDA(sd_membrane_step_cuda)
     .cuda_tol = 0,
     .model = "sd_membrane_step"},
};

void sd_register_membrane_minimise_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_codelet_register_table("membrane", membrane_minimise_codelets,
                              sizeof membrane_minimise_codelets / sizeof membrane_minimise_codelets[0]);
}
