/* register.c - the lattice pack's declarations (names, roles, parameters, patterns, model
 * symbols). Glue only: loops in kg_leapfrog.c, energy.c, init.c, mode_projection.c; math in
 * kg_math.h. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include "stardag/codelet.h"
#include "lattice_kernels.h"

#define F_R(nm, h, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = h, .ncomp = 1, .doc = d}
#define F_W(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 1, .doc = d}
#define S_SUM(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .doc = d}
#define P_C {.name = "c", .def = 1, .min = DBL_MIN, .max = 1e30, .doc = "wave speed (> 0)"}
#define P_CHI {.name = "chi", .def = 0, .min = 0, .max = 1e30, .doc = "mass chi used for omega (uniform)"}
#define P_MODE(nm, dv, ax) {.name = nm, .def = dv, .min = -1e9, .max = 1e9, \
                            .doc = "integer mode number along " ax ": k = 2 pi m / (N dx)"}

static const sd_codelet lattice_codelets[] = {
    {.name = "lattice.kg_leapfrog",
     .doc = "E_next = 2E - E_prev + dt^2 (c^2 lap E - chi^2 E), 2nd-order Laplacian over present axes",
     .pattern = SD_STENCIL,
     .nroles = 4,
     .roles = {F_R("E", 1, "field at step n"), F_R("E_prev", 0, "field at step n-1"),
               F_R("chi", 0, "local mass chi(x)"), F_W("E_next", "field at step n+1")},
     .nparams = 1,
     .params = {P_C},
     .cpu = sd_lattice_kg_leapfrog_cpu,
     .validate = sd_lattice_kg_leapfrog_validate,
     .model = "stardag.lattice.kg_leapfrog"},
    {.name = "lattice.energy",
     .doc = "discrete energy conserved by kg_leapfrog: 1/2 sum [((E_next-E)/dt)^2 + c^2 D+E_next.D+E "
            "+ chi^2 E_next E] dV (+ low-boundary faces on fixed/absorbing axes)",
     .pattern = SD_REDUCTION,
     .nroles = 4,
     .roles = {F_R("E_next", 1, "field at step n+1"), F_R("E", 1, "field at step n"),
               F_R("chi", 0, "local mass chi(x)"), S_SUM("energy", "energy at step n+1/2")},
     .nparams = 1,
     .params = {P_C},
     .cpu = sd_lattice_energy_cpu,
     .model = "stardag.lattice.energy"},
    {.name = "lattice.gaussian_packet",
     .doc = "E = A exp(-|x-x0|^2/(2w^2)) cos(k.(x-x0)); E_prev = the packet at t = -dt moving with "
            "v_g = c^2 k/omega (discrete omega)",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {F_W("E", "field at t = 0"), F_W("E_prev", "field at t = -dt")},
     .nparams = 10,
     .params = {{.name = "amplitude", .def = 1, .min = -1e300, .max = 1e300, .doc = "peak amplitude A"},
                {.name = "width", .min = DBL_MIN, .max = 1e300, .required = 1,
                 .doc = "Gaussian width w (physical units, > 0)"},
                {.name = "x0", .def = NAN, .min = -1e300, .max = 1e300, .doc = "centre x (default: (Nx-1)*dx/2)"},
                {.name = "y0", .def = NAN, .min = -1e300, .max = 1e300, .doc = "centre y (default: (Ny-1)*dy/2)"},
                {.name = "z0", .def = NAN, .min = -1e300, .max = 1e300, .doc = "centre z (default: (Nz-1)*dz/2)"},
                {.name = "kx", .def = 0, .min = -1e300, .max = 1e300, .doc = "carrier wavevector x"},
                {.name = "ky", .def = 0, .min = -1e300, .max = 1e300, .doc = "carrier wavevector y"},
                {.name = "kz", .def = 0, .min = -1e300, .max = 1e300, .doc = "carrier wavevector z"},
                P_C, P_CHI},
     .cpu = sd_lattice_gaussian_packet_cpu,
     .validate = sd_lattice_gaussian_packet_validate,
     .model = "stardag.lattice.gaussian_packet"},
    {.name = "lattice.plane_wave",
     .doc = "E = A cos(k.x + phase), E_prev = A cos(k.x + phase + omega dt), omega from the exact "
            "discrete dispersion relation (kg_omega)",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {F_W("E", "field at t = 0"), F_W("E_prev", "field at t = -dt")},
     .nparams = 7,
     .params = {{.name = "amplitude", .def = 1, .min = -1e300, .max = 1e300, .doc = "amplitude A"},
                P_MODE("mx", 1, "x"), P_MODE("my", 0, "y"), P_MODE("mz", 0, "z"),
                {.name = "phase", .def = 0, .min = -1e6, .max = 1e6, .doc = "phase (radians)"},
                P_C, P_CHI},
     .cpu = sd_lattice_plane_wave_cpu,
     .validate = sd_lattice_plane_wave_validate,
     .model = "stardag.lattice.plane_wave"},
    {.name = "lattice.mode_projection",
     .doc = "re = sum E cos(k.x), im = -sum E sin(k.x): projection of E on exp(i k.x)",
     .pattern = SD_REDUCTION,
     .nroles = 3,
     .roles = {F_R("E", 0, "projected field"), S_SUM("re", "real part"), S_SUM("im", "imaginary part")},
     .nparams = 3,
     .params = {P_MODE("mx", 1, "x"), P_MODE("my", 0, "y"), P_MODE("mz", 0, "z")},
     .cpu = sd_lattice_mode_projection_cpu,
     .validate = sd_lattice_mode_projection_validate,
     .model = "stardag.lattice.mode_projection"},
};

void sd_register_lattice_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_codelet_register_table("lattice", lattice_codelets, sizeof lattice_codelets / sizeof lattice_codelets[0]);
}
