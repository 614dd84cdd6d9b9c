/* predict.c - see predict.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "dm.h"
#include "engine.h"
#include "predict.h"
#include "probe.h"
#include "sched.h"
#include "ckpt_run.h"
#include "sim.h"

/* ---- the plan: tasks recorded in submission order, dependencies as StarPU infers them -------- */

typedef struct plan {
    int64_t step;              /* the step being expanded; 0: the init ops (not simulated) */
    sd_sim_task *t;
    int nt, capt;
    int *sym;                  /* per task: index into syms */
    uint32_t *fp;
    size_t *size;
    int *deps, nd, capd;
    sd_sim_access *acc;
    int na, capa;
    char **syms;
    int nsyms, capsyms;
    /* data: handle -> index (open addressing), per data its size, last writer and readers since */
    starpu_data_handle_t *hkey;
    int *hval, hcap;
    size_t *bytes;
    int *writer, **readers, *nreaders, *capreaders;
    int ndata, capdata;
    int oom;
    double self_us;            /* time the recording itself took (a run does none of it) */
} plan;

static int grow(void *pp, int n, int *cap, size_t size)
{
    void **p = pp;
    if (n < *cap) return 0;
    int nc = *cap ? 2 * *cap : 256;
    void *q = realloc(*p, (size_t)nc * size);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static size_t hslot(const plan *P, starpu_data_handle_t h)
{
    uintptr_t x = (uintptr_t)h;
    x ^= x >> 17;
    x *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(x >> 20) & (size_t)(P->hcap - 1);
}

static int data_index(plan *P, starpu_data_handle_t h)
{
    if (2 * (P->ndata + 1) > P->hcap) { /* rehash */
        int oc = P->hcap, nc = oc ? 2 * oc : 1024;
        starpu_data_handle_t *ok = P->hkey;
        int *ov = P->hval;
        P->hkey = calloc(nc, sizeof *P->hkey);
        P->hval = calloc(nc, sizeof *P->hval);
        if (!P->hkey || !P->hval) {
            free(P->hkey), free(P->hval);
            P->hkey = ok, P->hval = ov; /* as it was */
            return -1;
        }
        P->hcap = nc;
        for (int i = 0; i < oc; i++)
            if (ok[i]) {
                size_t s = hslot(P, ok[i]);
                while (P->hkey[s]) s = (s + 1) & (size_t)(nc - 1);
                P->hkey[s] = ok[i];
                P->hval[s] = ov[i];
            }
        free(ok);
        free(ov);
    }
    size_t s = hslot(P, h);
    while (P->hkey[s] && P->hkey[s] != h) s = (s + 1) & (size_t)(P->hcap - 1);
    if (P->hkey[s]) return P->hval[s];
    int c = P->capdata;
    if (grow(&P->bytes, P->ndata, &c, sizeof *P->bytes) || (c = P->capdata, grow(&P->writer, P->ndata, &c, sizeof *P->writer)) ||
        (c = P->capdata, grow(&P->readers, P->ndata, &c, sizeof *P->readers)) ||
        (c = P->capdata, grow(&P->nreaders, P->ndata, &c, sizeof *P->nreaders)) ||
        (c = P->capdata, grow(&P->capreaders, P->ndata, &c, sizeof *P->capreaders)))
        return -1;
    P->capdata = c;
    int d = P->ndata++;
    P->bytes[d] = starpu_data_get_size(h);
    P->writer[d] = -1;
    P->readers[d] = NULL;
    P->nreaders[d] = P->capreaders[d] = 0;
    P->hkey[s] = h;
    P->hval[s] = d;
    return d;
}

static int add_dep(plan *P, int task, int dep)
{
    const sd_sim_task *t = &P->t[task];
    for (int k = t->dep0; k < P->nd; k++)
        if (P->deps[k] == dep) return 0;
    if (grow(&P->deps, P->nd, &P->capd, sizeof *P->deps)) return -1;
    P->deps[P->nd++] = dep;
    P->t[task].ndeps++;
    return 0;
}

static int intern(plan *P, const char *sym)
{
    for (int i = 0; i < P->nsyms; i++)
        if (!strcmp(P->syms[i], sym)) return i;
    if (grow(&P->syms, P->nsyms, &P->capsyms, sizeof *P->syms) || !(P->syms[P->nsyms] = strdup(sym))) return -1;
    return P->nsyms++;
}

static void record(plan *P, const sd_plan_task *pt);

/* sd_plan_fn: one task. The init ops ran before the loop's clock starts: not recorded. */
static void on_task(void *user, const sd_plan_task *pt)
{
    plan *P = user;
    if (P->oom || P->step == 0) return;
    record(P, pt);
    P->self_us += starpu_timing_now() - pt->t0_us;
}

static void record(plan *P, const sd_plan_task *pt)
{
    int c = P->capt;
    if (grow(&P->t, P->nt, &c, sizeof *P->t) || (c = P->capt, grow(&P->sym, P->nt, &c, sizeof *P->sym)) ||
        (c = P->capt, grow(&P->fp, P->nt, &c, sizeof *P->fp)) || (c = P->capt, grow(&P->size, P->nt, &c, sizeof *P->size)))
        goto oom;
    P->capt = c;
    int i = P->nt, s = intern(P, pt->symbol);
    if (s < 0) goto oom;
    P->t[i] = (sd_sim_task){.step = P->step, .cost = {pt->can_cpu ? 0 : NAN, pt->can_cuda ? 0 : NAN}, .dep0 = P->nd,
                            .acc0 = P->na};
    P->sym[i] = s;
    P->fp[i] = pt->footprint;
    P->size[i] = pt->size;
    P->nt++;
    for (int k = 0; k < pt->n; k++) {
        enum starpu_data_access_mode m = pt->mode[k] & (STARPU_RW | STARPU_SCRATCH);
        if (m == STARPU_SCRATCH || !(m & STARPU_RW)) continue; /* per-worker scratch: no dependency */
        int d = data_index(P, pt->h[k]);
        if (d < 0 || grow(&P->acc, P->na, &P->capa, sizeof *P->acc)) goto oom;
        int mode = (m & STARPU_R ? SD_SIM_R : 0) | (m & STARPU_W ? SD_SIM_W : 0);
        P->acc[P->na++] = (sd_sim_access){d, mode};
        P->t[i].nacc++;
        if (P->writer[d] >= 0 && P->writer[d] != i && add_dep(P, i, P->writer[d]) < 0) goto oom;
        if (mode & SD_SIM_W) {
            for (int r = 0; r < P->nreaders[d]; r++)
                if (P->readers[d][r] != i && add_dep(P, i, P->readers[d][r]) < 0) goto oom;
            P->nreaders[d] = 0;
            P->writer[d] = i;
        } else {
            if (grow(&P->readers[d], P->nreaders[d], &P->capreaders[d], sizeof **P->readers)) goto oom;
            P->readers[d][P->nreaders[d]++] = i;
        }
    }
    return;
oom:
    P->oom = 1;
}

static void plan_free(plan *P)
{
    free(P->t); free(P->sym); free(P->fp); free(P->size); free(P->deps); free(P->acc);
    for (int i = 0; i < P->nsyms; i++) free(P->syms[i]);
    free(P->syms);
    free(P->hkey); free(P->hval); free(P->bytes); free(P->writer);
    for (int d = 0; d < P->ndata; d++) free(P->readers[d]);
    free(P->readers); free(P->nreaders); free(P->capreaders);
}

/* ---- the prediction ---------------------------------------------------------------------- */

static void say_approx(sd_pred *p, const char *sym, int how)
{
    char item[160];
    snprintf(item, sizeof item, "%s (%s)", sym, sd_expect_name(how));
    if (strstr(p->approx, item)) return;
    size_t k = strlen(p->approx);
    if (k + strlen(item) + 3 < sizeof p->approx) snprintf(p->approx + k, sizeof p->approx - k, "%s%s", k ? ", " : "", item);
}

/* Task times from the models; the first codelet without any says so in err. */
static int cost_tasks(plan *P, const sd_models *M, int ncuda, sd_pred *p, char *err, size_t errlen)
{
    static const char *const arch[SD_SIM_NARCH] = {"cpu", "cuda0"};
    for (int i = 0; i < P->nt; i++)
        for (int a = 0; a < SD_SIM_NARCH; a++) {
            if (isnan(P->t[i].cost[a]) || (a == SD_SIM_CUDA && ncuda == 0)) {
                P->t[i].cost[a] = NAN;
                continue;
            }
            int how;
            double us = sd_models_expect(M, P->sym[i], arch[a], P->fp[i], P->size[i], &how);
            if (how == SD_EXPECT_NONE) {
                if (sd_models_has_sym(M, P->sym[i])) /* entries without samples: StarPU drops each one's first */
                    snprintf(err, errlen, "no measurement of %s on %s yet (StarPU keeps no sample of a task's first "
                             "run, nor of samples that scatter too widely): run `stardag calibrate` on this graph "
                             "(with the workers predicted for)", P->syms[P->sym[i]], arch[a]);
                else
                    snprintf(err, errlen, "no performance model of %s on %s: run `stardag calibrate` on this graph "
                             "(with the workers predicted for) first", P->syms[P->sym[i]], arch[a]);
                return -1;
            }
            p->lookups[how]++;
            if (how != SD_EXPECT_MEASURED) say_approx(p, P->syms[P->sym[i]], how);
            P->t[i].cost[a] = us;
        }
    return 0;
}

static int start_starpu(const sd_pconf *c)
{
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    conf.sched_policy_name = "eager"; /* nothing runs but the cost measurement */
    if (c->machine) { /* another machine: its workers are c->machine's; the plan needs one CPU */
        conf.ncpus = 1;
        conf.ncuda = 0;
    } else {
        if (c->ncpu >= 0) conf.ncpus = c->ncpu;
        if (c->ncuda >= 0) conf.ncuda = c->ncuda;
        if (c->arch == SD_ARCH_CPU) conf.ncuda = 0;
    }
    conf.nopencl = 0;
    return sd_starpu_init_uncalibrated(&conf);
}

static void workers_of(const sd_pconf *c, sd_sim_worker *w, sd_pred *p)
{
    if (c->machine) {
        p->ncpu = c->machine->ncpu;
        p->ncuda = c->arch == SD_ARCH_CPU ? 0 : c->machine->ncuda;
    } else {
        p->ncpu = (int)starpu_cpu_worker_get_count();
        p->ncuda = (int)starpu_cuda_worker_get_count();
    }
    if (p->ncuda > SD_SIM_MAXNODES - 1) p->ncuda = SD_SIM_MAXNODES - 1; /* sd_machine_desc_read refuses more */
    if (p->ncpu > SD_PRED_MAXW - p->ncuda) p->ncpu = SD_PRED_MAXW - p->ncuda;
    if (p->ncpu < 0) p->ncpu = 0;
    p->nworkers = 0;
    for (int k = 0; k < p->ncuda; k++, p->nworkers++) {
        w[p->nworkers] = (sd_sim_worker){SD_SIM_CUDA, 1 + k};
        snprintf(p->wname[p->nworkers], sizeof p->wname[0], "cuda%d", k);
    }
    for (int k = 0; k < p->ncpu; k++, p->nworkers++) {
        w[p->nworkers] = (sd_sim_worker){SD_SIM_CPU, 0};
        snprintf(p->wname[p->nworkers], sizeof p->wname[0], "cpu%d", k);
    }
}

/* Host <-> GPU transfers: this machine's StarPU bus model, or the description's. */
static void bus_of(const sd_pconf *c, int ncuda, sd_sim_machine *m)
{
    m->nnodes = 1 + (ncuda < SD_SIM_MAXNODES - 1 ? ncuda : SD_SIM_MAXNODES - 1);
    for (int a = 0; a < SD_SIM_MAXNODES; a++)
        for (int b = 0; b < SD_SIM_MAXNODES; b++) {
            m->latency_us[a][b] = 0;
            m->bytes_per_us[a][b] = INFINITY;
        }
    for (int a = 0; a < m->nnodes; a++)
        for (int b = 0; b < m->nnodes; b++) {
            if (a == b) continue;
            double lat = 10, bw = 10e3; /* bytes/us: 10 GB/s */
            int via_host = 0;           /* a description gives host <-> GPU: GPU to GPU goes through the host */
            if (c->machine) {
                if (c->machine->bus_latency_us > 0) lat = c->machine->bus_latency_us;
                if (c->machine->bus_mb_per_s > 0) bw = c->machine->bus_mb_per_s;
                via_host = a && b;
            } else
                sd_bus_estimate((unsigned)a, (unsigned)b, &lat, &bw);
            m->latency_us[a][b] = via_host ? 2 * lat : lat;
            m->bytes_per_us[a][b] = via_host ? bw / 2 : bw;
        }
}

/* One variant's schedule of the plan P (tasks costed for its workers) on machine (workers, bus),
 * with the variant's StarPU costs. */
static int simulate(const plan *P, const sd_pconf *c, const sd_sim_machine *machine, int64_t per_step_max, sd_pred *p,
                    char *err, size_t errlen)
{
    sd_sim_result R = {0};
    sd_sim_machine m = *machine;
    m.costs = p->costs;
    m.expand_us = p->expand_us;
    sd_sim_graph sg = {.ntasks = P->nt, .tasks = P->t, .deps = P->deps, .acc = P->acc, .ndata = P->ndata,
                       .data_bytes = P->bytes};
    sd_sim_conf sc = {.policy = sd_sched_model_based(p->sched) ? SD_SIM_MODEL : SD_SIM_GREEDY,
                      .window = p->max_inflight * per_step_max,
                      .resume = sd_run_resume_inflight(p->max_inflight) * per_step_max};
    if (sd_sim_run(&sg, &m, &sc, &R, err, errlen) < 0) return -1;
    p->loop_us = R.makespan;
    p->step_us = R.makespan / (double)c->steps;
    int64_t half = c->steps / 2;
    double end_half = 0;
    for (int i = 0; i < P->nt; i++)
        if (P->t[i].step == half && R.end[i] > end_half) end_half = R.end[i];
    p->steady_us = half > 0 ? (R.makespan - end_half) / (double)(c->steps - half) : p->step_us;
    p->critical_us = sd_sim_critical_path(&sg, &m, half > 0 ? half : 1);
    for (int w = 0; w < p->nworkers; w++) p->busy[w] = R.makespan > 0 ? R.busy[w] / R.makespan : 0;
    p->transfer_mb = R.transfer_bytes / 1e6;
    sd_sim_result_free(&R);
    return 0;
}

int sd_predict(const sd_graph *g, const sd_pconf *c, sd_pred *p, char *err, size_t errlen)
{
    sd_pvariant v = {c->sched, c->max_inflight};
    return sd_predict_variants(g, c, 1, &v, p, err, errlen);
}

int sd_predict_variants(const sd_graph *g, const sd_pconf *c, int nv, const sd_pvariant *var, sd_pred *out, char *err,
                        size_t errlen)
{
    sd_pred base, *p = &base;
    memset(p, 0, sizeof *p);
    plan P = {0};
    sd_models M = {0};
    sd_sim_worker W[SD_PRED_MAXW];
    int rc = -1;
    const char *sched_of[64];
    sd_task_costs costs_v[64];
    if (nv > 64) {
        snprintf(err, errlen, "%d schedulers and max_inflight values to predict: at most 64", nv);
        return -1;
    }
    /* what a run uses without --sched: as run.c, counting the GPUs it would use */
    const int gpus = c->arch == SD_ARCH_CPU || c->ncuda == 0 ? 0 : c->machine ? c->machine->ncuda : sd_probe_cuda_devices();
    for (int v = 0; v < nv; v++) { /* StarPU's costs before the plan's StarPU starts */
        const char *sched = var[v].sched && *var[v].sched ? var[v].sched : getenv("STARPU_SCHED");
        if (!sched || !*sched) sched = sd_sched_default(gpus);
        sched_of[v] = sched;
        const sd_task_costs *given = c->machine ? &c->machine->costs : NULL;
        int complete = given && !isnan(given->submit_us) && !isnan(given->submit_per_buffer_us) &&
                       !isnan(given->overhead_us) && !isnan(given->overhead_per_buffer_us) && !isnan(given->latency_us);
        if (complete) costs_v[v] = *given;
        else if (sd_starpu_costs(sched, c, &costs_v[v]) < 0) {
            snprintf(err, errlen, "StarPU failed to start to measure its per-task costs under %s", sched);
            return -1;
        } else if (given) { /* the description's costs, this machine's where it gives none */
            sd_task_costs *k = &costs_v[v];
            if (!isnan(given->submit_us)) k->submit_us = given->submit_us;
            if (!isnan(given->submit_per_buffer_us)) k->submit_per_buffer_us = given->submit_per_buffer_us;
            if (!isnan(given->overhead_us)) k->overhead_us = given->overhead_us;
            if (!isnan(given->overhead_per_buffer_us)) k->overhead_per_buffer_us = given->overhead_per_buffer_us;
            if (!isnan(given->latency_us)) k->latency_us = given->latency_us;
        }
    }
    int ret = start_starpu(c);
    if (ret != 0) {
        snprintf(err, errlen, "StarPU failed to start (error %d) for the prediction", ret);
        return -1;
    }
    workers_of(c, W, p);
    p->steps = c->steps;
    if (nv > 0) out[0] = base; /* the workers, even when the prediction fails */

    sd_engine_opts eo = {.arch = c->arch, .plan = on_task, .plan_user = &P};
    sd_dm_opts dmo = {.ncpu = p->ncpu, .ncuda = p->ncuda, .fuse = sd_graph_fuse_for(g, c->fuse)};
    memcpy(dmo.parts, c->parts, sizeof dmo.parts);
    sd_engine *e = sd_engine_create(g, &eo, err, errlen);
    sd_dm *dm = e ? sd_dm_create(g, e, &dmo, err, errlen) : NULL;
    if (!dm) goto out;
    dm->cls->describe(dm, p->parts, sizeof p->parts);
    if (nv > 0) memcpy(out[0].parts, p->parts, sizeof p->parts); /* the domain took the parts */
    dm->cls->submit_init(dm);
    dm->cls->submit_output(dm, 0, 0, 0);
    sd_engine_seal(e);
    int64_t per_step_max = 1;
    double host_us = 0;
    for (int64_t s = 1; s <= c->steps; s++) {
        P.step = s;
        int64_t before = sd_engine_tasks_submitted(e);
        double t0 = starpu_timing_now();
        dm->cls->submit_step(dm, s);
        dm->cls->submit_output(dm, s, s == c->steps, 0);
        sd_engine_seal(e);
        host_us += starpu_timing_now() - t0;
        int64_t k = sd_engine_tasks_submitted(e) - before;
        if (k > per_step_max) per_step_max = k;
    }
    if (dm->cls->flush) { /* steps the domain held back (a grid's fused group), as a run ends */
        dm->cls->flush(dm);
        sd_engine_seal(e);
    }
    if (P.oom) {
        snprintf(err, errlen, "out of memory recording the tasks of %lld steps", (long long)c->steps);
        goto out;
    }
    p->tasks = P.nt;
    sd_models_source src = {c->machine && c->machine->models_dir[0] ? c->machine->models_dir : NULL};
    if (sd_models_read((const char *const *)P.syms, P.nsyms, &src, &M, NULL, "stardag predict") < 0) {
        snprintf(err, errlen, "cannot read the performance models");
        goto out;
    }
    if (cost_tasks(&P, &M, p->ncuda, p, err, errlen) < 0) goto out;
    /* the domain's expansion (the submitting thread's in a run too), less the recording's own time */
    const double expand_us = P.nt ? fmax(0, host_us - P.self_us) / P.nt : 0;
    sd_sim_machine machine = {.nworkers = p->nworkers, .workers = W}; /* the same for every variant */
    bus_of(c, p->ncuda, &machine);
    for (int v = 0; v < nv; v++) {
        out[v] = base;
        snprintf(out[v].sched, sizeof out[v].sched, "%s", sched_of[v]);
        out[v].costs = costs_v[v];
        out[v].expand_us = expand_us;
        sd_run_opts ro; /* the graph's max_inflight, or a run's default */
        sd_run_opts_init(&ro);
        ro.max_inflight = var[v].max_inflight;
        out[v].max_inflight = sd_run_max_inflight(g, &ro);
        if (simulate(&P, c, &machine, per_step_max, &out[v], err, errlen) < 0) goto out;
    }
    rc = 0;
out:
    sd_models_free(&M);
    sd_dm_release(dm);
    sd_engine_release(e);
    starpu_shutdown();
    sd_dm_destroy(dm);
    sd_engine_free(e);
    plan_free(&P);
    return rc;
}

int sd_measure_run(const sd_graph *g, const sd_measure_conf *m, sd_run_result *r)
{
    sd_run_opts o;
    sd_run_opts_init(&o);
    o.warmup = m->steps > 1 ? SD_WARMUP_STEPS : 0;
    o.steps = m->steps + o.warmup;
    o.sched = m->sched;
    o.max_inflight = m->max_inflight;
    o.arch = m->arch;
    o.ncpu = m->ncpu;
    o.ncuda = m->ncuda;
    o.calibrate = m->calibrate;
    o.fuse = m->fuse;
    memcpy(o.tile, m->parts, sizeof o.tile);
    o.out = o.log = o.trajectory = o.checkpoint = "";
    o.quiet = 1;
    o.no_tuning = 1;
    o.cmdline = m->cmdline;
    o.result = r;
    memset(r, 0, sizeof *r);
    return sd_run(g, &o);
}
