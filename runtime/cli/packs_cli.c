/* packs_cli.c - the packs every command sees: STARDAG_PLUGIN_PATH's, then each --load PACK of the
 * commands that take it, in command-line order (before the command parses its own options). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "stardag/stardag.h"

static int takes_load(const char *cmd)
{
    static const char *const cmds[] = {"run", "check", "dot", "codelets", "verify", "calibrate", NULL};
    for (int i = 0; cmds[i]; i++)
        if (!strcmp(cmd, cmds[i])) return 1;
    return 0;
}

/* The command line as typed, --load options included (a run records it). */
static char **full_argv;
static int full_argc;

int sd_cli_full_args(int argc, char **argv, char ***full)
{
    *full = full_argv ? full_argv : argv;
    return full_argv ? full_argc : argc;
}

int sd_cli_load_packs(int *argc, char **argv)
{
    char err[2048];
    /* only commands that resolve codelets load packs; --help answers even with a broken path */
    if (*argc < 2 || !takes_load(argv[1])) return 0;
    int help = 0;
    for (int i = 2; i < *argc; i++) help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
    if (!help && sd_pack_load_env(err, sizeof err)) {
        fprintf(stderr, "stardag: %s\n", err);
        return SD_EXIT_BADGRAPH;
    }
    if (!(full_argv = malloc((*argc + 1) * sizeof *full_argv))) {
        fprintf(stderr, "stardag: out of memory\n");
        return SD_EXIT_RUNTIME;
    }
    memcpy(full_argv, argv, (*argc + 1) * sizeof *full_argv);
    full_argc = *argc;
    int out = 2;
    for (int i = 2; i < *argc; i++) {
        if (strcmp(argv[i], "--load")) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "stardag: option --load needs a value (a pack file: --load ./mypack.so)\n");
            return SD_EXIT_BADGRAPH;
        }
        const char *pack = argv[++i];
        if (help) continue; /* --help: the option is dropped, its pack not loaded */
        if (sd_pack_load(pack, NULL, err, sizeof err)) {
            fprintf(stderr, "stardag: --load %s\n", err);
            return SD_EXIT_BADGRAPH;
        }
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}
