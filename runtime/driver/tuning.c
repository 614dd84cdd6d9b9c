/* tuning.c - see tuning.h. A tuning file is a few "key: value" lines and a last line holding a
 * hash of the lines before it, so a truncated or edited file is recognised and ignored. */
#include <dirent.h>
#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <starpu.h>
#include "ckpt.h"
#include "durable.h"
#include "probe.h"
#include "run_files.h"
#include "starpu_home.h"
#include "simd/isa.h"
#include "tuning.h"

int sd_graph_parts_auto(const sd_graph *g)
{
    switch (g->domain.kind) {
    case SD_DOMAIN_PARTICLES: return g->domain.particles.nblocks == 0;
    case SD_DOMAIN_MESH: return g->domain.mesh.nparts == 0;
    case SD_DOMAIN_BATCH: return g->domain.batch.ntiles == 0;
    default: return g->run.tiles_auto;
    }
}

void sd_machine_key(int ncpu, int ncuda, char *key, size_t len)
{
    /* the workers a run with these requests gets: STARPU_NCPU when none, the GPUs present */
    const char *env_cpu = getenv("STARPU_NCPU");
    if (ncpu < 0 && env_cpu && *env_cpu) ncpu = atoi(env_cpu);
    int ndev = sd_probe_cuda_devices();
    ncuda = ncuda >= 0 && ncuda < ndev ? ncuda : ndev;
    char model[128] = "unknown";
    unsigned long long l2 = 0, l3 = 0;
    int cores = 0, pus = 0;
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) == 0) {
        if (hwloc_topology_load(topo) == 0) {
            cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
            pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
            hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
            const char *m = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
            if (m) snprintf(model, sizeof model, "%s", m);
            hwloc_obj_t c2 = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L2CACHE, 0);
            hwloc_obj_t c3 = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L3CACHE, 0);
            if (c2 && c2->attr) l2 = c2->attr->cache.size;
            if (c3 && c3->attr) l3 = c3->attr->cache.size;
        }
        hwloc_topology_destroy(topo);
    }
    char workers[32];
    if (ncpu >= 0) snprintf(workers, sizeof workers, "%d", ncpu);
    else snprintf(workers, sizeof workers, "default");
    snprintf(key, len, "cpu %s; %d cores, %d PUs; L2 %llu KiB, L3 %llu KiB; isa %s; StarPU %d.%d.%d; ncpu %s; ncuda %d",
             model, cores, pus, l2 >> 10, l3 >> 10, sd_isa_name(sd_isa_current()), STARPU_MAJOR_VERSION,
             STARPU_MINOR_VERSION, STARPU_RELEASE_VERSION, workers, ncuda);
}

/* The checkpoint layout hash (domain kind and size, fields, ops and bindings), and for particles
 * what sets their cell layers (box, cutoff, skin: the blocks a run may have) and the precision. */
static uint64_t structure_hash(const sd_graph *g)
{
    uint64_t h = sd_graph_layout_hash(g);
    if (g->domain.kind == SD_DOMAIN_PARTICLES) {
        const sd_particles *P = &g->domain.particles;
        double v[5] = {P->box[0], P->box[1], P->box[2], P->cutoff, P->skin};
        h = sd_ckpt_hash_more(h, v, sizeof v);
        h = sd_ckpt_hash_more(h, &P->mixed, sizeof P->mixed);
    }
    return h;
}

void sd_tuning_path(const sd_graph *g, const char *key, char *path, size_t len)
{
    char dir[2048];
    sd_sampling_dir(dir, sizeof dir);
    uint64_t mk = sd_ckpt_hash_more(SD_CKPT_HASH_INIT, key, strlen(key));
    snprintf(path, len, "%s/stardag-tune/%016llx-%016llx.tune", dir, (unsigned long long)structure_hash(g),
             (unsigned long long)mk);
}

/* Is any tuning of g's structure stored (for whatever machine)? */
static int stored_for(const sd_graph *g)
{
    char dir[2048], prefix[24];
    sd_sampling_dir(dir, sizeof dir);
    strncat(dir, "/stardag-tune", sizeof dir - strlen(dir) - 1);
    snprintf(prefix, sizeof prefix, "%016llx-", (unsigned long long)structure_hash(g));
    DIR *d = opendir(dir);
    if (!d) return 0;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) found = !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(d);
    return found;
}

const char *sd_arch_name(sd_arch a) { return a == SD_ARCH_CPU ? "cpu" : a == SD_ARCH_CUDA ? "cuda" : "any"; }

static void body(char *buf, size_t len, const sd_graph *g, const char *key, const sd_tuning *t)
{
    snprintf(buf, len,
             "# stardag tune: the fastest configuration measured for this graph structure on this machine\n"
             "graph: %016llx %s\nmachine: %s\nparts: %lld %lld %lld\nsched: %s\nmax_inflight: %d\narch: %s\n"
             "fuse: %d\nstep_ms: %.6g\ntuned_at: %s\n",
             (unsigned long long)structure_hash(g), g->name, key, (long long)t->parts[0], (long long)t->parts[1],
             (long long)t->parts[2], t->sched, t->max_inflight, sd_arch_name(t->arch), t->fuse > 1 ? t->fuse : 1,
             t->step_ms, t->tuned_at);
}

int sd_tuning_store(const char *path, const sd_graph *g, const char *key, const sd_tuning *t, char *err,
                    size_t errlen)
{
    char dir[2048], tmp[2100], text[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    if (sd_make_dirs(dir) < 0) { /* the sampling folder may not exist yet */
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    body(text, sizeof text, g, key, t);
    uint64_t h = sd_ckpt_hash_more(SD_CKPT_HASH_INIT, text, strlen(text));
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    int bad = fprintf(f, "%scheck: %016llx\n", text, (unsigned long long)h) < 0;
    bad |= fflush(f) != 0 || sd_fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int sd_tuning_load(const char *path, const sd_graph *g, const char *key, sd_tuning *t, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    memset(t, 0, sizeof t[0]);
    char *check = strstr(text, "\ncheck: ");
    unsigned long long want = 0;
    if (!check || sscanf(check + 8, "%16llx", &want) != 1) {
        snprintf(err, errlen, "%s: not a complete tuning file (no check line)", path);
        return -1;
    }
    check[1] = 0;
    if (sd_ckpt_hash_more(SD_CKPT_HASH_INIT, text, strlen(text)) != want) {
        snprintf(err, errlen, "%s: its check line does not match its contents (edited or damaged)", path);
        return -1;
    }
    const char *p;
    long long a, b, c;
    int ok = (p = strstr(text, "\nparts: ")) && sscanf(p + 8, "%lld %lld %lld", &a, &b, &c) == 3;
    ok = ok && (p = strstr(text, "\nsched: ")) && sscanf(p + 8, "%31s", t->sched) == 1;
    ok = ok && (p = strstr(text, "\nmax_inflight: ")) && sscanf(p + 15, "%d", &t->max_inflight) == 1;
    char arch[16] = "";
    ok = ok && (p = strstr(text, "\narch: ")) && sscanf(p + 7, "%15s", arch) == 1;
    t->arch = !strcmp(arch, "cpu") ? SD_ARCH_CPU : !strcmp(arch, "cuda") ? SD_ARCH_CUDA : SD_ARCH_ANY;
    ok = ok && (!strcmp(arch, "any") || t->arch != SD_ARCH_ANY);
    /* fuse: absent from tunings stored before fused steps were tuned (none then) */
    t->fuse = 1;
    ok = ok && (!(p = strstr(text, "\nfuse: ")) || (sscanf(p + 7, "%d", &t->fuse) == 1 && t->fuse >= 1 && t->fuse <= SD_MAX_FUSE));
    ok = ok && (p = strstr(text, "\nstep_ms: ")) && sscanf(p + 10, "%lf", &t->step_ms) == 1;
    ok = ok && (p = strstr(text, "\ntuned_at: ")) && sscanf(p + 11, "%31s", t->tuned_at) == 1;
    if (!ok || a < 0 || b < 0 || c < 0 || t->max_inflight < 1) {
        snprintf(err, errlen, "%s: a line is missing or malformed (parts, sched, max_inflight, arch, fuse, step_ms, tuned_at)",
                 path);
        return -1;
    }
    t->parts[0] = a, t->parts[1] = b, t->parts[2] = c;
    /* the name says structure and machine; the contents must agree (a file copied by hand). The
     * graph's name is information only: graphs of one structure share a tuning */
    char want_graph[32], want_machine[600];
    snprintf(want_graph, sizeof want_graph, "\ngraph: %016llx ", (unsigned long long)structure_hash(g));
    snprintf(want_machine, sizeof want_machine, "\nmachine: %s\n", key);
    if (!strstr(text, want_graph) || !strstr(text, want_machine)) {
        snprintf(err, errlen, "%s: it was made for another graph structure or machine", path);
        return -1;
    }
    return 1;
}

/* The stored tuning for this machine into o (its scheduler's name in sched), for a run whose parts
 * are automatic: its parts, and its scheduler, max_inflight and fused steps unless --sched,
 * STARPU_SCHED, --max-inflight, run.max_inflight, --fuse or run.fuse chose them. A run that chose its devices (--arch, --ncuda)
 * takes only a tuning made for every device. 1 with a summary line saying what it took in note;
 * 0 when there is none; -1 with a warning in note when the stored one is damaged (ignored). */
static int apply(const sd_graph *g, sd_run_opts *o, char sched[32], char *note, size_t len)
{
    if (!stored_for(g)) return 0; /* most runs: no hwloc topology, no CUDA probe for the machine key */
    char key[512], path[2300], err[2600];
    sd_machine_key(o->ncpu, o->arch == SD_ARCH_CPU ? 0 : o->ncuda, key, sizeof key);
    sd_tuning_path(g, key, path, sizeof path);
    sd_tuning t;
    int st = sd_tuning_load(path, g, key, &t, err, sizeof err);
    if (st < 0) {
        snprintf(note, len, "warning: stored tuning ignored: %s (`stardag tune --retune` makes a new one)", err);
        return -1;
    }
    if (st == 0) return 0;
    /* parts tuned for some devices are not for others: a run that chose its devices takes a
     * tuning only when it was for every device (hybrid) */
    const int devices_chosen = o->arch != SD_ARCH_ANY || o->ncuda >= 0;
    if (devices_chosen && t.arch != SD_ARCH_ANY) return 0;
    memcpy(o->tile, t.parts, sizeof o->tile);
    const char *env_sched = getenv("STARPU_SCHED");
    char took[96] = "parts";
    if (!(o->sched && *o->sched) && !(env_sched && *env_sched)) {
        snprintf(sched, 32, "%s", t.sched);
        o->sched = sched;
        strcat(took, ", scheduler");
    }
    if (o->max_inflight <= 0 && g->run.max_inflight <= 0) {
        o->max_inflight = t.max_inflight;
        strcat(took, ", max_inflight");
    }
    if (!devices_chosen && t.arch != SD_ARCH_ANY) {
        o->arch = t.arch;
        strcat(took, t.arch == SD_ARCH_CPU ? ", CPUs only" : ", GPUs only");
    }
    char why[256]; /* fused tasks run on CPUs; a graph of the same structure may have other boundaries */
    if (t.fuse > 1 && o->fuse <= 0 && g->run.fuse == 0 && o->arch != SD_ARCH_CUDA && !sd_graph_fuse_refused(g, why, sizeof why)) {
        o->fuse = t.fuse;
        snprintf(took + strlen(took), sizeof took - strlen(took), ", fused steps (%d)", t.fuse);
    }
    snprintf(note, len, "%s tuned by stardag tune on %s (%.3f ms/step measured then): %s", took, t.tuned_at, t.step_ms,
             path);
    return 1;
}

int sd_tuning_for_run(const sd_graph *g, sd_run_opts *o, char sched[32], char *note, size_t len)
{
    note[0] = 0;
    if (o->no_tuning || o->tile[0] > 0 || !sd_graph_parts_auto(g)) return 0;
    char hn[1400], he[1400];
    int h = sd_starpu_home_ensure(hn, sizeof hn, he, sizeof he); /* the tunings are beside the models */
    if (h > 0) fprintf(stderr, "stardag: %s\n", hn);
    if (h < 0) return 0; /* the run reports it */
    int tuned = apply(g, o, sched, note, len);
    if (tuned < 0) sd_run_say_error(o, "%s: %s", g->path, note);
    return tuned;
}
