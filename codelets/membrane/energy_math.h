/* energy_math.h - the per-face and per-vertex stages of the membrane energy ops (curvature,
 * measure, bending, tension, volume, energy, trial_volume, trial_energy), SD_HD: energy.c loops
 * over them on the CPU, energy.cu runs one thread per face or vertex. Same stages, same order:
 * bitwise the same results (the corner angles of the Gaussian term excepted: atan2).
 *
 * A gradient op runs four stages over a partition (sd_mpart):
 *  1. faces: each local face's corner quantities K^f_k, A^f_k (mixed area), its normal n and
 *     (Gaussian term) corner angles into the face scratch;
 *  2. vertices [0, nv_ring1): K_v, A_v, N_v summed over the vertex's corners in corner-list order,
 *     then the Helfrich energy e_v and its adjoints dE/dK_v, dE/dA_v into the vertex scratch
 *     (ring-1 vertices too: their K and A depend on the owned vertices' positions);
 *  3. faces with an owned corner: dE/dx of the face's three corners through its outputs
 *     (membrane_face_vjp with the corners' adjoints) and dV_f/dx into the face scratch;
 *  4. owned vertices: grad and vgrad summed over the vertex's corners in corner-list order.
 * Energy-only ops run stages 1 and 2 (faces with an owned corner, owned vertices). Scalars are
 * terms folded exactly (sd_acc): per owned vertex (bending, Gaussian) and per owned face (area,
 * volume), so they do not depend on the partition.
 *
 * Scratch: slot s of face f at fs[MB_FS_AT(f, s)] (AoS, MB_FS_SLOTS per face), of vertex v at
 * vs[s*nv + v] (SoA) (fs = mesh.scratch + scratch_v * nv). */
#ifndef SD_MEMBRANE_ENERGY_MATH_H
#define SD_MEMBRANE_ENERGY_MATH_H

#include "membrane_math.h"

#define MB_TWO_PI 6.283185307179586 /* 2 pi rounded to double */

/* face scratch, stage 1 */
enum { MB_FS_K = 0 /* 9: corner k component c at MB_FS_K + 3k + c */, MB_FS_AM = 9 /* 3 */, MB_FS_N = 12 /* 3 */,
       MB_FS_ANG = 15 /* 3 */, MB_FS_GEOM = 15 /* slots without angles */, MB_FS_SLOTS = 18 };
/* face scratch, stage 3 (overwrites stage 1's) */
enum { MB_FS_G = 0 /* 9: dE/dx of corner k, component c at 3k + c */, MB_FS_VG = 9 /* 9: dV_f/dx */ };
/* Face scratch is AoS: slot s of face f at fs[MB_FS_AT(f, s)] (a corner's gather reads one face's
 * slots from two or three cache lines; SoA read each slot from its own line). */
#define MB_FS_AT(f, s) ((f) * (int64_t)MB_FS_SLOTS + (s))
/* vertex scratch, stage 2: dE/dK_v (3), dE/dA_v (1); trial positions y (3) */
enum { MB_VS_GK = 0, MB_VS_GA = 3, MB_VS_SLOTS = 4, MB_VS_Y = 0 };

typedef struct mb_params {
    double kappa, c0, kappa_G, gamma, p;
} mb_params;

/* The first n of the declared parameters kappa, c0, kappa_G, gamma, p (the others: 1, 0, 0, 0). */
SD_HD mb_params mb_params_from(const double *param, int n)
{
    mb_params p;
    p.kappa = n > 0 ? param[0] : 1.0;
    p.c0 = n > 1 ? param[1] : 0.0;
    p.kappa_G = n > 2 ? param[2] : 0.0;
    p.gamma = n > 3 ? param[3] : 0.0;
    p.p = n > 4 ? param[4] : 0.0;
    return p;
}

/* Whether face f has a corner among local vertices [0, lim) (lim = nv_own: an owned corner). */
SD_HD int mb_face_touches(const sd_mpart *m, int64_t f, int64_t lim)
{
    return m->tri[3 * f] < lim || m->tri[3 * f + 1] < lim || m->tri[3 * f + 2] < lim;
}

/* Stage 1's slots of face g: slot s at out[s * stride] (stride 1: the face scratch; the CPU's
 * blocks of faces store lane by lane). */
SD_HD void mb_face_stage1_out(const membrane_face *g, int angles, double *out, int64_t stride)
{
    const int o = membrane_face_obtuse(g);
    for (int k = 0; k < 3; k++) {
        const mb_vec K = membrane_face_cotan(g, k);
        out[(MB_FS_K + 3 * k) * stride] = K.x;
        out[(MB_FS_K + 3 * k + 1) * stride] = K.y;
        out[(MB_FS_K + 3 * k + 2) * stride] = K.z;
        out[(MB_FS_AM + k) * stride] = membrane_face_mixed_area_o(g, o, k);
        if (angles) out[(MB_FS_ANG + k) * stride] = membrane_face_angle(g, k);
    }
    out[MB_FS_N * stride] = g->n.x;
    out[(MB_FS_N + 1) * stride] = g->n.y;
    out[(MB_FS_N + 2) * stride] = g->n.z;
}

/* Stage 1 for face f (positions x with component stride sc). */
SD_HD void mb_stage_face(const sd_mpart *m, const double *x, int64_t sc, double *fs, int64_t f, int angles)
{
    membrane_face g;
    membrane_face_load(&g, m->tri, f, x, sc);
    mb_face_stage1_out(&g, angles, fs + MB_FS_AT(f, 0), 1);
}

/* Sum over vertex v's corners (corner-list order) of a per-corner 3-vector at slot + 3k. */
SD_HD mb_vec mb_gather_corner_vec(const sd_mpart *m, const double *fs, int slot, int64_t v)
{
    mb_vec s = mb_zero();
    for (int64_t q = m->cstart[v]; q < m->cstart[v + 1]; q++) {
        const int64_t f = m->corner[q] / 3;
        const int b = slot + 3 * (m->corner[q] % 3);
        s = mb_add(s, mb_v(fs[MB_FS_AT(f, b)], fs[MB_FS_AT(f, b + 1)], fs[MB_FS_AT(f, b + 2)]));
    }
    return s;
}
/* ... of a per-corner scalar at slot + k */
SD_HD double mb_gather_corner(const sd_mpart *m, const double *fs, int slot, int64_t v)
{
    double s = 0.0;
    for (int64_t q = m->cstart[v]; q < m->cstart[v + 1]; q++)
        s += fs[MB_FS_AT(m->corner[q] / 3, slot + m->corner[q] % 3)];
    return s;
}

/* What stage 2 gathers at a vertex. */
typedef struct mb_vertex {
    mb_vec K;   /* cotangent Laplacian K_v */
    double A;   /* mixed area A_v */
    mb_vec N;   /* area-weighted normal (not normalised) */
} mb_vertex;

/* One pass over the corners (each sum still in corner-list order: the same bits as three gathers). */
SD_HD mb_vertex mb_gather_vertex(const sd_mpart *m, const double *fs, int64_t v)
{
    mb_vertex r;
    r.K = mb_zero(), r.A = 0.0, r.N = mb_zero();
    for (int64_t q = m->cstart[v]; q < m->cstart[v + 1]; q++) {
        const int64_t f = m->corner[q] / 3;
        const int k = m->corner[q] % 3, b = MB_FS_K + 3 * k;
        r.K = mb_add(r.K, mb_v(fs[MB_FS_AT(f, b)], fs[MB_FS_AT(f, b + 1)], fs[MB_FS_AT(f, b + 2)]));
        r.A += fs[MB_FS_AT(f, MB_FS_AM + k)];
        r.N = mb_add(r.N, mb_v(fs[MB_FS_AT(f, MB_FS_N)], fs[MB_FS_AT(f, MB_FS_N + 1)], fs[MB_FS_AT(f, MB_FS_N + 2)]));
    }
    return r;
}

/* Gaussian term of vertex v: kappa_G (2 pi - sum of its corner angles). */
SD_HD double mb_vertex_gauss(const sd_mpart *m, const double *fs, int64_t v, double kappa_G)
{
    return kappa_G * (MB_TWO_PI - mb_gather_corner(m, fs, MB_FS_ANG, v));
}

/* Stage 2 for vertex v: its Helfrich energy; with vs, its adjoints into the vertex scratch. */
SD_HD double mb_stage_vertex(const sd_mpart *m, const double *fs, double *vs, int64_t v, const mb_params *p)
{
    const mb_vertex s = mb_gather_vertex(m, fs, v);
    mb_vec gK;
    double gA;
    const double e = membrane_helfrich(s.K, s.A, s.N, p->kappa, p->c0, &gK, &gA);
    if (vs) {
        const int64_t nv = m->nv;
        vs[MB_VS_GK * nv + v] = gK.x;
        vs[(MB_VS_GK + 1) * nv + v] = gK.y;
        vs[(MB_VS_GK + 2) * nv + v] = gK.z;
        vs[MB_VS_GA * nv + v] = gA;
    }
    return e;
}

/* Which terms stage 3 differentiates. */
typedef struct mb_grad_terms {
    int bending;      /* the Helfrich term through the vertex adjoints */
    double area;      /* dE/dA_f (gamma) */
    double vol;       /* dE/dV_f (-p) */
    int vgrad;        /* also dV_f/dx into MB_FS_VG */
} mb_grad_terms;

/* The adjoints stage 3 gives face g: the corners' dE/dK and dE/dA (gK[k], gA[k]; read only with
 * t->bending) and the terms' constants. */
SD_HD void mb_face_adjoints(membrane_face_adj *adj, const mb_grad_terms *t, const mb_vec gK[3], const double gA[3])
{
    membrane_face_adj_zero(adj);
    if (t->bending)
        for (int k = 0; k < 3; k++) adj->K[k] = gK[k], adj->Am[k] = gA[k];
    adj->area = t->area;
    adj->vol = t->vol;
}

/* Stage 3's slots of face g with adjoints adj: slot s at out[s * stride] (as mb_face_stage1_out). */
SD_HD void mb_face_stage3_out(const membrane_face *g, const membrane_face_adj *adj, int vgrad, double *out,
                              int64_t stride)
{
    mb_vec d[3];
    membrane_face_vjp(g, adj, d);
    for (int k = 0; k < 3; k++) {
        out[(MB_FS_G + 3 * k) * stride] = d[k].x;
        out[(MB_FS_G + 3 * k + 1) * stride] = d[k].y;
        out[(MB_FS_G + 3 * k + 2) * stride] = d[k].z;
        if (vgrad) {
            const mb_vec w = membrane_face_volume_grad(g, k);
            out[(MB_FS_VG + 3 * k) * stride] = w.x;
            out[(MB_FS_VG + 3 * k + 1) * stride] = w.y;
            out[(MB_FS_VG + 3 * k + 2) * stride] = w.z;
        }
    }
}

/* Stage 3 for face f (positions x, stride sc; vertex adjoints vs). */
SD_HD void mb_stage_face_grad(const sd_mpart *m, const double *x, int64_t sc, const double *vs, double *fs,
                              int64_t f, const mb_grad_terms *t)
{
    membrane_face g;
    membrane_face_load(&g, m->tri, f, x, sc);
    mb_vec gK[3] = {mb_zero(), mb_zero(), mb_zero()};
    double gA[3] = {0.0, 0.0, 0.0};
    if (t->bending)
        for (int k = 0; k < 3; k++) {
            const int64_t v = m->tri[3 * f + k];
            gK[k] = mb_load(vs + MB_VS_GK * m->nv, m->nv, v);
            gA[k] = vs[MB_VS_GA * m->nv + v];
        }
    membrane_face_adj adj;
    mb_face_adjoints(&adj, t, gK, gA);
    mb_face_stage3_out(&g, &adj, t->vgrad, fs + MB_FS_AT(f, 0), 1);
}

/* Area and volume terms of face f (positions x, stride sc). */
SD_HD void mb_face_measure(const sd_mpart *m, const double *x, int64_t sc, int64_t f, double *area, double *vol)
{
    membrane_face g;
    membrane_face_load(&g, m->tri, f, x, sc);
    *area = g.area;
    *vol = membrane_face_volume(&g);
}

/* Area A_f and unit outward normal n / |n| of face f (membrane.face_geometry; positions x, stride
 * sc). The area is mb_face_measure's bitwise (the same membrane_face_load). */
SD_HD mb_vec mb_face_geometry(const sd_mpart *m, const double *x, int64_t sc, int64_t f, double *area)
{
    membrane_face g;
    membrane_face_load(&g, m->tri, f, x, sc);
    *area = g.area;
    return mb_scale(1.0 / g.nn, g.n);
}

/* A line search's data: trial points y = x + a d + lam n (membrane_restored_position). */
typedef struct mb_line {
    const double *x, *d, *n; /* positions, search direction, restoring direction (dV/dx at x) */
    int64_t sx, sd, sn;      /* their component strides */
} mb_line;

/* The unrestored trial point x + a d of vertex v (membrane.trial_volume; n unused). */
SD_HD mb_vec mb_line_point(const mb_line *l, double a, int64_t v)
{
    double y[3];
    for (int c = 0; c < 3; c++) y[c] = membrane_line_position(l->x[v + c * l->sx], l->d[v + c * l->sd], a);
    return mb_v(y[0], y[1], y[2]);
}

/* Volume term of face f at the unrestored trial points. */
SD_HD double mb_face_line_volume(const sd_mpart *m, const mb_line *l, double a, int64_t f)
{
    return membrane_tri_volume(mb_line_point(l, a, m->tri[3 * f]), mb_line_point(l, a, m->tri[3 * f + 1]),
                               mb_line_point(l, a, m->tri[3 * f + 2]));
}

/* The restored trial point y of vertex v into the vertex scratch (slot MB_VS_Y, stride nv). */
SD_HD void mb_stage_trial_position(const sd_mpart *m, const mb_line *l, double a, double lam, double *vs, int64_t v)
{
    for (int c = 0; c < 3; c++)
        vs[(MB_VS_Y + c) * m->nv + v] =
            membrane_restored_position(l->x[v + c * l->sx], l->d[v + c * l->sd], a, l->n[v + c * l->sn], lam);
}

#endif
