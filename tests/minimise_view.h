/* minimise_view.h - what the minimiser tests share (tests/t_membrane_minimise.c: the ops one by
 * one; tests/t_membrane_minimise_runs.c: whole minimisations): codelets by name, vertex fields on a
 * hand-built partition view of NOWN owned vertices and NGHOST ghosts the ops must leave alone. */
#ifndef SD_TEST_MINIMISE_VIEW_H
#define SD_TEST_MINIMISE_VIEW_H
#include <math.h>
#include <string.h>
#include "tap.h"
#include "kernel_util.h"
#include "mesh_view.h"
#include "mesh_file.h"
#include "stardag/codelet.h"
#include "membrane/membrane_math.h"

#define NOWN 37  /* owned vertices */
#define NGHOST 5 /* ghosts after them: never read or written by these ops */
#define NV (NOWN + NGHOST)
#define GHOST_MARK (-12345.5)

typedef struct vfield { double v[3 * NV]; } vfield; /* component c of vertex v at v[v + c*NV] */

static inline const sd_codelet *get(const char *name)
{
    const sd_codelet *c = sd_codelet_find(name);
    if (!c) {
        printf("Bail out! codelet %s is not registered\n", name);
        exit(1);
    }
    return c;
}

static inline void fill_random(vfield *f, rng *r, double lo, double hi)
{
    for (int i = 0; i < 3 * NV; i++) f->v[i] = rng_range(r, lo, hi);
    for (int c = 0; c < 3; c++)
        for (int v = NOWN; v < NV; v++) f->v[v + c * NV] = GHOST_MARK;
}

static inline int ghosts_kept(const vfield *f)
{
    for (int c = 0; c < 3; c++)
        for (int v = NOWN; v < NV; v++)
            if (!same_bits(f->v[v + c * NV], GHOST_MARK)) return 0;
    return 1;
}

/* A mesh view with the owned-then-ghost vertex layout; slots in role order (scalar writes of a
 * reduction excepted: they are acc[]). */
typedef struct view {
    sd_tile_args a;
    sd_acc acc[SD_MAX_ACC];
} view;

static inline void view_init(view *w, int64_t nown)
{
    memset(w, 0, sizeof *w);
    w->a.mesh.nv_own = nown;
    w->a.mesh.nv_ring1 = w->a.mesh.nv = NV;
    w->a.mesh.nv_global = NV;
    w->a.acc = w->acc;
    for (int i = 0; i < SD_MAX_ACC; i++) sd_acc_init(&w->acc[i]);
}
static inline void bind_field(view *w, int slot, vfield *f)
{
    w->a.p[slot] = f->v;
    w->a.sc[slot] = NV;
    w->a.ncomp[slot] = 3;
    w->a.dtype[slot] = SD_F64;
    if (slot >= w->a.nbuf) w->a.nbuf = slot + 1;
}
static inline void bind_scalar(view *w, int slot, double *s)
{
    w->a.p[slot] = s;
    w->a.ncomp[slot] = 1;
    w->a.dtype[slot] = SD_F64;
    if (slot >= w->a.nbuf) w->a.nbuf = slot + 1;
}


/* step: x d vgrad step k lam0..lam3 */
static inline void step_op(vfield *x, vfield *d, vfield *vg, double step, double k, const double lam[4])
{
    double sc[6] = {step, k, lam[0], lam[1], lam[2], lam[3]};
    view w;
    view_init(&w, NOWN);
    bind_field(&w, 0, x), bind_field(&w, 1, d), bind_field(&w, 2, vg);
    for (int i = 0; i < 6; i++) bind_scalar(&w, 3 + i, &sc[i]);
    get("membrane.step")->cpu(&w.a);
}

#endif
