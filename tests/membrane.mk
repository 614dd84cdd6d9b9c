# tests: membrane codelets (pure C, kernels called directly on whole-mesh and partition views)
noinst_HEADERS += tests/mesh_view.h tests/mesh_part.h tests/membrane_ref.h
check_PROGRAMS += tests/t_membrane_energy
tests_t_membrane_energy_SOURCES = tests/t_membrane_energy.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_energy
# The membrane CUDA kernels against the CPU ones (same pattern as tests/cuda.mk); skips (exit 77)
# without a usable CUDA device.
EXTRA_DIST += tests/t_membrane_cuda.cu
if HAVE_NVCC
check_PROGRAMS += tests/t_membrane_cuda
TESTS += tests/t_membrane_cuda
SD_CUDA_DEPS += tests/mesh_view.h tests/mesh_part.h
CLEANFILES += tests/t_membrane_cuda_cu.lo
tests_t_membrane_cuda_SOURCES =
tests_t_membrane_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_membrane_cuda_LDADD = tests/t_membrane_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_membrane_cuda_LDADD = tests/t_membrane_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
