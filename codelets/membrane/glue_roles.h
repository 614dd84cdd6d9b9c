/* glue_roles.h - the role and parameter shorthands the membrane glue tables share (glue_energy.c,
 * glue_edges.c): f64 fields on vertices, faces or edges, exact scalar sums. Glue only. */
#ifndef SD_MEMBRANE_GLUE_ROLES_H
#define SD_MEMBRANE_GLUE_ROLES_H
#include "config.h"
#include "stardag/codelet.h"

#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define X_R(h) {.name = "x", .mode = SD_READ, .kind = SD_ROLE_FIELD, .halo = h, .ncomp = 3, .dtypes = 1 << SD_F64, \
                .location = SD_MESH_VERTICES, .doc = "vertex positions"}
#define FIELD_ROLE(nm, md, nc, loc, d) {.name = nm, .mode = md, .kind = SD_ROLE_FIELD, .ncomp = nc, \
                                        .dtypes = 1 << SD_F64, .location = loc, .doc = d}
#define V_W(nm, nc, d) FIELD_ROLE(nm, SD_WRITE, nc, SD_MESH_VERTICES, d)
#define F_W(nm, nc, d) FIELD_ROLE(nm, SD_WRITE, nc, SD_MESH_FACES, d)
#define E_R(nm, d) FIELD_ROLE(nm, SD_READ, 1, SD_MESH_EDGES, d)
#define E_W(nm, d) FIELD_ROLE(nm, SD_WRITE, 1, SD_MESH_EDGES, d)
#define S_R(nm, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_SCALAR, .doc = d}
#define S_SUM(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .doc = d}
#define S_OPT(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = SD_REDUCE_SUM, .optional = 1, \
                      .doc = d}
#define BIG 1e300

#endif
