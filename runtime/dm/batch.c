/* batch.c - the batch domain class: M copies of one ODE system (stardag/ode.h) as a
 * one-dimensional grid of systems without halos, run by the grid class's machinery (tiles,
 * expansion, reads, snapshots, output: dm/grid.c) with hooks for what differs: tiles are N ranges
 * of systems, every op's tile view carries the system, and ops on systems no CUDA thread can
 * evaluate run on CPUs. The summary reports the systems a solver left failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "batch.h"
#include "grid_impl.h"
#include "stardag/ode.h"

/* systems of an automatic range: even for a cheap system (Van der Pol: ~2 us per system and
 * interval) a task well above StarPU's per-task cost, while a few hundred stiff systems still
 * spread over the workers */
#define BATCH_MIN_RANGE 128
#define BATCH_MAX_RANGES SD_MAX_TILES_PER_AXIS

/* So the scheduler can balance; fewer ranges when M is small (one when M < 2 * BATCH_MIN_RANGE). */
int sd_batch_auto_ranges(int64_t M, int ncpu, int ncuda)
{
    int64_t want = 4 * (int64_t)(ncpu > 0 ? ncpu : 1) + 8 * (int64_t)(ncuda > 0 ? ncuda : 0);
    int64_t most = M / BATCH_MIN_RANGE;
    if (want > most) want = most;
    if (want > BATCH_MAX_RANGES) want = BATCH_MAX_RANGES;
    return want < 1 ? 1 : (int)want;
}

/* --tiles N: a number of ranges, within what sd_batch_tiling makes. */
static int batch_parts_check(const sd_graph *g, const int64_t parts[3], char *err, size_t errlen)
{
    if (sd_dm_parts_count_only(parts, "a batch takes a number of ranges of systems", err, errlen)) return -1;
    sd_tiling t;
    if (sd_batch_tiling(g, parts[0], 1, 0, &t, err, errlen) < 0) return -1;
    sd_tiling_free(&t);
    return 0;
}

int sd_batch_tiling(const sd_graph *g, int64_t nranges, int ncpu, int ncuda, sd_tiling *t, char *err, size_t errlen)
{
    const int64_t M = g->domain.batch.count;
    int64_t n = nranges > 0 ? nranges : g->domain.batch.ntiles;
    if (n <= 0) {
        n = sd_batch_auto_ranges(M, ncpu, ncuda);
        /* and enough that a range of every field fits one StarPU vector (UINT32_MAX values) */
        int most = 1;
        for (int f = 0; f < g->nfields; f++) most = g->fields[f].ncomp > most ? g->fields[f].ncomp : most;
        const int64_t fit = (int64_t)(((uint64_t)M * (uint64_t)most + UINT32_MAX - 1) / UINT32_MAX);
        if (n < fit) n = fit < BATCH_MAX_RANGES ? fit : BATCH_MAX_RANGES;
    }
    if (n > M || n > BATCH_MAX_RANGES) {
        snprintf(err, errlen, "%lld ranges of a batch of %lld systems: expected 1 to %lld", (long long)n, (long long)M,
                 (long long)(M < BATCH_MAX_RANGES ? M : BATCH_MAX_RANGES));
        return -1;
    }
    *t = (sd_tiling){.ndim = 1, .shape = {M, 1, 1}, .nt = {(int)n, 1, 1}, .ntiles = (int)n,
                     .bc = {SD_BC_PERIODIC, SD_BC_PERIODIC, SD_BC_PERIODIC}};
    for (int d = 0; d < 3; d++) {
        const int64_t k = d ? 1 : n;
        if (!(t->start[d] = malloc((size_t)(k + 1) * sizeof(int64_t)))) {
            sd_tiling_free(t);
            snprintf(err, errlen, "out of memory for the ranges of a batch");
            return -1;
        }
        for (int64_t i = 0; i <= k; i++) t->start[d][i] = i * t->shape[d] / k; /* M <= 2^40, k <= 4096 */
    }
    return 0;
}

static int batch_tiling(const sd_dm *dm, const sd_dm_opts *o, sd_tiling *t, char *err, size_t errlen)
{
    return sd_batch_tiling(dm->g, o->parts[0], o->ncpu, o->ncuda, t, err, errlen);
}

static void batch_tmpl(const sd_dm *dm, const sd_gop *op, sd_tile_args *a)
{
    (void)op;
    a->system = dm->g->domain.batch.system;
}

/* A CUDA thread evaluates built-in systems only (codelets/ode/systems.h) and locates no events;
 * a CPU runs the rest. */
static int batch_cuda_ok(const sd_dm *dm, const sd_gop *op)
{
    (void)op;
    const sd_ode_system *s = dm->g->domain.batch.system;
    return s->device != SD_ODE_DEVICE_NONE && s->nevents == 0;
}

static const sd_grid_hooks hooks = {.tiling = batch_tiling, .tmpl = batch_tmpl, .cuda_ok = batch_cuda_ok};

static int batch_create(sd_dm *dm, const sd_dm_opts *o, char *err, size_t errlen)
{
    return sd_grid_create_with(dm, o, &hooks, err, errlen);
}

/* The grid's own, as they are. */
static void batch_submit_init(sd_dm *dm) { sd_dm_grid.submit_init(dm); }
static void batch_submit_step(sd_dm *dm, int64_t step) { sd_dm_grid.submit_step(dm, step); }
static void batch_submit_output(sd_dm *dm, int64_t step, int last, int fields_out)
{
    sd_dm_grid.submit_output(dm, step, last, fields_out);
}
static int batch_write_snapshot(sd_dm *dm, const sd_record *r, struct sd_h5out *out, char *err, size_t errlen)
{
    return sd_dm_grid.write_snapshot(dm, r, out, err, errlen);
}
static void batch_field_layout(const sd_dm *dm, int *ndim, int64_t shape[3], double spacing[3])
{
    sd_dm_grid.field_layout(dm, ndim, shape, spacing);
}
static void batch_release(sd_dm *dm) { sd_dm_grid.release(dm); }
static void batch_destroy(sd_dm *dm) { sd_dm_grid.destroy(dm); }

/* "8 ranges of 1,250 systems" (of up to, when they differ). */
static const char *grouped(char *b, size_t len, int64_t v)
{
    char d[32];
    snprintf(d, sizeof d, "%lld", (long long)v);
    size_t n = strlen(d), k = 0;
    for (size_t i = 0; i < n && k + 2 < len; i++) {
        if (i && (n - i) % 3 == 0) b[k++] = ',';
        b[k++] = d[i];
    }
    b[k] = 0;
    return b;
}

static void batch_describe(const sd_dm *dm, char *buf, size_t len)
{
    const int nt = sd_grid_ntiles(dm);
    int64_t o[3], n[3], most = 0, least = INT64_MAX;
    for (int t = 0; t < nt; t++) {
        sd_grid_tile_range(dm, t, o, n);
        if (n[0] > most) most = n[0];
        if (n[0] < least) least = n[0];
    }
    char a[32], b[32];
    const sd_gbatch *B = &dm->g->domain.batch;
    snprintf(buf, len, "%s system%s (%s) in %d range%s of %s%s system%s", grouped(a, sizeof a, B->count),
             B->count == 1 ? "" : "s", B->source, nt, nt == 1 ? "" : "s", least == most ? "" : "up to ", grouped(b, sizeof b, most), most == 1 ? "" : "s");
}

static void batch_rate(const sd_dm *dm, int64_t steps_done, double wall, char *buf, size_t len)
{
    snprintf(buf, len, "%.3g systems x intervals/s", (double)dm->g->domain.batch.count * steps_done / (wall > 1e-9 ? wall : 1e-9));
}

/* The field bound to a batch solver's stats role (SD_ODE_NSTATS components), or -1. */
static int stats_field(const sd_graph *g)
{
    for (int i = 0; i < g->nstep; i++) {
        const sd_codelet *c = g->step[i].cl;
        if (c->domain != SD_ON_BATCH) continue;
        for (int r = 0; r < c->nroles; r++) {
            const sd_binding *b = &g->step[i].bind[r];
            if (!strcmp(c->roles[r].name, "stats") && !b->is_scalar && !b->is_table && !b->unbound &&
                g->fields[b->index].ncomp == SD_ODE_NSTATS)
                return b->index;
        }
    }
    return -1;
}

static const char *status_name(int s)
{
    static const char *const names[] = {"ok", "stopped by an event", "step size underflow", "too many steps",
                                        "non-finite values", "stiff", "singular iteration matrix", "Newton failures",
                                        "unusable tolerances"};
    return s >= 0 && s < (int)(sizeof names / sizeof names[0]) ? names[s] : "unknown status";
}

/* Systems a solver left failed, by status, with the first ten indices: the stats field's final
 * values, read once every task is done (the summary comes after the last one). */
static void batch_report(const sd_dm *dm)
{
    const sd_graph *g = dm->g;
    const int f = stats_field(g);
    if (f < 0) return;
    enum { NSTATUS = 16 };
    int64_t count[NSTATUS] = {0}, first[10], nfirst = 0, failed = 0, stopped = 0;
    for (int t = 0; t < sd_grid_ntiles(dm); t++) {
        starpu_data_handle_t h = sd_grid_tile_handle(dm, f, 0, t);
        if (starpu_data_acquire(h, STARPU_R) != 0) {
            printf("  systems: the solver statistics could not be read\n");
            return;
        }
        int64_t o[3], n[3], stride[3], sc, off, total;
        sd_grid_tile_range(dm, t, o, n);
        sd_tile_layout(1, n, 0, SD_ODE_NSTATS, stride, &sc, &off, &total);
        const double *st = (const double *)starpu_data_get_local_ptr(h);
        if (!st) { /* no copy here: a count without this range would be wrong */
            starpu_data_release(h);
            printf("  systems: the solver statistics could not be read\n");
            return;
        }
        for (int64_t i = 0; i < n[0]; i++) {
            const double v = st[off + i + SD_ODE_STATUS * sc];
            const int s = v >= 0 && v < NSTATUS ? (int)v : NSTATUS - 1;
            count[s]++;
            stopped += s == SD_ODE_STOPPED;
            if (s >= SD_ODE_FAIL_FIRST) {
                failed++;
                if (nfirst < 10) first[nfirst++] = o[0] + i;
            }
        }
        starpu_data_release(h);
    }
    char b[32];
    printf("  systems: %s failed", grouped(b, sizeof b, failed));
    if (stopped) printf(", %s stopped by a terminal event", grouped(b, sizeof b, stopped));
    printf(" of %s (field %s)\n", grouped(b, sizeof b, g->domain.batch.count), g->fields[f].name);
    if (!failed) return;
    for (int s = SD_ODE_FAIL_FIRST; s < NSTATUS; s++)
        if (count[s]) printf("    %s: %s\n", status_name(s), grouped(b, sizeof b, count[s]));
    printf("    first failed system%s:", nfirst == 1 ? "" : "s");
    for (int k = 0; k < nfirst; k++) printf(" %lld", (long long)first[k]);
    printf("\n");
}

static const char *const batch_locations[] = {"systems", NULL};

extern const sd_dm_syntax sd_batch_syntax; /* graph/domain_batch.c */

const sd_dm_class sd_dm_batch = {
    .name = "batch",
    .kind = SD_DOMAIN_BATCH,
    .codelets = SD_ON_BATCH,
    .patterns = 1u << SD_POINTWISE | 1u << SD_REDUCTION | 1u << SD_WHOLE,
    .locations = batch_locations,
    .cpu_fallback = 1, /* solver ops of systems without a CUDA form run on CPUs in a CUDA run */
    .run_file_fields = 1,
    .report_reads_parts = 1, /* the systems' statistics (batch_report) */
    .syntax = &sd_batch_syntax,
    .parts_check = batch_parts_check,
    .create = batch_create,
    .submit_init = batch_submit_init,
    .submit_step = batch_submit_step,
    .submit_output = batch_submit_output,
    .write_snapshot = batch_write_snapshot,
    .field_layout = batch_field_layout,
    .describe = batch_describe,
    .rate = batch_rate,
    .report = batch_report,
    .release = batch_release,
    .destroy = batch_destroy,
    .submit_checkpoint = sd_grid_submit_checkpoint, /* the systems' state is in fields (stats, work) */
    .restore = sd_grid_restore,
};
