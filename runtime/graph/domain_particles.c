/* domain_particles.c - the particle domain class: the domain.particles section (count, box,
 * units, types with their LJ parameters and counts, explicit pairs, cutoff and shift, the
 * neighbour-list policy, the position and velocity field names), the check once fields are
 * known that those two fields exist with 3 components, and the particle form of tiles (auto or
 * a number of blocks). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader_impl.h"
#include "particles.h"
#include "read_particles.h"
#include "suggest.h"

/* What the section names and later hooks need: the position and velocity field names, resolved
 * once the fields are known (L->dm_state). */
typedef struct pnames {
    const yaml_node_t *key, *posn, *veln; /* the 'particles' key; the name nodes (NULL: default) */
    const char *pos, *vel;
} pnames;


double sd_units_kB(sd_units u)
{
    switch (u) {
    case SD_UNITS_REAL: return 0.00831446261815324; /* kJ/mol/K = MD_KB_REAL (codelets/md/md_math.h) */
    case SD_UNITS_METAL: return 8.617333262e-5;     /* eV/K = MD_KB_METAL (codelets/md/md_math.h) */
    default: return 1.0;
    }
}

double sd_units_mvv2e(sd_units u)
{
    return u == SD_UNITS_METAL ? 1.0364269e-4 /* MD_MVV2E_METAL (codelets/md/md_math.h) */ : 1.0;
}

static const char *const units_names[] = {"lj", "real", "metal", NULL}; /* sd_units order */

const char *sd_units_name(sd_units u) { return units_names[u]; }

static void particle_box(loader *L, const yaml_node_t *key, const yaml_node_t *n)
{
    static const char *const axis[] = {"L_x", "L_y", "L_z"};
    sd_particles *p = &L->g->domain.particles;
    if (!n) {
        if (p->read)
            sd_ld_fail(L, key, "domain.particles needs box (the periodic box: one length, or [L_x, L_y, L_z]; %s gives none)",
                       p->read->file);
        sd_ld_fail(L, key, "domain.particles needs box (the periodic box: one length, or [L_x, L_y, L_z])");
    }
    if (is_map(n)) sd_ld_fail(L, n, "expected one length or a list of 3 for box, got a map");
    if (!is_seq(n)) {
        p->box[0] = p->box[1] = p->box[2] = sd_ld_get_positive(L, n, "the box length", 1);
        return;
    }
    if (seq_len(n) != 3)
        sd_ld_fail(L, n, "box has %d value%s (expected one length, or 3: [L_x, L_y, L_z])", seq_len(n), seq_len(n) == 1 ? "" : "s");
    for (int d = 0; d < 3; d++) {
        char what[32];
        snprintf(what, sizeof what, "box length %s", axis[d]);
        p->box[d] = sd_ld_get_positive(L, seq_at(L, n, d), what, 1);
    }
}

static int type_index(const sd_particles *p, const char *name)
{
    for (int t = 0; t < p->ntypes; t++)
        if (!strcmp(p->type[t].name, name)) return t;
    return -1;
}

/* types: 1..SD_MAX_PTYPES of {name, mass, epsilon, sigma, count}; default one type A of LJ 1s.
 * The counts assign particle ids to types in declaration order and must sum to N. */
static void particle_types(loader *L, const yaml_node_t *tk, const yaml_node_t *n)
{
    static const char *const keys[] = {"name", "mass", "epsilon", "sigma", "count", NULL};
    sd_particles *p = &L->g->domain.particles;
    if (!n || is_null(n)) {
        p->ntypes = 1;
        p->type[0] = (sd_ptype){.name = "A", .mass = 1, .epsilon = 1, .sigma = 1, .count = p->count};
        p->mass[0] = 1;
        return;
    }
    if (!is_seq(n))
        sd_ld_fail(L, n, "expected a list of particle types ({name, mass, epsilon, sigma, count}), got %s", got(n) ? got(n) : "a single name");
    if (seq_len(n) < 1 || seq_len(n) > SD_MAX_PTYPES)
        sd_ld_fail(L, n, "types has %d entries (expected 1 to %d particle types)", seq_len(n), SD_MAX_PTYPES);
    const yaml_node_t *cn[SD_MAX_PTYPES] = {0};
    for (int t = 0; t < seq_len(n); t++) {
        yaml_node_t *it = seq_at(L, n, t);
        char sec[48];
        snprintf(sec, sizeof sec, "in particle type %d", t + 1);
        sd_ld_need_map(L, it, "a particle type ({name, mass, epsilon, sigma, count})");
        sd_ld_check_keys(L, it, keys, sec);
        yaml_node_t *nm = sd_ld_map_get(L, it, "name", NULL), *ms = sd_ld_map_get(L, it, "mass", NULL), *ep = sd_ld_map_get(L, it, "epsilon", NULL),
                    *sg = sd_ld_map_get(L, it, "sigma", NULL);
        if (!nm) sd_ld_fail(L, it, "particle type %d needs name", t + 1);
        const char *name = sd_ld_get_name(L, nm, "a type name");
        if (type_index(p, name) >= 0) sd_ld_fail(L, nm, "type '%s' is listed twice in types", name);
        if (!ms || !ep || !sg)
            sd_ld_fail(L, it, "type %s needs %s (every type gives mass > 0, epsilon >= 0 and sigma > 0)", name,
                       !ms ? "mass" : !ep ? "epsilon" : "sigma");
        sd_ptype *ty = &p->type[p->ntypes++];
        snprintf(ty->name, sizeof ty->name, "%s", name);
        ty->mass = p->mass[t] = sd_ld_get_positive(L, ms, "mass", 1);
        ty->epsilon = sd_ld_get_positive(L, ep, "epsilon", 0);
        ty->sigma = sd_ld_get_positive(L, sg, "sigma", 1);
        if ((cn[t] = sd_ld_map_get(L, it, "count", NULL))) ty->count = sd_ld_eval_int(L, cn[t], 0, p->count, "a type count");
        else if (seq_len(n) > 1 && !p->read) /* read: the counts come from the file */
            sd_ld_fail(L, it, "type %s needs count (with several types, each gives its count and they sum to count = %lld)", name,
                       (long long)p->count);
        else ty->count = p->count;
    }
    if (p->read) return; /* sd_ld_particles_read_types */
    int64_t sum = 0;
    char terms[SD_MAX_PTYPES * (SD_NAME_MAX + 24)] = "";
    for (int t = 0; t < p->ntypes; t++) {
        sum += p->type[t].count;
        size_t l = strlen(terms);
        snprintf(terms + l, sizeof terms - l, "%s%s %lld", t ? " + " : "", p->type[t].name, (long long)p->type[t].count);
    }
    if (sum != p->count) {
        if (p->ntypes == 1)
            sd_ld_fail(L, cn[0], "type %s has count %lld, but the domain has count %lld (expected them equal, or no count for a single type)",
                       p->type[0].name, (long long)sum, (long long)p->count);
        sd_ld_fail(L, tk, "the type counts sum to %lld (%s), but the domain has count %lld (expected them to sum to count)",
                   (long long)sum, terms, (long long)p->count);
    }
}

/* A type name of a pair: index, with the nearest type suggested when unknown. */
static int need_type(loader *L, const yaml_node_t *n)
{
    const sd_particles *p = &L->g->domain.particles;
    const char *name = sd_ld_get_str(L, n, "a type name");
    int t = type_index(p, name);
    if (t >= 0) return t;
    sd_suggest sg;
    sd_suggest_init(&sg, name);
    char list[SD_MAX_PTYPES * (SD_NAME_MAX + 2)] = "";
    for (int i = 0; i < p->ntypes; i++) {
        sd_suggest_add(&sg, p->type[i].name);
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", p->type[i].name);
    }
    if (sd_suggest_best(&sg)) sd_ld_fail(L, n, "unknown particle type '%s' (did you mean '%s'?)", name, sd_suggest_best(&sg));
    sd_ld_fail(L, n, "unknown particle type '%s' (expected one of: %s)", name, list);
}

/* pairs: explicit {types: [A, B], epsilon, sigma} of two different types, each pair once; the
 * others mix by Lorentz-Berthelot (the runtime's job). Stored with a < b. */
static void particle_pairs(loader *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"types", "epsilon", "sigma", NULL};
    sd_particles *p = &L->g->domain.particles;
    if (!n || is_null(n)) return;
    if (!is_seq(n)) sd_ld_fail(L, n, "expected a list of pairs ({types: [A, B], epsilon, sigma}), got %s", got(n) ? got(n) : "a single name");
    int first[SD_MAX_PTYPES * (SD_MAX_PTYPES + 1) / 2];
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *it = seq_at(L, n, i);
        char sec[32];
        snprintf(sec, sizeof sec, "in pair %d", i + 1);
        sd_ld_need_map(L, it, "a pair ({types: [A, B], epsilon, sigma})");
        sd_ld_check_keys(L, it, keys, sec);
        yaml_node_t *ts = sd_ld_map_get(L, it, "types", NULL), *ep = sd_ld_map_get(L, it, "epsilon", NULL), *sg = sd_ld_map_get(L, it, "sigma", NULL);
        if (!ts) sd_ld_fail(L, it, "pair %d needs types (two type names: [A, B])", i + 1);
        if (!is_seq(ts))
            sd_ld_fail(L, ts, "expected two type names [A, B] for the types of a pair, got %s", got(ts) ? got(ts) : "a single name");
        if (seq_len(ts) != 2) sd_ld_fail(L, ts, "a pair has %d type name%s (expected two: [A, B])", seq_len(ts), seq_len(ts) == 1 ? "" : "s");
        int a = need_type(L, seq_at(L, ts, 0)), b = need_type(L, seq_at(L, ts, 1));
        if (a == b)
            sd_ld_fail(L, ts, "pair (%s, %s): a type's own parameters are its epsilon and sigma (expected two different types)",
                       p->type[a].name, p->type[b].name);
        if (a > b) { int t = a; a = b; b = t; }
        for (int q = 0; q < p->npairs; q++)
            if (p->pair[q].a == a && p->pair[q].b == b)
                sd_ld_fail(L, ts, "pair (%s, %s) is listed twice (first at line %d)", p->type[a].name, p->type[b].name, first[q]);
        if (!ep || !sg) sd_ld_fail(L, it, "pair (%s, %s) needs %s", p->type[a].name, p->type[b].name, !ep ? "epsilon (>= 0)" : "sigma (> 0)");
        first[p->npairs] = where(ts).line;
        p->pair[p->npairs++] = (sd_ppair){.a = a, .b = b, .epsilon = sd_ld_get_positive(L, ep, "epsilon", 0),
                                          .sigma = sd_ld_get_positive(L, sg, "sigma", 1)};
    }
}

/* neighbor: the neighbour-list policy; returns the skin node (NULL when defaulted). */
static const yaml_node_t *particle_neighbor(loader *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"skin", "every", "check", "min_distance", "capacity", NULL};
    sd_particles *p = &L->g->domain.particles;
    char b[32];
    p->skin = p->units == SD_UNITS_REAL ? 0.1 : p->units == SD_UNITS_METAL ? 2.0 : 0.3; /* LAMMPS: 2 A in metal */
    p->rebuild_every = 10;
    p->rebuild_check = 1;
    p->min_distance = 0.5;
    p->capacity = 1.5;
    if (!n || is_null(n)) return NULL;
    sd_ld_need_map(L, n, "neighbor ({skin, every, check, min_distance, capacity})");
    sd_ld_check_keys(L, n, keys, "in domain.particles.neighbor");
    yaml_node_t *x, *skin = sd_ld_map_get(L, n, "skin", NULL);
    if (skin) p->skin = sd_ld_get_positive(L, skin, "skin", 0);
    if ((x = sd_ld_map_get(L, n, "every", NULL))) p->rebuild_every = (int)sd_ld_eval_int(L, x, 1, INT_MAX, "neighbor every");
    if ((x = sd_ld_map_get(L, n, "check", NULL))) p->rebuild_check = sd_ld_get_bool(L, x, "neighbor check");
    if ((x = sd_ld_map_get(L, n, "min_distance", NULL))) {
        p->min_distance = sd_ld_eval(L, x);
        if (!(p->min_distance >= 0 && p->min_distance < 1))
            sd_ld_fail(L, x, "min_distance must be in [0, 1) (a fraction of sigma), got %s", sd_ld_num(b, p->min_distance));
    }
    if ((x = sd_ld_map_get(L, n, "capacity", NULL))) {
        p->capacity = sd_ld_eval(L, x);
        if (!(p->capacity >= 1.1))
            sd_ld_fail(L, x, "capacity must be >= 1.1 (room of the buffers over their expected size), got %s", sd_ld_num(b, p->capacity));
    }
    return skin;
}

static void load_particles(loader *L, const yaml_node_t *k, const yaml_node_t *P)
{
    static const char *const keys[] = {"count", "box", "units", "types", "pairs", "cutoff", "shift", "neighbor",
                                       "precision", "position", "velocity", "read", NULL};
    sd_domain *D = &L->g->domain;
    sd_particles *p = &D->particles;
    char b[32], b2[32];
    sd_ld_need_map(L, P, "domain.particles");
    sd_ld_check_keys(L, P, keys, "in domain.particles");
    D->kind = SD_DOMAIN_PARTICLES;
    D->ndim = 3;
    for (int d = 0; d < 3; d++) {
        D->shape[d] = 1;
        D->spacing[d] = 1.0;
        D->bc[d] = SD_BC_PERIODIC;
        D->bc_value[d] = 0.0;
    }
    D->absorb_speed = 1.0;
    D->nbins = 1;
    yaml_node_t *x, *tk = NULL;
    sd_patoms atoms; /* read: the file's atoms (their arrays are the graph's) */
    yaml_node_t *rdn = sd_ld_map_get(L, P, "read", NULL), *boxn = sd_ld_map_get(L, P, "box", NULL);
    if (rdn) sd_ld_particles_read(L, rdn, &atoms);
    if (!(x = sd_ld_map_get(L, P, "count", NULL))) {
        if (!rdn) sd_ld_fail(L, k, "domain.particles needs count (the number of particles, >= 1)");
        p->count = D->shape[0] = atoms.n;
    } else {
        p->count = D->shape[0] = sd_ld_eval_int(L, x, 1, (int64_t)1 << 40, "count");
        if (rdn) sd_ld_particles_read_count(L, x, &atoms);
    }
    if (!boxn && rdn && atoms.has_box) memcpy(p->box, atoms.box, sizeof p->box);
    else particle_box(L, k, boxn);
    if (rdn && boxn) sd_ld_particles_read_box(L, boxn, &atoms);
    p->units = SD_UNITS_LJ;
    if ((x = sd_ld_map_get(L, P, "units", NULL))) {
        const char *u = sd_ld_get_str(L, x, "units (lj, real or metal)");
        int i = 0;
        while (units_names[i] && strcmp(u, units_names[i])) i++;
        if (units_names[i]) p->units = (sd_units)i;
        else {
            sd_suggest sg;
            sd_suggest_init(&sg, u);
            for (int j = 0; units_names[j]; j++) sd_suggest_add(&sg, units_names[j]);
            if (sd_suggest_best(&sg)) sd_ld_fail(L, x, "unknown units '%s' (did you mean '%s'?)", u, sd_suggest_best(&sg));
            sd_ld_fail(L, x, "unknown units '%s' (expected lj, real or metal)", u);
        }
    }
    x = sd_ld_map_get(L, P, "types", &tk);
    particle_types(L, tk, x);
    if (rdn) sd_ld_particles_read_types(L, tk, x, &atoms);
    for (int t = 0; t < p->ntypes; t++) p->dyn_mass[t] = p->mass[t] * sd_units_mvv2e(p->units); /* x1 exact */
    particle_pairs(L, sd_ld_map_get(L, P, "pairs", NULL));
    yaml_node_t *cut = sd_ld_map_get(L, P, "cutoff", NULL);
    if (!cut) sd_ld_fail(L, k, "domain.particles needs cutoff (the Lennard-Jones cutoff r_c, > 0)");
    p->cutoff = sd_ld_get_positive(L, cut, "cutoff", 1);
    if ((x = sd_ld_map_get(L, P, "shift", NULL))) p->shift = sd_ld_get_bool(L, x, "shift");
    if ((x = sd_ld_map_get(L, P, "precision", NULL))) {
        const char *pr = sd_ld_get_str(L, x, "precision (double or mixed)");
        if (!strcmp(pr, "mixed")) p->mixed = 1;
        else if (strcmp(pr, "double")) sd_ld_fail(L, x, "unknown precision '%s' (expected double or mixed)", pr);
    }
    const yaml_node_t *skin = particle_neighbor(L, sd_ld_map_get(L, P, "neighbor", NULL));
    /* pairs are found by the nearest periodic image only: the list range must fit half the box */
    int dm = 0;
    for (int d = 1; d < 3; d++)
        if (p->box[d] < p->box[dm]) dm = d;
    double reach = p->cutoff + p->skin;
    if (reach > p->box[dm] / 2) {
        yaml_node_t *bx = sd_ld_map_get(L, P, "box", NULL);
        char axis[8];
        snprintf(axis, sizeof axis, is_seq(bx) ? "L_%c" : "L", "xyz"[dm]);
        sd_ld_fail(L, skin && p->cutoff <= p->box[dm] / 2 ? skin : cut,
                   "cutoff + skin = %s is more than half the box (%s = %s): the minimum-image convention needs cutoff + skin <= L/2 "
                   "(a bigger box, or a smaller cutoff/skin)", sd_ld_num(b, reach), axis, sd_ld_num(b2, p->box[dm]));
    }
    pnames *nm = L->dm_state = calloc(1, sizeof *nm);
    if (!nm) sd_ld_oom(L);
    nm->key = k;
    nm->pos = "x";
    nm->vel = "v";
    if ((nm->posn = sd_ld_map_get(L, P, "position", NULL))) nm->pos = sd_ld_get_name(L, nm->posn, "a field name");
    if ((nm->veln = sd_ld_map_get(L, P, "velocity", NULL))) nm->vel = sd_ld_get_name(L, nm->veln, "a field name");
    if (!strcmp(nm->pos, nm->vel))
        sd_ld_fail(L, nm->veln ? nm->veln : nm->posn, "position and velocity are both field '%s' (expected two fields)", nm->pos);
}

/* After the fields: the position and velocity fields exist and have 3 components (load_fields
 * refused f32 and levels in a particle domain). */
static void particle_fields(loader *L)
{
    sd_particles *p = &L->g->domain.particles;
    const pnames *nm = L->dm_state;
    for (int i = 0; i < 2; i++) {
        const char *name = i ? nm->vel : nm->pos, *what = i ? "velocity" : "position";
        const yaml_node_t *named = i ? nm->veln : nm->posn, *at = named ? named : nm->key;
        int fi = sd_graph_field_index(L->g, name);
        if (fi < 0) {
            sd_suggest sg;
            sd_suggest_init(&sg, name);
            for (int f = 0; f < L->g->nfields; f++) sd_suggest_add(&sg, L->g->fields[f].name);
            if (sd_suggest_best(&sg))
                sd_ld_fail(L, at, "the %s field '%s' is not declared (did you mean '%s'?)", what, name, sd_suggest_best(&sg));
            sd_ld_fail(L, at, "the %s field '%s' is not declared (expected fields: {%s: {components: 3}})", what, name, name);
        }
        const sd_gfield *f = &L->g->fields[fi];
        if (f->ncomp != 3)
            sd_ld_fail_at(L, f->at.line, f->at.col, "field '%s' holds the particle %ss, so it needs components: 3 (it has %d)", name, what,
                          f->ncomp);
        if (i) p->velocity = fi;
        else p->position = fi;
    }
}

/* tiles: auto or the number of blocks (slabs of cells along z). */
static void particle_tiles(loader *L, const yaml_node_t *n)
{
    sd_particles *p = &L->g->domain.particles;
    if (is_scalar(n) && !strcmp(sval(n), "auto")) return;
    if (!is_scalar(n) || is_null(n))
        sd_ld_fail(L, n, "expected auto or a number of blocks for the tiles of a particle domain, got %s (tile shapes are for grids)",
                   got(n));
    p->nblocks = (int)sd_ld_eval_int(L, n, 1, 1 << 20, "tiles (the number of particle blocks)");
    L->g->run.tiles_auto = 0;
    char err[512]; /* the domain (box, cutoff, skin) is read before tiles: the count is checked here, not by the run */
    if (sd_pgeom_blocks_fit(p, p->nblocks, err, sizeof err)) sd_ld_fail(L, n, "%s", err);
}

/* Particle fields are f64 and have no time levels. */
static void field_option(loader *L, const sd_gfield *f, const yaml_node_t *at, const char *option)
{
    if (!strcmp(option, "dtype") && f->dtype != SD_F64)
        sd_ld_fail(L, at, "field '%s' is %s, but particle fields are f64", f->name, dtype_name(f->dtype));
    if (!strcmp(option, "levels"))
        sd_ld_fail(L, at, "field '%s' has levels, but time levels are for grids (a particle field has one value per particle)",
                   f->name);
}

static void halo_option(loader *L, const sd_codelet *cl, int role, const yaml_node_t *at)
{
    sd_ld_fail(L, at, "role '%s' of %s reads the neighbour blocks' particles; halo is a ghost width of grids (expected no halo)",
               cl->roles[role].name, cl->name);
}

/* A neighbour-block read sees the ghosts, which are images of the positions; on particles a halo
 * only says that (1): no width, no stencil shape. */
static void bind_field(loader *L, const sd_codelet *cl, int role, int field, const yaml_node_t *at)
{
    const sd_graph *g = L->g;
    const char *rname = cl->roles[role].name, *pos = g->fields[g->domain.particles.position].name;
    if (cl->roles[role].halo > 1 || cl->roles[role].box)
        sd_ld_fail(L, at, "role '%s' of %s declares %s, but on particles a halo only says that the role reads the "
                   "neighbour blocks (expected halo 0 or 1 and no box in the codelet's declaration)", rname, cl->name,
                   cl->roles[role].box ? "a full-box stencil" : "a halo wider than 1");
    if (cl->roles[role].halo > 0 && field != g->domain.particles.position)
        sd_ld_fail(L, at, "role '%s' of %s reads the neighbour blocks' particles, which only the position field '%s' has "
                   "(expected %s: %s)", rname, cl->name, pos, rname, pos);
}

static void output(loader *L, const char *what, const yaml_node_t *at)
{
    if (!strcmp(what, "fields"))
        sd_ld_fail(L, at, "output.fields is for grids: particle positions and velocities go to a trajectory: output: "
                   "{trajectory: {file: ..., every: N}}");
}

static void check(loader *L, const char *kind, const yaml_node_t *at)
{
    if (!strcmp(kind, "finite"))
        sd_ld_fail(L, at, "finite checks are for grid fields: particle runs check positions at every neighbour-list rebuild");
}

static void check_info(const sd_graph *g, sd_check_info *info)
{
    const sd_particles *P = &g->domain.particles;
    info->ndim = 3; /* one "cell" per particle, as the run file's /grid has it */
    info->shape[0] = P->count;
    info->shape[1] = info->shape[2] = 1;
    info->dx[0] = info->dx[1] = info->dx[2] = 1.0;
    info->count = P->count;
    for (int d = 0; d < 3; d++) info->box[d] = P->box[d];
    info->kB = sd_units_kB(P->units);
    info->ntypes = P->ntypes;
    info->mass = P->dyn_mass;
}

const sd_dm_syntax sd_particles_syntax = {
    .noun = "particles",
    .codelets_noun = "particle domains",
    .parse = load_particles,
    .parse_tiles = particle_tiles,
    .field_option = field_option,
    .after_fields = particle_fields,
    .halo_option = halo_option,
    .bind_field = bind_field,
    .output = output,
    .check = check,
    .check_info = check_info,
    .initial_data = sd_particles_read_initial_data,
};
