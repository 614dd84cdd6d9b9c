/* particles_export.c - ghost exports (particles.h): which cells of a block the neighbour bricks on
 * other ranks hold as ghosts, where each of its particles in those cells sits in its export
 * buffers, and the copy into them. Plain C, no StarPU.
 * Why: StarPU-MPI moves whole buffers, so a ghost refresh that read a neighbour's position buffer
 * would move all of it every step. The exported cells are fixed by the geometry; their particles
 * lie in runs given by the cell starts of the last rebuild, so the copy is a memcpy per cell, and
 * a neighbour's ghost plan indexes the export buffers: the same values, so the same bits. */
#include <stdlib.h>
#include <string.h>
#include "particles.h"

int sd_pgeom_set_ranks(sd_pgeom *pg, const int *rank)
{
    const int nb = pg->nb;
    pg->rank = malloc(sizeof *pg->rank * (size_t)nb);
    pg->ecell = calloc(nb, sizeof *pg->ecell);
    pg->necell = calloc(nb, sizeof *pg->necell);
    pg->cap_e = calloc(nb, sizeof *pg->cap_e);
    if (!pg->rank || !pg->ecell || !pg->necell || !pg->cap_e) return -1;
    memcpy(pg->rank, rank, sizeof *pg->rank * (size_t)nb);
    for (int b = 0; b < nb; b++) {
        if (!(pg->ecell[b] = malloc(sizeof(int64_t) * (size_t)pg->cap_c))) return -1;
        pg->necell[b] = sd_pgeom_cells_next_to(pg, b, pg->rank, pg->ecell[b]);
        if (pg->necell[b] == 0) continue;
        pg->cap_e[b] = sd_pgeom_room(pg, pg->necell[b]);
    }
    return 0;
}

int64_t sd_pexport_starts(const sd_pgeom *pg, int b, int64_t *cs)
{
    int64_t *es = sd_pcs_export(pg, cs), n = 0;
    for (int64_t l = 0; l < pg->cap_c; l++) es[l] = -1;
    for (int64_t i = 0; pg->necell && i < pg->necell[b]; i++) {
        const int64_t l = pg->ecell[b][i];
        es[l] = n;
        n += cs[l + 1] - cs[l];
    }
    return n;
}

void sd_pexport_pack(const sd_pgeom *pg, int b, const sd_pexport *ex)
{
    const int64_t *cs = ex->cs, *es = sd_pcs_export_c(pg, cs), ch = pg->cap_h, ce = pg->cap_e[b];
    for (int64_t i = 0; i < pg->necell[b]; i++) {
        const int64_t l = pg->ecell[b][i], from = cs[l], n = cs[l + 1] - cs[l], to = es[l];
        /* only a failed rebuild (the run is stopping) leaves starts that do not fit: copy nothing */
        if (from < 0 || n <= 0 || to < 0 || from + n > ch || to + n > ce) continue;
        for (int c = 0; c < 3; c++)
            memcpy(ex->x_out + c * ce + to, ex->x + c * ch + from, sizeof(double) * (size_t)n);
        if (!ex->id_out) continue;
        memcpy(ex->id_out + to, ex->id + from, sizeof(int64_t) * (size_t)n);
        memcpy(ex->type_out + to, ex->type + from, sizeof(int32_t) * (size_t)n);
    }
}
