/* glue_roles.h - the role and parameter shorthands the membrane glue tables share (glue_energy.c,
 * glue_edges.c, glue_newton.c): f64 fields on vertices, faces or edges, exact scalar sums. Glue only. */
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
/* membrane.energy's parameters (membrane.trial_energy and membrane.newton take the same) */
#define P_KAPPA {.name = "kappa", .def = 1, .min = 0, .max = BIG, .doc = "bending rigidity"}
#define P_C0 {.name = "c0", .def = 0, .min = -BIG, .max = BIG, .doc = "spontaneous curvature (of 2H)"}
#define P_KAPPA_G {.name = "kappa_G", .def = 0, .min = -BIG, .max = BIG, .doc = "Gaussian rigidity (0: term skipped)"}
#define P_GAMMA(req, d) {.name = "gamma", .def = 0, .min = -BIG, .max = BIG, .required = req, .doc = d}
#define P_P {.name = "p", .def = 0, .min = -BIG, .max = BIG, .doc = "pressure difference (inside - outside): term -p V"}
#define ALL_PARAMS P_KAPPA, P_C0, P_KAPPA_G, P_GAMMA(0, "surface tension: term gamma A"), P_P

#endif
