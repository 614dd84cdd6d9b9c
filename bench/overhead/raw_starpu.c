/* raw_starpu.c - per-task cost of plain StarPU for the workload stardag generates from tiny tiles:
 * T vector handles (one double each); every "step" submits one task per handle that reads and
 * writes (STARPU_RW) its own handle and spins for W us. Steps are submitted back to back, with at
 * most 4 steps of tasks in flight (starpu_task_wait_for_n_submitted), as stardag's run loop does.
 * Scheduler lws and STARPU_NCPU workers unless the environment says otherwise.
 *
 * Options add, one by one, what stardag's engine adds to each task, to attribute its overhead:
 *   -P  starpu_profiling_status_set(STARPU_PROFILING_ENABLE)  (stardag's run.c does this)
 *   -C  a completion callback reading starpu_task_get_current()->profiling_info
 *   -M  a STARPU_HISTORY_BASED performance model on the codelet
 *   -A  a calloc'd cl_arg per task freed by StarPU (cl_arg_free = 1)
 *   -V  nbuffers = STARPU_VARIABLE_NBUFFERS, task->nbuffers set per task (engine.c)
 *   -a  all of the above (what stardag does)
 *
 *   raw_starpu [-t TASKS_PER_STEP] [-s STEPS] [-w WORK_US] [-P] [-C] [-M] [-A] [-V] [-a]
 * Prints "RESULT raw_starpu variant=... us_per_task=... tasks_per_s=..." (timed: the whole
 * step loop including the final wait, after 5 warm-up steps). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <starpu.h>
#include "work.h"

typedef struct targ { double work_us; double pad[8]; } targ; /* about the size of stardag's op_arg */

static double g_work_us;
static int64_t g_done, g_ns;

static void kernel(void *buffers[], void *cl_arg)
{
    double *x = (double *)STARPU_VECTOR_GET_PTR(buffers[0]);
    const targ *a = cl_arg;
    bench_spin_us(a ? a->work_us : g_work_us);
    x[0] += 1.0;
}

static void done_cb(void *arg)
{
    (void)arg;
    struct starpu_task *task = starpu_task_get_current();
    __atomic_add_fetch(&g_done, 1, __ATOMIC_RELAXED);
    if (task && task->profiling_info) {
        const struct starpu_profiling_task_info *pi = task->profiling_info;
        int64_t ns = (int64_t)(pi->end_time.tv_sec - pi->start_time.tv_sec) * 1000000000LL +
                     (pi->end_time.tv_nsec - pi->start_time.tv_nsec);
        __atomic_add_fetch(&g_ns, ns, __ATOMIC_RELAXED);
    }
}

int main(int argc, char **argv)
{
    int T = 2048, steps = 200, P = 0, C = 0, M = 0, A = 0, V = 0;
    double W = 0.0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-t") && i + 1 < argc) T = atoi(argv[++i]);
        else if (!strcmp(s, "-s") && i + 1 < argc) steps = atoi(argv[++i]);
        else if (!strcmp(s, "-w") && i + 1 < argc) W = atof(argv[++i]);
        else if (!strcmp(s, "-P")) P = 1;
        else if (!strcmp(s, "-C")) C = 1;
        else if (!strcmp(s, "-M")) M = 1;
        else if (!strcmp(s, "-A")) A = 1;
        else if (!strcmp(s, "-V")) V = 1;
        else if (!strcmp(s, "-a")) P = C = M = A = V = 1;
        else {
            fprintf(stderr, "usage: raw_starpu [-t TASKS_PER_STEP] [-s STEPS] [-w WORK_US] [-P] [-C] [-M] [-A] [-V] [-a]\n");
            return 2;
        }
    }
    if (T < 1 || steps < 1) return 2;
    g_work_us = W;
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    const char *sched = getenv("STARPU_SCHED");
    if (!sched || !*sched) conf.sched_policy_name = sched = "lws";
    if (starpu_init(&conf) != 0) {
        fprintf(stderr, "raw_starpu: starpu_init failed\n");
        return 1;
    }
    if (P) starpu_profiling_status_set(STARPU_PROFILING_ENABLE);

    static struct starpu_perfmodel model;
    struct starpu_codelet cl;
    starpu_codelet_init(&cl);
    cl.where = STARPU_CPU;
    cl.cpu_funcs[0] = kernel;
    cl.name = "bench.raw";
    if (V) cl.nbuffers = STARPU_VARIABLE_NBUFFERS;
    else {
        cl.nbuffers = 1;
        cl.modes[0] = STARPU_RW;
    }
    if (M) {
        model.type = STARPU_HISTORY_BASED;
        model.symbol = "bench.raw_starpu";
        cl.model = &model;
    }

    double *mem;
    starpu_malloc((void **)&mem, (size_t)T * sizeof(double));
    memset(mem, 0, (size_t)T * sizeof(double));
    starpu_data_handle_t *h = malloc((size_t)T * sizeof *h);
    for (int t = 0; t < T; t++) starpu_vector_data_register(&h[t], STARPU_MAIN_RAM, (uintptr_t)&mem[t], 1, sizeof(double));

    const int warm = 5;
    double t0 = 0;
    for (int s = 0; s < warm + steps; s++) {
        if (s == warm) {
            starpu_task_wait_for_all();
            t0 = bench_now();
        }
        for (int t = 0; t < T; t++) {
            struct starpu_task *task = starpu_task_create();
            task->cl = &cl;
            if (V) {
                task->nbuffers = 1;
                task->modes[0] = STARPU_RW;
            }
            task->handles[0] = h[t];
            if (A) {
                targ *a = calloc(1, sizeof *a);
                a->work_us = W;
                task->cl_arg = a;
                task->cl_arg_size = sizeof *a;
                task->cl_arg_free = 1;
            }
            if (C) task->callback_func = done_cb;
            if (starpu_task_submit(task) != 0) {
                fprintf(stderr, "raw_starpu: submit failed\n");
                return 1;
            }
        }
        starpu_task_wait_for_n_submitted((unsigned)(4 * T));
    }
    starpu_task_wait_for_all();
    const double wall = bench_now() - t0;
    const double ntask = (double)T * steps;
    char variant[16] = "";
    if (P) strcat(variant, "P");
    if (C) strcat(variant, "C");
    if (M) strcat(variant, "M");
    if (A) strcat(variant, "A");
    if (V) strcat(variant, "V");
    if (!*variant) strcpy(variant, "bare");
    printf("RESULT raw_starpu variant=%s work_us=%g ncpu=%u tasks=%.0f us_per_task=%.4f tasks_per_s=%.0f\n", variant, W,
           starpu_cpu_worker_get_count(), ntask, 1e6 * wall / ntask, ntask / wall);
    for (int t = 0; t < T; t++) starpu_data_unregister(h[t]);
    starpu_free(mem);
    free(h);
    starpu_shutdown();
    return 0;
}
