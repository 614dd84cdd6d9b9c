/* table_fixture.h - test codelets that read a table (SD_ROLE_TABLE), for t_tables.c (registered
 * in process) and t_tables_cli.sh (as the pack tests/table_pack.c). tt.ramp writes a known field;
 * tt.scale multiplies it by a curve f(x) interpolated in a two-column table (x ascending, f), or by
 * 1 when the optional table is left unbound; tt.scale_whole is the same as one whole-field task,
 * tt.bscale the same on a batch domain (a batch's tile is a grid tile of one axis, spacing 1);
 * tt.total sums in * t[0][0] over the cells (a reduction with a required table of any width);
 * tt.copy_or_mark copies an optional field, or writes -1 when it is left unbound. */
#ifndef TABLE_FIXTURE_H
#define TABLE_FIXTURE_H
#include <stdint.h>
#include <stdio.h>
#include "stardag/codelet.h"

/* The field tt.ramp writes at global cell (i, j). */
SD_HD double tt_ramp(int64_t i, int64_t j) { return 0.375 * (double)(i + 1) + (double)j; }

/* f(x): linear between the rows bracketing x (columns x, f; x ascending), the end values outside. */
SD_HD double tt_interp(const double *t, int64_t rows, double x)
{
    if (x <= t[0]) return t[1];
    for (int64_t k = 1; k < rows; k++)
        if (x < t[2 * k]) {
            const double x0 = t[2 * k - 2], x1 = t[2 * k], w = (x - x0) / (x1 - x0);
            return t[2 * k - 1] * (1.0 - w) + t[2 * k + 1] * w;
        }
    return t[2 * rows - 1];
}

static void tt_ramp_cpu(const sd_tile_args *a)
{
    double *u = a->p[0];
    for (int64_t j = 0; j < a->n[1]; j++)
        for (int64_t i = 0; i < a->n[0]; i++) u[sd_at(a, 0, i, j, 0, 0)] = tt_ramp(a->origin[0] + i, a->origin[1] + j);
}

/* slots: in, curve (NULL when unbound), out */
static void tt_scale_cpu(const sd_tile_args *a)
{
    const double *in = a->p[0], *t = a->p[1];
    double *out = a->p[2];
    for (int64_t j = 0; j < a->n[1]; j++)
        for (int64_t i = 0; i < a->n[0]; i++) {
            const double x = ((double)(a->origin[0] + i) + 0.5) * a->dx[0];
            const double f = t ? tt_interp(t, a->sc[1], x) : 1.0;
            out[sd_at(a, 2, i, j, 0, 0)] = in[sd_at(a, 0, i, j, 0, 0)] * f;
        }
}

/* slots: in (an optional field: NULL when unbound), out */
static void tt_copy_or_mark_cpu(const sd_tile_args *a)
{
    const double *in = a->p[0];
    double *out = a->p[1];
    for (int64_t j = 0; j < a->n[1]; j++)
        for (int64_t i = 0; i < a->n[0]; i++) out[sd_at(a, 1, i, j, 0, 0)] = in ? in[sd_at(a, 0, i, j, 0, 0)] : -1.0;
}

/* slots: t (any columns), in */
static void tt_total_cpu(const sd_tile_args *a)
{
    const double *t = a->p[0], *in = a->p[1];
    for (int64_t j = 0; j < a->n[1]; j++)
        for (int64_t i = 0; i < a->n[0]; i++) sd_acc_add(&a->acc[0], in[sd_at(a, 1, i, j, 0, 0)] * t[0]);
}

/* What interpolation needs of the curve (role 1): x strictly ascending, as a codelet checks its
 * table's contents at load (sd_check_info.table). */
static int tt_scale_validate(const sd_check_info *info, char *msg, size_t len)
{
    const double *t = info->table[1];
    for (int64_t k = 1; t && k < info->table_rows[1]; k++)
        if (!(t[2 * k] > t[2 * k - 2])) {
            snprintf(msg, len, "curve: x must increase down the table, but row %lld has x = %g after %g (expected ascending x)",
                     (long long)k + 1, t[2 * k], t[2 * k - 2]);
            return 1;
        }
    return 0;
}

#define TT_SCALE_ROLES \
    {{.name = "in", .mode = SD_READ, .ncomp = 1, .dtypes = 1 << SD_F64}, \
     {.name = "curve", .mode = SD_READ, .kind = SD_ROLE_TABLE, .ncomp = 2, .optional = 1, .doc = "x, f(x)"}, \
     {.name = "out", .mode = SD_WRITE, .ncomp = 1, .dtypes = 1 << SD_F64}}

static const sd_codelet table_test_codelets[] = {
    {.name = "tt.ramp", .pattern = SD_POINTWISE, .nroles = 1, .cpu = tt_ramp_cpu, .model = "tt.ramp",
     .roles = {{.name = "u", .mode = SD_WRITE, .ncomp = 1, .dtypes = 1 << SD_F64}}},
    {.name = "tt.scale", .doc = "out = in * f(x), f from the table (1 without)", .pattern = SD_POINTWISE, .nroles = 3,
     .cpu = tt_scale_cpu, .validate = tt_scale_validate, .model = "tt.scale", .roles = TT_SCALE_ROLES},
    {.name = "tt.scale_whole", .pattern = SD_WHOLE, .nroles = 3, .cpu = tt_scale_cpu, .validate = tt_scale_validate,
     .model = "tt.scale_whole",
     .roles = TT_SCALE_ROLES},
    {.name = "tt.bscale", .doc = "tt.scale on a batch: x is the system's index + 0.5", .pattern = SD_POINTWISE, .nroles = 3,
     .cpu = tt_scale_cpu, .model = "tt.bscale", .domain = SD_ON_BATCH, .roles = TT_SCALE_ROLES},
    {.name = "tt.copy_or_mark", .doc = "out = in, or -1 without in (an optional field role on a grid)", .pattern = SD_POINTWISE,
     .nroles = 2, .cpu = tt_copy_or_mark_cpu, .model = "tt.copy_or_mark",
     .roles = {{.name = "in", .mode = SD_READ, .ncomp = 1, .dtypes = 1 << SD_F64, .optional = 1},
               {.name = "out", .mode = SD_WRITE, .ncomp = 1, .dtypes = 1 << SD_F64}}},
    {.name = "tt.total", .pattern = SD_REDUCTION, .nroles = 3, .cpu = tt_total_cpu, .model = "tt.total",
     .roles = {{.name = "t", .mode = SD_READ, .kind = SD_ROLE_TABLE},
               {.name = "in", .mode = SD_READ, .ncomp = 1, .dtypes = 1 << SD_F64},
               {.name = "s", .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM}}},
};

#endif
