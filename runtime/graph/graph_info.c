/* graph_info.c - read-only accessors of a loaded graph for programs that do not see struct
 * sd_graph (stardag/stardag.h): the Python package reads its params, fields and scalars here. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "graph.h"

const char *sd_graph_name(const sd_graph *g) { return g->name; }

const char *sd_graph_model_symbol(const sd_graph *g, const sd_codelet *c, char *buf, size_t len)
{
    buf[0] = 0;
    if (!c->model) return NULL;
    const int mixed = g && g->domain.kind == SD_DOMAIN_PARTICLES && g->domain.particles.mixed;
    snprintf(buf, len, "%s%s", c->model, mixed ? ".mixed" : "");
    return buf;
}
const char *sd_graph_path(const sd_graph *g) { return g->path; }
const char *sd_graph_text(const sd_graph *g) { return g->text ? g->text : ""; }
int64_t sd_graph_steps(const sd_graph *g) { return g->run.steps; }
double sd_graph_dt(const sd_graph *g) { return g->run.dt; }
const char *sd_graph_output_file(const sd_graph *g) { return g->output.file; }
int sd_graph_nparams(const sd_graph *g) { return g->nparams; }
int sd_graph_nfields(const sd_graph *g) { return g->nfields; }
int sd_graph_nscalars(const sd_graph *g) { return g->nscalars; }

const char *sd_graph_domain(const sd_graph *g, int64_t shape[3])
{
    if (shape) memcpy(shape, g->domain.shape, sizeof g->domain.shape);
    switch (g->domain.kind) {
    case SD_DOMAIN_GRID: return "grid";
    case SD_DOMAIN_PARTICLES: return "particles";
    case SD_DOMAIN_MESH: return "mesh";
    case SD_DOMAIN_BATCH: return "batch";
    }
    return "unknown";
}

const char *sd_graph_param(const sd_graph *g, int i, double *value)
{
    if (i < 0 || i >= g->nparams) {
        if (value) *value = NAN;
        return NULL;
    }
    if (value) *value = g->params[i].value;
    return g->params[i].name;
}

const char *sd_graph_field(const sd_graph *g, int i)
{
    return i >= 0 && i < g->nfields ? g->fields[i].name : NULL;
}

/* The loader names the scalars it adds for checks and optional outputs "__..." (a graph's own
 * names cannot start with "__"). */
const char *sd_graph_scalar(const sd_graph *g, int i, int *hidden)
{
    if (i < 0 || i >= g->nscalars) return NULL;
    if (hidden) *hidden = !strncmp(g->scalars[i].name, "__", 2);
    return g->scalars[i].name;
}
