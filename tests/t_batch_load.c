/* t_batch_load.c - the batch domain's front end, at load (no run): domain.batch's syntax, the
 * system by name (with suggestions), initial values (expressions of i and M, reproducible random
 * draws, HDF5 and CSV files) and their errors, what a batch refuses (levels, f32, halos, grid
 * codelets, tile shapes), the codelets' ncomp hook and optional field roles left unbound. The
 * expression-system tests need runtime/ode's expression systems: they skip (TAP SKIP) while the
 * branch links the placeholder that refuses them. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch_fixture.h"
#include "graph.h"
#include "tap.h"

static char tmp[900];

static sd_graph *parse(const char *text, char *err, size_t len) { return sd_graph_parse("b.yaml", text, err, len); }

/* The graph must fail with a message containing want (every fragment, '|'-separated). */
static void refuse(const char *text, const char *want, const char *what)
{
    char err[2048] = "";
    sd_graph *g = parse(text, err, sizeof err);
    int good = g == NULL;
    char w[1024], *save = NULL;
    snprintf(w, sizeof w, "%s", want);
    for (char *p = strtok_r(w, "|", &save); p && good; p = strtok_r(NULL, "|", &save)) good = strstr(err, p) != NULL;
    if (!ok(good, "refused: %s", what)) diag("got: %s", g ? "(loaded)" : err);
    sd_graph_free(g);
}

/* The values op of field `name` (the init ops made by values:), or NULL. */
static const double *values_of(const sd_graph *g, const char *name)
{
    const int f = sd_graph_field_index(g, name);
    for (int i = 0; i < g->ninit; i++)
        if (g->init[i].read && g->init[i].read->values && g->init[i].bind[0].index == f) return g->init[i].read->values;
    return NULL;
}

#define HEAD "run: {steps: 2, dt: 0.1}\nparams: {k0: 0.5}\n"
#define DOM(M, extra) "domain:\n  batch:\n    count: " #M "\n    system: t_osc\n" extra
#define FIELDS "fields:\n  y: {components: 2}\n  k:\n"
#define YK "    values: {y: [1, 0], k: 1}\n"
#define EULER "step:\n  - op: t.euler\n    readwrite: {y: y}\n    read: {p: k}\n"

static void test_values(void)
{
    char err[2048];
    sd_graph *g = parse(HEAD DOM(10, "    values:\n      y: [\"sin(i)\", \"-i/M\"]\n      k: \"k0 + 1.5*i/(M-1)\"\n")
                            FIELDS EULER, err, sizeof err);
    if (!ok(g != NULL, "a batch with expression values loads")) {
        diag("%s", err);
        return;
    }
    ok(g->domain.kind == SD_DOMAIN_BATCH && g->domain.ndim == 1 && g->domain.shape[0] == 10 && g->domain.batch.count == 10 &&
       g->domain.batch.system == sd_ode_system_find("t_osc"), "domain: batch of 10 t_osc systems, one axis");
    const double *y = values_of(g, "y"), *k = values_of(g, "k");
    int good = y && k;
    for (int i = 0; good && i < 10; i++)
        good = y[i] == sin((double)i) && y[10 + i] == -(double)i / 10 && k[i] == 0.5 + 1.5 * i / 9.0;
    ok(good, "values: per system and component, components outermost, params and M known");
    ok(g->ninit == 2 && !strcmp(g->init[0].cl->name, "io.values"), "one io.values init op per field");
    sd_graph_free(g);

    g = parse(HEAD DOM(4, "    values: {k: 2.5, y: [1, 0]}\n") FIELDS EULER, err, sizeof err);
    ok(g && values_of(g, "k")[3] == 2.5 && values_of(g, "y")[4 + 3] == 0, "constant values");
    sd_graph_free(g);

    g = parse(HEAD DOM(4, "    values: {k: 1, y: \"i + 0.5\"}\n") FIELDS EULER, err, sizeof err);
    good = g != NULL;
    for (int i = 0; good && i < 4; i++) good = values_of(g, "y")[i] == i + 0.5 && values_of(g, "y")[4 + i] == i + 0.5;
    ok(good, "one expression sets every component of a field");
    sd_graph_free(g);

    refuse(HEAD DOM(10, "    values:\n      k: \"sqrt(i - 3)\"\n") FIELDS EULER,
           "b.yaml:8:10: |the value of k, 'sqrt(i - 3)', is not finite for system 0", "a NaN value names the system");
    refuse(HEAD DOM(10, "    values:\n      k: \"1/(i - 4)\"\n") FIELDS EULER, "divides by zero for system 4",
           "a division by zero names the system");
    refuse(HEAD DOM(10, "    values:\n      k: \"2*j\"\n") FIELDS EULER, "unknown name 'j' in '2*j' (expected i",
           "an unknown name");
    refuse(HEAD DOM(10, "    values:\n      y: [\"1\"]\n") FIELDS EULER,
           "values of field 'y' has 1 entry for 2 components", "one entry per component");
    refuse(HEAD DOM(10, "    values:\n      y: {seed: 1}\n") FIELDS EULER, "expected an expression, a list of 2 (one per component)",
           "a map that is neither random nor a file");
    refuse(HEAD DOM(10, "    values:\n      kk: 1\n") FIELDS EULER, "b.yaml:8:7: values of 'kk', which is not a field (did you mean 'k'?)",
           "values of an unknown field");
}

static void test_random(void)
{
    char err[2048];
    const char *text = HEAD DOM(2000, "    values:\n      k: {random: uniform, range: [2, 3], seed: 7}\n"
                                      "      y: {random: normal, mean: 1, sd: 0.5, seed: 7}\n") FIELDS EULER;
    sd_graph *a = parse(text, err, sizeof err), *b = parse(text, err, sizeof err);
    if (!ok(a && b, "random values load")) {
        diag("%s", err);
        sd_graph_free(a);
        sd_graph_free(b);
        return;
    }
    const double *ka = values_of(a, "k"), *kb = values_of(b, "k"), *y = values_of(a, "y");
    ok(!memcmp(ka, kb, 2000 * sizeof *ka) && !memcmp(y, values_of(b, "y"), 4000 * sizeof *y), "reproducible: the same draws twice");
    double lo = 1e300, hi = -1e300, m0 = 0, m1 = 0, v0 = 0, same = 0;
    for (int i = 0; i < 2000; i++) {
        lo = fmin(lo, ka[i]);
        hi = fmax(hi, ka[i]);
        m0 += y[i] / 2000;
        m1 += y[2000 + i] / 2000;
        same += y[i] == y[2000 + i];
    }
    for (int i = 0; i < 2000; i++) v0 += (y[i] - m0) * (y[i] - m0) / 1999;
    ok(lo >= 2 && hi < 3 && hi - lo > 0.99, "uniform: in [2, 3) and spread over it (%g .. %g)", lo, hi);
    ok(fabs(m0 - 1) < 0.05 && fabs(m1 - 1) < 0.05 && fabs(sqrt(v0) - 0.5) < 0.05 && same == 0,
       "normal: mean 1, sd 0.5 (%.4f, %.4f, sd %.4f); components draw independently", m0, m1, sqrt(v0));
    sd_graph_free(b);
    /* the draw of system i depends on (seed, field, component, i) only: a smaller batch has the same first values */
    b = parse(HEAD DOM(500, "    values:\n      k: {random: uniform, range: [2, 3], seed: 7}\n      y: [0, 0]\n") FIELDS EULER, err, sizeof err);
    ok(b && !memcmp(values_of(b, "k"), ka, 500 * sizeof *ka), "system i's draw does not depend on the count");
    sd_graph_free(b);
    b = parse(HEAD DOM(500, "    values:\n      k: {random: uniform, range: [2, 3], seed: 8}\n      y: [0, 0]\n") FIELDS EULER, err, sizeof err);
    ok(b && memcmp(values_of(b, "k"), ka, 500 * sizeof *ka), "another seed, other draws");
    sd_graph_free(b);
    sd_graph_free(a);
    refuse(HEAD DOM(10, "    values:\n      k: {random: gauss, seed: 1}\n") FIELDS EULER,
           "unknown distribution 'gauss' (expected uniform or normal)", "an unknown distribution");
    refuse(HEAD DOM(10, "    values:\n      k: {random: uniform, range: [3, 2]}\n") FIELDS EULER,
           "range is [3, 2] (expected finite LO <= HI)", "an empty range");
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

static void test_csv(void)
{
    char path[1000], text[4096], err[2048];
    snprintf(path, sizeof path, "%s/init.csv", tmp);
    char csv[1024] = "id, k ,\"x\",v\n";
    for (int i = 0; i < 10; i++) snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%d,%g,%d,%g\n", i, 0.25 * i, -i, 0.5 * i);
    write_file(path, csv);
    snprintf(text, sizeof text, HEAD DOM(10, "    values:\n      k: {file: %s, column: k}\n      y: {file: %s, columns: [x, v]}\n")
             FIELDS EULER, path, path);
    sd_graph *g = parse(text, err, sizeof err);
    if (ok(g != NULL, "values from CSV columns load")) {
        const double *k = values_of(g, "k"), *y = values_of(g, "y");
        int good = 1;
        for (int i = 0; i < 10; i++) good &= k[i] == 0.25 * i && y[i] == -i && y[10 + i] == 0.5 * i;
        ok(good, "CSV: columns by header name (trimmed, quoted), one row per system");
    } else diag("%s", err);
    sd_graph_free(g);
    snprintf(text, sizeof text, HEAD DOM(10, "    values:\n      k: {file: %s, column: k}\n      y: [0, 0]\n") FIELDS EULER
             "output: {file: %s}\n", path, path);
    refuse(text, "is the file the graph reads its initial state from", "the output file may not be a values file");
    snprintf(text, sizeof text, HEAD DOM(11, "    values:\n      k: {file: %s, column: k}\n") FIELDS EULER, path);
    refuse(text, "init.csv has 10 rows, the batch has 11 systems", "a CSV with another row count");
    snprintf(text, sizeof text, HEAD DOM(10, "    values:\n      k: {file: %s, column: kk}\n") FIELDS EULER, path);
    refuse(text, "init.csv has no column 'kk' (did you mean 'k'? its header: id, k, x, v)", "a missing column");
    snprintf(text, sizeof text, HEAD DOM(10, "    values:\n      y: {file: %s, column: k}\n") FIELDS EULER, path);
    refuse(text, "field 'y' has 2 components: expected columns: [2 names]", "column for a field of 2 components");
    write_file(path, "k,x\n1,2\n3, abc\n");
    snprintf(text, sizeof text, HEAD DOM(2, "    values:\n      y: {file: %s, columns: [k, x]}\n") FIELDS EULER, path);
    refuse(text, "init.csv:3:4: 'abc' is not a finite number (column 2)", "a non-number at file:line:col");
    write_file(path, "k,x\n1,2\n3\n");
    refuse(text, "init.csv:3: the row has 1 cell, the header 2", "a short row");
    write_file(path, "k,x\n1,2\n3,4,5\n");
    refuse(text, "init.csv:3: the row has 3 cells, the header 2 (expected one cell per column)", "a long row");
    write_file(path, "k,name,x\n1,\"Smith, J\",2,\n3,\"Doe\",4\n");
    snprintf(text, sizeof text, HEAD DOM(2, "    values:\n      y: {file: %s, columns: [k, x]}\n      k: 1\n") FIELDS EULER,
             path);
    g = parse(text, err, sizeof err);
    if (ok(g != NULL, "CSV: a comma inside quotes and a trailing comma separate nothing")) {
        const double *y = values_of(g, "y");
        ok(y[0] == 1 && y[1] == 3 && y[2] == 2 && y[3] == 4, "... and the columns are the header's");
    } else diag("%s", err);
    sd_graph_free(g);
    snprintf(text, sizeof text, HEAD DOM(2, "    values:\n      y: {file: %s, columns: [k, x]}\n") FIELDS EULER, path);
    write_file(path, "k,x,k\n1,2,3\n3,4,5\n");
    refuse(text, "init.csv:1: column 'k' appears twice in the header (columns 1 and 3)", "a column name twice");
    static const char with_nul[] = "k,x\n1,2\n3,4\0\n5,6\n"; /* a NUL byte would end the text early: the rows after it never read */
    FILE *nul = fopen(path, "wb");
    if (nul) fwrite(with_nul, 1, sizeof with_nul - 1, nul), fclose(nul);
    refuse(text, "init.csv:3:4: a NUL byte (expected a text file)", "a NUL byte");
    snprintf(text, sizeof text, HEAD DOM(2, "    values:\n      k: {file: %s/none.csv, column: k}\n") FIELDS EULER, tmp);
    refuse(text, "cannot open", "a missing file");
}

static int write_h5_bad(const char *path, int64_t comps, int64_t m, int64_t bad_at);
static int write_h5(const char *path, int64_t comps, int64_t m) { return write_h5_bad(path, comps, m, -1); }

/* [comps][m] values 0.5 i - 1, value bad_at (if >= 0) NaN */
static int write_h5_bad(const char *path, int64_t comps, int64_t m, int64_t bad_at)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return -1;
    hsize_t dims[2] = {(hsize_t)comps, (hsize_t)m};
    const int rank = comps > 1 ? 2 : 1;
    if (rank == 1) dims[0] = (hsize_t)m;
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(f, "/mu", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double *v = malloc(sizeof *v * comps * m);
    for (int64_t i = 0; i < comps * m; i++) v[i] = i == bad_at ? NAN : 0.5 * i - 1;
    herr_t st = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    free(v);
    H5Dclose(d);
    H5Sclose(s);
    H5Fclose(f);
    return st < 0 ? -1 : 0;
}

static void test_h5(void)
{
    char path[1000], text[4096], err[2048];
    snprintf(path, sizeof path, "%s/init.h5", tmp);
    ok(write_h5(path, 2, 10) == 0, "an HDF5 file of [2][10] values");
    snprintf(text, sizeof text, HEAD DOM(10, "    values:\n      y: {file: %s, dataset: /mu}\n      k: 1\n") FIELDS EULER, path);
    sd_graph *g = parse(text, err, sizeof err);
    if (ok(g != NULL, "values from an HDF5 dataset load")) {
        const double *y = values_of(g, "y");
        int good = 1;
        for (int i = 0; i < 20; i++) good &= y[i] == 0.5 * i - 1;
        ok(good, "HDF5: [component][system], as written");
    } else diag("%s", err);
    sd_graph_free(g);
    snprintf(text, sizeof text, HEAD DOM(12, "    values:\n      y: {file: %s, dataset: /mu}\n") FIELDS EULER, path);
    refuse(text, "init.h5|/mu", "an HDF5 dataset of another shape");
    snprintf(text, sizeof text, HEAD DOM(10, "    values:\n      y: {file: %s, dataset: /nope}\n") FIELDS EULER, path);
    refuse(text, "/nope", "a missing dataset");
    ok(write_h5_bad(path, 2, 10, 13) == 0, "an HDF5 file with a NaN (component 1, system 3)");
    snprintf(text, sizeof text, HEAD DOM(10, "    values:\n      y: {file: %s, dataset: /mu}\n") FIELDS EULER, path);
    refuse(text, "init.h5: /mu holds nan for system 3, component 1: expected finite values", "a NaN value");
}

static void test_syntax(void)
{
    refuse(HEAD "domain:\n  batch:\n    count: 10\n    system: t_ocs\n" FIELDS,
           "b.yaml:6:13: unknown ODE system 't_ocs' (did you mean 't_osc'? known systems: ", "an unknown system, with a suggestion");
    refuse(HEAD "domain:\n  batch:\n    count: 10\n    system: zzzzzzzzz\n" FIELDS, "(expected one of: |t_osc",
           "an unknown system, with the list");
    refuse(HEAD "domain:\n  batch:\n    system: t_osc\n" FIELDS, "domain.batch needs count", "no count");
    refuse(HEAD "domain:\n  batch:\n    count: 0\n    system: t_osc\n" FIELDS, "count (the number of systems) must be >= 1", "count 0");
    refuse(HEAD DOM(10, "    colour: red\n") FIELDS, "colour", "an unknown key");
    refuse(HEAD DOM(10, "") "fields:\n  y: {components: 2, levels: [y0, y1]}\n",
           "field 'y' has levels, but a batch holds one value per system", "time levels");
    refuse(HEAD DOM(10, "") "fields:\n  y: {components: 2, dtype: f32}\n", "batch fields are f64", "f32 fields");
    refuse(HEAD DOM(10, "") FIELDS "step:\n  - op: common.fill\n    write: {out: k}\n", "common.fill runs on grids, but this graph's domain is a batch",
           "a grid codelet");
    refuse(HEAD DOM(10, "    tiles: 11\n" YK) FIELDS EULER, "tiles asks for 11 ranges of a batch of 10 systems", "more ranges than systems");
    refuse(HEAD DOM(10, "") FIELDS EULER "tiles: [2]\n", "expected auto or a number of ranges of systems", "a tile shape");
    refuse(HEAD DOM(10, YK) FIELDS EULER "output: {trajectory: {file: t.h5, every: 1}}\n", "output.trajectory is for particles",
           "a trajectory");
    char err[1024];
    sd_graph *g = parse(HEAD DOM(10, "    tiles: 3\n" YK) FIELDS EULER, err, sizeof err);
    ok(g && g->domain.batch.ntiles == 3, "tiles: 3 ranges");
    sd_graph_free(g);
    g = parse(HEAD DOM(10, YK) FIELDS EULER "tiles: 4\n", err, sizeof err);
    ok(g && g->domain.batch.ntiles == 4, "top-level tiles: 4 ranges");
    sd_graph_free(g);
}

static void test_roles(void)
{
    char err[2048];
    refuse(HEAD DOM(10, "") "fields:\n  y: {components: 3}\n  k:\n" EULER,
           "b.yaml:12:20: t.euler's y needs 2 components for system t_osc (n = 2 variables, np = 1 parameter, 0 events), "
           "but field 'y' has 3", "the ncomp hook: y needs n components");
    refuse(HEAD DOM(10, "") FIELDS "  kk: {components: 2}\n" "step:\n  - op: t.euler\n    readwrite: {y: y}\n    read: {p: kk}\n",
           "t.euler's p needs 1 component for system t_osc", "the ncomp hook: p needs np components");
    refuse(HEAD DOM(10, "") FIELDS "  w: {components: 4}\n" EULER "    write: {work: w}\n",
           "t.euler's work needs 5 components for system t_osc", "the ncomp hook: a work field");
    refuse(HEAD DOM(10, "") FIELDS "step:\n  - op: t.euler\n    readwrite: {y: {field: y, halo: 1}}\n",
           "takes no halo", "a halo");
    sd_graph *g = parse(HEAD DOM(10, "    values: {y: [1, 0]}\n") FIELDS "step:\n  - op: t.euler\n    readwrite: {y: y}\n", err,
                        sizeof err);
    if (ok(g != NULL, "optional roles may be left unbound")) {
        const sd_gop *op = &g->step[0];
        ok(op->bind[1].unbound && op->bind[2].unbound && op->bind[1].index < 0 && !op->bind[0].unbound,
           "unbound roles are marked (no data, p == NULL for the kernel)");
    } else diag("%s", err);
    sd_graph_free(g);
    refuse(HEAD DOM(10, "") FIELDS "step:\n  - op: t.euler\n    read: {p: k}\n", "op t.euler is missing role 'y'",
           "a required role is still required");
    refuse(HEAD DOM(10, "") FIELDS EULER, "op t.euler reads 'y', which nothing writes before it", "data flow: y needs values");
}

/* What the front end checks of an expression system before runtime/ode builds it. */
static void test_expression_syntax(void)
{
#define SYS(body) HEAD "domain:\n  batch:\n    count: 4\n    system:\n" body "fields:\n  y:\n"
    refuse(SYS("      vars: [x]\n"), "b.yaml:7:7: an expression system needs vars (the state's names) and dydt", "no dydt");
    refuse(SYS("      vars: [x, v]\n      dydt: [\"v\"]\n"),
           "b.yaml:8:13: dydt has 1 expression for 2 variables (expected one per variable", "one expression per variable");
    refuse(SYS("      vars: [x]\n      dydt: \"-x\"\n"), "expected a list of expressions for dydt", "dydt not a list");
    refuse(SYS("      vars: [1x]\n      dydt: [\"-x\"]\n"), "invalid name '1x' (expected a variable name", "a bad variable name");
    refuse(SYS("      vars: [x]\n      dydt: [\"-x\"]\n      compile: jit\n"),
           "unknown compile mode 'jit' (expected auto, native or interpreter)", "an unknown compile mode");
    refuse(SYS("      vars: [x]\n      dydt: [\"-x\"]\n      events: [{g: \"x\", direction: 2}]\n"), "direction",
           "an event direction out of range");
    refuse(SYS("      vars: [x]\n      dydt: [\"-x\"]\n      jacobian: []\n"), "jacobian", "an unknown key");
#undef SYS
}

/* Needs runtime/ode's expression systems (skips while the branch has the placeholder). */
static void test_expression_system(void)
{
    char err[2048];
    const char *text = HEAD "domain:\n  batch:\n    count: 4\n    system:\n      name: osc2\n      vars: [x, v]\n"
                            "      params: [w]\n      dydt: [\"v\", \"-w*w*x + k0*0\"]\n    values: {y: [1, 0], k: 2}\n"
                            FIELDS EULER;
    sd_graph *g = parse(text, err, sizeof err);
    if (!g && strstr(err, "expression systems are not built yet")) {
        printf("ok %d - expression systems # SKIP runtime/ode's expression systems are not in this build\n", ++tap_n);
        printf("ok %d - expression system errors # SKIP runtime/ode's expression systems are not in this build\n", ++tap_n);
        return;
    }
    if (ok(g != NULL, "an expression system loads")) {
        const sd_ode_system *s = g->domain.batch.system;
        ok(s && s->n == 2 && s->np == 1 && !strcmp(s->name, "osc2") && g->domain.batch.owned != NULL,
           "its system: n 2, np 1, named, owned by the graph");
    } else diag("%s", err);
    sd_graph_free(g);
    refuse(HEAD "domain:\n  batch:\n    count: 4\n    system:\n      vars: [x]\n      dydt: [\"-x + q\"]\n" "fields:\n  y:\n",
           "b.yaml:8:|'q'", "an unknown name in dydt, at its file:line:col");
}

int main(void)
{
    const char *t = getenv("SD_TEST_TMP");
    snprintf(tmp, sizeof tmp, "%s", t ? t : "/tmp");
    if (!ok(batch_fixture_register() == 0, "the test system and codelets register")) return tap_done();
    test_syntax();
    test_values();
    test_random();
    test_csv();
    test_h5();
    test_roles();
    test_expression_syntax();
    test_expression_system();
    return tap_done();
}
