/* t_cuda_lattice.cu - every CUDA kernel of the lattice pack against its CPU version, on the same
 * inputs (the harness is cuda_run.h; the common pack and the halo kernels are t_cuda_kernels.cu).
 *
 * On 1D/2D/3D tiles of odd sizes (one wider than a block row, one spanning hundreds of blocks, one
 * of a single cell, tiles at origins 1 and 2 and tiles thinner than the stencil's reach), f64 and
 * f32, random interiors *and* ghosts, each buffer with its own ghost width:
 *  - kg_leapfrog: Laplacian orders 2, 4, 6 (kg_math.h: b = {1}, {4/3, -1/12}, {3/2, -3/20, 1/90},
 *    reach order/2), damping gamma 0 and 0.3, E's ghost width the reach and the reach + 1;
 *  - chi_leapfrog: orders 2, 4, 6 with a source (kappa, E0 != 0), chi's ghost width reach, reach + 1;
 *  - energy: orders 2, 4, 6, gamma 0 and 0.3, periodic; fixed x / reflective y / absorbing z (the
 *    last axis absorbing); reflective on every axis: the pairs crossing the low boundary (cells of
 *    global index < m, so tiles at origins 1 and 2 hold some of them) and the halved weights of
 *    pairs crossing a reflective boundary at either end;
 * all bitwise (cuda_tol 0: the whole buffers and the reduction partials); gaussian_packet,
 * plane_wave and mode_projection too (their exp, sin and cos are detmath.h's). With SD_HAVE_CUDA the registry's .cuda
 * pointers must be these functions, and every lattice codelet with a .cuda must be covered here.
 * Prints "1..0 # SKIP" and exits 77 without a usable CUDA device. */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cuda_runtime.h>
#include "tap.h"
#include "cuda_test_util.h"
#include "kernel_util.h"
#include "stardag/codelet.h"
#include "stardag/kernel_cuda.cuh"
#include "lattice/lattice_kernels.h"
#include "cuda_run.h"

static const entry ENTRIES[] = {
    {"lattice.kg_leapfrog", sd_lattice_kg_leapfrog_cuda},
    {"lattice.chi_leapfrog", sd_lattice_chi_leapfrog_cuda},
    {"lattice.energy", sd_lattice_energy_cuda},
    {"lattice.gaussian_packet", sd_lattice_gaussian_packet_cuda},
    {"lattice.plane_wave", sd_lattice_plane_wave_cuda},
    {"lattice.mode_projection", sd_lattice_mode_projection_cuda},
};
#define NENTRIES (int)(sizeof ENTRIES / sizeof ENTRIES[0])
static sd_cuda_fn fn_of(const char *name)
{
    for (int i = 0; i < NENTRIES; i++)
        if (!strcmp(ENTRIES[i].name, name)) return ENTRIES[i].fn;
    return NULL;
}

static const char *dim_name(const shape *s) { return s->nd == 1 ? "1D" : s->nd == 2 ? "2D" : "3D"; }

/* kg_leapfrog and chi_leapfrog, orders 2/4/6: the stencil role with ghost width reach and reach + 1
 * (the others with their own widths), bitwise. */
static void test_leapfrogs(const shape *s, int dt, rng *g)
{
    const char *sh = dim_name(s);
    for (int order = 2; order <= 6; order += 2)
        for (int h = order / 2; h <= order / 2 + 1; h++) {
            for (int damped = 0; damped < 2; damped++) {
                run r;
                setup(&r, "lattice.kg_leapfrog", s);
                add_field(&r, s, h, 1, dt, g, DATA_UNIFORM);                 /* E */
                add_field(&r, s, 0, 1, dt, g, DATA_UNIFORM);                 /* E_prev */
                add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);                 /* chi */
                add_field(&r, s, order / 2 + 2 - h, 1, dt, g, DATA_UNIFORM); /* E_next */
                r.tmpl.param[KG_LF_C] = 0.9, r.tmpl.param[KG_LF_ORDER] = order;
                r.tmpl.param[KG_LF_GAMMA] = damped ? 0.3 : 0.0;
                run_both(&r);
                ok(compare_fields(&r, 8, 0, "kg_leapfrog"), "kg_leapfrog %s %s, order %d, gamma %g, E halo %d: bitwise, ghosts untouched",
                   sh, tn(dt), order, r.tmpl.param[KG_LF_GAMMA], h);
                run_free(&r);
            }
            run r;
            setup(&r, "lattice.chi_leapfrog", s);
            add_field(&r, s, h, 1, dt, g, DATA_UNIFORM); /* chi */
            add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM); /* chi_prev */
            add_field(&r, s, 0, 1, dt, g, DATA_UNIFORM); /* E */
            add_field(&r, s, 2, 1, dt, g, DATA_UNIFORM); /* chi_next */
            r.tmpl.param[KG_CX_C] = 0.8, r.tmpl.param[KG_CX_ORDER] = order;
            r.tmpl.param[KG_CX_KAPPA] = 0.7, r.tmpl.param[KG_CX_E0] = 0.4;
            run_both(&r);
            ok(compare_fields(&r, 8, 0, "chi_leapfrog"), "chi_leapfrog %s %s, order %d, kappa 0.7, E0 0.4, chi halo %d: bitwise, ghosts untouched",
               sh, tn(dt), order, h);
            run_free(&r);
        }
}

/* energy, orders 2/4/6, gamma 0 and 0.3: periodic; fixed x / reflective y / absorbing z (the last
 * axis absorbing); reflective everywhere. E_next's ghost width the reach, E's the reach + 1. */
static void test_energy(const shape *s, int dt, rng *g)
{
    static const char *const bcn[3] = {"periodic", "fixed x/reflective y/absorbing z, last axis absorbing",
                                       "reflective"};
    for (int order = 2; order <= 6; order += 2)
        for (int damped = 0; damped < 2; damped++)
            for (int v = 0; v < 3; v++) {
                run r;
                setup(&r, "lattice.energy", s);
                add_field(&r, s, order / 2, 1, dt, g, DATA_UNIFORM);     /* E_next */
                add_field(&r, s, order / 2 + 1, 1, dt, g, DATA_UNIFORM); /* E */
                add_field(&r, s, 0, 1, dt, g, DATA_UNIFORM);             /* chi */
                r.nacc = 1;
                r.tmpl.param[KG_EN_C] = 1.1, r.tmpl.param[KG_EN_ORDER] = order;
                r.tmpl.param[KG_EN_GAMMA] = damped ? 0.3 : 0.0;
                if (v == 1) {
                    r.tmpl.bc[0] = SD_BC_FIXED, r.tmpl.bc[1] = SD_BC_REFLECTIVE, r.tmpl.bc[2] = SD_BC_ABSORBING;
                    r.tmpl.bc[s->nd - 1] = SD_BC_ABSORBING;
                } else if (v == 2)
                    r.tmpl.bc[0] = r.tmpl.bc[1] = r.tmpl.bc[2] = SD_BC_REFLECTIVE;
                run_both(&r);
                const int good = compare_fields(&r, 0, 0, "energy") && acc_equal(&r.acpu[0], &r.agpu[0]);
                if (!ok(good, "energy %s %s origin %lld,%lld,%lld, order %d, gamma %g, %s: partial bitwise", dim_name(s), tn(dt),
                        (long long)s->org[0], (long long)s->org[1], (long long)s->org[2], order, r.tmpl.param[KG_EN_GAMMA], bcn[v]))
                    acc_diag(&r.acpu[0], &r.agpu[0]);
                run_free(&r);
            }
}

/* the initialisers and mode_projection */
static void test_others(const shape *s, int dt, rng *g)
{
    const char *sh = dim_name(s);
    run r;

    /* initialisers (detmath.h's exp and cos: bitwise) */
    setup(&r, "lattice.gaussian_packet", s);
    add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);
    add_field(&r, s, 2, 1, dt, g, DATA_UNIFORM);
    r.tmpl.param[KG_GP_A] = 1.5, r.tmpl.param[KG_GP_W] = 0.07 * (double)s->shape[0] * DX[0];
    r.tmpl.param[KG_GP_KX] = 30, r.tmpl.param[KG_GP_KY] = -20, r.tmpl.param[KG_GP_KZ] = 10, r.tmpl.param[KG_GP_CHI] = 0.5;
    r.tmpl.param[KG_GP_ORDER] = 2;
    run_both(&r);
    ok(r.cl->cuda_tol == 0 && compare_fields(&r, 3, 0, "gaussian_packet"), "gaussian_packet %s %s: bitwise, ghosts untouched", sh,
       tn(dt));
    run_free(&r);

    setup(&r, "lattice.plane_wave", s);
    add_field(&r, s, 2, 1, dt, g, DATA_UNIFORM);
    add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);
    r.tmpl.param[KG_PW_A] = 1.25, r.tmpl.param[KG_PW_MX] = 2, r.tmpl.param[KG_PW_MY] = -1, r.tmpl.param[KG_PW_MZ] = 3;
    r.tmpl.param[KG_PW_PHASE] = 0.4, r.tmpl.param[KG_PW_CHI] = 0.3, r.tmpl.param[KG_PW_ORDER] = 2;
    run_both(&r);
    ok(r.cl->cuda_tol == 0 && compare_fields(&r, 3, 0, "plane_wave"), "plane_wave %s %s: bitwise, ghosts untouched", sh, tn(dt));
    run_free(&r);

    /* mode projection of random data: the partials bitwise */
    setup(&r, "lattice.mode_projection", s);
    add_field(&r, s, 1, 1, dt, g, DATA_UNIFORM);
    r.nacc = 2;
    r.tmpl.param[KG_MP_MX] = 2, r.tmpl.param[KG_MP_MY] = 1, r.tmpl.param[KG_MP_MZ] = -1;
    run_both(&r);
    {
        int good = r.cl->cuda_tol == 0 && compare_fields(&r, 0, 0, "mode_projection");
        for (int k = 0; k < 2; k++)
            if (!acc_equal(&r.acpu[k], &r.agpu[k])) good = 0, acc_diag(&r.acpu[k], &r.agpu[k]);
        ok(good, "mode_projection %s %s, random E: re, im partials bitwise", sh, tn(dt));
    }
    run_free(&r);
}

/* mode_projection of the wave it projects on: the use it is for, bitwise. */
static void test_projection_of_wave(const shape *s, int dt, rng *g)
{
    run w;
    setup(&w, "lattice.plane_wave", s);
    add_field(&w, s, 1, 1, dt, g, DATA_UNIFORM);
    add_field(&w, s, 1, 1, dt, g, DATA_UNIFORM);
    w.tmpl.param[KG_PW_A] = 0.8, w.tmpl.param[KG_PW_MX] = 3, w.tmpl.param[KG_PW_MY] = 1, w.tmpl.param[KG_PW_MZ] = 2;
    w.tmpl.param[KG_PW_PHASE] = 1.1, w.tmpl.param[KG_PW_ORDER] = 2;
    w.tmpl.origin[0] = w.tmpl.origin[1] = w.tmpl.origin[2] = 0;
    for (int d = 0; d < 3; d++) w.tmpl.shape[d] = d < s->nd ? s->n[d] : 1;
    run_both(&w); /* CPU wave in w.b[0] */
    run r;
    setup(&r, "lattice.mode_projection", s);
    r.tmpl = w.tmpl;
    for (int p = 0; p < r.cl->nparams; p++) r.tmpl.param[p] = 0;
    r.tmpl.param[KG_MP_MX] = 3, r.tmpl.param[KG_MP_MY] = 1, r.tmpl.param[KG_MP_MZ] = 2;
    r.nb = 1;
    tbuf_alloc(&r.b[0], s->nd, s->n, 1, 1, dt);
    memcpy(r.b[0].mem, w.b[0].mem, tbuf_bytes(&w.b[0]));
    r.nacc = 2;
    run_both(&r);
    int good = 1;
    for (int k = 0; k < 2; k++)
        if (!acc_equal(&r.acpu[k], &r.agpu[k])) good = 0, acc_diag(&r.acpu[k], &r.agpu[k]);
    ok(good, "mode_projection of its plane wave %s %s: re, im bitwise", s->nd == 3 ? "3D" : s->nd == 2 ? "2D" : "1D", tn(dt));
    run_free(&r);
    run_free(&w);
}
int main(void)
{
    cuda_run_begin(ENTRIES, NENTRIES, "lattice");

    rng g = {20240612};
    /* {ndim, tile extent, origin, grid shape}: tiles at origin 0, 1, 2 (and 3 to 5: no low pairs
     * on that axis) that reach the high end or not, thinner than the reach of order 6 */
    const shape shapes[] = {
        {1, {37, 1, 1}, {5, 0, 0}, {100, 1, 1}},
        {1, {1000, 1, 1}, {0, 0, 0}, {1000, 1, 1}},
        {1, {2, 1, 1}, {1, 0, 0}, {3, 1, 1}},
        {2, {19, 7, 1}, {3, 0, 0}, {40, 7, 1}},
        {2, {19, 7, 1}, {1, 2, 0}, {20, 9, 1}},
        {2, {300, 3, 1}, {0, 2, 0}, {300, 9, 1}},
        {3, {9, 5, 3}, {0, 4, 2}, {20, 9, 5}},
        {3, {9, 5, 3}, {2, 1, 1}, {11, 9, 4}},
        {3, {67, 33, 17}, {10, 0, 0}, {100, 33, 40}},
        {3, {1, 1, 1}, {0, 0, 0}, {1, 1, 1}},
        {3, {2, 1, 2}, {0, 2, 1}, {2, 3, 3}},
    };
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    for (int si = 0; si < nshapes; si++)
        for (int dt = 0; dt < 2; dt++) {
            test_leapfrogs(&shapes[si], dt, &g);
            test_energy(&shapes[si], dt, &g);
            test_others(&shapes[si], dt, &g);
        }
    {
        const shape w1 = {1, {64, 1, 1}, {0, 0, 0}, {64, 1, 1}}, w3 = {3, {32, 24, 20}, {0, 0, 0}, {32, 24, 20}};
        for (int dt = 0; dt < 2; dt++) {
            test_projection_of_wave(&w1, dt, &g);
            test_projection_of_wave(&w3, dt, &g);
        }
    }
    CK(cudaStreamDestroy(S));
    return tap_done();
}
