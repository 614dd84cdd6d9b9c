# tests: membrane codelets (pure C, kernels called directly on whole-mesh and partition views)
noinst_HEADERS += tests/mesh_view.h tests/mesh_part.h tests/membrane_ref.h
check_PROGRAMS += tests/t_membrane_energy
tests_t_membrane_energy_SOURCES = tests/t_membrane_energy.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_energy
# minimiser ops: every op against its formula on a hand-built partition view, PR+ and Armijo cases,
# a whole constrained quadratic minimisation through the ops (pure C, through the registry)
check_PROGRAMS += tests/t_membrane_minimise
tests_t_membrane_minimise_SOURCES = tests/t_membrane_minimise.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_minimise
# minimiser ops: CUDA kernels against the CPU ones (as tests/md.mk's t_md_cuda); skips (exit 77)
# without a usable CUDA device
EXTRA_DIST += tests/t_membrane_minimise_cuda.cu
if HAVE_NVCC
check_PROGRAMS += tests/t_membrane_minimise_cuda
TESTS += tests/t_membrane_minimise_cuda
CLEANFILES += tests/t_membrane_minimise_cuda_cu.lo
tests_t_membrane_minimise_cuda_SOURCES =
tests_t_membrane_minimise_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_membrane_minimise_cuda_LDADD = tests/t_membrane_minimise_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_membrane_minimise_cuda_LDADD = tests/t_membrane_minimise_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
