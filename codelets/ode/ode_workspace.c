/* ode_workspace.c - see ode_workspace.h. */
#include <pthread.h>
#include <stdlib.h>
#include "ode_workspace.h"

static _Thread_local double *ws_buf;
static _Thread_local size_t ws_cap;
/* The key frees a thread's buffer when the thread exits (StarPU's workers at shutdown). */
static pthread_key_t ws_key;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;
static int ws_key_ok;
static void ws_key_make(void) { ws_key_ok = pthread_key_create(&ws_key, free) == 0; }

double *sd_ode_workspace(size_t need)
{
    if (need <= ws_cap) return ws_buf;
    if (pthread_once(&ws_once, ws_key_make) != 0 || !ws_key_ok) return NULL;
    double *b = realloc(ws_buf, need * sizeof *b);
    if (!b) return NULL;
    if (pthread_setspecific(ws_key, b) != 0) {
        free(b);
        ws_buf = NULL;
        ws_cap = 0;
        return NULL;
    }
    ws_buf = b;
    ws_cap = need;
    return b;
}
