# tests: membranes (triangle meshes)
# mesh files: generators, OFF/OBJ/PLY round trips, every refusal with its line, the repairs
check_PROGRAMS += tests/t_mesh_file
tests_t_mesh_file_SOURCES = tests/t_mesh_file.c
TESTS += tests/t_mesh_file
EXTRA_DIST += tests/data/mesh/make_fixtures.py tests/data/mesh/coff.off tests/data/mesh/duplicate.off \
	tests/data/mesh/fin.off tests/data/mesh/flipped.obj tests/data/mesh/flipped.off tests/data/mesh/good.obj \
	tests/data/mesh/good.off tests/data/mesh/good_ascii.ply tests/data/mesh/good_be.ply \
	tests/data/mesh/good_le.ply tests/data/mesh/hole.off tests/data/mesh/inward.off tests/data/mesh/nan.off \
	tests/data/mesh/pinch.off tests/data/mesh/quad.obj tests/data/mesh/quad.off tests/data/mesh/range.off \
	tests/data/mesh/short.off tests/data/mesh/truncated.ply tests/data/mesh/unused.off \
	tests/data/mesh/zero_area.off
EXTRA_DIST += tests/data/mesh/huge_le.ply tests/data/mesh/huge_ascii.ply
# tests: membranes (issue 10)
# the run file of a mesh domain (/mesh, fields on vertices, faces and edges) and its XDMF sidecar
check_PROGRAMS += tests/t_h5out_mesh tests/t_h5out_mesh_edges tests/t_h5out_mesh_faults
tests_t_h5out_mesh_SOURCES = tests/t_h5out_mesh.c tests/h5out_mesh_check.h tests/h5out_mesh_fixture.h
tests_t_h5out_mesh_edges_SOURCES = tests/t_h5out_mesh_edges.c tests/h5out_mesh_check.h tests/h5out_mesh_fixture.h
tests_t_h5out_mesh_faults_SOURCES = tests/t_h5out_mesh_faults.c tests/h5out_mesh_fixture.h
TESTS += tests/t_h5out_mesh tests/t_h5out_mesh_edges tests/t_h5out_mesh_faults
# tests: membrane codelets (pure C, kernels called directly on whole-mesh and partition views)
noinst_HEADERS += tests/mesh_view.h tests/mesh_part.h tests/membrane_ref.h tests/tilt_state.h
check_PROGRAMS += tests/t_membrane_energy
tests_t_membrane_energy_SOURCES = tests/t_membrane_energy.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_energy
# tilt: finite differences, slow reference, partitions, relaxation, divergence
check_PROGRAMS += tests/t_membrane_tilt
tests_t_membrane_tilt_SOURCES = tests/t_membrane_tilt.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_tilt
# The tilt CUDA kernels against the CPU ones (as tests/md.mk's t_md_cuda); skips (exit 77) without
# a usable CUDA device.
EXTRA_DIST += tests/t_membrane_tilt_cuda.cu
SD_CUDA_DEPS += tests/mesh_part.h tests/mesh_view.h
if HAVE_NVCC
check_PROGRAMS += tests/t_membrane_tilt_cuda
TESTS += tests/t_membrane_tilt_cuda
CLEANFILES += tests/t_membrane_tilt_cuda_cu.lo
tests_t_membrane_tilt_cuda_SOURCES = tests/t_membrane_tilt_cuda_part.c
tests_t_membrane_tilt_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_membrane_tilt_cuda_LDADD = tests/t_membrane_tilt_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_membrane_tilt_cuda_LDADD = tests/t_membrane_tilt_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
# minimiser ops: every op against its formula on a hand-built partition view, PR+ and Armijo cases,
# a whole constrained quadratic minimisation through the ops (pure C, through the registry)
check_PROGRAMS += tests/t_membrane_minimise tests/t_membrane_minimise_runs
tests_t_membrane_minimise_SOURCES = tests/t_membrane_minimise.c tests/minimise_view.h tests/tap.h tests/kernel_util.h
tests_t_membrane_minimise_runs_SOURCES = tests/t_membrane_minimise_runs.c tests/minimise_view.h tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_minimise tests/t_membrane_minimise_runs
# the Newton minimiser: decisions, and the step against a dense reference (CHOLMOD; skips without it)
check_PROGRAMS += tests/t_membrane_newton
tests_t_membrane_newton_SOURCES = tests/t_membrane_newton.c tests/tap.h tests/kernel_util.h tests/mesh_view.h
TESTS += tests/t_membrane_newton
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
# The membrane CUDA kernels against the CPU ones (same pattern as tests/cuda.mk); skips (exit 77)
# without a usable CUDA device.
EXTRA_DIST += tests/t_membrane_cuda.cu
if HAVE_NVCC
check_PROGRAMS += tests/t_membrane_cuda
TESTS += tests/t_membrane_cuda
CLEANFILES += tests/t_membrane_cuda_cu.lo
tests_t_membrane_cuda_SOURCES =
tests_t_membrane_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_membrane_cuda_LDADD = tests/t_membrane_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_membrane_cuda_LDADD = tests/t_membrane_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
# t-only tilt ops (membrane.tilt_t, membrane.bending_tilt_t): bitwise the full ops' tgrad and energy,
# whole mesh and partitions; `tests/t_membrane_tilt_t --bench` times full vs t-only
check_PROGRAMS += tests/t_membrane_tilt_t
tests_t_membrane_tilt_t_SOURCES = tests/t_membrane_tilt_t.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_tilt_t
# the bundled membrane graphs run (tilt-relax: energy falls and converges; vesicle-bending: exact
# energy monotonicity, volume at v0; both bitwise across partitions)
TESTS += tests/t_membrane_graphs.sh
EXTRA_DIST += tests/t_membrane_graphs.sh
# ops on mesh edges (edge_geometry, edge_sum, tether): references, finite differences, the 4 pi
# limit, partitions (tests/mesh_part.h's edge tables, checked against runtime/dm's)
check_PROGRAMS += tests/t_membrane_edges
tests_t_membrane_edges_SOURCES = tests/t_membrane_edges.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_edges
# the edge ops' CUDA kernels (and mesh.edge_noise's) against the CPU ones, bitwise; skips (exit 77)
# without a usable CUDA device
EXTRA_DIST += tests/t_membrane_edges_cuda.cu
if HAVE_NVCC
check_PROGRAMS += tests/t_membrane_edges_cuda
TESTS += tests/t_membrane_edges_cuda
CLEANFILES += tests/t_membrane_edges_cuda_cu.lo
tests_t_membrane_edges_cuda_SOURCES =
tests_t_membrane_edges_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_membrane_edges_cuda_LDADD = tests/t_membrane_edges_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_membrane_edges_cuda_LDADD = tests/t_membrane_edges_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
# the edge ops through the runtime: 4 pi, tether descent, bitwise on 1, 3 and 7 partitions
TESTS += tests/t_membrane_edges_run.sh
EXTRA_DIST += tests/t_membrane_edges_run.sh tests/graphs/membrane-edges.yaml
