/* systems_cli.c - `stardag systems`: the ODE systems graphs may name (built-ins, a program's,
 * packs'), one line each, then their variables and parameters with defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "stardag/ode.h"

static const char systems_usage[] =
    "usage: stardag systems\n"
    "  list the ODE systems a batch domain may name: variables, parameters with their defaults,\n"
    "  whether CUDA threads can evaluate it. `linear` (y' = A y + b) is made per file: system: {name: linear, file: F.h5}.\n"
    "  --load PACK.so       load a codelet pack first (repeatable; also STARDAG_PLUGIN_PATH)\n";

/* the shortest of %.15g and %.17g that reads back as v */
static const char *num(char *b, size_t len, double v)
{
    snprintf(b, len, "%.15g", v);
    if (strtod(b, NULL) != v) snprintf(b, len, "%.17g", v);
    return b;
}

int sd_cmd_systems(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) return fputs(systems_usage, stdout), 0;
    if (argc > 1) {
        fprintf(stderr, "stardag: systems takes no arguments, got '%s'\n%s", argv[1], systems_usage);
        return SD_EXIT_BADGRAPH;
    }
    for (int i = 0; i < sd_ode_system_count(); i++) {
        const sd_ode_system *s = sd_ode_system_at(i);
        printf("%s  [n %d, %d parameter%s%s; %s]  %s\n", s->name, s->n, s->np, s->np == 1 ? "" : "s",
               s->nevents ? ", events" : "", s->device == SD_ODE_DEVICE_BUILTIN ? "cpu, cuda" : "cpu",
               s->doc ? s->doc : "");
        printf("    vars ");
        for (int c = 0; c < s->n; c++) {
            if (s->var_names) printf(" %s", s->var_names[c]);
            else printf(" y%d", c);
        }
        printf("\n");
        for (int k = 0; k < s->np; k++) {
            printf("    param %-8s ", s->param_names ? s->param_names[k] : "?");
            char b[32];
            if (s->param_default) printf("default %s\n", num(b, sizeof b, s->param_default[k]));
            else printf("required (the op binds p)\n");
        }
    }
    /* not in the registry: made per file by the graph that names it (runtime/ode/ode_linear.h) */
    printf("linear  [n from the file, 0 parameters; cpu]  y' = A y + b, A and b from an HDF5 file: "
           "system: {name: linear, file: F.h5} (datasets /A, n x n, and /b, n)\n");
    return 0;
}
