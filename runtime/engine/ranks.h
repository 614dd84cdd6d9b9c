/* ranks.h - the processes of a distributed run (docs/distributed.md). Started by mpirun (or any
 * launcher that sets the MPI environment), stardag runs one StarPU per rank, joined by StarPU-MPI;
 * otherwise it is one process and every call here says so (rank 0 of 1) without touching MPI.
 * Built without StarPU-MPI (SD_HAVE_MPI unset), a launch by mpirun is refused with a message.
 * No MPI type appears here: the rest of stardag compiles the same either way. */
#ifndef SD_RANKS_H
#define SD_RANKS_H
#include <stddef.h>
#include <stdint.h>

struct starpu_conf;

/* Was this process started by an MPI launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK)? */
int sd_ranks_launched(void);
/* The number of processes the launcher started (its environment), 1 when it does not say. */
int sd_ranks_launch_size(void);
/* MPI once per process (MPI_THREAD_MULTIPLE: StarPU-MPI's progression thread and the run loop's
 * agreement both call MPI), when launched; finalised at exit. 0, or -1 with a message (a launch
 * by mpirun of a stardag built without StarPU-MPI, an MPI without thread support). */
int sd_ranks_init(char *err, size_t errlen);
/* This process's rank and the number of ranks: 0 and 1 unless sd_ranks_init joined a launch. */
int sd_ranks_rank(void);
int sd_ranks_size(void);
/* Is this a distributed run (sd_ranks_init joined a launch, even of one rank)? */
int sd_ranks_on(void);

/* StarPU with StarPU-MPI on a distributed run, plain StarPU otherwise. */
int sd_ranks_starpu_init(struct starpu_conf *conf);
/* Waits for the communications in flight (distributed), then stops StarPU. */
void sd_ranks_starpu_shutdown(void);
/* Every task and communication of every rank done, and StarPU-MPI's cache of received copies
 * dropped: the data may be read on the host or unregistered. A wait for all tasks without MPI. */
void sd_ranks_wait_all(void);
/* Every rank's `bytes` bytes of mine, side by side in all (rank order); a copy without MPI. */
void sd_ranks_allgather(const void *mine, void *all, size_t bytes);
/* root's bytes into buf on every rank; nothing without MPI. */
void sd_ranks_bcast(void *buf, size_t bytes, int root);
/* One round of the run loop's agreement: every rank votes, every rank leaves with the same
 * outcome, so that all submit the same tasks and stop at the same step with the same status. */
typedef struct sd_ranks_vote {
    int32_t status;  /* this rank's failure (SD_EXIT_*), 0: none; out: the lowest failing rank's */
    int32_t any;     /* out: OR over the ranks (an interrupt seen by any) */
    int64_t lead[4]; /* rank 0's decisions (a stop condition met, a checkpoint due); out: rank 0's */
} sd_ranks_vote;
/* msg (len bytes): in, this rank's failure message; out, the failing rank's. Returns the failing
 * rank, or -1. Once an agreed status is final (the run's last vote), sd_ranks_settle. */
int sd_ranks_agree(sd_ranks_vote *v, char *msg, size_t len);
void sd_ranks_settle(void);
/* Before the process exits with status: a distributed failure every rank has not agreed on (one
 * rank's own set-up failing) ends every rank (MPI_Abort), since the others would wait for it. */
void sd_ranks_finish(int status);
/* starpu_task_wait_for_all and starpu_task_wait_for_n_submitted(n), checked: an error returned
 * ends the run (every rank, sd_ranks_abort); sd_wait_check does so for any wait's return ret. */
void sd_wait_check(int ret, const char *what);
void sd_wait_tasks(void);
void sd_wait_tasks_below(unsigned n);
/* Ends every rank with status (MPI_Abort), for failures after which the ranks cannot agree. */
void sd_ranks_abort(int status) __attribute__((noreturn));

#endif
