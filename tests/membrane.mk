# tests: membrane codelets (pure C kernels on whole-mesh views, tests/mesh_view.h)
noinst_HEADERS += tests/mesh_view.h
check_PROGRAMS += tests/t_membrane_tilt
tests_t_membrane_tilt_SOURCES = tests/t_membrane_tilt.c tests/tap.h
TESTS += tests/t_membrane_tilt
