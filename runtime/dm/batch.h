/* batch.h - the batch domain class's ranges of systems, shared with `stardag dot` (which draws a
 * batch's task graph as the run would make it). No StarPU. */
#ifndef SD_BATCH_H
#define SD_BATCH_H
#include <stddef.h>
#include <stdint.h>
#include "grid_tiling.h"

/* The ranges of a batch of graph g: nranges > 0 (--tiles N), else the graph's tiles: N, else
 * automatic for ncpu CPU and ncuda CUDA workers (sd_batch_auto_ranges, or more where a range of a
 * field would not fit one StarPU vector); N ranges differ in size by at most one system. 0, or -1
 * with a message. */
int sd_batch_tiling(const sd_graph *g, int64_t nranges, int ncpu, int ncuda, sd_tiling *t, char *err, size_t errlen);
/* Automatic ranges: about 4 per CPU worker and 8 per GPU, none below 128 systems. */
int sd_batch_auto_ranges(int64_t M, int ncpu, int ncuda);

#endif
