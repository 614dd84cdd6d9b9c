/* check_summary.c - what `stardag check` prints about a valid graph: what the user declared, and
 * apart from it what the loader added (a finite check's hidden counter scalar and step op, the
 * hidden scalars that take an op's optional outputs left unbound; their names start with "__"). */
#include <string.h>
#include "commands.h"

static const char *s_if(int n) { return n == 1 ? "" : "s"; }

void sd_check_summary(const sd_graph *g, const char *file, FILE *out)
{
    int finite = 0, hidden = 0;
    for (int i = 0; i < g->nchecks; i++) finite += g->checks[i].kind == SD_CHECK_FINITE;
    for (int i = 0; i < g->nscalars; i++) hidden += !strncmp(g->scalars[i].name, "__", 2);
    char dom[96];
    if (g->domain.kind == SD_DOMAIN_PARTICLES) snprintf(dom, sizeof dom, "%lld particles", (long long)g->domain.particles.count);
    else if (g->domain.kind == SD_DOMAIN_MESH)
        snprintf(dom, sizeof dom, "a mesh of %lld vertices and %lld triangles", (long long)g->domain.mesh.nv,
                 (long long)g->domain.mesh.nf);
    else if (g->domain.kind == SD_DOMAIN_BATCH)
        snprintf(dom, sizeof dom, "a batch of %lld systems", (long long)g->domain.batch.count);
    else snprintf(dom, sizeof dom, "%dD grid", g->domain.ndim);
    int user_scalars = g->nscalars - hidden, user_step = g->nstep - finite, opt = hidden - finite;
    fprintf(out, "%s: ok (%s, %d field%s, %d scalar%s, %d init op%s, %d step op%s, %d check%s, %lld step%s)", file, dom,
            g->nfields, s_if(g->nfields), user_scalars, s_if(user_scalars), g->ninit, s_if(g->ninit), user_step,
            s_if(user_step), g->nchecks, s_if(g->nchecks), (long long)g->run.steps, g->run.steps == 1 ? "" : "s");
    if (finite) fprintf(out, "; finite checks add %d step op%s and %d hidden scalar%s", finite, s_if(finite), finite, s_if(finite));
    if (opt) fprintf(out, "; %d hidden scalar%s take%s unbound optional outputs", opt, s_if(opt), opt == 1 ? "s" : "");
    fputc('\n', out);
    for (int i = 0; i < g->ntables; i++) /* what each table file held, to check it was the one meant */
        fprintf(out, "  table %s: %lld row%s x %d column%s from %s\n", g->tables[i].name, (long long)g->tables[i].rows,
                g->tables[i].rows == 1 ? "" : "s", g->tables[i].cols, s_if(g->tables[i].cols), g->tables[i].file);
}
