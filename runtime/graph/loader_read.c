/* loader_read.c - the loader's io.* ops: init ops whose values come from a file rather than from
 * a codelet. io.read_field binds one role like a codelet (so the data-flow analysis sees the level
 * written), but takes text params (file, dataset, field, step: last), which no codelet may; the
 * file is opened and its dataset's shape and type checked here, at load, so that a graph that
 * loads does not fail at run time for a reason visible in the file it names. */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include "loader_impl.h"
#include "read_spec.h"

/* A pointwise op of one write role: any components, either dtype; no codelet params. The
 * grid class reads the file into the bound level's tiles (dm/grid_read.c). */
static const sd_codelet read_field_op = {
    .name = "io.read_field",
    .doc = "a field level's values from an HDF5 dataset, or from a stardag output at a step",
    .pattern = SD_POINTWISE,
    .nroles = 1,
    .roles = {{.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .doc = "the level read"}},
    .model = SD_READ_FIELD_MODEL,
    .domain = SD_ON_GRID,
};

static const sd_codelet *const io_ops[] = {&read_field_op, NULL};

/* A batch's values: (domain_batch_values.c): an init op of the grid's read machinery whose values
 * were computed at load. Not in io_ops: a graph cannot name it. */
static const sd_codelet values_op = {
    .name = "io.values",
    .doc = "a batch field's initial values (domain.batch.values), computed or read at load",
    .pattern = SD_POINTWISE,
    .nroles = 1,
    .roles = {{.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .doc = "the field set"}},
    .model = SD_READ_FIELD_MODEL,
    .domain = SD_ON_BATCH,
};

sd_gread *sd_ld_values_op(loader *L, int field, sd_where at)
{
    const int k = sd_ld_new_op(L, 0);
    sd_gop *op = &L->g->init[k];
    memset(op, 0, sizeof *op);
    memset(&L->xinit[k], 0, sizeof L->xinit[k]);
    op->cl = &values_op;
    op->every = 1;
    op->at = L->xinit[k].op = L->xinit[k].bind[0] = at;
    op->bind[0] = (sd_binding){.index = field, .mode = SD_WRITE};
    if (!(op->read = calloc(1, sizeof *op->read))) sd_ld_oom(L); /* freed with the graph */
    const size_t n = (size_t)L->g->domain.shape[0] * (size_t)L->g->fields[field].ncomp;
    /* the values stay allocated for the run (the tiles read them): they count with the fields */
    L->values_bytes += (double)n * sizeof(double);
    char what[SD_NAME_MAX + 160];
    snprintf(what, sizeof what, "the fields and the initial values under values: (the latest, %s: %.6g values) need",
             L->g->fields[field].name, (double)n);
    sd_ld_check_memory(L, at, sd_graph_state_bytes(L->g) + L->values_bytes, what);
    if (!(op->read->values = malloc(n * sizeof(double)))) sd_ld_oom(L);
    return op->read;
}

const sd_codelet *sd_ld_io_op(const char *name)
{
    for (int i = 0; io_ops[i]; i++)
        if (!strcmp(io_ops[i]->name, name)) return io_ops[i];
    return NULL;
}

const char *sd_ld_io_op_name(int i) { return io_ops[i] ? io_ops[i]->name : NULL; }

/* As stardag's output writes fields (io/h5out.c). */
void sd_read_field_shape(const sd_graph *g, int field, int level, int narrow, sd_rf_shape *s)
{
    static const char *const xyz[3] = {"x", "y", "z"};
    const sd_gfield *f = &g->fields[field];
    memset(s, 0, sizeof *s);
    s->narrow = narrow;
    if (f->nlevels > 1) snprintf(s->what, sizeof s->what, "level %s of field %s", f->level[level], f->name);
    else snprintf(s->what, sizeof s->what, "field %s", f->name);
    if (f->ncomp > 1) {
        s->dims[s->rank] = f->ncomp;
        snprintf(s->axes[s->rank++], sizeof s->axes[0], "component");
    }
    for (int k = f->location == SD_LOC_BINS ? g->domain.ninner - 1 : -1; k >= 0; k--) {
        s->dims[s->rank] = g->domain.inner[k].count;
        snprintf(s->axes[s->rank++], sizeof s->axes[0], "%.23s", g->domain.inner[k].name);
    }
    for (int d = g->domain.ndim - 1; d >= 0; d--) {
        s->dims[s->rank] = g->domain.shape[d];
        snprintf(s->axes[s->rank++], sizeof s->axes[0], "%s", xyz[d]);
    }
    s->dtype = f->dtype;
}

static const char *text_param(loader *L, const yaml_node_t *n, const char *what, size_t max)
{
    const char *s = sd_ld_get_str(L, n, what);
    if (!*s) sd_ld_fail(L, n, "expected %s, got an empty string", what);
    if (strlen(s) >= max) sd_ld_fail(L, n, "%s is too long (at most %zu characters)", what, max - 1);
    return s;
}

/* Is path the file `read` names (the same file, by device and inode)? */
static int same_file(const char *path, const char *read)
{
    struct stat a, b;
    return path && *path && stat(path, &a) == 0 && stat(read, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The first file the graph reads that `path` is, or NULL. */
static const char *read_by_graph(const sd_graph *g, const char *path)
{
    for (int i = 0; i < g->ninit; i++)
        if (g->init[i].read && same_file(path, g->init[i].read->file)) return g->init[i].read->file;
    if (g->domain.particles.read && same_file(path, g->domain.particles.read->file)) return g->domain.particles.read->file;
    for (int i = 0; i < g->ntables; i++)
        if (same_file(path, g->tables[i].file)) return g->tables[i].file;
    return NULL;
}

const char *sd_graph_read_file(const sd_graph *g, const char *path) { return read_by_graph(g, path); }

/* Would output.file or output.trajectory destroy a file the graph reads? 1 with a message, else 0
 * (the run checks every file it will write, options included: sd_run_clash_with_reads). */
static int output_clash(const sd_graph *g, char *msg, size_t len)
{
    const char *files[2] = {g->output.file, g->output.trajectory}, *what[2] = {"the output file", "the trajectory"};
    for (int k = 0; k < 2; k++) {
        const char *r = read_by_graph(g, files[k]);
        if (r) {
            char same[600] = "";
            if (strcmp(files[k], r)) snprintf(same, sizeof same, " (as %s)", r);
            snprintf(msg, len, "%s %s is the file%s the graph reads its initial state from: writing it would destroy "
                     "what the run reads (expected another file)", what[k], files[k], same);
            return 1;
        }
    }
    return 0;
}

void sd_ld_io_check_outputs(loader *L, const yaml_node_t *output)
{
    char msg[1200];
    if (!output_clash(L->g, msg, sizeof msg)) return;
    yaml_node_t *t = sd_ld_map_get(L, output, "trajectory", NULL), *f = sd_ld_map_get(L, output, "file", NULL);
    if (read_by_graph(L->g, L->g->output.file) || !t || !is_map(t)) sd_ld_fail(L, f ? f : output, "%s", msg);
    f = sd_ld_map_get(L, t, "file", NULL);
    sd_ld_fail(L, f ? f : t, "%s", msg);
}

void sd_ld_io_finish(loader *L, sd_gop *op, int is_step, const yaml_node_t *on, const yaml_node_t *params)
{
    static const char *const keys[] = {"file", "dataset", "field", "step", "narrow", NULL};
    sd_graph *g = L->g;
    if (is_step)
        sd_ld_fail(L, on, "%s sets a field's values before the run: it belongs in init, not step", op->cl->name);
    if (!params)
        sd_ld_fail(L, on, "%s needs params: {file: PATH, dataset: PATH} (any HDF5 file) or {file: PATH, step: N} "
                   "(a stardag output)", op->cl->name);
    sd_ld_need_map(L, params, "params");
    sd_ld_check_keys(L, params, keys, "in the params of io.read_field");
    yaml_node_t *kstep = NULL;
    yaml_node_t *nfile = sd_ld_map_get(L, params, "file", NULL), *nds = sd_ld_map_get(L, params, "dataset", NULL),
                *nfield = sd_ld_map_get(L, params, "field", NULL), *nstep = sd_ld_map_get(L, params, "step", &kstep),
                *nnarrow = sd_ld_map_get(L, params, "narrow", NULL);
    if (!nfile) sd_ld_fail(L, params, "%s needs param 'file' (the HDF5 file to read)", op->cl->name);
    if (nds && nstep)
        sd_ld_fail(L, kstep, "%s takes dataset (a dataset of any HDF5 file) or step (a field of a stardag output "
                   "at a step), not both", op->cl->name);
    if (!nds && !nstep)
        sd_ld_fail(L, params, "%s needs param 'dataset' (a dataset of any HDF5 file) or 'step' (a stardag output's "
                   "step, or last)", op->cl->name);
    if (nfield && !nstep)
        sd_ld_fail(L, nfield, "field names a field of a stardag output: it needs step (expected step: N or last)");

    const sd_binding *b = &op->bind[0];
    const sd_gfield *f = &g->fields[b->index];
    sd_gread *rd = calloc(1, sizeof *rd);
    if (!rd) sd_ld_oom(L);
    op->read = rd; /* freed with the graph, also when loading fails below */
    snprintf(rd->file, sizeof rd->file, "%s", text_param(L, nfile, "a file path", sizeof rd->file));
    rd->narrow = nnarrow ? sd_ld_get_bool(L, nnarrow, "narrow") : 0;
    const char *dataset = nds ? text_param(L, nds, "an HDF5 dataset path", sizeof rd->dataset) : NULL;
    const char *field = nfield ? text_param(L, nfield, "a field name", SD_NAME_MAX) : f->name;
    int64_t step = SD_RF_NO_STEP;
    if (nstep) {
        const char *s = is_scalar(nstep) ? sval(nstep) : "";
        step = !strcmp(s, "last") ? SD_RF_LAST_STEP : sd_ld_eval_int(L, nstep, 0, INT64_MAX / 2, "step");
    }

    sd_rf_shape want;
    sd_read_field_shape(g, b->index, b->level, rd->narrow, &want);
    char err[1024];
    int at = 0;
    int64_t step_read; /* which step resolved: only the dataset path is kept */
    const yaml_node_t *nwhat = nds ? nds : nfield ? nfield : nstep;
    if (sd_rf_resolve(rd->file, dataset, field, step, rd->dataset, sizeof rd->dataset, &step_read, &at, err, sizeof err) < 0)
        sd_ld_fail(L, at == SD_RF_AT_FILE ? nfile : at == SD_RF_AT_STEP ? nstep : nwhat, "%s", err);
    if (sd_rf_check(rd->file, rd->dataset, &want, &at, err, sizeof err) < 0)
        sd_ld_fail(L, at == SD_RF_AT_FILE ? nfile : on, "%s", err);
}
