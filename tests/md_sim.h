/* md_sim.h - a single-block Lennard-Jones simulation driven by the md pack's kernels exactly as the
 * particles domain calls them: particles kept sorted by (cell, id) of the box grid, ghosts from the
 * library's ghost plan (periodic images of the whole box), full neighbour lists rebuilt every
 * `every` steps or as soon as a particle moved more than skin/2, velocity Verlet with an optional
 * Berendsen or Langevin thermostat. Shared by tests/t_md_trajectories.c (NVE drift, missed pairs,
 * thermostats) and bench/md/kernels.c (timings: t_build, t_force, t_other). */
#ifndef SD_TESTS_MD_SIM_H
#define SD_TESTS_MD_SIM_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "md/md_kernels.h"

static inline void *xmalloc(size_t b)
{
    void *p = malloc(b ? b : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return p;
}

/* Thread CPU time, seconds (robust to other load on the machine). */
static inline double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

enum { THERMO_NONE = 0, THERMO_BERENDSEN, THERMO_LANGEVIN };
typedef struct sim {
    int64_t n, cap, ng, ncell, nbrcap;
    double L[3], rc, skin, rl, dt;
    double *x, *v, *f, *x0, *tmp; /* x: home + ghost, sc = cap; v, f, x0, tmp: sc = n */
    int64_t *id, *own, *cell, *cs, *perm, *tmpi, *start;
    int32_t *type, *tmpt, *nbr;
    int8_t *sh;
    md_grid g, gb; /* box grid; the block's grid (box + ghost layer) */
    void *scr;
    size_t scrb;
    md_lj_table tab;
    double mass[MD_MAX_TYPES];
    int ntypes, every, thermo, nocheck; /* nocheck: rebuild every `every` steps only (LAMMPS "check no") */
    double T0, tau, gamma;
    uint64_t seed;
    int64_t step, nrebuild, nearly;   /* nearly: rebuilds the displacement check made early */
    int mixed;                        /* forces in mixed precision (sd_md_lj_force_mixed) */
    double t_build, t_force, t_other; /* cpu seconds in list builds, forces, the rest of the steps */
} sim;

/* The kernels' argument structs for the sim's one block (x: home + ghost, stride cap; v, f: stride n). */
static inline md_lj_lists sim_lists(const sim *s)
{
    return (md_lj_lists){.home_count = s->n, .ghost_count = s->ng, .position = s->x, .position_stride = s->cap,
                         .type = s->type, .pair_table = &s->tab, .list_start = s->start, .list = s->nbr};
}
static inline md_neighbor_args sim_neighbor_args(const sim *s)
{
    return (md_neighbor_args){.home_count = s->n, .ghost_count = s->ng, .position = s->x, .position_stride = s->cap,
                              .id = s->id, .list_radius = s->rl, .grid = &s->gb, .list_start = s->start,
                              .list = s->nbr, .list_capacity = s->nbrcap, .scratch = s->scr, .scratch_bytes = s->scrb};
}
static inline md_kick_args sim_kick_args(const sim *s, double dt)
{
    return (md_kick_args){.count = s->n, .type = s->type, .mass = s->mass, .type_count = s->ntypes, .dt = dt,
                          .force = s->f, .force_stride = s->n, .velocity = s->v, .velocity_stride = s->n};
}
static inline void sim_forces(sim *s)
{
    const md_lj_force_args a = {.lists = sim_lists(s), .force = s->f, .force_stride = s->n};
    (s->mixed ? sd_md_lj_force_mixed : sd_md_lj_force)(&a);
}
static inline void sim_kick(sim *s)
{
    const md_kick_args k = sim_kick_args(s, s->dt);
    sd_md_kick(&k);
}

/* Sort by cell, ghosts, lists (only the neighbour builds count into t_build). */
static inline void sim_rebuild(sim *s)
{
    const int64_t n = s->n;
    sd_md_wrap(n, s->L, s->x, s->cap);
    sd_md_bin(n, s->x, s->cap, &s->g, s->cell);
    sd_md_sort_by_cell(n, s->cell, s->id, s->ncell, s->cs, s->perm);
    /* permute home fields */
    sd_md_gather_f64(n, s->perm, 3, s->x, s->cap, s->tmp, n);
    for (int d = 0; d < 3; d++) memcpy(s->x + d * s->cap, s->tmp + d * n, sizeof(double) * (size_t)n);
    sd_md_gather_f64(n, s->perm, 3, s->v, n, s->tmp, n);
    memcpy(s->v, s->tmp, sizeof(double) * 3 * (size_t)n);
    sd_md_gather_f64(n, s->perm, 3, s->f, n, s->tmp, n);
    memcpy(s->f, s->tmp, sizeof(double) * 3 * (size_t)n);
    sd_md_gather_i64(n, s->perm, s->id, s->tmpi);
    memcpy(s->id, s->tmpi, 8 * (size_t)n);
    sd_md_gather_i32(n, s->perm, s->type, s->tmpt);
    memcpy(s->type, s->tmpt, 4 * (size_t)n);
    /* ghosts: the whole box is one block */
    const int64_t blo[3] = {0, 0, 0};
    s->ng = sd_md_ghost_plan(&s->g, s->cs, blo, s->g.nc, s->own, s->sh, s->cap - n);
    if (s->ng > s->cap - n) {
        fprintf(stderr, "ghost capacity\n");
        abort();
    }
    sd_md_ghost_fill(s->ng, s->own, s->sh, s->L, s->x, s->cap, s->x + n, s->cap);
    sd_md_gather_i64(s->ng, s->own, s->id, s->id + n);
    sd_md_gather_i32(s->ng, s->own, s->type, s->type + n);
    const size_t need = sd_md_neighbor_scratch_bytes(n + s->ng, s->x, s->cap, s->rl, &s->gb);
    if (need > s->scrb) {
        free(s->scr);
        s->scrb = need + need / 4;
        s->scr = xmalloc(s->scrb);
    }
    const double t0 = cpu_now();
    md_neighbor_args nb = sim_neighbor_args(s);
    int64_t tot = sd_md_neighbor_build(&nb);
    if (tot > s->nbrcap) {
        free(s->nbr);
        s->nbrcap = tot + tot / 4;
        s->nbr = xmalloc(4 * (size_t)s->nbrcap);
        nb = sim_neighbor_args(s);
        tot = sd_md_neighbor_build(&nb);
    }
    s->t_build += cpu_now() - t0;
    for (int d = 0; d < 3; d++) memcpy(s->x0 + d * n, s->x + d * s->cap, sizeof(double) * (size_t)n);
    s->nrebuild++;
}

/* fcc liquid start: ncell1^3 cells at rho, one type (mass 1, sigma = epsilon = 1, cut-off rc,
 * shifted or not), velocities at T (create with vseed + exact momentum removal and rescaling),
 * lists and forces. cap: home + ghost capacity (particles). */
static inline void sim_init(sim *s, int64_t ncell1, double rho, double T, double rc, double skin, double dt, int shift,
                            int every, int64_t cap, uint64_t vseed)
{
    memset(s, 0, sizeof *s);
    const int64_t nc[3] = {ncell1, ncell1, ncell1}, n = 4 * ncell1 * ncell1 * ncell1;
    const double a = sd_md_fcc_lattice_constant(rho);
    s->n = n, s->cap = cap, s->rc = rc, s->skin = skin, s->rl = rc + skin, s->dt = dt, s->every = every;
    for (int d = 0; d < 3; d++) s->L[d] = (double)ncell1 * a;
    s->x = xmalloc(sizeof(double) * 3 * (size_t)s->cap);
    s->v = xmalloc(sizeof(double) * 3 * (size_t)n);
    s->f = calloc(3 * (size_t)n, sizeof(double));
    s->x0 = xmalloc(sizeof(double) * 3 * (size_t)n);
    s->tmp = xmalloc(sizeof(double) * 3 * (size_t)n);
    s->id = xmalloc(8 * (size_t)s->cap);
    s->own = xmalloc(8 * (size_t)s->cap);
    s->sh = xmalloc(3 * (size_t)s->cap);
    s->cell = xmalloc(8 * (size_t)n);
    s->perm = xmalloc(8 * (size_t)n);
    s->tmpi = xmalloc(8 * (size_t)n);
    s->type = calloc((size_t)s->cap, sizeof(int32_t));
    s->tmpt = xmalloc(4 * (size_t)n);
    s->start = xmalloc(8 * (size_t)(n + 1));
    s->ntypes = 1, s->mass[0] = 1.0;
    md_lj_table_lb(&s->tab, 1, (const double[]){1.0}, (const double[]){1.0}, rc, shift);
    sd_md_grid_box(s->L, s->rl, &s->g);
    s->ncell = sd_md_grid_ncells(&s->g);
    sd_md_grid_block(&s->g, (const int64_t[3]){0, 0, 0}, s->g.nc, &s->gb);
    s->cs = xmalloc(8 * (size_t)(s->ncell + 1));
    sd_md_fcc(0, n, nc, a, s->x, s->cap, s->id);
    /* velocities (one block) */
    sd_md_velocity_create(&(md_velocity_create_args){.count = n, .id = s->id, .type = s->type, .mass = s->mass,
                                                     .type_count = 1, .temperature = T, .kB = 1.0, .seed = vseed,
                                                     .velocity = s->v, .velocity_stride = n});
    sd_acc P[3], M, K;
    for (int d = 0; d < 3; d++) sd_acc_init(&P[d]);
    sd_acc_init(&M), sd_acc_init(&K);
    sd_md_momentum(n, s->type, s->mass, 1, s->v, n, P, &M);
    double vcm[3];
    for (int d = 0; d < 3; d++) vcm[d] = sd_acc_sum(&P[d]) / sd_acc_sum(&M);
    sd_md_kinetic(n, s->type, s->mass, 1, s->v, n, vcm, &K);
    sd_md_velocity_adjust(n, vcm, md_rescale_lambda(md_temperature(sd_acc_sum(&K), 3.0 * n - 3, 1.0), T), s->v, n);
    sim_rebuild(s);
    sim_forces(s);
}

static inline void sim_free(sim *s)
{
    free(s->x), free(s->v), free(s->f), free(s->x0), free(s->tmp), free(s->id), free(s->own), free(s->sh);
    free(s->cell), free(s->perm), free(s->tmpi), free(s->type), free(s->tmpt), free(s->start), free(s->cs);
    free(s->nbr), free(s->scr);
}

static inline double sim_T(const sim *s)
{
    sd_acc K;
    sd_acc_init(&K);
    sd_md_kinetic(s->n, s->type, s->mass, s->ntypes, s->v, s->n, NULL, &K);
    return md_temperature(sd_acc_sum(&K), 3.0 * s->n - 3, 1.0);
}

/* One velocity-Verlet step; the lists are rebuilt when due or when the displacement check fires. */
static inline void sim_step(sim *s)
{
    const int64_t n = s->n;
    double t0 = cpu_now();
    sim_kick(s);
    sd_md_drift(n, s->dt, s->v, n, s->x, s->cap);
    s->step++;
    sd_acc D;
    sd_acc_init(&D);
    sd_md_max_disp2(n, s->x, s->cap, s->x0, n, &D);
    const int early = !s->nocheck && (D.nonfinite > 0 || !(D.maxv <= 0.25 * s->skin * s->skin));
    s->t_other += cpu_now() - t0;
    t0 = cpu_now();
    if (early || s->step % s->every == 0) {
        s->nearly += early && s->step % s->every != 0;
        const double tb = s->t_build;
        sim_rebuild(s);
        s->t_other -= s->t_build - tb;
    } else {
        sd_md_ghost_fill(s->ng, s->own, s->sh, s->L, s->x, s->cap, s->x + n, s->cap);
    }
    s->t_other += cpu_now() - t0;
    t0 = cpu_now();
    sim_forces(s);
    const double t1 = cpu_now();
    s->t_force += t1 - t0;
    sim_kick(s);
    if (s->thermo == THERMO_BERENDSEN)
        sd_md_velocity_adjust(n, NULL, md_berendsen_lambda(sim_T(s), s->T0, s->dt, s->tau), s->v, n);
    else if (s->thermo == THERMO_LANGEVIN)
        sd_md_langevin(&(md_langevin_args){.count = n, .id = s->id, .type = s->type, .mass = s->mass,
                                           .type_count = s->ntypes, .dt = s->dt, .friction = s->gamma,
                                           .temperature = s->T0, .kB = 1.0, .seed = s->seed, .step = s->step,
                                           .velocity = s->v, .velocity_stride = n});
    s->t_other += cpu_now() - t1;
}
#endif
