/* ranks.c - the processes of a distributed run: MPI set-up once per process, StarPU-MPI around
 * StarPU, and the few host-side collectives the run loop's agreement needs (ranks.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <starpu.h>
#include "config.h"
#include "stardag/stardag.h"
#include "ranks.h"
#ifdef SD_HAVE_MPI
#include <mpi.h>
#include <starpu_mpi.h>
#endif

static int rank_, size_ = 1, on_;

int sd_ranks_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

int sd_ranks_launch_size(void)
{
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (!n) n = getenv("PMI_SIZE");
    return n && atoi(n) > 1 ? atoi(n) : 1;
}

int sd_ranks_rank(void) { return rank_; }
int sd_ranks_size(void) { return size_; }
int sd_ranks_on(void) { return on_; }

/* StarPU's and StarPU-MPI's waits return an int. StarPU 1.3 returns 0 from these (it asserts on
 * misuse instead); the API lets a StarPU return an error (-EDEADLK from a task or a callback), and
 * a run must not go on as if its tasks had ended: a negative return ends the run, every rank. */
void sd_wait_check(int ret, const char *what)
{
    if (ret >= 0) return;
    fprintf(stderr, "stardag: %s failed (StarPU error %d)\n", what, ret);
    sd_ranks_abort(SD_EXIT_RUNTIME);
}

void sd_wait_tasks(void) { sd_wait_check(starpu_task_wait_for_all(), "waiting for the submitted tasks"); }

void sd_wait_tasks_below(unsigned n)
{
    sd_wait_check(starpu_task_wait_for_n_submitted(n), "waiting for the tasks in flight to fall below the limit");
}

#ifdef SD_HAVE_MPI
/* The run loop's own collectives go through a communicator of their own, so they never match
 * StarPU-MPI's messages. */
static MPI_Comm host_comm = MPI_COMM_NULL;

static int settled;

/* At exit: MPI_Finalize waits for every rank, so a rank leaving on its own (an exit() deep in a
 * failure path, before the ranks agreed on how the run ends) ends them all instead. */
static void finalize(void)
{
    int done = 0;
    MPI_Finalized(&done);
    if (done) return;
    if (!settled) {
        fflush(stdout);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, SD_EXIT_RUNTIME);
    }
    if (host_comm != MPI_COMM_NULL) MPI_Comm_free(&host_comm);
    MPI_Finalize();
}

int sd_ranks_init(char *err, size_t errlen)
{
    if (on_ || !sd_ranks_launched()) return 0;
    int inited = 0, provided = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
            snprintf(err, errlen, "MPI failed to start (MPI_Init_thread)");
            return -1;
        }
        atexit(finalize);
    } else MPI_Query_thread(&provided);
    if (provided < MPI_THREAD_MULTIPLE) {
        snprintf(err, errlen, "this MPI library gives thread level %d, and stardag needs MPI_THREAD_MULTIPLE (%d): "
                 "StarPU-MPI's progression thread and the run loop both call MPI", provided, MPI_THREAD_MULTIPLE);
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm_dup(MPI_COMM_WORLD, &host_comm);
    on_ = 1;
    return 0;
}

int sd_ranks_starpu_init(struct starpu_conf *conf)
{
    if (!on_) return starpu_init(conf);
    return starpu_mpi_init_conf(NULL, NULL, 0, MPI_COMM_WORLD, conf);
}

void sd_ranks_starpu_shutdown(void)
{
    if (!on_) {
        starpu_shutdown();
        return;
    }
    starpu_mpi_shutdown(); /* waits for StarPU-MPI's requests, then stops StarPU */
}

void sd_ranks_wait_all(void)
{
    if (!on_) {
        sd_wait_tasks();
        return;
    }
    sd_wait_check(starpu_mpi_wait_for_all(MPI_COMM_WORLD), "waiting for StarPU-MPI's tasks and transfers");
    starpu_mpi_cache_flush_all_data(MPI_COMM_WORLD);
    /* its positive return is the requests pending when it started (StarPU 1.3), not an error */
    sd_wait_check(starpu_mpi_barrier(MPI_COMM_WORLD), "StarPU-MPI's barrier");
}

void sd_ranks_allgather(const void *mine, void *all, size_t bytes)
{
    if (!on_) {
        memcpy(all, mine, bytes);
        return;
    }
    MPI_Allgather(mine, (int)bytes, MPI_BYTE, all, (int)bytes, MPI_BYTE, host_comm);
}

void sd_ranks_bcast(void *buf, size_t bytes, int root)
{
    if (on_) MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, host_comm);
}

void sd_ranks_settle(void) { settled = 1; }

int sd_ranks_agree(sd_ranks_vote *v, char *msg, size_t len)
{
    settled = 0;
    if (!on_) return v->status ? 0 : -1;
    sd_ranks_vote *all = malloc(sizeof *all * (size_t)size_);
    if (!all) sd_ranks_abort(SD_EXIT_RUNTIME);
    /* polled with sleeps, not a blocking collective: MPI spins while it waits, and the workers
     * and StarPU-MPI's progression thread need the cores meanwhile */
    MPI_Request req;
    MPI_Iallgather(v, (int)sizeof *v, MPI_BYTE, all, (int)sizeof *v, MPI_BYTE, host_comm, &req);
    for (int done = 0;;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done) break;
        const struct timespec nap = {0, 20000};
        nanosleep(&nap, NULL);
    }
    int failing = -1, any = 0;
    for (int r = 0; r < size_; r++) {
        any |= all[r].any;
        if (failing < 0 && all[r].status) failing = r;
    }
    v->any = any;
    memcpy(v->lead, all[0].lead, sizeof v->lead);
    v->status = failing >= 0 ? all[failing].status : 0;
    free(all);
    if (failing >= 0) MPI_Bcast(msg, (int)len, MPI_BYTE, failing, host_comm);
    return failing;
}

void sd_ranks_finish(int status)
{
    if (on_ && status && !settled) sd_ranks_abort(status);
}

void sd_ranks_abort(int status)
{
    fflush(stdout);
    fflush(stderr);
    if (on_) MPI_Abort(MPI_COMM_WORLD, status);
    exit(status);
}
#else
int sd_ranks_init(char *err, size_t errlen)
{
    if (!sd_ranks_launched() || sd_ranks_launch_size() <= 1) return 0; /* one rank is a plain run */
    snprintf(err, errlen, "started by an MPI launcher, but this stardag was built without StarPU-MPI (stardag "
             "--version says MPI no): install libopenmpi-dev and a StarPU with MPI (Debian's libstarpu-dev has it), "
             "then configure again (docs/distributed.md)");
    return -1;
}
int sd_ranks_starpu_init(struct starpu_conf *conf) { return starpu_init(conf); }
void sd_ranks_starpu_shutdown(void) { starpu_shutdown(); }
void sd_ranks_wait_all(void) { sd_wait_tasks(); }
void sd_ranks_allgather(const void *mine, void *all, size_t bytes) { memcpy(all, mine, bytes); }
void sd_ranks_bcast(void *buf, size_t bytes, int root)
{
    (void)buf, (void)bytes, (void)root;
}
void sd_ranks_settle(void) {}
int sd_ranks_agree(sd_ranks_vote *v, char *msg, size_t len)
{
    (void)msg, (void)len;
    return v->status ? 0 : -1;
}
void sd_ranks_finish(int status) { (void)status; }
void sd_ranks_abort(int status) { exit(status); }
#endif
