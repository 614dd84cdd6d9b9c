/* grid_read.c - see grid_read.h. */
#include <stdio.h>
#include <stdlib.h>
#include <starpu.h>
#include "grid_read.h"
#include "read_spec.h"

int sd_grid_read_load(const sd_graph *g, const sd_gop *op, int ntiles, sd_read_src **out, char *err, size_t errlen)
{
    const sd_binding *b = &op->bind[0];
    const sd_gfield *f = &g->fields[b->index];
    sd_rf_shape want;
    sd_read_field_shape(g, b->index, b->level, op->read->narrow, &want);
    size_t n = 1;
    for (int k = 0; k < want.rank; k++) n *= (size_t)want.dims[k]; /* the run's sizes were checked */
    sd_read_src *src = calloc(1, sizeof *src);
    /* values computed or read at load (a batch's values:) live with the graph: the tiles copy them
       from there, without a second whole-field copy */
    if (src && op->read->values) src->data = op->read->values, src->borrowed = 1;
    else if (src) src->data = malloc(n * sd_dtype_size(f->dtype));
    if (!src || !src->data) {
        free(src);
        snprintf(err, errlen, "out of memory reading %s into %s", op->read->file, want.what);
        return -1;
    }
    if (!src->borrowed && sd_rf_read(op->read->file, op->read->dataset, &want, src->data, err, errlen) < 0) {
        sd_grid_read_free(src);
        return -1;
    }
    src->pending = ntiles;
    *out = src;
    return 0;
}

void sd_grid_read_free(sd_read_src *src)
{
    if (!src) return;
    if (!src->borrowed) free(src->data);
    free(src);
}

/* Rows of the whole field into the tile's interior (the snapshot's copy, reversed). */
void sd_grid_read_cpu(void *buffers[], void *cl_arg)
{
    const sd_read_arg *ra = cl_arg;
    int64_t t0 = sd_ns_now();
    sd_tile_copy_whole(ra->geom, ra->shape, ra->origin, (char *)STARPU_VECTOR_GET_PTR(buffers[0]), ra->src->data, 1);
    sd_meter_add(&ra->m, t0);
    /* the last tile's task frees the values; the source record stays for the class to free */
    if (__atomic_sub_fetch(&ra->src->pending, 1, __ATOMIC_ACQ_REL) == 0 && !ra->src->borrowed) {
        free(ra->src->data);
        ra->src->data = NULL;
    }
}
