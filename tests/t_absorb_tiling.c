/* t_absorb_tiling.c - absorbing (first-order Mur) boundaries give the same bits whatever the
 * tiling, scheduler and number of CPU workers: alone (tests/graphs/kg-absorb-3d.yaml: all six
 * sides absorbing), mixed with the other kinds on one grid (tests/graphs/kg-mixed-bc.yaml:
 * absorbing x, periodic y, reflective z), and in single precision (kg-absorb-f32.yaml). The grid
 * is 13 x 11 x 9, so most tilings are uneven; the thinnest tiles are 1 cell, the halo width (the
 * tiler's limit): whole axes of 1-cell slabs, and tilings with a 1-cell tile at the low side next
 * to 2-cell tiles. Every run's field E at every stored step and its scalar series are compared
 * bitwise with the one-tile run, and each run's summary must name the tile grid this test means
 * to exercise (so a change in the tiler cannot silently turn a case into another one). */
#include "h5out.h"
#include "run_util.h"
#include "tap.h"

typedef struct {
    const char *tiles, *sched;
    int ncpu;
    const char *grid; /* the summary's "N tiles (AxBxC) of XxYxZ cells": the first tile's extent */
} run_spec;

/* kg-absorb-3d: every side absorbing */
static const run_spec absorb_runs[] = {
    {"13x11x9", "lws", 1, "1 tiles (1x1x1) of 13x11x9 cells"}, /* reference: one tile */
    {"1x11x9", "eager", 2, "13 tiles (13x1x1) of 1x11x9 cells"},  /* 1-cell slabs along x */
    {"13x1x9", "dmda", 3, "11 tiles (1x11x1) of 13x1x9 cells"},   /* 1-cell slabs along y */
    {"13x11x1", "random", 2, "9 tiles (1x1x9) of 13x11x1 cells"}, /* 1-cell slabs along z */
    /* 1-cell tiles at the three low sides, 2-cell tiles elsewhere (13 = 1+6*2, 11 = 1+5*2, 9 = 1+4*2) */
    {"2x2x2", "ws", 4, "210 tiles (7x6x5) of 1x1x1 cells"},
    {"5x4x3", "prio", 3, "27 tiles (3x3x3) of 4x3x3 cells"}, /* uneven: 4,4,5 x 3,4,4 x 3,3,3 */
    {"7x11x2", "lws", 4, "10 tiles (2x1x5) of 6x11x1 cells"}, /* 6,7 x 11 x 1,2,2,2,2 */
    {"2x11x9", "dmda", 1, "7 tiles (7x1x1) of 1x11x9 cells"},  /* 1,2,2,2,2,2,2 along x only */
};

/* kg-mixed-bc: absorbing x, periodic y, reflective z */
static const run_spec mixed_runs[] = {
    {"13x11x9", "lws", 1, "1 tiles (1x1x1) of 13x11x9 cells"}, /* reference (y wraps in place) */
    {"1x11x9", "eager", 2, "13 tiles (13x1x1) of 1x11x9 cells"},  /* 1-cell slabs on the absorbing axis */
    {"13x1x9", "dmda", 3, "11 tiles (1x11x1) of 13x1x9 cells"},   /* ... on the periodic axis */
    {"13x11x1", "random", 2, "9 tiles (1x1x9) of 13x11x1 cells"}, /* ... on the reflective axis */
    {"2x2x2", "ws", 4, "210 tiles (7x6x5) of 1x1x1 cells"},       /* 1-cell tiles at every low side */
    {"5x11x3", "prio", 2, "9 tiles (3x1x3) of 4x11x3 cells"},     /* uneven x, one tile along y */
    {"4x6x4", "lws", 3, "24 tiles (4x2x3) of 3x5x3 cells"},       /* 3,3,3,4 x 5,6 x 3,3,3 */
};

/* kg-absorb-f32: every side absorbing, single precision */
static const run_spec f32_runs[] = {
    {"13x11x9", "lws", 1, "1 tiles (1x1x1) of 13x11x9 cells"},
    {"1x11x9", "eager", 2, "13 tiles (13x1x1) of 1x11x9 cells"},
    {"13x11x1", "dmda", 3, "9 tiles (1x1x9) of 13x11x1 cells"},
    {"2x2x2", "ws", 4, "210 tiles (7x6x5) of 1x1x1 cells"},
    {"5x4x3", "random", 2, "27 tiles (3x3x3) of 4x3x3 cells"},
};

enum { NSTEPS = 5 }; /* fields stored at steps 0, 10, 20, 30, 40 */

typedef struct {
    double *field[NSTEPS];
    int64_t nfield[NSTEPS];
    double *energy, *max;
    int64_t ne, nm;
} outputs;

static void outputs_free(outputs *o)
{
    for (int s = 0; s < NSTEPS; s++) free(o->field[s]);
    free(o->energy), free(o->max);
    memset(o, 0, sizeof *o);
}

static int read_outputs(const char *path, outputs *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    int64_t *steps = NULL, ns = 0;
    if (sd_h5_list_field_steps(path, "E", &steps, &ns, err, errlen) < 0) return -1;
    int good = ns == NSTEPS;
    for (int s = 0; good && s < NSTEPS; s++) good = steps[s] == 10 * s;
    free(steps);
    if (!good) {
        snprintf(err, errlen, "%.300s: expected field E at steps 0, 10, 20, 30, 40 (%lld steps stored)", path,
                 (long long)ns);
        return -1;
    }
    for (int s = 0; s < NSTEPS; s++)
        if (sd_h5_read_field(path, "E", 10 * s, &o->field[s], &o->nfield[s], err, errlen) < 0) return -1;
    if (sd_h5_read_scalar(path, "energy", &steps, &o->energy, &o->ne, err, errlen) < 0) return -1;
    free(steps);
    if (sd_h5_read_scalar(path, "max_E", &steps, &o->max, &o->nm, err, errlen) < 0) return -1;
    free(steps);
    return 0;
}

static int same(const double *a, int64_t na, const double *b, int64_t nb)
{
    return na == nb && na > 0 && !memcmp(a, b, (size_t)na * sizeof *a);
}

/* Runs every tiling of one graph; returns the reference run's outputs in *ref (the caller frees). */
static void tilings(const char *graph, const run_spec *runs, int nruns, outputs *ref)
{
    memset(ref, 0, sizeof *ref);
    for (int r = 0; r < nruns; r++) {
        char out[1024], err[512], *log;
        snprintf(out, sizeof out, "%s/%s-%d.h5", tmpdir(), graph, r);
        int rc = stardag(&log, "run tests/graphs/%s.yaml --tiles %s --sched %s --ncpu %d --out %s", graph,
                         runs[r].tiles, runs[r].sched, runs[r].ncpu, out);
        if (!ok(rc == 0, "%s, tiles %s, sched %s, %d CPUs: runs (exit %d)", graph, runs[r].tiles, runs[r].sched,
                runs[r].ncpu, rc)) {
            diag("%s", log ? log : "(no log)");
            free(log);
            continue;
        }
        if (!ok(log && strstr(log, runs[r].grid), "%s, --tiles %s: %s", graph, runs[r].tiles, runs[r].grid))
            diag("%s", log ? log : "(no log)");
        free(log);
        outputs o;
        if (read_outputs(out, &o, err, sizeof err) < 0) {
            ok(0, "%s, tiles %s: read the outputs: %s", graph, runs[r].tiles, err);
            outputs_free(&o);
            continue;
        }
        if (r == 0) {
            ok(o.nfield[0] == 13 * 11 * 9 && o.ne == 8 && o.nm == 8,
               "%s reference: E at 5 steps (%lld cells each), 8 energies, 8 max_E", graph, (long long)o.nfield[0]);
            *ref = o;
            continue;
        }
        for (int s = 1; s < NSTEPS; s++) {
            int eq = same(o.field[s], o.nfield[s], ref->field[s], ref->nfield[s]);
            if (!ok(eq, "%s, tiles %s, sched %s, %d CPUs: E at step %d bitwise identical to one tile", graph,
                    runs[r].tiles, runs[r].sched, runs[r].ncpu, 10 * s) &&
                o.nfield[s] == ref->nfield[s]) {
                int64_t first = -1, nbad = 0;
                for (int64_t i = 0; i < o.nfield[s]; i++)
                    if (memcmp(&o.field[s][i], &ref->field[s][i], sizeof(double))) nbad++, first = first < 0 ? i : first;
                diag("  %lld cells differ; first at cell (%lld, %lld, %lld): %.17g, one tile %.17g", (long long)nbad,
                     (long long)(first % 13), (long long)(first / 13 % 11), (long long)(first / 143),
                     o.field[s][first], ref->field[s][first]);
            }
        }
        ok(same(o.energy, o.ne, ref->energy, ref->ne) && same(o.max, o.nm, ref->max, ref->nm),
           "%s, tiles %s: energy and max_E series bitwise identical to one tile", graph, runs[r].tiles);
        outputs_free(&o);
    }
}

int main(void)
{
    outputs a, m, f;
    tilings("kg-absorb-3d", absorb_runs, sizeof absorb_runs / sizeof absorb_runs[0], &a);
    tilings("kg-mixed-bc", mixed_runs, sizeof mixed_runs / sizeof mixed_runs[0], &m);
    tilings("kg-absorb-f32", f32_runs, sizeof f32_runs / sizeof f32_runs[0], &f);

    /* The comparisons above see the boundaries at work: the packet reaches the sides within the run,
     * and the kinds of side decide what is left. */
    if (a.ne == 8 && m.ne == 8) {
        ok(a.energy[7] < 0.01 * a.energy[0], "all sides absorbing: %.2g of step 5's energy is left at step 40 (< 1%%)",
           a.energy[7] / a.energy[0]);
        ok(m.energy[7] < 0.5 * m.energy[0] && m.energy[7] > 5 * a.energy[7],
           "absorbing x only: %.2g of step 5's energy is left at step 40 (< 50%%, > 5 x all absorbing's)",
           m.energy[7] / m.energy[0]);
    } else {
        ok(0, "energy series of both reference runs read");
    }
    ok(a.nfield[0] > 0 && same(a.field[0], a.nfield[0], m.field[0], m.nfield[0]),
       "both graphs start from the same packet (E at step 0 bitwise identical)");
    ok(a.nfield[4] > 0 && a.nfield[4] == m.nfield[4] && memcmp(a.field[4], m.field[4], a.nfield[4] * sizeof(double)),
       "the two graphs' fields at step 40 differ (the bitwise comparisons would notice wrong ghosts)");
    /* the f32 graph is computed in single precision: its field is another one than f64's */
    ok(f.nfield[4] > 0 && f.nfield[4] == a.nfield[4] && memcmp(f.field[4], a.field[4], f.nfield[4] * sizeof(double)),
       "the f32 graph's field at step 40 differs from the f64 one's (it is computed in f32)");
    outputs_free(&a);
    outputs_free(&m);
    outputs_free(&f);
    return tap_done();
}
