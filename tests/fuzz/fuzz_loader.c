/* fuzz_loader.c - libFuzzer target: the graph loader on any bytes (sd_graph_parse, from memory).
 * Every input must end in a graph or in a one-line message, within the limits of
 * docs/graph-format.md ("Limits"); a crash, a sanitizer report, a leak, a failure without a
 * message or a hang is a defect. Built with clang by `make fuzz` (tests/fuzz.mk), and without
 * libFuzzer as a replay program (replay.c) that runs the regression inputs of tests/fuzz/loader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/stardag.h"

void sd_register_builtin_codelets(void);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sd_register_builtin_codelets(); /* graphs name the built-in ops */
    /* a graph may ask for any memory up to the limit (a batch's initial values are computed at
     * load): keep what one input may allocate well under libFuzzer's malloc limit */
    setenv("STARDAG_MAX_MEMORY", "256M", 1);
    /* expression systems interpreted: a native one is compiled by a child process and dlopen'ed per
     * input (slow, and its dlclose would leave libFuzzer counting coverage in unmapped memory) */
    setenv("STARDAG_ODE_COMPILE", "interpreter", 1);
    setenv("STARDAG_ODE_CC", "false", 1); /* graphs that ask for native code fail (with a message) */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char err[2048];
    err[0] = 0;
    sd_graph *g = sd_graph_parse("fuzz.yaml", text, err, sizeof err);
    if (!g && (!err[0] || strchr(err, '\n'))) {
        fprintf(stderr, "fuzz_loader: a failure without a one-line message: '%s'\n", err);
        abort();
    }
    if (g) { /* what bindings read of a loaded graph */
        int64_t shape[3];
        (void)sd_graph_domain(g, shape);
        for (int i = 0; i < sd_graph_nfields(g); i++) (void)sd_graph_field(g, i);
        for (int i = 0; i < sd_graph_nscalars(g); i++) (void)sd_graph_scalar(g, i, NULL);
    }
    sd_graph_free(g);
    free(text);
    return 0;
}
