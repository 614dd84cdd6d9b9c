/* lattice_fixture.h - a single-tile driver of the lattice pack for the kernel tests
 * (t_lattice_kernels.c, t_lattice_orders.c): E_prev, E, E_next rotate; before every leapfrog and
 * energy call the ghosts are filled as the runtime fills them (periodic: wrap; fixed: 0;
 * reflective: mirror about the boundary face, ghost -g = cell g-1). */
#ifndef SD_LATTICE_FIXTURE_H
#define SD_LATTICE_FIXTURE_H
#include <math.h>
#include "kernel_util.h"
#include "stardag/codelet.h"
#include "lattice/kg_math.h"

/* Fill every ghost layer of b (its width b->h) along each present axis as boundary bc[d] does. */
static inline void fill_ghosts(tbuf *b, const int bc[3])
{
    for (int d = 0; d < b->ndim; d++) {
        const int64_t N = b->n[d];
        int64_t m[3] = {b->n[0], b->ndim > 1 ? b->n[1] : 1, b->ndim > 2 ? b->n[2] : 1};
        m[d] = 1;
        for (int64_t p = 0; p < m[2]; p++)
            for (int64_t q = 0; q < m[1]; q++)
                for (int64_t s = 0; s < m[0]; s++)
                    for (int g = 1; g <= b->h; g++) {
                        int64_t lo[3] = {s, q, p}, hi[3] = {s, q, p}, slo[3] = {s, q, p}, shi[3] = {s, q, p};
                        lo[d] = -g, hi[d] = N - 1 + g;
                        double vlo = 0, vhi = 0;
                        if (bc[d] == SD_BC_PERIODIC) slo[d] = N - g, shi[d] = g - 1;
                        if (bc[d] == SD_BC_REFLECTIVE) slo[d] = g - 1, shi[d] = N - g;
                        if (bc[d] == SD_BC_PERIODIC || bc[d] == SD_BC_REFLECTIVE) {
                            vlo = tbuf_get(b, slo[0], slo[1], slo[2], 0);
                            vhi = tbuf_get(b, shi[0], shi[1], shi[2], 0);
                        }
                        tbuf_set(b, lo[0], lo[1], lo[2], 0, vlo);
                        tbuf_set(b, hi[0], hi[1], hi[2], 0, vhi);
                    }
    }
}

/* What a driver simulates: dt = cfl times the CFL limit of the order and damping (chi = 0). */
typedef struct drv_spec {
    int nd, bc[3], order;
    int64_t n[3];
    double dx[3], c, cfl, gamma;
} drv_spec;

typedef struct driver {
    drv_spec s;
    double dt;
    const sd_codelet *lf, *en;
    tbuf buf[3], chi; /* E_prev, E, E_next (rotating), ghosts order/2 wide */
    int ip, ie, in;
} driver;

static inline void drv_init(driver *D, const drv_spec *s)
{
    memset(D, 0, sizeof *D);
    D->s = *s;
    D->lf = sd_codelet_find("lattice.kg_leapfrog"), D->en = sd_codelet_find("lattice.energy");
    double sum = 0;
    for (int d = 0; d < s->nd; d++) sum += 1 / (s->dx[d] * s->dx[d]);
    D->dt = s->cfl * kg_cfl_limit(s->gamma) / (s->c * sqrt(kg_lap_peak(s->order) * sum));
    for (int b = 0; b < 3; b++) tbuf_alloc(&D->buf[b], s->nd, s->n, kg_reach(s->order), 1, SD_F64);
    tbuf_alloc(&D->chi, s->nd, s->n, 0, 1, SD_F64);
    D->ip = 0, D->ie = 1, D->in = 2;
}
/* Whole-grid tile arguments with params {c, order, gamma} (kg_leapfrog's and energy's). */
static inline void drv_args(const driver *D, sd_tile_args *a)
{
    const int64_t org[3] = {0, 0, 0};
    args_init(a, D->s.nd, D->s.n, org, D->s.n, D->s.dx);
    memcpy(a->bc, D->s.bc, sizeof a->bc);
    a->dt = D->dt;
    a->param[0] = D->s.c, a->param[1] = D->s.order, a->param[2] = D->s.gamma;
}
/* One leapfrog step; returns the energy at n+1/2. Afterwards buf[ie] = E^{n+1}, buf[ip] = E^n,
 * buf[in] = E^{n-1}. */
static inline double drv_step(driver *D, int64_t step)
{
    sd_tile_args a;
    drv_args(D, &a);
    a.step = step;
    fill_ghosts(&D->buf[D->ie], D->s.bc);
    args_buf(&a, 0, &D->buf[D->ie]);
    args_buf(&a, 1, &D->buf[D->ip]);
    args_buf(&a, 2, &D->chi);
    args_buf(&a, 3, &D->buf[D->in]);
    D->lf->cpu(&a);
    fill_ghosts(&D->buf[D->in], D->s.bc);
    sd_acc acc;
    sd_acc_init(&acc);
    drv_args(D, &a);
    args_buf(&a, 0, &D->buf[D->in]);
    args_buf(&a, 1, &D->buf[D->ie]);
    args_buf(&a, 2, &D->chi);
    a.acc = &acc, a.nacc = 1;
    D->en->cpu(&a);
    int t = D->ip;
    D->ip = D->ie, D->ie = D->in, D->in = t;
    return sd_acc_sum(&acc);
}
static inline void drv_free(driver *D)
{
    for (int b = 0; b < 3; b++) tbuf_free(&D->buf[b]);
    tbuf_free(&D->chi);
}
/* A plane wave (lattice.plane_wave's params pw: {A, mx, my, mz, phase, c, chi, order}) in the uniform
 * mass pw[6], stepped `steps` times by a periodic driver of spec s (order pw[7]); returns the
 * projection re + i im of E^steps on the mode (lattice.mode_projection) and the driver's dt. */
static inline double drv_plane_wave(const drv_spec *s, const double pw[8], int steps, double *re, double *im)
{
    driver D;
    drv_init(&D, s);
    for (int64_t x = 0; x < D.chi.total; x++) ((double *)D.chi.mem)[x] = pw[6];
    sd_tile_args a;
    drv_args(&D, &a);
    args_buf(&a, 0, &D.buf[D.ie]), args_buf(&a, 1, &D.buf[D.ip]);
    memcpy(a.param, pw, 8 * sizeof *pw);
    sd_codelet_find("lattice.plane_wave")->cpu(&a);
    for (int st = 0; st < steps; st++) drv_step(&D, st);
    sd_acc acc[2];
    sd_acc_init(&acc[0]), sd_acc_init(&acc[1]);
    const int64_t org[3] = {0, 0, 0};
    args_init(&a, s->nd, s->n, org, s->n, s->dx);
    args_buf(&a, 0, &D.buf[D.ie]);
    a.acc = acc, a.nacc = 2, a.param[0] = pw[1], a.param[1] = pw[2], a.param[2] = pw[3];
    sd_codelet_find("lattice.mode_projection")->cpu(&a);
    *re = sd_acc_sum(&acc[0]), *im = sd_acc_sum(&acc[1]);
    drv_free(&D);
    return D.dt;
}
#endif
