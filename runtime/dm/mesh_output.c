/* mesh_output.c - the mesh class's output: its topology in the run's file (triangles, edges when a
 * field lives on them, and initial positions, so that the XDMF sidecar draws the surface), vertex,
 * face and edge fields per output step,
 * the final mesh exported as OFF or PLY, and the summary's words. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <starpu.h>
#include "config.h"
#include "h5out.h"
#include "mesh_file.h"
#include "mesh_impl.h"

/* The exported mesh is written when the run completes: a directory it cannot be written to is
 * refused before anything runs, not found after the whole run. */
static int export_dir_ok(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
    if (access(dir, W_OK | X_OK) == 0) return 0;
    snprintf(err, errlen, "%s: cannot write the exported mesh into %s: %s (expected an existing, writable directory)",
             path, dir, strerror(errno));
    return -1;
}

int sd_mesh_open_output(sd_dm *dm, struct sd_h5out *out, char *err, size_t errlen)
{
    const sd_graph *g = dm->g;
    if (dm->own_output && export_dir_ok(dm->own_output, err, errlen) < 0) return -1;
    if (!out) return 0;
    int loc[sizeof g->output.field / sizeof g->output.field[0]];
    for (int i = 0; i < g->output.nfields; i++) loc[i] = g->fields[g->output.field[i]].location;
    int pos = -1;
    for (int i = 0; i < g->output.nfields; i++)
        if (g->output.field[i] == g->domain.mesh.position) pos = i;
    const sd_h5mesh m = {.nv = g->domain.mesh.nv, .nf = g->domain.mesh.nf, .tri = g->domain.mesh.tri,
                         .x0 = g->domain.mesh.x, .position_field = pos, .field_location = loc,
                         .ne = g->domain.mesh.ne, .edge = g->domain.mesh.edge};
    return sd_h5out_set_mesh(out, &m, err, errlen);
}

int sd_mesh_write_snapshot(sd_dm *dm, const sd_record *r, struct sd_h5out *out, char *err, size_t errlen)
{
    mdomain *D = dm->data;
    if (r->field < 0) { /* the final positions, for the exported mesh: xyz per vertex */
        const int64_t nv = D->M->nv;
        const double *x = r->data;
        if (!D->export_x && !(D->export_x = malloc(sizeof(double) * 3 * (size_t)nv))) {
            snprintf(err, errlen, "out of memory keeping the final mesh of %lld vertices", (long long)nv);
            return -1;
        }
        for (int64_t v = 0; v < nv; v++)
            for (int c = 0; c < 3; c++) D->export_x[3 * v + c] = x[v + c * nv];
        D->export_step = r->step;
        return 0;
    }
    return out ? sd_dm_write_field_record(dm, r, out, err, errlen) : 0;
}

/* The exported mesh: the final positions with the domain's triangles, written whole or not at all
 * (sd_mesh_write writes a temporary file and renames it). A failed run exports nothing. */
int sd_mesh_close_output(sd_dm *dm, const char *status, int64_t steps_done, char *err, size_t errlen)
{
    (void)steps_done;
    mdomain *D = dm->data;
    if (!dm->own_output || !D->export_x || strcmp(status, "completed")) return 0;
    const sd_mesh m = {.nv = D->M->nv, .nf = D->M->nf, .x = D->export_x, .tri = D->M->tri};
    if (sd_mesh_write(dm->own_output, &m, err, errlen) < 0) return -1;
    D->exported = 1;
    return 0;
}

void sd_mesh_field_layout(const sd_dm *dm, int *ndim, int64_t shape[3], double spacing[3])
{
    *ndim = 1;
    shape[0] = dm->g->domain.mesh.nv;
    shape[1] = shape[2] = 1;
    spacing[0] = spacing[1] = spacing[2] = 1.0;
}

void sd_mesh_describe(const sd_dm *dm, char *buf, size_t len)
{
    const mdomain *D = dm->data;
    int64_t most = 0, ghosts = 0;
    for (int p = 0; p < D->np; p++) {
        const sd_mlocal *m = &D->parts.part[p];
        if (m->nv_own > most) most = m->nv_own;
        ghosts += m->nv - m->nv_own;
    }
    snprintf(buf, len, "a mesh of %lld vertices and %lld triangles (%s) in %d partition%s of up to %lld vertices, %lld cut "
             "edges, %lld ghost vertices", (long long)D->M->nv, (long long)D->M->nf, D->M->source, D->np,
             D->np == 1 ? "" : "s", (long long)most, (long long)D->parts.cut_edges, (long long)ghosts);
}

void sd_mesh_rate(const sd_dm *dm, int64_t steps_done, double wall, char *buf, size_t len)
{
    snprintf(buf, len, "%.3g vertex-steps/s", (double)dm->g->domain.mesh.nv * steps_done / (wall > 1e-9 ? wall : 1e-9));
}

void sd_mesh_report(const sd_dm *dm)
{
    const sd_gmesh *M = &dm->g->domain.mesh;
    if (M->dropped) printf("  note: %lld vertices of %s belong to no triangle and were dropped\n", (long long)M->dropped, M->source);
    if (M->flipped == M->nf) printf("  note: %s was oriented inward; every triangle was reversed\n", M->source);
    else if (M->flipped)
        printf("  note: %s had surfaces oriented inward: %lld of its %lld triangles (those of the inward surfaces) were reversed\n", M->source,
               (long long)M->flipped, (long long)M->nf);
}

void sd_mesh_report_output(const sd_dm *dm)
{
    const mdomain *D = dm->data;
    if (dm->own_output && D->exported)
        printf("  final mesh: %s (positions of step %lld)\n", dm->own_output, (long long)D->export_step);
}
