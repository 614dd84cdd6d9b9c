/* t_membrane_tilt_t.c - the t-only tilt ops (membrane.tilt_t, membrane.bending_tilt_t) against the
 * full ones (membrane.tilt, membrane.bending_tilt): the same energy and tgrad, bitwise, on perturbed
 * icospheres with random tangent tilts, as whole-mesh views and as three partitions with ghost rings
 * (values the ops' halos do not cover set to NaN: tilt_t reads t on owned vertices only); each op
 * runs on a view holding exactly its declared scratch (NaN-filled). CPU kernels, called through the
 * registry.
 *   t_membrane_tilt_t --bench   times full vs t-only (one thread) at 10,242 and 40,962 vertices. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tap.h"
#include "kernel_util.h"
#include "mesh_view.h"
#include "mesh_part.h"
#include "mesh_file.h"
#include "tilt_state.h"
#include "stardag/codelet.h"

/* An op's outputs on a view of nv local vertices: tgrad, grad (full ops only), the energy partial. */
typedef struct out {
    double *tg, *g;
    sd_acc acc;
} out;
static void out_alloc(out *o, int64_t nv)
{
    o->tg = calloc(3 * nv, sizeof(double));
    o->g = calloc(3 * nv, sizeof(double));
    if (!o->tg || !o->g) exit(1);
}
static void out_free(out *o) { free(o->tg), free(o->g); }

/* Runs op on view m (fields of stride nv): roles x, t, tgrad, [grad,] energy, as it declares them. */
static void run_op(const sd_codelet *c, const sd_mpart *m, const double *x, const double *t, const double *prm,
                   out *o)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    double dummy = 0;
    const int nf = c->nroles - 1; /* field roles, then the energy */
    a.nbuf = c->nroles;
    a.p[0] = (void *)x, a.p[1] = (void *)t, a.p[2] = o->tg;
    if (nf == 4) a.p[3] = o->g;
    a.p[nf] = &dummy;
    for (int b = 0; b < nf; b++) a.sc[b] = m->nv, a.ncomp[b] = 3, a.dtype[b] = SD_F64;
    a.ncomp[nf] = 1;
    for (int p = 0; p < c->nparams; p++) a.param[p] = prm[p];
    sd_acc_init(&o->acc);
    a.nacc = 1, a.acc = &o->acc;
    a.mesh = *m;
    c->cpu(&a);
}

static const sd_codelet *find(const char *name)
{
    const sd_codelet *c = sd_codelet_find(name);
    if (!c) {
        fprintf(stderr, "codelet %s not registered\n", name);
        exit(1);
    }
    return c;
}

/* The pairs: full op, t-only op, parameters. */
typedef struct pair {
    const char *full, *tonly;
    double prm[2];
    const char *what;
} pair;
static const pair PAIRS[] = {
    {"membrane.tilt", "membrane.tilt_t", {2.5, 0}, "k_t 2.5"},
    {"membrane.bending_tilt", "membrane.bending_tilt_t", {1.7, 0.0}, "kappa 1.7, c0 0"},
    {"membrane.bending_tilt", "membrane.bending_tilt_t", {0.8, -1.2}, "kappa 0.8, c0 -1.2"},
};
enum { NPAIRS = sizeof PAIRS / sizeof PAIRS[0] };

/* Roles as the pack declares them: the t-only op has the full op's roles without grad, t's halo 0
 * for tilt_t (tgrad_v = k_t A_v t_v), bending_tilt's halos for bending_tilt_t. */
static void test_roles(void)
{
    for (int i = 0; i < NPAIRS; i += 1 + (i == 1)) {
        const sd_codelet *F = find(PAIRS[i].full), *T = find(PAIRS[i].tonly);
        int same = T->nroles == 4 && F->nroles == 5 && T->nparams == F->nparams && T->domain == SD_ON_MESH &&
                   T->pattern == SD_SCATTER_ADD && !strcmp(T->roles[2].name, "tgrad") &&
                   !strcmp(T->roles[3].name, "energy") && T->roles[3].kind == SD_ROLE_SCALAR &&
                   T->roles[0].halo == F->roles[0].halo;
        const int thalo = i == 0 ? 0 : F->roles[1].halo;
        same &= T->roles[1].halo == thalo;
        ok(same, "%s: roles x (halo %d), t (halo %d), tgrad, energy; %s's parameters", T->name, T->roles[0].halo,
           T->roles[1].halo, F->name);
    }
}

static int bitwise(const double *a, const double *b, int64_t n)
{
    return !memcmp(a, b, sizeof(double) * (size_t)n);
}

/* Whole mesh: tgrad and energy of the t-only op equal the full op's, bitwise. */
static void test_whole(rng *g)
{
    for (int level = 2; level <= 4; level++) {
        state s;
        make_state(&s, level, 0.08, 0.5, g);
        const int64_t nv = s.m.nv;
        for (int i = 0; i < NPAIRS; i++) {
            const sd_codelet *F = find(PAIRS[i].full), *T = find(PAIRS[i].tonly);
            mesh_view vf, vt;
            if (mesh_view_init(&vf, nv, s.m.nf, s.m.tri, F->scratch_v, F->scratch_f) ||
                mesh_view_init(&vt, nv, s.m.nf, s.m.tri, T->scratch_v, T->scratch_f))
                exit(1);
            out of, ot;
            out_alloc(&of, nv), out_alloc(&ot, nv);
            run_op(F, &vf.m, s.x, s.t, PAIRS[i].prm, &of);
            run_op(T, &vt.m, s.x, s.t, PAIRS[i].prm, &ot);
            const double ef = sd_acc_sum(&of.acc), et = sd_acc_sum(&ot.acc);
            double mx = 0;
            for (int64_t k = 0; k < 3 * nv; k++) mx = fmax(mx, fabs(of.tg[k]));
            ok(bitwise(of.tg, ot.tg, 3 * nv) && !memcmp(&ef, &et, sizeof ef) && mx > 0 && ef > 0,
               "level %d (%lld vertices), %s (%s): tgrad (max %.3g) and energy %.12g bitwise %s's", level,
               (long long)nv, T->name, PAIRS[i].what, mx, et, F->name);
            out_free(&of), out_free(&ot), mesh_view_free(&vf), mesh_view_free(&vt);
        }
        free_state(&s);
    }
}

/* Three partitions (bands of z, or scattered: v mod 3): the t-only op on each gives every owned
 * vertex the full op's whole-mesh tgrad bits, and the exact sum of the partials its energy's bits. */
static void test_partitions(rng *g)
{
    state s;
    make_state(&s, 3, 0.05, 0.4, g);
    const int64_t nv = s.m.nv;
    int *owner = malloc(sizeof(int) * nv);
    if (!owner) exit(1);
    for (int i = 0; i < NPAIRS; i++) {
        const sd_codelet *F = find(PAIRS[i].full), *T = find(PAIRS[i].tonly);
        const int xh = T->roles[0].halo, th = T->roles[1].halo;
        mesh_view vf;
        if (mesh_view_init(&vf, nv, s.m.nf, s.m.tri, F->scratch_v, F->scratch_f)) exit(1);
        out whole;
        out_alloc(&whole, nv);
        run_op(F, &vf.m, s.x, s.t, PAIRS[i].prm, &whole);
        for (int scheme = 0; scheme < 2; scheme++) {
            for (int64_t v = 0; v < nv; v++) {
                const double z = s.x[v + 2 * nv];
                owner[v] = scheme ? (int)(v % 3) : z < -0.3 ? 0 : z < 0.3 ? 1 : 2;
            }
            sd_acc total;
            sd_acc_init(&total);
            int same = 1;
            for (int me = 0; me < 3; me++) {
                mesh_view P;
                if (mesh_part_init(&P, nv, s.m.nf, s.m.tri, owner, me, T->scratch_v, T->scratch_f)) exit(1);
                const sd_mpart *m = &P.m;
                double *xl = malloc(sizeof(double) * 3 * m->nv), *tl = malloc(sizeof(double) * 3 * m->nv);
                if (!xl || !tl) exit(1);
                /* ring r of local vertex v: 0 owned, 1, 2 */
                for (int64_t v = 0; v < m->nv; v++) {
                    const int ring = v < m->nv_own ? 0 : v < m->nv_ring1 ? 1 : 2;
                    for (int c = 0; c < 3; c++) {
                        xl[v + c * m->nv] = ring > xh ? NAN : s.x[P.vid[v] + c * nv];
                        tl[v + c * m->nv] = ring > th ? NAN : s.t[P.vid[v] + c * nv];
                    }
                }
                out o;
                out_alloc(&o, m->nv);
                run_op(T, m, xl, tl, PAIRS[i].prm, &o);
                sd_acc_merge(&total, &o.acc);
                for (int64_t v = 0; v < m->nv_own; v++)
                    for (int c = 0; c < 3; c++)
                        same &= bitwise(&o.tg[v + c * m->nv], &whole.tg[P.vid[v] + c * nv], 1);
                out_free(&o), free(xl), free(tl), mesh_view_free(&P);
            }
            const double a = sd_acc_sum(&total), b = sd_acc_sum(&whole.acc);
            ok(same && !memcmp(&a, &b, sizeof a),
               "%s (%s), 3 partitions (%s; x beyond ring %d, t beyond ring %d NaN): tgrad and energy bitwise "
               "%s's on the whole mesh",
               T->name, PAIRS[i].what, scheme ? "scattered v mod 3" : "bands of z", xh, th, F->name);
        }
        out_free(&whole), mesh_view_free(&vf);
    }
    free(owner), free_state(&s);
}

/* --bench: best of 5 runs of each op on one thread, level 5 and 6 icospheres. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
static void bench(rng *g)
{
    for (int level = 5; level <= 6; level++) {
        state s;
        make_state(&s, level, 0.02, 0.3, g);
        const int64_t nv = s.m.nv;
        const char *names[4] = {"membrane.tilt", "membrane.tilt_t", "membrane.bending_tilt", "membrane.bending_tilt_t"};
        double best[4];
        for (int k = 0; k < 4; k++) {
            const sd_codelet *c = find(names[k]);
            mesh_view mv;
            if (mesh_view_init(&mv, nv, s.m.nf, s.m.tri, c->scratch_v, c->scratch_f)) exit(1);
            out o;
            out_alloc(&o, nv);
            const double prm[2] = {1.0, 0.5};
            best[k] = 1e300;
            for (int r = 0; r < 5; r++) {
                const double t0 = now();
                run_op(c, &mv.m, s.x, s.t, prm, &o);
                best[k] = fmin(best[k], now() - t0);
            }
            out_free(&o), mesh_view_free(&mv);
        }
        for (int k = 0; k < 4; k += 2)
            printf("%lld vertices: %-22s %8.3f ms   %-24s %8.3f ms   ratio %.2f\n", (long long)nv, names[k],
                   1e3 * best[k], names[k + 1], 1e3 * best[k + 1], best[k + 1] / best[k]);
        free_state(&s);
    }
}

int main(int argc, char **argv)
{
    sd_register_builtin_codelets();
    rng g = {20261204};
    if (argc > 1 && !strcmp(argv[1], "--bench")) {
        bench(&g);
        return 0;
    }
    test_roles();
    test_whole(&g);
    test_partitions(&g);
    return tap_done();
}
