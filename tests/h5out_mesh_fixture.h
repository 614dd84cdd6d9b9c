/* h5out_mesh_fixture.h - the mesh run file tests' fixture (tests/t_h5out_mesh.c: the file and its
 * sidecar; tests/t_h5out_mesh_faults.c: refusals, a kill, a large mesh, a full disk): an octahedron
 * with vertex and face fields (and, for the edge run, edge fields), and the calls that write its
 * steps. */
#ifndef SD_TEST_H5OUT_MESH_FIXTURE_H
#define SD_TEST_H5OUT_MESH_FIXTURE_H
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5out.h"
#include "tap.h"

/* OK_ERR(expr) for a call that fills err: the message as a diagnostic when it fails (err cleared first). */
#define OK_ERR(expr, ...)                 \
    do {                                  \
        err[0] = 0;                       \
        int good_ = (expr);               \
        if (!ok(good_, __VA_ARGS__)) diag("%s", err); \
    } while (0)

static char tmpdir[512];

/* The octahedron: vertices +x -x +y -y +z -z, faces counter-clockwise seen from outside. */
enum { NV = 6, NF = 8 };
static const double X0[NV][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
static const int64_t TRI[NF][3] = {{0, 2, 4}, {2, 1, 4}, {1, 3, 4}, {3, 0, 4},
                                   {2, 0, 5}, {1, 2, 5}, {3, 1, 5}, {0, 3, 5}};
/* Its 12 edges, lower vertex first, ascending by lower, then higher vertex (sd_mesh_edges' order). */
enum { NE = 12 };
static const int64_t EDGE[NE][2] = {{0, 2}, {0, 3}, {0, 4}, {0, 5}, {1, 2}, {1, 3},
                                    {1, 4}, {1, 5}, {2, 4}, {2, 5}, {3, 4}, {3, 5}};
/* Fields: positions (vertices, 3), a curvature (vertices, 1), face areas (f32), face normals (f32,
 * 3), a 2-component vertex field (one scalar attribute per component). The edge run (create_edges,
 * MESH_E) has these and three fields on the edges: a weight (f64, 1), edge vectors (f32, 3), a
 * 2-component f64. */
enum { F_X, F_H, F_AREA, F_NORMAL, F_TILT, NFIELD, F_K = NFIELD, F_EVEC, F_K2, NFIELD_E };
static const char *FNAME[NFIELD_E] = {"x", "H", "area", "normal", "tilt2", "k", "evec", "k2"};
static const int FDT[NFIELD_E] = {SD_F64, SD_F64, SD_F32, SD_F32, SD_F64, SD_F64, SD_F32, SD_F64};
static const int FNC[NFIELD_E] = {3, 1, 1, 3, 2, 1, 3, 2};
static const int FLOC[NFIELD_E] = {SD_MESH_VERTICES, SD_MESH_VERTICES, SD_MESH_FACES, SD_MESH_FACES, SD_MESH_VERTICES,
                                   SD_MESH_EDGES,    SD_MESH_EDGES,    SD_MESH_EDGES};
#define DT 0.1

static inline int64_t nelem(int f) { return FLOC[f] == SD_MESH_FACES ? NF : FLOC[f] == SD_MESH_EDGES ? NE : NV; }
static inline const char *loc_name(int f)
{
    return FLOC[f] == SD_MESH_FACES ? "faces" : FLOC[f] == SD_MESH_EDGES ? "edges" : "vertices";
}

/* Distinct, bit-varied values: element i, component c of field f at step s. */
static inline double val(int64_t s, int f, int c, int64_t i)
{
    uint64_t x = (uint64_t)s * 1000003u + (uint64_t)f * 7919u + (uint64_t)c * 104729u + (uint64_t)i + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return ((double)(x >> 11) * 0x1p-53 - 0.5) * 4.0;
}
/* What field f holds at step s, component c of element i, as stored (f32 rounded). The positions
 * move: scaled, shifted and perturbed, so every coordinate of every step differs. */
static inline double want(int64_t s, int f, int c, int64_t i)
{
    double v = f == F_X ? X0[i][c] * (1.0 + 0.1 * (double)s) + 0.25 * (double)c * (double)s + 0.01 * val(s, f, c, i)
                        : val(s, f, c, i);
    return FDT[f] == SD_F32 ? (double)(float)v : v;
}
/* The field's data as the mesh class hands it over: components outermost, [c][element]. */
static inline void *field_data(int64_t s, int f)
{
    int64_t n = nelem(f) * FNC[f];
    void *p = malloc((size_t)n * 8);
    for (int c = 0; c < FNC[f]; c++)
        for (int64_t i = 0; i < nelem(f); i++) {
            if (FDT[f] == SD_F32) ((float *)p)[c * nelem(f) + i] = (float)want(s, f, c, i);
            else ((double *)p)[c * nelem(f) + i] = want(s, f, c, i);
        }
    return p;
}

static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *b = NULL;
    size_t n = 0, cap = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF) {
        if (n + 2 > cap) { cap = cap ? 2 * cap : 4096; b = realloc(b, cap); }
        b[n++] = (char)ch;
    }
    fclose(f);
    if (!b) b = calloc(1, 1);
    else b[n] = 0;
    return b;
}
static inline int count(const char *s, const char *sub)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, sub)); p += strlen(sub)) n++;
    return n;
}
/* The text of step s's Grid in the sidecar (malloc'd), or NULL: up to its first "</Grid>" (the
 * whole grid of a run without edge fields). */
static inline char *step_grid(const char *xmf, int64_t s)
{
    char name[64];
    snprintf(name, sizeof name, "<Grid Name=\"step_%08" PRId64 "\"", s);
    const char *a = xmf ? strstr(xmf, name) : NULL;
    const char *b = a ? strstr(a, "</Grid>") : NULL;
    return b ? strndup(a, (size_t)(b - a)) : NULL;
}
/* The whole of step s's Grid, a spatial collection with its inner grids (malloc'd), or NULL: up
 * to the "</Grid>" at the step grids' indentation. */
static inline char *step_block(const char *xmf, int64_t s)
{
    char name[64];
    snprintf(name, sizeof name, "<Grid Name=\"step_%08" PRId64 "\"", s);
    const char *a = xmf ? strstr(xmf, name) : NULL;
    const char *b = a ? strstr(a, "\n      </Grid>\n") : NULL;
    return b ? strndup(a, (size_t)(b - a)) : NULL;
}
/* The inner Grid `name` of a step's block (malloc'd), or NULL. */
static inline char *inner_grid(const char *block, const char *name)
{
    char open[64];
    snprintf(open, sizeof open, "<Grid Name=\"%s\" GridType=\"Uniform\">", name);
    const char *a = block ? strstr(block, open) : NULL;
    const char *b = a ? strstr(a, "</Grid>") : NULL;
    return b ? strndup(a, (size_t)(b - a)) : NULL;
}

static inline sd_h5out *create(const char *path, char *err, size_t el)
{
    int64_t shape[3] = {NV, 1, 1};
    double sp[3] = {1, 1, 1};
    const char *sn[] = {"energy"};
    return sd_h5out_create(path, NULL, 1, shape, sp, NFIELD, FNAME, FDT, FNC, 1, sn, err, el);
}
static const sd_h5mesh MESH = {NV, NF, &TRI[0][0], &X0[0][0], F_X, FLOC, 0, NULL};
/* The edge run: all NFIELD_E fields. */
static inline sd_h5out *create_edges(const char *path, char *err, size_t el)
{
    int64_t shape[3] = {NV, 1, 1};
    double sp[3] = {1, 1, 1};
    const char *sn[] = {"energy"};
    return sd_h5out_create(path, NULL, 1, shape, sp, NFIELD_E, FNAME, FDT, FNC, 1, sn, err, el);
}
static const sd_h5mesh MESH_E = {NV, NF, &TRI[0][0], &X0[0][0], F_X, FLOC, NE, &EDGE[0][0]};

/* Fields of step s, then (scalars) the step's scalar row, then a commit. */
static inline int write_step(sd_h5out *o, int64_t s, const int *fields, int n, int scalars, char *err, size_t el)
{
    for (int k = 0; k < n; k++) {
        void *d = field_data(s, fields[k]);
        int rc = sd_h5out_write_field(o, fields[k], s, (double)s * DT, d, err, el);
        free(d);
        if (rc < 0) return -1;
    }
    double e = val(s, 99, 0, 0);
    if (scalars && sd_h5out_append_scalars(o, s, (double)s * DT, &e, err, el) < 0) return -1;
    return sd_h5out_commit(o, err, el);
}

static inline int dims_of(hid_t f, const char *path, hsize_t *d, hid_t *type)
{
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t sp = H5Dget_space(ds);
    int r = H5Sget_simple_extent_dims(sp, d, NULL);
    if (type) *type = H5Dget_type(ds);
    H5Sclose(sp);
    H5Dclose(ds);
    return r;
}
static inline int str_attr_is(hid_t obj, const char *name, const char *want_s)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return 0;
    hid_t t = H5Aget_type(a);
    size_t n = H5Tget_size(t);
    char *b = calloc(1, n + 1);
    int good = H5Aread(a, t, b) >= 0 && !strcmp(b, want_s);
    if (!good) diag("attribute %s: '%s', want '%s'", name, b, want_s);
    free(b);
    H5Tclose(t);
    H5Aclose(a);
    return good;
}

/* tmpdir from SD_TEST_TMP (or /tmp); 0, or -1 after a Bail out! line */
static inline int fixture_tmpdir(const char *name)
{
    const char *t = getenv("SD_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/%s.XXXXXX", t && *t ? t : "/tmp", name);
    if (mkdtemp(tmpdir)) return 0;
    printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno));
    return -1;
}

static inline void fixture_cleanup(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) diag("could not remove %s", tmpdir);
}

#endif
