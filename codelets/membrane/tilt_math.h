/* tilt_math.h - the tilt energies' per-face and per-vertex math (membrane.tilt,
 * membrane.bending_tilt, membrane.tilt_relax), shared by tilt.c and tilt.cu (SD_HD: the math exists
 * once). The face geometry and its derivatives (cotangents, mixed areas, cotangent Laplacian, their
 * vector-Jacobian product) are membrane_math.h's; this header adds the tilt's own pieces: the
 * discrete divergence and its derivatives. docs/membrane-tilt.md has the definitions.
 *
 * Tilt divergence of face f: the tilt interpolated linearly over the face (hat functions phi_k),
 *   div_f = sum_k t_k . gphi_k,  gphi_k = n x e_k / |n|^2,  e_k = x_{k+2} - x_{k+1}
 * (gphi_k lies in the face plane, points from the edge opposite k towards x_k, and has length
 * 1 / height; only the in-plane components of t_k count). With S = sum_k e_k x t_k
 * (t.(n x e) = n.(e x t)), div_f = n.S / |n|^2, whose derivatives are
 *   d div_f / dx_m = [(S - 2 div_f n) / |n|^2] x e_m + (t_{m+1} - t_{m+2}) x n / |n|^2,
 *   d div_f / dt_m = gphi_m
 * (from d(P.n)/dx_m = P x e_m for n = x0 x x1 + x1 x x2 + x2 x x0, and
 * d(Q.S)/dx_m = (t_{m+1} - t_{m+2}) x Q). Only + - * / and sqrt: CPU and CUDA agree bitwise. */
#ifndef SD_MEMBRANE_TILT_MATH_H
#define SD_MEMBRANE_TILT_MATH_H
#include "membrane_math.h"

SD_HD mb_vec tilt_edge(const membrane_face *g, int k) { return mb_sub(g->x[(k + 2) % 3], g->x[(k + 1) % 3]); }

SD_HD mb_vec tilt_gphi(const membrane_face *g, int k)
{
    return mb_scale(1.0 / (g->nn * g->nn), mb_cross(g->n, tilt_edge(g, k)));
}

SD_HD double tilt_face_div(const membrane_face *g, const mb_vec t[3])
{
    return mb_dot(t[0], tilt_gphi(g, 0)) + mb_dot(t[1], tilt_gphi(g, 1)) + mb_dot(t[2], tilt_gphi(g, 2));
}

/* out[m] += adiv * d div_f / dx_m (the formula at the top). */
SD_HD void tilt_div_vjp(const membrane_face *g, const mb_vec t[3], double adiv, mb_vec out[3])
{
    const double inn2 = 1.0 / (g->nn * g->nn);
    mb_vec S = mb_zero();
    for (int k = 0; k < 3; k++) S = mb_add(S, mb_cross(tilt_edge(g, k), t[k]));
    const double div = mb_dot(g->n, S) * inn2;
    const mb_vec an = mb_scale(adiv * inn2, mb_axpy(S, -2.0 * div, g->n));
    const mb_vec aS = mb_scale(adiv * inn2, g->n);
    for (int m = 0; m < 3; m++) {
        out[m] = mb_add(out[m], mb_cross(mb_sub(t[(m + 1) % 3], t[(m + 2) % 3]), aS));
        out[m] = mb_add(out[m], mb_cross(an, tilt_edge(g, m)));
    }
}

/* ---- Per-face passes of the kernels, writing into SoA scratch (value i of a face at
 * out[i * stride]); x and t are the corners' positions and tilts. */
enum { TILT_T_FACE = 12, TILT_BT_FACE1 = 16, TILT_BT_VERT = 5, TILT_BT_FACE2 = 18 };
/* membrane.tilt_t's faces keep the areas only; bending_tilt_t uses bending_tilt's layout (its face
 * pass 2 writes dE/dt at values 9..17). */
enum { TILT_T_FACE_AREAS = 3 };

SD_HD void tilt_store(double *out, int64_t stride, int i, mb_vec v)
{
    out[i * stride] = v.x, out[(i + 1) * stride] = v.y, out[(i + 2) * stride] = v.z;
}
SD_HD mb_vec tilt_fetch(const double *in, int64_t stride, int i)
{
    return mb_v(in[i * stride], in[(i + 1) * stride], in[(i + 2) * stride]);
}

/* membrane.tilt: E = 1/2 kt sum_v |t_v|^2 A_v = sum_f sum_k 1/2 kt |t_k|^2 A^f_k (A^f_k the mixed-area
 * shares). Writes A^f_k (3), then, with_x, dE_f/dx_k (3 x 3); without, t is not read (the t-only op
 * needs A_v only: tgrad = kt A_v t_v). */
SD_HD void tilt_t_face(const membrane_face *g, const mb_vec t[3], double kt, int with_x, double *out, int64_t stride)
{
    for (int k = 0; k < 3; k++) out[k * stride] = membrane_face_mixed_area(g, k);
    if (!with_x) return;
    membrane_face_adj adj;
    membrane_face_adj_zero(&adj);
    for (int k = 0; k < 3; k++) adj.Am[k] = 0.5 * kt * mb_dot(t[k], t[k]);
    mb_vec gx[3];
    membrane_face_vjp(g, &adj, gx);
    for (int k = 0; k < 3; k++) tilt_store(out, stride, 3 + 3 * k, gx[k]);
}

/* membrane.tilt at an owned vertex: tgrad = kt A_v t_v; returns E_v = 1/2 kt |t_v|^2 A_v. */
SD_HD double tilt_t_vertex(double kt, mb_vec t, double A, mb_vec *tg)
{
    *tg = mb_scale(kt * A, t);
    return 0.5 * kt * mb_dot(t, t) * A;
}

/* membrane.bending_tilt, first face pass: A^f_k (3), K^f_k (3 x 3), n (3), div_f (1). */
SD_HD void tilt_bt_face1(const membrane_face *g, const mb_vec t[3], double *out, int64_t stride)
{
    for (int k = 0; k < 3; k++) {
        out[k * stride] = membrane_face_mixed_area(g, k);
        tilt_store(out, stride, 3 + 3 * k, membrane_face_cotan(g, k));
    }
    tilt_store(out, stride, 12, g->n);
    out[15 * stride] = tilt_face_div(g, t);
}

/* membrane.bending_tilt's vertex term. With the corner sums K_v (cotangent Laplacian), A_v (mixed
 * area), N_v (sum of n: the area-weighted normal, for the curvature's sign) and
 * B_v = sum_f A^f_v div_f (the vertex divergence D_v = B_v / A_v, an area-weighted mean),
 *   e_v = 2 H_v - c0 + D_v = s_v |K_v| / A_v - c0 + B_v / A_v,   E_v = 1/2 kappa e_v^2 A_v.
 * Partial derivatives: dE_v/dK_v = kappa e_v s_v K_v/|K_v| (0 at K_v = 0), dE_v/dB_v = kappa e_v,
 * dE_v/dA_v = 1/2 kappa e_v^2 - kappa e_v (s_v |K_v| + B_v) / A_v. */
typedef struct tilt_bt_adj {
    mb_vec aK;
    double aB, aA;
} tilt_bt_adj;

SD_HD double tilt_bt_vertex(mb_vec K, mb_vec N, double A, double B, double kappa, double c0, tilt_bt_adj *adj)
{
    const double kn = sqrt(mb_dot(K, K)), s = membrane_curv_sign(K, N);
    const double e = s * kn / A - c0 + B / A;
    adj->aK = kn > 0.0 ? mb_scale(kappa * e * s / kn, K) : mb_zero();
    adj->aB = kappa * e;
    adj->aA = 0.5 * kappa * e * e - kappa * e * ((s * kn + B) / A);
    return 0.5 * kappa * e * e * A;
}

/* membrane.bending_tilt, second face pass, from the corners' vertex adjoints: the energy reaches
 * A^f_k through A_v and B_v, K^f_k through K_v, div_f through B_v. Writes, with_x, dE/dx_k (3 x 3),
 * then always dE/dt_k = (sum_j aB_j A^f_j) gphi_k (3 x 3) (only aB of the adjoints: the t-only op
 * skips the geometry's vector-Jacobian product, most of the cost). */
SD_HD void tilt_bt_face2(const membrane_face *g, const mb_vec t[3], const tilt_bt_adj va[3], int with_x,
                         double *out, int64_t stride)
{
    double adiv = 0.0;
    for (int k = 0; k < 3; k++) adiv += va[k].aB * membrane_face_mixed_area(g, k);
    for (int k = 0; k < 3; k++) tilt_store(out, stride, 9 + 3 * k, mb_scale(adiv, tilt_gphi(g, k)));
    if (!with_x) return;
    const double div = tilt_face_div(g, t);
    membrane_face_adj adj;
    membrane_face_adj_zero(&adj);
    for (int k = 0; k < 3; k++) {
        adj.K[k] = va[k].aK;
        adj.Am[k] = va[k].aA + va[k].aB * div;
    }
    mb_vec gx[3];
    membrane_face_vjp(g, &adj, gx);
    tilt_div_vjp(g, t, adiv, gx);
    for (int k = 0; k < 3; k++) tilt_store(out, stride, 3 * k, gx[k]);
}

/* ---- membrane.tilt_relax: one explicit step at fixed shape, t <- P (t - eta g) with
 * P = I - N N^T / |N|^2 the projection onto the plane normal to N (N need not be unit; N = 0 leaves
 * the step unprojected). */
SD_HD mb_vec tilt_relax_vertex(mb_vec t, mb_vec g, mb_vec N, double eta)
{
    const mb_vec u = mb_axpy(t, -eta, g);
    const double nn = mb_dot(N, N);
    return nn > 0.0 ? mb_axpy(u, -(mb_dot(u, N) / nn), N) : u;
}

/* ---- One face / one vertex of a partition (sd_tile_args of a mesh op): the passes of the kernels,
 * called per face or per vertex by the CPU loops and the CUDA threads alike (same order, same bits).
 * Roles of tilt and bending_tilt: x 0, t 1, tgrad 2, grad 3 (vertex fields, SoA); the scratch is
 * SoA (value i of local face f at fs[i nf + f], of local vertex v at vs[i nv + v]). The t-only ops
 * (membrane.tilt_t, membrane.bending_tilt_t: no grad role) run the same passes with with_x = 0: the
 * energy and tgrad come from the same operations in the same order, so they are bitwise the full
 * ops'; only the x-gradient's work is skipped. */
SD_HD int tilt_face_has_corner_below(const sd_mpart *m, int64_t f, int64_t n)
{
    return m->tri[3 * f] < n || m->tri[3 * f + 1] < n || m->tri[3 * f + 2] < n;
}
SD_HD void tilt_load_face(const sd_tile_args *a, int64_t f, membrane_face *g, mb_vec t[3])
{
    const sd_mpart *m = &a->mesh;
    membrane_face_load(g, m->tri, f, (const double *)a->p[0], a->sc[0]);
    for (int k = 0; k < 3; k++) t[k] = mb_load((const double *)a->p[1], a->sc[1], m->tri[3 * f + k]);
}

/* membrane.tilt, face f (only faces with an owned corner: their corners are ring 1 at most).
 * Without with_x the tilts are not loaded (the t-only op reads t on owned vertices only: halo 0). */
SD_HD void tilt_t_face_pass(const sd_tile_args *a, double kt, int with_x, int64_t f)
{
    membrane_face g;
    mb_vec t[3] = {mb_zero(), mb_zero(), mb_zero()};
    if (with_x)
        tilt_load_face(a, f, &g, t);
    else
        membrane_face_load(&g, a->mesh.tri, f, (const double *)a->p[0], a->sc[0]);
    tilt_t_face(&g, t, kt, with_x, a->mesh.scratch + f, a->mesh.nf);
}
/* membrane.tilt, owned vertex v: tgrad and (with_x) grad; returns E_v. */
SD_HD double tilt_t_vertex_pass(const sd_tile_args *a, double kt, int with_x, int64_t v)
{
    const sd_mpart *m = &a->mesh;
    const double *fs = m->scratch;
    const int64_t nf = m->nf;
    double A = 0.0;
    mb_vec gx = mb_zero(), tg;
    for (int64_t i = m->cstart[v]; i < m->cstart[v + 1]; i++) {
        const int64_t f = m->corner[i] / 3;
        const int k = (int)(m->corner[i] % 3);
        A += fs[k * nf + f];
        if (with_x) gx = mb_add(gx, tilt_fetch(fs + f, nf, 3 + 3 * k));
    }
    const double E = tilt_t_vertex(kt, mb_load((const double *)a->p[1], a->sc[1], v), A, &tg);
    mb_store((double *)a->p[2], a->sc[2], v, tg);
    if (with_x) mb_store((double *)a->p[3], a->sc[3], v, gx);
    return E;
}

/* membrane.bending_tilt: scratch TILT_BT_VERT per local vertex, then TILT_BT_FACE2 per local face. */
SD_HD double *tilt_bt_face_scratch(const sd_mpart *m) { return m->scratch + TILT_BT_VERT * m->nv; }

/* pass 1, every local face f */
SD_HD void tilt_bt_face1_pass(const sd_tile_args *a, int64_t f)
{
    membrane_face g;
    mb_vec t[3];
    tilt_load_face(a, f, &g, t);
    tilt_bt_face1(&g, t, tilt_bt_face_scratch(&a->mesh) + f, a->mesh.nf);
}
/* pass 2, owned or ring-1 vertex v: its sums and adjoints; returns E_v */
SD_HD double tilt_bt_vertex_pass(const sd_tile_args *a, double kappa, double c0, int64_t v)
{
    const sd_mpart *m = &a->mesh;
    const double *fs = tilt_bt_face_scratch(m);
    double *vs = m->scratch;
    const int64_t nf = m->nf, nv = m->nv;
    double A = 0.0, B = 0.0;
    mb_vec K = mb_zero(), N = mb_zero();
    for (int64_t i = m->cstart[v]; i < m->cstart[v + 1]; i++) {
        const int64_t f = m->corner[i] / 3;
        const int k = (int)(m->corner[i] % 3);
        const double am = fs[k * nf + f];
        A += am;
        B += am * fs[15 * nf + f];
        K = mb_add(K, tilt_fetch(fs + f, nf, 3 + 3 * k));
        N = mb_add(N, tilt_fetch(fs + f, nf, 12));
    }
    tilt_bt_adj adj;
    const double E = tilt_bt_vertex(K, N, A, B, kappa, c0, &adj);
    tilt_store(vs + v, nv, 0, adj.aK);
    vs[3 * nv + v] = adj.aB;
    vs[4 * nv + v] = adj.aA;
    return E;
}
/* pass 3, face f with an owned corner (its corners are owned or ring 1: their adjoints exist) */
SD_HD void tilt_bt_face2_pass(const sd_tile_args *a, int with_x, int64_t f)
{
    const sd_mpart *m = &a->mesh;
    const double *vs = m->scratch;
    const int64_t nv = m->nv;
    membrane_face g;
    mb_vec t[3];
    tilt_bt_adj va[3];
    tilt_load_face(a, f, &g, t);
    for (int k = 0; k < 3; k++) {
        const int64_t v = m->tri[3 * f + k];
        va[k].aK = tilt_fetch(vs + v, nv, 0);
        va[k].aB = vs[3 * nv + v];
        va[k].aA = vs[4 * nv + v];
    }
    tilt_bt_face2(&g, t, va, with_x, tilt_bt_face_scratch(m) + f, m->nf);
}
/* pass 4, owned vertex v: tgrad and (with_x) grad */
SD_HD void tilt_bt_gather_pass(const sd_tile_args *a, int with_x, int64_t v)
{
    const sd_mpart *m = &a->mesh;
    const double *fs = tilt_bt_face_scratch(m);
    const int64_t nf = m->nf;
    mb_vec gx = mb_zero(), tg = mb_zero();
    for (int64_t i = m->cstart[v]; i < m->cstart[v + 1]; i++) {
        const int64_t f = m->corner[i] / 3;
        const int k = (int)(m->corner[i] % 3);
        if (with_x) gx = mb_add(gx, tilt_fetch(fs + f, nf, 3 * k));
        tg = mb_add(tg, tilt_fetch(fs + f, nf, 9 + 3 * k));
    }
    mb_store((double *)a->p[2], a->sc[2], v, tg);
    if (with_x) mb_store((double *)a->p[3], a->sc[3], v, gx);
}

/* membrane.tilt_relax, owned vertex v. Roles: t 0 (RW), tgrad 1, normal 2. */
SD_HD void tilt_relax_pass(const sd_tile_args *a, double eta, int64_t v)
{
    double *T = (double *)a->p[0];
    const mb_vec t = mb_load(T, a->sc[0], v), g = mb_load((const double *)a->p[1], a->sc[1], v);
    mb_store(T, a->sc[0], v, tilt_relax_vertex(t, g, mb_load((const double *)a->p[2], a->sc[2], v), eta));
}

#endif
