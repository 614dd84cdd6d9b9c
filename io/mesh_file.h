/* mesh_file.h - closed triangle meshes (a membrane's surface): reading OFF, OBJ and PLY files,
 * validating and repairing them, generating icospheres and ellipsoids, and writing OFF or PLY.
 * Pure C (no StarPU, no HDF5). Orientation: face (a, b, c) is counter-clockwise seen from outside,
 * its outward normal (b-a)x(c-a); the enclosed volume sum_f a.(b x c)/6 is then positive.
 * docs/mesh-files.md describes the formats, what is refused and what is repaired. */
#ifndef STARDAG_IO_MESH_FILE_H
#define STARDAG_IO_MESH_FILE_H
#include <stddef.h>
#include <stdint.h>

typedef struct sd_mesh {
    int64_t nv, nf;
    double *x;        /* [3 nv] coordinates, x y z of vertex v at x[3v..3v+2] */
    int64_t *tri;     /* [3 nf] vertex indices of face f, counter-clockwise seen from outside */
} sd_mesh;
typedef struct sd_mesh_notes {   /* what reading repaired (documented repairs), for a warning line */
    int64_t dropped_vertices;    /* unreferenced vertices removed (indices renumbered) */
    int64_t flipped;             /* faces reversed: those of the surfaces oriented inward */
} sd_mesh_notes;
/* Reads OFF, OBJ (v/f lines; f with v, v/vt, v//vn, v/vt/vn; negative indices; polygons with more
 * than 3 corners refused: triangulate first), PLY (ascii, binary_little_endian, binary_big_endian;
 * vertex x y z as any scalar type, face vertex_indices (or vertex_index) a list of any integer types)
 * by extension (.off .obj .ply, case-insensitive), then validates (sd_mesh_check). 0, or -1 with
 * "FILE:LINE: what was found, what was expected" in err (binary PLY: the element index instead of a
 * line); m is then empty. */
int sd_mesh_read(const char *path, sd_mesh *m, sd_mesh_notes *notes, char *err, size_t errlen);
/* Validation of a mesh (also for generated ones). Refused, naming the face(s)/vertex and, when the
 * caller passes face_line (the file line of each face; NULL otherwise), their lines: non-finite
 * coordinates; an index out of range; a degenerate face (repeated vertex, or zero area: |cross| <=
 * 1e-14 * longest edge^2); duplicate faces (same vertex set); an edge shared by more than 2 faces
 * (non-manifold); an edge with only one face (a hole: the mesh must be closed); inconsistent
 * orientation (an edge traversed twice in the same direction); a non-manifold vertex (its faces do not
 * form one fan). Repaired (and counted in notes): unreferenced vertices (dropped), a consistently
 * inward orientation (negative enclosed volume: every face reversed). path names the mesh in
 * messages (NULL: "mesh"). */
int sd_mesh_check(sd_mesh *m, const int64_t *face_line, const char *path, sd_mesh_notes *notes, char *err, size_t errlen);
/* The unit icosahedron subdivided `level` times (each triangle into 4, new midpoints projected to the
 * sphere), scaled to radius: 10*4^level + 2 vertices, 20*4^level faces, outward orientation; vertex
 * order: the 12 icosahedron vertices, then midpoints in order of creation (deterministic). level 0..10. */
int sd_mesh_icosphere(int level, double radius, sd_mesh *m, char *err, size_t errlen);
/* The unit icosphere scaled by axes[0..2] along x, y, z. */
int sd_mesh_ellipsoid(int level, const double axes[3], sd_mesh *m, char *err, size_t errlen);
/* Writes OFF or OBJ (ascii) or PLY (binary little-endian, float64 coordinates, int32 indices) by
 * extension, to a unique temporary PATH.XXXXXX (mkstemp), fsynced, then renamed over PATH (never a
 * half-written file; the caller decides whether an existing PATH may be replaced). Coordinates with
 * %.17g in OFF and OBJ (round trip exact). */
int sd_mesh_write(const char *path, const sd_mesh *m, char *err, size_t errlen);
void sd_mesh_free(sd_mesh *m);
/* The edges of a triangle mesh: *edge = [2 *ne] global vertex ids (lower, higher) of every
 * distinct edge, ordered by the lower id, then the higher (a numbering that depends only on the
 * triangles, not on a partition); malloc'ed, free() it. 0, or -1 with a message (out of memory). */
int sd_mesh_edges(int64_t nv, int64_t nf, const int64_t *tri, int64_t *ne, int64_t **edge, char *err, size_t errlen);

#endif
