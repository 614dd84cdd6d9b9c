/* run_status.h - the run status written to the `status` attribute of the run file (io/h5out.c)
 * and of the H5MD trajectory (io/h5md.c). One table, in run_status.c, for both writers and the
 * docs (docs/output-format.md lists the same strings; tests/t_status_doc checks they agree). */
#ifndef STARDAG_IO_RUN_STATUS_H
#define STARDAG_IO_RUN_STATUS_H

typedef enum {
    SD_RUN_RUNNING = 0,  /* written at create: a file still saying so was not closed (crash, kill) */
    SD_RUN_COMPLETED,    /* every step ran and every check passed */
    SD_RUN_CHECK_FAILED, /* a check of the graph failed (exit status 3) */
    SD_RUN_INTERRUPTED,  /* SIGINT/SIGTERM: stopped after the tasks in flight (exit status 130) */
    SD_RUN_FAILED,       /* a runtime error (exit status 1) */
    SD_RUN_NSTATUS
} sd_run_status;

/* The string of a status ("running", "completed", ...); NULL for a value out of range. */
const char *sd_run_status_str(sd_run_status s);

/* The status a run that ends with exit status `exit_status` (SD_EXIT_*) records. */
sd_run_status sd_run_status_of_exit(int exit_status);

#endif
