/* table_pack.c - the table test codelets (table_fixture.h) as a pack, for t_tables_cli.sh. */
#include "table_fixture.h"
#include "stardag/pack.h"

STARDAG_PACK("tt", table_test_codelets);
