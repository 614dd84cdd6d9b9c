/* starpu_home.h - a writable place for StarPU's performance models before starpu_init. StarPU 1.3
 * keeps them under BASE/.starpu/sampling, BASE being the first set of $XDG_CACHE_HOME, $STARPU_HOME
 * and $HOME (or $STARPU_PERF_MODEL_DIR itself when set), and aborts with a backtrace (exit 134)
 * when it cannot create that directory: a read-only or absent HOME (batch nodes, containers). */
#ifndef SD_STARPU_HOME_H
#define SD_STARPU_HOME_H
#include <stddef.h>

/* When STARPU_PERF_MODEL_DIR is unset and BASE/.starpu cannot be created or written, point StarPU
 * (for the rest of the process: STARPU_PERF_MODEL_DIR, and STARPU_HOME when unset) at the first
 * usable of $STARPU_HOME (when XDG_CACHE_HOME took precedence over it) and ${TMPDIR:-/tmp}/stardag-UID
 * (created 0700; an existing one must be our own directory, not a link, closed to others), and put
 * one line saying so in note. 0: nothing to do; 1: redirected (note filled); -1: nowhere writable
 * (err names each place tried, why it failed, and the remedy). */
int sd_starpu_home_ensure(char *note, size_t notelen, char *err, size_t errlen);

/* StarPU's sampling folder (its performance models, and stardag's tunings beside them), as StarPU
 * 1.3 finds it: $STARPU_PERF_MODEL_DIR, else BASE/.starpu/sampling (BASE as above). */
void sd_sampling_dir(char *dir, size_t len);

#endif
