/* membrane_math.h - per-face geometry of a triangulated membrane and its exact derivatives, written
 * once for the CPU kernels and the CUDA kernels (SD_HD). docs/membrane.md derives every formula.
 *
 * Conventions (shared by every membrane.* codelet):
 *  - face f = (x0, x1, x2) counter-clockwise seen from outside; n = (x1-x0) x (x2-x0) is 2 A_f times
 *    the unit outward normal; A_f = |n|/2; volume term V_f = x0.(x1 x x2)/6 (sum > 0 outward).
 *  - corner i of a face has the other corners j = i+1, k = i+2 (mod 3); its angle theta_i has
 *    cot theta_i = (x_j-x_i).(x_k-x_i) / |n| (one |n| for all three corners).
 *  - cotangent Laplacian: face f adds K^f_i = 1/2 [cot_j (x_i-x_k) + cot_k (x_i-x_j)] to K at x_i.
 *  - mixed area (Meyer et al. 2003): face f adds A^f_i to A at x_i: no obtuse angle:
 *    1/8 (|x_i-x_j|^2 cot_k + |x_i-x_k|^2 cot_j); obtuse at i: A_f/2; obtuse elsewhere: A_f/4. The
 *    three always sum to A_f. An angle is obtuse when (x_j-x_i).(x_k-x_i) < 0.
 *
 * Derivatives are written as vector-Jacobian products (adjoints): a caller holding dE/d(output) of
 * a face's outputs gets dE/dx of its three corners (membrane_face_vjp). Only + - * / and sqrt are
 * used (correctly rounded on CPU and GPU, no FMA: gcc -ffp-contract=off, nvcc -fmad=false), so a
 * CPU and a CUDA kernel calling these in the same order agree bitwise; the corner angles
 * (membrane_face_angle, the Gaussian term only) call atan2, which CUDA rounds differently. */
#ifndef SD_MEMBRANE_MATH_H
#define SD_MEMBRANE_MATH_H

#include <math.h>
#include <stdint.h>
#include "stardag/detmath.h"
#include "stardag/kernel.h"

/* ---- 3-vectors ---------------------------------------------------------------------------- */
typedef struct mb_vec {
    double x, y, z;
} mb_vec;

SD_HD mb_vec mb_v(double x, double y, double z)
{
    mb_vec r;
    r.x = x, r.y = y, r.z = z;
    return r;
}
SD_HD mb_vec mb_zero(void) { return mb_v(0.0, 0.0, 0.0); }
SD_HD mb_vec mb_add(mb_vec a, mb_vec b) { return mb_v(a.x + b.x, a.y + b.y, a.z + b.z); }
SD_HD mb_vec mb_sub(mb_vec a, mb_vec b) { return mb_v(a.x - b.x, a.y - b.y, a.z - b.z); }
SD_HD mb_vec mb_scale(double s, mb_vec a) { return mb_v(s * a.x, s * a.y, s * a.z); }
/* y + s a */
SD_HD mb_vec mb_axpy(mb_vec y, double s, mb_vec a) { return mb_v(y.x + s * a.x, y.y + s * a.y, y.z + s * a.z); }
SD_HD double mb_dot(mb_vec a, mb_vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
SD_HD mb_vec mb_cross(mb_vec a, mb_vec b)
{
    return mb_v(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
/* c ? a : b, componentwise (a select, not a branch) */
SD_HD mb_vec mb_select(int c, mb_vec a, mb_vec b) { return mb_v(c ? a.x : b.x, c ? a.y : b.y, c ? a.z : b.z); }
/* Vertex field access: SoA, component c of vertex v at p[v + c*sc]. */
SD_HD mb_vec mb_load(const double *p, int64_t sc, int64_t v) { return mb_v(p[v], p[v + sc], p[v + 2 * sc]); }
SD_HD void mb_store(double *p, int64_t sc, int64_t v, mb_vec a)
{
    p[v] = a.x, p[v + sc] = a.y, p[v + 2 * sc] = a.z;
}

/* ---- One face ------------------------------------------------------------------------------ */
typedef struct membrane_face {
    mb_vec x[3];   /* corners */
    mb_vec n;      /* (x1-x0) x (x2-x0) = 2 A_f * unit outward normal */
    double nn;     /* |n| = 2 A_f */
    double area;   /* A_f */
    double dot[3]; /* (x_j-x_i).(x_k-x_i) at corner i */
    double cot[3]; /* cot theta_i = dot[i] / nn */
} membrane_face;

SD_HD void membrane_face_init(membrane_face *g, mb_vec a, mb_vec b, mb_vec c)
{
    g->x[0] = a, g->x[1] = b, g->x[2] = c;
    g->n = mb_cross(mb_sub(b, a), mb_sub(c, a));
    g->nn = sqrt(mb_dot(g->n, g->n));
    g->area = 0.5 * g->nn;
    for (int i = 0; i < 3; i++) {
        const mb_vec xi = g->x[i], xj = g->x[(i + 1) % 3], xk = g->x[(i + 2) % 3];
        g->dot[i] = mb_dot(mb_sub(xj, xi), mb_sub(xk, xi));
        g->cot[i] = g->dot[i] / g->nn;
    }
}

/* Face f of a local mesh (tri[3f + k], positions x SoA with stride sc). */
SD_HD void membrane_face_load(membrane_face *g, const int32_t *tri, int64_t f, const double *x, int64_t sc)
{
    membrane_face_init(g, mb_load(x, sc, tri[3 * f]), mb_load(x, sc, tri[3 * f + 1]), mb_load(x, sc, tri[3 * f + 2]));
}

/* The corner with an obtuse angle, or -1 (at most one exists). Selects, not branches, here and in
 * the per-face functions below: the CPU kernels vectorise across faces (face_blocks.c). */
SD_HD int membrane_face_obtuse(const membrane_face *g)
{
    return g->dot[0] < 0.0 ? 0 : g->dot[1] < 0.0 ? 1 : g->dot[2] < 0.0 ? 2 : -1;
}

/* Squared length of the edge opposite corner k (between j = k+1 and i = k+2). */
SD_HD double membrane_face_edge2(const membrane_face *g, int k)
{
    const mb_vec e = mb_sub(g->x[(k + 1) % 3], g->x[(k + 2) % 3]);
    return mb_dot(e, e);
}

/* Meyer's mixed area of corner i (see the top), o = membrane_face_obtuse(g). */
SD_HD double membrane_face_mixed_area_o(const membrane_face *g, int o, int i)
{
    const int j = (i + 1) % 3, k = (i + 2) % 3;
    /* |x_i-x_j|^2 is the edge opposite k, |x_i-x_k|^2 the one opposite j */
    const double acute = 0.125 * (membrane_face_edge2(g, k) * g->cot[k] + membrane_face_edge2(g, j) * g->cot[j]);
    const double obtuse = (o == i ? 0.5 : 0.25) * g->area;
    return o >= 0 ? obtuse : acute;
}
SD_HD double membrane_face_mixed_area(const membrane_face *g, int i)
{
    return membrane_face_mixed_area_o(g, membrane_face_obtuse(g), i);
}

/* The face's part of the cotangent Laplacian at corner i. */
SD_HD mb_vec membrane_face_cotan(const membrane_face *g, int i)
{
    const int j = (i + 1) % 3, k = (i + 2) % 3;
    const mb_vec a = mb_scale(g->cot[j], mb_sub(g->x[i], g->x[k]));
    const mb_vec b = mb_scale(g->cot[k], mb_sub(g->x[i], g->x[j]));
    return mb_scale(0.5, mb_add(a, b));
}

/* The angle at corner i, in [0, pi] (libm atan2: not bitwise between CPU and CUDA). */
SD_HD double membrane_face_angle(const membrane_face *g, int i) { return sd_atan2(g->nn, g->dot[i]); }

/* The face's volume term x0.(x1 x x2)/6 and its gradient (x_j x x_k)/6 at corner i. */
SD_HD double membrane_tri_volume(mb_vec a, mb_vec b, mb_vec c) { return mb_dot(a, mb_cross(b, c)) / 6.0; }
SD_HD double membrane_face_volume(const membrane_face *g) { return membrane_tri_volume(g->x[0], g->x[1], g->x[2]); }
SD_HD mb_vec membrane_face_volume_grad(const membrane_face *g, int i)
{
    return mb_scale(1.0 / 6.0, mb_cross(g->x[(i + 1) % 3], g->x[(i + 2) % 3]));
}

/* dA_f/dx_i = 1/2 nhat x (x_k - x_j). */
SD_HD mb_vec membrane_face_area_grad(const membrane_face *g, int i)
{
    const mb_vec e = mb_sub(g->x[(i + 2) % 3], g->x[(i + 1) % 3]);
    return mb_scale(0.5 / g->nn, mb_cross(g->n, e));
}

/* Adds sum_i gc[i] d cot_i / dx_m to out[m]. With D_i = (x_j-x_i).(x_k-x_i), cot_i = D_i/|n|:
 * d cot_i = dD_i/|n| - cot_i d|n|/|n|, d|n|/dx_m = 2 dA_f/dx_m; dD_i/dx_i = 2x_i - x_j - x_k,
 * dD_i/dx_j = x_k - x_i, dD_i/dx_k = x_j - x_i. ag[m] = membrane_face_area_grad(g, m), given because
 * the face VJP needs them twice. */
SD_HD void membrane_face_cot_vjp(const membrane_face *g, const double gc[3], const mb_vec ag[3], mb_vec out[3])
{
    const double inv = 1.0 / g->nn;
    double s = 0.0; /* sum_i gc_i cot_i */
    for (int i = 0; i < 3; i++) {
        const int j = (i + 1) % 3, k = (i + 2) % 3;
        const double c = gc[i] * inv;
        const mb_vec u = mb_sub(g->x[j], g->x[i]), w = mb_sub(g->x[k], g->x[i]);
        out[i] = mb_axpy(out[i], -c, mb_add(u, w));
        out[j] = mb_axpy(out[j], c, w);
        out[k] = mb_axpy(out[k], c, u);
        s += gc[i] * g->cot[i];
    }
    for (int m = 0; m < 3; m++) out[m] = mb_axpy(out[m], -2.0 * s * inv, ag[m]);
}

/* Adjoints of a face's outputs: dE/dK^f_i, dE/dA^f_i (mixed areas), dE/dA_f, dE/dV_f. */
typedef struct membrane_face_adj {
    mb_vec K[3];
    double Am[3];
    double area;
    double vol;
} membrane_face_adj;

SD_HD void membrane_face_adj_zero(membrane_face_adj *a)
{
    for (int i = 0; i < 3; i++) a->K[i] = mb_zero(), a->Am[i] = 0.0;
    a->area = a->vol = 0.0;
}

/* out[m] = dE/dx_m of the face through its outputs (vector-Jacobian product). Per edge opposite
 * corner k (between i and j): K^f_i gets 1/2 cot_k (x_i-x_j), K^f_j the opposite, and, without an
 * obtuse angle, A^f_i and A^f_j each get 1/8 |x_i-x_j|^2 cot_k. With an obtuse angle at o the mixed
 * areas are A_f/2 (o) and A_f/4 (others): only dA_f contributes. */
SD_HD void membrane_face_vjp(const membrane_face *g, const membrane_face_adj *a, mb_vec out[3])
{
    double gc[3] = {0.0, 0.0, 0.0};
    double garea = a->area;
    const int o = membrane_face_obtuse(g);
    for (int m = 0; m < 3; m++) out[m] = mb_zero();
    for (int k = 0; k < 3; k++) {
        const int i = (k + 1) % 3, j = (k + 2) % 3;
        const mb_vec e = mb_sub(g->x[i], g->x[j]);
        const mb_vec dk = mb_sub(a->K[i], a->K[j]);
        gc[k] += 0.5 * mb_dot(dk, e);
        const mb_vec f = mb_scale(0.5 * g->cot[k], dk);
        out[i] = mb_add(out[i], f);
        out[j] = mb_sub(out[j], f);
        /* mixed areas' part, where no angle is obtuse */
        const double ga = a->Am[i] + a->Am[j];
        const double gck = gc[k] + 0.125 * ga * mb_dot(e, e);
        const mb_vec h = mb_scale(0.25 * ga * g->cot[k], e);
        gc[k] = o < 0 ? gck : gc[k];
        out[i] = mb_select(o < 0, mb_add(out[i], h), out[i]);
        out[j] = mb_select(o < 0, mb_sub(out[j], h), out[j]);
    }
    for (int i = 0; i < 3; i++) { /* with an obtuse angle, only dA_f */
        const double gi = garea + (i == o ? 0.5 : 0.25) * a->Am[i];
        garea = o >= 0 ? gi : garea;
    }
    mb_vec ag[3];
    for (int m = 0; m < 3; m++) ag[m] = membrane_face_area_grad(g, m);
    membrane_face_cot_vjp(g, gc, ag, out);
    for (int m = 0; m < 3; m++) {
        out[m] = mb_axpy(out[m], garea, ag[m]);
        out[m] = mb_select(a->vol != 0.0, mb_axpy(out[m], a->vol, membrane_face_volume_grad(g, m)), out[m]);
    }
}

/* ---- One vertex ---------------------------------------------------------------------------- */
/* s_v: the sign of K_v . N_v (+1 on a sphere with outward normals; +1 when K_v is 0). */
SD_HD double membrane_curv_sign(mb_vec K, mb_vec N) { return mb_dot(K, N) < 0.0 ? -1.0 : 1.0; }

/* Mean curvature H_v = s_v |K_v| / (2 A_v). */
SD_HD double membrane_mean_curvature(mb_vec K, double A, mb_vec N)
{
    return membrane_curv_sign(K, N) * sqrt(mb_dot(K, K)) / (2.0 * A);
}

/* Helfrich energy of one vertex e = 1/2 kappa (2H - c0)^2 A with 2H = s|K|/A, and its partial
 * derivatives gK = de/dK, gA = de/dA (s piecewise constant). c0 = 0: e = 1/2 kappa |K|^2 / A,
 * gK = kappa K / A, gA = -1/2 kappa |K|^2 / A^2. Otherwise with h = s|K|/A - c0:
 * gK = kappa h s K/|K| (0 at K = 0, where e has a kink), gA = 1/2 kappa h^2 - kappa h s|K|/A. */
SD_HD double membrane_helfrich(mb_vec K, double A, mb_vec N, double kappa, double c0, mb_vec *gK, double *gA)
{
    const double k2 = mb_dot(K, K);
    if (c0 == 0.0) {
        const double q = k2 / A;
        *gK = mb_scale(kappa / A, K);
        *gA = -0.5 * kappa * (q / A);
        return 0.5 * kappa * q;
    }
    const double kn = sqrt(k2), s = membrane_curv_sign(K, N);
    const double h = s * kn / A - c0;
    *gK = kn > 0.0 ? mb_scale(kappa * h * s / kn, K) : mb_zero();
    *gA = 0.5 * kappa * h * h - kappa * h * (s * kn / A);
    return 0.5 * kappa * h * h * A;
}

/* ---- Line-search trial positions -----------------------------------------------------------
 * Trial k of a line search from x along d with first step alpha moves x by a = alpha 2^-k along d
 * (exact: halving) and restores the volume by one Newton step lam_k n along n = dV/dx at x:
 * y = x + a d + lam n. Every op that evaluates a trial (membrane.trial_energy) or accepts one
 * (membrane.step) calls membrane_restored_position with the same arguments, so the accepted state
 * is bitwise the evaluated one; membrane.trial_volume measures the unrestored point x + a d
 * (membrane_line_position) that lam_k corrects. */
SD_HD double membrane_trial_step(double alpha, int k)
{
    for (int i = 0; i < k; i++) alpha *= 0.5;
    return alpha;
}
SD_HD double membrane_line_position(double x, double d, double a) { return x + a * d; }
SD_HD double membrane_restored_position(double x, double d, double a, double n, double lam)
{
    return membrane_line_position(x, d, a) + lam * n;
}

#endif
