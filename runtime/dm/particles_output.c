/* particles_output.c - what a particle domain writes and prints: the H5MD trajectory (frames in id
 * order, species by type), the thermo table of its scalars (log and H5MD observables) and its part
 * of the run summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <starpu.h>
#include "config.h"
#include "particles_impl.h"

/* The trajectory: created, or on a restart from the checkpoint of step K continued (frames and
 * observable rows after K removed; it must hold the frames the interrupted run wrote up to K:
 * steps 0, every, 2 every, ... <= K; a finished run's frame of its last step K goes too). A
 * restart whose trajectory does not exist (another --trajectory) creates it: frames after K. */
static int open_trajectory(sd_dm *dm, int restart, int64_t K, char *err, size_t errlen)
{
    pdomain *D = dm->data;
    const sd_particles *P = D->P;
    int32_t *species = malloc(sizeof *species * (size_t)P->count);
    if (!species) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int64_t i = 0; i < P->count; i++) species[i] = sd_particles_type_of(P, i);
    /* H5MD unit strings, spelled as MDAnalysis' H5MD reader knows them ("Angstrom", not "A") */
    const char *ulen = P->units == SD_UNITS_REAL ? "nm" : P->units == SD_UNITS_METAL ? "Angstrom" : NULL;
    const char *utime = ulen ? "ps" : NULL;
    sd_h5md_opts ho = {.creator_version = PACKAGE_VERSION, .species = species, .unit_system = sd_units_name(P->units),
                       .keep_step_frame = !dm->restart_steps_past, .graph_hash = sd_graph_text_hash(dm->g),
                       .continue_hash = dm->restart_graph_hash};
    if (restart && access(dm->own_output, F_OK) != 0 && errno == ENOENT)
        restart = 0; /* a trajectory the interrupted run did not write there: a new file, frames after K */
    if (restart) {
        D->traj = sd_h5md_continue(dm->own_output, P->count, P->box, K, dm->g->output.trajectory_every, utime, &ho, err,
                                   errlen);
        if (D->traj) { /* as the uninterrupted run has it after step K */
            D->traj_frames = sd_h5md_frames(D->traj);
            D->last_frame = sd_h5md_last_step(D->traj);
            D->traj_frames_submitted = 1;
        }
    } else
        D->traj = sd_h5md_create(dm->own_output, "stardag", NULL, P->count, P->box, ulen, utime, &ho, err, errlen);
    free(species);
    return D->traj ? 0 : -1;
}

int sd_particles_open_output(sd_dm *dm, struct sd_h5out *out, char *err, size_t errlen)
{
    (void)out; /* particle graphs write no fields there */
    if (!dm->own_output) return 0;
    return open_trajectory(dm, dm->restart, dm->restart_step, err, errlen);
}

/* Before a checkpoint of step: every frame and thermo row up to it durable (frames are at their
 * append; observables only at the next append or flush). */
int sd_particles_commit_output(sd_dm *dm, int64_t step, char *err, size_t errlen)
{
    (void)step;
    pdomain *D = dm->data;
    return D->traj ? sd_h5md_flush(D->traj, err, errlen) : 0;
}

int sd_particles_close_output(sd_dm *dm, const char *status, int64_t steps_done, char *err, size_t errlen)
{
    pdomain *D = dm->data;
    if (!D->traj) return 0;
    if (sd_h5md_set_status(D->traj, status, steps_done, err, errlen) < 0) {
        char ignored[256]; /* the status error is the one to report; close keeps the last flush */
        sd_h5md_close(D->traj, ignored, sizeof ignored);
        D->traj = NULL;
        return -1;
    }
    int rc = sd_h5md_close(D->traj, err, errlen);
    D->traj = NULL;
    return rc;
}

/* One trajectory frame (positions, velocities, in id order). */
int sd_particles_write_snapshot(sd_dm *dm, const sd_record *r, struct sd_h5out *out, char *err, size_t errlen)
{
    (void)out;
    pdomain *D = dm->data;
    if (!D->traj) return 0;
    const int64_t N = D->P->count;
    const double *pos = r->data, *vel = pos + 3 * N;
    const int64_t *ids = (const int64_t *)(vel + 3 * N);
    if (sd_h5md_append(D->traj, r->step, r->step * dm->g->run.dt, pos, vel, SD_H5MD_SOA, ids, err, errlen) < 0) return -1;
    D->traj_frames++;
    return 0; /* its own file: no field step of the run's file */
}

/* The thermo table in the log (one row per step with computed scalars) and as H5MD observables. */
int sd_particles_on_scalars(sd_dm *dm, const sd_record *r, int quiet, int write, char *err, size_t errlen)
{
    pdomain *D = dm->data;
    const sd_graph *g = dm->g;
    int any = 0;
    for (int i = 0; i < g->nscalars; i++) any |= r->computed[i] && strncmp(g->scalars[i].name, "__", 2);
    if (!any) return 0;
    if (!quiet) {
        if (!D->thermo_header) {
            printf("%10s", "step");
            for (int i = 0; i < g->nscalars; i++)
                if (strncmp(g->scalars[i].name, "__", 2)) printf(" %17s", g->scalars[i].name);
            printf("\n");
            D->thermo_header = 1;
        }
        printf("%10lld", (long long)r->step);
        for (int i = 0; i < g->nscalars; i++)
            if (strncmp(g->scalars[i].name, "__", 2)) {
                if (r->computed[i]) printf(" %17.10g", r->value[i]);
                else printf(" %17s", "-");
            }
        printf("\n");
        fflush(stdout);
    }
    if (!D->traj || !write) return 0;
    const double t = r->step * g->run.dt;
    for (int i = 0; i < g->nscalars; i++)
        if (r->computed[i] && strncmp(g->scalars[i].name, "__", 2) &&
            sd_h5md_observable(D->traj, g->scalars[i].name, r->step, t, r->value[i], err, errlen) < 0)
            return -1;
    return 0;
}

/* The run file's /grid group: one cell per particle (particle graphs write no fields there). */
void sd_particles_field_layout(const sd_dm *dm, int *ndim, int64_t shape[3], double spacing[3])
{
    const pdomain *D = dm->data;
    *ndim = 3;
    shape[0] = D->P->count;
    shape[1] = shape[2] = 1;
    spacing[0] = spacing[1] = spacing[2] = 1.0;
}

void sd_particles_describe(const sd_dm *dm, char *buf, size_t len)
{
    const pdomain *D = dm->data;
    const sd_pgeom *pg = &D->geom;
    char exports[96] = "";
    int64_t ne = 0, ce = 0; /* blocks exporting ghosts to other ranks, and their room in all */
    for (int b = 0; pg->cap_e && b < D->nb; b++) ne += pg->cap_e[b] > 0, ce += pg->cap_e[b];
    if (ne) snprintf(exports, sizeof exports, "; %lld blocks export ghosts, room for %lld particles in all", (long long)ne,
                     (long long)ce);
    snprintf(buf, len, "%lld particles in %d blocks (%dx%dx%d bricks of a %lldx%lldx%lld cell grid; room for %lld "
             "particles, %lld ghosts, %lld list entries each; %s rebuild%s), %lld neighbour-list rebuilds",
             (long long)D->P->count, D->nb, pg->nbd[0], pg->nbd[1], pg->nbd[2], (long long)pg->grid.nc[0], (long long)pg->grid.nc[1], (long long)pg->grid.nc[2], (long long)pg->cap_h,
             (long long)pg->cap_g, (long long)pg->cap_l, D->serial_rebuild ? "serial" : "parallel", exports,
             (long long)__atomic_load_n(&D->rebuilds, __ATOMIC_RELAXED));
}

void sd_particles_rate(const sd_dm *dm, int64_t steps_done, double wall, char *buf, size_t len)
{
    const pdomain *D = dm->data;
    snprintf(buf, len, "%.3g atom-steps/s", (double)D->P->count * steps_done / (wall > 1e-9 ? wall : 1e-9));
}

void sd_particles_report(const sd_dm *dm)
{
    const pdomain *D = dm->data;
    const int64_t dangerous = __atomic_load_n(&D->dangerous, __ATOMIC_RELAXED);
    const sd_particles *P = &dm->g->domain.particles;
    if (dangerous) {
        printf("  warning: %lld rebuilds came after some particle had moved more than skin/2: pairs may have been missed\n",
               (long long)dangerous);
        /* the graph may do so on purpose (in.lj's `check no`): say what it asked for and what is safe */
        if (P->rebuild_check)
            printf("  (neighbor: {every: %d, check: true} looks only every %d steps; the safe policy is neighbor: "
                   "{every: 1, check: true}: docs/user-guide.md, Molecular dynamics)\n", P->rebuild_every, P->rebuild_every);
        else
            printf("  (neighbor: {every: %d, check: false} is LAMMPS' `neigh_modify every %d check no`, as in in.lj; the "
                   "safe policy is neighbor: {every: 1, check: true}: docs/user-guide.md, Molecular dynamics)\n",
                   P->rebuild_every, P->rebuild_every);
    }
    const sd_pread *rd = D->P->read;
    if (rd && rd->wrapped)
        printf("  note: %lld of the atoms %s gives were outside the box and were wrapped into it\n", (long long)rd->wrapped,
               rd->file);
}

void sd_particles_report_output(const sd_dm *dm)
{
    const pdomain *D = dm->data;
    if (dm->own_output)
        printf("  trajectory: %s (%lld frames)\n", dm->own_output, (long long)D->traj_frames);
}
