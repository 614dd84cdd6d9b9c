/* loader_plugins.c - the graph's `plugins:` key: codelet packs the graph needs, loaded before any
 * op is resolved. A relative name is taken from the graph file's directory (a bare name not there
 * is looked for in STARDAG_PLUGIN_PATH, stardag/pack.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "loader_impl.h"
#include "stardag/pack.h"

void sd_ld_load_plugins(loader *L, const yaml_node_t *n)
{
    if (!is_seq(n))
        sd_ld_fail(L, n, "plugins: expected a list of pack files (plugins: [mypack.so]), got %s",
                   got(n) ? got(n) : "a single value");
    char dir[PATH_MAX];
    const char *slash = strrchr(L->path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == L->path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - L->path), L->path);
    for (int i = 0; i < seq_len(n); i++) {
        const yaml_node_t *it = seq_at(L, n, i);
        const char *file = sd_ld_get_str(L, it, "a pack file name (mypack.so)");
        if (!*file) sd_ld_fail(L, it, "plugins: an empty pack file name (expected mypack.so)");
        char msg[2048];
        if (sd_pack_load(file, dir, msg, sizeof msg)) sd_ld_fail(L, it, "plugins: %s", msg);
    }
}
