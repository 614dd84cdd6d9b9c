/* verify_particles.c - `stardag verify` for particle codelets (.domain = SD_ON_PARTICLES): their
 * test system, a small Lennard-Jones liquid run for a few velocity-Verlet steps with the codelet
 * under test in it, and the comparison of the two runs' H5MD trajectories (the thermo scalars of
 * the run output are compared by sd_compare_h5 in verify.c).
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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "stardag/stardag.h"
#include "h5err.h"
#include "strtab.h"
#include "verify.h"

#define RHO 0.8442   /* reduced density */
#define CUTOFF 2.5
#define SKIN 0.3

int sd_verify_particle_layers(int cells)
{
    /* md's cell grid: floor(L / ((cutoff + skin)(1 + 1e-9))) layers; a larger margin here errs on
     * the safe side (one block fewer at worst) */
    const double L = cells * cbrt(4.0 / RHO);
    const double q = floor(L / ((CUTOFF + SKIN) * (1.0 + 1e-6)));
    return q < 1.0 ? 1 : (int)q;
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

char *sd_verify_particle_graph(const sd_codelet *c, int cells, int nblocks, const char *traj, char *err,
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

/* ---- trajectories: every dataset of two HDF5 files ----------------------------------------- */

static herr_t collect_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    if (info->type != H5L_TYPE_HARD) return 0;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0) return -1;
    const int is_ds = H5Iget_type(o) == H5I_DATASET;
    H5Oclose(o);
    return is_ds && sd_strtab_add(data, name) < 0 ? -1 : 0;
}

/* one dataset, read as double (floats) or int64 (integers); other classes are not compared */
typedef struct vds {
    int kind;           /* 'f', 'i', 0: not numeric */
    int rank;
    hsize_t dims[H5S_MAX_RANK];
    hsize_t n;
    void *buf;
} vds;

static int read_ds(hid_t f, const char *name, vds *d)
{
    memset(d, 0, sizeof *d);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT), t = -1, sp = -1;
    int rc = -1;
    if (ds < 0) return -1;
    if ((t = H5Dget_type(ds)) < 0 || (sp = H5Dget_space(ds)) < 0) goto out;
    const H5T_class_t cls = H5Tget_class(t);
    d->kind = cls == H5T_FLOAT ? 'f' : cls == H5T_INTEGER ? 'i' : 0;
    if ((d->rank = H5Sget_simple_extent_dims(sp, d->dims, NULL)) < 0) goto out;
    d->n = 1;
    for (int k = 0; k < d->rank; k++) d->n *= d->dims[k];
    if (!d->kind) {
        rc = 0;
        goto out;
    }
    /* f32 datasets widen to double exactly: bitwise equal floats stay bitwise equal */
    if (!(d->buf = malloc(d->n ? d->n * 8 : 1))) goto out;
    if (d->n && H5Dread(ds, d->kind == 'f' ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                        d->buf) < 0)
        goto out;
    rc = 0;
out:
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    H5Dclose(ds);
    return rc;
}

/* 1: the two datasets agree (bitwise, or within tol x max|a|) */
static int ds_agree(const vds *a, const vds *b, double tol, sd_vh5_result *r)
{
    if (a->kind != b->kind || a->rank != b->rank || memcmp(a->dims, b->dims, sizeof a->dims)) return 0;
    r->elements += (long long)a->n;
    if (!a->kind) return 1;
    if (a->kind == 'i') return !memcmp(a->buf, b->buf, a->n * 8);
    const double *x = a->buf, *y = b->buf;
    double amax = 0;
    for (hsize_t i = 0; i < a->n; i++)
        if (isfinite(x[i]) && fabs(x[i]) > amax) amax = fabs(x[i]);
    int ok = 1;
    for (hsize_t i = 0; i < a->n; i++) {
        if (!memcmp(&x[i], &y[i], sizeof x[i]) || (isnan(x[i]) && isnan(y[i]))) continue;
        if (isfinite(x[i]) && isfinite(y[i])) {
            const double d = fabs(x[i] - y[i]);
            const double m = fmax(fabs(x[i]), fabs(y[i]));
            if (d > r->max_abs) r->max_abs = d;
            if (m > 0 && d / m > r->max_rel) r->max_rel = d / m;
            if (amax > 0 && d / amax > r->max_scaled) r->max_scaled = d / amax;
            if (tol > 0 && d <= tol * amax) continue;
        }
        ok = 0;
    }
    return ok;
}

int sd_verify_h5_datasets(const char *a, const char *b, double tol, sd_vh5_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f[2] = {-1, -1};
    const char *path[2] = {a, b};
    sd_strtab names[2] = {{0}}, all = {0};
    int rc = SD_EXIT_BADGRAPH;
    for (int i = 0; i < 2; i++) {
        if ((f[i] = H5Fopen(path[i], H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
            snprintf(err, errlen, "cannot open %s as HDF5", path[i]);
            goto out;
        }
        if (H5Lvisit(f[i], H5_INDEX_NAME, H5_ITER_INC, collect_cb, &names[i]) < 0) {
            snprintf(err, errlen, "cannot list the datasets of %s", path[i]);
            goto out;
        }
        for (int k = 0; k < names[i].n; k++)
            if (sd_strtab_add(&all, names[i].s[k]) < 0) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
    }
    for (int k = 0; k < all.n; k++) {
        const char *name = all.s[k];
        vds da, db;
        int agree = 0;
        r->datasets++;
        if (sd_strtab_find(&names[0], name) >= 0 && sd_strtab_find(&names[1], name) >= 0) {
            const int ra = read_ds(f[0], name, &da), rb = read_ds(f[1], name, &db);
            if (ra < 0 || rb < 0) {
                snprintf(err, errlen, "cannot read the dataset %s of %s", name, ra < 0 ? a : b);
                free(da.buf);
                free(db.buf);
                goto out;
            }
            agree = ds_agree(&da, &db, tol, r);
            free(da.buf);
            free(db.buf);
        }
        if (!agree && !r->differ++) snprintf(r->first, sizeof r->first, "/%s", name);
    }
    rc = r->differ ? SD_EXIT_CHECK : SD_EXIT_OK;
out:
    for (int i = 0; i < 2; i++) {
        if (f[i] >= 0) H5Fclose(f[i]);
        sd_strtab_free(&names[i]);
    }
    sd_strtab_free(&all);
    sd_h5_quiet_off(q);
    return rc;
}
