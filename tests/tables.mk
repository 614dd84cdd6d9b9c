# tests: a graph's tables (text files of numbers bound to table roles): loading and its refusals,
# runs over tilings, the run file's /tables; the CLI with the test codelets as a pack
noinst_HEADERS += tests/table_fixture.h
check_PROGRAMS += tests/t_tables
tests_t_tables_SOURCES = tests/t_tables.c tests/table_fixture.h tests/run_util.h tests/run_graph.h
TESTS += tests/t_tables
check_LTLIBRARIES += tests/table_pack.la
tests_table_pack_la_SOURCES = tests/table_pack.c tests/table_fixture.h
tests_table_pack_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/t_tables_cli.sh
EXTRA_DIST += tests/t_tables_cli.sh
