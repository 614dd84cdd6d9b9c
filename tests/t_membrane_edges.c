/* t_membrane_edges.c - the membrane ops on mesh edges (codelets/membrane/edges.c: edge_geometry,
 * edge_sum, tether) called directly on whole-mesh views (mesh_view.h) and on partitions
 * (mesh_part.h), no StarPU:
 *  1. edge numbering and tables: tests/mesh_view.h's plain numbering = io/mesh_edges.c's, and
 *     tests/mesh_part.h's edge tables (built from stardag/kernel.h's description) = runtime/dm's
 *     (sd_mparts_edges) for the same owners, compared through global ids;
 *  2. the dihedral's sign convention on shapes with known answers: a regular tetrahedron (every
 *     edge pi - acos(1/3)) and an octahedron with one vertex pushed inside (its four edges concave);
 *  3. edge_geometry, edge_sum and tether against slow references (each edge's faces found by a
 *     search of all faces, each vertex's edges by a scan of all edges, acos for the angle);
 *  4. tether's gradient against central differences of its energy on a perturbed icosphere;
 *  5. the integrated mean curvature sum_e l theta / 2 of unit icospheres, levels 2..5 (table), -> 4 pi;
 *     a sphere of radius 2 gives twice the unit one's (bitwise: coordinates scaled by 2);
 *     Juelicher's per-vertex mean curvature as a graph makes it (mesh.edge_mul: l theta / 2 per
 *     edge, bitwise the terms of mean_curvature; edge_sum of those, halved, over the vertex area)
 *     -> 1 on the unit sphere;
 *  6. every op bitwise the same on the whole mesh and on 1, 2, 3 and 7 partitions: edge_geometry's
 *     values on every LOCAL edge (not only the owned ones), edge_sum and tether on the owned
 *     vertices, the exact scalar sums merged; edge_sum and tether also fed from the partition's own
 *     edge_geometry output (the contract that lets an op sum over a vertex's edges); mesh.edge_mul
 *     on every local edge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "kernel_util.h"
#include "mesh_view.h"
#include "mesh_part.h"
#include "mesh_file.h"
#include "dm/mesh_part.h" /* runtime/dm's partitions, for the table cross-check */
#include "stardag/codelet.h"
#include "membrane/edge_kernels.h"
#include "membrane/edge_math.h"
#include "membrane/energy_kernels.h"
#include "mesh/mesh_ops.h"

enum { SV = 0, SF = 18 }; /* scratch for membrane.curvature (section 5): MB_FS_SLOTS per face */

static void die(const char *what)
{
    printf("Bail out! %s\n", what);
    exit(1);
}

static double *field(int64_t n, int ncomp)
{
    double *p = (double *)malloc(sizeof(double) * (size_t)(ncomp * n + 1));
    if (!p) die("out of memory");
    for (int64_t i = 0; i < ncomp * n; i++) p[i] = 0.0 / 0.0;
    return p;
}
static int same_array(const double *a, const double *b, int64_t n) { return memcmp(a, b, sizeof(double) * (size_t)n) == 0; }

/* A closed mesh with its edges and whole-mesh view. */
typedef struct mesh_case {
    int64_t nv, nf, ne;
    int64_t *tri, *edge; /* edge: [2 ne] (lower, higher), mesh_edges_sorted */
    double *x;           /* SoA, stride nv */
    mesh_view mv;        /* whole mesh, with edges */
} mesh_case;

static void case_free(mesh_case *c)
{
    free(c->tri), free(c->edge), free(c->x);
    mesh_view_free(&c->mv);
}

/* From an sd_mesh (taken over); amp > 0: every coordinate moved by up to amp * the mean edge. */
static void case_from(mesh_case *c, sd_mesh *m, double amp, uint64_t seed)
{
    c->nv = m->nv, c->nf = m->nf, c->tri = m->tri;
    c->x = mesh_view_soa(m->x, m->nv);
    if (!c->x) die("out of memory");
    free(m->x);
    if (!(c->edge = mesh_edges_sorted(c->nf, c->tri, &c->ne))) die("out of memory");
    if (amp > 0) {
        double el = 0;
        for (int64_t e = 0; e < c->ne; e++) {
            double s = 0;
            for (int k = 0; k < 3; k++) s += pow(c->x[c->edge[2 * e] + k * c->nv] - c->x[c->edge[2 * e + 1] + k * c->nv], 2);
            el += sqrt(s) / (double)c->ne;
        }
        rng r = {seed};
        for (int64_t i = 0; i < 3 * c->nv; i++) c->x[i] += amp * el * rng_range(&r, -1, 1);
    }
    if (mesh_view_init(&c->mv, c->nv, c->nf, c->tri, SV, SF) || mesh_view_edges(&c->mv, c->edge, c->ne))
        die("mesh_view_init");
}

static void case_sphere(mesh_case *c, int level, double radius, double amp, uint64_t seed)
{
    sd_mesh m;
    char err[256];
    if (sd_mesh_icosphere(level, radius, &m, err, sizeof err)) die(err);
    case_from(c, &m, amp, seed);
}

static double X(const mesh_case *c, int64_t v, int k) { return c->x[v + k * c->nv]; }

/* ---- the kernels on a view ----------------------------------------------------------------- */
typedef struct geom_out {
    double *len, *dih; /* edge fields of the view (stride ne) */
    double total, mean;
    sd_acc acc[2];     /* the partials */
} geom_out;

static void run_geometry(const mesh_view *mv, const double *x, geom_out *o)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    o->len = field(mv->m.ne, 1), o->dih = field(mv->m.ne, 1);
    a.nbuf = 3;
    a.p[0] = (void *)x, a.p[1] = o->len, a.p[2] = o->dih;
    a.sc[0] = mv->m.nv, a.sc[1] = a.sc[2] = mv->m.ne;
    a.ncomp[0] = 3, a.ncomp[1] = a.ncomp[2] = 1;
    sd_acc_init(&o->acc[0]), sd_acc_init(&o->acc[1]);
    a.nacc = 2, a.acc = o->acc, a.mesh = mv->m;
    sd_membrane_edge_geometry_cpu(&a);
    o->total = sd_acc_sum(&o->acc[0]), o->mean = sd_acc_sum(&o->acc[1]);
}
static void geom_free(geom_out *o) { free(o->len), free(o->dih); }

/* out (vertex field, stride nv) = s * sum over each owned vertex's edges of w (stride ne) */
static double *run_edge_sum(const mesh_view *mv, const double *w, double s)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    double *out = field(mv->m.nv, 1);
    a.nbuf = 2;
    a.p[0] = (void *)w, a.p[1] = out;
    a.sc[0] = mv->m.ne, a.sc[1] = mv->m.nv;
    a.ncomp[0] = a.ncomp[1] = 1;
    a.param[0] = s;
    a.mesh = mv->m;
    sd_membrane_edge_sum_cpu(&a);
    return out;
}

/* out (edge field, stride ne) = a u w on every local edge (mesh.edge_mul) */
static double *run_edge_mul(const mesh_view *mv, const double *u, const double *w, double s)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    double *out = field(mv->m.ne, 1);
    a.nbuf = 3;
    a.p[0] = (void *)u, a.p[1] = (void *)w, a.p[2] = out;
    a.sc[0] = a.sc[1] = a.sc[2] = mv->m.ne;
    a.ncomp[0] = a.ncomp[1] = a.ncomp[2] = 1;
    a.param[0] = s;
    a.mesh = mv->m;
    sd_mesh_edge_mul_cpu(&a);
    return out;
}

/* grad (stride nv, owned vertices); returns the energy, its partial in *acc */
static double run_tether(const mesh_view *mv, const double *x, const double *l0, double k, double *grad, sd_acc *acc)
{
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    sd_acc own;
    if (!acc) acc = &own;
    a.nbuf = 3;
    a.p[0] = (void *)x, a.p[1] = (void *)l0, a.p[2] = grad;
    a.sc[0] = mv->m.nv, a.sc[1] = mv->m.ne, a.sc[2] = mv->m.nv;
    a.ncomp[0] = 3, a.ncomp[1] = 1, a.ncomp[2] = 3;
    a.param[0] = k;
    sd_acc_init(acc);
    a.nacc = 1, a.acc = acc, a.mesh = mv->m;
    sd_membrane_tether_cpu(&a);
    return sd_acc_sum(acc);
}

/* ---- slow references ------------------------------------------------------------------------ */
static void vsub(const mesh_case *c, int64_t a, int64_t b, double r[3])
{
    for (int k = 0; k < 3; k++) r[k] = X(c, a, k) - X(c, b, k);
}
static void vcross(const double a[3], const double b[3], double r[3])
{
    r[0] = a[1] * b[2] - a[2] * b[1], r[1] = a[2] * b[0] - a[0] * b[2], r[2] = a[0] * b[1] - a[1] * b[0];
}
static double vdot(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* Edge (lo, hi): its faces found among all faces (f1 runs lo -> hi, f2 hi -> lo), their unit
 * outward normals from their own corner order, the angle between them by acos, negative where
 * the far corner of f2 lies in front of f1's plane (the surface folds outward there: concave). */
static void ref_edge(const mesh_case *c, int64_t lo, int64_t hi, double *len, double *theta)
{
    int64_t f1 = -1, f2 = -1, far2 = -1;
    for (int64_t f = 0; f < c->nf; f++)
        for (int k = 0; k < 3; k++) {
            const int64_t a = c->tri[3 * f + k], b = c->tri[3 * f + (k + 1) % 3];
            if (a == lo && b == hi) f1 = f;
            if (a == hi && b == lo) f2 = f, far2 = c->tri[3 * f + (k + 2) % 3];
        }
    if (f1 < 0 || f2 < 0) die("reference: an edge without its two faces");
    double n[2][3];
    for (int s = 0; s < 2; s++) {
        const int64_t *t = c->tri + 3 * (s ? f2 : f1);
        double u[3], w[3];
        vsub(c, t[1], t[0], u), vsub(c, t[2], t[0], w), vcross(u, w, n[s]);
        const double nn = sqrt(vdot(n[s], n[s]));
        for (int k = 0; k < 3; k++) n[s][k] /= nn;
    }
    double t[3], d[3];
    vsub(c, hi, lo, t), vsub(c, far2, lo, d);
    *len = sqrt(vdot(t, t));
    const double ang = acos(fmax(-1.0, fmin(1.0, vdot(n[0], n[1]))));
    *theta = vdot(d, n[0]) > 0 ? -ang : ang;
}

/* ---- 1. numbering and tables ---------------------------------------------------------------- */
static void test_numbering(void)
{
    mesh_case c;
    const double axes[3] = {1.3, 1.0, 0.7};
    sd_mesh m;
    char err[256];
    if (sd_mesh_ellipsoid(3, axes, &m, err, sizeof err)) die(err);
    case_from(&c, &m, 0, 0);
    int64_t ne = 0, *edge = NULL;
    const int listed = sd_mesh_edges(c.nv, c.nf, c.tri, &ne, &edge, err, sizeof err) == 0;
    ok(listed && ne == c.ne && ne == 3 * c.nf / 2 && !memcmp(edge, c.edge, sizeof(int64_t) * 2 * (size_t)ne),
       "edge numbering: tests' sort of the face sides = io's sd_mesh_edges (%lld edges = 3 nf / 2)", (long long)ne);
    /* runtime/dm's partitions and edge tables against tests/mesh_part.h's for the same owners */
    double *xa = (double *)malloc(sizeof(double) * 3 * (size_t)c.nv);
    int *owner = (int *)malloc(sizeof(int) * (size_t)c.nv);
    int64_t *vmap = (int64_t *)malloc(sizeof(int64_t) * (size_t)c.nv);
    if (!xa || !owner || !vmap) die("out of memory");
    for (int64_t v = 0; v < c.nv; v++)
        for (int k = 0; k < 3; k++) xa[3 * v + k] = X(&c, v, k);
    for (int n = 1; n <= 7; n += 2) {
        sd_mparts P;
        if (sd_mparts_make(c.nv, c.nf, xa, c.tri, n, &P, err, sizeof err) || sd_mparts_edges(&P, c.nv, ne, edge, err, sizeof err))
            die(err);
        for (int64_t v = 0; v < c.nv; v++) owner[v] = P.owner[v];
        int same = 1, same_order = 1;
        char why[256] = "";
        for (int p = 0; p < n && same; p++) {
            const sd_mlocal *r = &P.part[p];
            mesh_view pv;
            if (mesh_part_init_edges(&pv, c.nv, c.nf, c.tri, owner, p, 0, 0, c.edge, c.ne)) die("mesh_part_init_edges");
            const sd_mpart *t = &pv.m;
            if (t->nv_own != r->nv_own || t->nv_ring1 != r->nv_ring1 || t->nv != r->nv || t->nf != r->nf ||
                t->ne_own != r->ne_own || t->ne != r->ne) {
                snprintf(why, sizeof why, "(part %d: counts differ)", p);
                same = 0;
            }
            for (int64_t v = 0; same && v < c.nv; v++) vmap[v] = -1;
            for (int64_t v = 0; same && v < t->nv; v++) vmap[t->vid[v]] = v;
            /* r's local vertex i is the tests' vmap[r->vid[i]]; compare the tables through it */
            for (int64_t i = 0; same && i < r->nv; i++)
                if (vmap[r->vid[i]] < 0 || (i < r->nv_own) != (vmap[r->vid[i]] < t->nv_own) ||
                    (i < r->nv_ring1) != (vmap[r->vid[i]] < t->nv_ring1))
                    snprintf(why, sizeof why, "(part %d: vertex %lld's ring)", p, (long long)r->vid[i]), same = 0;
            for (int64_t e = 0; same && e < r->ne; e++) {
                /* same global edges in the same order (owned, then others, by id), same ends, faces */
                int ok_e = r->eid[e] == t->eid[e] && vmap[r->vid[r->edge[2 * e]]] == t->edge[2 * e] &&
                           vmap[r->vid[r->edge[2 * e + 1]]] == t->edge[2 * e + 1];
                for (int s = 0; s < 2; s++) ok_e &= r->fid[r->eface[2 * e + s]] == t->fid[t->eface[2 * e + s]];
                if (!ok_e) snprintf(why, sizeof why, "(part %d: edge %lld)", p, (long long)r->eid[e]), same = 0;
            }
            for (int64_t i = 0; same && i < r->nv_ring1; i++) { /* each vertex's edges, by global id */
                const int64_t v = vmap[r->vid[i]];
                int ok_v = r->estart[i + 1] - r->estart[i] == t->estart[v + 1] - t->estart[v];
                for (int64_t q = 0; ok_v && q < r->estart[i + 1] - r->estart[i]; q++)
                    ok_v = r->eid[r->vedge[r->estart[i] + q]] == t->eid[t->vedge[t->estart[v] + q]];
                if (!ok_v) snprintf(why, sizeof why, "(part %d: edges of vertex %lld)", p, (long long)r->vid[i]), same = 0;
            }
            for (int64_t f = 0; same && f < r->nf; f++) { /* the edge of each face side: face by id, side by corner */
                int64_t g = 0;
                while (g < t->nf && t->fid[g] != r->fid[f]) g++;
                if (g == t->nf) {
                    snprintf(why, sizeof why, "(part %d: face %lld not local)", p, (long long)r->fid[f]), same = 0;
                    break;
                }
                for (int k = 0; k < 3; k++) {
                    const int32_t re = r->fedge[3 * f + k], te = t->fedge[3 * g + k];
                    if (vmap[r->vid[r->tri[3 * f + k]]] != t->tri[3 * g + k] || (re < 0) != (te < 0) ||
                        (re >= 0 && r->eid[re] != t->eid[te]))
                        snprintf(why, sizeof why, "(part %d: face %lld side %d)", p, (long long)r->fid[f], k), same = 0;
                }
            }
            for (int64_t i = 0; same && i < r->nv; i++) same_order &= vmap[r->vid[i]] == i;
            for (int64_t f = 0; same && f < r->nf; f++) same_order &= r->fid[f] == t->fid[f];
            mesh_view_free(&pv);
        }
        ok(same, "%d partitions (runtime/dm's owners): tests/mesh_part.h's edge tables = runtime/dm's (ends, faces, "
           "face sides, vertex lists, ownership, order) %s", n, why);
        if (same) diag("  %d partitions: local vertex and face order %s", n, same_order ? "identical too" : "differ (tables compared by global ids)");
        sd_mparts_free(&P);
    }
    free(xa), free(owner), free(vmap), free(edge);
    case_free(&c);
}

/* ---- 2. the sign convention on known shapes ------------------------------------------------- */
static void test_signs(void)
{
    /* regular tetrahedron, faces counter-clockwise from outside */
    static double tx[12] = {1, 1, 1, 1, -1, -1, -1, 1, -1, -1, -1, 1};
    static const int64_t tt[12] = {0, 1, 2, 0, 3, 1, 0, 2, 3, 1, 3, 2};
    sd_mesh m = {4, 4, (double *)malloc(sizeof tx), (int64_t *)malloc(sizeof tt)};
    if (!m.x || !m.tri) die("out of memory");
    memcpy(m.x, tx, sizeof tx), memcpy(m.tri, tt, sizeof tt);
    char err[256];
    if (sd_mesh_check(&m, NULL, "tetrahedron", NULL, err, sizeof err)) die(err);
    mesh_case c;
    case_from(&c, &m, 0, 0);
    geom_out g;
    run_geometry(&c.mv, c.x, &g);
    const double want = M_PI - acos(1.0 / 3.0), l = sqrt(8.0);
    double worst = 0;
    for (int64_t e = 0; e < c.ne; e++) worst = fmax(worst, fabs(g.dih[e] - want) + fabs(g.len[e] - l));
    ok(c.ne == 6 && worst < 1e-15, "regular tetrahedron: every dihedral = pi - acos(1/3) = %.15f > 0 (convex), length "
       "sqrt 8 (worst error %.2g)", want, worst);
    is_close(g.mean, 6 * l * want / 2, 1e-15, "regular tetrahedron: mean_curvature = 6 l theta / 2");
    geom_free(&g);
    case_free(&c);
    /* octahedron with vertex +z pushed to (0, 0, -0.5): its four edges turn concave, the others stay convex */
    static double ox[18] = {1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1};
    static const int64_t ot[24] = {0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5};
    sd_mesh o = {6, 8, (double *)malloc(sizeof ox), (int64_t *)malloc(sizeof ot)};
    if (!o.x || !o.tri) die("out of memory");
    memcpy(o.x, ox, sizeof ox), memcpy(o.tri, ot, sizeof ot);
    if (sd_mesh_check(&o, NULL, "octahedron", NULL, err, sizeof err)) die(err);
    o.x[14] = -0.5;
    case_from(&c, &o, 0, 0);
    run_geometry(&c.mv, c.x, &g);
    int right = 1;
    double err_ref = 0;
    for (int64_t e = 0; e < c.ne; e++) {
        const int dent = c.edge[2 * e + 1] == 4; /* vertex 4 is the highest id of its edges */
        right &= dent ? g.dih[e] < 0 : g.dih[e] > 0;
        double rl, rt;
        ref_edge(&c, c.edge[2 * e], c.edge[2 * e + 1], &rl, &rt);
        err_ref = fmax(err_ref, fabs(rt - g.dih[e]) + fabs(rl - g.len[e]));
    }
    ok(right, "dented octahedron: the 4 edges at the pushed-in vertex concave (theta < 0), the 8 others convex");
    ok(err_ref < 1e-14, "dented octahedron: lengths and dihedrals = the acos reference (%.2g)", err_ref);
    geom_free(&g);
    case_free(&c);
}

/* ---- 3. references -------------------------------------------------------------------------- */
static void test_reference(const char *what, mesh_case *c)
{
    geom_out g;
    run_geometry(&c->mv, c->x, &g);
    /* acos(c) is ill-conditioned near 0 and pi: the reference's own error is about ulp(1) / |sin theta|,
     * so each angle may differ by 1e-14 + 1e-14 / |sin theta| (the kernel's atan2 is accurate everywhere) */
    double el = 0, et = 0, tl = 0, tm = 0, sharp = 0;
    int concave = 0;
    for (int64_t e = 0; e < c->ne; e++) {
        double rl, rt;
        ref_edge(c, c->edge[2 * e], c->edge[2 * e + 1], &rl, &rt);
        el = fmax(el, fabs(rl - g.len[e]) / rl);
        et = fmax(et, fabs(rt - g.dih[e]) / (1e-14 + 1e-14 / fabs(sin(rt))));
        tl += rl, tm += rl * rt / 2;
        concave += g.dih[e] < 0;
        sharp = fmax(sharp, fabs(g.dih[e]));
    }
    diag("%s: %lld edges, %d concave, largest |theta| %.4f", what, (long long)c->ne, concave, sharp);
    ok(concave > 0 && el < 1e-15 && et <= 1,
       "%s edge_geometry: lengths and dihedrals (both signs) = reference (length rel %.2g; angle %.2g of "
       "1e-14 (1 + 1/|sin theta|))", what, el, et);
    is_close(g.total, tl, 1e-13, "%s edge_geometry: total_length = reference", what);
    is_close(g.mean, tm, 1e-12, "%s edge_geometry: mean_curvature = reference", what);
    /* edge_sum of w = l theta / 2 with a = 0.5, and of w = l with a = -2 */
    double *w = field(c->ne, 1);
    for (int64_t e = 0; e < c->ne; e++) w[e] = g.len[e] * g.dih[e] / 2;
    double *out = run_edge_sum(&c->mv, w, 0.5), *out2 = run_edge_sum(&c->mv, g.len, -2);
    double es = 0, es2 = 0, sum = 0;
    for (int64_t v = 0; v < c->nv; v++) {
        double r = 0, r2 = 0;
        for (int64_t e = 0; e < c->ne; e++)
            if (c->edge[2 * e] == v || c->edge[2 * e + 1] == v) r += w[e], r2 += g.len[e];
        es = fmax(es, fabs(out[v] - 0.5 * r)), es2 = fmax(es2, fabs(out2[v] + 2 * r2));
        sum += out[v];
    }
    ok(es < 1e-14 && es2 < 1e-13, "%s edge_sum: per-vertex sums = reference (%.2g, %.2g)", what, es, es2);
    is_close(sum, g.mean, 1e-12, "%s edge_sum: sum_v of (1/2) sum_{e at v} l theta / 2 = mean_curvature", what);
    /* tether with rest lengths 0.9 to 1.1 times the current lengths, k = 1.7 */
    double *l0 = field(c->ne, 1), *grad = field(c->nv, 3), *gref = field(c->nv, 3);
    rng r = {99};
    for (int64_t e = 0; e < c->ne; e++) l0[e] = g.len[e] * rng_range(&r, 0.9, 1.1);
    const double k = 1.7, E = run_tether(&c->mv, c->x, l0, k, grad, NULL);
    double eref = 0, gmax = 0, gerr = 0;
    for (int64_t e = 0; e < c->ne; e++) eref += 0.5 * k * pow(g.len[e] - l0[e], 2);
    for (int64_t v = 0; v < c->nv; v++) {
        double gv[3] = {0, 0, 0};
        for (int64_t e = 0; e < c->ne; e++) {
            if (c->edge[2 * e] != v && c->edge[2 * e + 1] != v) continue;
            const int64_t u = c->edge[2 * e] == v ? c->edge[2 * e + 1] : c->edge[2 * e];
            double d[3];
            vsub(c, v, u, d);
            const double l = sqrt(vdot(d, d));
            for (int q = 0; q < 3; q++) gv[q] += k * (l - l0[e]) * d[q] / l;
        }
        for (int q = 0; q < 3; q++) gref[v + q * c->nv] = gv[q], gmax = fmax(gmax, fabs(gv[q]));
    }
    for (int64_t i = 0; i < 3 * c->nv; i++) gerr = fmax(gerr, fabs(grad[i] - gref[i]));
    is_close(E, eref, 1e-12, "%s tether: energy = reference", what);
    ok(gerr <= 1e-13 * gmax, "%s tether: gradient = reference (max error %.2g of max |grad| %.3g)", what, gerr / gmax, gmax);
    free(w), free(out), free(out2), free(l0), free(grad), free(gref);
    geom_free(&g);
}

/* ---- 4. finite differences ----------------------------------------------------------------- */
static void test_fd(mesh_case *c)
{
    geom_out g;
    run_geometry(&c->mv, c->x, &g);
    double *l0 = field(c->ne, 1), *grad = field(c->nv, 3), *tmp = field(c->nv, 3);
    rng r = {5};
    for (int64_t e = 0; e < c->ne; e++) l0[e] = g.len[e] * rng_range(&r, 0.8, 1.2);
    const double k = 2.3, h = 1e-6;
    run_tether(&c->mv, c->x, l0, k, grad, NULL);
    double err = 0, gmax = 0;
    for (int64_t i = 0; i < 3 * c->nv; i++) {
        const double x0 = c->x[i];
        c->x[i] = x0 + h;
        const double ep = run_tether(&c->mv, c->x, l0, k, tmp, NULL);
        c->x[i] = x0 - h;
        const double em = run_tether(&c->mv, c->x, l0, k, tmp, NULL);
        c->x[i] = x0;
        err = fmax(err, fabs((ep - em) / (2 * h) - grad[i]));
        gmax = fmax(gmax, fabs(grad[i]));
    }
    diag("tether central differences (h = %g, %lld coordinates): max |fd - grad| = %.3g, max |grad| = %.3g", h,
         (long long)(3 * c->nv), err, gmax);
    ok(err <= 1e-6 * gmax, "tether (k %.1f, rest lengths 0.8..1.2 l): gradient = central differences of the energy "
       "(max error %.2g of max |grad|)", k, err / gmax);
    /* k = 0: no energy, no gradient; l0 = l: zero energy and gradient */
    double zmax = 0;
    const double E0 = run_tether(&c->mv, c->x, l0, 0.0, tmp, NULL);
    for (int64_t i = 0; i < 3 * c->nv; i++) zmax = fmax(zmax, fabs(tmp[i]));
    const double E1 = run_tether(&c->mv, c->x, g.len, k, grad, NULL);
    for (int64_t i = 0; i < 3 * c->nv; i++) zmax = fmax(zmax, fabs(grad[i]));
    ok(E0 == 0 && E1 == 0 && zmax == 0, "tether: k = 0, or rest lengths = edge_geometry's lengths: energy and gradient exactly 0");
    free(l0), free(grad), free(tmp);
    geom_free(&g);
}

/* ---- 5. spheres ----------------------------------------------------------------------------- */
static void test_spheres(void)
{
    double prev = 1e300;
    diag("level  vertices   edges  mean_curvature = sum l theta/2   - 4 pi      rel.err   ratio  min theta    max theta");
    for (int level = 2; level <= 5; level++) {
        mesh_case c;
        case_sphere(&c, level, 1.0, 0, 0);
        geom_out g;
        run_geometry(&c.mv, c.x, &g);
        double tmin = 1e300, tmax = -1e300;
        for (int64_t e = 0; e < c.ne; e++) tmin = fmin(tmin, g.dih[e]), tmax = fmax(tmax, g.dih[e]);
        const double d = g.mean - 4 * M_PI;
        diag("%5d  %8lld  %6lld  %.15f       %+.3e  %.2e  %5.2f  %.4e  %.4e", level, (long long)c.nv, (long long)c.ne, g.mean, d,
             fabs(d) / (4 * M_PI), level > 2 ? prev / fabs(d) : 0.0, tmin, tmax);
        ok(tmin > 0, "unit icosphere level %d: every edge convex (theta in [%.4f, %.4f])", level, tmin, tmax);
        if (level > 2)
            ok(fabs(d) < 0.3 * prev, "unit icosphere level %d: mean_curvature closer to 4 pi than at level %d (|error| "
               "%.3g, %.2f times smaller: second order in the edge length)", level, level - 1, fabs(d), prev / fabs(d));
        prev = fabs(d);
        if (level == 5) {
            ok(fabs(d) < 1e-3 * 4 * M_PI, "level 5: mean_curvature within 0.1%% of 4 pi (%.2g)", fabs(d) / (4 * M_PI));
            /* Juelicher's per-vertex mean curvature: M_v = 1/2 sum_{e at v} l theta / 2 over the mixed area;
             * w = l theta / 2 by mesh.edge_mul, bitwise the terms edge_geometry summed */
            double *w = run_edge_mul(&c.mv, g.len, g.dih, 0.5);
            int terms = 1;
            sd_acc wsum;
            sd_acc_init(&wsum);
            for (int64_t e = 0; e < c.ne; e++) {
                terms &= same_bits(w[e], membrane_edge_mean_curvature(g.len[e], g.dih[e]));
                sd_acc_add(&wsum, w[e]);
            }
            ok(terms && same_bits(sd_acc_sum(&wsum), g.mean), "level 5: mesh.edge_mul(length, dihedral, a = 1/2) = l theta / 2, "
               "bitwise edge_geometry's terms (their exact sum = mean_curvature)");
            double *Mv = run_edge_sum(&c.mv, w, 0.5);
            double *area = field(c.nv, 1), *H = field(c.nv, 1), *normal = field(c.nv, 3);
            sd_tile_args a;
            memset(&a, 0, sizeof a);
            a.nbuf = 4;
            a.p[0] = c.x, a.p[1] = area, a.p[2] = H, a.p[3] = normal;
            for (int b = 0; b < 4; b++) a.sc[b] = c.nv;
            a.mesh = c.mv.m;
            sd_membrane_curvature_cpu(&a);
            double worst = 0, worst_cot = 0;
            for (int64_t v = 0; v < c.nv; v++)
                worst = fmax(worst, fabs(Mv[v] / area[v] - 1)), worst_cot = fmax(worst_cot, fabs(H[v] - 1));
            diag("level 5: per-vertex H = M_v / A_v within %.2g of 1 (the cotangent H of membrane.curvature: %.2g)", worst,
                 worst_cot);
            ok(worst < 1e-3, "level 5: Juelicher's per-vertex mean curvature (edge_sum) = 1 +- %.2g on the unit sphere", worst);
            free(w), free(Mv), free(area), free(H), free(normal);
            /* radius 2: every coordinate exactly doubles, so lengths do and angles do not change */
            mesh_case c2;
            case_sphere(&c2, level, 2.0, 0, 0);
            int scaled = 1;
            for (int64_t i = 0; i < 3 * c.nv; i++) scaled &= c2.x[i] == 2 * c.x[i];
            geom_out g2;
            run_geometry(&c2.mv, c2.x, &g2);
            if (scaled)
                ok(same_bits(g2.mean, 2 * g.mean) && same_bits(g2.total, 2 * g.total),
                   "level 5, radius 2: mean_curvature %.12f = 2 x the unit sphere's, bitwise (-> 4 pi R = 8 pi)", g2.mean);
            else
                is_close(g2.mean, 2 * g.mean, 1e-13, "level 5, radius 2: mean_curvature = 2 x the unit sphere's (-> 4 pi R)");
            geom_free(&g2);
            case_free(&c2);
        }
        geom_free(&g);
        case_free(&c);
    }
}

/* ---- 6. partitions -------------------------------------------------------------------------- */
static void test_partitions(mesh_case *c, int nparts, int random_owner)
{
    int *owner = (int *)malloc(sizeof(int) * (size_t)c->nv);
    if (!owner) die("out of memory");
    rng r = {4242 + (uint64_t)nparts};
    for (int64_t v = 0; v < c->nv; v++) {
        const double z = X(c, v, 2);
        owner[v] = random_owner ? (int)(rng_u64(&r) % (uint64_t)nparts) : (int)fmin(nparts - 1, fmax(0, (z + 1) / 2 * nparts));
    }
    const char *how = random_owner ? "random" : "slab";
    /* whole-mesh results; inputs: w and l0 random edge fields, x0 other positions (rest lengths) */
    geom_out G;
    run_geometry(&c->mv, c->x, &G);
    double *w = field(c->ne, 1), *l0 = field(c->ne, 1), *x0 = field(c->nv, 3);
    for (int64_t e = 0; e < c->ne; e++) w[e] = rng_range(&r, -1, 1), l0[e] = G.len[e] * rng_range(&r, 0.8, 1.2);
    for (int64_t i = 0; i < 3 * c->nv; i++) x0[i] = c->x[i] * rng_range(&r, 0.97, 1.03);
    geom_out G0; /* edge_geometry at x0: rest lengths made by an op */
    run_geometry(&c->mv, x0, &G0);
    double *S = run_edge_sum(&c->mv, w, 1.3), *SD = run_edge_sum(&c->mv, G.dih, 1.0), *MUL = run_edge_mul(&c->mv, G.len, w, -0.7);
    int mul_ok = 1;
    for (int64_t e = 0; e < c->ne; e++) mul_ok &= same_bits(MUL[e], -0.7 * G.len[e] * w[e]);
    double *T = field(c->nv, 3), *T0 = field(c->nv, 3);
    sd_acc te, te0;
    run_tether(&c->mv, c->x, l0, 0.9, T, &te);
    run_tether(&c->mv, c->x, G0.len, 0.9, T0, &te0);
    /* merged from the partitions */
    double *glen = field(c->ne, 1), *gdih = field(c->ne, 1), *gs = field(c->nv, 1), *gsd = field(c->nv, 1);
    double *gt = field(c->nv, 3), *gt0 = field(c->nv, 3);
    sd_acc acc[2], acct, acct0;
    sd_acc_init(&acc[0]), sd_acc_init(&acc[1]), sd_acc_init(&acct), sd_acc_init(&acct0);
    int local_same = 1;
    int64_t owned_e = 0, owned_v = 0;
    for (int p = 0; p < nparts; p++) {
        mesh_view pv;
        if (mesh_part_init_edges(&pv, c->nv, c->nf, c->tri, owner, p, 0, 0, c->edge, c->ne)) die("mesh_part_init_edges");
        double *px = mesh_part_gather(&pv, c->x, c->nv, 3), *px0 = mesh_part_gather(&pv, x0, c->nv, 3);
        double *pw = mesh_view_gather_edges(&pv, w, c->ne, 1), *pl0 = mesh_view_gather_edges(&pv, l0, c->ne, 1);
        if (!px || !px0 || !pw || !pl0) die("out of memory");
        geom_out g, g0;
        run_geometry(&pv, px, &g);
        run_geometry(&pv, px0, &g0);
        for (int64_t e = 0; e < pv.m.ne; e++) /* every local edge: the whole mesh's bits */
            local_same &= same_bits(g.len[e], G.len[pv.eid[e]]) && same_bits(g.dih[e], G.dih[pv.eid[e]]) &&
                          same_bits(g0.len[e], G0.len[pv.eid[e]]);
        mesh_view_scatter_edges(&pv, g.len, glen, c->ne, 1, 1);
        mesh_view_scatter_edges(&pv, g.dih, gdih, c->ne, 1, 1);
        sd_acc_merge(&acc[0], &g.acc[0]), sd_acc_merge(&acc[1], &g.acc[1]);
        double *pm = run_edge_mul(&pv, g.len, pw, -0.7);
        for (int64_t e = 0; e < pv.m.ne; e++) local_same &= same_bits(pm[e], MUL[pv.eid[e]]);
        free(pm);
        double *s = run_edge_sum(&pv, pw, 1.3), *sd = run_edge_sum(&pv, g.dih, 1.0); /* sd: fed by this partition's op */
        mesh_part_scatter(&pv, s, gs, c->nv, 1), mesh_part_scatter(&pv, sd, gsd, c->nv, 1);
        double *t = field(pv.m.nv, 3), *t0 = field(pv.m.nv, 3);
        sd_acc pa, pa0;
        run_tether(&pv, px, pl0, 0.9, t, &pa);
        run_tether(&pv, px, g0.len, 0.9, t0, &pa0); /* rest lengths from this partition's edge_geometry */
        sd_acc_merge(&acct, &pa), sd_acc_merge(&acct0, &pa0);
        mesh_part_scatter(&pv, t, gt, c->nv, 3), mesh_part_scatter(&pv, t0, gt0, c->nv, 3);
        owned_e += pv.m.ne_own, owned_v += pv.m.nv_own;
        free(s), free(sd), free(t), free(t0), free(px), free(px0), free(pw), free(pl0);
        geom_free(&g), geom_free(&g0);
        mesh_view_free(&pv);
    }
    ok(owned_e == c->ne && owned_v == c->nv, "%d %s partitions: every edge and vertex owned once (%lld edges)", nparts, how,
       (long long)owned_e);
    ok(local_same && mul_ok, "%d %s partitions: edge_geometry's length and dihedral, and mesh.edge_mul's a u w (= the "
       "formula), on every local edge (owned or not) = the whole mesh's, bitwise", nparts, how);
    ok(same_array(glen, G.len, c->ne) && same_array(gdih, G.dih, c->ne) && same_bits(sd_acc_sum(&acc[0]), G.total) &&
           same_bits(sd_acc_sum(&acc[1]), G.mean),
       "%d %s partitions: edge_geometry's owned edges and total_length, mean_curvature merged = whole mesh, bitwise", nparts, how);
    ok(same_array(gs, S, c->nv) && same_array(gsd, SD, c->nv),
       "%d %s partitions: edge_sum (of a given field, and of the partition's own edge_geometry output) = whole mesh, bitwise",
       nparts, how);
    ok(same_array(gt, T, 3 * c->nv) && same_array(gt0, T0, 3 * c->nv) && same_bits(sd_acc_sum(&acct), sd_acc_sum(&te)) &&
           same_bits(sd_acc_sum(&acct0), sd_acc_sum(&te0)),
       "%d %s partitions: tether gradient and energy (given rest lengths, and the partition's own edge_geometry "
       "lengths) = whole mesh, bitwise", nparts, how);
    free(owner), free(w), free(l0), free(x0), free(S), free(SD), free(MUL), free(T), free(T0);
    free(glen), free(gdih), free(gs), free(gsd), free(gt), free(gt0);
    geom_free(&G), geom_free(&G0);
}

int main(void)
{
    test_numbering();
    test_signs();
    /* a perturbed ellipsoid-like sphere with concave edges, and a perturbed icosphere */
    mesh_case p, s;
    case_sphere(&p, 3, 1.0, 0.35, 11);
    case_sphere(&s, 2, 1.0, 0.2, 12);
    test_reference("perturbed icosphere (level 3)", &p);
    test_reference("perturbed icosphere (level 2)", &s);
    test_fd(&s);
    test_spheres();
    static const int parts[4] = {1, 2, 3, 7};
    for (int i = 0; i < 4; i++) test_partitions(&p, parts[i], parts[i] != 3);
    test_partitions(&p, 3, 1);
    case_free(&p);
    case_free(&s);
    return tap_done();
}
