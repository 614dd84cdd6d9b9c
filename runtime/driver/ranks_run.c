/* ranks_run.c - the run loop's side of a distributed run (docs/distributed.md): the ranks agree
 * on the graph before anything starts, and after every step on what decides the tasks each
 * submits next (a failure anywhere, an interrupt, run.until, --walltime, a checkpoint due), so
 * that every rank submits the same tasks and ends at the same step with the same status and
 * message. Rank 0 holds the records that carry results (it writes the output); the others' records
 * carry only their own tasks' errors. */
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "ranks.h"
#include "run_files.h"
#include "run_state.h"

/* One agreement on a failure: rank 0 prints the failing rank's message; all return its status. */
static int agree_failure(int status, const char *mine, const char *fmt_other)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", status ? mine : "");
    sd_ranks_vote v = {.status = status};
    int r = sd_ranks_agree(&v, msg, sizeof msg);
    if (r >= 0 && sd_ranks_rank() == 0) {
        if (r == 0) fprintf(stderr, "%s\n", msg);
        else fprintf(stderr, fmt_other, r, sd_ranks_size(), msg);
    }
    return v.status;
}

int sd_run_ranks_start(const sd_graph *g, int status, char *err, size_t errlen)
{
    char why[1024];
    if (!sd_ranks_launched()) {
        if (status) fprintf(stderr, "%s\n", err);
        return status;
    }
    if (sd_ranks_init(why, sizeof why) < 0) {
        fprintf(stderr, "stardag: %s\n", why);
        return SD_EXIT_RUNTIME;
    }
    if (!sd_ranks_on()) {
        if (status) fprintf(stderr, "%s\n", err);
        return status;
    }
    /* the load, then the graph: rank 0's text hash (with --set applied) must be everyone's */
    if ((status = agree_failure(status, err, "stardag: rank %d of %d: %s\n"))) {
        sd_ranks_settle(); /* every rank knows: they end alike, without MPI_Abort */
        return status;
    }
    sd_ranks_vote v = {.lead = {(int64_t)sd_graph_text_hash(g)}};
    sd_ranks_agree(&v, why, 0);
    int differs = (uint64_t)v.lead[0] != sd_graph_text_hash(g);
    snprintf(err, errlen, "stardag: %s: this rank's graph differs from rank 0's (another file, or other --set "
             "values): every rank must run the same graph", g->path);
    status = agree_failure(differs ? SD_EXIT_BADGRAPH : 0, err, "stardag: rank %d of %d: %s\n");
    if (status) sd_ranks_settle(); /* else a rank failing later on its own must end the others */
    return status;
}

int sd_run_ranks_agree(int status)
{
    char none[1] = "";
    sd_ranks_vote v = {.status = status};
    sd_ranks_agree(&v, none, 0);
    if (v.status) sd_ranks_settle(); /* all stop here alike; else the run goes on, unsettled */
    return v.status;
}

int sd_run_ranks_vote(run_state *s, int interrupted, const int64_t lead[3])
{
    char msg[960]; /* room for the "rank R of N: " before it */
    snprintf(msg, sizeof msg, "%.900s", s->failed ? s->why : "");
    sd_ranks_vote v = {.status = s->failed, .any = interrupted};
    memcpy(v.lead, lead, 3 * sizeof *lead);
    int r = sd_ranks_agree(&v, msg, sizeof msg);
    if (r >= 0) { /* the lowest failing rank's word is every rank's */
        s->failed = v.status;
        if (r == 0) snprintf(s->why, sizeof s->why, "%s", msg);
        else snprintf(s->why, sizeof s->why, "rank %d of %d: %s", r, sd_ranks_size(), msg);
    }
    s->until_step = v.lead[0];
    s->walltime_hit = (int)v.lead[1];
    s->ckpt_next = (int)v.lead[2];
    return v.any;
}
