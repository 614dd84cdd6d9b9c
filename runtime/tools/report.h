/* report.h - what the pieces of `stardag report` (report.c, report_charts.c) share: its messages
 * on stderr, prefixed "stardag report: ", one line each. */
#ifndef SD_REPORT_H
#define SD_REPORT_H

void sd_report_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The chart of a `stardag tune --csv` table into path (report_tune.c): SD_EXIT_OK, SD_EXIT_RUNTIME
 * (cannot write) or SD_EXIT_BADGRAPH (a bad table). */
int sd_report_tune(const char *csv, const char *path);

#endif
