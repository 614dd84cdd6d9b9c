/* runlog.h - the run's log file (like LAMMPS' log.lammps): while it is open, every line the
 * process prints on stdout and stderr (the run's, the domain's thermo table, StarPU's warnings)
 * also goes to the log, written through at each line so that a killed run keeps what it printed.
 * The progress line, redrawn in place on a terminal, goes to the terminal only: the run logs its
 * milestones with sd_runlog_line instead. */
#ifndef SD_RUNLOG_H
#define SD_RUNLOG_H
#include <stddef.h>
#include <stdio.h>

typedef struct sd_runlog sd_runlog;

/* Creates (truncates) path and starts copying stdout and stderr into it. NULL with a message. */
sd_runlog *sd_runlog_open(const char *path, char *err, size_t errlen);
/* The same, appending to path (a restarted run continues its log). */
sd_runlog *sd_runlog_append(const char *path, char *err, size_t errlen);
/* A line into the log only (no newline needed). l may be NULL (no log): nothing. */
void sd_runlog_line(sd_runlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The real stderr, for what must not be logged (the progress line redrawn with \r). */
FILE *sd_runlog_terminal(sd_runlog *l);
/* Stops copying (stdout and stderr are the process' own again) and closes the log. 0, or -1 with
 * a message when a write to it failed. l may be NULL. */
int sd_runlog_close(sd_runlog *l, char *err, size_t errlen);

#endif
