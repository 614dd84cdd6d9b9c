# tests: the explicit ODE solvers (ode.dopri5, ode.dop853, events, ode.status) on hand-built batch
# tiles, against bench/peers/ode/ref_explicit.txt (SciPy numbers; the script beside them)
check_PROGRAMS += tests/t_ode_explicit
tests_t_ode_explicit_SOURCES = tests/t_ode_explicit.c tests/tap.h
tests_t_ode_explicit_CPPFLAGS = $(AM_CPPFLAGS) -DSD_REF_EXPLICIT='"$(abs_top_srcdir)/bench/peers/ode/ref_explicit.txt"'
TESTS += tests/t_ode_explicit
# the lane groups' batched powers (ode_pow_lanes.c) bitwise sd_ode_pow
check_PROGRAMS += tests/t_ode_pow
tests_t_ode_pow_SOURCES = tests/t_ode_pow.c tests/tap.h
TESTS += tests/t_ode_pow
EXTRA_DIST += bench/peers/ode/ref_explicit.py bench/peers/ode/ref_explicit.txt
# the CUDA kernels against the CPU ones (skips without a CUDA device); built wherever nvcc is, as
# tests/cuda.mk's tests are
EXTRA_DIST += tests/t_ode_explicit_cuda.cu
if HAVE_NVCC
check_PROGRAMS += tests/t_ode_explicit_cuda
TESTS += tests/t_ode_explicit_cuda
CLEANFILES += tests/t_ode_explicit_cuda_cu.lo
tests_t_ode_explicit_cuda_SOURCES =
tests_t_ode_explicit_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_ode_explicit_cuda_LDADD = tests/t_ode_explicit_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_ode_explicit_cuda_LDADD = tests/t_ode_explicit_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
# the bundled graphs (graphs/ode), small: bitwise across ranges and workers, against the references
TESTS += tests/t_ode_graphs.sh
EXTRA_DIST += tests/t_ode_graphs.sh
