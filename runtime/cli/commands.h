/* commands.h - the CLI's tool commands, each in a file of its own. argv[0] is the command name;
 * each returns an SD_EXIT_* status (77 is never returned: tests decide about skipping). */
#ifndef SD_COMMANDS_H
#define SD_COMMANDS_H
#include <stdio.h>
#include "graph.h"

int sd_cmd_verify(int argc, char **argv);    /* verify.c: CPU vs CUDA per codelet */
int sd_cmd_compare(int argc, char **argv);   /* compare.c: two HDF5 outputs within tolerances */
int sd_cmd_calibrate(int argc, char **argv); /* calibrate.c: calibrate and print perf models */
int sd_cmd_predict(int argc, char **argv);   /* predict_cli.c: predicted (and measured) step time */
int sd_cmd_tune(int argc, char **argv);      /* tune.c: choose and store a graph's configuration */
int sd_cmd_report(int argc, char **argv);    /* report.c: charts of a run (SVG) */
int sd_cmd_inspect(int argc, char **argv);   /* inspect.c: what a run file or a checkpoint holds */
void sd_check_summary(const sd_graph *g, const char *file, FILE *out); /* check_summary.c: `check`'s line */
int sd_cmd_new_pack(int argc, char **argv);  /* new_pack.c: a new codelet pack from the template */
int sd_cmd_systems(int argc, char **argv);   /* systems_cli.c: the ODE systems graphs may name */
/* packs_cli.c: loads STARDAG_PLUGIN_PATH's packs, then (run, check, dot, codelets, verify,
 * calibrate) each --load PACK, removing those options from argv. 0, or SD_EXIT_BADGRAPH after
 * printing why. */
int sd_cli_load_packs(int *argc, char **argv);

#endif
