/* loader_read_particles.c - domain.particles.read: {file, format, step, group}. The file is read
 * at load; the domain's count, box and type counts come from it when the graph leaves them out,
 * and are checked against it when it gives them. Type labels map to the graph's types by name
 * (XYZ) or by number in declaration order (LAMMPS types 1..k, H5MD species 0..k-1); LAMMPS masses
 * must match the graph's. The positions (and velocities, when the file has them) are the initial
 * values of the position and velocity fields, in the graph's units: nothing is converted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader_impl.h"
#include "h5md.h" /* SD_H5MD_GROUP: the particles group stardag writes */
#include "read_particles.h"
#include "suggest.h"

static const char *const formats[] = {"lammps", "xyz", "h5md", NULL}; /* sd_pa_format order */

void sd_ld_particles_read(loader *L, const yaml_node_t *n, sd_patoms *a)
{
    static const char *const keys[] = {"file", "format", "step", "group", NULL};
    sd_particles *p = &L->g->domain.particles;
    sd_ld_need_map(L, n, "read ({file: PATH, format: lammps | xyz | h5md})");
    sd_ld_check_keys(L, n, keys, "in domain.particles.read");
    yaml_node_t *nf = sd_ld_map_get(L, n, "file", NULL), *nfmt = sd_ld_map_get(L, n, "format", NULL),
                *nstep = sd_ld_map_get(L, n, "step", NULL), *ngroup = sd_ld_map_get(L, n, "group", NULL);
    if (!nf) sd_ld_fail(L, n, "read needs file (a LAMMPS data, XYZ or H5MD file)");
    sd_pread *rd = p->read = calloc(1, sizeof *rd); /* the graph owns it from here (freed on failure too) */
    if (!rd) sd_ld_oom(L);
    const char *file = sd_ld_get_str(L, nf, "a file path");
    if (!*file || strlen(file) >= sizeof rd->file) sd_ld_fail(L, nf, "expected a file path of 1 to %zu characters", sizeof rd->file - 1);
    snprintf(rd->file, sizeof rd->file, "%s", file);
    int fmt = sd_pa_format_of(file);
    if (nfmt) {
        const char *s = sd_ld_get_str(L, nfmt, "a format (lammps, xyz or h5md)");
        for (fmt = 0; formats[fmt] && strcmp(formats[fmt], s); fmt++) {}
        if (!formats[fmt]) {
            sd_suggest sg;
            sd_suggest_init(&sg, s);
            for (int i = 0; formats[i]; i++) sd_suggest_add(&sg, formats[i]);
            if (sd_suggest_best(&sg)) sd_ld_fail(L, nfmt, "unknown format '%s' (did you mean '%s'?)", s, sd_suggest_best(&sg));
            sd_ld_fail(L, nfmt, "unknown format '%s' (expected lammps, xyz or h5md)", s);
        }
    } else if (fmt < 0)
        sd_ld_fail(L, nf, "cannot tell the format of '%s' from its name (expected format: lammps, xyz or h5md)", file);
    if ((nstep || ngroup) && fmt != SD_PA_H5MD)
        sd_ld_fail(L, nstep ? nstep : ngroup, "%s is for H5MD files (a %s file holds one configuration)", nstep ? "step" : "group",
                   formats[fmt]);
    sd_pa_request rq = {.file = rd->file, .format = fmt, .group = SD_H5MD_GROUP, .step = SD_PA_LAST};
    if (ngroup) rq.group = sd_ld_get_name(L, ngroup, "an H5MD particles group name");
    if (nstep && !(is_scalar(nstep) && !strcmp(sval(nstep), "last")))
        rq.step = sd_ld_eval_int(L, nstep, 0, INT64_MAX / 2, "step (an H5MD frame's step, or last)");
    char err[1024];
    sd_ld_need_regular_file(L, nf, rd->file);
    if (sd_patoms_read(&rq, a, err, sizeof err) < 0) sd_ld_fail(L, nf, "%s", err);
    rd->x = a->x;
    rd->v = a->v;
    rd->type = a->type;
    a->x = a->v = NULL; /* the graph's now */
    a->type = NULL;
    rd->wrapped = a->wrapped;
}

/* The count given in the graph against the file's. */
void sd_ld_particles_read_count(loader *L, const yaml_node_t *at, const sd_patoms *a)
{
    const sd_particles *p = &L->g->domain.particles;
    if (p->count != a->n)
        sd_ld_fail(L, at, "%s: %lld atoms, but the domain has count %lld (expected them equal, or no count to take the file's)",
                   p->read->file, (long long)a->n, (long long)p->count);
}

/* The box given in the graph against the file's, when it has one (equal to 1e-9 relative: text
 * files round the bounds). */
void sd_ld_particles_read_box(loader *L, const yaml_node_t *at, const sd_patoms *a)
{
    const sd_particles *p = &L->g->domain.particles;
    if (!a->has_box) return;
    for (int d = 0; d < 3; d++)
        if (!(fabs(p->box[d] - a->box[d]) <= 1e-9 * fmax(p->box[d], a->box[d])))
            sd_ld_fail(L, at, "%s: box [%.10g, %.10g, %.10g], but the domain has box [%.10g, %.10g, %.10g] (expected the same "
                       "edges, or no box to take the file's)", p->read->file, a->box[0], a->box[1], a->box[2], p->box[0], p->box[1],
                       p->box[2]);
}

/* File type labels -> graph types; the type counts from the file (checked where the graph gives
 * them, at their count node); LAMMPS masses against the graph's. tk: the types key (NULL when
 * defaulted), tn: the list. Fills read->type with graph type indices. */
void sd_ld_particles_read_types(loader *L, const yaml_node_t *tk, const yaml_node_t *tn, const sd_patoms *a)
{
    sd_particles *p = &L->g->domain.particles;
    const char *file = p->read->file;
    int map[SD_PA_MAX_TYPES];
    char names[SD_MAX_PTYPES * (SD_NAME_MAX + 2)] = "";
    for (int t = 0; t < p->ntypes; t++) snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", t ? ", " : "", p->type[t].name);
    if (a->by_name) {
        for (int k = 0; k < a->ntypes; k++) {
            map[k] = -1;
            for (int t = 0; t < p->ntypes; t++)
                if (!strcmp(a->label[k], p->type[t].name)) map[k] = t;
            if (map[k] >= 0) continue;
            sd_suggest sg;
            sd_suggest_init(&sg, a->label[k]);
            for (int t = 0; t < p->ntypes; t++) sd_suggest_add(&sg, p->type[t].name);
            char hint[128];
            if (sd_suggest_best(&sg)) snprintf(hint, sizeof hint, "did you mean '%s'?", sd_suggest_best(&sg));
            else snprintf(hint, sizeof hint, "the domain's types: %s", names);
            sd_ld_fail(L, tk ? tk : tn, "%s:%lld: unknown type '%s' (%s)", file, (long long)a->label_line[k], a->label[k], hint);
        }
    } else {
        if (a->ntypes != p->ntypes)
            sd_ld_fail(L, tk ? tk : tn, "%s has %d atom type%s, but the domain has %d (%s) (expected types: with one entry per "
                       "file type, in the file's order)", file, a->ntypes, a->ntypes == 1 ? "" : "s", p->ntypes, names);
        for (int k = 0; k < a->ntypes; k++) map[k] = k;
    }
    for (int k = 0; k < a->ntypes; k++) {
        const sd_ptype *ty = &p->type[map[k]];
        if (a->has_mass[k] && !(fabs(a->mass[k] - ty->mass) <= 1e-9 * fmax(a->mass[k], ty->mass)))
            sd_ld_fail(L, tk ? tk : tn, "%s: type %s has mass %.10g, but type %s of the domain has mass %.10g (expected the same masses)",
                       file, a->label[k], a->mass[k], ty->name, ty->mass);
    }
    int64_t count[SD_MAX_PTYPES] = {0};
    for (int k = 0; k < a->ntypes; k++) count[map[k]] += a->label_count[k];
    for (int t = 0; t < p->ntypes; t++) {
        /* a count the graph gives must agree; the file's count is the type's */
        const yaml_node_t *cn = NULL;
        if (tn && is_seq(tn) && t < seq_len(tn)) cn = sd_ld_map_get(L, seq_at(L, tn, t), "count", NULL);
        if (cn && p->type[t].count != count[t])
            sd_ld_fail(L, cn, "type %s has count %lld, but %s has %lld atoms of it (expected them equal, or no count to take "
                       "the file's)", p->type[t].name, (long long)p->type[t].count, file, (long long)count[t]);
        p->type[t].count = count[t];
    }
    for (int64_t i = 0; i < a->n; i++) p->read->type[i] = map[p->read->type[i]];
}

/* The position field, and the velocity field when the file has velocities, hold data before init. */
void sd_particles_read_initial_data(const sd_graph *g, unsigned char *has_data)
{
    const sd_particles *p = &g->domain.particles;
    if (!p->read) return;
    has_data[p->position * SD_MAX_LEVELS] = 1;
    if (p->read->v) has_data[p->velocity * SD_MAX_LEVELS] = 1;
}
