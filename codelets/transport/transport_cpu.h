/* transport_cpu.h - the transport pack's CPU loops (internal): one tile's view, the occupancy boxes
 * that bound every loop, and the drivers (advance.c: stream, the fused step, angular scatter and
 * energy loss in place; beam.c; totals.c). */
#ifndef SD_TRANSPORT_CPU_H
#define SD_TRANSPORT_CPU_H
#include <stdint.h>
#include "stardag/kernel.h"
#include "transport_tables.h"

/* One tile: psi (input, or the one updated in place), psi_next, occupancies, dose, tally. Element
 * strides: s1 = z, s3 = theta, s4 = E (psi); s1 = z, sc = component (cells). */
typedef struct tr_io {
    int64_t nx, nz;   /* interior cells */
    int64_t gx0, gz0; /* global index of cell (0, 0) */
    int64_t NX, NZ;   /* global shape */
    int64_t nt, ne;   /* theta and E bins */
    int f32;          /* psi levels are f32 */
    void *psi;
    int64_t ps1, ps3, ps4;
    void *out;
    int64_t os1, os3, os4;
    const double *occ;
    int64_t cs1, csc;
    double *occn;
    int64_t ns1, nsc;
    double *dose;
    int64_t ds1;
    double *tally;
    int64_t ts1, tsc;
    int dense; /* ignore the occupancy: loop over everything (tests, benchmarks) */
    double cutoff; /* fused step: streamed weights below it stop where they are (0: none) */
} tr_io;

/* A box of phase space: bins [t0, t1] x [m0, m1], cells [x0, x1] x [z0, z1] (local). Empty when
 * t0 > t1 (then every range is empty). */
typedef struct tr_box {
    int64_t t0, t1, m0, m1, x0, x1, z0, z1;
} tr_box;

/* A run of escapes of weight out of the grid (loops_impl.h, escape_list): n source cells from b
 * (flat index in B), into n tally elements from t, through streaming term c (0: c10, 1: c01,
 * 2: c11). */
typedef struct tr_esc {
    int64_t b, t, c, n;
} tr_esc;

/* STARDAG_TRANSPORT_DENSE=1 in the environment: loops ignore the occupancy (read once). */
int tr_dense_env(void);

/* Occupancy of cells [xa, xb] x [za, zb] (local, clipped to the global grid) of the field at occ:
 * the union of their bin ranges and the bounding box of the occupied cells. */
tr_box tr_box_from_occ(const tr_io *io, const double *occ, int64_t s1, int64_t sc, int64_t xa, int64_t xb, int64_t za,
                       int64_t zb);
/* Everything of cells [xa, xb] x [za, zb] clipped to the grid (dense mode). */
tr_box tr_box_full(const tr_io *io, int64_t xa, int64_t xb, int64_t za, int64_t zb);

void tr_advance_f64(const tr_io *io, const tr_tables *tb, int fused);
void tr_advance_f32(const tr_io *io, const tr_tables *tb, int fused);
void tr_scatter_f64(const tr_io *io, const tr_tables *tb);
void tr_scatter_f32(const tr_io *io, const tr_tables *tb);
void tr_loss_f64(const tr_io *io, const tr_tables *tb);
void tr_loss_f32(const tr_io *io, const tr_tables *tb);

#endif
