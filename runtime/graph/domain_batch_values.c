/* domain_batch_values.c - domain.batch.values: each field's initial per-system values, computed or
 * read at load into an init op of the grid's read machinery (loader_read.c's io.values), so a
 * graph that loads has every value checked and the run copies them into the tiles. Per field:
 *   an expression of i (the system's index), M (the count) and the params (one component), or a
 *   list with one entry per component: expressions, or {random: uniform|normal, ...};
 *   {random: uniform, range: [LO, HI], seed: S} / {random: normal, mean: MU, sd: SIGMA, seed: S}:
 *   a counter-based draw keyed by (seed, field name, component, i): independent of the tiling;
 *   {file: F.h5, dataset: /mu}: an HDF5 dataset ([component,] M), as io.read_field reads it;
 *   {file: F.csv, column: NAME} or {file: F.csv, columns: [NAMES]}: a CSV with a header line. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader_impl.h"
#include "expr.h"
#include "read_spec.h"
#include "stardag/ode.h"
#include "suggest.h"

/* ---- expressions of i and M ---------------------------------------------------------------- */

typedef struct ivars {
    loader *L;
    double i, M;
    int used_i; /* the expression named i: it varies by system */
} ivars;

static int lookup_i(void *ctx, const char *name, size_t len, double *v)
{
    ivars *c = ctx;
    if (len == 1 && name[0] == 'i') {
        c->used_i = 1;
        *v = c->i;
        return 1;
    }
    if (len == 1 && name[0] == 'M') {
        *v = c->M;
        return 1;
    }
    return sd_ld_constant(c->L, name, len, v);
}

/* out[i] for every system; an expression without i is evaluated once. */
static void fill_expr(loader *L, const yaml_node_t *n, const char *fname, int comp, double *out)
{
    const char *s = sd_ld_get_str(L, n, "an expression of i (the system index), M and the params");
    const int64_t M = L->g->domain.batch.count;
    ivars c = {.L = L, .M = (double)M};
    char b[32], cs[32] = "";
    if (L->g->fields[sd_graph_field_index(L->g, fname)].ncomp > 1) snprintf(cs, sizeof cs, " (component %d)", comp);
    for (int64_t i = 0; i < M; i++) {
        c.i = (double)i;
        double v;
        sd_expr_error e;
        sd_expr_status st = sd_expr_eval(s, lookup_i, &c, &v, &e);
        char qb[SD_LD_QUOTE_BUF];
        const char *q = st == SD_EXPR_OK && isfinite(v) ? s : sd_ld_quote(qb, s, e.pos);
        if (st == SD_EXPR_UNDEFINED)
            sd_ld_fail(L, n, "unknown name '%.*s' in '%s' (expected i, the system index; M, the count; or a param)",
                       (int)(e.len < SD_NAME_MAX ? e.len : SD_NAME_MAX), s + e.pos, q);
        if (st == SD_EXPR_SYNTAX || st == SD_EXPR_FUNCTION) sd_ld_fail(L, n, "in '%s': %s", q, e.msg);
        if (st == SD_EXPR_DIVZERO) sd_ld_fail(L, n, "'%s' divides by zero for system %lld", q, (long long)i);
        if (st != SD_EXPR_OK || !isfinite(v))
            sd_ld_fail(L, n, "the value of %s%s, '%s', is not finite for system %lld (got %s)", fname, cs, q, (long long)i,
                       st == SD_EXPR_OK ? sd_ld_num(b, v) : "a non-finite number");
        out[i] = v;
        if (!c.used_i) {
            for (int64_t j = 1; j < M; j++) out[j] = v;
            return;
        }
    }
}

/* ---- random values -------------------------------------------------------------------------- */

/* SplitMix64's finaliser: a bijective mix of 64 bits. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform double in (0, 1]: draw k of system i under key. */
static double unit(uint64_t key, int64_t i, int k)
{
    return (double)((mix64(key ^ mix64((uint64_t)i * 2 + (uint64_t)k)) >> 11) + 1) * 0x1p-53;
}

/* A {random: ...} spec, read once per field: a field of 2^23 components used to re-read it for
 * every component (1 us each: 9 s at load). */
typedef struct random_spec {
    int normal;
    double a, w;   /* uniform: lo, hi - lo; normal: mean, sd */
    uint64_t base; /* the seed and the field's name: a component's key adds its index */
} random_spec;

static random_spec read_random(loader *L, const yaml_node_t *n, const char *fname)
{
    static const char *const keys[] = {"random", "range", "mean", "sd", "seed", NULL};
    char b[32], b2[32];
    sd_ld_check_keys(L, n, keys, "in random values");
    const yaml_node_t *kind = sd_ld_map_get(L, n, "random", NULL), *x;
    const char *k = sd_ld_get_str(L, kind, "uniform or normal");
    random_spec r = {.normal = !strcmp(k, "normal"), .a = 0, .w = 1};
    if (!r.normal && strcmp(k, "uniform")) sd_ld_fail(L, kind, "unknown distribution '%s' (expected uniform or normal)", k);
    if (r.normal) {
        if (sd_ld_map_get(L, n, "range", NULL)) sd_ld_fail(L, n, "normal values take mean and sd, not range");
        if ((x = sd_ld_map_get(L, n, "mean", NULL))) r.a = sd_ld_eval(L, x);
        if ((x = sd_ld_map_get(L, n, "sd", NULL))) r.w = sd_ld_get_positive(L, x, "sd", 0);
    } else {
        if (sd_ld_map_get(L, n, "mean", NULL) || sd_ld_map_get(L, n, "sd", NULL))
            sd_ld_fail(L, n, "uniform values take range: [LO, HI], not mean and sd");
        if (!(x = sd_ld_map_get(L, n, "range", NULL))) sd_ld_fail(L, n, "uniform values need range: [LO, HI]");
        if (!is_seq(x) || seq_len(x) != 2) sd_ld_fail(L, x, "expected range: [LO, HI]");
        r.a = sd_ld_eval(L, seq_at(L, x, 0));
        double hi = sd_ld_eval(L, seq_at(L, x, 1));
        if (!(r.a <= hi) || !isfinite(hi - r.a))
            sd_ld_fail(L, x, "range is [%s, %s] (expected finite LO <= HI)", sd_ld_num(b, r.a), sd_ld_num(b2, hi));
        r.w = hi - r.a;
    }
    x = sd_ld_map_get(L, n, "seed", NULL);
    const uint64_t seed = x ? (uint64_t)sd_ld_eval_int(L, x, 0, INT64_MAX / 2, "seed") : 0;
    uint64_t fh = 1469598103934665603ULL; /* FNV-1a of the field's name: not its declaration order */
    for (const char *c = fname; *c; c++) fh = (fh ^ (unsigned char)*c) * 1099511628211ULL;
    r.base = mix64(mix64(seed) ^ fh);
    return r;
}

/* Component comp's values of every system: its own stream, whatever the other components. */
static void draw_random(const random_spec *r, int comp, int64_t count, double *out)
{
    const uint64_t key = mix64(r->base ^ (uint64_t)comp);
    for (int64_t i = 0; i < count; i++) {
        double u = unit(key, i, 0);
        /* uniform in [LO, HI): 1 - u is in [0, 1); normal: Box-Muller */
        out[i] = r->normal ? r->a + r->w * (sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * unit(key, i, 1))) : r->a + r->w * (1.0 - u);
    }
}

/* ---- files ---------------------------------------------------------------------------------- */

static void fill_h5(loader *L, const yaml_node_t *n, int field, sd_gread *rd)
{
    const yaml_node_t *fn = sd_ld_map_get(L, n, "file", NULL), *dn = sd_ld_map_get(L, n, "dataset", NULL);
    if (!dn) sd_ld_fail(L, n, "values from an HDF5 file need dataset (its path, e.g. /mu)");
    const char *ds = sd_ld_get_str(L, dn, "an HDF5 dataset path");
    if (strlen(ds) >= sizeof rd->dataset) sd_ld_fail(L, dn, "the dataset path is too long");
    snprintf(rd->dataset, sizeof rd->dataset, "%s", ds);
    sd_rf_shape want;
    sd_read_field_shape(L->g, field, 0, 0, &want);
    snprintf(want.axes[want.rank - 1], sizeof want.axes[0], "system"); /* [component,] system */
    char err[1024];
    int at = 0;
    if (sd_rf_check(rd->file, rd->dataset, &want, &at, err, sizeof err) < 0 ||
        sd_rf_read(rd->file, rd->dataset, &want, rd->values, err, sizeof err) < 0)
        sd_ld_fail(L, at == SD_RF_AT_FILE ? fn : dn, "%s", err);
    /* as an expression's or a CSV cell's: an initial value or parameter must be finite */
    const int64_t M = L->g->domain.batch.count, nc = L->g->fields[field].ncomp;
    for (int64_t k = 0; k < nc * M; k++)
        if (!isfinite(rd->values[k])) {
            char comp[48] = "";
            if (nc > 1) snprintf(comp, sizeof comp, ", component %lld", (long long)(k / M));
            sd_ld_fail(L, dn, "%s: %s holds %s for system %lld%s: expected finite values", rd->file, rd->dataset,
                       isnan(rd->values[k]) ? "nan" : "an infinity", (long long)(k % M), comp);
        }
}

/* A CSV file's text, NUL-terminated (freed by the caller). */
static char *slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
        len += got;
        if (len + 1 == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b) { free(buf); buf = NULL; }
            else buf = b;
        }
    }
    if (!buf || ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s", path, buf ? strerror(errno) : "out of memory");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = 0;
    const char *nul = memchr(buf, 0, len); /* would end the text early: the rest never checked */
    if (nul) {
        int line = 1, column = 1;
        for (const char *c = buf; c < nul; c++) column = *c == '\n' ? (line++, 1) : column + 1;
        snprintf(err, errlen, "%s:%d:%d: a NUL byte (expected a text file)", path, line, column);
        free(buf);
        return NULL;
    }
    return buf;
}

#define CSV_MAX_COLS 1024

/* Cells of one line (comma-separated, blanks trimmed, "quoted" cells unquoted, a comma inside
 * quotes kept) in place: count. */
static int split(char *line, char **cell, int *col)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        char *s = p, *end;
        if (*p == '"') { /* to the closing quote, then to the comma */
            p++;
            while (*p && *p != '"') p++;
            if (*p) p++;
        }
        while (*p && *p != ',') p++;
        end = p;
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
        if (end - s >= 2 && *s == '"' && end[-1] == '"') { s++; end--; }
        if (n < CSV_MAX_COLS) {
            col[n] = (int)(s - line) + 1;
            cell[n++] = s;
        }
        const int last = !*p;
        *end = 0;
        if (last) return n;
        p++;
    }
}

static void fill_csv(loader *L, const yaml_node_t *n, int field, sd_gread *rd)
{
    const sd_gfield *f = &L->g->fields[field];
    const int64_t M = L->g->domain.batch.count;
    const yaml_node_t *one = sd_ld_map_get(L, n, "column", NULL), *many = sd_ld_map_get(L, n, "columns", NULL);
    if (!!one == !!many) sd_ld_fail(L, n, "values from a CSV file need column: NAME (one component) or columns: [NAMES]");
    if (one && f->ncomp != 1)
        sd_ld_fail(L, one, "field '%s' has %d components: expected columns: [%d names]", f->name, f->ncomp, f->ncomp);
    if (many && (!is_seq(many) || seq_len(many) != f->ncomp))
        sd_ld_fail(L, many, "field '%s' has %d component%s: expected columns: a list of %d names", f->name, f->ncomp,
                   f->ncomp == 1 ? "" : "s", f->ncomp);
    if (f->ncomp > CSV_MAX_COLS)
        sd_ld_fail(L, many, "field '%s' has %d components: a CSV file gives at most %d columns (use an HDF5 file)",
                   f->name, f->ncomp, CSV_MAX_COLS);
    const char *file = rd->file, *names[CSV_MAX_COLS];
    const yaml_node_t *at[CSV_MAX_COLS];
    for (int c = 0; c < f->ncomp; c++) {
        at[c] = one ? one : seq_at(L, many, c);
        names[c] = sd_ld_get_str(L, at[c], "a column name");
    }
    char err[1024];
    sd_ld_need_regular_file(L, sd_ld_map_get(L, n, "file", NULL), file);
    char *text = slurp(file, err, sizeof err);
    if (!text) sd_ld_fail(L, sd_ld_map_get(L, n, "file", NULL), "%s", err);
    /* from here, the text is freed before each failure (failures do not return) */
    char *cell[CSV_MAX_COLS];
    int col[CSV_MAX_COLS];
    int want[CSV_MAX_COLS];
    char *line = text, *next = strchr(line, '\n');
    if (next) *next++ = 0;
    const int ncols = split(line, cell, col);
    for (int c = 0; c < f->ncomp; c++) {
        const yaml_node_t *cn = at[c];
        const char *name = names[c];
        want[c] = -1;
        for (int k = 0; k < ncols && want[c] < 0; k++)
            if (!strcmp(cell[k], name)) want[c] = k;
        for (int k = want[c] + 1; want[c] >= 0 && k < ncols; k++)
            if (!strcmp(cell[k], name)) {
                char what[1200];
                snprintf(what, sizeof what, "%s:1: column '%.200s' appears twice in the header (columns %d and %d): "
                         "expected one column of that name", file, name, want[c] + 1, k + 1);
                free(text);
                sd_ld_fail(L, cn, "%s", what);
            }
        if (want[c] >= 0) continue;
        char list[512] = "", nm[64];
        sd_suggest sg;
        sd_suggest_init(&sg, name);
        for (int k = 0; k < ncols; k++) {
            sd_suggest_add(&sg, cell[k]);
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", cell[k]);
        }
        const char *best = sd_suggest_best(&sg);
        snprintf(nm, sizeof nm, "%s", best ? best : "");
        free(text);
        if (*nm) sd_ld_fail(L, cn, "%s has no column '%s' (did you mean '%s'? its header: %s)", file, name, nm, list);
        sd_ld_fail(L, cn, "%s has no column '%s' (its header: %s)", file, name, list);
    }
    int64_t rows = 0;
    for (int lineno = 2; next && *next; lineno++) {
        line = next;
        if ((next = strchr(line, '\n'))) *next++ = 0;
        const char *q = line;
        while (*q == ' ' || *q == '\t' || *q == '\r') q++;
        if (!*q) continue; /* blank lines (a final newline) */
        int nc = split(line, cell, col);
        while (nc > ncols && !*cell[nc - 1]) nc--; /* empty cells past the header's (a trailing comma) */
        if (nc > ncols) {
            char what[1200];
            snprintf(what, sizeof what, "%s:%d: the row has %d cells, the header %d (expected one cell per column)", file,
                     lineno, nc, ncols);
            free(text);
            sd_ld_fail(L, n, "%s", what);
        }
        for (int c = 0; c < f->ncomp; c++) {
            const int k = want[c];
            char what[800];
            if (k >= nc) {
                snprintf(what, sizeof what, "%s:%d: the row has %d cell%s, the header %d (expected a value of column %d)", file,
                         lineno, nc, nc == 1 ? "" : "s", ncols, k + 1);
                free(text);
                sd_ld_fail(L, n, "%s", what);
            }
            char *end;
            errno = 0;
            const double v = strtod(cell[k], &end);
            if (end == cell[k] || *end || !isfinite(v)) {
                snprintf(what, sizeof what, "%s:%d:%d: '%.40s' is not a finite number (column %d)", file, lineno, col[k],
                         cell[k], k + 1);
                free(text);
                sd_ld_fail(L, n, "%s", what);
            }
            if (rows < M) rd->values[(size_t)c * M + rows] = v;
        }
        rows++;
    }
    free(text);
    if (rows != M)
        sd_ld_fail(L, n, "%s has %lld row%s, the batch has %lld system%s (expected one row per system)", file,
                   (long long)rows, rows == 1 ? "" : "s", (long long)M, M == 1 ? "" : "s");
}

static void fill_file(loader *L, const yaml_node_t *n, int field, sd_gread *rd)
{
    static const char *const keys[] = {"file", "dataset", "column", "columns", NULL};
    sd_ld_check_keys(L, n, keys, "in values from a file");
    const yaml_node_t *fn = sd_ld_map_get(L, n, "file", NULL);
    const char *file = sd_ld_get_str(L, fn, "a file path (.h5 or .csv)");
    if (!*file || strlen(file) >= sizeof rd->file) sd_ld_fail(L, fn, "expected a file path of 1 to %zu characters", sizeof rd->file - 1);
    snprintf(rd->file, sizeof rd->file, "%s", file); /* the output may not overwrite it (loader_read.c) */
    const char *dot = strrchr(file, '.');
    if (dot && !strcasecmp(dot, ".csv")) fill_csv(L, n, field, rd);
    else fill_h5(L, n, field, rd);
}

/* ---- the section ---------------------------------------------------------------------------- */

static void one_component(loader *L, const yaml_node_t *v, const char *fname, int c, double *out)
{
    if (is_map(v) && sd_ld_map_get(L, v, "random", NULL)) {
        const random_spec r = read_random(L, v, fname);
        draw_random(&r, c, L->g->domain.batch.count, out);
    } else if (is_map(v)) sd_ld_fail(L, v, "expected an expression or {random: uniform|normal, ...} for a component of %s", fname);
    else fill_expr(L, v, fname, c, out);
}

void sd_ld_batch_values(loader *L, const yaml_node_t *values)
{
    sd_graph *g = L->g;
    if (is_null(values)) return;
    sd_ld_need_map(L, values, "domain.batch.values ({FIELD: EXPR | [EXPRS] | {random: ...} | {file: ...}, ...})");
    const int64_t M = g->domain.batch.count;
    for (int e = 0; e < map_len(values); e++) {
        const yaml_node_t *k = key_at(L, values, e), *v = val_at(L, values, e);
        const char *name = sd_ld_get_str(L, k, "a field name");
        const int fi = sd_graph_field_index(g, name);
        if (fi < 0) {
            sd_suggest sg;
            sd_suggest_init(&sg, name);
            for (int f = 0; f < g->nfields; f++) sd_suggest_add(&sg, g->fields[f].name);
            if (sd_suggest_best(&sg))
                sd_ld_fail(L, k, "values of '%s', which is not a field (did you mean '%s'?)", name, sd_suggest_best(&sg));
            sd_ld_fail(L, k, "values of '%s', which is not a field (expected a name declared under fields)", name);
        }
        for (int j = 0; j < e; j++)
            if (!strcmp(sval(key_at(L, values, j)), name)) sd_ld_fail(L, k, "values of field '%s' are given twice", name);
        const sd_gfield *f = &g->fields[fi];
        sd_gread *rd = sd_ld_values_op(L, fi, where(k));
        snprintf(rd->dataset, sizeof rd->dataset, "values");
        if (is_map(v) && sd_ld_map_get(L, v, "file", NULL)) {
            fill_file(L, v, fi, rd);
            continue;
        }
        if (is_seq(v)) {
            if (seq_len(v) != f->ncomp)
                sd_ld_fail(L, v, "values of field '%s' has %d entr%s for %d component%s (expected one per component)", name,
                           seq_len(v), seq_len(v) == 1 ? "y" : "ies", f->ncomp, f->ncomp == 1 ? "" : "s");
            for (int c = 0; c < f->ncomp; c++) one_component(L, seq_at(L, v, c), name, c, rd->values + (size_t)c * M);
            continue;
        }
        if (is_map(v) && sd_ld_map_get(L, v, "random", NULL)) { /* every component, each its own draw */
            const random_spec r = read_random(L, v, name);
            for (int c = 0; c < f->ncomp; c++) draw_random(&r, c, M, rd->values + (size_t)c * M);
            continue;
        }
        if (is_map(v))
            sd_ld_fail(L, v, "expected an expression, a list of %d (one per component), {random: ...} or {file: ...} for "
                             "the values of %s", f->ncomp, name);
        /* one expression for every component (a solver's stats and work start at 0) */
        one_component(L, v, name, 0, rd->values);
        for (int c = 1; c < f->ncomp; c++) memcpy(rd->values + (size_t)c * M, rd->values, (size_t)M * sizeof(double));
    }
}
