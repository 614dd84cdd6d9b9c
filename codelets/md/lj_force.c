/* lj_force.c - Lennard-Jones forces on a block's home particles from full neighbour lists
 * (neighbor.c), and the energy/virial reduction of thermo steps, in double precision (the default
 * path). Math: md_lj_fr, md_lj_energy_virial (md_math.h); the loops and their sum order:
 * lj_pair_loops.h, with 8 lanes (MD_LANES). One copy per SIMD variant, picked at run time
 * (stardag/simd.h); every variant gives the same bits. */
#include "stardag/simd.h"
#include "md_kernels.h"

#define LJ_REAL double
#define LJ_LANES MD_LANES
#define LJ_BITS int64_t
#define LJ_BITS_MAX INT64_MAX
#define LJ_FR md_lj_fr
#define LJ_EV md_lj_energy_virial
#define LJ_TABLE md_lj_table
#define LJ_FN(x) x##_f64
#include "lj_pair_loops.h"

_Static_assert(MD_LANES == 8, "md_kernels.h documents the force sum for 8 lanes");

static inline __attribute__((always_inline)) pts_f64 lists_pts(const md_lj_lists *l)
{
    const int64_t sc = l->position_stride;
    return (pts_f64){.x = l->position, .y = l->position + sc, .z = l->position + 2 * sc, .type = l->type};
}

static inline __attribute__((always_inline)) void lj_force_body(const md_lj_force_args *a)
{
    const md_lj_lists *l = &a->lists;
    const pts_f64 p = lists_pts(l);
    if (l->pair_table->ntypes == 1) /* literal 1/0: each call is specialised (one type: no type gathers) */
        force_rows_f64(1, l->home_count, p, l->pair_table, l->list_start, l->list, a->force, a->force_stride);
    else
        force_rows_f64(0, l->home_count, p, l->pair_table, l->list_start, l->list, a->force, a->force_stride);
}

static inline __attribute__((always_inline)) void energy_virial_body(const md_lj_energy_virial_args *a)
{
    const md_lj_lists *l = &a->lists;
    const pts_f64 p = lists_pts(l);
    if (l->pair_table->ntypes == 1)
        ev_rows_f64(1, l->home_count, p, l->pair_table, l->list_start, l->list, a->energy, a->virial);
    else
        ev_rows_f64(0, l->home_count, p, l->pair_table, l->list_start, l->list, a->energy, a->virial);
}

/* one copy of each per SIMD variant (md_kernels.h) */
SD_ISA_EACH(SD_ISA_WRAP_VOID, lj_force, lj_force_body, (const md_lj_force_args *a), (a))
SD_ISA_EACH(SD_ISA_WRAP_VOID, energy_virial, energy_virial_body, (const md_lj_energy_virial_args *a), (a))

void sd_md_lj_force(const md_lj_force_args *a) { SD_ISA_PICK(lj_force)(a); }

void sd_md_lj_energy_virial(const md_lj_energy_virial_args *a) { SD_ISA_PICK(energy_virial)(a); }
