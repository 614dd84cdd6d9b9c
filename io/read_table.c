/* read_table.c - numeric tables from text files (read_table.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "read_table.h"

/* The parse's state: where it is, what it has read. */
typedef struct tparse {
    const char *file;
    int line;
    int64_t rows, first_line; /* first_line: the line of row 1 */
    int cols;
    double *data;
    size_t n, cap;
    char *err;
    size_t errlen;
} tparse;

__attribute__((format(printf, 3, 4))) static int fail(tparse *P, int col, const char *fmt, ...)
{
    int k = snprintf(P->err, P->errlen, "%s:%d:%d: ", P->file, P->line, col);
    if (k >= 0 && (size_t)k < P->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(P->err + k, P->errlen - k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int push(tparse *P, double v)
{
    if (P->n == P->cap) {
        size_t cap = P->cap ? 2 * P->cap : 256;
        double *d = realloc(P->data, cap * sizeof *d);
        if (!d) return fail(P, 1, "out of memory reading the table (%zu values so far)", P->n);
        P->data = d;
        P->cap = cap;
    }
    P->data[P->n++] = v;
    return 0;
}

static int is_sep(char c) { return c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '#' || c == 0; }

/* One line (NUL-terminated, no newline): its values appended; a row unless it has none. */
static int parse_line(tparse *P, const char *s)
{
    int ncol = 0, comma = 0; /* comma: the last separator was a comma (a value must follow) */
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        const int col = (int)(p - s) + 1;
        if (!*p || *p == '#') {
            if (comma) return fail(P, col, "a comma ends the row (expected a number after it)");
            break;
        }
        if (*p == ',') {
            if (comma || !ncol) return fail(P, col, "an empty value (expected a number before the comma)");
            comma = 1;
            p++;
            continue;
        }
        const char *q = p;
        while (!is_sep(*q)) q++;
        char tok[64];
        snprintf(tok, sizeof tok, "%.*s%s", (int)(q - p > 40 ? 40 : q - p), p, q - p > 40 ? "..." : "");
        char *end;
        double v = strtod(p, &end);
        if (end != q) return fail(P, col, "'%s' is not a number (expected numbers separated by spaces or commas)", tok);
        if (!isfinite(v))
            return fail(P, col, "'%s' is not a finite number (expected a finite double)", tok);
        if (P->rows && ncol == P->cols)
            return fail(P, col, "row %lld has more than %d values (expected as many as row 1, line %lld)",
                        (long long)P->rows + 1, P->cols, (long long)P->first_line);
        if ((int64_t)P->n >= SD_TABLE_MAX_VALUES)
            return fail(P, col, "the table has more than %lld values (expected at most that many: one StarPU vector)",
                        (long long)SD_TABLE_MAX_VALUES);
        if (push(P, v) < 0) return -1;
        ncol++;
        comma = 0;
        p = q;
    }
    if (!ncol) return 0;
    if (P->rows && ncol != P->cols) {
        return fail(P, (int)(p - s) + 1, "row %lld has %d value%s, but row 1 (line %lld) has %d (expected the same number of "
                    "values in every row)", (long long)P->rows + 1, ncol, ncol == 1 ? "" : "s", (long long)P->first_line, P->cols);
    }
    if (!P->rows) {
        P->cols = ncol;
        P->first_line = P->line;
    }
    P->rows++;
    return 0;
}

int sd_table_read_text(const char *file, double **data, int64_t *rows, int *cols, char *err, size_t errlen)
{
    *data = NULL;
    *rows = 0;
    *cols = 0;
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", file, strerror(errno));
        return -1;
    }
    tparse P = {.file = file, .err = err, .errlen = errlen};
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int rc = 0, c;
    P.line = 1;
    while (rc == 0) {
        c = getc(f);
        if (c == EOF || c == '\n') {
            if (len + 1 > cap && !(buf = realloc(buf, cap = len + 1))) { rc = -2; break; }
            buf[len] = 0;
            if (c != EOF || len) rc = parse_line(&P, buf);
            len = 0;
            if (c == EOF) break;
            P.line++;
            continue;
        }
        if (c == 0) { rc = fail(&P, (int)len + 1, "a NUL byte (expected a text file)"); break; }
        if (len + 2 > cap) {
            char *b = realloc(buf, cap = cap ? 2 * cap : 256);
            if (!b) { rc = -2; break; }
            buf = b;
        }
        buf[len++] = (char)c;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno));
        rc = -1;
    }
    if (rc == -2) snprintf(err, errlen, "%s: out of memory reading line %d", file, P.line);
    fclose(f);
    free(buf);
    if (rc == 0 && !P.rows) {
        snprintf(err, errlen, "%s: no rows (expected at least one line of numbers; blank lines and '#' comments are "
                 "skipped)", file);
        rc = -1;
    }
    *data = P.data;
    *rows = P.rows;
    *cols = P.cols;
    return rc ? -1 : 0;
}
