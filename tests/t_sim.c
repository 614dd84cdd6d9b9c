/* t_sim.c - the scheduling simulation behind stardag predict and tune (runtime/tools/sim.c) on
 * small task graphs whose schedules are worked out by hand in the comments, and the models'
 * lookup of sizes they have not seen (runtime/tools/models.c). No StarPU runs here. */
#include <math.h>
#include <string.h>
#include "tap.h"
#include "sim.h"
#include "models.h"

/* A graph being written: tasks in submission order. */
typedef struct gb {
    sd_sim_task t[16];
    int deps[64], nd;
    sd_sim_access acc[64];
    int na;
    size_t bytes[8];
    int n;
} gb;

static int task(gb *b, int64_t step, double cpu, double cuda)
{
    b->t[b->n] = (sd_sim_task){.step = step, .cost = {cpu, cuda}, .dep0 = b->nd, .acc0 = b->na};
    return b->n++;
}
static void dep(gb *b, int on) { b->deps[b->nd++] = on, b->t[b->n - 1].ndeps++; }
static void use(gb *b, int data, int mode) { b->acc[b->na++] = (sd_sim_access){data, mode}, b->t[b->n - 1].nacc++; }

static sd_sim_graph graph_of(const gb *b, int ndata)
{
    return (sd_sim_graph){.ntasks = b->n, .tasks = b->t, .deps = b->deps, .acc = b->acc, .ndata = ndata,
                          .data_bytes = b->bytes};
}

static double run(const gb *b, int ndata, const sd_sim_machine *m, int policy, int64_t window, sd_sim_result *r)
{
    sd_sim_graph g = graph_of(b, ndata);
    sd_sim_conf c = {.policy = policy, .window = window};
    char err[256];
    if (sd_sim_run(&g, m, &c, r, err, sizeof err) < 0) {
        diag("%s", err);
        return NAN;
    }
    return r->makespan;
}

static const sd_sim_worker two_cpus[2] = {{SD_SIM_CPU, 0}, {SD_SIM_CPU, 0}};

int main(void)
{
    sd_sim_machine m = {.nworkers = 2, .workers = two_cpus, .nnodes = 1};
    sd_sim_result r;

    /* 1. a chain A -> B -> C (10, 20, 30 us): 60 us whatever the policy, and so its critical path */
    gb b = {0};
    task(&b, 1, 10, NAN), use(&b, 0, SD_SIM_RW);
    task(&b, 1, 20, NAN), dep(&b, 0), use(&b, 0, SD_SIM_RW);
    task(&b, 1, 30, NAN), dep(&b, 1), use(&b, 0, SD_SIM_RW);
    for (int p = 0; p < 2; p++) {
        ok(run(&b, 1, &m, p, 100, &r) == 60, "chain: 60 us (%s)", p ? "greedy" : "model");
        sd_sim_result_free(&r);
    }
    sd_sim_graph g = graph_of(&b, 1);
    ok(sd_sim_critical_path(&g, &m, 1) == 60, "chain: critical path 60 us");

    /* 2. StarPU's costs on the chain: a dependency 2 us (two of them), 1 us per task and 0.5 per
     * buffer on a worker (three tasks of one buffer): 60 + 4 + 4.5 */
    m.costs = (sd_task_costs){.overhead_us = 1, .overhead_per_buffer_us = 0.5, .latency_us = 2};
    ok(run(&b, 1, &m, SD_SIM_MODEL, 100, &r) == 68.5, "chain with overheads: 68.5 us");
    ok(r.busy[0] + r.busy[1] == 60, "busy counts the kernels only: 60 us");
    sd_sim_result_free(&r);
    ok(sd_sim_critical_path(&g, &m, 1) == 68.5, "critical path with overheads: 68.5 us");
    m.costs = (sd_task_costs){0};

    /* 3. fork-join: A writes d; B and C read it side by side (20 each); D rewrites it after both:
     * 10 + 20 + 5 = 35 us, the workers busy 35 and 20 us */
    gb f = {0};
    task(&f, 1, 10, NAN), use(&f, 0, SD_SIM_W);
    task(&f, 1, 20, NAN), dep(&f, 0), use(&f, 0, SD_SIM_R);
    task(&f, 1, 20, NAN), dep(&f, 0), use(&f, 0, SD_SIM_R);
    task(&f, 1, 5, NAN), dep(&f, 1), dep(&f, 2), use(&f, 0, SD_SIM_RW);
    ok(run(&f, 1, &m, SD_SIM_MODEL, 100, &r) == 35, "fork-join: 35 us");
    ok(fmax(r.busy[0], r.busy[1]) == 35 && fmin(r.busy[0], r.busy[1]) == 20, "fork-join: busy 35 and 20 us");
    ok(r.worker[1] != r.worker[2], "fork-join: the readers run side by side");
    sd_sim_result_free(&r);

    /* 4. the submitting thread: 3 us per task, one worker, four independent 10 us tasks: submitted
     * at 3, 6, 9, 12; run 3-13, 13-23, 23-33, 33-43 */
    sd_sim_machine one = {.nworkers = 1, .workers = two_cpus, .nnodes = 1, .costs = {.submit_us = 3}};
    gb s = {0};
    for (int i = 0; i < 4; i++) task(&s, 1, 10, NAN);
    ok(run(&s, 0, &one, SD_SIM_GREEDY, 100, &r) == 43, "submission: 43 us");
    ok(r.start[0] == 3 && r.start[3] == 33, "submission: the first task starts at 3 us, the last at 33");
    sd_sim_result_free(&r);

    /* 5. the window after each step: step 1 has tasks of 10 and 30 us, step 2 two of 10. Window 4:
     * step 2 goes in at once and runs on the worker freed at 10: 10-20, 20-30, end 30. Window 0:
     * step 2 waits for every task of step 1 (30): 30-40 on both workers, end 40 */
    gb w = {0};
    task(&w, 1, 10, NAN), task(&w, 1, 30, NAN), task(&w, 2, 10, NAN), task(&w, 2, 10, NAN);
    ok(run(&w, 0, &m, SD_SIM_GREEDY, 4, &r) == 30, "window 4: 30 us");
    sd_sim_result_free(&r);
    ok(run(&w, 0, &m, SD_SIM_GREEDY, 0, &r) == 40, "window 0: 40 us (step 2 waits for step 1)");
    ok(r.start[2] == 30 && r.start[3] == 30, "window 0: step 2 starts at 30 us");
    sd_sim_result_free(&r);

    /* 5b. run.c's wait: past the window, submission resumes when at most `resume` tasks are left.
     * Submitting costs 1 us a task; step 1 is A (100 us), steps 2-4 B, C, D (10 us each); window
     * 2. A runs 1-101 and B 2-12 on the other worker; C goes in at 3 (2 unfinished: not past the
     * window); before D 3 are: blocked. Resume 2 (the window): B ends at 12, D goes in at 13,
     * runs 22-32 after C (12-22). Resume 1: A and C are left at 12; C ends at 22, D goes in at 23,
     * runs 23-33. */
    sd_sim_machine sm = {.nworkers = 2, .workers = two_cpus, .nnodes = 1, .costs = {.submit_us = 1}};
    gb h = {0};
    task(&h, 1, 100, NAN), task(&h, 2, 10, NAN), task(&h, 3, 10, NAN), task(&h, 4, 10, NAN);
    for (int resume = 0; resume < 2; resume++) {
        sd_sim_graph hg = graph_of(&h, 0);
        sd_sim_conf hc = {.policy = SD_SIM_GREEDY, .window = 2, .resume = resume ? 1 : 0};
        char err[256];
        if (sd_sim_run(&hg, &sm, &hc, &r, err, sizeof err) < 0) diag("%s", err);
        ok(r.start[3] == (resume ? 23 : 22) && r.start[2] == 12 && r.makespan == 101,
           "resume %d: D starts at %g us (want %d), C at %g", resume ? 1 : 2, r.start[3], resume ? 23 : 22, r.start[2]);
        sd_sim_result_free(&r);
    }

    /* 6. transfers: a GPU and a CPU; 1e6 bytes at 5 us + 1000 bytes/us = 1005 us each way. T0 reads
     * d on the GPU (1005-1015), T1 rewrites it there (1015-1025, no copy: d is there), T2 reads it
     * on the CPU (copied back: 2030-2040). 2e6 bytes moved. */
    const sd_sim_worker mixed[2] = {{SD_SIM_CUDA, 1}, {SD_SIM_CPU, 0}};
    sd_sim_machine gm = {.nworkers = 2, .workers = mixed, .nnodes = 2};
    for (int a = 0; a < 2; a++)
        for (int c = 0; c < 2; c++) gm.latency_us[a][c] = a == c ? 0 : 5, gm.bytes_per_us[a][c] = a == c ? INFINITY : 1000;
    gb x = {.bytes = {1000000}};
    task(&x, 1, NAN, 10), use(&x, 0, SD_SIM_R);
    task(&x, 1, NAN, 10), dep(&x, 0), use(&x, 0, SD_SIM_RW);
    task(&x, 1, 10, NAN), dep(&x, 1), use(&x, 0, SD_SIM_R);
    ok(run(&x, 1, &gm, SD_SIM_MODEL, 100, &r) == 2040, "transfers: 2040 us");
    ok(r.start[0] == 1005 && r.start[1] == 1015 && r.start[2] == 2030, "transfers: starts at 1005, 1015, 2030 us");
    ok(r.transfer_bytes == 2e6, "transfers: 2 MB moved");
    sd_sim_result_free(&r);

    /* 6b. a read-write first touch on the GPU copies the data in: its bytes count */
    gb rw = {.bytes = {1000000}};
    task(&rw, 1, NAN, 10), use(&rw, 0, SD_SIM_RW);
    ok(run(&rw, 1, &gm, SD_SIM_MODEL, 100, &r) == 1015 && r.transfer_bytes == 1e6,
       "a read-write first touch on the GPU: copied in (1005 us), 1 MB counted");
    sd_sim_result_free(&r);

    /* 7. placement: three tasks of 100 us on a CPU, 10 on the GPU. The model policy puts all on the
     * GPU (10, 20, 30); greedy gives the second to the idle CPU (0-100) */
    gb pl = {0};
    for (int i = 0; i < 3; i++) task(&pl, 1, 100, 10);
    ok(run(&pl, 0, &gm, SD_SIM_MODEL, 100, &r) == 30, "model placement: 30 us, all on the GPU");
    sd_sim_result_free(&r);
    ok(run(&pl, 0, &gm, SD_SIM_GREEDY, 100, &r) == 100, "greedy placement: 100 us (a task on the CPU)");
    sd_sim_result_free(&r);

    /* 8. a task no worker can run is refused */
    gb no = {0};
    task(&no, 1, NAN, 10);
    sd_sim_graph ng = graph_of(&no, 0);
    sd_sim_conf nc = {.policy = SD_SIM_MODEL, .window = 1};
    char err[256];
    ok(sd_sim_run(&ng, &m, &nc, &r, err, sizeof err) < 0 && strstr(err, "none of the 2 workers"),
       "a CUDA-only task on CPUs is refused: %s", err);

    /* 8b. a dependency that can never end (a task after a later one) is an error, not a short schedule */
    gb cy = {0};
    task(&cy, 1, 10, NAN), dep(&cy, 1);
    task(&cy, 1, 10, NAN), dep(&cy, 0);
    sd_sim_graph cg = graph_of(&cy, 0);
    ok(sd_sim_run(&cg, &m, &nc, &r, err, sizeof err) < 0 && strstr(err, "never became ready"),
       "tasks that wait on each other: refused (%s)", err);

    /* 9. the models' lookup: entries of 100 bytes (10 us) and 200 bytes (30 us) */
    sd_models t = {0};
    sd_model_entry e1 = {.sym = 0, .arch = "cpu", .footprint = 1, .size = 100, .mean = 10, .n = 12};
    sd_model_entry e2 = {.sym = 0, .arch = "cpu", .footprint = 2, .size = 200, .mean = 30, .n = 12};
    sd_models_add(&t, &e1);
    sd_models_add(&t, &e2);
    int how;
    ok(sd_models_expect(&t, 0, "cpu", 2, 200, &how) == 30 && how == SD_EXPECT_MEASURED, "its footprint: measured");
    ok(sd_models_expect(&t, 0, "cpu", 9, 150, &how) == 20 && how == SD_EXPECT_INTERPOLATED, "between: interpolated");
    double x4 = sd_models_expect(&t, 0, "cpu", 9, 400, &how);
    is_close(x4, 90, 1e-12, "beyond: the power law through both (30 x 2^log2(3) = 90)");
    ok(how == SD_EXPECT_EXTRAPOLATED, "beyond: extrapolated");
    ok(isnan(sd_models_expect(&t, 0, "cuda0", 9, 100, &how)) && how == SD_EXPECT_NONE, "another arch: no model");
    ok(isnan(sd_models_expect(&t, 1, "cpu", 9, 100, &how)) && how == SD_EXPECT_NONE, "another codelet: no model");
    sd_model_entry e3 = {.sym = 1, .arch = "cpu", .footprint = 3, .size = 100, .mean = 8, .n = 12};
    sd_models_add(&t, &e3);
    ok(sd_models_expect(&t, 1, "cpu", 9, 300, &how) == 24 && how == SD_EXPECT_SCALED, "one size: scaled with size");
    sd_model_entry e4 = {.sym = 2, .arch = "cpu", .footprint = 4, .size = 100, .mean = 0, .n = 0};
    sd_models_add(&t, &e4);
    ok(isnan(sd_models_expect(&t, 2, "cpu", 4, 100, &how)) && how == SD_EXPECT_NONE,
       "an entry without samples (StarPU flushed it) is no model");
    /* work keys: entries of one size with different footprints (bricks of different cell counts);
       another footprint of that size, or another size, sees their sample-weighted mean */
    sd_model_entry e5 = {.sym = 3, .arch = "cpu", .footprint = 5, .size = 100, .mean = 10, .n = 30};
    sd_model_entry e6 = {.sym = 3, .arch = "cpu", .footprint = 6, .size = 100, .mean = 20, .n = 10};
    sd_models_add(&t, &e5);
    sd_models_add(&t, &e6);
    ok(sd_models_expect(&t, 3, "cpu", 6, 100, &how) == 20 && how == SD_EXPECT_MEASURED, "work keys: its own entry");
    ok(sd_models_expect(&t, 3, "cpu", 7, 100, &how) == 12.5 && how == SD_EXPECT_SCALED,
       "work keys: an unseen key of that size: the entries' weighted mean (12.5)");
    ok(sd_models_expect(&t, 3, "cpu", 7, 200, &how) == 25 && how == SD_EXPECT_SCALED,
       "work keys: another size: scaled from their weighted mean (25)");
    /* two sizes 1 % apart (a mesh's partitions with a few more ghosts), their times in noise: no
       power law through them (it would be 0 here: clamped, "no dependence on size"), the nearest
       scaled with size */
    sd_model_entry e7 = {.sym = 4, .arch = "cpu", .footprint = 7, .size = 1000, .mean = 100, .n = 12};
    sd_model_entry e8 = {.sym = 4, .arch = "cpu", .footprint = 8, .size = 1010, .mean = 99, .n = 12};
    sd_models_add(&t, &e7);
    sd_models_add(&t, &e8);
    ok(sd_models_expect(&t, 4, "cpu", 9, 250, &how) == 25 && how == SD_EXPECT_SCALED,
       "below two sizes 1%% apart: scaled from the nearest (100 us x 250/1000 = 25), not extrapolated");
    ok(fabs(sd_models_expect(&t, 4, "cpu", 9, 2020, &how) - 198) < 1e-12 && how == SD_EXPECT_SCALED,
       "above them: scaled from the nearest (99 us x 2 = 198)");
    sd_models_free(&t);
    return tap_done();
}
