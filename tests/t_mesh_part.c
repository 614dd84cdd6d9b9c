/* t_mesh_part.c - mesh partitions (runtime/dm/mesh_part.c, mesh_part_edges.c): ownership, ghost
 * rings, local faces, corner lists, ghost sources and edge tables checked against the whole mesh by
 * brute force; scatter-adds done partition by partition in corner (edge-list) order are bitwise the
 * one-partition result for 1 to 7 parts. */
#include <stdlib.h>
#include <string.h>
#include "mesh_file.h"
#include "dm/mesh_part.h" /* runtime/dm (tests/mesh_part.h is the kernels tests' view) */
#include "tap.h"

/* Is global vertex u a corner of global face f? */
static int has(const int64_t *tri, int64_t f, int64_t u) { return tri[3 * f] == u || tri[3 * f + 1] == u || tri[3 * f + 2] == u; }

static int64_t find(const int64_t *a, int64_t n, int64_t x)
{
    for (int64_t i = 0; i < n; i++)
        if (a[i] == x) return i;
    return -1;
}

/* Everything a partition promises, by brute force over the whole mesh. */
static int check_part(const sd_mesh *M, const sd_mparts *P, int p, char *why, size_t len)
{
    const sd_mlocal *m = &P->part[p];
    for (int64_t i = 0; i < m->nv_own; i++)
        if (P->owner[m->vid[i]] != p) return snprintf(why, len, "owned vertex %lld has owner %d", (long long)m->vid[i], P->owner[m->vid[i]]), 0;
    for (int64_t i = m->nv_own; i < m->nv; i++)
        if (P->owner[m->vid[i]] == p) return snprintf(why, len, "ghost %lld is owned here", (long long)m->vid[i]), 0;
    /* every face touching an owned or ring-1 vertex is local, with local corners; ring 1 and 2 are exactly the
     * vertices of those faces */
    for (int64_t f = 0; f < M->nf; f++) {
        int touch = 0;
        for (int k = 0; k < 3; k++) {
            const int64_t li = find(m->vid, m->nv, M->tri[3 * f + k]);
            touch |= li >= 0 && li < m->nv_ring1;
        }
        const int64_t lf = find(m->fid, m->nf, f);
        if (touch != (lf >= 0)) return snprintf(why, len, "face %lld local %d touching %d", (long long)f, lf >= 0, touch), 0;
        if (lf < 0) continue;
        for (int k = 0; k < 3; k++)
            if (m->vid[m->tri[3 * lf + k]] != M->tri[3 * f + k]) return snprintf(why, len, "face %lld corner %d", (long long)f, k), 0;
        int64_t lo = M->tri[3 * f];
        for (int k = 1; k < 3; k++) lo = M->tri[3 * f + k] < lo ? M->tri[3 * f + k] : lo;
        if ((P->owner[lo] == p) != (lf < m->nf_own)) return snprintf(why, len, "face %lld ownership", (long long)f), 0;
    }
    /* corner lists: all faces of the vertex, increasing global face id */
    for (int64_t v = 0; v < m->nv_ring1; v++) {
        int64_t n = 0, prev = -1;
        for (int64_t c = m->cstart[v]; c < m->cstart[v + 1]; c++) {
            const int64_t lf = m->corner[c] / 3, k = m->corner[c] % 3;
            if (m->tri[3 * lf + k] != v || m->fid[lf] <= prev) return snprintf(why, len, "corner list of %lld", (long long)m->vid[v]), 0;
            prev = m->fid[lf];
            n++;
        }
        int64_t want = 0;
        for (int64_t f = 0; f < M->nf; f++) want += has(M->tri, f, m->vid[v]);
        if (n != want) return snprintf(why, len, "vertex %lld has %lld corners, %lld faces", (long long)m->vid[v], (long long)n, (long long)want), 0;
    }
    /* each ghost's source holds it in its export list */
    for (int64_t g = 0; g < m->nv - m->nv_own; g++) {
        const sd_mlocal *q = &P->part[m->src_part[g]];
        if (m->src_index[g] < 0 || m->src_index[g] >= q->nexport || q->vid[q->exports[m->src_index[g]]] != m->vid[m->nv_own + g])
            return snprintf(why, len, "ghost %lld's source", (long long)m->vid[m->nv_own + g]), 0;
    }
    return 1;
}

/* The global edges (sd_mesh_edges): each face side once, ordered by (lower, higher), and nothing else. */
static int check_global_edges(const sd_mesh *M, int64_t ne, const int64_t *edge, char *why, size_t len)
{
    if (ne != 3 * M->nf / 2) return snprintf(why, len, "%lld edges for %lld faces", (long long)ne, (long long)M->nf), 0;
    for (int64_t e = 0; e < ne; e++) {
        if (edge[2 * e] >= edge[2 * e + 1]) return snprintf(why, len, "edge %lld not lower first", (long long)e), 0;
        if (e && (edge[2 * e - 2] > edge[2 * e] || (edge[2 * e - 2] == edge[2 * e] && edge[2 * e - 1] >= edge[2 * e + 1])))
            return snprintf(why, len, "edge %lld out of order or repeated", (long long)e), 0;
        int faces = 0;
        for (int64_t f = 0; f < M->nf; f++) faces += has(M->tri, f, edge[2 * e]) && has(M->tri, f, edge[2 * e + 1]);
        if (faces != 2) return snprintf(why, len, "edge %lld has %d faces", (long long)e, faces), 0;
    }
    return 1;
}

/* A partition's edge tables (sd_mpart in stardag/kernel.h), by brute force. */
static int check_edges(const sd_mparts *P, int p, int64_t ne, const int64_t *edge, char *why, size_t len)
{
    const sd_mlocal *m = &P->part[p];
    int64_t want = 0;
    for (int64_t e = 0; e < ne; e++) { /* local: an end among the owned and ring-1 vertices */
        const int64_t a = find(m->vid, m->nv_ring1, edge[2 * e]), b = find(m->vid, m->nv_ring1, edge[2 * e + 1]);
        const int64_t le = find(m->eid, m->ne, e);
        if ((a >= 0 || b >= 0) != (le >= 0)) return snprintf(why, len, "edge %lld local %d", (long long)e, le >= 0), 0;
        if (le < 0) continue;
        want++;
        if ((P->owner[edge[2 * e]] == p) != (le < m->ne_own)) return snprintf(why, len, "edge %lld ownership", (long long)e), 0;
        if (m->vid[m->edge[2 * le]] != edge[2 * e] || m->vid[m->edge[2 * le + 1]] != edge[2 * e + 1])
            return snprintf(why, len, "edge %lld ends", (long long)e), 0;
        for (int s = 0; s < 2; s++) { /* side 0: the face running lower -> higher */
            const int32_t lf = m->eface[2 * le + s];
            if (lf < 0 || lf >= m->nf) return snprintf(why, len, "edge %lld side %d has no local face", (long long)e, s), 0;
            int k = 0;
            while (k < 3 && m->vid[m->tri[3 * lf + k]] != edge[2 * e + s]) k++;
            if (k == 3 || m->vid[m->tri[3 * lf + (k + 1) % 3]] != edge[2 * e + 1 - s] || m->fedge[3 * lf + k] != le)
                return snprintf(why, len, "edge %lld side %d face or fedge", (long long)e, s), 0;
        }
    }
    if (want != m->ne) return snprintf(why, len, "%lld local edges, %lld expected", (long long)m->ne, (long long)want), 0;
    for (int64_t i = 1; i < m->ne; i++)
        if (i != m->ne_own && m->eid[i] <= m->eid[i - 1]) return snprintf(why, len, "local edges not by id"), 0;
    for (int64_t f = 0; f < m->nf; f++) /* fedge: the edge of each side, -1 only between ring-2 vertices */
        for (int k = 0; k < 3; k++) {
            const int32_t a = m->tri[3 * f + k], b = m->tri[3 * f + (k + 1) % 3], le = m->fedge[3 * f + k];
            if (le < 0 ? a < m->nv_ring1 || b < m->nv_ring1
                       : !((m->edge[2 * le] == a && m->edge[2 * le + 1] == b) || (m->edge[2 * le] == b && m->edge[2 * le + 1] == a)))
                return snprintf(why, len, "fedge of face %lld side %d", (long long)m->fid[f], k), 0;
        }
    for (int64_t v = 0; v < m->nv_ring1; v++) { /* every edge at v, by increasing global id */
        int64_t n = 0, prev = -1;
        for (int64_t j = m->estart[v]; j < m->estart[v + 1]; j++, n++) {
            const int32_t le = m->vedge[j];
            if (le < 0 || le >= m->ne || (m->edge[2 * le] != v && m->edge[2 * le + 1] != v) || m->eid[le] <= prev)
                return snprintf(why, len, "edge list of vertex %lld", (long long)m->vid[v]), 0;
            prev = m->eid[le];
        }
        int64_t deg = 0;
        for (int64_t e = 0; e < ne; e++) deg += edge[2 * e] == m->vid[v] || edge[2 * e + 1] == m->vid[v];
        if (n != deg) return snprintf(why, len, "vertex %lld lists %lld of its %lld edges", (long long)m->vid[v], (long long)n, (long long)deg), 0;
    }
    return 1;
}

/* Per-edge values summed at each owned vertex in edge-list order (an edge field's scatter). */
static void scatter_edges(const sd_mesh *M, const sd_mlocal *m, double *out)
{
    for (int64_t v = 0; v < m->nv_own; v++) {
        double s = 0;
        for (int64_t j = m->estart[v]; j < m->estart[v + 1]; j++) {
            const int32_t e = m->vedge[j];
            const double *a = M->x + 3 * m->vid[m->edge[2 * e]], *b = M->x + 3 * m->vid[m->edge[2 * e + 1]];
            s += (a[0] - b[0]) * 0.3 + a[1] * b[2] / 7.0;
        }
        out[m->vid[v]] = s;
    }
}

/* Per-face values (a function of the face's corners only) summed at each owned vertex in corner order. */
static void scatter(const sd_mesh *M, const sd_mlocal *m, double *out)
{
    double *fv = malloc(sizeof *fv * (size_t)(3 * m->nf + 1));
    for (int64_t f = 0; f < m->nf; f++)
        for (int k = 0; k < 3; k++) {
            const double *a = M->x + 3 * m->vid[m->tri[3 * f + k]], *b = M->x + 3 * m->vid[m->tri[3 * f + (k + 1) % 3]];
            fv[3 * f + k] = (a[0] - b[0]) * 0.1 + (a[1] * b[2] - a[2] * b[1]) / 3.0;
        }
    for (int64_t v = 0; v < m->nv_own; v++) {
        double s = 0;
        for (int64_t c = m->cstart[v]; c < m->cstart[v + 1]; c++) s += fv[m->corner[c]];
        out[m->vid[v]] = s;
    }
    free(fv);
}

int main(void)
{
    sd_mesh M = {0};
    char err[512];
    const double axes[3] = {1.3, 1.0, 0.7};
    if (sd_mesh_ellipsoid(3, axes, &M, err, sizeof err) < 0) {
        ok(0, "ellipsoid: %s", err);
        return tap_done();
    }
    double *ref = calloc((size_t)M.nv, sizeof *ref), *got = calloc((size_t)M.nv, sizeof *got);
    double *eref = calloc((size_t)M.nv, sizeof *eref), *egot = calloc((size_t)M.nv, sizeof *egot);
    int64_t ne = 0, *edge = NULL;
    char why0[256] = "";
    const int listed = sd_mesh_edges(M.nv, M.nf, M.tri, &ne, &edge, err, sizeof err) == 0;
    ok(listed && check_global_edges(&M, ne, edge, why0, sizeof why0), "sd_mesh_edges: %lld edges, each side of a face once, ordered by (lower, higher) %s", (long long)ne, why0);
    for (int n = 1; n <= 7; n++) {
        sd_mparts P;
        if (!ok(sd_mparts_make(M.nv, M.nf, M.x, M.tri, n, &P, err, sizeof err) == 0, "%d partitions made", n)) continue;
        int64_t owned = 0, okparts = 1;
        char why[256] = "";
        for (int p = 0; p < n; p++) {
            owned += P.part[p].nv_own;
            okparts &= check_part(&M, &P, p, why, sizeof why);
        }
        ok(owned == M.nv, "%d partitions: every vertex owned once (%lld of %lld)", n, (long long)owned, (long long)M.nv);
        ok(okparts, "%d partitions: rings, local faces, corner lists and ghost sources %s", n, why);
        /* compact patches: each of n patches of nv/n vertices has a perimeter of about sqrt(4 pi nv/n) edge
         * lengths, crossed by about 2 edges per length, each cut edge shared by two patches; a random cut
         * would cut most of the 3 nf/2 edges */
        const double compact = n * sqrt(4 * M_PI * (double)M.nv / n);
        ok(n == 1 ? P.cut_edges == 0 : P.cut_edges > 0 && P.cut_edges <= 2 * compact,
           "%d partitions: %lld cut edges of %lld (compact patches: about %.0f)", n, (long long)P.cut_edges,
           (long long)(3 * M.nf / 2), compact);
        for (int p = 0; p < n; p++) scatter(&M, &P.part[p], n == 1 ? ref : got);
        if (n > 1) ok(!memcmp(ref, got, sizeof *ref * (size_t)M.nv), "%d partitions: scatter-add bitwise the 1-partition sums", n);
        if (ok(sd_mparts_edges(&P, M.nv, ne, edge, err, sizeof err) == 0 && P.ne_global == ne, "%d partitions: edges listed", n)) {
            int64_t eowned = 0, okedges = 1;
            for (int p = 0; p < n; p++) {
                eowned += P.part[p].ne_own;
                okedges &= check_edges(&P, p, ne, edge, why, sizeof why);
            }
            ok(eowned == ne, "%d partitions: every edge owned once (%lld of %lld)", n, (long long)eowned, (long long)ne);
            ok(okedges, "%d partitions: local edges, their faces, face edges and vertex edge lists %s", n, why);
            for (int p = 0; p < n; p++) scatter_edges(&M, &P.part[p], n == 1 ? eref : egot);
            if (n > 1) ok(!memcmp(eref, egot, sizeof *eref * (size_t)M.nv), "%d partitions: edge scatter bitwise the 1-partition sums", n);
        }
        sd_mparts_free(&P);
    }
    sd_mparts P;
    ok(sd_mparts_make(M.nv, M.nf, M.x, M.tri, (int)M.nv + 1, &P, err, sizeof err) < 0 && strstr(err, "partitions"),
       "more partitions than vertices refused: %s", err);
    ok(sd_mparts_auto(10242, 2) == 2 && sd_mparts_auto(655362, 16) == 32 && sd_mparts_auto(100, 8) == 1,
       "automatic partition counts");
    free(ref);
    free(got);
    free(eref);
    free(egot);
    free(edge);
    sd_mesh_free(&M);
    return tap_done();
}
