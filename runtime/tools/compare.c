/* compare.c - `stardag compare A.h5 B.h5`: two run outputs compared dataset by dataset
 * (compare.h), and the library function behind it that `stardag verify` also uses. The HDF5
 * reading is done here (the io/ readers convert everything to f64 and know no dtypes/shapes). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "stardag/stardag.h"
#include "commands.h"
#include "compare.h"
#include "strtab.h"
#include "h5err.h"
#include "compare_dset.h"

void sd_compare_opts_init(sd_compare_opts *o) { memset(o, 0, sizeof *o); }

/* ---- name lists ---------------------------------------------------------------------------- */

/* Name lists: the strings of a table in order of first addition, no duplicates. */
typedef sd_strtab names;
static int names_has(const names *l, const char *s) { return sd_strtab_find(l, s) >= 0; }
static int names_add(names *l, const char *s) { return sd_strtab_add(l, s) < 0 ? -1 : 0; }
static void names_free(names *l) { sd_strtab_free(l); }

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static herr_t collect_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    return names_add(data, name) < 0 ? -1 : 0;
}

/* Links in group `path` of f (none when the group is absent); sorted by name. */
static int list_group(hid_t f, const char *path, names *out)
{
    htri_t ex = H5Lexists(f, path, H5P_DEFAULT);
    if (ex <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    hid_t g = H5Gopen2(f, path, H5P_DEFAULT);
    if (g < 0) return -1;
    hsize_t idx = 0;
    herr_t rc = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_cb, out);
    H5Gclose(g);
    if (rc < 0) return -1;
    if (out->n > 1) qsort(out->s, out->n, sizeof *out->s, cmp_str);
    return 0;
}

/* Every dataset of f, at any depth, as "/path" (hard links only: a dataset reachable by two
 * hard links is listed under both names); sorted. */
static herr_t collect_dataset_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    if (info->type != H5L_TYPE_HARD) return 0;
    H5O_info_t oi;
    if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0) return -1;
    if (oi.type != H5O_TYPE_DATASET) return 0;
    char path[600];
    snprintf(path, sizeof path, "/%s", name);
    return names_add(data, path) < 0 ? -1 : 0;
}

static int list_datasets(hid_t f, names *out)
{
    if (H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, collect_dataset_cb, out) < 0) return -1;
    if (out->n > 1) qsort(out->s, out->n, sizeof *out->s, cmp_str);
    return 0;
}

/* ---- one comparison ------------------------------------------------------------------------ */

typedef struct cmp_ctx {
    const char *a, *b;
    hid_t fa, fb;
    const sd_compare_opts *o;
    FILE *rep;
    sd_compare_result r;
    int bitwise;
    char *err;
    size_t errlen;
} cmp_ctx;

static void mark_differ(cmp_ctx *c, const char *name)
{
    c->r.differ++;
    if (!c->r.first[0]) {
        size_t l = strlen(name);
        if (l >= sizeof c->r.first) l = sizeof c->r.first - 1;
        memcpy(c->r.first, name, l);
        c->r.first[l] = 0;
    }
}

/* Compare dataset `path`, present in A and/or B. Returns 0, or -1 on a read error (bad input). */
static int compare_one(cmp_ctx *c, const char *path, int in_a, int in_b)
{
    c->r.datasets++;
    FILE *rep = c->rep;
    if (!in_a || !in_b) {
        mark_differ(c, path);
        if (rep) fprintf(rep, "  %-28s only in %s\n", path, in_a ? c->a : c->b);
        return 0;
    }
    sd_dset da, db;
    char why[256];
    if (sd_dset_read(c->fa, path, &da, why, sizeof why) < 0) {
        sd_io_seterr(c->err, c->errlen, "%s: cannot read %s: %s", c->a, path, why);
        return -1;
    }
    if (sd_dset_read(c->fb, path, &db, why, sizeof why) < 0) {
        sd_io_seterr(c->err, c->errlen, "%s: cannot read %s: %s", c->b, path, why);
        sd_dset_free(&da);
        return -1;
    }
    char sa[128], sb[128];
    sd_dset_dims_text(&da, sa, sizeof sa);
    sd_dset_dims_text(&db, sb, sizeof sb);
    if (da.kind != db.kind || da.esize != db.esize || da.vlen != db.vlen || strcmp(da.tname, db.tname)) {
        mark_differ(c, path);
        if (rep) fprintf(rep, "  %-28s dtype %s vs %s\n", path, sd_dset_type(&da), sd_dset_type(&db));
        goto done;
    }
    if (strcmp(sa, sb)) {
        mark_differ(c, path);
        if (rep) fprintf(rep, "  %-28s shape %s vs %s\n", path, sa, sb);
        goto done;
    }
    const sd_compare_opts *o = c->o;
    int exact = c->bitwise || da.kind != 'f', scaled = !exact && o->scaled_tol > 0;
    double amax = 0;
    if (scaled)
        for (hsize_t i = 0; i < da.n; i++) {
            double x = fabs(sd_dset_value(&da, i));
            if (isfinite(x) && x > amax) amax = x;
        }
    double max_abs = 0, max_rel = 0, max_sc = 0;
    long long nexc = 0;
    hsize_t first = 0;
    for (hsize_t i = 0; i < da.n; i++) {
        double x = sd_dset_value(&da, i), y = sd_dset_value(&db, i);
        int both_nan = da.kind == 'f' && isnan(x) && isnan(y);
        int same = both_nan || (exact ? sd_dset_same(&da, &db, i) : x == y);
        double d = da.kind == 'i' || da.kind == 'u' ? sd_dset_int_diff(&da, &db, i) : fabs(x - y);
        int finite_pair = isfinite(x) && isfinite(y);
        if (finite_pair) {
            if (d > max_abs) max_abs = d;
            double m = fmax(fabs(x), fabs(y));
            if (m > 0 && d / m > max_rel) max_rel = d / m;
            double s = amax > 0 ? d / amax : (d > 0 ? INFINITY : 0);
            if (s > max_sc) max_sc = s;
        }
        int ok;
        if (same) ok = 1;
        else if (!finite_pair || exact) ok = 0;
        else if (scaled) ok = d <= o->scaled_tol * amax;
        else ok = d <= o->atol + o->rtol * fmax(fabs(x), fabs(y));
        if (!ok && !nexc++) first = i;
    }
    c->r.elements += (long long)da.n;
    if (max_abs > c->r.max_abs) c->r.max_abs = max_abs;
    if (max_rel > c->r.max_rel) c->r.max_rel = max_rel;
    if (max_sc > c->r.max_scaled) c->r.max_scaled = max_sc;
    if (nexc) mark_differ(c, path);
    if (rep && (nexc || o->report_all)) {
        fprintf(rep, "  %-28s %s%s %llu elements  max abs diff %.3g  max rel diff %.3g  exceeding %lld", path,
                sd_dset_type(&da), sa, (unsigned long long)da.n, max_abs, max_rel, nexc);
        if (nexc) {
            char ix[128];
            sd_dset_index_text(&da, first, ix, sizeof ix);
            char va[96], vb[96];
            sd_dset_value_text(&da, first, va, sizeof va);
            sd_dset_value_text(&db, first, vb, sizeof vb);
            fprintf(rep, ", first at %s: %s vs %s", ix, va, vb);
        }
        fputc('\n', rep);
    }
done:
    sd_dset_free(&da);
    sd_dset_free(&db);
    return 0;
}

/* ---- files --------------------------------------------------------------------------------- */

static hid_t open_output(const char *path, int any_file, char *err, size_t errlen)
{
    struct stat st;
    char why[256];
    if (stat(path, &st) < 0) {
        sd_io_seterr(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        sd_io_seterr(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) {
        H5Eclear2(H5E_DEFAULT);
        sd_io_seterr(err, errlen, "%s: not an HDF5 file", path);
        return -1;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        sd_io_seterr(err, errlen, "%s: cannot open: %s", path, sd_h5_open_why(path, why, sizeof why));
        return -1;
    }
    if (!any_file && H5Aexists(f, "stardag_format") <= 0) {
        H5Eclear2(H5E_DEFAULT);
        sd_io_seterr(err, errlen, "%s: not a stardag output (no stardag_format attribute)", path);
        H5Fclose(f);
        return -1;
    }
    return f;
}

static int listed(const char *const *list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], name)) return 1;
    return 0;
}

/* any_file: every dataset of either file */
static int compare_all_datasets(cmp_ctx *c)
{
    names la = {0}, lb = {0}, all = {0};
    int rc = -1;
    char why[256];
    if (list_datasets(c->fa, &la) < 0 || list_datasets(c->fb, &lb) < 0) {
        sd_io_seterr(c->err, c->errlen, "%s, %s: cannot list the datasets: %s", c->a, c->b, sd_h5why(why, sizeof why));
        goto out;
    }
    for (int i = 0; i < la.n + lb.n; i++)
        if (names_add(&all, i < la.n ? la.s[i] : lb.s[i - la.n]) < 0) {
            sd_io_seterr(c->err, c->errlen, "%s, %s: out of memory", c->a, c->b);
            goto out;
        }
    if (all.n > 1) qsort(all.s, all.n, sizeof *all.s, cmp_str);
    for (int i = 0; i < all.n; i++)
        if (compare_one(c, all.s[i], names_has(&la, all.s[i]), names_has(&lb, all.s[i])) < 0) goto out;
    rc = 0;
out:
    names_free(&la);
    names_free(&lb);
    names_free(&all);
    return rc;
}

static int compare_files(cmp_ctx *c)
{
    if (c->o->any_file) return compare_all_datasets(c);
    const sd_compare_opts *o = c->o;
    int rc = -1;
    char why[256];
    names fa = {0}, fb = {0}, fields = {0}, sa = {0}, sb = {0}, scal = {0}, stA = {0}, stB = {0}, steps = {0};
    if (list_group(c->fa, "/fields", &fa) < 0 || list_group(c->fb, "/fields", &fb) < 0 ||
        list_group(c->fa, "/scalars", &sa) < 0 || list_group(c->fb, "/scalars", &sb) < 0) {
        sd_io_seterr(c->err, c->errlen, "%s, %s: cannot list the datasets: %s", c->a, c->b, sd_h5why(why, sizeof why));
        goto out;
    }
    int want_fields = o->nfields > 0 || !(o->only_listed && o->nscalars > 0);
    int want_scalars = o->nscalars > 0 || !(o->only_listed && o->nfields > 0);
    for (int i = 0; i < o->nfields; i++)
        if (!names_has(&fa, o->fields[i]) && !names_has(&fb, o->fields[i])) {
            sd_io_seterr(c->err, c->errlen, "%s, %s: no field '%s' in either file", c->a, c->b, o->fields[i]);
            goto out;
        }
    for (int i = 0; i < o->nscalars; i++)
        if (!names_has(&sa, o->scalars[i]) && !names_has(&sb, o->scalars[i])) {
            sd_io_seterr(c->err, c->errlen, "%s, %s: no scalar series '%s' in either file", c->a, c->b, o->scalars[i]);
            goto out;
        }
    for (int i = 0; i < fa.n + fb.n; i++) {
        const char *nm = i < fa.n ? fa.s[i] : fb.s[i - fa.n];
        if (want_fields && (!o->nfields || listed(o->fields, o->nfields, nm)) && names_add(&fields, nm) < 0) goto oom;
    }
    if (fields.n > 1) qsort(fields.s, fields.n, sizeof *fields.s, cmp_str);
    for (int k = 0; k < fields.n; k++) {
        char gp[512], dp[600];
        snprintf(gp, sizeof gp, "/fields/%s", fields.s[k]);
        int ina = names_has(&fa, fields.s[k]), inb = names_has(&fb, fields.s[k]);
        names_free(&stA);
        names_free(&stB);
        names_free(&steps);
        if ((ina && list_group(c->fa, gp, &stA) < 0) || (inb && list_group(c->fb, gp, &stB) < 0)) {
            sd_io_seterr(c->err, c->errlen, "%s, %s: cannot list %s: %s", c->a, c->b, gp, sd_h5why(why, sizeof why));
            goto out;
        }
        if (!stA.n && !stB.n) { /* a field with no output step in either file: nothing to compare */
            if (ina != inb) {
                c->r.datasets++;
                mark_differ(c, gp);
                if (c->rep) fprintf(c->rep, "  %-28s only in %s\n", gp, ina ? c->a : c->b);
            }
            continue;
        }
        for (int i = 0; i < stA.n + stB.n; i++)
            if (names_add(&steps, i < stA.n ? stA.s[i] : stB.s[i - stA.n]) < 0) goto oom;
        if (steps.n > 1) qsort(steps.s, steps.n, sizeof *steps.s, cmp_str); /* zero-padded: step order */
        for (int i = 0; i < steps.n; i++) {
            snprintf(dp, sizeof dp, "%s/%s", gp, steps.s[i]);
            if (compare_one(c, dp, names_has(&stA, steps.s[i]), names_has(&stB, steps.s[i])) < 0) goto out;
        }
    }
    if (want_scalars) {
        static const char *const fixed[] = {"step", "time"};
        for (int i = 0; i < 2; i++)
            if ((names_has(&sa, fixed[i]) || names_has(&sb, fixed[i])) && names_add(&scal, fixed[i]) < 0) goto oom;
        for (int i = 0; i < sa.n + sb.n; i++) {
            const char *nm = i < sa.n ? sa.s[i] : sb.s[i - sa.n];
            if (o->nscalars && !listed(o->scalars, o->nscalars, nm)) continue;
            if (names_add(&scal, nm) < 0) goto oom;
        }
        for (int i = 0; i < scal.n; i++) {
            char dp[600];
            snprintf(dp, sizeof dp, "/scalars/%s", scal.s[i]);
            if (compare_one(c, dp, names_has(&sa, scal.s[i]), names_has(&sb, scal.s[i])) < 0) goto out;
        }
    }
    rc = 0;
    goto out;
oom:
    sd_io_seterr(c->err, c->errlen, "%s, %s: out of memory", c->a, c->b);
out:
    names_free(&fa);
    names_free(&fb);
    names_free(&fields);
    names_free(&sa);
    names_free(&sb);
    names_free(&scal);
    names_free(&stA);
    names_free(&stB);
    names_free(&steps);
    return rc;
}

int sd_compare_h5(const char *a, const char *b, const sd_compare_opts *o, FILE *report, sd_compare_result *res,
                  char *err, size_t errlen)
{
    sd_compare_opts def;
    if (!o) {
        sd_compare_opts_init(&def);
        o = &def;
    }
    if (err && errlen) err[0] = 0;
    cmp_ctx C = {.a = a, .b = b, .fa = -1, .fb = -1, .o = o, .rep = report, .err = err, .errlen = errlen};
    C.bitwise = o->rtol == 0 && o->atol == 0 && !(o->scaled_tol > 0);
    sd_h5_quiet q = sd_h5_quiet_on();
    int status = SD_EXIT_BADGRAPH;
    if ((C.fa = open_output(a, o->any_file, err, errlen)) < 0 || (C.fb = open_output(b, o->any_file, err, errlen)) < 0)
        goto out;
    if (compare_files(&C) < 0) goto out;
    status = C.r.differ ? SD_EXIT_CHECK : SD_EXIT_OK;
    if (report) {
        if (C.r.differ)
            fprintf(report, "%s and %s differ: %d of %d datasets out of tolerance (first: %s)\n", a, b, C.r.differ,
                    C.r.datasets, C.r.first);
        else if (C.bitwise) fprintf(report, "%s and %s agree (bitwise)\n", a, b);
        else if (o->scaled_tol > 0)
            fprintf(report, "%s and %s agree within tol=%g x max|%s| per dataset\n", a, b, o->scaled_tol, a);
        else fprintf(report, "%s and %s agree within rtol=%g atol=%g\n", a, b, o->rtol, o->atol);
    }
out:
    if (C.fa >= 0) H5Fclose(C.fa);
    if (C.fb >= 0) H5Fclose(C.fb);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    if (res) *res = C.r;
    return status;
}

/* The public form (stardag.h): the report as text, for bindings that have no FILE. */
int sd_compare_outputs(const char *a, const char *b, double rtol, double atol, int any_file, char *report,
                       size_t reportlen, char *err, size_t errlen)
{
    sd_compare_opts o;
    sd_compare_opts_init(&o);
    o.rtol = rtol;
    o.atol = atol;
    o.any_file = any_file;
    if (report && reportlen) report[0] = 0;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = report && reportlen ? open_memstream(&text, &len) : NULL;
    if (report && reportlen && !mem) {
        sd_io_seterr(err, errlen, "%s, %s: cannot compare: %s", a, b, strerror(errno));
        return SD_EXIT_RUNTIME;
    }
    int status = sd_compare_h5(a, b, &o, mem, NULL, err, errlen);
    if (mem && fclose(mem) == 0 && text) snprintf(report, reportlen, "%s", text);
    free(text);
    return status;
}

/* ---- the command --------------------------------------------------------------------------- */

static const char compare_usage[] =
    "usage: stardag compare A.h5 B.h5 [--rtol R] [--atol A] [--fields NAME,...] [--scalars NAME,...] [--any] [--quiet]\n"
    "  compares every field step and scalar series of two run outputs; default: bitwise.\n"
    "  --any: every dataset of two HDF5 files of any layout (H5MD trajectories, say).\n"
    "  An element passes when |a-b| <= atol + rtol*max(|a|,|b|); NaN matches only NaN.\n"
    "  Exit 0: they agree; 3: they differ; 2: bad input.\n";

static int split_list(char *s, const char ***out, int *n)
{
    int cap = 1;
    for (char *p = s; *p; p++) cap += *p == ',';
    const char **v = realloc(*out, (size_t)(*n + cap) * sizeof *v);
    if (!v) return -1;
    *out = v;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","))
        if (*tok) v[(*n)++] = tok;
    return 0;
}

static int parse_tol(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (errno == ERANGE && fabs(*v) < 1) errno = 0; /* 1e-400: below the smallest double, as good as 0 */
    return *s && !*end && !errno && *v >= 0 && isfinite(*v);
}

int sd_cmd_compare(int argc, char **argv)
{
    sd_compare_opts o;
    sd_compare_opts_init(&o);
    o.only_listed = 1;
    o.report_all = 1;
    const char *files[2] = {NULL, NULL};
    int nf = 0, status = SD_EXIT_BADGRAPH, quiet = 0;
    const char **fl = NULL, **sl = NULL;
    int nfl = 0, nsl = 0;
    char *copies[64];
    int ncopies = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(compare_usage, stdout);
            status = SD_EXIT_OK;
            goto out;
        }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--any")) {
            o.any_file = 1;
            continue;
        }
        if (a[0] != '-' || !a[1]) {
            if (nf == 2) {
                fprintf(stderr, "stardag compare: unexpected argument '%s' (expected two files)\n%s", a, compare_usage);
                goto out;
            }
            files[nf++] = a;
            continue;
        }
        if (strcmp(a, "--rtol") && strcmp(a, "--atol") && strcmp(a, "--fields") && strcmp(a, "--scalars")) {
            fprintf(stderr, "stardag compare: unknown option '%s'\n%s", a, compare_usage);
            goto out;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "stardag compare: option %s needs a value\n%s", a, compare_usage);
            goto out;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--rtol") || !strcmp(a, "--atol")) {
            double x;
            if (!parse_tol(v, &x)) {
                fprintf(stderr, "stardag compare: %s expects a number >= 0, got '%s'\n", a, v);
                goto out;
            }
            *(a[2] == 'r' ? &o.rtol : &o.atol) = x;
        } else if (!strcmp(a, "--fields") || !strcmp(a, "--scalars")) {
            if (!*v || strspn(v, ",") == strlen(v)) {
                fprintf(stderr, "stardag compare: %s expects NAME[,NAME...], got '%s'\n", a, v);
                goto out;
            }
            if (ncopies == 64 || !(copies[ncopies] = strdup(v))) {
                fprintf(stderr, "stardag compare: too many %s options\n", a);
                goto out;
            }
            int isf = a[2] == 'f';
            if (split_list(copies[ncopies++], isf ? &fl : &sl, isf ? &nfl : &nsl) < 0) {
                fprintf(stderr, "stardag compare: out of memory\n");
                goto out;
            }
        } else {
            fprintf(stderr, "stardag compare: unknown option '%s'\n%s", a, compare_usage);
            goto out;
        }
    }
    if (nf != 2) {
        fprintf(stderr, "stardag compare: two output files are needed\n%s", compare_usage);
        goto out;
    }
    o.fields = fl;
    o.nfields = nfl;
    o.scalars = sl;
    o.nscalars = nsl;
    o.report_all = !quiet;
    char err[1024];
    status = sd_compare_h5(files[0], files[1], &o, stdout, NULL, err, sizeof err);
    if (status == SD_EXIT_BADGRAPH) fprintf(stderr, "stardag compare: %s\n", err);
out:
    for (int i = 0; i < ncopies; i++) free(copies[i]);
    free(fl);
    free(sl);
    return status;
}
