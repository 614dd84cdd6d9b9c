/* h5out_tables.c - the graph's tables in the run file (/tables/<name>: the values the run read,
 * with the file they came from), so that a result records every number that made it. Written
 * once, into fresh space at the end of the file, before the first step, and committed at once
 * (sd_h5out_commit: the same children-before-parents commit as every other write, io/h5out.c).
 * Layout: docs/output-format.md, "Tables". */
#define _GNU_SOURCE
#include "h5out_impl.h"
#include "h5err.h"
#include "h5util.h"

#include <stdio.h>
#include <string.h>

/* A [rows][cols] f64 dataset written whole (contiguous: a table is written once, read whole). */
static int table_dataset(hid_t g, const sd_h5table *t)
{
    hsize_t dims[2] = {(hsize_t)t->rows, (hsize_t)t->cols};
    hid_t sp = H5Screate_simple(2, dims, NULL), ds = -1;
    const char *file = t->file ? t->file : "";
    int rc = -1;
    if (sp >= 0 && (ds = H5Dcreate2(g, t->name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->data) >= 0 &&
        sd_h5_attr_strings(ds, "file", 0, &file, H5T_CSET_UTF8) >= 0 &&
        (!t->dataset || !*t->dataset || sd_h5_attr_strings(ds, "dataset", 0, &t->dataset, H5T_CSET_UTF8) >= 0) &&
        H5Dflush(ds) >= 0)
        rc = 0;
    if (ds >= 0) H5Dclose(ds);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int sd_h5out_write_tables(sd_h5out *o, int n, const sd_h5table *t, char *err, size_t errlen)
{
    if (!o) { sd_io_seterr(err, errlen, "(null): no output file"); return -1; }
    if (n <= 0) return 0;
    if (o->continued) return 0; /* written by the run the file continues, from the same graph */
    if (o->poisoned) {
        sd_io_seterr(err, errlen, "%s: cannot record the tables: an earlier write failed; file is kept at its last commit",
                     o->path);
        return -1;
    }
    uint64_t bytes = 4096;
    for (int i = 0; i < n; i++) {
        if (!t[i].name || !*t[i].name || strchr(t[i].name, '/') || t[i].rows < 1 || t[i].cols < 1 || !t[i].data) {
            sd_io_seterr(err, errlen, "%s: cannot record table %d: it needs a name without '/', rows, columns and values",
                         o->path, i);
            return -1;
        }
        bytes += (uint64_t)t[i].rows * (uint64_t)t[i].cols * 8 + 1024;
    }
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(o->file, bytes);
    if (e) {
        sd_io_seterr(err, errlen, "%s: cannot record the tables: %s", o->path, strerror(e));
        sd_h5_quiet_off(q);
        return -1; /* nothing touched */
    }
    hid_t g = H5Gcreate2(o->file, "tables", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = g < 0;
    for (int i = 0; !rc && i < n; i++) rc = table_dataset(g, &t[i]) < 0;
    if (g >= 0) H5Gclose(g);
    if (rc) {
        char why[256];
        sd_h5why(why, sizeof why);
        o->poisoned = 1; /* a half-written group: keep the file at its last commit */
        sd_io_seterr(err, errlen, "%s: cannot record the tables: %s", o->path, why);
        H5Eclear2(H5E_DEFAULT);
        sd_h5_quiet_off(q);
        return -1;
    }
    sd_h5_quiet_off(q);
    return sd_h5out_commit(o, err, errlen);
}
