/* tilt_state.h - the tilt tests' meshes: a perturbed unit icosphere with random tangent tilts
 * (tests/t_membrane_tilt.c, tests/t_membrane_tilt_t.c). */
#ifndef SD_TEST_TILT_STATE_H
#define SD_TEST_TILT_STATE_H
#include <stdio.h>
#include <stdlib.h>
#include "kernel_util.h"
#include "mesh_file.h"

typedef struct state {
    sd_mesh m;
    double *x, *t; /* SoA [3 nv] */
} state;

/* icosphere of the level, radius and positions perturbed by noise, tangent random tilts of size ~tilt */
static void make_state(state *s, int level, double noise, double tilt, rng *g)
{
    char err[256];
    if (sd_mesh_icosphere(level, 1.0, &s->m, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    const int64_t nv = s->m.nv;
    s->x = malloc(sizeof(double) * 3 * nv);
    s->t = malloc(sizeof(double) * 3 * nv);
    if (!s->x || !s->t) exit(1);
    for (int64_t v = 0; v < nv; v++) {
        double p[3], r[3];
        for (int c = 0; c < 3; c++) p[c] = s->m.x[3 * v + c], r[c] = rng_range(g, -1, 1);
        const double d = r[0] * p[0] + r[1] * p[1] + r[2] * p[2];
        for (int c = 0; c < 3; c++) s->t[v + c * nv] = tilt * (r[c] - d * p[c]);
        const double rad = 1.0 + noise * rng_range(g, -1, 1);
        for (int c = 0; c < 3; c++) s->x[v + c * nv] = rad * p[c] + 0.5 * noise * rng_range(g, -1, 1);
    }
}
static void free_state(state *s)
{
    sd_mesh_free(&s->m);
    free(s->x), free(s->t);
}

#endif
