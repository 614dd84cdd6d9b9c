/* register.c - the md pack's declarations (particle domains): names, roles, parameters,
 * patterns, model symbols. Glue in ops.c, kernels in the other files of this folder.
 * .cuda_tol: 0 (bitwise) everywhere: +, -, *, / and sqrt only (correctly rounded on both), in the
 * order of md_math.h, no FMA (nvcc -fmad=false, gcc -ffp-contract=off), forces summed in the fixed
 * lane order, energies and virial summed exactly. Langevin's Gaussians use md_log, not libm. */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include "md_ops.h"

#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define V3_R(nm, h, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = h, .ncomp = 3, \
                         .dtypes = 1 << SD_F64, .doc = d}
#define V3_W(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = 1 << SD_F64, .doc = d}
#define V3_RW(nm, d) {.name = nm, .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .ncomp = 3, .dtypes = 1 << SD_F64, .doc = d}
#define S_SUM(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .doc = d}
#define S_OPT(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .optional = 1, .doc = d}
#define P_CELLS(nm, ax) {.name = nm, .min = 1, .max = 1e6, .required = 1, .doc = "fcc unit cells along " ax}
#define P_SEED {.name = "seed", .def = 12345, .min = 0, .max = 9007199254740992.0, .doc = "random seed (integer)"}
#define P_TEMP(d) {.name = "T", .min = 0, .max = 1e30, .required = 1, .doc = d}

int sd_md_fcc_validate(const sd_check_info *info, char *msg, size_t len)
{
    const double n[3] = {info->param[0], info->param[1], info->param[2]};
    for (int d = 0; d < 3; d++)
        if (n[d] != floor(n[d])) {
            snprintf(msg, len, "unit cell counts must be integers, got %g along %c", n[d], "xyz"[d]);
            return 1;
        }
    if ((double)info->count != 4.0 * n[0] * n[1] * n[2]) {
        snprintf(msg, len, "%g x %g x %g fcc cells hold %.0f particles, but the domain has count %lld (expected "
                 "count = 4 nx ny nz)", n[0], n[1], n[2], 4.0 * n[0] * n[1] * n[2], (long long)info->count);
        return 1;
    }
    const double a = info->box[0] / n[0];
    for (int d = 1; d < 3; d++)
        if (fabs(info->box[d] / n[d] - a) > 1e-12 * a) {
            snprintf(msg, len, "the box [%g, %g, %g] is not a whole number of cubic fcc cells of side %g (expected "
                     "box = cells x lattice constant on every axis)", info->box[0], info->box[1], info->box[2], a);
            return 1;
        }
    return 0;
}

static const sd_codelet md_codelets[] = {
    {.name = "md.fcc_lattice",
     .doc = "positions on an fcc lattice of nx x ny x nz cubic unit cells filling the box (particle id k at "
            "site k; lattice constant box/cells; 4 particles per cell)",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {V3_W("x", "positions")},
     .nparams = 3,
     .params = {P_CELLS("nx", "x"), P_CELLS("ny", "y"), P_CELLS("nz", "z")},
     .cpu = sd_md_op_fcc_lattice,
     .validate = sd_md_fcc_validate,
     .model = "stardag.md.fcc_lattice"},
    {.name = "md.velocity_create",
     .doc = "Maxwell-Boltzmann velocities at temperature T (counter-based per particle id and seed), then exactly "
            "zero total momentum and temperature T (3N-3 degrees of freedom)",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_WHOLE,
     .nroles = 1,
     .roles = {V3_W("v", "velocities")},
     .nparams = 2,
     .params = {P_TEMP("temperature"), P_SEED},
     .cpu = sd_md_op_velocity_create,
     .model = "stardag.md.velocity_create"},
    {.name = "md.kick",
     .doc = "velocity-Verlet half kick v += (dt/2) f / m",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {V3_R("f", 0, "forces"), V3_RW("v", "velocities")},
     .cpu = sd_md_op_kick,
     CUDA(sd_md_op_kick_cuda)
     .model = "stardag.md.kick"},
    {.name = "md.drift",
     .doc = "velocity-Verlet drift x += dt v (positions are wrapped into the box at neighbour-list rebuilds)",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {V3_R("v", 0, "velocities"), V3_RW("x", "positions")},
     .cpu = sd_md_op_drift,
     CUDA(sd_md_op_drift_cuda)
     .model = "stardag.md.drift"},
    {.name = "md.lj_force",
     .doc = "Lennard-Jones forces of the domain's pair table within the cutoff (full neighbour lists, fixed "
            "summation order: bitwise the same for any blocking)",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_NEIGHBOR,
     .nroles = 2,
     .roles = {V3_R("x", 1, "positions (of the block and its neighbour blocks)"), V3_W("f", "forces")},
     .cpu = sd_md_op_lj_force,
     CUDA(sd_md_op_lj_force_cuda)
     .model = "stardag.md.lj_force"},
    {.name = "md.thermo",
     .doc = "temperature, pressure (2 KE + W)/(3V), potential, kinetic and total energy (per particle when "
            "per_particle = 1, as LAMMPS prints in lj units), from exact sums",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_REDUCTION,
     .nroles = 7,
     .roles = {V3_R("x", 1, "positions"), V3_R("v", 0, "velocities"), S_OPT("temp", "temperature"),
               S_OPT("press", "pressure"), S_OPT("pe", "potential energy"), S_OPT("ke", "kinetic energy"),
               S_OPT("etotal", "total energy")},
     .nparams = 1,
     .params = {{.name = "per_particle", .def = 1, .min = 0, .max = 1, .doc = "1: energies per particle; 0: totals"}},
     .cpu = sd_md_op_thermo,
     CUDA(sd_md_op_thermo_cuda)
     .finish = sd_md_finish_thermo,
     .npartials = 3,
     .model = "stardag.md.thermo"},
    {.name = "md.temperature",
     .doc = "instantaneous temperature 2 KE / ((3N-3) kB) (exact sum)",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_REDUCTION,
     .nroles = 2,
     .roles = {V3_R("v", 0, "velocities"), S_SUM("temp", "temperature")},
     .cpu = sd_md_op_temperature,
     CUDA(sd_md_op_temperature_cuda)
     .finish = sd_md_finish_temperature,
     .npartials = 1,
     .model = "stardag.md.temperature"},
    {.name = "md.berendsen",
     .doc = "Berendsen thermostat: v *= sqrt(1 + dt/tau (T0/T - 1)) for the instantaneous temperature T",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {{.name = "temp", .mode = SD_READ, .kind = SD_ROLE_SCALAR, .doc = "instantaneous temperature (md.temperature)"},
               V3_RW("v", "velocities")},
     .nparams = 2,
     .params = {P_TEMP("target temperature T0"), {.name = "tau", .min = DBL_MIN, .max = 1e30, .required = 1,
                                                  .doc = "coupling time (> 0)"}},
     .cpu = sd_md_op_berendsen,
     .model = "stardag.md.berendsen"},
    {.name = "md.langevin",
     .doc = "Langevin thermostat (exact Ornstein-Uhlenbeck step): v = c1 v + c2 xi, c1 = exp(-gamma dt), "
            "xi counter-based per (seed, id, step): the same for any blocking",
     .domain = SD_ON_PARTICLES,
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {V3_RW("v", "velocities")},
     .nparams = 3,
     .params = {{.name = "gamma", .min = 0, .max = 1e30, .required = 1, .doc = "friction (1/time)"},
                P_TEMP("bath temperature"), P_SEED},
     .cpu = sd_md_op_langevin,
     CUDA(sd_md_op_langevin_cuda)
     .model = "stardag.md.langevin"},
};

void sd_register_md_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_codelet_register_table("md", md_codelets, sizeof md_codelets / sizeof md_codelets[0]);
}
