/* kernels.c - the transport pack's CPU entry points: each reads its tile's view into a tr_io and
 * the parameters into a tr_setup, then calls the loops (advance.c, beam.c, totals.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "transport_cpu.h"
#include "transport_kernels.h"

/* The stopping-power table a kernel uses: NULL (the built-in PSTAR water table). A user table bound
 * to a table role would be passed here as (a->p[slot], a->sc[slot]) rows of (E MeV, S MeV cm^2/g). */
void tr_setup_of(const sd_tile_args *a, double k_sigma, double e_cut, const double *table, int64_t rows, tr_setup *s)
{
    s->nt = a->inner_n[0];
    s->ne = a->inner_n[1];
    s->th_lo = a->inner_lo[0];
    s->th_hi = a->inner_hi[0];
    s->e_lo = a->inner_lo[1];
    s->e_hi = a->inner_hi[1];
    s->ds = a->dt;
    s->dx = a->dx[0];
    s->dz = a->dx[1];
    s->k_sigma = k_sigma;
    s->e_cut = e_cut;
    s->table = table;
    s->rows = table ? rows : 0;
    s->table_hash = 1469598103934665603ull; /* FNV-1a over the table's bytes (264 doubles for PSTAR: cheap) */
    for (int64_t i = 0; table && i < 2 * rows; i++) {
        uint64_t v;
        memcpy(&v, &table[i], sizeof v);
        for (int k = 0; k < 8; k++) s->table_hash = (s->table_hash ^ ((v >> (8 * k)) & 0xff)) * 1099511628211ull;
    }
}

/* A bin index held in a double, clamped before the conversion (NaN: `none`, which widens). */
static int64_t bin_at(double v, int64_t none)
{
    if (v != v) return none;
    return v < -1 ? -1 : v > 1e15 ? (int64_t)1e15 : (int64_t)v;
}

void sd_transport_support(const double *occ, int64_t stride, int ninner, int64_t first[], int64_t last[])
{
    for (int k = 0; k < ninner && k < 2; k++) { /* the caller clamps the box to the bins there are */
        first[k] = bin_at(occ[2 * k * stride], 0);
        last[k] = bin_at(occ[(2 * k + 1) * stride], (int64_t)1e15);
    }
}

/* A psi role must be one component on the theta x E bins (the loader checks the components; the
 * location only shows here). */
static void check_psi(const sd_tile_args *a, int b, const char *op)
{
    if (a->ninner != 2 || a->bins[b] != a->inner_n[0] * a->inner_n[1] || a->ncomp[b] != a->bins[b]) {
        fprintf(stderr, "stardag: %s: psi must be a field on bins (location: bins) with one component on the two inner axes "
                        "(theta, E); got %d values per cell\n", op, a->ncomp[b]);
        abort();
    }
}

static void io_base(const sd_tile_args *a, tr_io *io)
{
    io->nx = a->n[0];
    io->nz = a->n[1];
    io->gx0 = a->origin[0];
    io->gz0 = a->origin[1];
    io->NX = a->shape[0];
    io->NZ = a->shape[1];
    io->nt = a->inner_n[0];
    io->ne = a->inner_n[1];
    io->dense = tr_dense_env();
}
static void io_psi(const sd_tile_args *a, int b, tr_io *io)
{
    io->f32 = a->dtype[b] == SD_F32;
    io->psi = a->p[b];
    io->ps1 = a->stride[b][1];
    io->ps3 = a->stride[b][3];
    io->ps4 = a->stride[b][4];
}
static void io_out(const sd_tile_args *a, int b, tr_io *io)
{
    io->out = a->p[b];
    io->os1 = a->stride[b][1];
    io->os3 = a->stride[b][3];
    io->os4 = a->stride[b][4];
}
static void io_occ(const sd_tile_args *a, int b, tr_io *io)
{
    io->occ = a->p[b];
    io->cs1 = a->stride[b][1];
    io->csc = a->sc[b];
}
static void io_occn(const sd_tile_args *a, int b, tr_io *io)
{
    io->occn = a->p[b];
    io->ns1 = a->stride[b][1];
    io->nsc = a->sc[b];
}
static void io_dose(const sd_tile_args *a, int b, tr_io *io)
{
    io->dose = a->p[b];
    io->ds1 = a->stride[b][1];
}
static void io_tally(const sd_tile_args *a, int b, tr_io *io)
{
    io->tally = a->p[b];
    io->ts1 = a->stride[b][1];
    io->tsc = a->sc[b];
}

/* tslot: the op's optional stopping-power table role (-1: the op has none). */
static const tr_tables *tables(const sd_tile_args *a, int tslot, double k_sigma, double e_cut, const char *op)
{
    tr_setup s;
    const double *tab = tslot >= 0 ? (const double *)a->p[tslot] : NULL;
    tr_setup_of(a, k_sigma, e_cut, tab, tab ? a->sc[tslot] : 0, &s);
    const tr_tables *t = tr_tables_get(&s);
    if (!t) tr_oom(op, tr_tables_bytes(&s));
    return t;
}

void sd_transport_angular_scatter_cpu(const sd_tile_args *a)
{
    check_psi(a, TR_SC_PSI, "transport.angular_scatter");
    tr_io io = {0};
    io_base(a, &io);
    io_psi(a, TR_SC_PSI, &io);
    io_occ(a, TR_SC_OCC, &io);
    io_tally(a, TR_SC_TALLY, &io);
    const tr_tables *t = tables(a, -1, a->param[TR_SC_KSIGMA], NAN, "transport.angular_scatter");
    if (io.f32) tr_scatter_f32(&io, t);
    else tr_scatter_f64(&io, t);
}

void sd_transport_energy_loss_cpu(const sd_tile_args *a)
{
    check_psi(a, TR_EL_PSI, "transport.energy_loss");
    tr_io io = {0};
    io_base(a, &io);
    io_psi(a, TR_EL_PSI, &io);
    io_occ(a, TR_EL_OCC, &io);
    io_dose(a, TR_EL_DOSE, &io);
    io_tally(a, TR_EL_TALLY, &io);
    const tr_tables *t = tables(a, TR_EL_TABLE, 0.0, a->param[TR_EL_ECUT], "transport.energy_loss");
    if (io.f32) tr_loss_f32(&io, t);
    else tr_loss_f64(&io, t);
}

void sd_transport_stream_cpu(const sd_tile_args *a)
{
    check_psi(a, TR_ST_PSI, "transport.stream");
    check_psi(a, TR_ST_PSI_NEXT, "transport.stream");
    tr_io io = {0};
    io_base(a, &io);
    io_psi(a, TR_ST_PSI, &io);
    io_out(a, TR_ST_PSI_NEXT, &io);
    io_occ(a, TR_ST_OCC, &io);
    io_occn(a, TR_ST_OCC_NEXT, &io);
    io_tally(a, TR_ST_TALLY, &io);
    const tr_tables *t = tables(a, -1, 0.0, NAN, "transport.stream");
    if (io.f32) tr_advance_f32(&io, t, 0);
    else tr_advance_f64(&io, t, 0);
}

void sd_transport_step_cpu(const sd_tile_args *a)
{
    check_psi(a, TR_STEP_PSI, "transport.step");
    check_psi(a, TR_STEP_PSI_NEXT, "transport.step");
    tr_io io = {0};
    io_base(a, &io);
    io_psi(a, TR_STEP_PSI, &io);
    io_out(a, TR_STEP_PSI_NEXT, &io);
    io_occ(a, TR_STEP_OCC, &io);
    io_occn(a, TR_STEP_OCC_NEXT, &io);
    io_dose(a, TR_STEP_DOSE, &io);
    io_tally(a, TR_STEP_TALLY, &io);
    io.cutoff = a->param[TR_STEP_CUTOFF];
    const tr_tables *t = tables(a, TR_STEP_TABLE, a->param[TR_STEP_KSIGMA], a->param[TR_STEP_ECUT], "transport.step");
    if (io.f32) tr_advance_f32(&io, t, 1);
    else tr_advance_f64(&io, t, 1);
}
