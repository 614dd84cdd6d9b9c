/* run_files.h - the files a run writes (its HDF5 file and XDMF sidecar, the domain's own output
 * such as a particle trajectory, the log, the trace), resolved from the graph and the options, and
 * the rule that an existing one is never replaced unless the user said so (--overwrite). */
#ifndef SD_RUN_FILES_H
#define SD_RUN_FILES_H
#include <stddef.h>
#include <stdio.h>
#include "graph.h"
#include "stardag/stardag.h"

enum { SD_RUN_FILE_MAX = 5, SD_RUN_PATH_MAX = 4096 };

typedef struct sd_run_files {
    const char *out;   /* the run's HDF5 file (fields, scalars, /run); NULL when the run writes none */
    const char *own;   /* the domain's own output (a particle trajectory); NULL for none */
    const char *trace; /* --trace; NULL for none */
    char xmf[SD_RUN_PATH_MAX]; /* the XDMF sidecar when the run writes fields, else "" */
    char log[SD_RUN_PATH_MAX]; /* the log, else "" */
    size_t queue_bytes; /* the output writer's queue bound: STARDAG_OUTPUT_QUEUE MiB, default 256 */
    unsigned char aside[3]; /* out, xmf, own: an old file was moved to NAME.replaced */
    unsigned char keep[3];  /* ... and is kept there (it was not a stardag run file) */
    /* A restart (--restart): the run file, its sidecar, the domain's own output and the log exist
     * and are continued (cut back to the checkpoint's step and appended), never refused or moved
     * aside; `continuing` names the checkpoint. Set after sd_run_files_resolve. */
    const char *continuing;
    int out_on_rank0;  /* a distributed run's other ranks: rank 0 writes a run file (their out is NULL,
                          their own is the path rank 0 writes, and they submit the same snapshots) */
} sd_run_files;

/* What the graph and the options ask for: --out "" disables every file but those --log,
 * --trajectory and --trace name; the log is --log, output.log, or the output file's (else the
 * trajectory's) name with its extension replaced by .log. 0, or -1 with a message (two outputs
 * that are one file under any spelling, a bad STARDAG_OUTPUT_QUEUE). */
int sd_run_files_resolve(const sd_graph *g, const sd_run_opts *o, sd_run_files *f, char *err, size_t errlen);

/* Is any file of the run (also --log, --trace, the sidecar) one the graph reads its initial state
 * from (by device and inode)? Reports it (sd_run_say_error) and returns 1; else 0. */
int sd_run_clash_with_reads(const sd_graph *g, const sd_run_files *f, const sd_run_opts *o);

/* Reports (sd_run_say_error) one line per file that blocks the run, naming the remedy, and returns
 * how many there were (the run must not start; 0 when none): an output file, sidecar or trajectory
 * path that is not a regular file (a device, a directory: never written, moved or removed); an
 * existing NAME.replaced of one of them (also with overwrite: it may be the only good copy) and,
 * without overwrite, each file of the run that exists already (an output file that is not a
 * stardag run file is said to be so). A restart continues its files: they are not refused. */
int sd_run_files_refuse_existing(const sd_run_files *f, const sd_run_opts *o);

/* --overwrite: the existing run file, sidecar and trajectory are moved to NAME.replaced just before
 * the run creates its own (an output file that is not a stardag run file is kept there, and a
 * warning says so); once those are created, sd_run_files_drop_aside removes the other old ones;
 * if creating failed, sd_run_files_restore puts them back (over what the failed attempt left), so
 * a replaced file is either the old one, whole, or the new run's. 0, or -1 with a message. */
int sd_run_files_set_aside(sd_run_files *f, char *err, size_t errlen);
void sd_run_files_drop_aside(sd_run_files *f);
void sd_run_files_restore(sd_run_files *f);

/* An error or warning line: "stardag: LINE" on stderr, and appended to o->errors when the caller
 * gave a buffer (the Python package's RunError, or Run.warnings after a run that succeeded). */
void sd_run_say_error(const sd_run_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct sd_runlog;
/* The run itself (run.c), once its files are settled and its log (may be NULL) is open. */
/* stardag run under mpirun (else returns status): MPI started, then every rank says whether it
 * loaded its graph (g NULL: status and err say why) and whether its graph is rank 0's; all return
 * the first failing rank's status, that rank's message printed once by rank 0. */
int sd_run_ranks_start(const sd_graph *g, int status, char *err, size_t errlen);
/* A distributed run: every rank's status (its failure already said), the first failing rank's for
 * all; on one process, status. */
int sd_run_ranks_agree(int status);
int sd_run_loop(const sd_graph *g, const sd_run_opts *o, sd_run_files *files, struct sd_runlog *log);

/* mkdir -p DIR (mode 0777 less the umask); 0, or -1 with errno (ENOTDIR: DIR is something else). */
int sd_make_dirs(const char *dir);

#endif
