/* registry.c - the table of known codelets. Each entry is its own allocation, so pointers that
 * graphs hold stay valid when later packs register more codelets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/codelet.h"
#include "stardag/pack.h"
#include "registry.h"

typedef struct entry {
    sd_codelet c;
    const char *origin; /* who registered it (sd_codelet_origin) */
} entry;

static entry **table;
static int count, cap;

static int role_ok(const sd_codelet *c, const sd_role *r)
{
    if (!r->name || !*r->name) return 0;
    if (r->mode < SD_READ || r->mode > SD_READWRITE) return 0;
    if (r->kind < SD_ROLE_FIELD || r->kind > SD_ROLE_TABLE) return 0;
    /* only scalar outputs may be left out, field roles on grids and batches and table roles (the
     * kernel sees p == NULL) */
    if (r->optional && (r->kind == SD_ROLE_SCALAR ? r->mode == SD_READ
                        : r->kind == SD_ROLE_FIELD && c->domain != SD_ON_BATCH && c->domain != SD_ON_GRID))
        return 0;
    /* a table is read-only, whole (no ghosts), bound to no location, and read by grid and batch ops
     * (the classes whose tasks bind tables) */
    if (r->kind == SD_ROLE_TABLE)
        return (c->domain == SD_ON_GRID || c->domain == SD_ON_BATCH) && r->mode == SD_READ && !r->halo && !r->box &&
               r->ncomp >= 0 && !r->dtypes && r->reduce == SD_REDUCE_NONE && !r->location;
    if (r->kind == SD_ROLE_SCALAR) {
        /* scalars are written by reductions (and scatter-adds), which need a combine rule, or
         * directly by an op of scalars only (SD_WHOLE without field roles), which has none; whether a
         * domain class runs such ops is the class's (sd_dm_class.scalar_ops, checked at load) */
        if (r->mode != SD_READ) {
            if (c->pattern == SD_WHOLE) return r->reduce == SD_REDUCE_NONE && !r->halo;
            if (!sd_pattern_reduces(c->pattern) || r->reduce == SD_REDUCE_NONE) return 0;
        }
        return r->halo == 0 && !r->box;
    }
    /* a ghosted read; what its halo and stencil shape mean is the domain class's (a ghost width and
     * faces or full box on grids; on particles halo 1 = also the neighbour blocks' particles, no
     * shape): the class's syntax checks them when a graph binds the role */
    int halo_pattern = c->pattern == SD_STENCIL || c->pattern == SD_REDUCTION || c->pattern == SD_NEIGHBOR ||
                       c->pattern == SD_SCATTER_ADD;
    if (r->location < 0 || r->location >= SD_MAX_LOCATIONS) return 0; /* its meaning is the class's (bind_field) */
    if (r->halo < 0 || (r->halo > 0 && (r->mode != SD_READ || !halo_pattern))) return 0;
    if (r->box && (r->box != 1 || r->halo == 0)) return 0;
    /* a support is another field role of a grid op, read with a halo and a stencil shape at least as
     * wide (the exchange reads the support's ghosts where it copies this role's) */
    if (r->support) {
        const int s = r->support - 1;
        if (c->domain != SD_ON_GRID || r->halo == 0 || s < 0 || s >= c->nroles || &c->roles[s] == r || !c->support_box)
            return 0;
        const sd_role *q = &c->roles[s];
        if (q->kind != SD_ROLE_FIELD || q->mode != SD_READ || q->halo < r->halo || q->box < r->box || q->support ||
            (q->dtypes && q->dtypes != 1 << SD_F64))
            return 0;
    }
    return r->reduce == SD_REDUCE_NONE;
}

#define REFUSE(...) do { snprintf(msg, len, __VA_ARGS__); return -1; } while (0)

/* 0 when c may be registered; else -1 with the reason in msg. */
static int check_codelet(const sd_codelet *c, char *msg, size_t len)
{
    if (!c || !c->name || !strchr(c->name, '.') || !c->cpu || !c->model || !*c->model)
        REFUSE("codelet %s: needs a name 'domain.op', a CPU function and a model symbol", c && c->name ? c->name : "(null)");
    if (sd_codelet_find(c->name)) REFUSE("codelet %s is already registered", c->name);
    if (!strncmp(c->name, "io.", 3)) /* a graph's io.* op is always the loader's own: this one would never run */
        REFUSE("codelet %s: names io.* belong to the loader's own ops (io.read_field); choose another pack name", c->name);
    if (c->nroles < 1 || c->nroles > SD_MAX_BUFS || c->nparams < 0 || c->nparams > SD_MAX_PARAMS)
        REFUSE("codelet %s: 1..%d roles and 0..%d params expected", c->name, SD_MAX_BUFS, SD_MAX_PARAMS);
    int nacc = 0, nwhole = 0;
    for (int i = 0; i < c->nroles; i++) {
        if (!role_ok(c, &c->roles[i]))
            REFUSE("codelet %s: role %s is inconsistent (mode, halo, box, reduce, support, or a table role that is not a plain "
                   "read of a grid or batch codelet)", c->name, c->roles[i].name ? c->roles[i].name : "(null)");
        nacc += c->roles[i].kind == SD_ROLE_SCALAR && c->roles[i].mode != SD_READ && c->pattern != SD_WHOLE;
        nwhole += c->pattern == SD_WHOLE && c->roles[i].kind == SD_ROLE_SCALAR && c->roles[i].mode != SD_READ;
        for (int j = 0; j < i; j++)
            if (!strcmp(c->roles[i].name, c->roles[j].name))
                REFUSE("codelet %s: role %s declared twice", c->name, c->roles[i].name);
    }
    if ((c->pattern == SD_REDUCTION && nacc == 0) || (!sd_pattern_reduces(c->pattern) && nacc) || nacc > SD_MAX_ACC)
        REFUSE("codelet %s: a reduction writes 1..%d scalars (a scatter-add 0..%d), other patterns none", c->name,
               SD_MAX_ACC, SD_MAX_ACC);
    /* a grid's whole op is called tile by tile (whose scalar would it write?); a mesh's sees the
     * whole mesh in one call (runtime/dm/mesh_whole.c) */
    if (nwhole && !sd_codelet_scalars_only(c) && c->domain != SD_ON_MESH)
        REFUSE("codelet %s: a whole op that writes scalars has scalar roles only (except on meshes)", c->name);
    if (c->scratch_v < 0 || c->scratch_f < 0)
        REFUSE("codelet %s: scratch is a number of doubles per element (>= 0)", c->name);
    if (c->finish && (!sd_pattern_reduces(c->pattern) || c->npartials < 1 || c->npartials > SD_MAX_ACC))
        REFUSE("codelet %s: a finish hook belongs to a reduction with 1..%d partials", c->name, SD_MAX_ACC);
    for (int i = 0; i < c->nparams; i++) {
        const sd_param *p = &c->params[i];
        if (!p->name || !(p->min <= p->max) || (!p->required && (p->def < p->min || p->def > p->max)))
            REFUSE("codelet %s: parameter %s has an empty range or a default outside it", c->name,
                   p->name ? p->name : "(null)");
    }
    const sd_codelet *other = sd_codelet_with_model(c->model);
    if (other) REFUSE("codelet %s: model symbol %s is used by %s", c->name, c->model, other->name);
    return 0;
}

int sd_registry_add(const sd_codelet *c, const char *origin, char *msg, size_t len)
{
    if (check_codelet(c, msg, len)) return -1;
    if (count == cap) {
        int ncap = cap ? 2 * cap : 32;
        entry **t = realloc(table, ncap * sizeof *t);
        if (!t) REFUSE("codelet %s: out of memory", c->name);
        table = t;
        cap = ncap;
    }
    entry *e = malloc(sizeof *e);
    char *own = strdup(origin ? origin : "?"); /* the caller's string may not outlive the registry */
    if (!e || !own) {
        free(e);
        free(own);
        REFUSE("codelet %s: out of memory", c->name);
    }
    e->c = *c;
    e->origin = own;
    table[count++] = e;
    return 0;
}

int sd_registry_mark(void) { return count; }

void sd_registry_rollback(int mark)
{
    while (count > mark) {
        entry *e = table[--count];
        free((char *)e->origin);
        free(e);
    }
}

int sd_codelet_register(const sd_codelet *c)
{
    char msg[512];
    if (sd_registry_add(c, "the program", msg, sizeof msg) == 0) return 0;
    fprintf(stderr, "stardag: %s\n", msg);
    return -1;
}

int sd_codelet_register_table(const char *pack, const sd_codelet *table, size_t n)
{
    int failed = 0;
    char msg[512];
    for (size_t i = 0; i < n; i++)
        if (sd_registry_add(&table[i], pack, msg, sizeof msg)) {
            fprintf(stderr, "stardag: %s\nstardag: the %s pack failed to register %s\n", msg, pack, table[i].name);
            failed++;
        }
    return failed;
}

const sd_codelet *sd_codelet_find(const char *name)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(table[i]->c.name, name)) return &table[i]->c;
    return NULL;
}

const sd_codelet *sd_codelet_with_model(const char *model)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(table[i]->c.model, model)) return &table[i]->c;
    return NULL;
}

const char *sd_codelet_origin(const sd_codelet *c)
{
    for (int i = 0; i < count; i++)
        if (&table[i]->c == c) return table[i]->origin;
    return NULL;
}

int sd_codelet_count(void) { return count; }
const sd_codelet *sd_codelet_at(int i) { return i >= 0 && i < count ? &table[i]->c : NULL; }

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
void sd_register_mesh_codelets(void);
void sd_register_membrane_energy_codelets(void);
void sd_register_membrane_edge_codelets(void);
void sd_register_membrane_tilt_codelets(void);
void sd_register_membrane_minimise_codelets(void);
void sd_register_membrane_newton_codelets(void);
void sd_register_ode_explicit_codelets(void);
void sd_register_ode_implicit_codelets(void);
void sd_register_transport_codelets(void);
void sd_register_ode_systems(void); /* not codelets: the built-in ODE systems graphs may name */

void sd_register_builtin_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_register_common_codelets();
    sd_register_lattice_codelets();
    sd_register_md_codelets();
    sd_register_mesh_codelets();
    sd_register_membrane_energy_codelets();
    sd_register_membrane_edge_codelets();
    sd_register_membrane_tilt_codelets();
    sd_register_membrane_minimise_codelets();
    sd_register_membrane_newton_codelets();
    sd_register_ode_explicit_codelets();
    sd_register_ode_implicit_codelets();
    sd_register_transport_codelets();
    sd_register_ode_systems();
}
