/* membrane_ref.h - a slow, obviously-correct reference of the membrane energies and gradients for
 * tests/t_membrane_energy.c, written independently of codelets/membrane/membrane_math.h: per
 * vertex, its faces are found by scanning every face; cotangents and their derivatives go through
 * the corner angles (d cot = -d theta / sin^2 theta, d theta from the angle between two edges),
 * no scratch is shared, sums are plain. Positions are AoS (x y z of vertex v at x[3v..3v+2]). */
#ifndef SD_TEST_MEMBRANE_REF_H
#define SD_TEST_MEMBRANE_REF_H
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct ref_params {
    double kappa, c0, kappa_G, gamma, p;
} ref_params;

static void r_sub(const double *a, const double *b, double *r) { for (int c = 0; c < 3; c++) r[c] = a[c] - b[c]; }
static double r_dot(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static void r_cross(const double *a, const double *b, double *r)
{
    r[0] = a[1] * b[2] - a[2] * b[1], r[1] = a[2] * b[0] - a[0] * b[2], r[2] = a[0] * b[1] - a[1] * b[0];
}
static double r_norm(const double *a) { return sqrt(r_dot(a, a)); }
static void r_axpy(double *y, double s, const double *a) { for (int c = 0; c < 3; c++) y[c] += s * a[c]; }

/* cot of the angle at P between PQ and PR */
static double r_cot(const double *P, const double *Q, const double *R)
{
    double u[3], w[3], n[3];
    r_sub(Q, P, u), r_sub(R, P, w), r_cross(u, w, n);
    return r_dot(u, w) / r_norm(n);
}
/* the angle at P, and s * d theta / d(P, Q, R) added to gP, gQ, gR:
 * d theta / du = -(w - u (u.w)/|u|^2) / |u x w| (u = Q-P, w = R-P), likewise for w */
static double r_angle(const double *P, const double *Q, const double *R, double s, double *gP, double *gQ, double *gR)
{
    double u[3], w[3], n[3];
    r_sub(Q, P, u), r_sub(R, P, w), r_cross(u, w, n);
    const double cr = r_norm(n), uw = r_dot(u, w), uu = r_dot(u, u), ww = r_dot(w, w);
    if (gP) {
        double du[3], dw[3];
        for (int c = 0; c < 3; c++) {
            du[c] = -(w[c] - u[c] * uw / uu) / cr;
            dw[c] = -(u[c] - w[c] * uw / ww) / cr;
        }
        r_axpy(gQ, s, du), r_axpy(gR, s, dw);
        r_axpy(gP, -s, du), r_axpy(gP, -s, dw);
    }
    return acos(fmax(-1.0, fmin(1.0, uw / sqrt(uu * ww))));
}
/* s * d cot(angle at P) / d(P, Q, R) */
static void r_cot_grad(const double *P, const double *Q, const double *R, double s, double *gP, double *gQ, double *gR)
{
    const double th = r_angle(P, Q, R, 0.0, NULL, NULL, NULL), sn = sin(th);
    r_angle(P, Q, R, -s / (sn * sn), gP, gQ, gR);
}
/* face area and s * dA/d(corners) (A = |n|/2, dA/dx_i = 1/2 (x_j - x_k) x nhat for the cyclic i, j, k) */
static double r_area(const double *X[3], double s, double *g[3])
{
    double e1[3], e2[3], n[3];
    r_sub(X[1], X[0], e1), r_sub(X[2], X[0], e2), r_cross(e1, e2, n);
    const double nn = r_norm(n);
    if (g)
        for (int i = 0; i < 3; i++) {
            double e[3], t[3];
            r_sub(X[(i + 1) % 3], X[(i + 2) % 3], e), r_cross(e, n, t);
            r_axpy(g[i], 0.5 * s / nn, t);
        }
    return 0.5 * nn;
}

/* The faces of v, each rotated so that v is its corner 0: out[3q..3q+2]. Returns their count. */
static int ref_star(const int64_t *tri, int64_t nf, int64_t v, int64_t *out, int max)
{
    int n = 0;
    for (int64_t f = 0; f < nf; f++)
        for (int k = 0; k < 3; k++)
            if (tri[3 * f + k] == v && n < max) {
                out[3 * n] = v, out[3 * n + 1] = tri[3 * f + (k + 1) % 3], out[3 * n + 2] = tri[3 * f + (k + 2) % 3];
                n++;
            }
    return n;
}

/* Total energy sum_v [1/2 kappa (2H_v - c0)^2 A_v + kappa_G (2 pi - angles)] + gamma A - p V and,
 * when grad is given, its gradient (grad: AoS, overwritten). gauss: the Gaussian part. */
static double ref_energy(const double *x, int64_t nv, const int64_t *tri, int64_t nf, const ref_params *P, double *grad,
                         double *gauss_out, double *area_out, double *vol_out)
{
    double E = 0.0, gauss = 0.0, area = 0.0, vol = 0.0;
    if (grad) memset(grad, 0, sizeof(double) * (size_t)(3 * nv));
    enum { MAXF = 64 };
    int64_t st[3 * MAXF];
    for (int64_t v = 0; v < nv; v++) {
        const int ns = ref_star(tri, nf, v, st, MAXF);
        double K[3] = {0, 0, 0}, A = 0.0, N[3] = {0, 0, 0}, ang = 0.0;
        for (int q = 0; q < ns; q++) {
            const double *a = x + 3 * st[3 * q], *b = x + 3 * st[3 * q + 1], *c = x + 3 * st[3 * q + 2];
            const double cb = r_cot(b, c, a), cc = r_cot(c, a, b); /* angles at b and c */
            double ab[3], ac[3], e1[3], e2[3], n[3];
            r_sub(a, b, ab), r_sub(a, c, ac);
            r_axpy(K, 0.5 * cb, ac), r_axpy(K, 0.5 * cc, ab);
            r_sub(b, a, e1), r_sub(c, a, e2), r_cross(e1, e2, n);
            r_axpy(N, 1.0, n);
            const double th_a = r_angle(a, b, c, 0, NULL, NULL, NULL), th_b = r_angle(b, c, a, 0, NULL, NULL, NULL),
                         th_c = r_angle(c, a, b, 0, NULL, NULL, NULL);
            const double Af = 0.5 * r_norm(n);
            if (r_dot(e1, e2) < 0) A += Af / 2; /* obtuse at v */
            else if (th_b > M_PI / 2 || th_c > M_PI / 2) A += Af / 4;
            else A += (r_dot(ab, ab) * cc + r_dot(ac, ac) * cb) / 8;
            ang += th_a;
        }
        const double kn = r_norm(K), s = r_dot(K, N) < 0 ? -1.0 : 1.0, H2 = s * kn / A;
        const double h = H2 - P->c0;
        E += 0.5 * P->kappa * h * h * A;
        gauss += P->kappa_G * (2 * M_PI - ang);
        if (!grad) continue;
        /* de/dK = kappa h s K/|K|, de/dA = 1/2 kappa h^2 - kappa h s|K|/A */
        double gK[3] = {0, 0, 0};
        if (kn > 0) r_axpy(gK, P->kappa * h * s / kn, K);
        const double gA = 0.5 * P->kappa * h * h - P->kappa * h * H2;
        for (int q = 0; q < ns; q++) {
            const int64_t ia = st[3 * q], ib = st[3 * q + 1], ic = st[3 * q + 2];
            const double *a = x + 3 * ia, *b = x + 3 * ib, *c = x + 3 * ic;
            double *ga = grad + 3 * ia, *gb = grad + 3 * ib, *gc = grad + 3 * ic;
            double ab[3], ac[3], e1[3], e2[3];
            r_sub(a, b, ab), r_sub(a, c, ac), r_sub(b, a, e1), r_sub(c, a, e2);
            const double cb = r_cot(b, c, a), cc = r_cot(c, a, b);
            /* K^f = 1/2 [cb (a - c) + cc (a - b)] */
            r_cot_grad(b, c, a, 0.5 * r_dot(gK, ac), gb, gc, ga);
            r_cot_grad(c, a, b, 0.5 * r_dot(gK, ab), gc, ga, gb);
            r_axpy(ga, 0.5 * (cb + cc), gK), r_axpy(gc, -0.5 * cb, gK), r_axpy(gb, -0.5 * cc, gK);
            const double th_b = r_angle(b, c, a, 0, NULL, NULL, NULL), th_c = r_angle(c, a, b, 0, NULL, NULL, NULL);
            const double *X[3] = {a, b, c};
            double *G[3] = {ga, gb, gc};
            if (r_dot(e1, e2) < 0) r_area(X, gA / 2, G);
            else if (th_b > M_PI / 2 || th_c > M_PI / 2) r_area(X, gA / 4, G);
            else { /* (|a-b|^2 cc + |a-c|^2 cb) / 8 */
                r_axpy(ga, gA * cc / 4, ab), r_axpy(gb, -gA * cc / 4, ab);
                r_axpy(ga, gA * cb / 4, ac), r_axpy(gc, -gA * cb / 4, ac);
                r_cot_grad(c, a, b, gA * r_dot(ab, ab) / 8, gc, ga, gb);
                r_cot_grad(b, c, a, gA * r_dot(ac, ac) / 8, gb, gc, ga);
            }
        }
    }
    for (int64_t f = 0; f < nf; f++) {
        const double *X[3] = {x + 3 * tri[3 * f], x + 3 * tri[3 * f + 1], x + 3 * tri[3 * f + 2]};
        double *G[3] = {NULL, NULL, NULL};
        if (grad) for (int i = 0; i < 3; i++) G[i] = grad + 3 * tri[3 * f + i];
        area += r_area(X, P->gamma, grad ? G : NULL);
        double bc[3];
        r_cross(X[1], X[2], bc);
        vol += r_dot(X[0], bc) / 6;
        if (grad)
            for (int i = 0; i < 3; i++) {
                double t[3];
                r_cross(X[(i + 1) % 3], X[(i + 2) % 3], t);
                r_axpy(G[i], -P->p / 6, t);
            }
    }
    if (gauss_out) *gauss_out = gauss;
    if (area_out) *area_out = area;
    if (vol_out) *vol_out = vol;
    return E + gauss + P->gamma * area - P->p * vol;
}
#endif
