# tests: ode.radau5 and ode.bdf (pure kernels on hand-built batch tasks; references from
# bench/peers/ode/ref_implicit.py)
noinst_HEADERS += tests/t_ode_implicit_fixture.h
check_PROGRAMS += tests/t_ode_implicit
tests_t_ode_implicit_SOURCES = tests/t_ode_implicit.c tests/tap.h
TESTS += tests/t_ode_implicit
# events with both methods (references in the same file)
check_PROGRAMS += tests/t_ode_implicit_events
tests_t_ode_implicit_events_SOURCES = tests/t_ode_implicit_events.c tests/tap.h
TESTS += tests/t_ode_implicit_events
EXTRA_DIST += bench/peers/ode/ref_implicit.py bench/peers/ode/ref_implicit.txt
# one n = 1000 system (a lone lane, O(n^2) work) against the exact solution
check_PROGRAMS += tests/t_ode_implicit_large
tests_t_ode_implicit_large_SOURCES = tests/t_ode_implicit_large.c tests/tap.h
TESTS += tests/t_ode_implicit_large
# The CUDA kernels against the CPU ones, bitwise (as tests/md.mk's t_md_cuda); skips (exit 77)
# without a usable CUDA device.
EXTRA_DIST += tests/t_ode_implicit_cuda.cu
if HAVE_NVCC
check_PROGRAMS += tests/t_ode_implicit_cuda
TESTS += tests/t_ode_implicit_cuda
SD_CUDA_DEPS += tests/t_ode_implicit_fixture.h
CLEANFILES += tests/t_ode_implicit_cuda_cu.lo
tests_t_ode_implicit_cuda_SOURCES =
tests_t_ode_implicit_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_ode_implicit_cuda_LDADD = tests/t_ode_implicit_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_ode_implicit_cuda_LDADD = tests/t_ode_implicit_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
