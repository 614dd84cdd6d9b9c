/* packs_cli.c - the packs every command sees: STARDAG_PLUGIN_PATH's, then each --load PACK of the
 * commands that take it, in command-line order (before the command parses its own options). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "stardag/stardag.h"

static int takes_load(const char *cmd)
{
    static const char *const cmds[] = {"run", "check", "dot", "codelets", "systems", "verify", "calibrate", "predict", "tune", NULL};
    for (int i = 0; cmds[i]; i++)
        if (!strcmp(cmd, cmds[i])) return 1;
    return 0;
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
