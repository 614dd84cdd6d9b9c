/* dm.c - the table of domain classes and the calls every class shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dm.h"
#include "engine.h"
#include "h5out.h"

extern const sd_dm_class sd_dm_grid, sd_dm_particles, sd_dm_mesh, sd_dm_batch;

static const sd_dm_class *const classes[] = {&sd_dm_grid, &sd_dm_particles, &sd_dm_mesh, &sd_dm_batch};
#define NCLASSES ((int)(sizeof classes / sizeof classes[0]))

const sd_dm_class *sd_dm_class_of(sd_domain_kind kind)
{
    for (int i = 0; i < NCLASSES; i++)
        if (classes[i]->kind == kind) return classes[i];
    return NULL;
}

const sd_dm_class *sd_dm_class_find(const char *name)
{
    for (int i = 0; i < NCLASSES; i++)
        if (!strcmp(classes[i]->name, name)) return classes[i];
    return NULL;
}

const sd_dm_class *sd_dm_class_running(sd_on on)
{
    for (int i = 0; i < NCLASSES; i++)
        if (classes[i]->codelets == on) return classes[i];
    return NULL;
}

int sd_dm_class_count(void) { return NCLASSES; }
const sd_dm_class *sd_dm_class_at(int i) { return i >= 0 && i < NCLASSES ? classes[i] : NULL; }

const char *sd_pattern_name(sd_pattern p)
{
    static const char *const names[] = {[SD_POINTWISE] = "pointwise", [SD_STENCIL] = "stencil",
                                        [SD_REDUCTION] = "reduction", [SD_WHOLE] = "whole-field",
                                        [SD_NEIGHBOR] = "neighbour-block", [SD_SCATTER_ADD] = "scatter-add"};
    return (unsigned)p < sizeof names / sizeof names[0] && names[p] ? names[p] : "unknown";
}

int sd_dm_parts_count_only(const int64_t parts[3], const char *what, char *err, size_t errlen)
{
    if (parts[1] <= 0 && parts[2] <= 0) return 0;
    char third[24] = "";
    if (parts[2] > 0) snprintf(third, sizeof third, "x%lld", (long long)parts[2]);
    snprintf(err, errlen, "--tiles %lldx%lld%s: %s (--tiles N), not a shape", (long long)parts[0], (long long)parts[1], third, what);
    return -1;
}

int sd_dm_parts_check(const sd_graph *g, const int64_t parts[3], char *err, size_t errlen)
{
    const sd_dm_class *cls = sd_dm_class_of(g->domain.kind);
    return cls && cls->parts_check && parts[0] > 0 ? cls->parts_check(g, parts, err, errlen) : 0;
}

sd_dm *sd_dm_create(const sd_graph *g, struct sd_engine *e, const sd_dm_opts *o, char *err, size_t errlen)
{
    const sd_dm_class *cls = sd_dm_class_of(g->domain.kind);
    if (!cls) {
        snprintf(err, errlen, "no domain class runs this graph's domain");
        return NULL;
    }
    sd_dm *dm = calloc(1, sizeof *dm);
    if (!dm) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *dm = (sd_dm){.cls = cls, .g = g, .e = e, .own_output = o->own_output};
    if (cls->create(dm, o, err, errlen) < 0) {
        sd_dm_release(dm);
        sd_dm_destroy(dm);
        return NULL;
    }
    return dm;
}

void sd_dm_release(sd_dm *dm)
{
    if (dm && dm->data) dm->cls->release(dm);
}

void sd_dm_destroy(sd_dm *dm)
{
    if (!dm) return;
    if (dm->data) dm->cls->destroy(dm);
    free(dm);
}

int sd_dm_write_field_record(const sd_dm *dm, const sd_record *r, struct sd_h5out *out, char *err, size_t errlen)
{
    const sd_goutput *o = &dm->g->output;
    int i = 0;
    while (i < o->nfields && o->field[i] != r->field) i++;
    if (sd_h5out_write_field(out, i, r->step, r->step * dm->g->run.dt, r->data, err, errlen) < 0 ||
        sd_h5out_commit(out, err, errlen) < 0)
        return -1;
    return 1;
}
