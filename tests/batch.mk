# tests: the batch domain class (ODE ensembles): loading (syntax, systems, values, roles), runs
noinst_HEADERS += tests/batch_fixture.h
check_PROGRAMS += tests/t_batch_load
tests_t_batch_load_SOURCES = tests/t_batch_load.c tests/tap.h tests/batch_fixture.h
TESTS += tests/t_batch_load
check_PROGRAMS += tests/t_batch_run
tests_t_batch_run_SOURCES = tests/t_batch_run.c tests/batch_fixture.h tests/run_graph.h
TESTS += tests/t_batch_run
# the fixture as a codelet pack (a module only the tests load) for the CLI tests
check_LTLIBRARIES = tests/batch_pack.la
tests_batch_pack_la_SOURCES = tests/batch_pack.c tests/batch_fixture.h
tests_batch_pack_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/t_batch_cli.sh
EXTRA_DIST += tests/t_batch_cli.sh
