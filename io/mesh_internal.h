/* mesh_internal.h - what the mesh readers, checker and writers share (io/mesh_*.c); not installed. */
#ifndef STARDAG_IO_MESH_INTERNAL_H
#define STARDAG_IO_MESH_INTERNAL_H
#include <stdint.h>
#include <stdio.h>

#include "mesh_file.h"

/* A file read but not yet checked: the mesh, each face's file line (NULL for binary PLY: messages
 * then name the face by its element index) and the number the file gives its first vertex (OBJ 1,
 * else 0), so that messages name vertices as the file does. */
typedef struct sd_mesh_raw {
    sd_mesh m;
    int64_t *face_line;
    int vertex_base;
} sd_mesh_raw;

/* The readers: 0, or -1 with "FILE:LINE: ..." in err (raw then freed). */
int sd_mesh_read_off(const char *path, sd_mesh_raw *r, char *err, size_t errlen);
int sd_mesh_read_obj(const char *path, sd_mesh_raw *r, char *err, size_t errlen);
int sd_mesh_read_ply(const char *path, sd_mesh_raw *r, char *err, size_t errlen);
void sd_mesh_raw_free(sd_mesh_raw *r);

/* sd_mesh_check naming vertices from vertex_base. */
int sd_mesh_check_based(sd_mesh *m, const int64_t *face_line, const char *path, int vertex_base,
                        sd_mesh_notes *notes, char *err, size_t errlen);

/* The binary little-endian PLY body and header (mesh_ply.c) for sd_mesh_write; 0 or -1 (errno set). */
int sd_mesh_put_ply(FILE *f, const sd_mesh *m);

/* The counts a reader refuses beyond (vertex indices are packed in 32 bits by the checker). */
#define SD_MESH_MAX_VERTICES ((int64_t)UINT32_MAX)
#define SD_MESH_MAX_FACES ((int64_t)1 << 40)

#endif
