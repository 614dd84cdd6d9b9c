/* transfers.c - accumulating StarPU's per-bus transfer counters (see transfers.h). */
#include <stdio.h>
#include <string.h>
#include <starpu.h>
#include "transfers.h"

void sd_transfers_init(sd_transfers *t)
{
    memset(t, 0, sizeof *t);
    int n = starpu_bus_get_count();
    t->nbus = n < SD_MAX_BUS ? n : SD_MAX_BUS;
    for (int b = 0; b < t->nbus; b++) {
        char src[24], dst[24];
        starpu_memory_node_get_name((unsigned)starpu_bus_get_src(b), src, sizeof src);
        starpu_memory_node_get_name((unsigned)starpu_bus_get_dst(b), dst, sizeof dst);
        snprintf(t->name[b], sizeof t->name[b], "%s->%s", src, dst);
        t->names[b] = t->name[b];
        struct starpu_profiling_bus_info info;
        starpu_bus_get_profiling_info(b, &info); /* reset: count this run only */
    }
}

void sd_transfers_sample(sd_transfers *t)
{
    for (int b = 0; b < t->nbus; b++) {
        struct starpu_profiling_bus_info info;
        if (starpu_bus_get_profiling_info(b, &info) != 0) continue;
        t->bytes[b] += (double)info.transferred_bytes;
        t->count[b] += info.transfer_count;
    }
}
