/* run_status.c - the run status strings (run_status.h). */
#include "run_status.h"

#include <stardag/stardag.h>

static const char *const names[SD_RUN_NSTATUS] = {
    [SD_RUN_RUNNING] = "running",
    [SD_RUN_COMPLETED] = "completed",
    [SD_RUN_CHECK_FAILED] = "check failed",
    [SD_RUN_INTERRUPTED] = "interrupted",
    [SD_RUN_FAILED] = "failed",
};

const char *sd_run_status_str(sd_run_status s)
{
    return (int)s >= 0 && s < SD_RUN_NSTATUS ? names[s] : NULL;
}

sd_run_status sd_run_status_of_exit(int exit_status)
{
    switch (exit_status) {
    case SD_EXIT_OK: return SD_RUN_COMPLETED;
    case SD_EXIT_CHECK: return SD_RUN_CHECK_FAILED;
    case SD_EXIT_INTERRUPTED: return SD_RUN_INTERRUPTED;
    default: return SD_RUN_FAILED;
    }
}
