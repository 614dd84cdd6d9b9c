/* cells.c - cell grids and the stable (cell, id) sort of particles: the rebuild op of the
 * particles domain bins particles into the periodic box's cells and permutes every per-particle
 * field with the resulting order; the neighbour search (neighbor.c) uses the same functions on a
 * grid over the block's bounding box. No allocation: callers pass every array. */
#include <math.h>
#include "md_kernels.h"

/* nc cells of width >= rmin over an extent (at least one cell). */
static int64_t ncells_for(double extent, double rmin)
{
    const double q = floor(extent / (rmin * (1.0 + MD_CELL_MARGIN)));
    return q < 1.0 ? 1 : (int64_t)q;
}

void sd_md_grid_box(const double L[3], double rmin, md_grid *g)
{
    for (int d = 0; d < 3; d++) {
        g->lo[d] = 0.0;
        g->nc[d] = ncells_for(L[d], rmin);
        g->ih[d] = (double)g->nc[d] / L[d];
    }
}

void sd_md_grid_bbox(int64_t n, const double *x, int64_t sc, double rmin, md_grid *g)
{
    for (int d = 0; d < 3; d++) {
        const double *restrict p = x + d * sc;
        double lo = n ? p[0] : 0.0, hi = lo;
        for (int64_t i = 0; i < n; i++) {
            lo = p[i] < lo ? p[i] : lo;
            hi = p[i] > hi ? p[i] : hi;
        }
        const int64_t nc = ncells_for(hi - lo, rmin);
        g->lo[d] = lo;
        g->nc[d] = nc;
        /* width (hi-lo)/nc >= rmin(1+margin); one cell when the extent is 0 */
        g->ih[d] = hi > lo ? (double)nc / (hi - lo) : 0.0;
    }
}

void sd_md_bin(int64_t n, const double *x, int64_t sc, const md_grid *g, int64_t *cell)
{
    const double *restrict px = x, *restrict py = x + sc, *restrict pz = x + 2 * sc;
    for (int64_t i = 0; i < n; i++) cell[i] = md_cell_index(g, px[i], py[i], pz[i]);
}

void sd_md_sort_by_cell(int64_t n, const int64_t *cell, const int64_t *id, int64_t ncell,
                        int64_t *cell_start, int64_t *perm)
{
    for (int64_t c = 0; c <= ncell; c++) cell_start[c] = 0;
    for (int64_t i = 0; i < n; i++) cell_start[cell[i] + 1]++;
    for (int64_t c = 0; c < ncell; c++) cell_start[c + 1] += cell_start[c];
    /* place, using cell_start[c] as the fill pointer of cell c, then shift back */
    for (int64_t i = 0; i < n; i++) perm[cell_start[cell[i]]++] = i;
    for (int64_t c = ncell; c > 0; c--) cell_start[c] = cell_start[c - 1];
    cell_start[0] = 0;
    /* within each cell: by id (insertion sort; cells hold a few dozen particles) */
    for (int64_t c = 0; c < ncell; c++)
        for (int64_t r = cell_start[c] + 1; r < cell_start[c + 1]; r++) {
            const int64_t p = perm[r], key = id[p];
            int64_t s = r - 1;
            while (s >= cell_start[c] && id[perm[s]] > key) {
                perm[s + 1] = perm[s];
                s--;
            }
            perm[s + 1] = p;
        }
}

void sd_md_gather_f64(int64_t n, const int64_t *perm, int ncomp, const double *src, int64_t ssc,
                      double *dst, int64_t dsc)
{
    for (int c = 0; c < ncomp; c++) {
        const double *restrict s = src + c * ssc;
        double *restrict d = dst + c * dsc;
        for (int64_t r = 0; r < n; r++) d[r] = s[perm[r]];
    }
}

void sd_md_gather_i64(int64_t n, const int64_t *perm, const int64_t *src, int64_t *dst)
{
    for (int64_t r = 0; r < n; r++) dst[r] = src[perm[r]];
}

void sd_md_gather_i32(int64_t n, const int64_t *perm, const int32_t *src, int32_t *dst)
{
    for (int64_t r = 0; r < n; r++) dst[r] = src[perm[r]];
}

int64_t sd_md_ghost_plan(const md_grid *g, const int64_t *cell_start, const int64_t blo[3], const int64_t bhi[3],
                         int64_t *owner, int8_t *shift, int64_t cap)
{
    int64_t ng = 0;
    for (int64_t z = blo[2] - 1; z <= bhi[2]; z++)
        for (int64_t y = blo[1] - 1; y <= bhi[1]; y++)
            for (int64_t x = blo[0] - 1; x <= bhi[0]; x++) {
                const int64_t c[3] = {x, y, z};
                int inside = 1, s[3];
                int64_t w[3];
                for (int d = 0; d < 3; d++) {
                    inside &= c[d] >= blo[d] && c[d] < bhi[d];
                    s[d] = c[d] < 0 ? -1 : (c[d] >= g->nc[d] ? 1 : 0);
                    w[d] = c[d] - (int64_t)s[d] * g->nc[d];
                }
                if (inside) continue;
                const int64_t cell = w[0] + g->nc[0] * (w[1] + g->nc[1] * w[2]);
                for (int64_t r = cell_start[cell]; r < cell_start[cell + 1]; r++, ng++)
                    if (ng < cap) {
                        owner[ng] = r;
                        for (int d = 0; d < 3; d++) shift[3 * ng + d] = (int8_t)s[d];
                    }
            }
    return ng;
}

void sd_md_ghost_fill(int64_t ng, const int64_t *owner, const int8_t *shift, const double L[3],
                      const double *src, int64_t ssc, double *dst, int64_t dsc)
{
    for (int d = 0; d < 3; d++) {
        const double *restrict s = src + d * ssc;
        double *restrict o = dst + d * dsc;
        const double Ld = L[d];
        for (int64_t g = 0; g < ng; g++) o[g] = md_image(s[owner[g]], shift[3 * g + d], Ld);
    }
}

void sd_md_grid_block(const md_grid *box, const int64_t blo[3], const int64_t bhi[3], md_grid *g)
{
    for (int d = 0; d < 3; d++) {
        g->nc[d] = bhi[d] - blo[d] + 2;
        g->ih[d] = box->ih[d];
        g->lo[d] = box->lo[d] + (double)(blo[d] - 1) / box->ih[d];
    }
}

void sd_md_ghost_fill_slots(int64_t ng, const md_ghost *plan, const double L[3], const double *const *src,
                            const int64_t *ssc, double *dst, int64_t dsc)
{
    for (int d = 0; d < 3; d++) {
        double *restrict o = dst + d * dsc;
        const double Ld = L[d];
        for (int64_t g = 0; g < ng; g++) {
            const int j = plan[g].slot;
            o[g] = md_image(src[j][plan[g].own + d * ssc[j]], plan[g].s[d], Ld);
        }
    }
}

void sd_md_ghost_gather_slots(int64_t ng, const md_ghost *plan, const int64_t *const *sid, const int32_t *const *stype,
                              int64_t *did, int32_t *dtype)
{
    for (int64_t g = 0; g < ng; g++) {
        did[g] = sid[plan[g].slot][plan[g].own];
        dtype[g] = stype[plan[g].slot][plan[g].own];
    }
}
