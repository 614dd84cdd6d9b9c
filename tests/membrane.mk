# tests: membrane codelets (pure C, kernels called directly on whole-mesh and partition views)
noinst_HEADERS += tests/mesh_view.h tests/mesh_part.h tests/membrane_ref.h
check_PROGRAMS += tests/t_membrane_energy
tests_t_membrane_energy_SOURCES = tests/t_membrane_energy.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_energy
