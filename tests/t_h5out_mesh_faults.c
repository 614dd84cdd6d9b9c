/* t_h5out_mesh_faults.c - the mesh run file under bad arguments and faults (sd_h5out_set_mesh):
 * refused arguments (with the file named, nothing written); a child killed right after set_mesh
 * leaves a file with its mesh; a 150,001-vertex mesh (several chunks) reads back bit for bit; a
 * file size limit makes set_mesh fail cleanly (the file stays at its last commit, the writer closes
 * it). The fixture: h5out_mesh_fixture.h. */
#include "h5out_mesh_fixture.h"

/* ---- refused arguments, a kill after set_mesh --------------------------------------------- */

static void test_refusals(void)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/bad.h5", tmpdir);
    sd_h5out *o = create(path, err, sizeof err);
    if (!ok(o != NULL, "refusals: create")) { diag("%s", err); return; }
    int64_t badtri[NF][3];
    memcpy(badtri, TRI, sizeof TRI);
    badtri[3][1] = NV;
    sd_h5mesh m = MESH;
    m.tri = &badtri[0][0];
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, path) && strstr(err, "triangle 3 corner 1 is vertex 6") &&
           strstr(err, "0 .. 5"), "a corner outside the vertices refused: %s", err);
    m = MESH;
    m.position_field = F_H;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "position field H has 1 components on vertices") &&
           strstr(err, "expected 3 on vertices"), "a 1-component position field refused: %s", err);
    m = MESH;
    m.position_field = F_NORMAL;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "position field normal has 3 components on faces"),
       "a position field on faces refused: %s", err);
    int badloc[NFIELD] = {0, 0, 3, 1, 0};
    m = MESH;
    m.field_location = badloc;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "field area has location 3"),
       "an unknown location refused: %s", err);
    m = MESH;
    m.nf = 0;
    ok(sd_h5out_set_mesh(o, &m, err, sizeof err) == -1 && strstr(err, "6 vertices and 0 triangles"),
       "an empty mesh refused: %s", err);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ok(f < 0 || H5Lexists(f, "mesh", H5P_DEFAULT) == 0, "nothing written by the refused calls");
    if (f >= 0) H5Fclose(f);
    OK_ERR(sd_h5out_set_mesh(o, &MESH, err, sizeof err) == 0, "then a valid mesh is recorded");
    ok(sd_h5out_set_mesh(o, &MESH, err, sizeof err) == -1 && strstr(err, "already recorded"), "a second mesh refused: %s", err);
    const char *an[] = {"theta"};
    int64_t cnt[] = {4};
    double lo[] = {0}, hi[] = {1};
    ok(sd_h5out_field_inner(o, F_H, 1, an, cnt, lo, hi, err, sizeof err) == -1 && strstr(err, "mesh run"),
       "inner axes refused in a mesh run: %s", err);
    int fl[] = {F_H};
    ok(write_step(o, 3, fl, 1, 1, err, sizeof err) == 0, "a field step after the refusals");
    ok(sd_h5out_close(o, "completed", 3, 0.0, err, sizeof err) == 0, "close");
    double *v = NULL;
    int64_t n = 0;
    ok(sd_h5_read_field(path, "H", 3, &v, &n, err, sizeof err) == 0 && n == NV && v[2] == want(3, F_H, 0, 2),
       "the file holds that step");
    free(v);

    snprintf(path, sizeof path, "%s/late.h5", tmpdir);
    o = create(path, err, sizeof err);
    if (!ok(o != NULL, "late: create")) return;
    void *d = field_data(0, F_H);
    int rc = sd_h5out_write_field(o, F_H, 0, 0.0, d, err, sizeof err);
    free(d);
    ok(rc == 0 && sd_h5out_set_mesh(o, &MESH, err, sizeof err) == -1 && strstr(err, "a field step was written before it"),
       "set_mesh after a field write refused: %s", err);
    sd_h5out_close(o, "failed", 0, 0.0, err, sizeof err);
}

static void test_kill(void)
{
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/kill.h5", tmpdir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sd_h5out *o = create(path, err, sizeof err);
        if (!o || sd_h5out_set_mesh(o, &MESH, err, sizeof err) < 0) _exit(1);
        void *d = field_data(0, F_X);
        sd_h5out_write_field(o, F_X, 0, 0.0, d, err, sizeof err); /* not committed */
        free(d);
        raise(SIGKILL);
        _exit(2);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child killed after set_mesh and an uncommitted field write");
    int64_t nv = 0, nf = 0, *tri = NULL, *steps = NULL, n = -1;
    double *x0 = NULL;
    OK_ERR(sd_h5_read_mesh(path, &nv, &nf, &tri, &x0, err, sizeof err) == 0 && nv == NV && nf == NF &&
           !memcmp(tri, TRI, sizeof TRI) && !memcmp(x0, X0, sizeof X0), "the killed run's file holds its mesh (committed by set_mesh)");
    OK_ERR(sd_h5_list_field_steps(path, "x", &steps, &n, err, sizeof err) == 0 && n == 0,
       "and not the uncommitted field step");
    free(tri);
    free(x0);
    free(steps);
}

/* A mesh larger than one chunk of /mesh's datasets (65,536 rows) and of a field's (2 MiB): 7 MiB. */
enum { LV = 150001, LF = 2 * LV - 4 };
static void large_mesh(int64_t **tri, double **x0, double **x)
{
    *tri = malloc(sizeof **tri * 3 * LF);
    *x0 = malloc(sizeof **x0 * 3 * LV);
    *x = malloc(sizeof **x * 3 * LV);
    for (int64_t f = 0; f < LF; f++)
        for (int k = 0; k < 3; k++) (*tri)[3 * f + k] = (f * 7 + k * 50021) % LV;
    for (int64_t v = 0; v < LV; v++)
        for (int c = 0; c < 3; c++) {
            (*x0)[3 * v + c] = val(0, 40, c, v);
            (*x)[c * LV + v] = val(1, 41, c, v); /* [3][nv] */
        }
}

/* The large mesh read back bit for bit. */
static void test_large(void)
{
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/large.h5", tmpdir);
    int64_t *tri;
    double *x0, *x;
    large_mesh(&tri, &x0, &x);
    int64_t shape[3] = {LV, 1, 1};
    double sp[3] = {1, 1, 1};
    const char *fn[] = {"x"};
    int dt[] = {SD_F64}, nc[] = {3}, loc[] = {SD_MESH_VERTICES};
    sd_h5out *o = sd_h5out_create(path, NULL, 1, shape, sp, 1, fn, dt, nc, 0, NULL, err, sizeof err);
    sd_h5mesh m = {LV, LF, tri, x0, 0, loc, 0, NULL};
    OK_ERR(o && sd_h5out_set_mesh(o, &m, err, sizeof err) == 0 && sd_h5out_write_field(o, 0, 1, 0.1, x, err, sizeof err) == 0 &&
               sd_h5out_close(o, "completed", 1, 0.0, err, sizeof err) == 0,
           "a mesh of %d vertices and %d triangles written", LV, LF);
    int64_t nv = 0, nf = 0, *rt = NULL, n = 0;
    double *rx = NULL, *rf = NULL;
    OK_ERR(sd_h5_read_mesh(path, &nv, &nf, &rt, &rx, err, sizeof err) == 0 && nv == LV && nf == LF &&
               !memcmp(rt, tri, sizeof *tri * 3 * LF) && !memcmp(rx, x0, sizeof *x0 * 3 * LV),
           "its triangles and initial positions read back bit for bit (several chunks)");
    OK_ERR(sd_h5_read_field(path, "x", 1, &rf, &n, err, sizeof err) == 0 && n == 3 * LV && !memcmp(rf, x, sizeof *x * 3 * LV),
           "its positions field [3][%d] reads back bit for bit", LV);
    free(rt);
    free(rx);
    free(rf);
    free(tri);
    free(x0);
    free(x);
}

/* A file size limit (a full disk) hit by set_mesh: refused before HDF5 writes anything, with the
 * system's reason; the file stays at its last commit (no /mesh) and the writer can still close it. */
static void test_size_limit(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/full.h5", tmpdir);
    int pfd[2];
    if (!ok(pipe(pfd) == 0, "size limit: pipe")) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        char err[512] = "", err2[512] = "";
        int64_t *tri;
        double *x0, *x;
        large_mesh(&tri, &x0, &x);
        int64_t shape[3] = {LV, 1, 1};
        double sp[3] = {1, 1, 1};
        const char *fn[] = {"x"};
        int dt[] = {SD_F64}, nc[] = {3};
        sd_h5out *o = sd_h5out_create(path, NULL, 1, shape, sp, 1, fn, dt, nc, 0, NULL, err, sizeof err);
        struct stat st;
        if (!o || stat(path, &st) != 0) { dprintf(pfd[1], "setup failed: %s\n", err); _exit(1); }
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)st.st_size + (1 << 20), (rlim_t)st.st_size + (1 << 20)};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(1);
        sd_h5mesh m = {LV, LF, tri, x0, 0, NULL, 0, NULL};
        int rc = sd_h5out_set_mesh(o, &m, err, sizeof err);
        int crc = sd_h5out_close(o, "failed", 0, 0.0, err2, sizeof err2);
        dprintf(pfd[1], "%d|%s|%d|%s\n", rc, err, crc, err2);
        _exit(0);
    }
    close(pfd[1]);
    char buf[1300] = "";
    size_t got = 0;
    ssize_t r;
    while (got < sizeof buf - 1 && (r = read(pfd[0], buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)r;
    close(pfd[0]);
    buf[strcspn(buf, "\n")] = 0;
    int status = 0, rc = 0, crc = -1;
    waitpid(pid, &status, 0);
    char e1[600] = "", e2[600] = "";
    sscanf(buf, "%d|%599[^|]|%d|%599[^|]", &rc, e1, &crc, e2);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "size limit: child ran (%.200s)", buf);
    ok(rc == -1 && strstr(e1, path) && strstr(e1, "cannot record the mesh: File too large"),
       "size limit: set_mesh fails with the reason: %s", e1);
    if (!ok(crc == 0, "size limit: the writer still closes the file")) diag("%s", e2);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ok(f >= 0 && H5Lexists(f, "mesh", H5P_DEFAULT) == 0 && str_attr_is(f, "status", "failed"),
       "size limit: the file opens, without /mesh, status failed");
    if (f >= 0) H5Fclose(f);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (fixture_tmpdir("h5meshf") < 0) return 99;
    test_refusals();
    test_kill();
    test_large();
    test_size_limit();
    fixture_cleanup();
    return tap_done();
}
