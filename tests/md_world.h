/* md_world.h - what tests/t_md_kernels.c and tests/t_md_trajectories.c share: a system of particles
 * (SoA, id = index, types, a pair table from Lorentz-Berthelot mixing or explicit), plain O(N^2)
 * minimum-image references for forces, energy and virial, and blocks built by hand (home and
 * ghost particles of a brick, shuffled) with a driver running a kernel block by block. */
#ifndef SD_TESTS_MD_WORLD_H
#define SD_TESTS_MD_WORLD_H
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "tap.h"
#include "kernel_util.h"
#include "md/md_kernels.h"
#include "md_sim.h"

#define MT MD_MAX_TYPES

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- A system: n particles, SoA x (sc = n), id = index, type ---------------------------------- */
typedef struct world {
    int64_t n;
    double L[3];
    double *x, *v, *f; /* sc = n */
    int64_t *id;
    int32_t *type;
    int ntypes;
    double mass[MT];
    /* plain pair parameters for the references */
    double eps[MT][MT], sig[MT][MT], rc;
    int shift;
    md_lj_table tab;
} world;

static inline void world_alloc(world *w, int64_t n)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->x = xmalloc(sizeof(double) * 3 * (size_t)n);
    w->v = calloc(3 * (size_t)n, sizeof(double));
    w->f = calloc(3 * (size_t)n, sizeof(double));
    w->id = xmalloc(sizeof(int64_t) * (size_t)n);
    w->type = calloc((size_t)n, sizeof(int32_t));
    for (int64_t i = 0; i < n; i++) w->id[i] = i;
    w->ntypes = 1;
    for (int t = 0; t < MT; t++) w->mass[t] = 1.0;
}
static inline void world_free(world *w) { free(w->x), free(w->v), free(w->f), free(w->id), free(w->type); }

/* Pair parameters: LB mixing (mode 0) or an explicit table (mode 1, non-LB values). Sets the
 * plain eps/sig used by the references and the kernel table. */
static inline void world_params(world *w, int ntypes, int explicit_table, double rc, int shift)
{
    const double e1[3] = {1.0, 0.6, 1.7}, s1[3] = {1.0, 0.85, 1.15};
    w->ntypes = ntypes, w->rc = rc, w->shift = shift;
    double E[MT * MT], S[MT * MT];
    for (int a = 0; a < ntypes; a++)
        for (int b = 0; b < ntypes; b++) {
            if (explicit_table) {
                const double ee[3][3] = {{1.0, 0.4, 1.3}, {0.4, 0.7, 0.9}, {1.3, 0.9, 2.0}};
                const double ss[3][3] = {{1.0, 1.05, 0.8}, {1.05, 0.9, 1.1}, {0.8, 1.1, 1.2}};
                w->eps[a][b] = ee[a][b], w->sig[a][b] = ss[a][b];
            } else {
                w->eps[a][b] = sqrt(e1[a] * e1[b]);
                w->sig[a][b] = (s1[a] + s1[b]) / 2;
            }
            E[a * ntypes + b] = w->eps[a][b], S[a * ntypes + b] = w->sig[a][b];
        }
    if (explicit_table) md_lj_table_explicit(&w->tab, ntypes, E, S, rc, NULL, shift);
    else md_lj_table_lb(&w->tab, ntypes, e1, s1, rc, shift);
}

/* Random positions in the box, no two closer than dmin (minimum image); the first nfix
 * particles take the given fixed positions (NaN = random coordinate). */
static inline void world_random(world *w, rng *r, double dmin, int nfix, const double (*fix)[3])
{
    for (int64_t i = 0; i < w->n; i++) {
        for (int tries = 0;; tries++) {
            double p[3];
            for (int d = 0; d < 3; d++) {
                p[d] = rng_range(r, 0, w->L[d]);
                if (i < nfix && !isnan(fix[i][d])) p[d] = fix[i][d];
            }
            int okp = 1;
            for (int64_t j = 0; j < i && okp; j++) {
                double r2 = 0;
                for (int d = 0; d < 3; d++) {
                    double dx = p[d] - w->x[j + d * w->n];
                    dx -= w->L[d] * rint(dx / w->L[d]);
                    r2 += dx * dx;
                }
                okp = r2 >= dmin * dmin;
            }
            if (okp || tries > 100000) {
                for (int d = 0; d < 3; d++) w->x[i + d * w->n] = p[d];
                break;
            }
        }
        w->type[i] = (int32_t)(rng_u64(r) % (uint64_t)w->ntypes);
    }
}

/* ---- Plain references ----------------------------------------------------------------------------- */
/* LJ force factor and energy written from eps, sigma: F_i = fr (r_i - r_j). */
static inline double ref_fr(double eps, double sig, double r2)
{
    const double s2 = sig * sig / r2, s6 = s2 * s2 * s2;
    return 24.0 * eps * (2.0 * s6 * s6 - s6) / r2;
}
static inline double ref_u(double eps, double sig, double r2)
{
    const double s2 = sig * sig / r2, s6 = s2 * s2 * s2;
    return 4.0 * eps * (s6 * s6 - s6);
}

/* O(N^2) minimum image: forces (sc = n), potential energy and virial in long double. */
static inline void ref_forces(const world *w, double *F, long double *U, long double *W)
{
    const int64_t n = w->n;
    *U = 0, *W = 0;
    for (int64_t i = 0; i < n; i++) {
        long double a[3] = {0, 0, 0};
        for (int64_t j = 0; j < n; j++) {
            if (j == i) continue;
            double dx[3], r2 = 0;
            for (int d = 0; d < 3; d++) {
                dx[d] = w->x[i + d * n] - w->x[j + d * n];
                dx[d] -= w->L[d] * rint(dx[d] / w->L[d]);
                r2 += dx[d] * dx[d];
            }
            if (r2 >= w->rc * w->rc) continue;
            const double e = w->eps[w->type[i]][w->type[j]], s = w->sig[w->type[i]][w->type[j]];
            const double fr = ref_fr(e, s, r2);
            for (int d = 0; d < 3; d++) a[d] += (long double)fr * dx[d];
            double u = ref_u(e, s, r2);
            if (w->shift) u -= ref_u(e, s, w->rc * w->rc);
            *U += 0.5L * u;
            *W += 0.5L * fr * r2;
        }
        for (int d = 0; d < 3; d++) F[i + d * n] = (double)a[d];
    }
}

/* ---- Blocks built by hand ----------------------------------------------------------------------------
 * Block b of an nb[0] x nb[1] x nb[2] split owns the particles whose (wrapped) position falls in
 * its region; its ghosts are all images x + s L (s in {-1,0,1}^3) of all particles lying within
 * the region grown by rl (other than its home particles themselves). Home and ghost orders are
 * shuffled. */
typedef struct blk {
    int64_t nh, ng, sc;
    double *x;
    int64_t *id, *glob; /* glob: world index of home and ghost entries */
    int32_t *type;
    int8_t *gs;         /* ghost shifts, 3 per ghost */
    double *f, *v;      /* home, sc = sc */
    int64_t *start;
    int32_t *nbr;
    int64_t nnbr;
} blk;

static inline void shuffle_i64(int64_t *a, int64_t n, rng *r)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t k = (int64_t)(rng_u64(r) % (uint64_t)(i + 1)), t = a[i];
        a[i] = a[k], a[k] = t;
    }
}

static inline int home_block(const world *w, int64_t p, const int nb[3])
{
    int b[3];
    for (int d = 0; d < 3; d++) {
        int q = (int)floor(w->x[p + d * w->n] / w->L[d] * nb[d]);
        b[d] = q < 0 ? 0 : (q >= nb[d] ? nb[d] - 1 : q);
    }
    return b[0] + nb[0] * (b[1] + nb[1] * b[2]);
}

/* Refresh ghost coordinates from the world (image shift written out plainly). */
static inline void blk_ghosts(blk *B, const world *w)
{
    for (int64_t g = 0; g < B->ng; g++) {
        const int64_t p = B->glob[B->nh + g];
        for (int d = 0; d < 3; d++) B->x[B->nh + g + d * B->sc] = w->x[p + d * w->n] + (double)B->gs[3 * g + d] * w->L[d];
    }
}
static inline void blk_home_x(blk *B, const world *w)
{
    for (int64_t i = 0; i < B->nh; i++)
        for (int d = 0; d < 3; d++) B->x[i + d * B->sc] = w->x[B->glob[i] + d * w->n];
}

static inline void blk_build(blk *B, const world *w, const int nb[3], int bi, double rl, rng *r)
{
    const int64_t n = w->n;
    int64_t *home = xmalloc(sizeof(int64_t) * (size_t)n), nh = 0;
    for (int64_t p = 0; p < n; p++)
        if (home_block(w, p, nb) == bi) home[nh++] = p;
    shuffle_i64(home, nh, r);
    const int bc[3] = {bi % nb[0], (bi / nb[0]) % nb[1], bi / (nb[0] * nb[1])};
    double lo[3], hi[3];
    for (int d = 0; d < 3; d++) {
        lo[d] = w->L[d] * bc[d] / nb[d] - rl * (1 + 1e-6);
        hi[d] = w->L[d] * (bc[d] + 1) / nb[d] + rl * (1 + 1e-6);
    }
    int64_t cap = 27 * n, ng = 0;
    int64_t *gp = xmalloc(sizeof(int64_t) * (size_t)cap);
    int8_t *gs = xmalloc(3 * (size_t)cap);
    for (int64_t p = 0; p < n; p++)
        for (int s = 0; s < 27; s++) {
            const int sh[3] = {s % 3 - 1, (s / 3) % 3 - 1, s / 9 - 1};
            if (!sh[0] && !sh[1] && !sh[2] && home_block(w, p, nb) == bi) continue;
            int in = 1;
            for (int d = 0; d < 3; d++) {
                const double y = w->x[p + d * n] + (double)sh[d] * w->L[d];
                in &= y >= lo[d] && y < hi[d];
            }
            if (!in) continue;
            gp[ng] = p;
            for (int d = 0; d < 3; d++) gs[3 * ng + d] = (int8_t)sh[d];
            ng++;
        }
    /* shuffle ghosts (with their shifts) */
    for (int64_t g = ng - 1; g > 0; g--) {
        int64_t k = (int64_t)(rng_u64(r) % (uint64_t)(g + 1)), t = gp[g];
        gp[g] = gp[k], gp[k] = t;
        for (int d = 0; d < 3; d++) {
            int8_t u = gs[3 * g + d];
            gs[3 * g + d] = gs[3 * k + d], gs[3 * k + d] = u;
        }
    }
    B->nh = nh, B->ng = ng, B->sc = nh + ng + 3; /* a stride larger than the count, on purpose */
    const int64_t m = nh + ng;
    B->x = xmalloc(sizeof(double) * 3 * (size_t)B->sc);
    B->f = xmalloc(sizeof(double) * 3 * (size_t)B->sc);
    B->v = xmalloc(sizeof(double) * 3 * (size_t)B->sc);
    B->id = xmalloc(sizeof(int64_t) * (size_t)m);
    B->glob = xmalloc(sizeof(int64_t) * (size_t)m);
    B->type = xmalloc(sizeof(int32_t) * (size_t)m);
    B->gs = gs;
    for (int64_t i = 0; i < nh; i++) B->glob[i] = home[i];
    for (int64_t g = 0; g < ng; g++) B->glob[nh + g] = gp[g];
    for (int64_t i = 0; i < m; i++) B->id[i] = w->id[B->glob[i]], B->type[i] = w->type[B->glob[i]];
    blk_home_x(B, w);
    blk_ghosts(B, w);
    /* lists */
    size_t sb = sd_md_neighbor_scratch_bytes(m, B->x, B->sc, rl, NULL);
    void *scr = xmalloc(sb);
    B->start = xmalloc(sizeof(int64_t) * (size_t)(nh + 1));
    int64_t ncap = 16;
    B->nbr = xmalloc(sizeof(int32_t) * (size_t)ncap);
    md_neighbor_args lists = {.home_count = nh, .ghost_count = ng, .position = B->x, .position_stride = B->sc,
                              .id = B->id, .list_radius = rl, .grid = NULL, .list_start = B->start, .list = B->nbr,
                              .list_capacity = ncap, .scratch = scr, .scratch_bytes = sb};
    int64_t tot = sd_md_neighbor_build(&lists);
    if (tot > ncap) {
        free(B->nbr);
        B->nbr = xmalloc(sizeof(int32_t) * (size_t)tot);
        lists.list = B->nbr, lists.list_capacity = tot;
        tot = sd_md_neighbor_build(&lists);
    }
    B->nnbr = tot;
    free(scr), free(home), free(gp);
}
static inline void blk_free(blk *B)
{
    free(B->x), free(B->f), free(B->v), free(B->id), free(B->glob), free(B->type), free(B->gs);
    free(B->start), free(B->nbr);
    memset(B, 0, sizeof *B);
}

typedef struct split {
    int nb[3], nblk;
    blk *b;
} split;

static inline void split_build(split *S, const world *w, const int nb[3], double rl, uint64_t seed)
{
    rng r = {seed | 1};
    memcpy(S->nb, nb, sizeof S->nb);
    S->nblk = nb[0] * nb[1] * nb[2];
    S->b = calloc((size_t)S->nblk, sizeof(blk));
    for (int b = 0; b < S->nblk; b++) blk_build(&S->b[b], w, nb, b, rl, &r);
}
static inline void split_free(split *S)
{
    for (int b = 0; b < S->nblk; b++) blk_free(&S->b[b]);
    free(S->b);
}

/* Forces of every block into the world's f (by world index); energy/virial partials merged. */
static inline void split_forces(split *S, world *w, sd_acc *U, sd_acc *W)
{
    if (U) sd_acc_init(U), sd_acc_init(W);
    for (int b = 0; b < S->nblk; b++) {
        blk *B = &S->b[b];
        const md_lj_lists L = {.home_count = B->nh, .ghost_count = B->ng, .position = B->x, .position_stride = B->sc,
                               .type = B->type, .pair_table = &w->tab, .list_start = B->start, .list = B->nbr};
        sd_md_lj_force(&(md_lj_force_args){.lists = L, .force = B->f, .force_stride = B->sc});
        for (int64_t i = 0; i < B->nh; i++)
            for (int d = 0; d < 3; d++) w->f[B->glob[i] + d * w->n] = B->f[i + d * B->sc];
        if (U) {
            sd_acc u, v;
            sd_acc_init(&u), sd_acc_init(&v);
            sd_md_lj_energy_virial(&(md_lj_energy_virial_args){.lists = L, .energy = &u, .virial = &v});
            sd_acc_merge(U, &u), sd_acc_merge(W, &v);
        }
    }
}

/* Every list of B equals {j : j != i, id_j != id_i, r2 < rl^2} sorted by id (brute force over
 * home + ghost); also the pair count. */
static inline int lists_exact(const blk *B, double rl)
{
    const int64_t m = B->nh + B->ng;
    int good = 1;
    int64_t *want = xmalloc(8 * (size_t)m);
    for (int64_t i = 0; i < B->nh && good; i++) {
        int64_t nw = 0;
        for (int64_t j = 0; j < m; j++) {
            if (j == i || B->id[j] == B->id[i]) continue;
            double r2 = 0;
            for (int d = 0; d < 3; d++) {
                const double dx = B->x[i + d * B->sc] - B->x[j + d * B->sc];
                r2 += dx * dx;
            }
            if (r2 < rl * rl) want[nw++] = j;
        }
        /* sort by id (insertion) */
        for (int64_t a = 1; a < nw; a++) {
            int64_t t = want[a], b = a - 1;
            while (b >= 0 && B->id[want[b]] > B->id[t]) want[b + 1] = want[b], b--;
            want[b + 1] = t;
        }
        good &= B->start[i + 1] - B->start[i] == nw;
        for (int64_t k = 0; k < nw && good; k++) good &= B->nbr[B->start[i] + k] == want[k];
    }
    free(want);
    return good && B->start[0] == 0 && B->start[B->nh] == B->nnbr;
}

/* create + adjust over the particles split into groups (blocks) given by grp[i] (ngrp groups);
 * every reduction is a merge of per-group partials, as the runtime would do. */
static inline void vel_init(world *w, const int *grp, int ngrp, double T, double kB, uint64_t seed, double *Tbefore)
{
    const int64_t n = w->n;
    int64_t *idx = xmalloc(8 * (size_t)n);
    double *v = xmalloc(sizeof(double) * 3 * (size_t)n);
    int64_t *id = xmalloc(8 * (size_t)n);
    int32_t *ty = xmalloc(4 * (size_t)n);
    sd_acc P[3], M, K;
    for (int c = 0; c < 3; c++) sd_acc_init(&P[c]);
    sd_acc_init(&M), sd_acc_init(&K);
    for (int pass = 0; pass < 3; pass++) {
        double vcm[3], lambda = 1;
        if (pass >= 1)
            for (int c = 0; c < 3; c++) vcm[c] = sd_acc_sum(&P[c]) / sd_acc_sum(&M);
        if (pass == 2) {
            const double Tp = md_temperature(sd_acc_sum(&K), 3.0 * n - 3.0, kB);
            lambda = md_rescale_lambda(Tp, T);
        }
        for (int g = 0; g < ngrp; g++) {
            int64_t m = 0;
            for (int64_t i = n - 1; i >= 0; i--) /* reversed order inside the block */
                if (grp[i] == g) idx[m++] = i;
            for (int64_t k = 0; k < m; k++) {
                id[k] = w->id[idx[k]], ty[k] = w->type[idx[k]];
                for (int c = 0; c < 3; c++) v[k + c * m] = w->v[idx[k] + c * n];
            }
            if (pass == 0) {
                sd_md_velocity_create(&(md_velocity_create_args){.count = m, .id = id, .type = ty, .mass = w->mass,
                                                                 .type_count = w->ntypes, .temperature = T, .kB = kB,
                                                                 .seed = seed, .velocity = v, .velocity_stride = m});
                sd_acc p[3], ms;
                for (int c = 0; c < 3; c++) sd_acc_init(&p[c]);
                sd_acc_init(&ms);
                sd_md_momentum(m, ty, w->mass, w->ntypes, v, m, p, &ms);
                for (int c = 0; c < 3; c++) sd_acc_merge(&P[c], &p[c]);
                sd_acc_merge(&M, &ms);
            } else if (pass == 1) {
                sd_acc k;
                sd_acc_init(&k);
                sd_md_kinetic(m, ty, w->mass, w->ntypes, v, m, vcm, &k);
                sd_acc_merge(&K, &k);
            } else {
                sd_md_velocity_adjust(m, vcm, lambda, v, m);
            }
            for (int64_t k = 0; k < m; k++)
                for (int c = 0; c < 3; c++) w->v[idx[k] + c * n] = v[k + c * m];
        }
        if (pass == 1 && Tbefore) {
            sd_acc k0;
            sd_acc_init(&k0);
            sd_md_kinetic(n, w->type, w->mass, w->ntypes, w->v, n, NULL, &k0);
            *Tbefore = md_temperature(sd_acc_sum(&k0), 3.0 * n - 3.0, kB);
        }
    }
    free(idx), free(v), free(id), free(ty);
}

#endif
