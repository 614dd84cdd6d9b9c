# tests: CUDA kernels against the CPU ones (tests/t_cuda_kernels.cu: the common pack and the halo
# kernels; tests/t_cuda_lattice.cu: the lattice pack; harness tests/cuda_run.h). Built wherever
# nvcc is found;
# it links the CUDA runtime and libstardag (for the CPU functions and the registry; StarPU is not
# started) and skips (exit 77) when no CUDA device can be used. Without CUDA in libstardag it
# links the kernels from libstardag_cuda.la (cuda.mk), with CUDA it uses the library's own.
EXTRA_DIST += tests/t_cuda_kernels.cu tests/t_cuda_lattice.cu tests/cuda_test_util.h tests/cuda_run.h
if HAVE_NVCC
check_PROGRAMS += tests/t_cuda_kernels
TESTS += tests/t_cuda_kernels
SD_CUDA_DEPS += tests/tap.h tests/kernel_util.h tests/cuda_test_util.h tests/cuda_run.h
CLEANFILES += tests/t_cuda_kernels_cu.lo
tests_t_cuda_kernels_SOURCES =
tests_t_cuda_kernels_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_cuda_kernels_LDADD = tests/t_cuda_kernels_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_cuda_kernels_LDADD = tests/t_cuda_kernels_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
check_PROGRAMS += tests/t_cuda_lattice
TESTS += tests/t_cuda_lattice
CLEANFILES += tests/t_cuda_lattice_cu.lo
tests_t_cuda_lattice_SOURCES =
tests_t_cuda_lattice_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_cuda_lattice_LDADD = tests/t_cuda_lattice_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_cuda_lattice_LDADD = tests/t_cuda_lattice_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
