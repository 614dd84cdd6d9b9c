/* t_run_status.c - the run status strings of docs/output-format.md ("Run status") are exactly
 * those the writers use (io/run_status.c), in the same order, with the exit status each stands
 * for; the layout table's `status` row quotes no other string. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stardag/stardag.h>
#include "run_status.h"
#include "tap.h"

#define MAXROWS 32

/* The `...` text at the start of a table row's first cell ("| `completed` | ..."), or NULL. */
static int first_cell(const char *line, char *out, size_t len)
{
    const char *a = strstr(line, "| `");
    if (a != line) return 0;
    a += 3;
    const char *b = strchr(a, '`');
    if (!b || (size_t)(b - a) >= len) return 0;
    memcpy(out, a, (size_t)(b - a));
    out[b - a] = 0;
    return 1;
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/output-format.md", top ? top : "..");
    FILE *f = fopen(path, "r");
    if (!ok(f != NULL, "%s opens", path)) return tap_done();
    char line[4096], name[MAXROWS][64];
    int exit_col[MAXROWS], nrows = 0, in_section = 0, layout_ok = 1, layout_rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## ", 3)) in_section = !strncmp(line, "## Run status", 13);
        if (!strncmp(line, "| `/` attr `status`", 19)) {
            layout_rows++;
            /* every "quoted" string in that row must be a status name */
            for (const char *q = strchr(line, '"'); q; q = strchr(q, '"')) {
                const char *e = strchr(q + 1, '"');
                if (!e) break;
                int known = 0;
                for (int s = 0; s < SD_RUN_NSTATUS; s++)
                    known |= strlen(sd_run_status_str(s)) == (size_t)(e - q - 1) &&
                             !strncmp(q + 1, sd_run_status_str(s), (size_t)(e - q - 1));
                if (!known) {
                    diag("layout row quotes %.*s, not a status", (int)(e - q + 1), q);
                    layout_ok = 0;
                }
                q = e + 1;
            }
        }
        char cell[64];
        if (!in_section || !first_cell(line, cell, sizeof cell) || !strcmp(cell, "status")) continue;
        if (nrows == MAXROWS) break;
        snprintf(name[nrows], sizeof name[nrows], "%s", cell);
        const char *last = strrchr(line, '|'), *prev = last;
        while (prev > line && *--prev != '|') {}
        exit_col[nrows] = strstr(prev, " - ") ? -1 : atoi(prev + 1);
        nrows++;
    }
    fclose(f);
    ok(layout_rows == 1 && layout_ok, "the layout table's status row names no string but the statuses");
    ok(nrows == SD_RUN_NSTATUS, "the Run status table has %d rows, the code %d statuses", nrows, SD_RUN_NSTATUS);
    for (int s = 0; s < SD_RUN_NSTATUS && s < nrows; s++)
        ok(!strcmp(name[s], sd_run_status_str(s)), "row %d: documented `%s`, the code writes \"%s\"", s + 1, name[s],
           sd_run_status_str(s));
    /* the exit-status column: each status is what sd_run_status_of_exit gives for that exit status */
    for (int s = 0; s < SD_RUN_NSTATUS && s < nrows; s++) {
        if (s == SD_RUN_RUNNING) {
            ok(exit_col[s] == -1, "`running` has no exit status");
            continue;
        }
        ok(exit_col[s] >= 0 && sd_run_status_of_exit(exit_col[s]) == (sd_run_status)s,
           "`%s`: exit status %d ends a run with it", name[s], exit_col[s]);
    }
    ok(sd_run_status_of_exit(SD_EXIT_RUNTIME) == SD_RUN_FAILED && sd_run_status_of_exit(SD_EXIT_BADGRAPH) == SD_RUN_FAILED,
       "any other exit status records failed");
    ok(sd_run_status_str(SD_RUN_NSTATUS) == NULL && sd_run_status_str((sd_run_status)-1) == NULL,
       "no string for a status out of range");
    return tap_done();
}
