# The C API example is built and run by make check (tests/t_example.sh).
check_PROGRAMS += examples/custom_codelet
examples_custom_codelet_SOURCES = examples/custom_codelet.c
# The codelet-pack template (examples/pack): installed as $(pkgdatadir)/pack-template, which
# `stardag new-pack NAME` copies; built and run against the build tree and an install by
# tests/t_plugin.sh.
packtemplatedir = $(pkgdatadir)/pack-template
dist_packtemplate_DATA = examples/pack/README.md examples/pack/Makefile examples/pack/mypack.c \
	examples/pack/mypack_kernels.h examples/pack/mypack_math.h examples/pack/damp.c examples/pack/damp.cu \
	examples/pack/test_damp.c examples/pack/damped-wave.yaml
# An ODE system written in C and registered by name (examples/ode-user-system), run by
# tests/t_ode_user_system.sh
check_PROGRAMS += examples/ode-user-system/duffing
examples_ode_user_system_duffing_SOURCES = examples/ode-user-system/duffing.c
EXTRA_DIST += examples/ode-user-system/run.yaml
# A SLURM batch script for distributed runs (docs/distributed.md), run by tests/t_mpi.sh with srun
# standing for mpirun.
EXTRA_DIST += examples/slurm-lattice.sh
