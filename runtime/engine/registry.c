/* registry.c - the table of known codelets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/codelet.h"

static sd_codelet *table;
static int count, cap;

static int role_ok(const sd_codelet *c, const sd_role *r)
{
    if (!r->name || !*r->name) return 0;
    if (r->mode < SD_READ || r->mode > SD_READWRITE) return 0;
    if (r->optional && (r->kind != SD_ROLE_SCALAR || r->mode == SD_READ)) return 0; /* only outputs may be left out */
    if (r->kind == SD_ROLE_SCALAR) {
        /* scalars are written only by reductions, which need a combine rule */
        if (r->mode != SD_READ && (c->pattern != SD_REDUCTION || r->reduce == SD_REDUCE_NONE)) return 0;
        return r->halo == 0 && !r->box;
    }
    /* a ghosted read; what its halo and stencil shape mean is the domain class's (a ghost width and
     * faces or full box on grids; on particles halo 1 = also the neighbour blocks' particles, no
     * shape): the class's syntax checks them when a graph binds the role */
    int halo_pattern = c->pattern == SD_STENCIL || c->pattern == SD_REDUCTION || c->pattern == SD_NEIGHBOR;
    if (r->halo < 0 || (r->halo > 0 && (r->mode != SD_READ || !halo_pattern))) return 0;
    if (r->box && (r->box != 1 || r->halo == 0)) return 0;
    return r->reduce == SD_REDUCE_NONE;
}

int sd_codelet_register(const sd_codelet *c)
{
    if (!c || !c->name || !strchr(c->name, '.') || !c->cpu || !c->model || !*c->model) {
        fprintf(stderr, "stardag: codelet %s: needs a name 'domain.op', a CPU function and a model symbol\n",
                c && c->name ? c->name : "(null)");
        return -1;
    }
    if (sd_codelet_find(c->name)) {
        fprintf(stderr, "stardag: codelet %s is already registered\n", c->name);
        return -1;
    }
    if (c->nroles < 1 || c->nroles > SD_MAX_BUFS || c->nparams < 0 || c->nparams > SD_MAX_PARAMS) {
        fprintf(stderr, "stardag: codelet %s: 1..%d roles and 0..%d params expected\n", c->name,
                SD_MAX_BUFS, SD_MAX_PARAMS);
        return -1;
    }
    int nacc = 0;
    for (int i = 0; i < c->nroles; i++) {
        if (!role_ok(c, &c->roles[i])) {
            fprintf(stderr, "stardag: codelet %s: role %s is inconsistent (mode, halo, box or reduce)\n",
                    c->name, c->roles[i].name ? c->roles[i].name : "(null)");
            return -1;
        }
        nacc += c->roles[i].kind == SD_ROLE_SCALAR && c->roles[i].mode != SD_READ;
        for (int j = 0; j < i; j++)
            if (!strcmp(c->roles[i].name, c->roles[j].name)) {
                fprintf(stderr, "stardag: codelet %s: role %s declared twice\n", c->name, c->roles[i].name);
                return -1;
            }
    }
    if ((c->pattern == SD_REDUCTION) != (nacc > 0) || nacc > SD_MAX_ACC) {
        fprintf(stderr, "stardag: codelet %s: a reduction writes 1..%d scalars, other patterns none\n",
                c->name, SD_MAX_ACC);
        return -1;
    }
    if (c->finish && (c->pattern != SD_REDUCTION || c->npartials < 1 || c->npartials > SD_MAX_ACC)) {
        fprintf(stderr, "stardag: codelet %s: a finish hook belongs to a reduction with 1..%d partials\n",
                c->name, SD_MAX_ACC);
        return -1;
    }
    for (int i = 0; i < c->nparams; i++) {
        const sd_param *p = &c->params[i];
        if (!p->name || !(p->min <= p->max) || (!p->required && (p->def < p->min || p->def > p->max))) {
            fprintf(stderr, "stardag: codelet %s: parameter %s has an empty range or a default outside it\n",
                    c->name, p->name ? p->name : "(null)");
            return -1;
        }
    }
    for (int i = 0; i < count; i++)
        if (!strcmp(table[i].model, c->model)) {
            fprintf(stderr, "stardag: codelet %s: model symbol %s is used by %s\n", c->name, c->model, table[i].name);
            return -1;
        }
    if (count == cap) {
        cap = cap ? 2 * cap : 32;
        sd_codelet *t = realloc(table, cap * sizeof *t);
        if (!t) return -1;
        table = t;
    }
    table[count++] = *c;
    return 0;
}

int sd_codelet_register_table(const char *pack, const sd_codelet *table, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        if (sd_codelet_register(&table[i])) {
            fprintf(stderr, "stardag: the %s pack failed to register %s\n", pack, table[i].name);
            failed++;
        }
    return failed;
}

const sd_codelet *sd_codelet_find(const char *name)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(table[i].name, name)) return &table[i];
    return NULL;
}

int sd_codelet_count(void) { return count; }
const sd_codelet *sd_codelet_at(int i) { return i >= 0 && i < count ? &table[i] : NULL; }

int sd_codelet_param_index(const sd_codelet *c, const char *name)
{
    for (int i = 0; i < c->nparams; i++)
        if (!strcmp(c->params[i].name, name)) return i;
    return -1;
}

int sd_codelet_role_index(const sd_codelet *c, const char *name)
{
    for (int i = 0; i < c->nroles; i++)
        if (!strcmp(c->roles[i].name, name)) return i;
    return -1;
}

/* Each pack provides sd_register_<pack>_codelets(). */
void sd_register_common_codelets(void);
void sd_register_lattice_codelets(void);
void sd_register_md_codelets(void);

void sd_register_builtin_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_register_common_codelets();
    sd_register_lattice_codelets();
    sd_register_md_codelets();
}
