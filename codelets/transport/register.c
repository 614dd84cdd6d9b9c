/* register.c - the transport pack's declarations (names, roles, parameters, patterns, model
 * symbols). Glue only: loops in advance.c, beam.c, totals.c; math in transport_math.h; the
 * physics, layout and sparsity design in docs/transport.md. */
#include "config.h"
#include <float.h>
#include <math.h>
#include "stardag/codelet.h"
#include "transport_kernels.h"

/* .cuda only in a library built with CUDA. cuda_tol (|cpu - cuda| <= tol * max |cpu|): the per-task
 * tables (erf, log, pow, sin, cos) are computed on the host by the same C code for both, so the
 * device loops are +, -, * in the orders of loops_impl.h: bitwise (0). pencil_beam's factors are
 * host-computed too. */
#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define PSI(nm, md, h, d) {.name = nm, .mode = md, .kind = SD_ROLE_FIELD, .halo = h, .doc = d}
/* stencil reads (halo 1) are full-box: streaming's diagonal term reads the corner ghosts */
/* occ (role 1 of the stencil ops) bounds where psi is non-zero: its exchanges copy only those bins */
#define PSI_NB(nm, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = 1, .box = 1, .doc = d, .support = 1 + 1}
#define OCC_NB {.name = "occ", .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = 1, .box = 1, .ncomp = 4, .dtypes = 1 << SD_F64, .doc = OCC_DOC}
#define CELLS(nm, md, h, nc, d) {.name = nm, .mode = md, .kind = SD_ROLE_FIELD, .halo = h, .ncomp = nc, .dtypes = 1 << SD_F64, .doc = d}
#define OCC_DOC "occupied bin ranges per cell [theta first, last, E first, last] (4 comps, f64)"
#define TALLY_DOC "cumulative per-cell channels (12 comps, f64): stopped, lost-angle, escaped x-, x+, z-, z+ weight; same energies"
/* The stopping power of the medium from a graph's `tables:` (unbound: NIST PSTAR water, built in). */
#define STOPPING_TABLE                                                                                            \
    {.name = "stopping_power", .mode = SD_READ, .kind = SD_ROLE_TABLE, .ncomp = 2, .optional = 1,                   \
     .doc = "table: E (MeV, ascending), total stopping power S (MeV cm^2/g, > 0) at 1 g/cm^3; unbound: PSTAR water"}
#define SUM(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .optional = 1, .doc = d}
#define P_KSIGMA {.name = "k_sigma", .def = 3, .min = 0, .max = 1e3, \
                  .doc = "angular kernel truncated at k_sigma Highland widths (0: no scattering)"}
#define P_ECUT {.name = "e_cut", .def = NAN, .min = 0, .max = 1e6, \
                .doc = "MeV; weight whose energy after the step falls below stops (default: the first E bin centre)"}

/* The beam initialiser, under two names: transport.pencil_beam and transport.beam (a broad or
 * divergent beam is the same op with spreads; each name has its own model symbol). */
#define BEAM(NAME, DOC, MODEL)                                                                                          \
    {.name = NAME,                                                                                                      \
     .doc = DOC,                                                                                                        \
     .pattern = SD_POINTWISE,                                                                                           \
     .nroles = 4,                                                                                                       \
     .roles = {PSI("psi", SD_WRITE, 0, "phase-space weight (bins theta x E, 1 comp)"), CELLS("occ", SD_WRITE, 0, 4, OCC_DOC), \
               PSI("psi_next", SD_WRITE, 0, "next level of psi: zeroed"), CELLS("occ_next", SD_WRITE, 0, 4, "next level of occ: empty")}, \
     .nparams = 7,                                                                                                      \
     .params = {{.name = "energy", .min = 0, .max = 1e6, .required = 1, .doc = "mean energy, MeV"},                       \
                {.name = "energy_spread", .def = 0, .min = 0, .max = 1e6, .doc = "sigma, MeV (0: the bin of `energy`)"},  \
                {.name = "x0", .def = NAN, .min = -1e300, .max = 1e300, .doc = "lateral centre, mm (default: the grid's centre)"}, \
                {.name = "width", .def = 0, .min = 0, .max = 1e300, .doc = "lateral sigma, mm (0: the cell of x0)"},     \
                {.name = "angle", .def = 0, .min = -90, .max = 90, .doc = "mean direction, degrees from +z towards +x"}, \
                {.name = "angle_spread", .def = 0, .min = 0, .max = 1e3, .doc = "sigma, degrees (0: the bin of `angle`)"}, \
                {.name = "weight", .def = 1, .min = 0, .max = 1e300, .doc = "total weight (protons)"}},                  \
     .cpu = sd_transport_pencil_beam_cpu,                                                                               \
     CUDA(sd_transport_pencil_beam_cuda)                                                                                \
     .validate = sd_transport_beam_validate,                                                                            \
     .ncomp = sd_transport_ncomp_psi02,                                                                                 \
     .model = MODEL}
#define BEAM_DOC "psi = weight x (bin-integrated Gaussians in E, theta, x) in the first depth row; clears psi_next, occ_next"

static const sd_codelet transport_codelets[] = {
    BEAM("transport.pencil_beam", BEAM_DOC, "stardag.transport.pencil_beam"),
    BEAM("transport.beam", BEAM_DOC " (transport.pencil_beam under another name)", "stardag.transport.beam"),
    {.name = "transport.angular_scatter",
     .doc = "per cell and E bin, psi convolved in theta with a bin-integrated Gaussian of Highland's width for ds = dt; "
            "weight past the theta range tallied as lost",
     .pattern = SD_POINTWISE,
     .nroles = 3,
     .roles = {PSI("psi", SD_READWRITE, 0, "phase-space weight"), CELLS("occ", SD_READWRITE, 0, 4, OCC_DOC),
               CELLS("tally", SD_READWRITE, 0, 12, TALLY_DOC)},
     .nparams = 1,
     .params = {P_KSIGMA},
     .cpu = sd_transport_angular_scatter_cpu,
     CUDA(sd_transport_angular_scatter_cuda)
     .validate = sd_transport_scatter_validate,
     .ncomp = sd_transport_ncomp_psi0,
     .model = "stardag.transport.angular_scatter"},
    {.name = "transport.energy_loss",
     .doc = "CSDA slowing down over ds = dt (NIST PSTAR water): each E bin's weight split between the bins bracketing "
            "E', the energy lost to dose; below e_cut the weight stops and deposits its energy",
     .pattern = SD_POINTWISE,
     .nroles = 5,
     .roles = {PSI("psi", SD_READWRITE, 0, "phase-space weight"), CELLS("occ", SD_READWRITE, 0, 4, OCC_DOC),
               CELLS("dose", SD_READWRITE, 0, 1, "deposited energy, MeV, cumulative"),
               CELLS("tally", SD_READWRITE, 0, 12, TALLY_DOC), STOPPING_TABLE},
     .nparams = 1,
     .params = {P_ECUT},
     .cpu = sd_transport_energy_loss_cpu,
     CUDA(sd_transport_energy_loss_cuda)
     .validate = sd_transport_loss_validate,
     .ncomp = sd_transport_ncomp_psi0,
     .model = "stardag.transport.energy_loss"},
    {.name = "transport.stream",
     .doc = "each (theta, E) moved ds = dt along (sin theta, cos theta), deposited bilinearly; weight leaving the grid "
            "tallied per side",
     .pattern = SD_STENCIL,
     .nroles = 5,
     .roles = {PSI_NB("psi", "phase-space weight (one cell of ghosts, corners included)"), OCC_NB,
               PSI("psi_next", SD_READWRITE, 0, "psi after the step (its old contents are cleared where occ_next says)"),
               CELLS("occ_next", SD_READWRITE, 0, 4, "occupancy of psi_next (read: of its old contents)"),
               CELLS("tally", SD_READWRITE, 0, 12, TALLY_DOC)},
     .nparams = 0,
     .cpu = sd_transport_stream_cpu,
     CUDA(sd_transport_stream_cuda)
     .support_box = sd_transport_support,
     .validate = sd_transport_stream_validate,
     .ncomp = sd_transport_ncomp_psi02,
     .model = "stardag.transport.stream"},
    {.name = "transport.step",
     .doc = "angular_scatter, energy_loss and stream fused in one pass over a tile: bitwise the three in sequence",
     .pattern = SD_STENCIL,
     .nroles = 7,
     .roles = {PSI_NB("psi", "phase-space weight (one cell of ghosts, corners included)"), OCC_NB,
               PSI("psi_next", SD_READWRITE, 0, "psi after the step (its old contents are cleared where occ_next says)"),
               CELLS("occ_next", SD_READWRITE, 0, 4, "occupancy of psi_next (read: of its old contents)"),
               CELLS("dose", SD_READWRITE, 0, 1, "deposited energy, MeV, cumulative"),
               CELLS("tally", SD_READWRITE, 0, 12, TALLY_DOC), STOPPING_TABLE},
     .nparams = 3,
     .params = {P_KSIGMA, P_ECUT,
                {.name = "cutoff", .def = 0, .min = 0, .max = 1e300,
                 .doc = "weight per bin (psi's units) below which streamed weight stops in its cell, depositing its "
                        "energy (tally 0, 6): keeps a beam's support compact (0: none, every non-zero weight is carried)"}},
     .cpu = sd_transport_step_cpu,
     CUDA(sd_transport_step_cuda)
     .support_box = sd_transport_support,
     .validate = sd_transport_step_validate,
     .ncomp = sd_transport_ncomp_psi02,
     .model = "stardag.transport.step"},
    {.name = "transport.totals",
     .doc = "exact sums: weight (sum psi), energy (sum psi E), deposited (sum dose), stopped, lost, escaped weight, and "
            "the balances weight + stopped + lost + escaped, energy + deposited + lost energy + escaped energy",
     .pattern = SD_REDUCTION,
     .nroles = 12,
     .roles = {PSI("psi", SD_READ, 0, "phase-space weight"), CELLS("occ", SD_READ, 0, 4, OCC_DOC),
               CELLS("dose", SD_READ, 0, 1, "deposited energy, MeV"), CELLS("tally", SD_READ, 0, 12, TALLY_DOC),
               SUM("weight", "sum of psi"), SUM("energy", "kinetic energy sum psi E_m, MeV"),
               SUM("deposited", "sum of dose, MeV"), SUM("stopped", "stopped weight (tally 0)"),
               SUM("lost", "lost-angle weight (tally 1)"), SUM("escaped", "escaped weight, 4 sides (tally 2..5)"),
               SUM("weight_balance", "weight + stopped + lost + escaped: the initial weight"),
               SUM("energy_balance", "energy + deposited + lost and escaped energy (tally 7..11): the initial energy")},
     .cpu = sd_transport_totals_cpu,
     CUDA(sd_transport_totals_cuda)
     .finish = sd_transport_totals_finish,
     .npartials = TR_NPARTIALS,
     .validate = sd_transport_grid_validate,
     .ncomp = sd_transport_ncomp_psi0,
     .model = "stardag.transport.totals"},
    {.name = "transport.escaped",
     .doc = "escaped weight and energy per side (tally 2..5 and 8..11 summed exactly)",
     .pattern = SD_REDUCTION,
     .nroles = 9,
     .roles = {CELLS("tally", SD_READ, 0, 12, TALLY_DOC), SUM("w_xm", "weight out through x = 0"),
               SUM("w_xp", "weight out through x = X"), SUM("w_zm", "weight out through z = 0"),
               SUM("w_zp", "weight out through z = Z"), SUM("e_xm", "energy out through x = 0, MeV"),
               SUM("e_xp", "energy out through x = X, MeV"), SUM("e_zm", "energy out through z = 0, MeV"),
               SUM("e_zp", "energy out through z = Z, MeV")},
     .cpu = sd_transport_escaped_cpu,
     CUDA(sd_transport_escaped_cuda)
     .validate = sd_transport_grid_validate,
     .model = "stardag.transport.escaped"},
};

void sd_register_transport_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_codelet_register_table("transport", transport_codelets, sizeof transport_codelets / sizeof transport_codelets[0]);
}
