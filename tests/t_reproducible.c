/* t_reproducible.c - the same graph gives the same bits whatever the tiling, scheduler and
 * number of CPU workers: fields follow from per-cell updates, scalars from exact sums. */
#include "h5out.h"
#include "run_util.h"
#include "tap.h"

static const struct { const char *tiles, *sched; int ncpu; } runs[] = {
    {"16x16x16", "lws", 1},   /* one tile */
    {"8x8x4", "eager", 2},
    {"7x16x3", "dmda", 4},    /* uneven splits along x and z */
    {"16x4x16", "random", 3},
    {"5x5x5", "ws", 2},
    {"3x16x16", "prio", 1},
};

int main(void)
{
    enum { NR = sizeof runs / sizeof runs[0] };
    double *field0 = NULL, *energy0 = NULL;
    int64_t nf0 = 0, ne0 = 0;
    for (int r = 0; r < NR; r++) {
        char out[1024], err[512], *log;
        snprintf(out, sizeof out, "%s/rep%d.h5", tmpdir(), r);
        /* 16^3 grid, fields every 10 steps */
        int rc = stardag(&log, "run graphs/lattice/kg-packet.yaml --set n=16 --set width=2.5 --steps 30 --tiles %s "
                         "--sched %s --ncpu %d --out %s --quiet", runs[r].tiles, runs[r].sched, runs[r].ncpu, out);
        if (!ok(rc == 0, "tiles %s, sched %s, %d CPUs: runs (exit %d)", runs[r].tiles, runs[r].sched, runs[r].ncpu, rc)) {
            diag("%s", log);
            free(log);
            continue;
        }
        free(log);
        double *f, *e;
        int64_t nf, ne, *steps;
        if (sd_h5_read_field(out, "E", 30, &f, &nf, err, sizeof err) < 0 ||
            sd_h5_read_scalar(out, "energy", &steps, &e, &ne, err, sizeof err) < 0) {
            ok(0, "read outputs: %s", err);
            continue;
        }
        free(steps);
        if (!field0) {
            field0 = f, nf0 = nf, energy0 = e, ne0 = ne;
            ok(nf > 0 && ne == 3, "reference run wrote the field (%lld cells) and 3 energies", (long long)nf);
            continue;
        }
        ok(nf == nf0 && !memcmp(f, field0, nf * sizeof *f), "field E at step 30 bitwise identical to the reference");
        ok(ne == ne0 && !memcmp(e, energy0, ne * sizeof *e), "energy series bitwise identical to the reference");
        free(f), free(e);
    }
    free(field0), free(energy0);
    return tap_done();
}
