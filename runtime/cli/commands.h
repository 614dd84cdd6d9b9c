/* commands.h - the CLI's tool commands, each in a file of its own. argv[0] is the command name;
 * each returns an SD_EXIT_* status (77 is never returned: tests decide about skipping). */
#ifndef SD_COMMANDS_H
#define SD_COMMANDS_H
#include <stdio.h>
#include "graph.h"

int sd_cmd_verify(int argc, char **argv);    /* verify.c: CPU vs CUDA per codelet */
int sd_cmd_compare(int argc, char **argv);   /* compare.c: two HDF5 outputs within tolerances */
int sd_cmd_calibrate(int argc, char **argv); /* calibrate.c: calibrate and print perf models */
int sd_cmd_report(int argc, char **argv);    /* report.c: charts of a run (SVG) */
void sd_check_summary(const sd_graph *g, const char *file, FILE *out); /* check_summary.c: `check`'s line */

#endif
