/* t_ckpt_classes.c - every domain class can checkpoint: submit_checkpoint and restore are both
 * set (dm.h). A class added without them fails here, before any user finds that --checkpoint and
 * --restart refuse its graphs. */
#include <string.h>
#include "dm.h"
#include "tap.h"

int main(void)
{
    ok(sd_dm_class_count() >= 4, "the classes are listed (%d)", sd_dm_class_count());
    for (int i = 0; i < sd_dm_class_count(); i++) {
        const sd_dm_class *c = sd_dm_class_at(i);
        ok(c->submit_checkpoint != NULL, "class %s submits checkpoints", c->name);
        ok(c->restore != NULL, "class %s restores from a checkpoint", c->name);
    }
    return tap_done();
}
