/* memlimit.h - how much memory a process may still allocate, so that input that would need more
 * (a graph's fields, a damaged file's claimed dataset size) is refused with the sizes named before
 * anything is allocated: MemAvailable + SwapFree of /proc/meminfo (free physical memory where that
 * file is missing), at most a cgroup v2's memory.max - memory.current; or STARDAG_MAX_MEMORY when
 * set (a size: bytes, or with K, M, G, T or P, powers of 1024), lower (a shared node) or higher
 * (memory the kernel overcommits) than that. */
#ifndef STARDAG_IO_MEMLIMIT_H
#define STARDAG_IO_MEMLIMIT_H
#include <stddef.h>
#include <stdint.h>

/* Bytes; *source names where the number comes from ("STARDAG_MAX_MEMORY", ...). -1 when unknown;
 * -2 when STARDAG_MAX_MEMORY is not a size (err says so). */
int64_t sd_memory_available(const char **source, char *err, size_t errlen);
/* "1.5 GiB" into buf. */
const char *sd_fmt_bytes(char *buf, size_t len, double bytes);

#endif
