/* register.c - the lattice pack's declarations (names, roles, parameters, patterns, model
 * symbols). Glue only: loops in kg_leapfrog.c, energy.c, init.c, mode_projection.c; math in
 * kg_math.h. */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include "stardag/codelet.h"
#include "lattice_kernels.h"

/* .cuda only in a library built with CUDA (the .cu objects are linked in then).
 * .cuda_tol, the CPU-vs-CUDA bound |cpu - cuda| <= tol * max |cpu| (0 = bitwise):
 * - kg_leapfrog, chi_leapfrog, energy: 0. Only +, -, * (and 1/x, correctly rounded on both, computed on the
 *   host anyway) in the order of kg_math.h, without FMA (nvcc -fmad=false, gcc
 *   -ffp-contract=off); energy terms are summed exactly on both sides.
 * - gaussian_packet, plane_wave, mode_projection: 0 too. Their exp, sin and cos are detmath.h's
 *   (also for omega's sin and asin), made of the same correctly rounded operations on both sides;
 *   f32 fields round the same double; the projection's terms are summed exactly. (With libm's
 *   functions, CUDA's and glibc's differ by an ulp for some arguments: an H100 run on 2026-12-05
 *   found these three a few ulp apart, and runs whose tasks landed on the GPU differed.) */
#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define F_R(nm, h, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = h, .ncomp = 1, .doc = d}
#define F_W(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 1, .doc = d}
#define S_SUM(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .doc = d}
#define P_C {.name = "c", .def = 1, .min = DBL_MIN, .max = 1e30, .doc = "wave speed (> 0)"}
#define P_CHI {.name = "chi", .def = 0, .min = 0, .max = 1e30, .doc = "mass chi used for omega (uniform)"}
#define P_ORDER {.name = "order", .def = 2, .min = 2, .max = 6, \
                 .doc = "order of the Laplacian: 2, 4 or 6 (it reaches order/2 cells; docs/lattice.md)"}
#define P_GAMMA {.name = "gamma", .def = 0, .min = 0, .max = 1, \
                 .doc = "damping: E_next = (2-gamma) E - (1-gamma) E_prev + ...; 0 = undamped"}
#define P_MODE(nm, dv, ax) {.name = nm, .def = dv, .min = -1e9, .max = 1e9, \
                            .doc = "integer mode number along " ax ": k = 2 pi m / (N dx)"}

static const sd_codelet lattice_codelets[] = {
    {.name = "lattice.kg_leapfrog",
     .doc = "E_next = (2-gamma) E - (1-gamma) E_prev + dt^2 (c^2 lap E - chi^2 E), Laplacian of order 2, 4 or 6 "
            "over present axes",
     .pattern = SD_STENCIL,
     .nroles = 4,
     .roles = {F_R("E", 1, "field at step n (read order/2 cells out)"), F_R("E_prev", 0, "field at step n-1"),
               F_R("chi", 0, "local mass chi(x)"), F_W("E_next", "field at step n+1")},
     .nparams = 3,
     .params = {P_C, P_ORDER, P_GAMMA},
     .cpu = sd_lattice_kg_leapfrog_cpu,
     CUDA(sd_lattice_kg_leapfrog_cuda)
     .cuda_tol = 0,
     .validate = sd_lattice_kg_leapfrog_validate,
     .reach = sd_lattice_reach,
     .model = "stardag.lattice.kg_leapfrog",
     .fusable = 1},
    {.name = "lattice.chi_leapfrog",
     .doc = "dynamic chi: chi_next = 2 chi - chi_prev + dt^2 (c^2 lap chi - kappa (E^2 - E0^2)), Laplacian of "
            "order 2, 4 or 6; E is read at the current level (the coupled step is explicit)",
     .pattern = SD_STENCIL,
     .nroles = 4,
     .roles = {F_R("chi", 1, "chi at step n (read order/2 cells out)"), F_R("chi_prev", 0, "chi at step n-1"),
               F_R("E", 0, "E at step n (the source)"), F_W("chi_next", "chi at step n+1")},
     .nparams = 4,
     .params = {{.name = "c", .def = 1, .min = DBL_MIN, .max = 1e30, .doc = "wave speed c_chi of chi (> 0)"},
                P_ORDER,
                {.name = "kappa", .def = 0, .min = -1e30, .max = 1e30, .doc = "coupling kappa of the source E^2 - E0^2"},
                {.name = "E0", .def = 0, .min = -1e30, .max = 1e30, .doc = "background amplitude E0"}},
     .cpu = sd_lattice_chi_leapfrog_cpu,
     CUDA(sd_lattice_chi_leapfrog_cuda)
     .cuda_tol = 0,
     .validate = sd_lattice_chi_leapfrog_validate,
     .reach = sd_lattice_reach,
     .model = "stardag.lattice.chi_leapfrog",
     .fusable = 1},
    {.name = "lattice.energy",
     .doc = "discrete energy conserved by kg_leapfrog of the same order (decreasing with damping gamma): 1/2 sum "
            "[(1-gamma/2) ((E_next-E)/dt)^2 - c^2 E_next lap E + chi^2 E_next E] dV as sums over pairs of cells "
            "(with the pairs crossing fixed/absorbing/reflective boundaries: docs/lattice.md)",
     .pattern = SD_REDUCTION,
     .nroles = 4,
     .roles = {F_R("E_next", 1, "field at step n+1"), F_R("E", 1, "field at step n"),
               F_R("chi", 0, "local mass chi(x)"), S_SUM("energy", "energy at step n+1/2")},
     .nparams = 3,
     .params = {P_C, P_ORDER, P_GAMMA},
     .cpu = sd_lattice_energy_cpu,
     CUDA(sd_lattice_energy_cuda)
     .cuda_tol = 0,
     .validate = sd_lattice_energy_validate,
     .reach = sd_lattice_reach,
     .model = "stardag.lattice.energy"},
    {.name = "lattice.gaussian_packet",
     .doc = "E = A exp(-|x-x0|^2/(2w^2)) cos(k.(x-x0)); E_prev = the packet at t = -dt moving with "
            "v_g = c^2 k/omega (discrete omega)",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {F_W("E", "field at t = 0"), F_W("E_prev", "field at t = -dt")},
     .nparams = 11,
     .params = {{.name = "amplitude", .def = 1, .min = -1e300, .max = 1e300, .doc = "peak amplitude A"},
                {.name = "width", .min = DBL_MIN, .max = 1e300, .required = 1,
                 .doc = "Gaussian width w (physical units, > 0)"},
                {.name = "x0", .def = NAN, .min = -1e300, .max = 1e300, .doc = "centre x (default: (Nx-1)*dx/2)"},
                {.name = "y0", .def = NAN, .min = -1e300, .max = 1e300, .doc = "centre y (default: (Ny-1)*dy/2)"},
                {.name = "z0", .def = NAN, .min = -1e300, .max = 1e300, .doc = "centre z (default: (Nz-1)*dz/2)"},
                {.name = "kx", .def = 0, .min = -1e300, .max = 1e300, .doc = "carrier wavevector x"},
                {.name = "ky", .def = 0, .min = -1e300, .max = 1e300, .doc = "carrier wavevector y"},
                {.name = "kz", .def = 0, .min = -1e300, .max = 1e300, .doc = "carrier wavevector z"},
                P_C, P_CHI, P_ORDER},
     .cpu = sd_lattice_gaussian_packet_cpu,
     CUDA(sd_lattice_gaussian_packet_cuda)
     .cuda_tol = 0,
     .validate = sd_lattice_gaussian_packet_validate,
     .model = "stardag.lattice.gaussian_packet"},
    {.name = "lattice.plane_wave",
     .doc = "E = A cos(k.x + phase), E_prev = A cos(k.x + phase + omega dt), omega from the exact "
            "discrete dispersion relation (kg_omega)",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {F_W("E", "field at t = 0"), F_W("E_prev", "field at t = -dt")},
     .nparams = 8,
     .params = {{.name = "amplitude", .def = 1, .min = -1e300, .max = 1e300, .doc = "amplitude A"},
                P_MODE("mx", 1, "x"), P_MODE("my", 0, "y"), P_MODE("mz", 0, "z"),
                {.name = "phase", .def = 0, .min = -1e6, .max = 1e6, .doc = "phase (radians)"},
                P_C, P_CHI, P_ORDER},
     .cpu = sd_lattice_plane_wave_cpu,
     CUDA(sd_lattice_plane_wave_cuda)
     .cuda_tol = 0,
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
     CUDA(sd_lattice_mode_projection_cuda)
     .cuda_tol = 0,
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
