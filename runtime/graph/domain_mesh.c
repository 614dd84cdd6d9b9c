/* domain_mesh.c - the mesh domain class's front end: the domain.mesh section (a triangle-mesh file,
 * or a generated icosphere or ellipsoid, read and checked at load), the positions field, the
 * final-mesh export, the mesh form of tiles (auto or a number of partitions), and what a graph may
 * bind on a mesh (f64 fields on vertices, faces or edges, ghost rings up to 2, no time levels). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader_impl.h"
#include "mesh_file.h"
#include "suggest.h"

typedef struct mnames {
    const yaml_node_t *key, *posn; /* the 'mesh' key; the positions name node (NULL: default) */
    const yaml_node_t *exportn, *tilesn; /* the export path and the tiles nodes (NULL: none) */
    const char *pos;
} mnames;

/* The mesh becomes the graph's (freed with it) as soon as it exists. */
static void take(loader *L, sd_mesh *m)
{
    sd_gmesh *gm = &L->g->domain.mesh;
    gm->nv = m->nv;
    gm->nf = m->nf;
    gm->x = m->x;
    gm->tri = m->tri;
    m->x = NULL;
    m->tri = NULL;
}

static int level_of(loader *L, const yaml_node_t *n, const char *what)
{
    yaml_node_t *lv = sd_ld_map_get(L, n, "level", NULL);
    if (!lv) sd_ld_fail(L, n, "%s needs level (subdivisions of the icosahedron, 0 to 10: 10*4^level + 2 vertices)", what);
    return (int)sd_ld_eval_int(L, lv, 0, 10, "level (0 to 10)");
}

static void generate(loader *L, const yaml_node_t *k, const yaml_node_t *n, int ellipsoid)
{
    static const char *const ikeys[] = {"level", "radius", NULL}, *const ekeys[] = {"level", "axes", NULL};
    sd_gmesh *gm = &L->g->domain.mesh;
    const char *what = ellipsoid ? "ellipsoid" : "icosphere";
    char b[3][32], sec[32];
    snprintf(sec, sizeof sec, "in domain.mesh.%s", what);
    sd_ld_need_map(L, n, ellipsoid ? "ellipsoid ({level: L, axes: [a, b, c]})" : "icosphere ({level: L, radius: R})");
    sd_ld_check_keys(L, n, ellipsoid ? ekeys : ikeys, sec);
    const int level = level_of(L, n, what);
    {   /* vertices and faces, and while the last subdivision runs the next faces and an edge table */
        double nf = 20.0 * (double)((int64_t)1 << 2 * level), nv = nf / 2 + 2;
        char w[64];
        snprintf(w, sizeof w, "generating an %s of level %d needs", what, level);
        sd_ld_check_memory(L, where(n), 24 * nv + 72 * nf, w);
    }
    double axes[3] = {1, 1, 1};
    sd_mesh m = {0};
    char err[512];
    int rc;
    if (ellipsoid) {
        yaml_node_t *ax = sd_ld_map_get(L, n, "axes", NULL);
        if (!ax) sd_ld_fail(L, n, "ellipsoid needs axes (the semi-axes [a, b, c] along x, y, z)");
        if (!is_seq(ax) || seq_len(ax) != 3) sd_ld_fail(L, ax, "expected the three semi-axes [a, b, c] for axes");
        for (int d = 0; d < 3; d++) axes[d] = sd_ld_get_positive(L, seq_at(L, ax, d), "a semi-axis", 1);
        rc = sd_mesh_ellipsoid(level, axes, &m, err, sizeof err);
        snprintf(gm->source, sizeof gm->source, "ellipsoid level %d, axes [%s, %s, %s]", level, sd_ld_num(b[0], axes[0]),
                 sd_ld_num(b[1], axes[1]), sd_ld_num(b[2], axes[2]));
    } else {
        yaml_node_t *rn = sd_ld_map_get(L, n, "radius", NULL);
        const double r = rn ? sd_ld_get_positive(L, rn, "radius", 1) : 1.0;
        rc = sd_mesh_icosphere(level, r, &m, err, sizeof err);
        snprintf(gm->source, sizeof gm->source, "icosphere level %d, radius %s", level, sd_ld_num(b[0], r));
    }
    if (rc < 0) {
        sd_mesh_free(&m);
        sd_ld_fail(L, k, "%s", err);
    }
    take(L, &m);
}

static void read_file(loader *L, const yaml_node_t *fn)
{
    sd_gmesh *gm = &L->g->domain.mesh;
    const char *file = sd_ld_get_str(L, fn, "a mesh file (.off, .obj or .ply)");
    if (!*file || strlen(file) >= sizeof gm->source)
        sd_ld_fail(L, fn, "expected a file path of 1 to %zu characters", sizeof gm->source - 1);
    snprintf(gm->source, sizeof gm->source, "%s", file);
    sd_mesh m = {0};
    sd_mesh_notes notes = {0};
    char err[1024];
    sd_ld_need_regular_file(L, fn, file);
    if (sd_mesh_read(file, &m, &notes, err, sizeof err) < 0) {
        sd_mesh_free(&m);
        sd_ld_fail(L, fn, "%s", err);
    }
    gm->dropped = notes.dropped_vertices;
    gm->flipped = notes.flipped;
    take(L, &m);
}

static void load_mesh(loader *L, const yaml_node_t *k, const yaml_node_t *M)
{
    static const char *const keys[] = {"file", "icosphere", "ellipsoid", "positions", "export", NULL};
    sd_domain *D = &L->g->domain;
    sd_gmesh *gm = &D->mesh;
    sd_ld_need_map(L, M, "domain.mesh ({file: PATH} or {icosphere: {level, radius}} or {ellipsoid: {level, axes}})");
    sd_ld_check_keys(L, M, keys, "in domain.mesh");
    D->kind = SD_DOMAIN_MESH;
    D->ndim = 1;
    for (int d = 0; d < 3; d++) {
        D->shape[d] = 1;
        D->spacing[d] = 1.0;
        D->bc[d] = SD_BC_PERIODIC;
    }
    D->absorb_speed = 1.0;
    D->nbins = 1;
    yaml_node_t *fn = sd_ld_map_get(L, M, "file", NULL), *ico = sd_ld_map_get(L, M, "icosphere", NULL),
                *ell = sd_ld_map_get(L, M, "ellipsoid", NULL), *x;
    const int nsrc = !!fn + !!ico + !!ell;
    if (nsrc != 1)
        sd_ld_fail(L, k, "domain.mesh needs exactly one of file, icosphere and ellipsoid (it has %d)", nsrc);
    if (fn) read_file(L, fn);
    else generate(L, k, ico ? ico : ell, ell != NULL);
    D->shape[0] = gm->nv;
    yaml_node_t *exportn = x = sd_ld_map_get(L, M, "export", NULL);
    if (x) {
        const char *f = sd_ld_get_str(L, x, "a file path (.off or .ply)");
        const char *dot = strrchr(f, '.');
        if (!dot || (strcasecmp(dot, ".off") && strcasecmp(dot, ".ply")))
            sd_ld_fail(L, x, "export writes OFF or PLY: expected a file name ending in .off or .ply, got '%s'", f);
        if (strlen(f) >= sizeof gm->export_file) sd_ld_fail(L, x, "the export path is too long");
        snprintf(gm->export_file, sizeof gm->export_file, "%s", f);
    }
    mnames *nm = L->dm_state = calloc(1, sizeof *nm);
    if (!nm) sd_ld_oom(L);
    nm->key = k;
    nm->exportn = exportn;
    nm->pos = "x";
    if ((nm->posn = sd_ld_map_get(L, M, "positions", NULL))) nm->pos = sd_ld_get_name(L, nm->posn, "a field name");
}

/* The positions field: declared, 3 components, on vertices. */
static void mesh_fields(loader *L)
{
    const mnames *nm = L->dm_state;
    const yaml_node_t *at = nm->posn ? nm->posn : nm->key;
    int fi = sd_graph_field_index(L->g, nm->pos);
    if (fi < 0) {
        sd_suggest sg;
        sd_suggest_init(&sg, nm->pos);
        for (int f = 0; f < L->g->nfields; f++) sd_suggest_add(&sg, L->g->fields[f].name);
        if (sd_suggest_best(&sg))
            sd_ld_fail(L, at, "the positions field '%s' is not declared (did you mean '%s'?)", nm->pos, sd_suggest_best(&sg));
        sd_ld_fail(L, at, "the positions field '%s' is not declared (expected fields: {%s: {components: 3}})", nm->pos,
                   nm->pos);
    }
    const sd_gfield *f = &L->g->fields[fi];
    if (f->ncomp != 3 || f->location != SD_MESH_VERTICES)
        sd_ld_fail_at(L, f->at.line, f->at.col, "field '%s' holds the vertex positions, so it needs components: 3 on "
                      "vertices (it has %d on %s)", f->name, f->ncomp, L->cls->locations[f->location]);
    L->g->domain.mesh.position = fi;
    /* the edges, numbered once for every partition, output file and checkpoint */
    sd_gmesh *gm = &L->g->domain.mesh;
    for (int i = 0; i < L->g->nfields && !gm->edge; i++) {
        if (L->g->fields[i].location != SD_MESH_EDGES) continue;
        char err[256];
        if (sd_mesh_edges(gm->nv, gm->nf, gm->tri, &gm->ne, &gm->edge, err, sizeof err) < 0)
            sd_ld_fail_at(L, L->g->fields[i].at.line, L->g->fields[i].at.col, "field '%s': %s", L->g->fields[i].name, err);
    }
}

static void mesh_tiles(loader *L, const yaml_node_t *n)
{
    if (is_scalar(n) && !strcmp(sval(n), "auto")) return;
    if (!is_scalar(n) || is_null(n))
        sd_ld_fail(L, n, "expected auto or a number of partitions for the tiles of a mesh, got %s (tile shapes are for grids)",
                   got(n));
    L->g->domain.mesh.nparts = (int)sd_ld_eval_int(L, n, 1, SD_MAX_MESH_PARTS, "tiles (the number of mesh partitions)");
    L->g->run.tiles_auto = 0;
    ((mnames *)L->dm_state)->tilesn = n;
}

static void field_option(loader *L, const sd_gfield *f, const yaml_node_t *at, const char *option)
{
    if (!strcmp(option, "dtype") && f->dtype != SD_F64)
        sd_ld_fail(L, at, "field '%s' is %s, but mesh fields are f64", f->name, dtype_name(f->dtype));
    if (!strcmp(option, "levels"))
        sd_ld_fail(L, at, "field '%s' has levels, but time levels are for grids (a minimiser keeps its previous "
                   "values in fields of its own)", f->name);
}

static void halo_option(loader *L, const sd_codelet *cl, int role, const yaml_node_t *at)
{
    sd_ld_fail(L, at, "role '%s' of %s: on a mesh the ghost rings come from the codelet's declaration (expected no halo)",
               cl->roles[role].name, cl->name);
}

static void bind_field(loader *L, const sd_codelet *cl, int role, int field, const yaml_node_t *at)
{
    const char *const *loc = L->cls->locations;
    const sd_role *r = &cl->roles[role];
    const sd_gfield *f = &L->g->fields[field];
    if (r->halo > 2 || r->box)
        sd_ld_fail(L, at, "role '%s' of %s declares %s, but a mesh partition carries two ghost rings (expected halo 0 "
                   "to 2 and no box)", r->name, cl->name, r->box ? "a full-box stencil" : "a halo wider than 2");
    int nloc = 0;
    while (loc[nloc]) nloc++;
    if (r->location >= nloc) /* a pack's role: the registry takes any location below SD_MAX_LOCATIONS */
        sd_ld_fail(L, at, "role '%s' of %s declares location %d, which meshes do not have (expected 0 vertices, 1 faces "
                   "or 2 edges)", r->name, cl->name, r->location);
    if (r->location != f->location)
        sd_ld_fail(L, at, "role '%s' of %s takes a field on %s, but '%s' lives on %s", r->name, cl->name,
                   loc[r->location], f->name, loc[f->location]);
    if (r->halo > 0 && f->location != SD_MESH_VERTICES)
        sd_ld_fail(L, at, "role '%s' of %s reads ghost rings, which vertex fields have ('%s' lives on %s)", r->name,
                   cl->name, f->name, loc[f->location]);
}

static void output(loader *L, const char *what, const yaml_node_t *at)
{
    if (!strcmp(what, "trajectory"))
        sd_ld_fail(L, at, "output.trajectory is for particles: a mesh's vertex fields (positions included) go to "
                   "output.fields");
}

static void check(loader *L, const char *kind, const yaml_node_t *at)
{
    if (!strcmp(kind, "finite"))
        sd_ld_fail(L, at, "finite checks are for grid fields: on a mesh, check a scalar (a range check of the energy "
                   "fails on NaN)");
}

static void initial_data(const sd_graph *g, unsigned char *has_data)
{
    has_data[g->domain.mesh.position * SD_MAX_LEVELS] = 1;
}

/* The exported mesh is the domain's own output file (what output.trajectory is to particles): the
 * run settles it with the others (never clobbered, --trajectory moves it, --out "" drops it). */
static void finish(loader *L)
{
    sd_graph *g = L->g;
    const mnames *nm = L->dm_state;
    if (nm->tilesn && g->domain.mesh.nparts > g->domain.mesh.nv)
        sd_ld_fail(L, nm->tilesn, "tiles asks for %d partitions of a mesh of %lld vertices (expected at most one per vertex)",
                   g->domain.mesh.nparts, (long long)g->domain.mesh.nv);
    const char *f = g->domain.mesh.export_file;
    if (!*f) return;
    if (!strcmp(f, g->output.file)) sd_ld_fail(L, nm->exportn, "domain.mesh.export is the output file '%s' too (expected two files)", f);
    snprintf(g->output.trajectory, sizeof g->output.trajectory, "%s", f);
}

static void check_info(const sd_graph *g, sd_check_info *info)
{
    info->ndim = 1;
    info->shape[0] = g->domain.mesh.nv;
    info->shape[1] = info->shape[2] = 1;
    info->dx[0] = info->dx[1] = info->dx[2] = 1.0;
    info->count = g->domain.mesh.nv;
}

const sd_dm_syntax sd_mesh_syntax = {
    .noun = "a mesh",
    .codelets_noun = "meshes",
    .parse = load_mesh,
    .parse_tiles = mesh_tiles,
    .field_option = field_option,
    .after_fields = mesh_fields,
    .halo_option = halo_option,
    .bind_field = bind_field,
    .output = output,
    .check = check,
    .initial_data = initial_data,
    .check_info = check_info,
    .finish = finish,
};
