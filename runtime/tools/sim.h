/* sim.h - a discrete-event simulation of StarPU running a recorded task graph (stardag predict,
 * stardag tune): the run loop's submission thread (a cost per task, and, after a step that leaves
 * more than `window` tasks unfinished, the wait until at most `resume` are, as driver/run.c does),
 * data dependencies, transfers
 * between memory nodes, and one of two placement policies. No StarPU here: the inputs are numbers,
 * so tests can check the schedule against hand-computed ones. A task that waited on others is
 * ready costs.latency_us after the last of them ended.
 *
 * Policies (what StarPU's schedulers do, reduced to what decides a step's time):
 *   SD_SIM_MODEL  dmda, dmdas, dm, heft: when a task becomes ready it goes to the worker where it
 *                 is expected to finish first (that worker's queue end, the transfers of its
 *                 inputs, its model time there); workers run their queues in order.
 *   SD_SIM_GREEDY eager, lws, ws, prio, random: ready tasks wait in one queue, oldest first; a
 *                 worker that falls idle takes the first one it can run (lws's per-worker queues
 *                 and stealing are not modelled: on a step's scale they behave alike). */
#ifndef SD_SIM_H
#define SD_SIM_H
#include <stddef.h>
#include <stdint.h>

enum { SD_SIM_MODEL = 0, SD_SIM_GREEDY = 1 };
enum { SD_SIM_CPU = 0, SD_SIM_CUDA = 1, SD_SIM_NARCH = 2 };
enum { SD_SIM_R = 1, SD_SIM_W = 2, SD_SIM_RW = 3 };
#define SD_SIM_MAXNODES 9 /* RAM and up to 8 GPUs */

typedef struct sd_sim_access {
    int data;           /* index of the data (0 .. ndata-1) */
    int mode;           /* SD_SIM_R, SD_SIM_W, SD_SIM_RW */
} sd_sim_access;

typedef struct sd_sim_task {
    int64_t step;                /* the graph step (the run loop waits after each step's tasks) */
    double cost[SD_SIM_NARCH];   /* expected microseconds per architecture; NAN: cannot run there */
    int ndeps, dep0;             /* its dependencies: deps[dep0 .. dep0+ndeps-1], earlier tasks */
    int nacc, acc0;              /* its data accesses: acc[acc0 .. acc0+nacc-1] */
} sd_sim_task;

typedef struct sd_sim_worker {
    int arch;   /* SD_SIM_CPU or SD_SIM_CUDA */
    int node;   /* its memory node: 0 RAM, 1 + k the k-th GPU */
} sd_sim_worker;

/* StarPU's own costs on a machine (stardag predict measures them with empty tasks). */
typedef struct sd_task_costs {
    double submit_us, submit_per_buffer_us;     /* the submitting thread: per task, per buffer */
    double overhead_us, overhead_per_buffer_us; /* a worker, beyond the kernel: per task, per buffer */
    double latency_us;                          /* from a task's end until a task waiting on it can
                                                   start (StarPU releases the dependency, pushes the
                                                   task, a worker picks it up) */
} sd_task_costs;

typedef struct sd_sim_machine {
    int nworkers;
    const sd_sim_worker *workers;
    int nnodes;
    double latency_us[SD_SIM_MAXNODES][SD_SIM_MAXNODES];   /* from, to */
    double bytes_per_us[SD_SIM_MAXNODES][SD_SIM_MAXNODES];
    sd_task_costs costs;
    double expand_us;         /* the submitting thread's time per task before StarPU's (the domain's
                                 expansion into tasks) */
} sd_sim_machine;

typedef struct sd_sim_graph {
    int ntasks;
    const sd_sim_task *tasks;   /* in submission order */
    const int *deps;
    const sd_sim_access *acc;
    int ndata;
    const size_t *data_bytes;   /* per data */
} sd_sim_graph;

typedef struct sd_sim_conf {
    int policy;           /* SD_SIM_MODEL or SD_SIM_GREEDY */
    int64_t window;       /* after each step with more than this many tasks unfinished (run.c:
                             max_inflight x the most tasks a step had), submission waits until at
                             most `resume` are */
    int64_t resume;       /* run.c: ceil(max_inflight / 2) x that; 0: window */
} sd_sim_conf;

typedef struct sd_sim_result {
    double *start, *end;  /* per task, microseconds from the loop's start */
    int *worker;          /* per task */
    double makespan;      /* the last task's end */
    double *busy;         /* per worker: the time its kernels ran (overheads excluded, as a run measures) */
    double transfer_bytes;
} sd_sim_result;

/* Simulates; r's arrays are allocated (sd_sim_result_free). 0, or -1 with a message: a task no
 * worker can run, a task that never became ready (a dependency on itself or on a later task),
 * out of memory. */
int sd_sim_run(const sd_sim_graph *g, const sd_sim_machine *m, const sd_sim_conf *c, sd_sim_result *r, char *err,
               size_t errlen);
void sd_sim_result_free(sd_sim_result *r);

/* The longest chain of tasks of `step` (their cheapest architecture each, overhead included):
 * what a step takes on unlimited workers. */
double sd_sim_critical_path(const sd_sim_graph *g, const sd_sim_machine *m, int64_t step);

#endif
