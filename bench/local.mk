# Benchmarks: built only on demand (EXTRA_PROGRAMS), run with `make bench` (docs/benchmarks.md).
# They measure, they never assert: nothing here is part of `make check`.
BENCH_BINS = bench/baselines/kg_omp$(EXEEXT) bench/baselines/stream_triad$(EXEEXT) \
	bench/overhead/raw_starpu$(EXEEXT) bench/overhead/sd_tasks$(EXEEXT)
EXTRA_PROGRAMS = $(BENCH_BINS)
CLEANFILES += $(BENCH_BINS)

# Baselines: plain C + OpenMP, -O3, no FMA contraction (AM_CFLAGS) like stardag's kernels, so the
# leapfrog baseline reproduces stardag's field bitwise; kg_omp reads HDF5 for its --validate mode.
bench_baselines_kg_omp_SOURCES = bench/baselines/kg_omp.c
bench_baselines_kg_omp_CPPFLAGS = -DKG_OMP_HDF5 $(HDF5_CFLAGS)
bench_baselines_kg_omp_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) -O3
bench_baselines_kg_omp_LDADD = $(HDF5_LIBS) -lm
bench_baselines_stream_triad_SOURCES = bench/baselines/stream_triad.c
bench_baselines_stream_triad_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) -O3
bench_baselines_stream_triad_LDADD =

# Task overhead: raw StarPU vs the same workload through stardag's public C API.
bench_overhead_raw_starpu_SOURCES = bench/overhead/raw_starpu.c bench/overhead/work.h
bench_overhead_raw_starpu_LDADD = $(STARPU_LIBS)
bench_overhead_sd_tasks_SOURCES = bench/overhead/sd_tasks.c bench/overhead/work.h

# Exact sums: ns per value against a plain sum, per SIMD variant, and the demo's diagnostics per tile
BENCH_BINS += bench/xsum/xsum_bench$(EXEEXT)
bench_xsum_xsum_bench_SOURCES = bench/xsum/xsum_bench.c
bench_xsum_xsum_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests

# detmath.h's functions against glibc's: ns per call (docs/benchmarks.md, "GPU")
BENCH_BINS += bench/detmath/detmath_bench$(EXEEXT)
bench_detmath_detmath_bench_SOURCES = bench/detmath/detmath_bench.c
bench_detmath_detmath_bench_LDADD = -lm

# ODE right-hand sides: built-in vs expression systems (native, interpreter), f and Jacobian
BENCH_BINS += bench/ode/rhs_bench$(EXEEXT)
bench_ode_rhs_bench_SOURCES = bench/ode/rhs_bench.c

EXTRA_DIST += bench/xsum/run.sh bench/xsum/kg-packet-nodiag.yaml bench/ab.sh bench/output.sh bench/lattice/run.sh bench/lattice/kg-bench.yaml bench/lattice/kg-validate.yaml \
	bench/overhead/run.sh

.PHONY: bench bench-lattice bench-overhead
bench-lattice: $(BENCH_BINS) stardag$(EXEEXT)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/lattice/run.sh
bench-overhead: $(BENCH_BINS)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/overhead/run.sh
bench: $(BENCH_BINS) stardag$(EXEEXT)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/lattice/run.sh
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/overhead/run.sh

# Lennard-Jones peer (LAMMPS), the MD benchmarks through the runtime (run.sh: stardag vs LAMMPS;
# proteinmd.sh: ProteinMD step-time targets; gromacs.sh: stardag double/mixed vs GROMACS, with the
# argon input and build-gromacs.sh) and H5MD conformance check: scripts and data, not built.
EXTRA_DIST += bench/peers/in.lj bench/peers/lj-liquid.lammps.ref bench/peers/fcc_lattice_sum.py \
	bench/md/lammps.sh bench/md/check_h5md.py bench/md/run.sh bench/md/proteinmd.sh bench/md/nve.sh \
	bench/md/find-stardag.sh bench/md/gromacs.sh bench/peers/build-gromacs.sh \
	bench/peers/argon/argon.mdp bench/peers/argon/argon.top bench/peers/argon/fcc-g96.awk

# MD kernels alone (no runtime yet): force, neighbour build and a whole velocity-Verlet step on the
# LAMMPS bench/in.lj system, per atom-step (docs/benchmarks.md).
EXTRA_PROGRAMS += bench/md/kernels
CLEANFILES += bench/md/kernels$(EXEEXT)
bench_md_kernels_SOURCES = bench/md/kernels.c tests/md_sim.h
bench_md_kernels_LDADD = libstardag.la -lm

# GPU: the device's memory bandwidth (nvcc), and the lattice benchmark on CPU, GPU and both.
if HAVE_NVCC
bench/baselines/cuda_triad$(EXEEXT): $(top_srcdir)/bench/baselines/cuda_triad.cu
	$(AM_V_NVCC)$(MKDIR_P) bench/baselines && $(NVCC) $(SD_NVCC_USER_FLAGS) $(SD_NVCC_PINNED) -o $@ $< -L$(CUDA_LIBDIR) -Xlinker -rpath=$(CUDA_LIBDIR)
CLEANFILES += bench/baselines/cuda_triad$(EXEEXT)
endif
EXTRA_DIST += bench/baselines/cuda_triad.cu bench/lattice/gpu.sh bench/gpu/evidence.sh scripts/gpu-bundle.sh
.PHONY: bench-gpu
bench-gpu: bench/baselines/cuda_triad$(EXEEXT) stardag$(EXEEXT)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/lattice/gpu.sh

# Membranes: the plain C + OpenMP bending energy + gradient loop (the baseline beside NumPy and
# stardag), run by bench/membrane/run.sh (make bench-membrane).
EXTRA_PROGRAMS += bench/membrane/c_loop
CLEANFILES += bench/membrane/c_loop$(EXEEXT)
bench_membrane_c_loop_SOURCES = bench/membrane/c_loop.c codelets/membrane/face_blocks.c runtime/simd/isa.c
bench_membrane_c_loop_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/codelets/membrane
# face_blocks.c's flags (see there); they change no value of c_loop's own formulas either
bench_membrane_c_loop_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) -O3 -fno-math-errno -fno-trapping-math
bench_membrane_c_loop_LDADD = -lm
EXTRA_DIST += bench/membrane/run.sh bench/membrane/minimise.sh bench/peers/membrane_numpy.py
.PHONY: bench-membrane
bench-membrane: bench/membrane/c_loop$(EXEEXT) stardag$(EXEEXT)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/membrane/run.sh
# whole minimisations: Newton steps vs conjugate gradients (bench/membrane/minimise.sh)
.PHONY: bench-membrane-minimise
bench-membrane-minimise: stardag$(EXEEXT)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/membrane/minimise.sh

# The explicit ODE kernels alone (ode.dopri5, ode.dop853): 10,000 Van der Pol systems on one thread.
EXTRA_PROGRAMS += bench/ode/kernel_bench
CLEANFILES += bench/ode/kernel_bench$(EXEEXT)
bench_ode_kernel_bench_SOURCES = bench/ode/kernel_bench.c
.PHONY: bench-ode-kernel
bench-ode-kernel: bench/ode/kernel_bench$(EXEEXT)
	./bench/ode/kernel_bench ode.dopri5
	./bench/ode/kernel_bench ode.dop853
# single-threaded speed of both solvers on 10,000 stiff Van der Pol systems (built on demand:
# make bench/ode/implicit_bench; measures, asserts nothing)
EXTRA_PROGRAMS += bench/ode/implicit_bench
CLEANFILES += bench/ode/implicit_bench$(EXEEXT)
bench_ode_implicit_bench_SOURCES = bench/ode/implicit_bench.c
# ODE ensembles: the SUNDIALS (ARKODE, CVODE) and SciPy peers, the reference table and the harness
# (bench/ode/run.sh builds the C peers itself: libsundials-dev is a bench-only package).
EXTRA_DIST += bench/ode/run.sh bench/ode/work_precision.py bench/peers/ode/refs.py bench/peers/ode/refs.txt \
	bench/peers/ode/ref_cvode.c bench/peers/ode/peer_common.h bench/peers/ode/vdp_arkode.c \
	bench/peers/ode/vdp_cvode.c bench/peers/ode/vdp_scipy.py bench/peers/ode/work-precision-scipy.txt \
	bench/ode/work_precision_stardag.sh bench/peers/ode/work-precision-stardag.txt \
	bench/ode/linear.sh bench/peers/ode/linear_scipy.py bench/ode/events_cost.sh
.PHONY: bench-ode
bench-ode: stardag$(EXEEXT)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/ode/run.sh

# Proton transport (issue 12): the plain C + OpenMP fused step (baseline; reads the PSTAR table of
# codelets/transport, HDF5 for its --compare mode against a stardag output), run beside stardag by
# bench/transport/run.sh (make bench-transport); crosscheck.sh and ranges.sh validate; kernel_ab.sh
# compares the fused kernel of two revisions on one tile.
EXTRA_PROGRAMS += bench/baselines/transport_omp
CLEANFILES += bench/baselines/transport_omp$(EXEEXT)
bench_baselines_transport_omp_SOURCES = bench/baselines/transport_omp.c bench/baselines/transport_omp_step.h
bench_baselines_transport_omp_CPPFLAGS = -DTRANSPORT_OMP_HDF5 -I$(top_srcdir)/codelets/transport $(HDF5_CFLAGS)
bench_baselines_transport_omp_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) -O3
bench_baselines_transport_omp_LDADD = $(HDF5_LIBS) -lm
EXTRA_DIST += bench/transport/run.sh bench/transport/crosscheck.sh bench/transport/ranges.sh bench/transport/halo.sh \
	bench/transport/dense.yaml bench/transport/depth_dose.py bench/transport/kernel_ab.sh bench/transport/kernel_ab.c
.PHONY: bench-transport
bench-transport: bench/baselines/transport_omp$(EXEEXT) bench/baselines/stream_triad$(EXEEXT) stardag$(EXEEXT)
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/transport/run.sh
# distributed runs on one machine and the scaling model (docs/benchmarks.md 15, docs/scaling.md)
EXTRA_DIST += bench/mpi/run.sh bench/mpi/scaling_model.py
EXTRA_DIST += bench/md/rebuild.sh
