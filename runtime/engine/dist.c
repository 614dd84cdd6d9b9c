/* dist.c - parts to ranks, handles to StarPU-MPI, tasks through StarPU-MPI (dist.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "stardag/stardag.h"
#include "dist.h"
#include "ranks.h"
#ifdef SD_HAVE_MPI
#include <starpu_mpi.h>
#endif

int sd_dist_parse(sd_dist *d, const char *text, int ranks, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    if (!text || !*text || !strcmp(text, "block")) return 0;
    if (!strcmp(text, "cyclic")) {
        d->kind = SD_DIST_CYCLIC;
        return 0;
    }
    d->kind = SD_DIST_WEIGHTS;
    const char *p = text;
    double total = 0;
    while (*p) {
        char *end;
        double w = strtod(p, &end);
        if (end == p || !(w >= 0) || w > 1e9 || (*end && *end != ':') || d->nw == SD_DIST_MAXW) {
            snprintf(err, errlen, "--distribution '%s': expected block, cyclic, or one weight per rank separated by "
                     "colons (e.g. 1:3 for two ranks, the second with three times the first's parts)", text);
            return -1;
        }
        d->w[d->nw++] = w;
        total += w;
        p = *end ? end + 1 : end;
    }
    if (d->nw != ranks || total <= 0) {
        snprintf(err, errlen, "--distribution '%s' gives %d weight%s (summing to %g) for %d rank%s: expected one per "
                 "rank, not all zero", text, d->nw, d->nw == 1 ? "" : "s", total, ranks, ranks == 1 ? "" : "s");
        return -1;
    }
    return 0;
}

int sd_dist_rank(const sd_dist *d, int part, int nparts, int ranks)
{
    if (part < 0 || ranks <= 1 || nparts <= 0) return 0;
    if (d->kind == SD_DIST_CYCLIC) return part % ranks;
    if (d->kind == SD_DIST_BLOCK) return (int)((int64_t)part * ranks / nparts);
    /* rank r takes parts [floor(n C_r / W), floor(n C_{r+1} / W)), C_r the weights before r */
    double total = 0, c = 0;
    for (int r = 0; r < d->nw; r++) total += d->w[r];
    for (int r = 0; r < d->nw; r++) {
        c += d->w[r];
        if (part < (int64_t)((double)nparts * c / total + 1e-9)) return r;
    }
    return d->nw - 1;
}

void sd_dist_state_init(sd_dist_state *s, const sd_dist *d)
{
    memset(s, 0, sizeof *s);
    if (d) s->d = *d;
    s->on = sd_ranks_on();
    s->rank = sd_ranks_rank();
    s->ranks = sd_ranks_size();
    s->next_tag = 1;
}

void sd_dist_state_free(sd_dist_state *s)
{
    free(s->owned);
    free(s->descr);
    s->descr = NULL;
    s->descr_cap = 0;
    s->owned = NULL;
    s->nowned = s->cap = 0;
}

#ifdef SD_HAVE_MPI
void sd_dist_own(sd_dist_state *s, starpu_data_handle_t h, int part, int nparts)
{
    if (!s->on) return;
    if (nparts > s->nparts) s->nparts = nparts;
    const int r = sd_dist_rank(&s->d, part, nparts, s->ranks);
    starpu_mpi_data_register(h, s->next_tag++, r);
    if (r == 0) return;
    if (s->nowned == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        starpu_data_handle_t *p = realloc(s->owned, sizeof *p * (size_t)s->cap);
        if (!p) {
            fprintf(stderr, "stardag: out of memory\n");
            sd_ranks_abort(SD_EXIT_RUNTIME);
        }
        s->owned = p;
    }
    s->owned[s->nowned++] = h;
}

void sd_dist_gather(sd_dist_state *s)
{
    if (!s->on) return;
    for (int i = 0; i < s->nowned; i++) starpu_mpi_get_data_on_node(MPI_COMM_WORLD, s->owned[i], 0);
    sd_wait_check(starpu_mpi_wait_for_all(MPI_COMM_WORLD), "gathering the parts to rank 0");
}

void sd_dist_replicated(sd_dist_state *s, starpu_data_handle_t h)
{
    if (s->on) starpu_mpi_data_register(h, s->next_tag++, STARPU_MPI_PER_NODE);
}

int sd_dist_exec_rank(const sd_dist_state *s, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode)
{
    int x = -1;
    for (int i = 0; i < n; i++) {
        if (!(mode[i] & STARPU_W) || (mode[i] & STARPU_SCRATCH)) continue;
        int r = starpu_mpi_data_get_rank(h[i]);
        if (r < 0) continue; /* per-node data: anyone may write its own copy */
        if (x >= 0 && r != x) return 0;
        x = r;
    }
    (void)s;
    return x < 0 ? 0 : x;
}

/* StarPU-MPI takes the handles as one array of descriptors: s->descr, grown as needed. Data that a
 * task writes on a rank other than its owner (a whole-field op writing every rank's tiles) is taken
 * read-write: StarPU-MPI then receives it before the task runs, and what the task does not write
 * (ghosts, a side fixed at 0 that no exchange fills) goes back to its owner as it was, not as
 * whatever this rank's fresh copy held. */
static void fill_descrs(sd_dist_state *s, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode,
                        int xrank)
{
    if (n > s->descr_cap) {
        struct starpu_data_descr *d = realloc(s->descr, sizeof *d * (size_t)n);
        if (!d) {
            fprintf(stderr, "stardag: out of memory\n");
            sd_ranks_abort(SD_EXIT_RUNTIME);
        }
        s->descr = d;
        s->descr_cap = n;
    }
    for (int i = 0; i < n; i++) {
        enum starpu_data_access_mode m = mode[i];
        if ((m & STARPU_W) && !(m & STARPU_SCRATCH)) { /* scratch data has no owner (nor an MPI record) */
            int owner = starpu_mpi_data_get_rank(h[i]);
            if (owner >= 0 && owner != xrank) m |= STARPU_R;
        }
        s->descr[i] = (struct starpu_data_descr){h[i], m};
    }
}

struct starpu_task *sd_dist_build(sd_dist_state *s, struct starpu_codelet *cl, int n, const starpu_data_handle_t *h,
                                  const enum starpu_data_access_mode *mode, int xrank)
{
    for (int i = 0; i < n; i++)
        if (!(mode[i] & STARPU_SCRATCH) && starpu_mpi_data_get_tag(h[i]) < 0) {
            fprintf(stderr, "stardag: internal error: a %s task uses data that has no owner rank (every handle a "
                    "domain registers needs sd_eng_own)\n", cl->name);
            sd_ranks_abort(SD_EXIT_RUNTIME);
        }
    fill_descrs(s, n, h, mode, xrank);
    return starpu_mpi_task_build(MPI_COMM_WORLD, cl, STARPU_DATA_MODE_ARRAY, s->descr, n, STARPU_EXECUTE_ON_NODE,
                                 xrank, 0);
}

void sd_dist_after(sd_dist_state *s, struct starpu_codelet *cl, int n, int xrank)
{
    int ret = starpu_mpi_task_post_build(MPI_COMM_WORLD, cl, STARPU_DATA_MODE_ARRAY, s->descr, n,
                                         STARPU_EXECUTE_ON_NODE, xrank, 0);
    if (ret != 0) {
        fprintf(stderr, "stardag: StarPU-MPI refused the communications after a %s task (error %d)\n", cl->name, ret);
        sd_ranks_abort(SD_EXIT_RUNTIME);
    }
}
#else
void sd_dist_own(sd_dist_state *s, starpu_data_handle_t h, int part, int nparts)
{
    (void)s, (void)h, (void)part, (void)nparts;
}
void sd_dist_gather(sd_dist_state *s) { (void)s; }
void sd_dist_replicated(sd_dist_state *s, starpu_data_handle_t h) { (void)s, (void)h; }
int sd_dist_exec_rank(const sd_dist_state *s, int n, const starpu_data_handle_t *h, const enum starpu_data_access_mode *mode)
{
    (void)s, (void)n, (void)h, (void)mode;
    return 0;
}
struct starpu_task *sd_dist_build(sd_dist_state *s, struct starpu_codelet *cl, int n, const starpu_data_handle_t *h,
                                  const enum starpu_data_access_mode *mode, int xrank)
{
    (void)s, (void)cl, (void)n, (void)h, (void)mode, (void)xrank;
    return NULL;
}
void sd_dist_after(sd_dist_state *s, struct starpu_codelet *cl, int n, int xrank)
{
    (void)s, (void)cl, (void)n, (void)xrank;
}
#endif
