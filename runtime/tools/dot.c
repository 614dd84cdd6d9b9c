/* dot.c - dependencies follow StarPU's sequential consistency: a task depends on the last writer
 * of each datum it touches, and a writer also on the readers since that write. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "batch.h"
#include "dot.h"
#include "probe.h"
#include "engine.h"
#include "grid_expand.h"

typedef struct dot_ctx {
    const sd_graph *g;
    const sd_plan *p;
    int nt, record, ntasks;
    FILE *out;
    int *writer;        /* per datum: last writing task or -1 */
    int **readers;      /* per datum: readers since the last write */
    int *nreaders, *capreaders;
    int *seen, nseen;   /* per task: the last task it was linked to (deduplicates edges) */
    int64_t nedges;
} dot_ctx;

/* Partials: one set per step in turn (sd_eng_partial_set), as the run registers them. */
static size_t datum(const dot_ctx *c, const sd_href *h, int64_t step)
{
    size_t nt = c->nt, nbuf = c->p->nbuf, ns = c->p->nslots, sets = SD_PARTIAL_SETS;
    switch (h->kind) {
    case SD_H_TILE: return (size_t)h->a * nt + h->b;
    case SD_H_FACE: return nbuf * nt + ((size_t)h->a * nt + h->b) * 6 + h->c;
    case SD_H_PARTIAL: return nbuf * nt * 7 + ((size_t)h->a * sets + (size_t)sd_eng_partial_set(step)) * nt + h->b;
    default: return nbuf * nt * 7 + ns * sets * nt + h->a;
    }
}

static void edge(dot_ctx *c, int from, int to, int *seen)
{
    if (from < 0 || seen[from] == to) return;
    seen[from] = to;
    fprintf(c->out, "  t%d -> t%d;\n", from, to);
    c->nedges++;
}

static void record(void *ctx, const sd_task *t)
{
    dot_ctx *c = ctx;
    if (!c->record) return; /* steps before the drawn one only advance the plan's state */
    int id = c->ntasks++;
    if (c->ntasks > c->nseen) {
        int n = 2 * c->ntasks + 64, *p = realloc(c->seen, n * sizeof *p);
        if (!p) abort();
        for (int i = c->nseen; i < n; i++) p[i] = -1;
        c->seen = p, c->nseen = n;
    }
    int *seen = c->seen;
    {
        static const char *color[] = {"lightblue", "khaki", "khaki", "palegreen", "lightgrey"};
        const char *what = t->kind == SD_TASK_OP ? t->op->cl->name : t->kind == SD_TASK_PACK ? "halo pack"
                         : t->kind == SD_TASK_UNPACK ? "halo unpack" : t->kind == SD_TASK_COMBINE ? "combine" : "snapshot";
        char extra[128] = "";
        if ((t->kind == SD_TASK_PACK || t->kind == SD_TASK_UNPACK) && t->box) /* a full-box round names its axis */
            snprintf(extra, sizeof extra, " %s (%c)", c->g->fields[t->field].name, "xyz"[t->axis]);
        else if (t->kind == SD_TASK_PACK || t->kind == SD_TASK_UNPACK)
            snprintf(extra, sizeof extra, " %s", c->g->fields[t->field].name);
        if (t->tile >= 0) fprintf(c->out, "  t%d [label=\"%s%s\\ntile %d\", fillcolor=%s];\n", id, what, extra, t->tile, color[t->kind]);
        else fprintf(c->out, "  t%d [label=\"%s%s\", fillcolor=%s];\n", id, what, extra, color[t->kind]);
    }
    for (int i = 0; i < t->nh; i++) {
        if (t->h[i].kind == SD_H_TABLE) continue; /* read-only from the start: no task waits for it */
        size_t d = datum(c, &t->h[i], t->step);
        edge(c, c->writer[d], id, seen);
        if (t->mode[i] == SD_READ) {
            if (c->nreaders[d] == c->capreaders[d]) {
                c->capreaders[d] = 2 * c->capreaders[d] + 4;
                int *r = realloc(c->readers[d], c->capreaders[d] * sizeof(int));
                if (!r) abort();
                c->readers[d] = r;
            }
            c->readers[d][c->nreaders[d]++] = id;
        } else {
            for (int r = 0; r < c->nreaders[d]; r++) edge(c, c->readers[d][r], id, seen);
            c->nreaders[d] = 0;
            c->writer[d] = id;
        }
    }
}

#define SD_DOT_SCAN 10000 /* the default step is looked for among the first steps only (usage says so) */

const char sd_dot_usage[] =
    "usage: stardag dot FILE [--step N] [--tiles X[xY[xZ]]] [--ncpu N] [--ncuda N] [--arch any|cpu|cuda]\n"
    "                        [--steps N] [--set NAME=VALUE]...\n"
    "  one step's task DAG (ops, halo packs and unpacks, reductions) as Graphviz DOT on stdout, exactly\n"
    "  as a run submits it: stardag dot FILE | dot -Tsvg > step.svg. --step N draws step N (at most the\n"
    "  run's steps); default: the first step where every op runs (the lcm of their `every`s), or, when\n"
    "  that lies beyond the run or step 10000, the first step with the most ops. The label names the step\n"
    "  and the ops not due then. Grid graphs only.\n"
    "  --load PACK.so       load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n";

/* The default step: the first one (within the run and SD_DOT_SCAN) where the most step ops are due;
 * all of them at the lcm of their `every`s when it lies in range. */
static int64_t default_step(const sd_graph *g, int64_t steps)
{
    int64_t best = 1, last = steps < SD_DOT_SCAN ? steps : SD_DOT_SCAN;
    int most = -1;
    for (int64_t s = 1; s <= last && most < g->nstep; s++) {
        int due = 0;
        for (int i = 0; i < g->nstep; i++) due += sd_op_due(&g->step[i], s);
        if (due > most) most = due, best = s;
    }
    return best;
}

/* "every op runs" or "not due: A (every 10), B (every 7)" for the label */
static void due_note(const sd_graph *g, int64_t step, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "every op runs");
    int first = 1;
    for (int i = 0; i < g->nstep && n < len; i++)
        if (!sd_op_due(&g->step[i], step)) {
            n = first ? 0 : n;
            n += (size_t)snprintf(buf + n, len - n, "%s%s (every %d)", first ? "not due: " : ", ", g->step[i].cl->name,
                                  g->step[i].every);
            first = 0;
        }
}

int sd_dot(const sd_graph *g, const sd_run_opts *o, int64_t step, FILE *out)
{
    int64_t steps = o->steps > 0 ? o->steps : g->run.steps;
    if (step > steps) {
        fprintf(stderr, "stardag: %s: --step %lld is beyond the run's %lld steps (raise them with --steps)\n", g->path,
                (long long)step, (long long)steps);
        return SD_EXIT_BADGRAPH;
    }
    if (step <= 0) step = default_step(g, steps);
    int64_t tile[3];
    int hmax = 0;
    for (int f = 0; f < g->nfields; f++) hmax = g->fields[f].halo > hmax ? g->fields[f].halo : hmax;
    int ncpu = o->ncpu > 0 ? o->ncpu : (int)sysconf(_SC_NPROCESSORS_ONLN);
    int ncuda = 0; /* probed when an automatic tiling needs it */
    if (o->tile[0] > 0) memcpy(tile, o->tile, sizeof tile);
    else if (!g->run.tiles_auto) memcpy(tile, g->run.tile, sizeof tile);
    else {
        ncuda = o->arch == SD_ARCH_CPU ? 0 : o->ncuda >= 0 ? o->ncuda : sd_probe_cuda_devices();
        sd_tiling_auto(&g->domain, ncpu, ncuda, hmax, 0, tile);
    }
    sd_tiling t;
    sd_plan p;
    char err[512];
    if (g->domain.kind == SD_DOMAIN_BATCH ? sd_batch_tiling(g, o->tile[0], ncpu, ncuda, &t, err, sizeof err) < 0 /* ranges */
                                          : sd_tiling_make(&t, &g->domain, tile, hmax, err, sizeof err) < 0) {
        fprintf(stderr, "stardag: %s: %s\n", g->path, err);
        return SD_EXIT_RUNTIME;
    }
    if (sd_plan_make(&p, g, &t) < 0) return SD_EXIT_RUNTIME;
    sd_plan_set_support(&p, !sd_halo_dense_asked()); /* a CPU run's exchanges (--fuse is the run's) */
    dot_ctx c = {.g = g, .p = &p, .nt = t.ntiles, .out = out};
    size_t nd = (size_t)p.nbuf * t.ntiles * 7 + (size_t)p.nslots * SD_PARTIAL_SETS * t.ntiles + g->nscalars + 1;
    c.writer = malloc(nd * sizeof(int));
    c.readers = calloc(nd, sizeof(int *));
    c.nreaders = calloc(nd, sizeof(int));
    c.capreaders = calloc(nd, sizeof(int));
    if (!c.writer || !c.readers || !c.nreaders || !c.capreaders) {
        fprintf(stderr, "stardag: %s: out of memory for the task graph\n", g->path);
        free(c.writer), free(c.readers), free(c.nreaders), free(c.capreaders);
        sd_plan_free(&p);
        sd_tiling_free(&t);
        return SD_EXIT_RUNTIME;
    }
    for (size_t i = 0; i < nd; i++) c.writer[i] = -1;
    sd_plan_init(&p, record, &c); /* brings halos and levels to their state before step 1 */
    for (int64_t s = 1; s < step; s++) sd_plan_step(&p, s, record, &c); /* levels and halos as at `step` */
    c.record = 1;
    char note[512];
    due_note(g, step, note, sizeof note);
    fprintf(out, "digraph \"%s\" {\n  label=\"%s: step %lld of %lld (%s), %d tiles\";\n  node [shape=box, style=filled];\n",
            g->name, g->name, (long long)step, (long long)steps, note, t.ntiles);
    sd_plan_step(&p, step, record, &c);
    fprintf(out, "}\n");
    for (size_t i = 0; i < nd; i++) free(c.readers[i]);
    free(c.readers);
    free(c.nreaders);
    free(c.capreaders);
    free(c.seen);
    free(c.writer);
    sd_plan_free(&p);
    sd_tiling_free(&t);
    return 0;
}
