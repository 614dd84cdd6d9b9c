/* ops.c - the md pack's glue: sd_tile_args of a particle block -> pure kernels (md_kernels.h).
 * No arithmetic here. Per-block ops see a->blk[0] (home particles, and for neighbour ops the
 * ghosts and lists); whole ops see every block. Field buffers have component stride a->sc[slot]. */
#include "config.h"
#include "md_ops.h"

#define PD(a) ((a)->pd)
#define TAB(a) ((const md_lj_table *)(a)->pd->pair)

void sd_md_op_fcc_lattice(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    const int64_t nc[3] = {(int64_t)a->param[0], (int64_t)a->param[1], (int64_t)a->param[2]};
    sd_md_fcc_ids(b->nh, b->id, nc, PD(a)->box[0] / a->param[0], a->p[0], a->sc[0]);
}

void sd_md_op_velocity_create(const sd_tile_args *a)
{
    int64_t n[SD_MD_MAX_BLOCKS];
    const int64_t *id[SD_MD_MAX_BLOCKS];
    const int32_t *type[SD_MD_MAX_BLOCKS];
    double *v[SD_MD_MAX_BLOCKS];
    for (int k = 0; k < a->nblk; k++) {
        n[k] = a->blk[k].nh;
        id[k] = a->blk[k].id;
        type[k] = a->blk[k].type;
        v[k] = a->blk[k].p[0];
    }
    sd_md_velocity_init(a->nblk, n, id, type, v, a->sc[0], PD(a)->mass, PD(a)->ntypes, a->param[0], PD(a)->kB,
                        (uint64_t)a->param[1]);
}

void sd_md_op_kick(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_kick(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->dt, a->p[0], a->sc[0], a->p[1], a->sc[1]);
}

void sd_md_op_drift(const sd_tile_args *a)
{
    sd_md_drift(a->blk[0].nh, a->dt, a->p[0], a->sc[0], a->p[1], a->sc[1]);
}

void sd_md_op_lj_force(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_lj_force(b->nh, b->xv, b->xvsc, b->tv, TAB(a), b->start, b->nbr, a->p[1], a->sc[1]);
}

/* partials: kinetic energy, potential energy, virial */
void sd_md_op_thermo(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_kinetic(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->p[1], a->sc[1], NULL, &a->acc[0]);
    sd_md_lj_energy_virial(b->nh, b->xv, b->xvsc, b->tv, TAB(a), b->start, b->nbr, &a->acc[1], &a->acc[2]);
}

void sd_md_finish_thermo(const double *sums, const sd_check_info *info, double *out)
{
    sd_md_thermo(sums[0], sums[1], sums[2], info->count, info->box[0] * info->box[1] * info->box[2], info->kB,
                 info->param[0] != 0, out);
}

void sd_md_op_temperature(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_kinetic(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->p[0], a->sc[0], NULL, &a->acc[0]);
}

void sd_md_finish_temperature(const double *sums, const sd_check_info *info, double *out)
{
    double t[5];
    sd_md_thermo(sums[0], 0.0, 0.0, info->count, info->box[0] * info->box[1] * info->box[2], info->kB, 0, t);
    out[0] = t[0];
}

void sd_md_op_berendsen(const sd_tile_args *a)
{
    /* roles: temp (scalar read, slot 0), v (slot 1) */
    sd_md_berendsen(a->blk[0].nh, *(const double *)a->p[0], a->param[0], a->dt, a->param[1], a->p[1], a->sc[1]);
}

void sd_md_op_langevin(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_langevin(b->nh, b->id, b->type, PD(a)->mass, PD(a)->ntypes, a->dt, a->param[0], a->param[1], PD(a)->kB,
                   (uint64_t)a->param[2], a->step, a->p[0], a->sc[0]);
}

#ifdef SD_HAVE_CUDA
/* CUDA: the same kernels' _cuda twins on device pointers (pd's mass and pair table are host data,
 * passed by value into the launches). */
void sd_md_op_kick_cuda(const sd_tile_args *a, void *stream)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_kick_cuda(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->dt, a->p[0], a->sc[0], a->p[1], a->sc[1], stream);
}

void sd_md_op_drift_cuda(const sd_tile_args *a, void *stream)
{
    sd_md_drift_cuda(a->blk[0].nh, a->dt, a->p[0], a->sc[0], a->p[1], a->sc[1], stream);
}

void sd_md_op_lj_force_cuda(const sd_tile_args *a, void *stream)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_lj_force_cuda(b->nh, b->xv, b->xvsc, b->tv, TAB(a), b->start, b->nbr, a->p[1], a->sc[1], stream);
}

void sd_md_op_thermo_cuda(const sd_tile_args *a, void *stream)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_kinetic_cuda(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->p[1], a->sc[1], NULL, &a->acc[0], stream);
    sd_md_lj_energy_virial_cuda(b->nh, b->xv, b->xvsc, b->tv, TAB(a), b->start, b->nbr, &a->acc[1], &a->acc[2], stream);
}

void sd_md_op_temperature_cuda(const sd_tile_args *a, void *stream)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_kinetic_cuda(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->p[0], a->sc[0], NULL, &a->acc[0], stream);
}

void sd_md_op_langevin_cuda(const sd_tile_args *a, void *stream)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_langevin_cuda(b->nh, b->id, b->type, PD(a)->mass, PD(a)->ntypes, a->dt, a->param[0], a->param[1], PD(a)->kB,
                        (uint64_t)a->param[2], a->step, a->p[0], a->sc[0], stream);
}
#endif
