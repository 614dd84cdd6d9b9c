/* read_particles.c - see read_particles.h: the common part and the two text formats.
 *
 * LAMMPS data (atomic style): the first line is a comment; header lines "N atoms", "N atom
 * types", "lo hi xlo xhi" (y, z likewise), then sections Masses ("type mass"), Atoms ("id type x
 * y z [ix iy iz]") and Velocities ("id vx vy vz"), each a keyword line and as many lines as the
 * header counts; write_data's Pair Coeffs and PairIJ Coeffs are skipped (the graph's types give
 * the potential). '#' starts a comment. Ids may be any distinct positive integers: sorted, they
 * give the order. Image flags are accepted and ignored (the box is periodic; positions are
 * wrapped), atoms outside the box are wrapped into it, as LAMMPS' read_data does.
 *
 * XYZ: a count line, a comment line (an extended-XYZ Lattice="Lx 0 0 0 Ly 0 0 0 Lz" gives the
 * box), then one line per atom "name x y z" (more columns are ignored); the first frame only.
 * Line order is id order. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_particles.h"
#include "h5err.h"

void sd_patoms_free(sd_patoms *a)
{
    free(a->x);
    free(a->v);
    free(a->type);
    a->x = a->v = NULL;
    a->type = NULL;
}

int sd_pa_format_of(const char *file)
{
    const char *dot = strrchr(file, '.');
    if (!dot || strchr(dot, '/')) return -1;
    if (!strcmp(dot, ".data") || !strcmp(dot, ".lmp") || !strcmp(dot, ".lammps")) return SD_PA_LAMMPS;
    if (!strcmp(dot, ".xyz")) return SD_PA_XYZ;
    if (!strcmp(dot, ".h5") || !strcmp(dot, ".h5md") || !strcmp(dot, ".hdf5")) return SD_PA_H5MD;
    return -1;
}

void sd_patoms_wrap(sd_patoms *a, const double lo[3])
{
    for (int64_t i = 0; i < a->n; i++) {
        int out = 0;
        for (int d = 0; d < 3; d++) {
            double p = a->x[3 * i + d] - lo[d], L = a->box[d];
            if (p >= 0 && p < L) {
                a->x[3 * i + d] = p;
                continue;
            }
            p -= L * floor(p / L);
            a->x[3 * i + d] = p < L ? p : 0.0; /* p/L rounded up to the next integer */
            out = 1;
        }
        a->wrapped += out;
    }
}

int sd_patoms_read(const sd_pa_request *rq, sd_patoms *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->step = -1;
    int rc = rq->format == SD_PA_LAMMPS ? sd_patoms_read_lammps(rq->file, a, err, errlen)
             : rq->format == SD_PA_XYZ  ? sd_patoms_read_xyz(rq->file, a, err, errlen)
                                        : sd_patoms_read_h5md(rq->file, rq->group, rq->step, a, err, errlen);
    if (rc < 0) sd_patoms_free(a);
    return rc;
}

/* ---- text files --------------------------------------------------------------------------------- */

typedef struct text {
    FILE *f;
    const char *path;
    char *line;
    size_t cap;
    int64_t lineno;
    char *tok[16];
    int ntok;
    char comment[64]; /* the first word of the line's '#' comment (LAMMPS: an Atoms style hint) */
    char *err;
    size_t errlen;
} text;

/* The next line, '#' comments removed, split into whitespace-separated tokens. 0 at the end of
 * the file, -1 on a read error. */
static int next_line(text *t)
{
    errno = 0;
    ssize_t r = getline(&t->line, &t->cap, t->f);
    if (r < 0) {
        if (ferror(t->f)) {
            sd_io_seterr(t->err, t->errlen, "%s: cannot read: %s", t->path, strerror(errno ? errno : EIO));
            return -1;
        }
        return 0;
    }
    t->lineno++;
    if (memchr(t->line, 0, (size_t)r)) { /* would cut the line */
        sd_io_seterr(t->err, t->errlen, "%s:%" PRId64 ": a NUL byte (expected a text file)", t->path, t->lineno);
        return -1;
    }
    char *c = strchr(t->line, '#');
    t->comment[0] = 0;
    if (c) {
        *c = 0;
        sscanf(c + 1, "%63s", t->comment);
    }
    t->ntok = 0;
    char *save = NULL;
    for (char *s = strtok_r(t->line, " \t\r\n", &save); s && t->ntok < 16; s = strtok_r(NULL, " \t\r\n", &save))
        t->tok[t->ntok++] = s;
    return 1;
}

/* The next line with tokens (blank lines skipped); 0 at the end of the file. */
static int next_nonblank(text *t)
{
    int r;
    while ((r = next_line(t)) > 0 && !t->ntok) {}
    return r;
}

static int num(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return !errno && end != s && !*end && isfinite(*v);
}

static int integer(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    *v = x;
    return !errno && end != s && !*end;
}

__attribute__((format(printf, 2, 3))) static int bad(text *t, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sd_io_seterr(t->err, t->errlen, "%s:%" PRId64 ": %s", t->path, t->lineno, msg);
    return -1;
}

static int open_text(text *t, const char *path, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    t->err = err;
    t->errlen = errlen;
    if (!(t->f = fopen(path, "r"))) {
        sd_io_seterr(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int close_text(text *t, int rc)
{
    free(t->line);
    if (t->f) fclose(t->f);
    return rc;
}

static int alloc_atoms(sd_patoms *a, int64_t n, int vel, char *err, size_t errlen, const char *path)
{
    if (n < 0 || n > SD_PA_MAX_ATOMS) { /* the callers refuse it first, with the line */
        sd_io_seterr(err, errlen, "%s: %" PRId64 " atoms (expected 1 to %" PRId64 ")", path, n, SD_PA_MAX_ATOMS);
        return -1;
    }
    a->n = n;
    a->x = malloc((size_t)(3 * n + 1) * sizeof *a->x);
    a->type = malloc((size_t)(n + 1) * sizeof *a->type);
    if (vel) a->v = malloc((size_t)(3 * n + 1) * sizeof *a->v);
    if (!a->x || !a->type || (vel && !a->v)) {
        sd_io_seterr(err, errlen, "%s: out of memory for %" PRId64 " atoms", path, n);
        return -1;
    }
    return 0;
}

/* ---- LAMMPS data --------------------------------------------------------------------------------- */

typedef struct lmp_atom {
    int64_t id, line;
    int32_t type;
    double x[3], v[3];
    int has_v;
} lmp_atom;

static int cmp_atom(const void *p, const void *q)
{
    const lmp_atom *a = p, *b = q;
    return a->id < b->id ? -1 : a->id > b->id;
}

static lmp_atom *find_atom(lmp_atom *at, int64_t n, int64_t id)
{
    lmp_atom key = {.id = id};
    return bsearch(&key, at, (size_t)n, sizeof *at, cmp_atom);
}

/* The header, up to the first section keyword (left in t's tokens). */
static int lammps_header(text *t, int64_t *natoms, int64_t *ntypes, double lo[3], double hi[3], int *have_box)
{
    static const char *const axes[3][2] = {{"xlo", "xhi"}, {"ylo", "yhi"}, {"zlo", "zhi"}};
    if (next_line(t) < 0) return -1; /* the first line is a title */
    *natoms = *ntypes = -1;
    int r;
    while ((r = next_nonblank(t)) > 0) {
        if (!isdigit((unsigned char)t->tok[0][0]) && t->tok[0][0] != '-' && t->tok[0][0] != '+' && t->tok[0][0] != '.')
            return 1; /* a section keyword */
        double a, b;
        int64_t c;
        if (t->ntok == 2 && !strcmp(t->tok[1], "atoms")) {
            if (!integer(t->tok[0], &c) || c < 1 || c > SD_PA_MAX_ATOMS)
                return bad(t, "the atom count must be an integer in [1, %" PRId64 "], got '%s'", SD_PA_MAX_ATOMS, t->tok[0]);
            *natoms = c;
        } else if (t->ntok == 3 && !strcmp(t->tok[1], "atom") && !strcmp(t->tok[2], "types")) {
            if (!integer(t->tok[0], &c) || c < 1 || c > SD_PA_MAX_TYPES)
                return bad(t, "the number of atom types must be an integer in [1, %d], got '%s'", SD_PA_MAX_TYPES, t->tok[0]);
            *ntypes = c;
        } else if (t->ntok == 4 && t->tok[2][1] == 'l' && t->tok[2][2] == 'o') {
            int d = -1;
            for (int k = 0; k < 3; k++)
                if (!strcmp(t->tok[2], axes[k][0]) && !strcmp(t->tok[3], axes[k][1])) d = k;
            if (d < 0) return bad(t, "unknown header line (expected 'lo hi xlo xhi', 'ylo yhi' or 'zlo zhi')");
            if (!num(t->tok[0], &a) || !num(t->tok[1], &b) || !(b > a))
                return bad(t, "box bounds %s %s must be two numbers with %s < %s", axes[d][0], axes[d][1], axes[d][0], axes[d][1]);
            lo[d] = a;
            hi[d] = b;
            *have_box |= 1 << d;
        } else if (t->ntok >= 4 && !strcmp(t->tok[t->ntok - 3], "xy")) {
            return bad(t, "a triclinic box (xy xz yz) is not supported (expected an orthogonal box)");
        } else if (t->ntok >= 2 && integer(t->tok[0], &c)) {
            /* bonds, angles, ... of molecular styles: only their absence is fine */
            if (c != 0) return bad(t, "header '%s %s' is not supported: only atomic-style data (atoms, atom types, box) is", t->tok[0], t->tok[1]);
        } else {
            return bad(t, "unknown header line (expected 'N atoms', 'N atom types' or box bounds 'lo hi xlo xhi')");
        }
    }
    return r < 0 ? -1 : 0;
}

int sd_patoms_read_lammps(const char *file, sd_patoms *a, char *err, size_t errlen)
{
    text t;
    if (open_text(&t, file, err, errlen) < 0) return -1;
    int64_t n = -1, nt = -1;
    double lo[3] = {0}, hi[3] = {0};
    int have_box = 0, r = lammps_header(&t, &n, &nt, lo, hi, &have_box);
    if (r < 0) return close_text(&t, -1);
    if (n < 0 || nt < 0 || have_box != 7) {
        const char *what = n < 0 ? "'N atoms'" : nt < 0 ? "'N atom types'" : "the box bounds (xlo xhi, ylo yhi, zlo zhi)";
        return close_text(&t, bad(&t, "the header has no %s (expected before the first section)", what));
    }
    lmp_atom *at = calloc((size_t)n + 1, sizeof *at);
    if (!at) return close_text(&t, bad(&t, "out of memory for %" PRId64 " atoms", n));
    int seen_atoms = 0, seen_vel = 0;
    int64_t na = 0;
    a->ntypes = (int)nt;
    for (int k = 0; k < nt; k++) snprintf(a->label[k], sizeof a->label[k], "%d", k + 1);
    /* sections: t holds the keyword line */
    while (r > 0) {
        char kw[32];
        snprintf(kw, sizeof kw, "%.31s", t.tok[0]); /* t's line is overwritten by the section's lines */
        int64_t count, kwline = t.lineno;
        int sec = !strcmp(kw, "Masses") ? 0 : !strcmp(kw, "Atoms") ? 1 : !strcmp(kw, "Velocities") ? 2 : -1;
        /* write_data's pair coefficients: the graph's types define the potential, so they are skipped */
        int pair = t.ntok == 2 && !strcmp(t.tok[1], "Coeffs") ? !strcmp(kw, "Pair") ? 1 : !strcmp(kw, "PairIJ") ? 2 : 0 : 0;
        if (pair) {
            int64_t lines = pair == 1 ? nt : nt * (nt + 1) / 2;
            for (int64_t i = 0; i < lines; i++)
                if ((r = next_nonblank(&t)) <= 0) {
                    if (r == 0) r = bad(&t, "the file ends in section %s Coeffs (line %" PRId64 ")", kw, kwline);
                    goto done;
                }
            r = next_nonblank(&t);
            continue;
        }
        if (sec < 0 || t.ntok != 1) {
            r = bad(&t, "section '%s' is not supported (expected Masses, Atoms, Velocities or Pair Coeffs: atomic style)", kw);
            break;
        }
        if (sec == 1 && t.comment[0] && strcmp(t.comment, "atomic")) {
            r = bad(&t, "Atoms section of style '%s' (expected atomic: id type x y z [ix iy iz])", t.comment);
            break;
        }
        if ((sec == 1 && seen_atoms) || (sec == 2 && seen_vel)) { r = bad(&t, "a second %s section", kw); break; }
        count = sec == 0 ? nt : n;
        for (int64_t i = 0; i < count; i++) {
            if ((r = next_nonblank(&t)) <= 0) {
                if (r == 0) r = bad(&t, "the file ends in section %s (line %" PRId64 ") after %" PRId64 " of %" PRId64 " lines",
                                    kw, kwline, i, count);
                goto done;
            }
            double v[6];
            int64_t id, ty;
            if (sec == 0) {
                if (t.ntok < 2 || !integer(t.tok[0], &ty) || !num(t.tok[1], &v[0]))
                    { r = bad(&t, "malformed Masses line (expected 'type mass')"); goto done; }
                if (ty < 1 || ty > nt) { r = bad(&t, "atom type %" PRId64 " is not in [1, %" PRId64 "] (the header's atom types)", ty, nt); goto done; }
                if (!(v[0] > 0)) { r = bad(&t, "the mass of type %" PRId64 " must be > 0", ty); goto done; }
                a->mass[ty - 1] = v[0];
                a->has_mass[ty - 1] = 1;
            } else if (sec == 1) {
                int64_t image;
                int ok = (t.ntok == 5 || t.ntok == 8) && integer(t.tok[0], &id) && integer(t.tok[1], &ty);
                for (int d = 0; ok && d < 3; d++)
                    if (!num(t.tok[2 + d], &at[na].x[d])) {
                        r = bad(&t, "the %c coordinate '%.40s' is not a finite number (expected 'id type x y z')", "xyz"[d],
                                t.tok[2 + d]);
                        goto done;
                    }
                for (int d = 0; ok && t.ntok == 8 && d < 3; d++) ok = integer(t.tok[5 + d], &image);
                if (!ok) {
                    r = bad(&t, "malformed Atoms line (expected 'id type x y z' or 'id type x y z ix iy iz', got %d field%s)", t.ntok,
                            t.ntok == 1 ? "" : "s");
                    goto done;
                }
                if (id < 1) { r = bad(&t, "atom id %" PRId64 " must be >= 1", id); goto done; }
                if (ty < 1 || ty > nt) { r = bad(&t, "atom type %" PRId64 " is not in [1, %" PRId64 "] (the header's atom types)", ty, nt); goto done; }
                at[na].id = id;
                at[na].type = (int32_t)(ty - 1);
                at[na].line = t.lineno;
                if (!a->label_line[ty - 1]) a->label_line[ty - 1] = t.lineno;
                na++;
            } else {
                int ok = t.ntok == 4 && integer(t.tok[0], &id);
                for (int d = 0; ok && d < 3; d++) ok = num(t.tok[1 + d], &v[d]);
                if (!ok) { r = bad(&t, "malformed Velocities line (expected 'id vx vy vz', got %d field%s)", t.ntok, t.ntok == 1 ? "" : "s"); goto done; }
                if (!seen_atoms) { r = bad(&t, "Velocities before Atoms (expected the Atoms section first)"); goto done; }
                lmp_atom *p = find_atom(at, n, id);
                if (!p) { r = bad(&t, "velocity of atom %" PRId64 ", which the Atoms section does not have", id); goto done; }
                if (p->has_v) { r = bad(&t, "a second velocity of atom %" PRId64, id); goto done; }
                memcpy(p->v, v, sizeof p->v);
                p->has_v = 1;
            }
        }
        if (sec == 1) {
            seen_atoms = 1;
            qsort(at, (size_t)n, sizeof *at, cmp_atom);
            for (int64_t i = 1; i < n; i++)
                if (at[i].id == at[i - 1].id) {
                    t.lineno = at[i].line > at[i - 1].line ? at[i].line : at[i - 1].line;
                    r = bad(&t, "atom id %" PRId64 " appears twice (also on line %" PRId64 ")", at[i].id,
                            at[i].line > at[i - 1].line ? at[i - 1].line : at[i].line);
                    goto done;
                }
        }
        if (sec == 2) seen_vel = 1;
        r = next_nonblank(&t);
        if (r > 0 && t.ntok && isdigit((unsigned char)t.tok[0][0])) {
            r = bad(&t, "more lines in section %s than the header's count %" PRId64, kw, count);
            goto done;
        }
    }
    if (r == 0 && !seen_atoms) r = bad(&t, "no Atoms section");
done:
    if (r >= 0 && alloc_atoms(a, n, seen_vel, err, errlen, file) < 0) r = -1;
    if (r >= 0) {
        for (int64_t i = 0; i < n; i++) {
            memcpy(&a->x[3 * i], at[i].x, sizeof at[i].x);
            if (a->v) memcpy(&a->v[3 * i], at[i].v, sizeof at[i].v);
            a->type[i] = at[i].type;
            a->label_count[at[i].type]++;
        }
        for (int d = 0; d < 3; d++) a->box[d] = hi[d] - lo[d];
        a->has_box = 1;
        sd_patoms_wrap(a, lo);
    }
    free(at);
    return close_text(&t, r < 0 ? -1 : 0);
}

/* ---- XYZ ----------------------------------------------------------------------------------------- */

/* Lattice="a1 a2 a3 b1 b2 b3 c1 c2 c3" of an extended-XYZ comment: an orthorhombic box, or -1
 * with a message; 0 when there is none. */
static int xyz_lattice(text *t, const char *comment, double box[3])
{
    const char *p = strstr(comment, "Lattice=\"");
    if (!p) return 0;
    double m[9];
    char *s = (char *)p + 9, *end;
    for (int k = 0; k < 9; k++) {
        errno = 0;
        m[k] = strtod(s, &end);
        if (end == s || errno || !isfinite(m[k])) return bad(t, "Lattice=\"...\" must hold 9 finite numbers (the cell vectors)");
        s = end;
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (i != j && m[3 * i + j] != 0) return bad(t, "the Lattice is not orthorhombic (expected a diagonal cell)");
    for (int d = 0; d < 3; d++) {
        if (!(m[4 * d] > 0)) return bad(t, "the Lattice's edge %d must be > 0", d + 1);
        box[d] = m[4 * d];
    }
    return 1;
}

int sd_patoms_read_xyz(const char *file, sd_patoms *a, char *err, size_t errlen)
{
    text t;
    if (open_text(&t, file, err, errlen) < 0) return -1;
    int r = next_line(&t);
    int64_t n;
    if (r <= 0) return close_text(&t, r < 0 ? -1 : bad(&t, "the file is empty (expected an atom count)"));
    if (t.ntok != 1 || !integer(t.tok[0], &n) || n < 1)
        return close_text(&t, bad(&t, "expected the atom count (an integer >= 1) alone on the first line"));
    if (n > SD_PA_MAX_ATOMS) /* before any size is computed from it */
        return close_text(&t, bad(&t, "the atom count %" PRId64 " is above %" PRId64 " (the most a particle domain holds)", n,
                                  SD_PA_MAX_ATOMS));
    /* the comment line, raw: '#' is text here */
    errno = 0;
    ssize_t cl = getline(&t.line, &t.cap, t.f);
    if (cl < 0) return close_text(&t, bad(&t, "the file ends before the comment line"));
    t.lineno++;
    if (memchr(t.line, 0, (size_t)cl)) return close_text(&t, bad(&t, "a NUL byte (expected a text file)"));
    int lat = xyz_lattice(&t, t.line, a->box);
    if (lat < 0) return close_text(&t, -1);
    a->has_box = lat;
    if (alloc_atoms(a, n, 0, err, errlen, file) < 0) return close_text(&t, -1);
    a->by_name = 1;
    for (int64_t i = 0; i < n; i++) {
        if ((r = next_line(&t)) <= 0)
            return close_text(&t, r < 0 ? -1 : bad(&t, "the file ends after %" PRId64 " of the %" PRId64 " atoms of line 1", i, n));
        if (t.ntok < 4)
            return close_text(&t, bad(&t, "malformed atom line (expected 'name x y z', got %d field%s)", t.ntok, t.ntok == 1 ? "" : "s"));
        for (int d = 0; d < 3; d++)
            if (!num(t.tok[1 + d], &a->x[3 * i + d]))
                return close_text(&t, bad(&t, "the %c coordinate '%.40s' is not a finite number (expected 'name x y z')", "xyz"[d],
                                          t.tok[1 + d]));
        int k = 0;
        while (k < a->ntypes && strcmp(a->label[k], t.tok[0])) k++;
        if (k == a->ntypes) {
            if (k == SD_PA_MAX_TYPES) return close_text(&t, bad(&t, "more than %d atom names", SD_PA_MAX_TYPES));
            if (strlen(t.tok[0]) >= sizeof a->label[0]) return close_text(&t, bad(&t, "atom name '%.20s...' is too long", t.tok[0]));
            snprintf(a->label[k], sizeof a->label[k], "%s", t.tok[0]);
            a->label_line[k] = t.lineno;
            a->ntypes++;
        }
        a->type[i] = k;
        a->label_count[k]++;
    }
    if (a->has_box) {
        const double lo[3] = {0, 0, 0};
        sd_patoms_wrap(a, lo);
    }
    return close_text(&t, 0);
}
