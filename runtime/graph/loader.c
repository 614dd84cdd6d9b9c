/* loader.c - read a graph file (YAML) into an sd_graph, checking everything before any task runs.
 *
 * Errors are reported as "FILE:LINE:COL: message" (one line) and the first one found wins. The
 * document is loaded with libyaml into a node tree, then processed section by section in a fixed
 * order: plugins, name, params, run, domain, fields, scalars, tables, tiles, init, step, data flow, output, checks
 * (run comes early because ops and checks may use dt). Within a section, document order.
 *
 * This file holds the entry points (parse or load a graph, free it, look names up) and the walk
 * over the sections; the pieces, all sharing loader_impl.h, are loader_yaml.c (errors, YAML
 * nodes, values, names, params), loader_fields.c (run, domain, fields, scalars, tiles),
 * domain_grid.c and domain_particles.c (each domain class's own section), loader_tables.c (tables),
 * loader_ops.c (init and step, bindings, data flow) and loader_output.c (output and checks).
 *
 * Failure unwinds with longjmp to sd_graph_parse_ex, which frees everything the loader owns; so
 * no function of the loader may hold malloc'd memory of its own across a call that can fail. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "loader_impl.h"
#include "ode_expr.h"

/* ---- the whole graph --------------------------------------------------------------------- */

static void yaml_fail(loader *L, yaml_parser_t *p)
{
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR) { /* only a byte offset: count lines */
        line = 1;
        col = 1;
        for (size_t i = 0; i < p->problem_offset && L->text[i]; i++) {
            if (L->text[i] == '\n') { line++; col = 1; }
            else col++;
        }
    }
    if (p->error == YAML_MEMORY_ERROR) sd_ld_oom(L);
    if (p->context)
        sd_ld_fail_at(L, line, col, "invalid YAML: %s (%s at line %d, column %d)", p->problem ? p->problem : "error", p->context,
                      (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    sd_ld_fail_at(L, line, col, "invalid YAML: %s", p->problem ? p->problem : "error");
}

static void load(loader *L)
{
    static const char *const keys[] = {"name", "params", "domain", "fields", "scalars", "tables", "tiles", "init",
                                       "step", "output", "checks", "run", "plugins", NULL};
    sd_graph *g = L->g;
    sd_ld_check_yaml_shape(L); /* before libyaml builds a document of unbounded depth */
    if (!yaml_parser_initialize(&L->parser)) sd_ld_oom(L);
    L->parser_ok = 1;
    yaml_parser_set_input_string(&L->parser, (const unsigned char *)L->text, strlen(L->text));
    if (!yaml_parser_load(&L->parser, &L->doc)) yaml_fail(L, &L->parser);
    L->doc_ok = 1;
    yaml_node_t *root = yaml_document_get_root_node(&L->doc);
    if (!root) sd_ld_fail_at(L, 1, 1, "the graph is empty (expected a map with domain, fields, step, run, ...)");
    {
        yaml_document_t d2;
        if (!yaml_parser_load(&L->parser, &d2)) yaml_fail(L, &L->parser);
        yaml_node_t *r2 = yaml_document_get_root_node(&d2);
        int line = r2 ? (int)r2->start_mark.line + 1 : 0, col = r2 ? (int)r2->start_mark.column + 1 : 0;
        yaml_document_delete(&d2);
        if (r2) sd_ld_fail_at(L, line, col, "a second YAML document (expected one graph per file)");
    }
    size_t nn = (size_t)(L->doc.nodes.top - L->doc.nodes.start) + 1;
    L->seen = calloc(nn + 1, 1);
    if (!L->seen) sd_ld_oom(L);
    if (!is_map(root)) sd_ld_fail(L, root, "expected a map of sections at top level, got %s", got(root) ? got(root) : "a single value");
    sd_ld_check_maps(L, 1, 0);
    sd_ld_check_keys(L, root, keys, "at top level");

    yaml_node_t *kx = NULL, *v;
    if ((v = sd_ld_map_get(L, root, "plugins", NULL))) sd_ld_load_plugins(L, v); /* packs before any op */
    if ((v = sd_ld_map_get(L, root, "name", NULL))) {
        const char *s = sd_ld_get_str(L, v, "a graph name");
        if (!*s) sd_ld_fail(L, v, "the graph name is empty");
        for (const char *c = s; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) sd_ld_fail(L, v, "the graph name has a control character (expected one line of text)");
        if (strlen(s) >= sizeof g->name) sd_ld_fail(L, v, "the graph name is too long (at most %d characters)", SD_NAME_MAX - 1);
        snprintf(g->name, sizeof g->name, "%s", s);
    } else {
        const char *base = strrchr(L->path, '/');
        base = base ? base + 1 : L->path;
        const char *dot = strrchr(base, '.');
        size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
        if (n >= sizeof g->name) n = sizeof g->name - 1;
        memcpy(g->name, base, n);
        g->name[n] = 0;
        if (!n) snprintf(g->name, sizeof g->name, "graph");
    }
    if ((v = sd_ld_map_get(L, root, "params", NULL))) sd_ld_load_params(L, v);
    else if (L->nset) sd_ld_load_params(L, &(yaml_node_t){.type = YAML_SCALAR_NODE, .data.scalar = {.value = (yaml_char_t *)"", .style = YAML_PLAIN_SCALAR_STYLE}});
    L->nvisible = g->nparams;
    yaml_node_t *run = sd_ld_map_get(L, root, "run", &kx);
    if (!run) sd_ld_fail(L, root, "missing key 'run' at top level (expected run: {steps: N, dt: DT})");
    sd_ld_load_run(L, kx, run);
    yaml_node_t *dom = sd_ld_map_get(L, root, "domain", &kx);
    if (!dom) sd_ld_fail(L, root, "missing key 'domain' at top level (expected domain: {grid: {shape: [...], spacing: ...}})");
    sd_ld_load_domain(L, kx, dom);
    sd_ld_check_fuse(L);
    if ((v = sd_ld_map_get(L, root, "fields", NULL))) sd_ld_load_fields(L, v);
    sd_ld_check_fields_memory(L);
    if (L->cls->syntax->after_fields) L->cls->syntax->after_fields(L);
    if ((v = sd_ld_map_get(L, root, "scalars", NULL))) sd_ld_load_scalars(L, v);
    L->user_scalars = g->nscalars;
    if ((v = sd_ld_map_get(L, root, "tables", NULL))) sd_ld_load_tables(L, v);
    sd_ld_load_until(L);
    g->run.tiles_auto = 1;
    g->run.tile[0] = g->run.tile[1] = g->run.tile[2] = 1;
    if ((v = sd_ld_map_get(L, root, "tiles", NULL))) sd_ld_load_tiles(L, v);
    if ((v = sd_ld_map_get(L, root, "init", NULL))) sd_ld_load_ops(L, v, 0);
    if ((v = sd_ld_map_get(L, root, "step", NULL))) sd_ld_load_ops(L, v, 1);
    sd_ld_check_until(L);
    sd_ld_check_tables_used(L);

    /* data flow: init, then two steps with rotation in between */
    flow *F = &L->flow;
    size_t nf = (size_t)g->nfields * SD_MAX_LEVELS + 1;
    if (!(F->fdata = calloc(nf, 1)) || !(F->readsince = calloc(nf, 1)) || !(F->lastw = calloc(nf, sizeof *F->lastw)) ||
        !(F->sdata = calloc((size_t)g->nscalars + 1, 1)))
        sd_ld_oom(L);
    if (L->cls->syntax->initial_data) L->cls->syntax->initial_data(g, F->fdata);
    sd_ld_flow_ops(L, F, g->init, L->xinit, g->ninit, 0);
    sd_ld_flow_ops(L, F, g->step, L->xstep, g->nstep, 1);
    sd_ld_flow_rotate(L, F);
    sd_ld_flow_ops(L, F, g->step, L->xstep, g->nstep, 1);

    if ((v = sd_ld_map_get(L, root, "output", NULL))) {
        sd_ld_load_output(L, v);
        sd_ld_io_check_outputs(L, v);
    }
    if ((v = sd_ld_map_get(L, root, "checks", NULL))) sd_ld_load_checks(L, v, F);

    if (L->cls->syntax->finish) L->cls->syntax->finish(L);
}

/* Runs the loader; 0 on success, -1 when it failed (err filled). */
static int guarded_load(loader *L)
{
    if (setjmp(L->jb)) return -1;
    sd_graph *g = L->g;
    if (strlen(L->path) >= sizeof g->path) sd_ld_fail_at(L, 0, 0, "path too long (at most %zu characters)", sizeof g->path - 1);
    snprintf(g->path, sizeof g->path, "%s", L->path);
    size_t len = strlen(L->text);
    if (len > SD_GRAPH_MAX_BYTES)
        sd_ld_fail_at(L, 0, 0, "the graph is %zu bytes, more than the %d MiB a graph may have", len,
                      (int)(SD_GRAPH_MAX_BYTES >> 20));
    if (!(g->text = strdup(L->text))) sd_ld_oom(L);
    load(L);
    return 0;
}

sd_graph *sd_graph_parse_ex(const char *path, const char *text, const char *const *set, int nset, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    if (!path) path = "(graph)";
    loader *L = calloc(1, sizeof *L);
    sd_graph *g = calloc(1, sizeof *g);
    if (!L || !g) {
        free(L);
        free(g);
        if (err && errlen) snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    L->path = path;
    L->err = err;
    L->errlen = errlen;
    L->text = text ? text : "";
    L->g = g;
    L->set = set;
    L->nset = set ? nset : 0;
    sd_graph *result = guarded_load(L) ? NULL : g;
    if (L->doc_ok) yaml_document_delete(&L->doc);
    if (L->parser_ok) yaml_parser_delete(&L->parser);
    free(L->seen);
    for (int d = 0; d <= SD_LD_MAX_DEPTH; d++) sd_strmap_free(&L->keys[d]);
    sd_strmap_free(&L->ns_index);
    sd_strmap_free(&L->param_index);
    free(L->xinit);
    free(L->xstep);
    free(L->ns);
    free(L->flow.fdata);
    free(L->flow.readsince);
    free(L->flow.lastw);
    free(L->flow.sdata);
    free(L->dm_state);
    free(L);
    if (!result) sd_graph_free(g);
    return result;
}

sd_graph *sd_graph_parse(const char *path, const char *text, char *err, size_t errlen)
{
    return sd_graph_parse_ex(path, text, NULL, 0, err, errlen);
}

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The graph file into *buf (NUL-terminated; *n bytes), read no further than SD_GRAPH_MAX_BYTES or a
 * NUL byte: a device or an endless pipe is refused before it fills the memory. 0, or -1 with err. */
static int read_graph_file(const char *path, char **buf, size_t *n, char *err, size_t errlen)
{
    *buf = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    const char *kind = NULL;
    if (fstat(fileno(f), &st)) kind = "";
    else if (S_ISDIR(st.st_mode)) kind = "a directory";
    else if (S_ISCHR(st.st_mode)) kind = "a character device";
    else if (S_ISBLK(st.st_mode)) kind = "a block device";
    else if (S_ISSOCK(st.st_mode)) kind = "a socket";
    if (kind || (S_ISREG(st.st_mode) && st.st_size > (off_t)SD_GRAPH_MAX_BYTES)) {
        if (kind && !*kind) set_err(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        else if (kind) set_err(err, errlen, "%s: %s (expected a graph file)", path, kind);
        else set_err(err, errlen, "%s: %lld bytes, more than the %d MiB a graph file may have", path,
                     (long long)st.st_size, (int)(SD_GRAPH_MAX_BYTES >> 20));
        fclose(f);
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    int nul = 0;
    while (b && len <= SD_GRAPH_MAX_BYTES && !nul) {
        if (len + 1 >= cap) {
            char *t = realloc(b, cap * 2);
            if (!t) { free(b); b = NULL; break; }
            b = t;
            cap *= 2;
        }
        size_t r = fread(b + len, 1, cap - len - 1, f);
        nul = memchr(b + len, 0, r) != NULL;
        len += r;
        if (r == 0) break;
    }
    int rerr = ferror(f), e = errno;
    fclose(f);
    if (!b || rerr || len > SD_GRAPH_MAX_BYTES) {
        if (!b || rerr) set_err(err, errlen, "%s: cannot read: %s", path, b ? strerror(e) : "out of memory");
        else set_err(err, errlen, "%s: more than the %d MiB a graph file may have (read so far)", path,
                     (int)(SD_GRAPH_MAX_BYTES >> 20));
        free(b);
        return -1;
    }
    b[len] = 0;
    *buf = b;
    *n = len;
    return 0;
}

sd_graph *sd_graph_load_ex(const char *path, const char *const *set, int nset, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    char *buf;
    size_t n;
    if (read_graph_file(path, &buf, &n, err, errlen)) return NULL;
    if (memchr(buf, 0, n)) {
        int line = 1, col = 1;
        for (size_t i = 0; buf[i]; i++) {
            if (buf[i] == '\n') { line++; col = 1; }
            else col++;
        }
        if (err && errlen) snprintf(err, errlen, "%s:%d:%d: a NUL byte (expected a text file)", path, line, col);
        free(buf);
        return NULL;
    }
    sd_graph *g = sd_graph_parse_ex(path, buf, set, nset, err, errlen);
    free(buf);
    return g;
}

sd_graph *sd_graph_load(const char *path, char *err, size_t errlen)
{
    return sd_graph_load_ex(path, NULL, 0, err, errlen);
}

void sd_graph_free(sd_graph *g)
{
    if (!g) return;
    free(g->text);
    free(g->params);
    for (int i = 0; g->init && i < g->ninit; i++) {
        if (g->init[i].read) free(g->init[i].read->values);
        free(g->init[i].read);
    }
    if (g->domain.batch.owned) g->domain.batch.free_owned(g->domain.batch.owned);
    if (g->domain.particles.read) {
        free(g->domain.particles.read->x);
        free(g->domain.particles.read->v);
        free(g->domain.particles.read->type);
        free(g->domain.particles.read);
    }
    free(g->domain.mesh.x);
    free(g->domain.mesh.tri);
    free(g->domain.mesh.edge);
    free(g->fields);
    free(g->scalars);
    for (int i = 0; g->tables && i < g->ntables; i++) free(g->tables[i].data);
    free(g->tables);
    free(g->init);
    free(g->step);
    free(g->checks);
    free(g);
}

int sd_graph_field_index(const sd_graph *g, const char *name)
{
    for (int i = 0; i < g->nfields; i++)
        if (!strcmp(g->fields[i].name, name)) return i;
    return -1;
}

int sd_graph_table_index(const sd_graph *g, const char *name)
{
    for (int i = 0; i < g->ntables; i++)
        if (!strcmp(g->tables[i].name, name)) return i;
    return -1;
}

int sd_graph_scalar_index(const sd_graph *g, const char *name)
{
    for (int i = 0; i < g->nscalars; i++)
        if (!strcmp(g->scalars[i].name, name)) return i;
    return -1;
}

int sd_graph_level_lookup(const sd_graph *g, const char *name, int *level)
{
    for (int i = 0; i < g->nfields; i++)
        for (int l = 0; l < g->fields[i].nlevels; l++)
            if (!strcmp(g->fields[i].level[l], name)) {
                if (level) *level = l;
                return i;
            }
    return -1;
}
