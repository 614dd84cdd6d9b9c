/* loader_tables.c - the graph's `tables:` section: named numeric tables read at load from text
 * files or HDF5 datasets (io/read_table.h), checked, and kept in the graph; ops read them through table roles
 * (SD_ROLE_TABLE, bound in loader_ops.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader_impl.h"
#include "read_table.h"

static void load_table(loader *L, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const keys[] = {"file", "dataset", "columns", NULL};
    sd_graph *g = L->g;
    const char *name = sd_ld_get_name(L, k, "a table name");
    char sec[128];
    snprintf(sec, sizeof sec, "in table %s", name);
    if (!is_map(v))
        sd_ld_fail(L, v, "expected {file: PATH} (a text file) or {file: PATH, dataset: /NAME} (HDF5) for table '%s', got %s",
                   name, got(v) ? got(v) : "a single value");
    sd_ld_check_keys(L, v, keys, sec);
    yaml_node_t *nf = sd_ld_map_get(L, v, "file", NULL), *nc = sd_ld_map_get(L, v, "columns", NULL),
                *nd = sd_ld_map_get(L, v, "dataset", NULL);
    if (!nf)
        sd_ld_fail(L, v, "table '%s' needs file (expected {file: PATH}: a text file of numbers, or {file: PATH, dataset: /NAME})",
                   name);
    sd_ld_ns_add(L, k, name, NS_TABLE, -1);
    const char *file = sd_ld_get_str(L, nf, "a file path");
    if (!*file) sd_ld_fail(L, nf, "expected a file path for table '%s', got an empty string", name);
    if (strlen(file) >= sizeof g->tables[0].file)
        sd_ld_fail(L, nf, "the file path of table '%s' is too long (at most %zu characters)", name, sizeof g->tables[0].file - 1);
    const char *dataset = nd ? sd_ld_get_str(L, nd, "an HDF5 dataset path") : NULL;
    if (dataset && (dataset[0] != '/' || strlen(dataset) >= sizeof g->tables[0].dataset))
        sd_ld_fail(L, nd, "expected an absolute HDF5 dataset path (/group/name, at most %zu characters) for table '%s', got "
                   "'%s'", sizeof g->tables[0].dataset - 1, name, dataset);
    const int cols = nc ? (int)sd_ld_eval_int(L, nc, 1, 1 << 20, "columns") : 0;
    sd_gtable *t = &g->tables[g->ntables++]; /* the graph owns t->data from here, also if loading fails */
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->file, sizeof t->file, "%s", file);
    snprintf(t->dataset, sizeof t->dataset, "%s", dataset ? dataset : "");
    t->at = where(k);
    char err[2048];
    int in_dataset = 0;
    sd_ld_need_regular_file(L, nf, file);
    if (dataset ? sd_table_read_h5(file, dataset, &t->data, &t->rows, &t->cols, &in_dataset, err, sizeof err)
                : sd_table_read_text(file, &t->data, &t->rows, &t->cols, err, sizeof err))
        sd_ld_fail(L, in_dataset ? nd : nf, "table '%s': %s", name, err);
    if (cols && t->cols != cols)
        sd_ld_fail(L, nc, "table '%s': %s%s%s has %d column%s, expected %d (columns)", name, file, dataset ? " " : "",
                   dataset ? dataset : "", t->cols, t->cols == 1 ? "" : "s", cols);
}

void sd_ld_load_tables(loader *L, const yaml_node_t *m)
{
    if (is_null(m)) return;
    sd_ld_need_map(L, m, "tables (name: {file: PATH})");
    sd_graph *g = L->g;
    g->tables = calloc((size_t)map_len(m) + 1, sizeof *g->tables);
    if (!g->tables) sd_ld_oom(L);
    for (int i = 0; i < map_len(m); i++) load_table(L, key_at(L, m, i), val_at(L, m, i));
}

void sd_ld_check_tables_used(loader *L)
{
    const sd_graph *g = L->g;
    for (int t = 0; t < g->ntables; t++) {
        int used = 0;
        for (int pass = 0; pass < 2 && !used; pass++) {
            const sd_gop *ops = pass ? g->step : g->init;
            for (int o = 0; o < (pass ? g->nstep : g->ninit) && !used; o++)
                for (int r = 0; r < ops[o].cl->nroles && !used; r++)
                    used = ops[o].bind[r].is_table && !ops[o].bind[r].unbound && ops[o].bind[r].index == t;
        }
        /* an op whose table role is optional would silently use its own data instead */
        if (!used)
            sd_ld_fail_at(L, g->tables[t].at.line, g->tables[t].at.col,
                          "table '%s' is read by no op (expected it bound to a table role in an op's read:, e.g. read: "
                          "{curve: %s}; `stardag codelets` lists table roles)", g->tables[t].name, g->tables[t].name);
    }
}
