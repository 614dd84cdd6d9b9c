/* t_lattice_physics.c - the lattice domain's physics, end to end through `stardag run`:
 * exact energy conservation, the discrete dispersion relation, walls, absorbing ends, refusal of
 * a CFL violation. */
#include <math.h>
#include "h5out.h"
#include "run_util.h"
#include "tap.h"

static double max_drift(const double *v, int64_t n)
{
    double worst = 0;
    for (int64_t i = 1; i < n; i++) worst = fmax(worst, fabs(v[i] - v[0]) / fabs(v[0]));
    return worst;
}

static int read_series(const char *file, const char *name, int64_t **steps, double **v, int64_t *n)
{
    char err[512];
    if (sd_h5_read_scalar(file, name, steps, v, n, err, sizeof err) < 0) {
        diag("%s", err);
        return -1;
    }
    return 0;
}

int main(void)
{
    char out[1024], *log = NULL;
    int64_t *steps, n;
    double *v;

    /* 1. energy on a periodic grid, 400 steps */
    snprintf(out, sizeof out, "%s/energy.h5", tmpdir());
    int rc = stardag(&log, "run graphs/lattice/kg-packet.yaml --set n=24 --set width=3 --steps 400 --out %s --quiet", out);
    if (!ok(rc == 0, "kg-packet at 24^3 runs 400 steps (exit %d)", rc)) diag("%s", log);
    free(log);
    if (read_series(out, "energy", &steps, &v, &n) == 0) {
        ok(n == 40 && steps[0] == 10 && steps[n - 1] == 400, "energy every 10 steps: %lld values", (long long)n);
        ok(v[0] > 0, "energy is positive (%g)", v[0]);
        double d = max_drift(v, n);
        ok(d <= 1e-12, "periodic: conserved energy constant to %.2e <= 1e-12 relative over 400 steps", d);
        free(steps);
        free(v);
    }

    /* 2. dispersion: the frequency of a plane wave */
    snprintf(out, sizeof out, "%s/disp.h5", tmpdir());
    rc = stardag(&log, "run graphs/lattice/dispersion.yaml --out %s --quiet", out);
    if (!ok(rc == 0, "dispersion graph runs (exit %d)", rc)) diag("%s", log);
    free(log);
    int64_t *s2, n2;
    double *re, *im;
    if (read_series(out, "re", &steps, &re, &n) == 0 && read_series(out, "im", &s2, &im, &n2) == 0 && n == n2 && n > 10) {
        /* the graph's parameters */
        const double dx = 0.5, c = 1.0, dt = 0.25, chi = 0.7, N[3] = {32, 16, 8}, m[3] = {3, 1, 1};
        double s = 0;
        for (int d = 0; d < 3; d++) {
            double k = 2 * M_PI * m[d] / (N[d] * dx), sn = sin(k * dx / 2);
            s += sn * sn / (dx * dx);
        }
        double rhs = c * c * dt * dt * s + (chi * dt / 2) * (chi * dt / 2);
        double omega = 2 * asin(sqrt(rhs)) / dt;
        /* least-squares slope of the unwrapped phase of the mode amplitude */
        double prev = atan2(im[0], re[0]), unwrapped = prev, sx = 0, sy = 0, sxx = 0, sxy = 0, amin = INFINITY, amax = 0;
        for (int64_t i = 0; i < n; i++) {
            double ph = atan2(im[i], re[i]), dph = ph - prev;
            while (dph > M_PI) dph -= 2 * M_PI;
            while (dph < -M_PI) dph += 2 * M_PI;
            if (i) unwrapped += dph;
            prev = ph;
            double x = (double)steps[i];
            sx += x, sy += unwrapped, sxx += x * x, sxy += x * unwrapped;
            double a = hypot(re[i], im[i]);
            amin = fmin(amin, a), amax = fmax(amax, a);
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        double measured = fabs(slope) / dt;
        is_close(measured, omega, 1e-8, "measured frequency %.15f matches the discrete relation %.15f to 1e-8", measured, omega);
        ok((amax - amin) / amax < 1e-10, "a pure mode: amplitude constant to %.1e", (amax - amin) / amax);
        free(steps), free(s2), free(re), free(im);
    }

    /* 3. reflective, fixed and periodic axes */
    snprintf(out, sizeof out, "%s/walls.h5", tmpdir());
    rc = stardag(&log, "run tests/graphs/kg-walls.yaml --out %s --quiet", out);
    if (!ok(rc == 0, "kg-walls runs (exit %d)", rc)) diag("%s", log);
    free(log);
    if (read_series(out, "energy", &steps, &v, &n) == 0) {
        double d = max_drift(v, n);
        ok(n == 80 && d <= 1e-12, "walls: energy constant to %.2e <= 1e-12 over %lld samples", d, (long long)n);
        free(steps), free(v);
    }

    /* 4. absorbing ends let the packet out */
    snprintf(out, sizeof out, "%s/absorb.h5", tmpdir());
    rc = stardag(&log, "run tests/graphs/kg-absorb-1d.yaml --out %s --quiet", out);
    if (!ok(rc == 0, "kg-absorb-1d runs (exit %d)", rc)) diag("%s", log);
    free(log);
    if (read_series(out, "energy", &steps, &v, &n) == 0) {
        ok(v[n - 1] < 1e-5 * v[0], "absorbing: %.2e (< 1e-5) of the energy is left after the packet left", v[n - 1] / v[0]);
        ok(max_drift(v, 10) < 1e-10, "absorbing: energy conserved while the packet is inside (%.1e)", max_drift(v, 10));
        free(steps), free(v);
    }

    /* 5. a CFL violation is refused before running */
    rc = stardag(&log, "run graphs/lattice/kg-packet.yaml --set dt=0.6 --out %s/cfl.h5", tmpdir());
    ok(rc == 2 && strstr(log, "kg-packet.yaml:") && strstr(log, "CFL"), "dt above the CFL limit: exit 2 with a located CFL message");
    diag("%s", log ? log : "");
    free(log);
    return tap_done();
}
