/* verify.h - what verify.c (`stardag verify`, the grid cases and the driver) and
 * verify_particles.c (the particle test systems) share. */
#ifndef SD_VERIFY_H
#define SD_VERIFY_H

#include <stddef.h>
#include "graph.h"

/* a growing text buffer (oom set when an allocation failed; s may then be partial) */
typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An op's `params:` line: its required parameters set to 1, clamped to their range. */
void sd_verify_required_params(sbuf *b, const sd_codelet *c);
/* The same with extra params ("name: value, ..."; NULL: none) in the same map. */
void sd_verify_params(sbuf *b, const sd_codelet *c, const char *extra);

/* The parameter sets (graph `params:` bodies like "order: 4, gamma: 0.3") to verify grid codelet c
 * with besides its defaults (verify_variants.c): at most max of them into sets; returns how many. */
int sd_verify_variants(const sd_codelet *c, const char **sets, int max);
/* Does the parameter set name parameter `name`? */
int sd_verify_sets_param(const char *set, const char *name);

/* A small graph (text, malloc'd; NULL when out of memory) that runs grid codelet c as its one step
 * op for 2 steps on an ndim grid of n cells split into tiles `tile` (verify_grid.c): every field
 * role bound to a noise-filled field of its own, read scalars from common.sum, the parameter set
 * `set` (NULL: the defaults), x periodic, y reflective, z fixed; written fields and scalars output
 * at every step. fused: the graph for checking a fusable codelet (sd_codelet.fusable) under fused
 * steps: y fixed, 5 steps, and each field the op writes copied into a field it reads with the same
 * components (common.copy), so that the next step reads what the op computed beyond its tile. */
char *sd_verify_grid_graph(const sd_codelet *c, const char *set, int ndim, const int64_t n[3], int dtype, double dt,
                           const int64_t tile[3], int fused);

/* Particle codelets: the most blocks (cell layers along z) the test system of `cells` fcc unit
 * cells per axis can be split into. */
int sd_verify_particle_layers(int cells);

/* The test system for particle codelet c (graph text, malloc'd): a binary Lennard-Jones liquid of
 * 4 cells^3 atoms started on an fcc lattice, velocity Verlet for a few steps, split into nblocks
 * blocks, in double precision or (mixed != 0) precision: mixed, thermo scalars output at every
 * step and an H5MD trajectory written to traj. NULL with a
 * message in err when c's roles cannot be bound to the system's fields. */
char *sd_verify_particle_graph(const sd_codelet *c, int cells, int nblocks, int mixed, const char *traj, char *err,
                               size_t errlen);
/* Whether particle codelet c computes differently in precision: mixed (the pair kernels: md.lj_force,
 * md.thermo), so that it gets a test system in that precision too (mixed = 1 above). */
int sd_verify_particle_has_mixed(const sd_codelet *c);

/* The mesh test system's vertex field holding, for an edge field the op writes, its sums over each
 * vertex's edges (verify_mesh.c): when it differs, the op left edges other than its owned ones. */
#define SD_VERIFY_EDGE_SUM "edge_sum_of_"

/* The test system for mesh codelet c (graph text, malloc'd): a perturbed level-3 ellipsoid in nparts
 * partitions, the codelet as the step op for 2 steps, its outputs written at every step. NULL with a
 * message in err when c's roles cannot be bound. */
char *sd_verify_mesh_graph(const sd_codelet *c, int nparts, char *err, size_t errlen);

/* The test system for batch codelet c (graph text, malloc'd; verify_batch.c): 1000 copies of a
 * registered ODE system in nranges ranges, the codelet as the step op for 2 intervals, its outputs
 * written at every step; stiff: its parameters in [300, 1000) rather than [0.5, 1.5). NULL with a
 * message in err when c's roles cannot be bound. */
char *sd_verify_batch_graph(const sd_codelet *c, int nranges, int stiff, char *err, size_t errlen);

/* The test system for transport codelet c (graph text, malloc'd; verify_transport.c): a small proton
 * beam on a 13 x 17 phase-space grid in tiles `tile` (x, z), the codelet in the step or init it
 * belongs to, 12 steps, every field and scalar written at every step. NULL with a message in err
 * for a codelet the system does not know. */
char *sd_verify_transport_graph(const sd_codelet *c, const int64_t tile[2], char *err, size_t errlen);

#endif
