/* t_mesh_ckpt.c - the mesh class's checkpoint hooks (submit_checkpoint, restore), driven directly
 * (engine + domain, no run loop): a graph runs K steps on P1 partitions, its checkpoint records go
 * into a checkpoint file (io/ckpt.h's writer), it runs on to N and checkpoints again; a fresh
 * domain on P2 partitions, with another worker count and scheduler, restores the step-K file and
 * runs K+1..N: every item of its step-N checkpoint equals the uninterrupted run's, bitwise. Graphs:
 * graphs/membrane/vesicle-bending.yaml at level 2 (a CG minimiser whose line-search state lives in
 * scalars and in the fields d and gprev) and a graph with face fields. Also: item names, types and
 * shapes (the output snapshot's layout), the positions item equal to the mesh at step 0, and
 * refusals (a checkpoint of another mesh, one without a field of the graph), each naming the dataset. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <starpu.h>
#include "ckpt.h"
#include "dm.h"
#include "engine.h"
#include "graph.h"
#include "stardag/codelet.h"
#include "stardag/stardag.h"
#include "tap.h"

typedef struct sim {
    sd_engine *e;
    sd_dm *dm;
} sim;

typedef struct setup {
    int parts, ncpu;
    const char *sched;
} setup;

static int sim_start(const sd_graph *g, const setup *su, sim *s)
{
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    conf.ncpus = su->ncpu;
    conf.ncuda = 0;
    conf.sched_policy_name = su->sched;
    if (starpu_init(&conf) != 0) return -1;
    char err[1024];
    sd_engine_opts eo = {.arch = SD_ARCH_CPU};
    sd_dm_opts dmo = {.ncpu = su->ncpu, .parts = {su->parts}};
    s->e = sd_engine_create(g, &eo, err, sizeof err);
    s->dm = s->e ? sd_dm_create(g, s->e, &dmo, err, sizeof err) : NULL;
    if (!s->dm) {
        diag("%s", err);
        return -1;
    }
    return 0;
}

static void sim_stop(sim *s)
{
    sd_dm_release(s->dm);
    sd_engine_release(s->e);
    starpu_shutdown();
    sd_dm_destroy(s->dm);
    sd_engine_free(s->e);
}

/* Waits for everything submitted; checkpoint records go into w (when given), the rest is dropped. */
static int drain(sim *s, sd_ckpt_out *w, int *nitems)
{
    char err[1024];
    int rc = 0;
    sd_engine_seal(s->e);
    starpu_task_wait_for_all();
    for (sd_record *r; (r = sd_engine_pop_complete(s->e));) {
        if (r->ckpt && w && rc == 0) {
            const sd_ckpt_item *it = r->ckpt;
            if (sd_ckpt_write(w, it->name, it->type, it->ndim, it->dims, r->data, r->bytes, err, sizeof err) < 0) {
                diag("%s", err);
                rc = -1;
            }
            (*nitems)++;
        }
        sd_record_free(r);
    }
    return rc;
}

static void steps(sim *s, int64_t from, int64_t to)
{
    for (int64_t k = from; k <= to; k++) {
        s->dm->cls->submit_step(s->dm, k);
        sd_engine_seal(s->e);
    }
    drain(s, NULL, NULL);
}

/* A checkpoint of step k in path: the domain's items and the scalars. The number of items, or -1. */
static int checkpoint(sim *s, const sd_graph *g, int64_t k, const char *path)
{
    char err[1024];
    sd_ckpt_out *w = sd_ckpt_create(path, err, sizeof err);
    if (!w) {
        diag("%s", err);
        return -1;
    }
    int n = 0;
    s->dm->cls->submit_checkpoint(s->dm, k);
    sd_eng_checkpoint_scalars(s->e, k);
    if (drain(s, w, &n) < 0) {
        sd_ckpt_abort(w);
        return -1;
    }
    sd_ckpt_meta m = {.format = SD_CKPT_FORMAT, .step = k, .time = k * g->run.dt, .graph_hash = sd_graph_text_hash(g),
                      .layout_hash = sd_graph_layout_hash(g)};
    snprintf(m.version, sizeof m.version, "test");
    if (sd_ckpt_commit(w, &m, g->text, 1, err, sizeof err) < 0) {
        diag("%s", err);
        return -1;
    }
    return n;
}

/* Restores the step-k checkpoint path into a fresh domain: 0, or -1 with the message in err. */
static int restore(sim *s, const char *path, char *err, size_t errlen)
{
    sd_ckpt_in *in = sd_ckpt_open(path, err, errlen);
    if (!in) return -1;
    int rc = s->dm->cls->restore(s->dm, in, err, errlen);
    int type, ndim;
    int64_t dims[4];
    if (rc == 0 && sd_ckpt_item_info(in, "scalars", &type, &ndim, dims, err, errlen) == 0) {
        double *v = malloc(sizeof(double) * (size_t)dims[0] + 1);
        rc = v && sd_ckpt_read_item(in, "scalars", v, sizeof(double) * (size_t)dims[0], err, errlen) == 0
                 ? sd_eng_restore_scalars(s->e, v, (int)dims[0], err, errlen)
                 : -1;
        free(v);
    }
    sd_ckpt_close(in);
    return rc;
}

typedef struct cmp_ctx {
    const sd_ckpt_in *a, *b;
    int items, differ;
    char first[160];
} cmp_ctx;

/* Item `name` of a against b's: same type, shape and bytes. */
static int cmp_item(const char *name, int type, int ndim, const int64_t dims[4], void *u)
{
    cmp_ctx *c = u;
    char err[1024] = "";
    size_t bytes = sd_ckpt_type_size(type);
    for (int d = 0; d < ndim; d++) bytes *= (size_t)dims[d];
    int tb, nb;
    int64_t db[4];
    char *x = malloc(bytes + 1), *y = malloc(bytes + 1);
    int same = x && y && sd_ckpt_item_info(c->b, name, &tb, &nb, db, err, sizeof err) == 0 && tb == type && nb == ndim &&
               sd_ckpt_read_item(c->a, name, x, bytes, err, sizeof err) == 0 &&
               sd_ckpt_read_item(c->b, name, y, bytes, err, sizeof err) == 0 && memcmp(x, y, bytes) == 0;
    free(x);
    free(y);
    c->items++;
    if (!same && !c->differ++) snprintf(c->first, sizeof c->first, "%s%s%s", name, *err ? ": " : "", err);
    return 0;
}

/* Every item of checkpoint a against b's, bitwise: the number of items, or -1 (unreadable) / -2
 * (an item differs: first names it). */
static int same_state(const char *a, const char *b, char *first, size_t len)
{
    char err[1024];
    sd_ckpt_in *ia = sd_ckpt_open(a, err, sizeof err), *ib = ia ? sd_ckpt_open(b, err, sizeof err) : NULL;
    if (!ib) {
        diag("%s", err);
        sd_ckpt_close(ia);
        return -1;
    }
    cmp_ctx c = {.a = ia, .b = ib};
    int rc = sd_ckpt_list_items(ia, cmp_item, &c, err, sizeof err);
    if (rc < 0) diag("%s", err);
    sd_ckpt_close(ia);
    sd_ckpt_close(ib);
    snprintf(first, len, "%s", c.first);
    return rc < 0 ? -1 : c.differ ? -2 : c.items;
}

/* One item's values (f64), malloc'd; NULL when absent or unreadable. */
static double *read_f64(const char *path, const char *name, int64_t *count)
{
    char err[1024];
    sd_ckpt_in *in = sd_ckpt_open(path, err, sizeof err);
    int type, ndim;
    int64_t dims[4];
    double *v = NULL;
    if (in && sd_ckpt_item_info(in, name, &type, &ndim, dims, err, sizeof err) == 0 && type == SD_CK_F64) {
        *count = 1;
        for (int d = 0; d < ndim; d++) *count *= dims[d];
        v = malloc(sizeof(double) * (size_t)*count + 1);
        if (v && sd_ckpt_read_item(in, name, v, sizeof(double) * (size_t)*count, err, sizeof err) < 0) {
            free(v);
            v = NULL;
        }
    }
    if (!v) diag("%s", err);
    sd_ckpt_close(in);
    return v;
}

typedef struct item_shape {
    const char *name;
    int ndim;
    int64_t dims[2];
} item_shape;

static int has_shape(const char *path, const item_shape *want)
{
    char err[1024];
    sd_ckpt_in *in = sd_ckpt_open(path, err, sizeof err);
    int type = -1, ndim = -1;
    int64_t dims[4] = {0};
    int ok = in && sd_ckpt_item_info(in, want->name, &type, &ndim, dims, err, sizeof err) == 0 && ndim == want->ndim &&
             dims[0] == want->dims[0] && (ndim < 2 || dims[1] == want->dims[1]);
    if (!ok) diag("%s: type %d, %d dims %" PRId64 " x %" PRId64, want->name, type, ndim, dims[0], dims[1]);
    sd_ckpt_close(in);
    return ok;
}

/* The restart check of graph g: uninterrupted on a to step n (checkpoints at k and n), restarted
 * from k on b to n; both step-n states compared. */
static void restart_equals(const char *what, const sd_graph *g, int64_t k, int64_t n, const setup *a, const setup *b,
                           const char *dir)
{
    char ck[1200], full[1200], again[1200], err[1024], first[160];
    snprintf(ck, sizeof ck, "%s/k.ckpt.h5", dir);
    snprintf(full, sizeof full, "%s/full.ckpt.h5", dir);
    snprintf(again, sizeof again, "%s/again.ckpt.h5", dir);
    sim s;
    if (sim_start(g, a, &s) < 0) {
        ok(0, "%s: the domain on %d partitions", what, a->parts);
        return;
    }
    s.dm->cls->submit_init(s.dm);
    drain(&s, NULL, NULL);
    steps(&s, 1, k);
    const int items = checkpoint(&s, g, k, ck);
    steps(&s, k + 1, n);
    const int items_n = checkpoint(&s, g, n, full);
    sim_stop(&s);
    ok(items == g->nfields + 2 && items_n == items, "%s: a checkpoint holds every field, the triangles and the scalars "
       "(%d items, %d fields)", what, items, g->nfields);
    if (sim_start(g, b, &s) < 0) {
        ok(0, "%s: the domain on %d partitions", what, b->parts);
        return;
    }
    int rc = restore(&s, ck, err, sizeof err);
    if (!ok(rc == 0, "%s: restored from step %" PRId64 " on %d partitions, %d CPUs, sched %s", what, k, b->parts, b->ncpu,
            b->sched))
        diag("%s", err);
    if (rc == 0) {
        steps(&s, k + 1, n);
        checkpoint(&s, g, n, again);
    }
    sim_stop(&s);
    rc = rc == 0 ? same_state(full, again, first, sizeof first) : -1;
    if (!ok(rc == items_n, "%s: steps %" PRId64 "..%" PRId64 " after the restart end in the uninterrupted run's state, "
            "bitwise (%d items; %d partitions/%d CPUs/%s vs %d/%d/%s)", what, k + 1, n, rc, a->parts, a->ncpu, a->sched,
            b->parts, b->ncpu, b->sched))
        diag("first differing item: %s", first);
}

static sd_graph *load(const char *path, const char *const *set, int nset)
{
    char err[1024];
    sd_graph *g = sd_graph_load_ex(path, set, nset, err, sizeof err);
    if (!g) diag("%s", err);
    return g;
}

static const char *faces_graph =
    "domain:\n"
    "  mesh:\n"
    "    ellipsoid: {level: 2, axes: [1.2, 1, 0.8]}\n"
    "fields:\n"
    "  x: {components: 3}\n"
    "  area: {components: 1, location: faces}\n"
    "  normal: {components: 3, location: faces}\n"
    "  g: {components: 3}\n"
    "  vg: {components: 3}\n"
    "scalars: [total, energy, volume, vv]\n"
    "init:\n"
    "  - op: mesh.perturb\n"
    "    readwrite: {x: x}\n"
    "    params: {seed: 4, amp: 0.05}\n"
    "step:\n"
    "  - op: membrane.face_geometry\n"
    "    read: {x: x}\n"
    "    write: {area: area, normal: normal, total: total}\n"
    "  - op: membrane.energy\n"
    "    read: {x: x}\n"
    "    write: {grad: g, vgrad: vg, energy: energy, volume: volume, vv: vv}\n"
    "  - op: mesh.axpy\n"
    "    read: {x: g}\n"
    "    readwrite: {y: x}\n"
    "    params: {a: -1e-3}\n"
    "run: {steps: 12, dt: 1}\n";

int main(void)
{
    const char *src = getenv("top_srcdir"), *tmp = getenv("SD_TEST_TMP");
    char path[1024], dir[1024], err[1024];
    snprintf(path, sizeof path, "%s/graphs/membrane/vesicle-bending.yaml", src ? src : ".");
    snprintf(dir, sizeof dir, "%s", tmp ? tmp : "/tmp");
    sd_register_builtin_codelets();
    if (access(path, R_OK) != 0) tap_skip_all("graphs/membrane/vesicle-bending.yaml not found (top_srcdir unset)");
    const char *set[] = {"level=2"};
    sd_graph *g = load(path, set, 1);
    if (!ok(g != NULL, "vesicle-bending.yaml loads at level 2")) return tap_done();

    /* 1. the minimiser: 20 steps, checkpoint at 7; restarted on other partitions/workers/schedulers */
    const setup one = {1, 1, "eager"}, five = {5, 2, "lws"}, three = {3, 2, "dmda"};
    restart_equals("vesicle-bending", g, 7, 20, &one, &five, dir);
    restart_equals("vesicle-bending", g, 7, 20, &five, &three, dir);
    restart_equals("vesicle-bending", g, 7, 20, &three, &three, dir);

    /* 2. the items: names, shapes, the positions item at step 0 = the mesh */
    char ck[1200];
    snprintf(ck, sizeof ck, "%s/k.ckpt.h5", dir);
    const int64_t nv = g->domain.mesh.nv, nf = g->domain.mesh.nf;
    ok(has_shape(ck, &(item_shape){"fields/x/0", 2, {3, nv}}), "fields/x/0 is [3][nv] (components outermost)");
    ok(has_shape(ck, &(item_shape){"fields/A/0", 1, {nv}}), "fields/A/0 (one component) is [nv]");
    ok(has_shape(ck, &(item_shape){"mesh/triangles", 2, {nf, 3}}), "mesh/triangles is [nf][3]");
    {
        sim s;
        const setup four = {4, 2, "lws"};
        char zero[1200];
        snprintf(zero, sizeof zero, "%s/zero.ckpt.h5", dir);
        if (sim_start(g, &four, &s) == 0) {
            checkpoint(&s, g, 0, zero);
            sim_stop(&s);
        }
        int64_t n = 0;
        double *x = read_f64(zero, "fields/x/0", &n);
        int same = x && n == 3 * nv;
        for (int64_t v = 0; same && v < nv; v++)
            for (int c = 0; c < 3; c++) same = same && x[v + c * nv] == g->domain.mesh.x[3 * v + c];
        ok(same, "before any op, fields/x/0 holds the mesh's vertices in file order (4 partitions)");
        free(x);
    }

    /* 3. refusals: another mesh (same counts, other triangles), another field shape */
    {
        const char *set3[] = {"level=3"};
        sd_graph *g3 = load(path, set3, 1);
        sim s;
        const setup two = {2, 1, "eager"};
        if (g3 && sim_start(g3, &two, &s) == 0) {
            int rc = restore(&s, ck, err, sizeof err);
            ok(rc < 0 && strstr(err, "/state/mesh/triangles: holds") && strstr(err, "k.ckpt.h5"),
               "a level-3 mesh refuses the level-2 checkpoint, naming the file and dataset");
            diag("%s", err);
            sim_stop(&s);
        } else
            ok(0, "the level-3 graph runs");
        sd_graph_free(g3);
        /* the same counts, the triangles of a mirrored ellipsoid (every face reversed): refused */
        sd_graph *gm = load(path, set, 1);
        for (int64_t f = 0; gm && f < gm->domain.mesh.nf; f++) {
            int64_t *t = &gm->domain.mesh.tri[3 * f];
            int64_t a = t[1];
            t[1] = t[2];
            t[2] = a;
        }
        if (gm && sim_start(gm, &two, &s) == 0) {
            int rc = restore(&s, ck, err, sizeof err);
            ok(rc < 0 && strstr(err, "/state/mesh/triangles: triangle 0 is") && strstr(err, "another mesh"),
               "a mesh of the same counts with other triangles is refused");
            diag("%s", err);
            sim_stop(&s);
        } else
            ok(0, "the mirrored graph runs");
        sd_graph_free(gm);
    }
    sd_graph_free(g);

    /* 4. face fields (only owned faces are defined) and a plain descent */
    sd_graph *gf = sd_graph_parse("faces.yaml", faces_graph, err, sizeof err);
    if (!ok(gf != NULL, "the face-field graph loads")) diag("%s", err);
    else {
        const setup two = {2, 1, "eager"}, seven = {7, 2, "lws"};
        /* the vesicle's checkpoint (same mesh topology, other fields) into this graph: refused */
        sim s;
        if (sim_start(gf, &two, &s) == 0) {
            int rc = restore(&s, ck, err, sizeof err);
            ok(rc < 0 && strstr(err, "k.ckpt.h5") && strstr(err, "fields/area/0"),
               "a checkpoint without one of the graph's fields is refused, naming it");
            diag("%s", err);
            sim_stop(&s);
        } else
            ok(0, "the face-field graph runs");
        restart_equals("face fields", gf, 5, 12, &two, &seven, dir);
        restart_equals("face fields", gf, 5, 12, &seven, &one, dir);
        snprintf(ck, sizeof ck, "%s/k.ckpt.h5", dir);
        ok(has_shape(ck, &(item_shape){"fields/normal/0", 2, {3, gf->domain.mesh.nf}}), "fields/normal/0 is [3][nf]");
        sd_graph_free(gf);
    }
    return tap_done();
}
