# tests: the Python package (python/stardag) and docs/tutorial.py, with configure's python3
TESTS += tests/t_python.sh
EXTRA_DIST += tests/t_python.sh tests/t_python.py
AM_TESTS_ENVIRONMENT += PYTHON='$(PYTHON)'; export PYTHON;
# the C API the package uses (graph accessors, progress callback, error lines, compare), from C
check_PROGRAMS += tests/t_capi
tests_t_capi_SOURCES = tests/t_capi.c tests/tap.h
TESTS += tests/t_capi
