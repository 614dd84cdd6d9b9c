/* newton_hessian.h - membrane.newton's Hessian (newton_hessian.c): the Hessian in the normal
 * displacements phi (x + phi n) of the Lagrangian E - mu V, E membrane.energy's energy, assembled
 * from central differences of its exact gradient over a distance-4 colouring of the vertices.
 * Pure C on a whole-mesh view (every vertex owned, fields of stride nv); internal to the library. */
#ifndef SD_MEMBRANE_NEWTON_HESSIAN_H
#define SD_MEMBRANE_NEWTON_HESSIAN_H
#include <stddef.h>
#include <stdint.h>
#include "stardag/kernel.h"

typedef struct sd_mb_hessian {
    int64_t nv;
    int64_t *start;  /* row u's entries: [start[u], start[u + 1]) */
    int32_t *col;    /* their columns: the vertices within two edges of u (u included), increasing */
    int64_t *mirror; /* mirror[s]: the place of the transposed entry (col[s], u) */
    double *val;     /* H[u][col[s]] = d(dL/dphi_u)/dphi_col[s] */
    int ncolours;    /* colours of the distance-4 colouring (twice as many gradient evaluations) */
} sd_mb_hessian;

typedef struct sd_mb_hessian_in {
    const sd_mpart *m;
    const double *param; /* membrane.energy's five: kappa c0 kappa_G gamma p */
    const double *x, *n; /* positions and unit normals, stride nv */
    double mu;           /* the volume's multiplier in L = E - mu V */
    double eps;          /* the difference step (a length) */
} sd_mb_hessian_in;

/* Assembles h (its arrays allocated here); ends the run with a message when out of memory. */
void sd_mb_hessian_build(const sd_mb_hessian_in *in, sd_mb_hessian *h);
void sd_mb_hessian_free(sd_mb_hessian *h);
/* The mean edge length (each face's three edges, so interior edges twice). */
double sd_mb_mean_edge(const sd_mpart *m, const double *x);
/* A failure the run cannot go on from (no memory, CHOLMOD refusing the matrix): a kernel has no
 * other way out; prints "stardag: membrane.newton: what" and exits with SD_EXIT_RUNTIME. */
void sd_mb_die(const char *what);
void *sd_mb_xmalloc(size_t n);

#endif
