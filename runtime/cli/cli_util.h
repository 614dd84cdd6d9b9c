/* cli_util.h - option-value parsing shared by the CLI's commands (main.c, calibrate.c). */
#ifndef SD_CLI_UTIL_H
#define SD_CLI_UTIL_H
#include <stdint.h>

/* A whole decimal integer >= lo (no trailing characters, no overflow) into *v; 1 if valid. */
int sd_cli_parse_int(const char *s, long long lo, long long *v);
/* A duration: seconds ("90", "1.5") or H:MM:SS / MM:SS ("2:30:00"), > 0, into *sec. 1 if valid. */
int sd_cli_parse_duration(const char *s, double *sec);

/* 1 when a is one of the NULL-terminated names (a command's options that take a value: an
 * argument that is none of them is "unknown", not "needs a value"). */
int sd_cli_is_one_of(const char *a, const char *const *names);

/* Tile cells "X", "XxY" or "XxYxZ" (each >= 1; absent axes 1) into t; 1 if valid. */
int sd_cli_parse_tiles(const char *s, int64_t t[3]);

#endif
