/* md_kernels.h - pure kernels of the md pack (Lennard-Jones molecular dynamics): plain C on
 * pointers, no StarPU, no runtime types but sd_acc. The particles-domain glue calls them once per
 * block; the CUDA versions (*.cu, suffix _cuda) take the same arguments as device pointers plus a
 * cudaStream_t passed as void *, and launch asynchronously on it. Kernels with many inputs take
 * one const struct instead (md_*_args, members named and commented below; designated
 * initialisers at the call sites), the same struct for a CPU kernel and its CUDA twin.
 *
 * Layout (all kernels):
 *  - Per-particle vectors are SoA with the component outermost: component c of particle i at
 *    p[i + c*sc] (x, v, f each with its own component stride). Scalars per particle: id (int64,
 *    global id: unique and >= 0), type (int32, 0 <= type < ntypes).
 *  - A block sees HOME particles [0, nh) then GHOST particles [nh, nh+ng) in the same arrays (x,
 *    id, type). Ghosts are the particles of other blocks, or periodic images of any particle,
 *    whose image lies within rl = rc_max + skin of the block, with coordinates md_image(x, s, L)
 *    (s in {-1, 0, 1} per axis, fixed at list build). Ghost coordinates must be refreshed from the
 *    owners every step with the same s. Positions are wrapped (sd_md_wrap) only at list rebuilds.
 *  - Requires every box length L_d >= 2 rl: then a particle has at most one image within rl of
 *    another, and lists never hold two images of one particle.
 *  - Per-type data: mass[type] (ntypes doubles), the pair table md_lj_table (md_math.h).
 *  - Reductions fold exactly into sd_acc partials (the caller initialises them): results do not
 *    depend on the blocking, the order of particles in a block, or the device.
 *
 * Force sum order (what makes forces bitwise independent of blocking, and CPU == CUDA): the list
 * of home particle i is sorted by global id; entry k (0-based within the list) is added to lane
 * k % MD_LANES (8), each lane summing in list order from +0; pairs beyond their cutoff add
 * nothing; the lanes combine as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)). Per component. The list
 * content (every pair within rl at the build) fixes the lanes, so all blocks must rebuild at the
 * same steps: decide from the global reduction of sd_md_max_disp2 (and a fixed period; the
 * particles domain's policy is in runtime/particles.c and docs/graph-format.md).
 *
 * A step (velocity Verlet; per block, home particles unless said):
 *   sd_md_kick(f) ; sd_md_drift ; sd_md_max_disp2 -> global max ;
 *   rebuild when due (the particles domain: every N steps, with or without the skin/2 check), else
 *   sd_md_ghost_fill (ghosts from their owners) ;
 *   sd_md_lj_force ; sd_md_kick(f) ; thermostat: sd_md_langevin, or Berendsen: sd_md_kinetic ->
 *   global T -> md_berendsen_lambda -> sd_md_velocity_adjust(NULL, lambda).
 *   Thermo steps: sd_md_lj_energy_virial, sd_md_kinetic (T = md_temperature(KE, 3N-3, kB),
 *   P = md_pressure(KE, W, V)).
 * A rebuild: sd_md_wrap ; sd_md_bin on the box grid (sd_md_grid_box(L, rl)) ; sd_md_sort_by_cell ;
 *   permute every per-particle field (x, v, f, id, type) with sd_md_gather_* ; blocks = boxes of
 *   cells ; per block: sd_md_ghost_plan, sd_md_ghost_fill + sd_md_gather_i64/_i32 (ghost ids,
 *   types), sd_md_neighbor_build with sd_md_grid_block ; x0 = x (for sd_md_max_disp2).
 * Indices in lists are int32: a block holds fewer than 2^31 home + ghost particles. */
#ifndef SD_MD_KERNELS_H
#define SD_MD_KERNELS_H
#include <stddef.h>
#include <stdint.h>
#include "stardag/kernel.h"
#include "md_math.h"

#ifdef __cplusplus
extern "C" {
#endif

/* (internal) The hot CPU kernels (neighbour build, forces, energy and virial) are compiled once
 * per SIMD variant and picked at run time (stardag/simd.h; STARDAG_ISA): the arithmetic is the
 * same IEEE double operations in the same order in every variant (no FMA: -ffp-contract=off), so
 * every variant gives the same bits. */

/* ---- Initial state (lattice_init.c) ------------------------------------------------------------- */
/* fcc lattice constant for number density rho: (4/rho)^(1/3). */
double sd_md_fcc_lattice_constant(double rho);
/* Particles k0 .. k0+n-1 of an fcc lattice of nc[0] x nc[1] x nc[2] unit cells of side a
 * (4 per cell, md_fcc_site): x[i + c*sc] = site c of particle k0+i, id[i] = k0+i (id may be
 * NULL). All positions lie in [0, nc_d a). */
void sd_md_fcc(int64_t k0, int64_t n, const int64_t nc[3], double a, double *x, int64_t sc, int64_t *id);
/* fcc sites by id: x[i + c*sc] = site c of particle id[i] (md_fcc_site). */
void sd_md_fcc_ids(int64_t n, const int64_t *id, const int64_t nc[3], double a, double *x, int64_t sc);
/* Maxwell-Boltzmann velocities of the particles spread over several blocks, then the exact
 * adjustment below over all of them: total momentum 0, temperature T with 3N - 3 degrees of
 * freedom (N = the sum of the blocks' particle counts). The result does not depend on how the
 * particles are spread over blocks. */
typedef struct md_velocity_init_args {
    int block_count;                 /* number of blocks: the arrays below have one entry per block */
    const int64_t *particle_count;   /* particles in block k */
    const int64_t *const *id;        /* block k's global ids (each particle's draws depend on its id only) */
    const int32_t *const *type;      /* block k's types, 0 <= type < type_count */
    double *const *velocity;         /* out: block k's velocities (component stride velocity_stride) */
    int64_t velocity_stride;         /* component stride of every block's velocity array */
    const double *mass;              /* mass per type (type_count entries) */
    int type_count;                  /* number of particle types */
    double temperature;              /* target temperature T */
    double kB;                       /* Boltzmann constant in the run's units (MD_KB_LJ, MD_KB_REAL) */
    uint64_t seed;                   /* random stream (MD_RNG_VELOCITY draws) */
} md_velocity_init_args;
void sd_md_velocity_init(const md_velocity_init_args *a);
/* Maxwell-Boltzmann velocities of one array of particles:
 * velocity[i + c*velocity_stride] = sqrt(kB T / mass[type[i]]) * md_gaussian(seed, id[i], 0, MD_RNG_VELOCITY, c).
 * Follow with the exact adjustment (sd_md_velocity_init does all of it):
 *   1. sd_md_momentum -> P[3], M;  vcm = P/M (each component: sd_acc_sum(P[c]) / sd_acc_sum(M))
 *   2. sd_md_kinetic(..., vcm, ke) -> KE' of v - vcm;  T' = md_temperature(KE', 3N-3, kB)
 *   3. sd_md_velocity_adjust(vcm, md_rescale_lambda(T', T)): total momentum 0, temperature T.
 * The CUDA version takes the same struct (id, type, velocity on the device; mass on the host). */
typedef struct md_velocity_create_args {
    int64_t count;                   /* number of particles */
    const int64_t *id;               /* [count] global ids (each particle's draws depend on its id only) */
    const int32_t *type;             /* [count] types, 0 <= type < type_count */
    const double *mass;              /* mass per type (type_count entries) */
    int type_count;                  /* number of particle types */
    double temperature;              /* target temperature T */
    double kB;                       /* Boltzmann constant in the run's units (MD_KB_LJ, MD_KB_REAL) */
    uint64_t seed;                   /* random stream (MD_RNG_VELOCITY draws) */
    double *velocity;                /* out: component c of particle i at velocity[i + c*velocity_stride] */
    int64_t velocity_stride;         /* component stride of velocity */
} md_velocity_create_args;
void sd_md_velocity_create(const md_velocity_create_args *a);
/* v = md_adjust(v, vs[c], lambda) = (v - vs[c]) * lambda per component; vs == NULL means 0
 * (pure scaling: Berendsen with md_berendsen_lambda, or velocity rescaling). */
void sd_md_velocity_adjust(int64_t n, const double *vs, double lambda, double *v, int64_t vsc);

/* ---- Cells (cells.c) ------------------------------------------------------------------------------ */
/* Grid over the periodic box [0, L): nc_d = max(1, floor(L_d / (rmin (1 + MD_CELL_MARGIN)))) cells of
 * width L_d/nc_d >= rmin. */
void sd_md_grid_box(const double L[3], double rmin, md_grid *g);
/* Grid over the bounding box of n particles (the neighbour search uses it), cells >= rmin wide. */
void sd_md_grid_bbox(int64_t n, const double *x, int64_t sc, double rmin, md_grid *g);
static inline int64_t sd_md_grid_ncells(const md_grid *g) { return g->nc[0] * g->nc[1] * g->nc[2]; }
/* The cells [blo, bhi) of the box grid plus the one-cell ghost layer around them, as a grid of
 * their own (the neighbour grid of a block whose ghosts come from sd_md_ghost_plan). */
void sd_md_grid_block(const md_grid *box, const int64_t blo[3], const int64_t bhi[3], md_grid *g);
/* cell[i] = md_cell_index(g, x_i) (clamped to the grid). */
void sd_md_bin(int64_t n, const double *x, int64_t sc, const md_grid *g, int64_t *cell);
/* Stable order by (cell, id): perm[r] = index of the r-th particle; cell c holds sorted ranks
 * cell_start[c] .. cell_start[c+1]-1 (cell_start has ncell+1 entries). Counting sort, then
 * insertion sort by id within each cell (ids are unique). No allocation. */
void sd_md_sort_by_cell(int64_t n, const int64_t *cell, const int64_t *id, int64_t ncell,
                        int64_t *cell_start, int64_t *perm);
/* dst[r + c*dsc] = src[perm[r] + c*ssc] for c < ncomp (apply a permutation to a field). */
void sd_md_gather_f64(int64_t n, const int64_t *perm, int ncomp, const double *src, int64_t ssc,
                      double *dst, int64_t dsc);
void sd_md_gather_i64(int64_t n, const int64_t *perm, const int64_t *src, int64_t *dst);
void sd_md_gather_i32(int64_t n, const int64_t *perm, const int32_t *src, int32_t *dst);

/* Ghosts of a block of cells [blo, bhi) (cell coordinates of the box grid g, whose cells are
 * >= rl wide, particles sorted by (cell, id) with cell_start from sd_md_sort_by_cell): every
 * particle of the one-cell layer around the block, wrapped periodically, in (z, y, x) cell order
 * then sorted order. owner[g] = its sorted rank, shift[3g + d] = s_d in {-1, 0, 1} (the image).
 * A block spanning the whole box along an axis gets images of its own particles. Returns the
 * ghost count; writes at most cap entries (call again with more room when the count exceeds it). */
int64_t sd_md_ghost_plan(const md_grid *g, const int64_t *cell_start, const int64_t blo[3], const int64_t bhi[3],
                         int64_t *owner, int8_t *shift, int64_t cap);
/* Ghost coordinates: dst[g + c*dsc] = md_image(src[owner[g] + c*ssc], shift[3g + c], L[c]). Call
 * after every drift (with the owners' current positions) and after building the plan; ids and
 * types of ghosts: sd_md_gather_i64 / _i32 with owner as the permutation. */
void sd_md_ghost_fill(int64_t ng, const int64_t *owner, const int8_t *shift, const double L[3],
                      const double *src, int64_t ssc, double *dst, int64_t dsc);

/* Ghosts drawn from several blocks (the particles domain): ghost g is the image shift s[] of
 * particle own of source slot (the block's own buffer is slot 0, its neighbour bricks 1 .. 26). */
typedef struct md_ghost {
    int64_t own;
    int8_t slot, s[3];
    int32_t pad;
} md_ghost;
/* dst[g + c*dsc] = md_image(src[slot][own + c*ssc[slot]], s[c], L[c]) (as sd_md_ghost_fill; each
 * source has its own component stride: a block's, or its ghost export's). */
void sd_md_ghost_fill_slots(int64_t ng, const md_ghost *plan, const double L[3], const double *const *src,
                            const int64_t *ssc, double *dst, int64_t dsc);
/* Ghost ids and types: dst[g] = src[slot][own]. */
void sd_md_ghost_gather_slots(int64_t ng, const md_ghost *plan, const int64_t *const *sid, const int32_t *const *stype,
                              int64_t *did, int32_t *dtype);

/* ---- Neighbour lists (neighbor.c) -------------------------------------------------------------------
 * FULL lists in CSR for the home particles (nh = home_count, ng = ghost_count, rl = list_radius):
 * the neighbours of i are list[list_start[i] .. list_start[i+1]-1], indices into home+ghost
 * (0 .. nh+ng-1), every j != i with id[j] != id[i] and |x_i - x_j|^2 < rl*rl, sorted by id[j].
 * list_start has nh+1 entries (list_start[0] = 0).
 * grid: cells >= rl wide covering the particles (particles outside are clamped into the edge
 * cells, which is only correct when they are within rl of the grid); NULL = a grid over the
 * bounding box of the nh+ng particles. Fastest with the home particles grouped by cell of that
 * grid: the particles domain passes sd_md_grid_block(box grid, blo, bhi) (the block's cells plus
 * the ghost layer), whose cells are the box grid's, by which the home particles are sorted.
 * Scratch: sd_md_neighbor_scratch_bytes(nh+ng, x, sc, rl, grid) bytes (depends on the particles
 * and the grid); no allocation.
 * Returns the number of entries list_start[nh]; when that exceeds list_capacity, only the first
 * list_capacity entries are written (list_start is complete; list may be NULL with capacity 0 to
 * count): grow list and call again. Returns -1 when the scratch is too small. */
size_t sd_md_neighbor_scratch_bytes(int64_t n, const double *x, int64_t sc, double rl, const md_grid *grid);
typedef struct md_neighbor_args {
    int64_t home_count;              /* home particles [0, home_count): the ones that get lists */
    int64_t ghost_count;             /* ghosts [home_count, home_count + ghost_count): list entries only */
    const double *position;          /* home then ghost: component c of particle i at position[i + c*position_stride] */
    int64_t position_stride;         /* component stride of position */
    const int64_t *id;               /* home then ghost: global ids (list order; own images are left out) */
    double list_radius;              /* rl = largest cut-off + skin: pairs closer than rl are listed */
    const md_grid *grid;             /* cells >= rl wide covering the particles, or NULL (see above) */
    int64_t *list_start;             /* out: home_count + 1 CSR offsets into list */
    int32_t *list;                   /* out: neighbour indices into home+ghost (may be NULL when list_capacity is 0) */
    int64_t list_capacity;           /* entries list has room for */
    void *scratch;                   /* work space, sd_md_neighbor_scratch_bytes(...) bytes */
    size_t scratch_bytes;            /* its size */
} md_neighbor_args;
int64_t sd_md_neighbor_build(const md_neighbor_args *a);
/* Squared displacements md_disp2(x_i, x0_i) of the home particles since the last build, folded
 * into acc as sd_acc_extreme does value by value (acc->maxv = the largest; NaN/Inf counted in
 * acc->nonfinite). Rebuild when maxv > (skin/2)^2 or nonfinite > 0. */
void sd_md_max_disp2(int64_t n, const double *x, int64_t sc, const double *x0, int64_t sc0, sd_acc *acc);

/* The first home particle i (smallest index) with a list partner j closer than the pair's minimum
 * distance: |x_i - x_j|^2 < min2[type_i * MD_MAX_TYPES + type_j]. Returns i and sets *j and *r2, or
 * returns -1. */
int64_t sd_md_find_overlap(int64_t nh, const double *x, int64_t sc, const int32_t *type, const double *min2,
                           const int64_t *start, const int32_t *nbr, int64_t *j, double *r2);

/* ---- Lennard-Jones (lj_force.c) ---------------------------------------------------------------------- */
/* What the pair kernels read: a block's particles and its lists (sd_md_neighbor_build). */
typedef struct md_lj_lists {
    int64_t home_count;              /* home particles [0, home_count): the ones with lists and results */
    int64_t ghost_count;             /* ghosts [home_count, home_count + ghost_count) (read by the mixed kernels) */
    const double *position;          /* home then ghost: component c of particle i at position[i + c*position_stride] */
    int64_t position_stride;         /* component stride of position */
    const int32_t *type;             /* home then ghost: types (rows and columns of the pair table) */
    const md_lj_table *pair_table;   /* coefficients and cut-off per pair of types (CUDA: host, copied by value) */
    const int64_t *list_start;       /* home_count + 1 offsets: i's list is list[list_start[i] .. list_start[i+1]-1] */
    const int32_t *list;             /* neighbour indices into home+ghost, each list sorted by id */
} md_lj_lists;
/* force[i + c*force_stride] = sum over the list of i (order above) of md_lj_fr(r2, f12, f6) *
 * (x_i - x_j)_c for pairs with r2 < rc2 of their types; home particles only (force is written, not
 * accumulated; no Newton-3 scatter). */
typedef struct md_lj_force_args {
    md_lj_lists lists;               /* the particles and their lists */
    double *force;                   /* out: component c of home particle i at force[i + c*force_stride] */
    int64_t force_stride;            /* component stride of force */
} md_lj_force_args;
void sd_md_lj_force(const md_lj_force_args *a);
/* Per home particle i: e_i = sum of md_lj_energy(r2, c12, c6, eshift) and w_i = sum of
 * r2 * md_lj_fr(r2, f12, f6) (md_lj_energy_virial) over its list (pairs within their cutoff, lane
 * order as the force);
 * then sd_acc_add(energy, 0.5*e_i), sd_acc_add(virial, 0.5*w_i). Summed over all blocks: the
 * potential energy and the virial W = sum_pairs r_ij . F_ij. */
typedef struct md_lj_energy_virial_args {
    md_lj_lists lists;               /* the particles and their lists */
    sd_acc *energy;                  /* in/out: potential energy partial (initialised by the caller) */
    sd_acc *virial;                  /* in/out: virial partial (initialised by the caller) */
} md_lj_energy_virial_args;
void sd_md_lj_energy_virial(const md_lj_energy_virial_args *a);
/* Mixed precision (lj_force_mixed.c; the particles domain's `precision: mixed`): the same results
 * computed with f32 per-pair arithmetic on (float) of the positions and of the table's
 * coefficients, the cutoff test r2 < (float)rc2 in f32, MD_LANES_F32 (16) f32 force lanes per home
 * particle (entry k in lane k % 16, lanes summed from +0, converted to double and combined by the
 * pairwise tree of neighbours ((l0+l1)+(l2+l3))+...); the energy and virial per pair in f32
 * (md_lj_energy_virial_f32), each lane summed in double, folded as above. Bitwise independent of
 * blocking and SIMD variant like the double path. Needs lists.ghost_count; uses the thread's
 * workspace (sd_workspace) for the f32 coordinates. */
void sd_md_lj_force_mixed(const md_lj_force_args *a);
void sd_md_lj_energy_virial_mixed(const md_lj_energy_virial_args *a);

/* ---- Integration (integrate.c) ------------------------------------------------------------------------ */
/* Half kick: v = md_kick(v, f, (0.5*dt)/mass[type]) per component. */
typedef struct md_kick_args {
    int64_t count;                   /* number of particles */
    const int32_t *type;             /* [count] types, 0 <= type < type_count */
    const double *mass;              /* mass per type (type_count entries; CUDA: host) */
    int type_count;                  /* number of particle types */
    double dt;                       /* the time step (the kick is half of it) */
    const double *force;             /* component c of particle i at force[i + c*force_stride] */
    int64_t force_stride;            /* component stride of force */
    double *velocity;                /* in/out: component c of particle i at velocity[i + c*velocity_stride] */
    int64_t velocity_stride;         /* component stride of velocity */
} md_kick_args;
void sd_md_kick(const md_kick_args *a);
/* Drift: x = md_drift(x, v, dt) = x + dt*v (no wrap). */
void sd_md_drift(int64_t n, double dt, const double *v, int64_t vsc, double *x, int64_t sc);
/* x = md_wrap(x, L_c) per component: into [0, L) (call at list rebuilds, before binning). */
void sd_md_wrap(int64_t n, const double L[3], double *x, int64_t sc);
/* ke += md_ke_term(mass[type], v - vs) per particle (vs == NULL: 0). */
void sd_md_kinetic(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v, int64_t vsc,
                   const double *vs, sd_acc *ke);
/* p[c] += mass[type] * v_c (c = 0, 1, 2), msum += mass[type]. */
void sd_md_momentum(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v, int64_t vsc,
                    sd_acc p[3], sd_acc *msum);
/* Berendsen rescaling for the instantaneous temperature T: v *= md_berendsen_lambda(T, T0, dt, tau). */
void sd_md_berendsen(int64_t n, double T, double T0, double dt, double tau, double *v, int64_t vsc);
/* Thermodynamic observables from exact sums over all particles: kinetic energy ke, potential
 * energy pe, virial w (sum over pairs of r.F), N particles in volume V. out: temperature
 * (3N - 3 degrees of freedom), pressure (2 ke + w) / (3 V), pe, ke, etotal; the energies per
 * particle when per_particle (LAMMPS' "thermo_modify norm yes", its default in lj units). */
void sd_md_thermo(double ke, double pe, double w, int64_t N, double V, double kB, int per_particle, double out[5]);
/* Langevin O step: v = md_langevin(v, c1, c2[type], md_gaussian(seed, id, step, MD_RNG_LANGEVIN, c)),
 * c1 = md_langevin_c1(friction, dt), c2[t] = md_langevin_c2(c1, kB, temperature, mass[t]). */
typedef struct md_langevin_args {
    int64_t count;                   /* number of particles */
    const int64_t *id;               /* [count] global ids (each particle's draws depend on its id only) */
    const int32_t *type;             /* [count] types, 0 <= type < type_count */
    const double *mass;              /* mass per type (type_count entries; CUDA: host) */
    int type_count;                  /* number of particle types */
    double dt;                       /* the time step of the O step */
    double friction;                 /* gamma, the friction coefficient (1/time) */
    double temperature;              /* the bath's temperature T */
    double kB;                       /* Boltzmann constant in the run's units (MD_KB_LJ, MD_KB_REAL) */
    uint64_t seed;                   /* random stream (MD_RNG_LANGEVIN draws) */
    int64_t step;                    /* step number: each step draws new numbers */
    double *velocity;                /* in/out: component c of particle i at velocity[i + c*velocity_stride] */
    int64_t velocity_stride;         /* component stride of velocity */
} md_langevin_args;
void sd_md_langevin(const md_langevin_args *a);

/* ---- CUDA (same arguments or argument struct, device pointers; pair_table, mass, L, vs are HOST
 * pointers copied by value into the launch; the struct itself is read on the host during the
 * call; acc pointers are device sd_acc, initialised by the caller: p3 of the momentum is an array
 * of 3). Launched asynchronously on the stream (a cudaStream_t), no allocation, no copy. Bitwise
 * equal to the CPU versions by construction (tests/t_md_cuda and `stardag verify` check it on a
 * GPU, in both precisions; the mixed pair kernels have not run on one yet). Defined only when the library is built with nvcc. ---- */
void sd_md_lj_force_cuda(const md_lj_force_args *a, void *stream);
void sd_md_lj_energy_virial_cuda(const md_lj_energy_virial_args *a, void *stream);
void sd_md_lj_force_mixed_cuda(const md_lj_force_args *a, void *stream);
void sd_md_lj_energy_virial_mixed_cuda(const md_lj_energy_virial_args *a, void *stream);
void sd_md_kick_cuda(const md_kick_args *a, void *stream);
void sd_md_drift_cuda(int64_t n, double dt, const double *v, int64_t vsc, double *x, int64_t sc, void *stream);
void sd_md_wrap_cuda(int64_t n, const double L[3], double *x, int64_t sc, void *stream);
void sd_md_kinetic_cuda(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v, int64_t vsc,
                        const double *vs, sd_acc *ke, void *stream);
void sd_md_momentum_cuda(int64_t n, const int32_t *type, const double *mass, int ntypes, const double *v, int64_t vsc,
                         sd_acc *p3, sd_acc *msum, void *stream);
void sd_md_langevin_cuda(const md_langevin_args *a, void *stream);
void sd_md_velocity_create_cuda(const md_velocity_create_args *a, void *stream);
void sd_md_velocity_adjust_cuda(int64_t n, const double *vs, double lambda, double *v, int64_t vsc,
                                void *stream);
void sd_md_fcc_cuda(int64_t k0, int64_t n, const int64_t nc[3], double a, double *x, int64_t sc, int64_t *id,
                    void *stream);
void sd_md_ghost_fill_cuda(int64_t ng, const int64_t *owner, const int8_t *shift, const double L[3],
                           const double *src, int64_t ssc, double *dst, int64_t dsc, void *stream);
void sd_md_max_disp2_cuda(int64_t n, const double *x, int64_t sc, const double *x0, int64_t sc0, sd_acc *acc,
                          void *stream);

#ifdef __cplusplus
}
#endif
#endif
