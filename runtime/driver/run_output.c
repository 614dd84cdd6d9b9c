/* run_output.c - the run file's set-up (io/h5out.c): its metadata, the domain's layout, the
 * declared fields and scalars, and the tables the graph read; on a restart, the file continued
 * at the checkpoint's step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <starpu.h>
#include "config.h"
#include "run_state.h"

/* The graph's tables into the run file (/tables): the numbers the run read are part of its record. */
static int write_tables(run_state *s)
{
    const sd_graph *g = s->g;
    sd_h5table t[64], *tp = g->ntables <= 64 ? t : calloc(g->ntables, sizeof *tp);
    char err[1024];
    if (!tp) {
        sd_run_say_error(s->o, "%s: out of memory recording the tables", s->out_path);
        return -1;
    }
    for (int i = 0; i < g->ntables; i++)
        tp[i] = (sd_h5table){g->tables[i].name, g->tables[i].file, g->tables[i].dataset, g->tables[i].rows, g->tables[i].cols,
                             g->tables[i].data};
    int rc = sd_h5out_write_tables(s->out, g->ntables, tp, err, sizeof err);
    if (tp != t) free(tp);
    if (rc < 0) sd_run_say_error(s->o, "%s", err);
    return rc;
}

int sd_run_setup_output(run_state *s, const char *path, const char *sched, int ncpu)
{
    const sd_graph *g = s->g;
    const char *fnames[16], *snames[32];
    int dtypes[16], ncomp[16];
    for (int i = 0; i < g->output.nfields; i++) {
        const sd_gfield *f = &g->fields[g->output.field[i]];
        fnames[i] = f->name;
        dtypes[i] = f->dtype;
        ncomp[i] = f->ncomp;
    }
    for (int i = 0; i < g->output.nscalars; i++) snames[i] = g->scalars[g->output.scalar[i]].name;
    char host[256] = "", start[64] = "", sv[64], err[1024];
    gethostname(host, sizeof host - 1);
    time_t tt = time(NULL);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    int maj, min, rev;
    starpu_get_version(&maj, &min, &rev);
    snprintf(sv, sizeof sv, "%d.%d.%d", maj, min, rev);
    sd_h5meta meta = {.graph_path = g->path, .graph_text = g->text, .stardag_version = PACKAGE_VERSION,
                      .starpu_version = sv, .sched = sched, .host = host, .start_time = start,
                      .cmdline = s->o->cmdline, .ncpu = ncpu, .ncuda = (int)starpu_cuda_worker_get_count(),
                      .units_length = g->domain.units_length, .units_time = g->domain.units_time};
    int ndim;
    int64_t shape[3];
    double spacing[3];
    s->dm->cls->field_layout(s->dm, &ndim, shape, spacing);
    sd_h5decl decl = {ndim, {shape[0], shape[1], shape[2]}, {spacing[0], spacing[1], spacing[2]}, g->output.nfields,
                      fnames, dtypes, ncomp, g->output.nscalars, snames};
    const int64_t every = g->output.fields_every;
    const int off = s->ck.rin && every > 0 && s->dm->restart_step % every;
    const int drop = off && s->dm->restart_steps_past;
    s->out = s->ck.rin ? sd_ckpt_continue_output(s->ck.rin, path, &meta, &decl, drop, off, s->counters0, err, sizeof err)
                    : sd_h5out_create(path, &meta, ndim, shape, spacing, g->output.nfields, fnames, dtypes, ncomp,
                                      g->output.nscalars, snames, err, sizeof err);
    if (!s->out) {
        sd_run_say_error(s->o, "%s", err);
        return -1;
    }
    s->out_path = path;
    return write_tables(s);
}


