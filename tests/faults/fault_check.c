/* fault_check.c - what a failed run left, judged against an uninterrupted run of the same graph
 * (tests/faults/io_faults.sh):
 *   fault_check OUT.h5 REF.h5 [--completed | --any-status]
 * OUT must open read-only; its status must not be "completed" (--completed: must be, a case whose
 * fault the run did not meet; --any-status: either, a fault in another file of the run after this
 * one was complete); every field dataset and scalar row it holds must read back and equal
 * REF's at the same step bit for bit; it must hold at least what its commit counters
 * (committed_field_datasets, committed_scalar_rows) say was committed. Prints one line; exit 0
 * when all holds, 1 otherwise (the line says what does not). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "h5out.h"
#include "h5util.h"

static int attr_i64(hid_t f, const char *name, int64_t *v)
{
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    int rc = a >= 0 && H5Aread(a, H5T_NATIVE_INT64, v) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    return rc;
}

static int attr_str(hid_t obj, const char *name, char *buf, size_t len)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
    int rc = -1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t) && H5Tget_size(t) <= len &&
        H5Aread(a, t, buf) >= 0) {
        buf[len - 1] = 0;
        rc = 0;
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return rc;
}

/* The names under a group (fields), as a list of malloc'd strings. */
typedef struct names { int n; char *name[64]; } names;
static herr_t add_name(hid_t g, const char *name, const H5L_info_t *info, void *u)
{
    (void)g; (void)info;
    names *l = u;
    if (l->n < 64) l->name[l->n++] = strdup(name);
    return 0;
}

static int fail(const char *out, const char *what)
{
    printf("fault_check: %s: %s\n", out, what);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fault_check OUT.h5 REF.h5 [--completed | --any-status]\n");
        return 2;
    }
    const char *out = argv[1], *ref = argv[2];
    int completed_ok = argc > 3 && !strcmp(argv[3], "--completed"), any = argc > 3 && !strcmp(argv[3], "--any-status");
    char err[1024], msg[2048], status[64] = "";
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = sd_h5_open_ro(out, err, sizeof err);
    if (f < 0) return fail(out, err);
    int64_t cf = -1, cs = -1;
    if (attr_str(f, "status", status, sizeof status) < 0 || attr_i64(f, "committed_field_datasets", &cf) < 0 ||
        attr_i64(f, "committed_scalar_rows", &cs) < 0) {
        H5Fclose(f);
        return fail(out, "cannot read the root attributes status, committed_field_datasets, committed_scalar_rows");
    }
    names fl = {0};
    hid_t g = H5Gopen2(f, "fields", H5P_DEFAULT);
    if (g >= 0) {
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, add_name, &fl);
        H5Gclose(g);
    }
    char snames[4096] = "";
    g = H5Gopen2(f, "scalars", H5P_DEFAULT);
    if (g >= 0) {
        attr_str(g, "names", snames, sizeof snames);
        H5Gclose(g);
    }
    H5Fclose(f);
    if (!strcmp(status, "completed") && !completed_ok && !any) return fail(out, "status says completed after a failed run");
    if (strcmp(status, "completed") && completed_ok) {
        snprintf(msg, sizeof msg, "status is '%s' after a run that succeeded", status);
        return fail(out, msg);
    }

    int64_t datasets = 0, rows = -1;
    for (int i = 0; i < fl.n; i++) {
        int64_t *steps = NULL, n = 0;
        if (sd_h5_list_field_steps(out, fl.name[i], &steps, &n, err, sizeof err) < 0) return fail(out, err);
        for (int64_t k = 0; k < n; k++) {
            double *a = NULL, *b = NULL;
            int64_t na = 0, nb = 0;
            if (sd_h5_read_field(out, fl.name[i], steps[k], &a, &na, err, sizeof err) < 0) return fail(out, err);
            if (sd_h5_read_field(ref, fl.name[i], steps[k], &b, &nb, err, sizeof err) < 0) return fail(ref, err);
            if (na != nb || memcmp(a, b, (size_t)na * sizeof *a)) {
                snprintf(msg, sizeof msg, "field %s step %" PRId64 " differs from %s", fl.name[i], steps[k], ref);
                return fail(out, msg);
            }
            free(a);
            free(b);
            datasets++;
        }
        free(steps);
    }
    for (char *save = NULL, *s = strtok_r(snames, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        int64_t *sa = NULL, *sb = NULL, na = 0, nb = 0;
        double *va = NULL, *vb = NULL;
        if (sd_h5_read_scalar(out, s, &sa, &va, &na, err, sizeof err) < 0) return fail(out, err);
        if (sd_h5_read_scalar(ref, s, &sb, &vb, &nb, err, sizeof err) < 0) return fail(ref, err);
        if (na > nb || (na && (memcmp(sa, sb, (size_t)na * sizeof *sa) || memcmp(va, vb, (size_t)na * sizeof *va)))) {
            snprintf(msg, sizeof msg, "scalar %s: its %" PRId64 " rows are not the first rows of %s", s, na, ref);
            return fail(out, msg);
        }
        if (rows < 0 || na < rows) rows = na;
        free(sa); free(sb); free(va); free(vb);
    }
    if (rows < 0) rows = 0;
    if (datasets < cf || rows < cs) {
        snprintf(msg, sizeof msg, "holds %" PRId64 " field datasets and %" PRId64 " scalar rows, fewer than the "
                 "committed %" PRId64 " and %" PRId64, datasets, rows, cf, cs);
        return fail(out, msg);
    }
    for (int i = 0; i < fl.n; i++) free(fl.name[i]);
    printf("fault_check: %s: ok: status %s, %" PRId64 " field datasets and %" PRId64 " scalar rows read back, equal "
           "to %s (committed: %" PRId64 ", %" PRId64 ")\n", out, status, datasets, rows, ref, cf, cs);
    return 0;
}
