/* graph_hash.c - what a checkpoint records of the graph it was written from (docs/checkpoint.md):
 * a hash of the graph's text (any change refuses a restart), and a hash of what fixes the layout
 * of the saved state (domain kind and size, fields, scalars, ops and their bindings), which must
 * match even when --force accepts a changed graph. Parameters, thresholds, run.steps and the
 * output section do not change the layout. */
#include <string.h>
#include "graph.h"
#include "ckpt.h"

uint64_t sd_graph_text_hash(const sd_graph *g)
{
    return sd_ckpt_checksum(g->text ? g->text : "", g->text ? strlen(g->text) : 0);
}

static uint64_t mix(uint64_t h, const void *p, size_t n) { return sd_ckpt_hash_more(h, p, n); }
static uint64_t mix_i64(uint64_t h, int64_t v) { return mix(h, &v, sizeof v); }
static uint64_t mix_str(uint64_t h, const char *s) { return mix(h, s, strlen(s) + 1); }

static uint64_t mix_ops(uint64_t h, int n, const sd_gop *ops)
{
    h = mix_i64(h, n);
    for (int i = 0; i < n; i++) {
        const sd_gop *op = &ops[i];
        h = mix_str(h, op->cl ? op->cl->name : "io.read_field");
        h = mix_i64(h, op->every);
        int nroles = op->cl ? op->cl->nroles : 1;
        for (int r = 0; r < nroles; r++) {
            const sd_binding *b = &op->bind[r];
            int64_t v[6] = {b->is_scalar, b->is_table, b->index, b->level, b->mode, b->unbound};
            h = mix(h, v, sizeof v);
        }
    }
    return h;
}

uint64_t sd_graph_layout_hash(const sd_graph *g)
{
    const sd_domain *d = &g->domain;
    uint64_t h = SD_CKPT_HASH_INIT;
    h = mix_i64(h, d->kind);
    h = mix_i64(h, d->ndim);
    for (int i = 0; i < 3; i++) h = mix_i64(h, d->shape[i]);
    h = mix_i64(h, d->ninner);
    for (int i = 0; i < d->ninner; i++) h = mix_i64(h, d->inner[i].count);
    if (d->kind == SD_DOMAIN_PARTICLES) {
        h = mix_i64(h, d->particles.count);
        h = mix_i64(h, d->particles.ntypes);
    } else if (d->kind == SD_DOMAIN_MESH) {
        h = mix_i64(h, d->mesh.nv);
        h = mix_i64(h, d->mesh.nf);
    } else if (d->kind == SD_DOMAIN_BATCH)
        h = mix_i64(h, d->batch.count);
    h = mix_i64(h, g->nfields);
    for (int i = 0; i < g->nfields; i++) {
        const sd_gfield *f = &g->fields[i];
        h = mix_str(h, f->name);
        int64_t v[4] = {f->dtype, f->ncomp, f->nlevels, f->location};
        h = mix(h, v, sizeof v);
        for (int l = 0; l < f->nlevels; l++) h = mix_str(h, f->level[l]);
    }
    h = mix_i64(h, g->nscalars);
    for (int i = 0; i < g->nscalars; i++) h = mix_str(h, g->scalars[i].name);
    h = mix_ops(h, g->ninit, g->init);
    return mix_ops(h, g->nstep, g->step);
}
