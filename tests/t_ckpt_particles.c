/* t_ckpt_particles.c - the particle class's checkpoint hooks (runtime/dm/particles_ckpt.c) driven
 * directly, without the run loop: an uninterrupted run of graph G to step M with a checkpoint at K
 * taken on the way (through the class's submit_checkpoint and the engine's scalar snapshot, written
 * with io/ckpt.h's writer) and one at M; then a second StarPU session with another block count,
 * worker count and scheduler that restores the checkpoint of K (restore in place of the init ops,
 * scalars back) and runs to M. Its checkpoint at M must equal the uninterrupted run's item by item,
 * bitwise: every field of every particle, the positions of the last neighbour-list build, the
 * expansion's state and counters, the graph's scalars. K at and between rebuild steps, with the
 * fixed-period policy (lj-liquid, neighbor every 20, check false) and the displacement check
 * (argon-nvt: every 1, check true, Berendsen thermostat), K = 0 (right after the init ops), and
 * ghost positions still current at K and refreshed since the last build (tests/graphs/md-ckpt-ghosts.yaml).
 * Refusals: a checkpoint of another particle count, and a state item with impossible values. */
#include <errno.h>
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

static char tmpdir[512];

typedef struct run {
    sd_engine *e;
    sd_dm *dm;
    const sd_graph *g;
    char err[1024];
    int failed;
} run;

/* Completed records: checkpoint parts into ck (when given), the rest dropped; a task's error fails. */
static void drain(run *r, sd_ckpt_out *ck)
{
    sd_record *rec;
    while ((rec = sd_engine_pop_complete(r->e))) {
        if (rec->error) {
            snprintf(r->err, sizeof r->err, "%s", rec->error);
            r->failed = 1;
        } else if (rec->ckpt && ck && !r->failed &&
                   sd_ckpt_write(ck, rec->ckpt->name, rec->ckpt->type, rec->ckpt->ndim, rec->ckpt->dims, rec->data,
                                 rec->bytes, r->err, sizeof r->err) < 0)
            r->failed = 1;
        sd_record_free(rec);
    }
}

static int start(run *r, const sd_graph *g, int nblocks, int ncpu, const char *sched)
{
    memset(r, 0, sizeof *r);
    r->g = g;
    struct starpu_conf conf;
    starpu_conf_init(&conf);
    conf.ncpus = ncpu;
    conf.ncuda = 0;
    conf.nopencl = 0;
    conf.sched_policy_name = sched;
    if (starpu_init(&conf) != 0) {
        snprintf(r->err, sizeof r->err, "StarPU failed to start");
        return -1;
    }
    sd_engine_opts eo = {0};
    sd_dm_opts o = {.parts = {nblocks}, .ncpu = ncpu};
    if (!(r->e = sd_engine_create(g, &eo, r->err, sizeof r->err)) || !(r->dm = sd_dm_create(g, r->e, &o, r->err, sizeof r->err)))
        return -1;
    return 0;
}

static void stop(run *r)
{
    if (r->e) starpu_task_wait_for_all();
    if (r->dm) sd_dm_release(r->dm);
    if (r->e) sd_engine_release(r->e);
    sd_dm_destroy(r->dm);
    starpu_shutdown();
    if (r->e) sd_engine_free(r->e);
    r->e = NULL;
    r->dm = NULL;
}

static void steps(run *r, int64_t from, int64_t to)
{
    for (int64_t s = from; s <= to && !r->failed; s++) {
        r->dm->cls->submit_step(r->dm, s);
        sd_engine_seal(r->e);
        starpu_task_wait_for_n_submitted(64);
        drain(r, NULL);
    }
    starpu_task_wait_for_all();
    drain(r, NULL);
}

/* The checkpoint of step K (all earlier records drained) into path. */
static int checkpoint(run *r, int64_t K, const char *path)
{
    starpu_task_wait_for_all();
    drain(r, NULL);
    if (r->failed) return -1;
    sd_ckpt_out *ck = sd_ckpt_create(path, r->err, sizeof r->err);
    if (!ck) return -1;
    r->dm->cls->submit_checkpoint(r->dm, K);
    sd_eng_checkpoint_scalars(r->e, K);
    sd_engine_seal(r->e);
    starpu_task_wait_for_all();
    drain(r, ck);
    if (r->failed) {
        sd_ckpt_abort(ck);
        return -1;
    }
    sd_ckpt_meta m = {.format = SD_CKPT_FORMAT, .step = K, .time = (double)K * r->g->run.dt};
    snprintf(m.version, sizeof m.version, "test");
    return sd_ckpt_commit(ck, &m, "test", 1, r->err, sizeof r->err);
}

/* Restore from path in place of the init ops. */
static int restore(run *r, const char *path)
{
    sd_ckpt_in *in = sd_ckpt_open(path, r->err, sizeof r->err);
    if (!in) return -1;
    int rc = r->dm->cls->restore(r->dm, in, r->err, sizeof r->err);
    const int n = r->g->nscalars;
    double *v = malloc(sizeof *v * (size_t)(n ? n : 1));
    if (!rc && n && (!v || sd_ckpt_read_item(in, "scalars", v, sizeof *v * (size_t)n, r->err, sizeof r->err) < 0 ||
                     sd_eng_restore_scalars(r->e, v, n, r->err, sizeof r->err) < 0))
        rc = -1;
    free(v);
    sd_ckpt_close(in);
    return rc;
}

/* Every item of a equal to b's, bitwise (and the same items). */
typedef struct cmp {
    sd_ckpt_in *a, *b;
    int n, same;
} cmp;
static int cmp_item(const char *name, int type, int ndim, const int64_t dims[4], void *u)
{
    cmp *c = u;
    char err[512];
    size_t bytes = sd_ckpt_type_size(type);
    for (int d = 0; d < ndim; d++) bytes *= (size_t)dims[d];
    int tb, nb;
    int64_t db[4];
    void *x = malloc(bytes ? bytes : 1), *y = malloc(bytes ? bytes : 1);
    int same = x && y && sd_ckpt_item_info(c->b, name, &tb, &nb, db, err, sizeof err) == 0 && tb == type && nb == ndim &&
               sd_ckpt_read_item(c->a, name, x, bytes, err, sizeof err) == 0 &&
               sd_ckpt_read_item(c->b, name, y, bytes, err, sizeof err) == 0 && !memcmp(x, y, bytes);
    if (!same) diag("item %s differs", name);
    c->n++;
    c->same &= same;
    free(x);
    free(y);
    return 0;
}
static int same_state(const char *pa, const char *pb, int *nitems)
{
    char err[512];
    cmp c = {sd_ckpt_open(pa, err, sizeof err), sd_ckpt_open(pb, err, sizeof err), 0, 1};
    int ok = c.a && c.b && sd_ckpt_list_items(c.a, cmp_item, &c, err, sizeof err) == 0 && c.same;
    cmp back = {c.b, c.a, 0, 1}; /* and nothing more in b */
    ok = ok && sd_ckpt_list_items(c.b, cmp_item, &back, err, sizeof err) == 0 && back.n == c.n;
    if (c.a) sd_ckpt_close(c.a);
    if (c.b) sd_ckpt_close(c.b);
    *nitems = c.n;
    return ok;
}

/* One case: graph (with sets) run to M uninterrupted on blocks1/ncpu1/sched1 with checkpoints at K
 * and M; restarted from K on blocks2/ncpu2/sched2 to M; checkpoints at M equal. */
typedef struct scase {
    const char *label, *graph;
    const char *set[4];
    int nset;
    int64_t K, M;
    int blocks1, ncpu1, blocks2, ncpu2;
    const char *sched1, *sched2;
} scase;

static void one_case(const scase *c)
{
    char gp[1024], err[1024], pk[700], pa[700], pb[700];
    const char *top = getenv("top_srcdir");
    snprintf(gp, sizeof gp, "%s/%s", top ? top : "..", c->graph);
    sd_graph *g = sd_graph_load_ex(gp, c->set, c->nset, err, sizeof err);
    if (!ok(g != NULL, "%s: graph loads%s%s", c->label, g ? "" : ": ", g ? "" : err)) return;
    snprintf(pk, sizeof pk, "%s/%s-K.ckpt", tmpdir, c->label);
    snprintf(pa, sizeof pa, "%s/%s-A.ckpt", tmpdir, c->label);
    snprintf(pb, sizeof pb, "%s/%s-B.ckpt", tmpdir, c->label);
    run r;
    int good = start(&r, g, c->blocks1, c->ncpu1, c->sched1) == 0;
    if (good) {
        r.dm->cls->submit_init(r.dm);
        sd_engine_seal(r.e);
        steps(&r, 1, c->K);
        good = !r.failed && checkpoint(&r, c->K, pk) == 0;
        if (good) steps(&r, c->K + 1, c->M);
        good = good && !r.failed && checkpoint(&r, c->M, pa) == 0;
    }
    ok(good, "%s: uninterrupted run to step %lld (%d blocks, %d CPUs, %s), checkpoints at %lld and %lld%s%s", c->label,
       (long long)c->M, c->blocks1, c->ncpu1, c->sched1, (long long)c->K, (long long)c->M, good ? "" : ": ", good ? "" : r.err);
    stop(&r);
    good = good && start(&r, g, c->blocks2, c->ncpu2, c->sched2) == 0 && restore(&r, pk) == 0;
    if (good) {
        sd_engine_seal(r.e);
        steps(&r, c->K + 1, c->M);
        good = !r.failed && checkpoint(&r, c->M, pb) == 0;
    }
    ok(good, "%s: restarted from step %lld on %d blocks, %d CPUs, %s, run to %lld%s%s", c->label, (long long)c->K, c->blocks2,
       c->ncpu2, c->sched2, (long long)c->M, good ? "" : ": ", good ? "" : r.err);
    stop(&r);
    int n = 0, same = good && same_state(pa, pb, &n);
    ok(same && n >= 6, "%s: the restarted run's state at step %lld == the uninterrupted run's, "
       "bitwise (%d items: fields, x0, state, scalars)", c->label, (long long)c->M, n);
    sd_graph_free(g);
}

/* Copy of checkpoint src with particles/state replaced by st (for a refusal). */
typedef struct copy {
    sd_ckpt_in *in;
    sd_ckpt_out *out;
    const int64_t *st;
    int bad;
} copy;
static int copy_item(const char *name, int type, int ndim, const int64_t dims[4], void *u)
{
    copy *c = u;
    char err[512];
    size_t bytes = sd_ckpt_type_size(type);
    for (int d = 0; d < ndim; d++) bytes *= (size_t)dims[d];
    void *x = malloc(bytes ? bytes : 1);
    if (!x || sd_ckpt_read_item(c->in, name, x, bytes, err, sizeof err) < 0) c->bad = 1;
    else {
        if (!strcmp(name, "particles/state")) memcpy(x, c->st, bytes);
        if (sd_ckpt_write(c->out, name, type, ndim, dims, x, bytes, err, sizeof err) < 0) c->bad = 1;
    }
    free(x);
    return 0;
}

/* Restores that must fail: another particle count, impossible state values. */
static void refusals(void)
{
    char gp[1024], err[1024], pk[700], pbad[700];
    const char *top = getenv("top_srcdir");
    snprintf(gp, sizeof gp, "%s/graphs/md/lj-liquid.yaml", top ? top : "..");
    snprintf(pk, sizeof pk, "%s/lj-k30-K.ckpt", tmpdir);
    const char *set5[] = {"cells=5"};
    sd_graph *g5 = sd_graph_load_ex(gp, set5, 1, err, sizeof err);
    run r = {0};
    int refused = g5 && start(&r, g5, 0, 1, "eager") == 0 && restore(&r, pk) < 0;
    ok(refused && strstr(r.err, pk) && strstr(r.err, "/state/fields/x/0: expected f64[3][500]"),
       "a checkpoint of 864 particles is refused by a 500-particle graph, naming the file and dataset: %s", r.err);
    stop(&r);
    sd_graph_free(g5);
    /* state: a ghost refresh claimed before any build */
    const int64_t st[5] = {0, 0, 1, 0, 0};
    snprintf(pbad, sizeof pbad, "%s/bad-state.ckpt", tmpdir);
    copy c = {sd_ckpt_open(pk, err, sizeof err), sd_ckpt_create(pbad, err, sizeof err), st, 0};
    int made = c.in && c.out && sd_ckpt_list_items(c.in, copy_item, &c, err, sizeof err) == 0 && !c.bad;
    sd_ckpt_meta m = {.format = SD_CKPT_FORMAT, .step = 30};
    made = made && sd_ckpt_commit(c.out, &m, "test", 1, err, sizeof err) == 0;
    if (c.in) sd_ckpt_close(c.in);
    const char *set6[] = {"cells=6"};
    sd_graph *g6 = sd_graph_load_ex(gp, set6, 1, err, sizeof err);
    refused = made && g6 && start(&r, g6, 0, 1, "eager") == 0 && restore(&r, pbad) < 0;
    ok(refused && strstr(r.err, "/state/particles/state: values that no run at step 30 has"),
       "impossible expansion state (ghosts current before any build) is refused: %s", r.err);
    stop(&r);
    sd_graph_free(g6);
}

int main(void)
{
    const char *t = getenv("SD_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/ckpart.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) { printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno)); return 99; }
    sd_register_builtin_codelets();
    /* lj-liquid: rebuilds at 0 (init) and 20, 40, 60 (every 20, no check) */
    static const scase cases[] = {
        {"lj-k30", "graphs/md/lj-liquid.yaml", {"cells=6"}, 1, 30, 70, 1, 1, 3, 2, "eager", "lws"},
        {"lj-k40", "graphs/md/lj-liquid.yaml", {"cells=6"}, 1, 40, 70, 3, 2, 1, 1, "lws", "random"},
        {"lj-k0", "graphs/md/lj-liquid.yaml", {"cells=6"}, 1, 0, 30, 2, 2, 3, 1, "lws", "eager"},
        {"argon-k37", "graphs/md/argon-nvt.yaml", {"cells=5"}, 1, 37, 90, 1, 1, 2, 2, "eager", "ws"},
        {"argon-k60", "graphs/md/argon-nvt.yaml", {"cells=5"}, 1, 60, 90, 2, 2, 1, 1, "lws", "eager"},
        /* ghost positions current across the checkpoint (K odd: no drift at K), refreshed since the build (7) */
        {"ghosts-k7", "tests/graphs/md-ckpt-ghosts.yaml", {"cells=6"}, 1, 7, 30, 1, 1, 3, 2, "eager", "lws"},
        {"ghosts-k14", "tests/graphs/md-ckpt-ghosts.yaml", {"cells=6"}, 1, 14, 30, 2, 2, 1, 1, "lws", "eager"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) one_case(&cases[i]);
    refusals();

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) diag("could not remove %s", tmpdir);
    return tap_done();
}
