/* read_spec.h - what an io.read_field op expects of its dataset, shared by the loader (which
 * checks the file at load) and the grid class (which reads it at run time). */
#ifndef SD_READ_SPEC_H
#define SD_READ_SPEC_H
#include "graph.h"
#include "read_field.h"

/* The performance-model symbol of the grid's field-read tasks, also the op's (sd_codelet.model):
 * `stardag calibrate` looks the graph's ops up by it. */
#define SD_READ_FIELD_MODEL "stardag.field_read"

/* The dataset shape stardag writes for field `field` (its level `level` named in messages):
 * [c][inner axes, last first][z][y][x], no component dimension for one component; narrow from
 * the op (f64 data may be rounded into an f32 field). */
void sd_read_field_shape(const sd_graph *g, int field, int level, int narrow, sd_rf_shape *s);

#endif
