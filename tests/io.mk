# tests: io
check_PROGRAMS += tests/t_h5out
tests_t_h5out_SOURCES = tests/t_h5out.c
TESTS += tests/t_h5out
