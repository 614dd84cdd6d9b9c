/* verify.h - what verify.c (`stardag verify`, the grid cases and the driver) and
 * verify_particles.c (the particle test systems and the trajectory comparison) share. */
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

/* Particle codelets: the most blocks (cell layers along z) the test system of `cells` fcc unit
 * cells per axis can be split into. */
int sd_verify_particle_layers(int cells);

/* The test system for particle codelet c (graph text, malloc'd): a binary Lennard-Jones liquid of
 * 4 cells^3 atoms started on an fcc lattice, velocity Verlet for a few steps, split into nblocks
 * blocks, thermo scalars output at every step and an H5MD trajectory written to traj. NULL with a
 * message in err when c's roles cannot be bound to the system's fields. */
char *sd_verify_particle_graph(const sd_codelet *c, int cells, int nblocks, const char *traj, char *err,
                               size_t errlen);

/* Every dataset of two HDF5 files (an H5MD trajectory: positions, velocities, box, species,
 * observables) compared element by element: bitwise (tol 0), or |a-b| <= tol * max|a| over the
 * dataset's finite values of A. */
typedef struct sd_vh5_result {
    int datasets, differ;   /* datasets compared (the union of both files'), and how many differ */
    long long elements;     /* elements compared */
    double max_abs;         /* largest |a-b| over finite pairs */
    double max_rel;         /* largest |a-b| / max(|a|,|b|) */
    double max_scaled;      /* largest |a-b| / max|A's dataset| */
    char first[160];        /* the first dataset that differs, "" if none */
} sd_vh5_result;
/* SD_EXIT_OK (0): they agree; SD_EXIT_CHECK (3): they differ; SD_EXIT_BADGRAPH (2): a file could
 * not be read (message in err). */
int sd_verify_h5_datasets(const char *a, const char *b, double tol, sd_vh5_result *r, char *err, size_t errlen);

#endif
