/* t_io_durable.c - the order in which the HDF5 writers (io/h5out.c, io/h5md.c) make their bytes
 * durable, and what a power loss could leave at every point of it.
 *
 * The ordered driver's test hook (sd_h5_io_test, io/h5util.h) reports every write that reaches
 * the file and every fdatasync. From that log the test keeps a model of the disk: the bytes known
 * durable (as of the last fdatasync) and the writes issued since, which a power loss may have
 * kept in any subset. At each fdatasync it checks, with its own reading of the log (HDF5's memory
 * type of each write, and the end of allocation in the durable superblock):
 *  A. children before parents: a sync interval that rewrites metadata the durable file already
 *     covers (an in-place update: group symbol tables, extents, chunk indexes, attributes)
 *     contains nothing else: the raw data and new metadata they point to were made durable
 *     before, by an earlier fdatasync;
 *  B. the superblock (whose end of allocation must cover what the parents point to) is made
 *     durable on its own, after the children and before the parents;
 *  C. crash states: for every other interval after the first commit, the durable image plus
 *     none, all, each single one and all but each single one of the interval's writes is
 *     materialized as a file, opened with plain H5Fopen (read-only, default driver, in a child
 *     process) and read whole (every object, attribute and dataset value): it must read exactly
 *     as the last commit. Intervals of in-place updates (the documented residual window) are
 *     measured the same way and reported.
 * After each commit (h5out) or append (h5md) the durable image must hold exactly what was
 * committed (fields bitwise, scalar rows, frames), and a separate process (this program with
 * --digest, HDF5_USE_FILE_LOCKING=FALSE, SWMR off) and h5dump read the live file, which the
 * writer keeps open, as the same content.
 * Finally the same runs with the ordering switched off (every write at once, as HDF5's sec2
 * driver does) must break A and B and lose committed data in some crash states, and the H5MD run
 * with multi-page B-tree nodes written whole must lose committed data in some crash states (a
 * node torn at a page boundary): the checks can fail. SD_IO_DURABLE_VERBOSE=1 lists the damaged
 * states, SD_IO_DURABLE_RANDOM=N sets the random states per interval (16). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5md.h"
#include "h5out.h"
#include "h5util.h"
#include "tap.h"

static char tmpdir[512];

/* ---- digest: everything a reader sees ----------------------------------------------------- */

typedef struct dg {
    uint64_t h;
    int bad;
} dg;

static void hb(dg *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) d->h = (d->h ^ b[i]) * 0x100000001b3ULL;
}

/* The values of a dataset (is_attr 0) or attribute (1) obj of file type ft and space sp. */
static void hash_values(dg *d, hid_t obj, int is_attr, hid_t ft, hid_t sp)
{
    hsize_t dims[8] = {0};
    int rank = H5Sget_simple_extent_ndims(sp);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    if (rank < 0 || rank > 8 || n < 0 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0) {
        d->bad = 1;
        return;
    }
    hb(d, &rank, sizeof rank);
    hb(d, dims, sizeof dims[0] * (size_t)rank);
    if (!n) return;
    if (H5Tis_variable_str(ft) > 0) {
        char **v = calloc((size_t)n, sizeof *v);
        hid_t mt = H5Tcopy(ft);
        if (!v || mt < 0 || (is_attr ? H5Aread(obj, mt, v) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v)) < 0)
            d->bad = 1;
        else
            for (hssize_t i = 0; i < n; i++) hb(d, v[i] ? v[i] : "", v[i] ? strlen(v[i]) + 1 : 1);
        if (v && mt >= 0 && !d->bad) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
        if (mt >= 0) H5Tclose(mt);
        free(v);
        return;
    }
    hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    size_t es = mt >= 0 ? H5Tget_size(mt) : 0;
    void *buf = es ? malloc((size_t)n * es) : NULL;
    if (!buf || (is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) < 0)
        d->bad = 1;
    else
        hb(d, buf, (size_t)n * es);
    free(buf);
    if (mt >= 0) H5Tclose(mt);
}

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *ai, void *op)
{
    (void)ai;
    dg *d = op;
    hb(d, name, strlen(name) + 1);
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1, s = a >= 0 ? H5Aget_space(a) : -1;
    if (t < 0 || s < 0) d->bad = 1;
    else hash_values(d, a, 1, t, s);
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    if (a >= 0) H5Aclose(a);
    return d->bad ? -1 : 0;
}

static herr_t visit_cb(hid_t root, const char *name, const H5O_info_t *info, void *op)
{
    dg *d = op;
    hb(d, name, strlen(name) + 1);
    hb(d, &info->type, sizeof info->type);
    hid_t o = H5Oopen(root, name, H5P_DEFAULT);
    if (o < 0) {
        d->bad = 1;
        return -1;
    }
    if (H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, d) < 0) d->bad = 1;
    if (!d->bad && info->type == H5O_TYPE_DATASET) {
        hid_t t = H5Dget_type(o), s = H5Dget_space(o);
        if (t < 0 || s < 0) d->bad = 1;
        else hash_values(d, o, 0, t, s);
        if (t >= 0) H5Tclose(t);
        if (s >= 0) H5Sclose(s);
    }
    H5Oclose(o);
    return d->bad ? -1 : 0;
}

/* The digest of the whole file as plain H5Fopen (default driver, read-only) reads it; 0 when it
 * does not open or some object, attribute or value cannot be read. */
static uint64_t digest(const char *path)
{
    H5E_auto2_t fn;
    void *fd;
    H5Eget_auto2(H5E_DEFAULT, &fn, &fd);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    dg d = {0xcbf29ce484222325ULL, 0};
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0 || H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, visit_cb, &d, H5O_INFO_BASIC) < 0) d.bad = 1;
    if (f >= 0 && H5Fclose(f) < 0) d.bad = 1;
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, fn, fd);
    return d.bad || !d.h ? 0 : d.h;
}

/* What a reader makes of a file: its digest (0: some part unreadable), whether plain H5Fopen
 * opens it, and whether the previous commit's data reads back bitwise (the model's check). */
typedef struct look {
    uint64_t h;
    int opens, intact;
} look;

typedef int (*intact_fn)(const char *path, const void *ctx);

static int opens(const char *path)
{
    H5E_auto2_t fn;
    void *fd;
    H5Eget_auto2(H5E_DEFAULT, &fn, &fd);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, fn, fd);
    return f >= 0;
}

/* look at path in a child process: a damaged file may crash the HDF5 reader. The child only opens
 * `path`; it leaves through _exit, so this process's open HDF5 files are never touched there.
 * ctx: the last commit's digest, then what intact() reads (intact = NULL: not checked). */
static look look_forked(const char *path, intact_fn intact, const void *ctx)
{
    look l = {0, 0, 0};
    int p[2];
    if (pipe(p) != 0) return l;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        look c = {digest(path), 1, 1};
        if (!c.h) c.opens = opens(path);
        /* the last commit's content is intact when the whole file reads as it */
        if (c.h != *(const uint64_t *)ctx) c.intact = c.opens && intact ? intact(path, (const uint64_t *)ctx + 1) : 0;
        ssize_t w = write(p[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(p[1]);
    if (pid < 0 || read(p[0], &l, sizeof l) != (ssize_t)sizeof l) memset(&l, 0, sizeof l);
    close(p[0]);
    int st;
    if (pid > 0) waitpid(pid, &st, 0);
    return l;
}

/* The live file, read by a separate program while the writer keeps it open: this test itself
 * run with --digest (and h5dump -H when installed), without HDF5's file locks. */
static uint64_t live_digest(const char *path, int *h5dump_rc)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "HDF5_USE_FILE_LOCKING=FALSE /proc/%d/exe --digest '%s'", (int)getpid(), path);
    FILE *p = popen(cmd, "r");
    uint64_t h = 0;
    if (p) {
        if (fscanf(p, "%" SCNx64, &h) != 1) h = 0;
        if (pclose(p) != 0) h = 0;
    }
    *h5dump_rc = -1;
    if (system("command -v h5dump >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd, "HDF5_USE_FILE_LOCKING=FALSE h5dump -H '%s' >/dev/null 2>&1", path);
        *h5dump_rc = system(cmd);
    }
    return h;
}

/* ---- the disk model ----------------------------------------------------------------------- */

typedef struct ev {
    int kind, type;
    uint64_t addr, size;
    unsigned char *buf;
} ev;

static ev *lg; /* events since the last processing */
static size_t nlg, caplg;

static void on_io(int kind, int type, uint64_t addr, uint64_t size, const void *buf, void *u)
{
    (void)u;
    if (kind == SD_H5_IO_HOLD || kind == SD_H5_IO_TRUNCATE) return;
    if (nlg == caplg) {
        caplg = caplg ? 2 * caplg : 1024;
        lg = realloc(lg, caplg * sizeof *lg);
        if (!lg) abort();
    }
    ev *e = &lg[nlg++];
    *e = (ev){kind, type, addr, size, NULL};
    if (buf && size) {
        if (!(e->buf = malloc(size))) abort();
        memcpy(e->buf, buf, size);
    }
}

/* Random crash states per interval (SD_IO_DURABLE_RANDOM, default 16), from a fixed seed. */
static size_t RANDOM_STATES = 16;
static uint64_t rnd_state = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

typedef struct model {
    unsigned char *disk; /* durable bytes */
    uint64_t len, cap;
    ev *pend; /* writes since the last sync */
    size_t npend, cappend;
    uint64_t committed; /* digest of the last commit (0: none yet) */
    char state[600];    /* where crash states are materialized */
    intact_fn intact; /* does a file hold the last commit's data, bitwise (new data may follow)? */
    const void *ictx;
    size_t ictx_size;
    /* results */
    long states, bad_states, viol_a, viol_b, intervals, parent_intervals;
    long p_states, p_prev, p_next, p_intact, p_lost, p_noopen;
} model;

static void grow(model *m, uint64_t len)
{
    if (len > m->cap) {
        uint64_t nc = m->cap ? m->cap : 1 << 16;
        while (nc < len) nc *= 2;
        m->disk = realloc(m->disk, nc);
        if (!m->disk) abort();
        memset(m->disk + m->cap, 0, nc - m->cap);
        m->cap = nc;
    }
}

/* End of allocation recorded in the durable superblock (version 2: at byte 28), 0 if none. */
static uint64_t durable_eoa(const model *m)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (m->len < 48 || memcmp(m->disk, sig, 8) || m->disk[8] != 2) return 0;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | m->disk[28 + i];
    return v;
}

/* The units a power loss keeps or loses independently: the pending writes cut at 4 KiB page
 * boundaries (a write larger than a page may be torn). */
typedef struct piece {
    size_t w;         /* index in m->pend */
    uint64_t off, n;  /* part of that write */
} piece;

static piece *pieces;
static size_t npieces, cappieces;

static void cut_pieces(const model *m)
{
    npieces = 0;
    for (size_t i = 0; i < m->npend; i++) {
        const ev *w = &m->pend[i];
        for (uint64_t off = 0; off < w->size;) {
            uint64_t end = ((w->addr + off) / 4096 + 1) * 4096 - w->addr;
            if (end > w->size) end = w->size;
            if (npieces == cappieces) {
                cappieces = cappieces ? 2 * cappieces : 256;
                pieces = realloc(pieces, cappieces * sizeof *pieces);
                if (!pieces) abort();
            }
            pieces[npieces++] = (piece){i, off, end - off};
            off = end;
        }
    }
}

/* The durable image plus the pieces with on[k] set, written in issue order to m->state, and what
 * a reader makes of it. The state file holds the durable image between calls (state_base). */
static void state_base(model *m)
{
    int fd = open(m->state, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || pwrite(fd, m->disk, m->len, 0) != (ssize_t)m->len) diag("cannot write %s", m->state);
    if (fd >= 0) close(fd);
}

static look crash_state(model *m, const unsigned char *on, int check_intact)
{
    look none = {0, 0, 0};
    int fd = open(m->state, O_WRONLY);
    if (fd < 0) return none;
    int good = 1;
    for (size_t k = 0; k < npieces && good; k++) {
        if (!on[k]) continue;
        const ev *w = &m->pend[pieces[k].w];
        good = pwrite(fd, w->buf + pieces[k].off, pieces[k].n, (off_t)(w->addr + pieces[k].off)) == (ssize_t)pieces[k].n;
    }
    struct {
        uint64_t committed;
        char ctx[256];
    } c;
    c.committed = m->committed;
    memcpy(c.ctx, m->ictx, m->ictx_size < sizeof c.ctx ? m->ictx_size : sizeof c.ctx);
    look l = good ? look_forked(m->state, check_intact ? m->intact : NULL, &c) : none;
    /* back to the durable image */
    for (size_t k = 0; k < npieces; k++) {
        if (!on[k]) continue;
        const ev *w = &m->pend[pieces[k].w];
        uint64_t a = w->addr + pieces[k].off, n = pieces[k].n;
        if (a < m->len && pwrite(fd, m->disk + a, a + n <= m->len ? n : m->len - a, (off_t)a) < 0) good = 0;
    }
    if (ftruncate(fd, (off_t)m->len) != 0) good = 0;
    close(fd);
    if (!good) diag("cannot restore %s", m->state);
    return l;
}

static const char *mem_name(int t)
{
    static const char *n[] = {"default", "super", "btree", "draw", "gheap", "lheap", "ohdr"};
    return t >= 0 && t < 7 ? n[t] : "?";
}

/* The durable image as a file (for the content checks); its path. */
static const char *durable_file(model *m)
{
    static char p[600];
    snprintf(p, sizeof p, "%s/durable.h5", tmpdir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (pwrite(fd, m->disk, m->len, 0) != (ssize_t)m->len) diag("cannot write %s", p);
        close(fd);
    }
    return p;
}

/* One sync interval ends: checks A, B, C on m->pend, then the writes become durable. */
static void interval_end(model *m, uint64_t size_after, const char *what)
{
    uint64_t eoa = durable_eoa(m);
    size_t inplace = 0, super = 0, other = 0;
    for (size_t i = 0; i < m->npend; i++) {
        const ev *w = &m->pend[i];
        int heap = w->type == H5FD_MEM_LHEAP || w->type == H5FD_MEM_GHEAP;
        if ((w->addr == 0 || (heap && w->addr < eoa)) && eoa) super++; /* superblock, heaps in place */
        else if (w->type != H5FD_MEM_DRAW && w->addr < eoa) inplace++;
        else other++;
    }
    m->intervals++;
    if (inplace && (other || super)) {
        m->viol_a++;
        if (m->viol_a <= 3)
            diag("%s: an interval rewrites %zu metadata block(s) in place together with %zu other write(s)%s",
                 what, inplace, other, super ? " and the superblock" : "");
    }
    if (super && (other || inplace)) {
        m->viol_b++;
        if (m->viol_b <= 3)
            diag("%s: the superblock and in-place heap writes go with %zu other write(s) in one interval", what,
                 other + inplace);
    }
    if (m->committed && m->npend) {
        /* crash states: none, all, each piece alone, all but each piece, and random subsets */
        cut_pieces(m);
        state_base(m);
        unsigned char *on = malloc(npieces ? npieces : 1);
        if (!on) abort();
        memset(on, 1, npieces);
        uint64_t next = crash_state(m, on, 0).h;
        size_t nstates = 2 + 2 * npieces + RANDOM_STATES;
        for (size_t st = 0; st < nstates; st++) {
            const char *kind;
            size_t j = 0;
            if (st == 0) {
                kind = "none";
                memset(on, 0, npieces);
            } else if (st == 1) {
                kind = "all";
                memset(on, 1, npieces);
            } else if (st < 2 + 2 * npieces) {
                j = (st - 2) / 2;
                int only = (st - 2) % 2 == 0;
                kind = only ? "only" : "all but";
                memset(on, !only, npieces);
                on[j] = only;
            } else {
                kind = "random subset";
                for (size_t k = 0; k < npieces; k++) on[k] = (rnd() >> 17) & 1;
            }
            look l = st == 1 ? (look){next, 1, 1} : crash_state(m, on, inplace > 0);
            const ev *w = st >= 2 && st < 2 + 2 * npieces ? &m->pend[pieces[j].w] : NULL;
            if (!inplace) {
                m->states++;
                if (l.h != m->committed && ++m->bad_states <= 5)
                    diag("%s: crash state '%s' (%s write at %" PRIu64 " + %" PRIu64 ", %zu pieces) reads %s", what,
                         kind, w ? mem_name(w->type) : "-", w ? w->addr : 0, w ? pieces[j].off : 0, npieces,
                         l.h ? "as other content than the last commit" : "as an unreadable file");
            } else if (st >= 2) {
                m->p_states++;
                if (l.h && l.h == m->committed) m->p_prev++;
                else if (l.h && l.h == next) m->p_next++;
                if (!l.opens) m->p_noopen++;
                else if (l.intact) m->p_intact++;
                else m->p_lost++;
                if (getenv("SD_IO_DURABLE_VERBOSE") && (!l.opens || !l.intact))
                    diag("%s: parents' window, state '%s' %s write at %" PRIu64 " + %" PRIu64 " (%" PRIu64
                         " bytes) of %zu pieces: %s", what, kind, w ? mem_name(w->type) : "-", w ? w->addr : 0,
                         w ? pieces[j].off : 0, w ? pieces[j].n : 0, npieces,
                         !l.opens ? "does not open" : "last commit's data damaged");
            }
        }
        free(on);
        if (inplace) m->parent_intervals++;
    }
    for (size_t i = 0; i < m->npend; i++) {
        const ev *w = &m->pend[i];
        grow(m, w->addr + w->size);
        memcpy(m->disk + w->addr, w->buf, w->size);
        if (w->addr + w->size > m->len) m->len = w->addr + w->size;
        free(w->buf);
    }
    m->npend = 0;
    grow(m, size_after);
    if (size_after < m->len) memset(m->disk + size_after, 0, m->len - size_after);
    m->len = size_after;
    if (inplace && m->committed) m->committed = digest(durable_file(m)); /* a commit completed */
}

/* Feed the hook's log to the model. */
static void process(model *m, const char *what)
{
    for (size_t i = 0; i < nlg; i++) {
        ev *e = &lg[i];
        if (e->kind == SD_H5_IO_SYNC) {
            interval_end(m, e->size, what);
            continue;
        }
        if (m->npend == m->cappend) {
            m->cappend = m->cappend ? 2 * m->cappend : 256;
            m->pend = realloc(m->pend, m->cappend * sizeof *m->pend);
            if (!m->pend) abort();
        }
        m->pend[m->npend++] = *e;
    }
    nlg = 0;
}

static void model_reset(model *m, const char *tag)
{
    free(m->disk);
    free(m->pend);
    memset(m, 0, sizeof *m);
    snprintf(m->state, sizeof m->state, "%s/crash-%s.h5", tmpdir, tag);
}

/* ---- run output (h5out) ------------------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
static double gval(int64_t a, int64_t b, int64_t i) { return (double)(mix(mix((uint64_t)a * 7919u + (uint64_t)b) ^ (uint64_t)i) >> 11) * 0x1p-40; }

enum { NX = 6, NY = 5, NZ = 4, NPT = NX * NY * NZ };

/* The committed content of a file: fields E (f64) and B (f32, 3 components) at steps[0..nsteps),
 * scalar rows 0..nrows). exact = 0: at least that (later steps and rows may follow); quiet: no
 * diagnostics. */
static int out_content(const char *path, const int64_t *steps, int nsteps, int64_t nrows, int exact, int quiet)
{
    char err[512];
    for (int f = 0; f < 2; f++) {
        const char *name = f ? "B" : "E";
        int64_t *ls = NULL, n = 0;
        if (sd_h5_list_field_steps(path, name, &ls, &n, err, sizeof err)) {
            if (!quiet) diag("durable image: %s", err);
            return 0;
        }
        int good = exact ? n == nsteps : n >= nsteps;
        for (int64_t k = 0; good && k < nsteps; k++) good = ls[k] == steps[k];
        free(ls);
        if (!good) {
            if (!quiet) diag("durable image: field %s has %" PRId64 " steps, want %d", name, n, nsteps);
            return 0;
        }
        for (int k = 0; k < nsteps; k++) {
            double *d = NULL;
            int64_t cnt = 0;
            if (sd_h5_read_field(path, name, steps[k], &d, &cnt, err, sizeof err)) {
                if (!quiet) diag("durable image: %s", err);
                return 0;
            }
            int64_t want_n = f ? 3 * NPT : NPT;
            good = cnt == want_n;
            for (int64_t i = 0; good && i < cnt; i++) {
                double w = f ? (double)(float)gval(steps[k], f, i) : gval(steps[k], f, i);
                good = !memcmp(&w, &d[i], sizeof w);
            }
            free(d);
            if (!good) {
                if (!quiet) diag("durable image: field %s step %" PRId64 " differs", name, steps[k]);
                return 0;
            }
        }
    }
    for (int s = 0; s < 2; s++) {
        int64_t *st = NULL, n = 0;
        double *v = NULL;
        if (sd_h5_read_scalar(path, s ? "norm" : "energy", &st, &v, &n, err, sizeof err)) {
            if (!quiet) diag("durable image: %s", err);
            return 0;
        }
        int good = exact ? n == nrows : n >= nrows;
        for (int64_t r = 0; good && r < nrows; r++) {
            double w = gval(r, 100 + s, 0);
            good = st[r] == r && !memcmp(&w, &v[r], sizeof w);
        }
        free(st);
        free(v);
        if (!good) {
            if (!quiet) diag("durable image: scalar %d has %" PRId64 " rows (want %" PRId64 ") or other values", s, n, nrows);
            return 0;
        }
    }
    return 1;
}

typedef struct out_ctx {
    const int64_t *steps;
    int nsteps;
    int64_t nrows;
} out_ctx;

static int out_intact(const char *path, const void *ctx)
{
    const out_ctx *c = ctx;
    return out_content(path, c->steps, c->nsteps, c->nrows, 0, 1);
}

/* After a commit: the durable image holds exactly the commit; a separate reader and h5dump read
 * the live file as the same. */
static void after_commit(model *m, const char *path, const char *what, const int64_t *steps, int nsteps,
                         int64_t nrows, int *content_bad, int *live_bad)
{
    process(m, what);
    const char *dp = durable_file(m);
    uint64_t d = digest(dp);
    if (!d || m->npend || !out_content(dp, steps, nsteps, nrows, 1, 0)) {
        if (++*content_bad <= 3) diag("%s: the durable image is not the commit (%zu writes not synced)", what, m->npend);
    }
    int dump = 0;
    uint64_t live = live_digest(path, &dump);
    if (live != d || (dump != -1 && dump != 0)) {
        if (++*live_bad <= 3)
            diag("%s: the live file reads %s (h5dump rc %d)", what, live ? "as other content" : "as unreadable", dump);
    }
    m->committed = d;
}

static void run_h5out(model *m, int unordered, int nsteps_total)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/run%s.h5", tmpdir, unordered ? "-unordered" : "");
    model_reset(m, unordered ? "out-unordered" : "out");
    sd_h5_io_test(on_io, NULL, unordered);
    const int64_t shape[3] = {NX, NY, NZ};
    const double sp[3] = {0.5, 0.25, 1};
    const char *fn[] = {"E", "B"}, *sn[] = {"energy", "norm"};
    const int dt[] = {SD_F64, SD_F32}, nc[] = {1, 3};
    sd_h5meta meta = {0};
    meta.graph_text = "durability test";
    sd_h5out *o = sd_h5out_create(path, &meta, 3, shape, sp, 2, fn, dt, nc, 2, sn, err, sizeof err);
    if (!o) {
        ok(0, "h5out: create: %s", err);
        return;
    }
    int content_bad = 0, live_bad = 0, api_bad = 0;
    int64_t steps[64] = {0};
    int nsteps = 0;
    int64_t nrows = 0;
    out_ctx ctx = {steps, 0, 0};
    m->intact = out_intact;
    m->ictx = &ctx;
    m->ictx_size = sizeof ctx;
    after_commit(m, path, "create", steps, 0, 0, &content_bad, &live_bad);
    double *e = malloc(NPT * sizeof *e);
    float *b = malloc(3 * NPT * sizeof *b);
    for (int k = 0; k < nsteps_total; k++) {
        int64_t step = 10 * k;
        for (int64_t i = 0; i < NPT; i++) e[i] = gval(step, 0, i);
        for (int64_t i = 0; i < 3 * NPT; i++) b[i] = (float)gval(step, 1, i);
        api_bad |= sd_h5out_write_field(o, 0, step, 0.1 * (double)step, e, err, sizeof err);
        api_bad |= sd_h5out_write_field(o, 1, step, 0.1 * (double)step, b, err, sizeof err);
        steps[nsteps++] = step;
        for (int r = 0; r < 7; r++, nrows++) {
            double v[2] = {gval(nrows, 100, 0), gval(nrows, 101, 0)};
            api_bad |= sd_h5out_append_scalars(o, nrows, 0.1 * (double)nrows, v, err, sizeof err);
        }
        process(m, "write");
        if (k % 3 == 1) continue; /* two steps in one commit now and then */
        char what[64];
        snprintf(what, sizeof what, "commit after step %" PRId64, step);
        api_bad |= sd_h5out_commit(o, err, sizeof err);
        after_commit(m, path, what, steps, nsteps, nrows, &content_bad, &live_bad);
        ctx.nsteps = nsteps;
        ctx.nrows = nrows;
    }
    sd_h5run r = {0};
    r.wall_seconds = 1.5;
    api_bad |= sd_h5out_write_run(o, &r, err, sizeof err);
    process(m, "run summary");
    api_bad |= sd_h5out_close(o, "ok", nsteps_total, 2.5, err, sizeof err);
    process(m, "close");
    free(e);
    free(b);
    sd_h5_io_test(NULL, NULL, 0);
    const char *u = unordered ? " (ordering off)" : "";
    ok(!api_bad, "h5out%s: every write, append, commit and the close succeed%s%s", u, api_bad ? ": " : "",
       api_bad ? err : "");
    if (unordered) return;
    ok(!content_bad, "h5out: after each of %d commits the durable image holds exactly the commit", nsteps_total);
    ok(!live_bad, "h5out: after each commit a separate reader (and h5dump) reads the open file as the commit");
    uint64_t fin = digest(path);
    ok(fin && fin == digest(durable_file(m)), "h5out: after close the durable image is the file");
}

/* ---- trajectories (h5md) ------------------------------------------------------------------ */

enum { NPART = 40 };

static void frame(int64_t f, double *pos, double *vel)
{
    for (int64_t i = 0; i < 3 * NPART; i++) {
        pos[i] = gval(f, 200, i);
        vel[i] = gval(f, 201, i);
    }
}

/* The frames 0..nframes) of a file, bitwise (exact = 0: later frames may follow). */
static int md_content(const char *path, int64_t nframes, int exact)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    int good = 1;
    const char *ds[] = {"/particles/trajectory/position/value", "/particles/trajectory/velocity/value"};
    for (int k = 0; k < 2 && good; k++) {
        hid_t d = H5Dopen2(f, ds[k], H5P_DEFAULT);
        hid_t s = d >= 0 ? H5Dget_space(d) : -1;
        hsize_t dims[3] = {0};
        good = s >= 0 && H5Sget_simple_extent_dims(s, dims, NULL) == 3 && (exact ? dims[0] == (hsize_t)nframes : dims[0] >= (hsize_t)nframes) &&
               dims[1] == NPART;
        double *v = good && dims[0] ? malloc((size_t)dims[0] * 3 * NPART * sizeof *v) : NULL;
        if (v && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) good = 0;
        for (int64_t fr = 0; v && good && fr < nframes; fr++)
            for (int64_t i = 0; good && i < 3 * NPART; i++) {
                double w = gval(fr, 200 + k, i);
                good = !memcmp(&w, &v[fr * 3 * NPART + i], sizeof w);
            }
        free(v);
        if (s >= 0) H5Sclose(s);
        if (d >= 0) H5Dclose(d);
    }
    for (int k = 0; k < 2 && good; k++) { /* step and time of the frames */
        hid_t d = H5Dopen2(f, k ? "/particles/trajectory/position/time" : "/particles/trajectory/position/step", H5P_DEFAULT);
        hid_t s = d >= 0 ? H5Dget_space(d) : -1;
        hsize_t n = 0;
        good = s >= 0 && H5Sget_simple_extent_dims(s, &n, NULL) == 1 && (exact ? n == (hsize_t)nframes : n >= (hsize_t)nframes);
        double *v = good && n ? malloc(n * sizeof *v) : NULL;
        if (v && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) good = 0;
        for (int64_t fr = 0; v && good && fr < nframes; fr++) good = v[fr] == (k ? 0.5 * (double)fr : 10.0 * (double)fr);
        free(v);
        if (s >= 0) H5Sclose(s);
        if (d >= 0) H5Dclose(d);
    }
    H5Fclose(f);
    return good;
}

static int md_intact(const char *path, const void *ctx) { return md_content(path, *(const int64_t *)ctx, 0); }



static void run_h5md(model *m, int unordered, int nframes)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/traj%d.h5md", tmpdir, unordered);
    model_reset(m, unordered == 2 ? "md-whole-nodes" : unordered ? "md-unordered" : "md");
    sd_h5_io_test(on_io, NULL, unordered);
    const double box[3] = {10, 11, 12};
    sd_h5md *w = sd_h5md_create(path, "t_io_durable", NULL, NPART, box, NULL, NULL, NULL, err, sizeof err);
    if (!w) {
        ok(0, "h5md: create: %s", err);
        return;
    }
    int api_bad = 0, content_bad = 0, live_bad = 0;
    int64_t done = 0;
    m->intact = md_intact;
    m->ictx = &done;
    m->ictx_size = sizeof done;
    process(m, "h5md create");
    m->committed = digest(durable_file(m));
    double pos[3 * NPART], vel[3 * NPART];
    for (int64_t f = 0; f < nframes; f++) {
        api_bad |= sd_h5md_observable(w, "energy", 10 * f, 0.5 * (double)f, gval(f, 300, 0), err, sizeof err);
        if (f >= 2) /* a new observable group mid-run: new objects and a new link */
            api_bad |= sd_h5md_observable(w, "pressure", 10 * f, 0.5 * (double)f, gval(f, 301, 0), err, sizeof err);
        frame(f, pos, vel);
        api_bad |= sd_h5md_append(w, 10 * f, 0.5 * (double)f, pos, vel, SD_H5MD_AOS, NULL, err, sizeof err);
        char what[64];
        snprintf(what, sizeof what, "append of frame %" PRId64, f);
        process(m, what);
        const char *dp = durable_file(m);
        uint64_t d = digest(dp);
        if (!d || m->npend || !md_content(dp, f + 1, 1)) {
            if (++content_bad <= 3) diag("%s: the durable image does not hold the %" PRId64 " frames", what, f + 1);
        }
        int dump = 0;
        uint64_t live = live_digest(path, &dump);
        if (live != d || (dump != -1 && dump != 0))
            if (++live_bad <= 3) diag("%s: the live file reads differently (h5dump rc %d)", what, dump);
        m->committed = d;
        done = f + 1;
    }
    api_bad |= sd_h5md_close(w, err, sizeof err);
    process(m, "h5md close");
    sd_h5_io_test(NULL, NULL, 0);
    const char *u = unordered == 2 ? " (B-tree nodes written whole)" : unordered ? " (ordering off)" : "";
    ok(!api_bad, "h5md%s: every append, observable and the close succeed%s%s", u, api_bad ? ": " : "",
       api_bad ? err : "");
    if (unordered) return;
    ok(!content_bad, "h5md: after each of %d appends the durable image holds exactly the frames so far", nframes);
    ok(!live_bad, "h5md: after each append a separate reader (and h5dump) reads the open file as the durable image");
}

/* ---- main --------------------------------------------------------------------------------- */

static void report(const model *m, const char *name)
{
    ok(m->viol_a == 0, "%s: children before parents: no in-place metadata update shares a sync interval with "
                       "other writes (%ld intervals)", name, m->intervals);
    ok(m->viol_b == 0, "%s: the superblock and the heaps' in-place updates are made durable on their own, after "
                       "the children, before the parents", name);
    ok(m->states > 0 && m->bad_states == 0,
       "%s: all %ld crash states outside the parents' intervals read exactly as the last commit (%ld bad)", name,
       m->states, m->bad_states);
    diag("%s: parents' window (%ld intervals of in-place updates), %ld crash states (pieces alone, all but one, "
         "random subsets): "
         "%ld read as the previous commit, %ld as the new one; %ld hold the previous commit's data bitwise, "
         "%ld do not, %ld do not open", name, m->parent_intervals, m->p_states, m->p_prev, m->p_next,
         m->p_intact, m->p_lost, m->p_noopen);
}

/* A run with ordering off: the checks must catch it, and some crash state must lose data. */
static void expect_unordered_fails(const model *m, const char *name)
{
    diag("%s, ordering off: %ld intervals mixing in-place updates with other writes, %ld with the superblock; "
         "of %ld crash states, %ld lose the last commit's data, %ld do not open",
         name, m->viol_a, m->viol_b, m->p_states, m->p_lost, m->p_noopen);
    ok(m->viol_a > 0 && m->viol_b > 0, "%s, ordering off: checks A and B fail", name);
    ok(m->p_lost + m->p_noopen > 0, "%s, ordering off: some crash states lose the last commit's data", name);
}

int main(int argc, char **argv)
{
    setenv("STARDAG_FSYNC", "1", 1); /* the harness turns syncs off for the suite; this test is about them */
    if (argc == 3 && !strcmp(argv[1], "--digest")) {
        uint64_t h = digest(argv[2]);
        printf("%016" PRIx64 "\n", h);
        return h ? 0 : 1;
    }
    const char *base = getenv("SD_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/t_io_durable.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 99;
    }
    const char *nr = getenv("SD_IO_DURABLE_RANDOM");
    if (nr && *nr) RANDOM_STATES = strtoul(nr, NULL, 10);
    model m = {0};
    run_h5out(&m, 0, 6);
    report(&m, "h5out");
    run_h5md(&m, 0, 6);
    report(&m, "h5md");

    /* The checks see the difference: the same runs with every write issued at once. */
    run_h5out(&m, 1, 3);
    expect_unordered_fails(&m, "h5out");
    run_h5md(&m, 1, 2);
    expect_unordered_fails(&m, "h5md");
    /* Multi-page B-tree nodes written whole: a node torn at a page boundary (new entry count over
     * old entries) makes the earlier frames of that dataset unreadable; from frame 4 on, the new
     * chunk-index entry of a frame lies past the node's first page. */
    run_h5md(&m, 2, 6);
    diag("h5md, B-tree nodes written whole: of %ld crash states in the parents' window, %ld lose the last commit's "
         "data, %ld do not open", m.p_states, m.p_lost, m.p_noopen);
    ok(m.viol_a == 0 && m.viol_b == 0 && m.p_lost + m.p_noopen > 0,
       "h5md, B-tree nodes written whole: checks A and B pass, but torn nodes lose the last commit's data");
    model_reset(&m, "done");
    free(m.disk);
    free(m.pend);
    free(lg);
    free(pieces);

    if (!getenv("SD_KEEP_TMP")) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0) diag("cannot remove %s", tmpdir);
    }
    return tap_done();
}
