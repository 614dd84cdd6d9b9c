/* transport_tables.h - the per-task tables of the transport ops: everything a step needs that
 * depends on the energy and angle bins, ds and the parameters but not on the cell (scatter weights
 * per E bin, the CSDA map and its split, the streaming weights per angle bin). Built by one pure
 * host function from transport_math.h; the CPU loops and the CUDA launchers share them. */
#ifndef SD_TRANSPORT_TABLES_H
#define SD_TRANSPORT_TABLES_H
#include <stddef.h>
#include <stdint.h>
#include "transport_math.h"

/* What the tables depend on (compared whole to reuse a thread's tables). */
typedef struct tr_setup {
    int64_t nt, ne;             /* theta and E bins */
    double th_lo, th_hi;        /* theta range, degrees */
    double e_lo, e_hi;          /* E range, MeV */
    double ds, dx, dz;          /* path per step and cell size, mm */
    double k_sigma;             /* scatter truncation (0: scatter unused) */
    double e_cut;               /* stop below, MeV (NaN: the first E bin centre) */
    const double *table;        /* user stopping-power table (rows x 2: E MeV, S MeV cm^2/g) or NULL: PSTAR water */
    int64_t rows;
    uint64_t table_hash;        /* of the table's bits: a table freed and another allocated at its address
                                   (several runs in one process) must not reuse cached tables */
} tr_setup;

typedef struct tr_tables {
    tr_setup key;
    int64_t nt, ne;
    double e_cut;               /* resolved */
    double *E;                  /* [ne] bin centres, MeV */
    int32_t *K;                 /* [ne] scatter reach in bins, <= nt - 1 */
    int64_t *woff;              /* [ne] weights of bin m: w[woff[m] + d + K[m]], d = -K..K */
    double *w;
    double *lost;               /* [ne * nt] lost-angle fraction of source bin (m, k) at lost[m * nt + k] */
    double *far;                /* [ne] weight past the stored reach on each side (in lost twice) */
    int32_t *stop;              /* [ne] 1: the bin stops in one step */
    int64_t *lo;                /* [ne] lower destination bin (when not stopped) */
    double *flo;                /* [ne] fraction of the weight going to lo */
    int64_t *s0, *s1;           /* [ne] destination m gathers from source bins s0..s1 (s0 > s1: none) */
    double *Ep;                 /* [ne] E' of each bin (for tests and docs) */
    tr_stream_w *sw;            /* [nt] streaming weights per theta bin */
    int32_t Kmax;               /* max K */
    int64_t window;             /* max s1 - s0 + 1 */
} tr_tables;

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes tr_tables_build needs for this setup. */
size_t tr_tables_bytes(const tr_setup *s);
/* Build into mem (tr_tables_bytes(s) bytes, 16-byte aligned). Pure: same setup, same bits. */
void tr_tables_build(const tr_setup *s, void *mem, tr_tables *t);
/* The calling thread's tables for s, built at most once per distinct setup; NULL when out of memory. */
const tr_tables *tr_tables_get(const tr_setup *s);
/* The calling thread's scratch of at least `bytes` (contents undefined); NULL when out of memory. */
void *tr_scratch(size_t bytes);
/* Report an impossible allocation and abort (a kernel has no way to fail gracefully). */
void tr_oom(const char *op, size_t bytes);
/* The setup of an op's tile (kernels.c): bins, ranges, ds = dt, cell size, the parameters. */
struct sd_tile_args;
/* The setup of an op's tile; table: the op's stopping-power table (host memory, rows x 2) or NULL
 * for the built-in PSTAR water. */
void tr_setup_of(const struct sd_tile_args *a, double k_sigma, double e_cut, const double *table, int64_t rows,
                 tr_setup *s);
/* pencil_beam's normalised factors (beam.c). */
void tr_beam_factors(double lo, double hi, int64_t n, double mu, double sigma, double *g);

#ifdef __cplusplus
}
#endif
#endif
