# tests: io
check_PROGRAMS += tests/t_h5out
tests_t_h5out_SOURCES = tests/t_h5out.c
tests_t_h5out_LDADD = libstardag.la
TESTS += tests/t_h5out
