/* mesh_edges.c - the distinct edges of a triangle mesh, numbered by their lower, then higher
 * vertex id: a numbering that depends only on the triangles, so an edge field's values have the
 * same order in every partition, output file and checkpoint. A counting sort by the lower vertex,
 * then each vertex's few higher neighbours sorted and deduplicated: O(n). */
#include <stdio.h>
#include <stdlib.h>
#include "mesh_file.h"

static int by_value(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int sd_mesh_edges(int64_t nv, int64_t nf, const int64_t *tri, int64_t *ne, int64_t **edge, char *err, size_t errlen)
{
    *ne = 0;
    *edge = NULL;
    int64_t *start = calloc((size_t)nv + 2, sizeof *start), *hi = malloc(sizeof *hi * (size_t)(3 * nf + 1));
    int64_t *out = NULL;
    if (!start || !hi) goto oom;
    /* each face side (a, b) goes to min(a, b)'s list as max(a, b) */
    for (int64_t f = 0; f < nf; f++)
        for (int k = 0; k < 3; k++) {
            const int64_t a = tri[3 * f + k], b = tri[3 * f + (k + 1) % 3];
            start[(a < b ? a : b) + 2]++;
        }
    for (int64_t v = 0; v < nv; v++) start[v + 2] += start[v + 1];
    for (int64_t f = 0; f < nf; f++)
        for (int k = 0; k < 3; k++) {
            const int64_t a = tri[3 * f + k], b = tri[3 * f + (k + 1) % 3];
            hi[start[(a < b ? a : b) + 1]++] = a < b ? b : a;
        }
    int64_t n = 0; /* deduplicate in place: an edge of a closed mesh has two faces */
    for (int64_t v = 0, from = 0; v < nv; v++) {
        const int64_t to = start[v + 1];
        qsort(hi + from, (size_t)(to - from), sizeof *hi, by_value);
        start[v] = n;
        for (int64_t j = from; j < to; j++)
            if (j == from || hi[j] != hi[j - 1]) hi[n++] = hi[j];
        from = to;
    }
    start[nv] = n;
    if (!(out = malloc(sizeof *out * (size_t)(2 * n + 1)))) goto oom;
    for (int64_t v = 0; v < nv; v++)
        for (int64_t j = start[v]; j < start[v + 1]; j++) {
            out[2 * j] = v;
            out[2 * j + 1] = hi[j];
        }
    free(start);
    free(hi);
    *ne = n;
    *edge = out;
    return 0;
oom:
    free(start);
    free(hi);
    snprintf(err, errlen, "out of memory listing the edges of a mesh of %lld triangles", (long long)nf);
    return -1;
}
