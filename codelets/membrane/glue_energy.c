/* glue_energy.c - declarations of the membrane energy ops (mesh domains): geometry diagnostics,
 * area/volume, Helfrich bending (+ Gaussian), tension, volume, the minimiser's one-pass energy and
 * the line search's trial volumes and trial energies. Kernels in energy.c / energy.cu, formulas in docs/membrane.md.
 *
 * .cuda_tol 0: the CUDA kernels call the same SD_HD stages (energy_math.h) in the same order, with
 * + - * / and sqrt only (correctly rounded on both sides, no FMA: -ffp-contract=off, nvcc
 * -fmad=false), sum each vertex's corners in its corner order and fold scalars exactly (sd_acc):
 * bitwise equal, the Gaussian term's corner angles too (detmath.h's atan2, not libm's, which CUDA
 * and glibc round differently). */
#include "energy_kernels.h"
#include "glue_roles.h"
#include "energy_math.h"

#define D_R_NAMED(nm, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = 1, .ncomp = 3, \
                         .dtypes = 1 << SD_F64, .location = SD_MESH_VERTICES, .doc = d}
#define D_R(d) D_R_NAMED("d", d)

static const sd_codelet energy_codelets[] = {
    {.name = "membrane.curvature",
     .doc = "vertex diagnostics: Meyer's mixed area A_v, mean curvature H_v = s|K_v|/(2 A_v) from the cotangent "
            "Laplacian K_v (H > 0 on a sphere), unit area-weighted vertex normal",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 4,
     .roles = {X_R(1), V_W("area", 1, "mixed (Voronoi) vertex area A_v"), V_W("H", 1, "mean curvature H_v"),
               V_W("normal", 3, "unit vertex normal (area-weighted face normals)")},
     .cpu = sd_membrane_curvature_cpu,
     CUDA(sd_membrane_curvature_cuda)
     .model = "sd_membrane_curvature",
     .scratch_f = MB_FS_SLOTS}, /* AoS stride (energy_math.h) */
    {.name = "membrane.measure",
     .doc = "total area sum_f A_f and enclosed volume sum_f x0.(x1 x x2)/6 (exact sums over owned faces)",
     .domain = SD_ON_MESH,
     .pattern = SD_REDUCTION,
     .nroles = 3,
     .roles = {X_R(1), S_SUM("area", "total area"), S_SUM("volume", "enclosed volume")},
     .cpu = sd_membrane_measure_cpu,
     CUDA(sd_membrane_measure_cuda)
     .model = "sd_membrane_measure"},
    {.name = "membrane.face_geometry",
     .doc = "face diagnostics of the owned faces: area A_f = |(x1-x0) x (x2-x0)|/2 and unit outward normal; "
            "total = sum_f A_f (exact, bitwise membrane.measure's area)",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD, /* reads ring-1 corners of owned faces (halo 1) */
     .nroles = 4,
     .roles = {X_R(1), F_W("area", 1, "face area A_f"), F_W("normal", 3, "unit outward face normal"),
               S_OPT("total", "total area (exact sum over the owned faces)")},
     .cpu = sd_membrane_face_geometry_cpu,
     CUDA(sd_membrane_face_geometry_cuda)
     .model = "sd_membrane_face_geometry"},
    {.name = "membrane.bending",
     .doc = "Helfrich energy sum_v 1/2 kappa (2H_v - c0)^2 A_v + kappa_G sum_v (2 pi - angles at v) and its exact "
            "gradient (the Gaussian term's is 0 on a closed surface)",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 4,
     .roles = {X_R(2), V_W("grad", 3, "dE/dx"), S_SUM("energy", "bending + Gaussian energy"),
               S_OPT("gauss", "the Gaussian part")},
     .nparams = 3,
     .params = {P_KAPPA, P_C0, P_KAPPA_G},
     .cpu = sd_membrane_bending_cpu,
     CUDA(sd_membrane_bending_cuda)
     .model = "sd_membrane_bending",
     .scratch_v = MB_VS_SLOTS,
     .scratch_f = MB_FS_SLOTS,
     .cuda_tol = 0},
    {.name = "membrane.tension",
     .doc = "surface tension energy gamma sum_f A_f and its gradient",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 3,
     .roles = {X_R(1), V_W("grad", 3, "dE/dx"), S_SUM("energy", "gamma A")},
     .nparams = 1,
     .params = {P_GAMMA(1, "surface tension")},
     .cpu = sd_membrane_tension_cpu,
     CUDA(sd_membrane_tension_cuda)
     .model = "sd_membrane_tension",
     .scratch_f = MB_FS_SLOTS},
    {.name = "membrane.volume",
     .doc = "enclosed volume V and its gradient dV/dx; vv = sum_v |dV/dx_v|^2",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 4,
     .roles = {X_R(1), V_W("vgrad", 3, "dV/dx"), S_SUM("volume", "enclosed volume"),
               S_OPT("vv", "sum_v |dV/dx_v|^2")},
     .cpu = sd_membrane_volume_cpu,
     CUDA(sd_membrane_volume_cuda)
     .model = "sd_membrane_volume",
     .scratch_f = MB_FS_SLOTS},
    {.name = "membrane.energy",
     .doc = "the minimiser's energy in one pass: E = bending (+ Gaussian) + gamma A - p V with its gradient, dV/dx, "
            "and the sums a volume-constraint projection needs",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 8,
     .roles = {X_R(2), V_W("grad", 3, "dE/dx"), V_W("vgrad", 3, "dV/dx"), S_SUM("energy", "E"),
               S_OPT("area", "total area"), S_OPT("volume", "enclosed volume"), S_OPT("vv", "sum_v |dV/dx_v|^2"),
               S_OPT("gv", "sum_v dE/dx_v . dV/dx_v")},
     .nparams = 5,
     .params = {ALL_PARAMS},
     .cpu = sd_membrane_energy_cpu,
     CUDA(sd_membrane_energy_cuda)
     .model = "sd_membrane_energy",
     .scratch_v = MB_VS_SLOTS,
     .scratch_f = MB_FS_SLOTS,
     .cuda_tol = 0},
    {.name = "membrane.trial_volume",
     .doc = "a line search's four unrestored trial volumes in one pass: V_k = V(x + alpha 2^-k d), k = 0..3 "
            "(exact sums over owned faces; membrane.trial_lambda turns them into the restoring steps)",
     .domain = SD_ON_MESH,
     .pattern = SD_REDUCTION,
     .nroles = 7,
     .roles = {X_R(1), D_R("search direction"), S_R("alpha", "first trial step"),
               S_SUM("V0", "volume at x + alpha d"), S_SUM("V1", "at alpha/2"), S_SUM("V2", "at alpha/4"),
               S_SUM("V3", "at alpha/8")},
     .cpu = sd_membrane_trial_volume_cpu,
     CUDA(sd_membrane_trial_volume_cuda)
     .model = "sd_membrane_trial_volume"},
    {.name = "membrane.trial_energy",
     .doc = "a line search's four trials in one pass: L_k = E(y_k) at the volume-restored points "
            "y_k = x + alpha 2^-k d + lam_k vgrad, k = 0..3 (E as membrane.energy, bitwise its energy at y_k; "
            "energy only)",
     .domain = SD_ON_MESH,
     .pattern = SD_SCATTER_ADD,
     .nroles = 12,
     .roles = {X_R(1), D_R("search direction"), D_R_NAMED("vgrad", "dV/dx at x (membrane.energy): the restoring direction"),
               S_R("alpha", "first trial step"), S_R("lam0", "restoring step of trial 0 (membrane.trial_lambda)"),
               S_R("lam1", "of trial 1"), S_R("lam2", "of trial 2"), S_R("lam3", "of trial 3"),
               S_SUM("L0", "energy at step alpha"), S_SUM("L1", "at alpha/2"), S_SUM("L2", "at alpha/4"),
               S_SUM("L3", "at alpha/8")},
     .nparams = 5,
     .params = {ALL_PARAMS},
     .cpu = sd_membrane_trial_energy_cpu,
     CUDA(sd_membrane_trial_energy_cuda)
     .model = "sd_membrane_trial_energy",
     .scratch_v = 3,
     .scratch_f = MB_FS_SLOTS,
     .cuda_tol = 0},
};

void sd_register_membrane_energy_codelets(void)
{
    sd_codelet_register_table("membrane", energy_codelets, sizeof energy_codelets / sizeof *energy_codelets);
}
