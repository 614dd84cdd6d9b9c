/* transfers.h - bytes moved between memory nodes during a run, from StarPU's bus profiling
 * counters (counted only while profiling is enabled). Needs StarPU initialised. */
#ifndef SD_TRANSFERS_H
#define SD_TRANSFERS_H
#include <stdint.h>

#define SD_MAX_BUS 16

typedef struct sd_transfers {
    int nbus;
    char name[SD_MAX_BUS][64];    /* "RAM 0->CUDA 0" */
    const char *names[SD_MAX_BUS]; /* pointers to name[], for tables and traces */
    double bytes[SD_MAX_BUS];      /* cumulative since sd_transfers_init */
    int64_t count[SD_MAX_BUS];
} sd_transfers;

/* Names the buses and resets StarPU's counters. */
void sd_transfers_init(sd_transfers *t);
/* Adds what moved since the last call (StarPU resets its counters when read). */
void sd_transfers_sample(sd_transfers *t);

#endif
