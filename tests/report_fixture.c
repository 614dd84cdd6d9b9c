/* report_fixture.c - writes a run file for tests/t_report.sh that `stardag run` does not make:
 * variable-length strings in /run and /scalars' names attribute, CUDA rows, a long codelet name,
 * and scalars with the awkward cases (a conserved energy drifting by 1e-12, NaN between computed
 * rows and a real gap, an exactly constant zero, a blow-up to Inf/NaN, all NaN).
 * usage: report_fixture OUT.h5 [--no-run | --empty]
 *   --no-run: no /run group, as in older files; --empty: an HDF5 file with nothing in it */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <hdf5.h>

static int strings(hid_t loc, const char *name, int n, const char **v)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hsize_t dn = (hsize_t)n;
    hid_t sp = H5Screate_simple(1, &dn, NULL);
    hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 ? 0 : -1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static int nums(hid_t loc, const char *name, int n, hid_t ft, hid_t mt, const void *v)
{
    hsize_t dn = (hsize_t)n;
    hid_t sp = n >= 0 ? H5Screate_simple(1, &dn, NULL) : H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && H5Dwrite(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 ? 0 : -1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    return rc;
}

#define N 200

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: report_fixture OUT.h5 [--no-run | --empty]\n");
        return 2;
    }
    int with_run = !(argc > 2 && !strcmp(argv[2], "--no-run"));
    hid_t f = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return 1;
    if (argc > 2 && !strcmp(argv[2], "--empty")) return H5Fclose(f) < 0;
    int rc = 0;
    hid_t g = H5Gcreate2(f, "scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int64_t step[N];
    double time[N], energy[N], max_e[N], zero[N], blowup[N], nothing[N];
    for (int i = 0; i < N; i++) {
        step[i] = 5 * i;
        time[i] = 0.25 * step[i];
        energy[i] = 1234.5 * (1 + 1e-12 * sin(i / 9.0) + 3e-13 * i / N);
        max_e[i] = i % 2 || (i >= 120 && i < 140) ? NAN : exp(-i / 80.0) * (1 + 0.1 * cos(i / 5.0));
        zero[i] = 0;
        blowup[i] = i < 150 ? pow(1.04, i) : i < 160 ? INFINITY : NAN;
        nothing[i] = NAN;
    }
    rc |= nums(g, "step", N, H5T_STD_I64LE, H5T_NATIVE_INT64, step);
    rc |= nums(g, "time", N, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, time);
    rc |= nums(g, "energy", N, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, energy);
    rc |= nums(g, "max_E", N, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, max_e);
    rc |= nums(g, "momentum", N, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, zero);
    rc |= nums(g, "blowup", N, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, blowup);
    rc |= nums(g, "nothing", N, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nothing);
    /* the names attribute as a variable-length string */
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, "names", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    const char *names = "energy,max_E,momentum,blowup,nothing";
    rc |= a < 0 || H5Awrite(a, t, &names) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Gclose(g);
    if (with_run) {
        g = H5Gcreate2(f, "run", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const char *cn[] = {"lattice.kg_leapfrog", "lattice.kg_leapfrog", "halo pack", "halo pack", "lattice.energy",
                            "a.very.long.codelet.name.that.goes.on.and.on.and.on.forever", "reduction combine"};
        const char *ca[] = {"cpu", "cuda", "cpu", "cuda", "cpu", "cpu", "cpu"};
        int64_t tasks[] = {1200, 2800, 900, 2100, 400, 12, 40};
        double secs[] = {2.75, 0.61, 0.12, 0.05, 0.8, 0.004, 0.002};
        const char *wn[] = {"CPU 0", "CPU 1", "CUDA 0"};
        double busy[] = {1.6, 1.5, 0.9}, wall = 2.0;
        rc |= strings(g, "codelet_name", 7, cn);
        rc |= strings(g, "codelet_arch", 7, ca);
        rc |= nums(g, "codelet_tasks", 7, H5T_STD_I64LE, H5T_NATIVE_INT64, tasks);
        rc |= nums(g, "codelet_seconds", 7, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, secs);
        rc |= strings(g, "worker_name", 3, wn);
        rc |= nums(g, "worker_busy_seconds", 3, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, busy);
        rc |= nums(g, "wall_seconds", -1, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &wall);
        H5Gclose(g);
    }
    if (H5Fclose(f) < 0) rc = 1;
    return rc ? 1 : 0;
}
