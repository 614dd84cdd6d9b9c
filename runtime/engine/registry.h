/* registry.h - the codelet table's internals for the pack loader (plugin.c): who registered a
 * codelet, and taking back a pack's codelets when one of them is refused. Not installed. */
#ifndef SD_REGISTRY_H
#define SD_REGISTRY_H
#include <stddef.h>
#include "stardag/codelet.h"

/* Register c on behalf of origin (a string that outlives the registry). 0, or -1 with the reason
 * in msg ("codelet NAME: ..."). */
int sd_registry_add(const sd_codelet *c, const char *origin, char *msg, size_t len);
const sd_codelet *sd_codelet_with_model(const char *model);
/* The number of codelets now; sd_registry_rollback(mark) drops every codelet added after it. */
int sd_registry_mark(void);
void sd_registry_rollback(int mark);
#endif
