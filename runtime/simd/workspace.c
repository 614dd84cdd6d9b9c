/* workspace.c - the per-thread workspace of the bundled CPU kernels (workspace.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include "workspace.h"

static _Thread_local void *ws_buf;
static _Thread_local size_t ws_cap;
/* The key frees a thread's buffer when the thread exits (StarPU's workers at shutdown). */
static pthread_key_t ws_key;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;
static int ws_key_ok;
static void ws_key_make(void) { ws_key_ok = pthread_key_create(&ws_key, free) == 0; }

void *sd_workspace(size_t bytes)
{
    if (bytes <= ws_cap) return ws_buf;
    if (bytes > SIZE_MAX - 64) return NULL; /* rounding up would wrap */
    if (pthread_once(&ws_once, ws_key_make) != 0 || !ws_key_ok) return NULL;
    const size_t cap = (bytes + 63) & ~(size_t)63; /* aligned_alloc wants a multiple of the alignment */
    void *b = aligned_alloc(64, cap);
    if (!b) return NULL;
    if (pthread_setspecific(ws_key, b) != 0) {
        free(b);
        return NULL;
    }
    free(ws_buf); /* contents are undefined after a call: nothing to keep */
    ws_buf = b;
    ws_cap = cap;
    return b;
}
