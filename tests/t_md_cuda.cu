/* t_md_cuda.cu - every CUDA kernel of the md pack against its CPU version, on the same inputs
 * (codelets/md: each .cu against its .c): forces bitwise, energy/virial exact partials bitwise (limbs after
 * normalisation, count, extremes), kick, drift, wrap, ghost refresh, kinetic and momentum sums,
 * the displacement reduction, Langevin, velocity create/adjust, fcc. Systems: a perturbed fcc
 * liquid of 4000 particles with 3 types (LB mixing, shift) and 1 type, one block whose ghosts are
 * the periodic images (library ghost plan), lists from sd_md_neighbor_build; plus a system of
 * 256,000 particles for the grid-stride loops. Prints "1..0 # SKIP" and exits 77 without a usable
 * CUDA device. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cuda_runtime.h>
#include "tap.h"
#include "cuda_test_util.h"
#include "kernel_util.h"
#include "md/md_kernels.h"

static int acc_equal(const sd_acc *a, const sd_acc *b)
{
    return acc_same(a, b) && a->count == b->count && same_bits(a->maxv, b->maxv) && same_bits(a->minv, b->minv) &&
           same_bits(sd_acc_sum(a), sd_acc_sum(b));
}
/* n device accumulators, initialised */
static sd_acc *dev_accs(int n)
{
    sd_acc h[4];
    for (int k = 0; k < n; k++) sd_acc_init(&h[k]);
    return (sd_acc *)dev_copy(h, sizeof(sd_acc) * (size_t)n);
}

/* One block holding a whole periodic fcc system (perturbed), ghosts = periodic images. */
typedef struct sysb {
    int64_t n, ng, cap, npair;
    double L[3];
    double *x, *v, *f;
    int64_t *id, *own, *start;
    int32_t *type, *nbr;
    int8_t *sh;
    md_lj_table tab;
    double mass[3];
    int ntypes;
} sysb;

/* The system's particles and lists as the pair kernels read them (host arrays). */
static md_lj_lists host_lists(const sysb *s)
{
    const md_lj_lists l = {.home_count = s->n, .ghost_count = s->ng, .position = s->x, .position_stride = s->cap,
                           .type = s->type, .pair_table = &s->tab, .list_start = s->start, .list = s->nbr};
    return l;
}

static void sys_make(sysb *s, int64_t nc1, int ntypes, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    const int64_t nc[3] = {nc1, nc1, nc1}, n = 4 * nc1 * nc1 * nc1;
    const double a = sd_md_fcc_lattice_constant(0.8442), rl = 2.8;
    s->n = n, s->cap = 3 * n + 4096, s->ntypes = ntypes;
    for (int d = 0; d < 3; d++) s->L[d] = (double)nc1 * a;
    s->x = (double *)malloc(sizeof(double) * 3 * (size_t)s->cap);
    s->v = (double *)malloc(sizeof(double) * 3 * (size_t)n);
    s->f = (double *)calloc(3 * (size_t)n, sizeof(double));
    s->id = (int64_t *)malloc(8 * (size_t)s->cap);
    s->type = (int32_t *)malloc(4 * (size_t)s->cap);
    s->own = (int64_t *)malloc(8 * (size_t)s->cap);
    s->sh = (int8_t *)malloc(3 * (size_t)s->cap);
    s->start = (int64_t *)malloc(8 * (size_t)(n + 1));
    sd_md_fcc(0, n, nc, a, s->x, s->cap, s->id);
    rng r = {seed};
    for (int64_t i = 0; i < n; i++) {
        for (int d = 0; d < 3; d++) s->x[i + d * s->cap] += rng_range(&r, -0.15, 0.15);
        s->type[i] = (int32_t)(rng_u64(&r) % (uint64_t)ntypes);
    }
    sd_md_wrap(n, s->L, s->x, s->cap);
    const double eps[3] = {1.0, 0.7, 1.4}, sig[3] = {1.0, 0.9, 1.1};
    s->mass[0] = 1.0, s->mass[1] = 2.0, s->mass[2] = 0.5;
    md_lj_table_lb(&s->tab, ntypes, eps, sig, 2.5, ntypes > 1);
    /* sort by cell, ghosts, lists */
    md_grid g, gb;
    sd_md_grid_box(s->L, rl, &g);
    const int64_t ncell = sd_md_grid_ncells(&g);
    int64_t *cell = (int64_t *)malloc(8 * (size_t)n), *cs = (int64_t *)malloc(8 * (size_t)(ncell + 1)),
            *perm = (int64_t *)malloc(8 * (size_t)n), *ti = (int64_t *)malloc(8 * (size_t)n);
    double *tx = (double *)malloc(sizeof(double) * 3 * (size_t)n);
    int32_t *tt = (int32_t *)malloc(4 * (size_t)n);
    sd_md_bin(n, s->x, s->cap, &g, cell);
    sd_md_sort_by_cell(n, cell, s->id, ncell, cs, perm);
    sd_md_gather_f64(n, perm, 3, s->x, s->cap, tx, n);
    for (int d = 0; d < 3; d++) memcpy(s->x + d * s->cap, tx + d * n, sizeof(double) * (size_t)n);
    sd_md_gather_i64(n, perm, s->id, ti);
    memcpy(s->id, ti, 8 * (size_t)n);
    sd_md_gather_i32(n, perm, s->type, tt);
    memcpy(s->type, tt, 4 * (size_t)n);
    const int64_t blo[3] = {0, 0, 0};
    s->ng = sd_md_ghost_plan(&g, cs, blo, g.nc, s->own, s->sh, s->cap - n);
    sd_md_ghost_fill(s->ng, s->own, s->sh, s->L, s->x, s->cap, s->x + n, s->cap);
    sd_md_gather_i64(s->ng, s->own, s->id, s->id + n);
    sd_md_gather_i32(s->ng, s->own, s->type, s->type + n);
    sd_md_grid_block(&g, blo, g.nc, &gb);
    const size_t sb = sd_md_neighbor_scratch_bytes(n + s->ng, s->x, s->cap, rl, &gb);
    void *scr = malloc(sb);
    md_neighbor_args nb = {.home_count = n, .ghost_count = s->ng, .position = s->x, .position_stride = s->cap,
                           .id = s->id, .list_radius = rl, .grid = &gb, .list_start = s->start, .list = NULL,
                           .list_capacity = 0, .scratch = scr, .scratch_bytes = sb};
    s->npair = sd_md_neighbor_build(&nb);
    s->nbr = (int32_t *)malloc(4 * (size_t)s->npair);
    nb.list = s->nbr, nb.list_capacity = s->npair;
    sd_md_neighbor_build(&nb);
    free(scr), free(cell), free(cs), free(perm), free(ti), free(tx), free(tt);
    /* velocities and forces, for the integration kernels */
    const md_velocity_create_args vc = {.count = n, .id = s->id, .type = s->type, .mass = s->mass, .type_count = ntypes,
                                        .temperature = 1.2, .kB = 1.0, .seed = seed, .velocity = s->v,
                                        .velocity_stride = n};
    sd_md_velocity_create(&vc);
    const md_lj_force_args fa = {.lists = host_lists(s), .force = s->f, .force_stride = n};
    sd_md_lj_force(&fa);
}
static void sys_free(sysb *s)
{
    free(s->x), free(s->v), free(s->f), free(s->id), free(s->type), free(s->own), free(s->sh), free(s->start);
    free(s->nbr);
}

/* The pair kernels of one precision, CPU and CUDA. */
typedef struct pair_kernels {
    const char *name;
    void (*force)(const md_lj_force_args *);
    void (*force_cuda)(const md_lj_force_args *, void *);
    void (*ev)(const md_lj_energy_virial_args *);
    void (*ev_cuda)(const md_lj_energy_virial_args *, void *);
} pair_kernels;
static const pair_kernels precisions[2] = {
    {"double", sd_md_lj_force, sd_md_lj_force_cuda, sd_md_lj_energy_virial, sd_md_lj_energy_virial_cuda},
    {"mixed", sd_md_lj_force_mixed, sd_md_lj_force_mixed_cuda, sd_md_lj_energy_virial_mixed,
     sd_md_lj_energy_virial_mixed_cuda}};

static void test_system(int64_t nc1, int ntypes)
{
    sysb s;
    sys_make(&s, nc1, ntypes, 17 + (uint64_t)ntypes);
    const int64_t n = s.n, m = n + s.ng;
    char what[64];
    snprintf(what, sizeof what, "%lld particles, %d type%s", (long long)n, ntypes, ntypes > 1 ? "s" : "");
    /* device copies (x with the same stride) */
    double *dx = (double *)dev_copy(s.x, sizeof(double) * 3 * (size_t)s.cap);
    int32_t *dty = (int32_t *)dev_copy(s.type, 4 * (size_t)m);
    int64_t *did = (int64_t *)dev_copy(s.id, 8 * (size_t)m);
    int64_t *dst = (int64_t *)dev_copy(s.start, 8 * (size_t)(n + 1));
    int32_t *dnb = (int32_t *)dev_copy(s.nbr, 4 * (size_t)s.npair);
    double *df = NULL;
    CK(cudaMalloc(&df, sizeof(double) * 3 * (size_t)n));

    /* forces */
    double *fc = (double *)malloc(sizeof(double) * 3 * (size_t)n), *fg = (double *)malloc(sizeof(double) * 3 * (size_t)n);
    const md_lj_lists Lc = host_lists(&s);
    md_lj_lists Lg = Lc; /* the same lists on the device (the pair table stays on the host) */
    Lg.position = dx, Lg.type = dty, Lg.list_start = dst, Lg.list = dnb;
    /* forces, energy and virial in each precision: CUDA == CPU bitwise */
    for (int p = 0; p < 2; p++) {
        const pair_kernels *K = &precisions[p];
        const md_lj_force_args fca = {.lists = Lc, .force = fc, .force_stride = n};
        const md_lj_force_args fga = {.lists = Lg, .force = df, .force_stride = n};
        K->force(&fca);
        K->force_cuda(&fga, S);
        sync_check("lj_force");
        to_host(fg, df, sizeof(double) * 3 * (size_t)n);
        ok(!memcmp(fc, fg, sizeof(double) * 3 * (size_t)n), "lj_force, %s: CUDA == CPU bitwise (%s, %lld list entries)",
           K->name, what, (long long)s.npair);
        sd_acc U, W, Ug[2];
        sd_acc_init(&U), sd_acc_init(&W);
        const md_lj_energy_virial_args evc = {.lists = Lc, .energy = &U, .virial = &W};
        K->ev(&evc);
        sd_acc *dacc = dev_accs(2);
        const md_lj_energy_virial_args evg = {.lists = Lg, .energy = dacc, .virial = dacc + 1};
        K->ev_cuda(&evg, S);
        sync_check("lj_energy_virial");
        to_host(Ug, dacc, sizeof Ug);
        ok(acc_equal(&U, &Ug[0]) && acc_equal(&W, &Ug[1]), "lj_energy_virial, %s: exact partials equal (U/N = %.15g)",
           K->name, sd_acc_sum(&U) / n);
        CK(cudaFree(dacc));
    }

    /* kick + drift + wrap */
    double *v1 = (double *)malloc(sizeof(double) * 3 * (size_t)n), *x1 = (double *)malloc(sizeof(double) * 3 * (size_t)s.cap);
    double *vg = (double *)malloc(sizeof(double) * 3 * (size_t)n), *xg = (double *)malloc(sizeof(double) * 3 * (size_t)s.cap);
    memcpy(v1, s.v, sizeof(double) * 3 * (size_t)n);
    memcpy(x1, s.x, sizeof(double) * 3 * (size_t)s.cap);
    double *dv = (double *)dev_copy(s.v, sizeof(double) * 3 * (size_t)n);
    CK(cudaMemcpy(df, fc, sizeof(double) * 3 * (size_t)n, cudaMemcpyHostToDevice));
    const double dt = 0.005;
    const md_kick_args kc = {.count = n, .type = s.type, .mass = s.mass, .type_count = s.ntypes, .dt = dt,
                             .force = fc, .force_stride = n, .velocity = v1, .velocity_stride = n};
    md_kick_args kg = kc; /* on the device */
    kg.type = dty, kg.force = df, kg.velocity = dv;
    sd_md_kick(&kc);
    sd_md_drift(n, 7.0 * dt, v1, n, x1, s.cap); /* a long drift: some leave the box */
    sd_md_wrap(n, s.L, x1, s.cap);
    sd_md_kick_cuda(&kg, S);
    sd_md_drift_cuda(n, 7.0 * dt, dv, n, dx, s.cap, S);
    sd_md_wrap_cuda(n, s.L, dx, s.cap, S);
    sync_check("kick/drift/wrap");
    to_host(vg, dv, sizeof(double) * 3 * (size_t)n);
    to_host(xg, dx, sizeof(double) * 3 * (size_t)s.cap);
    int same = !memcmp(v1, vg, sizeof(double) * 3 * (size_t)n);
    for (int d = 0; d < 3; d++) same &= !memcmp(x1 + d * s.cap, xg + d * s.cap, sizeof(double) * (size_t)n);
    ok(same, "kick, drift, wrap: CUDA == CPU bitwise");

    /* ghost refresh */
    int64_t *down = (int64_t *)dev_copy(s.own, 8 * (size_t)s.ng);
    int8_t *dsh = (int8_t *)dev_copy(s.sh, 3 * (size_t)s.ng);
    sd_md_ghost_fill(s.ng, s.own, s.sh, s.L, x1, s.cap, x1 + n, s.cap);
    sd_md_ghost_fill_cuda(s.ng, down, dsh, s.L, dx, s.cap, dx + n, s.cap, S);
    sync_check("ghost_fill");
    to_host(xg, dx, sizeof(double) * 3 * (size_t)s.cap);
    same = 1;
    for (int d = 0; d < 3; d++) same &= !memcmp(x1 + d * s.cap + n, xg + d * s.cap + n, sizeof(double) * (size_t)s.ng);
    ok(same, "ghost_fill: CUDA == CPU bitwise (%lld ghosts)", (long long)s.ng);

    /* displacement, kinetic (with and without shift), momentum */
    sd_acc D, K0, K1, P[3], M, Dg, Kg[2], Pg[4];
    sd_acc_init(&D), sd_acc_init(&K0), sd_acc_init(&K1), sd_acc_init(&M);
    for (int d = 0; d < 3; d++) sd_acc_init(&P[d]);
    const double vs[3] = {0.01, -0.02, 0.003};
    double *dx0 = (double *)dev_copy(s.x, sizeof(double) * 3 * (size_t)s.cap);
    sd_md_max_disp2(n, x1, s.cap, s.x, s.cap, &D);
    sd_md_kinetic(n, s.type, s.mass, s.ntypes, v1, n, NULL, &K0);
    sd_md_kinetic(n, s.type, s.mass, s.ntypes, v1, n, vs, &K1);
    sd_md_momentum(n, s.type, s.mass, s.ntypes, v1, n, P, &M);
    sd_acc *dD = dev_accs(1), *dK = dev_accs(2), *dP = dev_accs(4);
    sd_md_max_disp2_cuda(n, dx, s.cap, dx0, s.cap, dD, S);
    sd_md_kinetic_cuda(n, dty, s.mass, s.ntypes, dv, n, NULL, dK, S);
    sd_md_kinetic_cuda(n, dty, s.mass, s.ntypes, dv, n, vs, dK + 1, S);
    sd_md_momentum_cuda(n, dty, s.mass, s.ntypes, dv, n, dP, dP + 3, S);
    sync_check("reductions");
    to_host(&Dg, dD, sizeof Dg);
    to_host(Kg, dK, sizeof Kg);
    to_host(Pg, dP, sizeof Pg);
    ok(acc_equal(&D, &Dg) && D.nonfinite == Dg.nonfinite, "max_disp2: CUDA == CPU (max %.6g)", D.maxv);
    ok(acc_equal(&K0, &Kg[0]) && acc_equal(&K1, &Kg[1]), "kinetic (shift 0 and vs): exact partials equal");
    ok(acc_equal(&P[0], &Pg[0]) && acc_equal(&P[1], &Pg[1]) && acc_equal(&P[2], &Pg[2]) && acc_equal(&M, &Pg[3]),
       "momentum and mass: exact partials equal");

    /* Langevin, velocity adjust */
    const md_langevin_args lc = {.count = n, .id = s.id, .type = s.type, .mass = s.mass, .type_count = s.ntypes,
                                 .dt = dt, .friction = 1.5, .temperature = 1.1, .kB = 1.0, .seed = 99, .step = 1234,
                                 .velocity = v1, .velocity_stride = n};
    md_langevin_args lg = lc; /* on the device */
    lg.id = did, lg.type = dty, lg.velocity = dv;
    sd_md_langevin(&lc);
    sd_md_velocity_adjust(n, vs, 1.0123, v1, n);
    sd_md_langevin_cuda(&lg, S);
    sd_md_velocity_adjust_cuda(n, vs, 1.0123, dv, n, S);
    sync_check("langevin/adjust");
    to_host(vg, dv, sizeof(double) * 3 * (size_t)n);
    ok(!memcmp(v1, vg, sizeof(double) * 3 * (size_t)n), "langevin, velocity_adjust: CUDA == CPU bitwise");

    /* velocity create, fcc */
    const md_velocity_create_args vcc = {.count = n, .id = s.id, .type = s.type, .mass = s.mass,
                                         .type_count = s.ntypes, .temperature = 300.0, .kB = MD_KB_REAL,
                                         .seed = 4242, .velocity = v1, .velocity_stride = n};
    md_velocity_create_args vcg = vcc; /* on the device */
    vcg.id = did, vcg.type = dty, vcg.velocity = dv;
    sd_md_velocity_create(&vcc);
    sd_md_velocity_create_cuda(&vcg, S);
    const int64_t nc[3] = {nc1, nc1 + 1, nc1 + 2};
    int64_t *idc = (int64_t *)malloc(8 * (size_t)n), *idg = (int64_t *)malloc(8 * (size_t)n);
    sd_md_fcc(5, n - 5, nc, 1.7, x1, s.cap, idc);
    sd_md_fcc_cuda(5, n - 5, nc, 1.7, dx, s.cap, did, S);
    sync_check("velocity_create/fcc");
    to_host(vg, dv, sizeof(double) * 3 * (size_t)n);
    to_host(xg, dx, sizeof(double) * 3 * (size_t)s.cap);
    to_host(idg, did, 8 * (size_t)(n - 5));
    same = !memcmp(v1, vg, sizeof(double) * 3 * (size_t)n) && !memcmp(idc, idg, 8 * (size_t)(n - 5));
    for (int d = 0; d < 3; d++) same &= !memcmp(x1 + d * s.cap, xg + d * s.cap, sizeof(double) * (size_t)(n - 5));
    ok(same, "velocity_create (real units), fcc: CUDA == CPU bitwise");

    free(fc), free(fg), free(v1), free(x1), free(vg), free(xg), free(idc), free(idg);
    cudaFree(dx), cudaFree(dty), cudaFree(did), cudaFree(dst), cudaFree(dnb), cudaFree(df);
    cudaFree(dv), cudaFree(down), cudaFree(dsh), cudaFree(dx0), cudaFree(dD), cudaFree(dK), cudaFree(dP);
    sys_free(&s);
}

int main(void)
{
    require_cuda_device();
    CK(cudaStreamCreate(&S));
    test_system(10, 3); /* 4000 particles, 3 types */
    test_system(10, 1);
    test_system(40, 1); /* 256,000 particles */
    CK(cudaStreamDestroy(S));
    return tap_done();
}
