# tests: the batch domain class (ODE ensembles): loading (syntax, systems, values, roles), runs
noinst_HEADERS += tests/batch_fixture.h
check_PROGRAMS += tests/t_batch_load
tests_t_batch_load_SOURCES = tests/t_batch_load.c tests/tap.h tests/batch_fixture.h
TESTS += tests/t_batch_load
check_PROGRAMS += tests/t_batch_run
tests_t_batch_run_SOURCES = tests/t_batch_run.c tests/batch_fixture.h tests/run_graph.h
TESTS += tests/t_batch_run
