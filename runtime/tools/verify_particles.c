/* verify_particles.c - `stardag verify` for particle codelets (.domain = SD_ON_PARTICLES): their
 * test system, a small Lennard-Jones liquid run for a few velocity-Verlet steps with the codelet
 * under test in it (verify.c compares the two runs' thermo scalars and, with sd_compare_h5's
 * any_file mode, every dataset of their H5MD trajectories).
 *
 * The system: 4 cells^3 atoms on an fcc lattice at the LJ liquid's density 0.8442 (LAMMPS'
 * bench/in.lj), two types (A: 3/4 of the ids, mass 1, epsilon 1, sigma 1; B: the last 1/4, mass
 * 2, epsilon 0.5, sigma 0.9; Lorentz-Berthelot pairs), cutoff 2.5, skin 0.3, neighbour lists
 * rebuilt every 2 steps unconditionally (particles re-sorted into blocks 10 times; fcc planes lie
 * on the block edges of the default sizes, so some cross them), T = 1.44, 20 steps of dt 0.005.
 *   init: md.fcc_lattice, md.velocity_create, md.lj_force, md.thermo
 *   step: md.kick, md.drift, md.lj_force, md.kick, [the codelet under test], md.thermo every 5
 * A codelet that is one of the ops of this system is tested by it as it is; any other runs as an
 * extra step op after the second kick: its field roles bound by name to x, v or f, its scalar
 * outputs to scalars of their own (s_<role>), a scalar it reads to the instantaneous temperature
 * t_inst (md.temperature just before it: md.berendsen), its required params set to 1 (clamped
 * to their range). Output: every scalar at every step; trajectory frames every 5 steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "stardag/stardag.h"
#include "md/md_kernels.h"
#include "verify.h"

#define RHO 0.8442   /* reduced density */
#define CUTOFF 2.5
#define SKIN 0.3

int sd_verify_particle_layers(int cells)
{
    /* the particle domain's own cell grid: a block is at least one layer of it */
    const double a = sd_md_fcc_lattice_constant(RHO), L[3] = {cells * a, cells * a, cells * a};
    md_grid g;
    sd_md_grid_box(L, CUTOFF + SKIN, &g);
    return (int)g.nc[2];
}

/* the ops of the base system (which test themselves) */
static const char *const base[] = {"md.fcc_lattice", "md.velocity_create", "md.kick", "md.drift", "md.lj_force",
                                   "md.thermo"};
#define NBASE (sizeof base / sizeof base[0])

static int in_base_system(const sd_codelet *c)
{
    for (size_t i = 0; i < NBASE; i++)
        if (!strcmp(c->name, base[i])) return 1;
    return 0;
}

static const char *const thermo_scalars = "temp, press, pe, ke, etotal";

int sd_verify_particle_has_mixed(const sd_codelet *c)
{
    return !strcmp(c->name, "md.lj_force") || !strcmp(c->name, "md.thermo");
}

char *sd_verify_particle_graph(const sd_codelet *c, int cells, int nblocks, int mixed, const char *traj, char *err,
                               size_t errlen)
{
    for (size_t i = 0; i < NBASE; i++)
        if (!sd_codelet_find(base[i])) {
            snprintf(err, errlen, "the codelet %s is needed for the particle test system", base[i]);
            return NULL;
        }
    const int extra = !in_base_system(c);
    int reads_scalar = 0;
    if (extra)
        for (int r = 0; r < c->nroles; r++) {
            const sd_role *ro = &c->roles[r];
            if (ro->kind == SD_ROLE_FIELD) {
                if (strcmp(ro->name, "x") && strcmp(ro->name, "v") && strcmp(ro->name, "f")) {
                    snprintf(err, errlen, "cannot bind role '%s': the particle test system has the fields x, v and f "
                             "(field roles are bound by name)", ro->name);
                    return NULL;
                }
            } else if (ro->mode != SD_WRITE) reads_scalar = 1;
        }
    if (reads_scalar && !sd_codelet_find("md.temperature")) {
        snprintf(err, errlen, "%s reads a scalar: the codelet md.temperature is needed to make it", c->name);
        return NULL;
    }
    sbuf b = {0};
    sb_printf(&b, "# stardag verify: the particle test system for %s\n", c->name);
    sb_printf(&b, "name: verify\nparams:\n  cells: %d\n  a: (4/%g)^(1/3)\n  T: 1.44\n", cells, RHO);
    sb_printf(&b, "domain:\n  particles:\n    count: 4*cells^3\n    box: cells*a\n    units: lj\n    types:\n"
                  "      - {name: A, mass: 1, epsilon: 1, sigma: 1, count: 3*cells^3}\n"
                  "      - {name: B, mass: 2, epsilon: 0.5, sigma: 0.9, count: cells^3}\n"
                  "    cutoff: %g\n    neighbor: {skin: %g, every: 2, check: false}\n", CUTOFF, SKIN);
    if (mixed) sb_printf(&b, "    precision: mixed\n");
    sb_printf(&b, "fields:\n  x: {components: 3}\n  v: {components: 3}\n  f: {components: 3}\n");
    /* scalars: thermo's, then t_inst and the extra op's outputs */
    sbuf sc = {0};
    sb_printf(&sc, "%s", thermo_scalars);
    if (reads_scalar) sb_printf(&sc, ", t_inst");
    if (extra)
        for (int r = 0; r < c->nroles; r++)
            if (c->roles[r].kind != SD_ROLE_FIELD && c->roles[r].mode == SD_WRITE) sb_printf(&sc, ", s_%s", c->roles[r].name);
    sb_printf(&b, "scalars: [%s]\n", sc.s ? sc.s : "");
    sb_printf(&b, "tiles: %d\n", nblocks);
    sb_printf(&b, "init:\n"
                  "  - op: md.fcc_lattice\n    write: {x: x}\n    params: {nx: cells, ny: cells, nz: cells}\n"
                  "  - op: md.velocity_create\n    write: {v: v}\n    params: {T: T, seed: 4711}\n"
                  "  - op: md.lj_force\n    read: {x: x}\n    write: {f: f}\n"
                  "  - op: md.thermo\n    read: {x: x, v: v}\n"
                  "    write: {temp: temp, press: press, pe: pe, ke: ke, etotal: etotal}\n");
    sb_printf(&b, "step:\n"
                  "  - op: md.kick\n    read: {f: f}\n    readwrite: {v: v}\n"
                  "  - op: md.drift\n    read: {v: v}\n    readwrite: {x: x}\n"
                  "  - op: md.lj_force\n    read: {x: x}\n    write: {f: f}\n"
                  "  - op: md.kick\n    read: {f: f}\n    readwrite: {v: v}\n");
    if (reads_scalar) sb_printf(&b, "  - op: md.temperature\n    read: {v: v}\n    write: {temp: t_inst}\n");
    if (extra) {
        sb_printf(&b, "  - op: %s\n", c->name);
        static const sd_access modes[3] = {SD_READ, SD_WRITE, SD_READWRITE};
        static const char *const sect[3] = {"read", "write", "readwrite"};
        for (int m = 0; m < 3; m++) {
            int k = 0;
            for (int r = 0; r < c->nroles; r++) {
                const sd_role *ro = &c->roles[r];
                if (ro->mode != modes[m]) continue;
                if (k++) sb_printf(&b, ", ");
                else sb_printf(&b, "    %s: {", sect[m]);
                sb_printf(&b, "%s: ", ro->name);
                if (ro->kind == SD_ROLE_FIELD) sb_printf(&b, "%s", ro->name);
                else if (ro->mode == SD_WRITE) sb_printf(&b, "s_%s", ro->name);
                else sb_printf(&b, "t_inst");
            }
            if (k) sb_printf(&b, "}\n");
        }
        sd_verify_required_params(&b, c);
    }
    sb_printf(&b, "  - op: md.thermo\n    every: 5\n    read: {x: x, v: v}\n"
                  "    write: {temp: temp, press: press, pe: pe, ke: ke, etotal: etotal}\n");
    sb_printf(&b, "output:\n  scalars: {names: [%s], every: 1}\n  trajectory: {file: %s, every: 5}\n", sc.s ? sc.s : "",
              traj);
    sb_printf(&b, "run:\n  steps: 20\n  dt: 0.005\n");
    const int oom = b.oom || sc.oom;
    free(sc.s);
    if (oom) {
        free(b.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return b.s;
}
