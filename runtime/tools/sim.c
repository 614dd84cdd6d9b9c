/* sim.c - see sim.h. Events in time order (ties in the order they were made, so a schedule is
 * reproducible): a task submitted, a task ready (its dependencies ended, plus StarPU's latency),
 * a task ended. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

enum { EV_SUBMIT = 0, EV_END = 1, EV_READY = 2 };

typedef struct event {
    double t;
    int64_t seq;
    int kind; /* EV_SUBMIT, EV_END, EV_READY */
    int task;
} event;

typedef struct heap {
    event *v;
    int n, cap;
    int64_t seq;
} heap;

static int before(const event *a, const event *b) { return a->t < b->t || (a->t == b->t && a->seq < b->seq); }

static int heap_push(heap *h, double t, int kind, int task)
{
    if (h->n == h->cap) {
        int nc = h->cap ? 2 * h->cap : 256;
        event *p = realloc(h->v, (size_t)nc * sizeof *p);
        if (!p) return -1;
        h->v = p;
        h->cap = nc;
    }
    int i = h->n++;
    h->v[i] = (event){t, h->seq++, kind, task};
    while (i > 0 && before(&h->v[i], &h->v[(i - 1) / 2])) {
        event x = h->v[i];
        h->v[i] = h->v[(i - 1) / 2];
        h->v[(i - 1) / 2] = x;
        i = (i - 1) / 2;
    }
    return 0;
}

static event heap_pop(heap *h)
{
    event top = h->v[0];
    h->v[0] = h->v[--h->n];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && before(&h->v[l], &h->v[m])) m = l;
        if (r < h->n && before(&h->v[r], &h->v[m])) m = r;
        if (m == i) break;
        event x = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = x;
        i = m;
    }
    return top;
}

typedef struct state {
    const sd_sim_graph *g;
    const sd_sim_machine *m;
    const sd_sim_conf *c;
    sd_sim_result *r;
    heap h;
    int *left;            /* per task: dependencies not yet ended */
    unsigned char *submitted;
    int *succ, *succ0;    /* successors, CSR */
    unsigned *valid;      /* per data: bit k = a valid copy on node k */
    double *ready;        /* per data x node: when that copy is there */
    double *avail;        /* per worker (model policy): when its queue ends */
    unsigned char *idle;  /* per worker (greedy policy) */
    int *queue, qhead, qn; /* greedy: ready tasks in the order they became ready (-1: taken) */
} state;

static double task_cost(const state *s, int task, int w)
{
    return s->g->tasks[task].cost[s->m->workers[w].arch];
}

/* A worker's time on a task beyond its kernel, and the submitting thread's time on it. */
static double overhead(const sd_sim_machine *m, const sd_sim_task *t)
{
    return m->costs.overhead_us + t->nacc * m->costs.overhead_per_buffer_us;
}
static double submit_time(const sd_sim_machine *m, const sd_sim_task *t)
{
    return m->expand_us + m->costs.submit_us + t->nacc * m->costs.submit_per_buffer_us;
}

/* When the inputs of task are on node (transfers from the earliest source), not committing. */
static double inputs_at(const state *s, int task, int node)
{
    const sd_sim_task *t = &s->g->tasks[task];
    double at = 0;
    for (int k = 0; k < t->nacc; k++) {
        const sd_sim_access *a = &s->g->acc[t->acc0 + k];
        if (!(a->mode & SD_SIM_R)) continue;
        const double *rd = &s->ready[(size_t)a->data * SD_SIM_MAXNODES];
        double best = INFINITY;
        if (s->valid[a->data] & (1u << node)) best = rd[node];
        else
            for (int src = 0; src < s->m->nnodes; src++)
                if (s->valid[a->data] & (1u << src)) {
                    double x = rd[src] + s->m->latency_us[src][node] +
                               (double)s->g->data_bytes[a->data] / s->m->bytes_per_us[src][node];
                    if (x < best) best = x;
                }
        if (best > at) at = best;
    }
    return at;
}

/* Task runs on w from start to end: its data moves there. */
static int commit(state *s, int task, int w, double start, double end)
{
    const sd_sim_task *t = &s->g->tasks[task];
    int node = s->m->workers[w].node;
    for (int k = 0; k < t->nacc; k++) {
        const sd_sim_access *a = &s->g->acc[t->acc0 + k];
        double *rd = &s->ready[(size_t)a->data * SD_SIM_MAXNODES];
        const int here = (s->valid[a->data] >> node) & 1;
        if ((a->mode & SD_SIM_R) && !here) /* copied in by the start (inputs_at) */
            s->r->transfer_bytes += (double)s->g->data_bytes[a->data];
        if (a->mode & SD_SIM_W) {
            s->valid[a->data] = 1u << node;
            rd[node] = end;
        } else if (!here) {
            s->valid[a->data] |= 1u << node;
            rd[node] = start;
        }
    }
    s->r->start[task] = start;
    s->r->end[task] = end;
    s->r->worker[task] = w;
    s->r->busy[w] += end - start - overhead(s->m, t); /* kernel time, as a run measures it */
    return heap_push(&s->h, end, EV_END, task);
}

static int greedy_dispatch(state *s, double now)
{
    for (int w = 0; w < s->m->nworkers; w++) {
        if (!s->idle[w]) continue;
        for (int q = s->qhead; q < s->qn; q++) {
            int task = s->queue[q];
            if (task < 0 || isnan(task_cost(s, task, w))) continue;
            s->queue[q] = -1;
            while (s->qhead < s->qn && s->queue[s->qhead] < 0) s->qhead++;
            double start = fmax(now, inputs_at(s, task, s->m->workers[w].node));
            s->idle[w] = 0;
            if (commit(s, task, w, start, start + task_cost(s, task, w) + overhead(s->m, &s->g->tasks[task])) < 0)
                return -1;
            break;
        }
    }
    return 0;
}

static int make_ready(state *s, int task, double now)
{
    if (s->c->policy == SD_SIM_GREEDY) {
        s->queue[s->qn++] = task;
        return greedy_dispatch(s, now);
    }
    int best = -1;
    double best_start = 0, best_end = INFINITY;
    for (int w = 0; w < s->m->nworkers; w++) {
        double cost = task_cost(s, task, w);
        if (isnan(cost)) continue;
        double start = fmax(fmax(now, s->avail[w]), inputs_at(s, task, s->m->workers[w].node));
        double end = start + cost + overhead(s->m, &s->g->tasks[task]);
        if (end < best_end) best = w, best_start = start, best_end = end;
    }
    s->avail[best] = best_end;
    return commit(s, task, best, best_start, best_end);
}

int sd_sim_run(const sd_sim_graph *g, const sd_sim_machine *m, const sd_sim_conf *c, sd_sim_result *r, char *err,
               size_t errlen)
{
    memset(r, 0, sizeof *r);
    const int n = g->ntasks;
    for (int i = 0; i < n; i++) {
        int ok = 0;
        for (int w = 0; w < m->nworkers && !ok; w++) ok = !isnan(g->tasks[i].cost[m->workers[w].arch]);
        if (!ok) {
            snprintf(err, errlen, "task %d (step %lld) can run on none of the %d workers", i,
                     (long long)g->tasks[i].step, m->nworkers);
            return -1;
        }
    }
    state S = {.g = g, .m = m, .c = c, .r = r}, *s = &S;
    int ndep = 0;
    for (int i = 0; i < n; i++) ndep += g->tasks[i].ndeps;
    r->start = calloc(n + 1, sizeof *r->start);
    r->end = calloc(n + 1, sizeof *r->end);
    r->worker = calloc(n + 1, sizeof *r->worker);
    r->busy = calloc(m->nworkers + 1, sizeof *r->busy);
    s->left = calloc(n + 1, sizeof *s->left);
    s->submitted = calloc(n + 1, 1);
    s->succ0 = calloc(n + 2, sizeof *s->succ0);
    s->succ = calloc(ndep + 1, sizeof *s->succ);
    s->valid = calloc(g->ndata + 1, sizeof *s->valid);
    s->ready = calloc((size_t)(g->ndata + 1) * SD_SIM_MAXNODES, sizeof *s->ready);
    s->avail = calloc(m->nworkers + 1, sizeof *s->avail);
    s->idle = malloc(m->nworkers + 1);
    s->queue = malloc((n + 1) * sizeof *s->queue);
    int rc = -1;
    if (!r->start || !r->end || !r->worker || !r->busy || !s->left || !s->submitted || !s->succ0 || !s->succ ||
        !s->valid || !s->ready || !s->avail || !s->idle || !s->queue)
        goto oom;
    memset(s->idle, 1, m->nworkers + 1);
    for (int d = 0; d < g->ndata; d++) s->valid[d] = 1; /* in RAM at the start */
    for (int i = 0; i < n; i++) {
        s->left[i] = g->tasks[i].ndeps;
        for (int k = 0; k < g->tasks[i].ndeps; k++) s->succ0[g->deps[g->tasks[i].dep0 + k] + 1]++;
    }
    for (int i = 0; i < n; i++) s->succ0[i + 1] += s->succ0[i];
    int *fill = calloc(n + 1, sizeof *fill);
    if (!fill) goto oom;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->tasks[i].ndeps; k++) {
            int d = g->deps[g->tasks[i].dep0 + k];
            s->succ[s->succ0[d] + fill[d]++] = i;
        }
    free(fill);

    int64_t outstanding = 0, ended = 0;
    int blocked = -1; /* the next task to submit once the window has room, else -1 */
    if (n > 0 && heap_push(&s->h, submit_time(m, &g->tasks[0]), EV_SUBMIT, 0) < 0) goto oom;
    while (s->h.n) {
        event ev = heap_pop(&s->h);
        int i = ev.task;
        if (ev.kind == EV_READY) {
            if (make_ready(s, i, ev.t) < 0) goto oom;
            continue;
        }
        if (ev.kind == EV_SUBMIT) {
            s->submitted[i] = 1;
            outstanding++;
            if (!s->left[i] && make_ready(s, i, ev.t) < 0) goto oom;
            if (i + 1 < n) {
                if (g->tasks[i + 1].step != g->tasks[i].step && outstanding > c->window) blocked = i + 1;
                else if (heap_push(&s->h, ev.t + submit_time(m, &g->tasks[i + 1]), EV_SUBMIT, i + 1) < 0) goto oom;
            }
            continue;
        }
        outstanding--;
        ended++;
        if (ev.t > r->makespan) r->makespan = ev.t;
        for (int k = s->succ0[i]; k < s->succ0[i + 1]; k++) {
            int j = s->succ[k];
            if (--s->left[j] == 0 && s->submitted[j] && heap_push(&s->h, ev.t + m->costs.latency_us, EV_READY, j) < 0)
                goto oom;
        }
        if (c->policy == SD_SIM_GREEDY) {
            s->idle[r->worker[i]] = 1;
            if (greedy_dispatch(s, ev.t) < 0) goto oom;
        }
        if (blocked >= 0 && outstanding <= (c->resume > 0 ? c->resume : c->window)) {
            if (heap_push(&s->h, ev.t + submit_time(m, &g->tasks[blocked]), EV_SUBMIT, blocked) < 0) goto oom;
            blocked = -1;
        }
    }
    if (ended < n) { /* a dependency on itself or on a later task: the graph was recorded wrong */
        for (int i = 0; i < n; i++)
            if (s->left[i] || !s->submitted[i]) {
                snprintf(err, errlen, "task %d (step %lld) never became ready: %d of its dependencies never ended", i,
                         (long long)g->tasks[i].step, s->left[i]);
                break;
            }
        goto out;
    }
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "out of memory simulating %d tasks", n);
out:
    free(s->h.v);
    free(s->left);
    free(s->submitted);
    free(s->succ0);
    free(s->succ);
    free(s->valid);
    free(s->ready);
    free(s->avail);
    free(s->idle);
    free(s->queue);
    if (rc) sd_sim_result_free(r);
    return rc;
}

void sd_sim_result_free(sd_sim_result *r)
{
    free(r->start);
    free(r->end);
    free(r->worker);
    free(r->busy);
    memset(r, 0, sizeof *r);
}

double sd_sim_critical_path(const sd_sim_graph *g, const sd_sim_machine *m, int64_t step)
{
    double *cp = calloc(g->ntasks + 1, sizeof *cp), longest = 0;
    if (!cp) return NAN;
    int present[SD_SIM_NARCH] = {0};
    for (int w = 0; w < m->nworkers; w++) present[m->workers[w].arch] = 1;
    for (int i = 0; i < g->ntasks; i++) {
        const sd_sim_task *t = &g->tasks[i];
        if (t->step != step) continue;
        double cheapest = INFINITY, after = -1;
        for (int a = 0; a < SD_SIM_NARCH; a++)
            if (present[a] && !isnan(t->cost[a]) && t->cost[a] < cheapest) cheapest = t->cost[a];
        for (int k = 0; k < t->ndeps; k++) {
            int d = g->deps[t->dep0 + k];
            if (g->tasks[d].step == step && cp[d] > after) after = cp[d];
        }
        cp[i] = (after >= 0 ? after + m->costs.latency_us : 0) + cheapest + overhead(m, t);
        if (cp[i] > longest) longest = cp[i];
    }
    free(cp);
    return longest;
}
