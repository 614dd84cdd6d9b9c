/* tuning.h - stored tunings (stardag tune, docs/tuning.md): the configuration that ran a graph
 * fastest on a machine, kept beside StarPU's performance models and keyed by the graph's
 * structure (its layout hash: domain, sizes, fields, ops and bindings, not parameter values) and
 * the machine (CPU model, cores, caches, vector ISA, StarPU version and the workers a run asks
 * for). A run whose parts are automatic uses the stored choice for its graph and machine. */
#ifndef SD_TUNING_H
#define SD_TUNING_H
#include <stddef.h>
#include <stdint.h>
#include "graph.h"
#include "stardag/stardag.h"

typedef struct sd_tuning {
    int64_t parts[3];     /* as --tiles: a grid's tile shape, else the count in parts[0]; 0: the
                             automatic parts (the default layout won) */
    char sched[32];
    int max_inflight;
    sd_arch arch;         /* where tasks ran: any (hybrid), cpu, cuda */
    int fuse;             /* steps a grid tile advances per task (run --fuse); 1: none */
    double step_ms;       /* what it measured */
    char tuned_at[32];    /* UTC, ISO 8601 */
} sd_tuning;

/* Are the graph's parts chosen by the runtime (tiles: auto, no blocks/partitions/tiles given)? */
int sd_graph_parts_auto(const sd_graph *g);
/* This machine as a run asking for ncpu CPU workers (-1: STARPU_NCPU or StarPU's default) and
 * ncuda GPUs (-1: every one present) sees it. */
void sd_machine_key(int ncpu, int ncuda, char *key, size_t len);
/* The file of graph g's tuning on machine key (StarPU's sampling folder/stardag-tune/). */
void sd_tuning_path(const sd_graph *g, const char *key, char *path, size_t len);
/* 1: read into t; 0: none stored; -1: the file is corrupt (why in err, the file named). */
int sd_tuning_load(const char *path, const sd_graph *g, const char *key, sd_tuning *t, char *err, size_t errlen);
/* Written atomically (a new file renamed over the old). 0, or -1 with a message. */
int sd_tuning_store(const char *path, const sd_graph *g, const char *key, const sd_tuning *t, char *err,
                    size_t errlen);

/* Before StarPU starts, for a run whose parts are automatic (tiles: auto or no count in the graph,
 * no --tiles, not no_tuning): StarPU's home settled and the stored tuning for this machine put into
 * o (its scheduler's name in sched): its parts, and its scheduler, max_inflight and fused steps
 * unless --sched, STARPU_SCHED, --max-inflight, run.max_inflight, --fuse or run.fuse chose them
 * (fused steps not for --arch cuda). A run that chose its devices
 * (--arch, --ncuda) takes only a tuning made for every device. 1: applied, the summary's line
 * (what it took) in note; 0: none; -1: the stored one is damaged, reported as the run's errors are,
 * and ignored. */
int sd_tuning_for_run(const sd_graph *g, sd_run_opts *o, char sched[32], char *note, size_t len);
/* "any", "cpu", "cuda" */
const char *sd_arch_name(sd_arch a);

#endif
