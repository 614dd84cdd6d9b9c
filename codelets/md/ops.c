/* ops.c - the md pack's glue: sd_tile_args of a particle block -> pure kernels (md_kernels.h).
 * No arithmetic here. Per-block ops see a->blk[0] (home particles, and for neighbour ops the
 * ghosts and lists); whole ops see every block. Field buffers have component stride a->sc[slot]. */
#include "config.h"
#include "md_ops.h"

#define PD(a) ((a)->pd)
#define TAB(a) ((const md_lj_table *)(a)->pd->pair)

/* The kernels' argument structs of a task (shared by the CPU and CUDA ops). */
static md_kick_args kick_args(const sd_tile_args *a) /* roles: f (slot 0), v (slot 1) */
{
    const sd_pblock *b = &a->blk[0];
    return (md_kick_args){.count = b->nh, .type = b->type, .mass = PD(a)->mass, .type_count = PD(a)->ntypes,
                          .dt = a->dt, .force = a->p[0], .force_stride = a->sc[0], .velocity = a->p[1],
                          .velocity_stride = a->sc[1]};
}

/* the block's particles (home + ghost) and lists */
static md_lj_lists lj_lists(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    return (md_lj_lists){.home_count = b->nh, .ghost_count = b->ng, .position = b->xv, .position_stride = b->xvsc,
                         .type = b->tv, .pair_table = TAB(a), .list_start = b->start, .list = b->nbr};
}

static md_lj_force_args lj_force_args(const sd_tile_args *a) /* roles: x (slot 0), f (slot 1) */
{
    return (md_lj_force_args){.lists = lj_lists(a), .force = a->p[1], .force_stride = a->sc[1]};
}

static md_lj_energy_virial_args lj_energy_virial_args(const sd_tile_args *a) /* partials 1 and 2 */
{
    return (md_lj_energy_virial_args){.lists = lj_lists(a), .energy = &a->acc[1], .virial = &a->acc[2]};
}

static md_langevin_args langevin_args(const sd_tile_args *a) /* roles: v (slot 0); params gamma, T, seed */
{
    const sd_pblock *b = &a->blk[0];
    return (md_langevin_args){.count = b->nh, .id = b->id, .type = b->type, .mass = PD(a)->mass,
                              .type_count = PD(a)->ntypes, .dt = a->dt, .friction = a->param[0],
                              .temperature = a->param[1], .kB = PD(a)->kB, .seed = (uint64_t)a->param[2],
                              .step = a->step, .velocity = a->p[0], .velocity_stride = a->sc[0]};
}

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
    sd_md_velocity_init(&(md_velocity_init_args){.block_count = a->nblk, .particle_count = n, .id = id, .type = type,
                                                 .velocity = v, .velocity_stride = a->sc[0], .mass = PD(a)->mass,
                                                 .type_count = PD(a)->ntypes, .temperature = a->param[0],
                                                 .kB = PD(a)->kB, .seed = (uint64_t)a->param[1]});
}

void sd_md_op_kick(const sd_tile_args *a)
{
    const md_kick_args k = kick_args(a);
    sd_md_kick(&k);
}

void sd_md_op_drift(const sd_tile_args *a)
{
    sd_md_drift(a->blk[0].nh, a->dt, a->p[0], a->sc[0], a->p[1], a->sc[1]);
}

void sd_md_op_lj_force(const sd_tile_args *a)
{
    const md_lj_force_args f = lj_force_args(a);
    (PD(a)->mixed ? sd_md_lj_force_mixed : sd_md_lj_force)(&f);
}

/* partials: kinetic energy, potential energy, virial */
void sd_md_op_thermo(const sd_tile_args *a)
{
    const sd_pblock *b = &a->blk[0];
    const md_lj_energy_virial_args ev = lj_energy_virial_args(a);
    sd_md_kinetic(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->p[1], a->sc[1], NULL, &a->acc[0]);
    (PD(a)->mixed ? sd_md_lj_energy_virial_mixed : sd_md_lj_energy_virial)(&ev);
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
    const md_langevin_args l = langevin_args(a);
    sd_md_langevin(&l);
}

#ifdef SD_HAVE_CUDA
/* CUDA: the same kernels' _cuda twins on device pointers (pd's mass and pair table are host data,
 * passed by value into the launches). */
void sd_md_op_kick_cuda(const sd_tile_args *a, void *stream)
{
    const md_kick_args k = kick_args(a);
    sd_md_kick_cuda(&k, stream);
}

void sd_md_op_drift_cuda(const sd_tile_args *a, void *stream)
{
    sd_md_drift_cuda(a->blk[0].nh, a->dt, a->p[0], a->sc[0], a->p[1], a->sc[1], stream);
}

void sd_md_op_lj_force_cuda(const sd_tile_args *a, void *stream)
{
    const md_lj_force_args f = lj_force_args(a);
    (PD(a)->mixed ? sd_md_lj_force_mixed_cuda : sd_md_lj_force_cuda)(&f, stream);
}

void sd_md_op_thermo_cuda(const sd_tile_args *a, void *stream)
{
    const sd_pblock *b = &a->blk[0];
    const md_lj_energy_virial_args ev = lj_energy_virial_args(a);
    sd_md_kinetic_cuda(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->p[1], a->sc[1], NULL, &a->acc[0], stream);
    (PD(a)->mixed ? sd_md_lj_energy_virial_mixed_cuda : sd_md_lj_energy_virial_cuda)(&ev, stream);
}

void sd_md_op_temperature_cuda(const sd_tile_args *a, void *stream)
{
    const sd_pblock *b = &a->blk[0];
    sd_md_kinetic_cuda(b->nh, b->type, PD(a)->mass, PD(a)->ntypes, a->p[0], a->sc[0], NULL, &a->acc[0], stream);
}

void sd_md_op_langevin_cuda(const sd_tile_args *a, void *stream)
{
    const md_langevin_args l = langevin_args(a);
    sd_md_langevin_cuda(&l, stream);
}
#endif
