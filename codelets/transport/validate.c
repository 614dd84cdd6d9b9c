/* validate.c - the transport ops' checks before any task runs: the domain (a 2-D grid, fixed
 * boundaries, exactly two inner axes: theta within [-90, 90] degrees, E >= 0 MeV), the step (ds <= the
 * cell size) and the parameters. */
#include <math.h>
#include <stdio.h>
#include "transport_kernels.h"

static int fail(char *msg, size_t len, const char *fmt, double a, double b, double c)
{
    snprintf(msg, len, fmt, a, b, c);
    return -1;
}

static const char *bc_name(int bc)
{
    static const char *const n[] = {"periodic", "reflective", "absorbing", "fixed"};
    return bc >= 0 && bc < 4 ? n[bc] : "unknown";
}

int sd_transport_grid_validate(const sd_check_info *in, char *msg, size_t len)
{
    if (in->ndim != 2) return fail(msg, len, "needs a 2-D grid (x lateral, z depth), got %g axes", in->ndim, 0, 0);
    for (int d = 0; d < 2; d++)
        if (in->bc[d] != SD_BC_FIXED) {
            snprintf(msg, len, "axis %c has boundary %s, but transport needs fixed boundaries with value 0 (nothing enters "
                               "through the sides; what leaves is tallied)", "xz"[d], bc_name(in->bc[d]));
            return -1;
        } else if (in->bc_value[d] != 0.0) {
            snprintf(msg, len, "axis %c has boundary_value %g, but transport needs 0 (a non-zero ghost would stream weight in "
                               "through the side)", "xz"[d], in->bc_value[d]);
            return -1;
        }
    if (in->ninner != 2)
        return fail(msg, len, "needs exactly two inner axes (the angle theta in degrees, then the energy E in MeV), got %g",
                    in->ninner, 0, 0);
    if (in->inner_lo[0] < -90.0 || in->inner_hi[0] > 90.0)
        return fail(msg, len, "the angle axis (the first inner axis) spans [%g, %g] degrees, but must lie within [-90, 90]",
                    in->inner_lo[0], in->inner_hi[0], 0);
    if (in->inner_lo[1] < 0.0)
        return fail(msg, len, "the energy axis (the second inner axis) starts at %g MeV, but energies are >= 0", in->inner_lo[1],
                    0, 0);
    if (in->inner_n[1] < 2)
        return fail(msg, len, "the energy axis has %g bin, but the energy-loss split needs at least 2", (double)in->inner_n[1],
                    0, 0);
    return 0;
}

static int ds_validate(const sd_check_info *in, const char *op, char *msg, size_t len)
{
    const double lim = in->dx[0] < in->dx[1] ? in->dx[0] : in->dx[1];
    if (!(in->dt > 0.0)) return fail(msg, len, "the step's path length ds (run.dt) is %g mm, expected > 0", in->dt, 0, 0);
    if (in->dt > lim) {
        (void)op; /* the loader names the op */
        snprintf(msg, len, "ds = %g mm exceeds min(dx, dz) = %g mm: a step may move weight at most one cell", in->dt, lim);
        return -1;
    }
    return 0;
}

static int ecut_validate(double e_cut, char *msg, size_t len)
{
    if (!isnan(e_cut) && e_cut < 0.0) return fail(msg, len, "e_cut = %g MeV, expected >= 0", e_cut, 0, 0);
    return 0;
}

int sd_transport_beam_validate(const sd_check_info *in, char *msg, size_t len)
{
    if (sd_transport_grid_validate(in, msg, len)) return -1;
    const double *p = in->param;
    if (p[TR_BEAM_ENERGY] < in->inner_lo[1] || p[TR_BEAM_ENERGY] >= in->inner_hi[1])
        return fail(msg, len, "energy = %g MeV lies outside the energy axis [%g, %g) MeV", p[TR_BEAM_ENERGY], in->inner_lo[1],
                    in->inner_hi[1]);
    if (p[TR_BEAM_ANGLE] < in->inner_lo[0] || p[TR_BEAM_ANGLE] >= in->inner_hi[0])
        return fail(msg, len, "angle = %g degrees lies outside the angle axis [%g, %g)", p[TR_BEAM_ANGLE], in->inner_lo[0],
                    in->inner_hi[0]);
    const double X = (double)in->shape[0] * in->dx[0];
    if (!isnan(p[TR_BEAM_X0]) && (p[TR_BEAM_X0] < 0.0 || p[TR_BEAM_X0] >= X))
        return fail(msg, len, "x0 = %g mm lies outside the grid's x extent [0, %g) mm", p[TR_BEAM_X0], X, 0);
    return 0;
}

int sd_transport_scatter_validate(const sd_check_info *in, char *msg, size_t len)
{
    return sd_transport_grid_validate(in, msg, len);
}

/* A user stopping-power table (the op's table role, when bound): at least two rows, energies
 * ascending and positive, stopping powers positive and finite (the range integral divides by S and
 * interpolates in log-log). */
static int table_validate(const sd_check_info *in, int role, char *msg, size_t len)
{
    const double *t = in->table[role];
    if (!t) return 0;
    const int64_t rows = in->table_rows[role];
    if (rows < 2) return fail(msg, len, "the stopping-power table has %g row, expected at least 2 (E MeV, S MeV cm^2/g)",
                              (double)rows, 0, 0);
    for (int64_t r = 0; r < rows; r++) {
        const double E = t[2 * r], S = t[2 * r + 1];
        if (!(E > 0.0) || !(S > 0.0) || !isfinite(E) || !isfinite(S))
            return fail(msg, len, "stopping-power table row %g: E = %g MeV, S = %g MeV cm^2/g, expected both > 0 and finite",
                        (double)(r + 1), E, S);
        if (r > 0 && !(E > t[2 * (r - 1)]))
            return fail(msg, len, "stopping-power table row %g: E = %g MeV does not exceed the previous row's %g (energies must "
                                  "ascend)", (double)(r + 1), E, t[2 * (r - 1)]);
    }
    return 0;
}

int sd_transport_loss_validate(const sd_check_info *in, char *msg, size_t len)
{
    if (sd_transport_grid_validate(in, msg, len)) return -1;
    if (table_validate(in, TR_EL_TABLE, msg, len)) return -1;
    return ecut_validate(in->param[TR_EL_ECUT], msg, len);
}

int sd_transport_stream_validate(const sd_check_info *in, char *msg, size_t len)
{
    if (sd_transport_grid_validate(in, msg, len)) return -1;
    return ds_validate(in, "transport.stream", msg, len);
}

int sd_transport_step_validate(const sd_check_info *in, char *msg, size_t len)
{
    if (sd_transport_grid_validate(in, msg, len)) return -1;
    if (ds_validate(in, "transport.step", msg, len)) return -1;
    if (table_validate(in, TR_STEP_TABLE, msg, len)) return -1;
    return ecut_validate(in->param[TR_STEP_ECUT], msg, len);
}

int sd_transport_ncomp_psi0(int role, const sd_check_info *info)
{
    (void)info;
    return role == 0 ? 1 : 0;
}

int sd_transport_ncomp_psi02(int role, const sd_check_info *info)
{
    (void)info;
    return role == 0 || role == 2 ? 1 : 0;
}
