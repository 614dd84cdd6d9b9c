/* t_membrane_energy.c - the membrane energy kernels (codelets/membrane/energy.c) called directly on
 * whole-mesh views (mesh_view.h) and on partitions (mesh_part.h), no StarPU:
 *  1. Helfrich energy of unit icospheres, levels 3..6 (table), -> 8 pi;
 *  2. every analytic gradient against central finite differences on perturbed meshes with obtuse
 *     triangles;
 *  3. energies and gradients against a slow per-vertex reference (membrane_ref.h);
 *  4. the Gaussian term sums to 2 pi kappa_G chi;
 *  5. area and volume of icospheres -> 4 pi, 4/3 pi;
 *  6. trial_volume's V_k equal membrane.measure's volume at x + alpha 2^-k d, and trial_energy's L_k
 *     membrane.energy's energy at the restored trial points x + alpha 2^-k d + lam_k vgrad, bitwise;
 *  7. every op bitwise the same on the whole mesh and on 3 or 7 partitions;
 *  8. face_geometry: areas and unit normals = membrane_math.h's per-face values, total = measure's
 *     area, bitwise, on the whole mesh and merged from 7 partitions (face fields, stride nf);
 *  9. the blocked face passes (face_blocks.c) = the face-by-face stages that CUDA runs, bitwise, under
 *     every ISA this CPU has; faces without a corner below lim keep their scratch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "kernel_util.h"
#include "mesh_view.h"
#include "mesh_part.h"
#include "membrane_ref.h"
#include "mesh_file.h"
#include "stardag/codelet.h"
#include "membrane/energy_kernels.h"
#include "membrane/face_blocks.h"
#include "simd/isa.h"
#include "membrane/membrane_math.h"

enum { SV = 4, SF = 18 }; /* the largest scratch of the ops (bending, energy) */

typedef struct mesh_case {
    int64_t nv, nf;
    int64_t *tri;
    double *x;  /* SoA, stride nv */
    double *xa; /* AoS (reference) */
    mesh_view mv;
} mesh_case;

static void die(const char *what)
{
    printf("Bail out! %s\n", what);
    exit(1);
}

static void case_free(mesh_case *c)
{
    free(c->tri), free(c->x), free(c->xa);
    mesh_view_free(&c->mv);
}

static void case_sync_aos(mesh_case *c)
{
    for (int64_t v = 0; v < c->nv; v++)
        for (int k = 0; k < 3; k++) c->xa[3 * v + k] = c->x[v + k * c->nv];
}

/* level, axes (NULL: unit sphere); amp > 0: every coordinate moved by up to amp * mean edge */
static void case_make(mesh_case *c, int level, const double *axes, double amp, uint64_t seed)
{
    sd_mesh m;
    char err[256];
    const double unit[3] = {1, 1, 1};
    if (sd_mesh_ellipsoid(level, axes ? axes : unit, &m, err, sizeof err)) die(err);
    c->nv = m.nv, c->nf = m.nf, c->tri = m.tri;
    c->x = mesh_view_soa(m.x, m.nv);
    c->xa = (double *)malloc(sizeof(double) * (size_t)(3 * m.nv));
    if (!c->x || !c->xa) die("out of memory");
    free(m.x);
    if (amp > 0) {
        double el = 0;
        for (int64_t f = 0; f < c->nf; f++) {
            const int64_t a = c->tri[3 * f], b = c->tri[3 * f + 1];
            double s = 0;
            for (int k = 0; k < 3; k++) s += pow(c->x[a + k * c->nv] - c->x[b + k * c->nv], 2);
            el += sqrt(s) / (double)c->nf;
        }
        rng r = {seed};
        for (int64_t i = 0; i < 3 * c->nv; i++) c->x[i] += amp * el * rng_range(&r, -1, 1);
    }
    case_sync_aos(c);
    if (mesh_view_init(&c->mv, c->nv, c->nf, c->tri, SV, SF)) die("mesh_view_init");
}

static int obtuse_faces(const mesh_case *c)
{
    int n = 0;
    for (int64_t f = 0; f < c->nf; f++) {
        membrane_face g;
        membrane_face_load(&g, c->mv.tri, f, c->x, c->nv);
        n += membrane_face_obtuse(&g) >= 0;
    }
    return n;
}

/* An op call: buffers (vertex fields of the view's nv, or scalars), parameters, scalar outputs. */
typedef struct op_call {
    sd_cpu_fn fn;
    int nbuf, nacc, nparam;
    double *buf[SD_MAX_BUFS];
    double param[SD_MAX_PARAMS];
    double out[SD_MAX_ACC];
} op_call;

static void run_view(op_call *o, const mesh_view *mv, sd_acc *acc)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = o->nbuf;
    for (int b = 0; b < o->nbuf; b++) a.p[b] = o->buf[b], a.sc[b] = mv->m.nv, a.dtype[b] = SD_F64;
    memcpy(a.param, o->param, sizeof a.param);
    a.nacc = o->nacc;
    a.acc = acc;
    a.mesh = mv->m;
    o->fn(&a);
}
static void run(op_call *o, const mesh_view *mv)
{
    sd_acc acc[SD_MAX_ACC];
    for (int i = 0; i < o->nacc; i++) sd_acc_init(&acc[i]);
    run_view(o, mv, acc);
    for (int i = 0; i < o->nacc; i++) o->out[i] = sd_acc_sum(&acc[i]);
}

static double *field(int64_t nv, int ncomp)
{
    double *p = (double *)malloc(sizeof(double) * (size_t)(ncomp * nv));
    if (!p) die("out of memory");
    for (int64_t i = 0; i < ncomp * nv; i++) p[i] = 0.0 / 0.0;
    return p;
}

/* The ops under test, with their buffers: x is slot 0, fields after it. */
typedef struct op_spec {
    const char *name;
    sd_cpu_fn fn;
    int nfield, ncomp[4], nacc, nparam;
    double param[5];
} op_spec;

static op_call op_make(const op_spec *s, mesh_case *c)
{
    op_call o;
    memset(&o, 0, sizeof o);
    o.fn = s->fn, o.nbuf = 1 + s->nfield, o.nacc = s->nacc, o.nparam = s->nparam;
    o.buf[0] = c->x;
    for (int b = 0; b < s->nfield; b++) o.buf[1 + b] = field(c->nv, s->ncomp[b]);
    memcpy(o.param, s->param, sizeof s->param);
    return o;
}
static void op_free(op_call *o, int nfield)
{
    for (int b = 1; b <= nfield; b++) free(o->buf[b]);
}

static const op_spec BEND0 = {"bending(kappa 1)", sd_membrane_bending_cpu, 1, {3}, 2, 3, {1, 0, 0}};
static const op_spec BEND1 = {"bending(kappa 1.3, c0 0.8, kappa_G 0.5)", sd_membrane_bending_cpu, 1, {3}, 2, 3, {1.3, 0.8, 0.5}};
static const op_spec TENS = {"tension(gamma 0.7)", sd_membrane_tension_cpu, 1, {3}, 1, 1, {0.7}};
static const op_spec VOLU = {"volume", sd_membrane_volume_cpu, 1, {3}, 2, 0, {0}};
static const op_spec ENER = {"energy(1.1, -0.5, 0.3, 0.4, 0.9)", sd_membrane_energy_cpu, 2, {3, 3}, 5, 5, {1.1, -0.5, 0.3, 0.4, 0.9}};
static const op_spec MEAS = {"measure", sd_membrane_measure_cpu, 0, {0}, 2, 0, {0}};
static const op_spec CURV = {"curvature", sd_membrane_curvature_cpu, 3, {1, 1, 3}, 0, 0, {0}};

static double max_abs(const double *g, int64_t n)
{
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(g[i]));
    return m;
}

/* Central differences of scalar `out` of op s against the gradient g (SoA) over every coordinate:
 * max |fd - g| / max |g| (scale: max |g| unless given). */
static double fd_error(const op_spec *s, int out, mesh_case *c, const double *g, double scale)
{
    op_call o = op_make(s, c);
    const double h = 1e-6;
    double err = 0;
    for (int64_t i = 0; i < 3 * c->nv; i++) {
        const double x0 = c->x[i];
        c->x[i] = x0 + h;
        run(&o, &c->mv);
        const double ep = o.out[out];
        c->x[i] = x0 - h;
        run(&o, &c->mv);
        const double em = o.out[out];
        c->x[i] = x0;
        err = fmax(err, fabs((ep - em) / (2 * h) - (g ? g[i] : 0.0)));
    }
    op_free(&o, s->nfield);
    return err / (scale > 0 ? scale : max_abs(g, 3 * c->nv));
}

/* 1 and 5: icospheres */
static void test_spheres(void)
{
    const double ref[7] = {0, 0, 0, 25.01, 0, 0, 25.13};
    double prev_e = 1e300, prev_a = 1e300, prev_v = 1e300;
    diag("level  vertices  E_bending            E - 8 pi     area - 4 pi   volume - 4/3 pi");
    for (int level = 3; level <= 6; level++) {
        mesh_case c;
        case_make(&c, level, NULL, 0, 0);
        op_call b = op_make(&BEND0, &c), m = op_make(&MEAS, &c);
        run(&b, &c.mv);
        run(&m, &c.mv);
        const double e = b.out[0], de = e - 8 * M_PI, da = m.out[0] - 4 * M_PI, dv = m.out[1] - 4 * M_PI / 3;
        diag("%5d  %8lld  %.15f  %+.3e   %+.3e    %+.3e", level, (long long)c.nv, e, de, da, dv);
        if (ref[level] > 0) ok(fabs(e - ref[level]) < 0.005, "level %d: E_bending %.4f ~ %.2f", level, e, ref[level]);
        ok(fabs(de) < prev_e && fabs(da) < prev_a && fabs(dv) < prev_v,
           "level %d: bending energy, area and volume closer to 8 pi, 4 pi, 4/3 pi than at level %d", level,
           level - 1);
        prev_e = fabs(de), prev_a = fabs(da), prev_v = fabs(dv);
        if (level == 6) {
            ok(fabs(de) < 2e-3 * 8 * M_PI, "level 6: E_bending within 0.2%% of 8 pi");
            ok(fabs(da) < 1e-3 * 4 * M_PI && fabs(dv) < 1e-3 * 4 * M_PI / 3, "level 6: area, volume within 0.1%%");
        }
        if (level == 5) { /* curvature diagnostics: H ~ 1, normals radial, areas sum to the area */
            op_call k = op_make(&CURV, &c);
            run(&k, &c.mv);
            double hmax = 0, nmax = 0;
            sd_acc asum;
            sd_acc_init(&asum);
            for (int64_t v = 0; v < c.nv; v++) {
                hmax = fmax(hmax, fabs(k.buf[2][v] - 1));
                const mb_vec n = mb_load(k.buf[3], c.nv, v), x = mb_load(c.x, c.nv, v);
                nmax = fmax(nmax, fabs(mb_dot(n, x) / sqrt(mb_dot(x, x)) - 1) + fabs(mb_dot(n, n) - 1));
                sd_acc_add(&asum, k.buf[1][v]);
            }
            ok(hmax < 0.02, "level 5: mean curvature H = 1 +- %.2g on the unit sphere", hmax);
            ok(nmax < 1e-4, "level 5: unit vertex normals radial (deviation %.2g)", nmax);
            is_close(sd_acc_sum(&asum), m.out[0], 1e-13, "level 5: vertex areas sum to the surface area");
            op_free(&k, CURV.nfield);
        }
        op_free(&b, BEND0.nfield), op_free(&m, MEAS.nfield);
        case_free(&c);
    }
}

/* 2, 3 and 4 on one perturbed mesh */
static void test_gradients(const char *what, mesh_case *c)
{
    const int nob = obtuse_faces(c);
    diag("%s: %lld vertices, %d of %lld faces obtuse", what, (long long)c->nv, nob, (long long)c->nf);
    ok(nob > 0, "%s: has obtuse triangles (%d)", what, nob);
    const double tol_fd = 1e-6, tol_ref = 1e-12;
    const op_spec *ops[] = {&BEND0, &BEND1, &TENS, &VOLU, &ENER};
    double *gref = field(c->nv, 3);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        const op_spec *s = ops[i];
        op_call o = op_make(s, c);
        run(&o, &c->mv);
        double *g = o.buf[1];
        const double efd = fd_error(s, 0, c, g, 0);
        ok(efd <= tol_fd, "%s %s: d energy/dx = central differences (max error %.2g of max |grad|)", what, s->name, efd);
        /* the reference */
        ref_params P = {0};
        double gauss, area, vol;
        if (s == &BEND0 || s == &BEND1) P.kappa = s->param[0], P.c0 = s->param[1], P.kappa_G = s->param[2];
        if (s == &TENS) P.gamma = s->param[0];
        if (s == &VOLU) P.p = -1; /* E = V */
        if (s == &ENER) memcpy(&P, s->param, sizeof P);
        double *ga = field(c->nv, 3);
        const double eref = ref_energy(c->xa, c->nv, c->tri, c->nf, &P, ga, &gauss, &area, &vol);
        for (int64_t v = 0; v < c->nv; v++)
            for (int k = 0; k < 3; k++) gref[v + k * c->nv] = ga[3 * v + k];
        free(ga);
        double gerr = 0;
        for (int64_t j = 0; j < 3 * c->nv; j++) gerr = fmax(gerr, fabs(g[j] - gref[j]));
        gerr /= max_abs(gref, 3 * c->nv);
        is_close(o.out[0], eref, tol_ref, "%s %s: energy = reference", what, s->name);
        ok(gerr <= tol_ref, "%s %s: gradient = reference (max error %.2g of max |grad|)", what, s->name, gerr);
        if (s == &BEND1) {
            is_close(o.out[1], gauss, tol_ref, "%s %s: Gaussian term = reference", what, s->name);
            is_close(o.out[1], 2 * M_PI * s->param[2] * 2, 1e-12, "%s: Gaussian term = 2 pi kappa_G chi (chi = 2)",
                     what);
            const double eg = fd_error(s, 1, c, NULL, max_abs(g, 3 * c->nv));
            ok(eg <= tol_fd, "%s: the Gaussian term's gradient is 0 (central differences %.2g of max |grad|)", what, eg);
        }
        if (s == &VOLU) {
            is_close(o.out[0], vol, tol_ref, "%s: volume = reference", what);
            double vv = 0;
            for (int64_t v = 0; v < c->nv; v++) {
                const mb_vec w = mb_load(g, c->nv, v);
                vv += mb_dot(w, w);
            }
            is_close(o.out[1], vv, 1e-13, "%s: vv = sum |dV/dx|^2", what);
        }
        if (s == &ENER) {
            const double ev = fd_error(s, 2, c, o.buf[2], 0);
            ok(ev <= tol_fd, "%s %s: vgrad = central differences of volume (%.2g)", what, s->name, ev);
            is_close(o.out[1], area, tol_ref, "%s %s: area = reference", what, s->name);
            is_close(o.out[2], vol, tol_ref, "%s %s: volume = reference", what, s->name);
            double vv = 0, gv = 0;
            for (int64_t v = 0; v < c->nv; v++) {
                const mb_vec w = mb_load(o.buf[2], c->nv, v), gg = mb_load(g, c->nv, v);
                vv += mb_dot(w, w), gv += mb_dot(gg, w);
            }
            is_close(o.out[3], vv, 1e-13, "%s: vv = sum |vgrad|^2", what);
            is_close(o.out[4], gv, 1e-12, "%s: gv = sum grad . vgrad", what);
        }
        if (s == &TENS) { /* measure's area and volume: gradients gamma^-1 tension's and volume's */
            op_call v = op_make(&VOLU, c);
            run(&v, &c->mv);
            double *ga1 = field(c->nv, 3);
            for (int64_t j = 0; j < 3 * c->nv; j++) ga1[j] = g[j] / s->param[0];
            const double e1 = fd_error(&MEAS, 0, c, ga1, 0), e2 = fd_error(&MEAS, 1, c, v.buf[1], 0);
            ok(e1 <= tol_fd && e2 <= tol_fd, "%s measure: area and volume = central differences (%.2g, %.2g)", what,
               e1, e2);
            free(ga1);
            op_free(&v, VOLU.nfield);
        }
        op_free(&o, s->nfield);
    }
    free(gref);
}

/* 6: trial_volume against membrane.measure at x + a_k d, trial_energy against membrane.energy at
 * y_k = x + a_k d + lam_k vgrad (a_k = alpha 2^-k); lam_k = (v0 - V_k) / vv restores the volume. */
typedef struct trial_data {
    double *d, *vg;              /* search direction; vgrad at x (membrane.energy's) */
    double alpha, lam[4], V[4], L[4];
} trial_data;

static op_call trial_volume_call(mesh_case *c, trial_data *t)
{
    op_call o;
    memset(&o, 0, sizeof o);
    o.fn = sd_membrane_trial_volume_cpu, o.nbuf = 3, o.nacc = 4;
    o.buf[0] = c->x, o.buf[1] = t->d, o.buf[2] = &t->alpha;
    return o;
}
static op_call trial_energy_call(mesh_case *c, trial_data *t)
{
    op_call o;
    memset(&o, 0, sizeof o);
    o.fn = sd_membrane_trial_energy_cpu, o.nbuf = 8, o.nacc = 4;
    o.buf[0] = c->x, o.buf[1] = t->d, o.buf[2] = t->vg, o.buf[3] = &t->alpha;
    for (int k = 0; k < 4; k++) o.buf[4 + k] = &t->lam[k];
    memcpy(o.param, ENER.param, sizeof ENER.param);
    return o;
}

static void test_trial(mesh_case *c)
{
    trial_data t = {.d = field(c->nv, 3), .alpha = 0.37};
    double *y = field(c->nv, 3);
    rng r = {77};
    for (int64_t i = 0; i < 3 * c->nv; i++) t.d[i] = rng_range(&r, -0.05, 0.05);
    op_call e0 = op_make(&ENER, c); /* vgrad, vv, volume at x */
    run(&e0, &c->mv);
    t.vg = e0.buf[2];
    const double v0 = e0.out[2], vv = e0.out[3];
    op_call tv = trial_volume_call(c, &t);
    run(&tv, &c->mv);
    memcpy(t.V, tv.out, sizeof t.V);
    for (int k = 0; k < 4; k++) {
        const double a = membrane_trial_step(t.alpha, k);
        for (int64_t i = 0; i < 3 * c->nv; i++) y[i] = membrane_line_position(c->x[i], t.d[i], a);
        op_call m = op_make(&MEAS, c);
        m.buf[0] = y;
        run(&m, &c->mv);
        ok(same_bits(t.V[k], m.out[1]), "trial_volume V_%d = membrane.measure's volume at x + alpha 2^-%d d bitwise (%.17g)",
           k, k, t.V[k]);
        op_free(&m, MEAS.nfield);
    }
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: lam = 0 (no restoration); pass 1: one Newton step onto v0 */
        for (int k = 0; k < 4; k++) t.lam[k] = pass ? (v0 - t.V[k]) / vv : 0.0;
        op_call te = trial_energy_call(c, &t);
        run(&te, &c->mv);
        memcpy(t.L, te.out, sizeof t.L);
        for (int k = 0; k < 4; k++) {
            const double a = membrane_trial_step(t.alpha, k);
            for (int64_t i = 0; i < 3 * c->nv; i++)
                y[i] = membrane_restored_position(c->x[i], t.d[i], a, t.vg[i], t.lam[k]);
            op_call e = op_make(&ENER, c);
            e.buf[0] = y;
            run(&e, &c->mv);
            ok(same_bits(t.L[k], e.out[0]),
               "trial_energy L_%d (lam %.3g) = membrane.energy at x + alpha 2^-%d d + lam vgrad bitwise (%.17g, %.17g)", k,
               t.lam[k], k, t.L[k], e.out[0]);
            if (pass) {
                const double before = fabs(t.V[k] - v0), after = fabs(e.out[2] - v0);
                ok(after < 1e-2 * before, "trial %d: the restoring step puts the volume back on v0 (|V - v0| %.3g -> %.3g)",
                   k, before, after);
            }
            op_free(&e, ENER.nfield);
        }
    }
    op_free(&e0, ENER.nfield);
    free(t.d), free(y);
}

/* 7: partitions. Every op on nparts partitions (owner: z slabs, or pseudo-random) merged equals the
 * whole-mesh run bitwise. */
static int same_array(const double *a, const double *b, int64_t n) { return memcmp(a, b, sizeof(double) * (size_t)n) == 0; }

static void test_partitions(mesh_case *c, int nparts, int random_owner)
{
    int *owner = (int *)malloc(sizeof(int) * (size_t)c->nv);
    if (!owner) die("out of memory");
    rng r = {4242};
    for (int64_t v = 0; v < c->nv; v++) {
        const double z = c->x[v + 2 * c->nv];
        owner[v] = random_owner ? (int)(rng_u64(&r) % (uint64_t)nparts) : (int)fmin(nparts - 1, fmax(0, (z + 1) / 2 * nparts));
    }
    const op_spec *ops[] = {&BEND1, &TENS, &VOLU, &ENER, &MEAS, &CURV};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        const op_spec *s = ops[i];
        op_call w = op_make(s, c);
        run(&w, &c->mv);
        op_call g = op_make(s, c); /* global results assembled from the partitions */
        sd_acc acc[SD_MAX_ACC];
        for (int k = 0; k < s->nacc; k++) sd_acc_init(&acc[k]);
        for (int p = 0; p < nparts; p++) {
            mesh_view pv;
            if (mesh_part_init(&pv, c->nv, c->nf, c->tri, owner, p, SV, SF)) die("mesh_part_init");
            op_call o = op_make(s, c);
            for (int b = 0; b <= s->nfield; b++) {
                if (b) free(o.buf[b]);
                o.buf[b] = b ? field(pv.m.nv, s->ncomp[b - 1]) : mesh_part_gather(&pv, c->x, c->nv, 3);
            }
            sd_acc pa[SD_MAX_ACC];
            for (int k = 0; k < s->nacc; k++) sd_acc_init(&pa[k]);
            run_view(&o, &pv, pa);
            for (int k = 0; k < s->nacc; k++) sd_acc_merge(&acc[k], &pa[k]);
            for (int b = 1; b <= s->nfield; b++) mesh_part_scatter(&pv, o.buf[b], g.buf[b], c->nv, s->ncomp[b - 1]);
            free(o.buf[0]);
            op_free(&o, s->nfield);
            mesh_view_free(&pv);
        }
        int same = 1;
        for (int b = 1; b <= s->nfield; b++) same &= same_array(w.buf[b], g.buf[b], s->ncomp[b - 1] * c->nv);
        for (int k = 0; k < s->nacc; k++) {
            const double v = sd_acc_sum(&acc[k]);
            same &= same_bits(v, w.out[k]);
        }
        ok(same, "%s on %d %s partitions = whole mesh, bitwise", s->name, nparts, random_owner ? "random" : "slab");
        op_free(&w, s->nfield), op_free(&g, s->nfield);
    }
    /* trial_volume and trial_energy (restored trials): partials merged = whole mesh */
    trial_data t = {.d = field(c->nv, 3), .vg = field(c->nv, 3), .alpha = 0.3, .lam = {0.02, -0.01, 0.005, 0}};
    for (int64_t i = 0; i < 3 * c->nv; i++) t.d[i] = rng_range(&r, -0.03, 0.03), t.vg[i] = rng_range(&r, -0.5, 0.5);
    op_call whole[2] = {trial_volume_call(c, &t), trial_energy_call(c, &t)};
    const char *names[2] = {"trial_volume", "trial_energy"};
    for (int w = 0; w < 2; w++) {
        run(&whole[w], &c->mv);
        sd_acc acc[4];
        for (int k = 0; k < 4; k++) sd_acc_init(&acc[k]);
        for (int p = 0; p < nparts; p++) {
            mesh_view pv;
            if (mesh_part_init(&pv, c->nv, c->nf, c->tri, owner, p, SV, SF)) die("mesh_part_init");
            op_call o = whole[w];
            o.buf[0] = mesh_part_gather(&pv, c->x, c->nv, 3), o.buf[1] = mesh_part_gather(&pv, t.d, c->nv, 3);
            if (w) o.buf[2] = mesh_part_gather(&pv, t.vg, c->nv, 3);
            if (!o.buf[0] || !o.buf[1] || !o.buf[2]) die("out of memory");
            sd_acc pa[4];
            for (int k = 0; k < 4; k++) sd_acc_init(&pa[k]);
            run_view(&o, &pv, pa);
            for (int k = 0; k < 4; k++) sd_acc_merge(&acc[k], &pa[k]);
            free(o.buf[0]), free(o.buf[1]);
            if (w) free(o.buf[2]);
            mesh_view_free(&pv);
        }
        int same = 1;
        for (int k = 0; k < 4; k++) same &= same_bits(sd_acc_sum(&acc[k]), whole[w].out[k]);
        ok(same, "%s on %d %s partitions = whole mesh, bitwise", names[w], nparts, random_owner ? "random" : "slab");
    }
    free(t.d), free(t.vg);
    free(owner);
}

/* 8: face_geometry on a view: x slot 0, face fields area (1), normal (2) with stride nf; total. */
static double face_geometry_run(const mesh_view *mv, double *x, double *area, double *normal)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = 3;
    a.p[0] = x, a.p[1] = area, a.p[2] = normal;
    a.sc[0] = mv->m.nv, a.sc[1] = a.sc[2] = mv->m.nf;
    for (int b = 0; b < 3; b++) a.dtype[b] = SD_F64;
    sd_acc acc;
    sd_acc_init(&acc);
    a.nacc = 1, a.acc = &acc, a.mesh = mv->m;
    sd_membrane_face_geometry_cpu(&a);
    return sd_acc_sum(&acc);
}

static void test_face_geometry(mesh_case *c, int nparts)
{
    double *area = field(c->nf, 1), *normal = field(c->nf, 3);
    const double total = face_geometry_run(&c->mv, c->x, area, normal);
    int same = 1;
    double unit = 0, outward = 1e300;
    for (int64_t f = 0; f < c->nf; f++) {
        membrane_face g;
        membrane_face_load(&g, c->mv.tri, f, c->x, c->nv);
        const mb_vec n = mb_load(normal, c->nf, f), ref = mb_scale(1.0 / g.nn, g.n);
        same &= same_bits(area[f], g.area) && same_bits(n.x, ref.x) && same_bits(n.y, ref.y) && same_bits(n.z, ref.z);
        unit = fmax(unit, fabs(mb_dot(n, n) - 1));
        outward = fmin(outward, mb_dot(n, mb_add(mb_add(g.x[0], g.x[1]), g.x[2])));
    }
    ok(same, "face_geometry: areas and normals = membrane_face_load's A_f and n/|n|, bitwise (%lld faces)",
       (long long)c->nf);
    ok(unit < 1e-15 && outward > 0, "face_geometry: normals unit (%.2g) and outward (min n.centroid*3 %.3g)", unit,
       outward);
    op_call m = op_make(&MEAS, c);
    run(&m, &c->mv);
    ok(same_bits(total, m.out[0]), "face_geometry: total %.17g = membrane.measure's area bitwise", total);
    op_free(&m, MEAS.nfield);
    /* partitions: each writes its owned faces; merged through the global face ids */
    int *owner = (int *)malloc(sizeof(int) * (size_t)c->nv);
    double *ga = field(c->nf, 1), *gn = field(c->nf, 3);
    if (!owner) die("out of memory");
    rng r = {77};
    for (int64_t v = 0; v < c->nv; v++) owner[v] = (int)(rng_u64(&r) % (uint64_t)nparts);
    sd_acc acc;
    sd_acc_init(&acc);
    int64_t written = 0;
    for (int p = 0; p < nparts; p++) {
        mesh_view pv;
        if (mesh_part_init(&pv, c->nv, c->nf, c->tri, owner, p, SV, SF)) die("mesh_part_init");
        double *x = mesh_part_gather(&pv, c->x, c->nv, 3), *pa = field(pv.m.nf, 1), *pn = field(pv.m.nf, 3);
        if (!x) die("out of memory");
        sd_acc_add(&acc, face_geometry_run(&pv, x, pa, pn));
        for (int64_t f = 0; f < pv.m.nf_own; f++) {
            const int64_t gf = pv.m.fid[f];
            ga[gf] = pa[f];
            for (int k = 0; k < 3; k++) gn[gf + k * c->nf] = pn[f + k * pv.m.nf];
        }
        written += pv.m.nf_own;
        free(x), free(pa), free(pn);
        mesh_view_free(&pv);
    }
    ok(written == c->nf && same_array(ga, area, c->nf) && same_array(gn, normal, 3 * c->nf) &&
           same_bits(sd_acc_sum(&acc), total),
       "face_geometry on %d random partitions (owned faces only) = whole mesh, bitwise", nparts);
    free(owner), free(ga), free(gn), free(area), free(normal);
}

/* 9: stages 1 and 3 through face_blocks.c against mb_stage_face / mb_stage_face_grad face by face,
 * on the whole mesh and on slab partitions, lim = owned and ring-1 vertices, four sets of terms;
 * the scratch starts poisoned, so a face written that should not be (or not written) shows. */
static void poison(double *p, int64_t n)
{
    for (int64_t i = 0; i < n; i++) p[i] = 1e300 + (double)i;
}

/* vs: adjoints of every local vertex; before lim = nv_own (the last case), ring 2's are set to NaN
 * (no face with an owned corner has a ring-2 corner: a pass must not read them). */
static int face_passes_same(const sd_mpart *m, const double *x, double *vs, double *want, double *got)
{
    static const mb_grad_terms terms[4] = {
        {.bending = 1}, {.bending = 1, .area = 0.7, .vol = -0.4, .vgrad = 1}, {.area = 0.3}, {.vgrad = 1}};
    const int64_t nv = m->nv, n = MB_FS_SLOTS * m->nf, lims[2] = {m->nv_ring1, m->nv_own};
    int same = 1;
    for (int l = 0; l < 2; l++) {
        poison(want, n), poison(got, n);
        for (int64_t f = 0; f < m->nf; f++)
            if (mb_face_touches(m, f, lims[l])) mb_stage_face(m, x, nv, want, f, 0);
        mb_faces_stage1(m, x, nv, got, lims[l], 0);
        same &= same_array(want, got, n);
        if (l == 1)
            for (int s = 0; s < MB_VS_SLOTS; s++)
                for (int64_t v = m->nv_ring1; v < nv; v++) vs[s * nv + v] = 0.0 / 0.0;
        for (int t = 0; t < 4; t++) {
            poison(want, n), poison(got, n);
            for (int64_t f = 0; f < m->nf; f++)
                if (mb_face_touches(m, f, lims[l])) mb_stage_face_grad(m, x, nv, vs, want, f, &terms[t]);
            mb_faces_stage3(m, x, nv, vs, got, lims[l], &terms[t]);
            same &= same_array(want, got, n);
        }
    }
    return same;
}

/* The view's local faces in a random order (tri, fid and the corner ids renumbered; corner lists keep
 * their order): the passes must not depend on which faces share a block. */
static void shuffle_faces(mesh_view *v, rng *r)
{
    const int64_t nf = v->m.nf, nc = v->m.cstart[v->m.nv_ring1];
    int64_t *perm = (int64_t *)malloc(sizeof(int64_t) * (size_t)(2 * nf + 1)), *inv = perm + nf;
    int32_t *tri = (int32_t *)malloc(sizeof(int32_t) * (size_t)(3 * nf + 1));
    int64_t *fid = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nf + 1));
    if (!perm || !tri || !fid) die("out of memory");
    for (int64_t i = 0; i < nf; i++) perm[i] = i;
    for (int64_t i = nf - 1; i > 0; i--) {
        const int64_t j = (int64_t)(rng_u64(r) % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    for (int64_t i = 0; i < nf; i++) {
        inv[perm[i]] = i, fid[i] = v->fid[perm[i]];
        for (int k = 0; k < 3; k++) tri[3 * i + k] = v->tri[3 * perm[i] + k];
    }
    memcpy(v->tri, tri, sizeof(int32_t) * (size_t)(3 * nf));
    memcpy(v->fid, fid, sizeof(int64_t) * (size_t)nf);
    for (int64_t q = 0; q < nc; q++) v->corner[q] = (int32_t)(3 * inv[v->corner[q] / 3] + v->corner[q] % 3);
    free(perm), free(tri), free(fid);
}

static void test_face_blocks(mesh_case *c, int nparts)
{
    int *owner = (int *)malloc(sizeof(int) * (size_t)c->nv);
    if (!owner) die("out of memory");
    for (int64_t v = 0; v < c->nv; v++) owner[v] = (int)fmin(nparts - 1, fmax(0, (c->x[v + 2 * c->nv] + 1) / 2 * nparts));
    for (int isa = 0; isa < SD_ISA_COUNT; isa++) {
        if (!sd_isa_supported((sd_isa)isa)) {
            diag("face passes: this CPU has no %s, not tested", sd_isa_name((sd_isa)isa));
            continue;
        }
        sd_isa_force((sd_isa)isa);
        int same = 1;
        for (int p = -1; p < nparts; p++) /* -1: the whole mesh */
            for (int shuffled = 0; shuffled < 2; shuffled++) {
                mesh_view pv;
                const int whole = p < 0;
                if (whole ? mesh_view_init(&pv, c->nv, c->nf, c->tri, SV, SF)
                          : mesh_part_init(&pv, c->nv, c->nf, c->tri, owner, p, SV, SF))
                    die("mesh view");
                rng r = {99 + (uint64_t)(p + 1)};
                if (shuffled) shuffle_faces(&pv, &r);
                const sd_mpart *m = &pv.m;
                double *x = whole ? c->x : mesh_part_gather(&pv, c->x, c->nv, 3);
                double *vs = field(m->nv, MB_VS_SLOTS), *want = field(m->nf, MB_FS_SLOTS), *got = field(m->nf, MB_FS_SLOTS);
                if (!x) die("out of memory");
                for (int64_t i = 0; i < MB_VS_SLOTS * m->nv; i++) vs[i] = rng_range(&r, -2.0, 2.0);
                same &= face_passes_same(m, x, vs, want, got);
                free(vs), free(want), free(got);
                if (!whole) free(x);
                mesh_view_free(&pv);
            }
        ok(same, "face passes (%s) = face by face, bitwise: whole mesh and %d slabs, faces in order and shuffled, "
                 "%d obtuse of %lld faces, lim owned and ring 1, stage 1 and stage 3 with 4 sets of terms",
           sd_isa_name((sd_isa)isa), nparts, obtuse_faces(c), (long long)c->nf);
    }
    sd_isa_force(sd_isa_best());
    free(owner);
}

int main(void)
{
    test_spheres();
    const double axes[3] = {1.0, 0.75, 0.55};
    mesh_case e, s;
    case_make(&e, 2, axes, 0.2, 1);
    case_make(&s, 1, NULL, 0.3, 2);
    test_gradients("perturbed ellipsoid (level 2)", &e);
    test_gradients("perturbed icosphere (level 1)", &s);
    test_face_blocks(&e, 3);
    test_trial(&e);
    case_free(&s);
    case_free(&e);
    mesh_case p;
    case_make(&p, 3, axes, 0.1, 3);
    test_partitions(&p, 3, 0);
    test_partitions(&p, 7, 1);
    test_face_geometry(&p, 7);
    case_free(&p);
    return tap_done();
}
