# tests: md pack kernels (pure C, called directly: no registry, no StarPU)
check_PROGRAMS += tests/t_md_kernels
tests_t_md_kernels_SOURCES = tests/t_md_kernels.c tests/tap.h tests/kernel_util.h tests/md_sim.h tests/md_world.h
TESTS += tests/t_md_kernels
# whole trajectories of those kernels: NVE drift and missed pairs over 10,000 steps, thermostats
check_PROGRAMS += tests/t_md_trajectories
tests_t_md_trajectories_SOURCES = tests/t_md_trajectories.c tests/tap.h tests/kernel_util.h tests/md_sim.h tests/md_world.h
TESTS += tests/t_md_trajectories
# the particle domain's blocks: rebuild, ghosts, lists, errors (runtime/dm/particles_blocks.c, no StarPU)
check_PROGRAMS += tests/t_particles
tests_t_particles_SOURCES = tests/t_particles.c tests/tap.h tests/pblocks.h
TESTS += tests/t_particles
# the parallel rebuild (runtime/dm/particles_migrate.c) bitwise against the serial one, random configurations, no StarPU
check_PROGRAMS += tests/t_prebuild
tests_t_prebuild_SOURCES = tests/t_prebuild.c tests/tap.h tests/pblocks.h
TESTS += tests/t_prebuild
# ghost exports (runtime/dm/particles_export.c): exported cells, ghosts from exports bitwise the
# plain ones, the serial and parallel rebuilds' cell and export starts, export room; no StarPU
check_PROGRAMS += tests/t_pexport
tests_t_pexport_SOURCES = tests/t_pexport.c tests/tap.h tests/pblocks.h
TESTS += tests/t_pexport

# The md CUDA kernels against the CPU ones (same pattern as tests/cuda.mk); skips (exit 77)
# without a usable CUDA device.
EXTRA_DIST += tests/t_md_cuda.cu
if HAVE_NVCC
check_PROGRAMS += tests/t_md_cuda
TESTS += tests/t_md_cuda
CLEANFILES += tests/t_md_cuda_cu.lo
tests_t_md_cuda_SOURCES =
tests_t_md_cuda_LDFLAGS = $(AM_LDFLAGS) $(SD_CUDA_LDFLAGS)
if SD_CUDA
tests_t_md_cuda_LDADD = tests/t_md_cuda_cu.lo $(LDADD) $(SD_CUDA_LIBS)
else
tests_t_md_cuda_LDADD = tests/t_md_cuda_cu.lo libstardag_cuda.la $(LDADD) $(SD_CUDA_LIBS)
endif
endif
# domain.particles.read: LAMMPS data, XYZ and H5MD initial states, restarts, bad files
TESTS += tests/t_read_particles.sh
EXTRA_DIST += tests/t_read_particles.sh tests/data/read/mix.data tests/data/read/mix.xyz
# the particle class's checkpoint hooks driven directly: restart == uninterrupted, bitwise (runtime/dm/particles_ckpt.c)
check_PROGRAMS += tests/t_ckpt_particles
tests_t_ckpt_particles_SOURCES = tests/t_ckpt_particles.c tests/tap.h
TESTS += tests/t_ckpt_particles
EXTRA_DIST += tests/graphs/md-ckpt-ghosts.yaml
# checkpoint/restart of particle graphs through `stardag run`: restart == uninterrupted, SIGTERM, the trajectory continued
TESTS += tests/t_ckpt_particles_run.sh
EXTRA_DIST += tests/t_ckpt_particles_run.sh
# the mixed-precision pair kernels: bitwise the documented order under every SIMD variant, accuracy vs double, NVE
check_PROGRAMS += tests/t_md_mixed
tests_t_md_mixed_SOURCES = tests/t_md_mixed.c tests/tap.h tests/md_sim.h
TESTS += tests/t_md_mixed
