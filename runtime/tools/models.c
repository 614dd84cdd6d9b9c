/* models.c - see models.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <starpu.h>
#include "models.h"
#include "engine.h" /* sd_work_size_value */

int sd_models_add(sd_models *t, const sd_model_entry *e)
{
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 64;
        sd_model_entry *p = realloc(t->v, nc * sizeof *p);
        if (!p) return -1;
        t->v = p;
        t->cap = nc;
    }
    t->v[t->n++] = *e;
    return 0;
}

const sd_model_entry *sd_models_find(const sd_models *t, int sym, const char *arch, uint32_t fp)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].sym == sym && t->v[i].footprint == fp && !strcmp(t->v[i].arch, arch)) return &t->v[i];
    return NULL;
}

int sd_models_has_sym(const sd_models *t, int sym)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].sym == sym) return 1;
    return 0;
}

void sd_models_free(sd_models *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

static void arch_name(const struct starpu_perfmodel_arch *a, unsigned impl, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = 0;
    for (int d = 0; d < a->ndevices && k < len; d++) {
        const struct starpu_perfmodel_device *dv = &a->devices[d];
        const char *nm = starpu_perfmodel_get_archtype_name(dv->type);
        if (dv->type == STARPU_CPU_WORKER) k += snprintf(buf + k, len - k, "%s%s", d ? "+" : "", nm);
        else k += snprintf(buf + k, len - k, "%s%s%d", d ? "+" : "", nm, dv->devid);
        if (dv->ncores > 1 && k < len) k += snprintf(buf + k, len - k, "x%d", dv->ncores);
    }
    if (impl && k < len) snprintf(buf + k, len - k, " impl %u", impl);
}

/* The model file of sym: StarPU's path on this machine, or the same file under another machine's
 * sampling folder. (StarPU 1.3 adds no host name to symbols with a dot, as all of ours have.)
 * StarPU's paths have "//" in them: squeezed. */
static void model_path(const char *sym, const sd_models_source *src, char *path, size_t len)
{
    char here[1024];
    starpu_perfmodel_get_model_path(sym, here, sizeof here);
    for (char *p = here, *q = here;; q++) {
        if (!(*q == '/' && q > here && q[-1] == '/')) *p++ = *q;
        if (!*q) break;
    }
    const char *cod = strstr(here, "/codelets/");
    if (!src || !src->dir || !cod) {
        snprintf(path, len, "%s", here);
        return;
    }
    char probe[1100];
    struct stat st;
    int k = snprintf(probe, sizeof probe, "%s/.starpu/sampling", src->dir);
    const char *base = k > 0 && k < (int)sizeof probe && stat(probe, &st) == 0 ? probe : src->dir;
    if (snprintf(path, len, "%s%s", base, cod) >= (int)len) path[0] = 0; /* too long: no file */
}

int sd_models_read(const char *const *syms, int nsyms, const sd_models_source *src, sd_models *t,
                   char (*paths)[1024], const char *prefix)
{
    t->n = 0;
    for (int s = 0; s < nsyms; s++) {
        char path[1024];
        model_path(syms[s], src, path, sizeof path);
        if (paths) snprintf(paths[s], sizeof paths[s], "%s", path);
        if (access(path, R_OK) != 0) continue;
        struct starpu_perfmodel m;
        memset(&m, 0, sizeof m);
        m.type = STARPU_HISTORY_BASED;
        if (starpu_perfmodel_load_file(path, &m) != 0) {
            fprintf(stderr, "%s: %s: cannot read the performance model\n", prefix, path);
            continue;
        }
        int ncombs = starpu_perfmodel_get_narch_combs();
        for (int comb = 0; comb < ncombs; comb++) {
            struct starpu_perfmodel_arch *arch = starpu_perfmodel_arch_comb_fetch(comb);
            if (!arch) continue;
            for (unsigned impl = 0; impl < STARPU_MAXIMPLEMENTATIONS; impl++) {
                struct starpu_perfmodel_per_arch *pa = starpu_perfmodel_get_model_per_arch(&m, arch, impl);
                if (!pa) break;
                for (struct starpu_perfmodel_history_list *l = pa->list; l; l = l->next) {
                    const struct starpu_perfmodel_history_entry *h = l->entry;
                    if (!h) continue;
                    sd_model_entry e = {.sym = s, .footprint = h->footprint, .size = h->size, .mean = h->mean,
                                        .sum = h->sum, .n = h->nsample};
                    double var = h->nsample ? h->sum2 / h->nsample - (h->sum / h->nsample) * (h->sum / h->nsample) : 0;
                    e.stddev = var > 0 ? sqrt(var) : 0;
                    arch_name(arch, impl, e.arch, sizeof e.arch);
                    if (sd_models_add(t, &e) < 0) {
                        starpu_perfmodel_unload_model(&m);
                        fprintf(stderr, "%s: out of memory\n", prefix);
                        return -1;
                    }
                }
            }
        }
        starpu_perfmodel_unload_model(&m);
    }
    return 0;
}

/* The mean of the entries of one size (weighted by their samples): a kind with a work key has an
 * entry per kind of work at one buffer size (engine.h, sd_eng_kind_work), and a size seen through
 * any of them stands for all. */
static double mean_at(const sd_models *t, int sym, const char *arch, size_t size)
{
    double sum = 0, n = 0;
    for (int i = 0; i < t->n; i++) {
        const sd_model_entry *e = &t->v[i];
        if (e->sym != sym || e->n == 0 || e->size != size || strcmp(e->arch, arch)) continue;
        sum += e->mean * e->n;
        n += e->n;
    }
    return sum / n;
}

static double size_value(size_t s) { return (double)sd_work_size_value(s); }

/* The least ratio of two sizes a power law is fitted to (below it: scaled from the nearest size). */
#define SD_EXTRAPOLATE_SPAN 1.5

double sd_models_expect(const sd_models *t, int sym, const char *arch, uint32_t fp, size_t size, int *how)
{
    const sd_model_entry *hit = sd_models_find(t, sym, arch, fp);
    if (hit && hit->n > 0) {
        *how = SD_EXPECT_MEASURED;
        return hit->mean;
    }
    /* the nearest sizes below and above (and the next beyond each, for a power law), among the
     * entries sized as this task is (works, or bytes) */
    const size_t unit = size & SD_WORK_SIZE;
    const sd_model_entry *lo = NULL, *lo2 = NULL, *hi = NULL, *hi2 = NULL;
    for (int i = 0; i < t->n; i++) {
        const sd_model_entry *e = &t->v[i];
        if (e->sym != sym || e->n == 0 || strcmp(e->arch, arch) || (e->size & SD_WORK_SIZE) != unit) continue;
        if (e->size <= size) {
            if (!lo || e->size > lo->size) lo2 = lo, lo = e;
            else if (e->size < lo->size && (!lo2 || e->size > lo2->size)) lo2 = e;
        } else {
            if (!hi || e->size < hi->size) hi2 = hi, hi = e;
            else if (e->size > hi->size && (!hi2 || e->size < hi2->size)) hi2 = e;
        }
    }
    if (!lo && !hi) {
        *how = SD_EXPECT_NONE;
        return NAN;
    }
    if (lo && hi) {
        *how = SD_EXPECT_INTERPOLATED;
        const double mlo = mean_at(t, sym, arch, lo->size);
        if (hi->size == lo->size) return mlo;
        double f = (size_value(size) - size_value(lo->size)) / (size_value(hi->size) - size_value(lo->size));
        return mlo + f * (mean_at(t, sym, arch, hi->size) - mlo);
    }
    const sd_model_entry *a = lo ? lo : hi, *b = lo ? lo2 : hi2;
    const double ma = mean_at(t, sym, arch, a->size);
    /* a power law needs sizes far enough apart: from two nearly equal ones (a mesh's partitions
     * differ by a few ghost vertices) the exponent is their times' noise, and clamped it said
     * "no dependence on size" (8 partitions predicted at 3.2x their measurement) */
    if (b && size_value(b->size) > 0 && size_value(a->size) / size_value(b->size) < SD_EXTRAPOLATE_SPAN &&
        size_value(b->size) / size_value(a->size) < SD_EXTRAPOLATE_SPAN)
        b = NULL;
    if (!b || b->size == a->size || size_value(a->size) == 0) {
        *how = SD_EXPECT_SCALED;
        return size_value(a->size) > 0 ? ma * size_value(size) / size_value(a->size) : ma;
    }
    *how = SD_EXPECT_EXTRAPOLATED;
    double p = log(ma / mean_at(t, sym, arch, b->size)) / log(size_value(a->size) / size_value(b->size));
    if (!isfinite(p) || p < 0) p = 0;
    if (p > 2) p = 2;
    return ma * pow(size_value(size) / size_value(a->size), p);
}

const char *sd_expect_name(int how)
{
    static const char *const names[] = {"no model", "measured", "interpolated", "extrapolated", "scaled"};
    return how >= 0 && how <= SD_EXPECT_SCALED ? names[how] : "?";
}

int sd_starpu_init_uncalibrated(struct starpu_conf *conf)
{
    char *cal = getenv("STARPU_CALIBRATE") ? strdup(getenv("STARPU_CALIBRATE")) : NULL;
    unsetenv("STARPU_CALIBRATE");
    int ret = starpu_init(conf);
    if (cal) setenv("STARPU_CALIBRATE", cal, 1);
    free(cal);
    return ret;
}
