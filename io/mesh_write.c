/* mesh_write.c - sd_mesh_write: OFF or OBJ (ascii, coordinates with %.17g: read back bit for bit)
 * or PLY (binary little-endian, mesh_ply.c) by extension, written whole to a unique temporary
 * PATH.XXXXXX (mkstemp, same directory), fsynced, renamed over PATH and the directory fsynced, so
 * that PATH is the old file or the new one, never a half-written one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mesh_internal.h"
#include "durable.h"

enum { W_OFF, W_OBJ, W_PLY };

static int put_off(FILE *f, const sd_mesh *m)
{
    if (fprintf(f, "OFF\n%" PRId64 " %" PRId64 " 0\n", m->nv, m->nf) < 0) return -1;
    for (int64_t v = 0; v < m->nv; v++)
        if (fprintf(f, "%.17g %.17g %.17g\n", m->x[3 * v], m->x[3 * v + 1], m->x[3 * v + 2]) < 0) return -1;
    for (int64_t k = 0; k < m->nf; k++)
        if (fprintf(f, "3 %" PRId64 " %" PRId64 " %" PRId64 "\n", m->tri[3 * k], m->tri[3 * k + 1], m->tri[3 * k + 2]) < 0)
            return -1;
    return 0;
}

static int put_obj(FILE *f, const sd_mesh *m)
{
    if (fprintf(f, "# written by stardag: %" PRId64 " vertices, %" PRId64 " faces\n", m->nv, m->nf) < 0) return -1;
    for (int64_t v = 0; v < m->nv; v++)
        if (fprintf(f, "v %.17g %.17g %.17g\n", m->x[3 * v], m->x[3 * v + 1], m->x[3 * v + 2]) < 0) return -1;
    for (int64_t k = 0; k < m->nf; k++)
        if (fprintf(f, "f %" PRId64 " %" PRId64 " %" PRId64 "\n", m->tri[3 * k] + 1, m->tri[3 * k + 1] + 1,
                    m->tri[3 * k + 2] + 1) < 0)
            return -1;
    return 0;
}

/* mkstemp creates 0600; give the file the mode fopen would have (0666 less the umask). umask can
 * only be read by setting it: restored at once (the mesh is written by the main thread, outside
 * any concurrent file creation). */
static mode_t new_file_mode(void)
{
    const mode_t u = umask(022);
    umask(u);
    return 0666 & ~u;
}

int sd_mesh_write(const char *path, const sd_mesh *m, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    int kind = -1;
    if (dot && (!slash || dot > slash)) {
        if (!strcasecmp(dot, ".off")) kind = W_OFF;
        if (!strcasecmp(dot, ".obj")) kind = W_OBJ;
        if (!strcasecmp(dot, ".ply")) kind = W_PLY;
    }
    if (kind < 0) {
        snprintf(err, errlen, "%s: unknown mesh extension '%s': expected .off, .obj or .ply", path, dot && (!slash || dot > slash) ? dot : "");
        return -1;
    }
    /* a mesh that would not read back is a caller's bug: refuse it rather than write it */
    for (int64_t k = 0; k < 3 * m->nf; k++)
        if (m->tri[k] < 0 || m->tri[k] >= m->nv) {
            snprintf(err, errlen, "%s: face %" PRId64 " has vertex %" PRId64 " out of range: expected 0..%" PRId64 "; nothing written",
                     path, k / 3, m->tri[k], m->nv - 1);
            return -1;
        }
    for (int64_t k = 0; k < 3 * m->nv; k++)
        if (!isfinite(m->x[k])) {
            snprintf(err, errlen, "%s: vertex %" PRId64 " has a non-finite coordinate: nothing written", path, k / 3);
            return -1;
        }
    if (kind == W_PLY && m->nv > INT32_MAX) {
        snprintf(err, errlen, "%s: %" PRId64 " vertices: PLY is written with int32 indices (at most %d vertices); write .off",
                 path, m->nv, INT32_MAX);
        return -1;
    }
    /* a unique temporary in PATH's directory (rename is atomic within one file system): never a
     * user's file, never another run's temporary */
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = NULL;
    int rc = fchmod(fd, new_file_mode()) == 0 && (f = fdopen(fd, kind == W_PLY ? "wb" : "w")) ? 0 : -1;
    int saved = errno;
    if (rc < 0) {
        close(fd);
    } else {
        rc = kind == W_OFF ? put_off(f, m) : kind == W_OBJ ? put_obj(f, m) : sd_mesh_put_ply(f, m);
        if (rc == 0 && fflush(f) != 0) rc = -1;
        if (rc == 0 && sd_fsync(fileno(f)) != 0) rc = -1;
        saved = errno;
        if (fclose(f) != 0 && rc == 0) {
            rc = -1;
            saved = errno;
        }
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        saved = errno;
        snprintf(err, errlen, "%s: cannot rename the temporary %s over it: %s", path, tmp, strerror(saved));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: write error: %s (left unchanged)", path, strerror(saved));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    if (sd_fsync_dir_of(path) != 0) { /* the rename made durable */
        snprintf(err, errlen, "%s: written, but syncing its directory failed: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
