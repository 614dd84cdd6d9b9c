/* batch_pack.c - the batch test fixture as a codelet pack, for the CLI tests (t_batch_cli.sh): its
 * codelets through STARDAG_PACK, its ODE system registered when the pack is loaded (a pack may
 * register systems through stardag/ode.h; the constructor runs before stardag reads the pack). */
#include "batch_fixture.h"
#include "stardag/pack.h"

__attribute__((constructor)) static void register_system(void)
{
    if (!sd_ode_system_find(osc_system.name)) sd_ode_system_register(&osc_system);
}

STARDAG_PACK("t", batch_test_codelets);
