/* status.c - ode.status: per tile, partials over the systems' solver stats (stardag/ode.h): how
 * many failed (status >= SD_ODE_FAIL_FIRST), the lowest failing system's global index (a MIN
 * reduction: no partial when none fails), how many stopped at a terminal event, and the sums of
 * accepted steps and right-hand side evaluations. Roles: stats (R), then the scalar write roles
 * failed, first_failed, stopped, accepted, nfev (a->acc in that order). */
#include "erk_lanes.h"

void sd_ode_status_cpu(const sd_tile_args *a)
{
    const double *st = a->p[0];
    const int64_t sc = a->sc[0];
    for (int64_t i = 0; i < a->n[0]; i++) {
        const double status = st[i + SD_ODE_STATUS * sc];
        const int failed = status >= SD_ODE_FAIL_FIRST;
        sd_acc_add(&a->acc[0], failed ? 1.0 : 0.0);
        if (failed) sd_acc_extreme(&a->acc[1], (double)(a->origin[0] + i));
        sd_acc_add(&a->acc[2], status == SD_ODE_STOPPED ? 1.0 : 0.0);
        sd_acc_add(&a->acc[3], st[i + SD_ODE_NACCEPT * sc]);
        sd_acc_add(&a->acc[4], st[i + SD_ODE_NFEV * sc]);
    }
}
