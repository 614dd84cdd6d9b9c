/* t_profile_eval.c - the profile arithmetic of runtime/driver/profile.c on hand-made fields (no
 * StarPU run): sums over the other axes of a 3-D grid (each axis), a component of a two-component
 * field, f32 data, the peak (first of ties), the parabola vertex, distal fall-off interpolated
 * between cell centres, a level never reached, no peak for a zero or non-finite profile, and
 * compensated sums that do not lose small terms behind a large one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "profile.h"
#include "tap.h"

static sd_graph g;
static sd_gfield fl[1];

static void grid(int ndim, int64_t nx, int64_t ny, int64_t nz, double h, int ncomp, int dtype)
{
    memset(&g, 0, sizeof g);
    memset(fl, 0, sizeof fl);
    g.domain.kind = SD_DOMAIN_GRID;
    g.domain.ndim = ndim;
    g.domain.shape[0] = nx, g.domain.shape[1] = ny, g.domain.shape[2] = nz;
    for (int d = 0; d < 3; d++) g.domain.spacing[d] = d == 0 ? 1 : h;
    strcpy(fl[0].name, "dose");
    fl[0].ncomp = ncomp;
    fl[0].dtype = dtype;
    g.nfields = 1;
    g.fields = fl;
}

static sd_gprofile prof(int axis, int comp, int nf, const double *pct)
{
    sd_gprofile p = {.field = 0, .axis = axis, .component = comp, .nfalloff = nf};
    for (int i = 0; i < nf; i++) p.falloff[i] = pct[i];
    return p;
}

int main(void)
{
    double y[64];
    sd_profile_result r = {.values = y};
    /* 1-D along y of a 2-D grid: f(j) times column weights that sum to 2 */
    static const double f[16] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 4, 2, 1, 0, 0, 0}, a[4] = {0.25, 0.5, 0.75, 0.5};
    double d2[64];
    for (int j = 0; j < 16; j++)
        for (int i = 0; i < 4; i++) d2[j * 4 + i] = a[i] * f[j];
    grid(2, 4, 16, 1, 0.5, 1, SD_F64);
    const double pct[] = {90, 80, 50, 5};
    sd_gprofile p = prof(1, 0, 4, pct);
    sd_profile_compute(&g, &p, d2, &r);
    int sums = r.n == 16;
    for (int j = 0; j < 16; j++) sums &= y[j] == 2 * f[j];
    ok(sums, "along y: each value the sum over x (2 f(j))");
    ok(r.peak_index == 8 && r.peak == 4.25 && r.max == 20, "peak at cell 8, centre 4.25, max 20 (got %lld, %g, %g)",
       (long long)r.peak_index, r.peak, r.max);
    is_close(r.peak_fit, (8.5 + 1.0 / 6) * 0.5, 1e-15, "parabola vertex through 16, 20, 18: 1/6 cell beyond the centre");
    ok(r.falloff[0] == 4.75, "90%%: reached exactly at the centre of cell 9 (got %.17g)", r.falloff[0]);
    is_close(r.falloff[1], 4.85, 1e-15, "80%%: between cells 9 (18) and 10 (8), 2/10 of the way");
    is_close(r.falloff[2], 5.15, 1e-15, "50%%: 8/10 of the way from cell 9 to 10");
    is_close(r.falloff[3], 6.5, 1e-15, "5%%: between cells 12 (2) and 13 (0), half way");

    /* along x of the same field: 62 a(i); 50% of the max (46.5) is never reached beyond cell 2 */
    const double half[] = {50};
    p = prof(0, 0, 1, half);
    sd_profile_compute(&g, &p, d2, &r);
    ok(r.n == 4 && y[0] == 15.5 && y[2] == 46.5 && r.peak == 2.5, "along x: 62 a(i), peak at x = 2.5");
    ok(isnan(r.falloff[0]), "50%% never reached beyond the peak: NaN");
    ok(r.peak_fit == 2.5, "symmetric neighbours (31, 46.5, 31): the parabola vertex is the centre (%.17g)", r.peak_fit);

    /* ties: the first maximum; at the last cell the parabola is the centre itself */
    double t[4] = {1, 3, 3, 1};
    grid(1, 4, 1, 1, 1, 1, SD_F64);
    p = prof(0, 0, 0, NULL);
    sd_profile_compute(&g, &p, t, &r);
    ok(r.peak_index == 1 && r.peak == 1.5, "ties: the first of two equal maxima");
    double e[4] = {1, 2, 3, 4};
    sd_profile_compute(&g, &p, e, &r);
    ok(r.peak_index == 3 && r.peak_fit == 3.5, "a peak at the last cell: parabola = the centre");

    /* no peak: all zero, or a NaN */
    const double ninety[] = {90};
    p = prof(0, 0, 1, ninety);
    double z[4] = {0, 0, 0, 0};
    sd_profile_compute(&g, &p, z, &r);
    ok(r.peak_index == -1 && isnan(r.peak) && isnan(r.falloff[0]) && r.max == 0, "all zero: no peak, max 0");
    double nn[4] = {1, NAN, 2, 0};
    sd_profile_compute(&g, &p, nn, &r);
    ok(r.peak_index == -1 && isnan(r.max) && isnan(r.peak), "a NaN value: no peak, max NaN");

    /* 3-D, every axis; two components, the second profiled; f32 */
    float d3[2 * 2 * 3 * 4];
    grid(3, 2, 3, 4, 2, 2, SD_F32);
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 2; i++) d3[((c * 4 + k) * 3 + j) * 2 + i] = c ? (float)((i + 1) * (j + 1) * (k + 1)) : 1e6f;
    double want[3][4] = {{60, 120}, {30, 60, 90}, {18, 36, 54, 72}}; /* (i+1) * 6 * 10, ... */
    for (int ax = 0; ax < 3; ax++) {
        p = prof(ax, 1, 0, NULL);
        sd_profile_compute(&g, &p, d3, &r);
        int good = r.n == g.domain.shape[ax];
        for (int i = 0; i < r.n; i++) good &= y[i] == want[ax][i];
        ok(good, "3-D f32, component 1, along %c: sums over the two other axes", 'x' + ax);
    }
    ok(r.peak == 7 && r.peak_index == 3, "along z (spacing 2): peak at the last centre, 7");

    /* compensated: 1 + 1e-16 * 1000 keeps the small terms a plain sum would drop */
    static double big[1001];
    big[0] = 1;
    for (int i = 1; i < 1001; i++) big[i] = 1e-16;
    grid(2, 1001, 1, 1, 1, 1, SD_F64);
    p = prof(1, 0, 0, NULL);
    sd_profile_compute(&g, &p, big, &r);
    is_close(y[0], 1 + 1e-13, 1e-16, "compensated sum: 1 + 1000 x 1e-16 = 1 + 1e-13 (a plain sum gives 1)");
    return tap_done();
}
