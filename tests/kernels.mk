# tests: kernels (pure C, no StarPU calls: the codelets' CPU functions through the registry)
noinst_HEADERS += tests/kernel_util.h
check_PROGRAMS += tests/t_xsum tests/t_common_kernels tests/t_lattice_kernels
tests_t_xsum_SOURCES = tests/t_xsum.c tests/tap.h tests/kernel_util.h
tests_t_common_kernels_SOURCES = tests/t_common_kernels.c tests/tap.h tests/kernel_util.h
tests_t_lattice_kernels_SOURCES = tests/t_lattice_kernels.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_xsum tests/t_common_kernels tests/t_lattice_kernels
