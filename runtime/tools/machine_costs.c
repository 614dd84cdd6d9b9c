/* machine_costs.c - StarPU's own costs on this machine, measured with empty tasks (the submitting
 * thread's per task and per buffer, a worker's beyond its kernel, a dependency's latency), and the
 * description of this machine that `stardag predict --machine` reads elsewhere (docs/tuning.md). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <starpu.h>
#include "predict.h"
#include "probe.h"
#include "sched.h"
#include "starpu_home.h"

static void noop(void *buffers[], void *arg) { (void)buffers, (void)arg; }
static struct starpu_codelet noop_cl = {.where = STARPU_CPU, .cpu_funcs = {noop}, .nbuffers = 0, .name = "stardag.noop"};
static struct starpu_codelet wide_cl = {.where = STARPU_CPU, .cpu_funcs = {noop}, .nbuffers = STARPU_VARIABLE_NBUFFERS,
                                        .name = "stardag.noop_wide"};
static struct starpu_codelet chain_cl = {.where = STARPU_CPU, .cpu_funcs = {noop}, .nbuffers = 1, .modes = {STARPU_RW},
                                         .name = "stardag.noop_chain"};

/* A chain of empty tasks on one piece of data: each waits for the one before, so the time per task
 * is a task's cost plus the latency of a dependency. */
static int measure_chain(double *per_task_us)
{
    enum { N = 500 };
    static int x;
    starpu_data_handle_t h;
    starpu_variable_data_register(&h, STARPU_MAIN_RAM, (uintptr_t)&x, sizeof x);
    starpu_pause();
    for (int i = 0; i < N; i++) {
        struct starpu_task *t = starpu_task_create();
        t->cl = &chain_cl;
        t->handles[0] = h;
        if (starpu_task_submit(t) != 0) {
            starpu_resume();
            starpu_data_unregister(h);
            return -1;
        }
    }
    double t1 = starpu_timing_now();
    starpu_resume();
    if (starpu_task_wait_for_all() != 0) {
        starpu_data_unregister(h);
        return -1;
    }
    *per_task_us = (starpu_timing_now() - t1) / N;
    starpu_data_unregister(h);
    return 0;
}

/* N independent empty tasks reading nbuf handles each: the submitting thread's time per task, and
 * the workers' (all of them draining the queue together) per task. */
static int measure_batch(int nbuf, const starpu_data_handle_t *h, double *submit_us, double *worker_us)
{
    enum { N = 2000 };
    int nw = (int)starpu_cpu_worker_get_count(); /* the empty tasks run on CPUs only */
    starpu_pause();
    double t0 = starpu_timing_now();
    for (int i = 0; i < N; i++) {
        struct starpu_task *t = starpu_task_create();
        t->cl = nbuf ? &wide_cl : &noop_cl;
        t->nbuffers = nbuf;
        for (int k = 0; k < nbuf; k++) {
            t->handles[k] = h[k];
            t->modes[k] = STARPU_R;
        }
        if (starpu_task_submit(t) != 0) {
            starpu_resume();
            return -1;
        }
    }
    double t1 = starpu_timing_now();
    starpu_resume();
    if (starpu_task_wait_for_all() != 0) return -1;
    *submit_us = (t1 - t0) / N;
    *worker_us = (starpu_timing_now() - t1) * (nw > 0 ? nw : 1) / N;
    return 0;
}

/* The submitting thread's time per task and per buffer (workers paused, so it is alone), a worker's
 * beyond its kernel (the tasks drained by every CPU worker), and a dependency's latency (a chain):
 * the least of three rounds each. */
static int measure_costs_now(sd_task_costs *k)
{
    enum { NB = STARPU_NMAXBUFS < 8 ? STARPU_NMAXBUFS : 8 };
    static double x[NB];
    starpu_data_handle_t h[NB];
    for (int i = 0; i < NB; i++) starpu_variable_data_register(&h[i], STARPU_MAIN_RAM, (uintptr_t)&x[i], sizeof x[i]);
    double s0 = INFINITY, w0 = INFINITY, s8 = INFINITY, w8 = INFINITY, chain = INFINITY;
    int rc = 0;
    for (int round = 0; round < 3 && !rc; round++) {
        double a = INFINITY, b = INFINITY, c = INFINITY;
        rc = measure_chain(&c) || measure_batch(0, h, &a, &b);
        s0 = fmin(s0, a), w0 = fmin(w0, b), chain = fmin(chain, c);
        rc = rc || measure_batch(NB, h, &a, &b);
        s8 = fmin(s8, a), w8 = fmin(w8, b);
    }
    for (int i = 0; i < NB; i++) starpu_data_unregister(h[i]);
    *k = (sd_task_costs){.submit_us = s0, .submit_per_buffer_us = fmax(0, (s8 - s0) / NB), .overhead_us = w0,
                         .overhead_per_buffer_us = fmax(0, (w8 - w0) / NB), .latency_us = fmax(0, chain - w0)};
    return rc ? -1 : 0;
}

/* StarPU's costs under a scheduler (they differ: one central queue, per-worker queues, model
 * lookups), measured once per process for each scheduler and worker set. */
int sd_starpu_costs(const char *sched, const sd_pconf *c, sd_task_costs *k)
{
    static struct { char sched[32]; int ncpu, ncuda; sd_task_costs k; } cache[16];
    static int ncache;
    const int ncuda = c->arch == SD_ARCH_CPU ? 0 : c->ncuda; /* the workers the costs are measured with */
    for (int i = 0; i < ncache; i++)
        if (!strcmp(cache[i].sched, sched) && cache[i].ncpu == c->ncpu && cache[i].ncuda == ncuda) {
            *k = cache[i].k;
            return 0;
        }
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    conf.sched_policy_name = sched;
    if (c->ncpu >= 0) conf.ncpus = c->ncpu;
    if (ncuda >= 0) conf.ncuda = ncuda;
    conf.nopencl = 0;
    if (starpu_init(&conf) != 0) return -1;
    int rc = measure_costs_now(k);
    starpu_shutdown();
    if (!rc && ncache < 16) {
        snprintf(cache[ncache].sched, sizeof cache[ncache].sched, "%s", sched);
        cache[ncache].ncpu = c->ncpu, cache[ncache].ncuda = ncuda;
        cache[ncache].k = *k;
        ncache++;
    }
    return rc;
}

int sd_bus_estimate(unsigned a, unsigned b, double *latency_us, double *bytes_per_us)
{
    if (a >= starpu_memory_nodes_get_count() || b >= starpu_memory_nodes_get_count()) return -1;
    double t0 = starpu_transfer_predict(a, b, 0), t1 = starpu_transfer_predict(a, b, 1 << 24);
    if (!(t0 >= 0 && t1 > t0)) return -1;
    *latency_us = t0;
    *bytes_per_us = (double)(1 << 24) / (t1 - t0);
    return 0;
}

int sd_describe_machine(const sd_pconf *c, FILE *out, char *err, size_t errlen)
{
    const char *sched = sd_sched_default(c->ncuda == 0 ? 0 : sd_probe_cuda_devices());
    sd_task_costs k;
    if (sd_starpu_costs(sched, c, &k) < 0) {
        snprintf(err, errlen, "StarPU failed to start to measure its per-task costs");
        return -1;
    }
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    conf.sched_policy_name = "eager"; /* to count the workers and read the bus model */
    if (c->ncpu >= 0) conf.ncpus = c->ncpu;
    if (c->ncuda >= 0) conf.ncuda = c->ncuda;
    conf.nopencl = 0;
    if (starpu_init(&conf) != 0) {
        snprintf(err, errlen, "StarPU failed to start");
        return -1;
    }
    char path[2048], host[256] = "";
    sd_sampling_dir(path, sizeof path);
    gethostname(host, sizeof host - 1);
    int ncpu = (int)starpu_cpu_worker_get_count(), ncuda = (int)starpu_cuda_worker_get_count();
    fprintf(out, "# stardag machine description of %s (stardag predict --describe-machine): copy it with the\n"
                 "# folder `models` names, point `models` at the copy, and predict for this machine elsewhere with\n"
                 "# stardag predict FILE --machine THIS (docs/tuning.md)\n", host);
    fprintf(out, "models: %s\nncpu: %d\nncuda: %d\n", path, ncpu, ncuda);
    double lat, bw; /* bytes per us = MB/s */
    if (ncuda > 0 && sd_bus_estimate(0, 1, &lat, &bw) == 0)
        fprintf(out, "bus_latency_us: %.3f\nbus_mb_per_s: %.0f\n", lat, bw);
    fprintf(out, "# StarPU's costs under %s (the default scheduler here), measured now with empty tasks; a prediction\n"
                 "# for this machine uses them under every scheduler\n", sched);
    fprintf(out, "submit_us: %.3f\nsubmit_per_buffer_us: %.3f\ntask_overhead_us: %.3f\noverhead_per_buffer_us: %.3f\n"
                 "dep_latency_us: %.3f\n", k.submit_us, k.submit_per_buffer_us, k.overhead_us, k.overhead_per_buffer_us,
            k.latency_us);
    starpu_shutdown();
    return 0;
}
