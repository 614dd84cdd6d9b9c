# tests: kernels (pure C, no StarPU calls: the codelets' CPU functions through the registry)
noinst_HEADERS += tests/kernel_util.h tests/lattice_fixture.h
check_PROGRAMS += tests/t_xsum tests/t_xsum_bulk tests/t_common_kernels tests/t_lattice_kernels tests/t_lattice_orders
tests_t_xsum_SOURCES = tests/t_xsum.c tests/tap.h tests/kernel_util.h
tests_t_xsum_bulk_SOURCES = tests/t_xsum_bulk.c tests/tap.h tests/kernel_util.h
tests_t_common_kernels_SOURCES = tests/t_common_kernels.c tests/tap.h tests/kernel_util.h
tests_t_lattice_kernels_SOURCES = tests/t_lattice_kernels.c tests/tap.h tests/kernel_util.h tests/lattice_fixture.h
tests_t_lattice_orders_SOURCES = tests/t_lattice_orders.c tests/tap.h tests/kernel_util.h tests/lattice_fixture.h
TESTS += tests/t_xsum tests/t_xsum_bulk tests/t_common_kernels tests/t_lattice_kernels tests/t_lattice_orders
# SIMD variants: --version and STARDAG_ISA, and every domain's graphs bitwise under each variant
TESTS += tests/t_isa.sh
EXTRA_DIST += tests/t_isa.sh
# detmath.h: exp, log, pow, sin, cos, atan, atan2, asin with the same bits on CPU and GPU
check_PROGRAMS += tests/t_detmath
tests_t_detmath_SOURCES = tests/t_detmath.c tests/tap.h
TESTS += tests/t_detmath
