/* report_data.h - what `stardag report` reads from a run file (HDF5): the scalar diagnostics of
 * /scalars and the per-codelet and per-worker times of /run. All HDF5 access of the report is
 * here. */
#ifndef SD_REPORT_DATA_H
#define SD_REPORT_DATA_H
#include <stddef.h>
#include <stdint.h>

#include "strtab.h"

/* /scalars: nnames series of n rows each over a common x. */
typedef struct {
    int64_t n;       /* rows */
    double *x;       /* time (or step) of each row */
    int x_is_time;
    int64_t step0, step1;
    int nnames;
    char **names;
    double **v;
} sd_run_scalars;

/* /run: time per (codelet, architecture), busy time per worker. */
typedef struct {
    int present;
    int n;                 /* (codelet, arch) rows */
    int *cl, *arch;        /* into the codelet table and archs */
    int64_t *tasks;
    double *secs;
    int nw;
    char **wname;
    double *wbusy;
    double wall;           /* NaN if absent */
} sd_run_info;

/* Reads /scalars into sc (sc->nnames 0 when absent or empty) and /run into ri (ri->present 0
 * when absent) of the run file at path; codelet names go into cls, architecture names (lower
 * case) into archs. 0, or -1 with a one-line message in err: not an HDF5 file, no /scalars
 * and no /run group, or a dataset that cannot be read. Free sc and ri afterwards either way. */
int sd_run_data_read(const char *path, sd_run_scalars *sc, sd_run_info *ri, sd_strtab *cls, sd_strtab *archs,
                     char *err, size_t errlen);
void sd_run_scalars_free(sd_run_scalars *sc);
void sd_run_info_free(sd_run_info *ri);

#endif
