EXTRA_DIST += tests/harness.sh tests/tap.h tests/tap.sh
include tests/loader.mk
include tests/io.mk
include tests/formats.mk
include tests/kernels.mk
include tests/md.mk
include tests/membrane.mk
include tests/cuda.mk
include tests/runtime.mk
include tests/sanitize.mk
include tests/python.mk
include tests/plugin.mk
# the bundled transport graphs (graphs/transport): they load; the demo, coarse, conserves, reaches
# NIST's range, is tiling-independent, and bench/transport/depth_dose.py agrees with its profile
TESTS += tests/t_transport_graphs.sh
EXTRA_DIST += tests/t_transport_graphs.sh
include tests/mesh.mk
include tests/ode.mk
# lattice.chi_leapfrog (dynamic chi): the kernel on hand-built tiles, and the coupled graph's runs
noinst_HEADERS += tests/chi_fixture.h
check_PROGRAMS += tests/t_lattice_chi
tests_t_lattice_chi_SOURCES = tests/t_lattice_chi.c tests/tap.h tests/kernel_util.h tests/chi_fixture.h
TESTS += tests/t_lattice_chi tests/t_coupled_chi.sh
EXTRA_DIST += tests/t_coupled_chi.sh
include tests/batch.mk
include tests/ode_implicit.mk
include tests/ode_systems.mk
include tests/transport.mk
include tests/tables.mk
include tests/faults/faults.mk
include tests/tune.mk
include tests/mpi.mk
include tests/ckpt.mk
