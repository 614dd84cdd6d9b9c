/* t_tables.c - a graph's tables (tables: {NAME: {file: PATH}}) through the whole runtime: the text
 * format (comments, blank lines, commas, tabs, CRLF), every refusal of the loader with its message
 * (the file's line and column, the graph's key), the kernel view of a table role in pointwise,
 * whole-field and reduction tasks over several tilings (every value bitwise equal to a plain
 * loop), an optional table role left unbound (p == NULL), and the tables recorded in the run file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "run_graph.h"
#include "run_util.h"
#include "table_fixture.h"

enum { NX = 12, NY = 5 };

static char dir[1024];

static void write_file(const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        diag("cannot write %s", path);
        exit(99);
    }
}

/* The curve: x ascending, f; with a comment, blank lines, commas, a tab and a CRLF line. */
static const char curve_text[] = "# x (cells)  f(x)\n\n0 1.0\n2.5, 2.0   # a comment after a row\n"
                                 "\t5\t0.5\r\n\n10,3\n";
static const double curve[] = {0, 1.0, 2.5, 2.0, 5, 0.5, 10, 3};

/* "g.yaml" with the graph's tables section and ops. */
static sd_graph *parse(const char *tables, const char *step, char *err, size_t errlen)
{
    char text[4096];
    snprintf(text, sizeof text,
             "domain:\n  grid: {shape: [%d, %d], spacing: 1}\n"
             "fields:\n  u:\n  v:\nscalars: [s]\n"
             "tables:\n%s"
             "init:\n  - op: tt.ramp\n    write: {u: u}\n"
             "step:\n%s"
             "run: {steps: 1, dt: 1}\n",
             NX, NY, tables, step);
    return sd_graph_parse("g.yaml", text, err, errlen);
}

static const char scale_op[] = "  - op: tt.scale\n    read: {in: u, curve: water}\n    write: {out: v}\n";

/* A graph that must be refused with `want` in its message. */
static void refuse(const char *tables, const char *step, const char *want, const char *what)
{
    char err[2048] = "";
    sd_graph *g = parse(tables, step, err, sizeof err);
    if (!ok(g == NULL && strstr(err, want) != NULL, "%s", what)) diag("got: %s\n  want: %s", g ? "(loaded)" : err, want);
    sd_graph_free(g);
}

static void loading(void)
{
    char err[2048] = "";
    sd_graph *g = parse("  water: {file: curve.txt, columns: 2}\n", scale_op, err, sizeof err);
    if (!ok(g != NULL, "a table from a text file loads")) diag("%s", err);
    if (g) {
        const sd_gtable *t = &g->tables[0];
        ok(g->ntables == 1 && !strcmp(t->name, "water") && t->rows == 4 && t->cols == 2 && !strcmp(t->file, "curve.txt") &&
               !memcmp(t->data, curve, sizeof curve),
           "  4 rows x 2 columns, every value as written (comments, blank lines, commas, tabs, CRLF)");
        ok(g->step[0].bind[1].is_table && g->step[0].bind[1].index == 0, "  the table role is bound to the table");
    }
    sd_graph_free(g);
    g = parse("", "  - op: tt.scale\n    read: {in: u}\n    write: {out: v}\n", err, sizeof err);
    ok(g && g->step[0].bind[1].unbound && g->step[0].bind[1].is_table, "an optional table role may be left unbound");
    sd_graph_free(g);
    refuse("  water: {file: curve.txt}\n", "  - op: tt.scale\n    read: {in: u}\n    write: {out: v}\n",
           "g.yaml:8:3: table 'water' is read by no op (expected it bound to a table role in an op's read:, e.g. read: "
           "{curve: water}; `stardag codelets` lists table roles)",
           "a table no op reads (a forgotten binding would leave the op on its own data)");

    write_file("ragged.txt", "# x f\n0 1\n1 2 3\n");
    write_file("short.txt", "0 1\n\n1\n");
    write_file("word.txt", "0 1\n1 abc\n");
    write_file("nan.txt", "0 1\n1 nan\n");
    write_file("empty.txt", "# nothing but a comment\n\n");
    write_file("commas.txt", "0,,1\n");
    write_file("trail.txt", "0, 1,\n");
    refuse("  water: {file: nope.txt}\n", scale_op,
           "g.yaml:8:17: table 'water': nope.txt: cannot open: No such file or directory", "a missing file: the graph's key and the file");
    refuse("  water: {file: ragged.txt}\n", scale_op,
           "g.yaml:8:17: table 'water': ragged.txt:3:5: row 2 has more than 2 values (expected as many as row 1, line 2)",
           "a row with more values: file:line:column");
    refuse("  water: {file: short.txt}\n", scale_op,
           "short.txt:3:2: row 2 has 1 value, but row 1 (line 1) has 2 (expected the same number of values in every row)",
           "a row with fewer values");
    refuse("  water: {file: word.txt}\n", scale_op,
           "word.txt:2:3: 'abc' is not a number (expected numbers separated by spaces or commas)", "a word among the numbers");
    refuse("  water: {file: nan.txt}\n", scale_op, "nan.txt:2:3: 'nan' is not a finite number", "NaN is refused");
    refuse("  water: {file: empty.txt}\n", scale_op,
           "empty.txt: no rows (expected at least one line of numbers; blank lines and '#' comments are skipped)",
           "a file without rows");
    refuse("  water: {file: commas.txt}\n", scale_op, "commas.txt:1:3: an empty value (expected a number before the comma)",
           "two commas in a row");
    refuse("  water: {file: trail.txt}\n", scale_op, "trail.txt:1:6: a comma ends the row (expected a number after it)",
           "a trailing comma");
    refuse("  water: {file: curve.txt, columns: 3}\n", scale_op,
           "g.yaml:8:37: table 'water': curve.txt has 2 columns, expected 3 (columns)", "a column count other than `columns`");
    refuse("  water: {file: three.txt}\n", scale_op,
           "g.yaml:14:26: table 'water' has 3 columns, but role 'curve' of tt.scale needs 2", "a table too wide for the role");
    refuse("  water: {file: curve.txt}\n", "  - op: tt.scale\n    read: {in: u, curve: water}\n    write: {out: water}\n",
           "g.yaml:15:18: 'water' is a table (read-only numbers from curve.txt), but role 'out' of tt.scale writes a field",
           "a table bound to a write role");
    refuse("  water: {file: curve.txt}\n", "  - op: tt.scale\n    read: {in: water, curve: water}\n    write: {out: v}\n",
           "'water' is a table (read-only numbers from curve.txt), but role 'in' of tt.scale reads a field",
           "a table bound to a field role");
    refuse("  water: {file: curve.txt}\n", "  - op: tt.scale\n    read: {in: u, curve: watr}\n    write: {out: v}\n",
           "g.yaml:14:26: unknown table 'watr' (did you mean 'water'?)", "an unknown table name");
    refuse("  water: {file: curve.txt}\n", "  - op: tt.scale\n    read: {in: u, curve: u}\n    write: {out: v}\n",
           "role 'curve' of tt.scale reads a table, but 'u' is a field (expected a name from tables)", "a field bound to a table role");
    refuse("  u: {file: curve.txt}\n", scale_op, "g.yaml:8:3: duplicate name 'u' (already a field at line 4;",
           "a table named like a field");
    refuse("  water: {file: curve.txt, rows: 4}\n", scale_op, "g.yaml:8:28: unknown key 'rows' in table water",
           "an unknown key of a table");
    refuse("  water: curve.txt\n", scale_op, "g.yaml:8:10: expected {file: PATH} (a text file) or {file: PATH, dataset: /NAME} (HDF5) for table 'water'", "a table that is not a map");
    refuse("  water: {columns: 2}\n", scale_op, "table 'water' needs file", "a table without a file");
    write_file("descending.txt", "0 1\n2.5 2\n2 0.5\n");
    refuse("  water: {file: descending.txt}\n", scale_op,
           "g.yaml:13:9: tt.scale: curve: x must increase down the table, but row 3 has x = 2 after 2.5 (expected ascending x)",
           "the codelet's validate hook sees the table's values");
    refuse("  water: {file: curve.txt}\n", "  - op: tt.total\n    read: {in: u}\n    write: {s: s}\n",
           "op tt.total is missing role 't' (expected in read)", "a required table role left out");
}

/* v at step 1 on every tiling: in * f(x), in from tt.ramp. */
static double *reference(int with_table)
{
    double *ref = malloc(sizeof *ref * NX * NY);
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++)
            ref[i + NX * j] = tt_ramp(i, j) * (with_table ? tt_interp(curve, 4, (i + 0.5) * 1.0) : 1.0);
    return ref;
}

static void describe(int s, int64_t q, double got, double want)
{
    diag("step %d value %lld: got %.17g want %.17g", s, (long long)q, got, want);
}

static void runs(void)
{
    static const char graph_fmt[] =
        "domain:\n  grid: {shape: [12, 5], spacing: 1}\n"
        "fields:\n  u:\n  v:\n  w:\nscalars: [s]\n"
        "tables:\n%s  wide: {file: three.txt}\n"
        "init:\n  - op: tt.ramp\n    write: {u: u}\n"
        "step:\n  - op: tt.scale\n    read: {in: u%s}\n    write: {out: v}\n"
        "  - op: tt.scale_whole\n    read: {in: u%s}\n    write: {out: w}\n"
        "  - op: tt.total\n    read: {t: wide, in: u}\n    write: {s: s}\n"
        "output:\n  fields: {names: [v, w], every: 1}\n  scalars: {names: [s], every: 1}\n"
        "run: {steps: 1, dt: 1}\n";
    static const struct { int64_t tile[3]; int ncpu; const char *what; } tilings[] = {
        {{NX, NY, 1}, 1, "one tile"},
        {{5, 2, 1}, 2, "3x3 uneven tiles, 2 CPUs"},
    };
    sd_acc acc; /* tt.total: sum of in * t[0][0], three.txt's first value being 2 */
    sd_acc_init(&acc);
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) sd_acc_add(&acc, tt_ramp(i, j) * 2.0);
    const double sum_ref = sd_acc_sum(&acc);
    for (int with = 1; with >= 0; with--) {
        char graph[2048];
        snprintf(graph, sizeof graph, graph_fmt, with ? "  water: {file: curve.txt}\n" : "", with ? ", curve: water" : "",
                 with ? ", curve: water" : "");
        double *ref = reference(with);
        for (size_t r = 0; r < sizeof tilings / sizeof tilings[0]; r++) {
            char out[1200];
            snprintf(out, sizeof out, "%s/tables%d%zu.h5", dir, with, r);
            const run_spec spec = {{tilings[r].tile[0], tilings[r].tile[1], 1}, tilings[r].ncpu, "lws"};
            int rc = run_graph_text("g.yaml", graph, out, &spec);
            if (!ok(rc == 0, "%s, %s: runs", with ? "with the table" : "the optional table left unbound", tilings[r].what))
                continue;
            int64_t values;
            int64_t wrong = field_steps_differ(out, "v", 1, ref, NX * NY, &values, describe);
            ok(values == NX * NY && wrong == 0, "  pointwise: every value bitwise %s (%lld wrong)",
               with ? "in * f(x) from the table" : "in * 1 (p == NULL)", (long long)wrong);
            wrong = field_steps_differ(out, "w", 1, ref, NX * NY, &values, describe);
            ok(values == NX * NY && wrong == 0, "  whole-field task: the same (%lld wrong)", (long long)wrong);
            int64_t *steps = NULL, n = 0;
            double *s = NULL;
            char err[1024];
            ok(sd_h5_read_scalar(out, "s", &steps, &s, &n, err, sizeof err) == 0 && n == 1 && s[0] == sum_ref,
               "  reduction reading a table of 3 columns: sum of in * t[0][0] (%.17g)", sum_ref);
            free(steps);
            free(s);
            if (with && r == 0) {
                char cmd[4096];
                snprintf(cmd, sizeof cmd, "h5dump -d /tables/water -a /tables/water/file -d /tables/wide '%s'", out);
                FILE *p = popen(cmd, "r");
                char buf[8192] = "";
                size_t got = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
                int prc = p ? pclose(p) : -1;
                buf[got] = 0;
                /* h5dump comes with hdf5-tools, which scripts/setup.sh installs */
                ok(prc == 0 && strstr(buf, "( 4, 2 )") && strstr(buf, "(0,0): 0, 1,") && strstr(buf, "(1,0): 2.5, 2,") &&
                       strstr(buf, "(3,0): 10, 3") && strstr(buf, "\"curve.txt\"") && strstr(buf, "( 1, 3 )"),
                   "the run file records each table's values and file (/tables/NAME, attribute file)");
                if (prc) diag("%s", buf);
            }
            if (!(with && r == 0)) remove(out); /* the first is kept: hdf5() reads its /tables */
        }
        free(ref);
    }
}

/* Tables from HDF5 datasets: a run file's own /tables/water (the record of the run above), a 1-D
 * integer dataset as one column, and the refusals. */
static void hdf5(void)
{
    char err[2048] = "";
    char ops[512];
    snprintf(ops, sizeof ops, "%s  - op: tt.total\n    read: {t: steps, in: u}\n    write: {s: s}\n", scale_op);
    sd_graph *g = parse("  water: {file: tables10.h5, dataset: /tables/water, columns: 2}\n  steps: {file: tables10.h5, "
                        "dataset: /scalars/step}\n",
                        ops, err, sizeof err);
    if (!ok(g != NULL, "tables from HDF5 datasets load")) diag("%s", err);
    if (g) {
        const sd_gtable *t = &g->tables[0], *s = &g->tables[1];
        ok(t->rows == 4 && t->cols == 2 && !memcmp(t->data, curve, sizeof curve) && !strcmp(t->dataset, "/tables/water"),
           "  a run file's /tables/water gives back the table it recorded, bitwise");
        ok(s->rows == 1 && s->cols == 1 && s->data[0] == 1.0, "  a 1-D int64 dataset is one column of doubles");
    }
    sd_graph_free(g);
    refuse("  water: {file: tables10.h5, dataset: /nope}\n", scale_op,
           "g.yaml:8:39: table 'water': tables10.h5: no dataset /nope (datasets in the file: ", "a missing dataset, at dataset:");
    refuse("  water: {file: tables10.h5, dataset: /meta}\n", scale_op,
           "g.yaml:8:39: table 'water': tables10.h5: a group, not a dataset: /meta", "a group");
    refuse("  water: {file: tables10.h5, dataset: /run/codelet_name}\n", scale_op,
           "tables10.h5: dataset /run/codelet_name holds strings (expected numbers: a float or integer dataset)",
           "a dataset of strings");
    refuse("  water: {file: nope.h5, dataset: /t}\n", scale_op, "g.yaml:8:17: table 'water': nope.h5: ", "a missing HDF5 file, at file:");
    refuse("  water: {file: curve.txt, dataset: /t}\n", scale_op, "g.yaml:8:17: table 'water': curve.txt: ",
           "a text file named with dataset:, at file:");
    refuse("  water: {file: tables10.h5, dataset: tables/water}\n", scale_op,
           "g.yaml:8:39: expected an absolute HDF5 dataset path", "a relative dataset path");
    refuse("  water: {file: tables10.h5, dataset: /tables/wide, columns: 2}\n", scale_op,
           "g.yaml:8:62: table 'water': tables10.h5 /tables/wide has 3 columns, expected 2 (columns)",
           "an HDF5 table with another column count");
    remove("tables10.h5");
}

/* An optional field role of a grid codelet: bound, the kernel reads it; left out, p == NULL. */
static void optional_field(void)
{
    static const char fmt[] = "domain:\n  grid: {shape: [12, 5], spacing: 1}\n"
                              "fields:\n  u:\n  v:\n"
                              "init:\n  - op: tt.ramp\n    write: {u: u}\n"
                              "step:\n  - op: tt.copy_or_mark\n%s    write: {out: v}\n"
                              "output:\n  fields: {names: [v], every: 1}\n"
                              "run: {steps: 1, dt: 1}\n";
    for (int bound = 1; bound >= 0; bound--) {
        char graph[1024], out[1200];
        snprintf(graph, sizeof graph, fmt, bound ? "    read: {in: u}\n" : "");
        snprintf(out, sizeof out, "%s/tables-opt%d.h5", dir, bound);
        double ref[NX * NY];
        for (int j = 0; j < NY; j++)
            for (int i = 0; i < NX; i++) ref[i + NX * j] = bound ? tt_ramp(i, j) : -1.0;
        const run_spec spec = {{5, 2, 1}, 2, "lws"};
        if (!ok(run_graph_text("o.yaml", graph, out, &spec) == 0, "an optional field role on a grid, %s: runs",
                bound ? "bound" : "left out"))
            continue;
        int64_t values;
        const int64_t wrong = field_steps_differ(out, "v", 1, ref, NX * NY, &values, describe);
        ok(values == NX * NY && wrong == 0, "  %s (%lld wrong)", bound ? "the kernel reads it" : "the kernel sees NULL",
           (long long)wrong);
        remove(out);
    }
}

/* A batch domain (the grid class's machinery with ranges of systems as tiles) binds tables too. */
static void batch(void)
{
    static const char graph[] =
        "domain:\n  batch:\n    count: 12\n    system: vdp\n    values: {u: \"0.375*(i+1)\"}\n"
        "fields:\n  u:\n  v:\n"
        "tables:\n  water: {file: curve.txt}\n"
        "step:\n  - op: tt.bscale\n    read: {in: u, curve: water}\n    write: {out: v}\n"
        "output:\n  fields: {names: [v], every: 1}\n"
        "run: {steps: 1, dt: 1}\n";
    double ref[NX];
    for (int i = 0; i < NX; i++) ref[i] = tt_ramp(i, 0) * tt_interp(curve, 4, i + 0.5);
    for (int ranges = 1; ranges <= 3; ranges += 2) {
        char out[1200];
        snprintf(out, sizeof out, "%s/tables-batch%d.h5", dir, ranges);
        const run_spec spec = {{ranges, 1, 1}, 2, "lws"};
        if (!ok(run_graph_text("b.yaml", graph, out, &spec) == 0, "a batch of 12 systems in %d range%s: runs", ranges,
                ranges == 1 ? "" : "s"))
            continue;
        int64_t values;
        const int64_t wrong = field_steps_differ(out, "v", 1, ref, NX, &values, describe);
        ok(values == NX && wrong == 0, "  every system's value bitwise in * f(i + 1/2) from the table (%lld wrong)",
           (long long)wrong);
        remove(out);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", tmpdir());
    if (chdir(dir) != 0) { /* table paths are relative to the working directory */
        diag("cannot enter %s", dir);
        return 99;
    }
    sd_register_builtin_codelets();
    ok(sd_codelet_register_table("tt", table_test_codelets, sizeof table_test_codelets / sizeof table_test_codelets[0]) == 0,
       "the table test codelets register");
    write_file("curve.txt", curve_text);
    write_file("three.txt", "2 1 0\n");
    loading();
    runs();
    hdf5();
    optional_field();
    batch();
    return tap_done();
}
