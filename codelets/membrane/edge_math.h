/* edge_math.h - per-edge geometry of a triangulated membrane and the ops on mesh edges
 * (membrane.edge_geometry, membrane.edge_sum, membrane.tether), SD_HD: edges.c loops over them on
 * the CPU, edges.cu runs one thread per edge or vertex. docs/membrane.md ("Edges") derives them.
 *
 * Edge e of a partition (sd_mpart, stardag/kernel.h) runs from a = edge[2e] (its end with the lower
 * global id) to b = edge[2e+1]; eface[2e] is the face whose counter-clockwise boundary runs a -> b
 * (third corner c), eface[2e+1] the other (third corner d). Every per-edge value is computed from
 * x_a, x_b, x_c, x_d in that role order, which the global ids fix: each partition holding the edge
 * computes the same bits. A vertex sums over its edges in vedge order (increasing global edge id),
 * so per-vertex values do not depend on the partition either.
 *
 * Only + - * / and sqrt, and detmath.h's sd_atan2 (built from those): CPU and CUDA give the same
 * bits (gcc -ffp-contract=off, nvcc -fmad=false). */
#ifndef SD_MEMBRANE_EDGE_MATH_H
#define SD_MEMBRANE_EDGE_MATH_H

#include "membrane_math.h"

/* ---- One edge from its four points ---------------------------------------------------------
 * t = x_b - x_a, n1 = t x (x_c - x_a), n2 = (x_d - x_a) x t: the outward normals of the faces
 * (a, b, c) and (b, a, d) times twice their areas. Length l = |t|; signed dihedral
 * theta = atan2(s |n1 x n2|, n1 . n2) in [-pi, pi], the angle between the outward normals, with
 * s = +1 where (n1 x n2) . t >= 0 (a convex edge: the surface turns away from the outside) and -1
 * where it is < 0 (a concave one). n1 x n2 is parallel to t; its length and n1 . n2 are both
 * |n1||n2| times sin and cos of the angle, so atan2 needs no normalisation and is accurate at
 * every angle (acos of the normalised dot product is not near 0 and pi). */
SD_HD void membrane_edge_geometry(mb_vec xa, mb_vec xb, mb_vec xc, mb_vec xd, double *len, double *theta)
{
    const mb_vec t = mb_sub(xb, xa);
    const mb_vec n1 = mb_cross(t, mb_sub(xc, xa)), n2 = mb_cross(mb_sub(xd, xa), t);
    const mb_vec w = mb_cross(n1, n2);
    const double sn = sqrt(mb_dot(w, w));
    *len = sqrt(mb_dot(t, t));
    *theta = sd_atan2(mb_dot(w, t) < 0.0 ? -sn : sn, mb_dot(n1, n2));
}

/* Tether (spring) term of an edge of length l and rest length l0: returns 1/2 k (l - l0)^2 and
 * sets *c = k (l - l0) / l, so that dE/dx_b = c (x_b - x_a) = -dE/dx_a. */
SD_HD double membrane_tether(double l, double l0, double k, double *c)
{
    const double d = l - l0;
    *c = k * d / l;
    return 0.5 * k * (d * d);
}

/* Integrated mean curvature of an edge: l theta / 2 (Juelicher 1996; sums to the integral of
 * H = (k1 + k2)/2 over the surface, 4 pi R on a sphere of radius R). */
SD_HD double membrane_edge_mean_curvature(double len, double theta) { return 0.5 * (len * theta); }

/* ---- Edges of a partition ------------------------------------------------------------------- */
/* The corner of local face f that is neither local vertex a nor b. */
SD_HD int32_t mb_face_third(const int32_t *tri, int64_t f, int32_t a, int32_t b)
{
    const int32_t *t = tri + 3 * f;
    return t[0] != a && t[0] != b ? t[0] : t[1] != a && t[1] != b ? t[1] : t[2];
}

/* Length and signed dihedral of local edge e (positions x, component stride sx). Needs the
 * positions of both ends and of both faces' third corners: for an edge with an end in ring 1, the
 * ring-2 positions (halo 2). */
SD_HD void mb_edge_geometry(const sd_mpart *m, const double *x, int64_t sx, int64_t e, double *len, double *theta)
{
    const int32_t a = m->edge[2 * e], b = m->edge[2 * e + 1];
    const int32_t c = mb_face_third(m->tri, m->eface[2 * e], a, b), d = mb_face_third(m->tri, m->eface[2 * e + 1], a, b);
    membrane_edge_geometry(mb_load(x, sx, a), mb_load(x, sx, b), mb_load(x, sx, c), mb_load(x, sx, d), len, theta);
}

/* Local edge e as the vector x_b - x_a. */
SD_HD mb_vec mb_edge_vector(const sd_mpart *m, const double *x, int64_t sx, int64_t e)
{
    return mb_sub(mb_load(x, sx, m->edge[2 * e + 1]), mb_load(x, sx, m->edge[2 * e]));
}

/* Length of local edge e: |x_b - x_a|, bitwise mb_edge_geometry's. */
SD_HD double mb_edge_length(const sd_mpart *m, const double *x, int64_t sx, int64_t e)
{
    const mb_vec t = mb_edge_vector(m, x, sx, e);
    return sqrt(mb_dot(t, t));
}

/* Sum of edge field w (one component) over vertex v's edges, in vedge order. */
SD_HD double mb_vertex_edge_sum(const sd_mpart *m, const double *w, int64_t v)
{
    double s = 0.0;
    for (int64_t q = m->estart[v]; q < m->estart[v + 1]; q++) s += w[m->vedge[q]];
    return s;
}

/* Tether energy of local edge e with rest lengths l0 (an edge field). */
SD_HD double mb_tether_edge_energy(const sd_mpart *m, const double *x, int64_t sx, const double *l0, double k, int64_t e)
{
    double c;
    return membrane_tether(mb_edge_length(m, x, sx, e), l0[e], k, &c);
}

/* dE/dx_v of the tether energy: sum over v's edges (vedge order) of +-c_e (x_b - x_a), + where v
 * is the edge's end b. Each edge's term is computed from its own (a, b) order, so both ends (in any
 * partitions) see the same c_e (x_b - x_a) and add or subtract it exactly. */
SD_HD mb_vec mb_tether_vertex_grad(const sd_mpart *m, const double *x, int64_t sx, const double *l0, double k, int64_t v)
{
    mb_vec g = mb_zero();
    for (int64_t q = m->estart[v]; q < m->estart[v + 1]; q++) {
        const int64_t e = m->vedge[q];
        const mb_vec t = mb_edge_vector(m, x, sx, e);
        double c;
        membrane_tether(sqrt(mb_dot(t, t)), l0[e], k, &c);
        const mb_vec f = mb_scale(c, t);
        g = v == m->edge[2 * e + 1] ? mb_add(g, f) : mb_sub(g, f);
    }
    return g;
}

#endif
