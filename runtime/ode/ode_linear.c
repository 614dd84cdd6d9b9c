/* ode_linear.c - the `linear` system y' = A y + b from an HDF5 file (ode_linear.h). The lane
 * functions sum A's row in one fixed order (linear_f), the lanes innermost, so a lane's result is
 * the same in any lane and alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "h5err.h"
#include "h5util.h"
#include "ode_linear.h"

typedef struct linear {
    sd_ode_system sys;
    int n;
    double *A; /* row-major n x n */
    double *b;
} linear;

enum { L = SD_ODE_LANES };
static const double no_params[1] = {0.0}; /* param_default: the system has none */

/* A's row times y: eight partial sums (term c into sum c mod 8, in increasing c), added as
 * ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), then b_r. Eight independent chains instead of
 * one: a lone large system is one lane, and its row of n dependent adds ran at one add per FP
 * latency (the seed's N = 1000 benchmark, docs/ode-bench.md). Every lane and a lone system sum in
 * this same order, so a lane's bits do not depend on nl. */
enum { NSUM = 8 };
static double sum_tree(const double *p, size_t stride)
{
    return ((p[0] + p[stride]) + (p[2 * stride] + p[3 * stride])) +
           ((p[4 * stride] + p[5 * stride]) + (p[6 * stride] + p[7 * stride]));
}

static void linear_f(const void *ctx, const sd_ode_lanes *in, double *out)
{
    const linear *s = ctx;
    const int n = s->n, nl = in->nl;
    if (nl == 1) { /* one lane: its y contiguous, the sums over c in blocks of NSUM (vectorisable) */
        double yc[SD_ODE_MAX_N + NSUM];
        for (int c = 0; c < n; c++) yc[c] = in->y[(size_t)c * L];
        const int nb = n - n % NSUM;
        for (int r = 0; r < n; r++) {
            const double *a = s->A + (size_t)r * n;
            double acc[NSUM] = {0.0};
            for (int c = 0; c < nb; c += NSUM)
                for (int k = 0; k < NSUM; k++) acc[k] += a[c + k] * yc[c + k];
            for (int c = nb; c < n; c++) acc[c - nb] += a[c] * yc[c];
            out[(size_t)r * L] = sum_tree(acc, 1) + s->b[r];
        }
        return;
    }
    for (int r = 0; r < n; r++) {
        const double *a = s->A + (size_t)r * n;
        double acc[NSUM * L];
        for (int q = 0; q < NSUM * L; q++) acc[q] = 0.0;
        for (int c = 0; c < n; c++) {
            const double *y = in->y + (size_t)c * L;
            double *ak = acc + (c % NSUM) * L;
            for (int l = 0; l < nl; l++) ak[l] += a[c] * y[l];
        }
        for (int l = 0; l < nl; l++) out[(size_t)r * L + l] = sum_tree(acc + l, L) + s->b[r];
    }
}

static void linear_jac(const void *ctx, const sd_ode_lanes *in, double *out)
{
    const linear *s = ctx;
    const size_t nn = (size_t)s->n * (size_t)s->n;
    for (size_t k = 0; k < nn; k++)
        for (int l = 0; l < in->nl; l++) out[k * L + l] = s->A[k];
}

void sd_ode_linear_free(void *owned)
{
    linear *s = owned;
    if (!s) return;
    free(s->A);
    free(s->b);
    free(s);
}

/* Dataset name of file f with rank dims (n x n or n), read as doubles into *data; n in *n (when
 * *n > 0 on entry: the size it must have). */
static int read_matrix(hid_t f, const char *file, const char *name, int rank, int *n, double **data, char *err,
                       size_t len)
{
    char why[256];
    int ret = -1;
    hid_t d = -1, sp = -1;
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) {
        sd_io_seterr(err, len, "%s: no dataset %s (expected /A, n x n, and /b, n, for the linear system y' = A y + b)",
                     file, name);
        return -1;
    }
    if ((d = H5Dopen2(f, name, H5P_DEFAULT)) < 0 || (sp = H5Dget_space(d)) < 0) {
        sd_io_seterr(err, len, "%s: cannot open dataset %s: %s", file, name, sd_h5why(why, sizeof why));
        goto out;
    }
    hsize_t dims[2] = {0, 0};
    int got = H5Sget_simple_extent_ndims(sp);
    if (got != rank || H5Sget_simple_extent_dims(sp, dims, NULL) < 0) {
        sd_io_seterr(err, len, "%s: dataset %s has rank %d (expected %s)", file, name, got,
                     rank == 2 ? "2: A is n x n" : "1: b has n entries");
        goto out;
    }
    hsize_t want = *n > 0 ? (hsize_t)*n : dims[0];
    if (dims[0] < 1 || dims[0] > SD_ODE_MAX_N || dims[0] != want || (rank == 2 && dims[1] != dims[0])) {
        if (rank == 2)
            sd_io_seterr(err, len, "%s: dataset %s is %llu x %llu (expected a square matrix, 1 to %d rows)", file,
                         name, (unsigned long long)dims[0], (unsigned long long)dims[1], SD_ODE_MAX_N);
        else
            sd_io_seterr(err, len, "%s: dataset %s has %llu entries (expected %llu, one per row of /A)", file, name,
                         (unsigned long long)dims[0], (unsigned long long)want);
        goto out;
    }
    *n = (int)dims[0];
    size_t count = rank == 2 ? (size_t)*n * (size_t)*n : (size_t)*n;
    *data = malloc(count * sizeof **data);
    if (!*data) {
        sd_io_seterr(err, len, "%s: out of memory reading %s", file, name);
        goto out;
    }
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
        sd_io_seterr(err, len, "%s: cannot read dataset %s as numbers: %s", file, name, sd_h5why(why, sizeof why));
        goto out;
    }
    for (size_t k = 0; k < count; k++)
        if (!isfinite((*data)[k])) {
            sd_io_seterr(err, len, "%s: dataset %s entry %zu is not a finite number", file, name, k);
            goto out;
        }
    ret = 0;
out:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return ret;
}

int sd_ode_linear_load(const char *file, const sd_ode_system **sys, void **owned, char *err, size_t len)
{
    *sys = NULL;
    *owned = NULL;
    linear *s = calloc(1, sizeof *s);
    if (!s) {
        sd_io_seterr(err, len, "%s: out of memory", file);
        return -1;
    }
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t f = sd_h5_open_ro(file, err, len);
    int n = 0, rc = -1;
    if (f >= 0) {
        rc = read_matrix(f, file, "/A", 2, &n, &s->A, err, len);
        if (rc == 0) rc = read_matrix(f, file, "/b", 1, &n, &s->b, err, len);
        H5Fclose(f);
    }
    sd_h5_quiet_off(q);
    if (rc < 0) {
        sd_ode_linear_free(s);
        return -1;
    }
    s->n = n;
    snprintf(s->sys.name, sizeof s->sys.name, "linear");
    s->sys.n = n;
    s->sys.param_default = no_params;
    s->sys.f = linear_f;
    s->sys.jac = linear_jac;
    s->sys.ctx = s;
    s->sys.device = SD_ODE_DEVICE_NONE;
    s->sys.doc = "linear: y' = A y + b, A and b from an HDF5 file";
    *sys = &s->sys;
    *owned = s;
    return 0;
}
