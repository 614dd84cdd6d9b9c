/* transport_math.h - per-element math of the proton transport pack (docs/transport.md), written
 * once: compiles as C and as CUDA (SD_HD). Units: mm, MeV, radians (degrees only at the graph's
 * edge), water at 1 g/cm^3.
 *
 * The CPU loops (scatter.c, energy_loss.c, stream.c, step.c) and the CUDA kernels call these
 * functions; the per-task tables (tr_tables, transport_tables.c) are built once by a pure host
 * function and shared by both. Bitwise reproducibility needs no FMA contraction
 * (gcc -ffp-contract=off, nvcc -fmad=false) and exactly the operation orders written here. */
#ifndef SD_TRANSPORT_MATH_H
#define SD_TRANSPORT_MATH_H

#include <math.h>
#include <stdint.h>
#include "stardag/detmath.h" /* log, pow, exp, sin, cos: the same bits on CPU and GPU */
#include "stardag/kernel.h"

#define TR_PROTON_MASS 938.272088  /* m_p c^2, MeV: CODATA 2018 */
#define TR_X0_WATER 360.8          /* radiation length of liquid water, mm: PDG 2024 atomic and nuclear properties */
#define TR_HIGHLAND_E 13.6         /* MeV: PDG 2024 review "Passage of particles through matter", eq. 34.15 */
#define TR_HIGHLAND_LOG 0.038      /* ibid. */
#define TR_PI 3.14159265358979323846
#define TR_DEG (TR_PI / 180.0)

/* ---- Highland ---------------------------------------------------------------------------------
 * theta0 (radians) of a proton of kinetic energy T (MeV) after a path ds (mm) of water:
 *     pc = sqrt(T^2 + 2 T mp), beta = pc / (T + mp), t = ds / X0,
 *     theta0 = 13.6 / (beta pc) * sqrt(t) * (1 + 0.038 ln(t / beta^2))
 * (z = 1). The bracket turns negative only for t < beta^2 e^-26.3 (far below any cell size):
 * clamped to 0 (no scattering). */
SD_HD double tr_highland_theta0(double T, double ds)
{
    const double pc = sqrt(T * T + 2.0 * T * TR_PROTON_MASS);
    const double beta = pc / (T + TR_PROTON_MASS);
    const double t = ds / TR_X0_WATER;
    const double f = 1.0 + TR_HIGHLAND_LOG * sd_log(t / (beta * beta));
    const double th = TR_HIGHLAND_E / (beta * pc) * sqrt(t) * f;
    return th > 0.0 ? th : 0.0;
}

/* Standard normal CDF. */
SD_HD double tr_phi(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }

/* Bin-integrated Gaussian of width s over [a, b] centred at mu (s > 0), or 1/0 for s == 0 (the
 * bin containing mu, a <= mu < b). */
SD_HD double tr_gauss_bin(double a, double b, double mu, double s)
{
    if (s <= 0.0) return (mu >= a && mu < b) ? 1.0 : 0.0;
    return tr_phi((b - mu) / s) - tr_phi((a - mu) / s);
}

/* ---- Stopping power and CSDA range --------------------------------------------------------------
 * A table of rows (E MeV, S MeV cm^2/g), E ascending, `stride` doubles per row (the built-in PSTAR
 * table has 3 columns, a user table 2). S is log-log interpolated: on [E_i, E_i+1]
 *     S(E) = S_i (E / E_i)^p_i,   p_i = ln(S_i+1 / S_i) / ln(E_i+1 / E_i)
 * (the first/last interval extended below/above the table), so the range integral of 1/S over an
 * interval is closed-form:
 *     int_{E_i}^{E} dE'/S(E') = E_i (( E/E_i )^(1-p) - 1) / (S_i (1 - p))    (p != 1)
 *                             = E_i ln(E/E_i) / S_i                             (p == 1)
 * Below the first row S is taken proportional to the velocity, sqrt(E) (p = 1/2), which gives the
 * range of the first row 2 E_0 / S_0. R(E) is in g/cm^2; ds mm of water is ds / 10 g/cm^2. */
typedef struct tr_table {
    const double *p; /* row i: p[i * stride] = E, p[i * stride + 1] = S */
    int64_t rows;
    int stride;
} tr_table;

SD_HD double tr_tab_e(const tr_table *t, int64_t i) { return t->p[i * t->stride]; }
SD_HD double tr_tab_s(const tr_table *t, int64_t i) { return t->p[i * t->stride + 1]; }

/* The interval of E: i with E_i <= E < E_i+1, clamped to [0, rows-2]. */
SD_HD int64_t tr_tab_interval(const tr_table *t, double E)
{
    int64_t lo = 0, hi = t->rows - 2;
    while (lo < hi) {
        const int64_t mid = (lo + hi + 1) / 2;
        if (tr_tab_e(t, mid) <= E) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

SD_HD double tr_tab_slope(const tr_table *t, int64_t i)
{
    return sd_log(tr_tab_s(t, i + 1) / tr_tab_s(t, i)) / sd_log(tr_tab_e(t, i + 1) / tr_tab_e(t, i));
}

/* S(E), MeV cm^2/g. */
SD_HD double tr_stopping(const tr_table *t, double E)
{
    const int64_t i = tr_tab_interval(t, E);
    return tr_tab_s(t, i) * sd_pow(E / tr_tab_e(t, i), tr_tab_slope(t, i));
}

/* int_{Ei}^{E} dE'/S on the power law S_i (E/E_i)^p. */
SD_HD double tr_range_piece(double Ei, double Si, double p, double E)
{
    if (fabs(1.0 - p) < 1e-12) return Ei * sd_log(E / Ei) / Si;
    return Ei * (sd_pow(E / Ei, 1.0 - p) - 1.0) / (Si * (1.0 - p));
}

/* Its inverse: the E at which the piece reaches r (r >= 0 below the piece's end). */
SD_HD double tr_range_piece_inv(double Ei, double Si, double p, double r)
{
    if (fabs(1.0 - p) < 1e-12) return Ei * sd_exp(r * Si / Ei);
    const double b = 1.0 + r * Si * (1.0 - p) / Ei;
    return b > 0.0 ? Ei * sd_pow(b, 1.0 / (1.0 - p)) : 0.0;
}

/* The ranges at the table's rows: rnode[i] = R(E_i) (rows values). */
SD_HD void tr_range_nodes(const tr_table *t, double *rnode)
{
    rnode[0] = 2.0 * tr_tab_e(t, 0) / tr_tab_s(t, 0);
    for (int64_t i = 0; i + 1 < t->rows; i++)
        rnode[i + 1] = rnode[i] + tr_range_piece(tr_tab_e(t, i), tr_tab_s(t, i), tr_tab_slope(t, i), tr_tab_e(t, i + 1));
}

/* CSDA range R(E), g/cm^2. */
SD_HD double tr_range(const tr_table *t, const double *rnode, double E)
{
    if (E <= 0.0) return 0.0;
    if (E < tr_tab_e(t, 0)) return rnode[0] * sqrt(E / tr_tab_e(t, 0));
    const int64_t i = tr_tab_interval(t, E);
    return rnode[i] + tr_range_piece(tr_tab_e(t, i), tr_tab_s(t, i), tr_tab_slope(t, i), E);
}

/* R^-1(r), MeV. */
SD_HD double tr_range_inv(const tr_table *t, const double *rnode, double r)
{
    if (r <= 0.0) return 0.0;
    if (r < rnode[0]) { const double q = r / rnode[0]; return tr_tab_e(t, 0) * q * q; }
    int64_t lo = 0, hi = t->rows - 2; /* the interval with rnode[i] <= r (the last extends above) */
    while (lo < hi) {
        const int64_t mid = (lo + hi + 1) / 2;
        if (rnode[mid] <= r) lo = mid;
        else hi = mid - 1;
    }
    return tr_range_piece_inv(tr_tab_e(t, lo), tr_tab_s(t, lo), tr_tab_slope(t, lo), r - rnode[lo]);
}

/* The CSDA map over a path ds (mm): E' = R^-1(R(E) - ds / 10). */
SD_HD double tr_csda_step(const tr_table *t, const double *rnode, double E, double ds)
{
    return tr_range_inv(t, rnode, tr_range(t, rnode, E) - ds / 10.0);
}

/* ---- Streaming ----------------------------------------------------------------------------------
 * Direction theta (radians from +z towards +x): displacement in cells u = ds sin(theta) / dx,
 * w = ds cos(theta) / dz (|u|, |w| <= 1 since ds <= min(dx, dz)). The bilinear deposit as a gather:
 *     new[i, j] = ((c00 src[i, j] + c10 src[i - sx, j]) + c01 src[i, j - sz]) + c11 src[i - sx, j - sz]
 * c00 = (1-|u|)(1-|w|), c10 = |u|(1-|w|), c01 = (1-|u|)|w|, c11 = |u||w|, sx = sign(u), sz = sign(w)
 * (+1 for 0). */
typedef struct tr_stream_w {
    double c00, c10, c01, c11;
    int sx, sz;
} tr_stream_w;

SD_HD tr_stream_w tr_stream_weights(double theta, double ds, double dx, double dz)
{
    const double u = ds * sd_sin(theta) / dx, w = ds * sd_cos(theta) / dz;
    const double au = fabs(u), aw = fabs(w);
    tr_stream_w s;
    s.c00 = (1.0 - au) * (1.0 - aw);
    s.c10 = au * (1.0 - aw);
    s.c01 = (1.0 - au) * aw;
    s.c11 = au * aw;
    s.sx = u < 0.0 ? -1 : 1;
    s.sz = w < 0.0 ? -1 : 1;
    return s;
}

/* ---- Energy-loss split --------------------------------------------------------------------------
 * Source bin m (centre E_m) goes to E' = tr_csda_step(E_m); it stops when E' < e_cut. Else its weight
 * w is split between the bin centres bracketing E' (cen[], ascending, n >= 2): lo = the last centre
 * <= E' (0 below the first centre), w_lo = w * f_lo with f_lo = (cen[lo+1] - E') / (cen[lo+1] -
 * cen[lo]) (1 below the first centre), and the rest w_hi = w - w_lo to lo + 1. The cell's dose
 * gets w E_m - (w_lo cen[lo] + w_hi cen[lo+1]). */
SD_HD void tr_split(double Ep, const double *cen, int64_t n, int64_t *lo, double *flo)
{
    if (Ep < cen[0]) { *lo = 0; *flo = 1.0; return; }
    int64_t l = 0, h = n - 2;
    while (l < h) {
        const int64_t mid = (l + h + 1) / 2;
        if (cen[mid] <= Ep) l = mid;
        else h = mid - 1;
    }
    *lo = l;
    double f = (cen[l + 1] - Ep) / (cen[l + 1] - cen[l]);
    *flo = f > 1.0 ? 1.0 : f < 0.0 ? 0.0 : f;
}

/* Bin centre k of an inner axis of n bins over [lo, hi]: the one formula every op uses. */
SD_HD double tr_centre(double lo, double hi, int64_t n, int64_t k) { return lo + ((double)k + 0.5) * (hi - lo) / (double)n; }

#endif
