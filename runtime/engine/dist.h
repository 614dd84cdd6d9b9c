/* dist.h - where the parts of a domain live in a distributed run (docs/distributed.md): every
 * handle a domain registers has an owner rank, chosen from its part by the run's distribution,
 * and a StarPU-MPI tag; a task runs on the rank that owns what it writes (StarPU-MPI's
 * owner-computes rule), which receives what it reads from their owners. Without a distributed
 * run every call is a no-op and every task runs here. */
#ifndef SD_DIST_H
#define SD_DIST_H
#include <stddef.h>
#include <stdint.h>
#include <starpu.h>

/* How parts map to ranks: contiguous runs of parts (neighbours together), as even as possible
 * (block) or in given proportions (weights: "1:3" gives rank 1 three times rank 0's share), or
 * round robin (cyclic: part p on rank p mod ranks). */
enum { SD_DIST_BLOCK = 0, SD_DIST_CYCLIC, SD_DIST_WEIGHTS };
#define SD_DIST_MAXW 1024
typedef struct sd_dist {
    int kind;
    int nw;                  /* weights: one per rank */
    double w[SD_DIST_MAXW];
} sd_dist;

/* Parses --distribution's text for `ranks` ranks (NULL or "": block). 0, or -1 with a message. */
int sd_dist_parse(sd_dist *d, const char *text, int ranks, char *err, size_t errlen);
/* The rank owning part `part` of nparts (part < 0: whole-domain data, rank 0). */
int sd_dist_rank(const sd_dist *d, int part, int nparts, int ranks);

/* The run's distributed state: the distribution, the next tag, this rank. */
typedef struct sd_dist_state {
    sd_dist d;
    int on, rank, ranks;
    int64_t next_tag;
    starpu_data_handle_t *owned; /* every handle given an owner, for sd_dist_gather */
    int nowned, cap;
    int nparts;                  /* the domain's part count (the largest nparts given to sd_dist_own) */
    struct starpu_data_descr *descr; /* the task being submitted, as StarPU-MPI takes it: filled by
                                        sd_dist_build, read again by sd_dist_after (one submitter) */
    int descr_cap;
} sd_dist_state;
void sd_dist_state_init(sd_dist_state *s, const sd_dist *d);
void sd_dist_state_free(sd_dist_state *s);
/* Every rank's part of every handle copied to rank 0 (all ranks call it, after every task): what
 * rank 0 reads on the host at the end (a summary's statistics) is then current there. */
void sd_dist_gather(sd_dist_state *s);

/* Handle h belongs to part `part` of nparts (part < 0: rank 0). */
void sd_dist_own(sd_dist_state *s, starpu_data_handle_t h, int part, int nparts);
/* h is the same on every rank and only read (a graph's table): no rank sends it. */
void sd_dist_replicated(sd_dist_state *s, starpu_data_handle_t h);
/* The rank that runs a task on these handles: the owner of everything it writes, or rank 0 when
 * it writes nothing or data of several ranks (which StarPU-MPI then sends back to the owners). */
int sd_dist_exec_rank(const sd_dist_state *s, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode);
/* The task of codelet cl on these handles through StarPU-MPI: the task to fill in and submit when
 * this rank runs it, else NULL (the sends this rank owes are posted either way). After the
 * submission (or the NULL), sd_dist_after posts what follows the same task (data sent back to
 * owners). */
struct starpu_task *sd_dist_build(sd_dist_state *s, struct starpu_codelet *cl, int n, const starpu_data_handle_t *h,
                                  const enum starpu_data_access_mode *mode, int xrank);
void sd_dist_after(sd_dist_state *s, struct starpu_codelet *cl, int n, int xrank);

#endif
